/* SPDX-License-Identifier: GPL-2.0 */
/* Reading RFC 8676 binding tables in JSON: the document structure around
 * the entries (see bt_json.h), walked with json_cursor over a stream, so
 * that neither the file nor a tree of it is ever whole in memory; entries of
 * the usual shape are read without json-c (bt_json_fast.c), the others
 * become one json-c object at a time. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "bt_json.h"
#include "bt_json_priv.h"
#include "errmsg.h"
#include "json_cursor.h"

#define KEY_FMT       "%.*s"
#define KEY_ARG(k, n) (int)((n) > 64 ? 64 : (n)), (k)

struct bt_ctx {
	struct lw_jcur cur;
	struct lw_aftr_setup *s;
	bool has_entries;   /* a binding-entry array has been read */
	uint32_t icmp_rate; /* smallest icmpv4-rate / icmpv6-rate, 0 = none */
	struct lw_bt_fast fast;
};

/* An entry json-c reads, with the messages of lw_bt_json_decode_entry. */
static int slow_entry(struct bt_ctx *c, size_t idx, size_t at, struct lw_softwire_entry *e)
{
	char what[48], msg[512];
	json_object *o;
	int ret;

	snprintf(what, sizeof(what), "binding-entry[%zu]", idx);
	ret = lw_jcur_value(&c->cur, what, &o);
	if (ret)
		return ret;
	ret = lw_bt_json_decode_entry(o, idx, e, msg, sizeof(msg));
	json_object_put(o);
	if (ret)
		return lw_errf(c->cur.err, c->cur.errlen, "%s:%u: %s", c->cur.file,
			       lw_jcur_line(&c->cur, at), msg);
	return 0;
}

static int read_entries(struct bt_ctx *c)
{
	struct lw_softwire_entry e;
	char br[LW_IPV6_STRLEN];
	bool first;
	int ret;

	if (c->has_entries)
		return lw_jcur_error(
			&c->cur, "a second binding-entry list (only one binding table is read)");
	c->has_entries = true;
	ret = lw_jcur_array_begin(&c->cur, "binding-entry", &first);
	while (!ret && (ret = lw_jcur_array_next(&c->cur, &first)) == 1) {
		size_t idx = c->s->n_softwires, at = c->cur.pos;

		if (!lw_bt_json_fast_entry(&c->cur, &c->fast, &e)) {
			ret = slow_entry(c, idx, at, &e);
			if (ret)
				return ret;
		}
		ret = lw_setup_add_softwire(c->s, &e);
		if (ret == -E2BIG)
			return lw_errf(
				c->cur.err, c->cur.errlen,
				"%s:%u: binding-entry[%zu]: br-ipv6-addr %s would be distinct BR address number %u; at most %u are supported",
				c->cur.file, lw_jcur_line(&c->cur, at), idx,
				lw_format_ipv6(&e.br_ipv6, br, sizeof(br)), LW_MAX_BR_ADDRS + 1,
				LW_MAX_BR_ADDRS);
		if (ret)
			return lw_errf_code(ret, c->cur.err, c->cur.errlen,
					    "%s: out of memory after %zu entries", c->cur.file,
					    idx);
	}
	return ret;
}

static int read_binding_table(struct bt_ctx *c)
{
	const char *key;
	size_t klen;
	bool first;
	int ret;

	ret = lw_jcur_object_begin(&c->cur, "binding-table", &first);
	while (!ret && (ret = lw_jcur_object_next(&c->cur, &first, &key, &klen)) == 1) {
		if (lw_jcur_key_is(key, klen, "binding-entry"))
			ret = read_entries(c);
		else
			ret = lw_jcur_error(&c->cur,
					    "unknown member \"" KEY_FMT "\" in binding-table",
					    KEY_ARG(key, klen));
	}
	return ret;
}

static int get_bool(struct bt_ctx *c, const char *what, bool *out)
{
	json_object *v;
	int ret = lw_jcur_value(&c->cur, what, &v);

	if (ret)
		return ret;
	if (!json_object_is_type(v, json_type_boolean)) {
		json_object_put(v);
		return lw_jcur_error(&c->cur, "%s must be true or false", what);
	}
	*out = json_object_get_boolean(v);
	json_object_put(v);
	return 0;
}

static int get_uint(struct bt_ctx *c, const char *what, uint32_t min, uint32_t max, uint32_t *out)
{
	json_object *v;
	int64_t x;
	int ret = lw_jcur_value(&c->cur, what, &v);

	if (ret)
		return ret;
	x = json_object_get_int64(v);
	if (!json_object_is_type(v, json_type_int) || x < min || x > max) {
		json_object_put(v);
		return lw_jcur_error(&c->cur, "%s must be an integer in %u..%u", what, min, max);
	}
	*out = (uint32_t)x;
	json_object_put(v);
	return 0;
}

