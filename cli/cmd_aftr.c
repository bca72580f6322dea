// SPDX-License-Identifier: GPL-2.0
/* lw4o6 load / configure / unload / status / set for the lwAFTR. */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lw4o6/abi.h"
#include "lw4o6/aftr.h"
#include "lw4o6_aftr.skel.h"
#include "aftr_maps.h"
#include "aftr_nexthop.h"
#include "nh_status.h"
#include "config_file.h"
#include "pinned_maps.h"
#include "addr.h"
#include "cli.h"
#include "instance.h"

struct load_opts {
	const char *ipv6_dev, *ipv4_dev, *config;
	const char *obj; /* --obj: the program from this object, not the one built in */
	__u32 xdp_flags;
	__u32 max_softwires; /* 0: from the pins, else from the configuration */
	bool attach;
	bool static_nh;
	bool fib_nh; /* --nexthop fib: no next-hop cache */
};

static int parse_load_opts(int argc, char **argv, struct load_opts *o)
{
	static const struct option opts[] = {
		{ "ipv6-dev", required_argument, NULL, '6' },
		{ "ipv4-dev", required_argument, NULL, '4' },
		{ "mode", required_argument, NULL, 'm' },
		{ "config", required_argument, NULL, 'c' },
		{ "nexthop", required_argument, NULL, 'n' },
		{ "max-softwires", required_argument, NULL, 'x' },
		{ "obj", required_argument, NULL, 'o' },
		{ 0 },
	};
	uint32_t n;
	int c;

	if (argc < 2 || strcmp(argv[1], "aftr"))
		lw_die_usage("%s: expected a role: '%s aftr' or '%s b4'", argv[0], argv[0],
			     argv[0]);
	argc--;
	argv++;
	optind = 1;
	o->xdp_flags = XDP_FLAGS_DRV_MODE;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case '6': o->ipv6_dev = optarg; break;
		case '4': o->ipv4_dev = optarg; break;
		case 'c': o->config = optarg; break;
		case 'n':
			o->static_nh = !strcmp(optarg, "static");
			o->fib_nh = !strcmp(optarg, "fib");
			if (!o->static_nh && !o->fib_nh && strcmp(optarg, "cache"))
				lw_die_usage("--nexthop must be cache, fib or static, not '%s'",
					     optarg);
			break;
		case 'm': o->xdp_flags = lw_xdp_mode_flags(optarg); break;
		case 'o': o->obj = optarg; break;
		case 'x':
			if (lw_parse_u32(optarg, 1, LW_MAX_SOFTWIRES_LIMIT, &n))
				lw_die_usage("--max-softwires: a number in 1..%u, not '%s'",
					     LW_MAX_SOFTWIRES_LIMIT, optarg);
			o->max_softwires = n;
			break;
		default: lw_die_usage("load aftr: bad option");
		}
	}
	if (optind < argc)
		lw_die_usage("load aftr: unexpected argument '%s'", argv[optind]);
	if (!o->ipv6_dev || !o->ipv4_dev || !o->config)
		lw_die_usage("load aftr needs --ipv6-dev, --ipv4-dev and --config");
	return 0;
}

static int ifindex_of(const char *dev, unsigned *ifindex)
{
	*ifindex = if_nametoindex(dev);
	if (!*ifindex)
		return lw_fail("interface '%s' does not exist (%s)", dev, strerror(errno));
	return 0;
}

/* Refuses pins of another ABI before libbpf fails with a vaguer message. */
static int check_existing_pins(void)
{
	struct lw_meta meta = {};

	if (lw_pinned_meta_read(lw_pin_root, LW_STR(LW_MAP_META), &meta) == 0 &&
	    !lw_meta_compatible(&meta, LW_ROLE_AFTR))
		return lw_fail(
			"maps under %s come from an incompatible lw4o6 build (ABI %u, this build %u); "
			"remove them with 'lw4o6 unload' or 'rm -r %s'",
			lw_pin_root, meta.abi_version, LW_ABI_VERSION, lw_pin_root);
	return 0;
}

/* Host settings under which the packets the program hands to the kernel
 * (first packets, before the neighbour is known) are lost. */
