/* SPDX-License-Identifier: GPL-2.0 */
/* Fragments in the slow path (lib/aftr/slowpath_frag.h): reassembly of IPv4
 * and IPv6 fragments built independently by the test packet builder
 * (selftests/lib/pkt.h), compared byte for byte with the whole packet the
 * builder makes; its bounds (fragments per packet, packets, timeout),
 * overlaps (RFC 5722), duplicates and high-bit Identifications (Snabb's
 * regression case 01); IPv4 and IPv6 fragmentation, every header checksum
 * and the reassembled transport checksum verified by csum_ref; and the
 * lwAFTR's whole-packet encapsulation and decapsulation, validated as the
 * data plane validates. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <cmocka.h>

#include "csum_ref.h"
#include "pkt.h"
#include "wire.h"
#include "slowpath.h"
#include "slowpath_frag.h"

#define AFTR4 "10.10.10.10"
#define BR "8:9:a:b:c:d:e:f"
#define BR_OTHER "8:9:a:b:c:d:e:1"
#define B4 "127:11:12:13:14:15:16:128"
#define B4_OTHER "127:22:33:44:55:66:77:128"
#define INET "1.2.3.4"
#define SHARED "178.79.150.233"

static uint8_t whole[4096], frag_buf[8][2048], out_pkt[LW_FRAG_PKT_MAX];
static size_t frag_len[8];
static struct lw_frag_out fout;

/* The softwire owning SHARED (any port) is B4 via BR; every other address
 * is not ours (-ENOENT), unless miss is set: then SHARED has no binding. */
struct stub {
	bool miss;
	int calls;
};

static int stub_find(void *ctx, __be32 ipv4, __u16 port, struct in6_addr *b4, struct in6_addr *br)
{
	struct stub *s = ctx;

	(void)port;
	s->calls++;
	if (ipv4 != ip4(SHARED))
		return -ENOENT;
	if (s->miss)
		return -ESRCH;
	*b4 = ip6(B4);
	*br = ip6(BR);
	return 0;
}

static struct stub stub;

static struct lw_slowpath_cfg sp_cfg(void)
{
	struct lw_slowpath_cfg c = {
		.ipv4_addr = ip4(AFTR4), .icmpv4_errors = true, .icmpv6_errors = true,
		.hop_limit = 64, .find_softwire = stub_find, .ctx = &stub,
	};

	memset(&stub, 0, sizeof(stub));
	return c;
}

static struct lw_frag_cfg frag_cfg(void)
{
	struct lw_frag_cfg fc;

	lw_frag_cfg_defaults(&fc);
	return fc;
}

/* A whole IPv4/UDP datagram of payload bytes (pattern i * 7), ID id. */
static size_t build_udp4(uint8_t *buf, const char *src, const char *dst, uint16_t sport,
			 uint16_t dport, uint16_t id, bool df, size_t payload)
{
	struct pkt p;
	uint8_t data[3000];

	for (size_t i = 0; i < payload; i++)
		data[i] = (uint8_t)(i * 7);
	pkt_init(&p, buf, 4096);
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(src), .dst = ip4(dst), .ttl = 64, .id = id, .df = df });
	pkt_udp(&p, &(struct pkt_udp){ .sport = sport, .dport = dport });
	pkt_data(&p, data, payload);
	assert_true(pkt_finish(&p) > 0);
	return p.len;
}

/* Fragment k of an IPv4 datagram (whole, wlen): payload bytes [off, off+n)
 * behind a header built by pkt_ipv4 with the same fields. */
static size_t build_frag4(uint8_t *buf, const uint8_t *w, size_t off, size_t n, bool more)
{
	struct pkt p;
	uint32_t src, dst;

	memcpy(&src, w + 12, 4);
	memcpy(&dst, w + 16, 4);
	pkt_init(&p, buf, 2048);
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = src, .dst = dst, .ttl = w[8],
					.id = get_be16(w + 4), .mf = more,
					.frag_offset = (uint16_t)(off / 8), .proto = w[9] });
	pkt_data(&p, w + 20 + off, n);
	assert_true(pkt_finish(&p) > 0);
	return p.len;
}

/* An IPv6 fragment of the IPv6 packet w (40-byte header, payload after it):
 * payload bytes [off, off+n) with Identification id. */
