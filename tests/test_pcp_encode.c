// SPDX-License-Identifier: GPL-2.0
/* pcp_encode_response(), pcp_encode_request(), pcp_encode_announce() and the
 * names/log line: expected messages written out octet by octet (RFC 6887
 * §7.2, §7.3, §8.2, §9, §14.1; RFC 7753 §4.2), then round trips through the
 * decoders. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "pcp_msg.h"

#define V4MAPPED(a, b, c, d) 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d
#define ZERO12 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0

static struct pcp_request req;
static struct pcp_response rsp;
static uint8_t out[1200];
static uint8_t msg[1200];

/* The lwB4's provisioning request (PCPC-5): MAP from 192.0.0.2, lifetime
 * 3600, protocol 0, internal port 1, PORT_SET 65535 / 1 / P0. */
static const uint8_t lw4o6_map[72] = {
	0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x10, V4MAPPED(192, 0, 0, 2),
	0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, V4MAPPED(0, 0, 0, 0),
	0x82, 0x00, 0x00, 0x05, 0xff, 0xff, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
};

/* MAP TCP 8600 from 10.9.9.1 with DESCRIPTION "hello", THIRD_PARTY
 * 10.9.9.2 and PORT_SET 32 / 8600 / P1; lifetime 600, suggested
 * 192.0.2.1:9000. */
static const uint8_t map_3_options[104] = {
	0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x02, 0x58, V4MAPPED(10, 9, 9, 1),
	0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12,
	0x06, 0x00, 0x00, 0x00, 0x21, 0x98, 0x23, 0x28, V4MAPPED(192, 0, 2, 1),
	0x80, 0x00, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o', 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x10, V4MAPPED(10, 9, 9, 2),
	0x82, 0x00, 0x00, 0x05, 0x00, 0x20, 0x21, 0x98, 0x01, 0x00, 0x00, 0x00,
};

