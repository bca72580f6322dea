// SPDX-License-Identifier: GPL-2.0
/* The lwAFTR's PCP server: every MAP + PORT_SET request becomes an allocator
 * decision, committed to the store (durable before SUCCESS is sent, PCPS-11)
 * and installed in the pinned binding table, in that order. Restarts
 * reconcile the store with the maps; a lost store restarts the epoch and
 * sends ANNOUNCE (PCPS-16, PCPS-17). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <arpa/inet.h>
#include <bpf/libbpf.h>

#include "lw4o6/pcp.h"
#include "pcpd_aftr.h"
#include "pcp_msg.h"
#include "slowpath_maps.h"
#include "addr.h"

uint32_t pcpd_epoch(const struct pcpd *d)
{
	int64_t e = (int64_t)pcpd_now() - d->epoch_base;

	return e < 0 ? 0 : (uint32_t)e;
}

/* How often reassembly times out and the data plane's settings are read
 * again, and how often the data plane is checked for a reload. */
#define FRAG_TICK_MS       1000
#define DATAPLANE_CHECK_MS 500 /* a few lookups: within 1 s of a load (issue 12) */

/* ---- bindings ------------------------------------------------------------------ */

struct orphan {
	__be32 ipv4;
	uint16_t psid;
	bool claimed;
	struct in6_addr b4;
};

struct orphan_set {
	struct orphan *v;
	size_t n;
};

static int orphan_cmp(const void *a, const void *b)
{
	const struct orphan *x = a, *y = b;
	uint32_t xa = ntohl(x->ipv4), ya = ntohl(y->ipv4);

	if (xa != ya)
		return xa < ya ? -1 : 1;
	return (int)x->psid - (int)y->psid;
}

static void orphan_claim(struct pcpd *d, __be32 ipv4, uint16_t psid)
{
	struct orphan key = { .ipv4 = ipv4, .psid = psid }, *o;

	if (!d->orphans || !d->orphans->n)
		return;
	o = bsearch(&key, d->orphans->v, d->orphans->n, sizeof(key), orphan_cmp);
	if (o)
		o->claimed = true;
}

/* Bindings of another psid-len are collected this many at a time. */
#define EVICT_BATCH 256

struct evict_ctx {
	__be32 ipv4;
	uint8_t keep_psid_len;
	struct lw_softwire_key dead[EVICT_BATCH];
	size_t n;
};

static int collect_other_len(const struct lw_softwire_row *r, void *arg)
{
	struct evict_ctx *c = arg;

	if (r->entry.ipv4 == c->ipv4 && r->entry.ps.psid_len != c->keep_psid_len &&
	    r->counters.origin == LW_SW_ORIGIN_PCP && c->n < EVICT_BATCH) {
		c->dead[c->n].ipv4 = r->entry.ipv4;
		c->dead[c->n].psid = r->entry.psid;
		c->n++;
	}
	return 0;
}

/* Installs g in the binding table (issue 12): a renewal or a re-grant
 * rewrites pcpd's own binding in place (nothing written when nothing
 * changed, counters kept, never a moment without it), so that no packet
 * of the B4 meets a missing binding and draws ICMPv6 1/5. PCP bindings of
 * another psid-len on the address can only be orphans of a lost state:
 * the allocator is the authority over its grants. A configuration binding
 * is never overwritten: the grant is refused. */
static int install_binding(struct pcpd *d, const struct alloc_grant *g)
{
	struct lw_softwire_entry e;
	char err[256];
	int r;

	alloc_grant_to_softwire(g, &e);
	r = lw_aftr_softwire_set(&d->maps, &e, LW_SW_ORIGIN_PCP, err, sizeof(err));
	if (r == -EINVAL) {
		struct evict_ctx c = { .ipv4 = e.ipv4, .keep_psid_len = e.ps.psid_len };

		do {
			c.n = 0;
			lw_aftr_softwire_foreach(&d->maps, collect_other_len, &c);
			for (size_t i = 0; i < c.n; i++)
				lw_aftr_softwire_del_own(&d->maps, c.dead[i].ipv4, c.dead[i].psid,
							 LW_SW_ORIGIN_PCP, NULL, NULL, 0);
		} while (c.n == EVICT_BATCH);
		r = lw_aftr_softwire_set(&d->maps, &e, LW_SW_ORIGIN_PCP, err, sizeof(err));
	}
	if (r < 0) {
		if (r == -EPERM)
			d->ctr.refused_config++;
		pcpd_log(LOG_ERR_, "cannot install binding: %s", err);
		return r;
	}
	orphan_claim(d, e.ipv4, e.psid);
	return 0;
}

