// SPDX-License-Identifier: GPL-2.0
/* lw4o6 softwire add|del|list|import|export and lw4o6 stats. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>

#include "lw4o6/aftr.h"
#include "aftr_maps.h"
#include "config_file.h"
#include "errmsg.h"
#include "bt_json.h"
#include "addr.h"
#include "import.h"
#include "cli.h"

/* room for this many softwires first when exporting; it doubles */
#define EXPORT_FIRST_CAP 1024

static int open_maps(struct lw_aftr_maps *m)
{
	char err[LW_ERR_MAX];

	if (lw_aftr_maps_open_pinned(lw_pin_root, m, err, sizeof(err)))
		return lw_fail("%s", err);
	return 0;
}

static void need(const char *what, bool have)
{
	if (!have)
		lw_die_usage("softwire add: %s is required", what);
}

static int sw_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ipv4", required_argument, NULL, '4' },
		{ "psid", required_argument, NULL, 'p' },
		{ "psid-len", required_argument, NULL, 'k' },
		{ "psid-offset", required_argument, NULL, 'a' },
		{ "b4", required_argument, NULL, 'b' },
		{ "br", required_argument, NULL, 'r' },
		{ 0 },
	};
	struct lw_softwire_entry e = {};
	bool h4 = false, hp = false, hk = false, hb = false, hr = false;
	struct lw_aftr_maps m;
	char err[LW_ERR_MAX];
	uint32_t n;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case '4':
			if (lw_parse_ipv4(optarg, &e.ipv4, err, sizeof(err)))
				lw_die_usage("--ipv4: %s", err);
			h4 = true;
			break;
		case 'p':
			if (lw_parse_u32(optarg, 0, UINT16_MAX, &n))
				lw_die_usage("--psid: '%s' is not a number in 0..65535", optarg);
			e.psid = (__u16)n;
			hp = true;
			break;
		case 'k':
			if (lw_parse_u32(optarg, 0, LW_PORT_BITS, &n))
				lw_die_usage("--psid-len: '%s' is not a number in 0..16", optarg);
			e.ps.psid_len = (__u8)n;
			hk = true;
			break;
		case 'a':
			if (lw_parse_u32(optarg, 0, LW_PORT_BITS, &n))
				lw_die_usage("--psid-offset: '%s' is not a number in 0..16",
					     optarg);
			e.ps.psid_offset = (__u8)n;
			break;
		case 'b':
			if (lw_parse_ipv6(optarg, &e.b4_ipv6, err, sizeof(err)))
				lw_die_usage("--b4: %s", err);
			hb = true;
			break;
		case 'r':
			if (lw_parse_ipv6(optarg, &e.br_ipv6, err, sizeof(err)))
				lw_die_usage("--br: %s", err);
			hr = true;
			break;
		default: lw_die_usage("softwire add: bad option");
		}
	}
	if (optind < argc)
		lw_die_usage("softwire add: unexpected argument '%s'", argv[optind]);
	need("--ipv4", h4);
	need("--psid-len", hk);
	need("--b4", hb);
	need("--br", hr);
	if (!hp && e.ps.psid_len)
		lw_die_usage("softwire add: --psid is required when --psid-len is not 0");
	if (open_maps(&m))
		return LW_EXIT_FAIL;
	ret = lw_aftr_softwire_add(&m, &e, err, sizeof(err));
	lw_aftr_maps_close(&m);
	return ret ? lw_fail("%s", err) : 0;
}

static int sw_del(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ipv4", required_argument, NULL, '4' },
		{ "psid", required_argument, NULL, 'p' },
		{ 0 },
	};
	struct lw_aftr_maps m;
	__be32 ipv4 = 0;
	uint32_t psid = 0;
	bool h4 = false;
	char err[LW_ERR_MAX];
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == '4') {
			if (lw_parse_ipv4(optarg, &ipv4, err, sizeof(err)))
				lw_die_usage("--ipv4: %s", err);
			h4 = true;
		} else if (c == 'p') {
			if (lw_parse_u32(optarg, 0, UINT16_MAX, &psid))
				lw_die_usage("--psid: '%s' is not a number in 0..65535", optarg);
		} else {
			lw_die_usage("softwire del: bad option");
		}
	}
	if (!h4)
		lw_die_usage("softwire del: --ipv4 is required");
	if (open_maps(&m))
		return LW_EXIT_FAIL;
	ret = lw_aftr_softwire_del(&m, ipv4, (__u16)psid, err, sizeof(err));
	lw_aftr_maps_close(&m);
	return ret ? lw_fail("%s", err) : 0;
}