static void set_flag(struct lw_aftr_setup *s, __u32 flag, bool on)
{
	if (on)
		s->cfg.flags |= flag;
	else
		s->cfg.flags &= ~flag;
}

struct icmp_leaf {
	const char *container, *name;
	__u32 flag; /* 0: a rate */
};

static const struct icmp_leaf icmp_leaves[] = {
	{ "icmpv4-errors", "allow-incoming-icmpv4", LW_CFG_ALLOW_ICMPV4_IN },
	{ "icmpv4-errors", "generate-icmpv4-errors", LW_CFG_ICMPV4_ERRORS },
	{ "icmpv4-errors", "icmpv4-rate", 0 },
	{ "icmpv6-errors", "generate-icmpv6-errors", LW_CFG_ICMPV6_ERRORS },
	{ "icmpv6-errors", "icmpv6-rate", 0 },
};

/* icmp-policy is small: parsed whole and looked up by name. */
static int read_icmp_policy(struct bt_ctx *c)
{
	json_object *pol, *sub, *v;
	size_t at = c->cur.pos, i;
	int ret = lw_jcur_value(&c->cur, "icmp-policy", &pol);

	if (ret)
		return ret;
	for (i = 0; i < sizeof(icmp_leaves) / sizeof(icmp_leaves[0]) && !ret; i++) {
		const struct icmp_leaf *l = &icmp_leaves[i];
		int64_t x;

		if (!json_object_object_get_ex(pol, l->container, &sub) ||
		    !json_object_object_get_ex(sub, l->name, &v))
			continue;
		if (l->flag && !json_object_is_type(v, json_type_boolean)) {
			ret = lw_errf(c->cur.err, c->cur.errlen,
				      "%s:%u: icmp-policy/%s/%s must be true or false", c->cur.file,
				      lw_jcur_line(&c->cur, at), l->container, l->name);
		} else if (l->flag) {
			set_flag(c->s, l->flag, json_object_get_boolean(v));
		} else if (!json_object_is_type(v, json_type_int) ||
			   (x = json_object_get_int64(v)) < 0 || x > UINT32_MAX) {
			ret = lw_errf(c->cur.err, c->cur.errlen,
				      "%s:%u: icmp-policy/%s/%s must be an integer in 0..%u",
				      c->cur.file, lw_jcur_line(&c->cur, at), l->container, l->name,
				      UINT32_MAX);
		} else {
			/* One token bucket serves both families: keep the stricter
			 * rate, and at least one message a second. */
			uint32_t rate = x ? (uint32_t)x : 1;

			if (!c->icmp_rate || rate < c->icmp_rate)
				c->icmp_rate = rate;
		}
	}
	json_object_put(pol);
	return ret;
}

/* Members of a bind-instance that describe the lwAFTR rather than its
 * table (softwire-num-max, softwire-path-mru, binding-table-versioning, ...)
 * have no counterpart in lw4o6 and are skipped. */
static int read_bind_instance(struct bt_ctx *c)
{
	const char *key;
	size_t klen;
	uint32_t mtu = 0;
	bool first, on = false;
	int ret;

	ret = lw_jcur_object_begin(&c->cur, "bind-instance", &first);
	while (!ret && (ret = lw_jcur_object_next(&c->cur, &first, &key, &klen)) == 1) {
		if (lw_jcur_key_is(key, klen, "binding-table")) {
			ret = read_binding_table(c);
		} else if (lw_jcur_key_is(key, klen, "enable-hairpinning")) {
			ret = get_bool(c, "enable-hairpinning", &on);
			if (!ret)
				set_flag(c->s, LW_CFG_HAIRPINNING, on);
		} else if (lw_jcur_key_is(key, klen, "softwire-payload-mtu")) {
			/* The IPv4 payload of the softwire; the access side
			 * carries it behind a 40-byte IPv6 header. */
			ret = get_uint(c, "softwire-payload-mtu", LW_IPV4_MIN_MTU,
				       UINT16_MAX - LW_IPV6_HDR_LEN, &mtu);
			if (!ret)
				c->s->cfg.ipv6_mtu = (__u16)(mtu + LW_IPV6_HDR_LEN);
		} else if (lw_jcur_key_is(key, klen, "icmp-policy")) {
			ret = read_icmp_policy(c);
		} else {
			ret = lw_jcur_skip(&c->cur);
		}
	}
	return ret;
}

/* lw4o6 runs one lwAFTR per program: the first bind-instance is read and
 * any others are skipped. */
