// SPDX-License-Identifier: GPL-2.0
/* ICMPv4 errors about packets the data plane dropped: no binding for an
 * inbound packet (3/1), TTL expired (11/0), too big with DF set (3/4).
 *
 * The error goes to the IPv4 source of the offending packet. A packet from
 * the internet gets it on the internet side. A packet from a B4 (decapsulated
 * and dropped, or hairpinned and dropped) gets it back through its tunnel:
 * the event carries the outer IPv6 header, whose source is the B4 and whose
 * destination is the BR address the B4 uses -- except the too-big event of a
 * hairpinned packet, which carries only the inner IPv4 packet, whose B4 is
 * found in the binding table (events.h). */
#include <linux/if_ether.h>
#include "slowpath_priv.h"

static bool ipv6_is_one_node(const struct in6_addr *a)
{
	static const struct in6_addr any = IN6ADDR_ANY_INIT;

	return a->s6_addr[0] != 0xff && memcmp(a, &any, sizeof(any)) != 0;
}

/* The offending IPv4 packet of an event and where its error goes. */
static enum lw_slowpath_reason offender(const struct lw_slowpath_cfg *cfg,
					const struct lw_event *ev, struct sp_ipv4 *ip,
					struct sp_route *rt)
{
	memset(rt, 0, sizeof(*rt));
	if (ev->l3_proto == ETH_P_IPV6 && ev->dir == LW_DIR_FROM_B4) {
		struct sp_ipv6 outer;

		if (sp_parse_ipv6(ev->pkt, ev->cap_len, &outer) || outer.later_fragment ||
		    outer.nexthdr != SP_PROTO_IPIP ||
		    sp_parse_ipv4(outer.hdr + outer.l4off, outer.len - outer.l4off, ip))
			return LW_SLOWPATH_MALFORMED;
		if (!ipv6_is_one_node(&outer.src))
			return LW_SLOWPATH_BAD_ADDRESS;
		rt->tunnel = true;
		rt->b4 = outer.src;
		rt->br = outer.dst;
		return LW_SLOWPATH_SENT;
	}
	if (ev->l3_proto != ETH_P_IP || sp_parse_ipv4(ev->pkt, ev->cap_len, ip))
		return LW_SLOWPATH_MALFORMED;
	if (ev->dir == LW_DIR_FROM_INTERNET)
		return LW_SLOWPATH_SENT;
	if (ev->dir != LW_DIR_FROM_B4)
		return LW_SLOWPATH_MALFORMED;
	/* hairpinned: the inner source is one of our B4s; the lookup port is
	 * the one the data plane validated it with */
	if (!cfg->find_softwire ||
	    cfg->find_softwire(cfg->ctx, ip->src, ip->port, &rt->b4, &rt->br))
		return LW_SLOWPATH_NO_SOFTWIRE;
	rt->tunnel = true;
	return LW_SLOWPATH_SENT;
}

/* Everything the three builders share; unreach_rule: RFC 7596 §8.1. */
static int icmp4_error(const struct lw_slowpath_cfg *cfg, const struct lw_event *ev,
		       struct lw_slowpath_out *out, uint8_t type, uint8_t code, uint32_t rest,
		       bool unreach_rule)
{
	struct sp_ipv4 ip;
	struct sp_route rt;
	enum lw_slowpath_reason r;

	sp_out_begin(out);
	r = sp_icmp4_enabled(cfg);
	if (r == LW_SLOWPATH_SENT)
		r = offender(cfg, ev, &ip, &rt);
	if (r == LW_SLOWPATH_SENT)
		r = sp_icmp4_may_answer(&ip);
	/* RFC 7596 §8.1: ICMP that matches no binding MUST be discarded --
	 * silently, as Snabb does (its drop-in-by-rfc7596-icmpv4). */
	if (r == LW_SLOWPATH_SENT && unreach_rule && ip.proto == SP_PROTO_ICMP)
		r = LW_SLOWPATH_ICMP_UNBOUND;
	if (r != LW_SLOWPATH_SENT)
		return sp_none(out, r);
	return sp_emit_icmp4(cfg, out, &rt, ip.src, type, code, rest, ip.hdr, ip.len);
}

/* RFC 7596 §6.2, AFTR-ENCAP-2: no softwire for (destination, port).
 * Host unreachable (code 1), as Snabb sends. */
int lw_slowpath_encap_no_binding(const struct lw_slowpath_cfg *cfg, const struct lw_event *ev,
				 struct lw_slowpath_out *out)
{
	return icmp4_error(cfg, ev, out, SP_ICMP_DEST_UNREACH, SP_ICMP_HOST_UNREACH, 0, true);
}

/* RFC 1812 §5.3.1, AFTR-DECAP-7 (design decision 7: both directions). */
int lw_slowpath_ttl_expired(const struct lw_slowpath_cfg *cfg, const struct lw_event *ev,
			    struct lw_slowpath_out *out)
{
	return icmp4_error(cfg, ev, out, SP_ICMP_TIME_EXCEEDED, SP_ICMP_EXC_TTL, 0, false);
}

/* RFC 2473 §7.2, RFC 1191, AFTR-ENCAP-4: fragmentation needed and DF set,
 * with the next-hop MTU the data plane measured in the low 16 bits of the
 * second word. An MTU below the IPv4 minimum is reported as 68. */
int lw_slowpath_too_big(const struct lw_slowpath_cfg *cfg, const struct lw_event *ev,
			struct lw_slowpath_out *out)
{
	return icmp4_error(cfg, ev, out, SP_ICMP_DEST_UNREACH, SP_ICMP_FRAG_NEEDED,
			   sp_next_hop_mtu(ev->mtu), false);
}
