// SPDX-License-Identifier: GPL-2.0
/* The lwB4 data plane (RFC 7596 §5.2): one XDP program for the LAN (IPv4)
 * and the WAN (IPv6) interface.
 *
 *   from the LAN: IPv4 from a LAN host, not for the lwB4 itself → NAPT44
 *                 into the granted port sets (TCP, UDP, ICMP echo), MSS
 *                 clamp, TTL−1, encapsulate towards the lwAFTR (B4-DP-1/2);
 *                 to our own public address:port, hairpinned straight back
 *                 to the LAN host of that mapping (B4-NAT-10)
 *   from the WAN: IPv4-in-IPv6 from the lwAFTR only (B4-DP-3) → reverse
 *                 mapping (B4-DP-4), filtering (ADF/EIF, B4-NAT-4),
 *                 TTL−1, decapsulate, to the LAN host
 *   ICMPv4 errors:  both ways, about a flow of a mapping: checksum checked,
 *                 quote and outer address translated (B4-NAT-15/16),
 *                 never refreshing a mapping (B4-NAT-13)
 *
 * Everything else is XDP_PASS: ARP, ND, the lwB4's own traffic, PCP inside
 * the tunnel and ICMPv6 from the lwAFTR (pcpd's). Dynamic mappings are
 * created here and expired by user space (lib/b4/b4_maps.c) from the
 * timers in the configuration map; explicit ones (PCP MAP/PEER from LAN
 * hosts) are created and expired by user space only, and differ here only in
 * filtering (lw_b4_admitted). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <xdp/xdp_helpers.h>

#include "lw4o6/abi.h"
#include "lw4o6/b4.h"
#include "lw4o6/pcp.h"
#include "maps.h"
#include "parse.h"
#include "csum.h"
#include "csum_pkt.h"
#include "ctx.h"
#include "emit.h"
#include "fwd.h"
#include "l2.h"
#include "tunnel.h"

struct {
	__uint(priority, 40);
	__uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(lw4o6_b4);

/* Bounded probe for a free external port: verifier cost is one callback. */
#define LW_B4_PROBE_TRIES 64

static __always_inline void lw_b4_count(__u32 stat, __u64 bytes)
{
	lw_counter_add(&LW_MAP_B4_STATS, stat, bytes);
}

static __always_inline int lw_b4_drop(__u32 stat, __u64 bytes)
{
	lw_b4_count(stat, bytes);
	return XDP_DROP;
}

/* ---- events ------------------------------------------------------------------- */

struct lw_b4_evinfo {
	__u16 type, dir, l3_proto;
	__u32 l3off, mtu;
	struct lw_b4_portset ps;
};

static __always_inline void lw_b4_emit(struct xdp_md *ctx, const struct lw_b4_config *cfg,
				       const struct lw_b4_evinfo *ei)
{
	const struct lw_event_queue q = {
		.ratelim = &LW_MAP_B4_RATELIM, .ringbuf = &LW_MAP_B4_EVENTS,
		.stats = &LW_MAP_B4_STATS,
		.bucket = ei->type == LW_B4_EV_FRAG_NEEDED ? LW_BUCKET_BULK : LW_BUCKET_SIGNAL,
		.rate = cfg->event_rate, .burst = cfg->event_burst,
		.st_suppressed = LW_B4_STAT_EVENT_SUPPRESSED,
		.st_full = LW_B4_STAT_EVENT_RINGBUF_FULL, .st_sent = LW_B4_STAT_EVENT_SENT,
	};
	struct lw_b4_event *ev = lw_event_reserve(&q, sizeof(*ev));

	if (!ev)
		return;
	lw_event_fill(ctx, &ev->head, ev->pkt, LW_B4_EVENT_MAX_CAPTURE, ei->type,
		      ei->dir, ei->l3off, ei->l3_proto, ei->mtu);
	ev->ps_ipv4 = ei->ps.ipv4;
	ev->ps_first = ei->ps.first;
	ev->ps_size = ei->ps.size;
	lw_event_submit(&q, ev);
}

static __always_inline void lw_b4_emit_simple(struct xdp_md *ctx, const struct lw_b4_config *cfg,
					      __u16 type, __u16 dir, __u32 l3off, __u16 l3_proto,
					      __u32 mtu)
{
	struct lw_b4_evinfo ei = { .type = type, .dir = dir, .l3_proto = l3_proto,
				   .l3off = l3off, .mtu = mtu };

	lw_b4_emit(ctx, cfg, &ei);
}

/* ---- port pool ---------------------------------------------------------------- */

/* The granted set holding (addr, port); 0 when none does (B4-DP-4). */
static __always_inline int lw_b4_pool_find(__be32 addr, __u32 port, struct lw_b4_portset *out)
{
#pragma unroll
	for (__u32 i = 0; i < LW_B4_POOL_MAX; i++) {
		__u32 key = i;
		struct lw_b4_portset *ps = bpf_map_lookup_elem(&LW_MAP_B4_POOL, &key);

		if (ps && ps->size && ps->ipv4 == addr && port >= ps->first &&
		    port - ps->first < ps->size) {
			*out = *ps;
			return 1;
		}
	}
	return 0;
}

/* The first granted set whose range holds port, whatever its address. */
static __always_inline int lw_b4_pool_find_port(__u32 port, struct lw_b4_portset *out)
{
#pragma unroll
	for (__u32 i = 0; i < LW_B4_POOL_MAX; i++) {
		__u32 key = i;
		struct lw_b4_portset *ps = bpf_map_lookup_elem(&LW_MAP_B4_POOL, &key);

		if (ps && ps->size && port >= ps->first && port - ps->first < ps->size) {
			*out = *ps;
			return 1;
		}
	}
	return 0;
}

static __always_inline __u32 lw_b4_pool_total(void)
{
	__u32 total = 0;

#pragma unroll
	for (__u32 i = 0; i < LW_B4_POOL_MAX; i++) {
		__u32 key = i;
		struct lw_b4_portset *ps = bpf_map_lookup_elem(&LW_MAP_B4_POOL, &key);

		if (ps && ps->size <= 65536)
			total += ps->size;
	}
	return total;
}

struct lw_b4_probe {
	struct lw_b4_in_val internal; /* value of the reverse entry */
	__u32 start, total;
	__be32 ext_addr;              /* result */
	__be16 ext_port;
	__u8 proto;
	__u8 found;
};

