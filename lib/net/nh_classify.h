/* SPDX-License-Identifier: GPL-2.0 */
/* The next-hop cache's judge (include/lw4o6/nexthop.h), a pure function:
 * from the kernel's routes, neighbours, links and policy rules as rtnetlink
 * describes them, either the one entry that answers what bpf_fib_lookup()
 * would for every destination of a direction, or FIB mode with the reason.
 *
 * What it mirrors (net/core/filter.c, bpf_ipv4_fib_lookup and
 * bpf_ipv6_fib_lookup): forwarding on the lookup's interface; the default
 * policy rules (local, main[, default]), so that the local table wins over
 * any main route and the main table's longest match decides; the route's
 * type, next hop and egress; the gateway's neighbour entry (any valid state
 * but NOARP); the MTU (a locked route MTU, IPv4 also an unlocked one under
 * ip_forward_use_pmtu, else the device's, IPv6 the device's IPv6 MTU);
 * IPv6's link-local, multicast and loopback destinations, never forwarded.
 * Anything it cannot mirror exactly is FIB mode. Per-destination PMTU
 * exceptions, which the FIB sees and the cache does not, come from ICMP to
 * the router's own traffic, not from forwarded packets. */
#ifndef LW4O6_NH_CLASSIFY_H
#define LW4O6_NH_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lw4o6/nexthop.h"

/* One route of an RTM_NEWROUTE message. */
struct lw_nh_route {
	uint8_t family; /* AF_INET, AF_INET6 */
	uint8_t dst_len;
	uint8_t tos;
	uint8_t type;   /* RTN_* */
	uint32_t table; /* RTA_TABLE, else rtm_table */
	uint32_t flags; /* rtm_flags and the RTNH_F_* of its next hops */
	uint8_t dst[16];
	uint32_t oif;
	uint8_t gw_family; /* 0: none; = family: RTA_GATEWAY; other: RTA_VIA */
	uint8_t gw[16];
	uint32_t priority;
	uint32_t mtu; /* RTAX_MTU; 0: none */
	bool mtu_locked;
	uint16_t nhops; /* next hops: RTA_MULTIPATH's, else 1 */
	uint32_t nh_id; /* RTA_NH_ID: a nexthop object; 0: none */
	bool encap;     /* RTA_ENCAP: a lightweight tunnel */
};

/* One neighbour of an RTM_NEWNEIGH message. */
struct lw_nh_neigh {
	uint8_t family;
	uint32_t ifindex;
	uint8_t dst[16];
	uint16_t state; /* NUD_* */
	bool has_lladdr;
	uint8_t lladdr[6];
};

/* One interface of an RTM_NEWLINK message. */
struct lw_nh_link {
	uint32_t ifindex;
	char name[16];
	uint32_t flags; /* IFF_* */
	uint32_t mtu;
	bool has_addr; /* IFLA_ADDRESS of 6 bytes */
	uint8_t addr[6];
	int8_t fwd4, fwd6; /* IFLA_INET_CONF / IFLA_INET6_CONF forwarding; -1 unknown */
	uint32_t mtu6;     /* IFLA_INET6_CONF's MTU; 0 unknown */
};

/* One policy rule of an RTM_NEWRULE message. */
struct lw_nh_rule {
	uint8_t family;
	uint8_t action; /* FR_ACT_* */
	uint32_t priority;
	uint32_t table;
	bool selectors; /* anything that makes it apply to some packets only */
};

struct lw_nh_state {
	struct lw_nh_route *routes;
	struct lw_nh_neigh *neighs;
	struct lw_nh_link *links;
	struct lw_nh_rule *rules;
	size_t n_routes, n_neighs, n_links, n_rules;
	size_t cap_routes, cap_neighs, cap_links, cap_rules;
	bool ipv4_fwd_use_pmtu; /* net.ipv4.ip_forward_use_pmtu */
};

/* Appending to a state (0 or -ENOMEM), and freeing it (left empty). */
int lw_nh_state_add_route(struct lw_nh_state *st, const struct lw_nh_route *r);
int lw_nh_state_add_neigh(struct lw_nh_state *st, const struct lw_nh_neigh *n);
int lw_nh_state_add_link(struct lw_nh_state *st, const struct lw_nh_link *l);
int lw_nh_state_add_rule(struct lw_nh_state *st, const struct lw_nh_rule *r);
void lw_nh_state_free(struct lw_nh_state *st);

/* One direction of a program: packets of family leave through egress (the
 * program's interface on that side, VLAN vlan) towards destinations in
 * dst/dst_len, looked up as arriving on input (whose forwarding counts). */
struct lw_nh_want {
	uint8_t family;
	uint16_t vlan;
	uint32_t egress;
	uint32_t input;
	uint8_t dst[16];
	uint8_t dst_len;
};

struct lw_nh_verdict {
	struct lw_nh_entry entry; /* mode and reason; CACHED: all but expires and seq */
	/* the gateway whose neighbour entry the verdict rests on, if any: a
	 * change of that entry asks for a new verdict */
	bool has_gw;
	uint32_t gw_ifindex;
	uint8_t gw[16];
	char text[256]; /* "IPv4 next hop cached: ..." or "IPv4 falls back to the FIB: ..." */
};

void lw_nh_classify(const struct lw_nh_state *st, const struct lw_nh_want *w,
		    struct lw_nh_verdict *v);

/* A prefix (addr, len bits of family) as the data plane matches it. */
void lw_nh_prefix_make(struct lw_nh_prefix *p, uint8_t family, const uint8_t *addr, unsigned len);

/* The family's name in messages: "IPv4", "IPv6". */
const char *lw_nh_family_name(uint8_t family);
/* A reason's words, for status ("no route", ...). */
const char *lw_nh_reason_name(unsigned reason);

#endif
