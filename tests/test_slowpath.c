/* SPDX-License-Identifier: GPL-2.0 */
/* The slow path (lib/aftr/slowpath*.c): every event type in, the packets out
 * compared byte for byte with packets built independently by the test
 * packet builder (selftests/lib/pkt.h) or copied from Snabb's expected
 * pcaps, their checksums verified by the independent csum_ref; the rules that
 * suppress an error (AFTR-ICMP-9, fragments, addresses, RFC 7596 §8.1), the
 * quote limits (576 / 1280 octets), the binding lookup of hairpinned
 * packets, the ICMPv6 → ICMPv4 relay (only of errors that check out: the
 * RFC 4443 checksum, and a quote that is a tunnel packet of ours, AFTR-ICMP-6)
 * and the rate limiter. */
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
#include "slowpath_ratelimit.h"

#define AFTR4 "10.10.10.10"
#define BR "8:9:a:b:c:d:e:f"
#define B4 "127:11:12:13:14:15:16:128"
#define B4_OTHER "127:22:33:44:55:66:77:128"
#define ROUTER6 "130:1:2:3:4:5:6:bbbb"
#define INET "149.174.156.93"
#define SHARED "178.79.150.233"
#define SHARED2 "178.79.150.15"

/* Snabb tests/data/tcp-fromb4-ipv6-unbound.pcap, Ethernet header removed */
static const uint8_t snabb_b4_unbound_in[92] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x34, 0x04, 0xff, 0x01, 0x27, 0x00, 0x11,
	0x00, 0x12, 0x00, 0x13, 0x00, 0x14, 0x00, 0x15, 0x00, 0x16, 0x01, 0x28,
	0x00, 0x08, 0x00, 0x09, 0x00, 0x0a, 0x00, 0x0b, 0x00, 0x0c, 0x00, 0x0d,
	0x00, 0x0e, 0x00, 0x0f, 0x45, 0x00, 0x00, 0x34, 0x11, 0x77, 0x40, 0x00,
	0x38, 0x06, 0xb5, 0x08, 0xb2, 0x4f, 0x97, 0xe9, 0x95, 0xae, 0x9c, 0x5d,
	0xd3, 0xb0, 0x00, 0x50, 0x20, 0xae, 0x31, 0x5a, 0xbf, 0x52, 0x96, 0xe6,
	0x80, 0x10, 0x00, 0x1f, 0xc3, 0x06, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a,
	0xa4, 0x4b, 0x24, 0x63, 0xf8, 0xbd, 0xf9, 0xa3,
};
/* Snabb tests/data/icmpv6-nogress.pcap, Ethernet header removed */
static const uint8_t snabb_b4_unbound_out[140] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x64, 0x3a, 0xff, 0x00, 0x08, 0x00, 0x09,
	0x00, 0x0a, 0x00, 0x0b, 0x00, 0x0c, 0x00, 0x0d, 0x00, 0x0e, 0x00, 0x0f,
	0x01, 0x27, 0x00, 0x11, 0x00, 0x12, 0x00, 0x13, 0x00, 0x14, 0x00, 0x15,
	0x00, 0x16, 0x01, 0x28, 0x01, 0x05, 0x0f, 0x55, 0x00, 0x00, 0x00, 0x00,
	0x60, 0x00, 0x00, 0x00, 0x00, 0x34, 0x04, 0xff, 0x01, 0x27, 0x00, 0x11,
	0x00, 0x12, 0x00, 0x13, 0x00, 0x14, 0x00, 0x15, 0x00, 0x16, 0x01, 0x28,
	0x00, 0x08, 0x00, 0x09, 0x00, 0x0a, 0x00, 0x0b, 0x00, 0x0c, 0x00, 0x0d,
	0x00, 0x0e, 0x00, 0x0f, 0x45, 0x00, 0x00, 0x34, 0x11, 0x77, 0x40, 0x00,
	0x38, 0x06, 0xb5, 0x08, 0xb2, 0x4f, 0x97, 0xe9, 0x95, 0xae, 0x9c, 0x5d,
	0xd3, 0xb0, 0x00, 0x50, 0x20, 0xae, 0x31, 0x5a, 0xbf, 0x52, 0x96, 0xe6,
	0x80, 0x10, 0x00, 0x1f, 0xc3, 0x06, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a,
	0xa4, 0x4b, 0x24, 0x63, 0xf8, 0xbd, 0xf9, 0xa3,
};
/* Snabb tests/data/incoming-icmpv6-13dstaddressunreach-inet-OPE.pcap, Ethernet header removed */
static const uint8_t snabb_relay13_in[140] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x64, 0x3a, 0x40, 0x01, 0x30, 0x00, 0x01,
	0x00, 0x02, 0x00, 0x03, 0x00, 0x04, 0x00, 0x05, 0x00, 0x06, 0xbb, 0xbb,
	0x00, 0x08, 0x00, 0x09, 0x00, 0x0a, 0x00, 0x0b, 0x00, 0x0c, 0x00, 0x0d,
	0x00, 0x0e, 0x00, 0x0f, 0x01, 0x03, 0x54, 0x74, 0x00, 0x00, 0x00, 0x00,
	0x60, 0x00, 0x00, 0x00, 0x00, 0x34, 0x04, 0xff, 0x00, 0x08, 0x00, 0x09,
	0x00, 0x0a, 0x00, 0x0b, 0x00, 0x0c, 0x00, 0x0d, 0x00, 0x0e, 0x00, 0x0f,
	0x01, 0x27, 0x00, 0x02, 0x00, 0x03, 0x00, 0x04, 0x00, 0x05, 0x00, 0x06,
	0x00, 0x07, 0x01, 0x28, 0x45, 0x00, 0x00, 0x34, 0x11, 0x77, 0x40, 0x00,
	0x38, 0x06, 0xb6, 0x08, 0x95, 0xae, 0x9c, 0x5d, 0xb2, 0x4f, 0x96, 0xe9,
	0xd3, 0xb0, 0x00, 0x50, 0x20, 0xae, 0x31, 0x5a, 0xbf, 0x52, 0x96, 0xe6,
	0x80, 0x10, 0x00, 0x1f, 0xc4, 0x06, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a,
	0xa4, 0x4b, 0x24, 0x63, 0xf8, 0xbd, 0xf9, 0xa3,
};
/* Snabb tests/data/response-ipv4-icmp31-inet.pcap, Ethernet header removed */
static const uint8_t snabb_relay13_out[80] = {
	0x45, 0x00, 0x00, 0x50, 0x00, 0x00, 0x00, 0x00, 0xff, 0x01, 0x75, 0x8d,
	0x0a, 0x0a, 0x0a, 0x0a, 0x95, 0xae, 0x9c, 0x5d, 0x03, 0x01, 0x78, 0x6a,
	0x00, 0x00, 0x00, 0x00, 0x45, 0x00, 0x00, 0x34, 0x11, 0x77, 0x40, 0x00,
	0x38, 0x06, 0xb6, 0x08, 0x95, 0xae, 0x9c, 0x5d, 0xb2, 0x4f, 0x96, 0xe9,
	0xd3, 0xb0, 0x00, 0x50, 0x20, 0xae, 0x31, 0x5a, 0xbf, 0x52, 0x96, 0xe6,
	0x80, 0x10, 0x00, 0x1f, 0xc4, 0x06, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a,
	0xa4, 0x4b, 0x24, 0x63, 0xf8, 0xbd, 0xf9, 0xa3,
};

/* ---- fixtures ------------------------------------------------------------------ */

/* The binding table: one softwire per address added by stub_own(), and
 * for every other address the answer ret (with b4, br). The lookups are
 * recorded in order; asked_* is the last. */
#define STUB_MAX 4

struct stub {
	int ret;
	int calls;
	uint32_t asked_ip;
	uint16_t asked_port;
	uint32_t ip_at[STUB_MAX];
	uint16_t port_at[STUB_MAX];
	struct in6_addr b4, br;
	struct {
		uint32_t ip;
		int ret;
		struct in6_addr b4, br;
	} own[STUB_MAX];
	int n_own;
};

static int stub_find(void *ctx, __be32 ipv4, __u16 port, struct in6_addr *b4,
		     struct in6_addr *br)
{
	struct stub *s = ctx;

	if (s->calls < STUB_MAX) {
		s->ip_at[s->calls] = ipv4;
		s->port_at[s->calls] = port;
	}
	s->calls++;
	s->asked_ip = ipv4;
	s->asked_port = port;
	for (int i = 0; i < s->n_own; i++) {
		if (s->own[i].ip != ipv4)
			continue;
		if (s->own[i].ret == 0) {
			*b4 = s->own[i].b4;
			*br = s->own[i].br;
		}
		return s->own[i].ret;
	}
	if (s->ret == 0) {
		*b4 = s->b4;
		*br = s->br;
	}
	return s->ret;
}

/* ipv4 (every port of it) belongs to the softwire of b4 through br. */
static void stub_own(struct stub *s, const char *ipv4, int ret, const char *b4, const char *br)
{
	assert_true(s->n_own < STUB_MAX);
	s->own[s->n_own].ip = ip4(ipv4);
	s->own[s->n_own].ret = ret;
	s->own[s->n_own].b4 = ip6(b4);
	s->own[s->n_own].br = ip6(br);
	s->n_own++;
}

