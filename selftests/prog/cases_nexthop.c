// SPDX-License-Identifier: GPL-2.0
/* The next-hop cache (lw_nexthop, issue 11): entries written by hand with
 * MACs that exist nowhere (CACHE*_MAC), so that a frame carrying them can
 * only come from the cache, and entries filled from the lab's own routes by
 * lw_aftr_nh_sync_once(), which must answer as the FIB does. The lab
 * (harness.c): access default via ACC_ROUTER, internet default via
 * 10.0.0.2, both permanent neighbours; B4_F and NONEIGH_HOST behind next
 * hops without a neighbour entry; B4_G behind a route with MTU 1300. */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include "cases.h"
#include "pkt.h"
#include "nh_classify.h"

static const struct setup cached = { .nh = &(const struct nhx){ .mode = LW_NH_CACHED } };
static const struct setup cached_mtu_1300 = {
	.nh = &(const struct nhx){ .mode = LW_NH_CACHED, .mtu = 1300 },
};
static const struct setup except_inet = {
	.nh = &(const struct nhx){ .mode = LW_NH_CACHED, .except4 = "203.0.113.0/24" },
};
static const struct setup except_b4f = {
	.nh = &(const struct nhx){ .mode = LW_NH_CACHED, .except6 = B4_F "/128" },
};
static const struct setup outside_route = {
	.nh = &(const struct nhx){ .mode = LW_NH_CACHED, .route4 = "198.18.0.0/15",
				   .route6 = "2001:db8:b4::/126" },
};
static const struct setup expired = {
	.nh = &(const struct nhx){ .mode = LW_NH_CACHED, .expired = true },
};
static const struct setup fib_mode = { .nh = &(const struct nhx){ .mode = LW_NH_FIB } };
static const struct setup operator_fib = {
	.flags_on = LW_CFG_NH_FIB,
	.nh = &(const struct nhx){ .mode = LW_NH_CACHED },
};
static const struct setup static_and_cached = {
	.static_nh = true,
	.nh = &(const struct nhx){ .mode = LW_NH_CACHED },
};
static const struct setup synced = { .nh_sync = true };
static const struct setup synced_vlans = { .nh_sync = true, .v4vlan = 100, .v6vlan = 200 };
static const struct setup synced_fwd_off = { .nh_sync = true, .acc_ipv6_fwd_off = true };
static const struct setup synced_operator_fib = { .nh_sync = true, .flags_on = LW_CFG_NH_FIB };

/* ---- what the fill decided -------------------------------------------------------- */

/* A decapsulation through the FIB's next hop under the setup s (its VLAN
 * tags), whose packet outcome must be the FIB's; then the entries are
 * checked. */
static int run_inner(const struct setup *s, char *why, size_t whylen)
{
	const struct tcase inner = {
		.name = "inner",
		.setup = s,
		.side = SIDE_ACC,
		.in = { .l2 = L2_IN_ACC, .vid = s->v6vlan, .ip6 = IP6(B4_A, BR1, 0, 64),
			.ip4 = IP4(SHARED1, INET_HOST, 0, 64), .l4 = TCP(PORT_A, 80, 16) },
		.act = XDP_REDIRECT,
		.out = FRAME(.l2 = L2_OUT_INET, .vid = s->v4vlan,
			     .ip4 = IP4(SHARED1, INET_HOST, 0, 63), .l4 = TCP(PORT_A, 80, 16)),
		.ctr = { C(RCVD_IPV6, 1), CO(SENT_IPV4, 1) },
		.sw = { { SW_A, 1, 0 } },
	};

	return harness_run(&inner, why, whylen);
}

/* Whether the entry has an exception that is exactly text (A/N). */
static bool has_exception(const struct lw_nh_entry *e, int family, const char *text,
			  unsigned len)
{
	struct lw_nh_prefix p;
	uint8_t a[16] = { 0 };

	inet_pton(family, text, a);
	lw_nh_prefix_make(&p, (uint8_t)family, a, len);
	for (unsigned i = 0; i < e->n_except && i < LW_NH_MAX_EXCEPTIONS; i++)
		if (!memcmp(&e->except[i], &p, sizeof(p)))
			return true;
	return false;
}

#define NH_FAIL(...)                                  \
	do {                                          \
		snprintf(why, whylen, __VA_ARGS__); \
		return 1;                             \
	} while (0)