static void validate_ok(const uint8_t *buf, size_t len, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct in6_addr src;
	uint8_t rc;

	pcp_addr_from_ipv4(&src, htonl((uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d));
	assert_int_equal(pcp_server_validate(buf, len, &src, &req, &rc), PCP_VERDICT_PROCESS);
}

/* ---- PCPS-4: error responses copy the request ------------------------------ */

static void test_pcps4_error_response_copies_request(void **state)
{
	/* NOT_AUTHORIZED, lifetime 1800, epoch 42: the header is rewritten
	 * (R, result, lifetime, epoch, 12 zero octets over the Client IP);
	 * body and all three options, DESCRIPTION included, are copied. */
	static const uint8_t want[104] = {
		0x02, 0x81, 0x00, 0x02, 0x00, 0x00, 0x07, 0x08, 0x00, 0x00, 0x00, 0x2a, ZERO12,
		0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12,
		0x06, 0x00, 0x00, 0x00, 0x21, 0x98, 0x23, 0x28, V4MAPPED(192, 0, 2, 1),
		0x80, 0x00, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o', 0x00, 0x00, 0x00,
		0x01, 0x00, 0x00, 0x10, V4MAPPED(10, 9, 9, 2),
		0x82, 0x00, 0x00, 0x05, 0x00, 0x20, 0x21, 0x98, 0x01, 0x00, 0x00, 0x00,
	};

	(void)state;
	validate_ok(map_3_options, sizeof(map_3_options), 10, 9, 9, 1);
	assert_int_equal(pcp_encode_response(&req, PCP_RES_NOT_AUTHORIZED, 1800, 42, NULL, out, sizeof(out)), 104);
	assert_memory_equal(out, want, 104);
}

static void test_pcps4_every_error_code(void **state)
{
	uint8_t code;

	(void)state;
	validate_ok(lw4o6_map, sizeof(lw4o6_map), 192, 0, 0, 2);
	for (code = 1; code <= 13; code++) {
		static const uint8_t header_after_result[20] = { 0x00, 0x00, 0x00, 0x1e, 0x00, 0x00, 0x01, 0x00 };

		assert_int_equal(pcp_encode_response(&req, code, 30, 256, NULL, out, sizeof(out)), 72);
		assert_int_equal(out[0], 2);
		assert_int_equal(out[1], 0x81);
		assert_int_equal(out[2], 0);
		assert_int_equal(out[3], code);
		assert_memory_equal(out + 4, header_after_result, 20);
		assert_memory_equal(out + 24, lw4o6_map + 24, 48);
	}
}

/* ---- §9: UNSUPP_VERSION answers say version 2 --------------------------------- */

static void test_unsupp_version_response_says_version_2(void **state)
{
	/* a version-1 MAP (no nonce; pcp_vectors.pcap frame 21), 48 octets */
	static const uint8_t v1_map[48] = {
		0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x02, 0x58, V4MAPPED(192, 168, 1, 10),
		0x06, 0x00, 0x00, 0x00, 0x00, 0x50, 0x00, 0x00, V4MAPPED(0, 0, 0, 0),
	};
	static const uint8_t want[48] = {
		0x02, 0x81, 0x00, 0x01, 0x00, 0x00, 0x07, 0x08, 0x00, 0x00, 0x00, 0x05, ZERO12,
		0x06, 0x00, 0x00, 0x00, 0x00, 0x50, 0x00, 0x00, V4MAPPED(0, 0, 0, 0),
	};
	struct in6_addr src;
	uint8_t rc;

	(void)state;
	pcp_addr_from_ipv4(&src, htonl(0xc0a8010a));
	assert_int_equal(pcp_server_validate(v1_map, sizeof(v1_map), &src, &req, &rc), PCP_VERDICT_ERROR);
	assert_int_equal(rc, PCP_RES_UNSUPP_VERSION);
	assert_int_equal(pcp_encode_response(&req, rc, 1800, 5, NULL, out, sizeof(out)), 48);
	assert_memory_equal(out, want, 48);
}

static void test_unsupp_version_response_to_short_request_is_24_octets(void **state)
{
	static const uint8_t natpmp[2] = { 0x00, 0x00 };
	static const uint8_t odd3[3] = { 0x01, 0x01, 0xff };
	static const uint8_t want_natpmp[24] = { 0x02, 0x80, 0x00, 0x01, 0x00, 0x00, 0x07, 0x08,
						 0x00, 0x00, 0x00, 0x09 };
	static const uint8_t want_odd3[24] = { 0x02, 0x81, 0x00, 0x01, 0x00, 0x00, 0x07, 0x08,
					       0x00, 0x00, 0x00, 0x09 };
	struct in6_addr src;
	uint8_t rc;

	(void)state;
	pcp_addr_from_ipv4(&src, htonl(0xc0000002));
	assert_int_equal(pcp_server_validate(natpmp, sizeof(natpmp), &src, &req, &rc), PCP_VERDICT_ERROR);
	assert_int_equal(pcp_encode_response(&req, rc, 1800, 9, NULL, out, sizeof(out)), 24);
	assert_memory_equal(out, want_natpmp, 24);
	assert_int_equal(pcp_server_validate(odd3, sizeof(odd3), &src, &req, &rc), PCP_VERDICT_ERROR);
	assert_int_equal(pcp_encode_response(&req, rc, 1800, 9, NULL, out, sizeof(out)), 24);
	assert_memory_equal(out, want_odd3, 24);
}

/* ---- §8.2: MALFORMED_REQUEST copies are cut to 1100 and padded to 4 -------- */

static void test_malformed_request_response_truncated_to_1100(void **state)
{
	struct in6_addr src;
	uint8_t rc;
	size_t i;

	(void)state;
	memcpy(msg, lw4o6_map, sizeof(lw4o6_map));
	for (i = 72; i < 1104; i++)
		msg[i] = (uint8_t)i;
	pcp_addr_from_ipv4(&src, htonl(0xc0000002));
	assert_int_equal(pcp_server_validate(msg, 1104, &src, &req, &rc), PCP_VERDICT_ERROR);
	assert_int_equal(rc, PCP_RES_MALFORMED_REQUEST);
	assert_int_equal(pcp_encode_response(&req, rc, 1800, 1, NULL, out, sizeof(out)), 1100);
	assert_int_equal(out[3], 3);
	assert_memory_equal(out + 24, msg + 24, 1100 - 24);
	assert_int_equal(out[1099], (uint8_t)1099);
}

static void test_malformed_request_response_padded_to_4(void **state)
{
	static const uint8_t want_tail[8] = { 0x00, 0x00, 0x00, 0x00, 0xee, 0x00, 0x00, 0x00 };
	struct in6_addr src;
	uint8_t rc;

	(void)state;
	memcpy(msg, lw4o6_map, 60);
	msg[60] = 0xee;
	pcp_addr_from_ipv4(&src, htonl(0xc0000002));
	assert_int_equal(pcp_server_validate(msg, 61, &src, &req, &rc), PCP_VERDICT_ERROR);
	assert_int_equal(rc, PCP_RES_MALFORMED_REQUEST);
	memset(out, 0x55, sizeof(out));
	assert_int_equal(pcp_encode_response(&req, rc, 1800, 1, NULL, out, sizeof(out)), 64);
	assert_memory_equal(out + 56, want_tail, 8);
}

/* ---- PCPS-8: success MAP responses ----------------------------------------- */

static const struct pcp_map_answer grant_1024 = {
	.external_port = 2048,
	.external_addr = { .s6_addr = { V4MAPPED(198, 51, 100, 7) } },
	.port_set_size = 1024,
	.first_internal_port = 2048,
	.parity = false,
};

static void test_pcps8_success_with_port_set(void **state)
{
	static const uint8_t want[72] = {
		0x02, 0x81, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x00, 0x04, 0xd2, ZERO12,
		0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, V4MAPPED(198, 51, 100, 7),
		0x82, 0x00, 0x00, 0x05, 0x04, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00,
	};

	(void)state;
	validate_ok(lw4o6_map, sizeof(lw4o6_map), 192, 0, 0, 2);
	assert_int_equal(pcp_encode_response(&req, 0, 3600, 1234, &grant_1024, out, sizeof(out)), 72);
	assert_memory_equal(out, want, 72);
}

static void test_pcps8_single_port_omits_port_set(void **state)
{
	static const uint8_t want[60] = {
		0x02, 0x81, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x00, 0x04, 0xd2, ZERO12,
		0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, V4MAPPED(198, 51, 100, 7),
	};
	struct pcp_map_answer one = grant_1024;

	(void)state;
	validate_ok(lw4o6_map, sizeof(lw4o6_map), 192, 0, 0, 2);
	one.port_set_size = 1;
	assert_int_equal(pcp_encode_response(&req, 0, 3600, 1234, &one, out, sizeof(out)), 60);
	assert_memory_equal(out, want, 60);
	one.port_set_size = 0;
	assert_int_equal(pcp_encode_response(&req, 0, 3600, 1234, &one, out, sizeof(out)), 60);
	assert_memory_equal(out, want, 60);
}

static void test_pcps5_success_leaves_out_unprocessed_options(void **state)
{
	/* DESCRIPTION dropped; THIRD_PARTY kept; PORT_SET 16 / 8600 / P1 last */
	static const uint8_t want[92] = {
		0x02, 0x81, 0x00, 0x00, 0x00, 0x00, 0x02, 0x58, 0x00, 0x00, 0x00, 0x63, ZERO12,
		0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12,
		0x06, 0x00, 0x00, 0x00, 0x21, 0x98, 0x23, 0x28, V4MAPPED(192, 0, 2, 1),
		0x01, 0x00, 0x00, 0x10, V4MAPPED(10, 9, 9, 2),
		0x82, 0x00, 0x00, 0x05, 0x00, 0x10, 0x21, 0x98, 0x01, 0x00, 0x00, 0x00,
	};
	const struct pcp_map_answer ans = {
		.external_port = 9000,
		.external_addr = { .s6_addr = { V4MAPPED(192, 0, 2, 1) } },
		.port_set_size = 16,
		.first_internal_port = 8600,
		.parity = true,
	};

	(void)state;
	validate_ok(map_3_options, sizeof(map_3_options), 10, 9, 9, 1);
	assert_int_equal(pcp_encode_response(&req, 0, 600, 99, &ans, out, sizeof(out)), 92);
	assert_memory_equal(out, want, 92);
}

static void test_success_echoes_prefer_failure_and_filters(void **state)
{
	/* MAP UDP 5060 with PREFER_FAILURE and FILTER 203.0.113.0/24 */
	static const uint8_t map_pf_filter[88] = {
		0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x02, 0x58, V4MAPPED(192, 168, 1, 10),
		0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b,
		0x11, 0x00, 0x00, 0x00, 0x13, 0xc4, 0x13, 0xc4, V4MAPPED(198, 51, 100, 7),
		0x02, 0x00, 0x00, 0x00,
		0x03, 0x00, 0x00, 0x14, 0x00, 0x78, 0x00, 0x00, V4MAPPED(203, 0, 113, 0),
	};
	static const uint8_t want[88] = {
		0x02, 0x81, 0x00, 0x00, 0x00, 0x00, 0x02, 0x58, 0x00, 0x00, 0x00, 0x4d, ZERO12,
		0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b,
		0x11, 0x00, 0x00, 0x00, 0x13, 0xc4, 0x13, 0xc4, V4MAPPED(198, 51, 100, 7),
		0x02, 0x00, 0x00, 0x00,
		0x03, 0x00, 0x00, 0x14, 0x00, 0x78, 0x00, 0x00, V4MAPPED(203, 0, 113, 0),
	};
	const struct pcp_map_answer ans = {
		.external_port = 5060,
		.external_addr = { .s6_addr = { V4MAPPED(198, 51, 100, 7) } },
	};

	(void)state;
	validate_ok(map_pf_filter, sizeof(map_pf_filter), 192, 168, 1, 10);
	assert_int_equal(pcp_encode_response(&req, 0, 600, 77, &ans, out, sizeof(out)), 88);
	assert_memory_equal(out, want, 88);
}

static void test_peer_success_response(void **state)
{
	static const uint8_t peer[80] = {
		0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x78, V4MAPPED(192, 168, 1, 10),
		0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b,
		0x06, 0x00, 0x00, 0x00, 0x9d, 0xd4, 0x00, 0x00, V4MAPPED(0, 0, 0, 0),
		0x01, 0xbb, 0x00, 0x00, V4MAPPED(203, 0, 113, 9),
	};
	static const uint8_t want[80] = {
		0x02, 0x82, 0x00, 0x00, 0x00, 0x00, 0x00, 0x78, 0x00, 0x00, 0x00, 0x4e, ZERO12,
		0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b,
		0x06, 0x00, 0x00, 0x00, 0x9d, 0xd4, 0x08, 0x02, V4MAPPED(198, 51, 100, 7),
		0x01, 0xbb, 0x00, 0x00, V4MAPPED(203, 0, 113, 9),
	};
	const struct pcp_map_answer ans = {
		.external_port = 2050,
		.external_addr = { .s6_addr = { V4MAPPED(198, 51, 100, 7) } },
	};

	(void)state;
	validate_ok(peer, sizeof(peer), 192, 168, 1, 10);
	assert_int_equal(pcp_encode_response(&req, 0, 120, 78, &ans, out, sizeof(out)), 80);
	assert_memory_equal(out, want, 80);
}

static void test_announce_responses(void **state)
{
	static const uint8_t announce[24] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
					      V4MAPPED(192, 0, 0, 2) };
	static const uint8_t want_reply[24] = { 0x02, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
						0x00, 0x00, 0x00, 0x11 };
	static const uint8_t want_unsolicited[24] = { 0x02, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
						      0x01, 0x02, 0x03, 0x04 };

	(void)state;
	validate_ok(announce, sizeof(announce), 192, 0, 0, 2);
	assert_int_equal(pcp_encode_response(&req, 0, 0, 17, NULL, out, sizeof(out)), 24);
	assert_memory_equal(out, want_reply, 24);
	/* §14.1.3: the unsolicited form after a restart */
	memset(out, 0x55, sizeof(out));
	assert_int_equal(pcp_encode_announce(0x01020304, out, sizeof(out)), 24);
	assert_memory_equal(out, want_unsolicited, 24);
	assert_int_equal(pcp_encode_announce(0, out, 23), -ENOSPC);
}

