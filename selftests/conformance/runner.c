// SPDX-License-Identifier: GPL-2.0
/* Runs Snabb's lwAFTR end-to-end suite (selftests/data/snabb-lwaftr/CASES.tsv)
 * through our program: each case's Snabb configuration goes through the same
 * importer operators use, each input frame through BPF_PROG_TEST_RUN on the
 * interface it arrives on, and what leaves each side is compared field by
 * field with Snabb's expected pcaps (masking what that folder's README lists).
 *
 * The slow path runs too: after each input, the events the program wrote to
 * its ring buffer go through pcpd's slow-path library (lib/aftr/slowpath.h)
 * and the packets it builds join that side's output, in order, compared with
 * the ICMP-generation mask (Snabb's README: TTL/hop limit, ID and quote length
 * of a generated error are the implementation's choice).
 *
 * Then the counters: every Snabb counter that counters.tsv maps to ours is
 * compared with the case's expected-counters file (absent: 0), in both
 * next-hop modes; a difference fails unless deviations.tsv lists it.
 *
 * One line per case: PASS, DEVIATION (a listed, checked deviation), FAIL with
 * the first differing field or counter, or SKIP with the reason; how many
 * counters were compared. Then the totals and the closing line. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "aftr_env.h"
#include "aftr_maps.h"
#include "aftr_nexthop.h"
#include "snabb_conf.h"
#include "pcap.h"
#include "pktcmp.h"
#include "csum_ref.h"
#include "wire.h"
#include "slowpath.h"
#include "slowpath_maps.h"
#include "slowpath_frag.h"

#define MAX_FRAMES 64
#define FRAME_MAX 10240

struct frame {
	uint8_t *data;
	size_t len;
	bool generated; /* built by the slow path, not by the program */
	bool icmp;      /* an ICMP error the slow path originated */
	bool frag;      /* from the fragment path: IDs are the implementation's */
};

struct frames {
	struct frame f[MAX_FRAMES];
	size_t n;
};

struct casedef {
	char id[32], config[160], in4[160], in6[160], exp6[160], exp4[160], counters[160],
		features[400];
};

/* counters.tsv: one Snabb counter and the sum of our lw_stats slots it is
 * compared with (nterms 0: mapped away, "-", with a reason). */
#define COUNTER_TERMS 4
struct counter_map {
	char snabb[64];
	unsigned nterms;
	unsigned stat[COUNTER_TERMS];
	unsigned mul[COUNTER_TERMS];  /* "N*slot.packets": N per packet */
	bool bytes[COUNTER_TERMS];    /* the slot's bytes, else its packets */
	bool ipbytes[COUNTER_TERMS];  /* bytes from the IP header on: no tag to remove */
	int vlan_side; /* bytes: 4 = the IPv4 side's tag, 6 = the IPv6 side's, 0 none */
};

static struct counter_map *cmaps;
static size_t ncmaps;

struct deviation {
	char id[32];
	char fields[256];
	char reason[512];
};

static const char *data_dir;
static int verbose;
static const char *dump_dir;

static void frames_free(struct frames *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		free(fs->f[i].data);
	fs->n = 0;
}

static int frames_add(struct frames *fs, const void *d, size_t len)
{
	if (fs->n == MAX_FRAMES)
		return -E2BIG;
	fs->f[fs->n].data = malloc(len ? len : 1);
	if (!fs->f[fs->n].data)
		return -ENOMEM;
	memcpy(fs->f[fs->n].data, d, len);
	fs->f[fs->n].len = len;
	fs->f[fs->n].generated = false;
	fs->f[fs->n].icmp = false;
	fs->f[fs->n].frag = false;
	fs->n++;
	return 0;
}

static int read_pcap(const char *rel, struct frames *fs, char *err, size_t errlen)
{
	struct pcap_reader r;
	struct pcap_record rec;
	char path[512];
	int ret;

	fs->n = 0;
	if (!strcmp(rel, "-"))
		return 0;
	snprintf(path, sizeof(path), "%s/snabb-lwaftr/%s", data_dir, rel);
	if (pcap_reader_open(&r, path)) {
		snprintf(err, errlen, "%s", r.err);
		return -EIO;
	}
	while ((ret = pcap_reader_next(&r, &rec)) == 1)
		if (frames_add(fs, rec.data, rec.caplen)) {
			snprintf(err, errlen, "%s: too many frames", path);
			pcap_reader_close(&r);
			return -E2BIG;
		}
	if (ret < 0)
		snprintf(err, errlen, "%s", r.err);
	pcap_reader_close(&r);
	return ret < 0 ? ret : 0;
}

static bool has_feature(const struct casedef *c, const char *f)
{
	char buf[sizeof(c->features)], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", c->features);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!strcmp(tok, f))
			return true;
	return false;
}

/* Snabb answers these as a host; here the kernel does, behind XDP_PASS. */
static const char *skip_reason(const struct casedef *c)
{
	if (has_feature(c, "ndp") || has_feature(c, "arp") || has_feature(c, "nexthop-resolution"))
		return "host behaviour (ARP/ND/next-hop resolution): the kernel answers behind XDP_PASS; "
		       "selftests/netns shows it with the program attached";
	if (has_feature(c, "filters"))
		return "needs Snabb's pflang ingress/egress filters";
	/* ICMP generation and translation, fragmentation and reassembly run
	 * through the slow path below. */
	return NULL;
}

