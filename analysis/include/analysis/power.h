/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compare's power and false alarms, measured on boots of one kernel: every
 * split of them into a "before" and an "after" of K boots each is an A/A
 * run; the same with one cell's MAP_DMA times in "after" scaled by
 * 1 + shift is that cell changed by that much.  Judged as compare judges
 * a run: by its exit code, and whether the row names the changed cell.
 */
#ifndef ANALYSIS_POWER_H
#define ANALYSIS_POWER_H

#include <stdio.h>

#include "compare.h"
#include "results.h"

#define VFIO_POWER_MAX_BOOTS	16
#define VFIO_POWER_MAX_SHIFTS	8

struct vfio_power_opts {
	int per_side;			/* boots a side, K */
	int nr_shifts;
	double shifts[VFIO_POWER_MAX_SHIFTS];	/* 0.02: +2% */
	struct vfio_compare_opts cmp;
};

struct vfio_power_cell {
	const char *name;
	int found[VFIO_POWER_MAX_SHIFTS];	/* runs exit 1, this cell named */
};

struct vfio_power {
	int splits;			/* ordered pairs of disjoint K-sets */
	int aa_regressed, aa_error;	/* A/A runs that exit 1, exit 2 */
	int nr_cells;			/* those that ran in every boot */
	struct vfio_power_cell cells[VFIO_RESULTS_MAX_CELLS];
};

/*
 * Measure over @nr boots (each one file's results).  -EINVAL when there
 * are fewer than 2 * per_side boots or more than VFIO_POWER_MAX_BOOTS,
 * -ENOMEM.
 */
int vfio_power_measure(const struct vfio_results *boots, int nr,
		       const struct vfio_power_opts *o, struct vfio_power *p);

/* The table: per cell and shift how often found; the A/A exit rates. */
void vfio_power_print(const struct vfio_power *p,
		      const struct vfio_power_opts *o, FILE *out);

#endif /* ANALYSIS_POWER_H */
