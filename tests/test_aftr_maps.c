/* SPDX-License-Identifier: GPL-2.0 */
/* lib/aftr/aftr_maps.c and the binding table (bind*.c) against real BPF
 * maps of the lwAFTR's shapes: what softwire add/del, install and replace
 * leave in the table (AFTR-BT-1, AFTR-BT-3, PSID-4), capacity refused
 * before anything is written, a failure at any write leaving the table as
 * it was, a replace during which every address stays served, chunks that
 * follow use, the pool bits and the configuration's copy of the BR
 * addresses (issue 11); bindings updated in place, their origins, and a
 * replace that keeps the PCP bindings and the counters (issue 12). Needs
 * bpf(): skipped where map creation is not permitted. */
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

#include "pkt.h"
#include "lw4o6/abi.h"
#include "aftr_maps.h"
#include "aftr_maps_fixture.h"
#include "bind_priv.h"

static struct lw_aftr_maps m;
static bool have_bpf;

static int setup(void **state)
{
	(void)state;
	have_bpf = aftr_maps_fixture_open(&m, 0) == 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (have_bpf)
		aftr_maps_fixture_close(&m);
	return 0;
}

/* Each test starts from an empty table (maps of capacity max). */
static int fresh(uint32_t max)
{
	if (have_bpf)
		aftr_maps_fixture_close(&m);
	have_bpf = aftr_maps_fixture_open(&m, max) == 0;
	return 0;
}

static int fresh_default(void **state)
{
	(void)state;
	return fresh(0);
}

#define NEED_BPF()              \
	do {                    \
		if (!have_bpf)  \
			skip(); \
	} while (0)

static struct lw_softwire_entry entry(const char *v4, unsigned len, unsigned psid, const char *b4)
{
	struct lw_softwire_entry e = { .ipv4 = ip4(v4),
				       .psid = (__u16)psid,
				       .b4_ipv6 = ip6(b4),
				       .br_ipv6 = ip6("2001:db8:ffff::1") };

	e.ps.psid_len = (__u8)len;
	return e;
}

static bool has_params(const char *v4, unsigned *len)
{
	struct lw_psid_params pp;

	if (lw_aftr_psid_params_get(&m, ip4(v4), &pp))
		return false;
	*len = pp.psid_len;
	return true;
}

static int count_rows(const struct lw_softwire_row *r, void *arg)
{
	(*(size_t *)arg)++;
	(void)r;
	return 0;
}

/* The softwires foreach finds, which the count kept by the writers agrees with. */
static size_t count_all(void)
{
	size_t n = 0, via_state = 0;

	lw_aftr_softwire_foreach(&m, count_rows, &n);
	assert_int_equal(lw_aftr_softwire_count(&m, &via_state), 0);
	assert_int_equal(via_state, n);
	return n;
}

/* The record-block headers against the records, read from the maps as
 * the data plane reads them: a uniform header must say of every address
 * of its /24 exactly what the address's record says (present or not; run
 * and port-set parameters). Returns the number of blocks that disagree;
 * *uniform counts the uniform ones. */
static unsigned headers_disagree(unsigned *uniform)
{
	static uint32_t l1[LW_L1_ENTRIES];
	unsigned bad = 0;

	*uniform = 0;
	assert_int_equal(bind_read_range(m.addr_l1, 0, LW_L1_ENTRIES, l1, sizeof(l1[0])), 0);
	for (uint32_t hi = 0; hi < LW_L1_ENTRIES; hi++) {
		uint32_t t = l1[hi] & LW_L1_L2_MASK;

		for (uint32_t mid = 0; t && mid < LW_ADDR_BLOCK; mid++) {
			uint32_t k = (t - 1) * LW_ADDR_BLOCK + mid, blk = 0;
			struct lw_addr_block h;
			bool ok = true;

			assert_int_equal(bpf_map_lookup_elem(m.addr_l2, &k, &blk), 0);
			if (!blk)
				continue;
			blk--;
			assert_int_equal(bpf_map_lookup_elem(m.addr_blocks, &blk, &h), 0);
			if (!(h.head.flags & LW_BLOCK_UNIFORM))
				continue;
			(*uniform)++;
			for (uint32_t lo = 0; lo < LW_ADDR_BLOCK; lo++) {
				uint32_t rk = blk * LW_ADDR_BLOCK + lo;
				struct lw_addr r;
				bool present = (h.present[lo / 64] >> (lo % 64)) & 1;

				assert_int_equal(bpf_map_lookup_elem(m.addr_recs, &rk, &r), 0);
				if (present != ((r.flags & LW_ADDR_VALID) != 0))
					ok = false;
				else if (present &&
					 (r.sw_base !=
						  h.head.sw_base + lo * (1u << h.head.psid_len) ||
					  r.psid_len != h.head.psid_len ||
					  r.psid_offset != h.head.psid_offset))
					ok = false;
			}
			bad += !ok;
		}
	}
	return bad;
}

