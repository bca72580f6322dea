/* SPDX-License-Identifier: GPL-2.0 */
/* Test packet builder. Layer calls only lay down header bytes and remember
 * where each layer starts; everything that depends on what comes after a
 * header (lengths, protocol numbers, checksums) waits for pkt_finish(). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csum_ref.h"
#include "pkt.h"
#include "wire.h"

void pkt_init(struct pkt *p, void *buf, size_t cap)
{
	memset(p, 0, sizeof(*p));
	p->buf = buf;
	p->cap = cap;
}

/* Reserves len zeroed bytes for a new layer and returns its offset, or a
 * negative errno that also sticks to the builder. */
static int push(struct pkt *p, enum pkt_layer_kind kind, size_t len)
{
	struct pkt_layer *l;
	size_t off = p->len;

	if (p->err)
		return p->err;
	if (p->n_layers == PKT_MAX_LAYERS)
		return p->err = -EINVAL;
	if (len > p->cap - p->len)
		return p->err = -ENOSPC;
	memset(p->buf + off, 0, len);
	p->len += len;
	l = &p->layers[p->n_layers++];
	memset(l, 0, sizeof(*l));
	l->kind = kind;
	l->off = off;
	return (int)off;
}

static struct pkt_layer *top(struct pkt *p)
{
	return &p->layers[p->n_layers - 1];
}

static int invalid(struct pkt *p)
{
	if (!p->err)
		p->err = -EINVAL;
	return p->err;
}

int pkt_eth(struct pkt *p, const struct pkt_eth *eth)
{
	size_t len = 14 + (eth->vid ? 4 : 0) + (eth->inner_vid ? 4 : 0);
	uint8_t *h;
	int off;

	if ((eth->inner_vid && !eth->vid) || eth->vid > 0xfff || eth->inner_vid > 0xfff)
		return invalid(p);
	off = push(p, PKT_L_ETH, len);
	if (off < 0)
		return off;
	h = p->buf + off;
	memcpy(h, eth->dst, 6);
	memcpy(h + 6, eth->src, 6);
	h += 12;
	if (eth->vid) {
		put_be16(h, eth->inner_vid ? 0x88a8 : 0x8100);
		put_be16(h + 2, eth->vid);
		h += 4;
	}
	if (eth->inner_vid) {
		put_be16(h, 0x8100);
		put_be16(h + 2, eth->inner_vid);
		h += 4;
	}
	put_be16(h, eth->type);
	top(p)->next_off = (size_t)(h - p->buf);
	top(p)->next_given = eth->type != 0;
	return off;
}

int pkt_ipv4(struct pkt *p, const struct pkt_ip4 *ip)
{
	size_t opt_len = (ip->options_len + 3) & ~(size_t)3;
	uint16_t frag;
	uint8_t *h;
	int off;

	if (opt_len > 40 || ip->frag_offset > 0x1fff)
		return invalid(p);
	off = push(p, PKT_L_IPV4, 20 + opt_len);
	if (off < 0)
		return off;
	h = p->buf + off;
	h[0] = 0x40 | (uint8_t)((20 + opt_len) / 4);
	h[1] = ip->tos;
	put_be16(h + 4, ip->id);
	frag = ip->frag_offset | (ip->df ? 0x4000 : 0) | (ip->mf ? 0x2000 : 0);
	put_be16(h + 6, frag);
	h[8] = ip->ttl;
	h[9] = ip->proto;
	memcpy(h + 12, &ip->src, 4);
	memcpy(h + 16, &ip->dst, 4);
	if (ip->options_len)
		memcpy(h + 20, ip->options, ip->options_len); /* the rest stays 0 = EOL */
	top(p)->next_off = (size_t)off + 9;
	top(p)->next_given = ip->proto != 0;
	return off;
}

int pkt_ipv6(struct pkt *p, const struct pkt_ip6 *ip)
{
	uint32_t vtcfl;
	uint8_t *h;
	int off;

	if (ip->flow_label > 0xfffff)
		return invalid(p);
	off = push(p, PKT_L_IPV6, 40);
	if (off < 0)
		return off;
	h = p->buf + off;
	vtcfl = 6u << 28 | (uint32_t)ip->traffic_class << 20 | ip->flow_label;
	put_be32(h, vtcfl);
	h[6] = ip->next_header;
	h[7] = ip->hop_limit;
	memcpy(h + 8, &ip->src, 16);
	memcpy(h + 24, &ip->dst, 16);
	top(p)->next_off = (size_t)off + 6;
	top(p)->next_given = ip->next_header != 0;
	return off;
}

