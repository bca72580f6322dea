/* SPDX-License-Identifier: GPL-2.0 */
/* pcpd --role b4's decisions (lib/b4/b4_policy.c): what counts as a
 * granted port set (PCPC-7, the miniupnpd echo), when the pool grows and
 * when an extra set goes back (hysteresis), which port a LAN host's MAP
 * gets (PCPC-12, RFC 6887 §11.3, §13.2), and the §8.5 epoch rule. The
 * responses are written field by field here, not produced by our encoder. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include "b4_policy.h"

static struct pcp_response grant(uint32_t ipv4_be, uint16_t port, uint16_t size, uint16_t first_int,
				 bool parity, uint32_t lifetime)
{
	struct pcp_response r;

	memset(&r, 0, sizeof(r));
	r.version = 2;
	r.opcode = PCP_OP_MAP;
	r.result = PCP_RES_SUCCESS;
	r.lifetime = lifetime;
	r.has_body = true;
	r.body.external_port = port;
	r.body.external_addr.s6_addr[10] = 0xff;
	r.body.external_addr.s6_addr[11] = 0xff;
	memcpy(&r.body.external_addr.s6_addr[12], &ipv4_be, 4);
	r.opts.has_port_set = size != 0;
	r.opts.port_set.size = size;
	r.opts.port_set.first_internal_port = first_int;
	r.opts.port_set.parity = parity;
	return r;
}

/* PCPC-5, PCPC-8: the request of each slot. */
static void test_map_request(void **state)
{
	static const uint8_t nonce[PCP_NONCE_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	static const uint8_t client[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 0, 2 };
	static const uint8_t held[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1 };
	static const uint8_t no_ipv4[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0 };
	struct pcp_request r;

	b4_map_request(&r, 0, 0, 7200, nonce, 0, 0);
	assert_int_equal(r.version, 2);
	assert_int_equal(r.opcode, PCP_OP_MAP);
	assert_int_equal(r.lifetime, 7200);
	assert_memory_equal(&r.client_addr, client, 16);
	assert_memory_equal(r.body.nonce, nonce, PCP_NONCE_LEN);
	assert_int_equal(r.body.protocol, 0);
	assert_int_equal(r.body.internal_port, 1);
	/* RFC 6887 §11.1: no preference for an IPv4 address is ::ffff:0.0.0.0,
	 * not :: (which asks for IPv6; issue 10) */
	assert_memory_equal(&r.body.external_addr, no_ipv4, 16);
	assert_int_equal(r.body.external_port, 0);
	assert_true(r.opts.has_port_set);
	assert_int_equal(r.opts.port_set.size, 65535);
	assert_int_equal(r.opts.port_set.first_internal_port, 1);
	assert_false(r.opts.port_set.parity);
	assert_false(r.opts.has_third_party || r.opts.prefer_failure);

	/* slot 2, UDP, renewing 192.0.2.1:4096; a release is lifetime 0 */
	b4_map_request(&r, 2, 17, 600, nonce, inet_addr("192.0.2.1"), 4096);
	assert_int_equal(r.body.protocol, 17);
	assert_int_equal(r.body.internal_port, 3);
	assert_int_equal(r.opts.port_set.first_internal_port, 3);
	assert_memory_equal(&r.body.external_addr, held, 16);
	assert_int_equal(r.body.external_port, 4096);
	b4_map_request(&r, 2, 17, 0, nonce, inet_addr("192.0.2.1"), 4096);
	assert_int_equal(r.lifetime, 0);
	assert_true(r.opts.has_port_set);
}

/* PCPC-3, RFC 6887 §8.1.1: IRT, then doubling up to MRT 1024 s. */
static void test_next_rt(void **state)
{
	assert_int_equal(b4_next_rt_ms(0, 3000), 3000);
	assert_int_equal(b4_next_rt_ms(3000, 3000), 6000);
	assert_int_equal(b4_next_rt_ms(6000, 3000), 12000);
	assert_int_equal(b4_next_rt_ms(600000, 3000), 1024000);
	assert_int_equal(b4_next_rt_ms(1024000, 3000), 1024000);
}

/* PCPS-19: slot 0 asks with protocol 0 until a server refuses that form;
 * the others, and slot 0 then, ask for UDP. */
static void test_slot_protocol(void **state)
{
	assert_int_equal(b4_slot_protocol(0, false), 0);
	assert_int_equal(b4_slot_protocol(0, true), 17);
	assert_int_equal(b4_slot_protocol(1, false), 17);
	assert_int_equal(b4_slot_protocol(3, true), 17);
}

static void test_grant_check(void **state)
{
	uint32_t a = inet_addr("192.0.2.1");
	struct b4_set s;
	const char *why;
	struct pcp_response r;

	r = grant(a, 4096, 1024, 1, false, 7200);
	assert_int_equal(b4_grant_check(&r, 1, &s, &why), 0);
	assert_int_equal(s.ipv4, a);
	assert_int_equal(s.first, 4096);
	assert_int_equal(s.size, 1024);
	assert_null(why);

	/* PCPC-7: SUCCESS without PORT_SET is one port, no grant */
	r = grant(a, 4096, 0, 0, false, 7200);
	assert_int_equal(b4_grant_check(&r, 1, &s, &why), -1);
	assert_non_null(strstr(why, "single port"));

	/* the miniupnpd echo: our PORT_SET unchanged (65535, first internal 1, P 0) */
	r = grant(a, 1, 65535, 1, false, 7200);
	assert_int_equal(b4_grant_check(&r, 1, &s, &why), -1);
	assert_non_null(strstr(why, "echoed"));
	/* slot 3 asked with Internal Port 4: its echo has 4 */
	r = grant(a, 4, 65535, 4, false, 7200);
	assert_int_equal(b4_grant_check(&r, 4, &s, &why), -1);
	assert_non_null(strstr(why, "echoed"));

	r = grant(a, 4096, 1, 1, false, 7200);
	assert_int_equal(b4_grant_check(&r, 1, &s, &why), -1);
	assert_non_null(strstr(why, "one port"));

	r = grant(a, 4096, 1024, 1, false, 0);
	assert_int_equal(b4_grant_check(&r, 1, &s, &why), -1);
	assert_non_null(strstr(why, "lifetime 0"));

	/* misaligned, not a power of two, past 65535 */
	r = grant(a, 4097, 1024, 1, false, 7200);
	assert_int_equal(b4_grant_check(&r, 1, &s, &why), -1);
	assert_non_null(strstr(why, "aligned"));
	r = grant(a, 3000, 1000, 1, false, 7200);
	assert_int_equal(b4_grant_check(&r, 1, &s, &why), -1);
	r = grant(a, 65535, 65534, 1, false, 7200);
	assert_int_equal(b4_grant_check(&r, 1, &s, &why), -1);

	/* an IPv6 external address */
	r = grant(a, 4096, 1024, 1, false, 7200);
	r.body.external_addr.s6_addr[0] = 0x20;
	r.body.external_addr.s6_addr[10] = 0;
	assert_int_equal(b4_grant_check(&r, 1, &s, &why), -1);
	assert_non_null(strstr(why, "not IPv4"));
}

static void test_pool_grow(void **state)
{
	struct b4_pool_view v = { .sets = 1, .max_sets = 4, .mapped = 799, .ports = 1000 };

	assert_false(b4_pool_grow(&v, 80, false)); /* 79.9 % */
	v.mapped = 800;
	assert_true(b4_pool_grow(&v, 80, false));  /* 80 % */
	v.mapped = 10;
	assert_true(b4_pool_grow(&v, 80, true));   /* exhausted, whatever the count */
	v.request_pending = true;
	assert_false(b4_pool_grow(&v, 80, true));
	v.request_pending = false;
	v.backing_off = true;                      /* PCPC-10 */
	assert_false(b4_pool_grow(&v, 80, true));
	v.backing_off = false;
	v.sets = 4;                                /* ceiling */
	assert_false(b4_pool_grow(&v, 80, true));
	v.sets = 0;                                /* the first set is not growth */
	assert_false(b4_pool_grow(&v, 80, true));
}

static void test_pool_release(void **state)
{
	struct b4_set_use u[3] = {
		{ .releasable = false, .ports = 1024, .mappings = 100, .idle_since_ms = 0 },
		{ .releasable = true, .ports = 1024, .mappings = 0, .idle_since_ms = 1000 },
		{ .releasable = true, .ports = 1024, .mappings = 0, .idle_since_ms = 5000 },
	};

	/* not idle long enough */
	assert_int_equal(b4_pool_release(u, 3, 100, 5000, 10000, 50), -1);
	/* both idle long enough: the latest first */
	assert_int_equal(b4_pool_release(u, 3, 100, 20000, 10000, 50), 2);
	/* only set 1 idle long enough */
	assert_int_equal(b4_pool_release(u, 3, 100, 12000, 10000, 50), 1);
	/* hysteresis: with 2048 ports left, 1024 mapped is 50 %: not below */
	assert_int_equal(b4_pool_release(u, 3, 1024, 20000, 10000, 50), -1);
	assert_int_equal(b4_pool_release(u, 3, 1023, 20000, 10000, 50), 2);
	/* a set with a mapping, or the first set, never goes */
	u[1].mappings = 1;
	u[1].idle_since_ms = 0;
	u[2].releasable = false;
	assert_int_equal(b4_pool_release(u, 3, 101, 20000, 10000, 50), -1);
	/* one set alone is never released */
	u[0].releasable = true;
	u[0].mappings = 0;
	u[0].idle_since_ms = 1;
	assert_int_equal(b4_pool_release(u, 1, 0, 20000, 10000, 50), -1);
}

/* ports taken: a bitmap over one address */
static uint8_t taken[65536 / 8];
static uint32_t taken_addr;

static bool is_free(void *ctx, __be32 ipv4, uint16_t port)
{
	(void)ctx;
	return ipv4 != taken_addr || !(taken[port / 8] & (1u << (port % 8)));
}

static void take(uint16_t port)
{
	taken[port / 8] |= (uint8_t)(1u << (port % 8));
}

static void test_lan_pick_port(void **state)
{
	uint32_t a = inet_addr("192.0.2.1"), b = inet_addr("192.0.2.2");
	struct b4_set sets[2] = { { a, 4096, 1024 }, { b, 8192, 512 } };
	__be32 addr;
	uint16_t port;

	memset(taken, 0, sizeof(taken));
	taken_addr = a;
	assert_int_equal(b4_lan_pick_port(sets, 0, 0, 0, 80, false, 0, is_free, NULL, &addr, &port),
			 -ENOENT);
	/* the suggestion when it is ours and free */
	assert_int_equal(b4_lan_pick_port(sets, 2, b, 8200, 80, false, 0, is_free, NULL, &addr, &port), 0);
	assert_int_equal(addr, b);
	assert_int_equal(port, 8200);
	/* the all-zeros address is no preference, the port still is one (§11.1),
	 * in whichever set holds it */
	assert_int_equal(b4_lan_pick_port(sets, 2, 0, 8300, 80, true, 0, is_free, NULL, &addr, &port), 0);
	assert_int_equal(addr, b);
	assert_int_equal(port, 8300);
	/* a suggestion outside the pool: another port (the internal one if ours) */
	assert_int_equal(b4_lan_pick_port(sets, 2, a, 80, 4500, false, 0, is_free, NULL, &addr, &port), 0);
	assert_int_equal(addr, a);
	assert_int_equal(port, 4500);
	/* ... and with PREFER_FAILURE, failure (§13.2) */
	assert_int_equal(b4_lan_pick_port(sets, 2, a, 80, 4500, true, 0, is_free, NULL, &addr, &port),
			 -EADDRNOTAVAIL);
	/* a taken suggestion, internal port outside: a free port from the
	 * random start (4096 + 4 = the taken 4100, so the next one) */
	take(4100);
	assert_int_equal(b4_lan_pick_port(sets, 2, a, 4100, 22, false, 4, is_free, NULL, &addr, &port), 0);
	assert_int_equal(addr, a);
	assert_int_equal(port, 4101);
	/* the random start past the first set lands in the second */
	assert_int_equal(b4_lan_pick_port(sets, 2, 0, 0, 22, false, 1024 + 7, is_free, NULL, &addr, &port), 0);
	assert_int_equal(addr, b);
	assert_int_equal(port, 8192 + 7);
	/* every port of a taken but the last: found by the walk */
	for (uint32_t p = 4096; p < 4096 + 1024; p++)
		take((uint16_t)p);
	sets[1].ipv4 = a; /* both sets on a, all taken */
	sets[1].first = 8192;
	for (uint32_t p = 8192; p < 8192 + 511; p++)
		take((uint16_t)p);
	assert_int_equal(b4_lan_pick_port(sets, 2, 0, 0, 22, false, 3, is_free, NULL, &addr, &port), 0);
	assert_int_equal(port, 8192 + 511);
	take(8192 + 511);
	assert_int_equal(b4_lan_pick_port(sets, 2, 0, 0, 22, false, 3, is_free, NULL, &addr, &port),
			 -ENOSPC);
}

static void test_epoch(void **state)
{
	/* RFC 6887 §8.5 */
	assert_false(b4_epoch_lost(1000, 100, 1010, 110));   /* in step */
	assert_false(b4_epoch_lost(1000, 100, 999, 100));    /* one second back: tolerated */
	assert_true(b4_epoch_lost(1000, 100, 998, 100));     /* more: lost */
	assert_true(b4_epoch_lost(1000, 100, 5, 200));       /* a restart */
	assert_true(b4_epoch_lost(1000, 100, 1100, 110));    /* server far ahead */
	assert_true(b4_epoch_lost(1000, 100, 1010, 1100));   /* client far ahead */
	assert_false(b4_epoch_lost(1000, 100, 1100 + 6, 200)); /* within 1/16 + 2 s */
}

static void test_renewal_retry(void **state)
{
	/* a 7200 s grant renewed at 3600 s: again at 5400 s (3/4), 6300 s (7/8), ... */
	assert_int_equal(b4_renewal_retry_ms(3600000), 1800000);
	assert_int_equal(b4_renewal_retry_ms(1800000), 900000);
	assert_int_equal(b4_renewal_retry_ms(900000), 450000);
	/* never more often than every 4 s, not even past the expiry */
	assert_int_equal(b4_renewal_retry_ms(7000), 4000);
	assert_int_equal(b4_renewal_retry_ms(0), 4000);
	assert_int_equal(b4_renewal_retry_ms(-5000), 4000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grant_check),
		cmocka_unit_test(test_map_request),
		cmocka_unit_test(test_next_rt),
		cmocka_unit_test(test_slot_protocol),
		cmocka_unit_test(test_pool_grow),
		cmocka_unit_test(test_pool_release),
		cmocka_unit_test(test_lan_pick_port),
		cmocka_unit_test(test_epoch),
		cmocka_unit_test(test_renewal_retry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
