/* SPDX-License-Identifier: GPL-2.0 */
/* Grant rows of the SQLite store. */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include "errmsg.h"
#include "store_priv.h"

static void bind_block(sqlite3_stmt *st, const struct alloc_grant *g)
{
	sqlite3_bind_int64(st, 1, ntohl(g->ipv4));
	sqlite3_bind_int(st, 2, g->psid_len);
	sqlite3_bind_int(st, 3, g->psid);
}

int store_put_grant(struct store *s, const struct alloc_grant *g, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->put_grant;

	bind_block(st, g);
	sqlite3_bind_blob(st, 4, &g->b4, sizeof(g->b4), SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, &g->br, sizeof(g->br), SQLITE_STATIC);
	sqlite3_bind_int(st, 6, g->internal_port);
	sqlite3_bind_blob(st, 7, g->nonce, ALLOC_NONCE_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)g->expires_at);
	return store_step_done(s, st, "put grant", err, errlen);
}

int store_delete_grant(struct store *s, const struct alloc_grant *g, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->delete_grant;
	int rc;

	bind_block(st, g);
	sqlite3_bind_blob(st, 4, &g->b4, sizeof(g->b4), SQLITE_STATIC);
	sqlite3_bind_int(st, 5, g->internal_port);
	rc = store_step_done(s, st, "delete grant", err, errlen);
	if (!rc && sqlite3_changes(s->db) == 0)
		return lw_errf_code(-ENOENT, err, errlen, "%s: no stored grant for psid %u/%u",
				    s->path, g->psid, g->psid_len);
	return rc;
}

/* Copies a fixed-size blob column; false if its size is not n. */
static bool column_blob(sqlite3_stmt *st, int col, void *out, size_t n)
{
	const void *p = sqlite3_column_blob(st, col);

	if (!p || (size_t)sqlite3_column_bytes(st, col) != n)
		return false;
	memcpy(out, p, n);
	return true;
}

/* One row -> grant, refusing values no grant can have (the row was written
 * by something other than store_put_grant, or damaged). */
static bool row_to_grant(sqlite3_stmt *st, struct alloc_grant *g)
{
	sqlite3_int64 ipv4 = sqlite3_column_int64(st, 0), k = sqlite3_column_int64(st, 1);
	sqlite3_int64 psid = sqlite3_column_int64(st, 2), port = sqlite3_column_int64(st, 5);
	sqlite3_int64 exp = sqlite3_column_int64(st, 7);

	memset(g, 0, sizeof(*g));
	if (ipv4 < 0 || ipv4 > UINT32_MAX || k < 0 || k > 16 || psid < 0 || psid > UINT16_MAX ||
	    port < 0 || port > UINT16_MAX || exp < 0)
		return false;
	g->ipv4 = htonl((uint32_t)ipv4);
	g->psid_len = (uint8_t)k;
	g->psid = (uint16_t)psid;
	g->internal_port = (uint16_t)port;
	g->expires_at = (uint64_t)exp;
	return column_blob(st, 3, &g->b4, sizeof(g->b4)) &&
	       column_blob(st, 4, &g->br, sizeof(g->br)) &&
	       column_blob(st, 6, g->nonce, ALLOC_NONCE_LEN);
}

int store_list_grants(struct store *s, store_grant_fn fn, void *ctx, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->list_grants;
	struct alloc_grant g;
	int rc, ret = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!row_to_grant(st, &g)) {
			ret = lw_errf_code(-EUCLEAN, err, errlen,
					   "%s: a grants row holds values no grant can have",
					   s->path);
			break;
		}
		ret = fn(&g, ctx);
		if (ret)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = store_fail(s, rc, "list grants", err, errlen);
	sqlite3_reset(st);
	return ret;
}
