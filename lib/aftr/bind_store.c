// SPDX-License-Identifier: GPL-2.0
/* The binding table's writer: address records, chunks, slots and runs
 * (bind_priv.h). Every write goes to the maps first and to the mirror once
 * it succeeded, so that the mirror never claims what the maps lack. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "bind_priv.h"
#include "errmsg.h"

/* ---- address records ------------------------------------------------------------ */

const struct lw_addr *bind_rec(const struct lw_bind *b, __be32 addr)
{
	uint32_t a = ntohl(addr), t = b->l1[a >> 16] & LW_L1_L2_MASK, k;
	const struct lw_addr *rec;

	if (!t || t > b->n_l2 || !b->l2[t - 1])
		return NULL;
	k = b->l2[t - 1][(a >> 8) & 0xff];
	if (!k || k > b->n_blocks || !b->blk[k - 1])
		return NULL;
	rec = &b->blk[k - 1][a & 0xff];
	return rec->flags & LW_ADDR_VALID ? rec : NULL;
}

static bool has_block(const struct lw_bind *b, uint32_t a)
{
	uint32_t t = b->l1[a >> 16] & LW_L1_L2_MASK;

	return t && b->l2[t - 1] && b->l2[t - 1][(a >> 8) & 0xff];
}

int bind_room_for(const struct lw_bind *b, const __be32 *addr, size_t n, char *err, size_t errlen)
{
	uint32_t blocks = 0, tables = 0, last24 = 0, last16 = 0;
	bool first = true;

	for (size_t i = 0; i < n; i++) {
		uint32_t a = ntohl(addr[i]);

		if (has_block(b, a) || (!first && a >> 8 == last24))
			continue;
		blocks++;
		if (!(b->l1[a >> 16] & LW_L1_L2_MASK) && (first || a >> 16 != last16))
			tables++;
		last24 = a >> 8;
		last16 = a >> 16;
		first = false;
	}
	if (blocks > b->blocks.n - b->blocks.used || tables > b->l2s.n - b->l2s.used)
		return lw_errf_code(-ENOSPC, err, errlen,
				    "no room for the addresses: %u more /24s with softwires "
				    "(%u of %u in use) in %u more /16s (%u of %u in use); raise "
				    "lw4o6 load aftr --max-softwires",
				    blocks, b->blocks.used, b->blocks.n, tables, b->l2s.used,
				    b->l2s.n);
	return 0;
}

/* A block and table taken by block_for() that never made it into the maps. */
static void block_drop(struct lw_bind *b, uint32_t blk, uint32_t tab, bool new_blk, bool new_tab)
{
	if (new_blk) {
		free(b->blk[blk]);
		b->blk[blk] = NULL;
		lw_ids_free(&b->blocks, blk);
	}
	if (new_tab) {
		free(b->l2[tab]);
		b->l2[tab] = NULL;
		lw_ids_free(&b->l2s, tab);
	}
}

/* The block of a (a /24), taking a block (and an l2 table) when it has
 * none: 0 with *blk and whether they are new, or -ENOSPC/-ENOMEM. */
static int block_for(struct lw_bind *b, uint32_t a, uint32_t *blk, uint32_t *tab, bool *new_blk,
		     bool *new_tab)
{
	uint32_t t = b->l1[a >> 16] & LW_L1_L2_MASK;

	*new_blk = *new_tab = false;
	if (t && b->l2[t - 1][(a >> 8) & 0xff]) {
		*tab = t - 1;
		*blk = b->l2[t - 1][(a >> 8) & 0xff] - 1;
		return 0;
	}
	if (!t) {
		if (lw_ids_alloc(&b->l2s, tab))
			return -ENOSPC;
		b->l2[*tab] = calloc(LW_ADDR_BLOCK, sizeof(uint32_t));
		if (!b->l2[*tab]) {
			lw_ids_free(&b->l2s, *tab);
			return -ENOMEM;
		}
		*new_tab = true;
	} else {
		*tab = t - 1;
	}
	if (lw_ids_alloc(&b->blocks, blk)) {
		block_drop(b, 0, *tab, false, *new_tab);
		return -ENOSPC;
	}
	b->blk[*blk] = calloc(LW_ADDR_BLOCK, sizeof(struct lw_addr));
	if (!b->blk[*blk]) {
		lw_ids_free(&b->blocks, *blk);
		block_drop(b, 0, *tab, false, *new_tab);
		return -ENOMEM;
	}
	*new_blk = true;
	return 0;
}

