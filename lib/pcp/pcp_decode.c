// SPDX-License-Identifier: GPL-2.0
/* Header and opcode body of PCP requests and responses (RFC 6887 §7.1,
 * §7.2, §11.1, §12.1). Options are pcp_options.c's. */
#include <errno.h>
#include <string.h>
#include "pcp_msg_priv.h"

int pcp_body_len(uint8_t opcode)
{
	switch (opcode) {
	case PCP_OP_ANNOUNCE: return 0; /* §14.1: the common header only */
	case PCP_OP_MAP: return PCP_MAP_BODY_LEN;
	case PCP_OP_PEER: return PCP_PEER_BODY_LEN;
	default: return -1;
	}
}

/* RFC 6887 §8.2, in its order. The version is looked at before the 24-octet
 * minimum, so a short request of another version (a 2-octet NAT-PMP request
 * is version 0) still learns that the server speaks version 2 (§9). */
int pcp_check_request_header(const uint8_t *buf, size_t len)
{
	int body;

	if (len < 2)
		return PCP_CHECK_DROP;
	if (buf[1] & PCP_R_BIT)
		return PCP_CHECK_DROP; /* a response: never answer one */
	if (buf[0] != PCP_VERSION)
		return PCP_RES_UNSUPP_VERSION;
	if (len < PCP_HEADER_LEN)
		return PCP_CHECK_DROP;
	if (len > PCP_MAX_LEN || len % 4 != 0)
		return PCP_RES_MALFORMED_REQUEST;
	body = pcp_body_len(buf[1] & PCP_OPCODE_MASK);
	if (body < 0)
		return PCP_RES_UNSUPP_OPCODE;
	if (len < (size_t)(PCP_HEADER_LEN + body))
		return PCP_RES_MALFORMED_REQUEST; /* too short for the opcode */
	return 0;
}

void pcp_read_body(const uint8_t *buf, uint8_t opcode, struct pcp_body *body)
{
	const uint8_t *b = buf + PCP_HEADER_LEN;

	memset(body, 0, sizeof(*body));
	if (opcode != PCP_OP_MAP && opcode != PCP_OP_PEER)
		return;
	/* The 3 reserved octets after Protocol (and 2 after Remote Peer Port)
	 * are ignored when received (§11.1, §12.1). */
	memcpy(body->nonce, b, PCP_NONCE_LEN);
	body->protocol = b[12];
	body->internal_port = sp_get16(b + 16);
	body->external_port = sp_get16(b + 18);
	memcpy(body->external_addr.s6_addr, b + 20, 16);
	if (opcode == PCP_OP_PEER) {
		body->remote_peer_port = sp_get16(b + 36);
		memcpy(body->remote_peer_addr.s6_addr, b + 40, 16);
	}
}

int pcp_begin_request(const uint8_t *buf, size_t len, struct pcp_request *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = pcp_check_request_header(buf, len);
	if (rc == PCP_CHECK_DROP)
		return rc;
	/* Kept for the error response, which is a copy of the request
	 * truncated to 1100 octets (§8.2). */
	out->raw_len = (uint16_t)(len < PCP_MAX_LEN ? len : PCP_MAX_LEN);
	memcpy(out->raw, buf, out->raw_len);
	out->version = buf[0];
	out->opcode = buf[1] & PCP_OPCODE_MASK;
	if (rc != 0)
		return rc;
	out->lifetime = sp_get32(buf + 4);
	memcpy(out->client_addr.s6_addr, buf + 8, 16);
	pcp_read_body(buf, out->opcode, &out->body);
	return 0;
}

int pcp_decode_request(const uint8_t *buf, size_t len, struct pcp_request *out)
{
	int rc;

	if (!buf || !out)
		return -EBADMSG;
	rc = pcp_begin_request(buf, len, out);
	if (rc == PCP_CHECK_DROP)
		return -EBADMSG;
	if (rc != 0)
		return rc;
	return pcp_parse_options(buf, len, PCP_HEADER_LEN + (size_t)pcp_body_len(out->opcode),
				 out->opcode, out->lifetime, true, &out->opts);
}

int pcp_decode_response(const uint8_t *buf, size_t len, struct pcp_response *out)
{
	int body;

	if (!buf || !out)
		return -EBADMSG;
	memset(out, 0, sizeof(*out));
	if (len >= 4) {
		out->version = buf[0];
		out->opcode = buf[1] & PCP_OPCODE_MASK;
		out->result = buf[3];
	}
	/* PCPC-6: a client accepts 24..1100 octets, a multiple of 4, R = 1. */
	if (len < PCP_HEADER_LEN || len > PCP_MAX_LEN || len % 4 != 0 || !(buf[1] & PCP_R_BIT))
		return -EBADMSG;
	if (buf[0] != PCP_VERSION)
		return -EPROTONOSUPPORT;
	out->lifetime = sp_get32(buf + 4);
	out->epoch = sp_get32(buf + 8);
	body = pcp_body_len(out->opcode);
	if (out->result != PCP_RES_SUCCESS) {
		/* An error response is a copy of the request (§7.3): of one
		 * with an unknown opcode (UNSUPP_OPCODE), one too short for
		 * its opcode (MALFORMED_REQUEST), one whose options are
		 * broken (MALFORMED_OPTION). The header is what the client
		 * needs; the body and options are read when they parse. */
		if (body < 0 || len < (size_t)(PCP_HEADER_LEN + body))
			return 0;
		out->has_body = true;
		pcp_read_body(buf, out->opcode, &out->body);
		if (pcp_parse_options(buf, len, PCP_HEADER_LEN + (size_t)body, out->opcode, 0,
				      false, &out->opts))
			memset(&out->opts, 0, sizeof(out->opts));
		return 0;
	}
	if (body < 0 || len < (size_t)(PCP_HEADER_LEN + body))
		return -EBADMSG;
	out->has_body = true;
	pcp_read_body(buf, out->opcode, &out->body);
	if (pcp_parse_options(buf, len, PCP_HEADER_LEN + (size_t)body, out->opcode, 0, false,
			      &out->opts))
		return -EBADMSG;
	return 0;
}
