// SPDX-License-Identifier: GPL-2.0
/* lw4o6 load b4's configuration file: key-value, one statement a line, '#'
 * comments (docs/examples/lwb4.conf), read with lib/util/conf_lines:
 *   aftr-ipv6 ADDR            the lwAFTR (outer destination)       required
 *   tunnel-ipv6 ADDR          our softwire end (outer source)      required
 *   lan-address A/LEN         the lwB4's own LAN address and the
 *                             LAN prefix of its hosts              required
 *   tunnel-mtu N              largest IPv6 packet to the lwAFTR    1500
 *   filtering adf|eif         address-dependent (default) or
 *                             endpoint-independent filtering
 *   udp-timeout S             300     tcp-established-timeout S    7440
 *   tcp-transitory-timeout S  240     icmp-timeout S               60
 *   hop-limit N               64      mss-clamp on|off             on
 *   events on|off             on      event-rate N / event-burst N 1000 / 100
 *   pool-warn-percent N       0       pool usage event at N % (0..100;
 *                                     0 = off)
 *   port-set IPV4 FIRST SIZE  a static port set (repeatable; none: PCP or
 *                             'lw4o6 portset add' grants them later)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include "b4_conf.h"
#include "b4_maps.h"
#include "conf_lines.h"
#include "addr.h"
#include "errmsg.h"
#include "cli.h"

#define IPV6_MIN_MTU   1280
#define LAN_PREFIX_MIN 8
#define LAN_PREFIX_MAX 30
#define MAX_TIMEOUT    (7 * 86400) /* a week, in seconds */
#define PERCENT        100
#define ADDR_TEXT_MAX  64

/* ---- port sets ------------------------------------------------------------------ */

void b4_set_format(const struct lw_b4_portset *ps, char *buf, size_t len)
{
	char a[LW_IPV4_STRLEN];

	snprintf(buf, len, "%s ports %u-%u", lw_format_ipv4(ps->ipv4, a, sizeof(a)), ps->first,
		 ps->first + ps->size - 1);
}

/* Why ps is not a valid port set (lw_b4_portset_valid), or NULL. */
static const char *set_problem(const struct lw_b4_portset *ps, char *buf, size_t len)
{
	if (ps->size == 0 || ps->size > LW_B4_PORT_SPACE)
		snprintf(buf, len, "size %u is outside 1..65536", ps->size);
	else if (ps->size & (ps->size - 1))
		snprintf(buf, len,
			 "size %u is not a power of two (sets are PSID blocks: 1, 2, 4, ... 65536)",
			 ps->size);
	else if (ps->first % ps->size)
		snprintf(buf, len,
			 "first port %u is not aligned to the size %u (a multiple of %u is needed, "
			 "e.g. %u)",
			 ps->first, ps->size, ps->size, ps->first - ps->first % ps->size);
	else if (ps->first + ps->size > LW_B4_PORT_SPACE)
		snprintf(buf, len, "ports %u..%u run past 65535", ps->first,
			 ps->first + ps->size - 1);
	else
		return NULL;
	return buf;
}

const struct lw_b4_portset *b4_set_overlapping(const struct lw_b4_portset *sets, size_t n,
					       const struct lw_b4_portset *ps)
{
	for (size_t i = 0; i < n; i++)
		if (lw_b4_portsets_overlap(&sets[i], ps))
			return &sets[i];
	return NULL;
}

int b4_set_parse(const char *a, const char *f, const char *s, struct lw_b4_portset *ps, char *err,
		 size_t errlen)
{
	char e[LW_ERR_MAX], why[LW_ERR_MAX];
	uint32_t n;

	memset(ps, 0, sizeof(*ps));
	if (lw_parse_ipv4(a, &ps->ipv4, e, sizeof(e)))
		return snprintf(err, errlen, "%s", e), -1;
	if (lw_parse_u32(f, 0, LW_B4_PORT_SPACE - 1, &n))
		return snprintf(err, errlen, "first port '%s' is not a number in 0..65535", f), -1;
	ps->first = n;
	if (lw_parse_u32(s, 1, LW_B4_PORT_SPACE, &n))
		return snprintf(err, errlen, "size '%s' is not a number in 1..65536", s), -1;
	ps->size = n;
	if (set_problem(ps, why, sizeof(why)))
		return snprintf(err, errlen, "port set %s %s %s: %s", a, f, s, why), -1;
	return 0;
}

