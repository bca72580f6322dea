/* SPDX-License-Identifier: GPL-2.0 */
/* Binary min-heap of grant records by deadline (expiry of a live grant, end
 * of hold of a held one), with each record's index kept in the record so a
 * renewal or delete re-sorts one entry in O(log n) instead of scanning. */
#include <errno.h>
#include <stdlib.h>
#include "alloc_priv.h"

int alloc_heap_reserve(struct alloc *a, size_t n)
{
	size_t cap = a->cap_heap ? a->cap_heap : ALLOC_HEAP_FIRST_CAP;
	struct alloc_rec **h;

	if (n <= a->cap_heap)
		return 0;
	while (cap < n)
		cap *= 2;
	h = realloc(a->heap, cap * sizeof(*h));
	if (!h)
		return -ENOMEM;
	a->heap = h;
	a->cap_heap = cap;
	return 0;
}

static void place(struct alloc *a, size_t i, struct alloc_rec *r)
{
	a->heap[i] = r;
	r->heap_idx = i;
}

static void sift_up(struct alloc *a, size_t i)
{
	struct alloc_rec *r = a->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (a->heap[parent]->deadline <= r->deadline)
			break;
		place(a, i, a->heap[parent]);
		i = parent;
	}
	place(a, i, r);
}

static void sift_down(struct alloc *a, size_t i)
{
	struct alloc_rec *r = a->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= a->n_heap)
			break;
		if (c + 1 < a->n_heap && a->heap[c + 1]->deadline < a->heap[c]->deadline)
			c++;
		if (r->deadline <= a->heap[c]->deadline)
			break;
		place(a, i, a->heap[c]);
		i = c;
	}
	place(a, i, r);
}

/* The caller reserved room with alloc_heap_reserve() before changing state. */
void alloc_heap_push(struct alloc *a, struct alloc_rec *r)
{
	place(a, a->n_heap++, r);
	sift_up(a, r->heap_idx);
}

void alloc_heap_remove(struct alloc *a, struct alloc_rec *r)
{
	size_t i = r->heap_idx;
	struct alloc_rec *last = a->heap[--a->n_heap];

	if (last == r)
		return;
	place(a, i, last);
	alloc_heap_update(a, last);
}

void alloc_heap_update(struct alloc *a, struct alloc_rec *r)
{
	sift_up(a, r->heap_idx);
	sift_down(a, r->heap_idx);
}
