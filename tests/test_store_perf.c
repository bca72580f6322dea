/* SPDX-License-Identifier: GPL-2.0 */
/* How many grants per second the SQLite store makes durable on this
 * machine: each put committed on its own (one WAL fsync per grant, what
 * pcpd does before each SUCCESS), in transactions of 100, and all in one
 * transaction; then how fast a restart reads them back. Printed, not
 * asserted: the numbers depend on the disk under /tmp. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "store.h"

#define SINGLE 300u
#define BATCHED 20000u
#define PER_TXN 100u

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Grant number n: block n % 31 + 1 of address base + n / 31, B4
 * 2001:0:<base>::<n>. */
static struct alloc_grant grant(uint32_t base, unsigned int n)
{
	struct alloc_grant g;

	memset(&g, 0, sizeof(g));
	g.ipv4 = htonl(base + n / 31);
	g.psid_len = 5;
	g.psid = (uint16_t)(1 + n % 31);
	g.b4.s6_addr[0] = 0x20;
	g.b4.s6_addr[1] = 0x01;
	memcpy(&g.b4.s6_addr[4], &g.ipv4, 1);
	g.b4.s6_addr[12] = (uint8_t)(n >> 24);
	g.b4.s6_addr[13] = (uint8_t)(n >> 16);
	g.b4.s6_addr[14] = (uint8_t)(n >> 8);
	g.b4.s6_addr[15] = (uint8_t)n;
	g.br.s6_addr[0] = 0x20;
	g.internal_port = 1;
	memset(g.nonce, (int)n, sizeof(g.nonce));
	g.expires_at = 1700000000ull + n;
	return g;
}

static void put(struct store *s, const struct alloc_grant *g)
{
	char err[256];

	if (store_put_grant(s, g, err, sizeof(err)))
		fail_msg("%s", err);
}

static void txn(struct store *s, int (*op)(struct store *, char *, size_t))
{
	char err[256];

	if (op(s, err, sizeof(err)))
		fail_msg("%s", err);
}

static void report(const char *what, unsigned int n, double t)
{
	printf("store perf: %-34s %6u in %7.3f s = %9.0f grants/s\n", what, n, t, n / t);
}

static int count(const struct alloc_grant *g, void *ctx)
{
	(*(unsigned int *)ctx)++;
	return 0;
}

static void test_store_throughput(void **state)
{
	char path[] = "/tmp/lw4o6-store-perf-XXXXXX", p[64], err[256];
	unsigned int i, n = 0;
	struct store *s;
	double t;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	if (store_open(path, &s, err, sizeof(err)))
		fail_msg("%s", err);

	t = seconds();
	for (i = 0; i < SINGLE; i++) {
		struct alloc_grant g = grant(0x0a000000, i);

		put(s, &g);
	}
	report("durable, one commit per grant", SINGLE, seconds() - t);

	t = seconds();
	for (i = 0; i < BATCHED; i += PER_TXN) {
		unsigned int j;

		txn(s, store_begin);
		for (j = i; j < i + PER_TXN; j++) {
			struct alloc_grant g = grant(0x0b000000, j);

			put(s, &g);
		}
		txn(s, store_commit);
	}
	report("durable, 100 grants per commit", BATCHED, seconds() - t);

	t = seconds();
	txn(s, store_begin);
	for (i = 0; i < BATCHED; i++) {
		struct alloc_grant g = grant(0x0c000000, i);

		put(s, &g);
	}
	txn(s, store_commit);
	report("durable, all in one commit", BATCHED, seconds() - t);
	store_close(s);

	t = seconds();
	if (store_open(path, &s, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(store_list_grants(s, count, &n, err, sizeof(err)), 0);
	report("reopen (quick_check) + list", n, seconds() - t);
	assert_int_equal(n, SINGLE + 2 * BATCHED);
	store_close(s);

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_throughput),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
