// SPDX-License-Identifier: GPL-2.0
/* The PCP captures in selftests/data/pcp-vectors/ through the codec: every field
 * checked against the literal values of the *.decoded.txt files (tshark
 * 4.0.17) or, for the recorded captures that have no decode, of the README
 * and the bytes themselves; each request also through pcp_server_validate()
 * with the packet's own source, and the answers the encoder gives compared
 * with the recorded ones.
 *
 * pcp_vectors.pcap and ws_padding_bug.pcap are classic pcap files, read
 * with selftests/lib/pcap.h. miniupnpd_demo.pcap and the two libpcp files
 * are pcapng, which that reader does not handle; a minimal pcapng block
 * walk (SHB, IDB, EPB) lives here for them. Link types: Ethernet, and Linux
 * cooked capture v1 for miniupnpd_demo.pcap. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pcap.h"
#include "pcp_msg.h"

#define VECTORS LW4O6_DATA_DIR "/pcp-vectors"
#define V4MAPPED(a, b, c, d) 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d

#define LINKTYPE_LINUX_SLL 113
#define MAX_FRAMES 32
#define MAX_FRAME 2048

struct frame {
	int linktype;
	size_t len;
	uint8_t data[MAX_FRAME];
};

/* One capture's UDP datagram per frame. */
struct datagram {
	struct in6_addr src; /* IPv4-mapped for IPv4 */
	struct in6_addr dst;
	uint16_t sport, dport;
	const uint8_t *payload;
	size_t len;
};

struct capture {
	size_t n;
	struct frame frames[MAX_FRAMES];
	struct datagram dgrams[MAX_FRAMES];
};

static struct capture vectors, padding_bug, miniupnpd, libpcp_5351, libpcp_loop;

/* ---- reading the captures ------------------------------------------------ */

static void add_frame(struct capture *c, int linktype, const uint8_t *data, size_t len)
{
	assert_true(c->n < MAX_FRAMES);
	assert_true(len <= MAX_FRAME);
	c->frames[c->n].linktype = linktype;
	c->frames[c->n].len = len;
	memcpy(c->frames[c->n].data, data, len);
	c->n++;
}

static void load_pcap(const char *path, struct capture *c)
{
	struct pcap_reader r;
	struct pcap_record rec;
	int rc;

	assert_int_equal(pcap_reader_open(&r, path), 0);
	assert_int_equal(r.linktype, PCAP_LINKTYPE_ETHERNET);
	while ((rc = pcap_reader_next(&r, &rec)) == 1)
		add_frame(c, PCAP_LINKTYPE_ETHERNET, rec.data, rec.caplen);
	assert_int_equal(rc, 0);
	pcap_reader_close(&r);
}