static struct lw_slowpath_cfg cfg_with(struct stub *s)
{
	struct lw_slowpath_cfg c = {
		.ipv4_addr = ip4(AFTR4), .icmpv4_errors = true, .icmpv6_errors = true,
		.hop_limit = 64, .find_softwire = stub_find, .ctx = s,
	};

	memset(s, 0, sizeof(*s));
	s->b4 = ip6(B4);
	s->br = ip6(BR);
	return c;
}

static struct lw_event *event_new(uint16_t type, uint16_t dir, uint16_t l3, uint32_t mtu,
				  const uint8_t *pkt, size_t len)
{
	struct lw_event *ev = calloc(1, sizeof(*ev));

	assert_non_null(ev);
	assert_true(len <= LW_EVENT_MAX_CAPTURE);
	ev->type = type;
	ev->dir = dir;
	ev->ifindex = 7;
	ev->mtu = mtu;
	ev->pkt_len = (uint32_t)len;
	ev->cap_len = (uint32_t)len;
	ev->l3_proto = l3;
	memcpy(ev->pkt, pkt, len);
	return ev;
}

/* IPv4 149.174.156.93:54192 → 178.79.150.233:80, TCP ACK, DF, id 0x1177. */
static size_t inet_tcp(uint8_t *buf, size_t cap, uint32_t src, size_t payload, uint8_t ttl)
{
	struct pkt p;
	int len;

	pkt_init(&p, buf, cap);
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = src, .dst = ip4(SHARED), .ttl = ttl,
					.id = 0x1177, .df = true });
	pkt_tcp(&p, &(struct pkt_tcp){ .sport = 54192, .dport = 80, .seq = 1, .ack = 2,
				       .flags = PKT_TCP_ACK, .window = 31 });
	pkt_data_pattern(&p, payload, 0x30);
	len = pkt_finish(&p);
	assert_true(len > 0);
	return (size_t)len;
}

/* The inner packet of a B4: 178.79.150.233:4660 → dst:80, TCP ACK, DF. */
static void b4_inner(struct pkt *p, uint32_t dst, size_t payload, uint8_t ttl)
{
	pkt_ipv4(p, &(struct pkt_ip4){ .src = ip4(SHARED), .dst = dst, .ttl = ttl,
				       .id = 0x1177, .df = true });
	pkt_tcp(p, &(struct pkt_tcp){ .sport = 4660, .dport = 80, .seq = 1, .ack = 2,
				      .flags = PKT_TCP_ACK, .window = 31 });
	pkt_data_pattern(p, payload, 0x40);
}

/* IPv6 B4 → BR (hop limit 255) carrying b4_inner(). */
static size_t b4_tcp(uint8_t *buf, size_t cap, const char *b4, size_t payload, uint8_t ttl)
{
	struct pkt p;
	int len;

	pkt_init(&p, buf, cap);
	pkt_ipv6(&p, &(struct pkt_ip6){ .src = ip6(b4), .dst = ip6(BR), .hop_limit = 255 });
	b4_inner(&p, ip4(INET), payload, ttl);
	len = pkt_finish(&p);
	assert_true(len > 0);
	return (size_t)len;
}

/* What the lwAFTR should send, built with pkt.h: IPv4 from 10.10.10.10,
 * TTL 255, ID 0, no DF, carrying ICMP type/code quoting orig within 576
 * octets; inside IPv6 BR → b4 when b4 is not NULL. */
static size_t expect_icmp4(uint8_t *buf, size_t cap, const char *b4, uint8_t hop_limit,
			   uint32_t dst, uint8_t type, uint8_t code, uint32_t mtu,
			   const uint8_t *orig, size_t olen)
{
	struct pkt p;
	int len;

	pkt_init(&p, buf, cap);
	if (b4)
		pkt_ipv6(&p, &(struct pkt_ip6){ .src = ip6(BR), .dst = ip6(b4),
						.hop_limit = hop_limit });
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(AFTR4), .dst = dst, .ttl = 255 });
	pkt_icmp4(&p, &(struct pkt_icmp){ .type = type, .code = code, .mtu = mtu });
	pkt_quote(&p, orig, olen, PKT_ICMP4_ERROR_MAX);
	len = pkt_finish(&p);
	assert_true(len > 0);
	return (size_t)len;
}

/* ICMPv6 1/5 from BR to b4, hop limit 255, quoting orig within 1280. */
static size_t expect_icmp6(uint8_t *buf, size_t cap, const char *b4, const uint8_t *orig,
			   size_t olen)
{
	struct pkt p;
	int len;

	pkt_init(&p, buf, cap);
	pkt_ipv6(&p, &(struct pkt_ip6){ .src = ip6(BR), .dst = ip6(b4), .hop_limit = 255 });
	pkt_icmp6(&p, &(struct pkt_icmp){ .type = 1, .code = 5 });
	pkt_quote(&p, orig, olen, PKT_ICMP6_ERROR_MAX);
	len = pkt_finish(&p);
	assert_true(len > 0);
	return (size_t)len;
}

/* The output packet's checksums by the independent reference, through a
 * dummy Ethernet header. */
static void verify_checksums(const struct lw_slowpath_pkt *pk)
{
	uint8_t frame[14 + LW_SLOWPATH_PKT_MAX];
	char why[256] = "";

	memset(frame, 0, 12);
	put_be16(frame + 12, pk->dest == LW_SLOWPATH_TO_B4 ? ETH_P_IPV6 : ETH_P_IP);
	memcpy(frame + 14, pk->data, pk->len);
	if (ref_verify_frame(frame, 14 + (size_t)pk->len, why, sizeof(why)))
		fail_msg("checksum: %s", why);
}

static void check_pkt(const struct lw_slowpath_pkt *pk, int dest, int kind, const uint8_t *exp,
		      size_t explen)
{
	assert_int_equal(pk->dest, dest);
	assert_int_equal(pk->kind, kind);
	assert_int_equal(pk->len, explen);
	assert_memory_equal(pk->data, exp, explen);
	verify_checksums(pk);
}

/* Runs one builder through lw_slowpath_handle and expects no packet. */
static void expect_none(const struct lw_slowpath_cfg *c, struct lw_event *ev,
			enum lw_slowpath_reason why)
{
	struct lw_slowpath_out out;

	memset(&out, 0xa5, sizeof(out));
	assert_int_equal(lw_slowpath_handle(c, ev, sizeof(*ev), &out), 0);
	assert_int_equal(out.n, 0);
	assert_string_equal(lw_slowpath_reason_name(out.reason), lw_slowpath_reason_name(why));
	free(ev);
}

/* ---- LW_EV_DECAP_NO_BINDING → ICMPv6 1/5 ------------------------------------------- */

/* plain-37: Snabb's own input and expected output, byte for byte. */
static void test_decap_no_binding_equals_snabb(void **state)
{
	struct stub s;
	struct lw_slowpath_cfg c = cfg_with(&s);
	struct lw_event *ev = event_new(LW_EV_DECAP_NO_BINDING, LW_DIR_FROM_B4, ETH_P_IPV6, 0,
					snabb_b4_unbound_in, sizeof(snabb_b4_unbound_in));
	struct lw_slowpath_out out;

	s.ret = -ESRCH; /* the table has no binding for it, as the data plane found */
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 1);
	assert_int_equal(out.reason, LW_SLOWPATH_SENT);
	check_pkt(&out.pkt[0], LW_SLOWPATH_TO_B4, LW_SLOWPATH_ICMPV6, snabb_b4_unbound_out,
		  sizeof(snabb_b4_unbound_out));
	assert_int_equal(s.calls, 1); /* asked once more (issue 12) */
	free(ev);
}

static void test_decap_no_binding_fields(void **state)
{
	uint8_t in[200], exp[300];
	size_t n = b4_tcp(in, sizeof(in), B4, 10, 64), m;
	struct stub s;
	struct lw_slowpath_cfg c = cfg_with(&s);
	struct lw_event *ev = event_new(LW_EV_DECAP_NO_BINDING, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n);
	struct lw_slowpath_out out;
	static const uint8_t br_bytes[16] = { 0, 8, 0, 9, 0, 0xa, 0, 0xb, 0, 0xc, 0, 0xd, 0, 0xe, 0, 0xf };
	static const uint8_t b4_bytes[16] = { 1, 0x27, 0, 0x11, 0, 0x12, 0, 0x13,
					      0, 0x14, 0, 0x15, 0, 0x16, 1, 0x28 };

	s.ret = -ESRCH;
	assert_int_equal(lw_slowpath_decap_no_binding(&c, ev, &out), 1);
	m = expect_icmp6(exp, sizeof(exp), B4, in, n);
	check_pkt(&out.pkt[0], LW_SLOWPATH_TO_B4, LW_SLOWPATH_ICMPV6, exp, m);
	/* literally: from the BR the packet went to, to the B4, type 1 code 5 */
	assert_memory_equal(out.pkt[0].data + 8, br_bytes, 16);
	assert_memory_equal(out.pkt[0].data + 24, b4_bytes, 16);
	assert_int_equal(out.pkt[0].data[6], 58);
	assert_int_equal(out.pkt[0].data[7], 255);
	assert_int_equal(out.pkt[0].data[40], 1);
	assert_int_equal(out.pkt[0].data[41], 5);
	assert_int_equal(out.pkt[0].len, 40 + 8 + n);
	free(ev);
}

