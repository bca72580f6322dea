// SPDX-License-Identifier: GPL-2.0
/* User-space side of the lwB4 maps; see b4_maps.h. The session arrays
 * (lw_b4_sess, lw_b4_life) are mapped into this process where slots are
 * taken or given back, with the data plane's atomics on the owner word
 * (include/lw4o6/b4.h). A mapping is removed index first (lw_b4_out), slot
 * last, so that its external port is free again only once nothing leads to
 * it. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
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
/* tries of lw_b4_explicit_set against the data plane's races */
#define EXPLICIT_SET_ROUNDS 4
/* tries of a compare-and-swap of an owner word the data plane also writes */
#define OWNER_CAS_TRIES 8

#define SLOT(field, name) LW_MAP_SLOT(struct lw_b4_maps, field, LW_STR(name))
static const struct lw_map_slot b4_slots[] = {
	SLOT(meta, LW_MAP_B4_META),       SLOT(cfg, LW_MAP_B4_CFG),
	SLOT(pool, LW_MAP_B4_POOL),       SLOT(out, LW_MAP_B4_OUT),
	SLOT(sess, LW_MAP_B4_SESS),       SLOT(life, LW_MAP_B4_LIFE),
	SLOT(stats, LW_MAP_B4_STATS),     SLOT(events, LW_MAP_B4_EVENTS),
	SLOT(ratelim, LW_MAP_B4_RATELIM), SLOT(usage, LW_MAP_B4_USAGE),
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

/* ---- the session arrays ------------------------------------------------------------ */

/* lw_b4_sess and lw_b4_life mapped into this process: the owner words are
 * changed with the data plane's atomics, never by a whole-element write. */
struct sess_view {
	struct lw_b4_sess *sess;
	struct lw_b4_life *life;
	__u32 n; /* slots of both */
	size_t sess_len, life_len;
};

/* Maps the array map fd of values of value_size (BPF_F_MMAPABLE); flags:
 * MAP_POPULATE for a walk of every slot, 0 for a few. */
static int map_array(int fd, size_t value_size, bool rw, int flags, void **p, __u32 *n, size_t *len)
{
	struct bpf_map_info info;
	__u32 info_len = sizeof(info);
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &info_len))
		return -errno;
	if (info.value_size != value_size || !(info.map_flags & BPF_F_MMAPABLE))
		return -EINVAL;
	*n = info.max_entries;
	*len = ((size_t)info.max_entries * value_size + page - 1) / page * page;
	*p = mmap(NULL, *len, rw ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED | flags, fd, 0);
	if (*p == MAP_FAILED) {
		*p = NULL;
		return -errno;
	}
	return 0;
}

static void view_close(struct sess_view *v)
{
	if (v->sess)
		munmap(v->sess, v->sess_len);
	if (v->life)
		munmap(v->life, v->life_len);
	memset(v, 0, sizeof(*v));
}

/* walk: every slot will be read (the pages are mapped at once). */
static int view_open(const struct lw_b4_maps *m, bool rw, bool walk, struct sess_view *v)
{
	int flags = walk ? MAP_POPULATE : 0;
	__u32 ns = 0, nl = 0;
	int ret;

	memset(v, 0, sizeof(*v));
	ret = map_array(m->sess, sizeof(struct lw_b4_sess), rw, flags, (void **)&v->sess, &ns,
			&v->sess_len);
	if (!ret)
		ret = map_array(m->life, sizeof(struct lw_b4_life), rw, flags, (void **)&v->life,
				&nl, &v->life_len);
	if (ret) {
		view_close(v);
		return ret;
	}
	v->n = ns < nl ? ns : nl;
	return 0;
}

/* The protocol of lw_b4_sess position pos (lw_b4_proto_index's order). */
static uint8_t pos_proto(__u32 pos)
{
	static const uint8_t protos[LW_B4_PROTOS] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP };

	return protos[(pos / LW_B4_POOL_PORTS) % LW_B4_PROTOS];
}

