/* SPDX-License-Identifier: GPL-2.0 */
/* lw4o6 set KEY VALUE on an lwB4 (cli/b4_conf.c b4_conf_set): each
 * settable key reaches its field and no other, a bad value is refused with
 * the very message the same line gets in the configuration file (parsed
 * here by the file's own parser), and the addresses, the static sets and
 * unknown keys are refused with the configuration left as it was.
 *
 * cli/ is no library: its file is compiled in here, with the two helpers
 * of the CLI it calls (lw_fail for b4_conf_read, which is not tested here,
 * and lw_parse_onoff, whose words on/off are all these tests use). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../cli/b4_conf.c"

int lw_fail(const char *fmt, ...)
{
	return LW_EXIT_FAIL;
}

int lw_parse_onoff(const char *v, bool *on)
{
	if (!strcmp(v, "on") || !strcmp(v, "off")) {
		*on = !strcmp(v, "on");
		return 0;
	}
	return -1;
}

static struct lw_b4_config base;
static char err[LW_ERR_MAX];

static int setup(void **state)
{
	lw_b4_config_init(&base);
	base.lan_addr = htonl(0xc0a80101);
	base.lan_prefixlen = 24;
	base.lan_ifindex = 3;
	base.wan_ifindex = 4;
	base.tunnel_addr.s6_addr[0] = 0x20;
	base.tunnel_addr.s6_addr[15] = 1;
	base.aftr_addr.s6_addr[0] = 0x20;
	base.aftr_addr.s6_addr[15] = 2;
	base.flags |= LW_B4_CFG_NH_FIB;
	err[0] = '\0';
	return 0;
}

/* key value applied to a copy of base: the copy, which must differ from
 * base only where want says */
static void set_ok(const char *key, const char *value, const struct lw_b4_config *want)
{
	struct lw_b4_config c = base;

	assert_int_equal(b4_conf_set(&c, key, value, err, sizeof(err)), 0);
	assert_memory_equal(&c, want, sizeof(c));
}

static void test_timers(void **state)
{
	struct lw_b4_config w = base;

	w.udp_timeout = 150;
	set_ok("udp-timeout", "150", &w);
	w = base;
	w.tcp_est_timeout = 8000;
	set_ok("tcp-established-timeout", "8000", &w);
	w = base;
	w.tcp_trans_timeout = 300;
	set_ok("tcp-transitory-timeout", "300", &w);
	w = base;
	w.icmp_timeout = 90;
	set_ok("icmp-timeout", "90", &w);
}

static void test_mtu_filtering_flags(void **state)
{
	struct lw_b4_config w = base;

	w.ipv6_mtu = 1400;
	set_ok("tunnel-mtu", "1400", &w);
	w = base;
	w.flags |= LW_B4_CFG_EIF;
	set_ok("filtering", "eif", &w);
	base.flags |= LW_B4_CFG_EIF;
	w = base;
	w.flags &= ~LW_B4_CFG_EIF;
	set_ok("filtering", "adf", &w);
	w = base;
	w.flags &= ~LW_B4_CFG_MSS_CLAMP;
	set_ok("mss-clamp", "off", &w);
	w = base;
	w.flags &= ~LW_B4_CFG_EVENTS;
	set_ok("events", "off", &w);
	w = base;
	w.hop_limit = 32;
	set_ok("hop-limit", "32", &w);
	w = base;
	w.event_rate = 50;
	set_ok("event-rate", "50", &w);
	w = base;
	w.event_burst = 7;
	set_ok("event-burst", "7", &w);
	w = base;
	w.pool_warn_pct = 75;
	set_ok("pool-warn-percent", "75", &w);
}

/* The message of the line "key value" in a file, without "FILE:LINE: ". */
static void file_message(const char *key, const char *value, char *out, size_t len)
{
	char text[256], e[LW_ERR_MAX];
	struct b4_file bf;
	const char *prefix = "t.conf:1: ";

	memset(&bf, 0, sizeof(bf));
	lw_b4_config_init(&bf.cfg);
	snprintf(text, sizeof(text), "%s %s\n", key, value);
	assert_int_not_equal(parse(text, "t.conf", &bf, e, sizeof(e)), 0);
	assert_memory_equal(e, prefix, strlen(prefix));
	snprintf(out, len, "%s", e + strlen(prefix));
}

static void test_bad_values_as_the_file(void **state)
{
	static const char *const bad[][2] = {
		{ "udp-timeout", "0" },       { "udp-timeout", "soon" },
		{ "icmp-timeout", "604801" }, { "tunnel-mtu", "1000" },
		{ "tunnel-mtu", "70000" },    { "filtering", "open" },
		{ "mss-clamp", "maybe" },     { "hop-limit", "0" },
		{ "event-burst", "0" },       { "pool-warn-percent", "101" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct lw_b4_config c = base;
		char want[LW_ERR_MAX];

		file_message(bad[i][0], bad[i][1], want, sizeof(want));
		assert_int_not_equal(b4_conf_set(&c, bad[i][0], bad[i][1], err, sizeof(err)), 0);
		assert_string_equal(err, want);
		assert_memory_equal(&c, &base, sizeof(c));
	}
	assert_string_equal(err, "pool-warn-percent: '101' is not a number in 0..100");
}

static void test_load_only_and_unknown(void **state)
{
	static const char *const load_only_keys[] = { "aftr-ipv6", "tunnel-ipv6", "lan-address",
						      "port-set" };
	struct lw_b4_config c = base;

	for (size_t i = 0; i < sizeof(load_only_keys) / sizeof(load_only_keys[0]); i++) {
		assert_int_not_equal(b4_conf_set(&c, load_only_keys[i], "2001:db8::9", err,
						 sizeof(err)),
				     0);
		assert_non_null(strstr(err, "only 'lw4o6 load b4'"));
		assert_memory_equal(err, load_only_keys[i], strlen(load_only_keys[i]));
	}
	assert_int_not_equal(b4_conf_set(&c, "no-such-key", "1", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "unknown setting 'no-such-key' (udp-timeout, "));
	assert_memory_equal(&c, &base, sizeof(c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_timers, setup),
		cmocka_unit_test_setup(test_mtu_filtering_flags, setup),
		cmocka_unit_test_setup(test_bad_values_as_the_file, setup),
		cmocka_unit_test_setup(test_load_only_and_unknown, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
