/* SPDX-License-Identifier: GPL-2.0 */
/* The writer's side of a next-hop cache map (include/lw4o6/nexthop.h): the
 * array mapped into memory, slots filled and flipped, leases in the data
 * plane's clock. Role-neutral: the lwAFTR's lw_nexthop and the lwB4's
 * lw_b4_nexthop have the same shape. */
#ifndef LW4O6_NH_MAP_H
#define LW4O6_NH_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lw4o6/nexthop.h"

struct lw_nh_map {
	int fd; /* the caller's: not closed here */
	uint32_t id;
	unsigned n; /* entries (families) */
	struct lw_nh_cache *c;
	size_t len;
	uint64_t last_publish_ns;
};

/* Maps the array behind fd (a next-hop map: array of struct lw_nh_cache,
 * BPF_F_MMAPABLE). 0, or -errno with err written. */
int lw_nh_map_attach(struct lw_nh_map *m, int fd, char *err, size_t errlen);
void lw_nh_map_detach(struct lw_nh_map *m);

/* Makes e (expires and all; seq is the map's) the entry of family fam: the
 * other slot is filled, then readers are sent to it. 1 when published, 0
 * when the active entry already said the same (then only its lease is set
 * to e->expires), -EINVAL for a family the map does not have. */
int lw_nh_map_publish(struct lw_nh_map *m, unsigned fam, const struct lw_nh_entry *e);
/* Sets the lease of the active entry of fam (one aligned store). */
void lw_nh_map_renew(struct lw_nh_map *m, unsigned fam, uint64_t expires);
/* Sends the packets of fam to the FIB at once (one aligned store into the
 * active entry), with the reason. */
void lw_nh_map_fall_back(struct lw_nh_map *m, unsigned fam, unsigned reason);
/* A copy of the active entry of fam (zeroed for a family the map lacks). */
void lw_nh_map_read(const struct lw_nh_map *m, unsigned fam, struct lw_nh_entry *e);

/* lw_nh_map_fall_back for every family of the map behind fd, mapped for
 * the while: a load replaced the configuration, and what an entry says may
 * not hold for it until the daemon has judged again. 0 or -errno. */
int lw_nh_fall_back_all(int fd, unsigned reason);

/* The active entry of fam read through the map's descriptor, without
 * mapping it (status): 0 or -errno. */
int lw_nh_map_lookup(int fd, unsigned fam, struct lw_nh_entry *e);

/* The data plane's clock: what bpf_jiffies64() returns now, and its ticks
 * per second. 0 or -errno. */
int lw_nh_jiffies(uint64_t *now, unsigned *hz);

/* A lease of ms milliseconds from now, in that clock; 0 when the clock
 * cannot be read (an entry with it is never used). */
uint64_t lw_nh_lease(unsigned ms);

#endif
