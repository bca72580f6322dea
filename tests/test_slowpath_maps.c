/* SPDX-License-Identifier: GPL-2.0 */
/* The slow path's binding-table lookup on BPF maps (lib/aftr/slowpath_maps.c):
 * maps of the lwAFTR's types created here and filled through aftr_maps.h
 * (one BR index emptied by hand), then every
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
#include "aftr_maps_fixture.h"

struct fixture {
	struct lw_aftr_maps m;
};

static void put_softwire(const struct lw_aftr_maps *m, const char *ipv4, __u8 offset, __u8 len,
			 __u16 psid, const char *b4, const char *br)
{
	struct lw_softwire_entry e = { .ipv4 = ip4(ipv4), .psid = psid, .b4_ipv6 = ip6(b4),
				       .br_ipv6 = ip6(br) };
	char err[256];

	e.ps.psid_offset = offset;
	e.ps.psid_len = len;
	assert_int_equal(lw_aftr_softwire_add(m, &e, err, sizeof(err)), 0);
}

static int setup(void **state)
{
	static struct fixture f;
	static const struct in6_addr none;
	__u32 second = 1;

	if (aftr_maps_fixture_open(&f.m, 0))
		return 0; /* no bpf(): the tests skip */
	/* 178.79.150.233: one port per PSID; 178.79.150.3: 6-bit PSIDs with
	 * psid-offset 6 (ports below 1024 belong to nobody); a pool without
	 * softwires; BR index 0 = 8:9:a:b:c:d:e:f, index 1 emptied by hand */
	put_softwire(&f.m, "178.79.150.233", 0, 16, 4660, "127:11:12:13:14:15:16:128",
		     "8:9:a:b:c:d:e:f");
	put_softwire(&f.m, "178.79.150.233", 0, 16, 80, "127:2:3:4:5:6:7:128", "8:9:a:b:c:d:e:10");
	put_softwire(&f.m, "178.79.150.3", 6, 6, 4, "127:14:25:36:47:58:69:128", "8:9:a:b:c:d:e:f");
	assert_int_equal(bpf_map_update_elem(f.m.br_by_index, &second, &none, BPF_ANY), 0);
	assert_int_equal(lw_aftr_pool_add(&f.m, ip4("198.51.100.0"), 24), 0);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f)
		aftr_maps_fixture_close(&f->m);
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