static void assert_headers_agree(void)
{
	unsigned uniform;

	assert_int_equal(headers_disagree(&uniform), 0);
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
	/* the last psid of the range (63) keeps the address */
	assert_int_equal(lw_aftr_softwire_del(&m, a.ipv4, 3, err, sizeof(err)), 0);
	assert_true(has_params("192.0.2.2", &len));
	assert_int_equal(len, 6);
	assert_int_equal(lw_aftr_softwire_add(&m, &c, err, sizeof(err)), -EINVAL);
	assert_int_equal(lw_aftr_softwire_del(&m, b.ipv4, 63, err, sizeof(err)), 0);
	assert_false(has_params("192.0.2.2", &len));
	assert_int_equal(lw_aftr_softwire_add(&m, &c, err, sizeof(err)), 0);
	assert_true(has_params("192.0.2.2", &len));
	assert_int_equal(len, 5);
	/* a deleted softwire does not come back with its address's new run */
	{
		struct in6_addr b4;

		assert_int_equal(lw_aftr_softwire_get(&m, a.ipv4, 3, &b4, NULL), -ENOENT);
	}
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

static void add_n(struct lw_aftr_setup *s, unsigned n, unsigned first, unsigned len, const char *b4)
{
	for (unsigned i = first; i < first + n; i++) {
		char a[32];
		struct lw_softwire_entry e;

		snprintf(a, sizeof(a), "10.%u.%u.%u", i >> 16 & 255, (i >> 8) & 255, i & 255);
		e = entry(a, len, 0, b4);
		assert_int_equal(lw_setup_add_softwire(s, &e), 0);
	}
}

/* install(replace) empties what was there: 70,000 entries go, the new table
 * stays. */
static void test_install_replace_empties_large_table(void **state)
{
	struct lw_aftr_setup s;
	char err[256];

	NEED_BPF();
	lw_setup_init(&s);
	add_n(&s, 70000, 1, 0, "2001:db8::1");
	assert_int_equal(lw_aftr_install(&m, &s, 1, err, sizeof(err)), 0);
	assert_int_equal(count_all(), 70000);
	lw_setup_free(&s);

	lw_setup_init(&s);
	{
		struct lw_softwire_entry e = entry("192.0.2.77", 4, 2, "2001:db8::77");

		assert_int_equal(lw_setup_add_softwire(&s, &e), 0);
	}
	assert_int_equal(lw_aftr_install(&m, &s, 1, err, sizeof(err)), 0);
	assert_int_equal(count_all(), 1);
	lw_setup_free(&s);
	(void)state;
}

/* Capacity is checked before anything is written: a table of 300 into a
 * binding table of 256 changes nothing and names the flag that helps. */
static void test_capacity_refused_before_writing(void **state)
{
	struct lw_softwire_entry e = entry("192.0.2.1", 0, 0, "2001:db8::1");
	struct lw_aftr_capacity cap;
	struct lw_aftr_setup s;
	char err[256];

	fresh(256);
	NEED_BPF();
	assert_int_equal(lw_aftr_softwire_add(&m, &e, err, sizeof(err)), 0);
	lw_setup_init(&s);
	add_n(&s, 300, 1, 0, "2001:db8::2");
	assert_int_equal(lw_aftr_install(&m, &s, 0, err, sizeof(err)), -ENOSPC);
	assert_non_null(strstr(err, "--max-softwires"));
	assert_int_equal(lw_aftr_install(&m, &s, 1, err, sizeof(err)), -ENOSPC);
	assert_int_equal(count_all(), 1);
	assert_int_equal(lw_aftr_capacity(&m, &cap), 0);
	assert_int_equal(cap.max_softwires, 256);
	assert_int_equal(cap.softwires, 1);
	assert_int_equal(cap.chunks, 1);
	lw_setup_free(&s);
	/* 255 more fit, one more does not */
	lw_setup_init(&s);
	add_n(&s, 255, 1, 0, "2001:db8::2");
	assert_int_equal(lw_aftr_install(&m, &s, 0, err, sizeof(err)), 0);
	e = entry("192.0.2.2", 0, 0, "2001:db8::1");
	assert_int_equal(lw_aftr_softwire_add(&m, &e, err, sizeof(err)), -ENOSPC);
	assert_int_equal(count_all(), 256);
	lw_setup_free(&s);
	fresh(0);
	(void)state;
}

/* Every softwire of the table, as text, sorted: to compare tables. */
struct dump {
	char **v;
	size_t n;
};

static int dump_row(const struct lw_softwire_row *r, void *arg)
{
	struct dump *d = arg;
	char line[160], b4[64], br[64];

	inet_ntop(AF_INET6, &r->entry.b4_ipv6, b4, sizeof(b4));
	inet_ntop(AF_INET6, &r->entry.br_ipv6, br, sizeof(br));
	snprintf(line, sizeof(line), "%08x %u/%u/%u %s %s", ntohl(r->entry.ipv4),
		 r->entry.ps.psid_offset, r->entry.ps.psid_len, r->entry.psid, b4, br);
	d->v = realloc(d->v, (d->n + 1) * sizeof(*d->v));
	d->v[d->n++] = strdup(line);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static struct dump dump_table(void)
{
	struct dump d = {};

	lw_aftr_softwire_foreach(&m, dump_row, &d);
	qsort(d.v, d.n, sizeof(*d.v), cmp_str);
	return d;
}

static void dump_free(struct dump *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i]);
	free(d->v);
}

static void assert_same(const struct dump *a, const struct dump *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++)
		assert_string_equal(a->v[i], b->v[i]);
}

/* Table A: 600 softwires on 10.0.x.y (psid-len 6, 64 per address across
 * two /24s) and two whole addresses; B: half of A's addresses with other
 * B4s, others new, one of another psid-len, and a second BR. */
static void table(struct lw_aftr_setup *s, bool b)
{
	lw_setup_init(s);
	for (unsigned i = 0; i < 600; i++) {
		char a[32], b4[48];
		unsigned addr = (b ? 5 : 0) + i / 64;
		struct lw_softwire_entry e;

		snprintf(a, sizeof(a), "10.0.%u.%u", addr / 4, 200 + addr % 4 * 10);
		snprintf(b4, sizeof(b4), "2001:db8:%x::%x", b ? 0xb : 0xa, i);
		e = entry(a, 6, i % 64, b4);
		if (b && i % 2)
			e.br_ipv6 = ip6("2001:db8:ffff::2");
		assert_int_equal(lw_setup_add_softwire(s, &e), 0);
	}
	{
		struct lw_softwire_entry w =
			entry(b ? "192.0.2.9" : "192.0.2.8", b ? 9 : 0, b ? 300 : 0, "2001:db8::8");

		assert_int_equal(lw_setup_add_softwire(s, &w), 0);
	}
}

struct fault {
	unsigned long after;
	unsigned disagreed; /* writes before which a header disagreed */
};

static int fail_at(void *arg)
{
	struct fault *f = arg;
	unsigned uniform;

	/* before every write: what the data plane would read agrees */
	if (headers_disagree(&uniform))
		f->disagreed++;
	return f->after && !--f->after ? -EIO : 0;
}

/* A failure at any write of a replace, or of an addition, leaves the
 * table exactly as it was. */
