// SPDX-License-Identifier: GPL-2.0
/* lw4o6 for the lwB4 role: load b4, portset add|del|list, sessions, expire,
 * and the b4 side of unload, status and stats.
 *
 * The lwB4's maps are pinned under the pin root with their own names
 * (lw_b4_*, include/lw4o6/b4.h), so the role of a pin root is told by which
 * meta map it holds: lw_meta (lwAFTR) or lw_b4_meta (lwB4). The
 * configuration file is read by b4_conf.c.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <netinet/in.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <dirent.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lw4o6/abi.h"
#include "lw4o6/b4.h"
#include "lw4o6_b4.skel.h"
#include "b4_maps.h"
#include "b4_conf.h"
#include "b4_nexthop.h"
#include "nh_status.h"
#include "addr.h"
#include "cli.h"
#include "instance.h"

#define NSEC_PER_SEC 1000000000ull
#define YEAR_SECONDS (365 * 86400)

/* ---- pins and role ------------------------------------------------------------ */

static bool pinned(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", lw_pin_root, name);
	return access(path, F_OK) == 0;
}

int lw_pinned_role(void)
{
	bool aftr = pinned(LW_STR(LW_MAP_META)), b4 = pinned(LW_STR(LW_MAP_B4_META));

	if (b4 && !aftr)
		return LW_ROLE_B4;
	return aftr ? LW_ROLE_AFTR : LW_ROLE_NONE;
}

static void b4_maps_close(struct lw_b4_maps *m)
{
	lw_b4_maps_close(m);
}

static int b4_maps_open(struct lw_b4_maps *m)
{
	char err[LW_ERR_MAX];
	int r = lw_b4_maps_open_pinned(lw_pin_root, m, err, sizeof(err));

	if (r == -ENOENT)
		return lw_fail("%s (run 'lw4o6 load b4 ...'%s)", err,
			       pinned(LW_STR(LW_MAP_META)) ? "; the pins there are an lwAFTR's"
							   : "");
	if (r == -ENOTSUP)
		return lw_fail("%s; remove them with 'lw4o6 unload' and load again", err);
	if (r)
		return lw_fail("%s", err);
	return 0;
}

/* ---- load ------------------------------------------------------------------------- */

/* Packets the program hands to the kernel (next hop not resolved yet) are
 * forwarded by it: IPv6 on the LAN side, IPv4 on the WAN side. */
static void warn_host_settings(const char *wan)
{
	if (lw_forwarding_off())
		fprintf(stderr,
			"lw4o6: warning: forwarding is off (sysctl net.ipv4.ip_forward=1 "
			"net.ipv6.conf.all.forwarding=1): packets whose next hop is not yet "
			"resolved are handed to the kernel and will be lost\n");
	if (lw_read_sysctl("/proc/sys/net/ipv4/conf/%s/rp_filter", wan) > 0 ||
	    lw_read_sysctl("/proc/sys/net/ipv4/conf/%s/rp_filter", "all") > 0)
		fprintf(stderr,
			"lw4o6: warning: rp_filter is on for %s: decapsulated packets handed to "
			"the kernel arrive there with internet sources and are dropped as martians "
			"unless a route back exists; set rp_filter=0\n",
			wan);
}

struct b4_load_opts {
	const char *lan, *wan, *config;
	__u32 xdp_flags;
	bool fib_nh; /* --nexthop fib */
};

static void parse_load_opts(int argc, char **argv, struct b4_load_opts *o)
{
	static const struct option opts[] = {
		{ "lan-dev", required_argument, NULL, 'l' },
		{ "wan-dev", required_argument, NULL, 'w' },
		{ "config", required_argument, NULL, 'c' },
		{ "mode", required_argument, NULL, 'm' },
		{ "nexthop", required_argument, NULL, 'n' },
		{ 0 },
	};
	int c;

	o->xdp_flags = XDP_FLAGS_DRV_MODE;
	argc--; /* "load" */
	argv++;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l': o->lan = optarg; break;
		case 'w': o->wan = optarg; break;
		case 'c': o->config = optarg; break;
		case 'm': o->xdp_flags = lw_xdp_mode_flags(optarg); break;
		case 'n':
			o->fib_nh = !strcmp(optarg, "fib");
			if (!o->fib_nh && strcmp(optarg, "cache"))
				lw_die_usage("load b4: --nexthop must be cache or fib, not '%s'",
					     optarg);
			break;
		default: lw_die_usage("load b4: bad option");
		}
	}
	if (optind < argc)
		lw_die_usage("load b4: unexpected argument '%s'", argv[optind]);
	if (!o->lan || !o->wan || !o->config)
		lw_die_usage("load b4 needs --lan-dev, --wan-dev and --config");
}

/* The pin root is the lwB4's own: not an lwAFTR's, and pins of an earlier
 * lwB4 only if this build can take them over. */
static int check_existing_pins(void)
{
	struct lw_b4_maps old;

	if (pinned(LW_STR(LW_MAP_META)))
		return lw_fail("%s holds an lwAFTR's pins: give the lwB4 its own --pin-root",
			       lw_pin_root);
	if (lw_ensure_bpffs())
		return LW_EXIT_FAIL;
	if (!pinned(LW_STR(LW_MAP_B4_META)))
		return 0;
	if (b4_maps_open(&old))
		return LW_EXIT_FAIL;
	b4_maps_close(&old);
	return 0;
}

