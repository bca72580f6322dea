/* SPDX-License-Identifier: GPL-2.0 */
/* The frame comparator: which fields it names, what masks hide, and that a
 * checksum hidden by a mask is still verified on the actual frame. Frames are
 * Snabb's (values checked with tcpdump -vv) patched by hand, or built with
 * pkt.h where only field names and hand-set values are asserted. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "pkt.h"
#include "pktcmp.h"

/* tcp-frominet-bound.pcap: IPv4 149.174.156.93 -> 178.79.150.233, TTL 57,
 * ID 0x1177 (offset 18), header checksum 0xb508 (offset 24), TCP 54192 -> 80. */
static const uint8_t snabb_tcp4_frame[66] = {
	0xfe, 0xfd, 0xb2, 0x4f, 0x96, 0xe9, 0x84, 0x78, 0xac, 0x0d, 0x8f, 0x41, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x34, 0x11, 0x77, 0x40, 0x00, 0x39, 0x06, 0xb5, 0x08, 0x95, 0xae,
	0x9c, 0x5d, 0xb2, 0x4f, 0x96, 0xe9, 0xd3, 0xb0, 0x00, 0x50, 0x20, 0xae, 0x31, 0x5a,
	0xbf, 0x52, 0x96, 0xe6, 0x80, 0x10, 0x00, 0x1f, 0xc4, 0x06, 0x00, 0x00, 0x01, 0x01,
	0x08, 0x0a, 0xa4, 0x4b, 0x24, 0x63, 0xf8, 0xbd, 0xf9, 0xa3,
};

/* tcp-fromb4-ipv6.pcap: IPv6 hop limit 255 (offset 21), next header 4; inner
 * IPv4 TTL 56 (offset 62), checksum 0xb608 (offset 64). */
static const uint8_t snabb_ipip6_frame[106] = {
	0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x86, 0xdd,
	0x60, 0x00, 0x00, 0x00, 0x00, 0x34, 0x04, 0xff, 0x01, 0x27, 0x00, 0x11, 0x00, 0x12,
	0x00, 0x13, 0x00, 0x14, 0x00, 0x15, 0x00, 0x16, 0x01, 0x28, 0x00, 0x08, 0x00, 0x09,
	0x00, 0x0a, 0x00, 0x0b, 0x00, 0x0c, 0x00, 0x0d, 0x00, 0x0e, 0x00, 0x0f, 0x45, 0x00,
	0x00, 0x34, 0x11, 0x77, 0x40, 0x00, 0x38, 0x06, 0xb6, 0x08, 0xb2, 0x4f, 0x96, 0xe9,
	0x95, 0xae, 0x9c, 0x5d, 0xd3, 0xb0, 0x00, 0x50, 0x20, 0xae, 0x31, 0x5a, 0xbf, 0x52,
	0x96, 0xe6, 0x80, 0x10, 0x00, 0x1f, 0xc4, 0x06, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a,
	0xa4, 0x4b, 0x24, 0x63, 0xf8, 0xbd, 0xf9, 0xa3,
};

#define MAX_D 16

static void assert_diff(const struct pktcmp_diff *d, const char *field, const char *actual,
			const char *expected)
{
	assert_string_equal(d->field, field);
	assert_string_equal(d->actual, actual);
	assert_string_equal(d->expected, expected);
}

static void test_identical_frames_have_no_diffs(void **state)
{
	struct pktcmp_diff d[MAX_D];

	(void)state;
	assert_int_equal(pktcmp(snabb_tcp4_frame, sizeof(snabb_tcp4_frame), snabb_tcp4_frame,
				sizeof(snabb_tcp4_frame), 0, d, MAX_D), 0);
	assert_int_equal(pktcmp(snabb_ipip6_frame, sizeof(snabb_ipip6_frame), snabb_ipip6_frame,
				sizeof(snabb_ipip6_frame), 0, d, MAX_D), 0);
}

static void test_inner_ttl_change_reports_ttl_and_checksum(void **state)
{
	uint8_t f[sizeof(snabb_ipip6_frame)];
	struct pktcmp_diff d[MAX_D];

	(void)state;
	memcpy(f, snabb_ipip6_frame, sizeof(f));
	f[62] = 55;   /* TTL 56 -> 55 ... */
	f[64] = 0xb7; /* ... and the checksum 0xb608 -> 0xb708 that goes with it */
	assert_int_equal(pktcmp(f, sizeof(f), snabb_ipip6_frame, sizeof(snabb_ipip6_frame), 0, d,
				MAX_D), 2);
	assert_diff(&d[0], "inner.ipv4.ttl", "55", "56");
	assert_diff(&d[1], "inner.ipv4.checksum", "0xb708", "0xb608");
}

