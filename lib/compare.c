// SPDX-License-Identifier: GPL-2.0
/*
 * 'compare': two results files, a verdict per cell, an exit code.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "libvfio.h"

#define MAX_SAMPLES 1000

/* The samples under @key in @cell, or -EINVAL if they are not numbers. */
static int samples_of(const struct json *cell, const char *key, double *x)
{
	const struct json *arr = json_get(cell, key), *v;
	int n = 0;

	if (!arr || arr->type != JSON_ARR)
		return -EINVAL;
	for (v = arr->child; v; v = v->next) {
		if (v->type != JSON_NUM || n == MAX_SAMPLES || v->num < 0)
			return -EINVAL;
		x[n++] = v->num;
	}
	return n;
}

static int samples(const struct json *cell, double *x)
{
	return samples_of(cell, "map_s", x);
}

/*
 * Divide the samples by the median calibration timed beside them, when
 * every sample has one: machine-wide speed changes between runs cancel
 * out.  The median, not each sample's own, so that the calibration's
 * noise does not add to the samples'.
 */
static double median(const double *x, int n)
{
	struct vfio_summary s;

	vfio_summarize(x, n, &s);
	return s.median;
}

static bool has_calibration(const struct json *cell, int n)
{
	double cal[MAX_SAMPLES];
	int i;

	if (!n || samples_of(cell, "calib_s", cal) != n)
		return false;
	for (i = 0; i < n; i++)
		if (!(cal[i] > 0))
			return false;
	return true;
}

static void normalize(const struct json *cell, double *x, int n)
{
	double cal[MAX_SAMPLES], speed;
	int i;

	samples_of(cell, "calib_s", cal);
	speed = median(cal, n);
	for (i = 0; i < n; i++)
		x[i] /= speed;
}

static double median_count(const struct json *cell, const char *key)
{
	const struct json *arr = json_get(cell, key), *v;
	double x[MAX_SAMPLES];
	struct vfio_summary s;
	int n = 0;

	if (!arr || arr->type != JSON_ARR)
		return -1;
	for (v = arr->child; v && n < MAX_SAMPLES; v = v->next)
		if (v->type == JSON_NUM)
			x[n++] = v->num;
	if (!n)
		return -1;
	vfio_summarize(x, n, &s);
	return s.median;
}

/* The cells array of a results file, checking its schema. */
static const struct json *cells_of(const struct json *root, const char *path)
{
	const char *schema = json_get_str(root, "schema", NULL);
	const struct json *cells = json_get(root, "cells");

	errno = EINVAL;
	if (!schema || strcmp(schema, VFIO_RESULTS_SCHEMA)) {
		vfio_set_error("%s: schema '%s', expected '%s'", path,
			       schema ? schema : "(none)", VFIO_RESULTS_SCHEMA);
		return NULL;
	}
	if (!cells || cells->type != JSON_ARR) {
		vfio_set_error("%s: no \"cells\" array", path);
		return NULL;
	}
	return cells;
}

static const struct json *find_cell(const struct json *cells, const char *name)
{
	const struct json *c;

	for (c = cells->child; c; c = c->next)
		if (!strcmp(json_get_str(c, "name", ""), name))
			return c;
	return NULL;
}

struct row {
	const char *name;
	double a[MAX_SAMPLES], b[MAX_SAMPLES];
	int na, nb;
	double median_a, median_b;	/* raw, in seconds */
	bool normalized;		/* a and b divided by calibration */
	struct vfio_comparison cmp;
};


static void print_row(FILE *out, const struct row *r, const struct json *ca,
		      const struct json *cb, bool regressed)
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
	if (median_count(ca, "minflt") >= 0 && median_count(cb, "minflt") >= 0)
		fprintf(out, "  faults %.0f -> %.0f", median_count(ca, "minflt"),
			median_count(cb, "minflt"));
	fputc('\n', out);
}

static int compare_cells(const struct json *before, const struct json *after,
			 const struct vfio_compare_opts *o, FILE *out)
{
	const struct json *cb, *ca;
	struct row *r = calloc(1, sizeof(*r));
	int regressions = 0, n = 0;

	if (!r)
		return VFIO_COMPARE_ERROR;
	fprintf(out, "%-34s %10s %10s %8s %19s %7s  %s\n", "cell", "before ms",
		"after ms", "ratio", "95% CI", "p", "verdict");
	for (cb = after->child; cb; cb = cb->next) {
		bool regressed;

		r->name = json_get_str(cb, "name", "(unnamed)");
		ca = find_cell(before, r->name);
		r->na = ca ? samples(ca, r->a) : 0;
		r->nb = samples(cb, r->b);
		if (r->na < 0 || r->nb < 0) {
			fprintf(stderr, "compare: cell %s: map_s is not an array of non-negative numbers\n",
				r->name);
			free(r);
			return VFIO_COMPARE_ERROR;
		}
		r->median_a = r->na > 0 ? median(r->a, r->na) : 0;
		r->median_b = r->nb > 0 ? median(r->b, r->nb) : 0;
		r->normalized = has_calibration(ca, r->na) &&
				has_calibration(cb, r->nb);
		if (r->normalized) {
			normalize(ca, r->a, r->na);
			normalize(cb, r->b, r->nb);
		}
		vfio_compare(r->a, r->na, r->b, r->nb, o->alpha, o->floor,
			     &r->cmp);
		regressed = vfio_regressed(&r->cmp, o->threshold);
		regressions += regressed;
		print_row(out, r, ca, cb, regressed);
		n++;
	}
	free(r);
	fprintf(out, "%d cells compared, %d regressed beyond %.0f%%; * ratio of calibrated times (machine speed divided out)\n",
		n, regressions, o->threshold * 100);
	return regressions ? VFIO_COMPARE_REGRESSED : VFIO_COMPARE_OK;
}