static void warn_host_settings(const char *v6dev, const char *v4dev)
{
	long rp = lw_read_sysctl("/proc/sys/net/ipv4/conf/%s/rp_filter", v6dev);
	long rp_all = lw_read_sysctl("/proc/sys/net/ipv4/conf/%s/rp_filter", "all");

	if (lw_forwarding_off())
		fprintf(stderr,
			"lw4o6: warning: forwarding is off (sysctl net.ipv4.ip_forward=1 "
			"net.ipv6.conf.all.forwarding=1): packets whose next hop is not yet "
			"resolved are handed to the kernel and will be lost\n");
	if ((rp > 0 || rp_all > 0) && strcmp(v6dev, v4dev))
		fprintf(stderr,
			"lw4o6: warning: rp_filter is on for %s: decapsulated packets handed to "
			"the kernel arrive there with pool sources and are dropped as martians; "
			"add a route for the pools via %s or set rp_filter=0\n",
			v6dev, v6dev);
	if (lw_read_sysctl("/proc/sys/net/ipv6/conf/%s/disable_ipv6", v4dev) == 1 &&
	    strcmp(v6dev, v4dev))
		fprintf(stderr,
			"lw4o6: warning: IPv6 is disabled on %s: encapsulated packets handed to "
			"the kernel from that interface are dropped\n",
			v4dev);
}

/* The configuration file, parsed: 0, or LW_EXIT_FAIL after saying why. */
static int read_config(const struct load_opts *o, struct lw_aftr_setup *s, unsigned v6, unsigned v4)
{
	char err[LW_ERR_MAX] = "";

	lw_setup_init(s);
	if (lw_config_load(o->config, LW_FMT_AUTO, s, err, sizeof(err))) {
		lw_setup_free(s);
		return lw_fail("%s", err);
	}
	for (size_t i = 0; i < s->n_unsupported; i++)
		fprintf(stderr, "lw4o6: warning: %s: %s is not supported and is ignored\n",
			o->config, s->unsupported[i]);
	s->cfg.ipv6_ifindex = v6;
	s->cfg.ipv4_ifindex = v4;
	if (o->fib_nh)
		s->cfg.flags |= LW_CFG_NH_FIB;
	if (o->static_nh && lw_setup_static_nexthops(s) != 2) {
		lw_setup_free(s);
		return lw_fail("%s: --nexthop static needs both sides' MAC and next-hop MAC in the "
			       "configuration",
			       o->config);
	}
	return 0;
}

/* New interfaces or flags: a next-hop cache entry of before (pins kept
 * across loads) is not to answer until pcpd has judged them. fd: the
 * object's map, or -1 for the pinned one. */
static void nexthop_fall_back(int fd)
{
	char path[PATH_MAX];

	lw_aftr_nh_pin_path(lw_pin_root, path, sizeof(path));
	lw_nh_after_load(path, fd);
}

/* The file's softwires become the configuration's (issue 12): over a
 * running lwAFTR those unchanged are not written (no packet lost, counters
 * kept), the changed ones are rewritten in place, those the file no longer
 * names go; pcpd's PCP bindings stay as they are. The pools are left
 * alone: the file names none (pcpd and `lw4o6 pool` add them), and
 * clearing them would leave pcpd's free pool addresses unserved until it
 * noticed. */
static int install_config(const struct lw_aftr_maps *maps, struct lw_aftr_setup *s)
{
	char err[LW_ERR_MAX] = "";
	int ret = lw_aftr_install(maps, s, 1, err, sizeof(err));

	if (ret)
		return lw_fail("%s", err[0] ? err : strerror(-ret));
	lw_info("installed %zu softwires, %zu BR addresses", s->n_softwires, s->n_br_addrs);
	return 0;
}

/* The binding table's capacity: the pins' when there are pins (their maps
 * are reused; another size needs an unload), else --max-softwires or what
 * the configuration needs, generously (chunks cost nothing until used). */
