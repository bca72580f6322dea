/* SPDX-License-Identifier: GPL-2.0 */
/* softwire-config/binding-table: Snabb softwires become RFC 8676 binding
 * entries. Snabb's reserved-ports-bit-count is RFC 7597's PSID offset a, its
 * psid-length is k and its optional shift is m = 16 - a - k. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "snabb_conf_priv.h"

struct softwire_build {
	struct lw_softwire_entry e;
	bool has_ipv4, has_psid, has_b4, has_br, has_port_set, has_psid_len, has_shift;
	uint32_t psid, psid_len, offset, shift;
	uint32_t psid_line, port_set_line, shift_line;
};

static int h_ipv4(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	struct softwire_build *b = arg;

	b->has_ipv4 = true;
	return snabb_leaf_ipv4(c, n, &b->e.ipv4);
}

static int h_psid(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	struct softwire_build *b = arg;

	b->has_psid = true;
	b->psid_line = n->line;
	return snabb_leaf_u32(c, n, 0, UINT16_MAX, &b->psid);
}

static int h_b4_ipv6(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	struct softwire_build *b = arg;

	b->has_b4 = true;
	return snabb_leaf_ipv6(c, n, &b->e.b4_ipv6);
}

static int h_br_address(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	struct softwire_build *b = arg;

	b->has_br = true;
	return snabb_leaf_ipv6(c, n, &b->e.br_ipv6);
}

static int h_padding(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	uint32_t v;

	return snabb_leaf_u32(c, n, 0, UINT16_MAX, &v);
}

static int h_psid_length(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	struct softwire_build *b = arg;

	b->has_psid_len = true;
	return snabb_leaf_u32(c, n, 0, LW_PORT_BITS, &b->psid_len);
}

static int h_reserved_bits(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	struct softwire_build *b = arg;

	return snabb_leaf_u32(c, n, 0, LW_PORT_BITS, &b->offset);
}

/* Not in snabb-softwire-v3 (it is derived there), but older tables and
 * hand-written files carry it; it is accepted only when it agrees. */
static int h_shift(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	struct softwire_build *b = arg;

	b->has_shift = true;
	b->shift_line = n->line;
	return snabb_leaf_u32(c, n, 0, LW_PORT_BITS, &b->shift);
}

static const struct snabb_member port_set_members[] = {
	{ "psid-length", SNABB_LEAF, h_psid_length },
	{ "reserved-ports-bit-count", SNABB_LEAF, h_reserved_bits },
	{ "shift", SNABB_LEAF, h_shift },
};

static int h_port_set(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	struct softwire_build *b = arg;

	b->has_port_set = true;
	b->port_set_line = n->line;
	return snabb_walk(c, n, "softwire-config/binding-table/softwire/port-set", port_set_members,
			  SNABB_ARRAY_SIZE(port_set_members), b);
}

static const struct snabb_member softwire_members[] = {
	{ "ipv4", SNABB_LEAF, h_ipv4 },       { "psid", SNABB_LEAF, h_psid },
	{ "b4-ipv6", SNABB_LEAF, h_b4_ipv6 }, { "br-address", SNABB_LEAF, h_br_address },
	{ "padding", SNABB_LEAF, h_padding }, { "port-set", SNABB_BLOCK, h_port_set },
};

static int check_softwire(struct snabb_ctx *c, const struct lw_ynode *n, struct softwire_build *b)
{
	const char *missing = !b->has_ipv4       ? "ipv4"
			      : !b->has_psid     ? "psid"
			      : !b->has_b4       ? "b4-ipv6"
			      : !b->has_br       ? "br-address"
			      : !b->has_port_set ? "port-set"
						 : NULL;

	if (missing)
		return snabb_error(c, n->line, "softwire has no '%s' (mandatory)", missing);
	if (!b->has_psid_len)
		return snabb_error(c, b->port_set_line,
				   "port-set has no 'psid-length' (mandatory)");
	if (b->psid_len + b->offset > LW_PORT_BITS)
		return snabb_error(c, b->port_set_line,
				   "psid-length %u + reserved-ports-bit-count %u exceeds 16",
				   b->psid_len, b->offset);
	if (b->has_shift && b->shift != LW_PORT_BITS - b->psid_len - b->offset)
		return snabb_error(
			c, b->shift_line,
			"shift %u does not match 16 - psid-length %u - reserved-ports-bit-count %u = %u",
			b->shift, b->psid_len, b->offset, LW_PORT_BITS - b->psid_len - b->offset);
	if (b->psid_len < LW_PORT_BITS && b->psid >= (1u << b->psid_len))
		return snabb_error(c, b->psid_line,
				   "psid %u out of range for psid-length %u (0..%u)", b->psid,
				   b->psid_len, (1u << b->psid_len) - 1);
	return 0;
}