static int read_bind_instances(struct bt_ctx *c)
{
	bool first;
	int ret, n = 0;

	ret = lw_jcur_array_begin(&c->cur, "bind-instance", &first);
	while (!ret && (ret = lw_jcur_array_next(&c->cur, &first)) == 1)
		ret = n++ ? lw_jcur_skip(&c->cur) : read_bind_instance(c);
	return ret;
}

static int read_binding(struct bt_ctx *c)
{
	const char *key;
	size_t klen;
	bool first;
	int ret;

	ret = lw_jcur_object_begin(&c->cur, "binding", &first);
	while (!ret && (ret = lw_jcur_object_next(&c->cur, &first, &key, &klen)) == 1)
		ret = lw_jcur_key_is(key, klen, "bind-instance") ? read_bind_instances(c)
								 : lw_jcur_skip(&c->cur);
	return ret;
}

static int read_br_instances(struct bt_ctx *c)
{
	const char *key;
	size_t klen;
	bool first;
	int ret;

	ret = lw_jcur_object_begin(&c->cur, "br-instances", &first);
	while (!ret && (ret = lw_jcur_object_next(&c->cur, &first, &key, &klen)) == 1) {
		if (lw_jcur_key_is(key, klen, "binding")) {
			ret = read_binding(c);
		} else if (lw_jcur_key_is(key, klen, "algorithm")) {
			ret = lw_setup_add_unsupported(c->s, "algorithm (MAP-E/MAP-T) instances");
			ret = ret ? lw_errf_code(ret, c->cur.err, c->cur.errlen,
						 "%s: out of memory", c->cur.file)
				  : lw_jcur_skip(&c->cur);
		} else {
			ret = lw_jcur_skip(&c->cur);
		}
	}
	return ret;
}

static int read_document(struct bt_ctx *c)
{
	const char *key;
	size_t klen;
	bool first, seen = false;
	int ret;

	ret = lw_jcur_object_begin(&c->cur, "the document", &first);
	while (!ret && (ret = lw_jcur_object_next(&c->cur, &first, &key, &klen)) == 1) {
		if (seen)
			return lw_jcur_error(&c->cur,
					     "a second top-level member \"" KEY_FMT
					     "\" (only one table per file)",
					     KEY_ARG(key, klen));
		seen = true;
		if (lw_jcur_key_is(key, klen, "binding-table"))
			ret = read_binding_table(c);
		else if (lw_jcur_key_is(key, klen, "ietf-softwire-br:br-instances") ||
			 lw_jcur_key_is(key, klen, "br-instances"))
			ret = read_br_instances(c);
		else
			ret = lw_jcur_error(
				&c->cur,
				"unknown top-level member \"" KEY_FMT
				"\" (expected \"binding-table\" or \"ietf-softwire-br:br-instances\")",
				KEY_ARG(key, klen));
	}
	if (!ret && !seen)
		ret = lw_jcur_error(
			&c->cur,
			"empty document (expected \"binding-table\" or \"ietf-softwire-br:br-instances\")");
	return ret ? ret : lw_jcur_end(&c->cur);
}

static void name_entry(const void *ctx, size_t index, char *buf, size_t len)
{
	snprintf(buf, len, "binding-entry[%zu]", index);
}

int lw_bt_json_parse_stream(struct lw_tstream *in, const char *name_for_errors,
			    struct lw_aftr_setup *out, char *err, size_t errlen)
{
	struct bt_ctx c = { .s = out };
	int ret;

	lw_setup_init(out);
	ret = lw_jcur_init(&c.cur, in, name_for_errors, err, errlen);
	if (!ret)
		ret = lw_jcur_io_check(&c.cur, read_document(&c));
	if (!ret && c.icmp_rate)
		out->cfg.event_rate = c.icmp_rate;
	if (!ret) {
		ret = lw_setup_validate_named(out, name_entry, NULL, err, errlen);
		if (ret)
			lw_err_prefix(err, errlen, "%s", c.cur.file);
	}
	lw_jcur_free(&c.cur);
	if (ret)
		lw_setup_free(out);
	return ret;
}

int lw_bt_json_parse(const char *text, size_t len, const char *name_for_errors,
		     struct lw_aftr_setup *out, char *err, size_t errlen)
{
	struct lw_tstream in;
	int ret;

	lw_tstream_mem(&in, text, len, 0);
	ret = lw_bt_json_parse_stream(&in, name_for_errors, out, err, errlen);
	lw_tstream_close(&in);
	return ret;
}

int lw_bt_json_load(const char *path, struct lw_aftr_setup *out, char *err, size_t errlen)
{
	return lw_setup_load_file(path, strcmp(path, "-") ? path : "<stdin>",
				  lw_bt_json_parse_stream, out, err, errlen);
}
