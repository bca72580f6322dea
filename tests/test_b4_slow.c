/* SPDX-License-Identifier: GPL-2.0 */
/* The lwB4's slow path (lib/b4/b4_slow.c): ICMPv4 3/4 and 11/0 to LAN
 * hosts compared byte for byte with errors built independently by the test
 * packet builder (selftests/lib/pkt.h), checksums verified by the
 * independent csum_ref; the quote limit (576 octets, RFC 1812 §4.3.2.3);
 * the rules that suppress an error (RFC 1812 §4.3.2.7: no error about an
 * ICMP error, a later fragment, a broadcast/multicast destination, a source
 * that is not one host); FRAG_NEEDED handing over exactly the whole
 * translated packet (B4-FRAG-1); icmp-rate (the configuration and the
 * bucket). B4-FRAG-1, B4-FRAG-2. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "csum_ref.h"
#include "pkt.h"
#include "wire.h"
#include "b4_config.h"
#include "b4_slow.h"

#define LAN4 "192.168.1.1"
#define HOST "192.168.1.10"
#define INET "203.0.113.10"
#define PUB "198.51.100.1"

static struct b4_slow_lan lan;
static struct lw_b4_event ev;
static struct b4_slow_out out;

static int setup(void **state)
{
	lan.addr = ip4(LAN4);
	lan.prefixlen = 24;
	memset(&ev, 0, sizeof(ev));
	memset(&out, 0, sizeof(out));
	return 0;
}

/* The packet a LAN host sent: UDP sport→53 with payload bytes. */
static size_t udp_packet(uint8_t *buf, size_t cap, const char *src, const char *dst, uint8_t ttl,
			 bool df, uint16_t frag_offset, size_t payload)
{
	struct pkt p;
	int len;

	pkt_init(&p, buf, cap);
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(src), .dst = ip4(dst), .ttl = ttl, .id = 0x4242,
					.df = df, .frag_offset = frag_offset });
	if (frag_offset)
		pkt_data_pattern(&p, payload, 0x33);
	else {
		pkt_udp(&p, &(struct pkt_udp){ .sport = 40000, .dport = 53 });
		pkt_data_pattern(&p, payload, 0x33);
	}
	len = pkt_finish(&p);
	assert_true(len > 0);
	return (size_t)len;
}

static void event(uint16_t type, uint16_t dir, uint32_t mtu, const uint8_t *pkt, size_t len)
{
	ev.type = type;
	ev.dir = dir;
	ev.mtu = mtu;
	ev.l3_proto = 0x0800;
	ev.pkt_len = (uint32_t)len;
	ev.cap_len = (uint32_t)(len < LW_B4_EVENT_MAX_CAPTURE ? len : LW_B4_EVENT_MAX_CAPTURE);
	memcpy(ev.pkt, pkt, ev.cap_len);
}

/* The error the test expects, built apart: from LAN4 to HOST, TOS 0xc0,
 * TTL 64, the Identification taken from the actual packet (random). */
static size_t expected_error(uint8_t *buf, size_t cap, uint8_t type, uint8_t code, uint16_t mtu,
			     const uint8_t *quote, size_t qlen, uint16_t id)
{
	struct pkt p;
	int len;

	pkt_init(&p, buf, cap);
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(LAN4), .dst = ip4(HOST), .tos = 0xc0, .ttl = 64,
					.id = id });
	pkt_icmp4(&p, &(struct pkt_icmp){ .type = type, .code = code, .mtu = mtu });
	pkt_quote(&p, quote, qlen, PKT_ICMP4_ERROR_MAX);
	len = pkt_finish(&p);
	assert_true(len > 0);
	return (size_t)len;
}

static void assert_checksums(const uint8_t *ip, size_t len)
{
	assert_true(ref_ipv4_header_ok(ip, len));
	/* over a correct ICMP message the checksum sums to zero */
	assert_int_equal(ref_csum(ip + 20, len - 20), 0);
}

/* B4-FRAG-2: DF, too big → 3/4 with the event's MTU, the whole packet
 * quoted as far as 576 octets go. */
