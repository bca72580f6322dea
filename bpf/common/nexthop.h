/* SPDX-License-Identifier: GPL-2.0 */
/* The next-hop cache's reader (include/lw4o6/nexthop.h): what
 * bpf_fib_lookup() would have answered, from an entry the daemon keeps
 * right, for a few loads per packet. Each program passes its own map. */
#ifndef LW4O6_BPF_NEXTHOP_H
#define LW4O6_BPF_NEXTHOP_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include "lw4o6/nexthop.h"
#include "fwd.h"

/* Not an LW_FWD_* outcome: the cache does not stand for this packet. */
#define LW_NH_MISS (-2)

static __always_inline int lw_nh_in(const struct lw_nh_prefix *p, __u64 d0, __u64 d1)
{
	return ((d0 & p->mask[0]) == p->addr[0]) & ((d1 & p->mask[1]) == p->addr[1]);
}

/* Whether the entry stands for the destination (d0, d1): inside its route
 * and outside every exception. */
static __always_inline int lw_nh_covers(const struct lw_nh_entry *e, __u64 d0, __u64 d1)
{
	__u32 n = e->n_except;

	if (!lw_nh_in(&e->route, d0, d1))
		return 0;
	for (__u32 i = 0; i < LW_NH_MAX_EXCEPTIONS; i++) {
		if (i >= n)
			break;
		if (lw_nh_in(&e->except[i], d0, d1))
			return 0;
	}
	return 1;
}

/* The cached outcome for the lookup fib describes (family, destination,
 * tot_len, as lw_fib_ipv4/lw_fib_ipv6 filled it): LW_FWD_REDIRECT with out
 * filled (not out->vid), LW_FWD_TOO_BIG with the route's MTU in
 * fib->mtu_result, as lw_fib_route would; or LW_NH_MISS: ask the FIB. */
static __always_inline int lw_nh_route(void *nh_map, struct bpf_fib_lookup *fib, struct lw_out *out)
{
	__u32 key = fib->family == AF_INET ? LW_NH_IPV4 : LW_NH_IPV6;
	const struct lw_nh_cache *c = bpf_map_lookup_elem(nh_map, &key);
	const struct lw_nh_entry *e;
	__u64 d0 = 0, d1 = 0;

	if (!c)
		return LW_NH_MISS;
	e = &c->slot[c->active & 1];
	if (e->mode != LW_NH_CACHED || bpf_jiffies64() >= e->expires)
		return LW_NH_MISS;
	if (key == LW_NH_IPV4) {
		__builtin_memcpy(&d0, &fib->ipv4_dst, sizeof(fib->ipv4_dst));
	} else {
		__builtin_memcpy(&d0, &fib->ipv6_dst[0], sizeof(d0));
		__builtin_memcpy(&d1, &fib->ipv6_dst[2], sizeof(d1));
	}
	if (!lw_nh_covers(e, d0, d1))
		return LW_NH_MISS;
	if (fib->tot_len > e->mtu) {
		fib->mtu_result = e->mtu;
		return LW_FWD_TOO_BIG;
	}
	__builtin_memcpy(out->dmac, e->dmac, ETH_ALEN);
	__builtin_memcpy(out->smac, e->smac, ETH_ALEN);
	out->ifindex = e->ifindex;
	out->pass = 0;
	return LW_FWD_REDIRECT;
}

#endif