static size_t build_frag6(uint8_t *buf, const uint8_t *w, size_t off, size_t n, bool more,
			  uint32_t id)
{
	struct pkt p;
	struct in6_addr s, d;

	memcpy(&s, w + 8, 16);
	memcpy(&d, w + 24, 16);
	pkt_init(&p, buf, 2048);
	pkt_ipv6(&p, &(struct pkt_ip6){ .src = s, .dst = d, .hop_limit = w[7] });
	pkt_ipv6_frag(&p, &(struct pkt_ip6_frag){ .offset = (uint16_t)(off / 8), .more = more,
						  .id = id, .next_header = w[6] });
	pkt_data(&p, w + 40 + off, n);
	assert_true(pkt_finish(&p) > 0);
	return p.len;
}

/* IPv4-in-IPv6 from B4 to BR around a UDP datagram from SHARED. */
static size_t build_tunnel(uint8_t *buf, const char *b4, const char *br, size_t payload, bool df)
{
	uint8_t inner[4096];
	size_t ilen = build_udp4(inner, SHARED, INET, 2700, 2300, 1, df, payload);
	struct pkt p;

	pkt_init(&p, buf, 4096);
	pkt_ipv6(&p, &(struct pkt_ip6){ .src = ip6(b4), .dst = ip6(br), .hop_limit = 64, .next_header = 4 });
	pkt_data(&p, inner, ilen);
	assert_true(pkt_finish(&p) > 0);
	return p.len;
}

static void assert_ip4_ok(const uint8_t *ip, size_t len)
{
	assert_true(ref_ipv4_header_ok(ip, len));
	assert_true(ref_l4_ok_ipv4(ip, len));
}

/* ---- IPv4 reassembly ---- */

static void reasm4_orders(bool reversed)
{
	struct lw_frag_cfg fc = frag_cfg();
	struct lw_reasm *r = lw_reasm_new(&fc);
	size_t wlen = build_udp4(whole, INET, SHARED, 2300, 2700, 0x4243, false, 1500);
	size_t olen = 0, pl = wlen - 20;
	int rc = 0;

	frag_len[0] = build_frag4(frag_buf[0], whole, 0, 552, true);
	frag_len[1] = build_frag4(frag_buf[1], whole, 552, 552, true);
	frag_len[2] = build_frag4(frag_buf[2], whole, 1104, pl - 1104, false);
	for (int i = 0; i < 3; i++) {
		int k = reversed ? 2 - i : i;

		rc = lw_reasm_ipv4(r, frag_buf[k], frag_len[k], 10, out_pkt, sizeof(out_pkt), &olen);
		assert_int_equal(rc, i == 2 ? 1 : 0);
	}
	assert_int_equal(olen, wlen);
	assert_memory_equal(out_pkt, whole, wlen);
	assert_ip4_ok(out_pkt, olen);
	assert_int_equal(lw_reasm_pending(r), 0);
	lw_reasm_free(r);
}

static void test_reasm4_in_order(void **state)
{
	(void)state;
	reasm4_orders(false);
}

static void test_reasm4_reversed(void **state)
{
	(void)state;
	reasm4_orders(true);
}

/* Snabb case 01: Identifications with the high bit set are keys like any */
static void test_reasm_high_bit_ids(void **state)
{
	struct lw_frag_cfg fc = frag_cfg();
	struct lw_reasm *r = lw_reasm_new(&fc);
	size_t wlen, olen = 0;
	static const uint32_t ids[] = { 0x88f416c6u, 0xffffffffu, 0x80000000u };

	(void)state;
	wlen = build_tunnel(whole, B4, BR, 1200, false);
	for (unsigned i = 0; i < 3; i++) {
		size_t pl = wlen - 40;

		frag_len[0] = build_frag6(frag_buf[0], whole, 0, 432, true, ids[i]);
		frag_len[1] = build_frag6(frag_buf[1], whole, 432, 432, true, ids[i]);
		frag_len[2] = build_frag6(frag_buf[2], whole, 864, pl - 864, false, ids[i]);
		assert_int_equal(lw_reasm_ipv6(r, frag_buf[1], frag_len[1], 1, out_pkt, sizeof(out_pkt), &olen), 0);
		assert_int_equal(lw_reasm_ipv6(r, frag_buf[0], frag_len[0], 1, out_pkt, sizeof(out_pkt), &olen), 0);
		assert_int_equal(lw_reasm_ipv6(r, frag_buf[2], frag_len[2], 1, out_pkt, sizeof(out_pkt), &olen), 1);
		assert_int_equal(olen, wlen);
		assert_memory_equal(out_pkt, whole, wlen);
	}
	/* and 0xffff for IPv4 */
	wlen = build_udp4(whole, INET, SHARED, 2300, 2700, 0xffff, false, 100);
	frag_len[0] = build_frag4(frag_buf[0], whole, 0, 64, true);
	frag_len[1] = build_frag4(frag_buf[1], whole, 64, wlen - 20 - 64, false);
	assert_int_equal(lw_reasm_ipv4(r, frag_buf[0], frag_len[0], 1, out_pkt, sizeof(out_pkt), &olen), 0);
	assert_int_equal(lw_reasm_ipv4(r, frag_buf[1], frag_len[1], 1, out_pkt, sizeof(out_pkt), &olen), 1);
	assert_memory_equal(out_pkt, whole, wlen);
	lw_reasm_free(r);
}

