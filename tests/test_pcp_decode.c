// SPDX-License-Identifier: GPL-2.0
/* pcp_decode_request() and pcp_decode_response(): every field read from
 * hand-written bytes (RFC 6887 §7.1, §7.2, §11.1, §12.1, §13; RFC 7753 §4),
 * option padding (§7.3), and the client's acceptance rules (PCPC-6). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "pcp_msg.h"

#define V4MAPPED(a, b, c, d) 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d

static struct pcp_request req;
static struct pcp_response rsp;
static uint8_t msg[1200];

static void assert_v4mapped(const struct in6_addr *a, uint8_t b0, uint8_t b1, uint8_t b2, uint8_t b3)
{
	const uint8_t want[16] = { V4MAPPED(b0, b1, b2, b3) };

	assert_memory_equal(a->s6_addr, want, 16);
}

/* MAP UDP 1234 -> suggested 192.0.2.1:4000 from 127.0.0.1, lifetime 600,
 * with PREFER_FAILURE, THIRD_PARTY 127.0.0.2 and FILTER 198.51.100.0/24
 * port 443 (the shape libpcp sends, with the prefix written right). */
static const uint8_t map_with_options[108] = {
	0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x02, 0x58, V4MAPPED(127, 0, 0, 1),
	0x20, 0x0e, 0x13, 0x94, 0x31, 0xca, 0xb9, 0xfb, 0x29, 0xd3, 0x5c, 0x61,
	0x11, 0x00, 0x00, 0x00, 0x04, 0xd2, 0x0f, 0xa0, V4MAPPED(192, 0, 2, 1),
	0x02, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x10, V4MAPPED(127, 0, 0, 2),
	0x03, 0x00, 0x00, 0x14, 0x00, 0x78, 0x01, 0xbb, V4MAPPED(198, 51, 100, 0),
};

static void test_decode_map_request_fields(void **state)
{
	static const uint8_t nonce[12] = { 0x20, 0x0e, 0x13, 0x94, 0x31, 0xca, 0xb9, 0xfb, 0x29, 0xd3, 0x5c, 0x61 };

	(void)state;
	assert_int_equal(pcp_decode_request(map_with_options, sizeof(map_with_options), &req), 0);
	assert_int_equal(req.version, 2);
	assert_int_equal(req.opcode, PCP_OP_MAP);
	assert_int_equal(req.lifetime, 600);
	assert_v4mapped(&req.client_addr, 127, 0, 0, 1);
	assert_memory_equal(req.body.nonce, nonce, 12);
	assert_int_equal(req.body.protocol, 17);
	assert_int_equal(req.body.internal_port, 1234);
	assert_int_equal(req.body.external_port, 4000);
	assert_v4mapped(&req.body.external_addr, 192, 0, 2, 1);
	assert_true(req.opts.prefer_failure);
	assert_true(req.opts.has_third_party);
	assert_v4mapped(&req.opts.third_party_addr, 127, 0, 0, 2);
	assert_int_equal(req.opts.n_filters, 1);
	assert_int_equal(req.opts.filters[0].prefix_len, 120);
	assert_int_equal(req.opts.filters[0].remote_peer_port, 443);
	assert_v4mapped(&req.opts.filters[0].remote_peer_addr, 198, 51, 100, 0);
	assert_false(req.opts.has_port_set);
	assert_int_equal(req.opts.n_unknown, 0);
	assert_int_equal(req.raw_len, 108);
	assert_memory_equal(req.raw, map_with_options, 108);
}

