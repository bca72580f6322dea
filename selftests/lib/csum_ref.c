/* SPDX-License-Identifier: GPL-2.0 */
/* Reference RFC 1071 checksum and a frame-wide checksum verifier. Written for
 * clarity, not speed: it only ever runs in tests. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "csum_ref.h"
#include "wire.h"

#define ETH_HDR_LEN 14
#define VLAN_TAG_LEN 4
#define IPV4_MIN_HDR_LEN 20
#define IPV6_HDR_LEN 40
#define MAX_NESTING 4 /* tunnels inside tunnels: give up eventually */

uint32_t ref_sum_partial(const void *data, size_t len, uint32_t acc)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2) {
		acc += (uint32_t)(p[i] << 8 | p[i + 1]);
		/* Folding early keeps the one's-complement value and stops a
		 * very long buffer from overflowing 32 bits. */
		if (acc & 0x80000000u)
			acc = (acc & 0xffff) + (acc >> 16);
	}
	if (len & 1)
		acc += (uint32_t)p[len - 1] << 8;
	return acc;
}

uint16_t ref_fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

uint16_t ref_csum(const void *data, size_t len)
{
	return (uint16_t)~ref_fold(ref_sum_partial(data, len, 0));
}

uint32_t ref_pseudo_ipv4(uint32_t saddr, uint32_t daddr, uint8_t proto, uint16_t l4_len)
{
	uint8_t ph[12];

	/* saddr/daddr are already in packet byte order: copy, don't convert. */
	memcpy(ph, &saddr, 4);
	memcpy(ph + 4, &daddr, 4);
	ph[8] = 0;
	ph[9] = proto;
	put_be16(ph + 10, l4_len);
	return ref_sum_partial(ph, sizeof(ph), 0);
}

uint32_t ref_pseudo_ipv6(const struct in6_addr *saddr, const struct in6_addr *daddr,
			 uint8_t nexthdr, uint32_t l4_len)
{
	uint8_t ph[40];

	memcpy(ph, saddr, 16);
	memcpy(ph + 16, daddr, 16);
	put_be32(ph + 32, l4_len);
	ph[36] = ph[37] = ph[38] = 0;
	ph[39] = nexthdr;
	return ref_sum_partial(ph, sizeof(ph), 0);
}

uint16_t ref_l4_csum_ipv4(uint32_t saddr, uint32_t daddr, uint8_t proto, const void *l4, size_t len)
{
	uint32_t acc = ref_pseudo_ipv4(saddr, daddr, proto, (uint16_t)len);

	return (uint16_t)~ref_fold(ref_sum_partial(l4, len, acc));
}

uint16_t ref_l4_csum_ipv6(const struct in6_addr *saddr, const struct in6_addr *daddr,
			  uint8_t nexthdr, const void *l4, size_t len)
{
	uint32_t acc = ref_pseudo_ipv6(saddr, daddr, nexthdr, (uint32_t)len);

	return (uint16_t)~ref_fold(ref_sum_partial(l4, len, acc));
}

bool ref_ipv4_header_ok(const uint8_t *ip, size_t len)
{
	size_t ihl;

	if (len < IPV4_MIN_HDR_LEN || ip[0] >> 4 != 4)
		return false;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	if (ihl < IPV4_MIN_HDR_LEN || ihl > len)
		return false;
	return ref_csum(ip, ihl) == 0;
}

/* The header checksum an IPv4 header should carry: the sum with the stored
 * field left out. */
static uint16_t ipv4_header_want(const uint8_t *ip, size_t ihl)
{
	uint32_t acc = ref_sum_partial(ip, 10, 0);

	acc = ref_sum_partial(ip + 12, ihl - 12, acc);
	return (uint16_t)~ref_fold(acc);
}

/* Offset of the checksum field inside each L4 header we know, or -1. */
static int l4_csum_offset(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return 16;
	case IPPROTO_UDP:
		return 6;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return 2;
	default:
		return -1;
	}
}

