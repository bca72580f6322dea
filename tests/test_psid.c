/* SPDX-License-Identifier: GPL-2.0 */
/* include/lw4o6/psid.h against docs/standards.md §3.1 and §3.2.
 * PSID-1 (port generation, RFC 7597 §5.1): psid.h has no generator, so each
 * worked-example range is checked from the other side: its first and last
 * ports map back to the row's PSID, its neighbours do not, and the number
 * of ports mapping to the PSID equals the row's "Ports" column.
 * PSID-2 (port -> PSID, RFC 7597 §5.1 and Appendix B): the reverse checks,
 * the A = 0 exclusion and the k = 0 / k = 16 edges. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lw4o6/psid.h"

static struct lw_psid_params ps(unsigned int a, unsigned int k)
{
	struct lw_psid_params p = { .psid_offset = (__u8)a, .psid_len = (__u8)k };

	return p;
}

static int owner(unsigned int a, unsigned int k, unsigned int port)
{
	struct lw_psid_params p = ps(a, k);

	return lw_port_to_psid(&p, (__u16)port);
}

static unsigned int ports_of(unsigned int a, unsigned int k, int psid)
{
	unsigned int port, n = 0;

	for (port = 0; port <= 0xffff; port++)
		if (owner(a, k, port) == psid)
			n++;
	return n;
}

static void test_psid_shift_is_m(void **state)
{
	struct lw_psid_params p;

	(void)state;
	/* m = 16 - a - k, the "m" column of §3.2. */
	p = ps(6, 8);
	assert_int_equal(lw_psid_shift(&p), 2);
	p = ps(6, 6);
	assert_int_equal(lw_psid_shift(&p), 4);
	p = ps(4, 8);
	assert_int_equal(lw_psid_shift(&p), 4);
	p = ps(0, 6);
	assert_int_equal(lw_psid_shift(&p), 10);
	p = ps(0, 5);
	assert_int_equal(lw_psid_shift(&p), 11);
	p = ps(0, 16);
	assert_int_equal(lw_psid_shift(&p), 0);
	p = ps(0, 0);
	assert_int_equal(lw_psid_shift(&p), 16);
}

/* PSID-1, §3.2 row 1 (RFC 7597 Appendix A): a=6 k=8 PSID 0x34, 4-port
 * ranges 1232-1235, 2256-2259, 3280-3283, ..., 63696-63699, 64720-64723. */
static void test_psid1_a6_k8_appendix_a_ranges(void **state)
{
	(void)state;
	assert_int_equal(owner(6, 8, 1232), 52);
	assert_int_equal(owner(6, 8, 1235), 52);
	assert_int_equal(owner(6, 8, 2256), 52);
	assert_int_equal(owner(6, 8, 2259), 52);
	assert_int_equal(owner(6, 8, 3280), 52);
	assert_int_equal(owner(6, 8, 3283), 52);
	assert_int_equal(owner(6, 8, 63696), 52);
	assert_int_equal(owner(6, 8, 63699), 52);
	assert_int_equal(owner(6, 8, 64720), 52);
	assert_int_equal(owner(6, 8, 64723), 52);
	/* Neighbours: 1231 >> 2 = 307 -> 51; 1236 >> 2 = 309 -> 53;
	 * 64724 >> 2 = 16181 = 63 * 256 + 53. */
	assert_int_equal(owner(6, 8, 1231), 51);
	assert_int_equal(owner(6, 8, 1236), 53);
	assert_int_equal(owner(6, 8, 64724), 53);
	/* 63 ranges of 4 = 252 ports (256 - 4: the A = 0 range is excluded). */
	assert_int_equal(ports_of(6, 8, 52), 252);
}

/* PSID-1, §3.2 row 2: a=6 k=6 PSID 0x34, 16-port ranges starting at
 * 1024*A + 832: 1856-1871, 2880-2895, 3904-3919, ..., 65344-65359. */
static void test_psid1_a6_k6_ranges(void **state)
{
	(void)state;
	assert_int_equal(owner(6, 6, 1856), 52);
	assert_int_equal(owner(6, 6, 1871), 52);
	assert_int_equal(owner(6, 6, 2880), 52);
	assert_int_equal(owner(6, 6, 2895), 52);
	assert_int_equal(owner(6, 6, 3904), 52);
	assert_int_equal(owner(6, 6, 3919), 52);
	assert_int_equal(owner(6, 6, 64320), 52);
	assert_int_equal(owner(6, 6, 64335), 52);
	assert_int_equal(owner(6, 6, 65344), 52);
	assert_int_equal(owner(6, 6, 65359), 52);
	assert_int_equal(owner(6, 6, 1855), 51);
	assert_int_equal(owner(6, 6, 1872), 53);
	assert_int_equal(ports_of(6, 6, 52), 1008);
}

/* PSID-1, §3.2 row 3: a=4 k=8 PSID 0x34: 4928-4943, 9024-9039, ...,
 * 62272-62287; a=4 excludes 0-4095. */
