// SPDX-License-Identifier: GPL-2.0
/* Single softwires (lw_aftr_softwire_add/del, what pcpd and `lw4o6
 * softwire add|del` use) and the readers of the binding table: one
 * softwire, an address's parameters, every softwire, their number. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "bind_priv.h"
#include "addr.h"
#include "errmsg.h"

/* ---- adding and removing one softwire ----------------------------------------------- */

/* A new address's run, block and record; the softwire's slot is written
 * before the record that makes it reachable. */
static int add_new_address(const struct lw_aftr_maps *m, const struct lw_softwire_entry *e,
			   struct lw_softwire *v, char *err, size_t errlen)
{
	struct lw_sw_run run = { .order = e->ps.psid_len };
	struct lw_addr rec = { .psid_offset = e->ps.psid_offset,
			       .psid_len = e->ps.psid_len,
			       .flags = LW_ADDR_VALID };
	uint32_t slot;
	int r;

	if ((r = bind_room_for(m->bind, &e->ipv4, 1, err, errlen)))
		return r;
	r = bind_run_alloc(m, run.order, &run.base);
	if (r == -ENOSPC && !(r = bind_compact(m, NULL, 0)))
		r = bind_run_alloc(m, run.order, &run.base);
	if (r)
		return lw_errf_code(r, err, errlen,
				    "no room for a run of %u slots in the binding table: raise "
				    "lw4o6 load aftr --max-softwires",
				    1u << run.order);
	slot = run.base + e->psid;
	rec.sw_base = run.base;
	if (!(r = bind_write_slots(m, &slot, v, 1)) &&
	    !(r = bind_set_records(m, &e->ipv4, &rec, 1)))
		return 0;
	bind_runs_free(m, &run, 1); /* zeroes what was written */
	return lw_errf_code(r, err, errlen, "cannot add softwire: %s", strerror(-r));
}

static const char *origin_name(unsigned origin)
{
	return origin == LW_SW_ORIGIN_PCP ? "PCP" : "the configuration";
}

/* Adds e (update: or rewrites what origin holds at its (IPv4, PSID) in
 * place). LW_SW_ADDED, LW_SW_UPDATED, LW_SW_UNCHANGED or -errno. */
static int set_locked(const struct lw_aftr_maps *m, const struct lw_softwire_entry *e,
		      unsigned origin, bool update, const char *a, char *err, size_t errlen)
{
	struct lw_bind *b = m->bind;
	const struct lw_addr *rec = bind_rec(b, e->ipv4);
	struct lw_softwire v = { .b4_ipv6 = e->b4_ipv6,
				 .ipv4 = e->ipv4,
				 .psid = e->psid,
				 .origin = (__u8)origin },
			   have = {};
	bool exists, br_added;
	uint32_t slot;
	__u32 br;
	int r;

	if (rec && (rec->psid_offset != e->ps.psid_offset || rec->psid_len != e->ps.psid_len))
		return lw_errf(err, errlen,
			       "%s already has softwires with psid-offset %u psid-len %u; all "
			       "softwires of one address must share them (RFC 7597 §5.1)",
			       a, rec->psid_offset, rec->psid_len);
	if (rec && (r = bind_read_slot(m, rec->sw_base + e->psid, &have)))
		return lw_errf_code(r, err, errlen, "cannot read the binding table: %s",
				    strerror(-r));
	exists = rec && have.ipv4 == e->ipv4 && have.psid == e->psid;
	if (exists && !update)
		return lw_errf_code(-EEXIST, err, errlen, "%s psid %u is already bound", a,
				    e->psid);
	if (exists && have.origin != origin)
		return lw_errf_code(-EPERM, err, errlen,
				    "%s psid %u is bound by %s (to its B4); %s does not change it",
				    a, e->psid, origin_name(have.origin), origin_name(origin));
	if (!exists && b->st.softwires >= b->max_softwires)
		return lw_errf_code(-ENOSPC, err, errlen,
				    "binding table full: %u softwires (lw4o6 load aftr "
				    "--max-softwires raises it)",
				    b->st.softwires);
	if ((r = lw_aftr_br_index_locked(m, &e->br_ipv6, &br, &br_added, err, errlen)))
		return r;
	v.br_index = (__u8)br;
	if (exists) {
		slot = rec->sw_base + e->psid;
		if (have.br_index == v.br_index &&
		    !memcmp(&have.b4_ipv6, &v.b4_ipv6, sizeof(v.b4_ipv6)))
			return LW_SW_UNCHANGED; /* a renewal: nothing to write */
		if ((r = bind_rewrite_slots(m, &slot, &v, 1, NULL))) {
			if (br_added) /* the BR address added for this update */
				lw_aftr_br_remove_locked(m, br);
			return lw_errf_code(r, err, errlen, "cannot update softwire %s psid %u: %s",
					    a, e->psid, strerror(-r));
		}
		return LW_SW_UPDATED;
	}
	if (!rec) {
		r = add_new_address(m, e, &v, err, errlen);
	} else {
		/* the address's record is live: the slot appears whole */
		slot = rec->sw_base + e->psid;
		if ((r = bind_rewrite_slots(m, &slot, &v, 1, NULL)))
			lw_errf_code(r, err, errlen, "cannot add softwire %s psid %u: %s", a,
				     e->psid, strerror(-r));
	}
	if (r && br_added)
		lw_aftr_br_remove_locked(m, br);
	if (r)
		return r;
	b->st.softwires++;
	return LW_SW_ADDED;
}

