// SPDX-License-Identifier: GPL-2.0
/* make bench: nanoseconds per packet of the lwAFTR and the lwB4, beside an
 * XDP_PASS program measured in the same run on the same frames. Two tables:
 *   v1 (bench_v1.c): one frame per BPF_PROG_TEST_RUN call, Snabb's benchdata
 *      frames, tables of 1, 1000 and 1M softwires; the lwB4 over one flow;
 *   v2 (bench_loop.c): many distinct frames per call through a wrapper
 *      program, Snabb's workloads (one flow; 20k random flows over 1M and
 *      10M softwires), every next-hop mode, the lwB4 over 20k flows; written
 *      also as JSON and drawn with gnuplot (bench_report.c).
 * Absolute nanoseconds on a shared 2-core machine say little, so every
 * figure comes with its baseline; nothing here passes or fails on speed,
 * only on a packet not taking the path measured. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>

#include "bench.h"

const uint8_t bench_aftr_inet_mac[6] = { 0x12, 0x12, 0x12, 0x12, 0x12, 0x12 };
const uint8_t bench_inet_nh_mac[6] = { 0x68, 0x68, 0x68, 0x68, 0x68, 0x68 };
const uint8_t bench_aftr_access_mac[6] = { 0x22, 0x22, 0x22, 0x22, 0x22, 0x22 };
const uint8_t bench_access_nh_mac[6] = { 0x44, 0x44, 0x44, 0x44, 0x44, 0x44 };

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double bench_median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double bench_stddev(const double *v, size_t n)
{
	double mean = 0, sq = 0;

	if (n < 2)
		return 0;
	for (size_t i = 0; i < n; i++)
		mean += v[i] / (double)n;
	for (size_t i = 0; i < n; i++)
		sq += (v[i] - mean) * (v[i] - mean);
	return sqrt(sq / (double)(n - 1));
}

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_opts(int argc, char **argv, struct bench_opts *o)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 's' },
		{ "obj", required_argument, NULL, 'o' },
		{ "pass-obj", required_argument, NULL, 'p' },
		{ "b4-obj", required_argument, NULL, 'b' },
		{ "loop-obj", required_argument, NULL, 'l' },
		{ "out", required_argument, NULL, 'd' },
		{ "plot", required_argument, NULL, 'g' },
		{ "no-v1", no_argument, NULL, '1' },
		{ "no-b4", no_argument, NULL, '4' },
		{ "b4-only", no_argument, NULL, 'B' },
		{ "workload", required_argument, NULL, 'w' },
		{ "nexthop", required_argument, NULL, 'n' },
		{ "compare", required_argument, NULL, 'c' },
		{ "compare-unchecked", required_argument, NULL, 'u' },
		{ "cpu", required_argument, NULL, 'C' },
		{ 0 },
	};
	bool no_b4 = false;
	int c;

	*o = (struct bench_opts){ .data_dir = LW4O6_DATA_DIR,
				  .aftr_obj = "build/bpf/lw4o6_aftr.bpf.o",
				  .pass_obj = "build/bpf/lw4o6_pass.bpf.o",
				  .b4_obj = "build/bpf/lw4o6_b4.bpf.o",
				  .loop_obj = "build/bench/lw4o6_bench_loop.bpf.o",
				  .out_dir = "build/bench",
				  .plot_script = "bench/bench.gp",
				  .v1 = true,
				  .aftr = true,
				  .cpu = -1 };
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': o->data_dir = optarg; break;
		case 'o': o->aftr_obj = optarg; break;
		case 'p': o->pass_obj = optarg; break;
		case 'b': o->b4_obj = optarg; break;
		case 'l': o->loop_obj = optarg; break;
		case 'd': o->out_dir = optarg; break;
		case 'g': o->plot_script = optarg; break;
		case '1': o->v1 = false; break;
		case '4': no_b4 = true; break;
		case 'B': o->aftr = false; break;
		case 'w': o->workload = optarg; break;
		case 'n': o->nexthop = optarg; break;
		case 'c': o->compare_obj = optarg; break;
		case 'C':
			o->cpu = atoi(optarg);
			if (o->cpu < 0) {
				fprintf(stderr, "bench: --cpu %s: a CPU number\n", optarg);
				return -1;
			}
			break;
		case 'u':
			o->compare_obj = optarg;
			o->compare_unchecked = true;
			break;
		default: return -1;
		}
	}
	if (o->nexthop && strcmp(o->nexthop, "fib") && strcmp(o->nexthop, "static") &&
	    strcmp(o->nexthop, "cache")) {
		fprintf(stderr, "bench: --nexthop %s: fib, static or cache\n", o->nexthop);
		return -1;
	}
	o->b4 = !no_b4 && access(o->b4_obj, R_OK) == 0;
	return 0;
}

/* The lwAFTR's two sides, with the default routes through them. The
 * lwB4's lab (bench_b4.c) points the default routes at its own sides, so
 * the lwAFTR's are set up again after it. */
