/* SPDX-License-Identifier: GPL-2.0 */
/* The next-hop cache's judge (lib/net/nh_classify.c) fed rtnetlink messages
 * as the kernel sends them (lib/net/nh_netlink.c parses them): one default
 * route is cached, ECMP and invalid neighbours are not, other routes become
 * exceptions; and the map writer (lib/net/nh_map.c) on a real map. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>
#include <cmocka.h>

#include "nh_classify.h"
#include "nh_map.h"
#include "nh_netlink.h"

enum { LO = 1, ACC = 2, WAN = 3, OTHER = 4 };

static const uint8_t acc_mac[6] = { 2, 0, 0, 0, 0xa, 1 };
static const uint8_t wan_mac[6] = { 2, 0, 0, 0, 0x1e, 1 };
static const uint8_t gw4_mac[6] = { 2, 0, 0, 0, 0x1e, 2 };
static const uint8_t gw6_mac[6] = { 2, 0, 0, 0, 0xa, 2 };

/* ---- rtnetlink messages ------------------------------------------------------------ */

struct msg {
	union {
		struct nlmsghdr nh;
		char buf[2048];
	};
};

static struct nlmsghdr *begin(struct msg *m, int type, const void *hdr, size_t len)
{
	memset(m, 0, sizeof(*m));
	m->nh.nlmsg_type = (uint16_t)type;
	m->nh.nlmsg_len = (uint32_t)NLMSG_LENGTH(len);
	memcpy(NLMSG_DATA(&m->nh), hdr, len);
	return &m->nh;
}

static struct rtattr *attr(struct nlmsghdr *nh, int type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));

	a->rta_type = (uint16_t)type;
	a->rta_len = (uint16_t)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(a->rta_len);
	return a;
}

static void attr_u32(struct nlmsghdr *nh, int type, uint32_t v)
{
	attr(nh, type, &v, sizeof(v));
}

/* A nest ends where the message ends. */
static void nest_end(struct nlmsghdr *nh, struct rtattr *a)
{
	a->rta_len = (uint16_t)((char *)nh + nh->nlmsg_len - (char *)a);
}

static void feed(struct lw_nh_state *st, const struct nlmsghdr *nh)
{
	assert_int_equal(lw_nh_parse_msg(st, nh), 0);
}

static void addr_of(int family, const char *text, uint8_t *out)
{
	memset(out, 0, 16);
	assert_int_equal(inet_pton(family, text, out), 1);
}

/* A route: "A/N" destination, gateway (NULL: none), output interface. */
struct rt {
	int family;
	const char *dst;
	const char *gw;
	int oif;
	uint32_t table;
	uint8_t type;
	uint32_t metric;
	uint32_t mtu;
	bool mtu_lock;
};

static void route(struct lw_nh_state *st, const struct rt *r)
{
	struct rtmsg rtm = { .rtm_family = (uint8_t)r->family,
			     .rtm_table = (uint8_t)(r->table ? r->table : RT_TABLE_MAIN),
			     .rtm_type = r->type ? r->type : RTN_UNICAST };
	uint8_t a[16];
	const char *slash = strchr(r->dst, '/');
	char dst[64];
	struct msg m;
	struct nlmsghdr *nh;

	snprintf(dst, sizeof(dst), "%.*s", (int)(slash - r->dst), r->dst);
	rtm.rtm_dst_len = (uint8_t)atoi(slash + 1);
	rtm.rtm_scope = r->gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	nh = begin(&m, RTM_NEWROUTE, &rtm, sizeof(rtm));
	attr_u32(nh, RTA_TABLE, r->table ? r->table : RT_TABLE_MAIN);
	if (rtm.rtm_dst_len) {
		addr_of(r->family, dst, a);
		attr(nh, RTA_DST, a, r->family == AF_INET ? 4 : 16);
	}
	if (r->gw) {
		addr_of(r->family, r->gw, a);
		attr(nh, RTA_GATEWAY, a, r->family == AF_INET ? 4 : 16);
	}
	if (r->oif)
		attr_u32(nh, RTA_OIF, (uint32_t)r->oif);
	attr_u32(nh, RTA_PRIORITY, r->metric);
	if (r->mtu) {
		struct rtattr *mx = attr(nh, RTA_METRICS, NULL, 0);

		attr_u32(nh, RTAX_MTU, r->mtu);
		if (r->mtu_lock)
			attr_u32(nh, RTAX_LOCK, 1u << RTAX_MTU);
		nest_end(nh, mx);
	}
	feed(st, nh);
}