static void test_encode_response_rejects_what_the_rfc_forbids(void **state)
{
	struct pcp_map_answer big = grant_1024;

	(void)state;
	validate_ok(lw4o6_map, sizeof(lw4o6_map), 192, 0, 0, 2);
	assert_int_equal(pcp_encode_response(&req, 0, 3600, 1, NULL, out, sizeof(out)), -EINVAL);
	assert_int_equal(pcp_encode_response(&req, 0, 3600, 1, &grant_1024, out, 71), -ENOSPC);
	assert_int_equal(pcp_encode_response(NULL, 0, 3600, 1, &grant_1024, out, sizeof(out)), -EINVAL);
	/* RFC 7753 §4.2: never more ports than asked for (65535 here) */
	big.port_set_size = 65535;
	assert_int_equal(pcp_encode_response(&req, 0, 3600, 1, &big, out, sizeof(out)), 72);
	memcpy(msg, lw4o6_map, sizeof(lw4o6_map));
	msg[64] = 0x00;
	msg[65] = 0x40; /* asked for 64 */
	validate_ok(msg, sizeof(lw4o6_map), 192, 0, 0, 2);
	assert_int_equal(pcp_encode_response(&req, 0, 3600, 1, &grant_1024, out, sizeof(out)), -EINVAL);
	/* nor a set to a request without PORT_SET: the first 60 octets */
	memcpy(msg, lw4o6_map, 60);
	msg[36] = 6; /* TCP, so that it is valid without PORT_SET */
	validate_ok(msg, 60, 192, 0, 0, 2);
	assert_int_equal(pcp_encode_response(&req, 0, 3600, 1, &grant_1024, out, sizeof(out)), -EINVAL);
}

