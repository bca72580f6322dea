/* SPDX-License-Identifier: GPL-2.0 */
/* A seeded random walk over lib/aftr/alloc*: thousands of requests
 * (create, renew, delete, foreign nonces, suggestions, every size), expiry
 * runs and undos. After every step:
 *  - an independent model of the live mappings predicts the decision's
 *    result, action, block and lifetime (RFC 6887 §11.3, §15; RFC 7753
 *    §4.2; PCPS-7, -13, -14, -15), and every new grant lies inside the
 *    internal ports its request named (RFC 7753 §4.2 MUST NOT);
 *  - the allocator's grant list equals the model;
 *  - no two grants overlap in ports (recomputed from first port and size,
 *    not from the allocator's bitmaps), one psid-len per address (PSID-4),
 *    no grant below 1024 (PSID-5), every grant aligned to its size;
 *  - alloc_check() finds its internals consistent.
 * The walk also counts each kind of outcome and fails if any never
 * happened, so a change that makes it vacuous is caught. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "alloc.h"

#define N_B4 400          /* pairs share a /127 subscriber */
#define N_PORTS 4         /* the internal ports of ports[] */
#define QUOTA 2
#define STEPS 12000
#define POOL_FIRST 0xc0000200u /* 192.0.2.0/30 */
#define POOL_N 4

/* Internal ports the walk asks from: the lwB4's (PCPC-5) and ranges that
 * start inside the port space, where RFC 7753 §4.2 leaves fewer blocks. */
static const uint16_t ports[N_PORTS] = { 1, 2, 30000, 50000 };

static unsigned int port_index(uint16_t internal_port)
{
	for (unsigned int i = 0; i < N_PORTS; i++)
		if (ports[i] == internal_port)
			return i;
	fail_msg("internal port %u is not one the walk asks from", internal_port);
	return 0;
}

struct model_entry {
	bool live;
	struct alloc_grant g;
};

struct walk {
	struct alloc *a;
	struct model_entry m[N_B4][N_PORTS];
	uint64_t rng;
	uint64_t now;
	unsigned long created, revived, renewed, deleted, not_authorized, quota,
		no_resources_short, no_resources_small, no_resources_range, delete_absent, expired,
		undone,
		sizes_seen[17];
};

static uint64_t next(struct walk *w)
{
	/* xorshift64*: fixed seed, same walk on every machine. */
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return w->rng * 0x2545f4914f6cdd1dull;
}

static uint32_t below(struct walk *w, uint32_t n)
{
	return (uint32_t)(next(w) % n);
}

static struct in6_addr b4_of(unsigned int n)
{
	struct in6_addr a;

	memset(&a, 0, sizeof(a));
	a.s6_addr[0] = 0x20;
	a.s6_addr[1] = 0x01;
	a.s6_addr[2] = 0x0d;
	a.s6_addr[3] = 0xb8;
	a.s6_addr[14] = (uint8_t)(n >> 8);
	a.s6_addr[15] = (uint8_t)n;
	return a;
}

static unsigned int b4_index(const struct in6_addr *a)
{
	return (unsigned int)a->s6_addr[14] << 8 | a->s6_addr[15];
}

static void on_expired(const struct alloc_grant *g, struct walk *w)
{
	struct model_entry *e = &w->m[b4_index(&g->b4)][port_index(g->internal_port)];

	assert_true(e->live);
	assert_memory_equal(&e->g, g, sizeof(*g));
	assert_true(g->expires_at <= w->now);
	e->live = false;
	w->expired++;
}

static uint32_t bound_of(uint16_t size)
{
	uint32_t p;

	if (size == 0xffff)
		return 2048;
	p = 1u << (31 - __builtin_clz(size));
	return p < 8192 ? p : 8192;
}

/* RFC 7753 §4.2, computed apart from the allocator: the largest aligned
 * block of 256..bound ports above 1023 inside [internal port, + size) (port
 * 0 aside: a range from 1 holds it); 0 when none. */