/* RFC 4443 §2.4 (c): a 1500-byte offending packet gives a 1280-byte error. */
static void test_decap_no_binding_quote_limit(void **state)
{
	uint8_t in[1600], exp[1400];
	size_t n = b4_tcp(in, sizeof(in), B4, 1500 - 40 - 20 - 20, 64), m;
	struct stub s;
	struct lw_slowpath_cfg c = cfg_with(&s);
	struct lw_event *ev;
	struct lw_slowpath_out out;

	assert_int_equal(n, 1500);
	s.ret = -ESRCH;
	ev = event_new(LW_EV_DECAP_NO_BINDING, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n);
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 1);
	assert_int_equal(out.pkt[0].len, 1280);
	assert_int_equal(get_be16(out.pkt[0].data + 4), 1240); /* payload length */
	m = expect_icmp6(exp, sizeof(exp), B4, in, n);
	assert_int_equal(m, 1280);
	check_pkt(&out.pkt[0], LW_SLOWPATH_TO_B4, LW_SLOWPATH_ICMPV6, exp, m);
	free(ev);
}

static void test_decap_no_binding_suppressed(void **state)
{
	uint8_t in[300], q[100];
	struct stub s;
	struct lw_slowpath_cfg c = cfg_with(&s);
	struct pkt p;
	size_t n, qn;

	/* generate-icmpv6-errors off; ICMPv4 errors off changes nothing */
	n = b4_tcp(in, sizeof(in), B4, 0, 64);
	c.icmpv6_errors = false;
	expect_none(&c, event_new(LW_EV_DECAP_NO_BINDING, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n),
		    LW_SLOWPATH_DISABLED);
	c = cfg_with(&s);
	c.icmpv4_errors = false;
	s.ret = -ESRCH;
	{
		struct lw_slowpath_out out;
		struct lw_event *ev = event_new(LW_EV_DECAP_NO_BINDING, LW_DIR_FROM_B4, ETH_P_IPV6, 0,
						in, n);

		assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 1);
		free(ev);
	}
	c = cfg_with(&s);

	/* AFTR-ICMP-9: the B4 tunnelled an ICMPv4 error (port unreachable) */
	pkt_init(&p, q, sizeof(q));
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(INET), .dst = ip4(SHARED), .ttl = 50 });
	pkt_udp(&p, &(struct pkt_udp){ .sport = 53, .dport = 4660 });
	qn = (size_t)pkt_finish(&p);
	pkt_init(&p, in, sizeof(in));
	pkt_ipv6(&p, &(struct pkt_ip6){ .src = ip6(B4), .dst = ip6(BR), .hop_limit = 255 });
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(SHARED), .dst = ip4(INET), .ttl = 64 });
	pkt_icmp4(&p, &(struct pkt_icmp){ .type = 3, .code = 3 });
	pkt_quote(&p, q, qn, 0);
	n = (size_t)pkt_finish(&p);
	expect_none(&c, event_new(LW_EV_DECAP_NO_BINDING, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n),
		    LW_SLOWPATH_ERROR_ABOUT_ERROR);

	/* RFC 4443 §2.4 (e): never to a multicast or unspecified source */
	n = b4_tcp(in, sizeof(in), "ff02::1", 0, 64);
	expect_none(&c, event_new(LW_EV_DECAP_NO_BINDING, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n),
		    LW_SLOWPATH_BAD_ADDRESS);
	n = b4_tcp(in, sizeof(in), "::", 0, 64);
	expect_none(&c, event_new(LW_EV_DECAP_NO_BINDING, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n),
		    LW_SLOWPATH_BAD_ADDRESS);
	/* nor about a packet sent to a multicast address */
	pkt_init(&p, in, sizeof(in));
	pkt_ipv6(&p, &(struct pkt_ip6){ .src = ip6(B4), .dst = ip6("ff0e::1"), .hop_limit = 255 });
	b4_inner(&p, ip4(INET), 0, 64);
	n = (size_t)pkt_finish(&p);
	expect_none(&c, event_new(LW_EV_DECAP_NO_BINDING, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n),
		    LW_SLOWPATH_BAD_ADDRESS);

	/* an IPv4 record where IPv6 belongs */
	n = inet_tcp(in, sizeof(in), ip4(INET), 0, 64);
	expect_none(&c, event_new(LW_EV_DECAP_NO_BINDING, LW_DIR_FROM_B4, ETH_P_IP, 0, in, n),
		    LW_SLOWPATH_MALFORMED);
}

/* Issue 12: the event is read after the data plane raised it; when the
 * table gives the packet's (inner source, port) to its own B4 through the
 * BR it went to by then (a renewal or an import raced it), no 1/5: the
 * lwB4 would drop a set it holds. Anything short of that exact answer
 * sends it as before. */
static void test_decap_no_binding_rechecked(void **state)
{
	uint8_t in[300];
	size_t n = b4_tcp(in, sizeof(in), B4, 10, 64);
	struct stub s;
	struct lw_slowpath_cfg c = cfg_with(&s);
	struct lw_slowpath_out out;
	struct lw_event *ev = event_new(LW_EV_DECAP_NO_BINDING, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n);
	struct pkt p;

	/* bound now, to this B4 through this BR: nothing sent */
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 0);
	assert_int_equal(out.reason, LW_SLOWPATH_BOUND_NOW);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.asked_ip, ip4(SHARED)); /* the inner source and port */
	assert_int_equal(s.asked_port, 4660);
	/* bound to another B4: the packet's B4 has none */
	s.b4 = ip6(B4_OTHER);
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 1);
	/* the B4's, through another BR: the data plane drops it (wrong BR) */
	s.b4 = ip6(B4);
	s.br = ip6("8:9:a:b:c:d:e:1");
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 1);
	/* no binding, and no lookup at all */
	s.br = ip6(BR);
	s.ret = -ESRCH;
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 1);
	s.ret = 0;
	c.find_softwire = NULL;
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 1);
	c.find_softwire = stub_find;
	free(ev);

	/* an echo reply may have been looked up as port 0 (echo policy
	 * port0), which the event does not say: sent whatever the table */
	pkt_init(&p, in, sizeof(in));
	pkt_ipv6(&p, &(struct pkt_ip6){ .src = ip6(B4), .dst = ip6(BR), .hop_limit = 255 });
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(SHARED), .dst = ip4(INET), .ttl = 64 });
	pkt_icmp4(&p, &(struct pkt_icmp){ .type = 0, .id = 4660, .seq = 1 });
	n = (size_t)pkt_finish(&p);
	ev = event_new(LW_EV_DECAP_NO_BINDING, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n);
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 1);
	free(ev);
	(void)state;
}

/* ---- LW_EV_ENCAP_NO_BINDING → ICMPv4 3/1 ------------------------------------------ */

static void test_encap_no_binding_from_internet(void **state)
{
	uint8_t in[200], exp[300];
	size_t n = inet_tcp(in, sizeof(in), ip4(INET), 0, 57), m;
	struct stub s;
	struct lw_slowpath_cfg c = cfg_with(&s);
	struct lw_event *ev = event_new(LW_EV_ENCAP_NO_BINDING, LW_DIR_FROM_INTERNET, ETH_P_IP, 0,
					in, n);
	struct lw_slowpath_out out;
	const uint8_t *o;

	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 1);
	m = expect_icmp4(exp, sizeof(exp), NULL, 0, ip4(INET), 3, 1, 0, in, n);
	check_pkt(&out.pkt[0], LW_SLOWPATH_TO_INTERNET, LW_SLOWPATH_ICMPV4, exp, m);
	o = out.pkt[0].data;
	/* literally: 68 octets, ID 0, no DF, TTL 255, ICMP, 10.10.10.10 →
	 * 149.174.156.93, 3/1, the whole 40-byte packet quoted */
	assert_int_equal(n, 40);
	assert_int_equal(get_be16(o + 2), 68);
	assert_int_equal(get_be16(o + 4), 0);
	assert_int_equal(get_be16(o + 6), 0);
	assert_int_equal(o[8], 255);
	assert_int_equal(o[9], 1);
	assert_int_equal(get_be32(o + 12), 0x0a0a0a0a);
	assert_int_equal(get_be32(o + 16), 0x95ae9c5d);
	assert_int_equal(o[20], 3);
	assert_int_equal(o[21], 1);
	assert_memory_equal(o + 28, in, 40);
	assert_int_equal(s.calls, 0);
	free(ev);
}

