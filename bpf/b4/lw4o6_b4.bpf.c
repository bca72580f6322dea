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
#include <linux/icmpv6.h>
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
#include "fwd.h"
#include "tunnel.h"
#include "report.h" /* counters and events */
#include "pool.h"   /* the granted port sets, the port probe */
#include "mss.h"    /* TCP MSS clamping */
#include "napt.h"   /* NAPT44 mappings and translation */
#include "route.h"  /* the way out: FIB, frame, tunnel header */
#include "icmp.h"   /* ICMPv4 errors through the NAPT */

struct {
	__uint(priority, 40);
	__uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(lw4o6_b4);

/* ---- from the LAN ---------------------------------------------------------------- */

/* DF set and too big for the tunnel (B4-FRAG-2): dropped, and an event with
 * the ORIGINAL packet (pcpd quotes it in the ICMPv4 3/4 to the LAN host) and
 * the tunnel's IPv4 MTU. */
static __always_inline int lw_b4_too_big(struct xdp_md *ctx, const struct lw_b4_config *cfg,
					 __u32 l3off, __u32 ipv6_mtu, __u64 bytes)
{
	return lw_b4_drop_tell(ctx, cfg, LW_B4_STAT_DROP_OVER_MTU_DF, bytes, LW_B4_EV_TOO_BIG_DF,
			       LW_B4_DIR_FROM_LAN, l3off, ETH_P_IP, lw_tunnel_ipv4_mtu(ipv6_mtu));
}

/* DF clear and too big for the tunnel (B4-FRAG-1). XDP cannot fragment, so
 * the packet is translated by the NAPT exactly like any outbound packet,
 * then goes to pcpd as the FRAG_NEEDED event (mtu = the tunnel's IPv6 MTU)
 * and is dropped here; pcpd sends it inside IPv6 to the lwAFTR, in
 * fragments of at most that MTU that it builds itself (RFC 2473 §7.1). The
 * caller has created or found the mapping of {proto, source, sport}, whose
 * session is at pos.
 *
 * lw_b4_punt_xlate translates and counts; a global function, verified once
 * on its own instead of doubling the states of lw_b4_from_lan, with
 * arguments it must check (l4 = ihl << 16 | proto). Returns 0 when the
 * packet is translated and fits the event, else 1 (dropped, counted). The
 * event is emitted by the caller, whose stack is the larger. */
__attribute__((noinline)) int lw_b4_punt_xlate(struct xdp_md *ctx, __u32 l3off, __u32 l4, __u32 pos,
					       __u32 mtu)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct lw_b4_ref e = { .pos = pos };
	struct lw_b4_config *cfg;
	struct lw_b4_sess *s;
	struct iphdr *iph;
	__u32 key = 0, bytes = (__u32)(data_end - data);

	cfg = bpf_map_lookup_elem(&LW_MAP_B4_CFG, &key);
	s = bpf_map_lookup_elem(&LW_MAP_B4_SESS, &pos);
	l3off &= LW_L3_OFF_MASK;
	iph = data + l3off;
	if (!cfg || !s || (void *)(iph + 1) > data_end || s->int_addr != iph->saddr)
		return 1;
	/* the slow path gets the whole packet or nothing, never a truncated
	 * one (the mapping stays, as for any packet dropped on the way) */
	if (bpf_ntohs(iph->tot_len) > LW_B4_EVENT_MAX_CAPTURE) {
		lw_b4_count(LW_B4_STAT_DROP_FRAG_TOO_LONG, bytes);
		return 1;
	}
	e.addr = s->ext_addr;
	e.port = s->ext_port;
	if (lw_b4_translate_out(data, data_end, cfg, s, &e, iph,
				l3off + ((l4 >> 16) & LW_IPV4_HLEN_MASK), (__u8)l4, iph->daddr,
				mtu))
		return 1;
	lw_b4_count(LW_B4_STAT_PUNT_FRAG_NEEDED, bytes);
	return 0;
}