static void test_failure_half_way_leaves_table(void **state)
{
	struct lw_aftr_setup a, b;
	struct dump before, after;
	struct fault f = { 0 };
	char err[512];
	int r;

	NEED_BPF();
	table(&a, false);
	table(&b, true);
	assert_int_equal(lw_aftr_install(&m, &a, 1, err, sizeof(err)), 0);
	before = dump_table();
	assert_int_equal(before.n, 601);
	for (int replace = 1; replace >= 0; replace--) {
		unsigned long k;

		if (!replace) /* B's addresses overlap A's: make them new ones */
			for (size_t i = 0; i < b.n_softwires; i++)
				b.softwires[i].ipv4 ^= htonl(0x00010000);
		for (k = 1;; k++) {
			f.after = k;
			lw_bind_test_hook = fail_at;
			lw_bind_test_arg = &f;
			r = lw_aftr_install(&m, &b, replace, err, sizeof(err));
			lw_bind_test_hook = NULL;
			if (r == 0)
				break;
			assert_int_equal(r, -EIO);
			assert_non_null(strstr(err, "unchanged"));
			after = dump_table();
			assert_same(&before, &after);
			dump_free(&after);
		}
		assert_true(k > 3); /* it failed at several points */
		assert_int_equal(f.disagreed, 0);
		assert_headers_agree();
		after = dump_table();
		assert_int_equal(after.n, replace ? 601 : 1202);
		dump_free(&after);
		assert_int_equal(lw_aftr_install(&m, &a, 1, err, sizeof(err)), 0);
	}
	dump_free(&before);
	lw_setup_free(&a);
	lw_setup_free(&b);
	(void)state;
}

/* While a replace runs, every address both tables have stays served: at
 * every write, a softwire both tables give to one B4 resolves to it, and
 * one that moves to another B4 resolves to the old one, the new one or
 * (the moment it moves, issue 12) none, never to a third. */
struct both {
	const struct lw_aftr_setup *a, *b;
	unsigned checks, fails, disagreed, kept_checks;
};

static int still_served(void *arg)
{
	struct both *x = arg;
	unsigned uniform;

	if (headers_disagree(&uniform))
		x->disagreed++;

	for (size_t i = 0; i < x->a->n_softwires; i++) {
		const struct lw_softwire_entry *e = &x->a->softwires[i], *f = NULL;
		struct in6_addr b4;
		bool same;
		int r;

		for (size_t j = 0; j < x->b->n_softwires && !f; j++)
			if (x->b->softwires[j].ipv4 == e->ipv4 &&
			    x->b->softwires[j].psid == e->psid)
				f = &x->b->softwires[j];
		if (!f)
			continue;
		x->checks++;
		same = !memcmp(&e->b4_ipv6, &f->b4_ipv6, sizeof(b4));
		x->kept_checks += same;
		r = lw_aftr_softwire_get(&m, e->ipv4, e->psid, &b4, NULL);
		if (r == -ENOENT && !same)
			continue;
		if (r ||
		    (memcmp(&b4, &e->b4_ipv6, sizeof(b4)) && memcmp(&b4, &f->b4_ipv6, sizeof(b4))))
			x->fails++;
	}
	return 0;
}

static void test_replace_keeps_addresses_served(void **state)
{
	struct lw_aftr_setup a, b;
	struct both x = {};
	struct dump got;
	char err[512];

	NEED_BPF();
	table(&a, false);
	table(&b, true);
	/* half the softwires both have keep their B4 (and BR) */
	for (size_t j = 0; j < b.n_softwires; j += 2)
		for (size_t i = 0; i < a.n_softwires; i++)
			if (a.softwires[i].ipv4 == b.softwires[j].ipv4 &&
			    a.softwires[i].psid == b.softwires[j].psid)
				b.softwires[j].b4_ipv6 = a.softwires[i].b4_ipv6;
	x.a = &a;
	x.b = &b;
	assert_int_equal(lw_aftr_install(&m, &a, 1, err, sizeof(err)), 0);
	lw_bind_test_hook = still_served;
	lw_bind_test_arg = &x;
	assert_int_equal(lw_aftr_install(&m, &b, 1, err, sizeof(err)), 0);
	lw_bind_test_hook = NULL;
	assert_true(x.checks > 1000);
	assert_true(x.kept_checks > 500);
	assert_int_equal(x.fails, 0);
	assert_int_equal(x.disagreed, 0);
	assert_headers_agree();
	got = dump_table();
	assert_int_equal(got.n, 601);
	assert_int_equal(strncmp(got.v[0], "0a00", 4), 0);
	dump_free(&got);
	/* A's own addresses went: 10.0.0.200 had only A's softwires */
	{
		struct in6_addr b4;

		assert_int_equal(lw_aftr_softwire_get(&m, ip4("10.0.0.200"), 1, &b4, NULL),
				 -ENOENT);
		assert_int_equal(lw_aftr_softwire_get(&m, ip4("192.0.2.8"), 0, &b4, NULL), -ENOENT);
		assert_int_equal(lw_aftr_softwire_get(&m, ip4("192.0.2.9"), 300, &b4, NULL), 0);
	}
	lw_setup_free(&a);
	lw_setup_free(&b);
	(void)state;
}

/* The header of the record block holding addr (struct lw_addr_block). */
static struct lw_addr_block head_of(const char *v4)
{
	uint32_t a = ntohl(ip4(v4)), k = a >> 16, t = 0, blk = 0;
	struct lw_addr_block h;

	memset(&h, 0, sizeof(h));
	assert_int_equal(bpf_map_lookup_elem(m.addr_l1, &k, &t), 0);
	t &= LW_L1_L2_MASK;
	assert_true(t != 0);
	k = (t - 1) * LW_ADDR_BLOCK + ((a >> 8) & 0xff);
	assert_int_equal(bpf_map_lookup_elem(m.addr_l2, &k, &blk), 0);
	assert_true(blk != 0);
	blk--;
	assert_int_equal(bpf_map_lookup_elem(m.addr_blocks, &blk, &h), 0);
	return h;
}

static bool head_has(const struct lw_addr_block *h, unsigned lo)
{
	return (h->present[lo / 64] >> (lo % 64)) & 1;
}

/* Record-block headers (issue 11): a /24 whose addresses share their
 * port-set parameters and sit in consecutive runs, as an installed pool
 * does, gets a uniform header, so that the data plane needs no record; a
 * /24 of mixed psid-len gets none; every add and delete keeps the headers
 * saying what the records say. */
