// SPDX-License-Identifier: GPL-2.0
/* v2's rows: printed as they come, kept, then written as build/bench/bench.json
 * (one object per row), build/bench/bench.dat (net ns per next-hop mode, one
 * line per role/path/workload, with the issue's goal) and drawn by gnuplot
 * (bench/bench.gp) into build/bench/bench.svg. */
#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <json-c/json.h>

#include "bench.h"

#define MAX_ROWS 64

static struct bench_row rows[MAX_ROWS];
static size_t n_rows;

void bench_report_header(void)
{
	printf("\nv2: many distinct frames per BPF_PROG_TEST_RUN call. A wrapper XDP program\n"
	       "(lw4o6_bench_loop.bpf.o), run with repeat R = pkts/run, restores frame i of the N\n"
	       "prepared (N = flows) into the packet and tail-calls the data plane loaded from its\n"
	       "production object. Baseline: the same wrapper tail-calling lw4o6_pass (XDP_PASS) on the\n"
	       "same frames in the same run. Rounds alternate data plane and baseline; ns/pkt and base\n"
	       "ns are medians of the rounds (the kernel's mean per repetition), net = ns - base.\n"
	       "Checked: every frame on its own first (action, payload untouched, checksums); in every\n"
	       "run the counters (one decapsulation, encapsulation or mapping per packet, no other\n"
	       "outcome; \"verified\" counts those packets) and the last frame's output.\n\n");
	printf("%-6s %-11s %-13s %9s %6s %-7s %8s %8s %8s %6s %8s %6s %8s\n", "role", "path",
	       "workload", "softwires", "flows", "nexthop", "ns/pkt", "base ns", "net ns", "ratio",
	       "pkts/run", "rounds", "verified");
}

void bench_report_row(const struct bench_row *row)
{
	const struct bench_result *r = &row->r;

	printf("%-6s %-11s %-13s %9zu %6zu %-7s ", row->role, row->path, row->workload,
	       row->softwires, row->flows, row->nexthop);
	if (row->skip[0])
		printf("%s\n", row->skip);
	else
		printf("%8.1f %8.1f %8.1f %5.2fx %8lu %6u %8lu\n", r->ns, r->base_ns,
		       r->ns - r->base_ns, r->ns / r->base_ns, r->packets, r->rounds, r->verified);
	fflush(stdout);
	if (n_rows < MAX_ROWS)
		rows[n_rows++] = *row;
}

/* A number as JSON with the digits given (json-c would print 17), or null. */
static void add_num(json_object *o, const char *key, double v, int digits, bool present)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.*f", digits, v);
	json_object_object_add(o, key, present ? json_object_new_double_s(v, buf) : NULL);
}

static json_object *row_json(const struct bench_row *row)
{
	const struct bench_result *r = &row->r;
	json_object *o = json_object_new_object();
	bool m = !row->skip[0];

	json_object_object_add(o, "role", json_object_new_string(row->role));
	json_object_object_add(o, "path", json_object_new_string(row->path));
	json_object_object_add(o, "workload", json_object_new_string(row->workload));
	json_object_object_add(o, "softwires", json_object_new_int64((int64_t)row->softwires));
	json_object_object_add(o, "flows", json_object_new_int64((int64_t)row->flows));
	json_object_object_add(o, "nexthop", json_object_new_string(row->nexthop));
	add_num(o, "ns", r->ns, 1, m);
	add_num(o, "baseline_ns", r->base_ns, 1, m);
	add_num(o, "net_ns", r->ns - r->base_ns, 1, m);
	add_num(o, "ratio", m ? r->ns / r->base_ns : 0, 2, m);
	add_num(o, "ns_stddev", r->ns_sd, 1, m);
	add_num(o, "baseline_stddev", r->base_sd, 1, m);
	add_num(o, "rounds", r->rounds, 0, m);
	add_num(o, "packets_per_run", (double)r->packets, 0, m);
	add_num(o, "verified_packets", (double)r->verified, 0, m);
	add_num(o, "install_s", row->install_s, 3, row->install_s >= 0);
	json_object_object_add(o, "method", json_object_new_string("loop"));
	json_object_object_add(o, "cpu", json_object_new_int(bench_cpu));
	json_object_object_add(o, "skip", m ? NULL : json_object_new_string(row->skip));
	return o;
}

