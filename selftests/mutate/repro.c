// SPDX-License-Identifier: GPL-2.0
/* One small frame per violation class the fuzzer found (mutate --repro):
 * built by hand, run through the program, judged by the checker, printed in
 * hex with the verdict. A reproducer that no longer violates its class says
 * FIXED: the hole is closed. Written for whoever fixes the holes and turns
 * them into table rows (selftests/prog, selftests/prog_b4). */
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>

#include "csum_ref.h"
#include "pkt.h"
#include "wire.h"
#include "aftr_lab.h"
#include "b4_lab.h"

enum side { ACC, INET, LAN, WAN };

enum rl4 {
	R_UDP,          /* UDP sport → dport */
	R_BARE,         /* Total Length 20, protocol UDP, the UDP header trailing */
	R_SYN_MSS,      /* TCP SYN with an MSS option of 1460 */
	R_ICMP_ERR,     /* ICMP 3/3 quoting UDP qs4:qsport → qd4:qdport */
};

enum rmangle {
	R_NONE,
	R_HDR_CSUM,     /* the IPv4 header checksum wrong */
	R_PLEN,         /* the IPv6 Payload Length 100 past the frame */
	R_QUOTE_CUT,    /* the Total Length ends 6 bytes into the quoted UDP header */
	R_MSS_CUT,      /* the Total Length ends before the TCP options */
	R_ICMP_CSUM,    /* the ICMP checksum wrong */
};

struct rspec {
	const char *cls;        /* the class it shows (first, unnamed) */
	const char *what;
	uint8_t side;           /* enum side */
	const char *s6, *d6;    /* IPv6 when s6 */
	uint8_t ext;            /* 0, or an extension header: routing or destination options */
	const char *s4, *d4;
	uint8_t l4;             /* enum rl4 */
	uint16_t sport, dport;
	const char *qs4, *qd4;  /* R_ICMP_ERR: the quote */
	uint16_t qsport, qdport;
	bool qlater;            /* the quote is a later fragment (offset 8) */
	bool later;             /* the packet is a later fragment (offset 8) */
	uint8_t mangle;         /* enum rmangle */
};

#define B4A   "2001:db8:b4::a"   /* lwAFTR lab: 198.51.100.1, PSID 1 of 6 bits: ports 1024-2047 */
#define BR1   "2001:db8:ffff::1"
#define AFTR6 "2001:db8:ffff::1" /* lwB4 lab: the lwAFTR and our tunnel address */
#define TUN6  "2001:db8:c4::1"   /* 192.168.1.10:1100 (UDP) is mapped to 198.51.100.1:1100 */

/* Row shorthands: the frame's side and addresses, its transport. */
#define FROM(sd, a6, b6, a4, b4_) .side = (sd), .s6 = (a6), .d6 = (b6), .s4 = (a4), .d4 = (b4_)
#define L4(k, sp, dp) .l4 = (k), .sport = (sp), .dport = (dp)
#define QUOTE(a4, b4_, sp, dp) .l4 = R_ICMP_ERR, .qs4 = (a4), .qd4 = (b4_), .qsport = (sp), \
			       .qdport = (dp)

