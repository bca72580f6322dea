/* SPDX-License-Identifier: GPL-2.0 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "errmsg.h"
#include "json_cursor.h"

int lw_jcur_init(struct lw_jcur *c, const char *text, size_t len, const char *file, char *err,
		 size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->text = text;
	c->len = len;
	c->file = file ? file : "<input>";
	c->err = err;
	c->errlen = errlen;
	c->tok = json_tokener_new();
	if (!c->tok)
		return lw_errf_code(-ENOMEM, err, errlen, "%s: out of memory", c->file);
	/* RFC 8259 only: no trailing commas or other leniencies, so that a file
	 * this accepts is accepted by every other JSON reader too. */
	json_tokener_set_flags(c->tok, JSON_TOKENER_STRICT);
	return 0;
}

void lw_jcur_free(struct lw_jcur *c)
{
	if (c->tok)
		json_tokener_free(c->tok);
	c->tok = NULL;
}

unsigned lw_jcur_line(const struct lw_jcur *c, size_t pos)
{
	unsigned line = 1;
	size_t i;

	for (i = 0; i < pos && i < c->len; i++)
		line += c->text[i] == '\n';
	return line;
}

static int verror_at(struct lw_jcur *c, size_t pos, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	return lw_errf(c->err, c->errlen, "%s:%u: %s", c->file, lw_jcur_line(c, pos), msg);
}

int lw_jcur_error(struct lw_jcur *c, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = verror_at(c, c->pos, fmt, ap);
	va_end(ap);
	return ret;
}

