/* SPDX-License-Identifier: GPL-2.0 */
/* User-space access to the lwB4 maps (include/lw4o6/b4.h): configuration,
 * the port-set pool, NAPT sessions, counters, and the two operations the
 * data plane leaves to user space: expiring mappings by their timers and
 * flushing the mappings of one port set (B4-PROV-6). */
#ifndef LW4O6_B4_MAPS_H
#define LW4O6_B4_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <bpf/libbpf.h>
#include "lw4o6/b4.h"
#include "lw4o6/stats.h"

struct lw_b4_maps {
	int meta, cfg, pool, out, in, stats, events, ratelim, usage;
};

/* File descriptors of a loaded object's maps (the object keeps them). */
int lw_b4_maps_from_obj(struct bpf_object *obj, struct lw_b4_maps *m, char *err, size_t errlen);

/* A configuration with the defaults filled in (timers, flags, MTU 1500,
 * hop limit 64, 1000 events/s, burst 100); addresses and ifindexes zero. */
void lw_b4_config_init(struct lw_b4_config *cfg);
int lw_b4_config_read(const struct lw_b4_maps *m, struct lw_b4_config *cfg);
int lw_b4_config_write(const struct lw_b4_maps *m, const struct lw_b4_config *cfg);

/* A valid port set: size a power of two in 1..65536, first a multiple of
 * size, first + size <= 65536. */
bool lw_b4_portset_valid(const struct lw_b4_portset *ps);
/* Adds a set to a free slot: -EINVAL (invalid), -EEXIST (overlaps a set of
 * the same address), -ENOSPC (LW_B4_POOL_MAX sets held). */
int lw_b4_pool_add(const struct lw_b4_maps *m, const struct lw_b4_portset *ps);
/* Removes the set and flushes its mappings (B4-PROV-6); -ENOENT if absent.
 * *flushed (may be NULL) receives the number of mappings removed. */
int lw_b4_pool_del(const struct lw_b4_maps *m, const struct lw_b4_portset *ps, size_t *flushed);
/* Copies the held sets into out (at most max); *n receives their number. */
int lw_b4_pool_list(const struct lw_b4_maps *m, struct lw_b4_portset *out, size_t max, size_t *n);
int lw_b4_pool_clear(const struct lw_b4_maps *m);

struct lw_b4_session_row {
	struct lw_b4_out_key key;
	struct lw_b4_session s;
};
/* Calls fn for every mapping; stops when fn returns non-zero (returned). */
int lw_b4_session_foreach(const struct lw_b4_maps *m,
			  int (*fn)(const struct lw_b4_session_row *row, void *arg), void *arg);

/* The connection state of a TCP mapping from its state bits (B4-NAT-7/8;
 * RFC 5382 REQ-5, RFC 7857 §2, RFC 6146 §3.5.2 simplified):
 *   OPENING      a SYN one way only (transitory)
 *   ESTABLISHED  SYN both ways (simultaneous open included), no RST, and no
 *                FIN both ways (a half-close is still established)
 *   CLOSING      FIN both ways (transitory)
 *   RESET        an RST seen (transitory: RFC 7857 §2.2 keeps the state
 *                4 min rather than deleting it)
 * Only ESTABLISHED gets tcp_est_timeout; the others tcp_trans_timeout. */
enum lw_b4_tcp_class {
	LW_B4_TCP_OPENING     = 0,
	LW_B4_TCP_ESTABLISHED = 1,
	LW_B4_TCP_CLOSING     = 2,
	LW_B4_TCP_RESET       = 3,
};
enum lw_b4_tcp_class lw_b4_tcp_classify(uint8_t tcp_state);
/* The idle timeout of a mapping in nanoseconds under cfg: UDP, ICMP, and
 * for TCP established or transitory (lw_b4_tcp_classify). */
uint64_t lw_b4_session_timeout_ns(const struct lw_b4_config *cfg, uint8_t proto, uint8_t tcp_state);
/* Whether the mapping is idle past its timeout at now_ns (CLOCK_MONOTONIC,
 * the clock of bpf_ktime_get_ns). TCP counts inbound packets too. */
bool lw_b4_session_expired(const struct lw_b4_config *cfg, uint8_t proto,
			   const struct lw_b4_session *s, uint64_t now_ns);
/* Deletes every expired mapping, both directions together; *expired (may be
 * NULL) receives how many. now_ns 0: the current CLOCK_MONOTONIC time. */
int lw_b4_expire(const struct lw_b4_maps *m, uint64_t now_ns, size_t *expired);
/* Deletes every mapping whose external endpoint lies in ps (B4-PROV-6). */
int lw_b4_flush_portset(const struct lw_b4_maps *m, const struct lw_b4_portset *ps,
			size_t *flushed);
/* Deletes every mapping. */
int lw_b4_flush_all(const struct lw_b4_maps *m, size_t *flushed);

int lw_b4_stats_read(const struct lw_b4_maps *m, struct lw_counter out[LW_B4_STAT_MAX]);
int lw_b4_stats_reset(const struct lw_b4_maps *m);
/* Ports mapped according to the lw_b4_usage counters (created by the data
 * plane minus released here); every deletion in this file releases. */
int lw_b4_usage_read(const struct lw_b4_maps *m, uint64_t *mapped);
const char *lw_b4_stat_name(unsigned stat);

#endif
