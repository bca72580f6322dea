// SPDX-License-Identifier: GPL-2.0
/* B4-FRAG-1 / B4-FRAG-2: the packets the too-big events hand to pcpd --role
 * b4, checked byte for byte (the table rows check type, MTU and counters).
 *
 *   FRAG_NEEDED (DF clear): the packet AFTER the NAPT -- source = the
 *     external endpoint of the mapping it created, TTL 63, checksums right
 *     (verified by the independent csum_ref) -- since pcpd only puts an IPv6
 *     header in front of it; the mapping exists and was refreshed; XDP_DROP.
 *   TOO_BIG_DF (DF set): the ORIGINAL packet (pcpd quotes it back to the LAN
 *     host in ICMPv4 3/4) and the tunnel's IPv4 MTU; no mapping. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>

#include "aftr_env.h"
#include "b4_maps.h"
#include "csum_ref.h"
#include "pkt.h"
#include "pktcmp.h"
#include "wire.h"
#include "prog_b4.h"

#define FAIL(...) do { snprintf(why, whylen, __VA_ARGS__); return 1; } while (0)

static const struct setup mtu1280 = { .mtu = 1280 };

/* Runs f from the LAN; XDP_DROP and exactly one event of type are required. */
static int run_one(const struct fr *f, uint16_t type, uint8_t *in, size_t *inlen,
		   const struct lw_b4_event **ev, char *why, size_t whylen)
{
	struct aftr_env env = { .prog_fd = harness_prog_fd() };
	static uint8_t out[4096];
	size_t outlen = 0, n;
	uint32_t action = 0;
	char err[256];

	if (harness_setup(&mtu1280, err, sizeof(err)))
		FAIL("setup: %s", err);
	if (harness_build(f, in, 4096, inlen))
		FAIL("input frame");
	if (aftr_env_run(&env, (unsigned)harness_ifindex(SIDE_LAN), in, *inlen, out, sizeof(out),
			 &outlen, &action))
		FAIL("BPF_PROG_TEST_RUN: %s", strerror(errno));
	if (action != XDP_DROP)
		FAIL("action (expected XDP_DROP got %u)", action);
	n = harness_events(ev);
	if (n != 1 || (*ev)->type != type)
		FAIL("events (expected 1 of type %u got %zu, first type %u)", type, n,
		     n ? (*ev)->type : 0);
	if ((*ev)->dir != LW_B4_DIR_FROM_LAN || (*ev)->l3_proto != ETH_P_IP)
		FAIL("event dir %u l3_proto 0x%x", (*ev)->dir, (*ev)->l3_proto);
	return 0;
}

static int counters(const uint64_t *want, char *why, size_t whylen)
{
	struct lw_counter st[LW_B4_STAT_MAX];

	if (lw_b4_stats_read(harness_maps(), st))
		FAIL("lw_b4_stats_read: %s", strerror(errno));
	for (unsigned s = 0; s < LW_B4_STAT_MAX; s++)
		if (st[s].packets != want[s])
			FAIL("counter %s (expected %llu got %llu)", lw_b4_stat_name(s),
			     (unsigned long long)want[s], (unsigned long long)st[s].packets);
	return 0;
}

/* The event's packet behind the expected frame's Ethernet header, compared
 * field by field with it. */
static int compare(const struct lw_b4_event *ev, const uint8_t *exp, size_t explen, char *why,
		   size_t whylen)
{
	static uint8_t frame[14 + LW_B4_EVENT_MAX_CAPTURE];
	struct pktcmp_diff d;
	int nd;

	if (ev->cap_len != ev->pkt_len || ev->cap_len != explen - 14)
		FAIL("event carries %u of %u bytes (expected the whole packet, %zu)", ev->cap_len,
		     ev->pkt_len, explen - 14);
	memcpy(frame, exp, 14);
	memcpy(frame + 14, ev->pkt, ev->cap_len);
	nd = pktcmp(frame, 14 + ev->cap_len, exp, explen, 0, &d, 1);
	if (nd < 0)
		FAIL("pktcmp: %s", strerror(-nd));
	if (nd > 0)
		FAIL("event packet %s (expected %s got %s)", d.field, d.expected, d.actual);
	return 0;
}