/* RFC 1812 §4.3.2.3: a 1500-byte offending packet gives a 576-byte error. */
static void test_encap_no_binding_quote_limit(void **state)
{
	uint8_t in[1600], exp[700];
	size_t n = inet_tcp(in, sizeof(in), ip4(INET), 1460, 57), m;
	struct stub s;
	struct lw_slowpath_cfg c = cfg_with(&s);
	struct lw_event *ev;
	struct lw_slowpath_out out;

	assert_int_equal(n, 1500);
	ev = event_new(LW_EV_ENCAP_NO_BINDING, LW_DIR_FROM_INTERNET, ETH_P_IP, 0, in, n);
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 1);
	assert_int_equal(out.pkt[0].len, 576);
	assert_int_equal(get_be16(out.pkt[0].data + 2), 576);
	m = expect_icmp4(exp, sizeof(exp), NULL, 0, ip4(INET), 3, 1, 0, in, n);
	assert_int_equal(m, 576);
	check_pkt(&out.pkt[0], LW_SLOWPATH_TO_INTERNET, LW_SLOWPATH_ICMPV4, exp, m);
	free(ev);
}

/* A minimum-size frame's padding is no part of the packet to quote. */
static void test_quote_excludes_link_padding(void **state)
{
	uint8_t in[64] = { 0 }, exp[200];
	struct pkt p;
	size_t n, m;
	struct stub s;
	struct lw_slowpath_cfg c = cfg_with(&s);
	struct lw_event *ev;
	struct lw_slowpath_out out;

	pkt_init(&p, in, sizeof(in));
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(INET), .dst = ip4(SHARED), .ttl = 9 });
	pkt_udp(&p, &(struct pkt_udp){ .sport = 1000, .dport = 2000 });
	pkt_data(&p, "ab", 2);
	n = (size_t)pkt_finish(&p);
	assert_int_equal(n, 30);
	/* 46 bytes after the Ethernet header, as in a 60-byte frame */
	ev = event_new(LW_EV_ENCAP_NO_BINDING, LW_DIR_FROM_INTERNET, ETH_P_IP, 0, in, 46);
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 1);
	m = expect_icmp4(exp, sizeof(exp), NULL, 0, ip4(INET), 3, 1, 0, in, n);
	assert_int_equal(m, 20 + 8 + 30);
	check_pkt(&out.pkt[0], LW_SLOWPATH_TO_INTERNET, LW_SLOWPATH_ICMPV4, exp, m);
	free(ev);
}

/* Odd lengths: the last byte of a quote counts as the high half of a word
 * (RFC 1071), in the ICMPv4 and the ICMPv6 checksum alike. */
static void test_odd_length_quotes(void **state)
{
	uint8_t in[200], exp[300];
	struct pkt p;
	size_t n, m;
	struct stub s;
	struct lw_slowpath_cfg c = cfg_with(&s);
	struct lw_event *ev;
	struct lw_slowpath_out out;

	pkt_init(&p, in, sizeof(in));
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(INET), .dst = ip4(SHARED), .ttl = 1 });
	pkt_udp(&p, &(struct pkt_udp){ .sport = 1000, .dport = 2000 });
	pkt_data(&p, "\xff\xfe\xfd", 3);
	n = (size_t)pkt_finish(&p);
	assert_int_equal(n, 31);
	ev = event_new(LW_EV_TTL_EXPIRED, LW_DIR_FROM_INTERNET, ETH_P_IP, 0, in, n);
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 1);
	m = expect_icmp4(exp, sizeof(exp), NULL, 0, ip4(INET), 11, 0, 0, in, n);
	check_pkt(&out.pkt[0], LW_SLOWPATH_TO_INTERNET, LW_SLOWPATH_ICMPV4, exp, m);
	free(ev);

	pkt_init(&p, in, sizeof(in));
	pkt_ipv6(&p, &(struct pkt_ip6){ .src = ip6(B4), .dst = ip6(BR), .hop_limit = 255 });
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(SHARED), .dst = ip4(INET), .ttl = 64 });
	pkt_udp(&p, &(struct pkt_udp){ .sport = 4660, .dport = 53 });
	pkt_data(&p, "\xff\xfe\xfd", 3);
	n = (size_t)pkt_finish(&p);
	assert_int_equal(n, 71);
	s.ret = -ESRCH;
	ev = event_new(LW_EV_DECAP_NO_BINDING, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n);
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 1);
	m = expect_icmp6(exp, sizeof(exp), B4, in, n);
	check_pkt(&out.pkt[0], LW_SLOWPATH_TO_B4, LW_SLOWPATH_ICMPV6, exp, m);
	free(ev);
}

/* A hairpinned packet for an unbound port: the 3/1 goes back to the inner
 * source, through the tunnel it came from (BR → B4 of the outer header). */
static void test_encap_no_binding_from_b4(void **state)
{
	uint8_t in[300], exp[400];
	struct pkt p;
	size_t n, m;
	struct stub s;
	struct lw_slowpath_cfg c = cfg_with(&s);
	struct lw_event *ev;
	struct lw_slowpath_out out;

	pkt_init(&p, in, sizeof(in));
	pkt_ipv6(&p, &(struct pkt_ip6){ .src = ip6(B4), .dst = ip6(BR), .hop_limit = 255 });
	b4_inner(&p, ip4(SHARED2), 20, 64);
	n = (size_t)pkt_finish(&p);
	ev = event_new(LW_EV_ENCAP_NO_BINDING, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n);
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 1);
	m = expect_icmp4(exp, sizeof(exp), B4, 64, ip4(SHARED), 3, 1, 0, in + 40, n - 40);
	check_pkt(&out.pkt[0], LW_SLOWPATH_TO_B4, LW_SLOWPATH_ICMPV4, exp, m);
	assert_int_equal(out.pkt[0].data[6], 4);   /* IPv4-in-IPv6 */
	assert_int_equal(s.calls, 0);              /* the event names the B4 */
	free(ev);
}

static void test_encap_no_binding_suppressed(void **state)
{
	uint8_t in[300], q[100];
	struct pkt p;
	size_t n, qn;
	struct stub s;
	struct lw_slowpath_cfg c = cfg_with(&s);

	/* AFTR-ICMP-9: an ICMP error (already dropped by the data plane, but
	 * the slow path does not rely on that) */
	pkt_init(&p, q, sizeof(q));
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(SHARED), .dst = ip4(INET), .ttl = 50 });
	pkt_udp(&p, &(struct pkt_udp){ .sport = 4660, .dport = 53 });
	qn = (size_t)pkt_finish(&p);
	pkt_init(&p, in, sizeof(in));
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(INET), .dst = ip4(SHARED), .ttl = 64 });
	pkt_icmp4(&p, &(struct pkt_icmp){ .type = 11, .code = 0 });
	pkt_quote(&p, q, qn, 0);
	n = (size_t)pkt_finish(&p);
	expect_none(&c, event_new(LW_EV_ENCAP_NO_BINDING, LW_DIR_FROM_INTERNET, ETH_P_IP, 0, in, n),
		    LW_SLOWPATH_ERROR_ABOUT_ERROR);

	/* RFC 7596 §8.1: an echo request without a binding is discarded */
	pkt_init(&p, in, sizeof(in));
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(INET), .dst = ip4(SHARED), .ttl = 64 });
	pkt_icmp4(&p, &(struct pkt_icmp){ .type = 8, .id = 7850, .seq = 1 });
	n = (size_t)pkt_finish(&p);
	expect_none(&c, event_new(LW_EV_ENCAP_NO_BINDING, LW_DIR_FROM_INTERNET, ETH_P_IP, 0, in, n),
		    LW_SLOWPATH_ICMP_UNBOUND);

	/* generate-icmpv4-errors off; no IPv4 address to send from */
	n = inet_tcp(in, sizeof(in), ip4(INET), 0, 64);
	c.icmpv4_errors = false;
	expect_none(&c, event_new(LW_EV_ENCAP_NO_BINDING, LW_DIR_FROM_INTERNET, ETH_P_IP, 0, in, n),
		    LW_SLOWPATH_DISABLED);
	c = cfg_with(&s);
	c.ipv4_addr = 0;
	expect_none(&c, event_new(LW_EV_ENCAP_NO_BINDING, LW_DIR_FROM_INTERNET, ETH_P_IP, 0, in, n),
		    LW_SLOWPATH_NO_SOURCE);
}

/* RFC 1812 §4.3.2.7: not about a later fragment, nor to a source that is
 * not one host, nor about a packet to a broadcast or multicast address. */
