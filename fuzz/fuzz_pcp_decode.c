// fuzz-sources: lib/pcp/pcp_decode.c lib/pcp/pcp_options.c lib/pcp/pcp_validate.c lib/pcp/pcp_encode.c lib/pcp/pcp_describe.c
// SPDX-License-Identifier: GPL-2.0
/* Arbitrary datagrams through the PCP codec, as the server and the client
 * meet them. Each input goes to pcp_server_validate() twice: from a fixed
 * source (192.0.0.2, the lwB4 inside the tunnel) and from the address in
 * its own Client IP field, so that inputs get past ADDRESS_MISMATCH to the
 * option walk. Every verdict that answers is encoded into 1100 octets and
 * the answer held to RFC 6887 §7.2/§7.3/§8.2: at most 1100 octets, a
 * multiple of 4, version 2, R set, the request's opcode, the verdict's
 * result code, zeroed reserved fields; an error copies the request; a
 * success decodes again to what was granted. Then the input goes to the
 * client's pcp_decode_response() and to pcp_describe(). A broken invariant
 * is __builtin_trap(), which libFuzzer reports with the input. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include "pcp_msg.h"

#define CHECK(cond)                        \
	do {                               \
		if (!(cond))               \
			__builtin_trap();  \
	} while (0)

/* One request's worth of state; kept off the stack (they are ~4 KiB each). */
struct scratch {
	struct pcp_request req;
	struct pcp_request again;
	struct pcp_response rsp;
	uint8_t out[PCP_MAX_LEN];
	uint8_t reencoded[PCP_MAX_LEN];
};

static void check_header(const uint8_t *out, int n, uint8_t opcode, uint8_t result)
{
	static const uint8_t zero12[12];

	CHECK(n >= PCP_HEADER_LEN && n <= PCP_MAX_LEN && n % 4 == 0);
	CHECK(out[0] == PCP_VERSION);
	CHECK(out[1] == (PCP_R_BIT | opcode));
	CHECK(out[2] == 0);
	CHECK(out[3] == result);
	CHECK(memcmp(out + 12, zero12, 12) == 0);
}

/* The only datagrams that get no answer (§8.2). */
static void check_drop(const uint8_t *data, size_t size)
{
	CHECK(size < 2 || (data[1] & PCP_R_BIT) || (data[0] == PCP_VERSION && size < PCP_HEADER_LEN));
}

static void check_error(struct scratch *s, const uint8_t *data, size_t size, uint8_t rc)
{
	size_t copied = size < PCP_MAX_LEN ? size : PCP_MAX_LEN;
	int n;

	CHECK(rc >= PCP_RES_UNSUPP_VERSION && rc <= PCP_RES_EXCESSIVE_REMOTE_PEERS);
	n = pcp_encode_response(&s->req, rc, 1800, 7, NULL, s->out, sizeof(s->out));
	check_header(s->out, n, data[1] & PCP_OPCODE_MASK, rc);
	/* §7.3: a copy of the request (cut to 1100, padded with zeros) */
	CHECK((size_t)n >= copied);
	if (copied > PCP_HEADER_LEN)
		CHECK(memcmp(s->out + PCP_HEADER_LEN, data + PCP_HEADER_LEN, copied - PCP_HEADER_LEN) == 0);
	if (pcp_decode_response(s->out, (size_t)n, &s->rsp) == 0)
		CHECK(s->rsp.result == rc);
}

