/* SPDX-License-Identifier: GPL-2.0 */
/* A token bucket in user space: rate tokens per second, burst deep, exact
 * at any rate (levels in token-nanoseconds). Pure: the caller passes the
 * time (CLOCK_MONOTONIC nanoseconds in pcpd), so tests need no clock. */
#ifndef LW4O6_RATE_BUCKET_H
#define LW4O6_RATE_BUCKET_H

#include <stdbool.h>
#include <linux/types.h>

struct lw_rate_bucket {
	__u32 rate;  /* tokens per second; 0 = the burst, then nothing */
	__u32 burst; /* depth */
	__u64 level; /* tokens × 10^9 (token-nanoseconds): exact at any rate */
	__u64 last_ns;
	__u64 passed;     /* packets allowed */
	__u64 suppressed; /* packets refused */
};

/* Sets the limits; the bucket starts full. */
void lw_rate_bucket_init(struct lw_rate_bucket *b, __u32 rate, __u32 burst, __u64 now_ns);

/* Whether one more may go now; takes its token. A clock that goes
 * backwards refills nothing. */
bool lw_rate_bucket_allow(struct lw_rate_bucket *b, __u64 now_ns);

#endif
