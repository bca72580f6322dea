/* SPDX-License-Identifier: GPL-2.0 */
/* Frame comparator. Each frame is dissected into a flat list of named
 * fields; two lists of the same shape are compared entry by entry.
 *
 * Checksums and masks: every checksum gets a "slot", and every field records
 * the slots of the checksums that cover it (its own header's, the pseudo-
 * header's, and those of the ICMP messages it is quoted in). A masked field
 * that differs taints its slots; a tainted checksum is not compared with the
 * expected frame but recomputed over the actual one. Over-approximating the
 * coverage is harmless: a correct checksum over equal data equals the
 * expected one anyway. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "csum_ref.h"
#include "pktcmp.h"
#include "wire.h"

#define MAX_FIELDS 256
#define MAX_SLOTS 64
#define MAX_DEPTH 4      /* an ICMPv6 error quoting IPv4-in-IPv6 is depth 2 */
#define MAX_ENCLOSING 8

enum fmt {
	FMT_DEC,
	FMT_HEX2,
	FMT_HEX4,
	FMT_HEX5,
	FMT_HEX8,
	FMT_IP4,
	FMT_IP6,
	FMT_MAC,
	FMT_TCP_FLAGS,
	FMT_BYTES,
};

/* What a header field means to the comparison (bit set, in tables). */
enum {
	R_PSEUDO = 1 << 0,   /* also in the L4 pseudo-header */
	R_CSUM = 1 << 1,     /* the header's own checksum */
	R_TTL = 1 << 2,      /* TTL / hop limit: set by whoever generates */
	R_FRAG_ID = 1 << 3,  /* IPv4 ID / fragment ID */
	R_LENGTH = 1 << 4,   /* grows with an ICMP quote below it */
	R_FLOW = 1 << 5,     /* IPv6 flow label */
};

/* Field flags after dissection. */
enum {
	FL_CSUM = 1 << 0,
	FL_QUOTE_LEN = 1 << 1, /* follows from the length of an ICMP quote */
};

struct field {
	char name[PKTCMP_NAME_LEN];
	enum fmt fmt;
	unsigned int flags;
	unsigned int mask; /* PKTCMP_MASK_* bits that hide it */
	int slot;          /* FL_CSUM: which checksum */
	uint64_t deps;     /* slots of the checksums covering it */
	uint32_t num;
	size_t off, len;   /* byte-valued fields */
};

struct slot {
	bool verifiable;   /* every covered byte present */
	uint8_t proto;     /* 0 for an IPv4 header checksum */
	bool udp_zero_ok;  /* UDP over IPv4: 0 = no checksum */
	size_t off, len;   /* covered bytes */
	size_t csum_off;   /* checksum field, relative to off */
	uint32_t pseudo;
};

struct dissection {
	const uint8_t *pkt;
	size_t len;
	size_t quote_limit; /* dissect at most this much of a top-level quote */
	bool has_quote;
	size_t quote_len;   /* bytes quoted by the first top-level ICMP error */
	struct field f[MAX_FIELDS];
	size_t n;
	struct slot s[MAX_SLOTS];
	int ns;
};

/* Where in the frame a dissector is. Copied, not shared, into each nested
 * packet, so what a level adds is seen only below it. */
struct level {
	char prefix[32];
	uint64_t deps;      /* checksums covering everything at this level */
	bool quoted;
	bool unverifiable;  /* fragment or cut short: no L4 checksum */
	int depth;
	int outer_ip;       /* 1 for the frame's own IP header */
	int ttl[MAX_ENCLOSING], n_ttl;   /* TTL / hop limit / ID fields above */
	int lens[MAX_ENCLOSING], n_lens; /* length fields above */
};

struct hdr_field {
	const char *name;
	uint8_t off, size; /* bytes read, big-endian */
	uint32_t mask;     /* after the shift; 0 = whole value */
	uint8_t shift;
	enum fmt fmt;
	unsigned int role; /* R_* */
};

/* dst = a + b, cut to fit: names are for people, a cut one still helps. */
static void join(char *dst, size_t cap, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > cap - 1)
		la = cap - 1;
	if (lb > cap - 1 - la)
		lb = cap - 1 - la;
	memcpy(dst, a, la);
	memcpy(dst + la, b, lb);
	dst[la + lb] = '\0';
}

static uint64_t bit(int slot)
{
	return slot < 0 ? 0 : 1ull << slot;
}

static int new_slot(struct dissection *d)
{
	if (d->ns == MAX_SLOTS)
		return -1;
	memset(&d->s[d->ns], 0, sizeof(d->s[0]));
	return d->ns++;
}

static int add_field(struct dissection *d, const struct level *lv, const char *name,
		     enum fmt fmt, uint32_t num, size_t off, size_t len, uint64_t deps)
{
	struct field *f;

	if (d->n == MAX_FIELDS)
		return -1;
	f = &d->f[d->n];
	memset(f, 0, sizeof(*f));
	join(f->name, sizeof(f->name), lv->prefix, name);
	f->fmt = fmt;
	f->num = num;
	f->off = off;
	f->len = len;
	f->slot = -1;
	f->deps = lv->deps | deps;
	return (int)d->n++;
}

static void add_bytes(struct dissection *d, const struct level *lv, const char *name, size_t off,
		      size_t len)
{
	add_field(d, lv, name, FMT_BYTES, 0, off, len, 0);
}

static void push_idx(int *arr, int *n, int idx)
{
	if (idx >= 0 && *n < MAX_ENCLOSING)
		arr[(*n)++] = idx;
}

