/* SPDX-License-Identifier: GPL-2.0 */
/* Fragmentation of whole packets: IPv4 (RFC 791: 8-octet multiples, ID
 * kept, options copied when their copy flag is set) and IPv6 with one
 * 40-octet header (RFC 8200 §4.5, RFC 2473 §7.1). What comes out is a list
 * of IP packets for raw sockets in one buffer. */
#ifndef LW4O6_NET_FRAG_H
#define LW4O6_NET_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#define LW_FRAG_OUT_MAX 64          /* packets out of one event */
#define LW_FRAG_BUF_MAX (96 * 1024) /* their bytes, headers included */

/* Which raw socket a packet leaves by. */
enum lw_net_family {
	LW_NET_IPV6 = 1,
	LW_NET_IPV4 = 2,
};

struct lw_frag_pkt {
	__u8 dest;      /* enum lw_net_family: which raw socket it leaves by */
	__u8 icmp;      /* an ICMP error: counts against the ICMP rate limits (kind) */
	__u8 kind;      /* enum lw_slowpath_kind when icmp */
	__u8 fragment;  /* a fragment made here */
	__u32 off, len; /* in buf */
};

struct lw_frag_out {
	unsigned n;
	int reason; /* 0 (sent), or the user's reason why nothing was */
	size_t used;
	struct lw_frag_pkt pkt[LW_FRAG_OUT_MAX];
	uint8_t buf[LW_FRAG_BUF_MAX];
};

static inline void lw_frag_out_init(struct lw_frag_out *o)
{
	o->n = 0;
	o->reason = 0;
	o->used = 0;
}

/* Fragments the IPv4 packet at pkt into out for mtu (RFC 791: 8-octet
 * multiples, ID kept, options copied when their copy flag is set). A packet
 * within mtu is appended whole. -EMSGSIZE when DF is set and it does not
 * fit, -ENOSPC when out is full, -EINVAL for a bad packet; else the number
 * of packets appended. */
int lw_frag_ipv4(const uint8_t *pkt, size_t len, unsigned mtu, __u8 dest, struct lw_frag_out *out);
/* Fragments the IPv6 packet at pkt (40-octet header, no extension headers)
 * for mtu with a fragment header of Identification id. Whole when it fits. */
int lw_frag_ipv6(const uint8_t *pkt, size_t len, unsigned mtu, uint32_t id,
		 struct lw_frag_out *out);

/* Room for one more packet of len bytes at the end of out (dest: enum
 * lw_net_family; fragment: made here); NULL when out is full. */
uint8_t *lw_frag_out_add(struct lw_frag_out *out, size_t len, __u8 dest, bool fragment);

#endif