static int aftr_sides(struct bench_lab *lab)
{
	struct aftr_side_spec inet = { .name = "inet",
				       .mac = bench_aftr_inet_mac,
				       .peer_mac = bench_inet_nh_mac,
				       .addr = "10.10.10.10/32",
				       .gateway = "169.254.0.1" };
	struct aftr_side_spec access = { .name = "access",
					 .mac = bench_aftr_access_mac,
					 .peer_mac = bench_access_nh_mac,
					 .ipv6 = true,
					 .addr = "8:9:a:b:c:d:e:f/128",
					 .gateway = "fe80::1" };
	char err[1024];

	if ((lab->if4 = aftr_env_add_side(&inet, err, sizeof(err))) < 0 ||
	    (lab->if6 = aftr_env_add_side(&access, err, sizeof(err))) < 0) {
		fprintf(stderr, "bench: %s\n", err);
		return -1;
	}
	return 0;
}

/* The private namespace, the baseline and the wrapper. */
static int lab_up(struct bench_lab *lab, struct bpf_object **pobj)
{
	char err[1024];

	if (aftr_env_enter_netns(err, sizeof(err)) ||
	    bench_loop_open(lab->loop, lab->o->loop_obj, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		return -1;
	}
	*pobj = bpf_object__open_file(lab->o->pass_obj, NULL);
	if (!*pobj || bpf_object__load(*pobj)) {
		fprintf(stderr, "bench: cannot load %s\n", lab->o->pass_obj);
		return -1;
	}
	lab->pass_fd = bpf_program__fd(bpf_object__find_program_by_name(*pobj, "lw4o6_pass"));
	if (lab->pass_fd < 0)
		return -1;
	return bench_cpu_pin(lab->pass_fd, lab->o->cpu) < 0 ? -1 : 0;
}

static int run(struct bench_lab *lab)
{
	const struct bench_opts *o = lab->o;
	struct rusage ru;

	if (o->v1 && (aftr_sides(lab) || (o->aftr && bench_v1_aftr(lab)) ||
		      (o->b4 && bench_v1_b4(lab))))
		return -1;
	bench_report_header();
	if (o->aftr && (aftr_sides(lab) || bench_v2_aftr(lab)))
		return -1;
	if (o->b4 && bench_v2_b4(lab))
		return -1;
	if (!o->b4)
		printf("lwB4: not measured: %s\n",
		       access(o->b4_obj, R_OK) ? "the object is not built" : "--no-b4");
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		printf("peak RSS of the bench: %ld MiB\n", ru.ru_maxrss / 1024);
	mkdir(o->out_dir, 0755);
	return bench_report_write(o);
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	struct bench_loop loop = { 0 };
	struct bench_lab lab = { .o = &o, .loop = &loop };
	struct bpf_object *pobj = NULL;
	const char *skip;
	int ret;

	if (parse_opts(argc, argv, &o))
		return 2;
	skip = aftr_env_skip_reason();
	if (skip) {
		printf("bench: not run: %s\n", skip);
		return 0;
	}
	ret = lab_up(&lab, &pobj) || run(&lab) ? 1 : 0;
	bench_loop_close(&loop);
	if (pobj)
		bpf_object__close(pobj);
	return ret;
}
