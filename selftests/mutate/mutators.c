// SPDX-License-Identifier: GPL-2.0
/* Mutations of a built frame, aimed where the programs make decisions:
 * length fields, header lengths, extension-header chains, fragments, tags,
 * quotes, addresses and ports. Most mutations are followed by checksum
 * fix-ups (not always: a bad checksum must be refused too), so that a frame
 * whose lengths lie still reaches the code that believes them. */
#include <string.h>

#include "csum_ref.h"
#include "wire.h"
#include "mutate.h"

enum { NOFIX_HDR = 1, NOFIX_L4 = 2, NOFIX_QUOTE = 4 };

/* ---- fix-ups ------------------------------------------------------------------- */

static void fix_ip4_hdr(struct mframe *f, int off)
{
	size_t ihl;

	if (off < 0 || (size_t)off + 20 > f->len)
		return;
	ihl = (f->buf[off] & 0x0fu) * 4;
	if (ihl < 20 || off + ihl > f->len)
		return;
	put_be16(f->buf + off + 10, 0);
	put_be16(f->buf + off + 10, ref_csum(f->buf + off, ihl));
}

/* The checksum of the forwarded IPv4 packet's transport header over what its
 * Total Length (and the frame) holds now. */
static void fix_l4(struct mframe *f)
{
	uint8_t *ip = f->buf + f->ip4, *l4;
	size_t ihl, end, seg, n;
	uint32_t src, dst;
	uint16_t c;

	if (f->ip4 < 0 || (size_t)f->ip4 + 20 > f->len)
		return;
	ihl = (ip[0] & 0x0fu) * 4;
	end = (size_t)f->ip4 + get_be16(ip + 2);
	if (end > f->len)
		end = f->len;
	if (ihl < 20 || f->ip4 + ihl > end)
		return;
	l4 = ip + ihl;
	seg = end - (f->ip4 + ihl);
	memcpy(&src, ip + 12, 4);
	memcpy(&dst, ip + 16, 4);
	switch (ip[9]) {
	case IPPROTO_TCP:
		if (seg < 18)
			return;
		put_be16(l4 + 16, 0);
		put_be16(l4 + 16, ref_l4_csum_ipv4(src, dst, IPPROTO_TCP, l4, seg));
		break;
	case IPPROTO_UDP:
		if (seg < 8)
			return;
		n = get_be16(l4 + 4);
		if (n < 8 || n > seg)
			n = seg;
		put_be16(l4 + 6, 0);
		c = ref_l4_csum_ipv4(src, dst, IPPROTO_UDP, l4, n);
		put_be16(l4 + 6, c ? c : 0xffff);
		break;
	case IPPROTO_ICMP:
		if (seg < 4)
			return;
		put_be16(l4 + 2, 0);
		put_be16(l4 + 2, ref_csum(l4, seg));
		break;
	}
}

void fix_all(struct mframe *f)
{
	fix_ip4_hdr(f, f->quote);
	fix_l4(f);
	fix_ip4_hdr(f, f->ip4);
}

/* ---- helpers --------------------------------------------------------------------- */

static void shift_offsets(struct mframe *f, int at, int n)
{
	int *offs[] = { &f->ip6, &f->ip4, &f->l4, &f->quote };

	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
		if (*offs[i] >= at)
			*offs[i] += n;
	for (int i = 0; i < f->n_ext; i++)
		if (f->ext[i] >= at)
			f->ext[i] += n;
}

static bool insert_bytes(struct mframe *f, int at, const uint8_t *bytes, size_t n)
{
	if (at < 0 || (size_t)at > f->len || f->len + n > MF_MAX)
		return false;
	memmove(f->buf + at + n, f->buf + at, f->len - (size_t)at);
	memcpy(f->buf + at, bytes, n);
	f->len += n;
	shift_offsets(f, at, (int)n);
	return true;
}

static bool has(const struct mframe *f, int off, size_t need)
{
	return off >= 0 && (size_t)off + need <= f->len;
}

static void add16(struct mframe *f, int off, int delta)
{
	put_be16(f->buf + off, (uint16_t)(get_be16(f->buf + off) + delta));
}

