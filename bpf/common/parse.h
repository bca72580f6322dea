/* SPDX-License-Identifier: GPL-2.0 */
/* Header parsing for the data plane: every access is bounds-checked against
 * data_end first, offsets are bounded so that the verifier can follow them. */
#ifndef LW4O6_BPF_PARSE_H
#define LW4O6_BPF_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/icmpv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>

#define LW_IPV6_EXT_MAX 4   /* extension headers walked */
#define LW_EXT_MAX_LEN  256 /* longest IPv6 extension chain we walk */

/* Offsets into the frame are masked to a power-of-two bound before a
 * pointer is made of them, so that the verifier knows their range without
 * following the arithmetic behind them. Each bound is above any offset that
 * header has in a packet we handle. */
#define LW_L3_OFF_MASK    0xff  /* the network header: after Ethernet and one tag */
#define LW_INNER_OFF_MASK 0x1ff /* an inner IPv4 header: + IPv6 + the chain walked */
#define LW_L4_OFF_MASK    0x3ff /* an extension or transport header, or a quoted one */

#define LW_VLAN_VID_MASK 0x0fff /* 802.1Q TCI: the VLAN identifier */

/* IHL counts 32-bit words: a header is 20..60 bytes, a multiple of 4. */
#define LW_IPV4_HLEN_MAX  60
#define LW_IPV4_HLEN_MASK 0x3c

/* <linux/icmp.h> drags in libc's socket headers, which do not build for
 * -target bpf; the few ICMPv4 definitions we need are these. */
/* IPv4 flags, kernel-internal in <net/ip.h> */
#define IP_DF     0x4000
#define IP_MF     0x2000
#define IP_OFFSET 0x1fff

#define ICMP_ECHOREPLY     0
#define ICMP_DEST_UNREACH  3
#define ICMP_ECHO          8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAMETERPROB 12

struct icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	union {
		struct {
			__be16 id;
			__be16 sequence;
		} echo;
		__be32 gateway;
	} un;
};

struct lw_vlan_hdr {
	__be16 tci;
	__be16 proto;
};

struct lw_l2 {
	__u16 eth_proto; /* host order, after any tag */
	__u16 vid;       /* 0 when untagged */
	__u32 l3off;
};

/* Ethernet with at most one 802.1Q tag; QinQ and others are not lw4o6 work.
 * Returns 0, or -1 when the frame is not something we parse. */
static __always_inline int lw_parse_l2(void *data, void *data_end, struct lw_l2 *l2)
{
	struct ethhdr *eth = data;
	__u16 proto;

	if ((void *)(eth + 1) > data_end)
		return -1;
	proto = bpf_ntohs(eth->h_proto);
	l2->vid = 0;
	l2->l3off = sizeof(*eth);
	if (proto == ETH_P_8021Q) {
		struct lw_vlan_hdr *vh = (void *)(eth + 1);

		if ((void *)(vh + 1) > data_end)
			return -1;
		l2->vid = bpf_ntohs(vh->tci) & LW_VLAN_VID_MASK;
		proto = bpf_ntohs(vh->proto);
		l2->l3off += sizeof(*vh);
		if (proto == ETH_P_8021Q || proto == ETH_P_8021AD)
			return -1;
	}
	l2->eth_proto = proto;
	return 0;
}

/* Whether the IPv4 header at iph (its fixed part known to be in the frame)
 * is well formed and the whole packet it announces is in the frame; its
 * header length and total length in *ihl and *tot_len either way. */
static __always_inline int lw_ipv4_whole(const struct iphdr *iph, void *data_end, __u32 *ihl,
					 __u32 *tot_len)
{
	*ihl = iph->ihl * 4;
	*tot_len = bpf_ntohs(iph->tot_len);
	return iph->version == 4 && *ihl >= sizeof(*iph) && *tot_len >= *ihl &&
	       (void *)iph + *tot_len <= data_end;
}

/* Whether the IPv6 packet whose fixed header ip6 is at l3off of a frame of
 * frame_len bytes is all there: 40 + Payload Length bytes (RFC 8200 §3).
 * Bytes after it are link padding, no part of it; one that announces more
 * than the frame holds is truncated, and what it carries is no whole
 * packet, however whole that looks (the kernel drops such a packet too). */
static __always_inline int lw_ipv6_whole(const struct ipv6hdr *ip6, __u32 l3off, __u32 frame_len)
{
	__u32 end = l3off + sizeof(*ip6) + bpf_ntohs(ip6->payload_len);

	asm volatile("" : "+r"(end)); /* a bound on a copy: see lw_parse_l4 */
	return end <= frame_len;
}

