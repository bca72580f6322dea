/* SPDX-License-Identifier: GPL-2.0 */
/* ICMPv4 errors through the lwB4's NAPT (B4-NAT-15/16; RFC 5508): about a
 * flow of a mapping, both ways, checked before their quote is trusted, the
 * outer address and the quote translated as the NAPT translated the packet
 * quoted; a mapping is never created or refreshed by one (B4-NAT-13). */
#ifndef LW4O6_BPF_B4_ICMP_H
#define LW4O6_BPF_B4_ICMP_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "lw4o6/b4.h"
#include "maps.h"
#include "parse.h"
#include "csum.h"
#include "csum_pkt.h"
#include "tunnel.h"
#include "report.h"
#include "pool.h"
#include "napt.h"
#include "route.h"

/* Rewrites the packet quoted by the ICMPv4 error at icoff, whose IPv4
 * packet ends at offset end (its Total Length): the quote's source (src: an
 * error from the tunnel about a packet we sent) or its destination (an error
 * from a LAN host about a packet it received) becomes new_addr : new_port
 * (port or echo Identifier). The quoted IPv4 header checksum and, when the
 * quote holds it within end, the quoted TCP/UDP/ICMP checksum are updated as
 * the NAPT updated them (so the quote reads as the packet really sent: RFC
 * 5508 REQ-4a/5a), and the ICMP checksum follows every changed word (all at
 * even offsets of the message: the quote starts at 8, its L4 header at a
 * multiple of 4 after that). Bytes after end are no part of the message: a
 * checksum found there is left alone, or the ICMP checksum would follow a
 * change the message does not carry. Returns 0, or -1 when a header is cut
 * short. */
