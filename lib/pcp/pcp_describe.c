// SPDX-License-Identifier: GPL-2.0
/* Names of PCP codes and a one-line description of any datagram, for logs:
 * pcpd logs what it received and what it answered, and a line has to say
 * enough to match a request with its response (opcode, nonce, ports). */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "pcp_msg_priv.h"

static const char *const result_names[] = {
	[PCP_RES_SUCCESS] = "SUCCESS",
	[PCP_RES_UNSUPP_VERSION] = "UNSUPP_VERSION",
	[PCP_RES_NOT_AUTHORIZED] = "NOT_AUTHORIZED",
	[PCP_RES_MALFORMED_REQUEST] = "MALFORMED_REQUEST",
	[PCP_RES_UNSUPP_OPCODE] = "UNSUPP_OPCODE",
	[PCP_RES_UNSUPP_OPTION] = "UNSUPP_OPTION",
	[PCP_RES_MALFORMED_OPTION] = "MALFORMED_OPTION",
	[PCP_RES_NETWORK_FAILURE] = "NETWORK_FAILURE",
	[PCP_RES_NO_RESOURCES] = "NO_RESOURCES",
	[PCP_RES_UNSUPP_PROTOCOL] = "UNSUPP_PROTOCOL",
	[PCP_RES_USER_EX_QUOTA] = "USER_EX_QUOTA",
	[PCP_RES_CANNOT_PROVIDE_EXTERNAL] = "CANNOT_PROVIDE_EXTERNAL",
	[PCP_RES_ADDRESS_MISMATCH] = "ADDRESS_MISMATCH",
	[PCP_RES_EXCESSIVE_REMOTE_PEERS] = "EXCESSIVE_REMOTE_PEERS",
};

const char *pcp_result_name(uint8_t result)
{
	if (result < sizeof(result_names) / sizeof(result_names[0]))
		return result_names[result];
	return "UNKNOWN_RESULT";
}

const char *pcp_opcode_name(uint8_t opcode)
{
	switch (opcode) {
	case PCP_OP_ANNOUNCE: return "ANNOUNCE";
	case PCP_OP_MAP: return "MAP";
	case PCP_OP_PEER: return "PEER";
	default: return "UNKNOWN_OPCODE";
	}
}

/* A line that is cut at cap rather than overflowing it. */
struct line {
	char *buf;
	size_t cap;
	size_t len;
};

static void add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->len + 1 >= l->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, l->cap - l->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	l->len += (size_t)n;
	if (l->len >= l->cap)
		l->len = l->cap - 1;
}

/* IPv4-mapped addresses as a.b.c.d, others as [v6] when a port follows. */
static void add_addr(struct line *l, const struct in6_addr *a, bool with_port, uint16_t port)
{
	char text[INET6_ADDRSTRLEN];

	if (pcp_addr_is_ipv4_mapped(a)) {
		inet_ntop(AF_INET, &a->s6_addr[12], text, sizeof(text));
		if (with_port)
			add(l, "%s:%u", text, port);
		else
			add(l, "%s", text);
		return;
	}
	inet_ntop(AF_INET6, a, text, sizeof(text));
	if (with_port)
		add(l, "[%s]:%u", text, port);
	else
		add(l, "%s", text);
}

static void add_body(struct line *l, uint8_t opcode, const struct pcp_body *b)
{
	int i;

	add(l, " nonce=");
	for (i = 0; i < PCP_NONCE_LEN; i++)
		add(l, "%02x", b->nonce[i]);
	add(l, " proto=%u int=%u ext=", b->protocol, b->internal_port);
	add_addr(l, &b->external_addr, true, b->external_port);
	if (opcode == PCP_OP_PEER) {
		add(l, " peer=");
		add_addr(l, &b->remote_peer_addr, true, b->remote_peer_port);
	}
}

static void add_options(struct line *l, const struct pcp_options *o)
{
	uint16_t i;

	if (o->has_third_party) {
		add(l, " THIRD_PARTY=");
		add_addr(l, &o->third_party_addr, false, 0);
	}
	if (o->prefer_failure)
		add(l, " PREFER_FAILURE");
	for (i = 0; i < o->n_filters && i < PCP_MAX_FILTERS; i++) {
		add(l, " FILTER=");
		add_addr(l, &o->filters[i].remote_peer_addr, false, 0);
		add(l, "/%u:%u", o->filters[i].prefix_len, o->filters[i].remote_peer_port);
	}
	if (o->has_port_set)
		add(l, " PORT_SET=%u/%u/P%d", o->port_set.size, o->port_set.first_internal_port,
		    o->port_set.parity ? 1 : 0);
	for (i = 0; i < o->n_unknown && i < PCP_MAX_UNKNOWN_OPTIONS; i++)
		add(l, " option%u(%u)", o->unknown[i].code, o->unknown[i].length);
}

static void describe_request(struct line *l, const uint8_t *buf, size_t len)
{
	struct pcp_request req;
	int rc = pcp_decode_request(buf, len, &req);

	if (rc < 0) {
		add(l, "not a PCP request (%zu octets)", len);
		return;
	}
	if (rc > 0) {
		add(l, "version %u %s request refused: %s (%zu octets)", req.version,
		    pcp_opcode_name(req.opcode), pcp_result_name((uint8_t)rc), len);
		return;
	}
	add(l, "%s request lifetime=%u client=", pcp_opcode_name(req.opcode), req.lifetime);
	add_addr(l, &req.client_addr, false, 0);
	if (req.opcode != PCP_OP_ANNOUNCE)
		add_body(l, req.opcode, &req.body);
	add_options(l, &req.opts);
}

static void describe_response(struct line *l, const uint8_t *buf, size_t len)
{
	struct pcp_response rsp;
	int rc = pcp_decode_response(buf, len, &rsp);

	if (rc != 0) {
		if (len >= 4)
			add(l, "invalid PCP response: version %u opcode %u result %u (%zu octets)",
			    rsp.version, rsp.opcode, rsp.result, len);
		else
			add(l, "invalid PCP response (%zu octets)", len);
		return;
	}
	add(l, "%s response %s lifetime=%u epoch=%u", pcp_opcode_name(rsp.opcode),
	    pcp_result_name(rsp.result), rsp.lifetime, rsp.epoch);
	if (rsp.has_body && rsp.opcode != PCP_OP_ANNOUNCE)
		add_body(l, rsp.opcode, &rsp.body);
	add_options(l, &rsp.opts);
}

const char *pcp_describe(const uint8_t *buf, size_t len, char *out, size_t cap)
{
	struct line l = { .buf = out, .cap = cap, .len = 0 };

	if (!out || cap == 0)
		return out;
	out[0] = '\0';
	if (!buf || len < 2)
		add(&l, "not a PCP message (%zu octets)", buf ? len : 0);
	else if (buf[1] & PCP_R_BIT)
		describe_response(&l, buf, len);
	else
		describe_request(&l, buf, len);
	return out;
}
