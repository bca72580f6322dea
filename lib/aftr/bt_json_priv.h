/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LW4O6_BT_JSON_PRIV_H
#define LW4O6_BT_JSON_PRIV_H

#include <stddef.h>
#include <json-c/json.h>
#include "addr.h"
#include "json_cursor.h"
#include "setup.h"

/* Decodes one binding-entry object. On error writes
 * "binding-entry[index]: field ..." into err and returns -EINVAL. */
int lw_bt_json_decode_entry(json_object *o, size_t index, struct lw_softwire_entry *e, char *err,
			    size_t errlen);

/* The last br-ipv6-addr, as written and parsed: tables name one BR for
 * thousands of entries. */
struct lw_bt_fast {
	char br_text[LW_IPV6_STRLEN];
	size_t br_len;
	struct in6_addr br;
};

/* Decodes the entry under the cursor when it has the usual shape (see
 * bt_json_fast.c): 1 with *e and the cursor after the entry, or 0 with the
 * cursor where it was, for json-c and lw_bt_json_decode_entry to read it. */
int lw_bt_json_fast_entry(struct lw_jcur *c, struct lw_bt_fast *f, struct lw_softwire_entry *e);

#endif