static void test_icmp4_rules_fragments_and_addresses(void **state)
{
	static const char *const bad_src[] = { "0.0.0.0", "127.0.0.1", "224.0.0.5",
					       "255.255.255.255", "240.1.2.3" };
	uint8_t in[300];
	struct pkt p;
	size_t n;
	struct stub s;
	struct lw_slowpath_cfg c = cfg_with(&s);
	struct lw_slowpath_out out;
	struct lw_event *ev;

	pkt_init(&p, in, sizeof(in));
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(INET), .dst = ip4(SHARED), .ttl = 1,
					.frag_offset = 10, .proto = 6 });
	pkt_data_pattern(&p, 40, 0);
	n = (size_t)pkt_finish(&p);
	expect_none(&c, event_new(LW_EV_TTL_EXPIRED, LW_DIR_FROM_INTERNET, ETH_P_IP, 0, in, n),
		    LW_SLOWPATH_NOT_FIRST_FRAGMENT);

	/* a first fragment is answered */
	pkt_init(&p, in, sizeof(in));
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(INET), .dst = ip4(SHARED), .ttl = 1, .mf = true });
	pkt_udp(&p, &(struct pkt_udp){ .sport = 1, .dport = 2 });
	pkt_data_pattern(&p, 40, 0);
	n = (size_t)pkt_finish(&p);
	ev = event_new(LW_EV_TTL_EXPIRED, LW_DIR_FROM_INTERNET, ETH_P_IP, 0, in, n);
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 1);
	free(ev);

	for (size_t i = 0; i < sizeof(bad_src) / sizeof(bad_src[0]); i++) {
		n = inet_tcp(in, sizeof(in), ip4(bad_src[i]), 0, 64);
		expect_none(&c, event_new(LW_EV_ENCAP_NO_BINDING, LW_DIR_FROM_INTERNET, ETH_P_IP, 0,
					  in, n), LW_SLOWPATH_BAD_ADDRESS);
	}
	pkt_init(&p, in, sizeof(in));
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(INET), .dst = ip4("239.1.1.1"), .ttl = 1 });
	pkt_udp(&p, &(struct pkt_udp){ .sport = 1, .dport = 2 });
	n = (size_t)pkt_finish(&p);
	expect_none(&c, event_new(LW_EV_TTL_EXPIRED, LW_DIR_FROM_INTERNET, ETH_P_IP, 0, in, n),
		    LW_SLOWPATH_BAD_ADDRESS);
}

/* ---- LW_EV_TTL_EXPIRED → ICMPv4 11/0 ----------------------------------------------- */

static void test_ttl_expired_from_internet(void **state)
{
	uint8_t in[200], exp[300];
	size_t n = inet_tcp(in, sizeof(in), ip4(INET), 0, 1), m;
	struct stub s;
	struct lw_slowpath_cfg c = cfg_with(&s);
	struct lw_event *ev = event_new(LW_EV_TTL_EXPIRED, LW_DIR_FROM_INTERNET, ETH_P_IP, 0, in, n);
	struct lw_slowpath_out out;

	assert_int_equal(lw_slowpath_ttl_expired(&c, ev, &out), 1);
	m = expect_icmp4(exp, sizeof(exp), NULL, 0, ip4(INET), 11, 0, 0, in, n);
	check_pkt(&out.pkt[0], LW_SLOWPATH_TO_INTERNET, LW_SLOWPATH_ICMPV4, exp, m);
	assert_int_equal(out.pkt[0].data[20], 11);
	assert_int_equal(out.pkt[0].data[21], 0);
	/* the quote is the packet as it arrived: TTL 1 */
	assert_int_equal(out.pkt[0].data[28 + 8], 1);
	free(ev);
}

/* From a B4 (design decision 7): back through the tunnel; hop limit 0 in the
 * configuration means 64. */
static void test_ttl_expired_from_b4(void **state)
{
	uint8_t in[200], exp[300];
	size_t n = b4_tcp(in, sizeof(in), B4, 0, 1), m;
	struct stub s;
	struct lw_slowpath_cfg c = cfg_with(&s);
	struct lw_event *ev = event_new(LW_EV_TTL_EXPIRED, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n);
	struct lw_slowpath_out out;

	c.hop_limit = 0;
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 1);
	m = expect_icmp4(exp, sizeof(exp), B4, 64, ip4(SHARED), 11, 0, 0, in + 40, n - 40);
	check_pkt(&out.pkt[0], LW_SLOWPATH_TO_B4, LW_SLOWPATH_ICMPV4, exp, m);
	assert_int_equal(out.pkt[0].data[7], 64);
	free(ev);
}

/* Echo requests are answered with 11/0 (traceroute by ping); the RFC 7596
 * §8.1 silence is for missing bindings only. */
static void test_ttl_expired_answers_echo(void **state)
{
	uint8_t in[200], exp[300];
	struct pkt p;
	size_t n, m;
	struct stub s;
	struct lw_slowpath_cfg c = cfg_with(&s);
	struct lw_event *ev;
	struct lw_slowpath_out out;

	pkt_init(&p, in, sizeof(in));
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(INET), .dst = ip4(SHARED), .ttl = 1 });
	pkt_icmp4(&p, &(struct pkt_icmp){ .type = 8, .id = 7850, .seq = 1 });
	n = (size_t)pkt_finish(&p);
	ev = event_new(LW_EV_TTL_EXPIRED, LW_DIR_FROM_INTERNET, ETH_P_IP, 0, in, n);
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 1);
	m = expect_icmp4(exp, sizeof(exp), NULL, 0, ip4(INET), 11, 0, 0, in, n);
	check_pkt(&out.pkt[0], LW_SLOWPATH_TO_INTERNET, LW_SLOWPATH_ICMPV4, exp, m);
	free(ev);
}

/* ---- LW_EV_TOO_BIG_DF → ICMPv4 3/4 ------------------------------------------------- */

static void test_too_big_from_internet(void **state)
{
	uint8_t in[1600], exp[700];
	size_t n = inet_tcp(in, sizeof(in), ip4(INET), 1460, 64), m;
	struct stub s;
	struct lw_slowpath_cfg c = cfg_with(&s);
	struct lw_event *ev = event_new(LW_EV_TOO_BIG_DF, LW_DIR_FROM_INTERNET, ETH_P_IP, 1240, in, n);
	struct lw_slowpath_out out;

	assert_int_equal(lw_slowpath_too_big(&c, ev, &out), 1);
	m = expect_icmp4(exp, sizeof(exp), NULL, 0, ip4(INET), 3, 4, 1240, in, n);
	check_pkt(&out.pkt[0], LW_SLOWPATH_TO_INTERNET, LW_SLOWPATH_ICMPV4, exp, m);
	/* RFC 1191: unused 16 bits, then the next-hop MTU */
	assert_int_equal(get_be16(out.pkt[0].data + 24), 0);
	assert_int_equal(get_be16(out.pkt[0].data + 26), 1240);
	assert_int_equal(out.pkt[0].len, 576);
	free(ev);

	/* an MTU below the IPv4 minimum is reported as 68 */
	ev = event_new(LW_EV_TOO_BIG_DF, LW_DIR_FROM_INTERNET, ETH_P_IP, 0, in, n);
	assert_int_equal(lw_slowpath_too_big(&c, ev, &out), 1);
	assert_int_equal(get_be16(out.pkt[0].data + 26), 68);
	verify_checksums(&out.pkt[0]);
	free(ev);
}

/* Decapsulated but too big for the IPv4 side (event with the outer header). */
static void test_too_big_from_b4_decap(void **state)
{
	uint8_t in[1600], exp[700];
	size_t n = b4_tcp(in, sizeof(in), B4, 1000, 64), m;
	struct stub s;
	struct lw_slowpath_cfg c = cfg_with(&s);
	struct lw_event *ev = event_new(LW_EV_TOO_BIG_DF, LW_DIR_FROM_B4, ETH_P_IPV6, 1000, in, n);
	struct lw_slowpath_out out;

	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 1);
	m = expect_icmp4(exp, sizeof(exp), B4, 64, ip4(SHARED), 3, 4, 1000, in + 40, n - 40);
	assert_int_equal(m, 40 + 576);
	check_pkt(&out.pkt[0], LW_SLOWPATH_TO_B4, LW_SLOWPATH_ICMPV4, exp, m);
	assert_int_equal(s.calls, 0);
	free(ev);
}

/* Hairpinned and too big for the IPv6 side: the event has only the inner
 * IPv4 packet, so the B4 comes from the binding table, looked up with the
 * source address and port the data plane validated. */
static void test_too_big_hairpin_looks_up_b4(void **state)
{
	uint8_t in[1600], exp[700];
	struct pkt p;
	size_t n, m;
	struct stub s;
	struct lw_slowpath_cfg c = cfg_with(&s);
	struct lw_event *ev;
	struct lw_slowpath_out out;

	pkt_init(&p, in, sizeof(in));
	b4_inner(&p, ip4(SHARED2), 1400, 63);
	n = (size_t)pkt_finish(&p);
	s.b4 = ip6(B4_OTHER); /* whatever the table says */
	ev = event_new(LW_EV_TOO_BIG_DF, LW_DIR_FROM_B4, ETH_P_IP, 1240, in, n);
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 1);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.asked_ip, ip4(SHARED));
	assert_int_equal(s.asked_port, 4660);
	m = expect_icmp4(exp, sizeof(exp), B4_OTHER, 64, ip4(SHARED), 3, 4, 1240, in, n);
	check_pkt(&out.pkt[0], LW_SLOWPATH_TO_B4, LW_SLOWPATH_ICMPV4, exp, m);

	/* no softwire (any error), or no lookup configured: nothing */
	s.ret = -ESRCH;
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 0);
	assert_int_equal(out.reason, LW_SLOWPATH_NO_SOFTWIRE);
	s.ret = -ENOENT;
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 0);
	assert_int_equal(out.reason, LW_SLOWPATH_NO_SOFTWIRE);
	c.find_softwire = NULL;
	expect_none(&c, ev, LW_SLOWPATH_NO_SOFTWIRE);
}