static void test_psid1_a4_k8_ranges(void **state)
{
	(void)state;
	assert_int_equal(owner(4, 8, 4928), 52);
	assert_int_equal(owner(4, 8, 4943), 52);
	assert_int_equal(owner(4, 8, 9024), 52);
	assert_int_equal(owner(4, 8, 9039), 52);
	assert_int_equal(owner(4, 8, 62272), 52);
	assert_int_equal(owner(4, 8, 62287), 52);
	assert_int_equal(owner(4, 8, 4095), -1);
	assert_int_equal(owner(4, 8, 832), -1); /* would be PSID 52 with A = 0 */
	assert_int_equal(ports_of(4, 8, 52), 240);
}

/* PSID-1, §3.2 row 5, lw4o6's own layout: a=0 k=6 PSID 0x34 is the single
 * range 53248-54271. */
static void test_psid1_a0_k6_single_range(void **state)
{
	(void)state;
	assert_int_equal(owner(0, 6, 53248), 52);
	assert_int_equal(owner(0, 6, 54271), 52);
	assert_int_equal(owner(0, 6, 53247), 51);
	assert_int_equal(owner(0, 6, 54272), 53);
	assert_int_equal(ports_of(0, 6, 52), 1024);
}

/* PSID-1, §3.2 rows 6-8. */
static void test_psid1_a0_other_rows(void **state)
{
	(void)state;
	/* k=6 PSID 0 is the system ports: a = 0 does not exclude them. */
	assert_int_equal(owner(0, 6, 0), 0);
	assert_int_equal(owner(0, 6, 1023), 0);
	assert_int_equal(owner(0, 6, 1024), 1);
	/* k=8 PSID 0x34: 13312-13567. */
	assert_int_equal(owner(0, 8, 13312), 52);
	assert_int_equal(owner(0, 8, 13567), 52);
	assert_int_equal(owner(0, 8, 13568), 53);
	assert_int_equal(ports_of(0, 8, 52), 256);
	/* k=5 PSID 13: 26624-28671, the RFC 7753 §5.2 example. */
	assert_int_equal(owner(0, 5, 26624), 13);
	assert_int_equal(owner(0, 5, 28671), 13);
	assert_int_equal(owner(0, 5, 26623), 12);
	assert_int_equal(owner(0, 5, 28672), 14);
	assert_int_equal(ports_of(0, 5, 13), 2048);
}

/* PSID-2, the reverse checks under §3.2. */
static void test_psid2_reverse_checks(void **state)
{
	(void)state;
	assert_int_equal(owner(6, 8, 1232), 52);  /* A = 1 */
	assert_int_equal(owner(6, 8, 64723), 52); /* A = 63 */
	assert_int_equal(owner(6, 8, 1023), -1);  /* A = 0: no owner */
	assert_int_equal(owner(6, 8, 0), -1);
	assert_int_equal(owner(6, 8, 1024), 0);   /* A = 1, PSID 0 */
	assert_int_equal(owner(6, 6, 1023), -1);
}

/* PSID-2: k = 0 means the whole address, one "PSID" 0. */
static void test_psid2_psid_len_0_is_psid_0(void **state)
{
	(void)state;
	assert_int_equal(owner(0, 0, 0), 0);
	assert_int_equal(owner(0, 0, 80), 0);
	assert_int_equal(owner(0, 0, 65535), 0);
	assert_int_equal(ports_of(0, 0, 0), 65536);
}

/* PSID-2, §3.2 row 4: a=6 k=0 is a full address with the system ports
 * excluded, "1024-65535 in 63 blocks", 64512 ports. psid.h promises the same
 * ("with a > 0 the A = 0 block ... is excluded"). */
static void test_psid2_offset_without_psid_excludes_system_ports(void **state)
{
	(void)state;
	assert_int_equal(owner(6, 0, 1024), 0);
	assert_int_equal(owner(6, 0, 65535), 0);
	assert_int_equal(owner(6, 0, 1023), -1);
	assert_int_equal(ports_of(6, 0, 0), 64512);
}

/* PSID-2: k = 16 (m = 0), each port its own set: the PSID is the port. */
static void test_psid2_psid_len_16_is_the_port(void **state)
{
	(void)state;
	assert_int_equal(owner(0, 16, 0), 0);
	assert_int_equal(owner(0, 16, 1232), 1232);
	assert_int_equal(owner(0, 16, 54271), 54271);
	assert_int_equal(owner(0, 16, 65535), 65535);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_psid_shift_is_m),
		cmocka_unit_test(test_psid1_a6_k8_appendix_a_ranges),
		cmocka_unit_test(test_psid1_a6_k6_ranges),
		cmocka_unit_test(test_psid1_a4_k8_ranges),
		cmocka_unit_test(test_psid1_a0_k6_single_range),
		cmocka_unit_test(test_psid1_a0_other_rows),
		cmocka_unit_test(test_psid2_reverse_checks),
		cmocka_unit_test(test_psid2_psid_len_0_is_psid_0),
		cmocka_unit_test(test_psid2_offset_without_psid_excludes_system_ports),
		cmocka_unit_test(test_psid2_psid_len_16_is_the_port),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
