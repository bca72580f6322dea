// SPDX-License-Identifier: GPL-2.0
/* make bench: nanoseconds per packet of the lwAFTR's decapsulation and
 * encapsulation paths, measured with BPF_PROG_TEST_RUN on Snabb's benchmark
 * packets, beside a minimal XDP program measured in the same run on the same
 * frames. The figures are printed as ratios to that baseline because absolute
 * nanoseconds on a shared 2-core machine say little; timed assertions do not
 * belong in tests, so nothing here passes or fails on speed.
 *
 * BPF_PROG_TEST_RUN runs the program on one frame `repeat` times and reports
 * the mean; the redirect itself is not performed (not live mode), so this is
 * the program's own cost: parsing, lookups, validation, rewrite, FIB lookup.
 *
 * The lwB4 (build/bpf/lw4o6_b4.bpf.o, --b4-obj) is measured after the lwAFTR
 * the same way: see bench_b4(). */
#include <errno.h>
#include <stdbool.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "aftr_env.h"
#include "aftr_maps.h"
#include "b4_maps.h"
#include "pcap.h"
#include "pkt.h"
#include "addr.h"
#include "csum_ref.h"
#include "wire.h"

#define ROUNDS 5

static const uint8_t aftr_inet_mac[6] = { 0x12, 0x12, 0x12, 0x12, 0x12, 0x12 };
static const uint8_t inet_nh_mac[6] = { 0x68, 0x68, 0x68, 0x68, 0x68, 0x68 };
static const uint8_t aftr_access_mac[6] = { 0x22, 0x22, 0x22, 0x22, 0x22, 0x22 };
static const uint8_t access_nh_mac[6] = { 0x44, 0x44, 0x44, 0x44, 0x44, 0x44 };

static int read_one(const char *path, uint8_t *buf, size_t cap, size_t *len)
{
	struct pcap_reader r;
	struct pcap_record rec;

	if (pcap_reader_open(&r, path)) {
		fprintf(stderr, "bench: %s\n", r.err);
		return -1;
	}
	if (pcap_reader_next(&r, &rec) != 1 || rec.caplen > cap) {
		fprintf(stderr, "bench: %s: no usable frame\n", path);
		pcap_reader_close(&r);
		return -1;
	}
	memcpy(buf, rec.data, rec.caplen);
	*len = rec.caplen;
	pcap_reader_close(&r);
	return 0;
}

/* Snabb's IPv6 benchmark frames carry an inner IPv4 header checksum of 0
 * (Snabb never verifies it); the lwAFTR drops such a packet (RFC 1812
 * §5.2.2, issue 10), so the frame gets the checksum it should have had. */
static void fix_inner_ipv4_csum(uint8_t *f, size_t len)
{
	const size_t off = 14 + 40;
	size_t ihl;

	if (len < off + 20 || f[12] != 0x86 || f[13] != 0xdd || f[14 + 6] != IPPROTO_IPIP)
		return;
	ihl = (f[off] & 0x0f) * 4u;
	if (ihl < 20 || len < off + ihl)
		return;
	put_be16(f + off + 10, 0);
	put_be16(f + off + 10, ref_csum(f + off, ihl));
}

static const struct lw_aftr_maps *g_maps; /* for diagnostics only */

/* BPF_PROG_TEST_RUN's own repeat loop reruns the program on the frame it has
 * already rewritten (a decapsulated frame is no softwire packet any more), so
 * every run here is one call with a fresh copy of the frame, and the figure is
 * the mean of the kernel-measured durations of CALLS such calls: the program's
 * run plus the test timer's fixed overhead, which the baseline pays too. The
 * median of ROUNDS such means is reported. Every call's action is checked. */
#define CALLS 50000

