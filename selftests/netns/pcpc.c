// SPDX-License-Identifier: GPL-2.0
/* pcpc: a scripted PCP client for the network-namespace tests. It plays the
 * PCP client of a lwB4 inside its softwire: a raw AF_INET6/IPPROTO_IPIP
 * socket bound to the B4's IPv6 address carries IPv4/UDP
 * 192.0.0.2:<sport> -> 192.0.0.1:5351 to the BR (RFC 7596 §5.1, RFC 6333
 * §5.7), and the answer comes back as IPv4/UDP from 192.0.0.1:5351 inside
 * IPv6 from the BR. The IPv4 and UDP checksums are computed and checked by
 * selftests/lib (pkt.c, csum_ref.c), not by pcpd's own inet_udp.c, so that a
 * bug there cannot hide itself; the PCP message is built with
 * pcp_encode_request() and read with pcp_decode_response().
 *
 * Modes:
 *   map (default)     MAP + PORT_SET, prints one result line
 *   delete            MAP with lifetime 0 (give the mapping's --nonce)
 *   listen-announce   waits for unsolicited ANNOUNCEs to UDP 5350
 *   third-party       plain UDP to a management address with THIRD_PARTY
 *
 * Output (stdout, one line, key=value):
 *   result=SUCCESS opcode=MAP lifetime=7200 epoch=12 ipv4=192.0.2.1 port=2048
 *     size=2048 first_internal=2048 ... rtt_us=310 tries=1
 *   result=NONE tries=3                    (no answer)
 *   announce epoch=3 to=192.0.0.2 outer_dst=2001:db8:b4::10 outer_src=... ttl=64
 * Exit status: 0 an answer (any result code) arrived, 1 none did, 2 usage. */
#define _GNU_SOURCE /* struct in6_pktinfo (RFC 3542) */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lw4o6/pcp.h"
#include "pcp_msg.h"
#include "pkt.h"
#include "csum_ref.h"

#define PCPC_SERVER4 0xc0000001u /* 192.0.0.1 */
#define PCPC_CLIENT4 0xc0000002u /* 192.0.0.2 */
#define PCPC_ALL_HOSTS 0xe0000001u /* 224.0.0.1 */
#define PCPC_MRT_US 1024000000ull /* RFC 6887 §8.1.1: MRT 1024 s */
#define PCPC_MAX_SESSIONS 4096

enum mode { M_MAP, M_DELETE, M_LISTEN, M_THIRD_PARTY };

struct cfg {
	enum mode mode;
	bool have_b4, have_br, have_nonce, have_tp, have_client_ip, have_server, have_src;
	struct in6_addr b4, br, tp, client_ip;
	struct sockaddr_in6 server, src;
	uint16_t server_port;
	uint8_t nonce[PCP_NONCE_LEN];
	unsigned long sport;
	unsigned long lifetime, size, protocol, internal_port, first_internal, suggest_port;
	bool have_first_internal, no_port_set, parity;
	uint32_t suggest_ipv4;   /* network order */
	double irt, timeout;
	unsigned long tries, count, repeat, b4_count, window;
	uint8_t raw[PCP_MAX_LEN + 64];
	size_t raw_len;
	bool have_raw, dump_hex;
	int verbose;
};

static struct cfg C = {
	.lifetime = 7200, .size = 65535, .protocol = 0, .internal_port = 1, .irt = 0.5, .tries = 3,
	.timeout = 5, .count = 1, .repeat = 1, .b4_count = 1, .window = 1, .server_port = 5351,
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: pcpc [map|delete] --b4 IPV6 --br IPV6 [request options] [--irt S] [--tries N]\n"
"       pcpc listen-announce --b4 IPV6 [--br IPV6] [--timeout S] [--count N]\n"
"       pcpc third-party --server ADDR [--port N] [--src ADDR] --third-party IPV6\n"
"            [request options]\n"
"       pcpc map --dump-hex [request options]\n"
"\n"
"Request options:\n"
"  --nonce HEX          24 hex digits (default: random, RFC 6887 §11.2)\n"
"  --lifetime S         requested lifetime (default 7200; delete: 0)\n"
"  --size N             PORT_SET size (default 65535); --no-port-set leaves it out\n"
"  --first-internal N   PORT_SET first internal port (default: the internal port)\n"
"  --parity             PORT_SET P bit\n"
"  --protocol N         default 0 (all port-aware protocols, RFC 7753 §5.2)\n"
"  --internal-port N    default 1\n"
"  --suggest-ipv4 A     suggested external address; --suggest-port N its port\n"
"  --third-party IPV6   THIRD_PARTY option (in the tunnel too, to test refusal)\n"
"  --client-ip ADDR     PCP Client IP (default ::ffff:192.0.0.2, or the source\n"
"                       address in third-party mode)\n"
"  --sport N            inner UDP source port (default random, RFC 6887 §8.1)\n"
"  --raw-hex HEX        send these bytes as the PCP payload instead\n"
"Retransmission (RFC 6887 §8.1.1, IRT and MRC made small for tests):\n"
"  --irt S              initial retransmission time (default 0.5)\n"
"  --tries N            transmissions before giving up (default 3)\n"
"Measurements:\n"
"  --repeat N           N sequential exchanges on one socket (renewals when\n"
"                       the nonce is the same): prints RTT median/min/max\n"
"  --b4-count N         N B4 addresses from --b4 up (each its own socket and\n"
"                       random nonce), --window W in flight: prints grants/s\n"
"Other: --dump-hex prints the PCP payload and exits; -v logs to stderr.\n"
"Exit status: 0 an answer arrived (any result code), 1 none, 2 usage error.\n");
}

