/* SPDX-License-Identifier: GPL-2.0 */
/* Entry points of the Snabb importer: format detection, the top of the
 * snabb-softwire-v3 tree, Snabb's defaults, and the final validation. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "errmsg.h"
#include "snabb_conf.h"
#include "snabb_conf_priv.h"

#define MIGRATE_HINT "; convert it with 'snabb lwaftr migrate-configuration'"

/* Snabb before the YANG schema used "key = value," files (configdata/
 * legacy.conf) and a separate "psid_map { ... }" binding table
 * (configdata/binding-table.txt). Neither survives the YANG tokenizer with a
 * useful message, so they are recognised from their first word. */
static bool is_word_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '-';
}

static int reject_legacy(struct lw_tstream *in, const char *file, char *err, size_t errlen)
{
	size_t i = in->base, n = 0;
	unsigned line = 1;
	char word[9];
	int c;

	/* the window keeps all of this (nothing has moved keep yet) */
	for (;;) {
		while ((c = lw_tstream_at(in, i)) == ' ' || c == '\t' || c == '\r' || c == '\n') {
			line += c == '\n';
			i++;
		}
		if (c == '/' && lw_tstream_at(in, i + 1) == '/') {
			while ((c = lw_tstream_at(in, i)) >= 0 && c != '\n')
				i++;
		} else if (c == '/' && lw_tstream_at(in, i + 1) == '*') {
			for (i += 2; (c = lw_tstream_at(in, i)) >= 0 &&
				     !(c == '*' && lw_tstream_at(in, i + 1) == '/');
			     i++)
				line += c == '\n';
			i += 2;
		} else {
			break;
		}
	}
	for (; (c = lw_tstream_at(in, i)) >= 0 && is_word_char((char)c); i++, n++)
		if (n < sizeof(word))
			word[n] = (char)c;
	if (n == 8 && !memcmp(word, "psid_map", 8))
		return lw_errf(
			err, errlen,
			"%s:%u: unsupported Snabb config format (legacy psid_map binding-table syntax)" MIGRATE_HINT,
			file, line);
	while ((c = lw_tstream_at(in, i)) == ' ' || c == '\t')
		i++;
	if (n && c == '=')
		return lw_errf(
			err, errlen,
			"%s:%u: unsupported Snabb config format (legacy 'key = value' lwAFTR configuration from before the YANG schema)" MIGRATE_HINT,
			file, line);
	return 0;
}

static const struct lw_ynode *find_child(const struct lw_ytree *t, const struct lw_ynode *n,
					 const char *name)
{
	for (n = lw_ynode_at(t, n->child); n; n = lw_ynode_at(t, n->next))
		if (!strcmp(n->name, name))
			return n;
	return NULL;
}

/* snabb-softwire-v1 (Snabb 3.x, configdata/3.2.0.conf) kept br-address as a
 * leaf-list indexed by the softwires and the port-set parameters in psid-map
 * entries. Detected before walking, so the message names the format rather
 * than the first leaf that happens to differ. */
static int reject_v1(struct snabb_ctx *c)
{
	const struct lw_ynode *sc = find_child(c->tree, &c->tree->nodes[0], "softwire-config");
	const struct lw_ynode *bt = sc ? find_child(c->tree, sc, "binding-table") : NULL;
	const struct lw_ynode *old;

	for (old = bt ? lw_ynode_at(c->tree, bt->child) : NULL; old;
	     old = lw_ynode_at(c->tree, old->next))
		if (!strcmp(old->name, "psid-map") || !strcmp(old->name, "br-address"))
			break;
	if (old)
		return snabb_error(
			c, old->line,
			"unsupported Snabb config format (snabb-softwire-v1 binding-table with '%s', Snabb 3.x)" MIGRATE_HINT,
			old->name);
	return 0;
}

static const struct snabb_member softwire_config_members[] = {
	{ "name", SNABB_LEAF, NULL }, /* Snabb's process name */
	{ "binding-table", SNABB_BLOCK, snabb_binding_table },
	{ "external-interface", SNABB_BLOCK, snabb_external_interface },
	{ "internal-interface", SNABB_BLOCK, snabb_internal_interface },
	{ "instance", SNABB_LIST, snabb_instance },
};

static int h_softwire_config(struct snabb_ctx *c, const struct lw_ynode *n, void *arg)
{
	return snabb_walk(c, n, "softwire-config", softwire_config_members,
			  SNABB_ARRAY_SIZE(softwire_config_members), NULL);
}

static const struct snabb_member root_members[] = {
	{ "softwire-config", SNABB_BLOCK, h_softwire_config },
};

