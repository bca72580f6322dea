/* SPDX-License-Identifier: GPL-2.0 */
/* TCP MSS clamping (B4-FRAG-4): a segment that fills the IPv4 MTU of a LAN
 * host would not fit in the tunnel, so the MSS option of a SYN or SYN/ACK
 * is lowered to what does, in both directions. */
#ifndef LW4O6_BPF_B4_MSS_H
#define LW4O6_BPF_B4_MSS_H

#include <linux/bpf.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include "lw4o6/b4.h"
#include "csum.h"
#include "tunnel.h"
#include "report.h"

/* TCP options (RFC 9293 §3.1) */
#define LW_TCPOPT_EOL       0
#define LW_TCPOPT_NOP       1
#define LW_TCPOPT_MSS       2
#define LW_TCPOLEN_MSS      4
#define LW_TCP_OPTS_WALKED  8    /* options looked at; the MSS comes first in practice */
#define LW_TCP_OPT_OFF_MASK 0x3f /* an offset within a TCP header (at most 60 bytes) */

/* What a segment carries in the tunnel besides its payload: IPv6, IPv4 and
 * TCP headers without options. The MSS clamp is the tunnel MTU less this. */
#define LW_TUNNEL_MSS_OVERHEAD \
	(LW_TUNNEL_HLEN + (__u32)sizeof(struct iphdr) + (__u32)sizeof(struct tcphdr))

/* Lowers the MSS option of a SYN (or SYN/ACK) to mss_max. Returns 1 when
 * the value was lowered. */
static __always_inline int lw_b4_clamp_mss(void *data, void *data_end, __u32 l4off, __u16 mss_max)
{
	struct tcphdr *th = data + (l4off & LW_L4_OFF_MASK);
	__u32 hlen, off = sizeof(*th);

	if ((void *)(th + 1) > data_end || !th->syn)
		return 0;
	hlen = th->doff * 4;
	/* a bounded loop (not unrolled: clang cannot, with the NOP case) */
	for (int i = 0; i < LW_TCP_OPTS_WALKED; i++) {
		__u8 *o;
		__u16 mss, old_w, new_w;

		if (off + LW_TCPOLEN_MSS > hlen)
			break;
		o = (__u8 *)th + (off & LW_TCP_OPT_OFF_MASK);
		if ((void *)(o + LW_TCPOLEN_MSS) > data_end)
			break;
		if (o[0] == LW_TCPOPT_EOL)
			break;
		if (o[0] == LW_TCPOPT_NOP) {
			off++;
			continue;
		}
		if (o[0] == LW_TCPOPT_MSS && o[1] == LW_TCPOLEN_MSS) {
			mss = ((__u16)o[2] << 8) | o[3];
			if (mss <= mss_max)
				return 0;
			o[2] = mss_max >> 8;
			o[3] = mss_max & 0xff;
			old_w = bpf_htons(mss);
			new_w = bpf_htons(mss_max);
			/* at an odd offset the value straddles two checksum
			 * words: its contribution is byte-swapped */
			if (off & 1) {
				old_w = __builtin_bswap16(old_w);
				new_w = __builtin_bswap16(new_w);
			}
			th->check = lw_csum_replace2(th->check, old_w, new_w);
			return 1;
		}
		if (o[1] < 2) /* a length that would not move on */
			break;
		off += o[1];
	}
	return 0;
}

/* The clamp for a tunnel of IPv6 MTU ipv6_mtu on the TCP segment at l4off,
 * when configured; counted when it lowered the MSS. */
static __always_inline void lw_b4_clamp_mss_for(const struct lw_b4_config *cfg, void *data,
						void *data_end, __u32 l4off, __u32 ipv6_mtu)
{
	if ((cfg->flags & LW_B4_CFG_MSS_CLAMP) && ipv6_mtu > LW_TUNNEL_MSS_OVERHEAD &&
	    lw_b4_clamp_mss(data, data_end, l4off, ipv6_mtu - LW_TUNNEL_MSS_OVERHEAD))
		lw_b4_count(LW_B4_STAT_MSS_CLAMPED, 0);
}

#endif