static void neigh(struct lw_nh_state *st, int family, const char *dst, int ifindex, uint16_t state,
		  const uint8_t *mac)
{
	struct ndmsg nd = { .ndm_family = (uint8_t)family,
			    .ndm_ifindex = ifindex,
			    .ndm_state = state };
	uint8_t a[16];
	struct msg m;
	struct nlmsghdr *nh = begin(&m, RTM_NEWNEIGH, &nd, sizeof(nd));

	addr_of(family, dst, a);
	attr(nh, NDA_DST, a, family == AF_INET ? 4 : 16);
	if (mac)
		attr(nh, NDA_LLADDR, mac, 6);
	feed(st, nh);
}

static void link_(struct lw_nh_state *st, int ifindex, const char *name, const uint8_t *mac,
		  bool fwd4, bool fwd6, uint32_t mtu6)
{
	struct ifinfomsg ifi = { .ifi_index = ifindex, .ifi_flags = IFF_UP | IFF_RUNNING };
	uint32_t conf4[IPV4_DEVCONF_MAX] = { 0 }, conf6[DEVCONF_MTU6 + 1] = { 0 };
	struct msg m;
	struct nlmsghdr *nh = begin(&m, RTM_NEWLINK, &ifi, sizeof(ifi));
	struct rtattr *spec, *af;

	attr(nh, IFLA_IFNAME, name, strlen(name) + 1);
	attr_u32(nh, IFLA_MTU, 1500);
	if (mac)
		attr(nh, IFLA_ADDRESS, mac, 6);
	conf4[IPV4_DEVCONF_FORWARDING - 1] = fwd4;
	conf6[DEVCONF_FORWARDING] = fwd6;
	conf6[DEVCONF_MTU6] = mtu6;
	spec = attr(nh, IFLA_AF_SPEC, NULL, 0);
	af = attr(nh, AF_INET, NULL, 0);
	attr(nh, IFLA_INET_CONF, conf4, sizeof(conf4));
	nest_end(nh, af);
	af = attr(nh, AF_INET6, NULL, 0);
	attr(nh, IFLA_INET6_CONF, conf6, sizeof(conf6));
	nest_end(nh, af);
	nest_end(nh, spec);
	feed(st, nh);
}

static void rule(struct lw_nh_state *st, int family, uint32_t prio, uint32_t table, int extra_attr)
{
	struct fib_rule_hdr h = { .family = (uint8_t)family,
				  .action = FR_ACT_TO_TBL,
				  .table = (uint8_t)table };
	struct msg m;
	struct nlmsghdr *nh = begin(&m, RTM_NEWRULE, &h, sizeof(h));

	attr_u32(nh, FRA_TABLE, table);
	if (prio)
		attr_u32(nh, FRA_PRIORITY, prio);
	attr(nh, FRA_PROTOCOL, "\x02", 1);
	if (extra_attr)
		attr_u32(nh, extra_attr, 1);
	feed(st, nh);
}

/* ---- the host ------------------------------------------------------------------------ */

/* An lwAFTR host: access acc (2001:db8:1::1/64, IPv6 default via fe80::2),
 * internet wan (198.51.100.1/24, default via 198.51.100.2), both neighbours
 * reachable, forwarding on, the kernel's rules and local routes. */