static __always_inline int lw_b4_quote_rewrite(void *data, void *data_end, __u32 icoff, __u32 end,
					       int src, __be32 new_addr, __be16 new_port)
{
	struct icmphdr *ic = data + (icoff & LW_L4_OFF_MASK);
	struct iphdr *q;
	__be32 old_addr;
	__be16 old_port;
	__u16 icsum, old, new;
	__u32 ql4, ck_end;
	__u8 qproto;

	if ((void *)(ic + 1) > data_end)
		return -1;
	q = (void *)(ic + 1);
	if ((void *)(q + 1) > data_end)
		return -1;
	qproto = q->protocol;
	ql4 = (icoff + sizeof(*ic) + q->ihl * 4) & LW_L4_OFF_MASK;
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
		ck = qproto == IPPROTO_TCP ? (__be16 *)&((struct tcphdr *)ports)->check
					   : (__be16 *)&((struct udphdr *)ports)->check;
		ck_end = ql4 + sizeof(*ck) +
			 (qproto == IPPROTO_TCP ? __builtin_offsetof(struct tcphdr, check)
						: __builtin_offsetof(struct udphdr, check));
		asm volatile("" : "+r"(end)); /* a bound on a copy: see lw_parse_l4 */
		if ((void *)(ck + 1) <= data_end && ck_end <= end &&
		    (qproto == IPPROTO_TCP || *ck)) {
			old = *ck;
			new = lw_b4_csum_addr(old, old_addr, new_addr);
			new = lw_csum_replace2(new, old_port, new_port);
			if (qproto == IPPROTO_UDP && !new)
				new = LW_UDP_CSUM_ZERO_SENT;
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
	struct iphdr *q = data + ((icoff + sizeof(struct icmphdr)) & LW_L4_OFF_MASK);

	if (!lw_packet_csum_ok(ctx, icoff, icmp_len))
		return LW_B4_STAT_DROP_ICMP_CSUM;
	if ((void *)(q + 1) > data_end)
		return LW_B4_STAT_DROP_BAD_IPV4;
	if (!lw_ipv4_hdr_csum_ok(ctx, icoff + sizeof(struct icmphdr), q->ihl * 4) || !l4->has_ports)
		return LW_B4_STAT_DROP_ICMP_QUOTE;
	return 0;
}

/* The IPv4 header of the ICMPv4 error at ipv4_off and the header its quote
 * starts with, once lw_b4_error_checks passed: both in the frame, else
 * NULL. */
static __always_inline struct iphdr *lw_b4_error_quote(void *data, void *data_end, __u32 ipv4_off,
						       __u32 ihl, struct iphdr **iph)
{
	struct iphdr *q = data + ((ipv4_off + ihl + sizeof(struct icmphdr)) & LW_L4_OFF_MASK);

	*iph = data + ipv4_off;
	if ((void *)(*iph + 1) > data_end || (void *)(q + 1) > data_end)
		return 0;
	return q;
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
	struct lw_b4_out_key ok;
	struct lw_b4_portset *ps;
	struct lw_b4_sess *s;
	struct ipv6hdr *ip6;
	struct iphdr *iph, *q;
	struct lw_out out;
	__be32 daddr;
	__u32 stat;

	inner &= LW_INNER_OFF_MASK;
	stat = lw_b4_error_checks(ctx, inner + ihl, tot_len - ihl, l4);
	if (stat)
		return lw_b4_drop(stat, bytes);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	q = lw_b4_error_quote(data, data_end, inner, ihl, &iph);
	if (!q)
		return XDP_DROP;
	daddr = iph->daddr;
	ps = qsrc == daddr ? lw_b4_pool_find(daddr, l4->dport) : 0;
	if (!ps)
		return lw_b4_drop(LW_B4_STAT_DROP_ICMP_NO_MAPPING, bytes);
	s = lw_b4_session_in(lw_b4_proto_index(q->protocol), ps, daddr, l4->dport);
	if (!s)
		return lw_b4_drop(LW_B4_STAT_DROP_ICMP_NO_MAPPING, bytes);
	ok = (struct lw_b4_out_key){ .addr = s->int_addr,
				     .port = s->int_port,
				     .proto = q->protocol };
	if (!lw_b4_admitted(cfg, s, qdst))
		return lw_b4_drop(LW_B4_STAT_DROP_FILTERED, bytes);
	if (iph->ttl <= 1) /* no error about an error */
		return lw_b4_drop(LW_B4_STAT_DROP_TTL_ZERO, bytes);
	if (lw_b4_route_to_lan(ctx, cfg, &out, iph->tos, IPPROTO_ICMP, tot_len, iph->saddr, ok.addr,
			       bytes))
		return XDP_DROP;

	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	ip6 = data + (l3off & LW_L3_OFF_MASK);
	iph = data + inner;
	if ((void *)(ip6 + 1) > data_end || (void *)(iph + 1) > data_end)
		return XDP_DROP;
	lw_tunnel_ecn_decap(ip6, iph);
	if (lw_b4_quote_rewrite(data, data_end, inner + ihl, inner + tot_len, 1, ok.addr, ok.port))
		return XDP_DROP;
	iph->check = lw_b4_csum_addr(iph->check, daddr, ok.addr);
	iph->daddr = ok.addr;
	lw_ipv4_ttl_dec(iph);

	if (lw_b4_frame_for_lan(ctx, &out, inner, tot_len, bytes))
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
	struct lw_b4_find f = {};
	struct lw_b4_sess *s;
	struct iphdr *iph, *q;
	struct lw_out out;
	__be32 saddr, ext_addr;
	__be16 ext_port;
	__u32 stat;
	__u8 tos;

	l3off &= LW_L3_OFF_MASK;
	stat = lw_b4_error_checks(ctx, l3off + ihl, tot_len - ihl, l4);
	if (stat)
		return lw_b4_drop(stat, bytes);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	q = lw_b4_error_quote(data, data_end, l3off, ihl, &iph);
	if (!q)
		return XDP_DROP;
	f.ok.addr = qdst;
	f.ok.port = bpf_htons(l4->sport); /* the quoted destination port */
	f.ok.proto = q->protocol;
	s = lw_b4_find_out(&f);
	if (!s)
		return lw_b4_drop(LW_B4_STAT_DROP_ICMP_NO_MAPPING, bytes);
	ext_addr = f.e.addr;
	ext_port = f.e.port;
	if (iph->ttl <= 1) /* no error about an error */
		return lw_b4_drop(LW_B4_STAT_DROP_TTL_ZERO, bytes);
	if (tot_len + LW_TUNNEL_HLEN > cfg->ipv6_mtu)
		return lw_b4_drop(LW_B4_STAT_DROP_OVER_MTU_DF, bytes);
	saddr = iph->saddr;
	tos = iph->tos;
	switch (lw_b4_route_to_aftr(ctx, cfg, &fib, &out, tot_len, bytes)) {
	case LW_FWD_DROP: return XDP_DROP;
	case LW_FWD_TOO_BIG: return lw_b4_drop(LW_B4_STAT_DROP_OVER_MTU_DF, bytes);
	}

	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	iph = data + l3off;
	if ((void *)(iph + 1) > data_end)
		return XDP_DROP;
	if (lw_b4_quote_rewrite(data, data_end, l3off + ihl, l3off + tot_len, 0, ext_addr,
				ext_port))
		return XDP_DROP;
	iph->check = lw_b4_csum_addr(iph->check, saddr, ext_addr);
	iph->saddr = ext_addr;
	lw_ipv4_ttl_dec(iph);

	if (lw_b4_encap(ctx, cfg, &out, l3off, tot_len, tos, bytes))
		return XDP_DROP;
	lw_b4_count(LW_B4_STAT_ICMP_ERR_OUT, bytes);
	return lw_out_send(&out);
}

#endif
