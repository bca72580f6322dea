// SPDX-License-Identifier: GPL-2.0
/* lw_aftr_install(): a whole table into the binding maps, all or nothing
 * (issue 11). First a plan that writes nothing: one entry per address (its
 * run, its record before), conflicts, capacity, runs, record blocks and BR
 * addresses; then the writes, in an order that keeps every address served:
 * BR addresses, the softwires of new addresses (and of addresses whose
 * port-set parameters change) into new runs (a chunk at a time), the
 * address records (switched to the new runs), the softwires of addresses
 * that keep their run rewritten in place (bind_rewrite_chunk: an unchanged
 * binding is not written, a changed one keeps its counters), and only then
 * the old runs go. On an error the writes are undone in reverse.
 *
 * The table is the configuration's (LW_SW_ORIGIN_CONFIG, issue 12):
 * replacing it removes the configuration's softwires it no longer names
 * and leaves every PCP binding (pcpd's) where it is, with the records,
 * runs and BR addresses those use. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "bind_priv.h"
#include "addr.h"
#include "errmsg.h"

struct plan_addr {
	__be32 addr;
	uint8_t off, len;
	bool used;  /* a slot of the table */
	bool fresh; /* the table's softwires go into a new run */
	bool had;   /* the address had a record */
	bool pcp;   /* replace: its run holds PCP bindings */
	struct lw_addr old;
	uint32_t base; /* the run the table's softwires go into */
};

struct plan {
	struct plan_addr *h; /* open addressing on the address */
	size_t cap, n;
	struct plan_addr *gone; /* replace: addresses the new table drops */
	size_t n_gone;
	struct lw_sw_run *fresh; /* runs taken for the table */
	size_t n_fresh;
	__u32 *br_idx;
	bool *br_added;
	/* replace: what PCP holds, which stays (issue 12) */
	__be32 *kept; /* addresses the table drops that keep PCP bindings, sorted */
	size_t n_kept, cap_kept;
	uint32_t pcp_softwires;
	bool br_pcp[LW_MAX_BR_ADDRS]; /* BR indexes PCP bindings use */
	struct bind_undo undo;        /* the slots rewritten in place */
	bool wrote_slots, wrote_records, wrote_inplace;
};

static uint32_t hash32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352d;
	x ^= x >> 15;
	x *= 0x846ca68b;
	return x ^ (x >> 16);
}

static struct plan_addr *plan_find(const struct plan *p, __be32 addr)
{
	for (size_t i = hash32(addr) & (p->cap - 1);; i = (i + 1) & (p->cap - 1))
		if (!p->h[i].used || p->h[i].addr == addr)
			return &p->h[i];
}

static int plan_grow(struct plan *p)
{
	struct plan old = *p;

	p->cap = p->cap ? p->cap * 2 : 1024;
	p->h = calloc(p->cap, sizeof(*p->h));
	if (!p->h) {
		*p = old;
		return -ENOMEM;
	}
	for (size_t i = 0; i < old.cap; i++)
		if (old.h[i].used)
			*plan_find(p, old.h[i].addr) = old.h[i];
	free(old.h);
	return 0;
}

static void plan_free(struct plan *p)
{
	free(p->h);
	free(p->gone);
	free(p->fresh);
	free(p->br_idx);
	free(p->br_added);
	free(p->kept);
	bind_undo_free(&p->undo);
}

/* bind_entry_check, an address of 0 named by its place in the table. */
static int entry_check(const struct lw_softwire_entry *e, size_t i, char *err, size_t errlen)
{
	int r = bind_entry_check(e, err, errlen);

	if (r && !e->ipv4)
		lw_err_prefix(err, errlen, "softwire %zu", i);
	return r;
}

/* The message of an address whose softwires disagree on their port-set
 * parameters, within the table or with what is installed. */
static int params_clash(__be32 addr, unsigned off, unsigned len, const struct lw_addr *installed,
			char *err, size_t errlen)
{
	char a[LW_IPV4_STRLEN];

	lw_format_ipv4(addr, a, sizeof(a));
	if (installed)
		return lw_errf(err, errlen,
			       "%s has installed softwires with psid-offset %u psid-len %u, the "
			       "table says %u and %u",
			       a, installed->psid_offset, installed->psid_len, off, len);
	return lw_errf(err, errlen,
		       "%s: softwires with psid-offset/psid-len %u/%u and others; all softwires of "
		       "one address must share them (RFC 7597 §5.1)",
		       a, off, len);
}

