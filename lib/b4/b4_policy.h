/* SPDX-License-Identifier: GPL-2.0 */
/* The decisions of pcpd --role b4, as pure functions (b4_policy.c) so that
 * unit tests can drive them without sockets or maps:
 *
 *   b4_map_request   the MAP the lwB4 sends for a slot (PCPC-5, PCPC-8)
 *   b4_grant_check   is a MAP response to the lwB4's request a usable port
 *                    set? (PCPC-7 and the miniupnpd echo, pcp.md §3.1)
 *   b4_pool_grow     should the lwB4 ask for another set? (issue 5 "a
 *                    sufficient pool", B4-NAT-17)
 *   b4_pool_release  which extra set, if any, goes back (lifetime 0)?
 *   b4_lan_pick_port which external port a LAN host's MAP gets (PCPC-12) */
#ifndef LW4O6_B4_POLICY_H
#define LW4O6_B4_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "pcp_msg.h"

/* The PORT_SET the lwB4 sends (PCPC-5): every port, First Internal Port = the
 * MAP's Internal Port, no parity. */
#define B4_REQUEST_SET_SIZE 65535

/* The MAP + PORT_SET for slot (one mapping of the lwB4, PCPC-5): client
 * ::ffff:192.0.0.2, Internal Port slot + 1, PORT_SET {65535, slot + 1, P 0}
 * with nonce, protocol and lifetime (0 gives the set back, PCPC-8), and as
 * the suggestion the set held or last held (held_ipv4 0: none, which is
 * ::ffff:0.0.0.0 port 0, RFC 6887 §11.1). */
void b4_map_request(struct pcp_request *req, unsigned slot, uint8_t protocol, uint32_t lifetime,
		    const uint8_t nonce[PCP_NONCE_LEN], __be32 held_ipv4, uint16_t held_first);

/* RFC 6887 §8.1.1 (PCPC-3): the maximum retransmission timeout. */
#define B4_MRT_MS 1024000ull

/* The next retransmission timeout after rt_ms (0: the first), before the
 * ±10 % RAND: IRT first, then doubling up to MRT. An error answer does not
 * start the schedule over: the wait before the next request after one is
 * the longer of the error's lifetime (PCPC-10) and this, so a server that
 * keeps refusing is asked less and less often (RFC 6887 §8.1.1). */
uint64_t b4_next_rt_ms(uint64_t rt_ms, uint64_t irt_ms);

/* The protocol of slot's MAP. Slot 0 asks in the RFC 7753 §5.2 form,
 * protocol 0 with Internal Port 1 (PCPS-19, which pcpd --role aftr
 * accepts as a documented exception); the other slots, and slot 0 once a
 * server answered that form MALFORMED_REQUEST (RFC 6887 §11.3 read
 * strictly, as miniupnpd does: proto0_refused), ask per protocol, UDP: a
 * lw4o6 port set has no protocol (RFC 7596 §3), so the lwAFTR grants it
 * for every protocol all the same (design.md decision 2, standards.md §4.4
 * item 4 (b)). */
uint8_t b4_slot_protocol(unsigned slot, bool proto0_refused);

/* A set the lwB4 may use: address, first port, size (power of two, aligned). */
struct b4_set {
	__be32 ipv4;
	uint32_t first, size;
};

/* 0 and the set in *out when r (a SUCCESS MAP response to a request with
 * Internal Port internal_port and PORT_SET {65535, internal_port, P 0})
 * grants a usable set; otherwise -1 and why:
 *   - no PORT_SET: the server mapped one port (RFC 7753 §4.3, PCPC-7);
 *   - PORT_SET byte-identical to the request's: echoed by a server that does
 *     not implement it (miniupnpd), not a grant;
 *   - size 1, an external address that is not IPv4, lifetime 0, or a set
 *     that is not an aligned power-of-two block inside 0..65535. */
int b4_grant_check(const struct pcp_response *r, uint16_t internal_port, struct b4_set *out,
		   const char **why);

/* The pool as the policy sees it. */
struct b4_pool_view {
	unsigned sets;          /* sets held or being requested */
	unsigned max_sets;      /* configured ceiling */
	uint64_t mapped, ports; /* mappings and ports over the held sets */
	bool request_pending;   /* an extra set is being asked for */
	bool backing_off;       /* the last extra request was refused and its
				  * error lifetime has not passed (PCPC-10) */
};

/* Whether to ask for one more set: usage at or over grow_pct of the ports,
 * or exhausted (the data plane said so), while fewer than max_sets are held
 * and nothing is pending or backing off. */
bool b4_pool_grow(const struct b4_pool_view *v, unsigned grow_pct, bool exhausted);

/* One held set, for the release decision. */
struct b4_set_use {
	bool releasable;        /* an extra set (not the first), granted */
	uint32_t ports;         /* its size */
	uint32_t mappings;      /* mappings in it now (explicit ones included) */
	uint64_t idle_since_ms; /* since when mappings == 0; 0 = in use */
};

/* The index of a set to give back, or -1. A set goes back when it is
 * releasable, has had no mapping for idle_ms, and the usage of the sets
 * that remain stays below release_pct of their ports: release_pct below the
 * grow threshold is the hysteresis that keeps the pool from flapping. The
 * most recently granted such set (highest index) goes first. */
int b4_pool_release(const struct b4_set_use *sets, size_t n, uint64_t mapped, uint64_t now_ms,
		    uint64_t idle_ms, unsigned release_pct);

/* Whether an external port is free: a callback so that tests need no maps. */
typedef bool (*b4_port_free_fn)(void *ctx, __be32 ipv4, uint16_t port);

/* The external endpoint for a LAN MAP (RFC 6887 §11.3): the suggested one
 * when it lies in a held set and is free; otherwise (unless prefer_failure,
 * §13.2: then -EADDRNOTAVAIL) the internal port when it lies in a set and
 * is free, then a free port from a random start. -ENOSPC when no port is
 * free, -ENOENT when no set is held. rnd picks the random start. */
int b4_lan_pick_port(const struct b4_set *sets, size_t n, __be32 want_addr, uint16_t want_port,
		     uint16_t internal_port, bool prefer_failure, uint32_t rnd,
		     b4_port_free_fn is_free, void *ctx, __be32 *addr, uint16_t *port);

/* PCPC-8 (RFC 6887 §11.2.1): after an unanswered renewal, the next try
 * halfway to the expiry (renewing at 1/2 of the lifetime gives 3/4, 7/8,
 * ...), never sooner than 4 s; left_ms is the grant's remaining life. */
uint64_t b4_renewal_retry_ms(int64_t left_ms);

/* RFC 6887 §8.5 at the client: whether an Epoch of curr at now (seconds,
 * monotonic) is inconsistent with prev received at prev_time. */
bool b4_epoch_lost(uint32_t prev, uint64_t prev_time, uint32_t curr, uint64_t now);

#endif
