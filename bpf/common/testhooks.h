/* SPDX-License-Identifier: GPL-2.0 */
/* What the -DLW4O6_TEST build of a program does differently, in one place:
 * both programs are compiled twice (Makefile: *_test.bpf.o) and the selftests
 * load the test variant. Without LW4O6_TEST nothing here costs anything. */
#ifndef LW4O6_BPF_TESTHOOKS_H
#define LW4O6_BPF_TESTHOOKS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#ifdef LW4O6_TEST
/* New headroom from BPF_PROG_TEST_RUN is zero-filled: poison it (P13) so that
 * a header field the program forgets to write shows up as 0xff in the
 * selftests instead of passing as a plausible zero. */
static __always_inline int lw_adjust_head(struct xdp_md *ctx, int delta)
{
	int ret = bpf_xdp_adjust_head(ctx, delta);
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 *p = data;

	if (ret == 0 && delta < 0) {
#pragma unroll
		for (int i = 0; i < 8; i++) {
			if ((void *)(p + i + 1) > data_end || i * 8 >= -delta)
				break;
			p[i] = ~0ULL;
		}
	}
	return ret;
}
#else
#define lw_adjust_head bpf_xdp_adjust_head
#endif

#endif