static void __attribute__((noreturn, format(printf, 1, 2))) die_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pcpc: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'pcpc --help'.\n");
	exit(2);
}

static void __attribute__((format(printf, 1, 2))) vlog(const char *fmt, ...)
{
	va_list ap;

	if (!C.verbose)
		return;
	fprintf(stderr, "pcpc: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ull + (uint64_t)ts.tv_nsec / 1000;
}

static void rnd(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("pcpc: getrandom");
			exit(1);
		}
		p += n;
		len -= (size_t)n;
	}
}

/* RFC 6887 §8.1.1: RAND is uniform in -0.1..+0.1 */
static double rand_factor(void)
{
	uint32_t r;

	rnd(&r, sizeof(r));
	return 1.0 + ((double)r / 4294967295.0 * 0.2 - 0.1);
}

static unsigned long num(const char *opt, const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > max || s[0] == '-')
		die_usage("%s '%s': expected 0..%lu", opt, s, max);
	return v;
}

static double seconds(const char *opt, const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 3600)
		die_usage("%s '%s': expected seconds, 0 < S <= 3600", opt, s);
	return v;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex digits, optionally separated by spaces or colons. */
static size_t parse_hex(const char *opt, const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (*s) {
		int hi, lo;

		if (*s == ' ' || *s == ':') {
			s++;
			continue;
		}
		hi = hexval(s[0]);
		lo = s[1] ? hexval(s[1]) : -1;
		if (hi < 0 || lo < 0)
			die_usage("%s: '%s' is not an even number of hex digits", opt, s);
		if (n == cap)
			die_usage("%s: more than %zu octets", opt, cap);
		out[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	return n;
}

static void hex(char *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * n] = '\0';
}

/* An IPv6 address, or an IPv4 one as ::ffff:a.b.c.d */
static int parse_any_addr(const char *s, struct in6_addr *a)
{
	struct in_addr v4;

	if (inet_pton(AF_INET6, s, a) == 1)
		return 0;
	if (inet_pton(AF_INET, s, &v4) == 1) {
		pcp_addr_from_ipv4(a, v4.s_addr);
		return 0;
	}
	return -1;
}

static const char *addr_str(const struct in6_addr *a, char *buf, size_t len)
{
	if (pcp_addr_is_ipv4_mapped(a))
		return inet_ntop(AF_INET, &a->s6_addr[12], buf, (socklen_t)len);
	return inet_ntop(AF_INET6, a, buf, (socklen_t)len);
}

/* ---- one exchange ----------------------------------------------------------------- */

struct session {
	int fd;
	struct in6_addr b4;       /* tunnel modes: bound address */
	uint16_t sport;
	uint8_t nonce[PCP_NONCE_LEN];
	uint8_t msg[PCP_MAX_LEN + 64]; /* the PCP payload */
	size_t msg_len;
	uint8_t pkt[PCP_MAX_LEN + 128]; /* what goes on the socket */
	size_t pkt_len;
	unsigned tries;
	uint64_t rt_us, deadline, first_sent, last_sent;
	int state;                /* 0 waiting, 1 answered, 2 gave up */
	struct pcp_response resp;
	uint8_t resp_raw[PCP_MAX_LEN + 64];
	size_t resp_len;
	uint64_t rtt_us;
};

static void build_request(struct session *s)
{
	static struct pcp_request req;
	int n;

	if (C.have_raw) {
		memcpy(s->msg, C.raw, C.raw_len);
		s->msg_len = C.raw_len;
		return;
	}
	memset(&req, 0, sizeof(req));
	req.version = PCP_VERSION;
	req.opcode = PCP_OP_MAP;
	req.lifetime = C.mode == M_DELETE ? 0 : (uint32_t)C.lifetime;
	if (C.have_client_ip)
		req.client_addr = C.client_ip;
	else if (C.mode == M_THIRD_PARTY)
		req.client_addr = C.src.sin6_addr;
	else
		pcp_addr_from_ipv4(&req.client_addr, htonl(PCPC_CLIENT4));
	memcpy(req.body.nonce, s->nonce, PCP_NONCE_LEN);
	req.body.protocol = (uint8_t)C.protocol;
	req.body.internal_port = (uint16_t)C.internal_port;
	req.body.external_port = (uint16_t)C.suggest_port;
	if (C.suggest_ipv4)
		pcp_addr_from_ipv4(&req.body.external_addr, C.suggest_ipv4);
	/* else all zeros: no suggestion (RFC 6887 §11.1) */
	if (C.have_tp) {
		req.opts.has_third_party = true;
		req.opts.third_party_addr = C.tp;
	}
	if (!C.no_port_set) {
		req.opts.has_port_set = true;
		req.opts.port_set.size = (uint16_t)C.size;
		req.opts.port_set.first_internal_port =
			(uint16_t)(C.have_first_internal ? C.first_internal : C.internal_port);
		req.opts.port_set.parity = C.parity;
	}
	n = pcp_encode_request(&req, s->msg, sizeof(s->msg));
	if (n < 0) {
		fprintf(stderr, "pcpc: cannot encode the request: %s\n", strerror(-n));
		exit(2);
	}
	s->msg_len = (size_t)n;
}

/* IPv4/UDP 192.0.0.2:sport -> 192.0.0.1:5351 around the message, every
 * checksum computed by selftests/lib/pkt.c. */
static void build_tunnel_packet(struct session *s)
{
	struct pkt p;
	uint16_t id;
	int n;

	rnd(&id, sizeof(id));
	pkt_init(&p, s->pkt, sizeof(s->pkt));
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = htonl(PCPC_CLIENT4), .dst = htonl(PCPC_SERVER4),
					.ttl = 64, .id = id, .df = true });
	pkt_udp(&p, &(struct pkt_udp){ .sport = s->sport, .dport = LW_PCP_SERVER_PORT });
	pkt_data(&p, s->msg, s->msg_len);
	n = pkt_finish(&p);
	if (n < 0) {
		fprintf(stderr, "pcpc: cannot build the IPv4/UDP packet: %s\n", strerror(-n));
		exit(2);
	}
	s->pkt_len = (size_t)n;
}