static bool all_zero(const void *p, size_t len)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < len; i++)
		if (c[i])
			return false;
	return true;
}

/* An emptied block leaves (its l2 entry first), then an emptied table. */
static int block_retire(const struct lw_aftr_maps *m, struct lw_bind *b, uint32_t a, uint32_t blk,
			uint32_t tab)
{
	uint32_t zero = 0, k = tab * LW_ADDR_BLOCK + ((a >> 8) & 0xff), l1;
	int r;

	for (uint32_t i = 0; i < LW_ADDR_BLOCK; i++)
		if (b->blk[blk][i].flags & LW_ADDR_VALID)
			return 0;
	if ((r = bind_update(m->addr_l2, &k, &zero)))
		return r;
	b->l2[tab][(a >> 8) & 0xff] = 0;
	block_drop(b, blk, 0, true, false);
	if (!all_zero(b->l2[tab], LW_ADDR_BLOCK * sizeof(uint32_t)))
		return 0;
	k = a >> 16;
	l1 = b->l1[k] & LW_L1_POOL;
	if ((r = bind_update(m->addr_l1, &k, &l1)))
		return r;
	b->l1[k] = l1;
	block_drop(b, 0, tab, false, true);
	return 0;
}

/* The header (struct lw_addr_block) of a block holding recs[LW_ADDR_BLOCK]:
 * uniform with its presence bits, or all zero. */
static void bind_block_head(const struct lw_addr *recs, struct lw_addr_block *h)
{
	bool any = false, uniform = true;

	memset(h, 0, sizeof(*h));
	for (uint32_t i = 0; i < LW_ADDR_BLOCK && uniform; i++) {
		const struct lw_addr *r = &recs[i];
		uint32_t base;

		if (!(r->flags & LW_ADDR_VALID))
			continue;
		base = r->sw_base - (i << (r->psid_len & 31));
		h->present[i / 64] |= 1ull << (i % 64);
		if (!any) {
			h->head = *r;
			h->head.sw_base = base;
			any = true;
		} else if (r->psid_offset != h->head.psid_offset ||
			   r->psid_len != h->head.psid_len || base != h->head.sw_base) {
			uniform = false;
		}
	}
	if (!any || !uniform) {
		memset(h, 0, sizeof(*h)); /* says nothing: the records do */
		return;
	}
	h->head.flags = LW_BLOCK_UNIFORM;
	h->head.reserved = 0;
}

/* Addresses [i, j) of one /24: a uniform header that is to change cleared,
 * their records, the block's new header, then (a new block) its l2 entry,
 * then (a new table) its l1 entry. */