/* ---- LW_EV_ICMPV6_ERROR → ICMPv4 --------------------------------------------------- */

/* An ICMPv6 error from a router in the IPv6 network to the BR, quoting a
 * tunnel packet quoted_src → quoted_dst whose inner packet is
 * inner[0..ilen). */
static size_t icmp6_error_to(uint8_t *buf, size_t cap, uint8_t type, uint8_t code, uint32_t word,
			     const char *quoted_src, const char *quoted_dst, uint8_t quoted_nh,
			     const uint8_t *inner, size_t ilen)
{
	uint8_t tun[1600];
	struct pkt p;
	int tn, len;

	pkt_init(&p, tun, sizeof(tun));
	pkt_ipv6(&p, &(struct pkt_ip6){ .src = ip6(quoted_src), .dst = ip6(quoted_dst),
					.hop_limit = 255, .next_header = quoted_nh });
	pkt_data(&p, inner, ilen);
	tn = pkt_finish(&p);
	assert_true(tn > 0);
	pkt_init(&p, buf, cap);
	pkt_ipv6(&p, &(struct pkt_ip6){ .src = ip6(ROUTER6), .dst = ip6(BR), .hop_limit = 64 });
	pkt_icmp6(&p, &(struct pkt_icmp){ .type = type, .code = code, .mtu = word,
					  .pointer = word });
	pkt_quote(&p, tun, (size_t)tn, PKT_ICMP6_ERROR_MAX);
	len = pkt_finish(&p);
	assert_true(len > 0);
	return (size_t)len;
}

/* The same, quoting a tunnel packet to B4_OTHER, whose softwire the tests
 * give SHARED (and SHARED2) through the BR (stub_own). */
static size_t icmp6_error(uint8_t *buf, size_t cap, uint8_t type, uint8_t code, uint32_t word,
			  const char *quoted_src, uint8_t quoted_nh, const uint8_t *inner,
			  size_t ilen)
{
	return icmp6_error_to(buf, cap, type, code, word, quoted_src, B4_OTHER, quoted_nh, inner,
			      ilen);
}

/* plain-65: Snabb's input and expected output, byte for byte. */
static void test_relay_equals_snabb(void **state)
{
	struct stub s;
	struct lw_slowpath_cfg c = cfg_with(&s);
	struct lw_event *ev = event_new(LW_EV_ICMPV6_ERROR, LW_DIR_FROM_B4, ETH_P_IPV6, 0,
					snabb_relay13_in, sizeof(snabb_relay13_in));
	struct lw_slowpath_out out;

	s.ret = -ENOENT; /* 149.174.156.93 is on the internet */
	stub_own(&s, SHARED, 0, "127:2:3:4:5:6:7:128", BR); /* Snabb's binding table */
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 1);
	check_pkt(&out.pkt[0], LW_SLOWPATH_TO_INTERNET, LW_SLOWPATH_ICMPV4, snabb_relay13_out,
		  sizeof(snabb_relay13_out));
	/* the quote's owner by its destination, then its sender */
	assert_int_equal(s.calls, 2);
	assert_int_equal(s.ip_at[0], ip4(SHARED));
	assert_int_equal(s.port_at[0], 80);
	assert_int_equal(s.asked_ip, ip4(INET));
	assert_int_equal(s.asked_port, 54192);
	free(ev);
}

static void test_relay_type_mapping(void **state)
{
	static const struct {
		uint8_t type, code;
		uint32_t word;
		uint8_t t4, c4;
		uint32_t mtu4;
	} map[] = {
		{ 1, 0, 0, 3, 1, 0 },       /* no route */
		{ 1, 3, 0, 3, 1, 0 },       /* address unreachable */
		{ 3, 0, 0, 3, 1, 0 },       /* hop limit exceeded */
		{ 4, 0, 6, 3, 1, 0 },       /* parameter problem, pointer 6 */
		{ 4, 3, 0, 3, 1, 0 },
		{ 2, 0, 1300, 3, 4, 1260 }, /* packet too big: MTU − 40 */
		{ 2, 0, 777, 3, 4, 737 },   /* (plain-66) */
		{ 2, 0, 100, 3, 4, 68 },    /* never below the IPv4 minimum */
	};
	uint8_t inner[100], in[400], exp[400];
	struct pkt p;
	size_t in_n, n, m;
	struct stub s;
	struct lw_slowpath_cfg c = cfg_with(&s);
	struct lw_slowpath_out out;

	pkt_init(&p, inner, sizeof(inner));
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(INET), .dst = ip4(SHARED), .ttl = 56,
					.id = 0x1177, .df = true });
	pkt_tcp(&p, &(struct pkt_tcp){ .sport = 54192, .dport = 80, .flags = PKT_TCP_ACK });
	in_n = (size_t)pkt_finish(&p);
	s.ret = -ENOENT;
	stub_own(&s, SHARED, 0, B4_OTHER, BR);
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		struct lw_event *ev;

		n = icmp6_error(in, sizeof(in), map[i].type, map[i].code, map[i].word, BR, 4, inner,
				in_n);
		ev = event_new(LW_EV_ICMPV6_ERROR, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n);
		assert_int_equal(lw_slowpath_icmpv6_error(&c, ev, &out), 1);
		m = expect_icmp4(exp, sizeof(exp), NULL, 0, ip4(INET), map[i].t4, map[i].c4,
				 map[i].mtu4, inner, in_n);
		check_pkt(&out.pkt[0], LW_SLOWPATH_TO_INTERNET, LW_SLOWPATH_ICMPV4, exp, m);
		free(ev);
	}
}

static void test_relay_suppressed(void **state)
{
	uint8_t inner[200], q[100], in[500];
	struct pkt p;
	size_t in_n, qn, n;
	struct stub s;
	struct lw_slowpath_cfg c = cfg_with(&s);

	pkt_init(&p, inner, sizeof(inner));
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(INET), .dst = ip4(SHARED), .ttl = 56 });
	pkt_udp(&p, &(struct pkt_udp){ .sport = 53, .dport = 4660 });
	in_n = (size_t)pkt_finish(&p);
	s.ret = -ENOENT;
	stub_own(&s, SHARED, 0, B4_OTHER, BR);

	/* reassembly time exceeded (plain-68), informational messages */
	n = icmp6_error(in, sizeof(in), 3, 1, 0, BR, 4, inner, in_n);
	expect_none(&c, event_new(LW_EV_ICMPV6_ERROR, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n),
		    LW_SLOWPATH_NOT_RELAYED);
	n = icmp6_error(in, sizeof(in), 128, 0, 0, BR, 4, inner, in_n);
	expect_none(&c, event_new(LW_EV_ICMPV6_ERROR, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n),
		    LW_SLOWPATH_NOT_RELAYED);
	n = icmp6_error(in, sizeof(in), 5, 0, 0, BR, 4, inner, in_n);
	expect_none(&c, event_new(LW_EV_ICMPV6_ERROR, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n),
		    LW_SLOWPATH_NOT_RELAYED);

	/* not our tunnel packet: another source, or not IPv4 inside */
	n = icmp6_error(in, sizeof(in), 1, 3, 0, "8:9:a:b:c:d:e:1", 4, inner, in_n);
	expect_none(&c, event_new(LW_EV_ICMPV6_ERROR, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n),
		    LW_SLOWPATH_NOT_OUR_PACKET);
	n = icmp6_error(in, sizeof(in), 1, 3, 0, BR, 17, inner, in_n);
	expect_none(&c, event_new(LW_EV_ICMPV6_ERROR, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n),
		    LW_SLOWPATH_NOT_OUR_PACKET);

	/* AFTR-ICMP-9: the tunnel packet carried an ICMPv4 error already */
	memcpy(q, inner, in_n);
	qn = in_n;
	pkt_init(&p, inner, sizeof(inner));
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(INET), .dst = ip4(SHARED), .ttl = 56 });
	pkt_icmp4(&p, &(struct pkt_icmp){ .type = 3, .code = 3 });
	pkt_quote(&p, q, qn, 0);
	in_n = (size_t)pkt_finish(&p);
	n = icmp6_error(in, sizeof(in), 2, 0, 1300, BR, 4, inner, in_n);
	expect_none(&c, event_new(LW_EV_ICMPV6_ERROR, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n),
		    LW_SLOWPATH_ERROR_ABOUT_ERROR);

	/* generate-icmpv4-errors off */
	n = icmp6_error(in, sizeof(in), 1, 3, 0, BR, 4, q, qn);
	c.icmpv4_errors = false;
	expect_none(&c, event_new(LW_EV_ICMPV6_ERROR, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n),
		    LW_SLOWPATH_DISABLED);
	/* the original sender is ours but has no softwire now */
	c = cfg_with(&s);
	s.ret = -ESRCH;
	stub_own(&s, SHARED, 0, B4_OTHER, BR);
	expect_none(&c, event_new(LW_EV_ICMPV6_ERROR, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n),
		    LW_SLOWPATH_NO_SOFTWIRE);
}

/* plain-70: the tunnel packet was hairpinned, so the original IPv4 sender is
 * one of our B4s, reached through its tunnel. Without a lookup configured
 * nothing shows the quote to be ours: no error. */
