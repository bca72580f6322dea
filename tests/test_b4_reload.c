/* SPDX-License-Identifier: GPL-2.0 */
/* A load over a running lwB4 (lib/b4/b4_maps.c lw_b4_pool_reload,
 * lw_b4_flush_outside_lan; issue 12): what stays and what goes, on maps of
 * the lwB4's types created here (tests/b4_fixture.h). The pool holds a
 * static set and a PCP set (a lease), each with mappings; the pool and the
 * mappings are planted and checked on the raw maps, never through the
 * library under test. Needs bpf(): skipped where map creation is not
 * permitted. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <cmocka.h>

#include "b4_maps.h"
#include "b4_fixture.h"
#include "pkt.h"

#define PUB   "198.51.100.1" /* static set 1024..2047 */
#define PUB2  "198.51.100.2" /* PCP set 4096..5119 */
#define HOST1 "192.168.1.10"
#define AWAY  "10.0.0.5" /* a host outside the LAN prefix 192.168.1.0/24 */

static struct lw_b4_maps M;

static const struct {
	const char *addr;
	__u32 first, size, base, lease;
} held[2] = { { PUB, 1024, 1024, 0, 0 }, { PUB2, 4096, 1024, 1024, 1700000000 } };

/* the planted mappings: {internal host, port} -> {held set k, external port} */
static const struct {
	const char *host;
	uint16_t port, ext;
	int set;
} maps[] = {
	{ HOST1, 1111, 1100, 0 },
	{ AWAY, 3333, 1200, 0 },
	{ HOST1, 2222, 4200, 1 },
};
#define N_MAPS (sizeof(maps) / sizeof(maps[0]))

static int teardown(void **state)
{
	fx_maps_close(&M);
	(void)state;
	return 0;
}

static int setup(void **state)
{
	*state = NULL;
	fx_maps_create(&M);
	if (M.cfg < 0)
		return 0; /* no bpf(): the tests skip */
	assert_true(fx_maps_ok(&M));
	for (__u32 k = 0; k < 2; k++) {
		struct lw_b4_portset ps = { .ipv4 = ip4(held[k].addr), .first = held[k].first,
					    .size = held[k].size, .base = held[k].base,
					    .lease_expires = held[k].lease };

		assert_int_equal(bpf_map_update_elem(M.pool, &k, &ps, BPF_ANY), 0);
	}
	for (size_t i = 0; i < N_MAPS; i++) {
		int k = maps[i].set;
		struct fx_mapping x = { .proto = IPPROTO_UDP,
					.int_addr = ip4(maps[i].host),
					.int_port = htons(maps[i].port),
					.ext_addr = ip4(held[k].addr),
					.ext_port = htons(maps[i].ext),
					.pos = fx_pos(IPPROTO_UDP, held[k].base, held[k].first,
						      maps[i].ext) };

		x.s.packets_out = 3;
		assert_int_equal(fx_plant(&M, &x), 0);
	}
	*state = &M;
	return 0;
}

#define NEED_BPF() do { if (!*state) skip(); } while (0)

static bool mapped(size_t i)
{
	struct fx_mapping x;

	return fx_get_out(&M, IPPROTO_UDP, ip4(maps[i].host), htons(maps[i].port), &x) &&
	       x.ext_port == htons(maps[i].ext) && x.s.packets_out == 3;
}

/* Whether the raw pool holds (addr, first, size) and with which lease; the
 * held sets counted in *n. */
static bool pool_has(const char *addr, __u32 first, __u32 size, __u32 *lease, size_t *n)
{
	bool found = false;

	*n = 0;
	for (__u32 k = 0; k < LW_B4_POOL_MAX; k++) {
		struct lw_b4_portset ps;

		assert_int_equal(bpf_map_lookup_elem(M.pool, &k, &ps), 0);
		if (!ps.size)
			continue;
		(*n)++;
		if (ps.ipv4 == ip4(addr) && ps.first == first && ps.size == size) {
			found = true;
			if (lease)
				*lease = ps.lease_expires;
		}
	}
	return found;
}

static struct lw_b4_portset set_of(const char *addr, __u32 first, __u32 size)
{
	struct lw_b4_portset ps = { .ipv4 = ip4(addr), .first = first, .size = size };

	return ps;
}

/* The same static set, the softwire unchanged: nothing moves. */
static void test_same_configuration_keeps_all(void **state)
{
	struct lw_b4_portset s = set_of(PUB, 1024, 1024);
	struct lw_b4_reload r;
	__u32 lease = 0;
	size_t n;

	NEED_BPF();
	assert_int_equal(lw_b4_pool_reload(&M, &s, 1, true, &r), 0);
	assert_int_equal(r.sets_kept, 2);
	assert_int_equal(r.sets_removed + r.sets_added + r.flushed, 0);
	for (size_t i = 0; i < N_MAPS; i++)
		assert_true(mapped(i));
	assert_true(pool_has(PUB, 1024, 1024, NULL, &n));
	assert_true(pool_has(PUB2, 4096, 1024, &lease, &n));
	assert_int_equal(lease, held[1].lease);
	assert_int_equal(n, 2);
	assert_int_equal(fx_count_claimed(&M), N_MAPS);
}

