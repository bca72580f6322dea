/* SPDX-License-Identifier: GPL-2.0 */
/* RFC 8676 JSON binding tables: export/import round trip, both accepted
 * document shapes, and errors that name the entry and the field. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "bt_json.h"
#include "stream_fixture.h"

static struct lw_softwire_entry sw(const char *ipv4, unsigned offset, unsigned len, unsigned psid,
				   const char *b4, const char *br)
{
	struct lw_softwire_entry e;

	memset(&e, 0, sizeof(e));
	assert_int_equal(inet_pton(AF_INET, ipv4, &e.ipv4), 1);
	e.ps.psid_offset = (__u8)offset;
	e.ps.psid_len = (__u8)len;
	e.psid = (__u16)psid;
	assert_int_equal(inet_pton(AF_INET6, b4, &e.b4_ipv6), 1);
	assert_int_equal(inet_pton(AF_INET6, br, &e.br_ipv6), 1);
	return e;
}

static void assert_same_entry(const struct lw_softwire_entry *a, const struct lw_softwire_entry *b)
{
	assert_int_equal(a->ipv4, b->ipv4);
	assert_int_equal(a->ps.psid_offset, b->ps.psid_offset);
	assert_int_equal(a->ps.psid_len, b->ps.psid_len);
	assert_int_equal(a->psid, b->psid);
	assert_memory_equal(&a->b4_ipv6, &b->b4_ipv6, 16);
	assert_memory_equal(&a->br_ipv6, &b->br_ipv6, 16);
}

static int parse(const char *text, struct lw_aftr_setup *s, char *err, size_t errlen)
{
	err[0] = '\0';
	return parse_in_pieces(lw_bt_json_parse_stream, text, strlen(text), "t.json", s, err, errlen);
}

static void test_write_format(void **state)
{
	struct lw_softwire_entry e[2] = {
		sw("192.0.2.1", 0, 6, 52, "2001:db8::1", "2001:db8:ffff::1"),
		sw("192.0.2.2", 6, 10, 1023, "2001:db8::2", "2001:db8:ffff::1"),
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(lw_bt_json_write(f, e, 2), 0);
	fclose(f);
	assert_string_equal(buf,
		"{\"binding-table\": {\"binding-entry\": [\n"
		"  {\"binding-ipv6info\": \"2001:db8::1\", \"binding-ipv4-addr\": \"192.0.2.1\", "
		"\"port-set\": {\"psid-offset\": 0, \"psid-len\": 6, \"psid\": 52}, "
		"\"br-ipv6-addr\": \"2001:db8:ffff::1\"},\n"
		"  {\"binding-ipv6info\": \"2001:db8::2\", \"binding-ipv4-addr\": \"192.0.2.2\", "
		"\"port-set\": {\"psid-offset\": 6, \"psid-len\": 10, \"psid\": 1023}, "
		"\"br-ipv6-addr\": \"2001:db8:ffff::1\"}\n"
		"]}}\n");
	free(buf);
}

static void test_round_trip_through_a_file(void **state)
{
	const struct lw_softwire_entry e[] = {
		sw("192.0.2.1", 0, 6, 52, "2001:db8::1", "2001:db8:ffff::1"),
		sw("192.0.2.1", 0, 6, 0, "2001:db8::2", "2001:db8:ffff::2"),
		sw("192.0.2.2", 6, 10, 1023, "2001:db8::3", "2001:db8:ffff::1"),
		sw("198.51.100.255", 0, 16, 65535, "::ffff:1", "2001:db8:ffff::2"),
		sw("203.0.113.9", 0, 0, 0, "2001:db8:1:2:3:4:5:6", "fe80::1"),
	};
	const size_t n = sizeof(e) / sizeof(e[0]);
	char path[] = "/tmp/test_bt_json.XXXXXX", err[512] = "";
	struct lw_aftr_setup s;
	int fd = mkstemp(path);
	FILE *f;
	size_t i;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(lw_bt_json_write(f, e, n), 0);
	assert_int_equal(fclose(f), 0);
	if (lw_bt_json_load(path, &s, err, sizeof(err)))
		fail_msg("%s", err);
	unlink(path);
	assert_int_equal(s.n_softwires, n);
	for (i = 0; i < n; i++)
		assert_same_entry(&s.softwires[i], &e[i]);
	assert_int_equal(s.n_br_addrs, 3);
	/* importing a table changes no settings */
	assert_int_equal(s.cfg.flags, LW_CFG_DEFAULT_FLAGS);
	assert_int_equal(s.cfg.echo_policy, LW_ECHO_IDENTIFIER);
	lw_setup_free(&s);
}

