/* SPDX-License-Identifier: GPL-2.0 */
/* Reader for the text form of YANG data that Snabb uses for its
 * configuration files:
 *
 *     name value;            leaf (value: bare word or "quoted string")
 *     name;                  leaf without a value (YANG type empty)
 *     name { ... }           container or list entry
 *     // comment, comment
 *
 * It knows nothing about any schema: it only builds a tree, so that each
 * importer can check names against its own schema with line numbers at hand. */
#ifndef LW4O6_YANG_TEXT_H
#define LW4O6_YANG_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LW_YNODE_NONE UINT32_MAX

struct lw_ynode {
	const char *name;  /* NUL-terminated, points into the tree's buffer */
	const char *value; /* NULL for blocks and for `name;` */
	uint32_t line;     /* 1-based line of the name */
	uint32_t child;    /* first child (blocks only), or LW_YNODE_NONE */
	uint32_t next;     /* next sibling, or LW_YNODE_NONE */
	bool block;        /* written as `name { ... }` */
};

/* nodes[0] is an unnamed root block whose children are the top-level
 * statements. Nodes are referred to by index because the array is grown with
 * realloc() while parsing. */
struct lw_ytree {
	char *buf;
	struct lw_ynode *nodes;
	size_t n_nodes, cap_nodes;
};

/* Parses len bytes of text. Errors ("x.conf:12: missing ';' after 'psid 4'")
 * start with name_for_errors and the line; returns 0, -EINVAL or -ENOMEM.
 * On error the tree is left empty; lw_ytree_free() is safe either way. */
int lw_ytree_parse(const char *text, size_t len, const char *name_for_errors, struct lw_ytree *t,
		   char *err, size_t errlen);
void lw_ytree_free(struct lw_ytree *t);

static inline const struct lw_ynode *lw_ynode_at(const struct lw_ytree *t, uint32_t i)
{
	return i == LW_YNODE_NONE ? NULL : &t->nodes[i];
}

#endif