int snabb_remember_line(struct snabb_ctx *c, size_t index, uint32_t line)
{
	if (index >= c->cap_sw_lines) {
		size_t ncap = c->cap_sw_lines ? c->cap_sw_lines * 2 : 1024;
		uint32_t *p = realloc(c->sw_lines, ncap * sizeof(*p));

		if (!p)
			return snabb_nomem(c);
		c->sw_lines = p;
		c->cap_sw_lines = ncap;
	}
	c->sw_lines[index] = line;
	return 0;
}

static int h_softwire(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	struct softwire_build b = { 0 };
	char br[LW_IPV6_STRLEN];
	int ret;

	ret = snabb_walk(c, n, "softwire-config/binding-table/softwire", softwire_members,
			 SNABB_ARRAY_SIZE(softwire_members), &b);
	if (!ret)
		ret = check_softwire(c, n, &b);
	if (ret)
		return ret;
	b.e.psid = (__u16)b.psid;
	b.e.ps.psid_len = (__u8)b.psid_len;
	b.e.ps.psid_offset = (__u8)b.offset;
	ret = snabb_remember_line(c, c->s->n_softwires, n->line);
	if (ret)
		return ret;
	ret = lw_setup_add_softwire(c->s, &b.e);
	if (ret == -E2BIG)
		return snabb_error(
			c, n->line,
			"br-address %s would be distinct BR address number %u; at most %u are supported",
			lw_format_ipv6(&b.e.br_ipv6, br, sizeof(br)), LW_MAX_BR_ADDRS + 1,
			LW_MAX_BR_ADDRS);
	return ret ? snabb_nomem(c) : 0;
}

bool snabb_is_softwire(const struct lw_ytree *t, uint32_t parent, const char *name, size_t len)
{
	const struct lw_ynode *bt = lw_ynode_at(t, parent);
	const struct lw_ynode *sc = bt ? lw_ynode_at(t, bt->parent) : NULL;

	return len == 8 && !memcmp(name, "softwire", 8) && sc && sc->parent == 0 &&
	       !strcmp(bt->name, "binding-table") && !strcmp(sc->name, "softwire-config");
}

int snabb_softwire_done(struct snabb_ctx *c, const struct lw_ynode *n)
{
	int ret;

	if (c->deferred)
		return 1;
	ret = h_softwire(c, n, NULL);
	if (ret != -EINVAL)
		return ret ? ret : 1;
	c->deferred = strdup(c->err && c->errlen ? c->err : "");
	if (!c->deferred)
		return snabb_nomem(c);
	c->deferred_line = c->error_line;
	return 1;
}

/* uint64: too wide for lw_parse_u32, and only checked, never used. */
static int h_version_number(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	const char *p = n->value;
	size_t digits = strspn(p, "0123456789");

	if (!digits || p[digits] || (p[0] == '0' && digits > 1) || digits > 20 ||
	    (digits == 20 && strcmp(p, "18446744073709551615") > 0))
		return snabb_error(
			c, n->line,
			"number '%.64s' is not a decimal number in 0..18446744073709551615", p);
	return 0;
}

static const struct snabb_member version_members[] = {
	{ "number", SNABB_LEAF, h_version_number },
	{ "date", SNABB_LEAF, NULL },
};

/* Bookkeeping for Snabb's own table updates; nothing to install. */
static int h_version(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	return snabb_walk(c, n, "softwire-config/binding-table/version", version_members,
			  SNABB_ARRAY_SIZE(version_members), arg);
}

/* Softwire blocks have left the tree while it was read (snabb_conf.c's
 * hooks); what is left here is a softwire written as a leaf, which the walk
 * refuses. */
static const struct snabb_member binding_table_members[] = {
	{ "softwire", SNABB_LIST, h_softwire },
	{ "version", SNABB_BLOCK, h_version },
};

int snabb_binding_table(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	return snabb_walk(c, n, "softwire-config/binding-table", binding_table_members,
			  SNABB_ARRAY_SIZE(binding_table_members), NULL);
}