/* ---- statements --------------------------------------------------------------------- */

/* A number of the key's range: "KEY: 'V' is not a number in MIN..MAX". */
static int number(const struct conf_key *k, const char *v, uint32_t *out, char *err, size_t errlen)
{
	if (lw_parse_u32(v, k->min, k->max, out))
		return lw_errf(err, errlen, "%s: '%s' is not a number in %u..%u", k->key, v, k->min,
			       k->max);
	return 0;
}

static int set_u32(void *cfg, const struct conf_key *k, const struct conf_stmt *st, char *err,
		   size_t errlen)
{
	return number(k, st->argv[1], (uint32_t *)((char *)cfg + k->off), err, errlen);
}

static int set_hop_limit(void *cfg, const struct conf_key *k, const struct conf_stmt *st, char *err,
			 size_t errlen)
{
	struct b4_file *bf = cfg;
	uint32_t v;
	int r = number(k, st->argv[1], &v, err, errlen);

	if (!r)
		bf->cfg.hop_limit = (__u8)v;
	return r;
}

static int set_tunnel_mtu(void *cfg, const struct conf_key *k, const struct conf_stmt *st,
			  char *err, size_t errlen)
{
	struct b4_file *bf = cfg;
	uint32_t v;

	if (lw_parse_u32(st->argv[1], IPV6_MIN_MTU, UINT16_MAX, &v))
		return lw_errf(err, errlen,
			       "tunnel-mtu: '%s' is not a number in 1280..65535 (IPv6 "
			       "minimum MTU 1280)",
			       st->argv[1]);
	bf->cfg.ipv6_mtu = (__u16)v;
	return 0;
}

/* The RFC's minimum of each mapping timer: shorter ones are allowed, with
 * a warning. */
static const struct {
	const char *key;
	uint32_t min;
	const char *rfc;
} timer_minimum[] = {
	{ "udp-timeout", 120, "RFC 4787 REQ-5" },
	{ "tcp-established-timeout", 7440, "RFC 5382 REQ-5" },
	{ "tcp-transitory-timeout", 240, "RFC 5382 REQ-5" },
	{ "icmp-timeout", 60, "RFC 5508 REQ-2" },
};

/* A statement of the file is FILE:LINE; one of lw4o6 set (line 0) has
 * no place. */
static void warn_short_timer(const struct conf_stmt *st, uint32_t v)
{
	char where[LW_ERR_MAX] = "";

	if (st->line > 0)
		snprintf(where, sizeof(where), "%s:%d: ", st->file, st->line);
	for (size_t i = 0; i < CONF_ARRAY_SIZE(timer_minimum); i++)
		if (!strcmp(st->argv[0], timer_minimum[i].key) && v < timer_minimum[i].min)
			fprintf(stderr,
				"lw4o6: warning: %s%s %u s is below the %s minimum of %u s\n",
				where, st->argv[0], v, timer_minimum[i].rfc, timer_minimum[i].min);
}

static int set_timer(void *cfg, const struct conf_key *k, const struct conf_stmt *st, char *err,
		     size_t errlen)
{
	uint32_t v;

	if (lw_parse_u32(st->argv[1], 1, MAX_TIMEOUT, &v))
		return lw_errf(err, errlen, "%s: '%s' is not a number of seconds in 1..604800",
			       st->argv[0], st->argv[1]);
	warn_short_timer(st, v);
	*(uint32_t *)((char *)cfg + k->off) = v;
	return 0;
}

/* aftr-ipv6, tunnel-ipv6: a unicast address */
static int set_endpoint(struct in6_addr *a, bool *have, const struct conf_stmt *st, char *err,
			size_t errlen)
{
	char e[LW_ERR_MAX];

	if (lw_parse_ipv6(st->argv[1], a, e, sizeof(e)))
		return lw_errf(err, errlen, "%s: %s", st->argv[0], e);
	if (IN6_IS_ADDR_MULTICAST(a) || IN6_IS_ADDR_UNSPECIFIED(a) || IN6_IS_ADDR_LOOPBACK(a))
		return lw_errf(err, errlen, "%s: '%s' is not a unicast address", st->argv[0],
			       st->argv[1]);
	*have = true;
	return 0;
}

static int set_aftr(void *cfg, const struct conf_key *k, const struct conf_stmt *st, char *err,
		    size_t errlen)
{
	struct b4_file *bf = cfg;

	return set_endpoint(&bf->cfg.aftr_addr, &bf->have_aftr, st, err, errlen);
}

