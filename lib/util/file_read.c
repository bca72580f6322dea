/* SPDX-License-Identifier: GPL-2.0 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "errmsg.h"
#include "file_read.h"

/* room for this many bytes first; it doubles */
#define READ_FIRST_CAP (64 * 1024)

int lw_read_file(const char *path, char **buf, size_t *len, char *err, size_t errlen)
{
	bool is_stdin = !strcmp(path, "-");
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	size_t cap = READ_FIRST_CAP, n = 0;
	char *data;
	int ret = 0;

	if (!f) {
		int e = errno;

		return lw_errf_code(-e, err, errlen, "%s: cannot open: %s", path, strerror(e));
	}
	data = malloc(cap);
	if (!data) {
		ret = lw_errf_code(-ENOMEM, err, errlen, "%s: out of memory", path);
		goto out;
	}
	/* Read in chunks rather than trusting a size from stat(): stdin and
	 * pipes have none. */
	for (;;) {
		size_t got;

		if (cap - n < 2) {
			char *bigger = cap > ((size_t)-1) / 2 ? NULL : realloc(data, cap * 2);

			if (!bigger) {
				ret = lw_errf_code(-ENOMEM, err, errlen,
						   "%s: out of memory (%zu bytes read)", path, n);
				goto out;
			}
			data = bigger;
			cap *= 2;
		}
		got = fread(data + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		ret = lw_errf_code(-EIO, err, errlen, "%s: read error", path);
		goto out;
	}
	data[n] = '\0';
	*buf = data;
	*len = n;
	data = NULL;
out:
	free(data);
	if (!is_stdin)
		fclose(f);
	return ret;
}