static void host(struct lw_nh_state *st)
{
	memset(st, 0, sizeof(*st));
	link_(st, LO, "lo", NULL, true, true, 65536);
	link_(st, ACC, "acc", acc_mac, true, true, 1500);
	link_(st, WAN, "wan", wan_mac, true, true, 1500);
	link_(st, OTHER, "other", wan_mac, true, true, 1500);
	rule(st, AF_INET, 0, RT_TABLE_LOCAL, 0);
	rule(st, AF_INET, 32766, RT_TABLE_MAIN, 0);
	rule(st, AF_INET, 32767, RT_TABLE_DEFAULT, 0);
	rule(st, AF_INET6, 0, RT_TABLE_LOCAL, 0);
	rule(st, AF_INET6, 32766, RT_TABLE_MAIN, 0);
	route(st,
	      &(struct rt){
		      .family = AF_INET, .dst = "0.0.0.0/0", .gw = "198.51.100.2", .oif = WAN });
	route(st,
	      &(struct rt){ .family = AF_INET, .dst = "198.51.100.0/24", .gw = NULL, .oif = WAN });
	route(st, &(struct rt){ .family = AF_INET,
				.dst = "198.51.100.1/32",
				.gw = NULL,
				.oif = WAN,
				.table = RT_TABLE_LOCAL,
				.type = RTN_LOCAL });
	route(st, &(struct rt){ .family = AF_INET,
				.dst = "198.51.100.255/32",
				.gw = NULL,
				.oif = WAN,
				.table = RT_TABLE_LOCAL,
				.type = RTN_BROADCAST });
	route(st, &(struct rt){ .family = AF_INET,
				.dst = "127.0.0.0/8",
				.gw = NULL,
				.oif = LO,
				.table = RT_TABLE_LOCAL,
				.type = RTN_LOCAL });
	route(st, &(struct rt){ .family = AF_INET,
				.dst = "127.0.0.1/32",
				.gw = NULL,
				.oif = LO,
				.table = RT_TABLE_LOCAL,
				.type = RTN_LOCAL });
	route(st, &(struct rt){ .family = AF_INET6,
				.dst = "::/0",
				.gw = "fe80::2",
				.oif = ACC,
				.metric = 1024 });
	route(st, &(struct rt){ .family = AF_INET6,
				.dst = "2001:db8:1::/64",
				.gw = NULL,
				.oif = ACC,
				.metric = 256 });
	route(st, &(struct rt){ .family = AF_INET6,
				.dst = "fe80::/64",
				.gw = NULL,
				.oif = ACC,
				.metric = 256 });
	route(st, &(struct rt){ .family = AF_INET6,
				.dst = "fe80::/64",
				.gw = NULL,
				.oif = WAN,
				.metric = 256 });
	route(st, &(struct rt){ .family = AF_INET6,
				.dst = "::1/128",
				.gw = NULL,
				.oif = LO,
				.table = RT_TABLE_LOCAL,
				.type = RTN_LOCAL });
	route(st, &(struct rt){ .family = AF_INET6,
				.dst = "2001:db8:1::1/128",
				.gw = NULL,
				.oif = ACC,
				.table = RT_TABLE_LOCAL,
				.type = RTN_LOCAL });
	route(st, &(struct rt){ .family = AF_INET6,
				.dst = "ff00::/8",
				.gw = NULL,
				.oif = ACC,
				.table = RT_TABLE_LOCAL,
				.type = RTN_MULTICAST });
	neigh(st, AF_INET, "198.51.100.2", WAN, NUD_REACHABLE, gw4_mac);
	neigh(st, AF_INET6, "fe80::2", ACC, NUD_STALE, gw6_mac);
}

static const struct lw_nh_want want4 = { .family = AF_INET, .egress = WAN, .input = ACC };
static const struct lw_nh_want want6 = { .family = AF_INET6, .egress = ACC, .input = ACC };

static bool has_except(const struct lw_nh_entry *e, int family, const char *text, unsigned len)
{
	struct lw_nh_prefix p;
	uint8_t a[16];

	addr_of(family, text, a);
	lw_nh_prefix_make(&p, (uint8_t)family, a, len);
	for (unsigned i = 0; i < e->n_except; i++)
		if (!memcmp(&e->except[i], &p, sizeof(p)))
			return true;
	return false;
}

static void expect_fib(const struct lw_nh_state *st, const struct lw_nh_want *w, unsigned reason,
		       const char *words)
{
	struct lw_nh_verdict v;

	lw_nh_classify(st, w, &v);
	if (v.entry.mode != LW_NH_FIB || v.entry.reason != reason)
		fail_msg("expected FIB for %s, got mode %u reason %u: %s",
			 lw_nh_reason_name(reason), v.entry.mode, v.entry.reason, v.text);
	if (words && !strstr(v.text, words))
		fail_msg("'%s' does not say '%s'", v.text, words);
}