/* Frame's L3 after up to one tag: returns ethertype and offset. */
static int l3_of(const uint8_t *f, size_t len, size_t *off)
{
	uint16_t t;

	if (len < 14)
		return -1;
	t = get_be16(f + 12);
	*off = 14;
	if (t == ETH_P_8021Q) {
		if (len < 18)
			return -1;
		t = get_be16(f + 16);
		*off = 18;
	}
	return t;
}

/* Echo to the lwAFTR's own address is the kernel's (XDP_PASS). */
static bool is_echo_to_aftr(const struct frames *fs, const struct lw_aftr_setup *s)
{
	for (size_t i = 0; i < fs->n; i++) {
		const uint8_t *f = fs->f[i].data;
		size_t off;
		int t = l3_of(f, fs->f[i].len, &off);

		if (t == ETH_P_IP && fs->f[i].len >= off + 21 && s->external.has_ip4 &&
		    f[off + 9] == 1 && (f[off + 20] == 8 || f[off + 20] == 0) &&
		    memcmp(f + off + 16, &s->external.ip4, 4) == 0)
			return true;
		if (t == ETH_P_IPV6 && fs->f[i].len >= off + 41 && s->internal.has_ip6 &&
		    f[off + 6] == 58 && (f[off + 40] == 128 || f[off + 40] == 129) &&
		    memcmp(f + off + 24, &s->internal.ip6, 16) == 0)
			return true;
	}
	return false;
}

static const struct deviation *find_deviation(const struct deviation *d, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(d[i].id, id))
			return &d[i];
	return NULL;
}

static const struct deviation *devs_all;
static size_t ndevs_all;

/* A case may have several lines (its packet fields on one, each counter
 * deviation on its own, with its own reason): field is listed if any of the
 * case's lines lists it. d is the case's first line. */
static bool field_listed(const struct deviation *d, const char *field)
{
	char buf[sizeof(d->fields)], *save = NULL, *tok;

	if (!d)
		return false;
	for (size_t i = (size_t)(d - devs_all); i < ndevs_all; i++) {
		if (strcmp(devs_all[i].id, d->id))
			continue;
		snprintf(buf, sizeof(buf), "%s", devs_all[i].fields);
		for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			if (!strcmp(tok, field))
				return true;
	}
	return false;
}

/* How many of the case's deviation lines name counters. */
static unsigned counter_lines_listed(const struct deviation *d)
{
	unsigned n = 0;

	for (size_t i = d ? (size_t)(d - devs_all) : ndevs_all; i < ndevs_all; i++)
		if (!strcmp(devs_all[i].id, d->id) && strstr(devs_all[i].fields, "counter:"))
			n++;
	return n;
}

/* How many of the case's deviation fields are about packets, not counters. */
static unsigned packet_fields_listed(const struct deviation *d)
{
	unsigned n = 0;

	if (!d)
		return 0;
	for (size_t i = (size_t)(d - devs_all); i < ndevs_all; i++) {
		char buf[sizeof(d->fields)], *save = NULL, *tok;

		if (strcmp(devs_all[i].id, d->id))
			continue;
		snprintf(buf, sizeof(buf), "%s", devs_all[i].fields);
		for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			if (strncmp(tok, "counter:", 8))
				n++;
	}
	return n;
}

struct verdict {
	bool fail, deviation;
	char first[512];
	unsigned passed_to_host;
	unsigned counters; /* Snabb counters compared (the first next-hop mode's) */
	unsigned unmapped; /* counters in Snabb's file that counters.tsv maps to "-" */
	bool pkt_deviation; /* a listed packet field differed */
};