static int choose_capacity(const struct load_opts *o, const struct lw_aftr_setup *s, uint32_t *max)
{
	uint32_t pinned;

	if (lw_aftr_pinned_capacity(lw_pin_root, &pinned) == 0) {
		if (o->max_softwires && (o->max_softwires + 255) / 256 * 256 != pinned)
			return lw_fail("the lwAFTR pinned under %s holds %u softwires; "
				       "--max-softwires %u needs 'lw4o6 unload' first",
				       lw_pin_root, pinned, o->max_softwires);
		*max = pinned;
		return 0;
	}
	*max = o->max_softwires ? o->max_softwires : lw_aftr_capacity_for(s);
	return 0;
}

/* The configuration into the maps of the loaded object. */
static int install_all(struct lw_aftr_setup *s, struct bpf_object *obj)
{
	struct lw_aftr_maps maps = {};
	char err[LW_ERR_MAX];
	int ret;

	if (lw_aftr_maps_from_obj(obj, &maps, err, sizeof(err)))
		return lw_fail("%s", err);
	ret = install_config(&maps, s);
	if (!ret)
		nexthop_fall_back(lw_aftr_nh_fd_from_obj(obj));
	lw_aftr_maps_close(&maps);
	return ret;
}

/* Over a running instance the new program goes in first, on the maps as
 * they are (same ABI, so it serves them as the old one did): a failed
 * attach then leaves the instance exactly as it was. A fresh instance gets
 * its configuration before it sees a packet. */
/* The lwAFTR object: the one built into lw4o6, or --obj's (an upgrade: a
 * program built from other sources of the same ABI, on the same maps;
 * libbpf refuses a pinned map whose definition differs). */
static struct bpf_object *open_object(const struct load_opts *o, struct lw4o6_aftr **skel)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .pin_root_path = lw_pin_root);
	struct bpf_object *obj;

	*skel = NULL;
	if (!o->obj) {
		*skel = lw4o6_aftr__open_opts(&open_opts);
		if (!*skel) {
			lw_fail("cannot open the BPF object: %s", strerror(errno));
			return NULL;
		}
		return (*skel)->obj;
	}
	obj = bpf_object__open_file(o->obj, &open_opts);
	if (!obj) {
		char why[128];

		/* libbpf's own codes (not an ELF object, ...) are above errno's */
		libbpf_strerror(errno, why, sizeof(why));
		lw_fail("cannot open %s: %s", o->obj, why);
		return NULL;
	}
	if (!bpf_object__find_program_by_name(obj, LW_AFTR_PROG_NAME)) {
		lw_fail("%s has no program %s: not an lwAFTR object", o->obj, LW_AFTR_PROG_NAME);
		bpf_object__close(obj);
		return NULL;
	}
	return obj;
}

/* Over a running instance: the new program first, then the configuration.
 * A configuration the maps refuse (it claims a PCP binding's set, it does
 * not fit, ...) changes no map, and the program that ran before is put
 * back, so that a failed load leaves the instance as it was. */
static int replace_and_install(const struct lw_attach_target *t, int prog_fd,
			       struct lw_aftr_setup *s, struct bpf_object *obj)
{
	int old_fd = lw_instance_prog_fd(LW_AFTR_PROG_NAME);
	int ret = lw_instance_attach(t, prog_fd);

	if (!ret && (ret = install_all(s, obj)) && old_fd >= 0) {
		if (lw_instance_attach(t, old_fd))
			fprintf(stderr, "lw4o6: warning: the program that ran before could not be "
					"put back; the new one runs on the unchanged maps\n");
		else
			fprintf(stderr, "lw4o6: the program that ran before is back\n");
	}
	if (old_fd >= 0)
		close(old_fd);
	return ret;
}

static int load_and_install(const struct load_opts *o, struct lw_aftr_setup *s,
			    const struct lw_attach_target *t)
{
	struct lw4o6_aftr *skel;
	struct bpf_object *obj;
	char err[LW_ERR_MAX];
	uint32_t max = 0;
	bool running = lw_instance_running(t);
	int ret, prog_fd;

	if (choose_capacity(o, s, &max))
		return LW_EXIT_FAIL;
	obj = open_object(o, &skel);
	if (!obj)
		return LW_EXIT_FAIL;
	if (lw_aftr_obj_set_capacity(obj, max, err, sizeof(err)))
		ret = lw_fail("%s", err);
	else if ((ret = bpf_object__load(obj)))
		ret = lw_fail_load("lwAFTR", ret);
	else if ((prog_fd = bpf_program__fd(
			  bpf_object__find_program_by_name(obj, LW_AFTR_PROG_NAME))) < 0)
		ret = lw_fail("the lwAFTR program did not load");
	else if (running)
		ret = replace_and_install(t, prog_fd, s, obj);
	else
		ret = install_all(s, obj) || lw_instance_attach(t, prog_fd);
	/* the attachment and the pins keep it all alive */
	if (skel)
		lw4o6_aftr__destroy(skel);
	else
		bpf_object__close(obj);
	return ret ? LW_EXIT_FAIL : 0;
}