static size_t l4_min_len(uint8_t proto)
{
	return proto == IPPROTO_TCP ? 20 : proto == IPPROTO_UDP ? 8 : 4;
}

/* Addresses for the pseudo-header, in packet byte order. */
struct pseudo {
	bool ipv6;
	const uint8_t *src, *dst;
};

static uint32_t pseudo_sum(const struct pseudo *ph, uint8_t proto, uint32_t len)
{
	struct in6_addr s6, d6;
	uint32_t s4, d4;

	if (proto == IPPROTO_ICMP)
		return 0; /* ICMPv4 has no pseudo-header */
	if (ph->ipv6) {
		memcpy(&s6, ph->src, 16);
		memcpy(&d6, ph->dst, 16);
		return ref_pseudo_ipv6(&s6, &d6, proto, len);
	}
	memcpy(&s4, ph->src, 4);
	memcpy(&d4, ph->dst, 4);
	return ref_pseudo_ipv4(s4, d4, proto, (uint16_t)len);
}

/* Verifies the checksum of one complete L4 segment of len bytes. */
static enum ref_l4_status l4_check(uint8_t proto, const uint8_t *l4, size_t len,
				   const struct pseudo *ph, struct ref_l4_result *res)
{
	int off = l4_csum_offset(proto);
	uint32_t acc;
	uint16_t want;

	res->proto = proto;
	if (off < 0) {
		res->reason = "protocol without a known checksum";
		return res->status = REF_L4_SKIPPED;
	}
	if (proto == IPPROTO_ICMP && ph->ipv6) {
		res->reason = "ICMPv4 inside IPv6";
		return res->status = REF_L4_MALFORMED;
	}
	if (len < l4_min_len(proto)) {
		res->reason = "L4 header cut short";
		return res->status = REF_L4_MALFORMED;
	}
	if (proto == IPPROTO_UDP) {
		size_t ulen = get_be16(l4 + 4);

		/* The UDP length, not the IP payload length, bounds the
		 * datagram: bytes after it are not covered. */
		if (ulen < 8 || ulen > len) {
			res->reason = "UDP length disagrees with the IP length";
			return res->status = REF_L4_MALFORMED;
		}
		len = ulen;
	}
	res->found = get_be16(l4 + off);
	if (proto == IPPROTO_UDP && res->found == 0 && !ph->ipv6) {
		res->reason = "UDP checksum 0 (none sent)";
		return res->status = REF_L4_SKIPPED;
	}

	acc = pseudo_sum(ph, proto, (uint32_t)len);
	acc = ref_sum_partial(l4, (size_t)off, acc);
	acc = ref_sum_partial(l4 + off + 2, len - (size_t)off - 2, acc);
	want = (uint16_t)~ref_fold(acc);
	if (proto == IPPROTO_UDP && want == 0)
		want = 0xffff; /* RFC 768: 0 means "no checksum" */
	res->want = want;

	/* The receiver's test: everything, field included, sums to 0xffff.
	 * It accepts both one's-complement zeroes (0x0000 and 0xffff). */
	acc = pseudo_sum(ph, proto, (uint32_t)len);
	if (ref_fold(ref_sum_partial(l4, len, acc)) == 0xffff &&
	    !(proto == IPPROTO_UDP && res->found == 0))
		return res->status = REF_L4_OK;
	return res->status = REF_L4_BAD;
}

static void result_reset(struct ref_l4_result *res)
{
	memset(res, 0, sizeof(*res));
}

enum ref_l4_status ref_l4_check_ipv4(const uint8_t *ip, size_t len, struct ref_l4_result *res)
{
	struct pseudo ph = { .ipv6 = false, .src = ip + 12, .dst = ip + 16 };
	size_t ihl, tot;

