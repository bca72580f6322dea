/* SPDX-License-Identifier: GPL-2.0 */
/* The time stamps of the lwB4's mappings (CLOCK_MONOTONIC, the clock of
 * bpf_ktime_get_ns). Reading that clock costs ~40 ns per call in a VM,
 * as much as the rest of a packet's path; the mappings' timers count in
 * seconds. So each CPU reads it once per jiffy (bpf_jiffies64 is a load)
 * and stamps every packet of that jiffy with it: a stamp is at most one
 * tick early, never late. */
#ifndef LW4O6_BPF_B4_CLOCK_H
#define LW4O6_BPF_B4_CLOCK_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "maps.h"

static __always_inline __u64 lw_b4_now(void)
{
	__u32 key = 0;
	struct lw_b4_clock *c = bpf_map_lookup_elem(&lw_b4_clock, &key);
	__u64 j = bpf_jiffies64();

	if (!c)
		return bpf_ktime_get_ns();
	if (c->jiffies != j || !c->ns) {
		c->ns = bpf_ktime_get_ns();
		c->jiffies = j;
	}
	return c->ns;
}

#endif
