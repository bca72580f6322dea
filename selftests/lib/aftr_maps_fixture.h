/* SPDX-License-Identifier: GPL-2.0 */
/* The lwAFTR's maps made here, of the shapes bpf/aftr/maps.h declares, for
 * unit tests of lib/aftr on real BPF maps without loading the object. */
#ifndef LW4O6_TEST_AFTR_MAPS_FIXTURE_H
#define LW4O6_TEST_AFTR_MAPS_FIXTURE_H

#include <stdint.h>
#include "aftr_maps.h"

/* 0, or -errno with every descriptor -1 (bpf() refused: the tests skip).
 * max_softwires 0: LW_DEFAULT_MAX_SOFTWIRES. */
int aftr_maps_fixture_open(struct lw_aftr_maps *m, uint32_t max_softwires);
void aftr_maps_fixture_close(struct lw_aftr_maps *m);

#endif
