/* SPDX-License-Identifier: GPL-2.0 */
/* Where a translated packet of the lwB4 leaves and in what frame: to a LAN
 * host as IPv4 (the FIB: every host is its own neighbour), or to the lwAFTR
 * inside IPv6 (one destination: the next-hop cache pcpd keeps, else the
 * FIB). No static next hops on the lwB4, untagged frames only. */
#ifndef LW4O6_BPF_B4_ROUTE_H
#define LW4O6_BPF_B4_ROUTE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include "lw4o6/b4.h"
#include "fwd.h"
#include "nexthop.h"
#include "l2.h"
#include "tunnel.h"
#include "report.h"

/* LW_FWD_*: the FIB only (no static next hops on the lwB4). */
static __always_inline int lw_b4_route(struct xdp_md *ctx, const struct lw_b4_config *cfg,
				       struct bpf_fib_lookup *fib, struct lw_out *out, __u64 bytes)
{
	const struct lw_fwd_stats st = {
		.pass_foreign = LW_B4_STAT_PASS_FOREIGN_EGRESS,
		.pass_no_neigh = LW_B4_STAT_PASS_NO_NEIGH,
		.drop_fib = LW_B4_STAT_DROP_FIB,
	};

	out->vid = 0; /* tagged frames are the kernel's (entry) */
	return lw_fib_route(ctx, fib, out, cfg->lan_ifindex, cfg->wan_ifindex, &LW_MAP_B4_STATS,
			    &st, bytes);
}

/* The way to a LAN host for an IPv4 packet of tot_len bytes. Returns 0, or
 * -1 to drop: no route (counted there), or a route whose MTU is below the
 * packet (counted here as over-MTU: not the lwB4's to fragment or answer). */
static __always_inline int lw_b4_route_to_lan(struct xdp_md *ctx, const struct lw_b4_config *cfg,
					      struct lw_out *out, __u8 tos, __u8 proto,
					      __u32 tot_len, __be32 src, __be32 dst, __u64 bytes)
{
	struct bpf_fib_lookup fib = {};
	int rc;

	lw_fib_ipv4(ctx, &fib, tos, proto, tot_len, src, dst);
	rc = lw_b4_route(ctx, cfg, &fib, out, bytes);
	if (rc == LW_FWD_DROP)
		return -1;
	if (rc == LW_FWD_TOO_BIG) {
		lw_b4_count(LW_B4_STAT_DROP_OVER_MTU_DF, bytes);
		return -1;
	}
	return 0;
}

/* The way the lookup fib describes (a tunnel packet to the lwAFTR) goes:
 * the next-hop cache first (unless LW_B4_CFG_NH_FIB), the FIB for what it
 * does not answer. A global function, verified once on its own: the
 * cache's outcomes inlined at both callers took lw4o6_b4 from 193k to 279k
 * processed instructions. */
__attribute__((noinline)) int lw_b4_route_tunnel(struct xdp_md *ctx, struct bpf_fib_lookup *fib,
						 struct lw_out *out, __u64 bytes)
{
	const struct lw_b4_config *cfg;
	__u32 key = 0;
	int rc;

	cfg = bpf_map_lookup_elem(&LW_MAP_B4_CFG, &key);
	if (!fib || !out || !cfg)
		return LW_FWD_DROP; /* cannot be: an array's entry 0, our own stack */
	if (!(cfg->flags & LW_B4_CFG_NH_FIB)) {
		rc = lw_nh_route(&LW_MAP_B4_NEXTHOP, fib, out);
		if (rc != LW_NH_MISS) {
			out->vid = 0;
			return rc;
		}
	}
	return lw_b4_route(ctx, cfg, fib, out, bytes);
}

/* The way to the lwAFTR for an IPv4 packet of tot_len bytes: LW_FWD_*, the
 * route's MTU in fib->mtu_result when LW_FWD_TOO_BIG (fib zeroed by the
 * caller). */
