// SPDX-License-Identifier: GPL-2.0
/* lw4o6 pool add|del|list: the IPv4 prefixes this lwAFTR serves. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aftr_maps.h"
#include "addr.h"
#include "cli.h"

#define IPV4_BITS 32

static void parse_prefix(const char *arg, __be32 *addr, unsigned *len)
{
	char buf[64], err[LW_ERR_MAX];
	char *slash;
	uint32_t n = IPV4_BITS;

	snprintf(buf, sizeof(buf), "%s", arg);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (lw_parse_u32(slash + 1, 0, IPV4_BITS, &n))
			lw_die_usage("pool: '%s' has a prefix length outside 0..32", arg);
	}
	if (lw_parse_ipv4(buf, addr, err, sizeof(err)))
		lw_die_usage("pool: %s", err);
	*len = n;
}

struct pool_list {
	bool json;
	unsigned n;
};

static int print_pool(__be32 addr, unsigned len, void *arg)
{
	struct pool_list *pl = arg;
	char a[LW_IPV4_STRLEN];

	lw_format_ipv4(addr, a, sizeof(a));
	if (pl->json)
		printf("%s\"%s/%u\"", pl->n ? "," : "", a, len);
	else
		printf("%s/%u\n", a, len);
	pl->n++;
	return 0;
}

int cmd_pool(int argc, char **argv)
{
	struct lw_aftr_maps m;
	char err[LW_ERR_MAX];
	__be32 addr;
	unsigned len;
	int ret = 0;

	if (argc < 2)
		lw_die_usage("pool add|del PREFIX | pool list [--json]");
	if (!strcmp(argv[1], "list")) {
		struct pool_list pl = { .json = argc > 2 && !strcmp(argv[2], "--json") };

		if (argc > 2 && !pl.json)
			lw_die_usage("pool list: unknown argument '%s'", argv[2]);
		if (lw_aftr_maps_open_pinned(lw_pin_root, &m, err, sizeof(err)))
			return lw_fail("%s", err);
		if (pl.json)
			printf("{\"pools\":[");
		lw_aftr_pool_foreach(&m, print_pool, &pl);
		if (pl.json)
			printf("]}\n");
		lw_aftr_maps_close(&m);
		return 0;
	}
	if (argc != 3 || (strcmp(argv[1], "add") && strcmp(argv[1], "del")))
		lw_die_usage("pool add|del PREFIX");
	parse_prefix(argv[2], &addr, &len);
	if (lw_aftr_maps_open_pinned(lw_pin_root, &m, err, sizeof(err)))
		return lw_fail("%s", err);
	if (!strcmp(argv[1], "add"))
		ret = lw_aftr_pool_add(&m, addr, len);
	else
		ret = lw_aftr_pool_del(&m, addr, len);
	lw_aftr_maps_close(&m);
	if (ret == -ENOENT)
		return lw_fail("pool %s is not configured", argv[2]);
	return ret ? lw_fail("pool %s %s: %s", argv[1], argv[2], strerror(-ret)) : 0;
}
