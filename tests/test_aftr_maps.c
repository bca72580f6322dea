/* SPDX-License-Identifier: GPL-2.0 */
/* lib/aftr/aftr_maps.c against real BPF maps of the lwAFTR's types: what
 * softwire add/del, install and replace leave in the binding table
 * (AFTR-BT-1, AFTR-BT-3, PSID-4). Needs bpf(): skipped where map creation
 * is not permitted. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <cmocka.h>

#include "pkt.h"
#include "lw4o6/abi.h"
#include "aftr_maps.h"

static struct lw_aftr_maps m;
static bool have_bpf;

static int create(enum bpf_map_type type, size_t key, size_t value, unsigned max, unsigned flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);

	return bpf_map_create(type, NULL, (__u32)key, (__u32)value, max, &o);
}

static int setup(void **state)
{
	memset(&m, -1, sizeof(m));
	m.psid = create(BPF_MAP_TYPE_HASH, sizeof(__be32), sizeof(struct lw_psid_params), 1 << 17, 0);
	have_bpf = m.psid >= 0;
	if (!have_bpf)
		return 0;
	m.softwires = create(BPF_MAP_TYPE_HASH, sizeof(struct lw_softwire_key),
			     sizeof(struct lw_softwire), 1 << 17, 0);
	m.br_addrs = create(BPF_MAP_TYPE_HASH, sizeof(struct in6_addr), sizeof(struct lw_br), 256, 0);
	m.br_by_index = create(BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(struct in6_addr), 256, 0);
	m.pools = create(BPF_MAP_TYPE_LPM_TRIE, sizeof(struct lw_ipv4_prefix), sizeof(__u32), 64,
			 BPF_F_NO_PREALLOC);
	m.cfg = create(BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(struct lw_aftr_config), 1, 0);
	m.meta = create(BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(struct lw_meta), 1, 0);
	assert_true(m.softwires >= 0 && m.br_addrs >= 0 && m.br_by_index >= 0 && m.pools >= 0 &&
		    m.cfg >= 0 && m.meta >= 0);
	(void)state;
	return 0;
}

static int teardown(void **state)
{
	int *fds[] = { &m.psid, &m.softwires, &m.br_addrs, &m.br_by_index, &m.pools, &m.cfg, &m.meta };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (*fds[i] >= 0)
			close(*fds[i]);
	(void)state;
	return 0;
}

#define NEED_BPF() do { if (!have_bpf) skip(); } while (0)

static struct lw_softwire_entry entry(const char *v4, unsigned len, unsigned psid, const char *b4)
{
	struct lw_softwire_entry e = { .ipv4 = ip4(v4), .psid = (__u16)psid, .b4_ipv6 = ip6(b4),
				       .br_ipv6 = ip6("2001:db8:ffff::1") };

	e.ps.psid_len = (__u8)len;
	return e;
}

static bool has_params(const char *v4, unsigned *len)
{
	__be32 a = ip4(v4);
	struct lw_psid_params pp;

	if (bpf_map_lookup_elem(m.psid, &a, &pp))
		return false;
	*len = pp.psid_len;
	return true;
}

static void test_add_then_duplicate_is_eexist(void **state)
{
	struct lw_softwire_entry e = entry("192.0.2.1", 6, 3, "2001:db8::3");
	char err[256];

	NEED_BPF();
	assert_int_equal(lw_aftr_softwire_add(&m, &e, err, sizeof(err)), 0);
	assert_int_equal(lw_aftr_softwire_add(&m, &e, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "already bound"));
	assert_int_equal(lw_aftr_softwire_del(&m, e.ipv4, 3, err, sizeof(err)), 0);
	(void)state;
}

/* PSID-4: one (offset, len) per address while it has softwires; free again
 * once its last softwire is gone. */
static void test_psid_len_fixed_while_address_has_softwires(void **state)
{
	struct lw_softwire_entry a = entry("192.0.2.2", 6, 3, "2001:db8::3");
	struct lw_softwire_entry b = entry("192.0.2.2", 6, 63, "2001:db8::4");
	struct lw_softwire_entry c = entry("192.0.2.2", 5, 7, "2001:db8::5");
	char err[256];
	unsigned len = 0;

	NEED_BPF();
	assert_int_equal(lw_aftr_softwire_add(&m, &a, err, sizeof(err)), 0);
	assert_int_equal(lw_aftr_softwire_add(&m, &b, err, sizeof(err)), 0);
	assert_int_equal(lw_aftr_softwire_add(&m, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "psid-len 6"));
	/* the last psid of the range (63) is found by the probe */
	assert_int_equal(lw_aftr_softwire_del(&m, a.ipv4, 3, err, sizeof(err)), 0);
	assert_true(has_params("192.0.2.2", &len));
	assert_int_equal(len, 6);
	assert_int_equal(lw_aftr_softwire_add(&m, &c, err, sizeof(err)), -EINVAL);
	assert_int_equal(lw_aftr_softwire_del(&m, b.ipv4, 63, err, sizeof(err)), 0);
	assert_false(has_params("192.0.2.2", &len));
	assert_int_equal(lw_aftr_softwire_add(&m, &c, err, sizeof(err)), 0);
	assert_true(has_params("192.0.2.2", &len));
	assert_int_equal(len, 5);
	assert_int_equal(lw_aftr_softwire_del(&m, c.ipv4, 7, err, sizeof(err)), 0);
	(void)state;
}

static void test_del_absent_is_enoent(void **state)
{
	char err[256];

	NEED_BPF();
	assert_int_equal(lw_aftr_softwire_del(&m, ip4("192.0.2.9"), 1, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no such softwire"));
	(void)state;
}

static int count_rows(const struct lw_softwire_row *r, void *arg)
{
	(*(size_t *)arg)++;
	(void)r;
	return 0;
}

/* install(replace) empties what was there: 70,000 entries (more than one
 * deletion batch) go, the new table stays. */
static void test_install_replace_empties_large_table(void **state)
{
	struct lw_aftr_setup s;
	char err[256];
	size_t n = 0;

	NEED_BPF();
	lw_setup_init(&s);
	for (unsigned i = 0; i < 70000; i++) {
		char a[32];
		struct lw_softwire_entry e;

		snprintf(a, sizeof(a), "10.%u.%u.%u", i >> 16 & 255, (i >> 8) & 255, i & 255);
		e = entry(a, 0, 0, "2001:db8::1");
		assert_int_equal(lw_setup_add_softwire(&s, &e), 0);
	}
	assert_int_equal(lw_aftr_install(&m, &s, 1, err, sizeof(err)), 0);
	lw_aftr_softwire_foreach(&m, count_rows, &n);
	assert_int_equal(n, 70000);
	lw_setup_free(&s);

	lw_setup_init(&s);
	{
		struct lw_softwire_entry e = entry("192.0.2.77", 4, 2, "2001:db8::77");

		assert_int_equal(lw_setup_add_softwire(&s, &e), 0);
	}
	assert_int_equal(lw_aftr_install(&m, &s, 1, err, sizeof(err)), 0);
	n = 0;
	lw_aftr_softwire_foreach(&m, count_rows, &n);
	assert_int_equal(n, 1);
	lw_setup_free(&s);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_then_duplicate_is_eexist),
		cmocka_unit_test(test_psid_len_fixed_while_address_has_softwires),
		cmocka_unit_test(test_del_absent_is_enoent),
		cmocka_unit_test(test_install_replace_empties_large_table),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
