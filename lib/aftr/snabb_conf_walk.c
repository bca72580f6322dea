/* SPDX-License-Identifier: GPL-2.0 */
/* Schema checking and leaf value parsing for the Snabb importer. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "addr.h"
#include "errmsg.h"
#include "snabb_conf_priv.h"

/* Values are quoted back; a runaway value must not crowd out the line. */
#define V "%.64s"

int snabb_error(struct snabb_ctx *c, uint32_t line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->error_line = line;
	return lw_errf(c->err, c->errlen, "%s:%u: %s", c->file, line, msg);
}

int snabb_nomem(struct snabb_ctx *c)
{
	return lw_errf_code(-ENOMEM, c->err, c->errlen, "%s: out of memory", c->file);
}

int snabb_unsupported(struct snabb_ctx *c, const char *what)
{
	return lw_setup_add_unsupported(c->s, what) ? snabb_nomem(c) : 0;
}

int snabb_walk(struct snabb_ctx *c, const struct lw_ynode *block, const char *path,
	       const struct snabb_member *members, size_t n_members, void *arg)
{
	const struct lw_ynode *n;
	uint64_t seen = 0;
	size_t i;
	int ret;

	for (n = lw_ynode_at(c->tree, block->child); n; n = lw_ynode_at(c->tree, n->next)) {
		for (i = 0; i < n_members && strcmp(members[i].name, n->name); i++)
			;
		if (i == n_members)
			return snabb_error(c, n->line, "unknown %s '" V "' in %s",
					   n->block ? "block" : "leaf", n->name, path);
		if (members[i].kind == SNABB_LEAF && n->block)
			return snabb_error(c, n->line,
					   "'%s' in %s is a leaf ('%s <value>;'), not a block",
					   n->name, path, n->name);
		if (members[i].kind != SNABB_LEAF && !n->block)
			return snabb_error(c, n->line, "'%s' in %s is a block ('%s { ... }')",
					   n->name, path, n->name);
		if (members[i].kind == SNABB_LEAF && !n->value)
			return snabb_error(c, n->line, "'%s' needs a value ('%s <value>;')",
					   n->name, n->name);
		if (members[i].kind != SNABB_LIST && (seen & (1ull << i)))
			return snabb_error(c, n->line, "'%s' given twice in %s", n->name, path);
		seen |= 1ull << i;
		if (members[i].fn) {
			ret = members[i].fn(c, n, arg);
			if (ret)
				return ret;
		}
	}
	return 0;
}

int snabb_leaf_u32(struct snabb_ctx *c, const struct lw_ynode *n, uint32_t min, uint32_t max,
		   uint32_t *out)
{
	int ret = lw_parse_u32(n->value, min, max, out);

	if (ret == -ERANGE)
		return snabb_error(c, n->line, "%s " V " out of range %u..%u", n->name, n->value,
				   min, max);
	if (ret)
		return snabb_error(c, n->line, "%s '" V "' is not a decimal number in %u..%u",
				   n->name, n->value, min, max);
	return 0;
}

int snabb_leaf_bool(struct snabb_ctx *c, const struct lw_ynode *n, bool *out)
{
	if (!strcmp(n->value, "true"))
		*out = true;
	else if (!strcmp(n->value, "false"))
		*out = false;
	else
		return snabb_error(c, n->line, "%s '" V "' is not a boolean (true or false)",
				   n->name, n->value);
	return 0;
}

int snabb_leaf_ipv4(struct snabb_ctx *c, const struct lw_ynode *n, __be32 *out)
{
	char msg[256];

	if (lw_parse_ipv4(n->value, out, msg, sizeof(msg)))
		return snabb_error(c, n->line, "%s %s", n->name, msg);
	return 0;
}

int snabb_leaf_ipv6(struct snabb_ctx *c, const struct lw_ynode *n, struct in6_addr *out)
{
	char msg[256];

	if (lw_parse_ipv6(n->value, out, msg, sizeof(msg)))
		return snabb_error(c, n->line, "%s %s", n->name, msg);
	return 0;
}

int snabb_leaf_mac(struct snabb_ctx *c, const struct lw_ynode *n, __u8 out[6])
{
	char msg[256];

	if (lw_parse_mac(n->value, out, msg, sizeof(msg)))
		return snabb_error(c, n->line, "%s %s", n->name, msg);
	return 0;
}
