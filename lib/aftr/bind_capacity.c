// SPDX-License-Identifier: GPL-2.0
/* The binding table's capacity: chosen before the object is loaded
 * (lw4o6 load aftr --max-softwires), read back from the maps. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "lw4o6/abi.h"
#include "bind_priv.h"
#include "errmsg.h"

/* What the kernel allocates for a chunk: its 28,984 bytes come from the
 * 32 KiB kmalloc cache. */
#define CHUNK_BYTES 32768u

static int set_entries(struct bpf_object *obj, const char *name, uint32_t n, char *err,
		       size_t errlen)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, name);
	int r;

	if (!map)
		return lw_errf_code(-ENOENT, err, errlen,
				    "BPF object has no map %s: not an lwAFTR object of this build",
				    name);
	if ((r = bpf_map__set_max_entries(map, n)))
		return lw_errf_code(r, err, errlen, "cannot size map %s: %s", name, strerror(-r));
	return 0;
}

int lw_aftr_obj_set_capacity(struct bpf_object *obj, uint32_t max_softwires, char *err,
			     size_t errlen)
{
	uint32_t n = max_softwires ? max_softwires : LW_DEFAULT_MAX_SOFTWIRES;
	uint32_t blocks;
	int r;

	if (n > LW_MAX_SOFTWIRES_LIMIT)
		return lw_errf(err, errlen, "--max-softwires %u: at most %u", n,
			       LW_MAX_SOFTWIRES_LIMIT);
	n = (n + 255) / 256 * 256;
	blocks = LW_ADDR_BLOCKS(n);
	if ((r = set_entries(obj, LW_STR(LW_MAP_SW_CHUNKS), LW_SW_OUTER_ENTRIES(n), err, errlen)) ||
	    (r = set_entries(obj, LW_STR(LW_MAP_ADDR_L2), blocks * LW_ADDR_BLOCK, err, errlen)) ||
	    (r = set_entries(obj, LW_STR(LW_MAP_ADDR_RECS), blocks * LW_ADDR_BLOCK, err, errlen)) ||
	    (r = set_entries(obj, LW_STR(LW_MAP_ADDR_BLKS), blocks, err, errlen)))
		return r;
	return 0;
}

static int entries_of(int fd, uint32_t *n)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*n = info.max_entries;
	return 0;
}

int lw_aftr_pinned_capacity(const char *root, uint32_t *max)
{
	char path[PATH_MAX];
	uint32_t n = 0;
	int fd, r;

	snprintf(path, sizeof(path), "%s/%s", root, LW_STR(LW_MAP_SW_CHUNKS));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	r = entries_of(fd, &n);
	close(fd);
	if (!r && n <= LW_SW_SPARE_CHUNKS)
		r = -EINVAL;
	if (!r)
		*max = (n - LW_SW_SPARE_CHUNKS) * 256u;
	return r;
}

int lw_aftr_capacity(const struct lw_aftr_maps *m, struct lw_aftr_capacity *c)
{
	static const __u32 key0;
	struct lw_bind_state st;
	uint32_t outer = 0, l2 = 0, recs = 0;
	int r;

	memset(c, 0, sizeof(*c));
	if ((r = entries_of(m->sw_chunks, &outer)) || (r = entries_of(m->addr_l2, &l2)) ||
	    (r = entries_of(m->addr_recs, &recs)))
		return r;
	if (bpf_map_lookup_elem(m->bind_state, &key0, &st))
		return -errno;
	c->max_chunks = outer;
	c->max_softwires = outer > LW_SW_SPARE_CHUNKS ? (outer - LW_SW_SPARE_CHUNKS) * 256u : 0;
	c->max_blocks = recs / LW_ADDR_BLOCK;
	c->max_l2_tables = l2 / LW_ADDR_BLOCK;
	c->softwires = st.softwires;
	c->chunks = st.chunks;
	c->addresses = st.addresses;
	c->blocks = st.blocks;
	c->l2_tables = st.l2_tables;
	/* the chunks (and lw_sw_empty), then the tables that are always there */
	c->chunk_bytes = (uint64_t)(st.chunks + 1) * CHUNK_BYTES;
	c->record_bytes = (uint64_t)LW_L1_ENTRIES * sizeof(uint32_t) +
			  (uint64_t)l2 * sizeof(uint32_t) +
			  (uint64_t)recs * sizeof(struct lw_addr) +
			  (uint64_t)(recs / LW_ADDR_BLOCK) * sizeof(struct lw_addr_block) +
			  (uint64_t)outer * sizeof(void *);
	c->bytes = c->chunk_bytes + c->record_bytes;
	return 0;
}

uint32_t lw_aftr_capacity_for(const struct lw_aftr_setup *s)
{
	uint64_t n = 2 * (uint64_t)s->n_softwires, need = 0;
	uint64_t *seen = calloc((1u << 24) / 64, sizeof(*seen)); /* the /24s */

	for (size_t i = 0; seen && i < s->n_softwires; i++) {
		uint32_t k = ntohl(s->softwires[i].ipv4) >> 8;

		if (!(seen[k / 64] & (1ull << (k % 64)))) {
			seen[k / 64] |= 1ull << (k % 64);
			need++;
		}
	}
	free(seen);
	/* LW_ADDR_BLOCKS(n) = n / 1024 blocks: twice the /24s */
	if (2 * need * 1024 > n)
		n = 2 * need * 1024;
	if (n < LW_DEFAULT_MAX_SOFTWIRES)
		n = LW_DEFAULT_MAX_SOFTWIRES;
	return n > LW_MAX_SOFTWIRES_LIMIT ? LW_MAX_SOFTWIRES_LIMIT : (uint32_t)n;
}
