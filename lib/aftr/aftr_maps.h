/* SPDX-License-Identifier: GPL-2.0 */
/* User-space access to the lwAFTR maps: one set of functions used by the
 * lw4o6 CLI, the selftests, the conformance runner, the bench and (later)
 * pcpd, so that what is tested is what operators run. */
#ifndef LW4O6_AFTR_MAPS_H
#define LW4O6_AFTR_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <bpf/libbpf.h>
#include "lw4o6/aftr.h"
#include "lw4o6/stats.h"
#include "setup.h"

struct lw_aftr_maps {
	int meta, cfg, psid, softwires, br_addrs, br_by_index, pools, stats, events, ratelim;
};

/* File descriptors of a loaded (or opened, not yet loaded: then -1) object's
 * maps. The object keeps ownership; lw_aftr_maps_close() is not needed. */
int lw_aftr_maps_from_obj(struct bpf_object *obj, struct lw_aftr_maps *m, char *err, size_t errlen);

/* Opens the maps pinned under root (LW4O6_PIN_ROOT normally) and checks the
 * ABI version stored in lw_meta. Errors name the missing pin or the version
 * mismatch and say how to clean up. */
int lw_aftr_maps_open_pinned(const char *root, struct lw_aftr_maps *m, char *err, size_t errlen);
void lw_aftr_maps_close(struct lw_aftr_maps *m);

/* Writes lw_meta (ABI version, role). */
int lw_aftr_write_meta(const struct lw_aftr_maps *m);

int lw_aftr_config_read(const struct lw_aftr_maps *m, struct lw_aftr_config *cfg);
int lw_aftr_config_write(const struct lw_aftr_maps *m, const struct lw_aftr_config *cfg);

/* Installs a whole parsed configuration: config (as given, ifindexes
 * included), BR addresses, per-IPv4 port-set parameters, pool /32s of every
 * softwire address, and the softwires (batched). The table must have passed
 * lw_setup_validate(). Existing softwires are kept unless replace is set, in
 * which case the binding table and BR addresses are emptied first.
 * Pools are not derived from softwires: an address with softwires is served
 * through its port-set parameters; a pool prefix (lw_aftr_pool_add) extends
 * that to addresses with none. */
int lw_aftr_install(const struct lw_aftr_maps *m, const struct lw_aftr_setup *s, int replace,
		    char *err, size_t errlen);

/* Adds one softwire, checking it against what is installed: the address's
 * port-set parameters must agree, the (IPv4, PSID) must be free, and the BR
 * gets an index if it is new. -EEXIST / -EINVAL with a message. */
int lw_aftr_softwire_add(const struct lw_aftr_maps *m, const struct lw_softwire_entry *e, char *err,
			 size_t errlen);
/* Removes one softwire; the IPv4's parameters go when its last softwire goes
 * (traffic to it is then dropped only if a pool covers it). -ENOENT if absent. */
int lw_aftr_softwire_del(const struct lw_aftr_maps *m, __be32 ipv4, __u16 psid, char *err,
			 size_t errlen);

struct lw_softwire_row {
	struct lw_softwire_entry entry;
	struct lw_softwire counters; /* the map value, counters included */
};
/* Calls fn for every installed softwire; stops early when fn returns non-zero. */
int lw_aftr_softwire_foreach(const struct lw_aftr_maps *m,
			     int (*fn)(const struct lw_softwire_row *row, void *arg), void *arg);
int lw_aftr_softwire_count(const struct lw_aftr_maps *m, size_t *count);

/* Makes br a BR address of this lwAFTR (idempotent): IPv4-in-IPv6 to it is
 * softwire traffic even before any softwire names it (AFTR-DECAP-8). */
int lw_aftr_br_add(const struct lw_aftr_maps *m, const struct in6_addr *br, char *err,
		   size_t errlen);
/* Whether br is a BR address of this lwAFTR. */
bool lw_aftr_is_br(const struct lw_aftr_maps *m, const struct in6_addr *br);

/* Pool prefixes (traffic to a pool address without a binding is dropped).
 * The address is masked to the prefix length. */
int lw_aftr_pool_add(const struct lw_aftr_maps *m, __be32 addr, unsigned prefixlen);
int lw_aftr_pool_del(const struct lw_aftr_maps *m, __be32 addr, unsigned prefixlen);
int lw_aftr_pools_clear(const struct lw_aftr_maps *m);
int lw_aftr_pool_foreach(const struct lw_aftr_maps *m,
			 int (*fn)(__be32 addr, unsigned prefixlen, void *arg), void *arg);

/* Sums the per-CPU counters. */
int lw_aftr_stats_read(const struct lw_aftr_maps *m, struct lw_counter out[LW_STAT_MAX]);
int lw_aftr_stats_reset(const struct lw_aftr_maps *m);
const char *lw_stat_name(unsigned stat);

/* Single entries. aftr_maps.c is the only reader of the maps: pcpd and
 * the slow path ask through these. */

/* The softwire (ipv4, psid): 0 with its B4 and, when br is not NULL, its BR
 * address (:: when its BR index holds none); -ENOENT when there is no such
 * softwire; -EIO when its BR index is outside the BR table. */
int lw_aftr_softwire_get(const struct lw_aftr_maps *m, __be32 ipv4, __u16 psid, struct in6_addr *b4,
			 struct in6_addr *br);
/* The port-set parameters of ipv4 (RFC 7597 §5.1): 0, or -ENOENT when the
 * address has none. */
int lw_aftr_psid_params_get(const struct lw_aftr_maps *m, __be32 ipv4, struct lw_psid_params *pp);
/* Whether a pool prefix covers addr/prefixlen (the data plane's
 * longest-prefix match): 0, -ENOENT when none does, or another negative
 * errno when the map cannot be read. */
int lw_aftr_pool_covers(const struct lw_aftr_maps *m, __be32 addr, unsigned prefixlen);

#endif
