/* SPDX-License-Identifier: GPL-2.0 */
/* Import at scale (issue 11): the importers read their input as a stream,
 * take the usual entries straight from the text, and validate in linear
 * time. Here: the stream itself, entries split across reads, a bad entry at
 * the very end of a large table (an error naming it, nothing returned),
 * the order in which a Snabb file's problems are reported, the window not
 * growing with the file, the two ways an entry is read agreeing (also on
 * thousands of random entries, good and bad, message for message), the
 * unsorted-table validation, and the capacity check. */
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
#include <bpf/bpf.h>
#include <cmocka.h>

#include "bt_json.h"
#include "import.h"
#include "aftr_maps_fixture.h"
#include "snabb_conf.h"
#include "yang_text.h"
#include "stream_fixture.h"

/* A large table grows in here. */
struct text {
	char *buf;
	size_t len, cap;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		assert_true(n >= 0);
		if ((size_t)n < t->cap - t->len)
			break;
		t->cap = t->cap ? t->cap * 2 : 1 << 16;
		t->buf = realloc(t->buf, t->cap);
		assert_non_null(t->buf);
	}
	t->len += (size_t)n;
}

/* ---- the stream --------------------------------------------------------------- */

static void test_stream_window(void **state)
{
	static const char text[] = "ab\ncd\nef\ngh";
	struct lw_tstream s;
	size_t i;

	lw_tstream_mem(&s, text, sizeof(text) - 1, 2);
	s.count_lines = true;
	for (i = 0; i < sizeof(text) - 1; i++) {
		assert_int_equal(lw_tstream_at(&s, i), text[i]);
		/* the reader needs nothing before i any more */
		lw_tstream_keep(&s, i);
		assert_int_equal(lw_tstream_line(&s, i), 1 + (i >= 3) + (i >= 6) + (i >= 9));
	}
	assert_int_equal(lw_tstream_at(&s, i), -1);
	assert_int_equal(s.io_error, 0);
	/* what was let go is gone; the window stayed small */
	assert_true(s.base > 0);
	assert_true(s.cap <= 4);
	lw_tstream_close(&s);

	/* ensure brings in as much as asked, across pieces */
	lw_tstream_mem(&s, text, sizeof(text) - 1, 3);
	assert_int_equal(lw_tstream_ensure(&s, 0, 8), 8);
	assert_memory_equal(lw_tstream_ptr(&s, 0), text, 8);
	assert_int_equal(lw_tstream_ensure(&s, 4, 100), sizeof(text) - 1 - 4);
	assert_int_equal(lw_tstream_ensure(&s, sizeof(text) - 1, 1), 0);
	lw_tstream_close(&s);
}

static void test_stream_file_and_read_error(void **state)
{
	char path[] = "/tmp/test_import_stream.XXXXXX", err[256] = "";
	struct lw_aftr_setup s;
	struct lw_tstream in;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "xyz", 3), 3);
	close(fd);
	assert_int_equal(lw_tstream_open(&in, path, err, sizeof(err)), 0);
	assert_int_equal(lw_tstream_at(&in, 2), 'z');
	assert_int_equal(lw_tstream_at(&in, 3), -1);
	lw_tstream_close(&in);
	unlink(path);

	/* a read that fails is not an early end of the file */
	assert_int_equal(lw_bt_json_load("/tmp", &s, err, sizeof(err)), -EIO);
	assert_string_equal(err, "/tmp: read error: Is a directory");
	assert_int_equal(s.n_softwires, 0);
	assert_int_equal(lw_snabb_conf_load("/tmp", &s, err, sizeof(err)), -EIO);
	assert_string_equal(err, "/tmp: read error: Is a directory");
	assert_int_equal(s.n_softwires, 0);
}

/* ---- entries of every shape, split across reads --------------------------------- */

/* Entry i of a JSON table in one of several shapes: the usual one, and
 * shapes the direct reader leaves to json-c (escapes, a /128 prefix, line
 * breaks and the members in another order are still the usual one). */
