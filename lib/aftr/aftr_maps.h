/* SPDX-License-Identifier: GPL-2.0 */
/* User-space access to the lwAFTR maps: one set of functions used by the
 * lw4o6 CLI, the selftests, the conformance runner, the bench and (later)
 * pcpd, so that what is tested is what operators run. */
#ifndef LW4O6_AFTR_MAPS_H
#define LW4O6_AFTR_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>
#include <bpf/libbpf.h>
#include "lw4o6/aftr.h"
#include "lw4o6/stats.h"
#include "setup.h"

struct lw_bind; /* a writer's copy of the binding table's bookkeeping (bind_priv.h) */

struct lw_aftr_maps {
	int meta, cfg, bind_state, addr_l1, addr_l2, addr_recs, addr_blocks, sw_chunks, sw_empty,
		br_addrs, br_by_index, pools, stats, events, ratelim;
	/* not map descriptors */
	struct lw_bind *bind; /* made by the openers, freed by lw_aftr_maps_close() */
	bool own_fds;         /* opened from pins: close() closes the descriptors */
};

/* File descriptors of a loaded (or opened, not yet loaded: then -1) object's
 * maps. The object keeps the descriptors; lw_aftr_maps_close() frees the
 * rest (and only that). Writers lock the object's pin root if it has one. */
int lw_aftr_maps_from_obj(struct bpf_object *obj, struct lw_aftr_maps *m, char *err, size_t errlen);

/* Opens the maps pinned under root (LW4O6_PIN_ROOT normally) and checks the
 * ABI version stored in lw_meta. Errors name the missing pin or the version
 * mismatch and say how to clean up. */
int lw_aftr_maps_open_pinned(const char *root, struct lw_aftr_maps *m, char *err, size_t errlen);
/* For maps whose descriptors the caller filled in itself (tests): the
 * writers' state, locking lock_dir (NULL: no lock) around writes. */
int lw_aftr_maps_prepare(struct lw_aftr_maps *m, const char *lock_dir);
void lw_aftr_maps_close(struct lw_aftr_maps *m);

/* Sizes the binding maps of an opened, not yet loaded lwAFTR object for
 * max_softwires softwires (0: LW_DEFAULT_MAX_SOFTWIRES), rounded up to a
 * multiple of 256; at most LW_MAX_SOFTWIRES_LIMIT. Address-record room
 * follows (LW_ADDR_BLOCKS). 0 or -EINVAL/-ENOENT with err. */
int lw_aftr_obj_set_capacity(struct bpf_object *obj, uint32_t max_softwires, char *err,
			     size_t errlen);

/* The binding table's room and use, and the kernel memory its maps take
 * (chunks count at the 32 KiB the kernel gives each). */
struct lw_aftr_capacity {
	uint32_t max_softwires, softwires;
	uint32_t max_blocks, blocks;       /* record blocks: /24s with softwires */
	uint32_t max_l2_tables, l2_tables; /* /16s with softwires */
	uint32_t max_chunks, chunks;       /* chunks of 512 slots */
	uint32_t addresses;                /* addresses with softwires */
	uint64_t bytes, chunk_bytes, record_bytes;
};
int lw_aftr_capacity(const struct lw_aftr_maps *m, struct lw_aftr_capacity *c);
/* What lw4o6 load aftr gives a configuration by default: room for twice its
 * softwires (at least LW_DEFAULT_MAX_SOFTWIRES) and record blocks for twice
 * its /24s, since a replaced table stands beside its successor. */
uint32_t lw_aftr_capacity_for(const struct lw_aftr_setup *s);
/* The capacity the lwAFTR pinned under root was loaded with: 0 with *max,
 * or -errno (-ENOENT: nothing pinned). */
int lw_aftr_pinned_capacity(const char *root, uint32_t *max);

/* Writes lw_meta (ABI version, role). */
int lw_aftr_write_meta(const struct lw_aftr_maps *m);

int lw_aftr_config_read(const struct lw_aftr_maps *m, struct lw_aftr_config *cfg);
int lw_aftr_config_write(const struct lw_aftr_maps *m, const struct lw_aftr_config *cfg);

