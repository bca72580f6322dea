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
	SLOT(psid, LW_STR(LW_MAP_PSID)),
	SLOT(softwires, LW_STR(LW_MAP_SOFTWIRES)),
	SLOT(br_addrs, LW_STR(LW_MAP_BR_ADDRS)),
	SLOT(br_by_index, "lw_br_by_index"),
	SLOT(pools, "lw_ipv4_pools"),
	SLOT(stats, LW_STR(LW_MAP_STATS)),
	SLOT(events, LW_STR(LW_MAP_EVENTS)),
	SLOT(ratelim, LW_STR(LW_MAP_RATELIM)),
};
#undef SLOT
/* a map added to struct lw_aftr_maps must be added here too */
_Static_assert(sizeof(struct lw_aftr_maps) == sizeof(slots) / sizeof(slots[0]) * sizeof(int),
	       "one slot per map descriptor");

static const struct lw_map_set aftr_map_set = {
	.role_name = "lwAFTR",
	.role = LW_ROLE_AFTR,
	.slots = slots,
	.n_slots = sizeof(slots) / sizeof(slots[0]),
};

int lw_aftr_maps_from_obj(struct bpf_object *obj, struct lw_aftr_maps *m, char *err, size_t errlen)
{
	return lw_map_set_from_obj(&aftr_map_set, obj, m, err, errlen);
}

void lw_aftr_maps_close(struct lw_aftr_maps *m)
{
	lw_map_set_close(&aftr_map_set, m);
}

int lw_aftr_maps_open_pinned(const char *root, struct lw_aftr_maps *m, char *err, size_t errlen)
{
	struct lw_meta meta;
	int r = lw_map_set_open_pinned(&aftr_map_set, root, m, &meta, err, errlen);

	if (r == -ENOENT)
		lw_err_append(err, errlen, " (run 'lw4o6 load aftr ...')");
	if (r == -ENOTSUP)
		return lw_errf_code(
			-EPROTO, err, errlen,
			"maps pinned under %s come from an incompatible build (ABI %u, this build %u); "
			"remove them with 'lw4o6 unload' (or rm -r %s) and load again",
			root, meta.abi_version, LW_ABI_VERSION, root);
	return r;
}

int lw_aftr_write_meta(const struct lw_aftr_maps *m)
{
	return lw_meta_write(m->meta, LW_ROLE_AFTR);
}

int lw_aftr_config_read(const struct lw_aftr_maps *m, struct lw_aftr_config *cfg)
{
	return lw_map_entry0_read(m->cfg, cfg);
}

int lw_aftr_config_write(const struct lw_aftr_maps *m, const struct lw_aftr_config *cfg)
{
	return lw_map_entry0_write(m->cfg, cfg);
}

/* Index of br in the installed BR table, allocating a free slot when absent. */
static int br_index_for(const struct lw_aftr_maps *m, const struct in6_addr *br, __u32 *index,
			char *err, size_t errlen)
{
	static const struct in6_addr any;
	struct lw_br val;
	struct in6_addr slot;

	if (bpf_map_lookup_elem(m->br_addrs, br, &val) == 0) {
		*index = val.index;
		return 0;
	}
	for (__u32 i = 0; i < LW_MAX_BR_ADDRS; i++) {
		if (bpf_map_lookup_elem(m->br_by_index, &i, &slot))
			return -errno;
		if (memcmp(&slot, &any, sizeof(any)) != 0)
			continue;
		val.index = i;
		val.reserved = 0;
		if (bpf_map_update_elem(m->br_by_index, &i, br, BPF_ANY) ||
		    bpf_map_update_elem(m->br_addrs, br, &val, BPF_NOEXIST))
			return lw_errf_code(-errno, err, errlen, "cannot add BR address: %s",
					    strerror(errno));
		*index = i;
		return 0;
	}
	return lw_errf_code(-E2BIG, err, errlen, "more than %d BR addresses", LW_MAX_BR_ADDRS);
}

int lw_aftr_br_add(const struct lw_aftr_maps *m, const struct in6_addr *br, char *err,
		   size_t errlen)
{
	__u32 index;

	return br_index_for(m, br, &index, err, errlen);
}