static uint32_t read_be(const uint8_t *p, unsigned int size)
{
	uint32_t v = 0;
	unsigned int i;

	for (i = 0; i < size; i++)
		v = v << 8 | p[i];
	return v;
}

/* Emits the fields of one fixed-layout header from its table, as many as the
 * avail bytes hold, then the rest as "<hdr>.truncated". Roles are applied
 * here: hslot is the header's own checksum, pslot the pseudo-header user,
 * and TTL/ID/length fields are remembered in `below`, the level of what the
 * header carries. idx[i] receives each field's index (-1 if absent).
 * Returns true when the whole table fit. */
static bool emit_table(struct dissection *d, const struct level *lv, struct level *below,
		       const char *hdr, const struct hdr_field *t, size_t nt, size_t off,
		       size_t avail, int hslot, int pslot, int *idx)
{
	const uint8_t *p = d->pkt + off;
	size_t covered = 0, i;
	char name[PKTCMP_NAME_LEN];
	uint64_t deps;
	uint32_t v;
	int k;

	for (i = 0; i < nt; i++)
		idx[i] = -1;
	for (i = 0; i < nt; i++) {
		if ((size_t)t[i].off + t[i].size > avail)
			break;
		snprintf(name, sizeof(name), "%s.%s", hdr, t[i].name);
		deps = bit(hslot) | (t[i].role & R_PSEUDO ? bit(pslot) : 0);
		if (t[i].fmt == FMT_IP4 || t[i].fmt == FMT_IP6 || t[i].fmt == FMT_MAC) {
			k = add_field(d, lv, name, t[i].fmt, 0, off + t[i].off, t[i].size, deps);
		} else {
			v = read_be(p + t[i].off, t[i].size) >> t[i].shift;
			if (t[i].mask)
				v &= t[i].mask;
			k = add_field(d, lv, name, t[i].fmt, v, 0, 0, deps);
		}
		idx[i] = k;
		if ((size_t)t[i].off + t[i].size > covered)
			covered = (size_t)t[i].off + t[i].size;
		if (k < 0)
			continue;
		if (t[i].role & R_CSUM) {
			d->f[k].flags |= FL_CSUM;
			d->f[k].slot = hslot;
		}
		if (t[i].role & R_FLOW)
			d->f[k].mask |= PKTCMP_MASK_FLOW_LABEL;
		if (t[i].role & R_FRAG_ID)
			d->f[k].mask |= PKTCMP_MASK_FRAG_ID;
		if (!lv->quoted && below) {
			if (t[i].role & (R_TTL | R_FRAG_ID))
				push_idx(below->ttl, &below->n_ttl, k);
			if (t[i].role & R_LENGTH)
				push_idx(below->lens, &below->n_lens, k);
		}
	}
	if (i < nt) {
		snprintf(name, sizeof(name), "%s.truncated", hdr);
		add_bytes(d, lv, name, off + covered, avail - covered);
		return false;
	}
	return true;
}

#define N(t) (sizeof(t) / sizeof((t)[0]))

static const struct hdr_field eth_fields[] = {
	{ "dst", 0, 6, 0, 0, FMT_MAC, 0 },
	{ "src", 6, 6, 0, 0, FMT_MAC, 0 },
	{ "type", 12, 2, 0, 0, FMT_HEX4, 0 },
};

/* A VLAN tag after its TPID: TCI, then the next EtherType. */
static const struct hdr_field vlan_fields[] = {
	{ "pcp", 0, 2, 0x7, 13, FMT_DEC, 0 },
	{ "dei", 0, 2, 0x1, 12, FMT_DEC, 0 },
	{ "vid", 0, 2, 0xfff, 0, FMT_DEC, 0 },
	{ "type", 2, 2, 0, 0, FMT_HEX4, 0 },
};

static const struct hdr_field ipv4_fields[] = {
	{ "version", 0, 1, 0xf, 4, FMT_DEC, 0 },
	{ "ihl", 0, 1, 0xf, 0, FMT_DEC, 0 },
	{ "tos", 1, 1, 0, 0, FMT_HEX2, 0 },
	{ "total_length", 2, 2, 0, 0, FMT_DEC, R_PSEUDO | R_LENGTH },
	{ "id", 4, 2, 0, 0, FMT_HEX4, R_FRAG_ID },
	{ "reserved_flag", 6, 2, 0x1, 15, FMT_DEC, 0 },
	{ "df", 6, 2, 0x1, 14, FMT_DEC, 0 },
	{ "mf", 6, 2, 0x1, 13, FMT_DEC, 0 },
	{ "frag_offset", 6, 2, 0x1fff, 0, FMT_DEC, 0 },
	{ "ttl", 8, 1, 0, 0, FMT_DEC, R_TTL },
	{ "protocol", 9, 1, 0, 0, FMT_DEC, R_PSEUDO },
	{ "checksum", 10, 2, 0, 0, FMT_HEX4, R_CSUM },
	{ "src", 12, 4, 0, 0, FMT_IP4, R_PSEUDO },
	{ "dst", 16, 4, 0, 0, FMT_IP4, R_PSEUDO },
};

