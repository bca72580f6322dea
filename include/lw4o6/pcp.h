/* SPDX-License-Identifier: GPL-2.0 */
/* Where PCP lives in an lw4o6 softwire: the addresses and ports both data
 * planes and both roles of pcpd agree on. Host byte order; the BPF programs
 * wrap them in bpf_htonl()/bpf_htons(), user space in htonl()/htons(). */
#ifndef LW4O6_PCP_H
#define LW4O6_PCP_H

/* The PCP server inside the softwire (RFC 6333 §5.7: the AFTR's
 * well-known address, which RFC 7596 lwAFTRs keep). */
#define LW_PCP_SERVER_ADDR 0xc0000001u /* 192.0.0.1 */
/* The lwB4's own address inside the softwire for its PCP client. */
#define LW_PCP_B4_CLIENT_ADDR 0xc0000002u /* 192.0.0.2 */
/* Unsolicited ANNOUNCE to every host of a link (RFC 6887 §14.1.1). */
#define LW_PCP_ALL_HOSTS 0xe0000001u /* 224.0.0.1 */

#define LW_PCP_SERVER_PORT 5351 /* RFC 6887 §19.1 */
#define LW_PCP_CLIENT_PORT 5350 /* RFC 6887 §19.1: unsolicited ANNOUNCE destination */

#endif
