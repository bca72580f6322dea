// SPDX-License-Identifier: GPL-2.0
/* Seed frames: the shapes the programs are meant to forward (and some they
 * are meant to refuse), built layer by layer with pkt.h so that every length
 * and checksum is right before the mutations start. */
#include <string.h>

#include "seedkit.h"

void seed_begin(struct mframe *f, struct pkt *p, unsigned ifindex, const char *kind)
{
	f->len = 0;
	f->ifindex = ifindex;
	f->ip6 = f->ip4 = f->l4 = f->quote = -1;
	f->n_ext = 0;
	f->log[0] = '\0';
	mf_log(f, "%s", kind);
	pkt_init(p, f->buf, sizeof(f->buf));
}

void seed_eth(struct rng *r, struct pkt *p, struct mframe *f, const uint8_t *src,
	      const uint8_t *dst)
{
	struct pkt_eth e = { 0 };
	unsigned x = rng_below(r, 100);

	memcpy(e.src, src, 6);
	memcpy(e.dst, dst, 6);
	if (x < 2) {
		e.vid = (uint16_t)(1 + rng_below(r, 4094));
		e.inner_vid = (uint16_t)(1 + rng_below(r, 4094));
		mf_log(f, "qinq");
	} else if (x < 5) {
		e.vid = (uint16_t)(1 + rng_below(r, 4094));
		mf_log(f, "vlan%u", e.vid);
	}
	pkt_eth(p, &e);
}

static void ext_chain(struct rng *r, struct pkt *p, struct mframe *f)
{
	static const uint8_t opts[6] = { 0x1e, 4, 0, 0, 0, 0 }; /* an unknown option, skippable */
	static const uint8_t rh[6] = { 0, 0, 0, 0, 0, 0 };      /* type 0, segments left 0 */
	unsigned n = rng_pct(r, 60) ? 1 : 2 + rng_below(r, 5);

	for (unsigned i = 0; i < n && f->n_ext < MF_MAX_EXT; i++) {
		int off;

		switch (rng_below(r, 6)) {
		case 0:
			off = i == 0 ? pkt_ipv6_ext(p, IPPROTO_HOPOPTS, opts, sizeof(opts))
				     : pkt_ipv6_ext(p, IPPROTO_DSTOPTS, opts, sizeof(opts));
			mf_log(f, i == 0 ? "hbh" : "dst");
			break;
		case 1:
			off = pkt_ipv6_ext(p, IPPROTO_ROUTING, rh, sizeof(rh));
			mf_log(f, "rh");
			break;
		case 2:
			off = pkt_ipv6_frag(p, &(struct pkt_ip6_frag){
				.offset = rng_pct(r, 70) ? 0 : (uint16_t)(1 + rng_below(r, 100)),
				.more = rng_pct(r, 50), .id = (uint32_t)rng_next(r) });
			mf_log(f, "frag6");
			break;
		default:
			off = pkt_ipv6_encap_limit(p, (uint8_t)rng_below(r, 8));
			mf_log(f, "encap-limit");
		}
		if (off >= 0)
			f->ext[f->n_ext++] = off;
	}
}

void seed_ip6(struct rng *r, struct pkt *p, struct mframe *f, const struct in6_addr *src,
	      const struct in6_addr *dst, unsigned ext_pct)
{
	f->ip6 = pkt_ipv6(p, &(struct pkt_ip6){ .src = *src, .dst = *dst,
						 .traffic_class = (uint8_t)rng_below(r, 256),
						 .hop_limit = 64 });
	if (rng_pct(r, ext_pct))
		ext_chain(r, p, f);
}

static void options(struct rng *r, struct pkt_ip4 *ip, uint8_t *buf, struct mframe *f)
{
	size_t n = 4 * (1 + rng_below(r, 3));

	memset(buf, 1, n); /* NOPs ... */
	if (rng_pct(r, 50)) {
		buf[0] = 7; /* ... or a record-route option with room left */
		buf[1] = (uint8_t)n;
		buf[2] = 4;
	}
	ip->options = buf;
	ip->options_len = n;
	mf_log(f, "ip4opt%zu", n);
}

static const uint8_t gre[4] = { 0, 0, 0x08, 0x00 };

/* The quoted packet of an ICMP error, whole or cut as routers cut them. */
static void quote(struct rng *r, struct pkt *p, struct mframe *f, const struct seed_ip4 *s)
{
	static uint8_t qbuf[256];
	struct pkt q;
	int len, off;
	size_t keep;

	pkt_init(&q, qbuf, sizeof(qbuf));
	pkt_ipv4(&q, &(struct pkt_ip4){ .src = s->qsrc, .dst = s->qdst, .ttl = 50,
					 .id = (uint16_t)rng_next(r) });
	if (s->qkind == SK_TCP)
		pkt_tcp(&q, &(struct pkt_tcp){ .sport = s->qsport, .dport = s->qdport, .seq = 7,
					       .flags = PKT_TCP_SYN, .window = 1024 });
	else if (s->qkind == SK_UDP)
		pkt_udp(&q, &(struct pkt_udp){ .sport = s->qsport, .dport = s->qdport });
	else
		pkt_icmp4(&q, &(struct pkt_icmp){ .type = s->qkind == SK_ECHO ? 8 : 0,
						   .id = s->qsport, .seq = 1 });
	pkt_data_pattern(&q, rng_below(r, 48), 0x30);
	len = pkt_finish(&q);
	if (len < 0)
		return;
	/* RFC 792: the header and 8 bytes; RFC 1812: as much as fits */
	keep = rng_pct(r, 40) ? 28 : (size_t)len;
	off = pkt_quote(p, qbuf, keep < (size_t)len ? keep : (size_t)len, 0);
	if (off >= 0)
		f->quote = off;
}

