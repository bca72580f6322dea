/* SPDX-License-Identifier: GPL-2.0 */
/* alloc_check(): every invariant the allocator relies on, recomputed from
 * scratch. Slow on purpose (sorts all grants); tests call it after each
 * step of a random walk. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "alloc_priv.h"
#include "errmsg.h"

struct block_ref {
	uint32_t addr_idx;
	uint32_t psid;
};

static int by_block(const void *x, const void *y)
{
	const struct block_ref *a = x, *b = y;

	if (a->addr_idx != b->addr_idx)
		return a->addr_idx < b->addr_idx ? -1 : 1;
	return a->psid < b->psid ? -1 : a->psid > b->psid;
}

static int check_recs(const struct alloc *a, char *err, size_t errlen)
{
	struct block_ref *refs;
	size_t i, live = 0, held = 0;
	int rc = 0;

	refs = calloc(a->n_heap ? a->n_heap : 1, sizeof(*refs));
	if (!refs)
		return lw_errf_code(-ENOMEM, err, errlen, "out of memory checking");
	for (i = 0; i < a->n_heap && !rc; i++) {
		const struct alloc_rec *r = a->heap[i];
		const struct alloc_addr *ad = &a->addrs[r->addr_idx];

		if (r->heap_idx != i)
			rc = lw_errf_code(-EUCLEAN, err, errlen, "heap index %zu stored as %zu", i,
					  r->heap_idx);
		else if (i > 0 && a->heap[(i - 1) / 2]->deadline > r->deadline)
			rc = lw_errf_code(-EUCLEAN, err, errlen, "heap order broken at %zu", i);
		else if (r->addr_idx >= a->n_addrs || ntohl(r->g.ipv4) != ad->ipv4)
			rc = lw_errf_code(-EUCLEAN, err, errlen, "grant %zu: address mismatch", i);
		else if (ad->n_blocks == 0 || ad->psid_len != r->g.psid_len)
			rc = lw_errf_code(
				-EUCLEAN, err, errlen,
				"grant %zu: psid-len %u on an address of psid-len %u (PSID-4)", i,
				r->g.psid_len, ad->psid_len);
		else if (r->g.psid >= (1u << r->g.psid_len) ||
			 r->g.psid < alloc_first_grantable_psid(r->g.psid_len))
			rc = lw_errf_code(
				-EUCLEAN, err, errlen,
				"grant %zu: psid %u not grantable at psid-len %u (PSID-5)", i,
				r->g.psid, r->g.psid_len);
		else if (!alloc_addr_bit(ad, r->g.psid))
			rc = lw_errf_code(-EUCLEAN, err, errlen, "grant %zu: block not marked used",
					  i);
		else if (!r->held && r->deadline != r->g.expires_at)
			rc = lw_errf_code(-EUCLEAN, err, errlen, "grant %zu: deadline != expiry",
					  i);
		refs[i].addr_idx = r->addr_idx;
		refs[i].psid = r->g.psid;
		if (r->held)
			held++;
		else
			live++;
	}
	if (!rc && (live != a->n_live || held != a->n_held))
		rc = lw_errf_code(-EUCLEAN, err, errlen,
				  "counted %zu live / %zu held, recorded %zu / %zu", live, held,
				  a->n_live, a->n_held);
	if (!rc) {
		/* No two subscribers ever on one block: each block at most once. */
		qsort(refs, a->n_heap, sizeof(*refs), by_block);
		for (i = 1; i < a->n_heap && !rc; i++)
			if (by_block(&refs[i - 1], &refs[i]) == 0)
				rc = lw_errf_code(-EUCLEAN, err, errlen,
						  "block psid %u of address #%u granted twice",
						  refs[i].psid, refs[i].addr_idx);
	}
	if (!rc) {
		/* Bits set per address == records on it. */
		size_t j = 0;

		for (i = 0; i < a->n_addrs && !rc; i++) {
			size_t n = 0;

			for (; j < a->n_heap && refs[j].addr_idx == i; j++)
				n++;
			if (n != a->addrs[i].n_blocks)
				rc = lw_errf_code(-EUCLEAN, err, errlen,
						  "address #%zu: %zu grants, %u blocks recorded", i,
						  n, a->addrs[i].n_blocks);
		}
	}
	free(refs);
	return rc;
}

static int check_sub(const struct alloc *a, const struct alloc_sub *s, size_t bucket, size_t *recs,
		     char *err, size_t errlen)
{
	const struct alloc_rec *r, *o;
	struct in6_addr key;
	uint32_t live = 0;

	if (!s->recs)
		return lw_errf_code(-EUCLEAN, err, errlen, "subscriber without grants");
	for (r = s->recs; r; r = r->sub_next) {
		if (r->sub != s)
			return lw_errf_code(-EUCLEAN, err, errlen,
					    "grant linked to another subscriber");
		alloc_subs_key(a, &r->g.b4, &key);
		if (memcmp(&key, &s->key, sizeof(key)) != 0)
			return lw_errf_code(-EUCLEAN, err, errlen,
					    "grant B4 outside its subscriber prefix");
		if (r->held)
			continue;
		live++;
		for (o = r->sub_next; o; o = o->sub_next)
			if (!o->held && o->g.internal_port == r->g.internal_port &&
			    memcmp(&o->g.b4, &r->g.b4, sizeof(r->g.b4)) == 0)
				return lw_errf_code(-EUCLEAN, err, errlen,
						    "two live grants for one B4 and internal port");
	}
	for (r = s->recs; r; r = r->sub_next)
		(*recs)++;
	if (live != s->n_live)
		return lw_errf_code(-EUCLEAN, err, errlen,
				    "subscriber has %u live grants, recorded %u", live, s->n_live);
	if (alloc_subs_find(a, &s->key) != s)
		return lw_errf_code(-EUCLEAN, err, errlen, "subscriber in bucket %zu not findable",
				    bucket);
	return 0;
}

int alloc_check(const struct alloc *a, char *err, size_t errlen)
{
	size_t i, subs = 0, recs = 0;
	int rc;

	rc = alloc_addrs_check(a, err, errlen);
	if (!rc)
		rc = check_recs(a, err, errlen);
	for (i = 0; i < a->n_buckets && !rc; i++) {
		const struct alloc_sub *s;

		for (s = a->buckets[i]; s && !rc; s = s->hash_next) {
			subs++;
			rc = check_sub(a, s, i, &recs, err, errlen);
		}
	}
	if (!rc && (subs != a->n_subs || recs != a->n_heap))
		rc = lw_errf_code(-EUCLEAN, err, errlen,
				  "%zu subscribers / %zu grants in the hash, %zu / %zu recorded",
				  subs, recs, a->n_subs, a->n_heap);
	return rc;
}
