// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
/* pcpd --role b4: the PCP server for LAN hosts (PCPC-12; RFC 6887, RFC 7648
 * §3 as a server co-located with the NAPT).
 *
 * LAN hosts send MAP and PEER to lan-address:5351. They are answered from
 * the lwB4's own port sets with explicit NAPT mappings (lw_b4_explicit_set:
 * a MAP admits every remote, a PEER filters as a dynamic mapping with the
 * peer admitted), never by asking the lwAFTR: the lwAFTR already forwards
 * every port of the sets. Each mapping has its own nonce and lifetime
 * (lan-min-lifetime..lan-max-lifetime, RFC 6887 §15) and is on disk before
 * its SUCCESS leaves, so a restart forgets nothing it acknowledged.
 *
 * The server keeps its own epoch (RFC 6887 §8.5, RFC 7648 §3.2). When a set
 * leaves the pool its mappings are gone: the epoch restarts and an ANNOUNCE
 * goes to 224.0.0.1:5350 on the LAN; a set joining the pool is announced
 * too (§14.1.3), so hosts waiting with NETWORK_FAILURE ask again. Each
 * round also goes unicast to port 5350 of every host that holds a mapping
 * or held one that was lost, as the lwAFTR does for its B4s (PCPS-17): a
 * client on a socket connected to the server (libpcp's, dual-stack) never
 * sees the multicast one. */
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "lw4o6/pcp.h"
#include "b4_priv.h"
#include "addr.h"
#include "errmsg.h"

/* A new mapping's port may be taken by the data plane before it is
 * installed: it is placed again this many times. */
#define LAN_PLACE_TRIES 8

static uint32_t lan_epoch(const struct b4d *d)
{
	int64_t e = (int64_t)pcpd_now() - d->lan_epoch_base;

	return e < 0 ? 0 : (uint32_t)e;
}

/* host is told by the coming ANNOUNCE rounds (once). */
static void tell(struct b4d *d, __be32 host)
{
	for (size_t i = 0; i < d->n_lan_told; i++)
		if (d->lan_told[i] == host)
			return;
	if (d->n_lan_told == d->cap_lan_told) {
		size_t cap = d->cap_lan_told ? 2 * d->cap_lan_told : 16;
		__be32 *p = realloc(d->lan_told, cap * sizeof(*p));

		if (!p) {
			pcpd_log(LOG_WARN_,
				 "LAN: out of memory: a host misses the unicast ANNOUNCE");
			return;
		}
		d->lan_told = p;
		d->cap_lan_told = cap;
	}
	d->lan_told[d->n_lan_told++] = host;
}

/* ANNOUNCE rounds from now, to the LAN and to every host with a mapping
 * (and those told of a lost one already). */
static void announce_soon(struct b4d *d)
{
	if (d->lan_fd < 0)
		return;
	for (size_t i = 0; i < d->n_lan; i++)
		tell(d, d->lan[i].int_addr);
	d->lan_announce_round = 0;
	d->next_lan_announce_ms = b4_now_ms();
}

static void epoch_restart(struct b4d *d, const char *why)
{
	char err[256];

	d->lan_epoch_base = (int64_t)pcpd_now();
	if (b4store_set_epoch_base(d->store, d->lan_epoch_base, err, sizeof(err)))
		pcpd_log(LOG_ERR_, "store: %s", err);
	pcpd_log(LOG_INFO_, "LAN: epoch restarted (%s)", why);
	announce_soon(d);
}

/* ---- the mapping records ------------------------------------------------- */

static bool same_endpoint(const struct b4_lan_mapping *m, uint8_t proto, __be32 addr, uint16_t port)
{
	return m->proto == proto && m->int_addr == addr && m->int_port == port;
}

static bool same_identity(const struct b4_lan_mapping *a, const struct b4_lan_mapping *b)
{
	return a->opcode == b->opcode && same_endpoint(a, b->proto, b->int_addr, b->int_port) &&
	       a->peer_addr == b->peer_addr && a->peer_port == b->peer_port;
}

static struct b4_lan_mapping *find(struct b4d *d, const struct b4_lan_mapping *key)
{
	for (size_t i = 0; i < d->n_lan; i++)
		if (same_identity(&d->lan[i], key))
			return &d->lan[i];
	return NULL;
}