static int set_group(const struct lw_aftr_maps *m, struct lw_bind *b, const __be32 *addr,
		     const struct lw_addr *recs, size_t i, size_t j)
{
	static const struct lw_addr_block zero_head;
	struct lw_addr tmp[LW_ADDR_BLOCK];
	struct lw_addr_block oldh, newh;
	uint32_t a = ntohl(addr[i]), blk, tab, lo = 255, hi = 0, k, v;
	bool new_blk, new_tab, head_changes;
	int r = 0;

	if (!has_block(b, a)) {
		size_t x = i;

		while (x < j && !(recs[x].flags & LW_ADDR_VALID))
			x++;
		if (x == j)
			return 0; /* removing what is not there */
	}
	if ((r = block_for(b, a, &blk, &tab, &new_blk, &new_tab)))
		return r;
	memcpy(tmp, b->blk[blk], sizeof(tmp));
	for (size_t x = i; x < j; x++) {
		uint32_t idx = ntohl(addr[x]) & 0xff;

		b->st.addresses +=
			(recs[x].flags & LW_ADDR_VALID) - (tmp[idx].flags & LW_ADDR_VALID);
		tmp[idx] = recs[x];
		lo = idx < lo ? idx : lo;
		hi = idx > hi ? idx : hi;
	}
	/* a block or table taken anew is written whole: the map may hold what
	 * an earlier user left */
	if (new_blk) {
		lo = 0;
		hi = LW_ADDR_BLOCK - 1;
	}
	bind_block_head(b->blk[blk], &oldh);
	bind_block_head(tmp, &newh);
	head_changes = memcmp(&oldh, &newh, sizeof(newh)) != 0;
	if (!new_blk && head_changes && (oldh.head.flags & LW_BLOCK_UNIFORM))
		r = bind_update(m->addr_blocks, &blk, &zero_head);
	if (!r)
		r = bind_update_range(m->addr_recs, blk * LW_ADDR_BLOCK + lo, hi - lo + 1,
				      &tmp[lo]);
	if (!r && !new_blk) {
		/* the records are in: the mirror follows them whatever comes
		 * next; a header left cleared only costs the data plane a read */
		memcpy(b->blk[blk], tmp, sizeof(tmp));
		if (head_changes && (r = bind_update(m->addr_blocks, &blk, &newh)))
			return r;
		return block_retire(m, b, a, blk, tab);
	}
	if (!r)
		r = bind_update(m->addr_blocks, &blk, &newh);
	if (!r) {
		uint32_t t2[LW_ADDR_BLOCK];

		memcpy(t2, b->l2[tab], sizeof(t2));
		t2[(a >> 8) & 0xff] = blk + 1;
		if (new_tab) {
			r = bind_update_range(m->addr_l2, tab * LW_ADDR_BLOCK, LW_ADDR_BLOCK, t2);
		} else {
			k = tab * LW_ADDR_BLOCK + ((a >> 8) & 0xff);
			r = bind_update(m->addr_l2, &k, &t2[(a >> 8) & 0xff]);
		}
	}
	if (!r && new_tab) {
		k = a >> 16;
		v = (b->l1[k] & LW_L1_POOL) | (tab + 1);
		if (!(r = bind_update(m->addr_l1, &k, &v)))
			b->l1[k] = v;
	}
	if (r) {
		for (size_t x = i; x < j; x++) /* the count follows the mirror */
			b->st.addresses -=
				(recs[x].flags & LW_ADDR_VALID) -
				(b->blk[blk][ntohl(addr[x]) & 0xff].flags & LW_ADDR_VALID);
		block_drop(b, blk, tab, new_blk, new_tab);
		return r;
	}
	memcpy(b->blk[blk], tmp, sizeof(tmp));
	b->l2[tab][(a >> 8) & 0xff] = blk + 1;
	return 0;
}

int bind_set_records(const struct lw_aftr_maps *m, const __be32 *addr, const struct lw_addr *recs,
		     size_t n)
{
	struct lw_bind *b = m->bind;
	int r = 0;

	for (size_t i = 0, j; i < n && !r; i = j) {
		for (j = i + 1; j < n && ntohl(addr[j]) >> 8 == ntohl(addr[i]) >> 8; j++)
			;
		r = set_group(m, b, addr, recs, i, j);
	}
	b->st.blocks = b->blocks.used;
	b->st.l2_tables = b->l2s.used;
	return r;
}

/* ---- chunks ------------------------------------------------------------------------ */

static bool own_chunk(const struct lw_bind *b, uint32_t c)
{
	return b->chunk_id[c] && b->chunk_id[c] != b->empty_id;
}

bool bind_own_chunk(const struct lw_bind *b, uint32_t c)
{
	return c < b->n_chunks && own_chunk(b, c);
}

static int pending_fd(const struct lw_bind *b, uint32_t c)
{
	for (size_t i = 0; i < b->n_pend; i++)
		if (b->pend[i].chunk == c)
			return b->pend[i].fd;
	return -1;
}