static __always_inline int lw_b4_punt(struct xdp_md *ctx, const struct lw_b4_config *cfg,
				      __u32 l3off, __u32 ihl, __u8 proto, __u32 pos, __u32 mtu)
{
	if (lw_b4_punt_xlate(ctx, l3off, ihl << 16 | proto, pos, mtu) == 0 &&
	    (cfg->flags & LW_B4_CFG_EVENTS))
		lw_b4_emit_simple(ctx, cfg, LW_B4_EV_FRAG_NEEDED, LW_B4_DIR_FROM_LAN, l3off,
				  ETH_P_IP, mtu);
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
					 const struct lw_b4_portset *ps, __u32 l3off, __u32 ihl,
					 __u32 tot_len, __u8 proto, __be32 saddr, __be16 sport,
					 __be32 daddr, __u16 dport, __u32 bytes)
{
	void *data, *data_end;
	struct lw_b4_out_key ok;
	struct lw_b4_ref e;
	struct lw_b4_sess *s, *d;
	struct iphdr *iph;
	struct lw_out out;
	__u32 stat = 0;
	__u8 bits_s = 0, bits_d = 0;

	/* the sender's mapping first, as for any outbound packet (EIM) */
	s = lw_b4_mapping(ctx, cfg, l3off, proto, saddr, sport, daddr, &e, &stat);
	if (!s)
		return lw_b4_no_mapping(ctx, cfg, stat, l3off, bytes);
	d = lw_b4_session_in(lw_b4_proto_index(proto), ps, daddr, dport);
	if (!d)
		return lw_b4_drop(LW_B4_STAT_DROP_NO_MAPPING, bytes);
	ok = (struct lw_b4_out_key){ .addr = d->int_addr, .port = d->int_port, .proto = proto };
	if (!lw_b4_admitted(cfg, d, e.addr))
		return lw_b4_drop(LW_B4_STAT_DROP_FILTERED, bytes);
	if (lw_b4_route_to_lan(ctx, cfg, &out, 0, proto, tot_len, e.addr, ok.addr, bytes))
		return XDP_DROP;

	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	iph = data + (l3off & LW_L3_OFF_MASK);
	if ((void *)(iph + 1) > data_end)
		return XDP_DROP;
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = data + ((l3off + ihl) & LW_L4_OFF_MASK);

		if ((void *)(th + 1) > data_end)
			return XDP_DROP;
		bits_s = lw_b4_tcp_bits(th, 1);
		bits_d = lw_b4_tcp_bits(th, 0);
	}
	/* both mappings are used: the sender's outbound, the receiver's inbound */
	s->last_out_ns = lw_b4_now();
	s->packets_out++;
	lw_b4_remember(s, daddr);
	if (bits_s)
		s->tcp_state |= bits_s;
	d->last_in_ns = s->last_out_ns;
	d->packets_in++;
	if (bits_d)
		d->tcp_state |= bits_d;

	if (lw_b4_rewrite(data, data_end, iph, l3off + ihl, 1, e.addr, e.port, 0) ||
	    lw_b4_rewrite(data, data_end, iph, l3off + ihl, 0, ok.addr, ok.port, 1))
		return XDP_DROP;
	if (lw_b4_frame_for_lan(ctx, &out, l3off, tot_len, bytes))
		return XDP_DROP;
	lw_b4_count(LW_B4_STAT_HAIRPIN, tot_len + sizeof(struct ethhdr));
	return lw_out_send(&out);
}

/* The outbound fast path (B4-DP-1/2): the packet of mapping s, which fits
 * mtu, the tunnel's, leaves translated and encapsulated towards the lwAFTR
 * if the route to it takes the packet whole; else, as for the tunnel MTU,
 * DF gets an ICMPv4 3/4 and no DF the slow path. fib: zeroed by the caller
 * (lw_b4_from_lan says why). */
