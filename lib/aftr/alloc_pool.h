/* SPDX-License-Identifier: GPL-2.0 */
/* Validation and layout of the allocator's IPv4 pools (alloc_pool.c). */
#ifndef LW4O6_PCPD_ALLOC_POOL_H
#define LW4O6_PCPD_ALLOC_POOL_H

#include <stddef.h>
#include "alloc_priv.h"

/* Sorts the pools into runs with consecutive address indexes. -EINVAL for
 * no pool, a prefix length > 32, host bits set, overlapping pools, or more
 * than ALLOC_MAX_ADDRESSES addresses; -ENOMEM. *out is malloc'd. */
int alloc_ranges_build(const struct alloc_pool *pools, size_t n, struct alloc_range **out,
		       size_t *n_out, char *err, size_t errlen);

#endif
