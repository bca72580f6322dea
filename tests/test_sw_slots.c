/* SPDX-License-Identifier: GPL-2.0 */
/* lib/aftr/sw_slots.c: the binding table's runs of 2^psid-len slots, each
 * aligned to its size (a run of up to 512 slots in one chunk), rebuilt from
 * the runs in use, and the numbered tables (issue 11). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sw_slots.h"

/* Runs come aligned to their size, never overlap, and fill the space. */
static void test_runs_aligned_disjoint_until_full(void **state)
{
	static uint8_t taken[1 << 16];
	struct lw_sw_slots a = {};
	uint32_t base, total = 0;
	unsigned order = 0;

	memset(taken, 0, sizeof(taken));
	assert_int_equal(lw_sw_slots_reset(&a, 1 << 16, NULL, 0), 0);
	for (;;) {
		int r = lw_sw_slots_alloc(&a, order, &base);

		if (r == -ENOSPC)
			break;
		assert_int_equal(r, 0);
		assert_int_equal(base & ((1u << order) - 1), 0);
		for (uint32_t i = base; i < base + (1u << order); i++) {
			assert_int_equal(taken[i], 0);
			taken[i] = 1;
		}
		total += 1u << order;
		order = (order + 5) % 10; /* 0, 5, 1, 6, ... */
	}
	/* the smallest order fills what is left */
	while (lw_sw_slots_alloc(&a, 0, &base) == 0) {
		assert_int_equal(taken[base], 0);
		taken[base] = 1;
		total++;
	}
	assert_int_equal(total, 1 << 16);
	lw_sw_slots_release(&a);
	(void)state;
}

/* A run of 2^16 needs a whole aligned 2^16 block; small runs pack into
 * the first chunks. */
static void test_small_runs_pack_low(void **state)
{
	struct lw_sw_slots a = {};
	uint32_t base;

	assert_int_equal(lw_sw_slots_reset(&a, 3 << 16, NULL, 0), 0);
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(lw_sw_slots_alloc(&a, 6, &base), 0);
		assert_int_equal(base, i * 64);
	}
	assert_int_equal(lw_sw_slots_alloc(&a, 16, &base), 0);
	assert_int_equal(base, 1u << 16);
	assert_int_equal(lw_sw_slots_alloc(&a, 16, &base), 0);
	assert_int_equal(base, 2u << 16);
	assert_int_equal(lw_sw_slots_alloc(&a, 16, &base), -ENOSPC);
	lw_sw_slots_release(&a);
	(void)state;
}

/* Rebuilt from the runs in use (the records): the gaps come back, runs in
 * use are never given out, and overlapping or misaligned runs are refused. */
static void test_reset_from_runs(void **state)
{
	struct lw_sw_run used[] = { { 512, 9 }, { 0, 6 }, { 64 * 3, 6 } };
	struct lw_sw_run overlap[] = { { 0, 6 }, { 32, 5 } };
	struct lw_sw_run misaligned[] = { { 32, 6 } };
	struct lw_sw_slots a = {};
	uint32_t base, got = 0;

	assert_int_equal(lw_sw_slots_reset(&a, 2048, used, 3), 0);
	assert_int_equal(a.free_slots, 2048 - 512 - 128);
	while (lw_sw_slots_alloc(&a, 6, &base) == 0) {
		assert_false(base < 64 || (base >= 192 && base < 256) || (base >= 512 && base < 1024));
		got++;
	}
	assert_int_equal(got, (2048 - 512 - 128) / 64);
	assert_int_equal(lw_sw_slots_reset(&a, 2048, overlap, 2), -EINVAL);
	assert_int_equal(lw_sw_slots_reset(&a, 2048, misaligned, 1), -EINVAL);
	lw_sw_slots_release(&a);
	(void)state;
}

/* A freed run is given out again. */
static void test_free_then_alloc(void **state)
{
	struct lw_sw_slots a = {};
	uint32_t b1, b2;

	assert_int_equal(lw_sw_slots_reset(&a, 128, NULL, 0), 0);
	assert_int_equal(lw_sw_slots_alloc(&a, 7, &b1), 0);
	assert_int_equal(lw_sw_slots_alloc(&a, 0, &b2), -ENOSPC);
	assert_int_equal(lw_sw_slots_free(&a, b1, 7), 0);
	assert_int_equal(lw_sw_slots_alloc(&a, 7, &b2), 0);
	assert_int_equal(b1, b2);
	lw_sw_slots_release(&a);
	(void)state;
}

static void test_ids(void **state)
{
	struct lw_ids ids = {};
	uint32_t id;

	assert_int_equal(lw_ids_reset(&ids, 130), 0);
	lw_ids_take(&ids, 0);
	lw_ids_take(&ids, 64);
	for (uint32_t want = 1; want < 130; want++) {
		if (want == 64)
			continue;
		assert_int_equal(lw_ids_alloc(&ids, &id), 0);
		assert_true(id < 130 && id != 0 && id != 64);
	}
	assert_int_equal(ids.used, 130);
	assert_int_equal(lw_ids_alloc(&ids, &id), -ENOSPC);
	lw_ids_free(&ids, 77);
	assert_int_equal(lw_ids_alloc(&ids, &id), 0);
	assert_int_equal(id, 77);
	lw_ids_release(&ids);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs_aligned_disjoint_until_full),
		cmocka_unit_test(test_small_runs_pack_low),
		cmocka_unit_test(test_reset_from_runs),
		cmocka_unit_test(test_free_then_alloc),
		cmocka_unit_test(test_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
