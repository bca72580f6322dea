/* SPDX-License-Identifier: GPL-2.0 */
/* The packet builder: byte-exact output for small frames whose bytes and
 * checksums were worked out by hand (in the comments), lengths and protocol
 * numbers of nested layers, ICMP quotes, and ref_verify_frame on the result. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "csum_ref.h"
#include "pkt.h"

static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t MAC_B[6] = { 0x02, 0, 0, 0, 0, 0x02 };

static struct pkt_eth eth_ab(uint16_t vid)
{
	struct pkt_eth e = { .vid = vid };

	memcpy(e.src, MAC_A, 6);
	memcpy(e.dst, MAC_B, 6);
	return e;
}

/* Eth / IPv4 192.0.2.1 -> 198.51.100.2, id 0x1234, DF, TTL 64 / UDP 1024 -> 53
 * / "ab".
 * IPv4 header: 4500+001e+1234+4000+4011+c000+0201+c633+6402 = 0x2c399
 *   -> 0xc39b, checksum 0x3c64.
 * UDP: pseudo c000+0201+c633+6402+0011+000a, header 0400+0035+000a,
 *   data 6162: 0x251f2 -> 0x51f4, checksum 0xae0b. */
static const uint8_t udp4_expected[44] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x1e, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11, 0x3c, 0x64,
	0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02,
	0x04, 0x00, 0x00, 0x35, 0x00, 0x0a, 0xae, 0x0b, 0x61, 0x62,
};

static int build_udp4(uint8_t *buf, size_t cap)
{
	struct pkt_eth e = eth_ab(0);
	struct pkt p;

	pkt_init(&p, buf, cap);
	pkt_eth(&p, &e);
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4("192.0.2.1"), .dst = ip4("198.51.100.2"),
					.id = 0x1234, .df = true, .ttl = 64 });
	pkt_udp(&p, &(struct pkt_udp){ .sport = 1024, .dport = 53 });
	pkt_data(&p, "ab", 2);
	return pkt_finish(&p);
}

/* Eth with VLAN 100 / IPv6 2001:db8::1 -> 2001:db8::2, hop limit 64 /
 * ICMPv6 echo request id 1 seq 2, no data.
 * pseudo 2dba (src) + 2dbb (dst) + 0008 + 003a, ICMPv6 8000+0001+0002:
 * 0xdbba, checksum 0x2445. */
static const uint8_t ping6_vlan_expected[66] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x81, 0x00, 0x00, 0x64, 0x86, 0xdd,
	0x60, 0x00, 0x00, 0x00, 0x00, 0x08, 0x3a, 0x40,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
	0x80, 0x00, 0x24, 0x45, 0x00, 0x01, 0x00, 0x02,
};

static int build_ping6_vlan(uint8_t *buf, size_t cap)
{
	struct pkt_eth e = eth_ab(100);
	struct pkt p;

	pkt_init(&p, buf, cap);
	pkt_eth(&p, &e);
	pkt_ipv6(&p, &(struct pkt_ip6){ .src = ip6("2001:db8::1"), .dst = ip6("2001:db8::2"),
					.hop_limit = 64 });
	pkt_icmp6(&p, &(struct pkt_icmp){ .type = 128, .id = 1, .seq = 2 });
	return pkt_finish(&p);
}

static void test_udp_ipv4_frame_matches_hand_made_bytes(void **state)
{
	uint8_t buf[128];

	(void)state;
	assert_int_equal(build_udp4(buf, sizeof(buf)), sizeof(udp4_expected));
	assert_memory_equal(buf, udp4_expected, sizeof(udp4_expected));
}

static void test_icmpv6_echo_vlan_frame_matches_hand_made_bytes(void **state)
{
	uint8_t buf[128];

	(void)state;
	assert_int_equal(build_ping6_vlan(buf, sizeof(buf)), sizeof(ping6_vlan_expected));
	assert_memory_equal(buf, ping6_vlan_expected, sizeof(ping6_vlan_expected));
}

