/* SPDX-License-Identifier: GPL-2.0 */
/* Named integers of the SQLite store: the epoch base and the clean-shutdown
 * marker that decide whether pcpd continues its PCP epoch or restarts it
 * (RFC 6887 §8.5, PCPS-16). */
#include <errno.h>
#include "errmsg.h"
#include "store_priv.h"

int store_get_state(struct store *s, const char *key, int64_t *value, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->get_state;
	int rc;

	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*value = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		return 0;
	}
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return lw_errf_code(-ENOENT, err, errlen, "%s: no state '%s'", s->path, key);
	}
	rc = store_fail(s, rc, "get state", err, errlen);
	sqlite3_reset(st);
	return rc;
}

int store_put_state(struct store *s, const char *key, int64_t value, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->put_state;

	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, value);
	return store_step_done(s, st, "put state", err, errlen);
}