/* Whether the binding table gives (ipv4, psid) to b4 (and through br, unless
 * br is NULL). */
static bool binding_is(const struct pcpd *d, __be32 ipv4, uint16_t psid, const struct in6_addr *b4,
		       const struct in6_addr *br)
{
	struct in6_addr have_b4, have_br;

	if (lw_aftr_softwire_get(&d->maps, ipv4, psid, &have_b4, br ? &have_br : NULL))
		return false;
	return !memcmp(&have_b4, b4, sizeof(have_b4)) &&
	       (!br || !memcmp(&have_br, br, sizeof(have_br)));
}

/* Only pcpd's binding of this grant -- (ipv4, psid, b4) names it -- and
 * only while the table still holds it (checked under the writers' lock). */
static void remove_binding(struct pcpd *d, const struct alloc_grant *g)
{
	lw_aftr_softwire_del_own(&d->maps, g->ipv4, g->psid, LW_SW_ORIGIN_PCP, &g->b4, NULL, 0);
}

/* ---- start-up ------------------------------------------------------------------- */

static int restore_one(const struct alloc_grant *g, void *ctx)
{
	struct pcpd *d = ctx;
	char err[256];

	if (alloc_restore(d->alloc, g, err, sizeof(err)))
		pcpd_log(LOG_WARN_, "stored grant not restored: %s", err);
	return 0;
}

struct scan_ctx {
	struct pcpd *d;
	struct orphan *v;
	size_t n, cap;
	int fail;
};

/* Every PCP binding; those a restored grant accounts for are claimed by
 * reinstall_grant(), the rest are stale or orphaned. */
static int scan_binding(const struct lw_softwire_row *r, void *arg)
{
	struct scan_ctx *c = arg;

	if (r->counters.origin != LW_SW_ORIGIN_PCP)
		return 0; /* the configuration's: the operator's */
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		void *v = realloc(c->v, cap * sizeof(*c->v));

		if (!v) {
			c->fail = 1;
			return -ENOMEM;
		}
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n].ipv4 = r->entry.ipv4;
	c->v[c->n].psid = r->entry.psid;
	c->v[c->n].b4 = r->entry.b4_ipv6;
	c->v[c->n].claimed = false;
	c->n++;
	return 0;
}

static int count_grant(const struct alloc_grant *g, void *ctx)
{
	(void)g;
	(*(size_t *)ctx)++;
	return 0;
}

static int reinstall_grant(const struct alloc_grant *g, void *ctx)
{
	struct pcpd *d = ctx;

	/* already right: nothing to touch, no packet lost */
	if (binding_is(d, g->ipv4, g->psid, &g->b4, &g->br))
		orphan_claim(d, g->ipv4, g->psid);
	else
		install_binding(d, g);
	return 0;
}

/* The data plane's settings the slow path follows (its ICMP policy, and
 * for fragments the flags, echo policy, MTUs, hop limit) and the access
 * side PCP must come in on: read at start and
 * on every fragment tick, since `lw4o6 load` and `lw4o6 set` may change
 * them under a running pcpd. generate-icmpv4-errors and
 * generate-icmpv6-errors are the data plane's (RFC 8676, AFTR-ICMP-8): an
 * event it raised for another reason, an ICMPv6 error to relay, must not
 * make pcpd send what they turn off. */
static void dataplane_cfg_refresh(struct pcpd *d)
{
	struct lw_aftr_config c;

	if (lw_aftr_config_read(&d->maps, &c))
		return;
	d->sp.icmpv4_errors = (c.flags & LW_CFG_ICMPV4_ERRORS) != 0;
	d->sp.icmpv6_errors = (c.flags & LW_CFG_ICMPV6_ERRORS) != 0;
	d->access_ifindex = pcpd_access_ifindex(c.ipv6_ifindex, c.ipv6_vlan);
	d->fc.flags = c.flags;
	d->fc.echo_policy = c.echo_policy;
	d->fc.hop_limit = c.hop_limit;
	d->fc.ipv4_mtu = c.ipv4_mtu;
	d->fc.ipv6_mtu = c.ipv6_mtu;
}

/* Once a second: packets whose fragments did not all come in time go. */
void pcpd_frag_tick(struct pcpd *d)
{
	uint64_t now = pcpd_now_ms();

	if (!d->reasm || now < d->next_frag_tick_ms)
		return;
	d->next_frag_tick_ms = now + FRAG_TICK_MS;
	d->ctr.reasm_expired += lw_reasm_expire(d->reasm, now);
	dataplane_cfg_refresh(d);
}

