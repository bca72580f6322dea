// SPDX-License-Identifier: GPL-2.0
/* The lwAFTR lab: an access side (IPv6, towards the B4s) and an internet side
 * (IPv4) in the private netns of this process, routes and permanent
 * neighbours so that bpf_fib_lookup() answers, the test object loaded, a
 * handful of softwires over three addresses with different port-set
 * parameters (RFC 7597 §5.1: a = 0 and a = 6, k = 6, 4 and 0) installed
 * through lib/aftr, a pool prefix around them. Seed frames: decapsulation,
 * hairpinning, encapsulation, PCP bootstrap, misplaced traffic. */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "aftr_env.h"
#include "aftr_maps.h"
#include "setup.h"
#include "aftr_lab.h"
#include "seedkit.h"

const char *aftr_obj_path = "build/bpf/lw4o6_aftr_test.bpf.o";

static const struct {
	const char *ipv4;
	uint8_t a, k;
	uint16_t psid;
	const char *b4, *br;
} sw_text[] = {
	{ "198.51.100.1", 0, 6, 1, "2001:db8:b4::a", "2001:db8:ffff::1" },
	{ "198.51.100.1", 0, 6, 2, "2001:db8:b4::b", "2001:db8:ffff::1" },
	{ "198.51.100.1", 0, 6, 3, "2001:db8:b4::c", "2001:db8:ffff::2" },
	{ "198.51.100.2", 6, 4, 5, "2001:db8:b4::d", "2001:db8:ffff::1" },
	{ "198.51.100.2", 6, 4, 9, "2001:db8:b4::e", "2001:db8:ffff::2" },
	{ "198.51.100.2", 6, 4, 0, "2001:db8:b4::f", "2001:db8:ffff::1" },
	{ "198.51.100.2", 6, 4, 7, "2001:db8:b4::a", "2001:db8:ffff::1" }, /* B4 a: two softwires */
	{ "198.51.100.3", 0, 0, 0, "2001:db8:b4::1:0", "2001:db8:ffff::2" },
};
#define N_SW (sizeof(sw_text) / sizeof(sw_text[0]))

static struct aftr_sw sws[N_SW];
static struct in6_addr brs[2];
struct aftr_lab aftr_lab;
static struct aftr_env env;

static const char *const addrs4_text[] = {
	"198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.50", "198.51.100.77",
	"203.0.113.10", "203.0.113.20", "192.0.0.1", "192.0.0.2", "10.0.0.1", "10.0.0.2",
	"0.0.0.0", "255.255.255.255", "127.0.0.1", "224.0.0.1", "198.51.100.255",
};
static const char *const addrs6_text[] = {
	"2001:db8:b4::a", "2001:db8:b4::b", "2001:db8:b4::c", "2001:db8:b4::d", "2001:db8:b4::e",
	"2001:db8:b4::f", "2001:db8:b4::1:0", "2001:db8:b4::99", "2001:db8:ffff::1",
	"2001:db8:ffff::2", "2001:db8:ffff::99", "2001:db8:a::1", "ff02::1",
};
#define N_A4 (sizeof(addrs4_text) / sizeof(addrs4_text[0]))
#define N_A6 (sizeof(addrs6_text) / sizeof(addrs6_text[0]))
static uint32_t addrs4[N_A4];
static struct in6_addr addrs6[N_A6];
static uint32_t inet_hosts[3], pcp_server, pcp_client;
static struct in6_addr unbound_b4;

