/* SPDX-License-Identifier: GPL-2.0 */
/* Per-address block bitmaps and the empty / partial[k] lists that make
 * "find an address with a free block of psid-len k" O(1).
 *
 * A bit is 1 for a block that is taken (live or held) or may never be
 * granted: psids below alloc_first_grantable_psid(k) (PSID-5) and, for
 * k < 6, the bits past 2^k in the single word. So "first free" is a plain
 * find-first-zero. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "alloc_pool.h"
#include "alloc_priv.h"
#include "errmsg.h"

uint8_t alloc_block_psid_len(uint32_t block_size)
{
	/* 2^m ports -> k = 16 - m; the caller passes a power of two <= 65536. */
	return (uint8_t)(16 - __builtin_ctz(block_size));
}

/* RFC 7596 §5.1 / standards.md §3.1: with psid-offset 0 the block of psid p
 * starts at p·2^m, so keeping 0..1023 out means p >= ceil(1024 / 2^m). A
 * whole address (k = 0) is the one exception (PSID-5). */
uint32_t alloc_first_grantable_psid(uint8_t k)
{
	uint32_t m = 16u - k;

	if (k == 0)
		return 0;
	return (1024u + (1u << m) - 1u) >> m;
}

uint32_t alloc_grantable_blocks(uint8_t k)
{
	return (1u << k) - alloc_first_grantable_psid(k);
}

static size_t n_words(uint8_t k)
{
	return k <= 6 ? 1 : (size_t)1 << (k - 6);
}

static uint64_t *words_of(struct alloc_addr *ad)
{
	return ad->psid_len <= 6 ? &ad->used_word : ad->used;
}

static const uint64_t *cwords_of(const struct alloc_addr *ad)
{
	return ad->psid_len <= 6 ? &ad->used_word : ad->used;
}

static struct alloc_list *list_of(struct alloc *a, const struct alloc_addr *ad)
{
	if (ad->list == ALLOC_LIST_EMPTY)
		return &a->empty;
	if (ad->list == ALLOC_LIST_PARTIAL)
		return &a->partial[ad->psid_len];
	return NULL;
}

static void list_unlink(struct alloc *a, uint32_t idx)
{
	struct alloc_addr *ad = &a->addrs[idx];
	struct alloc_list *l = list_of(a, ad);

	if (!l)
		return;
	if (ad->prev != ALLOC_NIL)
		a->addrs[ad->prev].next = ad->next;
	else
		l->head = ad->next;
	if (ad->next != ALLOC_NIL)
		a->addrs[ad->next].prev = ad->prev;
	else
		l->tail = ad->prev;
	ad->prev = ad->next = ALLOC_NIL;
	if (ad->list == ALLOC_LIST_EMPTY)
		a->n_empty--;
	ad->list = ALLOC_LIST_NONE;
}

static void list_add(struct alloc *a, uint32_t idx, uint8_t which, bool front)
{
	struct alloc_addr *ad = &a->addrs[idx];
	struct alloc_list *l;

	ad->list = which;
	l = list_of(a, ad);
	if (front) {
		ad->prev = ALLOC_NIL;
		ad->next = l->head;
		if (l->head != ALLOC_NIL)
			a->addrs[l->head].prev = (int32_t)idx;
		else
			l->tail = (int32_t)idx;
		l->head = (int32_t)idx;
	} else {
		ad->next = ALLOC_NIL;
		ad->prev = l->tail;
		if (l->tail != ALLOC_NIL)
			a->addrs[l->tail].next = (int32_t)idx;
		else
			l->head = (int32_t)idx;
		l->tail = (int32_t)idx;
	}
	if (which == ALLOC_LIST_EMPTY)
		a->n_empty++;
}

int alloc_addrs_init(struct alloc *a, char *err, size_t errlen)
{
	size_t i, k;

	a->n_addrs = a->n_ranges
			     ? a->ranges[a->n_ranges - 1].base + a->ranges[a->n_ranges - 1].count
			     : 0;
	a->addrs = calloc(a->n_addrs, sizeof(*a->addrs));
	if (!a->addrs)
		return lw_errf_code(-ENOMEM, err, errlen, "out of memory for %zu addresses",
				    a->n_addrs);
	a->empty.head = a->empty.tail = ALLOC_NIL;
	for (k = 0; k <= ALLOC_MAX_PSID_LEN; k++)
		a->partial[k].head = a->partial[k].tail = ALLOC_NIL;
	/* Ascending order, so that packing starts at the lowest address and the
	 * result is the same on every run (tests, and operators reading logs). */
	for (i = 0; i < a->n_ranges; i++) {
		const struct alloc_range *r = &a->ranges[i];
		uint32_t j;

		for (j = 0; j < r->count; j++) {
			a->addrs[r->base + j].ipv4 = r->first + j;
			list_add(a, r->base + j, ALLOC_LIST_EMPTY, false);
		}
	}
	return 0;
}