static __u64 owner_load(const struct lw_b4_sess *s)
{
	return __atomic_load_n(&s->owner, __ATOMIC_ACQUIRE);
}

static bool owner_cas(struct lw_b4_sess *s, __u64 old, __u64 new)
{
	return __atomic_compare_exchange_n(&s->owner, &old, new, false, __ATOMIC_SEQ_CST,
					   __ATOMIC_SEQ_CST);
}

static __u64 owner_word(__be32 addr, __be16 port, __u8 live, __u8 kind)
{
	struct lw_b4_sess o;

	memset(&o, 0, sizeof(o));
	o.int_addr = addr;
	o.int_port = port;
	o.live = live;
	o.pcp_kind = kind;
	return o.owner;
}

/* The row of the claimed slot pos whose copy is s, l. */
static void fill_row(struct lw_b4_session_row *row, __u32 pos, const struct lw_b4_sess *s,
		     const struct lw_b4_life *l)
{
	memset(row, 0, sizeof(*row));
	row->pos = pos;
	row->key.addr = s->int_addr;
	row->key.port = s->int_port;
	row->key.proto = pos_proto(pos);
	row->s.ext_addr = s->ext_addr;
	row->s.ext_port = s->ext_port;
	row->s.tcp_state = s->tcp_state;
	row->s.next_remote = s->next_remote;
	memcpy(row->s.remotes, s->remotes, sizeof(row->s.remotes));
	row->s.created_ns = l->created_ns;
	row->s.last_out_ns = s->last_out_ns;
	row->s.last_in_ns = s->last_in_ns;
	row->s.packets_out = s->packets_out;
	row->s.packets_in = s->packets_in;
	row->s.pcp_until_ns = l->pcp_until_ns;
	row->s.pcp_kind = s->pcp_kind;
	row->s.live = s->live;
}

/* The mapping in mapped slot pos: true and *row when the slot is claimed. */
static bool view_row(const struct sess_view *v, __u32 pos, struct lw_b4_session_row *row)
{
	struct lw_b4_sess c;
	struct lw_b4_life l;
	__u64 owner = owner_load(&v->sess[pos]);

	if (!owner)
		return false;
	memcpy(&c, (const void *)&v->sess[pos], sizeof(c));
	memcpy(&l, (const void *)&v->life[pos], sizeof(l));
	c.owner = owner;
	fill_row(row, pos, &c, &l);
	return true;
}

/* The mapping in slot pos, read through bpf(): 1 and *row, 0 when the slot
 * is free, -errno. */
static int read_slot(const struct lw_b4_maps *m, __u32 pos, struct lw_b4_session_row *row)
{
	struct lw_b4_sess s;
	struct lw_b4_life l;

	if (bpf_map_lookup_elem(m->sess, &pos, &s) || bpf_map_lookup_elem(m->life, &pos, &l))
		return -errno;
	if (!s.owner)
		return 0;
	fill_row(row, pos, &s, &l);
	return 1;
}

/* Removes the mapping of internal endpoint {addr, port} in slot pos: its
 * lw_b4_out entry if that names the slot, then the slot. 1 when this call
 * freed it, 0 when the slot holds no longer that mapping, -errno. */
static int delete_slot(const struct lw_b4_maps *m, const struct sess_view *v, __u32 pos,
		       __be32 addr, __be16 port)
{
	struct lw_b4_out_key k = { .addr = addr, .port = port, .proto = pos_proto(pos) };
	struct lw_b4_sess *s = &v->sess[pos], o;
	struct lw_b4_out_val ov;

	if (bpf_map_lookup_elem(m->out, &k, &ov) == 0 && ov.pos == pos % LW_B4_POOL_PORTS &&
	    bpf_map_delete_elem(m->out, &k) && errno != ENOENT)
		return -errno;
	/* the data plane may be making the slot live, or user space changing
	 * its kind, at the same moment: try again with what is there */
	for (int i = 0; i < OWNER_CAS_TRIES; i++) {
		o.owner = owner_load(s);
		if (!o.owner || o.int_addr != addr || o.int_port != port)
			return 0;
		if (owner_cas(s, o.owner, 0))
			return 1;
	}
	return -EAGAIN;
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
	size_t n_held;
	struct lw_b4_portset held[LW_B4_POOL_MAX];
};

