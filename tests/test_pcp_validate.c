// SPDX-License-Identifier: GPL-2.0
/* pcp_server_validate(): every silent drop and every result code the codec
 * decides (RFC 6887 §8.2, §7.3, §11.3; RFC 7753 §4.2; PCPS-19), one test
 * per behaviour, named after the checklist IDs of standards.md §10. The
 * requests are written out octet by octet here, never produced by the
 * encoder under test; variants patch a copy at the named offsets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "pcp_msg.h"

#define V4MAPPED(a, b, c, d) 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d

/* Offsets in a request (RFC 6887 §7.1, §11.1). */
#define OFF_OPCODE 1
#define OFF_LIFETIME 4
#define OFF_PROTOCOL 36
#define OFF_INTERNAL_PORT 40

/* The lwB4's provisioning request (PCPC-5, standards.md §4.4): MAP from
 * 192.0.0.2, lifetime 3600, protocol 0, internal port 1, no suggestion,
 * PORT_SET size 65535, first internal port 1, P = 0. 24 + 36 + 12 octets. */
static const uint8_t lw4o6_map[72] = {
	0x02, 0x01, 0x00, 0x00,                         /* version 2, MAP, reserved */
	0x00, 0x00, 0x0e, 0x10,                         /* lifetime 3600 */
	V4MAPPED(192, 0, 0, 2),                         /* PCP Client IP */
	0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, /* nonce */
	0x00, 0x00, 0x00, 0x00,                         /* protocol 0, reserved */
	0x00, 0x01, 0x00, 0x00,                         /* internal port 1, suggested port 0 */
	V4MAPPED(0, 0, 0, 0),                           /* suggested address */
	0x82, 0x00, 0x00, 0x05,                         /* PORT_SET, length 5 */
	0xff, 0xff, 0x00, 0x01,                         /* size 65535, first internal port 1 */
	0x00, 0x00, 0x00, 0x00,                         /* P = 0, padding */
};

/* The same MAP without options: TCP port 8080, lifetime 600. */
static const uint8_t tcp_map[60] = {
	0x02, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x02, 0x58,                         /* lifetime 600 */
	V4MAPPED(192, 0, 0, 2),
	0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc,
	0x06, 0x00, 0x00, 0x00,                         /* protocol 6 (TCP) */
	0x1f, 0x90, 0x00, 0x00,                         /* internal port 8080 */
	V4MAPPED(0, 0, 0, 0),
};

/* PEER TCP 40404 -> 203.0.113.9:443 from 192.0.0.2, lifetime 120. */
static const uint8_t peer_req[80] = {
	0x02, 0x02, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x78,                         /* lifetime 120 */
	V4MAPPED(192, 0, 0, 2),
	0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb, 0xcc,
	0x06, 0x00, 0x00, 0x00,
	0x9d, 0xd4, 0x00, 0x00,                         /* internal port 40404 */
	V4MAPPED(0, 0, 0, 0),
	0x01, 0xbb, 0x00, 0x00,                         /* remote peer port 443, reserved */
	V4MAPPED(203, 0, 113, 9),
};

static const uint8_t announce_req[24] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, V4MAPPED(192, 0, 0, 2),
};

/* Options, each exactly as on the wire. */
static const uint8_t opt_third_party[20] = { 0x01, 0x00, 0x00, 0x10, V4MAPPED(192, 168, 1, 10) };
static const uint8_t opt_prefer_failure[4] = { 0x02, 0x00, 0x00, 0x00 };
/* FILTER 203.0.113.0/24 (prefix 120), any port */
static const uint8_t opt_filter_v4_24[24] = { 0x03, 0x00, 0x00, 0x14, 0x00, 120, 0x00, 0x00,
					      V4MAPPED(203, 0, 113, 0) };
static const uint8_t opt_port_set_64[12] = { 0x82, 0x00, 0x00, 0x05, 0x00, 0x40, 0x1f, 0x90,
					     0x00, 0x00, 0x00, 0x00 };
static const uint8_t opt_unknown_42[8] = { 0x2a, 0x00, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04 };
static const uint8_t opt_unknown_200[4] = { 0xc8, 0x00, 0x00, 0x00 };

static struct in6_addr src_192_0_0_2(void)
{
	struct in6_addr a = { .s6_addr = { V4MAPPED(192, 0, 0, 2) } };

