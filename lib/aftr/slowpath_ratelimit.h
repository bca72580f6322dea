/* SPDX-License-Identifier: GPL-2.0 */
/* The configured limits on the ICMP errors the lwAFTR originates:
 * icmpv4-rate and icmpv6-rate (RFC 8676), AFTR-ICMP-7 (RFC 7596 §9: the
 * lwAFTR MUST rate-limit ICMPv6 errors) and AFTR-ICMP-8. The data plane's
 * event bucket only keeps the ring buffer from flooding; these are the
 * operator's numbers, applied by pcpd to each packet the slow path builds.
 *
 * One token bucket (rate_bucket.h) per lw_slowpath_kind. */
#ifndef LW4O6_SLOWPATH_RATELIMIT_H
#define LW4O6_SLOWPATH_RATELIMIT_H

#include <stdbool.h>
#include <linux/types.h>
#include "rate_bucket.h"
#include "slowpath.h"

struct lw_slowpath_ratelimit {
	struct lw_rate_bucket
		b[LW_SLOWPATH_KIND_MAX]; /* suppressed: the "drops counted" of AFTR-ICMP-7 */
};

/* Sets the limits; every bucket starts full. */
void lw_slowpath_ratelimit_init(struct lw_slowpath_ratelimit *rl, __u32 icmpv4_rate,
				__u32 icmpv4_burst, __u32 icmpv6_rate, __u32 icmpv6_burst,
				__u64 now_ns);

/* Whether one more packet of that kind may go now; takes its token. A clock
 * that goes backwards refills nothing. */
bool lw_slowpath_ratelimit_allow(struct lw_slowpath_ratelimit *rl, enum lw_slowpath_kind kind,
				 __u64 now_ns);

#endif
