/* SPDX-License-Identifier: GPL-2.0 */
/* lib/aftr/store*: the SQLite grant store. Round trip, upsert on renewal,
 * the database's own uniqueness checks, persistence across close/open,
 * WAL and the schema markers actually on disk, transactions (rollback
 * leaves nothing), and the distinct errors pcpd acts on: -ENOTSUP for an
 * unknown schema version or a foreign database, -EUCLEAN for garbage and
 * corruption. Every database is a mkstemp file under /tmp, removed after. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <sqlite3.h>
#include "store.h"

struct tmpdb {
	char path[64];
};

static void tmpdb_make(struct tmpdb *t)
{
	int fd;

	snprintf(t->path, sizeof(t->path), "/tmp/lw4o6-store-XXXXXX");
	fd = mkstemp(t->path);
	assert_true(fd >= 0);
	close(fd);
}

static void tmpdb_remove(struct tmpdb *t)
{
	char p[80];

	unlink(t->path);
	snprintf(p, sizeof(p), "%s-wal", t->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", t->path);
	unlink(p);
}

static struct store *open_ok(const char *path)
{
	struct store *s;
	char err[256];
	int rc = store_open(path, &s, err, sizeof(err));

	if (rc)
		fail_msg("store_open: %d %s", rc, err);
	return s;
}

static int open_fails(const char *path, const char *needle)
{
	struct store *s = (struct store *)1;
	char err[256] = "";
	int rc = store_open(path, &s, err, sizeof(err));

	assert_true(rc < 0);
	assert_null(s);
	if (!strstr(err, needle))
		fail_msg("message '%s' lacks '%s'", err, needle);
	return rc;
}

static struct alloc_grant grant(uint32_t ipv4, unsigned int k, unsigned int psid, unsigned int b4)
{
	struct alloc_grant g;
	unsigned int i;

	memset(&g, 0, sizeof(g));
	g.ipv4 = htonl(ipv4);
	g.psid_len = (uint8_t)k;
	g.psid = (uint16_t)psid;
	inet_pton(AF_INET6, "2001:db8:1::", &g.b4);
	g.b4.s6_addr[14] = (uint8_t)(b4 >> 8);
	g.b4.s6_addr[15] = (uint8_t)b4;
	inet_pton(AF_INET6, "2001:db8:ffff::1", &g.br);
	g.internal_port = 1;
	for (i = 0; i < ALLOC_NONCE_LEN; i++)
		g.nonce[i] = (uint8_t)(b4 * 13 + i);
	g.expires_at = 1700000000ull + b4;
	return g;
}

struct listed {
	struct alloc_grant g[16];
	size_t n;
};

static int collect(const struct alloc_grant *g, void *ctx)
{
	struct listed *l = ctx;

	assert_true(l->n < 16);
	l->g[l->n++] = *g;
	return 0;
}

static struct listed list(struct store *s)
{
	struct listed l = { .n = 0 };
	char err[256];
	int rc = store_list_grants(s, collect, &l, err, sizeof(err));

	if (rc)
		fail_msg("store_list_grants: %d %s", rc, err);
	return l;
}

static void put(struct store *s, const struct alloc_grant *g)
{
	char err[256];
	int rc = store_put_grant(s, g, err, sizeof(err));

	if (rc)
		fail_msg("store_put_grant: %d %s", rc, err);
}

/* Runs SQL on the file through a second connection, as an operator (or a
 * damaged disk) would. */
static void sql(const char *path, const char *stmt)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, stmt, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", stmt, sqlite3_errmsg(db));
	sqlite3_close(db);
}