	return a;
}

static struct pcp_request req;
static uint8_t msg[1200];

static enum pcp_verdict validate(const uint8_t *buf, size_t len, uint8_t *rc)
{
	struct in6_addr src = src_192_0_0_2();

	*rc = 0xee;
	return pcp_server_validate(buf, len, &src, &req, rc);
}

/* msg = base then each option given, in order; returns the length. */
static size_t build(const uint8_t *base, size_t base_len, int n_opts, ...)
{
	va_list ap;
	size_t len = base_len;
	int i;

	memcpy(msg, base, base_len);
	va_start(ap, n_opts);
	for (i = 0; i < n_opts; i++) {
		const uint8_t *o = va_arg(ap, const uint8_t *);
		size_t olen = va_arg(ap, size_t);

		memcpy(msg + len, o, olen);
		len += olen;
	}
	va_end(ap);
	return len;
}

#define OPT(o) (o), sizeof(o)

static void expect_error(size_t len, uint8_t code)
{
	uint8_t rc;

	assert_int_equal(validate(msg, len, &rc), PCP_VERDICT_ERROR);
	assert_int_equal(rc, code);
}

static void expect_process(size_t len)
{
	uint8_t rc;

	assert_int_equal(validate(msg, len, &rc), PCP_VERDICT_PROCESS);
	assert_int_equal(rc, 0);
}

/* ---- PCPS-2: silent drops ------------------------------------------- */

static void test_pcps2_drops_fewer_than_2_octets(void **state)
{
	static const uint8_t one[1] = { 0x02 };
	uint8_t rc;

	(void)state;
	assert_int_equal(validate(one, 0, &rc), PCP_VERDICT_DROP);
	assert_int_equal(validate(one, 1, &rc), PCP_VERDICT_DROP);
}

static void test_pcps2_drops_r_bit(void **state)
{
	uint8_t rc;
	size_t len = build(lw4o6_map, sizeof(lw4o6_map), 0);

	(void)state;
	msg[OFF_OPCODE] = 0x81; /* a MAP response */
	assert_int_equal(validate(msg, len, &rc), PCP_VERDICT_DROP);
}

static void test_pcps2_drops_r_bit_before_version_check(void **state)
{
	uint8_t rc;
	size_t len = build(lw4o6_map, sizeof(lw4o6_map), 0);

	(void)state;
	msg[0] = 1;
	msg[OFF_OPCODE] = 0x81;
	assert_int_equal(validate(msg, len, &rc), PCP_VERDICT_DROP);
}

static void test_pcps2_drops_version2_shorter_than_24(void **state)
{
	uint8_t rc;

	(void)state;
	build(lw4o6_map, sizeof(lw4o6_map), 0);
	assert_int_equal(validate(msg, 2, &rc), PCP_VERDICT_DROP);
	assert_int_equal(validate(msg, 20, &rc), PCP_VERDICT_DROP);
	assert_int_equal(validate(msg, 23, &rc), PCP_VERDICT_DROP);
}

/* ---- PCPS-2 / §9: UNSUPP_VERSION ---------------------------------------- */

static void test_pcps2_unsupp_version_for_short_nat_pmp_request(void **state)
{
	/* RFC 6886 public address request: version 0, opcode 0. §8.2 looks
	 * at the version before the 24-octet minimum. */
	static const uint8_t natpmp[2] = { 0x00, 0x00 };
	uint8_t rc;

	(void)state;
	assert_int_equal(validate(natpmp, sizeof(natpmp), &rc), PCP_VERDICT_ERROR);
	assert_int_equal(rc, PCP_RES_UNSUPP_VERSION);
	assert_int_equal(req.raw_len, 2);
}

static void test_pcps2_unsupp_version_1_and_3(void **state)
{
	size_t len = build(lw4o6_map, sizeof(lw4o6_map), 0);

	(void)state;
	msg[0] = 1;
	expect_error(len, PCP_RES_UNSUPP_VERSION);
	msg[0] = 3;
	expect_error(len, PCP_RES_UNSUPP_VERSION);
	/* even when the rest would be malformed */
	expect_error(len - 1, PCP_RES_UNSUPP_VERSION);
}

/* ---- PCPS-2: MALFORMED_REQUEST for the length rules ----------------------- */