/* RFC 5722: an overlap discards the packet; its other fragments then start
 * a new one that never completes. An exact duplicate is ignored. */
static void test_reasm6_overlap_and_duplicate(void **state)
{
	struct lw_frag_cfg fc = frag_cfg();
	struct lw_reasm *r = lw_reasm_new(&fc);
	size_t wlen = build_tunnel(whole, B4, BR, 1200, false), olen = 0, pl = wlen - 40;

	(void)state;
	frag_len[0] = build_frag6(frag_buf[0], whole, 0, 432, true, 7);
	frag_len[1] = build_frag6(frag_buf[1], whole, 424, 432, true, 7); /* overlaps by 8 */
	frag_len[2] = build_frag6(frag_buf[2], whole, 432, pl - 432, false, 7);
	assert_int_equal(lw_reasm_ipv6(r, frag_buf[0], frag_len[0], 1, out_pkt, sizeof(out_pkt), &olen), 0);
	assert_int_equal(lw_reasm_ipv6(r, frag_buf[0], frag_len[0], 1, out_pkt, sizeof(out_pkt), &olen), 0);
	assert_int_equal(lw_reasm_pending(r), 1);
	assert_int_equal(lw_reasm_ipv6(r, frag_buf[1], frag_len[1], 1, out_pkt, sizeof(out_pkt), &olen),
			 -LW_FRAG_OVERLAP);
	assert_int_equal(lw_reasm_pending(r), 0);
	/* the rest alone: no packet */
	assert_int_equal(lw_reasm_ipv6(r, frag_buf[2], frag_len[2], 1, out_pkt, sizeof(out_pkt), &olen), 0);
	assert_int_equal(lw_reasm_pending(r), 1);
	lw_reasm_free(r);
}

/* Snabb case 24: max-fragments-per-packet 1 */
static void test_reasm_max_frags(void **state)
{
	struct lw_frag_cfg fc = frag_cfg();
	struct lw_reasm *r;
	size_t wlen = build_tunnel(whole, B4, BR, 1200, false), olen = 0;

	(void)state;
	fc.max_frags = 1;
	r = lw_reasm_new(&fc);
	frag_len[0] = build_frag6(frag_buf[0], whole, 0, 432, true, 9);
	frag_len[1] = build_frag6(frag_buf[1], whole, 432, wlen - 40 - 432, false, 9);
	assert_int_equal(lw_reasm_ipv6(r, frag_buf[0], frag_len[0], 1, out_pkt, sizeof(out_pkt), &olen), 0);
	assert_int_equal(lw_reasm_ipv6(r, frag_buf[1], frag_len[1], 1, out_pkt, sizeof(out_pkt), &olen),
			 -LW_FRAG_TOO_MANY);
	assert_int_equal(lw_reasm_pending(r), 0);
	lw_reasm_free(r);
}

/* Timeout from the first fragment; the oldest packet makes room. */
static void test_reasm_timeout_and_eviction(void **state)
{
	struct lw_frag_cfg fc = frag_cfg();
	struct lw_reasm *r;
	size_t wlen = build_udp4(whole, INET, SHARED, 2300, 2700, 1, false, 200), olen = 0;

	(void)state;
	fc.max_packets = 2;
	fc.timeout_ms = 1000;
	r = lw_reasm_new(&fc);
	for (uint16_t id = 1; id <= 3; id++) {
		put_be16(whole + 4, id);
		frag_len[0] = build_frag4(frag_buf[0], whole, 0, 64, true);
		assert_int_equal(lw_reasm_ipv4(r, frag_buf[0], frag_len[0], id, out_pkt, sizeof(out_pkt), &olen), 0);
	}
	assert_int_equal(lw_reasm_pending(r), 2);
	/* ID 1 was evicted: its last fragment alone does not complete it */
	put_be16(whole + 4, 1);
	frag_len[1] = build_frag4(frag_buf[1], whole, 64, wlen - 20 - 64, false);
	assert_int_equal(lw_reasm_ipv4(r, frag_buf[1], frag_len[1], 4, out_pkt, sizeof(out_pkt), &olen), 0);
	/* ID 3 still completes */
	put_be16(whole + 4, 3);
	frag_len[1] = build_frag4(frag_buf[1], whole, 64, wlen - 20 - 64, false);
	assert_int_equal(lw_reasm_ipv4(r, frag_buf[1], frag_len[1], 5, out_pkt, sizeof(out_pkt), &olen), 1);
	assert_int_equal(lw_reasm_expire(r, 999), 0);
	assert_int_equal(lw_reasm_expire(r, 2000), 1);
	assert_int_equal(lw_reasm_pending(r), 0);
	lw_reasm_free(r);
}

