/* SPDX-License-Identifier: GPL-2.0 */
/* Explicit (PCP MAP/PEER) mappings and port-set leases in the lwB4 maps
 * (lib/b4/b4_maps.c), for pcpd's LAN-facing PCP server (PCPC-12): maps
 * of the lwB4's types created here (include/lw4o6/b4.h, tests/b4_fixture.h),
 * each test on fresh ones. State is planted and checked on the raw maps
 * (session slots, lw_b4_life, the lw_b4_out index, the pool), never through
 * the library under test. Needs bpf(): skipped where map creation is not
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

#define S(x) ((uint64_t)(x) * 1000000000ull)

#define PUB   "198.51.100.1"  /* set 1024..2047 */
#define PUB2  "198.51.100.2"  /* set 4096..5119 */
#define HOST1 "192.168.1.10"
#define HOST2 "192.168.1.11"
#define INET1 "203.0.113.10"
#define INET2 "203.0.113.20"

static struct lw_b4_maps M;

/* The held sets as setup writes them: slots 0 and 1, side by side from
 * position 0 (as lw_b4_pool_add places them). */
static const struct {
	const char *addr;
	__u32 first, size, base;
} held[2] = { { PUB, 1024, 1024, 0 }, { PUB2, 4096, 1024, 1024 } };

static int teardown(void **state)
{
	fx_maps_close(&M);
	(void)state;
	return 0;
}

/* Fresh maps of the lwB4's types; *state = &M, or NULL without bpf(). */
static int setup(void **state)
{
	struct lw_b4_config cfg;
	__u32 k = 0;

	*state = NULL;
	fx_maps_create(&M);
	if (M.cfg < 0)
		return 0; /* no bpf(): the tests skip */
	assert_true(fx_maps_ok(&M));
	memset(&cfg, 0, sizeof(cfg));
	cfg.udp_timeout = 300;
	cfg.tcp_est_timeout = 7440;
	cfg.tcp_trans_timeout = 240;
	cfg.icmp_timeout = 60;
	assert_int_equal(bpf_map_update_elem(M.cfg, &k, &cfg, BPF_ANY), 0);
	for (k = 0; k < 2; k++) {
		struct lw_b4_portset ps = { .ipv4 = ip4(held[k].addr), .first = held[k].first,
					    .size = held[k].size, .base = held[k].base };

		if (k == 1)
			ps.lease_expires = 1700000000;
		assert_int_equal(bpf_map_update_elem(M.pool, &k, &ps, BPF_ANY), 0);
	}
	*state = &M;
	return 0;
}

#define NEED_BPF() do { if (!*state) skip(); } while (0)

/* ---- raw map access ---------------------------------------------------------- */

/* The slot of external endpoint ea:ep: its held set's position; one outside
 * every held set's positions for an endpoint no held set has (a mapping a
 * race with a set's removal could leave). */
static __u32 ext_slot(uint8_t proto, const char *ea, uint16_t ep)
{
	for (int i = 0; i < 2; i++)
		if (ip4(ea) == ip4(held[i].addr) && ep >= held[i].first &&
		    ep - held[i].first < held[i].size)
			return fx_pos(proto, held[i].base, held[i].first, ep);
	return fx_pos(proto, 2048, 0, ep % 2048);
}

/* A mapping as the data plane leaves it (slot, life, index), plus pcp fields. */
static void plant(uint8_t proto, const char *ia, uint16_t ip, const char *ea, uint16_t ep,
		  const char *remote, uint32_t kind, uint64_t until)
{
	struct fx_mapping x = { .proto = proto, .int_addr = ip4(ia), .int_port = htons(ip),
				.ext_addr = ip4(ea), .ext_port = htons(ep),
				.pos = ext_slot(proto, ea, ep) };

	x.s.next_remote = 1;
	x.s.last_out_ns = S(150);
	x.s.last_in_ns = S(140);
	x.s.packets_out = 7;
	x.s.packets_in = 5;
	x.s.pcp_kind = (__u8)kind;
	x.s.remotes[0] = remote ? ip4(remote) : 0;
	x.l.created_ns = S(100);
	x.l.pcp_until_ns = until;
	assert_int_equal(fx_plant(&M, &x), 0);
}

/* The mapping of an internal endpoint, read raw into the library's view
 * type (a container here). */