static int add_record(struct b4d *d, const struct b4_lan_mapping *m)
{
	if (d->n_lan == d->cap_lan) {
		size_t cap = d->cap_lan ? 2 * d->cap_lan : 16;
		void *p = realloc(d->lan, cap * sizeof(*d->lan));

		if (!p)
			return -ENOMEM;
		d->lan = p;
		d->cap_lan = cap;
	}
	d->lan[d->n_lan++] = *m;
	return 0;
}

static void remove_record(struct b4d *d, struct b4_lan_mapping *m)
{
	*m = d->lan[--d->n_lan];
}

/* The data plane's mapping of one internal endpoint from every live record
 * of it: MAP if any is a MAP, until the latest expiry, the PEERs' remotes
 * admitted. ext: where a new mapping goes. */
static int apply(struct b4d *d, uint8_t proto, __be32 addr, uint16_t port, __be32 ext_addr,
		 uint16_t ext_port)
{
	enum lw_b4_pcp_kind kind = LW_B4_PCP_PEER;
	int64_t last = 0, now = (int64_t)pcpd_now();
	__be32 got_addr = ext_addr;
	__be16 got_port = htons(ext_port);
	uint64_t until;
	size_t n = 0;
	int r = 0;

	for (size_t i = 0; i < d->n_lan; i++) {
		const struct b4_lan_mapping *m = &d->lan[i];

		if (!same_endpoint(m, proto, addr, port))
			continue;
		n++;
		if (m->opcode == PCP_OP_MAP)
			kind = LW_B4_PCP_MAP;
		if (m->expires_at > last)
			last = m->expires_at;
	}
	if (!n) {
		r = lw_b4_explicit_del(&d->maps, proto, addr, htons(port));
		return r == -ENOENT || r == -EPERM ? 0 : r;
	}
	until = pcpd_now_ns() + (uint64_t)(last > now ? last - now : 1) * NSEC_PER_SEC;
	/* PEERs first, each adding its remote; MAPs (no remote) last */
	for (int pass = 0; pass < 2 && !r; pass++) {
		for (size_t i = 0; i < d->n_lan && !r; i++) {
			const struct b4_lan_mapping *m = &d->lan[i];

			if (!same_endpoint(m, proto, addr, port) ||
			    (pass == 0) != (m->opcode == PCP_OP_PEER))
				continue;
			r = lw_b4_explicit_set(&d->maps, proto, addr, htons(port), got_addr,
					       got_port, kind,
					       m->opcode == PCP_OP_PEER ? m->peer_addr : 0, until,
					       &got_addr, &got_port);
		}
	}
	if (r)
		return r;
	for (size_t i = 0; i < d->n_lan; i++)
		if (same_endpoint(&d->lan[i], proto, addr, port)) {
			d->lan[i].ext_addr = got_addr;
			d->lan[i].ext_port = ntohs(got_port);
		}
	return 0;
}

/* ---- requests ------------------------------------------------------------ */

static void reply(struct b4d *d, const struct pcp_request *req, uint8_t result, uint32_t lifetime,
		  const struct pcp_map_answer *ans, const struct sockaddr_in *to)
{
	uint8_t out[PCP_MAX_LEN];
	int n = pcp_encode_response(req, result, lifetime, lan_epoch(d), ans, out, sizeof(out));
	char a[LW_IPV4_STRLEN];

	if (n < 0) {
		pcpd_log(LOG_ERR_, "LAN: cannot encode a %s response: %s", pcp_result_name(result),
			 strerror(-n));
		return;
	}
	if (sendto(d->lan_fd, out, (size_t)n, 0, (const struct sockaddr *)to, sizeof(*to)) < 0)
		pcpd_log(LOG_WARN_, "LAN: answer to %s: %s",
			 lw_format_ipv4(to->sin_addr.s_addr, a, sizeof(a)), strerror(errno));
	if (result != PCP_RES_SUCCESS)
		pcpd_log(LOG_INFO_, "LAN: %s %s from %s: %s (lifetime %u s)",
			 pcp_opcode_name(req->opcode), "request",
			 lw_format_ipv4(to->sin_addr.s_addr, a, sizeof(a)), pcp_result_name(result),
			 lifetime);
}