static const struct rspec aftr_repros[] = {
	{ "aftr.pass-ipip-access", "IPv4-in-IPv6 to BR1 behind a routing header (segments left 0)",
	  FROM(ACC, B4A, BR1, "198.51.100.1", "203.0.113.10"), .ext = IPPROTO_ROUTING,
	  L4(R_UDP, 1500, 53) },
	{ "aftr.pass-ipip-internet", "IPv4-in-IPv6 behind a destination-options header",
	  FROM(INET, B4A, BR1, "198.51.100.1", "203.0.113.10"), .ext = IPPROTO_DSTOPTS,
	  L4(R_UDP, 1500, 53) },
	{ "aftr.pass-v4-pool-source", "native UDP from 198.51.100.1:1500",
	  FROM(ACC, NULL, NULL, "198.51.100.1", "203.0.113.10"), L4(R_UDP, 1500, 53) },
	{ "aftr.pass-v4-pool-source", "native UDP from 198.51.100.1:1500 to multicast 224.0.0.5",
	  FROM(ACC, NULL, NULL, "198.51.100.1", "224.0.0.5"), L4(R_UDP, 1500, 5000) },
	{ "aftr.pass-ipip-access", "from an unbound B4: a later fragment (offset 8) to 192.0.0.1 "
	  "whose first bytes read as UDP to 5351",
	  FROM(ACC, "2001:db8:b4::99", BR1, "192.0.0.2", "192.0.0.1"), L4(R_UDP, 4000, 5351),
	  .later = true },
	{ "aftr.port-past-totlen", "from B4 a: Total Length 20, protocol UDP, the UDP header after it",
	  FROM(ACC, B4A, BR1, "198.51.100.1", "203.0.113.10"), L4(R_BARE, 1500, 53) },
	{ "aftr.port-past-totlen", "to 198.51.100.1: Total Length 20, protocol UDP, the UDP header after it",
	  FROM(INET, NULL, NULL, "203.0.113.10", "198.51.100.1"), L4(R_BARE, 53, 1500) },
	{ "aftr.ipv4-csum-unverified", "from B4 a: UDP with a wrong IPv4 header checksum",
	  FROM(ACC, B4A, BR1, "198.51.100.1", "203.0.113.10"), L4(R_UDP, 1500, 53),
	  .mangle = R_HDR_CSUM },
	{ "aftr.decap-bad-outer", "from B4 a: IPv6 Payload Length 100 past the frame",
	  FROM(ACC, B4A, BR1, "198.51.100.1", "203.0.113.10"), L4(R_UDP, 1500, 53),
	  .mangle = R_PLEN },
	{ "aftr.quote-fragment", "from B4 a: ICMP 3/3 quoting a later fragment (offset 8)",
	  FROM(ACC, B4A, BR1, "198.51.100.1", "203.0.113.10"),
	  QUOTE("203.0.113.10", "198.51.100.1", 53, 1500), .qlater = true },
	/* 1344 is a port of B4 d (198.51.100.2, PSID 5 of 4 bits, offset 6),
	 * which gets an error about a packet it never sent */
	{ "aftr.encap-owner", "from B4 a: ICMP 3/3 to 198.51.100.2 quoting a packet of 203.0.113.10",
	  FROM(ACC, B4A, BR1, "198.51.100.1", "198.51.100.2"),
	  QUOTE("203.0.113.10", "198.51.100.1", 1344, 1500) },
	{ "aftr.icmp-csum-unverified", "from B4 a: ICMP 3/3 to B4 d (hairpinned) about d's packet, "
	  "with a wrong ICMP checksum",
	  FROM(ACC, B4A, BR1, "198.51.100.1", "198.51.100.2"),
	  QUOTE("198.51.100.2", "198.51.100.1", 1344, 1500), .mangle = R_ICMP_CSUM },
};

static const struct rspec b4_repros[] = {
	{ "b4.ipv4-csum-unverified", "LAN UDP 192.168.1.10:1100 with a wrong IPv4 header checksum",
	  FROM(LAN, NULL, NULL, "192.168.1.10", "203.0.113.10"), L4(R_UDP, 1100, 53),
	  .mangle = R_HDR_CSUM },
	{ "b4.port-past-totlen", "LAN: Total Length 20, protocol UDP, the UDP header 1100 → 53 after it",
	  FROM(LAN, NULL, NULL, "192.168.1.10", "203.0.113.10"), L4(R_BARE, 1100, 53) },
	{ "b4.l4-csum-broken", "LAN ICMP 3/3, the Total Length ending in the quoted UDP header",
	  FROM(LAN, NULL, NULL, "192.168.1.10", "203.0.113.10"),
	  QUOTE("203.0.113.10", "192.168.1.10", 53, 1100), .mangle = R_QUOTE_CUT },
	{ "b4.l4-csum-broken", "LAN TCP SYN whose MSS option lies past the Total Length (MSS clamp)",
	  FROM(LAN, NULL, NULL, "192.168.1.10", "203.0.113.10"), L4(R_SYN_MSS, 1200, 80),
	  .mangle = R_MSS_CUT },
	{ "b4.decap-bad-outer", "WAN UDP to 198.51.100.1:1100, IPv6 Payload Length 100 past the frame",
	  FROM(WAN, AFTR6, TUN6, "203.0.113.10", "198.51.100.1"), L4(R_UDP, 53, 1100),
	  .mangle = R_PLEN },
	{ "b4.quote-fragment", "WAN ICMP 3/3 quoting a later fragment of 198.51.100.1:1100 → 53",
	  FROM(WAN, AFTR6, TUN6, "203.0.113.10", "198.51.100.1"),
	  QUOTE("198.51.100.1", "203.0.113.10", 1100, 53), .qlater = true },
};

