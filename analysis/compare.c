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
	{ "cell", -34 }, { "metric", -11 }, { "boots", 5 }, { "n", 7 },
	{ "before", 10 }, { "after", 10 }, { "ratio", 6 }, { "ci_lo", 6 },
	{ "ci_hi", 6 }, { "p", 7 }, { "verdict", -1 },
};

enum {
	COL_CELL, COL_METRIC, COL_BOOTS, COL_N, COL_BEFORE, COL_AFTER,
	COL_RATIO, COL_LO, COL_HI, COL_P, COL_VERDICT, NR_COLS,
};

/*
 * What each clock's numbers allow, measured on A/A boots (README,
 * "Numbers that hold up").  Under the wall clock boots of one kernel
 * land several percent apart and nothing says how far the next one
 * will: one boot a side is not judged.  Under icount a boot repeats the
 * work of the last one to a fraction of a percent.
 */
static const struct clock_rules {
	const char *timebase;
	double floor, threshold, between;
} clocks[] = {
	{ .timebase = "wall", .floor = 0.05, .threshold = 0.10, .between = -1 },
	{ .timebase = "icount", .floor = 0.01, .threshold = 0.015,
	  .between = 0.003 },
};

/* A list of cell names for the last lines, each once. */
struct names {
	int nr;
	char last[96];
	char list[1024];
};

/* One row of output, and the tally of all of them. */
struct judge {
	const struct vfio_compare_opts *o;
	struct vfio_judge params;
	double threshold;
	struct vfio_table t;
	char f[NR_COLS][240];
	int cells, regressions, not_judged, one_sample, not_after;
	int cell;			/* before's index of the cell judged, or -1 */
	struct names regressed, unjudged;
	double a[VFIO_RESULTS_MAX_REPS], b[VFIO_RESULTS_MAX_REPS];
};

static void add_name(struct names *n, const char *cell)
{
	size_t len = strlen(n->list);

	if (!strcmp(n->last, cell))
		return;
	snprintf(n->last, sizeof(n->last), "%s", cell);
	n->nr++;
	if (len + strlen(cell) + 3 < sizeof(n->list))
		snprintf(n->list + len, sizeof(n->list) - len, "%s%s",
			 len ? ", " : "", cell);
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
		j->regressions++;
		add_name(&j->regressed, cell);
		if (j->o->regressed && j->cell >= 0)
			j->o->regressed[j->cell] = true;
	}
	for (i = 0; i < NR_COLS; i++)
		row[i] = j->f[i];
	vfio_table_row(&j->t, row);
	memset(j->f, 0, sizeof(j->f));
}

/* A cell or metric that did not give two sides to judge, in a row. */
static void status_row(struct judge *j, const char *cell, const char *metric,
		       const char *what, const char *reason, bool regression)
{
	snprintf(j->f[COL_VERDICT], sizeof(j->f[0]), "%s%s%s", what,
		 reason && *reason ? ": " : "", reason ? reason : "");
	emit(j, cell, metric, regression);
}

/* Nothing can be said of @cell: the run cannot be judged (exit 2). */
static void unjudgeable(struct judge *j, const char *cell, const char *metric,
			const char *what, const char *reason)
{
	status_row(j, cell, metric, what, reason, false);
	add_name(&j->unjudged, cell);
}

static bool ran(const struct vfio_cell_result *c)
{
	return c && c->status == VFIO_CELL_OK && c->n > 0;
}

/* Whether @c recorded series @s: a counter not there is -1 throughout. */
static bool recorded(const struct vfio_cell_result *c, enum vfio_series s)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (c->s[s][i] < 0)
			return false;
	return true;
}

/* Whether every sample of @c has a calibration to divide by. */
static bool calibrated(const struct vfio_cell_result *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (!(c->s[VFIO_SERIES_CALIB][i] > 0))
			return false;
	return true;
}

/* Samples of @s, over each one's own calibration when asked. */
static void take(const struct judge *j, const struct vfio_cell_result *c,
		 enum vfio_series s, double *x)
{
	int i;

