/* SPDX-License-Identifier: GPL-2.0 */
/* pcpd's configuration file: one "key value..." statement per line, '#'
 * starts a comment. Every error names the file, the line and the word. */
#ifndef LW4O6_PCPD_CONFIG_H
#define LW4O6_PCPD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <net/if.h>
#include "alloc.h"

#define PCPD_MAX_POOLS 64
#define PCPD_MAX_ACL   32
#define PCPD_MAX_BRS   16

struct pcpd_prefix {
	struct in6_addr addr; /* IPv4 as ::ffff:a.b.c.d with len + 96 */
	uint8_t len;          /* 0..128 */
};

struct pcpd_config {
	char pin_root[256]; /* pin-root: the lwAFTR's maps */
	char database[256]; /* database: SQLite file of the grants */
	struct alloc_pool pools[PCPD_MAX_POOLS];
	size_t n_pools;
	struct alloc_config alloc; /* block sizes, quota, lifetimes, subscriber mask */
	struct in6_addr br;        /* the first br-address: BR of grants made through
				       * THIRD_PARTY, source of the multicast ANNOUNCE */
	bool has_br;
	struct in6_addr brs[PCPD_MAX_BRS]; /* every br-address: installed at start-up,
					    * the only destinations PCP is served on */
	size_t n_brs;
	struct pcpd_prefix subscribers[PCPD_MAX_ACL]; /* subscriber-allow; none = any */
	size_t n_subscribers;
	__be32 icmpv4_source; /* icmpv4-source: the lwAFTR's IPv4 for its ICMP errors */
	uint32_t icmpv4_rate, icmpv6_rate; /* per second; bursts are the same number */
	uint32_t max_frags;                /* max-fragments-per-packet (slow-path reassembly) */
	uint32_t reasm_max_packets;        /* reassembly-max-packets, per family */
	uint32_t reasm_timeout;            /* reassembly-timeout, seconds */
	char announce_ifname[IF_NAMESIZE]; /* announce-interface: the access side */
	struct in6_addr announce_group;    /* announce-group, default ff02::1 */
	uint32_t orphan_grace;    /* seconds a binding without a grant survives a state loss */
	bool third_party_enabled; /* third-party-listen given */
	struct sockaddr_in6 third_party_listen; /* IPv4 as mapped */
	struct pcpd_prefix acl[PCPD_MAX_ACL];   /* third-party-allow */
	size_t n_acl;
	int log_level; /* 0 error, 1 warning, 2 info, 3 debug */
};

/* Fills defaults, then reads path. Returns 0 or -errno with a message such
 * as "pcpd.conf:7: pool: '192.0.2.0/33': prefix length 33 > 32". */
int pcpd_config_load(const char *path, struct pcpd_config *c, char *err, size_t errlen);
int pcpd_config_parse(const char *text, const char *name, struct pcpd_config *c, char *err,
		      size_t errlen);
void pcpd_config_defaults(struct pcpd_config *c);

/* Whether addr (IPv4-mapped for IPv4) is inside one of the prefixes. */
bool pcpd_prefix_match(const struct pcpd_prefix *p, size_t n, const struct in6_addr *addr);

#endif