static void test_reasm_invalid(void **state)
{
	struct lw_frag_cfg fc = frag_cfg();
	struct lw_reasm *r = lw_reasm_new(&fc);
	size_t wlen = build_udp4(whole, INET, SHARED, 2300, 2700, 5, false, 200), olen = 0;

	(void)state;
	/* not a fragment */
	assert_int_equal(lw_reasm_ipv4(r, whole, wlen, 1, out_pkt, sizeof(out_pkt), &olen), -LW_FRAG_INVALID);
	/* a non-last fragment whose length is no multiple of 8 */
	frag_len[0] = build_frag4(frag_buf[0], whole, 0, 60, true);
	assert_int_equal(lw_reasm_ipv4(r, frag_buf[0], frag_len[0], 1, out_pkt, sizeof(out_pkt), &olen),
			 -LW_FRAG_INVALID);
	lw_reasm_free(r);
}

/* ---- fragmentation ---- */

/* Snabb case 18's shape: 992 octets, MTU 576 → 572 + 440 */
static void test_frag4_sizes_and_reassembly(void **state)
{
	struct lw_frag_cfg fc = frag_cfg();
	struct lw_reasm *r = lw_reasm_new(&fc);
	size_t wlen = build_udp4(whole, SHARED, INET, 2700, 2300, 77, false, 992 - 28), olen = 0;
	int n;

	(void)state;
	lw_frag_out_init(&fout);
	n = lw_frag_ipv4(whole, wlen, 576, LW_SLOWPATH_TO_INTERNET, &fout);
	assert_int_equal(n, 2);
	assert_int_equal(fout.pkt[0].len, 572);
	assert_int_equal(fout.pkt[1].len, 440);
	for (int i = 0; i < 2; i++) {
		const uint8_t *f = fout.buf + fout.pkt[i].off;

		assert_true(ref_ipv4_header_ok(f, fout.pkt[i].len));
		assert_int_equal(get_be16(f + 4), 77);
		assert_int_equal(get_be16(f + 6), i == 0 ? 0x2000 : 552 / 8);
		assert_true(fout.pkt[i].fragment);
		assert_int_equal(lw_reasm_ipv4(r, f, fout.pkt[i].len, 1, out_pkt, sizeof(out_pkt), &olen), i);
	}
	assert_memory_equal(out_pkt, whole, wlen);
	assert_ip4_ok(out_pkt, olen);
	/* DF: not fragmented */
	wlen = build_udp4(whole, SHARED, INET, 2700, 2300, 77, true, 992 - 28);
	assert_int_equal(lw_frag_ipv4(whole, wlen, 576, LW_SLOWPATH_TO_INTERNET, &fout), -EMSGSIZE);
	/* within the MTU: whole */
	lw_frag_out_init(&fout);
	assert_int_equal(lw_frag_ipv4(whole, wlen, 1500, LW_SLOWPATH_TO_INTERNET, &fout), 1);
	assert_false(fout.pkt[0].fragment);
	lw_reasm_free(r);
}

/* RFC 791: options with the copy flag in every fragment, others in the first */
static void test_frag4_options(void **state)
{
	static const uint8_t opts[] = { 0x94, 0x04, 0x00, 0x00,   /* router alert: copied */
					0x07, 0x07, 0x04, 0, 0, 0, 0 }; /* record route: not */
	struct pkt p;
	uint8_t data[600] = { 0 };
	int n;

	(void)state;
	pkt_init(&p, whole, sizeof(whole));
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(SHARED), .dst = ip4(INET), .ttl = 64, .id = 3,
					.options = opts, .options_len = sizeof(opts) });
	pkt_udp(&p, &(struct pkt_udp){ .sport = 1, .dport = 2 });
	pkt_data(&p, data, sizeof(data));
	assert_true(pkt_finish(&p) > 0);
	lw_frag_out_init(&fout);
	n = lw_frag_ipv4(whole, p.len, 300, LW_SLOWPATH_TO_INTERNET, &fout);
	assert_true(n >= 3);
	assert_int_equal(fout.buf[fout.pkt[0].off] & 15, 8);  /* 32-octet header */
	assert_int_equal(fout.buf[fout.pkt[1].off] & 15, 6);  /* 20 + router alert */
	assert_int_equal(fout.buf[fout.pkt[1].off + 20], 0x94);
	for (int i = 0; i < n; i++)
		assert_true(ref_ipv4_header_ok(fout.buf + fout.pkt[i].off, fout.pkt[i].len));
}

