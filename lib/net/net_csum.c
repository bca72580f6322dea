// SPDX-License-Identifier: GPL-2.0
/* RFC 1071 Internet checksum for the packets user space builds. Written
 * independently of bpf/common/csum.h (incremental updates) and of the tests'
 * selftests/lib/csum_ref.c, which checks these results. */
#include "net_csum.h"

uint32_t sp_csum_add(const void *data, size_t len, uint32_t acc)
{
	const uint8_t *p = data;
	uint64_t sum = acc;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	/* fold into 32 bits so that the caller may keep adding */
	while (sum >> 32)
		sum = (sum & 0xffffffffu) + (sum >> 32);
	return (uint32_t)sum;
}

uint16_t sp_csum_final(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

void sp_ipv4_hdr_csum(uint8_t *ip, size_t ihl)
{
	ip[10] = 0;
	ip[11] = 0;
	uint16_t c = sp_csum_final(sp_csum_add(ip, ihl, 0));
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
}