static const struct hdr_field ipv6_fields[] = {
	{ "version", 0, 1, 0xf, 4, FMT_DEC, 0 },
	{ "traffic_class", 0, 2, 0xff, 4, FMT_HEX2, 0 },
	{ "flow_label", 0, 4, 0xfffff, 0, FMT_HEX5, R_FLOW },
	{ "payload_len", 4, 2, 0, 0, FMT_DEC, R_PSEUDO | R_LENGTH },
	{ "next_header", 6, 1, 0, 0, FMT_DEC, R_PSEUDO },
	{ "hop_limit", 7, 1, 0, 0, FMT_DEC, R_TTL },
	{ "src", 8, 16, 0, 0, FMT_IP6, R_PSEUDO },
	{ "dst", 24, 16, 0, 0, FMT_IP6, R_PSEUDO },
};
#define IPV6_HOP_LIMIT_IDX 5

static const struct hdr_field ip6_opts_fields[] = {
	{ "next_header", 0, 1, 0, 0, FMT_DEC, 0 },
	{ "length", 1, 1, 0, 0, FMT_DEC, 0 },
};

static const struct hdr_field ip6_routing_fields[] = {
	{ "next_header", 0, 1, 0, 0, FMT_DEC, 0 },
	{ "length", 1, 1, 0, 0, FMT_DEC, 0 },
	{ "type", 2, 1, 0, 0, FMT_DEC, 0 },
	{ "segments_left", 3, 1, 0, 0, FMT_DEC, 0 },
};

static const struct hdr_field ip6_frag_fields[] = {
	{ "next_header", 0, 1, 0, 0, FMT_DEC, 0 },
	{ "reserved", 1, 1, 0, 0, FMT_HEX2, 0 },
	{ "offset", 2, 2, 0x1fff, 3, FMT_DEC, 0 },
	{ "res", 2, 2, 0x3, 1, FMT_DEC, 0 },
	{ "mf", 2, 2, 0x1, 0, FMT_DEC, 0 },
	{ "id", 4, 4, 0, 0, FMT_HEX8, R_FRAG_ID },
};

static const struct hdr_field tcp_fields[] = {
	{ "sport", 0, 2, 0, 0, FMT_DEC, 0 },
	{ "dport", 2, 2, 0, 0, FMT_DEC, 0 },
	{ "seq", 4, 4, 0, 0, FMT_DEC, 0 },
	{ "ack", 8, 4, 0, 0, FMT_DEC, 0 },
	{ "data_offset", 12, 1, 0xf, 4, FMT_DEC, 0 },
	{ "reserved", 12, 1, 0xf, 0, FMT_DEC, 0 },
	{ "flags", 13, 1, 0, 0, FMT_TCP_FLAGS, 0 },
	{ "window", 14, 2, 0, 0, FMT_DEC, 0 },
	{ "checksum", 16, 2, 0, 0, FMT_HEX4, R_CSUM },
	{ "urgent", 18, 2, 0, 0, FMT_DEC, 0 },
};

static const struct hdr_field udp_fields[] = {
	{ "sport", 0, 2, 0, 0, FMT_DEC, 0 },
	{ "dport", 2, 2, 0, 0, FMT_DEC, 0 },
	{ "length", 4, 2, 0, 0, FMT_DEC, 0 },
	{ "checksum", 6, 2, 0, 0, FMT_HEX4, R_CSUM },
};

static const struct hdr_field icmp_fields[] = {
	{ "type", 0, 1, 0, 0, FMT_DEC, 0 },
	{ "code", 1, 1, 0, 0, FMT_DEC, 0 },
	{ "checksum", 2, 2, 0, 0, FMT_HEX4, R_CSUM },
};

/* The second word of an ICMP header, by message. */
static const struct hdr_field icmp_echo_fields[] = {
	{ "id", 4, 2, 0, 0, FMT_DEC, 0 },
	{ "seq", 6, 2, 0, 0, FMT_DEC, 0 },
};

static const struct hdr_field icmp_frag_needed_fields[] = {
	{ "unused", 4, 2, 0, 0, FMT_HEX4, 0 },
	{ "mtu", 6, 2, 0, 0, FMT_DEC, 0 },
};

static const struct hdr_field icmp_param_fields[] = {
	{ "pointer", 4, 1, 0, 0, FMT_DEC, 0 },
	{ "unused", 4, 4, 0xffffff, 0, FMT_HEX8, 0 },
};

static const struct hdr_field icmp_redirect_fields[] = {
	{ "gateway", 4, 4, 0, 0, FMT_IP4, 0 },
};

static const struct hdr_field icmp_rest_fields[] = {
	{ "rest", 4, 4, 0, 0, FMT_HEX8, 0 },
};

static const struct hdr_field icmp6_mtu_fields[] = {
	{ "mtu", 4, 4, 0, 0, FMT_DEC, 0 },
};

static const struct hdr_field icmp6_pointer_fields[] = {
	{ "pointer", 4, 4, 0, 0, FMT_DEC, 0 },
};

static size_t dissect_ip(struct dissection *d, const struct level *lv, bool v6, size_t off,
			 size_t avail);