static void xor16(struct mframe *f, int off, uint16_t x)
{
	put_be16(f->buf + off, (uint16_t)(get_be16(f->buf + off) ^ x));
}

/* An offset for byte mutations: mostly among the headers. */
static size_t pos(struct rng *r, const struct mframe *f)
{
	size_t span = f->len < 96 ? f->len : 96;

	return rng_pct(r, 70) ? rng_below(r, (uint32_t)span) : rng_below(r, (uint32_t)f->len);
}

static uint8_t ip4_proto(const struct mframe *f)
{
	return has(f, f->ip4, 20) ? f->buf[f->ip4 + 9] : 0;
}

/* ---- mutations ----------------------------------------------------------------- */

typedef unsigned (*mutation)(struct rng *r, const struct target *t, struct mframe *f);

static unsigned m_bitflip(struct rng *r, const struct target *t, struct mframe *f)
{
	unsigned n = 1 + rng_below(r, 3);
	size_t p = pos(r, f);

	mf_log(f, "flip@%zu", p);
	f->buf[p] ^= (uint8_t)(1u << rng_below(r, 8));
	while (--n)
		f->buf[pos(r, f)] ^= (uint8_t)(1u << rng_below(r, 8));
	return 0;
}

static unsigned m_byteset(struct rng *r, const struct target *t, struct mframe *f)
{
	static const uint8_t vals[] = { 0, 0xff, 0x7f, 0x80, 1, 0x40, 0x45, 0x60, 4, 6, 17, 41,
					43, 44, 60, 0x3b };
	size_t p = pos(r, f);
	uint8_t v = rng_pct(r, 60) ? rng_pick(r, vals) : (uint8_t)rng_next(r);

	f->buf[p] = v;
	mf_log(f, "set@%zu=%02x", p, v);
	return 0;
}

static unsigned m_truncate(struct rng *r, const struct target *t, struct mframe *f)
{
	size_t max_cut = f->len - 14, cut;

	if (f->len <= 14)
		return 0;
	cut = 1 + rng_below(r, (uint32_t)(rng_pct(r, 50) && max_cut > 8 ? 8 : max_cut));
	f->len -= cut;
	mf_log(f, "trunc-%zu", cut);
	return 0;
}

/* Bytes after the IP packet: Ethernet padding, or inside the IPv6 payload
 * past the IPv4 Total Length. Copies of the transport header look like
 * ports to a parser that reads too far. */
static unsigned m_trail(struct rng *r, const struct target *t, struct mframe *f)
{
	size_t n = 1 + rng_below(r, 64);
	unsigned how = rng_below(r, 3);
	bool in_v6 = f->ip6 >= 0 && rng_pct(r, 50);

	if (f->len + n > MF_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		size_t src = f->l4 >= 0 ? (size_t)f->l4 + i % 24 : i;

		f->buf[f->len + i] = how == 0 ? 0 : how == 1 ? (uint8_t)rng_next(r) :
				     src < f->len ? f->buf[src] : 0;
	}
	f->len += n;
	if (in_v6)
		add16(f, f->ip6 + 4, (int)n);
	mf_log(f, "trail+%zu%s%s", n, how == 0 ? "(0)" : how == 1 ? "(rnd)" : "(l4)",
	       in_v6 ? "(in-ipv6)" : "");
	return 0;
}

static unsigned m_totlen(struct rng *r, const struct target *t, struct mframe *f)
{
	unsigned tot, ihl, v, how = rng_below(r, 10);

	if (!has(f, f->ip4, 20))
		return 0;
	tot = get_be16(f->buf + f->ip4 + 2);
	ihl = (f->buf[f->ip4] & 0x0fu) * 4;
	if (how < 6 && tot > 0)
		v = tot - 1 - rng_below(r, tot < 40 ? tot : 40);
	else if (how < 8)
		v = tot + 1 + rng_below(r, 64);
	else if (how < 9)
		v = (uint16_t)rng_next(r);
	else
		v = ihl + rng_below(r, 9);
	put_be16(f->buf + f->ip4 + 2, (uint16_t)v);
	mf_log(f, "totlen=%u(was %u)", v & 0xffff, tot);
	return 0;
}

