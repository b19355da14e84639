/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Comparing two results, cell by cell and metric by metric: before and
 * after.  Each side may pool several files (boots) of one kernel.
 */
#ifndef ANALYSIS_COMPARE_H
#define ANALYSIS_COMPARE_H

#include <math.h>
#include <stdbool.h>
#include <stdio.h>

#include "results.h"
#include "table.h"

/* Exit codes of compare, for scripts and git bisect run. */
#define VFIO_COMPARE_OK		0	/* no cell regressed */
#define VFIO_COMPARE_REGRESSED	1	/* see vfio_compare_results() */
#define VFIO_COMPARE_ERROR	2	/* usage or input error */

/* NAN: the rule of the results' clock (compare.c's table, README). */
struct vfio_compare_opts {
	double threshold;	/* slowdown that is a regression: 0.10 wall */
	double alpha;		/* significance of a whole run: 0.05 */
	double floor;		/* no change within it: 0.05 wall */
	double between;		/* boot-to-boot SD of log time; < 0 unknown */
	bool calibrated;	/* judge each sample over its own calib_s */
	bool after_only;	/* judge only the cells after has (bisect) */
	/*
	 * Where not NULL, regressed[i] is set true for each cell i of
	 * before found to regress (the caller zeroes it): what a program
	 * that judges runs (power.c) reads, rather than the text.
	 */
	bool *regressed;
	enum vfio_table_format format;
};

#define VFIO_COMPARE_DEFAULTS { .threshold = NAN, .alpha = 0.05,	\
				.floor = NAN, .between = NAN,		\
				.format = VFIO_TABLE_TEXT }

/*
 * Judge every cell of @before against @after and print a row per cell
 * and metric to @out:
 *  - map and unmap times, at two levels (stats.h): slower or faster when
 *    p < alpha shared among the run's time rows, the ratio beyond the
 *    floor and its interval on that side of 1; a regression when slower
 *    and the ratio beyond 1 + threshold.  One boot a side under a clock
 *    whose boot-to-boot spread is unknown (wall) is not judged;
 *  - exact counts (faults inside MAP_DMA, PMD and PUD inserts), every
 *    sample: a different count is CHANGED, a regression when it rose;
 *  - a cell that ran before and failed, was skipped or is missing after
 *    is a regression (missing: not with after_only); a cell only after
 *    is listed; a cell that failed or was skipped before but ran after
 *    cannot be judged.
 * Returns VFIO_COMPARE_ERROR when the two were run with other parameters
 * or a cell cannot be judged, else VFIO_COMPARE_REGRESSED if any
 * regression, else VFIO_COMPARE_OK.
 */
int vfio_compare_results(const struct vfio_results *before,
			 const struct vfio_results *after,
			 const struct vfio_compare_opts *o, FILE *out);

/*
 * The same for files: @before and @after are comma lists of results
 * files, each list pooled (one file per boot).  A bad file is
 * VFIO_COMPARE_ERROR, said on stderr.
 */
int vfio_compare_files(const char *before, const char *after,
		       const struct vfio_compare_opts *o, FILE *out);

#endif /* ANALYSIS_COMPARE_H */
