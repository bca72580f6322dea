// SPDX-License-Identifier: GPL-2.0
/* ICMPv6 errors about our tunnel packets, relayed to the original IPv4
 * sender as ICMPv4 (RFC 2473 §8, RFC 7596 §8, AFTR-ICMP-6).
 *
 * The event carries the ICMPv6 error as it reached a BR address, from its
 * IPv6 header. Nothing is relayed before its checksum checks out (RFC 4443
 * §2.3), and only when it is about one of our tunnel packets: its quote is
 * an IPv6 packet from that same BR address (an error goes to the source of
 * the packet it quotes) carrying IPv4 (next header 4) to the B4 the binding
 * table gives the inner destination address and port, through that BR.
 * Otherwise anyone on the access side could make the lwAFTR send 3/1, or
 * 3/4 with an MTU of their choice, to any IPv4 host (issue 10). The ICMPv4
 * error quotes that inner IPv4 packet and goes to its source: on the
 * internet side, or, when that source is one of our B4s (the tunnel packet
 * was hairpinned), back through its tunnel.
 *
 * Type mapping (Snabb's, standards.md §2.3):
 *   2   packet too big            → 3/4, next-hop MTU = MTU − 40 (RFC 2473 §7.2)
 *   1   destination unreachable   → 3/1
 *   3/0 hop limit exceeded        → 3/1
 *   4   parameter problem         → 3/1
 *   3/1 reassembly time exceeded  → nothing: the IPv4 sender cannot act on a
 *       reassembly at the far end of the tunnel (Snabb drops it too)
 * ICMPv4 errors the lwAFTR sends count as such: generate-icmpv4-errors off
 * turns the relay off as well. */
#include <linux/if_ether.h>
#include "slowpath_priv.h"

/* ICMPv4 type/code and second word for an ICMPv6 error; false: none. */
static bool map_type(uint8_t type, uint8_t code, uint32_t word, uint8_t *t4, uint8_t *c4,
		     uint32_t *rest)
{
	*rest = 0;
	switch (type) {
	case 1: /* destination unreachable */
	case 4: /* parameter problem */ break;
	case 3: /* time exceeded */
		if (code != 0)
			return false;
		break;
	case 2: /* packet too big: the tunnel header is ours to subtract */
		*t4 = 3;
		*c4 = 4;
		*rest = sp_next_hop_mtu(word > SP_IPV6_HDR ? word - SP_IPV6_HDR : 0);
		return true;
	default: return false;
	}
	*t4 = 3;
	*c4 = 1;
	return true;
}

/* RFC 4443 §2.3: the checksum of the ICMPv6 message at ip over its
 * pseudo-header (source, destination, upper-layer length, next header 58).
 * Only a message that is all there can be verified: not a fragment, and
 * its whole payload in the capture. LW_SLOWPATH_SENT when it is right. */
static enum lw_slowpath_reason checked_icmpv6(const struct lw_event *ev, struct sp_ipv6 *ip)
{
	uint8_t pseudo[8];
	size_t len;
	uint32_t acc;

	if (ev->l3_proto != ETH_P_IPV6 || sp_parse_ipv6(ev->pkt, ev->cap_len, ip) || ip->fragment ||
	    ip->nexthdr != SP_PROTO_ICMPV6 ||
	    ip->len < SP_IPV6_HDR + (size_t)sp_get16(ip->hdr + 4) || /* cut short */
	    ip->len < ip->l4off + SP_ICMP_HDR)
		return LW_SLOWPATH_MALFORMED;
	len = ip->len - ip->l4off;
	sp_put32(pseudo, (uint32_t)len);
	sp_put32(pseudo + 4, SP_PROTO_ICMPV6);
	acc = sp_csum_add(&ip->src, 16, 0);
	acc = sp_csum_add(&ip->dst, 16, acc);
	acc = sp_csum_add(pseudo, sizeof(pseudo), acc);
	acc = sp_csum_add(ip->hdr + ip->l4off, len, acc);
	return sp_csum_final(acc) == 0 ? LW_SLOWPATH_SENT : LW_SLOWPATH_BAD_CHECKSUM;
}

