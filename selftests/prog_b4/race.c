// SPDX-License-Identifier: GPL-2.0
/* B4-NAT-3 under a real race: two threads, each pinned to its own CPU
 * (BPF_PROG_TEST_RUN runs an XDP program on the calling CPU), run the same
 * first packet of a new UDP flow at the same moment, round after round, a
 * fresh internal port each round. After every round: both verdicts are
 * XDP_REDIRECT, both output frames carry the same external port, the
 * endpoint has its one mapping with that port, whose session slot (the
 * port's) names it, the port was never handed out before, and exactly one
 * slot is claimed per mapping (none left by the CPU that lost);
 * every RACE_FULL_EVERY rounds and at the end, the harness's full NAPT
 * invariants. The rounds where the program counted mappings-race-lost are
 * counted and printed: a round without a race proves nothing. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "b4_maps.h"
#include "pkt.h"
#include "wire.h"
#include "prog_b4.h"

#define RACE_ROUNDS 2000
#define RACE_FULL_EVERY 100
#define RACE_POOL_FIRST 8192   /* PUB 8192..16383 */
#define RACE_POOL_SIZE 8192
#define RACE_KEEP_BASE 9000    /* internal ports in the pool: both CPUs claim the same port */
#define RACE_PROBE_BASE 40000  /* outside: both probe at random */

static const struct setup race_setup = {
	.pool = { { .first = RACE_POOL_FIRST, .size = RACE_POOL_SIZE } }, /* .ipv4 set at run time */
};

struct race_worker {
	int cpu;
	pthread_t th;
	uint8_t out[2048];
	size_t outlen;
	uint32_t action;
	int err;        /* errno of BPF_PROG_TEST_RUN, 0 */
	int setup_err;  /* pthread_setaffinity_np */
};

static struct {
	atomic_uint count, gen;
	atomic_int stop;
	int prog_fd, ifindex;
	uint8_t in[2048];
	size_t inlen;
	struct race_worker w[2];
	int (*check)(unsigned round, void *arg);
	void *arg;
	unsigned rounds, done;
} R;

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* Sense-free spin barrier for the two workers: no futex wake-up skew. */
static void spin_barrier(void)
{
	unsigned gen = atomic_load(&R.gen);

	if (atomic_fetch_add(&R.count, 1) == 1) {
		atomic_store(&R.count, 0);
		atomic_fetch_add(&R.gen, 1);
	} else {
		while (atomic_load(&R.gen) == gen)
			cpu_relax();
	}
}

static void *race_worker_main(void *arg)
{
	struct race_worker *w = arg;
	struct xdp_md ctx_in = { .ingress_ifindex = (__u32)R.ifindex };
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	w->setup_err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	spin_barrier();
	if (R.w[0].setup_err || R.w[1].setup_err)
		return NULL;
	for (unsigned r = 0; r < R.rounds; r++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts,
			    .data_in = R.in, .data_size_in = (__u32)R.inlen,
			    .data_out = w->out, .data_size_out = sizeof(w->out),
			    .ctx_in = &ctx_in, .ctx_size_in = sizeof(ctx_in), .repeat = 1);

		ctx_in.data_end = (__u32)R.inlen;
		spin_barrier(); /* go: R.in holds this round's frame */
		w->err = bpf_prog_test_run_opts(R.prog_fd, &opts) ? errno : 0;
		w->outlen = opts.data_size_out;
		w->action = opts.retval;
		spin_barrier(); /* both ran */
		if (w == &R.w[0]) {
			if (R.check(r, R.arg))
				atomic_store(&R.stop, 1);
			R.done = r + 1;
		}
		spin_barrier(); /* checked, next frame in R.in */
		if (atomic_load(&R.stop))
			break;
	}
	return NULL;
}