int bind_entry_check(const struct lw_softwire_entry *e, char *err, size_t errlen)
{
	char a[LW_IPV4_STRLEN];

	if (e->ipv4 && e->ps.psid_offset + e->ps.psid_len <= LW_PORT_BITS &&
	    e->psid < (1u << e->ps.psid_len))
		return 0;
	lw_format_ipv4(e->ipv4, a, sizeof(a));
	if (!e->ipv4)
		return lw_errf(err, errlen, "0.0.0.0 is no binding address");
	if (e->ps.psid_offset + e->ps.psid_len > LW_PORT_BITS)
		return lw_errf(err, errlen, "%s: psid-offset %u + psid-len %u exceeds 16", a,
			       e->ps.psid_offset, e->ps.psid_len);
	return lw_errf(err, errlen, "%s: psid %u does not fit psid-len %u", a, e->psid,
		       e->ps.psid_len);
}

/* One binding of origin written under the writers' lock: added, or with
 * update an existing one rewritten in place (set_locked says how). */
static int set_entry(const struct lw_aftr_maps *m, const struct lw_softwire_entry *e,
		     unsigned origin, bool update, char *err, size_t errlen)
{
	char a[LW_IPV4_STRLEN];
	int r;

	if ((r = bind_entry_check(e, err, errlen)))
		return r;
	lw_format_ipv4(e->ipv4, a, sizeof(a));
	if ((r = bind_begin(m, err, errlen)))
		return r;
	r = set_locked(m, e, origin, update, a, err, errlen);
	bind_end(m, true);
	return r;
}

int lw_aftr_softwire_add(const struct lw_aftr_maps *m, const struct lw_softwire_entry *e, char *err,
			 size_t errlen)
{
	int r = set_entry(m, e, LW_SW_ORIGIN_CONFIG, false, err, errlen);

	return r < 0 ? r : 0;
}

int lw_aftr_softwire_set(const struct lw_aftr_maps *m, const struct lw_softwire_entry *e,
			 unsigned origin, char *err, size_t errlen)
{
	return set_entry(m, e, origin, true, err, errlen);
}

/* Removes (ipv4, psid) when it is origin's (any origin: LW_SW_ORIGIN_ANY)
 * and names b4 (NULL: any B4). */