static void test_decode_peer_request_fields(void **state)
{
	/* PEER TCP 1234 -> 198.51.100.7:80, lifetime 300 */
	static const uint8_t peer[80] = {
		0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x2c, V4MAPPED(127, 0, 0, 1),
		0x28, 0xfb, 0xb3, 0xf6, 0x0d, 0x35, 0xd6, 0x52, 0x4d, 0x9a, 0x5f, 0x92,
		0x06, 0x00, 0x00, 0x00, 0x04, 0xd2, 0x00, 0x00, V4MAPPED(0, 0, 0, 0),
		0x00, 0x50, 0x00, 0x00, V4MAPPED(198, 51, 100, 7),
	};

	(void)state;
	assert_int_equal(pcp_decode_request(peer, sizeof(peer), &req), 0);
	assert_int_equal(req.opcode, PCP_OP_PEER);
	assert_int_equal(req.lifetime, 300);
	assert_int_equal(req.body.nonce[0], 0x28);
	assert_int_equal(req.body.nonce[11], 0x92);
	assert_int_equal(req.body.protocol, 6);
	assert_int_equal(req.body.internal_port, 1234);
	assert_int_equal(req.body.external_port, 0);
	assert_v4mapped(&req.body.external_addr, 0, 0, 0, 0);
	assert_int_equal(req.body.remote_peer_port, 80);
	assert_v4mapped(&req.body.remote_peer_addr, 198, 51, 100, 7);
}

static void test_decode_announce_request(void **state)
{
	static const uint8_t announce[24] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
					      V4MAPPED(192, 168, 1, 10) };

	(void)state;
	assert_int_equal(pcp_decode_request(announce, sizeof(announce), &req), 0);
	assert_int_equal(req.opcode, PCP_OP_ANNOUNCE);
	assert_int_equal(req.lifetime, 0);
	assert_v4mapped(&req.client_addr, 192, 168, 1, 10);
}

static void test_decode_request_return_values(void **state)
{
	(void)state;
	memcpy(msg, map_with_options, sizeof(map_with_options));
	assert_int_equal(pcp_decode_request(msg, 1, &req), -EBADMSG);
	assert_int_equal(pcp_decode_request(msg, 23, &req), -EBADMSG);
	assert_int_equal(pcp_decode_request(msg, 56, &req), PCP_RES_MALFORMED_REQUEST);
	assert_int_equal(pcp_decode_request(msg, 107, &req), PCP_RES_MALFORMED_REQUEST);
	assert_int_equal(pcp_decode_request(msg, 104, &req), PCP_RES_MALFORMED_OPTION); /* FILTER cut */
	assert_int_equal(pcp_decode_request(NULL, 104, &req), -EBADMSG);
	msg[1] = 0x81;
	assert_int_equal(pcp_decode_request(msg, 108, &req), -EBADMSG);
	msg[1] = 0x01;
	msg[0] = 1;
	assert_int_equal(pcp_decode_request(msg, 108, &req), PCP_RES_UNSUPP_VERSION);
	assert_int_equal(req.version, 1);
	assert_int_equal(req.raw_len, 108);
	msg[0] = 2;
	msg[1] = 0x09;
	assert_int_equal(pcp_decode_request(msg, 108, &req), PCP_RES_UNSUPP_OPCODE);
	assert_int_equal(req.opcode, 9);
}

static void test_decode_request_leaves_source_and_map_rules_to_validate(void **state)
{
	(void)state;
	memcpy(msg, map_with_options, sizeof(map_with_options));
	msg[36] = 0; /* protocol 0 with internal port 1234: §11.3 is validate's */
	assert_int_equal(pcp_decode_request(msg, 108, &req), 0);
}

/* §7.3: a 5-octet option takes 12 octets; Wireshark 4.0 loses the next
 * option after one (pcp.md §4). DESCRIPTION "hello", then PORT_SET (5),
 * then THIRD_PARTY: each found at its padded offset. */