static void test_pcps2_malformed_request_longer_than_1100(void **state)
{
	size_t len = build(lw4o6_map, sizeof(lw4o6_map), 0);

	(void)state;
	/* An optional option whose data fills the message to 1104 octets. */
	msg[len] = 200;
	msg[len + 1] = 0;
	msg[len + 2] = 0x04; /* 1028 = 1104 - 72 - 4 */
	msg[len + 3] = 0x04;
	memset(msg + len + 4, 0, 1028);
	expect_error(1104, PCP_RES_MALFORMED_REQUEST);
	assert_int_equal(req.raw_len, 1100); /* kept for the truncated copy */
}

static void test_pcps2_accepts_exactly_1100(void **state)
{
	size_t len = build(lw4o6_map, sizeof(lw4o6_map), 0);

	(void)state;
	msg[len] = 200;
	msg[len + 1] = 0;
	msg[len + 2] = 0x04; /* 1024 = 1100 - 72 - 4 */
	msg[len + 3] = 0x00;
	memset(msg + len + 4, 0, 1024);
	expect_process(1100);
	assert_int_equal(req.opts.n_unknown, 1);
	assert_int_equal(req.opts.unknown[0].code, 200);
	assert_int_equal(req.opts.unknown[0].length, 1024);
	assert_int_equal(req.opts.unknown[0].offset, 72);
}

static void test_pcps2_malformed_request_not_multiple_of_4(void **state)
{
	size_t len = build(lw4o6_map, sizeof(lw4o6_map), 0);

	(void)state;
	msg[len] = 0;
	expect_error(len + 1, PCP_RES_MALFORMED_REQUEST);
	expect_error(61, PCP_RES_MALFORMED_REQUEST);
	expect_error(26, PCP_RES_MALFORMED_REQUEST);
}

static void test_pcps2_malformed_request_too_short_for_opcode(void **state)
{
	(void)state;
	build(lw4o6_map, sizeof(lw4o6_map), 0);
	expect_error(24, PCP_RES_MALFORMED_REQUEST); /* MAP needs 60 */
	expect_error(56, PCP_RES_MALFORMED_REQUEST);
	build(peer_req, sizeof(peer_req), 0);
	expect_error(60, PCP_RES_MALFORMED_REQUEST); /* PEER needs 80 */
	expect_error(76, PCP_RES_MALFORMED_REQUEST);
}

/* ---- UNSUPP_OPCODE ---------------------------------------------------------- */

static void test_unsupp_opcode(void **state)
{
	(void)state;
	build(tcp_map, sizeof(tcp_map), 0);
	msg[OFF_OPCODE] = 3; /* AUTHENTICATION (RFC 7652): not supported here */
	expect_error(60, PCP_RES_UNSUPP_OPCODE);
	msg[OFF_OPCODE] = 5;
	expect_error(24, PCP_RES_UNSUPP_OPCODE); /* no body to be too short for */
	msg[OFF_OPCODE] = 127;
	expect_error(60, PCP_RES_UNSUPP_OPCODE);
}

static void test_unsupp_opcode_comes_before_address_mismatch(void **state)
{
	(void)state;
	build(tcp_map, sizeof(tcp_map), 0);
	msg[OFF_OPCODE] = 5;
	msg[23] = 99; /* Client IP 192.0.0.99 */
	expect_error(60, PCP_RES_UNSUPP_OPCODE);
}

/* ---- PCPS-3: ADDRESS_MISMATCH ----------------------------------------------- */

static void test_pcps3_address_mismatch(void **state)
{
	(void)state;
	build(lw4o6_map, sizeof(lw4o6_map), 0);
	msg[23] = 3; /* Client IP 192.0.0.3, packet from 192.0.0.2 */
	expect_error(72, PCP_RES_ADDRESS_MISMATCH);
}

static void test_pcps3_ipv4_compatible_is_not_ipv4_mapped(void **state)
{
	(void)state;
	build(lw4o6_map, sizeof(lw4o6_map), 0);
	msg[18] = 0; /* ::192.0.0.2: §5 checks all 96 leading bits */
	msg[19] = 0;
	expect_error(72, PCP_RES_ADDRESS_MISMATCH);
}

