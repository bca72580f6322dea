/* SPDX-License-Identifier: GPL-2.0 */
/* Writing a binding table as RFC 8676 JSON, streamed entry by entry: an
 * export of a million softwires must not build a million json-c objects. */
#include <errno.h>
#include <stdio.h>
#include "addr.h"
#include "bt_json.h"

int lw_bt_json_write(FILE *f, const struct lw_softwire_entry *e, size_t n)
{
	char b4[LW_IPV6_STRLEN], v4[LW_IPV4_STRLEN], br[LW_IPV6_STRLEN];
	size_t i;

	/* Addresses and numbers need no JSON escaping, so plain printf is
	 * exact. */
	fputs("{\"binding-table\": {\"binding-entry\": [\n", f);
	for (i = 0; i < n; i++)
		fprintf(f,
			"  {\"binding-ipv6info\": \"%s\", \"binding-ipv4-addr\": \"%s\", "
			"\"port-set\": {\"psid-offset\": %u, \"psid-len\": %u, \"psid\": %u}, "
			"\"br-ipv6-addr\": \"%s\"}%s\n",
			lw_format_ipv6(&e[i].b4_ipv6, b4, sizeof(b4)),
			lw_format_ipv4(e[i].ipv4, v4, sizeof(v4)), e[i].ps.psid_offset,
			e[i].ps.psid_len, e[i].psid, lw_format_ipv6(&e[i].br_ipv6, br, sizeof(br)),
			i + 1 < n ? "," : "");
	fputs("]}}\n", f);
	if (fflush(f) || ferror(f))
		return -EIO;
	return 0;
}
