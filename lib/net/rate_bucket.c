// SPDX-License-Identifier: GPL-2.0
/* Token buckets in user space (rate_bucket.h). */
#include "rate_bucket.h"

#define NS_PER_S 1000000000ull

void lw_rate_bucket_init(struct lw_rate_bucket *b, __u32 rate, __u32 burst, __u64 now_ns)
{
	b->rate = rate;
	b->burst = burst;
	b->level = (__u64)burst * NS_PER_S; /* at most 2^32 × 10^9 < 2^63 */
	b->last_ns = now_ns;
	b->passed = 0;
	b->suppressed = 0;
}

bool lw_rate_bucket_allow(struct lw_rate_bucket *b, __u64 now_ns)
{
	__u64 full, elapsed;

	full = (__u64)b->burst * NS_PER_S;
	if (now_ns > b->last_ns) {
		elapsed = now_ns - b->last_ns;
		/* elapsed × rate may overflow; past (full − level) / rate
		 * nanoseconds the bucket is full anyway */
		if (b->rate && elapsed >= (full - b->level) / b->rate + 1)
			b->level = full;
		else
			b->level += elapsed * b->rate;
		if (b->level > full)
			b->level = full;
		b->last_ns = now_ns;
	}
	if (b->level < NS_PER_S) {
		b->suppressed++;
		return false;
	}
	b->level -= NS_PER_S;
	b->passed++;
	return true;
}
