/* SPDX-License-Identifier: GPL-2.0 */
/* Tokenizer and tree builder for the YANG data text syntax (see yang_text.h).
 * Tokens are cut out of one private copy of the input and unescaped in place,
 * so a million-softwire file costs one buffer plus one node per statement. */
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

enum tok_kind { T_END, T_WORD, T_STRING, T_LBRACE, T_RBRACE, T_SEMI };

struct token {
	enum tok_kind kind;
	char *text;
	size_t len;
	uint32_t line;
};

/* Token lengths until the final pass writes the terminating NULs: writing
 * them earlier would overwrite a '{' or ';' that ends a bare word before the
 * tokenizer has seen it. */
struct lens {
	size_t name, value;
};

struct parser {
	char *buf;
	size_t len, pos;
	uint32_t line;
	const char *file;
	char *err;
	size_t errlen;
	struct lw_ytree *t;
	struct lens *lens;
};

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int ends_word(const struct parser *p, size_t i)
{
	char c = p->buf[i];

	if (i >= p->len || is_space(c) || c == '{' || c == '}' || c == ';' || c == '"' ||
	    c == '\'' || c == '\0')
		return 1;
	return c == '/' && (p->buf[i + 1] == '/' || p->buf[i + 1] == '*');
}

static int syntax_error(struct parser *p, uint32_t line, const char *what)
{
	return lw_errf(p->err, p->errlen, "%s:%u: %s", p->file, line, what);
}

/* Skips blanks and comments; fails only on an unterminated comment. */
static int skip_blanks(struct parser *p)
{
	while (p->pos < p->len) {
		char c = p->buf[p->pos];

		if (c == '\n') {
			p->line++;
			p->pos++;
		} else if (is_space(c)) {
			p->pos++;
		} else if (c == '/' && p->buf[p->pos + 1] == '/') {
			while (p->pos < p->len && p->buf[p->pos] != '\n')
				p->pos++;
		} else if (c == '/' && p->buf[p->pos + 1] == '*') {
			uint32_t start = p->line;

			p->pos += 2;
			while (p->pos < p->len &&
			       !(p->buf[p->pos] == '*' && p->buf[p->pos + 1] == '/')) {
				if (p->buf[p->pos] == '\n')
					p->line++;
				p->pos++;
			}
			if (p->pos >= p->len)
				return syntax_error(p, start, "unterminated /* comment");
			p->pos += 2;
		} else {
			break;
		}
	}
	return 0;
}

/* A quoted string, unescaped in place. Single quotes take everything
 * literally (YANG rules); double quotes know \n \t \" and \\. */
static int read_string(struct parser *p, struct token *tok)
{
	char quote = p->buf[p->pos];
	size_t r = p->pos + 1, w = r;
	uint32_t start_line = p->line;

	tok->kind = T_STRING;
	tok->text = p->buf + r;
	for (; r < p->len && p->buf[r] != quote; r++) {
		char c = p->buf[r];

		if (c == '\n')
			p->line++;
		if (c == '\0')
			return syntax_error(p, p->line, "NUL byte inside a quoted string");
		if (c == '\\' && quote == '"') {
			char e = r + 1 < p->len ? p->buf[r + 1] : '\0';

			if (e == 'n')
				c = '\n';
			else if (e == 't')
				c = '\t';
			else if (e == '"' || e == '\\')
				c = e;
			else
				return lw_errf(p->err, p->errlen,
					       "%s:%u: invalid escape '\\%c' in a quoted string",
					       p->file, p->line, e ? e : '0');
			r++;
		}
		p->buf[w++] = c;
	}
	if (r >= p->len)
		return lw_errf(p->err, p->errlen, "%s:%u: quoted string never closed (missing %c)",
			       p->file, start_line, quote);
	tok->len = w - (size_t)(tok->text - p->buf);
	p->pos = r + 1;
	return 0;
}

static int next_token(struct parser *p, struct token *tok)
{
	char c;
	int err = skip_blanks(p);

	if (err)
		return err;
	tok->line = p->line;
	tok->text = p->buf + p->pos;
	tok->len = 1;
	if (p->pos >= p->len) {
		tok->kind = T_END;
		tok->len = 0;
		return 0;
	}
	c = p->buf[p->pos];
	switch (c) {
	case '{': tok->kind = T_LBRACE; break;
	case '}': tok->kind = T_RBRACE; break;
	case ';': tok->kind = T_SEMI; break;
	case '"':
	case '\'': return read_string(p, tok);
	case '\0': return syntax_error(p, p->line, "NUL byte in the file (binary data?)");
	default:
		tok->kind = T_WORD;
		while (!ends_word(p, p->pos))
			p->pos++;
		tok->len = (size_t)(p->buf + p->pos - tok->text);
		return 0;
	}
	p->pos++;
	return 0;
}