/* Defaults that differ from lw_setup_init because Snabb's differ. */
static void snabb_defaults(struct lw_aftr_setup *s)
{
	s->cfg.ipv4_mtu = SNABB_DEFAULT_IPV4_MTU;
	s->cfg.ipv6_mtu = SNABB_DEFAULT_IPV6_MTU;
	/* Snabb answers an echo request to a shared address by looking the
	 * softwire up with port 0 instead of treating the Identifier as the
	 * port (RFC 7596 section 8.1); its expected outputs depend on it. */
	s->cfg.echo_policy = LW_ECHO_PORT0;
	/* LW_CFG_TTL_DECAP stays set although Snabb does not decrement on
	 * decapsulation: that is lw4o6's own decision, and the conformance
	 * runner accounts for it. The hop limit stays lw4o6's too. */
}

static void finish(struct snabb_ctx *c)
{
	struct lw_aftr_setup *s = c->s;

	if (!c->queue_vlan[1] && c->has_global_internal_vlan)
		s->internal.vlan = c->global_internal_vlan;
	s->cfg.ipv4_vlan = s->external.vlan;
	s->cfg.ipv6_vlan = s->internal.vlan;
	if (c->has_rate[0] && c->has_rate[1])
		s->cfg.event_rate = c->rate[0] < c->rate[1] ? c->rate[0] : c->rate[1];
	else if (c->has_rate[0] || c->has_rate[1])
		s->cfg.event_rate = c->has_rate[0] ? c->rate[0] : c->rate[1];
}

static void name_by_line(const void *ctx, size_t index, char *buf, size_t len)
{
	const struct snabb_ctx *c = ctx;

	snprintf(buf, len, "%s:%u", c->file, c->sw_lines[index]);
}

static int hook_open(void *ctx, const struct lw_ytree *t, uint32_t parent, const char *name,
		     size_t len, uint32_t line, struct lw_ylex *lx)
{
	if (!snabb_is_softwire(t, parent, name, len))
		return 0;
	return snabb_softwire_fast(ctx, lx, line);
}

static int hook_done(void *ctx, const struct lw_ytree *t, uint32_t node)
{
	const struct lw_ynode *n = &t->nodes[node];

	if (!snabb_is_softwire(t, n->parent, n->name, strlen(n->name)))
		return 0;
	return snabb_softwire_done(ctx, n);
}

/* The schema walk of what stayed in the tree, and the first bad softwire if
 * one was found while reading: whichever comes first in the file. */
static int walk_tree(struct snabb_ctx *c)
{
	int ret;

	c->error_line = UINT32_MAX;
	ret = snabb_walk(c, &c->tree->nodes[0], "the top level", root_members,
			 SNABB_ARRAY_SIZE(root_members), NULL);
	if (c->deferred && (!ret || (ret == -EINVAL && c->deferred_line < c->error_line)))
		ret = lw_errf(c->err, c->errlen, "%s", c->deferred);
	return ret;
}

int lw_snabb_conf_parse_stream(struct lw_tstream *in, const char *name_for_errors,
			       struct lw_aftr_setup *out, char *err, size_t errlen)
{
	const char *file = name_for_errors ? name_for_errors : "<input>";
	struct lw_ytree tree = { 0 };
	struct snabb_ctx c = { .s = out, .tree = &tree, .file = file, .err = err, .errlen = errlen };
	const struct lw_yhooks hooks = { hook_open, hook_done, &c };
	int ret;

	lw_setup_init(out);
	snabb_defaults(out);
	ret = reject_legacy(in, file, err, errlen);
	if (!ret)
		ret = lw_ytree_parse_stream(in, file, &tree, &hooks, err, errlen);
	if (!ret)
		ret = reject_v1(&c);
	if (!ret)
		ret = walk_tree(&c);
	if (!ret && !find_child(&tree, &tree.nodes[0], "softwire-config"))
		ret = lw_errf(err, errlen,
			      "%s: no 'softwire-config' block (not a Snabb lwAFTR configuration?)",
			      file);
	if (!ret) {
		finish(&c);
		ret = lw_setup_validate_named(out, name_by_line, &c, err, errlen);
	}
	lw_ytree_free(&tree);
	free(c.sw_lines);
	free(c.deferred);
	if (ret)
		lw_setup_free(out);
	return ret;
}

int lw_snabb_conf_parse(const char *text, size_t len, const char *name_for_errors,
			struct lw_aftr_setup *out, char *err, size_t errlen)
{
	struct lw_tstream in;
	int ret;

	lw_tstream_mem(&in, text, len, 0);
	ret = lw_snabb_conf_parse_stream(&in, name_for_errors, out, err, errlen);
	lw_tstream_close(&in);
	return ret;
}

int lw_snabb_conf_load(const char *path, struct lw_aftr_setup *out, char *err, size_t errlen)
{
	return lw_setup_load_file(path, path, lw_snabb_conf_parse_stream, out, err, errlen);
}