static __always_inline int lw_b4_napt_and_encap(struct xdp_md *ctx, const struct lw_b4_config *cfg,
						struct lw_b4_sess *s, const struct lw_b4_ref *e,
						struct bpf_fib_lookup *fib, __u32 l3off, __u32 ihl,
						__u32 tot_len, __u8 proto, __u8 tos,
						__be16 frag_off, __u16 sport, __be32 daddr,
						__u32 mtu, __u32 bytes)
{
	void *data, *data_end;
	struct iphdr *iph;
	struct lw_out out;

	switch (lw_b4_route_to_aftr(ctx, cfg, fib, &out, tot_len, bytes)) {
	case LW_FWD_DROP: return XDP_DROP;
	case LW_FWD_TOO_BIG:
		/* the route's MTU is below the configured tunnel MTU */
		if (frag_off & bpf_htons(IP_DF))
			return lw_b4_too_big(ctx, cfg, l3off, fib->mtu_result, bytes);
		return lw_b4_punt(ctx, cfg, l3off, ihl, proto, e->pos, fib->mtu_result);
	}

	/* translate in place; pointers were last checked before the lookup */
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	iph = data + l3off;
	if ((void *)(iph + 1) > data_end)
		return XDP_DROP;
	if (lw_b4_translate_out(data, data_end, cfg, s, e, iph, l3off + ihl, proto, daddr, mtu))
		return XDP_DROP;
	if (lw_b4_encap(ctx, cfg, &out, l3off, tot_len, tos, bytes))
		return XDP_DROP;
	return lw_out_send(&out);
}

/* IPv4 on the LAN side: a LAN host's traffic for the internet is checked
 * (whole, not a fragment: B4-NAT-19, TCP, UDP or ICMP echo, TTL), then
 * hairpinned when it is for one of our own endpoints, else mapped and sent
 * through the tunnel or, too big for it, answered or punted. ICMPv4 errors
 * take their own path. */
