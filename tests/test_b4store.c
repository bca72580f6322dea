/* SPDX-License-Identifier: GPL-2.0 */
/* pcpd --role b4's grant store (pcpd/lib/b4store.c): empty, put, replace,
 * survive a reopen, delete. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "b4store.h"

static void test_roundtrip(void **state)
{
	char dir[] = "/tmp/b4store.XXXXXX", path[64], err[256];
	struct b4store *s;
	struct b4_grant g = { .first = 2048, .size = 1024, .expires_at = 1234567890 }, got;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/b4.db", dir);
	memset(g.nonce, 0xa5, sizeof(g.nonce));
	g.ipv4 = inet_addr("192.0.2.1");

	assert_int_equal(b4store_open(path, &s, err, sizeof(err)), 0);
	assert_int_equal(b4store_get(s, &got, err, sizeof(err)), -ENOENT);
	assert_int_equal(b4store_put(s, &g, err, sizeof(err)), 0);
	g.first = 4096; /* a changed grant replaces the row */
	assert_int_equal(b4store_put(s, &g, err, sizeof(err)), 0);
	b4store_close(s);

	assert_int_equal(b4store_open(path, &s, err, sizeof(err)), 0);
	assert_int_equal(b4store_get(s, &got, err, sizeof(err)), 0);
	assert_memory_equal(got.nonce, g.nonce, sizeof(g.nonce));
	assert_int_equal(got.ipv4, g.ipv4);
	assert_int_equal(got.first, 4096);
	assert_int_equal(got.size, 1024);
	assert_int_equal(got.expires_at, 1234567890);
	assert_int_equal(b4store_delete(s, err, sizeof(err)), 0);
	assert_int_equal(b4store_get(s, &got, err, sizeof(err)), -ENOENT);
	b4store_close(s);

	snprintf(err, sizeof(err), "rm -rf %s", dir);
	assert_int_equal(system(err), 0);
}

static void test_open_error(void **state)
{
	char err[256] = "";
	struct b4store *s;

	assert_int_equal(b4store_open("/nonexistent-dir/x/b4.db", &s, err, sizeof(err)), -EIO);
	assert_true(strlen(err) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_open_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
