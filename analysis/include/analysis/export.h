/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One results file as a table: each cell's status, samples, medians and
 * fault count, for spreadsheets, reports and plots.
 */
#ifndef ANALYSIS_EXPORT_H
#define ANALYSIS_EXPORT_H

#include <stdio.h>

#include "results.h"
#include "table.h"

void vfio_results_export(const struct vfio_results *r,
			 enum vfio_table_format format, FILE *out);

#endif /* ANALYSIS_EXPORT_H */
