/* SPDX-License-Identifier: GPL-2.0 */
/* Error messages go into a caller-owned buffer (no global state, no stderr
 * from library code); these helpers keep every writer NULL- and
 * truncation-safe. */
#ifndef LW4O6_ERRMSG_H
#define LW4O6_ERRMSG_H

#include <stddef.h>

/* snprintf into err when err and errlen are usable; returns -EINVAL so that
 * a failing check can be written as `return lw_errf(err, len, ...);`. */
int lw_errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Same, returning the given negative errno instead of -EINVAL. */
int lw_errf_code(int code, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Prepends "prefix: " to the message already in err (used to add a file and
 * line to a message written by a lower layer). */
void lw_err_prefix(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Appends to the message already in err (a hint the caller knows). */
void lw_err_append(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
