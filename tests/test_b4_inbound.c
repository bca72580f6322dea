/* SPDX-License-Identifier: GPL-2.0 */
/* B4-FRAG-3: the lwB4's translation of a packet the kernel reassembled from
 * the lwAFTR's IPv6 fragments (lib/b4/b4_inbound.c). Maps of the lwB4's
 * types created here (tests/b4_fixture.h), mappings planted with raw map
 * updates; packets built
 * with selftests/lib/pkt.c and the results checked with the independent
 * RFC 1071 reference (csum_ref.c). Needs bpf(): skipped where map creation
 * is not permitted. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <cmocka.h>

#include "b4_inbound.h"
#include "b4_fixture.h"
#include "csum_ref.h"
#include "pkt.h"

#define PUB   "198.51.100.1"
#define HOST  "192.168.1.10"
#define INET1 "203.0.113.10" /* the mapping sent to it */
#define INET2 "203.0.113.20" /* never contacted */

static struct lw_b4_maps M;
static struct lw_b4_config cfg;

static int teardown(void **state)
{
	fx_maps_close(&M);
	(void)state;
	return 0;
}

/* UDP HOST:5000 <-> PUB:1500 and TCP HOST:8080 <-> PUB:1600, both having
 * sent to INET1 only; filtering ADF. PUB's set: 1024..2047 at position 0. */
static void plant(uint8_t proto, uint16_t int_port, uint16_t ext_port, uint32_t pcp_kind)
{
	struct fx_mapping x = { .proto = proto, .int_addr = ip4(HOST), .int_port = htons(int_port),
				.ext_addr = ip4(PUB), .ext_port = htons(ext_port),
				.pos = fx_pos(proto, 0, 1024, ext_port) };

	x.s.remotes[0] = ip4(INET1);
	x.s.next_remote = 1;
	x.s.pcp_kind = (__u8)pcp_kind;
	assert_int_equal(fx_plant(&M, &x), 0);
}

static int setup(void **state)
{
	struct lw_b4_portset ps = { .ipv4 = ip4(PUB), .first = 1024, .size = 1024 };
	__u32 k = 0;

	*state = NULL;
	fx_maps_create(&M);
	if (M.cfg < 0)
		return 0; /* no bpf(): the tests skip */
	assert_true(fx_maps_ok(&M));
	assert_int_equal(bpf_map_update_elem(M.pool, &k, &ps, BPF_ANY), 0);
	memset(&cfg, 0, sizeof(cfg)); /* ADF */
	plant(IPPROTO_UDP, 5000, 1500, LW_B4_PCP_NONE);
	plant(IPPROTO_TCP, 8080, 1600, LW_B4_PCP_NONE);
	*state = &M;
	return 0;
}

#define SKIP_WITHOUT_BPF() do { if (!*state) { skip(); return; } } while (0)

static size_t udp(uint8_t *buf, const char *src, uint16_t sport, uint16_t dport, uint8_t ttl, size_t n)
{
	struct pkt p;
	int len;

	pkt_init(&p, buf, 2048);
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(src), .dst = ip4(PUB), .ttl = ttl, .id = 7 });
	pkt_udp(&p, &(struct pkt_udp){ .sport = sport, .dport = dport });
	pkt_data_pattern(&p, n, 3);
	len = pkt_finish(&p);
	assert_true(len > 0);
	return (size_t)len;
}

static void test_udp_translated(void **state)
{
	uint8_t buf[2048];
	size_t len;
	__be32 to = 0;
	const char *why = "unset";

	SKIP_WITHOUT_BPF();
	len = udp(buf, INET1, 53, 1500, 60, 1472); /* the 1500-octet packet of the netns test */
	assert_int_equal(len, 1500);
	assert_int_equal(b4_inbound_xlate(&M, &cfg, buf, len, &to, &why), 0);
	assert_null(why);
	assert_int_equal(to, ip4(HOST));
	assert_memory_equal(buf + 16, &(uint32_t){ ip4(HOST) }, 4);       /* destination */
	assert_int_equal(buf[20 + 2] << 8 | buf[20 + 3], 5000);           /* port */
	assert_memory_equal(buf + 12, &(uint32_t){ ip4(INET1) }, 4);      /* source untouched */
	assert_int_equal(buf[8], 59);                                      /* TTL - 1 */
	assert_true(ref_ipv4_header_ok(buf, len));
	assert_true(ref_l4_ok_ipv4(buf, len));
}

