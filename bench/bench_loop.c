// SPDX-License-Identifier: GPL-2.0
/* v2's measurement: many distinct frames per BPF_PROG_TEST_RUN call.
 *
 * One call with `repeat` R runs the wrapper (lw4o6_bench_loop.bpf.c) R times;
 * each repetition restores the next of the N prepared frames into the packet
 * buffer and tail-calls the data plane, loaded from its production object:
 * what runs is the shipped program, on a different frame each time, without
 * a system call per packet. The kernel reports the mean time of the R
 * repetitions. The baseline is the same wrapper tail-calling lw4o6_pass
 * (XDP_PASS) on the same frames in the same run: it pays the wrapper, the
 * restore and the tail call, so data plane - baseline is the data plane's
 * own cost. Rounds alternate data plane and baseline; medians are reported.
 *
 * Honesty checks: before measuring, every frame is run once on its own and
 * must get the expected action with its payload (all after the restored
 * header bytes) unchanged; every data-plane run must move the data plane's
 * counters by exactly one packet per repetition in the expected slots and
 * not at all elsewhere; the wrapper must have restored and tail-called
 * every repetition; and what the last repetition of every run (data plane
 * and baseline) left in the buffer must be, byte for byte, what the same
 * program makes of that frame (not the first) run on its own. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.h"
#include "csum_ref.h"

#define ROUNDS 7

int bench_frames_alloc(struct bench_frames *fs, size_t n, size_t len, unsigned ifindex)
{
	fs->buf = calloc(n, len);
	fs->n = n;
	fs->len = len;
	fs->ifindex = ifindex;
	return fs->buf ? 0 : -ENOMEM;
}

void bench_frames_free(struct bench_frames *fs)
{
	free(fs->buf);
	fs->buf = NULL;
	fs->n = 0;
}

int bench_loop_open(struct bench_loop *l, const char *path, char *err, size_t errlen)
{
	struct bpf_program *prog;
	struct bpf_map *fr, *st, *tg;

	memset(l, 0, sizeof(*l));
	l->obj = bpf_object__open_file(path, NULL);
	if (!l->obj) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (bpf_object__load(l->obj)) {
		snprintf(err, errlen,
			 "cannot load %s (the wrapper needs root: it subtracts pointers)", path);
		bench_loop_close(l);
		return -1;
	}
	prog = bpf_object__find_program_by_name(l->obj, "lw4o6_bench_loop");
	fr = bpf_object__find_map_by_name(l->obj, "bench_frames");
	st = bpf_object__find_map_by_name(l->obj, "bench_state");
	tg = bpf_object__find_map_by_name(l->obj, "bench_target");
	if (!prog || !fr || !st || !tg) {
		snprintf(err, errlen, "%s lacks the wrapper's program or maps", path);
		bench_loop_close(l);
		return -1;
	}
	l->prog_fd = bpf_program__fd(prog);
	l->frames_fd = bpf_map__fd(fr);
	l->state_fd = bpf_map__fd(st);
	l->target_fd = bpf_map__fd(tg);
	return 0;
}

void bench_loop_close(struct bench_loop *l)
{
	if (l->obj)
		bpf_object__close(l->obj);
	l->obj = NULL;
}

/* One frame on its own: the action, and the bytes the wrapper will not
 * restore (the output keeps them at its end: the data planes add or remove
 * headers at the start only). */
static int check_one(int dp_fd, const struct bench_frames *fs, size_t i, uint32_t want)
{
	static uint8_t out[4096];
	const uint8_t *in = bench_frame_at(fs, i);
	size_t tail = fs->len - BENCH_HDR_BYTES, outlen;
	struct aftr_env e = { .prog_fd = dp_fd };
	uint32_t act;
	char err[256];

	if (aftr_env_run(&e, fs->ifindex, in, fs->len, out, sizeof(out), &outlen, &act)) {
		fprintf(stderr, "bench: BPF_PROG_TEST_RUN: %s\n", strerror(errno));
		return -1;
	}
	if (act != want) {
		fprintf(stderr, "bench: frame %zu: action %u, expected %u\n", i, act, want);
		return -1;
	}
	if (outlen < tail || memcmp(in + BENCH_HDR_BYTES, out + outlen - tail, tail)) {
		fprintf(stderr,
			"bench: frame %zu: the data plane changed bytes after the first %d: "
			"the wrapper would not restore them\n",
			i, BENCH_HDR_BYTES);
		return -1;
	}
	if (ref_verify_frame(out, outlen, err, sizeof(err))) {
		fprintf(stderr, "bench: frame %zu: the data plane's output: %s\n", i, err);
		return -1;
	}
	return 0;
}