	for (i = 0; i < c->n; i++)
		x[i] = c->s[s][i] / (j->o->calibrated ?
				     c->s[VFIO_SERIES_CALIB][i] : 1);
}

static void fmt(char *dst, const char *f, double v)
{
	snprintf(dst, 240, f, v);
}

static const char *verdict_name(const struct vfio_comparison *c)
{
	switch (c->verdict) {
	case VFIO_NO_CHANGE:
		return "no change";
	case VFIO_FASTER:
		return "faster";
	case VFIO_SLOWER:
		return "slower";
	case VFIO_NOT_JUDGED:
		return "not judged: one boot a side, and boots of this clock differ by more than one boot's samples show (pool boots, or CLOCK=icount)";
	default:
		return "not judged: fewer than 2 samples a side";
	}
}

static void time_cols(struct judge *j, const struct vfio_cell_result *ca,
		      const struct vfio_cell_result *cb,
		      const struct vfio_comparison *c, double unit)
{
	snprintf(j->f[COL_VERDICT], sizeof(j->f[0]), "%s", verdict_name(c));
	snprintf(j->f[COL_BOOTS], sizeof(j->f[0]), "%zu/%zu", c->boots_a,
		 c->boots_b);
	snprintf(j->f[COL_N], sizeof(j->f[0]), "%d/%d", ca->n, cb->n);
	fmt(j->f[COL_BEFORE], "%.4g", c->before * unit);
	fmt(j->f[COL_AFTER], "%.4g", c->after * unit);
	fmt(j->f[COL_RATIO], "%.3f", c->ratio);
	if (c->verdict == VFIO_NOT_JUDGED || c->verdict == VFIO_NOT_COMPARABLE)
		return;		/* no interval, no p: nothing was tested */
	fmt(j->f[COL_LO], "%.3f", c->ci_lo);
	fmt(j->f[COL_HI], "%.3f", c->ci_hi);
	fmt(j->f[COL_P], "%.2g", c->p);
}

/*
 * MAP_DMA or UNMAP_DMA time, or the kernel's instructions in MAP_DMA:
 * the two-level comparison (stats.h); a regression when it is slower
 * (more) and the ratio beyond 1 + threshold.  Shown times @unit.
 */
static void judge_time(struct judge *j, const struct vfio_cell_result *ca,
		       const struct vfio_cell_result *cb, enum vfio_series s,
		       const char *metric, double unit)
{
	struct vfio_samples sa = { j->a, ca->boot, ca->n };
	struct vfio_samples sb = { j->b, cb->boot, cb->n };
	struct vfio_comparison c;

	if (!recorded(ca, s) || !recorded(cb, s))
		return;
	if (j->o->calibrated && (!calibrated(ca) || !calibrated(cb)))
		return unjudgeable(j, ca->name, metric, "cannot judge",
				   "-c, but a side has no calib_s");
	take(j, ca, s, j->a);
	take(j, cb, s, j->b);
	vfio_compare_samples(&sa, &sb, &j->params, &c);
	time_cols(j, ca, cb, &c, unit);
	j->not_judged += c.verdict == VFIO_NOT_JUDGED;
	j->one_sample += c.verdict == VFIO_NOT_COMPARABLE;
	emit(j, ca->name, metric, c.verdict == VFIO_SLOWER &&
	     c.ratio > 1 + j->threshold);
}

/*
 * A count the kernel makes exact is what it is, sample by sample: any
 * sample on either side off the before's median by more than @slack (a
 * fault on the stack may add one) is CHANGED.  A rise is a regression
 * where the count is work, not where it says which entries the work
 * made (PMD and PUD inserts: more of them is how 4 KiB faults go away):
 * for the thread's own faults any sample that rose (COUNT_WORK); for
 * counts read system-wide or shaped by where pages landed (pins, IOMMU
 * map calls) only when every sample rose (COUNT_WORK_ALL), so that
 * another pinner's page in one sample is no regression of this kernel.
 * A count whose before samples
 * already differ is not exact for this cell (the IOMMU map calls of
 * fresh memory follow where the allocator put its pages): shown, not
 * judged.
 */
enum count_rule { COUNT_SHAPE, COUNT_WORK, COUNT_WORK_ALL };