static __always_inline int lw_b4_from_lan(struct xdp_md *ctx, const struct lw_b4_config *cfg,
					  __u32 l3off, __u32 bytes)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	/* Zeroed here, before the paths part, although only the fast path
	 * routes: its stack slots then hold one constant on every path, which
	 * the verifier prunes as one state. Zeroed where it is used, the slots
	 * hold other locals first and lw4o6_b4 took 40% more instructions to
	 * verify (prog-b4 budgets them). */
	struct bpf_fib_lookup fib = {};
	struct lw_b4_portset *ps;
	struct lw_b4_ref e;
	struct lw_b4_sess *s;
	struct iphdr *iph;
	struct lw_l4 l4;
	__be32 qsrc = 0, qdst = 0, saddr, daddr;
	__u32 ihl, tot_len, stat = 0, mtu = cfg->ipv6_mtu;
	__be16 frag_off;
	__u8 proto, tos;

	l3off &= LW_L3_OFF_MASK;
	iph = data + l3off;
	if ((void *)(iph + 1) > data_end)
		return lw_b4_drop(LW_B4_STAT_DROP_BAD_IPV4, bytes);
	saddr = iph->saddr;
	daddr = iph->daddr;
	/* ours, LAN-local, multicast/broadcast, or not from a LAN host (kept
	 * in line: as a function of its own it cost the verifier 9% more) */
	if (daddr == cfg->lan_addr || lw_b4_in_lan(cfg, daddr) ||
	    lw_ipv4_multicast_or_above(daddr) || !lw_b4_in_lan(cfg, saddr) ||
	    saddr == cfg->lan_addr)
		return lw_b4_pass(LW_B4_STAT_PASS_NOT_OURS, bytes);
	lw_b4_count(LW_B4_STAT_RCVD_LAN, bytes);
	if (!lw_ipv4_whole(iph, data_end, &ihl, &tot_len) || !lw_ipv4_csum_ok(ctx, iph, l3off))
		return lw_b4_drop(LW_B4_STAT_DROP_BAD_IPV4, bytes);
	frag_off = iph->frag_off;
	if (lw_ipv4_is_fragment(iph))
		return lw_b4_drop(LW_B4_STAT_DROP_IPV4_FRAGMENT, bytes); /* B4-NAT-19: later */
	proto = iph->protocol;
	tos = iph->tos;
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP && proto != IPPROTO_ICMP)
		return lw_b4_drop(LW_B4_STAT_DROP_PROTO, bytes);
	if (lw_parse_l4(data, data_end, l3off + ihl, l3off + tot_len, proto, &l4, &qsrc, &qdst))
		return lw_b4_drop(LW_B4_STAT_DROP_BAD_IPV4, bytes);
	if (proto == IPPROTO_ICMP && l4.icmp_error)
		return lw_b4_error_from_lan(ctx, cfg, l3off, ihl, tot_len, &l4, qdst, bytes);
	if (proto == IPPROTO_ICMP && l4.icmp_type != ICMP_ECHO)
		return lw_b4_drop(LW_B4_STAT_DROP_ICMP_TYPE, bytes);
	if (iph->ttl <= 1)
		return lw_b4_drop_tell(ctx, cfg, LW_B4_STAT_DROP_TTL_ZERO, bytes,
				       LW_B4_EV_TTL_EXPIRED, LW_B4_DIR_FROM_LAN, l3off, ETH_P_IP,
				       0);
	if (proto != IPPROTO_ICMP && (ps = lw_b4_pool_find(daddr, l4.dport)))
		return lw_b4_hairpin(ctx, cfg, ps, l3off, ihl, tot_len, proto, saddr,
				     bpf_htons(l4.sport), daddr, l4.dport, bytes);
	/* too big for the tunnel: DF → 3/4 quoting the original packet; no DF
	 * → through the NAPT, then to the slow path (lw_b4_punt) */
	if (tot_len + LW_TUNNEL_HLEN > mtu && (frag_off & bpf_htons(IP_DF)))
		return lw_b4_too_big(ctx, cfg, l3off, mtu, bytes);

	s = lw_b4_mapping(ctx, cfg, l3off, proto, saddr, bpf_htons(l4.sport), daddr, &e, &stat);
	if (!s)
		return lw_b4_no_mapping(ctx, cfg, stat, l3off, bytes);
	if (tot_len + LW_TUNNEL_HLEN > mtu)
		return lw_b4_punt(ctx, cfg, l3off, ihl, proto, e.pos, mtu);
	return lw_b4_napt_and_encap(ctx, cfg, s, &e, &fib, l3off, ihl, tot_len, proto, tos,
				    frag_off, l4.sport, daddr, mtu, bytes);
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
	struct iphdr *iph = data + (inner & LW_INNER_OFF_MASK);
	struct udphdr *uh;
	__u32 ihl, udp_end;

	if ((void *)(iph + 1) > data_end || iph->version != 4 || iph->ihl < 5 ||
	    iph->protocol != IPPROTO_UDP || iph->saddr != bpf_htonl(LW_PCP_SERVER_ADDR) ||
	    (iph->frag_off & bpf_htons(IP_OFFSET)))
		return 0;
	ihl = iph->ihl * 4;
	uh = data + ((inner + ihl) & LW_INNER_OFF_MASK);
	udp_end = ihl + sizeof(*uh);
	asm volatile("" : "+r"(udp_end)); /* a bound on a copy leaves ihl's range alone */
	if ((void *)(uh + 1) > data_end || udp_end > bpf_ntohs(iph->tot_len) ||
	    uh->source != bpf_htons(LW_PCP_SERVER_PORT))
		return 0;
	if (iph->daddr == bpf_htonl(LW_PCP_B4_CLIENT_ADDR) && !mcast)
		return 1;
	return (iph->daddr == bpf_htonl(LW_PCP_B4_CLIENT_ADDR) ||
		iph->daddr == bpf_htonl(LW_PCP_ALL_HOSTS)) &&
	       uh->dest == bpf_htons(LW_PCP_CLIENT_PORT);
}