/* An error with its RFC 6887 §7.4 lifetime (PCPS-4). */
static void refuse(struct b4d *d, const struct pcp_request *req, uint8_t result,
		   const struct sockaddr_in *to)
{
	reply(d, req, result, pcp_error_lifetime(result), NULL, to);
}

struct free_ctx {
	const struct b4d *d;
	uint8_t proto;
};

static bool ext_free(void *ctx, __be32 ipv4, uint16_t port)
{
	const struct free_ctx *c = ctx;

	return lw_b4_ext_port_free(&c->d->maps, c->proto, ipv4, htons(port));
}

static size_t held_sets(const struct b4d *d, struct b4_set *sets)
{
	size_t n = 0;

	for (unsigned i = 0; i < B4_SLOTS; i++) {
		const struct b4_slot *s = &d->slot[i];

		if (!s->installed)
			continue;
		sets[n].ipv4 = s->g.ipv4;
		sets[n].first = s->g.first;
		sets[n].size = s->g.size;
		n++;
	}
	return n;
}

/* The checks of a MAP or PEER from a LAN host and the identity of the
 * mapping it names (key): PCP_RES_SUCCESS, or the error to answer. */
static uint8_t request_identity(const struct pcp_request *req, const struct sockaddr_in *from,
				struct b4_lan_mapping *key)
{
	memset(key, 0, sizeof(*key));
	key->opcode = req->opcode;
	key->proto = req->body.protocol;
	key->int_addr = from->sin_addr.s_addr;
	key->int_port = req->body.internal_port;
	if (req->body.protocol != IPPROTO_TCP && req->body.protocol != IPPROTO_UDP)
		return PCP_RES_UNSUPP_PROTOCOL;
	/* every port of an address shared with other lwB4s: not ours to give */
	if (req->body.internal_port == 0)
		return PCP_RES_NOT_AUTHORIZED;
	if (req->opts.n_filters) /* §13.3: remote-peer filters are not implemented */
		return PCP_RES_UNSUPP_OPTION;
	if (req->opcode == PCP_OP_PEER) {
		if (!pcp_addr_is_ipv4_mapped(&req->body.remote_peer_addr) ||
		    !req->body.remote_peer_port)
			return PCP_RES_MALFORMED_REQUEST;
		memcpy(&key->peer_addr, &req->body.remote_peer_addr.s6_addr[12], 4);
		key->peer_port = req->body.remote_peer_port;
		if (!key->peer_addr)
			return PCP_RES_MALFORMED_REQUEST;
	}
	return PCP_RES_SUCCESS;
}

/* §15: lifetime 0 deletes; SUCCESS also when there is nothing to delete. */
static void serve_delete(struct b4d *d, const struct pcp_request *req, struct b4_lan_mapping *rec,
			 const struct sockaddr_in *from)
{
	struct pcp_map_answer ans = { 0 };
	struct b4_lan_mapping gone;
	char err[256], a[LW_IPV4_STRLEN], b[LW_IPV4_STRLEN];

	ans.external_port = req->body.external_port;
	ans.external_addr = req->body.external_addr;
	if (rec) {
		gone = *rec;
		pcp_addr_from_ipv4(&ans.external_addr, rec->ext_addr);
		ans.external_port = rec->ext_port;
		if (b4store_lan_delete(d->store, rec, err, sizeof(err)))
			pcpd_log(LOG_ERR_, "store: %s", err);
		remove_record(d, rec);
		apply(d, gone.proto, gone.int_addr, gone.int_port, gone.ext_addr, gone.ext_port);
		pcpd_log(LOG_INFO_, "LAN: %s deleted %s:%u (was %s:%u)",
			 pcp_opcode_name(gone.opcode), lw_format_ipv4(gone.int_addr, a, sizeof(a)),
			 gone.int_port, lw_format_ipv4(gone.ext_addr, b, sizeof(b)), gone.ext_port);
	}
	reply(d, req, PCP_RES_SUCCESS, 0, &ans, from);
}

/* A new mapping nm on a free external port of the held sets. The data
 * plane may take that port meanwhile (-EEXIST): a few tries.
 * PCP_RES_SUCCESS with *r the data plane's answer (0: installed, nm's
 * record kept), or the result that refuses the request. */
