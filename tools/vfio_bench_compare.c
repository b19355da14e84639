// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_bench_compare: judge results of vfio_dma_map_bench before and
 * after a change, or export one results file as a table.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/compare.h"
#include "analysis/error.h"
#include "analysis/export.h"
#include "analysis/results.h"
#include "analysis/stats.h"
#include "analysis/table.h"

/* Asked for (-h): on stdout, exit 0; a mistake: on stderr, exit 2. */
static int print_usage(bool asked)
{
	fprintf(asked ? stdout : stderr,
		"usage: compare [-t THRESHOLD] [-a ALPHA] [-f FLOOR] [-c] [-F FORMAT]\n"
		"               BEFORE.json[,BEFORE2.json...] AFTER.json[,AFTER2.json...]\n"
		"       compare -r NA,NB [-a ALPHA]   can NA and NB samples reach ALPHA?\n"
		"       export [-F FORMAT] RESULTS.json\n"
		"  THRESHOLD  slowdown that counts as a regression (default 0.10)\n"
		"  ALPHA      significance level (default 0.05)\n"
		"  FLOOR      run-to-run noise no verdict may rest on (default 0.05)\n"
		"  -c         judge each sample over its own calibration (calib_s)\n"
		"  FORMAT     text (default), csv, markdown, tsv\n"
		"  A comma list pools the files of one kernel, one per boot.\n"
		"  Exit: 0 no regression, 1 regression, 2 bad input or parameters.\n"
		"  Exact U test up to %d samples in all: at n and n the smallest p is\n"
		"  2/C(2n,n): 0.1 at 3, 0.029 at 4, 0.0079 at 5.\n",
		VFIO_MW_EXACT_MAX);
	return asked ? VFIO_COMPARE_OK : VFIO_COMPARE_ERROR;
}

static int parse_fraction(const char *s, double *v)
{
	char *end;

	*v = strtod(s, &end);
	return *end || !(*v > 0 && *v < 10) ? -EINVAL : 0;
}

/* -r NA,NB: exit 0 if the U test can reach alpha at all, else 1, saying so. */
static int reachable(const char *sizes, double alpha)
{
	unsigned int na, nb;
	char end;
	double p;

	if (sscanf(sizes, "%u,%u%c", &na, &nb, &end) != 2 || !na || !nb ||
	    na > VFIO_RESULTS_MAX_REPS || nb > VFIO_RESULTS_MAX_REPS)
		return print_usage(false);
	p = vfio_mann_whitney_min_p(na, nb);
	if (p < alpha)
		return VFIO_COMPARE_OK;
	printf("%u and %u samples cannot reach p < %g: the smallest p they allow is %.4f; take more (4 and 4 reach 0.05)\n",
	       na, nb, alpha, p);
	return VFIO_COMPARE_REGRESSED;
}

static int parse_opt(int opt, struct vfio_compare_opts *o, const char **sizes)
{
	int format;

	switch (opt) {
	case 't':
		return parse_fraction(optarg, &o->threshold);
	case 'a':
		return parse_fraction(optarg, &o->alpha) || o->alpha >= 1 ?
		       -EINVAL : 0;
	case 'f':
		return parse_fraction(optarg, &o->floor);
	case 'c':
		o->calibrated = true;
		return 0;
	case 'r':
		*sizes = optarg;
		return 0;
	case 'F':
		format = vfio_table_format_parse(optarg);
		if (format < 0)
			return format;
		o->format = format;
		return 0;
	}
	return -EINVAL;
}

static int export_results(int argc, char *argv[], const struct vfio_compare_opts *o)
{
	struct vfio_results r = { 0 };

	if (argc - optind != 1) {
		fprintf(stderr, "usage: export [-F FORMAT] RESULTS.json\n");
		return VFIO_COMPARE_ERROR;
	}
	if (vfio_results_read(argv[optind], &r)) {
		fprintf(stderr, "export: %s\n", analysis_error());
		vfio_results_free(&r);
		return VFIO_COMPARE_ERROR;
	}
	vfio_results_export(&r, o->format, stdout);
	vfio_results_free(&r);
	return VFIO_COMPARE_OK;
}

int main(int argc, char *argv[])
{
	struct vfio_compare_opts o = VFIO_COMPARE_DEFAULTS;
	const char *sizes = NULL;
	bool export = false;
	int opt;

	if (argc > 1 && !strcmp(argv[1], "export")) {
		export = true;
		o.format = VFIO_TABLE_TSV;
	}
	if (argc > 1 && (export || !strcmp(argv[1], "compare")))
		argc--, argv++;
	while ((opt = getopt(argc, argv, "t:a:f:cr:F:h")) != -1) {
		if (opt == 'h')
			return print_usage(true);
		if (!parse_opt(opt, &o, &sizes))
			continue;
		if (opt == 'F')		/* the others are said by the usage */
			fprintf(stderr, "compare: %s\n", analysis_error());
		return print_usage(false);
	}
	if (export)
		return export_results(argc, argv, &o);
	if (sizes)
		return optind == argc ? reachable(sizes, o.alpha) : print_usage(false);
	if (argc - optind != 2)
		return print_usage(false);
	return vfio_compare_files(argv[optind], argv[optind + 1], &o, stdout);
}
