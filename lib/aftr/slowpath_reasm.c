// SPDX-License-Identifier: GPL-2.0
/* Reassembly of IPv4 (RFC 791, RFC 815) and IPv6 (RFC 8200 §4.5) fragments
 * with bounded state: at most max_frags fragments per packet, max_packets
 * packets and max_bytes buffered per family (the oldest packet goes to make
 * room), timeout_ms from a packet's first fragment. Overlapping fragments
 * discard the whole packet (RFC 5722 for IPv6; done for IPv4 too, as
 * Snabb and most stacks do); an exact duplicate is ignored. Time is the
 * caller's. */
#include <errno.h>
#include <stdlib.h>
#include "slowpath_priv.h"
#include "slowpath_frag.h"

struct frag_range {
	uint32_t start, end; /* payload bytes [start, end) */
};

struct reasm_pkt {
	bool used;
	uint8_t key[48]; /* v4: src dst proto id [tunnel B4 BR]; v6: src dst id */
	uint64_t first_ms;
	uint8_t hdr[SP_IPV6_HDR + SP_IPV6_EXT_MAX]; /* header(s) of the first fragment */
	size_t hdr_len;                             /* 0 until the first fragment is here */
	size_t nh_off;   /* IPv6: where the next-header byte to patch is, in hdr */
	uint8_t nexthdr; /* IPv6: the fragment header's next header */
	uint32_t total;  /* payload length, known from the last fragment; 0 = unknown */
	uint32_t have;   /* payload bytes received */
	unsigned nfrags;
	struct frag_range *ranges;
	uint8_t *data;
	size_t data_cap;
};

struct reasm_table {
	struct reasm_pkt *p;
	size_t bytes;
};

struct lw_reasm {
	struct lw_frag_cfg fc;
	struct reasm_table t4, t6;
	uint32_t next_id6;
	uint8_t buf[LW_FRAG_PKT_MAX]; /* the packet being put together whole */
};

void lw_frag_cfg_defaults(struct lw_frag_cfg *fc)
{
	memset(fc, 0, sizeof(*fc));
	fc->flags = LW_CFG_DEFAULT_FLAGS;
	fc->hop_limit = SP_DEFAULT_TUNNEL_HOP_LIMIT;
	fc->ipv4_mtu = 1500;
	fc->ipv6_mtu = 1500;
	fc->max_frags = 40;
	fc->max_packets = 1024;
	fc->max_bytes = 16u << 20;
	fc->timeout_ms = 30000;
}

struct lw_reasm *lw_reasm_new(const struct lw_frag_cfg *fc)
{
	struct lw_reasm *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->fc = *fc;
	if (!r->fc.max_packets)
		r->fc.max_packets = 1;
	if (!r->fc.max_frags)
		r->fc.max_frags = 1;
	r->t4.p = calloc(r->fc.max_packets, sizeof(struct reasm_pkt));
	r->t6.p = calloc(r->fc.max_packets, sizeof(struct reasm_pkt));
	if (!r->t4.p || !r->t6.p) {
		lw_reasm_free(r);
		return NULL;
	}
	r->next_id6 = 1;
	return r;
}

static void pkt_drop(struct reasm_table *t, struct reasm_pkt *p)
{
	t->bytes -= p->data_cap;
	free(p->ranges);
	free(p->data);
	memset(p, 0, sizeof(*p));
}

void lw_reasm_free(struct lw_reasm *r)
{
	if (!r)
		return;
	for (unsigned i = 0; r->t4.p && i < r->fc.max_packets; i++)
		if (r->t4.p[i].used)
			pkt_drop(&r->t4, &r->t4.p[i]);
	for (unsigned i = 0; r->t6.p && i < r->fc.max_packets; i++)
		if (r->t6.p[i].used)
			pkt_drop(&r->t6, &r->t6.p[i]);
	free(r->t4.p);
	free(r->t6.p);
	free(r);
}

void lw_reasm_seed_id(struct lw_reasm *r, uint32_t id)
{
	r->next_id6 = id;
}

uint32_t sp_reasm_next_id6(struct lw_reasm *r)
{
	return r->next_id6++;
}

uint8_t *sp_reasm_buf(struct lw_reasm *r)
{
	return r->buf;
}

static unsigned table_expire(const struct lw_reasm *r, struct reasm_table *t, uint64_t now_ms)
{
	unsigned n = 0;

	for (unsigned i = 0; i < r->fc.max_packets; i++)
		if (t->p[i].used && now_ms - t->p[i].first_ms >= r->fc.timeout_ms) {
			pkt_drop(t, &t->p[i]);
			n++;
		}
	return n;
}

unsigned lw_reasm_expire(struct lw_reasm *r, uint64_t now_ms)
{
	return table_expire(r, &r->t4, now_ms) + table_expire(r, &r->t6, now_ms);
}