/* Pins of a build before program pins: the interfaces their configuration
 * names (their lw4o6_aftr is this instance's, for a load over it). */
static void legacy_interfaces(struct lw_attach_target *t)
{
	struct lw_aftr_maps maps;
	struct lw_aftr_config cfg = {};
	char err[LW_ERR_MAX];
	int fd = lw_instance_prog_fd(LW_AFTR_PROG_NAME);

	if (fd >= 0) {
		close(fd);
		return;
	}
	if (lw_aftr_maps_open_pinned(lw_pin_root, &maps, err, sizeof(err)))
		return;
	if (lw_aftr_config_read(&maps, &cfg) == 0) {
		t->legacy_ifindex[0] = cfg.ipv6_ifindex;
		t->legacy_ifindex[1] = cfg.ipv4_ifindex;
	}
	lw_aftr_maps_close(&maps);
}

/* Loads and attaches; a failure removes whatever this load pinned. */
static int load_attach(const struct load_opts *o, struct lw_aftr_setup *s, unsigned v6, unsigned v4)
{
	struct lw_attach_target t;
	struct lw_pin_snapshot snap;
	int ret;

	lw_attach_target_init(&t, v6, o->ipv6_dev, v4, o->ipv4_dev, o->xdp_flags,
			      LW_AFTR_PROG_NAME);
	legacy_interfaces(&t);
	if (lw_instance_check_target(&t))
		return LW_EXIT_FAIL;
	if (lw_pins_snapshot(&snap))
		return lw_fail("cannot read %s: out of memory", lw_pin_root);
	ret = load_and_install(o, s, &t);
	if (ret)
		lw_pins_restore(&snap);
	else
		lw_pins_snapshot_free(&snap);
	return ret;
}

static int do_load(int argc, char **argv, bool do_attach)
{
	struct load_opts o = { .attach = do_attach };
	struct lw_aftr_setup s;
	struct lw_aftr_maps maps;
	unsigned v6, v4;
	char err[LW_ERR_MAX];
	int ret;

	parse_load_opts(argc, argv, &o);
	if (ifindex_of(o.ipv6_dev, &v6) || ifindex_of(o.ipv4_dev, &v4))
		return LW_EXIT_FAIL;
	if (access(o.config, R_OK))
		return lw_fail("cannot read config '%s': %s", o.config, strerror(errno));
	if (lw_ensure_bpffs() || check_existing_pins())
		return LW_EXIT_FAIL;
	warn_host_settings(o.ipv6_dev, o.ipv4_dev);
	if (read_config(&o, &s, v6, v4))
		return LW_EXIT_FAIL;
	if (do_attach) {
		ret = load_attach(&o, &s, v6, v4);
	} else if (lw_aftr_maps_open_pinned(lw_pin_root, &maps, err, sizeof(err))) {
		/* a program loaded by xdp-loader -p LW4O6_PIN_ROOT is there already */
		ret = lw_fail("%s", err);
	} else {
		ret = install_config(&maps, &s) ? LW_EXIT_FAIL : 0;
		lw_aftr_maps_close(&maps);
	}
	lw_setup_free(&s);
	if (!ret && do_attach)
		printf("lwAFTR attached: access (IPv6) %s, internet (IPv4) %s%s, maps under %s\n",
		       o.ipv6_dev, o.ipv4_dev, v4 == v6 ? " (on a stick)" : "", lw_pin_root);
	return ret;
}

int cmd_load(int argc, char **argv)
{
	return do_load(argc, argv, true);
}

int cmd_configure(int argc, char **argv)
{
	return do_load(argc, argv, false);
}

