// SPDX-License-Identifier: GPL-2.0
/* The lwB4's slow path (b4_slow.h): ICMPv4 errors to LAN hosts and the
 * packets to fragment. Captured packets are byte arrays at no particular
 * alignment: every field is read and written byte by byte. */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <sys/random.h>

#include "b4_slow.h"
#include "net_bytes.h"
#include "net_csum.h"
#include "net_frag.h"

#define ERROR_TTL       64   /* of the errors this lwB4 sends */
#define B4_IPV6_MIN_MTU 1280 /* RFC 8200 §5 */
/* RFC 792 */
#define ICMP_DEST_UNREACH  3
#define ICMP_FRAG_NEEDED   4
#define ICMP_TIME_EXCEEDED 11
#define ICMP_EXC_TTL       0

/* RFC 1071 over len bytes (lib/net), complemented: the value to store. */
static uint16_t csum(const uint8_t *p, size_t len)
{
	return sp_csum_final(sp_csum_add(p, len, 0));
}

const char *b4_slow_reason_name(enum b4_slow_reason r)
{
	static const char *const n[B4_SLOW_REASON_MAX] = {
		[B4_SLOW_OK] = "ok",
		[B4_SLOW_ERROR_ABOUT_ERROR] = "error-about-error",
		[B4_SLOW_NOT_FIRST_FRAGMENT] = "not-first-fragment",
		[B4_SLOW_TO_BROADCAST] = "to-broadcast-or-multicast",
		[B4_SLOW_BAD_SOURCE] = "source-not-one-host",
		[B4_SLOW_MALFORMED] = "malformed",
		[B4_SLOW_TRUNCATED] = "truncated-capture",
		[B4_SLOW_NO_LAN_ADDRESS] = "no-lan-address",
		[B4_SLOW_FROM_WAN] = "from-wan",
		[B4_SLOW_NOT_MINE] = "not-a-slow-path-event",
	};

	return (unsigned)r < B4_SLOW_REASON_MAX && n[r] ? n[r] : "?";
}

/* The LAN's network and broadcast address (prefixes up to /30). */
static bool lan_special(const struct b4_slow_lan *lan, uint32_t a)
{
	uint32_t mask, net;

	if (lan->prefixlen == 0 || lan->prefixlen > 30)
		return false;
	mask = ~0u << (32 - lan->prefixlen);
	net = ntohl(lan->addr) & mask;
	return (a & mask) == net && ((a & ~mask) == 0 || (a & ~mask) == ~mask);
}

enum b4_slow_reason b4_slow_may_answer(const struct b4_slow_lan *lan, const uint8_t *pkt,
				       size_t len)
{
	size_t ihl;
	uint32_t src, dst;

	if (len < SP_IPV4_HDR || pkt[0] >> 4 != 4)
		return B4_SLOW_MALFORMED;
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	if (ihl < SP_IPV4_HDR || ihl > len || sp_get16(pkt + 2) < ihl)
		return B4_SLOW_MALFORMED;
	src = sp_get32(pkt + 12);
	dst = sp_get32(pkt + 16);
	/* a datagram to a multicast or broadcast address */
	if ((dst >> 28) == 0xe || dst == 0xffffffffu || lan_special(lan, dst))
		return B4_SLOW_TO_BROADCAST;
	/* a source that is not one host: this network (0/8), loopback,
	 * multicast, class E and the limited broadcast, the LAN's network
	 * and broadcast address */
	if ((src >> 24) == 0 || (src >> 24) == 127 || (src >> 28) >= 0xe || lan_special(lan, src))
		return B4_SLOW_BAD_SOURCE;
	if (sp_get16(pkt + 6) & 0x1fff)
		return B4_SLOW_NOT_FIRST_FRAGMENT;
	if (pkt[9] == SP_PROTO_ICMP) {
		uint8_t type;

		if (len < ihl + 1)
			return B4_SLOW_ERROR_ABOUT_ERROR; /* its type unseen: maybe an error */
		type = pkt[ihl];
		/* errors (3 unreachable, 4 source quench, 5 redirect, 11 time
		 * exceeded, 12 parameter problem) and types unknown to RFC 792
		 * and RFC 950 (Linux's icmp_pointers treats those alike) */
		if (type == 3 || type == 4 || type == 5 || type == 11 || type == 12 || type > 18)
			return B4_SLOW_ERROR_ABOUT_ERROR;
	}
	return B4_SLOW_OK;
}

