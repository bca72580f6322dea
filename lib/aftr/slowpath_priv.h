/* SPDX-License-Identifier: GPL-2.0 */
/* What the slow-path files share and nobody else uses: header parsing of
 * captured packets and assembly of the errors (byte access and the RFC 1071
 * checksum are lib/net's). */
#ifndef LW4O6_SLOWPATH_PRIV_H
#define LW4O6_SLOWPATH_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include "net_bytes.h"
#include "net_csum.h"
#include "slowpath.h"

/* Hop limit of what the slow path tunnels to a B4 when the configuration
 * says 0 (lw_slowpath_cfg, lw_frag_cfg). */
#define SP_DEFAULT_TUNNEL_HOP_LIMIT 64

/* Largest value of an IPv4 total length or IPv6 payload length. */
#define SP_LEN_MAX 65535

/* IPv6 extension headers before a fragment header (RFC 8200 §4), and how
 * many octets of them the slow path walks or keeps. */
#define SP_PROTO_HOPOPTS 0
#define SP_PROTO_ROUTING 43
#define SP_PROTO_DSTOPTS 60
#define SP_IPV6_EXT_MAX  256
/* the fragment header's offset (in octets, 8-aligned) and M flag */
#define SP_IPV6_FRAG_OFFSET 0xfff8
#define SP_IPV6_FRAG_MORE   1

/* IPv4 flags and fragment offset (RFC 791) */
#define SP_IPV4_DF        0x4000
#define SP_IPV4_MF        0x2000
#define SP_IPV4_OFFSET    0x1fff                        /* in 8-octet units */
#define SP_IPV4_FRAG_MASK (SP_IPV4_MF | SP_IPV4_OFFSET) /* any bit: a fragment */
#define SP_IPV4_MIN_MTU   68                            /* RFC 791 */

/* ICMPv4 errors (RFC 792) */
#define SP_ICMP_DEST_UNREACH  3
#define SP_ICMP_HOST_UNREACH  1
#define SP_ICMP_FRAG_NEEDED   4
#define SP_ICMP_TIME_EXCEEDED 11
#define SP_ICMP_EXC_TTL       0

/* The next-hop MTU an ICMPv4 3/4 reports (RFC 1191): in the low 16 bits of
 * the second word, and never below the IPv4 minimum. */
static inline uint32_t sp_next_hop_mtu(uint32_t mtu)
{
	if (mtu < SP_IPV4_MIN_MTU)
		return SP_IPV4_MIN_MTU;
	return mtu > 0xffff ? 0xffff : mtu;
}

/* slowpath_parse.c */

/* An IPv4 packet as far as it was captured. */
struct sp_ipv4 {
	const uint8_t *hdr;
	size_t len; /* bytes of the packet present: tot_len, or less if cut */
	size_t ihl; /* header length in bytes */
	uint8_t proto;
	__be32 src, dst;     /* network order, as on the wire */
	bool later_fragment; /* fragment offset != 0: no transport header */
	bool icmp_error;     /* an ICMP error, or ICMP whose type is not visible */
	__u16 port;          /* the lookup port of the packet's source (see below) */
	__u16 dport;         /* and of its destination */
};

/* Parses the IPv4 packet at p (avail bytes, possibly followed by link-layer
 * padding, which tot_len cuts off). port is what the data plane looks the
 * source up with (bpf/common/parse.h): the TCP/UDP source port, the echo
 * Identifier, for an ICMP error the destination port of its quote (the quote
 * went the other way); 0 otherwise. dport, what it looks the destination up
 * with: the TCP/UDP destination port, the echo Identifier, for an ICMP
 * error the source port of its quote. Returns 0, or -1 when the header is
 * incomplete or inconsistent. */
int sp_parse_ipv4(const uint8_t *p, size_t avail, struct sp_ipv4 *ip);

/* An IPv6 packet after the hop-by-hop and destination options headers (the
 * ones the data plane walks) and a fragment header. */
struct sp_ipv6 {
	const uint8_t *hdr;
	size_t len; /* bytes present: 40 + payload length, or less if cut */
	struct in6_addr src, dst;
	uint8_t nexthdr;     /* the upper-layer protocol */
	size_t l4off;        /* where it starts, from hdr */
	bool fragment;       /* a fragment header: the upper layer is not all here */
	bool later_fragment; /* fragment offset != 0: the upper layer is not here */
};

int sp_parse_ipv6(const uint8_t *p, size_t avail, struct sp_ipv6 *ip);

/* RFC 1812 §4.3.2.7: no ICMPv4 error about this packet? Returns the reason,
 * or LW_SLOWPATH_SENT when an error may be sent. */
enum lw_slowpath_reason sp_icmp4_may_answer(const struct sp_ipv4 *ip);

/* slowpath_build.c */

/* Where an ICMPv4 error goes: straight to the internet, or inside the tunnel
 * from br to b4. */
struct sp_route {
	bool tunnel;
	struct in6_addr b4, br;
};

/* Appends the ICMPv4 error type/code from cfg->ipv4_addr to dst, quoting
 * the qlen bytes at quote as far as the error stays within 576 octets
 * (RFC 1812 §4.3.2.3). rest is the second word of the ICMP header (the
 * RFC 1191 next-hop MTU for 3/4, else 0). Returns the new packet count or
 * -ENOSPC. */
int sp_emit_icmp4(const struct lw_slowpath_cfg *cfg, struct lw_slowpath_out *out,
		  const struct sp_route *rt, __be32 dst, uint8_t type, uint8_t code, uint32_t rest,
		  const uint8_t *quote, size_t qlen);

/* Appends the ICMPv6 error type/code from src to dst quoting the qlen bytes
 * at quote as far as the error stays within 1280 octets (RFC 4443 §2.4 (c)). */
int sp_emit_icmp6(struct lw_slowpath_out *out, const struct in6_addr *src,
		  const struct in6_addr *dst, uint8_t type, uint8_t code, uint32_t rest,
		  const uint8_t *quote, size_t qlen);

/* slowpath_reasm.c, for slowpath_frag.c */

struct lw_reasm;
/* The next IPv6 fragment Identification (then +1). */
uint32_t sp_reasm_next_id6(struct lw_reasm *r);
/* Where a packet whose last fragment came in is put together whole:
 * LW_FRAG_PKT_MAX octets of the reassembly state, so that the slow path
 * keeps no buffer of its own. */
uint8_t *sp_reasm_buf(struct lw_reasm *r);

/* Starts a builder's output: no packet yet. */
static inline void sp_out_begin(struct lw_slowpath_out *out)
{
	out->n = 0;
	out->reason = LW_SLOWPATH_SENT;
}

/* Whether the lwAFTR sends ICMPv4 errors at all: generate-icmpv4-errors on
 * and an address to send them from. LW_SLOWPATH_SENT, or why not. */
static inline enum lw_slowpath_reason sp_icmp4_enabled(const struct lw_slowpath_cfg *cfg)
{
	if (!cfg->icmpv4_errors)
		return LW_SLOWPATH_DISABLED;
	if (cfg->ipv4_addr == 0)
		return LW_SLOWPATH_NO_SOURCE;
	return LW_SLOWPATH_SENT;
}

/* Records why nothing was sent and returns 0, for "return sp_none(...)". */
static inline int sp_none(struct lw_slowpath_out *out, enum lw_slowpath_reason r)
{
	out->reason = r;
	return 0;
}

#endif