static int set_tunnel(void *cfg, const struct conf_key *k, const struct conf_stmt *st, char *err,
		      size_t errlen)
{
	struct b4_file *bf = cfg;

	return set_endpoint(&bf->cfg.tunnel_addr, &bf->have_tunnel, st, err, errlen);
}

static int set_lan_address(void *cfg, const struct conf_key *k, const struct conf_stmt *st,
			   char *err, size_t errlen)
{
	struct b4_file *bf = cfg;
	char buf[ADDR_TEXT_MAX], e[LW_ERR_MAX], *slash;
	uint32_t len;

	snprintf(buf, sizeof(buf), "%s", st->argv[1]);
	slash = strchr(buf, '/');
	if (!slash)
		return lw_errf(err, errlen,
			       "lan-address: '%s' needs a prefix length (e.g. "
			       "192.168.1.1/24)",
			       st->argv[1]);
	*slash = '\0';
	if (lw_parse_ipv4(buf, &bf->cfg.lan_addr, e, sizeof(e)))
		return lw_errf(err, errlen, "lan-address: %s", e);
	if (lw_parse_u32(slash + 1, LAN_PREFIX_MIN, LAN_PREFIX_MAX, &len))
		return lw_errf(err, errlen, "lan-address: prefix length '%s' is outside 8..30",
			       slash + 1);
	bf->cfg.lan_prefixlen = (__u8)len;
	bf->have_lan = true;
	return 0;
}

static int set_filtering(void *cfg, const struct conf_key *k, const struct conf_stmt *st, char *err,
			 size_t errlen)
{
	struct b4_file *bf = cfg;

	if (!strcmp(st->argv[1], "eif"))
		bf->cfg.flags |= LW_B4_CFG_EIF;
	else if (!strcmp(st->argv[1], "adf"))
		bf->cfg.flags &= ~LW_B4_CFG_EIF;
	else
		return lw_errf(err, errlen,
			       "filtering: 'adf' (address-dependent) or 'eif' "
			       "(endpoint-independent), not '%s'",
			       st->argv[1]);
	return 0;
}

static int set_onoff(struct b4_file *bf, __u32 flag, const struct conf_stmt *st, char *err,
		     size_t errlen)
{
	bool on;

	if (lw_parse_onoff(st->argv[1], &on))
		return lw_errf(err, errlen, "%s: 'on' or 'off', not '%s'", st->argv[0],
			       st->argv[1]);
	bf->cfg.flags = on ? bf->cfg.flags | flag : bf->cfg.flags & ~flag;
	return 0;
}

static int set_mss_clamp(void *cfg, const struct conf_key *k, const struct conf_stmt *st, char *err,
			 size_t errlen)
{
	return set_onoff(cfg, LW_B4_CFG_MSS_CLAMP, st, err, errlen);
}

static int set_events(void *cfg, const struct conf_key *k, const struct conf_stmt *st, char *err,
		      size_t errlen)
{
	return set_onoff(cfg, LW_B4_CFG_EVENTS, st, err, errlen);
}

static int set_port_set(void *cfg, const struct conf_key *k, const struct conf_stmt *st, char *err,
			size_t errlen)
{
	struct b4_file *bf = cfg;
	char **w = st->argv, held[LW_B4_SET_STRLEN];
	const struct lw_b4_portset *o;
	struct lw_b4_portset ps;
	uint64_t ports = 0;

	if (b4_set_parse(w[1], w[2], w[3], &ps, err, errlen))
		return -EINVAL;
	if ((o = b4_set_overlapping(bf->sets, bf->n_sets, &ps))) {
		b4_set_format(o, held, sizeof(held));
		return lw_errf(err, errlen, "port set %s %s %s overlaps %s", w[1], w[2], w[3],
			       held);
	}
	if (bf->n_sets == LW_B4_POOL_MAX)
		return lw_errf(err, errlen, "more than %d port sets", LW_B4_POOL_MAX);
	for (size_t i = 0; i < bf->n_sets; i++)
		ports += bf->sets[i].size;
	if (ports + ps.size > LW_B4_POOL_PORTS)
		return lw_errf(err, errlen, "port set %s %s %s: more than %d ports in all", w[1],
			       w[2], w[3], LW_B4_POOL_PORTS);
	bf->sets[bf->n_sets++] = ps;
	return 0;
}

