// SPDX-License-Identifier: GPL-2.0
/* The lwB4's next-hop cache filled from the lab's kernel state
 * (lw_b4_nh_sync_once): the lwAFTR's address (a /128) through the WAN
 * default route's gateway, whose permanent neighbour is WAN_PEER_MAC. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "lw4o6/nexthop.h"
#include "nh_classify.h"
#include "pkt.h"
#include "prog_b4.h"

int nh_check_synced(const struct tcase *c, char *why, size_t whylen)
{
	static const struct setup sync = { .nh = NH_SYNC };
	struct lw_nh_entry e;
	struct lw_nh_prefix p;
	struct in6_addr aftr = ip6(AFTR6);
	uint8_t m[6];
	char err[512];

	if (harness_setup(&sync, err, sizeof(err))) {
		snprintf(why, whylen, "setup: %s", err);
		return 1;
	}
	if (harness_nh_entry(&e)) {
		snprintf(why, whylen, "next-hop map not mapped");
		return 1;
	}
	mac(WAN_PEER_MAC, m);
	lw_nh_prefix_make(&p, AF_INET6, (const uint8_t *)&aftr, 128);
	if (e.mode != LW_NH_CACHED || memcmp(e.dmac, m, 6) ||
	    e.ifindex != (unsigned)harness_ifindex(SIDE_WAN) || memcmp(&e.route, &p, sizeof(p)) ||
	    e.n_except) {
		snprintf(why, whylen,
			 "entry (expected cached, the WAN peer's MAC, on wan, for AFTR6/128, no "
			 "exceptions; got mode %u (%s), ifindex %u, %u exceptions)",
			 e.mode, lw_nh_reason_name(e.reason), e.ifindex, e.n_except);
		return 1;
	}
	return 0;
}
