// SPDX-License-Identifier: GPL-2.0
/* User-space side of the lwB4 maps; see b4_maps.h. Mappings are removed in
 * both directions together, the reverse (lw_b4_in) entry last, so that the
 * data plane never sees a reverse entry pointing to a mapping that a new
 * flow could not also claim (the port is free again only once both are
 * gone). */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lw4o6/abi.h"
#include "b4_maps.h"
#include "errmsg.h"
#include "percpu_counters.h"
#include "pinned_maps.h"

#define NSEC_PER_SEC        1000000000ull
#define DEFAULT_HOP_LIMIT   64
#define DEFAULT_MTU         1500
#define DEFAULT_EVENT_RATE  1000
#define DEFAULT_EVENT_BURST 100
/* room for this many mapping keys first when collecting them; it doubles */
#define COLLECT_FIRST_CAP 256
/* tries of lw_b4_explicit_set against the data plane's races */
#define EXPLICIT_SET_ROUNDS 4

#define SLOT(field, name) LW_MAP_SLOT(struct lw_b4_maps, field, LW_STR(name))
static const struct lw_map_slot b4_slots[] = {
	SLOT(meta, LW_MAP_B4_META),     SLOT(cfg, LW_MAP_B4_CFG),
	SLOT(pool, LW_MAP_B4_POOL),     SLOT(out, LW_MAP_B4_OUT),
	SLOT(in, LW_MAP_B4_IN),         SLOT(stats, LW_MAP_B4_STATS),
	SLOT(events, LW_MAP_B4_EVENTS), SLOT(ratelim, LW_MAP_B4_RATELIM),
	SLOT(usage, LW_MAP_B4_USAGE),
};
#undef SLOT
#define N_B4_SLOTS (sizeof(b4_slots) / sizeof(b4_slots[0]))
/* a map added to struct lw_b4_maps must be added here too */
_Static_assert(sizeof(struct lw_b4_maps) == N_B4_SLOTS * sizeof(int),
	       "one slot per map descriptor");

static const struct lw_map_set b4_map_set = {
	.role_name = "lwB4",
	.role = LW_ROLE_B4,
	.slots = b4_slots,
	.n_slots = N_B4_SLOTS,
};

int lw_b4_maps_from_obj(struct bpf_object *obj, struct lw_b4_maps *m, char *err, size_t errlen)
{
	return lw_map_set_from_obj(&b4_map_set, obj, m, err, errlen);
}

const char *lw_b4_pin_name(size_t i)
{
	return i < N_B4_SLOTS ? b4_slots[i].name : NULL;
}

void lw_b4_maps_close(struct lw_b4_maps *m)
{
	lw_map_set_close(&b4_map_set, m);
}

int lw_b4_maps_open_pinned(const char *root, struct lw_b4_maps *m, char *err, size_t errlen)
{
	int r = lw_map_set_open_pinned(&b4_map_set, root, m, NULL, err, errlen);

	if (r == -ENOENT)
		lw_err_append(err, errlen, " under %s", root);
	return r;
}

int lw_b4_write_meta(const struct lw_b4_maps *m)
{
	return lw_meta_write(m->meta, LW_ROLE_B4);
}

void lw_b4_config_init(struct lw_b4_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->flags = LW_B4_CFG_DEFAULT_FLAGS;
	cfg->hop_limit = DEFAULT_HOP_LIMIT;
	cfg->ipv6_mtu = DEFAULT_MTU;
	cfg->event_rate = DEFAULT_EVENT_RATE;
	cfg->event_burst = DEFAULT_EVENT_BURST;
	cfg->udp_timeout = LW_B4_DEFAULT_UDP_TIMEOUT;
	cfg->tcp_est_timeout = LW_B4_DEFAULT_TCP_EST_TIMEOUT;
	cfg->tcp_trans_timeout = LW_B4_DEFAULT_TCP_TRANS_TIMEOUT;
	cfg->icmp_timeout = LW_B4_DEFAULT_ICMP_TIMEOUT;
}

int lw_b4_config_read(const struct lw_b4_maps *m, struct lw_b4_config *cfg)
{
	return lw_map_entry0_read(m->cfg, cfg);
}

int lw_b4_config_write(const struct lw_b4_maps *m, const struct lw_b4_config *cfg)
{
	return lw_map_entry0_write(m->cfg, cfg);
}

/* ---- pool ----------------------------------------------------------------------- */

bool lw_b4_portset_valid(const struct lw_b4_portset *ps)
{
	if (ps->size == 0 || ps->size > LW_B4_PORT_SPACE || (ps->size & (ps->size - 1)))
		return false;
	return ps->first % ps->size == 0 && ps->first + ps->size <= LW_B4_PORT_SPACE;
}

