/* SPDX-License-Identifier: GPL-2.0 */
/* Whether a parsed binding table fits the loaded lwAFTR, asked before an
 * import writes anything (issue 11: a table that does not fit changes
 * nothing). */
#ifndef LW4O6_IMPORT_H
#define LW4O6_IMPORT_H

#include <stddef.h>
#include <stdint.h>
#include "aftr_maps.h"

/* n_new softwires beside the installed ones that stay, in a table of
 * capacity: 0, or -ENOSPC with "N softwires do not fit ..." in err. Exact for
 * any counts (no overflow). */
int lw_import_fits(uint64_t capacity, size_t n_new, size_t installed, char *err, size_t errlen);

/* lw_import_fits against the loaded binding table's capacity: the one place
 * an import asks for it. -errno when it cannot be read. */
int lw_import_check_capacity(const struct lw_aftr_maps *m, size_t n_new, size_t installed,
			     char *err, size_t errlen);

#endif
