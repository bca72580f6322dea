/* SPDX-License-Identifier: GPL-2.0 */
/* Every map of the lwB4 program, one commented block each, pinned by name
 * under LW4O6_PIN_ROOT (names in include/lw4o6/b4.h). */
#ifndef LW4O6_BPF_B4_MAPS_H
#define LW4O6_BPF_B4_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "lw4o6/abi.h"
#include "lw4o6/aftr.h"  /* struct lw_token_bucket */
#include "lw4o6/stats.h" /* struct lw_counter */
#include "lw4o6/b4.h"

/* ABI guard, as the lwAFTR's lw_meta (role LW_ROLE_B4). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lw_meta);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} LW_MAP_B4_META SEC(".maps");

/* Run-time configuration (tunnel, LAN, MTU, filtering, timers). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lw_b4_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} LW_MAP_B4_CFG SEC(".maps");

/* Granted port sets: a small array so that the data plane can walk it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LW_B4_POOL_MAX);
	__type(key, __u32);
	__type(value, struct lw_b4_portset);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} LW_MAP_B4_POOL SEC(".maps");

/* NAPT, outbound: internal endpoint → mapping (EIM). Preallocated, so that
 * inserts never allocate in the packet path. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LW_B4_MAX_SESSIONS);
	__type(key, struct lw_b4_out_key);
	__type(value, struct lw_b4_session);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} LW_MAP_B4_OUT SEC(".maps");

/* NAPT, inbound: external endpoint → internal endpoint. Created with
 * BPF_NOEXIST before the outbound entry: the arbiter of external ports. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LW_B4_MAX_SESSIONS);
	__type(key, struct lw_b4_in_key);
	__type(value, struct lw_b4_in_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} LW_MAP_B4_IN SEC(".maps");

/* One counter slot per outcome and drop reason. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LW_B4_STAT_MAX);
	__type(key, __u32);
	__type(value, struct lw_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} LW_MAP_B4_STATS SEC(".maps");

/* Rare events for pcpd --role b4. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, LW_B4_EVENTS_RINGBUF_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} LW_MAP_B4_EVENTS SEC(".maps");

/* Token bucket in front of the ring buffer. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LW_EVENT_BUCKETS);
	__type(key, __u32);
	__type(value, struct lw_token_bucket);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} LW_MAP_B4_RATELIM SEC(".maps");

/* Ports mapped, for the pool_warn_pct event: one writer per slot
 * (enum lw_b4_usage_slot). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LW_B4_USAGE_SLOTS);
	__type(key, __u32);
	__type(value, struct lw_b4_usage);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} LW_MAP_B4_USAGE SEC(".maps");

#endif
