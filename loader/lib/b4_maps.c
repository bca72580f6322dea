// SPDX-License-Identifier: GPL-2.0
/* User-space side of the lwB4 maps; see b4_maps.h. Mappings are removed in
 * both directions together, the reverse (lw_b4_in) entry last, so that the
 * data plane never sees a reverse entry pointing to a mapping that a new
 * flow could not also claim (the port is free again only once both are
 * gone). */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lw4o6/abi.h"
#include "b4_maps.h"
#include "errmsg.h"
#include "percpu_counters.h"

struct b4_slot {
	const char *name;
	size_t off;
};

#define B4_SLOT(field, name) { LW_STR(name), offsetof(struct lw_b4_maps, field) }
static const struct b4_slot b4_slots[] = {
	B4_SLOT(meta, LW_MAP_B4_META),
	B4_SLOT(cfg, LW_MAP_B4_CFG),
	B4_SLOT(pool, LW_MAP_B4_POOL),
	B4_SLOT(out, LW_MAP_B4_OUT),
	B4_SLOT(in, LW_MAP_B4_IN),
	B4_SLOT(stats, LW_MAP_B4_STATS),
	B4_SLOT(events, LW_MAP_B4_EVENTS),
	B4_SLOT(ratelim, LW_MAP_B4_RATELIM),
	B4_SLOT(usage, LW_MAP_B4_USAGE),
};

int lw_b4_maps_from_obj(struct bpf_object *obj, struct lw_b4_maps *m, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(b4_slots) / sizeof(b4_slots[0]); i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(obj, b4_slots[i].name);

		if (!map)
			return lw_errf_code(-ENOENT, err, errlen,
					    "BPF object has no map %s: not an lwB4 object of this build",
					    b4_slots[i].name);
		*(int *)((char *)m + b4_slots[i].off) = bpf_map__fd(map);
	}
	return 0;
}

void lw_b4_config_init(struct lw_b4_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->flags = LW_B4_CFG_DEFAULT_FLAGS;
	cfg->hop_limit = 64;
	cfg->ipv6_mtu = 1500;
	cfg->event_rate = 1000;
	cfg->event_burst = 100;
	cfg->udp_timeout = LW_B4_DEFAULT_UDP_TIMEOUT;
	cfg->tcp_est_timeout = LW_B4_DEFAULT_TCP_EST_TIMEOUT;
	cfg->tcp_trans_timeout = LW_B4_DEFAULT_TCP_TRANS_TIMEOUT;
	cfg->icmp_timeout = LW_B4_DEFAULT_ICMP_TIMEOUT;
}

int lw_b4_config_read(const struct lw_b4_maps *m, struct lw_b4_config *cfg)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(m->cfg, &key, cfg) ? -errno : 0;
}

int lw_b4_config_write(const struct lw_b4_maps *m, const struct lw_b4_config *cfg)
{
	__u32 key = 0;

	return bpf_map_update_elem(m->cfg, &key, cfg, BPF_ANY) ? -errno : 0;
}

/* ---- pool ----------------------------------------------------------------------- */

bool lw_b4_portset_valid(const struct lw_b4_portset *ps)
{
	if (ps->size == 0 || ps->size > 65536 || (ps->size & (ps->size - 1)))
		return false;
	return ps->first % ps->size == 0 && ps->first + ps->size <= 65536;
}

static bool overlaps(const struct lw_b4_portset *a, const struct lw_b4_portset *b)
{
	return a->ipv4 == b->ipv4 && a->first < b->first + b->size && b->first < a->first + a->size;
}

int lw_b4_pool_add(const struct lw_b4_maps *m, const struct lw_b4_portset *ps)
{
	struct lw_b4_portset cur, add = *ps;
	int free_slot = -1;

	if (!lw_b4_portset_valid(ps))
		return -EINVAL;
	for (__u32 i = 0; i < LW_B4_POOL_MAX; i++) {
		if (bpf_map_lookup_elem(m->pool, &i, &cur))
			return -errno;
		if (!cur.size) {
			if (free_slot < 0)
				free_slot = (int)i;
			continue;
		}
		if (overlaps(&cur, ps))
			return -EEXIST;
	}
	if (free_slot < 0)
		return -ENOSPC;
	return bpf_map_update_elem(m->pool, &free_slot, &add, BPF_ANY) ? -errno : 0;
}