bool lw_b4_portsets_overlap(const struct lw_b4_portset *a, const struct lw_b4_portset *b)
{
	return a->ipv4 == b->ipv4 && a->first < b->first + b->size && b->first < a->first + a->size;
}

int lw_b4_pool_foreach(const struct lw_b4_maps *m, lw_b4_pool_fn fn, void *arg)
{
	struct lw_b4_portset cur;
	int ret;

	for (__u32 slot = 0; slot < LW_B4_POOL_MAX; slot++) {
		if (bpf_map_lookup_elem(m->pool, &slot, &cur))
			return -errno;
		if ((ret = fn(slot, &cur, arg)))
			return ret;
	}
	return 0;
}

static bool same_set(const struct lw_b4_portset *a, const struct lw_b4_portset *b)
{
	return a->size && a->ipv4 == b->ipv4 && a->first == b->first && a->size == b->size;
}

struct pool_find {
	const struct lw_b4_portset *want;
	__u32 slot;
	struct lw_b4_portset held;
};

static int find_set(__u32 slot, const struct lw_b4_portset *ps, void *arg)
{
	struct pool_find *f = arg;

	if (!same_set(ps, f->want))
		return 0;
	f->slot = slot;
	f->held = *ps;
	return 1;
}

int lw_b4_pool_find(const struct lw_b4_maps *m, const struct lw_b4_portset *ps, __u32 *slot,
		    struct lw_b4_portset *held)
{
	struct pool_find f = { .want = ps };
	int ret = lw_b4_pool_foreach(m, find_set, &f);

	if (ret < 0)
		return ret;
	if (!ret)
		return -ENOENT;
	if (slot)
		*slot = f.slot;
	if (held)
		*held = f.held;
	return 0;
}

struct pool_room {
	const struct lw_b4_portset *add;
	int free_slot;
};

/* -EEXIST at the first set the new one overlaps; notes the first free slot. */
static int find_room(__u32 slot, const struct lw_b4_portset *ps, void *arg)
{
	struct pool_room *r = arg;

	if (!ps->size) {
		if (r->free_slot < 0)
			r->free_slot = (int)slot;
		return 0;
	}
	return lw_b4_portsets_overlap(ps, r->add) ? -EEXIST : 0;
}

int lw_b4_pool_add(const struct lw_b4_maps *m, const struct lw_b4_portset *ps)
{
	struct lw_b4_portset add = *ps;
	struct pool_room room = { .add = ps, .free_slot = -1 };
	int ret;

	if (!lw_b4_portset_valid(ps))
		return -EINVAL;
	if ((ret = lw_b4_pool_foreach(m, find_room, &room)))
		return ret;
	if (room.free_slot < 0)
		return -ENOSPC;
	return bpf_map_update_elem(m->pool, &room.free_slot, &add, BPF_ANY) ? -errno : 0;
}

static const struct lw_b4_portset empty_set;

int lw_b4_pool_del(const struct lw_b4_maps *m, const struct lw_b4_portset *ps, size_t *flushed)
{
	struct lw_b4_portset held;
	__u32 slot;
	int ret = lw_b4_pool_find(m, ps, &slot, &held);

	if (ret)
		return ret;
	/* no new mapping in the set once it is gone, then flush */
	if (bpf_map_update_elem(m->pool, &slot, &empty_set, BPF_ANY))
		return -errno;
	return lw_b4_flush_portset(m, &held, flushed);
}

struct pool_copy {
	struct lw_b4_portset *out;
	size_t max, n;
};

static int copy_held(__u32 slot, const struct lw_b4_portset *ps, void *arg)
{
	struct pool_copy *c = arg;

	if (!ps->size)
		return 0;
	if (c->n < c->max)
		c->out[c->n] = *ps;
	c->n++;
	return 0;
}

int lw_b4_pool_list(const struct lw_b4_maps *m, struct lw_b4_portset *out, size_t max, size_t *n)
{
	struct pool_copy c = { .out = out, .max = max };
	int ret = lw_b4_pool_foreach(m, copy_held, &c);

	*n = c.n;
	return ret;
}

int lw_b4_pool_clear(const struct lw_b4_maps *m)
{
	for (__u32 i = 0; i < LW_B4_POOL_MAX; i++)
		if (bpf_map_update_elem(m->pool, &i, &empty_set, BPF_ANY))
			return -errno;
	return 0;
}

