/* SPDX-License-Identifier: GPL-2.0 */
/* Reshaping the frame around a rebuilt packet: trimming, moving the start,
 * writing the link-layer header. Both programs encapsulate and decapsulate
 * in place with these. */
#ifndef LW4O6_BPF_L2_H
#define LW4O6_BPF_L2_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "parse.h"     /* struct lw_vlan_hdr */
#include "testhooks.h" /* lw_adjust_head */

/* Cuts whatever follows the packet ending at offset end (trailing Ethernet
 * padding must not go into a tunnel or out of one), then moves the start of
 * the frame by delta (negative: room for new headers). Returns 0, or -1:
 * the caller counts its drop-headroom. Packet pointers are stale after. */
static __always_inline int lw_reframe(struct xdp_md *ctx, __u32 end, int delta)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	int frame_tail = (int)(data_end - data) - (int)end;

	if (frame_tail > 0 && bpf_xdp_adjust_tail(ctx, -frame_tail))
		return -1;
	return lw_adjust_head(ctx, delta) ? -1 : 0;
}

/* The link-layer header a frame gets: Ethernet, and a tag when vid. */
static __always_inline __u32 lw_l2_hlen(__u16 vid)
{
	return sizeof(struct ethhdr) + (vid ? sizeof(struct lw_vlan_hdr) : 0);
}

/* A MAC address in three 16-bit words: struct ethhdr is packed, so a
 * memcpy into it goes byte by byte (12 loads and 12 stores a frame). src is
 * 2-byte aligned (a struct lw_out's dmac or smac: stack accesses must be
 * aligned); the frame takes unaligned stores. */
static __always_inline void lw_put_mac(void *dst, const __u8 *src)
{
	const __u16 *s = (const __u16 *)src;
	__u16 *d = dst;

	d[0] = s[0];
	d[1] = s[1];
	d[2] = s[2];
}

/* The EtherType (+ an 802.1Q tag when vid) after the MAC addresses of eth. */
static __always_inline int lw_write_l2_type(struct ethhdr *eth, void *data_end, __u16 vid,
					    __u16 proto)
{
	if (vid) {
		struct lw_vlan_hdr *vh = (void *)(eth + 1);

		if ((void *)(vh + 1) > data_end)
			return -1;
		eth->h_proto = bpf_htons(ETH_P_8021Q);
		vh->tci = bpf_htons(vid);
		vh->proto = bpf_htons(proto);
	} else {
		eth->h_proto = bpf_htons(proto);
	}
	return 0;
}

/* Writes Ethernet (+ an 802.1Q tag when vid) at the start of the frame.
 * words (a constant): dmac and smac are 2-byte aligned and go as words
 * (lw_put_mac), else byte by byte. */
static __always_inline int lw_write_l2_as(struct xdp_md *ctx, const __u8 *dmac, const __u8 *smac,
					  __u16 vid, __u16 proto, const int words)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return -1;
	if (words) {
		lw_put_mac(eth->h_dest, dmac);
		lw_put_mac(eth->h_source, smac);
	} else {
		__builtin_memcpy(eth->h_dest, dmac, ETH_ALEN);
		__builtin_memcpy(eth->h_source, smac, ETH_ALEN);
	}
	return lw_write_l2_type(eth, data_end, vid, proto);
}

/* The lwB4's: the byte copy, whose stack its call chain can afford under
 * the verifier's 512-byte limit (the word form took it to 528). */
static __always_inline int lw_write_l2(struct xdp_md *ctx, const __u8 *dmac, const __u8 *smac,
				       __u16 vid, __u16 proto)
{
	return lw_write_l2_as(ctx, dmac, smac, vid, proto, 0);
}

/* The lwAFTR's: dmac and smac in a struct lw_out, 2-byte aligned. */
static __always_inline int lw_write_l2_words(struct xdp_md *ctx, const __u8 *dmac, const __u8 *smac,
					     __u16 vid, __u16 proto)
{
	return lw_write_l2_as(ctx, dmac, smac, vid, proto, 1);
}

#endif