static void test_block_headers_follow_records(void **state)
{
	struct lw_aftr_setup s;
	struct lw_addr_block h;
	unsigned uniform;
	char err[256];

	NEED_BPF();
	lw_setup_init(&s);
	for (unsigned i = 0; i < 256; i++) {
		char a[32];
		struct lw_softwire_entry e;

		snprintf(a, sizeof(a), "10.9.8.%u", i);
		e = entry(a, 6, i % 64, "2001:db8::98");
		assert_int_equal(lw_setup_add_softwire(&s, &e), 0);
	}
	{
		struct lw_softwire_entry e1 = entry("10.9.9.1", 6, 5, "2001:db8::991");
		struct lw_softwire_entry e2 = entry("10.9.9.2", 4, 3, "2001:db8::992");

		assert_int_equal(lw_setup_add_softwire(&s, &e1), 0);
		assert_int_equal(lw_setup_add_softwire(&s, &e2), 0);
	}
	assert_int_equal(lw_aftr_install(&m, &s, 1, err, sizeof(err)), 0);
	lw_setup_free(&s);
	assert_int_equal(headers_disagree(&uniform), 0);
	assert_int_equal(uniform, 1);
	h = head_of("10.9.8.77");
	assert_true(h.head.flags & LW_BLOCK_UNIFORM);
	assert_int_equal(h.head.psid_len, 6);
	for (unsigned lo = 0; lo < 256; lo++)
		assert_true(head_has(&h, lo));
	h = head_of("10.9.9.1");
	assert_false(h.head.flags & LW_BLOCK_UNIFORM);

	/* 10.9.9.2 (psid-len 4) gone: 10.9.9.0/24 is uniform */
	assert_int_equal(lw_aftr_softwire_del(&m, ip4("10.9.9.2"), 3, err, sizeof(err)), 0);
	h = head_of("10.9.9.1");
	assert_true(h.head.flags & LW_BLOCK_UNIFORM);
	assert_true(head_has(&h, 1));
	assert_false(head_has(&h, 2));
	assert_headers_agree();

	/* 10.9.8.7's only softwire gone: absent from the header, the rest kept */
	assert_int_equal(lw_aftr_softwire_del(&m, ip4("10.9.8.7"), 7, err, sizeof(err)), 0);
	h = head_of("10.9.8.77");
	assert_true(h.head.flags & LW_BLOCK_UNIFORM);
	assert_false(head_has(&h, 7));
	assert_true(head_has(&h, 8));
	assert_headers_agree();

	/* a softwire of a new psid-len in a uniform /24: the header goes */
	{
		struct lw_softwire_entry e = entry("10.9.8.7", 2, 1, "2001:db8::987");

		assert_int_equal(lw_aftr_softwire_add(&m, &e, err, sizeof(err)), 0);
	}
	h = head_of("10.9.8.77");
	assert_false(h.head.flags & LW_BLOCK_UNIFORM);
	assert_headers_agree();
	(void)state;
}

/* Runs longer than a chunk (psid-len 9 and 16): every PSID has its slot,
 * and chunks exist only where softwires are; they go with them. */
static void test_long_runs_and_chunks_follow_use(void **state)
{
	static const unsigned psids[] = { 0, 511, 512, 4660, 65535 };
	struct lw_aftr_capacity cap;
	char err[256];

	NEED_BPF();
	for (size_t i = 0; i < sizeof(psids) / sizeof(psids[0]); i++) {
		struct lw_softwire_entry e = entry("198.18.0.1", 16, psids[i], "2001:db8::16");

		e.b4_ipv6.s6_addr[15] = (uint8_t)i;
		assert_int_equal(lw_aftr_softwire_add(&m, &e, err, sizeof(err)), 0);
	}
	{
		struct lw_softwire_entry e = entry("198.18.0.2", 9, 300, "2001:db8::9");

		assert_int_equal(lw_aftr_softwire_add(&m, &e, err, sizeof(err)), 0);
	}
	for (size_t i = 0; i < sizeof(psids) / sizeof(psids[0]); i++) {
		struct in6_addr b4;

		assert_int_equal(
			lw_aftr_softwire_get(&m, ip4("198.18.0.1"), (__u16)psids[i], &b4, NULL), 0);
		assert_int_equal(b4.s6_addr[15], i);
	}
	assert_int_equal(lw_aftr_capacity(&m, &cap), 0);
	assert_int_equal(cap.softwires, 6);
	assert_int_equal(cap.addresses, 2);
	assert_true(cap.chunks >= 4 && cap.chunks <= 6); /* 128 chunks of slot space, 4 used */
	for (size_t i = 0; i < sizeof(psids) / sizeof(psids[0]); i++)
		assert_int_equal(lw_aftr_softwire_del(&m, ip4("198.18.0.1"), (__u16)psids[i], err,
						      sizeof(err)),
				 0);
	assert_int_equal(lw_aftr_softwire_del(&m, ip4("198.18.0.2"), 300, err, sizeof(err)), 0);
	assert_int_equal(lw_aftr_capacity(&m, &cap), 0);
	assert_int_equal(cap.softwires, 0);
	assert_int_equal(cap.addresses, 0);
	assert_int_equal(cap.chunks, 0);
	assert_int_equal(cap.blocks, 0);
	(void)state;
}

static uint32_t l1_of(const char *v4)
{
	uint32_t k = ntohl(ip4(v4)) >> 16, v = 0;

	assert_int_equal(bpf_map_lookup_elem(m.addr_l1, &k, &v), 0);
	return v;
}

/* The pool bit of a /16 says whether a pool prefix touches it. */
static void test_pool_bits(void **state)
{
	NEED_BPF();
	assert_int_equal(lw_aftr_pool_add(&m, ip4("198.51.100.0"), 24), 0);
	assert_int_equal(lw_aftr_pool_add(&m, ip4("198.48.0.0"), 14), 0);
	assert_true(l1_of("198.51.7.7") & LW_L1_POOL);
	assert_true(l1_of("198.48.0.1") & LW_L1_POOL);
	assert_false(l1_of("198.52.0.1") & LW_L1_POOL);
	/* 198.51/16 keeps its bit for the /14 */
	assert_int_equal(lw_aftr_pool_del(&m, ip4("198.51.100.0"), 24), 0);
	assert_true(l1_of("198.51.7.7") & LW_L1_POOL);
	assert_int_equal(lw_aftr_pool_del(&m, ip4("198.48.0.0"), 14), 0);
	assert_false(l1_of("198.51.7.7") & LW_L1_POOL);
	assert_false(l1_of("198.49.0.1") & LW_L1_POOL);
	assert_int_equal(lw_aftr_pool_add(&m, ip4("10.1.0.0"), 16), 0);
	assert_int_equal(lw_aftr_pools_clear(&m), 0);
	assert_false(l1_of("10.1.0.0") & LW_L1_POOL);
	(void)state;
}

