/* SPDX-License-Identifier: GPL-2.0 */
/* lw_setup_*: defaults, BR bookkeeping and every consistency check of
 * lw_setup_validate (checklist PSID-4 and the map limits). */
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

#include "setup.h"

#define assert_contains(haystack, needle)                                              \
	do {                                                                            \
		if (!strstr((haystack), (needle)))                                      \
			fail_msg("message \"%s\" does not contain \"%s\"", (haystack), (needle)); \
	} while (0)

static struct lw_softwire_entry sw(const char *ipv4, unsigned offset, unsigned len, unsigned psid,
				   const char *br)
{
	struct lw_softwire_entry e;

	memset(&e, 0, sizeof(e));
	assert_int_equal(inet_pton(AF_INET, ipv4, &e.ipv4), 1);
	e.ps.psid_offset = (__u8)offset;
	e.ps.psid_len = (__u8)len;
	e.psid = (__u16)psid;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", &e.b4_ipv6), 1);
	assert_int_equal(inet_pton(AF_INET6, br, &e.br_ipv6), 1);
	return e;
}

static void add(struct lw_aftr_setup *s, struct lw_softwire_entry e)
{
	assert_int_equal(lw_setup_add_softwire(s, &e), 0);
}

/* Validates and returns the message (empty on success). */
static int validate(const struct lw_aftr_setup *s, char *err, size_t len)
{
	err[0] = '\0';
	return lw_setup_validate(s, err, len);
}

static void test_init_defaults(void **state)
{
	struct lw_aftr_setup s;

	memset(&s, 0xa5, sizeof(s));
	lw_setup_init(&s);
	assert_int_equal(s.cfg.flags, LW_CFG_DEFAULT_FLAGS);
	assert_int_equal(s.cfg.ipv4_mtu, 1500);
	assert_int_equal(s.cfg.ipv6_mtu, 1500);
	assert_int_equal(s.cfg.hop_limit, 64);
	assert_int_equal(s.cfg.echo_policy, LW_ECHO_IDENTIFIER);
	assert_int_equal(s.cfg.event_rate, 1000);
	assert_int_equal(s.cfg.event_burst, 100);
	assert_int_equal(s.cfg.ipv4_ifindex, 0);
	assert_int_equal(s.cfg.ipv4_vlan, 0);
	assert_null(s.softwires);
	assert_int_equal(s.n_softwires, 0);
	assert_int_equal(s.n_br_addrs, 0);
	assert_int_equal(s.n_unsupported, 0);
	assert_false(s.external.has_ip4);
	lw_setup_free(&s);
}

static void test_br_addrs_are_distinct_in_first_appearance_order(void **state)
{
	struct lw_aftr_setup s;
	struct in6_addr c;

	lw_setup_init(&s);
	add(&s, sw("192.0.2.1", 0, 0, 0, "2001:db8:ffff::a"));
	add(&s, sw("192.0.2.2", 0, 0, 0, "2001:db8:ffff::b"));
	add(&s, sw("192.0.2.3", 0, 0, 0, "2001:db8:ffff::a"));
	assert_int_equal(s.n_softwires, 3);
	assert_int_equal(s.n_br_addrs, 2);
	assert_memory_equal(&s.br_addrs[0], &s.softwires[0].br_ipv6, 16);
	assert_memory_equal(&s.br_addrs[1], &s.softwires[1].br_ipv6, 16);
	assert_int_equal(lw_setup_br_index(&s, &s.softwires[2].br_ipv6), 0);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:ffff::c", &c), 1);
	assert_int_equal(lw_setup_br_index(&s, &c), 2);
	assert_int_equal(s.n_br_addrs, 3);
	lw_setup_free(&s);
}