/* AFTR-ICMP-6: the quote (qlen bytes at q) is a tunnel packet we sent when
 * it went from the BR the error was sent to (outer's destination: an error
 * goes to the source of what it quotes), carrying IPv4, to the B4 of the
 * softwire that owns the inner destination address and port, through that
 * same BR. Anyone on the access side can send an ICMPv6 error to a BR;
 * only such a quote makes one ours to relay. The inner packet goes to
 * *inner. LW_SLOWPATH_SENT when it is ours. */
static enum lw_slowpath_reason our_tunnel_packet(const struct lw_slowpath_cfg *cfg,
						 const struct sp_ipv6 *outer, const uint8_t *q,
						 size_t qlen, struct sp_ipv4 *inner)
{
	struct sp_ipv6 quoted;
	struct in6_addr b4, br;
	enum lw_slowpath_reason r;

	if (sp_parse_ipv6(q, qlen, &quoted) ||
	    memcmp(&quoted.src, &outer->dst, sizeof(quoted.src)) ||
	    quoted.nexthdr != SP_PROTO_IPIP || quoted.later_fragment)
		return LW_SLOWPATH_NOT_OUR_PACKET;
	if (sp_parse_ipv4(quoted.hdr + quoted.l4off, quoted.len - quoted.l4off, inner))
		return LW_SLOWPATH_MALFORMED;
	r = sp_icmp4_may_answer(inner);
	if (r != LW_SLOWPATH_SENT)
		return r;
	if (!cfg->find_softwire ||
	    cfg->find_softwire(cfg->ctx, inner->dst, inner->dport, &b4, &br) ||
	    memcmp(&b4, &quoted.dst, sizeof(b4)) || memcmp(&br, &outer->dst, sizeof(br)))
		return LW_SLOWPATH_NOT_OUR_PACKET;
	return LW_SLOWPATH_SENT;
}

int lw_slowpath_icmpv6_error(const struct lw_slowpath_cfg *cfg, const struct lw_event *ev,
			     struct lw_slowpath_out *out)
{
	struct sp_ipv6 outer;
	struct sp_ipv4 inner;
	struct sp_route rt = { .tunnel = false };
	const uint8_t *icmp;
	uint8_t t4 = 0, c4 = 0;
	uint32_t rest = 0;
	enum lw_slowpath_reason r;
	int ret;

	sp_out_begin(out);
	r = sp_icmp4_enabled(cfg);
	if (r == LW_SLOWPATH_SENT)
		r = checked_icmpv6(ev, &outer);
	if (r != LW_SLOWPATH_SENT)
		return sp_none(out, r);
	icmp = outer.hdr + outer.l4off;
	if (icmp[0] >= 128)
		return sp_none(out, LW_SLOWPATH_NOT_RELAYED); /* informational */
	if (!map_type(icmp[0], icmp[1], sp_get32(icmp + 4), &t4, &c4, &rest))
		return sp_none(out, LW_SLOWPATH_NOT_RELAYED);
	r = our_tunnel_packet(cfg, &outer, icmp + SP_ICMP_HDR,
			      outer.len - outer.l4off - SP_ICMP_HDR, &inner);
	if (r != LW_SLOWPATH_SENT)
		return sp_none(out, r);
	/* the original sender: on the internet, or a B4 of ours (hairpinned) */
	ret = cfg->find_softwire(cfg->ctx, inner.src, inner.port, &rt.b4, &rt.br);
	if (ret == 0)
		rt.tunnel = true;
	else if (ret != -ENOENT)
		return sp_none(out, LW_SLOWPATH_NO_SOFTWIRE);
	return sp_emit_icmp4(cfg, out, &rt, inner.src, t4, c4, rest, inner.hdr, inner.len);
}
