// SPDX-License-Identifier: GPL-2.0
/* The lwB4 (build/bpf/lw4o6_b4.bpf.o): 550-byte UDP frames from LAN hosts,
 * NAPT44 into the lwB4's port sets, encapsulation to the lwAFTR, next hop
 * from bpf_fib_lookup(). Two paths: the next packet of a mapped flow
 * (established: lookup, refresh, rewrite, FIB, encapsulation) and the first
 * packet of a new flow (the same plus claiming a free external port with
 * BPF_NOEXIST and inserting both NAPT entries).
 *
 * v1 (today's table): one frame per call. Established: one flow. First
 * packet: every call carries a new source port and the maps are flushed
 * between rounds (outside the timed calls), so every measured packet creates
 * a mapping: B4_NEW_CALLS calls per round, far below the pool's 16384 ports.
 *
 * v2: 20,000 flows (100 hosts x 200 source ports) through the loop wrapper,
 * two port sets of 16384. First packet: one pass over the 20k frames per
 * measurement, the mappings flushed before each (untimed), so every packet
 * creates its mapping and the pool fills to 61 % during the pass (the
 * probe's cost at that fill is part of the figure). Established: the 20k
 * mapped flows, five passes per measurement.
 *
 * The source ports (40000.. in v1, 50000.. in v2) lie outside the sets, so
 * each mapping goes through the random probe (bpf_loop), not the
 * keep-the-internal-port shortcut. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.h"
#include "addr.h"
#include "b4_nexthop.h"
#include "b4_maps.h"
#include "pkt.h"

#define ROUNDS       5
#define B4_NEW_CALLS 8192
#define V2_HOSTS     100
#define V2_PORTS     200
#define V2_FLOWS     (V2_HOSTS * V2_PORTS)
#define V2_PACKETS   (5 * V2_FLOWS)

static const uint8_t b4_lan_mac[6] = { 0x02, 0, 0, 0, 0x1a, 0x01 };
static const uint8_t b4_host_mac[6] = { 0x02, 0, 0, 0, 0x1a, 0x02 };
static const uint8_t b4_wan_mac[6] = { 0x02, 0, 0, 0, 0x2a, 0x01 };
static const uint8_t b4_peer_mac[6] = { 0x02, 0, 0, 0, 0x2a, 0x02 };

struct b4_lab {
	struct bpf_object *obj;
	int fd;
	struct lw_b4_maps m;
	int lan_if, wan_if;
};

/* 550-byte UDP frame from a LAN host, as the lwAFTR bench's frames. */
static int b4_frame(uint8_t *buf, size_t cap, uint32_t src, uint16_t sport, size_t *len)
{
	struct pkt p;
	struct pkt_eth e = { 0 };
	struct pkt_ip4 ip = { .src = src, .dst = ip4("203.0.113.10"), .ttl = 64, .df = true };
	struct pkt_udp u = { .sport = sport, .dport = 53 };

	memcpy(e.src, b4_host_mac, 6);
	memcpy(e.dst, b4_lan_mac, 6);
	pkt_init(&p, buf, cap);
	pkt_eth(&p, &e);
	pkt_ipv4(&p, &ip);
	pkt_udp(&p, &u);
	pkt_data_pattern(&p, 550 - 14 - 20 - 8, 7);
	if (pkt_finish(&p) < 0 || p.len != 550) {
		fprintf(stderr, "bench: cannot build the lwB4 frame (error %d, %zu bytes)\n", p.err,
			p.len);
		return -1;
	}
	*len = p.len;
	return 0;
}

static int b4_expect(const struct lw_b4_maps *m, uint32_t got, uint32_t want)
{
	struct lw_counter st[LW_B4_STAT_MAX];

	if (got == want)
		return 0;
	fprintf(stderr,
		"bench: lwB4 action %u, expected %u: the measured path is not the one intended\n",
		got, want);
	if (lw_b4_stats_read(m, st) == 0)
		for (unsigned i = 0; i < LW_B4_STAT_MAX; i++)
			if (st[i].packets)
				fprintf(stderr, "  %s %llu\n", lw_b4_stat_name(i),
					(unsigned long long)st[i].packets);
	return -1;
}

static void b4_close(struct b4_lab *b)
{
	if (b->obj)
		bpf_object__close(b->obj);
	b->obj = NULL;
}

