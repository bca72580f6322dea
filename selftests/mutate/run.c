// SPDX-License-Identifier: GPL-2.0
/* The loop of one program: for every frame index, a seed frame mutated by
 * the PRNG stream of (seed, index), one BPF_PROG_TEST_RUN, the checker. The
 * first few violations of each class are printed with the frame (hex), all
 * are counted. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "mutate.h"

int run_frame(int prog_fd, unsigned ifindex, const uint8_t *in, size_t inlen, uint8_t *out,
	      size_t outcap, size_t *outlen, uint32_t *action)
{
	struct xdp_md ctx = { .data_end = (__u32)inlen, .ingress_ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = (__u32)inlen,
		    .data_out = out, .data_size_out = (__u32)outcap, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 1);

	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return -errno;
	*outlen = opts.data_size_out;
	*action = opts.retval;
	return 0;
}

const char *act_name(uint32_t a)
{
	static const char *const n[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX",
					 "XDP_REDIRECT" };

	return a < 5 ? n[a] : "action ?";
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report(const struct target *t, const struct run_opts *o, uint64_t index,
		   const struct mframe *f, uint32_t act, const uint8_t *out, size_t outlen,
		   const struct verdict *v, int which)
{
	printf("FAIL %s frame %llu (--seed %llu --frame %llu): %s\n",
	       t->classes[v->cls[which]].name, (unsigned long long)index,
	       (unsigned long long)o->seed, (unsigned long long)index, v->detail[which]);
	for (int i = 0; i < v->n; i++)
		if (i != which)
			printf("    also %s: %s\n", t->classes[v->cls[i]].name, v->detail[i]);
	printf("    in on the %s side, %s; built: %s\n", t->side_name(f->ifindex), act_name(act),
	       f->log);
	hexdump(stdout, "in", f->buf, f->len);
	if (act != XDP_DROP)
		hexdump(stdout, "out", out, outlen);
}

struct tally {
	uint64_t *per_class;
	uint64_t run_errors[2]; /* EINVAL, other */
	uint64_t actions[6];    /* XDP_ABORTED .. XDP_REDIRECT, other */
};

/* One frame; 1 passed, 0 failed, -1 skipped. */
static int one_frame(struct target *t, const struct run_opts *o, uint64_t index, bool quiet,
		     struct tally *ty)
{
	static struct mframe f;
	static uint8_t out[4096];
	struct verdict v;
	struct rng r;
	size_t outlen = 0;
	uint32_t act = 0;
	int ret;

	rng_seed(&r, o->seed, index);
	t->seed(&r, &f);
	mutate_frame(&r, t, &f);
	if (f.len < 14)
		return -1; /* BPF_PROG_TEST_RUN takes no frame shorter than Ethernet */
	ret = run_frame(t->prog_fd, f.ifindex, f.buf, f.len, out, sizeof(out), &outlen, &act);
	if (ret) {
		ty->run_errors[ret == -EINVAL ? 0 : 1]++;
		return -1;
	}
	if (!quiet)
		ty->actions[act < 5 ? act : 5]++;
	verdict_clear(&v);
	t->check(&f, act, out, outlen, &v);
	if (o->verbose && !quiet) {
		printf("frame %llu on the %s side: %s; built: %s\n", (unsigned long long)index,
		       t->side_name(f.ifindex), act_name(act), f.log);
		hexdump(stdout, "in", f.buf, f.len);
		if (act != XDP_DROP)
			hexdump(stdout, "out", out, outlen);
		for (int i = 0; i < v.n; i++)
			printf("    %s: %s\n", t->classes[v.cls[i]].name, v.detail[i]);
	}
	if (!v.n)
		return 1;
	if (quiet)
		return 0;
	for (int i = 0; i < v.n; i++) {
		uint64_t n = ++ty->per_class[v.cls[i]];

		if (n <= o->examples)
			report(t, o, index, &f, act, out, outlen, &v, i);
	}
	return 0;
}

int run_target(struct target *t, const struct run_opts *o, struct run_result *res)
{
	struct tally ty = { .per_class = calloc((size_t)t->n_classes, sizeof(uint64_t)) };
	uint64_t first = 0, last = o->frames;
	char err[512];
	double t0;

	memset(res, 0, sizeof(*res));
	if (!ty.per_class)
		return -ENOMEM;
	if (o->only) { /* replay: from where the program's state was last reset */
		last = o->only;
		first = t->block ? (last - 1) / t->block * t->block : last - 1;
	}
	t0 = now_s();
	for (uint64_t i = first; i < last; i++) {
		bool quiet = o->only && i + 1 != last;
		int ret;

		if (t->before && t->before(i, err, sizeof(err))) {
			printf("FAIL %s: frame %llu: %s\n", t->name, (unsigned long long)i, err);
			res->failed++;
			break;
		}
		ret = one_frame(t, o, i, quiet, &ty);
		if (quiet)
			continue;
		res->frames += ret >= 0;
		if (ret > 0)
			res->passed++;
		else if (ret == 0)
			res->failed++;
		else
			res->skipped++;
	}
	res->seconds = now_s() - t0;
	printf("# %s: XDP_DROP %llu, XDP_PASS %llu, XDP_TX %llu, XDP_REDIRECT %llu, other %llu\n",
	       t->name, (unsigned long long)ty.actions[XDP_DROP],
	       (unsigned long long)ty.actions[XDP_PASS], (unsigned long long)ty.actions[XDP_TX],
	       (unsigned long long)ty.actions[XDP_REDIRECT],
	       (unsigned long long)(ty.actions[XDP_ABORTED] + ty.actions[5]));
	for (int c = 0; c < t->n_classes; c++)
		if (ty.per_class[c])
			printf("# %s: %-32s %10llu frames  (%s)\n", t->name, t->classes[c].name,
			       (unsigned long long)ty.per_class[c], t->classes[c].what);
	if (ty.run_errors[0] + ty.run_errors[1])
		printf("# %s: BPF_PROG_TEST_RUN refused %llu frames (EINVAL) and failed %llu\n",
		       t->name, (unsigned long long)ty.run_errors[0],
		       (unsigned long long)ty.run_errors[1]);
	free(ty.per_class);
	return 0;
}
