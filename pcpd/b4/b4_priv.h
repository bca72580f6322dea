/* SPDX-License-Identifier: GPL-2.0 */
/* pcpd --role b4: state shared by its parts.
 *   b4.c         start, event loop, data-plane events, pool housekeeping
 *   b4_client.c  the PCP client to the lwAFTR: one MAP per slot
 *   b4_lan.c     the PCP server for LAN hosts (PCPC-12)
 *   b4_nexthop.c the next-hop cache to the lwAFTR (issue 11) */
#ifndef LW4O6_PCPD_B4_PRIV_H
#define LW4O6_PCPD_B4_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <bpf/libbpf.h>

#include "daemon.h"
#include "pcpd_b4.h"
#include "b4_config.h"
#include "b4store.h"
#include "b4_policy.h"
#include "b4_maps.h"
#include "b4_slow.h"
#include "nh_watch.h"

#define B4_SLOTS  LW_B4_POOL_MAX
#define B4_RX_MAX 65536 /* from the tunnel: a packet the kernel reassembled, up to 64 KiB */

/* One MAP to the lwAFTR (Internal Port slot + 1) and the set it got. */
struct b4_slot {
	bool used;           /* a nonce is drawn: asked for, held or released */
	struct b4_grant g;   /* nonce always; the set when have_set */
	bool have_set;       /* g's set means something (a suggestion when !valid) */
	bool valid;          /* g is a current grant */
	bool installed;      /* g's set is in the lwB4 pool */
	bool releasing;      /* a lifetime-0 MAP is being sent */
	bool rebinding;      /* the lwAFTR said it has no binding for the installed
			      * set (ICMPv6 1/5): asked again, the set and its
			      * mappings kept until the answer (B4-PROV-8) */
	bool proto0_refused; /* MALFORMED_REQUEST to protocol 0: per protocol from now */
	/* the exchange in progress */
	bool pending;
	uint64_t next_send_ms, rt_ms;
	unsigned tries;
	uint64_t renew_ms;  /* monotonic; 0 = none */
	bool timer_renewal; /* the exchange is the lifetime timer's renewal */
	uint64_t expire_ms; /* monotonic end of the grant while valid (g has
			       * the wall-clock second, for the disk) */
	uint64_t idle_since_ms;
};

struct b4d {
	struct b4_config cfg;
	struct lw_b4_config dp; /* the lwB4's configuration, read at start and every
				 * expiry round (lw4o6 set changes it) */
	struct lw_b4_maps maps;
	/* the data plane followed (b4.c dp_follow): its meta map's id as
	 * last taken, whether it is gone, new maps seen since when */
	__u32 dp_meta_id;
	bool dp_gone;
	uint64_t next_dp_watch_ms, dp_new_since_ms;
	struct b4store *store;
	struct ring_buffer *rb;
	int fd; /* raw IPv6, protocol 4: the tunnel */
	uint16_t sport;
	struct b4_slot slot[B4_SLOTS];
	/* §8.5: the lwAFTR's previous epoch and when it arrived */
	bool have_epoch;
	uint32_t prev_epoch;
	uint64_t prev_epoch_ms;
	/* pool management */
	uint64_t grow_backoff_until_ms;
	bool exhausted;           /* the data plane reported exhaustion */
	uint64_t exhausted_drops; /* its drop-pool-exhausted count when a
				       * set last joined the pool */
	uint64_t next_expire_ms, last_event_check_ms;
	/* recovery measurement */
	uint64_t lost_ms;
	const char *lost_why;
	/* the slow path (b4_slow.h): ICMPv4 errors to LAN hosts through
	 * icmp_fd, IPv6 fragments through frag_fd (both IPPROTO_RAW) */
	int icmp_fd, frag_fd;
	/* B4-FRAG-3: packets reassembled by the kernel and translated here */
	uint64_t reasm_sent, reasm_dropped;
	struct lw_rate_bucket icmp_rl;
	struct {
		uint64_t icmp_sent, icmp_rate_limited, icmp_suppressed;
		uint64_t tunnel_sent, tunnel_refused, send_errors;
	} slow;
	/* the LAN server */
	int lan_fd;
	unsigned lan_ifindex;
	int64_t lan_epoch_base; /* wall clock */
	struct b4_lan_mapping *lan;
	size_t n_lan, cap_lan;
	unsigned lan_announce_round;
	uint64_t next_lan_announce_ms;
	__be32 *lan_told; /* the hosts the ANNOUNCE rounds go to unicast */
	size_t n_lan_told, cap_lan_told;
	struct lw_nh_watch *nh; /* the next-hop cache's keeper */
	char nh_pin[320];
	/* what one packet, request or event is worked on in: too big for the
	 * stack */
	uint8_t rx[B4_RX_MAX];
	struct pcp_request map_req, lan_req;
	struct b4_slow_out slow_out;
	struct b4_slow_frags frags;
};

uint64_t b4_now_ms(void);
double b4_rand01(void);
const char *b4_set_str(const struct b4_grant *g, char *buf, size_t len);
/* The data plane's drop-pool-exhausted packets; false when unreadable. */
bool b4_exhausted_drops(const struct b4d *d, uint64_t *n);

/* b4_client.c */
void b4_slot_new(struct b4d *d, unsigned i);
void b4_start_request(struct b4d *d, unsigned i, uint64_t delay_ms, const char *why);
void b4_release(struct b4d *d, unsigned i, const char *why);
int b4_install(struct b4d *d, unsigned i);
/* Whether the lwB4 pool holds g's set (address, first port, size). */
bool b4_pool_has(struct b4d *d, const struct b4_grant *g);
void b4_uninstall(struct b4d *d, unsigned i, const char *why);
/* ICMPv6 1/5 for slot i's installed set: asked again at once; the set stays
 * in the pool with its mappings unless the answer is another set, an error,
 * or none after B4_REBIND_TRIES requests. */
void b4_rebind(struct b4d *d, unsigned i);
void b4_client_readable(struct b4d *d);
void b4_client_tick(struct b4d *d);
uint64_t b4_client_deadline(const struct b4d *d, uint64_t t);
void b4_lost(struct b4d *d, const char *why);

/* b4_nexthop.c: the next-hop cache to the lwAFTR, kept from rtnetlink;
 * stopping leaves it to the FIB */
void b4_nh_start(struct b4d *d);
int b4_nh_fd(const struct b4d *d);
void b4_nh_readable(void *ctx);
void b4_nh_tick(struct b4d *d);
void b4_nh_stop(struct b4d *d);

/* b4_lan.c: a no-op without lan-address */
int b4_lan_start(struct b4d *d, char *err, size_t errlen);
void b4_lan_stop(struct b4d *d);
void b4_lan_readable(struct b4d *d);
void b4_lan_tick(struct b4d *d);
/* A set joined the pool: tell the LAN (ANNOUNCE). */
void b4_lan_pool_grew(struct b4d *d);
/* A set left the pool with its mappings: forget the LAN mappings in it; if
 * there were any, restart the epoch (state lost) and ANNOUNCE. */
void b4_lan_set_gone(struct b4d *d, const struct b4_grant *g);
uint64_t b4_lan_deadline(const struct b4d *d, uint64_t t);
/* After start: stored LAN mappings whose set is not held are lost. */
void b4_lan_restored(struct b4d *d);

#endif