/* ---- tests -------------------------------------------------------------------------- */

static void test_one_default_cached(void **state)
{
	struct lw_nh_state st;
	struct lw_nh_verdict v;
	struct lw_nh_prefix any;
	uint8_t zero[16] = { 0 };

	host(&st);
	lw_nh_classify(&st, &want4, &v);
	assert_int_equal(v.entry.mode, LW_NH_CACHED);
	assert_string_equal(v.text, "IPv4 next hop cached: via 198.51.100.2 dev wan "
				    "(02:00:00:00:1e:02, mtu 1500) for 0.0.0.0/0, 2 exceptions");
	assert_int_equal(v.entry.ifindex, WAN);
	assert_memory_equal(v.entry.dmac, gw4_mac, 6);
	assert_memory_equal(v.entry.smac, wan_mac, 6);
	assert_int_equal(v.entry.mtu, 1500);
	lw_nh_prefix_make(&any, AF_INET, zero, 0);
	assert_memory_equal(&v.entry.route, &any, sizeof(any));
	/* the connected subnet (its local and broadcast addresses inside it)
	 * and the loopback range */
	assert_int_equal(v.entry.n_except, 2);
	assert_true(has_except(&v.entry, AF_INET, "198.51.100.0", 24));
	assert_true(has_except(&v.entry, AF_INET, "127.0.0.0", 8));
	assert_true(v.has_gw);
	assert_int_equal(v.gw_ifindex, WAN);

	lw_nh_classify(&st, &want6, &v);
	assert_int_equal(v.entry.mode, LW_NH_CACHED);
	assert_memory_equal(v.entry.dmac, gw6_mac, 6);
	assert_memory_equal(v.entry.smac, acc_mac, 6);
	/* never forwarded by the FIB (rt6_need_strict), and the subnet */
	assert_true(has_except(&v.entry, AF_INET6, "fe80::", 10));
	assert_true(has_except(&v.entry, AF_INET6, "ff00::", 8));
	assert_true(has_except(&v.entry, AF_INET6, "::1", 128));
	assert_true(has_except(&v.entry, AF_INET6, "2001:db8:1::", 64));
	assert_int_equal(v.entry.n_except, 4);
	lw_nh_state_free(&st);
}

static void test_ecmp_fib(void **state)
{
	struct rtmsg rtm = { .rtm_family = AF_INET,
			     .rtm_table = RT_TABLE_MAIN,
			     .rtm_type = RTN_UNICAST };
	struct lw_nh_state st;
	struct msg m;
	struct nlmsghdr *nh;
	struct rtattr *mp;
	uint8_t gw[16];

	memset(&st, 0, sizeof(st));
	host(&st);
	st.n_routes = 0; /* the same host, its IPv4 default through two gateways */
	nh = begin(&m, RTM_NEWROUTE, &rtm, sizeof(rtm));
	attr_u32(nh, RTA_TABLE, RT_TABLE_MAIN);
	mp = attr(nh, RTA_MULTIPATH, NULL, 0);
	for (int i = 0; i < 2; i++) {
		struct rtnexthop *rtnh = (struct rtnexthop *)((char *)nh + nh->nlmsg_len);

		memset(rtnh, 0, sizeof(*rtnh));
		rtnh->rtnh_ifindex = WAN;
		nh->nlmsg_len += sizeof(*rtnh);
		addr_of(AF_INET, i ? "198.51.100.3" : "198.51.100.2", gw);
		attr(nh, RTA_GATEWAY, gw, 4);
		rtnh->rtnh_len = (unsigned short)((char *)nh + nh->nlmsg_len - (char *)rtnh);
	}
	nest_end(nh, mp);
	feed(&st, nh);
	assert_int_equal(st.routes[0].nhops, 2);
	expect_fib(&st, &want4, LW_NH_WHY_ECMP, "0.0.0.0/0 has 2 next hops");
	lw_nh_state_free(&st);

	/* two defaults with different metrics: the kernel picks, not us */
	host(&st);
	route(&st, &(struct rt){ .family = AF_INET,
				 .dst = "0.0.0.0/0",
				 .gw = "198.51.100.3",
				 .oif = WAN,
				 .metric = 100 });
	expect_fib(&st, &want4, LW_NH_WHY_ECMP, "2 routes for 0.0.0.0/0");
	lw_nh_state_free(&st);
}