/* With one BR address the configuration carries it (the data plane's
 * compare); with two, the count says "hash". */
static void test_config_carries_the_br(void **state)
{
	struct lw_softwire_entry e = entry("192.0.2.1", 6, 3, "2001:db8::3");
	struct lw_aftr_config cfg = { .ipv4_mtu = 1400 };
	char err[256];

	NEED_BPF();
	assert_int_equal(lw_aftr_config_write(&m, &cfg), 0);
	assert_int_equal(lw_aftr_softwire_add(&m, &e, err, sizeof(err)), 0);
	assert_int_equal(lw_aftr_config_read(&m, &cfg), 0);
	assert_int_equal(cfg.br_count, 1);
	assert_memory_equal(&cfg.br_addr, &e.br_ipv6, 16);
	assert_int_equal(cfg.ipv4_mtu, 1400);
	/* a writer's stale copy does not undo it */
	cfg.br_count = 0;
	assert_int_equal(lw_aftr_config_write(&m, &cfg), 0);
	assert_int_equal(lw_aftr_config_read(&m, &cfg), 0);
	assert_int_equal(cfg.br_count, 1);
	assert_int_equal(lw_aftr_br_add(&m, &(struct in6_addr){ .s6_addr = { 0x20, 1 } }, err,
					sizeof(err)),
			 0);
	assert_int_equal(lw_aftr_config_read(&m, &cfg), 0);
	assert_int_equal(cfg.br_count, 2);
	(void)state;
}

/* Two writers on the same maps (pcpd and the CLI): each sees what the
 * other wrote since (the generation in lw_bind_state), so neither hands
 * out a run, a block or a slot the other took. */
static void test_two_writers(void **state)
{
	struct lw_aftr_maps other = m;
	char err[256];

	NEED_BPF();
	assert_int_equal(lw_aftr_maps_prepare(&other, NULL), 0);
	for (unsigned i = 0; i < 40; i++) {
		char a[32], b4[48];
		struct lw_softwire_entry e;

		snprintf(a, sizeof(a), "10.9.%u.%u", i / 4, i % 4);
		snprintf(b4, sizeof(b4), "2001:db8:9::%x", i);
		e = entry(a, i % 3 ? 6 : 0, i % 3 ? i : 0, b4);
		assert_int_equal(lw_aftr_softwire_add(i % 2 ? &other : &m, &e, err, sizeof(err)),
				 0);
	}
	for (unsigned i = 0; i < 40; i++) {
		char a[32];
		struct in6_addr b4;

		snprintf(a, sizeof(a), "10.9.%u.%u", i / 4, i % 4);
		assert_int_equal(
			lw_aftr_softwire_get(&m, ip4(a), (__u16)(i % 3 ? i : 0), &b4, NULL), 0);
		assert_int_equal(b4.s6_addr[15], i);
	}
	assert_int_equal(count_all(), 40);
	for (unsigned i = 0; i < 40; i++) {
		char a[32];

		snprintf(a, sizeof(a), "10.9.%u.%u", i / 4, i % 4);
		assert_int_equal(lw_aftr_softwire_del(i % 2 ? &m : &other, ip4(a),
						      (__u16)(i % 3 ? i : 0), err, sizeof(err)),
				 0);
	}
	assert_int_equal(count_all(), 0);
	other.own_fds = false;
	lw_aftr_maps_close(&other); /* its own state; the descriptors are m's */
	(void)state;
}

/* ---- issue 12: in place, origins ---------------------------------------------------- */

/* The slot the data plane reads for (v4, psid): the address's record
 * found as it finds it, plus the PSID. */
static uint32_t slot_of(const char *v4, unsigned psid)
{
	uint32_t a = ntohl(ip4(v4)), k = a >> 16, t = 0, blk = 0;
	struct lw_addr rec;

	assert_int_equal(bpf_map_lookup_elem(m.addr_l1, &k, &t), 0);
	t &= LW_L1_L2_MASK;
	assert_true(t != 0);
	k = (t - 1) * LW_ADDR_BLOCK + ((a >> 8) & 0xff);
	assert_int_equal(bpf_map_lookup_elem(m.addr_l2, &k, &blk), 0);
	assert_true(blk != 0);
	k = (blk - 1) * LW_ADDR_BLOCK + (a & 0xff);
	assert_int_equal(bpf_map_lookup_elem(m.addr_recs, &k, &rec), 0);
	assert_true(rec.flags & LW_ADDR_VALID);
	return rec.sw_base + psid;
}

/* Slot s's chunk, read (and written back) as the data plane's counting
 * would change it. */
static int chunk_of(uint32_t s, struct lw_sw_chunk *v)
{
	uint32_t c = s / LW_SW_CHUNK_SLOTS, id = 0, k0 = 0;
	int fd;

	assert_int_equal(bpf_map_lookup_elem(m.sw_chunks, &c, &id), 0);
	fd = bpf_map_get_fd_by_id(id);
	assert_true(fd >= 0);
	assert_int_equal(bpf_map_lookup_elem(fd, &k0, v), 0);
	return fd;
}

/* What the data plane's per-softwire counting leaves: n packets each way. */
static void count_packets(const char *v4, unsigned psid, __u64 n)
{
	static struct lw_sw_chunk v;
	uint32_t s = slot_of(v4, psid), k0 = 0;
	int fd = chunk_of(s, &v);
	struct lw_softwire *sw = &v.sw[s % LW_SW_CHUNK_SLOTS];

	assert_int_equal(sw->ipv4, ip4(v4));
	sw->decap_packets = n;
	sw->decap_bytes = 100 * n;
	sw->encap_packets = n + 1;
	sw->encap_bytes = 100 * n + 1;
	assert_int_equal(bpf_map_update_elem(fd, &k0, &v, BPF_ANY), 0);
	close(fd);
}

