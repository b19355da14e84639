/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running one cell of the benchmark: maps, unmaps, timings, faults.
 */
#ifndef BENCH_BENCH_RUN_H
#define BENCH_BENCH_RUN_H

#include "bench.h"

/* Run warm-ups and repetitions of @c, filling c->res. */
void vfio_bench_run_cell(struct vfio_bench_target *t, struct vfio_bench_cell *c);
/* Median cost of one timed section with nothing in it, in seconds. */
double vfio_bench_overhead(void);

#endif /* BENCH_BENCH_RUN_H */
