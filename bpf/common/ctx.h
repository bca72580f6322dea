/* SPDX-License-Identifier: GPL-2.0 */
/* Access to the XDP context and the per-CPU counters, shared by both
 * programs: each passes its own counter map. */
#ifndef LW4O6_BPF_CTX_H
#define LW4O6_BPF_CTX_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "lw4o6/stats.h" /* struct lw_counter */

/* The verifier only accepts ctx fields read at a constant offset from ctx
 * itself; the barrier keeps clang from keeping &ctx->ingress_ifindex in a
 * spilled register instead. */
static __always_inline __u32 lw_ingress_ifindex(struct xdp_md *ctx)
{
	asm volatile("" : "+r"(ctx));
	return ctx->ingress_ifindex;
}

/* One packet (and its bytes) more on counter stat of a per-CPU array of
 * struct lw_counter. Per-CPU: no atomics in the fast path; readers sum. */
static __always_inline void lw_counter_add(void *stats_map, __u32 stat, __u64 bytes)
{
	struct lw_counter *c = bpf_map_lookup_elem(stats_map, &stat);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

#endif