static int open_tunnel_socket(const struct in6_addr *b4)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = *b4 };
	char txt[INET6_ADDRSTRLEN];
	int one = 1, fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_IPIP);

	if (fd < 0) {
		fprintf(stderr, "pcpc: socket(AF_INET6, SOCK_RAW, IPPROTO_IPIP): %s\n", strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "pcpc: bind %s: %s%s\n", inet_ntop(AF_INET6, b4, txt, sizeof(txt)),
			strerror(errno),
			errno == EADDRNOTAVAIL ? " (is the address assigned in this namespace?)" : "");
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
	return fd;
}

static int open_tp_socket(void)
{
	int zero = 0, fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in6 me;
	socklen_t ml = sizeof(me);
	char txt[INET6_ADDRSTRLEN];

	if (fd < 0) {
		fprintf(stderr, "pcpc: UDP socket: %s\n", strerror(errno));
		return -1;
	}
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (C.have_src && bind(fd, (struct sockaddr *)&C.src, sizeof(C.src))) {
		fprintf(stderr, "pcpc: bind %s: %s\n",
			inet_ntop(AF_INET6, &C.src.sin6_addr, txt, sizeof(txt)), strerror(errno));
		close(fd);
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&C.server, sizeof(C.server))) {
		fprintf(stderr, "pcpc: connect to the server: %s\n", strerror(errno));
		close(fd);
		return -1;
	}
	/* the PCP Client IP must be the packet's source (RFC 6887 §8.2) */
	if (getsockname(fd, (struct sockaddr *)&me, &ml) == 0)
		C.src = me;
	return fd;
}

/* lazy: the tunnel socket is opened when the first request goes out (many
 * B4s: each raw socket of protocol 4 sees every tunnel packet the kernel
 * delivers, so only those in flight should exist). */
static int session_open(struct session *s, const struct in6_addr *b4, bool lazy)
{
	uint16_t r;

	memset(s, 0, sizeof(*s));
	s->b4 = *b4;
	if (C.have_nonce)
		memcpy(s->nonce, C.nonce, PCP_NONCE_LEN);
	else
		rnd(s->nonce, PCP_NONCE_LEN);
	if (C.sport) {
		s->sport = (uint16_t)C.sport;
	} else {
		/* a random port that is neither 5350 nor 5351 */
		do {
			rnd(&r, sizeof(r));
		} while (r < 1024 || r == LW_PCP_SERVER_PORT || r == LW_PCP_CLIENT_PORT);
		s->sport = r;
	}
	s->fd = -1;
	if (C.mode == M_THIRD_PARTY)
		s->fd = open_tp_socket(); /* the request names our source address */
	else if (!lazy)
		s->fd = open_tunnel_socket(b4);
	if (s->fd < 0 && !lazy)
		return -1;
	build_request(s);
	if (C.mode == M_THIRD_PARTY) {
		memcpy(s->pkt, s->msg, s->msg_len);
		s->pkt_len = s->msg_len;
	} else {
		build_tunnel_packet(s);
	}
	return 0;
}

static void session_reset(struct session *s)
{
	s->tries = 0;
	s->state = 0;
	s->resp_len = 0;
	s->rtt_us = 0;
}