int cmd_unload(int argc, char **argv)
{
	struct lw_aftr_maps maps;
	struct lw_aftr_config cfg = {};
	bool keep = false;
	char err[LW_ERR_MAX];
	DIR *d;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--keep-maps"))
			keep = true;
		else
			lw_die_usage("unload: unknown argument '%s'", argv[i]);
	}
	/* this instance's program, wherever it runs, whatever the maps' ABI */
	if (lw_instance_detach(LW_AFTR_PROG_NAME) >= 0) {
		/* detached */
	} else if (lw_aftr_maps_open_pinned(lw_pin_root, &maps, err, sizeof(err)) == 0) {
		/* pins of a build before program pins: by the configured interfaces */
		lw_aftr_config_read(&maps, &cfg);
		lw_aftr_maps_close(&maps);
		lw_instance_detach_unpinned(cfg.ipv6_ifindex, cfg.ipv4_ifindex, LW_AFTR_PROG_NAME);
	} else if (access(lw_pin_root, F_OK)) {
		return lw_fail("nothing to unload: %s does not exist", lw_pin_root);
	}
	if (keep) { /* detached: nothing of this instance runs */
		char path[PATH_MAX];

		lw_instance_prog_pin_path(LW_AFTR_PROG_NAME, path, sizeof(path));
		if (unlink(path) && errno != ENOENT)
			fprintf(stderr, "lw4o6: warning: cannot remove %s: %s\n", path,
				strerror(errno));
		return 0;
	}
	d = opendir(lw_pin_root);
	if (d) {
		struct dirent *de;
		char path[PATH_MAX];

		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", lw_pin_root, de->d_name);
			if (unlink(path))
				fprintf(stderr, "lw4o6: warning: cannot remove %s: %s\n", path,
					strerror(errno));
		}
		closedir(d);
		if (rmdir(lw_pin_root))
			return lw_fail("cannot remove %s: %s", lw_pin_root, strerror(errno));
	}
	return 0;
}

static const char *echo_policy_name(unsigned p)
{
	return p == LW_ECHO_IDENTIFIER ? "identifier" : p == LW_ECHO_PORT0 ? "port0" : "drop";
}

/* The next-hop mode the operator chose, and what each family does now. */
static void print_nexthop(const struct lw_aftr_config *cfg, bool json)
{
	static const unsigned fams[] = { LW_NH_IPV4, LW_NH_IPV6 };
	char path[PATH_MAX];
	const char *setting = "cache";

	if (cfg->flags & (LW_CFG_STATIC_NH4 | LW_CFG_STATIC_NH6))
		setting = "static";
	else if (cfg->flags & LW_CFG_NH_FIB)
		setting = "fib";
	lw_aftr_nh_pin_path(lw_pin_root, path, sizeof(path));
	lw_nh_print_status(path, setting, fams, 2, json);
}

static double mib(uint64_t bytes)
{
	return (double)bytes / (1024.0 * 1024.0);
}

/* The binding table's room, use and kernel memory (lw_aftr_capacity). */
static void print_capacity(const struct lw_aftr_capacity *c)
{
	printf("binding table   %u of %u softwires; %u addresses in %u of %u /24 blocks, "
	       "%u of %u /16 tables\n",
	       c->softwires, c->max_softwires, c->addresses, c->blocks, c->max_blocks, c->l2_tables,
	       c->max_l2_tables);
	printf("memory          %.1f MiB: %u chunks of 512 slots %.1f MiB (of %u), address "
	       "records %.1f MiB\n",
	       mib(c->bytes), c->chunks, mib(c->chunk_bytes), c->max_chunks, mib(c->record_bytes));
}

static void print_capacity_json(const struct lw_aftr_capacity *c)
{
	printf("\"capacity\":{\"max-softwires\":%u,\"softwires\":%u,\"addresses\":%u,"
	       "\"blocks\":%u,\"max-blocks\":%u,\"l2-tables\":%u,\"max-l2-tables\":%u,"
	       "\"chunks\":%u,\"max-chunks\":%u,\"bytes\":%llu,\"chunk-bytes\":%llu,"
	       "\"record-bytes\":%llu}}\n",
	       c->max_softwires, c->softwires, c->addresses, c->blocks, c->max_blocks, c->l2_tables,
	       c->max_l2_tables, c->chunks, c->max_chunks, (unsigned long long)c->bytes,
	       (unsigned long long)c->chunk_bytes, (unsigned long long)c->record_bytes);
}

