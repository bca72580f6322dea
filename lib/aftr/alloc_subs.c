/* SPDX-License-Identifier: GPL-2.0 */
/* Subscribers: a chained hash keyed by the B4 address masked to the
 * subscriber prefix (PCPS-10, RFC 7785 §4), each with the short list of its
 * grant records.
 *
 * The keys come from packets, so the hash is seeded (cfg.hash_seed, random
 * in pcpd): without the seed a sender cannot aim many prefixes at one
 * bucket. The table doubles when it holds more subscribers than buckets. */
#include <stdlib.h>
#include <string.h>
#include "alloc_priv.h"

#define INITIAL_BUCKETS 64

static uint64_t mix(uint64_t h)
{
	/* MurmurHash3 fmix64: every input bit affects every output bit. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

static size_t bucket_of(const struct alloc *a, const struct in6_addr *key, size_t n_buckets)
{
	uint64_t hi, lo;

	memcpy(&hi, key->s6_addr, 8);
	memcpy(&lo, key->s6_addr + 8, 8);
	return (size_t)(mix(mix(hi ^ a->cfg.hash_seed) ^ lo) & (n_buckets - 1));
}

int alloc_subs_init(struct alloc *a)
{
	a->buckets = calloc(INITIAL_BUCKETS, sizeof(*a->buckets));
	if (!a->buckets)
		return -1;
	a->n_buckets = INITIAL_BUCKETS;
	a->n_subs = 0;
	return 0;
}

void alloc_subs_free(struct alloc *a)
{
	size_t i;

	for (i = 0; a->buckets && i < a->n_buckets; i++) {
		struct alloc_sub *s = a->buckets[i], *next;

		for (; s; s = next) {
			struct alloc_rec *r = s->recs, *rn;

			next = s->hash_next;
			for (; r; r = rn) {
				rn = r->sub_next;
				free(r);
			}
			free(s);
		}
	}
	free(a->buckets);
	a->buckets = NULL;
	a->n_buckets = 0;
	a->n_subs = 0;
}

void alloc_subs_key(const struct alloc *a, const struct in6_addr *b4, struct in6_addr *key)
{
	unsigned int len = a->cfg.subscriber_prefix_len, i;

	for (i = 0; i < 16; i++) {
		unsigned int bits = len >= 8 * (i + 1) ? 8 : (len > 8 * i ? len - 8 * i : 0);

		key->s6_addr[i] = b4->s6_addr[i] & (uint8_t)(0xff00u >> bits);
	}
}

struct alloc_sub *alloc_subs_find(const struct alloc *a, const struct in6_addr *key)
{
	struct alloc_sub *s = a->buckets[bucket_of(a, key, a->n_buckets)];

	for (; s; s = s->hash_next)
		if (memcmp(&s->key, key, sizeof(*key)) == 0)
			return s;
	return NULL;
}

/* Doubling is best effort: when it cannot get memory the table keeps its
 * size and only the chains grow, so an insert never fails. */
static void grow(struct alloc *a)
{
	size_t n = a->n_buckets * 2, i;
	struct alloc_sub **nb = calloc(n, sizeof(*nb));

	if (!nb)
		return;
	for (i = 0; i < a->n_buckets; i++) {
		struct alloc_sub *s = a->buckets[i], *next;

		for (; s; s = next) {
			size_t b = bucket_of(a, &s->key, n);

			next = s->hash_next;
			s->hash_next = nb[b];
			nb[b] = s;
		}
	}
	free(a->buckets);
	a->buckets = nb;
	a->n_buckets = n;
}

void alloc_subs_insert(struct alloc *a, struct alloc_sub *s)
{
	size_t b;

	if (a->n_subs >= a->n_buckets)
		grow(a);
	b = bucket_of(a, &s->key, a->n_buckets);
	s->hash_next = a->buckets[b];
	a->buckets[b] = s;
	a->n_subs++;
}

void alloc_subs_remove(struct alloc *a, struct alloc_sub *s)
{
	struct alloc_sub **pp = &a->buckets[bucket_of(a, &s->key, a->n_buckets)];

	for (; *pp; pp = &(*pp)->hash_next) {
		if (*pp == s) {
			*pp = s->hash_next;
			a->n_subs--;
			return;
		}
	}
}

struct alloc_rec *alloc_sub_find_live(const struct alloc_sub *s, const struct in6_addr *b4,
				      uint16_t internal_port)
{
	struct alloc_rec *r;

	for (r = s->recs; r; r = r->sub_next)
		if (!r->held && r->g.internal_port == internal_port &&
		    memcmp(&r->g.b4, b4, sizeof(*b4)) == 0)
			return r;
	return NULL;
}

void alloc_sub_link(struct alloc_sub *s, struct alloc_rec *r)
{
	r->sub = s;
	r->sub_next = s->recs;
	s->recs = r;
}

void alloc_sub_unlink(struct alloc_sub *s, struct alloc_rec *r)
{
	struct alloc_rec **pp;

	for (pp = &s->recs; *pp; pp = &(*pp)->sub_next) {
		if (*pp == r) {
			*pp = r->sub_next;
			r->sub_next = NULL;
			return;
		}
	}
}