/* One entry per address, each with what it had; port-set parameters agree
 * within the table and, without replace, with what the address has. */
static int plan_addresses(const struct lw_aftr_maps *m, const struct lw_aftr_setup *s, int replace,
			  struct plan *p, char *err, size_t errlen)
{
	for (size_t i = 0; i < s->n_softwires; i++) {
		const struct lw_softwire_entry *e = &s->softwires[i];
		const struct lw_addr *rec;
		struct plan_addr *pa;
		int r;

		if ((r = entry_check(e, i, err, errlen)))
			return r;
		if (2 * (p->n + 1) > p->cap && (r = plan_grow(p)))
			return r;
		pa = plan_find(p, e->ipv4);
		if (pa->used) {
			if (pa->off != e->ps.psid_offset || pa->len != e->ps.psid_len)
				return params_clash(e->ipv4, e->ps.psid_offset, e->ps.psid_len,
						    NULL, err, errlen);
			continue;
		}
		*pa = (struct plan_addr){ .addr = e->ipv4,
					  .off = e->ps.psid_offset,
					  .len = e->ps.psid_len,
					  .used = true };
		p->n++;
		rec = bind_rec(m->bind, e->ipv4);
		if (rec) {
			pa->had = true;
			pa->old = *rec;
		}
		pa->fresh = !rec || rec->psid_offset != pa->off || rec->psid_len != pa->len;
		if (!replace && rec && pa->fresh)
			return params_clash(e->ipv4, pa->off, pa->len, rec, err, errlen);
		/* same parameters: the address keeps its run, its softwires
		 * are rewritten in place (no packet lost, counters kept) */
		pa->base = pa->fresh ? 0 : rec->sw_base;
	}
	return 0;
}

static int cmp_addr(const void *x, const void *y);

static int kept_add(struct plan *p, __be32 addr)
{
	if (p->n_kept && p->kept[p->n_kept - 1] == addr)
		return 0;
	if (p->n_kept == p->cap_kept) {
		size_t cap = p->cap_kept ? 2 * p->cap_kept : 64;
		void *v = realloc(p->kept, cap * sizeof(*p->kept));

		if (!v)
			return -ENOMEM;
		p->kept = v;
		p->cap_kept = cap;
	}
	p->kept[p->n_kept++] = addr;
	return 0;
}

static bool is_kept(const struct plan *p, __be32 addr)
{
	return p->n_kept && bsearch(&addr, p->kept, p->n_kept, sizeof(addr), cmp_addr);
}

/* Replace: the PCP bindings, which stay. An address of the table whose
 * port-set parameters change cannot move them (they are pcpd's grants);
 * an address the table drops keeps its record for them. */
static int plan_pcp(const struct lw_aftr_maps *m, struct plan *p, char *err, size_t errlen)
{
	const struct lw_bind *b = m->bind;
	struct lw_sw_chunk *v = malloc(sizeof(*v));
	int r = v ? 0 : -ENOMEM;

	for (uint32_t c = 0; !r && c < b->n_chunks; c++) {
		if (!bind_own_chunk(b, c) || (r = bind_chunk_read(m, c, v)))
			continue;
		for (uint32_t i = 0; !r && i < LW_SW_CHUNK_SLOTS; i++) {
			const struct lw_softwire *sw = &v->sw[i];
			struct plan_addr *pa;

			if (!sw->ipv4 || sw->origin != LW_SW_ORIGIN_PCP ||
			    !bind_slot_accounted(b, c * LW_SW_CHUNK_SLOTS + i, sw))
				continue;
			p->pcp_softwires++;
			p->br_pcp[sw->br_index] = true;
			pa = plan_find(p, sw->ipv4);
			if (!pa->used) {
				r = kept_add(p, sw->ipv4);
			} else if (pa->fresh && pa->had) {
				char a[LW_IPV4_STRLEN];

				lw_format_ipv4(sw->ipv4, a, sizeof(a));
				r = lw_errf_code(-EBUSY, err, errlen,
						 "%s has PCP bindings with psid-offset %u psid-len "
						 "%u, the table says %u and %u; the parameters "
						 "of an address change once pcpd's grants on it "
						 "are gone",
						 a, pa->old.psid_offset, pa->old.psid_len, pa->off,
						 pa->len);
			} else {
				pa->pcp = true;
			}
		}
	}
	free(v);
	if (!r && p->n_kept) {
		size_t n = 1;

		qsort(p->kept, p->n_kept, sizeof(*p->kept), cmp_addr);
		for (size_t i = 1; i < p->n_kept; i++)
			if (p->kept[i] != p->kept[n - 1])
				p->kept[n++] = p->kept[i];
		p->n_kept = n;
	}
	return r;
}

