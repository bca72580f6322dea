/* SPDX-License-Identifier: GPL-2.0 */
/* SQLite store internals shared by store*.c. */
#ifndef LW4O6_PCPD_STORE_PRIV_H
#define LW4O6_PCPD_STORE_PRIV_H

#include <sqlite3.h>
#include "store.h"

struct store {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *put_grant;
	sqlite3_stmt *delete_grant;
	sqlite3_stmt *list_grants;
	sqlite3_stmt *get_state;
	sqlite3_stmt *put_state;
};

/* SQLite result code -> negative errno (see store.h), with
 * "<path>: <what>: <sqlite message>" in err. */
int store_fail(struct store *s, int rc, const char *what, char *err, size_t errlen);

/* Runs one prepared statement that returns no rows, and resets it. */
int store_step_done(struct store *s, sqlite3_stmt *st, const char *what, char *err, size_t errlen);

#endif