int pkt_ipv6_ext(struct pkt *p, uint8_t type, const void *body, size_t len)
{
	size_t total = (len + 2 + 7) & ~(size_t)7;
	size_t pad = total - (len + 2);
	uint8_t *h;
	int off;

	if (type != IPPROTO_HOPOPTS && type != IPPROTO_ROUTING && type != IPPROTO_DSTOPTS)
		return invalid(p);
	if (type == IPPROTO_ROUTING && pad)
		return invalid(p); /* options padding would corrupt routing data */
	if (total > 2048)
		return invalid(p);
	off = push(p, PKT_L_IPV6_EXT, total);
	if (off < 0)
		return off;
	h = p->buf + off;
	h[1] = (uint8_t)(total / 8 - 1);
	if (len)
		memcpy(h + 2, body, len);
	/* Pad1 is a single zero octet; PadN is type 1, length, zeroes. */
	if (pad >= 2) {
		h[2 + len] = 1;
		h[3 + len] = (uint8_t)(pad - 2);
	}
	top(p)->ext_type = type;
	top(p)->next_off = (size_t)off;
	return off;
}

int pkt_ipv6_encap_limit(struct pkt *p, uint8_t limit)
{
	/* Option type 4, length 1, the limit; pkt_ipv6_ext() adds the PadN
	 * (01 01 00) that RFC 2473 §4.1.1 shows after it. */
	const uint8_t opt[3] = { 4, 1, limit };

	return pkt_ipv6_ext(p, IPPROTO_DSTOPTS, opt, sizeof(opt));
}

int pkt_ipv6_frag(struct pkt *p, const struct pkt_ip6_frag *frag)
{
	uint8_t *h;
	int off;

	if (frag->offset > 0x1fff)
		return invalid(p);
	off = push(p, PKT_L_IPV6_EXT, 8);
	if (off < 0)
		return off;
	h = p->buf + off;
	h[0] = frag->next_header;
	put_be16(h + 2, (uint16_t)(frag->offset << 3 | (frag->more ? 1 : 0)));
	put_be32(h + 4, frag->id);
	top(p)->ext_type = IPPROTO_FRAGMENT;
	top(p)->next_off = (size_t)off;
	top(p)->next_given = frag->next_header != 0;
	return off;
}

int pkt_tcp(struct pkt *p, const struct pkt_tcp *tcp)
{
	size_t len = tcp->mss ? 24 : 20;
	uint8_t *h;
	int off;

	off = push(p, PKT_L_TCP, len);
	if (off < 0)
		return off;
	h = p->buf + off;
	put_be16(h, tcp->sport);
	put_be16(h + 2, tcp->dport);
	put_be32(h + 4, tcp->seq);
	put_be32(h + 8, tcp->ack);
	h[12] = (uint8_t)(len / 4) << 4;
	h[13] = tcp->flags;
	put_be16(h + 14, tcp->window);
	put_be16(h + 18, tcp->urgent);
	if (tcp->mss) {
		h[20] = 2; /* kind MSS, length 4 */
		h[21] = 4;
		put_be16(h + 22, tcp->mss);
	}
	return off;
}

int pkt_udp(struct pkt *p, const struct pkt_udp *udp)
{
	int off = push(p, PKT_L_UDP, 8);

	if (off < 0)
		return off;
	put_be16(p->buf + off, udp->sport);
	put_be16(p->buf + off + 2, udp->dport);
	return off;
}

static uint32_t icmp_second_word(const struct pkt_icmp *icmp, bool v6)
{
	if (!v6) {
		if (icmp->type == 0 || icmp->type == 8)
			return (uint32_t)icmp->id << 16 | icmp->seq;
		if (icmp->type == 3 && icmp->code == 4)
			return icmp->mtu & 0xffff;
		if (icmp->type == 12)
			return (icmp->pointer & 0xff) << 24;
		return 0;
	}
	if (icmp->type == 128 || icmp->type == 129)
		return (uint32_t)icmp->id << 16 | icmp->seq;
	if (icmp->type == 2)
		return icmp->mtu;
	if (icmp->type == 4)
		return icmp->pointer;
	return 0;
}

static int push_icmp(struct pkt *p, const struct pkt_icmp *icmp, bool v6)
{
	int off = push(p, v6 ? PKT_L_ICMP6 : PKT_L_ICMP4, 8);

	if (off < 0)
		return off;
	p->buf[off] = icmp->type;
	p->buf[off + 1] = icmp->code;
	put_be32(p->buf + off + 4, icmp_second_word(icmp, v6));
	return off;
}

