// SPDX-License-Identifier: GPL-2.0
/* prog_b4_runner: the BPF_PROG_TEST_RUN suite of the lwB4 program.
 *
 *   prog_b4_runner [--obj FILE] [--case SUBSTRING] [-v]
 *
 * One line per case (PASS / FAIL name: why / SKIP name: why), then
 * "prog-b4: N passed, N failed, N skipped". Without root or bpf() every
 * case is skipped. Exit status 0 unless a case failed; 2 on usage. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "aftr_env.h"
#include "prog_b4.h"

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

static const struct tcase verifier_case = {
	.name = "B4-GEN verifier: lw4o6_b4 verifies within 250000 processed instructions (BPF_LOG_STATS)",
	.special = verifier_check,
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "obj", required_argument, NULL, 'o' },
		{ "case", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ 0 },
	};
	const char *filter = NULL, *skip;
	unsigned passed = 0, failed = 0, skipped = 0;
	char err[512], why[640];
	bool ready = false;
	int o;

	while ((o = getopt_long(argc, argv, "o:c:v", opts, NULL)) != -1) {
		switch (o) {
		case 'o':
			obj_path = optarg;
			break;
		case 'c':
			filter = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			fprintf(stderr, "usage: %s [--obj FILE] [--case SUBSTRING] [-v]\n", argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(libbpf_print);
	skip = aftr_env_skip_reason();
	if (!skip) {
		if (harness_init(err, sizeof(err)))
			snprintf(why, sizeof(why), "lab setup: %s", err);
		else
			ready = true;
	}
	for (size_t i = 0; i <= n_b4_cases; i++) {
		const struct tcase *c = i == 0 ? &verifier_case : &b4_cases[i - 1];

		if (filter && !strstr(c->name, filter))
			continue;
		if (skip) {
			printf("SKIP %s: %s\n", c->name, skip);
			skipped++;
			continue;
		}
		if (ready) {
			why[0] = '\0';
			if (harness_run(c, why, sizeof(why)) == 0) {
				printf("PASS %s\n", c->name);
				passed++;
				continue;
			}
		}
		printf("FAIL %s: %s\n", c->name, why);
		failed++;
	}
	harness_fini();
	printf("prog-b4: %u passed, %u failed, %u skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