static int add_node(struct parser *p, uint32_t parent, uint32_t *last, const struct token *name)
{
	struct lw_ytree *t = p->t;
	uint32_t idx;

	if (t->n_nodes == t->cap_nodes) {
		size_t ncap = t->cap_nodes ? t->cap_nodes * 2 : 256;
		struct lw_ynode *nn;
		struct lens *nl;

		if (ncap >= LW_YNODE_NONE)
			return lw_errf_code(-E2BIG, p->err, p->errlen, "%s:%u: too many statements",
					    p->file, name->line);
		nn = realloc(t->nodes, ncap * sizeof(*nn));
		if (!nn)
			return lw_errf_code(-ENOMEM, p->err, p->errlen, "%s: out of memory",
					    p->file);
		t->nodes = nn;
		nl = realloc(p->lens, ncap * sizeof(*nl));
		if (!nl)
			return lw_errf_code(-ENOMEM, p->err, p->errlen, "%s: out of memory",
					    p->file);
		p->lens = nl;
		t->cap_nodes = ncap;
	}
	idx = (uint32_t)t->n_nodes++;
	t->nodes[idx] = (struct lw_ynode){
		.name = name ? name->text : "",
		.line = name ? name->line : 0,
		.child = LW_YNODE_NONE,
		.next = LW_YNODE_NONE,
	};
	p->lens[idx] = (struct lens){ .name = name ? name->len : 0 };
	if (last) {
		if (*last == LW_YNODE_NONE)
			t->nodes[parent].child = idx;
		else
			t->nodes[*last].next = idx;
		*last = idx;
	}
	return (int)idx;
}

static int parse_statements(struct parser *p, uint32_t parent, unsigned depth);

/* One statement whose name token has been read. */
static int parse_statement(struct parser *p, uint32_t parent, uint32_t *last, unsigned depth,
			   const struct token *name)
{
	struct token val, end;
	int idx, err;

	err = next_token(p, &val);
	if (err)
		return err;
	idx = add_node(p, parent, last, name);
	if (idx < 0)
		return idx;
	if (val.kind == T_SEMI)
		return 0;
	if (val.kind == T_LBRACE) {
		/* Safe now: the '{' that may end the name has been consumed. */
		((char *)name->text)[name->len] = '\0';
		p->t->nodes[idx].block = true;
		if (depth + 1 > MAX_DEPTH)
			return lw_errf(p->err, p->errlen,
				       "%s:%u: blocks nested deeper than %d levels", p->file,
				       name->line, MAX_DEPTH);
		return parse_statements(p, (uint32_t)idx, depth + 1);
	}
	if (val.kind != T_WORD && val.kind != T_STRING)
		return lw_errf(p->err, p->errlen, "%s:%u: missing ';' after '%.*s'", p->file,
			       name->line, (int)(name->len < QLEN ? name->len : QLEN), name->text);
	p->t->nodes[idx].value = val.text;
	p->lens[idx].value = val.len;
	err = next_token(p, &end);
	if (err)
		return err;
	if (end.kind == T_SEMI)
		return 0;
	if (end.kind == T_LBRACE)
		return lw_errf(p->err, p->errlen, "%s:%u: '%.*s %.*s {': a block takes no value",
			       p->file, end.line, (int)(name->len < QLEN ? name->len : QLEN),
			       name->text, (int)(val.len < QLEN ? val.len : QLEN), val.text);
	return lw_errf(p->err, p->errlen, "%s:%u: missing ';' after '%.*s %.*s'", p->file, val.line,
		       (int)(name->len < QLEN ? name->len : QLEN), name->text,
		       (int)(val.len < QLEN ? val.len : QLEN), val.text);
}

/* Statements up to the '}' closing parent (or the end of the file at the
 * top level, parent 0). */
static int parse_statements(struct parser *p, uint32_t parent, unsigned depth)
{
	uint32_t last = LW_YNODE_NONE;
	struct token tok;
	int err;

	for (;;) {
		err = next_token(p, &tok);
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
				       p->file, tok.line, (int)(tok.len < QLEN ? tok.len : QLEN),
				       tok.text);
		case T_WORD:
			err = parse_statement(p, parent, &last, depth, &tok);
			if (err)
				return err;
			break;
		}
	}
}

/* Names of open blocks are needed in messages while parsing ("'softwire {'
 * is never closed"), so they are terminated as soon as the block opens;
 * everything else waits for the end (see struct lens). */
static void terminate_tokens(struct parser *p)
{
	size_t i;

	for (i = 1; i < p->t->n_nodes; i++) {
		struct lw_ynode *n = &p->t->nodes[i];

		((char *)n->name)[p->lens[i].name] = '\0';
		if (n->value)
			((char *)n->value)[p->lens[i].value] = '\0';
	}
}

void lw_ytree_free(struct lw_ytree *t)
{
	if (!t)
		return;
	free(t->buf);
	free(t->nodes);
	memset(t, 0, sizeof(*t));
}

int lw_ytree_parse(const char *text, size_t len, const char *name_for_errors, struct lw_ytree *t,
		   char *err, size_t errlen)
{
	struct parser p = {
		.len = len,
		.line = 1,
		.file = name_for_errors ? name_for_errors : "<input>",
		.err = err,
		.errlen = errlen,
		.t = t,
	};
	int ret;

	memset(t, 0, sizeof(*t));
	if (len >= UINT32_MAX)
		return lw_errf_code(-E2BIG, err, errlen, "%s: file too large (%zu bytes)", p.file,
				    len);
	/* Two spare NULs: the comment checks look one byte ahead. */
	t->buf = malloc(len + 2);
	if (!t->buf)
		return lw_errf_code(-ENOMEM, err, errlen, "%s: out of memory", p.file);
	memcpy(t->buf, text, len);
	t->buf[len] = t->buf[len + 1] = '\0';
	p.buf = t->buf;
	ret = add_node(&p, 0, NULL, NULL);
	if (ret >= 0)
		ret = parse_statements(&p, 0, 0);
	if (ret >= 0)
		terminate_tokens(&p);
	free(p.lens);
	if (ret < 0) {
		lw_ytree_free(t);
		return ret;
	}
	return 0;
}
