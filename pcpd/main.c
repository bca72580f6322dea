// SPDX-License-Identifier: GPL-2.0
/* pcpd: the lw4o6 PCP daemon, in two roles:
 *   pcpd --role aftr --config FILE [-v] [--syslog]   the lwAFTR's PCP server
 *   pcpd --role aftr --config FILE --list-grants [--json]
 *   pcpd --role b4 --config FILE [-v] [--syslog]     the lwB4's PCP client and LAN server (b4.c)
 *   pcpd --role b4 --config FILE --list-grants [--json]
 * Exit status: 0 after SIGTERM/SIGINT, 1 on a start-up error, 2 on usage. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/signalfd.h>

#include "daemon.h"
#include "pcpd_aftr.h"
#include "pcpd_b4.h"
#include "pcp_msg.h"
#include "addr.h"

uint32_t pcpd_epoch(const struct pcpd *d)
{
	int64_t e = (int64_t)pcpd_now() - d->epoch_base;

	return e < 0 ? 0 : (uint32_t)e;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: pcpd --role aftr --config FILE [-v|-q] [--syslog]\n"
		   "       pcpd --role aftr|b4 --config FILE --list-grants [--json]\n"
		   "       pcpd --role b4 --config FILE [-v|-q] [--syslog]\n");
}

struct list_ctx {
	bool json;
	size_t n;
	uint64_t now;
};

static int print_grant(const struct alloc_grant *g, void *arg)
{
	struct list_ctx *c = arg;
	char a[LW_IPV4_STRLEN], b[LW_IPV6_STRLEN], r[LW_IPV6_STRLEN];
	long left = (long)g->expires_at - (long)c->now;
	unsigned first = alloc_grant_first_port(g), last = first + alloc_grant_size(g) - 1;

	lw_format_ipv4(g->ipv4, a, sizeof(a));
	lw_format_ipv6(&g->b4, b, sizeof(b));
	lw_format_ipv6(&g->br, r, sizeof(r));
	if (c->json)
		printf("%s{\"b4\":\"%s\",\"br\":\"%s\",\"ipv4\":\"%s\",\"psid-len\":%u,\"psid\":%u,"
		       "\"first-port\":%u,\"last-port\":%u,\"expires-in\":%ld}", c->n ? "," : "", b, r, a,
		       g->psid_len, g->psid, first, last, left);
	else
		printf("%-39s %-15s %5u-%-5u  psid %5u/%-2u  %7ld s\n", b, a, first, last, g->psid,
		       g->psid_len, left);
	c->n++;
	return 0;
}

static int list_grants(const struct pcpd_config *cfg, bool json)
{
	struct store *st;
	struct list_ctx c = { .json = json, .now = pcpd_now() };
	char err[512];

	if (store_open(cfg->database, &st, err, sizeof(err))) {
		fprintf(stderr, "pcpd: %s\n", err);
		return 1;
	}
	if (json)
		printf("{\"grants\":[");
	else
		printf("%-39s %-15s %-11s  %-13s  %s\n", "B4", "IPv4", "ports", "PSID/len", "expires in");
	if (store_list_grants(st, print_grant, &c, err, sizeof(err))) {
		fprintf(stderr, "pcpd: %s\n", err);
		store_close(st);
		return 1;
	}
	if (json)
		printf("]}\n");
	store_close(st);
	return 0;
}

static int run(struct pcpd *d)
{
	struct epoll_event ev, evs[8];
	sigset_t mask;
	int ep, sfd;
	bool stop = false;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || ep < 0)
		return -errno;
	ev.events = EPOLLIN;
	ev.data.u32 = 1;
	epoll_ctl(ep, EPOLL_CTL_ADD, d->ipip_fd, &ev);
	ev.data.u32 = 2;
	epoll_ctl(ep, EPOLL_CTL_ADD, ring_buffer__epoll_fd(d->rb), &ev);
	ev.data.u32 = 3;
	epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
	if (d->tp_fd >= 0) {
		ev.data.u32 = 4;
		epoll_ctl(ep, EPOLL_CTL_ADD, d->tp_fd, &ev);
	}
	pcpd_log(LOG_INFO_, "serving: epoch %u%s", pcpd_epoch(d),
		 d->tp_fd >= 0 ? ", THIRD_PARTY socket open" : "");
	while (!stop) {
		uint64_t next = pcpd_next_deadline(d), now = pcpd_now();
		int timeout = 1000, n;

		/* ANNOUNCE repeats and the orphan grace need a finer tick */
		if (d->state_lost && d->announce_round < 3)
			timeout = 100;
		if (next && next > now && (next - now) * 1000 < (uint64_t)timeout)
			timeout = (int)((next - now) * 1000);
		n = epoll_wait(ep, evs, 8, timeout);
		for (int i = 0; i < n; i++) {
			switch (evs[i].data.u32) {
			case 1:
				pcpd_handle_tunnel_readable(d);
				break;
			case 2:
				ring_buffer__consume(d->rb);
				break;
			case 3: {
				struct signalfd_siginfo si;

				if (read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
					break;
				if (si.ssi_signo == SIGHUP) {
					pcpd_log(LOG_INFO_, "SIGHUP ignored: the configuration is read at "
						 "start; restart pcpd to change it (grants are kept)");
					break;
				}
				pcpd_log(LOG_INFO_, "signal %u: stopping", si.ssi_signo);
				stop = true;
				break;
			}
			case 4:
				pcpd_handle_third_party_readable(d);
				break;
			}
		}
		pcpd_expire(d);
		pcpd_announce_tick(d);
		pcpd_orphans_tick(d);
		pcpd_dataplane_tick(d);
		pcpd_frag_tick(d);
	}
	pcpd_log(LOG_INFO_, "stopped: %llu requests, %llu grants created, %llu renewed, %llu deleted, "
		 "%llu expired, %llu ICMP sent, %llu ANNOUNCE, %llu fragment events (%llu packets "
		 "sent, %llu dropped, %llu reassemblies timed out)",
		 (unsigned long long)d->ctr.requests, (unsigned long long)d->ctr.grants_created,
		 (unsigned long long)d->ctr.grants_renewed, (unsigned long long)d->ctr.grants_deleted,
		 (unsigned long long)d->ctr.grants_expired, (unsigned long long)d->ctr.icmp_sent,
		 (unsigned long long)d->ctr.announces, (unsigned long long)d->ctr.frag_events,
		 (unsigned long long)d->ctr.frag_sent, (unsigned long long)d->ctr.frag_dropped,
		 (unsigned long long)d->ctr.reasm_expired);
	close(ep);
	close(sfd);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' }, { "config", required_argument, NULL, 'c' },
		{ "list-grants", no_argument, NULL, 'l' }, { "json", no_argument, NULL, 'j' },
		{ "syslog", no_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' }, { 0 },
	};
	const char *role = NULL, *config = NULL;
	bool list = false, json = false;
	static struct pcpd d;
	char err[1024];
	int c, verbose = 0, quiet = 0, ret;
	bool syslog_on = false;

	while ((c = getopt_long(argc, argv, "vqh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': role = optarg; break;
		case 'c': config = optarg; break;
		case 'l': list = true; break;
		case 'j': json = true; break;
		case 's': syslog_on = true; break;
		case 'v': verbose++; break;
		case 'q': quiet++; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc || !role || !config) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(role, "b4")) {
		if (list)
			return pcpd_b4_list(config, json);
		if (syslog_on)
			pcpd_log_to_syslog();
		return pcpd_b4_main(config, verbose - quiet);
	}
	if (strcmp(role, "aftr")) {
		fprintf(stderr, "pcpd: unknown role '%s' (aftr or b4)\n", role);
		return 2;
	}
	if (pcpd_config_load(config, &d.cfg, err, sizeof(err))) {
		fprintf(stderr, "pcpd: %s\n", err);
		return 1;
	}
	if (list)
		return list_grants(&d.cfg, json);
	pcpd_set_log_level(d.cfg.log_level + verbose - quiet);
	if (syslog_on)
		pcpd_log_to_syslog();
	if (d.cfg.third_party_enabled && !d.cfg.has_br) {
		fprintf(stderr, "pcpd: %s: third-party-listen needs br-address (the BR of grants made "
				"for a provisioning system)\n", config);
		return 1;
	}
	if (d.cfg.announce_ifname[0] && !d.cfg.has_br) {
		fprintf(stderr, "pcpd: %s: announce-interface needs br-address (the source of the "
				"multicast ANNOUNCE)\n", config);
		return 1;
	}
	/* One server per database: a second one would answer the same
	 * requests from another epoch and fight over the same bindings. */
	if (pcpd_lock_database(d.cfg.database, err, sizeof(err))) {
		fprintf(stderr, "pcpd: %s\n", err);
		return 1;
	}
	d.ipip_fd = d.raw6_fd = d.raw4_fd = d.tp_fd = -1;
	ret = pcpd_net_open(&d, err, sizeof(err));
	if (!ret)
		ret = pcpd_server_start(&d, err, sizeof(err));
	if (ret) {
		pcpd_log(LOG_ERR_, "%s", err[0] ? err : strerror(-ret));
		pcpd_net_close(&d);
		return 1;
	}
	ret = run(&d);
	pcpd_server_stop(&d);
	pcpd_net_close(&d);
	return ret ? 1 : 0;
}
