// SPDX-License-Identifier: GPL-2.0
/* pcpd --role b4's configuration file (b4_config.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b4_config.h"
#include "conf_lines.h"
#include "addr.h"
#include "errmsg.h"
#include "lw4o6/abi.h"
#include "lw4o6/b4.h"

#define DAY_SECONDS             86400
#define MAX_IRT_MS              60000
#define MIN_IRT_MS              10
#define MAX_REANNOUNCE_DELAY_MS 60000
#define MAX_EXPIRE_INTERVAL     3600
#define MAX_ICMP_RATE           100000
#define MAX_PERCENT             100

#define DEFAULT_DATABASE            "/var/lib/lw4o6/pcpd-b4.db"
#define DEFAULT_LIFETIME            7200
#define DEFAULT_IRT_MS              3000 /* RFC 6887 §8.1.1 IRT */
#define DEFAULT_REANNOUNCE_DELAY_MS 1000
#define DEFAULT_EXPIRE_INTERVAL     5
#define DEFAULT_MAX_SETS            4
#define DEFAULT_GROW_PCT            80
#define DEFAULT_RELEASE_PCT         50
#define DEFAULT_RELEASE_IDLE        600
#define DEFAULT_LAN_MIN_LIFETIME    120 /* RFC 6887 §15 */
#define DEFAULT_LAN_MAX_LIFETIME    7200
#define DEFAULT_ICMP_RATE           100

void b4_config_defaults(struct b4_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->pin_root, sizeof(c->pin_root), "%s", LW4O6_PIN_ROOT);
	snprintf(c->database, sizeof(c->database), "%s", DEFAULT_DATABASE);
	c->lifetime = DEFAULT_LIFETIME;
	c->irt_ms = DEFAULT_IRT_MS;
	c->reannounce_delay_ms = DEFAULT_REANNOUNCE_DELAY_MS;
	c->expire_interval = DEFAULT_EXPIRE_INTERVAL;
	c->max_sets = DEFAULT_MAX_SETS;
	c->grow_pct = DEFAULT_GROW_PCT;
	c->release_pct = DEFAULT_RELEASE_PCT;
	c->release_idle_s = DEFAULT_RELEASE_IDLE;
	c->lan_min_lifetime = DEFAULT_LAN_MIN_LIFETIME;
	c->lan_max_lifetime = DEFAULT_LAN_MAX_LIFETIME;
	c->icmp_rate = DEFAULT_ICMP_RATE;
	c->log_level = CONF_LOG_INFO;
}

static int set_ipv6(struct in6_addr *addr, bool *have, const struct conf_key *k, const char *value,
		    char *err, size_t errlen)
{
	if (lw_parse_ipv6(value, addr, err, errlen))
		return lw_errf(err, errlen, "%s: '%s' is not an IPv6 address", k->key, value);
	*have = true;
	return 0;
}

static int set_aftr(void *cfg, const struct conf_key *k, const struct conf_stmt *st, char *err,
		    size_t errlen)
{
	struct b4_config *c = cfg;

	return set_ipv6(&c->aftr, &c->has_aftr, k, st->argv[1], err, errlen);
}

static int set_tunnel(void *cfg, const struct conf_key *k, const struct conf_stmt *st, char *err,
		      size_t errlen)
{
	struct b4_config *c = cfg;

	return set_ipv6(&c->tunnel, &c->has_tunnel, k, st->argv[1], err, errlen);
}

static int set_lan_address(void *cfg, const struct conf_key *k, const struct conf_stmt *st,
			   char *err, size_t errlen)
{
	struct b4_config *c = cfg;

	if (lw_parse_ipv4(st->argv[1], &c->lan_addr, err, errlen))
		return lw_errf(err, errlen, "lan-address: '%s' is not an IPv4 address",
			       st->argv[1]);
	c->has_lan = true;
	return 0;
}