int pkt_icmp4(struct pkt *p, const struct pkt_icmp *icmp)
{
	return push_icmp(p, icmp, false);
}

int pkt_icmp6(struct pkt *p, const struct pkt_icmp *icmp)
{
	return push_icmp(p, icmp, true);
}

int pkt_data(struct pkt *p, const void *data, size_t len)
{
	int off = push(p, PKT_L_DATA, len);

	if (off >= 0 && len)
		memcpy(p->buf + off, data, len);
	return off;
}

int pkt_data_pattern(struct pkt *p, size_t len, uint8_t seed)
{
	int off = push(p, PKT_L_DATA, len);
	size_t i;

	for (i = 0; off >= 0 && i < len; i++)
		p->buf[off + i] = (uint8_t)(seed + i);
	return off;
}

int pkt_quote(struct pkt *p, const void *orig, size_t len, size_t max_ip_len)
{
	size_t used = 0;
	int i;

	if (p->err)
		return p->err;
	if (max_ip_len) {
		/* Measure from the IP header that carries the error. */
		for (i = (int)p->n_layers - 1; i >= 0; i--) {
			if (p->layers[i].kind == PKT_L_IPV4 || p->layers[i].kind == PKT_L_IPV6) {
				used = p->len - p->layers[i].off;
				break;
			}
		}
		if (i < 0 || used > max_ip_len)
			return invalid(p);
		if (len > max_ip_len - used)
			len = max_ip_len - used;
	}
	return pkt_data(p, orig, len);
}

/* ---- pkt_finish ------------------------------------------------------- */

/* The number the layer above uses for layer l: an EtherType when asked by
 * Ethernet, an IP protocol number otherwise. -1 when l has none. */
static int proto_of(const struct pkt_layer *l, bool ethertype)
{
	switch (l->kind) {
	case PKT_L_IPV4:
		return ethertype ? 0x0800 : IPPROTO_IPIP;
	case PKT_L_IPV6:
		return ethertype ? 0x86dd : IPPROTO_IPV6;
	case PKT_L_IPV6_EXT:
		return ethertype ? -1 : l->ext_type;
	case PKT_L_TCP:
		return ethertype ? -1 : IPPROTO_TCP;
	case PKT_L_UDP:
		return ethertype ? -1 : IPPROTO_UDP;
	case PKT_L_ICMP4:
		return ethertype ? -1 : IPPROTO_ICMP;
	case PKT_L_ICMP6:
		return ethertype ? -1 : IPPROTO_ICMPV6;
	default:
		return -1;
	}
}

static int link_next(struct pkt *p, unsigned int i)
{
	struct pkt_layer *l = &p->layers[i];
	bool eth = l->kind == PKT_L_ETH;
	int next = -1;

	if (l->next_given)
		return 0;
	if (i + 1 < p->n_layers)
		next = proto_of(&p->layers[i + 1], eth);
	if (next < 0) {
		/* IPv6 says "no next header" for nothing or raw data; the
		 * other layers have no such value and keep their zero. */
		if (l->kind == PKT_L_IPV6 || l->kind == PKT_L_IPV6_EXT)
			p->buf[l->next_off] = IPPROTO_NONE;
		return 0;
	}
	if (eth)
		put_be16(p->buf + l->next_off, (uint16_t)next);
	else
		p->buf[l->next_off] = (uint8_t)next;
	return 0;
}

/* The IP header directly enclosing layer i (through IPv6 extension headers),
 * or NULL. */
static const struct pkt_layer *enclosing_ip(const struct pkt *p, unsigned int i)
{
	while (i-- > 0) {
		const struct pkt_layer *l = &p->layers[i];

		if (l->kind == PKT_L_IPV4 || l->kind == PKT_L_IPV6)
			return l;
		if (l->kind != PKT_L_IPV6_EXT)
			return NULL;
	}
	return NULL;
}

