/* SPDX-License-Identifier: GPL-2.0 */
/* Reads an lwAFTR configuration in whichever format it is written in. */
#ifndef LW4O6_CONFIG_FILE_H
#define LW4O6_CONFIG_FILE_H

#include <stddef.h>
#include "setup.h"

enum lw_config_format {
	LW_FMT_AUTO = 0, /* JSON when the first non-blank byte is '{', else Snabb */
	LW_FMT_SNABB,    /* Snabb lwAFTR configuration (snabb-softwire-v3) */
	LW_FMT_JSON,     /* RFC 8676-style binding table in JSON */
};

int lw_config_format_parse(const char *name, enum lw_config_format *fmt);
int lw_config_load(const char *path, enum lw_config_format fmt, struct lw_aftr_setup *s, char *err,
		   size_t errlen);

#endif