bool lw_aftr_is_br(const struct lw_aftr_maps *m, const struct in6_addr *br)
{
	struct lw_br val;

	return bpf_map_lookup_elem(m->br_addrs, br, &val) == 0;
}

struct lw_addr_params {
	__be32 addr;
	struct lw_psid_params ps;
};

/* Entries per batched system call. */
#define BATCH_MAX 65536
/* First room for the keys of a map being cleared; it doubles. */
#define CLEAR_FIRST_CAP 1024

static size_t batch_len(size_t n, size_t i)
{
	return n - i < BATCH_MAX ? n - i : BATCH_MAX;
}

/* Collects every key first (a walk that deletes as it goes restarts from the
 * first bucket each time: quadratic on a million softwires), then deletes
 * them in batches, one by one where batches are refused. */
static int clear_map(int fd, size_t key_size)
{
	unsigned char *keys = NULL;
	size_t n = 0, cap = 0;
	int ret = 0;

	for (;;) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : CLEAR_FIRST_CAP;
			void *k = realloc(keys, ncap * key_size);

			if (!k) {
				free(keys);
				return -ENOMEM;
			}
			keys = k;
			cap = ncap;
		}
		if (bpf_map_get_next_key(fd, n ? keys + (n - 1) * key_size : NULL,
					 keys + n * key_size))
			break;
		n++;
	}
	for (size_t i = 0; i < n; i += BATCH_MAX) {
		__u32 cnt = (__u32)batch_len(n, i);
		LIBBPF_OPTS(bpf_map_batch_opts, opts);

		if (bpf_map_delete_batch(fd, keys + i * key_size, &cnt, &opts) == 0)
			continue;
		for (size_t j = i; j < i + batch_len(n, i); j++)
			if (bpf_map_delete_elem(fd, keys + j * key_size) && errno != ENOENT) {
				ret = -errno;
				goto out;
			}
	}
out:
	free(keys);
	return ret;
}

/* Keys and values for one map, n of them so far, each array with room for
 * the table's entries (one at least: an empty table is no failure). */
struct batch {
	void *keys, *vals;
	size_t n, key_size, val_size;
};

static int batch_alloc(struct batch *b, size_t cap, size_t key_size, size_t val_size)
{
	*b = (struct batch){ .key_size = key_size, .val_size = val_size };
	b->keys = calloc(cap ? cap : 1, key_size);
	b->vals = calloc(cap ? cap : 1, val_size);
	return b->keys && b->vals ? 0 : -ENOMEM;
}

static void batch_free(struct batch *b)
{
	free(b->keys);
	free(b->vals);
}

/* Batched update with a per-element fallback for kernels or map types that
 * refuse batches. */
static int batch_install(int fd, const struct batch *b)
{
	const char *keys = b->keys, *vals = b->vals;

	for (size_t i = 0; i < b->n; i += BATCH_MAX) {
		__u32 cnt = (__u32)batch_len(b->n, i);
		LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);

		if (bpf_map_update_batch(fd, keys + i * b->key_size, vals + i * b->val_size, &cnt,
					 &opts) == 0)
			continue;
		for (size_t j = i; j < i + batch_len(b->n, i); j++)
			if (bpf_map_update_elem(fd, keys + j * b->key_size, vals + j * b->val_size,
						BPF_ANY))
				return -errno;
	}
	return 0;
}

static int cmp_be32(const void *a, const void *b)
{
	__u32 x = ntohl(((const struct lw_addr_params *)a)->addr);
	__u32 y = ntohl(((const struct lw_addr_params *)b)->addr);

	return x < y ? -1 : x > y;
}

/* The port-set parameters of every address, once per address (validated to
 * agree). */