/* RFC 2473 §7.1: the outer packet, 1232 octets per fragment at MTU 1280 */
static void test_frag6(void **state)
{
	size_t wlen = build_tunnel(whole, BR, B4, 1432, false);
	const uint8_t *f;
	int n;

	(void)state;
	lw_frag_out_init(&fout);
	n = lw_frag_ipv6(whole, wlen, 1280, 0x42424243u, &fout);
	assert_int_equal(n, 2);
	assert_int_equal(fout.pkt[0].len, 1280);
	assert_int_equal(fout.pkt[1].len, wlen - 1232 + 8);
	f = fout.buf + fout.pkt[0].off;
	assert_int_equal(f[6], 44);
	assert_int_equal(f[40], 4);
	assert_int_equal(get_be16(f + 42), 1);                 /* offset 0, M */
	assert_int_equal(get_be32(f + 44), 0x42424243u);
	assert_memory_equal(f + 48, whole + 40, 1232);
	f = fout.buf + fout.pkt[1].off;
	assert_int_equal(get_be16(f + 42), 1232);              /* offset 154 * 8, last */
	assert_int_equal(get_be16(f + 4), wlen - 40 - 1232 + 8);
}

/* ---- the lwAFTR on whole packets ---- */

static void test_encap_whole_fragments(void **state)
{
	struct lw_slowpath_cfg cfg = sp_cfg();
	struct lw_frag_cfg fc = frag_cfg();
	struct lw_reasm *r = lw_reasm_new(&fc);
	size_t wlen = build_udp4(whole, INET, SHARED, 2300, 2700, 1, false, 1432), olen = 0;
	uint8_t *f;
	int n;

	(void)state;
	lw_reasm_seed_id(r, 0x42424243u);
	lw_frag_out_init(&fout);
	n = lw_slowpath_encap_whole(&cfg, &fc, r, whole, wlen, 1280, false, &fout);
	assert_int_equal(n, 2);
	f = fout.buf + fout.pkt[0].off;
	assert_int_equal(fout.pkt[0].dest, LW_SLOWPATH_TO_B4);
	{
		struct in6_addr s = ip6(BR), d = ip6(B4);

		assert_memory_equal(f + 8, &s, 16);
		assert_memory_equal(f + 24, &d, 16);
	}
	/* reassembled: the inner packet, TTL 63, checksums right */
	assert_int_equal(lw_reasm_ipv6(r, f, fout.pkt[0].len, 1, out_pkt, sizeof(out_pkt), &olen), 0);
	f = fout.buf + fout.pkt[1].off;
	assert_int_equal(lw_reasm_ipv6(r, f, fout.pkt[1].len, 1, out_pkt, sizeof(out_pkt), &olen), 1);
	assert_int_equal(olen, 40 + wlen);
	assert_int_equal(out_pkt[6], 4);
	assert_int_equal(out_pkt[40 + 8], 63);
	assert_ip4_ok(out_pkt + 40, wlen);
	assert_memory_equal(out_pkt + 40 + 20, whole + 20, wlen - 20);
	/* no binding (AFTR-ENCAP-2): ICMPv4 3/1 to the sender, or nothing */
	stub.miss = true;
	lw_frag_out_init(&fout);
	assert_int_equal(lw_slowpath_encap_whole(&cfg, &fc, r, whole, wlen, 1280, false, &fout), 1);
	f = fout.buf + fout.pkt[0].off;
	assert_true(fout.pkt[0].icmp);
	assert_int_equal(fout.pkt[0].dest, LW_SLOWPATH_TO_INTERNET);
	assert_int_equal(f[20], 3);
	assert_int_equal(f[21], 1);
	assert_true(ref_ipv4_header_ok(f, fout.pkt[0].len));
	assert_int_equal(ref_csum(f + 20, fout.pkt[0].len - 20), 0);
	fc.flags &= ~LW_CFG_ICMPV4_ERRORS;
	lw_frag_out_init(&fout);
	assert_int_equal(lw_slowpath_encap_whole(&cfg, &fc, r, whole, wlen, 1280, false, &fout), 0);
	assert_int_equal(fout.reason, LW_SLOWPATH_NO_SOFTWIRE);
	/* TTL 1 (decision 7): ICMPv4 11/0 */
	stub.miss = false;
	fc.flags |= LW_CFG_ICMPV4_ERRORS;
	whole[8] = 1;
	put_be16(whole + 10, 0);
	put_be16(whole + 10, ref_csum(whole, 20));
	lw_frag_out_init(&fout);
	assert_int_equal(lw_slowpath_encap_whole(&cfg, &fc, r, whole, wlen, 1280, false, &fout), 1);
	assert_int_equal(fout.buf[fout.pkt[0].off + 20], 11);
	lw_reasm_free(r);
}

