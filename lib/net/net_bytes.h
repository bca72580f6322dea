/* SPDX-License-Identifier: GPL-2.0 */
/* Big-endian field access for packets and messages held as byte arrays at
 * no particular alignment (captured packets, PCP messages): every field is
 * read and written byte by byte. Header sizes and protocol numbers the
 * user-space packet code names. */
#ifndef LW4O6_NET_BYTES_H
#define LW4O6_NET_BYTES_H

#include <stdint.h>

#define SP_IPV4_HDR       20
#define SP_IPV6_HDR       40
#define SP_ICMP_HDR       8
#define SP_FRAG_HDR       8
#define SP_PROTO_ICMP     1
#define SP_PROTO_IPIP     4
#define SP_PROTO_TCP      6
#define SP_PROTO_UDP      17
#define SP_PROTO_FRAGMENT 44
#define SP_PROTO_ICMPV6   58

static inline uint16_t sp_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t sp_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void sp_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void sp_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif
