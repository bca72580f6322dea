// SPDX-License-Identifier: GPL-2.0
/* make bench v2's loop: one BPF_PROG_TEST_RUN call with `repeat` R runs this
 * wrapper R times on the same xdp_buff (the kernel does not reset it between
 * repetitions). Each repetition puts the next prepared frame back into the
 * buffer and tail-calls bench_target[0]: the data plane loaded from its
 * production object, or lw4o6_pass for the baseline. What the data plane
 * did to the previous frame (moved its start by decapsulating or
 * encapsulating, cut trailing padding) is undone first:
 *
 *   - the start: the offset of ctx->data from bench_state's value is recorded
 *     at repetition 0; later repetitions move the start back by the
 *     difference. Subtracting two pointers is allowed to privileged programs
 *     (the verifier's allow_ptr_leaks), which the bench is;
 *   - the end: the length is set back to the frame's;
 *   - the bytes: the first BENCH_HDR_BYTES are stored from the frame. The
 *     payload after them is the same in every frame of a set and the data
 *     planes do not write it (checked per frame by the bench).
 *
 * The wrapper's own cost (two lookups, one adjust_head, 96 bytes stored,
 * one tail call) is the same whichever program it calls, so the baseline
 * run (the same wrapper calling lw4o6_pass on the same frames) cancels it.
 * The tail call needs the callee to match this program (XDP, no frags). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bench_loop.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BENCH_MAX_FRAMES);
	__type(key, __u32);
	__type(value, struct bench_frame);
} bench_frames SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_state);
} bench_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} bench_target SEC(".maps");

/* ctx->data as an offset from the state's map value: a number that stays
 * the same for as long as the buffer's start does. */
static __always_inline long start_offset(struct xdp_md *ctx, const struct bench_state *st)
{
	long off = (long)ctx->data - (long)st;

	/* keep the compiler from folding the subtraction into pointer
	 * arithmetic the verifier refuses */
	asm volatile("" : "+r"(off));
	return off;
}

/* Puts frame f back where repetition 0 found the buffer: -1 if it cannot. */
static __always_inline int restore(struct xdp_md *ctx, struct bench_state *st,
				   const struct bench_frame *f)
{
	long shift = start_offset(ctx, st) - st->anchor, len;
	const __u64 *src = (const __u64 *)f->hdr;
	__u64 *dst;

	/* called even when shift is 0 (after lw4o6_pass), so that the
	 * baseline pays for this helper call as the data plane does */
	if (bpf_xdp_adjust_head(ctx, (int)-shift))
		return -1;
	len = (long)ctx->data_end - (long)ctx->data;
	if (len != f->len && bpf_xdp_adjust_tail(ctx, (int)(f->len - len)))
		return -1;
	dst = (void *)(long)ctx->data;
	if ((void *)(dst + BENCH_HDR_BYTES / 8) > (void *)(long)ctx->data_end)
		return -1;
#pragma unroll
	for (int k = 0; k < BENCH_HDR_BYTES / 8; k++)
		dst[k] = src[k];
	return 0;
}

SEC("xdp")
int lw4o6_bench_loop(struct xdp_md *ctx)
{
	__u32 zero = 0, i;
	struct bench_state *st = bpf_map_lookup_elem(&bench_state, &zero);
	struct bench_frame *f;

	if (!st)
		return XDP_ABORTED;
	if (st->reps == 0)
		st->anchor = start_offset(ctx, st);
	i = st->next;
	f = bpf_map_lookup_elem(&bench_frames, &i);
	if (!f || restore(ctx, st, f)) {
		st->restore_failed++;
		return XDP_ABORTED;
	}
	st->next = i + 1 < st->n_frames ? i + 1 : 0;
	st->reps++;
	bpf_tail_call(ctx, &bench_target, 0);
	st->tail_call_failed++;
	return XDP_ABORTED;
}

char _license[] SEC("license") = "GPL";
