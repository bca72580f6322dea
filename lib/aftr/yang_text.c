/* SPDX-License-Identifier: GPL-2.0 */
/* Tokenizer and tree builder for the YANG data text syntax (see yang_text.h).
 * Tokens are read in the window of a stream; names and values are copied into
 * the tree's string store when their node is made, so that the window only
 * has to hold the statement being read, and a block a hook takes out of the
 * tree gives its strings back. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "errmsg.h"
#include "yang_text.h"

/* Deeper than any real configuration; the limit keeps the recursion (one
 * frame per level) far from the stack size. */
#define MAX_DEPTH 64
/* Quoted tokens are cut to this many characters in messages. */
#define QLEN 64
/* The string store grows in blocks of this size. */
#define STRINGS_BLOCK (64 * 1024)

enum tok_kind { T_END, T_WORD, T_STRING, T_LBRACE, T_RBRACE, T_SEMI };

struct token {
	enum tok_kind kind;
	size_t off; /* where it starts in the stream */
	size_t len; /* a word's bytes; a string's bytes once unescaped (in sbuf) */
	uint32_t line;
};

struct lw_ystrings {
	struct lw_ystrings *prev;
	size_t used, cap;
	char data[];
};

struct strings_mark {
	struct lw_ystrings *blk;
	size_t used;
};