static bool icmp_is_error(bool v6, uint8_t type)
{
	if (v6)
		return type >= 1 && type <= 4;
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

static bool icmp_is_echo(bool v6, uint8_t type)
{
	return v6 ? type == 128 || type == 129 : type == 0 || type == 8;
}

static void dissect_icmp(struct dissection *d, struct level *lv, bool v6, size_t off, size_t len,
			 int slot)
{
	const char *hdr = v6 ? "icmpv6" : "icmp";
	const struct hdr_field *rest;
	size_t nrest, qoff, qlen, qavail, used;
	char name[PKTCMP_NAME_LEN];
	struct level q;
	int idx[8], k, i;
	uint8_t type, code;

	if (!emit_table(d, lv, NULL, hdr, icmp_fields, N(icmp_fields), off, len, slot, -1, idx))
		return;
	type = d->pkt[off];
	code = d->pkt[off + 1];
	if (icmp_is_echo(v6, type)) {
		rest = icmp_echo_fields;
		nrest = N(icmp_echo_fields);
	} else if (!v6 && type == 3 && code == 4) {
		rest = icmp_frag_needed_fields;
		nrest = N(icmp_frag_needed_fields);
	} else if (!v6 && type == 12) {
		rest = icmp_param_fields;
		nrest = N(icmp_param_fields);
	} else if (!v6 && type == 5) {
		rest = icmp_redirect_fields;
		nrest = N(icmp_redirect_fields);
	} else if (v6 && type == 2) {
		rest = icmp6_mtu_fields;
		nrest = N(icmp6_mtu_fields);
	} else if (v6 && type == 4) {
		rest = icmp6_pointer_fields;
		nrest = N(icmp6_pointer_fields);
	} else {
		rest = icmp_rest_fields;
		nrest = N(icmp_rest_fields);
	}
	if (!emit_table(d, lv, NULL, hdr, rest, nrest, off, len, slot, -1, idx))
		return;
	if (len == 8)
		return;
	if (!icmp_is_error(v6, type) || lv->depth >= MAX_DEPTH) {
		add_bytes(d, lv, "payload", off + 8, len - 8);
		return;
	}

	qoff = off + 8;
	qlen = len - 8;
	qavail = qlen;
	snprintf(name, sizeof(name), "%s.quote_length", hdr);
	k = add_field(d, lv, name, FMT_DEC, (uint32_t)qlen, 0, 0, 0);
	if (!lv->quoted) {
		/* The packet around a locally generated error: its TTL, IDs
		 * and the lengths the quote drives are the generator's choice. */
		if (k >= 0)
			d->f[k].mask |= PKTCMP_MASK_ICMP_GENERATED;
		for (i = 0; i < lv->n_ttl; i++)
			d->f[lv->ttl[i]].mask |= PKTCMP_MASK_ICMP_GENERATED;
		for (i = 0; i < lv->n_lens; i++)
			d->f[lv->lens[i]].flags |= FL_QUOTE_LEN;
		if (!d->has_quote) {
			d->has_quote = true;
			d->quote_len = qlen;
			if (qavail > d->quote_limit)
				qavail = d->quote_limit;
		}
	}

	q = *lv;
	join(q.prefix, sizeof(q.prefix), lv->prefix, "quoted.");
	q.quoted = true;
	q.unverifiable = false;
	q.depth = lv->depth + 1;
	q.outer_ip = 0;
	q.n_ttl = q.n_lens = 0;
	used = dissect_ip(d, &q, v6, qoff, qavail);
	if (used < qavail)
		add_bytes(d, &q, "trailer", qoff + used, qavail - used);
}

/* The upper layer of an IP packet: len bytes at off, covered by checksum
 * slot `slot`, whose pseudo-header sums to `pseudo`. */
static void dissect_l4(struct dissection *d, const struct level *parent, uint8_t proto, bool v6,
		       size_t off, size_t len, int slot, uint32_t pseudo)
{
	struct level lv = *parent;
	struct slot *s = slot >= 0 ? &d->s[slot] : NULL;
	size_t hlen;
	int idx[16];

	/* Every byte below is covered by this layer's checksum. */
	lv.deps |= bit(slot);
	if (s) {
		s->proto = proto;
		s->off = off;
		s->len = len;
		s->pseudo = proto == IPPROTO_ICMP ? 0 : pseudo;
		s->udp_zero_ok = proto == IPPROTO_UDP && !v6;
	}

	switch (proto) {
	case IPPROTO_TCP:
		if (s) {
			s->csum_off = 16;
			s->verifiable = !lv.unverifiable && len >= 20;
		}
		if (!emit_table(d, &lv, NULL, "tcp", tcp_fields, N(tcp_fields), off, len, slot, -1,
				idx))
			return;
		hlen = (size_t)(d->pkt[off + 12] >> 4) * 4;
		if (hlen < 20)
			hlen = 20;
		if (hlen > len)
			hlen = len;
		if (hlen > 20)
			add_bytes(d, &lv, "tcp.options", off + 20, hlen - 20);
		add_bytes(d, &lv, "payload", off + hlen, len - hlen);
		return;
	case IPPROTO_UDP:
		if (s) {
			/* Only when the UDP and IP lengths agree is it clear
			 * which bytes the checksum covers. */
			s->csum_off = 6;
			s->verifiable = !lv.unverifiable && len >= 8 &&
					get_be16(d->pkt + off + 4) == len;
		}
		if (!emit_table(d, &lv, NULL, "udp", udp_fields, N(udp_fields), off, len, slot, -1,
				idx))
			return;
		add_bytes(d, &lv, "payload", off + 8, len - 8);
		return;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (s) {
			s->csum_off = 2;
			s->verifiable = !lv.unverifiable && len >= 4;
		}
		dissect_icmp(d, &lv, proto == IPPROTO_ICMPV6, off, len, slot);
		return;
	default:
		add_bytes(d, parent, "payload", off, len);
		return;
	}
}

static size_t dissect_ipv4(struct dissection *d, const struct level *lv, size_t off, size_t avail)
{
	const uint8_t *ip = d->pkt + off;
	struct level in = *lv;
	int hslot, pslot, idx[N(ipv4_fields)];
	size_t ihl, tot, l4len;
	uint16_t frag;
	uint32_t s4, d4;
	struct slot *hs;

	hslot = new_slot(d);
	pslot = new_slot(d);
	if (!emit_table(d, lv, &in, "ipv4", ipv4_fields, N(ipv4_fields), off, avail, hslot, pslot,
			idx))
		return avail;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	if (ihl < 20 || ihl > avail) {
		add_bytes(d, lv, "ipv4.truncated", off + 20, avail - 20);
		return avail;
	}
	if (hslot >= 0) {
		hs = &d->s[hslot];
		hs->verifiable = true;
		hs->off = off;
		hs->len = ihl;
		hs->csum_off = 10;
	}
	if (ihl > 20)
		add_field(d, lv, "ipv4.options", FMT_BYTES, 0, off + 20, ihl - 20, bit(hslot));

	tot = get_be16(ip + 2);
	if (tot < ihl)
		tot = ihl;
	if (tot > avail) {
		tot = avail; /* a quote, or a broken frame: L4 cannot be summed */
		in.unverifiable = true;
	}
	frag = get_be16(ip + 6);
	if (frag & 0x3fff)
		in.unverifiable = true;
	if (frag & 0x1fff) {
		add_bytes(d, &in, "payload", off + ihl, tot - ihl);
		return tot;
	}
	l4len = tot - ihl;
	memcpy(&s4, ip + 12, 4);
	memcpy(&d4, ip + 16, 4);
	dissect_l4(d, &in, ip[9], false, off + ihl, l4len, pslot,
		   ref_pseudo_ipv4(s4, d4, ip[9], (uint16_t)(get_be16(ip + 2) - ihl)));
	return tot;
}

static bool ip6_is_ext(uint8_t nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS ||
	       nh == IPPROTO_FRAGMENT;
}

static const char *ip6_ext_name(uint8_t nh)
{
	switch (nh) {
	case IPPROTO_HOPOPTS:
		return "ipv6.hbh";
	case IPPROTO_ROUTING:
		return "ipv6.routing";
	case IPPROTO_DSTOPTS:
		return "ipv6.dstopts";
	default:
		return "ipv6.frag";
	}
}

static size_t dissect_ipv6(struct dissection *d, const struct level *lv, size_t off, size_t avail)
{
	const uint8_t *ip6 = d->pkt + off;
	struct level in = *lv, inner;
	int pslot, idx[N(ipv6_fields)], xidx[8];
	size_t end, pos, hlen, used;
	struct in6_addr s6, d6;
	char name[PKTCMP_NAME_LEN];
	bool later_fragment = false;
	uint8_t nh;

	pslot = new_slot(d);
	if (!emit_table(d, lv, &in, "ipv6", ipv6_fields, N(ipv6_fields), off, avail, -1, pslot,
			idx))
		return avail;
	end = 40 + (size_t)get_be16(ip6 + 4);
	if (end > avail) {
		end = avail;
		in.unverifiable = true;
	}

	nh = ip6[6];
	pos = 40;
	while (ip6_is_ext(nh) && !later_fragment) {
		const char *hdr = ip6_ext_name(nh);

		if (nh == IPPROTO_FRAGMENT) {
			hlen = 8;
			if (!emit_table(d, lv, &in, hdr, ip6_frag_fields, N(ip6_frag_fields),
					off + pos, end - pos, -1, -1, xidx))
				return end;
			in.unverifiable = true;
			later_fragment = get_be16(ip6 + pos + 2) >> 3 != 0;
		} else if (nh == IPPROTO_ROUTING) {
			if (!emit_table(d, lv, &in, hdr, ip6_routing_fields,
					N(ip6_routing_fields), off + pos, end - pos, -1, -1, xidx))
				return end;
			hlen = ((size_t)ip6[pos + 1] + 1) * 8;
		} else {
			if (!emit_table(d, lv, &in, hdr, ip6_opts_fields, N(ip6_opts_fields),
					off + pos, end - pos, -1, -1, xidx))
				return end;
			hlen = ((size_t)ip6[pos + 1] + 1) * 8;
		}
		if (pos + hlen > end) {
			snprintf(name, sizeof(name), "%s.truncated", hdr);
			add_bytes(d, lv, name, off + pos, end - pos);
			return end;
		}
		if (nh != IPPROTO_FRAGMENT) {
			size_t body = nh == IPPROTO_ROUTING ? 4 : 2;

			snprintf(name, sizeof(name), "%s.%s", hdr,
				 nh == IPPROTO_ROUTING ? "data" : "options");
			add_bytes(d, lv, name, off + pos + body, hlen - body);
		}
		nh = ip6[pos];
		pos += hlen;
	}

	/* The frame's own IPv6 header, when it is a softwire: its hop limit
	 * is the tunnel's, not the payload's. */
	if (lv->outer_ip && nh == IPPROTO_IPIP && idx[IPV6_HOP_LIMIT_IDX] >= 0)
		d->f[idx[IPV6_HOP_LIMIT_IDX]].mask |= PKTCMP_MASK_OUTER_HOP_LIMIT;

	if (later_fragment) {
		add_bytes(d, &in, "payload", off + pos, end - pos);
		return end;
	}
	if (nh == IPPROTO_IPIP || nh == IPPROTO_IPV6) {
		inner = in;
		join(inner.prefix, sizeof(inner.prefix), lv->prefix, "inner.");
		inner.depth = lv->depth + 1;
		inner.outer_ip = 0;
		used = inner.depth > MAX_DEPTH ? 0 :
		       dissect_ip(d, &inner, nh == IPPROTO_IPV6, off + pos, end - pos);
		if (pos + used < end)
			add_bytes(d, &in, inner.depth > MAX_DEPTH ? "payload" : "ipv6.trailer",
				  off + pos + used, end - pos - used);
		return end;
	}
	memcpy(&s6, ip6 + 8, 16);
	memcpy(&d6, ip6 + 24, 16);
	dissect_l4(d, &in, nh, true, off + pos, end - pos, pslot,
		   ref_pseudo_ipv6(&s6, &d6, nh, (uint32_t)(40 + get_be16(ip6 + 4) - pos)));
	return end;
}

/* Dissects one IP packet of the expected version within avail bytes and
 * returns how many bytes it spans. */
static size_t dissect_ip(struct dissection *d, const struct level *lv, bool v6, size_t off,
			 size_t avail)
{
	if (avail == 0)
		return 0;
	return v6 ? dissect_ipv6(d, lv, off, avail) : dissect_ipv4(d, lv, off, avail);
}

static void dissect_frame(struct dissection *d, const uint8_t *pkt, size_t len, size_t quote_limit)
{
	struct level root;
	int idx[N(vlan_fields)], k, tags = 0;
	size_t off = 12, used;
	uint16_t type;

	memset(&root, 0, sizeof(root));
	d->pkt = pkt;
	d->len = len;
	d->quote_limit = quote_limit;
	d->has_quote = false;
	d->quote_len = 0;
	d->n = 0;
	d->ns = 0;

	k = add_field(d, &root, "frame.length", FMT_DEC, (uint32_t)len, 0, 0, 0);
	push_idx(root.lens, &root.n_lens, k);
	if (!emit_table(d, &root, NULL, "eth", eth_fields, N(eth_fields), 0, len, -1, -1, idx))
		return;
	type = get_be16(pkt + 12);
	while ((type == 0x8100 || type == 0x88a8) && tags < 2) {
		if (!emit_table(d, &root, NULL, tags ? "vlan2" : "vlan", vlan_fields,
				N(vlan_fields), off + 2, len - off - 2, -1, -1, idx))
			return;
		off += 4;
		type = get_be16(pkt + off);
		tags++;
	}
	off += 2;
	root.outer_ip = 1;
	if (type == 0x0800 || type == 0x86dd)
		used = dissect_ip(d, &root, type == 0x86dd, off, len - off);
	else
		used = 0;
	root.outer_ip = 0;
	if (off + used < len)
		add_bytes(d, &root, used ? "eth.padding" : "payload", off + used, len - off - used);
}

/* ---- comparison -------------------------------------------------------- */

static bool fields_equal(const struct dissection *a, const struct field *fa,
			 const struct dissection *e, const struct field *fe)
{
	if (fa->fmt == FMT_BYTES || fa->fmt == FMT_IP4 || fa->fmt == FMT_IP6 || fa->fmt == FMT_MAC)
		return fa->len == fe->len && !memcmp(a->pkt + fa->off, e->pkt + fe->off, fa->len);
	return fa->num == fe->num;
}

static void format_tcp_flags(uint32_t v, char *out, size_t outlen)
{
	static const char letters[] = "FSRPAUEC";
	char s[9];
	int i, n = 0;

	for (i = 0; i < 8; i++)
		if (v & (1u << i))
			s[n++] = letters[i];
	s[n] = '\0';
	snprintf(out, outlen, "0x%02x %s", v, n ? s : "none");
}

/* Formats f of dissection d; `other` (may be NULL) is the field it is
 * compared with, so that long byte strings can point at the first
 * difference instead of printing everything. */
static void format_field(const struct dissection *d, const struct field *f,
			 const struct dissection *od, const struct field *other, char *out,
			 size_t outlen)
{
	const uint8_t *p = d->pkt + f->off;
	size_t i, n = 0;

	switch (f->fmt) {
	case FMT_DEC:
		snprintf(out, outlen, "%u", f->num);
		return;
	case FMT_HEX2:
		snprintf(out, outlen, "0x%02x", f->num);
		return;
	case FMT_HEX4:
		snprintf(out, outlen, "0x%04x", f->num);
		return;
	case FMT_HEX5:
		snprintf(out, outlen, "0x%05x", f->num);
		return;
	case FMT_HEX8:
		snprintf(out, outlen, "0x%08x", f->num);
		return;
	case FMT_TCP_FLAGS:
		format_tcp_flags(f->num, out, outlen);
		return;
	case FMT_IP4:
		inet_ntop(AF_INET, p, out, (socklen_t)outlen);
		return;
	case FMT_IP6:
		inet_ntop(AF_INET6, p, out, (socklen_t)outlen);
		return;
	case FMT_MAC:
		snprintf(out, outlen, "%02x:%02x:%02x:%02x:%02x:%02x", p[0], p[1], p[2], p[3], p[4],
			 p[5]);
		return;
	case FMT_BYTES:
		break;
	}
	if (f->len == 0) {
		snprintf(out, outlen, "(none)");
		return;
	}
	if (f->len <= 16) {
		for (i = 0; i < f->len && n + 3 <= outlen; i++)
			n += (size_t)snprintf(out + n, outlen - n, "%02x", p[i]);
		return;
	}
	for (i = 0; other && i < f->len && i < other->len; i++)
		if (p[i] != od->pkt[other->off + i])
			break;
	if (other && i < f->len)
		snprintf(out, outlen, "%zu bytes, [%zu]=0x%02x", f->len, i, p[i]);
	else
		snprintf(out, outlen, "%zu bytes", f->len);
}

/* Recomputes checksum slot s over the actual frame: true when the stored
 * value verifies; *want is the value it should hold. */
static bool slot_verifies(const struct dissection *d, const struct slot *s, uint16_t *want)
{
	const uint8_t *p = d->pkt + s->off;
	uint16_t stored = get_be16(p + s->csum_off);
	uint32_t acc = s->pseudo;

	acc = ref_sum_partial(p, s->csum_off, acc);
	acc = ref_sum_partial(p + s->csum_off + 2, s->len - s->csum_off - 2, acc);
	*want = (uint16_t)~ref_fold(acc);
	if (s->proto == IPPROTO_UDP) {
		if (*want == 0)
			*want = 0xffff;
		if (stored == 0)
			return s->udp_zero_ok;
	}
	return ref_fold(ref_sum_partial(p, s->len, s->pseudo)) == 0xffff;
}

/* Masks are taken from both sides: the expected frame may be the one that
 * knows a field is generated. */
static bool is_hidden(const struct field *fa, const struct field *fe, unsigned int mask,
		      bool quote_len_differs)
{
	if ((fa->mask | fe->mask) & mask)
		return true;
	return ((fa->flags | fe->flags) & FL_QUOTE_LEN) && quote_len_differs;
}

static void record(struct pktcmp_diff *diffs, size_t max_diffs, int n, const char *field,
		   const char *actual, const char *expected)
{
	struct pktcmp_diff *df;

	if ((size_t)n >= max_diffs)
		return;
	df = &diffs[n];
	snprintf(df->field, sizeof(df->field), "%s", field);
	snprintf(df->actual, sizeof(df->actual), "%s", actual);
	snprintf(df->expected, sizeof(df->expected), "%s", expected);
}

int pktcmp(const uint8_t *actual, size_t alen, const uint8_t *expected, size_t elen,
	   unsigned int mask, struct pktcmp_diff *diffs, size_t max_diffs)
{
	char av[PKTCMP_VALUE_LEN], ev[PKTCMP_VALUE_LEN];
	struct dissection *a, *e;
	bool quote_len_differs = false, hidden;
	size_t i, common, stop;
	uint64_t tainted = 0;
	const struct field *fa, *fe;
	uint16_t want;
	int n = 0;

	a = malloc(sizeof(*a));
	e = malloc(sizeof(*e));
	if (!a || !e) {
		free(a);
		free(e);
		return -ENOMEM;
	}
	dissect_frame(a, actual, alen, SIZE_MAX);
	dissect_frame(e, expected, elen, SIZE_MAX);
	if ((mask & PKTCMP_MASK_ICMP_GENERATED) && a->has_quote && e->has_quote &&
	    a->quote_len != e->quote_len) {
		/* Compare the quotes over the part both carry. */
		size_t limit = a->quote_len < e->quote_len ? a->quote_len : e->quote_len;

		quote_len_differs = true;
		dissect_frame(a, actual, alen, limit);
		dissect_frame(e, expected, elen, limit);
	}

	common = a->n < e->n ? a->n : e->n;
	for (stop = 0; stop < common; stop++)
		if (strcmp(a->f[stop].name, e->f[stop].name))
			break;

	/* Pass 1: which checksums can no longer be compared. */
	for (i = 0; i < stop; i++) {
		fa = &a->f[i];
		fe = &e->f[i];
		hidden = is_hidden(fa, fe, mask, quote_len_differs);
		if (hidden && !fields_equal(a, fa, e, fe))
			tainted |= fa->deps;
	}

	/* Pass 2: report. */
	for (i = 0; i < stop; i++) {
		fa = &a->f[i];
		fe = &e->f[i];
		if (is_hidden(fa, fe, mask, quote_len_differs))
			continue;
		if ((fa->flags & FL_CSUM) && fa->slot >= 0 && (tainted & bit(fa->slot))) {
			const struct slot *s = &a->s[fa->slot];

			if (s->verifiable && !slot_verifies(a, s, &want)) {
				format_field(a, fa, NULL, NULL, av, sizeof(av));
				snprintf(ev, sizeof(ev), "valid 0x%04x", want);
				record(diffs, max_diffs, n++, fa->name, av, ev);
			}
			continue;
		}
		if (fields_equal(a, fa, e, fe))
			continue;
		format_field(a, fa, e, fe, av, sizeof(av));
		format_field(e, fe, a, fa, ev, sizeof(ev));
		record(diffs, max_diffs, n++, fa->name, av, ev);
	}

	if (stop < a->n || stop < e->n)
		record(diffs, max_diffs, n++, "structure", stop < a->n ? a->f[stop].name : "(end)",
		       stop < e->n ? e->f[stop].name : "(end)");

	free(a);
	free(e);
	return n;
}

/* ---- one-line description --------------------------------------------- */

struct line {
	char *buf;
	size_t len, cap;
};

static void put(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->len >= l->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, l->cap - l->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len += (size_t)n;
	if (l->len >= l->cap)
		l->len = l->cap - 1;
}

static void put_tcp_flags(struct line *l, uint8_t flags)
{
	static const char letters[] = "FSRPAUEC";
	int i;

	put(l, " ");
	if (!flags)
		put(l, "none");
	for (i = 0; i < 8; i++)
		if (flags & (1u << i))
			put(l, "%c", letters[i]);
}

static void describe_ip(struct line *l, const uint8_t *p, size_t avail, bool v6, int depth);

static void describe_l4(struct line *l, uint8_t proto, const uint8_t *p, size_t len, bool v6,
			int depth)
{
	switch (proto) {
	case IPPROTO_TCP:
		if (len < 14) {
			put(l, " tcp (cut)");
			return;
		}
		put(l, " tcp %u→%u", get_be16(p), get_be16(p + 2));
		put_tcp_flags(l, p[13]);
		return;
	case IPPROTO_UDP:
		if (len < 4) {
			put(l, " udp (cut)");
			return;
		}
		put(l, " udp %u→%u", get_be16(p), get_be16(p + 2));
		return;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (len < 8) {
			put(l, " %s (cut)", v6 ? "icmpv6" : "icmp");
			return;
		}
		put(l, " %s %u/%u", v6 ? "icmpv6" : "icmp", p[0], p[1]);
		if (icmp_is_echo(v6, p[0]))
			put(l, " id %u seq %u", get_be16(p + 4), get_be16(p + 6));
		else if (!v6 && p[0] == 3 && p[1] == 4)
			put(l, " mtu %u", get_be16(p + 6));
		else if (v6 && p[0] == 2)
			put(l, " mtu %u", get_be32(p + 4));
		if (icmp_is_error(v6, p[0]) && len > 8 && depth < MAX_DEPTH) {
			put(l, " [");
			describe_ip(l, p + 8, len - 8, v6, depth + 1);
			put(l, " ]");
		}
		return;
	default:
		put(l, " proto %u", proto);
	}
}

static void describe_ip(struct line *l, const uint8_t *p, size_t avail, bool v6, int depth)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	size_t ihl, tot, pos, end;
	uint16_t frag;
	uint8_t nh;

	if (!v6) {
		if (avail < 20) {
			put(l, " ipv4 (cut)");
			return;
		}
		inet_ntop(AF_INET, p + 12, s, sizeof(s));
		inet_ntop(AF_INET, p + 16, d, sizeof(d));
		put(l, " ipv4 %s→%s ttl %u", s, d, p[8]);
		frag = get_be16(p + 6);
		if (frag & 0x3fff)
			put(l, " frag %u%s id %u", (frag & 0x1fff) * 8, frag & 0x2000 ? "+" : "",
			    get_be16(p + 4));
		ihl = (size_t)(p[0] & 0x0f) * 4;
		tot = get_be16(p + 2);
		end = tot < avail ? tot : avail;
		if (ihl >= 20 && ihl <= end && !(frag & 0x1fff))
			describe_l4(l, p[9], p + ihl, end - ihl, false, depth);
		else if (frag & 0x1fff)
			put(l, " proto %u", p[9]);
		put(l, " len %zu", tot);
		return;
	}

	if (avail < 40) {
		put(l, " ipv6 (cut)");
		return;
	}
	inet_ntop(AF_INET6, p + 8, s, sizeof(s));
	inet_ntop(AF_INET6, p + 24, d, sizeof(d));
	put(l, " ipv6 %s→%s hl %u nh %u", s, d, p[7], p[6]);
	end = 40 + (size_t)get_be16(p + 4);
	if (end > avail)
		end = avail;
	nh = p[6];
	pos = 40;
	while (ip6_is_ext(nh) && pos + 8 <= end) {
		if (nh == IPPROTO_FRAGMENT) {
			frag = get_be16(p + pos + 2);
			put(l, " frag %u%s id %u", (frag >> 3) * 8, frag & 1 ? "+" : "",
			    get_be32(p + pos + 4));
			if (frag >> 3) {
				put(l, " plen %u", get_be16(p + 4));
				return;
			}
			nh = p[pos];
			pos += 8;
		} else {
			put(l, " %s", nh == IPPROTO_HOPOPTS ? "hbh" :
				      nh == IPPROTO_ROUTING ? "rh" : "dst");
			nh = p[pos];
			pos += ((size_t)p[pos + 1] + 1) * 8;
		}
	}
	if (pos > end)
		return;
	if (nh == IPPROTO_IPIP || nh == IPPROTO_IPV6) {
		put(l, " |");
		describe_ip(l, p + pos, end - pos, nh == IPPROTO_IPV6, depth + 1);
		return;
	}
	describe_l4(l, nh, p + pos, end - pos, true, depth);
	put(l, " plen %u", get_be16(p + 4));
}

