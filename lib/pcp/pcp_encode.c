// SPDX-License-Identifier: GPL-2.0
/* Building PCP messages: requests (the lwB4 client, tests), responses
 * (success and error) and the unsolicited ANNOUNCE. Every message is first
 * built in a PCP_MAX_LEN buffer, so that the 1100-octet limit (RFC 6887 §7)
 * and the caller's capacity are checked in one place. */
#include <errno.h>
#include <string.h>
#include "pcp_msg_priv.h"

struct writer {
	uint8_t buf[PCP_MAX_LEN];
	size_t len;
	bool overflow; /* the message would exceed 1100 octets */
};

static uint8_t *reserve(struct writer *w, size_t n)
{
	uint8_t *p;

	if (w->overflow || n > sizeof(w->buf) - w->len) {
		w->overflow = true;
		return NULL;
	}
	p = w->buf + w->len;
	memset(p, 0, n); /* reserved fields and padding are sent as 0 */
	w->len += n;
	return p;
}

/* An option header, then room for its data, zero-padded to 4 (§7.3). */
static uint8_t *put_option(struct writer *w, uint8_t code, uint16_t length)
{
	uint8_t *p = reserve(w, PCP_OPTION_HEADER_LEN + pcp_pad4(length));

	if (!p)
		return NULL;
	p[0] = code;
	sp_put16(p + 2, length);
	return p + PCP_OPTION_HEADER_LEN;
}

static void put_port_set(struct writer *w, const struct pcp_port_set *ps)
{
	uint8_t *d = put_option(w, PCP_OPT_PORT_SET, PCP_PORT_SET_LEN);

	if (!d)
		return;
	sp_put16(d, ps->size);
	sp_put16(d + 2, ps->first_internal_port);
	d[4] = ps->parity ? PCP_PORT_SET_PARITY : 0;
}

/* THIRD_PARTY, PREFER_FAILURE, FILTERs, then PORT_SET when port_set is not
 * NULL. PORT_SET goes last: its 5-octet length derails Wireshark's decode
 * of whatever follows it (pcp.md §4, bug 1). */
static void put_options(struct writer *w, const struct pcp_options *opts,
			const struct pcp_port_set *port_set)
{
	uint8_t *d;
	uint16_t i;

	if (opts->has_third_party) {
		d = put_option(w, PCP_OPT_THIRD_PARTY, PCP_THIRD_PARTY_LEN);
		if (d)
			memcpy(d, opts->third_party_addr.s6_addr, 16);
	}
	if (opts->prefer_failure)
		put_option(w, PCP_OPT_PREFER_FAILURE, PCP_PREFER_FAILURE_LEN);
	for (i = 0; i < opts->n_filters && i < PCP_MAX_FILTERS; i++) {
		const struct pcp_filter *f = &opts->filters[i];

		d = put_option(w, PCP_OPT_FILTER, PCP_FILTER_LEN);
		if (!d)
			return;
		d[1] = f->prefix_len;
		sp_put16(d + 2, f->remote_peer_port);
		memcpy(d + 4, f->remote_peer_addr.s6_addr, 16);
	}
	if (port_set)
		put_port_set(w, port_set);
}

/* The MAP body (§11.1) or PEER body (§12.1), with the external port and
 * address given separately: suggested ones in a request, assigned ones in
 * a response. */
static void put_body(struct writer *w, uint8_t opcode, const struct pcp_body *b,
		     uint16_t external_port, const struct in6_addr *external_addr)
{
	uint8_t *p;

	if (opcode != PCP_OP_MAP && opcode != PCP_OP_PEER)
		return;
	p = reserve(w, (size_t)pcp_body_len(opcode));
	if (!p)
		return;
	memcpy(p, b->nonce, PCP_NONCE_LEN);
	p[12] = b->protocol;
	sp_put16(p + 16, b->internal_port);
	sp_put16(p + 18, external_port);
	memcpy(p + 20, external_addr->s6_addr, 16);
	if (opcode == PCP_OP_PEER) {
		sp_put16(p + 36, b->remote_peer_port);
		memcpy(p + 40, b->remote_peer_addr.s6_addr, 16);
	}
}

static uint8_t *put_response_header(struct writer *w, uint8_t opcode, uint8_t result,
				    uint32_t lifetime, uint32_t epoch)
{
	uint8_t *p = reserve(w, PCP_HEADER_LEN);

	if (!p)
		return NULL;
	p[0] = PCP_VERSION;
	p[1] = PCP_R_BIT | (opcode & PCP_OPCODE_MASK);
	p[3] = result;
	sp_put32(p + 4, lifetime);
	sp_put32(p + 8, epoch);
	return p; /* octets 2 and 12..23 stay 0: reserved (§7.2) */
}