static void test_ipv4_in_ipv6_tcp_lengths_and_protocols(void **state)
{
	struct pkt_eth e = eth_ab(0);
	uint8_t buf[256];
	char why[128];
	struct pkt p;
	int ip6_off, ip4_off, tcp_off;

	(void)state;
	pkt_init(&p, buf, sizeof(buf));
	pkt_eth(&p, &e);
	ip6_off = pkt_ipv6(&p, &(struct pkt_ip6){ .src = ip6("2001:db8:1::b4"),
						  .dst = ip6("2001:db8:2::1"), .hop_limit = 64,
						  .traffic_class = 0xb8, .flow_label = 0x12345 });
	ip4_off = pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4("192.0.2.1"),
						  .dst = ip4("198.51.100.1"), .ttl = 63 });
	tcp_off = pkt_tcp(&p, &(struct pkt_tcp){ .sport = 53248, .dport = 80, .seq = 1,
						 .flags = PKT_TCP_SYN, .window = 65535,
						 .mss = 1400 });
	pkt_data_pattern(&p, 10, 0x30);
	assert_int_equal(ip6_off, 14);
	assert_int_equal(ip4_off, 54);
	assert_int_equal(tcp_off, 74);
	/* 14 + 40 + 20 + 24 (MSS option) + 10 */
	assert_int_equal(pkt_finish(&p), 108);

	assert_int_equal(buf[12] << 8 | buf[13], 0x86dd);
	/* version 6, traffic class b8, flow label 12345 */
	assert_int_equal(buf[14], 0x6b);
	assert_int_equal(buf[15], 0x81);
	assert_int_equal(buf[16], 0x23);
	assert_int_equal(buf[17], 0x45);
	assert_int_equal(buf[18] << 8 | buf[19], 54); /* IPv6 payload length */
	assert_int_equal(buf[20], 4);                 /* next header IPv4 */
	assert_int_equal(buf[56] << 8 | buf[57], 54); /* IPv4 total length */
	assert_int_equal(buf[63], 6);                 /* protocol TCP */
	assert_int_equal(buf[86] >> 4, 6);            /* TCP data offset, words */
	assert_int_equal(buf[87], 0x02);              /* SYN */
	assert_int_equal(buf[94], 2);                 /* MSS option */
	assert_int_equal(buf[95], 4);
	assert_int_equal(buf[96] << 8 | buf[97], 1400);
	assert_int_equal(buf[98], 0x30);
	assert_int_equal(buf[107], 0x39);
	assert_int_equal(ref_verify_frame(buf, 108, why, sizeof(why)), 0);
}

static void test_encap_limit_and_fragment_headers(void **state)
{
	static const uint8_t dstopts[8] = { 44, 0, 4, 1, 4, 1, 1, 0 };
	static const uint8_t frag[8] = { 4, 0, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef };
	struct pkt_eth e = eth_ab(0);
	uint8_t buf[256];
	char why[128];
	struct pkt p;
	int len;

	(void)state;
	pkt_init(&p, buf, sizeof(buf));
	pkt_eth(&p, &e);
	pkt_ipv6(&p, &(struct pkt_ip6){ .src = ip6("2001:db8::b4"), .dst = ip6("2001:db8::1"),
					.hop_limit = 64 });
	pkt_ipv6_encap_limit(&p, 4);
	pkt_ipv6_frag(&p, &(struct pkt_ip6_frag){ .offset = 0, .more = true, .id = 0xdeadbeef });
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4("192.0.2.1"), .dst = ip4("198.51.100.1"),
					.ttl = 64 });
	pkt_udp(&p, &(struct pkt_udp){ .sport = 1, .dport = 2 });
	pkt_data_pattern(&p, 4, 0);
	len = pkt_finish(&p);
	/* 14 + 40 + 8 + 8 + 20 + 8 + 4 */
	assert_int_equal(len, 102);
	assert_int_equal(buf[20], 60); /* IPv6 -> destination options */
	assert_int_equal(buf[18] << 8 | buf[19], 48);
	/* RFC 2473 §4.1.1: next header, length 0, option 4 len 1 limit 4, PadN. */
	assert_memory_equal(buf + 54, dstopts, sizeof(dstopts));
	/* Fragment header: next header 4, offset 0 with M set, the ID. */
	assert_memory_equal(buf + 62, frag, sizeof(frag));
	/* The inner IPv4 header is still checked; its UDP is not summed
	 * (fragment), so a wrong UDP checksum passes and a wrong IPv4 one
	 * does not. */
	assert_int_equal(ref_verify_frame(buf, (size_t)len, why, sizeof(why)), 0);
	buf[70 + 26] ^= 0xff;
	assert_int_equal(ref_verify_frame(buf, (size_t)len, why, sizeof(why)), 0);
	buf[70 + 8] ^= 1;
	assert_int_equal(ref_verify_frame(buf, (size_t)len, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "inner ipv4 header checksum"));
}

