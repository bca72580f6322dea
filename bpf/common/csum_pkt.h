/* SPDX-License-Identifier: GPL-2.0 */
/* Checksums verified over packet bytes, for the programs that must check a
 * checksum rather than update one (RFC 5508 REQ-3: an ICMP error with a bad
 * checksum is dropped; REQ-3a: so is one whose quoted IPv4 header checksum
 * is bad). Shared by the lwAFTR (AFTR-ICMP-5) and the lwB4 (B4-NAT-15).
 * Each program including this gets its own per-CPU scratch map. */
#ifndef LW4O6_BPF_CSUM_PKT_H
#define LW4O6_BPF_CSUM_PKT_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "csum.h"
#include "parse.h" /* LW_IPV4_HLEN_MAX */

/* RFC 1071 sum over [off, off+len) of the packet, through a per-CPU buffer
 * because bpf_csum_diff needs multiples of four bytes. */
#define LW_CSUM_CHUNK 512 /* bytes loaded and summed at once */

struct lw_csum_scratch {
	__u32 words[LW_CSUM_CHUNK / 4];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lw_csum_scratch);
} lw_scratch SEC(".maps");

#define LW_CSUM_CHUNKS 16 /* 8 KiB: beyond any MTU we forward */

/* 1 when the bytes [off, off+len) sum to LW_CSUM_VERIFIES, i.e. a message
 * carrying its own checksum (ICMPv4: no pseudo-header) verifies. */
static __always_inline int lw_packet_csum_ok(struct xdp_md *ctx, __u64 off, __u64 len)
{
	__u32 key = 0;
	struct lw_csum_scratch *s = bpf_map_lookup_elem(&lw_scratch, &key);
	__s64 sum = 0;

	if (!s)
		return 0;
	for (int i = 0; i < LW_CSUM_CHUNKS; i++) {
		__u64 n, n4, m;

		if (len == 0)
			break;
		n = len > LW_CSUM_CHUNK ? LW_CSUM_CHUNK : len;
		m = n - 1;
		asm volatile("" : "+r"(m)); /* keep both bounds visible to the verifier */
		if (m >= LW_CSUM_CHUNK)
			return 0;
		n4 = (n + 3) & ~3ull; /* whole words for bpf_csum_diff */
		asm volatile("" : "+r"(n4));
		if (n4 > LW_CSUM_CHUNK)
			return 0;
		s->words[((n4 >> 2) - 1) & (LW_CSUM_CHUNK / 4 - 1)] = 0;
		if (bpf_xdp_load_bytes(ctx, off, s, m + 1))
			return 0;
		sum = bpf_csum_diff(0, 0, (__be32 *)s, n4, (__u32)sum);
		off += n;
		len -= n;
	}
	if (len)
		return 0;
	return lw_csum_fold((__u32)sum) == LW_CSUM_VERIFIES;
}

/* 1 when the IPv4 header of hlen bytes (20..60, a multiple of 4) at off
 * verifies: one load into a zeroed stack buffer, one bpf_csum_diff. */
static __always_inline int lw_ipv4_hdr_csum_ok(struct xdp_md *ctx, __u32 off, __u32 hlen)
{
	__u32 w[LW_IPV4_HLEN_MAX / 4] = {};
	__s64 sum;

	if (hlen < sizeof(struct iphdr) || hlen > LW_IPV4_HLEN_MAX || (hlen & 3))
		return 0;
	asm volatile("" : "+r"(hlen)); /* the checked register is the one used */
	if (bpf_xdp_load_bytes(ctx, off, w, hlen))
		return 0;
	sum = bpf_csum_diff(0, 0, (__be32 *)w, hlen, 0);
	return lw_csum_fold((__u32)sum) == LW_CSUM_VERIFIES;
}

/* IPv4 header words without options: IHL 5. */
#define LW_IPV4_VIHL_PLAIN 0x45
#define LW_IPV4_HWORDS     10

/* 1 when the IPv4 header at iph (at offset off; its fixed 20 bytes known to
 * be in the frame, its version 4 and its IHL checked) verifies (RFC 1812
 * §5.2.2: a router drops one that does not). Without options it is summed
 * in place; with them, through lw_ipv4_hdr_csum_ok. The IHL is read again
 * for this, into a register of its own: a branch on the caller's would give
 * the verifier two states (IHL 5 and the rest) for all that follows. */
static __always_inline int lw_ipv4_csum_ok(struct xdp_md *ctx, const struct iphdr *iph, __u32 off)
{
	const __u16 *w = (const __u16 *)iph;
	__u8 vihl = *(const volatile __u8 *)iph;
	__u64 sum = 0;

	if (vihl != LW_IPV4_VIHL_PLAIN)
		return lw_ipv4_hdr_csum_ok(ctx, off, (vihl & 0x0f) * 4);
#pragma unroll
	for (int i = 0; i < LW_IPV4_HWORDS; i++)
		sum += w[i];
	return lw_csum_fold(sum) == LW_CSUM_VERIFIES;
}

#endif