/* A chunk map of the object's shape, with its BTF when there is one. */
static int create_chunk(const struct lw_bind *b)
{
	LIBBPF_OPTS(bpf_map_create_opts, o);
	int fd;

	if (b->btf_fd >= 0) {
		o.btf_fd = (__u32)b->btf_fd;
		o.btf_key_type_id = b->btf_key;
		o.btf_value_type_id = b->btf_value;
		fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "lw_sw_chunk", sizeof(__u32),
				    sizeof(struct lw_sw_chunk), 1, &o);
		if (fd >= 0)
			return fd;
	}
	LIBBPF_OPTS(bpf_map_create_opts, plain);
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "lw_sw_chunk", sizeof(__u32),
			    sizeof(struct lw_sw_chunk), 1, &plain);
	return fd >= 0 ? fd : -errno;
}

int bind_chunk_fd(const struct lw_aftr_maps *m, uint32_t c, bool create)
{
	struct lw_bind *b = m->bind;
	struct bind_fd *e = &b->fdc[c % BIND_FD_CACHE];
	int fd = pending_fd(b, c), r;

	if (fd >= 0)
		return fd;
	if (c >= b->n_chunks)
		return -ERANGE;
	if (own_chunk(b, c)) {
		if (e->fd >= 0 && e->chunk == c)
			return e->fd;
		fd = bpf_map_get_fd_by_id(b->chunk_id[c]);
		if (fd < 0)
			return -errno;
		if (e->fd >= 0)
			close(e->fd);
		e->chunk = c;
		e->fd = fd;
		return fd;
	}
	if (!create)
		return -ENOENT;
	if (b->n_pend >= b->pend_cap && (r = bind_publish_chunks(m)))
		return r;
	if ((r = bind_fault()))
		return r;
	fd = create_chunk(b);
	if (fd < 0)
		return fd;
	b->pend[b->n_pend].chunk = c;
	b->pend[b->n_pend++].fd = fd;
	return fd;
}

static void cache_put(struct lw_bind *b, uint32_t c, int fd)
{
	struct bind_fd *e = &b->fdc[c % BIND_FD_CACHE];

	if (e->fd >= 0)
		close(e->fd);
	e->chunk = c;
	e->fd = fd;
}

int bind_publish_chunks(const struct lw_aftr_maps *m)
{
	struct lw_bind *b = m->bind;
	uint32_t keys[BIND_PENDING_MAX], cnt = (uint32_t)b->n_pend;
	int fds[BIND_PENDING_MAX], r;
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);

	if (!b->n_pend)
		return 0;
	for (size_t i = 0; i < b->n_pend; i++) {
		keys[i] = b->pend[i].chunk;
		fds[i] = b->pend[i].fd;
	}
	if ((r = bind_fault()))
		return r;
	if (bpf_map_update_batch(m->sw_chunks, keys, fds, &cnt, &opts))
		return -errno;
	for (size_t i = 0; i < b->n_pend; i++) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);

		if (bpf_obj_get_info_by_fd(b->pend[i].fd, &info, &len) == 0)
			b->chunk_id[b->pend[i].chunk] = info.id;
		b->st.chunks++;
		cache_put(b, b->pend[i].chunk, b->pend[i].fd);
	}
	b->n_pend = 0;
	return 0;
}

int bind_reclaim_chunks(const struct lw_aftr_maps *m)
{
	struct lw_bind *b = m->bind;
	uint32_t *keys = NULL, n = 0;
	int *fds = NULL, r = 0;
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);

	/* created for runs that went again before being published */
	for (size_t i = 0; i < b->n_pend;) {
		if (b->chunk_used[b->pend[i].chunk]) {
			i++;
			continue;
		}
		close(b->pend[i].fd);
		b->pend[i] = b->pend[--b->n_pend];
	}
	for (uint32_t c = 0; c < b->n_chunks; c++) {
		if (b->chunk_used[c] || !own_chunk(b, c))
			continue;
		if (!keys && (!(keys = calloc(b->n_chunks, sizeof(*keys))) ||
			      !(fds = calloc(b->n_chunks, sizeof(*fds))))) {
			r = -ENOMEM;
			goto out;
		}
		keys[n] = c;
		fds[n++] = m->sw_empty;
	}
	if (n && bpf_map_update_batch(m->sw_chunks, keys, fds, &n, &opts)) {
		r = -errno;
		goto out;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct bind_fd *e = &b->fdc[keys[i] % BIND_FD_CACHE];

		b->chunk_id[keys[i]] = b->empty_id;
		b->st.chunks--;
		if (e->fd >= 0 && e->chunk == keys[i]) {
			close(e->fd);
			e->fd = -1;
		}
	}
	b->rc_ok = false;