static int session_send(struct session *s, uint64_t now)
{
	char d[512];
	ssize_t n;

	if (C.mode == M_THIRD_PARTY) {
		n = send(s->fd, s->pkt, s->pkt_len, 0);
	} else {
		struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_addr = C.br };

		n = sendto(s->fd, s->pkt, s->pkt_len, 0, (struct sockaddr *)&to, sizeof(to));
	}
	if (n != (ssize_t)s->pkt_len) {
		fprintf(stderr, "pcpc: send: %s\n", n < 0 ? strerror(errno) : "short write");
		/* counts as a try: the retransmission timer still runs */
	}
	if (!s->tries) {
		s->first_sent = now;
		s->rt_us = (uint64_t)(rand_factor() * C.irt * 1e6);
	} else {
		uint64_t next = 2 * s->rt_us < PCPC_MRT_US ? 2 * s->rt_us : PCPC_MRT_US;

		s->rt_us = (uint64_t)(rand_factor() * (double)next);
	}
	s->tries++;
	s->last_sent = now;
	s->deadline = now + s->rt_us;
	vlog("sent (try %u, next in %.3f s): %s", s->tries, (double)s->rt_us / 1e6,
	     pcp_describe(s->msg, s->msg_len, d, sizeof(d)));
	return 0;
}

/* The inner IPv4/UDP packet from the server, checked as a B4's stack and
 * RFC 6887 §8.3 (PCPC-6) would: checksums, 192.0.0.1:5351 -> dst:dport.
 * Returns the PCP payload or NULL with the reason. */
static const uint8_t *inner_udp(const uint8_t *ip, size_t len, uint32_t want_dst, uint16_t dport,
				size_t *plen, uint32_t *dst, const char **why)
{
	struct ref_l4_result res;
	size_t ihl, tot, ulen;
	const uint8_t *udp;
	uint32_t src;

	if (!ref_ipv4_header_ok(ip, len))
		return *why = "not IPv4, or a bad IPv4 header checksum", NULL;
	ihl = (size_t)(ip[0] & 15) * 4;
	tot = (size_t)ip[2] << 8 | ip[3];
	if (tot > len || tot < ihl + 8)
		return *why = "bad IPv4 total length", NULL;
	if (ip[9] != IPPROTO_UDP)
		return *why = "not UDP", NULL;
	if ((ip[6] & 0x3f) || ip[7])
		return *why = "an IPv4 fragment", NULL;
	memcpy(&src, ip + 12, 4);
	memcpy(dst, ip + 16, 4);
	udp = ip + ihl;
	if (src != htonl(PCPC_SERVER4) || ((size_t)udp[0] << 8 | udp[1]) != LW_PCP_SERVER_PORT)
		return *why = "not from 192.0.0.1:5351", NULL;
	if (want_dst && *dst != want_dst)
		return *why = "not to our inner address", NULL;
	if (((size_t)udp[2] << 8 | udp[3]) != dport)
		return *why = "not to our port", NULL;
	ulen = (size_t)udp[4] << 8 | udp[5];
	if (ulen < 8 || ulen > tot - ihl)
		return *why = "bad UDP length", NULL;
	if (ref_l4_check_ipv4(ip, tot, &res) == REF_L4_BAD)
		return *why = "bad UDP checksum", NULL;
	if (res.status == REF_L4_MALFORMED)
		return *why = res.reason ? res.reason : "malformed UDP", NULL;
	*plen = ulen - 8;
	return udp + 8;
}

/* PCPC-6: R, opcode, and for a MAP with a body its nonce, protocol and
 * internal port. A raw request is matched on what it has. */
static bool matches(const struct session *s, const uint8_t *m, size_t len, const char **why)
{
	uint8_t opcode = s->msg_len >= 2 ? (s->msg[1] & PCP_OPCODE_MASK) : 0;

	if (len < 4 || !(m[1] & PCP_R_BIT))
		return *why = "not a response", false;
	if ((m[1] & PCP_OPCODE_MASK) != opcode)
		return *why = "another opcode", false;
	if (opcode == PCP_OP_MAP && len >= PCP_MAP_LEN && s->msg_len >= PCP_MAP_LEN) {
		if (memcmp(m + 24, s->msg + 24, PCP_NONCE_LEN))
			return *why = "another nonce", false;
		/* protocol and internal port, as sent */
		if (m[36] != s->msg[36] || memcmp(m + 40, s->msg + 40, 2))
			return *why = "another protocol or internal port", false;
	}
	return true;
}

static void session_receive(struct session *s, uint64_t now)
{
	uint8_t buf[2048];
	char cbuf[256], d[512], txt[INET6_ADDRSTRLEN];
	struct sockaddr_in6 from;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
			     .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	const uint8_t *m;
	const char *why = NULL;
	size_t mlen;
	ssize_t n;
	int rc;

	n = recvmsg(s->fd, &mh, MSG_DONTWAIT);
	if (n <= 0)
		return;
	if (C.mode == M_THIRD_PARTY) {
		m = buf;
		mlen = (size_t)n;
	} else {
		uint32_t dst;

		if (memcmp(&from.sin6_addr, &C.br, sizeof(C.br))) {
			vlog("ignored %zd bytes from %s: not the BR", n,
			     inet_ntop(AF_INET6, &from.sin6_addr, txt, sizeof(txt)));
			return;
		}
		m = inner_udp(buf, (size_t)n, htonl(PCPC_CLIENT4), s->sport, &mlen, &dst, &why);
		if (!m) {
			/* a checksum error is worth saying even without -v */
			if (!strstr(why, "port") || C.verbose)
				fprintf(stderr, "pcpc: ignored a packet from the BR: %s\n", why);
			return;
		}
	}
	if (!matches(s, m, mlen, &why)) {
		vlog("ignored a message: %s: %s", why, pcp_describe(m, mlen, d, sizeof(d)));
		return;
	}
	rc = pcp_decode_response(m, mlen, &s->resp);
	if (rc == -EBADMSG) {
		fprintf(stderr, "pcpc: ignored an invalid response (RFC 6887 §8.3): %s\n",
			pcp_describe(m, mlen, d, sizeof(d)));
		return;
	}
	vlog("received: %s", pcp_describe(m, mlen, d, sizeof(d)));
	memcpy(s->resp_raw, m, mlen);
	s->resp_len = mlen;
	s->rtt_us = now - s->last_sent;
	s->state = 1;
}