static void sql_text(const char *path, const char *stmt, char *out, size_t len)
{
	sqlite3_stmt *st;
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, stmt, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void test_round_trip(void **state)
{
	struct alloc_grant a = grant(0xc0000205, 5, 13, 1), b = grant(0xc0000201, 5, 1, 2),
			   c = grant(0xc000020f, 0, 0, 3);
	struct tmpdb t;
	struct listed l;
	struct store *s;
	int64_t v = 0;
	char err[256];

	(void)state;
	tmpdb_make(&t);
	s = open_ok(t.path);
	l = list(s);
	assert_int_equal(l.n, 0);
	put(s, &a);
	put(s, &b);
	put(s, &c);
	l = list(s);
	assert_int_equal(l.n, 3);
	/* Ordered by IPv4, then psid; every field back bit for bit. */
	assert_memory_equal(&l.g[0], &b, sizeof(b));
	assert_memory_equal(&l.g[1], &a, sizeof(a));
	assert_memory_equal(&l.g[2], &c, sizeof(c));

	assert_int_equal(store_get_state(s, STORE_STATE_EPOCH_BASE, &v, err, sizeof(err)), -ENOENT);
	assert_int_equal(store_put_state(s, STORE_STATE_EPOCH_BASE, 1700000123, err, sizeof(err)), 0);
	assert_int_equal(store_put_state(s, STORE_STATE_CLEAN, 0, err, sizeof(err)), 0);
	assert_int_equal(store_put_state(s, STORE_STATE_CLEAN, 1, err, sizeof(err)), 0);
	assert_int_equal(store_get_state(s, STORE_STATE_EPOCH_BASE, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 1700000123);
	assert_int_equal(store_get_state(s, STORE_STATE_CLEAN, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 1);
	store_close(s);
	tmpdb_remove(&t);
}

/* Renewal = same block, new row contents; the database refuses a second
 * block for one (B4, internal port); delete removes only that mapping. */
static void test_upsert_unique_delete(void **state)
{
	struct alloc_grant a = grant(0xc0000205, 5, 13, 1), moved, other;
	struct tmpdb t;
	struct listed l;
	struct store *s;
	char err[256] = "";

	(void)state;
	tmpdb_make(&t);
	s = open_ok(t.path);
	put(s, &a);
	a.expires_at += 7200;
	a.br.s6_addr[15] = 2;
	put(s, &a);
	l = list(s);
	assert_int_equal(l.n, 1);
	assert_memory_equal(&l.g[0], &a, sizeof(a));

	moved = a;
	moved.psid = 14;
	assert_int_equal(store_put_grant(s, &moved, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "UNIQUE constraint failed"));

	/* Same block, another B4: not its row to delete. */
	other = grant(0xc0000205, 5, 13, 9);
	assert_int_equal(store_delete_grant(s, &other, err, sizeof(err)), -ENOENT);
	assert_int_equal(list(s).n, 1);
	assert_int_equal(store_delete_grant(s, &a, err, sizeof(err)), 0);
	assert_int_equal(list(s).n, 0);
	assert_int_equal(store_delete_grant(s, &a, err, sizeof(err)), -ENOENT);
	store_close(s);
	tmpdb_remove(&t);
}

/* Durable across close/open, and what is on disk says WAL, schema 1 and
 * the pcpd application id. */
static void test_persistence_and_wal(void **state)
{
	struct alloc_grant a = grant(0xc0000205, 5, 13, 1), b = grant(0xc0000206, 6, 40, 2);
	struct tmpdb t;
	struct listed l;
	struct store *s;
	struct stat st;
	char text[32], walpath[80];
	int64_t v = 0;
	char err[256];

	(void)state;
	tmpdb_make(&t);
	s = open_ok(t.path);
	put(s, &a);
	put(s, &b);
	assert_int_equal(store_put_state(s, STORE_STATE_EPOCH_BASE, 42, err, sizeof(err)), 0);
	/* While open, commits go to the write-ahead log. */
	snprintf(walpath, sizeof(walpath), "%s-wal", t.path);
	assert_int_equal(stat(walpath, &st), 0);
	assert_true(st.st_size > 0);
	sql_text(t.path, "PRAGMA journal_mode", text, sizeof(text));
	assert_string_equal(text, "wal");
	store_close(s);

	sql_text(t.path, "PRAGMA journal_mode", text, sizeof(text));
	assert_string_equal(text, "wal");
	sql_text(t.path, "PRAGMA user_version", text, sizeof(text));
	assert_string_equal(text, "1");
	sql_text(t.path, "PRAGMA application_id", text, sizeof(text));
	assert_string_equal(text, "1819751478"); /* 0x6c773436 */

	s = open_ok(t.path);
	l = list(s);
	assert_int_equal(l.n, 2);
	assert_memory_equal(&l.g[0], &a, sizeof(a));
	assert_memory_equal(&l.g[1], &b, sizeof(b));
	assert_int_equal(store_get_state(s, STORE_STATE_EPOCH_BASE, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 42);
	store_close(s);
	tmpdb_remove(&t);
}

static void test_transactions(void **state)
{
	struct alloc_grant a = grant(0xc0000205, 5, 13, 1), b = grant(0xc0000205, 5, 14, 2),
			   c = grant(0xc0000205, 5, 15, 3);
	struct tmpdb t;
	struct listed l;
	struct store *s;
	int64_t v = 0;
	char err[256];

	(void)state;
	tmpdb_make(&t);
	s = open_ok(t.path);
	assert_int_equal(store_commit(s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "commit without begin"));
	assert_int_equal(store_rollback(s, err, sizeof(err)), -EINVAL);
	put(s, &a);

	/* Rolled back: the puts, the delete and the state change all vanish. */
	assert_int_equal(store_begin(s, err, sizeof(err)), 0);
	put(s, &b);
	put(s, &c);
	assert_int_equal(store_delete_grant(s, &a, err, sizeof(err)), 0);
	assert_int_equal(store_put_state(s, STORE_STATE_CLEAN, 1, err, sizeof(err)), 0);
	assert_int_equal(list(s).n, 2); /* visible inside the transaction */
	assert_int_equal(store_rollback(s, err, sizeof(err)), 0);
	l = list(s);
	assert_int_equal(l.n, 1);
	assert_memory_equal(&l.g[0], &a, sizeof(a));
	assert_int_equal(store_get_state(s, STORE_STATE_CLEAN, &v, err, sizeof(err)), -ENOENT);

	/* Committed: both there, also after reopening. */
	assert_int_equal(store_begin(s, err, sizeof(err)), 0);
	put(s, &b);
	put(s, &c);
	assert_int_equal(store_commit(s, err, sizeof(err)), 0);
	store_close(s);
	s = open_ok(t.path);
	assert_int_equal(list(s).n, 3);

	/* Closing with a transaction open loses it. */
	assert_int_equal(store_begin(s, err, sizeof(err)), 0);
	assert_int_equal(store_delete_grant(s, &a, err, sizeof(err)), 0);
	store_close(s);
	s = open_ok(t.path);
	assert_int_equal(list(s).n, 3);
	store_close(s);
	tmpdb_remove(&t);
}

static void test_unknown_schema_version(void **state)
{
	struct tmpdb t;
	struct store *s;

	(void)state;
	tmpdb_make(&t);
	s = open_ok(t.path);
	store_close(s);
	sql(t.path, "PRAGMA user_version = 2");
	assert_int_equal(open_fails(t.path, "schema version 2, this pcpd knows version 1"), -ENOTSUP);
	/* Refused, not rewritten. */
	{
		char text[16];

		sql_text(t.path, "PRAGMA user_version", text, sizeof(text));
		assert_string_equal(text, "2");
	}
	tmpdb_remove(&t);
}

static void test_foreign_database(void **state)
{
	struct tmpdb t;
	char text[16];

	(void)state;
	tmpdb_make(&t);
	sql(t.path, "CREATE TABLE customers (name TEXT)");
	assert_int_equal(open_fails(t.path, "not a pcpd grant store"), -ENOTSUP);
	sql_text(t.path, "SELECT count(*) FROM sqlite_master WHERE name = 'grants'", text,
		 sizeof(text));
	assert_string_equal(text, "0");
	tmpdb_remove(&t);
}

static void write_file(const char *path, const void *data, size_t len, off_t at)
{
	int fd = open(path, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, data, len, at), (ssize_t)len);
	close(fd);
}

static void test_garbage_file(void **state)
{
	struct tmpdb t;
	char junk[4096];
	size_t i;

	(void)state;
	tmpdb_make(&t);
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 7 + 3);
	write_file(t.path, junk, sizeof(junk), 0);
	assert_int_equal(open_fails(t.path, "file is not a database"), -EUCLEAN);
	tmpdb_remove(&t);
}

/* A real store whose table pages were overwritten: opens fail with
 * -EUCLEAN (quick_check or the first read), not with a generic I/O error. */
static void test_corrupt_pages(void **state)
{
	struct tmpdb t;
	struct store *s;
	struct stat st;
	char junk[4096];
	unsigned int i;

	(void)state;
	tmpdb_make(&t);
	s = open_ok(t.path);
	for (i = 0; i < 400; i++) {
		struct alloc_grant g = grant(0xc0000200 + i / 31, 5, 1 + i % 31, i);

		put(s, &g);
	}
	store_close(s);
	assert_int_equal(stat(t.path, &st), 0);
	assert_true(st.st_size >= 4 * 4096);
	memset(junk, 0x5a, sizeof(junk));
	write_file(t.path, junk, sizeof(junk), 2 * 4096);
	write_file(t.path, junk, sizeof(junk), 3 * 4096);
	assert_int_equal(open_fails(t.path, t.path), -EUCLEAN);
	tmpdb_remove(&t);
}

/* A row no grant can have (written behind pcpd's back) is reported, not
 * turned into a half-initialised grant. */
static void test_bad_row(void **state)
{
	struct tmpdb t;
	struct store *s;
	char err[256] = "";
	struct listed l = { .n = 0 };

	(void)state;
	tmpdb_make(&t);
	s = open_ok(t.path);
	store_close(s);
	sql(t.path, "INSERT INTO grants VALUES (3221225985, 5, 1, x'20010db8', "
		    "x'20010db8000000000000000000000001', 1, x'000102030405060708090a0b', 1000)");
	s = open_ok(t.path);
	assert_int_equal(store_list_grants(s, collect, &l, err, sizeof(err)), -EUCLEAN);
	assert_non_null(strstr(err, "values no grant can have"));
	assert_int_equal(l.n, 0);
	store_close(s);
	tmpdb_remove(&t);
}

static void test_missing_directory(void **state)
{
	(void)state;
	assert_int_equal(open_fails("/tmp/lw4o6-no-such-dir-4f1a/grants.db", "unable to open"),
			 -ENOENT);
}

static int stop_at_second(const struct alloc_grant *g, void *ctx)
{
	return ++*(int *)ctx == 2 ? 77 : 0;
}

static void test_list_stops(void **state)
{
	struct alloc_grant a = grant(0xc0000205, 5, 13, 1), b = grant(0xc0000205, 5, 14, 2),
			   c = grant(0xc0000205, 5, 15, 3);
	struct tmpdb t;
	struct store *s;
	char err[256];
	int seen = 0;

	(void)state;
	tmpdb_make(&t);
	s = open_ok(t.path);
	put(s, &a);
	put(s, &b);
	put(s, &c);
	assert_int_equal(store_list_grants(s, stop_at_second, &seen, err, sizeof(err)), 77);
	assert_int_equal(seen, 2);
	/* The statement was reset: listing again starts from the top. */
	assert_int_equal(list(s).n, 3);
	store_close(s);
	tmpdb_remove(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_upsert_unique_delete),
		cmocka_unit_test(test_persistence_and_wal),
		cmocka_unit_test(test_transactions),
		cmocka_unit_test(test_unknown_schema_version),
		cmocka_unit_test(test_foreign_database),
		cmocka_unit_test(test_garbage_file),
		cmocka_unit_test(test_corrupt_pages),
		cmocka_unit_test(test_bad_row),
		cmocka_unit_test(test_missing_directory),
		cmocka_unit_test(test_list_stops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
