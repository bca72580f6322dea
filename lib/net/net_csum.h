/* SPDX-License-Identifier: GPL-2.0 */
/* RFC 1071 Internet checksum for the packets user space builds. */
#ifndef LW4O6_NET_CSUM_H
#define LW4O6_NET_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* Sums big-endian 16-bit words into an unfolded accumulator (an odd
 * trailing byte is the high half of a word). */
uint32_t sp_csum_add(const void *data, size_t len, uint32_t acc);
/* Folds and complements: the value to store. */
uint16_t sp_csum_final(uint32_t acc);
/* Recomputes the header checksum of the IPv4 header at ip (ihl bytes). */
void sp_ipv4_hdr_csum(uint8_t *ip, size_t ihl);

#endif