static void test_extra_routes_are_exceptions(void **state)
{
	struct lw_nh_state st;
	struct lw_nh_verdict v;

	host(&st);
	route(&st, &(struct rt){ .family = AF_INET,
				 .dst = "203.0.113.0/24",
				 .gw = "198.51.100.9",
				 .oif = WAN });
	route(&st,
	      &(struct rt){
		      .family = AF_INET, .dst = "10.0.0.0/8", .gw = "198.51.100.9", .oif = WAN });
	route(&st, &(struct rt){ .family = AF_INET,
				 .dst = "10.1.0.0/16",
				 .gw = NULL,
				 .oif = OTHER }); /* inside 10/8 */
	route(&st, &(struct rt){ .family = AF_INET,
				 .dst = "192.0.2.0/24",
				 .gw = NULL,
				 .oif = WAN,
				 .type = RTN_BLACKHOLE });
	lw_nh_classify(&st, &want4, &v);
	assert_int_equal(v.entry.mode, LW_NH_CACHED);
	assert_int_equal(v.entry.n_except, 5);
	assert_true(has_except(&v.entry, AF_INET, "203.0.113.0", 24));
	assert_true(has_except(&v.entry, AF_INET, "10.0.0.0", 8));
	assert_false(has_except(&v.entry, AF_INET, "10.1.0.0", 16));
	assert_true(has_except(&v.entry, AF_INET, "192.0.2.0", 24));
	/* cloned (PMTU, redirect) routes are not the table's */
	st.routes[st.n_routes - 1].flags |= RTM_F_CLONED;
	lw_nh_classify(&st, &want4, &v);
	assert_int_equal(v.entry.n_except, 4);
	lw_nh_state_free(&st);
}

static void test_too_many_exceptions(void **state)
{
	struct lw_nh_state st;
	struct lw_nh_verdict v;
	char dst[32];

	host(&st);
	/* 2 from the host + 14 = 16: still cached */
	for (int i = 0; i < 14; i++) {
		snprintf(dst, sizeof(dst), "10.%d.0.0/16", i);
		route(&st,
		      &(struct rt){
			      .family = AF_INET, .dst = dst, .gw = "198.51.100.9", .oif = WAN });
	}
	lw_nh_classify(&st, &want4, &v);
	assert_int_equal(v.entry.mode, LW_NH_CACHED);
	assert_int_equal(v.entry.n_except, 16);
	route(&st,
	      &(struct rt){
		      .family = AF_INET, .dst = "10.99.0.0/16", .gw = "198.51.100.9", .oif = WAN });
	expect_fib(&st, &want4, LW_NH_WHY_EXCEPTIONS, "at most 16");
	/* one aggregate swallowing them brings it back */
	route(&st,
	      &(struct rt){
		      .family = AF_INET, .dst = "10.0.0.0/8", .gw = "198.51.100.9", .oif = WAN });
	lw_nh_classify(&st, &want4, &v);
	assert_int_equal(v.entry.mode, LW_NH_CACHED);
	assert_int_equal(v.entry.n_except, 3);
	lw_nh_state_free(&st);
}