/* Whether a running lwB4's PCP grants are still its own under cfg: they
 * were made to its tunnel address by its lwAFTR. */
static bool same_softwire(const struct lw_b4_config *old, const struct lw_b4_config *cfg)
{
	return !memcmp(&old->tunnel_addr, &cfg->tunnel_addr, sizeof(cfg->tunnel_addr)) &&
	       !memcmp(&old->aftr_addr, &cfg->aftr_addr, sizeof(cfg->aftr_addr));
}

/* Over a running lwB4 (pins reused: its configuration is in the map), the
 * mappings stay unless what they stand on changed (issue 12): a static set
 * removed or changed takes its own mappings (B4-PROV-6), PCP sets go only
 * with a new tunnel or lwAFTR address, and a new LAN prefix takes the
 * mappings of hosts outside it. Settings alone (timers, MTU, filtering,
 * MSS clamp, events) flush nothing. */
static int reload_state(const struct lw_b4_maps *maps, const struct lw_b4_config *old,
			const struct b4_file *bf, bool running)
{
	const struct lw_b4_config *cfg = &bf->cfg;
	struct lw_b4_reload r;
	size_t lan_flushed = 0, kept = 0;
	int ret = lw_b4_pool_reload(maps, bf->sets, bf->n_sets, running && same_softwire(old, cfg),
				    &r);

	if (!ret && running &&
	    (old->lan_addr != cfg->lan_addr || old->lan_prefixlen != cfg->lan_prefixlen))
		ret = lw_b4_flush_outside_lan(maps, cfg->lan_addr, cfg->lan_prefixlen,
					      &lan_flushed);
	if (!ret && running)
		ret = lw_b4_mapping_count(maps, &kept);
	if (!ret && running)
		printf("lwB4 reloaded: %zu mapping%s kept, %zu flushed (%zu port set%s kept, "
		       "%zu removed, %zu added; %zu outside the LAN prefix)\n",
		       kept, kept == 1 ? "" : "s", r.flushed + lan_flushed, r.sets_kept,
		       r.sets_kept == 1 ? "" : "s", r.sets_removed, r.sets_added, lan_flushed);
	return ret;
}

/* The file's configuration and static sets into the maps. A first load
 * finds them empty; a load over a running lwB4 keeps what still holds
 * (reload_state). */
static int install_config(const struct lw_b4_maps *maps, const struct b4_file *bf)
{
	struct lw_b4_config old = {};
	bool running = lw_b4_config_read(maps, &old) == 0 && old.lan_ifindex != 0;
	int ret = lw_b4_config_write(maps, &bf->cfg);

	if (!ret)
		ret = reload_state(maps, &old, bf, running);
	if (!ret)
		ret = lw_b4_write_meta(maps);
	return ret ? lw_fail("cannot install the configuration: %s", strerror(-ret)) : 0;
}

/* The configuration and the next-hop cache's reset into the loaded object. */
static int install_all(struct bpf_object *obj, const struct b4_file *bf)
{
	struct lw_b4_maps maps;
	char err[LW_ERR_MAX];
	int ret;

	if (lw_b4_maps_from_obj(obj, &maps, err, sizeof(err)))
		return lw_fail("%s", err);
	ret = install_config(&maps, bf);
	if (!ret) /* as the lwAFTR's: pcpd --role b4 judges the new configuration */
		lw_nh_after_load(NULL,
				 bpf_object__find_map_fd_by_name(obj, LW_STR(LW_MAP_B4_NEXTHOP)));
	return ret;
}

/* Loads the program (pinning its maps), installs bf and attaches it: over a
 * running instance the program goes in first (a failed attach leaves the
 * instance as it was), a fresh one gets its configuration first. */
static int load_and_attach(const struct lw_attach_target *t, const struct b4_file *bf)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .pin_root_path = lw_pin_root);
	struct lw4o6_b4 *skel = lw4o6_b4__open_opts(&open_opts);
	bool running = lw_instance_running(t);
	int ret;

	if (!skel)
		return lw_fail("cannot open the lwB4 BPF object: %s", strerror(errno));
	ret = lw4o6_b4__load(skel);
	if (ret)
		ret = lw_fail_load("lwB4", ret);
	else if (running)
		ret = lw_instance_attach(t, bpf_program__fd(skel->progs.lw4o6_b4)) ||
		      install_all(skel->obj, bf);
	else
		ret = install_all(skel->obj, bf) ||
		      lw_instance_attach(t, bpf_program__fd(skel->progs.lw4o6_b4));
	lw4o6_b4__destroy(skel); /* the attachment and the pins keep it all alive */
	return ret ? LW_EXIT_FAIL : 0;
}

/* Pins of a build before program pins: the interfaces their configuration
 * names (their lw4o6_b4 is this instance's). */
static void b4_legacy_interfaces(struct lw_attach_target *t)
{
	struct lw_b4_maps m;
	struct lw_b4_config cfg = {};
	char err[LW_ERR_MAX];
	int fd = lw_instance_prog_fd(LW_B4_PROG_NAME);

	if (fd >= 0) {
		close(fd);
		return;
	}
	if (lw_b4_maps_open_pinned(lw_pin_root, &m, err, sizeof(err)))
		return;
	if (lw_b4_config_read(&m, &cfg) == 0) {
		t->legacy_ifindex[0] = cfg.lan_ifindex;
		t->legacy_ifindex[1] = cfg.wan_ifindex;
	}
	lw_b4_maps_close(&m);
}

