// SPDX-License-Identifier: GPL-2.0
/* pcpd --role b4: the PCP client to the lwAFTR, inside the softwire.
 *
 * Each slot i is one MAP (PCPC-5: client ::ffff:192.0.0.2, Internal Port
 * i + 1, PORT_SET 65535 with First Internal Port i + 1) with its own nonce,
 * carried as IPv4/UDP 192.0.0.2:sport -> 192.0.0.1:5351 inside IPv6 from
 * tunnel-ipv6 to aftr-ipv6. Slot 0 is the lwB4's first set and is always
 * wanted; the others are the pool growing (b4.c).
 *
 *   protocol        slot 0: 0 (all), the RFC 7753 §5.2 shape (Internal Port
 *                   1) that pcpd --role aftr accepts as the documented
 *                   exception (PCPS-19). RFC 6887 §11.3 makes protocol 0
 *                   with any other Internal Port MALFORMED_REQUEST, so the
 *                   extra slots ask per protocol (UDP), which an lwAFTR
 *                   grants as a port set of every protocol: a lw4o6 binding
 *                   has no protocol (RFC 7596 §3; design.md decision 2,
 *                   standards.md §4.4 item 4 (b)). A server that refuses
 *                   slot 0's form too (MALFORMED_REQUEST, as a strict
 *                   §11.3 server like miniupnpd answers) is asked in the
 *                   per-protocol form next, at once; the slot keeps that
 *                   form until pcpd restarts (b4_slot_protocol).
 *
 *   retransmission  RFC 6887 §8.1.1: IRT (irt-ms), MRT 1024 s, RAND ±10 %,
 *                   the same nonce every time (PCPC-3); an error answer
 *                   does not start the schedule over (b4_next_rt_ms)
 *   validation      PCPC-6: outer source aftr-ipv6, 192.0.0.1:5351, R,
 *                   opcode, nonce, protocol, internal port
 *   SUCCESS + set   stored durably, then added to the lwB4 pool
 *   not a set       PCPC-7 / miniupnpd echo (b4_grant_check): the
 *                   retransmission schedule goes on, which is the back-off
 *   error           not again before the error's lifetime (PCPC-10) nor the
 *                   schedule's next step; an extra slot is given up and
 *                   growth backs off
 *   renewal         uniform random 1/2..5/8 of the lifetime (PCPC-8)
 *   changed grant   old set removed, its mappings flushed (B4-PROV-6, PCPC-11)
 *   ICMPv6 1/5      B4-PROV-8: asked again at once; the set and its mappings
 *                   stay until the answer: the same set keeps them (an lwAFTR
 *                   that lost the binding for a moment, issue 12), another
 *                   set, an error or B4_REBIND_TRIES requests unanswered
 *                   remove them
 *   release         set removed from the pool, then MAP lifetime 0 with the
 *                   nonce and PORT_SET (PCPC-8), a few tries
 *   ANNOUNCE/epoch  an epoch that shows a state loss (RFC 6887 §8.5, PCPC-9):
 *                   every slot re-requests after a random delay, once per
 *                   loss; an ANNOUNCE whose epoch is consistent asks nothing */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "lw4o6/pcp.h"
#include "b4_priv.h"
#include "inet_udp.h"
#include "b4_inbound.h"
#include "addr.h"

#define B4_RELEASE_TRIES 3
#define B4_REBIND_TRIES  3
#define B4_MAX_LIFETIME  86400u /* RFC 6887 §15, PCPC-10 */

/* RFC 6887 §8.1.1: RAND is uniform in -0.1..+0.1 */
static uint64_t jitter(uint64_t ms)
{
	return (uint64_t)((double)ms * (0.9 + 0.2 * b4_rand01()));
}

/* the MAP's protocol for slot i (see above) */
static uint8_t slot_protocol(const struct b4d *d, unsigned i)
{
	return b4_slot_protocol(i, d->slot[i].proto0_refused);
}

static void to_portset(const struct b4_grant *g, struct lw_b4_portset *ps)
{
	memset(ps, 0, sizeof(*ps));
	ps->ipv4 = g->ipv4;
	ps->first = g->first;
	ps->size = g->size;
	ps->lease_expires = g->expires_at > 0 ? (__u32)g->expires_at : 0;
}

