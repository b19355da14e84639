// SPDX-License-Identifier: GPL-2.0
/*
 * Tables of strings in four formats, so that compare's and export's
 * output can be read by people and by spreadsheets alike.
 */
#include <errno.h>
#include <string.h>

#include "analysis/error.h"
#include "analysis/table.h"

static const char * const format_names[] = {
	[VFIO_TABLE_TEXT] = "text",
	[VFIO_TABLE_CSV] = "csv",
	[VFIO_TABLE_MARKDOWN] = "markdown",
	[VFIO_TABLE_TSV] = "tsv",
};

int vfio_table_format_parse(const char *name)
{
	int i;

	for (i = 0; i <= VFIO_TABLE_TSV; i++)
		if (!strcmp(name, format_names[i]))
			return i;
	return analysis_err(-EINVAL, "unknown format '%s' (text, csv, markdown, tsv)",
			name);
}

/* RFC 4180: quoted when it holds a comma, quote or line break. */
static void csv_field(FILE *out, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

/* A Markdown cell: '|' would end it early. */
static void md_field(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', out);
		fputc(*s == '\n' ? ' ' : *s, out);
	}
}

/* TSV has no quoting: tabs and line breaks become blanks. */
static void tsv_field(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc(*s == '\t' || *s == '\n' ? ' ' : *s, out);
}

static void field(const struct vfio_table *t, int i, const char *s)
{
	switch (t->format) {
	case VFIO_TABLE_TEXT:
		fprintf(t->out, "%s%*s", i ? " " : "", t->cols[i].width, s);
		break;
	case VFIO_TABLE_CSV:
		fputs(i ? "," : "", t->out);
		csv_field(t->out, s);
		break;
	case VFIO_TABLE_MARKDOWN:
		fputs(i ? " | " : "| ", t->out);
		md_field(t->out, s);
		break;
	case VFIO_TABLE_TSV:
		fputs(i ? "\t" : "", t->out);
		tsv_field(t->out, s);
		break;
	}
}

void vfio_table_row(const struct vfio_table *t, const char * const *cells)
{
	int i;

	for (i = 0; i < t->nr_cols; i++)
		field(t, i, cells[i]);
	fputs(t->format == VFIO_TABLE_MARKDOWN ? " |\n" : "\n", t->out);
}

void vfio_table_begin(struct vfio_table *t, FILE *out,
		      enum vfio_table_format format,
		      const struct vfio_table_col *cols, int nr_cols)
{
	const char *names[32];
	int i;

	t->out = out;
	t->format = format;
	t->cols = cols;
	t->nr_cols = nr_cols < 32 ? nr_cols : 32;
	for (i = 0; i < t->nr_cols; i++)
		names[i] = cols[i].name;
	vfio_table_row(t, names);
	if (format != VFIO_TABLE_MARKDOWN)
		return;
	for (i = 0; i < t->nr_cols; i++)
		fputs(cols[i].width < 0 ? "|:---" : "|---:", out);
	fputs("|\n", out);
}
