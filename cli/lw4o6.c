// SPDX-License-Identifier: GPL-2.0
/* lw4o6: load, configure and inspect the lw4o6 data plane. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <bpf/libbpf.h>

#include "lw4o6/abi.h"
#include "cli.h"

int lw_verbose;
const char *lw_pin_root = LW4O6_PIN_ROOT;

void lw_die_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "lw4o6: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'lw4o6 help'.\n");
	exit(LW_EXIT_USAGE);
}

int lw_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "lw4o6: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return LW_EXIT_FAIL;
}

void lw_info(const char *fmt, ...)
{
	va_list ap;

	if (!lw_verbose)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void lw_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void lw_print_counters_json(const struct lw_counter *st, unsigned n, const char *(*name)(unsigned))
{
	printf("\"traffic-stat\":{");
	for (unsigned i = 0; i < n; i++)
		printf("%s\"%s-packets\":%llu,\"%s-bytes\":%llu", i ? "," : "", name(i),
		       (unsigned long long)st[i].packets, name(i), (unsigned long long)st[i].bytes);
	printf("}");
}

void lw_print_counters_table(const char *title, const struct lw_counter *st, unsigned n,
			     const char *(*name)(unsigned))
{
	printf("%-40s %14s %16s\n", title, "packets", "bytes");
	for (unsigned i = 0; i < n; i++)
		printf("%-40s %14llu %16llu\n", name(i), (unsigned long long)st[i].packets,
		       (unsigned long long)st[i].bytes);
}

/* libbpf's and libxdp's messages: warnings always, the rest with -v. */
static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && lw_verbose < 2)
		return 0;
	if (level == LIBBPF_INFO && lw_verbose < 1)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: lw4o6 [-v] [--pin-root DIR] COMMAND ...\n"
		"\n"
		"  load aftr --ipv6-dev DEV --ipv4-dev DEV [--mode native|skb]\n"
		"            [--nexthop cache|fib|static] --config FILE [--max-softwires N]\n"
		"            [--obj FILE]\n"
		"                 load the lwAFTR program, install FILE (Snabb lwAFTR config or\n"
		"                 RFC 8676 JSON), pin its maps under " LW4O6_PIN_ROOT
		" and attach it\n"
		"                 to both interfaces (the same DEV twice: on a stick). --nexthop:\n"
		"                 cache (default) the next hop pcpd --role aftr keeps from the\n"
		"                 kernel's routes and neighbours, the FIB for what it does not\n"
		"                 cover (and while pcpd is not running); fib asks the kernel's\n"
		"                 FIB for every packet; static sends to the next-hop MACs of\n"
		"                 the configuration. --max-softwires: the binding table's\n"
		"                 capacity (default: twice the file's, at least 1048576;\n"
		"                 memory follows use, about 64 bytes a softwire); pins already\n"
		"                 there keep theirs\n"
		"  configure aftr --ipv6-dev DEV --ipv4-dev DEV --config FILE\n"
		"                 the same without attaching: for a program attached by xdp-loader\n"
		"  unload [--keep-maps]\n"
		"                 detach and remove the pins (--keep-maps keeps the binding table)\n"
		"  status [--json]\n"
		"  softwire add --ipv4 A --psid N --psid-len K [--psid-offset A] --b4 IPV6 --br IPV6\n"
		"  softwire del --ipv4 A --psid N\n"
		"  softwire list [--json]\n"
		"  softwire import FILE [--format snabb|json] [--replace] [--dry-run]\n"
		"  softwire export [FILE]            RFC 8676 JSON\n"
		"  pool add|del PREFIX | pool list [--json]\n"
		"                 IPv4 pools: traffic to a pool address without a softwire is\n"
		"                 dropped (and answered per policy), not handed to the kernel\n"
		"  stats [--json] [--softwires] [--reset]\n"
		"                 (an lwB4 pin root: the lwB4's counters; --softwires is the lwAFTR's)\n"
		"  set hairpinning on|off | echo-policy identifier|port0|drop |\n"
		"      icmpv4-errors on|off | icmpv6-errors on|off | incoming-icmpv4 on|off |\n"
		"      pcp-bootstrap on|off | ttl-on-decap on|off | softwire-counters on|off |\n"
		"      hop-limit N |\n"
		"      ipv4-mtu N | ipv6-mtu N | event-rate N | event-burst N |\n"
		"      nexthop cache|fib\n"
		"\n"
		"lwB4 (customer edge; its maps are named lw_b4_*, so unload, status and stats\n"
		"follow the role of the pins under the pin root):\n"
		"  load b4 --lan-dev DEV --wan-dev DEV --config FILE [--mode native|skb]\n"
		"          [--nexthop cache|fib]\n"
		"                 load the lwB4 program (NAPT44 into the port sets, IPv4-in-IPv6\n"
		"                 to the lwAFTR), attach it to both interfaces (the same DEV\n"
		"                 twice: on a stick). --nexthop: as for the lwAFTR, the way to\n"
		"                 the lwAFTR from the cache pcpd --role b4 keeps (default) or\n"
		"                 from the FIB for every packet. FILE is key-value, one\n"
		"                 statement a line:\n"
		"                   aftr-ipv6 ADDR, tunnel-ipv6 ADDR, lan-address A/LEN (required)\n"
		"                   tunnel-mtu N (1500), filtering adf|eif (adf), hop-limit N,\n"
		"                   udp-timeout S (300), tcp-established-timeout S (7440),\n"
		"                   tcp-transitory-timeout S (240), icmp-timeout S (60),\n"
		"                   mss-clamp on|off, events on|off, event-rate N, event-burst N,\n"
		"                   pool-warn-percent N (0..100, 0 = off: the default),\n"
		"                   port-set IPV4 FIRST SIZE (static sets, repeatable)\n"
		"                 see docs/examples/lwb4.conf\n"
		"                 Loaded again over a running lwB4, it keeps the mappings:\n"
		"                 only a static set removed or changed flushes its own, a new\n"
		"                 tunnel-ipv6/aftr-ipv6 the PCP sets', a new LAN prefix those\n"
		"                 of hosts outside it (the counts are printed)\n"
		"  set KEY VALUE  change a running lwB4's setting in place, no mapping lost:\n"
		"                 udp-timeout, tcp-established-timeout, tcp-transitory-timeout,\n"
		"                 icmp-timeout, tunnel-mtu, filtering, mss-clamp, hop-limit,\n"
		"                 events, event-rate, event-burst, pool-warn-percent (values as\n"
		"                 in FILE)\n"
		"  portset add|del --ipv4 A --first P --size N [--json]\n"
		"                 static port sets (running without PCP): SIZE a power of two,\n"
		"                 FIRST a multiple of it; del flushes the set's mappings\n"
		"  portset list [--json]\n"
		"  sessions [--json]  NAPT mappings with their ages (seconds since created,\n"
		"                 last outbound, last inbound) and timeouts\n"
		"  expire [--advance S] [--json]\n"
		"                 delete the mappings idle past their timers, once. The data\n"
		"                 plane never expires mappings itself: pcpd --role b4 does it\n"
		"                 every expire-interval; without pcpd, run this periodically.\n"
		"                 --advance judges idleness S seconds in the future (testing)\n"
		"\n"
		"Exit status: 0 success, 1 failure, 2 usage error.\n");
}

