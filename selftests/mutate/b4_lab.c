// SPDX-License-Identifier: GPL-2.0
/* The lwB4 lab: a LAN (IPv4) and a WAN (IPv6) side in the private netns of
 * this process, two granted port sets on two addresses, and a handful of
 * mappings made again at the start of every block of frames (the fuzzed LAN
 * frames make mappings of their own; a fresh table keeps the pool from
 * filling and a frame replayable from its block's start): dynamic ones made
 * by LAN frames through the program, an explicit one (PCP MAP) through
 * lib/b4. Seed frames: outbound, inbound, ICMP errors both ways, hairpins,
 * PCP in the tunnel. */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <time.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "aftr_env.h"
#include "b4_maps.h"
#include "b4_lab.h"
#include "seedkit.h"

const char *b4_obj_path = "build/bpf/lw4o6_b4_test.bpf.o";

#define BLOCK 256

struct b4_lab b4_lab;
static struct b4_set sets[2];
static struct bpf_object *obj;
static struct lw_b4_maps maps;

/* A mapping made at the start of every block. */
struct base_map {
	uint8_t proto;
	const char *host;
	uint16_t port;
	const char *remote;
	uint16_t remote_port;
	bool explicit_map;      /* PCP MAP to PUB2:8400 instead of traffic */
	/* filled in: */
	uint32_t int_addr, remote_addr, ext_addr;
	uint16_t ext_port;
};

static struct base_map base[] = {
#define BASE(pr, h, p, rem, rp, ex) { .proto = (pr), .host = (h), .port = (p), .remote = (rem), \
					  .remote_port = (rp), .explicit_map = (ex) }
	BASE(IPPROTO_UDP, "192.168.1.10", 1100, "203.0.113.10", 53, false),
	BASE(IPPROTO_TCP, "192.168.1.10", 1200, "203.0.113.10", 80, false),
	BASE(IPPROTO_ICMP, "192.168.1.11", 1300, "203.0.113.10", 0, false),
	BASE(IPPROTO_UDP, "192.168.1.11", 8300, "203.0.113.20", 4500, false),
	BASE(IPPROTO_TCP, "192.168.1.11", 9000, "203.0.113.20", 443, true),
#undef BASE
};
#define N_BASE (sizeof(base) / sizeof(base[0]))

static const char *const addrs4_text[] = {
	"198.51.100.1", "198.51.100.2", "192.168.1.10", "192.168.1.11", "192.168.1.1",
	"192.168.1.77", "203.0.113.10", "203.0.113.20", "192.0.0.1", "192.0.0.2", "224.0.0.1",
	"0.0.0.0", "255.255.255.255", "127.0.0.1",
};
static const char *const addrs6_text[] = {
	"2001:db8:c4::1", "2001:db8:ffff::1", "2001:db8:ffff::66", "ff02::1", "2001:db8:c4::fe",
};
#define N_A4 (sizeof(addrs4_text) / sizeof(addrs4_text[0]))
#define N_A6 (sizeof(addrs6_text) / sizeof(addrs6_text[0]))
static uint32_t addrs4[N_A4];
static struct in6_addr addrs6[N_A6];
static uint32_t hosts[3], remotes[3], pcp_server, pcp_client;

static void parse_tables(void)
{
	sets[0] = (struct b4_set){ ip4("198.51.100.1"), 1024, 1024 };
	sets[1] = (struct b4_set){ ip4("198.51.100.2"), 8192, 256 };
	b4_lab.sets = sets;
	b4_lab.n_sets = 2;
	b4_lab.tunnel = ip6("2001:db8:c4::1");
	b4_lab.aftr = ip6("2001:db8:ffff::1");
	for (size_t i = 0; i < N_A4; i++)
		addrs4[i] = ip4(addrs4_text[i]);
	for (size_t i = 0; i < N_A6; i++)
		addrs6[i] = ip6(addrs6_text[i]);
	hosts[0] = ip4("192.168.1.10");
	hosts[1] = ip4("192.168.1.11");
	hosts[2] = ip4("192.168.1.77"); /* no neighbour entry */
	remotes[0] = ip4("203.0.113.10");
	remotes[1] = ip4("203.0.113.20");
	remotes[2] = ip4("8.8.8.8");
	pcp_server = ip4("192.0.0.1");
	pcp_client = ip4("192.0.0.2");
	for (size_t i = 0; i < N_BASE; i++) {
		base[i].int_addr = ip4(base[i].host);
		base[i].remote_addr = ip4(base[i].remote);
	}
}

