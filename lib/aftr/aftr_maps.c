// SPDX-License-Identifier: GPL-2.0
/* The lwAFTR maps from user space. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lw4o6/abi.h"
#include "aftr_maps.h"
#include "addr.h"
#include "errmsg.h"
#include "percpu_counters.h"
#include "pinned_maps.h"
#include "bind_priv.h"

#define LW_STAT_NAME_(name, str) [LW_STAT_##name] = str,
static const char *const stat_names[LW_STAT_MAX] = { LW_STAT_LIST(LW_STAT_NAME_) };
#undef LW_STAT_NAME_

const char *lw_stat_name(unsigned stat)
{
	return stat < LW_STAT_MAX ? stat_names[stat] : "?";
}

#define SLOT(field, name) LW_MAP_SLOT(struct lw_aftr_maps, field, name)
static const struct lw_map_slot slots[] = {
	SLOT(meta, LW_STR(LW_MAP_META)),
	SLOT(cfg, LW_STR(LW_MAP_AFTR_CFG)),
	SLOT(bind_state, LW_STR(LW_MAP_BIND_STATE)),
	SLOT(addr_l1, LW_STR(LW_MAP_ADDR_L1)),
	SLOT(addr_l2, LW_STR(LW_MAP_ADDR_L2)),
	SLOT(addr_recs, LW_STR(LW_MAP_ADDR_RECS)),
	SLOT(addr_blocks, LW_STR(LW_MAP_ADDR_BLKS)),
	SLOT(sw_chunks, LW_STR(LW_MAP_SW_CHUNKS)),
	SLOT(sw_empty, LW_STR(LW_MAP_SW_EMPTY)),
	SLOT(br_addrs, LW_STR(LW_MAP_BR_ADDRS)),
	SLOT(br_by_index, "lw_br_by_index"),
	SLOT(pools, "lw_ipv4_pools"),
	SLOT(stats, LW_STR(LW_MAP_STATS)),
	SLOT(events, LW_STR(LW_MAP_EVENTS)),
	SLOT(ratelim, LW_STR(LW_MAP_RATELIM)),
};
#undef SLOT
/* a map added to struct lw_aftr_maps must be added here too */
_Static_assert(offsetof(struct lw_aftr_maps, bind) ==
		       (sizeof(slots) / sizeof(slots[0]) * sizeof(int) + sizeof(void *) - 1) /
			       sizeof(void *) * sizeof(void *),
	       "one slot per map descriptor");

static const struct lw_map_set aftr_map_set = {
	.role_name = "lwAFTR",
	.role = LW_ROLE_AFTR,
	.slots = slots,
	.n_slots = sizeof(slots) / sizeof(slots[0]),
};

int lw_aftr_maps_prepare(struct lw_aftr_maps *m, const char *lock_dir)
{
	m->bind = bind_new(lock_dir);
	return m->bind ? 0 : -errno;
}

/* The directory an object's maps are pinned in, or NULL. */
static char *pin_dir_of(struct bpf_object *obj)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, LW_STR(LW_MAP_BIND_STATE));
	const char *path = map ? bpf_map__pin_path(map) : NULL;
	char *dir, *slash;

	if (!path || !(dir = strdup(path)))
		return NULL;
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	return dir;
}

int lw_aftr_maps_from_obj(struct bpf_object *obj, struct lw_aftr_maps *m, char *err, size_t errlen)
{
	char *dir;
	int r;

	memset(m, 0, sizeof(*m));
	r = lw_map_set_from_obj(&aftr_map_set, obj, m, err, errlen);
	if (r)
		return r;
	dir = pin_dir_of(obj);
	r = lw_aftr_maps_prepare(m, dir);
	free(dir);
	if (r)
		return lw_errf_code(r, err, errlen, "cannot prepare the binding table: %s",
				    strerror(-r));
	return 0;
}

void lw_aftr_maps_close(struct lw_aftr_maps *m)
{
	if (m->own_fds)
		lw_map_set_close(&aftr_map_set, m);
	m->own_fds = false;
	bind_free(m->bind);
	m->bind = NULL;
}

int lw_aftr_maps_open_pinned(const char *root, struct lw_aftr_maps *m, char *err, size_t errlen)
{
	struct lw_meta meta;
	int r;

	memset(m, 0, sizeof(*m));
	r = lw_map_set_open_pinned(&aftr_map_set, root, m, &meta, err, errlen);
	if (r == -ENOENT)
		lw_err_append(err, errlen, " (run 'lw4o6 load aftr ...')");
	if (r == -ENOTSUP)
		return lw_errf_code(
			-EPROTO, err, errlen,
			"maps pinned under %s come from an incompatible build (ABI %u, this build %u); "
			"remove them with 'lw4o6 unload' (or rm -r %s) and load again",
			root, meta.abi_version, LW_ABI_VERSION, root);
	if (r)
		return r;
	m->own_fds = true;
	if ((r = lw_aftr_maps_prepare(m, root))) {
		lw_aftr_maps_close(m);
		return lw_errf_code(r, err, errlen, "cannot open %s: %s", root, strerror(-r));
	}
	return 0;
}