static void judge_count(struct judge *j, const struct vfio_cell_result *ca,
			const struct vfio_cell_result *cb, enum vfio_series s,
			const char *metric, double slack, enum count_rule rule)
{
	struct vfio_summary fa, fb;

	if (!recorded(ca, s) || !recorded(cb, s))
		return;
	vfio_summarize(ca->s[s], ca->n, &fa);
	vfio_summarize(cb->s[s], cb->n, &fb);
	snprintf(j->f[COL_N], sizeof(j->f[0]), "%d/%d", ca->n, cb->n);
	fmt(j->f[COL_BEFORE], "%.0f", fa.median);
	fmt(j->f[COL_AFTER], "%.0f", fb.median);
	if (fa.max - fa.min > 2 * slack) {
		snprintf(j->f[COL_VERDICT], sizeof(j->f[0]),
			 "varies before (%.0f..%.0f): not an exact count here",
			 fa.min, fa.max);
		emit(j, ca->name, metric, false);
		return;
	}
	if (fmax(fa.max, fb.max) <= fa.median + slack &&
	    fmin(fa.min, fb.min) >= fa.median - slack) {
		snprintf(j->f[COL_VERDICT], sizeof(j->f[0]), "same");
		emit(j, ca->name, metric, false);
		return;
	}
	snprintf(j->f[COL_VERDICT], sizeof(j->f[0]),
		 "%s %.0f..%.0f -> %.0f..%.0f CHANGED", metric, fa.min, fa.max,
		 fb.min, fb.max);
	emit(j, ca->name, metric,
	     (rule == COUNT_WORK && fb.max > fa.max + slack) ||
	     (rule == COUNT_WORK_ALL && fb.min > fa.max + slack));
}

/* A cell that did not run on both sides: what follows from that. */
static void judge_status(struct judge *j, const struct vfio_cell_result *ca,
			 const struct vfio_cell_result *cb)
{
	if (ran(ca) && !cb && j->o->after_only)
		j->not_after++;
	else if (ran(ca) && !cb)
		status_row(j, ca->name, "cell", "MISSING in after", NULL, true);
	else if (ran(ca))
		status_row(j, ca->name, "cell", cb->status == VFIO_CELL_SKIP ?
			   "SKIPPED in after" : "FAILED in after", cb->reason,
			   true);
	else if (!ca)
		status_row(j, cb->name, "cell", "new in after", NULL, false);
	else if (ran(cb))
		unjudgeable(j, ca->name, "cell", ca->status == VFIO_CELL_SKIP ?
			    "cannot judge: SKIPPED in before" :
			    "cannot judge: FAILED in before", ca->reason);
	else
		status_row(j, ca->name, "cell", "ran on neither side",
			   cb ? cb->reason : ca->reason, false);
}

static void judge_cell(struct judge *j, const struct vfio_cell_result *ca,
		       const struct vfio_cell_result *cb)
{
	j->cells++;
	if (!ran(ca) || !ran(cb))
		return judge_status(j, ca, cb);
	judge_time(j, ca, cb, VFIO_SERIES_MAP, "map_ms", 1e3);
	judge_time(j, ca, cb, VFIO_SERIES_UNMAP, "unmap_ms", 1e3);
	judge_time(j, ca, cb, VFIO_SERIES_KINSNS, "map_Minsns", 1e-6);
	judge_count(j, ca, cb, VFIO_SERIES_MINFLT, "faults", 1, COUNT_WORK);
	judge_count(j, ca, cb, VFIO_SERIES_PMD, "pmd_inserts", 0, COUNT_SHAPE);
	judge_count(j, ca, cb, VFIO_SERIES_PUD, "pud_inserts", 0, COUNT_SHAPE);
	judge_count(j, ca, cb, VFIO_SERIES_PINS, "pins", 0, COUNT_WORK_ALL);
	/* Memory's map calls follow where its pages landed, a BAR's do not. */
	judge_count(j, ca, cb, VFIO_SERIES_IOMMU_MAPS, "iommu_maps", 0,
		    strcmp(ca->backing, "bar") ? COUNT_SHAPE : COUNT_WORK_ALL);
}