#define CFG(field) offsetof(struct b4_file, cfg.field)
static const struct conf_key b4_file_keys[] = {
	CONF_KEY("aftr-ipv6", 1, set_aftr),
	CONF_KEY("tunnel-ipv6", 1, set_tunnel),
	CONF_KEY("lan-address", 1, set_lan_address),
	CONF_KEY("tunnel-mtu", 1, set_tunnel_mtu),
	{ "hop-limit", 1, set_hop_limit, 0, 1, UINT8_MAX },
	CONF_KEY("filtering", 1, set_filtering),
	CONF_KEY("mss-clamp", 1, set_mss_clamp),
	CONF_KEY("events", 1, set_events),
	{ "event-rate", 1, set_u32, CFG(event_rate), 0, LW_MAX_EVENT_RATE },
	{ "event-burst", 1, set_u32, CFG(event_burst), 1, LW_MAX_EVENT_RATE },
	{ "udp-timeout", 1, set_timer, CFG(udp_timeout), 0, 0 },
	{ "tcp-established-timeout", 1, set_timer, CFG(tcp_est_timeout), 0, 0 },
	{ "tcp-transitory-timeout", 1, set_timer, CFG(tcp_trans_timeout), 0, 0 },
	{ "icmp-timeout", 1, set_timer, CFG(icmp_timeout), 0, 0 },
	{ "pool-warn-percent", 1, set_u32, CFG(pool_warn_pct), 0, PERCENT },
	CONF_KEY("port-set", 3, set_port_set),
};
#undef CFG

static const struct conf_syntax b4_file_syntax = {
	.keys = b4_file_keys,
	.n_keys = CONF_ARRAY_SIZE(b4_file_keys),
	.max_words = CONF_MAX_WORDS,
	.unknown_hint = " (see docs/examples/lwb4.conf)",
};

/* What only a load changes: the addresses the softwire, the LAN and the
 * grants stand on, and the static sets. */
static const char *const load_only_keys[] = { "aftr-ipv6", "tunnel-ipv6", "lan-address",
					      "port-set" };

static bool load_only(const char *key)
{
	for (size_t i = 0; i < CONF_ARRAY_SIZE(load_only_keys); i++)
		if (!strcmp(key, load_only_keys[i]))
			return true;
	return false;
}

static const struct conf_key *find_key(const char *key)
{
	for (size_t i = 0; i < CONF_ARRAY_SIZE(b4_file_keys); i++)
		if (!strcmp(key, b4_file_keys[i].key))
			return &b4_file_keys[i];
	return NULL;
}

int b4_conf_set(struct lw_b4_config *cfg, const char *key, const char *value, char *err,
		size_t errlen)
{
	char *argv[] = { (char *)key, (char *)value };
	struct conf_stmt st = { .file = "set", .line = 0, .argc = 2, .argv = argv };
	const struct conf_key *k = find_key(key);
	struct b4_file bf;
	int ret;

	if (load_only(key))
		return lw_errf(err, errlen,
			       "%s: only 'lw4o6 load b4' with a changed configuration changes it",
			       key);
	if (!k || k->n_values != 1)
		return lw_errf(err, errlen, "unknown setting '%s' (%s)", key, B4_SET_KEYS);
	memset(&bf, 0, sizeof(bf));
	bf.cfg = *cfg;
	if ((ret = k->set(&bf, k, &st, err, errlen)))
		return ret;
	*cfg = bf.cfg;
	return 0;
}

static int parse(const char *text, const char *name, void *cfg, char *err, size_t errlen)
{
	return conf_lines_parse(text, name, &b4_file_syntax, cfg, err, errlen);
}

int b4_conf_read(const char *path, struct b4_file *bf)
{
	char err[LW_ERR_MAX];

	memset(bf, 0, sizeof(*bf));
	lw_b4_config_init(&bf->cfg);
	if (access(path, R_OK))
		return lw_fail("cannot read config '%s': %s", path, strerror(errno));
	if (conf_file_load(path, parse, bf, err, sizeof(err)))
		return lw_fail("%s", err);
	if (!bf->have_aftr || !bf->have_tunnel || !bf->have_lan)
		return lw_fail("%s: %s is required", path,
			       !bf->have_aftr     ? "aftr-ipv6"
			       : !bf->have_tunnel ? "tunnel-ipv6"
						  : "lan-address");
	return 0;
}
