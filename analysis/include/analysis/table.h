/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tables of strings, written as aligned text, CSV (RFC 4180), a Markdown
 * table or TSV: compare's verdicts and export's summaries.
 */
#ifndef ANALYSIS_TABLE_H
#define ANALYSIS_TABLE_H

#include <stdio.h>

enum vfio_table_format {
	VFIO_TABLE_TEXT,
	VFIO_TABLE_CSV,
	VFIO_TABLE_MARKDOWN,
	VFIO_TABLE_TSV,
};

struct vfio_table_col {
	const char *name;
	int width;		/* text: at least this wide; < 0 left-aligned */
};

struct vfio_table {
	FILE *out;
	enum vfio_table_format format;
	int nr_cols;
	const struct vfio_table_col *cols;
};

/* "text", "csv", "markdown", "tsv"; -EINVAL (with a reason) for others. */
int vfio_table_format_parse(const char *name);

/* Start @t, printing the header row. */
void vfio_table_begin(struct vfio_table *t, FILE *out,
		      enum vfio_table_format format,
		      const struct vfio_table_col *cols, int nr_cols);
/* One row of t->nr_cols strings. */
void vfio_table_row(const struct vfio_table *t, const char * const *cells);

#endif /* ANALYSIS_TABLE_H */