/* How each kernel faulted BARs: the reason fault counts differ, if they do. */
static void print_probes(const struct json *a, const struct json *b, FILE *out)
{
	const char *pa = json_get_str(json_get(a, "fault_probe"), "verdict",
				      "not recorded");
	const char *pb = json_get_str(json_get(b, "fault_probe"), "verdict",
				      "not recorded");

	if (!strcmp(pa, pb))
		fprintf(out, "fault probe, both: %s\n", pa);
	else
		fprintf(out, "fault probe differs:\n  before: %s\n  after:  %s\n",
			pa, pb);
}

int vfio_compare_files(const char *before, const char *after,
		       const struct vfio_compare_opts *o, FILE *out)
{
	struct json *a = json_parse_file(before), *b = NULL;
	const struct json *ca = NULL, *cb = NULL;
	int ret = VFIO_COMPARE_ERROR;

	if (a)
		b = json_parse_file(after);
	if (b)
		ca = cells_of(a, before);
	if (ca)
		cb = cells_of(b, after);
	if (cb) {
		print_probes(a, b, out);
		ret = compare_cells(ca, cb, o, out);
	} else {
		fprintf(stderr, "compare: %s\n", vfio_error());
	}
	json_free(a);
	json_free(b);
	return ret;
}

/* Asked for (-h): on stdout, exit 0; a mistake: on stderr, exit 2. */
static int compare_usage(bool asked)
{
	fprintf(asked ? stdout : stderr,
		"usage: compare [-t THRESHOLD] [-a ALPHA] [-f FLOOR] BEFORE.json AFTER.json\n"
		"  THRESHOLD  slowdown that counts as a regression (default 0.10)\n"
		"  ALPHA      significance level (default 0.05)\n"
		"  FLOOR      run-to-run noise no verdict may rest on (default 0.05)\n");
	return asked ? VFIO_COMPARE_OK : VFIO_COMPARE_ERROR;
}

static int parse_fraction(const char *s, double *v)
{
	char *end;

	*v = strtod(s, &end);
	return *end || !(*v > 0 && *v < 10) ? -EINVAL : 0;
}

int vfio_compare_main(int argc, char *argv[])
{
	struct vfio_compare_opts o = { 0.10, 0.05, 0.05 };
	int opt;

	optind = 1;
	while ((opt = getopt(argc, argv, "t:a:f:h")) != -1) {
		if (opt == 't' && !parse_fraction(optarg, &o.threshold))
			continue;
		if (opt == 'a' && !parse_fraction(optarg, &o.alpha) && o.alpha < 1)
			continue;
		if (opt == 'f' && !parse_fraction(optarg, &o.floor))
			continue;
		return compare_usage(opt == 'h');
	}
	if (argc - optind != 2)
		return compare_usage(false);
	return vfio_compare_files(argv[optind], argv[optind + 1], &o, stdout);
}

/* One line per cell: name, n, map median/p90/min/max in ms, faults. */
static void export_cell(const struct json *cell, FILE *out)
{
	double x[MAX_SAMPLES];
	struct vfio_summary s;
	int n = samples(cell, x);

	if (n <= 0)
		return;
	vfio_summarize(x, n, &s);
	fprintf(out, "%s\t%d\t%.6f\t%.6f\t%.6f\t%.6f\t%.0f\n",
		json_get_str(cell, "name", "(unnamed)"), n, s.median * 1e3,
		s.p90 * 1e3, s.min * 1e3, s.max * 1e3,
		median_count(cell, "minflt"));
}

int vfio_export_main(int argc, char *argv[])
{
	const struct json *cells, *c;
	struct json *root;

	if (argc != 2) {
		fprintf(stderr, "usage: export RESULTS.json (prints TSV)\n");
		return VFIO_COMPARE_ERROR;
	}
	root = json_parse_file(argv[1]);
	cells = root ? cells_of(root, argv[1]) : NULL;
	if (!cells) {
		fprintf(stderr, "export: %s\n", vfio_error());
		json_free(root);
		return VFIO_COMPARE_ERROR;
	}
	printf("cell\tn\tmedian_ms\tp90_ms\tmin_ms\tmax_ms\tfaults\n");
	for (c = cells->child; c; c = c->next)
		export_cell(c, stdout);
	json_free(root);
	return VFIO_COMPARE_OK;
}
