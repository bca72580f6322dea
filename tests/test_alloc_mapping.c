/* SPDX-License-Identifier: GPL-2.0 */
/* lib/aftr/alloc*: the life of a mapping once granted. Renewal with the
 * same nonce (RFC 6887 §11.2.1, PCPS-14, any protocol: PCPS-19), another
 * nonce -> NOT_AUTHORIZED with the remaining life (PCPS-13), delete with
 * lifetime 0 (RFC 7753 §4.4), the RFC 6887 §15 reuse hold, expiry
 * reporting (AFTR-BT-2, PCPS-11), lifetime clamping (PCPS-12), undo of a
 * decision whose store write failed, and restore from the store with
 * conflicts refused. Block choice is in test_alloc.c. */
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
#include "alloc_fixture.h"
/* RFC 6887 §11.2.1, PCPS-14: same B4, internal port and nonce = renewal of
 * the same block with a new expiry; the protocol does not matter
 * (PCPS-19), nor does a suggestion. */
static void test_renewal(void **state)
{
	struct alloc_pool pool;
	struct alloc_config c;
	struct alloc_decision d;
	struct alloc_request q;
	struct alloc_stats st;
	struct alloc *a;

	(void)state;
	config(&c, &pool, "192.0.2.0", 28);
	a = make(&c);
	q = req(1, 7, 1000);
	d = ask(a, &q);
	expect_grant(&d, "192.0.2.0", 5, 1, 2048, 2048);
	q = req(2, 7, 1000);
	d = ask(a, &q);
	expect_grant(&d, "192.0.2.0", 5, 2, 4096, 2048);

	q = req(1, 7, 2000);
	q.lifetime = 7200;
	q.protocol = 6;
	q.suggested_ipv4 = v4("192.0.2.3");
	q.suggested_port = 30000;
	q.br = v6("2001:db8:ffff::2");
	d = ask(a, &q);
	assert_int_equal(d.action, ALLOC_RENEWED);
	expect_grant(&d, "192.0.2.0", 5, 1, 2048, 2048);
	assert_int_equal(d.lifetime, 7200);
	assert_int_equal(d.grant.expires_at, 9200);
	/* The binding follows the BR address the renewal came through. */
	assert_memory_equal(&d.grant.br, &q.br, 16);
	assert_int_equal(alloc_find(a, &q.b4, 1)->expires_at, 9200);

	q.protocol = 17;
	q.now = 3000;
	q.lifetime = 100; /* clamped up to 120 */
	d = ask(a, &q);
	assert_int_equal(d.action, ALLOC_RENEWED);
	expect_grant(&d, "192.0.2.0", 5, 1, 2048, 2048);
	assert_int_equal(d.lifetime, 120);
	assert_int_equal(d.grant.expires_at, 3120);
	alloc_get_stats(a, &st);
	assert_int_equal(st.grants, 2);
	alloc_free(a);
}

/* RFC 6887 §11.3, PCPS-13: another nonce for an existing mapping gets
 * NOT_AUTHORIZED with the mapping's remaining lifetime, for any protocol,
 * for renewal and delete alike, and nothing changes. */
static void test_not_authorized(void **state)
{
	struct alloc_pool pool;
	struct alloc_config c;
	struct alloc_decision d;
	struct alloc_request q;
	const struct alloc_grant *g;
	struct alloc *a;

	(void)state;
	config(&c, &pool, "192.0.2.0", 28);
	a = make(&c);
	q = req(1, 1, 1000);
	d = ask(a, &q);
	assert_int_equal(d.grant.expires_at, 4600);

	q = req(1, 2, 1600);
	d = ask(a, &q);
	expect_error(&d, ALLOC_NOT_AUTHORIZED, 3000);
	q.protocol = 17;
	q.now = 1601;
	d = ask(a, &q);
	expect_error(&d, ALLOC_NOT_AUTHORIZED, 2999);
	q.lifetime = 0;
	d = ask(a, &q);
	expect_error(&d, ALLOC_NOT_AUTHORIZED, 2999);

	g = alloc_find(a, &q.b4, 1);
	assert_non_null(g);
	assert_int_equal(g->nonce[0], 1);
	assert_int_equal(g->expires_at, 4600);
	/* Another internal port is another mapping, not a nonce clash. */
	q = req(1, 2, 1600);
	q.internal_port = 9;
	d = ask(a, &q);
	expect_error(&d, ALLOC_USER_EX_QUOTA, 30);
	alloc_free(a);
}

