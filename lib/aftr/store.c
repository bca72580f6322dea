/* SPDX-License-Identifier: GPL-2.0 */
/* SQLite store: open, schema, transactions, error mapping. Grant and state
 * rows are in store_grant.c and store_state.c. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "errmsg.h"
#include "store_priv.h"

/* A reader (an operator's sqlite3 shell) may hold a lock briefly. */
#define STORE_BUSY_TIMEOUT_MS 1000

/* Schema version 1. A block (ipv4, psid-len, psid) has one row, and a
 * mapping (b4, internal_port) one block: the database enforces the
 * allocator's invariants a second time. */
static const char schema_v1[] =
	"CREATE TABLE grants ("
	" ipv4 INTEGER NOT NULL," /* host order */
	" psid_len INTEGER NOT NULL,"
	" psid INTEGER NOT NULL,"
	" b4 BLOB NOT NULL," /* 16 bytes */
	" br BLOB NOT NULL," /* 16 bytes */
	" internal_port INTEGER NOT NULL,"
	" nonce BLOB NOT NULL," /* 12 bytes */
	" expires_at INTEGER NOT NULL,"
	" PRIMARY KEY (ipv4, psid_len, psid),"
	" UNIQUE (b4, internal_port)"
	") WITHOUT ROWID;"
	"CREATE TABLE state (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;";

int store_fail(struct store *s, int rc, const char *what, char *err, size_t errlen)
{
	const char *path = s && s->path ? s->path : "store";
	const char *msg = s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
	int code;

	switch (rc & 0xff) {
	case SQLITE_NOMEM: code = -ENOMEM; break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: code = -EBUSY; break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB: code = -EUCLEAN; break;
	case SQLITE_FULL: code = -ENOSPC; break;
	case SQLITE_READONLY: code = -EROFS; break;
	case SQLITE_PERM:
	case SQLITE_AUTH: code = -EACCES; break;
	case SQLITE_CONSTRAINT: code = -EEXIST; break;
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR: {
		int e = s && s->db ? sqlite3_system_errno(s->db) : 0;

		code = e > 0 ? -e : -EIO;
		break;
	}
	default: code = -EIO;
	}
	return lw_errf_code(code, err, errlen, "%s: %s: %s", path, what, msg);
}

int store_step_done(struct store *s, sqlite3_stmt *st, const char *what, char *err, size_t errlen)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE) {
		/* The message belongs to the failed step: take it before reset. */
		int ret = store_fail(s, rc, what, err, errlen);

		sqlite3_reset(st);
		return ret;
	}
	sqlite3_reset(st);
	return 0;
}

static int exec(struct store *s, const char *sql, const char *what, char *err, size_t errlen)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_fail(s, rc, what, err, errlen);
}

/* Prepares sql and steps to its first row: 0 with *st on that row (the
 * caller finalizes it), or the error with nothing left to finalize. */
static int first_row(struct store *s, const char *sql, sqlite3_stmt **st, char *err, size_t errlen)
{
	int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);

	if (rc != SQLITE_OK)
		return store_fail(s, rc, sql, err, errlen);
	rc = sqlite3_step(*st);
	if (rc != SQLITE_ROW) {
		int ret = store_fail(s, rc, sql, err, errlen);

		sqlite3_finalize(*st);
		return ret;
	}
	return 0;
}

/* A single-value PRAGMA or query. */
static int query_int(struct store *s, const char *sql, int64_t *out, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc = first_row(s, sql, &st, err, errlen);

	if (rc)
		return rc;
	*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return 0;
}

static int query_text(struct store *s, const char *sql, char *out, size_t outlen, char *err,
		      size_t errlen)
{
	const unsigned char *t;
	sqlite3_stmt *st;
	int rc = first_row(s, sql, &st, err, errlen);

	if (rc)
		return rc;
	t = sqlite3_column_text(st, 0);
	snprintf(out, outlen, "%s", t ? (const char *)t : "");
	sqlite3_finalize(st);
	return 0;
}

/* Decides what the file is before anything is written to it: a new store,
 * ours at a known version, or something we must not touch. */
static int check_identity(struct store *s, bool *fresh, char *err, size_t errlen)
{
	int64_t app_id, version, n_objects;
	int rc;

	/* The first read of the header: a file that is not SQLite fails here
	 * with SQLITE_NOTADB -> -EUCLEAN. */
	rc = query_int(s, "PRAGMA application_id", &app_id, err, errlen);
	if (!rc)
		rc = query_int(s, "PRAGMA user_version", &version, err, errlen);
	if (!rc)
		rc = query_int(s, "SELECT count(*) FROM sqlite_master", &n_objects, err, errlen);
	if (rc)
		return rc;
	*fresh = app_id == 0 && version == 0 && n_objects == 0;
	if (*fresh)
		return 0;
	if (app_id != STORE_APPLICATION_ID)
		return lw_errf_code(-ENOTSUP, err, errlen,
				    "%s: an SQLite database that is not a pcpd grant store "
				    "(application_id 0x%llx); refusing to change it",
				    s->path, (unsigned long long)app_id);
	if (version != STORE_SCHEMA_VERSION)
		return lw_errf_code(
			-ENOTSUP, err, errlen,
			"%s: grant store schema version %lld, this pcpd knows version %d; "
			"refusing to change it",
			s->path, (long long)version, STORE_SCHEMA_VERSION);
	return 0;
}