int lw_b4_pool_del(const struct lw_b4_maps *m, const struct lw_b4_portset *ps, size_t *flushed)
{
	static const struct lw_b4_portset empty;
	struct lw_b4_portset cur;

	for (__u32 i = 0; i < LW_B4_POOL_MAX; i++) {
		if (bpf_map_lookup_elem(m->pool, &i, &cur))
			return -errno;
		if (cur.size && cur.ipv4 == ps->ipv4 && cur.first == ps->first && cur.size == ps->size) {
			/* no new mapping in the set once it is gone, then flush */
			if (bpf_map_update_elem(m->pool, &i, &empty, BPF_ANY))
				return -errno;
			return lw_b4_flush_portset(m, &cur, flushed);
		}
	}
	return -ENOENT;
}

int lw_b4_pool_list(const struct lw_b4_maps *m, struct lw_b4_portset *out, size_t max, size_t *n)
{
	struct lw_b4_portset cur;

	*n = 0;
	for (__u32 i = 0; i < LW_B4_POOL_MAX; i++) {
		if (bpf_map_lookup_elem(m->pool, &i, &cur))
			return -errno;
		if (!cur.size)
			continue;
		if (*n < max)
			out[*n] = cur;
		(*n)++;
	}
	return 0;
}

int lw_b4_pool_clear(const struct lw_b4_maps *m)
{
	static const struct lw_b4_portset empty;

	for (__u32 i = 0; i < LW_B4_POOL_MAX; i++)
		if (bpf_map_update_elem(m->pool, &i, &empty, BPF_ANY))
			return -errno;
	return 0;
}

/* ---- sessions --------------------------------------------------------------------- */

int lw_b4_session_foreach(const struct lw_b4_maps *m,
			  int (*fn)(const struct lw_b4_session_row *row, void *arg), void *arg)
{
	struct lw_b4_out_key key, next;
	struct lw_b4_session_row row;
	void *prev = NULL;
	int ret;

	while (bpf_map_get_next_key(m->out, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(m->out, &key, &row.s))
			continue; /* deleted meanwhile */
		row.key = key;
		if ((ret = fn(&row, arg)))
			return ret;
	}
	return errno == ENOENT ? 0 : -errno;
}

enum lw_b4_tcp_class lw_b4_tcp_classify(uint8_t tcp_state)
{
	const uint8_t syn = LW_B4_TCP_SYN_OUT | LW_B4_TCP_SYN_IN;
	const uint8_t fin = LW_B4_TCP_FIN_OUT | LW_B4_TCP_FIN_IN;

	if (tcp_state & LW_B4_TCP_RST)
		return LW_B4_TCP_RESET;
	if ((tcp_state & fin) == fin)
		return LW_B4_TCP_CLOSING;
	if ((tcp_state & syn) == syn)
		return LW_B4_TCP_ESTABLISHED;
	return LW_B4_TCP_OPENING;
}

uint64_t lw_b4_session_timeout_ns(const struct lw_b4_config *cfg, uint8_t proto, uint8_t tcp_state)
{
	uint32_t sec;

	switch (proto) {
	case 6: /* IPPROTO_TCP */
		sec = lw_b4_tcp_classify(tcp_state) == LW_B4_TCP_ESTABLISHED ? cfg->tcp_est_timeout
									     : cfg->tcp_trans_timeout;
		break;
	case 17: /* IPPROTO_UDP */
		sec = cfg->udp_timeout;
		break;
	default:
		sec = cfg->icmp_timeout;
		break;
	}
	return (uint64_t)sec * 1000000000ull;
}

bool lw_b4_session_expired(const struct lw_b4_config *cfg, uint8_t proto,
			   const struct lw_b4_session *s, uint64_t now_ns)
{
	uint64_t last = s->last_out_ns;

	/* RFC 7857 §7: inbound refreshes only where it is connection state */
	if (proto == 6 && s->last_in_ns > last)
		last = s->last_in_ns;
	if (now_ns <= last)
		return false;
	return now_ns - last > lw_b4_session_timeout_ns(cfg, proto, s->tcp_state);
}

/* n mappings deleted: the RELEASED slot of lw_b4_usage, written only here
 * (the data plane only adds to CREATED), so a read-modify-write is safe. */
static void usage_release(const struct lw_b4_maps *m, size_t n)
{
	__u32 key = LW_B4_USAGE_RELEASED;
	struct lw_b4_usage u;

	if (!n || m->usage <= 0 || bpf_map_lookup_elem(m->usage, &key, &u))
		return;
	u.count += n;
	bpf_map_update_elem(m->usage, &key, &u, BPF_ANY);
}

int lw_b4_usage_read(const struct lw_b4_maps *m, uint64_t *mapped)
{
	__u32 kc = LW_B4_USAGE_CREATED, kr = LW_B4_USAGE_RELEASED;
	struct lw_b4_usage c, r;

	if (bpf_map_lookup_elem(m->usage, &kc, &c) || bpf_map_lookup_elem(m->usage, &kr, &r))
		return -errno;
	*mapped = c.count > r.count ? c.count - r.count : 0;
	return 0;
}

