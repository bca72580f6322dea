// SPDX-License-Identifier: GPL-2.0
/* The checker checked: before any fuzzing, frames the program really
 * forwards must pass it, and outputs broken on purpose (a TTL not
 * decremented, a byte changed, the wrong B4, a port outside the pool...)
 * must be condemned with the right class. A checker that cannot fail finds
 * nothing; one that condemns the program's good work finds noise. */
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "csum_ref.h"
#include "pkt.h"
#include "wire.h"
#include "lw4o6/b4.h"
#include "aftr_lab.h"
#include "b4_lab.h"

/* A frame: Ethernet, optional IPv6 (with a routing header when rh), IPv4,
 * UDP with 16 bytes of payload. */
struct fspec {
	unsigned ifindex;
	const uint8_t *smac, *dmac;
	const char *s6, *d6;
	bool rh;
	const char *s4, *d4;
	uint16_t sport, dport;
};

static void build(const struct fspec *s, struct mframe *f)
{
	struct pkt_eth e = { 0 };
	struct pkt p;
	int len;

	memset(f, 0, sizeof(*f));
	f->ip6 = f->ip4 = f->l4 = f->quote = -1;
	f->ifindex = s->ifindex;
	pkt_init(&p, f->buf, sizeof(f->buf));
	memcpy(e.src, s->smac, 6);
	memcpy(e.dst, s->dmac, 6);
	pkt_eth(&p, &e);
	if (s->s6) {
		f->ip6 = pkt_ipv6(&p, &(struct pkt_ip6){ .src = ip6(s->s6), .dst = ip6(s->d6),
							  .hop_limit = 64 });
		if (s->rh)
			pkt_ipv6_ext(&p, IPPROTO_ROUTING, (const uint8_t[6]){ 0 }, 6);
	}
	f->ip4 = pkt_ipv4(&p, &(struct pkt_ip4){ .src = ip4(s->s4), .dst = ip4(s->d4), .ttl = 64 });
	f->l4 = pkt_udp(&p, &(struct pkt_udp){ .sport = s->sport, .dport = s->dport });
	pkt_data_pattern(&p, 16, 0x61);
	len = pkt_finish(&p);
	f->len = len > 0 ? (size_t)len : 0;
	snprintf(f->log, sizeof(f->log), "self-check");
}

struct probe {
	const struct target *t;
	int failures;
};

/* Judges (in, act, out) and compares with the class expected (-1: none). */
static void expect(struct probe *pr, const char *what, const struct mframe *in, uint32_t act,
		   const uint8_t *out, size_t outlen, int want)
{
	struct verdict v;
	bool hit = false;

	verdict_clear(&v);
	pr->t->check(in, act, out, outlen, &v);
	for (int i = 0; i < v.n; i++)
		hit |= v.cls[i] == want;
	if (want < 0 ? v.n == 0 : hit)
		return;
	pr->failures++;
	printf("FAIL %s checker self-check: %s: expected %s, got %s%s%s\n", pr->t->name, what,
	       want < 0 ? "no violation" : pr->t->classes[want].name,
	       v.n ? pr->t->classes[v.cls[0]].name : "no violation", v.n ? ": " : "",
	       v.n ? v.detail[0] : "");
	hexdump(stdout, "in", in->buf, in->len);
	hexdump(stdout, "out", out, outlen);
}

/* Runs the frame; the output must be sent (redirected) and pass. */
static bool run_good(struct probe *pr, const char *what, const struct mframe *in, uint8_t *out,
		     size_t *outlen)
{
	uint32_t act = 0;

	if (run_frame(pr->t->prog_fd, in->ifindex, in->buf, in->len, out, 4096, outlen, &act) ||
	    act != XDP_REDIRECT) {
		printf("FAIL %s checker self-check: %s: not forwarded (action %u)\n", pr->t->name,
		       what, act);
		pr->failures++;
		return false;
	}
	expect(pr, what, in, act, out, *outlen, -1);
	return true;
}

static void fix_ip4(uint8_t *ip)
{
	put_be16(ip + 10, 0);
	put_be16(ip + 10, ref_csum(ip, (ip[0] & 0x0fu) * 4));
}

/* ---- lwAFTR --------------------------------------------------------------------------- */