/* Without replace: none of the table's (IPv4, PSID) may be bound already.
 * With replace: none may be a PCP binding (pcpd's grant; the table's
 * would take its set from under it). */
static int plan_conflicts(const struct lw_aftr_maps *m, const struct lw_aftr_setup *s,
			  const struct plan *p, int replace, char *err, size_t errlen)
{
	for (size_t i = 0; i < s->n_softwires; i++) {
		const struct lw_softwire_entry *e = &s->softwires[i];
		const struct plan_addr *pa = plan_find(p, e->ipv4);
		struct lw_softwire have;
		char a[LW_IPV4_STRLEN], b4[LW_IPV6_STRLEN];
		int r;

		if (pa->fresh || (replace && !pa->pcp))
			continue;
		if ((r = bind_read_slot(m, pa->base + e->psid, &have)))
			return lw_errf_code(r, err, errlen, "cannot read the binding table: %s",
					    strerror(-r));
		if (have.ipv4 != e->ipv4 || have.psid != e->psid ||
		    (replace && have.origin != LW_SW_ORIGIN_PCP))
			continue;
		lw_format_ipv4(e->ipv4, a, sizeof(a));
		if (replace)
			return lw_errf_code(-EBUSY, err, errlen,
					    "%s psid %u is a PCP binding (pcpd's grant to %s); "
					    "the table cannot take it over",
					    a, e->psid,
					    lw_format_ipv6(&have.b4_ipv6, b4, sizeof(b4)));
		return lw_errf_code(-EEXIST, err, errlen, "%s psid %u is already bound", a,
				    e->psid);
	}
	return 0;
}

static int cmp_addr(const void *x, const void *y)
{
	uint32_t a = ntohl(*(const __be32 *)x), b = ntohl(*(const __be32 *)y);

	return a < b ? -1 : a > b;
}

/* The addresses taking a record (sorted), for bind_room_for(). */
static int plan_room(const struct lw_aftr_maps *m, const struct plan *p, char *err, size_t errlen)
{
	__be32 *v = malloc((p->n ? p->n : 1) * sizeof(*v));
	size_t n = 0;
	int r;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < p->cap; i++)
		if (p->h[i].used && !p->h[i].had)
			v[n++] = p->h[i].addr;
	qsort(v, n, sizeof(*v), cmp_addr);
	r = bind_room_for(m->bind, v, n, err, errlen);
	free(v);
	return r;
}

static int cmp_plan_addr(const void *x, const void *y)
{
	return cmp_addr(&(*(struct plan_addr *const *)x)->addr,
			&(*(struct plan_addr *const *)y)->addr);
}

static uint32_t low_byte(const struct plan_addr *pa)
{
	return ntohl(pa->addr) & 0xff;
}

/* The addresses v[i, j), of one /24 and with the same port-set parameters,
 * in one run taken for them all when they fill at least half of it: each
 * address's run at (low byte - the first's) << psid-len within it, so that
 * the block's header can be uniform and packets need no record
 * (include/lw4o6/aftr.h); the runs of the addresses missing in between go
 * back at once. 0, or why not (the caller then places them one by one). */
