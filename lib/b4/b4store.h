/* SPDX-License-Identifier: GPL-2.0 */
/* Durable state of pcpd --role b4, in one SQLite file (WAL,
 * synchronous=FULL: when a put returns 0 the row is on disk):
 *
 *   grants       the port sets the lwB4 holds from the lwAFTR, one row per
 *                slot (slot i is the MAP of Internal Port i + 1): nonce,
 *                external address, set, expiry. A restart renews each with
 *                the same nonce instead of asking anew (PCPC-8).
 *   lan mappings what the lwB4's own PCP server granted to LAN hosts
 *                (PCPC-12): written before the SUCCESS leaves, so that a
 *                restart forgets no acknowledged mapping.
 *   epoch base   the LAN server's epoch origin (RFC 6887 §8.5): kept while
 *                the LAN mappings are, reset when they are lost.
 *
 * Every function returns 0 or a negative errno with a message in err. */
#ifndef LW4O6_B4STORE_H
#define LW4O6_B4STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "pcp_msg.h"

struct b4_grant {
	uint32_t slot; /* 0..LW_B4_POOL_MAX-1; Internal Port = slot + 1 */
	uint8_t nonce[PCP_NONCE_LEN];
	__be32 ipv4;          /* external address */
	uint32_t first, size; /* port set: first port, number of ports */
	int64_t expires_at;   /* wall clock, seconds */
};

/* One mapping served to a LAN host: MAP (peer zero) or PEER. Identity:
 * proto, internal endpoint, opcode, and for PEER the remote peer. */
struct b4_lan_mapping {
	uint8_t opcode; /* PCP_OP_MAP or PCP_OP_PEER */
	uint8_t proto;  /* IPPROTO_TCP or IPPROTO_UDP */
	uint8_t nonce[PCP_NONCE_LEN];
	__be32 int_addr;
	uint16_t int_port; /* host order */
	__be32 ext_addr;
	uint16_t ext_port;
	__be32 peer_addr; /* PEER: the remote peer; MAP: 0 */
	uint16_t peer_port;
	int64_t expires_at; /* wall clock, seconds */
};

struct b4store;

int b4store_open(const char *path, struct b4store **out, char *err, size_t errlen);
void b4store_close(struct b4store *s);

/* Every stored grant (at most max), by slot; *n receives their number. */
int b4store_grants(struct b4store *s, struct b4_grant *out, size_t max, size_t *n, char *err,
		   size_t errlen);
/* Inserts or replaces the grant of g->slot. */
int b4store_put(struct b4store *s, const struct b4_grant *g, char *err, size_t errlen);
/* Forgets the grant of a slot (no error when there is none). */
int b4store_delete(struct b4store *s, uint32_t slot, char *err, size_t errlen);

/* Every stored LAN mapping in a malloc'ed array (*out, free() it). */
int b4store_lan_all(struct b4store *s, struct b4_lan_mapping **out, size_t *n, char *err,
		    size_t errlen);
/* Inserts or replaces the mapping of the same identity. */
int b4store_lan_put(struct b4store *s, const struct b4_lan_mapping *m, char *err, size_t errlen);
/* Forgets the mapping of m's identity (no error when there is none). */
int b4store_lan_delete(struct b4store *s, const struct b4_lan_mapping *m, char *err, size_t errlen);
/* Forgets every LAN mapping (their port set left the pool). */
int b4store_lan_clear(struct b4store *s, char *err, size_t errlen);

/* The LAN server's epoch base; -ENOENT when none is stored. */
int b4store_epoch_base(struct b4store *s, int64_t *base, char *err, size_t errlen);
int b4store_set_epoch_base(struct b4store *s, int64_t base, char *err, size_t errlen);

#endif