/* Refuses an interface another program runs on before loading anything;
 * a failed load removes whatever it pinned. */
static int load_attach_clean(const struct b4_load_opts *o, const struct b4_file *bf)
{
	struct lw_attach_target t;
	struct lw_pin_snapshot snap;
	int ret;

	lw_attach_target_init(&t, bf->cfg.lan_ifindex, o->lan, bf->cfg.wan_ifindex, o->wan,
			      o->xdp_flags, LW_B4_PROG_NAME);
	b4_legacy_interfaces(&t);
	if (lw_instance_check_target(&t))
		return LW_EXIT_FAIL;
	if (lw_pins_snapshot(&snap))
		return lw_fail("cannot read %s: out of memory", lw_pin_root);
	ret = load_and_attach(&t, bf);
	if (ret)
		lw_pins_restore(&snap);
	else
		lw_pins_snapshot_free(&snap);
	return ret;
}

int cmd_b4_load(int argc, char **argv)
{
	struct b4_load_opts o = {};
	struct b4_file bf;
	unsigned lan_if, wan_if;

	parse_load_opts(argc, argv, &o);
	lan_if = if_nametoindex(o.lan);
	if (!lan_if)
		return lw_fail("interface '%s' (--lan-dev) does not exist", o.lan);
	wan_if = if_nametoindex(o.wan);
	if (!wan_if)
		return lw_fail("interface '%s' (--wan-dev) does not exist", o.wan);
	if (b4_conf_read(o.config, &bf))
		return LW_EXIT_FAIL;
	bf.cfg.lan_ifindex = lan_if;
	bf.cfg.wan_ifindex = wan_if;
	if (o.fib_nh)
		bf.cfg.flags |= LW_B4_CFG_NH_FIB;
	if (check_existing_pins())
		return LW_EXIT_FAIL;
	warn_host_settings(o.wan);
	if (load_attach_clean(&o, &bf))
		return LW_EXIT_FAIL;
	printf("lwB4 attached: LAN (IPv4) %s, WAN (IPv6) %s%s, %zu static port set%s, maps under %s\n",
	       o.lan, o.wan, lan_if == wan_if ? " (on a stick)" : "", bf.n_sets,
	       bf.n_sets == 1 ? "" : "s", lw_pin_root);
	return 0;
}

/* ---- unload, status, stats ---------------------------------------------------- */

/* This instance's program leaves every interface it runs on, whatever the
 * maps' ABI; pins of a build before program pins: by the configured
 * interfaces, which needs maps this build reads. */
static int b4_unload_detach(struct lw_b4_config *cfg)
{
	struct lw_b4_maps m;

	if (lw_instance_detach(LW_B4_PROG_NAME) >= 0)
		return 0;
	if (b4_maps_open(&m))
		return LW_EXIT_FAIL;
	lw_b4_config_read(&m, cfg);
	b4_maps_close(&m);
	lw_instance_detach_unpinned(cfg->lan_ifindex, cfg->wan_ifindex, LW_B4_PROG_NAME);
	return 0;
}

static void b4_unpin_prog(void)
{
	char path[PATH_MAX];

	lw_instance_prog_pin_path(LW_B4_PROG_NAME, path, sizeof(path));
	if (unlink(path) && errno != ENOENT)
		fprintf(stderr, "lw4o6: warning: cannot remove %s: %s\n", path, strerror(errno));
}

int cmd_b4_unload(int argc, char **argv)
{
	struct lw_b4_config cfg = {};
	bool keep = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--keep-maps"))
			keep = true;
		else
			lw_die_usage("unload: unknown argument '%s'", argv[i]);
	}
	if (b4_unload_detach(&cfg))
		return LW_EXIT_FAIL;
	b4_unpin_prog(); /* detached: nothing of this instance runs */
	if (keep)
		return 0;
	for (size_t i = 0; lw_b4_pin_name(i); i++) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%s", lw_pin_root, lw_b4_pin_name(i));
		if (unlink(path) && errno != ENOENT)
			fprintf(stderr, "lw4o6: warning: cannot remove %s: %s\n", path,
				strerror(errno));
	}
	{
		/* the next-hop cache is not one of b4_maps.c's maps */
		char path[PATH_MAX];

		lw_b4_nh_pin_path(lw_pin_root, path, sizeof(path));
		if (unlink(path) && errno != ENOENT)
			fprintf(stderr, "lw4o6: warning: cannot remove %s: %s\n", path,
				strerror(errno));
	}
	/* the directory goes when nothing else is pinned there */
	if (rmdir(lw_pin_root) && errno != ENOTEMPTY && errno != EEXIST)
		return lw_fail("cannot remove %s: %s", lw_pin_root, strerror(errno));
	return 0;
}

static int count_session(const struct lw_b4_session_row *row, void *arg)
{
	(*(size_t *)arg)++;
	return 0;
}

/* A held set's lease as status shows it: "static", "PCP lease, N s left" or
 * "PCP lease, expired" (lease_expires is CLOCK_REALTIME seconds). */