/* ---- requests --------------------------------------------------------------- */

static void fill_lw4o6_request(struct pcp_request *r)
{
	static const uint8_t nonce[12] = { 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac };

	memset(r, 0, sizeof(*r));
	r->opcode = PCP_OP_MAP;
	r->lifetime = 3600;
	pcp_addr_from_ipv4(&r->client_addr, htonl(0xc0000002));
	memcpy(r->body.nonce, nonce, 12);
	r->body.internal_port = 1;
	pcp_addr_from_ipv4(&r->body.external_addr, 0);
	r->opts.has_port_set = true;
	r->opts.port_set.size = 65535;
	r->opts.port_set.first_internal_port = 1;
}

static void test_pcpc5_encode_lw4o6_request(void **state)
{
	(void)state;
	fill_lw4o6_request(&req);
	assert_int_equal(pcp_encode_request(&req, out, sizeof(out)), 72);
	assert_memory_equal(out, lw4o6_map, 72);
	assert_int_equal(pcp_encode_request(&req, out, 71), -ENOSPC);
}

static void test_encode_request_option_order(void **state)
{
	/* THIRD_PARTY, PREFER_FAILURE, FILTER, then PORT_SET last (pcp.md §4) */
	static const uint8_t want[120] = {
		0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x02, 0x58, V4MAPPED(10, 9, 9, 1),
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
		0x06, 0x00, 0x00, 0x00, 0x21, 0x98, 0x00, 0x00, V4MAPPED(0, 0, 0, 0),
		0x01, 0x00, 0x00, 0x10, V4MAPPED(10, 9, 9, 2),
		0x02, 0x00, 0x00, 0x00,
		0x03, 0x00, 0x00, 0x14, 0x00, 0x80, 0x01, 0xbb, V4MAPPED(198, 51, 100, 1),
		0x82, 0x00, 0x00, 0x05, 0x00, 0x20, 0x21, 0x98, 0x01, 0x00, 0x00, 0x00,
	};
	int i;

	(void)state;
	memset(&req, 0, sizeof(req));
	req.opcode = PCP_OP_MAP;
	req.lifetime = 600;
	pcp_addr_from_ipv4(&req.client_addr, htonl(0x0a090901));
	for (i = 0; i < 12; i++)
		req.body.nonce[i] = (uint8_t)(i + 1);
	req.body.protocol = 6;
	req.body.internal_port = 8600;
	pcp_addr_from_ipv4(&req.body.external_addr, 0);
	req.opts.has_port_set = true;
	req.opts.port_set = (struct pcp_port_set){ .size = 32, .first_internal_port = 8600, .parity = true };
	req.opts.has_third_party = true;
	pcp_addr_from_ipv4(&req.opts.third_party_addr, htonl(0x0a090902));
	req.opts.prefer_failure = true; /* not valid with PORT_SET, but the encoder writes what it is given */
	req.opts.n_filters = 1;
	req.opts.filters[0].prefix_len = 128;
	req.opts.filters[0].remote_peer_port = 443;
	pcp_addr_from_ipv4(&req.opts.filters[0].remote_peer_addr, htonl(0xc6336401));
	assert_int_equal(pcp_encode_request(&req, out, sizeof(out)), 120);
	assert_memory_equal(out, want, 120);
}