/* -EEXIST at the first set the new one overlaps; notes the first free slot
 * and the positions the held sets take. */
static int find_room(__u32 slot, const struct lw_b4_portset *ps, void *arg)
{
	struct pool_room *r = arg;

	if (!ps->size) {
		if (r->free_slot < 0)
			r->free_slot = (int)slot;
		return 0;
	}
	if (r->n_held < LW_B4_POOL_MAX)
		r->held[r->n_held++] = *ps;
	return lw_b4_portsets_overlap(ps, r->add) ? -EEXIST : 0;
}

/* The lowest base, a multiple of size, whose positions no held set takes;
 * -ENOSPC when none is left. Sizes are powers of two: aligned blocks, as a
 * buddy allocator places them. */
static long pool_base(const struct pool_room *r, __u32 size)
{
	for (__u32 b = 0; b + size <= LW_B4_POOL_PORTS; b += size) {
		bool taken = false;

		for (size_t i = 0; i < r->n_held && !taken; i++)
			taken = r->held[i].base < b + size && b < r->held[i].base + r->held[i].size;
		if (!taken)
			return b;
	}
	return -ENOSPC;
}

/* Frees whatever mappings the positions base .. base + size - 1 hold, in
 * every protocol (a set that is no longer held has none but for a race
 * with its removal); *n receives how many. */
static int flush_positions(const struct lw_b4_maps *m, __u32 base, __u32 size, size_t *n)
{
	struct sess_view v;
	struct lw_b4_session_row row;
	int ret = view_open(m, true, false, &v);

	*n = 0;
	for (__u32 pi = 0; ret >= 0 && pi < LW_B4_PROTOS; pi++)
		for (__u32 i = 0; ret >= 0 && i < size; i++) {
			__u32 pos = pi * LW_B4_POOL_PORTS + ((base + i) & (LW_B4_POOL_PORTS - 1));

			if (pos >= v.n || !view_row(&v, pos, &row))
				continue;
			ret = delete_slot(m, &v, pos, row.key.addr, row.key.port);
			if (ret > 0)
				(*n)++;
		}
	view_close(&v);
	return ret < 0 ? ret : 0;
}

static void usage_release(const struct lw_b4_maps *m, size_t n);

int lw_b4_pool_add(const struct lw_b4_maps *m, const struct lw_b4_portset *ps)
{
	struct lw_b4_portset add = *ps;
	struct pool_room room = { .add = ps, .free_slot = -1 };
	size_t flushed = 0;
	long base;
	int ret;

	if (!lw_b4_portset_valid(ps))
		return -EINVAL;
	if ((ret = lw_b4_pool_foreach(m, find_room, &room)))
		return ret;
	if (room.free_slot < 0 || (base = pool_base(&room, ps->size)) < 0)
		return -ENOSPC;
	add.base = (__u32)base;
	add.reserved = 0;
	ret = flush_positions(m, add.base, add.size, &flushed);
	usage_release(m, flushed);
	if (ret)
		return ret;
	return bpf_map_update_elem(m->pool, &room.free_slot, &add, BPF_ANY) ? -errno : 0;
}

static const struct lw_b4_portset empty_set;

/* Empties pool slot slot and keeps the held sets in the first slots (the
 * data plane's walks stop at a free one): the last held set moves into the
 * slot, written there before it leaves its own, so that no walk meets a
 * free slot before a held set. */