int cmd_status(int argc, char **argv)
{
	struct lw_aftr_maps maps;
	struct lw_aftr_config cfg = {};
	char err[LW_ERR_MAX], n6[IF_NAMESIZE], n4[IF_NAMESIZE];
	struct lw_aftr_capacity cap = {};
	__u32 prog6, prog4;
	size_t nsw = 0, nbr = 0;
	bool json = argc > 1 && !strcmp(argv[1], "--json");
	struct in6_addr br, key, *prev = NULL;

	if (argc > 1 && !json)
		lw_die_usage("status: unknown argument '%s'", argv[1]);
	if (lw_aftr_maps_open_pinned(lw_pin_root, &maps, err, sizeof(err)))
		return lw_fail("%s", err);
	lw_aftr_config_read(&maps, &cfg);
	lw_aftr_softwire_count(&maps, &nsw);
	lw_aftr_capacity(&maps, &cap);
	while (bpf_map_get_next_key(maps.br_addrs, prev, &key) == 0) {
		nbr++;
		br = key;
		prev = &br;
	}
	prog6 = lw_xdp_prog_id(cfg.ipv6_ifindex);
	prog4 = lw_xdp_prog_id(cfg.ipv4_ifindex);
	lw_ifname(cfg.ipv6_ifindex, n6);
	lw_ifname(cfg.ipv4_ifindex, n4);
	if (json) {
		printf("{\"role\":\"aftr\",\"pin-root\":");
		lw_json_str(stdout, lw_pin_root);
		printf(",\"ipv6-dev\":");
		lw_json_str(stdout, n6);
		printf(",\"ipv6-xdp-prog-id\":%u,\"ipv4-dev\":", prog6);
		lw_json_str(stdout, n4);
		printf(",\"ipv4-xdp-prog-id\":%u,\"softwires\":%zu,\"br-addresses\":%zu,"
		       "\"enable-hairpinning\":%s,\"echo-policy\":\"%s\",\"generate-icmpv4-errors\":%s,"
		       "\"generate-icmpv6-errors\":%s,\"allow-incoming-icmpv4\":%s,\"pcp-bootstrap\":%s,"
		       "\"ttl-on-decap\":%s,\"softwire-counters\":%s,\"ipv4-mtu\":%u,\"ipv6-mtu\":%u,\"ipv4-vlan\":%u,\"ipv6-vlan\":%u,"
		       "\"hop-limit\":%u,\"event-rate\":%u,\"event-burst\":%u,",
		       prog4, nsw, nbr, cfg.flags & LW_CFG_HAIRPINNING ? "true" : "false",
		       echo_policy_name(cfg.echo_policy),
		       cfg.flags & LW_CFG_ICMPV4_ERRORS ? "true" : "false",
		       cfg.flags & LW_CFG_ICMPV6_ERRORS ? "true" : "false",
		       cfg.flags & LW_CFG_ALLOW_ICMPV4_IN ? "true" : "false",
		       cfg.flags & LW_CFG_PCP_BOOTSTRAP ? "true" : "false",
		       cfg.flags & LW_CFG_TTL_DECAP ? "true" : "false",
		       cfg.flags & LW_CFG_SW_COUNTERS ? "true" : "false", cfg.ipv4_mtu,
		       cfg.ipv6_mtu, cfg.ipv4_vlan, cfg.ipv6_vlan, cfg.hop_limit, cfg.event_rate,
		       cfg.event_burst);
		print_nexthop(&cfg, true);
		printf("\"maps\":{\"sw-chunks\":%u,\"addr-l1\":%u,\"addr-records\":%u,"
		       "\"addr-blocks\":%u,\"br-addrs\":%u,\"stats\":%u,\"events\":%u,\"config\":%u},",
		       lw_map_id(maps.sw_chunks), lw_map_id(maps.addr_l1),
		       lw_map_id(maps.addr_recs), lw_map_id(maps.addr_blocks),
		       lw_map_id(maps.br_addrs), lw_map_id(maps.stats), lw_map_id(maps.events),
		       lw_map_id(maps.cfg));
		print_capacity_json(&cap);
	} else {
		printf("role            lwAFTR (maps under %s)\n", lw_pin_root);
		printf("access (IPv6)   %s%s, XDP program id %u\n", n6,
		       cfg.ipv6_vlan ? " (tagged)" : "", prog6);
		printf("internet (IPv4) %s, XDP program id %u%s\n", n4, prog4,
		       cfg.ipv4_ifindex == cfg.ipv6_ifindex ? " (on a stick)" : "");
		if (!prog6 || !prog4)
			printf("                warning: not attached on every interface\n");
		printf("softwires       %zu, BR addresses %zu\n", nsw, nbr);
		print_capacity(&cap);
		printf("hairpinning     %s; echo policy %s; TTL on decap %s; softwire counters %s\n",
		       cfg.flags & LW_CFG_HAIRPINNING ? "on" : "off",
		       echo_policy_name(cfg.echo_policy),
		       cfg.flags & LW_CFG_TTL_DECAP ? "on" : "off",
		       cfg.flags & LW_CFG_SW_COUNTERS ? "on" : "off");
		printf("ICMP            incoming ICMPv4 %s; generate ICMPv4 %s, ICMPv6 %s; events %u/s burst %u\n",
		       cfg.flags & LW_CFG_ALLOW_ICMPV4_IN ? "allowed" : "dropped",
		       cfg.flags & LW_CFG_ICMPV4_ERRORS ? "on" : "off",
		       cfg.flags & LW_CFG_ICMPV6_ERRORS ? "on" : "off", cfg.event_rate,
		       cfg.event_burst);
		printf("MTU             IPv4 %u, IPv6 %u; VLAN IPv4 %u, IPv6 %u; hop limit %u\n",
		       cfg.ipv4_mtu, cfg.ipv6_mtu, cfg.ipv4_vlan, cfg.ipv6_vlan, cfg.hop_limit);
		print_nexthop(&cfg, false);
		printf("map ids         sw-chunks %u, addr-l1 %u, addr-records %u, addr-blocks %u, "
		       "br-addrs %u, stats %u, events %u, config %u\n",
		       lw_map_id(maps.sw_chunks), lw_map_id(maps.addr_l1),
		       lw_map_id(maps.addr_recs), lw_map_id(maps.addr_blocks),
		       lw_map_id(maps.br_addrs), lw_map_id(maps.stats), lw_map_id(maps.events),
		       lw_map_id(maps.cfg));
	}
	lw_aftr_maps_close(&maps);
	return 0;
}

