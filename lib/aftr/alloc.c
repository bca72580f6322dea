/* SPDX-License-Identifier: GPL-2.0 */
/* Allocator life cycle and the grant-record operations shared by requests,
 * expiry, restore and undo. The request decision itself is in
 * alloc_request.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "alloc_pool.h"
#include "alloc_priv.h"
#include "errmsg.h"

struct alloc *alloc_new(const struct alloc_config *c, char *err, size_t errlen)
{
	struct alloc *a;

	if (alloc_config_validate(c, err, errlen))
		return NULL;
	a = calloc(1, sizeof(*a));
	if (!a)
		goto nomem;
	a->cfg = *c;
	a->pools = malloc(c->n_pools * sizeof(*a->pools));
	if (!a->pools)
		goto nomem;
	memcpy(a->pools, c->pools, c->n_pools * sizeof(*a->pools));
	a->cfg.pools = a->pools;
	if (alloc_ranges_build(a->pools, c->n_pools, &a->ranges, &a->n_ranges, err, errlen) ||
	    alloc_addrs_init(a, err, errlen))
		goto fail;
	if (alloc_subs_init(a) || alloc_heap_reserve(a, ALLOC_HEAP_FIRST_CAP))
		goto nomem;
	return a;
nomem:
	lw_errf_code(-ENOMEM, err, errlen, "out of memory creating the allocator");
fail:
	alloc_free(a);
	return NULL;
}

void alloc_free(struct alloc *a)
{
	if (!a)
		return;
	alloc_subs_free(a); /* frees every record too */
	alloc_addrs_free(a);
	free(a->heap);
	free(a->ranges);
	free(a->pools);
	free(a);
}

/* Frees a record and its block for good. */
void alloc_rec_destroy(struct alloc *a, struct alloc_rec *r, bool front)
{
	struct alloc_sub *s = r->sub;

	alloc_addr_release(a, r->addr_idx, r->g.psid, front);
	alloc_heap_remove(a, r);
	alloc_sub_unlink(s, r);
	if (r->held) {
		a->n_held--;
	} else {
		a->n_live--;
		s->n_live--;
	}
	if (!s->recs) {
		alloc_subs_remove(a, s);
		free(s);
	}
	free(r);
}

/* Live -> held: the binding is gone, the block waits out the reuse time
 * (RFC 6887 §15) counted from `from` (the delete, or the expiry). */
void alloc_rec_hold(struct alloc *a, struct alloc_rec *r, uint64_t from)
{
	r->held = true;
	r->deadline = from + a->cfg.reuse_hold_seconds;
	r->sub->n_live--;
	a->n_live--;
	a->n_held++;
	alloc_heap_update(a, r);
}

bool alloc_expire_next(struct alloc *a, uint64_t now, struct alloc_grant *expired)
{
	while (a->n_heap > 0 && a->heap[0]->deadline <= now) {
		struct alloc_rec *r = a->heap[0];

		a->generation++;
		if (r->held) {
			alloc_rec_destroy(a, r, false);
			continue;
		}
		*expired = r->g;
		alloc_rec_hold(a, r, r->g.expires_at);
		return true;
	}
	return false;
}

uint64_t alloc_next_deadline(const struct alloc *a)
{
	return a->n_heap ? a->heap[0]->deadline : UINT64_MAX;
}

int alloc_undo(struct alloc *a, const struct alloc_decision *d)
{
	const struct alloc_undo_info *u = &d->undo;
	struct alloc_rec *r = u->rec;

	if (d->action == ALLOC_NONE)
		return 0;
	if (!r || u->generation != a->generation)
		return -ESTALE;
	if (u->fresh) {
		/* Back to the head of its list, as the address was before. */
		alloc_rec_destroy(a, r, true);
	} else {
		if (u->prev_held && !r->held) {
			r->held = true;
			r->sub->n_live--;
			a->n_live--;
			a->n_held++;
		} else if (!u->prev_held && r->held) {
			r->held = false;
			r->sub->n_live++;
			a->n_live++;
			a->n_held--;
		}
		r->g = u->prev;
		r->deadline = u->prev_deadline;
		alloc_heap_update(a, r);
	}
	a->generation++;
	return 0;
}

static const char *fmt_grant(const struct alloc_grant *g, char *buf, size_t len)
{
	char v4[INET_ADDRSTRLEN], v6[INET6_ADDRSTRLEN];

	if (!g)
		return "?";
	inet_ntop(AF_INET, &g->ipv4, v4, sizeof(v4));
	inet_ntop(AF_INET6, &g->b4, v6, sizeof(v6));
	snprintf(buf, len, "%s psid-len %u psid %u (B4 %s port %u)", v4, g->psid_len, g->psid, v6,
		 g->internal_port);
	return buf;
}