	result_reset(res);
	if (len < IPV4_MIN_HDR_LEN || ip[0] >> 4 != 4) {
		res->reason = "not an IPv4 header";
		return res->status = REF_L4_MALFORMED;
	}
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	tot = get_be16(ip + 2);
	res->proto = ip[9];
	if (ihl < IPV4_MIN_HDR_LEN || tot < ihl || tot > len) {
		res->reason = "IPv4 header or total length inconsistent";
		return res->status = REF_L4_MALFORMED;
	}
	if (get_be16(ip + 6) & 0x3fff) {
		res->reason = "fragment";
		return res->status = REF_L4_SKIPPED;
	}
	return l4_check(ip[9], ip + ihl, tot - ihl, &ph, res);
}

/* The upper layer of an IPv6 packet after its extension headers. */
struct ip6_walk {
	uint8_t proto;       /* upper-layer protocol */
	size_t off;          /* its offset from the IPv6 header */
	size_t end;          /* end of the IPv6 payload */
	bool fragment;       /* a fragment header was seen */
	bool later_fragment; /* ... with a non-zero offset */
	bool routed;         /* routing header with segments left */
	const char *error;
};

static bool is_ip6_ext(uint8_t nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS ||
	       nh == IPPROTO_FRAGMENT;
}

/* Walks the extension headers of ip6 within avail bytes. A non-first
 * fragment stops the walk: what follows its header is mid-datagram data. */
static void ip6_walk(const uint8_t *ip6, size_t avail, struct ip6_walk *w)
{
	size_t off = IPV6_HDR_LEN, hlen;
	uint8_t nh = ip6[6];

	memset(w, 0, sizeof(*w));
	w->end = IPV6_HDR_LEN + (size_t)get_be16(ip6 + 4);
	if (w->end > avail)
		w->end = avail; /* the caller decides whether that is an error */
	while (is_ip6_ext(nh)) {
		if (off + 8 > w->end) {
			w->error = "ipv6 extension header cut short";
			break;
		}
		if (nh == IPPROTO_FRAGMENT) {
			hlen = 8;
			w->fragment = true;
			if (get_be16(ip6 + off + 2) >> 3)
				w->later_fragment = true;
		} else {
			hlen = ((size_t)ip6[off + 1] + 1) * 8;
			if (nh == IPPROTO_ROUTING && ip6[off + 3] != 0)
				w->routed = true;
		}
		if (off + hlen > w->end) {
			w->error = "ipv6 extension header cut short";
			break;
		}
		nh = ip6[off];
		off += hlen;
		if (w->later_fragment)
			break;
	}
	w->proto = nh;
	w->off = off;
}

enum ref_l4_status ref_l4_check_ipv6(const uint8_t *ip6, size_t len, struct ref_l4_result *res)
{
	struct pseudo ph = { .ipv6 = true, .src = ip6 + 8, .dst = ip6 + 24 };
	struct ip6_walk w;

	result_reset(res);
	if (len < IPV6_HDR_LEN || ip6[0] >> 4 != 6) {
		res->reason = "not an IPv6 header";
		return res->status = REF_L4_MALFORMED;
	}
	if (IPV6_HDR_LEN + (size_t)get_be16(ip6 + 4) > len) {
		res->reason = "IPv6 payload length exceeds the bytes present";
		return res->status = REF_L4_MALFORMED;
	}
	ip6_walk(ip6, len, &w);
	res->proto = w.proto;
	if (w.error) {
		res->reason = w.error;
		return res->status = REF_L4_MALFORMED;
	}
	if (w.fragment) {
		res->reason = "fragment";
		return res->status = REF_L4_SKIPPED;
	}
	if (w.routed) {
		res->reason = "routing header with segments left";
		return res->status = REF_L4_SKIPPED;
	}
	if (w.proto == IPPROTO_IPIP) {
		res->reason = "IPv4-in-IPv6: the inner packet has the checksums";
		return res->status = REF_L4_SKIPPED;
	}
	if (w.proto == IPPROTO_ICMP) {
		res->reason = "ICMPv4 directly inside IPv6";
		return res->status = REF_L4_MALFORMED;
	}
	return l4_check(w.proto, ip6 + w.off, w.end - w.off, &ph, res);
}