static uint32_t rd32(const uint8_t *p, bool big)
{
	return big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
		   : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* pcapng: blocks of {type, total length, body, total length}; the Section
 * Header's byte-order magic 0x1A2B3C4D says how to read the rest; each
 * Interface Description gives a link type; Enhanced Packet Blocks carry the
 * frames (interface id, timestamp, captured and original length, data). */
static void load_pcapng(const char *path, struct capture *c)
{
	static uint8_t file[64 * 1024];
	int linktypes[8];
	size_t n, off = 0, n_if = 0;
	bool big = false;
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	n = fread(file, 1, sizeof(file), f);
	assert_true(feof(f));
	fclose(f);
	while (off + 12 <= n) {
		uint32_t type, blen;

		if (rd32(file + off, false) == 0x0a0d0d0a)
			big = rd32(file + off + 8, true) == 0x1a2b3c4d;
		type = rd32(file + off, big);
		blen = rd32(file + off + 4, big);
		assert_true(blen >= 12 && blen % 4 == 0 && off + blen <= n);
		if (type == 1) { /* Interface Description */
			assert_true(n_if < 8);
			linktypes[n_if++] = big ? file[off + 8] << 8 | file[off + 9]
						: file[off + 9] << 8 | file[off + 8];
		} else if (type == 6) { /* Enhanced Packet */
			uint32_t ifid = rd32(file + off + 8, big);
			uint32_t caplen = rd32(file + off + 20, big);

			assert_true(ifid < n_if && 28 + caplen <= blen);
			add_frame(c, linktypes[ifid], file + off + 28, caplen);
		}
		off += blen;
	}
	assert_int_equal(off, n);
}

/* Ethernet (with at most one 802.1Q tag) or Linux cooked v1, then IPv4
 * without fragmentation or IPv6 without extension headers, then UDP. */
static void find_udp(const struct frame *fr, struct datagram *d)
{
	const uint8_t *p = fr->data, *end = fr->data + fr->len, *udp;
	uint16_t ethertype;
	size_t udp_len;

	memset(d, 0, sizeof(*d));
	if (fr->linktype == LINKTYPE_LINUX_SLL) {
		ethertype = (uint16_t)(p[14] << 8 | p[15]);
		p += 16;
	} else {
		assert_int_equal(fr->linktype, PCAP_LINKTYPE_ETHERNET);
		ethertype = (uint16_t)(p[12] << 8 | p[13]);
		p += 14;
		if (ethertype == 0x8100) {
			ethertype = (uint16_t)(p[2] << 8 | p[3]);
			p += 4;
		}
	}
	if (ethertype == 0x0800) {
		size_t ihl = (size_t)(p[0] & 0x0f) * 4;

		assert_int_equal(p[0] >> 4, 4);
		assert_int_equal(p[9], 17);
		assert_int_equal(p[6] & 0x3f, 0); /* no fragment */
		pcp_addr_from_ipv4(&d->src, 0);
		pcp_addr_from_ipv4(&d->dst, 0);
		memcpy(&d->src.s6_addr[12], p + 12, 4);
		memcpy(&d->dst.s6_addr[12], p + 16, 4);
		udp = p + ihl;
	} else {
		assert_int_equal(ethertype, 0x86dd);
		assert_int_equal(p[6], 17);
		memcpy(d->src.s6_addr, p + 8, 16);
		memcpy(d->dst.s6_addr, p + 24, 16);
		udp = p + 40;
	}
	assert_true(udp + 8 <= end);
	d->sport = (uint16_t)(udp[0] << 8 | udp[1]);
	d->dport = (uint16_t)(udp[2] << 8 | udp[3]);
	udp_len = (size_t)(udp[4] << 8 | udp[5]);
	assert_true(udp_len >= 8 && udp + udp_len <= end);
	d->payload = udp + 8;
	d->len = udp_len - 8;
}

static void extract(struct capture *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		find_udp(&c->frames[i], &c->dgrams[i]);
}

static int load_all(void **state)
{
	(void)state;
	load_pcap(VECTORS "/pcp_vectors.pcap", &vectors);
	load_pcap(VECTORS "/ws_padding_bug.pcap", &padding_bug);
	load_pcapng(VECTORS "/miniupnpd_demo.pcap", &miniupnpd);
	load_pcapng(VECTORS "/libpcp_map_5351.pcap", &libpcp_5351);
	load_pcapng(VECTORS "/libpcp_loopback.pcap", &libpcp_loop);
	extract(&vectors);
	extract(&padding_bug);
	extract(&miniupnpd);
	extract(&libpcp_5351);
	extract(&libpcp_loop);
	return 0;
}

/* ---- helpers ---------------------------------------------------------------- */

static struct pcp_request req;
static struct pcp_response rsp;
static uint8_t out[PCP_MAX_LEN];

/* frame numbers are 1-based, as Wireshark counts */
static const struct datagram *frame(const struct capture *c, size_t number)
{
	assert_true(number >= 1 && number <= c->n);
	return &c->dgrams[number - 1];
}

static void assert_addr(const struct in6_addr *a, const uint8_t want[16])
{
	assert_memory_equal(a->s6_addr, want, 16);
}

static void assert_nonce(const struct pcp_body *b, const uint8_t want[12])
{
	assert_memory_equal(b->nonce, want, 12);
}

/* pcp_server_validate() with the datagram's own source address. */
static enum pcp_verdict validate(const struct datagram *d, uint8_t *rc)
{
	return pcp_server_validate(d->payload, d->len, &d->src, &req, rc);
}

static void expect_process(const struct datagram *d)
{
	uint8_t rc = 0xee;

	assert_int_equal(validate(d, &rc), PCP_VERDICT_PROCESS);
	assert_int_equal(rc, 0);
}

static void expect_error(const struct datagram *d, uint8_t code)
{
	uint8_t rc = 0xee;

	assert_int_equal(validate(d, &rc), PCP_VERDICT_ERROR);
	assert_int_equal(rc, code);
}

static void decode_ok(const struct datagram *d)
{
	assert_int_equal(pcp_decode_response(d->payload, d->len, &rsp), 0);
	assert_int_equal(rsp.version, 2);
}

static const uint8_t b4_ipv6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xb4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t v4_any[16] = { V4MAPPED(0, 0, 0, 0) };
static const uint8_t v4_public[16] = { V4MAPPED(198, 51, 100, 7) };
static const uint8_t v4_lan_host[16] = { V4MAPPED(192, 168, 1, 10) };
static const uint8_t nonce_01[12] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c };
static const uint8_t nonce_40[12] = { 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b };
static const uint8_t nonce_80[12] = { 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b };

/* ---- pcp_vectors.pcap ------------------------------------------------------------ */

static void test_vectors_capture_shape(void **state)
{
	(void)state;
	assert_int_equal(vectors.n, 21);
	assert_int_equal(padding_bug.n, 3);
	assert_int_equal(miniupnpd.n, 28);
	assert_int_equal(libpcp_5351.n, 4);
	assert_int_equal(libpcp_loop.n, 8);
	/* UDP lengths from pcp_vectors.summary.txt: frame length − 14 − IP − 8 */
	assert_int_equal(frame(&vectors, 1)->len, 72);  /* 134 − 14 − 40 − 8 */
	assert_int_equal(frame(&vectors, 5)->len, 88);  /* 130 − 14 − 20 − 8 */
	assert_int_equal(frame(&vectors, 11)->len, 24); /* 66 − 42 */
	assert_int_equal(frame(&vectors, 18)->len, 60);
	assert_int_equal(frame(&vectors, 19)->len, 32);
	assert_int_equal(frame(&vectors, 21)->len, 48);
	assert_int_equal(frame(&vectors, 1)->dport, 5351);
	assert_int_equal(frame(&vectors, 12)->dport, 5350);
}

