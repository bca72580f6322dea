// SPDX-License-Identifier: GPL-2.0
/* Record-block headers (issue 11, include/lw4o6/aftr.h): a uniform /24
 * spares the packet its address record. The rest of the suite runs on a
 * /24 of mixed psid-len, which has no uniform header; these rows run on one
 * that has (BLK_UNIFORM: the writer must make it), on one whose header the
 * data plane must believe about presence (BLK_HIDE), and on one whose
 * header lies about the runs (BLK_STALE: the slot check catches the guess
 * and the record decides). */
#include "cases.h"

static const struct setup uniform = { .blocks = BLK_UNIFORM };
static const struct setup hide = { .blocks = BLK_HIDE };
static const struct setup stale = { .blocks = BLK_STALE };

const struct tcase block_cases[] = {
	{
		.name = "AFTR-ENCAP-1 uniform /24 header: encap to SHARED1 psid 1 -> B4 A",
		.setup = &uniform,
		.side = SIDE_INET,
		.in = { .l2 = L2_IN_INET, .ip4 = IP4(INET_HOST, SHARED1, 0, 64), .l4 = TCP(80, PORT_A, 16) },
		.act = XDP_REDIRECT,
		.out = FRAME(.l2 = L2_OUT_ACC, .ip6 = IP6(BR1, B4_A, 0, 64),
			     .ip4 = IP4(INET_HOST, SHARED1, 0, 63), .l4 = TCP(80, PORT_A, 16)),
		.ctr = { C(RCVD_IPV4, 1), CO(SENT_IPV6, 1) },
		.sw = { { SW_A, 0, 1 } },
	},
	{
		.name = "AFTR-ENCAP-1 uniform /24 header: encap to SHARED2 psid 3 -> B4 C (BR2)",
		.setup = &uniform,
		.side = SIDE_INET,
		.in = { .l2 = L2_IN_INET, .ip4 = IP4(INET_HOST, SHARED2, 0, 64), .l4 = UDP(53, PORT_C, 8) },
		.act = XDP_REDIRECT,
		.out = FRAME(.l2 = L2_OUT_ACC, .ip6 = IP6(BR2, B4_C, 0, 64),
			     .ip4 = IP4(INET_HOST, SHARED2, 0, 63), .l4 = UDP(53, PORT_C, 8)),
		.ctr = { C(RCVD_IPV4, 1), CO(SENT_IPV6, 1) },
		.sw = { { SW_C, 0, 1 } },
	},
	{
		.name = "AFTR-DECAP-2 uniform /24 header: decap from B4 C (SHARED2 psid 3)",
		.setup = &uniform,
		.side = SIDE_ACC,
		.in = { .l2 = L2_IN_ACC, .ip6 = IP6(B4_C, BR2, 0, 64),
			.ip4 = IP4(SHARED2, INET_HOST, 0, 64), .l4 = TCP(PORT_C, 443, 100) },
		.act = XDP_REDIRECT,
		.out = FRAME(.l2 = L2_OUT_INET, .ip4 = IP4(SHARED2, INET_HOST, 0, 63), .l4 = TCP(PORT_C, 443, 100)),
		.ctr = { C(RCVD_IPV6, 1), CO(SENT_IPV4, 1) },
		.sw = { { SW_C, 1, 0 } },
	},
	{
		.name = "AFTR-DECAP-3 uniform /24 header: B4 A with B4 C's port -> drop-no-source-softwire",
		.setup = &uniform,
		.side = SIDE_ACC,
		.in = { .l2 = L2_IN_ACC, .ip6 = IP6(B4_A, BR1, 0, 64),
			.ip4 = IP4(SHARED2, INET_HOST, 0, 64), .l4 = TCP(PORT_C, 443, 100) },
		.act = XDP_DROP,
		.ctr = { C(RCVD_IPV6, 1), C(DROP_NO_SRC_SOFTWIRE, 1) },
		.ev = { EV_DECAP_MISS },
	},
	{
		.name = "AFTR-ENCAP-2 uniform /24 header: unbound PSID 4 of SHARED1 -> drop-no-dest-softwire",
		.setup = &uniform,
		.side = SIDE_INET,
		.in = { .l2 = L2_IN_INET, .ip4 = IP4(INET_HOST, SHARED1, 0, 64), .l4 = TCP(80, PORT_UNBOUND, 16) },
		.act = XDP_DROP,
		.ctr = { C(RCVD_IPV4, 1), C(DROP_NO_DST_SOFTWIRE, 1) },
		.ev = { EV(ENCAP_NO_BINDING, FROM_INTERNET, 0, L3, ETH_P_IP) },
	},
	{
		.name = "AFTR-ENCAP-2 uniform /24 header: FULL3, absent from it, is nobody's -> drop-no-dest-softwire",
		.setup = &uniform,
		.side = SIDE_INET,
		.in = { .l2 = L2_IN_INET, .ip4 = IP4(INET_HOST, FULL3, 0, 64), .l4 = TCP(80, PORT_A, 16) },
		.act = XDP_DROP,
		.ctr = { C(RCVD_IPV4, 1), C(DROP_NO_DST_SOFTWIRE, 1) },
		.ev = { EV(ENCAP_NO_BINDING, FROM_INTERNET, 0, L3, ETH_P_IP) },
	},
	{
		.name = "AFTR-ENCAP-1 header says SHARED1 has no record: the data plane takes its word",
		.setup = &hide,
		.side = SIDE_INET,
		.in = { .l2 = L2_IN_INET, .ip4 = IP4(INET_HOST, SHARED1, 0, 64), .l4 = TCP(80, PORT_A, 16) },
		.act = XDP_DROP,
		.ctr = { C(RCVD_IPV4, 1), C(DROP_NO_DST_SOFTWIRE, 1) },
		.ev = { EV(ENCAP_NO_BINDING, FROM_INTERNET, 0, L3, ETH_P_IP) },
	},
	{
		.name = "AFTR-ENCAP-1 header lies about the runs: the record decides, encap to B4 A",
		.setup = &stale,
		.side = SIDE_INET,
		.in = { .l2 = L2_IN_INET, .ip4 = IP4(INET_HOST, SHARED1, 0, 64), .l4 = TCP(80, PORT_A, 16) },
		.act = XDP_REDIRECT,
		.out = FRAME(.l2 = L2_OUT_ACC, .ip6 = IP6(BR1, B4_A, 0, 64),
			     .ip4 = IP4(INET_HOST, SHARED1, 0, 63), .l4 = TCP(80, PORT_A, 16)),
		.ctr = { C(RCVD_IPV4, 1), CO(SENT_IPV6, 1) },
		.sw = { { SW_A, 0, 1 } },
	},
	{
		.name = "AFTR-DECAP-2 header lies about the runs and FULL3's psid-len: decap from B4 D",
		.setup = &stale,
		.side = SIDE_ACC,
		.in = { .l2 = L2_IN_ACC, .ip6 = IP6(B4_D, BR1, 0, 64),
			.ip4 = IP4(FULL3, INET_HOST, 0, 64), .l4 = UDP(4000, 53, 20) },
		.act = XDP_REDIRECT,
		.out = FRAME(.l2 = L2_OUT_INET, .ip4 = IP4(FULL3, INET_HOST, 0, 63), .l4 = UDP(4000, 53, 20)),
		.ctr = { C(RCVD_IPV6, 1), CO(SENT_IPV4, 1) },
		.sw = { { SW_D, 1, 0 } },
	},
	{
		.name = "AFTR-ENCAP-2 header lies: UNKNOWN4 marked present still has no softwire",
		.setup = &stale,
		.side = SIDE_INET,
		.in = { .l2 = L2_IN_INET, .ip4 = IP4(INET_HOST, UNKNOWN4, 0, 64), .l4 = TCP(80, PORT_A, 16) },
		.act = XDP_DROP,
		.ctr = { C(RCVD_IPV4, 1), C(DROP_NO_DST_SOFTWIRE, 1) },
		.ev = { EV(ENCAP_NO_BINDING, FROM_INTERNET, 0, L3, ETH_P_IP) },
	},
};

const size_t n_block_cases = sizeof(block_cases) / sizeof(block_cases[0]);
