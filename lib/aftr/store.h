/* SPDX-License-Identifier: GPL-2.0 */
/* Durable grant state of pcpd --role aftr (design.md "State and restarts").
 *
 * A small interface so that another engine (PostgreSQL, etcd: one binding
 * table for several lwAFTRs behind an anycast address) can replace the
 * embedded SQLite one. The SQLite engine runs in WAL mode with
 * synchronous=FULL: when store_put_grant() (outside a transaction) or
 * store_commit() returns 0 the change is on disk, so pcpd can send SUCCESS
 * (PCPS-11).
 *
 * Every function returns 0 or a negative errno with a message in err. The
 * codes store_open() returns tell pcpd what to do:
 *   -EUCLEAN   not a database, or corrupt: the state is lost — pcpd moves
 *              the file aside, starts empty, resets its epoch and sends
 *              ANNOUNCE (RFC 6887 §8.5, §14.1);
 *   -ENOTSUP   a pcpd store of a schema version this build does not know
 *              (a newer pcpd wrote it), or an SQLite database that is not
 *              a pcpd store: refuse to start, never overwrite it;
 *   -EBUSY     locked by another process;
 *   -EACCES, -EROFS, -ENOENT, -ENOSPC, -EIO, -ENOMEM: the environment. */
#ifndef LW4O6_PCPD_STORE_H
#define LW4O6_PCPD_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "alloc_grant.h"

#define STORE_SCHEMA_VERSION 1          /* PRAGMA user_version */
#define STORE_APPLICATION_ID 0x6c773436 /* PRAGMA application_id, "lw46" */

/* Keys for store_get_state()/store_put_state() that pcpd uses. */
#define STORE_STATE_EPOCH_BASE "epoch_base" /* clock value at which epoch 0 was */
#define STORE_STATE_CLEAN      "clean"      /* 1 after an orderly shutdown */

struct store;

/* Opens (creating when absent or empty) the store at path and checks it
 * (PRAGMA quick_check: O(size), once per start). */
int store_open(const char *path, struct store **out, char *err, size_t errlen);
void store_close(struct store *s);

/* Groups writes so that they become durable together (one fsync), or not at
 * all. Without a transaction each write commits on its own. */
int store_begin(struct store *s, char *err, size_t errlen);
int store_commit(struct store *s, char *err, size_t errlen);
int store_rollback(struct store *s, char *err, size_t errlen);

/* Inserts the grant, or replaces the row of the same block (ipv4, psid-len,
 * psid): a renewal. -EEXIST when another block already belongs to the same
 * (B4, internal port). */
int store_put_grant(struct store *s, const struct alloc_grant *g, char *err, size_t errlen);

/* Deletes the row of g's block if it is g's mapping (same B4 and internal
 * port); -ENOENT when there is no such row. */
int store_delete_grant(struct store *s, const struct alloc_grant *g, char *err, size_t errlen);

/* Calls fn for every stored grant, ordered by IPv4 then psid, until fn
 * returns non-zero; returns that value, 0, or an error (-EUCLEAN for a row
 * that cannot be a grant). fn must not write to the store. */
typedef int (*store_grant_fn)(const struct alloc_grant *g, void *ctx);
int store_list_grants(struct store *s, store_grant_fn fn, void *ctx, char *err, size_t errlen);

/* Small named integers (epoch base, clean-shutdown marker). get: -ENOENT
 * when the key was never put. */
int store_get_state(struct store *s, const char *key, int64_t *value, char *err, size_t errlen);
int store_put_state(struct store *s, const char *key, int64_t value, char *err, size_t errlen);

#endif
