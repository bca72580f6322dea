/* SPDX-License-Identifier: GPL-2.0 */
/* pcpd --role b4: the lwB4's control plane (b4.c). */
#ifndef LW4O6_PCPD_B4_H
#define LW4O6_PCPD_B4_H

#include <stdbool.h>

/* Runs until SIGTERM/SIGINT: 0, or 1 on a start-up error. log_delta is the
 * -v/-q count added to the configured log level. */
int pcpd_b4_main(const char *config, int log_delta);
/* pcpd --role b4 --list-grants [--json]: the stored sets and LAN mappings. */
int pcpd_b4_list(const char *config, bool json);

#endif
