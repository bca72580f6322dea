/* SPDX-License-Identifier: GPL-2.0 */
/* Allocator configuration: defaults and the checks that make every later
 * decision well-defined. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "alloc_pool.h"
#include "alloc_priv.h"
#include "errmsg.h"

void alloc_config_init(struct alloc_config *c)
{
	memset(c, 0, sizeof(*c));
	/* 2048 ports = psid-len 5: 31 subscribers per address (psid 0 holds
	 * the system ports), the RFC 7753 §5.2 example size. */
	c->default_block_size = 2048;
	c->min_block_size = 1024;
	c->max_block_size = 2048;
	c->max_grants_per_subscriber = 1; /* RFC 7785 §4 default, AFTR-BT-5 */
	c->subscriber_prefix_len = 128;
	c->min_lifetime = 120; /* RFC 6887 §15 */
	c->max_lifetime = 86400;
	c->short_error_lifetime = 30; /* RFC 6887 §7.4 */
	c->reuse_hold_seconds = 120;  /* RFC 6887 §15: 2 min MSL */
}

static bool is_block_size(uint32_t v)
{
	return v >= 1 && v <= 65536 && (v & (v - 1)) == 0;
}

int alloc_config_validate(const struct alloc_config *c, char *err, size_t errlen)
{
	struct alloc_range *r;
	size_t n;
	int rc;

	rc = alloc_ranges_build(c->pools, c->n_pools, &r, &n, err, errlen);
	if (rc)
		return rc;
	free(r);
	if (!is_block_size(c->default_block_size) || !is_block_size(c->min_block_size) ||
	    !is_block_size(c->max_block_size))
		return lw_errf(
			err, errlen,
			"block sizes must be powers of two from 1 to 65536 (default %u, min %u, max %u)",
			c->default_block_size, c->min_block_size, c->max_block_size);
	if (c->min_block_size > c->default_block_size || c->default_block_size > c->max_block_size)
		return lw_errf(err, errlen,
			       "block sizes must satisfy min %u <= default %u <= max %u",
			       c->min_block_size, c->default_block_size, c->max_block_size);
	if (c->max_grants_per_subscriber < 1 || c->max_grants_per_subscriber > ALLOC_MAX_QUOTA)
		return lw_errf(err, errlen, "grants per subscriber %u outside 1..%u",
			       c->max_grants_per_subscriber, ALLOC_MAX_QUOTA);
	if (c->subscriber_prefix_len > 128)
		return lw_errf(err, errlen, "subscriber prefix length %u > 128",
			       c->subscriber_prefix_len);
	/* PCPS-12 / RFC 6887 §15: at least 120 s, at most 24 h. */
	if (c->min_lifetime < 120 || c->max_lifetime > 86400 || c->min_lifetime > c->max_lifetime)
		return lw_errf(
			err, errlen,
			"lifetimes must satisfy 120 <= min %u <= max %u <= 86400 (RFC 6887 §15)",
			c->min_lifetime, c->max_lifetime);
	/* An error lifetime of 0 invites an immediate retry loop (pcp.md §3). */
	if (c->short_error_lifetime < 1 || c->short_error_lifetime > 86400)
		return lw_errf(err, errlen, "error lifetimes must be 1..86400 s (short %u)",
			       c->short_error_lifetime);
	if (c->reuse_hold_seconds > 86400)
		return lw_errf(err, errlen, "reuse hold %u s > 86400", c->reuse_hold_seconds);
	return 0;
}