/* Whether the data plane knows every BR address of pcpd's: a load or an
 * import --replace removes those no binding uses. */
static bool brs_present(const struct pcpd *d)
{
	for (size_t i = 0; i < d->cfg.n_brs; i++)
		if (!lw_aftr_is_br(&d->maps, &d->cfg.brs[i]))
			return false;
	return true;
}

/* What pcpd installs can go without pcpd: `lw4o6 load aftr` keeps its pools
 * and bindings but removes BR addresses no binding uses (a pcpd BR with no
 * grant yet), and `lw4o6 pool del` or `softwire del` are the operator's.
 * Checked every DATAPLANE_CHECK_MS on the first pool and the BR addresses
 * (a few lookups): when one is missing, everything pcpd holds is put back,
 * no PCP exchange needed, bindings still there untouched. A load after an
 * unload (new maps) is dp_watch.c's. */
void pcpd_dataplane_tick(struct pcpd *d)
{
	size_t n;
	uint64_t now = pcpd_now_ms();

	if (!d->cfg.n_pools || now < d->next_dataplane_check_ms)
		return;
	d->next_dataplane_check_ms = now + DATAPLANE_CHECK_MS;
	if (lw_aftr_pool_covers(&d->maps, d->cfg.pools[0].prefix, d->cfg.pools[0].prefix_len) !=
		    -ENOENT &&
	    brs_present(d))
		return;
	n = pcpd_server_put_back(d);
	pcpd_log(LOG_WARN_,
		 "the lwAFTR's maps lost pcpd's pools or BR addresses (the lwAFTR loaded "
		 "again?): pools, BR addresses and %zu bindings put back (those still there "
		 "untouched)",
		 n);
}

size_t pcpd_server_put_back(struct pcpd *d)
{
	char err[256];
	size_t n = 0;

	for (size_t i = 0; i < d->cfg.n_pools; i++)
		lw_aftr_pool_add(&d->maps, d->cfg.pools[i].prefix, d->cfg.pools[i].prefix_len);
	for (size_t i = 0; i < d->cfg.n_brs; i++)
		if (lw_aftr_br_add(&d->maps, &d->cfg.brs[i], err, sizeof(err)))
			pcpd_log(LOG_ERR_, "BR address: %s", err);
	alloc_foreach(d->alloc, count_grant, &n);
	alloc_foreach(d->alloc, reinstall_grant, d);
	return n;
}

/* Unicast ANNOUNCE to every B4 the table still names, multicast on the access
 * side; repeated (RFC 6887 §14.1.3) from the event loop. */
void pcpd_announce_tick(struct pcpd *d)
{
	uint8_t msg[PCP_HEADER_LEN];
	int len;

	if (!d->state_lost || d->announce_round >= PCPD_ANNOUNCE_ROUNDS ||
	    pcpd_now_ms() < d->next_announce_ms)
		return;
	len = pcp_encode_announce(pcpd_epoch(d), msg, sizeof(msg));
	if (len < 0)
		return;
	if (d->orphans) {
		for (size_t i = 0; i < d->orphans->n; i++) {
			struct in6_addr b4, br;

			/* one per B4 is enough: skip repeats of the previous B4 */
			if (i && !memcmp(&d->orphans->v[i].b4, &d->orphans->v[i - 1].b4,
					 sizeof(struct in6_addr)))
				continue;
			if (lw_aftr_softwire_get(&d->maps, d->orphans->v[i].ipv4,
						 d->orphans->v[i].psid, &b4, &br))
				continue;
			if (pcpd_send_in_tunnel(d, &d->orphans->v[i].b4, &br, 0, htonl(0xc0000002u),
						LW_PCP_CLIENT_PORT, msg, (size_t)len) == 0)
				d->ctr.announces++;
		}
	}
	if (d->announce_ifindex && d->cfg.has_br &&
	    pcpd_send_in_tunnel(d, &d->cfg.announce_group, &d->cfg.br, d->announce_ifindex,
				htonl(LW_PCP_ALL_HOSTS), LW_PCP_CLIENT_PORT, msg, (size_t)len) == 0)
		d->ctr.announces++;
	pcpd_log(LOG_INFO_, "ANNOUNCE round %u sent (epoch %u)", d->announce_round + 1,
		 pcpd_epoch(d));
	d->announce_round++;
	if (d->announce_round < PCPD_ANNOUNCE_ROUNDS)
		d->next_announce_ms = pcpd_now_ms() + pcpd_announce_delay_ms(d->announce_round);
}

