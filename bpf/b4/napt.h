/* SPDX-License-Identifier: GPL-2.0 */
/* NAPT44 of the lwB4 (RFC 4787, RFC 5382, RFC 7857): the mappings in
 * lw_b4_out / lw_b4_in (include/lw4o6/b4.h), their creation, filtering
 * (ADF/EIF) and the translation of a packet in place, every checksum
 * updated incrementally. */
#ifndef LW4O6_BPF_B4_NAPT_H
#define LW4O6_BPF_B4_NAPT_H

#include <linux/bpf.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "lw4o6/b4.h"
#include "maps.h"
#include "parse.h"
#include "csum.h"
#include "report.h"
#include "pool.h"
#include "mss.h"

/* RFC 1624 for a 32-bit field, as two 16-bit words in memory order. */
static __always_inline __u16 lw_b4_csum_addr(__u16 check, __be32 old, __be32 new)
{
	check = lw_csum_replace2(check, (__u16)old, (__u16) new);
	return lw_csum_replace2(check, (__u16)(old >> 16), (__u16)(new >> 16));
}

/* Rewrites one address and one port (the ICMP Identifier: no pseudo-header)
 * of the IPv4 packet at iph, with every checksum updated incrementally.
 * src: the source side (outbound) or the destination side (inbound).
 * Returns 0, or -1 when a header is cut short. */
static __always_inline int lw_b4_rewrite(void *data, void *data_end, struct iphdr *iph, __u32 l4off,
					 int src, __be32 new_addr, __be16 new_port)
{
	__be32 old_addr = src ? iph->saddr : iph->daddr;
	__u8 proto = iph->protocol;

	l4off &= LW_L4_OFF_MASK;
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
			uh->check = c ? c : LW_UDP_CSUM_ZERO_SENT;
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

/* The mapping of {proto, saddr, sport}, created when missing: keep the
 * internal port if it is free and in the pool, else a bounded random probe
 * (B4-NAT-11). The reverse entry is claimed (BPF_NOEXIST) before the forward
 * one, so that a port never gets two mappings (B4-NAT-3); a CPU that loses
 * the race for the forward entry releases its port and uses the winner's.
 * Returns the session, or NULL with *stat set to the drop reason. */
static __always_inline struct lw_b4_session *lw_b4_mapping(struct xdp_md *ctx,
							   const struct lw_b4_config *cfg,
							   __u32 l3off, __u8 proto, __be32 saddr,
							   __be16 sport, __be32 daddr, __u32 *stat)
{
	struct lw_b4_out_key ok = { .addr = saddr, .port = sport, .proto = proto };
	struct lw_b4_session *s, ns = {};
	struct lw_b4_probe p = { .internal = { .addr = saddr, .port = sport }, .proto = proto };
	__u64 now;

	s = bpf_map_lookup_elem(&LW_MAP_B4_OUT, &ok);
	if (s)
		return s;
	p.total = lw_b4_pool_total();
	if (!p.total) {
		*stat = LW_B4_STAT_DROP_NO_POOL;
		return 0;
	}
	lw_b4_pool_claim(&p, bpf_ntohs(sport));
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

/* The mapping whose reverse entry for external endpoint ik is iv, if its
 * forward entry agrees on that endpoint (one without the other is no
 * mapping: user space may be between the two writes); its internal
 * endpoint in *ok. */
static __always_inline struct lw_b4_session *lw_b4_mapping_in(const struct lw_b4_in_key *ik,
							      const struct lw_b4_in_val *iv,
							      struct lw_b4_out_key *ok)
{
	struct lw_b4_session *s;

	*ok = (struct lw_b4_out_key){ .addr = iv->addr, .port = iv->port, .proto = ik->proto };
	s = bpf_map_lookup_elem(&LW_MAP_B4_OUT, ok);
	if (!s || s->ext_addr != ik->addr || s->ext_port != ik->port)
		return 0;
	return s;
}

/* The mapping of external endpoint {proto, addr, port} (see
 * lw_b4_mapping_in), or NULL. */
static __always_inline struct lw_b4_session *lw_b4_mapping_of(__u8 proto, __be32 addr, __be16 port,
							      struct lw_b4_out_key *ok)
{
	struct lw_b4_in_key ik = { .addr = addr, .port = port, .proto = proto };
	struct lw_b4_in_val *iv = bpf_map_lookup_elem(&LW_MAP_B4_IN, &ik);

	return iv ? lw_b4_mapping_in(&ik, iv, ok) : 0;
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
		struct tcphdr *th = data + (l4off & LW_L4_OFF_MASK);

		if ((void *)(th + 1) > data_end)
			return -1;
		bits = lw_b4_tcp_bits(th, 1);
		lw_b4_clamp_mss_for(cfg, data, data_end, l4off, mtu);
	}
	if (bits)
		s->tcp_state |= bits;
	if (lw_b4_rewrite(data, data_end, iph, l4off, 1, s->ext_addr, s->ext_port))
		return -1;
	lw_ipv4_ttl_dec(iph);
	return 0;
}

/* Translates the inbound packet at iph in place for mapping s, whose
 * internal endpoint is ok: TCP state bits, MSS clamp of the SYN/ACK of a
 * connection a LAN host opened (it keeps the host's segments within the
 * tunnel too: a 1500-byte LAN would otherwise send segments too big for it,
 * both ways), destination rewritten with every checksum, TTL−1. The caller
 * has refreshed the mapping. Returns 0, or -1 when a header is cut short. */
static __always_inline int lw_b4_translate_in(void *data, void *data_end,
					      const struct lw_b4_config *cfg,
					      struct lw_b4_session *s, struct iphdr *iph,
					      __u32 l4off, __u8 proto,
					      const struct lw_b4_out_key *ok)
{
	__u8 bits = 0;

	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = data + (l4off & LW_L4_OFF_MASK);

		if ((void *)(th + 1) > data_end)
			return -1;
		bits = lw_b4_tcp_bits(th, 0);
		lw_b4_clamp_mss_for(cfg, data, data_end, l4off, cfg->ipv6_mtu);
	}
	if (bits)
		s->tcp_state |= bits;
	if (lw_b4_rewrite(data, data_end, iph, l4off, 0, ok->addr, ok->port))
		return -1;
	lw_ipv4_ttl_dec(iph);
	return 0;
}

#endif