static void print_result(const struct session *s)
{
	const struct pcp_response *r = &s->resp;
	char a[INET6_ADDRSTRLEN], nh[2 * PCP_NONCE_LEN + 1];

	if (s->state != 1) {
		printf("result=NONE tries=%u\n", s->tries);
		return;
	}
	printf("result=%s opcode=%s version=%u lifetime=%u epoch=%u", pcp_result_name(r->result),
	       pcp_opcode_name(r->opcode), r->version, r->lifetime, r->epoch);
	if (r->has_body && r->opcode == PCP_OP_MAP) {
		hex(nh, r->body.nonce, PCP_NONCE_LEN);
		printf(" ipv4=%s port=%u", addr_str(&r->body.external_addr, a, sizeof(a)),
		       r->body.external_port);
		if (r->opts.has_port_set)
			printf(" size=%u first_internal=%u parity=%u", r->opts.port_set.size,
			       r->opts.port_set.first_internal_port, r->opts.port_set.parity);
		else
			printf(" size=none");
		printf(" protocol=%u internal_port=%u nonce=%s", r->body.protocol, r->body.internal_port,
		       nh);
		if (r->opts.has_third_party)
			printf(" third_party=%s", addr_str(&r->opts.third_party_addr, a, sizeof(a)));
	}
	if (r->result != PCP_RES_SUCCESS) {
		/* RFC 6887 §7.3, §8.2: an error is a copy of the request after
		 * the header, zero-padded to a multiple of 4 and cut to 1100 */
		size_t want = s->msg_len < PCP_MAX_LEN ? s->msg_len : PCP_MAX_LEN;
		size_t cmp = want > PCP_HEADER_LEN ? want - PCP_HEADER_LEN : 0;
		bool copy = s->resp_len >= PCP_HEADER_LEN + cmp &&
			    memcmp(s->resp_raw + PCP_HEADER_LEN, s->msg + PCP_HEADER_LEN, cmp) == 0;

		for (size_t i = PCP_HEADER_LEN + cmp; copy && i < s->resp_len; i++)
			copy = s->resp_raw[i] == 0; /* the padding */

		printf(" copy=%d", copy);
	}
	printf(" len=%zu rtt_us=%llu tries=%u\n", s->resp_len, (unsigned long long)s->rtt_us, s->tries);
}

/* Runs sessions[0..n) with at most `window` in flight, each with its own
 * retransmission timer; close_done closes each socket when its session
 * ends. */
static void run_sessions(struct session *ss, size_t n, size_t window, bool close_done)
{
	struct pollfd *pfd = calloc(window, sizeof(*pfd));
	size_t *idx = calloc(window, sizeof(*idx));
	size_t next = 0, active = 0;

	if (!pfd || !idx) {
		perror("pcpc: calloc");
		exit(1);
	}
	for (;;) {
		uint64_t now = now_us(), soonest = UINT64_MAX;
		int timeout, r;
		size_t k = 0;

		/* start new ones, expire or retransmit the rest */
		while (active < window && next < n) {
			if (ss[next].fd < 0)
				ss[next].fd = open_tunnel_socket(&ss[next].b4);
			if (ss[next].fd < 0)
				ss[next].state = 2;
			else
				session_send(&ss[next], now);
			next++;
			active++;
		}
		active = 0;
		for (size_t i = 0; i < next; i++) {
			struct session *s = &ss[i];

			if (s->state)
				continue;
			if (now >= s->deadline) {
				if (s->tries >= C.tries) {
					s->state = 2;
					if (close_done) {
						close(s->fd);
						s->fd = -1;
					}
					continue;
				}
				session_send(s, now);
			}
			if (s->deadline < soonest)
				soonest = s->deadline;
			pfd[k] = (struct pollfd){ .fd = s->fd, .events = POLLIN };
			idx[k] = i;
			k++;
		}
		active = k;
		if (!active && next == n)
			break;
		if (!active)
			continue;
		timeout = soonest > now ? (int)((soonest - now + 999) / 1000) : 0;
		r = poll(pfd, active, timeout);
		if (r < 0 && errno != EINTR) {
			perror("pcpc: poll");
			exit(1);
		}
		now = now_us();
		for (size_t j = 0; r > 0 && j < active; j++)
			if (pfd[j].revents & POLLIN)
				session_receive(&ss[idx[j]], now);
		if (close_done)
			for (size_t j = 0; j < active; j++)
				if (ss[idx[j]].state && ss[idx[j]].fd >= 0) {
					close(ss[idx[j]].fd);
					ss[idx[j]].fd = -1;
				}
	}
	free(pfd);
	free(idx);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double median_us(uint64_t *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_u64);
	return n % 2 ? (double)v[n / 2] : ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2;
}