static int install_psid_params(const struct lw_aftr_maps *m, const struct lw_aftr_setup *s)
{
	struct lw_addr_params *v = calloc(s->n_softwires ? s->n_softwires : 1, sizeof(*v));
	struct batch b;
	int ret;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < s->n_softwires; i++) {
		v[i].addr = s->softwires[i].ipv4;
		v[i].ps = s->softwires[i].ps;
	}
	qsort(v, s->n_softwires, sizeof(*v), cmp_be32);
	ret = batch_alloc(&b, s->n_softwires, sizeof(__be32), sizeof(struct lw_psid_params));
	for (size_t i = 0; !ret && i < s->n_softwires; i++) {
		__be32 *keys = b.keys;
		struct lw_psid_params *vals = b.vals;

		if (i && v[i].addr == v[i - 1].addr)
			continue;
		keys[b.n] = v[i].addr;
		vals[b.n] = v[i].ps;
		b.n++;
	}
	if (!ret)
		ret = batch_install(m->psid, &b);
	batch_free(&b);
	free(v);
	return ret;
}

/* Empties the binding table and the BR addresses (install with replace). */
static int clear_tables(const struct lw_aftr_maps *m, char *err, size_t errlen)
{
	static const struct in6_addr none;
	int ret;

	if ((ret = clear_map(m->softwires, sizeof(struct lw_softwire_key))) ||
	    (ret = clear_map(m->psid, sizeof(__be32))) ||
	    (ret = clear_map(m->br_addrs, sizeof(struct in6_addr))))
		return lw_errf_code(ret, err, errlen, "cannot clear binding table: %s",
				    strerror(-ret));
	for (__u32 i = 0; i < LW_MAX_BR_ADDRS; i++)
		if (bpf_map_update_elem(m->br_by_index, &i, &none, BPF_ANY))
			return lw_errf_code(-errno, err, errlen, "cannot clear BR table: %s",
					    strerror(errno));
	return 0;
}

/* The binding table's entries: br_idx[b] is the installed index of the
 * setup's BR address b. */
static int softwire_batch(const struct lw_aftr_setup *s, const __u32 *br_idx, struct batch *b,
			  char *err, size_t errlen)
{
	struct lw_softwire_key *keys = b->keys;
	struct lw_softwire *vals = b->vals;

	for (size_t i = 0; i < s->n_softwires; i++) {
		const struct lw_softwire_entry *e = &s->softwires[i];
		size_t br;

		for (br = 0; br < s->n_br_addrs; br++)
			if (memcmp(&s->br_addrs[br], &e->br_ipv6, sizeof(e->br_ipv6)) == 0)
				break;
		if (br == s->n_br_addrs)
			return lw_errf(err, errlen, "softwire %zu: BR address not in the BR table",
				       i);
		keys[i].ipv4 = e->ipv4;
		keys[i].psid = e->psid;
		vals[i].b4_ipv6 = e->b4_ipv6;
		vals[i].br_index = br_idx[br];
		b->n++;
	}
	return 0;
}

static const char *full_hint(int ret, const char *hint)
{
	return ret == -E2BIG || ret == -ENOSPC ? hint : "";
}

int lw_aftr_install(const struct lw_aftr_maps *m, const struct lw_aftr_setup *s, int replace,
		    char *err, size_t errlen)
{
	struct batch sw = {};
	__u32 *br_idx = NULL;
	int ret;

	if ((ret = lw_aftr_write_meta(m)) || (ret = lw_aftr_config_write(m, &s->cfg)))
		return lw_errf_code(ret, err, errlen, "cannot write configuration: %s",
				    strerror(-ret));
	if (replace && (ret = clear_tables(m, err, errlen)))
		return ret;
	br_idx = calloc(s->n_br_addrs ? s->n_br_addrs : 1, sizeof(*br_idx));
	if (!br_idx)
		return -ENOMEM;
	for (size_t i = 0; i < s->n_br_addrs; i++)
		if ((ret = br_index_for(m, &s->br_addrs[i], &br_idx[i], err, errlen)))
			goto out;
	ret = batch_alloc(&sw, s->n_softwires, sizeof(struct lw_softwire_key),
			  sizeof(struct lw_softwire));
	if (!ret)
		ret = softwire_batch(s, br_idx, &sw, err, errlen);
	if (ret)
		goto out;
	/* port-set parameters before the softwires that need them */
	ret = install_psid_params(m, s);
	if (ret) {
		lw_errf_code(ret, err, errlen, "cannot add port-set parameters: %s%s",
			     strerror(-ret), full_hint(ret, " (too many addresses)"));
		goto out;
	}
	ret = batch_install(m->softwires, &sw);
	if (ret)
		lw_errf_code(ret, err, errlen, "cannot install softwires: %s%s", strerror(-ret),
			     full_hint(ret, " (binding table full)"));
out:
	batch_free(&sw);
	free(br_idx);
	return ret;
}

