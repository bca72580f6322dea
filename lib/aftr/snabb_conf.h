/* SPDX-License-Identifier: GPL-2.0 */
/* Importer for Snabb lwAFTR configuration files (schema snabb-softwire-v3,
 * YANG data text syntax), so that Snabb's conformance suite and existing
 * Snabb deployments can be loaded as they are.
 *
 * What lw4o6 cannot do is not silently dropped: it is listed in
 * out->unsupported[] ("ingress-filter on external-interface"), and anything
 * the schema does not know is an error naming its line, so typos are caught.
 * Older formats (the pre-YANG "key = value" file and the snabb-softwire-v1
 * psid-map syntax) are refused with a message saying so. */
#ifndef LW4O6_SNABB_CONF_H
#define LW4O6_SNABB_CONF_H

#include <stddef.h>
#include "setup.h"
#include "text_stream.h"

/* Both initialise *out (lw_setup_init, then the Snabb defaults: IPv4 MTU
 * 1460, echo policy LW_ECHO_PORT0), fill it and run lw_setup_validate. On
 * error they return a negative errno, leave *out empty and put a message
 * such as "tests/x.conf:12: psid 70000 out of range 0..65535" in err. */
int lw_snabb_conf_load(const char *path, struct lw_aftr_setup *out, char *err, size_t errlen);
int lw_snabb_conf_parse(const char *text, size_t len, const char *name_for_errors,
			struct lw_aftr_setup *out, char *err, size_t errlen);
/* The same from a stream, read once front to back: the file is never whole
 * in memory, and the softwires go straight into out->softwires (44 bytes
 * each, plus 4 for their line until validation is done). */
int lw_snabb_conf_parse_stream(struct lw_tstream *in, const char *name_for_errors,
			       struct lw_aftr_setup *out, char *err, size_t errlen);

#endif