static void test_relay_to_hairpinned_sender(void **state)
{
	uint8_t inner[200], in[500], exp[500];
	struct pkt p;
	size_t in_n, n, m;
	struct stub s;
	struct lw_slowpath_cfg c = cfg_with(&s);
	struct lw_event *ev;
	struct lw_slowpath_out out;

	pkt_init(&p, inner, sizeof(inner));
	b4_inner(&p, ip4(SHARED2), 0, 55);
	in_n = (size_t)pkt_finish(&p);
	n = icmp6_error(in, sizeof(in), 3, 0, 0, BR, 4, inner, in_n);
	ev = event_new(LW_EV_ICMPV6_ERROR, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n);
	stub_own(&s, SHARED2, 0, B4_OTHER, BR);
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 1);
	assert_int_equal(s.ip_at[0], ip4(SHARED2));
	assert_int_equal(s.port_at[0], 80);
	assert_int_equal(s.asked_ip, ip4(SHARED));
	assert_int_equal(s.asked_port, 4660);
	m = expect_icmp4(exp, sizeof(exp), B4, 64, ip4(SHARED), 3, 1, 0, inner, in_n);
	check_pkt(&out.pkt[0], LW_SLOWPATH_TO_B4, LW_SLOWPATH_ICMPV4, exp, m);

	c.find_softwire = NULL;
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 0);
	assert_int_equal(out.reason, LW_SLOWPATH_NOT_OUR_PACKET);
	free(ev);
}

/* AFTR-ICMP-6 (issue 10): an error is about a tunnel packet of ours only
 * when the quoted packet went from the BR the error was sent to, to the B4
 * of the softwire owning the quoted inner destination address and port,
 * through that same BR. Anything else on the access side could otherwise
 * make the lwAFTR send 3/1, or 3/4 with an MTU of its choosing, to any IPv4
 * host. */
static void test_relay_requires_our_packet(void **state)
{
	uint8_t inner[200], in[500];
	struct pkt p;
	size_t in_n, n;
	struct stub s;
	struct lw_slowpath_cfg c = cfg_with(&s);
	struct lw_slowpath_out out;
	struct lw_event *ev;

	pkt_init(&p, inner, sizeof(inner));
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(INET), .dst = ip4(SHARED), .ttl = 56 });
	pkt_udp(&p, &(struct pkt_udp){ .sport = 53, .dport = 4660 });
	in_n = (size_t)pkt_finish(&p);
	s.ret = -ENOENT; /* INET is on the internet */

	/* the owner of SHARED:4660 is B4_OTHER through BR: relayed */
	stub_own(&s, SHARED, 0, B4_OTHER, BR);
	n = icmp6_error(in, sizeof(in), 2, 0, 900, BR, 4, inner, in_n);
	ev = event_new(LW_EV_ICMPV6_ERROR, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n);
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 1);
	assert_int_equal(s.ip_at[0], ip4(SHARED));
	assert_int_equal(s.port_at[0], 4660);
	free(ev);

	/* quoted to another B4 than the owner */
	n = icmp6_error_to(in, sizeof(in), 2, 0, 900, BR, B4, 4, inner, in_n);
	expect_none(&c, event_new(LW_EV_ICMPV6_ERROR, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n),
		    LW_SLOWPATH_NOT_OUR_PACKET);
	/* the owner's softwire goes through another BR */
	c = cfg_with(&s);
	s.ret = -ENOENT;
	stub_own(&s, SHARED, 0, B4_OTHER, "8:9:a:b:c:d:e:1");
	n = icmp6_error(in, sizeof(in), 2, 0, 900, BR, 4, inner, in_n);
	expect_none(&c, event_new(LW_EV_ICMPV6_ERROR, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n),
		    LW_SLOWPATH_NOT_OUR_PACKET);
	/* nobody owns the port, or the address is not ours at all */
	c = cfg_with(&s);
	s.ret = -ENOENT;
	stub_own(&s, SHARED, -ESRCH, B4_OTHER, BR);
	expect_none(&c, event_new(LW_EV_ICMPV6_ERROR, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n),
		    LW_SLOWPATH_NOT_OUR_PACKET);
	c = cfg_with(&s);
	s.ret = -ENOENT;
	expect_none(&c, event_new(LW_EV_ICMPV6_ERROR, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n),
		    LW_SLOWPATH_NOT_OUR_PACKET);

	/* an echo request to a B4 is owned by its Identifier */
	pkt_init(&p, inner, sizeof(inner));
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(INET), .dst = ip4(SHARED), .ttl = 56 });
	pkt_icmp4(&p, &(struct pkt_icmp){ .type = 8, .id = 7850, .seq = 1 });
	in_n = (size_t)pkt_finish(&p);
	c = cfg_with(&s);
	s.ret = -ENOENT;
	stub_own(&s, SHARED, 0, B4_OTHER, BR);
	n = icmp6_error(in, sizeof(in), 1, 3, 0, BR, 4, inner, in_n);
	ev = event_new(LW_EV_ICMPV6_ERROR, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n);
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 1);
	assert_int_equal(s.ip_at[0], ip4(SHARED));
	assert_int_equal(s.port_at[0], 7850);
	free(ev);
}

/* RFC 4443 §2.3 (issue 10): the ICMPv6 checksum is verified before anything
 * is relayed, over the whole message: an event whose capture is shorter
 * than the packet, a packet shorter than its payload length, or a fragment
 * cannot be verified and is refused. Link-layer padding after the packet
 * is not part of it. */
static void test_relay_verifies_checksum(void **state)
{
	uint8_t inner[200], in[600], frag[700];
	struct pkt p;
	size_t in_n, n;
	struct stub s;
	struct lw_slowpath_cfg c = cfg_with(&s);
	struct lw_slowpath_out out;
	struct lw_event *ev;

	pkt_init(&p, inner, sizeof(inner));
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(INET), .dst = ip4(SHARED), .ttl = 56 });
	pkt_udp(&p, &(struct pkt_udp){ .sport = 53, .dport = 4660 });
	pkt_data_pattern(&p, 64, 0x11);
	in_n = (size_t)pkt_finish(&p);
	s.ret = -ENOENT;
	stub_own(&s, SHARED, 0, B4_OTHER, BR);
	n = icmp6_error(in, sizeof(in), 2, 0, 900, BR, 4, inner, in_n);

	/* the checksum, or a byte it covers, changed */
	in[42] ^= 0x01;
	expect_none(&c, event_new(LW_EV_ICMPV6_ERROR, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n),
		    LW_SLOWPATH_BAD_CHECKSUM);
	in[42] ^= 0x01;
	in[45] ^= 0x40; /* the MTU: 900 -> 16484 */
	expect_none(&c, event_new(LW_EV_ICMPV6_ERROR, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n),
		    LW_SLOWPATH_BAD_CHECKSUM);
	in[45] ^= 0x40;
	in[n - 1] ^= 0xff; /* the last byte of the quote */
	expect_none(&c, event_new(LW_EV_ICMPV6_ERROR, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n),
		    LW_SLOWPATH_BAD_CHECKSUM);
	in[n - 1] ^= 0xff;
	/* the pseudo-header: the error claims another destination */
	memcpy(in + 24, ip6("8:9:a:b:c:d:e:1").s6_addr, 16);
	expect_none(&c, event_new(LW_EV_ICMPV6_ERROR, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n),
		    LW_SLOWPATH_BAD_CHECKSUM);
	memcpy(in + 24, ip6(BR).s6_addr, 16);

	/* intact, and with Ethernet padding after it: relayed */
	ev = event_new(LW_EV_ICMPV6_ERROR, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n);
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 1);
	free(ev);
	memset(in + n, 0, 6);
	ev = event_new(LW_EV_ICMPV6_ERROR, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n + 6);
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 1);
	free(ev);

	/* the data plane captured less than the packet */
	ev = event_new(LW_EV_ICMPV6_ERROR, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n);
	ev->cap_len = (uint32_t)n - 100;
	expect_none(&c, ev, LW_SLOWPATH_MALFORMED);
	/* the packet is shorter than its payload length */
	ev = event_new(LW_EV_ICMPV6_ERROR, LW_DIR_FROM_B4, ETH_P_IPV6, 0, in, n - 4);
	expect_none(&c, ev, LW_SLOWPATH_MALFORMED);

	/* a first fragment: its checksum covers the message it is part of */
	pkt_init(&p, frag, sizeof(frag));
	pkt_ipv6(&p, &(struct pkt_ip6){ .src = ip6(ROUTER6), .dst = ip6(BR), .hop_limit = 64 });
	pkt_ipv6_frag(&p, &(struct pkt_ip6_frag){ .more = true, .id = 7, .next_header = 58 });
	pkt_data(&p, in + 40, n - 40);
	n = (size_t)pkt_finish(&p);
	expect_none(&c, event_new(LW_EV_ICMPV6_ERROR, LW_DIR_FROM_B4, ETH_P_IPV6, 0, frag, n),
		    LW_SLOWPATH_MALFORMED);
}

/* ---- lw_slowpath_handle ------------------------------------------------------------- */

