// SPDX-License-Identifier: GPL-2.0
/*
 * compare: two results, a verdict per cell and metric, an exit code.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/error.h"
#include "analysis/compare.h"
#include "analysis/stats.h"

static const struct vfio_table_col cols[] = {
	{ "cell", -34 }, { "metric", -8 }, { "n", 7 }, { "before", 10 },
	{ "after", 10 }, { "ratio", 6 }, { "ci_lo", 6 }, { "ci_hi", 6 },
	{ "p", 7 }, { "verdict", -1 },
};

enum {
	COL_CELL, COL_METRIC, COL_N, COL_BEFORE, COL_AFTER, COL_RATIO, COL_LO,
	COL_HI, COL_P, COL_VERDICT, NR_COLS,
};

/* One row of output, and the tally of all of them. */
struct judge {
	const struct vfio_compare_opts *o;
	struct vfio_table t;
	char f[NR_COLS][240];
	int cells, regressions, underpowered, regressed_cells;
	char regressed[1024];		/* their names, for the last line */
	char last[96];			/* the last cell that regressed */
	double a[VFIO_RESULTS_MAX_REPS], b[VFIO_RESULTS_MAX_REPS];
};

/* Each cell that regressed is named once in the last line. */
static void note_regression(struct judge *j, const char *cell)
{
	size_t len = strlen(j->regressed);

	j->regressions++;
	if (!strcmp(j->last, cell))
		return;
	snprintf(j->last, sizeof(j->last), "%s", cell);
	j->regressed_cells++;
	if (len + strlen(cell) + 3 < sizeof(j->regressed))
		snprintf(j->regressed + len, sizeof(j->regressed) - len,
			 "%s%s", len ? ", " : "", cell);
}

static void emit(struct judge *j, const char *cell, const char *metric,
		 bool regression)
{
	const char *row[NR_COLS];
	int i;

	snprintf(j->f[COL_CELL], sizeof(j->f[0]), "%s", cell);
	snprintf(j->f[COL_METRIC], sizeof(j->f[0]), "%s", metric);
	if (regression) {
		strncat(j->f[COL_VERDICT], " REGRESSION",
			sizeof(j->f[0]) - strlen(j->f[COL_VERDICT]) - 1);
		note_regression(j, cell);
	}
	for (i = 0; i < NR_COLS; i++)
		row[i] = j->f[i];
	vfio_table_row(&j->t, row);
	memset(j->f, 0, sizeof(j->f));
}

/* A cell that did not run on one side: what happened, in a row. */
static void status_row(struct judge *j, const char *cell, const char *what,
		       const char *reason, bool regression)
{
	snprintf(j->f[COL_VERDICT], sizeof(j->f[0]), "%s%s%s", what,
		 reason && *reason ? ": " : "", reason ? reason : "");
	emit(j, cell, "cell", regression);
}

static bool ran(const struct vfio_cell_result *c)
{
	return c && c->status == VFIO_CELL_OK && c->n > 0;
}

/* Samples of @s, over each one's own calibration when asked and there. */
static bool take(const struct judge *j, const struct vfio_cell_result *c,
		 enum vfio_series s, double *x)
{
	int i;

	for (i = 0; i < c->n; i++) {
		x[i] = c->s[s][i];
		if (x[i] < 0)
			return false;	/* not recorded */
		if (j->o->calibrated && !(c->s[VFIO_SERIES_CALIB][i] > 0))
			return false;
		if (j->o->calibrated)
			x[i] /= c->s[VFIO_SERIES_CALIB][i];
	}
	return true;
}

static double median(const double *x, int n)
{
	struct vfio_summary s;

	vfio_summarize(x, n, &s);
	return s.median;
}

static void fmt(char *dst, const char *f, double v)
{
	snprintf(dst, 240, f, v);
}

