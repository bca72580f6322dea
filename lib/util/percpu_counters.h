/* SPDX-License-Identifier: GPL-2.0 */
/* Per-CPU counter arrays (one struct lw_counter per slot and CPU), summed
 * for reading: both roles keep their counters this way. */
#ifndef LW4O6_PERCPU_COUNTERS_H
#define LW4O6_PERCPU_COUNTERS_H

#include "lw4o6/stats.h"

/* Sums slots 0..n-1 over the possible CPUs into out. 0 or -errno. */
int lw_percpu_counters_read(int fd, unsigned n, struct lw_counter *out);
/* Zeroes slots 0..n-1 on every CPU. 0 or -errno. */
int lw_percpu_counters_reset(int fd, unsigned n);

#endif
