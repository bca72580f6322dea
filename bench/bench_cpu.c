// SPDX-License-Identifier: GPL-2.0
/* The CPU the bench runs on. BPF_PROG_TEST_RUN runs on the caller's CPU,
 * and on these 2-vCPU virtual machines one vCPU is often shared with other
 * work on the host: the same program measured 120-160 ns there and 190-300
 * on the other in one session, with the XDP_PASS baseline doubling too.
 * A run that migrates between them mixes the two states into one median.
 * So the bench runs pinned to one CPU, as Snabb's `lwaftr bench --cpu`
 * does: the one asked for with --cpu, else the one where the baseline
 * program is cheapest now (probed below, printed). Every row's baseline is
 * measured on that same CPU in the same run, so the choice shows in the
 * base ns column and never hides in the net figure. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>

#include "bench.h"

#define PROBE_REPEAT 200000
#define PROBE_ROUNDS 5

int bench_cpu = -1;

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* Median ns per repetition of the XDP_PASS program on a 64-byte frame,
 * run on the current CPU; < 0 on error. */
static double probe(int pass_fd)
{
	unsigned char frame[64] = { 0 };
	double v[PROBE_ROUNDS];

	frame[12] = 0x08; /* an IPv4 ethertype: XDP_PASS does not look */
	for (int i = 0; i < PROBE_ROUNDS; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = frame, .data_size_in = sizeof(frame),
			    .repeat = PROBE_REPEAT);

		if (bpf_prog_test_run_opts(pass_fd, &t))
			return -1;
		v[i] = t.duration;
	}
	return bench_median(v, PROBE_ROUNDS);
}

int bench_cpu_pin(int pass_fd, int want)
{
	cpu_set_t allowed;
	char seen[256] = "";
	double best_ns = 0;
	int best = -1;

	if (want >= 0) {
		if (pin(want)) {
			fprintf(stderr, "bench: --cpu %d: cannot run there: %s\n", want, strerror(errno));
			return -1;
		}
		printf("cpu: pinned to CPU %d (--cpu)\n", want);
		return bench_cpu = want;
	}
	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return -1;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		size_t used = strlen(seen);
		double ns;

		if (!CPU_ISSET(cpu, &allowed) || pin(cpu))
			continue;
		ns = probe(pass_fd);
		if (ns < 0)
			continue;
		snprintf(seen + used, sizeof(seen) - used, "%sCPU %d %.1f ns", used ? ", " : "",
			 cpu, ns);
		if (best < 0 || ns < best_ns) {
			best = cpu;
			best_ns = ns;
		}
	}
	if (best < 0 || pin(best)) {
		fprintf(stderr, "bench: no CPU to run on\n");
		return -1;
	}
	printf("cpu: pinned to CPU %d, where XDP_PASS was cheapest just now (%s;\n"
	       "     one call of 64 B, median of %d runs of %d); --cpu N chooses\n",
	       best, seen, PROBE_ROUNDS, PROBE_REPEAT);
	return bench_cpu = best;
}
