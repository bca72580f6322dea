/* SPDX-License-Identifier: GPL-2.0 */
/* The decision for one MAP request with PORT_SET (RFC 6887 §11.3, RFC 7753
 * §4.2, §4.4), applied to the allocator.
 *
 * Mapping identity is (B4 address, Internal Port). The protocol is not part
 * of it: a lw4o6 block serves every port-aware protocol (RFC 7596 §3), so
 * protocol 0, 6 and 17 requests of one B4 name the same mapping (design.md
 * decision 2, PCPS-19). The nonce authorizes: same identity with another
 * nonce is NOT_AUTHORIZED (RFC 6887 §11.3, PCPS-13).
 *
 * Order of checks for a non-zero lifetime:
 *  1. a live mapping of (B4, port): same nonce -> renewal (same block, new
 *     expiry; RFC 6887 §11.2.1, PCPS-14), else NOT_AUTHORIZED;
 *  2. quota of the subscriber (masked B4) -> USER_EX_QUOTA (PCPS-15);
 *  3. size bound from PORT_SET size and policy (PCPS-7);
 *  4. a held block of this subscriber (RFC 6887 §15 reuse exception);
 *  5. a free block: largest size first; suggested address, the
 *     subscriber's address, the address being filled, an empty one (see
 *     pick_block) -> or NO_RESOURCES.
 * In 4 and 5 the block lies within the internal ports the request names
 * (RFC 7753 §4.2 MUST NOT; see psid_window). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "alloc_priv.h"
#include "errmsg.h"

static uint32_t clamp_lifetime(const struct alloc *a, uint32_t want)
{
	/* RFC 6887 §15: the server may grant more or less than asked, within
	 * its configured bounds (PCPS-12). */
	if (want < a->cfg.min_lifetime)
		return a->cfg.min_lifetime;
	if (want > a->cfg.max_lifetime)
		return a->cfg.max_lifetime;
	return want;
}

static void refuse(struct alloc_decision *d, enum alloc_result res, uint32_t lifetime,
		   const char *why)
{
	d->result = res;
	d->action = ALLOC_NONE;
	d->lifetime = lifetime;
	d->why = why;
}

/* PCPS-13: an error for someone else's mapping carries that mapping's
 * remaining life, so the client knows when asking again can succeed. A
 * grant past its expiry but not yet taken out by alloc_expire_next()
 * answers 1 s rather than 0, which clients treat as "retry at once" (pcp.md
 * §3). */
static void not_authorized(struct alloc_decision *d, const struct alloc_rec *r, uint64_t now)
{
	uint64_t left = r->g.expires_at > now ? r->g.expires_at - now : 1;

	refuse(d, ALLOC_NOT_AUTHORIZED, left > UINT32_MAX ? UINT32_MAX : (uint32_t)left,
	       "the mapping exists with another nonce");
}

static void remember(struct alloc_decision *d, struct alloc_rec *r, bool fresh)
{
	d->undo.rec = r;
	d->undo.fresh = fresh;
	if (!fresh) {
		d->undo.prev = r->g;
		d->undo.prev_deadline = r->deadline;
		d->undo.prev_held = r->held;
	}
}

static void succeed(struct alloc *a, struct alloc_decision *d, enum alloc_action action,
		    uint32_t lifetime, const struct alloc_rec *r, const char *why)
{
	a->generation++;
	d->result = ALLOC_SUCCESS;
	d->action = action;
	d->lifetime = lifetime;
	d->grant = r->g;
	d->why = why;
	d->undo.generation = a->generation;
}

static void set_identity(struct alloc_rec *r, const struct alloc_request *q, uint32_t lifetime)
{
	r->g.b4 = q->b4;
	r->g.br = q->br;
	r->g.internal_port = q->internal_port;
	memcpy(r->g.nonce, q->nonce, ALLOC_NONCE_LEN);
	r->g.expires_at = q->now + lifetime;
	r->deadline = r->g.expires_at;
}

static int decide_delete(struct alloc *a, struct alloc_rec *live, const struct alloc_request *q,
			 struct alloc_decision *d)
{
	/* RFC 6887 §15: deleting a mapping that does not exist succeeds with
	 * lifetime 0 (and so does a retransmitted delete). */
	if (!live) {
		refuse(d, ALLOC_SUCCESS, 0, "no such mapping");
		return 0;
	}
	if (memcmp(live->g.nonce, q->nonce, ALLOC_NONCE_LEN) != 0) {
		not_authorized(d, live, q->now);
		return 0;
	}
	/* RFC 7753 §4.4: lifetime 0 with PORT_SET deletes the whole set. */
	remember(d, live, false);
	alloc_rec_hold(a, live, q->now);
	succeed(a, d, ALLOC_DELETED, 0, live, "deleted");
	return 0;
}