static uint8_t install_new(struct b4d *d, const struct pcp_request *req, const struct b4_set *sets,
			   size_t nsets, struct b4_lan_mapping *nm, int *r)
{
	struct free_ctx fc = { .d = d, .proto = req->body.protocol };
	__be32 want_addr = 0, ext_addr = 0;
	uint16_t ext_port = 0;

	if (pcp_addr_is_ipv4_mapped(&req->body.external_addr))
		memcpy(&want_addr, &req->body.external_addr.s6_addr[12], 4);
	for (int attempt = 0; attempt < LAN_PLACE_TRIES; attempt++) {
		*r = b4_lan_pick_port(sets, nsets, want_addr, req->body.external_port,
				      req->body.internal_port, req->opts.prefer_failure,
				      (uint32_t)random(), ext_free, &fc, &ext_addr, &ext_port);
		if (*r == -EADDRNOTAVAIL)
			return PCP_RES_CANNOT_PROVIDE_EXTERNAL;
		if (*r)
			return PCP_RES_NO_RESOURCES;
		nm->ext_addr = ext_addr;
		nm->ext_port = ext_port;
		if (add_record(d, nm))
			return PCP_RES_NO_RESOURCES;
		*r = apply(d, nm->proto, nm->int_addr, nm->int_port, ext_addr, ext_port);
		if (*r == 0)
			break;
		remove_record(d, find(d, nm));
		if (*r != -EEXIST)
			break;
	}
	return PCP_RES_SUCCESS;
}

/* A renewal keeps its external port. */
static int renew(struct b4d *d, struct b4_lan_mapping *rec, const struct b4_lan_mapping *nm)
{
	__be32 ext_addr = rec->ext_addr;
	uint16_t ext_port = rec->ext_port;

	*rec = *nm;
	rec->ext_addr = ext_addr;
	rec->ext_port = ext_port;
	return apply(d, nm->proto, nm->int_addr, nm->int_port, ext_addr, ext_port);
}

/* On disk before the SUCCESS leaves: a mapping the store refuses is undone. */
static void acknowledge(struct b4d *d, const struct pcp_request *req, struct b4_lan_mapping *rec,
			uint32_t lifetime, const struct sockaddr_in *from)
{
	struct pcp_map_answer ans = { 0 };
	struct b4_lan_mapping gone;
	char err[256], a[LW_IPV4_STRLEN], b[LW_IPV4_STRLEN];

	if (b4store_lan_put(d->store, rec, err, sizeof(err))) {
		pcpd_log(LOG_ERR_, "store: %s: refusing the mapping", err);
		gone = *rec;
		remove_record(d, rec);
		apply(d, gone.proto, gone.int_addr, gone.int_port, gone.ext_addr, gone.ext_port);
		return refuse(d, req, PCP_RES_NO_RESOURCES, from);
	}
	pcp_addr_from_ipv4(&ans.external_addr, rec->ext_addr);
	ans.external_port = rec->ext_port;
	ans.port_set_size = 1;
	pcpd_log(LOG_INFO_, "LAN: %s %s %s:%u -> %s:%u for %u s", pcp_opcode_name(rec->opcode),
		 rec->proto == IPPROTO_TCP ? "tcp" : "udp",
		 lw_format_ipv4(rec->int_addr, a, sizeof(a)), rec->int_port,
		 lw_format_ipv4(rec->ext_addr, b, sizeof(b)), rec->ext_port, lifetime);
	reply(d, req, PCP_RES_SUCCESS, lifetime, &ans, from);
}

