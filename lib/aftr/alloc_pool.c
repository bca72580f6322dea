/* SPDX-License-Identifier: GPL-2.0 */
/* Pools (IPv4 prefixes) → sorted runs of addresses, and IPv4 → address
 * index by binary search over the runs. Overlapping pools are refused: an
 * address counted twice would be two allocator states for one IPv4, and two
 * psid-lens on one address break PSID-4. */
#include <errno.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include "alloc_priv.h"
#include "alloc_pool.h"
#include "errmsg.h"

static int by_first(const void *x, const void *y)
{
	const struct alloc_range *a = x, *b = y;

	return a->first < b->first ? -1 : a->first > b->first;
}

static const char *fmt4(uint32_t host, char *buf, size_t len)
{
	struct in_addr in = { .s_addr = htonl(host) };

	return inet_ntop(AF_INET, &in, buf, (socklen_t)len);
}

int alloc_ranges_build(const struct alloc_pool *pools, size_t n, struct alloc_range **out,
		       size_t *n_out, char *err, size_t errlen)
{
	struct alloc_range *r;
	char b1[INET_ADDRSTRLEN], b2[INET_ADDRSTRLEN];
	uint64_t total = 0;
	size_t i;

	*out = NULL;
	*n_out = 0;
	if (n == 0 || !pools)
		return lw_errf(err, errlen, "no IPv4 pool configured");
	r = calloc(n, sizeof(*r));
	if (!r)
		return lw_errf_code(-ENOMEM, err, errlen, "out of memory for %zu pools", n);
	for (i = 0; i < n; i++) {
		uint32_t first = ntohl(pools[i].prefix);
		uint8_t len = pools[i].prefix_len;
		uint32_t host_mask;

		if (len > 32) {
			free(r);
			return lw_errf(err, errlen, "pool %s/%u: prefix length > 32",
				       fmt4(first, b1, sizeof(b1)), len);
		}
		host_mask = len == 0 ? UINT32_MAX : (len == 32 ? 0 : (UINT32_MAX >> len));
		if (first & host_mask) {
			free(r);
			return lw_errf(err, errlen, "pool %s/%u: host bits set",
				       fmt4(first, b1, sizeof(b1)), len);
		}
		r[i].first = first;
		r[i].count = len == 0 ? 0 : 1u << (32 - len); /* /0 caught below */
		total += len == 0 ? (1ull << 32) : r[i].count;
	}
	if (total > ALLOC_MAX_ADDRESSES) {
		free(r);
		return lw_errf(err, errlen, "pools hold %llu addresses, more than %u",
			       (unsigned long long)total, ALLOC_MAX_ADDRESSES);
	}
	qsort(r, n, sizeof(*r), by_first);
	for (i = 0; i < n; i++) {
		if (i > 0 && (uint64_t)r[i - 1].first + r[i - 1].count > r[i].first) {
			int rc = lw_errf(err, errlen, "pools overlap: %s (%u addresses) and %s",
					 fmt4(r[i - 1].first, b1, sizeof(b1)), r[i - 1].count,
					 fmt4(r[i].first, b2, sizeof(b2)));
			free(r);
			return rc;
		}
		r[i].base = i == 0 ? 0 : r[i - 1].base + r[i - 1].count;
	}
	*out = r;
	*n_out = n;
	return 0;
}

long alloc_addr_index(const struct alloc *a, uint32_t ipv4_host)
{
	size_t lo = 0, hi = a->n_ranges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct alloc_range *r = &a->ranges[mid];

		if (ipv4_host < r->first)
			hi = mid;
		else if (ipv4_host - r->first >= r->count)
			lo = mid + 1;
		else
			return (long)(r->base + (ipv4_host - r->first));
	}
	return -1;
}