static void renew(struct alloc *a, struct alloc_rec *live, const struct alloc_request *q,
		  struct alloc_decision *d)
{
	uint32_t lt = clamp_lifetime(a, q->lifetime);

	remember(d, live, false);
	/* The same block for the same client; a renewal may arrive through
	 * another BR address of this lwAFTR, and the binding must follow it. */
	live->g.br = q->br;
	live->g.expires_at = q->now + lt;
	live->deadline = live->g.expires_at;
	alloc_heap_update(a, live);
	succeed(a, d, ALLOC_RENEWED, lt, live, "renewed");
}

/* Addresses of partial[k] looked through for a free block inside a narrow
 * window before an empty address is started: a bound on the work one
 * request can cause. */
#define ALLOC_WINDOW_SCAN 64

/* RFC 7753 §4.2: the server MUST NOT map internal ports outside [Internal
 * Port, Internal Port + Port Set Size). A grant maps its block onto itself
 * (First Internal Port = Assigned External Port, PCPS-8), so the block must
 * lie in that range: the psids lo..hi of psid-len k whose blocks do, above
 * the reserved ports (PSID-5). Port 0 is no transport port, so a range from
 * port 1 holds the whole address: the lwB4's request (PCPC-5, 65535 ports
 * from 1) may get any block. false when no k-block lies in the range. */
struct psid_window {
	uint32_t lo, hi;
	bool whole; /* every grantable psid: no search needed */
};

static bool window_of(const struct alloc_request *q, uint8_t k, struct psid_window *w)
{
	uint32_t m = 16u - k, first = q->internal_port == 1 ? 0 : q->internal_port;
	uint32_t end = (uint32_t)q->internal_port + q->port_set_size; /* exclusive */
	uint32_t min = alloc_first_grantable_psid(k), above;

	if (end > 65536)
		end = 65536;
	w->lo = (first + (1u << m) - 1) >> m;
	if (w->lo < min)
		w->lo = min;
	above = end >> m; /* blocks that end by `end` */
	if (above == 0 || w->lo > above - 1)
		return false;
	w->hi = above - 1;
	w->whole = w->lo == min && w->hi == (1u << k) - 1;
	return true;
}

static bool in_window(const struct psid_window *w, uint32_t psid)
{
	return psid >= w->lo && psid <= w->hi;
}

/* Whether a k-block of the window is free on ad. */
static bool has_room(const struct alloc_addr *ad, uint8_t k, const struct psid_window *w)
{
	if (!alloc_addr_fits(ad, k))
		return false;
	return ad->n_blocks == 0 || w->whole || alloc_addr_first_free_in(ad, w->lo, w->hi) >= 0;
}

/* Largest block the request and the policy allow (PCPS-7: never more than
 * asked). 65535 means "as many as you will give" (RFC 7753 §4.1), which is
 * the operator's default block size; RFC 7753 §6.1 recommends granting the
 * configured maximum in one response, and that maximum is this default.
 * An explicit size gets the largest power of two <= size, capped at
 * max_block_size: a power of two so the grant is one aligned (psid-offset
 * 0, psid-len k, psid) block, rounded down so it never exceeds the ask. */
static uint32_t size_bound(const struct alloc *a, uint16_t asked)
{
	uint32_t p;

	if (asked == 0xffff)
		return a->cfg.default_block_size;
	p = 1u << (31 - __builtin_clz(asked));
	return p < a->cfg.max_block_size ? p : a->cfg.max_block_size;
}

/* RFC 6887 §15: a freed block is not reused at once, except by the same
 * client. First the exact client (same B4, Internal Port and nonce: a
 * mapping that expired or was deleted a moment ago comes back unchanged),
 * then any held block of the same subscriber of exactly the size it would
 * get now. The second rule is ours: stale traffic to that block reaches the
 * same subscriber, and it stops a subscriber from parking block after block
 * in the hold by deleting and re-creating under fresh nonces. */