static int measure(int prog_fd, unsigned ifindex, const uint8_t *frame, size_t len,
		   uint32_t want_action, double *ns)
{
	static uint8_t out[4096];
	double v[ROUNDS];

	for (int r = 0; r < ROUNDS; r++) {
		unsigned long long total = 0;

		for (int k = 0; k < CALLS; k++) {
			struct xdp_md ctx = { .data_end = (__u32)len, .ingress_ifindex = ifindex };
			LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = (__u32)len,
				    .data_out = out, .data_size_out = sizeof(out), .ctx_in = &ctx,
				    .ctx_size_in = sizeof(ctx), .repeat = 1);

			if (bpf_prog_test_run_opts(prog_fd, &o)) {
				fprintf(stderr, "bench: BPF_PROG_TEST_RUN: %s\n", strerror(errno));
				return -1;
			}
			if (o.retval != want_action) {
				struct lw_counter st[LW_STAT_MAX];

				fprintf(stderr, "bench: action %u, expected %u: the measured path is not "
						"the one intended\n", o.retval, want_action);
				if (g_maps && lw_aftr_stats_read(g_maps, st) == 0)
					for (unsigned i = 0; i < LW_STAT_MAX; i++)
						if (st[i].packets)
							fprintf(stderr, "  %s %llu\n", lw_stat_name(i),
								(unsigned long long)st[i].packets);
				return -1;
			}
			total += o.duration;
		}
		v[r] = (double)total / CALLS;
	}
	for (int i = 0; i < ROUNDS; i++)
		for (int j = i + 1; j < ROUNDS; j++)
			if (v[j] < v[i]) {
				double t = v[i];

				v[i] = v[j];
				v[j] = t;
			}
	*ns = v[ROUNDS / 2];
	return 0;
}

/* The benchmark frames' softwire (Snabb's: 178.79.150.233 port 80 ↔
 * 127:2:3:4:5:6:7:128 via BR 8:9:a:b:c:d:e:f) plus n-1 others on other
 * addresses, so that the table has the size being measured. */
static int build_table(struct lw_aftr_setup *s, size_t n)
{
	struct lw_softwire_entry e = {};
	int ret;

	lw_setup_init(s);
	lw_parse_ipv4("178.79.150.233", &e.ipv4, NULL, 0);
	lw_parse_ipv6("127:2:3:4:5:6:7:128", &e.b4_ipv6, NULL, 0);
	lw_parse_ipv6("8:9:a:b:c:d:e:f", &e.br_ipv6, NULL, 0);
	e.ps.psid_len = 16;
	e.psid = 80;
	if ((ret = lw_setup_add_softwire(s, &e)))
		return ret;
	for (size_t i = 1; i < n; i++) {
		/* 64 softwires (psid-len 6) per address from 10.0.0.0 up */
		uint32_t addr = 0x0a000000u + (uint32_t)(i / 64);
		struct lw_softwire_entry f = {};

		f.ipv4 = htonl(addr);
		f.ps.psid_len = 6;
		f.psid = (uint16_t)(i % 64);
		f.br_ipv6 = e.br_ipv6;
		f.b4_ipv6 = e.b4_ipv6;
		f.b4_ipv6.s6_addr32[2] = htonl(addr);
		f.b4_ipv6.s6_addr32[3] = htonl((uint32_t)i);
		if ((ret = lw_setup_add_softwire(s, &f)))
			return ret;
	}
	return 0;
}

/* ---- the lwB4 ------------------------------------------------------------------------
 * Two paths from the LAN: the second packet of a mapped UDP flow (lookup,
 * refresh, rewrite, FIB, encapsulation) and the first packet of a new flow
 * (the same plus claiming a free external port with BPF_NOEXIST and
 * inserting both NAPT entries). BPF_PROG_TEST_RUN runs one frame per call, so
 * for the first-packet path every call carries a new source port, and the
 * maps are flushed between rounds (outside the timed calls) so that every
 * measured packet creates a mapping: B4_NEW_CALLS calls per round, far below
 * the pool's 16384 ports, so the probe for a free port mostly succeeds at
 * its first try (the cost of a nearly full pool is not measured here). The
 * source ports 40000.. lie outside the set, so each mapping goes through the
 * random probe (bpf_loop), not the keep-the-internal-port shortcut. */