static void test_tcp_translated(void **state)
{
	uint8_t buf[2048];
	struct pkt p;
	int len;
	__be32 to = 0;
	const char *why = NULL;

	SKIP_WITHOUT_BPF();
	pkt_init(&p, buf, sizeof(buf));
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(INET1), .dst = ip4(PUB), .ttl = 64, .id = 9 });
	pkt_tcp(&p, &(struct pkt_tcp){ .sport = 443, .dport = 1600, .seq = 1, .ack = 2,
					.flags = PKT_TCP_ACK, .window = 512 });
	pkt_data_pattern(&p, 1400, 5);
	len = pkt_finish(&p);
	assert_true(len > 0);
	assert_int_equal(b4_inbound_xlate(&M, &cfg, buf, (size_t)len, &to, &why), 0);
	assert_int_equal(to, ip4(HOST));
	assert_int_equal(buf[20 + 2] << 8 | buf[20 + 3], 8080);
	assert_true(ref_ipv4_header_ok(buf, (size_t)len));
	assert_true(ref_l4_ok_ipv4(buf, (size_t)len));
}

static void test_refused(void **state)
{
	uint8_t buf[2048], orig[2048];
	size_t len;
	__be32 to = 0;
	const char *why = NULL;

	SKIP_WITHOUT_BPF();
	/* B4-DP-4: no mapping on the port */
	len = udp(buf, INET1, 53, 1501, 60, 100);
	assert_int_equal(b4_inbound_xlate(&M, &cfg, buf, len, &to, &why), -ENOENT);
	/* B4-NAT-4: ADF, a remote the mapping never sent to; nothing rewritten */
	len = udp(buf, INET2, 53, 1500, 60, 100);
	memcpy(orig, buf, len);
	assert_int_equal(b4_inbound_xlate(&M, &cfg, buf, len, &to, &why), -EACCES);
	assert_memory_equal(buf, orig, len);
	/* ... admitted under EIF, and by an explicit MAP under ADF */
	cfg.flags = LW_B4_CFG_EIF;
	assert_int_equal(b4_inbound_xlate(&M, &cfg, buf, len, &to, &why), 0);
	cfg.flags = 0;
	plant(IPPROTO_UDP, 5000, 1500, LW_B4_PCP_MAP);
	len = udp(buf, INET2, 53, 1500, 60, 100);
	assert_int_equal(b4_inbound_xlate(&M, &cfg, buf, len, &to, &why), 0);
	/* TTL 1 */
	len = udp(buf, INET1, 53, 1500, 1, 100);
	assert_int_equal(b4_inbound_xlate(&M, &cfg, buf, len, &to, &why), -ETIME);
	/* a damaged UDP checksum stays an error: not recomputed into a good one */
	len = udp(buf, INET1, 53, 1500, 60, 100);
	buf[20 + 6] ^= 0x5a;
	assert_int_equal(b4_inbound_xlate(&M, &cfg, buf, len, &to, &why), -EBADMSG);
	/* a damaged IPv4 header checksum */
	len = udp(buf, INET1, 53, 1500, 60, 100);
	buf[10] ^= 1;
	assert_int_equal(b4_inbound_xlate(&M, &cfg, buf, len, &to, &why), -EBADMSG);
	/* a fragment, a length past the buffer, ICMP */
	len = udp(buf, INET1, 53, 1500, 60, 100);
	assert_int_equal(b4_inbound_xlate(&M, &cfg, buf, len - 1, &to, &why), -EBADMSG);
	buf[6] |= 0x20; /* MF */
	buf[10] = buf[11] = 0;
	{
		uint16_t c = ref_csum(buf, 20);

		buf[10] = (uint8_t)(c >> 8);
		buf[11] = (uint8_t)c;
	}
	assert_int_equal(b4_inbound_xlate(&M, &cfg, buf, len, &to, &why), -EOPNOTSUPP);
	assert_non_null(why);
}

/* UDP without a checksum (0) keeps none */
static void test_udp_zero_checksum(void **state)
{
	uint8_t buf[2048];
	size_t len;
	__be32 to = 0;
	const char *why = NULL;

	SKIP_WITHOUT_BPF();
	len = udp(buf, INET1, 53, 1500, 60, 200);
	buf[20 + 6] = buf[20 + 7] = 0;
	assert_int_equal(b4_inbound_xlate(&M, &cfg, buf, len, &to, &why), 0);
	assert_int_equal(buf[20 + 6] | buf[20 + 7], 0);
	assert_true(ref_ipv4_header_ok(buf, len));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_udp_translated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_translated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_zero_checksum, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