static void test_decode_padding_after_odd_length_options(void **state)
{
	static const uint8_t padded[104] = {
		0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x02, 0x58, V4MAPPED(10, 9, 9, 1),
		0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12,
		0x06, 0x00, 0x00, 0x00, 0x21, 0x98, 0x00, 0x00, V4MAPPED(0, 0, 0, 0),
		0x80, 0x00, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o', 0x00, 0x00, 0x00,
		0x82, 0x00, 0x00, 0x05, 0x00, 0x20, 0x21, 0x98, 0x01, 0x00, 0x00, 0x00,
		0x01, 0x00, 0x00, 0x10, V4MAPPED(10, 9, 9, 2),
	};

	(void)state;
	assert_int_equal(pcp_decode_request(padded, sizeof(padded), &req), 0);
	assert_int_equal(req.opts.n_unknown, 1);
	assert_int_equal(req.opts.unknown[0].code, 128);
	assert_int_equal(req.opts.unknown[0].length, 5);
	assert_int_equal(req.opts.unknown[0].offset, 60);
	assert_true(req.opts.has_port_set);
	assert_int_equal(req.opts.port_set.size, 32);
	assert_int_equal(req.opts.port_set.first_internal_port, 8600);
	assert_true(req.opts.port_set.parity);
	assert_true(req.opts.has_third_party);
	assert_v4mapped(&req.opts.third_party_addr, 10, 9, 9, 2);
}

static void test_decode_unknown_options_with_lengths_1_to_3(void **state)
{
	static const uint8_t odd[84] = {
		0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x02, 0x58, V4MAPPED(10, 9, 9, 1),
		0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12,
		0x06, 0x00, 0x00, 0x00, 0x21, 0x98, 0x00, 0x00, V4MAPPED(0, 0, 0, 0),
		0xc1, 0x00, 0x00, 0x01, 0xaa, 0x00, 0x00, 0x00,
		0xc2, 0x00, 0x00, 0x02, 0xaa, 0xbb, 0x00, 0x00,
		0xc3, 0x00, 0x00, 0x03, 0xaa, 0xbb, 0xcc, 0x00,
	};

	(void)state;
	assert_int_equal(pcp_decode_request(odd, sizeof(odd), &req), 0);
	assert_int_equal(req.opts.n_unknown, 3);
	assert_int_equal(req.opts.unknown[0].code, 0xc1);
	assert_int_equal(req.opts.unknown[0].offset, 60);
	assert_int_equal(req.opts.unknown[1].code, 0xc2);
	assert_int_equal(req.opts.unknown[1].length, 2);
	assert_int_equal(req.opts.unknown[1].offset, 68);
	assert_int_equal(req.opts.unknown[2].code, 0xc3);
	assert_int_equal(req.opts.unknown[2].length, 3);
	assert_int_equal(req.opts.unknown[2].offset, 76);
}

/* ---- responses ------------------------------------------------------------ */

/* MAP SUCCESS: lifetime 7200, epoch 1234, protocol 0, internal port 1,
 * assigned 198.51.100.7:2048, PORT_SET 1024 ports from 2048, P = 0. */
