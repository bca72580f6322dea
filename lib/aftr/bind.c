// SPDX-License-Identifier: GPL-2.0
/* The binding table's writer: its state, the lock, and reading the maps
 * back into the mirror (bind_priv.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <bpf/bpf.h>

#include "bind_priv.h"
#include "errmsg.h"

int (*lw_bind_test_hook)(void *arg);
void *lw_bind_test_arg;

int bind_fault(void)
{
	return lw_bind_test_hook ? lw_bind_test_hook(lw_bind_test_arg) : 0;
}

struct lw_bind *bind_new(const char *lock_dir)
{
	struct lw_bind *b = calloc(1, sizeof(*b));
	struct rlimit lim;

	if (!b)
		return NULL;
	b->lock_fd = -1;
	b->btf_fd = -1;
	b->pend_cap = 16;
	if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur > 256 + 2 * b->pend_cap)
		b->pend_cap = (lim.rlim_cur - 256) / 2 < BIND_PENDING_MAX
				      ? (size_t)(lim.rlim_cur - 256) / 2
				      : BIND_PENDING_MAX;
	for (size_t i = 0; i < BIND_FD_CACHE; i++)
		b->fdc[i].fd = -1;
	if (lock_dir) {
		b->lock_fd = open(lock_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (b->lock_fd < 0) {
			free(b);
			return NULL;
		}
	}
	return b;
}

static void forget_mirror(struct lw_bind *b)
{
	for (uint32_t i = 0; b->l2 && i < b->n_l2; i++)
		free(b->l2[i]);
	for (uint32_t i = 0; b->blk && i < b->n_blocks; i++)
		free(b->blk[i]);
	free(b->l2);
	free(b->blk);
	free(b->l1);
	free(b->chunk_id);
	free(b->chunk_used);
	b->l2 = NULL;
	b->blk = NULL;
	b->l1 = b->chunk_id = b->chunk_used = NULL;
	lw_sw_slots_release(&b->slots);
	lw_ids_release(&b->blocks);
	lw_ids_release(&b->l2s);
	for (size_t i = 0; i < BIND_FD_CACHE; i++) {
		if (b->fdc[i].fd >= 0)
			close(b->fdc[i].fd);
		b->fdc[i].fd = -1;
	}
	for (size_t i = 0; i < b->n_pend; i++)
		close(b->pend[i].fd);
	b->n_pend = 0;
	b->valid = false;
	b->rc_ok = false;
}

void bind_free(struct lw_bind *b)
{
	if (!b)
		return;
	forget_mirror(b);
	if (b->lock_fd >= 0)
		close(b->lock_fd);
	if (b->btf_fd >= 0)
		close(b->btf_fd);
	free(b->rc);
	free(b->wb);
	free(b);
}

int bind_lock(const struct lw_aftr_maps *m)
{
	struct lw_bind *b = m->bind;

	if (!b)
		return -EINVAL;
	if (b->lock_depth++ || b->lock_fd < 0)
		return 0;
	while (flock(b->lock_fd, LOCK_EX))
		if (errno != EINTR) {
			b->lock_depth--;
			return -errno;
		}
	return 0;
}

void bind_unlock(const struct lw_aftr_maps *m)
{
	struct lw_bind *b = m->bind;

	if (b && !--b->lock_depth && b->lock_fd >= 0)
		flock(b->lock_fd, LOCK_UN);
}

int bind_update(int fd, const void *key, const void *val)
{
	int r = bind_fault();

	if (r)
		return r;
	return bpf_map_update_elem(fd, key, val, BPF_ANY) ? -errno : 0;
}

int bind_update_range(int fd, uint32_t first, uint32_t n, const void *vals)
{
	uint32_t keys[LW_SW_CHUNK_SLOTS], cnt = n;
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);

	int r = bind_fault();

	if (n > LW_SW_CHUNK_SLOTS)
		return -E2BIG;
	if (r)
		return r;
	for (uint32_t i = 0; i < n; i++)
		keys[i] = first + i;
	if (bpf_map_update_batch(fd, keys, vals, &cnt, &opts))
		return -errno;
	return cnt == n ? 0 : -EIO;
}

int bind_read_range(int fd, uint32_t first, uint32_t n, void *vals, size_t vsize)
{
	uint32_t *keys = malloc((n ? n : 1) * sizeof(uint32_t)), cnt = n, prev = first - 1, out;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	int r = 0;

	if (!keys)
		return -ENOMEM;
	if (!bpf_map_lookup_batch(fd, first ? &prev : NULL, &out, keys, vals, &cnt, &opts) &&
	    cnt == n)
		goto out;
	/* refused, or stopped at an absent entry: one at a time */
	for (uint32_t i = 0; i < n; i++) {
		uint32_t k = first + i;
		char *v = (char *)vals + (size_t)i * vsize;

		if (bpf_map_lookup_elem(fd, &k, v) == 0)
			continue;
		if (errno != ENOENT) {
			r = -errno;
			break;
		}
		memset(v, 0, vsize);
	}
