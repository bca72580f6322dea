/* SPDX-License-Identifier: GPL-2.0 */
/* Every map of the lwAFTR program, one commented line each, pinned by name
 * (include/lw4o6/abi.h) under LW4O6_PIN_ROOT. */
#ifndef LW4O6_BPF_MAPS_H
#define LW4O6_BPF_MAPS_H

#include "lw4o6/abi.h"
#include "lw4o6/aftr.h"
#include "lw4o6/stats.h"
#include "lw4o6/events.h"
#include "lw4o6/nexthop.h"
#include "pinned.h"

/* LPM entries of lw_ipv4_pools. */
#define LW_MAX_IPV4_POOLS 4096

/* ABI guard: the loader refuses pins whose version differs. */
LW_PINNED_ARRAY(LW_MAP_META, 1, struct lw_meta);

/* Run-time configuration: a program attached by xdp-loader is complete. */
LW_PINNED_ARRAY(LW_MAP_AFTR_CFG, 1, struct lw_aftr_config);

/* The binding table (include/lw4o6/aftr.h says how its maps fit). Address
 * records: the level-1 table of every /16, the l2 tables of /16s that have
 * records, the record blocks of /24s that have records. */
LW_PINNED_ARRAY(LW_MAP_ADDR_L1, LW_L1_ENTRIES, __u32);
LW_PINNED_ARRAY(LW_MAP_ADDR_L2, LW_ADDR_BLOCKS(LW_DEFAULT_MAX_SOFTWIRES) * LW_ADDR_BLOCK, __u32);
LW_PINNED_ARRAY(LW_MAP_ADDR_RECS, LW_ADDR_BLOCKS(LW_DEFAULT_MAX_SOFTWIRES) * LW_ADDR_BLOCK,
		struct lw_addr);
/* One header per record block: a uniform block spares the packet its record. */
LW_PINNED_ARRAY(LW_MAP_ADDR_BLKS, LW_ADDR_BLOCKS(LW_DEFAULT_MAX_SOFTWIRES), struct lw_addr_block);

/* The shared zeroed chunk: what a slot of lw_sw_chunks holds until it has
 * softwires of its own and once they are gone; nobody writes it. Declared
 * before lw_sw_chunks because clang 14 emits the whole type of a nested
 * map's value only when a top-level map has named it first; user space
 * creates the chunks with that type, so that `bpftool map dump` of a chunk
 * shows softwires. */
LW_PINNED_ARRAY(LW_MAP_SW_EMPTY, 1, struct lw_sw_chunk);

/* The softwires: a chunk of 512 slots an inner map, every chunk the same
 * shape and without BPF_F_INNER_MAP, so that the verifier inlines both
 * lookups. */
struct lw_sw_chunk_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lw_sw_chunk);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, LW_SW_OUTER_ENTRIES(LW_DEFAULT_MAX_SOFTWIRES));
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct lw_sw_chunk_map);
} LW_MAP_SW_CHUNKS SEC(".maps");

/* The writers' bookkeeping (struct lw_bind_state); the program never reads it. */
LW_PINNED_ARRAY(LW_MAP_BIND_STATE, 1, struct lw_bind_state);

/* BR addresses this lwAFTR decapsulates for → their index. */
LW_PINNED_MAP(BPF_MAP_TYPE_HASH, LW_MAP_BR_ADDRS, LW_MAX_BR_ADDRS, struct in6_addr, struct lw_br);

/* Index → BR address, for encapsulation's source address. */
LW_PINNED_ARRAY(lw_br_by_index, LW_MAX_BR_ADDRS, struct in6_addr);

/* Pool prefixes: IPv4 traffic to a pool address without a binding is dropped
 * (and answered per policy) instead of handed to the kernel. */
LW_PINNED_MAP_FLAGS(BPF_MAP_TYPE_LPM_TRIE, lw_ipv4_pools, LW_MAX_IPV4_POOLS, struct lw_ipv4_prefix,
		    __u32, BPF_F_NO_PREALLOC);

/* One counter slot per outcome and drop reason; summed over CPUs by readers. */
LW_PINNED_MAP(BPF_MAP_TYPE_PERCPU_ARRAY, LW_MAP_STATS, LW_STAT_MAX, __u32, struct lw_counter);

/* Rare events for the slow path, never one per ordinary packet. */
LW_PINNED_RINGBUF(LW_MAP_EVENTS, LW_EVENTS_RINGBUF_BYTES);

/* The token buckets in front of the ring buffer, one per enum lw_event_bucket
 * (RFC 7596 §9: rate-limit errors). */
LW_PINNED_ARRAY(LW_MAP_RATELIM, LW_EVENT_BUCKETS, struct lw_token_bucket);

/* No devmap: the kernel adds BPF_F_RDONLY_PROG to a devmap's flags, so
 * libbpf 1.1 cannot reuse a pinned one ("parameter mismatch") and a second
 * load (or xdp-loader on the second interface) fails. bpf_redirect() to the
 * configured interfaces needs no map. */

/* The next-hop cache per family (enum lw_nh_family), kept by pcpd --role
 * aftr; mapped by user space, which flips slots (include/lw4o6/nexthop.h). */
LW_PINNED_MAP_FLAGS(BPF_MAP_TYPE_ARRAY, LW_MAP_AFTR_NEXTHOP, LW_NH_FAMILIES, __u32,
		    struct lw_nh_cache, BPF_F_MMAPABLE);

#endif
