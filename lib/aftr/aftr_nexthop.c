// SPDX-License-Identifier: GPL-2.0
/* The lwAFTR's next-hop cache (aftr_nexthop.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "aftr_nexthop.h"
#include "lw4o6/abi.h"
#include "lw4o6/nexthop.h"

void lw_aftr_nh_spec(const struct lw_aftr_config *cfg, struct lw_nh_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->want[LW_NH_IPV4] = (struct lw_nh_want){ .family = AF_INET,
						      .egress = cfg->ipv4_ifindex,
						      .input = cfg->ipv6_ifindex,
						      .vlan = cfg->ipv4_vlan };
	spec->want[LW_NH_IPV6] = (struct lw_nh_want){ .family = AF_INET6,
						      .egress = cfg->ipv6_ifindex,
						      .input = cfg->ipv6_ifindex,
						      .vlan = cfg->ipv6_vlan };
	if (cfg->flags & LW_CFG_STATIC_NH4)
		spec->skip[LW_NH_IPV4] = "static next hop (--nexthop static)";
	if (cfg->flags & LW_CFG_STATIC_NH6)
		spec->skip[LW_NH_IPV6] = "static next hop (--nexthop static)";
	if (cfg->flags & LW_CFG_NH_FIB)
		spec->skip[LW_NH_IPV4] = spec->skip[LW_NH_IPV6] = "--nexthop fib";
}

int lw_aftr_nh_sync_once(int map_fd, const struct lw_aftr_config *cfg, unsigned lease_ms,
			 struct lw_nh_verdict *verdicts, char *err, size_t errlen)
{
	struct lw_nh_spec spec;

	lw_aftr_nh_spec(cfg, &spec);
	return lw_nh_sync_once(map_fd, &spec, lease_ms, verdicts, err, errlen);
}

int lw_aftr_nh_fd_from_obj(struct bpf_object *obj)
{
	int fd = bpf_object__find_map_fd_by_name(obj, LW_STR(LW_MAP_AFTR_NEXTHOP));

	return fd < 0 ? -ENOENT : fd;
}

void lw_aftr_nh_pin_path(const char *root, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", root, LW_STR(LW_MAP_AFTR_NEXTHOP));
}