static void note_fail(struct verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note_fail(struct verdict *v, const char *fmt, ...)
{
	va_list ap;

	if (v->fail)
		return;
	v->fail = true;
	va_start(ap, fmt);
	vsnprintf(v->first, sizeof(v->first), fmt, ap);
	va_end(ap);
}

/* Compares one side's output with Snabb's expectation. */
static void compare_side(const char *side, const struct frames *got, const struct frames *exp,
			 const struct deviation *dev, struct verdict *v)
{
	char count_field[64];
	size_t n = got->n < exp->n ? got->n : exp->n;

	snprintf(count_field, sizeof(count_field), "%s.count", side);
	if (got->n != exp->n) {
		if (field_listed(dev, count_field))
			v->deviation = v->pkt_deviation = true;
		else
			note_fail(v, "%s: %zu packet(s) left, Snabb expects %zu", side, got->n, exp->n);
	}
	for (size_t i = 0; i < got->n; i++) {
		char why[256];

		if (ref_verify_frame(got->f[i].data, got->f[i].len, why, sizeof(why)))
			note_fail(v, "%s[%zu]: checksum check (independent reference): %s", side, i, why);
	}
	for (size_t i = 0; i < n; i++) {
		struct pktcmp_diff d[16];
		unsigned int mask = PKTCMP_MASK_OUTER_HOP_LIMIT | PKTCMP_MASK_FLOW_LABEL;
		int nd;

		/* only the slow path's own errors get the generated-ICMP mask;
		 * the IDs of fragments it makes and of packets it reassembles
		 * are the implementation's (Snabb's README) */
		if (got->f[i].icmp)
			mask |= PKTCMP_MASK_ICMP_GENERATED;
		if (got->f[i].frag)
			mask |= PKTCMP_MASK_FRAG_ID;
		nd = pktcmp(got->f[i].data, got->f[i].len, exp->f[i].data, exp->f[i].len, mask, d, 16);

		if (nd < 0) {
			note_fail(v, "%s[%zu]: comparator error %d", side, i, nd);
			continue;
		}
		for (int k = 0; k < nd && k < 16; k++) {
			if (field_listed(dev, d[k].field)) {
				v->deviation = v->pkt_deviation = true;
				continue;
			}
			note_fail(v, "%s[%zu]: %s is %s, Snabb expects %s", side, i, d[k].field,
				  d[k].actual, d[k].expected);
		}
		if (nd > 16)
			note_fail(v, "%s[%zu]: more than 16 differing fields", side, i);
	}
}

/* Snabb's expected counters for the case: a flat JSON object of
 * "name": integer (the harvest's conversion of its Lua tables). */
static int read_expected_counters(const char *rel, char names[][64], unsigned long long *vals,
				  size_t max, size_t *n, char *err, size_t errlen)
{
	char path[512], buf[8192], *p;
	size_t len;
	FILE *f;

	*n = 0;
	snprintf(path, sizeof(path), "%s/snabb-lwaftr/%s", data_dir, rel);
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	for (p = buf; (p = strchr(p, '"'));) {
		char *end = strchr(p + 1, '"'), *q;

		if (!end || *n == max) {
			snprintf(err, errlen, "%s: malformed or too many counters", path);
			return -1;
		}
		snprintf(names[*n], 64, "%.*s", (int)(end - p - 1), p + 1);
		q = end + 1;
		while (*q == ' ' || *q == ':')
			q++;
		vals[*n] = strtoull(q, &p, 10);
		if (p == q) {
			snprintf(err, errlen, "%s: %.63s has no integer value", path, names[*n]);
			return -1;
		}
		(*n)++;
	}
	return 0;
}

/* Every counters.tsv row with a mapping, compared with Snabb's expected
 * value for the case (absent: 0). A difference fails the case unless the
 * case lists "counter:NAME" in deviations.tsv; a listed counter that equals
 * Snabb's fails too (stale entry). */
static void compare_counters(const struct aftr_env *env, const struct casedef *c,
			     const struct lw_aftr_setup *s, const struct deviation *dev,
			     struct verdict *v)
{
	static char names[128][64];
	unsigned long long vals[128];
	struct lw_counter st[LW_STAT_MAX];
	size_t n;
	char err[600];
	unsigned compared = 0, deviating = 0;

	if (!strcmp(c->counters, "-"))
		return;
	if (read_expected_counters(c->counters, names, vals, 128, &n, err, sizeof(err))) {
		note_fail(v, "expected counters: %s", err);
		return;
	}
	/* a counter of Snabb's the table does not know is a table to update */
	for (size_t j = 0; j < n; j++) {
		size_t i;

		for (i = 0; i < ncmaps && strcmp(cmaps[i].snabb, names[j]); i++)
			;
		if (i == ncmaps)
			note_fail(v, "Snabb counter %s is not in counters.tsv", names[j]);
		else if (!cmaps[i].nterms)
			v->unmapped++;
	}
	if (lw_aftr_stats_read(&env->maps, st)) {
		note_fail(v, "lw_aftr_stats_read: %s", strerror(errno));
		return;
	}
	if (verbose > 1)
		for (unsigned k = 0; k < LW_STAT_MAX; k++)
			if (st[k].packets)
				fprintf(stderr, "  lw4o6 %s: %llu packets, %llu bytes\n", lw_stat_name(k),
					(unsigned long long)st[k].packets, (unsigned long long)st[k].bytes);
	for (size_t i = 0; i < ncmaps; i++) {
		const struct counter_map *m = &cmaps[i];
		unsigned long long want = 0, got = 0;
		char field[80];
		__u16 vid = m->vlan_side == 4 ? s->cfg.ipv4_vlan : m->vlan_side == 6 ? s->cfg.ipv6_vlan : 0;

		if (!m->nterms)
			continue;
		for (size_t j = 0; j < n; j++)
			if (!strcmp(names[j], m->snabb))
				want = vals[j];
		for (unsigned t = 0; t < m->nterms; t++) {
			const struct lw_counter *k = &st[m->stat[t]];

			/* Snabb's lwAFTR app sees frames after its VLAN app
			 * removed the tag (counters.tsv header) */
			if (!m->bytes[t])
				got += m->mul[t] * k->packets;
			else
				got += k->bytes - (vid && !m->ipbytes[t] ? 4 * k->packets : 0);
		}
		compared++;
		snprintf(field, sizeof(field), "counter:%s", m->snabb);
		if (got == want) {
			if (field_listed(dev, field))
				note_fail(v, "counter %s is listed as a deviation but equals Snabb's (%llu): "
					     "update deviations.tsv", m->snabb, want);
			continue;
		}
		if (field_listed(dev, field)) {
			v->deviation = true;
			deviating++;
			if (verbose)
				fprintf(stderr, "  counter %s is %llu, Snabb expects %llu (listed)\n",
					m->snabb, got, want);
			continue;
		}
		note_fail(v, "counter %s is %llu, Snabb expects %llu", m->snabb, got, want);
		if (verbose)
			fprintf(stderr, "  counter %s is %llu, Snabb expects %llu\n", m->snabb, got, want);
	}
	v->counters = compared;
}

static void dump(const char *id, const char *what, const struct frames *fs)
{
	struct pcap_writer w;
	char path[512];

	if (!dump_dir)
		return;
	snprintf(path, sizeof(path), "%s/%s-%s.pcap", dump_dir, id, what);
	if (pcap_writer_create(&w, path, 0))
		return;
	for (size_t i = 0; i < fs->n; i++)
		pcap_writer_add(&w, fs->f[i].data, (uint32_t)fs->f[i].len, 0, 0);
	pcap_writer_close(&w);
}

static uint8_t outbuf[FRAME_MAX];

/* ---- the slow path: lw_events → lib/aftr/slowpath → that side's output ---- */

/* Where the ring-buffer callback puts what the slow path builds for the case
 * being run. One per runner, like the ring buffer; run_case points it at the
 * case's setup and outputs. */
struct slowpath_sink {
	const struct lw_aftr_setup *s;
	struct lw_slowpath_cfg cfg;
	struct frames *out4, *out6;
	struct verdict *v;
	bool discard; /* leftovers of an earlier case */
	/* fragments: pcpd's reassembly state and settings for this case */
	struct lw_frag_cfg fc;
	struct lw_reasm *reasm;
	struct lw_frag_out fout;
	uint64_t now_ms; /* a clock that advances 1 ms per input frame */
};

/* The slow path's settings as pcpd derives them from the configuration:
 * the external interface's IPv4 address as the source of ICMPv4 errors,
 * Snabb's generate-icmp-errors per interface, the binding table in the
 * object's maps. */
static void slowpath_cfg_from(const struct lw_aftr_setup *s, const struct aftr_env *env,
			      struct lw_slowpath_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ipv4_addr = s->external.has_ip4 ? s->external.ip4 : 0;
	cfg->icmpv4_errors = (s->cfg.flags & LW_CFG_ICMPV4_ERRORS) != 0;
	cfg->icmpv6_errors = (s->cfg.flags & LW_CFG_ICMPV6_ERRORS) != 0;
	cfg->hop_limit = s->cfg.hop_limit;
	cfg->find_softwire = lw_slowpath_find_softwire_maps;
	cfg->ctx = (void *)&env->maps;
}

/* The fragment path's settings as pcpd derives them (pcpd/aftr/server.c): the
 * lwAFTR's configuration map (flags, echo policy, MTUs, hop limit) and the
 * reassembly bounds; Snabb's max-fragments-per-packet (the importer has no
 * use for it: the data plane does not reassemble) read from the file, as
 * an operator would set pcpd's max-fragments-per-packet. */
static void frag_cfg_from(const struct lw_aftr_setup *s, const char *conf_path,
			  struct lw_frag_cfg *fc)
{
	FILE *f = fopen(conf_path, "r");
	char line[256];

	lw_frag_cfg_defaults(fc);
	fc->flags = s->cfg.flags;
	fc->echo_policy = s->cfg.echo_policy;
	fc->hop_limit = s->cfg.hop_limit;
	fc->ipv4_mtu = s->cfg.ipv4_mtu;
	fc->ipv6_mtu = s->cfg.ipv6_mtu;
	while (f && fgets(line, sizeof(line), f)) {
		unsigned v;
		const char *p = strstr(line, "max-fragments-per-packet");

		if (p && sscanf(p, "max-fragments-per-packet %u", &v) == 1 && v > 0)
			fc->max_frags = v;
	}
	if (f)
		fclose(f);
}

/* pcpd sends the slow path's packets through raw sockets and the kernel adds
 * the link layer: our MAC on that side, the next hop's from its neighbour
 * table, the side's 802.1Q tag from its VLAN device. Here the configured MACs
 * and VIDs stand in for the neighbour table and the VLAN device. */
static void sink_add_ip(struct slowpath_sink *k, unsigned dest, const uint8_t *data, size_t len,
			bool icmp, bool frag)
{
	const struct lw_side *side = dest == LW_SLOWPATH_TO_B4 ? &k->s->internal : &k->s->external;
	__u16 vid = dest == LW_SLOWPATH_TO_B4 ? k->s->cfg.ipv6_vlan : k->s->cfg.ipv4_vlan;
	struct frames *fs = dest == LW_SLOWPATH_TO_B4 ? k->out6 : k->out4;
	static uint8_t frame[18 + LW_FRAG_PKT_MAX];
	size_t l2 = vid ? 18 : 14;

	if (!side->has_mac || !side->has_next_hop_mac) {
		note_fail(k->v, "slow path: no MAC configured on the %s side",
			  dest == LW_SLOWPATH_TO_B4 ? "IPv6" : "IPv4");
		return;
	}
	memcpy(frame, side->next_hop_mac, 6);
	memcpy(frame + 6, side->mac, 6);
	if (vid) {
		put_be16(frame + 12, ETH_P_8021Q);
		put_be16(frame + 14, vid);
	}
	put_be16(frame + l2 - 2, dest == LW_SLOWPATH_TO_B4 ? ETH_P_IPV6 : ETH_P_IP);
	memcpy(frame + l2, data, len);
	if (frames_add(fs, frame, l2 + len)) {
		note_fail(k->v, "slow path: more than %d frames on one side", MAX_FRAMES);
		return;
	}
	fs->f[fs->n - 1].generated = true;
	fs->f[fs->n - 1].icmp = icmp;
	fs->f[fs->n - 1].frag = frag;
}

static void sink_add(struct slowpath_sink *k, const struct lw_slowpath_pkt *pk)
{
	sink_add_ip(k, pk->dest, pk->data, pk->len, true, false);
}

/* What pcpd does with LW_EV_FRAGMENT and LW_EV_FRAG_NEEDED
 * (pcpd_handle_event): the fragment library, its packets sent in order. */
static int on_frag_event(struct slowpath_sink *k, const struct lw_event *ev, size_t size)
{
	struct lw_frag_out *o = &k->fout;
	int n = lw_slowpath_frag_event(&k->cfg, &k->fc, k->reasm, ev, size, k->now_ms, o);

	if (n < 0) {
		note_fail(k->v, "slow path: fragment event rejected (type %u, %zu bytes): %s", ev->type,
			  size, strerror(-n));
		return 0;
	}
	if (verbose)
		fprintf(stderr, "  event type %u dir %u: %d packet(s) (%s)\n", ev->type, ev->dir, n,
			lw_frag_reason_name(o->reason));
	for (unsigned i = 0; i < o->n; i++)
		sink_add_ip(k, o->pkt[i].dest, o->buf + o->pkt[i].off, o->pkt[i].len, o->pkt[i].icmp,
			    !o->pkt[i].icmp);
	return 0;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct slowpath_sink *k = ctx;
	struct lw_event ev;
	struct lw_slowpath_out out;
	int n;

	if (k->discard || !k->s)
		return 0;
	memset(&ev, 0, sizeof(ev));
	memcpy(&ev, data, size < sizeof(ev) ? size : sizeof(ev));
	n = lw_slowpath_handle(&k->cfg, &ev, size, &out);
	if (n == LW_SLOWPATH_NOT_HANDLED)
		return on_frag_event(k, &ev, size);
	if (n < 0) {
		note_fail(k->v, "slow path: event record rejected (type %u, %zu bytes): %s", ev.type,
			  size, strerror(-n));
		return 0;
	}
	if (verbose)
		fprintf(stderr, "  event type %u dir %u: %d packet(s) (%s)\n", ev.type, ev.dir, n,
			lw_slowpath_reason_name(out.reason));
	for (int i = 0; i < n; i++)
		sink_add(k, &out.pkt[i]);
	return 0;
}

/* How a case's next hops are found; every case runs in all three. */
enum nh_mode {
	NH_FIB,    /* the kernel's FIB and neighbour table */
	NH_STATIC, /* Snabb's model: configured next-hop MACs, no FIB lookup */
	NH_CACHE,  /* the next-hop cache filled from the lab (issue 11), the FIB behind it */
};

static const char *const nh_mode_name[] = { "the FIB", "static next hops", "the next-hop cache" };

/* The next-hop cache as the mode wants it: filled from the lab, or in FIB
 * mode (what an earlier case's fill left must not answer for this one). */
static int apply_nh(const struct aftr_env *env, const struct lw_aftr_config *cfg,
		    enum nh_mode mode, char *err, size_t errlen)
{
	struct lw_nh_spec fib = { .skip = { "conformance", "conformance" } };
	int fd = lw_aftr_nh_fd_from_obj(env->obj);

	if (mode == NH_CACHE)
		return lw_aftr_nh_sync_once(fd, cfg, 600000, NULL, err, errlen);
	return lw_nh_sync_once(fd, &fib, 0, NULL, err, errlen);
}

static int run_case(const struct aftr_env *env, struct ring_buffer *rb, struct slowpath_sink *sink,
		    const struct casedef *c, const struct deviation *devs, size_t ndev,
		    struct verdict *v, const char **skip, enum nh_mode mode)
{
	struct lw_aftr_setup s;
	struct frames in4 = {}, in6 = {}, exp4 = {}, exp6 = {}, out4 = {}, out6 = {};
	char err[1024], path[512], addr4[64], addr6[80];
	const struct deviation *dev = find_deviation(devs, ndev, c->id);
	int if4, if6, ret = 0;

	*skip = skip_reason(c);
	if (*skip)
		return 0;
	snprintf(path, sizeof(path), "%s/snabb-lwaftr/%s", data_dir, c->config);
	if (lw_snabb_conf_load(path, &s, err, sizeof(err))) {
		note_fail(v, "config import: %s", err);
		return 0;
	}
	if (read_pcap(c->in4, &in4, err, sizeof(err)) || read_pcap(c->in6, &in6, err, sizeof(err)) ||
	    read_pcap(c->exp4, &exp4, err, sizeof(err)) || read_pcap(c->exp6, &exp6, err, sizeof(err))) {
		note_fail(v, "%s", err);
		goto out;
	}
	if (is_echo_to_aftr(&in4, &s) || is_echo_to_aftr(&in6, &s)) {
		*skip = "echo to the lwAFTR's own address: the kernel answers behind XDP_PASS; "
			"selftests/netns shows it with the program attached";
		goto out;
	}
	if (!s.external.has_next_hop_mac || !s.internal.has_next_hop_mac) {
		*skip = "next hop given by IP: neighbour resolution is the kernel's";
		goto out;
	}
	if (s.n_unsupported) {
		note_fail(v, "config uses what lw4o6 does not support: %s", s.unsupported[0]);
		goto out;
	}

	/* The lab: our MACs and the next hops' MACs from the configuration. */
	snprintf(addr4, sizeof(addr4), "%s/32", s.external.has_ip4 ?
		 inet_ntop(AF_INET, &s.external.ip4, err, 64) : "192.0.2.1");
	snprintf(addr6, sizeof(addr6), "%s/128", s.internal.has_ip6 ?
		 inet_ntop(AF_INET6, &s.internal.ip6, err + 64, 64) : "2001:db8::1");
	{
		struct aftr_side_spec inet = {
			.name = "inet", .mac = s.external.has_mac ? s.external.mac : NULL,
			.peer_mac = s.external.next_hop_mac, .mtu = s.cfg.ipv4_mtu, .ipv6 = false,
			.addr = addr4, .gateway = "169.254.0.1",
		};
		struct aftr_side_spec access = {
			.name = "access", .mac = s.internal.has_mac ? s.internal.mac : NULL,
			.peer_mac = s.internal.next_hop_mac, .mtu = s.cfg.ipv6_mtu, .ipv6 = true,
			.addr = addr6, .gateway = "fe80::1",
		};

		if4 = aftr_env_add_side(&inet, err, sizeof(err));
		if (if4 < 0) {
			ret = if4;
			goto out;
		}
		if6 = aftr_env_add_side(&access, err, sizeof(err));
		if (if6 < 0) {
			ret = if6;
			goto out;
		}
	}
	s.cfg.ipv4_ifindex = (__u32)if4;
	s.cfg.ipv6_ifindex = (__u32)if6;
	if (mode == NH_STATIC && lw_setup_static_nexthops(&s) != 2) {
		note_fail(v, "static next hops: the configuration lacks a MAC");
		goto out;
	}
	if (lw_aftr_install(&env->maps, &s, 1, err, sizeof(err)) ||
	    lw_aftr_stats_reset(&env->maps)) {
		note_fail(v, "install: %s", err);
		goto out;
	}
	if (apply_nh(env, &s.cfg, mode, err, sizeof(err))) {
		note_fail(v, "next-hop cache: %s", err);
		goto out;
	}
	/* events of an earlier case are not this one's */
	sink->discard = true;
	ring_buffer__consume(rb);
	sink->discard = false;
	sink->s = &s;
	sink->out4 = &out4;
	sink->out6 = &out6;
	sink->v = v;
	slowpath_cfg_from(&s, env, &sink->cfg);
	frag_cfg_from(&s, path, &sink->fc);
	sink->reasm = lw_reasm_new(&sink->fc);
	if (!sink->reasm) {
		note_fail(v, "reassembly state: out of memory");
		goto out;
	}
	lw_reasm_seed_id(sink->reasm, 0x42424243u); /* Snabb's first one, for readable dumps */
	sink->now_ms = 0;

	/* What arrives on each side, in order; where each result goes. */
	for (int side = 0; side < 2; side++) {
		struct frames *in = side == 0 ? &in4 : &in6;
		int ifindex = side == 0 ? if4 : if6;

		for (size_t i = 0; i < in->n; i++) {
			size_t outlen = 0, off;
			uint32_t act = 0;
			int t;

			if (aftr_env_run(env, (unsigned)ifindex, in->f[i].data, in->f[i].len, outbuf,
					 sizeof(outbuf), &outlen, &act)) {
				note_fail(v, "BPF_PROG_TEST_RUN failed: %s", strerror(errno));
				continue;
			}
			switch (act) {
			case XDP_DROP:
				break;
			case XDP_PASS:
				v->passed_to_host++;
				break;
			case XDP_TX:
				frames_add(side == 0 ? &out4 : &out6, outbuf, outlen);
				break;
			case XDP_REDIRECT:
				/* the program picks the egress by the family it emits */
				t = l3_of(outbuf, outlen, &off);
				if (t == ETH_P_IPV6)
					frames_add(&out6, outbuf, outlen);
				else if (t == ETH_P_IP)
					frames_add(&out4, outbuf, outlen);
				else
					note_fail(v, "redirected a frame of EtherType 0x%04x", t);
				break;
			default:
				note_fail(v, "program returned %u for input %zu of the %s side", act, i,
					  side == 0 ? "IPv4" : "IPv6");
			}
			/* what the slow path makes of this input's events */
			sink->now_ms++;
			if (ring_buffer__consume(rb) < 0)
				note_fail(v, "ring_buffer__consume: %s", strerror(errno));
		}
	}
	dump(c->id, "to_b4", &out6);
	dump(c->id, "to_internet", &out4);
	compare_side("to_b4", &out6, &exp6, dev, v);
	compare_side("to_internet", &out4, &exp4, dev, v);
	if (dev && !v->fail && !v->pkt_deviation && packet_fields_listed(dev))
		note_fail(v, "listed as a deviation (%s) but the output equals Snabb's: update deviations.tsv",
			  dev->fields);
	compare_counters(env, c, &s, dev, v);
out:
	sink->s = NULL;
	lw_reasm_free(sink->reasm);
	sink->reasm = NULL;
	if (ret)
		note_fail(v, "lab setup: %s", err);
	frames_free(&in4);
	frames_free(&in6);
	frames_free(&exp4);
	frames_free(&exp6);
	frames_free(&out4);
	frames_free(&out6);
	lw_setup_free(&s);
	return 0;
}

static size_t load_deviations(const char *path, struct deviation **out)
{
	FILE *f = fopen(path, "r");
	struct deviation *d = NULL;
	size_t n = 0;
	char line[1024];

	if (!f) {
		fprintf(stderr, "conformance: cannot read %s: %s\n", path, strerror(errno));
		exit(1);
	}
	while (fgets(line, sizeof(line), f)) {
		char *id, *fields, *reason, *save = NULL;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\n")] = '\0';
		id = strtok_r(line, "\t", &save);
		fields = strtok_r(NULL, "\t", &save);
		reason = strtok_r(NULL, "\t", &save);
		if (!id || !fields || !reason) {
			fprintf(stderr, "conformance: %s: malformed line (case<TAB>fields<TAB>reason)\n", path);
			exit(1);
		}
		d = realloc(d, (n + 1) * sizeof(*d));
		if (!d)
			exit(1);
		snprintf(d[n].id, sizeof(d[n].id), "%s", id);
		snprintf(d[n].fields, sizeof(d[n].fields), "%s", fields);
		snprintf(d[n].reason, sizeof(d[n].reason), "%s", reason);
		n++;
	}
	fclose(f);
	*out = d;
	return n;
}

/* counters.tsv: snabb<TAB>("-" | term["+"term...])<TAB>reason, a term being
 * [N*]slot.packets, slot.bytes (a frame: the runner removes a tag's 4 bytes
 * per packet) or slot.ipbytes (counted from the IP header: nothing to untag) */
static void load_counter_map(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024];

	if (!f) {
		fprintf(stderr, "conformance: cannot read %s: %s\n", path, strerror(errno));
		exit(1);
	}
	while (fgets(line, sizeof(line), f)) {
		char *snabb, *ours, *reason, *save = NULL, *tok, *save2 = NULL;
		struct counter_map *m;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\n")] = '\0';
		snabb = strtok_r(line, "\t", &save);
		ours = strtok_r(NULL, "\t", &save);
		reason = strtok_r(NULL, "\t", &save);
		if (!snabb || !ours || !reason || !*reason) {
			fprintf(stderr, "conformance: %s: malformed line (snabb<TAB>lw4o6<TAB>reason)\n", path);
			exit(1);
		}
		cmaps = realloc(cmaps, (ncmaps + 1) * sizeof(*cmaps));
		if (!cmaps)
			exit(1);
		m = &cmaps[ncmaps++];
		memset(m, 0, sizeof(*m));
		snprintf(m->snabb, sizeof(m->snabb), "%s", snabb);
		m->vlan_side = strstr(snabb, "ipv4") || strstr(snabb, "icmpv4") ? 4 :
			       strstr(snabb, "ipv6") || strstr(snabb, "icmpv6") ? 6 : 0;
		if (!strcmp(ours, "-"))
			continue;
		for (tok = strtok_r(ours, "+", &save2); tok; tok = strtok_r(NULL, "+", &save2)) {
			char *dot = strrchr(tok, '.'), *star = strchr(tok, '*');
			unsigned k, mul = 1;

			if (star) {
				mul = (unsigned)strtoul(tok, NULL, 10);
				tok = star + 1;
			}
			if (!dot || m->nterms == COUNTER_TERMS || !mul ||
			    (strcmp(dot, ".packets") && strcmp(dot, ".bytes") && strcmp(dot, ".ipbytes")) ||
			    (star && strcmp(dot, ".packets"))) {
				fprintf(stderr, "conformance: %s: %s: bad term %s\n", path, snabb, tok);
				exit(1);
			}
			*dot = '\0';
			for (k = 0; k < LW_STAT_MAX && strcmp(lw_stat_name(k), tok); k++)
				;
			if (k == LW_STAT_MAX) {
				fprintf(stderr, "conformance: %s: %s: no counter %s in stats.h\n", path, snabb, tok);
				exit(1);
			}
			m->stat[m->nterms] = k;
			m->mul[m->nterms] = mul;
			m->bytes[m->nterms] = strcmp(dot + 1, "packets") != 0;
			m->ipbytes[m->nterms] = !strcmp(dot + 1, "ipbytes");
			m->nterms++;
		}
	}
	fclose(f);
}