/* A static set changed: the old one goes with its own mappings only. */
static void test_changed_static_set_flushes_its_own(void **state)
{
	struct lw_b4_portset s = set_of(PUB, 1024, 512);
	struct lw_b4_reload r;
	size_t n;

	NEED_BPF();
	assert_int_equal(lw_b4_pool_reload(&M, &s, 1, true, &r), 0);
	assert_int_equal(r.sets_kept, 1);
	assert_int_equal(r.sets_removed, 1);
	assert_int_equal(r.sets_added, 1);
	assert_int_equal(r.flushed, 2);
	assert_false(mapped(0));
	assert_false(mapped(1));
	assert_true(mapped(2));
	assert_true(pool_has(PUB, 1024, 512, NULL, &n));
	assert_true(pool_has(PUB2, 4096, 1024, NULL, &n));
	assert_int_equal(n, 2);
	assert_int_equal(fx_count_claimed(&M), 1);
	assert_int_equal(fx_count_index(&M), 1);
}

/* No static set any more: the static set goes, the PCP set stays. */
static void test_static_set_removed(void **state)
{
	struct lw_b4_reload r;
	size_t n;

	NEED_BPF();
	assert_int_equal(lw_b4_pool_reload(&M, NULL, 0, true, &r), 0);
	assert_int_equal(r.sets_kept, 1);
	assert_int_equal(r.sets_removed, 1);
	assert_int_equal(r.flushed, 2);
	assert_true(mapped(2));
	assert_false(pool_has(PUB, 1024, 1024, NULL, &n));
	assert_int_equal(n, 1);
}

/* Another tunnel or lwAFTR address: the PCP grant is not the lwB4's any
 * more; the static set stays with its mappings. */
static void test_new_softwire_drops_pcp_sets(void **state)
{
	struct lw_b4_portset s = set_of(PUB, 1024, 1024);
	struct lw_b4_reload r;
	size_t n;

	NEED_BPF();
	assert_int_equal(lw_b4_pool_reload(&M, &s, 1, false, &r), 0);
	assert_int_equal(r.sets_kept, 1);
	assert_int_equal(r.sets_removed, 1);
	assert_int_equal(r.flushed, 1);
	assert_true(mapped(0));
	assert_true(mapped(1));
	assert_false(mapped(2));
	assert_false(pool_has(PUB2, 4096, 1024, NULL, &n));
	assert_int_equal(n, 1);
}

/* A new static set overlapping the PCP set (not equal to it) takes its
 * place; a static set equal to the PCP set keeps it, lease and mappings. */
static void test_static_set_over_pcp_set(void **state)
{
	struct lw_b4_portset s[2] = { set_of(PUB, 1024, 1024), set_of(PUB2, 4096, 256) };
	struct lw_b4_portset same[2] = { set_of(PUB, 1024, 1024), set_of(PUB2, 4096, 1024) };
	struct lw_b4_reload r;
	__u32 lease = 0;
	size_t n;

	NEED_BPF();
	assert_int_equal(lw_b4_pool_reload(&M, same, 2, true, &r), 0);
	assert_int_equal(r.sets_kept, 2);
	assert_int_equal(r.sets_added + r.flushed, 0);
	assert_true(pool_has(PUB2, 4096, 1024, &lease, &n));
	assert_int_equal(lease, held[1].lease);
	assert_true(mapped(2));

	assert_int_equal(lw_b4_pool_reload(&M, s, 2, true, &r), 0);
	assert_int_equal(r.sets_kept, 1);
	assert_int_equal(r.sets_removed, 1);
	assert_int_equal(r.sets_added, 1);
	assert_int_equal(r.flushed, 1);
	assert_false(mapped(2));
	assert_true(pool_has(PUB2, 4096, 256, &lease, &n));
	assert_int_equal(lease, 0);
	assert_int_equal(n, 2);
}

/* A new LAN prefix: the mappings of hosts outside it go, the others stay. */
static void test_flush_outside_lan(void **state)
{
	size_t n = 0;

	NEED_BPF();
	assert_int_equal(lw_b4_flush_outside_lan(&M, ip4("192.168.1.1"), 24, &n), 0);
	assert_int_equal(n, 1);
	assert_true(mapped(0));
	assert_false(mapped(1));
	assert_true(mapped(2));
	assert_int_equal(lw_b4_flush_outside_lan(&M, ip4("10.0.0.1"), 8, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(fx_count_claimed(&M), 0);
	assert_int_equal(lw_b4_flush_outside_lan(&M, ip4("10.0.0.1"), 0, &n), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_configuration_keeps_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_static_set_flushes_its_own, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_static_set_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_softwire_drops_pcp_sets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_static_set_over_pcp_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_outside_lan, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