static void test_too_big_3_4(void **state)
{
	static uint8_t orig[2048], exp[1024];
	size_t n = udp_packet(orig, sizeof(orig), HOST, INET, 64, true, 0, 1300), e;

	event(LW_B4_EV_TOO_BIG_DF, LW_B4_DIR_FROM_LAN, 1240, orig, n);
	assert_int_equal(b4_slow_event(&lan, &ev, sizeof(ev), &out), 0);
	assert_int_equal(out.kind, B4_SLOW_ICMP_TO_LAN);
	assert_int_equal(out.dst, ip4(HOST));
	assert_int_equal(out.len, 576);
	e = expected_error(exp, sizeof(exp), 3, 4, 1240, orig, n, get_be16(out.pkt + 4));
	assert_int_equal(e, 576);
	assert_memory_equal(out.pkt, exp, e);
	assert_int_equal(get_be16(out.pkt + 20 + 6), 1240); /* next-hop MTU, RFC 1191 */
	assert_int_equal(get_be16(out.pkt + 6), 0);         /* no DF, not a fragment */
	assert_checksums(out.pkt, out.len);
}

/* A short packet is quoted whole, without the link-layer padding the
 * capture may hold past its total length. */
static void test_ttl_expired_11_0_short_quote(void **state)
{
	static uint8_t orig[256], exp[256];
	size_t n = udp_packet(orig, sizeof(orig), HOST, INET, 1, true, 0, 4), e;

	memset(orig + n, 0xee, 10); /* Ethernet padding in the capture */
	event(LW_B4_EV_TTL_EXPIRED, LW_B4_DIR_FROM_LAN, 0, orig, n + 10);
	assert_int_equal(b4_slow_event(&lan, &ev, sizeof(ev), &out), 0);
	assert_int_equal(out.kind, B4_SLOW_ICMP_TO_LAN);
	assert_int_equal(out.len, 20 + 8 + n);
	e = expected_error(exp, sizeof(exp), 11, 0, 0, orig, n, get_be16(out.pkt + 4));
	assert_int_equal(e, out.len);
	assert_memory_equal(out.pkt, exp, e);
	assert_checksums(out.pkt, out.len);
}

/* An odd quote length: the checksum's trailing byte. */
static void test_odd_quote_checksum(void **state)
{
	static uint8_t orig[256];
	size_t n = udp_packet(orig, sizeof(orig), HOST, INET, 1, false, 0, 7);

	assert_true(n & 1);
	event(LW_B4_EV_TTL_EXPIRED, LW_B4_DIR_FROM_LAN, 0, orig, n);
	assert_int_equal(b4_slow_event(&lan, &ev, sizeof(ev), &out), 0);
	assert_int_equal(out.len, 28 + n);
	assert_checksums(out.pkt, out.len);
}

static void test_ttl_from_wan_not_answered(void **state)
{
	static uint8_t orig[256];
	size_t n = udp_packet(orig, sizeof(orig), INET, PUB, 1, true, 0, 8);

	event(LW_B4_EV_TTL_EXPIRED, LW_B4_DIR_FROM_WAN, 0, orig, n);
	ev.l3_proto = 0x86dd;
	assert_int_equal(b4_slow_event(&lan, &ev, sizeof(ev), &out), 0);
	assert_int_equal(out.kind, B4_SLOW_NONE);
	assert_int_equal(out.why, B4_SLOW_FROM_WAN);
}

static enum b4_slow_reason answer(const uint8_t *pkt, size_t len)
{
	event(LW_B4_EV_TOO_BIG_DF, LW_B4_DIR_FROM_LAN, 1240, pkt, len);
	assert_int_equal(b4_slow_event(&lan, &ev, sizeof(ev), &out), 0);
	assert_int_equal(out.kind == B4_SLOW_NONE, out.why != B4_SLOW_OK);
	return out.why;
}

/* RFC 1812 §4.3.2.7: never an error about an ICMP error (nor one whose type
 * is unseen or unknown); about an echo request, yes. */
static void test_no_error_about_error(void **state)
{
	static const uint8_t types[] = { 3, 4, 5, 11, 12, 19, 255 };
	static uint8_t buf[256];
	struct pkt p;
	int len;

	for (size_t i = 0; i < sizeof(types); i++) {
		pkt_init(&p, buf, sizeof(buf));
		pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(HOST), .dst = ip4(INET), .ttl = 1, .df = true });
		pkt_icmp4(&p, &(struct pkt_icmp){ .type = types[i], .code = 0 });
		pkt_data_pattern(&p, 28, 1);
		len = pkt_finish(&p);
		assert_true(len > 0);
		assert_int_equal(answer(buf, (size_t)len), B4_SLOW_ERROR_ABOUT_ERROR);
	}
	/* cut right after the IPv4 header: the ICMP type is unseen */
	assert_int_equal(answer(buf, 20), B4_SLOW_ERROR_ABOUT_ERROR);
	pkt_init(&p, buf, sizeof(buf));
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(HOST), .dst = ip4(INET), .ttl = 1, .df = true });
	pkt_icmp4(&p, &(struct pkt_icmp){ .type = 8, .id = 1, .seq = 1 });
	len = pkt_finish(&p);
	assert_int_equal(answer(buf, (size_t)len), B4_SLOW_OK);
}

