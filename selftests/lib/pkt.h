/* SPDX-License-Identifier: GPL-2.0 */
/* Packet builder for tests: stack layers from the outside in, then let
 * pkt_finish() fill every length, next-protocol field and checksum from the
 * inside out.
 *
 *	uint8_t buf[256];
 *	struct pkt p;
 *	int len;
 *
 *	pkt_init(&p, buf, sizeof(buf));
 *	pkt_eth(&p, &(struct pkt_eth){ .src = {2, 0, 0, 0, 0, 1}, .dst = {2, 0, 0, 0, 0, 2} });
 *	pkt_ipv6(&p, &(struct pkt_ip6){ .src = ip6("2001:db8::1"), .dst = ip6("2001:db8::2"),
 *					.hop_limit = 64 });
 *	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4("192.0.2.1"), .dst = ip4("198.51.100.1"),
 *					.ttl = 64 });
 *	pkt_udp(&p, &(struct pkt_udp){ .sport = 1024, .dport = 53 });
 *	pkt_data(&p, "hello", 5);
 *	len = pkt_finish(&p);	// frame length, or negative errno
 *
 * Every value in the layer structs is written as given: there are no hidden
 * defaults (a forgotten .ttl gives TTL 0, which a test will notice). Only the
 * fields documented as "0: computed" are derived. A builder call past an error
 * does nothing; pkt_finish() reports the first error. Each layer call returns
 * the offset of its header in the buffer, so a test can damage a field on
 * purpose after pkt_finish().
 *
 * ICMP errors quote a packet built separately (with its own struct pkt and no
 * Ethernet layer) and appended with pkt_quote(): the quote is opaque bytes to
 * the outer packet, so it may be cut at any length. */
#ifndef LW4O6_TEST_PKT_H
#define LW4O6_TEST_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define PKT_MAX_LAYERS 16

/* Largest IP packet carrying an ICMP error: RFC 1812 §4.3.2.3 (576 octets)
 * and RFC 4443 §2.4 (c) (the IPv6 minimum MTU). For pkt_quote(). */
#define PKT_ICMP4_ERROR_MAX 576
#define PKT_ICMP6_ERROR_MAX 1280

enum pkt_layer_kind {
	PKT_L_ETH,
	PKT_L_IPV4,
	PKT_L_IPV6,
	PKT_L_IPV6_EXT,
	PKT_L_TCP,
	PKT_L_UDP,
	PKT_L_ICMP4,
	PKT_L_ICMP6,
	PKT_L_DATA,
};

struct pkt_layer {
	enum pkt_layer_kind kind;
	size_t off;         /* first byte of the header in the buffer */
	size_t next_off;    /* the field naming the next protocol */
	uint8_t ext_type;   /* PKT_L_IPV6_EXT: 0, 43, 44 or 60 */
	bool next_given;    /* the caller set the next protocol: keep it */
};

struct pkt {
	uint8_t *buf;
	size_t cap;
	size_t len;
	int err;
	unsigned int n_layers;
	struct pkt_layer layers[PKT_MAX_LAYERS];
};

struct pkt_eth {
	uint8_t src[6];
	uint8_t dst[6];
	uint16_t vid;       /* non-zero: one 802.1Q tag (TPID 0x8100) */
	uint16_t inner_vid; /* non-zero too: QinQ, outer tag TPID 0x88a8 */
	uint16_t type;      /* 0: computed from the next layer */
};

struct pkt_ip4 {
	uint32_t src, dst;      /* network order, e.g. ip4("192.0.2.1") */
	uint8_t tos;
	uint8_t ttl;
	uint16_t id;
	bool df, mf;
	uint16_t frag_offset;   /* in 8-octet units, as on the wire */
	uint8_t proto;          /* 0: computed from the next layer */
	const uint8_t *options; /* padded with End-of-Options to 4 octets */
	size_t options_len;     /* at most 40 */
};

struct pkt_ip6 {
	struct in6_addr src, dst;
	uint8_t traffic_class;
	uint32_t flow_label;    /* 20 bits */
	uint8_t hop_limit;
	uint8_t next_header;    /* 0: computed (59, no next header, if none) */
};

struct pkt_ip6_frag {
	uint16_t offset;        /* in 8-octet units */
	bool more;
	uint32_t id;
	uint8_t next_header;    /* 0: computed from the next layer */
};