out:
	free(keys);
	return r;
}

static int map_info(int fd, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len) ? -errno : 0;
}

/* The maps' sizes, lw_sw_empty's id and the object's BTF for chunks. */
static int read_geometry(const struct lw_aftr_maps *m, struct lw_bind *b)
{
	struct bpf_map_info outer, l2, recs, empty;
	int r;

	if ((r = map_info(m->sw_chunks, &outer)) || (r = map_info(m->addr_l2, &l2)) ||
	    (r = map_info(m->addr_recs, &recs)) || (r = map_info(m->sw_empty, &empty)))
		return r;
	if (outer.max_entries <= LW_SW_SPARE_CHUNKS || empty.max_entries != 1 ||
	    empty.value_size != sizeof(struct lw_sw_chunk))
		return -EINVAL;
	b->n_chunks = outer.max_entries;
	b->max_softwires = (outer.max_entries - LW_SW_SPARE_CHUNKS) * 256u;
	b->n_l2 = l2.max_entries / LW_ADDR_BLOCK;
	b->n_blocks = recs.max_entries / LW_ADDR_BLOCK;
	b->empty_id = empty.id;
	if (b->btf_fd < 0 && empty.btf_id && empty.btf_value_type_id) {
		b->btf_fd = bpf_btf_get_fd_by_id(empty.btf_id);
		b->btf_key = empty.btf_key_type_id;
		b->btf_value = empty.btf_value_type_id;
	}
	return 0;
}

struct runs {
	struct lw_sw_run *v;
	size_t n, cap;
};

static int runs_add(struct runs *rs, uint32_t base, unsigned order)
{
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 1024;
		void *v = realloc(rs->v, cap * sizeof(*rs->v));

		if (!v)
			return -ENOMEM;
		rs->v = v;
		rs->cap = cap;
	}
	rs->v[rs->n].base = base;
	rs->v[rs->n].order = (uint8_t)order;
	rs->n++;
	return 0;
}

/* Record block k into the mirror, its runs into rs. */
static int read_block(const struct lw_aftr_maps *m, struct lw_bind *b, uint32_t k, struct runs *rs)
{
	struct lw_addr *blk;
	int r;

	if (k >= b->n_blocks || b->blk[k])
		return -EUCLEAN; /* two l2 entries name one block */
	blk = calloc(LW_ADDR_BLOCK, sizeof(*blk));
	if (!blk)
		return -ENOMEM;
	b->blk[k] = blk;
	lw_ids_take(&b->blocks, k);
	if ((r = bind_read_range(m->addr_recs, k * LW_ADDR_BLOCK, LW_ADDR_BLOCK, blk,
				 sizeof(*blk))))
		return r;
	for (uint32_t i = 0; i < LW_ADDR_BLOCK; i++) {
		if (!(blk[i].flags & LW_ADDR_VALID))
			continue;
		if (blk[i].psid_len > LW_SW_MAX_ORDER || blk[i].psid_offset + blk[i].psid_len > 16)
			return -EUCLEAN;
		b->st.addresses++;
		if ((r = runs_add(rs, blk[i].sw_base, blk[i].psid_len)))
			return r;
	}
	return 0;
}

/* l2 table t and the blocks it names. */
static int read_l2(const struct lw_aftr_maps *m, struct lw_bind *b, uint32_t t, struct runs *rs)
{
	uint32_t *tab;
	int r;

	if (t >= b->n_l2 || b->l2[t])
		return -EUCLEAN;
	tab = calloc(LW_ADDR_BLOCK, sizeof(*tab));
	if (!tab)
		return -ENOMEM;
	b->l2[t] = tab;
	lw_ids_take(&b->l2s, t);
	if ((r = bind_read_range(m->addr_l2, t * LW_ADDR_BLOCK, LW_ADDR_BLOCK, tab, sizeof(*tab))))
		return r;
	for (uint32_t i = 0; i < LW_ADDR_BLOCK; i++)
		if (tab[i] && (r = read_block(m, b, tab[i] - 1, rs)))
			return r;
	return 0;
}

static int alloc_mirror(struct lw_bind *b)
{
	b->l1 = calloc(LW_L1_ENTRIES, sizeof(*b->l1));
	b->l2 = calloc(b->n_l2 ? b->n_l2 : 1, sizeof(*b->l2));
	b->blk = calloc(b->n_blocks ? b->n_blocks : 1, sizeof(*b->blk));
	b->chunk_id = calloc(b->n_chunks, sizeof(*b->chunk_id));
	b->chunk_used = calloc(b->n_chunks, sizeof(*b->chunk_used));
	if (!b->l1 || !b->l2 || !b->blk || !b->chunk_id || !b->chunk_used ||
	    lw_ids_reset(&b->blocks, b->n_blocks) || lw_ids_reset(&b->l2s, b->n_l2))
		return -ENOMEM;
	return 0;
}

