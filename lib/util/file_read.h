/* SPDX-License-Identifier: GPL-2.0 */
/* Whole-file reads for the importers, which parse from memory. */
#ifndef LW4O6_FILE_READ_H
#define LW4O6_FILE_READ_H

#include <stddef.h>

/* Reads path ("-" = standard input) into a malloc'd buffer with a NUL after
 * the last byte (not counted in *len). Returns 0 or a negative errno with
 * "path: reason" in err. */
int lw_read_file(const char *path, char **buf, size_t *len, char *err, size_t errlen);

#endif