/* ff02::1, the link-local all-nodes address */
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
	struct lw_b4_evinfo ei = { .type = LW_B4_EV_NO_BINDING,
				   .dir = LW_B4_DIR_FROM_WAN,
				   .l3_proto = ETH_P_IPV6,
				   .l3off = l3off };
	struct icmp6hdr *ic = data + l3off + sizeof(struct ipv6hdr);
	struct lw_b4_portset *ps;
	struct ipv6hdr *q6;
	struct iphdr *q4;
	__be16 *qp;
	__u32 qoff;
	__u16 qport = 0;

	lw_b4_count(LW_B4_STAT_PASS_ICMPV6, bytes);
	if ((void *)(ic + 1) > data_end || ic->icmp6_type != ICMPV6_DEST_UNREACH ||
	    ic->icmp6_code != ICMPV6_POLICY_FAIL)
		return XDP_PASS;
	q6 = (void *)(ic + 1);
	q4 = (void *)(q6 + 1);
	if ((void *)(q4 + 1) <= data_end && q6->nexthdr == IPPROTO_IPIP && q4->ihl >= 5) {
		qoff = (l3off + sizeof(struct ipv6hdr) + sizeof(*ic) + sizeof(*q6) + q4->ihl * 4) &
		       LW_INNER_OFF_MASK;
		qp = data + qoff;
		if ((void *)(qp + 3) <= data_end) {
			if (q4->protocol == IPPROTO_TCP || q4->protocol == IPPROTO_UDP)
				qport = bpf_ntohs(qp[0]);
			else if (q4->protocol == IPPROTO_ICMP)
				qport = bpf_ntohs(qp[2]); /* echo Identifier */
			ps = lw_b4_pool_find(q4->saddr, qport);
			if (ps) {
				ei.ps_ipv4 = ps->ipv4;
				ei.ps_first = ps->first;
				ei.ps_size = ps->size;
			}
		}
	}
	lw_b4_emit(ctx, cfg, &ei);
	return XDP_PASS;
}

/* An inbound packet of mapping s, internal endpoint ok, leaves decapsulated
 * and translated towards the LAN host: the mapping refreshed by it
 * (B4-NAT-6), the outer ECN kept (RFC 6040). */
static __always_inline int lw_b4_decap_and_napt(struct xdp_md *ctx, const struct lw_b4_config *cfg,
						struct lw_b4_sess *s,
						const struct lw_b4_out_key *ok, __u32 l3off,
						__u32 inner, __u32 ihl, __u32 tot_len, __u64 bytes)
{
	void *data, *data_end;
	struct ipv6hdr *ip6;
	struct iphdr *iph;
	struct lw_out out;

	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	iph = data + (inner & LW_INNER_OFF_MASK);
	if ((void *)(iph + 1) > data_end)
		return XDP_DROP;
	if (lw_b4_route_to_lan(ctx, cfg, &out, iph->tos, ok->proto, tot_len, iph->saddr, ok->addr,
			       bytes))
		return XDP_DROP;
	s->last_in_ns = lw_b4_now();
	s->packets_in++;

	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	ip6 = data + l3off;
	iph = data + (inner & LW_INNER_OFF_MASK);
	if ((void *)(ip6 + 1) > data_end || (void *)(iph + 1) > data_end)
		return XDP_DROP;
	lw_tunnel_ecn_decap(ip6, iph);
	if (lw_b4_translate_in(data, data_end, cfg, s, iph, inner + ihl, ok->proto, ok))
		return XDP_DROP;
	if (lw_b4_frame_for_lan(ctx, &out, inner, tot_len, bytes))
		return XDP_DROP;
	lw_b4_count(LW_B4_STAT_SENT_LAN, tot_len + sizeof(struct ethhdr));
	return lw_out_send(&out);
}

