// SPDX-License-Identifier: GPL-2.0
/* Reading the packets captured in events. A capture may be cut short
 * (LW_EVENT_MAX_CAPTURE) or carry Ethernet padding after the IP packet, and
 * an ICMP error's quote is cut wherever its sender stopped: every length is
 * taken as the smaller of what the header says and what is present. */
#include "slowpath_priv.h"

/* ICMPv4 error types (RFC 792, RFC 1812 §4.3.2.7): unreachable, source
 * quench, redirect, time exceeded, parameter problem. */
static bool icmp4_type_is_error(uint8_t type)
{
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

int sp_parse_ipv4(const uint8_t *p, size_t avail, struct sp_ipv4 *ip)
{
	size_t tot, l4len;
	const uint8_t *l4;

	memset(ip, 0, sizeof(*ip));
	if (avail < SP_IPV4_HDR || p[0] >> 4 != 4)
		return -1;
	ip->ihl = (size_t)(p[0] & 0x0f) * 4;
	tot = sp_get16(p + 2);
	if (ip->ihl < SP_IPV4_HDR || tot < ip->ihl || avail < ip->ihl)
		return -1;
	ip->hdr = p;
	ip->len = tot < avail ? tot : avail;
	ip->proto = p[9];
	memcpy(&ip->src, p + 12, 4);
	memcpy(&ip->dst, p + 16, 4);
	ip->later_fragment = (sp_get16(p + 6) & SP_IPV4_OFFSET) != 0;
	if (ip->later_fragment) {
		/* no transport header: an ICMP fragment may be an error */
		ip->icmp_error = ip->proto == SP_PROTO_ICMP;
		return 0;
	}
	l4 = p + ip->ihl;
	l4len = ip->len - ip->ihl;
	switch (ip->proto) {
	case SP_PROTO_TCP:
	case SP_PROTO_UDP:
		if (l4len >= 2)
			ip->port = sp_get16(l4);
		if (l4len >= 4)
			ip->dport = sp_get16(l4 + 2);
		break;
	case SP_PROTO_ICMP:
		if (l4len < 1) {
			ip->icmp_error = true; /* cannot tell: assume the worst */
			break;
		}
		if (l4[0] == 0 || l4[0] == 8) {
			if (l4len >= 6)
				ip->port = ip->dport = sp_get16(l4 + 4);
		} else if (icmp4_type_is_error(l4[0])) {
			const uint8_t *q = l4 + SP_ICMP_HDR;
			size_t qihl;

			ip->icmp_error = true;
			if (l4len < SP_ICMP_HDR + SP_IPV4_HDR)
				break;
			qihl = (size_t)(q[0] & 0x0f) * 4;
			if ((q[9] == SP_PROTO_TCP || q[9] == SP_PROTO_UDP) &&
			    l4len >= SP_ICMP_HDR + qihl + 4) {
				ip->port = sp_get16(q + qihl + 2);
				ip->dport = sp_get16(q + qihl);
			} else if (q[9] == SP_PROTO_ICMP && l4len >= SP_ICMP_HDR + qihl + 6 &&
				   (q[qihl] == 0 || q[qihl] == 8)) {
				ip->port = ip->dport = sp_get16(q + qihl + 4);
			}
		}
		break;
	default: break;
	}
	return 0;
}

int sp_parse_ipv6(const uint8_t *p, size_t avail, struct sp_ipv6 *ip)
{
	size_t tot, off = SP_IPV6_HDR;
	uint8_t nh;

	memset(ip, 0, sizeof(*ip));
	if (avail < SP_IPV6_HDR || p[0] >> 4 != 6)
		return -1;
	tot = SP_IPV6_HDR + (size_t)sp_get16(p + 4);
	ip->hdr = p;
	ip->len = tot < avail ? tot : avail;
	memcpy(&ip->src, p + 8, 16);
	memcpy(&ip->dst, p + 24, 16);
	nh = p[6];
	/* The same headers the data plane walks (hop-by-hop, destination
	 * options), plus a fragment header: a first fragment still shows the
	 * upper-layer header (RFC 8200 §4.5). */
	for (int i = 0; i < 8; i++) {
		if (nh == SP_PROTO_HOPOPTS || nh == SP_PROTO_DSTOPTS) {
			if (off + 2 > ip->len)
				return -1;
			nh = p[off];
			off += ((size_t)p[off + 1] + 1) * 8;
		} else if (nh == SP_PROTO_FRAGMENT) {
			if (off + 8 > ip->len)
				return -1;
			ip->fragment = true;
			ip->later_fragment = (sp_get16(p + off + 2) & SP_IPV6_FRAG_OFFSET) != 0;
			nh = p[off];
			off += 8;
		} else {
			break;
		}
	}
	if (off > ip->len)
		return -1;
	ip->nexthdr = nh;
	ip->l4off = off;
	return 0;
}

/* 0/8 ("this network"), 127/8 (loopback), 224/4 (multicast), 240/4
 * (reserved, with the limited broadcast 255.255.255.255). */
static bool ipv4_is_one_host(__be32 a)
{
	uint8_t first = (uint8_t)(ntohl(a) >> 24);

	return first != 0 && first != 127 && first < 224;
}

enum lw_slowpath_reason sp_icmp4_may_answer(const struct sp_ipv4 *ip)
{
	if (ip->icmp_error)
		return LW_SLOWPATH_ERROR_ABOUT_ERROR; /* RFC 1812 §4.3.2.7, AFTR-ICMP-9 */
	if (ip->later_fragment)
		return LW_SLOWPATH_NOT_FIRST_FRAGMENT;
	/* The source must name one host, and the packet must not have been
	 * for a broadcast or multicast address. */
	if (!ipv4_is_one_host(ip->src) || (ntohl(ip->dst) >> 28) >= 14)
		return LW_SLOWPATH_BAD_ADDRESS;
	return LW_SLOWPATH_SENT;
}