/* The lab's two sides and the lwB4's configuration. */
static int b4_configure(struct b4_lab *b, const struct lw_b4_portset *sets, size_t n_sets)
{
	struct aftr_side_spec lan = { .name = "lan",
				      .mac = b4_lan_mac,
				      .peer_mac = b4_host_mac,
				      .addr = "192.168.1.1/24",
				      .gateway = "192.168.1.254" };
	struct aftr_side_spec wan = { .name = "wan",
				      .mac = b4_wan_mac,
				      .peer_mac = b4_peer_mac,
				      .ipv6 = true,
				      .addr = "2001:db8:b4::1/64",
				      .gateway = "fe80::1" };
	struct lw_b4_config cfg;
	char err[1024];

	b->lan_if = aftr_env_add_side(&lan, err, sizeof(err));
	b->wan_if = b->lan_if > 0 ? aftr_env_add_side(&wan, err, sizeof(err)) : -1;
	if (b->lan_if < 0 || b->wan_if < 0) {
		fprintf(stderr, "bench: %s\n", err);
		return -1;
	}
	lw_b4_config_init(&cfg);
	lw_parse_ipv6("2001:db8:b4::1", &cfg.tunnel_addr, NULL, 0);
	lw_parse_ipv6("2001:db8:ffff::1", &cfg.aftr_addr, NULL, 0);
	lw_parse_ipv4("192.168.1.1", &cfg.lan_addr, NULL, 0);
	cfg.lan_prefixlen = 24;
	cfg.lan_ifindex = (__u32)b->lan_if;
	cfg.wan_ifindex = (__u32)b->wan_if;
	if (lw_b4_config_write(&b->m, &cfg))
		return -1;
	for (size_t i = 0; i < n_sets; i++)
		if (lw_b4_pool_add(&b->m, &sets[i]))
			return -1;
	return 0;
}

static int b4_open(struct b4_lab *b, const char *obj_path, const struct lw_b4_portset *sets,
		   size_t n_sets)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	char err[1024];

	memset(b, 0, sizeof(*b));
	b->obj = bpf_object__open_file(obj_path, NULL);
	if (!b->obj) {
		fprintf(stderr, "bench: cannot open %s\n", obj_path);
		return -1;
	}
	bpf_object__for_each_map(map, b->obj) bpf_map__set_pin_path(map, NULL);
	if (bpf_object__load(b->obj) ||
	    !(prog = bpf_object__find_program_by_name(b->obj, "lw4o6_b4")) ||
	    lw_b4_maps_from_obj(b->obj, &b->m, err, sizeof(err))) {
		fprintf(stderr, "bench: cannot load the lwB4 program from %s\n", obj_path);
		b4_close(b);
		return -1;
	}
	b->fd = bpf_program__fd(prog);
	if (b4_configure(b, sets, n_sets)) {
		fprintf(stderr, "bench: cannot configure the lwB4 (%s)\n", strerror(errno));
		b4_close(b);
		return -1;
	}
	return 0;
}

/* v1's first packets: ROUNDS rounds of B4_NEW_CALLS calls, each with a new
 * source port; the median of the rounds' means. */
static int b4_measure_new(const struct b4_lab *b, double *ns)
{
	static uint8_t in[2048], out[4096];
	struct lw_counter st0[LW_B4_STAT_MAX], st[LW_B4_STAT_MAX];
	unsigned long long made;
	double v[ROUNDS];
	size_t len;

	if (lw_b4_stats_read(&b->m, st0))
		return -1;
	for (int r = 0; r < ROUNDS; r++) {
		unsigned long long total = 0;

		if (lw_b4_flush_all(&b->m, NULL))
			return -1;
		for (int k = 0; k < B4_NEW_CALLS; k++) {
			struct xdp_md ctx;

			if (b4_frame(in, sizeof(in), ip4("192.168.1.10"), (uint16_t)(40000 + k),
				     &len))
				return -1;
			ctx = (struct xdp_md){ .data_end = (__u32)len,
					       .ingress_ifindex = (__u32)b->lan_if };
			LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = (__u32)len,
				    .data_out = out, .data_size_out = sizeof(out), .ctx_in = &ctx,
				    .ctx_size_in = sizeof(ctx), .repeat = 1);

			if (bpf_prog_test_run_opts(b->fd, &o)) {
				fprintf(stderr, "bench: BPF_PROG_TEST_RUN: %s\n", strerror(errno));
				return -1;
			}
			if (b4_expect(&b->m, o.retval, XDP_REDIRECT))
				return -1;
			total += o.duration;
		}
		v[r] = (double)total / B4_NEW_CALLS;
	}
	*ns = bench_median(v, ROUNDS);
	/* every measured packet created its mapping */
	if (lw_b4_stats_read(&b->m, st))
		return -1;
	made = st[LW_B4_STAT_MAPPING_CREATED].packets - st0[LW_B4_STAT_MAPPING_CREATED].packets;
	if (made != (unsigned long long)ROUNDS * B4_NEW_CALLS) {
		fprintf(stderr, "bench: %llu mappings created, expected %d\n", made,
			ROUNDS * B4_NEW_CALLS);
		return -1;
	}
	return 0;
}