static uint32_t largest_inside(const struct alloc_request *q)
{
	uint32_t lo = q->internal_port == 1 ? 0 : q->internal_port;
	uint32_t end = (uint32_t)q->internal_port + q->port_set_size; /* exclusive */

	for (uint32_t s = bound_of(q->port_set_size); s >= 256; s >>= 1) {
		uint32_t first = (lo + s - 1) / s * s;

		if (first < 1024)
			first = 1024;
		if (first + s <= end && first + s <= 65536)
			return s;
	}
	return 0;
}

static bool inside(const struct alloc_grant *g, const struct alloc_request *q)
{
	uint32_t first = alloc_grant_first_port(g), size = alloc_grant_size(g);
	uint32_t lo = q->internal_port == 1 ? 0 : q->internal_port;

	return first >= lo && first + size <= (uint32_t)q->internal_port + q->port_set_size;
}

static uint32_t clamp(uint32_t lt)
{
	return lt < 120 ? 120 : lt > 600 ? 600 : lt;
}

static unsigned int live_of_subscriber(const struct walk *w, unsigned int b4)
{
	unsigned int n = 0, b, p;

	for (b = b4 & ~1u; b <= (b4 | 1u); b++)
		for (p = 0; p < N_PORTS; p++)
			n += w->m[b][p].live;
	return n;
}

static bool same_block(const struct alloc_grant *x, const struct alloc_grant *y)
{
	return x->ipv4 == y->ipv4 && x->psid_len == y->psid_len && x->psid == y->psid;
}

/* Predicts the decision from the model alone and checks it. */
static void check_decision(struct walk *w, const struct alloc_request *q,
			   const struct alloc_decision *d)
{
	struct model_entry *e = &w->m[b4_index(&q->b4)][port_index(q->internal_port)];
	bool same_nonce = e->live && memcmp(e->g.nonce, q->nonce, ALLOC_NONCE_LEN) == 0;

	if (e->live && !same_nonce) {
		/* PCPS-13: remaining lifetime of the existing mapping. */
		assert_int_equal(d->result, ALLOC_NOT_AUTHORIZED);
		assert_int_equal(d->action, ALLOC_NONE);
		assert_int_equal(d->lifetime, e->g.expires_at - q->now);
		w->not_authorized++;
		return;
	}
	if (q->lifetime == 0) {
		assert_int_equal(d->result, ALLOC_SUCCESS);
		assert_int_equal(d->lifetime, 0);
		if (e->live) {
			assert_int_equal(d->action, ALLOC_DELETED);
			assert_memory_equal(&d->grant, &e->g, sizeof(e->g));
			w->deleted++;
		} else {
			assert_int_equal(d->action, ALLOC_NONE);
			w->delete_absent++;
		}
		return;
	}
	if (e->live) {
		assert_int_equal(d->result, ALLOC_SUCCESS);
		assert_int_equal(d->action, ALLOC_RENEWED);
		assert_true(same_block(&d->grant, &e->g));
		assert_int_equal(d->lifetime, clamp(q->lifetime));
		assert_int_equal(d->grant.expires_at, q->now + clamp(q->lifetime));
		w->renewed++;
		return;
	}
	if (live_of_subscriber(w, b4_index(&q->b4)) >= QUOTA) {
		assert_int_equal(d->result, ALLOC_USER_EX_QUOTA);
		assert_int_equal(d->lifetime, 30);
		w->quota++;
		return;
	}
	if (bound_of(q->port_set_size) < 256) {
		assert_int_equal(d->result, ALLOC_NO_RESOURCES);
		assert_int_equal(d->lifetime, 30); /* RFC 6887 §7.4: short (PCPS-15) */
		w->no_resources_small++;
		return;
	}
	if (largest_inside(q) == 0) {
		/* RFC 7753 §4.2: no block may be granted at all */
		assert_int_equal(d->result, ALLOC_NO_RESOURCES);
		assert_int_equal(d->lifetime, 30);
		w->no_resources_range++;
		return;
	}
	if (d->result == ALLOC_NO_RESOURCES) {
		struct alloc_stats st;

		/* Exhaustion: an empty address would have fitted the range. */
		assert_int_equal(d->lifetime, 30);
		alloc_get_stats(w->a, &st);
		assert_int_equal(st.addresses_empty, 0);
		w->no_resources_short++;
		return;
	}
	assert_int_equal(d->result, ALLOC_SUCCESS);
	assert_int_equal(d->action, ALLOC_CREATED);
	assert_true(inside(&d->grant, q));
	assert_true(alloc_grant_size(&d->grant) <= largest_inside(q));
	assert_true(alloc_grant_size(&d->grant) >= 256);
	assert_int_equal(d->lifetime, clamp(q->lifetime));
	assert_memory_equal(&d->grant.b4, &q->b4, sizeof(q->b4));
	assert_memory_equal(d->grant.nonce, q->nonce, ALLOC_NONCE_LEN);
	if (strcmp(d->why, "granted") == 0)
		w->created++;
	else
		w->revived++;
	w->sizes_seen[d->grant.psid_len]++;
}