static int del_locked(const struct lw_aftr_maps *m, __be32 ipv4, __u16 psid, unsigned origin,
		      const struct in6_addr *b4, const char *a, char *err, size_t errlen)
{
	static const struct lw_softwire zero;
	const struct lw_addr *rec = bind_rec(m->bind, ipv4);
	struct lw_softwire have;
	struct lw_addr gone = {};
	struct lw_sw_run run;
	uint32_t slot;
	int r;

	if (!rec || psid >= (1u << rec->psid_len) ||
	    bind_read_slot(m, slot = rec->sw_base + psid, &have) || have.ipv4 != ipv4 ||
	    have.psid != psid)
		return lw_errf_code(-ENOENT, err, errlen, "%s psid %u: no such softwire", a, psid);
	if ((origin != LW_SW_ORIGIN_ANY && have.origin != origin) ||
	    (b4 && memcmp(&have.b4_ipv6, b4, sizeof(*b4))))
		return lw_errf_code(-ENOENT, err, errlen, "%s psid %u: no such softwire of %s%s", a,
				    psid, origin_name(origin), b4 ? " for that B4" : "");
	run.base = rec->sw_base;
	run.order = rec->psid_len;
	if ((r = bind_rewrite_slots(m, &slot, &zero, 1, NULL)))
		return lw_errf_code(r, err, errlen, "%s psid %u: %s", a, psid, strerror(-r));
	m->bind->st.softwires--;
	/* the address goes with its last softwire, so that a later add may
	 * choose new parameters */
	if ((r = bind_run_live(m, run.base, run.order)) == 0 &&
	    !(r = bind_set_records(m, &ipv4, &gone, 1)))
		r = bind_runs_free(m, &run, 1);
	return r < 0 ? lw_errf_code(r, err, errlen, "%s psid %u: %s", a, psid, strerror(-r)) : 0;
}

int lw_aftr_softwire_del(const struct lw_aftr_maps *m, __be32 ipv4, __u16 psid, char *err,
			 size_t errlen)
{
	char a[LW_IPV4_STRLEN];
	int r;

	lw_format_ipv4(ipv4, a, sizeof(a));
	if ((r = bind_begin(m, err, errlen)))
		return r;
	r = del_locked(m, ipv4, psid, LW_SW_ORIGIN_ANY, NULL, a, err, errlen);
	bind_end(m, r == 0 || r == -ENOENT);
	return r;
}

int lw_aftr_softwire_del_own(const struct lw_aftr_maps *m, __be32 ipv4, __u16 psid, unsigned origin,
			     const struct in6_addr *b4, char *err, size_t errlen)
{
	char a[LW_IPV4_STRLEN];
	int r;

	lw_format_ipv4(ipv4, a, sizeof(a));
	if ((r = bind_begin(m, err, errlen)))
		return r;
	r = del_locked(m, ipv4, psid, origin, b4, a, err, errlen);
	bind_end(m, r == 0 || r == -ENOENT);
	return r;
}

/* ---- readers: straight from the maps, no lock ------------------------------------- */

static int read_rec(const struct lw_aftr_maps *m, __be32 addr, struct lw_addr *rec)
{
	uint32_t a = ntohl(addr), k = a >> 16, v;

	if (bpf_map_lookup_elem(m->addr_l1, &k, &v))
		return -errno;
	if (!(v & LW_L1_L2_MASK))
		return -ENOENT;
	k = ((v & LW_L1_L2_MASK) - 1) * LW_ADDR_BLOCK + ((a >> 8) & 0xff);
	if (bpf_map_lookup_elem(m->addr_l2, &k, &v))
		return -errno;
	if (!v)
		return -ENOENT;
	k = (v - 1) * LW_ADDR_BLOCK + (a & 0xff);
	if (bpf_map_lookup_elem(m->addr_recs, &k, rec))
		return -errno;
	return rec->flags & LW_ADDR_VALID ? 0 : -ENOENT;
}

static int read_slot(const struct lw_aftr_maps *m, uint32_t s, struct lw_softwire *val)
{
	uint32_t c = s / LW_SW_CHUNK_SLOTS, key0 = 0, id;
	struct lw_sw_chunk *v;
	int fd, r = 0;

	memset(val, 0, sizeof(*val));
	if (bpf_map_lookup_elem(m->sw_chunks, &c, &id))
		return errno == ENOENT ? 0 : -errno;
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	v = malloc(sizeof(*v));
	if (!v)
		r = -ENOMEM;
	else if (bpf_map_lookup_elem(fd, &key0, v))
		r = -errno;
	else
		*val = v->sw[s % LW_SW_CHUNK_SLOTS];
	free(v);
	close(fd);
	return r;
}

int lw_aftr_softwire_get(const struct lw_aftr_maps *m, __be32 ipv4, __u16 psid, struct in6_addr *b4,
			 struct in6_addr *br)
{
	struct lw_addr rec;
	struct lw_softwire sw;
	__u32 idx;

