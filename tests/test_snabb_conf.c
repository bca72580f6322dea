/* SPDX-License-Identifier: GPL-2.0 */
/* Snabb lwAFTR configuration import: the conformance suite's own files, with
 * values read from them by hand, and malformed inputs whose messages must
 * name the line and the offending word. */
#include <dirent.h>
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

#include "snabb_conf.h"
#include "stream_fixture.h"

#define DATA LW4O6_DATA_DIR "/snabb-lwaftr/tests/data"

#define assert_contains(haystack, needle)                                              \
	do {                                                                            \
		if (!strstr((haystack), (needle)))                                      \
			fail_msg("message \"%s\" does not contain \"%s\"", (haystack), (needle)); \
	} while (0)

static void load_ok(const char *path, struct lw_aftr_setup *s)
{
	char err[512] = "";

	if (lw_snabb_conf_load(path, s, err, sizeof(err)))
		fail_msg("%s: %s", path, err);
}

static __be32 ip4(const char *s)
{
	__be32 a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static struct in6_addr ip6(const char *s)
{
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

static void assert_mac(const __u8 *mac, __u8 b0, __u8 b1, __u8 b2, __u8 b3, __u8 b4, __u8 b5)
{
	const __u8 want[6] = { b0, b1, b2, b3, b4, b5 };

	assert_memory_equal(mac, want, 6);
}

static const struct lw_softwire_entry *find(const struct lw_aftr_setup *s, const char *ipv4,
					    unsigned psid)
{
	size_t i;

	for (i = 0; i < s->n_softwires; i++)
		if (s->softwires[i].ipv4 == ip4(ipv4) && s->softwires[i].psid == psid)
			return &s->softwires[i];
	fail_msg("softwire %s psid %u not imported", ipv4, psid);
	return NULL;
}

static void test_icmp_on_fail(void **state)
{
	const struct lw_softwire_entry *e;
	struct lw_aftr_setup s;
	struct in6_addr a;

	load_ok(DATA "/icmp_on_fail.conf", &s);
	assert_int_equal(s.n_softwires, 12);
	assert_int_equal(s.n_br_addrs, 3);
	/* in order of first appearance */
	a = ip6("1e:2:2:2:2:2:2:af");
	assert_memory_equal(&s.br_addrs[0], &a, 16);
	a = ip6("8:9:a:b:c:d:e:f");
	assert_memory_equal(&s.br_addrs[1], &a, 16);
	a = ip6("1e:1:1:1:1:1:1:af");
	assert_memory_equal(&s.br_addrs[2], &a, 16);

	e = find(&s, "178.79.150.15", 1);
	assert_int_equal(e->ps.psid_len, 4);
	assert_int_equal(e->ps.psid_offset, 0);
	a = ip6("127:22:33:44:55:66:77:128");
	assert_memory_equal(&e->b4_ipv6, &a, 16);
	a = ip6("8:9:a:b:c:d:e:f");
	assert_memory_equal(&e->br_ipv6, &a, 16);
	e = find(&s, "178.79.150.233", 54192);
	assert_int_equal(e->ps.psid_len, 16);
	e = find(&s, "178.79.150.1", 0);
	assert_int_equal(e->ps.psid_len, 0);

	assert_true(s.external.has_ip4);
	assert_int_equal(s.external.ip4, ip4("10.10.10.10"));
	assert_true(s.external.has_mac);
	assert_mac(s.external.mac, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12);
	assert_true(s.external.has_next_hop_mac);
	assert_false(s.external.has_next_hop_ip4);
	assert_mac(s.external.next_hop_mac, 0x68, 0x68, 0x68, 0x68, 0x68, 0x68);
	assert_true(s.internal.has_ip6);
	a = ip6("8:9:a:b:c:d:e:f");
	assert_memory_equal(&s.internal.ip6, &a, 16);
	assert_mac(s.internal.mac, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22);
	assert_mac(s.internal.next_hop_mac, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44);

	/* allow-incoming-icmp false on both sides; the rest default to true */
	assert_false(s.cfg.flags & LW_CFG_ALLOW_ICMPV4_IN);
	assert_false(s.cfg.flags & LW_CFG_ALLOW_ICMPV6_IN);
	assert_true(s.cfg.flags & LW_CFG_ICMPV4_ERRORS);
	assert_true(s.cfg.flags & LW_CFG_ICMPV6_ERRORS);
	assert_true(s.cfg.flags & LW_CFG_HAIRPINNING);
	assert_true(s.cfg.flags & LW_CFG_TTL_DECAP);
	assert_int_equal(s.cfg.echo_policy, LW_ECHO_PORT0);
	assert_int_equal(s.cfg.hop_limit, 64);
	/* no mtu given: Snabb's defaults */
	assert_int_equal(s.cfg.ipv4_mtu, 1460);
	assert_int_equal(s.cfg.ipv6_mtu, 1500);
	assert_int_equal(s.external.mtu, 0);
	/* packets 600000, default period 2 s */
	assert_int_equal(s.cfg.event_rate, 300000);
	assert_int_equal(s.cfg.ipv4_vlan, 0);
	assert_int_equal(s.cfg.ipv6_vlan, 0);
	assert_int_equal(s.n_unsupported, 0);
	lw_setup_free(&s);
}

static void test_vlan(void **state)
{
	struct lw_aftr_setup s;

	load_ok(DATA "/vlan.conf", &s);
	assert_int_equal(s.cfg.ipv4_vlan, 1092);
	assert_int_equal(s.cfg.ipv6_vlan, 1638);
	assert_int_equal(s.external.vlan, 1092);
	assert_int_equal(s.internal.vlan, 1638);
	/* internal packets 6000 is stricter than external 600000 */
	assert_int_equal(s.cfg.event_rate, 3000);
	lw_setup_free(&s);

	load_ok(DATA "/lwaftr-vlan.conf", &s);
	assert_int_equal(s.cfg.ipv4_vlan, 164);
	assert_int_equal(s.cfg.ipv6_vlan, 125);
	assert_int_equal(s.cfg.ipv6_mtu, 9500);
	assert_int_equal(s.internal.mtu, 9500);
	assert_int_equal(s.n_softwires, 1);
	lw_setup_free(&s);
}

static void test_no_hairpin(void **state)
{
	struct lw_aftr_setup s;

	load_ok(DATA "/no_hairpin.conf", &s);
	assert_false(s.cfg.flags & LW_CFG_HAIRPINNING);
	assert_false(s.cfg.flags & LW_CFG_ICMPV4_ERRORS);
	assert_false(s.cfg.flags & LW_CFG_ICMPV6_ERRORS);
	assert_true(s.cfg.flags & LW_CFG_PCP_BOOTSTRAP);
	lw_setup_free(&s);
}

static void test_mtus(void **state)
{
	struct lw_aftr_setup s;

	load_ok(DATA "/small_ipv4_mtu_icmp.conf", &s);
	assert_int_equal(s.cfg.ipv4_mtu, 576);
	assert_int_equal(s.external.mtu, 576);
	assert_int_equal(s.cfg.ipv6_mtu, 1500);
	lw_setup_free(&s);
	load_ok(DATA "/small_ipv6_mtu_no_icmp.conf", &s);
	assert_int_equal(s.cfg.ipv4_mtu, 1500);
	assert_int_equal(s.cfg.ipv6_mtu, 1280);
	lw_setup_free(&s);
}

static void test_filters_are_reported_unsupported(void **state)
{
	struct lw_aftr_setup s;

	load_ok(DATA "/no_icmp_with_filters_drop.conf", &s);
	assert_int_equal(s.n_unsupported, 4);
	assert_string_equal(s.unsupported[0], "egress-filter on external-interface");
	assert_string_equal(s.unsupported[1], "ingress-filter on external-interface");
	assert_string_equal(s.unsupported[2], "egress-filter on internal-interface");
	assert_string_equal(s.unsupported[3], "ingress-filter on internal-interface");
	assert_int_equal(s.n_softwires, 12);
	lw_setup_free(&s);
}

static void test_next_hop_ip(void **state)
{
	struct lw_aftr_setup s;

	load_ok(DATA "/tunnel_icmp_without_mac4.conf", &s);
	assert_true(s.external.has_next_hop_ip4);
	assert_false(s.external.has_next_hop_mac);
	assert_int_equal(s.external.next_hop_ip4, ip4("4.5.6.7"));
	assert_true(s.internal.has_next_hop_mac);
	lw_setup_free(&s);
}

static void test_tutorial(void **state)
{
	struct lw_aftr_setup s;
	struct in6_addr a;

	load_ok(LW4O6_DATA_DIR "/snabb-lwaftr/doc/tutorial/lwaftr-start.conf", &s);
	assert_int_equal(s.n_softwires, 1);
	assert_int_equal(s.softwires[0].ipv4, ip4("198.18.0.1"));
	a = ip6("2003:1c09:ffe0:100::1");
	assert_memory_equal(&s.softwires[0].b4_ipv6, &a, 16);
	a = ip6("2003:1b0b:fff9:ffff::4001");
	assert_memory_equal(&s.softwires[0].br_ipv6, &a, 16);
	/* quoted values */
	assert_int_equal(s.external.ip4, ip4("10.77.0.1"));
	assert_mac(s.external.mac, 0x02, 0, 0, 0, 0, 0x01);
	assert_true(s.internal.has_next_hop_ip6);
	a = ip6("fd10::10");
	assert_memory_equal(&s.internal.next_hop_ip6, &a, 16);
	assert_int_equal(s.cfg.ipv4_mtu, 1500);
	assert_int_equal(s.cfg.ipv6_mtu, 1540);
	assert_int_equal(s.n_unsupported, 1);
	assert_string_equal(s.unsupported[0], "flow-label 42 on internal-interface");
	lw_setup_free(&s);
}

/* Every configuration of Snabb's suite must import; the file counts guard
 * against a loop that silently finds nothing. */
static unsigned load_every_conf(const char *dir)
{
	struct dirent *d;
	unsigned n = 0;
	DIR *dh = opendir(dir);

	assert_non_null(dh);
	while ((d = readdir(dh))) {
		size_t len = strlen(d->d_name);
		char path[1024];
		struct lw_aftr_setup s;

		if (len < 5 || strcmp(d->d_name + len - 5, ".conf"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		load_ok(path, &s);
		if (strcmp(d->d_name, "empty.conf"))
			assert_true(s.n_softwires > 0);
		lw_setup_free(&s);
		n++;
	}
	closedir(dh);
	return n;
}

static void test_every_suite_conf_loads(void **state)
{
	assert_int_equal(load_every_conf(DATA), 21);
	assert_int_equal(load_every_conf(DATA "/vlan"), 15);
}

static void expect_load_error(const char *path, const char *needle1, const char *needle2)
{
	struct lw_aftr_setup s;
	char err[512] = "";

	assert_int_equal(lw_snabb_conf_load(path, &s, err, sizeof(err)), -EINVAL);
	assert_contains(err, needle1);
	assert_contains(err, needle2);
	assert_null(s.softwires);
	assert_int_equal(s.n_softwires, 0);
}

static void test_older_formats_are_named(void **state)
{
	expect_load_error(LW4O6_DATA_DIR "/snabb-lwaftr/tests/configdata/legacy.conf",
			  "legacy.conf:1: unsupported Snabb config format",
			  "legacy 'key = value'");
	expect_load_error(LW4O6_DATA_DIR "/snabb-lwaftr/tests/configdata/3.2.0.conf",
			  "3.2.0.conf:3: unsupported Snabb config format", "snabb-softwire-v1");
	expect_load_error(LW4O6_DATA_DIR "/snabb-lwaftr/tests/configdata/binding-table.txt",
			  "binding-table.txt:1: unsupported Snabb config format",
			  "legacy psid_map");
}

static void test_missing_file(void **state)
{
	struct lw_aftr_setup s;
	char err[512] = "";

	assert_int_equal(lw_snabb_conf_load("/nonexistent/x.conf", &s, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "/nonexistent/x.conf: cannot open: No such file or directory");
	assert_int_equal(s.n_softwires, 0);
}

/* ---- malformed input ------------------------------------------------------ */

/* Lines 1-2 */
#define HEAD "softwire-config {\n  binding-table {\n"
/* Nine lines: softwire (+0), ipv4 (+1), psid (+2), b4-ipv6 (+3), br-address
 * (+4), port-set (+5), psid-length (+6). */
#define SW(ipv4, psid, len, b4)                                                  \
	"    softwire {\n      ipv4 " ipv4 ";\n      psid " psid ";\n"              \
	"      b4-ipv6 " b4 ";\n      br-address 2001:db8::ff;\n"                   \
	"      port-set {\n        psid-length " len ";\n      }\n    }\n"
#define TAIL "  }\n}\n"

static int parse(const char *text, struct lw_aftr_setup *s, char *err, size_t errlen)
{
	err[0] = '\0';
	return parse_in_pieces(lw_snabb_conf_parse_stream, text, strlen(text), "t.conf", s, err,
			       errlen);
}

static void expect_error(const char *text, const char *message)
{
	struct lw_aftr_setup s;
	char err[512];

	assert_int_equal(parse(text, &s, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, message);
	assert_null(s.softwires);
	assert_int_equal(s.n_softwires, 0);
	assert_int_equal(s.n_unsupported, 0);
}

static void test_template_is_valid(void **state)
{
	struct lw_aftr_setup s;
	char err[512];

	assert_int_equal(parse(HEAD SW("192.0.2.1", "1", "4", "2001:db8::1")
				SW("192.0.2.1", "2", "4", "2001:db8::2") TAIL, &s, err, sizeof(err)), 0);
	assert_int_equal(s.n_softwires, 2);
	assert_int_equal(s.n_br_addrs, 1);
	lw_setup_free(&s);
}

static void test_missing_semicolon(void **state)
{
	expect_error(HEAD "    softwire {\n      ipv4 192.0.2.1;\n      psid 1\n      b4-ipv6 2001:db8::1;\n",
		     "t.conf:5: missing ';' after 'psid 1'");
}

static void test_unbalanced_braces(void **state)
{
	expect_error(HEAD SW("192.0.2.1", "1", "4", "2001:db8::1") "  }\n",
		     "t.conf:1: 'softwire-config {' is never closed (missing '}' before the end of the file)");
	expect_error(HEAD SW("192.0.2.1", "1", "4", "2001:db8::1") TAIL "}\n",
		     "t.conf:14: '}' without a matching '{'");
}

static void test_unknown_leaf(void **state)
{
	expect_error(HEAD "    softwire {\n      ipv4 192.0.2.1;\n      psidd 1;\n    }\n" TAIL,
		     "t.conf:5: unknown leaf 'psidd' in softwire-config/binding-table/softwire");
	expect_error("softwire-config {\n  external-interface {\n    mtu 1500;\n    filters {\n    }\n  }\n}\n",
		     "t.conf:4: unknown block 'filters' in softwire-config/external-interface");
	expect_error("softwire-configuration {\n}\n",
		     "t.conf:1: unknown block 'softwire-configuration' in the top level");
}

static void test_psid_out_of_range(void **state)
{
	expect_error(HEAD SW("192.0.2.1", "70000", "16", "2001:db8::1") TAIL,
		     "t.conf:5: psid 70000 out of range 0..65535");
	expect_error(HEAD SW("192.0.2.1", "16", "4", "2001:db8::1") TAIL,
		     "t.conf:5: psid 16 out of range for psid-length 4 (0..15)");
	expect_error(HEAD SW("192.0.2.1", "1", "17", "2001:db8::1") TAIL,
		     "t.conf:9: psid-length 17 out of range 0..16");
	expect_error(HEAD SW("192.0.2.1", "-1", "4", "2001:db8::1") TAIL,
		     "t.conf:5: psid '-1' is not a decimal number in 0..65535");
}

static void test_duplicate_ipv4_psid(void **state)
{
	expect_error(HEAD SW("192.0.2.1", "1", "4", "2001:db8::1")
		     SW("192.0.2.1", "1", "4", "2001:db8::2") TAIL,
		     "t.conf:12: duplicate softwire ipv4 192.0.2.1 psid 1 (already at t.conf:3)");
}

static void test_conflicting_psid_length(void **state)
{
	expect_error(HEAD SW("192.0.2.1", "1", "4", "2001:db8::1")
		     SW("192.0.2.1", "2", "5", "2001:db8::2") TAIL,
		     "t.conf:12: ipv4 192.0.2.1 has psid-offset 0 psid-len 5, but t.conf:3 gives the "
		     "same address psid-offset 0 psid-len 4; every softwire of one IPv4 address must "
		     "use the same port-set parameters (RFC 7597 section 5.1)");
}

static void test_bad_addresses(void **state)
{
	expect_error(HEAD SW("192.0.2.1", "1", "4", "2001:db8::g1") TAIL,
		     "t.conf:6: b4-ipv6 '2001:db8::g1' is not an IPv6 address: unexpected character 'g'");
	expect_error(HEAD SW("192.0.2.1", "1", "4", "2001:db8::1::2") TAIL,
		     "t.conf:6: b4-ipv6 '2001:db8::1::2' is not an IPv6 address: '::' may appear only once");
	expect_error(HEAD SW("192.0.2.256", "1", "4", "2001:db8::1") TAIL,
		     "t.conf:4: ipv4 '192.0.2.256' is not an IPv4 address: octet '256' > 255");
	expect_error("softwire-config {\n  instance {\n    queue {\n      external-interface {\n"
		     "        mac 12:12:12:12:12;\n      }\n    }\n  }\n}\n",
		     "t.conf:5: mac '12:12:12:12:12' is not a MAC address: expected six ':'-separated pairs of hex digits");
}

static void test_port_set_rules(void **state)
{
	expect_error(HEAD "    softwire {\n      ipv4 192.0.2.1;\n      psid 1;\n      b4-ipv6 ::1;\n"
		     "      br-address ::2;\n      port-set {\n        psid-length 6;\n"
		     "        reserved-ports-bit-count 6;\n        shift 10;\n      }\n    }\n" TAIL,
		     "t.conf:11: shift 10 does not match 16 - psid-length 6 - reserved-ports-bit-count 6 = 4");
	expect_error(HEAD "    softwire {\n      ipv4 192.0.2.1;\n      psid 1;\n      b4-ipv6 ::1;\n"
		     "      br-address ::2;\n      port-set {\n        psid-length 12;\n"
		     "        reserved-ports-bit-count 6;\n      }\n    }\n" TAIL,
		     "t.conf:8: psid-length 12 + reserved-ports-bit-count 6 exceeds 16");
	expect_error(HEAD "    softwire {\n      ipv4 192.0.2.1;\n      psid 1;\n      b4-ipv6 ::1;\n"
		     "      port-set {\n        psid-length 6;\n      }\n    }\n" TAIL,
		     "t.conf:3: softwire has no 'br-address' (mandatory)");
}

static void test_shift_and_offset_accepted(void **state)
{
	struct lw_aftr_setup s;
	char err[512];

	assert_int_equal(parse(HEAD "    softwire {\n      ipv4 192.0.2.1;\n      psid 52;\n"
			       "      b4-ipv6 ::1;\n      br-address ::2;\n      port-set {\n"
			       "        psid-length 6;\n        reserved-ports-bit-count 6;\n"
			       "        shift 4;\n      }\n    }\n" TAIL, &s, err, sizeof(err)), 0);
	assert_int_equal(s.softwires[0].ps.psid_offset, 6);
	assert_int_equal(s.softwires[0].ps.psid_len, 6);
	assert_int_equal(s.softwires[0].psid, 52);
	lw_setup_free(&s);
}

static void test_values_and_structure(void **state)
{
	expect_error("softwire-config {\n  internal-interface {\n    hairpinning yes;\n  }\n}\n",
		     "t.conf:3: hairpinning 'yes' is not a boolean (true or false)");
	expect_error("softwire-config {\n  internal-interface {\n    mtu 1000;\n  }\n}\n",
		     "t.conf:3: mtu 1000 out of range 1280..65535");
	expect_error("softwire-config {\n  external-interface {\n    mtu 1500;\n    mtu 1400;\n  }\n}\n",
		     "t.conf:4: 'mtu' given twice in softwire-config/external-interface");
	expect_error("softwire-config {\n  external-interface {\n    mtu {\n    }\n  }\n}\n",
		     "t.conf:3: 'mtu' in softwire-config/external-interface is a leaf ('mtu <value>;'), not a block");
	expect_error("softwire-config {\n  external-interface 1;\n}\n",
		     "t.conf:2: 'external-interface' in softwire-config is a block ('external-interface { ... }')");
	expect_error("softwire-config {\n  external-interface {\n    mtu;\n  }\n}\n",
		     "t.conf:3: 'mtu' needs a value ('mtu <value>;')");
	expect_error("softwire-config {\n  external-interface {\n    error-rate-limiting {\n"
		     "      period 0;\n    }\n  }\n}\n",
		     "t.conf:4: period 0 out of range 1..4294967295");
	expect_error("softwire-config {\n  instance {\n    queue {\n      internal-interface {\n"
		     "        vlan-tag 4095;\n      }\n    }\n  }\n}\n",
		     "t.conf:5: vlan-tag 4095 out of range 0..4094");
	expect_error("softwire-config {\n  instance {\n    queue {\n      external-interface {\n"
		     "        ip 10.0.0.1;\n        mac 02:00:00:00:00:01;\n"
		     "        next-hop {\n          mac 02:00:00:00:00:02;\n          ip 10.0.0.2;\n"
		     "        }\n      }\n    }\n  }\n}\n",
		     "t.conf:7: next-hop has both 'mac' and 'ip'; give one of them");
	expect_error("softwire-config {\n  instance {\n    queue {\n      external-interface {\n"
		     "        ip 10.0.0.1;\n        next-hop {\n          mac 02:00:00:00:00:02;\n"
		     "        }\n      }\n    }\n  }\n}\n",
		     "t.conf:4: external-interface has no 'mac' (mandatory)");
	expect_error("", "t.conf: no 'softwire-config' block (not a Snabb lwAFTR configuration?)");
}

static void test_tokenizer_errors(void **state)
{
	expect_error("softwire-config {\n  external-interface {\n    ingress-filter \"ip\n\n",
		     "t.conf:3: quoted string never closed (missing \")");
	expect_error("/* a comment\n that never ends\n", "t.conf:1: unterminated /* comment");
	expect_error("softwire-config {\n  external-interface {\n    ingress-filter \"a\\qb\";\n",
		     "t.conf:3: invalid escape '\\q' in a quoted string");
	expect_error("softwire-config {\n  binding-table foo {\n",
		     "t.conf:2: 'binding-table foo {': a block takes no value");
	expect_error("softwire-config {\n  ;\n}\n", "t.conf:2: ';' without a statement before it");

	{
		static const char nul[] = "softwire-config {\n\0}\n";
		struct lw_aftr_setup s;
		char err[256];

		assert_int_equal(parse_in_pieces(lw_snabb_conf_parse_stream, nul, sizeof(nul) - 1,
						 "t.conf", &s, err, sizeof(err)),
				 -EINVAL);
		assert_string_equal(err, "t.conf:2: NUL byte in the file (binary data?)");
	}
}

/* Comments of both kinds, quoted strings with escapes, and statements
 * packed on one line are all the same document. */
static void test_syntax_variants(void **state)
{
	static const char text[] =
		"/* header\n   comment */ softwire-config{binding-table{softwire{ipv4 \"192.0.2.1\";"
		"psid 3;// trailing comment\n b4-ipv6 '2001:db8::1';br-address 2001:db8::ff;"
		"port-set{psid-length 2;}}}\n"
		"external-interface { ingress-filter \"tcp port \\\"80\\\"\"; }}\n";
	struct lw_aftr_setup s;
	char err[512];

	assert_int_equal(parse(text, &s, err, sizeof(err)), 0);
	assert_int_equal(s.n_softwires, 1);
	assert_int_equal(s.softwires[0].ipv4, ip4("192.0.2.1"));
	assert_int_equal(s.softwires[0].psid, 3);
	assert_int_equal(s.softwires[0].ps.psid_len, 2);
	assert_int_equal(s.n_unsupported, 1);
	assert_string_equal(s.unsupported[0], "ingress-filter on external-interface");
	lw_setup_free(&s);
}

/* Only the first instance and queue supply addresses; the others are still
 * checked, so a typo there is not silently ignored. */
static void test_first_instance_wins(void **state)
{
#define QUEUE(id, ip)                                                                          \
	"    queue {\n      id " id ";\n      external-interface {\n        ip " ip ";\n"        \
	"        mac 02:00:00:00:00:01;\n        next-hop {\n          mac 02:00:00:00:00:02;\n" \
	"        }\n      }\n      internal-interface {\n        ip fd00::1;\n"                \
	"        mac 02:00:00:00:00:03;\n        next-hop {\n          ip fd00::2;\n"         \
	"        }\n      }\n    }\n"
	struct lw_aftr_setup s;
	char err[512];

	assert_int_equal(parse("softwire-config {\n  instance {\n    device a;\n" QUEUE("0", "10.0.0.1")
			       QUEUE("1", "10.0.0.2") "  }\n  instance {\n    device b;\n"
			       QUEUE("0", "10.0.0.3") "  }\n}\n", &s, err, sizeof(err)), 0);
	assert_int_equal(s.external.ip4, ip4("10.0.0.1"));
	lw_setup_free(&s);
	expect_error("softwire-config {\n  instance {\n    device a;\n" QUEUE("0", "10.0.0.1")
		     "  }\n  instance {\n    device b;\n" QUEUE("0", "10.0.0.300") "  }\n}\n",
		     "t.conf:27: ip '10.0.0.300' is not an IPv4 address: octet '300' > 255");
#undef QUEUE
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_icmp_on_fail),
		cmocka_unit_test(test_vlan),
		cmocka_unit_test(test_no_hairpin),
		cmocka_unit_test(test_mtus),
		cmocka_unit_test(test_filters_are_reported_unsupported),
		cmocka_unit_test(test_next_hop_ip),
		cmocka_unit_test(test_tutorial),
		cmocka_unit_test(test_every_suite_conf_loads),
		cmocka_unit_test(test_older_formats_are_named),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_template_is_valid),
		cmocka_unit_test(test_missing_semicolon),
		cmocka_unit_test(test_unbalanced_braces),
		cmocka_unit_test(test_unknown_leaf),
		cmocka_unit_test(test_psid_out_of_range),
		cmocka_unit_test(test_duplicate_ipv4_psid),
		cmocka_unit_test(test_conflicting_psid_length),
		cmocka_unit_test(test_bad_addresses),
		cmocka_unit_test(test_port_set_rules),
		cmocka_unit_test(test_shift_and_offset_accepted),
		cmocka_unit_test(test_values_and_structure),
		cmocka_unit_test(test_tokenizer_errors),
		cmocka_unit_test(test_syntax_variants),
		cmocka_unit_test(test_first_instance_wins),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