int lw_b4_pool_set_lease(const struct lw_b4_maps *m, const struct lw_b4_portset *ps)
{
	struct lw_b4_portset held;
	__u32 slot;
	int ret = lw_b4_pool_find(m, ps, &slot, &held);

	if (ret)
		return ret;
	held.lease_expires = ps->lease_expires;
	return bpf_map_update_elem(m->pool, &slot, &held, BPF_ANY) ? -errno : 0;
}

static bool in_set(const struct lw_b4_portset *ps, __be32 addr, __be16 port)
{
	uint32_t p = ntohs(port);

	return ps->size && ps->ipv4 == addr && p >= ps->first && p - ps->first < ps->size;
}

/* An explicit (PCP-created) mapping: it has a lifetime of its own. */
static bool is_explicit(const struct lw_b4_session *s)
{
	return s->pcp_until_ns != 0;
}

struct per_set {
	const struct lw_b4_portset *sets;
	size_t n;
	uint32_t *counts, *pcp;
};

static int count_in_sets(const struct lw_b4_session_row *row, void *arg)
{
	struct per_set *c = arg;

	for (size_t i = 0; i < c->n; i++) {
		if (!in_set(&c->sets[i], row->s.ext_addr, row->s.ext_port))
			continue;
		c->counts[i]++;
		if (c->pcp && is_explicit(&row->s))
			c->pcp[i]++;
		break; /* held sets never overlap */
	}
	return 0;
}

int lw_b4_pool_mappings(const struct lw_b4_maps *m, const struct lw_b4_portset *sets, size_t n,
			uint32_t *counts, uint32_t *pcp)
{
	struct per_set c = { .sets = sets, .n = n, .counts = counts, .pcp = pcp };

	memset(counts, 0, n * sizeof(*counts));
	if (pcp)
		memset(pcp, 0, n * sizeof(*pcp));
	return lw_b4_session_foreach(m, count_in_sets, &c);
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

uint64_t lw_b4_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
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
	case IPPROTO_TCP:
		sec = lw_b4_tcp_classify(tcp_state) == LW_B4_TCP_ESTABLISHED
			      ? cfg->tcp_est_timeout
			      : cfg->tcp_trans_timeout;
		break;
	case IPPROTO_UDP: sec = cfg->udp_timeout; break;
	default: sec = cfg->icmp_timeout; break;
	}
	return (uint64_t)sec * NSEC_PER_SEC;
}

bool lw_b4_session_expired(const struct lw_b4_config *cfg, uint8_t proto,
			   const struct lw_b4_session *s, uint64_t now_ns)
{
	uint64_t last = s->last_out_ns;

	/* RFC 6887 §15: an explicit mapping lives its lifetime, used or not */
	if (is_explicit(s))
		return now_ns >= s->pcp_until_ns;

	/* RFC 7857 §7: inbound refreshes only where it is connection state */
	if (proto == IPPROTO_TCP && s->last_in_ns > last)
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
	/* modulo 2^64: RELEASED may have wrapped below zero (usage_unrelease) */
	*mapped = c.count - r.count;
	if ((int64_t)*mapped < 0)
		*mapped = 0;
	return 0;
}

/* One mapping created in user space (lw_b4_explicit_set): CREATED is the
 * data plane's, so RELEASED goes down instead, modulo 2^64; RELEASED has no
 * other writer, so a read-modify-write is safe. */
static int usage_unrelease(const struct lw_b4_maps *m)
{
	__u32 key = LW_B4_USAGE_RELEASED;
	struct lw_b4_usage u;

	if (bpf_map_lookup_elem(m->usage, &key, &u))
		return -errno;
	u.count -= 1;
	return bpf_map_update_elem(m->usage, &key, &u, BPF_ANY) ? -errno : 0;
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
	if (sel->ps)
		return in_set(sel->ps, row->s.ext_addr, row->s.ext_port);
	return true;
}