/* AFTR-ENCAP-4: DF set and too big for the tunnel → ICMPv4 3/4, MTU − 40 */
static void test_encap_whole_df(void **state)
{
	struct lw_slowpath_cfg cfg = sp_cfg();
	struct lw_frag_cfg fc = frag_cfg();
	size_t wlen = build_udp4(whole, INET, SHARED, 2300, 2700, 1, true, 1432);
	const uint8_t *f;

	(void)state;
	lw_frag_out_init(&fout);
	assert_int_equal(lw_slowpath_encap_whole(&cfg, &fc, NULL, whole, wlen, 1280, false, &fout), 1);
	f = fout.buf + fout.pkt[0].off;
	assert_true(fout.pkt[0].icmp);
	assert_int_equal(fout.pkt[0].dest, LW_SLOWPATH_TO_INTERNET);
	assert_int_equal(f[20], 3);
	assert_int_equal(f[21], 4);
	assert_int_equal(get_be16(f + 26), 1240);
	assert_ip4_ok(f, fout.pkt[0].len);
	/* errors off: dropped */
	fc.flags &= ~LW_CFG_ICMPV4_ERRORS;
	lw_frag_out_init(&fout);
	assert_int_equal(lw_slowpath_encap_whole(&cfg, &fc, NULL, whole, wlen, 1280, false, &fout), 0);
	assert_int_equal(fout.reason, LW_FRAG_DF);
}

static void test_decap_whole(void **state)
{
	struct lw_slowpath_cfg cfg = sp_cfg();
	struct lw_frag_cfg fc = frag_cfg();
	size_t wlen = build_tunnel(whole, B4, BR, 1432, false), olen = 0;
	struct lw_reasm *r = lw_reasm_new(&fc);
	int n;

	(void)state;
	lw_frag_out_init(&fout);
	n = lw_slowpath_decap_whole(&cfg, &fc, r, whole, wlen, 576, &fout);
	assert_int_equal(n, 3);
	for (int i = 0; i < n; i++) {
		const uint8_t *f = fout.buf + fout.pkt[i].off;

		assert_int_equal(fout.pkt[i].dest, LW_SLOWPATH_TO_INTERNET);
		assert_true(ref_ipv4_header_ok(f, fout.pkt[i].len));
		assert_int_equal(f[8], 63); /* decision 7 */
		assert_int_equal(lw_reasm_ipv4(r, f, fout.pkt[i].len, 1, out_pkt, sizeof(out_pkt), &olen),
				 i == n - 1);
	}
	assert_int_equal(olen, wlen - 40);
	assert_ip4_ok(out_pkt, olen);
	lw_reasm_free(r);

	/* another B4 with SHARED's port: not forwarded; ICMPv6 1/5 to it
	 * (AFTR-DECAP-3) when ICMPv6 errors are on */
	wlen = build_tunnel(whole, B4_OTHER, BR, 1432, false);
	lw_frag_out_init(&fout);
	assert_int_equal(lw_slowpath_decap_whole(&cfg, &fc, NULL, whole, wlen, 576, &fout), 1);
	assert_true(fout.pkt[0].icmp);
	assert_int_equal(fout.pkt[0].dest, LW_SLOWPATH_TO_B4);
	assert_int_equal(fout.buf[fout.pkt[0].off + 6], 58);
	assert_int_equal(fout.buf[fout.pkt[0].off + 40], 1);
	assert_int_equal(fout.buf[fout.pkt[0].off + 41], 5);
	{
		struct in6_addr d = ip6(B4_OTHER);

		assert_memory_equal(fout.buf + fout.pkt[0].off + 24, &d, 16);
	}
	assert_true(ref_l4_ok_ipv6(fout.buf + fout.pkt[0].off, fout.pkt[0].len));
	fc.flags &= ~LW_CFG_ICMPV6_ERRORS;
	lw_frag_out_init(&fout);
	assert_int_equal(lw_slowpath_decap_whole(&cfg, &fc, NULL, whole, wlen, 576, &fout), 0);
	assert_int_equal(fout.reason, LW_SLOWPATH_NO_SOFTWIRE);
	/* the right B4 to another BR address: not forwarded */
	wlen = build_tunnel(whole, B4, BR_OTHER, 1432, false);
	assert_int_equal(lw_slowpath_decap_whole(&cfg, &fc, NULL, whole, wlen, 576, &fout), 0);
	assert_int_equal(fout.reason, LW_SLOWPATH_NO_SOFTWIRE);
	fc.flags |= LW_CFG_ICMPV6_ERRORS;
	/* DF: ICMPv4 3/4 back through the tunnel, from BR to B4 */
	wlen = build_tunnel(whole, B4, BR, 1432, true);
	lw_frag_out_init(&fout);
	assert_int_equal(lw_slowpath_decap_whole(&cfg, &fc, NULL, whole, wlen, 576, &fout), 1);
	assert_true(fout.pkt[0].icmp);
	assert_int_equal(fout.pkt[0].dest, LW_SLOWPATH_TO_B4);
	assert_int_equal(fout.buf[fout.pkt[0].off + 40 + 20], 3);
	assert_int_equal(get_be16(fout.buf + fout.pkt[0].off + 40 + 26), 576);
}

