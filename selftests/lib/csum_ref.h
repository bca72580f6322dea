/* SPDX-License-Identifier: GPL-2.0 */
/* Reference RFC 1071 Internet checksum, written the slow and obvious way.
 *
 * The data plane updates checksums incrementally (RFC 1624); this file
 * recomputes them from scratch so tests can tell whether those updates are
 * right. It must not share code with bpf/: a bug copied into both would
 * hide itself.
 *
 * Byte order: the 16-bit words of a packet are read big-endian (bytes
 * 0x12 0x34 are the number 0x1234) on every host, so every uint16_t returned
 * here is the checksum *as a number*, i.e. what get_be16() or ntohs() of the
 * stored field gives. Write it with put_be16() or htons(). The RFC 1071
 * example bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2 and their checksum,
 * 0x220d, is stored as the bytes 22 0d. */
#ifndef LW4O6_TEST_CSUM_REF_H
#define LW4O6_TEST_CSUM_REF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

/* Adds data to the one's-complement accumulator acc and returns the new,
 * unfolded accumulator. A trailing odd byte counts as the high byte of a word
 * whose low byte is zero, so only the last piece of a message may have an odd
 * length when a sum is built from several pieces. */
uint32_t ref_sum_partial(const void *data, size_t len, uint32_t acc);

/* Folds an accumulator to 16 bits, adding the carries back in until none is
 * left. This is the sum, not its complement. */
uint16_t ref_fold(uint32_t acc);

/* The checksum to store for data whose checksum field reads zero:
 * ~fold(sum(data)). Over data that already holds a correct checksum it
 * returns 0, which is how a receiver verifies. */
uint16_t ref_csum(const void *data, size_t len);

/* Pseudo-header sums (unfolded) for TCP, UDP and ICMPv6.
 * IPv4 (RFC 793 §3.1, RFC 768): source, destination, zero, protocol, L4
 * length; saddr and daddr are in network order, as ip4() returns them.
 * IPv6 (RFC 8200 §8.1): source, destination, 32-bit upper-layer length,
 * three zero bytes, next header (the upper-layer protocol, not the first
 * extension header). */
uint32_t ref_pseudo_ipv4(uint32_t saddr, uint32_t daddr, uint8_t proto, uint16_t l4_len);
uint32_t ref_pseudo_ipv6(const struct in6_addr *saddr, const struct in6_addr *daddr,
			 uint8_t nexthdr, uint32_t l4_len);

/* The checksum to store in a TCP, UDP or ICMPv6 segment whose checksum field
 * reads zero: the pseudo-header plus the len bytes at l4. UDP callers must
 * still turn a result of 0 into 0xffff (RFC 768). */
uint16_t ref_l4_csum_ipv4(uint32_t saddr, uint32_t daddr, uint8_t proto, const void *l4,
			  size_t len);
uint16_t ref_l4_csum_ipv6(const struct in6_addr *saddr, const struct in6_addr *daddr,
			  uint8_t nexthdr, const void *l4, size_t len);

/* True when ip (len bytes available) starts with a complete IPv4 header,
 * version 4, IHL >= 5, whose header checksum verifies. */
bool ref_ipv4_header_ok(const uint8_t *ip, size_t len);

enum ref_l4_status {
	REF_L4_OK,        /* checksum verifies */
	REF_L4_BAD,       /* checksum wrong: found/want say how */
	REF_L4_SKIPPED,   /* nothing that can be checked: see reason */
	REF_L4_MALFORMED, /* headers inconsistent or cut short: see reason */
};

struct ref_l4_result {
	enum ref_l4_status status;
	uint8_t proto;      /* upper-layer protocol found */
	uint16_t found;     /* checksum field in the packet */
	uint16_t want;      /* value it should hold (REF_L4_BAD) */
	const char *reason; /* static text for SKIPPED and MALFORMED */
};

/* Checks the L4 checksum of the IPv4 packet at ip, len bytes available.
 * Checked: TCP, UDP (checksum 0 = none: skipped), ICMP. Skipped: fragments
 * (the checksum covers the whole datagram) and other protocols. */
enum ref_l4_status ref_l4_check_ipv4(const uint8_t *ip, size_t len, struct ref_l4_result *res);

/* Same for IPv6: walks hop-by-hop, routing, destination-options and fragment
 * headers, then checks TCP, UDP (0 is an error over IPv6) and ICMPv6.
 * Skipped: fragments, a routing header with segments left (the pseudo-header
 * would need the final destination), IPv4-in-IPv6 (no L4 checksum at this
 * level; ref_verify_frame looks inside) and other protocols. */
enum ref_l4_status ref_l4_check_ipv6(const uint8_t *ip6, size_t len, struct ref_l4_result *res);

/* Boolean forms: true for OK and SKIPPED. */
bool ref_l4_ok_ipv4(const uint8_t *ip, size_t len);
bool ref_l4_ok_ipv6(const uint8_t *ip6, size_t len);

/* Verifies every checksum of an Ethernet frame that can be verified:
 * Ethernet with up to two 802.1Q/802.1ad tags, then IPv4 or IPv6 (extension
 * headers walked), IPv4-in-IPv6 recursed into (also inside a first IPv6
 * fragment), every IPv4 header checksum, every TCP/UDP/ICMP/ICMPv6 checksum
 * except those of fragments. An ICMP error's checksum covers its quote, but
 * nothing inside the quote is checked: a quote faithfully copies packets
 * that were already broken. Frames of other EtherTypes (ARP, ...) pass.
 * A frame may be longer than its IP packet (Ethernet padding).
 * Returns 0, or -1 with a message in why such as
 * "inner ipv4 header checksum 0x1234 expected 0x5678". */
int ref_verify_frame(const uint8_t *frame, size_t len, char *why, size_t whylen);

#endif
