// SPDX-License-Identifier: GPL-2.0
/* Snabb's benchmark workload, generated here: the binding table of
 *   snabb lwaftr generate-configuration 193.5.1.100 15874 fc00::100 fc00:1:2:3:4:5:0:7e 6 10
 * and its frames (src/program/lwaftr/generate_configuration/ in snabbco/snabb):
 *
 *   - softwire k (0, 1, ...) is on address from_ipv4 + k / 64 and its B4 is
 *     from_b4 + k (one 128-bit increment per softwire, across addresses);
 *     every softwire has the BR fc00::100 and psid-length 6 with shift 10
 *     (psid-offset 0: PSID p owns ports p << 10 .. p << 10 | 1023);
 *   - Snabb numbers the PSIDs of an address 1..64. 64 does not fit in six
 *     bits: Snabb's own frames for it (psid_port() masks the PSID) go to port
 *     0, which is PSID 0, for which its table has no softwire. Here the 64th
 *     softwire of an address is PSID 0, so the table is valid and every flow
 *     has its binding;
 *   - a frame from the B4 (decapsulation): Ethernet 44:..:44 -> 22:..:22,
 *     IPv6 B4 -> BR, traffic class 1, hop limit 255, IPv4 softwire address ->
 *     1.2.3.4 TTL 15, UDP first port of the set -> 12345, payload '0's;
 *     towards the B4 (encapsulation): 68:..:68 -> 12:..:12, IPv4 1.2.3.4 ->
 *     the address, UDP 12345 -> the first port. Snabb picks the frames'
 *     softwires at random; so does bench_swgen_sample() (fixed seed). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "bench.h"
#include "pkt.h"

void bench_swgen_snabb(struct bench_swgen *g, size_t num_ips)
{
	memset(g, 0, sizeof(*g));
	g->from_ipv4 = ntohl(ip4("193.5.1.100"));
	g->num_ips = num_ips;
	g->psid_len = 6;
	g->shift = 10;
	g->br = ip6("fc00::100");
	g->from_b4 = ip6("fc00:1:2:3:4:5:0:7e");
}

size_t bench_swgen_count(const struct bench_swgen *g)
{
	return g->num_ips << g->psid_len;
}

void bench_swgen_entry(const struct bench_swgen *g, size_t k, struct lw_softwire_entry *e)
{
	unsigned carry = 0;
	uint64_t add = k;

	memset(e, 0, sizeof(*e));
	e->ipv4 = htonl(g->from_ipv4 + (uint32_t)(k >> g->psid_len));
	e->ps.psid_len = (__u8)g->psid_len;
	e->ps.psid_offset = (__u8)(16 - g->psid_len - g->shift);
	e->psid = (__u16)((k % (1u << g->psid_len) + 1) % (1u << g->psid_len));
	e->br_ipv6 = g->br;
	e->b4_ipv6 = g->from_b4;
	for (int i = 15; i >= 0; i--) {
		unsigned v = e->b4_ipv6.s6_addr[i] + (unsigned)(add & 0xff) + carry;

		e->b4_ipv6.s6_addr[i] = (uint8_t)v;
		carry = v >> 8;
		add >>= 8;
	}
}

int bench_swgen_setup(const struct bench_swgen *g, struct lw_aftr_setup *s)
{
	size_t n = bench_swgen_count(g);
	struct lw_softwire_entry e;

	lw_setup_init(s);
	s->softwires = malloc(n * sizeof(*s->softwires));
	if (!s->softwires)
		return -ENOMEM;
	s->cap_softwires = n;
	for (size_t k = 0; k < n; k++) {
		bench_swgen_entry(g, k, &e);
		if (lw_setup_add_softwire(s, &e))
			return -ENOMEM;
	}
	return 0;
}

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

int bench_swgen_sample(const struct bench_swgen *g, size_t n, uint64_t seed, size_t *out)
{
	size_t count = bench_swgen_count(g);
	uint8_t *taken = calloc(count / 8 + 1, 1);

	if (!taken || n > count) {
		free(taken);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n;) {
		size_t k = (size_t)(xorshift(&seed) % count);

		if (taken[k / 8] & (1u << (k % 8)))
			continue;
		taken[k / 8] |= (uint8_t)(1u << (k % 8));
		out[i++] = k;
	}
	free(taken);
	return 0;
}

/* Snabb's payload: '0' characters up to the frame's length. */
static int finish(struct pkt *p, size_t len)
{
	static uint8_t zeros[2048];

	if (!zeros[0])
		memset(zeros, '0', sizeof(zeros));
	if (p->len < len)
		pkt_data(p, zeros, len - p->len);
	if (pkt_finish(p) < 0 || p->len != len) {
		fprintf(stderr, "bench: cannot build a %zu-byte frame (error %d)\n", len, p->err);
		return -1;
	}
	return 0;
}

static int decap_frame(const struct bench_swgen *g, size_t k, uint8_t *buf, size_t len)
{
	struct lw_softwire_entry e;
	struct pkt p;
	struct pkt_eth eth = { .type = 0 };

	bench_swgen_entry(g, k, &e);
	memcpy(eth.src, bench_access_nh_mac, 6);
	memcpy(eth.dst, bench_aftr_access_mac, 6);
	pkt_init(&p, buf, len);
	pkt_eth(&p, &eth);
	pkt_ipv6(&p, &(struct pkt_ip6){ .src = e.b4_ipv6,
					.dst = e.br_ipv6,
					.traffic_class = 1,
					.hop_limit = 255 });
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = e.ipv4, .dst = ip4("1.2.3.4"), .ttl = 15 });
	pkt_udp(&p, &(struct pkt_udp){ .sport = (uint16_t)(e.psid << g->shift), .dport = 12345 });
	return finish(&p, len);
}

static int encap_frame(const struct bench_swgen *g, size_t k, uint8_t *buf, size_t len)
{
	struct lw_softwire_entry e;
	struct pkt p;
	struct pkt_eth eth = { .type = 0 };

	bench_swgen_entry(g, k, &e);
	memcpy(eth.src, bench_inet_nh_mac, 6);
	memcpy(eth.dst, bench_aftr_inet_mac, 6);
	pkt_init(&p, buf, len);
	pkt_eth(&p, &eth);
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4("1.2.3.4"), .dst = e.ipv4, .ttl = 15 });
	pkt_udp(&p, &(struct pkt_udp){ .sport = 12345, .dport = (uint16_t)(e.psid << g->shift) });
	return finish(&p, len);
}

int bench_swgen_frames(const struct bench_swgen *g, const size_t *ks, struct bench_frames *decap,
		       struct bench_frames *encap)
{
	for (size_t i = 0; i < decap->n && i < encap->n; i++)
		if (decap_frame(g, ks[i], bench_frame_at(decap, i), decap->len) ||
		    encap_frame(g, ks[i], bench_frame_at(encap, i), encap->len))
			return -1;
	return 0;
}