static void test_encode_request_over_1100_octets(void **state)
{
	(void)state;
	fill_lw4o6_request(&req);
	req.body.protocol = 6;
	req.opts.n_filters = PCP_MAX_FILTERS; /* 43 × 24 = 1032: 1104 with the PORT_SET */
	assert_int_equal(PCP_MAX_FILTERS, 43);
	assert_int_equal(pcp_encode_request(&req, out, sizeof(out)), -EMSGSIZE);
	req.opts.has_port_set = false;
	assert_int_equal(pcp_encode_request(&req, out, sizeof(out)), 1092);
	req.opcode = 5;
	assert_int_equal(pcp_encode_request(&req, out, sizeof(out)), -EINVAL);
}

static void test_error_response_from_request_built_by_hand(void **state)
{
	(void)state;
	fill_lw4o6_request(&req); /* raw_len 0: encoded from the fields */
	assert_int_equal(pcp_encode_response(&req, PCP_RES_NO_RESOURCES, 30, 3, NULL, out, sizeof(out)), 72);
	assert_int_equal(out[1], 0x81);
	assert_int_equal(out[3], 8);
	assert_memory_equal(out + 24, lw4o6_map + 24, 48);
}

/* ---- round trips -------------------------------------------------------------- */

static void test_round_trip_request(void **state)
{
	struct pcp_request back;

	(void)state;
	memset(&req, 0, sizeof(req));
	req.opcode = PCP_OP_PEER;
	req.lifetime = 120;
	pcp_addr_from_ipv4(&req.client_addr, htonl(0xc0a8010a));
	req.body.nonce[5] = 0x5a;
	req.body.protocol = 17;
	req.body.internal_port = 5060;
	req.body.external_port = 6000;
	pcp_addr_from_ipv4(&req.body.external_addr, htonl(0xc6336407));
	req.body.remote_peer_port = 3478;
	pcp_addr_from_ipv4(&req.body.remote_peer_addr, htonl(0xcb007109));
	req.opts.has_third_party = true;
	pcp_addr_from_ipv4(&req.opts.third_party_addr, htonl(0xc0a8010b));
	assert_int_equal(pcp_encode_request(&req, out, sizeof(out)), 100);
	assert_int_equal(pcp_decode_request(out, 100, &back), 0);
	assert_int_equal(back.opcode, PCP_OP_PEER);
	assert_int_equal(back.lifetime, 120);
	assert_memory_equal(&back.client_addr, &req.client_addr, 16);
	assert_int_equal(back.body.nonce[5], 0x5a);
	assert_int_equal(back.body.nonce[4], 0);
	assert_int_equal(back.body.protocol, 17);
	assert_int_equal(back.body.internal_port, 5060);
	assert_int_equal(back.body.external_port, 6000);
	assert_memory_equal(&back.body.external_addr, &req.body.external_addr, 16);
	assert_int_equal(back.body.remote_peer_port, 3478);
	assert_memory_equal(&back.body.remote_peer_addr, &req.body.remote_peer_addr, 16);
	assert_true(back.opts.has_third_party);
	assert_memory_equal(&back.opts.third_party_addr, &req.opts.third_party_addr, 16);
}