/* Claims the reverse entry of {proto, addr, port} for p->internal. */
static __always_inline int lw_b4_claim(struct lw_b4_probe *p, __be32 addr, __u32 port)
{
	struct lw_b4_in_key k = { .addr = addr, .port = bpf_htons((__u16)port), .proto = p->proto };

	if (port == 0 || port > 65535)
		return 0;
	long err = bpf_map_update_elem(&LW_MAP_B4_IN, &k, &p->internal, BPF_NOEXIST);

	if (err) {
		/* EEXIST is a taken port; anything else (a full table, a
		 * contended bucket lock) is counted so that it cannot hide */
		if (err != -17 /* EEXIST */)
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

/* ---- checksums ------------------------------------------------------------------ */

/* RFC 1624 for a 32-bit field, as two 16-bit words in memory order. */
static __always_inline __u16 lw_b4_csum_addr(__u16 check, __be32 old, __be32 new)
{
	check = lw_csum_replace2(check, (__u16)old, (__u16)new);
	return lw_csum_replace2(check, (__u16)(old >> 16), (__u16)(new >> 16));
}

/* Rewrites one address and one port (the ICMP Identifier: no pseudo-header)
 * of the IPv4 packet at iph, with every checksum updated incrementally.
 * src: the source side (outbound) or the destination side (inbound).
 * Returns 0, or -1 when a header is cut short. */
static __always_inline int lw_b4_rewrite(void *data, void *data_end, struct iphdr *iph,
					 __u32 l4off, int src, __be32 new_addr, __be16 new_port)
{
	__be32 old_addr = src ? iph->saddr : iph->daddr;
	__u8 proto = iph->protocol;

	l4off &= 0x3ff;
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = data + l4off;
		__be16 old_port;

		if ((void *)(th + 1) > data_end)
			return -1;
		old_port = src ? th->source : th->dest;
		th->check = lw_b4_csum_addr(th->check, old_addr, new_addr);
		th->check = lw_csum_replace2(th->check, old_port, new_port);
		if (src)
			th->source = new_port;
		else
			th->dest = new_port;
	} else if (proto == IPPROTO_UDP) {
		struct udphdr *uh = data + l4off;
		__be16 old_port;

		if ((void *)(uh + 1) > data_end)
			return -1;
		old_port = src ? uh->source : uh->dest;
		if (uh->check) { /* 0: no checksum, stays 0 (RFC 768) */
			__u16 c = lw_b4_csum_addr(uh->check, old_addr, new_addr);

			c = lw_csum_replace2(c, old_port, new_port);
			uh->check = c ? c : 0xffff;
		}
		if (src)
			uh->source = new_port;
		else
			uh->dest = new_port;
	} else {
		struct icmphdr *ic = data + l4off;

		if ((void *)(ic + 1) > data_end)
			return -1;
		ic->checksum = lw_csum_replace2(ic->checksum, ic->un.echo.id, new_port);
		ic->un.echo.id = new_port;
	}
	iph->check = lw_b4_csum_addr(iph->check, old_addr, new_addr);
	if (src)
		iph->saddr = new_addr;
	else
		iph->daddr = new_addr;
	return 0;
}

/* B4-FRAG-4: lowers the MSS option of a SYN (or SYN/ACK) to mss_max.
 * Options are walked for at most 8 entries (the MSS comes first in
 * practice). Returns 1 when the value was lowered. */
static __always_inline int lw_b4_clamp_mss(void *data, void *data_end, __u32 l4off, __u16 mss_max)
{
	struct tcphdr *th = data + (l4off & 0x3ff);
	__u32 hlen, off = sizeof(*th);

	if ((void *)(th + 1) > data_end || !th->syn)
		return 0;
	hlen = th->doff * 4;
	/* a bounded loop (not unrolled: clang cannot, with the NOP case) */
	for (int i = 0; i < 8; i++) {
		__u8 *o;
		__u16 mss, old_w, new_w;

		if (off + 4 > hlen)
			break;
		o = (__u8 *)th + (off & 0x3f);
		if ((void *)(o + 4) > data_end)
			break;
		if (o[0] == 0) /* end of options */
			break;
		if (o[0] == 1) { /* NOP */
			off++;
			continue;
		}
		if (o[0] == 2 && o[1] == 4) {
			mss = ((__u16)o[2] << 8) | o[3];
			if (mss <= mss_max)
				return 0;
			o[2] = mss_max >> 8;
			o[3] = mss_max & 0xff;
			old_w = bpf_htons(mss);
			new_w = bpf_htons(mss_max);
			/* at an odd offset the value straddles two checksum
			 * words: its contribution is byte-swapped */
			if (off & 1) {
				old_w = __builtin_bswap16(old_w);
				new_w = __builtin_bswap16(new_w);
			}
			th->check = lw_csum_replace2(th->check, old_w, new_w);
			return 1;
		}
		if (o[1] < 2)
			break;
		off += o[1];
	}
	return 0;
}

/* ---- forwarding ----------------------------------------------------------------- */

/* LW_FWD_*: the FIB only (no static next hops on the lwB4). */
static __always_inline int lw_b4_route(struct xdp_md *ctx, const struct lw_b4_config *cfg,
				       struct bpf_fib_lookup *fib, struct lw_out *out,
				       __u64 bytes)
{
	const struct lw_fwd_stats st = {
		.pass_foreign = LW_B4_STAT_PASS_FOREIGN_EGRESS,
		.pass_no_neigh = LW_B4_STAT_PASS_NO_NEIGH,
		.drop_fib = LW_B4_STAT_DROP_FIB,
	};

	out->vid = 0; /* tagged frames are the kernel's (entry) */
	return lw_fib_route(ctx, fib, out, cfg->lan_ifindex, cfg->wan_ifindex, &LW_MAP_B4_STATS,
			    &st, bytes);
}

/* Puts the packet ending at offset end into a frame for out: the start moves
 * by delta and gets an untagged Ethernet header of proto. A packet the kernel
 * gets keeps the addresses it arrived with (P12: read before adjusting).
 * Returns 0, or -1 to drop (drop-headroom counted here). */
static __always_inline int lw_b4_reframe(struct xdp_md *ctx, struct lw_out *out, __u32 end,
					 int delta, __u16 proto, __u64 bytes)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return -1;
	if (out->pass)
		lw_out_as_arrived(out, eth, 0);
	if (lw_reframe(ctx, end, delta)) {
		lw_b4_count(LW_B4_STAT_DROP_ADJUST, bytes);
		return -1;
	}
	return lw_write_l2(ctx, out->dmac, out->smac, 0, proto);
}

/* DF set and too big for the tunnel (B4-FRAG-2): dropped, and an event with
 * the ORIGINAL packet (pcpd quotes it in the ICMPv4 3/4 to the LAN host) and
 * the tunnel's IPv4 MTU. */
static __always_inline int lw_b4_too_big(struct xdp_md *ctx, const struct lw_b4_config *cfg,
					 __u32 l3off, __u32 ipv6_mtu, __u64 bytes)
{
	lw_b4_count(LW_B4_STAT_DROP_OVER_MTU_DF, bytes);
	if (cfg->flags & LW_B4_CFG_EVENTS)
		lw_b4_emit_simple(ctx, cfg, LW_B4_EV_TOO_BIG_DF, LW_B4_DIR_FROM_LAN, l3off, ETH_P_IP,
				  ipv6_mtu > 40 ? ipv6_mtu - 40 : 0);
	return XDP_DROP;
}

static __always_inline void lw_b4_remember(struct lw_b4_session *s, __be32 remote)
{
#pragma unroll
	for (int i = 0; i < LW_B4_REMOTES; i++)
		if (s->remotes[i] == remote)
			return;
	s->remotes[s->next_remote & (LW_B4_REMOTES - 1)] = remote;
	s->next_remote = (s->next_remote + 1) & (LW_B4_REMOTES - 1);
}

static __always_inline __u8 lw_b4_tcp_bits(const struct tcphdr *th, int out)
{
	__u8 b = 0;

	if (th->syn)
		b |= out ? LW_B4_TCP_SYN_OUT : LW_B4_TCP_SYN_IN;
	if (th->fin)
		b |= out ? LW_B4_TCP_FIN_OUT : LW_B4_TCP_FIN_IN;
	if (th->rst)
		b |= LW_B4_TCP_RST;
	return b;
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
	struct lw_b4_evinfo ei = { .type = LW_B4_EV_POOL_THRESHOLD, .dir = LW_B4_DIR_FROM_LAN,
				   .l3_proto = ETH_P_IP, .l3off = l3off };
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
		ei.ps.first = used > 65536 ? 65536 : (__u32)used;
		ei.ps.size = total;
		lw_b4_emit(ctx, cfg, &ei);
	} else if (!hit && c->above) {
		c->above = 0;
	}
}

/* The mapping of {proto, saddr, sport}, created when missing: keep the
 * internal port if it is free and in the pool, else a bounded random probe
 * (B4-NAT-11). The reverse entry is claimed (BPF_NOEXIST) before the forward
 * one, so that a port never gets two mappings (B4-NAT-3); a CPU that loses
 * the race for the forward entry releases its port and uses the winner's.
 * Returns the session, or NULL with *stat set to the drop reason. */