static int group_run(const struct lw_aftr_maps *m, struct plan *p, struct plan_addr **v, size_t i,
		     size_t j)
{
	uint32_t lo = low_byte(v[i]), span = low_byte(v[j - 1]) - lo + 1, base, k = i;
	unsigned len = v[i]->len, s = 0;
	int r;

	while ((1u << s) < span)
		s++;
	if (len + s > LW_SW_MAX_ORDER || 2 * (j - i) < (1u << s))
		return -EAGAIN;
	if ((r = bind_run_alloc(m, len + s, &base)))
		return r;
	for (uint32_t x = 0; x < (1u << s); x++) {
		uint32_t at = base + (x << len);

		if (k < j && low_byte(v[k]) - lo == x) {
			v[k++]->base = at;
			p->fresh[p->n_fresh].base = at;
			p->fresh[p->n_fresh++].order = (uint8_t)len;
		} else {
			/* out of memory: that run is short until the next reset */
			(void)bind_run_unused(m, at, len);
		}
	}
	return 0;
}

/* The end of the group of v[i] for group_run(): the same /24, the same
 * port-set parameters. */
static size_t group_end(struct plan_addr **v, size_t i, size_t n)
{
	size_t j = i + 1;

	while (j < n && ntohl(v[j]->addr) >> 8 == ntohl(v[i]->addr) >> 8 &&
	       v[j]->off == v[i]->off && v[j]->len == v[i]->len)
		j++;
	return j;
}

/* A run for every address that needs one, in address order (so that a
 * table listed by address fills chunk after chunk), a /24's together where
 * they fit (group_run); the space read again from the records once, when
 * it looks full. */
