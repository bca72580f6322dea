// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config_file.h"
#include "snabb_conf.h"
#include "bt_json.h"
#include "errmsg.h"

int lw_config_format_parse(const char *name, enum lw_config_format *fmt)
{
	if (!strcmp(name, "auto"))
		*fmt = LW_FMT_AUTO;
	else if (!strcmp(name, "snabb"))
		*fmt = LW_FMT_SNABB;
	else if (!strcmp(name, "json"))
		*fmt = LW_FMT_JSON;
	else
		return -EINVAL;
	return 0;
}

static int sniff(const char *path, enum lw_config_format *fmt, char *err, size_t errlen)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : NULL;
	int c;

	if (!strcmp(path, "-")) {
		*fmt = LW_FMT_JSON; /* stdin is streamed once: JSON is the bulk format */
		return 0;
	}
	if (!f)
		return lw_errf_code(-errno, err, errlen, "%s: %s", path, strerror(errno));
	while ((c = fgetc(f)) != EOF && isspace(c))
		;
	fclose(f);
	*fmt = c == '{' ? LW_FMT_JSON : LW_FMT_SNABB;
	return 0;
}

int lw_config_load(const char *path, enum lw_config_format fmt, struct lw_aftr_setup *s, char *err,
		   size_t errlen)
{
	int ret;

	if (fmt == LW_FMT_AUTO && (ret = sniff(path, &fmt, err, errlen)))
		return ret;
	if (fmt == LW_FMT_JSON)
		return lw_bt_json_load(path, s, err, errlen);
	return lw_snabb_conf_load(path, s, err, errlen);
}