size_t b4_slow_icmp4(const struct b4_slow_lan *lan, uint8_t type, uint8_t code, uint32_t rest,
		     const uint8_t *pkt, size_t len, uint8_t *out, size_t cap,
		     enum b4_slow_reason *why)
{
	enum b4_slow_reason r;
	size_t qlen, tot;
	uint16_t id;

	if (!lan->addr) {
		*why = B4_SLOW_NO_LAN_ADDRESS;
		return 0;
	}
	r = b4_slow_may_answer(lan, pkt, len);
	if (r != B4_SLOW_OK || cap < B4_SLOW_ICMP_MAX) {
		*why = r != B4_SLOW_OK ? r : B4_SLOW_MALFORMED;
		return 0;
	}
	/* the original packet from its header on, without link-layer padding
	 * beyond its total length, as much as 576 octets hold */
	qlen = sp_get16(pkt + 2);
	if (qlen > len)
		qlen = len;
	if (qlen > B4_SLOW_ICMP_MAX - SP_IPV4_HDR - SP_ICMP_HDR)
		qlen = B4_SLOW_ICMP_MAX - SP_IPV4_HDR - SP_ICMP_HDR;
	tot = SP_IPV4_HDR + SP_ICMP_HDR + qlen;
	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != sizeof(id))
		id = 0;

	memset(out, 0, SP_IPV4_HDR + SP_ICMP_HDR);
	out[0] = 0x45;
	out[1] = 0xc0; /* precedence internetwork control (RFC 1812 §4.3.2.5) */
	sp_put16(out + 2, (uint16_t)tot);
	sp_put16(out + 4, id); /* frag_off 0: never DF, never a fragment (P19) */
	out[8] = ERROR_TTL;
	out[9] = SP_PROTO_ICMP;
	memcpy(out + 12, &lan->addr, 4);
	memcpy(out + 16, pkt + 12, 4); /* to the original source */
	sp_put16(out + 10, csum(out, SP_IPV4_HDR));

	out[SP_IPV4_HDR] = type;
	out[SP_IPV4_HDR + 1] = code;
	sp_put32(out + SP_IPV4_HDR + 4, rest);
	memcpy(out + SP_IPV4_HDR + SP_ICMP_HDR, pkt, qlen);
	sp_put16(out + SP_IPV4_HDR + 2, csum(out + SP_IPV4_HDR, SP_ICMP_HDR + qlen));
	*why = B4_SLOW_OK;
	return tot;
}

static int none(struct b4_slow_out *out, enum b4_slow_reason r)
{
	out->kind = B4_SLOW_NONE;
	out->why = r;
	return 0;
}

int b4_slow_event(const struct b4_slow_lan *lan, const void *rec, size_t size,
		  struct b4_slow_out *out)
{
	const struct lw_b4_event *ev = rec;
	size_t cap, tot;