/* 224.0.0.0 and above: multicast (class D), class E and the limited
 * broadcast, never a unicast destination. */
#define LW_IPV4_MULTICAST_BASE 0xe0000000u

static __always_inline int lw_ipv4_multicast_or_above(__be32 addr)
{
	return bpf_ntohl(addr) >= LW_IPV4_MULTICAST_BASE;
}

/* A fragment, not a whole packet: more follow, or it is not the first. */
static __always_inline int lw_ipv4_is_fragment(const struct iphdr *iph)
{
	return (iph->frag_off & bpf_htons(IP_MF | IP_OFFSET)) != 0;
}

/* The IPv6 fragment header (RFC 8200 §4.5). */
struct lw_ipv6_frag_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off; /* offset in 8-octet units << 3, then two reserved bits and M */
	__be32 id;
};

#define LW_IPV6_FRAG_OFFSET 0xfff8

/* The kinds of extension header lw_ipv6_walk_ext passes over. */
#define LW_EXT_OPTIONS  0x1 /* hop-by-hop and destination options */
#define LW_EXT_ROUTING  0x2
#define LW_EXT_FRAGMENT 0x4

static __always_inline int lw_ipv6_ext_walked(__u8 nh, __u32 walk)
{
	return ((walk & LW_EXT_OPTIONS) && (nh == IPPROTO_HOPOPTS || nh == IPPROTO_DSTOPTS)) ||
	       ((walk & LW_EXT_ROUTING) && nh == IPPROTO_ROUTING) ||
	       ((walk & LW_EXT_FRAGMENT) && nh == IPPROTO_FRAGMENT);
}

/* Past the extension headers of the kinds in walk (LW_EXT_*) behind the
 * IPv6 header at l3off: *nexthdr (on entry the IPv6 header's) and *off name
 * the first header of another kind. Returns 0, or -1 when the chain is cut
 * short, longer than we walk, or goes on inside a later fragment (what
 * follows its fragment header is no header): what it ends in is unknown,
 * and the kernel, which walks any chain, might find anything there. */
static __always_inline int lw_ipv6_walk_ext(void *data, void *data_end, __u32 l3off, __u32 walk,
					    __u8 *nexthdr, __u32 *off)
{
	__u8 nh = *nexthdr;
	__u32 o = l3off + sizeof(struct ipv6hdr);

#pragma unroll
	for (int i = 0; i < LW_IPV6_EXT_MAX; i++) {
		struct ipv6_opt_hdr *h;

		if (!lw_ipv6_ext_walked(nh, walk))
			break;
		h = data + (o & LW_L4_OFF_MASK);
		if ((void *)(h + 1) > data_end)
			return -1;
		if (nh == IPPROTO_FRAGMENT) {
			struct lw_ipv6_frag_hdr *fh = (void *)h;

			if ((void *)(fh + 1) > data_end)
				return -1;
			nh = fh->nexthdr;
			o += sizeof(*fh);
			if ((fh->frag_off & bpf_htons(LW_IPV6_FRAG_OFFSET)) &&
			    lw_ipv6_ext_walked(nh, walk))
				return -1;
			continue;
		}
		nh = h->nexthdr;
		o += (h->hdrlen + 1) * 8; /* in 8-byte units, the first not counted */
	}
	if (lw_ipv6_ext_walked(nh, walk) || o > l3off + sizeof(struct ipv6hdr) + LW_EXT_MAX_LEN)
		return -1;
	*nexthdr = nh;
	*off = o;
	return 0;
}

/* Where the layer-4 "port" of an IPv4 packet comes from. */
struct lw_l4 {
	__u16 sport; /* host order; TCP/UDP port, ICMP echo Identifier */
	__u16 dport;
	__u8 has_ports; /* 0 for protocols without ports (GRE, ESP, …) */
	__u8 icmp_type;
	__u8 icmp_error; /* an ICMP error: the ports come from the quote */
	__u8 reserved;
};

static __always_inline int lw_icmp_is_error(__u8 type)
{
	return type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED ||
	       type == ICMP_PARAMETERPROB;
}

/* The fixed part of a TCP header, and what its Data Offset (32-bit words)
 * may say. */
#define LW_TCP_HLEN_MIN 20u