/* UDP source port of the translated IPv4 packet in an IPv4-in-IPv6 frame; -1 if none. */
static int outer_udp_sport(const uint8_t *f, size_t len)
{
	size_t off = 14 + 40, ihl;

	if (len < off + 28 || f[12] != 0x86 || f[13] != 0xdd || f[14 + 6] != 4 || (f[off] >> 4) != 4)
		return -1;
	ihl = (size_t)(f[off] & 0x0f) * 4;
	if (f[off + 9] != IPPROTO_UDP || len < off + ihl + 8)
		return -1;
	return (f[off + ihl] << 8) | f[off + ihl + 1];
}

struct race_ctx {
	const struct lw_b4_maps *m;
	uint16_t base;
	__be32 host, pub;
	uint8_t used[65536 / 8];  /* external ports handed out so far */
	uint64_t lost_before;
	unsigned lost_rounds;
	unsigned last_full;
	char *why;
	size_t whylen;
};

static int race_lost_total(const struct lw_b4_maps *m, uint64_t *total)
{
	static struct lw_counter percpu[1024];
	int ncpu = libbpf_num_possible_cpus();
	__u32 key = LW_B4_STAT_MAPPING_RACE_LOST;

	if (ncpu <= 0 || ncpu > 1024 || bpf_map_lookup_elem(m->stats, &key, percpu))
		return -1;
	*total = 0;
	for (int c = 0; c < ncpu; c++)
		*total += percpu[c].packets;
	return 0;
}

static int count_row(const struct lw_b4_session_row *row, void *arg)
{
	(*(size_t *)arg)++;
	return 0;
}

/* Session slots claimed, live or not. */
static size_t count_claimed(const struct lw_b4_maps *m)
{
	size_t n = 0;

	lw_b4_session_foreach(m, count_row, &n);
	return n;
}

/* R.in: the first packet of the flow from HOST1:sport to INET1:53 */
static int race_frame(uint16_t sport)
{
	struct fr f = { .l2 = L2_IN_LAN, .s4 = HOST1, .d4 = INET1, .ttl = 64, .df = true,
			.l4 = L4_UDP, .sport = sport, .dport = 53, .payload = 32 };

	return harness_build(&f, R.in, sizeof(R.in), &R.inlen);
}

#define RFAIL(...) do { snprintf(x->why, x->whylen, __VA_ARGS__); return 1; } while (0)