static __always_inline struct lw_b4_session *lw_b4_mapping(struct xdp_md *ctx,
							   const struct lw_b4_config *cfg, __u32 l3off,
							   __u8 proto, __be32 saddr, __be16 sport,
							   __be32 daddr, __u32 *stat)
{
	struct lw_b4_out_key ok = { .addr = saddr, .port = sport, .proto = proto };
	struct lw_b4_session *s, ns = {};
	struct lw_b4_probe p = { .internal = { .addr = saddr, .port = sport }, .proto = proto };
	struct lw_b4_portset ps;
	__u64 now;

	s = bpf_map_lookup_elem(&LW_MAP_B4_OUT, &ok);
	if (s)
		return s;
	p.total = lw_b4_pool_total();
	if (!p.total) {
		*stat = LW_B4_STAT_DROP_NO_POOL;
		return 0;
	}
	/* any set holding the internal port keeps it (first set wins) */
	if (!(lw_b4_pool_find_port(bpf_ntohs(sport), &ps) && lw_b4_claim(&p, ps.ipv4, bpf_ntohs(sport)))) {
		p.start = bpf_get_prandom_u32() % p.total;
		bpf_loop(p.total < LW_B4_PROBE_TRIES ? p.total : LW_B4_PROBE_TRIES, lw_b4_probe_cb, &p, 0);
	}
	if (!p.found) {
		*stat = LW_B4_STAT_DROP_POOL_EXHAUSTED;
		return 0;
	}
	now = bpf_ktime_get_ns();
	ns.ext_addr = p.ext_addr;
	ns.ext_port = p.ext_port;
	ns.remotes[0] = daddr;
	ns.next_remote = 1;
	ns.created_ns = now;
	ns.last_out_ns = now;
	if (bpf_map_update_elem(&LW_MAP_B4_OUT, &ok, &ns, BPF_NOEXIST)) {
		struct lw_b4_in_key ik = { .addr = p.ext_addr, .port = p.ext_port, .proto = proto };

		bpf_map_delete_elem(&LW_MAP_B4_IN, &ik);
		lw_b4_count(LW_B4_STAT_MAPPING_RACE_LOST, 0);
		s = bpf_map_lookup_elem(&LW_MAP_B4_OUT, &ok);
		if (!s)
			*stat = LW_B4_STAT_DROP_POOL_EXHAUSTED;
		return s;
	}
	lw_b4_count(LW_B4_STAT_MAPPING_CREATED, 0);
	lw_b4_usage_add(ctx, cfg, p.total, l3off);
	return bpf_map_lookup_elem(&LW_MAP_B4_OUT, &ok);
}

/* ---- from the LAN ---------------------------------------------------------------- */

/* lw_b4_mapping failed with stat: counted; an exhausted pool tells pcpd. */
static __always_inline int lw_b4_no_mapping(struct xdp_md *ctx, const struct lw_b4_config *cfg,
					    __u32 stat, __u32 l3off, __u32 bytes)
{
	lw_b4_count(stat, bytes);
	if (stat == LW_B4_STAT_DROP_POOL_EXHAUSTED)
		lw_b4_emit_simple(ctx, cfg, LW_B4_EV_POOL_EXHAUSTED, LW_B4_DIR_FROM_LAN, l3off,
				  ETH_P_IP, 0);
	return XDP_DROP;
}

/* B4-NAT-4 filtering of a packet from remote towards mapping s: ADF unless
 * EIF is configured. An explicit PCP MAP mapping admits every remote
 * (RFC 6887 §11: a MAP opens the port, PCPC-12); a PEER one is filtered as
 * a dynamic mapping, its peer being one of remotes[]. */
static __always_inline int lw_b4_admitted(const struct lw_b4_config *cfg,
					  const struct lw_b4_session *s, __be32 remote)
{
	int seen = 0;

	if (s->pcp_kind == LW_B4_PCP_MAP)
		return 1;
	if (cfg->flags & LW_B4_CFG_EIF)
		return 1;
#pragma unroll
	for (int i = 0; i < LW_B4_REMOTES; i++)
		seen |= s->remotes[i] == remote;
	return seen;
}

/* Hairpinning (B4-NAT-10; RFC 4787 REQ-9, RFC 5382 REQ-8): a LAN host sends
 * to one of our public address:port. The lwAFTR would hairpin it too, but a
 * round trip through the tunnel for two hosts behind the same NAPT is what
 * REQ-9 lets us avoid. Both sides are translated, as if the packet had left
 * through the tunnel and come back: source = our public address : the
 * sender's mapped port (REQ-9a), destination = the internal endpoint of the
 * mapping of that port. The destination's mapping filters it as any inbound
 * packet (ADF/EIF) with our public address as the remote. TCP and UDP only:
 * an echo request to our address goes through the tunnel as before. */
static __always_inline int lw_b4_hairpin(struct xdp_md *ctx, const struct lw_b4_config *cfg,
					 __u32 l3off, __u32 ihl, __u32 tot_len, __u8 proto,
					 __be32 saddr, __be16 sport, __be32 daddr, __be16 dport,
					 __u32 bytes)
{
	void *data, *data_end;
	struct lw_b4_in_key ik = { .addr = daddr, .port = dport, .proto = proto };
	struct lw_b4_out_key ok = { .proto = proto };
	struct bpf_fib_lookup fib = {};
	struct lw_b4_session *s, *d;
	struct lw_b4_in_val *iv;
	struct iphdr *iph;
	struct lw_out out;
	__u32 stat = 0;
	__u8 bits_s = 0, bits_d = 0;
	int rc;

	/* the sender's mapping first, as for any outbound packet (EIM) */
	s = lw_b4_mapping(ctx, cfg, l3off, proto, saddr, sport, daddr, &stat);
	if (!s)
		return lw_b4_no_mapping(ctx, cfg, stat, l3off, bytes);
	iv = bpf_map_lookup_elem(&LW_MAP_B4_IN, &ik);
	if (!iv)
		return lw_b4_drop(LW_B4_STAT_DROP_NO_MAPPING, bytes);
	ok.addr = iv->addr;
	ok.port = iv->port;
	d = bpf_map_lookup_elem(&LW_MAP_B4_OUT, &ok);
	if (!d || d->ext_addr != daddr || d->ext_port != dport)
		return lw_b4_drop(LW_B4_STAT_DROP_NO_MAPPING, bytes);
	if (!lw_b4_admitted(cfg, d, s->ext_addr))
		return lw_b4_drop(LW_B4_STAT_DROP_FILTERED, bytes);

	fib.family = AF_INET;
	fib.l4_protocol = proto;
	fib.tot_len = tot_len;
	fib.ifindex = lw_ingress_ifindex(ctx);
	fib.ipv4_src = s->ext_addr;
	fib.ipv4_dst = ok.addr;
	rc = lw_b4_route(ctx, cfg, &fib, &out, bytes);
	if (rc < 0)
		return XDP_DROP;
	if (rc == LW_FWD_TOO_BIG)
		return lw_b4_drop(LW_B4_STAT_DROP_OVER_MTU_DF, bytes);

	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	iph = data + (l3off & 0xff);
	if ((void *)(iph + 1) > data_end)
		return XDP_DROP;
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = data + ((l3off + ihl) & 0x3ff);

		if ((void *)(th + 1) > data_end)
			return XDP_DROP;
		bits_s = lw_b4_tcp_bits(th, 1);
		bits_d = lw_b4_tcp_bits(th, 0);
	}
	/* both mappings are used: the sender's outbound, the receiver's inbound */
	s->last_out_ns = bpf_ktime_get_ns();
	__sync_fetch_and_add(&s->packets_out, 1);
	lw_b4_remember(s, daddr);
	if (bits_s)
		s->tcp_state |= bits_s;
	d->last_in_ns = s->last_out_ns;
	__sync_fetch_and_add(&d->packets_in, 1);
	if (bits_d)
		d->tcp_state |= bits_d;

	if (lw_b4_rewrite(data, data_end, iph, l3off + ihl, 1, s->ext_addr, s->ext_port) ||
	    lw_b4_rewrite(data, data_end, iph, l3off + ihl, 0, ok.addr, ok.port))
		return XDP_DROP;
	lw_ipv4_ttl_dec(iph);
	if (lw_b4_reframe(ctx, &out, l3off + tot_len, (int)l3off - (int)sizeof(struct ethhdr),
			  ETH_P_IP, bytes))
		return XDP_DROP;
	lw_b4_count(LW_B4_STAT_HAIRPIN, tot_len + sizeof(struct ethhdr));
	return lw_out_send(&out);
}

