/* SPDX-License-Identifier: GPL-2.0 */
/* Allocator internals shared by the alloc_*.c files; nothing outside
 * lib/aftr/alloc*.c includes this.
 *
 * Data structures (sized for 100,000+ subscribers, nothing scans all grants
 * per request):
 *  - addresses: one array over all pool addresses; each in-use address has a
 *    bitmap of its 2^k blocks (allocated on first grant, freed when empty)
 *    and sits in one list: empty, partial[k] (has a free block), or none
 *    (full). Taking a block is O(1) list work plus a find-first-zero.
 *  - subscribers: a chained hash keyed by the masked B4 address; each holds
 *    the short list of its grant records (at most quota live + a few held).
 *  - deadlines: a binary min-heap of every record (live: expiry, held: end of
 *    hold), so expiry is O(log n) per grant. */
#ifndef LW4O6_PCPD_ALLOC_PRIV_H
#define LW4O6_PCPD_ALLOC_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "alloc.h"

#define ALLOC_NIL            (-1)
#define ALLOC_MAX_PSID_LEN   16
#define ALLOC_HEAP_FIRST_CAP 64 /* records the deadline heap has room for at first */

/* One granted (live) or held block. */
struct alloc_rec {
	struct alloc_grant g;
	struct alloc_sub *sub;
	struct alloc_rec *sub_next;
	uint64_t deadline; /* live: g.expires_at; held: when the hold ends */
	size_t heap_idx;
	uint32_t addr_idx;
	bool held; /* freed, waiting out reuse_hold_seconds */
};

struct alloc_sub {
	struct in6_addr key; /* B4 address masked to subscriber_prefix_len */
	struct alloc_sub *hash_next;
	struct alloc_rec *recs;
	uint32_t n_live;
};

enum alloc_addr_list {
	ALLOC_LIST_NONE = 0, /* full */
	ALLOC_LIST_EMPTY,
	ALLOC_LIST_PARTIAL, /* partial[psid_len] */
};

struct alloc_addr {
	uint64_t *used;     /* 2^k bits, 1 = taken or never grantable; NULL when empty */
	uint64_t used_word; /* storage for `used` when k <= 6 */
	uint32_t ipv4;      /* host order */
	uint32_t n_blocks;  /* blocks owned (live + held) */
	uint32_t n_free;    /* grantable blocks left */
	uint32_t hint;      /* no free bit in words below this */
	int32_t prev, next; /* links in the list named by `list` */
	uint8_t psid_len;   /* meaningful while n_blocks > 0 */
	uint8_t list;       /* enum alloc_addr_list */
};

struct alloc_list {
	int32_t head, tail;
};

/* A pool after validation: a run of consecutive addresses. */
struct alloc_range {
	uint32_t first; /* host order */
	uint32_t count;
	uint32_t base; /* index of `first` in addrs */
};

struct alloc {
	struct alloc_config cfg; /* cfg.pools points at `ranges`-owned copy */
	struct alloc_pool *pools;
	struct alloc_range *ranges; /* sorted by first */
	size_t n_ranges;
	struct alloc_addr *addrs;
	size_t n_addrs;
	struct alloc_list empty;
	struct alloc_list partial[ALLOC_MAX_PSID_LEN + 1];
	size_t n_empty;

	struct alloc_sub **buckets;
	size_t n_buckets; /* power of two */
	size_t n_subs;

	struct alloc_rec **heap;
	size_t n_heap, cap_heap;
	size_t n_live, n_held;

	uint64_t generation; /* bumped by every change (alloc_undo) */
};

/* alloc_pool.c: IPv4 (host order) -> index in addrs, or -1. */
long alloc_addr_index(const struct alloc *a, uint32_t ipv4_host);

/* alloc_addr.c: addresses, bitmaps, lists. */
int alloc_addrs_init(struct alloc *a, char *err, size_t errlen);
void alloc_addrs_free(struct alloc *a);
bool alloc_addr_fits(const struct alloc_addr *ad, uint8_t k);
/* Bitmap storage for an empty address about to get its first k-block; done
 * before any change so that a failure leaves nothing to undo. */
int alloc_addr_prepare(struct alloc_addr *ad, uint8_t k, uint64_t **words);
void alloc_addr_discard_prepared(struct alloc_addr *ad, uint64_t *words);
/* Marks psid taken (activating an empty address with the prepared bitmap). */
void alloc_addr_take(struct alloc *a, uint32_t idx, uint8_t k, uint32_t psid, uint64_t *words);
/* Frees psid; front = put an address that became empty or partial at the
 * head of its list (undo restores the old order). */
void alloc_addr_release(struct alloc *a, uint32_t idx, uint32_t psid, bool front);
/* psid is a grantable k-block of this address and nobody has it. */
bool alloc_addr_psid_free(const struct alloc_addr *ad, uint8_t k, uint32_t psid);
/* Lowest free grantable psid, or -1. */
long alloc_addr_first_free(struct alloc_addr *ad);
/* Lowest free grantable psid in lo..hi (an in-use address, hi < 2^k), or -1. */
long alloc_addr_first_free_in(const struct alloc_addr *ad, uint32_t lo, uint32_t hi);
uint32_t alloc_grantable_blocks(uint8_t k);
bool alloc_addr_bit(const struct alloc_addr *ad, uint32_t psid);
/* alloc_check() for bitmaps, counts and lists. */
int alloc_addrs_check(const struct alloc *a, char *err, size_t errlen);

/* alloc_subs.c: subscriber hash. */
int alloc_subs_init(struct alloc *a);
void alloc_subs_free(struct alloc *a);
void alloc_subs_key(const struct alloc *a, const struct in6_addr *b4, struct in6_addr *key);
struct alloc_sub *alloc_subs_find(const struct alloc *a, const struct in6_addr *key);
void alloc_subs_insert(struct alloc *a, struct alloc_sub *s); /* may grow; never fails */
void alloc_subs_remove(struct alloc *a, struct alloc_sub *s);
/* The live record of (b4, internal port); a held one may exist beside it. */
struct alloc_rec *alloc_sub_find_live(const struct alloc_sub *s, const struct in6_addr *b4,
				      uint16_t internal_port);
void alloc_sub_link(struct alloc_sub *s, struct alloc_rec *r);
void alloc_sub_unlink(struct alloc_sub *s, struct alloc_rec *r);

/* alloc_heap.c: deadline min-heap. */
int alloc_heap_reserve(struct alloc *a, size_t n);
void alloc_heap_push(struct alloc *a, struct alloc_rec *r);
void alloc_heap_remove(struct alloc *a, struct alloc_rec *r);
void alloc_heap_update(struct alloc *a, struct alloc_rec *r); /* after deadline changed */

/* alloc.c: record life cycle shared by request, expiry and restore. */
void alloc_rec_destroy(struct alloc *a, struct alloc_rec *r, bool front);
void alloc_rec_hold(struct alloc *a, struct alloc_rec *r, uint64_t from);

#endif