static int fill_l4_csum(struct pkt *p, unsigned int i, uint8_t proto, size_t csum_at)
{
	const struct pkt_layer *ip = enclosing_ip(p, i);
	const struct pkt_layer *l = &p->layers[i];
	uint8_t *h = p->buf + l->off;
	size_t len = p->len - l->off;
	uint32_t s4, d4;
	struct in6_addr s6, d6;
	uint16_t csum;

	if (!ip || (ip->kind == PKT_L_IPV4 && proto == IPPROTO_ICMPV6))
		return -EINVAL;
	put_be16(h + csum_at, 0);
	if (ip->kind == PKT_L_IPV4) {
		memcpy(&s4, p->buf + ip->off + 12, 4);
		memcpy(&d4, p->buf + ip->off + 16, 4);
		csum = ref_l4_csum_ipv4(s4, d4, proto, h, len);
	} else {
		memcpy(&s6, p->buf + ip->off + 8, 16);
		memcpy(&d6, p->buf + ip->off + 24, 16);
		csum = ref_l4_csum_ipv6(&s6, &d6, proto, h, len);
	}
	if (proto == IPPROTO_UDP && csum == 0)
		csum = 0xffff;
	put_be16(h + csum_at, csum);
	return 0;
}

static int finish_layer(struct pkt *p, unsigned int i)
{
	struct pkt_layer *l = &p->layers[i];
	uint8_t *h = p->buf + l->off;
	size_t len = p->len - l->off; /* every layer runs to the end */

	switch (l->kind) {
	case PKT_L_ETH:
	case PKT_L_IPV6_EXT:
		return link_next(p, i);
	case PKT_L_IPV4:
		if (len > 0xffff)
			return -EMSGSIZE;
		put_be16(h + 2, (uint16_t)len);
		link_next(p, i);
		put_be16(h + 10, 0);
		put_be16(h + 10, ref_csum(h, (size_t)(h[0] & 0x0f) * 4));
		return 0;
	case PKT_L_IPV6:
		if (len - 40 > 0xffff)
			return -EMSGSIZE;
		put_be16(h + 4, (uint16_t)(len - 40));
		return link_next(p, i);
	case PKT_L_TCP:
		return fill_l4_csum(p, i, IPPROTO_TCP, 16);
	case PKT_L_UDP:
		if (len > 0xffff)
			return -EMSGSIZE;
		put_be16(h + 4, (uint16_t)len);
		return fill_l4_csum(p, i, IPPROTO_UDP, 6);
	case PKT_L_ICMP6:
		return fill_l4_csum(p, i, IPPROTO_ICMPV6, 2);
	case PKT_L_ICMP4:
		put_be16(h + 2, 0);
		put_be16(h + 2, ref_csum(h, len));
		return 0;
	case PKT_L_DATA:
		return 0;
	}
	return -EINVAL;
}

int pkt_finish(struct pkt *p)
{
	unsigned int i;
	int err;

	if (p->err)
		return p->err;
	/* Inside out: a checksum must see the final bytes of everything it
	 * covers, including the lengths and checksums of inner layers. */
	for (i = p->n_layers; i-- > 0;) {
		err = finish_layer(p, i);
		if (err)
			return p->err = err;
	}
	return (int)p->len;
}

/* ---- address parsers -------------------------------------------------- */

static void __attribute__((noreturn)) bad_address(const char *what, const char *s)
{
	fprintf(stderr, "pkt: bad %s address \"%s\"\n", what, s ? s : "(null)");
	abort();
}

struct in6_addr ip6(const char *s)
{
	struct in6_addr a;

	if (!s || inet_pton(AF_INET6, s, &a) != 1)
		bad_address("IPv6", s);
	return a;
}

uint32_t ip4(const char *s)
{
	struct in_addr a;

	if (!s || inet_pton(AF_INET, s, &a) != 1)
		bad_address("IPv4", s);
	return a.s_addr;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void mac(const char *s, uint8_t out[6])
{
	int i, hi, lo;

	/* Exactly "xx:xx:xx:xx:xx:xx": sscanf would let "1:2:3:4:5:6" or
	 * leading blanks through, which hides typos in test tables. */
	if (!s || strlen(s) != 17)
		bad_address("MAC", s);
	for (i = 0; i < 6; i++) {
		hi = hex_digit(s[3 * i]);
		lo = hex_digit(s[3 * i + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			bad_address("MAC", s);
		out[i] = (uint8_t)(hi << 4 | lo);
	}
}

void pkt_ipv4_shorten(uint8_t *ip, unsigned by)
{
	size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
	uint16_t tot_len = (uint16_t)(get_be16(ip + 2) - by);

	put_be16(ip + 2, tot_len);
	put_be16(ip + 10, 0);
	put_be16(ip + 10, ref_csum(ip, ihl));
	if (ip[9] == IPPROTO_ICMP && tot_len >= ihl + 4) {
		put_be16(ip + ihl + 2, 0);
		put_be16(ip + ihl + 2, ref_csum(ip + ihl, tot_len - ihl));
	}
}
