/* SPDX-License-Identifier: GPL-2.0 */
/* Durable state of pcpd --role b4: the grant the lwB4 holds (nonce of its
 * MAP, external address, port set, expiry), so that a restart renews the
 * same mapping (same nonce, suggesting the same address and port) instead
 * of asking for a new one. SQLite, WAL, synchronous=FULL: when
 * b4store_put() returns 0 the grant is on disk. Every function returns 0
 * or a negative errno with a message in err. */
#ifndef LW4O6_B4STORE_H
#define LW4O6_B4STORE_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "pcp_msg.h"

struct b4_grant {
	uint8_t nonce[PCP_NONCE_LEN];
	__be32 ipv4;          /* external address */
	uint32_t first, size; /* port set: first port, number of ports */
	int64_t expires_at;   /* wall clock, seconds */
};

struct b4store;

int b4store_open(const char *path, struct b4store **out, char *err, size_t errlen);
void b4store_close(struct b4store *s);
/* -ENOENT when no grant is stored. */
int b4store_get(struct b4store *s, struct b4_grant *g, char *err, size_t errlen);
/* Replaces the stored grant. */
int b4store_put(struct b4store *s, const struct b4_grant *g, char *err, size_t errlen);
int b4store_delete(struct b4store *s, char *err, size_t errlen);

#endif