#define B4_NEW_CALLS 8192

static const uint8_t b4_lan_mac[6] = { 0x02, 0, 0, 0, 0x1a, 0x01 };
static const uint8_t b4_host_mac[6] = { 0x02, 0, 0, 0, 0x1a, 0x02 };
static const uint8_t b4_wan_mac[6] = { 0x02, 0, 0, 0, 0x2a, 0x01 };
static const uint8_t b4_peer_mac[6] = { 0x02, 0, 0, 0, 0x2a, 0x02 };

/* 550-byte UDP frame from a LAN host, as the lwAFTR bench's frames. */
static int b4_frame(uint8_t *buf, size_t cap, uint16_t sport, size_t *len)
{
	struct pkt p;
	struct pkt_eth e = { 0 };
	struct pkt_ip4 ip = { .src = ip4("192.168.1.10"), .dst = ip4("203.0.113.10"), .ttl = 64, .df = true };
	struct pkt_udp u = { .sport = sport, .dport = 53 };

	memcpy(e.src, b4_host_mac, 6);
	memcpy(e.dst, b4_lan_mac, 6);
	pkt_init(&p, buf, cap);
	pkt_eth(&p, &e);
	pkt_ipv4(&p, &ip);
	pkt_udp(&p, &u);
	pkt_data_pattern(&p, 550 - 14 - 20 - 8, 7);
	if (pkt_finish(&p) < 0 || p.len != 550) {
		fprintf(stderr, "bench: cannot build the lwB4 frame (error %d, %zu bytes)\n", p.err, p.len);
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
	fprintf(stderr, "bench: lwB4 action %u, expected %u: the measured path is not the one intended\n",
		got, want);
	if (lw_b4_stats_read(m, st) == 0)
		for (unsigned i = 0; i < LW_B4_STAT_MAX; i++)
			if (st[i].packets)
				fprintf(stderr, "  %s %llu\n", lw_b4_stat_name(i), (unsigned long long)st[i].packets);
	return -1;
}

/* First packets: ROUNDS rounds of B4_NEW_CALLS calls, each with a new
 * source port; the median of the rounds' means. */
static int b4_measure_new(int prog_fd, const struct lw_b4_maps *m, unsigned ifindex, double *ns)
{
	static uint8_t in[2048], out[4096];
	struct lw_counter st0[LW_B4_STAT_MAX];
	double v[ROUNDS];
	size_t len;

	if (lw_b4_stats_read(m, st0))
		return -1;
	for (int r = 0; r < ROUNDS; r++) {
		unsigned long long total = 0;

		if (lw_b4_flush_all(m, NULL))
			return -1;
		for (int k = 0; k < B4_NEW_CALLS; k++) {
			struct xdp_md ctx;

			if (b4_frame(in, sizeof(in), (uint16_t)(40000 + k), &len))
				return -1;
			ctx = (struct xdp_md){ .data_end = (__u32)len, .ingress_ifindex = ifindex };
			LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = (__u32)len,
				    .data_out = out, .data_size_out = sizeof(out), .ctx_in = &ctx,
				    .ctx_size_in = sizeof(ctx), .repeat = 1);

			if (bpf_prog_test_run_opts(prog_fd, &o)) {
				fprintf(stderr, "bench: BPF_PROG_TEST_RUN: %s\n", strerror(errno));
				return -1;
			}
			if (b4_expect(m, o.retval, XDP_REDIRECT))
				return -1;
			total += o.duration;
		}
		v[r] = (double)total / B4_NEW_CALLS;
	}
	for (int i = 0; i < ROUNDS; i++)
		for (int j = i + 1; j < ROUNDS; j++)
			if (v[j] < v[i]) {
				double t = v[i];

				v[i] = v[j];
				v[j] = t;
			}
	*ns = v[ROUNDS / 2];
	{
		struct lw_counter st[LW_B4_STAT_MAX];

		/* every measured packet created its mapping */
		if (lw_b4_stats_read(m, st) == 0 &&
		    st[LW_B4_STAT_MAPPING_CREATED].packets - st0[LW_B4_STAT_MAPPING_CREATED].packets !=
			    (unsigned long long)ROUNDS * B4_NEW_CALLS) {
			fprintf(stderr, "bench: %llu mappings created, expected %d\n",
				(unsigned long long)(st[LW_B4_STAT_MAPPING_CREATED].packets -
						     st0[LW_B4_STAT_MAPPING_CREATED].packets),
				ROUNDS * B4_NEW_CALLS);
			return -1;
		}
	}
	return 0;
}