static void apply_to_model(struct walk *w, const struct alloc_decision *d)
{
	struct model_entry *e;

	/* a refusal carries no grant: internal port 0 would index m[][-1] */
	if (d->action == ALLOC_NONE)
		return;
	e = &w->m[b4_index(&d->grant.b4)][port_index(d->grant.internal_port)];
	if (d->action == ALLOC_CREATED || d->action == ALLOC_RENEWED) {
		e->live = true;
		e->g = d->grant;
	} else if (d->action == ALLOC_DELETED) {
		e->live = false;
	}
}

struct collected {
	struct alloc_grant g[N_B4 * N_PORTS + 1];
	size_t n;
};

static int collect(const struct alloc_grant *g, void *ctx)
{
	struct collected *c = ctx;

	assert_true(c->n < N_B4 * N_PORTS);
	c->g[c->n++] = *g;
	return 0;
}

static int by_port(const void *x, const void *y)
{
	const struct alloc_grant *a = x, *b = y;
	uint32_t ia = ntohl(a->ipv4), ib = ntohl(b->ipv4);

	if (ia != ib)
		return ia < ib ? -1 : 1;
	return alloc_grant_first_port(a) < alloc_grant_first_port(b) ? -1 :
	       alloc_grant_first_port(a) > alloc_grant_first_port(b);
}

static void check_invariants(struct walk *w)
{
	static struct collected c;
	size_t i, n_model = 0;
	char err[256];
	unsigned int b, p;

	if (alloc_check(w->a, err, sizeof(err)))
		fail_msg("alloc_check: %s", err);
	c.n = 0;
	assert_int_equal(alloc_foreach(w->a, collect, &c), 0);
	for (b = 0; b < N_B4; b++)
		for (p = 0; p < N_PORTS; p++)
			n_model += w->m[b][p].live;
	assert_int_equal(c.n, n_model);
	for (i = 0; i < c.n; i++) {
		const struct alloc_grant *g = &c.g[i];
		const struct model_entry *e = &w->m[b4_index(&g->b4)][port_index(g->internal_port)];
		uint32_t first = alloc_grant_first_port(g), size = alloc_grant_size(g);

		assert_true(e->live);
		assert_memory_equal(&e->g, g, sizeof(*g));
		assert_true(ntohl(g->ipv4) - POOL_FIRST < POOL_N);
		assert_int_equal(first % size, 0);
		assert_true(first >= 1024);
		assert_true(g->expires_at > w->now);
	}
	/* No two grants share a port; one psid-len per address. */
	qsort(c.g, c.n, sizeof(c.g[0]), by_port);
	for (i = 1; i < c.n; i++) {
		const struct alloc_grant *x = &c.g[i - 1], *y = &c.g[i];

		if (x->ipv4 != y->ipv4)
			continue;
		assert_int_equal(x->psid_len, y->psid_len);
		assert_true((uint32_t)alloc_grant_first_port(x) + alloc_grant_size(x) <=
			    alloc_grant_first_port(y));
	}
}

static uint16_t random_size(struct walk *w)
{
	uint32_t e, s;

	if (below(w, 2) == 0)
		return 0xffff;
	e = below(w, 16);
	s = (1u << e) + below(w, 1u << e);
	return (uint16_t)(s > 65534 ? 65534 : s);
}