static int create_schema(struct store *s, char *err, size_t errlen)
{
	char sql[160];
	int rc;

	snprintf(sql, sizeof(sql), "PRAGMA application_id = %d; PRAGMA user_version = %d;",
		 STORE_APPLICATION_ID, STORE_SCHEMA_VERSION);
	rc = exec(s, "BEGIN IMMEDIATE", "begin schema", err, errlen);
	if (rc)
		return rc;
	rc = exec(s, schema_v1, "create schema", err, errlen);
	if (!rc)
		rc = exec(s, sql, "set schema version", err, errlen);
	if (!rc)
		return exec(s, "COMMIT", "commit schema", err, errlen);
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int set_durability(struct store *s, char *err, size_t errlen)
{
	char mode[16];
	int64_t sync;
	int rc;

	rc = query_text(s, "PRAGMA journal_mode = WAL", mode, sizeof(mode), err, errlen);
	if (rc)
		return rc;
	if (strcmp(mode, "wal") != 0)
		return lw_errf_code(-ENOTSUP, err, errlen,
				    "%s: cannot use WAL mode here (journal_mode stays '%s')",
				    s->path, mode);
	/* FULL: the WAL is fsync'd at every commit, so a committed grant
	 * survives a power cut, not only a crash (NORMAL would not). */
	rc = exec(s, "PRAGMA synchronous = FULL", "set synchronous", err, errlen);
	if (!rc)
		rc = query_int(s, "PRAGMA synchronous", &sync, err, errlen);
	if (!rc && sync != 2)
		rc = lw_errf_code(-EIO, err, errlen, "%s: synchronous is %lld, not FULL (2)",
				  s->path, (long long)sync);
	return rc;
}

static int quick_check(struct store *s, char *err, size_t errlen)
{
	char result[256], *nl;
	int rc = query_text(s, "PRAGMA quick_check(1)", result, sizeof(result), err, errlen);

	if (rc)
		return rc;
	/* SQLite's report spans lines; a log line should not. */
	while ((nl = strchr(result, '\n')))
		*nl = ' ';
	if (strcmp(result, "ok") != 0)
		return lw_errf_code(-EUCLEAN, err, errlen, "%s: corrupt: %s", s->path, result);
	return 0;
}

static int prepare(struct store *s, sqlite3_stmt **st, const char *sql, char *err, size_t errlen)
{
	int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);

	/* Our version number but not our tables: damaged, not foreign. */
	if (rc == SQLITE_ERROR)
		return lw_errf_code(-EUCLEAN, err, errlen, "%s: schema damaged: %s", s->path,
				    sqlite3_errmsg(s->db));
	return rc == SQLITE_OK ? 0 : store_fail(s, rc, "prepare", err, errlen);
}

static int prepare_all(struct store *s, char *err, size_t errlen)
{
	int rc;

	rc = prepare(
		s, &s->put_grant,
		"INSERT INTO grants (ipv4, psid_len, psid, b4, br, internal_port, nonce, expires_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
		" ON CONFLICT (ipv4, psid_len, psid) DO UPDATE SET b4 = excluded.b4,"
		" br = excluded.br, internal_port = excluded.internal_port,"
		" nonce = excluded.nonce, expires_at = excluded.expires_at",
		err, errlen);
	if (!rc)
		rc = prepare(s, &s->delete_grant,
			     "DELETE FROM grants WHERE ipv4 = ?1 AND psid_len = ?2 AND psid = ?3"
			     " AND b4 = ?4 AND internal_port = ?5",
			     err, errlen);
	if (!rc)
		rc = prepare(s, &s->list_grants,
			     "SELECT ipv4, psid_len, psid, b4, br, internal_port, nonce, expires_at"
			     " FROM grants ORDER BY ipv4, psid",
			     err, errlen);
	if (!rc)
		rc = prepare(s, &s->get_state, "SELECT value FROM state WHERE key = ?1", err,
			     errlen);
	if (!rc)
		rc = prepare(s, &s->put_state,
			     "INSERT INTO state (key, value) VALUES (?1, ?2)"
			     " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			     err, errlen);
	return rc;
}

int store_open(const char *path, struct store **out, char *err, size_t errlen)
{
	struct store *s;
	bool fresh = false;
	int rc;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(path))) {
		free(s);
		return lw_errf_code(-ENOMEM, err, errlen, "%s: out of memory", path);
	}
	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		rc = store_fail(s, rc, "open", err, errlen);
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
	rc = check_identity(s, &fresh, err, errlen);
	if (!rc)
		rc = set_durability(s, err, errlen);
	if (!rc && fresh)
		rc = create_schema(s, err, errlen);
	if (!rc && !fresh)
		rc = quick_check(s, err, errlen);
	if (!rc)
		rc = prepare_all(s, err, errlen);
	if (rc)
		goto fail;
	*out = s;
	return 0;
fail:
	store_close(s);
	return rc;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	sqlite3_finalize(s->put_grant);
	sqlite3_finalize(s->delete_grant);
	sqlite3_finalize(s->list_grants);
	sqlite3_finalize(s->get_state);
	sqlite3_finalize(s->put_state);
	/* Rolls back an open transaction; the last close checkpoints the WAL. */
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

int store_begin(struct store *s, char *err, size_t errlen)
{
	/* IMMEDIATE: take the write lock now, so a commit cannot fail on a
	 * lock it did not have. */
	return exec(s, "BEGIN IMMEDIATE", "begin", err, errlen);
}

int store_commit(struct store *s, char *err, size_t errlen)
{
	if (sqlite3_get_autocommit(s->db))
		return lw_errf(err, errlen, "%s: commit without begin", s->path);
	return exec(s, "COMMIT", "commit", err, errlen);
}

int store_rollback(struct store *s, char *err, size_t errlen)
{
	if (sqlite3_get_autocommit(s->db))
		return lw_errf(err, errlen, "%s: rollback without begin", s->path);
	return exec(s, "ROLLBACK", "rollback", err, errlen);
}
