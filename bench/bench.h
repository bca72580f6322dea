/* SPDX-License-Identifier: GPL-2.0 */
/* make bench: what its files share. lw4o6_bench.c runs the whole; bench_v1.c
 * is today's table (one frame per BPF_PROG_TEST_RUN call); v2 loops over many
 * frames per call (bench_loop.c with the wrapper lw4o6_bench_loop.bpf.c) on
 * Snabb's workloads (bench_swgen.c), for the lwAFTR (bench_aftr.c) and the
 * lwB4 (bench_b4.c); bench_report.c prints the v2 rows, writes them as JSON
 * and draws them with gnuplot. */
#ifndef LW4O6_BENCH_H
#define LW4O6_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "aftr_env.h"
#include "bench_loop.h"

/* The lab's link addresses: the lwAFTR's internet and access sides and their
 * next hops (Snabb's benchdata frames use these MACs). */
extern const uint8_t bench_aftr_inet_mac[6], bench_inet_nh_mac[6];
extern const uint8_t bench_aftr_access_mac[6], bench_access_nh_mac[6];

struct bench_opts {
	const char *data_dir;
	const char *aftr_obj, *pass_obj, *b4_obj, *loop_obj;
	const char *out_dir;     /* bench.json, bench.dat, bench.svg */
	const char *plot_script; /* bench/bench.gp */
	bool v1;                 /* also today's table (single calls) */
	bool b4;                 /* also the lwB4 */
	const char *workload;    /* --workload: only the lwAFTR workload of this name */
	const char *nexthop;     /* --nexthop: only this next-hop mode (fib, static, cache) */
	const char *compare_obj; /* --compare: a second lwAFTR object, on the same maps */
	bool compare_unchecked;  /* --compare-unchecked: its outcome is not checked */
	bool aftr;               /* the lwAFTR's rows (--b4-only: not) */
	int cpu;                 /* --cpu: run there; -1: the quietest (bench_cpu.c) */
};

/* What the steps share once the lab is up. */
struct bench_lab {
	const struct bench_opts *o;
	int pass_fd;  /* lw4o6_pass, the baseline */
	int if4, if6; /* the lwAFTR's internet and access sides */
	struct bench_loop *loop;
};

/* Median and sample standard deviation of v[0..n) (v is sorted). */
double bench_median(double *v, size_t n);
double bench_stddev(const double *v, size_t n);
double bench_now(void); /* CLOCK_MONOTONIC seconds */
/* Pins the bench to CPU want, or (want < 0) to the allowed CPU where
 * pass_fd runs cheapest now; prints which and why. Returns the CPU or -1. */
int bench_cpu_pin(int pass_fd, int want);
extern int bench_cpu; /* where bench_cpu_pin pinned the bench, for the JSON rows */

/* ---- today's table (bench_v1.c) ---- */

/* Reads the first frame of a pcap file. */
int bench_read_pcap1(const char *path, uint8_t *buf, size_t cap, size_t *len);
/* Snabb's benchdata frames (ipv6-0550 gets its inner IPv4 checksum). */
int bench_benchdata(const char *data_dir, uint8_t *v4, size_t *v4len, uint8_t *v6, size_t *v6len);
/* The benchdata frames' softwire plus n-1 others (v1's tables). */
int bench_v1_table(struct lw_aftr_setup *s, size_t n);
/* The lwAFTR configuration of the lab: ifindexes, MTUs, static MACs (used
 * only when a static next hop is asked for). */
void bench_lab_config(const struct bench_lab *lab, struct lw_aftr_config *cfg);
int bench_v1_aftr(const struct bench_lab *lab);
/* One frame per call, CALLS calls per round: v1's measurement. */
int bench_v1_measure(int prog_fd, unsigned ifindex, const uint8_t *frame, size_t len,
		     uint32_t want_action, double *ns);
int bench_v1_calls(void);

/* ---- v2: many distinct frames per call (bench_loop.c) ---- */

/* n frames of len bytes each, all entering on one interface. */
struct bench_frames {
	uint8_t *buf;
	size_t n, len;
	unsigned ifindex;
};
int bench_frames_alloc(struct bench_frames *fs, size_t n, size_t len, unsigned ifindex);
void bench_frames_free(struct bench_frames *fs);
static inline uint8_t *bench_frame_at(const struct bench_frames *fs, size_t i)
{
	return fs->buf + i * fs->len;
}