static void add_to_ipv6(struct in6_addr *a, uint32_t k)
{
	for (int i = 15; i >= 0 && k; i--) {
		uint32_t v = a->s6_addr[i] + (k & 0xff);

		a->s6_addr[i] = (uint8_t)v;
		k = (k >> 8) + (v >> 8);
	}
}

static int request_mode(void)
{
	static struct session one;
	struct session *ss;
	uint64_t *rtt, t0, t1;
	size_t n_ok = 0, n_other = 0, n_none = 0, n_rtt = 0;

	if (C.repeat == 1 && C.b4_count == 1) {
		if (session_open(&one, &C.b4, false))
			return 1;
		run_sessions(&one, 1, 1, false);
		print_result(&one);
		return one.state == 1 ? 0 : 1;
	}
	rtt = calloc(C.repeat * C.b4_count, sizeof(*rtt));
	if (!rtt)
		return 1;
	if (C.repeat > 1) {
		/* latency: one socket, sequential exchanges */
		if (session_open(&one, &C.b4, false))
			return 1;
		t0 = now_us();
		for (unsigned long i = 0; i < C.repeat; i++) {
			session_reset(&one);
			run_sessions(&one, 1, 1, false);
			if (one.state != 1) {
				n_none++;
				continue;
			}
			one.resp.result == PCP_RES_SUCCESS ? n_ok++ : n_other++;
			if (one.tries == 1)
				rtt[n_rtt++] = one.rtt_us;
		}
		t1 = now_us();
	} else {
		/* throughput: one B4 address after another */
		ss = calloc(C.b4_count, sizeof(*ss));
		if (!ss)
			return 1;
		for (unsigned long i = 0; i < C.b4_count; i++) {
			struct in6_addr a = C.b4;

			add_to_ipv6(&a, (uint32_t)i);
			if (session_open(&ss[i], &a, true))
				return 1;
		}
		t0 = now_us();
		run_sessions(ss, C.b4_count, C.window, true);
		t1 = now_us();
		for (unsigned long i = 0; i < C.b4_count; i++) {
			if (ss[i].state != 1) {
				n_none++;
				continue;
			}
			ss[i].resp.result == PCP_RES_SUCCESS ? n_ok++ : n_other++;
			if (ss[i].tries == 1)
				rtt[n_rtt++] = ss[i].rtt_us;
			if (C.verbose || ss[i].resp.result != PCP_RES_SUCCESS) {
				char a[INET6_ADDRSTRLEN];

				fprintf(stderr, "pcpc: %s: ", inet_ntop(AF_INET6, &ss[i].b4, a, sizeof(a)));
				fflush(stderr);
				print_result(&ss[i]);
				fflush(stdout);
			}
		}
	}
	{
		double secs = (double)(t1 - t0) / 1e6, med = median_us(rtt, n_rtt);

		printf("requests=%lu success=%zu other=%zu none=%zu seconds=%.3f per_second=%.1f "
		       "rtt_median_us=%.0f rtt_min_us=%llu rtt_max_us=%llu\n",
		       C.repeat * C.b4_count, n_ok, n_other, n_none, secs,
		       secs > 0 ? (double)(n_ok + n_other) / secs : 0, med,
		       (unsigned long long)(n_rtt ? rtt[0] : 0),
		       (unsigned long long)(n_rtt ? rtt[n_rtt - 1] : 0));
	}
	free(rtt);
	return n_none ? 1 : 0;
}

/* ---- unsolicited ANNOUNCE ----------------------------------------------------------- */