/* Orphans nobody re-requested within the grace period are removed. */
void pcpd_orphans_tick(struct pcpd *d)
{
	size_t removed = 0;

	if (!d->orphan_deadline || pcpd_now() < d->orphan_deadline || !d->orphans)
		return;
	for (size_t i = 0; i < d->orphans->n; i++) {
		struct orphan *o = &d->orphans->v[i];

		if (o->claimed)
			continue;
		if (lw_aftr_softwire_del_own(&d->maps, o->ipv4, o->psid, LW_SW_ORIGIN_PCP, &o->b4,
					     NULL, 0) == 0)
			removed++;
	}
	if (removed)
		pcpd_log(LOG_INFO_, "removed %zu bindings nobody re-requested after the state loss",
			 removed);
	d->orphan_deadline = 0;
}

/* The grant store; a corrupt one is moved aside and an empty one takes its
 * place: the state is lost, and the epoch restarts (store.h). */
static int open_store(struct pcpd *d, char *err, size_t errlen)
{
	int r = store_open(d->cfg.database, &d->store, err, errlen);

	if (r == -EUCLEAN) {
		char aside[300];

		snprintf(aside, sizeof(aside), "%s.corrupt-%llu", d->cfg.database,
			 (unsigned long long)pcpd_now());
		pcpd_log(LOG_ERR_, "%s; moved aside to %s, starting with no state", err, aside);
		if (rename(d->cfg.database, aside))
			return -errno;
		r = store_open(d->cfg.database, &d->store, err, errlen);
	}
	return r;
}

/* The epoch and the grants from the store; a store without an epoch has
 * lost the state: epoch 0 is now, and every B4 must ask again. *clean:
 * whether the last pcpd stopped in order. */
static int restore_state(struct pcpd *d, int64_t *clean, char *err, size_t errlen)
{
	int64_t base = 0;
	int r;

	if (store_get_state(d->store, STORE_STATE_EPOCH_BASE, &base, err, errlen) || base <= 0) {
		d->state_lost = true;
		d->epoch_base = (int64_t)pcpd_now();
		if (store_put_state(d->store, STORE_STATE_EPOCH_BASE, d->epoch_base, err, errlen))
			return -EIO;
	} else {
		d->epoch_base = base;
		if ((r = store_list_grants(d->store, restore_one, d, err, errlen)))
			return r;
	}
	store_get_state(d->store, STORE_STATE_CLEAN, clean, err, errlen);
	store_put_state(d->store, STORE_STATE_CLEAN, 0, err, errlen);
	return 0;
}

/* After a state loss the bindings nobody can account for keep forwarding
 * for the grace period: the B4s re-request at once on ANNOUNCE, suggesting
 * their old sets. */
static void keep_orphans(struct pcpd *d)
{
	d->orphan_deadline = pcpd_now() + d->cfg.orphan_grace;
	d->next_announce_ms = pcpd_now_ms();
	pcpd_log(LOG_WARN_,
		 "no grant state in %s: epoch restarts at 0, %zu bindings kept %u s "
		 "for their B4s to re-request, ANNOUNCE follows",
		 d->cfg.database, d->orphans->n, d->cfg.orphan_grace);
}

/* With the state intact the store is authoritative: a binding without a
 * grant was being removed when pcpd stopped. */
static void remove_stale(struct pcpd *d, int64_t clean)
{
	size_t stale = 0;

	for (size_t i = 0; i < d->orphans->n; i++) {
		if (d->orphans->v[i].claimed)
			continue;
		if (lw_aftr_softwire_del_own(&d->maps, d->orphans->v[i].ipv4, d->orphans->v[i].psid,
					     LW_SW_ORIGIN_PCP, &d->orphans->v[i].b4, NULL, 0) == 0)
			stale++;
	}
	pcpd_log(LOG_INFO_,
		 "state restored from %s (%s shutdown): epoch %u, %zu stale bindings "
		 "removed",
		 d->cfg.database, clean ? "clean" : "unclean", pcpd_epoch(d), stale);
}

/* Every binding on a pool address must be a live grant: the grants are
 * put in, and what is left is stale or orphaned. */
