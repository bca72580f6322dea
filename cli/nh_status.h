/* SPDX-License-Identifier: GPL-2.0 */
/* `lw4o6 status` on a next-hop cache (nh_status.c). */
#ifndef LW4O6_CLI_NH_STATUS_H
#define LW4O6_CLI_NH_STATUS_H

#include <stdbool.h>

/* The cache pinned at pin_path, families fams[0..n) (enum lw_nh_family),
 * under the operator's setting ("cache", "fib", "static"): text lines, or
 * the JSON member "nexthop":{...} followed by a comma. */
void lw_nh_print_status(const char *pin_path, const char *setting, const unsigned *fams, unsigned n,
			bool json);

/* After a load: the next-hop cache at pin_path, or the object's map fd
 * (>= 0), leaves both families to the FIB until the daemon has judged the
 * new configuration (within a second). Warns when it cannot. */
void lw_nh_after_load(const char *pin_path, int fd);

#endif