static void test_round_trip_server_answer(void **state)
{
	(void)state;
	fill_lw4o6_request(&req);
	assert_int_equal(pcp_encode_request(&req, msg, sizeof(msg)), 72);
	validate_ok(msg, 72, 192, 0, 0, 2);
	assert_int_equal(pcp_encode_response(&req, 0, 7200, 5, &grant_1024, out, sizeof(out)), 72);
	assert_int_equal(pcp_decode_response(out, 72, &rsp), 0);
	assert_int_equal(rsp.result, 0);
	assert_int_equal(rsp.lifetime, 7200);
	assert_int_equal(rsp.epoch, 5);
	assert_memory_equal(rsp.body.nonce, lw4o6_map + 24, 12);
	assert_int_equal(rsp.body.internal_port, 1);
	assert_int_equal(rsp.body.external_port, 2048);
	assert_int_equal(rsp.opts.port_set.size, 1024);
	assert_int_equal(rsp.opts.port_set.first_internal_port, 2048);
	/* and an error answer decodes with its code */
	assert_int_equal(pcp_encode_response(&req, PCP_RES_USER_EX_QUOTA, 30, 5, NULL, out, sizeof(out)), 72);
	assert_int_equal(pcp_decode_response(out, 72, &rsp), 0);
	assert_int_equal(rsp.result, PCP_RES_USER_EX_QUOTA);
	assert_int_equal(rsp.opts.port_set.size, 65535);
}

/* ---- names and the log line ----------------------------------------------------- */

