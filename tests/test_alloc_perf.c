/* SPDX-License-Identifier: GPL-2.0 */
/* Throughput of the pure allocator at 100,000 subscribers: creates,
 * renewals, foreign-nonce refusals, deletes and an expiry run, timed and
 * printed (a measurement, not a pass/fail threshold). The assertions only
 * check that each phase did what it was timed for. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include "alloc.h"

#define SUBSCRIBERS 100000u

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct alloc_request req(unsigned int n, uint8_t nonce, uint64_t now)
{
	struct alloc_request q;

	memset(&q, 0, sizeof(q));
	/* Spread over the address like real prefixes: 2001:db8:<n>::1. */
	q.b4.s6_addr[0] = 0x20;
	q.b4.s6_addr[1] = 0x01;
	q.b4.s6_addr[2] = 0x0d;
	q.b4.s6_addr[3] = 0xb8;
	q.b4.s6_addr[4] = (uint8_t)(n >> 16);
	q.b4.s6_addr[5] = (uint8_t)(n >> 8);
	q.b4.s6_addr[6] = (uint8_t)n;
	q.b4.s6_addr[15] = 1;
	memset(q.nonce, nonce, sizeof(q.nonce));
	q.internal_port = 1;
	q.lifetime = 3600;
	q.port_set_size = 0xffff;
	q.now = now;
	return q;
}

static void report(const char *what, unsigned int n, double t)
{
	printf("alloc perf: %-28s %7u in %7.3f s = %10.0f /s\n", what, n, t, n / t);
}

static void test_alloc_throughput(void **state)
{
	/* 192.0.2.0/20-sized pool (4096 addresses x 31 blocks = 126,976). */
	struct alloc_pool pool = { .prefix = htonl(0x0a000000u), .prefix_len = 20 };
	struct alloc_config c;
	struct alloc_decision d;
	struct alloc_request q;
	struct alloc_stats st;
	struct alloc_grant expired;
	unsigned int i, n_expired = 0;
	struct alloc *a;
	char err[256];
	double t;

	(void)state;
	alloc_config_init(&c);
	c.pools = &pool;
	c.n_pools = 1;
	c.hash_seed = 0x5eed;
	a = alloc_new(&c, err, sizeof(err));
	if (!a)
		fail_msg("%s", err);

	t = seconds();
	for (i = 0; i < SUBSCRIBERS; i++) {
		q = req(i, 1, 0);
		if (alloc_request(a, &q, &d, err, sizeof(err)) || d.action != ALLOC_CREATED)
			fail_msg("create %u: %s", i, d.why);
	}
	report("create (new grant)", SUBSCRIBERS, seconds() - t);

	t = seconds();
	for (i = 0; i < SUBSCRIBERS; i++) {
		q = req(i, 1, 60);
		if (alloc_request(a, &q, &d, err, sizeof(err)) || d.action != ALLOC_RENEWED)
			fail_msg("renew %u", i);
	}
	report("renew", SUBSCRIBERS, seconds() - t);

	t = seconds();
	for (i = 0; i < SUBSCRIBERS; i++) {
		q = req(i, 2, 60);
		if (alloc_request(a, &q, &d, err, sizeof(err)) || d.result != ALLOC_NOT_AUTHORIZED)
			fail_msg("foreign nonce %u", i);
	}
	report("refuse (other nonce)", SUBSCRIBERS, seconds() - t);

	t = seconds();
	if (alloc_check(a, err, sizeof(err)))
		fail_msg("%s", err);
	report("alloc_check (full scan)", 1, seconds() - t);

	t = seconds();
	for (i = 0; i < SUBSCRIBERS; i += 2) {
		q = req(i, 1, 120);
		q.lifetime = 0;
		if (alloc_request(a, &q, &d, err, sizeof(err)) || d.action != ALLOC_DELETED)
			fail_msg("delete %u", i);
	}
	report("delete", SUBSCRIBERS / 2, seconds() - t);

	/* Renewed at 60 for 3600 s; +120 s of reuse hold, so this one run
	 * reports every expiry and then releases every block. */
	t = seconds();
	while (alloc_expire_next(a, 60 + 3600 + 120, &expired))
		n_expired++;
	report("expire + release", n_expired, seconds() - t);
	assert_int_equal(n_expired, SUBSCRIBERS / 2);
	alloc_get_stats(a, &st);
	assert_int_equal(st.grants, 0);
	assert_int_equal(st.held, 0);
	assert_int_equal(st.addresses_empty, 4096);
	alloc_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_throughput),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
