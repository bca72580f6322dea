/* SPDX-License-Identifier: GPL-2.0 */
/* RFC 8676 (ietf-softwire-br) binding tables in JSON (RFC 7951 encoding):
 * what `lw4o6 softwire import/export` read and write.
 *
 * Accepted documents:
 *   {"binding-table": {"binding-entry": [ENTRY, ...]}}
 *   {"ietf-softwire-br:br-instances": {"binding": {"bind-instance": [
 *       {"name": ..., "binding-table": {...}, "enable-hairpinning": bool,
 *        "softwire-payload-mtu": n, "icmp-policy": {...}, ...}, ...]}}}
 * where ENTRY is
 *   {"binding-ipv6info": "2001:db8::1", "binding-ipv4-addr": "192.0.2.1",
 *    "port-set": {"psid-offset": 0, "psid-len": 6, "psid": 52},
 *    "br-ipv6-addr": "2001:db8:ffff::1"}
 *
 * psid-offset defaults to 0. psid-len may be 16 (RFC 8676 stops at 15)
 * because Snabb tables use it for one-port sets and must survive a round trip
 * through export. binding-ipv6info may be written as "address/128". */
#ifndef LW4O6_BT_JSON_H
#define LW4O6_BT_JSON_H

#include <stddef.h>
#include <stdio.h>
#include "setup.h"
#include "text_stream.h"

/* Both initialise *out (lw_setup_init; previous content is not freed), fill
 * it and run lw_setup_validate. Errors name the file, line, entry index and
 * field ("t.json:12: binding-entry[3]: binding-ipv4-addr '300.0.0.1' is not
 * an IPv4 address: ..."); on error *out is left empty. path "-" is stdin. */
int lw_bt_json_load(const char *path, struct lw_aftr_setup *out, char *err, size_t errlen);
int lw_bt_json_parse(const char *text, size_t len, const char *name_for_errors,
		     struct lw_aftr_setup *out, char *err, size_t errlen);
/* The same from a stream, read once front to back: the file is never whole
 * in memory, and the entries go straight into out->softwires (44 bytes
 * each). */
int lw_bt_json_parse_stream(struct lw_tstream *in, const char *name_for_errors,
			    struct lw_aftr_setup *out, char *err, size_t errlen);

/* Writes {"binding-table": {"binding-entry": [...]}}, one entry per line,
 * straight to f (no tree is built). Returns 0 or -EIO. */
int lw_bt_json_write(FILE *f, const struct lw_softwire_entry *e, size_t n);

#endif