/* RFC 7753 §4.4 / RFC 6887 §15: lifetime 0 deletes the whole set; deleting
 * what does not exist (or again) succeeds with lifetime 0. */
static void test_delete(void **state)
{
	struct alloc_pool pool;
	struct alloc_config c;
	struct alloc_decision d;
	struct alloc_request q;
	struct alloc_stats st;
	struct alloc *a;

	(void)state;
	config(&c, &pool, "192.0.2.0", 28);
	a = make(&c);
	q = req(1, 1, 1000);
	d = ask(a, &q);
	q.lifetime = 0;
	q.now = 1100;
	d = ask(a, &q);
	assert_int_equal(d.result, ALLOC_SUCCESS);
	assert_int_equal(d.action, ALLOC_DELETED);
	assert_int_equal(d.lifetime, 0);
	/* The decision names what pcpd must unbind. */
	assert_int_equal(d.grant.ipv4, v4("192.0.2.0"));
	assert_int_equal(d.grant.psid, 1);
	assert_int_equal(d.grant.expires_at, 4600);
	assert_null(alloc_find(a, &q.b4, 1));
	alloc_get_stats(a, &st);
	assert_int_equal(st.grants, 0);
	assert_int_equal(st.held, 1);

	d = ask(a, &q);
	expect_error(&d, ALLOC_SUCCESS, 0);
	assert_string_equal(d.why, "no such mapping");
	q = req(2, 1, 1100);
	q.lifetime = 0;
	d = ask(a, &q);
	expect_error(&d, ALLOC_SUCCESS, 0);
	alloc_free(a);
}

struct expired_log {
	unsigned int n;
	uint16_t psid[8];
	uint64_t expires_at[8];
};

/* Takes out every grant expired at now, in l unless NULL; how many. */
static unsigned int expire(struct alloc *a, uint64_t now, struct expired_log *l)
{
	struct alloc_grant g;
	unsigned int n = 0;

	for (; alloc_expire_next(a, now, &g); n++) {
		if (!l)
			continue;
		assert_true(l->n < 8);
		l->psid[l->n] = g.psid;
		l->expires_at[l->n] = g.expires_at;
		l->n++;
	}
	return n;
}

/* RFC 6887 §15 reuse time: a freed block goes to nobody else during the
 * hold, the same client gets it straight back, and after the hold it is
 * free for anyone. */
static void test_reuse_hold(void **state)
{
	struct alloc_pool pool;
	struct alloc_config c;
	struct alloc_decision d;
	struct alloc_request q;
	struct alloc_stats st;
	struct alloc *a;

	(void)state;
	config(&c, &pool, "192.0.2.0", 28);
	a = make(&c);
	q = req(1, 1, 1000);
	d = ask(a, &q);
	expect_grant(&d, "192.0.2.0", 5, 1, 2048, 2048);
	q.lifetime = 0;
	q.now = 1010;
	d = ask(a, &q);
	assert_int_equal(d.action, ALLOC_DELETED);

	/* Another subscriber during the hold: the next block. */
	q = req(2, 1, 1020);
	d = ask(a, &q);
	expect_grant(&d, "192.0.2.0", 5, 2, 4096, 2048);
	/* The same B4 with the same nonce: its own block, at once. */
	q = req(1, 1, 1030);
	d = ask(a, &q);
	assert_int_equal(d.action, ALLOC_CREATED);
	expect_grant(&d, "192.0.2.0", 5, 1, 2048, 2048);
	assert_int_equal(d.grant.expires_at, 4630);
	q.lifetime = 0;
	q.now = 1040;
	d = ask(a, &q);
	assert_int_equal(d.action, ALLOC_DELETED);
	/* Same B4, new nonce (e.g. after a reboot): still its own held block. */
	q = req(1, 9, 1050);
	d = ask(a, &q);
	expect_grant(&d, "192.0.2.0", 5, 1, 2048, 2048);
	assert_int_equal(d.grant.nonce[0], 9);
	q.lifetime = 0;
	q.now = 1060;
	d = ask(a, &q);
	assert_int_equal(d.action, ALLOC_DELETED);

	/* Hold ends at 1060 + 120. */
	assert_int_equal(alloc_next_deadline(a), 1180);
	expire(a, 1179, NULL);
	alloc_get_stats(a, &st);
	assert_int_equal(st.held, 1);
	expire(a, 1180, NULL);
	alloc_get_stats(a, &st);
	assert_int_equal(st.held, 0);
	checked(a);
	q = req(3, 1, 1180);
	d = ask(a, &q);
	expect_grant(&d, "192.0.2.0", 5, 1, 2048, 2048);
	alloc_free(a);
}

