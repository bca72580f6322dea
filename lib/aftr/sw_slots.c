// SPDX-License-Identifier: GPL-2.0
/* Slot runs and numbered tables of the binding table (sw_slots.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sw_slots.h"

static int push(struct lw_sw_freelist *l, uint32_t base)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		uint32_t *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = base;
	return 0;
}

/* [lo, hi) as the largest aligned blocks that tile it. */
static int add_gap(struct lw_sw_slots *a, uint64_t lo, uint64_t hi)
{
	while (lo < hi) {
		unsigned k = LW_SW_MAX_ORDER;

		while (k && ((lo & ((1ull << k) - 1)) || lo + (1ull << k) > hi))
			k--;
		if (push(&a->free[k], (uint32_t)lo))
			return -ENOMEM;
		a->free_slots += 1ull << k;
		lo += 1ull << k;
	}
	return 0;
}

static int cmp_run(const void *x, const void *y)
{
	const struct lw_sw_run *a = x, *b = y;

	return a->base < b->base ? -1 : a->base > b->base;
}

static int cmp_desc(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a > b ? -1 : a < b;
}

void lw_sw_slots_release(struct lw_sw_slots *a)
{
	for (unsigned k = 0; k <= LW_SW_MAX_ORDER; k++)
		free(a->free[k].v);
	memset(a, 0, sizeof(*a));
}

int lw_sw_slots_reset(struct lw_sw_slots *a, uint32_t size, struct lw_sw_run *used, size_t n)
{
	uint64_t at = 0;

	for (unsigned k = 0; k <= LW_SW_MAX_ORDER; k++)
		a->free[k].n = 0;
	a->size = size;
	a->free_slots = 0;
	if (n)
		qsort(used, n, sizeof(*used), cmp_run);
	for (size_t i = 0; i < n; i++) {
		uint64_t len = 1ull << used[i].order;

		if (used[i].order > LW_SW_MAX_ORDER || (used[i].base & (len - 1)) ||
		    used[i].base < at || used[i].base + len > size)
			return -EINVAL;
		if (add_gap(a, at, used[i].base))
			return -ENOMEM;
		at = used[i].base + len;
	}
	if (add_gap(a, at, size))
		return -ENOMEM;
	/* lowest addresses first: the lists are popped from their end */
	for (unsigned k = 0; k <= LW_SW_MAX_ORDER; k++)
		if (a->free[k].n)
			qsort(a->free[k].v, a->free[k].n, sizeof(uint32_t), cmp_desc);
	return 0;
}

int lw_sw_slots_alloc(struct lw_sw_slots *a, unsigned order, uint32_t *base)
{
	unsigned k = order;
	uint32_t b;

	if (order > LW_SW_MAX_ORDER)
		return -EINVAL;
	while (k <= LW_SW_MAX_ORDER && !a->free[k].n)
		k++;
	if (k > LW_SW_MAX_ORDER)
		return -ENOSPC;
	b = a->free[k].v[--a->free[k].n];
	/* split down: the upper halves stay free, next to what is taken (on
	 * ENOMEM the block is lost until the next reset) */
	while (k > order) {
		k--;
		if (push(&a->free[k], b + (1u << k)))
			return -ENOMEM;
	}
	a->free_slots -= 1ull << order;
	*base = b;
	return 0;
}

int lw_sw_slots_free(struct lw_sw_slots *a, uint32_t base, unsigned order)
{
	if (order > LW_SW_MAX_ORDER || push(&a->free[order], base))
		return -ENOMEM;
	a->free_slots += 1ull << order;
	return 0;
}

int lw_ids_reset(struct lw_ids *ids, uint32_t n)
{
	free(ids->bits);
	memset(ids, 0, sizeof(*ids));
	ids->bits = calloc((n + 63) / 64 ? (n + 63) / 64 : 1, sizeof(uint64_t));
	if (!ids->bits)
		return -ENOMEM;
	ids->n = n;
	return 0;
}

void lw_ids_release(struct lw_ids *ids)
{
	free(ids->bits);
	memset(ids, 0, sizeof(*ids));
}

void lw_ids_take(struct lw_ids *ids, uint32_t id)
{
	if (id < ids->n && !(ids->bits[id / 64] & (1ull << (id % 64)))) {
		ids->bits[id / 64] |= 1ull << (id % 64);
		ids->used++;
	}
}

int lw_ids_alloc(struct lw_ids *ids, uint32_t *id)
{
	uint32_t words = (ids->n + 63) / 64;

	for (uint32_t i = 0; i < words; i++) {
		uint32_t w = (ids->hint + i) % words;
		uint64_t free_bits = ~ids->bits[w];

		if (w == words - 1 && ids->n % 64)
			free_bits &= (1ull << (ids->n % 64)) - 1;
		if (free_bits) {
			*id = w * 64 + (uint32_t)__builtin_ctzll(free_bits);
			lw_ids_take(ids, *id);
			ids->hint = w;
			return 0;
		}
	}
	return -ENOSPC;
}

void lw_ids_free(struct lw_ids *ids, uint32_t id)
{
	if (id < ids->n && (ids->bits[id / 64] & (1ull << (id % 64)))) {
		ids->bits[id / 64] &= ~(1ull << (id % 64));
		ids->used--;
	}
}
