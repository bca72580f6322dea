// SPDX-License-Identifier: GPL-2.0
/* ICMPv6 1/5 ("source address failed ingress/egress policy") to a B4 whose
 * packet matched no binding (RFC 7596 §6.2, AFTR-DECAP-3). It comes from the
 * BR address the packet was sent to, so that the B4 can tell which lwAFTR
 * lost its binding; in lw4o6 it is the signal on which a lwB4 drops that
 * port set and asks for one again (design.md). */
#include <linux/if_ether.h>
#include "slowpath_priv.h"

#define ICMPV6_DEST_UNREACH 1
#define ICMPV6_POLICY_FAIL  5

/* Whether the binding table, read now, gives the packet's inner source
 * (address, port) to the packet's B4 through the BR it was sent to: the
 * data plane found no such binding a moment ago, while a writer was
 * changing it (pcpd renewing, an import rewriting it in place). A lwB4
 * drops its port set on 1/5 (B4-PROV-8), so a stale event must not make
 * one. Only a positive answer counts: any doubt (a later fragment, a
 * port the data plane may have looked up otherwise, no lookup) sends. */
static bool bound_now(const struct lw_slowpath_cfg *cfg, const struct sp_ipv6 *ip)
{
	struct in6_addr b4, br;
	struct sp_ipv4 inner;

	if (!cfg->find_softwire || ip->nexthdr != SP_PROTO_IPIP ||
	    sp_parse_ipv4(ip->hdr + ip->l4off, ip->len - ip->l4off, &inner) ||
	    inner.later_fragment || inner.icmp_error)
		return false;
	/* an echo reply the data plane may have looked up as port 0 (echo
	 * policy port0), which the event does not say */
	if (inner.proto == SP_PROTO_ICMP && inner.ihl < inner.len && inner.hdr[inner.ihl] == 0)
		return false;
	if (cfg->find_softwire(cfg->ctx, inner.src, inner.port, &b4, &br))
		return false;
	return !memcmp(&b4, &ip->src, sizeof(b4)) && !memcmp(&br, &ip->dst, sizeof(br));
}

int lw_slowpath_decap_no_binding(const struct lw_slowpath_cfg *cfg, const struct lw_event *ev,
				 struct lw_slowpath_out *out)
{
	static const struct in6_addr any = IN6ADDR_ANY_INIT;
	struct sp_ipv6 ip;
	struct sp_ipv4 inner;

	sp_out_begin(out);
	if (!cfg->icmpv6_errors)
		return sp_none(out, LW_SLOWPATH_DISABLED);
	if (ev->l3_proto != ETH_P_IPV6 || sp_parse_ipv6(ev->pkt, ev->cap_len, &ip))
		return sp_none(out, LW_SLOWPATH_MALFORMED);
	/* RFC 4443 §2.4 (e): not to the unspecified or a multicast source,
	 * not about a packet sent to a multicast address */
	if (ip.src.s6_addr[0] == 0xff || !memcmp(&ip.src, &any, sizeof(any)) ||
	    ip.dst.s6_addr[0] == 0xff)
		return sp_none(out, LW_SLOWPATH_BAD_ADDRESS);
	if (ip.later_fragment)
		return sp_none(out, LW_SLOWPATH_NOT_FIRST_FRAGMENT);
	/* RFC 4443 §2.4 (e.1) and AFTR-ICMP-9: no error about an error, be it
	 * ICMPv6 or the ICMPv4 error a B4 tunnelled (design decision 4). */
	if (ip.nexthdr == SP_PROTO_ICMPV6 && (ip.l4off >= ip.len || ip.hdr[ip.l4off] < 128))
		return sp_none(out, LW_SLOWPATH_ERROR_ABOUT_ERROR);
	if (ip.nexthdr == SP_PROTO_IPIP &&
	    !sp_parse_ipv4(ip.hdr + ip.l4off, ip.len - ip.l4off, &inner) && inner.icmp_error)
		return sp_none(out, LW_SLOWPATH_ERROR_ABOUT_ERROR);
	if (bound_now(cfg, &ip))
		return sp_none(out, LW_SLOWPATH_BOUND_NOW);
	/* RFC 4443 §2.4 (c): as much of the packet as fits in 1280 octets */
	return sp_emit_icmp6(out, &ip.dst, &ip.src, ICMPV6_DEST_UNREACH, ICMPV6_POLICY_FAIL, 0,
			     ip.hdr, ip.len);
}
