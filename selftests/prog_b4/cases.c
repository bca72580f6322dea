// SPDX-License-Identifier: GPL-2.0
/* The lwB4 rows. Default setup: tunnel TUN6 ↔ lwAFTR AFTR6, LAN
 * 192.168.1.1/24, tunnel MTU 1500 (MSS clamp 1420), ADF, pool PUB ports
 * 1024..2047. Literal values throughout; a "dyn" step takes the NAPT's
 * random port choice from lw_b4_out after checking it lies in the pool. */
#include <linux/if_ether.h>
#include "b4_maps.h"
#include "pkt.h"
#include "prog_b4.h"

#define FR(...) (&(const struct fr){ __VA_ARGS__ })
/* a LAN host's packet to the internet, and what leaves for the lwAFTR */
#define LAN_IN(s, d, ...) { .l2 = L2_IN_LAN, .s4 = (s), .d4 = (d), .ttl = 64, .df = true, __VA_ARGS__ }
#define WAN_OUT(s, d, ...) FR(.l2 = L2_OUT_WAN, .s6 = TUN6, .d6 = AFTR6, .hl = 64, .s4 = (s), .d4 = (d), \
			      .ttl = 63, .df = true, __VA_ARGS__)
/* a packet from the lwAFTR, and what reaches the LAN host */
#define WAN_IN(s, d, ...) { .l2 = L2_IN_WAN, .s6 = AFTR6, .d6 = TUN6, .hl = 60, .s4 = (s), .d4 = (d), \
			    .ttl = 50, .df = true, __VA_ARGS__ }
#define LAN_OUT(s, d, ...) FR(.l2 = L2_OUT_LAN, .s4 = (s), .d4 = (d), .ttl = 49, .df = true, __VA_ARGS__)

/* a hairpinned packet back on the LAN: one TTL decrement */
#define HP_OUT(s, d, ...) FR(.l2 = L2_OUT_LAN, .s4 = (s), .d4 = (d), .ttl = 63, .df = true, __VA_ARGS__)

#define TCP(sp, dp) .l4 = L4_TCP, .sport = (sp), .dport = (dp)
#define UDP(sp, dp) .l4 = L4_UDP, .sport = (sp), .dport = (dp)
#define ECHO(id) .l4 = L4_ICMP, .type = 8, .sport = (id)
#define ECHOREPLY(id) .l4 = L4_ICMP, .type = 0, .sport = (id)

#define EV(t, mtu_) { .type = LW_B4_EV_##t, .mtu = (mtu_) }

/* the next-hop cache to the lwAFTR (issue 11) */
#define WAN_OUT_CACHE(s, d, ...) FR(.l2 = L2_OUT_WAN_CACHE, .s6 = TUN6, .d6 = AFTR6, .hl = 64, .s4 = (s), \
				    .d4 = (d), .ttl = 63, .df = true, __VA_ARGS__)
static const struct setup nh_fake = { .nh = NH_FAKE };
static const struct setup nh_expired = { .nh = NH_FAKE_EXPIRED };
static const struct setup nh_fib_flag = { .nh = NH_FAKE, .flags_on = LW_B4_CFG_NH_FIB };
static const struct setup nh_mtu1300 = { .nh = NH_FAKE_MTU1300 };
static const struct setup nh_sync = { .nh = NH_SYNC };

static const struct setup eif = { .flags_on = LW_B4_CFG_EIF };
static const struct setup mtu1280 = { .mtu = 1280 };
static const struct setup lan_ipv6_fwd_off = { .lan_ipv6_fwd_off = true };
static const struct setup tiny_pool = { .pool = { { .ipv4 = 0x016433c6 /* 198.51.100.1 */, .first = 2048,
						     .size = 2 } } };
static const struct setup two_sets = { .pool = {
	{ .ipv4 = 0x016433c6 /* 198.51.100.1 */, .first = 1024, .size = 1024 },
	{ .ipv4 = 0x026433c6 /* 198.51.100.2 */, .first = 4096, .size = 1024 } } };

/* one port, 2048: every mapping of a protocol gets it, so translated
 * values are literal */
static const struct setup one_port = { .pool = { { .ipv4 = 0x016433c6 /* 198.51.100.1 */, .first = 2048,
						    .size = 1 } } };
static const struct setup one_port_eif = { .flags_on = LW_B4_CFG_EIF,
	.pool = { { .ipv4 = 0x016433c6 /* 198.51.100.1 */, .first = 2048, .size = 1 } } };
/* four ports 2048..2051, POOL_THRESHOLD at 75 % / 50 % */
static const struct setup four_warn75 = { .warn_pct = 75,
	.pool = { { .ipv4 = 0x016433c6 /* 198.51.100.1 */, .first = 2048, .size = 4 } } };
static const struct setup four_warn50 = { .warn_pct = 50,
	.pool = { { .ipv4 = 0x016433c6 /* 198.51.100.1 */, .first = 2048, .size = 4 } } };

/* ICMPv4 errors (B4-NAT-15/16): what a router on the path sends back
 * through the lwAFTR about a packet we sent, and what a LAN host sends about
 * a packet it received */
#define ERR(t, c, q) .l4 = L4_ICMP, .type = (t), .code = (c), .quote = (q)
/* quotes: the packet as it left us (PUB, TTL 63) / as it reached HOST1 */
#define Q_OUT(s, d, ...) FR(.s4 = (s), .d4 = (d), .ttl = 63, .df = true, __VA_ARGS__)
#define Q_IN(s, d, ...) FR(.s4 = (s), .d4 = (d), .ttl = 49, .df = true, __VA_ARGS__)

/* explicit mappings (PCPC-12), as pcpd's LAN-facing PCP server makes them;
 * protocol numbers literal (TCP 6, UDP 17) */
#define PCP(...) (&(const struct pcp_req){ __VA_ARGS__ })
#define PCP_MAP_UDP5000 PCP(.proto = 17, .int_addr = HOST1, .int_port = 5000, .ext_addr = PUB, \
			    .ext_port = 1500, .kind = LW_B4_PCP_MAP)
#define PCP_PEER_UDP5000 PCP(.proto = 17, .int_addr = HOST1, .int_port = 5000, .ext_addr = PUB, \
			     .ext_port = 1500, .kind = LW_B4_PCP_PEER, .peer = INET1)
#define PCP_MAP_TCP8080 PCP(.proto = 6, .int_addr = HOST1, .int_port = 8080, .ext_addr = PUB, \
			    .ext_port = 1600, .kind = LW_B4_PCP_MAP)

