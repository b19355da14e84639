/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark's table as text.
 */
#ifndef BENCH_BENCH_REPORT_H
#define BENCH_BENCH_REPORT_H

#include "bench.h"

/* The table (ms) on the TAP log. */
void vfio_bench_print_table(const struct vfio_bench_table *tab);

#endif /* BENCH_BENCH_REPORT_H */