static int load(char *err, size_t errlen)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	struct lw_b4_config cfg;
	int ret;

	obj = bpf_object__open_file(b4_obj_path, NULL);
	if (!obj) {
		snprintf(err, errlen, "cannot open %s", b4_obj_path);
		return -1;
	}
	bpf_object__for_each_map(map, obj)
		bpf_map__set_pin_path(map, NULL);
	if ((ret = bpf_object__load(obj))) {
		snprintf(err, errlen, "cannot load %s: %s", b4_obj_path, strerror(-ret));
		return -1;
	}
	prog = bpf_object__find_program_by_name(obj, LW_B4_PROG_NAME);
	if (!prog || lw_b4_maps_from_obj(obj, &maps, err, errlen))
		return -1;
	b4_target.prog_fd = bpf_program__fd(prog);
	b4_lab.out_fd = maps.out;
	b4_lab.sess_fd = maps.sess;
	b4_lab.pool_fd = maps.pool;
	lw_b4_config_init(&cfg);
	cfg.tunnel_addr = b4_lab.tunnel;
	cfg.aftr_addr = b4_lab.aftr;
	cfg.lan_ifindex = b4_lab.lan;
	cfg.wan_ifindex = b4_lab.wan;
	cfg.lan_addr = ip4("192.168.1.1");
	cfg.lan_prefixlen = 24;
	if ((ret = lw_b4_config_write(&maps, &cfg))) {
		snprintf(err, errlen, "lw_b4_config_write: %s", strerror(-ret));
		return -1;
	}
	for (int i = 0; i < 2; i++) {
		struct lw_b4_portset ps = { .ipv4 = sets[i].ipv4, .first = sets[i].first,
					    .size = sets[i].size };

		if ((ret = lw_b4_pool_add(&maps, &ps))) {
			snprintf(err, errlen, "lw_b4_pool_add: %s", strerror(-ret));
			return -1;
		}
	}
	return 0;
}

static int b4_init(char *err, size_t errlen)
{
	struct aftr_side_spec lan = { .name = "lan", .mac = b4_lab.lan_mac,
				      .peer_mac = b4_lab.lan_host, .addr = "192.168.1.1/24" };
	struct aftr_side_spec wan = { .name = "wan", .mac = b4_lab.wan_mac,
				      .peer_mac = b4_lab.wan_peer, .ipv6 = true,
				      .addr = "2001:db8:c4::1/64", .gateway = "2001:db8:c4::fe" };
	int ret;

	parse_tables();
	mac(B4_LAN_MAC, b4_lab.lan_mac);
	mac(B4_LAN_HOST_MAC, b4_lab.lan_host);
	mac(B4_WAN_MAC, b4_lab.wan_mac);
	mac(B4_WAN_PEER_MAC, b4_lab.wan_peer);
	if ((ret = aftr_env_add_side(&lan, err, errlen)) < 0)
		return -1;
	b4_lab.lan = (unsigned)ret;
	if ((ret = aftr_env_add_side(&wan, err, errlen)) < 0)
		return -1;
	b4_lab.wan = (unsigned)ret;
	if (aftr_env_sh(err, errlen, "ip neigh replace 192.168.1.10 lladdr %s dev lan nud permanent"
			" && ip neigh replace 192.168.1.11 lladdr %s dev lan nud permanent",
			B4_LAN_HOST_MAC, B4_LAN_HOST_MAC))
		return -1;
	return load(err, errlen);
}

