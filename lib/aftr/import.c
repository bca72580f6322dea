/* SPDX-License-Identifier: GPL-2.0 */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include "errmsg.h"
#include "import.h"

int lw_import_fits(uint64_t capacity, size_t n_new, size_t installed, char *err, size_t errlen)
{
	if (n_new <= capacity && installed <= capacity - n_new)
		return 0;
	if (!installed)
		return lw_errf_code(
			-ENOSPC, err, errlen,
			"%zu softwires do not fit the binding table, which holds %llu; nothing was changed",
			n_new, (unsigned long long)capacity);
	return lw_errf_code(
		-ENOSPC, err, errlen,
		"%zu softwires and the %zu installed do not fit the binding table, which holds %llu; nothing was changed (--replace replaces the installed ones)",
		n_new, installed, (unsigned long long)capacity);
}

int lw_import_check_capacity(const struct lw_aftr_maps *m, size_t n_new, size_t installed,
			     char *err, size_t errlen)
{
	struct lw_aftr_capacity c;
	int ret = lw_aftr_capacity(m, &c);

	if (ret)
		return lw_errf_code(ret, err, errlen,
				    "cannot read the binding table's capacity: %s", strerror(-ret));
	return lw_import_fits(c.max_softwires, n_new, installed, err, errlen);
}