static void test_neighbour_states(void **state)
{
	static const struct {
		uint16_t state;
		bool cached;
	} cases[] = {
		{ NUD_REACHABLE, true }, { NUD_STALE, true },     { NUD_DELAY, true },
		{ NUD_PROBE, true },     { NUD_PERMANENT, true }, { NUD_INCOMPLETE, false },
		{ NUD_FAILED, false },   { NUD_NOARP, false },    { NUD_NONE, false },
	};
	struct lw_nh_state st;
	struct lw_nh_verdict v;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		host(&st);
		st.neighs[0].state = cases[i].state;
		lw_nh_classify(&st, &want4, &v);
		if ((v.entry.mode == LW_NH_CACHED) != cases[i].cached)
			fail_msg("neighbour state 0x%x: %s", cases[i].state, v.text);
		if (!cases[i].cached) {
			assert_int_equal(v.entry.reason, LW_NH_WHY_NEIGHBOUR);
			assert_true(v.has_gw); /* its changes are to be heard */
		}
		lw_nh_state_free(&st);
	}
	host(&st);
	st.n_neighs = 0;
	expect_fib(&st, &want4, LW_NH_WHY_NEIGHBOUR,
		   "the neighbour 198.51.100.2 dev wan is unknown");
	lw_nh_state_free(&st);
}

static void test_host_settings(void **state)
{
	struct lw_nh_state st;
	struct lw_nh_want w = want4;

	host(&st);
	rule(&st, AF_INET, 100, 42, FRA_FWMARK);
	expect_fib(&st, &want4, LW_NH_WHY_RULES, "policy rule 100 (table 42)");
	lw_nh_state_free(&st);

	host(&st); /* wg-quick's "suppress_prefixlength 0" on the main rule */
	st.rules[1].selectors = true;
	expect_fib(&st, &want4, LW_NH_WHY_RULES, NULL);
	lw_nh_state_free(&st);

	host(&st);
	st.links[1].fwd4 = 0; /* the lookup is made as arriving on acc */
	expect_fib(&st, &want4, LW_NH_WHY_FORWARDING, "IPv4 forwarding is off on acc");
	lw_nh_state_free(&st);

	host(&st);
	w.vlan = 100;
	expect_fib(&st, &w, LW_NH_WHY_VLAN, "VLAN 100");
	w = want4;
	w.egress = OTHER;
	expect_fib(&st, &w, LW_NH_WHY_FOREIGN_EGRESS, "0.0.0.0/0 leaves by wan, not other");
	w.egress = 77;
	expect_fib(&st, &w, LW_NH_WHY_NO_INTERFACE, NULL);
	st.links[2].flags = 0; /* wan down */
	expect_fib(&st, &want4, LW_NH_WHY_LINK, "wan is down");
	lw_nh_state_free(&st);
}

static void test_route_shapes(void **state)
{
	struct lw_nh_state st;

	host(&st);
	st.routes[0].gw_family = 0;
	expect_fib(&st, &want4, LW_NH_WHY_ROUTE_SHAPE, "no gateway");
	st.routes[0].gw_family = AF_INET;
	st.routes[0].nh_id = 5;
	expect_fib(&st, &want4, LW_NH_WHY_ROUTE_SHAPE, "nexthop object");
	st.routes[0].nh_id = 0;
	st.routes[0].type = RTN_BLACKHOLE;
	expect_fib(&st, &want4, LW_NH_WHY_ROUTE_SHAPE, "not a plain unicast route");
	st.routes[0].type = RTN_UNICAST;
	st.routes[0].encap = true;
	expect_fib(&st, &want4, LW_NH_WHY_ROUTE_SHAPE, "encapsulation");
	lw_nh_state_free(&st);

	host(&st);
	st.n_routes = 0;
	expect_fib(&st, &want4, LW_NH_WHY_NO_ROUTE, NULL);
	lw_nh_state_free(&st);

	/* AnyIP: a local route over everything wins before main */
	host(&st);
	route(&st, &(struct rt){ .family = AF_INET,
				 .dst = "0.0.0.0/0",
				 .gw = NULL,
				 .oif = LO,
				 .table = RT_TABLE_LOCAL,
				 .type = RTN_LOCAL });
	expect_fib(&st, &want4, LW_NH_WHY_SHADOWED, "0.0.0.0/0 covers every destination");
	lw_nh_state_free(&st);
}