static void fmt_lease(const struct lw_b4_portset *ps, time_t now, char *buf, size_t len)
{
	if (!ps->lease_expires)
		snprintf(buf, len, "static");
	else if ((time_t)ps->lease_expires <= now)
		snprintf(buf, len, "PCP lease, expired");
	else
		snprintf(buf, len, "PCP lease, %lld s left",
			 (long long)ps->lease_expires - (long long)now);
}

/* What status shows, read from the maps at once. */
struct b4_status {
	struct lw_b4_config cfg;
	struct lw_b4_portset sets[LW_B4_POOL_MAX];
	uint32_t per_set[LW_B4_POOL_MAX], per_set_pcp[LW_B4_POOL_MAX];
	size_t nsets, nsess;
	uint64_t ports, mapped;
	__u32 map_id_cfg, map_id_pool, map_id_out, map_id_sess, map_id_stats, map_id_events;
	__u32 lan_prog, wan_prog;
	char lan_dev[IF_NAMESIZE], wan_dev[IF_NAMESIZE];
	char tunnel[LW_IPV6_STRLEN], aftr[LW_IPV6_STRLEN], lan_addr[LW_IPV4_STRLEN];
	time_t now;
};

static void read_status(const struct lw_b4_maps *m, struct b4_status *st)
{
	memset(st, 0, sizeof(*st));
	st->now = time(NULL);
	lw_b4_config_read(m, &st->cfg);
	lw_b4_pool_list(m, st->sets, LW_B4_POOL_MAX, &st->nsets);
	if (st->nsets > LW_B4_POOL_MAX)
		st->nsets = LW_B4_POOL_MAX;
	lw_b4_session_foreach(m, count_session, &st->nsess);
	lw_b4_pool_mappings(m, st->sets, st->nsets, st->per_set, st->per_set_pcp);
	lw_b4_usage_read(m, &st->mapped);
	for (size_t i = 0; i < st->nsets; i++)
		st->ports += st->sets[i].size;
	st->map_id_cfg = lw_map_id(m->cfg);
	st->map_id_pool = lw_map_id(m->pool);
	st->map_id_out = lw_map_id(m->out);
	st->map_id_sess = lw_map_id(m->sess);
	st->map_id_stats = lw_map_id(m->stats);
	st->map_id_events = lw_map_id(m->events);
	st->lan_prog = lw_xdp_prog_id(st->cfg.lan_ifindex);
	st->wan_prog = lw_xdp_prog_id(st->cfg.wan_ifindex);
	lw_ifname(st->cfg.lan_ifindex, st->lan_dev);
	lw_ifname(st->cfg.wan_ifindex, st->wan_dev);
	lw_format_ipv6(&st->cfg.tunnel_addr, st->tunnel, sizeof(st->tunnel));
	lw_format_ipv6(&st->cfg.aftr_addr, st->aftr, sizeof(st->aftr));
	lw_format_ipv4(st->cfg.lan_addr, st->lan_addr, sizeof(st->lan_addr));
}

static double usage_percent(const struct b4_status *st)
{
	return st->ports ? (double)st->mapped * 100.0 / (double)st->ports : 0.0;
}

static const char *json_bool(bool b)
{
	return b ? "true" : "false";
}

static void print_held_set_json(const struct b4_status *st, size_t i)
{
	const struct lw_b4_portset *ps = &st->sets[i];
	time_t expires = (time_t)ps->lease_expires;
	char a[LW_IPV4_STRLEN];

	lw_format_ipv4(ps->ipv4, a, sizeof(a));
	printf("%s{\"ipv4\":\"%s\",\"first\":%u,\"size\":%u,\"last\":%u,", i ? "," : "", a,
	       ps->first, ps->size, ps->first + ps->size - 1);
	if (ps->lease_expires)
		printf("\"lease\":\"pcp\",\"lease-expires\":%u,\"lease-left-s\":%lld,"
		       "\"lease-expired\":%s,",
		       ps->lease_expires,
		       expires > st->now ? (long long)ps->lease_expires - (long long)st->now : 0,
		       json_bool(expires <= st->now));
	else
		printf("\"lease\":\"static\",\"lease-expires\":null,\"lease-left-s\":null,"
		       "\"lease-expired\":false,");
	printf("\"mappings\":%u,\"pcp-mappings\":%u}", st->per_set[i], st->per_set_pcp[i]);
}

/* The way to the lwAFTR: the next-hop cache or the FIB, and why. */
static void print_nexthop(const struct lw_b4_config *cfg, bool json)
{
	static const unsigned fams[] = { LW_NH_IPV6 };
	char path[PATH_MAX];

	lw_b4_nh_pin_path(lw_pin_root, path, sizeof(path));
	lw_nh_print_status(path, cfg->flags & LW_B4_CFG_NH_FIB ? "fib" : "cache", fams, 1, json);
}

