// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_bench_compare: judge two results files of vfio_dma_map_bench, or
 * export one.  Exit 0 no regression, 1 regression, 2 bad input.
 *
 *   vfio_bench_compare [-t THRESHOLD] [-a ALPHA] [-f FLOOR] BEFORE AFTER
 *   vfio_bench_compare export RESULTS
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libvfio.h"

/* Asked for (-h): on stdout, exit 0; a mistake: on stderr, exit 2. */
static int print_usage(bool asked)
{
	fprintf(asked ? stdout : stderr,
		"usage: compare [-t THRESHOLD] [-a ALPHA] [-f FLOOR] BEFORE.json AFTER.json\n"
		"       export RESULTS.json (prints TSV)\n"
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

static int export_results(int argc, char *argv[])
{
	struct vfio_results r = { 0 };

	if (argc != 2) {
		fprintf(stderr, "usage: export RESULTS.json (prints TSV)\n");
		return VFIO_COMPARE_ERROR;
	}
	if (__vfio_results_read(argv[1], &r)) {
		fprintf(stderr, "export: %s\n", vfio_error());
		vfio_results_free(&r);
		return VFIO_COMPARE_ERROR;
	}
	vfio_results_export_tsv(&r, stdout);
	vfio_results_free(&r);
	return VFIO_COMPARE_OK;
}

int main(int argc, char *argv[])
{
	struct vfio_compare_opts o = { 0.10, 0.05, 0.05 };
	int opt;

	if (argc > 1 && !strcmp(argv[1], "export"))
		return export_results(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "compare"))
		argc--, argv++;
	while ((opt = getopt(argc, argv, "t:a:f:h")) != -1) {
		if (opt == 't' && !parse_fraction(optarg, &o.threshold))
			continue;
		if (opt == 'a' && !parse_fraction(optarg, &o.alpha) && o.alpha < 1)
			continue;
		if (opt == 'f' && !parse_fraction(optarg, &o.floor))
			continue;
		return print_usage(opt == 'h');
	}
	if (argc - optind != 2)
		return print_usage(false);
	return vfio_compare_files(argv[optind], argv[optind + 1], &o, stdout);
}
