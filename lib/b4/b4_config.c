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
#include "file_read.h"
#include "lw4o6/abi.h"

void b4_config_defaults(struct b4_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->pin_root, sizeof(c->pin_root), "%s", LW4O6_PIN_ROOT);
	snprintf(c->database, sizeof(c->database), "/var/lib/lw4o6/pcpd-b4.db");
	c->lifetime = 7200;
	c->irt_ms = 3000;               /* RFC 6887 §8.1.1 IRT */
	c->reannounce_delay_ms = 1000;
	c->expire_interval = 5;
	c->max_sets = 4;
	c->grow_pct = 80;
	c->release_pct = 50;
	c->release_idle_s = 600;
	c->lan_min_lifetime = 120;
	c->lan_max_lifetime = 7200;
	c->icmp_rate = 100;
	c->log_level = 2;
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

static int statement(struct b4_config *c, int argc, char **argv, char *err, size_t errlen)
{
	const char *k = argv[0];
	int r;

	if (argc != 2)
		return lw_errf(err, errlen, "%s takes 1 value, not %d", k, argc - 1);
	if (!strcmp(k, "pin-root") || !strcmp(k, "database")) {
		if (strlen(argv[1]) >= sizeof(c->pin_root))
			return lw_errf(err, errlen, "%s: path too long", k);
		snprintf(!strcmp(k, "pin-root") ? c->pin_root : c->database, sizeof(c->pin_root), "%s",
			 argv[1]);
	} else if (!strcmp(k, "aftr-ipv6") || !strcmp(k, "tunnel-ipv6")) {
		bool aftr = !strcmp(k, "aftr-ipv6");

		if ((r = lw_parse_ipv6(argv[1], aftr ? &c->aftr : &c->tunnel, err, errlen)))
			return lw_errf(err, errlen, "%s: '%s' is not an IPv6 address", k, argv[1]);
		*(aftr ? &c->has_aftr : &c->has_tunnel) = true;
	} else if (!strcmp(k, "lifetime")) {
		return num(k, argv[1], 1, 86400, &c->lifetime, err, errlen);
	} else if (!strcmp(k, "irt-ms")) {
		return num(k, argv[1], 10, 60000, &c->irt_ms, err, errlen);
	} else if (!strcmp(k, "reannounce-delay-ms")) {
		return num(k, argv[1], 0, 60000, &c->reannounce_delay_ms, err, errlen);
	} else if (!strcmp(k, "expire-interval")) {
		return num(k, argv[1], 1, 3600, &c->expire_interval, err, errlen);
	} else if (!strcmp(k, "max-sets")) {
		return num(k, argv[1], 1, 8, &c->max_sets, err, errlen);
	} else if (!strcmp(k, "grow-percent")) {
		return num(k, argv[1], 1, 100, &c->grow_pct, err, errlen);
	} else if (!strcmp(k, "release-percent")) {
		return num(k, argv[1], 0, 99, &c->release_pct, err, errlen);
	} else if (!strcmp(k, "release-idle")) {
		return num(k, argv[1], 1, 86400, &c->release_idle_s, err, errlen);
	} else if (!strcmp(k, "lan-min-lifetime")) {
		return num(k, argv[1], 1, 86400, &c->lan_min_lifetime, err, errlen);
	} else if (!strcmp(k, "lan-max-lifetime")) {
		return num(k, argv[1], 1, 86400, &c->lan_max_lifetime, err, errlen);
	} else if (!strcmp(k, "icmp-rate")) {
		return num(k, argv[1], 0, 100000, &c->icmp_rate, err, errlen);
	} else if (!strcmp(k, "lan-address")) {
		if (lw_parse_ipv4(argv[1], &c->lan_addr, err, errlen))
			return lw_errf(err, errlen, "lan-address: '%s' is not an IPv4 address", argv[1]);
		c->has_lan = true;
	} else if (!strcmp(k, "lan-interface")) {
		if (strlen(argv[1]) >= sizeof(c->lan_ifname))
			return lw_errf(err, errlen, "lan-interface: '%s' is longer than 15 characters",
				       argv[1]);
		snprintf(c->lan_ifname, sizeof(c->lan_ifname), "%s", argv[1]);
	} else if (!strcmp(k, "log-level")) {
		static const char *const levels[] = { "error", "warning", "info", "debug" };
		int n;

		for (n = 0; n < 4; n++)
			if (!strcmp(argv[1], levels[n]))
				break;
		if (n == 4)
			return lw_errf(err, errlen, "log-level: '%s' is not error, warning, info or debug",
				       argv[1]);
		c->log_level = n;
	} else {
		return lw_errf(err, errlen, "unknown statement '%s'", k);
	}
	return 0;
}

static int statement_cb(void *ctx, int argc, char **argv, char *err, size_t errlen)
{
	return statement(ctx, argc, argv, err, errlen);
}

int b4_config_parse(const char *text, const char *name, struct b4_config *c, char *err,
		    size_t errlen)
{
	int r = conf_lines_parse(text, name, 4, statement_cb, c, err, errlen);

	if (!r && !c->has_aftr)
		r = lw_errf(err, errlen, "%s: aftr-ipv6 is required", name);
	if (!r && !c->has_tunnel)
		r = lw_errf(err, errlen, "%s: tunnel-ipv6 is required", name);
	if (!r && c->release_pct >= c->grow_pct)
		r = lw_errf(err, errlen, "%s: release-percent %u must be below grow-percent %u (hysteresis)",
			    name, c->release_pct, c->grow_pct);
	if (!r && c->lan_min_lifetime > c->lan_max_lifetime)
		r = lw_errf(err, errlen, "%s: lan-min-lifetime %u is above lan-max-lifetime %u", name,
			    c->lan_min_lifetime, c->lan_max_lifetime);
	if (!r && c->lan_ifname[0] && !c->has_lan)
		r = lw_errf(err, errlen, "%s: lan-interface needs lan-address", name);
	return r ? -EINVAL : 0;
}

int b4_config_load(const char *path, struct b4_config *c, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int r;

	b4_config_defaults(c);
	r = lw_read_file(path, &text, &len, err, errlen);
	if (r)
		return r;
	r = b4_config_parse(text, path, c, err, errlen);
	free(text);
	return r;
}
