// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_bench_compare: judge results of vfio_dma_map_bench before and
 * after a change, or export one results file as a table, or results and
 * the suite's log in KCIDB's shape (and check a KCIDB document).
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
#include "analysis/json.h"
#include "analysis/kcidb.h"
#include "analysis/kcidb_check.h"
#include "analysis/power.h"
#include "analysis/results.h"
#include "analysis/stats.h"
#include "analysis/table.h"

/* Asked for (-h): on stdout, exit 0; a mistake: on stderr, exit 2. */
static int print_usage(bool asked)
{
	fprintf(asked ? stdout : stderr,
		"usage: compare [-t THRESHOLD] [-a ALPHA] [-f FLOOR] [-s SPREAD] [-c] [-A]\n"
		"               [-F FORMAT] BEFORE.json[,BEFORE2.json...]\n"
		"               AFTER.json[,AFTER2.json...]\n"
		"       export [-F FORMAT] RESULTS.json\n"
		"       power [-k K] [compare's -t -a -f -s] BOOT.json BOOT.json...\n"
		"       kcidb [-O ORIGIN] [-C CHECKOUT] [-B BUILD] [-L SUITE_LOG]\n"
		"             [RESULTS.json...]\n"
		"       kcidb-check KCIDB.json\n"
		"  THRESHOLD  slowdown that counts as a regression (wall 0.10, icount 0.015)\n"
		"  ALPHA      significance of the whole run, shared among its time rows\n"
		"             (default 0.05)\n"
		"  FLOOR      no change is called within it (wall 0.05, icount 0.01)\n"
		"  SPREAD     boot-to-boot standard deviation of log time to assume, a\n"
		"             floor under what pooled boots show and what one boot a\n"
		"             side is judged with (wall: unknown, icount 0.003)\n"
		"  -c         judge each sample over its own calibration (calib_s)\n"
		"  -A         judge only the cells AFTER has (a full baseline, one cell)\n"
		"  FORMAT     text (default), csv, markdown, tsv\n"
		"  A comma list pools the files of one kernel, one per boot.  Files of\n"
		"  different timebases (wall, icount) are never compared.\n"
		"  power: every split of the boots (one kernel) into K against K\n"
		"  (default 1) judged as compare would, A/A and with one cell's\n"
		"  MAP_DMA +2%%, +5%%, +10%% and +100%%: whole-run exit 1 rate, and how\n"
		"  often each change is found (exit 1, the cell named).\n"
		"  kcidb: one KCIDB v5.3 document on stdout: the kernel of the\n"
		"  results files as checkout and build (ids ORIGIN:CHECKOUT, default\n"
		"  the kernel release, and ORIGIN:BUILD), a test per cell with its\n"
		"  median MAP_DMA time, and a test per result of SUITE_LOG (suite.sh's\n"
		"  output); ORIGIN defaults to vfio_bench.  Exit 0, or 2 on bad input.\n"
		"  kcidb-check: exit 0 when KCIDB.json has the fields and types KCIDB's\n"
		"  schema documents, 1 (the first wrong field on stderr) when not, 2\n"
		"  when it is no JSON.\n"
		"  Exit: 0 no regression, 1 regression, 2 bad input, other\n"
		"  parameters or timebases, or a cell that cannot be judged.\n");
	return asked ? VFIO_COMPARE_OK : VFIO_COMPARE_ERROR;
}

static int parse_fraction(const char *s, double *v)
{
	char *end;

	*v = strtod(s, &end);
	return *end || !(*v >= 0 && *v < 10) ? -EINVAL : 0;
}