static void test_not_about_later_fragment(void **state)
{
	static uint8_t buf[256];
	size_t n = udp_packet(buf, sizeof(buf), HOST, INET, 64, false, 185, 64);

	assert_int_equal(answer(buf, n), B4_SLOW_NOT_FIRST_FRAGMENT);
	/* the first fragment (MF, offset 0) is answered */
	n = udp_packet(buf, sizeof(buf), HOST, INET, 64, false, 0, 64);
	buf[6] |= 0x20;
	put_be16(buf + 10, 0);
	put_be16(buf + 10, ref_csum(buf, 20));
	assert_int_equal(answer(buf, n), B4_SLOW_OK);
}

static void test_not_to_broadcast_or_from_non_host(void **state)
{
	static const char *const bad_dst[] = { "224.0.0.1", "239.1.2.3", "255.255.255.255",
					       "192.168.1.255", "192.168.1.0" };
	static const char *const bad_src[] = { "0.0.0.0", "127.0.0.1", "224.0.0.5", "240.0.0.1",
					       "255.255.255.255", "192.168.1.255", "192.168.1.0" };
	static uint8_t buf[256];
	size_t n;

	for (size_t i = 0; i < sizeof(bad_dst) / sizeof(bad_dst[0]); i++) {
		n = udp_packet(buf, sizeof(buf), HOST, bad_dst[i], 64, true, 0, 8);
		assert_int_equal(answer(buf, n), B4_SLOW_TO_BROADCAST);
	}
	for (size_t i = 0; i < sizeof(bad_src) / sizeof(bad_src[0]); i++) {
		n = udp_packet(buf, sizeof(buf), bad_src[i], INET, 64, true, 0, 8);
		assert_int_equal(answer(buf, n), B4_SLOW_BAD_SOURCE);
	}
	n = udp_packet(buf, sizeof(buf), "192.168.1.254", INET, 64, true, 0, 8);
	assert_int_equal(answer(buf, n), B4_SLOW_OK);
}

static void test_no_lan_address_malformed(void **state)
{
	static uint8_t buf[256];
	size_t n = udp_packet(buf, sizeof(buf), HOST, INET, 64, true, 0, 8);

	lan.addr = 0;
	assert_int_equal(answer(buf, n), B4_SLOW_NO_LAN_ADDRESS);
	lan.addr = ip4(LAN4);
	buf[0] = 0x65; /* version 6 */
	assert_int_equal(answer(buf, n), B4_SLOW_MALFORMED);
	/* a record shorter than its head, or claiming more than it holds */
	assert_int_equal(b4_slow_event(&lan, &ev, 10, &out), -EINVAL);
	ev.cap_len = 100;
	ev.pkt_len = 100;
	assert_int_equal(b4_slow_event(&lan, &ev, offsetof(struct lw_b4_event, pkt) + 50, &out),
			 -EINVAL);
}

/* B4-FRAG-1: the translated packet, exactly its total length, TOS and the
 * tunnel MTU for the socket. */
static void test_frag_needed_whole_packet(void **state)
{
	static uint8_t buf[2048];
	size_t n = udp_packet(buf, sizeof(buf), PUB, INET, 63, false, 0, 1372);

	buf[1] = 0x28;
	put_be16(buf + 10, 0);
	put_be16(buf + 10, ref_csum(buf, 20));
	event(LW_B4_EV_FRAG_NEEDED, LW_B4_DIR_FROM_LAN, 1280, buf, n);
	assert_int_equal(b4_slow_event(&lan, &ev, sizeof(ev), &out), 0);
	assert_int_equal(out.kind, B4_SLOW_TO_TUNNEL);
	assert_int_equal(out.len, 1400);
	assert_int_equal(out.mtu, 1280);
	assert_int_equal(out.tos, 0x28);
	assert_memory_equal(out.pkt, buf, n);
	/* padding after the total length stays behind */
	event(LW_B4_EV_FRAG_NEEDED, LW_B4_DIR_FROM_LAN, 1280, buf, n + 6);
	assert_int_equal(b4_slow_event(&lan, &ev, sizeof(ev), &out), 0);
	assert_int_equal(out.len, 1400);
}