static unsigned m_plen(struct rng *r, const struct target *t, struct mframe *f)
{
	unsigned v, old;

	if (!has(f, f->ip6, 40))
		return 0;
	old = get_be16(f->buf + f->ip6 + 4);
	switch (rng_below(r, 3)) {
	case 0:
		v = (uint16_t)rng_next(r);
		break;
	case 1:
		v = old + (rng_pct(r, 50) ? 1 : -1) * (int)(1 + rng_below(r, 16));
		break;
	default: /* the IPv6 packet ends with the IPv4 one */
		if (!has(f, f->ip4, 4))
			return 0;
		v = (unsigned)(f->ip4 + get_be16(f->buf + f->ip4 + 2) - (f->ip6 + 40));
	}
	put_be16(f->buf + f->ip6 + 4, (uint16_t)v);
	mf_log(f, "plen=%u(was %u)", v & 0xffff, old);
	return 0;
}

static unsigned m_udplen(struct rng *r, const struct target *t, struct mframe *f)
{
	unsigned v;

	if (ip4_proto(f) != IPPROTO_UDP || !has(f, f->l4, 8))
		return 0;
	v = rng_pct(r, 30) ? (uint16_t)rng_next(r) :
	    get_be16(f->buf + f->l4 + 4) + (rng_pct(r, 50) ? 1 : -1) * (int)(1 + rng_below(r, 16));
	put_be16(f->buf + f->l4 + 4, (uint16_t)v);
	mf_log(f, "udplen=%u", v & 0xffff);
	return 0;
}

static unsigned m_ihl(struct rng *r, const struct target *t, struct mframe *f)
{
	int off = f->quote >= 0 && rng_pct(r, 30) ? f->quote : f->ip4;
	unsigned v = rng_below(r, 16);

	if (!has(f, off, 1))
		return 0;
	f->buf[off] = (uint8_t)((f->buf[off] & 0xf0) | v);
	mf_log(f, "%sihl=%u", off == f->quote ? "quote-" : "", v);
	return 0;
}

/* IPv4 options inserted after the header (IHL, Total Length and the IPv6
 * Payload Length grow with them). */
static unsigned m_options(struct rng *r, const struct target *t, struct mframe *f)
{
	uint8_t opt[40];
	unsigned ihl, n, kind = rng_below(r, 5);

	if (!has(f, f->ip4, 20))
		return 0;
	ihl = (f->buf[f->ip4] & 0x0fu) * 4;
	if (ihl < 20 || ihl > 56)
		return 0;
	n = 4 * (1 + rng_below(r, (60 - ihl) / 4));
	memset(opt, kind == 0 ? 1 : 0, n); /* NOPs, or End-of-Options */
	if (kind == 0)
		opt[n - 1] = 0;
	else if (kind == 1 && n >= 8) {
		opt[0] = 7; /* record route */
		opt[1] = (uint8_t)(n - 1);
		opt[2] = 4;
	} else if (kind == 2) {
		opt[0] = 68; /* timestamp */
		opt[1] = (uint8_t)n;
		opt[2] = 5;
	} else if (kind == 3) {
		for (unsigned i = 0; i < n; i++)
			opt[i] = (uint8_t)rng_next(r);
	} else {
		opt[0] = 0x83; /* loose source route with a length past the header */
		opt[1] = (uint8_t)(n + 4 + rng_below(r, 8));
		opt[2] = 4;
	}
	if (!insert_bytes(f, f->ip4 + (int)ihl, opt, n))
		return 0;
	f->buf[f->ip4] = (uint8_t)((f->buf[f->ip4] & 0xf0) | ((ihl + n) / 4));
	add16(f, f->ip4 + 2, (int)n);
	if (f->ip6 >= 0)
		add16(f, f->ip6 + 4, (int)n);
	mf_log(f, "opts+%u(kind %u)", n, kind);
	return 0;
}

/* An extension header pushed at the front of the IPv6 chain. Repeated, it
 * makes chains longer than a parser walks. */