static int write_json(const char *path)
{
	json_object *a = json_object_new_array();
	int ret;

	for (size_t i = 0; i < n_rows; i++)
		json_object_array_add(a, row_json(&rows[i]));
	ret = json_object_to_file_ext(path, a,
				      JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	json_object_put(a);
	if (ret)
		fprintf(stderr, "bench: cannot write %s: %s\n", path, json_util_get_last_err());
	return ret ? -1 : 0;
}

/* The bar (net ns, hot-loop rows); 10M: 1.3 times the 1M goal. */
static double goal(const struct bench_row *row)
{
	if (!strcmp(row->role, "lwB4"))
		return !strcmp(row->path, "established") ? 60 : NAN;
	if (!strcmp(row->workload, "benchdata-550"))
		return 60;
	if (!strcmp(row->workload, "snabb-1M"))
		return 140;
	return 1.3 * 140;
}

static bool same_group(const struct bench_row *a, const struct bench_row *b)
{
	return !strcmp(a->role, b->role) && !strcmp(a->path, b->path) &&
	       !strcmp(a->workload, b->workload);
}

static const char *const modes[] = { "fib", "static", "cache" };
#define N_MODES 3

/* The measured row of row i's group in mode m, or NULL. */
static const struct bench_row *measured(size_t i, size_t m)
{
	for (size_t j = 0; j < n_rows; j++)
		if (same_group(&rows[j], &rows[i]) && !strcmp(rows[j].nexthop, modes[m]) &&
		    !rows[j].skip[0] && rows[j].r.ns > rows[j].r.base_ns)
			return &rows[j];
	return NULL;
}

/* A comment naming the modes measured at all (also into names, for
 * gnuplot), then one line per role/path/workload: "label", net ns in each
 * of those modes ("-": not measured), goal. Returns the number of modes. */
static int write_dat(const char *path, char names[64])
{
	bool col[N_MODES] = { false };
	int n_cols = 0;
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "bench: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < n_rows; i++)
		for (size_t m = 0; m < N_MODES; m++)
			col[m] |= measured(i, m) != NULL;
	fprintf(f, "# row");
	for (size_t m = 0; m < N_MODES; m++) {
		if (!col[m])
			continue;
		fprintf(f, " %s", modes[m]);
		snprintf(names + strlen(names), 32, "%s%s", n_cols++ ? " " : "", modes[m]);
	}
	fprintf(f, " goal\n");
	for (size_t i = 0; i < n_rows; i++) {
		bool seen = false;

		for (size_t j = 0; j < i; j++)
			seen |= same_group(&rows[j], &rows[i]);
		if (seen)
			continue;
		fprintf(f, "\"%s %s %s\"", rows[i].role, rows[i].path, rows[i].workload);
		for (size_t m = 0; m < N_MODES; m++)
			if (col[m] && measured(i, m))
				fprintf(f, " %.1f",
					measured(i, m)->r.ns - measured(i, m)->r.base_ns);
			else if (col[m])
				fprintf(f, " -");
		if (isnan(goal(&rows[i])))
			fprintf(f, " -\n");
		else
			fprintf(f, " %.0f\n", goal(&rows[i]));
	}
	return fclose(f) ? -1 : n_cols;
}

static int plot(const char *script, const char *dat, const char *svg, const char *names)
{
	char expr[1200];
	char *argv[] = { "gnuplot", "-e", expr, (char *)script, NULL };
	extern char **environ;
	pid_t pid;
	int status;

	snprintf(expr, sizeof(expr), "dat='%s'; out='%s'; modes='%s'", dat, svg, names);
	if (posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ)) {
		printf("picture: not drawn (no gnuplot: scripts/deps.sh installs gnuplot-nox)\n");
		return 0;
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "bench: gnuplot %s failed\n", script);
		return -1;
	}
	printf("picture: %s\n", svg);
	return 0;
}

int bench_report_write(const struct bench_opts *o)
{
	char json[512], dat[512], svg[512], names[64] = "";
	int n_cols;

	snprintf(json, sizeof(json), "%s/bench.json", o->out_dir);
	snprintf(dat, sizeof(dat), "%s/bench.dat", o->out_dir);
	snprintf(svg, sizeof(svg), "%s/bench.svg", o->out_dir);
	if (write_json(json) || (n_cols = write_dat(dat, names)) < 0)
		return -1;
	printf("\nrows: %s\n", json);
	if (n_cols == 0) {
		printf("picture: not drawn (no row measured)\n");
		return 0;
	}
	return plot(o->plot_script, dat, svg, names);
}