	if (read_rec(m, ipv4, &rec) || psid >= (1u << rec.psid_len) ||
	    read_slot(m, rec.sw_base + psid, &sw) || sw.ipv4 != ipv4 || sw.psid != psid)
		return -ENOENT;
	idx = sw.br_index;
	if (br && bpf_map_lookup_elem(m->br_by_index, &idx, br))
		return -EIO;
	*b4 = sw.b4_ipv6;
	return 0;
}

int lw_aftr_softwire_read(const struct lw_aftr_maps *m, __be32 ipv4, __u16 psid,
			  struct lw_softwire *sw)
{
	struct lw_addr rec;

	if (read_rec(m, ipv4, &rec) || psid >= (1u << rec.psid_len) ||
	    read_slot(m, rec.sw_base + psid, sw) || sw->ipv4 != ipv4 || sw->psid != psid)
		return -ENOENT;
	return 0;
}

int lw_aftr_psid_params_get(const struct lw_aftr_maps *m, __be32 ipv4, struct lw_psid_params *pp)
{
	struct lw_addr rec;

	if (read_rec(m, ipv4, &rec))
		return -ENOENT;
	memset(pp, 0, sizeof(*pp));
	pp->psid_offset = rec.psid_offset;
	pp->psid_len = rec.psid_len;
	return 0;
}

/* Every softwire of chunk c (its value v) the records account for. */
static int chunk_rows(const struct lw_bind *b, uint32_t c, const struct lw_sw_chunk *v,
		      const struct in6_addr *brs,
		      int (*fn)(const struct lw_softwire_row *row, void *arg), void *arg)
{
	for (uint32_t i = 0; i < LW_SW_CHUNK_SLOTS; i++) {
		const struct lw_softwire *sw = &v->sw[i];
		const struct lw_addr *rec = sw->ipv4 ? bind_rec(b, sw->ipv4) : NULL;
		struct lw_softwire_row row;
		int r;

		if (!rec || sw->psid >= (1u << rec->psid_len) ||
		    rec->sw_base + sw->psid != c * LW_SW_CHUNK_SLOTS + i)
			continue;
		memset(&row, 0, sizeof(row));
		row.entry.ipv4 = sw->ipv4;
		row.entry.ps.psid_offset = rec->psid_offset;
		row.entry.ps.psid_len = rec->psid_len;
		row.entry.psid = sw->psid;
		row.entry.b4_ipv6 = sw->b4_ipv6;
		row.entry.br_ipv6 = brs[sw->br_index]; /* a __u8: LW_MAX_BR_ADDRS covers it */
		row.counters = *sw;
		if ((r = fn(&row, arg)))
			return r;
	}
	return 0;
}

int lw_aftr_softwire_foreach(const struct lw_aftr_maps *m,
			     int (*fn)(const struct lw_softwire_row *row, void *arg), void *arg)
{
	static const __u32 key0;
	struct in6_addr brs[LW_MAX_BR_ADDRS];
	struct lw_bind *b = bind_new(NULL);
	struct lw_sw_chunk *v = malloc(sizeof(*v));
	int r = b && v ? bind_read_all(m, b) : -ENOMEM;

	if (!r)
		r = bind_read_range(m->br_by_index, 0, LW_MAX_BR_ADDRS, brs, sizeof(brs[0]));
	for (uint32_t c = 0; !r && b->chunk_id && c < b->n_chunks; c++) {
		int fd;

		if (!b->chunk_id[c] || b->chunk_id[c] == b->empty_id)
			continue;
		fd = bpf_map_get_fd_by_id(b->chunk_id[c]);
		if (fd < 0)
			continue; /* released since */
		r = bpf_map_lookup_elem(fd, &key0, v) ? -errno : 0;
		close(fd);
		if (!r)
			r = chunk_rows(b, c, v, brs, fn, arg);
	}
	bind_free(b);
	free(v);
	return r;
}

static int count_row(const struct lw_softwire_row *row, void *arg)
{
	(void)row;
	(*(size_t *)arg)++;
	return 0;
}

int lw_aftr_softwire_count(const struct lw_aftr_maps *m, size_t *count)
{
	static const __u32 key0;
	struct lw_bind_state st;

	if (bpf_map_lookup_elem(m->bind_state, &key0, &st))
		return -errno;
	*count = st.softwires;
	if (!(st.generation & 1))
		return 0;
	/* a writer is at work, or died half-way: count them */
	*count = 0;
	return lw_aftr_softwire_foreach(m, count_row, count);
}
