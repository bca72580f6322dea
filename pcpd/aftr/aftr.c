// SPDX-License-Identifier: GPL-2.0
/* pcpd --role aftr: start, the event loop and stop of the lwAFTR's PCP
 * server (server.c decides, net.c sends and receives), and --list-grants. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcpd_aftr.h"
#include "loop.h"
#include "addr.h"

/* A turn of the loop ends within a second, within 100 ms while ANNOUNCE
 * repeats and the orphan grace run, and by the next grant expiry. */
#define AFTR_TICK_MS          1000
#define AFTR_ANNOUNCE_TICK_MS 100

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
		       "\"first-port\":%u,\"last-port\":%u,\"expires-in\":%ld}",
		       c->n ? "," : "", b, r, a, g->psid_len, g->psid, first, last, left);
	else
		printf("%-39s %-15s %5u-%-5u  psid %5u/%-2u  %7ld s\n", b, a, first, last, g->psid,
		       g->psid_len, left);
	c->n++;
	return 0;
}

/* Prints the stored grants of the configuration's database. */
static int list_stored(const struct pcpd_config *cfg, bool json)
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
		printf("%-39s %-15s %-11s  %-13s  %s\n", "B4", "IPv4", "ports", "PSID/len",
		       "expires in");
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

int pcpd_aftr_list(const char *config, bool json)
{
	struct pcpd_config *cfg = calloc(1, sizeof(*cfg));
	char err[1024];
	int ret = 1;

	if (!cfg)
		fprintf(stderr, "pcpd: out of memory\n");
	else if (pcpd_config_load(config, cfg, err, sizeof(err)))
		fprintf(stderr, "pcpd: %s\n", err);
	else
		ret = list_stored(cfg, json);
	free(cfg);
	return ret;
}

static int aftr_timeout_ms(void *ctx)
{
	const struct pcpd *d = ctx;
	uint64_t next = pcpd_next_deadline(d), now = pcpd_now();
	int timeout = AFTR_TICK_MS;

	if (d->state_lost && d->announce_round < PCPD_ANNOUNCE_ROUNDS)
		timeout = AFTR_ANNOUNCE_TICK_MS;
	if (next && next > now && (next - now) * 1000 < (uint64_t)timeout)
		timeout = (int)((next - now) * 1000);
	/* the data plane is looked at this often (dp_watch.c) */
	return timeout < PCPD_DP_WATCH_MS ? timeout : PCPD_DP_WATCH_MS;
}

static void aftr_timers(void *ctx)
{
	struct pcpd *d = ctx;

	pcpd_expire(d);
	pcpd_announce_tick(d);
	pcpd_orphans_tick(d);
	pcpd_dp_watch_tick(d);
	pcpd_dataplane_tick(d);
	pcpd_frag_tick(d);
	pcpd_nh_tick(d);
}

static void tunnel_readable(void *ctx)
{
	pcpd_handle_tunnel_readable(ctx);
}

static void third_party_readable(void *ctx)
{
	pcpd_handle_third_party_readable(ctx);
}

static void log_counters(const struct pcpd *d)
{
	pcpd_log(LOG_INFO_,
		 "stopped: %llu requests (%llu tunnel packets not from the access side "
		 "dropped), %llu grants created, %llu renewed, %llu deleted, "
		 "%llu expired, %llu ICMP sent, %llu icmpv6-1-5-suppressed, %llu refused for a "
		 "configuration binding, %llu ANNOUNCE, %llu fragment events (%llu packets "
		 "sent, %llu dropped, %llu reassemblies timed out)",
		 (unsigned long long)d->ctr.requests, (unsigned long long)d->ctr.off_access,
		 (unsigned long long)d->ctr.grants_created,
		 (unsigned long long)d->ctr.grants_renewed,
		 (unsigned long long)d->ctr.grants_deleted,
		 (unsigned long long)d->ctr.grants_expired, (unsigned long long)d->ctr.icmp_sent,
		 (unsigned long long)d->ctr.icmpv6_suppressed,
		 (unsigned long long)d->ctr.refused_config, (unsigned long long)d->ctr.announces,
		 (unsigned long long)d->ctr.frag_events, (unsigned long long)d->ctr.frag_sent,
		 (unsigned long long)d->ctr.frag_dropped, (unsigned long long)d->ctr.reasm_expired);
}

