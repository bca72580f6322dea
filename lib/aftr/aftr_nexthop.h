/* SPDX-License-Identifier: GPL-2.0 */
/* The lwAFTR's next-hop cache (lw_nexthop, include/lw4o6/nexthop.h): what
 * it stands for on each side, and the one-shot fill that pcpd's watcher
 * (lib/net/nh_watch.h) repeats on every change. */
#ifndef LW4O6_AFTR_NEXTHOP_H
#define LW4O6_AFTR_NEXTHOP_H

#include <stddef.h>
#include <bpf/libbpf.h>
#include "lw4o6/aftr.h"
#include "nh_watch.h"

/* What the lwAFTR configured as cfg sends where: IPv4 (decapsulated) to any
 * internet address out of the internet interface, looked up as arriving
 * on the access side; IPv6 (encapsulated) to any B4 out of the access
 * interface. Static next hops and --nexthop fib leave the cache out. */
void lw_aftr_nh_spec(const struct lw_aftr_config *cfg, struct lw_nh_spec *spec);

/* Fills the lwAFTR's next-hop map (map_fd) from the kernel's state now,
 * for the configuration cfg, with a lease of lease_ms (the data plane
 * falls back to the FIB after it). verdicts (may be NULL): the two
 * families' verdicts, text included. 0 or -errno with err written. */
int lw_aftr_nh_sync_once(int map_fd, const struct lw_aftr_config *cfg, unsigned lease_ms,
			 struct lw_nh_verdict *verdicts, char *err, size_t errlen);

/* The next-hop map of a loaded object (-ENOENT if it has none), and the
 * path of its pin under root. */
int lw_aftr_nh_fd_from_obj(struct bpf_object *obj);
void lw_aftr_nh_pin_path(const char *root, char *buf, size_t len);

#endif
