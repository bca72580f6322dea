/* SPDX-License-Identifier: GPL-2.0 */
/* Reader for the text form of YANG data that Snabb uses for its
 * configuration files:
 *
 *     name value;            leaf (value: bare word or "quoted string")
 *     name;                  leaf without a value (YANG type empty)
 *     name { ... }           container or list entry
 *     // comment, comment
 *
 * It knows nothing about any schema: it builds a tree, so that each importer
 * can check names against its own schema with line numbers at hand. The text
 * is read as a stream; an importer that expects millions of list entries
 * (Snabb's softwires) takes them out of the stream as they come through
 * hooks (struct lw_yhooks), so that the tree holds only the rest. */
#ifndef LW4O6_YANG_TEXT_H
#define LW4O6_YANG_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "text_stream.h"

#define LW_YNODE_NONE UINT32_MAX

struct lw_ynode {
	const char *name;  /* NUL-terminated, owned by the tree */
	const char *value; /* NULL for blocks and for `name;` */
	uint32_t line;     /* 1-based line of the name */
	uint32_t parent;   /* LW_YNODE_NONE for the root */
	uint32_t child;    /* first child (blocks only), or LW_YNODE_NONE */
	uint32_t next;     /* next sibling, or LW_YNODE_NONE */
	bool block;        /* written as `name { ... }` */
};

struct lw_ystrings;

/* nodes[0] is an unnamed root block whose children are the top-level
 * statements. Nodes are referred to by index because the array is grown with
 * realloc() while parsing. */
struct lw_ytree {
	struct lw_ystrings *strings; /* names and values */
	struct lw_ynode *nodes;
	size_t n_nodes, cap_nodes;
};

/* The reader, as the hooks see it. */
struct lw_ylex;

/* Up to want bytes of the input from the reader's position (fewer only at
 * the end of the input) in *avail; valid until the reader moves on. */
const char *lw_ylex_peek(struct lw_ylex *lx, size_t want, size_t *avail);
/* Consumes n bytes of what lw_ylex_peek showed, containing lines newlines. */
void lw_ylex_advance(struct lw_ylex *lx, size_t n, uint32_t lines);

struct lw_yhooks {
	/* `name {` (name not NUL-terminated, len bytes, on line) has just been
	 * read as a child of parent. Returns 1 when the hook has read the
	 * block through its closing '}' itself (nothing goes into the tree),
	 * 0 when it has read nothing, or a negative errno with a message. */
	int (*block_open)(void *ctx, const struct lw_ytree *t, uint32_t parent, const char *name,
			  size_t len, uint32_t line, struct lw_ylex *lx);
	/* The block `node` and everything in it has been read. Returns 1 to
	 * take it out of the tree (its memory is reused), 0 to keep it, or a
	 * negative errno with a message (which ends the parse). */
	int (*block_done)(void *ctx, const struct lw_ytree *t, uint32_t node);
	void *ctx;
};

/* Parses the stream. Errors ("x.conf:12: missing ';' after 'psid 4'")
 * start with name_for_errors and the line; returns 0, -EINVAL, -ENOMEM, -EIO
 * (a failed read) or a hook's error. hooks may be NULL. On error the tree is
 * left empty; lw_ytree_free() is safe either way. */
int lw_ytree_parse_stream(struct lw_tstream *in, const char *name_for_errors, struct lw_ytree *t,
			  const struct lw_yhooks *hooks, char *err, size_t errlen);
/* The same over len bytes of text, without hooks. */
int lw_ytree_parse(const char *text, size_t len, const char *name_for_errors, struct lw_ytree *t,
		   char *err, size_t errlen);
void lw_ytree_free(struct lw_ytree *t);

static inline const struct lw_ynode *lw_ynode_at(const struct lw_ytree *t, uint32_t i)
{
	return i == LW_YNODE_NONE ? NULL : &t->nodes[i];
}

#endif