/* MAP_DMA or UNMAP_DMA time: U test, CI of the ratio, floor, threshold. */
static void judge_time(struct judge *j, const struct vfio_cell_result *ca,
		       const struct vfio_cell_result *cb, enum vfio_series s,
		       const char *metric)
{
	struct vfio_samples sa = { j->a, ca->boot, ca->n };
	struct vfio_samples sb = { j->b, cb->boot, cb->n };
	struct vfio_comparison c;
	bool regressed;

	if (!take(j, ca, s, j->a) || !take(j, cb, s, j->b))
		return;
	vfio_compare_samples(&sa, &sb, j->o->alpha, j->o->floor,
			     vfio_seed_of(ca->name) + s, &c);
	snprintf(j->f[COL_N], sizeof(j->f[0]), "%d/%d", ca->n, cb->n);
	fmt(j->f[COL_BEFORE], "%.3f", median(ca->s[s], ca->n) * 1e3);
	fmt(j->f[COL_AFTER], "%.3f", median(cb->s[s], cb->n) * 1e3);
	fmt(j->f[COL_RATIO], "%.3f", c.ratio);
	fmt(j->f[COL_LO], "%.3f", c.ci_lo);
	fmt(j->f[COL_HI], "%.3f", c.ci_hi);
	fmt(j->f[COL_P], "%.4f", c.p);
	snprintf(j->f[COL_VERDICT], sizeof(j->f[0]), "%s%s",
		 vfio_verdict_name(c.verdict), c.min_p >= j->o->alpha ?
		 " (too few samples to reach alpha)" : "");
	j->underpowered += c.min_p >= j->o->alpha;
	regressed = vfio_regressed(&c, j->o->threshold);
	emit(j, ca->name, metric, regressed);
}

/*
 * A count is what it is: any difference beyond the +-1 a count may
 * wobble by (a fault on the stack, say) is CHANGED, and more faults is
 * a regression, however the times came out.
 */
static void judge_faults(struct judge *j, const struct vfio_cell_result *ca,
			 const struct vfio_cell_result *cb)
{
	struct vfio_summary fa, fb;

	if (ca->s[VFIO_SERIES_MINFLT][0] < 0 || cb->s[VFIO_SERIES_MINFLT][0] < 0)
		return;
	vfio_summarize(ca->s[VFIO_SERIES_MINFLT], ca->n, &fa);
	vfio_summarize(cb->s[VFIO_SERIES_MINFLT], cb->n, &fb);
	snprintf(j->f[COL_N], sizeof(j->f[0]), "%d/%d", ca->n, cb->n);
	fmt(j->f[COL_BEFORE], "%.0f", fa.median);
	fmt(j->f[COL_AFTER], "%.0f", fb.median);
	if (fabs(fb.median - fa.median) <= 1) {
		snprintf(j->f[COL_VERDICT], sizeof(j->f[0]), "same");
		emit(j, ca->name, "faults", false);
		return;
	}
	snprintf(j->f[COL_VERDICT], sizeof(j->f[0]), "faults %.0f -> %.0f CHANGED",
		 fa.median, fb.median);
	emit(j, ca->name, "faults", fb.median > fa.median);
}

static void judge_cell(struct judge *j, const struct vfio_cell_result *ca,
		       const struct vfio_cell_result *cb)
{
	j->cells++;
	if (ran(ca) && !cb)
		status_row(j, ca->name, "MISSING in after", NULL, true);
	else if (ran(ca) && !ran(cb))
		status_row(j, ca->name, cb->status == VFIO_CELL_SKIP ?
			   "SKIPPED in after" : "FAILED in after", cb->reason,
			   true);
	else if (!ca)
		status_row(j, cb->name, "new in after", NULL, false);
	else if (!ran(ca) && ran(cb))
		status_row(j, ca->name, "ran only in after; before", ca->reason,
			   false);
	else if (!ran(ca))
		status_row(j, ca->name, "ran on neither side", cb ? cb->reason :
			   ca->reason, false);
	if (!ran(ca) || !ran(cb))
		return;
	judge_time(j, ca, cb, VFIO_SERIES_MAP, "map_ms");
	judge_time(j, ca, cb, VFIO_SERIES_UNMAP, "unmap_ms");
	judge_faults(j, ca, cb);
}

static void summary(const struct judge *j, FILE *out)
{
	if (j->o->format != VFIO_TABLE_TEXT)
		return;
	if (j->underpowered)
		fprintf(out, "warning: %d comparisons had too few samples for p < %g at all (compare -h)\n",
			j->underpowered, j->o->alpha);
	fprintf(out, "%d cells compared, %d regressed (times: whole 95%% CI beyond +%.0f%%)%s%s%s\n",
		j->cells, j->regressed_cells, j->o->threshold * 100,
		j->regressions ? ": " : "", j->regressed,
		j->o->calibrated ? "; times over calib_s, sample by sample" : "");
}

