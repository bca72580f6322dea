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
#include "file_read.h"
#include "lw4o6/abi.h"

void pcpd_config_defaults(struct pcpd_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->pin_root, sizeof(c->pin_root), "%s", LW4O6_PIN_ROOT);
	snprintf(c->database, sizeof(c->database), "/var/lib/lw4o6/pcpd.db");
	alloc_config_init(&c->alloc);
	c->icmpv4_rate = 100;
	c->icmpv6_rate = 100;
	c->max_frags = 40;        /* Snabb's default */
	c->reasm_max_packets = 1024;
	c->reasm_timeout = 30;
	inet_pton(AF_INET6, "ff02::1", &c->announce_group);
	c->orphan_grace = 120;
	c->log_level = 2;
}

static int parse_prefix(const char *s, struct pcpd_prefix *p, char *err, size_t errlen)
{
	char buf[80], *slash;
	uint32_t len;
	__be32 v4;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (lw_parse_ipv4(buf, &v4, NULL, 0) == 0) {
		if (slash && lw_parse_u32(slash, 0, 32, &len))
			return lw_errf(err, errlen, "'%s': IPv4 prefix length must be 0..32", s);
		memset(&p->addr, 0, sizeof(p->addr));
		p->addr.s6_addr[10] = p->addr.s6_addr[11] = 0xff;
		memcpy(&p->addr.s6_addr[12], &v4, 4);
		p->len = (uint8_t)(96 + (slash ? len : 32));
		return 0;
	}
	if (lw_parse_ipv6(buf, &p->addr, err, errlen))
		return lw_errf(err, errlen, "'%s' is neither an IPv4 nor an IPv6 prefix", s);
	if (slash && lw_parse_u32(slash, 0, 128, &len))
		return lw_errf(err, errlen, "'%s': IPv6 prefix length must be 0..128", s);
	p->len = (uint8_t)(slash ? len : 128);
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

static int want_args(int argc, int n, const char *key, char *err, size_t errlen)
{
	if (argc - 1 != n)
		return lw_errf(err, errlen, "%s takes %d value%s, not %d", key, n, n == 1 ? "" : "s",
			       argc - 1);
	return 0;
}

static int num(const char *key, const char *v, uint32_t min, uint32_t max, uint32_t *out, char *err,
	       size_t errlen)
{
	int r = lw_parse_u32(v, min, max, out);

	if (r == -ERANGE)
		return lw_errf(err, errlen, "%s: %s is outside %u..%u", key, v, min, max);
	if (r)
		return lw_errf(err, errlen, "%s: '%s' is not a number", key, v);
	return 0;
}

static int statement(struct pcpd_config *c, int argc, char **argv, char *err, size_t errlen)
{
	const char *k = argv[0];
	uint32_t n;
	int r;

#define ONE() do { if ((r = want_args(argc, 1, k, err, errlen))) return r; } while (0)
	if (!strcmp(k, "pin-root") || !strcmp(k, "database")) {
		ONE();
		if (strlen(argv[1]) >= sizeof(c->pin_root))
			return lw_errf(err, errlen, "%s: path too long", k);
		snprintf(!strcmp(k, "pin-root") ? c->pin_root : c->database, sizeof(c->pin_root), "%s",
			 argv[1]);
	} else if (!strcmp(k, "pool")) {
		struct pcpd_prefix p;

		ONE();
		if ((r = parse_prefix(argv[1], &p, err, errlen)))
			return r;
		if (p.len < 96 || !(p.addr.s6_addr[10] == 0xff && p.addr.s6_addr[11] == 0xff))
			return lw_errf(err, errlen, "pool: '%s' is not an IPv4 prefix", argv[1]);
		if (c->n_pools == PCPD_MAX_POOLS)
			return lw_errf(err, errlen, "pool: more than %d pools", PCPD_MAX_POOLS);
		memcpy(&c->pools[c->n_pools].prefix, &p.addr.s6_addr[12], 4);
		c->pools[c->n_pools].prefix_len = (uint8_t)(p.len - 96);
		{
			uint32_t host = ntohl(c->pools[c->n_pools].prefix);
			uint32_t mask = p.len == 96 ? 0 : ~0u << (128 - p.len);

			if (host & ~mask)
				return lw_errf(err, errlen, "pool: '%s' has host bits set", argv[1]);
		}
		c->n_pools++;
	} else if (!strcmp(k, "block-size") || !strcmp(k, "min-block-size") ||
		   !strcmp(k, "max-block-size")) {
		ONE();
		if ((r = num(k, argv[1], 1, 65536, &n, err, errlen)))
			return r;
		if (n & (n - 1))
			return lw_errf(err, errlen, "%s: %u is not a power of two", k, n);
		if (!strcmp(k, "block-size"))
			c->alloc.default_block_size = n;
		else if (!strcmp(k, "min-block-size"))
			c->alloc.min_block_size = n;
		else
			c->alloc.max_block_size = n;
	} else if (!strcmp(k, "quota")) {
		ONE();
		if ((r = num(k, argv[1], 1, ALLOC_MAX_QUOTA, &n, err, errlen)))
			return r;
		c->alloc.max_grants_per_subscriber = n;
	} else if (!strcmp(k, "subscriber-prefix-length")) {
		ONE();
		if ((r = num(k, argv[1], 0, 128, &n, err, errlen)))
			return r;
		c->alloc.subscriber_prefix_len = (uint8_t)n;
	} else if (!strcmp(k, "min-lifetime") || !strcmp(k, "max-lifetime")) {
		ONE();
		if ((r = num(k, argv[1], 1, 86400, &n, err, errlen)))
			return r;
		if (!strcmp(k, "min-lifetime"))
			c->alloc.min_lifetime = n;
		else
			c->alloc.max_lifetime = n;
	} else if (!strcmp(k, "br-address")) {
		struct in6_addr br;

		ONE();
		if ((r = lw_parse_ipv6(argv[1], &br, err, errlen)))
			return r;
		if (c->n_brs == PCPD_MAX_BRS)
			return lw_errf(err, errlen, "br-address: more than %d", PCPD_MAX_BRS);
		if (!c->has_br)
			c->br = br;
		c->has_br = true;
		c->brs[c->n_brs++] = br;
	} else if (!strcmp(k, "subscriber-allow")) {
		ONE();
		if (c->n_subscribers == PCPD_MAX_ACL)
			return lw_errf(err, errlen, "subscriber-allow: more than %d prefixes", PCPD_MAX_ACL);
		if ((r = parse_prefix(argv[1], &c->subscribers[c->n_subscribers], err, errlen)))
			return r;
		c->n_subscribers++;
	} else if (!strcmp(k, "icmpv4-source")) {
		ONE();
		if ((r = lw_parse_ipv4(argv[1], &c->icmpv4_source, err, errlen)))
			return r;
	} else if (!strcmp(k, "icmpv4-rate") || !strcmp(k, "icmpv6-rate")) {
		ONE();
		if ((r = num(k, argv[1], 0, 10000000, &n, err, errlen)))
			return r;
		*(!strcmp(k, "icmpv4-rate") ? &c->icmpv4_rate : &c->icmpv6_rate) = n;
	} else if (!strcmp(k, "max-fragments-per-packet")) {
		ONE();
		if ((r = num(k, argv[1], 1, 255, &n, err, errlen)))
			return r;
		c->max_frags = n;
	} else if (!strcmp(k, "reassembly-max-packets")) {
		ONE();
		if ((r = num(k, argv[1], 1, 65536, &n, err, errlen)))
			return r;
		c->reasm_max_packets = n;
	} else if (!strcmp(k, "reassembly-timeout")) {
		ONE();
		if ((r = num(k, argv[1], 1, 120, &n, err, errlen)))
			return r;
		c->reasm_timeout = n;
	} else if (!strcmp(k, "announce-interface")) {
		ONE();
		if (strlen(argv[1]) >= IF_NAMESIZE)
			return lw_errf(err, errlen, "announce-interface: '%s' is too long for an "
				       "interface name", argv[1]);
		snprintf(c->announce_ifname, sizeof(c->announce_ifname), "%s", argv[1]);
	} else if (!strcmp(k, "announce-group")) {
		ONE();
		if ((r = lw_parse_ipv6(argv[1], &c->announce_group, err, errlen)))
			return r;
		if (c->announce_group.s6_addr[0] != 0xff)
			return lw_errf(err, errlen, "announce-group: '%s' is not a multicast address",
				       argv[1]);
	} else if (!strcmp(k, "orphan-grace")) {
		ONE();
		if ((r = num(k, argv[1], 0, 86400, &n, err, errlen)))
			return r;
		c->orphan_grace = n;
	} else if (!strcmp(k, "third-party-listen")) {
		struct pcpd_prefix p;

		if ((r = want_args(argc, 2, k, err, errlen)))
			return r;
		if ((r = parse_prefix(argv[1], &p, err, errlen)))
			return r;
		if ((p.len != 128))
			return lw_errf(err, errlen, "third-party-listen: '%s' must be an address", argv[1]);
		if ((r = num(k, argv[2], 1, 65535, &n, err, errlen)))
			return r;
		memset(&c->third_party_listen, 0, sizeof(c->third_party_listen));
		c->third_party_listen.sin6_family = AF_INET6;
		c->third_party_listen.sin6_addr = p.addr;
		c->third_party_listen.sin6_port = htons((uint16_t)n);
		c->third_party_enabled = true;
	} else if (!strcmp(k, "third-party-allow")) {
		ONE();
		if (c->n_acl == PCPD_MAX_ACL)
			return lw_errf(err, errlen, "third-party-allow: more than %d prefixes", PCPD_MAX_ACL);
		if ((r = parse_prefix(argv[1], &c->acl[c->n_acl], err, errlen)))
			return r;
		c->n_acl++;
	} else if (!strcmp(k, "log-level")) {
		static const char *const levels[] = { "error", "warning", "info", "debug" };

		ONE();
		for (n = 0; n < 4; n++)
			if (!strcmp(argv[1], levels[n]))
				break;
		if (n == 4)
			return lw_errf(err, errlen, "log-level: '%s' is not error, warning, info or debug",
				       argv[1]);
		c->log_level = (int)n;
	} else {
		return lw_errf(err, errlen, "unknown statement '%s'", k);
	}
#undef ONE
	return 0;
}

static int statement_cb(void *ctx, int argc, char **argv, char *err, size_t errlen)
{
	return statement(ctx, argc, argv, err, errlen);
}

int pcpd_config_parse(const char *text, const char *name, struct pcpd_config *c, char *err,
		      size_t errlen)
{
	int r = conf_lines_parse(text, name, 8, statement_cb, c, err, errlen);

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

int pcpd_config_load(const char *path, struct pcpd_config *c, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int r;

	pcpd_config_defaults(c);
	r = lw_read_file(path, &text, &len, err, errlen);
	if (r)
		return r;
	r = pcpd_config_parse(text, path, c, err, errlen);
	free(text);
	return r;
}