/* AFTR-BT-2, PCPS-11: expiry reports every grant whose lifetime has passed,
 * in expiry order, and only those; then their blocks are held, then free. */
static void test_expiry(void **state)
{
	struct alloc_pool pool;
	struct alloc_config c;
	struct alloc_decision d;
	struct alloc_request q;
	struct expired_log log = { 0 };
	struct alloc_stats st;
	struct alloc *a;
	unsigned int i;
	static const uint32_t lifetimes[] = { 300, 200, 400 };

	(void)state;
	config(&c, &pool, "192.0.2.0", 28);
	a = make(&c);
	assert_int_equal(alloc_next_deadline(a), UINT64_MAX);
	for (i = 0; i < 3; i++) {
		q = req(i + 1, 1, 0);
		q.lifetime = lifetimes[i];
		d = ask(a, &q);
		expect_grant(&d, "192.0.2.0", 5, i + 1, (i + 1) * 2048, 2048);
	}
	assert_int_equal(alloc_next_deadline(a), 200);
	assert_int_equal(expire(a, 199, &log), 0);
	assert_int_equal(log.n, 0);
	assert_int_equal(expire(a, 300, &log), 2);
	checked(a);
	assert_int_equal(log.n, 2);
	assert_int_equal(log.psid[0], 2);
	assert_int_equal(log.expires_at[0], 200);
	assert_int_equal(log.psid[1], 1);
	assert_int_equal(log.expires_at[1], 300);
	q = req(1, 1, 300);
	assert_null(alloc_find(a, &q.b4, 1));
	q = req(3, 1, 300);
	assert_non_null(alloc_find(a, &q.b4, 1));
	alloc_get_stats(a, &st);
	assert_int_equal(st.grants, 1);
	assert_int_equal(st.held, 2);

	/* psid 2 expired at 200: held until 320, so a newcomer at 300 gets 4. */
	assert_int_equal(alloc_next_deadline(a), 320);
	q = req(10, 1, 300);
	d = ask(a, &q);
	expect_grant(&d, "192.0.2.0", 5, 4, 8192, 2048);
	assert_int_equal(expire(a, 320, &log), 0);
	q = req(11, 1, 320);
	d = ask(a, &q);
	expect_grant(&d, "192.0.2.0", 5, 2, 4096, 2048);
	alloc_free(a);
}

/* PCPS-12 / RFC 6887 §15: lifetimes clamped into [min, max]. */
static void test_lifetime_clamping(void **state)
{
	static const struct {
		uint32_t asked, granted;
	} def[] = {
		{ 1, 120 }, { 119, 120 }, { 120, 120 }, { 3600, 3600 },
		{ 86400, 86400 }, { 86401, 86400 }, { UINT32_MAX, 86400 },
	}, narrow[] = {
		{ 100, 300 }, { 300, 300 }, { 1000, 1000 }, { 5000, 3600 },
	};
	struct alloc_pool pool;
	struct alloc_config c;
	struct alloc_decision d;
	struct alloc_request q;
	struct alloc *a;
	size_t i;

	(void)state;
	config(&c, &pool, "192.0.2.0", 28);
	a = make(&c);
	for (i = 0; i < sizeof(def) / sizeof(def[0]); i++) {
		q = req((unsigned int)i, 1, 50);
		q.lifetime = def[i].asked;
		d = ask(a, &q);
		assert_int_equal(d.lifetime, def[i].granted);
		assert_int_equal(d.grant.expires_at, 50 + (uint64_t)def[i].granted);
	}
	alloc_free(a);
	c.min_lifetime = 300;
	c.max_lifetime = 3600;
	a = make(&c);
	for (i = 0; i < sizeof(narrow) / sizeof(narrow[0]); i++) {
		q = req((unsigned int)i, 1, 0);
		q.lifetime = narrow[i].asked;
		d = ask(a, &q);
		assert_int_equal(d.lifetime, narrow[i].granted);
	}
	alloc_free(a);
}

