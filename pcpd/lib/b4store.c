// SPDX-License-Identifier: GPL-2.0
/* The lwB4's grant store (b4store.h): one row. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "b4store.h"
#include "errmsg.h"

struct b4store {
	sqlite3 *db;
};

static int fail(struct b4store *s, const char *what, char *err, size_t errlen)
{
	return lw_errf_code(-EIO, err, errlen, "%s: %s", what, sqlite3_errmsg(s->db));
}

int b4store_open(const char *path, struct b4store **out, char *err, size_t errlen)
{
	static const char schema[] =
		"PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
		"CREATE TABLE IF NOT EXISTS b4_grant (id INTEGER PRIMARY KEY CHECK (id = 1),"
		" nonce BLOB NOT NULL, ipv4 INTEGER NOT NULL, first INTEGER NOT NULL,"
		" size INTEGER NOT NULL, expires_at INTEGER NOT NULL);";
	struct b4store *s = calloc(1, sizeof(*s));
	char *msg = NULL;

	if (!s)
		return -ENOMEM;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(s->db, 2000) != SQLITE_OK) {
		lw_errf(err, errlen, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) : "out of memory");
		sqlite3_close(s->db);
		free(s);
		return -EIO;
	}
	if (sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
		lw_errf(err, errlen, "%s: %s", path, msg ? msg : "cannot create the schema");
		sqlite3_free(msg);
		sqlite3_close(s->db);
		free(s);
		return -EIO;
	}
	*out = s;
	return 0;
}

void b4store_close(struct b4store *s)
{
	if (!s)
		return;
	sqlite3_close(s->db);
	free(s);
}

int b4store_get(struct b4store *s, struct b4_grant *g, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int r;

	if (sqlite3_prepare_v2(s->db, "SELECT nonce, ipv4, first, size, expires_at FROM b4_grant "
			       "WHERE id = 1", -1, &st, NULL) != SQLITE_OK)
		return fail(s, "read grant", err, errlen);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		memset(g, 0, sizeof(*g));
		if (sqlite3_column_bytes(st, 0) != PCP_NONCE_LEN) {
			sqlite3_finalize(st);
			return lw_errf_code(-EUCLEAN, err, errlen, "stored grant has a bad nonce");
		}
		memcpy(g->nonce, sqlite3_column_blob(st, 0), PCP_NONCE_LEN);
		g->ipv4 = (__be32)sqlite3_column_int64(st, 1);
		g->first = (uint32_t)sqlite3_column_int64(st, 2);
		g->size = (uint32_t)sqlite3_column_int64(st, 3);
		g->expires_at = sqlite3_column_int64(st, 4);
		r = 0;
	} else if (r == SQLITE_DONE) {
		r = -ENOENT;
	} else {
		r = fail(s, "read grant", err, errlen);
	}
	sqlite3_finalize(st);
	return r;
}

int b4store_put(struct b4store *s, const struct b4_grant *g, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int r;

	if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO b4_grant (id, nonce, ipv4, first, size, "
			       "expires_at) VALUES (1, ?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
		return fail(s, "store grant", err, errlen);
	sqlite3_bind_blob(st, 1, g->nonce, PCP_NONCE_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)g->ipv4);
	sqlite3_bind_int64(st, 3, g->first);
	sqlite3_bind_int64(st, 4, g->size);
	sqlite3_bind_int64(st, 5, g->expires_at);
	r = sqlite3_step(st) == SQLITE_DONE ? 0 : fail(s, "store grant", err, errlen);
	sqlite3_finalize(st);
	return r;
}

int b4store_delete(struct b4store *s, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, "DELETE FROM b4_grant", NULL, NULL, &msg) != SQLITE_OK) {
		lw_errf_code(-EIO, err, errlen, "delete grant: %s", msg ? msg : "?");
		sqlite3_free(msg);
		return -EIO;
	}
	return 0;
}