static void random_request(struct walk *w)
{
	struct alloc_request q;
	struct alloc_decision d;
	struct model_entry before;
	struct model_entry *e;
	char err[256];
	unsigned int b4 = below(w, N_B4);

	memset(&q, 0, sizeof(q));
	q.b4 = b4_of(b4);
	q.br.s6_addr[0] = 0x20;
	q.br.s6_addr[15] = (uint8_t)(1 + below(w, 2));
	memset(q.nonce, below(w, 8) == 0 ? 2 : 1, sizeof(q.nonce));
	q.protocol = (uint8_t)(below(w, 3) == 0 ? 0 : below(w, 2) ? 6 : 17);
	q.internal_port = ports[below(w, N_PORTS)];
	q.lifetime = below(w, 10) == 0 ? 0 : 1 + below(w, 1000);
	q.port_set_size = random_size(w);
	if (below(w, 5) == 0) {
		q.suggested_ipv4 = htonl(POOL_FIRST + below(w, POOL_N + 2)); /* two outside */
		q.suggested_port = (uint16_t)below(w, 65536);
	}
	q.now = w->now;

	e = &w->m[b4][port_index(q.internal_port)];
	before = *e;
	if (alloc_request(w->a, &q, &d, err, sizeof(err)))
		fail_msg("alloc_request: %s", err);
	check_decision(w, &q, &d);
	apply_to_model(w, &d);
	check_invariants(w);
	/* A failed store write: undo, and the state is as before. */
	if (d.action != ALLOC_NONE && below(w, 10) == 0) {
		assert_int_equal(alloc_undo(w->a, &d), 0);
		assert_int_equal(alloc_undo(w->a, &d), -ESTALE);
		*e = before;
		w->undone++;
		check_invariants(w);
	}
}

static void test_random_walk(void **state)
{
	static struct walk w;
	struct alloc_pool pool = { .prefix = htonl(POOL_FIRST), .prefix_len = 30 };
	struct alloc_config c;
	struct alloc_grant expired;
	char err[256];
	unsigned int step, k;

	(void)state;
	memset(&w, 0, sizeof(w));
	w.rng = 0x6c77346f36ull; /* fixed seed */
	alloc_config_init(&c);
	c.pools = &pool;
	c.n_pools = 1;
	c.min_block_size = 256;
	c.max_block_size = 8192;
	c.max_grants_per_subscriber = QUOTA;
	c.subscriber_prefix_len = 127;
	c.max_lifetime = 600;
	c.reuse_hold_seconds = 60;
	c.hash_seed = 12345;
	w.a = alloc_new(&c, err, sizeof(err));
	if (!w.a)
		fail_msg("alloc_new: %s", err);
	w.now = 1000;
	for (step = 0; step < STEPS; step++) {
		/* Now and then a quiet spell longer than any lifetime plus hold:
		 * every address empties and takes a new psid-len afterwards. */
		w.now += step % 1500 == 1499 ? 700 : below(&w, 4);
		while (alloc_expire_next(w.a, w.now, &expired))
			on_expired(&expired, &w);
		check_invariants(&w);
		random_request(&w);
	}
	printf("walk: %lu created, %lu revived held, %lu renewed, %lu deleted, %lu delete-absent,"
	       " %lu not-authorized, %lu quota, %lu no-resources (%lu too small, %lu no block in"
	       " range), %lu expired, %lu undone\n", w.created, w.revived, w.renewed, w.deleted,
	       w.delete_absent, w.not_authorized, w.quota, w.no_resources_short,
	       w.no_resources_small, w.no_resources_range, w.expired, w.undone);
	assert_true(w.created > 0 && w.revived > 0 && w.renewed > 0 && w.deleted > 0);
	assert_true(w.delete_absent > 0 && w.not_authorized > 0 && w.quota > 0);
	assert_true(w.no_resources_short > 0 && w.no_resources_small > 0 && w.no_resources_range > 0);
	assert_true(w.expired > 0 && w.undone > 0);
	/* Every size from 256 (k = 8) to 8192 (k = 3) was granted. */
	printf("walk: grants by psid-len:");
	for (k = 3; k <= 8; k++)
		printf(" %u:%lu", k, w.sizes_seen[k]);
	printf("\n");
	for (k = 3; k <= 8; k++)
		assert_true(w.sizes_seen[k] > 0);
	alloc_free(w.a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_walk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