static bool get_out(uint8_t proto, const char *a, uint16_t port, struct lw_b4_session *s)
{
	struct fx_mapping x;
	bool ok = fx_get_out(&M, proto, ip4(a), htons(port), &x);

	memset(s, 0, sizeof(*s));
	if (!ok)
		return false;
	s->ext_addr = x.ext_addr;
	s->ext_port = x.ext_port;
	s->tcp_state = x.s.tcp_state;
	s->next_remote = x.s.next_remote;
	memcpy(s->remotes, x.s.remotes, sizeof(s->remotes));
	s->created_ns = x.l.created_ns;
	s->last_out_ns = x.s.last_out_ns;
	s->last_in_ns = x.s.last_in_ns;
	s->packets_out = x.s.packets_out;
	s->packets_in = x.s.packets_in;
	s->pcp_until_ns = x.l.pcp_until_ns;
	s->pcp_kind = x.s.pcp_kind;
	s->live = x.s.live;
	return true;
}

/* The internal endpoint of the live mapping of an external endpoint. */
struct fx_in {
	__be32 addr;
	__be16 port;
};

static bool get_in(uint8_t proto, const char *a, uint16_t port, struct fx_in *v)
{
	struct fx_mapping x;

	if (!fx_get_slot(&M, ext_slot(proto, a, port), ip4(a), htons(port), &x))
		return false;
	v->addr = x.int_addr;
	v->port = x.int_port;
	return true;
}

