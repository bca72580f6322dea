/* SPDX-License-Identifier: GPL-2.0 */
/* The lwAFTR's port-set allocator: decides every PCP MAP + PORT_SET request
 * (RFC 6887 §11, RFC 7753 §4.2) against the pools, the block-size policy, the
 * per-subscriber quota and the existing grants.
 *
 * Pure and in memory: no I/O, no clock, no randomness — the caller passes
 * `now` (seconds) and a hash seed. pcpd wraps each decision in a store
 * transaction: alloc_request(), then the store write, and alloc_undo() when
 * that write fails, so that a grant is durable before SUCCESS is sent
 * (design.md "State and restarts", PCPS-11) and an error changes no state
 * (RFC 6887 §7.3, PCPS-4).
 *
 * Policy choices (the reasons are in the comments of alloc_request.c):
 *  - A grant is identity mapped, so its block lies within the internal
 *    ports the request names, [Internal Port, Internal Port + Port Set
 *    Size) (RFC 7753 §4.2 MUST NOT, PCPS-7): the largest aligned block
 *    inside, or NO_RESOURCES. Port 0 aside, so 65535 ports from port 1 (the
 *    lwB4's request) may get any block, a whole address too.
 *  - One psid-len per IPv4 address while it holds any block (PSID-4).
 *  - psid 0 is never granted unless the whole address is (PSID-5): a block
 *    never contains a port below 1024 unless its psid-len is 0.
 *  - Packing: an address is filled before an empty one is started, so that
 *    whole addresses stay free for other block sizes and for whole-address
 *    grants.
 *  - A freed block is held back for reuse_hold_seconds before another
 *    subscriber may get it (RFC 6887 §15: freed external ports SHOULD NOT be
 *    re-used at once except by the same client), but the same client gets
 *    it back at once, and so does the same subscriber asking for that size.
 *    Holds live in memory only: a restart forgets them. */
#ifndef LW4O6_PCPD_ALLOC_H
#define LW4O6_PCPD_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <linux/types.h>
#include "alloc_grant.h"

/* RFC 6887 §7.4 result codes the allocator can decide; the other codes are
 * the PCP codec's (MALFORMED_*, UNSUPP_*, ADDRESS_MISMATCH). */
enum alloc_result {
	ALLOC_SUCCESS = 0,
	ALLOC_NOT_AUTHORIZED = 2,
	ALLOC_NO_RESOURCES = 8,
	ALLOC_USER_EX_QUOTA = 10,
};

/* What a SUCCESS decision did to the grant table, i.e. what pcpd must do to
 * the store and the binding table. */
enum alloc_action {
	ALLOC_NONE = 0, /* nothing changed (errors, deleting an absent mapping) */
	ALLOC_CREATED,  /* new grant: store put, binding add */
	ALLOC_RENEWED,  /* same block, new expiry (and BR): store put, binding update */
	ALLOC_DELETED,  /* lifetime 0: store delete, binding delete */
};

struct alloc_pool {
	__be32 prefix;      /* network order, host bits zero */
	uint8_t prefix_len; /* 0..32 */
};

#define ALLOC_MAX_ADDRESSES (1u << 20) /* = LW_DEFAULT_MAX_IPV4 of the maps */
#define ALLOC_MAX_QUOTA     1024u

struct alloc_config {
	const struct alloc_pool *pools; /* copied by alloc_new */
	size_t n_pools;
	/* Block sizes in ports, powers of two, 1..65536; 65536 = a whole
	 * address. min <= default <= max. */
	uint32_t default_block_size;        /* for Port Set Size 65535 ("as many as
					  * you will give", RFC 7753 §4.1) */
	uint32_t min_block_size;            /* smallest block handed out at all */
	uint32_t max_block_size;            /* cap on an explicit Port Set Size */
	uint32_t max_grants_per_subscriber; /* 1..ALLOC_MAX_QUOTA (RFC 7785 §4, AFTR-BT-5) */
	uint8_t subscriber_prefix_len;      /* 0..128: B4 address mask (PCPS-10) */
	uint32_t min_lifetime;              /* >= 120 s (RFC 6887 §15, PCPS-12) */
	uint32_t max_lifetime;              /* <= 86400 s */
	uint32_t short_error_lifetime;      /* NO_RESOURCES, USER_EX_QUOTA: the allocator's
					  * errors are all short ones (RFC 6887 §7.4) */
	uint32_t reuse_hold_seconds;        /* RFC 6887 §15 reuse time; 0 = none */
	uint64_t hash_seed;                 /* pcpd: random; tests: fixed */
};

/* Defaults: no pools; blocks 2048 (min 1024, max 2048); 1 grant per
 * subscriber, /128; lifetimes 120..86400 s; errors 30 s; hold 120 s;
 * seed 0. */
void alloc_config_init(struct alloc_config *c);

/* Checks a configuration without building anything: -EINVAL with the reason
 * in err. */
int alloc_config_validate(const struct alloc_config *c, char *err, size_t errlen);

struct alloc;

/* Returns NULL with the reason in err (invalid configuration or no memory). */
struct alloc *alloc_new(const struct alloc_config *c, char *err, size_t errlen);
void alloc_free(struct alloc *a);