static int error_at(struct lw_jcur *c, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int error_at(struct lw_jcur *c, size_t pos, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = verror_at(c, pos, fmt, ap);
	va_end(ap);
	return ret;
}

static void skip_ws(struct lw_jcur *c)
{
	while (c->pos < c->len) {
		char ch = c->text[c->pos];

		if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r')
			break;
		c->pos++;
	}
}

/* Next significant character, or -1 at the end of the text. */
static int peek(struct lw_jcur *c)
{
	skip_ws(c);
	return c->pos < c->len ? (unsigned char)c->text[c->pos] : -1;
}

static const char *describe(int ch)
{
	switch (ch) {
	case -1: return "end of input";
	case '{': return "'{'";
	case '}': return "'}'";
	case '[': return "'['";
	case ']': return "']'";
	case ',': return "','";
	case ':': return "':'";
	case '"': return "a string";
	default: return "a value";
	}
}

/* Steps over a string starting at the opening quote. */
static int skip_string(struct lw_jcur *c)
{
	size_t start = c->pos;

	for (c->pos++; c->pos < c->len; c->pos++) {
		char ch = c->text[c->pos];

		if (ch == '\\')
			c->pos++;
		else if (ch == '"') {
			c->pos++;
			return 0;
		}
	}
	return error_at(c, start, "string never closed");
}

int lw_jcur_object_begin(struct lw_jcur *c, const char *what, bool *first)
{
	int ch = peek(c);

	if (ch != '{')
		return lw_jcur_error(c, "%s must be an object, found %s", what, describe(ch));
	c->pos++;
	*first = true;
	return 0;
}

int lw_jcur_object_next(struct lw_jcur *c, bool *first, const char **key, size_t *klen)
{
	int ch = peek(c);
	size_t start;
	int ret;

	if (ch == '}') {
		c->pos++;
		return 0;
	}
	if (!*first) {
		if (ch != ',')
			return lw_jcur_error(c, "expected ',' or '}' in an object, found %s",
					     describe(ch));
		c->pos++;
		ch = peek(c);
	}
	*first = false;
	if (ch != '"')
		return lw_jcur_error(c, "expected a member name in quotes, found %s", describe(ch));
	start = c->pos + 1;
	ret = skip_string(c);
	if (ret)
		return ret;
	*key = c->text + start;
	*klen = c->pos - 1 - start;
	if (peek(c) != ':')
		return lw_jcur_error(c, "expected ':' after \"%.*s\"",
				     (int)(*klen > 64 ? 64 : *klen), *key);
	c->pos++;
	if (peek(c) < 0)
		return lw_jcur_error(c, "missing value after \"%.*s\"",
				     (int)(*klen > 64 ? 64 : *klen), *key);
	return 1;
}

int lw_jcur_array_begin(struct lw_jcur *c, const char *what, bool *first)
{
	int ch = peek(c);

	if (ch != '[')
		return lw_jcur_error(c, "%s must be an array, found %s", what, describe(ch));
	c->pos++;
	*first = true;
	return 0;
}

int lw_jcur_array_next(struct lw_jcur *c, bool *first)
{
	int ch = peek(c);

	if (ch == ']') {
		c->pos++;
		return 0;
	}
	if (!*first) {
		if (ch != ',')
			return lw_jcur_error(c, "expected ',' or ']' in an array, found %s",
					     describe(ch));
		c->pos++;
		ch = peek(c);
	}
	*first = false;
	if (ch < 0 || ch == ']' || ch == '}' || ch == ',')
		return lw_jcur_error(c, "expected an array element, found %s", describe(ch));
	return 1;
}

int lw_jcur_skip(struct lw_jcur *c)
{
	size_t start;
	int depth = 0, open, ch = peek(c);

	if (ch < 0)
		return lw_jcur_error(c, "expected a value, found end of input");
	start = c->pos;
	open = ch;
	if (ch == '"')
		return skip_string(c);
	if (ch != '{' && ch != '[') {
		/* number, true, false or null: up to the next delimiter */
		while (c->pos < c->len && !strchr(",}] \t\r\n", c->text[c->pos]) && c->text[c->pos])
			c->pos++;
		return 0;
	}
	while (c->pos < c->len) {
		ch = c->text[c->pos];
		if (ch == '"') {
			int ret = skip_string(c);

			if (ret)
				return ret;
			continue;
		}
		if (ch == '{' || ch == '[')
			depth++;
		else if (ch == '}' || ch == ']')
			depth--;
		c->pos++;
		if (depth == 0)
			return 0;
	}
	return error_at(c, start, "%s never closed", open == '{' ? "object" : "array");
}

int lw_jcur_value(struct lw_jcur *c, const char *what, json_object **out)
{
	const char *w = what ? what : "", *sep = what ? ": " : "";
	enum json_tokener_error jerr;
	size_t start, span;
	json_object *o;
	int ret, ch = peek(c);

	start = c->pos;
	ret = lw_jcur_skip(c);
	if (ret)
		return ret;
	span = c->pos - start;
	if (span > INT_MAX / 2)
		return error_at(c, start, "%s%svalue too large (%zu bytes)", w, sep, span);
	json_tokener_reset(c->tok);
	if (ch == '{' || ch == '[' || ch == '"') {
		o = json_tokener_parse_ex(c->tok, c->text + start, (int)span);
	} else {
		/* json-c cannot know a number has ended without seeing what
		 * follows it; give it a terminated copy. */
		char buf[64];

		if (span >= sizeof(buf))
			return error_at(c, start, "%s%svalue '%.32s...' too long", w, sep,
					c->text + start);
		memcpy(buf, c->text + start, span);
		buf[span] = '\0';
		o = json_tokener_parse_ex(c->tok, buf, (int)span + 1);
	}
	/* A JSON null parses successfully into NULL; callers see it as a value
	 * of the wrong type. */
	jerr = json_tokener_get_error(c->tok);
	if (jerr == json_tokener_continue)
		return error_at(c, start, "%s%sinvalid JSON value (incomplete)", w, sep);
	if (jerr != json_tokener_success)
		return error_at(c, start + json_tokener_get_parse_end(c->tok),
				"%s%sinvalid JSON: %s", w, sep, json_tokener_error_desc(jerr));
	if (json_tokener_get_parse_end(c->tok) != span) {
		json_object_put(o);
		return error_at(c, start, "%s%sinvalid JSON value '%.*s'", w, sep,
				(int)(span > 32 ? 32 : span), c->text + start);
	}
	*out = o;
	return 0;
}

int lw_jcur_end(struct lw_jcur *c)
{
	int ch = peek(c);

	if (ch >= 0)
		return lw_jcur_error(c, "unexpected '%c' after the end of the JSON document", ch);
	return 0;
}