const struct tcase b4_cases[] = {
	{
		.name = "B4-NAT-11 TCP, internal port 1500 in the pool and free: kept; B4-DP-1 outer header",
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, TCP(1500, 80), .payload = 20), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, TCP(1500, 80), .payload = 20) } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-NAT-1 TCP, internal port 40000 outside the pool: a pool port",
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, TCP(40000, 80)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, TCP(0, 80)), .dyn = true } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-NAT-2 EIM: second packet, other destination, reuses the mapping",
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, TCP(40000, 80)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, TCP(0, 80)), .dyn = true },
			{ SIDE_LAN, LAN_IN(HOST1, INET2, TCP(40000, 443)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET2, TCP(0, 443)), .dyn = true } },
		.ctr = { C(RCVD_LAN, 2), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 2) },
		.mappings = 1,
	},
	{
		.name = "B4-NAT-1 UDP with checksum 0: translated, checksum stays 0",
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(1600, 53), .payload = 11, .udp_zero = true),
			  XDP_REDIRECT, WAN_OUT(PUB, INET1, UDP(1600, 53), .payload = 11, .udp_zero = true) } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-DP-2 UDP TOS 0xb8 -> traffic class 0xb8; source address translated",
		.st = { { SIDE_LAN, LAN_IN(HOST2, INET1, UDP(1601, 53), .tos = 0xb8, .payload = 7), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(1601, 53), .tc = 0xb8, .tos = 0xb8, .payload = 7) } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-ICMP-1 echo request: Identifier 1800 (in the pool) kept, 50000 mapped into the pool",
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, ECHO(1800), .payload = 16), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, ECHO(1800), .payload = 16) },
			{ SIDE_LAN, LAN_IN(HOST1, INET1, ECHO(50000), .payload = 16), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, ECHO(0), .payload = 16), .dyn = true } },
		.ctr = { C(RCVD_LAN, 2), C(MAPPING_CREATED, 2), C(SENT_TUNNEL, 2) },
		.mappings = 2,
	},
	{
		.name = "B4-DP-1 IPv6 forwarding off on the LAN (an IPv4-only LAN): the route to the lwAFTR is looked "
			"up from the WAN side, encapsulated and redirected (issue 10)",
		.setup = &lan_ipv6_fwd_off,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(1700, 53), .payload = 5), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(1700, 53), .payload = 5) } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-NAT-1 two port sets of two addresses: a port of the second set keeps its port",
		.setup = &two_sets,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(4100, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB2, INET1, UDP(4100, 53)) } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-NAT-3 two hosts with internal port 1500: the second gets another port",
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, TCP(1500, 80)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, TCP(1500, 80)) },
			{ SIDE_LAN, LAN_IN(HOST2, INET1, TCP(1500, 80)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, TCP(0, 80)), .dyn = true } },
		.ctr = { C(RCVD_LAN, 2), C(MAPPING_CREATED, 2), C(SENT_TUNNEL, 2) },
		.mappings = 2,
	},
	{
		.name = "B4-NAT-3 pool of 2 ports exhausted: third flow dropped + event, existing flow still translated",
		.setup = &tiny_pool,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40000, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(0, 53)), .dyn = true },
			{ SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40001, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(0, 53)), .dyn = true },
			{ SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40002, 53)), XDP_DROP },
			{ SIDE_LAN, LAN_IN(HOST1, INET2, UDP(40000, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET2, UDP(0, 53)), .dyn = true } },
		.ctr = { C(RCVD_LAN, 4), C(MAPPING_CREATED, 2), C(SENT_TUNNEL, 3), C(DROP_POOL_EXHAUSTED, 1) },
		.ev = { EV(POOL_EXHAUSTED, 0) },
		.mappings = 2,
	},
	{
		.name = "B4-DP-4 reverse path: UDP reply to the mapped port translated back and decapsulated",
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(1900, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(1900, 53)) },
			{ SIDE_WAN, WAN_IN(INET1, PUB, UDP(53, 1900), .payload = 30), XDP_REDIRECT,
			  LAN_OUT(INET1, HOST1, UDP(53, 1900), .payload = 30) } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1), C(RCVD_TUNNEL, 1),
			 C(SENT_LAN, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-DP-4 reverse path: TCP to a pool-chosen port back to internal port 40000",
		.st = { { SIDE_LAN, LAN_IN(HOST2, INET1, TCP(40000, 80)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, TCP(0, 80)), .dyn = true },
			{ SIDE_WAN, WAN_IN(INET1, PUB, TCP(80, 0), .payload = 5), XDP_REDIRECT,
			  LAN_OUT(INET1, HOST2, TCP(80, 40000), .payload = 5), .dyn = true } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1), C(RCVD_TUNNEL, 1),
			 C(SENT_LAN, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-ICMP-1 echo reply to the mapped Identifier: back to Identifier 50000",
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, ECHO(50000)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, ECHO(0)), .dyn = true },
			{ SIDE_WAN, WAN_IN(INET1, PUB, ECHOREPLY(0)), XDP_REDIRECT,
			  LAN_OUT(INET1, HOST1, ECHOREPLY(50000)), .dyn = true } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1), C(RCVD_TUNNEL, 1),
			 C(SENT_LAN, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-NAT-10 hairpin UDP (EIF): HOST1 -> PUB:1700 (HOST2's mapping) back to the LAN as "
			"PUB:1600 -> HOST2:1700, not through the tunnel",
		.setup = &eif,
		.st = { { SIDE_LAN, LAN_IN(HOST2, INET1, UDP(1700, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(1700, 53)) },
			{ SIDE_LAN, LAN_IN(HOST1, PUB, UDP(1600, 1700), .payload = 21), XDP_REDIRECT,
			  HP_OUT(PUB, HOST2, UDP(1600, 1700), .payload = 21) } },
		.ctr = { C(RCVD_LAN, 2), C(MAPPING_CREATED, 2), C(SENT_TUNNEL, 1), C(HAIRPIN, 1) },
		.mappings = 2,
	},
	{
		.name = "B4-NAT-10 hairpin TCP under ADF: filtered until the receiver has sent to PUB, then "
			"translated on both sides",
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, TCP(1600, 80)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, TCP(1600, 80)) },
			/* HOST1's mapping has only seen INET1: filtered; HOST2's mapping is made */
			{ SIDE_LAN, LAN_IN(HOST2, PUB, TCP(1700, 1600)), XDP_DROP },
			{ SIDE_LAN, LAN_IN(HOST1, PUB, TCP(1600, 1700), .payload = 9), XDP_REDIRECT,
			  HP_OUT(PUB, HOST2, TCP(1600, 1700), .payload = 9) } },
		.ctr = { C(RCVD_LAN, 3), C(MAPPING_CREATED, 2), C(SENT_TUNNEL, 1), C(DROP_FILTERED, 1),
			 C(HAIRPIN, 1) },
		.mappings = 2,
	},
	{
		.name = "B4-NAT-10 hairpin to an unmapped pool port: dropped (the sender's mapping stays)",
		.st = { { SIDE_LAN, LAN_IN(HOST1, PUB, UDP(1600, 1999)), XDP_DROP } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(DROP_NO_MAPPING, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-DP-3 IPv4-in-IPv6 from a source other than the lwAFTR: dropped",
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(1900, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(1900, 53)) },
			{ SIDE_WAN, { .l2 = L2_IN_WAN, .s6 = OTHER6, .d6 = TUN6, .hl = 60, .s4 = INET1, .d4 = PUB,
				      .ttl = 50, UDP(53, 1900) }, XDP_DROP } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1), C(DROP_WRONG_AFTR, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-DP-4 to an unmapped pool port, to a port outside the pool, to another address: dropped",
		.st = { { SIDE_WAN, WAN_IN(INET1, PUB, UDP(53, 1999)), XDP_DROP },
			{ SIDE_WAN, WAN_IN(INET1, PUB, UDP(53, 3000)), XDP_DROP },
			{ SIDE_WAN, WAN_IN(INET1, PUB2, UDP(53, 1999)), XDP_DROP } },
		.ctr = { C(RCVD_TUNNEL, 3), C(DROP_NO_MAPPING, 1), C(DROP_NOT_OUR_PORT, 2) },
		.mappings = 0,
	},
	{
		.name = "B4-NAT-4 ADF (default): reply from a remote the mapping never sent to is dropped",
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(1900, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(1900, 53)) },
			{ SIDE_WAN, WAN_IN(INET2, PUB, UDP(53, 1900)), XDP_DROP } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1), C(RCVD_TUNNEL, 1),
			 C(DROP_FILTERED, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-NAT-4 EIF option: the same packet from another remote is accepted",
		.setup = &eif,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(1900, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(1900, 53)) },
			{ SIDE_WAN, WAN_IN(INET2, PUB, UDP(53, 1900)), XDP_REDIRECT,
			  LAN_OUT(INET2, HOST1, UDP(53, 1900)) } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1), C(RCVD_TUNNEL, 1),
			 C(SENT_LAN, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-DP-6 PCP response 192.0.0.1:5351 -> 192.0.0.2 inside the tunnel: XDP_PASS",
		.st = { { SIDE_WAN, WAN_IN("192.0.0.1", "192.0.0.2", UDP(5351, 5351), .payload = 60), XDP_PASS } },
		.ctr = { C(RCVD_TUNNEL, 1), C(PASS_PCP, 1) },
		.mappings = 0,
	},
	{
		.name = "B4-DP-6 PCPS-17 ANNOUNCE 192.0.0.1:5351 -> 192.0.0.2:5350 and -> 224.0.0.1:5350 "
			"inside the tunnel: XDP_PASS",
		.st = { { SIDE_WAN, WAN_IN("192.0.0.1", "192.0.0.2", UDP(5351, 5350), .payload = 24), XDP_PASS },
			{ SIDE_WAN, WAN_IN("192.0.0.1", "224.0.0.1", UDP(5351, 5350), .payload = 24), XDP_PASS } },
		.ctr = { C(RCVD_TUNNEL, 2), C(PASS_PCP, 2) },
		.mappings = 0,
	},
	{
		.name = "B4-DP-6 PCPS-17 multicast ANNOUNCE from the lwAFTR to ff02::1: XDP_PASS as PCP",
		.st = { { SIDE_WAN, { .l2 = L2_IN_WAN, .s6 = AFTR6, .d6 = "ff02::1", .hl = 1, .s4 = "192.0.0.1",
				      .d4 = "224.0.0.1", .ttl = 1, UDP(5351, 5350), .payload = 24 }, XDP_PASS } },
		.ctr = { C(PASS_PCP, 1) },
		.mappings = 0,
	},
	{
		.name = "B4-DP-3 ANNOUNCE to ff02::1 from another IPv6 source, or to 224.0.0.1 but not port "
			"5350: not PCP",
		.st = { { SIDE_WAN, { .l2 = L2_IN_WAN, .s6 = OTHER6, .d6 = "ff02::1", .hl = 1, .s4 = "192.0.0.1",
				      .d4 = "224.0.0.1", .ttl = 1, UDP(5351, 5350), .payload = 24 }, XDP_PASS },
			{ SIDE_WAN, { .l2 = L2_IN_WAN, .s6 = AFTR6, .d6 = "ff02::1", .hl = 1, .s4 = "192.0.0.1",
				      .d4 = "224.0.0.1", .ttl = 1, UDP(5351, 5351), .payload = 24 }, XDP_PASS },
			{ SIDE_WAN, { .l2 = L2_IN_WAN, .s6 = OTHER6, .d6 = TUN6, .hl = 60, .s4 = "192.0.0.1",
				      .d4 = "224.0.0.1", .ttl = 1, UDP(5351, 5350), .payload = 24 }, XDP_DROP } },
		.ctr = { C(PASS_NOT_OURS, 2), C(DROP_WRONG_AFTR, 1) },
		.mappings = 0,
	},
	{
		.name = "B4-FRAG-4 SYN MSS 1460 clamped to 1420 (tunnel MTU 1500), checksum updated",
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, TCP(1500, 80), .flags = PKT_TCP_SYN, .mss = 1460),
			  XDP_REDIRECT, WAN_OUT(PUB, INET1, TCP(1500, 80), .flags = PKT_TCP_SYN, .mss = 1420) } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1), C(MSS_CLAMPED, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-FRAG-4 SYN/ACK MSS 1460 clamped to 1200 under tunnel MTU 1280",
		.setup = &mtu1280,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, TCP(1500, 80), .flags = PKT_TCP_SYN | PKT_TCP_ACK,
					   .mss = 1460),
			  XDP_REDIRECT, WAN_OUT(PUB, INET1, TCP(1500, 80), .flags = PKT_TCP_SYN | PKT_TCP_ACK,
						.mss = 1200) } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1), C(MSS_CLAMPED, 1) },
		.mappings = 1,
	},
	{
		/* a LAN host's connection: its SYN is clamped on the way out, and
		 * the server's SYN/ACK on the way in, so that neither end sends
		 * segments the tunnel cannot carry */
		.name = "B4-FRAG-4 inbound SYN/ACK MSS 1460 clamped to 1200 under tunnel MTU 1280",
		.setup = &mtu1280,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, TCP(1500, 80), .flags = PKT_TCP_SYN, .mss = 1460),
			  XDP_REDIRECT, WAN_OUT(PUB, INET1, TCP(1500, 80), .flags = PKT_TCP_SYN, .mss = 1200) },
			{ SIDE_WAN, WAN_IN(INET1, PUB, TCP(80, 1500), .flags = PKT_TCP_SYN | PKT_TCP_ACK,
					   .mss = 1460),
			  XDP_REDIRECT, LAN_OUT(INET1, HOST1, TCP(80, 1500), .flags = PKT_TCP_SYN | PKT_TCP_ACK,
						.mss = 1200) } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1), C(MSS_CLAMPED, 2),
			 C(RCVD_TUNNEL, 1), C(SENT_LAN, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-FRAG-4 SYN MSS 1200 (already lower) untouched",
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, TCP(1500, 80), .flags = PKT_TCP_SYN, .mss = 1200),
			  XDP_REDIRECT, WAN_OUT(PUB, INET1, TCP(1500, 80), .flags = PKT_TCP_SYN, .mss = 1200) } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-FRAG-2 DF and too big for tunnel MTU 1280: dropped + TOO_BIG_DF event, MTU 1240",
		.setup = &mtu1280,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(1500, 53), .payload = 1300), XDP_DROP } },
		.ctr = { C(RCVD_LAN, 1), C(DROP_OVER_MTU_DF, 1) },
		.ev = { EV(TOO_BIG_DF, 1240) },
		.mappings = 0,
	},
	{
		.name = "B4-FRAG-1 DF clear and too big: mapping created, dropped + FRAG_NEEDED event for the "
			"slow path",
		.setup = &mtu1280,
		.st = { { SIDE_LAN, { .l2 = L2_IN_LAN, .s4 = HOST1, .d4 = INET1, .ttl = 64, UDP(1500, 53),
				      .payload = 1300 }, XDP_DROP } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(PUNT_FRAG_NEEDED, 1) },
		.ev = { EV(FRAG_NEEDED, 1280) },
		.mappings = 1,
	},
	{
		.name = "B4-FRAG-1 FRAG_NEEDED carries the TRANSLATED packet (source = the new mapping's "
			"external endpoint, TTL 63, checksums by csum_ref), mapping refreshed, XDP_DROP",
		.special = punt_check_frag_needed,
	},
	{
		.name = "B4-FRAG-2 TOO_BIG_DF carries the ORIGINAL packet (the 3/4 quote) and MTU 1240",
		.special = punt_check_too_big_df,
	},
	{
		.name = "B4-FRAG-1 DF clear, too big and longer than the event capture (1536): dropped and "
			"counted, no event (never a truncated packet to the slow path)",
		.setup = &mtu1280,
		.st = { { SIDE_LAN, { .l2 = L2_IN_LAN, .s4 = HOST1, .d4 = INET1, .ttl = 64, UDP(1500, 53),
				      .payload = 1600 }, XDP_DROP } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(DROP_FRAG_TOO_LONG, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-ICMP-2 ICMPv6 1/5 from the lwAFTR: XDP_PASS + event naming port set 1024/1024",
		.st = { { SIDE_WAN, { .l2 = L2_IN_WAN, .s6 = AFTR6, .d6 = TUN6, .hl = 60, .l4 = L4_ICMP6,
				      .type = 1, .code = 5,
				      .quote = FR(.s6 = TUN6, .d6 = AFTR6, .hl = 64, .s4 = PUB, .d4 = INET1,
						  .ttl = 63, UDP(1500, 53)) }, XDP_PASS } },
		.ctr = { C(PASS_ICMPV6, 1) },
		.ev = { { .type = LW_B4_EV_NO_BINDING, .ps_first = 1024, .ps_size = 1024 } },
		.mappings = 0,
	},
	{
		.name = "B4-GEN ARP, IPv4 to the lwB4's LAN address, LAN-local IPv4: XDP_PASS",
		.st = { { SIDE_LAN, { .l2 = L2_IN_LAN, .l4 = L4_ARP }, XDP_PASS },
			{ SIDE_LAN, LAN_IN(HOST1, LAN4, UDP(1500, 53)), XDP_PASS },
			{ SIDE_LAN, LAN_IN(HOST1, HOST2, UDP(1500, 53)), XDP_PASS } },
		.ctr = { C(PASS_NOT_OURS, 3) },
		.mappings = 0,
	},
	{
		.name = "B4-PROV-6 deleting the port set flushes its mappings: the reply is then dropped",
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(1900, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(1900, 53)) },
			{ SIDE_WAN, WAN_IN(INET1, PUB, UDP(53, 1900)), XDP_DROP, .before = BEFORE_POOL_DEL } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1), C(RCVD_TUNNEL, 1),
			 C(DROP_NOT_OUR_PORT, 1) },
		.mappings = 0,
	},
	{
		.name = "B4-NAT-5 expiry: a UDP mapping survives 10 s, is gone after 301 s (both directions)",
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(1900, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(1900, 53)) },
			{ SIDE_WAN, WAN_IN(INET1, PUB, UDP(53, 1900)), XDP_REDIRECT,
			  LAN_OUT(INET1, HOST1, UDP(53, 1900)), .before = BEFORE_EXPIRE_EARLY },
			{ SIDE_WAN, WAN_IN(INET1, PUB, UDP(53, 1900)), XDP_DROP, .before = BEFORE_EXPIRE_LATE } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1), C(RCVD_TUNNEL, 2),
			 C(SENT_LAN, 1), C(DROP_NO_MAPPING, 1) },
		.mappings = 0,
	},
	/* ---- issue 10: reads end at the IPv4 Total Length ---- */
	{
		.name = "B4-NAT-1 LAN IPv4 of Total Length 20 (UDP) whose UDP header trails it: drop-malformed-ipv4, "
			"no mapping from the trailer's ports",
		.setup = &one_port,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40000, 53), .cut = 8), XDP_DROP } },
		.ctr = { C(RCVD_LAN, 1), C(DROP_BAD_IPV4, 1) },
		.mappings = 0,
	},
	{
		.name = "B4-FRAG-4 LAN TCP SYN whose MSS option trails the Total Length (header 24 of 20 bytes): "
			"drop-malformed-ipv4, nothing clamped in the trailer",
		.setup = &one_port,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, TCP(40000, 80), .flags = PKT_TCP_SYN, .mss = 1460, .cut = 4),
			  XDP_DROP } },
		.ctr = { C(RCVD_LAN, 1), C(DROP_BAD_IPV4, 1) },
		.mappings = 0,
	},
	{
		.name = "B4-DP-4 inner IPv4 of Total Length 20 (UDP) whose UDP header trails it: "
			"drop-malformed-inner-ipv4, not translated by the trailer's port",
		.setup = &one_port,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40000, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(2048, 53)) },
			{ SIDE_WAN, WAN_IN(INET1, PUB, UDP(53, 2048), .cut = 8), XDP_DROP } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1), C(RCVD_TUNNEL, 1),
			 C(DROP_BAD_INNER, 1) },
		.mappings = 1,
	},
	/* ---- issue 10: IPv4 header checksums verified both ways (RFC 1812 §5.2.2) ---- */
	{
		.name = "B4-NAT-1 LAN IPv4 header checksum wrong: drop-malformed-ipv4, no mapping",
		.setup = &one_port,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40000, 53), .bad_ip_csum = true), XDP_DROP } },
		.ctr = { C(RCVD_LAN, 1), C(DROP_BAD_IPV4, 1) },
		.mappings = 0,
	},
	{
		.name = "B4-NAT-1 LAN IPv4 header with 40 bytes of options (IHL 15): verified, translated, "
			"options kept; with its checksum wrong: drop-malformed-ipv4",
		.setup = &one_port,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40000, 53), .optlen = 40, .bad_ip_csum = true),
			  XDP_DROP },
			{ SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40000, 53), .optlen = 40, .payload = 6), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(2048, 53), .optlen = 40, .payload = 6) } },
		.ctr = { C(RCVD_LAN, 2), C(DROP_BAD_IPV4, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-DP-4 inner IPv4 header checksum wrong (IHL 5, then IHL 7): drop-malformed-inner-ipv4; "
			"right, with options: translated back, options kept",
		.setup = &one_port,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40000, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(2048, 53)) },
			{ SIDE_WAN, WAN_IN(INET1, PUB, UDP(53, 2048), .bad_ip_csum = true), XDP_DROP },
			{ SIDE_WAN, WAN_IN(INET1, PUB, UDP(53, 2048), .optlen = 8, .bad_ip_csum = true), XDP_DROP },
			{ SIDE_WAN, WAN_IN(INET1, PUB, UDP(53, 2048), .optlen = 8, .payload = 3), XDP_REDIRECT,
			  LAN_OUT(INET1, HOST1, UDP(53, 40000), .optlen = 8, .payload = 3) } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1), C(RCVD_TUNNEL, 3),
			 C(DROP_BAD_INNER, 2), C(SENT_LAN, 1) },
		.mappings = 1,
	},
	/* ---- issue 10: the IPv6 packet is 40 + Payload Length bytes (RFC 8200 §3) ---- */
	{
		.name = "B4-DP-4 IPv6 Payload Length one byte past the frame (inner IPv4 whole): a truncated packet, "
			"drop-malformed-inner-ipv4, not decapsulated",
		.setup = &one_port,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40000, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(2048, 53)) },
			{ SIDE_WAN, WAN_IN(INET1, PUB, UDP(53, 2048), .payload = 4, .plen_past = 1), XDP_DROP } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1), C(RCVD_TUNNEL, 1),
			 C(DROP_BAD_INNER, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-DP-4 6 bytes of link padding after the IPv6 packet (outside its Payload Length): "
			"decapsulated, the padding left behind",
		.setup = &one_port,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40000, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(2048, 53)) },
			{ SIDE_WAN, WAN_IN(INET1, PUB, UDP(53, 2048), .payload = 4, .pad6 = 6), XDP_REDIRECT,
			  LAN_OUT(INET1, HOST1, UDP(53, 40000), .payload = 4) } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1), C(RCVD_TUNNEL, 1),
			 C(SENT_LAN, 1) },
		.mappings = 1,
	},
	/* ---- ICMPv4 errors, from the tunnel (B4-NAT-15, B4-NAT-16, B4-NAT-13) ---- */
	{
		.name = "B4-NAT-15 3/3 from the remote quoting our UDP PUB:2048 -> INET1:53: outer destination HOST1, "
			"quote restored to HOST1:40000 (header and UDP checksums), decapsulated; mapping untouched "
			"(B4-NAT-13/16)",
		.setup = &one_port,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40000, 53), .payload = 12), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(2048, 53), .payload = 12) },
			{ SIDE_WAN, WAN_IN(INET1, PUB, ERR(3, 3, Q_OUT(PUB, INET1, UDP(2048, 53), .payload = 12))),
			  XDP_REDIRECT,
			  LAN_OUT(INET1, HOST1, ERR(3, 3, Q_OUT(HOST1, INET1, UDP(40000, 53), .payload = 12))) } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1), C(RCVD_TUNNEL, 1),
			 C(ICMP_ERR_IN, 1), C(SENT_LAN, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-NAT-15 11/0 from a router (INET2) on the path quoting our TCP SYN PUB:2048 -> INET1:80: "
			"accepted under ADF (the quoted destination is the mapping's remote), quote and TCP checksum "
			"restored to HOST1:40000",
		.setup = &one_port,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, TCP(40000, 80), .flags = PKT_TCP_SYN), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, TCP(2048, 80), .flags = PKT_TCP_SYN) },
			{ SIDE_WAN, WAN_IN(INET2, PUB, ERR(11, 0, Q_OUT(PUB, INET1, TCP(2048, 80), .flags = PKT_TCP_SYN))),
			  XDP_REDIRECT,
			  LAN_OUT(INET2, HOST1, ERR(11, 0, Q_OUT(HOST1, INET1, TCP(40000, 80), .flags = PKT_TCP_SYN))) } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1), C(RCVD_TUNNEL, 1),
			 C(ICMP_ERR_IN, 1), C(SENT_LAN, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-NAT-15 3/1 quoting our echo request Identifier 2048: Identifier 50000 and the quoted "
			"ICMP checksum restored",
		.setup = &one_port,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, ECHO(50000), .payload = 8), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, ECHO(2048), .payload = 8) },
			{ SIDE_WAN, WAN_IN(INET2, PUB, ERR(3, 1, Q_OUT(PUB, INET1, ECHO(2048), .payload = 8))),
			  XDP_REDIRECT,
			  LAN_OUT(INET2, HOST1, ERR(3, 1, Q_OUT(HOST1, INET1, ECHO(50000), .payload = 8))) } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1), C(RCVD_TUNNEL, 1),
			 C(ICMP_ERR_IN, 1), C(SENT_LAN, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-NAT-15 RFC 5508 REQ-3: bad ICMP checksum dropped; REQ-3a: bad quoted IPv4 header "
			"checksum dropped; mapping untouched",
		.setup = &one_port,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40000, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(2048, 53)) },
			{ SIDE_WAN, WAN_IN(INET1, PUB, ERR(3, 3, Q_OUT(PUB, INET1, UDP(2048, 53))),
					   .bad_icmp_csum = true), XDP_DROP },
			{ SIDE_WAN, WAN_IN(INET1, PUB, ERR(3, 3, Q_OUT(PUB, INET1, UDP(2048, 53), .bad_ip_csum = true))),
			  XDP_DROP } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1), C(RCVD_TUNNEL, 2),
			 C(DROP_ICMP_CSUM, 1), C(DROP_ICMP_QUOTE, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-NAT-16 errors quoting an unmapped protocol:port, a port outside the pool, another "
			"address than ours: dropped and counted, mapping untouched",
		.setup = &one_port,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40000, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(2048, 53)) },
			{ SIDE_WAN, WAN_IN(INET1, PUB, ERR(3, 3, Q_OUT(PUB, INET1, TCP(2048, 53)))), XDP_DROP },
			{ SIDE_WAN, WAN_IN(INET1, PUB, ERR(3, 3, Q_OUT(PUB, INET1, UDP(2049, 53)))), XDP_DROP },
			{ SIDE_WAN, WAN_IN(INET1, PUB, ERR(3, 3, Q_OUT(PUB2, INET1, UDP(2048, 53)))), XDP_DROP } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1), C(RCVD_TUNNEL, 3),
			 C(DROP_ICMP_NO_MAPPING, 3) },
		.mappings = 1,
	},
	{
		.name = "B4-NAT-4 ADF on errors: a quote whose destination (INET2) the mapping never sent to is "
			"dropped (the outer source, a router, is not filtered)",
		.setup = &one_port,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40000, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(2048, 53)) },
			{ SIDE_WAN, WAN_IN(INET2, PUB, ERR(3, 3, Q_OUT(PUB, INET2, UDP(2048, 53)))), XDP_DROP } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1), C(RCVD_TUNNEL, 1),
			 C(DROP_FILTERED, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-NAT-4 EIF: an error quoting a flow to a remote the mapping never sent to is translated",
		.setup = &one_port_eif,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40000, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(2048, 53)) },
			{ SIDE_WAN, WAN_IN(INET2, PUB, ERR(3, 3, Q_OUT(PUB, INET2, UDP(2048, 53)))), XDP_REDIRECT,
			  LAN_OUT(INET2, HOST1, ERR(3, 3, Q_OUT(HOST1, INET2, UDP(40000, 53)))) } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1), C(RCVD_TUNNEL, 1),
			 C(ICMP_ERR_IN, 1), C(SENT_LAN, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-NAT-15 error with outer TTL 1: dropped, no TTL event (no error about an error)",
		.setup = &one_port,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40000, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(2048, 53)) },
			{ SIDE_WAN, { .l2 = L2_IN_WAN, .s6 = AFTR6, .d6 = TUN6, .hl = 60, .s4 = INET1, .d4 = PUB,
				      .ttl = 1, ERR(3, 3, Q_OUT(PUB, INET1, UDP(2048, 53))) }, XDP_DROP } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1), C(RCVD_TUNNEL, 1),
			 C(DROP_TTL_ZERO, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-NAT-15 3/3 from the tunnel whose quote the Total Length cuts after the UDP ports, 16 bytes "
			"trailing: translated, the ICMP checksum over the bytes within the Total Length (issue 10)",
		.setup = &one_port,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40000, 53), .payload = 12), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(2048, 53), .payload = 12) },
			{ SIDE_WAN, WAN_IN(INET1, PUB, ERR(3, 3, Q_OUT(PUB, INET1, UDP(2048, 53), .payload = 12)),
					   .cut = 16),
			  XDP_REDIRECT,
			  LAN_OUT(INET1, HOST1, ERR(3, 3, Q_OUT(HOST1, INET1, UDP(40000, 53), .payload = 12)),
				  .trim = 16) } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1), C(RCVD_TUNNEL, 1),
			 C(ICMP_ERR_IN, 1), C(SENT_LAN, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-NAT-16 3/3 from the tunnel quoting a later fragment (offset 8) whose first bytes read as "
			"our PUB:2048 -> INET1:53: no port, drop-icmpv4-error-bad-quote; mapping untouched (issue 10)",
		.setup = &one_port,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40000, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(2048, 53)) },
			{ SIDE_WAN, WAN_IN(INET1, PUB, ERR(3, 3, Q_OUT(PUB, INET1, UDP(2048, 53), .frag = 8))),
			  XDP_DROP } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1), C(RCVD_TUNNEL, 1),
			 C(DROP_ICMP_QUOTE, 1) },
		.mappings = 1,
	},
	/* ---- ICMPv4 errors, from the LAN (B4-NAT-15, B4-NAT-16, B4-NAT-6) ---- */
	{
		.name = "B4-NAT-15 3/3 from HOST1 about INET1:53 -> HOST1:40000 (came in through the mapping): "
			"outer source PUB, quote PUB:2048, encapsulated; mapping not refreshed (B4-NAT-6)",
		.setup = &one_port,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40000, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(2048, 53)) },
			{ SIDE_WAN, WAN_IN(INET1, PUB, UDP(53, 2048), .payload = 9), XDP_REDIRECT,
			  LAN_OUT(INET1, HOST1, UDP(53, 40000), .payload = 9) },
			{ SIDE_LAN, LAN_IN(HOST1, INET1, ERR(3, 3, Q_IN(INET1, HOST1, UDP(53, 40000), .payload = 9))),
			  XDP_REDIRECT, WAN_OUT(PUB, INET1, ERR(3, 3, Q_IN(INET1, PUB, UDP(53, 2048), .payload = 9))) } },
		.ctr = { C(RCVD_LAN, 2), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 2), C(RCVD_TUNNEL, 1),
			 C(SENT_LAN, 1), C(ICMP_ERR_OUT, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-NAT-15 3/3 from HOST1 about a TCP segment INET1:80 -> HOST1:40000: quote and TCP "
			"checksum to PUB:2048",
		.setup = &one_port,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, TCP(40000, 80)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, TCP(2048, 80)) },
			{ SIDE_LAN, LAN_IN(HOST1, INET1, ERR(3, 3, Q_IN(INET1, HOST1, TCP(80, 40000), .payload = 4))),
			  XDP_REDIRECT, WAN_OUT(PUB, INET1, ERR(3, 3, Q_IN(INET1, PUB, TCP(80, 2048), .payload = 4))) } },
		.ctr = { C(RCVD_LAN, 2), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 2), C(ICMP_ERR_OUT, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-NAT-16 error from a LAN host quoting no mapping: dropped, no mapping created; "
			"B4-NAT-15 bad checksum from the LAN: dropped",
		.setup = &one_port,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, ERR(3, 3, Q_IN(INET1, HOST1, UDP(53, 40000)))), XDP_DROP },
			{ SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40000, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(2048, 53)) },
			{ SIDE_LAN, LAN_IN(HOST1, INET1, ERR(3, 3, Q_IN(INET1, HOST1, UDP(53, 40000))),
					   .bad_icmp_csum = true), XDP_DROP } },
		.ctr = { C(RCVD_LAN, 3), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1), C(DROP_ICMP_NO_MAPPING, 1),
			 C(DROP_ICMP_CSUM, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-NAT-15 3/3 from HOST1 whose quote the Total Length cuts after the UDP ports, 13 bytes "
			"trailing: translated, the ICMP checksum over the bytes within the Total Length (issue 10)",
		.setup = &one_port,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40000, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(2048, 53)) },
			{ SIDE_LAN, LAN_IN(HOST1, INET1, ERR(3, 3, Q_IN(INET1, HOST1, UDP(53, 40000), .payload = 9)),
					   .cut = 13),
			  XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, ERR(3, 3, Q_IN(INET1, PUB, UDP(53, 2048), .payload = 9)), .trim = 13) } },
		.ctr = { C(RCVD_LAN, 2), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 2), C(ICMP_ERR_OUT, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-NAT-16 3/3 from HOST1 quoting a later fragment (offset 8) whose first bytes read as "
			"INET1:53 -> HOST1:40000: no port, drop-icmpv4-error-bad-quote (issue 10)",
		.setup = &one_port,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40000, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(2048, 53)) },
			{ SIDE_LAN, LAN_IN(HOST1, INET1, ERR(3, 3, Q_IN(INET1, HOST1, UDP(53, 40000), .frag = 8))),
			  XDP_DROP } },
		.ctr = { C(RCVD_LAN, 2), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1), C(DROP_ICMP_QUOTE, 1) },
		.mappings = 1,
	},
	/* ---- TCP connection state (B4-NAT-7, B4-NAT-8, B4-NAT-9) ---- */
	{
		.name = "B4-NAT-7/8 TCP open and close: SYN out (opening), SYN/ACK in (established), FIN out "
			"(half-closed: still established), FIN/ACK in (closing: transitory), last ACK out",
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, TCP(1500, 80), .flags = PKT_TCP_SYN), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, TCP(1500, 80), .flags = PKT_TCP_SYN),
			  TS(LW_B4_TCP_SYN_OUT, LW_B4_TCP_OPENING) },
			{ SIDE_WAN, WAN_IN(INET1, PUB, TCP(80, 1500), .flags = PKT_TCP_SYN | PKT_TCP_ACK),
			  XDP_REDIRECT, LAN_OUT(INET1, HOST1, TCP(80, 1500), .flags = PKT_TCP_SYN | PKT_TCP_ACK),
			  TS(LW_B4_TCP_SYN_OUT | LW_B4_TCP_SYN_IN, LW_B4_TCP_ESTABLISHED) },
			{ SIDE_LAN, LAN_IN(HOST1, INET1, TCP(1500, 80), .flags = PKT_TCP_FIN | PKT_TCP_ACK),
			  XDP_REDIRECT, WAN_OUT(PUB, INET1, TCP(1500, 80), .flags = PKT_TCP_FIN | PKT_TCP_ACK),
			  TS(LW_B4_TCP_SYN_OUT | LW_B4_TCP_SYN_IN | LW_B4_TCP_FIN_OUT, LW_B4_TCP_ESTABLISHED) },
			{ SIDE_WAN, WAN_IN(INET1, PUB, TCP(80, 1500), .flags = PKT_TCP_FIN | PKT_TCP_ACK),
			  XDP_REDIRECT, LAN_OUT(INET1, HOST1, TCP(80, 1500), .flags = PKT_TCP_FIN | PKT_TCP_ACK),
			  TS(LW_B4_TCP_SYN_OUT | LW_B4_TCP_SYN_IN | LW_B4_TCP_FIN_OUT | LW_B4_TCP_FIN_IN,
			     LW_B4_TCP_CLOSING) },
			{ SIDE_LAN, LAN_IN(HOST1, INET1, TCP(1500, 80), .flags = PKT_TCP_ACK), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, TCP(1500, 80), .flags = PKT_TCP_ACK),
			  TS(LW_B4_TCP_SYN_OUT | LW_B4_TCP_SYN_IN | LW_B4_TCP_FIN_OUT | LW_B4_TCP_FIN_IN,
			     LW_B4_TCP_CLOSING) } },
		.ctr = { C(RCVD_LAN, 3), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 3), C(RCVD_TUNNEL, 2),
			 C(SENT_LAN, 2) },
		.mappings = 1,
	},
	{
		.name = "B4-NAT-8 RST in on an established connection: translated, the mapping kept in the "
			"transitory state (RFC 7857 §2.2), not expired 10 s later; an RST out is translated too",
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, TCP(1500, 80), .flags = PKT_TCP_SYN), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, TCP(1500, 80), .flags = PKT_TCP_SYN),
			  TS(LW_B4_TCP_SYN_OUT, LW_B4_TCP_OPENING) },
			{ SIDE_WAN, WAN_IN(INET1, PUB, TCP(80, 1500), .flags = PKT_TCP_SYN | PKT_TCP_ACK),
			  XDP_REDIRECT, LAN_OUT(INET1, HOST1, TCP(80, 1500), .flags = PKT_TCP_SYN | PKT_TCP_ACK),
			  TS(LW_B4_TCP_SYN_OUT | LW_B4_TCP_SYN_IN, LW_B4_TCP_ESTABLISHED) },
			{ SIDE_WAN, WAN_IN(INET1, PUB, TCP(80, 1500), .flags = PKT_TCP_RST), XDP_REDIRECT,
			  LAN_OUT(INET1, HOST1, TCP(80, 1500), .flags = PKT_TCP_RST),
			  TS(LW_B4_TCP_SYN_OUT | LW_B4_TCP_SYN_IN | LW_B4_TCP_RST, LW_B4_TCP_RESET) },
			{ SIDE_LAN, LAN_IN(HOST1, INET1, TCP(1500, 80), .flags = PKT_TCP_RST), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, TCP(1500, 80), .flags = PKT_TCP_RST), .before = BEFORE_EXPIRE_EARLY,
			  TS(LW_B4_TCP_SYN_OUT | LW_B4_TCP_SYN_IN | LW_B4_TCP_RST, LW_B4_TCP_RESET) } },
		.ctr = { C(RCVD_LAN, 2), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 2), C(RCVD_TUNNEL, 2),
			 C(SENT_LAN, 2) },
		.mappings = 1,
	},
	{
		.name = "B4-NAT-8 simultaneous open: SYN out, then a SYN in (no ACK) on the mapping: admitted "
			"and established (SYN both ways)",
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, TCP(1500, 80), .flags = PKT_TCP_SYN), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, TCP(1500, 80), .flags = PKT_TCP_SYN),
			  TS(LW_B4_TCP_SYN_OUT, LW_B4_TCP_OPENING) },
			{ SIDE_WAN, WAN_IN(INET1, PUB, TCP(80, 1500), .flags = PKT_TCP_SYN), XDP_REDIRECT,
			  LAN_OUT(INET1, HOST1, TCP(80, 1500), .flags = PKT_TCP_SYN),
			  TS(LW_B4_TCP_SYN_OUT | LW_B4_TCP_SYN_IN, LW_B4_TCP_ESTABLISHED) } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1), C(RCVD_TUNNEL, 1),
			 C(SENT_LAN, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-NAT-9 unsolicited SYN to an unmapped pool port: no reply, dropped as "
			"drop-unsolicited-syn; an ACK and a SYN/ACK there stay drop-no-mapping",
		.st = { { SIDE_WAN, WAN_IN(INET1, PUB, TCP(80, 1500), .flags = PKT_TCP_SYN), XDP_DROP },
			{ SIDE_WAN, WAN_IN(INET1, PUB, TCP(80, 1500), .flags = PKT_TCP_ACK), XDP_DROP },
			{ SIDE_WAN, WAN_IN(INET1, PUB, TCP(80, 1500), .flags = PKT_TCP_SYN | PKT_TCP_ACK),
			  XDP_DROP } },
		.ctr = { C(RCVD_TUNNEL, 3), C(DROP_UNSOLICITED_SYN, 1), C(DROP_NO_MAPPING, 2) },
		.mappings = 0,
	},
	/* ---- explicit (PCP) mappings (PCPC-12, B4-NAT-4, B4-NAT-9) ---- */
	{
		.name = "PCPC-12 B4-NAT-4 explicit MAP mapping UDP HOST1:5000 -> PUB:1500 under ADF: datagrams "
			"from INET2 and INET1, never contacted, reach HOST1:5000 (RFC 6887 §11: a MAP opens the "
			"port); HOST1:5000 then sends from PUB:1500 without a new mapping (B4-NAT-2)",
		.st = { { SIDE_WAN, WAN_IN(INET2, PUB, UDP(53, 1500), .payload = 25), XDP_REDIRECT,
			  LAN_OUT(INET2, HOST1, UDP(53, 5000), .payload = 25), .pcp = PCP_MAP_UDP5000 },
			{ SIDE_WAN, WAN_IN(INET1, PUB, UDP(4444, 1500), .payload = 3), XDP_REDIRECT,
			  LAN_OUT(INET1, HOST1, UDP(4444, 5000), .payload = 3) },
			{ SIDE_LAN, LAN_IN(HOST1, INET2, UDP(5000, 53), .payload = 8), XDP_REDIRECT,
			  WAN_OUT(PUB, INET2, UDP(1500, 53), .payload = 8) } },
		.ctr = { C(RCVD_TUNNEL, 2), C(SENT_LAN, 2), C(RCVD_LAN, 1), C(SENT_TUNNEL, 1) },
		.mappings = 1,
	},
	{
		.name = "PCPC-12 B4-NAT-4 explicit PEER mapping UDP HOST1:5000 -> PUB:1500 with peer INET1 under "
			"ADF: the same datagram from INET2 dropped as drop-filtered-adf, from the peer INET1 "
			"reaches HOST1:5000",
		.st = { { SIDE_WAN, WAN_IN(INET2, PUB, UDP(53, 1500), .payload = 25), XDP_DROP,
			  .pcp = PCP_PEER_UDP5000 },
			{ SIDE_WAN, WAN_IN(INET1, PUB, UDP(53, 1500), .payload = 25), XDP_REDIRECT,
			  LAN_OUT(INET1, HOST1, UDP(53, 5000), .payload = 25) } },
		.ctr = { C(RCVD_TUNNEL, 2), C(DROP_FILTERED, 1), C(SENT_LAN, 1) },
		.mappings = 1,
	},
	{
		.name = "PCPC-12 B4-NAT-9 TCP SYN (no ACK) from INET2 to an explicit MAP mapping TCP HOST1:8080 -> "
			"PUB:1600: admitted and translated, not counted as an unsolicited SYN; SYN-in recorded",
		.st = { { SIDE_WAN, WAN_IN(INET2, PUB, TCP(40000, 1600), .flags = PKT_TCP_SYN), XDP_REDIRECT,
			  LAN_OUT(INET2, HOST1, TCP(40000, 8080), .flags = PKT_TCP_SYN), .pcp = PCP_MAP_TCP8080,
			  TS(LW_B4_TCP_SYN_IN, LW_B4_TCP_OPENING) } },
		.ctr = { C(RCVD_TUNNEL, 1), C(SENT_LAN, 1) },
		.mappings = 1,
	},
	{
		.name = "PCPC-12 B4-NAT-2 PCP MAP for HOST1:1900, which already has a dynamic mapping PUB:1900 "
			"(sent to INET1 only): the mapping keeps PUB:1900 (RFC 6887 §11.3), and INET2 is then "
			"admitted under ADF",
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(1900, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(1900, 53)) },
			{ SIDE_WAN, WAN_IN(INET2, PUB, UDP(53, 1900)), XDP_DROP },
			{ SIDE_WAN, WAN_IN(INET2, PUB, UDP(53, 1900), .payload = 6), XDP_REDIRECT,
			  LAN_OUT(INET2, HOST1, UDP(53, 1900), .payload = 6),
			  .pcp = PCP(.proto = 17, .int_addr = HOST1, .int_port = 1900, .ext_addr = PUB,
				     .ext_port = 1500, .kind = LW_B4_PCP_MAP, .got_port = 1900) } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1), C(RCVD_TUNNEL, 2),
			 C(DROP_FILTERED, 1), C(SENT_LAN, 1) },
		.mappings = 1,
	},
	/* ---- pool usage (B4-NAT-17) ---- */
	{
		.name = "B4-NAT-17 pool usage 75 % of 4 ports: POOL_THRESHOLD event once (3/4), none at 4/4, then "
			"POOL_EXHAUSTED",
		.setup = &four_warn75,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40000, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(0, 53)), .dyn = true },
			{ SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40001, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(0, 53)), .dyn = true },
			{ SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40002, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(0, 53)), .dyn = true },
			{ SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40003, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(0, 53)), .dyn = true },
			{ SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40004, 53)), XDP_DROP } },
		.ctr = { C(RCVD_LAN, 5), C(MAPPING_CREATED, 4), C(SENT_TUNNEL, 4), C(POOL_THRESHOLD, 1),
			 C(DROP_POOL_EXHAUSTED, 1) },
		.ev = { { .type = LW_B4_EV_POOL_THRESHOLD, .ps_first = 3, .ps_size = 4 }, EV(POOL_EXHAUSTED, 0) },
		.mappings = 4,
	},
	{
		.name = "B4-NAT-17 pool usage 50 %: event at 2/4; expiry (user space) releases the ports, the "
			"event re-arms below 50 % and fires again at 2/4",
		.setup = &four_warn50,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40000, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(0, 53)), .dyn = true },
			{ SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40001, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(0, 53)), .dyn = true },
			{ SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40002, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(0, 53)), .dyn = true, .before = BEFORE_EXPIRE_LATE },
			{ SIDE_LAN, LAN_IN(HOST1, INET1, UDP(40003, 53)), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, UDP(0, 53)), .dyn = true } },
		.ctr = { C(RCVD_LAN, 4), C(MAPPING_CREATED, 4), C(SENT_TUNNEL, 4), C(POOL_THRESHOLD, 2) },
		.ev = { { .type = LW_B4_EV_POOL_THRESHOLD, .ps_first = 2, .ps_size = 4 },
			{ .type = LW_B4_EV_POOL_THRESHOLD, .ps_first = 2, .ps_size = 4 } },
		.mappings = 2,
	},
	{
		.name = "B4-NAT-3 race: two CPUs send the first packet of the same flow at once, 2000 rounds, "
			"internal port in the pool: one mapping, one session slot, same external port on both",
		.special = race_check_keep,
	},
	{
		.name = "B4-NAT-3 race: two CPUs send the first packet of the same flow at once, 2000 rounds, "
			"random probe: one mapping, one session slot, same external port on both",
		.special = race_check_probe,
	},
	/* ---- the next-hop cache to the lwAFTR (issue 11) ---- */
	{
		.name = "B4-NH cache hit: encapsulated to the lwAFTR through the cached MACs, no FIB",
		.setup = &nh_fake,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, TCP(1500, 80), .payload = 20), XDP_REDIRECT,
			  WAN_OUT_CACHE(PUB, INET1, TCP(1500, 80), .payload = 20) } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-NH cache lease over (a dead pcpd): the FIB's next hop",
		.setup = &nh_expired,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, TCP(1500, 80), .payload = 20), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, TCP(1500, 80), .payload = 20) } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-NH --nexthop fib (LW_B4_CFG_NH_FIB) over a cached entry: the FIB's next hop",
		.setup = &nh_fib_flag,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, TCP(1500, 80), .payload = 20), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, TCP(1500, 80), .payload = 20) } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-NH B4-FRAG-2 DF and too big for the cached route MTU 1300: dropped + TOO_BIG_DF, MTU 1260",
		.setup = &nh_mtu1300,
		/* the route's MTU is learnt after the mapping, as with the FIB's
		 * FRAG_NEEDED (lw_b4_napt_and_encap) */
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, UDP(1500, 53), .payload = 1300), XDP_DROP } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(DROP_OVER_MTU_DF, 1) },
		.ev = { EV(TOO_BIG_DF, 1260) },
		.mappings = 1,
	},
	{
		.name = "B4-NH B4-FRAG-1 DF clear and too big for the cached route MTU 1300: FRAG_NEEDED, MTU 1300",
		.setup = &nh_mtu1300,
		.st = { { SIDE_LAN, { .l2 = L2_IN_LAN, .s4 = HOST1, .d4 = INET1, .ttl = 64, UDP(1500, 53),
				      .payload = 1300 }, XDP_DROP } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(PUNT_FRAG_NEEDED, 1) },
		.ev = { EV(FRAG_NEEDED, 1300) },
		.mappings = 1,
	},
	{
		.name = "B4-NH cache filled from the lab's routes: the FIB's own next hop, through the cache",
		.setup = &nh_sync,
		.st = { { SIDE_LAN, LAN_IN(HOST1, INET1, TCP(1500, 80), .payload = 20), XDP_REDIRECT,
			  WAN_OUT(PUB, INET1, TCP(1500, 80), .payload = 20) } },
		.ctr = { C(RCVD_LAN, 1), C(MAPPING_CREATED, 1), C(SENT_TUNNEL, 1) },
		.mappings = 1,
	},
	{
		.name = "B4-NH fill: the lwAFTR's /128 cached through the default route's gateway (WAN peer MAC)",
		.special = nh_check_synced,
	},
	{
		.name = "B4-NAT-2 B4-NAT-11 issue 11: a mapping is found at its home without the index "
			"(the kept internal port 1500; the hashed slot of HOST1:40000): their index "
			"entries removed, the next packets leave from the same ports, nothing made anew",
		.special = home_check,
	},
	{
		.name = "B4-NAT-2 B4-NAT-3 issue 11: a mapping away from its home is hinted once found "
			"through the index: its index entry removed, the next packets leave from the "
			"same port; a hint whose slot is another endpoint's is not followed",
		.special = hint_check,
	},
};

const size_t n_b4_cases = sizeof(b4_cases) / sizeof(b4_cases[0]);