/* frames 1-2: lwB4 -> lwAFTR MAP, protocol 0, PORT_SET 65535 P=1 -> 1024 */
static void test_vectors_f1_f2_map_port_set(void **state)
{
	const struct pcp_map_answer ans = {
		.external_port = 2048,
		.external_addr = { .s6_addr = { V4MAPPED(198, 51, 100, 7) } },
		.port_set_size = 1024,
		.first_internal_port = 0,
		.parity = false,
	};

	(void)state;
	expect_process(frame(&vectors, 1));
	assert_int_equal(req.opcode, PCP_OP_MAP);
	assert_int_equal(req.lifetime, 7200);
	assert_addr(&req.client_addr, b4_ipv6);
	assert_nonce(&req.body, nonce_01);
	assert_int_equal(req.body.protocol, 0);
	assert_int_equal(req.body.internal_port, 0);
	assert_int_equal(req.body.external_port, 0);
	assert_addr(&req.body.external_addr, v4_any);
	assert_true(req.opts.has_port_set);
	assert_int_equal(req.opts.port_set.size, 65535);
	assert_int_equal(req.opts.port_set.first_internal_port, 0);
	assert_true(req.opts.port_set.parity);

	decode_ok(frame(&vectors, 2));
	assert_int_equal(rsp.opcode, PCP_OP_MAP);
	assert_int_equal(rsp.result, PCP_RES_SUCCESS);
	assert_int_equal(rsp.lifetime, 7200);
	assert_int_equal(rsp.epoch, 1234);
	assert_nonce(&rsp.body, nonce_01);
	assert_int_equal(rsp.body.protocol, 0);
	assert_int_equal(rsp.body.internal_port, 0);
	assert_int_equal(rsp.body.external_port, 2048);
	assert_addr(&rsp.body.external_addr, v4_public);
	assert_true(rsp.opts.has_port_set);
	assert_int_equal(rsp.opts.port_set.size, 1024);
	assert_int_equal(rsp.opts.port_set.first_internal_port, 0);
	assert_false(rsp.opts.port_set.parity);

	/* the encoder's answer to frame 1 is frame 2, octet for octet */
	assert_int_equal(pcp_encode_response(&req, 0, 7200, 1234, &ans, out, sizeof(out)), 72);
	assert_memory_equal(out, frame(&vectors, 2)->payload, 72);
}

/* frames 3-4: MAP TCP 10000, PORT_SET 256 -> partial grant of 128 */
static void test_vectors_f3_f4_partial_grant(void **state)
{
	const struct pcp_map_answer ans = {
		.external_port = 20000,
		.external_addr = { .s6_addr = { V4MAPPED(198, 51, 100, 7) } },
		.port_set_size = 128,
		.first_internal_port = 10000,
	};

	(void)state;
	expect_process(frame(&vectors, 3));
	assert_int_equal(req.lifetime, 3600);
	assert_nonce(&req.body, nonce_40);
	assert_int_equal(req.body.protocol, 6);
	assert_int_equal(req.body.internal_port, 10000);
	assert_int_equal(req.body.external_port, 20000);
	assert_addr(&req.body.external_addr, v4_public);
	assert_int_equal(req.opts.port_set.size, 256);
	assert_int_equal(req.opts.port_set.first_internal_port, 10000);
	assert_false(req.opts.port_set.parity);

	decode_ok(frame(&vectors, 4));
	assert_int_equal(rsp.result, 0);
	assert_int_equal(rsp.lifetime, 3600);
	assert_int_equal(rsp.epoch, 1240);
	assert_int_equal(rsp.body.internal_port, 10000);
	assert_int_equal(rsp.body.external_port, 20000);
	assert_int_equal(rsp.opts.port_set.size, 128);
	assert_int_equal(rsp.opts.port_set.first_internal_port, 10000);

	assert_int_equal(pcp_encode_response(&req, 0, 3600, 1240, &ans, out, sizeof(out)), 72);
	assert_memory_equal(out, frame(&vectors, 4)->payload, 72);
}

/* frames 5-6: LAN MAP UDP 5060 + PREFER_FAILURE + FILTER -> CANNOT_PROVIDE_EXTERNAL */
static void test_vectors_f5_f6_prefer_failure_filter(void **state)
{
	static const uint8_t filter_peer[16] = { V4MAPPED(203, 0, 113, 0) };
	const struct datagram *f6 = frame(&vectors, 6);

	(void)state;
	expect_process(frame(&vectors, 5));
	assert_int_equal(req.lifetime, 600);
	assert_addr(&req.client_addr, v4_lan_host);
	assert_nonce(&req.body, nonce_80);
	assert_int_equal(req.body.protocol, 17);
	assert_int_equal(req.body.internal_port, 5060);
	assert_int_equal(req.body.external_port, 5060);
	assert_addr(&req.body.external_addr, v4_public);
	assert_true(req.opts.prefer_failure);
	assert_int_equal(req.opts.n_filters, 1);
	assert_int_equal(req.opts.filters[0].prefix_len, 120);
	assert_int_equal(req.opts.filters[0].remote_peer_port, 0);
	assert_addr(&req.opts.filters[0].remote_peer_addr, filter_peer);

	decode_ok(f6);
	assert_int_equal(rsp.result, PCP_RES_CANNOT_PROVIDE_EXTERNAL);
	assert_int_equal(rsp.lifetime, 30);
	assert_int_equal(rsp.epoch, 77);
	assert_int_equal(rsp.body.external_port, 0);
	assert_addr(&rsp.body.external_addr, v4_any);
	assert_true(rsp.opts.prefer_failure);
	assert_int_equal(rsp.opts.n_filters, 1);
	assert_int_equal(rsp.opts.filters[0].prefix_len, 120);

	/* Our error answer is a complete copy of the request (RFC 6887 §7.3),
	 * so it keeps the suggested 198.51.100.7:5060 where this synthetic
	 * vector zeroes the assigned port and address (octets 42..59);
	 * everything else is the same. */
	assert_int_equal(pcp_encode_response(&req, PCP_RES_CANNOT_PROVIDE_EXTERNAL, 30, 77, NULL, out,
					     sizeof(out)), 88);
	assert_memory_equal(out, f6->payload, 42);
	assert_int_equal(out[42], 0x13);
	assert_int_equal(out[43], 0xc4);
	assert_memory_equal(out + 44, v4_public, 16);
	assert_memory_equal(out + 60, f6->payload + 60, 28);
}