unsigned lw_reasm_pending(const struct lw_reasm *r)
{
	unsigned n = 0;

	for (unsigned i = 0; i < r->fc.max_packets; i++)
		n += r->t4.p[i].used + r->t6.p[i].used;
	return n;
}

/* The packet for key, or a new one (evicting the oldest when full). */
static struct reasm_pkt *table_get(struct lw_reasm *r, struct reasm_table *t, const uint8_t *key,
				   size_t klen, uint64_t now_ms, bool *evicted)
{
	struct reasm_pkt *free_slot = NULL, *oldest = NULL;

	for (unsigned i = 0; i < r->fc.max_packets; i++) {
		struct reasm_pkt *p = &t->p[i];

		if (!p->used) {
			if (!free_slot)
				free_slot = p;
			continue;
		}
		if (!memcmp(p->key, key, klen))
			return p;
		if (!oldest || p->first_ms < oldest->first_ms)
			oldest = p;
	}
	if (!free_slot) {
		pkt_drop(t, oldest);
		*evicted = true;
		free_slot = oldest;
	}
	free_slot->ranges = calloc(r->fc.max_frags, sizeof(struct frag_range));
	if (!free_slot->ranges)
		return NULL;
	free_slot->used = true;
	memcpy(free_slot->key, key, klen);
	free_slot->first_ms = now_ms;
	return free_slot;
}

/* The packet of a fragment with this key, once the timed-out ones went;
 * NULL when there is no room. */
static struct reasm_pkt *packet_of(struct lw_reasm *r, struct reasm_table *t, const uint8_t *key,
				   size_t klen, uint64_t now_ms)
{
	bool evicted = false;

	lw_reasm_expire(r, now_ms);
	return table_get(r, t, key, klen, now_ms, &evicted);
}

/* Adds payload [off, off+len) with data; more: the fragment's M flag.
 * Returns 1 when complete, 0 when not, -reason when the packet is dropped
 * (or, for a duplicate, -LW_FRAG_PENDING: the fragment alone is ignored). */
static int pkt_add(struct lw_reasm *r, struct reasm_table *t, struct reasm_pkt *p, uint32_t off,
		   const uint8_t *data, uint32_t len, bool more)
{
	uint32_t end = off + len;

	if (len == 0 || end > SP_LEN_MAX || (more && (len & 7)) ||
	    (p->total && (end > p->total || (!more && end != p->total)))) {
		pkt_drop(t, p);
		return -LW_FRAG_INVALID;
	}
	if (!more) {
		/* data already beyond the end */
		for (unsigned i = 0; i < p->nfrags; i++)
			if (p->ranges[i].end > end) {
				pkt_drop(t, p);
				return -LW_FRAG_INVALID;
			}
		p->total = end;
	}
	for (unsigned i = 0; i < p->nfrags; i++) {
		const struct frag_range *g = &p->ranges[i];

		if (g->start == off && g->end == end)
			return -LW_FRAG_PENDING; /* exact duplicate */
		if (off < g->end && g->start < end) {
			pkt_drop(t, p);
			return -LW_FRAG_OVERLAP;
		}
	}
	if (p->nfrags >= r->fc.max_frags) {
		pkt_drop(t, p);
		return -LW_FRAG_TOO_MANY;
	}
	if (end > p->data_cap) {
		size_t cap = p->data_cap ? p->data_cap : 2048;
		uint8_t *nd;

		while (cap < end)
			cap *= 2;
		if (cap > 65536)
			cap = 65536;
		if (t->bytes + cap - p->data_cap > r->fc.max_bytes) {
			pkt_drop(t, p);
			return -LW_FRAG_NO_ROOM;
		}
		nd = realloc(p->data, cap);
		if (!nd) {
			pkt_drop(t, p);
			return -LW_FRAG_NO_ROOM;
		}
		t->bytes += cap - p->data_cap;
		p->data = nd;
		p->data_cap = cap;
	}
	memcpy(p->data + off, data, len);
	p->ranges[p->nfrags].start = off;
	p->ranges[p->nfrags].end = end;
	p->nfrags++;
	p->have += len;
	return p->total && p->hdr_len && p->have == p->total;
}

int lw_reasm_ipv4(struct lw_reasm *r, const uint8_t *pkt, size_t len, uint64_t now_ms, uint8_t *out,
		  size_t cap, size_t *out_len)
{
	return lw_reasm_ipv4_tunnel(r, pkt, len, NULL, now_ms, out, cap, out_len);
}