int lw_aftr_write_meta(const struct lw_aftr_maps *m)
{
	return lw_meta_write(m->meta, LW_ROLE_AFTR);
}

int lw_aftr_config_read(const struct lw_aftr_maps *m, struct lw_aftr_config *cfg)
{
	return lw_map_entry0_read(m->cfg, cfg);
}

/* ---- BR addresses, and the configuration's copy of them ---------------------------- */

static const struct in6_addr no_br;

static int read_brs(const struct lw_aftr_maps *m, struct in6_addr brs[LW_MAX_BR_ADDRS])
{
	return bind_read_range(m->br_by_index, 0, LW_MAX_BR_ADDRS, brs, sizeof(brs[0]));
}

int lw_aftr_br_count(const struct lw_aftr_maps *m, size_t *n)
{
	struct in6_addr brs[LW_MAX_BR_ADDRS];
	int r = read_brs(m, brs);

	*n = 0;
	for (size_t i = 0; !r && i < LW_MAX_BR_ADDRS; i++)
		*n += memcmp(&brs[i], &no_br, sizeof(no_br)) != 0;
	return r;
}

int lw_aftr_config_sync_locked(const struct lw_aftr_maps *m, const struct lw_aftr_config *cfg)
{
	struct in6_addr brs[LW_MAX_BR_ADDRS];
	struct lw_aftr_config c = *cfg;
	int r = read_brs(m, brs);

	if (r)
		return r;
	c.br_count = 0;
	c.br_index = 0;
	memset(&c.br_addr, 0, sizeof(c.br_addr));
	for (__u32 i = 0; i < LW_MAX_BR_ADDRS; i++) {
		if (!memcmp(&brs[i], &no_br, sizeof(no_br)))
			continue;
		if (!c.br_count++) {
			c.br_index = i;
			c.br_addr = brs[i];
		}
	}
	return lw_map_entry0_write(m->cfg, &c);
}

/* The configuration as it is, its BR fields brought up to date. */
static int config_resync_locked(const struct lw_aftr_maps *m)
{
	struct lw_aftr_config c;
	int r = lw_aftr_config_read(m, &c);

	return r ? r : lw_aftr_config_sync_locked(m, &c);
}

int lw_aftr_config_write(const struct lw_aftr_maps *m, const struct lw_aftr_config *cfg)
{
	int r = bind_lock(m);

	if (r)
		return r;
	r = lw_aftr_config_sync_locked(m, cfg);
	bind_unlock(m);
	return r;
}

int lw_aftr_br_index_locked(const struct lw_aftr_maps *m, const struct in6_addr *br, __u32 *index,
			    bool *added, char *err, size_t errlen)
{
	struct lw_br val;
	struct in6_addr slot;

	*added = false;
	if (bpf_map_lookup_elem(m->br_addrs, br, &val) == 0) {
		*index = val.index;
		return 0;
	}
	for (__u32 i = 0; i < LW_MAX_BR_ADDRS; i++) {
		int r;

		if (bpf_map_lookup_elem(m->br_by_index, &i, &slot))
			return -errno;
		if (memcmp(&slot, &no_br, sizeof(no_br)) != 0)
			continue;
		val.index = i;
		val.reserved = 0;
		/* the index first: the data plane finds a BR by address */
		if ((r = bind_update(m->br_by_index, &i, br)) ||
		    (bpf_map_update_elem(m->br_addrs, br, &val, BPF_NOEXIST) && (r = -errno)) ||
		    (r = config_resync_locked(m)))
			return lw_errf_code(r, err, errlen, "cannot add BR address: %s",
					    strerror(-r));
		*index = i;
		*added = true;
		return 0;
	}
	return lw_errf_code(-E2BIG, err, errlen, "more than %d BR addresses", LW_MAX_BR_ADDRS);
}

int lw_aftr_br_remove_locked(const struct lw_aftr_maps *m, __u32 index)
{
	struct in6_addr br;

	if (bpf_map_lookup_elem(m->br_by_index, &index, &br))
		return -errno;
	if (!memcmp(&br, &no_br, sizeof(no_br)))
		return 0;
	if (bpf_map_delete_elem(m->br_addrs, &br) && errno != ENOENT)
		return -errno;
	if (bpf_map_update_elem(m->br_by_index, &index, &no_br, BPF_ANY))
		return -errno;
	return config_resync_locked(m);
}

int lw_aftr_br_add(const struct lw_aftr_maps *m, const struct in6_addr *br, char *err,
		   size_t errlen)
{
	__u32 index;
	bool added;
	int r = bind_lock(m);

	if (r)
		return lw_errf_code(r, err, errlen, "cannot lock the binding table: %s",
				    strerror(-r));
	r = lw_aftr_br_index_locked(m, br, &index, &added, err, errlen);
	bind_unlock(m);
	return r;
}

bool lw_aftr_is_br(const struct lw_aftr_maps *m, const struct in6_addr *br)
{
	struct lw_br val;

	return bpf_map_lookup_elem(m->br_addrs, br, &val) == 0;
}