struct list_ctx {
	bool json, counters;
	size_t n;
	struct lw_softwire_entry *all;
	size_t cap;
};

/* Who installed a softwire (issue 12): pcpd's grants or the configuration. */
static const char *origin_of(const struct lw_softwire_row *r)
{
	return r->counters.origin == LW_SW_ORIGIN_PCP ? "pcp" : "config";
}

static int print_row(const struct lw_softwire_row *r, void *arg)
{
	struct list_ctx *c = arg;
	char a[LW_IPV4_STRLEN], b4[LW_IPV6_STRLEN], br[LW_IPV6_STRLEN];
	unsigned shift = 16u - r->entry.ps.psid_offset - r->entry.ps.psid_len;

	lw_format_ipv4(r->entry.ipv4, a, sizeof(a));
	lw_format_ipv6(&r->entry.b4_ipv6, b4, sizeof(b4));
	lw_format_ipv6(&r->entry.br_ipv6, br, sizeof(br));
	if (c->json) {
		printf("%s{\"binding-ipv4-addr\":\"%s\",\"port-set\":{\"psid-offset\":%u,\"psid-len\":%u,"
		       "\"psid\":%u},\"binding-ipv6info\":\"%s\",\"br-ipv6-addr\":\"%s\","
		       "\"origin\":\"%s\"",
		       c->n ? "," : "", a, r->entry.ps.psid_offset, r->entry.ps.psid_len,
		       r->entry.psid, b4, br, origin_of(r));
		if (c->counters)
			printf(",\"decap-packets\":%llu,\"decap-bytes\":%llu,\"encap-packets\":%llu,"
			       "\"encap-bytes\":%llu",
			       (unsigned long long)r->counters.decap_packets,
			       (unsigned long long)r->counters.decap_bytes,
			       (unsigned long long)r->counters.encap_packets,
			       (unsigned long long)r->counters.encap_bytes);
		printf("}");
	} else if (c->counters) {
		printf("%-15s %5u  %-39s %12llu %14llu %12llu %14llu\n", a, r->entry.psid, b4,
		       (unsigned long long)r->counters.decap_packets,
		       (unsigned long long)r->counters.decap_bytes,
		       (unsigned long long)r->counters.encap_packets,
		       (unsigned long long)r->counters.encap_bytes);
	} else {
		/* with psid-offset 0 the set is one range */
		unsigned first = r->entry.ps.psid_offset ? 0 : (unsigned)r->entry.psid << shift;
		unsigned last = r->entry.ps.psid_offset ? 0 : first + (1u << shift) - 1;

		if (r->entry.ps.psid_offset)
			printf("%-15s %5u %2u/%-2u %-13s %-39s %-39s %s\n", a, r->entry.psid,
			       r->entry.ps.psid_len, r->entry.ps.psid_offset, "(A+P)", b4, br,
			       origin_of(r));
		else
			printf("%-15s %5u %2u/%-2u %5u-%-7u %-39s %-39s %s\n", a, r->entry.psid,
			       r->entry.ps.psid_len, r->entry.ps.psid_offset, first, last, b4, br,
			       origin_of(r));
	}
	c->n++;
	return 0;
}

static int sw_list(int argc, char **argv)
{
	struct list_ctx c = {};
	struct lw_aftr_maps m;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			c.json = true;
		else if (!strcmp(argv[i], "--counters"))
			c.counters = true;
		else
			lw_die_usage("softwire list: unknown argument '%s'", argv[i]);
	}
	if (open_maps(&m))
		return LW_EXIT_FAIL;
	if (c.json)
		printf("{\"binding-table\":{\"binding-entry\":[");
	else if (c.counters)
		printf("%-15s %5s  %-39s %12s %14s %12s %14s\n", "IPv4", "PSID", "B4", "decap-pkts",
		       "decap-bytes", "encap-pkts", "encap-bytes");
	else
		printf("%-15s %5s %-5s %-13s %-39s %-39s %s\n", "IPv4", "PSID", "len/a", "ports",
		       "B4", "BR", "origin");
	lw_aftr_softwire_foreach(&m, print_row, &c);
	if (c.json)
		printf("]}}\n");
	lw_aftr_maps_close(&m);
	return 0;
}

/* ---- import ------------------------------------------------------------ */

struct import_opts {
	const char *path;
	enum lw_config_format fmt;
	bool replace, dry_run;
};

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* Without --replace every entry must be new and agree with the port-set
 * parameters installed for its address. The softwire lookups are skipped
 * when nothing is installed (ten million system calls for nothing); the
 * parameters are looked up once per address. */
