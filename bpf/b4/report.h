/* SPDX-License-Identifier: GPL-2.0 */
/* What the lwB4 data plane reports: a counter slot per outcome
 * (lw_b4_stats) and, for pcpd --role b4, events behind the token buckets
 * (lw_b4_events, include/lw4o6/b4.h). */
#ifndef LW4O6_BPF_B4_REPORT_H
#define LW4O6_BPF_B4_REPORT_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "lw4o6/b4.h"
#include "maps.h"
#include "ctx.h"
#include "emit.h"

static __always_inline void lw_b4_count(__u32 stat, __u64 bytes)
{
	lw_counter_add(&LW_MAP_B4_STATS, stat, bytes);
}

/* A refused packet: counted, dropped. */
static __always_inline int lw_b4_drop(__u32 stat, __u64 bytes)
{
	lw_b4_count(stat, bytes);
	return XDP_DROP;
}

static __always_inline int lw_b4_pass(__u32 stat, __u64 bytes)
{
	lw_b4_count(stat, bytes);
	return XDP_PASS;
}

/* An event: what lw_event_fill needs, and the port set it names (struct
 * lw_b4_event's ps_*). */
struct lw_b4_evinfo {
	__u16 type, dir, l3_proto;
	__u32 l3off, mtu;
	__be32 ps_ipv4;
	__u32 ps_first, ps_size;
};

/* The packets pcpd is to forward (fragmentation) take the bulk bucket, the
 * rest the signal one (enum lw_event_bucket). */
static __always_inline void lw_b4_emit(struct xdp_md *ctx, const struct lw_b4_config *cfg,
				       const struct lw_b4_evinfo *ei)
{
	const struct lw_event_queue q = {
		.ratelim = &LW_MAP_B4_RATELIM,
		.ringbuf = &LW_MAP_B4_EVENTS,
		.stats = &LW_MAP_B4_STATS,
		.bucket = ei->type == LW_B4_EV_FRAG_NEEDED ? LW_BUCKET_BULK : LW_BUCKET_SIGNAL,
		.rate = cfg->event_rate,
		.burst = cfg->event_burst,
		.st_suppressed = LW_B4_STAT_EVENT_SUPPRESSED,
		.st_full = LW_B4_STAT_EVENT_RINGBUF_FULL,
		.st_sent = LW_B4_STAT_EVENT_SENT,
	};
	struct lw_b4_event *ev = lw_event_reserve(&q, sizeof(*ev));

	if (!ev)
		return;
	lw_event_fill(ctx, &ev->head, ev->pkt, LW_B4_EVENT_MAX_CAPTURE, ei->type, ei->dir,
		      ei->l3off, ei->l3_proto, ei->mtu);
	ev->ps_ipv4 = ei->ps_ipv4;
	ev->ps_first = ei->ps_first;
	ev->ps_size = ei->ps_size;
	lw_event_submit(&q, ev);
}

static __always_inline void lw_b4_emit_simple(struct xdp_md *ctx, const struct lw_b4_config *cfg,
					      __u16 type, __u16 dir, __u32 l3off, __u16 l3_proto,
					      __u32 mtu)
{
	struct lw_b4_evinfo ei = {
		.type = type, .dir = dir, .l3_proto = l3_proto, .l3off = l3off, .mtu = mtu
	};

	lw_b4_emit(ctx, cfg, &ei);
}

/* A refused packet pcpd may have to answer for (LW_B4_CFG_EVENTS): counted,
 * an event of type, dropped. */
static __always_inline int lw_b4_drop_tell(struct xdp_md *ctx, const struct lw_b4_config *cfg,
					   __u32 stat, __u64 bytes, __u16 type, __u16 dir,
					   __u32 l3off, __u16 l3_proto, __u32 mtu)
{
	lw_b4_count(stat, bytes);
	if (cfg->flags & LW_B4_CFG_EVENTS)
		lw_b4_emit_simple(ctx, cfg, type, dir, l3off, l3_proto, mtu);
	return XDP_DROP;
}

#endif
