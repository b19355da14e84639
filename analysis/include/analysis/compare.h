/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Comparing two results, cell by cell and metric by metric: before and
 * after.  Each side may pool several files (boots) of one kernel.
 */
#ifndef ANALYSIS_COMPARE_H
#define ANALYSIS_COMPARE_H

#include <stdbool.h>
#include <stdio.h>

#include "results.h"
#include "table.h"

/* Exit codes of compare, for scripts and git bisect run. */
#define VFIO_COMPARE_OK		0	/* no cell regressed */
#define VFIO_COMPARE_REGRESSED	1	/* see vfio_compare_results() */
#define VFIO_COMPARE_ERROR	2	/* usage or input error */

struct vfio_compare_opts {
	double threshold;	/* slowdown that is a regression: 0.10 */
	double alpha;		/* significance level: 0.05 */
	double floor;		/* run-to-run noise floor: 0.05 */
	bool calibrated;	/* judge each sample over its own calib_s */
	enum vfio_table_format format;
};

#define VFIO_COMPARE_DEFAULTS { 0.10, 0.05, 0.05, false, VFIO_TABLE_TEXT }

/*
 * Judge every cell of @before against @after and print a row per cell
 * and metric to @out:
 *  - map and unmap times: a change is called when the U test gives
 *    p < alpha and the 95% CI of the ratio of medians lies wholly beyond
 *    the noise floor; a regression when that CI lies wholly beyond
 *    1 + threshold;
 *  - faults inside MAP_DMA: a different count is CHANGED, a regression
 *    when it rose;
 *  - a cell that ran before and failed, was skipped or is missing after
 *    is a regression; a cell only after is listed.
 * Returns VFIO_COMPARE_REGRESSED if any regression, else VFIO_COMPARE_OK;
 * VFIO_COMPARE_ERROR when the two were run with other parameters.
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