static void json_entry(struct text *t, unsigned i, bool last)
{
	unsigned a = 1 + i / 64, psid = i % 64;

	switch (i % 5) {
	case 0:
		put(t,
		    "{\"binding-ipv6info\": \"2001:db8::%x\", \"binding-ipv4-addr\": \"198.18.%u.%u\", "
		    "\"port-set\": {\"psid-offset\": 0, \"psid-len\": 6, \"psid\": %u}, "
		    "\"br-ipv6-addr\": \"2001:db8:ffff::1\"}",
		    i + 1, a / 256, a % 256, psid);
		break;
	case 1:
		put(t,
		    "{\n  \"port-set\": {\"psid\": %u, \"psid-len\": 6},\n  \"br-ipv6-addr\": "
		    "\"2001:db8:ffff::2\",\r\n\t\"binding-ipv4-addr\": \"198.18.%u.%u\", "
		    "\"binding-ipv6info\": \"2001:db8::%x\"\n}",
		    psid, a / 256, a % 256, i + 1);
		break;
	case 2:
		put(t,
		    "{\"binding\\u002dipv6info\": \"2001:db8::%x\", \"binding-ipv4-addr\": \"198.18.%u.%u\", "
		    "\"port-set\": {\"psid-len\": 6, \"psid\": %u}, \"br-ipv6-addr\": \"2001:db8:ffff::1\"}",
		    i + 1, a / 256, a % 256, psid);
		break;
	case 3:
		put(t,
		    "{\"binding-ipv6info\": \"2001:db8::%x/128\", \"binding-ipv4-addr\": \"198.18.%u.%u\", "
		    "\"port-set\": {\"psid-len\": 6, \"psid\": %u}, \"br-ipv6-addr\": \"2001:db8:ffff::1\"}",
		    i + 1, a / 256, a % 256, psid);
		break;
	default:
		put(t,
		    "{\"binding-ipv6info\":\"2001:db8::%x\",\"binding-ipv4-addr\":\"198.18.%u.%u\","
		    "\"port-set\":{\"psid-len\":6,\"psid\":%u},\"br-ipv6-addr\":\"2001:DB8:FFFF::1\"}",
		    i + 1, a / 256, a % 256, psid);
	}
	put(t, "%s\n", last ? "" : ",");
}

static void check_entry(const struct lw_softwire_entry *e, unsigned i)
{
	unsigned a = 1 + i / 64;
	struct in6_addr b4, br;
	char s[64];

	assert_int_equal(ntohl(e->ipv4), 0xc6120000u + a);
	assert_int_equal(e->psid, i % 64);
	assert_int_equal(e->ps.psid_len, 6);
	assert_int_equal(e->ps.psid_offset, 0);
	snprintf(s, sizeof(s), "2001:db8::%x", i + 1);
	assert_int_equal(inet_pton(AF_INET6, s, &b4), 1);
	assert_memory_equal(&e->b4_ipv6, &b4, 16);
	assert_int_equal(inet_pton(AF_INET6, i % 5 == 1 ? "2001:db8:ffff::2" : "2001:db8:ffff::1",
				   &br),
			 1);
	assert_memory_equal(&e->br_ipv6, &br, 16);
}