static unsigned m_ext6(struct rng *r, const struct target *t, struct mframe *f)
{
	static const uint8_t types[] = { IPPROTO_HOPOPTS, IPPROTO_DSTOPTS, IPPROTO_DSTOPTS,
					 IPPROTO_ROUTING, IPPROTO_FRAGMENT };
	static const uint8_t rtypes[] = { 0, 2, 3, 4 };
	uint8_t h[32] = { 0 }, type = rng_pick(r, types);
	size_t n = 8;
	int at;

	if (!has(f, f->ip6, 40) || f->n_ext >= MF_MAX_EXT)
		return 0;
	if (type == IPPROTO_FRAGMENT) {
		uint16_t off = rng_pct(r, 60) ? 0 : (uint16_t)rng_below(r, 0x2000);

		put_be16(h + 2, (uint16_t)(off << 3 | (rng_pct(r, 50) ? 1 : 0)));
		put_be32(h + 4, (uint32_t)rng_next(r));
	} else if (type == IPPROTO_ROUTING) {
		n = rng_pct(r, 50) ? 8 : 24;
		h[2] = rng_pick(r, rtypes);
		h[3] = rng_pct(r, 60) ? 0 : (uint8_t)(1 + rng_below(r, 3));
	} else {
		n = 8 * (1 + rng_below(r, 3));
		h[2] = 1; /* PadN */
		h[3] = (uint8_t)(n - 4);
	}
	h[0] = f->buf[f->ip6 + 6];
	h[1] = type == IPPROTO_FRAGMENT ? 0 : (uint8_t)(n / 8 - 1);
	at = f->ip6 + 40;
	if (!insert_bytes(f, at, h, n))
		return 0;
	memmove(f->ext + 1, f->ext, sizeof(f->ext[0]) * (size_t)f->n_ext);
	f->ext[0] = at;
	f->n_ext++;
	f->buf[f->ip6 + 6] = type;
	add16(f, f->ip6 + 4, (int)n);
	mf_log(f, "ext%u+%zu", type, n);
	return 0;
}

static unsigned m_frag4(struct rng *r, const struct target *t, struct mframe *f)
{
	static const char *const names[] = { "mf", "offset", "mf+offset", "none", "df" };
	unsigned how = rng_below(r, 5);
	uint16_t v, off = (uint16_t)(1 + rng_below(r, 0x1fff));

	if (!has(f, f->ip4, 20))
		return 0;
	v = get_be16(f->buf + f->ip4 + 6);
	v = how == 0 ? (v & 0x4000) | 0x2000 : how == 1 ? off : how == 2 ? 0x2000 | off :
	    how == 3 ? 0 : v ^ 0x4000;
	put_be16(f->buf + f->ip4 + 6, v);
	mf_log(f, "frag4=%s", names[how]);
	return 0;
}

static unsigned m_hdrcsum(struct rng *r, const struct target *t, struct mframe *f)
{
	bool q = f->quote >= 0 && rng_pct(r, 40);
	int off = q ? f->quote : f->ip4;

	if (!has(f, off, 20))
		return 0;
	xor16(f, off + 10, (uint16_t)(1 + rng_below(r, 0xffff)));
	mf_log(f, "%shdrcsum-bad", q ? "quote-" : "");
	return q ? NOFIX_QUOTE : NOFIX_HDR;
}

static unsigned m_l4csum(struct rng *r, const struct target *t, struct mframe *f)
{
	uint8_t proto = ip4_proto(f);
	int at = proto == IPPROTO_TCP ? 16 : proto == IPPROTO_UDP ? 6 :
		 proto == IPPROTO_ICMP ? 2 : -1;

	if (at < 0 || !has(f, f->l4, (size_t)at + 2))
		return 0;
	xor16(f, f->l4 + at, (uint16_t)(1 + rng_below(r, 0xffff)));
	mf_log(f, "l4csum-bad");
	return NOFIX_L4;
}

static unsigned m_side(struct rng *r, const struct target *t, struct mframe *f)
{
	f->ifindex = t->other_side(f->ifindex);
	mf_log(f, "wrong-side");
	return 0;
}