	memset(out, 0, offsetof(struct b4_slow_out, pkt));
	if (size < offsetof(struct lw_b4_event, pkt))
		return -EINVAL;
	cap = ev->cap_len;
	if (cap > LW_B4_EVENT_MAX_CAPTURE || offsetof(struct lw_b4_event, pkt) + cap > size ||
	    cap > ev->pkt_len)
		return -EINVAL;
	switch (ev->type) {
	case LW_B4_EV_TTL_EXPIRED:
		if (ev->dir != LW_B4_DIR_FROM_LAN)
			return none(out, B4_SLOW_FROM_WAN);
		/* fall through */
	case LW_B4_EV_TOO_BIG_DF: {
		bool too_big = ev->type == LW_B4_EV_TOO_BIG_DF;

		if (ev->l3_proto != ETH_P_IP)
			return none(out, B4_SLOW_MALFORMED);
		/* RFC 1191: the next-hop MTU in the low 16 bits */
		out->len = b4_slow_icmp4(lan, too_big ? ICMP_DEST_UNREACH : ICMP_TIME_EXCEEDED,
					 too_big ? ICMP_FRAG_NEEDED : ICMP_EXC_TTL,
					 too_big ? (ev->mtu & 0xffff) : 0, ev->pkt, cap, out->pkt,
					 sizeof(out->pkt), &out->why);
		if (!out->len)
			return none(out, out->why);
		memcpy(&out->dst, ev->pkt + 12, 4);
		out->kind = B4_SLOW_ICMP_TO_LAN;
		return 0;
	}
	case LW_B4_EV_FRAG_NEEDED:
		/* the whole translated packet or nothing (never a truncated
		 * one); padding after its total length is left behind */
		if (ev->l3_proto != ETH_P_IP || cap < SP_IPV4_HDR || ev->pkt[0] >> 4 != 4 ||
		    (ev->pkt[0] & 0x0f) < 5)
			return none(out, B4_SLOW_MALFORMED);
		tot = sp_get16(ev->pkt + 2);
		if (tot < (size_t)(ev->pkt[0] & 0x0f) * 4)
			return none(out, B4_SLOW_MALFORMED);
		if (tot > cap)
			return none(out, B4_SLOW_TRUNCATED);
		memcpy(out->pkt, ev->pkt, tot);
		out->len = tot;
		out->tos = ev->pkt[1];
		out->mtu = ev->mtu;
		out->kind = B4_SLOW_TO_TUNNEL;
		out->why = B4_SLOW_OK;
		return 0;
	default: return none(out, B4_SLOW_NOT_MINE);
	}
}

/* The IPv6 header of a packet with payload plen and next header nh. */
static void ip6_header(uint8_t *p, const struct in6_addr *src, const struct in6_addr *dst,
		       uint8_t tclass, uint8_t hl, size_t plen, uint8_t nh)
{
	sp_put32(p, 0x60000000u | (uint32_t)tclass << 20);
	sp_put16(p + 4, (uint16_t)plen);
	p[6] = nh;
	p[7] = hl;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
}

int b4_slow_fragment(const struct in6_addr *src, const struct in6_addr *dst, uint8_t tclass,
		     uint8_t hl, uint32_t id, const uint8_t *pkt, size_t len, uint32_t mtu,
		     struct b4_slow_frags *out)
{
	/* one IPv6 fragmenter for both roles: lib/net's */
	struct lw_frag_out *fo = &out->work;
	uint8_t whole[SP_IPV6_HDR + LW_B4_EVENT_MAX_CAPTURE];
	int r;

	out->n = 0;
	if (len > LW_B4_EVENT_MAX_CAPTURE)
		return -EMSGSIZE;
	if (mtu < B4_IPV6_MIN_MTU)
		mtu = B4_IPV6_MIN_MTU;
	ip6_header(whole, src, dst, tclass, hl, len, SP_PROTO_IPIP);
	memcpy(whole + SP_IPV6_HDR, pkt, len);
	lw_frag_out_init(fo);
	r = lw_frag_ipv6(whole, SP_IPV6_HDR + len, mtu, id, fo);
	if (r < 0 || fo->n > B4_SLOW_FRAGS_MAX)
		return -EMSGSIZE;
	for (unsigned i = 0; i < fo->n; i++) {
		memcpy(out->pkt[i], fo->buf + fo->pkt[i].off, fo->pkt[i].len);
		out->len[i] = fo->pkt[i].len;
	}
	out->n = fo->n;
	return 0;
}

void b4_slow_rate_init(struct lw_rate_bucket *rl, uint32_t per_s, uint64_t now_ns)
{
	lw_rate_bucket_init(rl, per_s, per_s, now_ns);
}

bool b4_slow_rate_allow(struct lw_rate_bucket *rl, uint64_t now_ns)
{
	return lw_rate_bucket_allow(rl, now_ns);
}