/* Never a truncated packet: a capture shorter than the total length. */
static void test_frag_needed_truncated_refused(void **state)
{
	static uint8_t buf[2048];
	size_t n = udp_packet(buf, sizeof(buf), PUB, INET, 63, false, 0, 1600);

	assert_int_equal(n, 1628);
	event(LW_B4_EV_FRAG_NEEDED, LW_B4_DIR_FROM_LAN, 1280, buf, n);
	assert_int_equal(ev.cap_len, LW_B4_EVENT_MAX_CAPTURE);
	assert_int_equal(b4_slow_event(&lan, &ev, sizeof(ev), &out), 0);
	assert_int_equal(out.kind, B4_SLOW_NONE);
	assert_int_equal(out.why, B4_SLOW_TRUNCATED);
	/* a total length below the header */
	n = udp_packet(buf, sizeof(buf), PUB, INET, 63, false, 0, 8);
	put_be16(buf + 2, 12);
	event(LW_B4_EV_FRAG_NEEDED, LW_B4_DIR_FROM_LAN, 1280, buf, n);
	assert_int_equal(b4_slow_event(&lan, &ev, sizeof(ev), &out), 0);
	assert_int_equal(out.why, B4_SLOW_MALFORMED);
}

static void test_other_events_not_mine(void **state)
{
	ev.type = LW_B4_EV_POOL_EXHAUSTED;
	assert_int_equal(b4_slow_event(&lan, &ev, offsetof(struct lw_b4_event, pkt), &out), 0);
	assert_int_equal(out.why, B4_SLOW_NOT_MINE);
}

/* B4-FRAG-1 on the wire: the IPv6 packets b4_slow_fragment builds,
 * reassembled by the test (RFC 8200 §4.5) back into the IPv4 packet. */
static void check_frags(const struct b4_slow_frags *fr, const uint8_t *ip4pkt, size_t len,
			uint32_t mtu, size_t want_n, uint8_t tclass)
{
	static uint8_t re[2048];
	struct in6_addr src = ip6("2001:db8:b4::1"), dst = ip6("2001:db8:ffff::1");
	size_t got = 0;

	assert_int_equal(fr->n, want_n);
	for (size_t i = 0; i < fr->n; i++) {
		const uint8_t *f = fr->pkt[i];
		uint16_t offm;

		assert_true(fr->len[i] <= (mtu < 1280 ? 1280 : mtu));
		assert_int_equal(f[0] >> 4, 6);
		assert_int_equal((get_be16(f) >> 4) & 0xff, tclass);
		assert_int_equal(get_be16(f + 4), fr->len[i] - 40);
		assert_int_equal(f[7], 61);
		assert_memory_equal(f + 8, &src, 16);
		assert_memory_equal(f + 24, &dst, 16);
		assert_int_equal(f[6], 44);
		assert_int_equal(f[40], 4);    /* the fragmentable part is IPv4 */
		assert_int_equal(get_be32(f + 44), 0xdeadbeef);
		offm = get_be16(f + 42);
		assert_int_equal(offm & 0xfff8, got); /* in order, no gap, no overlap */
		assert_int_equal(offm & 1, i + 1 < fr->n);
		if (i + 1 < fr->n)
			assert_int_equal((fr->len[i] - 48) % 8, 0);
		memcpy(re + got, f + 48, fr->len[i] - 48);
		got += fr->len[i] - 48;
	}
	assert_int_equal(got, len);
	assert_memory_equal(re, ip4pkt, len); /* the inner IPv4 packet is never fragmented */
}

static void test_fragment_ipv6(void **state)
{
	static struct b4_slow_frags fr;
	static uint8_t buf[2048];
	struct in6_addr src = ip6("2001:db8:b4::1"), dst = ip6("2001:db8:ffff::1");
	size_t n = udp_packet(buf, sizeof(buf), PUB, INET, 63, false, 0, 1400);

	assert_int_equal(n, 1428);
	/* tunnel MTU 1280: 1232 + 196 octets */
	assert_int_equal(b4_slow_fragment(&src, &dst, 0x28, 61, 0xdeadbeef, buf, n, 1280, &fr), 0);
	check_frags(&fr, buf, n, 1280, 2, 0x28);
	assert_int_equal(fr.len[0], 1280);
	assert_int_equal(fr.len[1], 48 + 196);
	/* 1400: the fragmentable part rounded down to 1352 */
	assert_int_equal(b4_slow_fragment(&src, &dst, 0, 61, 0xdeadbeef, buf, n, 1400, &fr), 0);
	check_frags(&fr, buf, n, 1400, 2, 0);
	assert_int_equal(fr.len[0], 48 + 1352);
	/* below the IPv6 minimum: 1280 */
	assert_int_equal(b4_slow_fragment(&src, &dst, 0, 61, 0xdeadbeef, buf, n, 1000, &fr), 0);
	check_frags(&fr, buf, n, 1280, 2, 0);
	/* the largest capture at the minimum MTU */
	n = udp_packet(buf, sizeof(buf), PUB, INET, 63, false, 0, 1536 - 28);
	assert_int_equal(b4_slow_fragment(&src, &dst, 0, 61, 0xdeadbeef, buf, n, 1280, &fr), 0);
	check_frags(&fr, buf, n, 1280, 2, 0);
	assert_int_equal(b4_slow_fragment(&src, &dst, 0, 61, 0xdeadbeef, buf, 1537, 1280, &fr),
			 -EMSGSIZE);
}