struct alloc_request {
	struct in6_addr b4; /* outer IPv6 source: the subscriber (PCPS-10) */
	struct in6_addr br; /* outer IPv6 destination: recorded, not decided on */
	uint8_t nonce[ALLOC_NONCE_LEN];
	uint8_t protocol;        /* 0 = all; a lw4o6 block serves every
				    * port-aware protocol, so this does not
				    * select another mapping (PCPS-19) */
	uint16_t internal_port;  /* with b4, names the mapping (RFC 6887 §11.3) */
	uint32_t lifetime;       /* requested; 0 = delete (RFC 7753 §4.4) */
	uint16_t port_set_size;  /* 1..65535; 65535 = as many as policy gives;
				    * with internal_port the internal range the
				    * block must lie in (RFC 7753 §4.2) */
	__be32 suggested_ipv4;   /* 0 = no suggestion */
	uint16_t suggested_port; /* 0 = no suggestion */
	uint64_t now;
};

/* Private to alloc_undo(). */
struct alloc_undo_info {
	void *rec;
	uint64_t generation;
	struct alloc_grant prev;
	uint64_t prev_deadline;
	bool fresh; /* the grant record did not exist before */
	bool prev_held;
};

struct alloc_decision {
	enum alloc_result result;
	enum alloc_action action;
	uint32_t lifetime;        /* the response's Lifetime: granted, 0 after a
				    * delete, or the error lifetime */
	struct alloc_grant grant; /* CREATED/RENEWED: the grant as it now is;
				    * DELETED: as it was; otherwise zero */
	const char *why;          /* one line for logs, a string literal */
	struct alloc_undo_info undo;
};

/* Decides one MAP request and applies the decision. Returns 0 with *d
 * filled in (errors such as NO_RESOURCES are decisions, not failures), or
 * -EINVAL (port_set_size 0) / -ENOMEM with the reason in err and no state
 * changed.
 *
 * Call alloc_expire_next(now) until false first: a grant past its expiry
 * that has not been taken out yet still counts as existing here. */
int alloc_request(struct alloc *a, const struct alloc_request *req, struct alloc_decision *d,
		  char *err, size_t errlen);

/* Reverts the decision alloc_request() just applied (for a store write that
 * failed). Only valid before any other call that changes the allocator:
 * -ESTALE otherwise, and nothing is changed. Decisions with action
 * ALLOC_NONE need no undo (returns 0). */
int alloc_undo(struct alloc *a, const struct alloc_decision *d);

/* Takes the earliest grant whose expiry is <= now out of the live ones (its
 * block is held back, RFC 6887 §15), copies it to *expired and returns
 * true: the caller deletes its binding and store row (AFTR-BT-2, PCPS-11).
 * Held blocks whose hold has passed are released on the way. false when no
 * grant has expired: call until then. */
bool alloc_expire_next(struct alloc *a, uint64_t now, struct alloc_grant *expired);

/* Earliest expiry or hold release, so that pcpd knows when to call
 * alloc_expire_next(); UINT64_MAX when there is none. */
uint64_t alloc_next_deadline(const struct alloc *a);

/* Re-inserts a grant read from the store at start-up. Refused with the
 * reason in err, and nothing changed, when:
 *   -EADDRNOTAVAIL  its IPv4 is in no pool (the pools changed);
 *   -EINVAL         psid-len > 16, psid >= 2^k, or the block holds ports
 *                   0..1023 without being the whole address (PSID-5);
 *   -EEXIST         it overlaps a block already granted, its address holds
 *                   blocks of another psid-len (PSID-4), or its (B4,
 *                   internal port) already has a grant;
 *   -ENOMEM.
 * The quota and the block-size bounds are not applied (they govern new
 * grants). An already-expired grant is accepted, and alloc_expire_next()
 * reports it, so pcpd removes it on the usual path. */
int alloc_restore(struct alloc *a, const struct alloc_grant *g, char *err, size_t errlen);

/* Calls fn for every live grant, in no particular order, until fn returns
 * non-zero; returns that value or 0. fn must not change the allocator. */
typedef int (*alloc_grant_fn)(const struct alloc_grant *g, void *ctx);
int alloc_foreach(const struct alloc *a, alloc_grant_fn fn, void *ctx);

/* The live grant of (b4, internal port), or NULL. */
const struct alloc_grant *alloc_find(const struct alloc *a, const struct in6_addr *b4,
				     uint16_t internal_port);

struct alloc_stats {
	size_t grants;          /* live */
	size_t held;            /* freed blocks still held back */
	size_t subscribers;     /* with a live or held grant */
	size_t addresses;       /* in the pools */
	size_t addresses_empty; /* no block at all: any psid-len possible */
	size_t free_blocks;     /* grantable now on addresses already in use */
};
void alloc_get_stats(const struct alloc *a, struct alloc_stats *st);

/* Verifies every internal invariant (bitmaps against grants, no two grants
 * on one block, one psid-len per address, no reserved ports, lists, heap,
 * subscriber counts). O(everything): for tests and debugging.
 * Returns 0 or -EUCLEAN with the first violation in err. */
int alloc_check(const struct alloc *a, char *err, size_t errlen);

/* Helpers shared with tests and pcpd. */
uint8_t alloc_block_psid_len(uint32_t block_size);     /* 2^m -> 16 - m */
uint32_t alloc_first_grantable_psid(uint8_t psid_len); /* PSID-5 */

#endif
