// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "pcpd_config.h"
#include "conf_lines.h"
#include "addr.h"
#include "errmsg.h"
#include "lw4o6/abi.h"

#define IPV6_BITS 128
#define IPV4_BITS 32
/* IPv4 prefixes are kept as IPv4-mapped IPv6 ones: ::ffff:a.b.c.d/96+len */
#define IPV4_MAPPED_LEN   96
#define IPV4_MAPPED_BYTES (IPV4_MAPPED_LEN / 8)
#define PREFIX_TEXT_MAX   80

#define PORTS_PER_ADDRESS    65536
#define DAY_SECONDS          86400
#define MAX_RATE             10000000 /* icmpv4-rate, icmpv6-rate: per second */
#define MAX_FRAGS_PER_PACKET 255
#define MAX_REASM_PACKETS    65536
#define MAX_REASM_TIMEOUT    120 /* seconds */

#define DEFAULT_DATABASE       "/var/lib/lw4o6/pcpd.db"
#define DEFAULT_ICMP_RATE      100
#define DEFAULT_MAX_FRAGS      40 /* Snabb's default */
#define DEFAULT_REASM_PACKETS  1024
#define DEFAULT_REASM_TIMEOUT  30
#define DEFAULT_ANNOUNCE_GROUP "ff02::1"
#define DEFAULT_ORPHAN_GRACE   120

void pcpd_config_defaults(struct pcpd_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->pin_root, sizeof(c->pin_root), "%s", LW4O6_PIN_ROOT);
	snprintf(c->database, sizeof(c->database), "%s", DEFAULT_DATABASE);
	alloc_config_init(&c->alloc);
	c->icmpv4_rate = DEFAULT_ICMP_RATE;
	c->icmpv6_rate = DEFAULT_ICMP_RATE;
	c->max_frags = DEFAULT_MAX_FRAGS;
	c->reasm_max_packets = DEFAULT_REASM_PACKETS;
	c->reasm_timeout = DEFAULT_REASM_TIMEOUT;
	inet_pton(AF_INET6, DEFAULT_ANNOUNCE_GROUP, &c->announce_group);
	c->orphan_grace = DEFAULT_ORPHAN_GRACE;
	c->log_level = CONF_LOG_INFO;
}

static int parse_prefix(const char *s, struct pcpd_prefix *p, char *err, size_t errlen)
{
	char buf[PREFIX_TEXT_MAX], *slash;
	uint32_t len;
	__be32 v4;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (lw_parse_ipv4(buf, &v4, NULL, 0) == 0) {
		if (slash && lw_parse_u32(slash, 0, IPV4_BITS, &len))
			return lw_errf(err, errlen, "'%s': IPv4 prefix length must be 0..32", s);
		memset(&p->addr, 0, sizeof(p->addr));
		p->addr.s6_addr[10] = p->addr.s6_addr[11] = 0xff;
		memcpy(&p->addr.s6_addr[IPV4_MAPPED_BYTES], &v4, sizeof(v4));
		p->len = (uint8_t)(IPV4_MAPPED_LEN + (slash ? len : IPV4_BITS));
		return 0;
	}
	if (lw_parse_ipv6(buf, &p->addr, err, errlen))
		return lw_errf(err, errlen, "'%s' is neither an IPv4 nor an IPv6 prefix", s);
	if (slash && lw_parse_u32(slash, 0, IPV6_BITS, &len))
		return lw_errf(err, errlen, "'%s': IPv6 prefix length must be 0..128", s);
	p->len = (uint8_t)(slash ? len : IPV6_BITS);
	return 0;
}

bool pcpd_prefix_match(const struct pcpd_prefix *p, size_t n, const struct in6_addr *addr)
{
	for (size_t i = 0; i < n; i++) {
		unsigned bits = p[i].len, k;
		bool ok = true;

		for (k = 0; k < bits / 8 && ok; k++)
			ok = p[i].addr.s6_addr[k] == addr->s6_addr[k];
		if (ok && bits % 8) {
			uint8_t mask = (uint8_t)(0xff << (8 - bits % 8));

			ok = (p[i].addr.s6_addr[k] & mask) == (addr->s6_addr[k] & mask);
		}
		if (ok)
			return true;
	}
	return false;
}

/* A block of ports handed out at once: a power of two up to a whole address. */
static int set_block_size(void *cfg, const struct conf_key *k, const struct conf_stmt *st,
			  char *err, size_t errlen)
{
	uint32_t n;
	int r = conf_u32(k->key, st->argv[1], 1, PORTS_PER_ADDRESS, &n, err, errlen);

	if (r)
		return r;
	if (n & (n - 1))
		return lw_errf(err, errlen, "%s: %u is not a power of two", k->key, n);
	*(uint32_t *)((char *)cfg + k->off) = n;
	return 0;
}