static int synced_entries(const struct tcase *c, char *why, size_t whylen)
{
	struct lw_nh_entry e4, e6;
	uint8_t m[6];

	if (run_inner(&synced, why, whylen))
		return 1;
	if (harness_nh_entry(LW_NH_IPV4, &e4) || harness_nh_entry(LW_NH_IPV6, &e6))
		NH_FAIL("next-hop map not mapped");
	if (e4.mode != LW_NH_CACHED || e6.mode != LW_NH_CACHED)
		NH_FAIL("modes (expected cached, cached got %u %u, reasons %s / %s)", e4.mode,
			e6.mode, lw_nh_reason_name(e4.reason), lw_nh_reason_name(e6.reason));
	mac(INET_PEER_MAC, m);
	if (memcmp(e4.dmac, m, 6) || e4.mtu != 1500)
		NH_FAIL("IPv4 entry: not the internet peer's MAC, or MTU %u not 1500", e4.mtu);
	mac(ACC_PEER_MAC, m);
	if (memcmp(e6.dmac, m, 6) || e6.mtu != 1500)
		NH_FAIL("IPv6 entry: not the access peer's MAC, or MTU %u not 1500", e6.mtu);
	/* the routes besides the defaults: connected subnets, unresolved and
	 * MTU routes, loopback, IPv6's never-forwarded ranges */
	if (!has_exception(&e4, AF_INET, NONEIGH_HOST, 32) ||
	    !has_exception(&e4, AF_INET, "10.0.0.0", 24) ||
	    !has_exception(&e4, AF_INET, "127.0.0.0", 8))
		NH_FAIL("IPv4 exceptions (%u) lack NONEIGH_HOST/32, 10.0.0.0/24 or 127.0.0.0/8",
			e4.n_except);
	if (!has_exception(&e6, AF_INET6, B4_F, 128) || !has_exception(&e6, AF_INET6, B4_G, 128) ||
	    !has_exception(&e6, AF_INET6, "2001:db8:a::", 64) ||
	    !has_exception(&e6, AF_INET6, "fe80::", 10) || !has_exception(&e6, AF_INET6, "ff00::", 8))
		NH_FAIL("IPv6 exceptions (%u) lack B4_F, B4_G, the access subnet, fe80::/10 or "
			"ff00::/8",
			e6.n_except);
	return 0;
}

/* The fill left family fam in FIB mode for the reason. */
static int synced_fib(const struct setup *s, unsigned fam, unsigned reason, char *why,
		      size_t whylen)
{
	struct lw_nh_entry e;

	if (run_inner(s, why, whylen))
		return 1;
	if (harness_nh_entry(fam, &e))
		NH_FAIL("next-hop map not mapped");
	if (e.mode != LW_NH_FIB || e.reason != reason)
		NH_FAIL("%s entry (expected FIB mode, %s got mode %u, %s)",
			fam == LW_NH_IPV4 ? "IPv4" : "IPv6", lw_nh_reason_name(reason), e.mode,
			lw_nh_reason_name(e.reason));
	return 0;
}

static int synced_vlan_fib(const struct tcase *c, char *why, size_t whylen)
{
	return synced_fib(&synced_vlans, LW_NH_IPV4, LW_NH_WHY_VLAN, why, whylen) ||
	       synced_fib(&synced_vlans, LW_NH_IPV6, LW_NH_WHY_VLAN, why, whylen);
}

static int synced_fwd_off_fib(const struct tcase *c, char *why, size_t whylen)
{
	return synced_fib(&synced_fwd_off, LW_NH_IPV6, LW_NH_WHY_FORWARDING, why, whylen);
}

static int synced_operator(const struct tcase *c, char *why, size_t whylen)
{
	return synced_fib(&synced_operator_fib, LW_NH_IPV4, LW_NH_WHY_OPERATOR, why, whylen) ||
	       synced_fib(&synced_operator_fib, LW_NH_IPV6, LW_NH_WHY_OPERATOR, why, whylen);
}

