/* SPDX-License-Identifier: GPL-2.0 */
/* pcpd's configuration file (lib/aftr/pcpd_config.c): every statement, and
 * bad lines answered with the file, the line and the word at fault. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <arpa/inet.h>
#include "pcpd_config.h"

static struct pcpd_config c;
static char err[512];

static int parse(const char *text)
{
	pcpd_config_defaults(&c);
	err[0] = '\0';
	return pcpd_config_parse(text, "t.conf", &c, err, sizeof(err));
}

static void test_full_example(void **state)
{
	struct in6_addr br;
	__be32 v4;

	assert_int_equal(parse("# comment\n"
			       "pin-root /sys/fs/bpf/x\n"
			       "database /tmp/g.db   # trailing comment\n"
			       "\n"
			       "pool 192.0.2.0/24\n"
			       "pool 198.51.100.16/28\n"
			       "block-size 4096\nmin-block-size 1024\nmax-block-size 8192\n"
			       "quota 2\nsubscriber-prefix-length 56\n"
			       "min-lifetime 300\nmax-lifetime 7200\n"
			       "br-address 2001:db8:ffff::1\n"
			       "icmpv4-source 198.51.100.1\nicmpv4-rate 10\nicmpv6-rate 20\n"
			       "announce-interface eth1\nannounce-group ff02::1\norphan-grace 60\n"
			       "third-party-listen 127.0.0.1 5351\nthird-party-allow 127.0.0.0/8\n"
			       "third-party-allow 2001:db8:f::/48\nlog-level debug\n"), 0);
	assert_string_equal(c.pin_root, "/sys/fs/bpf/x");
	assert_string_equal(c.database, "/tmp/g.db");
	assert_int_equal(c.n_pools, 2);
	inet_pton(AF_INET, "198.51.100.16", &v4);
	assert_int_equal(c.pools[1].prefix, v4);
	assert_int_equal(c.pools[1].prefix_len, 28);
	assert_int_equal(c.alloc.default_block_size, 4096);
	assert_int_equal(c.alloc.min_block_size, 1024);
	assert_int_equal(c.alloc.max_block_size, 8192);
	assert_int_equal(c.alloc.max_grants_per_subscriber, 2);
	assert_int_equal(c.alloc.subscriber_prefix_len, 56);
	assert_int_equal(c.alloc.min_lifetime, 300);
	assert_int_equal(c.alloc.max_lifetime, 7200);
	inet_pton(AF_INET6, "2001:db8:ffff::1", &br);
	assert_true(c.has_br);
	assert_memory_equal(&c.br, &br, 16);
	inet_pton(AF_INET, "198.51.100.1", &v4);
	assert_int_equal(c.icmpv4_source, v4);
	assert_int_equal(c.icmpv4_rate, 10);
	assert_int_equal(c.icmpv6_rate, 20);
	assert_string_equal(c.announce_ifname, "eth1");
	assert_int_equal(c.orphan_grace, 60);
	assert_true(c.third_party_enabled);
	assert_int_equal(ntohs(c.third_party_listen.sin6_port), 5351);
	assert_int_equal(c.n_acl, 2);
	assert_int_equal(c.log_level, 3);
	(void)state;
}

static void test_acl_matches_mapped_ipv4_and_ipv6_prefixes(void **state)
{
	struct in6_addr a;

	assert_int_equal(parse("pool 192.0.2.0/24\nthird-party-allow 127.0.0.0/8\n"
			       "third-party-allow 2001:db8:f::/48\n"), 0);
	inet_pton(AF_INET6, "::ffff:127.1.2.3", &a);
	assert_true(pcpd_prefix_match(c.acl, c.n_acl, &a));
	inet_pton(AF_INET6, "::ffff:128.0.0.1", &a);
	assert_false(pcpd_prefix_match(c.acl, c.n_acl, &a));
	inet_pton(AF_INET6, "2001:db8:f:ffff::9", &a);
	assert_true(pcpd_prefix_match(c.acl, c.n_acl, &a));
	inet_pton(AF_INET6, "2001:db8:10::9", &a);
	assert_false(pcpd_prefix_match(c.acl, c.n_acl, &a));
	(void)state;
}

/* Each bad line: the error names file:line and what is wrong. */
static void test_bad_lines_name_the_line(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "pool 192.0.2.0/24\nblock-size 3000\n", "t.conf:2: block-size: 3000 is not a power of two" },
		{ "pool 192.0.2.0/33\n", "t.conf:1: " },
		{ "pool 192.0.2.1/24\n", "host bits" },
		{ "pool 2001:db8::/32\n", "not an IPv4 prefix" },
		{ "pool 192.0.2.0/24\n\n\nquotaa 1\n", "t.conf:4: unknown statement 'quotaa'" },
		{ "pool 192.0.2.0/24\nquota\n", "t.conf:2: quota takes 1 value, not 0" },
		{ "pool 192.0.2.0/24\nquota 0\n", "quota: 0 is outside 1..1024" },
		{ "pool 192.0.2.0/24\nbr-address 2001:db8::zz\n", "t.conf:2: " },
		{ "pool 192.0.2.0/24\nannounce-group 2001:db8::1\n", "not a multicast address" },
		{ "pool 192.0.2.0/24\nlog-level loud\n", "log-level: 'loud'" },
		{ "pool 192.0.2.0/24\nthird-party-listen 127.0.0.1\n", "takes 2 values" },
		{ "# nothing\n", "no pool configured" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_not_equal(parse(cases[i].text), 0);
		if (!strstr(err, cases[i].want))
			fail_msg("case %zu: error '%s' lacks '%s'", i, err, cases[i].want);
	}
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_example),
		cmocka_unit_test(test_acl_matches_mapped_ipv4_and_ipv6_prefixes),
		cmocka_unit_test(test_bad_lines_name_the_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