static void serve(struct b4d *d, const struct pcp_request *req, const struct sockaddr_in *from)
{
	struct b4_lan_mapping key, *rec, nm;
	struct b4_set sets[B4_SLOTS];
	int64_t now = (int64_t)pcpd_now();
	uint32_t lifetime;
	size_t nsets;
	char err[256], a[LW_IPV4_STRLEN];
	uint8_t result;
	int r = -1;

	result = request_identity(req, from, &key);
	if (result != PCP_RES_SUCCESS)
		return refuse(d, req, result, from);
	rec = find(d, &key);
	if (rec && memcmp(rec->nonce, req->body.nonce, PCP_NONCE_LEN)) {
		/* §11.3: someone else's mapping; its remaining life */
		return reply(d, req, PCP_RES_NOT_AUTHORIZED,
			     rec->expires_at > now ? (uint32_t)(rec->expires_at - now) : 1, NULL,
			     from);
	}
	if (req->lifetime == 0)
		return serve_delete(d, req, rec, from);
	nsets = held_sets(d, sets);
	if (!nsets) /* no set from the lwAFTR yet: ask again soon (§7.4) */
		return refuse(d, req, PCP_RES_NETWORK_FAILURE, from);
	lifetime = req->lifetime < d->cfg.lan_min_lifetime   ? d->cfg.lan_min_lifetime
		   : req->lifetime > d->cfg.lan_max_lifetime ? d->cfg.lan_max_lifetime
							     : req->lifetime;
	nm = key;
	memcpy(nm.nonce, req->body.nonce, PCP_NONCE_LEN);
	nm.expires_at = now + lifetime;
	if (rec)
		r = renew(d, rec, &nm);
	else if ((result = install_new(d, req, sets, nsets, &nm, &r)) != PCP_RES_SUCCESS)
		return refuse(d, req, result, from);
	rec = find(d, &nm);
	if (r || !rec) {
		pcpd_log(LOG_WARN_, "LAN: cannot install the mapping of %s:%u: %s",
			 lw_format_ipv4(nm.int_addr, a, sizeof(a)), nm.int_port,
			 strerror(r ? -r : ENOENT));
		if (rec) {
			b4store_lan_delete(d->store, rec, err, sizeof(err));
			remove_record(d, rec);
		}
		return refuse(d, req, PCP_RES_NO_RESOURCES, from);
	}
	acknowledge(d, req, rec, lifetime, from);
}

void b4_lan_readable(struct b4d *d)
{
	struct pcp_request *req = &d->lan_req;

	for (int burst = 0; burst < PCPD_READ_BURST; burst++) {
		uint8_t buf[PCP_MAX_LEN + 4];
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		struct in6_addr src;
		uint8_t result = 0;
		uint32_t mask;
		enum pcp_verdict v;
		ssize_t n = recvfrom(d->lan_fd, buf, sizeof(buf), MSG_DONTWAIT,
				     (struct sockaddr *)&from, &fl);

		if (n < 0)
			return;
		pcp_addr_from_ipv4(&src, from.sin_addr.s_addr);
		v = pcp_server_validate(buf, (size_t)n, &src, req, &result);
		if (v == PCP_VERDICT_DROP)
			continue;
		if (v == PCP_VERDICT_ERROR) {
			refuse(d, req, result, &from);
			continue;
		}
		/* hosts of the LAN only: the lwB4 maps nothing for anyone else */
		mask = d->dp.lan_prefixlen ? htonl(~0u << (32 - d->dp.lan_prefixlen)) : 0;
		if (d->dp.lan_addr && ((from.sin_addr.s_addr ^ d->dp.lan_addr) & mask)) {
			refuse(d, req, PCP_RES_NOT_AUTHORIZED, &from);
			continue;
		}
		result = pcp_third_party_check(req, &src, false);
		if (result != PCP_RES_SUCCESS) {
			refuse(d, req, result, &from);
			continue;
		}
		if (req->opcode == PCP_OP_ANNOUNCE)
			reply(d, req, PCP_RES_SUCCESS, 0, NULL, &from);
		else
			serve(d, req, &from);
	}
}

/* ---- timers, pool changes ------------------------------------------------ */

/* The ANNOUNCE to one destination (RFC 6887 §14.1.3: port 5350). */
static int announce_to(struct b4d *d, const uint8_t *msg, size_t len, __be32 dst)
{
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons(LW_PCP_CLIENT_PORT),
				  .sin_addr.s_addr = dst };
	char a[LW_IPV4_STRLEN];

	if (sendto(d->lan_fd, msg, len, 0, (struct sockaddr *)&to, sizeof(to)) >= 0)
		return 0;
	pcpd_log(LOG_WARN_, "LAN: ANNOUNCE to %s: %s", lw_format_ipv4(dst, a, sizeof(a)),
		 strerror(errno));
	return -1;
}

/* One ANNOUNCE round: multicast to 224.0.0.1, unicast to the hosts told;
 * after the last round the list is done with. */