static void test_handle_checks_record(void **state)
{
	uint8_t in[200];
	size_t n = inet_tcp(in, sizeof(in), ip4(INET), 0, 64);
	struct stub s;
	struct lw_slowpath_cfg c = cfg_with(&s);
	struct lw_event *ev = event_new(LW_EV_FRAG_NEEDED, LW_DIR_FROM_INTERNET, ETH_P_IP, 1280,
					in, n);
	struct lw_slowpath_out out;

	/* fragmentation is not this library's */
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), LW_SLOWPATH_NOT_HANDLED);
	assert_int_equal(LW_SLOWPATH_NOT_HANDLED, -EOPNOTSUPP);
	assert_int_equal(out.n, 0);
	ev->type = 99;
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), -EINVAL);
	ev->type = LW_EV_ENCAP_NO_BINDING;
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev) - 1, &out), -EINVAL);
	ev->cap_len = LW_EVENT_MAX_CAPTURE + 1;
	ev->pkt_len = LW_EVENT_MAX_CAPTURE + 1;
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), -EINVAL);
	ev->cap_len = (uint32_t)n;
	ev->pkt_len = (uint32_t)n - 1;
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), -EINVAL);
	ev->pkt_len = (uint32_t)n;
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 1);

	/* a capture cut inside the IPv4 header */
	ev->cap_len = 19;
	assert_int_equal(lw_slowpath_handle(&c, ev, sizeof(*ev), &out), 0);
	assert_int_equal(out.reason, LW_SLOWPATH_MALFORMED);
	free(ev);
}

static void test_reason_names(void **state)
{
	assert_string_equal(lw_slowpath_reason_name(LW_SLOWPATH_SENT), "sent");
	assert_string_equal(lw_slowpath_reason_name(LW_SLOWPATH_ERROR_ABOUT_ERROR),
			    "error-about-error");
	assert_string_equal(lw_slowpath_reason_name(LW_SLOWPATH_ICMP_UNBOUND),
			    "icmp-without-binding");
	assert_string_equal(lw_slowpath_reason_name(LW_SLOWPATH_REASON_MAX), "?");
	for (int r = 0; r < LW_SLOWPATH_REASON_MAX; r++)
		assert_string_not_equal(lw_slowpath_reason_name((enum lw_slowpath_reason)r), "?");
}

/* ---- rate limiter ------------------------------------------------------------------ */

#define S 1000000000ull

static void test_ratelimit_bucket(void **state)
{
	struct lw_slowpath_ratelimit rl;
	uint64_t t0 = 5 * S;

	/* ICMPv4 2/s burst 3; ICMPv6 1/s burst 1 */
	lw_slowpath_ratelimit_init(&rl, 2, 3, 1, 1, t0);
	assert_true(lw_slowpath_ratelimit_allow(&rl, LW_SLOWPATH_ICMPV4, t0));
	assert_true(lw_slowpath_ratelimit_allow(&rl, LW_SLOWPATH_ICMPV4, t0));
	assert_true(lw_slowpath_ratelimit_allow(&rl, LW_SLOWPATH_ICMPV4, t0));
	assert_false(lw_slowpath_ratelimit_allow(&rl, LW_SLOWPATH_ICMPV4, t0));
	/* the kinds are independent */
	assert_true(lw_slowpath_ratelimit_allow(&rl, LW_SLOWPATH_ICMPV6, t0));
	assert_false(lw_slowpath_ratelimit_allow(&rl, LW_SLOWPATH_ICMPV6, t0));
	/* 2/s: one token after 0.5 s, not before */
	assert_false(lw_slowpath_ratelimit_allow(&rl, LW_SLOWPATH_ICMPV4, t0 + S / 2 - 1));
	assert_true(lw_slowpath_ratelimit_allow(&rl, LW_SLOWPATH_ICMPV4, t0 + S / 2));
	assert_false(lw_slowpath_ratelimit_allow(&rl, LW_SLOWPATH_ICMPV4, t0 + S / 2));
	/* a long pause fills the bucket to its depth only */
	for (int i = 0; i < 3; i++)
		assert_true(lw_slowpath_ratelimit_allow(&rl, LW_SLOWPATH_ICMPV4, t0 + 100 * S));
	assert_false(lw_slowpath_ratelimit_allow(&rl, LW_SLOWPATH_ICMPV4, t0 + 100 * S));
	/* a clock going backwards refills nothing */
	assert_false(lw_slowpath_ratelimit_allow(&rl, LW_SLOWPATH_ICMPV4, t0));
	assert_int_equal(rl.b[LW_SLOWPATH_ICMPV4].passed, 7);
	assert_int_equal(rl.b[LW_SLOWPATH_ICMPV4].suppressed, 5);
	assert_int_equal(rl.b[LW_SLOWPATH_ICMPV6].passed, 1);
	assert_int_equal(rl.b[LW_SLOWPATH_ICMPV6].suppressed, 1);
	assert_false(lw_slowpath_ratelimit_allow(&rl, LW_SLOWPATH_KIND_MAX, t0));
}

static void test_ratelimit_extremes(void **state)
{
	struct lw_slowpath_ratelimit rl;

	/* rate 0: the burst, then nothing, however long one waits */
	lw_slowpath_ratelimit_init(&rl, 0, 1, 0, 0, 0);
	assert_true(lw_slowpath_ratelimit_allow(&rl, LW_SLOWPATH_ICMPV4, 0));
	assert_false(lw_slowpath_ratelimit_allow(&rl, LW_SLOWPATH_ICMPV4, 1000 * S));
	assert_false(lw_slowpath_ratelimit_allow(&rl, LW_SLOWPATH_ICMPV6, 0));
	/* the largest rate over a long time does not overflow into an empty bucket */
	lw_slowpath_ratelimit_init(&rl, UINT32_MAX, UINT32_MAX, 1000, 2, 0);
	assert_true(lw_slowpath_ratelimit_allow(&rl, LW_SLOWPATH_ICMPV4, 0));
	assert_true(lw_slowpath_ratelimit_allow(&rl, LW_SLOWPATH_ICMPV4, 3600 * S));
	assert_int_equal(rl.b[LW_SLOWPATH_ICMPV4].level, (uint64_t)UINT32_MAX * S - S);
	/* 2^31/s for 2^33 ns is 2^64 token-nanoseconds: a full bucket, not a
	 * product that wrapped to zero */
	lw_slowpath_ratelimit_init(&rl, 1u << 31, 1, 0, 0, 0);
	assert_true(lw_slowpath_ratelimit_allow(&rl, LW_SLOWPATH_ICMPV4, 0));
	assert_false(lw_slowpath_ratelimit_allow(&rl, LW_SLOWPATH_ICMPV4, 0));
	assert_true(lw_slowpath_ratelimit_allow(&rl, LW_SLOWPATH_ICMPV4, 1ull << 33));
	/* 1000/s: 1 ms gives one token, 0.999 ms none */
	lw_slowpath_ratelimit_init(&rl, 0, 0, 1000, 2, 0);
	assert_true(lw_slowpath_ratelimit_allow(&rl, LW_SLOWPATH_ICMPV6, 0));
	assert_true(lw_slowpath_ratelimit_allow(&rl, LW_SLOWPATH_ICMPV6, 0));
	assert_false(lw_slowpath_ratelimit_allow(&rl, LW_SLOWPATH_ICMPV6, 999999));
	assert_true(lw_slowpath_ratelimit_allow(&rl, LW_SLOWPATH_ICMPV6, 1000000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decap_no_binding_equals_snabb),
		cmocka_unit_test(test_decap_no_binding_fields),
		cmocka_unit_test(test_decap_no_binding_quote_limit),
		cmocka_unit_test(test_decap_no_binding_suppressed),
		cmocka_unit_test(test_decap_no_binding_rechecked),
		cmocka_unit_test(test_encap_no_binding_from_internet),
		cmocka_unit_test(test_encap_no_binding_quote_limit),
		cmocka_unit_test(test_quote_excludes_link_padding),
		cmocka_unit_test(test_odd_length_quotes),
		cmocka_unit_test(test_encap_no_binding_from_b4),
		cmocka_unit_test(test_encap_no_binding_suppressed),
		cmocka_unit_test(test_icmp4_rules_fragments_and_addresses),
		cmocka_unit_test(test_ttl_expired_from_internet),
		cmocka_unit_test(test_ttl_expired_from_b4),
		cmocka_unit_test(test_ttl_expired_answers_echo),
		cmocka_unit_test(test_too_big_from_internet),
		cmocka_unit_test(test_too_big_from_b4_decap),
		cmocka_unit_test(test_too_big_hairpin_looks_up_b4),
		cmocka_unit_test(test_relay_equals_snabb),
		cmocka_unit_test(test_relay_type_mapping),
		cmocka_unit_test(test_relay_suppressed),
		cmocka_unit_test(test_relay_to_hairpinned_sender),
		cmocka_unit_test(test_relay_requires_our_packet),
		cmocka_unit_test(test_relay_verifies_checksum),
		cmocka_unit_test(test_handle_checks_record),
		cmocka_unit_test(test_reason_names),
		cmocka_unit_test(test_ratelimit_bucket),
		cmocka_unit_test(test_ratelimit_extremes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
