/* SPDX-License-Identifier: GPL-2.0 */
/* Keeping a next-hop cache right (include/lw4o6/nexthop.h): read the
 * kernel, judge each family (nh_classify.h), publish (nh_map.h); once, or
 * for as long as a daemon runs, again on every change rtnetlink reports and
 * at least every second, renewing the lease the data plane checks. */
#ifndef LW4O6_NH_WATCH_H
#define LW4O6_NH_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include "nh_classify.h"

/* A lease: the data plane uses an entry for this long after the last
 * renewal, which comes every second; a daemon that stops renewing leaves
 * its packets to the FIB within it. */
#define LW_NH_LEASE_MS 3000

/* What a role wants cached: want[f] for map entry f (enum lw_nh_family).
 * skip[f] set: FIB mode by the operator's choice, these words saying which
 * ("--nexthop fib"); want[f].family 0: FIB mode, nothing to cache. */
struct lw_nh_spec {
	struct lw_nh_want want[LW_NH_FAMILIES];
	const char *skip[LW_NH_FAMILIES];
};

/* Reads the kernel, judges every family of spec and publishes the entries
 * into the next-hop map map_fd with a lease of lease_ms. verdicts (may be
 * NULL) receives LW_NH_FAMILIES verdicts. 0, or -errno with err written
 * (the entries then say FIB). */
int lw_nh_sync_once(int map_fd, const struct lw_nh_spec *spec, unsigned lease_ms,
		    struct lw_nh_verdict *verdicts, char *err, size_t errlen);

struct lw_nh_watch;

struct lw_nh_watch_ops {
	const char *pin_path; /* the map's pin, opened again when it is replaced */
	/* the role's wishes now (read from its configuration map): 0, or
	 * negative to leave the entries in FIB mode this time */
	int (*spec)(void *ctx, struct lw_nh_spec *spec);
	/* a change of mode or next hop (warn: a fall-back), or a problem */
	void (*log)(void *ctx, bool warn, const char *msg);
	void *ctx;
};

/* Starts watching: subscribes to rtnetlink and publishes a first verdict.
 * 0, or -errno with err written (nothing started). */
int lw_nh_watch_open(struct lw_nh_watch **w, const struct lw_nh_watch_ops *ops, char *err,
		     size_t errlen);
/* The descriptor to wait on for readability. */
int lw_nh_watch_fd(const struct lw_nh_watch *w);
/* Reads what rtnetlink reported; when a verdict may have changed, the
 * entries go to the FIB at once and are judged again. */
void lw_nh_watch_readable(struct lw_nh_watch *w);
/* Renews the leases and judges again every second: call at least that
 * often. */
void lw_nh_watch_tick(struct lw_nh_watch *w);
/* Leaves every entry in FIB mode ("the daemon stopped") and stops. */
void lw_nh_watch_close(struct lw_nh_watch *w);

#endif
