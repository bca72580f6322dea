// SPDX-License-Identifier: GPL-2.0
/* Assembly of the ICMP errors the lwAFTR originates. Fields that Snabb's
 * suite leaves to the implementation are set the way Snabb sets them:
 * IPv4 TTL and IPv6 hop limit 255, IPv4 ID 0 and no DF (katran PR #206:
 * never copy frag_off into a generated packet), TOS and traffic class 0. */
#include "slowpath_priv.h"

#define SP_ERROR_TTL 255

static struct lw_slowpath_pkt *next_slot(struct lw_slowpath_out *out)
{
	if (out->n >= LW_SLOWPATH_MAX_OUT)
		return NULL;
	return &out->pkt[out->n];
}

/* IPv4 header + ICMP message at p; returns the packet length. */
static size_t put_icmp4(uint8_t *p, __be32 src, __be32 dst, uint8_t type, uint8_t code,
			uint32_t rest, const uint8_t *quote, size_t qlen)
{
	size_t max_q = LW_SLOWPATH_ICMP4_MAX - SP_IPV4_HDR - SP_ICMP_HDR;
	size_t q = qlen < max_q ? qlen : max_q;
	size_t tot = SP_IPV4_HDR + SP_ICMP_HDR + q;
	uint8_t *icmp = p + SP_IPV4_HDR;

	p[0] = 0x45;
	p[1] = 0;
	sp_put16(p + 2, (uint16_t)tot);
	sp_put16(p + 4, 0); /* ID */
	sp_put16(p + 6, 0); /* no DF, not a fragment */
	p[8] = SP_ERROR_TTL;
	p[9] = SP_PROTO_ICMP;
	sp_put16(p + 10, 0);
	memcpy(p + 12, &src, 4);
	memcpy(p + 16, &dst, 4);
	sp_put16(p + 10, sp_csum_final(sp_csum_add(p, SP_IPV4_HDR, 0)));

	icmp[0] = type;
	icmp[1] = code;
	sp_put16(icmp + 2, 0);
	sp_put32(icmp + 4, rest);
	memcpy(icmp + SP_ICMP_HDR, quote, q);
	/* RFC 792: the ICMP checksum covers the message, no pseudo-header */
	sp_put16(icmp + 2, sp_csum_final(sp_csum_add(icmp, SP_ICMP_HDR + q, 0)));
	return tot;
}

/* IPv6 header: version 6, traffic class and flow label 0. */
static void put_ipv6(uint8_t *p, size_t payload, uint8_t nexthdr, uint8_t hop_limit,
		     const struct in6_addr *src, const struct in6_addr *dst)
{
	sp_put32(p, 0x60000000u);
	sp_put16(p + 4, (uint16_t)payload);
	p[6] = nexthdr;
	p[7] = hop_limit;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
}

int sp_emit_icmp4(const struct lw_slowpath_cfg *cfg, struct lw_slowpath_out *out,
		  const struct sp_route *rt, __be32 dst, uint8_t type, uint8_t code, uint32_t rest,
		  const uint8_t *quote, size_t qlen)
{
	struct lw_slowpath_pkt *pk = next_slot(out);
	size_t len;

	if (!pk)
		return -ENOSPC;
	pk->kind = LW_SLOWPATH_ICMPV4;
	if (!rt->tunnel) {
		pk->dest = LW_SLOWPATH_TO_INTERNET;
		len = put_icmp4(pk->data, cfg->ipv4_addr, dst, type, code, rest, quote, qlen);
	} else {
		/* RFC 7596 §6.2 / RFC 6333 §7.1: IPv4-in-IPv6 from the BR to
		 * the B4, traffic class = TOS (0) */
		pk->dest = LW_SLOWPATH_TO_B4;
		len = put_icmp4(pk->data + SP_IPV6_HDR, cfg->ipv4_addr, dst, type, code, rest,
				quote, qlen);
		put_ipv6(pk->data, len, SP_PROTO_IPIP,
			 cfg->hop_limit ? cfg->hop_limit : SP_DEFAULT_TUNNEL_HOP_LIMIT, &rt->br,
			 &rt->b4);
		len += SP_IPV6_HDR;
	}
	pk->len = (__u16)len;
	out->reason = LW_SLOWPATH_SENT;
	return (int)++out->n;
}

int sp_emit_icmp6(struct lw_slowpath_out *out, const struct in6_addr *src,
		  const struct in6_addr *dst, uint8_t type, uint8_t code, uint32_t rest,
		  const uint8_t *quote, size_t qlen)
{
	struct lw_slowpath_pkt *pk = next_slot(out);
	size_t max_q = LW_SLOWPATH_ICMP6_MAX - SP_IPV6_HDR - SP_ICMP_HDR;
	size_t q = qlen < max_q ? qlen : max_q;
	size_t plen = SP_ICMP_HDR + q;
	uint8_t *icmp, pseudo[8];
	uint32_t acc;

	if (!pk)
		return -ENOSPC;
	put_ipv6(pk->data, plen, SP_PROTO_ICMPV6, SP_ERROR_TTL, src, dst);
	icmp = pk->data + SP_IPV6_HDR;
	icmp[0] = type;
	icmp[1] = code;
	sp_put16(icmp + 2, 0);
	sp_put32(icmp + 4, rest);
	memcpy(icmp + SP_ICMP_HDR, quote, q);
	/* RFC 4443 §2.3 / RFC 8200 §8.1: pseudo-header of source, destination,
	 * 32-bit upper-layer length, three zero octets and next header 58 */
	sp_put32(pseudo, (uint32_t)plen);
	sp_put32(pseudo + 4, SP_PROTO_ICMPV6);
	acc = sp_csum_add(src, 16, 0);
	acc = sp_csum_add(dst, 16, acc);
	acc = sp_csum_add(pseudo, sizeof(pseudo), acc);
	acc = sp_csum_add(icmp, plen, acc);
	sp_put16(icmp + 2, sp_csum_final(acc));

	pk->dest = LW_SLOWPATH_TO_B4;
	pk->kind = LW_SLOWPATH_ICMPV6;
	pk->len = (__u16)(SP_IPV6_HDR + plen);
	out->reason = LW_SLOWPATH_SENT;
	return (int)++out->n;
}