static void test_pcps3_ipv6_client_matching_source(void **state)
{
	static const uint8_t b4[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xb4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	struct in6_addr src;
	uint8_t rc;

	(void)state;
	build(tcp_map, sizeof(tcp_map), 0);
	memcpy(msg + 8, b4, 16);
	memcpy(src.s6_addr, b4, 16);
	assert_int_equal(pcp_server_validate(msg, 60, &src, &req, &rc), PCP_VERDICT_PROCESS);
	src.s6_addr[15] = 2;
	assert_int_equal(pcp_server_validate(msg, 60, &src, &req, &rc), PCP_VERDICT_ERROR);
	assert_int_equal(rc, PCP_RES_ADDRESS_MISMATCH);
}

/* ---- valid requests ---------------------------------------------------------- */

static void test_pcpc5_lw4o6_request_is_processed(void **state)
{
	static const uint8_t nonce[12] = { 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6,
					   0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac };

	(void)state;
	build(lw4o6_map, sizeof(lw4o6_map), 0);
	expect_process(72);
	assert_int_equal(req.opcode, PCP_OP_MAP);
	assert_int_equal(req.lifetime, 3600);
	assert_memory_equal(req.body.nonce, nonce, 12);
	assert_int_equal(req.body.protocol, 0);
	assert_int_equal(req.body.internal_port, 1);
	assert_true(req.opts.has_port_set);
	assert_int_equal(req.opts.port_set.size, 65535);
	assert_int_equal(req.opts.port_set.first_internal_port, 1);
	assert_false(req.opts.port_set.parity);
	assert_false(req.opts.has_third_party);
}

static void test_announce_and_peer_are_processed(void **state)
{
	(void)state;
	build(announce_req, sizeof(announce_req), 0);
	expect_process(24);
	assert_int_equal(req.opcode, PCP_OP_ANNOUNCE);
	build(peer_req, sizeof(peer_req), 0);
	expect_process(80);
	assert_int_equal(req.opcode, PCP_OP_PEER);
	assert_int_equal(req.body.internal_port, 40404);
	assert_int_equal(req.body.remote_peer_port, 443);
}

static void test_reserved_fields_are_ignored(void **state)
{
	size_t len = build(tcp_map, sizeof(tcp_map), 1, OPT(opt_port_set_64));

	(void)state;
	msg[2] = 0xff;  /* header reserved */
	msg[37] = 0xff; /* MAP reserved, 3 octets */
	msg[38] = 0xff;
	msg[39] = 0xff;
	msg[61] = 0xff; /* option reserved */
	msg[68] = 0xfe; /* PORT_SET reserved bits, P = 0 */
	expect_process(len);
	assert_int_equal(req.body.protocol, 6);
	assert_int_equal(req.opts.port_set.size, 64);
	assert_false(req.opts.port_set.parity);
}

/* ---- PCPS-5: options (§7.3) --------------------------------------------------- */

static void test_pcps5_unknown_mandatory_option_unsupp_option(void **state)
{
	(void)state;
	expect_error(build(tcp_map, sizeof(tcp_map), 1, OPT(opt_unknown_42)), PCP_RES_UNSUPP_OPTION);
	build(tcp_map, sizeof(tcp_map), 1, OPT(opt_unknown_42));
	msg[60] = 0; /* code 0 */
	expect_error(68, PCP_RES_UNSUPP_OPTION);
	msg[60] = 127;
	expect_error(68, PCP_RES_UNSUPP_OPTION);
}

static void test_pcps5_unknown_optional_option_ignored(void **state)
{
	/* DESCRIPTION (128) "hello": length 5, 3 octets of padding */
	static const uint8_t description[12] = { 0x80, 0x00, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o', 0, 0, 0 };
	size_t len = build(tcp_map, sizeof(tcp_map), 3, OPT(description), OPT(opt_unknown_200),
			   OPT(opt_third_party));

	(void)state;
	expect_process(len);
	assert_int_equal(req.opts.n_unknown, 2);
	assert_int_equal(req.opts.unknown[0].code, 128);
	assert_int_equal(req.opts.unknown[0].length, 5);
	assert_int_equal(req.opts.unknown[0].offset, 60);
	assert_int_equal(req.opts.unknown[1].code, 200);
	assert_int_equal(req.opts.unknown[1].length, 0);
	assert_int_equal(req.opts.unknown[1].offset, 72);
	/* the option after the padded one is found where §7.3 puts it */
	assert_true(req.opts.has_third_party);
	assert_int_equal(req.opts.third_party_addr.s6_addr[15], 10);
}

static void test_pcps5_options_processed_in_order(void **state)
{
	/* PORT_SET with size 0 (MALFORMED_OPTION) and option 42 (UNSUPP_OPTION):
	 * the first one decides. */
	static const uint8_t port_set_size0[12] = { 0x82, 0, 0, 5, 0, 0, 0x1f, 0x90, 0, 0, 0, 0 };

	(void)state;
	expect_error(build(tcp_map, sizeof(tcp_map), 2, OPT(opt_unknown_42), OPT(port_set_size0)),
		     PCP_RES_UNSUPP_OPTION);
	expect_error(build(tcp_map, sizeof(tcp_map), 2, OPT(port_set_size0), OPT(opt_unknown_42)),
		     PCP_RES_MALFORMED_OPTION);
}

static void test_pcps5_option_running_past_end_malformed_option(void **state)
{
	/* THIRD_PARTY says 16 octets, 8 follow (pcp_vectors.pcap frame 17) */
	static const uint8_t cut[12] = { 0x01, 0x00, 0x00, 0x10, 0, 0, 0, 0, 0, 0, 0, 0 };
	/* an optional option runs past the end too: not skippable */
	static const uint8_t cut_optional[8] = { 0xc8, 0x00, 0x00, 0x08, 0, 0, 0, 0 };
	/* length 5: the data fits, its padding would not */
	static const uint8_t cut_padding[8] = { 0xc8, 0x00, 0x00, 0x05, 0, 0, 0, 0 };

	(void)state;
	expect_error(build(tcp_map, sizeof(tcp_map), 1, OPT(cut)), PCP_RES_MALFORMED_OPTION);
	expect_error(build(tcp_map, sizeof(tcp_map), 1, OPT(cut_optional)), PCP_RES_MALFORMED_OPTION);
	expect_error(build(tcp_map, sizeof(tcp_map), 1, OPT(cut_padding)), PCP_RES_MALFORMED_OPTION);
}

static void test_pcps5_wrong_option_length_malformed_option(void **state)
{
	/* PORT_SET with length 8 (pcp_vectors.pcap frame 16) */
	static const uint8_t port_set_len8[12] = { 0x82, 0, 0, 8, 0, 0x10, 0, 0, 1, 0, 0, 0 };
	static const uint8_t third_party_len4[8] = { 0x01, 0, 0, 4, 192, 168, 1, 10 };
	static const uint8_t prefer_failure_len4[8] = { 0x02, 0, 0, 4, 0, 0, 0, 0 };
	static const uint8_t filter_len16[20] = { 0x03, 0, 0, 16, V4MAPPED(203, 0, 113, 0) };

	(void)state;
	expect_error(build(tcp_map, sizeof(tcp_map), 1, OPT(port_set_len8)), PCP_RES_MALFORMED_OPTION);
	expect_error(build(tcp_map, sizeof(tcp_map), 1, OPT(third_party_len4)), PCP_RES_MALFORMED_OPTION);
	expect_error(build(tcp_map, sizeof(tcp_map), 1, OPT(prefer_failure_len4)), PCP_RES_MALFORMED_OPTION);
	expect_error(build(tcp_map, sizeof(tcp_map), 1, OPT(filter_len16)), PCP_RES_MALFORMED_OPTION);
}

static void test_pcps5_option_appearing_twice_malformed_option(void **state)
{
	(void)state;
	expect_error(build(tcp_map, sizeof(tcp_map), 2, OPT(opt_third_party), OPT(opt_third_party)),
		     PCP_RES_MALFORMED_OPTION);
	expect_error(build(tcp_map, sizeof(tcp_map), 2, OPT(opt_prefer_failure), OPT(opt_prefer_failure)),
		     PCP_RES_MALFORMED_OPTION);
	/* FILTER may repeat (§13.3) */
	expect_process(build(tcp_map, sizeof(tcp_map), 2, OPT(opt_filter_v4_24), OPT(opt_filter_v4_24)));
	assert_int_equal(req.opts.n_filters, 2);
	assert_int_equal(req.opts.filters[1].prefix_len, 120);
}

static void test_pcps5_option_not_valid_for_opcode_malformed_option(void **state)
{
	(void)state;
	expect_error(build(peer_req, sizeof(peer_req), 1, OPT(opt_filter_v4_24)), PCP_RES_MALFORMED_OPTION);
	expect_error(build(peer_req, sizeof(peer_req), 1, OPT(opt_prefer_failure)), PCP_RES_MALFORMED_OPTION);
	expect_error(build(peer_req, sizeof(peer_req), 1, OPT(opt_port_set_64)), PCP_RES_MALFORMED_OPTION);
	expect_error(build(announce_req, sizeof(announce_req), 1, OPT(opt_third_party)),
		     PCP_RES_MALFORMED_OPTION);
	/* THIRD_PARTY is valid for PEER; an unknown optional option anywhere */
	expect_process(build(peer_req, sizeof(peer_req), 1, OPT(opt_third_party)));
	assert_true(req.opts.has_third_party);
	expect_process(build(announce_req, sizeof(announce_req), 1, OPT(opt_unknown_200)));
}

static void test_filter_prefix_length_rules(void **state)
{
	size_t len;

	(void)state;
	len = build(tcp_map, sizeof(tcp_map), 1, OPT(opt_filter_v4_24));
	expect_process(len);
	assert_int_equal(req.opts.filters[0].prefix_len, 120);
	msg[65] = 24; /* libpcp's IPv4 /24 (pcp.md §5.2): should be 120 */
	expect_error(len, PCP_RES_MALFORMED_OPTION);
	msg[65] = 129;
	expect_error(len, PCP_RES_MALFORMED_OPTION);
	msg[65] = 0; /* no address relevant */
	expect_process(len);
	msg[65] = 64; /* an IPv6 /64 is fine */
	msg[68 + 10] = 0;
	msg[68 + 11] = 0;
	msg[68 + 0] = 0x20;
	expect_process(len);
}

/* ---- PCPS-6: PORT_SET rules (RFC 7753 §4.2) ------------------------------------ */

static void test_pcps6_two_port_sets_malformed_option(void **state)
{
	size_t len = build(tcp_map, sizeof(tcp_map), 2, OPT(opt_port_set_64), OPT(opt_port_set_64));

	(void)state;
	expect_error(len, PCP_RES_MALFORMED_OPTION);
	msg[OFF_LIFETIME + 2] = 0; /* lifetime 0: still twice the once-only option (§7.3) */
	msg[OFF_LIFETIME + 3] = 0;
	expect_error(len, PCP_RES_MALFORMED_OPTION);
}

static void test_pcps6_port_set_size_0_malformed_option(void **state)
{
	size_t len = build(lw4o6_map, sizeof(lw4o6_map), 0);

	(void)state;
	msg[64] = 0;
	msg[65] = 0;
	expect_error(len, PCP_RES_MALFORMED_OPTION);
	/* RFC 7753 §4.2 applies to non-zero lifetimes: a delete is accepted */
	memset(msg + OFF_LIFETIME, 0, 4);
	expect_process(len);
}

static void test_pcps6_port_set_with_prefer_failure_malformed_option(void **state)
{
	size_t len;

	(void)state;
	expect_error(build(tcp_map, sizeof(tcp_map), 2, OPT(opt_prefer_failure), OPT(opt_port_set_64)),
		     PCP_RES_MALFORMED_OPTION);
	len = build(tcp_map, sizeof(tcp_map), 2, OPT(opt_port_set_64), OPT(opt_prefer_failure));
	expect_error(len, PCP_RES_MALFORMED_OPTION);
	memset(msg + OFF_LIFETIME, 0, 4);
	expect_process(len);
}

/* ---- §11.3 MAP rules and PCPS-19 ------------------------------------------------- */

static void test_map_protocol0_with_port_malformed_request(void **state)
{
	size_t len = build(tcp_map, sizeof(tcp_map), 0);

	(void)state;
	msg[OFF_PROTOCOL] = 0; /* all protocols, internal port 8080 */
	expect_error(len, PCP_RES_MALFORMED_REQUEST);
	memset(msg + OFF_LIFETIME, 0, 4); /* a delete: §11.3's rule is for lifetime != 0 */
	expect_process(len);
}

static void test_map_options_checked_before_map_rules(void **state)
{
	size_t len = build(tcp_map, sizeof(tcp_map), 1, OPT(opt_unknown_42));

	(void)state;
	msg[OFF_PROTOCOL] = 0;
	expect_error(len, PCP_RES_UNSUPP_OPTION);
}

static void test_map_internal_port_0_is_all_ports(void **state)
{
	size_t len = build(tcp_map, sizeof(tcp_map), 0);

	(void)state;
	/* §11.1: internal port 0 with a non-zero lifetime asks for all
	 * ports; it is not malformed (granting it is policy). */
	msg[OFF_INTERNAL_PORT] = 0;
	msg[OFF_INTERNAL_PORT + 1] = 0;
	expect_process(len);
	msg[OFF_PROTOCOL] = 0; /* and all protocols */
	expect_process(len);
}

static void test_pcps19_protocol0_port1_port_set_accepted(void **state)
{
	size_t len = build(lw4o6_map, sizeof(lw4o6_map), 0);

	(void)state;
	expect_process(len);
	msg[64] = 0x00; /* size 2 is still a set */
	msg[65] = 0x02;
	expect_process(len);
}

static void test_pcps19_exception_is_narrow(void **state)
{
	size_t len = build(lw4o6_map, sizeof(lw4o6_map), 0);

	(void)state;
	msg[64] = 0x00; /* size 1: as if PORT_SET were absent (RFC 7753 §4.2) */
	msg[65] = 0x01;
	expect_error(len, PCP_RES_MALFORMED_REQUEST);
	len = build(lw4o6_map, sizeof(lw4o6_map), 0);
	msg[OFF_INTERNAL_PORT + 1] = 2; /* internal port 2 */
	expect_error(len, PCP_RES_MALFORMED_REQUEST);
	expect_error(build(lw4o6_map, 60, 0), PCP_RES_MALFORMED_REQUEST); /* no PORT_SET */
}

/* ---- PCPS-18: THIRD_PARTY policy (§13.1) --------------------------------------- */

static void test_pcps18_third_party_policy(void **state)
{
	struct in6_addr src = src_192_0_0_2();
	size_t len = build(tcp_map, sizeof(tcp_map), 1, OPT(opt_third_party));

	(void)state;
	expect_process(len);
	assert_true(req.opts.has_third_party);
	assert_int_equal(pcp_third_party_check(&req, &src, false), PCP_RES_UNSUPP_OPTION);
	assert_int_equal(pcp_third_party_check(&req, &src, true), PCP_RES_SUCCESS);
	/* THIRD_PARTY naming the sender itself */
	memcpy(msg + 64, src.s6_addr, 16);
	expect_process(len);
	assert_int_equal(pcp_third_party_check(&req, &src, true), PCP_RES_MALFORMED_REQUEST);
	assert_int_equal(pcp_third_party_check(&req, &src, false), PCP_RES_UNSUPP_OPTION);
	/* no THIRD_PARTY: nothing to decide */
	expect_process(build(tcp_map, sizeof(tcp_map), 0));
	assert_int_equal(pcp_third_party_check(&req, &src, false), PCP_RES_SUCCESS);
}

/* PCPS-4, PCPS-15 (RFC 6887 §7.4): each error's Lifetime by its class,
 * short (30 s) when the cause may pass, long (30 min) when the same request
 * fails again. NO_RESOURCES is short whatever made the server run out. */
static void test_pcps4_error_lifetimes(void **state)
{
	static const struct {
		uint8_t result;
		uint32_t lifetime;
	} classes[] = {
		{ PCP_RES_UNSUPP_VERSION, 1800 },
		{ PCP_RES_NOT_AUTHORIZED, 1800 },
		{ PCP_RES_MALFORMED_REQUEST, 1800 },
		{ PCP_RES_UNSUPP_OPCODE, 1800 },
		{ PCP_RES_UNSUPP_OPTION, 1800 },
		{ PCP_RES_MALFORMED_OPTION, 1800 },
		{ PCP_RES_NETWORK_FAILURE, 30 },
		{ PCP_RES_NO_RESOURCES, 30 },
		{ PCP_RES_UNSUPP_PROTOCOL, 1800 },
		{ PCP_RES_USER_EX_QUOTA, 30 },
		{ PCP_RES_CANNOT_PROVIDE_EXTERNAL, 30 },
		{ PCP_RES_ADDRESS_MISMATCH, 1800 },
		{ PCP_RES_EXCESSIVE_REMOTE_PEERS, 1800 },
		{ 200, 1800 }, /* unknown: not worth asking again soon */
	};

	(void)state;
	assert_int_equal(PCP_SHORT_ERROR_LIFETIME, 30);
	assert_int_equal(PCP_LONG_ERROR_LIFETIME, 1800);
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		print_message("result %u\n", classes[i].result);
		assert_int_equal(pcp_error_lifetime(classes[i].result), classes[i].lifetime);
	}
}

static void test_null_arguments_drop(void **state)
{
	struct in6_addr src = src_192_0_0_2();
	uint8_t rc;

	(void)state;
	assert_int_equal(pcp_server_validate(NULL, 72, &src, &req, &rc), PCP_VERDICT_DROP);
	assert_int_equal(pcp_server_validate(lw4o6_map, 72, NULL, &req, &rc), PCP_VERDICT_DROP);
	assert_int_equal(pcp_server_validate(lw4o6_map, 72, &src, NULL, &rc), PCP_VERDICT_DROP);
	assert_int_equal(pcp_server_validate(lw4o6_map, 72, &src, &req, NULL), PCP_VERDICT_DROP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcps2_drops_fewer_than_2_octets),
		cmocka_unit_test(test_pcps2_drops_r_bit),
		cmocka_unit_test(test_pcps2_drops_r_bit_before_version_check),
		cmocka_unit_test(test_pcps2_drops_version2_shorter_than_24),
		cmocka_unit_test(test_pcps2_unsupp_version_for_short_nat_pmp_request),
		cmocka_unit_test(test_pcps2_unsupp_version_1_and_3),
		cmocka_unit_test(test_pcps2_malformed_request_longer_than_1100),
		cmocka_unit_test(test_pcps2_accepts_exactly_1100),
		cmocka_unit_test(test_pcps2_malformed_request_not_multiple_of_4),
		cmocka_unit_test(test_pcps2_malformed_request_too_short_for_opcode),
		cmocka_unit_test(test_unsupp_opcode),
		cmocka_unit_test(test_unsupp_opcode_comes_before_address_mismatch),
		cmocka_unit_test(test_pcps3_address_mismatch),
		cmocka_unit_test(test_pcps3_ipv4_compatible_is_not_ipv4_mapped),
		cmocka_unit_test(test_pcps3_ipv6_client_matching_source),
		cmocka_unit_test(test_pcpc5_lw4o6_request_is_processed),
		cmocka_unit_test(test_announce_and_peer_are_processed),
		cmocka_unit_test(test_reserved_fields_are_ignored),
		cmocka_unit_test(test_pcps5_unknown_mandatory_option_unsupp_option),
		cmocka_unit_test(test_pcps5_unknown_optional_option_ignored),
		cmocka_unit_test(test_pcps5_options_processed_in_order),
		cmocka_unit_test(test_pcps5_option_running_past_end_malformed_option),
		cmocka_unit_test(test_pcps5_wrong_option_length_malformed_option),
		cmocka_unit_test(test_pcps5_option_appearing_twice_malformed_option),
		cmocka_unit_test(test_pcps5_option_not_valid_for_opcode_malformed_option),
		cmocka_unit_test(test_filter_prefix_length_rules),
		cmocka_unit_test(test_pcps6_two_port_sets_malformed_option),
		cmocka_unit_test(test_pcps6_port_set_size_0_malformed_option),
		cmocka_unit_test(test_pcps6_port_set_with_prefer_failure_malformed_option),
		cmocka_unit_test(test_map_protocol0_with_port_malformed_request),
		cmocka_unit_test(test_map_options_checked_before_map_rules),
		cmocka_unit_test(test_map_internal_port_0_is_all_ports),
		cmocka_unit_test(test_pcps19_protocol0_port1_port_set_accepted),
		cmocka_unit_test(test_pcps19_exception_is_narrow),
		cmocka_unit_test(test_pcps18_third_party_policy),
		cmocka_unit_test(test_pcps4_error_lifetimes),
		cmocka_unit_test(test_null_arguments_drop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
