/* SPDX-License-Identifier: GPL-2.0 */
/* lib/aftr/alloc*: which block a new grant gets. Configuration checks,
 * PSID-5 (no port below 1024 unless the whole address) and alignment for
 * every block size, PORT_SET size rounding (PCPS-7), exhaustion and quota
 * (PCPS-15, AFTR-BT-5), packing, one psid-len per address (PSID-4),
 * suggestions (PCPS-8/9) and RFC 7753 §6.1 same-address sets.
 * The mapping life cycle (renewal, nonces, delete, hold, expiry, undo,
 * restore) is in test_alloc_mapping.c, the seeded random walk in
 * test_alloc_walk.c, the timing in test_alloc_perf.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "alloc.h"
#include "alloc_fixture.h"
static void test_config_defaults(void **state)
{
	struct alloc_config c;

	(void)state;
	alloc_config_init(&c);
	assert_int_equal(c.default_block_size, 2048);
	assert_int_equal(c.min_block_size, 1024);
	assert_int_equal(c.max_block_size, 2048);
	assert_int_equal(c.max_grants_per_subscriber, 1);
	assert_int_equal(c.subscriber_prefix_len, 128);
	assert_int_equal(c.min_lifetime, 120);
	assert_int_equal(c.max_lifetime, 86400);
	assert_int_equal(c.short_error_lifetime, 30);
	assert_int_equal(c.reuse_hold_seconds, 120);
	assert_int_equal(c.n_pools, 0);
}

static void expect_invalid(const struct alloc_config *c, const char *needle)
{
	char err[256] = "";

	assert_int_equal(alloc_config_validate(c, err, sizeof(err)), -EINVAL);
	if (!strstr(err, needle))
		fail_msg("message '%s' lacks '%s'", err, needle);
	assert_null(alloc_new(c, err, sizeof(err)));
}

static void test_config_rejects(void **state)
{
	struct alloc_pool two[2];
	struct alloc_config c;
	char err[256];

	(void)state;
	alloc_config_init(&c);
	expect_invalid(&c, "no IPv4 pool");

	config(&c, &two[0], "192.0.2.0", 28);
	assert_int_equal(alloc_config_validate(&c, err, sizeof(err)), 0);
	c.default_block_size = 3000;
	expect_invalid(&c, "powers of two");
	config(&c, &two[0], "192.0.2.0", 28);
	c.min_block_size = 4096;
	expect_invalid(&c, "min 4096 <= default 2048");
	config(&c, &two[0], "192.0.2.0", 28);
	c.min_lifetime = 60;
	expect_invalid(&c, "120 <= min 60");
	config(&c, &two[0], "192.0.2.0", 28);
	c.max_lifetime = 86401;
	expect_invalid(&c, "<= 86400");
	config(&c, &two[0], "192.0.2.0", 28);
	c.subscriber_prefix_len = 129;
	expect_invalid(&c, "prefix length 129");
	config(&c, &two[0], "192.0.2.0", 28);
	c.max_grants_per_subscriber = 0;
	expect_invalid(&c, "grants per subscriber 0");
	config(&c, &two[0], "192.0.2.0", 28);
	c.short_error_lifetime = 0;
	expect_invalid(&c, "error lifetimes");
	config(&c, &two[0], "192.0.2.1", 28);
	expect_invalid(&c, "host bits set");
	config(&c, &two[0], "192.0.2.0", 33);
	expect_invalid(&c, "prefix length > 32");
	config(&c, &two[0], "10.0.0.0", 8);
	expect_invalid(&c, "more than 1048576");

	/* 192.0.2.8/29 lies inside 192.0.2.0/28. */
	config(&c, &two[0], "192.0.2.0", 28);
	two[1].prefix = v4("192.0.2.8");
	two[1].prefix_len = 29;
	c.n_pools = 2;
	expect_invalid(&c, "pools overlap");
}