/* frames 7-8: MAP UDP 5060 with THIRD_PARTY (proxy-style relay) */
static void test_vectors_f7_f8_third_party(void **state)
{
	const struct pcp_map_answer ans = {
		.external_port = 5060,
		.external_addr = { .s6_addr = { V4MAPPED(198, 51, 100, 7) } },
	};

	(void)state;
	expect_process(frame(&vectors, 7));
	assert_addr(&req.client_addr, b4_ipv6);
	assert_nonce(&req.body, nonce_80);
	assert_int_equal(req.body.internal_port, 5060);
	assert_true(req.opts.has_third_party);
	assert_addr(&req.opts.third_party_addr, v4_lan_host);
	assert_int_equal(pcp_third_party_check(&req, &frame(&vectors, 7)->src, true), PCP_RES_SUCCESS);
	assert_int_equal(pcp_third_party_check(&req, &frame(&vectors, 7)->src, false), PCP_RES_UNSUPP_OPTION);

	decode_ok(frame(&vectors, 8));
	assert_int_equal(rsp.result, 0);
	assert_int_equal(rsp.lifetime, 600);
	assert_int_equal(rsp.epoch, 1300);
	assert_int_equal(rsp.body.external_port, 5060);
	assert_true(rsp.opts.has_third_party);
	assert_addr(&rsp.opts.third_party_addr, v4_lan_host);

	assert_int_equal(pcp_encode_response(&req, 0, 600, 1300, &ans, out, sizeof(out)), 80);
	assert_memory_equal(out, frame(&vectors, 8)->payload, 80);
}

/* frames 9-10: PEER TCP 40404 -> 203.0.113.9:443 */
static void test_vectors_f9_f10_peer(void **state)
{
	static const uint8_t peer_addr[16] = { V4MAPPED(203, 0, 113, 9) };
	const struct pcp_map_answer ans = {
		.external_port = 2050,
		.external_addr = { .s6_addr = { V4MAPPED(198, 51, 100, 7) } },
	};

	(void)state;
	expect_process(frame(&vectors, 9));
	assert_int_equal(req.opcode, PCP_OP_PEER);
	assert_int_equal(req.lifetime, 120);
	assert_nonce(&req.body, nonce_40);
	assert_int_equal(req.body.protocol, 6);
	assert_int_equal(req.body.internal_port, 40404);
	assert_int_equal(req.body.external_port, 0);
	assert_addr(&req.body.external_addr, v4_any);
	assert_int_equal(req.body.remote_peer_port, 443);
	assert_addr(&req.body.remote_peer_addr, peer_addr);

	decode_ok(frame(&vectors, 10));
	assert_int_equal(rsp.opcode, PCP_OP_PEER);
	assert_int_equal(rsp.result, 0);
	assert_int_equal(rsp.lifetime, 120);
	assert_int_equal(rsp.epoch, 78);
	assert_int_equal(rsp.body.external_port, 2050);
	assert_addr(&rsp.body.external_addr, v4_public);
	assert_int_equal(rsp.body.remote_peer_port, 443);
	assert_addr(&rsp.body.remote_peer_addr, peer_addr);

	assert_int_equal(pcp_encode_response(&req, 0, 120, 78, &ans, out, sizeof(out)), 80);
	assert_memory_equal(out, frame(&vectors, 10)->payload, 80);
}

/* frames 11-13: ANNOUNCE request, unsolicited responses to 224.0.0.1 and ff02::1 */
static void test_vectors_f11_f13_announce(void **state)
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t all_hosts[16] = { V4MAPPED(224, 0, 0, 1) };
	int i;

	(void)state;
	expect_process(frame(&vectors, 11));
	assert_int_equal(req.opcode, PCP_OP_ANNOUNCE);
	assert_int_equal(req.lifetime, 0);
	assert_addr(&req.client_addr, v4_lan_host);
	assert_int_equal(pcp_encode_announce(0, out, sizeof(out)), 24);
	for (i = 12; i <= 13; i++) {
		decode_ok(frame(&vectors, (size_t)i));
		assert_int_equal(rsp.opcode, PCP_OP_ANNOUNCE);
		assert_int_equal(rsp.result, 0);
		assert_int_equal(rsp.lifetime, 0);
		assert_int_equal(rsp.epoch, 0);
		assert_int_equal(frame(&vectors, (size_t)i)->len, 24);
		assert_memory_equal(out, frame(&vectors, (size_t)i)->payload, 24);
		assert_int_equal(frame(&vectors, (size_t)i)->dport, 5350);
	}
	assert_addr(&frame(&vectors, 12)->dst, all_hosts);
	assert_addr(&frame(&vectors, 13)->dst, all_nodes);
}