static void print_status_json(const struct b4_status *st)
{
	const struct lw_b4_config *cfg = &st->cfg;

	printf("{\"role\":\"b4\",\"pin-root\":");
	lw_json_str(stdout, lw_pin_root);
	printf(",\"lan-dev\":");
	lw_json_str(stdout, st->lan_dev);
	printf(",\"lan-xdp-prog-id\":%u,\"wan-dev\":", st->lan_prog);
	lw_json_str(stdout, st->wan_dev);
	printf(",\"wan-xdp-prog-id\":%u,\"tunnel-ipv6\":\"%s\",\"aftr-ipv6\":\"%s\","
	       "\"lan-address\":\"%s/%u\",\"tunnel-mtu\":%u,\"hop-limit\":%u,\"filtering\":\"%s\","
	       "\"mss-clamp\":%s,\"events\":%s,\"event-rate\":%u,\"event-burst\":%u,"
	       "\"udp-timeout\":%u,\"tcp-established-timeout\":%u,\"tcp-transitory-timeout\":%u,"
	       "\"icmp-timeout\":%u,\"port-sets\":%zu,\"sessions\":%zu,\"maps\":{",
	       st->wan_prog, st->tunnel, st->aftr, st->lan_addr, cfg->lan_prefixlen, cfg->ipv6_mtu,
	       cfg->hop_limit, cfg->flags & LW_B4_CFG_EIF ? "eif" : "adf",
	       json_bool(cfg->flags & LW_B4_CFG_MSS_CLAMP),
	       json_bool(cfg->flags & LW_B4_CFG_EVENTS), cfg->event_rate, cfg->event_burst,
	       cfg->udp_timeout, cfg->tcp_est_timeout, cfg->tcp_trans_timeout, cfg->icmp_timeout,
	       st->nsets, st->nsess);
	printf("\"config\":%u,\"pool\":%u,\"out\":%u,\"sess\":%u,\"stats\":%u,\"events\":%u},",
	       st->map_id_cfg, st->map_id_pool, st->map_id_out, st->map_id_sess, st->map_id_stats,
	       st->map_id_events);
	print_nexthop(cfg, true);
	/* the held sets, their leases and mappings; the pool's usage */
	printf("\"held-sets\":[");
	for (size_t i = 0; i < st->nsets; i++)
		print_held_set_json(st, i);
	printf("],\"pool-usage\":{\"ports\":%llu,\"mapped\":%llu,\"percent\":%.1f}}\n",
	       (unsigned long long)st->ports, (unsigned long long)st->mapped, usage_percent(st));
}

static void print_status_text(const struct b4_status *st)
{
	const struct lw_b4_config *cfg = &st->cfg;

	printf("role            lwB4 (maps under %s)\n", lw_pin_root);
	printf("LAN (IPv4)      %s, XDP program id %u; lwB4 %s/%u\n", st->lan_dev, st->lan_prog,
	       st->lan_addr, cfg->lan_prefixlen);
	printf("WAN (IPv6)      %s, XDP program id %u%s\n", st->wan_dev, st->wan_prog,
	       cfg->lan_ifindex == cfg->wan_ifindex ? " (on a stick)" : "");
	if (!st->lan_prog || !st->wan_prog)
		printf("                warning: not attached on every interface\n");
	printf("tunnel          %s -> lwAFTR %s, MTU %u, hop limit %u\n", st->tunnel, st->aftr,
	       cfg->ipv6_mtu, cfg->hop_limit);
	print_nexthop(cfg, false);
	printf("NAPT            filtering %s, MSS clamp %s; %zu port set%s, %zu mapping%s\n",
	       cfg->flags & LW_B4_CFG_EIF ? "endpoint-independent" : "address-dependent",
	       cfg->flags & LW_B4_CFG_MSS_CLAMP ? "on" : "off", st->nsets,
	       st->nsets == 1 ? "" : "s", st->nsess, st->nsess == 1 ? "" : "s");
	for (size_t i = 0; i < st->nsets; i++) {
		char b[LW_B4_SET_STRLEN], lease[48];

		b4_set_format(&st->sets[i], b, sizeof(b));
		fmt_lease(&st->sets[i], st->now, lease, sizeof(lease));
		printf("port set        %s (%u): %s; %u mapping%s, %u PCP\n", b, st->sets[i].size,
		       lease, st->per_set[i], st->per_set[i] == 1 ? "" : "s", st->per_set_pcp[i]);
	}
	printf("pool usage      %llu of %llu ports mapped (%.1f %%)\n",
	       (unsigned long long)st->mapped, (unsigned long long)st->ports, usage_percent(st));
	printf("timers          UDP %u s, TCP established %u s, transitory %u s, ICMP %u s\n",
	       cfg->udp_timeout, cfg->tcp_est_timeout, cfg->tcp_trans_timeout, cfg->icmp_timeout);
	printf("events          %s, %u/s burst %u\n", cfg->flags & LW_B4_CFG_EVENTS ? "on" : "off",
	       cfg->event_rate, cfg->event_burst);
	printf("map ids         config %u, pool %u, out %u, sess %u, stats %u, events %u\n",
	       st->map_id_cfg, st->map_id_pool, st->map_id_out, st->map_id_sess, st->map_id_stats,
	       st->map_id_events);
}

int cmd_b4_status(int argc, char **argv)
{
	bool json = argc > 1 && !strcmp(argv[1], "--json");
	struct b4_status st;
	struct lw_b4_maps m;

	if (argc > 2 || (argc > 1 && !json))
		lw_die_usage("status: unknown argument '%s'", argv[argc - 1]);
	if (b4_maps_open(&m))
		return LW_EXIT_FAIL;
	read_status(&m, &st);
	b4_maps_close(&m);
	if (json)
		print_status_json(&st);
	else
		print_status_text(&st);
	return 0;
}