static void test_psid_arithmetic(void **state)
{
	(void)state;
	/* ceil(1024 / 2^m): the lowest psid whose block starts at >= 1024. */
	assert_int_equal(alloc_first_grantable_psid(0), 0);   /* whole address */
	assert_int_equal(alloc_first_grantable_psid(1), 1);   /* 32768 */
	assert_int_equal(alloc_first_grantable_psid(5), 1);   /* 2048 */
	assert_int_equal(alloc_first_grantable_psid(6), 1);   /* 1024 */
	assert_int_equal(alloc_first_grantable_psid(7), 2);   /* 512 */
	assert_int_equal(alloc_first_grantable_psid(8), 4);   /* 256 */
	assert_int_equal(alloc_first_grantable_psid(16), 1024); /* 1 port */
	assert_int_equal(alloc_block_psid_len(65536), 0);
	assert_int_equal(alloc_block_psid_len(2048), 5);
	assert_int_equal(alloc_block_psid_len(1), 16);
}

/* The RFC 7753 §5.2 shape: first grant of 2048 ports on the first address
 * is psid 1 (ports 2048-4095), lifetime as asked, and the binding-entry has
 * psid-offset 0. */
static void test_first_grant(void **state)
{
	struct alloc_pool pool;
	struct alloc_config c;
	struct alloc_decision d;
	struct alloc_request q;
	struct lw_softwire_entry e;
	struct alloc_stats st;
	struct alloc *a;

	(void)state;
	config(&c, &pool, "192.0.2.0", 28);
	a = make(&c);
	q = req(1, 0xaa, 1000);
	d = ask(a, &q);
	expect_grant(&d, "192.0.2.0", 5, 1, 2048, 2048);
	assert_int_equal(d.action, ALLOC_CREATED);
	assert_int_equal(d.lifetime, 3600);
	assert_int_equal(d.grant.expires_at, 4600);
	assert_int_equal(d.grant.internal_port, 1);
	assert_memory_equal(&d.grant.b4, &q.b4, 16);
	assert_memory_equal(&d.grant.br, &q.br, 16);
	assert_memory_equal(d.grant.nonce, q.nonce, ALLOC_NONCE_LEN);

	alloc_grant_to_softwire(&d.grant, &e);
	assert_int_equal(e.ipv4, v4("192.0.2.0"));
	assert_int_equal(e.ps.psid_offset, 0);
	assert_int_equal(e.ps.psid_len, 5);
	assert_int_equal(e.psid, 1);
	assert_memory_equal(&e.b4_ipv6, &q.b4, 16);
	assert_memory_equal(&e.br_ipv6, &q.br, 16);

	assert_non_null(alloc_find(a, &q.b4, 1));
	assert_null(alloc_find(a, &q.b4, 2));
	alloc_get_stats(a, &st);
	assert_int_equal(st.grants, 1);
	assert_int_equal(st.subscribers, 1);
	assert_int_equal(st.addresses, 16);
	assert_int_equal(st.addresses_empty, 15);
	assert_int_equal(st.free_blocks, 30);
	alloc_free(a);
}

/* PSID-5 and alignment, for each block size: fill a /30 until
 * NO_RESOURCES; every grant is aligned to its size, none contains a port
 * below 1024 unless it is the whole address, and every grantable psid is
 * used exactly once. */