out:
	free(keys);
	free(fds);
	return r;
}

/* ---- chunk values, slots and runs ---------------------------------------------------- */

int bind_chunk_read(const struct lw_aftr_maps *m, uint32_t c, struct lw_sw_chunk *v)
{
	struct lw_bind *b = m->bind;
	static const __u32 key0;
	int fd;

	if (b->rc_ok && b->rc_chunk == c) {
		memcpy(v, b->rc, sizeof(*v));
		return 0;
	}
	fd = bind_chunk_fd(m, c, false);
	if (fd == -ENOENT) {
		memset(v, 0, sizeof(*v));
		return 0;
	}
	if (fd < 0)
		return fd;
	if (bpf_map_lookup_elem(fd, &key0, v))
		return -errno;
	if (b->rc || (b->rc = malloc(sizeof(*b->rc)))) {
		memcpy(b->rc, v, sizeof(*v));
		b->rc_chunk = c;
		b->rc_ok = true;
	}
	return 0;
}

int bind_chunk_write(const struct lw_aftr_maps *m, uint32_t c, const struct lw_sw_chunk *v)
{
	struct lw_bind *b = m->bind;
	static const __u32 key0;
	int fd = bind_chunk_fd(m, c, true), r;

	if (b->rc_chunk == c)
		b->rc_ok = false;
	if (fd < 0)
		return fd;
	if ((r = bind_fault()))
		return r;
	return bpf_map_update_elem(fd, &key0, v, BPF_ANY) ? -errno : 0;
}

/* The chunk buffer writers patch (one at a time). */
static struct lw_sw_chunk *wbuf(struct lw_bind *b)
{
	if (!b->wb)
		b->wb = malloc(sizeof(*b->wb));
	return b->wb;
}

int bind_write_slots(const struct lw_aftr_maps *m, const uint32_t *slot,
		     const struct lw_softwire *val, size_t n)
{
	struct lw_sw_chunk *v = wbuf(m->bind);
	int r = v ? 0 : -ENOMEM;

	for (size_t i = 0, j; i < n && !r; i = j) {
		uint32_t c = slot[i] / LW_SW_CHUNK_SLOTS;

		if ((r = bind_chunk_read(m, c, v)))
			break;
		for (j = i; j < n && slot[j] / LW_SW_CHUNK_SLOTS == c; j++)
			v->sw[slot[j] % LW_SW_CHUNK_SLOTS] = val[j];
		r = bind_chunk_write(m, c, v);
	}
	return r ? r : bind_publish_chunks(m);
}

int bind_read_slot(const struct lw_aftr_maps *m, uint32_t s, struct lw_softwire *val)
{
	struct lw_sw_chunk *v = wbuf(m->bind);
	int r = v ? bind_chunk_read(m, s / LW_SW_CHUNK_SLOTS, v) : -ENOMEM;

	if (!r)
		*val = v->sw[s % LW_SW_CHUNK_SLOTS];
	return r;
}

/* The part of run [base, base + 2^order) in chunk c: [*lo, *hi). */
static void run_in_chunk(uint32_t base, unsigned order, uint32_t c, uint32_t *lo, uint32_t *hi)
{
	uint64_t s = c * (uint64_t)LW_SW_CHUNK_SLOTS, e = s + LW_SW_CHUNK_SLOTS;
	uint64_t rb = base, re = rb + (1ull << order);

	*lo = (uint32_t)((rb > s ? rb : s) - s);
	*hi = (uint32_t)((re < e ? re : e) - s);
}

static uint32_t last_chunk(uint32_t base, unsigned order)
{
	return (uint32_t)((base + (1ull << order) - 1) / LW_SW_CHUNK_SLOTS);
}

