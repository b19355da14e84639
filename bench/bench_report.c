// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's report: a table of each cell's times and faults on the
 * TAP log.  The TAP points are the program's: kselftest.h counts them
 * per translation unit.
 */
#include <stdio.h>

#include "bench_report.h"
#include "analysis/stats.h"
#include "kselftest.h"

static void print_row(const struct vfio_cell_result *c)
{
	struct vfio_summary m, u, f;

	if (c->status == VFIO_CELL_SKIP || !c->n) {
		ksft_print_msg("%-38s  %s: %s\n", c->name,
			       c->status == VFIO_CELL_SKIP ? "skipped" : "failed",
			       c->reason);
		return;
	}
	vfio_summarize(c->s[VFIO_SERIES_MAP], c->n, &m);
	vfio_summarize(c->s[VFIO_SERIES_UNMAP], c->n, &u);
	vfio_summarize(c->s[VFIO_SERIES_MINFLT], c->n, &f);
	ksft_print_msg("%-38s %3d %10.3f %10.3f %10.3f %8.3f %10.3f %9.0f%s\n",
		       c->name, c->n, m.median * 1e3, m.p90 * 1e3, m.mean * 1e3,
		       m.stddev * 1e3, u.median * 1e3, f.median,
		       c->status == VFIO_CELL_FAIL ? "  FAILED" : "");
}

void vfio_bench_print_table(const struct vfio_bench_table *tab)
{
	const struct vfio_results *r = &tab->results;
	double smallest = 0;
	int i;

	ksft_print_msg("%-38s %3s %10s %10s %10s %8s %10s %9s\n", "cell", "n",
		       "map med", "map p90", "map mean", "sd", "unmap med",
		       "faults");
	ksft_print_msg("%-38s %3s %10s %10s %10s %8s %10s %9s\n", "", "",
		       "ms", "ms", "ms", "ms", "ms", "in ioctl");
	for (i = 0; i < r->nr_cells; i++) {
		struct vfio_summary m;

		print_row(&r->cells[i]);
		if (!r->cells[i].n)
			continue;
		vfio_summarize(r->cells[i].s[VFIO_SERIES_MAP], r->cells[i].n, &m);
		if (m.median >= 1e-3 && (!smallest || m.median < smallest))
			smallest = m.median;
	}
	ksft_print_msg("timing overhead: %.0f ns per sample%s",
		       r->overhead_s * 1e9, smallest ? "" : "\n");
	if (smallest)
		printf(", %.4f%% of the fastest cell of 1 ms or more\n",
		       100 * r->overhead_s / smallest);
}