/* An IPv4/TCP packet as the sender of an offending packet built it. */
static int build_offender(uint8_t *buf, size_t cap, size_t payload)
{
	struct pkt p;

	pkt_init(&p, buf, cap);
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4("198.51.100.7"), .dst = ip4("192.0.2.1"),
					.ttl = 57, .df = true, .id = 7 });
	pkt_tcp(&p, &(struct pkt_tcp){ .sport = 80, .dport = 53300, .flags = PKT_TCP_ACK,
				       .window = 1000 });
	pkt_data_pattern(&p, payload, 1);
	return pkt_finish(&p);
}

static void test_icmpv4_error_quotes_within_576(void **state)
{
	struct pkt_eth e = eth_ab(0);
	uint8_t orig[1500], buf[1600];
	char why[128];
	struct pkt p;
	int olen, len, icmp_off;

	(void)state;
	olen = build_offender(orig, sizeof(orig), 1400);
	assert_int_equal(olen, 1440);
	pkt_init(&p, buf, sizeof(buf));
	pkt_eth(&p, &e);
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4("192.0.2.254"), .dst = ip4("198.51.100.7"),
					.ttl = 64 });
	icmp_off = pkt_icmp4(&p, &(struct pkt_icmp){ .type = 3, .code = 4, .mtu = 1280 });
	pkt_quote(&p, orig, (size_t)olen, PKT_ICMP4_ERROR_MAX);
	len = pkt_finish(&p);
	/* RFC 1812 §4.3.2.3: the error's IP packet stops at 576 octets. */
	assert_int_equal(len, 14 + 576);
	assert_int_equal(buf[16] << 8 | buf[17], 576);
	assert_int_equal(buf[23], 1); /* protocol ICMP */
	assert_int_equal(icmp_off, 34);
	assert_int_equal(buf[34], 3);
	assert_int_equal(buf[35], 4);
	assert_int_equal(buf[38] << 8 | buf[39], 0);    /* unused */
	assert_int_equal(buf[40] << 8 | buf[41], 1280); /* next-hop MTU */
	assert_memory_equal(buf + 42, orig, 576 - 28);
	assert_int_equal(ref_verify_frame(buf, (size_t)len, why, sizeof(why)), 0);
	/* The ICMP checksum covers the quote. */
	buf[100] ^= 0x10;
	assert_int_equal(ref_verify_frame(buf, (size_t)len, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "icmp checksum"));
}