static int listen_mode(void)
{
	uint8_t buf[2048];
	char cbuf[256], a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], c[INET_ADDRSTRLEN], d[512];
	uint64_t end = now_us() + (uint64_t)(C.timeout * 1e6);
	unsigned long got = 0;
	int fd = open_tunnel_socket(&C.b4);

	if (fd < 0)
		return 1;
	fprintf(stderr, "pcpc: listening for ANNOUNCE on %s\n", inet_ntop(AF_INET6, &C.b4, a, sizeof(a)));
	while (got < C.count) {
		struct sockaddr_in6 from;
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
				     .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct in6_addr outer_dst = IN6ADDR_ANY_INIT;
		struct pcp_response r;
		const uint8_t *m;
		const char *why = NULL;
		uint64_t now = now_us();
		uint32_t dst;
		size_t mlen;
		ssize_t n;

		if (now >= end)
			break;
		if (poll(&pfd, 1, (int)((end - now + 999) / 1000)) <= 0)
			continue;
		n = recvmsg(fd, &mh, MSG_DONTWAIT);
		if (n <= 0)
			continue;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO)
				outer_dst = ((struct in6_pktinfo *)CMSG_DATA(cm))->ipi6_addr;
		if (C.have_br && memcmp(&from.sin6_addr, &C.br, sizeof(C.br))) {
			vlog("ignored a packet from %s: not the BR",
			     inet_ntop(AF_INET6, &from.sin6_addr, a, sizeof(a)));
			continue;
		}
		m = inner_udp(buf, (size_t)n, 0, LW_PCP_CLIENT_PORT, &mlen, &dst, &why);
		if (!m) {
			vlog("ignored a packet: %s", why);
			continue;
		}
		if (dst != htonl(PCPC_CLIENT4) && dst != htonl(PCPC_ALL_HOSTS)) {
			fprintf(stderr, "pcpc: ignored an ANNOUNCE to %s (neither 192.0.0.2 nor 224.0.0.1)\n",
				inet_ntop(AF_INET, &dst, c, sizeof(c)));
			continue;
		}
		if (pcp_decode_response(m, mlen, &r) || r.opcode != PCP_OP_ANNOUNCE ||
		    r.result != PCP_RES_SUCCESS) {
			fprintf(stderr, "pcpc: ignored a message to port 5350 that is not a valid "
					"ANNOUNCE: %s\n", pcp_describe(m, mlen, d, sizeof(d)));
			continue;
		}
		printf("announce epoch=%u lifetime=%u to=%s outer_dst=%s outer_src=%s len=%zu ttl=%u\n",
		       r.epoch, r.lifetime, inet_ntop(AF_INET, &dst, c, sizeof(c)),
		       inet_ntop(AF_INET6, &outer_dst, a, sizeof(a)),
		       inet_ntop(AF_INET6, &from.sin6_addr, b, sizeof(b)), mlen, buf[8]);
		fflush(stdout);
		got++;
	}
	close(fd);
	if (!got)
		printf("announce none\n");
	return got ? 0 : 1;
}

/* ---- main ------------------------------------------------------------------------------ */