static int parse_opt(int opt, struct vfio_compare_opts *o)
{
	int format;

	switch (opt) {
	case 't':
		return parse_fraction(optarg, &o->threshold);
	case 'a':
		return parse_fraction(optarg, &o->alpha) || !(o->alpha > 0) ||
		       o->alpha >= 1 ? -EINVAL : 0;
	case 'f':
		return parse_fraction(optarg, &o->floor);
	case 's':
		return parse_fraction(optarg, &o->between);
	case 'c':
		o->calibrated = true;
		return 0;
	case 'A':
		o->after_only = true;
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

/* kcidb: the document on stdout; 0, or 2 on bad input or usage. */
static int run_kcidb(int argc, char *argv[])
{
	struct vfio_kcidb_opts o = { .origin = "vfio_bench" };
	int opt;

	while ((opt = getopt(argc, argv, "O:C:B:L:h")) != -1) {
		switch (opt) {
		case 'O':
			o.origin = optarg;
			break;
		case 'C':
			o.checkout = optarg;
			break;
		case 'B':
			o.build = optarg;
			break;
		case 'L':
			o.suite_log = optarg;
			break;
		case 'h':
			return print_usage(true);
		default:
			return print_usage(false);
		}
	}
	if (vfio_kcidb_export((const char * const *)argv + optind, argc - optind,
			      &o, stdout)) {
		fprintf(stderr, "kcidb: %s\n", analysis_error());
		return VFIO_COMPARE_ERROR;
	}
	return VFIO_COMPARE_OK;
}

/* kcidb-check: 0 KCIDB's shape, 1 not (KCIDB_INVALID), 2 no JSON or usage. */
#define KCIDB_INVALID	1
static int run_kcidb_check(int argc, char *argv[])
{
	struct json *doc;
	int ret;

	if (argc != 2 || !strcmp(argv[1], "-h"))
		return print_usage(argc == 2);
	doc = json_parse_file(argv[1]);
	if (!doc) {
		fprintf(stderr, "kcidb-check: %s\n", analysis_error());
		return VFIO_COMPARE_ERROR;
	}
	ret = vfio_kcidb_check(doc);
	json_free(doc);
	if (ret) {
		fprintf(stderr, "kcidb-check: %s: %s\n", argv[1], analysis_error());
		return KCIDB_INVALID;
	}
	return VFIO_COMPARE_OK;
}

/* power: read each boot, measure, print; 0, or 2 on bad input. */
static int run_power(int argc, char *argv[], int per_side,
		 const struct vfio_compare_opts *o)
{
	/* 60 KiB of headers (the cells are on the heap): not on the stack. */
	static struct vfio_results boots[VFIO_POWER_MAX_BOOTS];
	struct vfio_power_opts po = { .per_side = per_side, .nr_shifts = 4,
				      .shifts = { 0.02, 0.05, 0.10, 1.00 },
				      .cmp = *o };
	struct vfio_power *p = calloc(1, sizeof(*p));
	int nr = argc - optind, k, ret = VFIO_COMPARE_ERROR;

	if (!p || nr > VFIO_POWER_MAX_BOOTS) {
		fprintf(stderr, "compare power: at most %d boots\n",
			VFIO_POWER_MAX_BOOTS);
		free(p);
		return VFIO_COMPARE_ERROR;
	}
	for (k = 0; k < nr; k++)
		if (vfio_results_read(argv[optind + k], &boots[k]))
			break;
	if (k == nr && !vfio_power_measure(boots, nr, &po, p)) {
		vfio_power_print(p, &po, stdout);
		ret = VFIO_COMPARE_OK;
	} else {
		fprintf(stderr, "compare power: %s\n", analysis_error());
	}
	while (k-- > 0)
		vfio_results_free(&boots[k]);
	free(p);
	return ret;
}

int main(int argc, char *argv[])
{
	struct vfio_compare_opts o = VFIO_COMPARE_DEFAULTS;
	bool export = false, pw = false;
	int opt, per_side = 1;

	if (argc > 1 && !strcmp(argv[1], "compare"))
		argc--, argv++;
	if (argc > 1 && !strcmp(argv[1], "kcidb"))
		return run_kcidb(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "kcidb-check"))
		return run_kcidb_check(argc - 1, argv + 1);
	export = argc > 1 && !strcmp(argv[1], "export");
	pw = argc > 1 && !strcmp(argv[1], "power");
	if (export)
		o.format = VFIO_TABLE_TSV;
	if (export || pw)
		argc--, argv++;
	while ((opt = getopt(argc, argv, "t:a:f:s:cAF:k:h")) != -1) {
		if (opt == 'h')
			return print_usage(true);
		if (opt == 'k' && pw) {
			per_side = atoi(optarg);
			continue;
		}
		if (!parse_opt(opt, &o))
			continue;
		if (opt == 'F')		/* the others are said by the usage */
			fprintf(stderr, "compare: %s\n", analysis_error());
		return print_usage(false);
	}
	if (export)
		return export_results(argc, argv, &o);
	if (pw)
		return run_power(argc, argv, per_side, &o);
	if (argc - optind != 2)
		return print_usage(false);
	return vfio_compare_files(argv[optind], argv[optind + 1], &o, stdout);
}