/* An inner IPv4 fragment is never forwarded (AFTR-DECAP-6) */
static void test_decap_whole_inner_fragment(void **state)
{
	struct lw_slowpath_cfg cfg = sp_cfg();
	struct lw_frag_cfg fc = frag_cfg();
	size_t wlen = build_tunnel(whole, B4, BR, 200, false);

	(void)state;
	put_be16(whole + 40 + 6, 0x2000);
	put_be16(whole + 40 + 10, 0);
	put_be16(whole + 40 + 10, ref_csum(whole + 40, 20));
	lw_frag_out_init(&fout);
	assert_int_equal(lw_slowpath_decap_whole(&cfg, &fc, NULL, whole, wlen, 1500, &fout), 0);
	assert_int_equal(fout.reason, LW_FRAG_INNER_FRAGMENT);
}

/* The event path: fragments reassembled; a cut capture is never used */
static void test_frag_event(void **state)
{
	struct lw_slowpath_cfg cfg = sp_cfg();
	struct lw_frag_cfg fc = frag_cfg();
	struct lw_reasm *r = lw_reasm_new(&fc);
	struct lw_event *ev = calloc(1, sizeof(*ev));
	size_t wlen = build_udp4(whole, INET, SHARED, 2300, 2700, 9, false, 1000);
	int n;

	(void)state;
	assert_non_null(ev);
	frag_len[0] = build_frag4(frag_buf[0], whole, 0, 504, true);
	frag_len[1] = build_frag4(frag_buf[1], whole, 504, wlen - 20 - 504, false);
	ev->type = LW_EV_FRAGMENT;
	ev->dir = LW_DIR_FROM_INTERNET;
	ev->l3_proto = ETH_P_IP;
	for (int i = 0; i < 2; i++) {
		memcpy(ev->pkt, frag_buf[i], frag_len[i]);
		ev->pkt_len = ev->cap_len = (uint32_t)frag_len[i];
		n = lw_slowpath_frag_event(&cfg, &fc, r, ev, sizeof(*ev), 1, &fout);
		assert_int_equal(n, i);
	}
	assert_int_equal(fout.pkt[0].len, 40 + wlen);
	/* FRAG_NEEDED with a capture shorter than the packet */
	ev->type = LW_EV_FRAG_NEEDED;
	memcpy(ev->pkt, whole, wlen);
	ev->cap_len = (uint32_t)wlen - 100;
	ev->pkt_len = (uint32_t)wlen;
	assert_int_equal(lw_slowpath_frag_event(&cfg, &fc, r, ev, sizeof(*ev), 1, &fout), 0);
	assert_int_equal(fout.reason, LW_FRAG_CAPTURE);
	/* other events are not this library's */
	ev->type = LW_EV_TTL_EXPIRED;
	assert_int_equal(lw_slowpath_frag_event(&cfg, &fc, r, ev, sizeof(*ev), 1, &fout),
			 LW_SLOWPATH_NOT_HANDLED);
	free(ev);
	lw_reasm_free(r);
}