/* frame 14: MAP response UNSUPP_VERSION, lifetime 1800, epoch 5, zero body */
static void test_vectors_f14_unsupp_version_response(void **state)
{
	static const uint8_t all_zero[16] = { 0 };

	(void)state;
	decode_ok(frame(&vectors, 14));
	assert_int_equal(rsp.opcode, PCP_OP_MAP);
	assert_int_equal(rsp.result, PCP_RES_UNSUPP_VERSION);
	assert_int_equal(rsp.lifetime, 1800);
	assert_int_equal(rsp.epoch, 5);
	assert_true(rsp.has_body);
	assert_int_equal(rsp.body.protocol, 0);
	assert_int_equal(rsp.body.external_port, 0);
	assert_addr(&rsp.body.external_addr, all_zero); /* "::", not ::ffff:0.0.0.0 */
}

/* frame 15: unknown mandatory option 42, then unknown optional 200 */
static void test_vectors_f15_unknown_options(void **state)
{
	(void)state;
	expect_error(frame(&vectors, 15), PCP_RES_UNSUPP_OPTION);
	assert_int_equal(pcp_decode_request(frame(&vectors, 15)->payload, frame(&vectors, 15)->len, &req),
			 PCP_RES_UNSUPP_OPTION);
}

/* frame 16: PORT_SET with Option Length 8: tshark accepts it silently */
static void test_vectors_f16_port_set_length_8(void **state)
{
	(void)state;
	expect_error(frame(&vectors, 16), PCP_RES_MALFORMED_OPTION);
}

/* frame 17: THIRD_PARTY says 16 octets, 8 follow */
static void test_vectors_f17_truncated_third_party(void **state)
{
	(void)state;
	expect_error(frame(&vectors, 17), PCP_RES_MALFORMED_OPTION);
}

/* frames 18, 19, 21: version 3, opcode 5, version 1 */
static void test_vectors_f18_f19_f21_version_and_opcode(void **state)
{
	(void)state;
	expect_error(frame(&vectors, 18), PCP_RES_UNSUPP_VERSION);
	assert_int_equal(req.version, 3);
	expect_error(frame(&vectors, 19), PCP_RES_UNSUPP_OPCODE);
	assert_int_equal(req.opcode, 5);
	expect_error(frame(&vectors, 21), PCP_RES_UNSUPP_VERSION);
	assert_int_equal(req.version, 1);
	/* the version-1 answer says version 2 and copies all 48 octets */
	assert_int_equal(pcp_encode_response(&req, PCP_RES_UNSUPP_VERSION, 1800, 5, NULL, out, sizeof(out)), 48);
	assert_int_equal(out[0], 2);
	assert_int_equal(out[1], 0x81);
	assert_memory_equal(out + 24, frame(&vectors, 21)->payload + 24, 24);
}

/* frame 20: PORT_SET reserved bits 0x7f and P=1, size 64 */
static void test_vectors_f20_port_set_reserved_bits(void **state)
{
	(void)state;
	decode_ok(frame(&vectors, 20));
	assert_int_equal(rsp.result, 0);
	assert_int_equal(rsp.lifetime, 7200);
	assert_int_equal(rsp.epoch, 1234);
	assert_int_equal(rsp.body.external_port, 2048);
	assert_int_equal(rsp.opts.port_set.size, 64);
	assert_int_equal(rsp.opts.port_set.first_internal_port, 0);
	assert_true(rsp.opts.port_set.parity);
}

/* ---- ws_padding_bug.pcap ------------------------------------------------------------ */

static void check_padding_bug_map(void)
{
	static const uint8_t nonce[12] = { 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12 };
	static const uint8_t proxy[16] = { V4MAPPED(10, 9, 9, 1) };

	assert_int_equal(req.lifetime, 600);
	assert_addr(&req.client_addr, proxy);
	assert_nonce(&req.body, nonce);
	assert_int_equal(req.body.protocol, 6);
	assert_int_equal(req.body.internal_port, 8600);
	assert_int_equal(req.body.external_port, 0);
	assert_addr(&req.body.external_addr, v4_any);
}

/* Frame 1 (PORT_SET then THIRD_PARTY) is "[Malformed Packet]" to tshark, frame
 * 2 (the other order) decodes: the bytes are right in both (RFC 6887 §7.3),
 * and both give the same options here. */
static void test_ws_padding_bug_f1_f2_both_orders_decode(void **state)
{
	static const uint8_t host[16] = { V4MAPPED(10, 9, 9, 2) };
	int i;

	(void)state;
	for (i = 1; i <= 2; i++) {
		expect_process(frame(&padding_bug, (size_t)i));
		check_padding_bug_map();
		assert_true(req.opts.has_port_set);
		assert_int_equal(req.opts.port_set.size, 32);
		assert_int_equal(req.opts.port_set.first_internal_port, 8600);
		assert_false(req.opts.port_set.parity);
		assert_true(req.opts.has_third_party);
		assert_addr(&req.opts.third_party_addr, host);
		assert_int_equal(req.opts.n_unknown, 0);
	}
}

/* Frame 3: DESCRIPTION("hello") pads 5 to 8; tshark then shows a phantom
 * option 16 and Malformed. */
static void test_ws_padding_bug_f3_description_first(void **state)
{
	static const uint8_t host[16] = { V4MAPPED(10, 9, 9, 2) };

	(void)state;
	expect_process(frame(&padding_bug, 3));
	check_padding_bug_map();
	assert_int_equal(req.opts.n_unknown, 1);
	assert_int_equal(req.opts.unknown[0].code, 128);
	assert_int_equal(req.opts.unknown[0].length, 5);
	assert_int_equal(req.opts.unknown[0].offset, 60);
	assert_memory_equal(frame(&padding_bug, 3)->payload + 64, "hello", 5);
	assert_true(req.opts.prefer_failure);
	assert_true(req.opts.has_third_party);
	assert_addr(&req.opts.third_party_addr, host);
	assert_false(req.opts.has_port_set);
}

