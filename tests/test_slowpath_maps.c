/* SPDX-License-Identifier: GPL-2.0 */
/* The slow path's binding-table lookup on BPF maps (lib/aftr/slowpath_maps.c):
 * maps of the lwAFTR's types created here and filled by hand, then every
 * answer the slow path tells apart -- found, ours but no softwire (-ESRCH),
 * not ours (-ENOENT), a softwire whose BR index has no address (-EIO).
 * Needs bpf(): skipped where map creation is not permitted. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <cmocka.h>

#include "pkt.h"
#include "slowpath_maps.h"

struct fixture {
	struct lw_aftr_maps m;
};

static int create(enum bpf_map_type type, size_t key, size_t value, unsigned max, unsigned flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);

	return bpf_map_create(type, NULL, (__u32)key, (__u32)value, max, &o);
}

static void put_softwire(const struct lw_aftr_maps *m, const char *ipv4, __u16 psid,
			 const char *b4, __u32 br_index)
{
	struct lw_softwire_key k = { .ipv4 = ip4(ipv4), .psid = psid };
	struct lw_softwire sw = { .b4_ipv6 = ip6(b4), .br_index = br_index };

	assert_int_equal(bpf_map_update_elem(m->softwires, &k, &sw, BPF_ANY), 0);
}

static void put_params(const struct lw_aftr_maps *m, const char *ipv4, __u8 offset, __u8 len)
{
	__be32 a = ip4(ipv4);
	struct lw_psid_params pp = { .psid_offset = offset, .psid_len = len };

	assert_int_equal(bpf_map_update_elem(m->psid, &a, &pp, BPF_ANY), 0);
}

static int setup(void **state)
{
	static struct fixture f;
	struct lw_ipv4_prefix pool = { .prefixlen = 24, .addr = ip4("198.51.100.0") };
	struct in6_addr br = ip6("8:9:a:b:c:d:e:f");
	__u32 one = 1, present = 1;

	memset(&f.m, -1, sizeof(f.m));
	f.m.psid = create(BPF_MAP_TYPE_HASH, sizeof(__be32), sizeof(struct lw_psid_params), 64, 0);
	if (f.m.psid < 0)
		return 0; /* no bpf(): the tests skip */
	f.m.softwires = create(BPF_MAP_TYPE_HASH, sizeof(struct lw_softwire_key),
			       sizeof(struct lw_softwire), 64, 0);
	f.m.br_by_index = create(BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(struct in6_addr),
				 LW_MAX_BR_ADDRS, 0);
	f.m.pools = create(BPF_MAP_TYPE_LPM_TRIE, sizeof(struct lw_ipv4_prefix), sizeof(__u32), 16,
			   BPF_F_NO_PREALLOC);
	assert_true(f.m.softwires >= 0 && f.m.br_by_index >= 0 && f.m.pools >= 0);

	/* 178.79.150.233: one port per PSID; 178.79.150.3: 6-bit PSIDs with
	 * psid-offset 6 (ports below 1024 belong to nobody); a pool without
	 * softwires; BR index 1 = 8:9:a:b:c:d:e:f, index 2 empty */
	put_params(&f.m, "178.79.150.233", 0, 16);
	put_softwire(&f.m, "178.79.150.233", 4660, "127:11:12:13:14:15:16:128", 1);
	put_softwire(&f.m, "178.79.150.233", 80, "127:2:3:4:5:6:7:128", 2);
	put_params(&f.m, "178.79.150.3", 6, 6);
	put_softwire(&f.m, "178.79.150.3", 4, "127:14:25:36:47:58:69:128", 1);
	assert_int_equal(bpf_map_update_elem(f.m.br_by_index, &one, &br, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(f.m.pools, &pool, &present, BPF_ANY), 0);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f) {
		close(f->m.psid);
		close(f->m.softwires);
		close(f->m.br_by_index);
		close(f->m.pools);
	}
	return 0;
}

static void test_found(void **state)
{
	struct fixture *f = *state;
	struct in6_addr b4, br;
	static const uint8_t want_b4[16] = { 1, 0x27, 0, 0x11, 0, 0x12, 0, 0x13,
					     0, 0x14, 0, 0x15, 0, 0x16, 1, 0x28 };
	static const uint8_t want_br[16] = { 0, 8, 0, 9, 0, 0xa, 0, 0xb,
					     0, 0xc, 0, 0xd, 0, 0xe, 0, 0xf };

	if (!f)
		skip();
	assert_int_equal(lw_slowpath_find_softwire_maps(&f->m, ip4("178.79.150.233"), 4660, &b4, &br),
			 0);
	assert_memory_equal(&b4, want_b4, 16);
	assert_memory_equal(&br, want_br, 16);
	/* RFC 7597 §5.1 with psid-offset 6, psid-len 6: port = A << 10 |
	 * PSID << 4 | j, A != 0; A = 20, PSID 4, j = 0 is 20480 + 64 = 20544 */
	assert_int_equal(lw_slowpath_find_softwire_maps(&f->m, ip4("178.79.150.3"), 20544, &b4, &br),
			 0);
	assert_int_equal(b4.s6_addr[3], 0x14);
}

static void test_not_found(void **state)
{
	struct fixture *f = *state;
	struct in6_addr b4, br;

	if (!f)
		skip();
	/* ours, no softwire for the port */
	assert_int_equal(lw_slowpath_find_softwire_maps(&f->m, ip4("178.79.150.233"), 4661, &b4, &br),
			 -ESRCH);
	/* ports of the excluded A = 0 block */
	assert_int_equal(lw_slowpath_find_softwire_maps(&f->m, ip4("178.79.150.3"), 68, &b4, &br),
			 -ESRCH);
	/* a pool address nobody has */
	assert_int_equal(lw_slowpath_find_softwire_maps(&f->m, ip4("198.51.100.7"), 80, &b4, &br),
			 -ESRCH);
	/* not ours at all */
	assert_int_equal(lw_slowpath_find_softwire_maps(&f->m, ip4("149.174.156.93"), 80, &b4, &br),
			 -ENOENT);
	/* a softwire naming a BR index without an address */
	assert_int_equal(lw_slowpath_find_softwire_maps(&f->m, ip4("178.79.150.233"), 80, &b4, &br),
			 -EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found),
		cmocka_unit_test(test_not_found),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
