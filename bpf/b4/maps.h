/* SPDX-License-Identifier: GPL-2.0 */
/* Every map of the lwB4 program, one commented line each, pinned by name
 * (include/lw4o6/b4.h) under LW4O6_PIN_ROOT; the clock cache alone is not. */
#ifndef LW4O6_BPF_B4_MAPS_H
#define LW4O6_BPF_B4_MAPS_H

#include "lw4o6/abi.h"
#include "lw4o6/aftr.h"  /* struct lw_token_bucket */
#include "lw4o6/stats.h" /* struct lw_counter */
#include "lw4o6/b4.h"
#include "lw4o6/nexthop.h"
#include "pinned.h"

/* ABI guard, as the lwAFTR's lw_meta (role LW_ROLE_B4). */
LW_PINNED_ARRAY(LW_MAP_B4_META, 1, struct lw_meta);

/* Run-time configuration (tunnel, LAN, MTU, filtering, timers). */
LW_PINNED_ARRAY(LW_MAP_B4_CFG, 1, struct lw_b4_config);

/* Granted port sets: a small array so that the data plane can walk it. */
LW_PINNED_ARRAY(LW_MAP_B4_POOL, LW_B4_POOL_MAX, struct lw_b4_portset);

/* NAPT sessions by (protocol, pool position): an inbound packet's one
 * lookup. Mappable, so that user space claims and frees slots with the
 * atomics the data plane uses (and, page-aligned, each slot is one cache
 * line). */
LW_PINNED_MAP_FLAGS(BPF_MAP_TYPE_ARRAY, LW_MAP_B4_SESS, LW_B4_SESS_SLOTS, __u32, struct lw_b4_sess,
		    BPF_F_MMAPABLE);

/* Beside each session, what only user space reads (creation, PCP end). */
LW_PINNED_MAP_FLAGS(BPF_MAP_TYPE_ARRAY, LW_MAP_B4_LIFE, LW_B4_SESS_SLOTS, __u32, struct lw_b4_life,
		    BPF_F_MMAPABLE);

/* NAPT, outbound: internal endpoint → session position (EIM), inserted
 * with BPF_NOEXIST: the arbiter between two creators of one mapping.
 * Preallocated, so that inserts never allocate in the packet path. */
LW_PINNED_MAP(BPF_MAP_TYPE_HASH, LW_MAP_B4_OUT, LW_B4_MAX_SESSIONS, struct lw_b4_out_key,
	      struct lw_b4_out_val);

/* One counter slot per outcome and drop reason. */
LW_PINNED_MAP(BPF_MAP_TYPE_PERCPU_ARRAY, LW_MAP_B4_STATS, LW_B4_STAT_MAX, __u32, struct lw_counter);

/* Rare events for pcpd --role b4. */
LW_PINNED_RINGBUF(LW_MAP_B4_EVENTS, LW_B4_EVENTS_RINGBUF_BYTES);

/* The token buckets in front of the ring buffer, one per enum lw_event_bucket. */
LW_PINNED_ARRAY(LW_MAP_B4_RATELIM, LW_EVENT_BUCKETS, struct lw_token_bucket);

/* Ports mapped, for the pool_warn_pct event: one writer per slot
 * (enum lw_b4_usage_slot). */
LW_PINNED_ARRAY(LW_MAP_B4_USAGE, LW_B4_USAGE_SLOTS, struct lw_b4_usage);

/* The next-hop cache (include/lw4o6/nexthop.h): only the IPv6 entry is
 * used, the way to the lwAFTR, kept by pcpd --role b4. */
LW_PINNED_MAP_FLAGS(BPF_MAP_TYPE_ARRAY, LW_MAP_B4_NEXTHOP, LW_NH_FAMILIES, __u32,
		    struct lw_nh_cache, BPF_F_MMAPABLE);

/* The key of the hash that gives each internal endpoint its home in the
 * pool (napt.h), drawn by the first packet that needs it. The program's
 * own, not pinned: after a new load, established mappings are found
 * through lw_b4_out until they end. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lw_b4_seed SEC(".maps");

/* The outbound hints (napt.h): the keyed hash of an internal endpoint
 * names one bucket of LW_B4_HINT_WAYS words, each a 16-bit tag of the hash
 * and the 16-bit position of a session in its protocol's part of
 * lw_b4_sess (0 = empty). A packet of a mapping away from its home reads
 * its bucket (256 KiB for all, four buckets a cache line) and then its
 * session's line. Only ever a hint: the session slot confirms it (live,
 * the same internal endpoint), so a stale or lost word costs the slow
 * lookup, never a wrong mapping; user space neither reads nor clears it.
 * The program's own, not pinned: a new load starts empty and fills it
 * from lw_b4_out. Mappable, so that no bucket straddles two lines. */
#define LW_B4_HINT_BUCKETS 16384
#define LW_B4_HINT_WAYS    4
struct lw_b4_hint_bucket {
	__u32 w[LW_B4_HINT_WAYS];
};
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LW_B4_HINT_BUCKETS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct lw_b4_hint_bucket);
} lw_b4_hint SEC(".maps");

/* Each CPU's last reading of the clock and the jiffy it was taken in
 * (clock.h). A cache of the program's own, shared with nobody: not pinned,
 * a new one with each load. */
struct lw_b4_clock {
	__u64 jiffies;
	__u64 ns;
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lw_b4_clock);
} lw_b4_clock SEC(".maps");

#endif
