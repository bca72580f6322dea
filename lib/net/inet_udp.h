/* SPDX-License-Identifier: GPL-2.0 */
/* The IPv4/UDP datagrams PCP travels in inside the softwire: parsed from
 * what the raw IPv6 socket of protocol 4 delivers, and built for replies. */
#ifndef LW4O6_INET_UDP_H
#define LW4O6_INET_UDP_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

struct inet_udp {
	__be32 src, dst;
	uint16_t sport, dport; /* host order */
	const uint8_t *payload;
	size_t len; /* payload bytes */
};

/* Accepts an IPv4 packet carrying a whole UDP datagram (not a fragment) with
 * valid header and UDP checksums (0 = none). 0, or -EBADMSG with a reason. */
int inet_udp_parse(const uint8_t *pkt, size_t len, struct inet_udp *out, const char **why);

/* Writes IPv4 (TTL 64, DF, ID 0) + UDP around payload into out; returns the
 * packet length or -ENOSPC. */
int inet_udp_build(__be32 src, __be32 dst, uint16_t sport, uint16_t dport, const void *payload,
		   size_t len, uint8_t *out, size_t cap);

#endif
