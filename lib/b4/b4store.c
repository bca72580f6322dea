// SPDX-License-Identifier: GPL-2.0
/* pcpd --role b4's durable state (b4store.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "b4store.h"
#include "errmsg.h"

/* How long a write waits for a reader (an operator's sqlite3 shell) to let go. */
#define B4STORE_BUSY_TIMEOUT_MS 2000

struct b4store {
	sqlite3 *db;
};

static int fail(struct b4store *s, const char *what, char *err, size_t errlen)
{
	return lw_errf_code(-EIO, err, errlen, "%s: %s", what, sqlite3_errmsg(s->db));
}

/* Runs a prepared statement that returns no rows, then finalizes it. */
static int step_done(struct b4store *s, sqlite3_stmt *st, const char *what, char *err,
		     size_t errlen)
{
	int r = sqlite3_step(st) == SQLITE_DONE ? 0 : fail(s, what, err, errlen);

	sqlite3_finalize(st);
	return r;
}

/* The single-grant table of the first pcpd --role b4 becomes slot 0. */
static const char schema[] =
	"PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	"CREATE TABLE IF NOT EXISTS b4_grants (slot INTEGER PRIMARY KEY,"
	" nonce BLOB NOT NULL, ipv4 INTEGER NOT NULL, first INTEGER NOT NULL,"
	" size INTEGER NOT NULL, expires_at INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS b4_grant (id INTEGER PRIMARY KEY, nonce BLOB, ipv4 INTEGER,"
	" first INTEGER, size INTEGER, expires_at INTEGER);"
	"INSERT OR IGNORE INTO b4_grants SELECT 0, nonce, ipv4, first, size, expires_at FROM b4_grant;"
	"DROP TABLE b4_grant;"
	"CREATE TABLE IF NOT EXISTS b4_lan (opcode INTEGER NOT NULL, proto INTEGER NOT NULL,"
	" int_addr INTEGER NOT NULL, int_port INTEGER NOT NULL, peer_addr INTEGER NOT NULL,"
	" peer_port INTEGER NOT NULL, nonce BLOB NOT NULL, ext_addr INTEGER NOT NULL,"
	" ext_port INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
	" PRIMARY KEY (opcode, proto, int_addr, int_port, peer_addr, peer_port));"
	"CREATE TABLE IF NOT EXISTS b4_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);";

int b4store_open(const char *path, struct b4store **out, char *err, size_t errlen)
{
	struct b4store *s = calloc(1, sizeof(*s));
	char *msg = NULL;

	if (!s)
		return -ENOMEM;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
		    SQLITE_OK ||
	    sqlite3_busy_timeout(s->db, B4STORE_BUSY_TIMEOUT_MS) != SQLITE_OK) {
		lw_errf(err, errlen, "%s: %s", path,
			s->db ? sqlite3_errmsg(s->db) : "out of memory");
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

int b4store_grants(struct b4store *s, struct b4_grant *out, size_t max, size_t *n, char *err,
		   size_t errlen)
{
	sqlite3_stmt *st;
	int r;

	*n = 0;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT slot, nonce, ipv4, first, size, expires_at FROM b4_grants "
			       "ORDER BY slot",
			       -1, &st, NULL) != SQLITE_OK)
		return fail(s, "read grants", err, errlen);
	while ((r = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		struct b4_grant *g = &out[*n];

		memset(g, 0, sizeof(*g));
		if (sqlite3_column_bytes(st, 1) != PCP_NONCE_LEN) {
			sqlite3_finalize(st);
			return lw_errf_code(-EUCLEAN, err, errlen,
					    "stored grant of slot %lld has a bad nonce",
					    (long long)sqlite3_column_int64(st, 0));
		}
		g->slot = (uint32_t)sqlite3_column_int64(st, 0);
		memcpy(g->nonce, sqlite3_column_blob(st, 1), PCP_NONCE_LEN);
		g->ipv4 = (__be32)sqlite3_column_int64(st, 2);
		g->first = (uint32_t)sqlite3_column_int64(st, 3);
		g->size = (uint32_t)sqlite3_column_int64(st, 4);
		g->expires_at = sqlite3_column_int64(st, 5);
		(*n)++;
	}
	r = (r == SQLITE_ROW || r == SQLITE_DONE) ? 0 : fail(s, "read grants", err, errlen);
	sqlite3_finalize(st);
	return r;
}

int b4store_put(struct b4store *s, const struct b4_grant *g, char *err, size_t errlen)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db,
			       "INSERT OR REPLACE INTO b4_grants (slot, nonce, ipv4, first, size, "
			       "expires_at) VALUES (?, ?, ?, ?, ?, ?)",
			       -1, &st, NULL) != SQLITE_OK)
		return fail(s, "store grant", err, errlen);
	sqlite3_bind_int64(st, 1, g->slot);
	sqlite3_bind_blob(st, 2, g->nonce, PCP_NONCE_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)g->ipv4);
	sqlite3_bind_int64(st, 4, g->first);
	sqlite3_bind_int64(st, 5, g->size);
	sqlite3_bind_int64(st, 6, g->expires_at);
	return step_done(s, st, "store grant", err, errlen);
}