static int finish(const struct writer *w, uint8_t *out, size_t cap)
{
	if (w->overflow)
		return -EMSGSIZE;
	if (w->len > cap)
		return -ENOSPC;
	memcpy(out, w->buf, w->len);
	return (int)w->len;
}

static int build_request(const struct pcp_request *req, struct writer *w)
{
	uint8_t *p;

	if (pcp_body_len(req->opcode) < 0 || req->opts.n_filters > PCP_MAX_FILTERS)
		return -EINVAL;
	p = reserve(w, PCP_HEADER_LEN);
	if (!p)
		return -EMSGSIZE;
	p[0] = PCP_VERSION;
	p[1] = req->opcode; /* R = 0 */
	sp_put32(p + 4, req->lifetime);
	memcpy(p + 8, req->client_addr.s6_addr, 16);
	put_body(w, req->opcode, &req->body, req->body.external_port, &req->body.external_addr);
	put_options(w, &req->opts, req->opts.has_port_set ? &req->opts.port_set : NULL);
	return w->overflow ? -EMSGSIZE : 0;
}

int pcp_encode_request(const struct pcp_request *req, uint8_t *out, size_t cap)
{
	struct writer w = { .len = 0 };
	int rc;

	if (!req || !out)
		return -EINVAL;
	rc = build_request(req, &w);
	if (rc)
		return rc;
	return finish(&w, out, cap);
}

/* §7.3: "a complete copy of the request packet with the error code and
 * other appropriate fields set in the header"; §8.2: truncated to 1100
 * octets; standards.md §5.1: zero-padded to a multiple of 4. The header
 * becomes a response header: version 2 even when the request's was not
 * (§9), R, the opcode as received, result, lifetime, epoch, and the 12
 * reserved octets that held the Client IP set to 0 (§7.2). */
static int encode_error(const struct pcp_request *req, uint8_t result, uint32_t lifetime,
			uint32_t epoch, uint8_t *out, size_t cap)
{
	struct writer w = { .len = 0 };
	size_t copied;
	uint8_t opcode;
	int rc;

	if (req->raw_len > 0) {
		copied = req->raw_len < PCP_MAX_LEN ? req->raw_len : PCP_MAX_LEN;
		memcpy(w.buf, req->raw, copied);
		opcode = copied >= 2 ? (uint8_t)(req->raw[1] & PCP_OPCODE_MASK) : req->opcode;
	} else {
		rc = build_request(req, &w);
		if (rc)
			return rc;
		copied = w.len;
		opcode = req->opcode;
	}
	w.len = pcp_pad4(copied);
	if (w.len < PCP_HEADER_LEN)
		w.len = PCP_HEADER_LEN;
	memset(w.buf + copied, 0, w.len - copied);
	w.buf[0] = PCP_VERSION;
	w.buf[1] = PCP_R_BIT | opcode;
	w.buf[2] = 0;
	w.buf[3] = result;
	sp_put32(w.buf + 4, lifetime);
	sp_put32(w.buf + 8, epoch);
	memset(w.buf + 12, 0, 12);
	return finish(&w, out, cap);
}

int pcp_encode_response(const struct pcp_request *req, uint8_t result, uint32_t lifetime,
			uint32_t epoch, const struct pcp_map_answer *ans, uint8_t *out, size_t cap)
{
	struct writer w = { .len = 0 };
	struct pcp_port_set granted;
	const struct pcp_port_set *port_set = NULL;

	if (!req || !out)
		return -EINVAL;
	if (result != PCP_RES_SUCCESS)
		return encode_error(req, result, lifetime, epoch, out, cap);
	if (pcp_body_len(req->opcode) < 0)
		return -EINVAL;
	put_response_header(&w, req->opcode, PCP_RES_SUCCESS, lifetime, epoch);
	if (req->opcode == PCP_OP_ANNOUNCE)
		return finish(&w, out, cap); /* §14.1: no body and no options */
	if (!ans)
		return -EINVAL;
	if (ans->port_set_size > 1) {
		/* RFC 7753 §4.2: a set only in answer to a PORT_SET request,
		 * never more ports than asked for. */
		if (req->opcode != PCP_OP_MAP || !req->opts.has_port_set ||
		    ans->port_set_size > req->opts.port_set.size)
			return -EINVAL;
		granted.size = ans->port_set_size;
		granted.first_internal_port = ans->first_internal_port;
		granted.parity = ans->parity;
		port_set = &granted;
	}
	put_body(&w, req->opcode, &req->body, ans->external_port, &ans->external_addr);
	put_options(&w, &req->opts, port_set);
	return finish(&w, out, cap);
}

int pcp_encode_announce(uint32_t epoch, uint8_t *out, size_t cap)
{
	struct writer w = { .len = 0 };

	if (!out)
		return -EINVAL;
	put_response_header(&w, PCP_OP_ANNOUNCE, PCP_RES_SUCCESS, 0, epoch);
	return finish(&w, out, cap);
}
