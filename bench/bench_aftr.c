// SPDX-License-Identifier: GPL-2.0
/* v2's lwAFTR rows: decapsulation (frames from B4s on the access side) and
 * encapsulation (frames from the internet) on three workloads, in every
 * next-hop mode:
 *   benchdata-550  one flow: Snabb's benchdata ipv6-0550/ipv4-0550 frames,
 *                  a table of their one softwire;
 *   snabb-1M       20,000 random flows over the 1,015,936 softwires of
 *                  Snabb's generate-configuration (15,874 addresses x 64);
 *   snabb-10M      the same over 10,000,000 (156,250 addresses x 64).
 * Tables go in through lw_aftr_install, as `lw4o6 softwire import` does,
 * and the time that takes is printed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "aftr_nexthop.h"

#define FLOWS 20000
/* Repetitions per measurement: the one-flow frame 100,000 times; the 20k
 * flows five times over. */
#define PACKETS 100000
#define SEED    0x6c77346f36ULL

enum nh_mode { NH_FIB, NH_STATIC, NH_CACHE, NH_MODES };
static const char *const nh_names[NH_MODES] = { "fib", "static", "cache" };

struct workload {
	const char *name;
	size_t num_ips; /* Snabb's addresses; 0: the benchdata frames */
	size_t softwires, flows;
	struct bench_frames decap, encap;
	double install_s;
	int compare_fd; /* --compare's program, or -1 */
};

/* The object sized for the workload (lw_aftr_obj_set_capacity through
 * aftr_env), and the capacity the loaded maps report. */
static int aftr_open(struct aftr_env *env, const char *obj, size_t want, size_t *capacity,
		     char *err, size_t errlen)
{
	struct lw_aftr_capacity c;

	if (aftr_env_open_sized(env, obj, (uint32_t)want, err, errlen))
		return -1;
	if (lw_aftr_capacity(&env->maps, &c)) {
		snprintf(err, errlen, "cannot read the binding table's capacity");
		aftr_env_close(env);
		return -1;
	}
	*capacity = c.max_softwires;
	return 0;
}

/* ---- NEXT-HOP MODES (issue 11) -----------------------------------------------------
 * The one place each mode is set up. fib: bpf_fib_lookup() per packet
 * (--nexthop fib); static: the configured MACs (Snabb's model, --nexthop
 * static); cache: the default, the next-hop cache filled once from the
 * lab's routes and neighbours by the call pcpd's watcher repeats
 * (lw_aftr_nh_sync_once), with a lease longer than the run so that the FIB
 * is not measured instead. Returns 0, 1 (skipped, why in skip) or -1. */
static int nexthop_cache_fill(const struct aftr_env *env, const struct lw_aftr_config *cfg,
			      char *skip, size_t skiplen)
{
	struct lw_nh_verdict v[2];
	char err[256];
	int fd = lw_aftr_nh_fd_from_obj(env->obj);

	if (fd < 0 || lw_aftr_nh_sync_once(fd, cfg, 600000, v, err, sizeof(err))) {
		snprintf(skip, skiplen, "skipped: next-hop cache not filled: %.150s",
			 fd < 0 ? "no lw_nexthop map" : err);
		return 1;
	}
	for (int f = 0; f < 2; f++)
		if (v[f].entry.mode != LW_NH_CACHED) {
			snprintf(skip, skiplen, "skipped: %.150s", v[f].text);
			return 1;
		}
	return 0;
}

static int nexthop_mode(const struct aftr_env *env, enum nh_mode nh, char *skip, size_t skiplen)
{
	struct lw_aftr_config cfg;

	if (lw_aftr_config_read(&env->maps, &cfg))
		return -1;
	cfg.flags &= ~(__u32)(LW_CFG_STATIC_NH4 | LW_CFG_STATIC_NH6 | LW_CFG_NH_FIB);
	switch (nh) {
	case NH_FIB: cfg.flags |= LW_CFG_NH_FIB; break;
	case NH_STATIC: cfg.flags |= LW_CFG_STATIC_NH4 | LW_CFG_STATIC_NH6; break;
	default: break;
	}
	if (lw_aftr_config_write(&env->maps, &cfg))
		return -1;
	return nh == NH_CACHE ? nexthop_cache_fill(env, &cfg, skip, skiplen) : 0;
}

static int read_counters(const void *maps, uint64_t *packets)
{
	struct lw_counter st[LW_STAT_MAX];

	if (lw_aftr_stats_read(maps, st))
		return -1;
	for (unsigned i = 0; i < LW_STAT_MAX; i++)
		packets[i] = st[i].packets;
	return 0;
}