/* ---- miniupnpd_demo.pcap -------------------------------------------------------------- */

static const uint8_t mu_client[16] = { V4MAPPED(192, 168, 77, 2) };
static const uint8_t mu_external[16] = { V4MAPPED(192, 0, 2, 1) };

static void test_miniupnpd_f1_startup_announce(void **state)
{
	(void)state;
	decode_ok(frame(&miniupnpd, 1));
	assert_int_equal(rsp.opcode, PCP_OP_ANNOUNCE);
	assert_int_equal(rsp.result, 0);
	assert_int_equal(rsp.epoch, 0);
	assert_int_equal(pcp_encode_announce(0, out, sizeof(out)), 24);
	assert_memory_equal(out, frame(&miniupnpd, 1)->payload, 24);
	assert_int_equal(frame(&miniupnpd, 1)->sport, 5351);
	assert_int_equal(frame(&miniupnpd, 1)->dport, 5350);
}

static void test_miniupnpd_f2_f11_libpcp_requests(void **state)
{
	static const uint8_t filter_peer[16] = { V4MAPPED(192, 0, 2, 254) };
	static const uint8_t third[16] = { V4MAPPED(192, 168, 77, 50) };

	(void)state;
	/* 2-3: MAP UDP 8080 -> 8080 */
	expect_process(frame(&miniupnpd, 2));
	assert_addr(&req.client_addr, mu_client);
	assert_int_equal(req.body.protocol, 17);
	assert_int_equal(req.body.internal_port, 8080);
	assert_int_equal(frame(&miniupnpd, 2)->sport, 5350); /* libpcp binds 5350 */
	decode_ok(frame(&miniupnpd, 3));
	assert_int_equal(rsp.result, 0);
	assert_int_equal(rsp.epoch, 1);
	assert_int_equal(rsp.body.external_port, 8080);
	assert_addr(&rsp.body.external_addr, mu_external);
	/* 4-5: MAP TCP 8081, suggested 18081, PREFER_FAILURE */
	expect_process(frame(&miniupnpd, 4));
	assert_int_equal(req.body.internal_port, 8081);
	assert_int_equal(req.body.external_port, 18081);
	assert_true(req.opts.prefer_failure);
	decode_ok(frame(&miniupnpd, 5));
	assert_int_equal(rsp.body.external_port, 18081);
	assert_true(rsp.opts.prefer_failure);
	/* 6-7: FILTER for 192.0.2.254 with Prefix Length 32 (libpcp bug, should
	 * be 128): we refuse it, miniupnpd said SUCCESS */
	expect_error(frame(&miniupnpd, 6), PCP_RES_MALFORMED_OPTION);
	assert_int_equal(pcp_decode_request(frame(&miniupnpd, 6)->payload, frame(&miniupnpd, 6)->len, &req),
			 PCP_RES_MALFORMED_OPTION);
	decode_ok(frame(&miniupnpd, 7));
	assert_int_equal(rsp.result, 0);
	assert_int_equal(rsp.body.internal_port, 8082);
	assert_int_equal(rsp.opts.n_filters, 1);
	assert_int_equal(rsp.opts.filters[0].prefix_len, 32);
	assert_addr(&rsp.opts.filters[0].remote_peer_addr, filter_peer);
	/* 8-9: MAP UDP 8083 with THIRD_PARTY 192.168.77.50 */
	expect_process(frame(&miniupnpd, 8));
	assert_int_equal(req.body.internal_port, 8083);
	assert_addr(&req.opts.third_party_addr, third);
	decode_ok(frame(&miniupnpd, 9));
	assert_true(rsp.opts.has_third_party);
	/* 10-11: PEER TCP 8084 -> 192.0.2.254:443 */
	expect_process(frame(&miniupnpd, 10));
	assert_int_equal(req.opcode, PCP_OP_PEER);
	assert_int_equal(req.body.internal_port, 8084);
	assert_int_equal(req.body.remote_peer_port, 443);
	assert_addr(&req.body.remote_peer_addr, filter_peer);
	decode_ok(frame(&miniupnpd, 11));
	assert_int_equal(rsp.opcode, PCP_OP_PEER);
	assert_int_equal(rsp.body.external_port, 8084);
}

/* 12-13: PORT_SET 64 -> one port mapped, PORT_SET echoed unchanged (pcp.md §3.1) */
static void test_miniupnpd_f12_f13_port_set_echo(void **state)
{
	const struct datagram *q = frame(&miniupnpd, 12), *a = frame(&miniupnpd, 13);

	(void)state;
	expect_process(q);
	assert_int_equal(req.body.protocol, 6);
	assert_int_equal(req.body.internal_port, 9000);
	assert_int_equal(req.opts.port_set.size, 64);
	assert_int_equal(req.opts.port_set.first_internal_port, 9000);
	decode_ok(a);
	assert_int_equal(rsp.result, 0);
	assert_int_equal(rsp.body.external_port, 9000);
	assert_int_equal(rsp.opts.port_set.size, 64);
	assert_int_equal(rsp.opts.port_set.first_internal_port, 9000);
	/* the echo's signature: the response's PORT_SET is the request's, byte
	 * for byte (option at offset 60 in both, 12 octets) */
	assert_memory_equal(a->payload + 60, q->payload + 60, 12);
}