static void assert_counted(const char *v4, unsigned psid, __u64 n)
{
	struct lw_softwire sw;

	assert_int_equal(lw_aftr_softwire_read(&m, ip4(v4), (__u16)psid, &sw), 0);
	assert_int_equal(sw.decap_packets, n);
	assert_int_equal(sw.decap_bytes, 100 * n);
	assert_int_equal(sw.encap_packets, n + 1);
	assert_int_equal(sw.encap_bytes, 100 * n + 1);
}

static struct lw_softwire_entry pcp_entry(const char *v4, unsigned len, unsigned psid,
					  const char *b4)
{
	struct lw_softwire_entry e = entry(v4, len, psid, b4);

	e.br_ipv6 = ip6("2001:db8:ffff::9");
	return e;
}

/* What a write of the binding table may show the data plane: softwires
 * that must resolve to one B4 throughout (steady), and those that may
 * move between two B4s (and be missing a moment meanwhile). */
struct watch {
	struct {
		__be32 ipv4;
		__u16 psid;
		struct in6_addr b4, b4_new;
		bool moves;
	} sw[8];
	size_t n;
	unsigned writes, fails;
};

static void watch_steady(struct watch *w, const char *v4, unsigned psid, const char *b4)
{
	w->sw[w->n].ipv4 = ip4(v4);
	w->sw[w->n].psid = (__u16)psid;
	w->sw[w->n].b4 = ip6(b4);
	w->sw[w->n++].moves = false;
}

static void watch_move(struct watch *w, const char *v4, unsigned psid, const char *b4,
		       const char *b4_new)
{
	watch_steady(w, v4, psid, b4);
	w->sw[w->n - 1].b4_new = ip6(b4_new);
	w->sw[w->n - 1].moves = true;
}

static int watch_write(void *arg)
{
	struct watch *w = arg;

	w->writes++;
	for (size_t i = 0; i < w->n; i++) {
		struct in6_addr b4;
		int r = lw_aftr_softwire_get(&m, w->sw[i].ipv4, w->sw[i].psid, &b4, NULL);

		if (r == -ENOENT && w->sw[i].moves)
			continue;
		if (r || (memcmp(&b4, &w->sw[i].b4, sizeof(b4)) &&
			  (!w->sw[i].moves || memcmp(&b4, &w->sw[i].b4_new, sizeof(b4)))))
			w->fails++;
	}
	return 0;
}

static void watch_on(struct watch *w)
{
	w->writes = w->fails = 0;
	lw_bind_test_hook = watch_write;
	lw_bind_test_arg = w;
}

static void watch_off(void)
{
	lw_bind_test_hook = NULL;
	lw_bind_test_arg = NULL;
}

/* A renewal (the same grant again) writes nothing and keeps the counters. */
static void test_set_same_binding_writes_nothing(void **state)
{
	struct lw_softwire_entry e = pcp_entry("10.1.0.1", 4, 3, "2001:db8:1::3");
	struct watch w = {};
	char err[256];

	NEED_BPF();
	assert_int_equal(lw_aftr_softwire_set(&m, &e, LW_SW_ORIGIN_PCP, err, sizeof(err)),
			 LW_SW_ADDED);
	count_packets("10.1.0.1", 3, 1000);
	watch_on(&w);
	assert_int_equal(lw_aftr_softwire_set(&m, &e, LW_SW_ORIGIN_PCP, err, sizeof(err)),
			 LW_SW_UNCHANGED);
	watch_off();
	assert_int_equal(w.writes, 0);
	assert_counted("10.1.0.1", 3, 1000);
	assert_int_equal(count_all(), 1);
	(void)state;
}

/* A re-grant to another B4 rewrites the same slot: the counters stay
 * (a delete and an add would zero them), the neighbour in the chunk is
 * served at every write, and the moving softwire resolves to the old B4,
 * the new one or none -- never to anything else. */
static void test_set_new_b4_in_place(void **state)
{
	struct lw_softwire_entry e = pcp_entry("10.1.0.1", 4, 3, "2001:db8:1::3"),
				 n = pcp_entry("10.1.0.1", 4, 4, "2001:db8:1::4");
	struct lw_softwire before, after;
	struct watch w = {};
	char err[256];

	NEED_BPF();
	assert_int_equal(lw_aftr_softwire_set(&m, &e, LW_SW_ORIGIN_PCP, err, sizeof(err)),
			 LW_SW_ADDED);
	assert_int_equal(lw_aftr_softwire_set(&m, &n, LW_SW_ORIGIN_PCP, err, sizeof(err)),
			 LW_SW_ADDED);
	count_packets("10.1.0.1", 3, 1000);
	count_packets("10.1.0.1", 4, 50);
	assert_int_equal(lw_aftr_softwire_read(&m, e.ipv4, 3, &before), 0);
	watch_steady(&w, "10.1.0.1", 4, "2001:db8:1::4");
	watch_move(&w, "10.1.0.1", 3, "2001:db8:1::3", "2001:db8:1::33");
	e.b4_ipv6 = ip6("2001:db8:1::33");
	watch_on(&w);
	assert_int_equal(lw_aftr_softwire_set(&m, &e, LW_SW_ORIGIN_PCP, err, sizeof(err)),
			 LW_SW_UPDATED);
	watch_off();
	assert_true(w.writes > 0);
	assert_int_equal(w.fails, 0);
	assert_int_equal(lw_aftr_softwire_read(&m, e.ipv4, 3, &after), 0);
	assert_memory_equal(&after.b4_ipv6, &e.b4_ipv6, sizeof(e.b4_ipv6));
	assert_int_equal(after.origin, LW_SW_ORIGIN_PCP);
	assert_int_equal(after.br_index, before.br_index);
	assert_int_equal(slot_of("10.1.0.1", 3), slot_of("10.1.0.1", 3));
	assert_counted("10.1.0.1", 3, 1000);
	assert_counted("10.1.0.1", 4, 50);
	assert_int_equal(count_all(), 2);
	(void)state;
}