int bind_run_live(const struct lw_aftr_maps *m, uint32_t base, unsigned order)
{
	struct lw_sw_chunk *v = wbuf(m->bind);

	if (!v)
		return -ENOMEM;
	for (uint32_t c = base / LW_SW_CHUNK_SLOTS; c <= last_chunk(base, order); c++) {
		uint32_t lo, hi;
		int r = bind_chunk_read(m, c, v);

		if (r)
			return r;
		run_in_chunk(base, order, c, &lo, &hi);
		for (uint32_t i = lo; i < hi; i++)
			if (v->sw[i].ipv4)
				return 1;
	}
	return 0;
}

static void chunks_use(struct lw_bind *b, uint32_t base, unsigned order, int sign)
{
	for (uint32_t c = base / LW_SW_CHUNK_SLOTS; c <= last_chunk(base, order) && c < b->n_chunks;
	     c++) {
		uint32_t lo, hi;

		run_in_chunk(base, order, c, &lo, &hi);
		b->chunk_used[c] += sign > 0 ? hi - lo : -(hi - lo);
	}
}

int bind_run_alloc(const struct lw_aftr_maps *m, unsigned order, uint32_t *base)
{
	int r = lw_sw_slots_alloc(&m->bind->slots, order, base);

	if (!r)
		chunks_use(m->bind, *base, order, 1);
	return r;
}

int bind_run_unused(const struct lw_aftr_maps *m, uint32_t base, unsigned order)
{
	chunks_use(m->bind, base, order, -1);
	return lw_sw_slots_free(&m->bind->slots, base, order);
}

/* Zeroes run's slots in the chunks that stay (own, still used). */
static int zero_run(const struct lw_aftr_maps *m, const struct lw_sw_run *run)
{
	struct lw_bind *b = m->bind;
	struct lw_sw_chunk *v = wbuf(b);

	if (!v)
		return -ENOMEM;
	for (uint32_t c = run->base / LW_SW_CHUNK_SLOTS; c <= last_chunk(run->base, run->order);
	     c++) {
		uint32_t lo, hi;
		int r;

		if (!b->chunk_used[c] || (!own_chunk(b, c) && pending_fd(b, c) < 0))
			continue;
		if ((r = bind_chunk_read(m, c, v)))
			return r;
		run_in_chunk(run->base, run->order, c, &lo, &hi);
		memset(&v->sw[lo], 0, (hi - lo) * sizeof(v->sw[0]));
		if ((r = bind_chunk_write(m, c, v)))
			return r;
	}
	return 0;
}

int bind_runs_free(const struct lw_aftr_maps *m, const struct lw_sw_run *runs, size_t n)
{
	struct lw_bind *b = m->bind;
	int r = 0;

	for (size_t i = 0; i < n; i++) {
		lw_sw_slots_free(&b->slots, runs[i].base, runs[i].order);
		chunks_use(b, runs[i].base, runs[i].order, -1);
	}
	/* chunks still used by others keep the freed slots: zeroed, so that a
	 * run given out again holds nothing of its past */
	for (size_t i = 0; i < n && !r; i++)
		r = zero_run(m, &runs[i]);
	return r ? r : bind_reclaim_chunks(m);
}

/* The runs of every record in the mirror, plus extra. */
int bind_compact(const struct lw_aftr_maps *m, const struct lw_sw_run *extra, size_t n_extra)
{
	struct lw_bind *b = m->bind;
	size_t n = 0, cap = b->st.addresses + n_extra + 1;
	struct lw_sw_run *v = malloc(cap * sizeof(*v));
	int r;

	if (!v)
		return -ENOMEM;
	for (uint32_t k = 0; k < b->n_blocks; k++)
		for (uint32_t i = 0; b->blk[k] && i < LW_ADDR_BLOCK && n < cap; i++)
			if (b->blk[k][i].flags & LW_ADDR_VALID) {
				v[n].base = b->blk[k][i].sw_base;
				v[n++].order = b->blk[k][i].psid_len;
			}
	for (size_t i = 0; i < n_extra && n < cap; i++)
		v[n++] = extra[i];
	r = lw_sw_slots_reset(&b->slots, b->n_chunks * LW_SW_CHUNK_SLOTS, v, n);
	free(v);
	return r;
}