void seed_ip4(struct rng *r, struct pkt *p, struct mframe *f, const struct seed_ip4 *s)
{
	static const uint8_t err_types[][2] = { { 3, 3 }, { 3, 1 }, { 3, 4 }, { 11, 0 },
						{ 12, 0 } };
	struct pkt_ip4 ip = { .src = s->src, .dst = s->dst, .ttl = s->ttl,
			      .id = (uint16_t)rng_next(r), .df = rng_pct(r, 50),
			      .tos = (uint8_t)rng_below(r, 256) };
	uint8_t optbuf[12];

	if (rng_pct(r, 10))
		options(r, &ip, optbuf, f);
	if (s->kind == SK_OTHER)
		ip.proto = 47;
	f->ip4 = pkt_ipv4(p, &ip);
	switch (s->kind) {
	case SK_UDP:
		f->l4 = pkt_udp(p, &(struct pkt_udp){ .sport = s->sport, .dport = s->dport });
		break;
	case SK_TCP:
		f->l4 = pkt_tcp(p, &(struct pkt_tcp){
			.sport = s->sport, .dport = s->dport, .seq = (uint32_t)rng_next(r),
			.flags = rng_pct(r, 30) ? PKT_TCP_SYN : PKT_TCP_ACK, .window = 4096,
			.mss = rng_pct(r, 20) ? 1460 : 0 });
		break;
	case SK_ECHO:
	case SK_ECHO_REPLY:
		f->l4 = pkt_icmp4(p, &(struct pkt_icmp){ .type = s->kind == SK_ECHO ? 8 : 0,
							  .id = s->sport, .seq = 3 });
		break;
	case SK_ERROR: {
		const uint8_t *tc = err_types[rng_below(r, 5)];

		f->l4 = pkt_icmp4(p, &(struct pkt_icmp){ .type = tc[0], .code = tc[1],
							  .mtu = 1280 });
		quote(r, p, f, s);
		return;
	}
	case SK_OTHER:
		f->l4 = pkt_data(p, gre, sizeof(gre));
		break;
	}
	pkt_data_pattern(p, rng_pct(r, 30) ? 0 : rng_below(r, 160), (uint8_t)rng_next(r));
}

void seed_icmp6_error(struct rng *r, struct pkt *p, struct mframe *f, const struct in6_addr *q6src,
		      const struct in6_addr *q6dst, const struct seed_ip4 *s)
{
	static const uint8_t types[][2] = { { 1, 0 }, { 1, 4 }, { 1, 5 }, { 2, 0 }, { 3, 0 },
					    { 4, 0 } };
	const uint8_t *tc = types[rng_below(r, 6)];
	static uint8_t qbuf[512];
	struct mframe q = { .ip6 = -1, .ip4 = -1, .l4 = -1, .quote = -1 };
	struct pkt qp;
	int len, off;

	/* the quoted packet, built like a frame without Ethernet */
	pkt_init(&qp, qbuf, sizeof(qbuf));
	q.ip6 = pkt_ipv6(&qp, &(struct pkt_ip6){ .src = *q6src, .dst = *q6dst, .hop_limit = 64 });
	seed_ip4(r, &qp, &q, s);
	len = pkt_finish(&qp);
	f->l4 = pkt_icmp6(p, &(struct pkt_icmp){ .type = tc[0], .code = tc[1], .mtu = 1280,
						  .pointer = 6 });
	off = pkt_quote(p, qbuf, len > 0 ? (size_t)len : 0, PKT_ICMP6_ERROR_MAX);
	if (off >= 0 && q.ip4 >= 0)
		f->quote = off + q.ip4;
	mf_log(f, "icmp6=%u/%u", tc[0], tc[1]);
}

void seed_end(struct pkt *p, struct mframe *f)
{
	int len = pkt_finish(p);

	f->len = len > 0 ? (size_t)len : 0;
}

uint8_t seed_pick_kind(struct rng *r)
{
	unsigned x = rng_below(r, 100);

	return x < 35 ? SK_UDP : x < 65 ? SK_TCP : x < 75 ? SK_ECHO : x < 80 ? SK_ECHO_REPLY :
	       x < 95 ? SK_ERROR : SK_OTHER;
}

uint8_t seed_pick_qkind(struct rng *r)
{
	unsigned x = rng_below(r, 100);

	return x < 45 ? SK_UDP : x < 80 ? SK_TCP : x < 90 ? SK_ECHO : SK_ECHO_REPLY;
}
