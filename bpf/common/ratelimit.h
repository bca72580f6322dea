/* SPDX-License-Identifier: GPL-2.0 */
/* The token bucket in front of each program's event ring buffer (RFC 7596
 * §9: ICMP errors are rate-limited). The bucket map and the rate come from
 * the caller: the lwAFTR and the lwB4 each have their own. */
#ifndef LW4O6_BPF_RATELIMIT_H
#define LW4O6_BPF_RATELIMIT_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "lw4o6/aftr.h" /* struct lw_token_bucket */

#define LW_TOKEN         1000 /* one event, in the bucket's thousandths */
#define LW_NSEC_PER_MSEC 1000000ull

/* Takes one token from element bucket (enum lw_event_bucket) of
 * bucket_map, an array of struct lw_token_bucket shared by all CPUs (hence
 * the spin lock). Tokens are kept in thousandths so that rates below one
 * per millisecond still refill. rate: events per second; burst: bucket
 * depth in events. Returns 1 when the event may go. */
static __always_inline int lw_token_take(void *bucket_map, __u32 bucket, __u32 rate,
					 __u32 burst_events)
{
	__u32 key = bucket;
	struct lw_token_bucket *tb = bpf_map_lookup_elem(bucket_map, &key);
	__u64 now = bpf_ktime_get_ns();
	__u64 burst = (__u64)burst_events * LW_TOKEN;
	__u64 elapsed, tokens;
	int ok = 0;

	if (!tb)
		return 0;
	bpf_spin_lock(&tb->lock);
	elapsed = now - tb->last_ns;
	/* rate events/s = rate thousandths per ms */
	tokens = tb->tokens_milli + (elapsed / LW_NSEC_PER_MSEC) * rate;
	if (elapsed >= LW_NSEC_PER_MSEC)
		tb->last_ns = now - (elapsed % LW_NSEC_PER_MSEC);
	if (tokens > burst)
		tokens = burst;
	if (tokens >= LW_TOKEN) {
		tokens -= LW_TOKEN;
		ok = 1;
	}
	tb->tokens_milli = tokens;
	bpf_spin_unlock(&tb->lock);
	return ok;
}

#endif
