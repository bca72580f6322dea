/* SPDX-License-Identifier: GPL-2.0 */
/* Every map of the lwB4 program, one commented line each, pinned by name
 * (include/lw4o6/b4.h) under LW4O6_PIN_ROOT. */
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

/* NAPT, outbound: internal endpoint → mapping (EIM). Preallocated, so that
 * inserts never allocate in the packet path. */
LW_PINNED_MAP(BPF_MAP_TYPE_HASH, LW_MAP_B4_OUT, LW_B4_MAX_SESSIONS, struct lw_b4_out_key,
	      struct lw_b4_session);

/* NAPT, inbound: external endpoint → internal endpoint. Created with
 * BPF_NOEXIST before the outbound entry: the arbiter of external ports. */
LW_PINNED_MAP(BPF_MAP_TYPE_HASH, LW_MAP_B4_IN, LW_B4_MAX_SESSIONS, struct lw_b4_in_key,
	      struct lw_b4_in_val);

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

#endif
