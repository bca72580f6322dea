// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>

#include "inet_udp.h"

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t acc)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		acc += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		acc += (uint32_t)p[len - 1] << 8;
	return acc;
}

static uint16_t fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

static uint16_t udp_sum(const uint8_t *ip, const uint8_t *udp, size_t udplen)
{
	uint32_t acc = sum16(ip + 12, 8, 0); /* source and destination */

	acc += 17 + (uint32_t)udplen;
	return fold(sum16(udp, udplen, acc));
}

int inet_udp_parse(const uint8_t *pkt, size_t len, struct inet_udp *out, const char **why)
{
	size_t ihl, tot, ulen;
	const uint8_t *udp;

	*why = NULL;
	if (len < 20 || (pkt[0] >> 4) != 4)
		return *why = "not IPv4", -EBADMSG;
	ihl = (size_t)(pkt[0] & 15) * 4;
	tot = (size_t)(pkt[2] << 8 | pkt[3]);
	if (ihl < 20 || tot < ihl + 8 || tot > len)
		return *why = "bad IPv4 lengths", -EBADMSG;
	if (fold(sum16(pkt, ihl, 0)) != 0xffff)
		return *why = "bad IPv4 header checksum", -EBADMSG;
	if ((pkt[6] & 0x3f) || pkt[7])
		return *why = "fragment", -EBADMSG;
	if (pkt[9] != 17)
		return *why = "not UDP", -EBADMSG;
	udp = pkt + ihl;
	ulen = (size_t)(udp[4] << 8 | udp[5]);
	if (ulen < 8 || ulen > tot - ihl)
		return *why = "bad UDP length", -EBADMSG;
	if ((udp[6] || udp[7]) && fold(udp_sum(pkt, udp, ulen)) != 0xffff)
		return *why = "bad UDP checksum", -EBADMSG;
	memcpy(&out->src, pkt + 12, 4);
	memcpy(&out->dst, pkt + 16, 4);
	out->sport = (uint16_t)(udp[0] << 8 | udp[1]);
	out->dport = (uint16_t)(udp[2] << 8 | udp[3]);
	out->payload = udp + 8;
	out->len = ulen - 8;
	return 0;
}

int inet_udp_build(__be32 src, __be32 dst, uint16_t sport, uint16_t dport, const void *payload,
		   size_t len, uint8_t *out, size_t cap)
{
	size_t tot = 28 + len;
	uint8_t *udp = out + 20;
	uint16_t c;

	if (tot > cap || tot > 65535)
		return -ENOSPC;
	memset(out, 0, 28);
	out[0] = 0x45;
	out[2] = (uint8_t)(tot >> 8);
	out[3] = (uint8_t)tot;
	out[6] = 0x40; /* DF */
	out[8] = 64;
	out[9] = 17;
	memcpy(out + 12, &src, 4);
	memcpy(out + 16, &dst, 4);
	c = (uint16_t)~fold(sum16(out, 20, 0));
	out[10] = (uint8_t)(c >> 8);
	out[11] = (uint8_t)c;
	udp[0] = (uint8_t)(sport >> 8);
	udp[1] = (uint8_t)sport;
	udp[2] = (uint8_t)(dport >> 8);
	udp[3] = (uint8_t)dport;
	udp[4] = (uint8_t)((len + 8) >> 8);
	udp[5] = (uint8_t)(len + 8);
	memcpy(udp + 8, payload, len);
	c = (uint16_t)~fold(udp_sum(out, udp, len + 8));
	if (c == 0)
		c = 0xffff; /* RFC 768: a computed 0 is sent as all ones */
	udp[6] = (uint8_t)(c >> 8);
	udp[7] = (uint8_t)c;
	return (int)tot;
}