static int race_round_check(unsigned r, void *arg)
{
	struct race_ctx *x = arg;
	uint16_t sport = (uint16_t)(x->base + r);
	struct lw_b4_session_row row, by_ext;
	const struct lw_b4_session *sp = &row.s;
	int p[2];
	uint64_t lost;
	size_t n_in;

	for (int i = 0; i < 2; i++) {
		struct race_worker *w = &R.w[i];

		if (w->err)
			RFAIL("round %u: cpu %d: BPF_PROG_TEST_RUN: %s", r, w->cpu, strerror(w->err));
		if (w->action != XDP_REDIRECT) {
			struct lw_counter st[LW_B4_STAT_MAX];
			char ctrs[256] = "";
			size_t o = 0;

			if (!lw_b4_stats_read(x->m, st))
				for (unsigned k = 0; k < LW_B4_STAT_MAX; k++)
					if (st[k].packets && k != LW_B4_STAT_RCVD_LAN && k != LW_B4_STAT_SENT_TUNNEL &&
					    k != LW_B4_STAT_MAPPING_CREATED && k != LW_B4_STAT_MAPPING_RACE_LOST &&
					    o < sizeof(ctrs))
						o += (size_t)snprintf(ctrs + o, sizeof(ctrs) - o, " %s=%llu",
								      lw_b4_stat_name(k),
								      (unsigned long long)st[k].packets);
			lost = x->lost_before;
			race_lost_total(x->m, &lost);
			RFAIL("round %u (internal port %u): cpu %d: action %u, expected XDP_REDIRECT (both CPUs "
			      "must forward the first packet); counters:%s; mappings-race-lost this round %llu; "
			      "mapping of the port afterwards: %s; other cpu: action %u",
			      r, sport, w->cpu, w->action, ctrs, (unsigned long long)(lost - x->lost_before),
			      lw_b4_mapping_get(x->m, IPPROTO_UDP, x->host, htons(sport), &row) ? "none"
												 : "present",
			      R.w[!i].action);
		}
		p[i] = outer_udp_sport(w->out, w->outlen);
		if (p[i] < 0)
			RFAIL("round %u: cpu %d: output is no UDP in IPv4-in-IPv6 frame", r, w->cpu);
	}
	if (race_lost_total(x->m, &lost))
		RFAIL("round %u: reading mappings-race-lost: %s", r, strerror(errno));
	if (lost > x->lost_before)
		x->lost_rounds++;
	if (lost - x->lost_before > 1)
		RFAIL("round %u: mappings-race-lost went up by %llu (one loser at most)", r,
		      (unsigned long long)(lost - x->lost_before));
	x->lost_before = lost;
	if (p[0] != p[1])
		RFAIL("round %u: B4-NAT-3 the two CPUs sent the flow from different external ports "
		      "(cpu %d: %d, cpu %d: %d)", r, R.w[0].cpu, p[0], R.w[1].cpu, p[1]);
	if (lw_b4_mapping_get(x->m, IPPROTO_UDP, x->host, htons(sport), &row))
		RFAIL("round %u: no mapping of internal port %u after both CPUs sent it (port %d on the wire)",
		      r, sport, p[0]);
	if (sp->ext_addr != x->pub || ntohs(sp->ext_port) != p[0])
		RFAIL("round %u: mapping of internal port %u says external port %u, both frames carry %d",
		      r, sport, ntohs(sp->ext_port), p[0]);
	if (lw_b4_mapping_by_ext(x->m, IPPROTO_UDP, sp->ext_addr, sp->ext_port, &by_ext))
		RFAIL("round %u: B4-NAT-3 external port %d has no live session (internal port %u)", r,
		      p[0], sport);
	if (by_ext.key.addr != x->host || ntohs(by_ext.key.port) != sport || by_ext.pos != row.pos)
		RFAIL("round %u: B4-NAT-3 the session of external port %d names internal port %u, "
		      "not %u", r, p[0], ntohs(by_ext.key.port), sport);
	if (p[0] < RACE_POOL_FIRST || p[0] >= RACE_POOL_FIRST + RACE_POOL_SIZE)
		RFAIL("round %u: B4-NAT-1 external port %d outside the pool", r, p[0]);
	if (x->used[p[0] / 8] & (1u << (p[0] % 8)))
		RFAIL("round %u: B4-NAT-3 external port %d handed out a second time", r, p[0]);
	x->used[p[0] / 8] |= (uint8_t)(1u << (p[0] % 8));
	n_in = count_claimed(x->m);
	if (n_in != r + 1)
		RFAIL("round %u: B4-NAT-3 %zu session slots claimed for %u mappings (the losing CPU left "
		      "its claim)", r, n_in, r + 1);
	if ((r + 1) % RACE_FULL_EVERY == 0 || r + 1 == R.rounds) {
		char err[400];

		if (harness_invariants((int)r + 1, err, sizeof(err)))
			RFAIL("round %u (full check after rounds %u..%u): %s", r, x->last_full, r, err);
		x->last_full = r + 1;
	}
	if (race_frame((uint16_t)(x->base + r + 1)))
		RFAIL("round %u: next input frame", r);
	return 0;
}