/* B4-NAT-9 (RFC 5382 REQ-4): an unsolicited inbound SYN gets no reply,
 * ever: dropped silently (no ICMP 3/3, and so no 6 s wait for an outbound
 * SYN to decide), counted on its own. */
static __always_inline int lw_b4_unsolicited_syn(void *data, void *data_end, __u8 proto,
						 __u32 l4off)
{
	struct tcphdr *th = data + (l4off & LW_L4_OFF_MASK);

	return proto == IPPROTO_TCP && (void *)(th + 1) <= data_end && th->syn && !th->ack;
}

/* IPv4 from the lwAFTR at inner: PCP for pcpd (B4-DP-6), ICMPv4 errors
 * their own path, and what is left must be TCP, UDP or an echo reply to our
 * address and a port of the pool (B4-DP-4) with a mapping that admits its
 * source (B4-NAT-4). */
static __always_inline int lw_b4_from_tunnel(struct xdp_md *ctx, const struct lw_b4_config *cfg,
					     const struct ipv6hdr *ip6, __u32 l3off, __u32 bytes)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 inner = l3off + sizeof(*ip6), ihl, tot_len;
	struct iphdr *iph = data + inner;
	struct lw_b4_out_key ok;
	struct lw_b4_portset *ps;
	struct lw_b4_sess *s;
	struct lw_l4 l4;
	__be32 qsrc = 0, qdst = 0;
	__u8 proto;

	/* a truncated IPv6 packet counts with the malformed inner ones: the
	 * lwB4 has no counter of malformed IPv6 (what it does not decapsulate
	 * is the kernel's, which checks for itself) */
	if (!lw_ipv6_whole(ip6, l3off, bytes) || (void *)(iph + 1) > data_end ||
	    !lw_ipv4_whole(iph, data_end, &ihl, &tot_len) ||
	    tot_len > bpf_ntohs(ip6->payload_len) || !lw_ipv4_csum_ok(ctx, iph, inner))
		return lw_b4_drop(LW_B4_STAT_DROP_BAD_INNER, bytes);
	proto = iph->protocol;
	/* B4-DP-6: PCP answers and ANNOUNCEs inside the tunnel, before any
	 * address is ours */
	if (lw_b4_is_pcp(data, data_end, inner, 0))
		return lw_b4_pass(LW_B4_STAT_PASS_PCP, bytes);
	if (lw_ipv4_is_fragment(iph))
		return lw_b4_drop(LW_B4_STAT_DROP_IPV4_FRAGMENT, bytes);
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP && proto != IPPROTO_ICMP)
		return lw_b4_drop(LW_B4_STAT_DROP_NOT_OUR_PORT, bytes);
	if (lw_parse_l4(data, data_end, inner + ihl, inner + tot_len, proto, &l4, &qsrc, &qdst))
		return lw_b4_drop(LW_B4_STAT_DROP_BAD_INNER, bytes);
	if (proto == IPPROTO_ICMP && l4.icmp_error)
		return lw_b4_error_from_wan(ctx, cfg, l3off, inner, ihl, tot_len, &l4, qsrc, qdst,
					    bytes);
	if (proto == IPPROTO_ICMP && l4.icmp_type != ICMP_ECHOREPLY)
		return lw_b4_drop(LW_B4_STAT_DROP_ICMP_TYPE, bytes);
	ps = lw_b4_pool_find(iph->daddr, l4.dport);
	if (!ps)
		return lw_b4_drop(LW_B4_STAT_DROP_NOT_OUR_PORT, bytes);
	s = lw_b4_session_in(lw_b4_proto_index(proto), ps, iph->daddr, l4.dport);
	if (!s && lw_b4_unsolicited_syn(data, data_end, proto, inner + ihl))
		return lw_b4_drop(LW_B4_STAT_DROP_UNSOLICITED_SYN, bytes);
	if (!s)
		return lw_b4_drop(LW_B4_STAT_DROP_NO_MAPPING, bytes);
	ok = (struct lw_b4_out_key){ .addr = s->int_addr, .port = s->int_port, .proto = proto };
	if (!lw_b4_admitted(cfg, s, iph->saddr))
		return lw_b4_drop(LW_B4_STAT_DROP_FILTERED, bytes);
	if (iph->ttl <= 1)
		return lw_b4_drop_tell(ctx, cfg, LW_B4_STAT_DROP_TTL_ZERO, bytes,
				       LW_B4_EV_TTL_EXPIRED, LW_B4_DIR_FROM_WAN, l3off, ETH_P_IPV6,
				       0);
	return lw_b4_decap_and_napt(ctx, cfg, s, &ok, l3off, inner, ihl, tot_len, bytes);
}