static int check_against_installed(const struct lw_aftr_maps *m, const struct lw_aftr_setup *s,
				   size_t installed, const char *path)
{
	struct lw_psid_params pp;
	bool has_pp = false;
	char a[LW_IPV4_STRLEN];

	for (size_t i = 0; i < s->n_softwires; i++) {
		const struct lw_softwire_entry *e = &s->softwires[i];
		struct in6_addr b4;

		if (installed && lw_aftr_softwire_get(m, e->ipv4, e->psid, &b4, NULL) == 0)
			return lw_fail(
				"%s: %s psid %u is already bound (use --replace to replace the "
				"whole table)",
				path, lw_format_ipv4(e->ipv4, a, sizeof(a)), e->psid);
		if (!i || e->ipv4 != s->softwires[i - 1].ipv4)
			has_pp = lw_aftr_psid_params_get(m, e->ipv4, &pp) == 0;
		if (has_pp &&
		    (pp.psid_len != e->ps.psid_len || pp.psid_offset != e->ps.psid_offset))
			return lw_fail(
				"%s: %s has installed softwires with psid-len %u, the file says "
				"%u",
				path, lw_format_ipv4(e->ipv4, a, sizeof(a)), pp.psid_len,
				e->ps.psid_len);
	}
	return 0;
}

/* Capacity first, then the installed table: nothing is written before both
 * hold. */
static int check_fits(const struct lw_aftr_maps *m, const struct lw_aftr_setup *s,
		      const struct import_opts *o)
{
	char err[LW_ERR_MAX];
	size_t installed = 0;

	if (!o->replace && lw_aftr_softwire_count(m, &installed))
		return lw_fail("cannot count the installed softwires");
	if (lw_import_check_capacity(m, s->n_softwires, installed, err, sizeof(err)))
		return lw_fail("%s: %s", o->path, err);
	return o->replace ? 0 : check_against_installed(m, s, installed, o->path);
}

static void parse_import_opts(int argc, char **argv, struct import_opts *o)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--replace"))
			o->replace = true;
		else if (!strcmp(argv[i], "--dry-run"))
			o->dry_run = true;
		else if (!strcmp(argv[i], "--format") && i + 1 < argc) {
			if (lw_config_format_parse(argv[++i], &o->fmt))
				lw_die_usage("--format: snabb or json, not '%s'", argv[i]);
		} else if (!o->path)
			o->path = argv[i];
		else
			lw_die_usage("softwire import: unexpected argument '%s'", argv[i]);
	}
	if (!o->path)
		lw_die_usage("softwire import FILE [--format snabb|json] [--replace] [--dry-run]");
}

/* Parse and validate everything, check it fits, and only then write: a bad
 * entry anywhere or a table too large changes nothing. --dry-run stops
 * before the write; it checks against the loaded lwAFTR when there is one. */
static int sw_import(int argc, char **argv)
{
	struct import_opts o = { .fmt = LW_FMT_AUTO };
	struct timespec t0, t1, t2;
	struct lw_aftr_setup s;
	struct lw_aftr_maps m;
	struct lw_aftr_config cur;
	char err[LW_ERR_MAX] = "";
	bool have_maps;
	int ret;

	parse_import_opts(argc, argv, &o);
	have_maps = !lw_aftr_maps_open_pinned(lw_pin_root, &m, err, sizeof(err));
	if (!have_maps && !o.dry_run)
		return lw_fail("%s", err);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	lw_setup_init(&s);
	ret = lw_config_load(o.path, o.fmt, &s, err, sizeof(err));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (ret)
		ret = lw_fail("%s", err);
	else if (o.dry_run)
		printf("dry run: %zu softwires, %zu BR addresses read and checked in %.2f s\n",
		       s.n_softwires, s.n_br_addrs, seconds_between(&t0, &t1));
	if (!ret && have_maps)
		ret = check_fits(&m, &s, &o);
	if (!ret && o.dry_run) {
		printf("dry run: %s; nothing was changed\n",
		       have_maps ? "they fit the loaded lwAFTR"
				 : "no lwAFTR is loaded, so they were not checked against one");
	} else if (!ret) {
		/* only the binding table is imported: the running configuration stays */
		if (lw_aftr_config_read(&m, &cur) == 0)
			s.cfg = cur;
		ret = lw_aftr_install(&m, &s, o.replace, err, sizeof(err));
		if (ret == -EEXIST)
			lw_err_append(err, sizeof(err),
				      " (use --replace to replace the whole table)");
		if (ret && err[0])
			lw_err_prefix(err, sizeof(err), "%s", o.path);
		if (ret)
			ret = lw_fail("%s", err[0] ? err : strerror(-ret));
		clock_gettime(CLOCK_MONOTONIC, &t2);
		if (!ret)
			printf("imported %zu softwires in %.2f s (read and checked in %.2f s, "
			       "installed in %.2f s)\n",
			       s.n_softwires, seconds_between(&t0, &t2), seconds_between(&t0, &t1),
			       seconds_between(&t1, &t2));
	}
	lw_setup_free(&s);
	if (have_maps)
		lw_aftr_maps_close(&m);
	return ret ? LW_EXIT_FAIL : 0;
}

