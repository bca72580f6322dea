/* SPDX-License-Identifier: GPL-2.0 */
/* Internals shared by the snabb_conf_*.c files: the import context and a
 * schema walker that checks every statement of a block against a table. */
#ifndef LW4O6_SNABB_CONF_PRIV_H
#define LW4O6_SNABB_CONF_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "addr.h"
#include "setup.h"
#include "yang_text.h"

struct snabb_ctx {
	struct lw_aftr_setup *s;
	const struct lw_ytree *tree;
	const char *file;
	char *err;
	size_t errlen;
	/* Line of each softwire's block, indexed like s->softwires, so that
	 * validation errors found after parsing still point into the file. */
	uint32_t *sw_lines;
	size_t cap_sw_lines;
	/* error-rate-limiting of each interface, in packets per second; the
	 * data plane has one bucket, which gets the stricter of the two. */
	uint32_t rate[2];
	bool has_rate[2];
	/* The queue's vlan-tag wins over the older softwire-config-level
	 * internal-interface/vlan-tag, so the latter waits in here. */
	uint16_t global_internal_vlan;
	bool has_global_internal_vlan;
	bool queue_vlan[2]; /* the used queue set vlan-tag (0 ext, 1 int) */
	unsigned n_instances;
	/* Line of the last message snabb_error wrote. */
	uint32_t error_line;
	/* Softwires are converted while the file is read (snabb_softwire_*),
	 * but a syntax error anywhere, a v1 file, or a schema error earlier in
	 * the file than a bad softwire is what the operator is told first, as
	 * when the whole tree was read before anything was checked: the first
	 * bad softwire's message waits here, and later softwires are only
	 * read. */
	char *deferred;
	uint32_t deferred_line;
	/* The last br-address, as written and parsed: tables name one BR for
	 * thousands of softwires. */
	char br_text[LW_IPV6_STRLEN];
	size_t br_len;
	struct in6_addr br;
};

enum snabb_kind {
	SNABB_LEAF,  /* name value; */
	SNABB_BLOCK, /* name { ... }, at most once */
	SNABB_LIST,  /* name { ... }, repeatable (YANG list entry) */
};

/* fn may be NULL: the statement is part of the schema, is accepted and
 * means nothing to lw4o6. */
struct snabb_member {
	const char *name;
	enum snabb_kind kind;
	int (*fn)(struct snabb_ctx *c, const struct lw_ynode *n, void *arg);
};

/* Checks every statement in block against members (unknown names, leaf vs
 * block, repeated leaves) and calls the handlers in file order. path names
 * the block in messages ("softwire-config/binding-table/softwire"). */
int snabb_walk(struct snabb_ctx *c, const struct lw_ynode *block, const char *path,
	       const struct snabb_member *members, size_t n_members, void *arg);

/* Leaf value parsers: messages are "file:line: name value problem". */
int snabb_leaf_u32(struct snabb_ctx *c, const struct lw_ynode *n, uint32_t min, uint32_t max,
		   uint32_t *out);
int snabb_leaf_bool(struct snabb_ctx *c, const struct lw_ynode *n, bool *out);
int snabb_leaf_ipv4(struct snabb_ctx *c, const struct lw_ynode *n, __be32 *out);
int snabb_leaf_ipv6(struct snabb_ctx *c, const struct lw_ynode *n, struct in6_addr *out);
int snabb_leaf_mac(struct snabb_ctx *c, const struct lw_ynode *n, __u8 out[6]);

/* "file:line: ..." */
int snabb_error(struct snabb_ctx *c, uint32_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int snabb_nomem(struct snabb_ctx *c);
/* Appends to out->unsupported[]. */
int snabb_unsupported(struct snabb_ctx *c, const char *what);

/* The streaming side of softwire-config/binding-table/softwire, as
 * lw_yhooks (snabb_conf_bt.c, snabb_conf_fast.c). Whether the block is one
 * (under softwire-config/binding-table at the top level). */
bool snabb_is_softwire(const struct lw_ytree *t, uint32_t parent, const char *name, size_t len);
/* block_open: the usual shape of a softwire, read straight from the text
 * into a binding entry: 1 when done, 0 when the block holds anything else
 * (the tree reads it and snabb_softwire_done checks it, with the messages). */
int snabb_softwire_fast(struct snabb_ctx *c, struct lw_ylex *lx, uint32_t line);
/* block_done: the softwire node n, read into the tree, converted (or its
 * message deferred). Returns 1 (take it out of the tree) or -ENOMEM. */
int snabb_softwire_done(struct snabb_ctx *c, const struct lw_ynode *n);
/* Records softwire number index (c->s->n_softwires before it is added) as
 * starting on line. */
int snabb_remember_line(struct snabb_ctx *c, size_t index, uint32_t line);

/* Handlers of softwire-config's children (snabb_conf_bt.c, snabb_conf_iface.c). */
int snabb_binding_table(struct snabb_ctx *c, const struct lw_ynode *n, void *arg);
int snabb_external_interface(struct snabb_ctx *c, const struct lw_ynode *n, void *arg);
int snabb_internal_interface(struct snabb_ctx *c, const struct lw_ynode *n, void *arg);
int snabb_instance(struct snabb_ctx *c, const struct lw_ynode *n, void *arg);

#define SNABB_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* snabb-softwire-v3's defaults where they differ from lw_setup_init's */
#define SNABB_DEFAULT_IPV4_MTU   1460 /* external-interface/mtu */
#define SNABB_DEFAULT_IPV6_MTU   1500 /* internal-interface/mtu */
#define SNABB_ERROR_RATE_PACKETS 200  /* error-rate-limiting/packets */
#define SNABB_ERROR_RATE_PERIOD  2    /* error-rate-limiting/period, seconds */

#endif