/* IPv6 on the WAN side: IPv4 in IPv6 to our tunnel address from the lwAFTR
 * (B4-DP-3) is softwire traffic; the lwAFTR's PCP ANNOUNCEs to ff02::1,
 * its ICMPv6 and IPv6 fragments (the kernel reassembles, pcpd's raw socket
 * decapsulates) are for the kernel and pcpd, as is anything else. */
static __always_inline int lw_b4_from_wan(struct xdp_md *ctx, const struct lw_b4_config *cfg,
					  __u32 l3off, __u32 bytes)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ipv6hdr *ip6;

	l3off &= LW_L3_OFF_MASK;
	ip6 = data + l3off;
	if ((void *)(ip6 + 1) > data_end || ip6->version != 6)
		return lw_b4_pass(LW_B4_STAT_PASS_NOT_OURS, bytes);
	if (!lw_ipv6_eq(&ip6->daddr, &cfg->tunnel_addr)) {
		/* PCPS-17: the lwAFTR's multicast ANNOUNCE to ff02::1, from the
		 * lwAFTR only (B4-DP-3), counted with the PCP answers */
		if (lw_b4_all_nodes(&ip6->daddr) && ip6->nexthdr == IPPROTO_IPIP &&
		    lw_ipv6_eq(&ip6->saddr, &cfg->aftr_addr) &&
		    lw_b4_is_pcp(data, data_end, l3off + sizeof(*ip6), 1))
			return lw_b4_pass(LW_B4_STAT_PASS_PCP, bytes);
		return lw_b4_pass(LW_B4_STAT_PASS_NOT_OURS, bytes);
	}
	if (ip6->nexthdr == IPPROTO_ICMPV6 && lw_ipv6_eq(&ip6->saddr, &cfg->aftr_addr))
		return lw_b4_icmpv6(ctx, cfg, l3off, bytes);
	if (ip6->nexthdr == IPPROTO_FRAGMENT)
		return lw_b4_pass(LW_B4_STAT_PASS_IPV6_FRAGMENT, bytes);
	if (ip6->nexthdr != IPPROTO_IPIP)
		return lw_b4_pass(LW_B4_STAT_PASS_NOT_OURS, bytes);
	if (!lw_ipv6_eq(&ip6->saddr, &cfg->aftr_addr))
		return lw_b4_drop(LW_B4_STAT_DROP_WRONG_AFTR, bytes); /* B4-DP-3 */
	lw_b4_count(LW_B4_STAT_RCVD_TUNNEL, bytes);
	return lw_b4_from_tunnel(ctx, cfg, ip6, l3off, bytes);
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
	if (lw_parse_l2(data, data_end, &l2) || l2.vid)
		return lw_b4_pass(LW_B4_STAT_PASS_NOT_OURS, bytes);
	if (l2.eth_proto == ETH_P_IP && ifindex == cfg->lan_ifindex)
		return lw_b4_from_lan(ctx, cfg, l2.l3off, bytes);
	if (l2.eth_proto == ETH_P_IPV6 && ifindex == cfg->wan_ifindex)
		return lw_b4_from_wan(ctx, cfg, l2.l3off, bytes);
	return lw_b4_pass(LW_B4_STAT_PASS_NOT_OURS, bytes);
}

char _license[] SEC("license") = "GPL";
