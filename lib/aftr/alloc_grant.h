/* SPDX-License-Identifier: GPL-2.0 */
/* One PCP port-set grant of the lwAFTR: the record the allocator hands out,
 * the store keeps durable and pcpd turns into a binding-entry (RFC 7596 §6.1,
 * RFC 8676 binding table).
 *
 * A grant is always one contiguous, power-of-two, aligned block with
 * psid-offset 0 (design.md "Maps"; standards.md §4.4 item 6, PCPS-9): with
 * psid-len k and m = 16 - k the block is [psid·2^m, psid·2^m + 2^m - 1].
 * Kept free of allocator internals so that a store engine depends on this
 * header alone. */
#ifndef LW4O6_PCPD_ALLOC_GRANT_H
#define LW4O6_PCPD_ALLOC_GRANT_H

#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/types.h>
#include "setup.h"

#define ALLOC_NONCE_LEN 12 /* PCP Mapping Nonce, RFC 6887 §11.1 */

struct alloc_grant {
	struct in6_addr b4;     /* binding-ipv6info: the request's outer IPv6 source */
	struct in6_addr br;     /* br-ipv6-addr: the outer destination it was sent to */
	uint64_t expires_at;    /* absolute, seconds on the caller's clock */
	__be32 ipv4;            /* binding-ipv4-addr, network order */
	uint16_t psid;          /* numeric, right-aligned (standards.md §3.3) */
	uint16_t internal_port; /* MAP Internal Port: with b4 it names the mapping */
	uint8_t psid_len;       /* k, 0..16; 0 = the whole address */
	uint8_t reserved[3];    /* zero */
	uint8_t nonce[ALLOC_NONCE_LEN];
};

/* No implicit padding, so grants compare with memcmp. */
_Static_assert(sizeof(struct alloc_grant) == 64, "alloc_grant has padding");

/* Ports in the block: 2^(16-k). 65536 for a whole address, which a PORT_SET
 * Port Set Size (16 bits, RFC 7753 §4) cannot express. */
static inline uint32_t alloc_grant_size(const struct alloc_grant *g)
{
	return 1u << (16u - g->psid_len);
}

/* First port = Assigned External Port = PORT_SET First Internal Port
 * (identity mapping, RFC 7753 §5.2 and PCPS-8). */
static inline uint16_t alloc_grant_first_port(const struct alloc_grant *g)
{
	return (uint16_t)((uint32_t)g->psid << (16u - g->psid_len));
}

/* The binding-entry this grant installs (AFTR-BT-1): psid-offset is 0 for
 * every PCP grant. */
static inline void alloc_grant_to_softwire(const struct alloc_grant *g, struct lw_softwire_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->ipv4 = g->ipv4;
	e->ps.psid_offset = 0;
	e->ps.psid_len = g->psid_len;
	e->psid = g->psid;
	e->b4_ipv6 = g->b4;
	e->br_ipv6 = g->br;
}

#endif