static const struct {
	const char *name;
	__u32 flag;
} set_flags[] = {
	{ "hairpinning", LW_CFG_HAIRPINNING },
	{ "icmpv4-errors", LW_CFG_ICMPV4_ERRORS },
	{ "icmpv6-errors", LW_CFG_ICMPV6_ERRORS },
	{ "incoming-icmpv4", LW_CFG_ALLOW_ICMPV4_IN },
	{ "incoming-icmpv6", LW_CFG_ALLOW_ICMPV6_IN },
	{ "pcp-bootstrap", LW_CFG_PCP_BOOTSTRAP },
	{ "ttl-on-decap", LW_CFG_TTL_DECAP },
	{ "softwire-counters", LW_CFG_SW_COUNTERS },
};

#define CFG_FIELD(f) offsetof(struct lw_aftr_config, f), sizeof(((struct lw_aftr_config *)0)->f)
static const struct {
	const char *name;
	uint32_t min, max;
	size_t off, size; /* the field of struct lw_aftr_config */
} set_numbers[] = {
	{ "hop-limit", 1, UINT8_MAX, CFG_FIELD(hop_limit) },
	{ "ipv4-mtu", LW_IPV4_MIN_MTU, UINT16_MAX, CFG_FIELD(ipv4_mtu) },
	{ "ipv6-mtu", LW_IPV6_MIN_MTU, UINT16_MAX, CFG_FIELD(ipv6_mtu) },
	{ "event-rate", 0, LW_MAX_EVENT_RATE, CFG_FIELD(event_rate) },
	{ "event-burst", 1, LW_MAX_EVENT_RATE, CFG_FIELD(event_burst) },
};
#undef CFG_FIELD