bool b4_pool_has(struct b4d *d, const struct b4_grant *g)
{
	struct lw_b4_portset ps;

	to_portset(g, &ps);
	return lw_b4_pool_find(&d->maps, &ps, NULL, NULL) == 0;
}

void b4_slot_new(struct b4d *d, unsigned i)
{
	struct b4_slot *s = &d->slot[i];

	memset(s, 0, sizeof(*s));
	s->used = true;
	s->g.slot = i;
	if (getrandom(s->g.nonce, PCP_NONCE_LEN, 0) != PCP_NONCE_LEN)
		for (unsigned k = 0; k < PCP_NONCE_LEN; k++)
			s->g.nonce[k] = (uint8_t)random();
}

int b4_install(struct b4d *d, unsigned i)
{
	struct b4_slot *s = &d->slot[i];
	struct lw_b4_portset ps;
	char str[80];
	int r;

	to_portset(&s->g, &ps);
	r = lw_b4_pool_add(&d->maps, &ps);
	if (r == -EEXIST && b4_pool_has(d, &s->g))
		r = lw_b4_pool_set_lease(&d->maps, &ps);
	if (r) {
		pcpd_log(LOG_ERR_, "cannot add %s to the lwB4 pool: %s",
			 b4_set_str(&s->g, str, sizeof(str)), strerror(-r));
		return r;
	}
	s->installed = true;
	s->idle_since_ms = b4_now_ms();
	/* exhaustion reported until now was of the smaller pool */
	d->exhausted = false;
	b4_exhausted_drops(d, &d->exhausted_drops);
	b4_lan_pool_grew(d);
	return 0;
}

/* B4-PROV-6: the set leaves the pool and its mappings go with it */
void b4_uninstall(struct b4d *d, unsigned i, const char *why)
{
	struct b4_slot *s = &d->slot[i];
	struct lw_b4_portset ps;
	size_t flushed = 0;
	char str[80];
	int r;

	if (!s->installed)
		return;
	to_portset(&s->g, &ps);
	r = lw_b4_pool_del(&d->maps, &ps, &flushed);
	if (r && r != -ENOENT)
		pcpd_log(LOG_WARN_, "cannot remove %s from the pool: %s",
			 b4_set_str(&s->g, str, sizeof(str)), strerror(-r));
	else
		pcpd_log(LOG_INFO_, "removed %s (%s), %zu mappings flushed",
			 b4_set_str(&s->g, str, sizeof(str)), why, flushed);
	s->installed = false;
	b4_lan_set_gone(d, &s->g);
}

void b4_rebind(struct b4d *d, unsigned i)
{
	struct b4_slot *s = &d->slot[i];

	s->rebinding = true;
	b4_start_request(d, i, 0, "no binding at the lwAFTR");
}

/* The rebinding ends without the set: it leaves the pool with its mappings
 * (B4-PROV-8) and is asked for again. */
static void rebind_failed(struct b4d *d, unsigned i, const char *why)
{
	struct b4_slot *s = &d->slot[i];

	s->rebinding = false;
	b4_uninstall(d, i, why);
	s->valid = false;
}