static int install(char *err, size_t errlen)
{
	struct lw_aftr_setup st;
	int ret;

	lw_setup_init(&st);
	st.cfg.ipv4_ifindex = aftr_lab.inet;
	st.cfg.ipv6_ifindex = aftr_lab.acc;
	st.cfg.ipv4_mtu = st.cfg.ipv6_mtu = 1500;
	st.cfg.hop_limit = 64;
	for (size_t i = 0; i < N_SW; i++) {
		struct lw_softwire_entry e = {
			.ipv4 = sws[i].ipv4, .psid = sws[i].psid,
			.ps = { .psid_offset = sws[i].a, .psid_len = sws[i].k },
			.b4_ipv6 = sws[i].b4, .br_ipv6 = sws[i].br,
		};

		if ((ret = lw_setup_add_softwire(&st, &e))) {
			snprintf(err, errlen, "lw_setup_add_softwire: %s", strerror(-ret));
			lw_setup_free(&st);
			return -1;
		}
	}
	if (lw_setup_validate(&st, err, errlen) ||
	    lw_aftr_install(&env.maps, &st, 1, err, errlen)) {
		lw_setup_free(&st);
		return -1;
	}
	lw_setup_free(&st);
	if ((ret = lw_aftr_pool_add(&env.maps, aftr_lab.pool_addr, 24))) {
		snprintf(err, errlen, "lw_aftr_pool_add: %s", strerror(-ret));
		return -1;
	}
	return 0;
}

static void parse_tables(void)
{
	for (size_t i = 0; i < N_SW; i++) {
		sws[i] = (struct aftr_sw){ .ipv4 = ip4(sw_text[i].ipv4), .a = sw_text[i].a,
					   .k = sw_text[i].k, .psid = sw_text[i].psid,
					   .b4 = ip6(sw_text[i].b4), .br = ip6(sw_text[i].br) };
	}
	brs[0] = ip6("2001:db8:ffff::1");
	brs[1] = ip6("2001:db8:ffff::2");
	for (size_t i = 0; i < N_A4; i++)
		addrs4[i] = ip4(addrs4_text[i]);
	for (size_t i = 0; i < N_A6; i++)
		addrs6[i] = ip6(addrs6_text[i]);
	inet_hosts[0] = ip4("203.0.113.10");
	inet_hosts[1] = ip4("203.0.113.20");
	inet_hosts[2] = ip4("8.8.8.8");
	pcp_server = ip4("192.0.0.1");
	pcp_client = ip4("192.0.0.2");
	unbound_b4 = ip6("2001:db8:b4::99");
	aftr_lab.sw = sws;
	aftr_lab.n_sw = (int)N_SW;
	aftr_lab.br = brs;
	aftr_lab.n_br = 2;
	aftr_lab.pool_addr = ip4("198.51.100.0");
	aftr_lab.pool_mask = htonl(0xffffff00u);
}

static int aftr_init(char *err, size_t errlen)
{
	struct aftr_side_spec acc = { .name = "acc", .mac = aftr_lab.acc_mac,
				      .peer_mac = aftr_lab.acc_peer, .ipv6 = true,
				      .addr = "2001:db8:a::1/64", .gateway = "2001:db8:a::2" };
	struct aftr_side_spec inet = { .name = "inet", .mac = aftr_lab.inet_mac,
				       .peer_mac = aftr_lab.inet_peer, .addr = "10.0.0.1/24",
				       .gateway = "10.0.0.2" };
	int ret;

	parse_tables();
	mac(AFTR_ACC_MAC, aftr_lab.acc_mac);
	mac(AFTR_ACC_PEER_MAC, aftr_lab.acc_peer);
	mac(AFTR_INET_MAC, aftr_lab.inet_mac);
	mac(AFTR_INET_PEER_MAC, aftr_lab.inet_peer);
	if ((ret = aftr_env_add_side(&acc, err, errlen)) < 0)
		return -1;
	aftr_lab.acc = (unsigned)ret;
	if ((ret = aftr_env_add_side(&inet, err, errlen)) < 0)
		return -1;
	aftr_lab.inet = (unsigned)ret;
	if (aftr_env_open(&env, aftr_obj_path, err, errlen) || install(err, errlen))
		return -1;
	aftr_target.prog_fd = env.prog_fd;
	aftr_owner_init();
	return 0;
}

/* ---- seeds ------------------------------------------------------------------------ */

