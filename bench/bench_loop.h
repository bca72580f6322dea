/* SPDX-License-Identifier: GPL-2.0 */
/* What bench/lw4o6_bench_loop.bpf.c (the loop wrapper) and the bench's user
 * space share: the prepared frames and the wrapper's state. Bench-only, so
 * it lives here and not in include/lw4o6/ (the product's ABI). */
#ifndef LW4O6_BENCH_LOOP_H
#define LW4O6_BENCH_LOOP_H

#include <linux/types.h>

/* Frames the wrapper cycles through in one BPF_PROG_TEST_RUN call. */
#define BENCH_MAX_FRAMES 32768
/* Leading bytes of a frame the wrapper rewrites before every repetition:
 * more than the headers of every frame measured (82 for IPv4-in-IPv6/UDP).
 * The data planes rewrite headers only, never the payload after them; the
 * bench checks that claim on every frame before measuring (bench_loop.c). */
#define BENCH_HDR_BYTES 96

/* bench_frames[i]: frame i as the data plane must find it. */
struct bench_frame {
	__u32 len; /* whole frame; every frame of one set has the same length */
	__u32 reserved;
	__u8 hdr[BENCH_HDR_BYTES];
};

/* bench_state[0]: reset by user space before every run. */
struct bench_state {
	__u32 n_frames;       /* frames in bench_frames, 1..BENCH_MAX_FRAMES */
	__u32 next;           /* frame the next repetition restores */
	__u64 reps;           /* repetitions that reached the tail call */
	__s64 anchor;         /* where the frame started at repetition 0 (see the wrapper) */
	__u64 restore_failed; /* adjust_head/adjust_tail refused, or frame too short */
	__u64 tail_call_failed;
};

#endif
