/* SPDX-License-Identifier: GPL-2.0 */
/* The lwB4's pool: the port sets granted to it (lw_b4_pool), one after the
 * other, the claim of a session slot for a new mapping (its home position
 * first, then a bounded random probe), and how much of the pool is mapped
 * (lw_b4_usage, the pool_warn_pct event). Held sets fill the first slots
 * (include/lw4o6/b4.h): every walk stops at the first free one. */
#ifndef LW4O6_BPF_B4_POOL_H
#define LW4O6_BPF_B4_POOL_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "lw4o6/b4.h"
#include "maps.h"
#include "report.h"

/* Bounded probe for a free external port: tries of a new mapping. */
#define LW_B4_PROBE_TRIES 64

#define LW_PORT_MAX   65535 /* ports are 1..65535 */
#define LW_PORT_SPACE 65536 /* the most ports a set, or the pool, holds */

/* The held set holding (addr, port), in lw_b4_pool; NULL when none does
 * (B4-DP-4). */
static __always_inline struct lw_b4_portset *lw_b4_pool_find(__be32 addr, __u32 port)
{
#pragma unroll
	for (__u32 i = 0; i < LW_B4_POOL_MAX; i++) {
		__u32 key = i;
		struct lw_b4_portset *ps = bpf_map_lookup_elem(&LW_MAP_B4_POOL, &key);

		if (!ps || !ps->size)
			break;
		if (ps->ipv4 == addr && port - ps->first < ps->size)
			return ps;
	}
	return 0;
}

/* Where an internal endpoint's mapping is looked for before the index, and
 * a new mapping claims first (napt.h): the position of its internal port
 * when a set holds that port (B4-NAT-11 keeps it), and its hashed index
 * among the pool's ports, set after set. */
struct lw_b4_home {
	__u32 total;  /* ports in the pool */
	__u32 hidx;   /* hashed index, < total */
	__u32 kept;   /* a set holds the internal port: */
	__u32 kpos;   /* its position (protocol's part), */
	__be32 kaddr; /* the set's address */
	__u32 hpos;   /* the position of hidx, when total */
};

/* One walk of the pool for internal port port (host order): the total and
 * the kept port's position. pi: protocol index. */
static __always_inline void lw_b4_pool_kept(int pi, __u32 port, struct lw_b4_home *home)
{
#pragma unroll
	for (__u32 i = 0; i < LW_B4_POOL_MAX; i++) {
		__u32 key = i;
		struct lw_b4_portset *ps = bpf_map_lookup_elem(&LW_MAP_B4_POOL, &key);

		if (!ps || !ps->size)
			break;
		if (!home->kept && port - ps->first < ps->size) {
			home->kept = 1;
			home->kpos = lw_b4_sess_pos(pi, ps, port);
			home->kaddr = ps->ipv4;
		}
		home->total += ps->size;
	}
}

/* The hashed index of hash h among the pool's home->total ports (a
 * multiply-shift range reduction, no division) and its position. */
static __always_inline void lw_b4_pool_hashed(int pi, __u32 h, struct lw_b4_home *home)
{
	__u32 idx = (__u32)(((__u64)h * home->total) >> 32);

	home->hidx = idx;
#pragma unroll
	for (__u32 i = 0; i < LW_B4_POOL_MAX; i++) {
		__u32 key = i;
		struct lw_b4_portset *ps = bpf_map_lookup_elem(&LW_MAP_B4_POOL, &key);

		if (!ps || !ps->size)
			break;
		if (idx < ps->size) {
			home->hpos = lw_b4_sess_pos(pi, ps, ps->first + idx);
			break;
		}
		idx -= ps->size;
	}
}

/* A claim in progress: the internal endpoint, the protocol's part of
 * lw_b4_sess, the pool's size; what was claimed. */
struct lw_b4_probe {
	__be32 int_addr;
	__be16 int_port;
	__u8 pi; /* lw_b4_proto_index */
	__u8 found;
	__u32 start, total;
	__u32 pos;       /* result: the slot claimed, */
	__be32 ext_addr; /* its external endpoint */
	__be16 ext_port;
	__u16 reserved;
};

/* The owner word of a session slot (struct lw_b4_sess), built apart. */
union lw_b4_owner {
	struct {
		__be32 int_addr;
		__be16 int_port;
		__u8 live;
		__u8 pcp_kind;
	};
	__u64 word;
};

/* Claims the session slot at pos, external endpoint addr:port (host order),
 * for p's internal endpoint: one compare-and-swap of its owner word from 0
 * (B4-NAT-3: a port is somebody's or free, never two mappings'). */
