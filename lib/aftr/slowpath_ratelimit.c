// SPDX-License-Identifier: GPL-2.0
/* Token buckets for the ICMP errors pcpd sends (slowpath_ratelimit.h). */
#include "slowpath_ratelimit.h"

void lw_slowpath_ratelimit_init(struct lw_slowpath_ratelimit *rl, __u32 icmpv4_rate,
				__u32 icmpv4_burst, __u32 icmpv6_rate, __u32 icmpv6_burst,
				__u64 now_ns)
{
	lw_rate_bucket_init(&rl->b[LW_SLOWPATH_ICMPV4], icmpv4_rate, icmpv4_burst, now_ns);
	lw_rate_bucket_init(&rl->b[LW_SLOWPATH_ICMPV6], icmpv6_rate, icmpv6_burst, now_ns);
}

bool lw_slowpath_ratelimit_allow(struct lw_slowpath_ratelimit *rl, enum lw_slowpath_kind kind,
				 __u64 now_ns)
{
	if ((unsigned)kind >= LW_SLOWPATH_KIND_MAX)
		return false;
	return lw_rate_bucket_allow(&rl->b[kind], now_ns);
}
