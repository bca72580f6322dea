/* SPDX-License-Identifier: GPL-2.0 */
/* Strict address and number parsing: what is accepted, what is refused and
 * what the refusal says. */
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

#include "addr.h"

static void ipv4_error(const char *in, const char *message)
{
	__be32 a = 0x12345678;
	char err[256] = "";

	assert_int_equal(lw_parse_ipv4(in, &a, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, message);
	assert_int_equal(a, 0x12345678); /* untouched on error */
}

static void test_ipv4(void **state)
{
	char buf[LW_IPV4_STRLEN];
	__be32 a;

	assert_int_equal(lw_parse_ipv4("192.0.2.1", &a, NULL, 0), 0);
	assert_int_equal(a, htonl(0xc0000201));
	assert_int_equal(lw_parse_ipv4("255.255.255.255", &a, NULL, 0), 0);
	assert_int_equal(a, 0xffffffff);
	assert_int_equal(lw_parse_ipv4("0.0.0.0", &a, NULL, 0), 0);
	assert_int_equal(a, 0);
	assert_string_equal(lw_format_ipv4(htonl(0xc6336407), buf, sizeof(buf)), "198.51.100.7");

	ipv4_error("", "empty IPv4 address");
	ipv4_error("1.2.3", "'1.2.3' is not an IPv4 address: expected 4 dot-separated octets");
	ipv4_error("1.2.3.4.5", "'1.2.3.4.5' is not an IPv4 address: trailing '.5'");
	ipv4_error("1.2.3.256", "'1.2.3.256' is not an IPv4 address: octet '256' > 255");
	ipv4_error("1.2.3.010", "'1.2.3.010' is not an IPv4 address: octet '010' has a leading zero");
	ipv4_error("1.2.3.4/24", "'1.2.3.4/24' is not an IPv4 address: a prefix length is not allowed here");
	ipv4_error(" 1.2.3.4", "' 1.2.3.4' is not an IPv4 address: unexpected character ' '");
	ipv4_error("1.2.-3.4", "'1.2.-3.4' is not an IPv4 address: unexpected character '-'");
	ipv4_error("1.2.3.99999999999", "'1.2.3.99999999999' is not an IPv4 address: octet '99999999999' > 255");
}

static void ipv6_error(const char *in, const char *message)
{
	struct in6_addr a;
	char err[256] = "";

	assert_int_equal(lw_parse_ipv6(in, &a, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, message);
}

static void test_ipv6(void **state)
{
	static const __u8 want[16] = { 0x01, 0x27, 0, 0x14, 0, 0x25, 0, 0x36,
				       0, 0x47, 0, 0x58, 0, 0x69, 0x01, 0x28 };
	char buf[LW_IPV6_STRLEN];
	struct in6_addr a;

	assert_int_equal(lw_parse_ipv6("127:14:25:36:47:58:69:128", &a, NULL, 0), 0);
	assert_memory_equal(&a, want, 16);
	assert_string_equal(lw_format_ipv6(&a, buf, sizeof(buf)), "127:14:25:36:47:58:69:128");
	assert_int_equal(lw_parse_ipv6("::", &a, NULL, 0), 0);
	assert_string_equal(lw_format_ipv6(&a, buf, sizeof(buf)), "::");
	assert_int_equal(lw_parse_ipv6("::ffff:192.0.2.1", &a, NULL, 0), 0);
	assert_int_equal(a.s6_addr[15], 1);

	ipv6_error("", "empty IPv6 address");
	ipv6_error("2001:db8::1/128", "'2001:db8::1/128' is not an IPv6 address: a prefix length is not allowed here");
	ipv6_error("fe80::1%eth0", "'fe80::1%eth0' is not an IPv6 address: a zone index is not allowed here");
	ipv6_error("192.0.2.1", "'192.0.2.1' is not an IPv6 address: no ':'");
	ipv6_error("2001:db8::x", "'2001:db8::x' is not an IPv6 address: unexpected character 'x'");
	ipv6_error("1::2::3", "'1::2::3' is not an IPv6 address: '::' may appear only once");
	ipv6_error("1:::2", "'1:::2' is not an IPv6 address: '::' may appear only once");
	ipv6_error("2001:db8::12345", "'2001:db8::12345' is not an IPv6 address: group '12345' has more than 4 hex digits");
	ipv6_error("1:2:3:4:5:6:7", "'1:2:3:4:5:6:7' is not an IPv6 address: expected 8 groups of 1-4 hex digits, or fewer with one '::'");
}

static void test_mac(void **state)
{
	static const __u8 want[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xef };
	char buf[LW_MAC_STRLEN], err[256];
	__u8 mac[6];
	static const char *const bad[] = {
		"02:aa:bb:cc:dd", "02:aa:bb:cc:dd:ef:00", "02-aa-bb-cc-dd-ef", "2:aa:bb:cc:dd:ef",
		"02:aa:bb:cc:dd:eg", "02:aa:bb:cc:dd:ef ",
	};
	size_t i;

	assert_int_equal(lw_parse_mac("02:AA:bb:Cc:dd:ef", mac, NULL, 0), 0);
	assert_memory_equal(mac, want, 6);
	assert_string_equal(lw_format_mac(mac, buf, sizeof(buf)), "02:aa:bb:cc:dd:ef");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char expect[256];

		snprintf(expect, sizeof(expect),
			 "'%s' is not a MAC address: expected six ':'-separated pairs of hex digits", bad[i]);
		assert_int_equal(lw_parse_mac(bad[i], mac, err, sizeof(err)), -EINVAL);
		assert_string_equal(err, expect);
	}
	assert_int_equal(lw_parse_mac("", mac, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "empty MAC address");
}

static void test_u32(void **state)
{
	uint32_t v = 7;

	assert_int_equal(lw_parse_u32("0", 0, 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(lw_parse_u32("4294967295", 0, UINT32_MAX, &v), 0);
	assert_int_equal(v, UINT32_MAX);
	assert_int_equal(lw_parse_u32("65535", 0, 65535, &v), 0);
	assert_int_equal(v, 65535);
	v = 7;
	assert_int_equal(lw_parse_u32("65536", 0, 65535, &v), -ERANGE);
	assert_int_equal(lw_parse_u32("0", 1, 10, &v), -ERANGE);
	assert_int_equal(lw_parse_u32("4294967296", 0, UINT32_MAX, &v), -EINVAL);
	assert_int_equal(lw_parse_u32("", 0, 10, &v), -EINVAL);
	assert_int_equal(lw_parse_u32("-1", 0, 10, &v), -EINVAL);
	assert_int_equal(lw_parse_u32("+1", 0, 10, &v), -EINVAL);
	assert_int_equal(lw_parse_u32(" 1", 0, 10, &v), -EINVAL);
	assert_int_equal(lw_parse_u32("1 ", 0, 10, &v), -EINVAL);
	assert_int_equal(lw_parse_u32("01", 0, 10, &v), -EINVAL);
	assert_int_equal(lw_parse_u32("0x1", 0, 10, &v), -EINVAL);
	assert_int_equal(lw_parse_u32("1e3", 0, 10000, &v), -EINVAL);
	assert_int_equal(lw_parse_u32(NULL, 0, 10, &v), -EINVAL);
	assert_int_equal(v, 7); /* untouched on error */
}

static bool plain_agrees(const char *s)
{
	struct in6_addr a, b;
	bool plain = lw_ipv6_plain(s, strlen(s), &a);

	if (!plain)
		return false;
	if (inet_pton(AF_INET6, s, &b) != 1)
		fail_msg("'%s': read as plain, refused by inet_pton", s);
	if (memcmp(&a, &b, sizeof(a)))
		fail_msg("'%s': read differently from inet_pton", s);
	return true;
}

/* lw_ipv6_plain reads only what inet_pton reads, the same way; and the
 * forms tables are written in are plain. */
static void test_ipv6_plain_agrees_with_inet_pton(void **state)
{
	static const char alphabet[] = "0123456789abcdefABCDEFg:::::.";
	static const char *const cases[] = {
		"::", "::1", "1::", "1::2", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8",
		"fc00:1:2:3:4:5:0:7e", "FC00::100", "0000:0:00:000:0:0:0:1", "1:2:3:4:5:6:7:8::",
		"::1:2:3:4:5:6:7:8", "1:2:3:4::5:6:7:8", ":1::", "1:", ":", "", "1::2::3", "1:::2",
		"12345::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "::ffff:1.2.3.4", "g::",
	};
	char buf[64];
	unsigned i, j, plain = 0;

	srand(11);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		plain_agrees(cases[i]);
	assert_true(plain_agrees("fc00:1:2:3:4:5:0:7e") && plain_agrees("::") &&
		    plain_agrees("1:2:3:4:5:6:7::"));
	for (i = 0; i < 200000; i++) {
		unsigned len = (unsigned)rand() % 24;

		for (j = 0; j < len; j++)
			buf[j] = alphabet[(unsigned)rand() % (sizeof(alphabet) - 1)];
		buf[len] = '\0';
		plain_agrees(buf);
	}
	/* inet_ntop's forms of random addresses with runs of zero groups */
	for (i = 0; i < 100000; i++) {
		struct in6_addr a;

		for (j = 0; j < 8; j++) {
			unsigned v = rand() % 3 ? 0 : (unsigned)rand() & 0xffff;

			a.s6_addr[2 * j] = (__u8)(v >> 8);
			a.s6_addr[2 * j + 1] = (__u8)v;
		}
		inet_ntop(AF_INET6, &a, buf, sizeof(buf));
		plain += plain_agrees(buf);
	}
	/* only the ::a.b.c.d forms (six zero groups first: (2/3)^6 of
	 * them here) are not plain */
	assert_true(plain > 88000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_ipv6_plain_agrees_with_inet_pton),
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_u32),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