static int pool_free_slot(const struct lw_b4_maps *m, __u32 slot)
{
	struct lw_b4_portset last;
	__u32 n = slot + 1;

	while (n < LW_B4_POOL_MAX) {
		if (bpf_map_lookup_elem(m->pool, &n, &last))
			return -errno;
		if (!last.size)
			break;
		n++;
	}
	if (--n != slot) {
		if (bpf_map_lookup_elem(m->pool, &n, &last) ||
		    bpf_map_update_elem(m->pool, &slot, &last, BPF_ANY))
			return -errno;
	}
	return bpf_map_update_elem(m->pool, &n, &empty_set, BPF_ANY) ? -errno : 0;
}

int lw_b4_pool_del(const struct lw_b4_maps *m, const struct lw_b4_portset *ps, size_t *flushed)
{
	struct lw_b4_portset held;
	size_t n = 0;
	__u32 slot;
	int ret = lw_b4_pool_find(m, ps, &slot, &held);

	if (ret)
		return ret;
	/* no new mapping in the set once it is gone, then flush its positions:
	 * every mapping of the set is there, explicit ones too (B4-PROV-6) */
	if ((ret = pool_free_slot(m, slot)))
		return ret;
	ret = flush_positions(m, held.base, held.size, &n);
	usage_release(m, n);
	if (flushed)
		*flushed = n;
	return ret;
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

struct pool_endpoint {
	__be32 addr;
	__be16 port;
	struct lw_b4_portset set;
};

static int holds_endpoint(__u32 slot, const struct lw_b4_portset *ps, void *arg)
{
	struct pool_endpoint *e = arg;

	if (!in_set(ps, e->addr, e->port))
		return 0;
	e->set = *ps;
	return 1;
}

/* The session position of external endpoint {proto, addr, port}: 1 and
 * *pos, 0 when no held set has it, -errno. */
static int ext_pos(const struct lw_b4_maps *m, uint8_t proto, __be32 addr, __be16 port, __u32 *pos)
{
	struct pool_endpoint e = { .addr = addr, .port = port };
	int pi = lw_b4_proto_index(proto);
	int ret = pi < 0 ? 0 : lw_b4_pool_foreach(m, holds_endpoint, &e);

	if (ret > 0)
		*pos = lw_b4_sess_pos(pi, &e.set, ntohs(port));
	return ret;
}

/* The session position an lw_b4_out entry of key k names. */
static __u32 indexed_pos(const struct lw_b4_out_key *k, const struct lw_b4_out_val *v)
{
	int pi = lw_b4_proto_index(k->proto);

	return (__u32)(pi < 0 ? LW_B4_PROTOS : pi) * LW_B4_POOL_PORTS + v->pos;
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
	struct lw_b4_session_row row;
	struct sess_view v;
	int ret = view_open(m, false, true, &v);

	for (__u32 pos = 0; ret == 0 && pos < v.n; pos++)
		if (v.sess[pos].owner && view_row(&v, pos, &row))
			ret = fn(&row, arg);
	view_close(&v);
	return ret;
}

int lw_b4_mapping_get(const struct lw_b4_maps *m, uint8_t proto, __be32 int_addr, __be16 int_port,
		      struct lw_b4_session_row *row)
{
	struct lw_b4_out_key k = { .addr = int_addr, .port = int_port, .proto = proto };
	struct lw_b4_out_val ov;
	int ret;

	if (bpf_map_lookup_elem(m->out, &k, &ov))
		return -errno;
	ret = read_slot(m, indexed_pos(&k, &ov), row);
	if (ret < 0)
		return ret;
	if (!ret || row->key.addr != int_addr || row->key.port != int_port ||
	    row->key.proto != proto)
		return -ENOENT;
	return 0;
}

int lw_b4_mapping_by_ext(const struct lw_b4_maps *m, uint8_t proto, __be32 ext_addr,
			 __be16 ext_port, struct lw_b4_session_row *row)
{
	__u32 pos;
	int ret = ext_pos(m, proto, ext_addr, ext_port, &pos);

	if (ret > 0)
		ret = read_slot(m, pos, row);
	if (ret < 0)
		return ret;
	if (!ret || !row->s.live || row->s.ext_addr != ext_addr || row->s.ext_port != ext_port)
		return -ENOENT;
	return 0;
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

struct selection {
	const struct lw_b4_config *cfg;
	const struct lw_b4_portset *ps; /* flush: this set; NULL: all */
	uint64_t now_ns;                /* expire: non-zero */
	__be32 lan_addr, lan_mask;      /* flush: internal addresses outside; mask 0: none */
};

static bool selected(const struct selection *sel, const struct lw_b4_session_row *row)
{
	if (sel->now_ns)
		return lw_b4_session_expired(sel->cfg, row->key.proto, &row->s, sel->now_ns);
	if (sel->ps)
		return in_set(sel->ps, row->s.ext_addr, row->s.ext_port);
	if (sel->lan_mask)
		return ((row->key.addr ^ sel->lan_addr) & sel->lan_mask) != 0;
	return true;
}

/* One walk of the slots, each read as it is when its turn comes: a mapping
 * refreshed meanwhile is judged as refreshed. */
static int delete_selected(const struct lw_b4_maps *m, const struct selection *sel, size_t *count)
{
	struct lw_b4_session_row row;
	struct sess_view v;
	size_t deleted = 0;
	int ret = view_open(m, true, true, &v);

	for (__u32 pos = 0; ret >= 0 && pos < v.n; pos++) {
		if (!v.sess[pos].owner || !view_row(&v, pos, &row) || !selected(sel, &row))
			continue;
		ret = delete_slot(m, &v, pos, row.key.addr, row.key.port);
		if (ret > 0)
			deleted++;
	}
	view_close(&v);
	usage_release(m, deleted);
	if (count)
		*count = deleted;
	return ret < 0 ? ret : 0;
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

int lw_b4_flush_outside_lan(const struct lw_b4_maps *m, __be32 lan_addr, uint8_t prefixlen,
			    size_t *flushed)
{
	struct selection sel = { .lan_addr = lan_addr };

	if (prefixlen == 0 || prefixlen > 32)
		return -EINVAL;
	sel.lan_mask = htonl(prefixlen == 32 ? ~0u : ~(~0u >> prefixlen));
	return delete_selected(m, &sel, flushed);
}

static int count_one(const struct lw_b4_session_row *row, void *arg)
{
	(*(size_t *)arg)++;
	return 0;
}

int lw_b4_mapping_count(const struct lw_b4_maps *m, size_t *n)
{
	*n = 0;
	return lw_b4_session_foreach(m, count_one, n);
}

/* ---- reload ------------------------------------------------------------------------ */

static const struct lw_b4_portset *find_equal(const struct lw_b4_portset *sets, size_t n,
					      const struct lw_b4_portset *ps)
{
	for (size_t i = 0; i < n; i++)
		if (same_set(&sets[i], ps))
			return &sets[i];
	return NULL;
}

/* Whether held set h stays through a reload to the static sets[0..n). */
static bool reload_keeps(const struct lw_b4_portset *h, const struct lw_b4_portset *sets, size_t n,
			 bool keep_pcp)
{
	if (find_equal(sets, n, h))
		return true;
	if (!h->lease_expires || !keep_pcp)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lw_b4_portsets_overlap(&sets[i], h))
			return false;
	return true;
}

int lw_b4_pool_reload(const struct lw_b4_maps *m, const struct lw_b4_portset *sets, size_t n,
		      bool keep_pcp, struct lw_b4_reload *r)
{
	struct lw_b4_portset held[LW_B4_POOL_MAX];
	size_t nh = 0, fl;
	int ret = lw_b4_pool_list(m, held, LW_B4_POOL_MAX, &nh);

	memset(r, 0, sizeof(*r));
	if (nh > LW_B4_POOL_MAX)
		nh = LW_B4_POOL_MAX;
	/* the sets that go first, so that the new ones find room */
	for (size_t i = 0; !ret && i < nh; i++) {
		if (reload_keeps(&held[i], sets, n, keep_pcp)) {
			r->sets_kept++;
			continue;
		}
		fl = 0;
		ret = lw_b4_pool_del(m, &held[i], &fl);
		r->flushed += fl;
		r->sets_removed++;
	}
	for (size_t i = 0; !ret && i < n; i++) {
		if (lw_b4_pool_find(m, &sets[i], NULL, NULL) == 0)
			continue;
		ret = lw_b4_pool_add(m, &sets[i]);
		r->sets_added += !ret;
	}
	return ret;
}

/* ---- explicit (PCP) mappings --------------------------------------------------------- */

static bool l4_proto(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
}

/* As the data plane's lw_b4_remember, on a mapped slot: a remote not yet
 * remembered takes the next slot. */
static void remember(struct lw_b4_sess *s, __be32 remote)
{
	__u8 next = s->next_remote;

	for (int i = 0; i < LW_B4_REMOTES; i++)
		if (s->remotes[i] == remote)
			return;
	s->remotes[next & (LW_B4_REMOTES - 1)] = remote;
	s->next_remote = (__u8)((next + 1) & (LW_B4_REMOTES - 1));
}

struct explicit_req {
	struct lw_b4_out_key ok; /* the internal endpoint */
	__be32 want_addr;
	__be16 want_port;
	enum lw_b4_pcp_kind kind;
	__be32 peer;
	uint64_t until_ns;
	__be32 *got_addr;
	__be16 *got_port;
};

/* The endpoint's existing mapping made explicit (EIM: it keeps its external
 * port, RFC 6887 §11.3): 0, -ENOENT when it has none, -EAGAIN when it is
 * being made or unmade right now, -errno. */
static int explicit_update(const struct lw_b4_maps *m, const struct sess_view *v,
			   const struct explicit_req *r)
{
	struct lw_b4_out_val ov;
	struct lw_b4_sess *s, o;
	__u32 pos;

	if (bpf_map_lookup_elem(m->out, &r->ok, &ov))
		return errno == ENOENT ? -ENOENT : -errno;
	pos = indexed_pos(&r->ok, &ov);
	if (pos >= v->n)
		return -EIO;
	s = &v->sess[pos];
	o.owner = owner_load(s);
	if (!o.owner || o.int_addr != r->ok.addr || o.int_port != r->ok.port || !o.live)
		return -EAGAIN;
	/* the end first: the kind never says explicit without it */
	v->life[pos].pcp_until_ns = r->until_ns;
	if (r->peer)
		remember(s, r->peer);
	if (!owner_cas(s, o.owner, owner_word(o.int_addr, o.int_port, 1, (__u8)r->kind)))
		return -EAGAIN;
	*r->got_addr = s->ext_addr;
	*r->got_port = s->ext_port;
	return 0;
}

/* A new mapping on the wanted endpoint, claimed as the data plane claims a
 * slot (B4-NAT-3) and indexed with BPF_NOEXIST: 0, -EEXIST (the port
 * carries a mapping), -ERANGE (no held set has it), -EAGAIN (the data plane
 * made the endpoint's mapping meanwhile), -errno. */
static int explicit_create(const struct lw_b4_maps *m, const struct sess_view *v,
			   const struct explicit_req *r)
{
	__u64 claimed = owner_word(r->ok.addr, r->ok.port, 0, (__u8)r->kind);
	struct lw_b4_out_val ov = { .ext_addr = r->want_addr, .ext_port = r->want_port };
	struct lw_b4_sess *s;
	__u32 pos;
	int ret = ext_pos(m, r->ok.proto, r->want_addr, r->want_port, &pos);

	if (ret <= 0)
		return ret ? ret : -ERANGE;
	if (pos >= v->n)
		return -EIO;
	ov.pos = (__u16)(pos % LW_B4_POOL_PORTS);
	s = &v->sess[pos];
	if (!owner_cas(s, 0, claimed))
		return -EEXIST;
	s->ext_addr = r->want_addr;
	s->ext_port = r->want_port;
	s->tcp_state = 0;
	s->next_remote = r->peer ? 1 : 0;
	memset(s->remotes, 0, sizeof(s->remotes));
	s->remotes[0] = r->peer;
	s->last_out_ns = lw_b4_now_ns();
	s->last_in_ns = 0;
	s->packets_out = 0;
	s->packets_in = 0;
	v->life[pos].created_ns = s->last_out_ns;
	v->life[pos].pcp_until_ns = r->until_ns;
	if (bpf_map_update_elem(m->out, &r->ok, &ov, BPF_NOEXIST)) {
		ret = errno;
		owner_cas(s, claimed, 0); /* the port goes back */
		return ret == EEXIST ? -EAGAIN : -ret;
	}
	if (!owner_cas(s, claimed, owner_word(r->ok.addr, r->ok.port, 1, (__u8)r->kind))) {
		/* flushed between the claim and here: no mapping made */
		bpf_map_delete_elem(m->out, &r->ok);
		return -EAGAIN;
	}
	*r->got_addr = r->want_addr;
	*r->got_port = r->want_port;
	return usage_unrelease(m);
}

int lw_b4_explicit_set(const struct lw_b4_maps *m, uint8_t proto, __be32 int_addr, __be16 int_port,
		       __be32 want_addr, __be16 want_port, enum lw_b4_pcp_kind kind, __be32 peer,
		       uint64_t until_ns, __be32 *got_addr, __be16 *got_port)
{
	struct explicit_req r = { .ok = { .addr = int_addr, .port = int_port, .proto = proto },
				  .want_addr = want_addr,
				  .want_port = want_port,
				  .kind = kind,
				  .peer = peer,
				  .until_ns = until_ns,
				  .got_addr = got_addr,
				  .got_port = got_port };
	struct sess_view v;
	int ret;

	if (!l4_proto(proto))
		return -EPROTONOSUPPORT;
	if ((kind != LW_B4_PCP_MAP && kind != LW_B4_PCP_PEER) || !until_ns ||
	    (kind == LW_B4_PCP_PEER && !peer) || !int_addr)
		return -EINVAL;
	if ((ret = view_open(m, true, false, &v)))
		return ret;
	/* a few rounds: the data plane may create, or user space expire, the
	 * endpoint's mapping between a lookup and an insert here */
	ret = -EAGAIN;
	for (int round = 0; round < EXPLICIT_SET_ROUNDS && ret == -EAGAIN; round++) {
		ret = explicit_update(m, &v, &r);
		if (ret == -ENOENT)
			ret = explicit_create(m, &v, &r);
	}
	view_close(&v);
	return ret;
}

int lw_b4_explicit_del(const struct lw_b4_maps *m, uint8_t proto, __be32 int_addr, __be16 int_port)
{
	struct lw_b4_session_row row;
	struct sess_view v;
	int ret = lw_b4_mapping_get(m, proto, int_addr, int_port, &row);

	if (ret)
		return ret;
	if (!is_explicit(&row.s))
		return -EPERM;
	if ((ret = view_open(m, true, false, &v)))
		return ret;
	ret = delete_slot(m, &v, row.pos, int_addr, int_port);
	view_close(&v);
	if (ret > 0)
		usage_release(m, 1);
	return ret < 0 ? ret : 0;
}

bool lw_b4_ext_port_free(const struct lw_b4_maps *m, uint8_t proto, __be32 ext_addr,
			 __be16 ext_port)
{
	struct lw_b4_session_row row;
	__u32 pos;
	int ret = ext_pos(m, proto, ext_addr, ext_port, &pos);

	if (ret <= 0)
		return ret == 0; /* no held set has it: nothing maps it */
	return read_slot(m, pos, &row) == 0;
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