static void test_icmpv6_error_quotes_softwire_packet(void **state)
{
	struct pkt_eth e = eth_ab(0);
	uint8_t inner[1500], buf[1600];
	char why[128];
	struct pkt p, q;
	int qlen, len;

	(void)state;
	/* The softwire packet the error is about: IPv4-in-IPv6, 1480 bytes. */
	pkt_init(&q, inner, sizeof(inner));
	pkt_ipv6(&q, &(struct pkt_ip6){ .src = ip6("2001:db8::1"), .dst = ip6("2001:db8::b4"),
					.hop_limit = 64 });
	pkt_ipv4(&q, &(struct pkt_ip4){ .src = ip4("198.51.100.7"), .dst = ip4("192.0.2.1"),
					.ttl = 57 });
	pkt_udp(&q, &(struct pkt_udp){ .sport = 53, .dport = 53300 });
	pkt_data_pattern(&q, 1412, 0);
	qlen = pkt_finish(&q);
	assert_int_equal(qlen, 1480);

	pkt_init(&p, buf, sizeof(buf));
	pkt_eth(&p, &e);
	pkt_ipv6(&p, &(struct pkt_ip6){ .src = ip6("2001:db8:ffff::1"), .dst = ip6("2001:db8::1"),
					.hop_limit = 64 });
	pkt_icmp6(&p, &(struct pkt_icmp){ .type = 2, .code = 0, .mtu = 1400 });
	pkt_quote(&p, inner, (size_t)qlen, PKT_ICMP6_ERROR_MAX);
	len = pkt_finish(&p);
	/* RFC 4443 §2.4 (c): at most the IPv6 minimum MTU. */
	assert_int_equal(len, 14 + 1280);
	assert_int_equal(buf[18] << 8 | buf[19], 1240);
	assert_int_equal(buf[20], 58);
	assert_int_equal(buf[54], 2);
	assert_int_equal(buf[58] << 24 | buf[59] << 16 | buf[60] << 8 | buf[61], 1400);
	assert_memory_equal(buf + 62, inner, 1232);
	assert_int_equal(ref_verify_frame(buf, (size_t)len, why, sizeof(why)), 0);
}

/* Every bit of the IPv4 and UDP headers and data is under a checksum (or
 * breaks the structure), so any single flipped bit must be caught. (Not the
 * EtherType: a frame that stops being IP has nothing left to verify.) */
static void test_verify_catches_any_flipped_bit_in_udp4(void **state)
{
	uint8_t buf[128];
	char why[128];
	int len, off, bitno;

	(void)state;
	len = build_udp4(buf, sizeof(buf));
	assert_int_equal(ref_verify_frame(buf, (size_t)len, why, sizeof(why)), 0);
	for (off = 14; off < len; off++) {
		for (bitno = 0; bitno < 8; bitno++) {
			buf[off] ^= (uint8_t)(1u << bitno);
			if (ref_verify_frame(buf, (size_t)len, why, sizeof(why)) != -1)
				fail_msg("flipping bit %d of byte %d went unnoticed", bitno, off);
			buf[off] ^= (uint8_t)(1u << bitno);
		}
	}
}

/* IPv6 has no header checksum: a flipped hop limit passes, a flipped address
 * (in the pseudo-header) or ICMPv6 byte does not. */
static void test_verify_sees_ipv6_addresses_not_hop_limit(void **state)
{
	uint8_t buf[128];
	char why[128];
	int len, off;

	(void)state;
	len = build_ping6_vlan(buf, sizeof(buf));
	buf[25] ^= 1; /* hop limit */
	assert_int_equal(ref_verify_frame(buf, (size_t)len, why, sizeof(why)), 0);
	buf[25] ^= 1;
	for (off = 26; off < len; off++) {
		buf[off] ^= 0x80;
		if (ref_verify_frame(buf, (size_t)len, why, sizeof(why)) != -1)
			fail_msg("flipping byte %d went unnoticed", off);
		buf[off] ^= 0x80;
	}
	buf[60] ^= 0x01;
	assert_int_equal(ref_verify_frame(buf, (size_t)len, why, sizeof(why)), -1);
	assert_string_equal(why, "icmpv6 checksum 0x2545 expected 0x2445");
}

