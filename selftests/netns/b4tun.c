// SPDX-License-Identifier: GPL-2.0
/* b4tun: a minimal userspace B4 for the network-namespace tests.
 *
 * Forwarding mode (the default) shuttles packets between a TUN device and a
 * raw AF_INET6/IPPROTO_IPIP socket bound to the B4's IPv6 address:
 *   IPv4 read from the TUN        → sendto(BR): the kernel adds the IPv6 header
 *   IPv4-in-IPv6 from the BR      → written to the TUN (IPv6 header already gone)
 * Packets from any other IPv6 source are counted and dropped (RFC 7596 §5.2,
 * B4-DP-3). The B4 namespace gives the TUN its public IPv4 address and a
 * default route, so ping, nc and curl there use the softwire. No NAPT: the
 * tests restrict ip_local_port_range to the port set instead.
 *
 * Inject mode (--inject) builds one IPv4 packet (UDP, TCP SYN or ICMP echo)
 * with any source port, sends it through the softwire once and exits: the
 * spoof test uses it to send a port outside the set.
 *
 * The kernel has no ip6tnl/ipip drivers, and needs none: a raw IPv6 socket
 * of protocol 4 sends and receives IPv4-in-IPv6 on its own. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_tun.h>

#include "pkt.h"

#define B4TUN_MTU 65535

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: b4tun --tun NAME --b4 IPV6 --br IPV6 [--pidfile FILE] [-v]\n"
"       b4tun --b4 IPV6 --br IPV6 --inject udp|tcp|icmp --src IPV4:PORT --dst IPV4:PORT\n"
"             [--payload TEXT] [--ttl N] [--count N]\n"
"\n"
"Forwarding mode: IPv4 read from the TUN device NAME is sent to the BR inside\n"
"IPv6 (source = the B4 address); IPv4-in-IPv6 from the BR is written to the TUN.\n"
"Runs until SIGTERM or SIGINT. --pidfile is written once both ends are open.\n"
"\n"
"Inject mode: send one crafted IPv4 packet (UDP, TCP SYN, or ICMP echo request\n"
"whose Identifier is the source 'port') through the softwire and exit.\n"
"\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n");
}

static void __attribute__((noreturn, format(printf, 1, 2))) die_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "b4tun: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'b4tun --help'.\n");
	exit(2);
}

static int parse_ipv6(const char *s, struct in6_addr *a)
{
	return inet_pton(AF_INET6, s, a) == 1 ? 0 : -1;
}

static int parse_u32(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || end == s || *end || *out > max || s[0] == '-')
		return -1;
	return 0;
}

/* "192.0.2.1:1234" → address (network order) and port (host order) */
static int parse_v4_port(const char *s, uint32_t *addr, uint16_t *port)
{
	char buf[64];
	const char *colon = strrchr(s, ':');
	unsigned long p;
	struct in_addr a;

	if (!colon || (size_t)(colon - s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, (size_t)(colon - s));
	buf[colon - s] = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1 || parse_u32(colon + 1, 65535, &p))
		return -1;
	*addr = a.s_addr;
	*port = (uint16_t)p;
	return 0;
}

static int open_raw(const struct in6_addr *b4)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = *b4 };
	char txt[INET6_ADDRSTRLEN];
	int fd = socket(AF_INET6, SOCK_RAW, IPPROTO_IPIP);

	if (fd < 0) {
		fprintf(stderr, "b4tun: socket(AF_INET6, SOCK_RAW, IPPROTO_IPIP): %s\n", strerror(errno));
		return -1;
	}
	{
		/* A full receive queue makes the kernel answer the packet it could
		 * not queue with ICMPv6 parameter problem (no handler for next
		 * header 4), as if nobody listened: give bursts room. */
		int rcvbuf = 8 << 20;

		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "b4tun: cannot bind the raw socket to %s: %s%s\n",
			inet_ntop(AF_INET6, b4, txt, sizeof(txt)), strerror(errno),
			errno == EADDRNOTAVAIL ? " (is the address assigned in this namespace?)" : "");
		close(fd);
		return -1;
	}
	return fd;
}

static int open_tun(const char *name)
{
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "b4tun: cannot open /dev/net/tun: %s\n", strerror(errno));
		return -1;
	}
	if (strlen(name) >= IFNAMSIZ) {
		fprintf(stderr, "b4tun: TUN name '%s' is longer than %d characters\n", name,
			IFNAMSIZ - 1);
		close(fd);
		return -1;
	}
	strcpy(ifr.ifr_name, name);
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		fprintf(stderr, "b4tun: TUNSETIFF %s: %s%s\n", name, strerror(errno),
			errno == EINVAL || errno == EBUSY ?
			" (does a non-TUN device or another reader already use that name?)" : "");
		close(fd);
		return -1;
	}
	return fd;
}