static unsigned m_vlan(struct rng *r, const struct target *t, struct mframe *f)
{
	uint8_t tags[8] = { 0x81, 0x00 };
	size_t n = 4;
	unsigned how = rng_below(r, 3);

	if (how == 1)
		put_be16(tags + 2, (uint16_t)(1 + rng_below(r, 4094)));
	if (how == 2) {
		put_be16(tags, 0x88a8);
		put_be16(tags + 2, (uint16_t)rng_below(r, 4095));
		put_be16(tags + 4, 0x8100);
		put_be16(tags + 6, (uint16_t)rng_below(r, 4095));
		n = 8;
	}
	if (!insert_bytes(f, 12, tags, n))
		return 0;
	mf_log(f, "%s", how == 0 ? "prio-tag" : how == 1 ? "vlan" : "qinq");
	return 0;
}

static unsigned m_addr4(struct rng *r, const struct target *t, struct mframe *f)
{
	bool q = f->quote >= 0 && rng_pct(r, 40);
	int off = q ? f->quote : f->ip4;
	bool dst = rng_pct(r, 50);
	uint32_t a = rng_pct(r, 80) ? t->addrs4[rng_below(r, (uint32_t)t->n_addrs4)] :
				      (uint32_t)rng_next(r);
	char buf[16];

	if (!has(f, off, 20))
		return 0;
	memcpy(f->buf + off + (dst ? 16 : 12), &a, 4);
	mf_log(f, "%s%s=%s", q ? "quote-" : "", dst ? "dst" : "src", fmt4(a, buf));
	return 0;
}

static unsigned m_addr6(struct rng *r, const struct target *t, struct mframe *f)
{
	bool dst = rng_pct(r, 50);
	int at = f->ip6 + (dst ? 24 : 8);

	if (!has(f, f->ip6, 40))
		return 0;
	if (rng_pct(r, 80))
		memcpy(f->buf + at, &t->addrs6[rng_below(r, (uint32_t)t->n_addrs6)], 16);
	else
		f->buf[at + 15 - rng_below(r, 4)] ^= (uint8_t)(1 + rng_below(r, 255));
	mf_log(f, "ip6-%s", dst ? "dst" : "src");
	return 0;
}

/* Where the "port" of the packet is: TCP/UDP ports, the echo Identifier, or
 * those of the quote. */
static int port_at(struct rng *r, const struct mframe *f, const char **what)
{
	int off;

	if (f->quote >= 0 && has(f, f->quote, 20) && rng_pct(r, 60)) {
		off = f->quote + (f->buf[f->quote] & 0x0f) * 4;
		*what = "quote-port";
		if (f->buf[f->quote + 9] == IPPROTO_ICMP)
			return off + 4; /* the echo Identifier */
		return off + (rng_pct(r, 50) ? 2 : 0);
	}
	*what = "port";
	if (f->l4 < 0)
		return -1;
	return ip4_proto(f) == IPPROTO_ICMP ? f->l4 + 4 : f->l4 + (rng_pct(r, 50) ? 2 : 0);
}

static unsigned m_port(struct rng *r, const struct target *t, struct mframe *f)
{
	const char *what;
	int at = port_at(r, f, &what);
	uint16_t v;

	if (!has(f, at, 2))
		return 0;
	v = get_be16(f->buf + at);
	switch (rng_below(r, 4)) {
	case 0:
		v = (uint16_t)rng_next(r);
		break;
	case 1:
		v = (uint16_t)(v + (rng_pct(r, 50) ? 1 : -1));
		break;
	case 2: /* another port set, usually */
		v ^= (uint16_t)(1u << rng_below(r, 16));
		break;
	default:
		v = rng_pct(r, 50) ? 0 : 0xffff;
	}
	put_be16(f->buf + at, v);
	mf_log(f, "%s=%u", what, v);
	return 0;
}

/* The quote of an ICMP error: its protocol, header length, or the error's
 * Total Length ending inside it (the rest left as trailing bytes). */