static int send_map(struct b4d *d, unsigned i)
{
	struct pcp_request *req = &d->map_req;
	struct b4_slot *s = &d->slot[i];
	uint8_t msg[PCP_MAX_LEN], pkt[PCPD_PCP_PACKET_MAX];
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_addr = d->cfg.aftr };
	char desc[512];
	int n, plen;

	b4_map_request(req, i, slot_protocol(d, i), s->releasing ? 0 : d->cfg.lifetime, s->g.nonce,
		       s->have_set ? s->g.ipv4 : 0, (uint16_t)s->g.first);
	n = pcp_encode_request(req, msg, sizeof(msg));
	if (n < 0)
		return n;
	plen = inet_udp_build(htonl(LW_PCP_B4_CLIENT_ADDR), htonl(LW_PCP_SERVER_ADDR), d->sport,
			      LW_PCP_SERVER_PORT, msg, (size_t)n, pkt, sizeof(pkt));
	if (plen < 0)
		return plen;
	if (sendto(d->fd, pkt, (size_t)plen, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		pcpd_log(LOG_WARN_, "send MAP: %s", strerror(errno));
	pcpd_log(LOG_DEBUG_, "slot %u sent (try %u): %s", i, s->tries + 1,
		 pcp_describe(msg, (size_t)n, desc, sizeof(desc)));
	return 0;
}

/* a new exchange after delay_ms; the nonce stays (same mapping) */
void b4_start_request(struct b4d *d, unsigned i, uint64_t delay_ms, const char *why)
{
	struct b4_slot *s = &d->slot[i];
	uint64_t at = b4_now_ms() + delay_ms;

	if (s->releasing)
		return;
	if (s->pending && s->next_send_ms <= at && s->tries == 0)
		return;
	pcpd_log(LOG_INFO_, "slot %u: requesting a port set (%s)%s", i, why,
		 delay_ms ? " after a delay" : "");
	s->pending = true;
	s->tries = 0;
	s->next_send_ms = at;
	s->renew_ms = 0;
	s->timer_renewal = false;
}

/* Gives an extra set back: out of the pool first (no new mapping lands in
 * it), forgotten on disk, then the lifetime-0 MAP. */
void b4_release(struct b4d *d, unsigned i, const char *why)
{
	struct b4_slot *s = &d->slot[i];
	char err[256], str[80];

	pcpd_log(LOG_INFO_, "slot %u: giving %s back (%s)", i, b4_set_str(&s->g, str, sizeof(str)),
		 why);
	b4_uninstall(d, i, "given back");
	if (b4store_delete(d->store, i, err, sizeof(err)))
		pcpd_log(LOG_ERR_, "store: %s", err);
	s->valid = false;
	s->releasing = true;
	s->pending = true;
	s->tries = 0;
	s->renew_ms = 0;
	s->next_send_ms = b4_now_ms();
}

static void send_tick(struct b4d *d, unsigned i)
{
	struct b4_slot *s = &d->slot[i];
	uint64_t now = b4_now_ms();

	if (!s->pending || now < s->next_send_ms)
		return;
	if (s->releasing && s->tries >= B4_RELEASE_TRIES) {
		/* unanswered: the lwAFTR drops the binding when it expires */
		pcpd_log(LOG_WARN_,
			 "slot %u: the release was not answered; the lwAFTR will let it expire", i);
		memset(s, 0, sizeof(*s));
		return;
	}
	if (s->rebinding && s->tries >= B4_REBIND_TRIES)
		rebind_failed(d, i, "no binding at the lwAFTR, and no answer");
	send_map(d, i);
	if (s->timer_renewal && s->valid)
		/* PCPC-8: an unanswered renewal again at 3/4, 7/8, ... of the
		 * lifetime, not the §8.1.1 schedule, whose 1024 s steps could
		 * let the grant run out between two tries */
		s->rt_ms = b4_renewal_retry_ms((int64_t)s->expire_ms - (int64_t)now);
	else
		s->rt_ms = jitter(b4_next_rt_ms(s->tries ? s->rt_ms : 0, d->cfg.irt_ms));
	s->tries++;
	s->next_send_ms = now + s->rt_ms;
}

static void recovered(struct b4d *d)
{
	if (d->lost_ms) {
		pcpd_log(LOG_INFO_, "recovered from %s in %llu ms", d->lost_why,
			 (unsigned long long)(b4_now_ms() - d->lost_ms));
		d->lost_ms = 0;
	}
}

void b4_lost(struct b4d *d, const char *why)
{
	if (!d->lost_ms) {
		d->lost_ms = b4_now_ms();
		d->lost_why = why;
	}
}

static void handle_error(struct b4d *d, unsigned i, const struct pcp_response *r)
{
	struct b4_slot *s = &d->slot[i];
	/* PCPC-10: not before the error's lifetime; RFC 6887 §8.1.1: nor
	 * before the schedule's next step, which goes on doubling */
	uint64_t wait = (uint64_t)r->lifetime * 1000,
		 rt = jitter(b4_next_rt_ms(s->tries ? s->rt_ms : 0, d->cfg.irt_ms));

	if (r->result == PCP_RES_MALFORMED_REQUEST && slot_protocol(d, i) == 0) {
		/* a server without PCPS-19's exception: another request, so
		 * no error lifetime to wait out, and a new schedule */
		pcpd_log(LOG_WARN_,
			 "slot %u: MALFORMED_REQUEST to protocol 0 with Internal Port %u: "
			 "asking per protocol (%u) from now",
			 i, i + 1, b4_slot_protocol(i, true));
		s->proto0_refused = true;
		s->tries = 0;
		s->next_send_ms = b4_now_ms() + jitter(d->cfg.irt_ms);
		return;
	}
	if (wait < rt)
		wait = rt;
	if (s->rebinding)
		rebind_failed(d, i, "no binding at the lwAFTR, and the request refused");
	if (i > 0 && !s->valid) {
		/* an extra set refused (quota, no resources): growth waits */
		pcpd_log(LOG_WARN_,
			 "slot %u: another set refused: %s, lifetime %u s; not asking for "
			 "more for %llu ms",
			 i, pcp_result_name(r->result), r->lifetime, (unsigned long long)wait);
		d->grow_backoff_until_ms = b4_now_ms() + wait;
		memset(s, 0, sizeof(*s));
		return;
	}
	pcpd_log(LOG_WARN_, "slot %u: MAP refused: %s, lifetime %u s: retrying in %llu ms", i,
		 pcp_result_name(r->result), r->lifetime, (unsigned long long)wait);
	s->next_send_ms = b4_now_ms() + wait;
}

static void handle_map_response(struct b4d *d, unsigned i, const struct pcp_response *r)
{
	struct b4_slot *s = &d->slot[i];
	struct b4_grant ng;
	struct b4_set set;
	const char *why;
	char s1[80], s2[80], err[512];
	uint32_t lifetime = r->lifetime;
	bool same;

	if (s->releasing) {
		if (r->result == PCP_RES_SUCCESS)
			pcpd_log(LOG_INFO_, "slot %u: released", i);
		else
			pcpd_log(LOG_WARN_, "slot %u: release answered %s; forgotten anyway", i,
				 pcp_result_name(r->result));
		memset(s, 0, sizeof(*s));
		return;
	}
	if (r->result != PCP_RES_SUCCESS) {
		handle_error(d, i, r);
		return;
	}
	if (b4_grant_check(r, (uint16_t)(i + 1), &set, &why)) {
		/* PCPC-7: not a grant; the retransmission schedule goes on */
		pcpd_log(LOG_WARN_,
			 "slot %u: SUCCESS that is no usable port set: %s (port %u, %u s); "
			 "asking again in %llu ms",
			 i, why, r->body.external_port, r->lifetime,
			 (unsigned long long)(s->next_send_ms > b4_now_ms()
						      ? s->next_send_ms - b4_now_ms()
						      : 0));
		return;
	}
	if (lifetime > B4_MAX_LIFETIME) /* PCPC-10: never trust more than 24 h */
		lifetime = B4_MAX_LIFETIME;
	memset(&ng, 0, sizeof(ng));
	ng.slot = i;
	memcpy(ng.nonce, s->g.nonce, PCP_NONCE_LEN);
	ng.ipv4 = set.ipv4;
	ng.first = set.first;
	ng.size = set.size;
	ng.expires_at = (int64_t)pcpd_now() + lifetime;
	same = s->have_set && ng.ipv4 == s->g.ipv4 && ng.first == s->g.first &&
	       ng.size == s->g.size;
	if (!same && s->installed) {
		pcpd_log(LOG_INFO_, "slot %u: grant changed: %s -> %s", i,
			 b4_set_str(&s->g, s1, sizeof(s1)), b4_set_str(&ng, s2, sizeof(s2)));
		b4_uninstall(d, i, "the grant changed"); /* PCPC-11 */
	} else if (s->rebinding && s->installed) {
		pcpd_log(LOG_INFO_, "slot %u: %s granted again unchanged: its mappings kept", i,
			 b4_set_str(&ng, s2, sizeof(s2)));
	}
	s->rebinding = false;
	/* durable first, then in the data plane */
	if (b4store_put(d->store, &ng, err, sizeof(err)))
		pcpd_log(LOG_ERR_, "store: %s", err);
	s->g = ng;
	s->expire_ms = b4_now_ms() + (uint64_t)lifetime * 1000;
	s->have_set = s->valid = true;
	s->pending = false;
	if (!s->installed) {
		if (b4_install(d, i)) {
			/* keep asking: the grant is useless outside the pool */
			b4_start_request(d, i, d->cfg.irt_ms, "pool add failed");
			return;
		}
	} else {
		struct lw_b4_portset ps;

		to_portset(&ng, &ps);
		lw_b4_pool_set_lease(&d->maps, &ps);
	}
	/* PCPC-8: renew at a uniform random 1/2..5/8 of the lifetime */
	s->renew_ms =
		b4_now_ms() + (uint64_t)((double)lifetime * 1000.0 * (0.5 + 0.125 * b4_rand01()));
	pcpd_log(LOG_INFO_, "slot %u: granted %s for %u s (epoch %u, %u tries); renewing in %llu s",
		 i, b4_set_str(&ng, s1, sizeof(s1)), lifetime, r->epoch, s->tries,
		 (unsigned long long)((s->renew_ms - b4_now_ms()) / 1000));
	recovered(d);
}

/* RFC 6887 §8.5: whether the server's epoch, received now, shows a loss
 * of its state since the last one (without a last one: not known, false). */
static bool epoch_check(struct b4d *d, uint32_t epoch)
{
	uint64_t now = b4_now_ms();
	bool lost = d->have_epoch &&
		    b4_epoch_lost(d->prev_epoch, d->prev_epoch_ms / 1000, epoch, now / 1000);

	d->have_epoch = true;
	d->prev_epoch = epoch;
	d->prev_epoch_ms = now;
	return lost;
}

/* Every slot but skip (B4_SLOTS: none) asks again, after a random delay. */
static void re_request_all(struct b4d *d, unsigned skip, const char *why)
{
	b4_lost(d, why);
	for (unsigned i = 0; i < B4_SLOTS; i++)
		if (i != skip && d->slot[i].used && !d->slot[i].releasing)
			b4_start_request(d, i, (uint64_t)(b4_rand01() * d->cfg.reannounce_delay_ms),
					 why);
}

static void handle_message(struct b4d *d, const uint8_t *m, size_t len, bool to_client_port)
{
	struct pcp_response r;
	char desc[512];
	unsigned i;

	if (len < 4 || !(m[1] & PCP_R_BIT))
		return;
	if (pcp_decode_response(m, len, &r)) {
		pcpd_log(LOG_DEBUG_, "ignored an invalid response: %s",
			 pcp_describe(m, len, desc, sizeof(desc)));
		return;
	}
	pcpd_log(LOG_DEBUG_, "received: %s", pcp_describe(m, len, desc, sizeof(desc)));
	if (to_client_port) {
		/* RFC 6887 §14.1.3: an unsolicited ANNOUNCE. It says the server
		 * may have lost its state; the epoch says whether it did since
		 * we last heard from it (§8.5): one loss, one re-request, not
		 * one per ANNOUNCE repeated or sent both unicast and multicast.
		 * Without an epoch to compare with, the sets are asked for. */
		bool known = d->have_epoch;

		if (r.opcode != PCP_OP_ANNOUNCE || r.result != PCP_RES_SUCCESS)
			return;
		if (!epoch_check(d, r.epoch) && known) {
			pcpd_log(LOG_INFO_,
				 "ANNOUNCE (epoch %u): consistent with the last epoch, "
				 "nothing lost",
				 r.epoch);
			return;
		}
		pcpd_log(LOG_INFO_, "ANNOUNCE (epoch %u): the server lost its state", r.epoch);
		re_request_all(d, B4_SLOTS, "ANNOUNCE");
		return;
	}
	/* PCPC-6: our exchange: opcode, nonce, protocol, internal port */
	if (r.opcode != PCP_OP_MAP || !r.has_body)
		return;
	for (i = 0; i < B4_SLOTS; i++)
		if (d->slot[i].used && d->slot[i].pending && r.body.internal_port == i + 1 &&
		    r.body.protocol == slot_protocol(d, i) &&
		    !memcmp(r.body.nonce, d->slot[i].g.nonce, PCP_NONCE_LEN))
			break;
	if (i == B4_SLOTS) {
		pcpd_log(LOG_DEBUG_, "ignored a response that is not to a request of ours");
		return;
	}
	if (epoch_check(d, r.epoch) && d->slot[i].valid) {
		/* this answer is already of the new state: the other sets ask */
		pcpd_log(LOG_INFO_, "epoch discontinuity (now %u): re-requesting the other sets",
			 r.epoch);
		handle_map_response(d, i, &r);
		re_request_all(d, i, "epoch discontinuity");
		return;
	}
	handle_map_response(d, i, &r);
}

/* B4-FRAG-3: not PCP, so a data packet the kernel reassembled from the
 * lwAFTR's IPv6 fragments (the data plane passes fragments up): translated
 * as the data plane would and sent to the LAN host. */
static void reassembled(struct b4d *d, uint8_t *pkt, size_t len)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	const char *why = NULL;
	char a[LW_IPV4_STRLEN];

	if (b4_inbound_xlate(&d->maps, &d->dp, pkt, len, &to.sin_addr.s_addr, &why)) {
		d->reasm_dropped++;
		pcpd_log(LOG_DEBUG_, "reassembled packet from the lwAFTR (%zu octets) dropped: %s",
			 len, why);
		return;
	}
	if (d->icmp_fd < 0 ||
	    sendto(d->icmp_fd, pkt, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		d->reasm_dropped++;
		pcpd_log(LOG_DEBUG_, "reassembled packet to %s (%zu octets): %s",
			 lw_format_ipv4(to.sin_addr.s_addr, a, sizeof(a)), len, strerror(errno));
		return;
	}
	d->reasm_sent++;
	pcpd_log(LOG_DEBUG_, "reassembled packet from the lwAFTR (%zu octets) sent to %s", len,
		 lw_format_ipv4(to.sin_addr.s_addr, a, sizeof(a)));
}

void b4_client_readable(struct b4d *d)
{
	uint8_t *buf = d->rx;

	for (int burst = 0; burst < PCPD_READ_BURST; burst++) {
		struct sockaddr_in6 from;
		socklen_t fl = sizeof(from);
		struct inet_udp u;
		const char *why = NULL;
		ssize_t n = recvfrom(d->fd, buf, sizeof(d->rx), MSG_DONTWAIT,
				     (struct sockaddr *)&from, &fl);

		if (n < 0)
			return;
		if (memcmp(&from.sin6_addr, &d->cfg.aftr, sizeof(d->cfg.aftr)))
			continue; /* PCPC-6, B4-DP-3: only from the lwAFTR */
		if (inet_udp_parse(buf, (size_t)n, &u, &why) ||
		    u.src != htonl(LW_PCP_SERVER_ADDR) || u.sport != LW_PCP_SERVER_PORT) {
			reassembled(d, buf, (size_t)n);
			continue;
		}
		if (u.dport == LW_PCP_CLIENT_PORT &&
		    (u.dst == htonl(LW_PCP_B4_CLIENT_ADDR) || u.dst == htonl(LW_PCP_ALL_HOSTS)))
			handle_message(d, u.payload, u.len, true);
		else if (u.dport == d->sport && u.dst == htonl(LW_PCP_B4_CLIENT_ADDR))
			handle_message(d, u.payload, u.len, false);
	}
}

void b4_client_tick(struct b4d *d)
{
	uint64_t now = b4_now_ms();
	char err[256];

	for (unsigned i = 0; i < B4_SLOTS; i++) {
		struct b4_slot *s = &d->slot[i];

		if (!s->used)
			continue;
		if (s->renew_ms && now >= s->renew_ms) {
			b4_start_request(d, i, 0, "renewal");
			s->timer_renewal = true;
		}
		if (s->valid && now >= s->expire_ms) {
			pcpd_log(LOG_WARN_, "slot %u: the grant expired without a renewal", i);
			b4_uninstall(d, i, "expired");
			s->valid = false;
			if (b4store_delete(d->store, i, err, sizeof(err)))
				pcpd_log(LOG_ERR_, "store: %s", err);
			if (i > 0) { /* an extra set is not asked for again */
				memset(s, 0, sizeof(*s));
				continue;
			}
			/* without a set the lwB4 is down: the request starts over
			 * on the short §8.1.1 schedule, whatever the renewal's was */
			b4_start_request(d, i, 0, "expired");
		}
		send_tick(d, i);
	}
}

uint64_t b4_client_deadline(const struct b4d *d, uint64_t t)
{
	for (unsigned i = 0; i < B4_SLOTS; i++) {
		const struct b4_slot *s = &d->slot[i];

		if (s->pending && s->next_send_ms < t)
			t = s->next_send_ms;
		if (s->renew_ms && s->renew_ms < t)
			t = s->renew_ms;
	}
	return t;
}
