// SPDX-License-Identifier: GPL-2.0
/*
 * Comparing two results files: a verdict per cell, an exit code.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libvfio.h"

static double median(const double *x, int n)
{
	struct vfio_summary s;

	vfio_summarize(x, n, &s);
	return s.median;
}

static bool has_calibration(const struct vfio_cell_result *c)
{
	int i;

	if (!c || !c->n)
		return false;
	for (i = 0; i < c->n; i++)
		if (!(c->s[VFIO_SERIES_CALIB][i] > 0))
			return false;
	return true;
}

/*
 * Divide the samples by the median calibration timed beside them:
 * machine-wide speed changes between runs cancel out.
 */
static void normalize(const struct vfio_cell_result *c, double *x)
{
	double speed = median(c->s[VFIO_SERIES_CALIB], c->n);
	int i;

	for (i = 0; i < c->n; i++)
		x[i] /= speed;
}

static double median_count(const struct vfio_cell_result *c)
{
	return c && c->n && c->s[VFIO_SERIES_MINFLT][0] >= 0 ?
	       median(c->s[VFIO_SERIES_MINFLT], c->n) : -1;
}

struct row {
	const char *name;
	double a[VFIO_RESULTS_MAX_REPS], b[VFIO_RESULTS_MAX_REPS];
	int na, nb;
	double median_a, median_b;	/* raw, in seconds */
	bool normalized;		/* a and b divided by calibration */
	struct vfio_comparison cmp;
};

static void print_row(FILE *out, const struct row *r,
		      const struct vfio_cell_result *ca,
		      const struct vfio_cell_result *cb, bool regressed)
{
	if (r->cmp.verdict == VFIO_NOT_COMPARABLE) {
		fprintf(out, "%-34s %10s %10s %8s %19s %7s  not comparable\n",
			r->name, "-", "-", "-", "-", "-");
		return;
	}
	fprintf(out, "%-34s %10.3f %10.3f %7.3f%s [%7.3f, %7.3f] %7.4f  %s%s",
		r->name, r->median_a * 1e3, r->median_b * 1e3, r->cmp.ratio,
		r->normalized ? "*" : " ",
		r->cmp.ci_lo, r->cmp.ci_hi, r->cmp.p,
		vfio_verdict_name(r->cmp.verdict), regressed ? " REGRESSION" : "");
	if (median_count(ca) >= 0 && median_count(cb) >= 0)
		fprintf(out, "  faults %.0f -> %.0f", median_count(ca),
			median_count(cb));
	fputc('\n', out);
}

static void fill_row(struct row *r, const struct vfio_cell_result *ca,
		     const struct vfio_cell_result *cb)
{
	r->name = cb->name;
	r->na = ca ? ca->n : 0;
	r->nb = cb->n;
	if (ca)
		memcpy(r->a, ca->s[VFIO_SERIES_MAP], r->na * sizeof(double));
	memcpy(r->b, cb->s[VFIO_SERIES_MAP], r->nb * sizeof(double));
	r->median_a = r->na > 0 ? median(r->a, r->na) : 0;
	r->median_b = r->nb > 0 ? median(r->b, r->nb) : 0;
	r->normalized = has_calibration(ca) && has_calibration(cb);
	if (r->normalized) {
		normalize(ca, r->a);
		normalize(cb, r->b);
	}
}

int vfio_compare_results(const struct vfio_results *before,
			 const struct vfio_results *after,
			 const struct vfio_compare_opts *o, FILE *out)
{
	struct row *r = calloc(1, sizeof(*r));
	int regressions = 0, i;

	if (!r)
		return VFIO_COMPARE_ERROR;
	fprintf(out, "%-34s %10s %10s %8s %19s %7s  %s\n", "cell", "before ms",
		"after ms", "ratio", "95% CI", "p", "verdict");
	for (i = 0; i < after->nr_cells; i++) {
		const struct vfio_cell_result *cb = &after->cells[i];
		const struct vfio_cell_result *ca = vfio_results_cell(before, cb->name);
		bool regressed;

		fill_row(r, ca, cb);
		vfio_compare(r->a, r->na, r->b, r->nb, o->alpha, o->floor,
			     &r->cmp);
		regressed = vfio_regressed(&r->cmp, o->threshold);
		regressions += regressed;
		print_row(out, r, ca, cb, regressed);
	}
	free(r);
	fprintf(out, "%d cells compared, %d regressed beyond %.0f%%; * ratio of calibrated times (machine speed divided out)\n",
		after->nr_cells, regressions, o->threshold * 100);
	return regressions ? VFIO_COMPARE_REGRESSED : VFIO_COMPARE_OK;
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

int vfio_compare_files(const char *before, const char *after,
		       const struct vfio_compare_opts *o, FILE *out)
{
	struct vfio_results a = { 0 }, b = { 0 };
	int ret = VFIO_COMPARE_ERROR;

	if (!__vfio_results_read(before, &a) && !__vfio_results_read(after, &b)) {
		print_probes(&a, &b, out);
		ret = vfio_compare_results(&a, &b, o, out);
	} else {
		fprintf(stderr, "compare: %s\n", vfio_error());
	}
	vfio_results_free(&a);
	vfio_results_free(&b);
	return ret;
}

/* One line per cell: name, n, map median/p90/min/max in ms, faults. */
void vfio_results_export_tsv(const struct vfio_results *r, FILE *out)
{
	struct vfio_summary s;
	int i;

	fprintf(out, "cell\tn\tmedian_ms\tp90_ms\tmin_ms\tmax_ms\tfaults\n");
	for (i = 0; i < r->nr_cells; i++) {
		const struct vfio_cell_result *c = &r->cells[i];

		if (!c->n)
			continue;
		vfio_summarize(c->s[VFIO_SERIES_MAP], c->n, &s);
		fprintf(out, "%s\t%d\t%.6f\t%.6f\t%.6f\t%.6f\t%.0f\n", c->name,
			c->n, s.median * 1e3, s.p90 * 1e3, s.min * 1e3,
			s.max * 1e3, median_count(c));
	}
}
