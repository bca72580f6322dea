/* SPDX-License-Identifier: GPL-2.0 */
/* The reference checksum against vectors from outside this project: the RFC
 * 1071 example, a textbook IPv4 header, and packets from Snabb's captures whose
 * checksums tcpdump -vv reports as correct. Other values are worked out by
 * hand in the comments. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "csum_ref.h"

/* RFC 1071 §3: words 0001 f203 f4f5 f6f7 sum to 2ddf0, folded ddf2. */
static const uint8_t rfc1071_bytes[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

/* A UDP/IPv4 header with checksum 0xb861 (bytes 10-11). */
static const uint8_t ipv4_hdr[] = {
	0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
	0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
};

/* tcp-frominet-bound.pcap without Ethernet: tcpdump says IPv4 and TCP
 * (cksum 0xc406) are correct. */
static const uint8_t snabb_tcp4[] = {
	0x45, 0x00, 0x00, 0x34, 0x11, 0x77, 0x40, 0x00, 0x39, 0x06, 0xb5, 0x08, 0x95, 0xae,
	0x9c, 0x5d, 0xb2, 0x4f, 0x96, 0xe9, 0xd3, 0xb0, 0x00, 0x50, 0x20, 0xae, 0x31, 0x5a,
	0xbf, 0x52, 0x96, 0xe6, 0x80, 0x10, 0x00, 0x1f, 0xc4, 0x06, 0x00, 0x00, 0x01, 0x01,
	0x08, 0x0a, 0xa4, 0x4b, 0x24, 0x63, 0xf8, 0xbd, 0xf9, 0xa3,
};

/* ping-v6.pcap without Ethernet: ICMPv6 echo request, "[icmp6 sum ok]",
 * checksum 0xb8c8 at offset 42. */
static const uint8_t snabb_ping6[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x14, 0x3a, 0x40, 0x20, 0x01, 0x14, 0xba, 0x03, 0xeb,
	0x9e, 0x00, 0x5e, 0x51, 0x4f, 0xff, 0xfe, 0x8e, 0x71, 0xb4, 0x00, 0x08, 0x00, 0x09,
	0x00, 0x0a, 0x00, 0x0b, 0x00, 0x0c, 0x00, 0x0d, 0x00, 0x0e, 0x00, 0x0f, 0x80, 0x00,
	0xb8, 0xc8, 0x00, 0x00, 0x00, 0x00, 0x49, 0x67, 0x61, 0x6c, 0x69, 0x61, 0x20, 0x72,
	0x30, 0x30, 0x6c, 0x7a,
};

/* tcp-fromb4-ipv6.pcap, whole frame: IPv4-in-IPv6, inner IPv4 header at
 * offset 54 (checksum 0xb608), TCP at 74 (checksum 0xc406). */
static const uint8_t snabb_ipip6_frame[] = {
	0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x86, 0xdd,
	0x60, 0x00, 0x00, 0x00, 0x00, 0x34, 0x04, 0xff, 0x01, 0x27, 0x00, 0x11, 0x00, 0x12,
	0x00, 0x13, 0x00, 0x14, 0x00, 0x15, 0x00, 0x16, 0x01, 0x28, 0x00, 0x08, 0x00, 0x09,
	0x00, 0x0a, 0x00, 0x0b, 0x00, 0x0c, 0x00, 0x0d, 0x00, 0x0e, 0x00, 0x0f, 0x45, 0x00,
	0x00, 0x34, 0x11, 0x77, 0x40, 0x00, 0x38, 0x06, 0xb6, 0x08, 0xb2, 0x4f, 0x96, 0xe9,
	0x95, 0xae, 0x9c, 0x5d, 0xd3, 0xb0, 0x00, 0x50, 0x20, 0xae, 0x31, 0x5a, 0xbf, 0x52,
	0x96, 0xe6, 0x80, 0x10, 0x00, 0x1f, 0xc4, 0x06, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a,
	0xa4, 0x4b, 0x24, 0x63, 0xf8, 0xbd, 0xf9, 0xa3,
};
#define IPIP6_INNER_TTL 62
#define IPIP6_TCP_WINDOW_LO 89

static void test_rfc1071_example_sum_and_checksum(void **state)
{
	(void)state;
	assert_int_equal(ref_fold(ref_sum_partial(rfc1071_bytes, sizeof(rfc1071_bytes), 0)),
			 0xddf2);
	assert_int_equal(ref_csum(rfc1071_bytes, sizeof(rfc1071_bytes)), 0x220d);
}

static void test_ipv4_header_known_checksum(void **state)
{
	uint8_t hdr[sizeof(ipv4_hdr)];

	(void)state;
	memcpy(hdr, ipv4_hdr, sizeof(hdr));
	hdr[10] = hdr[11] = 0;
	assert_int_equal(ref_csum(hdr, sizeof(hdr)), 0xb861);
	/* With the checksum in place the receiver's sum is zero. */
	assert_int_equal(ref_csum(ipv4_hdr, sizeof(ipv4_hdr)), 0);
	assert_true(ref_ipv4_header_ok(ipv4_hdr, sizeof(ipv4_hdr)));
}

static void test_ipv4_header_ok_rejects_damage(void **state)
{
	uint8_t hdr[sizeof(ipv4_hdr)];

	(void)state;
	memcpy(hdr, ipv4_hdr, sizeof(hdr));
	hdr[8] = 0x3f; /* TTL 64 -> 63 without fixing the checksum */
	assert_false(ref_ipv4_header_ok(hdr, sizeof(hdr)));
	assert_false(ref_ipv4_header_ok(ipv4_hdr, sizeof(ipv4_hdr) - 1)); /* cut short */
	memcpy(hdr, ipv4_hdr, sizeof(hdr));
	hdr[0] = 0x65; /* version 6 */
	assert_false(ref_ipv4_header_ok(hdr, sizeof(hdr)));
}

static void test_odd_length_pads_with_zero_low_byte(void **state)
{
	static const uint8_t three[] = { 0x01, 0x02, 0x03 };
	static const uint8_t one[] = { 0xab };

	(void)state;
	/* 0x0102 + 0x0300 = 0x0402, complement 0xfbfd. */
	assert_int_equal(ref_csum(three, sizeof(three)), 0xfbfd);
	/* 0xab00, complement 0x54ff. */
	assert_int_equal(ref_csum(one, sizeof(one)), 0x54ff);
	/* Nothing sums to 0: complement 0xffff. */
	assert_int_equal(ref_csum(one, 0), 0xffff);
}

static void test_odd_piece_may_come_last(void **state)
{
	uint32_t acc;

	(void)state;
	acc = ref_sum_partial(rfc1071_bytes, 4, 0);
	acc = ref_sum_partial(rfc1071_bytes + 4, 3, acc);
	/* 0x0001 + 0xf203 + 0xf4f5 + 0xf600 = 0x2dcf9 -> 0xdcfb. */
	assert_int_equal(ref_fold(acc), 0xdcfb);
}

static void test_fold_repeats_until_no_carry(void **state)
{
	(void)state;
	/* 0xffff + 0x0001 = 0x10000 carries again: 0x0000 + 0x1. */
	assert_int_equal(ref_fold(0x0001ffff), 0x0001);
	/* 0xffff + 0xffff = 0x1fffe -> 0xfffe + 1. */
	assert_int_equal(ref_fold(0xffffffff), 0xffff);
	assert_int_equal(ref_fold(0x0002fffd), 0xffff);
	assert_int_equal(ref_fold(0x1234), 0x1234);
}

static void test_long_buffer_does_not_overflow(void **state)
{
	size_t len = 140000; /* 70000 words */
	uint8_t *buf = malloc(len);

	(void)state;
	assert_non_null(buf);
	/* 70000 * 0xffff exceeds 32 bits; in one's complement any number of
	 * 0xffff words is "negative zero": folded 0xffff, checksum 0. */
	memset(buf, 0xff, len);
	assert_int_equal(ref_fold(ref_sum_partial(buf, len, 0)), 0xffff);
	assert_int_equal(ref_csum(buf, len), 0x0000);
	/* 70000 * 0x0101 = 0x01128170 -> 0x8170 + 0x0112 = 0x8282. */
	memset(buf, 0x01, len);
	assert_int_equal(ref_csum(buf, len), 0x7d7d);
	free(buf);
}

static void test_tcp_ipv4_known_checksum(void **state)
{
	uint8_t pkt[sizeof(snabb_tcp4)];
	struct ref_l4_result res;
	uint32_t s, d;

	(void)state;
	memcpy(pkt, snabb_tcp4, sizeof(pkt));
	memcpy(&s, pkt + 12, 4);
	memcpy(&d, pkt + 16, 4);
	pkt[36] = pkt[37] = 0;
	assert_int_equal(ref_l4_csum_ipv4(s, d, 6, pkt + 20, 32), 0xc406);
	assert_true(ref_l4_ok_ipv4(snabb_tcp4, sizeof(snabb_tcp4)));
	assert_int_equal(ref_l4_check_ipv4(snabb_tcp4, sizeof(snabb_tcp4), &res), REF_L4_OK);
	assert_int_equal(res.proto, 6);
	assert_int_equal(res.found, 0xc406);

	/* Window 0x001f -> 0x0020: the sum grows by 1, the checksum shrinks. */
	memcpy(pkt, snabb_tcp4, sizeof(pkt));
	pkt[35] = 0x20;
	assert_false(ref_l4_ok_ipv4(pkt, sizeof(pkt)));
	assert_int_equal(ref_l4_check_ipv4(pkt, sizeof(pkt), &res), REF_L4_BAD);
	assert_int_equal(res.found, 0xc406);
	assert_int_equal(res.want, 0xc405);
}

static void test_icmpv6_known_checksum(void **state)
{
	uint8_t pkt[sizeof(snabb_ping6)];
	struct in6_addr s, d;

	(void)state;
	memcpy(pkt, snabb_ping6, sizeof(pkt));
	memcpy(&s, pkt + 8, 16);
	memcpy(&d, pkt + 24, 16);
	pkt[42] = pkt[43] = 0;
	assert_int_equal(ref_l4_csum_ipv6(&s, &d, 58, pkt + 40, 20), 0xb8c8);
	assert_true(ref_l4_ok_ipv6(snabb_ping6, sizeof(snabb_ping6)));
	pkt[42] = 0xb8;
	pkt[43] = 0xc9;
	assert_false(ref_l4_ok_ipv6(pkt, sizeof(pkt)));
}

static void test_udp_ipv4_hand_computed_checksum(void **state)
{
	/* 192.0.2.1 -> 198.51.100.2, UDP 1024 -> 53, payload "ab".
	 * pseudo c000+0201+c633+6402+0011+000a, UDP 0400+0035+000a+0000+6162:
	 * 0x251f2 -> 0x51f4, complement 0xae0b. */
	uint8_t pkt[30] = {
		0x45, 0x00, 0x00, 0x1e, 0x00, 0x00, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,
		0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02,
		0x04, 0x00, 0x00, 0x35, 0x00, 0x0a, 0x00, 0x00, 0x61, 0x62,
	};
	uint32_t s, d;

	(void)state;
	memcpy(&s, pkt + 12, 4);
	memcpy(&d, pkt + 16, 4);
	assert_int_equal(ref_l4_csum_ipv4(s, d, 17, pkt + 20, 10), 0xae0b);
	/* The pseudo-header alone: c000+0201+c633+6402+0011+000a = 0x1ec51. */
	assert_int_equal(ref_fold(ref_pseudo_ipv4(s, d, 17, 10)), 0xec52);
}

static void test_udp_zero_checksum_is_none_over_ipv4_only(void **state)
{
	uint8_t pkt[30] = {
		0x45, 0x00, 0x00, 0x1e, 0x00, 0x00, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,
		0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02,
		0x04, 0x00, 0x00, 0x35, 0x00, 0x0a, 0x00, 0x00, 0x61, 0x62,
	};
	uint8_t pkt6[50] = {
		0x60, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x11, 0x40,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
		0x04, 0x00, 0x00, 0x35, 0x00, 0x0a, 0x00, 0x00, 0x61, 0x62,
	};
	struct ref_l4_result res;

	(void)state;
	assert_int_equal(ref_l4_check_ipv4(pkt, sizeof(pkt), &res), REF_L4_SKIPPED);
	assert_true(ref_l4_ok_ipv4(pkt, sizeof(pkt)));
	/* RFC 8200 §8.1: a zero UDP checksum over IPv6 is to be discarded. */
	assert_int_equal(ref_l4_check_ipv6(pkt6, sizeof(pkt6), &res), REF_L4_BAD);
	assert_false(ref_l4_ok_ipv6(pkt6, sizeof(pkt6)));
}

static void test_verify_frame_accepts_snabb_softwire_frame(void **state)
{
	char why[128];

	(void)state;
	assert_int_equal(ref_verify_frame(snabb_ipip6_frame, sizeof(snabb_ipip6_frame), why,
					  sizeof(why)), 0);
	assert_string_equal(why, "");
}

static void test_verify_frame_names_inner_ipv4_header(void **state)
{
	uint8_t f[sizeof(snabb_ipip6_frame)];
	char why[128];

	(void)state;
	memcpy(f, snabb_ipip6_frame, sizeof(f));
	f[IPIP6_INNER_TTL] = 0x37; /* TTL 56 -> 55: checksum should grow by 0x100 */
	assert_int_equal(ref_verify_frame(f, sizeof(f), why, sizeof(why)), -1);
	assert_string_equal(why, "inner ipv4 header checksum 0xb608 expected 0xb708");
}

static void test_verify_frame_names_inner_tcp(void **state)
{
	uint8_t f[sizeof(snabb_ipip6_frame)];
	char why[128];

	(void)state;
	memcpy(f, snabb_ipip6_frame, sizeof(f));
	f[IPIP6_TCP_WINDOW_LO] = 0x20;
	assert_int_equal(ref_verify_frame(f, sizeof(f), why, sizeof(why)), -1);
	assert_string_equal(why, "inner tcp checksum 0xc406 expected 0xc405");
}

static void test_verify_frame_skips_l4_of_ipv4_fragment(void **state)
{
	uint8_t f[14 + sizeof(snabb_tcp4)] = { 0xfe, 0xfd, 0xb2, 0x4f, 0x96, 0xe9,
					       0x84, 0x78, 0xac, 0x0d, 0x8f, 0x41, 0x08, 0x00 };
	char why[128];

	(void)state;
	memcpy(f + 14, snabb_tcp4, sizeof(snabb_tcp4));
	assert_int_equal(ref_verify_frame(f, sizeof(f), why, sizeof(why)), 0);
	/* DF (0x4000) -> MF (0x2000): the header checksum rises by 0x2000. */
	f[14 + 6] = 0x20;
	f[14 + 10] = 0xd5;
	f[14 + 35] = 0x20; /* a TCP checksum that is now wrong */
	assert_int_equal(ref_verify_frame(f, sizeof(f), why, sizeof(why)), 0);
	/* The same damage without MF is caught. */
	f[14 + 6] = 0x40;
	f[14 + 10] = 0xb5;
	assert_int_equal(ref_verify_frame(f, sizeof(f), why, sizeof(why)), -1);
	assert_string_equal(why, "tcp checksum 0xc406 expected 0xc405");
}

static void test_verify_frame_rejects_truncated_ip(void **state)
{
	char why[128];

	(void)state;
	assert_int_equal(ref_verify_frame(snabb_ipip6_frame, sizeof(snabb_ipip6_frame) - 1, why,
					  sizeof(why)), -1);
	assert_string_equal(why, "ipv6 payload length 52 exceeds the 51 bytes present");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc1071_example_sum_and_checksum),
		cmocka_unit_test(test_ipv4_header_known_checksum),
		cmocka_unit_test(test_ipv4_header_ok_rejects_damage),
		cmocka_unit_test(test_odd_length_pads_with_zero_low_byte),
		cmocka_unit_test(test_odd_piece_may_come_last),
		cmocka_unit_test(test_fold_repeats_until_no_carry),
		cmocka_unit_test(test_long_buffer_does_not_overflow),
		cmocka_unit_test(test_tcp_ipv4_known_checksum),
		cmocka_unit_test(test_icmpv6_known_checksum),
		cmocka_unit_test(test_udp_ipv4_hand_computed_checksum),
		cmocka_unit_test(test_udp_zero_checksum_is_none_over_ipv4_only),
		cmocka_unit_test(test_verify_frame_accepts_snabb_softwire_frame),
		cmocka_unit_test(test_verify_frame_names_inner_ipv4_header),
		cmocka_unit_test(test_verify_frame_names_inner_tcp),
		cmocka_unit_test(test_verify_frame_skips_l4_of_ipv4_fragment),
		cmocka_unit_test(test_verify_frame_rejects_truncated_ip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
