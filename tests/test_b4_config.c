/* SPDX-License-Identifier: GPL-2.0 */
/* pcpd --role b4's configuration file (lib/b4/b4_config.c): every
 * statement, the defaults, and bad lines answered with file:line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <arpa/inet.h>
#include "b4_config.h"

static struct b4_config c;
static char err[512];

static int parse(const char *text)
{
	b4_config_defaults(&c);
	err[0] = '\0';
	return b4_config_parse(text, "b4.conf", &c, err, sizeof(err));
}

static void test_full(void **state)
{
	struct in6_addr a;

	assert_int_equal(parse("# lwB4\n"
			       "pin-root /sys/fs/bpf/b4\n"
			       "database /tmp/b4.db  # grants\n"
			       "\n"
			       "aftr-ipv6 2001:db8::1\n"
			       "tunnel-ipv6 2001:db8:b4::10\n"
			       "lifetime 600\nirt-ms 200\nreannounce-delay-ms 0\n"
			       "expire-interval 2\nlog-level debug\n"
			       "max-sets 3\ngrow-percent 70\nrelease-percent 20\nrelease-idle 30\n"
			       "lan-address 192.168.1.1\nlan-interface lan0\n"
			       "lan-min-lifetime 60\nlan-max-lifetime 600\n"), 0);
	assert_string_equal(c.pin_root, "/sys/fs/bpf/b4");
	assert_string_equal(c.database, "/tmp/b4.db");
	inet_pton(AF_INET6, "2001:db8::1", &a);
	assert_memory_equal(&c.aftr, &a, 16);
	inet_pton(AF_INET6, "2001:db8:b4::10", &a);
	assert_memory_equal(&c.tunnel, &a, 16);
	assert_int_equal(c.lifetime, 600);
	assert_int_equal(c.irt_ms, 200);
	assert_int_equal(c.reannounce_delay_ms, 0);
	assert_int_equal(c.expire_interval, 2);
	assert_int_equal(c.log_level, 3);
	assert_int_equal(c.max_sets, 3);
	assert_int_equal(c.grow_pct, 70);
	assert_int_equal(c.release_pct, 20);
	assert_int_equal(c.release_idle_s, 30);
	assert_true(c.has_lan);
	assert_int_equal(c.lan_addr, inet_addr("192.168.1.1"));
	assert_string_equal(c.lan_ifname, "lan0");
	assert_int_equal(c.lan_min_lifetime, 60);
	assert_int_equal(c.lan_max_lifetime, 600);
}

static void test_defaults(void **state)
{
	assert_int_equal(parse("aftr-ipv6 2001:db8::1\ntunnel-ipv6 2001:db8::2\n"), 0);
	assert_string_equal(c.pin_root, "/sys/fs/bpf/lw4o6");
	assert_int_equal(c.lifetime, 7200);
	assert_int_equal(c.irt_ms, 3000);  /* RFC 6887 §8.1.1 */
	assert_int_equal(c.reannounce_delay_ms, 1000);
	assert_int_equal(c.expire_interval, 5);
	assert_int_equal(c.log_level, 2);
	assert_int_equal(c.max_sets, 4);
	assert_int_equal(c.grow_pct, 80);
	assert_int_equal(c.release_pct, 50);
	assert_int_equal(c.release_idle_s, 600);
	assert_false(c.has_lan);  /* no LAN server unless asked for */
	assert_int_equal(c.lan_min_lifetime, 120); /* RFC 6887 §15 */
	assert_int_equal(c.lan_max_lifetime, 7200);
}

static void test_errors(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "aftr-ipv6 2001:db8::1\ntunnel-ipv6 2001:db8::2\nlifetime 0\n", "b4.conf:3: lifetime: 0 is outside 1..86400" },
		{ "aftr-ipv6 2001:db8::1\nlifetime x\n", "b4.conf:2: lifetime: 'x' is not a number" },
		{ "\n\naftr-ipv6 192.0.2.1\n", "b4.conf:3: aftr-ipv6: '192.0.2.1' is not an IPv6 address" },
		{ "tunnel-ipv6\n", "b4.conf:1: tunnel-ipv6 takes 1 value, not 0" },
		{ "frobnicate 1\n", "b4.conf:1: unknown statement 'frobnicate'" },
		{ "log-level loud\n", "b4.conf:1: log-level: 'loud' is not error, warning, info or debug" },
		{ "lifetime 1 2 3 4 5\n", "b4.conf:1: too many words" },
		{ "irt-ms 5\n", "b4.conf:1: irt-ms: 5 is outside 10..60000" },
		{ "tunnel-ipv6 2001:db8::2\n", "b4.conf: aftr-ipv6 is required" },
		{ "aftr-ipv6 2001:db8::1\n", "b4.conf: tunnel-ipv6 is required" },
#define B4_BASE "aftr-ipv6 2001:db8::1\ntunnel-ipv6 2001:db8::2\n"
		{ B4_BASE "max-sets 9\n", "b4.conf:3: max-sets: 9 is outside 1..8" },
		{ B4_BASE "grow-percent 0\n", "b4.conf:3: grow-percent: 0 is outside 1..100" },
		{ B4_BASE "grow-percent 60\nrelease-percent 60\n",
		  "b4.conf: release-percent 60 must be below grow-percent 60 (hysteresis)" },
		{ B4_BASE "lan-address 192.168.1.300\n", "b4.conf:3: lan-address: '192.168.1.300' is not an IPv4 address" },
		{ B4_BASE "lan-interface averyveryverylongname\n",
		  "b4.conf:3: lan-interface: 'averyveryverylongname' is longer than 15 characters" },
		{ B4_BASE "lan-interface lan0\n", "b4.conf: lan-interface needs lan-address" },
		{ B4_BASE "lan-min-lifetime 900\nlan-max-lifetime 600\n",
		  "b4.conf: lan-min-lifetime 900 is above lan-max-lifetime 600" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(cases[i].text), -22);
		assert_string_equal(err, cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
