// SPDX-License-Identifier: GPL-2.0
/*
 * export: a results file as a table of one row per cell.
 */
#include <string.h>

#include "analysis/compare.h"
#include "analysis/stats.h"

static const struct vfio_table_col cols[] = {
	{ "cell", -34 }, { "status", -6 }, { "n", 4 }, { "map_median_ms", 13 },
	{ "map_p90_ms", 10 }, { "map_min_ms", 10 }, { "map_max_ms", 10 },
	{ "unmap_median_ms", 15 }, { "faults", 8 },
};

enum { NR_COLS = 9 };	/* the entries of cols[] */

static void export_cell(const struct vfio_table *t,
			const struct vfio_cell_result *c)
{
	char f[NR_COLS][40];
	const char *row[NR_COLS];
	struct vfio_summary m, u, k;
	int i;

	memset(f, 0, sizeof(f));
	snprintf(f[2], sizeof(f[2]), "%d", c->n);
	if (c->n) {
		vfio_summarize(c->s[VFIO_SERIES_MAP], c->n, &m);
		vfio_summarize(c->s[VFIO_SERIES_UNMAP], c->n, &u);
		vfio_summarize(c->s[VFIO_SERIES_MINFLT], c->n, &k);
		snprintf(f[3], sizeof(f[3]), "%.6f", m.median * 1e3);
		snprintf(f[4], sizeof(f[4]), "%.6f", m.p90 * 1e3);
		snprintf(f[5], sizeof(f[5]), "%.6f", m.min * 1e3);
		snprintf(f[6], sizeof(f[6]), "%.6f", m.max * 1e3);
		snprintf(f[7], sizeof(f[7]), "%.6f", u.median * 1e3);
		if (k.min >= 0)
			snprintf(f[8], sizeof(f[8]), "%.0f", k.median);
	}
	for (i = 0; i < NR_COLS; i++)
		row[i] = f[i];
	row[0] = c->name;
	row[1] = vfio_cell_status_name(c->status);
	vfio_table_row(t, row);
}

void vfio_results_export(const struct vfio_results *r,
			 enum vfio_table_format format, FILE *out)
{
	struct vfio_table t;
	int i;

	vfio_table_begin(&t, out, format, cols, NR_COLS);
	for (i = 0; i < r->nr_cells; i++)
		export_cell(&t, &r->cells[i]);
}
