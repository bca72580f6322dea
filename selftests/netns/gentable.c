// SPDX-License-Identifier: GPL-2.0
/* gentable: writes a large binding table in one of the formats lw4o6 imports,
 * shaped like `snabb lwaftr generate-configuration A.B.C.D COUNT BR B4 PSIDLEN
 * SHIFT`: COUNT consecutive IPv4 addresses from A.B.C.D, 2^PSIDLEN softwires
 * each, one BR, and a B4 address per softwire counted up from B4. For the
 * import measurements (scripts/import-scale.sh) and nothing else: the tables
 * go to /tmp or build/, never into the repository.
 *
 *   gentable [--format snabb|json|br-instances] [--ipv4 A.B.C.D]
 *            [--addresses N] [--psid-len K] [--br ADDR] [--b4 ADDR]
 *            [--interleave] [--bad-last] [-o FILE]
 *
 * --interleave writes PSID-major order (every address's PSID 0, then every
 * PSID 1, ...), so that the table is not sorted by (address, PSID) the way an
 * export of a hash map is not; --bad-last makes the very last softwire repeat
 * the first one (a duplicate the validation must name). */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum fmt { F_SNABB, F_JSON, F_BR_INSTANCES };

struct gen {
	enum fmt fmt;
	uint32_t ipv4;  /* host order */
	uint32_t addrs; /* consecutive addresses */
	unsigned psid_len;
	struct in6_addr br, b4;
	bool interleave, bad_last;
	char br_s[INET6_ADDRSTRLEN];
	FILE *f;
};

static void usage(void)
{
	fprintf(stderr, "usage: gentable [--format snabb|json|br-instances] [--ipv4 A.B.C.D] "
			"[--addresses N] [--psid-len K] [--br ADDR] [--b4 ADDR] [--interleave] "
			"[--bad-last] [-o FILE]\n");
	exit(2);
}

/* b4 + n, as a 128-bit big-endian number */
static void b4_plus(const struct in6_addr *base, uint64_t n, struct in6_addr *out)
{
	unsigned carry = 0;
	int i;

	*out = *base;
	for (i = 15; i >= 0; i--) {
		unsigned v = out->s6_addr[i] + (unsigned)(n & 0xff) + carry;

		out->s6_addr[i] = (uint8_t)v;
		carry = v >> 8;
		n >>= 8;
	}
}

static void head(const struct gen *g)
{
	if (g->fmt == F_SNABB)
		fputs("softwire-config {\n  binding-table {\n", g->f);
	else if (g->fmt == F_JSON)
		fputs("{\"binding-table\": {\"binding-entry\": [\n", g->f);
	else
		fputs("{\"ietf-softwire-br:br-instances\": {\"binding\": {\"bind-instance\": [\n"
		      "  {\"name\": \"gentable\", \"softwire-payload-mtu\": 1460,\n"
		      "   \"binding-table\": {\"binding-entry\": [\n",
		      g->f);
}

static void tail(const struct gen *g)
{
	if (g->fmt == F_SNABB)
		fputs("  }\n}\n", g->f);
	else if (g->fmt == F_JSON)
		fputs("]}}\n", g->f);
	else
		fputs("]}}]}}}\n", g->f);
}

static void entry(const struct gen *g, uint32_t ipv4, unsigned psid, uint64_t serial, bool last)
{
	char v4[INET_ADDRSTRLEN], b4s[INET6_ADDRSTRLEN];
	struct in6_addr b4;
	uint32_t be = htonl(ipv4);

	b4_plus(&g->b4, serial, &b4);
	inet_ntop(AF_INET, &be, v4, sizeof(v4));
	inet_ntop(AF_INET6, &b4, b4s, sizeof(b4s));
	if (g->fmt == F_SNABB)
		fprintf(g->f,
			"    softwire {\n      ipv4 %s;\n      psid %u;\n      b4-ipv6 %s;\n"
			"      br-address %s;\n      port-set {\n        psid-length %u;\n"
			"      }\n    }\n",
			v4, psid, b4s, g->br_s, g->psid_len);
	else
		fprintf(g->f,
			"  {\"binding-ipv6info\": \"%s\", \"binding-ipv4-addr\": \"%s\", "
			"\"port-set\": {\"psid-offset\": 0, \"psid-len\": %u, \"psid\": %u}, "
			"\"br-ipv6-addr\": \"%s\"}%s\n",
			b4s, v4, g->psid_len, psid, g->br_s, last ? "" : ",");
}