int bench_loop_prepare(const struct bench_loop *l, int dp_fd, const struct bench_frames *fs,
		       uint32_t want_action)
{
	size_t tail = fs->len - BENCH_HDR_BYTES;

	if (fs->n == 0 || fs->n > BENCH_MAX_FRAMES || fs->len < BENCH_HDR_BYTES) {
		fprintf(stderr,
			"bench: %zu frames of %zu bytes: the wrapper takes 1..%d frames of "
			"%d bytes or more\n",
			fs->n, fs->len, BENCH_MAX_FRAMES, BENCH_HDR_BYTES);
		return -1;
	}
	for (size_t i = 0; i < fs->n; i++) {
		const uint8_t *f = bench_frame_at(fs, i);
		struct bench_frame bf = { .len = (__u32)fs->len };
		__u32 key = (__u32)i;

		if (memcmp(f + BENCH_HDR_BYTES, fs->buf + BENCH_HDR_BYTES, tail)) {
			fprintf(stderr,
				"bench: frame %zu's payload differs from frame 0's: the "
				"wrapper restores only the first %d bytes\n",
				i, BENCH_HDR_BYTES);
			return -1;
		}
		if (check_one(dp_fd, fs, i, want_action))
			return -1;
		memcpy(bf.hdr, f, BENCH_HDR_BYTES);
		if (bpf_map_update_elem(l->frames_fd, &key, &bf, BPF_ANY)) {
			fprintf(stderr, "bench: bench_frames[%zu]: %s\n", i, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* The frame the last repetition left, against what target_fd makes of the
 * same frame run on its own: a wrong frame, or a frame restored with the
 * wrong geometry or bytes, shows here. */
static int check_last(const struct bench_frames *fs, int target_fd, unsigned long reps,
		      const uint8_t *got, size_t gotlen)
{
	static uint8_t want[4096];
	size_t j = (reps - 1) % fs->n, wantlen;
	struct aftr_env e = { .prog_fd = target_fd };
	uint32_t act;

	if (aftr_env_run(&e, fs->ifindex, bench_frame_at(fs, j), fs->len, want, sizeof(want),
			 &wantlen, &act)) {
		fprintf(stderr, "bench: BPF_PROG_TEST_RUN: %s\n", strerror(errno));
		return -1;
	}
	if (wantlen != gotlen || memcmp(want, got, gotlen)) {
		fprintf(stderr,
			"bench: the last repetition's output is not that of frame %zu on its "
			"own: the wrapper did not restore the frame\n",
			j);
		return -1;
	}
	return 0;
}

/* One call: R repetitions of the wrapper tail-calling target_fd; *ns is the
 * kernel's mean per repetition, out what the last one left (out[4096]). */
static int run_once(const struct bench_loop *l, const struct bench_frames *fs, int target_fd,
		    unsigned long reps, double *ns, uint8_t *out, size_t *outlen)
{
	struct bench_state st = { .n_frames = (__u32)fs->n };
	struct xdp_md ctx = { .data_end = (__u32)fs->len, .ingress_ifindex = fs->ifindex };
	__u32 zero = 0;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = fs->buf, .data_size_in = (__u32)fs->len,
		    .data_out = out, .data_size_out = 4096, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = (__u32)reps);

	if (bpf_map_update_elem(l->target_fd, &zero, &target_fd, BPF_ANY) ||
	    bpf_map_update_elem(l->state_fd, &zero, &st, BPF_ANY) ||
	    bpf_prog_test_run_opts(l->prog_fd, &o) ||
	    bpf_map_lookup_elem(l->state_fd, &zero, &st)) {
		fprintf(stderr, "bench: loop run: %s\n", strerror(errno));
		return -1;
	}
	if (st.reps != reps || st.next != reps % fs->n || st.restore_failed ||
	    st.tail_call_failed) {
		fprintf(stderr,
			"bench: the wrapper ran %llu of %lu repetitions, ending before frame "
			"%u of %zu, expected %lu (restore failed %llu, tail call failed %llu)\n",
			(unsigned long long)st.reps, reps, st.next, fs->n, reps % fs->n,
			(unsigned long long)st.restore_failed,
			(unsigned long long)st.tail_call_failed);
		return -1;
	}
	*ns = (double)o.duration;
	*outlen = o.data_size_out;
	return 0;
}

/* The baseline: the wrapper tail-calling lw4o6_pass. */
static int run_base(const struct bench_loop *l, const struct bench_frames *fs, int pass_fd,
		    unsigned long reps, double *ns)
{
	static uint8_t out[4096];
	size_t outlen;

	if (run_once(l, fs, pass_fd, reps, ns, out, &outlen))
		return -1;
	return check_last(fs, pass_fd, reps, out, outlen);
}

/* The counters moved by reps packets in the want slots and nowhere else. */
static int check_counters(const struct bench_counters *c, const uint64_t *before,
			  const uint64_t *after, unsigned long reps)
{
	int bad = 0;

	for (unsigned s = 0; s < c->n; s++) {
		uint64_t want = 0, got = after[s] - before[s];

		for (unsigned k = 0; k < c->n_want; k++)
			if (c->want[k] == s)
				want = reps;
		if (got != want) {
			fprintf(stderr, "bench: counter %s moved by %llu, expected %llu\n",
				c->name(s), (unsigned long long)got, (unsigned long long)want);
			bad = 1;
		}
	}
	return bad ? -1 : 0;
}

/* One data-plane measurement with its counters checked. */
static int run_checked(const struct bench_loop *l, const struct bench_frames *fs, int dp_fd,
		       const struct bench_counters *c, unsigned long reps, double *ns)
{
	static uint8_t out[4096];
	uint64_t *before = calloc(2 * c->n, sizeof(*before));
	size_t outlen;
	int ret = -1;

	if (!before)
		return -1;
	if ((!c->before || c->before(c->maps) == 0) && c->read(c->maps, before) == 0 &&
	    run_once(l, fs, dp_fd, reps, ns, out, &outlen) == 0 &&
	    c->read(c->maps, before + c->n) == 0 &&
	    check_counters(c, before, before + c->n, reps) == 0)
		ret = check_last(fs, dp_fd, reps, out, outlen);
	free(before);
	return ret;
}

/* The figures of rounds dp against the baseline's (order does not matter:
 * medians, deviations); verified: the packets whose outcome was checked. */
static void result_of(struct bench_result *res, double *dp, double *base, unsigned long packets,
		      bool checked)
{
	memset(res, 0, sizeof(*res));
	res->ns_sd = bench_stddev(dp, ROUNDS);
	res->base_sd = bench_stddev(base, ROUNDS);
	res->ns = bench_median(dp, ROUNDS);
	res->base_ns = bench_median(base, ROUNDS);
	res->rounds = ROUNDS;
	res->packets = packets;
	res->verified = checked ? packets * ROUNDS : 0;
}

/* The second data plane's run of a round: checked as the first's, or only
 * timed (--compare-unchecked). */
static int run_second(const struct bench_loop *l, const struct bench_frames *fs, int fd,
		      const struct bench_counters *c, unsigned long reps, double *ns)
{
	static uint8_t out[4096];
	size_t outlen;

	if (c->unchecked2)
		return run_once(l, fs, fd, reps, ns, out, &outlen);
	return run_checked(l, fs, fd, c, reps, ns);
}

int bench_loop_measure_ab(const struct bench_loop *l, const struct bench_frames *fs, int dp_fd,
			  int dp2_fd, int pass_fd, const struct bench_counters *c,
			  unsigned long packets, struct bench_result *res,
			  struct bench_result *res2)
{
	double dp[ROUNDS], dp2[ROUNDS], base[ROUNDS];

	for (int r = 0; r < ROUNDS; r++) {
		if (run_checked(l, fs, dp_fd, c, packets, &dp[r]) ||
		    run_base(l, fs, pass_fd, packets, &base[r]) ||
		    (dp2_fd >= 0 && run_second(l, fs, dp2_fd, c, packets, &dp2[r])))
			return -1;
	}
	result_of(res, dp, base, packets, true);
	if (dp2_fd >= 0)
		result_of(res2, dp2, base, packets, !c->unchecked2);
	return 0;
}

int bench_loop_measure(const struct bench_loop *l, const struct bench_frames *fs, int dp_fd,
		       int pass_fd, const struct bench_counters *c, unsigned long packets,
		       struct bench_result *res)
{
	return bench_loop_measure_ab(l, fs, dp_fd, -1, pass_fd, c, packets, res, NULL);
}
