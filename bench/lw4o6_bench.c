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
 * the program's own cost: parsing, lookups, validation, rewrite, FIB lookup. */
#include <errno.h>
#include <stdbool.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "aftr_env.h"
#include "aftr_maps.h"
#include "pcap.h"
#include "addr.h"

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

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "shared", required_argument, NULL, 's' }, { "obj", required_argument, NULL, 'o' },
		{ "pass-obj", required_argument, NULL, 'p' }, { 0 },
	};
	const char *shared = LW4O6_SHARED_DIR, *obj = "build/bpf/lw4o6_aftr.bpf.o";
	const char *pass_obj = "build/bpf/lw4o6_pass.bpf.o";
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
			shared = optarg;
		else if (c == 'o')
			obj = optarg;
		else if (c == 'p')
			pass_obj = optarg;
		else
			return 2;
	}
	skip = aftr_env_skip_reason();
	if (skip) {
		printf("bench: not run: %s\n", skip);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/snabb-lwaftr/tests/benchdata/ipv4-0550.pcap", shared);
	if (read_one(path, v4frame, sizeof(v4frame), &v4len))
		return 1;
	snprintf(path, sizeof(path), "%s/snabb-lwaftr/tests/benchdata/ipv6-0550.pcap", shared);
	if (read_one(path, v6frame, sizeof(v6frame), &v6len))
		return 1;
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
	bpf_object__close(pobj);
	return 0;
}
