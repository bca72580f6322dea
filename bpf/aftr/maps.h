/* SPDX-License-Identifier: GPL-2.0 */
/* Every map of the lwAFTR program, one commented block each. All are pinned
 * by name under LW4O6_PIN_ROOT so that lw4o6, pcpd and bpftool share them. */
#ifndef LW4O6_BPF_MAPS_H
#define LW4O6_BPF_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "lw4o6/abi.h"
#include "lw4o6/aftr.h"
#include "lw4o6/stats.h"
#include "lw4o6/events.h"

/* ABI guard: the loader refuses pins whose version differs. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lw_meta);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} LW_MAP_META SEC(".maps");

/* Run-time configuration: a program attached by xdp-loader is complete. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lw_aftr_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} LW_MAP_AFTR_CFG SEC(".maps");

/* Public IPv4 → its port-set parameters. Presence also marks the address as
 * served by this lwAFTR. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LW_DEFAULT_MAX_IPV4);
	__type(key, __be32);
	__type(value, struct lw_psid_params);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} LW_MAP_PSID SEC(".maps");

/* The binding table: {IPv4, PSID} → {B4, BR, counters}. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LW_DEFAULT_MAX_SOFTWIRES);
	__type(key, struct lw_softwire_key);
	__type(value, struct lw_softwire);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} LW_MAP_SOFTWIRES SEC(".maps");

/* BR addresses this lwAFTR decapsulates for → their index. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LW_MAX_BR_ADDRS);
	__type(key, struct in6_addr);
	__type(value, struct lw_br);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} LW_MAP_BR_ADDRS SEC(".maps");

/* Index → BR address, for encapsulation's source address. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LW_MAX_BR_ADDRS);
	__type(key, __u32);
	__type(value, struct in6_addr);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lw_br_by_index SEC(".maps");

/* Pool prefixes: IPv4 traffic to a pool address without a binding is dropped
 * (and answered per policy) instead of handed to the kernel. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 4096);
	__type(key, struct lw_ipv4_prefix);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lw_ipv4_pools SEC(".maps");

/* One counter slot per outcome and drop reason; summed over CPUs by readers. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LW_STAT_MAX);
	__type(key, __u32);
	__type(value, struct lw_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} LW_MAP_STATS SEC(".maps");

/* Rare events for the slow path, never one per ordinary packet. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, LW_EVENTS_RINGBUF_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} LW_MAP_EVENTS SEC(".maps");

/* Token bucket in front of the ring buffer (RFC 7596 §9: rate-limit errors). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LW_EVENT_BUCKETS);
	__type(key, __u32);
	__type(value, struct lw_token_bucket);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} LW_MAP_RATELIM SEC(".maps");

/* No devmap: the kernel adds BPF_F_RDONLY_PROG to a devmap's flags, so
 * libbpf 1.1 cannot reuse a pinned one ("parameter mismatch") and a second
 * load (or xdp-loader on the second interface) fails. bpf_redirect() to the
 * configured interfaces needs no map. */

#endif
