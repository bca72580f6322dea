// SPDX-License-Identifier: GPL-2.0
/* Today's table (v1), kept beside v2: nanoseconds per packet of the lwAFTR's
 * decapsulation and encapsulation paths, measured with BPF_PROG_TEST_RUN on
 * Snabb's benchmark packets, beside a minimal XDP program measured in the
 * same run on the same frames.
 *
 * BPF_PROG_TEST_RUN's own repeat loop reruns the program on the frame it has
 * already rewritten (a decapsulated frame is no softwire packet any more), so
 * every run here is one call with a fresh copy of the frame, and the figure is
 * the mean of the kernel-measured durations of CALLS such calls: the program's
 * run plus the test timer's fixed overhead, which the baseline pays too. The
 * median of ROUNDS such means is reported. Every call's action is checked.
 * The redirect itself is not performed (not live mode): this is the
 * program's own cost, parsing, lookups, validation, rewrite, FIB lookup. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.h"
#include "addr.h"
#include "csum_ref.h"
#include "pcap.h"
#include "wire.h"

#define ROUNDS 5
#define CALLS  50000

int bench_read_pcap1(const char *path, uint8_t *buf, size_t cap, size_t *len)
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

int bench_benchdata(const char *data_dir, uint8_t *v4, size_t *v4len, uint8_t *v6, size_t *v6len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/snabb-lwaftr/tests/benchdata/ipv4-0550.pcap", data_dir);
	if (bench_read_pcap1(path, v4, 2048, v4len))
		return -1;
	snprintf(path, sizeof(path), "%s/snabb-lwaftr/tests/benchdata/ipv6-0550.pcap", data_dir);
	if (bench_read_pcap1(path, v6, 2048, v6len))
		return -1;
	fix_inner_ipv4_csum(v6, *v6len);
	return 0;
}

static const struct lw_aftr_maps *g_maps; /* for diagnostics only */

static void print_aftr_counters(void)
{
	struct lw_counter st[LW_STAT_MAX];

	if (g_maps && lw_aftr_stats_read(g_maps, st) == 0)
		for (unsigned i = 0; i < LW_STAT_MAX; i++)
			if (st[i].packets)
				fprintf(stderr, "  %s %llu\n", lw_stat_name(i),
					(unsigned long long)st[i].packets);
}

int bench_v1_measure(int prog_fd, unsigned ifindex, const uint8_t *frame, size_t len,
		     uint32_t want_action, double *ns)
{
	static uint8_t out[4096];
	double v[ROUNDS];

	for (int r = 0; r < ROUNDS; r++) {
		unsigned long long total = 0;

		for (int k = 0; k < CALLS; k++) {
			struct xdp_md ctx = { .data_end = (__u32)len, .ingress_ifindex = ifindex };
			LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame,
				    .data_size_in = (__u32)len, .data_out = out,
				    .data_size_out = sizeof(out), .ctx_in = &ctx,
				    .ctx_size_in = sizeof(ctx), .repeat = 1);

			if (bpf_prog_test_run_opts(prog_fd, &o)) {
				fprintf(stderr, "bench: BPF_PROG_TEST_RUN: %s\n", strerror(errno));
				return -1;
			}
			if (o.retval != want_action) {
				fprintf(stderr,
					"bench: action %u, expected %u: the measured path is not "
					"the one intended\n",
					o.retval, want_action);
				print_aftr_counters();
				return -1;
			}
			total += o.duration;
		}
		v[r] = (double)total / CALLS;
	}
	*ns = bench_median(v, ROUNDS);
	return 0;
}

int bench_v1_calls(void)
{
	return CALLS;
}

/* The benchmark frames' softwire (Snabb's: 178.79.150.233 port 80 ↔
 * 127:2:3:4:5:6:7:128 via BR 8:9:a:b:c:d:e:f) plus n-1 others on other
 * addresses, so that the table has the size being measured. */
int bench_v1_table(struct lw_aftr_setup *s, size_t n)
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

