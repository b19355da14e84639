/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Comparing two results files, cell by cell: before and after.
 */
#ifndef LIBVFIO_COMPARE_H
#define LIBVFIO_COMPARE_H

#include <stdio.h>

/* Bumped whenever a field changes meaning or goes away. */
#define VFIO_RESULTS_SCHEMA "vfio-bench/dma-map/1"

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
 * Compare the map times of every cell in both files and print a table
 * to @out.  A cell regresses when it is significantly slower (see
 * vfio_compare()) and its median grew by more than the threshold.
 * Returns one of the exit codes above.
 */
int vfio_compare_files(const char *before, const char *after,
		       const struct vfio_compare_opts *o, FILE *out);

/* "compare [-t THRESHOLD] [-a ALPHA] [-f FLOOR] BEFORE AFTER" */
int vfio_compare_main(int argc, char *argv[]);

/* "export RESULTS": the map-time summary of each cell as TSV, for plots. */
int vfio_export_main(int argc, char *argv[]);

#endif /* LIBVFIO_COMPARE_H */
