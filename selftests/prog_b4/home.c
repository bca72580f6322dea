// SPDX-License-Identifier: GPL-2.0
/* Issue 11: an outbound packet finds its mapping at the home position the
 * packet itself gives, one cache line, not through the lw_b4_out index: the
 * slot of its internal port when a set holds that port (B4-NAT-11 kept it
 * there), else the slot of the keyed hash of its internal endpoint, which
 * a new mapping claims first. With the index entries of two such mappings
 * removed behind the program's back, their next packets still leave from
 * the same external ports and no mapping is made anew (B4-NAT-2). A
 * mapping away from its home (an explicit one on the port asked for) is
 * found through the index: the PCPC-12 rows.
 *
 * A mapping away from its home is hinted (lw_b4_hint) once a packet has
 * found it through the index: with its index entry removed behind the
 * program's back, its next packets still leave from its port. A hint is
 * only ever confirmed by the slot it names: once the slot is another
 * endpoint's, the hinted endpoint's next packet does not take it
 * (B4-NAT-3) but gets a mapping of its own. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>

#include "aftr_env.h"
#include "b4_maps.h"
#include "pkt.h"
#include "prog_b4.h"

#define FAIL(...) do { snprintf(why, whylen, __VA_ARGS__); return 1; } while (0)

static const struct setup home_setup; /* PUB 1024..2047 */

/* UDP source port of the translated IPv4 packet in an IPv4-in-IPv6 frame; -1 if none. */
static int tunnel_udp_sport(const uint8_t *f, size_t len)
{
	size_t off = 14 + 40, ihl;

	if (len < off + 28 || f[12] != 0x86 || f[13] != 0xdd || f[14 + 6] != 4 || (f[off] >> 4) != 4)
		return -1;
	ihl = (size_t)(f[off] & 0x0f) * 4;
	if (f[off + 9] != IPPROTO_UDP || len < off + ihl + 8)
		return -1;
	return (f[off + ihl] << 8) | f[off + ihl + 1];
}

/* The flow's packet from the LAN: REDIRECT into the tunnel, from *port. */
static int send_from(const char *host, uint16_t sport, int *port, char *why, size_t whylen)
{
	const struct fr f = { .l2 = L2_IN_LAN, .s4 = host, .d4 = INET1, .ttl = 64, .df = true,
			      .l4 = L4_UDP, .sport = sport, .dport = 53, .payload = 32 };
	struct aftr_env env = { .prog_fd = harness_prog_fd() };
	static uint8_t in[2048], out[2048];
	size_t inlen, outlen = 0;
	uint32_t action = 0;

	if (harness_build(&f, in, sizeof(in), &inlen))
		FAIL("input frame");
	if (aftr_env_run(&env, (unsigned)harness_ifindex(SIDE_LAN), in, inlen, out, sizeof(out),
			 &outlen, &action))
		FAIL("BPF_PROG_TEST_RUN: %s", strerror(errno));
	if (action != XDP_REDIRECT || (*port = tunnel_udp_sport(out, outlen)) < 0)
		FAIL("internal port %u: action %u, expected XDP_REDIRECT into the tunnel", sport, action);
	return 0;
}

static int send_out(uint16_t sport, int *port, char *why, size_t whylen)
{
	return send_from(HOST1, sport, port, why, whylen);
}

static int created(uint64_t *n)
{
	struct lw_counter st[LW_B4_STAT_MAX];

	if (lw_b4_stats_read(harness_maps(), st))
		return -1;
	*n = st[LW_B4_STAT_MAPPING_CREATED].packets;
	return 0;
}

int home_check(const struct tcase *c, char *why, size_t whylen)
{
	/* 40000: outside the set, at its hashed home (the pool is empty);
	 * 1500: in the set, kept (B4-NAT-11) */
	static const uint16_t sports[2] = { 40000, 1500 };
	const struct lw_b4_maps *m = harness_maps();
	struct lw_b4_session_row row;
	int port[2], again;
	uint64_t n = 0;
	char err[256];

	if (harness_setup(&home_setup, err, sizeof(err)))
		FAIL("setup: %s", err);
	for (int i = 0; i < 2; i++) {
		struct lw_b4_out_key k = { .addr = ip4(HOST1), .port = htons(sports[i]),
					   .proto = IPPROTO_UDP };

		if (send_out(sports[i], &port[i], why, whylen))
			return 1;
		if (lw_b4_mapping_get(m, IPPROTO_UDP, ip4(HOST1), htons(sports[i]), &row) ||
		    ntohs(row.s.ext_port) != port[i] || port[i] < 1024 || port[i] > 2047)
			FAIL("internal port %u left from %d: no such mapping in the pool", sports[i],
			     port[i]);
		if (bpf_map_delete_elem(m->out, &k))
			FAIL("deleting the index entry of internal port %u: %s", sports[i],
			     strerror(errno));
	}
	if (port[1] != 1500)
		FAIL("B4-NAT-11 internal port 1500 left from %d", port[1]);
	for (int i = 0; i < 2; i++) {
		if (send_out(sports[i], &again, why, whylen))
			return 1;
		if (again != port[i])
			FAIL("B4-NAT-2 internal port %u left from %d, then from %d without its index "
			     "entry: its home was not found", sports[i], port[i], again);
	}
	if (created(&n) || n != 2)
		FAIL("mappings-created %llu, expected 2: a mapping was made anew",
		     (unsigned long long)n);
	harness_drain_events();
	return 0;
}