static int set_pool(void *cfg, const struct conf_key *k, const struct conf_stmt *st, char *err,
		    size_t errlen)
{
	struct pcpd_config *c = cfg;
	struct pcpd_prefix p;
	uint32_t host, mask;
	int r;

	if ((r = parse_prefix(st->argv[1], &p, err, errlen)))
		return r;
	if (p.len < IPV4_MAPPED_LEN || !(p.addr.s6_addr[10] == 0xff && p.addr.s6_addr[11] == 0xff))
		return lw_errf(err, errlen, "pool: '%s' is not an IPv4 prefix", st->argv[1]);
	if (c->n_pools == PCPD_MAX_POOLS)
		return lw_errf(err, errlen, "pool: more than %d pools", PCPD_MAX_POOLS);
	memcpy(&c->pools[c->n_pools].prefix, &p.addr.s6_addr[IPV4_MAPPED_BYTES], sizeof(__be32));
	c->pools[c->n_pools].prefix_len = (uint8_t)(p.len - IPV4_MAPPED_LEN);
	host = ntohl(c->pools[c->n_pools].prefix);
	mask = p.len == IPV4_MAPPED_LEN ? 0 : ~0u << (IPV6_BITS - p.len);
	if (host & ~mask)
		return lw_errf(err, errlen, "pool: '%s' has host bits set", st->argv[1]);
	c->n_pools++;
	return 0;
}

static int set_subscriber_prefix_length(void *cfg, const struct conf_key *k,
					const struct conf_stmt *st, char *err, size_t errlen)
{
	struct pcpd_config *c = cfg;
	uint32_t n;
	int r = conf_u32(k->key, st->argv[1], 0, IPV6_BITS, &n, err, errlen);

	if (!r)
		c->alloc.subscriber_prefix_len = (uint8_t)n;
	return r;
}

static int set_br_address(void *cfg, const struct conf_key *k, const struct conf_stmt *st,
			  char *err, size_t errlen)
{
	struct pcpd_config *c = cfg;
	struct in6_addr br;
	int r;

	if ((r = lw_parse_ipv6(st->argv[1], &br, err, errlen)))
		return r;
	if (c->n_brs == PCPD_MAX_BRS)
		return lw_errf(err, errlen, "br-address: more than %d", PCPD_MAX_BRS);
	if (!c->has_br)
		c->br = br;
	c->has_br = true;
	c->brs[c->n_brs++] = br;
	return 0;
}

/* One more prefix of an access list (subscriber-allow, third-party-allow). */
static int add_prefix(struct pcpd_prefix *list, size_t *n, const struct conf_key *k,
		      const char *value, char *err, size_t errlen)
{
	int r;

	if (*n == PCPD_MAX_ACL)
		return lw_errf(err, errlen, "%s: more than %d prefixes", k->key, PCPD_MAX_ACL);
	if ((r = parse_prefix(value, &list[*n], err, errlen)))
		return r;
	(*n)++;
	return 0;
}

static int set_subscriber_allow(void *cfg, const struct conf_key *k, const struct conf_stmt *st,
				char *err, size_t errlen)
{
	struct pcpd_config *c = cfg;

	return add_prefix(c->subscribers, &c->n_subscribers, k, st->argv[1], err, errlen);
}

static int set_third_party_allow(void *cfg, const struct conf_key *k, const struct conf_stmt *st,
				 char *err, size_t errlen)
{
	struct pcpd_config *c = cfg;

	return add_prefix(c->acl, &c->n_acl, k, st->argv[1], err, errlen);
}

static int set_icmpv4_source(void *cfg, const struct conf_key *k, const struct conf_stmt *st,
			     char *err, size_t errlen)
{
	struct pcpd_config *c = cfg;

	return lw_parse_ipv4(st->argv[1], &c->icmpv4_source, err, errlen);
}

static int set_announce_interface(void *cfg, const struct conf_key *k, const struct conf_stmt *st,
				  char *err, size_t errlen)
{
	struct pcpd_config *c = cfg;

	if (strlen(st->argv[1]) >= IF_NAMESIZE)
		return lw_errf(err, errlen,
			       "announce-interface: '%s' is too long for an "
			       "interface name",
			       st->argv[1]);
	snprintf(c->announce_ifname, sizeof(c->announce_ifname), "%s", st->argv[1]);
	return 0;
}

static int set_announce_group(void *cfg, const struct conf_key *k, const struct conf_stmt *st,
			      char *err, size_t errlen)
{
	struct pcpd_config *c = cfg;
	int r;

	if ((r = lw_parse_ipv6(st->argv[1], &c->announce_group, err, errlen)))
		return r;
	if (!IN6_IS_ADDR_MULTICAST(&c->announce_group))
		return lw_errf(err, errlen, "announce-group: '%s' is not a multicast address",
			       st->argv[1]);
	return 0;
}