static int v1_rows(const struct bench_lab *lab, const struct b4_lab *b)
{
	uint8_t frame[2048], out[4096];
	size_t len, outlen;
	uint32_t act = 0;
	double est, est_base, first, first_base;
	struct aftr_env e = { .prog_fd = b->fd };

	/* established: the first call creates the mapping (not timed), then
	 * every timed call is the flow's next packet */
	if (b4_frame(frame, sizeof(frame), ip4("192.168.1.10"), 12345, &len) ||
	    aftr_env_run(&e, (unsigned)b->lan_if, frame, len, out, sizeof(out), &outlen, &act) ||
	    b4_expect(&b->m, act, XDP_REDIRECT))
		return -1;
	if (bench_v1_measure(b->fd, (unsigned)b->lan_if, frame, len, XDP_REDIRECT, &est) ||
	    bench_v1_measure(lab->pass_fd, (unsigned)b->lan_if, frame, len, XDP_PASS, &est_base) ||
	    b4_measure_new(b, &first) ||
	    bench_v1_measure(lab->pass_fd, (unsigned)b->lan_if, frame, len, XDP_PASS, &first_base))
		return -1;
	printf("\nv1: lwB4 per-packet cost, same method; 550-byte UDP frames from a LAN host, NAPT44 "
	       "into a\n16384-port set, encapsulation to the lwAFTR, next hop from bpf_fib_lookup()\n"
	       "established: second and later packets of one mapped flow (mean of %d calls);\n"
	       "first packet: a new source port every call, maps flushed between rounds, so every\n"
	       "measured packet creates its mapping through the random port probe (mean of %d calls)\n\n",
	       bench_v1_calls(), B4_NEW_CALLS);
	printf("%-28s %10s %10s %12s %8s %10s\n", "path", "mappings", "ns/pkt", "baseline ns",
	       "ratio", "extra ns");
	printf("%-28s %10d %10.1f %12.1f %7.2fx %10.1f\n", "lwB4 LAN->WAN, established", 1, est,
	       est_base, est / est_base, est - est_base);
	printf("%-28s %10s %10.1f %12.1f %7.2fx %10.1f\n", "lwB4 LAN->WAN, first packet", "0..8191",
	       first, first_base, first / first_base, first - first_base);
	fflush(stdout);
	return 0;
}

static int v2_read(const void *maps, uint64_t *packets)
{
	struct lw_counter st[LW_B4_STAT_MAX];

	if (lw_b4_stats_read(maps, st))
		return -1;
	for (unsigned i = 0; i < LW_B4_STAT_MAX; i++)
		packets[i] = st[i].packets;
	return 0;
}

static int v2_flush(const void *maps)
{
	return lw_b4_flush_all(maps, NULL);
}

/* The lwB4's next hop for v2's rows: "fib" (--nexthop fib) or "cache",
 * the default, filled once from the lab's routes as pcpd --role b4 keeps
 * it (lw_b4_nh_sync_once), with a lease longer than the run. 0, 1 (not
 * cached: the rows are skipped) or -1. */