static void aftr_decap_cases(struct probe *pr)
{
	static struct mframe in, alt;
	static uint8_t good[4096], bad[4096];
	struct fspec s = { aftr_lab.acc, aftr_lab.acc_peer, aftr_lab.acc_mac, "2001:db8:b4::a",
			   "2001:db8:ffff::1", false, "198.51.100.1", "203.0.113.10", 1500, 53 };
	size_t n;

	build(&s, &in);
	if (!run_good(pr, "a B4's UDP, decapsulated", &in, good, &n))
		return;
	memcpy(bad, good, n);
	bad[14 + 8]++; /* the TTL as it came */
	fix_ip4(bad + 14);
	expect(pr, "decapsulated, TTL not decremented", &in, XDP_REDIRECT, bad, n, A_TTL);
	memcpy(bad, good, n);
	bad[n - 1] ^= 0x40;
	expect(pr, "decapsulated, a payload byte changed", &in, XDP_REDIRECT, bad, n, A_ALTERED);
	expect(pr, "decapsulated, a payload byte changed",
	       &in, XDP_REDIRECT, bad, n, A_L4_CSUM_BROKEN);
	memcpy(bad, good, n);
	bad[14 + 10] ^= 1;
	expect(pr, "decapsulated, header checksum wrong",
	       &in, XDP_REDIRECT, bad, n, A_IPV4_CSUM_BROKEN);
	memcpy(bad, good, n);
	bad[0] ^= 2;
	expect(pr, "decapsulated, to the wrong MAC", &in, XDP_REDIRECT, bad, n, A_OUT_L2);
	memcpy(bad, good, n);
	memcpy(bad + 14 + 16, (const uint8_t[4]){ 198, 51, 100, 50 }, 4);
	fix_ip4(bad + 14);
	expect(pr, "decapsulated to a pool address", &in, XDP_REDIRECT, bad, n, A_DECAP_TO_POOL);
	s.s6 = "2001:db8:b4::b"; /* the B4 of psid 2, not of port 1500 (psid 1) */
	build(&s, &alt);
	expect(pr, "decapsulated from the wrong B4", &alt, XDP_REDIRECT, good, n, A_DECAP_OWNER);
	s.s6 = "2001:db8:b4::a";
	s.d6 = "2001:db8:ffff::2";
	build(&s, &alt);
	expect(pr, "decapsulated from the wrong BR", &alt, XDP_REDIRECT, good, n, A_DECAP_OWNER);
	/* Total Length 22: two bytes of UDP, the ports after it */
	s.d6 = "2001:db8:ffff::1";
	build(&s, &alt);
	put_be16(alt.buf + alt.ip4 + 2, 22);
	fix_ip4(alt.buf + alt.ip4);
	memcpy(bad, good, 14 + 22);
	put_be16(bad + 14 + 2, 22);
	fix_ip4(bad + 14);
	expect(pr, "decapsulated on a port past the Total Length", &alt, XDP_REDIRECT, bad, 14 + 22,
	       A_PORT_PAST_TOTLEN);
	expect(pr, "XDP_ABORTED", &in, XDP_ABORTED, good, n, A_ABORTED);
}

static void aftr_encap_cases(struct probe *pr)
{
	static struct mframe in;
	static uint8_t good[4096], bad[4096];
	struct fspec s = { aftr_lab.inet, aftr_lab.inet_peer, aftr_lab.inet_mac, NULL, NULL, false,
			   "203.0.113.10", "198.51.100.2", 53, 6 << 10 | 9 << 6 | 3 };
	size_t n;

	build(&s, &in);
	if (!run_good(pr, "UDP from the internet, encapsulated", &in, good, &n))
		return;
	memcpy(bad, good, n);
	bad[14 + 24 + 15] ^= 0x0f; /* 2001:db8:b4::e → ::1 */
	expect(pr, "encapsulated to the wrong B4", &in, XDP_REDIRECT, bad, n, A_ENCAP_OWNER);
	memcpy(bad, good, n);
	bad[14 + 8 + 15] ^= 3; /* from BR2 → BR1 */
	expect(pr, "encapsulated from the wrong BR", &in, XDP_REDIRECT, bad, n, A_ENCAP_OWNER);
	memcpy(bad, good, n);
	bad[14 + 40 + 23] ^= 0x40; /* the destination port: PSID 9 → 8, nobody's */
	expect(pr, "encapsulated with the port changed", &in, XDP_REDIRECT, bad, n, A_ALTERED);
	expect(pr, "encapsulated with the port changed", &in, XDP_REDIRECT, bad, n, A_ENCAP_OWNER);
}

