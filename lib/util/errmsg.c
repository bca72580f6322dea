/* SPDX-License-Identifier: GPL-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "errmsg.h"

#define ERR_PREFIX_MAX 512

static void vwrite(char *err, size_t errlen, const char *fmt, va_list ap)
{
	if (err && errlen)
		vsnprintf(err, errlen, fmt, ap);
}

int lw_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwrite(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int lw_errf_code(int code, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwrite(err, errlen, fmt, ap);
	va_end(ap);
	return code;
}

void lw_err_prefix(char *err, size_t errlen, const char *fmt, ...)
{
	char prefix[ERR_PREFIX_MAX];
	size_t plen, mlen;
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	plen = strlen(prefix);
	if (plen + 2 >= errlen)
		return; /* no room: keep the more specific original message */
	mlen = strnlen(err, errlen - 1);
	if (plen + 2 + mlen >= errlen)
		mlen = errlen - 1 - plen - 2;
	memmove(err + plen + 2, err, mlen);
	memcpy(err, prefix, plen);
	err[plen] = ':';
	err[plen + 1] = ' ';
	err[plen + 2 + mlen] = '\0';
}

void lw_err_append(char *err, size_t errlen, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	if (!err || !errlen)
		return;
	n = strnlen(err, errlen);
	if (n + 1 >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
}