/* Whether any softwire of ipv4 is installed. Probes the 2^psid-len keys its
 * parameters allow instead of walking the table: bounded by 65536 lookups
 * whatever the table's size (a walk is a million system calls). */
static bool address_has_softwires(const struct lw_aftr_maps *m, __be32 ipv4)
{
	struct lw_psid_params pp;
	struct lw_softwire_key key = { .ipv4 = ipv4 };
	struct lw_softwire val;

	if (bpf_map_lookup_elem(m->psid, &ipv4, &pp))
		return false;
	for (__u32 psid = 0; psid < (1u << pp.psid_len); psid++) {
		key.psid = (__u16)psid;
		if (bpf_map_lookup_elem(m->softwires, &key, &val) == 0)
			return true;
	}
	return false;
}

int lw_aftr_softwire_add(const struct lw_aftr_maps *m, const struct lw_softwire_entry *e, char *err,
			 size_t errlen)
{
	struct lw_psid_params have;
	struct lw_softwire_key key = { .ipv4 = e->ipv4, .psid = e->psid };
	struct lw_softwire val = { .b4_ipv6 = e->b4_ipv6 };
	char a[LW_IPV4_STRLEN];
	int ret;

	lw_format_ipv4(e->ipv4, a, sizeof(a));
	if (e->ps.psid_offset + e->ps.psid_len > LW_PORT_BITS)
		return lw_errf(err, errlen, "%s: psid-offset %u + psid-len %u exceeds 16", a,
			       e->ps.psid_offset, e->ps.psid_len);
	if (e->ps.psid_len < LW_PORT_BITS && e->psid >= (1u << e->ps.psid_len))
		return lw_errf(err, errlen, "%s: psid %u does not fit psid-len %u", a, e->psid,
			       e->ps.psid_len);
	if (bpf_map_lookup_elem(m->psid, &e->ipv4, &have) == 0 &&
	    (have.psid_offset != e->ps.psid_offset || have.psid_len != e->ps.psid_len) &&
	    address_has_softwires(m, e->ipv4))
		return lw_errf(
			err, errlen,
			"%s already has softwires with psid-offset %u psid-len %u; all softwires of one address "
			"must share them (RFC 7597 §5.1)",
			a, have.psid_offset, have.psid_len);
	if (bpf_map_lookup_elem(m->softwires, &key, &val) == 0)
		return lw_errf_code(-EEXIST, err, errlen, "%s psid %u is already bound", a,
				    e->psid);
	memset(&val, 0, sizeof(val));
	val.b4_ipv6 = e->b4_ipv6;
	if ((ret = br_index_for(m, &e->br_ipv6, &val.br_index, err, errlen)))
		return ret;
	if (bpf_map_update_elem(m->psid, &e->ipv4, &e->ps, BPF_ANY) ||
	    bpf_map_update_elem(m->softwires, &key, &val, BPF_NOEXIST))
		return lw_errf_code(-errno, err, errlen, "cannot add softwire %s psid %u: %s", a,
				    e->psid, strerror(errno));
	return 0;
}

int lw_aftr_softwire_del(const struct lw_aftr_maps *m, __be32 ipv4, __u16 psid, char *err,
			 size_t errlen)
{
	struct lw_softwire_key key = { .ipv4 = ipv4, .psid = psid };
	char a[LW_IPV4_STRLEN];

	lw_format_ipv4(ipv4, a, sizeof(a));
	if (bpf_map_delete_elem(m->softwires, &key))
		return lw_errf_code(-errno, err, errlen, "%s psid %u: %s", a, psid,
				    errno == ENOENT ? "no such softwire" : strerror(errno));
	/* The address stays ours (pool) but loses its parameters with its last
	 * softwire, so that a later add may choose new ones. */
	if (!address_has_softwires(m, ipv4))
		bpf_map_delete_elem(m->psid, &ipv4);
	return 0;
}