const char *pktcmp_describe(const uint8_t *frame, size_t len, char *buf, size_t buflen)
{
	struct line l = { .buf = buf, .len = 0, .cap = buflen };
	size_t off = 12;
	uint16_t type;
	int tags = 0;

	if (!buflen)
		return buf;
	buf[0] = '\0';
	if (len < 14) {
		put(&l, "frame of %zu bytes", len);
		return buf;
	}
	put(&l, "eth %02x:%02x:%02x:%02x:%02x:%02x→%02x:%02x:%02x:%02x:%02x:%02x", frame[6],
	    frame[7], frame[8], frame[9], frame[10], frame[11], frame[0], frame[1], frame[2],
	    frame[3], frame[4], frame[5]);
	type = get_be16(frame + off);
	while ((type == 0x8100 || type == 0x88a8) && tags < 2 && off + 6 <= len) {
		put(&l, " vlan %u", get_be16(frame + off + 2) & 0xfff);
		off += 4;
		type = get_be16(frame + off);
		tags++;
	}
	off += 2;
	if (type == 0x0800 || type == 0x86dd)
		describe_ip(&l, frame + off, len > off ? len - off : 0, type == 0x86dd, 0);
	else
		put(&l, " type 0x%04x len %zu", type, len);
	return buf;
}
