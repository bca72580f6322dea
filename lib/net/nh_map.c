// SPDX-License-Identifier: GPL-2.0
/* The writer's side of a next-hop cache map (nh_map.h). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "nh_map.h"

/* A reader that took a slot just before a flip is done with it within
 * nanoseconds (XDP runs without preemption); publications closer than this
 * wait, so that a slot is never rewritten under one. */
#define PUBLISH_SPACING_NS 1000000ull

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

int lw_nh_map_attach(struct lw_nh_map *m, int fd, char *err, size_t errlen)
{
	struct bpf_map_info info = { 0 };
	__u32 ilen = sizeof(info);
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	if (bpf_obj_get_info_by_fd(fd, &info, &ilen)) {
		snprintf(err, errlen, "next-hop map: %s", strerror(errno));
		return -errno;
	}
	if (info.type != BPF_MAP_TYPE_ARRAY || info.value_size != sizeof(struct lw_nh_cache) ||
	    !(info.map_flags & BPF_F_MMAPABLE) || !info.max_entries ||
	    info.max_entries > LW_NH_FAMILIES) {
		snprintf(err, errlen, "map %u is no next-hop cache of this build", info.id);
		return -EINVAL;
	}
	m->len = ((size_t)info.max_entries * sizeof(struct lw_nh_cache) + (size_t)page - 1) &
		 ~((size_t)page - 1);
	p = mmap(NULL, m->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "mapping the next-hop cache: %s", strerror(errno));
		return -errno;
	}
	m->c = p;
	m->fd = fd;
	m->id = info.id;
	m->n = info.max_entries;
	return 0;
}

void lw_nh_map_detach(struct lw_nh_map *m)
{
	if (m->c)
		munmap(m->c, m->len);
	memset(m, 0, sizeof(*m));
	m->fd = -1;
}

/* Whether two entries say the same to the data plane and to status (the
 * lease and the publication count aside). */
static bool same_entry(const struct lw_nh_entry *a, const struct lw_nh_entry *b)
{
	struct lw_nh_entry x = *a, y = *b;

	x.expires = y.expires = 0;
	x.seq = y.seq = 0;
	return !memcmp(&x, &y, sizeof(x));
}

int lw_nh_map_publish(struct lw_nh_map *m, unsigned fam, const struct lw_nh_entry *e)
{
	struct lw_nh_cache *c;
	unsigned cur, next;
	uint64_t now;

	if (!m->c || fam >= m->n)
		return -EINVAL;
	c = &m->c[fam];
	cur = __atomic_load_n(&c->active, __ATOMIC_ACQUIRE) & 1;
	if (same_entry(&c->slot[cur], e)) {
		lw_nh_map_renew(m, fam, e->expires);
		return 0;
	}
	now = mono_ns();
	if (now - m->last_publish_ns < PUBLISH_SPACING_NS) {
		struct timespec t = { 0, (long)(PUBLISH_SPACING_NS - (now - m->last_publish_ns)) };

		nanosleep(&t, NULL);
	}
	next = cur ^ 1;
	c->slot[next] = *e;
	c->slot[next].seq = c->slot[cur].seq + 1;
	__atomic_store_n(&c->active, next, __ATOMIC_RELEASE);
	m->last_publish_ns = mono_ns();
	return 1;
}

void lw_nh_map_renew(struct lw_nh_map *m, unsigned fam, uint64_t expires)
{
	struct lw_nh_cache *c;

	if (!m->c || fam >= m->n)
		return;
	c = &m->c[fam];
	__atomic_store_n(&c->slot[__atomic_load_n(&c->active, __ATOMIC_ACQUIRE) & 1].expires,
			 expires, __ATOMIC_RELEASE);
}

void lw_nh_map_fall_back(struct lw_nh_map *m, unsigned fam, unsigned reason)
{
	struct lw_nh_entry *e;

	if (!m->c || fam >= m->n)
		return;
	e = &m->c[fam].slot[__atomic_load_n(&m->c[fam].active, __ATOMIC_ACQUIRE) & 1];
	__atomic_store_n(&e->mode, LW_NH_FIB, __ATOMIC_RELEASE);
	e->reason = (uint8_t)reason;
}

void lw_nh_map_read(const struct lw_nh_map *m, unsigned fam, struct lw_nh_entry *e)
{
	const struct lw_nh_cache *c;

	memset(e, 0, sizeof(*e));
	if (!m->c || fam >= m->n)
		return;
	c = &m->c[fam];
	*e = c->slot[__atomic_load_n(&c->active, __ATOMIC_ACQUIRE) & 1];
}

int lw_nh_fall_back_all(int fd, unsigned reason)
{
	struct lw_nh_map m;
	char err[256];
	int r = lw_nh_map_attach(&m, fd, err, sizeof(err));

	if (r)
		return r;
	for (unsigned f = 0; f < m.n; f++)
		lw_nh_map_fall_back(&m, f, reason);
	lw_nh_map_detach(&m);
	return 0;
}

int lw_nh_map_lookup(int fd, unsigned fam, struct lw_nh_entry *e)
{
	struct lw_nh_cache c;
	__u32 key = fam;

	memset(e, 0, sizeof(*e));
	if (bpf_map_lookup_elem(fd, &key, &c))
		return -errno;
	*e = c.slot[c.active & 1];
	return 0;
}

/* ---- the data plane's clock ---------------------------------------------------------- */

/* An XDP program that writes bpf_jiffies64() into the first 8 bytes of its
 * frame: the only exact view of the data plane's clock from user space
 * (jiffies follow CLOCK_MONOTONIC only up to an offset nobody exports). */
static int jiffies_prog(void)
{
	static int fd = -1;
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = 6, .src_reg = 1 },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_jiffies64 },
		{ .code = BPF_LDX | BPF_MEM | BPF_W,
		  .dst_reg = 2,
		  .src_reg = 6,
		  .off = offsetof(struct xdp_md, data) },
		{ .code = BPF_LDX | BPF_MEM | BPF_W,
		  .dst_reg = 3,
		  .src_reg = 6,
		  .off = offsetof(struct xdp_md, data_end) },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = 4, .src_reg = 2 },
		{ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = 4, .imm = 8 },
		{ .code = BPF_JMP | BPF_JGT | BPF_X, .dst_reg = 4, .src_reg = 3, .off = 1 },
		{ .code = BPF_STX | BPF_MEM | BPF_DW, .dst_reg = 2, .src_reg = 0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	if (fd < 0)
		fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "lw4o6_jiffies", "GPL", insns,
				   sizeof(insns) / sizeof(insns[0]), NULL);
	return fd;
}

int lw_nh_jiffies(uint64_t *now, unsigned *hz)
{
	unsigned char frame[64] = { 0 }, out[64];
	struct timespec res;
	int fd = jiffies_prog();
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = sizeof(frame),
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);

	if (fd < 0)
		return fd;
	if (bpf_prog_test_run_opts(fd, &o))
		return -errno;
	memcpy(now, out, sizeof(*now));
	/* the coarse clock ticks with jiffies: its resolution is 1/HZ */
	if (clock_getres(CLOCK_MONOTONIC_COARSE, &res) || res.tv_sec || !res.tv_nsec)
		return -EINVAL;
	*hz = (unsigned)((1000000000l + res.tv_nsec / 2) / res.tv_nsec);
	return 0;
}

uint64_t lw_nh_lease(unsigned ms)
{
	uint64_t now;
	unsigned hz;

	if (lw_nh_jiffies(&now, &hz))
		return 0;
	return now + (uint64_t)ms * hz / 1000 + 1;
}
