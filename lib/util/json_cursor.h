/* SPDX-License-Identifier: GPL-2.0 */
/* A cursor over JSON text that walks objects and arrays itself and hands
 * single values to json-c. json-c only builds whole trees; a million-entry
 * binding table as one tree would cost gigabytes, while walking the outer
 * levels here and parsing one binding-entry at a time costs one entry. The
 * text comes from a stream (text_stream.h), so the file is never whole in
 * memory either: positions are offsets into the stream, and the cursor keeps
 * the window from the start of the member or element it is on. */
#ifndef LW4O6_JSON_CURSOR_H
#define LW4O6_JSON_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>
#include "text_stream.h"

struct lw_jcur {
	struct lw_tstream *in;
	size_t pos;
	const char *file; /* for messages */
	char *err;
	size_t errlen;
	struct json_tokener *tok;
};

/* Reads from in (turning its line counting on: call before the first read).
 * Returns 0 or -ENOMEM. */
int lw_jcur_init(struct lw_jcur *c, struct lw_tstream *in, const char *file, char *err,
		 size_t errlen);
void lw_jcur_free(struct lw_jcur *c);

/* 1-based line of a byte offset not before the current member or element,
 * for messages. */
unsigned lw_jcur_line(const struct lw_jcur *c, size_t pos);

/* "file:line: " + message at the current position; returns -EINVAL. */
int lw_jcur_error(struct lw_jcur *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Object walk: after lw_jcur_object_begin, each lw_jcur_object_next returns
 * 1 with the key (raw bytes between the quotes, not NUL-terminated, valid
 * until the cursor moves on) and the cursor on its value, which the caller
 * must consume; 0 after the closing brace; negative on a syntax error.
 * *first tracks the comma rule. */
int lw_jcur_object_begin(struct lw_jcur *c, const char *what, bool *first);
int lw_jcur_object_next(struct lw_jcur *c, bool *first, const char **key, size_t *klen);

/* Array walk, the same way: 1 with the cursor on an element, 0 at the end. */
int lw_jcur_array_begin(struct lw_jcur *c, const char *what, bool *first);
int lw_jcur_array_next(struct lw_jcur *c, bool *first);

/* Steps over the value under the cursor, checking only its bracketing. */
int lw_jcur_skip(struct lw_jcur *c);

/* Parses the value under the cursor with json-c into a new reference
 * (NULL for a JSON null). what (may be NULL) names it in messages:
 * "t.json:9: binding-entry[3]: invalid JSON: ...". */
int lw_jcur_value(struct lw_jcur *c, const char *what, json_object **out);

/* Nothing but white space may follow the document; a read error of the
 * input is reported here too (it looks like an early end before). */
int lw_jcur_end(struct lw_jcur *c);

/* Moves the cursor past white space; returns the next byte or -1 at the end
 * of the input. */
int lw_jcur_peek(struct lw_jcur *c);

/* When an error was caused by a failed read rather than by the text:
 * replaces the message with "file: read error: reason" and returns -EIO;
 * otherwise returns ret. */
int lw_jcur_io_check(struct lw_jcur *c, int ret);

static inline bool lw_jcur_key_is(const char *key, size_t klen, const char *name)
{
	size_t n = __builtin_strlen(name);

	return klen == n && !__builtin_memcmp(key, name, n);
}

#endif
