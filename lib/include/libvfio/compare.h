/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Comparing two results files, cell by cell: before and after.
 */
#ifndef LIBVFIO_COMPARE_H
#define LIBVFIO_COMPARE_H

#include <stdio.h>

#include "results.h"

/* Exit codes of 'compare', for scripts and git bisect run. */
#define VFIO_COMPARE_OK		0	/* no cell regressed */
#define VFIO_COMPARE_REGRESSED	1	/* a cell got slower beyond the threshold */
#define VFIO_COMPARE_ERROR	2	/* usage or input error */

struct vfio_compare_opts {
	double threshold;	/* slowdown that is a regression: 0.10 */
	double alpha;		/* significance level: 0.05 */
	double floor;		/* run-to-run noise floor: 0.05 */
};

/*
 * Compare the map times of every cell in both results and print a table
 * to @out.  A cell regresses when it is significantly slower (see
 * vfio_compare()) and its median grew by more than the threshold.
 * Returns one of the exit codes above.
 */
int vfio_compare_results(const struct vfio_results *before,
			 const struct vfio_results *after,
			 const struct vfio_compare_opts *o, FILE *out);
/* The same for two files; a bad file is VFIO_COMPARE_ERROR, said on stderr. */
int vfio_compare_files(const char *before, const char *after,
		       const struct vfio_compare_opts *o, FILE *out);

/* The map-time summary of each cell as TSV, for plots. */
void vfio_results_export_tsv(const struct vfio_results *r, FILE *out);

#endif /* LIBVFIO_COMPARE_H */