static void test_masked_outer_hop_limit_is_ignored(void **state)
{
	uint8_t f[sizeof(snabb_ipip6_frame)];
	struct pktcmp_diff d[MAX_D];

	(void)state;
	memcpy(f, snabb_ipip6_frame, sizeof(f));
	f[21] = 64;
	assert_int_equal(pktcmp(f, sizeof(f), snabb_ipip6_frame, sizeof(snabb_ipip6_frame), 0, d,
				MAX_D), 1);
	assert_diff(&d[0], "ipv6.hop_limit", "64", "255");
	assert_int_equal(pktcmp(f, sizeof(f), snabb_ipip6_frame, sizeof(snabb_ipip6_frame),
				PKTCMP_MASK_OUTER_HOP_LIMIT, d, MAX_D), 0);
	/* The mask does not reach the inner TTL. */
	f[62] = 55;
	f[64] = 0xb7;
	assert_int_equal(pktcmp(f, sizeof(f), snabb_ipip6_frame, sizeof(snabb_ipip6_frame),
				PKTCMP_MASK_OUTER_HOP_LIMIT, d, MAX_D), 2);
	assert_string_equal(d[0].field, "inner.ipv4.ttl");
}

static void test_hop_limit_mask_only_covers_softwires(void **state)
{
	struct pktcmp_diff d[MAX_D];
	uint8_t a[128], e[128];
	int alen, elen;
	struct pkt p;

	(void)state;
	/* Plain ICMPv6: its hop limit is not a tunnel's. */
	pkt_init(&p, e, sizeof(e));
	pkt_eth(&p, &(struct pkt_eth){ .src = { 2, 0, 0, 0, 0, 1 }, .dst = { 2, 0, 0, 0, 0, 2 } });
	pkt_ipv6(&p, &(struct pkt_ip6){ .src = ip6("2001:db8::1"), .dst = ip6("2001:db8::2"),
					.hop_limit = 64 });
	pkt_icmp6(&p, &(struct pkt_icmp){ .type = 128, .id = 1, .seq = 1 });
	elen = pkt_finish(&p);
	memcpy(a, e, (size_t)elen);
	alen = elen;
	a[21] = 63;
	assert_int_equal(pktcmp(a, (size_t)alen, e, (size_t)elen, PKTCMP_MASK_OUTER_HOP_LIMIT, d,
				MAX_D), 1);
	assert_diff(&d[0], "ipv6.hop_limit", "63", "64");
}

static void test_ipv4_vs_ipv6_reports_ethertype_and_stops(void **state)
{
	struct pktcmp_diff d[MAX_D];

	(void)state;
	assert_int_equal(pktcmp(snabb_tcp4_frame, sizeof(snabb_tcp4_frame), snabb_ipip6_frame,
				sizeof(snabb_ipip6_frame), 0, d, MAX_D), 5);
	assert_diff(&d[0], "frame.length", "66", "106");
	assert_diff(&d[1], "eth.dst", "fe:fd:b2:4f:96:e9", "44:44:44:44:44:44");
	assert_diff(&d[2], "eth.src", "84:78:ac:0d:8f:41", "22:22:22:22:22:22");
	assert_diff(&d[3], "eth.type", "0x0800", "0x86dd");
	assert_diff(&d[4], "structure", "ipv4.version", "ipv6.version");
}

static void test_masked_frag_id_still_verifies_checksum(void **state)
{
	uint8_t f[sizeof(snabb_tcp4_frame)];
	struct pktcmp_diff d[MAX_D];

	(void)state;
	memcpy(f, snabb_tcp4_frame, sizeof(f));
	f[19] = 0x78; /* ID 0x1177 -> 0x1178: the checksum drops by one */
	f[25] = 0x07; /* 0xb508 -> 0xb507 */
	assert_int_equal(pktcmp(f, sizeof(f), snabb_tcp4_frame, sizeof(snabb_tcp4_frame), 0, d,
				MAX_D), 2);
	assert_diff(&d[0], "ipv4.id", "0x1178", "0x1177");
	assert_diff(&d[1], "ipv4.checksum", "0xb507", "0xb508");
	assert_int_equal(pktcmp(f, sizeof(f), snabb_tcp4_frame, sizeof(snabb_tcp4_frame),
				PKTCMP_MASK_FRAG_ID, d, MAX_D), 0);

	/* Same ID change, checksum left stale: the mask hides the ID, but
	 * the actual frame's checksum is recomputed and found wrong. */
	f[25] = 0x08;
	assert_int_equal(pktcmp(f, sizeof(f), snabb_tcp4_frame, sizeof(snabb_tcp4_frame),
				PKTCMP_MASK_FRAG_ID, d, MAX_D), 1);
	assert_diff(&d[0], "ipv4.checksum", "0xb508", "valid 0xb507");
}