const struct tcase nexthop_cases[] = {
	/* ---- hits: the cached MACs, no FIB ---- */
	{
		.name = "NH-CACHE decap, cache hit: to the cached MACs, no FIB (the FIB has no neighbour for it)",
		.setup = &cached,
		.side = SIDE_ACC,
		.in = { .l2 = L2_IN_ACC, .ip6 = IP6(B4_A, BR1, 0, 64),
			.ip4 = IP4(SHARED1, NONEIGH_HOST, 0, 64), .l4 = TCP(PORT_A, 80, 16) },
		.act = XDP_REDIRECT,
		.out = FRAME(.l2 = L2_OUT_CACHE_INET, .ip4 = IP4(SHARED1, NONEIGH_HOST, 0, 63),
			     .l4 = TCP(PORT_A, 80, 16)),
		.ctr = { C(RCVD_IPV6, 1), CO(SENT_IPV4, 1) },
		.sw = { { SW_A, 1, 0 } },
	},
	{
		.name = "NH-CACHE encap, cache hit: to the cached MACs, no FIB (the FIB has no neighbour for it)",
		.setup = &cached,
		.side = SIDE_INET,
		.in = { .l2 = L2_IN_INET, .ip4 = IP4(INET_HOST, SHARED2, 0, 64), .l4 = TCP(80, PORT_F, 16) },
		.act = XDP_REDIRECT,
		.out = FRAME(.l2 = L2_OUT_CACHE_ACC, .ip6 = IP6(BR2, B4_F, 0, 64),
			     .ip4 = IP4(INET_HOST, SHARED2, 0, 63), .l4 = TCP(80, PORT_F, 16)),
		.ctr = { C(RCVD_IPV4, 1), CO(SENT_IPV6, 1) },
		.sw = { { SW_F, 0, 1 } },
	},
	{
		.name = "NH-CACHE hairpin, cache hit: re-encapsulated to the cached access-side MACs",
		.setup = &cached,
		.side = SIDE_ACC,
		.in = { .l2 = L2_IN_ACC, .ip6 = IP6(B4_A, BR1, 0, 64),
			.ip4 = IP4(SHARED1, SHARED2, 0, 64), .l4 = UDP(PORT_A, PORT_C, 24) },
		.act = XDP_REDIRECT,
		.out = FRAME(.l2 = L2_OUT_CACHE_ACC, .ip6 = IP6(BR2, B4_C, 0, 64),
			     .ip4 = IP4(SHARED1, SHARED2, 0, 63), .l4 = UDP(PORT_A, PORT_C, 24)),
		.ctr = { C(RCVD_IPV6, 1), CV(HAIRPIN_IPV4, 1) },
		.sw = { { SW_A, 1, 0 }, { SW_C, 0, 1 } },
	},
	/* ---- misses: the FIB decides ---- */
	{
		.name = "NH-CACHE decap to an exception prefix (203.0.113.0/24): the FIB, which hands an unresolved next hop to the kernel",
		.setup = &except_inet,
		.side = SIDE_ACC,
		.in = { .l2 = L2_IN_ACC, .ip6 = IP6(B4_A, BR1, 0, 64),
			.ip4 = IP4(SHARED1, NONEIGH_HOST, 0, 64), .l4 = TCP(PORT_A, 80, 16) },
		.act = XDP_PASS,
		.out = FRAME(.l2 = L2_IN_ACC, .ip4 = IP4(SHARED1, NONEIGH_HOST, 0, 64), .l4 = TCP(PORT_A, 80, 16)),
		.ctr = { C(RCVD_IPV6, 1), C(PASS_NO_NEIGH, 1), CO(SENT_IPV4, 1) },
		.sw = { { SW_A, 1, 0 } },
	},
	{
		.name = "NH-CACHE decap to an exception prefix (203.0.113.0/24): the FIB's next hop",
		.setup = &except_inet,
		.side = SIDE_ACC,
		.in = { .l2 = L2_IN_ACC, .ip6 = IP6(B4_A, BR1, 0, 64),
			.ip4 = IP4(SHARED1, INET_HOST, 0, 64), .l4 = TCP(PORT_A, 80, 16) },
		.act = XDP_REDIRECT,
		.out = FRAME(.l2 = L2_OUT_INET, .ip4 = IP4(SHARED1, INET_HOST, 0, 63), .l4 = TCP(PORT_A, 80, 16)),
		.ctr = { C(RCVD_IPV6, 1), CO(SENT_IPV4, 1) },
		.sw = { { SW_A, 1, 0 } },
	},
	{
		.name = "NH-CACHE decap outside the cached route (198.18.0.0/15): the FIB's next hop",
		.setup = &outside_route,
		.side = SIDE_ACC,
		.in = { .l2 = L2_IN_ACC, .ip6 = IP6(B4_A, BR1, 0, 64),
			.ip4 = IP4(SHARED1, INET_HOST, 0, 64), .l4 = TCP(PORT_A, 80, 16) },
		.act = XDP_REDIRECT,
		.out = FRAME(.l2 = L2_OUT_INET, .ip4 = IP4(SHARED1, INET_HOST, 0, 63), .l4 = TCP(PORT_A, 80, 16)),
		.ctr = { C(RCVD_IPV6, 1), CO(SENT_IPV4, 1) },
		.sw = { { SW_A, 1, 0 } },
	},
	{
		.name = "NH-CACHE encap to an exception prefix (B4_F/128): the FIB, which hands an unresolved next hop to the kernel",
		.setup = &except_b4f,
		.side = SIDE_INET,
		.in = { .l2 = L2_IN_INET, .ip4 = IP4(INET_HOST, SHARED2, 0, 64), .l4 = TCP(80, PORT_F, 16) },
		.act = XDP_PASS,
		.out = FRAME(.l2 = L2_IN_INET, .ip6 = IP6(BR2, B4_F, 0, 64),
			     .ip4 = IP4(INET_HOST, SHARED2, 0, 63), .l4 = TCP(80, PORT_F, 16)),
		.ctr = { C(RCVD_IPV4, 1), C(PASS_NO_NEIGH, 1), CO(SENT_IPV6, 1) },
		.sw = { { SW_F, 0, 1 } },
	},
	{
		.name = "NH-CACHE encap beside the exception (B4_C): still the cached MACs",
		.setup = &except_b4f,
		.side = SIDE_INET,
		.in = { .l2 = L2_IN_INET, .ip4 = IP4(INET_HOST, SHARED2, 0, 64), .l4 = TCP(80, PORT_C, 16) },
		.act = XDP_REDIRECT,
		.out = FRAME(.l2 = L2_OUT_CACHE_ACC, .ip6 = IP6(BR2, B4_C, 0, 64),
			     .ip4 = IP4(INET_HOST, SHARED2, 0, 63), .l4 = TCP(80, PORT_C, 16)),
		.ctr = { C(RCVD_IPV4, 1), CO(SENT_IPV6, 1) },
		.sw = { { SW_C, 0, 1 } },
	},
	{
		.name = "NH-CACHE encap outside the cached route (2001:db8:b4::/126 holds ::a but not ::f): the FIB",
		.setup = &outside_route,
		.side = SIDE_INET,
		.in = { .l2 = L2_IN_INET, .ip4 = IP4(INET_HOST, SHARED2, 0, 64), .l4 = TCP(80, PORT_F, 16) },
		.act = XDP_PASS,
		.out = FRAME(.l2 = L2_IN_INET, .ip6 = IP6(BR2, B4_F, 0, 64),
			     .ip4 = IP4(INET_HOST, SHARED2, 0, 63), .l4 = TCP(80, PORT_F, 16)),
		.ctr = { C(RCVD_IPV4, 1), C(PASS_NO_NEIGH, 1), CO(SENT_IPV6, 1) },
		.sw = { { SW_F, 0, 1 } },
	},
	{
		.name = "NH-CACHE decap, lease expired (a dead daemon): the FIB's next hop",
		.setup = &expired,
		.side = SIDE_ACC,
		.in = { .l2 = L2_IN_ACC, .ip6 = IP6(B4_A, BR1, 0, 64),
			.ip4 = IP4(SHARED1, INET_HOST, 0, 64), .l4 = TCP(PORT_A, 80, 16) },
		.act = XDP_REDIRECT,
		.out = FRAME(.l2 = L2_OUT_INET, .ip4 = IP4(SHARED1, INET_HOST, 0, 63), .l4 = TCP(PORT_A, 80, 16)),
		.ctr = { C(RCVD_IPV6, 1), CO(SENT_IPV4, 1) },
		.sw = { { SW_A, 1, 0 } },
	},
	{
		.name = "NH-CACHE encap, lease expired (a dead daemon): the FIB's next hop",
		.setup = &expired,
		.side = SIDE_INET,
		.in = { .l2 = L2_IN_INET, .ip4 = IP4(INET_HOST, SHARED1, 0, 64), .l4 = TCP(80, PORT_A, 16) },
		.act = XDP_REDIRECT,
		.out = FRAME(.l2 = L2_OUT_ACC, .ip6 = IP6(BR1, B4_A, 0, 64),
			     .ip4 = IP4(INET_HOST, SHARED1, 0, 63), .l4 = TCP(80, PORT_A, 16)),
		.ctr = { C(RCVD_IPV4, 1), CO(SENT_IPV6, 1) },
		.sw = { { SW_A, 0, 1 } },
	},
	{
		.name = "NH-CACHE entry in FIB mode (MACs left in it): the FIB's next hop, unchanged",
		.setup = &fib_mode,
		.side = SIDE_ACC,
		.in = { .l2 = L2_IN_ACC, .ip6 = IP6(B4_A, BR1, 0, 64),
			.ip4 = IP4(SHARED1, NONEIGH_HOST, 0, 64), .l4 = TCP(PORT_A, 80, 16) },
		.act = XDP_PASS,
		.out = FRAME(.l2 = L2_IN_ACC, .ip4 = IP4(SHARED1, NONEIGH_HOST, 0, 64), .l4 = TCP(PORT_A, 80, 16)),
		.ctr = { C(RCVD_IPV6, 1), C(PASS_NO_NEIGH, 1), CO(SENT_IPV4, 1) },
		.sw = { { SW_A, 1, 0 } },
	},
	{
		.name = "NH-CACHE entry in FIB mode, encap: the FIB's next hop, unchanged",
		.setup = &fib_mode,
		.side = SIDE_INET,
		.in = { .l2 = L2_IN_INET, .ip4 = IP4(INET_HOST, SHARED1, 0, 64), .l4 = TCP(80, PORT_A, 16) },
		.act = XDP_REDIRECT,
		.out = FRAME(.l2 = L2_OUT_ACC, .ip6 = IP6(BR1, B4_A, 0, 64),
			     .ip4 = IP4(INET_HOST, SHARED1, 0, 63), .l4 = TCP(80, PORT_A, 16)),
		.ctr = { C(RCVD_IPV4, 1), CO(SENT_IPV6, 1) },
		.sw = { { SW_A, 0, 1 } },
	},
	{
		.name = "NH-CACHE --nexthop fib (LW_CFG_NH_FIB) over a cached entry: the FIB's next hop",
		.setup = &operator_fib,
		.side = SIDE_ACC,
		.in = { .l2 = L2_IN_ACC, .ip6 = IP6(B4_A, BR1, 0, 64),
			.ip4 = IP4(SHARED1, INET_HOST, 0, 64), .l4 = TCP(PORT_A, 80, 16) },
		.act = XDP_REDIRECT,
		.out = FRAME(.l2 = L2_OUT_INET, .ip4 = IP4(SHARED1, INET_HOST, 0, 63), .l4 = TCP(PORT_A, 80, 16)),
		.ctr = { C(RCVD_IPV6, 1), CO(SENT_IPV4, 1) },
		.sw = { { SW_A, 1, 0 } },
	},
	{
		.name = "NH-CACHE --nexthop static over a cached entry: the configured MACs",
		.setup = &static_and_cached,
		.side = SIDE_ACC,
		.in = { .l2 = L2_IN_ACC, .ip6 = IP6(B4_A, BR1, 0, 64),
			.ip4 = IP4(SHARED1, INET_HOST, 0, 64), .l4 = TCP(PORT_A, 80, 16) },
		.act = XDP_REDIRECT,
		.out = FRAME(.l2 = L2_OUT_STATIC_INET, .ip4 = IP4(SHARED1, INET_HOST, 0, 63),
			     .l4 = TCP(PORT_A, 80, 16)),
		.ctr = { C(RCVD_IPV6, 1), CO(SENT_IPV4, 1) },
		.sw = { { SW_A, 1, 0 } },
	},
	/* ---- too big for the cached route's MTU, as bpf_fib_lookup()'s FRAG_NEEDED ---- */
	{
		.name = "NH-CACHE AFTR-ENCAP-4 decap 1400 bytes over the cached MTU 1300, DF: drop + LW_EV_TOO_BIG_DF mtu 1300",
		.setup = &cached_mtu_1300,
		.side = SIDE_ACC,
		.in = { .l2 = L2_IN_ACC, .ip6 = IP6(B4_A, BR1, 0, 64),
			.ip4 = IP4(SHARED1, INET_HOST, 0, 64), .l4 = UDP(PORT_A, 53, 1372) },
		.act = XDP_DROP,
		.ctr = { C(RCVD_IPV6, 1), C(DROP_OVER_MTU_DF, 1) },
		.ev = { EV(TOO_BIG_DF, FROM_B4, 1300, L3, ETH_P_IPV6) },
	},
	{
		.name = "NH-CACHE AFTR-ENCAP-4 decap 1400 bytes over the cached MTU 1300, DF clear: LW_EV_FRAG_NEEDED mtu 1300",
		.setup = &cached_mtu_1300,
		.side = SIDE_ACC,
		.in = { .l2 = L2_IN_ACC, .ip6 = IP6(B4_A, BR1, 0, 64),
			.ip4 = IP4NDF(SHARED1, INET_HOST, 0, 64), .l4 = UDP(PORT_A, 53, 1372) },
		.act = XDP_DROP,
		.ctr = { C(RCVD_IPV6, 1), C(PUNT_FRAG_NEEDED, 1) },
		.ev = { EV(FRAG_NEEDED, FROM_B4, 1300, L3, ETH_P_IPV6) },
	},
	{
		.name = "NH-CACHE AFTR-ENCAP-4 encap to 1310 bytes over the cached MTU 1300, DF: drop + LW_EV_TOO_BIG_DF mtu 1260",
		.setup = &cached_mtu_1300,
		.side = SIDE_INET,
		.in = { .l2 = L2_IN_INET, .ip4 = IP4(INET_HOST, SHARED1, 0, 64), .l4 = TCP(80, PORT_A, 1230) },
		.act = XDP_DROP,
		.ctr = { C(RCVD_IPV4, 1), C(DROP_OVER_MTU_DF, 1) },
		.ev = { EV(TOO_BIG_DF, FROM_INTERNET, 1260, L3, ETH_P_IP) },
	},
	{
		.name = "NH-CACHE AFTR-ENCAP-4 encap to exactly the cached MTU 1300: the cached MACs",
		.setup = &cached_mtu_1300,
		.side = SIDE_INET,
		.in = { .l2 = L2_IN_INET, .ip4 = IP4(INET_HOST, SHARED1, 0, 64), .l4 = TCP(80, PORT_A, 1220) },
		.act = XDP_REDIRECT,
		.out = FRAME(.l2 = L2_OUT_CACHE_ACC, .ip6 = IP6(BR1, B4_A, 0, 64),
			     .ip4 = IP4(INET_HOST, SHARED1, 0, 63), .l4 = TCP(80, PORT_A, 1220)),
		.ctr = { C(RCVD_IPV4, 1), CO(SENT_IPV6, 1) },
		.sw = { { SW_A, 0, 1 } },
	},
	/* ---- filled from the lab's kernel state ---- */
	{
		.name = "NH-CACHE fill: both defaults cached (peer MACs, MTU 1500), the other routes as exceptions",
		.special = synced_entries,
	},
	{
		.name = "NH-CACHE fill: the unresolved route B4_F/128 is an exception, so the FIB hands it to the kernel",
		.setup = &synced,
		.side = SIDE_INET,
		.in = { .l2 = L2_IN_INET, .ip4 = IP4(INET_HOST, SHARED2, 0, 64), .l4 = TCP(80, PORT_F, 16) },
		.act = XDP_PASS,
		.out = FRAME(.l2 = L2_IN_INET, .ip6 = IP6(BR2, B4_F, 0, 64),
			     .ip4 = IP4(INET_HOST, SHARED2, 0, 63), .l4 = TCP(80, PORT_F, 16)),
		.ctr = { C(RCVD_IPV4, 1), C(PASS_NO_NEIGH, 1), CO(SENT_IPV6, 1) },
		.sw = { { SW_F, 0, 1 } },
	},
	{
		.name = "NH-CACHE fill: the MTU-1300 route to B4_G is an exception: 1310 bytes, DF, mtu 1260",
		.setup = &synced,
		.side = SIDE_INET,
		.in = { .l2 = L2_IN_INET, .ip4 = IP4(INET_HOST, SHARED2, 0, 64), .l4 = TCP(80, PORT_G, 1230) },
		.act = XDP_DROP,
		.ctr = { C(RCVD_IPV4, 1), C(DROP_OVER_MTU_DF, 1) },
		.ev = { EV(TOO_BIG_DF, FROM_INTERNET, 1260, L3, ETH_P_IP) },
	},
	{
		.name = "NH-CACHE fill: tagged sides (VLAN 100/200) leave both families to the FIB",
		.special = synced_vlan_fib,
	},
	{
		.name = "NH-CACHE fill: IPv6 forwarding off on the access side leaves IPv6 to the FIB",
		.special = synced_fwd_off_fib,
	},
	{
		.name = "NH-CACHE fill: --nexthop fib leaves both families to the FIB, said so",
		.special = synced_operator,
	},
};

const size_t n_nexthop_cases = sizeof(nexthop_cases) / sizeof(nexthop_cases[0]);