static int plan_runs(const struct lw_aftr_maps *m, struct plan *p, char *err, size_t errlen)
{
	struct plan_addr **v = malloc((p->n ? p->n : 1) * sizeof(*v));
	bool compacted = false;
	size_t n = 0;
	int r = 0;

	p->fresh = calloc(p->n ? p->n : 1, sizeof(*p->fresh));
	if (!v || !p->fresh) {
		free(v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < p->cap; i++)
		if (p->h[i].used && p->h[i].fresh)
			v[n++] = &p->h[i];
	qsort(v, n, sizeof(*v), cmp_plan_addr);
	for (size_t i = 0, g = 0; i < n && !r; i++) {
		if (i >= g) { /* the start of a group */
			g = group_end(v, i, n);
			if (g - i > 1 && group_run(m, p, v, i, g) == 0) {
				i = g - 1;
				continue;
			}
		}
		r = bind_run_alloc(m, v[i]->len, &v[i]->base);
		if (r == -ENOSPC && !compacted) {
			compacted = true;
			if (!(r = bind_compact(m, p->fresh, p->n_fresh)))
				r = bind_run_alloc(m, v[i]->len, &v[i]->base);
		}
		if (!r) {
			p->fresh[p->n_fresh].base = v[i]->base;
			p->fresh[p->n_fresh++].order = v[i]->len;
		}
	}
	free(v);
	if (r)
		return lw_errf_code(r, err, errlen,
				    "no room for the table in the binding table's slots "
				    "(%zu of %zu addresses placed; %u softwires fit, and a "
				    "replaced table stands beside its successor until the "
				    "switch): raise lw4o6 load aftr --max-softwires",
				    p->n_fresh, n, m->bind->max_softwires);
	return 0;
}

/* Replace: the addresses the new table does not name. */
static int plan_gone(const struct lw_aftr_maps *m, struct plan *p)
{
	const struct lw_bind *b = m->bind;
	size_t cap = b->st.addresses + 1;

	p->gone = calloc(cap, sizeof(*p->gone));
	if (!p->gone)
		return -ENOMEM;
	for (uint32_t t = 0; t < LW_L1_ENTRIES; t++) {
		uint32_t l2 = b->l1[t] & LW_L1_L2_MASK;

		for (uint32_t j = 0; l2 && j < LW_ADDR_BLOCK; j++) {
			uint32_t k = b->l2[l2 - 1][j];

			for (uint32_t i = 0; k && i < LW_ADDR_BLOCK && p->n_gone < cap; i++) {
				__be32 a = htonl(t << 16 | j << 8 | i);

				if (!(b->blk[k - 1][i].flags & LW_ADDR_VALID) ||
				    plan_find(p, a)->used || is_kept(p, a))
					continue;
				p->gone[p->n_gone].addr = a;
				p->gone[p->n_gone].had = true;
				p->gone[p->n_gone++].old = b->blk[k - 1][i];
			}
		}
	}
	return 0;
}

/* The table's BR addresses: their indexes once added; none added yet, but
 * whether the new ones fit is known. */
static int plan_brs(const struct lw_aftr_maps *m, const struct lw_aftr_setup *s, struct plan *p,
		    char *err, size_t errlen)
{
	size_t have = 0, add = 0;
	int r = lw_aftr_br_count(m, &have);

	p->br_idx = calloc(s->n_br_addrs + 1, sizeof(*p->br_idx));
	p->br_added = calloc(s->n_br_addrs + 1, sizeof(*p->br_added));
	if (!p->br_idx || !p->br_added)
		return -ENOMEM;
	if (r)
		return lw_errf_code(r, err, errlen, "cannot read the BR addresses: %s",
				    strerror(-r));
	for (size_t i = 0; i < s->n_br_addrs; i++)
		add += !lw_aftr_is_br(m, &s->br_addrs[i]);
	if (have + add > LW_MAX_BR_ADDRS)
		return lw_errf_code(-E2BIG, err, errlen,
				    "more than %d BR addresses (%zu installed, %zu new)",
				    LW_MAX_BR_ADDRS, have, add);
	return 0;
}

static int plan(const struct lw_aftr_maps *m, const struct lw_aftr_setup *s, int replace,
		struct plan *p, char *err, size_t errlen)
{
	const struct lw_bind *b = m->bind;
	uint64_t total;
	int r;

	if ((r = plan_grow(p)) || (r = plan_addresses(m, s, replace, p, err, errlen)) ||
	    (replace && (r = plan_pcp(m, p, err, errlen))))
		return r;
	total = (replace ? p->pcp_softwires : b->st.softwires) + (uint64_t)s->n_softwires;
	if (total > b->max_softwires)
		return lw_errf_code(-ENOSPC, err, errlen,
				    "binding table full: %zu softwires%s would make %llu, the "
				    "capacity is %u (lw4o6 load aftr --max-softwires raises it)",
				    s->n_softwires,
				    replace ? " and the PCP bindings"
					    : " more than those installed",
				    (unsigned long long)total, b->max_softwires);
	if ((r = plan_conflicts(m, s, p, replace, err, errlen)) ||
	    (r = plan_room(m, p, err, errlen)) || (r = plan_brs(m, s, p, err, errlen)) ||
	    (replace && (r = plan_gone(m, p))))
		return r;
	return plan_runs(m, p, err, errlen);
}

static size_t br_of(const struct lw_aftr_setup *s, const struct in6_addr *br, size_t hint)
{
	if (hint < s->n_br_addrs && !memcmp(&s->br_addrs[hint], br, sizeof(*br)))
		return hint;
	for (size_t i = 0; i < s->n_br_addrs; i++)
		if (!memcmp(&s->br_addrs[i], br, sizeof(*br)))
			return i;
	return s->n_br_addrs;
}

/* The plan entry of e's address: the last one asked for when it is the
 * same (tables list an address's softwires together). */
static const struct plan_addr *addr_of(const struct plan *p, const struct lw_softwire_entry *e,
				       const struct plan_addr **memo)
{
	if (!*memo || (*memo)->addr != e->ipv4)
		*memo = plan_find(p, e->ipv4);
	return *memo;
}

struct buckets {
	uint32_t *start; /* n_chunks + 1: the first index of each chunk's entries */
	uint32_t *idx;   /* the table's entries, chunk by chunk */
};

/* The table's entries bucketed by chunk, those of new runs (fresh) or
 * those of runs that stay: 4 bytes an entry, the only table-sized memory an
 * install takes (a replace also keeps the old value of every binding it
 * rewrites in place, for the undo). */
static int bucket(const struct lw_aftr_maps *m, const struct lw_aftr_setup *s, const struct plan *p,
		  bool fresh, struct buckets *bk)
{
	uint32_t n_chunks = m->bind->n_chunks, *fill;
	const struct plan_addr *memo = NULL;

	bk->start = calloc((size_t)n_chunks + 1, sizeof(uint32_t));
	bk->idx = malloc((s->n_softwires ? s->n_softwires : 1) * sizeof(uint32_t));
	fill = calloc((size_t)n_chunks + 1, sizeof(uint32_t));
	if (!bk->start || !bk->idx || !fill) {
		free(fill);
		return -ENOMEM;
	}
	for (size_t i = 0; i < s->n_softwires; i++) {
		const struct plan_addr *pa = addr_of(p, &s->softwires[i], &memo);

		if (pa->fresh == fresh)
			bk->start[(pa->base + s->softwires[i].psid) / LW_SW_CHUNK_SLOTS + 1]++;
	}
	for (uint32_t c = 0; c < n_chunks; c++)
		bk->start[c + 1] += bk->start[c];
	memcpy(fill, bk->start, (size_t)n_chunks * sizeof(uint32_t));
	for (size_t i = 0; i < s->n_softwires; i++) {
		const struct plan_addr *pa = addr_of(p, &s->softwires[i], &memo);

		if (pa->fresh == fresh)
			bk->idx[fill[(pa->base + s->softwires[i].psid) / LW_SW_CHUNK_SLOTS]++] =
				(uint32_t)i;
	}
	free(fill);
	return 0;
}

/* Chunk value v patched with chunk c's entries of bk (the configuration's),
 * the slots patched marked in touched (may be NULL). */
static int patch_entries(const struct lw_aftr_setup *s, const struct plan *p,
			 const struct buckets *bk, uint32_t c, struct lw_sw_chunk *v, bool *touched)
{
	const struct plan_addr *memo = NULL;
	size_t br = 0;

	for (uint32_t k = bk->start[c]; k < bk->start[c + 1]; k++) {
		const struct lw_softwire_entry *e = &s->softwires[bk->idx[k]];
		const struct plan_addr *pa = addr_of(p, e, &memo);
		uint32_t i = (pa->base + e->psid) % LW_SW_CHUNK_SLOTS;
		struct lw_softwire *sw = &v->sw[i];

		memset(sw, 0, sizeof(*sw));
		br = br_of(s, &e->br_ipv6, br);
		if (br == s->n_br_addrs)
			return -EINVAL;
		sw->b4_ipv6 = e->b4_ipv6;
		sw->ipv4 = e->ipv4;
		sw->psid = e->psid;
		sw->br_index = (__u8)p->br_idx[br];
		sw->origin = LW_SW_ORIGIN_CONFIG;
		if (touched)
			touched[i] = true;
	}
	return 0;
}

/* The softwires of new runs into their slots, each chunk read, patched
 * and written once (a chunk is one value: one copy each way); no record
 * names those runs yet, so no packet reads them. */
static int write_slots(const struct lw_aftr_maps *m, const struct lw_aftr_setup *s,
		       const struct plan *p)
{
	struct buckets bk = {};
	struct lw_sw_chunk *v = malloc(sizeof(*v));
	int r = v ? bucket(m, s, p, true, &bk) : -ENOMEM;

	for (uint32_t c = 0; !r && c < m->bind->n_chunks; c++)
		if (bk.start[c] < bk.start[c + 1] && !(r = bind_chunk_read(m, c, v)) &&
		    !(r = patch_entries(s, p, &bk, c, v, NULL)))
			r = bind_chunk_write(m, c, v);
	if (!r)
		r = bind_publish_chunks(m);
	free(bk.start);
	free(bk.idx);
	free(v);
	return r;
}

/* Replace: whether a configuration softwire at slot s, which the table
 * does not name, goes in place (its address keeps its run: the table's
 * own, or one PCP bindings keep); the others go with their runs. */
static bool config_goes_in_place(const struct lw_bind *b, const struct plan *p, uint32_t s,
				 const struct lw_softwire *sw)
{
	const struct plan_addr *pa;

	if (!sw->ipv4 || sw->origin != LW_SW_ORIGIN_CONFIG || !bind_slot_accounted(b, s, sw))
		return false;
	pa = plan_find(p, sw->ipv4);
	return pa->used ? !pa->fresh : is_kept(p, sw->ipv4);
}

/* The softwires of runs that stay, rewritten in place a chunk at a time
 * (bind_rewrite_chunk: the same binding is not written, a changed one
 * keeps its counters, no packet sees a half-written B4 as valid); replace
 * also removes, in place, the configuration's softwires the table does not
 * name on addresses that keep their run. PCP bindings are left alone. */
static int write_inplace(const struct lw_aftr_maps *m, const struct lw_aftr_setup *s,
			 struct plan *p, int replace)
{
	struct lw_bind *b = m->bind;
	struct buckets bk = {};
	struct lw_sw_chunk *v = malloc(sizeof(*v));
	bool touched[LW_SW_CHUNK_SLOTS];
	int r = v ? bucket(m, s, p, false, &bk) : -ENOMEM;

	for (uint32_t c = 0; !r && c < b->n_chunks; c++) {
		bool mine = bk.start[c] < bk.start[c + 1];

		if (!mine && !(replace && bind_own_chunk(b, c)))
			continue;
		b->rc_ok = false;
		if ((r = bind_chunk_read(m, c, v)))
			break;
		memset(touched, 0, sizeof(touched));
		if ((r = patch_entries(s, p, &bk, c, v, touched)))
			break;
		for (uint32_t i = 0; replace && i < LW_SW_CHUNK_SLOTS; i++)
			if (!touched[i] &&
			    config_goes_in_place(b, p, c * LW_SW_CHUNK_SLOTS + i, &v->sw[i]))
				memset(&v->sw[i], 0, sizeof(v->sw[i]));
		r = bind_rewrite_chunk(m, c, v, &p->undo);
	}
	free(bk.start);
	free(bk.idx);
	free(v);
	return r;
}

struct rec_pair {
	__be32 addr;
	struct lw_addr rec;
};

static int cmp_rec_pair(const void *x, const void *y)
{
	return cmp_addr(&((const struct rec_pair *)x)->addr, &((const struct rec_pair *)y)->addr);
}

/* n records (any order) through bind_set_records(), sorted. */
static int set_records(const struct lw_aftr_maps *m, struct rec_pair *v, size_t n)
{
	__be32 *addr = malloc((n ? n : 1) * sizeof(*addr));
	struct lw_addr *rec = malloc((n ? n : 1) * sizeof(*rec));
	int r = addr && rec ? 0 : -ENOMEM;

	if (!r) {
		qsort(v, n, sizeof(*v), cmp_rec_pair);
		for (size_t i = 0; i < n; i++) {
			addr[i] = v[i].addr;
			rec[i] = v[i].rec;
		}
		r = bind_set_records(m, addr, rec, n);
	}
	free(addr);
	free(rec);
	return r;
}

/* The table's addresses on their new runs, then (replace) the dropped ones
 * removed; undo: every one of them back as it was. */
static int write_records(const struct lw_aftr_maps *m, const struct plan *p, bool undo)
{
	size_t n = 0, cap = (p->n > p->n_gone ? p->n : p->n_gone) + 1;
	struct rec_pair *v = malloc(cap * sizeof(*v));
	int r;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < p->cap; i++) {
		const struct plan_addr *pa = &p->h[i];

		if (!pa->used || !pa->fresh)
			continue;
		v[n].addr = pa->addr;
		if (undo)
			v[n++].rec = pa->had ? pa->old : (struct lw_addr){ 0 };
		else
			v[n++].rec = (struct lw_addr){ .sw_base = pa->base,
						       .psid_offset = pa->off,
						       .psid_len = pa->len,
						       .flags = LW_ADDR_VALID };
	}
	r = set_records(m, v, n);
	for (n = 0; !r && n < p->n_gone; n++) {
		v[n].addr = p->gone[n].addr;
		v[n].rec = undo ? p->gone[n].old : (struct lw_addr){ 0 };
	}
	if (!r)
		r = set_records(m, v, n);
	free(v);
	return r;
}