/* The setters of 'lw4o6 set KEY VALUE': whether k is theirs (a bad value
 * ends the command). */
static bool set_flag(struct lw_aftr_config *cfg, const char *k, const char *v)
{
	bool on;

	for (size_t i = 0; i < sizeof(set_flags) / sizeof(set_flags[0]); i++) {
		if (strcmp(k, set_flags[i].name))
			continue;
		if (lw_parse_onoff(v, &on))
			lw_die_usage("set %s: expected on or off, not '%s'", k, v);
		cfg->flags = on ? cfg->flags | set_flags[i].flag : cfg->flags & ~set_flags[i].flag;
		return true;
	}
	return false;
}

static bool set_echo_policy(struct lw_aftr_config *cfg, const char *k, const char *v)
{
	if (strcmp(k, "echo-policy"))
		return false;
	if (!strcmp(v, "identifier"))
		cfg->echo_policy = LW_ECHO_IDENTIFIER;
	else if (!strcmp(v, "port0"))
		cfg->echo_policy = LW_ECHO_PORT0;
	else if (!strcmp(v, "drop"))
		cfg->echo_policy = LW_ECHO_DROP;
	else
		lw_die_usage("set echo-policy: identifier, port0 or drop, not '%s'", v);
	return true;
}

/* set nexthop cache|fib: static next hops need MACs, which only a load
 * with a configuration gives. */
static bool set_nexthop(struct lw_aftr_config *cfg, const char *k, const char *v)
{
	if (strcmp(k, "nexthop"))
		return false;
	if (!strcmp(v, "cache"))
		cfg->flags &= ~LW_CFG_NH_FIB;
	else if (!strcmp(v, "fib"))
		cfg->flags |= LW_CFG_NH_FIB;
	else
		lw_die_usage("set nexthop: cache or fib, not '%s' (static: lw4o6 load aftr "
			     "--nexthop static)",
			     v);
	cfg->flags &= ~(__u32)(LW_CFG_STATIC_NH4 | LW_CFG_STATIC_NH6);
	return true;
}

static bool set_number(struct lw_aftr_config *cfg, const char *k, const char *v)
{
	for (size_t i = 0; i < sizeof(set_numbers) / sizeof(set_numbers[0]); i++) {
		char *field = (char *)cfg + set_numbers[i].off;
		uint32_t n;

		if (strcmp(k, set_numbers[i].name))
			continue;
		if (lw_parse_u32(v, set_numbers[i].min, set_numbers[i].max, &n))
			lw_die_usage("set %s: expected a number in %u..%u, not '%s'", k,
				     set_numbers[i].min, set_numbers[i].max, v);
		if (set_numbers[i].size == sizeof(__u8))
			*(__u8 *)field = (__u8)n;
		else if (set_numbers[i].size == sizeof(__u16))
			*(__u16 *)field = (__u16)n;
		else
			*(__u32 *)field = n;
		return true;
	}
	return false;
}

int cmd_set(int argc, char **argv)
{
	struct lw_aftr_maps maps;
	struct lw_aftr_config cfg;
	char err[LW_ERR_MAX];
	const char *k, *v;
	int ret;

	if (argc != 3)
		lw_die_usage("set KEY VALUE");
	k = argv[1];
	v = argv[2];
	if (lw_aftr_maps_open_pinned(lw_pin_root, &maps, err, sizeof(err)))
		return lw_fail("%s", err);
	if (lw_aftr_config_read(&maps, &cfg)) {
		lw_aftr_maps_close(&maps);
		return lw_fail("cannot read the configuration map");
	}
	if (!set_flag(&cfg, k, v) && !set_echo_policy(&cfg, k, v) && !set_number(&cfg, k, v) &&
	    !set_nexthop(&cfg, k, v)) {
		lw_aftr_maps_close(&maps);
		lw_die_usage("set: unknown key '%s'", k);
	}
	ret = lw_aftr_config_write(&maps, &cfg);
	lw_aftr_maps_close(&maps);
	return ret ? lw_fail("cannot write the configuration: %s", strerror(-ret)) : 0;
}
