/* SPDX-License-Identifier: GPL-2.0 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "errmsg.h"
#include "json_cursor.h"

int lw_jcur_init(struct lw_jcur *c, struct lw_tstream *in, const char *file, char *err,
		 size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->in = in;
	in->count_lines = true;
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
	return lw_tstream_line(c->in, pos);
}

int lw_jcur_io_check(struct lw_jcur *c, int ret)
{
	if (!c->in->io_error)
		return ret;
	return lw_errf_code(-EIO, c->err, c->errlen, "%s: read error: %s", c->file,
			    strerror(c->in->io_error));
}

static int at(struct lw_jcur *c, size_t pos)
{
	return lw_tstream_at(c->in, pos);
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
	for (;;) {
		const char *p = lw_tstream_ptr(c->in, c->pos);
		const char *end = lw_tstream_ptr(c->in, lw_tstream_end(c->in));

		while (p < end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
			p++;
		c->pos += (size_t)(p - lw_tstream_ptr(c->in, c->pos));
		if (p < end || !lw_tstream_fill(c->in, c->pos))
			return;
	}
}

/* Next significant character, or -1 at the end of the text. */
static int peek(struct lw_jcur *c)
{
	skip_ws(c);
	return at(c, c->pos);
}

int lw_jcur_peek(struct lw_jcur *c)
{
	return peek(c);
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

/* Steps over a string starting at the opening quote (not before keep). */
static int skip_string(struct lw_jcur *c)
{
	size_t start = c->pos;
	int ch;

	for (c->pos++; (ch = at(c, c->pos)) >= 0; c->pos++) {
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

	lw_tstream_keep(c->in, c->pos);
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

	lw_tstream_keep(c->in, c->pos);
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
		lw_tstream_keep(c->in, c->pos);
	}
	*first = false;
	if (ch != '"')
		return lw_jcur_error(c, "expected a member name in quotes, found %s", describe(ch));
	start = c->pos + 1;
	ret = skip_string(c);
	if (ret)
		return ret;
	*klen = c->pos - 1 - start;
	/* the key stays in the window (keep), but a refill may move it */
	if (peek(c) != ':')
		return lw_jcur_error(c, "expected ':' after \"%.*s\"",
				     (int)(*klen > 64 ? 64 : *klen), lw_tstream_ptr(c->in, start));
	c->pos++;
	if (peek(c) < 0)
		return lw_jcur_error(c, "missing value after \"%.*s\"",
				     (int)(*klen > 64 ? 64 : *klen), lw_tstream_ptr(c->in, start));
	*key = lw_tstream_ptr(c->in, start);
	return 1;
}

int lw_jcur_array_begin(struct lw_jcur *c, const char *what, bool *first)
{
	int ch = peek(c);

	lw_tstream_keep(c->in, c->pos);
	if (ch != '[')
		return lw_jcur_error(c, "%s must be an array, found %s", what, describe(ch));
	c->pos++;
	*first = true;
	return 0;
}

int lw_jcur_array_next(struct lw_jcur *c, bool *first)
{
	int ch = peek(c);

	lw_tstream_keep(c->in, c->pos);
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
		lw_tstream_keep(c->in, c->pos);
	}
	*first = false;
	if (ch < 0 || ch == ']' || ch == '}' || ch == ',')
		return lw_jcur_error(c, "expected an array element, found %s", describe(ch));
	return 1;
}

/* Steps over the value at pos. hold keeps it all in the window, from
 * where the current member or element starts (for json-c and for
 * messages about it); otherwise the window follows the cursor, so that
 * skipping a large member costs no memory. */
static int skip_value(struct lw_jcur *c, bool hold)
{
	unsigned start_line;
	int depth = 0, open, ch = peek(c);

	/* held: the caller's keep (the member or element) already covers it */
	if (!hold)
		lw_tstream_keep(c->in, c->pos);
	if (ch < 0)
		return lw_jcur_error(c, "expected a value, found end of input");
	open = ch;
	if (ch == '"')
		return skip_string(c);
	if (ch != '{' && ch != '[') {
		/* number, true, false or null: up to the next delimiter */
		while ((ch = at(c, c->pos)) > 0 && !strchr(",}] \t\r\n", ch))
			c->pos++;
		return 0;
	}
	start_line = lw_jcur_line(c, c->pos);
	while ((ch = at(c, c->pos)) >= 0) {
		if (!hold)
			lw_tstream_keep(c->in, c->pos);
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
	return lw_errf(c->err, c->errlen, "%s:%u: %s never closed", c->file, start_line,
		       open == '{' ? "object" : "array");
}

int lw_jcur_skip(struct lw_jcur *c)
{
	return skip_value(c, false);
}

int lw_jcur_value(struct lw_jcur *c, const char *what, json_object **out)
{
	const char *w = what ? what : "", *sep = what ? ": " : "";
	enum json_tokener_error jerr;
	size_t start, span;
	json_object *o;
	int ret, ch = peek(c);

	start = c->pos;
	ret = skip_value(c, true);
	if (ret)
		return ret;
	span = c->pos - start;
	if (span > INT_MAX / 2)
		return error_at(c, start, "%s%svalue too large (%zu bytes)", w, sep, span);
	json_tokener_reset(c->tok);
	if (ch == '{' || ch == '[' || ch == '"') {
		o = json_tokener_parse_ex(c->tok, lw_tstream_ptr(c->in, start), (int)span);
	} else {
		/* json-c cannot know a number has ended without seeing what
		 * follows it; give it a terminated copy. */
		char buf[64];

		if (span >= sizeof(buf))
			return error_at(c, start, "%s%svalue '%.32s...' too long", w, sep,
					lw_tstream_ptr(c->in, start));
		memcpy(buf, lw_tstream_ptr(c->in, start), span);
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
				(int)(span > 32 ? 32 : span), lw_tstream_ptr(c->in, start));
	}
	*out = o;
	return 0;
}

int lw_jcur_end(struct lw_jcur *c)
{
	int ch = peek(c);

	lw_tstream_keep(c->in, c->pos);
	if (ch >= 0)
		return lw_jcur_error(c, "unexpected '%c' after the end of the JSON document", ch);
	return 0;
}