/* Replace: what the old table held and the new one does not (its runs, its
 * BR addresses, except those PCP bindings use) goes once every address is
 * switched. */
static int drop_old(const struct lw_aftr_maps *m, const struct lw_aftr_setup *s,
		    const struct plan *p)
{
	struct lw_sw_run *runs = calloc(p->n + p->n_gone + 1, sizeof(*runs));
	size_t n = 0;
	int r;

	if (!runs)
		return -ENOMEM;
	for (size_t i = 0; i < p->cap; i++)
		if (p->h[i].used && p->h[i].had && p->h[i].fresh) {
			runs[n].base = p->h[i].old.sw_base;
			runs[n++].order = p->h[i].old.psid_len;
		}
	for (size_t i = 0; i < p->n_gone; i++) {
		runs[n].base = p->gone[i].old.sw_base;
		runs[n++].order = p->gone[i].old.psid_len;
	}
	r = bind_runs_free(m, runs, n);
	free(runs);
	for (__u32 idx = 0; !r && idx < LW_MAX_BR_ADDRS; idx++) {
		bool keep = p->br_pcp[idx];

		for (size_t i = 0; i < s->n_br_addrs && !keep; i++)
			keep = p->br_idx[i] == idx;
		if (!keep)
			r = lw_aftr_br_remove_locked(m, idx);
	}
	return r;
}