/* ---- the mappings of a block --------------------------------------------------------- */

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The first packet of a base mapping's flow, from its LAN host. */
static int open_flow(struct base_map *m, char *err, size_t errlen)
{
	static struct mframe f;
	static uint8_t out[4096];
	struct seed_ip4 s = { .src = m->int_addr, .dst = m->remote_addr, .sport = m->port,
			      .dport = m->remote_port, .ttl = 64,
			      .kind = m->proto == IPPROTO_UDP ? SK_UDP :
				      m->proto == IPPROTO_TCP ? SK_TCP : SK_ECHO };
	struct pkt_eth e = { 0 };
	struct pkt p;
	size_t outlen;
	uint32_t act = 0;

	seed_begin(&f, &p, b4_lab.lan, "open");
	memcpy(e.src, b4_lab.lan_host, 6);
	memcpy(e.dst, b4_lab.lan_mac, 6);
	pkt_eth(&p, &e);
	f.ip4 = pkt_ipv4(&p, &(struct pkt_ip4){ .src = s.src, .dst = s.dst, .ttl = 64 });
	if (s.kind == SK_UDP)
		pkt_udp(&p, &(struct pkt_udp){ .sport = s.sport, .dport = s.dport });
	else if (s.kind == SK_TCP)
		pkt_tcp(&p, &(struct pkt_tcp){ .sport = s.sport, .dport = s.dport,
					       .flags = PKT_TCP_SYN, .window = 1024 });
	else
		pkt_icmp4(&p, &(struct pkt_icmp){ .type = 8, .id = s.sport, .seq = 1 });
	seed_end(&p, &f);
	if (run_frame(b4_target.prog_fd, b4_lab.lan, f.buf, f.len, out, sizeof(out), &outlen,
		      &act) || act != XDP_REDIRECT) {
		snprintf(err, errlen, "the flow of %s:%u did not leave (action %u)", m->host,
			 m->port, act);
		return -1;
	}
	return 0;
}

static int read_ext(struct base_map *m, char *err, size_t errlen)
{
	struct lw_b4_out_key k = { .addr = m->int_addr, .port = htons(m->port), .proto = m->proto };
	struct lw_b4_out_val v;

	if (bpf_map_lookup_elem(b4_lab.out_fd, &k, &v)) {
		snprintf(err, errlen, "no mapping of %s:%u", m->host, m->port);
		return -1;
	}
	m->ext_addr = v.ext_addr;
	m->ext_port = ntohs(v.ext_port);
	return 0;
}

static int b4_before(uint64_t index, char *err, size_t errlen)
{
	int ret;

	if (index % BLOCK)
		return 0;
	if ((ret = lw_b4_flush_all(&maps, NULL))) {
		snprintf(err, errlen, "lw_b4_flush_all: %s", strerror(-ret));
		return -1;
	}
	for (size_t i = 0; i < N_BASE; i++) {
		struct base_map *m = &base[i];
		__be32 ga;
		__be16 gp;

		if (m->explicit_map) {
			ret = lw_b4_explicit_set(&maps, m->proto, m->int_addr, htons(m->port),
						 sets[1].ipv4, htons(8400), LW_B4_PCP_MAP, 0,
						 mono_ns() + 3600000000000ull, &ga, &gp);
			if (ret) {
				snprintf(err, errlen, "lw_b4_explicit_set: %s", strerror(-ret));
				return -1;
			}
		} else if (open_flow(m, err, errlen)) {
			return -1;
		}
		if (read_ext(m, err, errlen))
			return -1;
	}
	return 0;
}

/* ---- seeds ------------------------------------------------------------------------ */

static const struct base_map *pick_base(struct rng *r, bool ports_only)
{
	const struct base_map *m;

	do
		m = &base[rng_below(r, N_BASE)];
	while (ports_only && m->proto == IPPROTO_ICMP);
	return m;
}