/* Another BR for the same B4: the B4's packets find the binding at every
 * write. */
static void test_set_new_br_never_missing(void **state)
{
	struct lw_softwire_entry e = pcp_entry("10.1.0.2", 0, 0, "2001:db8:1::5");
	struct in6_addr b4, br;
	struct watch w = {};
	char err[256];

	NEED_BPF();
	assert_int_equal(lw_aftr_softwire_set(&m, &e, LW_SW_ORIGIN_PCP, err, sizeof(err)),
			 LW_SW_ADDED);
	count_packets("10.1.0.2", 0, 7);
	watch_steady(&w, "10.1.0.2", 0, "2001:db8:1::5");
	e.br_ipv6 = ip6("2001:db8:ffff::7");
	watch_on(&w);
	assert_int_equal(lw_aftr_softwire_set(&m, &e, LW_SW_ORIGIN_PCP, err, sizeof(err)),
			 LW_SW_UPDATED);
	watch_off();
	assert_true(w.writes > 0);
	assert_int_equal(w.fails, 0);
	assert_int_equal(lw_aftr_softwire_get(&m, e.ipv4, 0, &b4, &br), 0);
	assert_memory_equal(&br, &e.br_ipv6, sizeof(br));
	assert_counted("10.1.0.2", 0, 7);
	(void)state;
}

/* Each origin changes only its own bindings. */
static void test_origins_guard_their_bindings(void **state)
{
	struct lw_softwire_entry c = entry("10.1.0.3", 4, 1, "2001:db8:1::10"),
				 p = pcp_entry("10.1.0.3", 4, 2, "2001:db8:1::20"), x;
	struct lw_softwire sw;
	char err[256];

	NEED_BPF();
	assert_int_equal(lw_aftr_softwire_add(&m, &c, err, sizeof(err)), 0);
	assert_int_equal(lw_aftr_softwire_set(&m, &p, LW_SW_ORIGIN_PCP, err, sizeof(err)),
			 LW_SW_ADDED);
	/* pcpd does not overwrite the configuration's, nor it pcpd's */
	x = c;
	x.b4_ipv6 = ip6("2001:db8:1::99");
	assert_int_equal(lw_aftr_softwire_set(&m, &x, LW_SW_ORIGIN_PCP, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "configuration"));
	x = p;
	x.b4_ipv6 = ip6("2001:db8:1::99");
	assert_int_equal(lw_aftr_softwire_set(&m, &x, LW_SW_ORIGIN_CONFIG, err, sizeof(err)),
			 -EPERM);
	assert_int_equal(lw_aftr_softwire_read(&m, c.ipv4, 1, &sw), 0);
	assert_memory_equal(&sw.b4_ipv6, &c.b4_ipv6, sizeof(sw.b4_ipv6));
	assert_int_equal(sw.origin, LW_SW_ORIGIN_CONFIG);
	assert_int_equal(lw_aftr_softwire_read(&m, p.ipv4, 2, &sw), 0);
	assert_memory_equal(&sw.b4_ipv6, &p.b4_ipv6, sizeof(sw.b4_ipv6));
	assert_int_equal(sw.origin, LW_SW_ORIGIN_PCP);
	/* pcpd removes its own, and only while it names the grant's B4 */
	assert_int_equal(lw_aftr_softwire_del_own(&m, c.ipv4, 1, LW_SW_ORIGIN_PCP, NULL, NULL, 0),
			 -ENOENT);
	assert_int_equal(lw_aftr_softwire_del_own(&m, p.ipv4, 2, LW_SW_ORIGIN_PCP, &c.b4_ipv6, NULL,
						  0),
			 -ENOENT);
	assert_int_equal(count_all(), 2);
	assert_int_equal(
		lw_aftr_softwire_del_own(&m, p.ipv4, 2, LW_SW_ORIGIN_PCP, &p.b4_ipv6, NULL, 0), 0);
	assert_int_equal(count_all(), 1);
	assert_int_equal(lw_aftr_softwire_read(&m, c.ipv4, 1, &sw), 0);
	(void)state;
}

static void add_cfg(struct lw_aftr_setup *s, const char *v4, unsigned psid, const char *b4)
{
	struct lw_softwire_entry e = entry(v4, 4, psid, b4);

	assert_int_equal(lw_setup_add_softwire(s, &e), 0);
}

/* A replace (import --replace, load aftr) touches the configuration's
 * softwires only: pcpd's stay with their counters (on an address of the
 * table, on an address the table drops, on an address of their own), an
 * unchanged configuration softwire is served throughout and keeps its
 * counters, a changed one is rewritten in place, the dropped ones go. */