/* ---- building ------------------------------------------------------------------------- */

static void side_of(uint8_t side, struct mframe *f, struct pkt_eth *e)
{
	const uint8_t *src, *dst;

	switch (side) {
	case ACC:
		f->ifindex = aftr_lab.acc, src = aftr_lab.acc_peer, dst = aftr_lab.acc_mac;
		break;
	case INET:
		f->ifindex = aftr_lab.inet, src = aftr_lab.inet_peer, dst = aftr_lab.inet_mac;
		break;
	case LAN:
		f->ifindex = b4_lab.lan, src = b4_lab.lan_host, dst = b4_lab.lan_mac;
		break;
	default:
		f->ifindex = b4_lab.wan, src = b4_lab.wan_peer, dst = b4_lab.wan_mac;
	}
	memcpy(e->src, src, 6);
	memcpy(e->dst, dst, 6);
}

static void quote(struct pkt *p, struct mframe *f, const struct rspec *s)
{
	uint8_t q[64];
	struct pkt qp;
	int len;

	pkt_init(&qp, q, sizeof(q));
	pkt_ipv4(&qp, &(struct pkt_ip4){ .src = ip4(s->qs4), .dst = ip4(s->qd4), .ttl = 50,
					  .frag_offset = s->qlater ? 1 : 0 });
	pkt_udp(&qp, &(struct pkt_udp){ .sport = s->qsport, .dport = s->qdport });
	pkt_data_pattern(&qp, 8, 0x30);
	len = pkt_finish(&qp);
	f->quote = pkt_quote(p, q, len > 0 ? (size_t)len : 0, 0);
}

static void fix_ip4(struct mframe *f)
{
	put_be16(f->buf + f->ip4 + 10, 0);
	put_be16(f->buf + f->ip4 + 10, ref_csum(f->buf + f->ip4, 20));
}

/* The Total Length cut to tot, the transport checksum made right again
 * over what it still holds (the bytes after it trail). */
static void cut(struct mframe *f, unsigned tot)
{
	uint8_t *l4 = f->buf + f->l4;
	uint32_t src, dst;

	put_be16(f->buf + f->ip4 + 2, (uint16_t)tot);
	fix_ip4(f);
	memcpy(&src, f->buf + f->ip4 + 12, 4);
	memcpy(&dst, f->buf + f->ip4 + 16, 4);
	if (f->buf[f->ip4 + 9] == IPPROTO_TCP) {
		put_be16(l4 + 16, 0);
		put_be16(l4 + 16, ref_l4_csum_ipv4(src, dst, IPPROTO_TCP, l4, tot - 20));
	} else {
		put_be16(l4 + 2, 0);
		put_be16(l4 + 2, ref_csum(l4, tot - 20));
	}
}

static void mangle(struct mframe *f, const struct rspec *s)
{
	switch (s->mangle) {
	case R_HDR_CSUM:
		f->buf[f->ip4 + 11] ^= 0xff;
		break;
	case R_PLEN:
		put_be16(f->buf + f->ip6 + 4, (uint16_t)(get_be16(f->buf + f->ip6 + 4) + 100));
		break;
	case R_QUOTE_CUT:
		cut(f, 20 + 8 + 20 + 6);
		break;
	case R_MSS_CUT:
		cut(f, 20 + 20);
		break;
	case R_ICMP_CSUM:
		f->buf[f->l4 + 2] ^= 0xff;
		break;
	}
}