static uint8_t kind_of(uint8_t proto, bool reply)
{
	return proto == IPPROTO_UDP ? SK_UDP : proto == IPPROTO_TCP ? SK_TCP :
	       reply ? SK_ECHO_REPLY : SK_ECHO;
}

static void lan_eth(struct rng *r, struct pkt *p, struct mframe *f)
{
	seed_eth(r, p, f, b4_lab.lan_host, b4_lab.lan_mac);
}

static void wan_eth(struct rng *r, struct pkt *p, struct mframe *f)
{
	seed_eth(r, p, f, b4_lab.wan_peer, b4_lab.wan_mac);
	seed_ip6(r, p, f, &b4_lab.aftr, &b4_lab.tunnel, 5);
}

/* From a LAN host out: a base flow, a port of the pool, or any port. */
static void seed_out(struct rng *r, struct mframe *f)
{
	const struct base_map *m = pick_base(r, false);
	unsigned x = rng_below(r, 100);
	struct seed_ip4 s = { .src = hosts[rng_below(r, 3)], .dst = remotes[rng_below(r, 3)],
			      .kind = seed_pick_kind(r), .sport = (uint16_t)rng_next(r),
			      .dport = (uint16_t)rng_next(r), .ttl = 64 };
	struct pkt p;

	if (s.kind == SK_ERROR)
		s.kind = SK_UDP;
	if (x < 40) {
		s.src = m->int_addr;
		s.sport = m->port;
		s.kind = kind_of(m->proto, false);
	} else if (x < 70) {
		s.sport = (uint16_t)(sets[0].first + rng_below(r, sets[0].size));
	}
	seed_begin(f, &p, b4_lab.lan, "out");
	lan_eth(r, &p, f);
	seed_ip4(r, &p, f, &s);
	seed_end(&p, f);
}

/* From a LAN host: an ICMP error about a packet of a base flow it got. */
static void seed_out_error(struct rng *r, struct mframe *f)
{
	const struct base_map *m = pick_base(r, false);
	struct seed_ip4 s = { .src = m->int_addr, .dst = m->remote_addr, .kind = SK_ERROR,
			      .ttl = 64, .qsrc = m->remote_addr, .qdst = m->int_addr,
			      .qkind = kind_of(m->proto, true), .qsport = m->remote_port,
			      .qdport = m->port };
	struct pkt p;

	if (m->proto == IPPROTO_ICMP)
		s.qsport = m->port;
	seed_begin(f, &p, b4_lab.lan, "out-icmp-error");
	lan_eth(r, &p, f);
	seed_ip4(r, &p, f, &s);
	seed_end(&p, f);
}

/* From a LAN host to our public address:port of another host's mapping. */
static void seed_hairpin(struct rng *r, struct mframe *f)
{
	const struct base_map *m = pick_base(r, true);
	struct seed_ip4 s = { .src = hosts[rng_below(r, 2)], .dst = m->ext_addr,
			      .kind = kind_of(m->proto, false), .ttl = 64,
			      .sport = rng_pct(r, 50) ? base[0].port : (uint16_t)rng_next(r),
			      .dport = m->ext_port };
	struct pkt p;

	seed_begin(f, &p, b4_lab.lan, "hairpin");
	lan_eth(r, &p, f);
	seed_ip4(r, &p, f, &s);
	seed_end(&p, f);
}

/* Through the tunnel to a base mapping, from its remote (ADF) or not. */
static void seed_in(struct rng *r, struct mframe *f)
{
	const struct base_map *m = pick_base(r, false);
	struct seed_ip4 s = { .src = rng_pct(r, 80) ? m->remote_addr : remotes[rng_below(r, 3)],
			      .dst = m->ext_addr, .kind = kind_of(m->proto, true),
			      .sport = m->remote_port, .dport = m->ext_port, .ttl = 64 };
	struct pkt p;

	if (m->proto == IPPROTO_ICMP)
		s.sport = m->ext_port;
	seed_begin(f, &p, b4_lab.wan, "in");
	wan_eth(r, &p, f);
	seed_ip4(r, &p, f, &s);
	seed_end(&p, f);
}