/* 14-15: protocol 0, internal port 0, PORT_SET 65535: miniupnpd says
 * MALFORMED_REQUEST; RFC 6887 §11.1/§11.3 allow all protocols and ports */
static void test_miniupnpd_f14_f15_all_protocols_all_ports(void **state)
{
	(void)state;
	expect_process(frame(&miniupnpd, 14));
	assert_int_equal(req.body.protocol, 0);
	assert_int_equal(req.body.internal_port, 0);
	assert_int_equal(req.opts.port_set.size, 65535);
	decode_ok(frame(&miniupnpd, 15));
	assert_int_equal(rsp.result, PCP_RES_MALFORMED_REQUEST);
	assert_int_equal(rsp.lifetime, 0);
	assert_int_equal(rsp.epoch, 1);
}

static void test_miniupnpd_f16_f21_crafted(void **state)
{
	(void)state;
	/* 16-17: ANNOUNCE */
	expect_process(frame(&miniupnpd, 16));
	assert_int_equal(req.opcode, PCP_OP_ANNOUNCE);
	decode_ok(frame(&miniupnpd, 17));
	assert_int_equal(rsp.result, 0);
	assert_int_equal(rsp.epoch, 1);
	assert_int_equal(pcp_encode_response(&req, 0, 0, 1, NULL, out, sizeof(out)), 24);
	assert_memory_equal(out, frame(&miniupnpd, 17)->payload, 24);
	/* 18-19: Client IP 192.168.77.99 from 192.168.77.2 */
	expect_error(frame(&miniupnpd, 18), PCP_RES_ADDRESS_MISMATCH);
	decode_ok(frame(&miniupnpd, 19));
	assert_int_equal(rsp.result, PCP_RES_ADDRESS_MISMATCH);
	assert_int_equal(rsp.lifetime, 0);
	/* our answer: the request copied, with miniupnpd's lifetime and epoch */
	assert_int_equal(pcp_encode_response(&req, PCP_RES_ADDRESS_MISMATCH, 0, 1, NULL, out, sizeof(out)), 60);
	assert_memory_equal(out, frame(&miniupnpd, 19)->payload, 60);
	/* 20-21: THIRD_PARTY naming the sender itself */
	expect_process(frame(&miniupnpd, 20));
	assert_addr(&req.opts.third_party_addr, mu_client);
	assert_int_equal(pcp_third_party_check(&req, &frame(&miniupnpd, 20)->src, true),
			 PCP_RES_MALFORMED_REQUEST);
	decode_ok(frame(&miniupnpd, 21));
	assert_int_equal(rsp.result, PCP_RES_MALFORMED_REQUEST);
	assert_int_equal(pcp_encode_response(&req, PCP_RES_MALFORMED_REQUEST, 0, 1, NULL, out, sizeof(out)), 80);
	assert_memory_equal(out, frame(&miniupnpd, 21)->payload, 80);
}

/* 22-28: libpcp -> minimalist-pcproxy -> miniupnpd */
static void test_miniupnpd_f22_f28_proxy_relay(void **state)
{
	static const uint8_t host[16] = { V4MAPPED(10, 9, 9, 2) };
	static const uint8_t proxy[16] = { V4MAPPED(10, 9, 9, 1) };
	uint8_t nonce[12];

	(void)state;
	expect_process(frame(&miniupnpd, 22));
	assert_addr(&req.client_addr, host);
	assert_int_equal(req.body.internal_port, 8500);
	memcpy(nonce, req.body.nonce, 12);
	expect_process(frame(&miniupnpd, 23)); /* relayed: proxy's own address + THIRD_PARTY */
	assert_addr(&req.client_addr, proxy);
	assert_nonce(&req.body, nonce);
	assert_addr(&req.opts.third_party_addr, host);
	decode_ok(frame(&miniupnpd, 24));
	assert_int_equal(rsp.epoch, 2);
	assert_true(rsp.opts.has_third_party);
	decode_ok(frame(&miniupnpd, 25)); /* THIRD_PARTY stripped, the proxy's epoch */
	assert_int_equal(rsp.epoch, 1);
	assert_false(rsp.opts.has_third_party);
	assert_nonce(&rsp.body, nonce);
	/* 26-28: PORT_SET 32 through the proxy, then THIRD_PARTY after it:
	 * shown Malformed by tshark, fine here */
	expect_process(frame(&miniupnpd, 26));
	assert_int_equal(req.opts.port_set.size, 32);
	expect_process(frame(&miniupnpd, 27));
	assert_int_equal(req.opts.port_set.size, 32);
	assert_int_equal(req.opts.port_set.first_internal_port, 8600);
	assert_addr(&req.opts.third_party_addr, host);
	decode_ok(frame(&miniupnpd, 28));
	assert_int_equal(rsp.result, 0);
	assert_int_equal(rsp.epoch, 2);
	assert_int_equal(rsp.body.external_port, 8600);
	assert_int_equal(rsp.opts.port_set.size, 32);
	assert_true(rsp.opts.has_third_party);
}

/* ---- libpcp captures ---------------------------------------------------------------- */