static int write_pidfile(const char *path)
{
	char tmp[PATH_MAX];
	FILE *f;

	/* written under another name and renamed: a reader never sees it half done */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "b4tun: cannot write %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) || rename(tmp, path)) {
		fprintf(stderr, "b4tun: cannot write %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

struct counters {
	unsigned long long to_br, from_br, not_ipv4, not_from_br, malformed, send_err;
};

static int forward(const char *tun_name, const struct in6_addr *b4, const struct in6_addr *br,
		   const char *pidfile, int verbose)
{
	static uint8_t buf[B4TUN_MTU];
	struct sockaddr_in6 dst = { .sin6_family = AF_INET6, .sin6_addr = *br };
	struct counters c = {};
	struct pollfd pfd[2];
	struct sigaction sa = { .sa_handler = on_signal };
	char txt[INET6_ADDRSTRLEN], txt2[INET6_ADDRSTRLEN];
	int tun, raw, ret = 1;

	/* no SA_RESTART: poll() returns EINTR and the loop sees the flag */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	raw = open_raw(b4);
	if (raw < 0)
		return 1;
	tun = open_tun(tun_name);
	if (tun < 0) {
		close(raw);
		return 1;
	}
	if (pidfile && write_pidfile(pidfile))
		goto out;
	if (verbose)
		fprintf(stderr, "b4tun: %s <-> B4 %s, BR %s\n", tun_name,
			inet_ntop(AF_INET6, b4, txt, sizeof(txt)),
			inet_ntop(AF_INET6, br, txt2, sizeof(txt2)));

	pfd[0] = (struct pollfd){ .fd = tun, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = raw, .events = POLLIN };
	while (!stop_signal) {
		int n = poll(pfd, 2, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "b4tun: poll: %s\n", strerror(errno));
			goto out;
		}
		if (pfd[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
			fprintf(stderr, "b4tun: the TUN device %s went away\n", tun_name);
			goto out;
		}
		if (pfd[0].revents & POLLIN) {
			ssize_t len = read(tun, buf, sizeof(buf));

			if (len < 0 && errno != EAGAIN && errno != EINTR) {
				fprintf(stderr, "b4tun: read from %s: %s\n", tun_name, strerror(errno));
				goto out;
			}
			if (len > 0 && (buf[0] >> 4) != 4) {
				c.not_ipv4++; /* IPv6 on the TUN (router solicitations...) */
			} else if (len >= 20) {
				if (sendto(raw, buf, (size_t)len, 0, (struct sockaddr *)&dst,
					   sizeof(dst)) != len) {
					if (c.send_err++ < 5)
						fprintf(stderr, "b4tun: sendto BR (%zd bytes): %s\n", len,
							strerror(errno));
				} else {
					c.to_br++;
				}
			} else if (len > 0) {
				c.malformed++;
			}
		}
		if (pfd[1].revents & POLLIN) {
			struct sockaddr_in6 from;
			socklen_t fl = sizeof(from);
			ssize_t len = recvfrom(raw, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);

			if (len < 0 && errno != EAGAIN && errno != EINTR) {
				fprintf(stderr, "b4tun: recvfrom: %s\n", strerror(errno));
				goto out;
			}
			if (len <= 0)
				continue;
			if (fl < sizeof(from) || from.sin6_family != AF_INET6 ||
			    memcmp(&from.sin6_addr, br, sizeof(*br))) {
				c.not_from_br++;
				if (verbose)
					fprintf(stderr, "b4tun: dropped %zd bytes from %s (not the BR)\n",
						len, inet_ntop(AF_INET6, &from.sin6_addr, txt, sizeof(txt)));
				continue;
			}
			if (len < 20 || (buf[0] >> 4) != 4) {
				c.malformed++;
				continue;
			}
			if (write(tun, buf, (size_t)len) != len) {
				fprintf(stderr, "b4tun: write to %s: %s\n", tun_name, strerror(errno));
				continue;
			}
			c.from_br++;
		}
	}
	ret = 0;
out:
	fprintf(stderr,
		"b4tun: %s: %llu packets to the BR, %llu from the BR; dropped: %llu not from the BR, "
		"%llu not IPv4, %llu malformed; %llu send errors\n",
		stop_signal ? "stopped" : "failed", c.to_br, c.from_br, c.not_from_br, c.not_ipv4,
		c.malformed, c.send_err);
	if (pidfile)
		unlink(pidfile);
	close(tun);
	close(raw);
	return ret;
}

struct inject {
	const char *proto, *src, *dst, *payload;
	unsigned long ttl, count;
};

static int inject(const struct in6_addr *b4, const struct in6_addr *br, const struct inject *o)
{
	struct sockaddr_in6 dst = { .sin6_family = AF_INET6, .sin6_addr = *br };
	uint8_t buf[2048];
	struct pkt p;
	uint32_t sa, da;
	uint16_t sp, dp;
	size_t plen = o->payload ? strlen(o->payload) : 0;
	int len, fd;

	if (parse_v4_port(o->src, &sa, &sp))
		die_usage("--src '%s': expected IPV4:PORT", o->src);
	if (parse_v4_port(o->dst, &da, &dp))
		die_usage("--dst '%s': expected IPV4:PORT", o->dst);
	if (plen > 1400)
		die_usage("--payload: at most 1400 bytes");

	pkt_init(&p, buf, sizeof(buf));
	pkt_ipv4(&p, &(struct pkt_ip4){ .src = sa, .dst = da, .ttl = (uint8_t)o->ttl,
					.id = (uint16_t)getpid(), .df = true });
	if (!strcmp(o->proto, "udp"))
		pkt_udp(&p, &(struct pkt_udp){ .sport = sp, .dport = dp });
	else if (!strcmp(o->proto, "tcp"))
		pkt_tcp(&p, &(struct pkt_tcp){ .sport = sp, .dport = dp, .seq = 1,
					       .flags = PKT_TCP_SYN, .window = 65535 });
	else if (!strcmp(o->proto, "icmp"))
		pkt_icmp4(&p, &(struct pkt_icmp){ .type = 8, .code = 0, .id = sp, .seq = 1 });
	else
		die_usage("--inject: udp, tcp or icmp, not '%s'", o->proto);
	if (plen)
		pkt_data(&p, o->payload, plen);
	len = pkt_finish(&p);
	if (len < 0) {
		fprintf(stderr, "b4tun: cannot build the packet: %s\n", strerror(-len));
		return 1;
	}
	fd = open_raw(b4);
	if (fd < 0)
		return 1;
	for (unsigned long i = 0; i < o->count; i++) {
		if (sendto(fd, buf, (size_t)len, 0, (struct sockaddr *)&dst, sizeof(dst)) != len) {
			fprintf(stderr, "b4tun: sendto BR: %s\n", strerror(errno));
			close(fd);
			return 1;
		}
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tun", required_argument, NULL, 't' },
		{ "b4", required_argument, NULL, 'b' },
		{ "br", required_argument, NULL, 'r' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "inject", required_argument, NULL, 'i' },
		{ "src", required_argument, NULL, 's' },
		{ "dst", required_argument, NULL, 'd' },
		{ "payload", required_argument, NULL, 'P' },
		{ "ttl", required_argument, NULL, 'T' },
		{ "count", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct inject inj = { .ttl = 64, .count = 1 };
	const char *tun = NULL, *b4s = NULL, *brs = NULL, *pidfile = NULL;
	struct in6_addr b4, br;
	int c, verbose = 0;

	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (c) {
		case 't': tun = optarg; break;
		case 'b': b4s = optarg; break;
		case 'r': brs = optarg; break;
		case 'p': pidfile = optarg; break;
		case 'i': inj.proto = optarg; break;
		case 's': inj.src = optarg; break;
		case 'd': inj.dst = optarg; break;
		case 'P': inj.payload = optarg; break;
		case 'T':
			if (parse_u32(optarg, 255, &inj.ttl))
				die_usage("--ttl '%s': expected 0..255", optarg);
			break;
		case 'c':
			if (parse_u32(optarg, 1000000, &inj.count))
				die_usage("--count '%s': expected 0..1000000", optarg);
			break;
		case 'v': verbose++; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	if (!b4s || !brs)
		die_usage("--b4 and --br are required");
	if (parse_ipv6(b4s, &b4))
		die_usage("--b4 '%s' is not an IPv6 address", b4s);
	if (parse_ipv6(brs, &br))
		die_usage("--br '%s' is not an IPv6 address", brs);
	if (inj.proto) {
		if (tun || pidfile)
			die_usage("--inject does not take --tun or --pidfile");
		if (!inj.src || !inj.dst)
			die_usage("--inject needs --src and --dst");
		return inject(&b4, &br, &inj);
	}
	if (inj.src || inj.dst || inj.payload)
		die_usage("--src, --dst and --payload go with --inject");
	if (!tun)
		die_usage("--tun is required (or --inject)");
	return forward(tun, &b4, &br, pidfile, verbose);
}
