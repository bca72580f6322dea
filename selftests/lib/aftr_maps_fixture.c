// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "lw4o6/abi.h"
#include "lw4o6/events.h"
#include "aftr_maps_fixture.h"

static int array(size_t value, uint32_t n)
{
	return bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, sizeof(__u32), (__u32)value, n, NULL);
}

static void close_all(struct lw_aftr_maps *m)
{
	int *fd = &m->meta;

	for (; fd <= &m->ratelim; fd++) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
}

int aftr_maps_fixture_open(struct lw_aftr_maps *m, uint32_t max_softwires)
{
	uint32_t n = max_softwires ? (max_softwires + 255) / 256 * 256 : LW_DEFAULT_MAX_SOFTWIRES;
	uint32_t blocks = LW_ADDR_BLOCKS(n);
	LIBBPF_OPTS(bpf_map_create_opts, lpm, .map_flags = BPF_F_NO_PREALLOC);
	LIBBPF_OPTS(bpf_map_create_opts, outer);
	int r;

	memset(m, -1, sizeof(*m));
	m->bind = NULL;
	m->own_fds = false;
	if ((m->meta = array(sizeof(struct lw_meta), 1)) < 0)
		return -errno;
	m->cfg = array(sizeof(struct lw_aftr_config), 1);
	m->bind_state = array(sizeof(struct lw_bind_state), 1);
	m->addr_l1 = array(sizeof(__u32), LW_L1_ENTRIES);
	m->addr_l2 = array(sizeof(__u32), blocks * LW_ADDR_BLOCK);
	m->addr_recs = array(sizeof(struct lw_addr), blocks * LW_ADDR_BLOCK);
	m->addr_blocks = array(sizeof(struct lw_addr_block), blocks);
	m->sw_empty = array(sizeof(struct lw_sw_chunk), 1);
	outer.inner_map_fd = (__u32)m->sw_empty;
	m->sw_chunks = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, NULL, sizeof(__u32), sizeof(__u32),
				      LW_SW_OUTER_ENTRIES(n), &outer);
	m->br_addrs = bpf_map_create(BPF_MAP_TYPE_HASH, NULL, sizeof(struct in6_addr),
				     sizeof(struct lw_br), LW_MAX_BR_ADDRS, NULL);
	m->br_by_index = array(sizeof(struct in6_addr), LW_MAX_BR_ADDRS);
	m->pools = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, NULL, sizeof(struct lw_ipv4_prefix),
				  sizeof(__u32), 4096, &lpm);
	m->stats = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, NULL, sizeof(__u32),
				  sizeof(struct lw_counter), LW_STAT_MAX, NULL);
	m->events = bpf_map_create(BPF_MAP_TYPE_RINGBUF, NULL, 0, 0, 4096, NULL);
	m->ratelim = array(sizeof(struct lw_token_bucket), LW_EVENT_BUCKETS);
	for (int *fd = &m->meta; fd <= &m->ratelim; fd++)
		if (*fd < 0) {
			r = -errno;
			close_all(m);
			return r ? r : -EIO;
		}
	if ((r = lw_aftr_maps_prepare(m, NULL))) {
		close_all(m);
		return r;
	}
	return 0;
}

void aftr_maps_fixture_close(struct lw_aftr_maps *m)
{
	lw_aftr_maps_close(m);
	close_all(m);
}