static int set_third_party_listen(void *cfg, const struct conf_key *k, const struct conf_stmt *st,
				  char *err, size_t errlen)
{
	struct pcpd_config *c = cfg;
	struct pcpd_prefix p;
	uint32_t port;
	int r;

	if ((r = parse_prefix(st->argv[1], &p, err, errlen)))
		return r;
	if (p.len != IPV6_BITS)
		return lw_errf(err, errlen, "third-party-listen: '%s' must be an address",
			       st->argv[1]);
	if ((r = conf_u32(k->key, st->argv[2], 1, UINT16_MAX, &port, err, errlen)))
		return r;
	memset(&c->third_party_listen, 0, sizeof(c->third_party_listen));
	c->third_party_listen.sin6_family = AF_INET6;
	c->third_party_listen.sin6_addr = p.addr;
	c->third_party_listen.sin6_port = htons((uint16_t)port);
	c->third_party_enabled = true;
	return 0;
}

static const struct conf_key pcpd_keys[] = {
	CONF_PATH(struct pcpd_config, "pin-root", pin_root),
	CONF_PATH(struct pcpd_config, "database", database),
	CONF_KEY("pool", 1, set_pool),
	CONF_FIELD_KEY(struct pcpd_config, "block-size", set_block_size, alloc.default_block_size),
	CONF_FIELD_KEY(struct pcpd_config, "min-block-size", set_block_size, alloc.min_block_size),
	CONF_FIELD_KEY(struct pcpd_config, "max-block-size", set_block_size, alloc.max_block_size),
	CONF_U32(struct pcpd_config, "quota", alloc.max_grants_per_subscriber, 1, ALLOC_MAX_QUOTA),
	CONF_KEY("subscriber-prefix-length", 1, set_subscriber_prefix_length),
	CONF_U32(struct pcpd_config, "min-lifetime", alloc.min_lifetime, 1, DAY_SECONDS),
	CONF_U32(struct pcpd_config, "max-lifetime", alloc.max_lifetime, 1, DAY_SECONDS),
	CONF_KEY("br-address", 1, set_br_address),
	CONF_KEY("subscriber-allow", 1, set_subscriber_allow),
	CONF_KEY("icmpv4-source", 1, set_icmpv4_source),
	CONF_U32(struct pcpd_config, "icmpv4-rate", icmpv4_rate, 0, MAX_RATE),
	CONF_U32(struct pcpd_config, "icmpv6-rate", icmpv6_rate, 0, MAX_RATE),
	CONF_U32(struct pcpd_config, "max-fragments-per-packet", max_frags, 1,
		 MAX_FRAGS_PER_PACKET),
	CONF_U32(struct pcpd_config, "reassembly-max-packets", reasm_max_packets, 1,
		 MAX_REASM_PACKETS),
	CONF_U32(struct pcpd_config, "reassembly-timeout", reasm_timeout, 1, MAX_REASM_TIMEOUT),
	CONF_KEY("announce-interface", 1, set_announce_interface),
	CONF_KEY("announce-group", 1, set_announce_group),
	CONF_U32(struct pcpd_config, "orphan-grace", orphan_grace, 0, DAY_SECONDS),
	CONF_KEY("third-party-listen", 2, set_third_party_listen),
	CONF_KEY("third-party-allow", 1, set_third_party_allow),
	CONF_LOG_LEVEL(struct pcpd_config, log_level),
};

static const struct conf_syntax pcpd_syntax = {
	.keys = pcpd_keys,
	.n_keys = CONF_ARRAY_SIZE(pcpd_keys),
	.max_words = CONF_MAX_WORDS,
};

int pcpd_config_parse(const char *text, const char *name, struct pcpd_config *c, char *err,
		      size_t errlen)
{
	int r = conf_lines_parse(text, name, &pcpd_syntax, c, err, errlen);

	if (!r && c->n_pools == 0)
		r = lw_errf(err, errlen, "%s: no pool configured", name);
	c->alloc.pools = c->pools;
	c->alloc.n_pools = c->n_pools;
	if (!r && alloc_config_validate(&c->alloc, err, errlen)) {
		lw_err_prefix(err, errlen, "%s", name);
		r = -EINVAL;
	}
	return r;
}

static int parse_cb(const char *text, const char *name, void *cfg, char *err, size_t errlen)
{
	return pcpd_config_parse(text, name, cfg, err, errlen);
}

int pcpd_config_load(const char *path, struct pcpd_config *c, char *err, size_t errlen)
{
	pcpd_config_defaults(c);
	return conf_file_load(path, parse_cb, c, err, errlen);
}
