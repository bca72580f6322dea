/* SPDX-License-Identifier: GPL-2.0 */
/* The lwB4's slow path: what pcpd --role b4 does with the too-big and TTL
 * events of the lwB4 data plane (include/lw4o6/b4.h). Pure functions --
 * event in, at most one packet out -- so that the unit tests run exactly
 * the code pcpd runs; pcpd owns the sockets (pcpd/b4/b4.c).
 *
 *   LW_B4_EV_TOO_BIG_DF   ICMPv4 3/4 to the LAN host, next-hop MTU = the
 *                         event's MTU (B4-FRAG-2; RFC 1191, RFC 2473 §7.2)
 *   LW_B4_EV_TTL_EXPIRED  from the LAN: ICMPv4 11/0 to the LAN host
 *                         (RFC 1812 §5.3.1); from the WAN: nothing (the
 *                         error would have to go back through the NAPT and
 *                         the tunnel)
 *   LW_B4_EV_FRAG_NEEDED  the packet the data plane already translated, to
 *                         be sent inside IPv6 to the lwAFTR, the IPv6
 *                         packet fragmented at the tunnel MTU (B4-FRAG-1,
 *                         RFC 2473 §7.1; the inner IPv4 packet never is).
 *                         Only whole packets: a capture shorter than the
 *                         IPv4 total length is refused.
 *
 * The fragments are built here (b4_slow_fragment), not by the kernel: a
 * raw IPv6 socket fragments only above the route's MTU, whatever IPV6_MTU
 * says (ip6_finish_output compares with the route's MTU; IPV6_MTU only
 * sizes the fragments once it does), and the tunnel MTU is usually below
 * the link's.
 *
 * The errors come from the lwB4's LAN address, quote the original packet
 * as far as the error stays within 576 octets (RFC 1812 §4.3.2.3) and are
 * never sent about an ICMP error, a fragment other than the first, a packet
 * to a broadcast or multicast address or from an address that is not one
 * host (RFC 1812 §4.3.2.7). */
#ifndef LW4O6_B4_SLOW_H
#define LW4O6_B4_SLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include <netinet/in.h>
#include "lw4o6/b4.h"
#include "net_bytes.h"
#include "net_frag.h"
#include "rate_bucket.h"

#define B4_SLOW_ICMP_MAX 576 /* RFC 1812 §4.3.2.3 */

enum b4_slow_reason {
	B4_SLOW_OK = 0,
	B4_SLOW_ERROR_ABOUT_ERROR, /* the packet is an ICMP error (or its type is unseen) */
	B4_SLOW_NOT_FIRST_FRAGMENT,
	B4_SLOW_TO_BROADCAST,   /* destination multicast or broadcast */
	B4_SLOW_BAD_SOURCE,     /* source not one host */
	B4_SLOW_MALFORMED,      /* captured packet cut short or inconsistent */
	B4_SLOW_TRUNCATED,      /* FRAG_NEEDED: the capture holds less than the packet */
	B4_SLOW_NO_LAN_ADDRESS, /* the lwB4 has no LAN address to send from */
	B4_SLOW_FROM_WAN,       /* TTL expired on the way in: not answered */
	B4_SLOW_NOT_MINE,       /* another event type (pool, binding) */
	B4_SLOW_REASON_MAX,
};

enum b4_slow_kind {
	B4_SLOW_NONE = 0,
	B4_SLOW_ICMP_TO_LAN, /* pkt: IPv4 + ICMPv4, to dst (IPPROTO_RAW socket) */
	B4_SLOW_TO_TUNNEL,   /* pkt: the translated IPv4 packet, inside IPv6 to the lwAFTR */
};

/* The lwB4's LAN side, from its configuration map (lw_b4_cfg). */
struct b4_slow_lan {
	__be32 addr;       /* errors come from here; 0 = none */
	uint8_t prefixlen; /* its network and broadcast address are no host */
};

struct b4_slow_out {
	enum b4_slow_kind kind;
	enum b4_slow_reason why; /* B4_SLOW_OK when kind != NONE */
	__be32 dst;              /* ICMP_TO_LAN: the LAN host */
	uint8_t tos;             /* TO_TUNNEL: the inner TOS (outer traffic class) */
	uint32_t mtu;            /* TO_TUNNEL: the tunnel's IPv6 MTU */
	size_t len;
	uint8_t pkt[LW_B4_EVENT_MAX_CAPTURE];
};

/* RFC 1812 §4.3.2.7 on the offending IPv4 packet (len bytes captured from
 * its header on): B4_SLOW_OK when an error may be sent about it. */
enum b4_slow_reason b4_slow_may_answer(const struct b4_slow_lan *lan, const uint8_t *pkt,
				       size_t len);

/* Writes the ICMPv4 error type/code from lan->addr to the source of pkt
 * into out (cap bytes, at least B4_SLOW_ICMP_MAX), rest being the second
 * word of the ICMP header (3/4: the next-hop MTU in its low 16 bits).
 * Returns the length, or 0 with *why set when no error may be sent. */
size_t b4_slow_icmp4(const struct b4_slow_lan *lan, uint8_t type, uint8_t code, uint32_t rest,
		     const uint8_t *pkt, size_t len, uint8_t *out, size_t cap,
		     enum b4_slow_reason *why);

/* One ring-buffer record (size bytes) into at most one packet. Returns 0
 * (out->kind says what, out->why why not), or -EINVAL for a record shorter
 * than its head or claiming more capture than it holds. */
int b4_slow_event(const struct b4_slow_lan *lan, const void *rec, size_t size,
		  struct b4_slow_out *out);

const char *b4_slow_reason_name(enum b4_slow_reason r);

/* The IPv6 packets carrying an IPv4 packet of up to LW_B4_EVENT_MAX_CAPTURE
 * octets to the lwAFTR: one, or fragments of at most mtu octets (mtu below
 * 1280 counts as 1280, RFC 8200 §5). */
#define B4_SLOW_FRAGS_MAX  4
#define B4_SLOW_FRAG_BYTES (SP_IPV6_HDR + SP_FRAG_HDR + LW_B4_EVENT_MAX_CAPTURE)

struct b4_slow_frags {
	size_t n;
	size_t len[B4_SLOW_FRAGS_MAX];
	uint8_t pkt[B4_SLOW_FRAGS_MAX][B4_SLOW_FRAG_BYTES];
	struct lw_frag_out work; /* the fragmenter's (net_frag.h), in the caller's memory */
};

/* Encapsulates pkt (len octets, an IPv4 packet) from src to dst with
 * traffic class tclass and hop limit hl: a single IPv6 packet (next header
 * 4) when 40 + len <= mtu, else fragments (RFC 8200 §4.5: Fragment header,
 * next header 4, identification id, every fragment but the last a multiple
 * of 8 octets of payload). Returns 0 or -EMSGSIZE (len too large). */
int b4_slow_fragment(const struct in6_addr *src, const struct in6_addr *dst, uint8_t tclass,
		     uint8_t hl, uint32_t id, const uint8_t *pkt, size_t len, uint32_t mtu,
		     struct b4_slow_frags *out);

/* icmp-rate: errors to LAN hosts per second, as a token bucket as deep as
 * one second of them (rate_bucket.h); 0 = none. */
void b4_slow_rate_init(struct lw_rate_bucket *rl, uint32_t per_s, uint64_t now_ns);
bool b4_slow_rate_allow(struct lw_rate_bucket *rl, uint64_t now_ns);

#endif