/* ---- ICMPv4 errors (B4-NAT-15/16; RFC 5508) --------------------------------------- */

/* Rewrites the packet quoted by the ICMPv4 error at icoff: its source
 * (src: an error from the tunnel about a packet we sent) or its destination
 * (an error from a LAN host about a packet it received) becomes new_addr :
 * new_port (port or echo Identifier). The quoted IPv4 header checksum and,
 * when the quote holds it, the quoted TCP/UDP/ICMP checksum are updated as
 * the NAPT updated them (so the quote reads as the packet really sent: RFC
 * 5508 REQ-4a/5a), and the ICMP checksum follows every changed word (all at
 * even offsets of the message: the quote starts at 8, its L4 header at a
 * multiple of 4 after that). Returns 0, or -1 when a header is cut short. */
static __always_inline int lw_b4_quote_rewrite(void *data, void *data_end, __u32 icoff, int src,
					       __be32 new_addr, __be16 new_port)
{
	struct icmphdr *ic = data + (icoff & 0x3ff);
	struct iphdr *q;
	__be32 old_addr;
	__be16 old_port;
	__u16 icsum, old, new;
	__u32 ql4;
	__u8 qproto;

	if ((void *)(ic + 1) > data_end)
		return -1;
	q = (void *)(ic + 1);
	if ((void *)(q + 1) > data_end)
		return -1;
	qproto = q->protocol;
	ql4 = (icoff + sizeof(*ic) + q->ihl * 4) & 0x3ff;
	icsum = ic->checksum;
	old_addr = src ? q->saddr : q->daddr;
	old = q->check;
	new = lw_b4_csum_addr(old, old_addr, new_addr);
	q->check = new;
	icsum = lw_csum_replace2(icsum, old, new);
	icsum = lw_b4_csum_addr(icsum, old_addr, new_addr);
	if (src)
		q->saddr = new_addr;
	else
		q->daddr = new_addr;

	if (qproto == IPPROTO_TCP || qproto == IPPROTO_UDP) {
		__be16 *ports = data + ql4, *ck;

		if ((void *)(ports + 2) > data_end)
			return -1;
		old_port = src ? ports[0] : ports[1];
		if (src)
			ports[0] = new_port;
		else
			ports[1] = new_port;
		icsum = lw_csum_replace2(icsum, old_port, new_port);
		/* the quoted L4 checksum, if the quote reaches it (a quote may
		 * stop 8 bytes into the transport header: RFC 792) */
		ck = qproto == IPPROTO_TCP ? ports + 8 : ports + 3;
		if ((void *)(ck + 1) <= data_end && (qproto == IPPROTO_TCP || *ck)) {
			old = *ck;
			new = lw_b4_csum_addr(old, old_addr, new_addr);
			new = lw_csum_replace2(new, old_port, new_port);
			if (qproto == IPPROTO_UDP && !new)
				new = 0xffff;
			*ck = new;
			icsum = lw_csum_replace2(icsum, old, new);
		}
	} else {
		struct icmphdr *qi = data + ql4;

		if ((void *)(qi + 1) > data_end)
			return -1;
		old_port = qi->un.echo.id;
		qi->un.echo.id = new_port;
		icsum = lw_csum_replace2(icsum, old_port, new_port);
		old = qi->checksum;
		new = lw_csum_replace2(old, old_port, new_port);
		qi->checksum = new;
		icsum = lw_csum_replace2(icsum, old, new);
	}
	ic->checksum = icsum;
	return 0;
}

/* The checks every ICMPv4 error gets before its quote is trusted (RFC 5508
 * REQ-3): the ICMP checksum over the whole message (REQ-3; extensions are
 * covered and otherwise ignored, REQ-3d), the quoted IPv4 header checksum
 * (REQ-3a; options are walked past, REQ-3b) and a quote we can map (TCP,
 * UDP, ICMP echo). The quoted L4 checksum is not checked (REQ-3c).
 * Returns 0 or the drop counter. */
static __always_inline __u32 lw_b4_error_checks(struct xdp_md *ctx, __u32 icoff, __u32 icmp_len,
						const struct lw_l4 *l4)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *q = data + ((icoff + sizeof(struct icmphdr)) & 0x3ff);

	if (!lw_packet_csum_ok(ctx, icoff, icmp_len))
		return LW_B4_STAT_DROP_ICMP_CSUM;
	if ((void *)(q + 1) > data_end)
		return LW_B4_STAT_DROP_BAD_IPV4;
	if (!lw_ipv4_hdr_csum_ok(ctx, icoff + sizeof(struct icmphdr), q->ihl * 4) || !l4->has_ports)
		return LW_B4_STAT_DROP_ICMP_QUOTE;
	return 0;
}

/* An ICMPv4 error from the tunnel about a packet our NAPT sent (quoted
 * source = our address : a mapped port or Identifier): back to the internal
 * host, the quote restored (REQ-4), type and code kept, decapsulated.
 * Filtering: the error comes from a router on the path, whose address the
 * mapping has usually never seen, so the outer source is not filtered;
 * under ADF the quoted destination must be a remote the mapping sent to
 * (else the error is about no flow of ours). The mapping is neither
 * refreshed nor changed (B4-NAT-13/16); an error quoting an address other
 * than ours, a port outside the pool or an unmapped one is dropped. */
static __always_inline int lw_b4_error_from_wan(struct xdp_md *ctx, const struct lw_b4_config *cfg,
						__u32 l3off, __u32 inner, __u32 ihl, __u32 tot_len,
						const struct lw_l4 *l4, __be32 qsrc, __be32 qdst,
						__u64 bytes)
{
	void *data, *data_end;
	struct bpf_fib_lookup fib = {};
	struct lw_b4_out_key ok = {};
	struct lw_b4_in_key ik = {};
	struct lw_b4_portset ps;
	struct lw_b4_session *s;
	struct lw_b4_in_val *iv;
	struct ipv6hdr *ip6;
	struct iphdr *iph, *q;
	struct lw_out out;
	__be32 daddr, saddr;
	__u32 stat, end;
	int rc;

	inner &= 0x1ff;
	stat = lw_b4_error_checks(ctx, inner + ihl, tot_len - ihl, l4);
	if (stat)
		return lw_b4_drop(stat, bytes);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	iph = data + inner;
	q = data + ((inner + ihl + sizeof(struct icmphdr)) & 0x3ff);
	if ((void *)(iph + 1) > data_end || (void *)(q + 1) > data_end)
		return XDP_DROP;
	daddr = iph->daddr;
	saddr = iph->saddr;
	if (qsrc != daddr || !lw_b4_pool_find(daddr, l4->dport, &ps))
		return lw_b4_drop(LW_B4_STAT_DROP_ICMP_NO_MAPPING, bytes);
	ik.addr = daddr;
	ik.port = bpf_htons(l4->dport);
	ik.proto = q->protocol;
	iv = bpf_map_lookup_elem(&LW_MAP_B4_IN, &ik);
	if (!iv)
		return lw_b4_drop(LW_B4_STAT_DROP_ICMP_NO_MAPPING, bytes);
	ok.addr = iv->addr;
	ok.port = iv->port;
	ok.proto = ik.proto;
	s = bpf_map_lookup_elem(&LW_MAP_B4_OUT, &ok);
	if (!s || s->ext_addr != ik.addr || s->ext_port != ik.port)
		return lw_b4_drop(LW_B4_STAT_DROP_ICMP_NO_MAPPING, bytes);
	if (!lw_b4_admitted(cfg, s, qdst))
		return lw_b4_drop(LW_B4_STAT_DROP_FILTERED, bytes);
	if (iph->ttl <= 1) /* no error about an error */
		return lw_b4_drop(LW_B4_STAT_DROP_TTL_ZERO, bytes);

	fib.family = AF_INET;
	fib.tos = iph->tos;
	fib.l4_protocol = IPPROTO_ICMP;
	fib.tot_len = tot_len;
	fib.ifindex = lw_ingress_ifindex(ctx);
	fib.ipv4_src = saddr;
	fib.ipv4_dst = ok.addr;
	rc = lw_b4_route(ctx, cfg, &fib, &out, bytes);
	if (rc < 0)
		return XDP_DROP;
	if (rc == LW_FWD_TOO_BIG)
		return lw_b4_drop(LW_B4_STAT_DROP_OVER_MTU_DF, bytes);

	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	ip6 = data + (l3off & 0xff);
	iph = data + inner;
	if ((void *)(ip6 + 1) > data_end || (void *)(iph + 1) > data_end)
		return XDP_DROP;
	lw_tunnel_ecn_decap(ip6, iph);
	if (lw_b4_quote_rewrite(data, data_end, inner + ihl, 1, ok.addr, ok.port))
		return XDP_DROP;
	iph->check = lw_b4_csum_addr(iph->check, daddr, ok.addr);
	iph->daddr = ok.addr;
	lw_ipv4_ttl_dec(iph);

	end = inner + tot_len;
	asm volatile("" : "+r"(end)); /* keep lw_reframe's arithmetic on scalars */
	if (lw_b4_reframe(ctx, &out, end, (int)inner - (int)sizeof(struct ethhdr), ETH_P_IP, bytes))
		return XDP_DROP;
	lw_b4_count(LW_B4_STAT_ICMP_ERR_IN, bytes);
	lw_b4_count(LW_B4_STAT_SENT_LAN, tot_len + sizeof(struct ethhdr));
	return lw_out_send(&out);
}

