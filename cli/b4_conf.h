/* SPDX-License-Identifier: GPL-2.0 */
/* lw4o6 load b4's configuration file (b4_conf.c) and the port sets it and
 * lw4o6 portset name. */
#ifndef LW4O6_CLI_B4_CONF_H
#define LW4O6_CLI_B4_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include "lw4o6/b4.h"

struct b4_file {
	struct lw_b4_config cfg;
	struct lw_b4_portset sets[LW_B4_POOL_MAX];
	size_t n_sets;
	bool have_aftr, have_tunnel, have_lan;
};

/* Reads the file at path into bf (defaults first). 0, or LW_EXIT_FAIL
 * after saying why ("FILE:LINE: ..."). */
int b4_conf_read(const char *path, struct b4_file *bf);

/* lw4o6 set KEY VALUE on a running lwB4: the statement KEY VALUE of the
 * file applied to cfg by the file's own setter (same values, same
 * messages: "udp-timeout: 'x' is not a number of seconds in 1..604800"),
 * for every key but the addresses and port-set, which only a load changes.
 * 0, or -1 with the reason in err and cfg unchanged. */
#define B4_SET_KEYS                                                                      \
	"udp-timeout, tcp-established-timeout, tcp-transitory-timeout, icmp-timeout, "   \
	"tunnel-mtu, filtering, mss-clamp, hop-limit, events, event-rate, event-burst, " \
	"pool-warn-percent"
int b4_conf_set(struct lw_b4_config *cfg, const char *key, const char *value, char *err,
		size_t errlen);

/* "A ports F-L" */
#define LW_B4_SET_STRLEN 64
void b4_set_format(const struct lw_b4_portset *ps, char *buf, size_t len);
/* A port set from its three words; -1 with the reason in err. */
int b4_set_parse(const char *addr, const char *first, const char *size, struct lw_b4_portset *ps,
		 char *err, size_t errlen);
/* The first of sets[0..n) that shares a port of an address with ps, or NULL. */
const struct lw_b4_portset *b4_set_overlapping(const struct lw_b4_portset *sets, size_t n,
					       const struct lw_b4_portset *ps);

#endif