static struct alloc_rec *held_for(const struct alloc_sub *s, const struct alloc_request *q,
				  uint32_t bound)
{
	struct alloc_rec *r, *same_size = NULL;
	struct psid_window w;

	if (!s)
		return NULL;
	for (r = s->recs; r; r = r->sub_next) {
		if (!r->held || alloc_grant_size(&r->g) > bound ||
		    !window_of(q, r->g.psid_len, &w) || !in_window(&w, r->g.psid))
			continue;
		if (r->g.internal_port == q->internal_port &&
		    memcmp(&r->g.b4, &q->b4, sizeof(q->b4)) == 0 &&
		    memcmp(r->g.nonce, q->nonce, ALLOC_NONCE_LEN) == 0)
			return r;
		if (!same_size && alloc_grant_size(&r->g) == bound)
			same_size = r;
	}
	return same_size;
}

static long pick_psid(struct alloc_addr *ad, uint8_t k, const struct psid_window *w, bool use_port,
		      uint16_t port)
{
	if (use_port) {
		uint32_t psid = k == 0 ? 0 : (uint32_t)port >> (16 - k);

		if (in_window(w, psid) && alloc_addr_psid_free(ad, k, psid))
			return (long)psid;
	}
	if (ad->n_blocks == 0)
		return (long)w->lo;
	if (w->whole)
		return alloc_addr_first_free(ad);
	return alloc_addr_first_free_in(ad, w->lo, w->hi);
}

/* The address being filled with k-blocks that has one in the window. */
static long partial_with_room(const struct alloc *a, uint8_t k, const struct psid_window *w)
{
	int32_t i = a->partial[k].head;

	for (unsigned n = 0; i != ALLOC_NIL && n < ALLOC_WINDOW_SCAN; n++, i = a->addrs[i].next)
		if (w->whole || has_room(&a->addrs[i], k, w))
			return i;
	return -1;
}

/* Where a new k-block goes:
 *  1. the suggested address (RFC 6887 §11.3: honour the suggestion when
 *     possible; after a lwAFTR state loss the lwB4 suggests its old block and
 *     gets it back, PCPS-8/9), with the suggested port's block if free;
 *  2. the address of the subscriber's other grant (RFC 7753 §6.1: several
 *     sets of one subscriber SHOULD share the external address);
 *  3. packing: the head of partial[k] — the address being filled — before
 *     an empty address. Packing rather than spreading, because one psid-len
 *     per address (PSID-4) makes every started address unusable for other
 *     sizes: filling few addresses keeps the rest empty for any size,
 *     including whole-address grants, and empties addresses sooner.
 * Each with a free block in the window w only. */
static bool pick_block(struct alloc *a, uint8_t k, const struct psid_window *w,
		       const struct alloc_request *q, long own_idx, uint32_t *idx, uint32_t *psid)
{
	bool use_port = q->suggested_port != 0;
	long i = -1, p;

	if (q->suggested_ipv4 != 0) {
		long s = alloc_addr_index(a, ntohl(q->suggested_ipv4));

		if (s >= 0 && has_room(&a->addrs[s], k, w))
			i = s;
		else
			use_port = false; /* the port belongs to the address */
	}
	if (i < 0 && own_idx >= 0 && has_room(&a->addrs[own_idx], k, w)) {
		i = own_idx;
		use_port = false;
	}
	if (i < 0)
		i = partial_with_room(a, k, w);
	if (i < 0 && a->empty.head != ALLOC_NIL)
		i = a->empty.head;
	if (i < 0)
		return false;
	p = pick_psid(&a->addrs[i], k, w, use_port, q->suggested_port);
	if (p < 0)
		return false;
	*idx = (uint32_t)i;
	*psid = (uint32_t)p;
	return true;
}

/* Address index of one of the subscriber's live grants, or -1. */
static long own_address(const struct alloc_sub *s)
{
	const struct alloc_rec *r;

	for (r = s ? s->recs : NULL; r; r = r->sub_next)
		if (!r->held)
			return (long)r->addr_idx;
	return -1;
}