#define PKT_TCP_FIN 0x01
#define PKT_TCP_SYN 0x02
#define PKT_TCP_RST 0x04
#define PKT_TCP_PSH 0x08
#define PKT_TCP_ACK 0x10
#define PKT_TCP_URG 0x20

struct pkt_tcp {
	uint16_t sport, dport;  /* host order, like every number here */
	uint32_t seq, ack;
	uint8_t flags;          /* PKT_TCP_* */
	uint16_t window;
	uint16_t urgent;
	uint16_t mss;           /* non-zero: add an MSS option (kind 2) */
};

struct pkt_udp {
	uint16_t sport, dport;
};

/* The second 32-bit word of an ICMP header depends on the type; the builder
 * writes the member that type uses and zero otherwise:
 *   echo request/reply (ICMPv4 8/0, ICMPv6 128/129): id, seq
 *   ICMPv4 3/4 fragmentation needed: mtu (16 bits, RFC 1191)
 *   ICMPv4 12 parameter problem: pointer (8 bits)
 *   ICMPv6 2 packet too big: mtu (32 bits)
 *   ICMPv6 4 parameter problem: pointer (32 bits) */
struct pkt_icmp {
	uint8_t type, code;
	uint16_t id, seq;
	uint32_t mtu;
	uint32_t pointer;
};

void pkt_init(struct pkt *p, void *buf, size_t cap);

int pkt_eth(struct pkt *p, const struct pkt_eth *eth);
int pkt_ipv4(struct pkt *p, const struct pkt_ip4 *ip);
int pkt_ipv6(struct pkt *p, const struct pkt_ip6 *ip);

/* Hop-by-hop (0), routing (43) or destination options (60) header. body is
 * what follows the next-header and length octets; options headers are padded
 * to 8 octets with Pad1/PadN, routing bodies must already be 6 + 8n octets. */
int pkt_ipv6_ext(struct pkt *p, uint8_t type, const void *body, size_t len);
/* Destination options header holding the RFC 2473 §4.1.1 Tunnel Encapsulation
 * Limit option (type 4) followed by PadN, as a tunnel entry point sends it. */
int pkt_ipv6_encap_limit(struct pkt *p, uint8_t limit);
int pkt_ipv6_frag(struct pkt *p, const struct pkt_ip6_frag *frag);

int pkt_tcp(struct pkt *p, const struct pkt_tcp *tcp);
int pkt_udp(struct pkt *p, const struct pkt_udp *udp);
int pkt_icmp4(struct pkt *p, const struct pkt_icmp *icmp);
int pkt_icmp6(struct pkt *p, const struct pkt_icmp *icmp);

/* Payload bytes: application data, a non-first fragment, an ARP body... */
int pkt_data(struct pkt *p, const void *data, size_t len);
/* len payload bytes counting up from seed (seed, seed+1, ...), for tests
 * that care about sizes rather than contents. */
int pkt_data_pattern(struct pkt *p, size_t len, uint8_t seed);
/* Appends the quoted packet of an ICMP error: all len bytes, or fewer so that
 * the IP packet carrying the error stays within max_ip_len octets
 * (PKT_ICMP4_ERROR_MAX, PKT_ICMP6_ERROR_MAX; 0 = no limit). */
int pkt_quote(struct pkt *p, const void *orig, size_t len, size_t max_ip_len);

/* Fills lengths, next-protocol fields and checksums, innermost layer first.
 * Returns the total length, or the first error as a negative errno:
 * -ENOSPC (buffer too small), -EMSGSIZE (IP packet over 65535 octets),
 * -EINVAL (bad arguments, or TCP/UDP/ICMPv6 without an IP layer above). */
int pkt_finish(struct pkt *p);

/* After pkt_finish(): the IPv4 packet at ip (a finished one, 20 bytes of
 * header at least) announces by bytes fewer than it has, its header checksum
 * and an ICMP checksum recomputed for what it now says it is. The bytes stay
 * where they are, trailing it: a packet whose Total Length cuts its
 * transport header or its quote, or (the caller dropping them) a shorter
 * one. A TCP or UDP checksum is left as it was. */
void pkt_ipv4_shorten(uint8_t *ip, unsigned by);

/* Address parsers for tests; they abort() with a message on bad input. */
struct in6_addr ip6(const char *s);
uint32_t ip4(const char *s);                 /* network byte order */
void mac(const char *s, uint8_t out[6]);     /* "02:00:5e:10:00:01" */

#endif