/* Both directions of one mapping; the reverse entry only if it still names
 * this internal endpoint. *deleted counts the mappings this call removed. */
static int delete_mapping(const struct lw_b4_maps *m, const struct lw_b4_out_key *k,
			  const struct lw_b4_session *s, size_t *deleted)
{
	struct lw_b4_in_key ik = { .addr = s->ext_addr, .port = s->ext_port, .proto = k->proto };
	struct lw_b4_in_val iv;

	if (bpf_map_delete_elem(m->out, k)) {
		if (errno != ENOENT)
			return -errno;
	} else {
		(*deleted)++;
	}
	if (bpf_map_lookup_elem(m->in, &ik, &iv) == 0 && iv.addr == k->addr && iv.port == k->port &&
	    bpf_map_delete_elem(m->in, &ik) && errno != ENOENT)
		return -errno;
	return 0;
}

struct selection {
	const struct lw_b4_config *cfg;
	const struct lw_b4_portset *ps; /* flush: this set; NULL: all */
	uint64_t now_ns;                /* expire: non-zero */
	struct lw_b4_out_key *keys;
	size_t n, cap;
};

static bool selected(const struct selection *sel, const struct lw_b4_session_row *row)
{
	if (sel->now_ns)
		return lw_b4_session_expired(sel->cfg, row->key.proto, &row->s, sel->now_ns);
	if (sel->ps) {
		uint32_t port = ntohs(row->s.ext_port);

		return row->s.ext_addr == sel->ps->ipv4 && port >= sel->ps->first &&
		       port - sel->ps->first < sel->ps->size;
	}
	return true;
}

static int collect(const struct lw_b4_session_row *row, void *arg)
{
	struct selection *sel = arg;

	if (!selected(sel, row))
		return 0;
	if (sel->n == sel->cap) {
		size_t cap = sel->cap ? sel->cap * 2 : 256;
		void *k = realloc(sel->keys, cap * sizeof(*sel->keys));

		if (!k)
			return -ENOMEM;
		sel->keys = k;
		sel->cap = cap;
	}
	sel->keys[sel->n++] = row->key;
	return 0;
}

/* Collects first (deleting while walking a hash map restarts the walk),
 * then deletes each mapping that still qualifies. */
static int delete_selected(const struct lw_b4_maps *m, struct selection *sel, size_t *count)
{
	size_t done = 0, deleted = 0;
	int ret = lw_b4_session_foreach(m, collect, sel);

	for (size_t i = 0; ret == 0 && i < sel->n; i++) {
		struct lw_b4_session_row row = { .key = sel->keys[i] };

		if (bpf_map_lookup_elem(m->out, &row.key, &row.s))
			continue;
		if (!selected(sel, &row)) /* refreshed since */
			continue;
		ret = delete_mapping(m, &row.key, &row.s, &deleted);
		if (ret == 0)
			done++;
	}
	usage_release(m, deleted);
	free(sel->keys);
	if (count)
		*count = done;
	return ret;
}

int lw_b4_expire(const struct lw_b4_maps *m, uint64_t now_ns, size_t *expired)
{
	struct lw_b4_config cfg;
	struct selection sel = { .cfg = &cfg };
	int ret;

	if ((ret = lw_b4_config_read(m, &cfg)))
		return ret;
	if (!now_ns) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		now_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	}
	sel.now_ns = now_ns;
	return delete_selected(m, &sel, expired);
}

int lw_b4_flush_portset(const struct lw_b4_maps *m, const struct lw_b4_portset *ps, size_t *flushed)
{
	struct selection sel = { .ps = ps };

	return delete_selected(m, &sel, flushed);
}

int lw_b4_flush_all(const struct lw_b4_maps *m, size_t *flushed)
{
	struct selection sel = { 0 };

	return delete_selected(m, &sel, flushed);
}

/* ---- counters ----------------------------------------------------------------------- */

int lw_b4_stats_read(const struct lw_b4_maps *m, struct lw_counter out[LW_B4_STAT_MAX])
{
	return lw_percpu_counters_read(m->stats, LW_B4_STAT_MAX, out);
}

int lw_b4_stats_reset(const struct lw_b4_maps *m)
{
	return lw_percpu_counters_reset(m->stats, LW_B4_STAT_MAX);
}

const char *lw_b4_stat_name(unsigned stat)
{
#define LW_B4_STAT_NAME_(name, str) str,
	static const char *const names[] = { LW_B4_STAT_LIST(LW_B4_STAT_NAME_) };
#undef LW_B4_STAT_NAME_

	return stat < LW_B4_STAT_MAX ? names[stat] : "unknown";
}