/* A grant on address idx (with that psid unless psid < 0), for the message
 * of a refused restore; scanning is fine on that rare path. */
static const struct alloc_grant *owner_of(const struct alloc *a, uint32_t idx, long psid)
{
	size_t i;

	for (i = 0; i < a->n_heap; i++)
		if (a->heap[i]->addr_idx == idx && (psid < 0 || a->heap[i]->g.psid == psid))
			return &a->heap[i]->g;
	return NULL;
}

int alloc_restore(struct alloc *a, const struct alloc_grant *g, char *err, size_t errlen)
{
	char buf[160], other[160];
	struct alloc_sub *s, *new_sub = NULL;
	struct alloc_rec *r;
	struct in6_addr key;
	struct alloc_addr *ad;
	uint64_t *words = NULL;
	long idx;

	fmt_grant(g, buf, sizeof(buf));
	if (g->psid_len > 16 || g->psid >= (1u << g->psid_len))
		return lw_errf(err, errlen, "restore %s: psid out of range", buf);
	if (g->psid < alloc_first_grantable_psid(g->psid_len))
		return lw_errf(err, errlen, "restore %s: block holds ports 0-1023 (PSID-5)", buf);
	idx = alloc_addr_index(a, ntohl(g->ipv4));
	if (idx < 0)
		return lw_errf_code(-EADDRNOTAVAIL, err, errlen, "restore %s: address in no pool",
				    buf);
	ad = &a->addrs[idx];
	if (ad->n_blocks > 0 && ad->psid_len != g->psid_len)
		return lw_errf_code(
			-EEXIST, err, errlen,
			"restore %s: the address already has psid-len %u blocks (PSID-4), e.g. %s",
			buf, ad->psid_len,
			fmt_grant(owner_of(a, (uint32_t)idx, -1), other, sizeof(other)));
	if (!alloc_addr_psid_free(ad, g->psid_len, g->psid))
		return lw_errf_code(
			-EEXIST, err, errlen, "restore %s: block already granted to %s", buf,
			fmt_grant(owner_of(a, (uint32_t)idx, g->psid), other, sizeof(other)));
	alloc_subs_key(a, &g->b4, &key);
	s = alloc_subs_find(a, &key);
	if (s && alloc_sub_find_live(s, &g->b4, g->internal_port))
		return lw_errf_code(-EEXIST, err, errlen,
				    "restore %s: this B4 and internal port already have a grant",
				    buf);

	r = calloc(1, sizeof(*r));
	if (!s)
		new_sub = s = calloc(1, sizeof(*s));
	if (!r || !s || alloc_heap_reserve(a, a->n_heap + 1) ||
	    alloc_addr_prepare(ad, g->psid_len, &words)) {
		free(r);
		free(new_sub);
		return lw_errf_code(-ENOMEM, err, errlen, "restore %s: out of memory", buf);
	}
	if (new_sub) {
		s->key = key;
		alloc_subs_insert(a, s);
	}
	alloc_addr_take(a, (uint32_t)idx, g->psid_len, g->psid, words);
	r->g = *g;
	memset(r->g.reserved, 0, sizeof(r->g.reserved));
	r->addr_idx = (uint32_t)idx;
	r->deadline = g->expires_at;
	alloc_sub_link(s, r);
	s->n_live++;
	a->n_live++;
	alloc_heap_push(a, r);
	a->generation++;
	return 0;
}

int alloc_foreach(const struct alloc *a, alloc_grant_fn fn, void *ctx)
{
	size_t i;

	for (i = 0; i < a->n_heap; i++) {
		int rc;

		if (a->heap[i]->held)
			continue;
		rc = fn(&a->heap[i]->g, ctx);
		if (rc)
			return rc;
	}
	return 0;
}

const struct alloc_grant *alloc_find(const struct alloc *a, const struct in6_addr *b4,
				     uint16_t internal_port)
{
	struct in6_addr key;
	struct alloc_sub *s;
	struct alloc_rec *r;

	alloc_subs_key(a, b4, &key);
	s = alloc_subs_find(a, &key);
	r = s ? alloc_sub_find_live(s, b4, internal_port) : NULL;
	return r ? &r->g : NULL;
}

void alloc_get_stats(const struct alloc *a, struct alloc_stats *st)
{
	size_t i;

	memset(st, 0, sizeof(*st));
	st->grants = a->n_live;
	st->held = a->n_held;
	st->subscribers = a->n_subs;
	st->addresses = a->n_addrs;
	st->addresses_empty = a->n_empty;
	for (i = 0; i < a->n_addrs; i++)
		st->free_blocks += a->addrs[i].n_blocks ? a->addrs[i].n_free : 0;
}