/* IPv4-in-IPv6 from b4 to BR around the IPv4 fragment f (flen bytes) */
static size_t wrap6(uint8_t *buf, const char *b4, const uint8_t *f, size_t flen)
{
	struct pkt p;

	pkt_init(&p, buf, 2048);
	pkt_ipv6(&p, &(struct pkt_ip6){ .src = ip6(b4), .dst = ip6(BR), .hop_limit = 64, .next_header = 4 });
	pkt_data(&p, f, flen);
	assert_true(pkt_finish(&p) > 0);
	return p.len;
}

/* AFTR-DECAP-6: inner IPv4 fragments are reassembled per (B4, BR), then the
 * whole packet is validated and decapsulated; a fragment from another B4
 * does not join them. */
static void test_frag_event_inner_ipv4(void **state)
{
	struct lw_slowpath_cfg cfg = sp_cfg();
	struct lw_frag_cfg fc = frag_cfg();
	struct lw_reasm *r = lw_reasm_new(&fc);
	struct lw_event *ev = calloc(1, sizeof(*ev));
	size_t wlen = build_udp4(whole, SHARED, INET, 2700, 2300, 33, false, 1000);
	uint8_t f[2][2048], t[2048];
	size_t fl[2];
	int n;

	(void)state;
	assert_non_null(ev);
	fl[0] = build_frag4(f[0], whole, 0, 504, true);
	fl[1] = build_frag4(f[1], whole, 504, wlen - 20 - 504, false);
	ev->type = LW_EV_FRAGMENT;
	ev->dir = LW_DIR_FROM_B4;
	ev->l3_proto = ETH_P_IPV6;
	/* the second fragment from another B4 first: kept apart */
	ev->pkt_len = ev->cap_len = (uint32_t)wrap6(t, B4_OTHER, f[1], fl[1]);
	memcpy(ev->pkt, t, ev->cap_len);
	assert_int_equal(lw_slowpath_frag_event(&cfg, &fc, r, ev, sizeof(*ev), 1, &fout), 0);
	ev->pkt_len = ev->cap_len = (uint32_t)wrap6(t, B4, f[0], fl[0]);
	memcpy(ev->pkt, t, ev->cap_len);
	assert_int_equal(lw_slowpath_frag_event(&cfg, &fc, r, ev, sizeof(*ev), 1, &fout), 0);
	assert_int_equal(lw_reasm_pending(r), 2);
	ev->pkt_len = ev->cap_len = (uint32_t)wrap6(t, B4, f[1], fl[1]);
	memcpy(ev->pkt, t, ev->cap_len);
	n = lw_slowpath_frag_event(&cfg, &fc, r, ev, sizeof(*ev), 1, &fout);
	assert_int_equal(n, 1);
	assert_int_equal(fout.pkt[0].dest, LW_SLOWPATH_TO_INTERNET);
	assert_int_equal(fout.pkt[0].len, wlen);
	assert_ip4_ok(fout.buf + fout.pkt[0].off, wlen);
	assert_int_equal(fout.buf[fout.pkt[0].off + 8], 63);
	assert_memory_equal(fout.buf + fout.pkt[0].off + 20, whole + 20, wlen - 20);
	/* B4_OTHER's first fragment completes its own packet, which then fails
	 * validation: SHARED's port belongs to B4. Nothing is forwarded; with
	 * ICMPv6 errors off nothing at all. */
	fc.flags &= ~LW_CFG_ICMPV6_ERRORS;
	ev->pkt_len = ev->cap_len = (uint32_t)wrap6(t, B4_OTHER, f[0], fl[0]);
	memcpy(ev->pkt, t, ev->cap_len);
	assert_int_equal(lw_slowpath_frag_event(&cfg, &fc, r, ev, sizeof(*ev), 1, &fout), 0);
	assert_int_equal(fout.reason, LW_SLOWPATH_NO_SOFTWIRE);
	free(ev);
	lw_reasm_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reasm4_in_order),
		cmocka_unit_test(test_reasm4_reversed),
		cmocka_unit_test(test_reasm_high_bit_ids),
		cmocka_unit_test(test_reasm6_overlap_and_duplicate),
		cmocka_unit_test(test_reasm_max_frags),
		cmocka_unit_test(test_reasm_timeout_and_eviction),
		cmocka_unit_test(test_reasm_invalid),
		cmocka_unit_test(test_frag4_sizes_and_reassembly),
		cmocka_unit_test(test_frag4_options),
		cmocka_unit_test(test_frag6),
		cmocka_unit_test(test_encap_whole_fragments),
		cmocka_unit_test(test_encap_whole_df),
		cmocka_unit_test(test_decap_whole),
		cmocka_unit_test(test_decap_whole_inner_fragment),
		cmocka_unit_test(test_frag_event),
		cmocka_unit_test(test_frag_event_inner_ipv4),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