static __always_inline int lw_b4_route_to_aftr(struct xdp_md *ctx, const struct lw_b4_config *cfg,
					       struct bpf_fib_lookup *fib, struct lw_out *out,
					       __u32 tot_len, __u64 bytes)
{
	lw_fib_ipv6(fib, cfg->wan_ifindex, IPPROTO_IPIP, tot_len + LW_TUNNEL_HLEN,
		    &cfg->tunnel_addr, &cfg->aftr_addr);
	return lw_b4_route_tunnel(ctx, fib, out, bytes);
}

/* Puts the packet ending at offset end into a frame for out: the start moves
 * by delta and gets an untagged Ethernet header of proto. A packet the kernel
 * gets keeps the addresses it arrived with (P12: read before adjusting).
 * Returns 0, or -1 to drop (drop-headroom counted here). */
static __always_inline int lw_b4_reframe(struct xdp_md *ctx, struct lw_out *out, __u32 end,
					 int delta, __u16 proto, __u64 bytes)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return -1;
	if (out->pass)
		lw_out_as_arrived(out, eth, 0);
	if (lw_reframe(ctx, end, delta)) {
		lw_b4_count(LW_B4_STAT_DROP_ADJUST, bytes);
		return -1;
	}
	return lw_write_l2(ctx, out->dmac, out->smac, 0, proto);
}

/* The IPv4 packet of tot_len bytes at ipv4_off, alone behind an Ethernet
 * header for a LAN host (what was in front of it, the tunnel header
 * included, is cut). Returns 0, or -1 to drop. */
static __always_inline int lw_b4_frame_for_lan(struct xdp_md *ctx, struct lw_out *out,
					       __u32 ipv4_off, __u32 tot_len, __u64 bytes)
{
	__u32 end = ipv4_off + tot_len;

	asm volatile("" : "+r"(end)); /* keep lw_reframe's arithmetic on scalars */
	return lw_b4_reframe(ctx, out, end, (int)ipv4_off - (int)sizeof(struct ethhdr), ETH_P_IP,
			     bytes);
}

/* lw_tunnel_write_ip6 towards the lwAFTR, the addresses copied as 8-byte
 * words (a copy through a void pointer goes byte by byte: 64 instructions). */
static __always_inline void lw_b4_write_ip6(struct ipv6hdr *ip6, const struct lw_b4_config *cfg,
					    __u8 tos, __u16 tot_len)
{
	const __u64 *src = (const __u64 *)&cfg->tunnel_addr, *dst = (const __u64 *)&cfg->aftr_addr;
	__u64 *to = (__u64 *)&ip6->saddr;

	*(__be32 *)ip6 = bpf_htonl(LW_IPV6_VERSION_6 | ((__u32)tos << LW_IPV6_TCLASS_SHIFT));
	ip6->payload_len = bpf_htons(tot_len);
	ip6->nexthdr = IPPROTO_IPIP;
	ip6->hop_limit = cfg->hop_limit;
	to[0] = src[0];
	to[1] = src[1];
	to[2] = dst[0];
	to[3] = dst[1];
}

/* Encapsulates the IPv4 packet of tot_len bytes at l3off towards the lwAFTR
 * (RFC 6333 §7.1: traffic class = tos), counted as sent. Returns 0, or -1
 * to drop. */
static __always_inline int lw_b4_encap(struct xdp_md *ctx, const struct lw_b4_config *cfg,
				       struct lw_out *out, __u32 l3off, __u32 tot_len, __u8 tos,
				       __u64 bytes)
{
	void *data, *data_end;
	struct ipv6hdr *ip6;
	__u32 end = l3off + tot_len;

	asm volatile("" : "+r"(end)); /* keep lw_reframe's arithmetic on scalars */
	if (lw_b4_reframe(ctx, out, end, (int)l3off - (int)(sizeof(struct ethhdr) + sizeof(*ip6)),
			  ETH_P_IPV6, bytes))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	ip6 = data + sizeof(struct ethhdr);
	if ((void *)(ip6 + 1) > data_end)
		return -1;
	lw_b4_write_ip6(ip6, cfg, tos, tot_len);
	lw_b4_count(LW_B4_STAT_SENT_TUNNEL, (__u64)(data_end - data));
	return 0;
}

#endif