static void test_finish_reports_errors(void **state)
{
	uint8_t buf[40];
	struct pkt p;

	(void)state;
	/* 14 + 40 does not fit in 40 bytes. */
	pkt_init(&p, buf, sizeof(buf));
	pkt_eth(&p, &(struct pkt_eth){ .type = 0 });
	assert_int_equal(pkt_ipv6(&p, &(struct pkt_ip6){ .hop_limit = 1 }), -ENOSPC);
	assert_int_equal(pkt_udp(&p, &(struct pkt_udp){ .sport = 1 }), -ENOSPC);
	assert_int_equal(pkt_finish(&p), -ENOSPC);

	/* UDP needs an IP header for its pseudo-header. */
	pkt_init(&p, buf, sizeof(buf));
	pkt_udp(&p, &(struct pkt_udp){ .sport = 1, .dport = 2 });
	assert_int_equal(pkt_finish(&p), -EINVAL);

	/* A flow label has 20 bits. */
	pkt_init(&p, buf, sizeof(buf));
	assert_int_equal(pkt_ipv6(&p, &(struct pkt_ip6){ .flow_label = 0x100000 }), -EINVAL);
}

static void test_address_parsers(void **state)
{
	static const uint8_t v4[4] = { 192, 0, 2, 1 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
					0, 0, 0, 0, 0, 0, 0xbe, 0xef };
	static const uint8_t m[6] = { 0x02, 0x00, 0x5e, 0x10, 0xab, 0xCD };
	struct in6_addr a6 = ip6("2001:db8::beef");
	uint32_t a4 = ip4("192.0.2.1");
	uint8_t out[6];

	(void)state;
	assert_memory_equal(&a4, v4, 4); /* network order in memory */
	assert_memory_equal(&a6, v6, 16);
	mac("02:00:5e:10:ab:CD", out);
	assert_memory_equal(out, m, 6);
}

/* Runs fn(arg) in a child and reports whether it died of SIGABRT. */
static bool aborts(void (*fn)(const char *), const char *arg)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		/* The message on stderr is expected; keep the test log clean. */
		if (!freopen("/dev/null", "w", stderr))
			_exit(2);
		fn(arg);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void call_ip4(const char *s)
{
	(void)ip4(s);
}

static void call_ip6(const char *s)
{
	(void)ip6(s);
}

static void call_mac(const char *s)
{
	uint8_t out[6];

	mac(s, out);
}

static void test_address_parsers_abort_on_bad_input(void **state)
{
	(void)state;
	assert_true(aborts(call_ip4, "192.0.2.300"));
	assert_true(aborts(call_ip4, "2001:db8::1"));
	assert_true(aborts(call_ip6, "192.0.2.1"));
	assert_true(aborts(call_ip6, "2001:db8:::1"));
	assert_true(aborts(call_mac, "02:00:5e:10:00"));
	assert_true(aborts(call_mac, "2:0:5e:10:0:1"));
	assert_true(aborts(call_mac, "02:00:5e:10:00:0g"));
	/* and the good ones do not */
	assert_false(aborts(call_ip4, "0.0.0.0"));
	assert_false(aborts(call_mac, "ff:ff:ff:ff:ff:ff"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_ipv4_frame_matches_hand_made_bytes),
		cmocka_unit_test(test_icmpv6_echo_vlan_frame_matches_hand_made_bytes),
		cmocka_unit_test(test_ipv4_in_ipv6_tcp_lengths_and_protocols),
		cmocka_unit_test(test_encap_limit_and_fragment_headers),
		cmocka_unit_test(test_icmpv4_error_quotes_within_576),
		cmocka_unit_test(test_icmpv6_error_quotes_softwire_packet),
		cmocka_unit_test(test_verify_catches_any_flipped_bit_in_udp4),
		cmocka_unit_test(test_verify_sees_ipv6_addresses_not_hop_limit),
		cmocka_unit_test(test_finish_reports_errors),
		cmocka_unit_test(test_address_parsers),
		cmocka_unit_test(test_address_parsers_abort_on_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