int cmd_b4_stats(int argc, char **argv)
{
	struct lw_counter st[LW_B4_STAT_MAX];
	struct lw_b4_maps m;
	bool json = false, reset = false;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--reset"))
			reset = true;
		else if (!strcmp(argv[i], "--softwires"))
			lw_die_usage(
				"stats: --softwires is an lwAFTR option; the pins under %s are an lwB4's "
				"(see 'lw4o6 sessions')",
				lw_pin_root);
		else
			lw_die_usage("stats: unknown argument '%s'", argv[i]);
	}
	if (b4_maps_open(&m))
		return LW_EXIT_FAIL;
	ret = reset ? lw_b4_stats_reset(&m) : lw_b4_stats_read(&m, st);
	b4_maps_close(&m);
	if (ret)
		return lw_fail("cannot %s counters: %s", reset ? "reset" : "read", strerror(-ret));
	if (reset)
		return 0;
	if (json) {
		printf("{\"role\":\"b4\",");
		lw_print_counters_json(st, LW_B4_STAT_MAX, lw_b4_stat_name);
		printf("}\n");
	} else {
		lw_print_counters_table("counter (lwB4)", st, LW_B4_STAT_MAX, lw_b4_stat_name);
	}
	return 0;
}

/* ---- set ---------------------------------------------------------------------------- */

/* lw4o6 set KEY VALUE on an lwB4's pins: the running data plane reads its
 * configuration map for every packet and pcpd --role b4 reads it again at
 * every expiry round, so the new value holds at once; the mappings, sets
 * and counters stay (issue 12). */
int cmd_b4_set(int argc, char **argv)
{
	struct lw_b4_config cfg;
	struct lw_b4_maps m;
	char err[LW_ERR_MAX];
	int ret;

	if (argc != 3)
		lw_die_usage("set KEY VALUE (an lwB4: %s)", B4_SET_KEYS);
	if (b4_maps_open(&m))
		return LW_EXIT_FAIL;
	if ((ret = lw_b4_config_read(&m, &cfg))) {
		b4_maps_close(&m);
		return lw_fail("cannot read the configuration map: %s", strerror(-ret));
	}
	if (b4_conf_set(&cfg, argv[1], argv[2], err, sizeof(err))) {
		b4_maps_close(&m);
		lw_die_usage("set: %s", err);
	}
	ret = lw_b4_config_write(&m, &cfg);
	b4_maps_close(&m);
	return ret ? lw_fail("cannot write the configuration: %s", strerror(-ret)) : 0;
}

/* ---- portset ------------------------------------------------------------------------ */

static void portset_args(int argc, char **argv, struct lw_b4_portset *ps, bool *json)
{
	static const struct option opts[] = {
		{ "ipv4", required_argument, NULL, '4' },
		{ "first", required_argument, NULL, 'f' },
		{ "size", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	const char *a = NULL, *f = NULL, *s = NULL;
	char err[LW_ERR_MAX];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case '4': a = optarg; break;
		case 'f': f = optarg; break;
		case 's': s = optarg; break;
		case 'j': *json = true; break;
		default: lw_die_usage("portset %s: bad option", argv[0]);
		}
	}
	if (optind < argc)
		lw_die_usage("portset %s: unexpected argument '%s'", argv[0], argv[optind]);
	if (!a || !f || !s)
		lw_die_usage("portset %s needs --ipv4, --first and --size", argv[0]);
	if (b4_set_parse(a, f, s, ps, err, sizeof(err)))
		lw_die_usage("portset %s: %s", argv[0], err);
}

static void print_set(const struct lw_b4_portset *ps, bool json, bool first)
{
	char a[LW_IPV4_STRLEN];

	lw_format_ipv4(ps->ipv4, a, sizeof(a));
	if (json)
		printf("%s{\"ipv4\":\"%s\",\"first\":%u,\"size\":%u,\"last\":%u}", first ? "" : ",",
		       a, ps->first, ps->size, ps->first + ps->size - 1);
	else
		printf("%-15s first %5u size %5u (ports %u-%u)\n", a, ps->first, ps->size,
		       ps->first, ps->first + ps->size - 1);
}

static int portset_list(int argc, char **argv)
{
	struct lw_b4_portset sets[LW_B4_POOL_MAX];
	bool json = argc == 3 && !strcmp(argv[2], "--json");
	struct lw_b4_maps m;
	size_t n = 0;
	int ret;

	if (argc > 3 || (argc == 3 && !json))
		lw_die_usage("portset list: unknown argument '%s'", argv[argc - 1]);
	if (b4_maps_open(&m))
		return LW_EXIT_FAIL;
	ret = lw_b4_pool_list(&m, sets, LW_B4_POOL_MAX, &n);
	b4_maps_close(&m);
	if (ret)
		return lw_fail("cannot read the port sets: %s", strerror(-ret));
	if (json)
		printf("{\"port-sets\":[");
	for (size_t i = 0; i < n && i < LW_B4_POOL_MAX; i++)
		print_set(&sets[i], json, i == 0);
	if (json)
		printf("]}\n");
	return 0;
}