/* An ICMPv4 error from a LAN host (or LAN router) about a packet that came
 * in through the NAPT (quoted destination = the internal endpoint of a
 * mapping): outer source → our address, quoted destination → our address :
 * mapped port (REQ-5), then to the lwAFTR like any outbound packet. No
 * mapping is created or refreshed (B4-NAT-6: RFC 7857 §7.1). */
static __always_inline int lw_b4_error_from_lan(struct xdp_md *ctx, const struct lw_b4_config *cfg,
						__u32 l3off, __u32 ihl, __u32 tot_len,
						const struct lw_l4 *l4, __be32 qdst, __u64 bytes)
{
	void *data, *data_end;
	struct bpf_fib_lookup fib = {};
	struct lw_b4_out_key ok = {};
	struct lw_b4_session *s;
	struct ipv6hdr *ip6;
	struct iphdr *iph, *q;
	struct lw_out out;
	__be32 saddr, ext_addr;
	__be16 ext_port;
	__u32 stat, end, mtu = cfg->ipv6_mtu;
	__u8 tos;
	int rc;

	l3off &= 0xff;
	stat = lw_b4_error_checks(ctx, l3off + ihl, tot_len - ihl, l4);
	if (stat)
		return lw_b4_drop(stat, bytes);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	iph = data + l3off;
	q = data + ((l3off + ihl + sizeof(struct icmphdr)) & 0x3ff);
	if ((void *)(iph + 1) > data_end || (void *)(q + 1) > data_end)
		return XDP_DROP;
	ok.addr = qdst;
	ok.port = bpf_htons(l4->sport); /* the quoted destination port */
	ok.proto = q->protocol;
	s = bpf_map_lookup_elem(&LW_MAP_B4_OUT, &ok);
	if (!s)
		return lw_b4_drop(LW_B4_STAT_DROP_ICMP_NO_MAPPING, bytes);
	ext_addr = s->ext_addr;
	ext_port = s->ext_port;
	if (iph->ttl <= 1) /* no error about an error */
		return lw_b4_drop(LW_B4_STAT_DROP_TTL_ZERO, bytes);
	if (tot_len + sizeof(struct ipv6hdr) > mtu)
		return lw_b4_drop(LW_B4_STAT_DROP_OVER_MTU_DF, bytes);
	saddr = iph->saddr;
	tos = iph->tos;

	fib.family = AF_INET6;
	fib.l4_protocol = IPPROTO_IPIP;
	fib.tot_len = tot_len + sizeof(struct ipv6hdr);
	fib.ifindex = lw_ingress_ifindex(ctx);
	__builtin_memcpy(fib.ipv6_src, &cfg->tunnel_addr, sizeof(cfg->tunnel_addr));
	__builtin_memcpy(fib.ipv6_dst, &cfg->aftr_addr, sizeof(cfg->aftr_addr));
	rc = lw_b4_route(ctx, cfg, &fib, &out, bytes);
	if (rc < 0)
		return XDP_DROP;
	if (rc == LW_FWD_TOO_BIG)
		return lw_b4_drop(LW_B4_STAT_DROP_OVER_MTU_DF, bytes);

	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	iph = data + l3off;
	if ((void *)(iph + 1) > data_end)
		return XDP_DROP;
	if (lw_b4_quote_rewrite(data, data_end, l3off + ihl, 0, ext_addr, ext_port))
		return XDP_DROP;
	iph->check = lw_b4_csum_addr(iph->check, saddr, ext_addr);
	iph->saddr = ext_addr;
	lw_ipv4_ttl_dec(iph);

	end = l3off + tot_len;
	asm volatile("" : "+r"(end)); /* keep lw_reframe's arithmetic on scalars */
	if (lw_b4_reframe(ctx, &out, end, (int)l3off - (int)(sizeof(struct ethhdr) + sizeof(*ip6)),
			  ETH_P_IPV6, bytes))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	ip6 = data + sizeof(struct ethhdr);
	if ((void *)(ip6 + 1) > data_end)
		return XDP_DROP;
	lw_tunnel_write_ip6(ip6, tos, tot_len, cfg->hop_limit, &cfg->tunnel_addr, &cfg->aftr_addr);
	lw_b4_count(LW_B4_STAT_ICMP_ERR_OUT, bytes);
	lw_b4_count(LW_B4_STAT_SENT_TUNNEL, (__u64)(data_end - data));
	return lw_out_send(&out);
}

/* Translates the outbound packet at iph in place for mapping s, as every
 * packet leaving through the tunnel is: the mapping refreshed (B4-NAT-6)
 * and its remote remembered, TCP state bits, MSS clamp (B4-FRAG-4), source
 * rewritten to the external endpoint with every checksum, TTL−1.
 * Returns 0, or -1 when a header is cut short. */
static __always_inline int lw_b4_translate_out(void *data, void *data_end,
					       const struct lw_b4_config *cfg,
					       struct lw_b4_session *s, struct iphdr *iph,
					       __u32 l4off, __u8 proto, __be32 daddr, __u32 mtu)
{
	__u8 bits = 0;

	s->last_out_ns = bpf_ktime_get_ns();
	__sync_fetch_and_add(&s->packets_out, 1);
	lw_b4_remember(s, daddr);
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = data + (l4off & 0x3ff);

		if ((void *)(th + 1) > data_end)
			return -1;
		bits = lw_b4_tcp_bits(th, 1);
		if ((cfg->flags & LW_B4_CFG_MSS_CLAMP) && mtu > 80 &&
		    lw_b4_clamp_mss(data, data_end, l4off, mtu - 80))
			lw_b4_count(LW_B4_STAT_MSS_CLAMPED, 0);
	}
	if (bits)
		s->tcp_state |= bits;
	if (lw_b4_rewrite(data, data_end, iph, l4off, 1, s->ext_addr, s->ext_port))
		return -1;
	lw_ipv4_ttl_dec(iph);
	return 0;
}