static int b4_nexthop(const struct b4_lab *b, const char *mode)
{
	struct bpf_map *map = bpf_object__find_map_by_name(b->obj, LW_STR(LW_MAP_B4_NEXTHOP));
	struct lw_nh_verdict v[LW_NH_FAMILIES];
	struct lw_b4_config cfg;
	char err[256];

	if (lw_b4_config_read(&b->m, &cfg))
		return -1;
	cfg.flags &= ~(__u32)LW_B4_CFG_NH_FIB;
	if (!strcmp(mode, "fib"))
		cfg.flags |= LW_B4_CFG_NH_FIB;
	if (lw_b4_config_write(&b->m, &cfg))
		return -1;
	if (!strcmp(mode, "fib"))
		return 0;
	if (!map || lw_b4_nh_sync_once(bpf_map__fd(map), &cfg, 600000, v, err, sizeof(err))) {
		fprintf(stderr, "bench: lwB4 next-hop cache not filled: %s\n",
			map ? err : "no map");
		return 1;
	}
	if (v[LW_NH_IPV6].entry.mode != LW_NH_CACHED) {
		fprintf(stderr, "bench: lwB4 next hop not cached: %s\n", v[LW_NH_IPV6].text);
		return 1;
	}
	return 0;
}

static int v2_row(const struct bench_lab *lab, const struct b4_lab *b,
		  const struct bench_frames *fs, bool first, const char *nexthop)
{
	struct bench_counters c = {
		.maps = &b->m,
		.n = LW_B4_STAT_MAX,
		.read = v2_read,
		.name = lw_b4_stat_name,
		.want = { LW_B4_STAT_RCVD_LAN, LW_B4_STAT_SENT_TUNNEL, LW_B4_STAT_MAPPING_CREATED },
		.n_want = first ? 3 : 2,
		.before = first ? v2_flush : NULL,
	};
	struct bench_row row = { .role = "lwB4",
				 .path = first ? "first" : "established",
				 .workload = "lan-20k",
				 .nexthop = nexthop,
				 .softwires = 1,
				 .flows = fs->n,
				 .install_s = -1 };

	if (bench_loop_prepare(lab->loop, b->fd, fs, XDP_REDIRECT) ||
	    bench_loop_measure(lab->loop, fs, b->fd, lab->pass_fd, &c, first ? fs->n : V2_PACKETS,
			       &row.r))
		return -1;
	bench_report_row(&row);
	return 0;
}

static int v2_rows(const struct bench_lab *lab, const struct b4_lab *b)
{
	struct bench_frames fs;
	size_t len;
	int ret = -1;

	if (bench_frames_alloc(&fs, V2_FLOWS, 550, (unsigned)b->lan_if))
		return -1;
	for (size_t k = 0; k < V2_FLOWS; k++) {
		uint32_t host = ntohl(ip4("192.168.1.10")) + (uint32_t)(k / V2_PORTS);

		if (b4_frame(bench_frame_at(&fs, k), fs.len, htonl(host),
			     (uint16_t)(50000 + k % V2_PORTS), &len))
			goto out;
	}
	/* first packets before established: the last first-packet run leaves
	 * the 20k mappings the established rows use */
	ret = 0;
	for (int i = 0; i < 2 && !ret; i++) {
		const char *nh = i ? "cache" : "fib";
		int c = b4_nexthop(b, nh);

		if (c < 0)
			ret = -1;
		else if (c == 0)
			ret = v2_row(lab, b, &fs, true, nh) || v2_row(lab, b, &fs, false, nh) ? -1
											      : 0;
	}
out:
	bench_frames_free(&fs);
	return ret;
}

/* v1 uses the first set, v2 both (32768 ports for 20k flows). */
static void port_sets(struct lw_b4_portset ps[2])
{
	ps[0] = (struct lw_b4_portset){ .ipv4 = ip4("198.51.100.1"),
					.first = 16384,
					.size = 16384 };
	ps[1] = (struct lw_b4_portset){ .ipv4 = ip4("198.51.100.1"),
					.first = 32768,
					.size = 16384 };
}

int bench_v1_b4(const struct bench_lab *lab)
{
	struct lw_b4_portset ps[2];
	struct b4_lab b;
	int ret;

	port_sets(ps);
	if (b4_open(&b, lab->o->b4_obj, ps, 1))
		return -1;
	ret = v1_rows(lab, &b);
	b4_close(&b);
	return ret;
}

int bench_v2_b4(const struct bench_lab *lab)
{
	struct lw_b4_portset ps[2];
	struct b4_lab b;
	int ret;

	port_sets(ps);
	if (b4_open(&b, lab->o->b4_obj, ps, 2))
		return -1;
	ret = v2_rows(lab, &b);
	b4_close(&b);
	return ret;
}