static int set_lan_interface(void *cfg, const struct conf_key *k, const struct conf_stmt *st,
			     char *err, size_t errlen)
{
	struct b4_config *c = cfg;

	if (strlen(st->argv[1]) >= sizeof(c->lan_ifname))
		return lw_errf(err, errlen, "lan-interface: '%s' is longer than %zu characters",
			       st->argv[1], sizeof(c->lan_ifname) - 1);
	snprintf(c->lan_ifname, sizeof(c->lan_ifname), "%s", st->argv[1]);
	return 0;
}

static const struct conf_key b4_keys[] = {
	CONF_PATH(struct b4_config, "pin-root", pin_root),
	CONF_PATH(struct b4_config, "database", database),
	CONF_KEY("aftr-ipv6", 1, set_aftr),
	CONF_KEY("tunnel-ipv6", 1, set_tunnel),
	CONF_U32(struct b4_config, "lifetime", lifetime, 1, DAY_SECONDS),
	CONF_U32(struct b4_config, "irt-ms", irt_ms, MIN_IRT_MS, MAX_IRT_MS),
	CONF_U32(struct b4_config, "reannounce-delay-ms", reannounce_delay_ms, 0,
		 MAX_REANNOUNCE_DELAY_MS),
	CONF_U32(struct b4_config, "expire-interval", expire_interval, 1, MAX_EXPIRE_INTERVAL),
	CONF_U32(struct b4_config, "max-sets", max_sets, 1, LW_B4_POOL_MAX),
	CONF_U32(struct b4_config, "grow-percent", grow_pct, 1, MAX_PERCENT),
	CONF_U32(struct b4_config, "release-percent", release_pct, 0, MAX_PERCENT - 1),
	CONF_U32(struct b4_config, "release-idle", release_idle_s, 1, DAY_SECONDS),
	CONF_U32(struct b4_config, "lan-min-lifetime", lan_min_lifetime, 1, DAY_SECONDS),
	CONF_U32(struct b4_config, "lan-max-lifetime", lan_max_lifetime, 1, DAY_SECONDS),
	CONF_U32(struct b4_config, "icmp-rate", icmp_rate, 0, MAX_ICMP_RATE),
	CONF_KEY("lan-address", 1, set_lan_address),
	CONF_KEY("lan-interface", 1, set_lan_interface),
	CONF_LOG_LEVEL(struct b4_config, log_level),
};

/* every key takes one value: a line is at most a few words */
#define B4_CONF_MAX_WORDS 4
static const struct conf_syntax b4_syntax = {
	.keys = b4_keys,
	.n_keys = CONF_ARRAY_SIZE(b4_keys),
	.max_words = B4_CONF_MAX_WORDS,
};

int b4_config_parse(const char *text, const char *name, struct b4_config *c, char *err,
		    size_t errlen)
{
	int r = conf_lines_parse(text, name, &b4_syntax, c, err, errlen);

	if (!r && !c->has_aftr)
		r = lw_errf(err, errlen, "%s: aftr-ipv6 is required", name);
	if (!r && !c->has_tunnel)
		r = lw_errf(err, errlen, "%s: tunnel-ipv6 is required", name);
	if (!r && c->release_pct >= c->grow_pct)
		r = lw_errf(err, errlen,
			    "%s: release-percent %u must be below grow-percent %u (hysteresis)",
			    name, c->release_pct, c->grow_pct);
	if (!r && c->lan_min_lifetime > c->lan_max_lifetime)
		r = lw_errf(err, errlen, "%s: lan-min-lifetime %u is above lan-max-lifetime %u",
			    name, c->lan_min_lifetime, c->lan_max_lifetime);
	if (!r && c->lan_ifname[0] && !c->has_lan)
		r = lw_errf(err, errlen, "%s: lan-interface needs lan-address", name);
	return r ? -EINVAL : 0;
}

static int parse_cb(const char *text, const char *name, void *cfg, char *err, size_t errlen)
{
	return b4_config_parse(text, name, cfg, err, errlen);
}

int b4_config_load(const char *path, struct b4_config *c, char *err, size_t errlen)
{
	b4_config_defaults(c);
	return conf_file_load(path, parse_cb, c, err, errlen);
}