/* Whether value v at slot s is a softwire its address's record accounts for. */
bool bind_slot_accounted(const struct lw_bind *b, uint32_t s, const struct lw_softwire *v)
{
	const struct lw_addr *rec = bind_rec(b, v->ipv4);

	return rec && v->psid < (1u << rec->psid_len) && rec->sw_base + v->psid == s;
}

int bind_repair(const struct lw_aftr_maps *m)
{
	struct lw_bind *b = m->bind;
	struct lw_sw_chunk *v = wbuf(b);
	uint32_t count = 0;
	int r;

	if (!v)
		return -ENOMEM;
	for (uint32_t c = 0; c < b->n_chunks; c++) {
		bool dirty = false;

		if (!own_chunk(b, c))
			continue;
		if ((r = bind_chunk_read(m, c, v)))
			return r;
		for (uint32_t i = 0; i < LW_SW_CHUNK_SLOTS; i++) {
			if (!v->sw[i].ipv4)
				continue;
			if (bind_slot_accounted(b, c * LW_SW_CHUNK_SLOTS + i, &v->sw[i])) {
				count++;
			} else {
				memset(&v->sw[i], 0, sizeof(v->sw[i]));
				dirty = true;
			}
		}
		if (dirty && (r = bind_chunk_write(m, c, v)))
			return r;
	}
	b->st.softwires = count;
	return bind_reclaim_chunks(m);
}

/* ---- rewriting live slots (issue 12) ------------------------------------------------ */

/* Whether two values name the same binding: the fields the data plane
 * reads and the origin, counters aside. */
static bool same_binding(const struct lw_softwire *x, const struct lw_softwire *y)
{
	return x->ipv4 == y->ipv4 && x->psid == y->psid && x->br_index == y->br_index &&
	       x->origin == y->origin && !memcmp(&x->b4_ipv6, &y->b4_ipv6, sizeof(x->b4_ipv6));
}

/* Whether the softwire a slot holds goes on as the same one ((IPv4, PSID)),
 * keeping its counters. */
static bool same_softwire(const struct lw_softwire *x, const struct lw_softwire *y)
{
	return x->ipv4 && x->ipv4 == y->ipv4 && x->psid == y->psid;
}

/* Slot i's B4 changes under a value a packet could match: it was valid
 * and is about to name another B4 or nothing (vanishing), or it will be
 * valid with a B4 it did not have (appearing). */
static bool b4_moves(const struct lw_softwire *cur, const struct lw_softwire *want)
{
	return !same_softwire(cur, want) ||
	       memcmp(&cur->b4_ipv6, &want->b4_ipv6, sizeof(cur->b4_ipv6));
}

enum { RW_CHANGE = 1, RW_KEEP_COUNTERS = 2, RW_VANISH = 4, RW_APPEAR = 8 };

int bind_rewrite_chunk(const struct lw_aftr_maps *m, uint32_t c, const struct lw_sw_chunk *want,
		       struct bind_undo *undo)
{
	struct lw_bind *b = m->bind;
	struct lw_sw_chunk *v = wbuf(b);
	uint8_t how[LW_SW_CHUNK_SLOTS];
	unsigned all = 0;
	int r;

