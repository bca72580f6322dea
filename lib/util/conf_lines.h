/* SPDX-License-Identifier: GPL-2.0 */
/* The "key value..." configuration files of pcpd's roles: one statement a
 * line, '#' starts a comment. The walk is shared; each role's statements
 * are its own. */
#ifndef LW4O6_CONF_LINES_H
#define LW4O6_CONF_LINES_H

#include <stddef.h>

#define CONF_MAX_WORDS 8

/* One statement: argv[0] is the key. Returns 0 or a negative errno with a
 * message in err (the walk prefixes it with "name:line: "). */
typedef int (*conf_statement_fn)(void *ctx, int argc, char **argv, char *err, size_t errlen);

/* Calls fn for every non-empty line of text; stops at the first error.
 * A line of more than max_words (<= CONF_MAX_WORDS) words is an error. */
int conf_lines_parse(const char *text, const char *name, int max_words, conf_statement_fn fn,
		     void *ctx, char *err, size_t errlen);

#endif