/* Alike in shape to the lwB4's loop() in pcpd/b4/b4.c: both only fill in
 * pcpd/loop.c's role description, which is where the loop itself lives. */
static int run(struct pcpd *d)
{
	const struct pcpd_loop_role role = {
		.fds = { { d->ipip_fd, tunnel_readable, d },
			 { d->tp_fd, third_party_readable, d },
			 { pcpd_nh_fd(d), pcpd_nh_readable, d } },
		.events = d->rb,
		.timeout_ms = aftr_timeout_ms,
		.after_wake = aftr_timers,
		.ctx = d,
		.hup_note = "SIGHUP ignored: the configuration is read at start; restart pcpd to "
			    "change it (grants are kept)",
		.stop_note = "",
	};
	int r;

	pcpd_log(LOG_INFO_, "serving: epoch %u%s", pcpd_epoch(d),
		 d->tp_fd >= 0 ? ", THIRD_PARTY socket open" : "");
	r = pcpd_loop_run(&role);
	if (!r)
		log_counters(d);
	return r;
}

/* What the server needs and the configuration file does not check alone. */
static int config_usable(const struct pcpd_config *cfg, const char *config)
{
	if (cfg->third_party_enabled && !cfg->has_br) {
		fprintf(stderr,
			"pcpd: %s: third-party-listen needs br-address (the BR of grants made "
			"for a provisioning system)\n",
			config);
		return -1;
	}
	if (cfg->announce_ifname[0] && !cfg->has_br) {
		fprintf(stderr,
			"pcpd: %s: announce-interface needs br-address (the source of the "
			"multicast ANNOUNCE)\n",
			config);
		return -1;
	}
	return 0;
}

/* Everything up to the loop; 0, or 1 with the reason printed or logged. */
static int start(struct pcpd *d, const char *config, int log_delta)
{
	char err[1024];
	int ret;

	if (pcpd_config_load(config, &d->cfg, err, sizeof(err))) {
		fprintf(stderr, "pcpd: %s\n", err);
		return 1;
	}
	pcpd_set_log_level(d->cfg.log_level + log_delta);
	if (config_usable(&d->cfg, config))
		return 1;
	/* One server per database: a second one would answer the same
	 * requests from another epoch and fight over the same bindings. */
	if (pcpd_lock_database(d->cfg.database, err, sizeof(err)) ||
	    pcpd_lock_pin_root(d->cfg.pin_root, "aftr", err, sizeof(err))) {
		fprintf(stderr, "pcpd: %s\n", err);
		return 1;
	}
	ret = pcpd_net_open(d, err, sizeof(err));
	if (!ret)
		ret = pcpd_server_start(d, err, sizeof(err));
	if (!ret)
		pcpd_dp_watch_init(d);
	if (ret) {
		pcpd_log(LOG_ERR_, "%s", err[0] ? err : strerror(-ret));
		pcpd_net_close(d);
		return 1;
	}
	/* without it the data plane asks the FIB for every packet: slower,
	 * still right, so pcpd serves anyway */
	if (pcpd_nh_start(d, err, sizeof(err)))
		pcpd_log(LOG_WARN_, "next-hop cache not kept: %s", err);
	return 0;
}

int pcpd_aftr_main(const char *config, int log_delta)
{
	struct pcpd *d = calloc(1, sizeof(*d));
	int ret;

	if (!d) {
		fprintf(stderr, "pcpd: out of memory\n");
		return 1;
	}
	d->ipip_fd = d->raw6_fd = d->raw4_fd = d->tp_fd = -1;
	if (start(d, config, log_delta)) {
		free(d);
		return 1;
	}
	ret = run(d);
	pcpd_nh_stop(d);
	pcpd_server_stop(d);
	pcpd_net_close(d);
	free(d);
	return ret ? 1 : 0;
}
