/* SPDX-License-Identifier: GPL-2.0 */
/* Maps of the lwB4's types (include/lw4o6/b4.h), created for a unit test,
 * and raw access to them that shares no code with lib/b4/b4_maps.c: port
 * sets written with their base, mappings planted and read back slot by
 * slot (the session array, lw_b4_life beside it, the lw_b4_out index). A
 * set's positions are worked out here: the protocol's part of
 * LW_B4_POOL_PORTS positions, base + port - first. */
#ifndef LW4O6_TESTS_B4_FIXTURE_H
#define LW4O6_TESTS_B4_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include "b4_maps.h"

static inline int fx_create(enum bpf_map_type type, size_t key, size_t value, unsigned max, __u32 flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);

	return bpf_map_create(type, NULL, (__u32)key, (__u32)value, max, &o);
}

/* Every map lib/b4 touches here; -1 in m->cfg when bpf() is refused. */
static inline void fx_maps_create(struct lw_b4_maps *m)
{
	memset(m, -1, sizeof(*m));
	m->cfg = fx_create(BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(struct lw_b4_config), 1, 0);
	if (m->cfg < 0)
		return;
	m->pool = fx_create(BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(struct lw_b4_portset),
			    LW_B4_POOL_MAX, 0);
	m->out = fx_create(BPF_MAP_TYPE_HASH, sizeof(struct lw_b4_out_key),
			   sizeof(struct lw_b4_out_val), LW_B4_MAX_SESSIONS, 0);
	m->sess = fx_create(BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(struct lw_b4_sess),
			    LW_B4_SESS_SLOTS, BPF_F_MMAPABLE);
	m->life = fx_create(BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(struct lw_b4_life),
			    LW_B4_SESS_SLOTS, BPF_F_MMAPABLE);
	m->usage = fx_create(BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(struct lw_b4_usage),
			     LW_B4_USAGE_SLOTS, 0);
}

static inline void fx_maps_close(struct lw_b4_maps *m)
{
	int *fds = (int *)m;

	for (size_t i = 0; i < sizeof(*m) / sizeof(int); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	memset(m, -1, sizeof(*m));
}

static inline bool fx_maps_ok(const struct lw_b4_maps *m)
{
	return m->pool >= 0 && m->out >= 0 && m->sess >= 0 && m->life >= 0 && m->usage >= 0;
}

/* The part of the session array of proto. */
static inline __u32 fx_part(uint8_t proto)
{
	return proto == IPPROTO_TCP ? 0 : proto == IPPROTO_UDP ? 1 : 2;
}

/* The slot of port (host order) of a set at base whose ports start at first. */
static inline __u32 fx_pos(uint8_t proto, __u32 base, __u32 first, uint16_t port)
{
	return fx_part(proto) * LW_B4_POOL_PORTS + ((base + port - first) & (LW_B4_POOL_PORTS - 1));
}

/* A mapping as a test writes or reads it: the session fields and what lies
 * beside it. */
struct fx_mapping {
	uint8_t proto;
	__be32 int_addr;
	__be16 int_port;
	__be32 ext_addr;
	__be16 ext_port;
	__u32 pos;
	struct lw_b4_sess s; /* the rest of the slot (owner fields set here) */
	struct lw_b4_life l;
};

/* Writes the slot, its life and its lw_b4_out entry: a live mapping. */
static inline int fx_plant(const struct lw_b4_maps *m, struct fx_mapping *x)
{
	struct lw_b4_out_key k = { .addr = x->int_addr, .port = x->int_port, .proto = x->proto };
	struct lw_b4_out_val v = { .ext_addr = x->ext_addr, .ext_port = x->ext_port,
				   .pos = (__u16)(x->pos % LW_B4_POOL_PORTS) };

	x->s.int_addr = x->int_addr;
	x->s.int_port = x->int_port;
	x->s.ext_addr = x->ext_addr;
	x->s.ext_port = x->ext_port;
	x->s.live = 1;
	if (bpf_map_update_elem(m->sess, &x->pos, &x->s, BPF_ANY) ||
	    bpf_map_update_elem(m->life, &x->pos, &x->l, BPF_ANY))
		return -1;
	return bpf_map_update_elem(m->out, &k, &v, BPF_ANY) ? -1 : 0;
}

/* The mapping of an internal endpoint, through its lw_b4_out entry: true
 * when the entry names a slot that holds that endpoint's mapping with the
 * entry's external endpoint. */
static inline bool fx_get_out(const struct lw_b4_maps *m, uint8_t proto, __be32 addr, __be16 port,
		       struct fx_mapping *x)
{
	struct lw_b4_out_key k = { .addr = addr, .port = port, .proto = proto };
	struct lw_b4_out_val v;

	memset(x, 0, sizeof(*x));
	if (bpf_map_lookup_elem(m->out, &k, &v))
		return false;
	x->pos = fx_part(proto) * LW_B4_POOL_PORTS + v.pos;
	if (bpf_map_lookup_elem(m->sess, &x->pos, &x->s) ||
	    bpf_map_lookup_elem(m->life, &x->pos, &x->l))
		return false;
	x->proto = proto;
	x->int_addr = x->s.int_addr;
	x->int_port = x->s.int_port;
	x->ext_addr = x->s.ext_addr;
	x->ext_port = x->s.ext_port;
	return x->s.owner && x->s.int_addr == addr && x->s.int_port == port &&
	       x->s.ext_addr == v.ext_addr && x->s.ext_port == v.ext_port;
}

/* The live mapping in slot pos, whose external endpoint must be
 * ext_addr:ext_port. */
static inline bool fx_get_slot(const struct lw_b4_maps *m, __u32 pos, __be32 ext_addr, __be16 ext_port,
			struct fx_mapping *x)
{
	memset(x, 0, sizeof(*x));
	x->pos = pos;
	if (bpf_map_lookup_elem(m->sess, &pos, &x->s) || bpf_map_lookup_elem(m->life, &pos, &x->l))
		return false;
	x->int_addr = x->s.int_addr;
	x->int_port = x->s.int_port;
	x->ext_addr = x->s.ext_addr;
	x->ext_port = x->s.ext_port;
	return x->s.owner && x->s.live && x->s.ext_addr == ext_addr && x->s.ext_port == ext_port;
}

static inline size_t fx_count_index(const struct lw_b4_maps *m)
{
	struct lw_b4_out_key k, next;
	void *prev = NULL;
	size_t n = 0;

	while (bpf_map_get_next_key(m->out, prev, &next) == 0) {
		k = next;
		prev = &k;
		n++;
	}
	return n;
}

/* Slots claimed (owner word not 0), read through a mapping of the array. */
static inline size_t fx_count_claimed(const struct lw_b4_maps *m)
{
	size_t len = (size_t)LW_B4_SESS_SLOTS * sizeof(struct lw_b4_sess), n = 0;
	const struct lw_b4_sess *s = mmap(NULL, len, PROT_READ, MAP_SHARED, m->sess, 0);

	if (s == MAP_FAILED)
		return (size_t)-1;
	for (size_t i = 0; i < LW_B4_SESS_SLOTS; i++)
		n += s[i].owner != 0;
	munmap((void *)s, len);
	return n;
}

#endif