/* Undoes what apply() did up to its failure: 0 when the table is as it
 * was. */
static int undo(const struct lw_aftr_maps *m, const struct lw_aftr_setup *s, struct plan *p)
{
	int r = 0;

	if (p->wrote_inplace)
		r = bind_undo_apply(m, &p->undo);
	if (!r && p->wrote_records)
		r = write_records(m, p, true);
	if (!r) /* zeroes what write_slots() put in them */
		r = bind_runs_free(m, p->fresh, p->n_fresh);
	for (size_t i = 0; !r && i < s->n_br_addrs; i++)
		if (p->br_added[i])
			r = lw_aftr_br_remove_locked(m, p->br_idx[i]);
	return r;
}

static int apply(const struct lw_aftr_maps *m, const struct lw_aftr_setup *s, int replace,
		 struct plan *p, char *err, size_t errlen, bool *clean)
{
	const char *what = "add BR addresses";
	int r = 0;

	for (size_t i = 0; !r && i < s->n_br_addrs; i++)
		r = lw_aftr_br_index_locked(m, &s->br_addrs[i], &p->br_idx[i], &p->br_added[i], err,
					    errlen);
	if (!r) {
		what = "write softwires";
		p->wrote_slots = true;
		r = write_slots(m, s, p);
	}
	if (!r) {
		what = "write address records";
		p->wrote_records = true;
		r = write_records(m, p, false);
	}
	if (!r) {
		what = "rewrite softwires in place";
		p->wrote_inplace = true;
		r = write_inplace(m, s, p, replace);
	}
	if (r) {
		*clean = undo(m, s, p) == 0;
		return lw_errf_code(r, err, errlen, "cannot %s: %s; the binding table is %s", what,
				    strerror(-r),
				    *clean ? "unchanged" : "inconsistent until the next write");
	}
	m->bind->st.softwires =
		(replace ? p->pcp_softwires : m->bind->st.softwires) + (uint32_t)s->n_softwires;
	/* the new table stands: what remains is clean-up, never undone */
	if (replace && (r = drop_old(m, s, p)))
		*clean = false;
	return 0;
}

int lw_aftr_install(const struct lw_aftr_maps *m, const struct lw_aftr_setup *s, int replace,
		    char *err, size_t errlen)
{
	struct plan p = {};
	bool clean = true;
	int r;

	if ((r = lw_aftr_write_meta(m)))
		return lw_errf_code(r, err, errlen, "cannot write the ABI version: %s",
				    strerror(-r));
	if ((r = bind_begin(m, err, errlen)))
		return r;
	r = plan(m, s, replace, &p, err, errlen);
	if (r && p.n_fresh) /* the runs taken for nothing */
		clean = bind_runs_free(m, p.fresh, p.n_fresh) == 0;
	if (!r)
		r = apply(m, s, replace, &p, err, errlen, &clean);
	if (!r && (r = lw_aftr_config_sync_locked(m, &s->cfg)))
		lw_errf_code(r, err, errlen, "cannot write configuration: %s", strerror(-r));
	bind_end(m, clean);
	plan_free(&p);
	return r;
}
