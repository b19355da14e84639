/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark's table of cells, built from its options.
 */
#ifndef BENCH_BENCH_CELLS_H
#define BENCH_BENCH_CELLS_H

#include "bench.h"

/* "fresh" or "prefaulted": VFIO_BENCH_FRESH..., or -EINVAL with why. */
int vfio_bench_state_parse(const char *s);

/* The table's cells for @t's mode and device (fails beyond the maximum). */
void vfio_bench_cells_add(struct vfio_bench_table *tab,
			  const struct vfio_bench_matrix *m,
			  const struct vfio_bench_target *t);

#endif /* BENCH_BENCH_CELLS_H */
