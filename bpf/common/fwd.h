/* SPDX-License-Identifier: GPL-2.0 */
/* Where a rebuilt packet leaves: a FIB lookup, redirect to an interface we
 * are attached to, or XDP_PASS so that the kernel resolves the neighbour or
 * forwards it out of an interface we do not own. The caller passes its two
 * interfaces and its counters; static next hops are the lwAFTR's own. */
#ifndef LW4O6_BPF_FWD_H
#define LW4O6_BPF_FWD_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include "ctx.h"

/* bpf_fib_lookup families; <sys/socket.h> does not build for -target bpf. */
#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif

/* What leaves: where to and with which link-layer header. */
struct lw_out {
	__u8 dmac[ETH_ALEN];
	__u8 smac[ETH_ALEN];
	__u32 ifindex;
	__u16 vid;
	__u8 pass; /* neighbour unknown or foreign egress: the kernel forwards */
	__u8 reserved;
};

/* Counter slots of the outcomes lw_fib_route counts. */
struct lw_fwd_stats {
	__u32 pass_foreign;
	__u32 pass_no_neigh;
	__u32 drop_fib;
};

enum {
	LW_FWD_DROP = -1, /* counted */
	LW_FWD_REDIRECT = 0,
	LW_FWD_PASS = 1,    /* counted */
	LW_FWD_TOO_BIG = 2, /* fib->mtu_result holds the route's MTU */
};

/* FIB lookup for fib; if_a/if_b: the interfaces this program may redirect
 * to. Fills out (not out->vid) and returns an LW_FWD_* outcome. */
static __always_inline int lw_fib_route(struct xdp_md *ctx, struct bpf_fib_lookup *fib,
					struct lw_out *out, __u32 if_a, __u32 if_b, void *stats_map,
					const struct lw_fwd_stats *st, __u64 bytes)
{
	int rc = bpf_fib_lookup(ctx, fib, sizeof(*fib), 0);

	out->pass = 0;
	switch (rc) {
	case BPF_FIB_LKUP_RET_SUCCESS:
		if (fib->ifindex != if_a && fib->ifindex != if_b) {
			/* routed out of an interface we are not attached to:
			 * the kernel forwards the rebuilt packet */
			out->pass = 1;
			lw_counter_add(stats_map, st->pass_foreign, bytes);
			return LW_FWD_PASS;
		}
		__builtin_memcpy(out->dmac, fib->dmac, ETH_ALEN);
		__builtin_memcpy(out->smac, fib->smac, ETH_ALEN);
		out->ifindex = fib->ifindex;
		return LW_FWD_REDIRECT;
	case BPF_FIB_LKUP_RET_NO_NEIGH:
	case BPF_FIB_LKUP_RET_NOT_FWDED:
	case BPF_FIB_LKUP_RET_UNSUPP_LWT:
		/* The kernel resolves the neighbour and forwards the rebuilt
		 * packet; the next one takes the fast path. */
		out->pass = 1;
		lw_counter_add(stats_map, st->pass_no_neigh, bytes);
		return LW_FWD_PASS;
	case BPF_FIB_LKUP_RET_FRAG_NEEDED: return LW_FWD_TOO_BIG;
	case BPF_FIB_LKUP_RET_FWD_DISABLED:
		/* no forwarding (or no IPv6 at all) on the interface the lookup
		 * names: handed over, the packet would be lost unseen */
	default: lw_counter_add(stats_map, st->drop_fib, bytes); return LW_FWD_DROP;
	}
}

/* A packet the kernel gets keeps the link-layer header it arrived with
 * (read before the frame is reshaped: P12). */
static __always_inline void lw_out_as_arrived(struct lw_out *out, const struct ethhdr *eth,
					      __u16 vid)
{
	__builtin_memcpy(out->dmac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(out->smac, eth->h_source, ETH_ALEN);
	out->vid = vid;
}

/* The lookup for an IPv4 packet of tot_len bytes arriving on ctx's
 * interface (fib zeroed by the caller). */
static __always_inline void lw_fib_ipv4(struct xdp_md *ctx, struct bpf_fib_lookup *fib, __u8 tos,
					__u8 proto, __u16 tot_len, __be32 src, __be32 dst)
{
	fib->family = AF_INET;
	fib->tos = tos;
	fib->l4_protocol = proto;
	fib->tot_len = tot_len;
	fib->ifindex = lw_ingress_ifindex(ctx);
	fib->ipv4_src = src;
	fib->ipv4_dst = dst;
}

/* The lookup for an IPv6 packet (a tunnel packet: proto IPPROTO_IPIP) of
 * tot_len bytes as if it arrived on ifindex, the program's IPv6 side (fib
 * zeroed by the caller). Not the interface the IPv4 packet came in on: that
 * one may have no IPv6 (the kernel takes it off a link below 1280 bytes) or
 * no IPv6 forwarding, and the lookup would fail for it. */
static __always_inline void lw_fib_ipv6(struct bpf_fib_lookup *fib, __u32 ifindex, __u8 proto,
					__u16 tot_len, const void *src, const void *dst)
{
	fib->family = AF_INET6;
	fib->l4_protocol = proto;
	fib->tot_len = tot_len;
	fib->ifindex = ifindex;
	__builtin_memcpy(fib->ipv6_src, src, sizeof(fib->ipv6_src));
	__builtin_memcpy(fib->ipv6_dst, dst, sizeof(fib->ipv6_dst));
}

/* The verdict for a packet lw_fib_route sent somewhere. */
static __always_inline int lw_out_send(const struct lw_out *out)
{
	if (out->pass)
		return XDP_PASS;
	return bpf_redirect(out->ifindex, 0);
}

#endif