static void summary(const struct judge *j, FILE *out)
{
	if (j->o->format != VFIO_TABLE_TEXT)
		return;
	if (j->not_judged)
		fprintf(out, "warning: %d time rows not judged: one boot a side under the %s clock\n",
			j->not_judged, j->params.between < 0 ? "wall" : "given");
	if (j->one_sample)
		fprintf(out, "warning: %d time rows not judged: fewer than 2 samples a side\n",
			j->one_sample);
	if (j->not_after)
		fprintf(out, "%d cells of before not run after: not judged (-A)\n",
			j->not_after);
	fprintf(out, "%d cells compared, %d regressed (times: slower at p < %.2g a row, beyond +%.1f%%)%s%s\n",
		j->cells, j->regressed.nr, j->params.alpha, j->threshold * 100,
		j->regressed.nr ? ": " : "", j->regressed.list);
	if (j->unjudged.nr)
		fprintf(out, "cannot judge %d cells: %s\n", j->unjudged.nr,
			j->unjudged.list);
}

/* Time rows this comparison will judge: what alpha is shared among. */
static int time_rows(const struct vfio_results *a, const struct vfio_results *b)
{
	static const enum vfio_series judged[] = {
		VFIO_SERIES_MAP, VFIO_SERIES_UNMAP, VFIO_SERIES_KINSNS,
	};
	const struct vfio_cell_result *ca, *cb;
	int i, k, n = 0;

	for (i = 0; i < a->nr_cells; i++) {
		ca = &a->cells[i];
		cb = vfio_results_cell(b, ca->name);
		if (!ran(ca) || !ran(cb))
			continue;
		for (k = 0; k < 3; k++)
			n += recorded(ca, judged[k]) && recorded(cb, judged[k]);
	}
	return n ? n : 1;
}

/*
 * The rules for @r's clock, the options over them; alpha shared among
 * the run's rows (Bonferroni), so that a whole run of an unchanged
 * kernel fails at most alpha of the time, not each row.
 */
static int setup(struct judge *j, const struct vfio_results *a,
		 const struct vfio_results *b, const struct vfio_compare_opts *o)
{
	const char *tb = vfio_results_timebase(a);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(clocks); i++)
		if (!strcmp(tb, clocks[i].timebase))
			break;
	if (i == ARRAY_SIZE(clocks))
		return analysis_err(-EINVAL, "timebase '%s': wall or icount", tb);
	j->o = o;
	j->threshold = isnan(o->threshold) ? clocks[i].threshold : o->threshold;
	j->params.floor = isnan(o->floor) ? clocks[i].floor : o->floor;
	j->params.between = isnan(o->between) ? clocks[i].between : o->between;
	j->params.alpha = o->alpha / time_rows(a, b);
	return 0;
}

int vfio_compare_results(const struct vfio_results *before,
			 const struct vfio_results *after,
			 const struct vfio_compare_opts *o, FILE *out)
{
	struct judge *j = calloc(1, sizeof(*j));
	int i, ret;

	if (!j)
		return VFIO_COMPARE_ERROR;
	if (vfio_results_match(before, after) || setup(j, before, after, o)) {
		fprintf(stderr, "compare: %s\n", analysis_error());
		free(j);
		return VFIO_COMPARE_ERROR;
	}
	vfio_table_begin(&j->t, out, o->format, cols, NR_COLS);
	for (i = 0; i < before->nr_cells; i++) {
		j->cell = i;
		judge_cell(j, &before->cells[i],
			   vfio_results_cell(after, before->cells[i].name));
	}
	j->cell = -1;
	for (i = 0; i < after->nr_cells; i++)
		if (!vfio_results_cell(before, after->cells[i].name))
			judge_cell(j, NULL, &after->cells[i]);
	summary(j, out);
	ret = j->unjudged.nr ? VFIO_COMPARE_ERROR : j->regressions ?
	      VFIO_COMPARE_REGRESSED : VFIO_COMPARE_OK;
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

static double median(const double *x, int n)
{
	struct vfio_summary s;

	vfio_summarize(x, n, &s);
	return s.median;
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