static void set_usage(uint64_t created, uint64_t released)
{
	struct lw_b4_usage c = { .count = created }, r = { .count = released };
	__u32 kc = LW_B4_USAGE_CREATED, kr = LW_B4_USAGE_RELEASED;

	assert_int_equal(bpf_map_update_elem(M.usage, &kc, &c, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(M.usage, &kr, &r, BPF_ANY), 0);
}

static uint64_t usage_slot(__u32 slot)
{
	struct lw_b4_usage u;

	assert_int_equal(bpf_map_lookup_elem(M.usage, &slot, &u), 0);
	return u.count;
}

/* ---- lw_b4_explicit_set ------------------------------------------------------- */

/* PCPC-12, B4-NAT-3: a new MAP mapping is both entries, on the wanted
 * endpoint, and counts as one more port mapped (B4-NAT-17). */
static void test_set_new(void **state)
{
	struct lw_b4_session s;
	struct fx_in iv;
	__be32 ga = 0;
	__be16 gp = 0;
	uint64_t mapped = 99;

	NEED_BPF();
	set_usage(5, 3); /* 2 ports mapped by the data plane so far */
	assert_int_equal(lw_b4_explicit_set(&M, IPPROTO_UDP, ip4(HOST1), htons(5000), ip4(PUB), htons(1500),
					    LW_B4_PCP_MAP, 0, S(5000), &ga, &gp), 0);
	assert_int_equal(ga, ip4(PUB));
	assert_int_equal(ntohs(gp), 1500);
	assert_true(get_out(IPPROTO_UDP, HOST1, 5000, &s));
	assert_int_equal(s.ext_addr, ip4(PUB));
	assert_int_equal(ntohs(s.ext_port), 1500);
	assert_int_equal(s.pcp_kind, LW_B4_PCP_MAP);
	assert_int_equal(s.pcp_until_ns, S(5000));
	assert_int_equal(s.tcp_state, 0);
	assert_int_equal(s.remotes[0], 0); /* MAP without a peer: none */
	assert_true(s.created_ns != 0);
	assert_true(get_in(IPPROTO_UDP, PUB, 1500, &iv));
	assert_int_equal(iv.addr, ip4(HOST1));
	assert_int_equal(ntohs(iv.port), 5000);
	assert_int_equal(fx_count_index(&M), 1);
	assert_int_equal(fx_count_claimed(&M), 1);
	/* CREATED is the data plane's: RELEASED goes down by one */
	assert_int_equal(usage_slot(LW_B4_USAGE_CREATED), 5);
	assert_int_equal(usage_slot(LW_B4_USAGE_RELEASED), 2);
	assert_int_equal(lw_b4_usage_read(&M, &mapped), 0);
	assert_int_equal(mapped, 3);

	/* PEER on another protocol: the peer is the one remote */
	assert_int_equal(lw_b4_explicit_set(&M, IPPROTO_TCP, ip4(HOST1), htons(5000), ip4(PUB2),
					    htons(4097), LW_B4_PCP_PEER, ip4(INET1), S(6000), &ga, &gp), 0);
	assert_true(get_out(IPPROTO_TCP, HOST1, 5000, &s));
	assert_int_equal(s.ext_addr, ip4(PUB2));
	assert_int_equal(ntohs(s.ext_port), 4097);
	assert_int_equal(s.pcp_kind, LW_B4_PCP_PEER);
	assert_int_equal(s.remotes[0], ip4(INET1));
	assert_int_equal(s.remotes[1], 0);
	assert_true(get_in(IPPROTO_TCP, PUB2, 4097, &iv));
	assert_int_equal(usage_slot(LW_B4_USAGE_RELEASED), 1);
}

/* From zero, RELEASED wraps below zero and usage still reads right. */
static void test_set_usage_from_zero(void **state)
{
	__be32 ga;
	__be16 gp;
	uint64_t mapped = 99;

	NEED_BPF();
	set_usage(0, 0);
	assert_int_equal(lw_b4_explicit_set(&M, IPPROTO_UDP, ip4(HOST1), htons(5000), ip4(PUB), htons(1500),
					    LW_B4_PCP_MAP, 0, S(5000), &ga, &gp), 0);
	assert_int_equal(usage_slot(LW_B4_USAGE_CREATED) - usage_slot(LW_B4_USAGE_RELEASED), 1);
	assert_int_equal(lw_b4_usage_read(&M, &mapped), 0);
	assert_int_equal(mapped, 1);
	/* deleting it (user space releases) brings usage back to 0 */
	assert_int_equal(lw_b4_explicit_del(&M, IPPROTO_UDP, ip4(HOST1), htons(5000)), 0);
	assert_int_equal(usage_slot(LW_B4_USAGE_RELEASED), 0);
	assert_int_equal(lw_b4_usage_read(&M, &mapped), 0);
	assert_int_equal(mapped, 0);
}

/* RFC 6887 §11.3, B4-NAT-2: the endpoint's dynamic mapping keeps its
 * external port and becomes explicit; nothing else changes. */
static void test_set_existing_dynamic(void **state)
{
	struct lw_b4_session before, s;
	struct fx_in iv;
	__be32 ga = 0;
	__be16 gp = 0;

	NEED_BPF();
	set_usage(1, 0);
	plant(IPPROTO_UDP, HOST1, 40000, PUB, 1100, INET1, LW_B4_PCP_NONE, 0);
	assert_true(get_out(IPPROTO_UDP, HOST1, 40000, &before));
	assert_int_equal(lw_b4_explicit_set(&M, IPPROTO_UDP, ip4(HOST1), htons(40000), ip4(PUB),
					    htons(1500), LW_B4_PCP_MAP, 0, S(9000), &ga, &gp), 0);
	assert_int_equal(ga, ip4(PUB));
	assert_int_equal(ntohs(gp), 1100);
	assert_true(get_out(IPPROTO_UDP, HOST1, 40000, &s));
	assert_int_equal(s.pcp_kind, LW_B4_PCP_MAP);
	assert_int_equal(s.pcp_until_ns, S(9000));
	/* the rest as the data plane left it */
	s.pcp_kind = before.pcp_kind;
	s.pcp_until_ns = before.pcp_until_ns;
	assert_memory_equal(&s, &before, sizeof(s));
	assert_false(get_in(IPPROTO_UDP, PUB, 1500, &iv)); /* the wanted port untouched */
	assert_true(get_in(IPPROTO_UDP, PUB, 1100, &iv));
	assert_int_equal(fx_count_index(&M), 1);
	assert_int_equal(fx_count_claimed(&M), 1);
	/* no new port mapped */
	assert_int_equal(usage_slot(LW_B4_USAGE_CREATED), 1);
	assert_int_equal(usage_slot(LW_B4_USAGE_RELEASED), 0);

	/* then PEER with a shorter lifetime: exactly this kind and until; the
	 * peer joins the remote the mapping already had */
	assert_int_equal(lw_b4_explicit_set(&M, IPPROTO_UDP, ip4(HOST1), htons(40000), ip4(PUB),
					    htons(1500), LW_B4_PCP_PEER, ip4(INET2), S(8000), &ga, &gp), 0);
	assert_int_equal(ntohs(gp), 1100);
	assert_true(get_out(IPPROTO_UDP, HOST1, 40000, &s));
	assert_int_equal(s.pcp_kind, LW_B4_PCP_PEER);
	assert_int_equal(s.pcp_until_ns, S(8000));
	assert_int_equal(s.remotes[0], ip4(INET1));
	assert_int_equal(s.remotes[1], ip4(INET2));
	assert_int_equal(s.ext_port, before.ext_port);
	/* MAP with a peer (pcpd combining a MAP and a PEER of one endpoint):
	 * MAP, and the peer remembered for when only the PEER is left */
	assert_int_equal(lw_b4_explicit_set(&M, IPPROTO_UDP, ip4(HOST1), htons(40000), ip4(PUB),
					    htons(1500), LW_B4_PCP_MAP, ip4(HOST2), S(8500), &ga, &gp), 0);
	assert_true(get_out(IPPROTO_UDP, HOST1, 40000, &s));
	assert_int_equal(s.pcp_kind, LW_B4_PCP_MAP);
	assert_int_equal(s.pcp_until_ns, S(8500));
	assert_int_equal(s.remotes[2], ip4(HOST2));
	/* the same peer again is not remembered twice */
	assert_int_equal(lw_b4_explicit_set(&M, IPPROTO_UDP, ip4(HOST1), htons(40000), ip4(PUB),
					    htons(1500), LW_B4_PCP_PEER, ip4(INET2), S(8000), &ga, &gp), 0);
	assert_true(get_out(IPPROTO_UDP, HOST1, 40000, &s));
	assert_int_equal(s.pcp_kind, LW_B4_PCP_PEER);
	assert_int_equal(s.remotes[3], 0);
	assert_int_equal(s.next_remote, 3);
	assert_int_equal(usage_slot(LW_B4_USAGE_RELEASED), 0);
}

/* B4-NAT-3: the wanted port carries another host's mapping. */
static void test_set_eexist(void **state)
{
	struct lw_b4_session s;
	struct fx_in iv;
	__be32 ga;
	__be16 gp;

	NEED_BPF();
	set_usage(1, 0);
	plant(IPPROTO_TCP, HOST2, 1500, PUB, 1500, INET1, LW_B4_PCP_NONE, 0);
	assert_int_equal(lw_b4_explicit_set(&M, IPPROTO_TCP, ip4(HOST1), htons(5000), ip4(PUB), htons(1500),
					    LW_B4_PCP_MAP, 0, S(5000), &ga, &gp), -EEXIST);
	assert_false(get_out(IPPROTO_TCP, HOST1, 5000, &s));
	assert_true(get_in(IPPROTO_TCP, PUB, 1500, &iv));
	assert_int_equal(iv.addr, ip4(HOST2)); /* still HOST2's */
	assert_true(get_out(IPPROTO_TCP, HOST2, 1500, &s));
	assert_int_equal(s.pcp_kind, LW_B4_PCP_NONE);
	assert_int_equal(fx_count_index(&M), 1);
	assert_int_equal(fx_count_claimed(&M), 1);
	assert_int_equal(usage_slot(LW_B4_USAGE_RELEASED), 0);
	/* the same port number of the other protocol is free */
	assert_int_equal(lw_b4_explicit_set(&M, IPPROTO_UDP, ip4(HOST1), htons(5000), ip4(PUB), htons(1500),
					    LW_B4_PCP_MAP, 0, S(5000), &ga, &gp), 0);
}

/* -ERANGE outside the pool; argument checks; nothing written. */
static void test_set_erange_and_args(void **state)
{
	__be32 ga;
	__be16 gp;

	NEED_BPF();
	set_usage(0, 0);
	/* port outside the set, port of the other set's range on PUB, an
	 * address that is not ours, the port just past the set */
	assert_int_equal(lw_b4_explicit_set(&M, IPPROTO_UDP, ip4(HOST1), htons(5000), ip4(PUB), htons(3000),
					    LW_B4_PCP_MAP, 0, S(5000), &ga, &gp), -ERANGE);
	assert_int_equal(lw_b4_explicit_set(&M, IPPROTO_UDP, ip4(HOST1), htons(5000), ip4(PUB), htons(4096),
					    LW_B4_PCP_MAP, 0, S(5000), &ga, &gp), -ERANGE);
	assert_int_equal(lw_b4_explicit_set(&M, IPPROTO_UDP, ip4(HOST1), htons(5000), ip4(INET1),
					    htons(1500), LW_B4_PCP_MAP, 0, S(5000), &ga, &gp), -ERANGE);
	assert_int_equal(lw_b4_explicit_set(&M, IPPROTO_UDP, ip4(HOST1), htons(5000), ip4(PUB), htons(2048),
					    LW_B4_PCP_MAP, 0, S(5000), &ga, &gp), -ERANGE);
	assert_int_equal(lw_b4_explicit_set(&M, IPPROTO_UDP, ip4(HOST1), htons(5000), ip4(PUB), htons(1023),
					    LW_B4_PCP_MAP, 0, S(5000), &ga, &gp), -ERANGE);
	/* kind, lifetime, peer, protocol */
	assert_int_equal(lw_b4_explicit_set(&M, IPPROTO_UDP, ip4(HOST1), htons(5000), ip4(PUB), htons(1500),
					    LW_B4_PCP_NONE, 0, S(5000), &ga, &gp), -EINVAL);
	assert_int_equal(lw_b4_explicit_set(&M, IPPROTO_UDP, ip4(HOST1), htons(5000), ip4(PUB), htons(1500),
					    (enum lw_b4_pcp_kind)3, 0, S(5000), &ga, &gp), -EINVAL);
	assert_int_equal(lw_b4_explicit_set(&M, IPPROTO_UDP, ip4(HOST1), htons(5000), ip4(PUB), htons(1500),
					    LW_B4_PCP_MAP, 0, 0, &ga, &gp), -EINVAL);
	assert_int_equal(lw_b4_explicit_set(&M, IPPROTO_UDP, ip4(HOST1), htons(5000), ip4(PUB), htons(1500),
					    LW_B4_PCP_PEER, 0, S(5000), &ga, &gp), -EINVAL);
	assert_int_equal(lw_b4_explicit_set(&M, IPPROTO_ICMP, ip4(HOST1), htons(5000), ip4(PUB), htons(1500),
					    LW_B4_PCP_MAP, 0, S(5000), &ga, &gp), -EPROTONOSUPPORT);
	assert_int_equal(fx_count_index(&M), 0);
	assert_int_equal(fx_count_claimed(&M), 0);
	assert_int_equal(usage_slot(LW_B4_USAGE_RELEASED), 0);
	/* the edges of the sets are inside */
	assert_int_equal(lw_b4_explicit_set(&M, IPPROTO_UDP, ip4(HOST1), htons(5000), ip4(PUB), htons(2047),
					    LW_B4_PCP_MAP, 0, S(5000), &ga, &gp), 0);
	assert_int_equal(lw_b4_explicit_set(&M, IPPROTO_UDP, ip4(HOST1), htons(5001), ip4(PUB2),
					    htons(4096), LW_B4_PCP_MAP, 0, S(5000), &ga, &gp), 0);
}

/* ---- lw_b4_explicit_del, lw_b4_ext_port_free ---------------------------------- */

static void test_del(void **state)
{
	struct lw_b4_session s;
	struct fx_in iv;

	NEED_BPF();
	set_usage(1, (uint64_t)-1); /* one explicit, one dynamic mapping */
	plant(IPPROTO_UDP, HOST1, 5000, PUB, 1500, NULL, LW_B4_PCP_MAP, S(5000));
	plant(IPPROTO_UDP, HOST2, 40000, PUB, 1100, INET1, LW_B4_PCP_NONE, 0);
	assert_false(lw_b4_ext_port_free(&M, IPPROTO_UDP, ip4(PUB), htons(1500)));
	assert_false(lw_b4_ext_port_free(&M, IPPROTO_UDP, ip4(PUB), htons(1100)));
	assert_true(lw_b4_ext_port_free(&M, IPPROTO_UDP, ip4(PUB), htons(1501)));
	assert_true(lw_b4_ext_port_free(&M, IPPROTO_TCP, ip4(PUB), htons(1500)));

	/* dynamic: refused, left alone */
	assert_int_equal(lw_b4_explicit_del(&M, IPPROTO_UDP, ip4(HOST2), htons(40000)), -EPERM);
	assert_true(get_out(IPPROTO_UDP, HOST2, 40000, &s));
	assert_true(get_in(IPPROTO_UDP, PUB, 1100, &iv));
	/* none */
	assert_int_equal(lw_b4_explicit_del(&M, IPPROTO_UDP, ip4(HOST1), htons(5001)), -ENOENT);
	assert_int_equal(lw_b4_explicit_del(&M, IPPROTO_TCP, ip4(HOST1), htons(5000)), -ENOENT);
	assert_int_equal(usage_slot(LW_B4_USAGE_RELEASED), (uint64_t)-1);
	/* explicit: both directions go, one port released */
	assert_int_equal(lw_b4_explicit_del(&M, IPPROTO_UDP, ip4(HOST1), htons(5000)), 0);
	assert_false(get_out(IPPROTO_UDP, HOST1, 5000, &s));
	assert_false(get_in(IPPROTO_UDP, PUB, 1500, &iv));
	assert_true(lw_b4_ext_port_free(&M, IPPROTO_UDP, ip4(PUB), htons(1500)));
	assert_int_equal(fx_count_index(&M), 1);
	assert_int_equal(fx_count_claimed(&M), 1);
	assert_int_equal(usage_slot(LW_B4_USAGE_RELEASED), 0);
	assert_int_equal(lw_b4_explicit_del(&M, IPPROTO_UDP, ip4(HOST1), htons(5000)), -ENOENT);
}

/* ---- expiry (RFC 6887 §15) ---------------------------------------------------- */

/* lw_b4_expire on the maps: the dynamic mapping goes on its idle timer, the
 * explicit one (idle as long) stays until its lifetime ends, then goes in
 * both directions. */
static void test_expire_explicit(void **state)
{
	struct lw_b4_session s;
	struct fx_in iv;
	size_t n = 99;

	NEED_BPF();
	set_usage(1, (uint64_t)-1);
	plant(IPPROTO_UDP, HOST1, 5000, PUB, 1500, NULL, LW_B4_PCP_MAP, S(2000));
	plant(IPPROTO_UDP, HOST2, 40000, PUB, 1100, INET1, LW_B4_PCP_NONE, 0);
	/* last_out 150 s: UDP idle past 300 s at 451 s */
	assert_int_equal(lw_b4_expire(&M, S(451), &n), 0);
	assert_int_equal(n, 1);
	assert_false(get_out(IPPROTO_UDP, HOST2, 40000, &s));
	assert_true(get_out(IPPROTO_UDP, HOST1, 5000, &s));
	assert_int_equal(lw_b4_expire(&M, S(2000) - 1, &n), 0);
	assert_int_equal(n, 0);
	assert_true(get_in(IPPROTO_UDP, PUB, 1500, &iv));
	assert_int_equal(lw_b4_expire(&M, S(2000), &n), 0);
	assert_int_equal(n, 1);
	assert_false(get_out(IPPROTO_UDP, HOST1, 5000, &s));
	assert_false(get_in(IPPROTO_UDP, PUB, 1500, &iv));
	assert_int_equal(fx_count_index(&M), 0);
	assert_int_equal(fx_count_claimed(&M), 0);
	assert_int_equal(usage_slot(LW_B4_USAGE_RELEASED), 1); /* = CREATED: 0 mapped */
}

/* ---- port sets ----------------------------------------------------------------- */

/* B4-PROV-6: a set that leaves takes its explicit mappings too. */
static void test_pool_del_flushes_explicit(void **state)
{
	struct lw_b4_portset ps = { .ipv4 = ip4(PUB), .first = 1024, .size = 1024 };
	struct lw_b4_session s;
	size_t n = 0;

	NEED_BPF();
	set_usage(2, (uint64_t)-2); /* 4 mapped: 2 by the data plane, 2 explicit */
	plant(IPPROTO_UDP, HOST1, 5000, PUB, 1500, NULL, LW_B4_PCP_MAP, S(5000));
	plant(IPPROTO_TCP, HOST1, 6000, PUB, 1600, INET1, LW_B4_PCP_PEER, S(5000));
	plant(IPPROTO_UDP, HOST2, 40000, PUB, 1100, INET1, LW_B4_PCP_NONE, 0);
	plant(IPPROTO_UDP, HOST2, 40001, PUB2, 4100, INET1, LW_B4_PCP_MAP, S(5000));
	assert_int_equal(lw_b4_pool_del(&M, &ps, &n), 0);
	assert_int_equal(n, 3);
	assert_false(get_out(IPPROTO_UDP, HOST1, 5000, &s));
	assert_false(get_out(IPPROTO_TCP, HOST1, 6000, &s));
	assert_true(get_out(IPPROTO_UDP, HOST2, 40001, &s));
	assert_int_equal(fx_count_index(&M), 1);
	assert_int_equal(fx_count_claimed(&M), 1);
	assert_int_equal(usage_slot(LW_B4_USAGE_RELEASED), 1); /* 3 released: 2 - 1 = 1 mapped */
}

static void test_pool_mappings(void **state)
{
	struct lw_b4_portset sets[3] = {
		{ .ipv4 = ip4(PUB2), .first = 4096, .size = 1024 },
		{ .ipv4 = ip4(PUB), .first = 1024, .size = 1024 },
		{ .ipv4 = ip4(PUB), .first = 8192, .size = 8 }, /* not held: counts what lies in it */
	};
	uint32_t counts[3] = { 9, 9, 9 }, pcp[3] = { 9, 9, 9 };

	NEED_BPF();
	plant(IPPROTO_UDP, HOST1, 5000, PUB, 1024, NULL, LW_B4_PCP_MAP, S(5000));
	plant(IPPROTO_UDP, HOST2, 40000, PUB, 2047, INET1, LW_B4_PCP_NONE, 0);
	plant(IPPROTO_TCP, HOST1, 6000, PUB2, 4096, INET1, LW_B4_PCP_PEER, S(5000));
	plant(IPPROTO_TCP, HOST1, 6001, PUB2, 5119, NULL, LW_B4_PCP_MAP, S(5000));
	plant(IPPROTO_UDP, HOST1, 6002, PUB2, 4500, INET2, LW_B4_PCP_NONE, 0);
	plant(IPPROTO_UDP, HOST1, 6003, PUB, 3000, INET2, LW_B4_PCP_NONE, 0); /* in no set */
	plant(IPPROTO_UDP, HOST1, 6004, PUB, 8195, INET2, LW_B4_PCP_NONE, 0);
	assert_int_equal(lw_b4_pool_mappings(&M, sets, 3, counts, pcp), 0);
	assert_int_equal(counts[0], 3);
	assert_int_equal(pcp[0], 2);
	assert_int_equal(counts[1], 2);
	assert_int_equal(pcp[1], 1);
	assert_int_equal(counts[2], 1);
	assert_int_equal(pcp[2], 0);
	/* pcp may be NULL */
	memset(counts, 0xff, sizeof(counts));
	assert_int_equal(lw_b4_pool_mappings(&M, sets, 2, counts, NULL), 0);
	assert_int_equal(counts[0], 3);
	assert_int_equal(counts[1], 2);
	assert_int_equal(counts[2], 0xffffffffu); /* n = 2: left alone */
}

static void test_pool_lease(void **state)
{
	struct lw_b4_portset ps = { .ipv4 = ip4(PUB2), .first = 4096, .size = 1024, .lease_expires = 1800000000 };
	struct lw_b4_portset add = { .ipv4 = ip4(PUB), .first = 8192, .size = 4096, .lease_expires = 1750000000 };
	struct lw_b4_portset cur;
	__u32 k;

	NEED_BPF();
	/* lw_b4_pool_add stores the lease as given (slot 2, the first free) */
	assert_int_equal(lw_b4_pool_add(&M, &add), 0);
	k = 2;
	assert_int_equal(bpf_map_lookup_elem(M.pool, &k, &cur), 0);
	/* placed at the lowest free positions that are a multiple of its size
	 * (0 .. 2047 are held) */
	add.base = 4096;
	assert_memory_equal(&cur, &add, sizeof(cur));

	assert_int_equal(lw_b4_pool_set_lease(&M, &ps), 0);
	k = 1;
	assert_int_equal(bpf_map_lookup_elem(M.pool, &k, &cur), 0);
	assert_int_equal(cur.lease_expires, 1800000000);
	assert_int_equal(cur.ipv4, ip4(PUB2));
	assert_int_equal(cur.first, 4096);
	assert_int_equal(cur.size, 1024);
	/* the other sets untouched */
	k = 0;
	assert_int_equal(bpf_map_lookup_elem(M.pool, &k, &cur), 0);
	assert_int_equal(cur.lease_expires, 0);
	k = 2;
	assert_int_equal(bpf_map_lookup_elem(M.pool, &k, &cur), 0);
	assert_int_equal(cur.lease_expires, 1750000000);
	/* back to static */
	ps.lease_expires = 0;
	assert_int_equal(lw_b4_pool_set_lease(&M, &ps), 0);
	k = 1;
	assert_int_equal(bpf_map_lookup_elem(M.pool, &k, &cur), 0);
	assert_int_equal(cur.lease_expires, 0);
	/* not held: another size, another first, another address, a free slot's zeroes */
	ps.size = 512;
	assert_int_equal(lw_b4_pool_set_lease(&M, &ps), -ENOENT);
	ps.size = 1024;
	ps.first = 5120;
	assert_int_equal(lw_b4_pool_set_lease(&M, &ps), -ENOENT);
	ps.first = 4096;
	ps.ipv4 = ip4(PUB);
	assert_int_equal(lw_b4_pool_set_lease(&M, &ps), -ENOENT);
	memset(&ps, 0, sizeof(ps));
	assert_int_equal(lw_b4_pool_set_lease(&M, &ps), -ENOENT);
}

/* ---- positions (issue 11) ------------------------------------------------------ */

static __u32 slot_base(__u32 slot)
{
	struct lw_b4_portset cur;

	assert_int_equal(bpf_map_lookup_elem(M.pool, &slot, &cur), 0);
	return cur.size ? cur.base : 0xffffffffu;
}

/* A set takes the lowest free aligned block of LW_B4_POOL_PORTS positions;
 * a set that fits in no such block is refused (-ENOSPC) with nothing
 * written, even when enough positions are free in pieces. */
static void test_pool_positions(void **state)
{
	struct lw_b4_portset a = { .ipv4 = ip4(PUB), .first = 0, .size = 2048 };
	struct lw_b4_portset whole = { .ipv4 = ip4(INET1), .first = 0, .size = 65536 };
	struct lw_b4_portset half = { .ipv4 = ip4(INET1), .first = 32768, .size = 32768 };
	struct lw_b4_portset q1 = { .ipv4 = ip4(INET2), .first = 16384, .size = 16384 };
	struct lw_b4_portset q2 = { .ipv4 = ip4(INET2), .first = 32768, .size = 16384 };
	struct lw_b4_portset cur;
	__u32 k;

	NEED_BPF();
	/* PUB 0..2047 overlaps PUB's held 1024..2047 */
	assert_int_equal(lw_b4_pool_add(&M, &a), -EEXIST);
	a.ipv4 = ip4(PUB2);
	assert_int_equal(lw_b4_pool_add(&M, &a), 0);
	assert_int_equal(slot_base(2), 2048);
	assert_int_equal(lw_b4_pool_add(&M, &whole), -ENOSPC);
	assert_int_equal(lw_b4_pool_add(&M, &half), 0);
	assert_int_equal(slot_base(3), 32768);
	assert_int_equal(lw_b4_pool_add(&M, &q1), 0);
	assert_int_equal(slot_base(4), 16384);
	/* 4096 .. 16383 are free, but no aligned block of 16384 is */
	assert_int_equal(lw_b4_pool_add(&M, &q2), -ENOSPC);
	k = 5;
	assert_int_equal(bpf_map_lookup_elem(M.pool, &k, &cur), 0);
	assert_int_equal(cur.size, 0);
}

/* A mapping left in positions no held set has (a race with a set's
 * removal) goes when a new set takes them: slot and index, one port
 * released. */
static void test_pool_add_flushes_positions(void **state)
{
	struct lw_b4_portset add = { .ipv4 = ip4(INET1), .first = 2048, .size = 2048 };
	struct lw_b4_session s;
	uint64_t mapped = 9;

	NEED_BPF();
	set_usage(1, 0);
	/* INET1:5000 lies at position 2048 + 904: no held set's */
	plant(IPPROTO_UDP, HOST1, 40000, INET1, 5000, INET2, LW_B4_PCP_NONE, 0);
	assert_int_equal(fx_count_claimed(&M), 1);
	assert_int_equal(lw_b4_pool_add(&M, &add), 0);
	assert_int_equal(slot_base(2), 2048);
	assert_false(get_out(IPPROTO_UDP, HOST1, 40000, &s));
	assert_int_equal(fx_count_claimed(&M), 0);
	assert_int_equal(fx_count_index(&M), 0);
	assert_int_equal(lw_b4_usage_read(&M, &mapped), 0);
	assert_int_equal(mapped, 0);
}

/* Held sets stay in the first slots (the data plane stops at a free one):
 * the last moves into the slot a removed set frees; its mappings stay. */
static void test_pool_del_compacts(void **state)
{
	struct lw_b4_portset add = { .ipv4 = ip4(INET1), .first = 2048, .size = 2048 };
	struct lw_b4_portset first = { .ipv4 = ip4(PUB), .first = 1024, .size = 1024 };
	struct lw_b4_portset cur;
	struct lw_b4_session s;
	__u32 k;

	NEED_BPF();
	set_usage(1, (uint64_t)-1);
	assert_int_equal(lw_b4_pool_add(&M, &add), 0);
	assert_int_equal(lw_b4_explicit_set(&M, IPPROTO_UDP, ip4(HOST1), htons(5000), ip4(INET1),
					    htons(2050), LW_B4_PCP_MAP, 0, S(5000), &(__be32){ 0 },
					    &(__be16){ 0 }), 0);
	plant(IPPROTO_UDP, HOST2, 40000, PUB, 1100, INET1, LW_B4_PCP_NONE, 0);
	assert_int_equal(lw_b4_pool_del(&M, &first, NULL), 0);
	k = 0;
	assert_int_equal(bpf_map_lookup_elem(M.pool, &k, &cur), 0);
	assert_int_equal(cur.ipv4, ip4(INET1));
	assert_int_equal(cur.base, 2048);
	k = 1;
	assert_int_equal(bpf_map_lookup_elem(M.pool, &k, &cur), 0);
	assert_int_equal(cur.ipv4, ip4(PUB2));
	k = 2;
	assert_int_equal(bpf_map_lookup_elem(M.pool, &k, &cur), 0);
	assert_int_equal(cur.size, 0);
	assert_false(get_out(IPPROTO_UDP, HOST2, 40000, &s));
	assert_true(get_out(IPPROTO_UDP, HOST1, 5000, &s));
	assert_int_equal(ntohs(s.ext_port), 2050);
	/* the set that moved keeps its positions: its mapping is where it was */
	assert_true(lw_b4_ext_port_free(&M, IPPROTO_UDP, ip4(INET1), htons(2051)));
	assert_false(lw_b4_ext_port_free(&M, IPPROTO_UDP, ip4(INET1), htons(2050)));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_set_new),
		T(test_set_usage_from_zero),
		T(test_set_existing_dynamic),
		T(test_set_eexist),
		T(test_set_erange_and_args),
		T(test_del),
		T(test_expire_explicit),
		T(test_pool_del_flushes_explicit),
		T(test_pool_mappings),
		T(test_pool_lease),
		T(test_pool_positions),
		T(test_pool_add_flushes_positions),
		T(test_pool_del_compacts),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