/* DF clear and too big for the tunnel (B4-FRAG-1). XDP cannot fragment, so
 * the packet is translated by the NAPT exactly like any outbound packet,
 * then goes to pcpd as the FRAG_NEEDED event (mtu = the tunnel's IPv6 MTU)
 * and is dropped here; pcpd sends it through its raw IPv4-in-IPv6 socket
 * and the kernel fragments the IPv6 packet (RFC 2473 §7.1). The caller has
 * created or found the mapping of {proto, source, sport}.
 *
 * lw_b4_punt_xlate translates and counts; a global function, verified once
 * on its own instead of doubling the states of lw_b4_from_lan, with
 * arguments it must check (l4 = ihl << 16 | proto). Returns 0 when the
 * packet is translated and fits the event, else 1 (dropped, counted). The
 * event is emitted by the caller, whose stack is the larger. */
__attribute__((noinline)) int lw_b4_punt_xlate(struct xdp_md *ctx, __u32 l3off, __u32 l4,
					       __u32 sport, __u32 mtu)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct lw_b4_out_key ok = { .port = bpf_htons((__u16)sport), .proto = (__u8)l4 };
	struct lw_b4_config *cfg;
	struct lw_b4_session *s;
	struct iphdr *iph;
	__u32 key = 0, bytes = (__u32)(data_end - data);

	cfg = bpf_map_lookup_elem(&LW_MAP_B4_CFG, &key);
	l3off &= 0xff;
	iph = data + l3off;
	if (!cfg || (void *)(iph + 1) > data_end)
		return 1;
	/* the slow path gets the whole packet or nothing, never a truncated
	 * one (the mapping stays, as for any packet dropped on the way) */
	if (bpf_ntohs(iph->tot_len) > LW_B4_EVENT_MAX_CAPTURE) {
		lw_b4_count(LW_B4_STAT_DROP_FRAG_TOO_LONG, bytes);
		return 1;
	}
	ok.addr = iph->saddr;
	s = bpf_map_lookup_elem(&LW_MAP_B4_OUT, &ok);
	if (!s || lw_b4_translate_out(data, data_end, cfg, s, iph, l3off + ((l4 >> 16) & 0x3c),
				      (__u8)l4, iph->daddr, mtu))
		return 1;
	lw_b4_count(LW_B4_STAT_PUNT_FRAG_NEEDED, bytes);
	return 0;
}

static __always_inline int lw_b4_punt(struct xdp_md *ctx, const struct lw_b4_config *cfg,
				      __u32 l3off, __u32 ihl, __u8 proto, __u16 sport, __u32 mtu)
{
	if (lw_b4_punt_xlate(ctx, l3off, ihl << 16 | proto, sport, mtu) == 0 &&
	    (cfg->flags & LW_B4_CFG_EVENTS))
		lw_b4_emit_simple(ctx, cfg, LW_B4_EV_FRAG_NEEDED, LW_B4_DIR_FROM_LAN, l3off, ETH_P_IP,
				  mtu);
	return XDP_DROP;
}

static __always_inline int lw_b4_in_lan(const struct lw_b4_config *cfg, __be32 addr)
{
	__u32 plen = cfg->lan_prefixlen;
	__u32 mask;

	if (plen == 0)
		return 1;
	if (plen > 32)
		return 0;
	mask = bpf_htonl(~0u << (32 - plen));
	return ((addr ^ cfg->lan_addr) & mask) == 0;
}

static __always_inline int lw_b4_from_lan(struct xdp_md *ctx, const struct lw_b4_config *cfg,
					  __u32 l3off, __u32 bytes)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct bpf_fib_lookup fib = {};
	struct lw_b4_portset ps;
	struct lw_b4_session *s;
	struct lw_out out;
	struct ipv6hdr *ip6;
	struct iphdr *iph;
	struct lw_l4 l4;
	__be32 qsrc = 0, qdst = 0, saddr, daddr;
	__u32 ihl, tot_len, stat = 0, mtu = cfg->ipv6_mtu;
	__be16 frag_off;
	__u8 proto, tos;
	int rc;

	l3off &= 0xff;
	iph = data + l3off;
	if ((void *)(iph + 1) > data_end)
		return lw_b4_drop(LW_B4_STAT_DROP_BAD_IPV4, bytes);
	saddr = iph->saddr;
	daddr = iph->daddr;
	/* ours, LAN-local, multicast/broadcast, or not from a LAN host */
	if (daddr == cfg->lan_addr || lw_b4_in_lan(cfg, daddr) ||
	    (bpf_ntohl(daddr) >> 28) >= 0xe || !lw_b4_in_lan(cfg, saddr) || saddr == cfg->lan_addr) {
		lw_b4_count(LW_B4_STAT_PASS_NOT_OURS, bytes);
		return XDP_PASS;
	}
	lw_b4_count(LW_B4_STAT_RCVD_LAN, bytes);
	ihl = iph->ihl * 4;
	tot_len = bpf_ntohs(iph->tot_len);
	if (iph->version != 4 || ihl < sizeof(*iph) || tot_len < ihl ||
	    data + l3off + tot_len > data_end)
		return lw_b4_drop(LW_B4_STAT_DROP_BAD_IPV4, bytes);
	frag_off = iph->frag_off;
	if (frag_off & bpf_htons(IP_MF | IP_OFFSET))
		return lw_b4_drop(LW_B4_STAT_DROP_IPV4_FRAGMENT, bytes); /* B4-NAT-19: later */
	proto = iph->protocol;
	tos = iph->tos;
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP && proto != IPPROTO_ICMP)
		return lw_b4_drop(LW_B4_STAT_DROP_PROTO, bytes);
	if (lw_parse_l4(data, data_end, l3off + ihl, proto, &l4, &qsrc, &qdst))
		return lw_b4_drop(LW_B4_STAT_DROP_BAD_IPV4, bytes);
	if (proto == IPPROTO_ICMP && l4.icmp_error)
		return lw_b4_error_from_lan(ctx, cfg, l3off, ihl, tot_len, &l4, qdst, bytes);
	if (proto == IPPROTO_ICMP && l4.icmp_type != ICMP_ECHO)
		return lw_b4_drop(LW_B4_STAT_DROP_ICMP_TYPE, bytes);
	if (iph->ttl <= 1) {
		lw_b4_count(LW_B4_STAT_DROP_TTL_ZERO, bytes);
		if (cfg->flags & LW_B4_CFG_EVENTS)
			lw_b4_emit_simple(ctx, cfg, LW_B4_EV_TTL_EXPIRED, LW_B4_DIR_FROM_LAN, l3off,
					  ETH_P_IP, 0);
		return XDP_DROP;
	}
	if (proto != IPPROTO_ICMP && lw_b4_pool_find(daddr, l4.dport, &ps))
		return lw_b4_hairpin(ctx, cfg, l3off, ihl, tot_len, proto, saddr, bpf_htons(l4.sport),
				     daddr, bpf_htons(l4.dport), bytes);
	/* too big for the tunnel: DF → 3/4 quoting the original packet; no DF
	 * → through the NAPT, then to the slow path (lw_b4_punt) */
	if (tot_len + sizeof(struct ipv6hdr) > mtu) {
		if (frag_off & bpf_htons(IP_DF))
			return lw_b4_too_big(ctx, cfg, l3off, mtu, bytes);
	}

	s = lw_b4_mapping(ctx, cfg, l3off, proto, saddr, bpf_htons(l4.sport), daddr, &stat);
	if (!s)
		return lw_b4_no_mapping(ctx, cfg, stat, l3off, bytes);
	if (tot_len + sizeof(struct ipv6hdr) > mtu)
		return lw_b4_punt(ctx, cfg, l3off, ihl, proto, l4.sport, mtu);

	fib.family = AF_INET6;
	fib.l4_protocol = IPPROTO_IPIP;
	fib.tot_len = tot_len + sizeof(struct ipv6hdr);
	fib.ifindex = lw_ingress_ifindex(ctx);
	__builtin_memcpy(fib.ipv6_src, &cfg->tunnel_addr, sizeof(cfg->tunnel_addr));
	__builtin_memcpy(fib.ipv6_dst, &cfg->aftr_addr, sizeof(cfg->aftr_addr));
	rc = lw_b4_route(ctx, cfg, &fib, &out, bytes);
	if (rc < 0)
		return XDP_DROP;
	if (rc == LW_FWD_TOO_BIG) {
		/* the route's MTU is below the configured tunnel MTU */
		if (frag_off & bpf_htons(IP_DF))
			return lw_b4_too_big(ctx, cfg, l3off, fib.mtu_result, bytes);
		return lw_b4_punt(ctx, cfg, l3off, ihl, proto, l4.sport, fib.mtu_result);
	}

	/* translate in place; pointers were last checked above */
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	iph = data + l3off;
	if ((void *)(iph + 1) > data_end)
		return XDP_DROP;
	if (lw_b4_translate_out(data, data_end, cfg, s, iph, l3off + ihl, proto, daddr, mtu))
		return XDP_DROP;

	/* encapsulate: Ethernet + IPv6 in front of the IPv4 packet, trailing
	 * Ethernet padding cut off */
	if (lw_b4_reframe(ctx, &out, l3off + tot_len,
			  (int)l3off - (int)(sizeof(struct ethhdr) + sizeof(*ip6)), ETH_P_IPV6, bytes))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	ip6 = data + sizeof(struct ethhdr);
	if ((void *)(ip6 + 1) > data_end)
		return XDP_DROP;
	lw_tunnel_write_ip6(ip6, tos, tot_len, cfg->hop_limit, &cfg->tunnel_addr, &cfg->aftr_addr);
	lw_b4_count(LW_B4_STAT_SENT_TUNNEL, (__u64)(data_end - data));
	return lw_out_send(&out);
}