static int portset_add(const struct lw_b4_portset *ps, const char *name, bool json)
{
	struct lw_b4_portset sets[LW_B4_POOL_MAX];
	const struct lw_b4_portset *o;
	struct lw_b4_maps m;
	size_t n = 0;
	int ret;

	if (b4_maps_open(&m))
		return LW_EXIT_FAIL;
	ret = lw_b4_pool_list(&m, sets, LW_B4_POOL_MAX, &n);
	if (!ret && (o = b4_set_overlapping(sets, n < LW_B4_POOL_MAX ? n : LW_B4_POOL_MAX, ps))) {
		char held[LW_B4_SET_STRLEN];

		b4_set_format(o, held, sizeof(held));
		b4_maps_close(&m);
		return lw_fail("portset add: %s overlaps the set %s already held", name, held);
	}
	if (!ret)
		ret = lw_b4_pool_add(&m, ps);
	b4_maps_close(&m);
	if (ret == -ENOSPC)
		return lw_fail(
			"portset add: no room for %s: the lwB4 holds at most %d port sets of "
			"%d ports in all",
			name, LW_B4_POOL_MAX, LW_B4_POOL_PORTS);
	if (ret == -EEXIST)
		return lw_fail("portset add: %s overlaps a set already held", name);
	if (ret)
		return lw_fail("portset add %s: %s", name, strerror(-ret));
	if (json)
		printf("{\"added\":true}\n");
	return 0;
}

static int portset_del(const struct lw_b4_portset *ps, const char *name, bool json)
{
	struct lw_b4_maps m;
	size_t flushed = 0;
	int ret;

	if (b4_maps_open(&m))
		return LW_EXIT_FAIL;
	ret = lw_b4_pool_del(&m, ps, &flushed);
	b4_maps_close(&m);
	if (ret == -ENOENT)
		return lw_fail("portset del: %s is not held (see 'lw4o6 portset list')", name);
	if (ret)
		return lw_fail("portset del %s: %s", name, strerror(-ret));
	if (json)
		printf("{\"flushed\":%zu}\n", flushed);
	else
		printf("removed %s; %zu mapping%s flushed\n", name, flushed,
		       flushed == 1 ? "" : "s");
	return 0;
}

int cmd_portset(int argc, char **argv)
{
	struct lw_b4_portset ps;
	char name[LW_B4_SET_STRLEN];
	bool json = false;

	if (argc < 2)
		lw_die_usage("portset add|del --ipv4 A --first P --size N | portset list [--json]");
	if (!strcmp(argv[1], "list"))
		return portset_list(argc, argv);
	if (strcmp(argv[1], "add") && strcmp(argv[1], "del"))
		lw_die_usage("portset: unknown subcommand '%s' (add, del, list)", argv[1]);
	portset_args(argc - 1, argv + 1, &ps, &json);
	b4_set_format(&ps, name, sizeof(name));
	if (!strcmp(argv[1], "add"))
		return portset_add(&ps, name, json);
	return portset_del(&ps, name, json);
}

/* ---- sessions and expiry --------------------------------------------------------- */

struct sess_ctx {
	bool json;
	size_t n;
	uint64_t now;
	struct lw_b4_config cfg;
};

/* lw_b4_session.tcp_state, bit i (LW_B4_TCP_SYN_OUT ... LW_B4_TCP_RST) */
static const char *const tcp_bits[] = { "syn-out", "syn-in", "fin-out", "fin-in", "rst" };
#define N_TCP_BITS (int)(sizeof(tcp_bits) / sizeof(tcp_bits[0]))

static const char *proto_name(uint8_t p)
{
	return p == IPPROTO_TCP    ? "tcp"
	       : p == IPPROTO_UDP  ? "udp"
	       : p == IPPROTO_ICMP ? "icmp"
				   : "other";
}

static double age_s(uint64_t now, uint64_t then)
{
	return then && now > then ? (double)(now - then) / 1e9 : 0.0;
}