static void row_init(struct bench_row *row, const struct workload *w, enum nh_mode nh, bool decap)
{
	memset(row, 0, sizeof(*row));
	row->role = "lwAFTR";
	row->path = decap ? "decap" : "encap";
	row->workload = w->name;
	row->nexthop = nh_names[nh];
	row->softwires = w->softwires;
	row->flows = w->flows;
	row->install_s = w->install_s;
}

/* --compare: the second object loaded on the maps of the first, its
 * internal maps (.rodata, .bss) its own. Returns its program's fd. */
static int compare_open(const char *path, const struct aftr_env *env, struct bpf_object **pobj)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *prog;
	struct bpf_map *map;

	*pobj = obj;
	if (!obj) {
		fprintf(stderr, "bench: --compare: cannot open %s\n", path);
		return -1;
	}
	bpf_object__for_each_map(map, obj) {
		const struct bpf_map *a = bpf_object__find_map_by_name(env->obj,
									bpf_map__name(map));

		bpf_map__set_pin_path(map, NULL);
		if (bpf_map__is_internal(map))
			continue;
		if (!a || bpf_map__reuse_fd(map, bpf_map__fd(a))) {
			fprintf(stderr, "bench: --compare: map %s: not in %s or not reusable\n",
				bpf_map__name(map), path);
			return -1;
		}
	}
	prog = bpf_object__find_program_by_name(obj, "lw4o6_aftr");
	if (bpf_object__load(obj) || !prog) {
		fprintf(stderr, "bench: --compare: cannot load %s\n", path);
		return -1;
	}
	return bpf_program__fd(prog);
}

static int measure_path(const struct bench_lab *lab, const struct aftr_env *env,
			const struct workload *w, enum nh_mode nh, bool decap)
{
	const struct bench_frames *fs = decap ? &w->decap : &w->encap;
	struct bench_counters c = {
		.maps = &env->maps,
		.n = LW_STAT_MAX,
		.read = read_counters,
		.name = lw_stat_name,
		.want = { decap ? LW_STAT_RCVD_IPV6 : LW_STAT_RCVD_IPV4,
			  decap ? LW_STAT_SENT_IPV4 : LW_STAT_SENT_IPV6 },
		.n_want = 2,
		.unchecked2 = lab->o->compare_unchecked,
	};
	struct bench_row row, row2;

	row_init(&row, w, nh, decap);
	row_init(&row2, w, nh, decap);
	row2.role = "cmp";
	if (bench_loop_prepare(lab->loop, env->prog_fd, fs, XDP_REDIRECT) ||
	    (w->compare_fd >= 0 && !c.unchecked2 &&
	     bench_loop_prepare(lab->loop, w->compare_fd, fs, XDP_REDIRECT)) ||
	    bench_loop_measure_ab(lab->loop, fs, env->prog_fd, w->compare_fd, lab->pass_fd, &c,
				  PACKETS, &row.r, &row2.r))
		return -1;
	bench_report_row(&row);
	if (w->compare_fd >= 0)
		bench_report_row(&row2);
	return 0;
}

static void skip_rows(const struct workload *w, enum nh_mode nh, const char *why)
{
	for (int d = 1; d >= 0; d--) {
		struct bench_row row;

		row_init(&row, w, nh, d);
		snprintf(row.skip, sizeof(row.skip), "%s", why);
		bench_report_row(&row);
	}
}

static int run_modes(const struct bench_lab *lab, const struct aftr_env *env,
		     const struct workload *w)
{
	for (int nh = 0; nh < NH_MODES; nh++) {
		char skip[200];
		int ret;

		if (lab->o->nexthop && strcmp(lab->o->nexthop, nh_names[nh]) != 0)
			continue;
		ret = nexthop_mode(env, nh, skip, sizeof(skip));

		if (ret < 0)
			return -1;
		if (ret > 0)
			skip_rows(w, nh, skip);
		else if (measure_path(lab, env, w, nh, true) ||
			 measure_path(lab, env, w, nh, false))
			return -1;
	}
	return 0;
}

/* The table through the library, timed: generated, validated, installed. */
static int install_table(const struct bench_lab *lab, const struct aftr_env *env,
			 struct lw_aftr_setup *s, struct workload *w, double t0)
{
	char err[512];
	double t1, t2;

	bench_lab_config(lab, &s->cfg);
	t1 = bench_now();
	if (lw_setup_validate(s, err, sizeof(err))) {
		fprintf(stderr, "bench: %s: %s\n", w->name, err);
		return -1;
	}
	t2 = bench_now();
	if (lw_aftr_install(&env->maps, s, 1, err, sizeof(err))) {
		fprintf(stderr, "bench: %s: install: %s\n", w->name, err);
		return -1;
	}
	w->install_s = bench_now() - t2;
	printf("table %s: %zu softwires: generated %.2f s, validated %.2f s, installed through "
	       "lw_aftr_install %.2f s\n",
	       w->name, s->n_softwires, t1 - t0, t2 - t1, w->install_s);
	return 0;
}