static void fill_with_block_size(uint32_t size, unsigned int expect_per_addr)
{
	struct alloc_pool pool;
	struct alloc_config c;
	struct alloc_decision d;
	struct alloc_request q;
	unsigned int n = 0, i, k = 16 - (unsigned int)__builtin_ctz(size);
	static uint8_t seen[4][65536];
	struct alloc *a;

	memset(seen, 0, sizeof(seen));
	config(&c, &pool, "192.0.2.0", 30);
	c.default_block_size = c.min_block_size = c.max_block_size = size;
	a = make(&c);
	for (;;) {
		q = req(n + 1, 1, 0);
		d = ask(a, &q);
		if (d.result != ALLOC_SUCCESS)
			break;
		assert_int_equal(d.grant.psid_len, k);
		assert_int_equal(alloc_grant_size(&d.grant), size);
		assert_int_equal(alloc_grant_first_port(&d.grant) % size, 0);
		if (size < 65536)
			assert_true(alloc_grant_first_port(&d.grant) >= 1024);
		i = ntohl(d.grant.ipv4) - ntohl(v4("192.0.2.0"));
		assert_true(i < 4);
		assert_int_equal(seen[i][d.grant.psid], 0);
		seen[i][d.grant.psid] = 1;
		n++;
	}
	expect_error(&d, ALLOC_NO_RESOURCES, 30);
	assert_int_equal(n, 4 * expect_per_addr);
	/* Exactly the psids from the first grantable one up are used. */
	for (i = 0; i < 4; i++) {
		unsigned int p, first = alloc_first_grantable_psid((uint8_t)k);

		for (p = 0; p < (1u << k); p++)
			assert_int_equal(seen[i][p], p >= first);
	}
	alloc_free(a);
}

static void test_reserved_ports_1024(void **state)
{
	(void)state;
	fill_with_block_size(1024, 63);  /* psids 1..63 */
}

static void test_reserved_ports_2048(void **state)
{
	(void)state;
	fill_with_block_size(2048, 31);  /* psids 1..31 */
}

static void test_reserved_ports_4096(void **state)
{
	(void)state;
	fill_with_block_size(4096, 15);  /* psids 1..15 */
}

static void test_reserved_ports_512(void **state)
{
	(void)state;
	fill_with_block_size(512, 126);  /* psids 2..127: 0 and 1 are 0..1023 */
}

static void test_whole_address(void **state)
{
	struct alloc_pool pool;
	struct alloc_config c;
	struct alloc_decision d;
	struct alloc_request q;
	struct alloc *a;

	(void)state;
	fill_with_block_size(65536, 1);
	/* psid-len 0 is the only grant that includes ports 0..1023. */
	config(&c, &pool, "192.0.2.0", 32);
	c.default_block_size = c.max_block_size = 65536;
	a = make(&c);
	q = req(1, 1, 0);
	d = ask(a, &q);
	expect_grant(&d, "192.0.2.0", 0, 0, 0, 65536);
	alloc_free(a);
}

/* PCPS-7: never more than asked; the largest power of two <= the ask,
 * capped at max_block_size; 65535 = the default block. The requests name
 * internal port 32768, so that every size has an aligned block inside
 * [32768, 32768 + ask) (RFC 7753 §4.2). */
static void test_size_rounding(void **state)
{
	static const struct {
		uint16_t asked;
		uint32_t granted;  /* 0: refused */
	} cases[] = {
		{ 1000, 512 }, { 1024, 1024 }, { 1025, 1024 }, { 2047, 1024 },
		{ 5000, 4096 }, { 65535, 2048 }, { 65534, 8192 }, { 300, 256 },
		{ 255, 0 }, { 1, 0 },
	};
	struct alloc_pool pool;
	struct alloc_config c;
	struct alloc_decision d;
	struct alloc_request q;
	struct alloc *a;
	size_t i;

	(void)state;
	config(&c, &pool, "192.0.2.0", 28);
	c.min_block_size = 256;
	c.max_block_size = 8192;
	a = make(&c);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		q = req((unsigned int)i + 1, 1, 0);
		q.internal_port = 32768;
		q.port_set_size = cases[i].asked;
		d = ask(a, &q);
		if (cases[i].granted == 0) {
			/* Nothing this small exists: NO_RESOURCES, which is a
			 * short-lifetime error whatever the cause (RFC 6887
			 * §7.4, PCPS-15). */
			expect_error(&d, ALLOC_NO_RESOURCES, 30);
			continue;
		}
		assert_int_equal(d.result, ALLOC_SUCCESS);
		assert_int_equal(alloc_grant_size(&d.grant), cases[i].granted);
		assert_int_equal(alloc_grant_first_port(&d.grant) % cases[i].granted, 0);
		expect_inside(&d, &q);
	}
	alloc_free(a);
}

