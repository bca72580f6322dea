/* SPDX-License-Identifier: GPL-2.0 */
/* The lwB4's pool: the port sets granted to it (lw_b4_pool), one after the
 * other, the bounded random probe for a free external port, and how much of
 * the pool is mapped (lw_b4_usage, the pool_warn_pct event). */
#ifndef LW4O6_BPF_B4_POOL_H
#define LW4O6_BPF_B4_POOL_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <asm-generic/errno-base.h> /* EEXIST */
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "lw4o6/b4.h"
#include "maps.h"
#include "report.h"

/* Bounded probe for a free external port: verifier cost is one callback. */
#define LW_B4_PROBE_TRIES 64

#define LW_PORT_MAX   65535 /* ports are 1..65535 */
#define LW_PORT_SPACE 65536 /* the most ports a set, or the pool, holds */

/* The first granted set holding port, of address addr when match_addr
 * (B4-DP-4), else of any address; 0 when none does. */
static __always_inline int lw_b4_pool_lookup(__be32 addr, int match_addr, __u32 port,
					     struct lw_b4_portset *out)
{
#pragma unroll
	for (__u32 i = 0; i < LW_B4_POOL_MAX; i++) {
		__u32 key = i;
		struct lw_b4_portset *ps = bpf_map_lookup_elem(&LW_MAP_B4_POOL, &key);

		if (ps && ps->size && (!match_addr || ps->ipv4 == addr) && port >= ps->first &&
		    port - ps->first < ps->size) {
			*out = *ps;
			return 1;
		}
	}
	return 0;
}

/* The granted set holding (addr, port); 0 when none does (B4-DP-4). */
static __always_inline int lw_b4_pool_find(__be32 addr, __u32 port, struct lw_b4_portset *out)
{
	return lw_b4_pool_lookup(addr, 1, port, out);
}

/* The first granted set whose range holds port, whatever its address. */
static __always_inline int lw_b4_pool_find_port(__u32 port, struct lw_b4_portset *out)
{
	return lw_b4_pool_lookup(0, 0, port, out);
}

static __always_inline __u32 lw_b4_pool_total(void)
{
	__u32 total = 0;

#pragma unroll
	for (__u32 i = 0; i < LW_B4_POOL_MAX; i++) {
		__u32 key = i;
		struct lw_b4_portset *ps = bpf_map_lookup_elem(&LW_MAP_B4_POOL, &key);

		if (ps && ps->size <= LW_PORT_SPACE)
			total += ps->size;
	}
	return total;
}

struct lw_b4_probe {
	struct lw_b4_in_val internal; /* value of the reverse entry */
	__u32 start, total;
	__be32 ext_addr; /* result */
	__be16 ext_port;
	__u8 proto;
	__u8 found;
};

/* Claims the reverse entry of {proto, addr, port} for p->internal. */
static __always_inline int lw_b4_claim(struct lw_b4_probe *p, __be32 addr, __u32 port)
{
	struct lw_b4_in_key k = { .addr = addr, .port = bpf_htons((__u16)port), .proto = p->proto };

	if (port == 0 || port > LW_PORT_MAX)
		return 0;
	long err = bpf_map_update_elem(&LW_MAP_B4_IN, &k, &p->internal, BPF_NOEXIST);

	if (err) {
		/* EEXIST is a taken port; anything else (a full table, a
		 * contended bucket lock) is counted so that it cannot hide */
		if (err != -EEXIST)
			lw_b4_count(LW_B4_STAT_CLAIM_ERROR, 0);
		return 0;
	}
	p->ext_addr = addr;
	p->ext_port = k.port;
	p->found = 1;
	return 1;
}

/* bpf_loop callback: try pool position (start + i) mod total, the pool
 * being the granted sets one after the other. 1 stops the loop. */
static long lw_b4_probe_cb(__u32 i, void *arg)
{
	struct lw_b4_probe *p = arg;
	__u32 idx;

	if (!p->total)
		return 1;
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
			continue;
		if (idx < ps->size)
			return lw_b4_claim(p, ps->ipv4, ps->first + idx);
		idx -= ps->size;
	}
	return 0; /* the pool shrank under us: keep trying */
}

/* A port for the internal endpoint of p (p->internal, p->proto), claimed:
 * the internal port itself if a set holds it and it is free (B4-NAT-11;
 * the first such set wins), else a bounded random probe. p->found says
 * whether one was; p->total must be the pool's size, not 0. */
static __always_inline void lw_b4_pool_claim(struct lw_b4_probe *p, __u16 internal_port)
{
	struct lw_b4_portset ps;

	if (lw_b4_pool_find_port(internal_port, &ps) && lw_b4_claim(p, ps.ipv4, internal_port))
		return;
	p->start = bpf_get_prandom_u32() % p->total;
	bpf_loop(p->total < LW_B4_PROBE_TRIES ? p->total : LW_B4_PROBE_TRIES, lw_b4_probe_cb, p, 0);
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
		ei.ps.first = used > LW_PORT_SPACE ? LW_PORT_SPACE : (__u32)used;
		ei.ps.size = total;
		lw_b4_emit(ctx, cfg, &ei);
	} else if (!hit && c->above) {
		c->above = 0;
	}
}

#endif
