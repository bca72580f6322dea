/* SPDX-License-Identifier: GPL-2.0 */
/* The "key value..." configuration files (pcpd's roles, lw4o6 load b4): one
 * statement a line, '#' starts a comment. The walk, the table of keys and
 * the setters of plain values (numbers, paths, the log level) are shared;
 * each file's keys are its own table. Every error names the file and line. */
#ifndef LW4O6_CONF_LINES_H
#define LW4O6_CONF_LINES_H

#include <stddef.h>
#include <stdint.h>

#define CONF_MAX_WORDS 8

/* log-level error|warning|info|debug */
enum conf_log_level {
	CONF_LOG_ERROR = 0,
	CONF_LOG_WARNING = 1,
	CONF_LOG_INFO = 2,
	CONF_LOG_DEBUG = 3,
};

/* One statement as the walk found it: argv[0] is the key. */
struct conf_stmt {
	const char *file;
	int line;
	int argc;
	char **argv;
};

struct conf_key;
/* Applies one statement to the configuration cfg. Returns 0 or a negative
 * errno with a message in err (the walk prefixes it with "file:line: "). */
typedef int (*conf_set_fn)(void *cfg, const struct conf_key *k, const struct conf_stmt *st,
			   char *err, size_t errlen);

/* What a key does: it takes n_values words, and set applies them. The
 * generic setters below write the field at off of the configuration. */
struct conf_key {
	const char *key;
	int n_values;
	conf_set_fn set;
	size_t off;
	uint32_t min, max; /* conf_set_u32: the bounds; conf_set_path: max is the field's size */
};

/* The keys of one kind of file. */
struct conf_syntax {
	const struct conf_key *keys;
	size_t n_keys;
	int max_words;            /* a longer line is "too many words" (<= CONF_MAX_WORDS) */
	const char *unknown_hint; /* after "unknown statement 'KEY'", or NULL */
};

#define CONF_ARRAY_SIZE(a)           (sizeof(a) / sizeof((a)[0]))
#define CONF_FIELD_SIZE(type, field) sizeof(((type *)0)->field)

/* Entries of a table of keys: a key with its own setter, and the keys the
 * generic setters serve (field: a member of the configuration type). */
#define CONF_KEY(key, n_values, set)        \
	{                                   \
		key, n_values, set, 0, 0, 0 \
	}
#define CONF_FIELD_KEY(type, key, set, field)            \
	{                                                \
		key, 1, set, offsetof(type, field), 0, 0 \
	}
#define CONF_U32(type, key, field, min, max)                          \
	{                                                             \
		key, 1, conf_set_u32, offsetof(type, field), min, max \
	}
#define CONF_PATH(type, key, field)                                                           \
	{                                                                                     \
		key, 1, conf_set_path, offsetof(type, field), 0, CONF_FIELD_SIZE(type, field) \
	}
#define CONF_LOG_LEVEL(type, field) CONF_FIELD_KEY(type, "log-level", conf_set_log_level, field)

/* A uint32_t at off within min..max: "KEY: V is outside MIN..MAX",
 * "KEY: 'V' is not a number". */
int conf_set_u32(void *cfg, const struct conf_key *k, const struct conf_stmt *st, char *err,
		 size_t errlen);
/* A path into the char[max] at off: "KEY: path too long". */
int conf_set_path(void *cfg, const struct conf_key *k, const struct conf_stmt *st, char *err,
		  size_t errlen);
/* error|warning|info|debug into the int at off (0..3). */
int conf_set_log_level(void *cfg, const struct conf_key *k, const struct conf_stmt *st, char *err,
		       size_t errlen);

/* value as a number in min..max with the messages of conf_set_u32. */
int conf_u32(const char *key, const char *value, uint32_t min, uint32_t max, uint32_t *out,
	     char *err, size_t errlen);

/* Applies every non-empty line of text to cfg through the syntax's keys;
 * stops at the first error: "name:line: unknown statement 'KEY'", "...: KEY
 * takes N values, not M", "...: too many words" or the setter's message. */
int conf_lines_parse(const char *text, const char *name, const struct conf_syntax *syn, void *cfg,
		     char *err, size_t errlen);

/* Reads the file at path and hands its text to parse (name: the path). */
typedef int (*conf_parse_fn)(const char *text, const char *name, void *cfg, char *err,
			     size_t errlen);
int conf_file_load(const char *path, conf_parse_fn parse, void *cfg, char *err, size_t errlen);

#endif