/* alloc_undo restores the state before the decision exactly, so a failed
 * store write leaves no trace (RFC 6887 §7.3). */
static void test_undo(void **state)
{
	struct alloc_pool pool;
	struct alloc_config c;
	struct alloc_decision d, d2;
	struct alloc_request q;
	struct alloc_stats st;
	const struct alloc_grant *g;
	struct alloc *a;

	(void)state;
	config(&c, &pool, "192.0.2.0", 28);
	a = make(&c);
	q = req(1, 1, 0);
	d = ask(a, &q);
	assert_int_equal(alloc_undo(a, &d), 0);
	checked(a);
	alloc_get_stats(a, &st);
	assert_int_equal(st.grants, 0);
	assert_int_equal(st.subscribers, 0);
	assert_int_equal(st.addresses_empty, 16);
	assert_null(alloc_find(a, &q.b4, 1));
	d = ask(a, &q);
	expect_grant(&d, "192.0.2.0", 5, 1, 2048, 2048);

	/* Renewal undone: the old expiry. */
	q.now = 100;
	q.lifetime = 7200;
	d = ask(a, &q);
	assert_int_equal(d.grant.expires_at, 7300);
	assert_int_equal(alloc_undo(a, &d), 0);
	checked(a);
	assert_int_equal(alloc_find(a, &q.b4, 1)->expires_at, 3600);
	assert_int_equal(alloc_next_deadline(a), 3600);

	/* Delete undone: live again with its expiry. */
	q.lifetime = 0;
	d = ask(a, &q);
	assert_int_equal(d.action, ALLOC_DELETED);
	assert_int_equal(alloc_undo(a, &d), 0);
	checked(a);
	g = alloc_find(a, &q.b4, 1);
	assert_non_null(g);
	assert_int_equal(g->expires_at, 3600);
	alloc_get_stats(a, &st);
	assert_int_equal(st.grants, 1);
	assert_int_equal(st.held, 0);

	/* Revival of a held block undone: held again. */
	d = ask(a, &q);
	assert_int_equal(d.action, ALLOC_DELETED);
	q.lifetime = 3600;
	q.now = 200;
	d = ask(a, &q);
	assert_int_equal(d.action, ALLOC_CREATED);
	assert_int_equal(alloc_undo(a, &d), 0);
	checked(a);
	alloc_get_stats(a, &st);
	assert_int_equal(st.grants, 0);
	assert_int_equal(st.held, 1);

	/* Only the last change can be undone. */
	q = req(2, 1, 300);
	d = ask(a, &q);
	q = req(3, 1, 300);
	d2 = ask(a, &q);
	assert_int_equal(alloc_undo(a, &d), -ESTALE);
	assert_int_equal(alloc_undo(a, &d2), 0);
	assert_int_equal(alloc_undo(a, &d2), -ESTALE);
	checked(a);
	alloc_get_stats(a, &st);
	assert_int_equal(st.grants, 1);
	/* An error decision has nothing to undo. */
	q = req(2, 5, 300);
	d = ask(a, &q);
	assert_int_equal(d.result, ALLOC_NOT_AUTHORIZED);
	assert_int_equal(alloc_undo(a, &d), 0);
	alloc_free(a);
}

static struct alloc_grant grant(unsigned int b4, const char *ipv4, unsigned int k,
				unsigned int psid, uint64_t expires_at)
{
	struct alloc_grant g;

	memset(&g, 0, sizeof(g));
	g.b4 = b4_of(b4);
	g.br = v6("2001:db8:ffff::1");
	g.ipv4 = v4(ipv4);
	g.psid_len = (uint8_t)k;
	g.psid = (uint16_t)psid;
	g.internal_port = 1;
	memset(g.nonce, 1, sizeof(g.nonce));
	g.expires_at = expires_at;
	return g;
}

