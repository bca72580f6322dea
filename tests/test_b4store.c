/* SPDX-License-Identifier: GPL-2.0 */
/* pcpd --role b4's durable state (lib/b4/b4store.c): grants by slot,
 * LAN mappings by identity, the LAN epoch base; each survives a reopen;
 * the single-grant table of the first version becomes slot 0. */
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
#include <sqlite3.h>
#include "b4store.h"

static char dir[64], path[96], err[256];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/b4store.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/b4.db", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void test_grants_by_slot(void **state)
{
	struct b4store *s;
	struct b4_grant g0 = { .slot = 0, .first = 2048, .size = 1024, .expires_at = 1234567890 };
	struct b4_grant g2 = { .slot = 2, .first = 8192, .size = 4096, .expires_at = 1234567999 };
	struct b4_grant got[8];
	size_t n = 99;

	memset(g0.nonce, 0xa5, sizeof(g0.nonce));
	memset(g2.nonce, 0x5a, sizeof(g2.nonce));
	g0.ipv4 = inet_addr("192.0.2.1");
	g2.ipv4 = inet_addr("192.0.2.2");

	assert_int_equal(b4store_open(path, &s, err, sizeof(err)), 0);
	assert_int_equal(b4store_grants(s, got, 8, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	assert_int_equal(b4store_put(s, &g2, err, sizeof(err)), 0);
	assert_int_equal(b4store_put(s, &g0, err, sizeof(err)), 0);
	g0.first = 4096; /* a changed grant replaces its slot's row */
	assert_int_equal(b4store_put(s, &g0, err, sizeof(err)), 0);
	b4store_close(s);

	assert_int_equal(b4store_open(path, &s, err, sizeof(err)), 0);
	assert_int_equal(b4store_grants(s, got, 8, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(got[0].slot, 0); /* ordered by slot */
	assert_memory_equal(got[0].nonce, g0.nonce, sizeof(g0.nonce));
	assert_int_equal(got[0].ipv4, g0.ipv4);
	assert_int_equal(got[0].first, 4096);
	assert_int_equal(got[0].size, 1024);
	assert_int_equal(got[0].expires_at, 1234567890);
	assert_int_equal(got[1].slot, 2);
	assert_memory_equal(got[1].nonce, g2.nonce, sizeof(g2.nonce));
	assert_int_equal(got[1].first, 8192);
	assert_int_equal(got[1].size, 4096);
	/* at most max rows */
	assert_int_equal(b4store_grants(s, got, 1, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(b4store_delete(s, 0, err, sizeof(err)), 0);
	assert_int_equal(b4store_delete(s, 5, err, sizeof(err)), 0); /* none: no error */
	assert_int_equal(b4store_grants(s, got, 8, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(got[0].slot, 2);
	b4store_close(s);
}

static void test_lan_mappings(void **state)
{
	struct b4store *s;
	struct b4_lan_mapping map = { .opcode = PCP_OP_MAP, .proto = 6, .int_port = 8080,
				      .ext_port = 4100, .expires_at = 1000 };
	struct b4_lan_mapping peer = map, *all = NULL;
	size_t n = 0;

	map.int_addr = inet_addr("192.168.1.10");
	map.ext_addr = inet_addr("192.0.2.1");
	memset(map.nonce, 1, sizeof(map.nonce));
	peer.opcode = PCP_OP_PEER;
	peer.int_addr = map.int_addr;
	peer.ext_addr = map.ext_addr;
	peer.peer_addr = inet_addr("198.51.100.2");
	peer.peer_port = 443;
	memset(peer.nonce, 2, sizeof(peer.nonce));

	assert_int_equal(b4store_open(path, &s, err, sizeof(err)), 0);
	assert_int_equal(b4store_lan_put(s, &map, err, sizeof(err)), 0);
	assert_int_equal(b4store_lan_put(s, &peer, err, sizeof(err)), 0);
	map.expires_at = 2000; /* same identity: replaced, not added */
	assert_int_equal(b4store_lan_put(s, &map, err, sizeof(err)), 0);
	b4store_close(s);

	assert_int_equal(b4store_open(path, &s, err, sizeof(err)), 0);
	assert_int_equal(b4store_lan_all(s, &all, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++) {
		const struct b4_lan_mapping *want = all[i].opcode == PCP_OP_MAP ? &map : &peer;

		assert_int_equal(all[i].proto, 6);
		assert_int_equal(all[i].int_addr, want->int_addr);
		assert_int_equal(all[i].int_port, 8080);
		assert_int_equal(all[i].ext_addr, want->ext_addr);
		assert_int_equal(all[i].ext_port, 4100);
		assert_int_equal(all[i].peer_addr, want->peer_addr);
		assert_int_equal(all[i].peer_port, want->peer_port);
		assert_int_equal(all[i].expires_at, want->expires_at);
		assert_memory_equal(all[i].nonce, want->nonce, PCP_NONCE_LEN);
	}
	free(all);
	assert_int_equal(b4store_lan_delete(s, &peer, err, sizeof(err)), 0);
	assert_int_equal(b4store_lan_all(s, &all, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(all[0].opcode, PCP_OP_MAP);
	free(all);
	assert_int_equal(b4store_lan_clear(s, err, sizeof(err)), 0);
	assert_int_equal(b4store_lan_all(s, &all, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	free(all);
	b4store_close(s);
}

static void test_epoch_base(void **state)
{
	struct b4store *s;
	int64_t base = 0;

	assert_int_equal(b4store_open(path, &s, err, sizeof(err)), 0);
	assert_int_equal(b4store_epoch_base(s, &base, err, sizeof(err)), -ENOENT);
	assert_int_equal(b4store_set_epoch_base(s, 1700000000, err, sizeof(err)), 0);
	b4store_close(s);
	assert_int_equal(b4store_open(path, &s, err, sizeof(err)), 0);
	assert_int_equal(b4store_epoch_base(s, &base, err, sizeof(err)), 0);
	assert_int_equal(base, 1700000000);
	b4store_close(s);
}

/* A database written by the single-grant version keeps its grant. */
static void test_migration(void **state)
{
	sqlite3 *db;
	struct b4store *s;
	struct b4_grant got[8];
	size_t n = 0;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE b4_grant (id INTEGER PRIMARY KEY CHECK (id = 1),"
				      " nonce BLOB NOT NULL, ipv4 INTEGER NOT NULL, first INTEGER NOT NULL,"
				      " size INTEGER NOT NULL, expires_at INTEGER NOT NULL);"
				      "INSERT INTO b4_grant VALUES (1, x'0102030405060708090a0b0c', 16908480,"
				      " 3072, 1024, 1999999999);", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(b4store_open(path, &s, err, sizeof(err)), 0);
	assert_int_equal(b4store_grants(s, got, 8, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(got[0].slot, 0);
	assert_int_equal(got[0].nonce[0], 1);
	assert_int_equal(got[0].nonce[11], 12);
	assert_int_equal(got[0].ipv4, 16908480);
	assert_int_equal(got[0].first, 3072);
	assert_int_equal(got[0].size, 1024);
	assert_int_equal(got[0].expires_at, 1999999999);
	b4store_close(s);
}

static void test_open_error(void **state)
{
	char e[256] = "";
	struct b4store *s;

	assert_int_equal(b4store_open("/nonexistent-dir/x/b4.db", &s, e, sizeof(e)), -EIO);
	assert_true(strlen(e) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_grants_by_slot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lan_mappings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_epoch_base, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migration, setup, teardown),
		cmocka_unit_test(test_open_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