static int print_session(const struct lw_b4_session_row *r, void *arg)
{
	struct sess_ctx *c = arg;
	const struct lw_b4_session *s = &r->s;
	char ia[LW_IPV4_STRLEN], ea[LW_IPV4_STRLEN], ra[LW_IPV4_STRLEN], st[40] = "";
	double timeout =
		(double)lw_b4_session_timeout_ns(&c->cfg, r->key.proto, s->tcp_state) / 1e9;
	/* explicit (PCP) mappings: their kind and the seconds left of their
	 * lifetime, which replaces the idle timers */
	const char *kind = s->pcp_kind == LW_B4_PCP_MAP    ? "map"
			   : s->pcp_kind == LW_B4_PCP_PEER ? "peer"
							   : "?";
	bool expl = s->pcp_until_ns != 0;
	double left = expl && s->pcp_until_ns > c->now ? (double)(s->pcp_until_ns - c->now) / 1e9
						       : 0.0;
	int nr = 0;

	lw_format_ipv4(r->key.addr, ia, sizeof(ia));
	lw_format_ipv4(s->ext_addr, ea, sizeof(ea));
	if (c->json) {
		printf("%s{\"protocol\":\"%s\",\"internal-address\":\"%s\",\"internal-port\":%u,"
		       "\"external-address\":\"%s\",\"external-port\":%u,\"tcp-state\":[",
		       c->n ? "," : "", proto_name(r->key.proto), ia, ntohs(r->key.port), ea,
		       ntohs(s->ext_port));
		for (int i = 0, k = 0; i < N_TCP_BITS; i++)
			if (s->tcp_state & (1u << i))
				printf("%s\"%s\"", k++ ? "," : "", tcp_bits[i]);
		printf("],\"remotes\":[");
		for (int i = 0; i < LW_B4_REMOTES; i++)
			if (s->remotes[i])
				printf("%s\"%s\"", nr++ ? "," : "",
				       lw_format_ipv4(s->remotes[i], ra, sizeof(ra)));
		printf("],\"age-s\":%.3f,\"last-out-s\":%.3f,", age_s(c->now, s->created_ns),
		       age_s(c->now, s->last_out_ns));
		if (s->last_in_ns)
			printf("\"last-in-s\":%.3f,", age_s(c->now, s->last_in_ns));
		else
			printf("\"last-in-s\":null,");
		if (expl)
			printf("\"explicit\":true,\"pcp-kind\":\"%s\",\"pcp-left-s\":%.0f,", kind,
			       left);
		else
			printf("\"explicit\":false,\"pcp-kind\":null,\"pcp-left-s\":null,");
		printf("\"timeout-s\":%.0f,\"expired\":%s,\"packets-out\":%llu,\"packets-in\":%llu}",
		       timeout,
		       lw_b4_session_expired(&c->cfg, r->key.proto, s, c->now) ? "true" : "false",
		       (unsigned long long)s->packets_out, (unsigned long long)s->packets_in);
	} else {
		char in[32], ex[32], last_in[16], pcp[24] = "-";

		for (int i = 0; i < N_TCP_BITS; i++)
			if (s->tcp_state & (1u << i))
				snprintf(st + strlen(st), sizeof(st) - strlen(st), "%s%s",
					 st[0] ? "," : "", tcp_bits[i]);
		snprintf(in, sizeof(in), "%s:%u", ia, ntohs(r->key.port));
		snprintf(ex, sizeof(ex), "%s:%u", ea, ntohs(s->ext_port));
		if (s->last_in_ns)
			snprintf(last_in, sizeof(last_in), "%.1f", age_s(c->now, s->last_in_ns));
		else
			snprintf(last_in, sizeof(last_in), "-");
		if (expl)
			snprintf(pcp, sizeof(pcp), "%s,%.0fs", kind, left);
		printf("%-5s %-21s %-21s %8.1f %8.1f %8s %7.0f %9llu %9llu %-11s %s\n",
		       proto_name(r->key.proto), in, ex, age_s(c->now, s->created_ns),
		       age_s(c->now, s->last_out_ns), last_in, timeout,
		       (unsigned long long)s->packets_out, (unsigned long long)s->packets_in, pcp,
		       st);
	}
	c->n++;
	return 0;
}

int cmd_sessions(int argc, char **argv)
{
	struct sess_ctx c = {};
	struct lw_b4_maps m;
	int ret;

	c.json = argc == 2 && !strcmp(argv[1], "--json");
	if (argc > 2 || (argc == 2 && !c.json))
		lw_die_usage("sessions: unknown argument '%s'", argv[argc - 1]);
	if (b4_maps_open(&m))
		return LW_EXIT_FAIL;
	if ((ret = lw_b4_config_read(&m, &c.cfg))) {
		b4_maps_close(&m);
		return lw_fail("cannot read the configuration map: %s", strerror(-ret));
	}
	c.now = lw_b4_now_ns();
	if (c.json)
		printf("{\"sessions\":[");
	else
		printf("%-5s %-21s %-21s %8s %8s %8s %7s %9s %9s %-11s %s\n", "proto", "internal",
		       "external", "age-s", "out-s", "in-s", "timeout", "pkts-out", "pkts-in",
		       "pcp", "tcp");
	ret = lw_b4_session_foreach(&m, print_session, &c);
	b4_maps_close(&m);
	if (c.json)
		printf("],\"count\":%zu}\n", c.n);
	return ret ? lw_fail("cannot read the sessions: %s", strerror(-ret)) : 0;
}

int cmd_expire(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "advance", required_argument, NULL, 'a' },
		{ 0 },
	};
	struct lw_b4_maps m;
	uint32_t adv = 0;
	size_t n = 0;
	bool json = false;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'a') {
			if (lw_parse_u32(optarg, 0, YEAR_SECONDS, &adv))
				lw_die_usage("expire --advance: '%s' is not a number of seconds",
					     optarg);
		} else
			lw_die_usage("expire: bad option");
	}
	if (optind < argc)
		lw_die_usage("expire: unexpected argument '%s'", argv[optind]);
	if (b4_maps_open(&m))
		return LW_EXIT_FAIL;
	ret = lw_b4_expire(&m, lw_b4_now_ns() + (uint64_t)adv * NSEC_PER_SEC, &n);
	b4_maps_close(&m);
	if (ret)
		return lw_fail("expire: %s", strerror(-ret));
	if (json)
		printf("{\"expired\":%zu}\n", n);
	else
		printf("%zu mapping%s expired\n", n, n == 1 ? "" : "s");
	return 0;
}