static void test_size_zero_is_an_error(void **state)
{
	struct alloc_pool pool;
	struct alloc_config c;
	struct alloc_decision d;
	struct alloc_request q;
	struct alloc_stats st;
	char err[128] = "";
	struct alloc *a;

	(void)state;
	config(&c, &pool, "192.0.2.0", 28);
	a = make(&c);
	q = req(1, 1, 0);
	q.port_set_size = 0;
	assert_int_equal(alloc_request(a, &q, &d, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "port set size 0");
	alloc_get_stats(a, &st);
	assert_int_equal(st.grants, 0);
	alloc_free(a);
}

/* One address, 2048-port blocks: 31 grants in psid order (packing from the
 * lowest), then NO_RESOURCES with the short lifetime and nothing changed. */
static void test_exhaustion(void **state)
{
	struct alloc_pool pool;
	struct alloc_config c;
	struct alloc_decision d;
	struct alloc_request q;
	struct alloc_stats st;
	struct alloc *a;
	unsigned int i;

	(void)state;
	config(&c, &pool, "192.0.2.7", 32);
	a = make(&c);
	for (i = 1; i <= 31; i++) {
		q = req(i, 1, 0);
		d = ask(a, &q);
		expect_grant(&d, "192.0.2.7", 5, i, i * 2048, 2048);
	}
	q = req(32, 1, 0);
	d = ask(a, &q);
	expect_error(&d, ALLOC_NO_RESOURCES, 30);
	assert_string_equal(d.why, "no free block");
	alloc_get_stats(a, &st);
	assert_int_equal(st.grants, 31);
	assert_int_equal(st.subscribers, 31);
	assert_int_equal(st.free_blocks, 0);
	assert_null(alloc_find(a, &q.b4, 1));
	alloc_free(a);
}

/* Packing: a second address is started only when the first is full. */
static void test_packing(void **state)
{
	struct alloc_pool pool;
	struct alloc_config c;
	struct alloc_decision d;
	struct alloc_request q;
	struct alloc *a;
	unsigned int i;

	(void)state;
	config(&c, &pool, "192.0.2.0", 30);
	c.default_block_size = c.min_block_size = c.max_block_size = 16384; /* psids 1..3 */
	a = make(&c);
	for (i = 0; i < 12; i++) {
		q = req(i + 1, 1, 0);
		d = ask(a, &q);
		assert_int_equal(d.result, ALLOC_SUCCESS);
		assert_int_equal(ntohl(d.grant.ipv4), ntohl(v4("192.0.2.0")) + i / 3);
		assert_int_equal(d.grant.psid, i % 3 + 1);
	}
	alloc_free(a);
}

/* PSID-4: an address keeps one psid-len while it holds any block; a request
 * of another size goes to another address, and falls back to a smaller
 * size only on an address already of that size (RFC 7753 §4.2: as many as
 * possible). */
static void test_one_psid_len_per_address(void **state)
{
	struct alloc_pool pool;
	struct alloc_config c;
	struct alloc_grant expired;
	struct alloc_decision d;
	struct alloc_request q;
	struct alloc *a;
	unsigned int i;

	(void)state;
	config(&c, &pool, "192.0.2.0", 31);
	c.reuse_hold_seconds = 0;
	a = make(&c);
	q = req(1, 1, 0);
	q.internal_port = 1024;
	q.port_set_size = 1024;
	d = ask(a, &q);
	expect_grant(&d, "192.0.2.0", 6, 1, 1024, 1024);
	/* 2048 cannot go on .0 (psid-len 6): .1 is started. */
	for (i = 0; i < 31; i++) {
		q = req(100 + i, 1, 0);
		d = ask(a, &q);
		expect_grant(&d, "192.0.2.1", 5, i + 1, (i + 1) * 2048, 2048);
	}
	/* .1 is full and no address is empty: 65535 falls back to 1024 on .0. */
	q = req(200, 1, 0);
	d = ask(a, &q);
	expect_grant(&d, "192.0.2.0", 6, 2, 2048, 1024);
	/* An explicit 2048 cannot be met (no 2048 room) but 1024 can,
	 * inside the internal ports asked for, 2048-4095. */
	q = req(201, 1, 0);
	q.internal_port = 2048;
	q.port_set_size = 2048;
	d = ask(a, &q);
	expect_grant(&d, "192.0.2.0", 6, 3, 3072, 1024);

	/* When .0 is empty again its psid-len may change. */
	for (i = 0; i < 3; i++) {
		static const uint16_t port[3] = { 1024, 1, 2048 };
		unsigned int b4 = i == 0 ? 1 : 199 + i;

		q = req(b4, 1, 10);
		q.internal_port = port[i];
		q.lifetime = 0;
		d = ask(a, &q);
		assert_int_equal(d.action, ALLOC_DELETED);
	}
	assert_false(alloc_expire_next(a, 10, &expired)); /* hold 0: released */
	checked(a);
	q = req(300, 1, 10);
	d = ask(a, &q);
	expect_grant(&d, "192.0.2.0", 5, 1, 2048, 2048);
	alloc_free(a);
}

/* PCPS-15 / AFTR-BT-5: per-subscriber quota, subscriber = masked B4. */
static void test_quota(void **state)
{
	struct alloc_pool pool;
	struct alloc_config c;
	struct alloc_decision d;
	struct alloc_request q;
	struct alloc *a;

	(void)state;
	config(&c, &pool, "192.0.2.0", 28);
	a = make(&c);
	q = req(1, 1, 0);
	d = ask(a, &q);
	assert_int_equal(d.action, ALLOC_CREATED);
	/* A second mapping (another internal port, same nonce) is over quota. */
	q.internal_port = 2;
	d = ask(a, &q);
	expect_error(&d, ALLOC_USER_EX_QUOTA, 30);
	alloc_free(a);

	/* /56 subscribers: two B4 addresses in one /56 are one subscriber. */
	c.subscriber_prefix_len = 56;
	a = make(&c);
	q = req(1, 1, 0);
	q.b4 = v6("2001:db8:0:100::1");
	d = ask(a, &q);
	assert_int_equal(d.action, ALLOC_CREATED);
	q.b4 = v6("2001:db8:0:1ff::2");
	d = ask(a, &q);
	expect_error(&d, ALLOC_USER_EX_QUOTA, 30);
	q.b4 = v6("2001:db8:0:200::1");
	d = ask(a, &q);
	assert_int_equal(d.action, ALLOC_CREATED);
	alloc_free(a);
}

/* RFC 7753 §6.1: with a quota above one, the subscriber's sets share its
 * address even when packing would pick another. */
static void test_quota_same_address(void **state)
{
	struct alloc_pool pool;
	struct alloc_config c;
	struct alloc_decision d;
	struct alloc_request q;
	struct alloc *a;

	(void)state;
	config(&c, &pool, "192.0.2.0", 28);
	c.max_grants_per_subscriber = 2;
	a = make(&c);
	q = req(1, 1, 0);
	d = ask(a, &q);
	expect_grant(&d, "192.0.2.0", 5, 1, 2048, 2048);
	/* Another subscriber starts .9, which becomes the address being filled. */
	q = req(2, 1, 0);
	q.suggested_ipv4 = v4("192.0.2.9");
	d = ask(a, &q);
	expect_grant(&d, "192.0.2.9", 5, 1, 2048, 2048);
	q = req(3, 1, 0);
	d = ask(a, &q);
	expect_grant(&d, "192.0.2.9", 5, 2, 4096, 2048);
	/* B4 1's second set: on its own address. */
	q = req(1, 1, 0);
	q.internal_port = 2;
	d = ask(a, &q);
	expect_grant(&d, "192.0.2.0", 5, 2, 4096, 2048);
	q.internal_port = 3;
	d = ask(a, &q);
	expect_error(&d, ALLOC_USER_EX_QUOTA, 30);
	alloc_free(a);
}

/* PCPS-8/9, RFC 6887 §11.3: a suggested block is granted when free — the
 * RFC 7753 §5.2 example block 192.0.2.5:26624 after a state loss — else
 * another block on the suggested address, else the usual choice. */
static void test_suggestion(void **state)
{
	struct alloc_pool pool;
	struct alloc_config c;
	struct alloc_decision d;
	struct alloc_request q;
	struct alloc *a;

	(void)state;
	config(&c, &pool, "192.0.2.0", 28);
	a = make(&c);
	q = req(1, 1, 0);
	q.suggested_ipv4 = v4("192.0.2.5");
	q.suggested_port = 26624;
	d = ask(a, &q);
	expect_grant(&d, "192.0.2.5", 5, 13, 26624, 2048);
	/* Any port inside the block names it. */
	q = req(2, 1, 0);
	q.suggested_ipv4 = v4("192.0.2.5");
	q.suggested_port = 20000;
	d = ask(a, &q);
	expect_grant(&d, "192.0.2.5", 5, 9, 18432, 2048);
	/* Taken block: another one on the same address. */
	q = req(3, 1, 0);
	q.suggested_ipv4 = v4("192.0.2.5");
	q.suggested_port = 27000;
	d = ask(a, &q);
	expect_grant(&d, "192.0.2.5", 5, 1, 2048, 2048);
	/* Ports 0..1023 are never granted, even when suggested (PSID-5). */
	q = req(4, 1, 0);
	q.suggested_ipv4 = v4("192.0.2.5");
	q.suggested_port = 80;
	d = ask(a, &q);
	expect_grant(&d, "192.0.2.5", 5, 2, 4096, 2048);
	/* Outside every pool: ignored, packing continues on .5. */
	q = req(5, 1, 0);
	q.suggested_ipv4 = v4("198.51.100.1");
	q.suggested_port = 26624;
	d = ask(a, &q);
	expect_grant(&d, "192.0.2.5", 5, 3, 6144, 2048);
	/* An address of another psid-len is not used (PSID-4); the
	 * suggested port lies outside the internal ports asked for, 1024-2047,
	 * so it does not count (RFC 7753 §4.2). */
	q = req(6, 1, 0);
	q.internal_port = 1024;
	q.port_set_size = 1024;
	q.suggested_ipv4 = v4("192.0.2.5");
	q.suggested_port = 40000;
	d = ask(a, &q);
	expect_grant(&d, "192.0.2.0", 6, 1, 1024, 1024);
	alloc_free(a);
}

/* B4 b4 asks size ports from internal_port. */
static struct alloc_request req_from(unsigned int b4, uint16_t internal_port, uint16_t size)
{
	struct alloc_request q = req(b4, 1, 0);

	q.internal_port = internal_port;
	q.port_set_size = size;
	return q;
}

/* ask(), and a grant maps no port outside what was asked for (RFC 7753 §4.2). */
static struct alloc_decision ask_inside(struct alloc *a, const struct alloc_request *q)
{
	struct alloc_decision d = ask(a, q);

	if (d.result == ALLOC_SUCCESS)
		expect_inside(&d, q);
	return d;
}

/* RFC 7753 §4.2 (PCPS-7): the server MUST NOT map internal ports outside
 * [Internal Port, Internal Port + Port Set Size); grants are identity
 * mapped (PCPS-8), so the block itself lies in that range, and is the
 * largest aligned one that does (as many as possible, §4.2 SHOULD), or the
 * request is refused with NO_RESOURCES (short lifetime, RFC 6887 §7.4). */
static void test_internal_port_range(void **state)
{
	struct alloc_pool pool;
	struct alloc_config c;
	struct alloc_decision d;
	struct alloc_request q;
	struct alloc *a;

	(void)state;
	config(&c, &pool, "192.0.2.0", 28);
	a = make(&c);
	/* issue 10: 2048 at 40000 got 4096-6143. No aligned 2048 block lies in
	 * 40000-42047; the 1024 block at 40960 does. */
	q = req_from(1, 40000, 2048);
	d = ask_inside(a, &q);
	expect_grant(&d, "192.0.2.0", 6, 40, 40960, 1024);
	/* 2048 at 40960: exactly that block (on an address of psid-len 5). */
	q = req_from(2, 40960, 2048);
	d = ask_inside(a, &q);
	expect_grant(&d, "192.0.2.1", 5, 20, 40960, 2048);
	/* "as many as you give" from 60000: the first 2048 block from there */
	q = req_from(3, 60000, 0xffff);
	d = ask_inside(a, &q);
	expect_grant(&d, "192.0.2.1", 5, 30, 61440, 2048);
	/* a suggested block outside the range is not granted: .1's 2048 at
	 * 2048 is free, but 40960-43007 is asked for */
	q = req_from(4, 40960, 2048);
	q.suggested_ipv4 = v4("192.0.2.1");
	q.suggested_port = 2048;
	d = ask_inside(a, &q);
	expect_grant(&d, "192.0.2.2", 5, 20, 40960, 2048);
	/* 4096 at 40960, capped at max-block-size 2048: the second 2048
	 * block of the range, on the address being filled */
	q = req_from(5, 40960, 4096);
	d = ask_inside(a, &q);
	expect_grant(&d, "192.0.2.2", 5, 21, 43008, 2048);
	/* the ports run out at 65535: 64512-65535 is the last 1024 block */
	q = req_from(6, 64000, 0xffff);
	d = ask_inside(a, &q);
	expect_grant(&d, "192.0.2.0", 6, 63, 64512, 1024);
	/* the lwB4's request (PCPC-5) still gets the lowest free block of
	 * the address being filled */
	q = req(7, 1, 0);
	d = ask_inside(a, &q);
	expect_grant(&d, "192.0.2.2", 5, 1, 2048, 2048);
	alloc_free(a);

	/* no block of an allowed size lies in the range: refused, nothing kept */
	c.min_block_size = 2048;
	a = make(&c);
	q = req_from(1, 40000, 2048);
	d = ask(a, &q);
	expect_error(&d, ALLOC_NO_RESOURCES, 30);
	assert_null(alloc_find(a, &q.b4, 40000));
	q.port_set_size = 65535; /* 40000-65535 holds 2048 blocks */
	d = ask_inside(a, &q);
	expect_grant(&d, "192.0.2.0", 5, 20, 40960, 2048);
	alloc_free(a);

	/* a whole address (ports 0-65535) lies in 1-65535, port 0 being no
	 * transport port; from internal port 2 it does not: the next size */
	config(&c, &pool, "192.0.2.0", 32);
	c.default_block_size = c.max_block_size = 65536;
	a = make(&c);
	q = req_from(1, 2, 0xffff);
	d = ask_inside(a, &q);
	expect_grant(&d, "192.0.2.0", 1, 1, 32768, 32768);
	alloc_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_defaults),
		cmocka_unit_test(test_config_rejects),
		cmocka_unit_test(test_psid_arithmetic),
		cmocka_unit_test(test_first_grant),
		cmocka_unit_test(test_reserved_ports_1024),
		cmocka_unit_test(test_reserved_ports_2048),
		cmocka_unit_test(test_reserved_ports_4096),
		cmocka_unit_test(test_reserved_ports_512),
		cmocka_unit_test(test_whole_address),
		cmocka_unit_test(test_size_rounding),
		cmocka_unit_test(test_size_zero_is_an_error),
		cmocka_unit_test(test_exhaustion),
		cmocka_unit_test(test_packing),
		cmocka_unit_test(test_one_psid_len_per_address),
		cmocka_unit_test(test_quota),
		cmocka_unit_test(test_quota_same_address),
		cmocka_unit_test(test_suggestion),
		cmocka_unit_test(test_internal_port_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