int lw_aftr_softwire_foreach(const struct lw_aftr_maps *m,
			     int (*fn)(const struct lw_softwire_row *row, void *arg), void *arg)
{
	struct lw_softwire_key key, *prev = NULL;
	struct lw_softwire_row row;
	struct in6_addr br;
	int ret;

	while (bpf_map_get_next_key(m->softwires, prev, &key) == 0) {
		memset(&row, 0, sizeof(row));
		if (bpf_map_lookup_elem(m->softwires, &key, &row.counters) == 0) {
			row.entry.ipv4 = key.ipv4;
			row.entry.psid = key.psid;
			row.entry.b4_ipv6 = row.counters.b4_ipv6;
			bpf_map_lookup_elem(m->psid, &key.ipv4, &row.entry.ps);
			if (bpf_map_lookup_elem(m->br_by_index, &row.counters.br_index, &br) == 0)
				row.entry.br_ipv6 = br;
			if ((ret = fn(&row, arg)))
				return ret;
		}
		prev = &key;
	}
	return 0;
}

int lw_aftr_softwire_count(const struct lw_aftr_maps *m, size_t *count)
{
	struct lw_softwire_key key, *prev = NULL;
	size_t n = 0;

	while (bpf_map_get_next_key(m->softwires, prev, &key) == 0) {
		n++;
		prev = &key;
	}
	*count = n;
	return 0;
}

static __be32 prefix_mask(unsigned prefixlen)
{
	return prefixlen ? htonl(~0u << (32 - prefixlen)) : 0;
}

int lw_aftr_pool_add(const struct lw_aftr_maps *m, __be32 addr, unsigned prefixlen)
{
	struct lw_ipv4_prefix key = { .prefixlen = prefixlen };
	__u32 val = 0;

	if (prefixlen > 32)
		return -EINVAL;
	key.addr = addr & prefix_mask(prefixlen);
	return bpf_map_update_elem(m->pools, &key, &val, BPF_ANY) ? -errno : 0;
}

int lw_aftr_pools_clear(const struct lw_aftr_maps *m)
{
	return clear_map(m->pools, sizeof(struct lw_ipv4_prefix));
}

int lw_aftr_pool_del(const struct lw_aftr_maps *m, __be32 addr, unsigned prefixlen)
{
	struct lw_ipv4_prefix key = { .prefixlen = prefixlen };

	if (prefixlen > 32)
		return -EINVAL;
	key.addr = addr & prefix_mask(prefixlen);
	return bpf_map_delete_elem(m->pools, &key) ? -errno : 0;
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

int lw_aftr_stats_read(const struct lw_aftr_maps *m, struct lw_counter out[LW_STAT_MAX])
{
	return lw_percpu_counters_read(m->stats, LW_STAT_MAX, out);
}

int lw_aftr_stats_reset(const struct lw_aftr_maps *m)
{
	return lw_percpu_counters_reset(m->stats, LW_STAT_MAX);
}

/* ---- single entries: the lookups pcpd and the slow path make ---- */

int lw_aftr_softwire_get(const struct lw_aftr_maps *m, __be32 ipv4, __u16 psid, struct in6_addr *b4,
			 struct in6_addr *br)
{
	struct lw_softwire_key key = { .ipv4 = ipv4, .psid = psid };
	struct lw_softwire sw;

	if (bpf_map_lookup_elem(m->softwires, &key, &sw))
		return -ENOENT;
	if (br && bpf_map_lookup_elem(m->br_by_index, &sw.br_index, br))
		return -EIO;
	*b4 = sw.b4_ipv6;
	return 0;
}

int lw_aftr_psid_params_get(const struct lw_aftr_maps *m, __be32 ipv4, struct lw_psid_params *pp)
{
	return bpf_map_lookup_elem(m->psid, &ipv4, pp) ? -ENOENT : 0;
}

int lw_aftr_pool_covers(const struct lw_aftr_maps *m, __be32 addr, unsigned prefixlen)
{
	struct lw_ipv4_prefix key = { .prefixlen = prefixlen, .addr = addr };
	__u32 val; /* only presence counts */

	return bpf_map_lookup_elem(m->pools, &key, &val) ? -errno : 0;
}