bool ref_l4_ok_ipv4(const uint8_t *ip, size_t len)
{
	struct ref_l4_result res;
	enum ref_l4_status st = ref_l4_check_ipv4(ip, len, &res);

	return st == REF_L4_OK || st == REF_L4_SKIPPED;
}

bool ref_l4_ok_ipv6(const uint8_t *ip6, size_t len)
{
	struct ref_l4_result res;
	enum ref_l4_status st = ref_l4_check_ipv6(ip6, len, &res);

	return st == REF_L4_OK || st == REF_L4_SKIPPED;
}

/* ---- ref_verify_frame ------------------------------------------------- */

struct verifier {
	char *why;
	size_t whylen;
};

static int fail(struct verifier *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct verifier *v, const char *fmt, ...)
{
	va_list ap;

	if (v->why && v->whylen) {
		va_start(ap, fmt);
		vsnprintf(v->why, v->whylen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static const char *l4_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmpv6";
	default:
		return "l4";
	}
}

static int verify_l4(struct verifier *v, uint8_t proto, const uint8_t *l4, size_t len,
		     const struct pseudo *ph, const char *prefix)
{
	struct ref_l4_result res;

	result_reset(&res);
	switch (l4_check(proto, l4, len, ph, &res)) {
	case REF_L4_BAD:
		if (proto == IPPROTO_UDP && res.found == 0)
			return fail(v, "%sudp checksum 0 (none) is not allowed over ipv6, expected 0x%04x",
				    prefix, res.want);
		return fail(v, "%s%s checksum 0x%04x expected 0x%04x", prefix, l4_name(proto),
			    res.found, res.want);
	case REF_L4_MALFORMED:
		return fail(v, "%s%s: %s", prefix, l4_name(proto), res.reason);
	default:
		return 0;
	}
}

/* in_fragment: the packet travels inside an IPv6 fragment, so it may be cut
 * short and its L4 checksum cannot be summed; its IPv4 header still can. */
static int verify_ipv4(struct verifier *v, const uint8_t *ip, size_t avail, const char *prefix,
		       bool in_fragment, int depth)
{
	struct pseudo ph = { .ipv6 = false, .src = ip + 12, .dst = ip + 16 };
	bool may_be_short = in_fragment;
	size_t ihl, tot;
	uint16_t stored, want;

	if (depth > MAX_NESTING)
		return fail(v, "%sipv4: packets nested too deep", prefix);
	if (avail < IPV4_MIN_HDR_LEN) {
		if (may_be_short)
			return 0;
		return fail(v, "%sipv4 header cut short: %zu bytes", prefix, avail);
	}
	if (ip[0] >> 4 != 4)
		return fail(v, "%sipv4 version field is %u", prefix, ip[0] >> 4);
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	if (ihl < IPV4_MIN_HDR_LEN)
		return fail(v, "%sipv4 header length %zu below 20", prefix, ihl);
	if (ihl > avail) {
		if (may_be_short)
			return 0;
		return fail(v, "%sipv4 header length %zu exceeds the %zu bytes present", prefix, ihl,
			    avail);
	}
	stored = get_be16(ip + 10);
	if (ref_csum(ip, ihl) != 0) {
		want = ipv4_header_want(ip, ihl);
		return fail(v, "%sipv4 header checksum 0x%04x expected 0x%04x", prefix, stored, want);
	}

	tot = get_be16(ip + 2);
	if (tot < ihl)
		return fail(v, "%sipv4 total length %zu below header length %zu", prefix, tot, ihl);
	if (tot > avail) {
		if (!may_be_short)
			return fail(v, "%sipv4 total length %zu exceeds the %zu bytes present", prefix,
				    tot, avail);
		return 0; /* cut short: no L4 checksum can be summed */
	}
	/* The L4 checksum of a fragment covers the whole datagram, which is
	 * not here. */
	if (in_fragment || get_be16(ip + 6) & 0x3fff)
		return 0;
	if (l4_csum_offset(ip[9]) < 0 || ip[9] == IPPROTO_ICMPV6)
		return 0;
	/* For an ICMP error this sums the quote too, but nothing inside the
	 * quote is checked: it is a copy of someone else's packet, faithfully
	 * broken if that packet was (Snabb's icmpv6-nogress-ip-bound-port-
	 * unbound.pcap quotes an IPv4 header with a bad checksum). */
	return verify_l4(v, ip[9], ip + ihl, tot - ihl, &ph, prefix);
}

static int verify_ipv6(struct verifier *v, const uint8_t *ip6, size_t avail, const char *prefix,
		       bool in_fragment, int depth)
{
	struct pseudo ph = { .ipv6 = true, .src = ip6 + 8, .dst = ip6 + 24 };
	bool may_be_short = in_fragment;
	bool cut_short = false;
	char iprefix[64];
	struct ip6_walk w;
	size_t plen;

	if (depth > MAX_NESTING)
		return fail(v, "%sipv6: packets nested too deep", prefix);
	if (avail < IPV6_HDR_LEN) {
		if (may_be_short)
			return 0;
		return fail(v, "%sipv6 header cut short: %zu bytes", prefix, avail);
	}
	if (ip6[0] >> 4 != 6)
		return fail(v, "%sipv6 version field is %u", prefix, ip6[0] >> 4);
	plen = get_be16(ip6 + 4);
	if (IPV6_HDR_LEN + plen > avail) {
		if (!may_be_short)
			return fail(v, "%sipv6 payload length %zu exceeds the %zu bytes present",
				    prefix, plen, avail - IPV6_HDR_LEN);
		cut_short = true;
	}
	ip6_walk(ip6, avail, &w);
	if (w.error)
		return may_be_short ? 0 : fail(v, "%s%s", prefix, w.error);
	if (w.later_fragment)
		return 0;
	if (w.fragment)
		in_fragment = true;

	/* The first fragment of a tunnelled packet still holds its whole
	 * IPv4 header, which is worth checking; its L4 is not. */
	snprintf(iprefix, sizeof(iprefix), "%sinner ", prefix);
	if (w.proto == IPPROTO_IPIP)
		return verify_ipv4(v, ip6 + w.off, w.end - w.off, iprefix, in_fragment, depth + 1);
	if (w.proto == IPPROTO_IPV6)
		return verify_ipv6(v, ip6 + w.off, w.end - w.off, iprefix, in_fragment, depth + 1);
	if (in_fragment || cut_short || w.routed)
		return 0;
	if (w.proto == IPPROTO_ICMP)
		return fail(v, "%sicmp (v4) directly inside ipv6", prefix);
	if (l4_csum_offset(w.proto) < 0)
		return 0;
	return verify_l4(v, w.proto, ip6 + w.off, w.end - w.off, &ph, prefix);
}

int ref_verify_frame(const uint8_t *frame, size_t len, char *why, size_t whylen)
{
	struct verifier v = { .why = why, .whylen = whylen };
	size_t off = 12;
	uint16_t type;
	int tags = 0;

	if (why && whylen)
		why[0] = '\0';
	if (len < ETH_HDR_LEN)
		return fail(&v, "frame of %zu bytes is shorter than an ethernet header", len);
	type = get_be16(frame + off);
	while (type == 0x8100 || type == 0x88a8) {
		if (++tags > 2)
			return fail(&v, "more than two vlan tags");
		off += VLAN_TAG_LEN;
		if (off + 2 > len)
			return fail(&v, "vlan tag cut short");
		type = get_be16(frame + off);
	}
	off += 2;
	if (type == 0x0800)
		return verify_ipv4(&v, frame + off, len - off, "", false, 0);
	if (type == 0x86dd)
		return verify_ipv6(&v, frame + off, len - off, "", false, 0);
	return 0;
}