static void test_empty_table_round_trip(void **state)
{
	char *buf = NULL, err[256];
	size_t len = 0;
	struct lw_aftr_setup s;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(lw_bt_json_write(f, NULL, 0), 0);
	fclose(f);
	assert_int_equal(parse(buf, &s, err, sizeof(err)), 0);
	assert_int_equal(s.n_softwires, 0);
	lw_setup_free(&s);
	free(buf);
}

static void test_write_error_is_reported(void **state)
{
	struct lw_softwire_entry e = sw("192.0.2.1", 0, 6, 52, "2001:db8::1", "2001:db8::ff");
	FILE *f = fopen("/dev/null", "r");

	assert_non_null(f);
	assert_int_equal(lw_bt_json_write(f, &e, 1), -EIO);
	fclose(f);
}

static void test_short_form_and_defaults(void **state)
{
	static const char doc[] =
		"{\"binding-table\": {\"binding-entry\": [\n"
		"  {\"binding-ipv6info\": \"2001:db8::1/128\", \"binding-ipv4-addr\": \"192.0.2.1\",\n"
		"   \"port-set\": {\"psid-len\": 6, \"psid\": 52}, \"br-ipv6-addr\": \"2001:db8:ffff::1\"}\n"
		"]}}";
	struct lw_softwire_entry want = sw("192.0.2.1", 0, 6, 52, "2001:db8::1", "2001:db8:ffff::1");
	struct lw_aftr_setup s;
	char err[512];

	if (parse(doc, &s, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(s.n_softwires, 1);
	assert_same_entry(&s.softwires[0], &want);
	lw_setup_free(&s);
}

static void test_full_br_instances_form(void **state)
{
	static const char doc[] =
		"{\"ietf-softwire-br:br-instances\": {\"binding\": {\"bind-instance\": [\n"
		" {\"name\": \"aftr1\", \"softwire-num-max\": 1024, \"softwire-path-mru\": 1540,\n"
		"  \"enable-hairpinning\": false, \"softwire-payload-mtu\": 1460,\n"
		"  \"icmp-policy\": {\"icmpv4-errors\": {\"allow-incoming-icmpv4\": false,\n"
		"                                     \"icmpv4-rate\": 500,\n"
		"                                     \"generate-icmpv4-errors\": true},\n"
		"                   \"icmpv6-errors\": {\"generate-icmpv6-errors\": false,\n"
		"                                     \"icmpv6-rate\": 200}},\n"
		"  \"binding-table\": {\"binding-entry\": [\n"
		"   {\"binding-ipv6info\": \"2001:db8::1\", \"binding-ipv4-addr\": \"192.0.2.1\",\n"
		"    \"port-set\": {\"psid-offset\": 0, \"psid-len\": 6, \"psid\": 52},\n"
		"    \"br-ipv6-addr\": \"2001:db8:ffff::1\"},\n"
		"   {\"binding-ipv6info\": \"2001:db8::2\", \"binding-ipv4-addr\": \"192.0.2.1\",\n"
		"    \"port-set\": {\"psid-offset\": 0, \"psid-len\": 6, \"psid\": 53},\n"
		"    \"br-ipv6-addr\": \"2001:db8:ffff::1\"}]}},\n"
		" {\"name\": \"aftr2\", \"binding-table\": {\"binding-entry\": [\n"
		"   {\"binding-ipv6info\": \"2001:db8::9\", \"binding-ipv4-addr\": \"192.0.2.9\",\n"
		"    \"port-set\": {\"psid-len\": 0, \"psid\": 0}, \"br-ipv6-addr\": \"::1\"}]}}\n"
		"]}}}\n";
	struct lw_softwire_entry want = sw("192.0.2.1", 0, 6, 53, "2001:db8::2", "2001:db8:ffff::1");
	struct lw_aftr_setup s;
	char err[512];

	if (parse(doc, &s, err, sizeof(err)))
		fail_msg("%s", err);
	/* the second bind-instance is not read */
	assert_int_equal(s.n_softwires, 2);
	assert_same_entry(&s.softwires[1], &want);
	assert_false(s.cfg.flags & LW_CFG_HAIRPINNING);
	assert_false(s.cfg.flags & LW_CFG_ALLOW_ICMPV4_IN);
	assert_true(s.cfg.flags & LW_CFG_ICMPV4_ERRORS);
	assert_false(s.cfg.flags & LW_CFG_ICMPV6_ERRORS);
	/* 1460 bytes of IPv4 behind a 40-byte IPv6 header */
	assert_int_equal(s.cfg.ipv6_mtu, 1500);
	/* the stricter of the two ICMP rates */
	assert_int_equal(s.cfg.event_rate, 200);
	lw_setup_free(&s);
}

static void expect_error(const char *doc, const char *message)
{
	struct lw_aftr_setup s;
	char err[512];

	assert_int_equal(parse(doc, &s, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, message);
	assert_null(s.softwires);
	assert_int_equal(s.n_softwires, 0);
}

#define OPEN "{\"binding-table\": {\"binding-entry\": [\n"
#define CLOSE "]}}\n"
#define GOOD(v4, psid)                                                                    \
	"{\"binding-ipv6info\": \"2001:db8::1\", \"binding-ipv4-addr\": \"" v4 "\", "       \
	"\"port-set\": {\"psid-len\": 6, \"psid\": " psid "}, \"br-ipv6-addr\": \"::1\"}"

static void test_missing_field(void **state)
{
	expect_error(OPEN GOOD("192.0.2.1", "1") ",\n"
		     "{\"binding-ipv6info\": \"2001:db8::1\", \"binding-ipv4-addr\": \"192.0.2.2\", "
		     "\"port-set\": {\"psid-len\": 6, \"psid\": 1}}\n" CLOSE,
		     "t.json:3: binding-entry[1]: missing 'br-ipv6-addr'");
	expect_error(OPEN "{\"binding-ipv6info\": \"2001:db8::1\", \"binding-ipv4-addr\": \"192.0.2.2\", "
		     "\"port-set\": {\"psid\": 1}, \"br-ipv6-addr\": \"::1\"}\n" CLOSE,
		     "t.json:2: binding-entry[0]: missing 'port-set/psid-len'");
}

static void test_bad_addresses(void **state)
{
	expect_error(OPEN GOOD("192.0.2.1", "1") ",\n" GOOD("192.0.2.2", "1") ",\n"
		     GOOD("192.0.2.300", "1") "\n" CLOSE,
		     "t.json:4: binding-entry[2]: binding-ipv4-addr '192.0.2.300' is not an IPv4 address: octet '300' > 255");
	expect_error(OPEN "{\"binding-ipv6info\": \"2001:db8::1\", \"binding-ipv4-addr\": \"192.0.2.2\", "
		     "\"port-set\": {\"psid-len\": 6, \"psid\": 1}, \"br-ipv6-addr\": \"2001:db8:::1\"}\n" CLOSE,
		     "t.json:2: binding-entry[0]: br-ipv6-addr '2001:db8:::1' is not an IPv6 address: '::' may appear only once");
	expect_error(OPEN "{\"binding-ipv6info\": \"2001:db8::/64\", \"binding-ipv4-addr\": \"192.0.2.2\", "
		     "\"port-set\": {\"psid-len\": 6, \"psid\": 1}, \"br-ipv6-addr\": \"::1\"}\n" CLOSE,
		     "t.json:2: binding-entry[0]: binding-ipv6info '2001:db8::/64': prefix binding-ipv6info not supported yet (only addresses or /128)");
	expect_error(OPEN "{\"binding-ipv6info\": \"2001:db8::1/129\", \"binding-ipv4-addr\": \"192.0.2.2\", "
		     "\"port-set\": {\"psid-len\": 6, \"psid\": 1}, \"br-ipv6-addr\": \"::1\"}\n" CLOSE,
		     "t.json:2: binding-entry[0]: binding-ipv6info '2001:db8::1/129': prefix length '129' is not 0..128");
	expect_error(OPEN "{\"binding-ipv6info\": 7, \"binding-ipv4-addr\": \"192.0.2.2\", "
		     "\"port-set\": {\"psid-len\": 6, \"psid\": 1}, \"br-ipv6-addr\": \"::1\"}\n" CLOSE,
		     "t.json:2: binding-entry[0]: binding-ipv6info must be a string, not int");
}

static void test_psid_out_of_range(void **state)
{
	expect_error(OPEN GOOD("192.0.2.1", "1") ",\n" GOOD("192.0.2.1", "64") "\n" CLOSE,
		     "t.json:3: binding-entry[1]: port-set/psid 64 out of range for psid-len 6 (0..63)");
	expect_error(OPEN GOOD("192.0.2.1", "70000") "\n" CLOSE,
		     "t.json:2: binding-entry[0]: port-set/psid 70000 out of range 0..65535");
	expect_error(OPEN GOOD("192.0.2.1", "-1") "\n" CLOSE,
		     "t.json:2: binding-entry[0]: port-set/psid -1 out of range 0..65535");
	expect_error(OPEN GOOD("192.0.2.1", "1.5") "\n" CLOSE,
		     "t.json:2: binding-entry[0]: port-set/psid must be an integer, not double");
	expect_error(OPEN "{\"binding-ipv6info\": \"2001:db8::1\", \"binding-ipv4-addr\": \"192.0.2.2\", "
		     "\"port-set\": {\"psid-offset\": 6, \"psid-len\": 11, \"psid\": 1}, \"br-ipv6-addr\": \"::1\"}\n" CLOSE,
		     "t.json:2: binding-entry[0]: port-set psid-offset 6 + psid-len 11 exceeds 16");
}

static void test_table_consistency(void **state)
{
	expect_error(OPEN GOOD("192.0.2.1", "1") ",\n" GOOD("192.0.2.2", "1") ",\n"
		     GOOD("192.0.2.1", "1") "\n" CLOSE,
		     "t.json: binding-entry[2]: duplicate softwire ipv4 192.0.2.1 psid 1 (already at binding-entry[0])");
	expect_error(OPEN GOOD("192.0.2.1", "1") ",\n"
		     "{\"binding-ipv6info\": \"2001:db8::1\", \"binding-ipv4-addr\": \"192.0.2.1\", "
		     "\"port-set\": {\"psid-len\": 8, \"psid\": 2}, \"br-ipv6-addr\": \"::1\"}\n" CLOSE,
		     "t.json: binding-entry[1]: ipv4 192.0.2.1 has psid-offset 0 psid-len 8, but binding-entry[0] "
		     "gives the same address psid-offset 0 psid-len 6; every softwire of one IPv4 address "
		     "must use the same port-set parameters (RFC 7597 section 5.1)");
}

static void test_unknown_names(void **state)
{
	expect_error(OPEN "{\"binding-ipv6info\": \"2001:db8::1\", \"binding-ipv4-adr\": \"192.0.2.2\", "
		     "\"port-set\": {\"psid-len\": 6, \"psid\": 1}, \"br-ipv6-addr\": \"::1\"}\n" CLOSE,
		     "t.json:2: binding-entry[0]: unknown field 'binding-ipv4-adr'");
	expect_error(OPEN "{\"binding-ipv6info\": \"2001:db8::1\", \"binding-ipv4-addr\": \"192.0.2.2\", "
		     "\"port-set\": {\"psid-len\": 6, \"psid\": 1, \"offset\": 0}, \"br-ipv6-addr\": \"::1\"}\n" CLOSE,
		     "t.json:2: binding-entry[0]: unknown field 'port-set/offset'");
	expect_error("{\"bindingtable\": {}}",
		     "t.json:1: unknown top-level member \"bindingtable\" (expected \"binding-table\" or "
		     "\"ietf-softwire-br:br-instances\")");
	expect_error("{\"binding-table\": {\"entries\": []}}",
		     "t.json:1: unknown member \"entries\" in binding-table");
}

static void test_json_syntax(void **state)
{
	expect_error(OPEN GOOD("192.0.2.1", "1") ",\n" CLOSE,
		     "t.json:3: expected an array element, found ']'");
	expect_error(OPEN "{\"binding-ipv6info\": \"2001:db8::1\",}\n" CLOSE,
		     "t.json:2: binding-entry[0]: invalid JSON: unexpected character");
	expect_error(OPEN GOOD("192.0.2.1", "1") "\n" CLOSE "{}",
		     "t.json:4: unexpected '{' after the end of the JSON document");
	expect_error(OPEN GOOD("192.0.2.1", "1") "\n",
		     "t.json:3: expected ',' or ']' in an array, found end of input");
	expect_error("[]", "t.json:1: the document must be an object, found '['");
	expect_error("", "t.json:1: the document must be an object, found end of input");
	expect_error("{\"binding-table\": {\"binding-entry\": [\"x]}}",
		     "t.json:1: string never closed");
	expect_error("{\"ietf-softwire-br:br-instances\": {\"binding\": {\"bind-instance\": "
		     "[{\"enable-hairpinning\": 1}]}}}",
		     "t.json:1: enable-hairpinning must be true or false");
}

static void test_missing_file(void **state)
{
	struct lw_aftr_setup s;
	char err[256];

	assert_int_equal(lw_bt_json_load("/nonexistent/t.json", &s, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "/nonexistent/t.json: cannot open: No such file or directory");
	assert_int_equal(s.n_softwires, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_format),
		cmocka_unit_test(test_round_trip_through_a_file),
		cmocka_unit_test(test_empty_table_round_trip),
		cmocka_unit_test(test_write_error_is_reported),
		cmocka_unit_test(test_short_form_and_defaults),
		cmocka_unit_test(test_full_br_instances_form),
		cmocka_unit_test(test_missing_field),
		cmocka_unit_test(test_bad_addresses),
		cmocka_unit_test(test_psid_out_of_range),
		cmocka_unit_test(test_table_consistency),
		cmocka_unit_test(test_unknown_names),
		cmocka_unit_test(test_json_syntax),
		cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