static const uint8_t map_success[72] = {
	0x02, 0x81, 0x00, 0x00, 0x00, 0x00, 0x1c, 0x20, 0x00, 0x00, 0x04, 0xd2,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, V4MAPPED(198, 51, 100, 7),
	0x82, 0x00, 0x00, 0x05, 0x04, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static void test_decode_map_success_response(void **state)
{
	(void)state;
	assert_int_equal(pcp_decode_response(map_success, sizeof(map_success), &rsp), 0);
	assert_int_equal(rsp.version, 2);
	assert_int_equal(rsp.opcode, PCP_OP_MAP);
	assert_int_equal(rsp.result, PCP_RES_SUCCESS);
	assert_int_equal(rsp.lifetime, 7200);
	assert_int_equal(rsp.epoch, 1234);
	assert_true(rsp.has_body);
	assert_int_equal(rsp.body.nonce[0], 0xa1);
	assert_int_equal(rsp.body.nonce[11], 0xac);
	assert_int_equal(rsp.body.protocol, 0);
	assert_int_equal(rsp.body.internal_port, 1);
	assert_int_equal(rsp.body.external_port, 2048);
	assert_v4mapped(&rsp.body.external_addr, 198, 51, 100, 7);
	assert_true(rsp.opts.has_port_set);
	assert_int_equal(rsp.opts.port_set.size, 1024);
	assert_int_equal(rsp.opts.port_set.first_internal_port, 2048);
	assert_false(rsp.opts.port_set.parity);
}

static void test_decode_port_set_reserved_bits_ignored(void **state)
{
	(void)state;
	memcpy(msg, map_success, sizeof(map_success));
	msg[68] = 0xfe; /* reserved bits set, P = 0 */
	assert_int_equal(pcp_decode_response(msg, 72, &rsp), 0);
	assert_false(rsp.opts.port_set.parity);
	msg[68] = 0xff;
	assert_int_equal(pcp_decode_response(msg, 72, &rsp), 0);
	assert_true(rsp.opts.port_set.parity);
	assert_int_equal(rsp.opts.port_set.size, 1024);
}

static void test_decode_announce_response(void **state)
{
	static const uint8_t announce[24] = { 0x02, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
					      0x00, 0x00, 0x00, 0x07 };

	(void)state;
	assert_int_equal(pcp_decode_response(announce, sizeof(announce), &rsp), 0);
	assert_int_equal(rsp.opcode, PCP_OP_ANNOUNCE);
	assert_int_equal(rsp.result, 0);
	assert_int_equal(rsp.epoch, 7);
}

static void test_pcpc6_response_length_and_r_bit(void **state)
{
	(void)state;
	memcpy(msg, map_success, sizeof(map_success));
	assert_int_equal(pcp_decode_response(msg, 20, &rsp), -EBADMSG);
	assert_int_equal(pcp_decode_response(msg, 70, &rsp), -EBADMSG);
	assert_int_equal(pcp_decode_response(NULL, 72, &rsp), -EBADMSG);
	memset(msg + 72, 0, 1104 - 72);
	assert_int_equal(pcp_decode_response(msg, 1104, &rsp), -EBADMSG);
	msg[1] = 0x01; /* a request */
	assert_int_equal(pcp_decode_response(msg, 72, &rsp), -EBADMSG);
}

static void test_decode_response_success_needs_body_and_known_opcode(void **state)
{
	(void)state;
	memcpy(msg, map_success, sizeof(map_success));
	assert_int_equal(pcp_decode_response(msg, 56, &rsp), -EBADMSG);
	msg[1] = 0x85;
	assert_int_equal(pcp_decode_response(msg, 72, &rsp), -EBADMSG);
}

static void test_decode_response_version_1(void **state)
{
	(void)state;
	memcpy(msg, map_success, sizeof(map_success));
	msg[0] = 1;
	msg[3] = PCP_RES_UNSUPP_VERSION;
	assert_int_equal(pcp_decode_response(msg, 72, &rsp), -EPROTONOSUPPORT);
	assert_int_equal(rsp.version, 1);
	assert_int_equal(rsp.opcode, PCP_OP_MAP);
	assert_int_equal(rsp.result, PCP_RES_UNSUPP_VERSION);
}

static void test_decode_error_response_without_body(void **state)
{
	/* UNSUPP_VERSION to a 3-octet request: 24 octets, opcode MAP */
	static const uint8_t short_error[24] = { 0x02, 0x81, 0x00, 0x01, 0x00, 0x00, 0x07, 0x08,
						 0x00, 0x00, 0x00, 0x05 };

	(void)state;
	assert_int_equal(pcp_decode_response(short_error, sizeof(short_error), &rsp), 0);
	assert_int_equal(rsp.result, PCP_RES_UNSUPP_VERSION);
	assert_int_equal(rsp.lifetime, 1800);
	assert_int_equal(rsp.epoch, 5);
	assert_false(rsp.has_body);
	memcpy(msg, short_error, sizeof(short_error));
	msg[1] = 0x85; /* UNSUPP_OPCODE copies the unknown opcode */
	msg[3] = PCP_RES_UNSUPP_OPCODE;
	assert_int_equal(pcp_decode_response(msg, 24, &rsp), 0);
	assert_int_equal(rsp.opcode, 5);
	assert_false(rsp.has_body);
}

static void test_decode_error_response_with_broken_options(void **state)
{
	(void)state;
	memcpy(msg, map_success, sizeof(map_success));
	msg[3] = PCP_RES_MALFORMED_OPTION;
	msg[63] = 8; /* PORT_SET length 8: a copy of the broken request */
	assert_int_equal(pcp_decode_response(msg, 72, &rsp), 0);
	assert_true(rsp.has_body);
	assert_int_equal(rsp.body.internal_port, 1);
	assert_false(rsp.opts.has_port_set);
	msg[3] = PCP_RES_SUCCESS; /* the same options in a success are refused */
	assert_int_equal(pcp_decode_response(msg, 72, &rsp), -EBADMSG);
}

static void test_decode_response_option_rules(void **state)
{
	static const uint8_t unknown_42[8] = { 0x2a, 0x00, 0x00, 0x04, 1, 2, 3, 4 };

	(void)state;
	/* a client ignores unknown options of any code (§7.3) */
	memcpy(msg, map_success, sizeof(map_success));
	memcpy(msg + 72, unknown_42, sizeof(unknown_42));
	assert_int_equal(pcp_decode_response(msg, 80, &rsp), 0);
	assert_int_equal(rsp.opts.n_unknown, 1);
	assert_int_equal(rsp.opts.unknown[0].code, 42);
	assert_int_equal(rsp.opts.unknown[0].offset, 72);
	/* two PORT_SETs (RFC 7753 §4: at most one) */
	memcpy(msg + 72, map_success + 60, 12);
	assert_int_equal(pcp_decode_response(msg, 84, &rsp), -EBADMSG);
	/* an option running past the end */
	msg[63] = 12;
	assert_int_equal(pcp_decode_response(msg, 72, &rsp), -EBADMSG);
}

/* A client does not check which opcode an option belongs to, so FILTER may
 * appear in an ANNOUNCE response, where 44 of them fit in 1100 octets; the
 * parsed form holds the 43 a MAP can carry and refuses the 44th. */
static void test_decode_response_more_filters_than_a_map_holds(void **state)
{
	size_t i;

	(void)state;
	memset(msg, 0, sizeof(msg));
	msg[0] = 0x02;
	msg[1] = 0x80;
	for (i = 0; i < 44; i++) {
		msg[24 + 24 * i] = 0x03;     /* FILTER */
		msg[24 + 24 * i + 3] = 0x14; /* length 20 */
	}
	assert_int_equal(pcp_decode_response(msg, 24 + 43 * 24, &rsp), 0);
	assert_int_equal(rsp.opts.n_filters, 43);
	assert_int_equal(pcp_decode_response(msg, 24 + 44 * 24, &rsp), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_map_request_fields),
		cmocka_unit_test(test_decode_peer_request_fields),
		cmocka_unit_test(test_decode_announce_request),
		cmocka_unit_test(test_decode_request_return_values),
		cmocka_unit_test(test_decode_request_leaves_source_and_map_rules_to_validate),
		cmocka_unit_test(test_decode_padding_after_odd_length_options),
		cmocka_unit_test(test_decode_unknown_options_with_lengths_1_to_3),
		cmocka_unit_test(test_decode_map_success_response),
		cmocka_unit_test(test_decode_port_set_reserved_bits_ignored),
		cmocka_unit_test(test_decode_announce_response),
		cmocka_unit_test(test_pcpc6_response_length_and_r_bit),
		cmocka_unit_test(test_decode_response_success_needs_body_and_known_opcode),
		cmocka_unit_test(test_decode_response_version_1),
		cmocka_unit_test(test_decode_error_response_without_body),
		cmocka_unit_test(test_decode_error_response_with_broken_options),
		cmocka_unit_test(test_decode_response_option_rules),
		cmocka_unit_test(test_decode_response_more_filters_than_a_map_holds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