static __always_inline int lw_b4_claim(struct lw_b4_probe *p, __u32 pos, __be32 addr, __u32 port)
{
	union lw_b4_owner o = { .int_addr = p->int_addr, .int_port = p->int_port };
	struct lw_b4_sess *s;

	if (port == 0 || port > LW_PORT_MAX)
		return 0;
	s = bpf_map_lookup_elem(&LW_MAP_B4_SESS, &pos);
	/* a taken slot is seen without a locked operation */
	if (!s || s->owner)
		return 0;
	if (__sync_val_compare_and_swap(&s->owner, 0, o.word))
		return 0;
	p->pos = pos;
	p->ext_addr = addr;
	p->ext_port = bpf_htons((__u16)port);
	p->found = 1;
	return 1;
}

/* Try i of the probe: pool position (start + i) mod total, the pool being
 * the held sets one after the other. 1 when it claimed a port. */
static __always_inline int lw_b4_probe_try(struct lw_b4_probe *p, __u32 i)
{
	__u32 idx;

	if (!p->total)
		return 0;
	/* A pool no larger than the probe is swept whole. A larger one gets a
	 * fresh random position every try, not consecutive ones: hosts take
	 * their ports in runs (kept internal ports, sequential ephemeral
	 * ports), and a run of used ports longer than the probe made a linear
	 * probe fail with the pool nearly empty (found by the two-CPU race
	 * test). Independent tries fail only with probability usage^tries. */
	if (p->total <= LW_B4_PROBE_TRIES)
		idx = (p->start + i) % p->total;
	else
		idx = (i ? bpf_get_prandom_u32() : p->start) % p->total;
	for (__u32 k = 0; k < LW_B4_POOL_MAX; k++) {
		__u32 key = k;
		struct lw_b4_portset *ps = bpf_map_lookup_elem(&LW_MAP_B4_POOL, &key);

		if (!ps || !ps->size)
			break;
		if (idx < ps->size)
			return lw_b4_claim(p, lw_b4_sess_pos(p->pi, ps, ps->first + idx), ps->ipv4,
					   ps->first + idx);
		idx -= ps->size;
	}
	return 0; /* the pool shrank under us: keep trying */
}

/* A port for the internal endpoint of p (p->int_addr, p->int_port, p->pi),
 * claimed: the internal port itself if a set holds it and it is free
 * (B4-NAT-11; the first such set wins: home), else a bounded probe of at
 * most LW_B4_PROBE_TRIES slots, one compare-and-swap each: the endpoint's
 * hashed index first (p->start, its home), then random ones. p->found says
 * whether one was; p->total must be the pool's size, not 0. */
static __always_inline void lw_b4_pool_claim(struct lw_b4_probe *p, const struct lw_b4_home *home)
{
	if (home->kept && lw_b4_claim(p, home->kpos, home->kaddr, bpf_ntohs(p->int_port)))
		return;
	/* a loop the verifier walks try by try: the caller is a global
	 * function, verified once, and bpf_loop's callback frame would not fit
	 * the stack beside the program's */
	for (__u32 i = 0; i < LW_B4_PROBE_TRIES && i < p->total; i++)
		if (lw_b4_probe_try(p, i))
			break;
}

/* A mapping was created (B4-NAT-17 early warning): ports mapped =
 * CREATED - RELEASED (lw_b4_usage, user space releases); one event per
 * crossing of cfg->pool_warn_pct, re-armed below it. */
static __always_inline void lw_b4_usage_add(struct xdp_md *ctx, const struct lw_b4_config *cfg,
					    __u32 total, __u32 l3off)
{
	__u32 kc = LW_B4_USAGE_CREATED, kr = LW_B4_USAGE_RELEASED;
	struct lw_b4_usage *c = bpf_map_lookup_elem(&LW_MAP_B4_USAGE, &kc);
	struct lw_b4_usage *r = bpf_map_lookup_elem(&LW_MAP_B4_USAGE, &kr);
	struct lw_b4_evinfo ei = { .type = LW_B4_EV_POOL_THRESHOLD,
				   .dir = LW_B4_DIR_FROM_LAN,
				   .l3_proto = ETH_P_IP,
				   .l3off = l3off };
	__u64 used, created, released;
	__u32 pct = cfg->pool_warn_pct;
	int hit;

	if (!c || !r)
		return;
	__sync_fetch_and_add(&c->count, 1);
	created = c->count;
	released = r->count;
	/* modulo 2^64: user space subtracts from RELEASED the explicit
	 * mappings it creates, so RELEASED may have wrapped below zero */
	used = created - released;
	if ((__s64)used < 0)
		used = 0;
	hit = pct && used * 100 >= (__u64)total * (pct > 100 ? 100 : pct);
	if (hit && !c->above) {
		c->above = 1;
		lw_b4_count(LW_B4_STAT_POOL_THRESHOLD, 0);
		ei.ps_first = used > LW_PORT_SPACE ? LW_PORT_SPACE : (__u32)used;
		ei.ps_size = total;
		lw_b4_emit(ctx, cfg, &ei);
	} else if (!hit && c->above) {
		c->above = 0;
	}
}

#endif