void bench_lab_config(const struct bench_lab *lab, struct lw_aftr_config *cfg)
{
	cfg->ipv4_ifindex = (__u32)lab->if4;
	cfg->ipv6_ifindex = (__u32)lab->if6;
	cfg->ipv4_mtu = 1500;
	cfg->ipv6_mtu = 1500;
	/* used only with a static next hop (Snabb's model) */
	memcpy(cfg->ipv4_src_mac, bench_aftr_inet_mac, 6);
	memcpy(cfg->ipv4_nh_mac, bench_inet_nh_mac, 6);
	memcpy(cfg->ipv6_src_mac, bench_aftr_access_mac, 6);
	memcpy(cfg->ipv6_nh_mac, bench_access_nh_mac, 6);
}

/* One table size in one next-hop mode: two rows. */
static int v1_rows(const struct bench_lab *lab, const struct aftr_env *env, size_t size,
		   bool static_nh, const uint8_t *v4, size_t v4len, const uint8_t *v6, size_t v6len)
{
	struct lw_aftr_setup s;
	double dec, enc, base4, base6;
	char err[512];

	if (bench_v1_table(&s, size)) {
		fprintf(stderr, "bench: out of memory building %zu softwires\n", size);
		return -1;
	}
	bench_lab_config(lab, &s.cfg);
	if (static_nh)
		s.cfg.flags |= LW_CFG_STATIC_NH4 | LW_CFG_STATIC_NH6;
	if (lw_aftr_install(&env->maps, &s, 1, err, sizeof(err))) {
		fprintf(stderr, "bench: install: %s\n", err);
		lw_setup_free(&s);
		return -1;
	}
	lw_setup_free(&s);
	if (bench_v1_measure(env->prog_fd, (unsigned)lab->if6, v6, v6len, XDP_REDIRECT, &dec) ||
	    bench_v1_measure(lab->pass_fd, (unsigned)lab->if6, v6, v6len, XDP_PASS, &base6) ||
	    bench_v1_measure(env->prog_fd, (unsigned)lab->if4, v4, v4len, XDP_REDIRECT, &enc) ||
	    bench_v1_measure(lab->pass_fd, (unsigned)lab->if4, v4, v4len, XDP_PASS, &base4))
		return -1;
	snprintf(err, sizeof(err), "decap, %s", static_nh ? "static next hop" : "FIB");
	printf("%-28s %10zu %10.1f %12.1f %7.2fx %10.1f\n", err, size, dec, base6, dec / base6,
	       dec - base6);
	snprintf(err, sizeof(err), "encap, %s", static_nh ? "static next hop" : "FIB");
	printf("%-28s %10zu %10.1f %12.1f %7.2fx %10.1f\n", err, size, enc, base4, enc / base4,
	       enc - base4);
	fflush(stdout);
	return 0;
}

int bench_v1_aftr(const struct bench_lab *lab)
{
	static const size_t sizes[] = { 1, 1000, 1000000 };
	uint8_t v4[2048], v6[2048];
	size_t v4len, v6len;
	struct aftr_env env;
	char err[512];
	int ret = 0;

	if (bench_benchdata(lab->o->data_dir, v4, &v4len, v6, &v6len))
		return -1;
	if (aftr_env_open(&env, lab->o->aftr_obj, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		return -1;
	}
	g_maps = &env.maps;
	printf("v1: lwAFTR per-packet cost, BPF_PROG_TEST_RUN, mean of %d single runs, median of %d "
	       "rounds, 550-byte frames from Snabb's benchdata\n",
	       CALLS, ROUNDS);
	printf("baseline: lw4o6_pass (returns XDP_PASS) on the same frame, same run\n");
	printf("decap: ipv6-0550.pcap from the B4 side; encap: ipv4-0550.pcap from the internet side\n");
	printf("FIB: next hop from bpf_fib_lookup(); static: configured next-hop MAC (Snabb's model)\n\n");
	printf("%-28s %10s %10s %12s %8s %10s\n", "path", "softwires", "ns/pkt", "baseline ns",
	       "ratio", "extra ns");
	for (size_t run = 0; run < 2 * sizeof(sizes) / sizeof(sizes[0]) && ret == 0; run++) {
		size_t i = run % (sizeof(sizes) / sizeof(sizes[0]));

		ret = v1_rows(lab, &env, sizes[i], run >= sizeof(sizes) / sizeof(sizes[0]), v4,
			      v4len, v6, v6len);
	}
	g_maps = NULL;
	aftr_env_close(&env);
	return ret;
}
