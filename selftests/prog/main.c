// SPDX-License-Identifier: GPL-2.0
/* prog_runner: the BPF_PROG_TEST_RUN suite of the lwAFTR program.
 *
 *   prog_runner [--obj FILE] [--case SUBSTRING] [--dump-pcap FILE] [-v]
 *
 * One line per case, PASS name / FAIL name: what differed / SKIP name: why,
 * then "prog: N passed, N failed, N skipped". The packet cases run twice:
 * as written, then ("[cache] ...") with the next-hop cache filled from the
 * lab's kernel state, which must change no outcome (issue 11); cases that
 * set the cache themselves run once. Without root or bpf() every
 * case is skipped. Exit status: 0 nothing failed, 1 a case failed (or the
 * pcap could not be written), 2 usage. -v dumps every frame (and with it the
 * events) as one line each. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "aftr_env.h"
#include "prog.h"

/* libbpf warnings only: its info and debug lines (".xdp_run_config
 * skipped", every relocation) would bury the case lines */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level != LIBBPF_WARN)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static const struct tcase verifier_case = {
	.name = "AFTR-GEN-1 verifier: lw4o6_aftr verifies within 250000 processed instructions (BPF_LOG_STATS)",
	.special = verifier_check,
};

struct table {
	const struct tcase *cases;
	const size_t *n;
};

static void usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [--obj FILE] [--case SUBSTRING] [--dump-pcap FILE] [-v]\n", argv0);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "obj", required_argument, NULL, 'o' },
		{ "case", required_argument, NULL, 'c' },
		{ "dump-pcap", required_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const size_t one = 1;
	const struct table tables[] = {
		{ &verifier_case, &one },
		{ decap_cases, &n_decap_cases },
		{ encap_cases, &n_encap_cases },
		{ misc_cases, &n_misc_cases },
		{ nexthop_cases, &n_nexthop_cases },
		{ block_cases, &n_block_cases },
	};
	const char *filter = NULL, *pcap_path = NULL, *skip;
	unsigned passed = 0, failed = 0, skipped = 0;
	char err[512], why[640];
	bool ready = false;
	int o;

	while ((o = getopt_long(argc, argv, "o:c:p:vh", opts, NULL)) != -1) {
		switch (o) {
		case 'o':
			obj_path = optarg;
			break;
		case 'c':
			filter = optarg;
			break;
		case 'p':
			pcap_path = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			usage(argv[0]);
			return o == 'h' ? 0 : 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(libbpf_print);

	skip = aftr_env_skip_reason();
	if (!skip) {
		if (harness_init(err, sizeof(err))) {
			/* the lab could not be built: every case fails with the reason */
			snprintf(why, sizeof(why), "lab setup: %s", err);
		} else if (pcap_path && harness_dump_open(pcap_path, err, sizeof(err))) {
			snprintf(why, sizeof(why), "--dump-pcap: %s", err);
		} else {
			ready = true;
		}
	}
	for (int pass = 0; pass < 2; pass++) {
		const char *tag = pass ? "[cache] " : "";

		harness_cache_pass = pass;
		for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
			for (size_t i = 0; i < *tables[t].n; i++) {
				const struct tcase *c = &tables[t].cases[i];

				if (filter && !strstr(c->name, filter))
					continue;
				if (pass && (c->special || (c->setup && (c->setup->nh || c->setup->nh_sync))))
					continue;
				if (skip) {
					printf("SKIP %s%s: %s\n", tag, c->name, skip);
					skipped++;
					continue;
				}
				if (ready) {
					if (verbose)
						printf("RUN  %s%s\n", tag, c->name);
					why[0] = '\0';
					if (harness_run(c, why, sizeof(why)) == 0) {
						printf("PASS %s%s\n", tag, c->name);
						passed++;
						continue;
					}
				}
				printf("FAIL %s%s: %s\n", tag, c->name, why);
				failed++;
			}
		}
	}
	if (harness_dump_close(err, sizeof(err))) {
		fprintf(stderr, "--dump-pcap: %s\n", err);
		failed++;
	}
	harness_fini();
	printf("prog: %u passed, %u failed, %u skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