static void test_mtu(void **state)
{
	struct lw_nh_state st;
	struct lw_nh_verdict v;

	host(&st);
	st.links[1].mtu6 = 1400; /* net.ipv6.conf.acc.mtu */
	lw_nh_classify(&st, &want6, &v);
	assert_int_equal(v.entry.mtu, 1400);
	st.routes[0].mtu = 1300; /* unlocked: ignored, as ip_mtu_from_fib_result does */
	lw_nh_classify(&st, &want4, &v);
	assert_int_equal(v.entry.mtu, 1500);
	st.ipv4_fwd_use_pmtu = true; /* unless ip_forward_use_pmtu */
	lw_nh_classify(&st, &want4, &v);
	assert_int_equal(v.entry.mtu, 1300);
	lw_nh_state_free(&st);

	host(&st);
	st.n_routes = 0;
	route(&st, &(struct rt){ .family = AF_INET,
				 .dst = "0.0.0.0/0",
				 .gw = "198.51.100.2",
				 .oif = WAN,
				 .mtu = 1280,
				 .mtu_lock = true });
	lw_nh_classify(&st, &want4, &v);
	assert_int_equal(v.entry.mtu, 1280);
	lw_nh_state_free(&st);
}

/* The lwAFTR's access side without an IPv6 default: the aggregate the B4s
 * live behind; the lwB4's one destination (the lwAFTR), looked up as /128. */
static void test_aggregate_and_single_destination(void **state)
{
	struct lw_nh_state st;
	struct lw_nh_verdict v;
	struct lw_nh_want b4 = { .family = AF_INET6, .egress = ACC, .input = ACC, .dst_len = 128 };
	struct lw_nh_prefix p;
	uint8_t a[16];

	host(&st);
	st.routes[6].dst_len = 48; /* the IPv6 default becomes 2001:db8:b4::/48 */
	addr_of(AF_INET6, "2001:db8:b4::", st.routes[6].dst);
	route(&st, &(struct rt){ .family = AF_INET6,
				 .dst = "2001:db8:b4:7::/64",
				 .gw = "fe80::9",
				 .oif = ACC });
	lw_nh_classify(&st, &want6, &v);
	assert_int_equal(v.entry.mode, LW_NH_CACHED);
	addr_of(AF_INET6, "2001:db8:b4::", a);
	lw_nh_prefix_make(&p, AF_INET6, a, 48);
	assert_memory_equal(&v.entry.route, &p, sizeof(p));
	assert_int_equal(v.entry.n_except, 1);
	assert_true(has_except(&v.entry, AF_INET6, "2001:db8:b4:7::", 64));

	addr_of(AF_INET6, "2001:db8:b4:1::1", b4.dst); /* an lwAFTR inside the /48 */
	lw_nh_classify(&st, &b4, &v);
	assert_int_equal(v.entry.mode, LW_NH_CACHED);
	lw_nh_prefix_make(&p, AF_INET6, b4.dst, 128);
	assert_memory_equal(&v.entry.route, &p, sizeof(p));
	assert_int_equal(v.entry.n_except, 0);
	addr_of(AF_INET6, "2001:db8:b4:7::1", b4.dst); /* behind the /64: its route */
	lw_nh_classify(&st, &b4, &v);
	assert_int_equal(v.entry.mode, LW_NH_FIB); /* fe80::9 has no neighbour entry */
	assert_int_equal(v.entry.reason, LW_NH_WHY_NEIGHBOUR);
	lw_nh_state_free(&st);
}

static void test_events_that_matter(void **state)
{
	struct lw_nh_gw gw = { .family = AF_INET, .ifindex = WAN };
	struct ndmsg nd = { .ndm_family = AF_INET, .ndm_ifindex = WAN, .ndm_state = NUD_FAILED };
	struct rtmsg rtm = { .rtm_family = AF_INET };
	struct msg m;
	struct nlmsghdr *nh;
	uint8_t a[16];

	addr_of(AF_INET, "198.51.100.2", gw.addr);
	nh = begin(&m, RTM_NEWNEIGH, &nd, sizeof(nd));
	addr_of(AF_INET, "198.51.100.2", a);
	attr(nh, NDA_DST, a, 4);
	assert_true(lw_nh_event_matters(nh, &gw, 1));
	nh->nlmsg_type = RTM_DELNEIGH;
	assert_true(lw_nh_event_matters(nh, &gw, 1));
	assert_false(lw_nh_event_matters(nh, &gw, 0));
	nh = begin(&m, RTM_NEWNEIGH, &nd, sizeof(nd));
	addr_of(AF_INET, "198.51.100.77", a); /* some host on the link */
	attr(nh, NDA_DST, a, 4);
	assert_false(lw_nh_event_matters(nh, &gw, 1));
	nh = begin(&m, RTM_NEWROUTE, &rtm, sizeof(rtm));
	assert_true(lw_nh_event_matters(nh, &gw, 1));
	nh->nlmsg_type = NLMSG_DONE;
	assert_false(lw_nh_event_matters(nh, &gw, 1));
}