static void test_result_and_opcode_names(void **state)
{
	static const char *const names[14] = {
		"SUCCESS", "UNSUPP_VERSION", "NOT_AUTHORIZED", "MALFORMED_REQUEST", "UNSUPP_OPCODE",
		"UNSUPP_OPTION", "MALFORMED_OPTION", "NETWORK_FAILURE", "NO_RESOURCES", "UNSUPP_PROTOCOL",
		"USER_EX_QUOTA", "CANNOT_PROVIDE_EXTERNAL", "ADDRESS_MISMATCH", "EXCESSIVE_REMOTE_PEERS",
	};
	int i;

	(void)state;
	for (i = 0; i < 14; i++)
		assert_string_equal(pcp_result_name((uint8_t)i), names[i]);
	assert_string_equal(pcp_result_name(14), "UNKNOWN_RESULT");
	assert_string_equal(pcp_result_name(255), "UNKNOWN_RESULT");
	assert_string_equal(pcp_opcode_name(0), "ANNOUNCE");
	assert_string_equal(pcp_opcode_name(1), "MAP");
	assert_string_equal(pcp_opcode_name(2), "PEER");
	assert_string_equal(pcp_opcode_name(3), "UNKNOWN_OPCODE");
}

static void test_describe(void **state)
{
	static const uint8_t ipv6_announce[24] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
						   0x20, 0x01, 0x0d, 0xb8, 0, 0xb4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t map_ok[72] = {
		0x02, 0x81, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x00, 0x04, 0xd2, ZERO12,
		0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, V4MAPPED(198, 51, 100, 7),
		0x82, 0x00, 0x00, 0x05, 0x04, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	char line[256];

	(void)state;
	assert_string_equal(pcp_describe(lw4o6_map, 72, line, sizeof(line)),
			    "MAP request lifetime=3600 client=192.0.0.2 nonce=a1a2a3a4a5a6a7a8a9aaabac "
			    "proto=0 int=1 ext=0.0.0.0:0 PORT_SET=65535/1/P0");
	assert_string_equal(pcp_describe(map_ok, 72, line, sizeof(line)),
			    "MAP response SUCCESS lifetime=3600 epoch=1234 nonce=a1a2a3a4a5a6a7a8a9aaabac "
			    "proto=0 int=1 ext=198.51.100.7:2048 PORT_SET=1024/2048/P0");
	assert_string_equal(pcp_describe(ipv6_announce, 24, line, sizeof(line)),
			    "ANNOUNCE request lifetime=0 client=2001:db8:b4::1");
	assert_string_equal(pcp_describe(lw4o6_map, 71, line, sizeof(line)),
			    "version 2 MAP request refused: MALFORMED_REQUEST (71 octets)");
	assert_string_equal(pcp_describe(lw4o6_map, 1, line, sizeof(line)), "not a PCP message (1 octets)");
	/* a short buffer: cut, terminated, nothing written past it */
	memset(line, 'x', sizeof(line));
	assert_string_equal(pcp_describe(lw4o6_map, 72, line, 12), "MAP request");
	assert_int_equal(line[12], 'x');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcps4_error_response_copies_request),
		cmocka_unit_test(test_pcps4_every_error_code),
		cmocka_unit_test(test_unsupp_version_response_says_version_2),
		cmocka_unit_test(test_unsupp_version_response_to_short_request_is_24_octets),
		cmocka_unit_test(test_malformed_request_response_truncated_to_1100),
		cmocka_unit_test(test_malformed_request_response_padded_to_4),
		cmocka_unit_test(test_pcps8_success_with_port_set),
		cmocka_unit_test(test_pcps8_single_port_omits_port_set),
		cmocka_unit_test(test_pcps5_success_leaves_out_unprocessed_options),
		cmocka_unit_test(test_success_echoes_prefer_failure_and_filters),
		cmocka_unit_test(test_peer_success_response),
		cmocka_unit_test(test_announce_responses),
		cmocka_unit_test(test_encode_response_rejects_what_the_rfc_forbids),
		cmocka_unit_test(test_pcpc5_encode_lw4o6_request),
		cmocka_unit_test(test_encode_request_option_order),
		cmocka_unit_test(test_encode_request_over_1100_octets),
		cmocka_unit_test(test_error_response_from_request_built_by_hand),
		cmocka_unit_test(test_round_trip_request),
		cmocka_unit_test(test_round_trip_server_answer),
		cmocka_unit_test(test_result_and_opcode_names),
		cmocka_unit_test(test_describe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