static int race_run(uint16_t base, const char *what, char *why, size_t whylen)
{
	static struct race_ctx x;
	struct setup su = race_setup;
	struct lw_counter stats[LW_B4_STAT_MAX];
	cpu_set_t avail;
	int cpus[2], n = 0;
	char err[512];

	CPU_ZERO(&avail);
	if (sched_getaffinity(0, sizeof(avail), &avail))
		return snprintf(why, whylen, "sched_getaffinity: %s", strerror(errno)), 1;
	for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
		if (CPU_ISSET(c, &avail))
			cpus[n++] = c;
	if (n < 2)
		return snprintf(why, whylen, "needs two CPUs, this process may run on %d", n), 1;
	su.pool[0].ipv4 = ip4(PUB);
	if (harness_setup(&su, err, sizeof(err)))
		return snprintf(why, whylen, "setup: %s", err), 1;

	memset(&x, 0, sizeof(x));
	memset(&R, 0, sizeof(R));
	x.m = harness_maps();
	x.base = base;
	x.host = ip4(HOST1);
	x.pub = ip4(PUB);
	x.why = why;
	x.whylen = whylen;
	R.prog_fd = harness_prog_fd();
	R.ifindex = harness_ifindex(SIDE_LAN);
	R.rounds = RACE_ROUNDS;
	R.check = race_round_check;
	R.arg = &x;
	for (int i = 0; i < 2; i++)
		R.w[i].cpu = cpus[i];
	/* the worker that checks a round builds the next round's frame */
	if (race_frame(base))
		return snprintf(why, whylen, "input frame"), 1;
	for (int i = 0; i < 2; i++)
		if ((errno = pthread_create(&R.w[i].th, NULL, race_worker_main, &R.w[i]))) {
			snprintf(why, whylen, "pthread_create: %s", strerror(errno));
			if (i == 1) { /* worker 0 waits at the first barrier forever: cannot recover */
				fprintf(stderr, "%s\n", why);
				exit(1);
			}
			return 1;
		}
	for (int i = 0; i < 2; i++)
		pthread_join(R.w[i].th, NULL);
	for (int i = 0; i < 2; i++)
		if (R.w[i].setup_err)
			return snprintf(why, whylen, "pthread_setaffinity_np(cpu %d): %s", R.w[i].cpu,
					strerror(R.w[i].setup_err)), 1;
	harness_drain_events();
	if (atomic_load(&R.stop))
		return 1; /* why written by the check */
	if (R.done != R.rounds)
		return snprintf(why, whylen, "only %u of %u rounds ran", R.done, R.rounds), 1;
	if (lw_b4_stats_read(x.m, stats))
		return snprintf(why, whylen, "lw_b4_stats_read: %s", strerror(errno)), 1;
	printf("# race %s: %u rounds on cpus %d+%d, mappings-race-lost in %u rounds (%llu in all), "
	       "mappings-created %llu\n", what, R.rounds, cpus[0], cpus[1], x.lost_rounds,
	       (unsigned long long)stats[LW_B4_STAT_MAPPING_RACE_LOST].packets,
	       (unsigned long long)stats[LW_B4_STAT_MAPPING_CREATED].packets);
	if (stats[LW_B4_STAT_MAPPING_CREATED].packets != R.rounds)
		return snprintf(why, whylen, "mappings-created %llu for %u rounds (one per round)",
				(unsigned long long)stats[LW_B4_STAT_MAPPING_CREATED].packets, R.rounds), 1;
	if (stats[LW_B4_STAT_RCVD_LAN].packets != 2ull * R.rounds ||
	    stats[LW_B4_STAT_SENT_TUNNEL].packets != 2ull * R.rounds)
		return snprintf(why, whylen, "rcvd-lan %llu / sent-tunnel %llu for %u packets",
				(unsigned long long)stats[LW_B4_STAT_RCVD_LAN].packets,
				(unsigned long long)stats[LW_B4_STAT_SENT_TUNNEL].packets, 2 * R.rounds), 1;
	return 0;
}

int race_check_keep(const struct tcase *c, char *why, size_t whylen)
{
	return race_run(RACE_KEEP_BASE, "internal port in the pool", why, whylen);
}

int race_check_probe(const struct tcase *c, char *why, size_t whylen)
{
	return race_run(RACE_PROBE_BASE, "random probe", why, whylen);
}
