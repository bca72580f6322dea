/* SPDX-License-Identifier: GPL-2.0 */
/* The lwB4's next-hop cache (lw_b4_nexthop, include/lw4o6/nexthop.h): the
 * way to the lwAFTR, one destination; pcpd --role b4 keeps it with
 * lib/net/nh_watch.h. Packets to LAN hosts keep the FIB: each host is a
 * neighbour of its own, which one entry cannot stand for. */
#ifndef LW4O6_B4_NEXTHOP_H
#define LW4O6_B4_NEXTHOP_H

#include <stddef.h>
#include "lw4o6/b4.h"
#include "nh_watch.h"

/* IPv6 to the lwAFTR's address (a /128) out of the WAN interface, looked up
 * as arriving there; IPv4 not cached. --nexthop fib leaves it out. */
void lw_b4_nh_spec(const struct lw_b4_config *cfg, struct lw_nh_spec *spec);

/* Fills the lwB4's next-hop map (map_fd) from the kernel's state now, as
 * lw_aftr_nh_sync_once does for the lwAFTR. 0 or -errno with err written. */
int lw_b4_nh_sync_once(int map_fd, const struct lw_b4_config *cfg, unsigned lease_ms,
		       struct lw_nh_verdict *verdicts, char *err, size_t errlen);

/* The path of the map's pin under root. */
void lw_b4_nh_pin_path(const char *root, char *buf, size_t len);

#endif
