/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the allocator's cmocka tests: address parsing that fails
 * the test, and the requests and checks every test builds on. Include after
 * <cmocka.h> and "alloc.h". */
#ifndef LW4O6_TESTS_ALLOC_FIXTURE_H
#define LW4O6_TESTS_ALLOC_FIXTURE_H


static __be32 v4(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static struct in6_addr v6(const char *s)
{
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

/* B4 number n: 2001:db8:1::n. */
static struct in6_addr b4_of(unsigned int n)
{
	struct in6_addr a = v6("2001:db8:1::");

	a.s6_addr[12] = (uint8_t)(n >> 24);
	a.s6_addr[13] = (uint8_t)(n >> 16);
	a.s6_addr[14] = (uint8_t)(n >> 8);
	a.s6_addr[15] = (uint8_t)n;
	return a;
}

static void config(struct alloc_config *c, struct alloc_pool *pool, const char *prefix,
		   unsigned int len)
{
	alloc_config_init(c);
	pool->prefix = v4(prefix);
	pool->prefix_len = (uint8_t)len;
	c->pools = pool;
	c->n_pools = 1;
}

static void checked(const struct alloc *a)
{
	char err[256];

	if (alloc_check(a, err, sizeof(err)))
		fail_msg("alloc_check: %s", err);
}

static struct alloc *make(const struct alloc_config *c)
{
	char err[256];
	struct alloc *a = alloc_new(c, err, sizeof(err));

	if (!a)
		fail_msg("alloc_new: %s", err);
	checked(a);
	return a;
}

/* A fresh MAP request as a lwB4 sends it (PCPC-5): internal port 1, PORT_SET
 * 65535, no suggestion, lifetime 3600. */
static struct alloc_request req(unsigned int b4, uint8_t nonce, uint64_t now)
{
	struct alloc_request q;

	memset(&q, 0, sizeof(q));
	q.b4 = b4_of(b4);
	q.br = v6("2001:db8:ffff::1");
	memset(q.nonce, nonce, sizeof(q.nonce));
	q.protocol = 0;
	q.internal_port = 1;
	q.lifetime = 3600;
	q.port_set_size = 0xffff;
	q.now = now;
	return q;
}

static struct alloc_decision ask(struct alloc *a, const struct alloc_request *q)
{
	struct alloc_decision d;
	char err[256];
	int rc = alloc_request(a, q, &d, err, sizeof(err));

	if (rc)
		fail_msg("alloc_request: %d %s", rc, err);
	checked(a);
	return d;
}

static void expect_grant(const struct alloc_decision *d, const char *ipv4, unsigned int psid_len,
			 unsigned int psid, unsigned int first_port, unsigned int size)
{
	assert_int_equal(d->result, ALLOC_SUCCESS);
	assert_true(d->action == ALLOC_CREATED || d->action == ALLOC_RENEWED);
	assert_int_equal(d->grant.ipv4, v4(ipv4));
	assert_int_equal(d->grant.psid_len, psid_len);
	assert_int_equal(d->grant.psid, psid);
	assert_int_equal(alloc_grant_first_port(&d->grant), first_port);
	assert_int_equal(alloc_grant_size(&d->grant), size);
}

/* RFC 7753 §4.2: the (identity-mapped) block lies in [Internal Port,
 * Internal Port + Port Set Size), port 0 aside. */
static inline void expect_inside(const struct alloc_decision *d, const struct alloc_request *q)
{
	uint32_t first = alloc_grant_first_port(&d->grant), size = alloc_grant_size(&d->grant);
	uint32_t lo = q->internal_port == 1 ? 0 : q->internal_port;

	assert_true(first >= lo);
	assert_true(first + size <= (uint32_t)q->internal_port + q->port_set_size);
}

static void expect_error(const struct alloc_decision *d, enum alloc_result res, uint32_t lifetime)
{
	assert_int_equal(d->result, res);
	assert_int_equal(d->action, ALLOC_NONE);
	assert_int_equal(d->lifetime, lifetime);
}


#endif
