/* SPDX-License-Identifier: GPL-2.0 */
/* Rare events for the slow path (pcpd) through a ring buffer, behind a token
 * bucket: never one per ordinary packet. Both programs' records
 * (struct lw_event, struct lw_b4_event) start with the same head
 * (LW_EVENT_HEAD, include/lw4o6/events.h), then the lwB4's carries a port
 * set, then the captured packet; the caller fills what is its own between
 * lw_event_reserve and lw_event_submit. */
#ifndef LW4O6_BPF_EMIT_H
#define LW4O6_BPF_EMIT_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "lw4o6/events.h" /* struct lw_event_head */
#include "ctx.h"
#include "parse.h" /* LW_L3_OFF_MASK */
#include "ratelimit.h"

/* One program's event plumbing: its maps, rate and counter slots. Built as a
 * constant in the caller; inlining folds it away. */
struct lw_event_queue {
	void *ratelim; /* array of struct lw_token_bucket, one per lw_event_bucket */
	void *ringbuf;
	void *stats;  /* per-CPU struct lw_counter array */
	__u32 bucket; /* enum lw_event_bucket */
	__u32 rate, burst;
	__u32 st_suppressed, st_full, st_sent;
};

/* A record of size bytes, or NULL (rate-limited or ring full: counted). */
static __always_inline void *lw_event_reserve(const struct lw_event_queue *q, __u64 size)
{
	void *ev;

	if (!lw_token_take(q->ratelim, q->bucket, q->rate, q->burst)) {
		lw_counter_add(q->stats, q->st_suppressed, 0);
		return 0;
	}
	ev = bpf_ringbuf_reserve(q->ringbuf, size, 0);
	if (!ev)
		lw_counter_add(q->stats, q->st_full, 0);
	return ev;
}

/* Fills the head and captures up to max bytes of the packet from l3off into
 * pkt (max: the record's capture size, a constant). */
static __always_inline void lw_event_fill(struct xdp_md *ctx, struct lw_event_head *h, __u8 *pkt,
					  __u32 max, __u16 type, __u16 dir, __u32 l3off,
					  __u16 l3_proto, __u32 mtu)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 len, cap;

	len = (__u32)(data_end - data);
	len = len > l3off ? len - l3off : 0;
	cap = len < max ? len : max;
	h->type = type;
	h->dir = dir;
	h->ifindex = lw_ingress_ifindex(ctx);
	h->mtu = mtu;
	h->pkt_len = len;
	h->l3_proto = l3_proto;
	h->reserved = 0;
	h->cap_len = 0;
	if (cap > 0) {
		/* The verifier needs a length it can prove is 1..max: keep the
		 * compiler from folding the two bounds into one. */
		__u32 n = cap - 1;

		asm volatile("" : "+r"(n));
		if (n < max && bpf_xdp_load_bytes(ctx, l3off & LW_L3_OFF_MASK, pkt, n + 1) == 0)
			h->cap_len = n + 1;
	}
}

static __always_inline void lw_event_submit(const struct lw_event_queue *q, void *ev)
{
	bpf_ringbuf_submit(ev, 0);
	lw_counter_add(q->stats, q->st_sent, 0);
}

#endif