static void build(const struct rspec *s, struct mframe *f)
{
	static const uint8_t rh[6];
	struct pkt_eth e = { 0 };
	struct pkt p;
	int len;

	memset(f, 0, sizeof(*f));
	f->ip6 = f->ip4 = f->l4 = f->quote = -1;
	side_of(s->side, f, &e);
	pkt_init(&p, f->buf, sizeof(f->buf));
	pkt_eth(&p, &e);
	if (s->s6)
		f->ip6 = pkt_ipv6(&p, &(struct pkt_ip6){ .src = ip6(s->s6), .dst = ip6(s->d6),
							  .hop_limit = 64 });
	if (s->ext == IPPROTO_ROUTING)
		pkt_ipv6_ext(&p, IPPROTO_ROUTING, rh, sizeof(rh));
	else if (s->ext)
		pkt_ipv6_encap_limit(&p, 4);
	f->ip4 = pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(s->s4), .dst = ip4(s->d4), .ttl = 64,
						 .frag_offset = s->later ? 1 : 0,
						 .proto = s->l4 == R_BARE ? IPPROTO_UDP : 0 });
	if (s->l4 == R_UDP)
		f->l4 = pkt_udp(&p, &(struct pkt_udp){ .sport = s->sport, .dport = s->dport });
	else if (s->l4 == R_SYN_MSS)
		f->l4 = pkt_tcp(&p, &(struct pkt_tcp){ .sport = s->sport, .dport = s->dport, .seq = 1,
						       .flags = PKT_TCP_SYN, .window = 1024, .mss = 1460 });
	else if (s->l4 == R_ICMP_ERR)
		f->l4 = pkt_icmp4(&p, &(struct pkt_icmp){ .type = 3, .code = 3 });
	if (s->l4 == R_ICMP_ERR)
		quote(&p, f, s);
	len = pkt_finish(&p);
	f->len = len > 0 ? (size_t)len : 0;
	if (f->len && s->l4 == R_BARE) {
		/* the UDP header the packet does not contain, inside the IPv6
		 * payload when there is one */
		put_be16(f->buf + f->len, s->sport);
		put_be16(f->buf + f->len + 2, s->dport);
		put_be16(f->buf + f->len + 4, 8);
		put_be16(f->buf + f->len + 6, 0);
		f->len += 8;
		if (f->ip6 >= 0)
			put_be16(f->buf + f->ip6 + 4, 20 + 8);
	}
	if (f->len)
		mangle(f, s);
}

/* ---- running them ----------------------------------------------------------------------- */

int repro(const struct target *t, uint64_t *fixed, uint64_t *still)
{
	const struct rspec *list = t == &aftr_target ? aftr_repros : b4_repros;
	size_t n = t == &aftr_target ? sizeof(aftr_repros) / sizeof(aftr_repros[0]) :
				       sizeof(b4_repros) / sizeof(b4_repros[0]);
	static struct mframe f;
	static uint8_t out[4096];
	int errors = 0;

	*fixed = *still = 0;
	for (size_t i = 0; i < n; i++) {
		struct verdict v;
		bool shown = false;
		size_t outlen = 0;
		uint32_t act = 0;

		build(&list[i], &f);
		if (!f.len ||
		    run_frame(t->prog_fd, f.ifindex, f.buf, f.len, out, sizeof(out), &outlen, &act)) {
			printf("FAIL repro %s: cannot build or run it\n", list[i].cls);
			errors++;
			continue;
		}
		verdict_clear(&v);
		t->check(&f, act, out, outlen, &v);
		for (int c = 0; c < v.n; c++)
			shown |= !strcmp(t->classes[v.cls[c]].name, list[i].cls);
		*still += shown;
		*fixed += !shown;
		printf("%s %s: %s (in on the %s side, %s)\n", shown ? "STILL" : "FIXED",
		       list[i].cls, list[i].what, t->side_name(f.ifindex), act_name(act));
		for (int c = 0; c < v.n; c++)
			printf("    %s: %s\n", t->classes[v.cls[c]].name, v.detail[c]);
		hexdump(stdout, "in", f.buf, f.len);
		if (act != XDP_DROP)
			hexdump(stdout, "out", out, outlen);
	}
	return errors;
}
