/* SPDX-License-Identifier: GPL-2.0 */
/* pcpd --role aftr: the lwAFTR's PCP server. Shared state of its parts. */
#ifndef LW4O6_PCPD_H
#define LW4O6_PCPD_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <bpf/libbpf.h>

#include "daemon.h"
#include "pcpd_config.h"
#include "aftr_maps.h"
#include "alloc.h"
#include "store.h"
#include "slowpath.h"
#include "slowpath_frag.h"
#include "slowpath_ratelimit.h"
#include "pcp_msg.h"
#include "nh_watch.h"

struct orphan_set; /* bindings left in the maps after a state loss */

#define PCPD_COUNTED_RESULTS 14 /* RFC 6887 §7.4: results 0..13 */

struct pcpd_counters {
	uint64_t requests, responses, dropped, errors_by_result[PCPD_COUNTED_RESULTS];
	uint64_t off_access; /* in-tunnel PCP that came in elsewhere than the access side */
	uint64_t grants_created, grants_renewed, grants_deleted, grants_expired;
	uint64_t icmp_sent, icmp_ratelimited, events, events_unhandled;
	uint64_t frag_events, frag_sent, frag_dropped, reasm_expired;
	uint64_t announces;
	/* ICMPv6 1/5 not sent: the packet's B4 had its binding by the time
	 * pcpd read the event (it raced an update) */
	uint64_t icmpv6_suppressed;
	uint64_t refused_config; /* grants refused: a configuration binding holds the set */
};

struct pcpd {
	struct pcpd_config cfg;
	struct lw_aftr_maps maps;
	struct store *store;
	struct alloc *alloc;
	int ipip_fd; /* raw AF_INET6, protocol 4: PCP inside the softwire */
	int raw6_fd; /* raw AF_INET6, IPPROTO_RAW: slow-path IPv6 packets */
	int raw4_fd; /* raw AF_INET, IPPROTO_RAW: slow-path IPv4 packets */
	int tp_fd;   /* UDP, THIRD_PARTY requests from provisioning; -1 */
	struct ring_buffer *rb;
	int64_t epoch_base; /* wall-clock second of epoch 0 */
	bool state_lost;
	struct lw_slowpath_cfg sp;
	struct lw_slowpath_ratelimit rl;
	struct lw_frag_cfg fc;   /* fragments: settings from the data plane's config map */
	unsigned access_ifindex; /* where in-tunnel PCP must come in: the data plane's
				     * access side (pcpd_access_ifindex); 0 = unknown */
	struct lw_reasm *reasm;  /* and the reassembly state */
	uint64_t next_frag_tick_ms;
	struct orphan_set *orphans;
	uint64_t orphan_deadline; /* wall clock; 0 = none */
	unsigned announce_round;  /* ANNOUNCE repetitions sent */
	uint64_t next_announce_ms;
	uint64_t next_dataplane_check_ms;
	unsigned announce_ifindex;
	struct lw_nh_watch *nh; /* the next-hop cache's keeper (nexthop.c) */
	/* the data plane pcpd serves (dp_watch.c): its meta map's and program's
	 * ids as last seen, and whether it is gone (unloaded, another ABI) */
	__u32 dp_meta_id, dp_prog_id;
	bool dp_gone;
	uint64_t next_dp_watch_ms;
	uint64_t dp_new_since_ms; /* new maps seen, not yet taken: since when */
	char nh_pin[320];
	struct pcpd_counters ctr;
	/* what one request or event is worked on in: too big for the stack */
	struct pcp_request req;
	struct lw_slowpath_out sp_out;
	struct lw_frag_out frag_out;
};

/* aftr.c: the role's entry points for main.c. Runs until SIGTERM/SIGINT:
 * 0, or 1 on a start-up error; log_delta is the -v/-q count added to the
 * configured log level. */
int pcpd_aftr_main(const char *config, int log_delta);
/* pcpd --role aftr --list-grants [--json]: the stored grants. */
int pcpd_aftr_list(const char *config, bool json);

/* net.c */
int pcpd_net_open(struct pcpd *d, char *err, size_t errlen);
void pcpd_net_close(struct pcpd *d);
/* A PCP message to a B4 inside its softwire: IPv4/UDP 192.0.0.1:5351 ->
 * dst4:dport, in IPv6 from br to b4 (ifindex for link-local multicast). */
int pcpd_send_in_tunnel(struct pcpd *d, const struct in6_addr *b4, const struct in6_addr *br,
			unsigned ifindex, __be32 dst4, uint16_t dport, const void *msg, size_t len);
int pcpd_send_raw(struct pcpd *d, const struct lw_slowpath_pkt *p);
/* The interface frames of the access side come up on: the data plane's
 * access interface ifindex, or with ipv6-vlan vid the VLAN device of that
 * VID on it; 0 when there is none. */
unsigned pcpd_access_ifindex(unsigned ifindex, unsigned vid);
int pcpd_send_ip(struct pcpd *d, unsigned dest, const uint8_t *data, size_t len);
void pcpd_handle_tunnel_readable(struct pcpd *d);
void pcpd_handle_third_party_readable(struct pcpd *d);

/* nexthop.c: the lwAFTR's next-hop cache, kept from rtnetlink; stopping
 * leaves it to the FIB. */
int pcpd_nh_start(struct pcpd *d, char *err, size_t errlen);
int pcpd_nh_fd(const struct pcpd *d);
void pcpd_nh_readable(void *ctx);
void pcpd_nh_tick(struct pcpd *d);
void pcpd_nh_stop(struct pcpd *d);

/* server.c */
uint32_t pcpd_epoch(const struct pcpd *d);
int pcpd_server_start(struct pcpd *d, char *err, size_t errlen);
/* One request: answer written to resp (length returned), 0 = no answer. */
int pcpd_serve(struct pcpd *d, const uint8_t *msg, size_t len, const struct in6_addr *pcp_src,
	       const struct in6_addr *b4, const struct in6_addr *br, bool third_party_channel,
	       bool third_party_allowed, uint8_t *resp, size_t cap);
void pcpd_expire(struct pcpd *d);
uint64_t pcpd_next_deadline(const struct pcpd *d);
void pcpd_announce_tick(struct pcpd *d);
/* Puts pools, BR addresses and bindings back after the lwAFTR was loaded
 * again over the same maps and cleared them (checked every 500 ms). */
void pcpd_dataplane_tick(struct pcpd *d);
/* The pools, BR addresses and bindings of every grant into the maps (those
 * already right untouched): the number of grants. */
size_t pcpd_server_put_back(struct pcpd *d);
void pcpd_frag_tick(struct pcpd *d);
void pcpd_orphans_tick(struct pcpd *d);
void pcpd_server_stop(struct pcpd *d);
int pcpd_handle_event(void *ctx, void *data, size_t size);

/* dp_watch.c: pcpd follows its data plane. Every PCPD_DP_WATCH_MS the pins
 * under the pin root are looked at: gone (unload) or of another ABI, pcpd
 * answers MAP with NETWORK_FAILURE until an lwAFTR is back; new maps (a
 * load after an unload), pcpd reopens them and puts its pools, BR addresses
 * and bindings back; a new program on the same maps is only logged. */
#define PCPD_DP_WATCH_MS 250
void pcpd_dp_watch_init(struct pcpd *d);
void pcpd_dp_watch_tick(struct pcpd *d);

#endif