static int load_benchdata(const struct bench_lab *lab, const struct aftr_env *env,
			  struct workload *w)
{
	struct lw_aftr_setup s;
	size_t v4len, v6len;
	uint8_t v4[2048], v6[2048];
	double t0 = bench_now();
	int ret;

	if (bench_benchdata(lab->o->data_dir, v4, &v4len, v6, &v6len) ||
	    bench_frames_alloc(&w->decap, 1, v6len, (unsigned)lab->if6) ||
	    bench_frames_alloc(&w->encap, 1, v4len, (unsigned)lab->if4))
		return -1;
	memcpy(w->decap.buf, v6, v6len);
	memcpy(w->encap.buf, v4, v4len);
	if (bench_v1_table(&s, 1))
		return -1;
	ret = install_table(lab, env, &s, w, t0);
	lw_setup_free(&s);
	return ret;
}

static int load_snabb(const struct bench_lab *lab, const struct aftr_env *env, struct workload *w)
{
	struct bench_swgen g;
	struct lw_aftr_setup s;
	size_t *ks = calloc(w->flows, sizeof(*ks));
	double t0 = bench_now();
	int ret = -1;

	bench_swgen_snabb(&g, w->num_ips);
	if (ks && bench_swgen_sample(&g, w->flows, SEED, ks) == 0 &&
	    bench_frames_alloc(&w->decap, w->flows, 550, (unsigned)lab->if6) == 0 &&
	    bench_frames_alloc(&w->encap, w->flows, 550, (unsigned)lab->if4) == 0 &&
	    bench_swgen_frames(&g, ks, &w->decap, &w->encap) == 0) {
		if (bench_swgen_setup(&g, &s) == 0)
			ret = install_table(lab, env, &s, w, t0);
		else
			fprintf(stderr, "bench: out of memory generating %s\n", w->name);
		lw_setup_free(&s);
	}
	free(ks);
	return ret;
}

static int run_workload(const struct bench_lab *lab, struct workload *w)
{
	struct bpf_object *cmp_obj = NULL;
	struct aftr_env env;
	size_t capacity;
	char err[512];
	int ret = -1;

	w->install_s = -1;
	w->compare_fd = -1;
	if (aftr_open(&env, lab->o->aftr_obj, w->softwires, &capacity, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		return -1;
	}
	if (lab->o->compare_obj &&
	    (w->compare_fd = compare_open(lab->o->compare_obj, &env, &cmp_obj)) < 0) {
		bpf_object__close(cmp_obj);
		aftr_env_close(&env);
		return -1;
	}
	if (capacity < w->softwires) {
		snprintf(err, sizeof(err),
			 "skipped: capacity: the table holds %zu, needs %zu (issue 11)", capacity,
			 w->softwires);
		for (int nh = 0; nh < NH_MODES; nh++)
			skip_rows(w, nh, err);
		ret = 0;
	} else if ((w->num_ips ? load_snabb(lab, &env, w) : load_benchdata(lab, &env, w)) == 0) {
		ret = run_modes(lab, &env, w);
	}
	bench_frames_free(&w->decap);
	bench_frames_free(&w->encap);
	bpf_object__close(cmp_obj);
	aftr_env_close(&env);
	return ret;
}

int bench_v2_aftr(const struct bench_lab *lab)
{
	struct workload ws[] = {
		{ .name = "benchdata-550", .softwires = 1, .flows = 1 },
		{ .name = "snabb-1M", .num_ips = 15874, .flows = FLOWS },
		{ .name = "snabb-10M", .num_ips = 156250, .flows = FLOWS },
	};
	size_t run = 0;

	for (size_t i = 0; i < sizeof(ws) / sizeof(ws[0]); i++) {
		if (lab->o->workload && strcmp(lab->o->workload, ws[i].name) != 0)
			continue;
		run++;
		if (ws[i].num_ips)
			ws[i].softwires = ws[i].num_ips * 64;
		if (run_workload(lab, &ws[i]))
			return -1;
	}
	if (run == 0) {
		fprintf(stderr, "bench: --workload %s: no such workload; there are",
			lab->o->workload);
		for (size_t i = 0; i < sizeof(ws) / sizeof(ws[0]); i++)
			fprintf(stderr, " %s", ws[i].name);
		fprintf(stderr, "\n");
		return -1;
	}
	return 0;
}
