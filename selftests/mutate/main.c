// SPDX-License-Identifier: GPL-2.0
/* mutate: the mutation fuzzer of the lwAFTR and lwB4 XDP programs.
 *
 *   mutate [--prog aftr|b4|both] [--frames N] [--seed N|random] [--frame I]
 *          [--examples K] [--repro] [--aftr-obj FILE] [--b4-obj FILE] [-v]
 *
 * Each program runs in a child process of its own, in a private network
 * namespace (both at once when both are asked for). Per program: the checker
 * self-check, N frames, the violations by class, frames per second. Then
 * "mutate: N passed, N failed, N skipped", the unit being a frame (passed:
 * every invariant held; failed: at least one did not; skipped: not run).
 * --frame I replays frame I of --seed (with -v: the frame in and out).
 * --repro runs the hand-made reproducer of each class found instead
 * (repro.c): passed = no longer violates, failed = still does.
 * Exit status 1 when anything failed, 2 on usage. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/libbpf.h>

#include "aftr_env.h"
#include "mutate.h"

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

/* The child: lab, self-check, the frames; its counts on the last line. */
static int child(struct target *t, const struct run_opts *o)
{
	struct run_result res = { 0 };
	char err[512];
	int bad;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (aftr_env_enter_netns(err, sizeof(err)) || t->init(err, sizeof(err)) ||
	    (t->before && t->before(0, err, sizeof(err)))) {
		printf("FAIL %s lab: %s\n", t->name, err);
		printf("@ 0 1 0 0 0\n");
		return 1;
	}
	bad = selfcheck(t);
	if (o->repro) {
		uint64_t fixed, still;
		int errors = repro(t, &fixed, &still);

		res.passed = fixed;
		res.failed = still + (uint64_t)errors;
	} else if (run_target(t, o, &res))
		res.failed++;
	res.failed += (uint64_t)bad;
	printf("@ %" PRIu64 " %" PRIu64 " %" PRIu64 " %.6f %" PRIu64 "\n", res.passed, res.failed,
	       res.skipped, res.seconds, res.frames);
	return 0;
}

struct job {
	struct target *t;
	FILE *log;
	pid_t pid;
	bool repro;
};

static void collect(struct job *j, uint64_t *p, uint64_t *f, uint64_t *s)
{
	char line[4096];
	uint64_t jp = 0, jf = 1, js = 0, frames = 0;
	double secs = 0;
	int status;

	waitpid(j->pid, &status, 0);
	rewind(j->log);
	while (fgets(line, sizeof(line), j->log)) {
		if (line[0] == '@')
			sscanf(line, "@ %" SCNu64 " %" SCNu64 " %" SCNu64 " %lf %" SCNu64, &jp, &jf,
			       &js, &secs, &frames);
		else
			fputs(line, stdout);
	}
	fclose(j->log);
	if (!WIFEXITED(status))
		printf("FAIL %s: the child died (status 0x%x)\n", j->t->name, status);
	if (secs > 0 && !j->repro)
		printf("mutate: %s %" PRIu64 " frames in %.2f s: %.0f frames/s\n", j->t->name,
		       frames, secs, (double)frames / secs);
	*p += jp;
	*f += jf + !WIFEXITED(status);
	*s += js;
}

static uint64_t parse_seed(const char *s)
{
	struct timespec ts;

	if (strcmp(s, "random"))
		return strtoull(s, NULL, 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000003u ^ (uint64_t)ts.tv_nsec ^ (uint64_t)getpid() << 32;
}

static void usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [--prog aftr|b4|both] [--frames N] [--seed N|random]\n"
		"       [--frame I] [--examples K] [--repro] [--aftr-obj FILE] [--b4-obj FILE]\n"
		"       [-v]\n", argv0);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "prog", required_argument, NULL, 'p' },
		{ "frames", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "frame", required_argument, NULL, 'f' },
		{ "examples", required_argument, NULL, 'e' },
		{ "aftr-obj", required_argument, NULL, 'A' },
		{ "b4-obj", required_argument, NULL, 'B' },
		{ "repro", no_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ 0 },
	};
	struct run_opts o = { .seed = 1, .frames = 200000, .examples = 3 };
	struct job jobs[2];
	const char *prog = "both", *skip;
	uint64_t passed = 0, failed = 0, skipped = 0;
	int n = 0, c;

	while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (c) {
		case 'p': prog = optarg; break;
		case 'n': o.frames = strtoull(optarg, NULL, 0); break;
		case 's': o.seed = parse_seed(optarg); break;
		case 'f': o.only = strtoull(optarg, NULL, 0) + 1; break;
		case 'e': o.examples = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'A': aftr_obj_path = optarg; break;
		case 'B': b4_obj_path = optarg; break;
		case 'r': o.repro = true; break;
		case 'v': o.verbose = true; break;
		default: usage(argv[0]); return 2;
		}
	}
	if (strcmp(prog, "aftr") && strcmp(prog, "b4") && strcmp(prog, "both")) {
		usage(argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(libbpf_print);
	printf("# mutate: seed %" PRIu64 ", %" PRIu64 " frames per program\n", o.seed,
	       o.only ? 1 : o.frames);
	if (strcmp(prog, "b4"))
		jobs[n++].t = &aftr_target;
	if (strcmp(prog, "aftr"))
		jobs[n++].t = &b4_target;
	skip = aftr_env_skip_reason();
	if (skip) {
		printf("SKIP mutate: %s\n", skip);
		printf("mutate: 0 passed, 0 failed, %" PRIu64 " skipped\n",
		       (o.only ? 1 : o.frames) * (uint64_t)n);
		return 0;
	}
	for (int i = 0; i < n; i++) {
		jobs[i].repro = o.repro;
		jobs[i].log = tmpfile();
		if (!jobs[i].log) {
			perror("tmpfile");
			return 1;
		}
		fflush(stdout);
		jobs[i].pid = fork();
		if (jobs[i].pid < 0) {
			perror("fork");
			return 1;
		}
		if (jobs[i].pid == 0) {
			int ret;

			dup2(fileno(jobs[i].log), STDOUT_FILENO);
			ret = child(jobs[i].t, &o);
			fflush(stdout);
			_exit(ret);
		}
	}
	for (int i = 0; i < n; i++)
		collect(&jobs[i], &passed, &failed, &skipped);
	printf("mutate: %" PRIu64 " passed, %" PRIu64 " failed, %" PRIu64 " skipped\n", passed,
	       failed, skipped);
	return failed ? 1 : 0;
}
