// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf_lines.h"
#include "errmsg.h"

int conf_lines_parse(const char *text, const char *name, int max_words, conf_statement_fn fn,
		     void *ctx, char *err, size_t errlen)
{
	char *copy = strdup(text), *line, *next;
	int lineno = 0, r = 0;

	if (!copy)
		return -ENOMEM;
	if (max_words > CONF_MAX_WORDS)
		max_words = CONF_MAX_WORDS;
	for (line = copy; line && !r; line = next) {
		char *argv[CONF_MAX_WORDS], *tok, *save = NULL, *hash;
		int argc = 0;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		for (tok = strtok_r(line, " \t\r", &save); tok && argc < max_words;
		     tok = strtok_r(NULL, " \t\r", &save))
			argv[argc++] = tok;
		if (argc == 0)
			continue;
		if (tok)
			r = lw_errf(err, errlen, "too many words");
		else
			r = fn(ctx, argc, argv, err, errlen);
		if (r) {
			lw_err_prefix(err, errlen, "%s:%d", name, lineno);
			r = r < 0 ? r : -EINVAL;
		}
	}
	free(copy);
	return r;
}