static void aftr_pass_cases(struct probe *pr)
{
	static struct mframe in;
	struct fspec s = { aftr_lab.acc, aftr_lab.acc_peer, aftr_lab.acc_mac, "2001:db8:b4::a",
			   "2001:db8:ffff::1", true, "198.51.100.1", "203.0.113.10", 1500, 53 };

	build(&s, &in);
	expect(pr, "IPv4-in-IPv6 behind a routing header passed", &in, XDP_PASS, in.buf, in.len,
	       A_PASS_IPIP_ACC);
	s.d6 = "2001:db8:ffff::99";
	build(&s, &in);
	expect(pr, "IPv4-in-IPv6 to another address than a BR passed",
	       &in, XDP_PASS, in.buf, in.len, -1);
	s.d6 = "2001:db8:ffff::1";
	s.rh = false;
	s.d4 = "192.0.0.1";
	s.dport = 5351;
	build(&s, &in);
	expect(pr, "the PCP bootstrap passed", &in, XDP_PASS, in.buf, in.len, -1);
	in.ifindex = aftr_lab.inet;
	expect(pr, "IPv4-in-IPv6 from the internet side passed", &in, XDP_PASS, in.buf, in.len,
	       A_PASS_IPIP_INET);
	s.s6 = NULL;
	s.d4 = "203.0.113.10";
	build(&s, &in);
	expect(pr, "native IPv4 from a pool address on the access side passed", &in, XDP_PASS,
	       in.buf, in.len, A_PASS_POOL_SRC);
	s.s4 = "192.0.2.1";
	build(&s, &in);
	expect(pr, "native IPv4 from elsewhere on the access side passed", &in, XDP_PASS, in.buf,
	       in.len, -1);
}

/* ---- lwB4 ----------------------------------------------------------------------------- */

static void b4_out_cases(struct probe *pr)
{
	static struct mframe in;
	static uint8_t good[4096], bad[4096];
	struct fspec s = { b4_lab.lan, b4_lab.lan_host, b4_lab.lan_mac, NULL, NULL, false,
			   "192.168.1.10", "203.0.113.10", 1100, 53 };
	size_t n;

	build(&s, &in);
	if (!run_good(pr, "a LAN host's UDP, translated and encapsulated", &in, good, &n))
		return;
	memcpy(bad, good, n);
	put_be16(bad + 14 + 40 + 20, 5000); /* outside 1024..2047 */
	expect(pr, "sent from a port outside the pool",
	       &in, XDP_REDIRECT, bad, n, B_WAN_NOT_GRANTED);
	expect(pr, "sent from a port outside the pool",
	       &in, XDP_REDIRECT, bad, n, B_L4_CSUM_BROKEN);
	memcpy(bad, good, n);
	put_be16(bad + 14 + 40 + 20, 1101); /* in the pool, not the mapping's */
	expect(pr, "sent from another port than the mapping's",
	       &in, XDP_REDIRECT, bad, n, B_WAN_MAPPING);
	memcpy(bad, good, n);
	bad[14 + 8 + 15] ^= 1;
	expect(pr, "sent from another tunnel address", &in, XDP_REDIRECT, bad, n, B_WAN_TUNNEL);
	memcpy(bad, good, n);
	bad[14 + 40 + 8] = 64; /* TTL not decremented */
	fix_ip4(bad + 14 + 40);
	expect(pr, "sent with the TTL as it came", &in, XDP_REDIRECT, bad, n, B_TTL);
}

static void b4_in_cases(struct probe *pr)
{
	static struct mframe in;
	static uint8_t good[4096], bad[4096];
	struct fspec s = { b4_lab.wan, b4_lab.wan_peer, b4_lab.wan_mac, "2001:db8:ffff::1",
			   "2001:db8:c4::1", false, "203.0.113.10", "198.51.100.1", 53, 1100 };
	size_t n;

	build(&s, &in);
	if (!run_good(pr, "UDP from the lwAFTR, decapsulated and translated", &in, good, &n))
		return;
	memcpy(bad, good, n);
	bad[14 + 19] ^= 1; /* 192.168.1.10 → .11 */
	fix_ip4(bad + 14);
	expect(pr, "sent to another host than the mapping's",
	       &in, XDP_REDIRECT, bad, n, B_LAN_MAPPING);
	s.s6 = "2001:db8:ffff::66";
	build(&s, &in);
	expect(pr, "decapsulated from another address than the lwAFTR", &in, XDP_REDIRECT, good, n,
	       B_LAN_ORIGIN);
	s.s6 = "2001:db8:ffff::1";
	s.dport = 1101; /* in the pool, no mapping */
	build(&s, &in);
	memcpy(bad, good, n);
	put_be16(bad + 14 + 22, 1101);
	expect(pr, "a port without a mapping, forwarded", &in, XDP_REDIRECT, bad, n, B_LAN_MAPPING);
}

int selfcheck(const struct target *t)
{
	struct probe pr = { .t = t };

	if (t == &aftr_target) {
		aftr_decap_cases(&pr);
		aftr_encap_cases(&pr);
		aftr_pass_cases(&pr);
	} else {
		b4_out_cases(&pr);
		b4_in_cases(&pr);
	}
	if (!pr.failures)
		printf("PASS %s checker self-check: good frames pass, broken outputs condemned\n",
		       t->name);
	return pr.failures;
}
