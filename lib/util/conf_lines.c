// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_lines.h"
#include "addr.h"
#include "errmsg.h"
#include "file_read.h"

static const char *const log_levels[] = { "error", "warning", "info", "debug" };

int conf_u32(const char *key, const char *value, uint32_t min, uint32_t max, uint32_t *out,
	     char *err, size_t errlen)
{
	int r = lw_parse_u32(value, min, max, out);

	if (r == -ERANGE)
		return lw_errf(err, errlen, "%s: %s is outside %u..%u", key, value, min, max);
	if (r)
		return lw_errf(err, errlen, "%s: '%s' is not a number", key, value);
	return 0;
}

static void *field(void *cfg, const struct conf_key *k)
{
	return (char *)cfg + k->off;
}

int conf_set_u32(void *cfg, const struct conf_key *k, const struct conf_stmt *st, char *err,
		 size_t errlen)
{
	return conf_u32(k->key, st->argv[1], k->min, k->max, field(cfg, k), err, errlen);
}

int conf_set_path(void *cfg, const struct conf_key *k, const struct conf_stmt *st, char *err,
		  size_t errlen)
{
	if (strlen(st->argv[1]) >= k->max)
		return lw_errf(err, errlen, "%s: path too long", k->key);
	snprintf(field(cfg, k), k->max, "%s", st->argv[1]);
	return 0;
}

int conf_set_log_level(void *cfg, const struct conf_key *k, const struct conf_stmt *st, char *err,
		       size_t errlen)
{
	for (size_t n = 0; n < CONF_ARRAY_SIZE(log_levels); n++) {
		if (!strcmp(st->argv[1], log_levels[n])) {
			*(int *)field(cfg, k) = (int)n;
			return 0;
		}
	}
	return lw_errf(err, errlen, "log-level: '%s' is not error, warning, info or debug",
		       st->argv[1]);
}

static const struct conf_key *find_key(const struct conf_syntax *syn, const char *key)
{
	for (size_t i = 0; i < syn->n_keys; i++)
		if (!strcmp(syn->keys[i].key, key))
			return &syn->keys[i];
	return NULL;
}

static int apply(const struct conf_syntax *syn, void *cfg, const struct conf_stmt *st, char *err,
		 size_t errlen)
{
	const struct conf_key *k = find_key(syn, st->argv[0]);
	int n;

	if (!k)
		return lw_errf(err, errlen, "unknown statement '%s'%s", st->argv[0],
			       syn->unknown_hint ? syn->unknown_hint : "");
	n = k->n_values;
	if (st->argc - 1 != n)
		return lw_errf(err, errlen, "%s takes %d value%s, not %d", k->key, n,
			       n == 1 ? "" : "s", st->argc - 1);
	return k->set(cfg, k, st, err, errlen);
}

/* Splits line (modified) into st's words; -E2BIG past max_words. */
static int split_words(char *line, int max_words, char **argv, struct conf_stmt *st)
{
	char *tok, *save = NULL, *hash = strchr(line, '#');

	if (hash)
		*hash = '\0';
	st->argc = 0;
	st->argv = argv;
	for (tok = strtok_r(line, " \t\r", &save); tok && st->argc < max_words;
	     tok = strtok_r(NULL, " \t\r", &save))
		argv[st->argc++] = tok;
	return tok ? -E2BIG : 0;
}

int conf_lines_parse(const char *text, const char *name, const struct conf_syntax *syn, void *cfg,
		     char *err, size_t errlen)
{
	char *copy = strdup(text), *line, *next;
	int max_words = syn->max_words < CONF_MAX_WORDS ? syn->max_words : CONF_MAX_WORDS;
	struct conf_stmt st = { .file = name };
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (line = copy; line && !r; line = next) {
		char *argv[CONF_MAX_WORDS];

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		st.line++;
		if (split_words(line, max_words, argv, &st))
			r = lw_errf(err, errlen, "too many words");
		else if (st.argc)
			r = apply(syn, cfg, &st, err, errlen);
		if (r) {
			lw_err_prefix(err, errlen, "%s:%d", name, st.line);
			r = r < 0 ? r : -EINVAL;
		}
	}
	free(copy);
	return r;
}

int conf_file_load(const char *path, conf_parse_fn parse, void *cfg, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int r = lw_read_file(path, &text, &len, err, errlen);

	if (r)
		return r;
	r = parse(text, path, cfg, err, errlen);
	free(text);
	return r;
}