/* ---- from the WAN ---------------------------------------------------------------- */

/* B4-DP-6: the inner packet at inner (checked against data_end here) is PCP
 * from the lwAFTR's server, UDP from 192.0.0.1:5351 to
 *   192.0.0.2, any port   an answer to our request (unicast outer only)
 *   192.0.0.2:5350        an unsolicited ANNOUNCE
 *   224.0.0.1:5350        a multicast ANNOUNCE
 * and not a later fragment. mcast: the outer destination was ff02::1, which
 * carries ANNOUNCEs only. */
static __always_inline int lw_b4_is_pcp(void *data, void *data_end, __u32 inner, int mcast)
{
	struct iphdr *iph = data + (inner & 0x1ff);
	struct udphdr *uh;
	__u32 ihl;

	if ((void *)(iph + 1) > data_end || iph->version != 4 || iph->ihl < 5 ||
	    iph->protocol != IPPROTO_UDP || iph->saddr != bpf_htonl(LW_PCP_SERVER_ADDR) ||
	    (iph->frag_off & bpf_htons(IP_OFFSET)))
		return 0;
	ihl = iph->ihl * 4;
	uh = data + ((inner + ihl) & 0x1ff);
	if ((void *)(uh + 1) > data_end || uh->source != bpf_htons(LW_PCP_SERVER_PORT))
		return 0;
	if (iph->daddr == bpf_htonl(LW_PCP_B4_CLIENT_ADDR) && !mcast)
		return 1;
	return (iph->daddr == bpf_htonl(LW_PCP_B4_CLIENT_ADDR) || iph->daddr == bpf_htonl(LW_PCP_ALL_HOSTS)) &&
	       uh->dest == bpf_htons(LW_PCP_CLIENT_PORT);
}

static __always_inline int lw_b4_all_nodes(const struct in6_addr *a)
{
	return a->s6_addr32[0] == bpf_htonl(0xff020000) && !a->s6_addr32[1] && !a->s6_addr32[2] &&
	       a->s6_addr32[3] == bpf_htonl(1);
}

/* ICMPv6 from the lwAFTR: pcpd's (relay, failover). For 1/5 (no binding)
 * the event names the port set the quoted packet used. */
static __always_inline int lw_b4_icmpv6(struct xdp_md *ctx, const struct lw_b4_config *cfg,
					__u32 l3off, __u32 bytes)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct lw_b4_evinfo ei = { .type = LW_B4_EV_NO_BINDING, .dir = LW_B4_DIR_FROM_WAN,
				   .l3_proto = ETH_P_IPV6, .l3off = l3off };
	struct icmp6hdr *ic = data + l3off + sizeof(struct ipv6hdr);
	struct ipv6hdr *q6;
	struct iphdr *q4;
	__be16 *qp;
	__u32 qoff;
	__u16 qport = 0;

	lw_b4_count(LW_B4_STAT_PASS_ICMPV6, bytes);
	if ((void *)(ic + 1) > data_end || ic->icmp6_type != 1 || ic->icmp6_code != 5)
		return XDP_PASS;
	q6 = (void *)(ic + 1);
	q4 = (void *)(q6 + 1);
	if ((void *)(q4 + 1) <= data_end && q6->nexthdr == IPPROTO_IPIP && q4->ihl >= 5) {
		qoff = (l3off + sizeof(struct ipv6hdr) + sizeof(*ic) + sizeof(*q6) + q4->ihl * 4) & 0x1ff;
		qp = data + qoff;
		if ((void *)(qp + 3) <= data_end) {
			if (q4->protocol == IPPROTO_TCP || q4->protocol == IPPROTO_UDP)
				qport = bpf_ntohs(qp[0]);
			else if (q4->protocol == IPPROTO_ICMP)
				qport = bpf_ntohs(qp[2]); /* echo Identifier */
			if (!lw_b4_pool_find(q4->saddr, qport, &ei.ps))
				ei.ps.size = 0;
		}
	}
	lw_b4_emit(ctx, cfg, &ei);
	return XDP_PASS;
}

