/* SPDX-License-Identifier: GPL-2.0 */
/* pcpd --role b4's configuration file (pcpd/lib/b4_config.c): every
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
			       "expire-interval 2\nlog-level debug\n"), 0);
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