/* Which runs use which chunks, and which chunks exist. */
static int read_chunks(const struct lw_aftr_maps *m, struct lw_bind *b, const struct runs *rs)
{
	int r = bind_read_range(m->sw_chunks, 0, b->n_chunks, b->chunk_id, sizeof(uint32_t));

	if (r)
		return r;
	b->st.chunks = 0;
	for (uint32_t c = 0; c < b->n_chunks; c++)
		if (b->chunk_id[c] && b->chunk_id[c] != b->empty_id)
			b->st.chunks++;
	for (size_t i = 0; i < rs->n; i++) {
		uint64_t s = rs->v[i].base, end = s + (1ull << rs->v[i].order);

		while (s < end) {
			uint64_t next = (s / LW_SW_CHUNK_SLOTS + 1) * LW_SW_CHUNK_SLOTS;

			next = next < end ? next : end;
			b->chunk_used[s / LW_SW_CHUNK_SLOTS] += (uint32_t)(next - s);
			s = next;
		}
	}
	return 0;
}

/* The mirror, from the maps. */
static int rebuild(const struct lw_aftr_maps *m, struct lw_bind *b)
{
	struct runs rs = {};
	int r;

	forget_mirror(b);
	b->st.addresses = 0;
	if ((r = read_geometry(m, b)) || (r = alloc_mirror(b)) ||
	    (r = bind_read_range(m->addr_l1, 0, LW_L1_ENTRIES, b->l1, sizeof(uint32_t))))
		goto out;
	for (uint32_t i = 0; i < LW_L1_ENTRIES; i++)
		if ((b->l1[i] & LW_L1_L2_MASK) &&
		    (r = read_l2(m, b, (b->l1[i] & LW_L1_L2_MASK) - 1, &rs)))
			goto out;
	b->st.blocks = b->blocks.used;
	b->st.l2_tables = b->l2s.used;
	r = lw_sw_slots_reset(&b->slots, b->n_chunks * LW_SW_CHUNK_SLOTS, rs.v, rs.n);
	if (r == -EINVAL)
		r = -EUCLEAN; /* runs overlap */
	if (!r)
		r = read_chunks(m, b, &rs);
out:
	free(rs.v);
	return r;
}

/* Fresh maps: every chunk slot points at lw_sw_empty, so that reading the
 * outer map back never meets a hole. */
static int fill_outer(const struct lw_aftr_maps *m, struct lw_bind *b)
{
	uint32_t n = 0, *keys = calloc(b->n_chunks, sizeof(*keys));
	int *fds = calloc(b->n_chunks, sizeof(*fds)), r = 0;
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);

	if (!keys || !fds) {
		r = -ENOMEM;
		goto out;
	}
	for (uint32_t c = 0; c < b->n_chunks; c++)
		if (!b->chunk_id[c]) {
			keys[n] = c;
			fds[n++] = m->sw_empty;
		}
	if (n && bpf_map_update_batch(m->sw_chunks, keys, fds, &n, &opts))
		r = -errno;
	for (uint32_t c = 0; !r && c < b->n_chunks; c++)
		if (!b->chunk_id[c])
			b->chunk_id[c] = b->empty_id;
out:
	free(keys);
	free(fds);
	return r;
}

static const __u32 key0;

int bind_begin(const struct lw_aftr_maps *m, char *err, size_t errlen)
{
	struct lw_bind *b = m->bind;
	struct lw_bind_state st;
	int r = bind_lock(m);

	if (r)
		return lw_errf_code(r, err, errlen, "cannot lock the binding table: %s",
				    strerror(-r));
	if (bpf_map_lookup_elem(m->bind_state, &key0, &st)) {
		r = -errno;
		goto fail;
	}
	if (!b->valid || st.generation != b->gen) {
		b->st = st;
		if ((r = rebuild(m, b)) || (r = fill_outer(m, b)))
			goto fail;
		b->valid = true;
	}
	if ((st.generation & 1) && (r = bind_repair(m)))
		goto fail;
	b->st.generation = st.generation | 1; /* odd: a change under way */
	if (bpf_map_update_elem(m->bind_state, &key0, &b->st, BPF_ANY)) {
		r = -errno;
		goto fail;
	}
	b->in_write = true;
	return 0;
fail:
	b->valid = false;
	bind_unlock(m);
	return lw_errf_code(r, err, errlen, "cannot read the binding table: %s%s", strerror(-r),
			    r == -EUCLEAN ? " (its records contradict each other: reload)" : "");
}

void bind_end(const struct lw_aftr_maps *m, bool ok)
{
	struct lw_bind *b = m->bind;

	if (!b->in_write)
		return;
	b->in_write = false;
	if (ok) {
		b->st.generation++;
		if (bpf_map_update_elem(m->bind_state, &key0, &b->st, BPF_ANY))
			ok = false;
		else
			b->gen = b->st.generation;
	}
	if (!ok)
		b->valid = false;
	bind_unlock(m);
}

int bind_read_all(const struct lw_aftr_maps *m, struct lw_bind *b)
{
	int r = rebuild(m, b);

	b->valid = r == 0;
	return r;
}