static void check_success(struct scratch *s, const uint8_t *data, size_t size)
{
	const struct pcp_request *req = &s->req;
	struct pcp_map_answer ans = { 0 };
	int n;

	/* grant the whole set, or a smaller part of it chosen by the input */
	ans.external_port = req->body.external_port;
	ans.external_addr = req->body.external_addr;
	ans.port_set_size = 1;
	if (req->opcode == PCP_OP_MAP && req->opts.has_port_set) {
		ans.port_set_size = (uint16_t)(req->opts.port_set.size >> (data[size - 1] & 15));
		ans.first_internal_port = req->body.internal_port;
		ans.parity = req->opts.port_set.parity;
	}
	n = pcp_encode_response(req, PCP_RES_SUCCESS, req->lifetime, 7, &ans, s->out, sizeof(s->out));
	check_header(s->out, n, req->opcode, PCP_RES_SUCCESS);
	/* the answer carries a subset of the request's options */
	CHECK((size_t)n <= size);
	CHECK(pcp_decode_response(s->out, (size_t)n, &s->rsp) == 0);
	CHECK(s->rsp.opcode == req->opcode && s->rsp.result == PCP_RES_SUCCESS);
	CHECK(s->rsp.opts.n_unknown == 0);
	CHECK(s->rsp.opts.has_third_party == req->opts.has_third_party);
	CHECK(s->rsp.opts.has_port_set == (ans.port_set_size > 1));
	if (ans.port_set_size > 1)
		CHECK(s->rsp.opts.port_set.size == ans.port_set_size);
	if (req->opcode != PCP_OP_ANNOUNCE) {
		CHECK(memcmp(s->rsp.body.nonce, req->body.nonce, PCP_NONCE_LEN) == 0);
		CHECK(s->rsp.body.internal_port == req->body.internal_port);
		CHECK(s->rsp.body.external_port == ans.external_port);
	}

	/* the request encodes again and decodes to the same thing */
	n = pcp_encode_request(req, s->reencoded, sizeof(s->reencoded));
	CHECK(n >= PCP_HEADER_LEN && (size_t)n <= size && n % 4 == 0);
	CHECK(pcp_decode_request(s->reencoded, (size_t)n, &s->again) == 0);
	CHECK(s->again.opcode == req->opcode && s->again.lifetime == req->lifetime);
	CHECK(s->again.opts.n_filters == req->opts.n_filters);
	CHECK(s->again.opts.has_port_set == req->opts.has_port_set);
	CHECK(s->again.body.internal_port == req->body.internal_port);
}

static void check_server(struct scratch *s, const uint8_t *data, size_t size, const struct in6_addr *src)
{
	uint8_t rc = 0xee;
	enum pcp_verdict v = pcp_server_validate(data, size, src, &s->req, &rc);
	int decoded = pcp_decode_request(data, size, &s->again);

	switch (v) {
	case PCP_VERDICT_DROP:
		check_drop(data, size);
		CHECK(decoded < 0);
		break;
	case PCP_VERDICT_ERROR:
		CHECK(decoded >= 0);
		/* decode_request sees the same errors, except the ones that
		 * need the source or §11.3 */
		if (decoded > 0)
			CHECK(rc == decoded || rc == PCP_RES_ADDRESS_MISMATCH);
		else
			CHECK(rc == PCP_RES_ADDRESS_MISMATCH || rc == PCP_RES_MALFORMED_REQUEST);
		check_error(s, data, size, rc);
		break;
	case PCP_VERDICT_PROCESS:
		CHECK(rc == PCP_RES_SUCCESS && decoded == 0);
		check_success(s, data, size);
		/* §13.1: a refused THIRD_PARTY is UNSUPP_OPTION, one naming
		 * the sender MALFORMED_REQUEST, no THIRD_PARTY nothing */
		rc = pcp_third_party_check(&s->req, src, false);
		CHECK(rc == (s->req.opts.has_third_party ? PCP_RES_UNSUPP_OPTION : PCP_RES_SUCCESS));
		rc = pcp_third_party_check(&s->req, src, true);
		CHECK(rc == PCP_RES_SUCCESS || (rc == PCP_RES_MALFORMED_REQUEST && s->req.opts.has_third_party &&
						 memcmp(&s->req.opts.third_party_addr, src, 16) == 0));
		break;
	default:
		__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct scratch s;
	struct in6_addr src;
	char line[512];
	int rc;

	pcp_addr_from_ipv4(&src, htonl(0xc0000002)); /* 192.0.0.2 */
	check_server(&s, data, size, &src);
	if (size >= PCP_HEADER_LEN) {
		memcpy(src.s6_addr, data + 8, 16);
		check_server(&s, data, size, &src);
	}

	rc = pcp_decode_response(data, size, &s.rsp);
	if (rc == 0) {
		CHECK(size >= PCP_HEADER_LEN && size <= PCP_MAX_LEN && size % 4 == 0);
		CHECK(data[0] == PCP_VERSION && (data[1] & PCP_R_BIT));
		CHECK(s.rsp.result == data[3]);
	}

	if (size >= 4) {
		uint32_t epoch = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 | data[3];

		check_header(s.out, pcp_encode_announce(epoch, s.out, sizeof(s.out)), PCP_OP_ANNOUNCE, 0);
		CHECK(memcmp(s.out + 8, data, 4) == 0);
	}

	pcp_describe(data, size, line, sizeof(line));
	CHECK(strlen(line) < sizeof(line));
	return 0;
}