static unsigned m_quote(struct rng *r, const struct target *t, struct mframe *f)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, 47 };
	unsigned how = rng_below(r, 3), v;

	if (!has(f, f->quote, 20) || !has(f, f->ip4, 20))
		return 0;
	if (how == 0) {
		f->buf[f->quote + 9] = rng_pick(r, protos);
		mf_log(f, "quote-proto=%u", f->buf[f->quote + 9]);
	} else if (how == 1) {
		v = 5 + rng_below(r, 11);
		f->buf[f->quote] = (uint8_t)(0x40 | v);
		mf_log(f, "quote-ihl=%u", v);
	} else {
		v = (unsigned)(f->quote - f->ip4) + rng_below(r, 29);
		put_be16(f->buf + f->ip4 + 2, (uint16_t)v);
		mf_log(f, "quote-cut-totlen=%u", v);
	}
	return 0;
}

static unsigned m_ttl(struct rng *r, const struct target *t, struct mframe *f)
{
	static const uint8_t vals[] = { 0, 1, 2, 255 };

	if (!has(f, f->ip4, 20))
		return 0;
	f->buf[f->ip4 + 8] = rng_pick(r, vals);
	mf_log(f, "ttl=%u", f->buf[f->ip4 + 8]);
	return 0;
}

static unsigned m_proto(struct rng *r, const struct target *t, struct mframe *f)
{
	static const uint8_t vals[] = { 6, 17, 1, 47, 4, 41, 0, 255 };

	if (!has(f, f->ip4, 20))
		return 0;
	f->buf[f->ip4 + 9] = rng_pick(r, vals);
	mf_log(f, "proto=%u", f->buf[f->ip4 + 9]);
	return 0;
}

static unsigned m_icmptype(struct rng *r, const struct target *t, struct mframe *f)
{
	static const uint8_t types[] = { 0, 3, 8, 11, 12, 5, 13, 4, 14 };

	if (ip4_proto(f) != IPPROTO_ICMP || !has(f, f->l4, 2))
		return 0;
	f->buf[f->l4] = rng_pick(r, types);
	f->buf[f->l4 + 1] = (uint8_t)rng_below(r, 5);
	mf_log(f, "icmp=%u/%u", f->buf[f->l4], f->buf[f->l4 + 1]);
	return 0;
}

static const struct {
	mutation fn;
	unsigned weight;
} mutations[] = {
	{ m_bitflip, 10 }, { m_byteset, 6 }, { m_truncate, 4 }, { m_trail, 10 }, { m_totlen, 12 },
	{ m_plen, 5 }, { m_udplen, 4 }, { m_ihl, 4 }, { m_options, 5 }, { m_ext6, 7 },
	{ m_frag4, 4 }, { m_hdrcsum, 4 }, { m_l4csum, 3 }, { m_side, 4 }, { m_vlan, 3 },
	{ m_addr4, 6 }, { m_addr6, 5 }, { m_port, 8 }, { m_quote, 6 }, { m_ttl, 3 },
	{ m_proto, 3 }, { m_icmptype, 3 },
};

static mutation pick_mutation(struct rng *r)
{
	static unsigned total;
	unsigned x;

	if (!total)
		for (size_t i = 0; i < sizeof(mutations) / sizeof(mutations[0]); i++)
			total += mutations[i].weight;
	x = rng_below(r, total);
	for (size_t i = 0;; i++) {
		if (x < mutations[i].weight)
			return mutations[i].fn;
		x -= mutations[i].weight;
	}
}

void mutate_frame(struct rng *r, const struct target *t, struct mframe *f)
{
	unsigned x = rng_below(r, 100), n, nofix = 0;

	n = x < 15 ? 0 : x < 50 ? 1 : x < 75 ? 2 : x < 90 ? 3 : 4 + rng_below(r, 3);
	for (unsigned i = 0; i < n; i++)
		nofix |= pick_mutation(r)(r, t, f);
	if (!n)
		return;
	/* inside out: the quote's header, the ICMP message over it, the header */
	if (!(nofix & NOFIX_QUOTE) && rng_pct(r, 60))
		fix_ip4_hdr(f, f->quote);
	if (!(nofix & NOFIX_L4) && rng_pct(r, 70)) {
		fix_l4(f);
		mf_log(f, "fix-l4");
	}
	if (!(nofix & NOFIX_HDR) && rng_pct(r, 80))
		fix_ip4_hdr(f, f->ip4);
	else
		mf_log(f, "(ip4 hdr csum not fixed)");
}
