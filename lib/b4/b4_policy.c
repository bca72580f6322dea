// SPDX-License-Identifier: GPL-2.0
/* Decisions of pcpd --role b4 (b4_policy.h). */
#include <errno.h>
#include <string.h>

#include "lw4o6/pcp.h"
#include "b4_policy.h"

static bool power_of_two(uint32_t x)
{
	return x && !(x & (x - 1));
}

void b4_map_request(struct pcp_request *req, unsigned slot, uint8_t protocol, uint32_t lifetime,
		    const uint8_t nonce[PCP_NONCE_LEN], __be32 held_ipv4, uint16_t held_first)
{
	memset(req, 0, sizeof(*req));
	req->version = PCP_VERSION;
	req->opcode = PCP_OP_MAP;
	req->lifetime = lifetime;
	pcp_addr_from_ipv4(&req->client_addr, htonl(LW_PCP_B4_CLIENT_ADDR));
	memcpy(req->body.nonce, nonce, PCP_NONCE_LEN);
	req->body.protocol = protocol;
	req->body.internal_port = (uint16_t)(slot + 1);
	/* the set held or last held, to get it back (RFC 6887 §11.3);
	 * otherwise ::ffff:0.0.0.0, an IPv4 address without preference
	 * (§11.1: :: would ask for IPv6) */
	pcp_addr_from_ipv4(&req->body.external_addr, held_ipv4);
	if (held_ipv4)
		req->body.external_port = held_first;
	req->opts.has_port_set = true;
	req->opts.port_set.size = B4_REQUEST_SET_SIZE;
	req->opts.port_set.first_internal_port = (uint16_t)(slot + 1);
}

uint64_t b4_next_rt_ms(uint64_t rt_ms, uint64_t irt_ms)
{
	if (!rt_ms)
		return irt_ms;
	return 2 * rt_ms < B4_MRT_MS ? 2 * rt_ms : B4_MRT_MS;
}

uint8_t b4_slot_protocol(unsigned slot, bool proto0_refused)
{
	return slot || proto0_refused ? IPPROTO_UDP : 0;
}

int b4_grant_check(const struct pcp_response *r, uint16_t internal_port, struct b4_set *out,
		   const char **why)
{
	const struct pcp_port_set *ps = &r->opts.port_set;
	uint32_t first = r->body.external_port;

	if (!r->opts.has_port_set) {
		*why = "no PORT_SET: the server mapped a single port (it does not support RFC 7753)";
		return -1;
	}
	if (ps->size == B4_REQUEST_SET_SIZE && ps->first_internal_port == internal_port &&
	    !ps->parity) {
		*why = "PORT_SET echoed back unchanged (a server that ignores it, as miniupnpd does)";
		return -1;
	}
	if (ps->size < 2) {
		*why = "a PORT_SET of one port";
		return -1;
	}
	if (r->lifetime == 0) {
		*why = "lifetime 0";
		return -1;
	}
	if (!pcp_addr_is_ipv4_mapped(&r->body.external_addr)) {
		*why = "the external address is not IPv4";
		return -1;
	}
	if (!power_of_two(ps->size) || first % ps->size || first + ps->size > 65536) {
		*why = "the set is not an aligned power-of-two block (RFC 7596 §5.1, B4-PROV-7)";
		return -1;
	}
	memcpy(&out->ipv4, &r->body.external_addr.s6_addr[12], 4);
	out->first = first;
	out->size = ps->size;
	*why = NULL;
	return 0;
}

bool b4_pool_grow(const struct b4_pool_view *v, unsigned grow_pct, bool exhausted)
{
	if (v->sets >= v->max_sets || v->request_pending || v->backing_off || v->sets == 0)
		return false;
	if (exhausted)
		return true;
	return grow_pct && v->ports && v->mapped * 100 >= (uint64_t)grow_pct * v->ports;
}

int b4_pool_release(const struct b4_set_use *sets, size_t n, uint64_t mapped, uint64_t now_ms,
		    uint64_t idle_ms, unsigned release_pct)
{
	uint64_t ports = 0;

	for (size_t i = 0; i < n; i++)
		ports += sets[i].ports;
	for (size_t i = n; i-- > 0;) {
		const struct b4_set_use *u = &sets[i];
		uint64_t left = ports - u->ports;

		if (!u->releasable || u->mappings || !u->idle_since_ms ||
		    now_ms < u->idle_since_ms || now_ms - u->idle_since_ms < idle_ms || !left)
			continue;
		if (mapped * 100 < (uint64_t)release_pct * left)
			return (int)i;
	}
	return -1;
}

static bool in_set(const struct b4_set *s, __be32 addr, uint32_t port)
{
	return s->ipv4 == addr && port >= s->first && port - s->first < s->size;
}

int b4_lan_pick_port(const struct b4_set *sets, size_t n, __be32 want_addr, uint16_t want_port,
		     uint16_t internal_port, bool prefer_failure, uint32_t rnd,
		     b4_port_free_fn is_free, void *ctx, __be32 *addr, uint16_t *port)
{
	uint64_t total = 0, start;

	if (!n)
		return -ENOENT;
	for (size_t i = 0; i < n; i++) {
		/* RFC 6887 §11.1: the all-zeros address is no preference, the
		 * port still is one */
		__be32 a = want_addr ? want_addr : sets[i].ipv4;

		if (want_port && in_set(&sets[i], a, want_port) && is_free(ctx, a, want_port)) {
			*addr = a;
			*port = want_port;
			return 0;
		}
		total += sets[i].size;
	}
	/* §13.2: the suggestion or nothing. A suggestion of port 0 or of the
	 * address 0 leaves the choice to us. */
	if (prefer_failure && want_port)
		return -EADDRNOTAVAIL;
	for (size_t i = 0; i < n; i++) {
		if (internal_port >= sets[i].first &&
		    internal_port - sets[i].first < sets[i].size &&
		    is_free(ctx, sets[i].ipv4, internal_port)) {
			*addr = sets[i].ipv4;
			*port = internal_port;
			return 0;
		}
	}
	start = rnd % total;
	for (uint64_t k = 0; k < total; k++) {
		uint64_t off = (start + k) % total;
		size_t i = 0;

		while (off >= sets[i].size)
			off -= sets[i++].size;
		if (is_free(ctx, sets[i].ipv4, (uint16_t)(sets[i].first + off))) {
			*addr = sets[i].ipv4;
			*port = (uint16_t)(sets[i].first + off);
			return 0;
		}
	}
	return -ENOSPC;
}

bool b4_epoch_lost(uint32_t prev, uint64_t prev_time, uint32_t curr, uint64_t now)
{
	int64_t c = (int64_t)(now - prev_time);
	int64_t s = (int64_t)curr - (int64_t)prev;

	/* §8.5: the server's clock may not run backwards by more than a
	 * second, nor drift from ours by more than 1/16 plus 2 s */
	return s < -1 || c + 2 < s - s / 16 || s + 2 < c - c / 16;
}

uint64_t b4_renewal_retry_ms(int64_t left_ms)
{
	return left_ms / 2 > 4000 ? (uint64_t)(left_ms / 2) : 4000;
}