void alloc_addrs_free(struct alloc *a)
{
	size_t i;

	for (i = 0; i < a->n_addrs; i++)
		free(a->addrs[i].used);
	free(a->addrs);
	a->addrs = NULL;
	a->n_addrs = 0;
}

bool alloc_addr_fits(const struct alloc_addr *ad, uint8_t k)
{
	if (ad->n_blocks == 0)
		return alloc_grantable_blocks(k) > 0;
	return ad->psid_len == k && ad->n_free > 0;
}

int alloc_addr_prepare(struct alloc_addr *ad, uint8_t k, uint64_t **words)
{
	*words = NULL;
	if (ad->n_blocks > 0 || k <= 6)
		return 0;
	*words = calloc(n_words(k), sizeof(uint64_t));
	return *words ? 0 : -ENOMEM;
}

void alloc_addr_discard_prepared(struct alloc_addr *ad, uint64_t *words)
{
	free(words);
}

static void set_bit(uint64_t *w, uint32_t bit)
{
	w[bit / 64] |= 1ull << (bit % 64);
}

static void clear_bit(uint64_t *w, uint32_t bit)
{
	w[bit / 64] &= ~(1ull << (bit % 64));
}

static bool test_bit(const uint64_t *w, uint32_t bit)
{
	return (w[bit / 64] >> (bit % 64)) & 1u;
}

static void activate(struct alloc_addr *ad, uint8_t k, uint64_t *words)
{
	uint32_t first = alloc_first_grantable_psid(k), p;
	uint64_t *w;

	ad->psid_len = k;
	ad->used = k <= 6 ? NULL : words;
	ad->used_word = 0;
	w = words_of(ad);
	if (k < 6)
		ad->used_word = ~0ull << (1u << k); /* psids that do not exist */
	for (p = 0; p < first; p++)
		set_bit(w, p);
	ad->n_free = alloc_grantable_blocks(k);
	ad->hint = 0;
}

void alloc_addr_take(struct alloc *a, uint32_t idx, uint8_t k, uint32_t psid, uint64_t *words)
{
	struct alloc_addr *ad = &a->addrs[idx];

	if (ad->n_blocks == 0) {
		list_unlink(a, idx);
		activate(ad, k, words);
		/* Head of partial[k]: the next request of this size continues on
		 * the address just started (packing). */
		if (ad->n_free > 1)
			list_add(a, idx, ALLOC_LIST_PARTIAL, true);
	} else if (ad->n_free == 1) {
		list_unlink(a, idx); /* becomes full */
	}
	set_bit(words_of(ad), psid);
	ad->n_blocks++;
	ad->n_free--;
}

void alloc_addr_release(struct alloc *a, uint32_t idx, uint32_t psid, bool front)
{
	struct alloc_addr *ad = &a->addrs[idx];
	bool was_full = ad->n_free == 0;

	clear_bit(words_of(ad), psid);
	if (psid / 64 < ad->hint)
		ad->hint = psid / 64;
	ad->n_blocks--;
	ad->n_free++;
	if (ad->n_blocks == 0) {
		/* Empty again: its psid-len is free to change (PSID-4). To the back
		 * of the empty list by default, so a just-emptied address is the
		 * last to be started again. */
		list_unlink(a, idx);
		free(ad->used);
		ad->used = NULL;
		ad->used_word = 0;
		ad->n_free = 0;
		ad->psid_len = 0;
		list_add(a, idx, ALLOC_LIST_EMPTY, front);
	} else if (was_full) {
		/* Behind the address being filled now, so packing continues there. */
		list_add(a, idx, ALLOC_LIST_PARTIAL, front);
	}
}

bool alloc_addr_psid_free(const struct alloc_addr *ad, uint8_t k, uint32_t psid)
{
	if (psid >= (1u << k) || psid < alloc_first_grantable_psid(k))
		return false;
	if (ad->n_blocks == 0)
		return true;
	return ad->psid_len == k && !test_bit(cwords_of(ad), psid);
}

long alloc_addr_first_free(struct alloc_addr *ad)
{
	const uint64_t *w = words_of(ad);
	size_t i, n = n_words(ad->psid_len);

	for (i = ad->hint; i < n; i++) {
		if (w[i] != UINT64_MAX) {
			ad->hint = (uint32_t)i;
			return (long)(i * 64 + (size_t)__builtin_ctzll(~w[i]));
		}
	}
	ad->hint = (uint32_t)n;
	return -1;
}