int b4store_delete(struct b4store *s, uint32_t slot, char *err, size_t errlen)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db, "DELETE FROM b4_grants WHERE slot = ?", -1, &st, NULL) !=
	    SQLITE_OK)
		return fail(s, "delete grant", err, errlen);
	sqlite3_bind_int64(st, 1, slot);
	return step_done(s, st, "delete grant", err, errlen);
}

int b4store_lan_all(struct b4store *s, struct b4_lan_mapping **out, size_t *n, char *err,
		    size_t errlen)
{
	struct b4_lan_mapping *v = NULL;
	size_t cap = 0;
	sqlite3_stmt *st;
	int r;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT opcode, proto, int_addr, int_port, peer_addr, peer_port, "
			       "nonce, ext_addr, ext_port, expires_at FROM b4_lan",
			       -1, &st, NULL) != SQLITE_OK)
		return fail(s, "read LAN mappings", err, errlen);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		struct b4_lan_mapping *m;

		if (*n == cap) {
			void *p = realloc(v, (cap = cap ? 2 * cap : 16) * sizeof(*v));

			if (!p) {
				free(v);
				sqlite3_finalize(st);
				return -ENOMEM;
			}
			v = p;
		}
		m = &v[*n];
		memset(m, 0, sizeof(*m));
		if (sqlite3_column_bytes(st, 6) != PCP_NONCE_LEN)
			continue; /* a damaged row cannot be renewed: dropped */
		m->opcode = (uint8_t)sqlite3_column_int(st, 0);
		m->proto = (uint8_t)sqlite3_column_int(st, 1);
		m->int_addr = (__be32)sqlite3_column_int64(st, 2);
		m->int_port = (uint16_t)sqlite3_column_int(st, 3);
		m->peer_addr = (__be32)sqlite3_column_int64(st, 4);
		m->peer_port = (uint16_t)sqlite3_column_int(st, 5);
		memcpy(m->nonce, sqlite3_column_blob(st, 6), PCP_NONCE_LEN);
		m->ext_addr = (__be32)sqlite3_column_int64(st, 7);
		m->ext_port = (uint16_t)sqlite3_column_int(st, 8);
		m->expires_at = sqlite3_column_int64(st, 9);
		(*n)++;
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE) {
		free(v);
		*n = 0;
		return fail(s, "read LAN mappings", err, errlen);
	}
	*out = v;
	return 0;
}

static void bind_identity(sqlite3_stmt *st, const struct b4_lan_mapping *m)
{
	sqlite3_bind_int(st, 1, m->opcode);
	sqlite3_bind_int(st, 2, m->proto);
	sqlite3_bind_int64(st, 3, (int64_t)m->int_addr);
	sqlite3_bind_int(st, 4, m->int_port);
	sqlite3_bind_int64(st, 5, (int64_t)m->peer_addr);
	sqlite3_bind_int(st, 6, m->peer_port);
}

int b4store_lan_put(struct b4store *s, const struct b4_lan_mapping *m, char *err, size_t errlen)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db,
			       "INSERT OR REPLACE INTO b4_lan (opcode, proto, int_addr, int_port, "
			       "peer_addr, peer_port, nonce, ext_addr, ext_port, expires_at) "
			       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			       -1, &st, NULL) != SQLITE_OK)
		return fail(s, "store LAN mapping", err, errlen);
	bind_identity(st, m);
	sqlite3_bind_blob(st, 7, m->nonce, PCP_NONCE_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, (int64_t)m->ext_addr);
	sqlite3_bind_int(st, 9, m->ext_port);
	sqlite3_bind_int64(st, 10, m->expires_at);
	return step_done(s, st, "store LAN mapping", err, errlen);
}

int b4store_lan_delete(struct b4store *s, const struct b4_lan_mapping *m, char *err, size_t errlen)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db,
			       "DELETE FROM b4_lan WHERE opcode = ? AND proto = ? AND int_addr = ? "
			       "AND int_port = ? AND peer_addr = ? AND peer_port = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return fail(s, "delete LAN mapping", err, errlen);
	bind_identity(st, m);
	return step_done(s, st, "delete LAN mapping", err, errlen);
}

int b4store_lan_clear(struct b4store *s, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, "DELETE FROM b4_lan", NULL, NULL, &msg) != SQLITE_OK) {
		lw_errf_code(-EIO, err, errlen, "clear LAN mappings: %s", msg ? msg : "?");
		sqlite3_free(msg);
		return -EIO;
	}
	return 0;
}

int b4store_epoch_base(struct b4store *s, int64_t *base, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int r;

	if (sqlite3_prepare_v2(s->db, "SELECT value FROM b4_meta WHERE key = 'lan_epoch_base'", -1,
			       &st, NULL) != SQLITE_OK)
		return fail(s, "read epoch", err, errlen);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		*base = sqlite3_column_int64(st, 0);
		r = 0;
	} else {
		r = r == SQLITE_DONE ? -ENOENT : fail(s, "read epoch", err, errlen);
	}
	sqlite3_finalize(st);
	return r;
}

int b4store_set_epoch_base(struct b4store *s, int64_t base, char *err, size_t errlen)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db,
			       "INSERT OR REPLACE INTO b4_meta (key, value) "
			       "VALUES ('lan_epoch_base', ?)",
			       -1, &st, NULL) != SQLITE_OK)
		return fail(s, "store epoch", err, errlen);
	sqlite3_bind_int64(st, 1, base);
	return step_done(s, st, "store epoch", err, errlen);
}
