// SPDX-License-Identifier: GPL-2.0
/* Token buckets for the ICMP errors pcpd sends (slowpath_ratelimit.h). */
#include "slowpath_ratelimit.h"

#define NS_PER_S 1000000000ull

static void bucket_init(struct lw_slowpath_bucket *b, __u32 rate, __u32 burst, __u64 now_ns)
{
	b->rate = rate;
	b->burst = burst;
	b->level = (__u64)burst * NS_PER_S; /* at most 2^32 × 10^9 < 2^63 */
	b->last_ns = now_ns;
	b->passed = 0;
	b->suppressed = 0;
}

void lw_slowpath_ratelimit_init(struct lw_slowpath_ratelimit *rl, __u32 icmpv4_rate,
				__u32 icmpv4_burst, __u32 icmpv6_rate, __u32 icmpv6_burst,
				__u64 now_ns)
{
	bucket_init(&rl->b[LW_SLOWPATH_ICMPV4], icmpv4_rate, icmpv4_burst, now_ns);
	bucket_init(&rl->b[LW_SLOWPATH_ICMPV6], icmpv6_rate, icmpv6_burst, now_ns);
}

bool lw_slowpath_ratelimit_allow(struct lw_slowpath_ratelimit *rl, enum lw_slowpath_kind kind,
				 __u64 now_ns)
{
	struct lw_slowpath_bucket *b;
	__u64 full, elapsed;

	if ((unsigned)kind >= LW_SLOWPATH_KIND_MAX)
		return false;
	b = &rl->b[kind];
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