/* ---- pools: the LPM trie, and the bit of every /16 it touches in l1 ---------------- */

static __be32 prefix_mask(unsigned prefixlen)
{
	return prefixlen ? htonl(~0u << (32 - prefixlen)) : 0;
}

/* The /16s prefix addr/len touches: [*first, *first + *n). */
static void prefix_16s(__be32 addr, unsigned len, uint32_t *first, uint32_t *n)
{
	*first = ntohl(addr) >> 16;
	*n = len >= 16 ? 1 : 1u << (16 - len);
}

struct pool_scan {
	uint32_t s16;
	bool hit;
};

static int pool_touches(__be32 addr, unsigned len, void *arg)
{
	struct pool_scan *ps = arg;
	uint32_t first, n;

	prefix_16s(addr, len, &first, &n);
	if (ps->s16 >= first && ps->s16 - first < n)
		ps->hit = true;
	return ps->hit;
}

/* Sets the pool bit of the /16s of addr/len as the pools now say. */
static int pool_bits(const struct lw_aftr_maps *m, __be32 addr, unsigned len)
{
	struct lw_bind *b = m->bind;
	uint32_t first, n;
	int r = 0;

	prefix_16s(addr, len, &first, &n);
	for (uint32_t k = first; !r && k < first + n; k++) {
		struct pool_scan ps = { .s16 = k };
		uint32_t v;

		if ((r = lw_aftr_pool_foreach(m, pool_touches, &ps)) < 0)
			break;
		r = 0;
		v = ps.hit ? b->l1[k] | LW_L1_POOL : b->l1[k] & ~LW_L1_POOL;
		if (v != b->l1[k] && !(r = bind_update(m->addr_l1, &k, &v)))
			b->l1[k] = v;
	}
	return r < 0 ? r : 0;
}

/* A pool change: the trie first, the bits then follow it. A bit is only a
 * hint (the data plane still asks the trie), so a bit without its pool
 * costs one lookup, and a pool never goes unseen: its bits are set after it
 * is in the trie. */
static int pool_change(const struct lw_aftr_maps *m, __be32 addr, unsigned prefixlen, bool add)
{
	struct lw_ipv4_prefix key = { .prefixlen = prefixlen };
	__u32 val = 0;
	int r;

	if (prefixlen > 32)
		return -EINVAL;
	key.addr = addr & prefix_mask(prefixlen);
	if ((r = bind_begin(m, NULL, 0)))
		return r;
	if (add ? bpf_map_update_elem(m->pools, &key, &val, BPF_ANY)
		: bpf_map_delete_elem(m->pools, &key))
		r = -errno;
	if (!r)
		r = pool_bits(m, key.addr, prefixlen);
	bind_end(m, r == 0);
	return r;
}

int lw_aftr_pool_add(const struct lw_aftr_maps *m, __be32 addr, unsigned prefixlen)
{
	return pool_change(m, addr, prefixlen, true);
}

int lw_aftr_pool_del(const struct lw_aftr_maps *m, __be32 addr, unsigned prefixlen)
{
	return pool_change(m, addr, prefixlen, false);
}

int lw_aftr_pools_clear(const struct lw_aftr_maps *m)
{
	struct lw_ipv4_prefix key;
	struct lw_bind *b;
	int r = bind_begin(m, NULL, 0);

	if (r)
		return r;
	b = m->bind;
	while (!r && bpf_map_get_next_key(m->pools, NULL, &key) == 0)
		if (bpf_map_delete_elem(m->pools, &key))
			r = -errno;
	for (uint32_t k = 0; !r && k < LW_L1_ENTRIES; k++) {
		uint32_t v = b->l1[k] & ~LW_L1_POOL;

		if (v != b->l1[k] && !(r = bind_update(m->addr_l1, &k, &v)))
			b->l1[k] = v;
	}
	bind_end(m, r == 0);
	return r;
}

int lw_aftr_pool_foreach(const struct lw_aftr_maps *m,
			 int (*fn)(__be32 addr, unsigned prefixlen, void *arg), void *arg)
{
	struct lw_ipv4_prefix key, *prev = NULL;
	int ret;

	while (bpf_map_get_next_key(m->pools, prev, &key) == 0) {
		if ((ret = fn(key.addr, key.prefixlen, arg)))
			return ret;
		prev = &key;
	}
	return 0;
}

int lw_aftr_pool_covers(const struct lw_aftr_maps *m, __be32 addr, unsigned prefixlen)
{
	struct lw_ipv4_prefix key = { .prefixlen = prefixlen, .addr = addr };
	__u32 val; /* only presence counts */

	return bpf_map_lookup_elem(m->pools, &key, &val) ? -errno : 0;
}

int lw_aftr_stats_read(const struct lw_aftr_maps *m, struct lw_counter out[LW_STAT_MAX])
{
	return lw_percpu_counters_read(m->stats, LW_STAT_MAX, out);
}

int lw_aftr_stats_reset(const struct lw_aftr_maps *m)
{
	return lw_percpu_counters_reset(m->stats, LW_STAT_MAX);
}
