// SPDX-License-Identifier: GPL-2.0
/* The lwB4's next-hop cache (b4_nexthop.h). */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "b4_nexthop.h"
#include "lw4o6/abi.h"
#include "lw4o6/nexthop.h"

void lw_b4_nh_spec(const struct lw_b4_config *cfg, struct lw_nh_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->want[LW_NH_IPV6] = (struct lw_nh_want){ .family = AF_INET6,
						      .egress = cfg->wan_ifindex,
						      .input = cfg->wan_ifindex,
						      .dst_len = 128 };
	memcpy(spec->want[LW_NH_IPV6].dst, &cfg->aftr_addr, 16);
	spec->skip[LW_NH_IPV4] = "LAN hosts are the FIB's";
	if (cfg->flags & LW_B4_CFG_NH_FIB)
		spec->skip[LW_NH_IPV6] = "--nexthop fib";
}

int lw_b4_nh_sync_once(int map_fd, const struct lw_b4_config *cfg, unsigned lease_ms,
		       struct lw_nh_verdict *verdicts, char *err, size_t errlen)
{
	struct lw_nh_spec spec;

	lw_b4_nh_spec(cfg, &spec);
	return lw_nh_sync_once(map_fd, &spec, lease_ms, verdicts, err, errlen);
}

void lw_b4_nh_pin_path(const char *root, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", root, LW_STR(LW_MAP_B4_NEXTHOP));
}