static int restore(struct alloc *a, struct alloc_grant g, const char *needle)
{
	char err[256] = "";
	int rc = alloc_restore(a, &g, err, sizeof(err));

	if (needle && !strstr(err, needle))
		fail_msg("message '%s' lacks '%s'", err, needle);
	checked(a);
	return rc;
}

/* Restoring from the store: valid grants come back, and a grant that
 * conflicts with another (same block, other psid-len on the address, same
 * mapping) or is malformed is refused — never two subscribers on a block. */
static void test_restore(void **state)
{
	struct alloc_pool pool;
	struct alloc_config c;
	struct alloc_decision d;
	struct alloc_request q;
	struct expired_log log = { 0 };
	struct alloc_stats st;
	struct alloc_grant g;
	struct alloc *a;

	(void)state;
	config(&c, &pool, "192.0.2.0", 28);
	a = make(&c);
	assert_int_equal(restore(a, grant(1, "192.0.2.3", 5, 13, 5000), NULL), 0);
	g = grant(1, "192.0.2.3", 5, 13, 5000);
	assert_memory_equal(alloc_find(a, &g.b4, 1), &g, sizeof(g));
	/* Restore ignores the block-size policy: a 4096 block is accepted. */
	assert_int_equal(restore(a, grant(2, "192.0.2.4", 4, 3, 5000), NULL), 0);
	/* A whole address. */
	assert_int_equal(restore(a, grant(3, "192.0.2.15", 0, 0, 5000), NULL), 0);

	assert_int_equal(restore(a, grant(4, "192.0.2.3", 5, 13, 5000), "already granted to 192.0.2.3"),
			 -EEXIST);
	assert_int_equal(restore(a, grant(4, "192.0.2.3", 6, 27, 5000), "PSID-4"), -EEXIST);
	assert_int_equal(restore(a, grant(4, "192.0.2.15", 5, 1, 5000), "PSID-4"), -EEXIST);
	assert_int_equal(restore(a, grant(1, "192.0.2.3", 5, 14, 5000), "already have a grant"),
			 -EEXIST);
	assert_int_equal(restore(a, grant(4, "192.0.2.3", 5, 0, 5000), "PSID-5"), -EINVAL);
	assert_int_equal(restore(a, grant(4, "192.0.2.8", 8, 3, 5000), "PSID-5"), -EINVAL);
	assert_int_equal(restore(a, grant(4, "192.0.2.3", 5, 32, 5000), "out of range"), -EINVAL);
	assert_int_equal(restore(a, grant(4, "192.0.2.3", 17, 1, 5000), "out of range"), -EINVAL);
	assert_int_equal(restore(a, grant(4, "198.51.100.1", 5, 1, 5000), "no pool"),
			 -EADDRNOTAVAIL);
	alloc_get_stats(a, &st);
	assert_int_equal(st.grants, 3);

	/* New grants avoid restored blocks: .3 (psid 13 taken) is not the
	 * packing head — .4 was started later — so .4 psid 1 comes next. */
	q = req(10, 1, 100);
	q.suggested_ipv4 = v4("192.0.2.3");
	q.suggested_port = 26624;
	d = ask(a, &q);
	expect_grant(&d, "192.0.2.3", 5, 1, 2048, 2048);
	/* Quota is not applied on restore; new requests still respect it. */
	assert_int_equal(restore(a, grant(10, "192.0.2.3", 5, 2, 5000), NULL), -EEXIST);
	g = grant(10, "192.0.2.3", 5, 2, 5000);
	g.internal_port = 2;
	assert_int_equal(alloc_restore(a, &g, NULL, 0), 0);
	checked(a);
	/* A restored grant already past its expiry is reported by the next
	 * expiry run, so pcpd removes it on the usual path. */
	assert_int_equal(restore(a, grant(20, "192.0.2.3", 5, 20, 50), NULL), 0);
	assert_int_equal(expire(a, 100, &log), 1);
	assert_int_equal(log.psid[0], 20);
	checked(a);
	alloc_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_renewal),
		cmocka_unit_test(test_not_authorized),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_reuse_hold),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_lifetime_clamping),
		cmocka_unit_test(test_undo),
		cmocka_unit_test(test_restore),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
