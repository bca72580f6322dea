/* SPDX-License-Identifier: GPL-2.0 */
/* Checksum arithmetic for the data plane. Every result is re-verified in the
 * selftests by an independent RFC 1071 implementation (selftests/lib). */
#ifndef LW4O6_BPF_CSUM_H
#define LW4O6_BPF_CSUM_H

#include <linux/types.h>
#include <bpf/bpf_endian.h>

/* What the folded sum of data that carries its own checksum is when the
 * checksum verifies (RFC 1071: all ones). */
#define LW_CSUM_VERIFIES 0xffff

/* A UDP checksum that computes to 0 is sent as all ones: 0 in the field
 * means "no checksum" (RFC 768). */
#define LW_UDP_CSUM_ZERO_SENT 0xffff

/* Folds until no carry is left: a single fold is wrong about once in 10^5. */
static __always_inline __u16 lw_csum_fold(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), for one 16-bit field. */
static __always_inline __u16 lw_csum_replace2(__u16 check, __u16 old, __u16 new)
{
	__u64 sum = (__u16)~check;

	sum += (__u16)~old;
	sum += new;
	return ~lw_csum_fold(sum);
}

/* TTL decrement with the header checksum fixed up in place. The constant is
 * byte-order neutral: the TTL is the high byte of its 16-bit word. */
static __always_inline void lw_ipv4_ttl_dec(struct iphdr *iph)
{
	__u32 check = iph->check;

	check += bpf_htons(0x0100);
	iph->check = (__sum16)(check + (check >= 0xFFFF));
	iph->ttl--;
}

#endif