static void test_masked_flow_label_is_ignored(void **state)
{
	uint8_t f[sizeof(snabb_ipip6_frame)];
	struct pktcmp_diff d[MAX_D];

	(void)state;
	memcpy(f, snabb_ipip6_frame, sizeof(f));
	f[15] = 0x01; /* flow label 0x12345 */
	f[16] = 0x23;
	f[17] = 0x45;
	assert_int_equal(pktcmp(f, sizeof(f), snabb_ipip6_frame, sizeof(snabb_ipip6_frame), 0, d,
				MAX_D), 1);
	assert_diff(&d[0], "ipv6.flow_label", "0x12345", "0x00000");
	assert_int_equal(pktcmp(f, sizeof(f), snabb_ipip6_frame, sizeof(snabb_ipip6_frame),
				PKTCMP_MASK_FLOW_LABEL, d, MAX_D), 0);
}

static void test_tcp_and_payload_fields_are_named(void **state)
{
	uint8_t f[sizeof(snabb_tcp4_frame)], a[128], e[128];
	struct pktcmp_diff d[MAX_D];
	struct pkt p;
	int len;

	(void)state;
	memcpy(f, snabb_tcp4_frame, sizeof(f));
	f[36] = 0x1f; /* destination port 80 -> 8080 (0x1f90) */
	f[37] = 0x90;
	f[65] = 0xa4; /* last byte of the timestamp option */
	/* Both frames carry TCP checksum 0xc406, so that field is equal. */
	assert_int_equal(pktcmp(f, sizeof(f), snabb_tcp4_frame, sizeof(snabb_tcp4_frame), 0, d,
				MAX_D), 2);
	assert_diff(&d[0], "tcp.dport", "8080", "80");
	assert_diff(&d[1], "tcp.options", "0101080aa44b2463f8bdf9a4", "0101080aa44b2463f8bdf9a3");

	/* UDP payload 00 01 02 ... 27; byte 20 (0x14) changed to 0xff. */
	pkt_init(&p, e, sizeof(e));
	pkt_eth(&p, &(struct pkt_eth){ .src = { 2, 0, 0, 0, 0, 1 }, .dst = { 2, 0, 0, 0, 0, 2 } });
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4("192.0.2.1"), .dst = ip4("192.0.2.2"),
					.ttl = 64 });
	pkt_udp(&p, &(struct pkt_udp){ .sport = 7, .dport = 7 });
	pkt_data_pattern(&p, 40, 0);
	len = pkt_finish(&p);
	assert_int_equal(len, 14 + 20 + 8 + 40);
	memcpy(a, e, (size_t)len);
	a[42 + 20] = 0xff;
	assert_int_equal(pktcmp(a, (size_t)len, e, (size_t)len, 0, d, MAX_D), 1);
	assert_diff(&d[0], "payload", "40 bytes, [20]=0xff", "40 bytes, [20]=0x14");
}

/* Builds an Ethernet/IPv4 ICMP 3/4 error about a TCP packet, quoting at most
 * quote bytes, with the TTL and ID the generator chose. */
static int build_frag_needed(uint8_t *buf, size_t cap, uint8_t ttl, uint16_t id, size_t quote,
			     uint16_t quoted_dport)
{
	uint8_t orig[256];
	struct pkt p;
	int olen;

	pkt_init(&p, orig, sizeof(orig));
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4("198.51.100.7"), .dst = ip4("192.0.2.1"),
					.ttl = 57, .df = true, .id = 0x0707 });
	pkt_tcp(&p, &(struct pkt_tcp){ .sport = 80, .dport = quoted_dport,
				       .flags = PKT_TCP_ACK, .window = 1000 });
	pkt_data_pattern(&p, 100, 1);
	olen = pkt_finish(&p);
	assert_int_equal(olen, 140);

	pkt_init(&p, buf, cap);
	pkt_eth(&p, &(struct pkt_eth){ .src = { 2, 0, 0, 0, 0, 1 }, .dst = { 2, 0, 0, 0, 0, 2 } });
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4("192.0.2.254"), .dst = ip4("198.51.100.7"),
					.ttl = ttl, .id = id });
	pkt_icmp4(&p, &(struct pkt_icmp){ .type = 3, .code = 4, .mtu = 1280 });
	pkt_quote(&p, orig, quote, 0);
	return pkt_finish(&p);
}