/* A port of the softwire's set, from the RFC 7597 §5.1 layout
 * | A (a bits) | PSID (k bits) | j (m bits) | with A > 0 when a > 0. */
static uint16_t sw_port(struct rng *r, const struct aftr_sw *s)
{
	unsigned m = 16u - s->a - s->k;
	uint32_t A = s->a ? 1 + rng_below(r, (1u << s->a) - 1) : 0;
	uint32_t j = rng_below(r, 1u << m);

	return (uint16_t)((A << (16 - s->a)) | ((uint32_t)s->psid << m) | j);
}

static const struct aftr_sw *pick_sw(struct rng *r)
{
	return &sws[rng_below(r, N_SW)];
}

/* The IPv4 packet a softwire's B4 sends (src side) or receives (dst side):
 * its address and a port of its set, the peer p at a random port. */
static void flow_for(struct rng *r, struct seed_ip4 *s, const struct aftr_sw *sw, uint32_t peer,
		     uint16_t peer_port, bool from_b4)
{
	uint16_t port = sw_port(r, sw);

	s->kind = seed_pick_kind(r);
	s->ttl = rng_pct(r, 5) ? (uint8_t)rng_below(r, 3) : 64;
	s->src = from_b4 ? sw->ipv4 : peer;
	s->dst = from_b4 ? peer : sw->ipv4;
	s->sport = from_b4 ? port : peer_port;
	s->dport = from_b4 ? peer_port : port;
	if (s->kind == SK_ECHO || s->kind == SK_ECHO_REPLY)
		s->sport = port;
	/* an error is about a packet that went the other way */
	s->qkind = seed_pick_qkind(r);
	s->qsrc = s->dst;
	s->qdst = s->src;
	s->qsport = s->dport;
	s->qdport = s->sport;
	if (s->qkind == SK_ECHO || s->qkind == SK_ECHO_REPLY)
		s->qsport = port;
}

static void seed_from_b4(struct rng *r, struct mframe *f, bool hairpin)
{
	const struct aftr_sw *sw = pick_sw(r), *dst = pick_sw(r);
	uint16_t peer_port = hairpin ? sw_port(r, dst) : (uint16_t)rng_next(r);
	struct seed_ip4 s;
	struct pkt p;

	seed_begin(f, &p, aftr_lab.acc, hairpin ? "hairpin" : "decap");
	flow_for(r, &s, sw, hairpin ? dst->ipv4 : inet_hosts[rng_below(r, 3)], peer_port, true);
	seed_eth(r, &p, f, aftr_lab.acc_peer, aftr_lab.acc_mac);
	seed_ip6(r, &p, f, &sw->b4, &sw->br, 40);
	seed_ip4(r, &p, f, &s);
	seed_end(&p, f);
}

static void seed_from_inet(struct rng *r, struct mframe *f)
{
	const struct aftr_sw *sw = pick_sw(r);
	struct seed_ip4 s;
	struct pkt p;

	seed_begin(f, &p, aftr_lab.inet, "encap");
	flow_for(r, &s, sw, inet_hosts[rng_below(r, 3)], (uint16_t)rng_next(r), false);
	if (rng_pct(r, 5)) /* in the pool without a softwire, or not ours */
		s.dst = rng_pct(r, 50) ? ip4("198.51.100.50") : inet_hosts[0];
	seed_eth(r, &p, f, aftr_lab.inet_peer, aftr_lab.inet_mac);
	seed_ip4(r, &p, f, &s);
	seed_end(&p, f);
}

/* In-tunnel PCP to 192.0.0.1:5351 from a B4 with or without a binding. */
static void seed_pcp(struct rng *r, struct mframe *f)
{
	const struct aftr_sw *sw = pick_sw(r);
	struct seed_ip4 s = { .src = rng_pct(r, 50) ? sw->ipv4 : pcp_client, .dst = pcp_server,
			      .kind = SK_UDP, .sport = (uint16_t)rng_next(r), .dport = 5351,
			      .ttl = 64 };
	struct pkt p;

	seed_begin(f, &p, aftr_lab.acc, "pcp-bootstrap");
	seed_eth(r, &p, f, aftr_lab.acc_peer, aftr_lab.acc_mac);
	seed_ip6(r, &p, f, rng_pct(r, 50) ? &sw->b4 : &unbound_b4, &sw->br, 20);
	seed_ip4(r, &p, f, &s);
	seed_end(&p, f);
}