/* Installs a whole parsed configuration: config (as given, ifindexes
 * included; its BR fields are the maps'), BR addresses and the softwires.
 * The table must have passed lw_setup_validate(). Existing softwires are
 * kept unless replace is set, in which case the new table replaces the
 * binding table and its BR addresses. All or nothing: capacity and
 * conflicts (without replace: a (IPv4, PSID) already bound, other port-set
 * parameters on an address) are checked before anything is written, and on
 * any later error the binding table is left as it was. Replacing builds the
 * new table in free slots, switches each address's record to it, then frees
 * the old one, so that every address is served throughout. Memory: a batch
 * of the table at a time, plus one entry per address.
 * Pools are not derived from softwires: an address with softwires is served
 * through its address record; a pool prefix (lw_aftr_pool_add) extends that
 * to addresses with none. */
int lw_aftr_install(const struct lw_aftr_maps *m, const struct lw_aftr_setup *s, int replace,
		    char *err, size_t errlen);

/* Adds one configuration softwire (LW_SW_ORIGIN_CONFIG), checking it
 * against what is installed: the address's port-set parameters must agree,
 * the (IPv4, PSID) must be free, and the BR gets an index if it is new.
 * -EEXIST / -EINVAL with a message. */
int lw_aftr_softwire_add(const struct lw_aftr_maps *m, const struct lw_softwire_entry *e, char *err,
			 size_t errlen);
/* What lw_aftr_softwire_set() did. */
enum lw_sw_set_result {
	LW_SW_ADDED = 1,
	LW_SW_UPDATED = 2,   /* rewritten in place, counters kept */
	LW_SW_UNCHANGED = 3, /* it was so already: nothing written */
};
#define LW_SW_ORIGIN_ANY 255u

/* Installs one softwire for origin (enum lw_sw_origin) or, when origin
 * holds its (IPv4, PSID) already, rewrites it in the same slot (issue 12):
 * a renewal writes nothing, a new B4 or BR is written in an order that
 * never shows a packet the slot valid for a half-written B4 (the old B4's
 * packets may be dropped meanwhile, those of an unchanged B4 never are),
 * and the counters stay. -EPERM when another origin holds it (pcpd never
 * overwrites a configuration binding, nor the configuration a PCP one),
 * -EINVAL when the address has other port-set parameters, -ENOSPC when
 * full; else an enum lw_sw_set_result. */
int lw_aftr_softwire_set(const struct lw_aftr_maps *m, const struct lw_softwire_entry *e,
			 unsigned origin, char *err, size_t errlen);
/* Removes one softwire; the IPv4's record (its parameters and run of
 * slots) goes when its last softwire goes (traffic to it is then dropped
 * only if a pool covers it). -ENOENT if absent. */
int lw_aftr_softwire_del(const struct lw_aftr_maps *m, __be32 ipv4, __u16 psid, char *err,
			 size_t errlen);

/* lw_aftr_softwire_del() for one origin only (LW_SW_ORIGIN_ANY: any),
 * and only while it names b4 (NULL: any): checked under the writers' lock,
 * so that pcpd cannot remove what the configuration put in its place.
 * -ENOENT otherwise. */
int lw_aftr_softwire_del_own(const struct lw_aftr_maps *m, __be32 ipv4, __u16 psid, unsigned origin,
			     const struct in6_addr *b4, char *err, size_t errlen);

struct lw_softwire_row {
	struct lw_softwire_entry entry;
	struct lw_softwire counters; /* the map value, counters included */
};
/* Calls fn for every installed softwire, in slot order (a chunk read at a
 * time); stops early when fn returns non-zero. */
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
/* The value of softwire (ipv4, psid): B4, BR index, origin, counters. 0
 * or -ENOENT. */
int lw_aftr_softwire_read(const struct lw_aftr_maps *m, __be32 ipv4, __u16 psid,
			  struct lw_softwire *sw);
/* The port-set parameters of ipv4 (RFC 7597 §5.1): 0, or -ENOENT when the
 * address has none. */
int lw_aftr_psid_params_get(const struct lw_aftr_maps *m, __be32 ipv4, struct lw_psid_params *pp);
/* Whether a pool prefix covers addr/prefixlen (the data plane's
 * longest-prefix match): 0, -ENOENT when none does, or another negative
 * errno when the map cannot be read. */
int lw_aftr_pool_covers(const struct lw_aftr_maps *m, __be32 addr, unsigned prefixlen);

#endif
