/* SPDX-License-Identifier: GPL-2.0 */
/* The binding table's allocators, in user space (issue 11): runs of
 * 2^psid-len slots of the softwire slot space, one per address, aligned to
 * their size so that a run of up to 512 slots sits in one chunk; and the
 * numbers of the record blocks and l2 tables. Pure data structures: the
 * binding-table code (bind*.c) rebuilds them from the address records each
 * time a process starts writing, so nothing here is persistent. */
#ifndef LW4O6_SW_SLOTS_H
#define LW4O6_SW_SLOTS_H

#include <stddef.h>
#include <stdint.h>

#define LW_SW_MAX_ORDER 16 /* psid-len 16: a run of 65536 slots */

struct lw_sw_run {
	uint32_t base;
	uint8_t order;
};

struct lw_sw_freelist {
	uint32_t *v;
	size_t n, cap;
};

/* Free blocks per order, each aligned to its size. Freed runs are not
 * merged with their buddies (a process's frees are mostly reused at the
 * same order); lw_sw_slots_reset() coalesces everything, and the caller
 * resets from the records before it reports the space full. */
struct lw_sw_slots {
	uint32_t size; /* slots */
	uint64_t free_slots;
	struct lw_sw_freelist free[LW_SW_MAX_ORDER + 1];
};

/* Everything free but the runs used (any order; they must not overlap and
 * must lie within size): 0, -EINVAL (overlap, misaligned, outside) or
 * -ENOMEM. Sorts used. */
int lw_sw_slots_reset(struct lw_sw_slots *a, uint32_t size, struct lw_sw_run *used, size_t n);
void lw_sw_slots_release(struct lw_sw_slots *a);

/* A run of 2^order slots: 0 with *base, -ENOSPC or -ENOMEM. Prefers the
 * smallest free block, so that runs pack into few chunks. */
int lw_sw_slots_alloc(struct lw_sw_slots *a, unsigned order, uint32_t *base);
/* Gives a run back: 0 or -ENOMEM (the run is then lost until the next
 * reset). */
int lw_sw_slots_free(struct lw_sw_slots *a, uint32_t base, unsigned order);

/* Numbers 0..n-1, each free or taken (record blocks, l2 tables). */
struct lw_ids {
	uint32_t n, used, hint;
	uint64_t *bits;
};

int lw_ids_reset(struct lw_ids *ids, uint32_t n);
void lw_ids_release(struct lw_ids *ids);
/* Marks id taken (reset's callers, from what the maps hold). */
void lw_ids_take(struct lw_ids *ids, uint32_t id);
/* A free number: 0 with *id, or -ENOSPC. */
int lw_ids_alloc(struct lw_ids *ids, uint32_t *id);
void lw_ids_free(struct lw_ids *ids, uint32_t id);

#endif