struct export_ctx {
	struct lw_softwire_entry *v;
	size_t n, cap;
};

/* The configuration's softwires: the PCP bindings are pcpd's (its store
 * has them), and an import of the file must not claim their sets. */
static int collect(const struct lw_softwire_row *r, void *arg)
{
	struct export_ctx *c = arg;

	if (r->counters.origin != LW_SW_ORIGIN_CONFIG)
		return 0;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : EXPORT_FIRST_CAP;
		void *v = realloc(c->v, cap * sizeof(*c->v));

		if (!v)
			return -ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = r->entry;
	return 0;
}

static int sw_export(int argc, char **argv)
{
	struct export_ctx c = {};
	struct lw_aftr_maps m;
	FILE *f = stdout;
	int ret;

	if (argc > 2)
		lw_die_usage("softwire export [FILE]");
	if (open_maps(&m))
		return LW_EXIT_FAIL;
	ret = lw_aftr_softwire_foreach(&m, collect, &c);
	lw_aftr_maps_close(&m);
	if (ret) {
		free(c.v);
		return lw_fail("cannot read the binding table: %s", strerror(-ret));
	}
	if (argc == 2 && strcmp(argv[1], "-") && !(f = fopen(argv[1], "w"))) {
		free(c.v);
		return lw_fail("%s: %s", argv[1], strerror(errno));
	}
	ret = lw_bt_json_write(f, c.v, c.n);
	if (f != stdout && fclose(f))
		ret = -errno;
	free(c.v);
	return ret ? lw_fail("cannot write the export: %s", strerror(-ret)) : 0;
}

int cmd_softwire(int argc, char **argv)
{
	if (argc < 2)
		lw_die_usage("softwire add|del|list|import|export");
	argc--;
	argv++;
	if (!strcmp(argv[0], "add"))
		return sw_add(argc, argv);
	if (!strcmp(argv[0], "del"))
		return sw_del(argc, argv);
	if (!strcmp(argv[0], "list"))
		return sw_list(argc, argv);
	if (!strcmp(argv[0], "import"))
		return sw_import(argc, argv);
	if (!strcmp(argv[0], "export"))
		return sw_export(argc, argv);
	lw_die_usage("softwire: unknown subcommand '%s'", argv[0]);
}

int cmd_stats(int argc, char **argv)
{
	struct lw_counter st[LW_STAT_MAX];
	struct lw_aftr_maps m;
	bool json = false, sw = false, reset = false;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--softwires"))
			sw = true;
		else if (!strcmp(argv[i], "--reset"))
			reset = true;
		else
			lw_die_usage("stats: unknown argument '%s'", argv[i]);
	}
	if (open_maps(&m))
		return LW_EXIT_FAIL;
	if (reset) {
		ret = lw_aftr_stats_reset(&m);
		lw_aftr_maps_close(&m);
		return ret ? lw_fail("cannot reset: %s", strerror(-ret)) : 0;
	}
	ret = lw_aftr_stats_read(&m, st);
	if (ret) {
		lw_aftr_maps_close(&m);
		return lw_fail("cannot read counters: %s", strerror(-ret));
	}
	if (json) {
		printf("{");
		lw_print_counters_json(st, LW_STAT_MAX, lw_stat_name);
		if (sw) {
			struct list_ctx c = { .json = true, .counters = true };

			printf(",\"softwires\":[");
			lw_aftr_softwire_foreach(&m, print_row, &c);
			printf("]");
		}
		printf("}\n");
	} else {
		lw_print_counters_table("counter", st, LW_STAT_MAX, lw_stat_name);
		if (sw) {
			struct list_ctx c = { .counters = true };

			printf("\n%-15s %5s  %-39s %12s %14s %12s %14s\n", "IPv4", "PSID", "B4",
			       "decap-pkts", "decap-bytes", "encap-pkts", "encap-bytes");
			lw_aftr_softwire_foreach(&m, print_row, &c);
		}
	}
	lw_aftr_maps_close(&m);
	return 0;
}