int main(int argc, char **argv)
{
	struct rlimit nofile;
	int i = 1;

	libbpf_set_print(print_libbpf);
	/* a large table creates thousands of chunks before it publishes them
	 * at once (lib/aftr/bind_priv.h): room for their descriptors */
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
		nofile.rlim_cur = nofile.rlim_max;
		setrlimit(RLIMIT_NOFILE, &nofile);
	}
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v"))
			lw_verbose++;
		else if (!strcmp(argv[i], "-vv"))
			lw_verbose += 2;
		else if (!strcmp(argv[i], "--pin-root") && i + 1 < argc)
			lw_pin_root = argv[++i];
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else
			lw_die_usage("unknown option '%s'", argv[i]);
	}
	if (i >= argc) {
		usage(stderr);
		return LW_EXIT_USAGE;
	}
	argc -= i;
	argv += i;
	if (!strcmp(argv[0], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[0], "load"))
		return argc > 1 && !strcmp(argv[1], "b4") ? cmd_b4_load(argc, argv)
							  : cmd_load(argc, argv);
	if (!strcmp(argv[0], "configure"))
		return cmd_configure(argc, argv);
	if (!strcmp(argv[0], "unload"))
		return lw_pinned_role() == LW_ROLE_B4 ? cmd_b4_unload(argc, argv)
						      : cmd_unload(argc, argv);
	if (!strcmp(argv[0], "status"))
		return lw_pinned_role() == LW_ROLE_B4 ? cmd_b4_status(argc, argv)
						      : cmd_status(argc, argv);
	if (!strcmp(argv[0], "softwire"))
		return cmd_softwire(argc, argv);
	if (!strcmp(argv[0], "stats"))
		return lw_pinned_role() == LW_ROLE_B4 ? cmd_b4_stats(argc, argv)
						      : cmd_stats(argc, argv);
	if (!strcmp(argv[0], "set"))
		return lw_pinned_role() == LW_ROLE_B4 ? cmd_b4_set(argc, argv)
						      : cmd_set(argc, argv);
	if (!strcmp(argv[0], "pool"))
		return cmd_pool(argc, argv);
	if (!strcmp(argv[0], "portset"))
		return cmd_portset(argc, argv);
	if (!strcmp(argv[0], "sessions"))
		return cmd_sessions(argc, argv);
	if (!strcmp(argv[0], "expire"))
		return cmd_expire(argc, argv);
	lw_die_usage("unknown command '%s'", argv[0]);
}