/* Ports of the transport header at l4off of an IPv4 packet that ends at
 * offset end (its Total Length: what trails it, Ethernet padding or not, is
 * no part of it). For ICMP errors the ports are those of the quoted packet,
 * swapped into the perspective of the outer packet: the quote is a packet
 * that went the other way (RFC 5508 REQ-3); a quoted later fragment has
 * none (has_ports 0: what lies there is data, not a transport header).
 * quoted_src / quoted_dst receive the quoted addresses for the caller to
 * check. Returns 0, or -1 when a
 * header is cut short by end: the transport header whole (TCP with its
 * options, which the lwB4 rewrites), a quote as far as its ports (RFC 792:
 * 8 bytes of it may be all there is). data_end bounds every access for the
 * verifier; end, which the caller has checked against it, for the packet. */
static __always_inline int lw_parse_l4(void *data, void *data_end, __u32 l4off, __u32 end,
				       __u8 proto, struct lw_l4 *l4, __be32 *quoted_src,
				       __be32 *quoted_dst)
{
	l4->has_ports = 0;
	l4->icmp_error = 0;
	l4->icmp_type = 0;
	l4->sport = l4->dport = 0;
	l4off &= LW_L4_OFF_MASK;
	/* end is the caller's offset + Total Length: compared as it is, the
	 * compiler cancels the offset and bounds the caller's Total Length and
	 * IHL registers instead, whose narrowed ranges the verifier then keeps
	 * apart in every later state (prog-b4 went from 212k to 323k
	 * processed instructions) */
	asm volatile("" : "+r"(end));

	/* each bound against end first, then against data_end right before
	 * the loads: the compiler keeps those on the register it checked */
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = data + l4off;
		__u32 hlen;

		asm volatile("" : "+r"(th)); /* never rebuilt from data after the check */
		if (l4off + LW_TCP_HLEN_MIN > end || (void *)(th + 1) > data_end)
			return -1;
		l4->sport = bpf_ntohs(th->source);
		l4->dport = bpf_ntohs(th->dest);
		hlen = th->doff * 4;
		if (hlen < LW_TCP_HLEN_MIN || l4off + hlen > end)
			return -1;
		l4->has_ports = 1;
		return 0;
	}
	if (proto == IPPROTO_UDP) {
		struct udphdr *uh = data + l4off;

		if (l4off + sizeof(*uh) > end || (void *)(uh + 1) > data_end)
			return -1;
		l4->sport = bpf_ntohs(uh->source);
		l4->dport = bpf_ntohs(uh->dest);
		l4->has_ports = 1;
		return 0;
	}
	if (proto == IPPROTO_ICMP) {
		struct icmphdr *icmp = data + l4off;
		struct iphdr *q;
		__u32 qoff;

		if (l4off + sizeof(*icmp) > end || (void *)(icmp + 1) > data_end)
			return -1;
		l4->icmp_type = icmp->type;
		if (icmp->type == ICMP_ECHO || icmp->type == ICMP_ECHOREPLY) {
			l4->sport = l4->dport = bpf_ntohs(icmp->un.echo.id);
			l4->has_ports = 1;
			return 0;
		}
		if (!lw_icmp_is_error(icmp->type))
			return 0;
		l4->icmp_error = 1;
		q = (void *)(icmp + 1);
		if (l4off + sizeof(*icmp) + sizeof(*q) > end || (void *)(q + 1) > data_end)
			return -1;
		if (q->version != 4 || q->ihl < 5)
			return -1;
		*quoted_src = q->saddr;
		*quoted_dst = q->daddr;
		/* a later fragment: its first bytes are data, no port */
		if (q->frag_off & bpf_htons(IP_OFFSET))
			return 0;
		qoff = (l4off + sizeof(*icmp) + q->ihl * 4) & LW_L4_OFF_MASK;
		if (q->protocol == IPPROTO_TCP || q->protocol == IPPROTO_UDP) {
			__be16 *qp = data + qoff;

			if (qoff + 2 * sizeof(*qp) > end || (void *)(qp + 2) > data_end)
				return -1;
			/* the quote went the other way: its source port is our
			 * destination port and vice versa */
			l4->sport = bpf_ntohs(qp[1]);
			l4->dport = bpf_ntohs(qp[0]);
			l4->has_ports = 1;
		} else if (q->protocol == IPPROTO_ICMP) {
			struct icmphdr *qi = data + qoff;

			if (qoff + sizeof(*qi) > end || (void *)(qi + 1) > data_end)
				return -1;
			if (qi->type == ICMP_ECHO || qi->type == ICMP_ECHOREPLY) {
				l4->sport = l4->dport = bpf_ntohs(qi->un.echo.id);
				l4->has_ports = 1;
			}
		}
		return 0;
	}
	return 0;
}

#endif