static int reconcile_bindings(struct pcpd *d, int64_t clean)
{
	struct scan_ctx sc = { .d = d };

	lw_aftr_softwire_foreach(&d->maps, scan_binding, &sc);
	if (sc.fail)
		return -ENOMEM;
	d->orphans = calloc(1, sizeof(*d->orphans));
	if (!d->orphans)
		return -ENOMEM;
	d->orphans->v = sc.v;
	d->orphans->n = sc.n;
	qsort(d->orphans->v, d->orphans->n, sizeof(*d->orphans->v), orphan_cmp);
	alloc_foreach(d->alloc, reinstall_grant, d);
	if (d->state_lost)
		keep_orphans(d);
	else
		remove_stale(d, clean);
	return 0;
}

/* ICMP errors, their rate limits, fragments and reassembly, and the ring
 * buffer the data plane reports them through. */
static int start_slow_path(struct pcpd *d, char *err, size_t errlen)
{
	uint32_t id;

	/* no icmpv4-source: no ICMPv4 error at all (sp_icmp4_enabled) */
	d->sp.ipv4_addr = d->cfg.icmpv4_source;
	d->sp.hop_limit = PCPD_HOP_LIMIT;
	d->sp.find_softwire = lw_slowpath_find_softwire_maps;
	d->sp.ctx = &d->maps;
	lw_slowpath_ratelimit_init(&d->rl, d->cfg.icmpv4_rate, d->cfg.icmpv4_rate,
				   d->cfg.icmpv6_rate, d->cfg.icmpv6_rate,
				   pcpd_now_ms() * NSEC_PER_MSEC);
	/* fragments: the data plane's settings, pcpd's reassembly bounds */
	lw_frag_cfg_defaults(&d->fc);
	d->fc.max_frags = d->cfg.max_frags;
	d->fc.max_packets = d->cfg.reasm_max_packets;
	d->fc.timeout_ms = d->cfg.reasm_timeout * 1000u;
	dataplane_cfg_refresh(d);
	d->reasm = lw_reasm_new(&d->fc);
	if (!d->reasm) {
		snprintf(err, errlen, "reassembly state: out of memory");
		return -ENOMEM;
	}
	/* RFC 7739: fragment Identifications not predictable */
	if (getrandom(&id, sizeof(id), 0) == (ssize_t)sizeof(id))
		lw_reasm_seed_id(d->reasm, id);
	d->rb = ring_buffer__new(d->maps.events, pcpd_handle_event, d, NULL);
	if (!d->rb) {
		snprintf(err, errlen, "cannot open the lw_events ring buffer: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

int pcpd_server_start(struct pcpd *d, char *err, size_t errlen)
{
	int64_t clean = 0;
	int r;

	r = lw_aftr_maps_open_pinned(d->cfg.pin_root, &d->maps, err, errlen);
	if (!r)
		r = open_store(d, err, errlen);
	if (r)
		return r;
	d->alloc = alloc_new(&d->cfg.alloc, err, errlen);
	if (!d->alloc)
		return -EINVAL;
	for (size_t i = 0; i < d->cfg.n_pools; i++)
		lw_aftr_pool_add(&d->maps, d->cfg.pools[i].prefix, d->cfg.pools[i].prefix_len);
	/* the data plane must know the BRs before the first grant names one,
	 * or the first MAP is not bootstrap traffic (AFTR-DECAP-8) */
	for (size_t i = 0; i < d->cfg.n_brs; i++)
		if ((r = lw_aftr_br_add(&d->maps, &d->cfg.brs[i], err, errlen)))
			return r;
	if ((r = restore_state(d, &clean, err, errlen)) || (r = reconcile_bindings(d, clean)))
		return r;
	pcpd_expire(d);
	return start_slow_path(d, err, errlen);
}

void pcpd_server_stop(struct pcpd *d)
{
	char err[256];

	if (d->rb)
		ring_buffer__free(d->rb);
	lw_reasm_free(d->reasm);
	d->reasm = NULL;
	if (d->store) {
		store_put_state(d->store, STORE_STATE_CLEAN, 1, err, sizeof(err));
		store_close(d->store);
	}
	alloc_free(d->alloc);
	lw_aftr_maps_close(&d->maps);
	if (d->orphans)
		free(d->orphans->v);
	free(d->orphans);
}

/* ---- expiry --------------------------------------------------------------------- */

/* The allocator let g go: its row and its binding follow. */
static void grant_expired(struct pcpd *d, const struct alloc_grant *g)
{
	char err[256], a[LW_IPV4_STRLEN], b[LW_IPV6_STRLEN];

	if (store_delete_grant(d->store, g, err, sizeof(err)))
		pcpd_log(LOG_ERR_, "expiry: %s", err);
	remove_binding(d, g);
	d->ctr.grants_expired++;
	pcpd_log(LOG_INFO_, "expired: %s ports %u-%u of %s", lw_format_ipv6(&g->b4, b, sizeof(b)),
		 alloc_grant_first_port(g), alloc_grant_first_port(g) + alloc_grant_size(g) - 1,
		 lw_format_ipv4(g->ipv4, a, sizeof(a)));
}

void pcpd_expire(struct pcpd *d)
{
	uint64_t now = pcpd_now();
	struct alloc_grant g;

	while (alloc_expire_next(d->alloc, now, &g))
		grant_expired(d, &g);
}

uint64_t pcpd_next_deadline(const struct pcpd *d)
{
	return alloc_next_deadline(d->alloc);
}

/* ---- requests ------------------------------------------------------------------- */

static int answer(struct pcpd *d, const struct pcp_request *req, uint8_t result, uint32_t lifetime,
		  const struct pcp_map_answer *ans, uint8_t *resp, size_t cap)
{
	int n = pcp_encode_response(req, result, lifetime, pcpd_epoch(d), ans, resp, cap);

	if (result < PCPD_COUNTED_RESULTS)
		d->ctr.errors_by_result[result]++;
	if (n < 0)
		pcpd_log(LOG_ERR_, "cannot encode a %s response: %s", pcp_result_name(result),
			 strerror(-n));
	return n < 0 ? 0 : n;
}

/* An error pcpd decides itself, with its RFC 6887 §7.4 lifetime (PCPS-4). */
static int refuse(struct pcpd *d, const struct pcp_request *req, uint8_t result, uint8_t *resp,
		  size_t cap)
{
	return answer(d, req, result, pcp_error_lifetime(result), NULL, resp, cap);
}

/* The allocator's question for a MAP request from b4 to br. */
static void map_request_of(const struct pcp_request *req, const struct in6_addr *b4,
			   const struct in6_addr *br, struct alloc_request *ar)
{
	memset(ar, 0, sizeof(*ar));
	ar->b4 = *b4;
	ar->br = *br;
	memcpy(ar->nonce, req->body.nonce, sizeof(ar->nonce));
	ar->protocol = req->body.protocol;
	ar->internal_port = req->body.internal_port;
	ar->lifetime = req->lifetime;
	/* without PORT_SET the request is for one port: lw4o6 grants sets only,
	 * and the allocator answers NO_RESOURCES below its smallest block */
	ar->port_set_size = req->opts.has_port_set ? req->opts.port_set.size : 1;
	if (pcp_addr_is_ipv4_mapped(&req->body.external_addr))
		memcpy(&ar->suggested_ipv4, &req->body.external_addr.s6_addr[12], 4);
	ar->suggested_port = req->body.external_port;
	ar->now = pcpd_now();
}

/* Makes a SUCCESS decision durable, then effective: the store first (a
 * grant is on disk before it is acknowledged, PCPS-11), then the binding
 * table. false when either refused it: the allocator's change is undone and
 * nothing of it stays. */
static bool commit_decision(struct pcpd *d, const struct alloc_decision *dec)
{
	char err[256];
	int r = 0;

	if (dec->action == ALLOC_CREATED || dec->action == ALLOC_RENEWED)
		r = store_put_grant(d->store, &dec->grant, err, sizeof(err));
	else if (dec->action == ALLOC_DELETED)
		r = store_delete_grant(d->store, &dec->grant, err, sizeof(err));
	if (r) {
		pcpd_log(LOG_ERR_, "store: %s; request refused", err);
		alloc_undo(d->alloc, dec);
		return false;
	}
	if (dec->action == ALLOC_CREATED || dec->action == ALLOC_RENEWED) {
		if (install_binding(d, &dec->grant)) {
			/* not acknowledged, so not kept either */
			store_delete_grant(d->store, &dec->grant, err, sizeof(err));
			if (dec->action == ALLOC_CREATED)
				alloc_undo(d->alloc, dec);
			return false;
		}
		if (dec->action == ALLOC_CREATED)
			d->ctr.grants_created++;
		else
			d->ctr.grants_renewed++;
	} else if (dec->action == ALLOC_DELETED) {
		remove_binding(d, &dec->grant);
		d->ctr.grants_deleted++;
	}
	return true;
}

/* The fields of a SUCCESS: the grant's block, or for a delete (and a
 * delete of nothing) the request's own. */
static void map_answer_of(const struct pcp_request *req, const struct alloc_decision *dec,
			  const struct in6_addr *b4, struct pcp_map_answer *ans)
{
	char a[LW_IPV4_STRLEN], b[LW_IPV6_STRLEN];

	memset(ans, 0, sizeof(*ans));
	if (dec->action != ALLOC_DELETED && dec->action != ALLOC_NONE) {
		uint32_t size = alloc_grant_size(&dec->grant);

		ans->external_port = alloc_grant_first_port(&dec->grant);
		pcp_addr_from_ipv4(&ans->external_addr, dec->grant.ipv4);
		/* a whole address (65536 ports) does not fit the 16-bit size */
		ans->port_set_size = req->opts.has_port_set
					     ? (uint16_t)(size > UINT16_MAX ? UINT16_MAX : size)
					     : 0;
		ans->first_internal_port = ans->external_port;
		pcpd_log(LOG_INFO_, "%s %s: %s ports %u-%u, %u s",
			 dec->action == ALLOC_CREATED ? "granted" : "renewed",
			 lw_format_ipv6(b4, b, sizeof(b)),
			 lw_format_ipv4(dec->grant.ipv4, a, sizeof(a)), ans->external_port,
			 ans->external_port + size - 1, dec->lifetime);
		return;
	}
	ans->external_port = req->body.external_port;
	ans->external_addr = req->body.external_addr;
	ans->port_set_size = req->opts.has_port_set ? req->opts.port_set.size : 0;
	ans->first_internal_port = req->opts.has_port_set ? req->opts.port_set.first_internal_port
							  : 0;
	if (dec->action == ALLOC_DELETED)
		pcpd_log(LOG_INFO_, "deleted: %s", lw_format_ipv6(b4, b, sizeof(b)));
}

/* MAP: the allocator decides, the store keeps, the binding table forwards,
 * in that order; then the answer. */
static int serve_map(struct pcpd *d, const struct pcp_request *req, const struct in6_addr *b4,
		     const struct in6_addr *br, uint8_t *resp, size_t cap)
{
	struct alloc_request ar;
	struct alloc_decision dec;
	struct pcp_map_answer ans;
	char err[256], b[LW_IPV6_STRLEN];
	int r;

	map_request_of(req, b4, br, &ar);
	pcpd_expire(d);
	if (alloc_request(d->alloc, &ar, &dec, err, sizeof(err))) {
		pcpd_log(LOG_ERR_, "allocator: %s", err);
		return refuse(d, req, PCP_RES_NO_RESOURCES, resp, cap);
	}
	if (dec.result != ALLOC_SUCCESS) {
		pcpd_log(LOG_INFO_, "MAP from %s: %s (%s)", lw_format_ipv6(b4, b, sizeof(b)),
			 pcp_result_name((uint8_t)dec.result), dec.why);
		return answer(d, req, (uint8_t)dec.result, dec.lifetime, NULL, resp, cap);
	}
	if (!commit_decision(d, &dec))
		return refuse(d, req, PCP_RES_NO_RESOURCES, resp, cap);
	map_answer_of(req, &dec, b4, &ans);
	r = pcp_encode_response(req, PCP_RES_SUCCESS, dec.lifetime, pcpd_epoch(d), &ans, resp, cap);
	if (r < 0) {
		pcpd_log(LOG_ERR_, "cannot encode the MAP response: %s", strerror(-r));
		return 0;
	}
	d->ctr.errors_by_result[PCP_RES_SUCCESS]++;
	return r;
}

int pcpd_serve(struct pcpd *d, const uint8_t *msg, size_t len, const struct in6_addr *pcp_src,
	       const struct in6_addr *b4, const struct in6_addr *br, bool third_party_channel,
	       bool third_party_allowed, uint8_t *resp, size_t cap)
{
	struct pcp_request *req = &d->req;
	uint8_t result = 0;
	enum pcp_verdict v;

	d->ctr.requests++;
	v = pcp_server_validate(msg, len, pcp_src, req, &result);
	if (v == PCP_VERDICT_DROP) {
		d->ctr.dropped++;
		return 0;
	}
	if (v == PCP_VERDICT_ERROR)
		return refuse(d, req, result, resp, cap);

	if (third_party_channel) {
		/* provisioning systems only, and only on behalf of a B4 */
		if (!third_party_allowed || !req->opts.has_third_party)
			return refuse(d, req, PCP_RES_NOT_AUTHORIZED, resp, cap);
		/* RFC 6887 §13.1: naming its own address is no third party */
		result = pcp_third_party_check(req, pcp_src, true);
		if (result != PCP_RES_SUCCESS)
			return refuse(d, req, result, resp, cap);
		if (pcp_addr_is_ipv4_mapped(&req->opts.third_party_addr))
			return refuse(d, req, PCP_RES_NOT_AUTHORIZED, resp, cap);
		b4 = &req->opts.third_party_addr;
	} else {
		result = pcp_third_party_check(req, pcp_src, false); /* PCPS-18 */
		if (result != PCP_RES_SUCCESS)
			return refuse(d, req, result, resp, cap);
	}
	/* no lwAFTR loaded: a grant would reach no data plane (dp_watch.c);
	 * RFC 6887 §7.4: "the device it controls is experiencing a network
	 * failure", a short-lifetime error */
	if (req->opcode == PCP_OP_MAP && d->dp_gone)
		return refuse(d, req, PCP_RES_NETWORK_FAILURE, resp, cap);
	switch (req->opcode) {
	case PCP_OP_ANNOUNCE: return answer(d, req, PCP_RES_SUCCESS, 0, NULL, resp, cap);
	case PCP_OP_MAP: return serve_map(d, req, b4, br, resp, cap);
	default:
		/* PEER creates per-flow state, which an lwAFTR does not keep */
		return refuse(d, req, PCP_RES_UNSUPP_OPCODE, resp, cap);
	}
}

/* ---- data-plane events -> ICMP ------------------------------------------------------ */

/* LW_EV_FRAGMENT and LW_EV_FRAG_NEEDED: reassembly, encapsulation or
 * decapsulation, fragmentation (slowpath_frag.h); the packets leave in
 * order, the ICMP errors among them behind the ICMP rate limits. */
static int handle_frag_event(struct pcpd *d, const void *data, size_t size)
{
	struct lw_frag_out *out = &d->frag_out;
	struct lw_event ev;
	int n;

	memset(&ev, 0, sizeof(ev));
	memcpy(&ev, data, size < sizeof(ev) ? size : sizeof(ev));
	n = lw_slowpath_frag_event(&d->sp, &d->fc, d->reasm, &ev, size, pcpd_now_ms(), out);
	if (n == LW_SLOWPATH_NOT_HANDLED) {
		d->ctr.events_unhandled++;
		return 0;
	}
	d->ctr.frag_events++;
	if (n <= 0) {
		if (n < 0 || out->reason != LW_FRAG_PENDING) {
			d->ctr.frag_dropped++;
			pcpd_log(LOG_DEBUG_, "fragment event type %u: nothing sent (%s)", ev.type,
				 n < 0 ? strerror(-n) : lw_frag_reason_name(out->reason));
		}
		return 0;
	}
	for (unsigned i = 0; i < out->n; i++) {
		const struct lw_frag_pkt *p = &out->pkt[i];

		if (p->icmp &&
		    !lw_slowpath_ratelimit_allow(&d->rl, p->kind, pcpd_now_ms() * NSEC_PER_MSEC)) {
			d->ctr.icmp_ratelimited++;
			continue;
		}
		if (pcpd_send_ip(d, p->dest, out->buf + p->off, p->len) == 0) {
			if (p->icmp)
				d->ctr.icmp_sent++;
			else
				d->ctr.frag_sent++;
		}
	}
	return 0;
}

int pcpd_handle_event(void *ctx, void *data, size_t size)
{
	struct pcpd *d = ctx;
	struct lw_slowpath_out *out = &d->sp_out;
	int n;

	d->ctr.events++;
	n = lw_slowpath_handle(&d->sp, data, size, out);
	if (n == LW_SLOWPATH_NOT_HANDLED)
		return handle_frag_event(d, data, size);
	if (n <= 0) {
		if (n == 0 && out->reason == LW_SLOWPATH_BOUND_NOW)
			d->ctr.icmpv6_suppressed++;
		pcpd_log(LOG_DEBUG_, "event type %u: nothing sent (%s)",
			 size >= sizeof(struct lw_event_head)
				 ? ((const struct lw_event_head *)data)->type
				 : 0,
			 n < 0 ? strerror(-n) : lw_slowpath_reason_name(out->reason));
		return 0;
	}
	for (unsigned i = 0; i < out->n; i++) {
		if (!lw_slowpath_ratelimit_allow(&d->rl, out->pkt[i].kind,
						 pcpd_now_ms() * NSEC_PER_MSEC)) {
			d->ctr.icmp_ratelimited++;
			continue;
		}
		if (pcpd_send_raw(d, &out->pkt[i]) == 0)
			d->ctr.icmp_sent++;
	}
	return 0;
}
