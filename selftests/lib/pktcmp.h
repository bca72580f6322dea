/* SPDX-License-Identifier: GPL-2.0 */
/* Field-by-field comparison of two Ethernet frames, for the conformance
 * runner: "ipv4.ttl: 63 vs 64" says far more than "byte 22 differs".
 *
 * Both frames are dissected (Ethernet, up to two VLAN tags, IPv4, IPv6 and
 * its extension headers, IPv4-in-IPv6, TCP, UDP, ICMPv4, ICMPv6 and the
 * packet quoted in ICMP errors, payload) into named fields compared in order.
 * Field names carry a prefix per nesting level:
 *   "inner."   the packet inside IPv4-in-IPv6 (e.g. "inner.ipv4.ttl",
 *              "inner.tcp.checksum")
 *   "quoted."  the packet quoted by an ICMP error ("quoted.ipv4.dst",
 *              "inner.quoted.udp.dport")
 * Other names: "frame.length", "eth.dst", "eth.src", "eth.type",
 * "vlan.vid" ("vlan2.*" for a second tag), "ipv4.id", "ipv4.checksum",
 * "ipv6.flow_label", "ipv6.payload_len", "ipv6.hop_limit", "ipv6.frag.id",
 * "tcp.flags", "udp.length", "icmp.type", "icmpv6.mtu",
 * "icmp.quote_length", "payload", "eth.padding", ...
 *
 * When the frames stop having the same shape (IPv4 against IPv6, a VLAN tag
 * on one side only, ...) the comparison stops there and reports the field
 * that made them diverge, e.g. "eth.type", followed by a "structure" entry
 * naming the first field that exists on one side only ("(end)" when a frame
 * has no more fields). */
#ifndef LW4O6_TEST_PKTCMP_H
#define LW4O6_TEST_PKTCMP_H

#include <stddef.h>
#include <stdint.h>

/* Fields to ignore. A masked field that differs changes the checksums that
 * cover it, so those checksums are then not compared with the expected frame;
 * instead the actual frame's checksum is recomputed with csum_ref and
 * reported only if it is wrong (expected "valid 0x...."). */
enum {
	/* The outer IPv6 hop limit of an IPv4-in-IPv6 frame. */
	PKTCMP_MASK_OUTER_HOP_LIMIT = 1u << 0,
	/* Every IPv6 flow label, quoted ones included. */
	PKTCMP_MASK_FLOW_LABEL = 1u << 1,
	/* IPv4 Identification and IPv6 fragment-header Identification. */
	PKTCMP_MASK_FRAG_ID = 1u << 2,
	/* In frames carrying an ICMP error: the TTL, hop limit and IPv4 ID of
	 * the headers around the error, and how much of the offending packet
	 * is quoted. Quotes are then compared over their common length, and
	 * the lengths that follow from the quote length are not compared. */
	PKTCMP_MASK_ICMP_GENERATED = 1u << 3,
};

#define PKTCMP_NAME_LEN 64
#define PKTCMP_VALUE_LEN 64

struct pktcmp_diff {
	char field[PKTCMP_NAME_LEN];
	char actual[PKTCMP_VALUE_LEN];
	char expected[PKTCMP_VALUE_LEN];
};

/* Compares the frame actual (alen bytes) with expected (elen bytes),
 * ignoring the PKTCMP_MASK_* fields in mask. Returns the number of
 * differences (0: equal as far as the mask cares) and fills the first
 * max_diffs of them into diffs (which may be NULL when max_diffs is 0).
 * Returns -ENOMEM if the dissection buffers cannot be allocated. */
int pktcmp(const uint8_t *actual, size_t alen, const uint8_t *expected, size_t elen,
	   unsigned int mask, struct pktcmp_diff *diffs, size_t max_diffs);

/* One-line summary of a frame for logs, written into buf and returned, e.g.
 * "eth 22:22:22:22:22:22→44:44:44:44:44:44 ipv6 8:9::f→127::128 hl 255 nh 4 |
 *  ipv4 1.2.3.4→5.6.7.8 ttl 56 tcp 54192→80 A len 52". */
const char *pktcmp_describe(const uint8_t *frame, size_t len, char *buf, size_t buflen);

#endif