static void test_replace_keeps_pcp_and_counters(void **state)
{
	struct lw_softwire_entry p1 = pcp_entry("10.2.0.1", 4, 8, "2001:db8:2::81"),
				 p3 = pcp_entry("10.2.0.3", 4, 5, "2001:db8:2::35"),
				 p9 = pcp_entry("10.2.0.9", 4, 3, "2001:db8:2::93");
	struct lw_aftr_setup a, b, bad;
	struct lw_softwire sw;
	struct in6_addr b4;
	struct watch w = {};
	unsigned len;
	char err[512];

	NEED_BPF();
	lw_setup_init(&a);
	for (unsigned i = 1; i <= 4; i++) {
		char b4s[48];

		snprintf(b4s, sizeof(b4s), "2001:db8:2::1%u", i);
		add_cfg(&a, "10.2.0.1", i, b4s);
	}
	add_cfg(&a, "10.2.0.2", 1, "2001:db8:2::21");
	add_cfg(&a, "10.2.0.2", 2, "2001:db8:2::22");
	add_cfg(&a, "10.2.0.3", 1, "2001:db8:2::31");
	assert_int_equal(lw_aftr_install(&m, &a, 1, err, sizeof(err)), 0);
	assert_int_equal(lw_aftr_softwire_set(&m, &p1, LW_SW_ORIGIN_PCP, err, sizeof(err)),
			 LW_SW_ADDED);
	assert_int_equal(lw_aftr_softwire_set(&m, &p3, LW_SW_ORIGIN_PCP, err, sizeof(err)),
			 LW_SW_ADDED);
	assert_int_equal(lw_aftr_softwire_set(&m, &p9, LW_SW_ORIGIN_PCP, err, sizeof(err)),
			 LW_SW_ADDED);
	count_packets("10.2.0.1", 1, 500);
	count_packets("10.2.0.1", 2, 600);
	count_packets("10.2.0.1", 8, 700);
	count_packets("10.2.0.3", 5, 701);
	count_packets("10.2.0.9", 3, 702);
	assert_int_equal(count_all(), 10);

	lw_setup_init(&b);
	add_cfg(&b, "10.2.0.1", 1, "2001:db8:2::11");  /* unchanged */
	add_cfg(&b, "10.2.0.1", 2, "2001:db8:2::122"); /* another B4 */
	add_cfg(&b, "10.2.0.1", 5, "2001:db8:2::15");  /* new */
	add_cfg(&b, "10.2.0.4", 1, "2001:db8:2::41");  /* a new address */
	watch_steady(&w, "10.2.0.1", 1, "2001:db8:2::11");
	watch_move(&w, "10.2.0.1", 2, "2001:db8:2::12", "2001:db8:2::122");
	watch_steady(&w, "10.2.0.1", 8, "2001:db8:2::81");
	watch_steady(&w, "10.2.0.3", 5, "2001:db8:2::35");
	watch_steady(&w, "10.2.0.9", 3, "2001:db8:2::93");
	watch_on(&w);
	assert_int_equal(lw_aftr_install(&m, &b, 1, err, sizeof(err)), 0);
	watch_off();
	assert_true(w.writes > 0);
	assert_int_equal(w.fails, 0);

	/* pcpd's, with their counters and origin */
	assert_counted("10.2.0.1", 8, 700);
	assert_counted("10.2.0.3", 5, 701);
	assert_counted("10.2.0.9", 3, 702);
	assert_int_equal(lw_aftr_softwire_read(&m, ip4("10.2.0.3"), 5, &sw), 0);
	assert_int_equal(sw.origin, LW_SW_ORIGIN_PCP);
	/* the configuration's: kept, rewritten, added, dropped */
	assert_counted("10.2.0.1", 1, 500);
	assert_int_equal(lw_aftr_softwire_get(&m, ip4("10.2.0.1"), 2, &b4, NULL), 0);
	assert_memory_equal(&b4, &b.softwires[1].b4_ipv6, sizeof(b4));
	assert_counted("10.2.0.1", 2, 600); /* the same softwire, another B4 */
	assert_int_equal(lw_aftr_softwire_get(&m, ip4("10.2.0.1"), 5, &b4, NULL), 0);
	assert_int_equal(lw_aftr_softwire_get(&m, ip4("10.2.0.4"), 1, &b4, NULL), 0);
	assert_int_equal(lw_aftr_softwire_get(&m, ip4("10.2.0.1"), 3, &b4, NULL), -ENOENT);
	assert_int_equal(lw_aftr_softwire_get(&m, ip4("10.2.0.1"), 4, &b4, NULL), -ENOENT);
	assert_int_equal(lw_aftr_softwire_get(&m, ip4("10.2.0.3"), 1, &b4, NULL), -ENOENT);
	assert_false(has_params("10.2.0.2", &len)); /* only the configuration's: gone */
	assert_true(has_params("10.2.0.3", &len));  /* pcpd's keep it */
	assert_int_equal(count_all(), 7);
	/* pcpd's BR address stays: its bindings use it */
	assert_true(lw_aftr_is_br(&m, &p1.br_ipv6));

	/* the same table again writes nothing */
	watch_on(&w);
	assert_int_equal(lw_aftr_install(&m, &b, 1, err, sizeof(err)), 0);
	watch_off();
	assert_int_equal(w.writes, 0);
	assert_counted("10.2.0.1", 1, 500);

	/* a table that takes a PCP binding's set, or changes the parameters
	 * under PCP bindings, is refused before anything is written */
	lw_setup_init(&bad);
	add_cfg(&bad, "10.2.0.9", 3, "2001:db8:2::99");
	watch_on(&w);
	assert_int_equal(lw_aftr_install(&m, &bad, 1, err, sizeof(err)), -EBUSY);
	assert_non_null(strstr(err, "PCP binding"));
	lw_setup_free(&bad);
	lw_setup_init(&bad);
	{
		struct lw_softwire_entry e = entry("10.2.0.1", 5, 1, "2001:db8:2::11");

		assert_int_equal(lw_setup_add_softwire(&bad, &e), 0);
	}
	assert_int_equal(lw_aftr_install(&m, &bad, 1, err, sizeof(err)), -EBUSY);
	watch_off();
	assert_int_equal(w.writes, 0);
	assert_int_equal(count_all(), 7);
	assert_counted("10.2.0.9", 3, 702);
	lw_setup_free(&bad);
	lw_setup_free(&a);
	lw_setup_free(&b);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_then_duplicate_is_eexist),
		cmocka_unit_test(test_psid_len_fixed_while_address_has_softwires),
		cmocka_unit_test(test_del_absent_is_enoent),
		cmocka_unit_test_setup(test_install_replace_empties_large_table, fresh_default),
		cmocka_unit_test(test_capacity_refused_before_writing),
		cmocka_unit_test_setup(test_failure_half_way_leaves_table, fresh_default),
		cmocka_unit_test_setup(test_replace_keeps_addresses_served, fresh_default),
		cmocka_unit_test_setup(test_long_runs_and_chunks_follow_use, fresh_default),
		cmocka_unit_test_setup(test_block_headers_follow_records, fresh_default),
		cmocka_unit_test_setup(test_pool_bits, fresh_default),
		cmocka_unit_test_setup(test_config_carries_the_br, fresh_default),
		cmocka_unit_test_setup(test_two_writers, fresh_default),
		cmocka_unit_test_setup(test_set_same_binding_writes_nothing, fresh_default),
		cmocka_unit_test_setup(test_set_new_b4_in_place, fresh_default),
		cmocka_unit_test_setup(test_set_new_br_never_missing, fresh_default),
		cmocka_unit_test_setup(test_origins_guard_their_bindings, fresh_default),
		cmocka_unit_test_setup(test_replace_keeps_pcp_and_counters, fresh_default),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