static void test_icmp_generated_mask_hides_ttl_id_and_quote_length(void **state)
{
	struct pktcmp_diff d[MAX_D];
	uint8_t a[512], e[512];
	int alen, elen, n;

	(void)state;
	/* Expected: TTL 64, ID 0, the whole 140-byte packet quoted.
	 * Actual: TTL 255, ID 0x4242, only IPv4 header + 8 bytes quoted. */
	elen = build_frag_needed(e, sizeof(e), 64, 0, 140, 53300);
	alen = build_frag_needed(a, sizeof(a), 255, 0x4242, 28, 53300);
	assert_int_equal(elen, 14 + 20 + 8 + 140);
	assert_int_equal(alen, 14 + 20 + 8 + 28);

	n = pktcmp(a, (size_t)alen, e, (size_t)elen, 0, d, MAX_D);
	assert_true(n >= 6);
	assert_diff(&d[0], "frame.length", "70", "182");
	assert_diff(&d[1], "ipv4.total_length", "56", "168");
	assert_diff(&d[2], "ipv4.id", "0x4242", "0x0000");
	assert_diff(&d[3], "ipv4.ttl", "255", "64");
	assert_string_equal(d[4].field, "ipv4.checksum");
	assert_string_equal(d[5].field, "icmp.checksum");
	assert_diff(&d[6], "icmp.quote_length", "28", "140");

	assert_int_equal(pktcmp(a, (size_t)alen, e, (size_t)elen, PKTCMP_MASK_ICMP_GENERATED, d,
				MAX_D), 0);
}

static void test_icmp_generated_mask_still_compares_the_quote(void **state)
{
	struct pktcmp_diff d[MAX_D];
	uint8_t a[512], e[512];
	int alen, elen;

	(void)state;
	elen = build_frag_needed(e, sizeof(e), 64, 0, 140, 53300);
	alen = build_frag_needed(a, sizeof(a), 255, 1, 28, 53301);
	/* Within the 28 bytes both quote, the TCP destination port differs;
	 * the ICMP checksum it changes is verified, not compared. */
	assert_int_equal(pktcmp(a, (size_t)alen, e, (size_t)elen, PKTCMP_MASK_ICMP_GENERATED, d,
				MAX_D), 1);
	assert_diff(&d[0], "quoted.tcp.dport", "53301", "53300");

	/* A broken ICMP checksum is reported against the value it should have. */
	a[36] ^= 0xff;
	assert_int_equal(pktcmp(a, (size_t)alen, e, (size_t)elen, PKTCMP_MASK_ICMP_GENERATED, d,
				MAX_D), 2);
	assert_string_equal(d[0].field, "icmp.checksum");
	assert_int_equal(strncmp(d[0].expected, "valid 0x", 8), 0);
	assert_string_equal(d[1].field, "quoted.tcp.dport");
}

static void test_vlan_vid_and_quoted_inner_names(void **state)
{
	struct pktcmp_diff d[MAX_D];
	uint8_t a[256], e[256], q[128];
	int alen = 0, elen = 0, qlen, i;
	struct pkt p;

	(void)state;
	for (i = 0; i < 2; i++) {
		/* An ICMPv6 error quoting a softwire packet whose inner TTL
		 * differs between the two frames. */
		pkt_init(&p, q, sizeof(q));
		pkt_ipv6(&p, &(struct pkt_ip6){ .src = ip6("2001:db8::b4"),
						.dst = ip6("2001:db8::1"), .hop_limit = 64 });
		pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4("192.0.2.1"),
						.dst = ip4("198.51.100.7"), .ttl = i ? 64 : 9 });
		pkt_udp(&p, &(struct pkt_udp){ .sport = 53300, .dport = 53 });
		qlen = pkt_finish(&p);

		pkt_init(&p, i ? e : a, 256);
		pkt_eth(&p, &(struct pkt_eth){ .src = { 2, 0, 0, 0, 0, 1 },
					       .dst = { 2, 0, 0, 0, 0, 2 },
					       .vid = i ? 200 : 100 });
		pkt_ipv6(&p, &(struct pkt_ip6){ .src = ip6("2001:db8::1"),
						.dst = ip6("2001:db8::b4"), .hop_limit = 64 });
		pkt_icmp6(&p, &(struct pkt_icmp){ .type = 1, .code = 5 });
		pkt_quote(&p, q, (size_t)qlen, PKT_ICMP6_ERROR_MAX);
		if (i)
			elen = pkt_finish(&p);
		else
			alen = pkt_finish(&p);
	}
	/* No icmpv6.checksum: a TTL change and the IPv4 checksum change that
	 * follows it cancel out in any one's-complement sum over both. */
	assert_int_equal(pktcmp(a, (size_t)alen, e, (size_t)elen, 0, d, MAX_D), 3);
	assert_diff(&d[0], "vlan.vid", "100", "200");
	assert_diff(&d[1], "quoted.inner.ipv4.ttl", "9", "64");
	assert_string_equal(d[2].field, "quoted.inner.ipv4.checksum");
}