struct lw_ylex {
	struct lw_tstream *in;
	size_t pos;
	uint32_t line;
	const char *file;
	char *err;
	size_t errlen;
	struct lw_ytree *t;
	const struct lw_yhooks *hooks;
	char *sbuf; /* the last quoted string, unescaped and terminated */
	size_t scap;
};

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Bytes that end a bare word; '/' only when a comment starts there. */
static const unsigned char word_end[256] = {
	[' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, ['\f'] = 1, ['\v'] = 1, ['{'] = 1,
	['}'] = 1, [';'] = 1,  ['"'] = 1,  ['\''] = 1, ['\0'] = 1, ['/'] = 1,
};

static int at(struct lw_ylex *p, size_t off)
{
	return lw_tstream_at(p->in, off);
}

static const char *tok_text(const struct lw_ylex *p, const struct token *tok)
{
	return tok->kind == T_STRING ? p->sbuf : lw_tstream_ptr(p->in, tok->off);
}

static int syntax_error(struct lw_ylex *p, uint32_t line, const char *what)
{
	return lw_errf(p->err, p->errlen, "%s:%u: %s", p->file, line, what);
}

static int nomem(struct lw_ylex *p)
{
	return lw_errf_code(-ENOMEM, p->err, p->errlen, "%s: out of memory", p->file);
}

/* Up to the newline that ends a // comment (not consumed). */
static void skip_line_comment(struct lw_ylex *p, bool follow)
{
	for (;;) {
		const char *q = lw_tstream_ptr(p->in, p->pos);
		size_t n = lw_tstream_end(p->in) - p->pos;
		const char *nl = memchr(q, '\n', n);

		p->pos += nl ? (size_t)(nl - q) : n;
		if (follow)
			lw_tstream_keep(p->in, p->pos);
		if (nl || !lw_tstream_fill(p->in, p->pos))
			return;
	}
}

static int skip_block_comment(struct lw_ylex *p, bool follow)
{
	uint32_t start = p->line;
	int c;

	for (p->pos += 2; (c = at(p, p->pos)) >= 0; p->pos++) {
		if (follow)
			lw_tstream_keep(p->in, p->pos);
		if (c == '*' && at(p, p->pos + 1) == '/') {
			p->pos += 2;
			return 0;
		}
		if (c == '\n')
			p->line++;
	}
	return syntax_error(p, start, "unterminated /* comment");
}

/* Skips blanks and comments; fails only on an unterminated comment. follow:
 * the window need not keep what is skipped. */
static int skip_blanks(struct lw_ylex *p, bool follow)
{
	int c, n;

	while ((c = at(p, p->pos)) >= 0) {
		const char *q = lw_tstream_ptr(p->in, p->pos), *start = q;
		const char *end = lw_tstream_ptr(p->in, lw_tstream_end(p->in));

		while (q < end && is_space((unsigned char)*q))
			p->line += *q++ == '\n';
		p->pos += (size_t)(q - start);
		if (follow)
			lw_tstream_keep(p->in, p->pos);
		if (q == end)
			continue;
		n = *q == '/' ? at(p, p->pos + 1) : -1;
		if (n == '/') {
			skip_line_comment(p, follow);
		} else if (n == '*') {
			c = skip_block_comment(p, follow);
			if (c)
				return c;
		} else {
			return 0;
		}
	}
	return 0;
}

static int sbuf_put(struct lw_ylex *p, size_t i, char c)
{
	if (i + 1 >= p->scap) {
		size_t ncap = p->scap ? p->scap * 2 : 256;
		char *nb = realloc(p->sbuf, ncap);

		if (!nb)
			return nomem(p);
		p->sbuf = nb;
		p->scap = ncap;
	}
	p->sbuf[i] = c;
	p->sbuf[i + 1] = '\0';
	return 0;
}

/* A quoted string, unescaped into sbuf. Single quotes take everything
 * literally (YANG rules); double quotes know \n \t \" and \\. */
static int read_string(struct lw_ylex *p, struct token *tok)
{
	int quote = at(p, p->pos), c, e;
	size_t r = p->pos + 1, w = 0;
	uint32_t start_line = p->line;

	tok->kind = T_STRING;
	if (sbuf_put(p, 0, '\0'))
		return -ENOMEM;
	for (; (c = at(p, r)) >= 0 && c != quote; r++) {
		if (c == '\n')
			p->line++;
		if (c == '\0')
			return syntax_error(p, p->line, "NUL byte inside a quoted string");
		if (c == '\\' && quote == '"') {
			e = at(p, r + 1);
			if (e == 'n')
				c = '\n';
			else if (e == 't')
				c = '\t';
			else if (e == '"' || e == '\\')
				c = e;
			else
				return lw_errf(p->err, p->errlen,
					       "%s:%u: invalid escape '\\%c' in a quoted string",
					       p->file, p->line, e > 0 ? e : '0');
			r++;
		}
		if (sbuf_put(p, w++, (char)c))
			return -ENOMEM;
	}
	if (c < 0)
		return lw_errf(p->err, p->errlen, "%s:%u: quoted string never closed (missing %c)",
			       p->file, start_line, quote);
	tok->len = w;
	p->pos = r + 1;
	return 0;
}

static void scan_word(struct lw_ylex *p)
{
	for (;;) {
		const char *q = lw_tstream_ptr(p->in, p->pos), *start = q;
		const char *end = lw_tstream_ptr(p->in, lw_tstream_end(p->in));
		int n;

		while (q < end && !word_end[(unsigned char)*q])
			q++;
		p->pos += (size_t)(q - start);
		if (q == end) {
			if (!lw_tstream_fill(p->in, p->pos))
				return;
			continue;
		}
		if (*q != '/')
			return;
		n = at(p, p->pos + 1);
		if (n == '/' || n == '*')
			return;
		p->pos++;
	}
}

/* starts_statement: the window may let go of everything before the token. */
static int next_token(struct lw_ylex *p, struct token *tok, bool starts_statement)
{
	int c, err = skip_blanks(p, starts_statement);

	if (err)
		return err;
	tok->line = p->line;
	tok->off = p->pos;
	tok->len = 1;
	c = at(p, p->pos);
	if (c < 0) {
		tok->kind = T_END;
		tok->len = 0;
		return 0;
	}
	switch (c) {
	case '{': tok->kind = T_LBRACE; break;
	case '}': tok->kind = T_RBRACE; break;
	case ';': tok->kind = T_SEMI; break;
	case '"':
	case '\'': return read_string(p, tok);
	case '\0': return syntax_error(p, p->line, "NUL byte in the file (binary data?)");
	default:
		tok->kind = T_WORD;
		scan_word(p);
		tok->len = p->pos - tok->off;
		return 0;
	}
	p->pos++;
	return 0;
}

/* ---- the tree ---------------------------------------------------------------- */

static char *store(struct lw_ytree *t, const char *s, size_t len)
{
	struct lw_ystrings *b = t->strings;
	char *d;

	if (!b || b->cap - b->used < len + 1) {
		size_t cap = len + 1 > STRINGS_BLOCK ? len + 1 : STRINGS_BLOCK;

		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->prev = t->strings;
		b->used = 0;
		b->cap = cap;
		t->strings = b;
	}
	d = b->data + b->used;
	memcpy(d, s, len);
	d[len] = '\0';
	b->used += len + 1;
	return d;
}

static struct strings_mark strings_mark(const struct lw_ytree *t)
{
	return (struct strings_mark){ t->strings, t->strings ? t->strings->used : 0 };
}

static void strings_rollback(struct lw_ytree *t, struct strings_mark m)
{
	while (t->strings != m.blk) {
		struct lw_ystrings *prev = t->strings->prev;

		free(t->strings);
		t->strings = prev;
	}
	if (t->strings)
		t->strings->used = m.used;
}

static int add_node(struct lw_ylex *p, uint32_t parent, uint32_t *last, const struct token *name)
{
	struct lw_ytree *t = p->t;
	const char *copy = "";
	uint32_t idx;

	if (t->n_nodes == t->cap_nodes) {
		size_t ncap = t->cap_nodes ? t->cap_nodes * 2 : 256;
		struct lw_ynode *nn;

		if (ncap >= LW_YNODE_NONE)
			return lw_errf_code(-E2BIG, p->err, p->errlen, "%s:%u: too many statements",
					    p->file, name ? name->line : 0);
		nn = realloc(t->nodes, ncap * sizeof(*nn));
		if (!nn)
			return nomem(p);
		t->nodes = nn;
		t->cap_nodes = ncap;
	}
	if (name && !(copy = store(t, tok_text(p, name), name->len)))
		return nomem(p);
	idx = (uint32_t)t->n_nodes++;
	t->nodes[idx] = (struct lw_ynode){
		.name = copy,
		.line = name ? name->line : 0,
		.parent = parent,
		.child = LW_YNODE_NONE,
		.next = LW_YNODE_NONE,
	};
	if (last) {
		if (*last == LW_YNODE_NONE)
			t->nodes[parent].child = idx;
		else
			t->nodes[*last].next = idx;
		*last = idx;
	}
	return (int)idx;
}

/* Takes the block idx, the last node made, and its subtree (all after it)
 * out of the tree; prev was the parent's last child before it. */
static void drop_block(struct lw_ytree *t, uint32_t parent, uint32_t *last, uint32_t prev,
		       uint32_t idx, struct strings_mark m)
{
	t->n_nodes = idx;
	if (prev == LW_YNODE_NONE)
		t->nodes[parent].child = LW_YNODE_NONE;
	else
		t->nodes[prev].next = LW_YNODE_NONE;
	*last = prev;
	strings_rollback(t, m);
}

static int parse_statements(struct lw_ylex *p, uint32_t parent, unsigned depth);

/* `name {` has been read. */
static int parse_block(struct lw_ylex *p, uint32_t parent, uint32_t *last, unsigned depth,
		       const struct token *name)
{
	const struct lw_yhooks *h = p->hooks;
	struct strings_mark m = strings_mark(p->t);
	uint32_t prev = *last;
	int idx, ret;

	if (depth + 1 > MAX_DEPTH)
		return lw_errf(p->err, p->errlen, "%s:%u: blocks nested deeper than %d levels",
			       p->file, name->line, MAX_DEPTH);
	if (h && h->block_open) {
		ret = h->block_open(h->ctx, p->t, parent, tok_text(p, name), name->len, name->line,
				    p);
		if (ret)
			return ret < 0 ? ret : 0;
	}
	idx = add_node(p, parent, last, name);
	if (idx < 0)
		return idx;
	p->t->nodes[idx].block = true;
	ret = parse_statements(p, (uint32_t)idx, depth + 1);
	if (ret || !h || !h->block_done)
		return ret;
	ret = h->block_done(h->ctx, p->t, (uint32_t)idx);
	if (ret == 1)
		drop_block(p->t, parent, last, prev, (uint32_t)idx, m);
	return ret < 0 ? ret : 0;
}

static int qlen(size_t len)
{
	return (int)(len < QLEN ? len : QLEN);
}

/* One statement whose name token has been read. */
static int parse_statement(struct lw_ylex *p, uint32_t parent, uint32_t *last, unsigned depth,
			   const struct token *name)
{
	struct token val, end;
	struct lw_ynode *n;
	int idx, err;

	err = next_token(p, &val, false);
	if (err)
		return err;
	if (val.kind == T_LBRACE)
		return parse_block(p, parent, last, depth, name);
	idx = add_node(p, parent, last, name);
	if (idx < 0)
		return idx;
	if (val.kind == T_SEMI)
		return 0;
	n = &p->t->nodes[idx];
	if (val.kind != T_WORD && val.kind != T_STRING)
		return lw_errf(p->err, p->errlen, "%s:%u: missing ';' after '%.*s'", p->file,
			       name->line, qlen(name->len), n->name);
	n->value = store(p->t, tok_text(p, &val), val.len);
	if (!n->value)
		return nomem(p);
	err = next_token(p, &end, false);
	if (err)
		return err;
	if (end.kind == T_SEMI)
		return 0;
	if (end.kind == T_LBRACE)
		return lw_errf(p->err, p->errlen, "%s:%u: '%.*s %.*s {': a block takes no value",
			       p->file, end.line, qlen(name->len), n->name, qlen(val.len),
			       n->value);
	return lw_errf(p->err, p->errlen, "%s:%u: missing ';' after '%.*s %.*s'", p->file, val.line,
		       qlen(name->len), n->name, qlen(val.len), n->value);
}

/* Statements up to the '}' closing parent (or the end of the file at the
 * top level, parent 0). */
static int parse_statements(struct lw_ylex *p, uint32_t parent, unsigned depth)
{
	uint32_t last = LW_YNODE_NONE;
	struct token tok;
	int err;

	for (;;) {
		err = next_token(p, &tok, true);
		if (err)
			return err;
		switch (tok.kind) {
		case T_END:
			if (parent == 0)
				return 0;
			return lw_errf(
				p->err, p->errlen,
				"%s:%u: '%s {' is never closed (missing '}' before the end of the file)",
				p->file, p->t->nodes[parent].line, p->t->nodes[parent].name);
		case T_RBRACE:
			if (parent != 0)
				return 0;
			return syntax_error(p, tok.line, "'}' without a matching '{'");
		case T_SEMI: return syntax_error(p, tok.line, "';' without a statement before it");
		case T_LBRACE: return syntax_error(p, tok.line, "'{' without a name before it");
		case T_STRING:
			return lw_errf(p->err, p->errlen,
				       "%s:%u: expected a name, got the quoted string \"%.*s\"",
				       p->file, tok.line, qlen(tok.len), p->sbuf);
		case T_WORD:
			err = parse_statement(p, parent, &last, depth, &tok);
			if (err)
				return err;
			break;
		}
	}
}

const char *lw_ylex_peek(struct lw_ylex *lx, size_t want, size_t *avail)
{
	*avail = lw_tstream_ensure(lx->in, lx->pos, want);
	return lw_tstream_ptr(lx->in, lx->pos);
}

void lw_ylex_advance(struct lw_ylex *lx, size_t n, uint32_t lines)
{
	lx->pos += n;
	lx->line += lines;
}

void lw_ytree_free(struct lw_ytree *t)
{
	if (!t)
		return;
	strings_rollback(t, (struct strings_mark){ NULL, 0 });
	free(t->nodes);
	memset(t, 0, sizeof(*t));
}

int lw_ytree_parse_stream(struct lw_tstream *in, const char *name_for_errors, struct lw_ytree *t,
			  const struct lw_yhooks *hooks, char *err, size_t errlen)
{
	struct lw_ylex p = {
		.in = in,
		.pos = in->base,
		.line = 1,
		.file = name_for_errors ? name_for_errors : "<input>",
		.err = err,
		.errlen = errlen,
		.t = t,
		.hooks = hooks,
	};
	int ret;

	memset(t, 0, sizeof(*t));
	ret = add_node(&p, LW_YNODE_NONE, NULL, NULL);
	if (ret >= 0)
		ret = parse_statements(&p, 0, 0);
	/* a failed read looks like an early end of the file */
	if (in->io_error)
		ret = lw_errf_code(-EIO, err, errlen, "%s: read error: %s", p.file,
				   strerror(in->io_error));
	free(p.sbuf);
	if (ret < 0) {
		lw_ytree_free(t);
		return ret;
	}
	return 0;
}

int lw_ytree_parse(const char *text, size_t len, const char *name_for_errors, struct lw_ytree *t,
		   char *err, size_t errlen)
{
	struct lw_tstream in;
	int ret;

	lw_tstream_mem(&in, text, len, 0);
	ret = lw_ytree_parse_stream(&in, name_for_errors, t, NULL, err, errlen);
	lw_tstream_close(&in);
	return ret;
}