/* A packet that fits (the route's MTU was the smaller one): one IPv6
 * packet, next header 4, no Fragment header. */
static void test_fragment_fits_unfragmented(void **state)
{
	static struct b4_slow_frags fr;
	static uint8_t buf[2048];
	struct in6_addr src = ip6("2001:db8:b4::1"), dst = ip6("2001:db8:ffff::1");
	size_t n = udp_packet(buf, sizeof(buf), PUB, INET, 63, false, 0, 1212);

	assert_int_equal(n, 1240);
	assert_int_equal(b4_slow_fragment(&src, &dst, 0, 64, 1, buf, n, 1280, &fr), 0);
	assert_int_equal(fr.n, 1);
	assert_int_equal(fr.len[0], 1280);
	assert_int_equal(fr.pkt[0][6], 4);
	assert_int_equal(get_be16(fr.pkt[0] + 4), 1240);
	assert_memory_equal(fr.pkt[0] + 40, buf, n);
}

/* icmp-rate N: N at once, then one per 1/N s; 0: none. */
static void test_rate_limit(void **state)
{
	struct lw_rate_bucket rl;
	const uint64_t t0 = 5000000000ull;
	unsigned n = 0;

	b4_slow_rate_init(&rl, 100, t0);
	while (b4_slow_rate_allow(&rl, t0) && n < 1000)
		n++;
	assert_int_equal(n, 100);
	assert_false(b4_slow_rate_allow(&rl, t0 + 9000000));  /* 9 ms: not yet */
	assert_true(b4_slow_rate_allow(&rl, t0 + 10000000));  /* 10 ms: one */
	assert_false(b4_slow_rate_allow(&rl, t0 + 10000000));
	n = 0;
	while (b4_slow_rate_allow(&rl, t0 + 60000000000ull) && n < 1000)
		n++;
	assert_int_equal(n, 100); /* refilled to one second's worth, no more */
	b4_slow_rate_init(&rl, 0, t0);
	assert_false(b4_slow_rate_allow(&rl, t0));
	assert_false(b4_slow_rate_allow(&rl, t0 + 10000000000ull));
}

static void test_config_icmp_rate(void **state)
{
	struct b4_config c;
	char err[256];
	static const char base[] = "aftr-ipv6 2001:db8::1\ntunnel-ipv6 2001:db8:b4::1\n";
	char text[256];

	b4_config_defaults(&c);
	assert_int_equal(b4_config_parse(base, "b4.conf", &c, err, sizeof(err)), 0);
	assert_int_equal(c.icmp_rate, 100);
	snprintf(text, sizeof(text), "%sicmp-rate 0\n", base);
	b4_config_defaults(&c);
	assert_int_equal(b4_config_parse(text, "b4.conf", &c, err, sizeof(err)), 0);
	assert_int_equal(c.icmp_rate, 0);
	snprintf(text, sizeof(text), "%sicmp-rate 100001\n", base);
	b4_config_defaults(&c);
	assert_int_equal(b4_config_parse(text, "b4.conf", &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "b4.conf:3: icmp-rate"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_too_big_3_4, setup),
		cmocka_unit_test_setup(test_ttl_expired_11_0_short_quote, setup),
		cmocka_unit_test_setup(test_odd_quote_checksum, setup),
		cmocka_unit_test_setup(test_ttl_from_wan_not_answered, setup),
		cmocka_unit_test_setup(test_no_error_about_error, setup),
		cmocka_unit_test_setup(test_not_about_later_fragment, setup),
		cmocka_unit_test_setup(test_not_to_broadcast_or_from_non_host, setup),
		cmocka_unit_test_setup(test_no_lan_address_malformed, setup),
		cmocka_unit_test_setup(test_frag_needed_whole_packet, setup),
		cmocka_unit_test_setup(test_frag_needed_truncated_refused, setup),
		cmocka_unit_test_setup(test_other_events_not_mine, setup),
		cmocka_unit_test(test_fragment_ipv6),
		cmocka_unit_test(test_fragment_fits_unfragmented),
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_config_icmp_rate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