static void announce_round(struct b4d *d)
{
	uint8_t msg[PCP_HEADER_LEN];
	int n = pcp_encode_announce(lan_epoch(d), msg, sizeof(msg));
	size_t sent = 0;

	if (n > 0 && announce_to(d, msg, (size_t)n, htonl(LW_PCP_ALL_HOSTS)) == 0)
		sent++;
	for (size_t i = 0; n > 0 && i < d->n_lan_told; i++)
		sent += announce_to(d, msg, (size_t)n, d->lan_told[i]) == 0;
	pcpd_log(LOG_INFO_,
		 "LAN: ANNOUNCE round %u sent (epoch %u): 224.0.0.1 and %zu hosts, %zu sent",
		 d->lan_announce_round + 1, lan_epoch(d), d->n_lan_told, sent);
	d->lan_announce_round++;
	if (d->lan_announce_round < PCPD_ANNOUNCE_ROUNDS)
		d->next_lan_announce_ms =
			b4_now_ms() + pcpd_announce_delay_ms(d->lan_announce_round);
	else
		d->n_lan_told = 0;
}

void b4_lan_tick(struct b4d *d)
{
	int64_t now = (int64_t)pcpd_now();
	char err[256];

	if (d->lan_fd < 0)
		return;
	for (size_t i = 0; i < d->n_lan;) {
		struct b4_lan_mapping m = d->lan[i];

		if (m.expires_at > now) {
			i++;
			continue;
		}
		if (b4store_lan_delete(d->store, &m, err, sizeof(err)))
			pcpd_log(LOG_ERR_, "store: %s", err);
		remove_record(d, &d->lan[i]);
		apply(d, m.proto, m.int_addr, m.int_port, m.ext_addr, m.ext_port);
	}
	if (d->lan_announce_round < PCPD_ANNOUNCE_ROUNDS && b4_now_ms() >= d->next_lan_announce_ms)
		announce_round(d);
}

uint64_t b4_lan_deadline(const struct b4d *d, uint64_t t)
{
	if (d->lan_fd >= 0 && d->lan_announce_round < PCPD_ANNOUNCE_ROUNDS &&
	    d->next_lan_announce_ms < t)
		t = d->next_lan_announce_ms;
	return t;
}

void b4_lan_pool_grew(struct b4d *d)
{
	if (d->lan_fd < 0)
		return;
	/* mappings restored from disk whose set is back */
	for (size_t i = 0; i < d->n_lan; i++)
		apply(d, d->lan[i].proto, d->lan[i].int_addr, d->lan[i].int_port,
		      d->lan[i].ext_addr, d->lan[i].ext_port);
	announce_soon(d);
}

static bool set_has(const struct b4_grant *g, __be32 addr, uint16_t port)
{
	return g->ipv4 == addr && port >= g->first && port - g->first < g->size;
}

void b4_lan_set_gone(struct b4d *d, const struct b4_grant *g)
{
	size_t lost = 0;
	char err[256];

	if (d->lan_fd < 0)
		return;
	for (size_t i = 0; i < d->n_lan;) {
		if (!set_has(g, d->lan[i].ext_addr, d->lan[i].ext_port)) {
			i++;
			continue;
		}
		if (b4store_lan_delete(d->store, &d->lan[i], err, sizeof(err)))
			pcpd_log(LOG_ERR_, "store: %s", err);
		tell(d, d->lan[i].int_addr);
		remove_record(d, &d->lan[i]);
		lost++;
	}
	if (lost) {
		char why[64];

		snprintf(why, sizeof(why), "%zu LAN mappings lost with their port set", lost);
		epoch_restart(d, why);
	} else {
		announce_soon(d);
	}
}

/* ---- start --------------------------------------------------------------- */

static unsigned ifindex_of(__be32 addr)
{
	struct ifaddrs *ifa, *i;
	unsigned idx = 0;

	if (getifaddrs(&ifa))
		return 0;
	for (i = ifa; i && !idx; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
		    ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr == addr)
			idx = if_nametoindex(i->ifa_name);
	freeifaddrs(ifa);
	return idx;
}