/* The writer on a real map (root): slots flip, the lease is renewed in
 * place, a fall-back is one store, an unchanged entry is not published. */
static void test_map_writer(void **state)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_MMAPABLE);
	struct lw_nh_entry e = { .mode = LW_NH_CACHED, .ifindex = 3, .mtu = 1500, .expires = 100 },
			   got;
	struct lw_nh_map m;
	char err[256];
	int fd;

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, sizeof(struct lw_nh_cache), 2, &o);
	if (fd < 0) {
		skip(); /* not root, or bpf() refused */
		return;
	}
	assert_int_equal(lw_nh_map_attach(&m, fd, err, sizeof(err)), 0);
	assert_int_equal(m.n, 2);
	assert_int_equal(lw_nh_map_publish(&m, LW_NH_IPV4, &e), 1);
	assert_int_equal(m.c[LW_NH_IPV4].active, 1);
	assert_int_equal(lw_nh_map_lookup(fd, LW_NH_IPV4, &got), 0);
	assert_int_equal(got.mode, LW_NH_CACHED);
	assert_int_equal(got.seq, 1);
	e.expires = 200; /* same entry, new lease: no flip */
	assert_int_equal(lw_nh_map_publish(&m, LW_NH_IPV4, &e), 0);
	assert_int_equal(m.c[LW_NH_IPV4].active, 1);
	lw_nh_map_renew(&m, LW_NH_IPV4, 300);
	assert_int_equal(lw_nh_map_lookup(fd, LW_NH_IPV4, &got), 0);
	assert_int_equal(got.expires, 300);
	e.mtu = 1400;
	assert_int_equal(lw_nh_map_publish(&m, LW_NH_IPV4, &e), 1);
	assert_int_equal(m.c[LW_NH_IPV4].active, 0);
	assert_int_equal(m.c[LW_NH_IPV4].slot[0].seq, 2);
	lw_nh_map_fall_back(&m, LW_NH_IPV4, LW_NH_WHY_STOPPED);
	assert_int_equal(lw_nh_map_lookup(fd, LW_NH_IPV4, &got), 0);
	assert_int_equal(got.mode, LW_NH_FIB);
	assert_int_equal(got.reason, LW_NH_WHY_STOPPED);
	assert_int_equal(got.mtu, 1400);
	assert_int_equal(lw_nh_map_publish(&m, 5, &e), -EINVAL);
	lw_nh_map_detach(&m);
	close(fd);
}

static void test_jiffies(void **state)
{
	uint64_t a, b;
	unsigned hz;

	if (lw_nh_jiffies(&a, &hz)) {
		skip();
		return;
	}
	assert_true(hz == 100 || hz == 250 || hz == 300 || hz == 1000);
	usleep(50000);
	assert_int_equal(lw_nh_jiffies(&b, &hz), 0);
	/* 50 ms is 5 (HZ 100) to 50 (HZ 1000) ticks; a loaded machine adds */
	assert_true(b - a >= hz / 20 - 1 && b - a < hz);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_default_cached),
		cmocka_unit_test(test_ecmp_fib),
		cmocka_unit_test(test_extra_routes_are_exceptions),
		cmocka_unit_test(test_too_many_exceptions),
		cmocka_unit_test(test_neighbour_states),
		cmocka_unit_test(test_host_settings),
		cmocka_unit_test(test_route_shapes),
		cmocka_unit_test(test_mtu),
		cmocka_unit_test(test_aggregate_and_single_destination),
		cmocka_unit_test(test_events_that_matter),
		cmocka_unit_test(test_map_writer),
		cmocka_unit_test(test_jiffies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