/* Softwire traffic where it must not be: native IPv4 from a pool address on
 * the access side, IPv4-in-IPv6 on the internet side. */
static void seed_misplaced(struct rng *r, struct mframe *f)
{
	const struct aftr_sw *sw = pick_sw(r);
	struct seed_ip4 s;
	struct pkt p;
	bool v4 = rng_pct(r, 50);

	seed_begin(f, &p, v4 ? aftr_lab.acc : aftr_lab.inet, v4 ? "native-v4-on-access" :
		   "ipip-on-internet");
	flow_for(r, &s, sw, inet_hosts[rng_below(r, 3)], (uint16_t)rng_next(r), true);
	if (v4) {
		seed_eth(r, &p, f, aftr_lab.acc_peer, aftr_lab.acc_mac);
	} else {
		seed_eth(r, &p, f, aftr_lab.inet_peer, aftr_lab.inet_mac);
		seed_ip6(r, &p, f, &sw->b4, &sw->br, 40);
	}
	seed_ip4(r, &p, f, &s);
	seed_end(&p, f);
}

/* An ICMPv6 error from the access side to a BR about a packet the lwAFTR
 * sent to a B4 (the slow path's: AFTR-ICMP-6), or on the internet side. */
static void seed_icmp6(struct rng *r, struct mframe *f)
{
	const struct aftr_sw *sw = pick_sw(r);
	struct seed_ip4 s;
	struct pkt p;
	bool acc = rng_pct(r, 80);

	seed_begin(f, &p, acc ? aftr_lab.acc : aftr_lab.inet, "icmp6-error");
	flow_for(r, &s, sw, inet_hosts[rng_below(r, 3)], (uint16_t)rng_next(r), false);
	if (s.kind == SK_ERROR)
		s.kind = SK_UDP;
	if (acc)
		seed_eth(r, &p, f, aftr_lab.acc_peer, aftr_lab.acc_mac);
	else
		seed_eth(r, &p, f, aftr_lab.inet_peer, aftr_lab.inet_mac);
	seed_ip6(r, &p, f, rng_pct(r, 50) ? &sw->b4 : &addrs6[11], &sw->br, 10);
	seed_icmp6_error(r, &p, f, &sw->br, &sw->b4, &s);
	seed_end(&p, f);
}

static void aftr_seed(struct rng *r, struct mframe *f)
{
	unsigned x = rng_below(r, 100);

	if (x < 37)
		seed_from_b4(r, f, false);
	else if (x < 47)
		seed_from_b4(r, f, true);
	else if (x < 85)
		seed_from_inet(r, f);
	else if (x < 89)
		seed_pcp(r, f);
	else if (x < 92)
		seed_icmp6(r, f);
	else
		seed_misplaced(r, f);
}

static unsigned aftr_other_side(unsigned ifindex)
{
	return ifindex == aftr_lab.acc ? aftr_lab.inet : aftr_lab.acc;
}

static const char *aftr_side_name(unsigned ifindex)
{
	return ifindex == aftr_lab.acc ? "access" : ifindex == aftr_lab.inet ? "internet" : "?";
}

struct target aftr_target = {
	.name = "aftr",
	.init = aftr_init,
	.seed = aftr_seed,
	.other_side = aftr_other_side,
	.addrs4 = addrs4,
	.n_addrs4 = N_A4,
	.addrs6 = addrs6,
	.n_addrs6 = N_A6,
	.check = aftr_check,
	.side_name = aftr_side_name,
	.classes = aftr_classes,
	.n_classes = AFTR_N_CLASSES,
};