/* Explicit mappings of HOST1:41000.. on external ports 2000.. (the keyed
 * hash puts an endpoint's home on one of 1024 ports: not all of these can
 * be at home), each found by its first packet through the index, which then
 * loses its entries; the next packets leave from the same ports. Then the
 * first one is deleted and its port given to HOST2: HOST1:41000's next
 * packet leaves from another port, and HOST2's mapping stays as it was. */
#define HINTED 8
int hint_check(const struct tcase *c, char *why, size_t whylen)
{
	const struct lw_b4_maps *m = harness_maps();
	const uint64_t hour = 3600ull * 1000000000ull;
	struct lw_b4_session_row row;
	__be32 got_addr;
	__be16 got_port;
	int port, again;
	char err[256];

	if (harness_setup(&home_setup, err, sizeof(err)))
		FAIL("setup: %s", err);
	for (int i = 0; i < HINTED; i++) {
		uint16_t sport = (uint16_t)(41000 + i), ext = (uint16_t)(2000 + i);
		struct lw_b4_out_key k = { .addr = ip4(HOST1), .port = htons(sport),
					   .proto = IPPROTO_UDP };

		if (lw_b4_explicit_set(m, IPPROTO_UDP, ip4(HOST1), htons(sport), ip4(PUB), htons(ext),
				       LW_B4_PCP_MAP, 0, hour, &got_addr, &got_port) ||
		    ntohs(got_port) != ext)
			FAIL("explicit mapping of HOST1:%u on port %u not made", sport, ext);
		if (send_out(sport, &port, why, whylen))
			return 1;
		if (port != ext)
			FAIL("HOST1:%u left from %d, not from its explicit port %u", sport, port, ext);
		if (bpf_map_delete_elem(m->out, &k))
			FAIL("deleting the index entry of HOST1:%u: %s", sport, strerror(errno));
	}
	for (int i = 0; i < HINTED; i++) {
		uint16_t sport = (uint16_t)(41000 + i);

		if (send_out(sport, &again, why, whylen))
			return 1;
		if (again != 2000 + i)
			FAIL("B4-NAT-2 HOST1:%u left from %d, then from %d without its index entry: "
			     "its hint was not followed", sport, 2000 + i, again);
	}
	/* the first mapping goes (its index entry back first, as user space
	 * deletes through it), its port becomes HOST2's */
	{
		struct lw_b4_out_key k = { .addr = ip4(HOST1), .port = htons(41000),
					   .proto = IPPROTO_UDP };
		struct lw_b4_out_val v = { .ext_addr = ip4(PUB), .ext_port = htons(2000),
					   .pos = 2000 - 1024 };

		if (bpf_map_update_elem(m->out, &k, &v, BPF_NOEXIST) ||
		    lw_b4_explicit_del(m, IPPROTO_UDP, ip4(HOST1), htons(41000)))
			FAIL("deleting the mapping of HOST1:41000: %s", strerror(errno));
	}
	if (lw_b4_explicit_set(m, IPPROTO_UDP, ip4(HOST2), htons(41000), ip4(PUB), htons(2000),
			       LW_B4_PCP_MAP, 0, hour, &got_addr, &got_port) ||
	    ntohs(got_port) != 2000)
		FAIL("explicit mapping of HOST2:41000 on port 2000 not made");
	if (send_out(41000, &again, why, whylen))
		return 1;
	if (again == 2000)
		FAIL("B4-NAT-3 HOST1:41000 left from port 2000, HOST2's: a stale hint was followed");
	if (lw_b4_mapping_get(m, IPPROTO_UDP, ip4(HOST2), htons(41000), &row) ||
	    ntohs(row.s.ext_port) != 2000 || row.s.packets_out != 0)
		FAIL("HOST2:41000's mapping on port 2000 changed");
	if (send_from(HOST2, 41000, &port, why, whylen))
		return 1;
	if (port != 2000)
		FAIL("HOST2:41000 left from %d, not from its port 2000", port);
	harness_drain_events();
	return 0;
}