static int collect(const struct lw_b4_session_row *row, void *arg)
{
	struct selection *sel = arg;

	if (!selected(sel, row))
		return 0;
	if (sel->n == sel->cap) {
		size_t cap = sel->cap ? sel->cap * 2 : COLLECT_FIRST_CAP;
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
	sel.now_ns = now_ns ? now_ns : lw_b4_now_ns();
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

/* ---- explicit (PCP) mappings --------------------------------------------------------- */

static bool l4_proto(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
}

/* As the data plane's lw_b4_remember: a remote not yet remembered takes the
 * next slot. */
static void remember(struct lw_b4_session *s, __be32 remote)
{
	for (int i = 0; i < LW_B4_REMOTES; i++)
		if (s->remotes[i] == remote)
			return;
	s->remotes[s->next_remote & (LW_B4_REMOTES - 1)] = remote;
	s->next_remote = (s->next_remote + 1) & (LW_B4_REMOTES - 1);
}

struct pool_endpoint {
	__be32 addr;
	__be16 port;
};

static int holds_endpoint(__u32 slot, const struct lw_b4_portset *ps, void *arg)
{
	const struct pool_endpoint *e = arg;

	return in_set(ps, e->addr, e->port);
}

/* 1: a held set contains addr:port, 0: none does, or -errno. */
static int in_pool(const struct lw_b4_maps *m, __be32 addr, __be16 port)
{
	struct pool_endpoint e = { .addr = addr, .port = port };

	return lw_b4_pool_foreach(m, holds_endpoint, &e);
}

int lw_b4_explicit_set(const struct lw_b4_maps *m, uint8_t proto, __be32 int_addr, __be16 int_port,
		       __be32 want_addr, __be16 want_port, enum lw_b4_pcp_kind kind, __be32 peer,
		       uint64_t until_ns, __be32 *got_addr, __be16 *got_port)
{
	struct lw_b4_out_key ok = { .addr = int_addr, .port = int_port, .proto = proto };
	struct lw_b4_in_key ik = { .addr = want_addr, .port = want_port, .proto = proto };
	struct lw_b4_in_val iv = { .addr = int_addr, .port = int_port };
	struct lw_b4_session s;
	int err;

	if (!l4_proto(proto))
		return -EPROTONOSUPPORT;
	if ((kind != LW_B4_PCP_MAP && kind != LW_B4_PCP_PEER) || !until_ns ||
	    (kind == LW_B4_PCP_PEER && !peer))
		return -EINVAL;
	/* a few rounds: the data plane may create, or user space expire, the
	 * endpoint's mapping between a lookup and an insert here */
	for (int round = 0; round < EXPLICIT_SET_ROUNDS; round++) {
		if (bpf_map_lookup_elem(m->out, &ok, &s) == 0) {
			/* EIM: the endpoint keeps its external port (RFC 6887 §11.3) */
			s.pcp_kind = kind;
			s.pcp_until_ns = until_ns;
			if (peer)
				remember(&s, peer);
			if (bpf_map_update_elem(m->out, &ok, &s, BPF_EXIST) == 0) {
				*got_addr = s.ext_addr;
				*got_port = s.ext_port;
				return 0;
			}
			if (errno != ENOENT)
				return -errno;
			continue; /* expired meanwhile: create it */
		}
		if (errno != ENOENT)
			return -errno;
		err = in_pool(m, want_addr, want_port);
		if (err <= 0)
			return err ? err : -ERANGE;
		/* B4-NAT-3: the reverse entry arbitrates the external port */
		if (bpf_map_update_elem(m->in, &ik, &iv, BPF_NOEXIST))
			return errno == EEXIST ? -EEXIST : -errno;
		memset(&s, 0, sizeof(s));
		s.ext_addr = want_addr;
		s.ext_port = want_port;
		s.created_ns = lw_b4_now_ns();
		s.last_out_ns = s.created_ns;
		s.pcp_kind = kind;
		s.pcp_until_ns = until_ns;
		if (peer) {
			s.remotes[0] = peer;
			s.next_remote = 1;
		}
		if (bpf_map_update_elem(m->out, &ok, &s, BPF_NOEXIST) == 0) {
			*got_addr = want_addr;
			*got_port = want_port;
			return usage_unrelease(m);
		}
		err = errno;
		/* the data plane made the endpoint's mapping first: give the
		 * port back and make that one explicit */
		bpf_map_delete_elem(m->in, &ik);
		if (err != EEXIST)
			return -err;
	}
	return -EAGAIN;
}

int lw_b4_explicit_del(const struct lw_b4_maps *m, uint8_t proto, __be32 int_addr, __be16 int_port)
{
	struct lw_b4_out_key ok = { .addr = int_addr, .port = int_port, .proto = proto };
	struct lw_b4_session s;
	size_t deleted = 0;
	int ret;

	if (bpf_map_lookup_elem(m->out, &ok, &s))
		return -errno;
	if (!is_explicit(&s))
		return -EPERM;
	ret = delete_mapping(m, &ok, &s, &deleted);
	usage_release(m, deleted);
	return ret;
}

bool lw_b4_ext_port_free(const struct lw_b4_maps *m, uint8_t proto, __be32 ext_addr,
			 __be16 ext_port)
{
	struct lw_b4_in_key ik = { .addr = ext_addr, .port = ext_port, .proto = proto };
	struct lw_b4_in_val iv;

	return bpf_map_lookup_elem(m->in, &ik, &iv) != 0 && errno == ENOENT;
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