long alloc_addr_first_free_in(const struct alloc_addr *ad, uint32_t lo, uint32_t hi)
{
	const uint64_t *w = cwords_of(ad);
	uint32_t from = lo > ad->hint * 64 ? lo : ad->hint * 64;

	for (uint32_t i = from / 64; i <= hi / 64; i++) {
		uint64_t free = ~w[i];

		if (i == from / 64)
			free &= ~0ull << (from % 64);
		if (i == hi / 64 && hi % 64 != 63)
			free &= (2ull << (hi % 64)) - 1;
		if (free)
			return (long)(i * 64 + (uint32_t)__builtin_ctzll(free));
	}
	return -1;
}

bool alloc_addr_bit(const struct alloc_addr *ad, uint32_t psid)
{
	return ad->n_blocks > 0 && psid < n_words(ad->psid_len) * 64 &&
	       test_bit(cwords_of(ad), psid);
}

static int check_list(const struct alloc *a, const struct alloc_list *l, uint8_t which, int k,
		      size_t *count, char *err, size_t errlen)
{
	int32_t i, prev = ALLOC_NIL;

	*count = 0;
	for (i = l->head; i != ALLOC_NIL; prev = i, i = a->addrs[i].next) {
		const struct alloc_addr *ad = &a->addrs[i];

		if (++*count > a->n_addrs)
			return lw_errf_code(-EUCLEAN, err, errlen, "address list has a cycle");
		if (ad->list != which || ad->prev != prev || (k >= 0 && ad->psid_len != k))
			return lw_errf_code(-EUCLEAN, err, errlen,
					    "address #%d is in the wrong list or badly linked", i);
	}
	if (l->tail != prev)
		return lw_errf_code(-EUCLEAN, err, errlen, "address list tail is wrong");
	return 0;
}

int alloc_addrs_check(const struct alloc *a, char *err, size_t errlen)
{
	size_t i, listed = 0, n, n_empty = 0, n_partial = 0;
	int k, rc;

	for (i = 0; i < a->n_addrs; i++) {
		const struct alloc_addr *ad = &a->addrs[i];
		uint32_t first, p, set = 0;
		size_t w;

		if (ad->n_blocks == 0) {
			if (ad->used || ad->list != ALLOC_LIST_EMPTY)
				return lw_errf_code(
					-EUCLEAN, err, errlen,
					"empty address #%zu has a bitmap or is not listed empty",
					i);
			n_empty++;
			continue;
		}
		first = alloc_first_grantable_psid(ad->psid_len);
		for (p = 0; p < first; p++)
			if (!test_bit(cwords_of(ad), p))
				return lw_errf_code(
					-EUCLEAN, err, errlen,
					"address #%zu: reserved psid %u is free (PSID-5)", i, p);
		for (p = first; p < (1u << ad->psid_len); p++)
			set += test_bit(cwords_of(ad), p);
		if (set != ad->n_blocks || ad->n_free != alloc_grantable_blocks(ad->psid_len) - set)
			return lw_errf_code(-EUCLEAN, err, errlen,
					    "address #%zu: %u bits set, n_blocks %u, n_free %u", i,
					    set, ad->n_blocks, ad->n_free);
		for (w = 0; w < ad->hint && w < n_words(ad->psid_len); w++)
			if (cwords_of(ad)[w] != UINT64_MAX)
				return lw_errf_code(-EUCLEAN, err, errlen,
						    "address #%zu: free bit below the hint", i);
		if (ad->list != (ad->n_free ? ALLOC_LIST_PARTIAL : ALLOC_LIST_NONE))
			return lw_errf_code(-EUCLEAN, err, errlen,
					    "address #%zu: in list %u with %u free blocks", i,
					    ad->list, ad->n_free);
		n_partial += ad->n_free > 0;
	}
	rc = check_list(a, &a->empty, ALLOC_LIST_EMPTY, -1, &n, err, errlen);
	if (rc)
		return rc;
	if (n != n_empty || n != a->n_empty)
		return lw_errf_code(-EUCLEAN, err, errlen,
				    "empty list holds %zu of %zu empty addresses", n, n_empty);
	for (k = 0; k <= ALLOC_MAX_PSID_LEN; k++) {
		rc = check_list(a, &a->partial[k], ALLOC_LIST_PARTIAL, k, &n, err, errlen);
		if (rc)
			return rc;
		listed += n;
	}
	if (listed != n_partial)
		return lw_errf_code(-EUCLEAN, err, errlen,
				    "partial lists hold %zu of %zu addresses", listed, n_partial);
	return 0;
}
