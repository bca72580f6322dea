// SPDX-License-Identifier: GPL-2.0
/* Verifier complexity budget: the program must verify in at most 25% of the
 * kernel's 1M processed-instruction limit, so that later features have room
 * and a kernel whose verifier explores more states still loads it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "prog.h"

#define VERIFIER_BUDGET 250000u
#define LOG_SIZE (1u << 20)

int verifier_check(const struct tcase *c, char *why, size_t whylen)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *map;
	const char *p;
	char *log;
	unsigned long insns = 0;
	int ret;

	log = calloc(1, LOG_SIZE);
	if (!log) {
		snprintf(why, whylen, "out of memory");
		return 1;
	}
	obj = bpf_object__open_file(obj_path, NULL);
	if (!obj) {
		snprintf(why, whylen, "cannot open %s: %s", obj_path, strerror(errno));
		free(log);
		return 1;
	}
	bpf_object__for_each_map(map, obj)
		bpf_map__set_pin_path(map, NULL);
	prog = bpf_object__find_program_by_name(obj, "lw4o6_aftr");
	if (!prog) {
		snprintf(why, whylen, "%s has no program lw4o6_aftr", obj_path);
		ret = 1;
		goto out;
	}
	/* BPF_LOG_STATS only: the statistics without the instruction trace */
	bpf_program__set_log_level(prog, 4);
	bpf_program__set_log_buf(prog, log, LOG_SIZE);
	if ((ret = bpf_object__load(obj))) {
		snprintf(why, whylen, "load failed: %s; log: %.300s", strerror(-ret), log);
		ret = 1;
		goto out;
	}
	p = strstr(log, "processed ");
	if (!p || sscanf(p, "processed %lu insns", &insns) != 1) {
		snprintf(why, whylen, "no \"processed N insns\" line in the verifier log: %.200s", log);
		ret = 1;
		goto out;
	}
	printf("# verifier: lw4o6_aftr processed %lu insns (budget %u, limit 1000000)\n", insns,
	       VERIFIER_BUDGET);
	if (verbose)
		printf("%s", log);
	if (insns > VERIFIER_BUDGET) {
		snprintf(why, whylen, "processed instructions (expected <= %u got %lu)", VERIFIER_BUDGET,
			 insns);
		ret = 1;
		goto out;
	}
	ret = 0;
out:
	bpf_object__close(obj);
	free(log);
	return ret;
}