/* Through the tunnel: a router's ICMP error about a packet we sent. */
static void seed_in_error(struct rng *r, struct mframe *f)
{
	const struct base_map *m = pick_base(r, false);
	struct seed_ip4 s = { .src = rng_pct(r, 50) ? m->remote_addr : addrs4[6 + rng_below(r, 2)],
			      .dst = m->ext_addr, .kind = SK_ERROR, .ttl = 64, .qsrc = m->ext_addr,
			      .qdst = m->remote_addr, .qkind = kind_of(m->proto, false),
			      .qsport = m->ext_port, .qdport = m->remote_port };
	struct pkt p;

	seed_begin(f, &p, b4_lab.wan, "in-icmp-error");
	wan_eth(r, &p, f);
	seed_ip4(r, &p, f, &s);
	seed_end(&p, f);
}

/* PCP from the lwAFTR's server inside the tunnel: the kernel's (pcpd). */
static void seed_pcp(struct rng *r, struct mframe *f)
{
	struct seed_ip4 s = { .src = pcp_server, .dst = pcp_client, .kind = SK_UDP, .sport = 5351,
			      .dport = (uint16_t)rng_next(r), .ttl = 64 };
	struct pkt p;

	seed_begin(f, &p, b4_lab.wan, "pcp");
	wan_eth(r, &p, f);
	seed_ip4(r, &p, f, &s);
	seed_end(&p, f);
}

/* ICMPv6 from the lwAFTR about a packet we sent (1/5: no binding; the
 * kernel's and pcpd's: passed). */
static void seed_in_icmp6(struct rng *r, struct mframe *f)
{
	const struct base_map *m = pick_base(r, false);
	struct seed_ip4 s = { .src = m->ext_addr, .dst = m->remote_addr,
			      .kind = kind_of(m->proto, false), .sport = m->ext_port,
			      .dport = m->remote_port, .ttl = 63 };
	struct pkt p;

	seed_begin(f, &p, b4_lab.wan, "in-icmp6-error");
	seed_eth(r, &p, f, b4_lab.wan_peer, b4_lab.wan_mac);
	seed_ip6(r, &p, f, &b4_lab.aftr, &b4_lab.tunnel, 5);
	seed_icmp6_error(r, &p, f, &b4_lab.tunnel, &b4_lab.aftr, &s);
	seed_end(&p, f);
}

static void b4_seed(struct rng *r, struct mframe *f)
{
	unsigned x = rng_below(r, 100);

	if (x < 35)
		seed_out(r, f);
	else if (x < 45)
		seed_out_error(r, f);
	else if (x < 52)
		seed_hairpin(r, f);
	else if (x < 82)
		seed_in(r, f);
	else if (x < 95)
		seed_in_error(r, f);
	else if (x < 97)
		seed_in_icmp6(r, f);
	else
		seed_pcp(r, f);
}

static unsigned b4_other_side(unsigned ifindex)
{
	return ifindex == b4_lab.lan ? b4_lab.wan : b4_lab.lan;
}

static const char *b4_side_name(unsigned ifindex)
{
	return ifindex == b4_lab.lan ? "LAN" : ifindex == b4_lab.wan ? "WAN" : "?";
}

struct target b4_target = {
	.name = "b4",
	.init = b4_init,
	.before = b4_before,
	.block = BLOCK,
	.seed = b4_seed,
	.other_side = b4_other_side,
	.addrs4 = addrs4,
	.n_addrs4 = N_A4,
	.addrs6 = addrs6,
	.n_addrs6 = N_A6,
	.check = b4_check,
	.side_name = b4_side_name,
	.classes = b4_classes,
	.n_classes = B4_N_CLASSES,
};