/* CASES.tsv columns: id name config in_v4 in_v6 exp_v6 exp_v4 description
 * suite counters features on_a_stick snabb_result notes */
static int parse_case(char *line, struct casedef *c)
{
	char *col[14] = {0};
	int n = 0;
	char *p = line;

	while (n < 14) {
		col[n++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
	if (n < 11)
		return -1;
	snprintf(c->id, sizeof(c->id), "%s", col[0]);
	snprintf(c->config, sizeof(c->config), "%s", col[2]);
	snprintf(c->in4, sizeof(c->in4), "%s", col[3]);
	snprintf(c->in6, sizeof(c->in6), "%s", col[4]);
	snprintf(c->exp6, sizeof(c->exp6), "%s", col[5]);
	snprintf(c->exp4, sizeof(c->exp4), "%s", col[6]);
	snprintf(c->counters, sizeof(c->counters), "%s", col[9]);
	snprintf(c->features, sizeof(c->features), "%s", col[10]);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 's' }, { "obj", required_argument, NULL, 'o' },
		{ "case", required_argument, NULL, 'c' }, { "deviations", required_argument, NULL, 'd' },
		{ "dump", required_argument, NULL, 'D' }, { "verbose", no_argument, NULL, 'v' }, { 0 },
	};
	const char *obj = "build/bpf/lw4o6_aftr_test.bpf.o", *only = NULL;
	const char *devpath = "selftests/conformance/deviations.tsv";
	const char *cmappath = "selftests/conformance/counters.tsv";
	unsigned passed = 0, failed = 0, skipped = 0, deviations = 0, in_bar = 0, bar_ok = 0;
	unsigned total_compared = 0, total_unmapped = 0, cases_counted = 0, counter_devs = 0;
	unsigned counter_dev_lines = 0;
	size_t names_unmapped = 0;
	struct deviation *devs = NULL;
	size_t ndev;
	struct aftr_env env;
	struct ring_buffer *rb = NULL;
	struct slowpath_sink sink = { 0 };
	const char *why_skip;
	char err[1024], line[4096], path[512];
	FILE *f;
	int c;

	data_dir = LW4O6_DATA_DIR;
	while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (c) {
		case 's': data_dir = optarg; break;
		case 'o': obj = optarg; break;
		case 'c': only = optarg; break;
		case 'd': devpath = optarg; break;
		case 'D': dump_dir = optarg; break;
		case 'v': verbose++; break;
		default:
			fprintf(stderr, "usage: conformance [--data DIR] [--obj FILE] [--case ID] "
					"[--deviations FILE] [--dump DIR] [-v]\n");
			return 2;
		}
	}
	ndev = load_deviations(devpath, &devs);
	devs_all = devs;
	ndevs_all = ndev;
	load_counter_map(cmappath);
	snprintf(path, sizeof(path), "%s/snabb-lwaftr/CASES.tsv", data_dir);
	f = fopen(path, "r");
	if (!f) {
		printf("SKIP all: cannot read %s: %s\n", path, strerror(errno));
		printf("conformance: 0 passed, 0 failed, 1 skipped\n");
		return 0;
	}
	why_skip = aftr_env_skip_reason();
	if (!why_skip && aftr_env_enter_netns(err, sizeof(err)))
		why_skip = err;
	if (!why_skip && aftr_env_open(&env, obj, err, sizeof(err))) {
		printf("FAIL setup: %s\n", err);
		failed++;
		why_skip = "the program did not load";
	} else if (!why_skip) {
		rb = ring_buffer__new(env.maps.events, on_event, &sink, NULL);
		if (!rb) {
			printf("FAIL setup: ring_buffer__new: %s\n", strerror(errno));
			failed++;
			aftr_env_close(&env);
			why_skip = "the event ring buffer cannot be read";
		}
	}
	while (fgets(line, sizeof(line), f)) {
		struct casedef cd;
		struct verdict v = {};
		const char *skip = NULL;
		char cnt[48] = "no counters";

		if (line[0] == '#' || !strncmp(line, "id\t", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (parse_case(line, &cd))
			continue;
		if (only && strcmp(only, cd.id))
			continue;
		if (why_skip) {
			printf("SKIP %-9s %s\n", cd.id, why_skip);
			skipped++;
			continue;
		}
		run_case(&env, rb, &sink, &cd, devs, ndev, &v, &skip, NH_FIB);
		for (int m = NH_STATIC; m <= NH_CACHE && !skip && !v.fail; m++) {
			struct verdict vs = {};

			run_case(&env, rb, &sink, &cd, devs, ndev, &vs, &skip, (enum nh_mode)m);
			if (vs.fail) {
				v.fail = true;
				snprintf(v.first, sizeof(v.first), "with %s: %.480s", nh_mode_name[m],
					 vs.first);
			}
		}
		if (!skip)
			in_bar++;
		if (!skip && !v.fail) {
			snprintf(cnt, sizeof(cnt), "%u counters", v.counters);
			total_compared += v.counters;
			total_unmapped += v.unmapped;
			if (v.counters)
				cases_counted++;
		}
		if (skip) {
			printf("SKIP %-9s %s\n", cd.id, skip);
			skipped++;
		} else if (v.fail) {
			printf("FAIL %-9s %s\n", cd.id, v.first);
			failed++;
		} else if (v.deviation) {
			const struct deviation *d = find_deviation(devs, ndev, cd.id);

			printf("DEVIATION %-9s (FIB, static next hop, cache; %s) only in %s: %s%s\n", cd.id,
			       cnt, d ? d->fields : "?", d ? d->reason : "",
			       d && packet_fields_listed(d) && counter_lines_listed(d) ?
			       " (and counter lines in deviations.tsv)" : "");
			deviations++;
			passed++;
			bar_ok++;
		} else {
			if (v.passed_to_host)
				printf("PASS %-9s (FIB, static next hop, cache; %s; %u packet(s) handed to the host "
				       "stack: not lw4o6 traffic)\n", cd.id, cnt, v.passed_to_host);
			else
				printf("PASS %-9s (FIB, static next hop, cache; %s)\n", cd.id, cnt);
			passed++;
			bar_ok++;
		}
		fflush(stdout);
	}
	fclose(f);
	if (!why_skip) {
		ring_buffer__free(rb);
		aftr_env_close(&env);
	}
	printf("conformance: %u of %u runnable cases pass (%u of them as checked deviations)\n", bar_ok,
	       in_bar, deviations);
	for (size_t i = 0; i < ncmaps; i++)
		if (!cmaps[i].nterms)
			names_unmapped++;
	for (size_t i = 0; i < ndev; i++)
		if (strstr(devs[i].fields, "counter:")) {
			counter_dev_lines++;
			for (const char *q = devs[i].fields; (q = strstr(q, "counter:")); q++)
				counter_devs++;
		}
	printf("conformance: counters: %u compared in %u cases (each in all three next-hop modes), %u of "
	       "Snabb's expected values not comparable (%zu of %zu counter names mapped to \"-\" in "
	       "counters.tsv), %u counter deviations listed (%u lines of deviations.tsv)\n", total_compared,
	       cases_counted, total_unmapped, names_unmapped, ncmaps, counter_devs, counter_dev_lines);
	free(devs);
	free(cmaps);
	printf("conformance: %u passed, %u failed, %u skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