static void test_br_index_refuses_address_257(void **state)
{
	struct lw_aftr_setup s;
	struct lw_softwire_entry e = sw("192.0.2.1", 0, 0, 0, "2001:db8:ffff::");
	struct in6_addr br;
	unsigned i;

	lw_setup_init(&s);
	for (i = 0; i < LW_MAX_BR_ADDRS; i++) {
		assert_int_equal(inet_pton(AF_INET6, "2001:db8:ffff::", &br), 1);
		br.s6_addr[15] = (__u8)i;
		br.s6_addr[14] = 1;
		assert_int_equal(lw_setup_br_index(&s, &br), (int)i);
	}
	br.s6_addr[14] = 2;
	assert_int_equal(lw_setup_br_index(&s, &br), -E2BIG);
	assert_int_equal(s.n_br_addrs, 256);
	e.br_ipv6 = br;
	assert_int_equal(lw_setup_add_softwire(&s, &e), -E2BIG);
	assert_int_equal(s.n_softwires, 0);
	lw_setup_free(&s);
}

static void test_valid_table_passes(void **state)
{
	struct lw_aftr_setup s;
	char err[256];

	lw_setup_init(&s);
	add(&s, sw("192.0.2.1", 0, 6, 0, "2001:db8:ffff::1"));
	add(&s, sw("192.0.2.1", 0, 6, 63, "2001:db8:ffff::1"));
	add(&s, sw("192.0.2.2", 6, 10, 1023, "2001:db8:ffff::2"));
	add(&s, sw("192.0.2.3", 0, 16, 65535, "2001:db8:ffff::2"));
	add(&s, sw("192.0.2.4", 0, 0, 0, "2001:db8:ffff::2"));
	add(&s, sw("192.0.2.5", 16, 0, 0, "2001:db8:ffff::2"));
	assert_int_equal(validate(&s, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	lw_setup_free(&s);
}

static void test_offset_plus_len_over_16(void **state)
{
	struct lw_aftr_setup s;
	char err[256];

	lw_setup_init(&s);
	add(&s, sw("192.0.2.1", 0, 6, 1, "2001:db8:ffff::1"));
	add(&s, sw("192.0.2.2", 6, 11, 1, "2001:db8:ffff::1"));
	assert_int_equal(validate(&s, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "softwire #1: psid-offset 6 + psid-len 11 = 17 exceeds 16 (ipv4 192.0.2.2 psid 1)");
	lw_setup_free(&s);
}

static void test_psid_too_big_for_len(void **state)
{
	struct lw_aftr_setup s;
	char err[256];

	lw_setup_init(&s);
	add(&s, sw("192.0.2.1", 0, 4, 16, "2001:db8:ffff::1"));
	assert_int_equal(validate(&s, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "softwire #0: psid 16 out of range for psid-len 4 (0..15) (ipv4 192.0.2.1)");
	s.softwires[0].psid = 15;
	assert_int_equal(validate(&s, err, sizeof(err)), 0);
	/* psid-len 0: the whole address, so the only PSID is 0 */
	s.softwires[0].ps.psid_len = 0;
	s.softwires[0].psid = 1;
	assert_int_equal(validate(&s, err, sizeof(err)), -EINVAL);
	assert_contains(err, "psid 1 out of range for psid-len 0 (0..0)");
	lw_setup_free(&s);
}

static void test_port_set_conflict_on_one_ipv4(void **state)
{
	struct lw_aftr_setup s;
	char err[512];

	lw_setup_init(&s);
	add(&s, sw("192.0.2.9", 0, 6, 1, "2001:db8:ffff::1"));
	add(&s, sw("192.0.2.1", 0, 6, 1, "2001:db8:ffff::1"));
	add(&s, sw("192.0.2.5", 0, 8, 1, "2001:db8:ffff::1"));
	add(&s, sw("192.0.2.1", 0, 7, 2, "2001:db8:ffff::1"));
	assert_int_equal(validate(&s, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "softwire #3: ipv4 192.0.2.1 has psid-offset 0 psid-len 7, but softwire #1 "
				 "gives the same address psid-offset 0 psid-len 6; every softwire of one IPv4 "
				 "address must use the same port-set parameters (RFC 7597 section 5.1)");
	/* the same length with a different offset conflicts too */
	s.softwires[3].ps.psid_len = 6;
	s.softwires[3].ps.psid_offset = 2;
	assert_int_equal(validate(&s, err, sizeof(err)), -EINVAL);
	assert_contains(err, "softwire #3: ipv4 192.0.2.1 has psid-offset 2 psid-len 6");
	s.softwires[3].ps.psid_offset = 0;
	assert_int_equal(validate(&s, err, sizeof(err)), 0);
	lw_setup_free(&s);
}

static void test_duplicate_ipv4_psid(void **state)
{
	struct lw_aftr_setup s;
	char err[256];

	lw_setup_init(&s);
	add(&s, sw("198.51.100.7", 0, 6, 5, "2001:db8:ffff::1"));
	add(&s, sw("192.0.2.1", 0, 6, 5, "2001:db8:ffff::1"));
	add(&s, sw("198.51.100.7", 0, 6, 4, "2001:db8:ffff::1"));
	add(&s, sw("192.0.2.1", 0, 6, 6, "2001:db8:ffff::1"));
	add(&s, sw("198.51.100.7", 0, 6, 5, "2001:db8:ffff::2"));
	assert_int_equal(validate(&s, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "softwire #4: duplicate softwire ipv4 198.51.100.7 psid 5 (already at softwire #0)");
	lw_setup_free(&s);
}

static void set_br(struct lw_softwire_entry *e, unsigned n)
{
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:ffff::", &e->br_ipv6), 1);
	e->br_ipv6.s6_addr[13] = (__u8)(n >> 8);
	e->br_ipv6.s6_addr[14] = 1;
	e->br_ipv6.s6_addr[15] = (__u8)n;
}

/* More distinct BRs than the map holds: built by hand, because
 * lw_setup_add_softwire already refuses number 257. */
static void test_too_many_br_addresses(void **state)
{
	struct lw_aftr_setup s;
	char err[256];
	size_t i;

	lw_setup_init(&s);
	s.softwires = calloc(LW_MAX_BR_ADDRS + 2, sizeof(*s.softwires));
	assert_non_null(s.softwires);
	s.cap_softwires = LW_MAX_BR_ADDRS + 2;
	for (i = 0; i < LW_MAX_BR_ADDRS + 1; i++) {
		s.softwires[i] = sw("192.0.2.1", 0, 16, 0, "::1");
		s.softwires[i].psid = (__u16)i;
		/* descending, so that the sorted set is built from the front */
		set_br(&s.softwires[i], (unsigned)(LW_MAX_BR_ADDRS - i));
	}
	s.n_softwires = LW_MAX_BR_ADDRS;
	assert_int_equal(validate(&s, err, sizeof(err)), 0);
	/* a repeat of a known BR is not a new one */
	s.softwires[LW_MAX_BR_ADDRS + 1] = s.softwires[3];
	s.softwires[LW_MAX_BR_ADDRS + 1].psid = 9999;
	s.softwires[LW_MAX_BR_ADDRS] = s.softwires[LW_MAX_BR_ADDRS + 1];
	s.softwires[LW_MAX_BR_ADDRS].psid = 9998;
	s.n_softwires = LW_MAX_BR_ADDRS + 1;
	assert_int_equal(validate(&s, err, sizeof(err)), 0);
	set_br(&s.softwires[LW_MAX_BR_ADDRS], 4000);
	assert_int_equal(validate(&s, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "softwire #256: br-ipv6-addr 2001:db8:ffff::f:1a0 is distinct BR "
				 "address number 257; at most 256 are supported");
	lw_setup_free(&s);
}

static void name_as_line(const void *ctx, size_t index, char *buf, size_t len)
{
	const unsigned *lines = ctx;

	snprintf(buf, len, "x.conf:%u", lines[index]);
}

static void test_named_entries_in_messages(void **state)
{
	static const unsigned lines[] = { 17, 42 };
	struct lw_aftr_setup s;
	char err[256];

	lw_setup_init(&s);
	add(&s, sw("192.0.2.1", 0, 6, 5, "2001:db8:ffff::1"));
	add(&s, sw("192.0.2.1", 0, 6, 5, "2001:db8:ffff::1"));
	assert_int_equal(lw_setup_validate_named(&s, name_as_line, lines, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "x.conf:42: duplicate softwire ipv4 192.0.2.1 psid 5 (already at x.conf:17)");
	lw_setup_free(&s);
}

static void test_small_or_missing_error_buffer(void **state)
{
	struct lw_aftr_setup s;
	char err[8];

	lw_setup_init(&s);
	add(&s, sw("192.0.2.1", 0, 4, 99, "2001:db8:ffff::1"));
	memset(err, 'x', sizeof(err));
	assert_int_equal(lw_setup_validate(&s, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "softwir");
	assert_int_equal(lw_setup_validate(&s, NULL, 0), -EINVAL);
	lw_setup_free(&s);
}

/* The importers run this on a million softwires: it has to sort, not compare
 * pairs. The duplicate is the last entry and pairs with the first. */
static void test_million_softwires(void **state)
{
	const size_t n = 1000000;
	struct lw_aftr_setup s;
	char err[256];
	size_t i;

	lw_setup_init(&s);
	s.softwires = calloc(n + 1, sizeof(*s.softwires));
	assert_non_null(s.softwires);
	s.cap_softwires = n + 1;
	for (i = 0; i < n; i++) {
		struct lw_softwire_entry *e = &s.softwires[i];

		/* interleaved addresses, so that equal keys are far apart */
		e->ipv4 = htonl(0xc6120000u + (uint32_t)(i % 15625));
		e->ps.psid_len = 6;
		e->psid = (__u16)(i / 15625);
		e->br_ipv6.s6_addr[15] = (__u8)(i % 3);
	}
	s.n_softwires = n;
	assert_int_equal(validate(&s, err, sizeof(err)), 0);
	s.softwires[n] = s.softwires[0];
	s.n_softwires = n + 1;
	assert_int_equal(validate(&s, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "softwire #1000000: duplicate softwire ipv4 198.18.0.0 psid 0 (already at softwire #0)");
	lw_setup_free(&s);
}

static void test_unsupported_list_and_double_free(void **state)
{
	struct lw_aftr_setup s;
	char what[] = "ingress-filter on external-interface";

	lw_setup_init(&s);
	assert_int_equal(lw_setup_add_unsupported(&s, what), 0);
	what[0] = 'X'; /* the list keeps its own copy */
	assert_int_equal(lw_setup_add_unsupported(&s, "flow-label 42 on internal-interface"), 0);
	assert_int_equal(s.n_unsupported, 2);
	assert_string_equal(s.unsupported[0], "ingress-filter on external-interface");
	assert_string_equal(s.unsupported[1], "flow-label 42 on internal-interface");
	lw_setup_free(&s);
	assert_null(s.unsupported);
	assert_int_equal(s.n_unsupported, 0);
	lw_setup_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_defaults),
		cmocka_unit_test(test_br_addrs_are_distinct_in_first_appearance_order),
		cmocka_unit_test(test_br_index_refuses_address_257),
		cmocka_unit_test(test_valid_table_passes),
		cmocka_unit_test(test_offset_plus_len_over_16),
		cmocka_unit_test(test_psid_too_big_for_len),
		cmocka_unit_test(test_port_set_conflict_on_one_ipv4),
		cmocka_unit_test(test_duplicate_ipv4_psid),
		cmocka_unit_test(test_too_many_br_addresses),
		cmocka_unit_test(test_named_entries_in_messages),
		cmocka_unit_test(test_small_or_missing_error_buffer),
		cmocka_unit_test(test_million_softwires),
		cmocka_unit_test(test_unsupported_list_and_double_free),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