static int create(struct alloc *a, struct alloc_sub *s, const struct in6_addr *key,
		  const struct alloc_request *q, uint32_t bound, struct alloc_decision *d,
		  char *err, size_t errlen)
{
	uint32_t size, idx = 0, psid = 0, lt = clamp_lifetime(a, q->lifetime);
	struct alloc_sub *new_sub = NULL;
	struct psid_window w;
	struct alloc_rec *r;
	uint64_t *words;
	long own_idx = own_address(s);
	bool found = false, any_window = false;
	uint8_t k = 0;

	/* RFC 7753 §4.2: if the request cannot be met in full, map as many as
	 * possible: each smaller size down to the policy minimum. */
	for (size = bound; size >= a->cfg.min_block_size && !found; size >>= 1) {
		k = alloc_block_psid_len(size);
		if (!window_of(q, k, &w))
			continue;
		any_window = true;
		found = pick_block(a, k, &w, q, own_idx, &idx, &psid);
	}
	if (!found) {
		refuse(d, ALLOC_NO_RESOURCES, a->cfg.short_error_lifetime,
		       any_window
			       ? "no free block"
			       : "no block of an allowed size lies in the internal ports asked for");
		return 0;
	}
	/* Everything that can fail comes before the first change. */
	r = calloc(1, sizeof(*r));
	if (!s)
		new_sub = s = calloc(1, sizeof(*s));
	if (!r || !s || alloc_heap_reserve(a, a->n_heap + 1) ||
	    alloc_addr_prepare(&a->addrs[idx], k, &words)) {
		free(r);
		free(new_sub);
		return lw_errf_code(-ENOMEM, err, errlen, "out of memory for a new grant");
	}
	if (new_sub) {
		s->key = *key;
		alloc_subs_insert(a, s);
	}
	alloc_addr_take(a, idx, k, psid, words);
	r->g.ipv4 = htonl(a->addrs[idx].ipv4);
	r->g.psid_len = k;
	r->g.psid = (uint16_t)psid;
	r->addr_idx = idx;
	set_identity(r, q, lt);
	alloc_sub_link(s, r);
	s->n_live++;
	a->n_live++;
	alloc_heap_push(a, r);
	remember(d, r, true);
	succeed(a, d, ALLOC_CREATED, lt, r, "granted");
	return 0;
}

static void revive(struct alloc *a, struct alloc_rec *r, const struct alloc_request *q,
		   struct alloc_decision *d)
{
	uint32_t lt = clamp_lifetime(a, q->lifetime);

	remember(d, r, false);
	r->held = false;
	r->sub->n_live++;
	a->n_live++;
	a->n_held--;
	set_identity(r, q, lt);
	alloc_heap_update(a, r);
	succeed(a, d, ALLOC_CREATED, lt, r, "granted the subscriber's held block");
}

int alloc_request(struct alloc *a, const struct alloc_request *q, struct alloc_decision *d,
		  char *err, size_t errlen)
{
	struct alloc_rec *live = NULL, *held;
	struct alloc_sub *s;
	struct in6_addr key;
	uint32_t bound;

	memset(d, 0, sizeof(*d));
	/* RFC 7753 §4: Port Set Size MUST NOT be 0; the codec answers
	 * MALFORMED_OPTION before it gets here. */
	if (q->port_set_size == 0)
		return lw_errf(err, errlen, "port set size 0");
	alloc_subs_key(a, &q->b4, &key);
	s = alloc_subs_find(a, &key);
	if (s)
		live = alloc_sub_find_live(s, &q->b4, q->internal_port);
	if (q->lifetime == 0)
		return decide_delete(a, live, q, d);
	if (live) {
		if (memcmp(live->g.nonce, q->nonce, ALLOC_NONCE_LEN) != 0)
			not_authorized(d, live, q->now);
		else
			renew(a, live, q, d);
		return 0;
	}
	if (s && s->n_live >= a->cfg.max_grants_per_subscriber) {
		refuse(d, ALLOC_USER_EX_QUOTA, a->cfg.short_error_lifetime,
		       "subscriber quota reached");
		return 0;
	}
	bound = size_bound(a, q->port_set_size);
	if (bound < a->cfg.min_block_size) {
		/* Nothing this small is handed out, and granting more than asked
		 * is forbidden (RFC 7753 §4.2). NO_RESOURCES is a short-lifetime
		 * error whatever its cause (RFC 6887 §7.4, PCPS-15). */
		refuse(d, ALLOC_NO_RESOURCES, a->cfg.short_error_lifetime,
		       "requested port set smaller than the minimum block");
		return 0;
	}
	held = held_for(s, q, bound);
	if (held) {
		revive(a, held, q, d);
		return 0;
	}
	return create(a, s, &key, q, bound, d, err, errlen);
}