static void generate(const struct gen *g)
{
	uint64_t per = 1ull << g->psid_len, n = (uint64_t)g->addrs * per, i;

	head(g);
	for (i = 0; i < n; i++) {
		uint32_t a = g->interleave ? (uint32_t)(i % g->addrs) : (uint32_t)(i / per);
		unsigned psid = g->interleave ? (unsigned)(i / g->addrs) : (unsigned)(i % per);

		entry(g, g->ipv4 + a, psid, i, i + 1 == n && !g->bad_last);
	}
	if (g->bad_last)
		entry(g, g->ipv4, 0, n, true);
	tail(g);
}

static void parse_args(int argc, char **argv, struct gen *g, const char **out)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "ipv4", required_argument, NULL, '4' },
		{ "addresses", required_argument, NULL, 'n' },
		{ "psid-len", required_argument, NULL, 'k' },
		{ "br", required_argument, NULL, 'r' },
		{ "b4", required_argument, NULL, 'b' },
		{ "interleave", no_argument, NULL, 'i' },
		{ "bad-last", no_argument, NULL, 'x' },
		{ 0 },
	};
	struct in_addr a;
	int c;

	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "snabb"))
				g->fmt = F_SNABB;
			else if (!strcmp(optarg, "json"))
				g->fmt = F_JSON;
			else if (!strcmp(optarg, "br-instances"))
				g->fmt = F_BR_INSTANCES;
			else
				usage();
			break;
		case '4':
			if (inet_pton(AF_INET, optarg, &a) != 1)
				usage();
			g->ipv4 = ntohl(a.s_addr);
			break;
		case 'n': g->addrs = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'k': g->psid_len = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'r':
			if (inet_pton(AF_INET6, optarg, &g->br) != 1)
				usage();
			break;
		case 'b':
			if (inet_pton(AF_INET6, optarg, &g->b4) != 1)
				usage();
			break;
		case 'i': g->interleave = true; break;
		case 'x': g->bad_last = true; break;
		case 'o': *out = optarg; break;
		default: usage();
		}
	}
	if (optind < argc || !g->addrs || g->psid_len > 16 ||
	    (uint64_t)g->ipv4 + g->addrs - 1 > UINT32_MAX)
		usage();
}

int main(int argc, char **argv)
{
	static char obuf[1 << 20];
	struct gen g = { .fmt = F_SNABB, .addrs = 156250, .psid_len = 6 };
	const char *out = NULL;

	inet_pton(AF_INET, "193.5.1.100", &g.ipv4);
	g.ipv4 = ntohl(g.ipv4);
	inet_pton(AF_INET6, "fc00::100", &g.br);
	inet_pton(AF_INET6, "fc00:1:2:3:4:5:0:7e", &g.b4);
	parse_args(argc, argv, &g, &out);
	inet_ntop(AF_INET6, &g.br, g.br_s, sizeof(g.br_s));
	g.f = out && strcmp(out, "-") ? fopen(out, "w") : stdout;
	if (!g.f) {
		fprintf(stderr, "gentable: %s: %s\n", out, strerror(errno));
		return 1;
	}
	setvbuf(g.f, obuf, _IOFBF, sizeof(obuf));
	generate(&g);
	if (fflush(g.f) || ferror(g.f) || (g.f != stdout && fclose(g.f))) {
		fprintf(stderr, "gentable: write error: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