int main(int argc, char **argv)
{
	enum {
		O_B4 = 256, O_BR, O_NONCE, O_LIFETIME, O_SIZE, O_FIRST, O_PARITY, O_PROTO, O_IPORT,
		O_SUGG4, O_SUGGP, O_TP, O_CLIENT, O_SPORT, O_RAW, O_IRT, O_TRIES, O_TIMEOUT, O_COUNT,
		O_SERVER, O_PORT, O_SRC, O_NOPS, O_REPEAT, O_B4COUNT, O_WINDOW, O_DUMP,
	};
	static const struct option opts[] = {
		{ "b4", required_argument, NULL, O_B4 },
		{ "br", required_argument, NULL, O_BR },
		{ "nonce", required_argument, NULL, O_NONCE },
		{ "lifetime", required_argument, NULL, O_LIFETIME },
		{ "size", required_argument, NULL, O_SIZE },
		{ "first-internal", required_argument, NULL, O_FIRST },
		{ "parity", no_argument, NULL, O_PARITY },
		{ "protocol", required_argument, NULL, O_PROTO },
		{ "internal-port", required_argument, NULL, O_IPORT },
		{ "suggest-ipv4", required_argument, NULL, O_SUGG4 },
		{ "suggest-port", required_argument, NULL, O_SUGGP },
		{ "third-party", required_argument, NULL, O_TP },
		{ "client-ip", required_argument, NULL, O_CLIENT },
		{ "sport", required_argument, NULL, O_SPORT },
		{ "raw-hex", required_argument, NULL, O_RAW },
		{ "irt", required_argument, NULL, O_IRT },
		{ "tries", required_argument, NULL, O_TRIES },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "count", required_argument, NULL, O_COUNT },
		{ "server", required_argument, NULL, O_SERVER },
		{ "port", required_argument, NULL, O_PORT },
		{ "src", required_argument, NULL, O_SRC },
		{ "no-port-set", no_argument, NULL, O_NOPS },
		{ "repeat", required_argument, NULL, O_REPEAT },
		{ "b4-count", required_argument, NULL, O_B4COUNT },
		{ "window", required_argument, NULL, O_WINDOW },
		{ "dump-hex", no_argument, NULL, O_DUMP },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct in_addr v4;
	int c;

	if (argc > 1 && argv[1][0] != '-') {
		if (!strcmp(argv[1], "map"))
			C.mode = M_MAP;
		else if (!strcmp(argv[1], "delete"))
			C.mode = M_DELETE;
		else if (!strcmp(argv[1], "listen-announce"))
			C.mode = M_LISTEN;
		else if (!strcmp(argv[1], "third-party"))
			C.mode = M_THIRD_PARTY;
		else
			die_usage("unknown mode '%s' (map, delete, listen-announce, third-party)", argv[1]);
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (c) {
		case O_B4:
			if (inet_pton(AF_INET6, optarg, &C.b4) != 1)
				die_usage("--b4 '%s' is not an IPv6 address", optarg);
			C.have_b4 = true;
			break;
		case O_BR:
			if (inet_pton(AF_INET6, optarg, &C.br) != 1)
				die_usage("--br '%s' is not an IPv6 address", optarg);
			C.have_br = true;
			break;
		case O_NONCE:
			if (strlen(optarg) != 2 * PCP_NONCE_LEN ||
			    parse_hex("--nonce", optarg, C.nonce, PCP_NONCE_LEN) != PCP_NONCE_LEN)
				die_usage("--nonce: 24 hex digits, not '%s'", optarg);
			C.have_nonce = true;
			break;
		case O_LIFETIME: C.lifetime = num("--lifetime", optarg, UINT32_MAX); break;
		case O_SIZE: C.size = num("--size", optarg, 65535); break;
		case O_FIRST:
			C.first_internal = num("--first-internal", optarg, 65535);
			C.have_first_internal = true;
			break;
		case O_PARITY: C.parity = true; break;
		case O_PROTO: C.protocol = num("--protocol", optarg, 255); break;
		case O_IPORT: C.internal_port = num("--internal-port", optarg, 65535); break;
		case O_SUGG4:
			if (inet_pton(AF_INET, optarg, &v4) != 1)
				die_usage("--suggest-ipv4 '%s' is not an IPv4 address", optarg);
			C.suggest_ipv4 = v4.s_addr;
			break;
		case O_SUGGP: C.suggest_port = num("--suggest-port", optarg, 65535); break;
		case O_TP:
			if (parse_any_addr(optarg, &C.tp))
				die_usage("--third-party '%s' is not an address", optarg);
			C.have_tp = true;
			break;
		case O_CLIENT:
			if (parse_any_addr(optarg, &C.client_ip))
				die_usage("--client-ip '%s' is not an address", optarg);
			C.have_client_ip = true;
			break;
		case O_SPORT:
			C.sport = num("--sport", optarg, 65535);
			if (!C.sport)
				die_usage("--sport: 1..65535");
			break;
		case O_RAW:
			C.raw_len = parse_hex("--raw-hex", optarg, C.raw, sizeof(C.raw));
			C.have_raw = true;
			break;
		case O_IRT: C.irt = seconds("--irt", optarg); break;
		case O_TRIES:
			C.tries = num("--tries", optarg, 100);
			if (!C.tries)
				die_usage("--tries: at least 1");
			break;
		case O_TIMEOUT: C.timeout = seconds("--timeout", optarg); break;
		case O_COUNT:
			C.count = num("--count", optarg, 1000000);
			if (!C.count)
				die_usage("--count: at least 1");
			break;
		case O_SERVER:
			C.server.sin6_family = AF_INET6;
			if (parse_any_addr(optarg, &C.server.sin6_addr))
				die_usage("--server '%s' is not an address", optarg);
			C.have_server = true;
			break;
		case O_PORT: C.server_port = (uint16_t)num("--port", optarg, 65535); break;
		case O_SRC:
			C.src.sin6_family = AF_INET6;
			if (parse_any_addr(optarg, &C.src.sin6_addr))
				die_usage("--src '%s' is not an address", optarg);
			C.have_src = true;
			break;
		case O_NOPS: C.no_port_set = true; break;
		case O_REPEAT:
			C.repeat = num("--repeat", optarg, 100000);
			if (!C.repeat)
				die_usage("--repeat: at least 1");
			break;
		case O_B4COUNT:
			C.b4_count = num("--b4-count", optarg, PCPC_MAX_SESSIONS);
			if (!C.b4_count)
				die_usage("--b4-count: at least 1");
			break;
		case O_WINDOW:
			C.window = num("--window", optarg, 256);
			if (!C.window)
				die_usage("--window: at least 1");
			break;
		case O_DUMP: C.dump_hex = true; break;
		case 'v': C.verbose++; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	if (C.have_raw && C.raw_len == 0)
		die_usage("--raw-hex: no octets");
	if (C.mode == M_DELETE)
		C.lifetime = 0;
	if (C.mode == M_DELETE && !C.have_nonce && !C.have_raw)
		die_usage("delete needs the mapping's --nonce");

	if (C.dump_hex) {
		static struct session s;
		char out[2 * sizeof(s.msg) + 1];

		if (C.have_nonce)
			memcpy(s.nonce, C.nonce, PCP_NONCE_LEN);
		else
			rnd(s.nonce, PCP_NONCE_LEN);
		if (C.mode == M_THIRD_PARTY && !C.have_client_ip)
			die_usage("--dump-hex in third-party mode needs --client-ip");
		build_request(&s);
		hex(out, s.msg, s.msg_len);
		printf("%s\n", out);
		return 0;
	}
	switch (C.mode) {
	case M_LISTEN:
		if (!C.have_b4)
			die_usage("listen-announce needs --b4");
		return listen_mode();
	case M_THIRD_PARTY:
		if (!C.have_server)
			die_usage("third-party needs --server");
		if (C.b4_count > 1)
			die_usage("--b4-count is for the tunnel modes");
		C.server.sin6_port = htons(C.server_port);
		if (C.have_src && pcp_addr_is_ipv4_mapped(&C.src.sin6_addr) !=
				  pcp_addr_is_ipv4_mapped(&C.server.sin6_addr))
			die_usage("--src and --server must be of one family");
		return request_mode();
	default:
		if (!C.have_b4 || !C.have_br)
			die_usage("%s needs --b4 and --br", C.mode == M_DELETE ? "delete" : "map");
		if (C.repeat > 1 && C.b4_count > 1)
			die_usage("--repeat and --b4-count do not go together");
		return request_mode();
	}
}
