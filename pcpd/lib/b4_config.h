/* SPDX-License-Identifier: GPL-2.0 */
/* pcpd --role b4's configuration file: one "key value" statement per line,
 * '#' starts a comment. Every error names the file, the line and the word.
 *
 *   pin-root DIR           the lwB4's maps (lw4o6 load b4 --pin-root DIR)
 *   database FILE          SQLite file of the grants received
 *   aftr-ipv6 ADDR         the lwAFTR (BR) the PCP server sits behind (required)
 *   tunnel-ipv6 ADDR       our softwire endpoint (required)
 *   lifetime S             requested lifetime, 1..86400 (default 7200)
 *   irt-ms MS              initial retransmission time, 10..60000 (default 3000)
 *   reannounce-delay-ms MS upper bound of the random delay before re-requesting
 *                          after an ANNOUNCE or an epoch jump, 0..60000 (1000)
 *   expire-interval S      NAPT housekeeping period, 1..3600 (default 5)
 *   log-level error|warning|info|debug */
#ifndef LW4O6_B4_CONFIG_H
#define LW4O6_B4_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

struct b4_config {
	char pin_root[256];
	char database[256];
	struct in6_addr aftr;
	struct in6_addr tunnel;
	bool has_aftr, has_tunnel;
	uint32_t lifetime;
	uint32_t irt_ms;
	uint32_t reannounce_delay_ms;
	uint32_t expire_interval;
	int log_level;                /* 0 error, 1 warning, 2 info, 3 debug */
};

void b4_config_defaults(struct b4_config *c);
/* Returns 0 or -EINVAL/-ENOMEM with e.g. "b4.conf:3: lifetime: 0 is outside 1..86400". */
int b4_config_parse(const char *text, const char *name, struct b4_config *c, char *err,
		    size_t errlen);
int b4_config_load(const char *path, struct b4_config *c, char *err, size_t errlen);

#endif
