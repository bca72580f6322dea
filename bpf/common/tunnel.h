/* SPDX-License-Identifier: GPL-2.0 */
/* The IPv4-in-IPv6 softwire header (RFC 2473 / RFC 6333 §7.1), written and
 * read the same way by the lwAFTR and the lwB4. */
#ifndef LW4O6_BPF_TUNNEL_H
#define LW4O6_BPF_TUNNEL_H

#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include "csum.h"

/* What the softwire puts in front of an IPv4 packet: one IPv6 header. */
#define LW_TUNNEL_HLEN ((__u32)sizeof(struct ipv6hdr))

/* The first 32-bit word of the IPv6 header: version, traffic class, flow
 * label. */
#define LW_IPV6_VERSION_6    0x60000000u
#define LW_IPV6_TCLASS_SHIFT 20

/* The ECN field: the low two bits of the IPv4 TOS and of the IPv6 traffic
 * class (RFC 3168). */
#define LW_ECN_MASK    0x3
#define LW_ECN_NOT_ECT 0x0
#define LW_ECN_CE      0x3

/* The IPv4 MTU of a tunnel whose IPv6 MTU is ipv6_mtu (0 when nothing fits). */
static __always_inline __u32 lw_tunnel_ipv4_mtu(__u32 ipv6_mtu)
{
	return ipv6_mtu > LW_TUNNEL_HLEN ? ipv6_mtu - LW_TUNNEL_HLEN : 0;
}

static __always_inline int lw_ipv6_eq(const struct in6_addr *a, const struct in6_addr *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;

	return x[0] == y[0] && x[1] == y[1];
}

/* Version 6, traffic class = the inner TOS (RFC 6333 §7.1: AFTR-ENCAP-3,
 * B4-DP-2), flow label 0, next header IPv4. */
static __always_inline void lw_tunnel_write_ip6(struct ipv6hdr *ip6, __u8 tos, __u16 tot_len,
						__u8 hop_limit, const void *saddr,
						const void *daddr)
{
	*(__be32 *)ip6 = bpf_htonl(LW_IPV6_VERSION_6 | ((__u32)tos << LW_IPV6_TCLASS_SHIFT));
	ip6->payload_len = bpf_htons(tot_len);
	ip6->nexthdr = IPPROTO_IPIP;
	ip6->hop_limit = hop_limit;
	__builtin_memcpy(&ip6->saddr, saddr, sizeof(ip6->saddr));
	__builtin_memcpy(&ip6->daddr, daddr, sizeof(ip6->daddr));
}

/* RFC 6040 on decapsulation: congestion marked on the outer header reaches
 * the inner one when the inner transport is ECN-capable. */
static __always_inline void lw_tunnel_ecn_decap(const struct ipv6hdr *ip6, struct iphdr *iph)
{
	__u8 outer = (bpf_ntohl(*(const __be32 *)ip6) >> LW_IPV6_TCLASS_SHIFT) & LW_ECN_MASK;
	__u8 inner = iph->tos & LW_ECN_MASK;

	if (outer == LW_ECN_CE && inner != LW_ECN_NOT_ECT && inner != LW_ECN_CE) {
		__u16 old = *(__u16 *)iph;

		iph->tos |= LW_ECN_CE;
		iph->check = lw_csum_replace2(iph->check, old, *(__u16 *)iph);
	}
}

#endif