static int bench_b4(const char *obj_path, int pass_fd)
{
	struct aftr_side_spec lan = { .name = "lan", .mac = b4_lan_mac, .peer_mac = b4_host_mac,
				      .addr = "192.168.1.1/24", .gateway = "192.168.1.254" };
	struct aftr_side_spec wan = { .name = "wan", .mac = b4_wan_mac, .peer_mac = b4_peer_mac,
				      .ipv6 = true, .addr = "2001:db8:b4::1/64", .gateway = "fe80::1" };
	struct lw_b4_portset ps = { .first = 16384, .size = 16384 };
	struct lw_b4_config cfg;
	struct lw_b4_maps m;
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *map;
	uint8_t frame[2048];
	char err[1024];
	size_t len;
	double est, est_base, first, first_base;
	int lan_if, wan_if, fd;

	obj = bpf_object__open_file(obj_path, NULL);
	if (!obj) {
		fprintf(stderr, "bench: cannot open %s\n", obj_path);
		return -1;
	}
	bpf_object__for_each_map(map, obj)
		bpf_map__set_pin_path(map, NULL);
	if (bpf_object__load(obj) || !(prog = bpf_object__find_program_by_name(obj, "lw4o6_b4")) ||
	    lw_b4_maps_from_obj(obj, &m, err, sizeof(err))) {
		fprintf(stderr, "bench: cannot load the lwB4 program from %s\n", obj_path);
		bpf_object__close(obj);
		return -1;
	}
	fd = bpf_program__fd(prog);
	lan_if = aftr_env_add_side(&lan, err, sizeof(err));
	wan_if = lan_if > 0 ? aftr_env_add_side(&wan, err, sizeof(err)) : -1;
	if (lan_if < 0 || wan_if < 0) {
		fprintf(stderr, "bench: %s\n", err);
		bpf_object__close(obj);
		return -1;
	}
	lw_b4_config_init(&cfg);
	lw_parse_ipv6("2001:db8:b4::1", &cfg.tunnel_addr, NULL, 0);
	lw_parse_ipv6("2001:db8:ffff::1", &cfg.aftr_addr, NULL, 0);
	lw_parse_ipv4("192.168.1.1", &cfg.lan_addr, NULL, 0);
	lw_parse_ipv4("198.51.100.1", &ps.ipv4, NULL, 0);
	cfg.lan_prefixlen = 24;
	cfg.lan_ifindex = (__u32)lan_if;
	cfg.wan_ifindex = (__u32)wan_if;
	if (lw_b4_config_write(&m, &cfg) || lw_b4_pool_add(&m, &ps) ||
	    b4_frame(frame, sizeof(frame), 12345, &len)) {
		fprintf(stderr, "bench: cannot configure the lwB4 or build its frame (%s)\n", strerror(errno));
		bpf_object__close(obj);
		return -1;
	}
	/* established: the first call creates the mapping (not timed), then
	 * every timed call is the flow's next packet */
	{
		uint8_t out[4096];
		size_t outlen;
		uint32_t act = 0;
		struct aftr_env e = { .prog_fd = fd };

		if (aftr_env_run(&e, (unsigned)lan_if, frame, len, out, sizeof(out), &outlen, &act) ||
		    b4_expect(&m, act, XDP_REDIRECT)) {
			bpf_object__close(obj);
			return -1;
		}
	}
	if (measure(fd, (unsigned)lan_if, frame, len, XDP_REDIRECT, &est) ||
	    measure(pass_fd, (unsigned)lan_if, frame, len, XDP_PASS, &est_base) ||
	    b4_measure_new(fd, &m, (unsigned)lan_if, &first) ||
	    measure(pass_fd, (unsigned)lan_if, frame, len, XDP_PASS, &first_base)) {
		bpf_object__close(obj);
		return -1;
	}
	printf("\nlwB4 per-packet cost, same method; 550-byte UDP frames from a LAN host, NAPT44 into a\n"
	       "16384-port set, encapsulation to the lwAFTR, next hop from bpf_fib_lookup()\n"
	       "established: second and later packets of one mapped flow (mean of %d calls);\n"
	       "first packet: a new source port every call, maps flushed between rounds, so every\n"
	       "measured packet creates its mapping through the random port probe (mean of %d calls)\n\n", CALLS, B4_NEW_CALLS);
	printf("%-28s %10s %10s %12s %8s %10s\n", "path", "mappings", "ns/pkt", "baseline ns", "ratio",
	       "extra ns");
	printf("%-28s %10d %10.1f %12.1f %7.2fx %10.1f\n", "lwB4 LAN->WAN, established", 1, est, est_base,
	       est / est_base, est - est_base);
	printf("%-28s %10s %10.1f %12.1f %7.2fx %10.1f\n", "lwB4 LAN->WAN, first packet", "0..8191", first,
	       first_base, first / first_base, first - first_base);
	bpf_object__close(obj);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 's' }, { "obj", required_argument, NULL, 'o' },
		{ "pass-obj", required_argument, NULL, 'p' }, { "b4-obj", required_argument, NULL, 'b' },
		{ 0 },
	};
	const char *data_dir = LW4O6_DATA_DIR, *obj = "build/bpf/lw4o6_aftr.bpf.o";
	const char *pass_obj = "build/bpf/lw4o6_pass.bpf.o";
	const char *b4_obj = "build/bpf/lw4o6_b4.bpf.o";
	static const size_t sizes[] = { 1, 1000, 1000000 };
	uint8_t v4frame[2048], v6frame[2048];
	size_t v4len, v6len;
	struct aftr_env env;
	struct bpf_object *pobj;
	char err[1024], path[512];
	int pass_fd, if4, if6, c;
	const char *skip;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 's')
			data_dir = optarg;
		else if (c == 'o')
			obj = optarg;
		else if (c == 'p')
			pass_obj = optarg;
		else if (c == 'b')
			b4_obj = optarg;
		else
			return 2;
	}
	skip = aftr_env_skip_reason();
	if (skip) {
		printf("bench: not run: %s\n", skip);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/snabb-lwaftr/tests/benchdata/ipv4-0550.pcap", data_dir);
	if (read_one(path, v4frame, sizeof(v4frame), &v4len))
		return 1;
	snprintf(path, sizeof(path), "%s/snabb-lwaftr/tests/benchdata/ipv6-0550.pcap", data_dir);
	if (read_one(path, v6frame, sizeof(v6frame), &v6len))
		return 1;
	fix_inner_ipv4_csum(v6frame, v6len);
	if (aftr_env_enter_netns(err, sizeof(err)) || aftr_env_open(&env, obj, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		return 1;
	}
	pobj = bpf_object__open_file(pass_obj, NULL);
	if (!pobj || bpf_object__load(pobj)) {
		fprintf(stderr, "bench: cannot load %s\n", pass_obj);
		return 1;
	}
	pass_fd = bpf_program__fd(bpf_object__find_program_by_name(pobj, "lw4o6_pass"));
	{
		struct aftr_side_spec inet = { .name = "inet", .mac = aftr_inet_mac, .peer_mac = inet_nh_mac,
					       .addr = "10.10.10.10/32", .gateway = "169.254.0.1" };
		struct aftr_side_spec access = { .name = "access", .mac = aftr_access_mac,
						 .peer_mac = access_nh_mac, .ipv6 = true,
						 .addr = "8:9:a:b:c:d:e:f/128", .gateway = "fe80::1" };

		if4 = aftr_env_add_side(&inet, err, sizeof(err));
		if6 = if4 > 0 ? aftr_env_add_side(&access, err, sizeof(err)) : -1;
		if (if4 < 0 || if6 < 0) {
			fprintf(stderr, "bench: %s\n", err);
			return 1;
		}
	}

	g_maps = &env.maps;
	printf("lwAFTR per-packet cost, BPF_PROG_TEST_RUN, mean of %d single runs, median of %d rounds, "
	       "550-byte frames from Snabb's benchdata\n", CALLS, ROUNDS);
	printf("baseline: lw4o6_pass (returns XDP_PASS) on the same frame, same run\n");
	printf("decap: ipv6-0550.pcap from the B4 side; encap: ipv4-0550.pcap from the internet side\n");
	printf("FIB: next hop from bpf_fib_lookup(); static: configured next-hop MAC (Snabb's model)\n\n");
	printf("%-28s %10s %10s %12s %8s %10s\n", "path", "softwires", "ns/pkt", "baseline ns", "ratio",
	       "extra ns");
	for (size_t run = 0; run < 2 * sizeof(sizes) / sizeof(sizes[0]); run++) {
		size_t i = run % (sizeof(sizes) / sizeof(sizes[0]));
		bool static_nh = run >= sizeof(sizes) / sizeof(sizes[0]);
		struct lw_aftr_setup s;
		double dec, enc, base4, base6;
		char label[64];

		if (build_table(&s, sizes[i])) {
			fprintf(stderr, "bench: out of memory building %zu softwires\n", sizes[i]);
			return 1;
		}
		s.cfg.ipv4_ifindex = (__u32)if4;
		s.cfg.ipv6_ifindex = (__u32)if6;
		s.cfg.ipv4_mtu = 1500;
		s.cfg.ipv6_mtu = 1500;
		if (static_nh) {
			/* Snabb's model: configured next-hop MACs, no FIB lookup */
			memcpy(s.cfg.ipv4_src_mac, aftr_inet_mac, 6);
			memcpy(s.cfg.ipv4_nh_mac, inet_nh_mac, 6);
			memcpy(s.cfg.ipv6_src_mac, aftr_access_mac, 6);
			memcpy(s.cfg.ipv6_nh_mac, access_nh_mac, 6);
			s.cfg.flags |= LW_CFG_STATIC_NH4 | LW_CFG_STATIC_NH6;
		}
		if (lw_aftr_install(&env.maps, &s, 1, err, sizeof(err))) {
			fprintf(stderr, "bench: install: %s\n", err);
			return 1;
		}
		lw_setup_free(&s);
		if (measure(env.prog_fd, (unsigned)if6, v6frame, v6len, XDP_REDIRECT, &dec) ||
		    measure(pass_fd, (unsigned)if6, v6frame, v6len, XDP_PASS, &base6) ||
		    measure(env.prog_fd, (unsigned)if4, v4frame, v4len, XDP_REDIRECT, &enc) ||
		    measure(pass_fd, (unsigned)if4, v4frame, v4len, XDP_PASS, &base4))
			return 1;
		snprintf(label, sizeof(label), "decap, %s", static_nh ? "static next hop" : "FIB");
		printf("%-28s %10zu %10.1f %12.1f %7.2fx %10.1f\n", label, sizes[i], dec, base6,
		       dec / base6, dec - base6);
		snprintf(label, sizeof(label), "encap, %s", static_nh ? "static next hop" : "FIB");
		printf("%-28s %10zu %10.1f %12.1f %7.2fx %10.1f\n", label, sizes[i], enc, base4,
		       enc / base4, enc - base4);
		fflush(stdout);
	}
	aftr_env_close(&env);
	if (access(b4_obj, R_OK) == 0) {
		if (bench_b4(b4_obj, pass_fd))
			return 1;
	} else {
		printf("\nlwB4: not measured: %s is not built\n", b4_obj);
	}
	bpf_object__close(pobj);
	return 0;
}
