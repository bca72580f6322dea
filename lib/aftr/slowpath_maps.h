/* SPDX-License-Identifier: GPL-2.0 */
/* The slow path's binding-table lookup (lw_slowpath_find_softwire_fn) on
 * the lwAFTR's maps, for pcpd (pinned maps) and the conformance runner (the
 * object under test): the same answer the data plane would give. */
#ifndef LW4O6_SLOWPATH_MAPS_H
#define LW4O6_SLOWPATH_MAPS_H

#include "aftr_maps.h"
#include "slowpath.h"

/* ctx is a const struct lw_aftr_maps *. Returns 0 with the softwire's B4
 * and BR addresses; -ENOENT when ipv4 has neither port-set parameters nor a
 * pool (not ours); -ESRCH when it is ours but no softwire owns the port;
 * -EIO when a softwire names a BR index that has no address. */
int lw_slowpath_find_softwire_maps(void *ctx, __be32 ipv4, __u16 port, struct in6_addr *b4,
				   struct in6_addr *br);

#endif