static __always_inline int lw_b4_from_wan(struct xdp_md *ctx, const struct lw_b4_config *cfg,
					  __u32 l3off, __u32 bytes)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct bpf_fib_lookup fib = {};
	struct lw_b4_out_key ok = {};
	struct lw_b4_in_key ik = {};
	struct lw_b4_portset ps;
	struct lw_b4_session *s;
	struct lw_b4_in_val *iv;
	struct lw_out out;
	struct ipv6hdr *ip6;
	struct iphdr *iph;
	struct lw_l4 l4;
	__be32 qsrc = 0, qdst = 0, saddr;
	__u32 inner, ihl, tot_len, payload_len;
	__u8 proto, bits = 0;
	int rc;

	l3off &= 0xff;
	ip6 = data + l3off;
	if ((void *)(ip6 + 1) > data_end || ip6->version != 6) {
		lw_b4_count(LW_B4_STAT_PASS_NOT_OURS, bytes);
		return XDP_PASS;
	}
	if (!lw_ipv6_eq(&ip6->daddr, &cfg->tunnel_addr)) {
		/* PCPS-17: the lwAFTR's multicast ANNOUNCE to ff02::1, from the
		 * lwAFTR only (B4-DP-3), counted with the PCP answers; anything
		 * else not to the tunnel address is the kernel's */
		if (lw_b4_all_nodes(&ip6->daddr) && ip6->nexthdr == IPPROTO_IPIP &&
		    lw_ipv6_eq(&ip6->saddr, &cfg->aftr_addr) &&
		    lw_b4_is_pcp(data, data_end, l3off + sizeof(*ip6), 1))
			lw_b4_count(LW_B4_STAT_PASS_PCP, bytes);
		else
			lw_b4_count(LW_B4_STAT_PASS_NOT_OURS, bytes);
		return XDP_PASS;
	}
	if (ip6->nexthdr == IPPROTO_ICMPV6 && lw_ipv6_eq(&ip6->saddr, &cfg->aftr_addr))
		return lw_b4_icmpv6(ctx, cfg, l3off, bytes);
	if (ip6->nexthdr == IPPROTO_FRAGMENT) {
		/* the kernel reassembles; pcpd's raw socket decapsulates */
		lw_b4_count(LW_B4_STAT_PASS_IPV6_FRAGMENT, bytes);
		return XDP_PASS;
	}
	if (ip6->nexthdr != IPPROTO_IPIP) {
		lw_b4_count(LW_B4_STAT_PASS_NOT_OURS, bytes);
		return XDP_PASS;
	}
	if (!lw_ipv6_eq(&ip6->saddr, &cfg->aftr_addr))
		return lw_b4_drop(LW_B4_STAT_DROP_WRONG_AFTR, bytes); /* B4-DP-3 */
	lw_b4_count(LW_B4_STAT_RCVD_TUNNEL, bytes);

	payload_len = bpf_ntohs(ip6->payload_len);
	inner = l3off + sizeof(*ip6);
	iph = data + inner;
	if ((void *)(iph + 1) > data_end)
		return lw_b4_drop(LW_B4_STAT_DROP_BAD_INNER, bytes);
	ihl = iph->ihl * 4;
	tot_len = bpf_ntohs(iph->tot_len);
	if (iph->version != 4 || ihl < sizeof(*iph) || tot_len < ihl ||
	    data + inner + tot_len > data_end || tot_len > payload_len)
		return lw_b4_drop(LW_B4_STAT_DROP_BAD_INNER, bytes);
	proto = iph->protocol;
	saddr = iph->saddr;

	/* B4-DP-6: PCP answers and ANNOUNCEs inside the tunnel, before any
	 * address is ours */
	if (lw_b4_is_pcp(data, data_end, inner, 0)) {
		lw_b4_count(LW_B4_STAT_PASS_PCP, bytes);
		return XDP_PASS;
	}
	if (iph->frag_off & bpf_htons(IP_MF | IP_OFFSET))
		return lw_b4_drop(LW_B4_STAT_DROP_IPV4_FRAGMENT, bytes);
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP && proto != IPPROTO_ICMP)
		return lw_b4_drop(LW_B4_STAT_DROP_NOT_OUR_PORT, bytes);
	if (lw_parse_l4(data, data_end, inner + ihl, proto, &l4, &qsrc, &qdst))
		return lw_b4_drop(LW_B4_STAT_DROP_BAD_INNER, bytes);
	if (proto == IPPROTO_ICMP && l4.icmp_error)
		return lw_b4_error_from_wan(ctx, cfg, l3off, inner, ihl, tot_len, &l4, qsrc, qdst,
					    bytes);
	if (proto == IPPROTO_ICMP && l4.icmp_type != ICMP_ECHOREPLY)
		return lw_b4_drop(LW_B4_STAT_DROP_ICMP_TYPE, bytes);
	/* B4-DP-4: our address and a port of the pool, and mapped */
	if (!lw_b4_pool_find(iph->daddr, l4.dport, &ps))
		return lw_b4_drop(LW_B4_STAT_DROP_NOT_OUR_PORT, bytes);
	ik.addr = iph->daddr;
	ik.port = bpf_htons(l4.dport);
	ik.proto = proto;
	iv = bpf_map_lookup_elem(&LW_MAP_B4_IN, &ik);
	if (!iv) {
		/* B4-NAT-9 (RFC 5382 REQ-4): an unsolicited inbound SYN gets no
		 * reply, ever: dropped silently (no ICMP 3/3, and so no 6 s
		 * wait for an outbound SYN to decide), counted on its own */
		if (proto == IPPROTO_TCP) {
			struct tcphdr *th = data + ((inner + ihl) & 0x3ff);

			if ((void *)(th + 1) <= data_end && th->syn && !th->ack)
				return lw_b4_drop(LW_B4_STAT_DROP_UNSOLICITED_SYN, bytes);
		}
		return lw_b4_drop(LW_B4_STAT_DROP_NO_MAPPING, bytes);
	}
	ok.addr = iv->addr;
	ok.port = iv->port;
	ok.proto = proto;
	s = bpf_map_lookup_elem(&LW_MAP_B4_OUT, &ok);
	if (!s || s->ext_addr != ik.addr || s->ext_port != ik.port)
		return lw_b4_drop(LW_B4_STAT_DROP_NO_MAPPING, bytes);
	if (!lw_b4_admitted(cfg, s, saddr))
		return lw_b4_drop(LW_B4_STAT_DROP_FILTERED, bytes);
	if (iph->ttl <= 1) {
		lw_b4_count(LW_B4_STAT_DROP_TTL_ZERO, bytes);
		if (cfg->flags & LW_B4_CFG_EVENTS)
			lw_b4_emit_simple(ctx, cfg, LW_B4_EV_TTL_EXPIRED, LW_B4_DIR_FROM_WAN, l3off,
					  ETH_P_IPV6, 0);
		return XDP_DROP;
	}

	fib.family = AF_INET;
	fib.tos = iph->tos;
	fib.l4_protocol = proto;
	fib.tot_len = tot_len;
	fib.ifindex = lw_ingress_ifindex(ctx);
	fib.ipv4_src = saddr;
	fib.ipv4_dst = ok.addr;
	rc = lw_b4_route(ctx, cfg, &fib, &out, bytes);
	if (rc < 0)
		return XDP_DROP;
	if (rc == 2)
		return lw_b4_drop(LW_B4_STAT_DROP_OVER_MTU_DF, bytes); /* LAN MTU below the tunnel's */

	s->last_in_ns = bpf_ktime_get_ns();
	__sync_fetch_and_add(&s->packets_in, 1);

	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	ip6 = data + l3off;
	iph = data + (inner & 0x1ff);
	if ((void *)(ip6 + 1) > data_end || (void *)(iph + 1) > data_end)
		return XDP_DROP;
	lw_tunnel_ecn_decap(ip6, iph);
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = data + ((inner + ihl) & 0x3ff);

		if ((void *)(th + 1) > data_end)
			return XDP_DROP;
		bits = lw_b4_tcp_bits(th, 0);
		/* B4-FRAG-4: the SYN/ACK of a connection a LAN host opened comes
		 * from this side; clamping it keeps the host's segments within
		 * the tunnel too (a 1500-byte LAN would otherwise send segments
		 * that are too big for it, in both directions) */
		if ((cfg->flags & LW_B4_CFG_MSS_CLAMP) && cfg->ipv6_mtu > 80 &&
		    lw_b4_clamp_mss(data, data_end, inner + ihl, cfg->ipv6_mtu - 80))
			lw_b4_count(LW_B4_STAT_MSS_CLAMPED, 0);
	}
	if (bits)
		s->tcp_state |= bits;
	if (lw_b4_rewrite(data, data_end, iph, inner + ihl, 0, ok.addr, ok.port))
		return XDP_DROP;
	lw_ipv4_ttl_dec(iph);

	if (lw_b4_reframe(ctx, &out, inner + tot_len, (int)inner - (int)sizeof(struct ethhdr),
			  ETH_P_IP, bytes))
		return XDP_DROP;
	lw_b4_count(LW_B4_STAT_SENT_LAN, tot_len + sizeof(struct ethhdr));
	return lw_out_send(&out);
}

/* ---- entry ----------------------------------------------------------------------- */

SEC("xdp")
int lw4o6_b4(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 key = 0, bytes = (__u32)(data_end - data);
	__u32 ifindex = lw_ingress_ifindex(ctx);
	struct lw_b4_config *cfg;
	struct lw_l2 l2;

	cfg = bpf_map_lookup_elem(&LW_MAP_B4_CFG, &key);
	if (!cfg)
		return XDP_PASS;
	/* tagged frames are not handled yet: the kernel's */
	if (lw_parse_l2(data, data_end, &l2) || l2.vid) {
		lw_b4_count(LW_B4_STAT_PASS_NOT_OURS, bytes);
		return XDP_PASS;
	}
	if (l2.eth_proto == ETH_P_IP && ifindex == cfg->lan_ifindex)
		return lw_b4_from_lan(ctx, cfg, l2.l3off, bytes);
	if (l2.eth_proto == ETH_P_IPV6 && ifindex == cfg->wan_ifindex)
		return lw_b4_from_wan(ctx, cfg, l2.l3off, bytes);
	lw_b4_count(LW_B4_STAT_PASS_NOT_OURS, bytes);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
