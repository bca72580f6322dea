// SPDX-License-Identifier: GPL-2.0
/* Fragmentation of whole IPv4 and IPv6 packets (net_frag.h): the lwAFTR's
 * slow path and the lwB4's both use it. */
#include <errno.h>
#include <string.h>
#include "net_bytes.h"
#include "net_csum.h"
#include "net_frag.h"

/* Room for one more packet of len bytes; NULL when out is full. */
uint8_t *lw_frag_out_add(struct lw_frag_out *out, size_t len, __u8 dest, bool fragment)
{
	struct lw_frag_pkt *pk;

	if (out->n >= LW_FRAG_OUT_MAX || out->used + len > LW_FRAG_BUF_MAX)
		return NULL;
	pk = &out->pkt[out->n++];
	pk->dest = dest;
	pk->icmp = 0;
	pk->kind = 0;
	pk->fragment = fragment;
	pk->off = (__u32)out->used;
	pk->len = (__u32)len;
	out->used += len;
	out->reason = 0;
	return out->buf + pk->off;
}

int lw_frag_ipv4(const uint8_t *pkt, size_t len, unsigned mtu, __u8 dest, struct lw_frag_out *out)
{
	size_t ihl, tot, chunk, off, later_ihl = 0, n0 = out->n;
	uint8_t later_opts[40];
	uint16_t fo;
	uint32_t base;
	bool orig_more;

	if (len < SP_IPV4_HDR || (pkt[0] >> 4) != 4)
		return -EINVAL;
	ihl = (size_t)(pkt[0] & 15) * 4;
	tot = sp_get16(pkt + 2);
	if (ihl < SP_IPV4_HDR || tot < ihl || tot > len)
		return -EINVAL;
	if (tot <= mtu) {
		uint8_t *p = lw_frag_out_add(out, tot, dest, false);

		if (!p)
			return -ENOSPC;
		memcpy(p, pkt, tot);
		return 1;
	}
	fo = sp_get16(pkt + 6);
	if (fo & 0x4000)
		return -EMSGSIZE;
	/* RFC 791: options with the copied flag go into every fragment */
	for (size_t i = SP_IPV4_HDR; i < ihl;) {
		uint8_t t = pkt[i];
		size_t ol;

		if (t == 0)
			break;
		if (t == 1) {
			i++;
			continue;
		}
		if (i + 1 >= ihl || pkt[i + 1] < 2 || i + pkt[i + 1] > ihl)
			break;
		ol = pkt[i + 1];
		if (t & 0x80) {
			memcpy(later_opts + later_ihl, pkt + i, ol);
			later_ihl += ol;
		}
		i += ol;
	}
	while (later_ihl & 3)
		later_opts[later_ihl++] = 0;
	base = (uint32_t)(fo & 0x1fff) * 8;
	orig_more = fo & 0x2000;
	if (mtu < ihl + 8 || mtu < SP_IPV4_HDR + later_ihl + 8)
		return -EINVAL;
	for (off = 0; off < tot - ihl; off += chunk) {
		size_t h = off == 0 ? ihl : SP_IPV4_HDR + later_ihl;
		size_t rest = tot - ihl - off;
		bool last;
		uint8_t *p;

		chunk = (mtu - h) & ~(size_t)7;
		last = rest <= chunk;
		if (last)
			chunk = rest;
		p = lw_frag_out_add(out, h + chunk, dest, true);
		if (!p) {
			out->n = (unsigned)n0;
			return -ENOSPC;
		}
		memcpy(p, pkt, SP_IPV4_HDR);
		if (off == 0)
			memcpy(p + SP_IPV4_HDR, pkt + SP_IPV4_HDR, ihl - SP_IPV4_HDR);
		else
			memcpy(p + SP_IPV4_HDR, later_opts, later_ihl);
		p[0] = (uint8_t)(0x40 | (h / 4));
		sp_put16(p + 2, (uint16_t)(h + chunk));
		sp_put16(p + 6, (uint16_t)(((base + off) / 8) | (last && !orig_more ? 0 : 0x2000)));
		memcpy(p + h, pkt + ihl + off, chunk);
		sp_ipv4_hdr_csum(p, h);
	}
	return (int)(out->n - n0);
}

int lw_frag_ipv6(const uint8_t *pkt, size_t len, unsigned mtu, uint32_t id, struct lw_frag_out *out)
{
	size_t payload, chunk, off, n0 = out->n;

	if (len < SP_IPV6_HDR || (pkt[0] >> 4) != 6)
		return -EINVAL;
	payload = sp_get16(pkt + 4);
	if (SP_IPV6_HDR + payload > len)
		return -EINVAL;
	if (SP_IPV6_HDR + payload <= mtu) {
		uint8_t *p = lw_frag_out_add(out, SP_IPV6_HDR + payload, LW_NET_IPV6, false);

		if (!p)
			return -ENOSPC;
		memcpy(p, pkt, SP_IPV6_HDR + payload);
		return 1;
	}
	if (mtu < SP_IPV6_HDR + SP_FRAG_HDR + 8)
		return -EINVAL;
	chunk = (mtu - SP_IPV6_HDR - SP_FRAG_HDR) & ~(size_t)7;
	for (off = 0; off < payload; off += chunk) {
		size_t n = payload - off < chunk ? payload - off : chunk;
		bool last = off + n == payload;
		uint8_t *p = lw_frag_out_add(out, SP_IPV6_HDR + SP_FRAG_HDR + n, LW_NET_IPV6, true);

		if (!p) {
			out->n = (unsigned)n0;
			return -ENOSPC;
		}
		memcpy(p, pkt, SP_IPV6_HDR);
		sp_put16(p + 4, (uint16_t)(SP_FRAG_HDR + n));
		p[6] = SP_PROTO_FRAGMENT;
		p[SP_IPV6_HDR] = pkt[6];
		p[SP_IPV6_HDR + 1] = 0;
		sp_put16(p + SP_IPV6_HDR + 2, (uint16_t)(off | (last ? 0 : 1)));
		sp_put32(p + SP_IPV6_HDR + 4, id);
		memcpy(p + SP_IPV6_HDR + SP_FRAG_HDR, pkt + SP_IPV6_HDR + off, n);
	}
	return (int)(out->n - n0);
}