static void test_json_entries_split_across_reads(void **state)
{
	const unsigned n = 3000; /* about 500 KiB: many 4 KiB windows */
	struct text t = { 0 };
	struct lw_aftr_setup s;
	char err[512] = "";
	unsigned i;

	put(&t, "{\"binding-table\": {\"binding-entry\": [\n");
	for (i = 0; i < n; i++)
		json_entry(&t, i, i + 1 == n);
	put(&t, "]}}\n");
	if (parse_in_pieces(lw_bt_json_parse_stream, t.buf, t.len, "t.json", &s, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(s.n_softwires, n);
	for (i = 0; i < n; i++)
		check_entry(&s.softwires[i], i);
	assert_int_equal(s.n_br_addrs, 2);
	lw_setup_free(&s);
	free(t.buf);
}

static void snabb_entry(struct text *t, unsigned i)
{
	unsigned a = 1 + i / 64, psid = i % 64;

	switch (i % 5) {
	case 0:
		put(t,
		    "    softwire {\n      ipv4 198.18.%u.%u;\n      psid %u;\n      b4-ipv6 2001:db8::%x;\n"
		    "      br-address 2001:db8:ffff::1;\n      port-set {\n        psid-length 6;\n"
		    "      }\n    }\n",
		    a / 256, a % 256, psid, i + 1);
		break;
	case 1:
		put(t,
		    "    softwire { port-set { shift 10; psid-length 6; reserved-ports-bit-count 0; }"
		    " padding 0; br-address 2001:db8:ffff::2;\r\n b4-ipv6 2001:db8::%x; psid %u;"
		    " ipv4 198.18.%u.%u; }\n",
		    i + 1, psid, a / 256, a % 256);
		break;
	case 2:
		put(t,
		    "    softwire { // a comment\n      ipv4 198.18.%u.%u; psid %u; b4-ipv6 2001:db8::%x;\n"
		    "      br-address 2001:db8:ffff::1; port-set { psid-length 6; } }\n",
		    a / 256, a % 256, psid, i + 1);
		break;
	case 3:
		put(t,
		    "    softwire { ipv4 \"198.18.%u.%u\"; psid %u; b4-ipv6 '2001:db8::%x';\n"
		    "      br-address 2001:db8:ffff::1; port-set { psid-length 6; } }\n",
		    a / 256, a % 256, psid, i + 1);
		break;
	default:
		put(t,
		    "    softwire\n{ipv4 198.18.%u.%u;psid %u;b4-ipv6 2001:db8::%x;br-address "
		    "2001:DB8:FFFF::1;port-set{psid-length 6;}/* and another */}\n",
		    a / 256, a % 256, psid, i + 1);
	}
}

static void test_snabb_softwires_split_across_reads(void **state)
{
	const unsigned n = 3000;
	struct text t = { 0 };
	struct lw_aftr_setup s;
	char err[512] = "";
	unsigned i;

	put(&t, "softwire-config {\n  binding-table {\n");
	for (i = 0; i < n; i++)
		snabb_entry(&t, i);
	put(&t, "  }\n  external-interface {\n    mtu 1500;\n  }\n}\n");
	if (parse_in_pieces(lw_snabb_conf_parse_stream, t.buf, t.len, "t.conf", &s, err,
			    sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(s.n_softwires, n);
	for (i = 0; i < n; i++)
		check_entry(&s.softwires[i], i);
	assert_int_equal(s.cfg.ipv4_mtu, 1500);
	lw_setup_free(&s);
	free(t.buf);
}

/* ---- a bad entry at the very end -------------------------------------------------- */

#define BIG 200000 /* softwires: 35 MB of text */

static void plain_json_entry(struct text *t, unsigned i, const char *v4, bool last)
{
	unsigned a = i / 64;

	if (v4)
		put(t, "{\"binding-ipv6info\": \"2001:db8::%x:%x\", \"binding-ipv4-addr\": \"%s\", "
		       "\"port-set\": {\"psid-len\": 6, \"psid\": %u}, \"br-ipv6-addr\": \"::1\"}%s\n",
		    (i + 1) >> 16, (i + 1) & 0xffff, v4, i % 64, last ? "" : ",");
	else
		put(t, "{\"binding-ipv6info\": \"2001:db8::%x:%x\", \"binding-ipv4-addr\": \"10.%u.%u.%u\", "
		       "\"port-set\": {\"psid-len\": 6, \"psid\": %u}, \"br-ipv6-addr\": \"::1\"}%s\n",
		    (i + 1) >> 16, (i + 1) & 0xffff, a >> 16, (a >> 8) & 255, a & 255, i % 64,
		    last ? "" : ",");
}

/* As a file arrives: pieces of 64 KiB. */
static int parse_like_a_file(stream_parse_fn parse, const struct text *t, const char *name,
			     struct lw_aftr_setup *s, char *err, size_t errlen, size_t *window)
{
	struct lw_tstream in;
	int ret;

	lw_tstream_mem(&in, t->buf, t->len, 1 << 16);
	ret = parse(&in, name, s, err, errlen);
	if (window)
		*window = in.cap;
	lw_tstream_close(&in);
	return ret;
}

static void expect_json_end_error(const char *last_v4, const char *message)
{
	struct text t = { 0 };
	struct lw_aftr_setup s;
	char err[512] = "";
	unsigned i;

	put(&t, "{\"binding-table\": {\"binding-entry\": [\n");
	for (i = 0; i < BIG; i++)
		plain_json_entry(&t, i, NULL, false);
	plain_json_entry(&t, BIG, last_v4, true);
	put(&t, "]}}\n");
	assert_int_equal(parse_like_a_file(lw_bt_json_parse_stream, &t, "t.json", &s, err,
					   sizeof(err), NULL),
			 -EINVAL);
	assert_string_equal(err, message);
	assert_null(s.softwires);
	assert_int_equal(s.n_softwires, 0);
	free(t.buf);
}

static void test_json_bad_entry_at_the_end(void **state)
{
	/* the entry of line BIG + 2 is the last one */
	expect_json_end_error("10.0.0.256",
			      "t.json:200002: binding-entry[200000]: binding-ipv4-addr '10.0.0.256' "
			      "is not an IPv4 address: octet '256' > 255");
	/* a duplicate of the first entry is found by the validation */
	expect_json_end_error("10.0.0.0", "t.json: binding-entry[200000]: duplicate softwire ipv4 "
					  "10.0.0.0 psid 0 (already at binding-entry[0])");
}

static void expect_snabb_end_error(const char *last, const char *message)
{
	struct text t = { 0 };
	struct lw_aftr_setup s;
	char err[512] = "";
	unsigned i;

	put(&t, "softwire-config {\n  binding-table {\n");
	for (i = 0; i < BIG; i++)
		put(&t,
		    "    softwire {\n      ipv4 10.%u.%u.%u;\n      psid %u;\n"
		    "      b4-ipv6 2001:db8::%x:%x;\n      br-address ::1;\n      port-set {\n"
		    "        psid-length 6;\n      }\n    }\n",
		    (i / 64) >> 16, ((i / 64) >> 8) & 255, (i / 64) & 255, i % 64, (i + 1) >> 16,
		    (i + 1) & 0xffff);
	put(&t, "%s  }\n}\n", last);
	assert_int_equal(parse_like_a_file(lw_snabb_conf_parse_stream, &t, "t.conf", &s, err,
					   sizeof(err), NULL),
			 -EINVAL);
	assert_string_equal(err, message);
	assert_null(s.softwires);
	assert_int_equal(s.n_softwires, 0);
	free(t.buf);
}

static void test_snabb_bad_entry_at_the_end(void **state)
{
	/* nine lines a softwire after two of header: the last starts on 1800003 */
	expect_snabb_end_error("    softwire {\n      ipv4 10.0.0.1;\n      psid 64;\n"
			       "      b4-ipv6 ::2;\n      br-address ::1;\n      port-set {\n"
			       "        psid-length 6;\n      }\n    }\n",
			       "t.conf:1800005: psid 64 out of range for psid-length 6 (0..63)");
	expect_snabb_end_error("    softwire {\n      ipv4 10.0.0.0;\n      psid 0;\n"
			       "      b4-ipv6 ::2;\n      br-address ::1;\n      port-set {\n"
			       "        psid-length 6;\n      }\n    }\n",
			       "t.conf:1800003: duplicate softwire ipv4 10.0.0.0 psid 0 (already at "
			       "t.conf:3)");
	/* cut short in the middle of the last softwire */
	expect_snabb_end_error("    softwire {\n      ipv4 10.0.0.1;\n      psid",
			       "t.conf:1800005: missing ';' after 'psid'");
}

/* ---- memory: the window does not grow with the table ------------------------------- */

static void test_window_stays_small(void **state)
{
	struct text t = { 0 };
	struct lw_aftr_setup s;
	char err[512] = "";
	size_t window = 0;
	unsigned i;

	put(&t, "{\"ietf-softwire-br:br-instances\": {\"binding\": {\"bind-instance\": [\n"
		"{\"name\": \"a\", \"binding-table\": {\"binding-entry\": [\n");
	for (i = 0; i < BIG; i++)
		plain_json_entry(&t, i, NULL, i + 1 == BIG);
	/* a second instance is skipped, as large as the first */
	put(&t, "]}}, {\"name\": \"b\", \"binding-table\": {\"binding-entry\": [\n");
	for (i = 0; i < BIG; i++)
		plain_json_entry(&t, i, NULL, i + 1 == BIG);
	put(&t, "]}}]}}}\n");
	if (parse_like_a_file(lw_bt_json_parse_stream, &t, "t.json", &s, err, sizeof(err), &window))
		fail_msg("%s", err);
	assert_int_equal(s.n_softwires, BIG);
	assert_true(t.len > 40u << 20); /* the window is a thousandth of it */
	assert_true(window <= 1u << 16);
	lw_setup_free(&s);
	free(t.buf);
}

/* ---- the order of a Snabb file's problems -------------------------------------------- */

#define SW(line_v4, psid)                                                                 \
	"    softwire {\n      ipv4 " line_v4 ";\n      psid " psid ";\n"                    \
	"      b4-ipv6 ::2;\n      br-address ::1;\n      port-set {\n"                       \
	"        psid-length 6;\n      }\n    }\n"

static void expect_snabb(const char *text, const char *message)
{
	struct lw_aftr_setup s;
	char err[512] = "";

	assert_int_equal(parse_in_pieces(lw_snabb_conf_parse_stream, text, strlen(text), "t.conf",
					 &s, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, message);
	assert_int_equal(s.n_softwires, 0);
}

/* Softwires are checked as they are read, but what is reported is what
 * reading the whole file first and then walking it reported. */
static void test_snabb_problems_in_file_order(void **state)
{
	/* a syntax error anywhere comes first */
	expect_snabb("softwire-config {\n  binding-table {\n" SW("10.0.0.1", "64") "  }\n  mtu\n}\n",
		     "t.conf:13: missing ';' after 'mtu'");
	/* a schema error before the bad softwire */
	expect_snabb("softwire-config {\n  nme x;\n  binding-table {\n" SW("10.0.0.1", "64") "  }\n}\n",
		     "t.conf:2: unknown leaf 'nme' in softwire-config");
	/* ... and after it */
	expect_snabb("softwire-config {\n  binding-table {\n" SW("10.0.0.1", "64")
		     "  }\n  external-interface {\n    mtu 1;\n  }\n}\n",
		     "t.conf:5: psid 64 out of range for psid-length 6 (0..63)");
	/* only the first bad softwire is named */
	expect_snabb("softwire-config {\n  binding-table {\n" SW("10.0.0.1", "64") SW("10.0.0.1", "65")
		     "  }\n}\n",
		     "t.conf:5: psid 64 out of range for psid-length 6 (0..63)");
	/* a Snabb 3.x file is named as such whatever its softwires say */
	expect_snabb("softwire-config {\n  binding-table {\n" SW("10.0.0.1", "64")
		     "    br-address ::1;\n  }\n}\n",
		     "t.conf:12: unsupported Snabb config format (snabb-softwire-v1 binding-table with "
		     "'br-address', Snabb 3.x); convert it with 'snabb lwaftr migrate-configuration'");
	/* a softwire where no binding table is: not a softwire */
	expect_snabb("softwire-config {\n  external-interface {\n" SW("10.0.0.1", "64") "  }\n}\n",
		     "t.conf:3: unknown block 'softwire' in softwire-config/external-interface");
}

/* ---- the two ways of reading an entry agree ------------------------------------------- */

static void test_direct_and_json_c_agree(void **state)
{
	static const char plain[] =
		"{\"binding-table\": {\"binding-entry\": [\n"
		"{\"binding-ipv6info\": \"::ffff:1.2.3.4\", \"binding-ipv4-addr\": \"203.0.113.9\", "
		"\"port-set\": {\"psid-offset\": 16, \"psid-len\": 0, \"psid\": 0}, "
		"\"br-ipv6-addr\": \"fe80::1\"},\n"
		"{\"binding-ipv6info\": \"1:2:3:4:5:6:7:8\", \"binding-ipv4-addr\": \"0.0.0.0\", "
		"\"port-set\": {\"psid-len\": 16, \"psid\": 65535}, \"br-ipv6-addr\": \"::\"}]}}";
	/* the same with one escaped byte in every key: json-c reads these */
	static const char escaped[] =
		"{\"binding-table\": {\"binding-entry\": [\n"
		"{\"binding-ipv6inf\\u006f\": \"::ffff:1.2.3.4\", \"binding-ipv4-add\\u0072\": "
		"\"203.0.113.9\", \"port-se\\u0074\": {\"psid-offse\\u0074\": 16, \"psid-le\\u006e\": "
		"0, \"psi\\u0064\": 0}, \"br-ipv6-add\\u0072\": \"fe80::1\"},\n"
		"{\"binding-ipv6inf\\u006f\": \"1:2:3:4:5:6:7:8\", \"binding-ipv4-add\\u0072\": "
		"\"0.0.0.0\", \"port-se\\u0074\": {\"psid-le\\u006e\": 16, \"psi\\u0064\": 65535}, "
		"\"br-ipv6-add\\u0072\": \"::\"}]}}";
	struct lw_aftr_setup a, b;
	char err[512] = "";

	if (lw_bt_json_parse(plain, sizeof(plain) - 1, "t.json", &a, err, sizeof(err)))
		fail_msg("%s", err);
	if (lw_bt_json_parse(escaped, sizeof(escaped) - 1, "t.json", &b, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(a.n_softwires, 2);
	assert_same_setup(&a, &b);
	lw_setup_free(&a);
	lw_setup_free(&b);
}

/* ---- the direct readers against the general way, on random entries -------------------- */

static const char *const v4s[] = { "192.0.2.1", "192.0.2.2", "10.0.0.0", "255.255.255.255",
				   "192.0.2.256", "01.2.3.4", "1.2.3", "x" };
static const char *const v6s[] = { "2001:db8::1", "2001:DB8::1", "::", "1:2:3:4:5:6:7:8",
				   "::ffff:192.0.2.1", "fe80::1:2", "1::2::3", "12345::",
				   "1:2:3:4:5:6:7:8:9", "g::1" };
static const char *const nums[] = { "0", "1", "6", "15", "16", "17", "63", "64", "65535",
				    "65536", "01", "-1", "1.5", "1e2" };

/* Mostly one of the first n_good, sometimes anything. */
static const char *pick(const char *const *v, size_t n_good, size_t n)
{
	return v[(unsigned)rand() % (rand() % 8 ? n_good : n)];
}

#define V4()     pick(v4s, 4, sizeof(v4s) / sizeof(v4s[0]))
#define V6()     pick(v6s, 6, sizeof(v6s) / sizeof(v6s[0]))
#define NUM(k)   pick(nums, k, sizeof(nums) / sizeof(nums[0]))
#define TIMES()  (rand() % 12 == 0 ? 0 : rand() % 12 == 0 ? 2 : 1)

/* A random softwire, its members in random order, each now and then
 * missing, repeated or wrong; pad is written inside the block first. */
static void random_snabb(struct text *t, const char *pad)
{
	unsigned m, k, order[6] = { 0, 1, 2, 3, 4, 5 };

	for (m = 5; m > 0; m--) {
		unsigned r = (unsigned)rand() % (m + 1), x = order[m];

		order[m] = order[r];
		order[r] = x;
	}
	put(t, "softwire-config {\n  binding-table {\n    softwire {%s\n", pad);
	for (m = 0; m < 6; m++) {
		for (k = TIMES(); k > 0; k--) {
			switch (order[m]) {
			case 0: put(t, "      ipv4 %s;\n", V4()); break;
			case 1: put(t, "      psid %s;\n", NUM(4)); break;
			case 2: put(t, "      b4-ipv6 %s;\n", V6()); break;
			case 3: put(t, "      br-address %s;\n", V6()); break;
			case 4:
				if (rand() % 4 == 0)
					put(t, "      padding %s;\n", NUM(9));
				break;
			default:
				put(t, "      port-set { psid-length %s; ", NUM(4));
				if (rand() % 3 == 0)
					put(t, "reserved-ports-bit-count %s; ", NUM(2));
				if (rand() % 3 == 0)
					put(t, "shift %s; ", NUM(5));
				put(t, "}\n");
			}
		}
	}
	put(t, "    }\n  }\n}\n");
}

/* A comment inside the block sends a softwire the general way; with or
 * without it, the result and the message must be the same. */
static void test_snabb_direct_reader_agrees(void **state)
{
	unsigned i, ok = 0;

	for (i = 0; i < 4000; i++) {
		struct text a = { 0 }, b = { 0 };
		struct lw_aftr_setup sa, sb;
		char ea[512] = "", eb[512] = "";
		int ra, rb;

		srand(1 + i);
		random_snabb(&a, "");
		srand(1 + i);
		random_snabb(&b, " /* the general way */");
		ra = lw_snabb_conf_parse(a.buf, a.len, "t.conf", &sa, ea, sizeof(ea));
		rb = lw_snabb_conf_parse(b.buf, b.len, "t.conf", &sb, eb, sizeof(eb));
		if (ra != rb || strcmp(ea, eb))
			fail_msg("%s\n-> %d %s\nthe general way: %d %s", a.buf, ra, ea, rb, eb);
		if (!ra)
			assert_same_setup(&sa, &sb);
		ok += !ra;
		lw_setup_free(&sa);
		lw_setup_free(&sb);
		free(a.buf);
		free(b.buf);
	}
	/* the mix holds valid softwires too */
	assert_true(ok > 300);
}

/* A random entry, the same way; esc writes its binding-ipv6info key with
 * an escape (json-c reads it). */
static void random_json(struct text *t, bool esc)
{
	unsigned m, k, n = 0, order[4] = { 0, 1, 2, 3 };

	for (m = 3; m > 0; m--) {
		unsigned r = (unsigned)rand() % (m + 1), x = order[m];

		order[m] = order[r];
		order[r] = x;
	}
	put(t, "{\"binding-table\": {\"binding-entry\": [{");
	for (m = 0; m < 4; m++) {
		for (k = TIMES(); k > 0; k--) {
			const char *sep = n++ ? ", " : "";

			switch (order[m]) {
			case 0: put(t, "%s\"binding-ipv4-addr\": \"%s\"", sep, V4()); break;
			case 1:
				put(t, "%s\"%s\": \"%s\"", sep,
				    esc ? "binding-ipv6inf\\u006f" : "binding-ipv6info", V6());
				break;
			case 2:
				if (rand() % 10)
					put(t, "%s\"br-ipv6-addr\": \"%s\"", sep, V6());
				else
					put(t, "%s\"br-ipv6-addr\": %s", sep, NUM(4));
				break;
			default:
				put(t, "%s\"port-set\": {\"psid-len\": %s, \"psid\": %s", sep, NUM(4),
				    NUM(4));
				if (rand() % 3 == 0)
					put(t, ", \"psid-offset\": %s", NUM(2));
				put(t, "}");
			}
		}
	}
	put(t, "}]}}");
}

/* With an escaped key an entry goes to json-c; with or without it, the
 * result and the message must be the same. */
static void test_json_direct_reader_agrees(void **state)
{
	unsigned i, ok = 0;

	for (i = 0; i < 4000; i++) {
		struct text a = { 0 }, b = { 0 };
		struct lw_aftr_setup sa, sb;
		char ea[512] = "", eb[512] = "";
		int ra, rb;

		srand(100000 + i);
		random_json(&a, false);
		srand(100000 + i);
		random_json(&b, true);
		ra = lw_bt_json_parse(a.buf, a.len, "t.json", &sa, ea, sizeof(ea));
		rb = lw_bt_json_parse(b.buf, b.len, "t.json", &sb, eb, sizeof(eb));
		if (ra != rb || strcmp(ea, eb))
			fail_msg("%s\n-> %d %s\nthrough json-c: %d %s", a.buf, ra, ea, rb, eb);
		if (!ra)
			assert_same_setup(&sa, &sb);
		ok += !ra;
		lw_setup_free(&sa);
		lw_setup_free(&sb);
		free(a.buf);
		free(b.buf);
	}
	assert_true(ok > 300);
}

/* ---- validation of an unsorted table ---------------------------------------------------- */

static struct lw_softwire_entry entry(uint32_t ipv4, unsigned len, unsigned psid)
{
	struct lw_softwire_entry e = { .ipv4 = htonl(ipv4), .psid = (__u16)psid };

	e.ps.psid_len = (__u8)len;
	return e;
}

/* The same table in address order (checked in place) and reversed (checked
 * through sorted keys) gives the same verdicts; of two problems, the one of
 * the lower address is reported. */
static void test_unsorted_validation(void **state)
{
	const size_t n = 100000;
	struct lw_aftr_setup s;
	char err[512], fwd[512];
	size_t i;

	lw_setup_init(&s);
	s.softwires = calloc(n, sizeof(*s.softwires));
	assert_non_null(s.softwires);
	s.n_softwires = s.cap_softwires = n;
	for (i = 0; i < n; i++)
		s.softwires[i] = entry(0x0a000000u + (uint32_t)(i / 64), 6, (unsigned)(i % 64));
	assert_int_equal(lw_setup_validate(&s, err, sizeof(err)), 0);
	/* two problems: a duplicate at a high address, a conflict at a low one;
	 * the table stays in address order */
	s.softwires[n - 1] = s.softwires[n - 2];
	s.softwires[70] = entry(0x0a000001u, 7, 6);
	assert_int_equal(lw_setup_validate(&s, fwd, sizeof(fwd)), -EINVAL);
	assert_string_equal(fwd, "softwire #70: ipv4 10.0.0.1 has psid-offset 0 psid-len 7, but "
				 "softwire #64 gives the same address psid-offset 0 psid-len 6; every "
				 "softwire of one IPv4 address must use the same port-set parameters "
				 "(RFC 7597 section 5.1)");
	for (i = 0; i < n / 2; i++) {
		struct lw_softwire_entry t = s.softwires[i];

		s.softwires[i] = s.softwires[n - 1 - i];
		s.softwires[n - 1 - i] = t;
	}
	assert_int_equal(lw_setup_validate(&s, err, sizeof(err)), -EINVAL);
	/* reversed: #70 is #99929, and the first of its address is #127's */
	assert_string_equal(err, "softwire #99929: ipv4 10.0.0.1 has psid-offset 0 psid-len 7, but "
				 "softwire #99872 gives the same address psid-offset 0 psid-len 6; "
				 "every softwire of one IPv4 address must use the same port-set "
				 "parameters (RFC 7597 section 5.1)");
	lw_setup_free(&s);
}

/* ---- capacity ------------------------------------------------------------------------------ */

static void test_capacity_counts(void **state)
{
	char err[256];

	assert_int_equal(lw_import_fits(1048576, 1048576, 0, err, sizeof(err)), 0);
	assert_int_equal(lw_import_fits(1048576, 1048577, 0, err, sizeof(err)), -ENOSPC);
	assert_string_equal(err, "1048577 softwires do not fit the binding table, which holds "
				 "1048576; nothing was changed");
	assert_int_equal(lw_import_fits(16777216, 10000000, 6777216, err, sizeof(err)), 0);
	assert_int_equal(lw_import_fits(16777216, 10000000, 6777217, err, sizeof(err)), -ENOSPC);
	assert_string_equal(err, "10000000 softwires and the 6777217 installed do not fit the "
				 "binding table, which holds 16777216; nothing was changed (--replace "
				 "replaces the installed ones)");
	/* no wrap-around */
	assert_int_equal(lw_import_fits(1048576, SIZE_MAX, SIZE_MAX, err, sizeof(err)), -ENOSPC);
	assert_int_equal(lw_import_fits(1048576, 1, SIZE_MAX, err, sizeof(err)), -ENOSPC);
	assert_int_equal(lw_import_fits(UINT64_MAX, SIZE_MAX, 0, err, sizeof(err)), 0);
	assert_int_equal(lw_import_fits(0, 0, 0, err, sizeof(err)), 0);
}

/* The loaded table's capacity is what lw_aftr_capacity reads off real maps
 * made to the program's shapes (root), not a number of our own. */
static void test_capacity_of_a_map(void **state)
{
	struct lw_aftr_maps m;
	struct lw_aftr_capacity c;
	char err[256], want[256];

	if (aftr_maps_fixture_open(&m, 1024))
		skip();
	assert_int_equal(lw_aftr_capacity(&m, &c), 0);
	assert_true(c.max_softwires >= 1024);
	assert_int_equal(lw_import_check_capacity(&m, c.max_softwires, 0, err, sizeof(err)), 0);
	assert_int_equal(lw_import_check_capacity(&m, 60, c.max_softwires - 59, err, sizeof(err)),
			 -ENOSPC);
	assert_int_equal(lw_import_check_capacity(&m, c.max_softwires + 1, 0, err, sizeof(err)),
			 -ENOSPC);
	snprintf(want, sizeof(want),
		 "%u softwires do not fit the binding table, which holds %u; nothing was changed",
		 c.max_softwires + 1, c.max_softwires);
	assert_string_equal(err, want);
	aftr_maps_fixture_close(&m);
	m.sw_chunks = -1;
	assert_true(lw_import_check_capacity(&m, 1, 0, err, sizeof(err)) < 0);
}

/* ---- the YANG reader's hooks ----------------------------------------------------------------- */

static int drop_b(void *ctx, const struct lw_ytree *t, uint32_t node)
{
	(*(int *)ctx)++;
	return !strcmp(t->nodes[node].name, "b");
}

static void test_yang_blocks_taken_out(void **state)
{
	static const char text[] = "a {\n b { c 1; }\n d 2;\n b { c 2; b { } }\n e;\n}\nf 3;\n";
	const struct lw_ynode *a, *n;
	struct lw_yhooks hooks = { NULL, drop_b, NULL };
	struct lw_tstream in;
	struct lw_ytree t;
	char err[256];
	int calls = 0;

	hooks.ctx = &calls;
	lw_tstream_mem(&in, text, sizeof(text) - 1, 3);
	assert_int_equal(lw_ytree_parse_stream(&in, "t", &t, &hooks, err, sizeof(err)), 0);
	lw_tstream_close(&in);
	assert_int_equal(calls, 4); /* a, both b's and the inner one */
	a = lw_ynode_at(&t, t.nodes[0].child);
	assert_string_equal(a->name, "a");
	n = lw_ynode_at(&t, a->child);
	assert_string_equal(n->name, "d");
	assert_string_equal(n->value, "2");
	assert_int_equal(n->line, 3);
	n = lw_ynode_at(&t, n->next);
	assert_string_equal(n->name, "e");
	assert_int_equal(n->line, 5);
	assert_null(lw_ynode_at(&t, n->next));
	n = lw_ynode_at(&t, a->next);
	assert_string_equal(n->name, "f");
	assert_int_equal(n->parent, 0);
	/* root, a, d, e, f: the dropped blocks' nodes were reused */
	assert_int_equal(t.n_nodes, 5);
	lw_ytree_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_window),
		cmocka_unit_test(test_stream_file_and_read_error),
		cmocka_unit_test(test_json_entries_split_across_reads),
		cmocka_unit_test(test_snabb_softwires_split_across_reads),
		cmocka_unit_test(test_json_bad_entry_at_the_end),
		cmocka_unit_test(test_snabb_bad_entry_at_the_end),
		cmocka_unit_test(test_window_stays_small),
		cmocka_unit_test(test_snabb_problems_in_file_order),
		cmocka_unit_test(test_direct_and_json_c_agree),
		cmocka_unit_test(test_snabb_direct_reader_agrees),
		cmocka_unit_test(test_json_direct_reader_agrees),
		cmocka_unit_test(test_unsorted_validation),
		cmocka_unit_test(test_capacity_counts),
		cmocka_unit_test(test_capacity_of_a_map),
		cmocka_unit_test(test_yang_blocks_taken_out),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