int vfio_compare_results(const struct vfio_results *before,
			 const struct vfio_results *after,
			 const struct vfio_compare_opts *o, FILE *out)
{
	struct judge *j = calloc(1, sizeof(*j));
	int i, ret;

	if (!j)
		return VFIO_COMPARE_ERROR;
	if (vfio_results_match(before, after)) {
		fprintf(stderr, "compare: %s\n", analysis_error());
		free(j);
		return VFIO_COMPARE_ERROR;
	}
	j->o = o;
	vfio_table_begin(&j->t, out, o->format, cols, NR_COLS);
	for (i = 0; i < before->nr_cells; i++)
		judge_cell(j, &before->cells[i],
			   vfio_results_cell(after, before->cells[i].name));
	for (i = 0; i < after->nr_cells; i++)
		if (!vfio_results_cell(before, after->cells[i].name))
			judge_cell(j, NULL, &after->cells[i]);
	summary(j, out);
	ret = j->regressions ? VFIO_COMPARE_REGRESSED : VFIO_COMPARE_OK;
	free(j);
	return ret;
}

/* How each kernel faulted BARs: the reason fault counts differ, if they do. */
static void print_probes(const struct vfio_results *a,
			 const struct vfio_results *b, FILE *out)
{
	if (!strcmp(a->probe_verdict, b->probe_verdict))
		fprintf(out, "fault probe, both: %s\n", a->probe_verdict);
	else
		fprintf(out, "fault probe differs:\n  before: %s\n  after:  %s\n",
			a->probe_verdict, b->probe_verdict);
}

/* max / min - 1 of the per-boot medians of @c's MAP_DMA times. */
static double boot_spread(const struct vfio_cell_result *c)
{
	double lo = INFINITY, hi = 0, m;
	int i, first = 0;

	for (i = 1; i <= c->n; i++) {
		if (i < c->n && c->boot[i] == c->boot[first])
			continue;
		m = median(c->s[VFIO_SERIES_MAP] + first, i - first);
		lo = fmin(lo, m);
		hi = fmax(hi, m);
		first = i;
	}
	return lo > 0 ? hi / lo - 1 : 0;
}

/*
 * How far apart one kernel's boots are: the spread of each cell's
 * per-boot median, the median of those over cells, and the largest.
 */
static void print_boot_spread(const struct vfio_results *r, const char *side,
			      FILE *out)
{
	double s[VFIO_RESULTS_MAX_CELLS], worst = 0;
	const char *name = "";
	int i, n = 0;

	if (r->nr_boots < 2)
		return;
	for (i = 0; i < r->nr_cells; i++) {
		if (!ran(&r->cells[i]))
			continue;
		s[n] = boot_spread(&r->cells[i]);
		if (s[n] >= worst) {
			worst = s[n];
			name = r->cells[i].name;
		}
		n++;
	}
	if (n)
		fprintf(out, "between boots, %s (%d boots): MAP_DMA medians %.1f%% apart (median over cells), at most %.1f%% (%s)\n",
			side, r->nr_boots, median(s, n) * 100, worst * 100, name);
}

/* Every file of the comma list @list, pooled into @r. */
static int read_pool(const char *list, struct vfio_results *r)
{
	char *copy = strdup(list), *tok, *save = NULL;
	int ret = copy ? 0 : -ENOMEM;

	for (tok = copy ? strtok_r(copy, ",", &save) : NULL; !ret && tok;
	     tok = strtok_r(NULL, ",", &save))
		ret = vfio_results_read(tok, r);
	free(copy);
	if (!ret && !r->nr_boots)
		ret = analysis_err(-EINVAL, "no results file given");
	return ret;
}

int vfio_compare_files(const char *before, const char *after,
		       const struct vfio_compare_opts *o, FILE *out)
{
	struct vfio_results a = { 0 }, b = { 0 };
	int ret = VFIO_COMPARE_ERROR;

	if (!read_pool(before, &a) && !read_pool(after, &b)) {
		if (o->format == VFIO_TABLE_TEXT) {
			print_probes(&a, &b, out);
			print_boot_spread(&a, "before", out);
			print_boot_spread(&b, "after", out);
		}
		ret = vfio_compare_results(&a, &b, o, out);
	} else {
		fprintf(stderr, "compare: %s\n", analysis_error());
	}
	vfio_results_free(&a);
	vfio_results_free(&b);
	return ret;
}