/* The wrapper program (lw4o6_bench_loop.bpf.c) and its maps. */
struct bench_loop {
	struct bpf_object *obj;
	int prog_fd, frames_fd, state_fd, target_fd;
};
int bench_loop_open(struct bench_loop *l, const char *path, char *err, size_t errlen);
void bench_loop_close(struct bench_loop *l);

/* The data plane's counters, which must show every packet of a run taking
 * the path measured: each slot of want[] grows by exactly one per packet,
 * every other slot stays. */
struct bench_counters {
	const void *maps;
	unsigned n;                                       /* slots */
	int (*read)(const void *maps, uint64_t *packets); /* n packet counts */
	const char *(*name)(unsigned slot);
	unsigned want[4], n_want;
	/* before every data-plane run, outside the timed call (or NULL) */
	int (*before)(const void *maps);
	bool unchecked2; /* the second data plane of an A/B run is not checked */
};

struct bench_result {
	double ns, base_ns; /* medians over the rounds, ns per packet */
	double ns_sd, base_sd;
	unsigned rounds;
	unsigned long packets;  /* per measurement (one BPF_PROG_TEST_RUN call) */
	unsigned long verified; /* data-plane packets the counters accounted for */
};

/* Runs every frame once on its own through dp_fd and checks its action and
 * that nothing after the first BENCH_HDR_BYTES changed (what the wrapper
 * does not restore); then loads the set into the wrapper. */
int bench_loop_prepare(const struct bench_loop *l, int dp_fd, const struct bench_frames *fs,
		       uint32_t want_action);
/* Interleaved rounds (data plane, baseline, data plane, ...), packets
 * repetitions each, over the frames last prepared. */
int bench_loop_measure(const struct bench_loop *l, const struct bench_frames *fs, int dp_fd,
		       int pass_fd, const struct bench_counters *c, unsigned long packets,
		       struct bench_result *res);
/* The same with a second data plane (dp2_fd, on the same maps) in every
 * round: data plane, baseline, second data plane, ...; res2 its figures
 * against the same baseline. For comparing two builds on a busy machine. */
int bench_loop_measure_ab(const struct bench_loop *l, const struct bench_frames *fs, int dp_fd,
			  int dp2_fd, int pass_fd, const struct bench_counters *c,
			  unsigned long packets, struct bench_result *res,
			  struct bench_result *res2);

/* Snabb's workload (bench_swgen.c): the table of `snabb lwaftr
 * generate-configuration FROM_IPV4 NUM_IPS BR FROM_B4 PSID_LEN SHIFT`. */
struct bench_swgen {
	uint32_t from_ipv4; /* host order */
	size_t num_ips;
	unsigned psid_len, shift;
	struct in6_addr br, from_b4;
};
/* 193.5.1.100 num_ips fc00::100 fc00:1:2:3:4:5:0:7e 6 10 */
void bench_swgen_snabb(struct bench_swgen *g, size_t num_ips);
size_t bench_swgen_count(const struct bench_swgen *g);
void bench_swgen_entry(const struct bench_swgen *g, size_t k, struct lw_softwire_entry *e);
/* The whole table, as the importers would hand it to lw_aftr_install. */
int bench_swgen_setup(const struct bench_swgen *g, struct lw_aftr_setup *s);
/* n distinct softwire numbers drawn at random from seed. */
int bench_swgen_sample(const struct bench_swgen *g, size_t n, uint64_t seed, size_t *out);
/* Frame i of decap (from the B4) and of encap (towards it) for softwire ks[i]. */
int bench_swgen_frames(const struct bench_swgen *g, const size_t *ks, struct bench_frames *decap,
		       struct bench_frames *encap);

/* The lwAFTR's rows (bench_aftr.c). */
int bench_v2_aftr(const struct bench_lab *lab);

/* ---- v2 rows (bench_report.c) ---- */
struct bench_row {
	const char *role, *path, *workload, *nexthop;
	size_t softwires, flows;
	struct bench_result r;
	double install_s; /* the workload's table through lw_aftr_install; < 0: none */
	char skip[200];   /* not empty: not measured, and why */
};
void bench_report_header(void);
/* Prints the row and keeps it for the files. */
void bench_report_row(const struct bench_row *row);
/* bench.json, bench.dat and (gnuplot) bench.svg in o->out_dir. */
int bench_report_write(const struct bench_opts *o);

/* The lwB4 (bench_b4.c): v1's two rows, v2's over 20k flows. */
int bench_v1_b4(const struct bench_lab *lab);
int bench_v2_b4(const struct bench_lab *lab);

#endif