int lw_reasm_ipv4_tunnel(struct lw_reasm *r, const uint8_t *pkt, size_t len, const uint8_t *outer,
			 uint64_t now_ms, uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t key[48];
	size_t ihl, tot;
	uint16_t fo;
	uint32_t off;
	struct reasm_pkt *p;
	bool more;
	int rc;

	if (len < SP_IPV4_HDR || (pkt[0] >> 4) != 4)
		return -LW_FRAG_INVALID;
	ihl = (size_t)(pkt[0] & 15) * 4;
	tot = sp_get16(pkt + 2);
	if (ihl < SP_IPV4_HDR || tot < ihl || tot > len)
		return -LW_FRAG_INVALID;
	fo = sp_get16(pkt + 6);
	more = fo & SP_IPV4_MF;
	off = (uint32_t)(fo & SP_IPV4_OFFSET) * 8;
	if (!more && !off)
		return -LW_FRAG_INVALID; /* not a fragment */
	memcpy(key, pkt + 12, 8);
	key[8] = pkt[9];
	memcpy(key + 9, pkt + 4, 2);
	memset(key + 11, 0, sizeof(key) - 11);
	if (outer) {
		/* fragments from one B4 to one BR only: B4s sharing an
		 * address may well pick the same Identification */
		key[11] = 1;
		memcpy(key + 12, outer + 8, 32);
	}
	p = packet_of(r, &r->t4, key, sizeof(key), now_ms);
	if (!p)
		return -LW_FRAG_NO_ROOM;
	if (off == 0 && !p->hdr_len) {
		memcpy(p->hdr, pkt, ihl);
		p->hdr_len = ihl;
	}
	rc = pkt_add(r, &r->t4, p, off, pkt + ihl, (uint32_t)(tot - ihl), more);
	if (rc == -LW_FRAG_PENDING)
		return 0;
	if (rc <= 0)
		return rc;
	if (p->hdr_len + p->total > cap || p->hdr_len + p->total > SP_LEN_MAX) {
		pkt_drop(&r->t4, p);
		return -LW_FRAG_INVALID;
	}
	memcpy(out, p->hdr, p->hdr_len);
	memcpy(out + p->hdr_len, p->data, p->total);
	*out_len = p->hdr_len + p->total;
	sp_put16(out + 2, (uint16_t)*out_len);
	sp_put16(out + 6, sp_get16(out + 6) & SP_IPV4_DF); /* DF as the first fragment had it */
	sp_put16(out + 10, 0);
	sp_put16(out + 10, sp_csum_final(sp_csum_add(out, p->hdr_len, 0)));
	pkt_drop(&r->t4, p);
	return 1;
}

int lw_reasm_ipv6(struct lw_reasm *r, const uint8_t *pkt, size_t len, uint64_t now_ms, uint8_t *out,
		  size_t cap, size_t *out_len)
{
	uint8_t key[36], nh;
	size_t off = SP_IPV6_HDR, nh_off = 6, end;
	uint32_t foff;
	struct reasm_pkt *p;
	bool more;
	uint16_t fo;
	int rc;

	if (len < SP_IPV6_HDR || (pkt[0] >> 4) != 6)
		return -LW_FRAG_INVALID;
	end = SP_IPV6_HDR + sp_get16(pkt + 4);
	if (end > len)
		return -LW_FRAG_INVALID;
	nh = pkt[6];
	/* the unfragmentable part: hop-by-hop, routing, destination options */
	while (nh == SP_PROTO_HOPOPTS || nh == SP_PROTO_ROUTING || nh == SP_PROTO_DSTOPTS) {
		if (off + 8 > end)
			return -LW_FRAG_INVALID;
		nh_off = off;
		nh = pkt[off];
		off += ((size_t)pkt[off + 1] + 1) * 8;
		if (off > SP_IPV6_HDR + SP_IPV6_EXT_MAX - 8)
			return -LW_FRAG_INVALID;
	}
	if (nh != SP_PROTO_FRAGMENT || off + SP_FRAG_HDR > end)
		return -LW_FRAG_INVALID;
	fo = sp_get16(pkt + off + 2);
	more = fo & SP_IPV6_FRAG_MORE;
	foff = fo & SP_IPV6_FRAG_OFFSET;
	memcpy(key, pkt + 8, 32);
	memcpy(key + 32, pkt + off + 4, 4);
	p = packet_of(r, &r->t6, key, sizeof(key), now_ms);
	if (!p)
		return -LW_FRAG_NO_ROOM;
	if (foff == 0 && !p->hdr_len) {
		memcpy(p->hdr, pkt, off);
		p->hdr_len = off;
		p->nh_off = nh_off;
		p->nexthdr = pkt[off];
	}
	rc = pkt_add(r, &r->t6, p, foff, pkt + off + 8, (uint32_t)(end - off - 8), more);
	if (rc == -LW_FRAG_PENDING)
		return 0;
	if (rc <= 0)
		return rc;
	if (p->hdr_len + p->total > cap || p->hdr_len - SP_IPV6_HDR + p->total > SP_LEN_MAX) {
		pkt_drop(&r->t6, p);
		return -LW_FRAG_INVALID;
	}
	memcpy(out, p->hdr, p->hdr_len);
	memcpy(out + p->hdr_len, p->data, p->total);
	out[p->nh_off] = p->nexthdr;
	*out_len = p->hdr_len + p->total;
	sp_put16(out + 4, (uint16_t)(*out_len - SP_IPV6_HDR));
	pkt_drop(&r->t6, p);
	return 1;
}