int b4_lan_start(struct b4d *d, char *err, size_t errlen)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(LW_PCP_SERVER_PORT),
				  .sin_addr.s_addr = d->cfg.lan_addr };
	struct ip_mreqn mr = { .imr_address.s_addr = d->cfg.lan_addr };
	int on = 1, ttl = 1, off = 0, r;
	char a[LW_IPV4_STRLEN];
	size_t dropped = 0;

	if (!d->cfg.has_lan)
		return 0;
	lw_format_ipv4(d->cfg.lan_addr, a, sizeof(a));
	if (d->cfg.lan_ifname[0]) {
		d->lan_ifindex = if_nametoindex(d->cfg.lan_ifname);
		if (!d->lan_ifindex)
			return lw_errf_code(-ENODEV, err, errlen,
					    "lan-interface %s: no such interface",
					    d->cfg.lan_ifname);
	} else {
		d->lan_ifindex = ifindex_of(d->cfg.lan_addr);
		if (!d->lan_ifindex)
			return lw_errf_code(-EADDRNOTAVAIL, err, errlen,
					    "lan-address %s is on no interface "
					    "of this host",
					    a);
	}
	d->lan_fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->lan_fd < 0)
		return lw_errf_code(-errno, err, errlen, "LAN PCP socket: %s", strerror(errno));
	setsockopt(d->lan_fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(d->lan_fd, (struct sockaddr *)&sa, sizeof(sa)))
		return lw_errf_code(-errno, err, errlen, "bind %s:%u: %s", a, LW_PCP_SERVER_PORT,
				    strerror(errno));
	mr.imr_ifindex = (int)d->lan_ifindex;
	if (setsockopt(d->lan_fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)) ||
	    setsockopt(d->lan_fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) ||
	    setsockopt(d->lan_fd, IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof(off)))
		return lw_errf_code(-errno, err, errlen, "LAN multicast options: %s",
				    strerror(errno));
	r = b4store_epoch_base(d->store, &d->lan_epoch_base, err, errlen);
	if (r == -ENOENT) {
		d->lan_epoch_base = (int64_t)pcpd_now();
		r = b4store_set_epoch_base(d->store, d->lan_epoch_base, err, errlen);
	}
	if (r)
		return r;
	if ((r = b4store_lan_all(d->store, &d->lan, &d->n_lan, err, errlen)))
		return r;
	d->cap_lan = d->n_lan;
	for (size_t i = 0; i < d->n_lan;) { /* expired while we were stopped */
		if (d->lan[i].expires_at > (int64_t)pcpd_now()) {
			i++;
			continue;
		}
		b4store_lan_delete(d->store, &d->lan[i], err, errlen);
		remove_record(d, &d->lan[i]);
		dropped++;
	}
	pcpd_log(LOG_INFO_,
		 "LAN PCP server on %s:%u (ifindex %u), epoch %u, %zu mappings restored%s", a,
		 LW_PCP_SERVER_PORT, d->lan_ifindex, lan_epoch(d), d->n_lan,
		 dropped ? " (some expired while stopped)" : "");
	d->lan_announce_round = PCPD_ANNOUNCE_ROUNDS; /* nothing to say until the pool is there */
	return 0;
}

/* After the stored grants are back in the pool: a restored mapping whose set
 * is not is lost, and the LAN is told (epoch restart). */
void b4_lan_restored(struct b4d *d)
{
	struct b4_set sets[B4_SLOTS];
	size_t nsets, lost = 0;
	char err[256];

	if (d->lan_fd < 0)
		return;
	nsets = held_sets(d, sets);
	for (size_t i = 0; i < d->n_lan;) {
		const struct b4_lan_mapping *m = &d->lan[i];
		bool held = false;

		for (size_t k = 0; k < nsets; k++)
			held |= sets[k].ipv4 == m->ext_addr && m->ext_port >= sets[k].first &&
				m->ext_port - sets[k].first < sets[k].size;
		if (held &&
		    apply(d, m->proto, m->int_addr, m->int_port, m->ext_addr, m->ext_port) == 0) {
			i++;
			continue;
		}
		b4store_lan_delete(d->store, &d->lan[i], err, sizeof(err));
		tell(d, d->lan[i].int_addr);
		remove_record(d, &d->lan[i]);
		lost++;
	}
	if (lost) {
		char why[64];

		snprintf(why, sizeof(why), "%zu stored LAN mappings without their set", lost);
		epoch_restart(d, why);
	}
}

void b4_lan_stop(struct b4d *d)
{
	if (d->lan_fd >= 0)
		close(d->lan_fd);
	d->lan_fd = -1;
	free(d->lan);
	d->lan = NULL;
	d->n_lan = d->cap_lan = 0;
	free(d->lan_told);
	d->lan_told = NULL;
	d->n_lan_told = d->cap_lan_told = 0;
}
