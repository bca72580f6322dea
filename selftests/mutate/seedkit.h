/* SPDX-License-Identifier: GPL-2.0 */
/* Seed frames for both labs, built with the test packet builder
 * (selftests/lib/pkt.h): valid frames of random shape whose layer offsets
 * the mutations then aim at. */
#ifndef LW4O6_MUTATE_SEEDKIT_H
#define LW4O6_MUTATE_SEEDKIT_H

#include "pkt.h"
#include "mutate.h"

enum seed_l4 {
	SK_UDP,
	SK_TCP,
	SK_ECHO,        /* echo request, sport = Identifier */
	SK_ECHO_REPLY,
	SK_ERROR,       /* ICMP error (3, 11 or 12) quoting the q* packet */
	SK_OTHER,       /* GRE: a protocol without ports */
};

/* An IPv4 packet to build. Addresses in network order. */
struct seed_ip4 {
	uint32_t src, dst;
	uint8_t kind;           /* enum seed_l4 */
	uint16_t sport, dport;
	uint8_t ttl;
	/* SK_ERROR: the packet quoted */
	uint32_t qsrc, qdst;
	uint8_t qkind;          /* SK_UDP, SK_TCP, SK_ECHO or SK_ECHO_REPLY */
	uint16_t qsport, qdport;
};

void seed_begin(struct mframe *f, struct pkt *p, unsigned ifindex, const char *kind);
/* Ethernet from src to dst, now and then with a priority tag, a VLAN tag
 * or QinQ (tagged: logged). */
void seed_eth(struct rng *r, struct pkt *p, struct mframe *f, const uint8_t *src,
	      const uint8_t *dst);
/* IPv6 from src to dst, in ext_pct % of frames with a random
 * extension-header chain. */
void seed_ip6(struct rng *r, struct pkt *p, struct mframe *f, const struct in6_addr *src,
	      const struct in6_addr *dst, unsigned ext_pct);
/* The IPv4 packet and its transport header (and quote, payload). */
void seed_ip4(struct rng *r, struct pkt *p, struct mframe *f, const struct seed_ip4 *s);
/* An ICMPv6 error (destination unreachable, packet too big, time exceeded
 * or parameter problem) quoting the softwire packet q6src → q6dst carrying
 * the IPv4 packet s; f->quote is the quoted IPv4 header. */
void seed_icmp6_error(struct rng *r, struct pkt *p, struct mframe *f, const struct in6_addr *q6src,
		      const struct in6_addr *q6dst, const struct seed_ip4 *s);
/* pkt_finish; the frame length, or 0 when the builder refused. */
void seed_end(struct pkt *p, struct mframe *f);

/* A random kind among the transport kinds, weighted towards those with
 * ports. */
uint8_t seed_pick_kind(struct rng *r);
/* A random quoted kind for SK_ERROR. */
uint8_t seed_pick_qkind(struct rng *r);

#endif
