/* SPDX-License-Identifier: GPL-2.0 */
/* The shape of every map the programs declare: pinned by name under
 * LW4O6_PIN_ROOT so that lw4o6, pcpd and bpftool share them, keyed by a
 * __u32 index where the map is an array. Each program's maps.h says what its
 * maps hold and why; the lwAFTR and the lwB4 each have their own ABI guard,
 * counters, event ring and token buckets, under names of their own. */
#ifndef LW4O6_BPF_PINNED_H
#define LW4O6_BPF_PINNED_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define LW_PINNED_FIELDS_(map_type, entries, key_type, value_type) \
	__uint(type, map_type);                                    \
	__uint(max_entries, entries);                              \
	__type(key, key_type);                                     \
	__type(value, value_type);                                 \
	__uint(pinning, LIBBPF_PIN_BY_NAME)

#define LW_PINNED_MAP(map_type, name, entries, key_type, value_type)        \
	struct {                                                            \
		LW_PINNED_FIELDS_(map_type, entries, key_type, value_type); \
	} name SEC(".maps")

/* flags: BPF_F_NO_PREALLOC for the tables user space fills and the data
 * plane only reads. */
#define LW_PINNED_MAP_FLAGS(map_type, name, entries, key_type, value_type, flags) \
	struct {                                                                  \
		LW_PINNED_FIELDS_(map_type, entries, key_type, value_type);       \
		__uint(map_flags, flags);                                         \
	} name SEC(".maps")

#define LW_PINNED_ARRAY(name, entries, value_type) \
	LW_PINNED_MAP(BPF_MAP_TYPE_ARRAY, name, entries, __u32, value_type)

#define LW_PINNED_RINGBUF(name, bytes)               \
	struct {                                     \
		__uint(type, BPF_MAP_TYPE_RINGBUF);  \
		__uint(max_entries, bytes);          \
		__uint(pinning, LIBBPF_PIN_BY_NAME); \
	} name SEC(".maps")

#endif