int punt_check_frag_needed(const struct tcase *c, char *why, size_t whylen)
{
	static uint8_t in[4096], exp[4096];
	const struct fr f = { .l2 = L2_IN_LAN, .s4 = HOST1, .d4 = INET1, .ttl = 64, .df = false,
			      .l4 = L4_UDP, .sport = 1500, .dport = 53, .payload = 1300 };
	struct fr x = { .l2 = L2_IN_LAN, .s4 = PUB, .d4 = INET1, .ttl = 63, .df = false,
			.l4 = L4_UDP, .dport = 53, .payload = 1300 };
	const struct lw_b4_event *ev;
	struct lw_b4_session_row row;
	const struct lw_b4_session *sp = &row.s;
	struct ref_l4_result r;
	uint64_t want[LW_B4_STAT_MAX] = { 0 };
	size_t inlen, explen;

	if (run_one(&f, LW_B4_EV_FRAG_NEEDED, in, &inlen, &ev, why, whylen))
		return 1;
	if (ev->mtu != 1280)
		FAIL("event mtu (expected the tunnel MTU 1280 got %u)", ev->mtu);
	/* B4-NAT-1/2: the mapping was created, is used and lies in the pool */
	if (lw_b4_mapping_get(harness_maps(), IPPROTO_UDP, ip4(HOST1), htons(1500), &row))
		FAIL("no mapping of %s:1500 after the packet", HOST1);
	if (sp->ext_addr != ip4(PUB) || ntohs(sp->ext_port) < 1024 || ntohs(sp->ext_port) > 2047)
		FAIL("mapping external endpoint %08x:%u outside the pool", ntohl(sp->ext_addr),
		     ntohs(sp->ext_port));
	if (sp->packets_out != 1 || !sp->last_out_ns)
		FAIL("B4-NAT-6 the mapping was not refreshed (packets_out %llu)",
		     (unsigned long long)sp->packets_out);
	x.sport = ntohs(sp->ext_port);
	if (harness_build(&x, exp, sizeof(exp), &explen))
		FAIL("expected packet");
	if (compare(ev, exp, explen, why, whylen))
		return 1;
	/* the independent RFC 1071 reference on the event's own bytes */
	if (!ref_ipv4_header_ok(ev->pkt, ev->cap_len))
		FAIL("translated IPv4 header checksum wrong");
	if (ref_l4_check_ipv4(ev->pkt, ev->cap_len, &r) != REF_L4_OK)
		FAIL("translated UDP checksum 0x%04x, expected 0x%04x", r.found, r.want);
	want[LW_B4_STAT_RCVD_LAN] = 1;
	want[LW_B4_STAT_MAPPING_CREATED] = 1;
	want[LW_B4_STAT_PUNT_FRAG_NEEDED] = 1;
	want[LW_B4_STAT_EVENT_SENT] = 1;
	if (counters(want, why, whylen))
		return 1;
	return harness_invariants(1, why, whylen);
}

int punt_check_too_big_df(const struct tcase *c, char *why, size_t whylen)
{
	static uint8_t in[4096];
	const struct fr f = { .l2 = L2_IN_LAN, .s4 = HOST1, .d4 = INET1, .ttl = 64, .df = true,
			      .l4 = L4_UDP, .sport = 1500, .dport = 53, .payload = 1300 };
	const struct lw_b4_event *ev;
	uint64_t want[LW_B4_STAT_MAX] = { 0 };
	size_t inlen;

	if (run_one(&f, LW_B4_EV_TOO_BIG_DF, in, &inlen, &ev, why, whylen))
		return 1;
	if (ev->mtu != 1240)
		FAIL("event mtu (expected the tunnel's IPv4 MTU 1240 got %u)", ev->mtu);
	/* the original packet, untouched: it is the quote of the ICMPv4 3/4 */
	if (compare(ev, in, inlen, why, whylen))
		return 1;
	want[LW_B4_STAT_RCVD_LAN] = 1;
	want[LW_B4_STAT_DROP_OVER_MTU_DF] = 1;
	want[LW_B4_STAT_EVENT_SENT] = 1;
	if (counters(want, why, whylen))
		return 1;
	return harness_invariants(0, why, whylen);
}
