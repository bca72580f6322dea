/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LW4O6_BT_JSON_PRIV_H
#define LW4O6_BT_JSON_PRIV_H

#include <stddef.h>
#include <json-c/json.h>
#include "setup.h"

/* Decodes one binding-entry object. On error writes
 * "binding-entry[index]: field ..." into err and returns -EINVAL. */
int lw_bt_json_decode_entry(json_object *o, size_t index, struct lw_softwire_entry *e, char *err,
			    size_t errlen);

#endif