static void test_structure_difference_in_length(void **state)
{
	uint8_t f[sizeof(snabb_tcp4_frame) + 4];
	struct pktcmp_diff d[MAX_D];

	(void)state;
	/* The same frame with four bytes of Ethernet padding. */
	memcpy(f, snabb_tcp4_frame, sizeof(snabb_tcp4_frame));
	memset(f + sizeof(snabb_tcp4_frame), 0, 4);
	assert_int_equal(pktcmp(f, sizeof(f), snabb_tcp4_frame, sizeof(snabb_tcp4_frame), 0, d,
				MAX_D), 2);
	assert_diff(&d[0], "frame.length", "70", "66");
	assert_diff(&d[1], "structure", "eth.padding", "(end)");
}

static void test_fills_at_most_max_diffs_but_counts_all(void **state)
{
	struct pktcmp_diff d[2];

	(void)state;
	memset(d, 0, sizeof(d));
	assert_int_equal(pktcmp(snabb_tcp4_frame, sizeof(snabb_tcp4_frame), snabb_ipip6_frame,
				sizeof(snabb_ipip6_frame), 0, d, 2), 5);
	assert_string_equal(d[0].field, "frame.length");
	assert_string_equal(d[1].field, "eth.dst");
	assert_int_equal(pktcmp(snabb_tcp4_frame, sizeof(snabb_tcp4_frame), snabb_ipip6_frame,
				sizeof(snabb_ipip6_frame), 0, NULL, 0), 5);
}

static void test_describe_softwire_and_ipv4_frames(void **state)
{
	char buf[256];

	(void)state;
	assert_string_equal(pktcmp_describe(snabb_ipip6_frame, sizeof(snabb_ipip6_frame), buf,
					    sizeof(buf)),
			    "eth 22:22:22:22:22:22→44:44:44:44:44:44 "
			    "ipv6 127:11:12:13:14:15:16:128→8:9:a:b:c:d:e:f hl 255 nh 4 | "
			    "ipv4 178.79.150.233→149.174.156.93 ttl 56 tcp 54192→80 A len 52");
	assert_string_equal(pktcmp_describe(snabb_tcp4_frame, sizeof(snabb_tcp4_frame), buf,
					    sizeof(buf)),
			    "eth 84:78:ac:0d:8f:41→fe:fd:b2:4f:96:e9 "
			    "ipv4 149.174.156.93→178.79.150.233 ttl 57 tcp 54192→80 A len 52");
	/* A short buffer is cut, still terminated. */
	assert_int_equal(strlen(pktcmp_describe(snabb_tcp4_frame, sizeof(snabb_tcp4_frame), buf,
						10)), 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identical_frames_have_no_diffs),
		cmocka_unit_test(test_inner_ttl_change_reports_ttl_and_checksum),
		cmocka_unit_test(test_masked_outer_hop_limit_is_ignored),
		cmocka_unit_test(test_hop_limit_mask_only_covers_softwires),
		cmocka_unit_test(test_ipv4_vs_ipv6_reports_ethertype_and_stops),
		cmocka_unit_test(test_masked_frag_id_still_verifies_checksum),
		cmocka_unit_test(test_masked_flow_label_is_ignored),
		cmocka_unit_test(test_tcp_and_payload_fields_are_named),
		cmocka_unit_test(test_icmp_generated_mask_hides_ttl_id_and_quote_length),
		cmocka_unit_test(test_icmp_generated_mask_still_compares_the_quote),
		cmocka_unit_test(test_vlan_vid_and_quoted_inner_names),
		cmocka_unit_test(test_structure_difference_in_length),
		cmocka_unit_test(test_fills_at_most_max_diffs_but_counts_all),
		cmocka_unit_test(test_describe_softwire_and_ipv4_frames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