/* peer_epoch: 2 in libpcp_map_5351.pcap (README), 1 in libpcp_loopback.pcap */
static void check_libpcp_map(const struct capture *c, uint32_t peer_epoch)
{
	static const uint8_t loopback1[16] = { V4MAPPED(127, 0, 0, 1) };
	static const uint8_t loopback2[16] = { V4MAPPED(127, 0, 0, 2) };
	static const uint8_t doc_ext[16] = { V4MAPPED(192, 0, 2, 1) };

	expect_process(frame(c, 1));
	assert_int_equal(req.lifetime, 600);
	assert_addr(&req.client_addr, loopback1);
	assert_int_equal(req.body.protocol, 17);
	assert_int_equal(req.body.internal_port, 1234);
	assert_int_equal(req.body.external_port, 4000);
	assert_addr(&req.body.external_addr, doc_ext);
	assert_true(req.opts.prefer_failure);
	assert_addr(&req.opts.third_party_addr, loopback2);
	decode_ok(frame(c, 2));
	assert_int_equal(rsp.result, 0);
	assert_int_equal(rsp.epoch, 1);
	assert_int_equal(rsp.body.external_port, 4000);
	assert_true(rsp.opts.prefer_failure);
	assert_true(rsp.opts.has_third_party);
	/* 3-4: PEER TCP 1234 -> 198.51.100.7:80, lifetime 300 */
	expect_process(frame(c, 3));
	assert_int_equal(req.opcode, PCP_OP_PEER);
	assert_int_equal(req.lifetime, 300);
	assert_int_equal(req.body.remote_peer_port, 80);
	assert_addr(&req.body.remote_peer_addr, v4_public);
	decode_ok(frame(c, 4));
	assert_int_equal(rsp.opcode, PCP_OP_PEER);
	assert_int_equal(rsp.epoch, peer_epoch);
}

static void test_libpcp_5351(void **state)
{
	static const uint8_t all_zero[16] = { 0 };

	(void)state;
	check_libpcp_map(&libpcp_5351, 2);
	decode_ok(frame(&libpcp_5351, 2));
	/* the mock's Assigned External IP here is ::, not IPv4-mapped */
	assert_addr(&rsp.body.external_addr, all_zero);
}

static void test_libpcp_loopback(void **state)
{
	static const uint8_t doc_ext[16] = { V4MAPPED(192, 0, 2, 1) };
	static const uint8_t filter_net[16] = { V4MAPPED(198, 51, 100, 0) };

	(void)state;
	check_libpcp_map(&libpcp_loop, 1);
	decode_ok(frame(&libpcp_loop, 2));
	assert_addr(&rsp.body.external_addr, doc_ext);
	assert_int_equal(frame(&libpcp_loop, 1)->dport, 15351);
	/* 5-6: FILTER 198.51.100.0/24 port 443 written as Prefix Length 24 */
	expect_error(frame(&libpcp_loop, 5), PCP_RES_MALFORMED_OPTION);
	decode_ok(frame(&libpcp_loop, 6));
	assert_int_equal(rsp.body.internal_port, 7001);
	assert_int_equal(rsp.opts.filters[0].prefix_len, 24);
	assert_int_equal(rsp.opts.filters[0].remote_peer_port, 443);
	assert_addr(&rsp.opts.filters[0].remote_peer_addr, filter_net);
	/* 7-8: MAP TCP 7000 with PORT_SET 128 (P=1), echoed, external port 0 */
	expect_process(frame(&libpcp_loop, 7));
	assert_int_equal(req.body.internal_port, 7000);
	assert_int_equal(req.opts.port_set.size, 128);
	assert_int_equal(req.opts.port_set.first_internal_port, 7000);
	assert_true(req.opts.port_set.parity);
	assert_int_equal(frame(&libpcp_loop, 7)->sport, 56192);
	decode_ok(frame(&libpcp_loop, 8));
	assert_int_equal(rsp.body.external_port, 0);
	assert_int_equal(rsp.opts.port_set.size, 128);
	assert_true(rsp.opts.port_set.parity);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors_capture_shape),
		cmocka_unit_test(test_vectors_f1_f2_map_port_set),
		cmocka_unit_test(test_vectors_f3_f4_partial_grant),
		cmocka_unit_test(test_vectors_f5_f6_prefer_failure_filter),
		cmocka_unit_test(test_vectors_f7_f8_third_party),
		cmocka_unit_test(test_vectors_f9_f10_peer),
		cmocka_unit_test(test_vectors_f11_f13_announce),
		cmocka_unit_test(test_vectors_f14_unsupp_version_response),
		cmocka_unit_test(test_vectors_f15_unknown_options),
		cmocka_unit_test(test_vectors_f16_port_set_length_8),
		cmocka_unit_test(test_vectors_f17_truncated_third_party),
		cmocka_unit_test(test_vectors_f18_f19_f21_version_and_opcode),
		cmocka_unit_test(test_vectors_f20_port_set_reserved_bits),
		cmocka_unit_test(test_ws_padding_bug_f1_f2_both_orders_decode),
		cmocka_unit_test(test_ws_padding_bug_f3_description_first),
		cmocka_unit_test(test_miniupnpd_f1_startup_announce),
		cmocka_unit_test(test_miniupnpd_f2_f11_libpcp_requests),
		cmocka_unit_test(test_miniupnpd_f12_f13_port_set_echo),
		cmocka_unit_test(test_miniupnpd_f14_f15_all_protocols_all_ports),
		cmocka_unit_test(test_miniupnpd_f16_f21_crafted),
		cmocka_unit_test(test_miniupnpd_f22_f28_proxy_relay),
		cmocka_unit_test(test_libpcp_5351),
		cmocka_unit_test(test_libpcp_loopback),
	};

	return cmocka_run_group_tests(tests, load_all, NULL);
}