	if (!v)
		return -ENOMEM;
	b->rc_ok = false; /* counters as fresh as they come */
	if ((r = bind_chunk_read(m, c, v)))
		return r;
	for (uint32_t i = 0; i < LW_SW_CHUNK_SLOTS; i++) {
		const struct lw_softwire *cur = &v->sw[i], *w = &want->sw[i];

		how[i] = 0;
		if ((!cur->ipv4 && !w->ipv4) || (cur->ipv4 && same_binding(cur, w)))
			continue;
		how[i] = RW_CHANGE;
		if (same_softwire(cur, w))
			how[i] |= RW_KEEP_COUNTERS;
		if (cur->ipv4 && b4_moves(cur, w))
			how[i] |= RW_VANISH;
		if (w->ipv4 && b4_moves(cur, w))
			how[i] |= RW_APPEAR;
		all |= how[i];
		if (undo && (r = bind_undo_add(undo, c * LW_SW_CHUNK_SLOTS + i, cur)))
			return r;
	}
	if (!all)
		return 0;
	/* 1: a slot whose B4 goes (another B4, or none) stops matching any
	 *    packet: its ipv4 0, which a read torn between the two values
	 *    cannot take for the slot's address either */
	if (all & RW_VANISH) {
		for (uint32_t i = 0; i < LW_SW_CHUNK_SLOTS; i++)
			if (how[i] & RW_VANISH)
				v->sw[i].ipv4 = 0;
		if ((r = bind_chunk_write(m, c, v)) || (r = bind_chunk_read(m, c, v)))
			return r;
	}
	/* 2: the new values, but no address yet for a slot that takes a B4
	 *    it did not have; one write when only the BR index or the origin
	 *    change (a byte each: a packet reads the old or the new). The
	 *    same softwire keeps its counters (those of the read just made). */
	for (uint32_t i = 0; i < LW_SW_CHUNK_SLOTS; i++) {
		struct lw_softwire n = want->sw[i];

		if (!(how[i] & RW_CHANGE))
			continue;
		n.decap_packets = n.decap_bytes = n.encap_packets = n.encap_bytes = 0;
		if (how[i] & RW_KEEP_COUNTERS) {
			n.decap_packets = v->sw[i].decap_packets;
			n.decap_bytes = v->sw[i].decap_bytes;
			n.encap_packets = v->sw[i].encap_packets;
			n.encap_bytes = v->sw[i].encap_bytes;
		}
		if (how[i] & RW_APPEAR)
			n.ipv4 = 0;
		v->sw[i] = n;
	}
	if ((r = bind_chunk_write(m, c, v)))
		return r;
	/* 3: the slots that take a new B4 become valid, that B4 whole */
	if (all & RW_APPEAR) {
		if ((r = bind_chunk_read(m, c, v)))
			return r;
		for (uint32_t i = 0; i < LW_SW_CHUNK_SLOTS; i++)
			if (how[i] & RW_APPEAR)
				v->sw[i].ipv4 = want->sw[i].ipv4;
		r = bind_chunk_write(m, c, v);
	}
	return r ? r : bind_publish_chunks(m);
}

int bind_rewrite_slots(const struct lw_aftr_maps *m, const uint32_t *slot,
		       const struct lw_softwire *val, size_t n, struct bind_undo *undo)
{
	struct lw_sw_chunk *w = malloc(sizeof(*w));
	int r = w ? 0 : -ENOMEM;

	for (size_t i = 0, j; i < n && !r; i = j) {
		uint32_t c = slot[i] / LW_SW_CHUNK_SLOTS;

		m->bind->rc_ok = false;
		if ((r = bind_chunk_read(m, c, w)))
			break;
		for (j = i; j < n && slot[j] / LW_SW_CHUNK_SLOTS == c; j++)
			w->sw[slot[j] % LW_SW_CHUNK_SLOTS] = val[j];
		r = bind_rewrite_chunk(m, c, w, undo);
	}
	free(w);
	return r;
}

int bind_undo_add(struct bind_undo *u, uint32_t slot, const struct lw_softwire *old)
{
	if (u->n == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 64;
		void *s = realloc(u->slot, cap * sizeof(*u->slot));

		if (!s)
			return -ENOMEM;
		u->slot = s;
		s = realloc(u->old, cap * sizeof(*u->old));
		if (!s)
			return -ENOMEM;
		u->old = s;
		u->cap = cap;
	}
	u->slot[u->n] = slot;
	u->old[u->n++] = *old;
	return 0;
}

int bind_undo_apply(const struct lw_aftr_maps *m, struct bind_undo *u)
{
	/* recorded chunk by chunk in ascending order: as rewrite_slots wants */
	int r = bind_rewrite_slots(m, u->slot, u->old, u->n, NULL);

	if (!r)
		u->n = 0;
	return r;
}

void bind_undo_free(struct bind_undo *u)
{
	free(u->slot);
	free(u->old);
	memset(u, 0, sizeof(*u));
}
