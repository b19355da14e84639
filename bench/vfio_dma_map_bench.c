// SPDX-License-Identifier: GPL-2.0
/*
 * Time VFIO_IOMMU_MAP_DMA over memory backings and over a device BAR
 * mapped under each alignment policy, counting the faults the kernel
 * takes inside the ioctl.  Options make a table of cells (bench_cells.c),
 * each IOMMU mode runs its cells (bench_run.c), then a table, TAP (one
 * point per cell) and optionally a JSON results file (analysis/results.c).
 *
 * Usage: vfio_dma_map_bench [options] [BDF]
 *        vfio_dma_map_bench compare|export|power ...: vfio_bench_compare's
 */
#include <ctype.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libvfio.h"
#include "analysis/error.h"
#include "analysis/results.h"
#include "bench_cells.h"
#include "bench_report.h"
#include "bench_run.h"
#include "provenance.h"

#define MAX_NODE 1023		/* the kernel's NODES_SHIFT is at most 10 */

/* The command line, nothing measured. */
struct bench_opts {
	const char *bdf, *out, *modes, *clock;
	struct vfio_bench_matrix m;
	int reps, warmup, node;
};

/* A run: the probe, the table of cells and their results. */
struct bench {
	struct vfio_fault_probe probe;	/* how this kernel faults BARs */
	int probe_ret;			/* -errno when the probe failed */
	char probe_err[512];
	bool probed;
	struct vfio_bench_table tab;
	struct vfio_numa_place numa;
};

/* To stdout with status 0 when asked for, else to stderr with 1. */
static void print_usage(const char *prog, int status)
{
	fprintf(status ? stderr : stdout,
		"usage: %s [-m MODES] [-b BACKINGS] [-p POLICIES] [-S STATES]\n"
		"          [-s SIZE] [-n REPS] [-w WARMUP] [-N NODE] [-C CLOCK]\n"
		"          [-o FILE.json] [BDF]\n"
		"       %s compare|export|power ...  (vfio_bench_compare, see its -h)\n"
		"       %s -h | --help\n"
		"  MODES     comma list of IOMMU modes: vfio_type1_iommu,\n"
		"            vfio_type1v2_iommu, iommufd_compat_type1[v2], iommufd\n"
		"            (default: vfio_type1v2_iommu,iommufd; absent ones SKIP)\n"
		"  BACKINGS  comma list of anon4k,thp,hugetlb2m,hugetlb1g,memfd,none\n"
		"            (default: all)\n"
		"  POLICIES  BAR policies: kernel,size,pa,pmd,4k,nohuge,none\n"
		"            (default: kernel,pa,pmd,4k)\n"
		"  STATES    fresh,prefaulted (default: fresh,prefaulted for memory,\n"
		"            fresh for the BAR)\n"
		"  SIZE      memory buffer size, a multiple of the base page (4K on\n"
		"            x86, 16K on arm64 with 16 KiB pages), with K/M/G\n"
		"            (default 64M, hugetlb1g 1G beside anon4k and thp\n"
		"            prefaulted at 1G; with -s every backing at SIZE); the\n"
		"            BAR is always mapped whole\n"
		"  REPS      timed repetitions per cell, 1..%d (default 5), after\n"
		"            WARMUP untimed ones, 0..%d (default 1)\n"
		"  NODE      NUMA node for buffers and this thread, 0..%d (default,\n"
		"            or -1: the device's); memory cells get a /remote twin\n"
		"            on another node with memory, if there is one\n"
		"  CLOCK     what the clock counts, for the results file: wall, or\n"
		"            icount (QEMU -icount: guest instructions); default:\n"
		"            the kernel command line's vfio_bench.clock=, else wall\n"
		"  Without -o, VFIO_BENCH_RESULTS_DIR=DIR writes\n"
		"  DIR/vfio_dma_map_bench-BDF.json (a lab's runner passes no options)\n",
		prog, prog, prog, VFIO_RESULTS_MAX_REPS,
		VFIO_RESULTS_MAX_REPS, MAX_NODE);
	exit(status);
}

/* What is wrong with @s as a size, or NULL with the size in @size. */
static const char *size_error(const char *s, uint64_t *size)
{
	static const char units[] = "KMG";
	static char why[48];
	char page[16];
	unsigned long long v;
	const char *unit;
	int shift = 0;
	char *end;

	/* strtoull() takes blanks and a sign, and negates: "-4K" is huge. */
	if (!isdigit((unsigned char)*s))
		return *s == '-' ? "negative" : "not a number";
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return "too large";
	unit = *end ? strchr(units, toupper((unsigned char)*end)) : NULL;
	if (unit) {
		shift = 10 * (unit - units + 1);
		end++;
	}
	if (*end)
		return "junk after the number";
	if (v > UINT64_MAX >> shift)
		return "too large";
	*size = (uint64_t)v << shift;
	if (!*size)
		return "zero";
	/* Nothing maps part of a base page: an SMMU on 16 KiB pages refuses 4 KiB. */
	if (*size % vfio_page_size()) {
		snprintf(why, sizeof(why), "not a multiple of the base page (%s)",
			 vfio_size_name(vfio_page_size(), page, sizeof(page)));
		return why;
	}
	return NULL;
}

static uint64_t parse_size(const char *s)
{
	const char *why;
	uint64_t v;

	why = size_error(s, &v);
	if (why)
		VFIO_FAIL("bad size '%s': %s (a multiple of the base page, with K, M or G)",
			  s, why);
	return v;
}

/* @s as a whole decimal number in [@min, @max], or fail naming @what. */
static int parse_int(const char *s, const char *what, int min, int max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	/* Not strtol()'s leading blanks or '+' either. */
	if ((!isdigit((unsigned char)*s) && *s != '-') || end == s || *end ||
	    errno || v < min || v > max)
		VFIO_FAIL("%s must be a whole number %d..%d, not '%s'", what,
			  min, max, s);
	return v;
}

/* A comma list of names into a bit mask; "none" is the empty set. */
static unsigned int parse_list(const char *s, int (*parse)(const char *))
{
	char *copy = strdup(s), *tok, *save = NULL;
	unsigned int mask = 0;
	int v;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "none"))
			continue;
		v = parse(tok);
		if (v < 0)
			VFIO_FAIL("%s", vfio_error());
		mask |= 1U << v;
	}
	free(copy);
	return mask;
}

/*
 * Memory cells bound to the device's node (or -N's), this thread on its
 * CPUs, and a remote node for the remote cells; all in the results.
 */
static void place_numa(const struct bench_opts *o, struct vfio_numa_place *p)
{
	vfio_numa_place(o->bdf, o->node, p);
	if (p->node < 0)
		ksft_print_msg("NUMA: the device has no node, buffers not placed\n");
	else
		ksft_print_msg("NUMA: device on node %d, buffers on node %d, remote cells on %d\n",
			       p->device, p->node, p->remote);
}

/* Once per run, in the first mode that opens: it is the kernel's. */
static void probe_once(struct bench *b, struct vfio_pci_device *dev)
{
	if (b->probed)
		return;
	b->probed = true;
	b->probe_ret = __vfio_fault_probe_device(dev, &b->probe);
	if (b->probe_ret)
		snprintf(b->probe_err, sizeof(b->probe_err), "%s", vfio_error());
	else
		snprintf(b->probe_err, sizeof(b->probe_err), "%s",
			 b->probe.verdict);
	ksft_print_msg("fault probe: %s\n", b->probe_err);
}

/* What the results file says of @m's IOVA space. */
static void record_iova_space(struct vfio_results_mode *m,
			      const struct vfio_iommu_info *info)
{
	int i;

	m->pgsizes = info->pgsizes;
	m->nr_ranges = 0;
	for (i = 0; i < info->nr_ranges && i < VFIO_RESULTS_MAX_RANGES; i++) {
		m->ranges[i][0] = info->ranges[i].start;
		m->ranges[i][1] = info->ranges[i].end;
		m->nr_ranges++;
	}
}

/*
 * Open the device in @m's mode; false (with m->skip) if the kernel does
 * not offer it.  A mode that is there but cannot be opened fails the run.
 */
static bool mode_setup(struct bench *b, const struct bench_opts *o,
		       struct vfio_results_mode *m, struct vfio_bench_target *t)
{
	int ret = vfio_iommu_mode_offered(m->mode);

	if (ret == -ENODEV) {
		snprintf(m->skip, sizeof(m->skip), "%s", vfio_error());
		return false;
	}
	if (ret)
		VFIO_FAIL("%s", vfio_error());
	t->mode = m->mode;
	t->iommu = vfio_iommu_init(t->mode);
	t->dev = vfio_pci_device_init(o->bdf, t->iommu);
	record_iova_space(m, &t->iommu->info);
	vfio_fault_counter_open(&t->fc);
	vfio_work_counter_open(&t->wc);
	t->bar = vfio_pci_largest_bar(t->dev);
	b->tab.results.bar = t->bar;
	t->reps = o->reps;
	t->warmup = o->warmup;
	probe_once(b, t->dev);
	t->probe = &b->probe;
	return true;
}

static void mode_teardown(struct vfio_bench_target *t)
{
	vfio_counters_close(&t->fc);
	vfio_counters_close(&t->wc);
	vfio_pci_device_cleanup(t->dev);
	vfio_iommu_cleanup(t->iommu);
	t->dev = NULL;
	t->iommu = NULL;
}

/* The -m list: every mode must be one the library knows. */
static void parse_modes(struct vfio_results *r, const char *list)
{
	char *copy = strdup(list), *tok, *save = NULL;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const struct vfio_iommu_mode *m = vfio_iommu_mode_get(tok);

		if (!m)
			VFIO_FAIL("%s", vfio_error());
		if (r->nr_modes == VFIO_RESULTS_MAX_MODES)
			VFIO_FAIL("more than %d IOMMU modes", VFIO_RESULTS_MAX_MODES);
		r->modes[r->nr_modes++].mode = m->name;
	}
	free(copy);
	if (!r->nr_modes)
		VFIO_FAIL("no IOMMU mode given to -m");
}

static void parse_option(struct bench_opts *o, int opt, const char *prog)
{
	switch (opt) {
	case 'm':
		o->modes = optarg;
		break;
	case 'b':
		o->m.backings = parse_list(optarg, vfio_backing_parse);
		break;
	case 'p':
		o->m.policies = parse_list(optarg, vfio_map_policy_parse);
		break;
	case 'S':
		o->m.states = parse_list(optarg, vfio_bench_state_parse);
		o->m.bar_states = true;
		break;
	case 's':
		o->m.size = parse_size(optarg);
		o->m.pud_size = 0;
		break;
	case 'n':
		o->reps = parse_int(optarg, "repetitions", 1, VFIO_RESULTS_MAX_REPS);
		break;
	case 'w':
		o->warmup = parse_int(optarg, "warm-up repetitions", 0,
				      VFIO_RESULTS_MAX_REPS);
		break;
	case 'N':
		o->node = parse_int(optarg, "NUMA node", -1, MAX_NODE);
		break;
	case 'o':
		o->out = optarg;
		break;
	case 'C':
		o->clock = optarg;
		break;
	case 'h':
		print_usage(prog, 0);
		break;
	default:	/* getopt() has said what was wrong */
		print_usage(prog, KSFT_FAIL);
	}
}

/*
 * A runner that passes no options (run_kselftest.sh, suite.sh in a lab)
 * still gets the numbers as a file: with VFIO_BENCH_RESULTS_DIR set and
 * no -o, one results file per device goes there, named after the BDF.
 */
static void results_dir_default(struct bench_opts *o)
{
	static char path[4096];
	const char *dir = getenv("VFIO_BENCH_RESULTS_DIR");

	if (o->out || !dir || !*dir || !o->bdf)
		return;
	snprintf(path, sizeof(path), "%s/vfio_dma_map_bench-%s.json", dir,
		 o->bdf);
	o->out = path;
}

static void parse_options(struct bench_opts *o, int argc, char *argv[])
{
	static const struct option help[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	*o = (struct bench_opts){
		.modes = VFIO_DEFAULT_IOMMU_MODE ",iommufd",
		.m.backings = (1U << VFIO_BACKING_NR) - 1,
		.m.policies = 1U << VFIO_MAP_KERNEL | 1U << VFIO_MAP_PA |
			      1U << VFIO_MAP_PMD | 1U << VFIO_MAP_4K,
		.m.states = 1U << VFIO_BENCH_FRESH | 1U << VFIO_BENCH_PREFAULTED,
		.m.size = 64ULL << 20,
		.m.pud_size = SZ_1G,
		.reps = 5,
		.warmup = 1,
		.node = -1,
	};
	while ((opt = getopt_long(argc, argv, "m:b:p:S:s:n:w:N:o:C:h", help,
				  NULL)) != -1)
		parse_option(o, opt, argv[0]);
	o->bdf = vfio_selftests_get_bdf(&argc, argv);
	results_dir_default(o);
	o->clock = o->clock ? o->clock : vfio_bench_clock_of_cmdline();
	if (strcmp(o->clock, "wall") && strcmp(o->clock, "icount")) {
		fprintf(stderr, "%s: clock '%s': wall or icount\n", argv[0],
			o->clock);
		print_usage(argv[0], KSFT_FAIL);
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", argv[0],
			argv[optind]);
		print_usage(argv[0], KSFT_FAIL);
	}
}

/* Each IOMMU mode the kernel offers runs its cells; how many ran. */
static int run_modes(struct bench *b, const struct bench_opts *o)
{
	struct vfio_results *r = &b->tab.results;
	int i, c, ran = 0;

	for (i = 0; i < r->nr_modes; i++) {
		struct vfio_bench_target t = {
			.node = b->numa.node,
			.remote = b->numa.remote,
		};
		int first = b->tab.nr_cells;

		if (!mode_setup(b, o, &r->modes[i], &t))
			continue;
		vfio_bench_cells_add(&b->tab, &o->m, &t);
		for (c = first; c < b->tab.nr_cells; c++)
			vfio_bench_run_cell(&t, &b->tab.cells[c]);
		mode_teardown(&t);
		ran++;
	}
	return ran;
}

/* A TAP point per cell and absent mode, and the probe's. */
static void report(const struct bench *b)
{
	const struct vfio_results *r = &b->tab.results;
	int i, skipped = 0;

	for (i = 0; i < r->nr_modes; i++)
		skipped += !!r->modes[i].skip[0];
	/* ... and the leak check's, after. */
	ksft_set_plan(r->nr_cells + skipped + 2);
	if (b->probe_ret || b->probe.style == VFIO_FAULT_STYLE_UNKNOWN)
		ksft_test_result_fail("fault probe: %s\n", b->probe_err);
	else
		ksft_test_result_pass("fault probe\n");
	for (i = 0; i < r->nr_modes; i++)
		if (r->modes[i].skip[0])
			ksft_test_result_skip("%s: %s\n",
					      vfio_iommu_mode_short(r->modes[i].mode),
					      r->modes[i].skip);
	for (i = 0; i < r->nr_cells; i++) {
		const struct vfio_cell_result *c = &r->cells[i];

		if (c->status == VFIO_CELL_OK)
			ksft_test_result_pass("%s\n", c->name);
		else if (c->status == VFIO_CELL_SKIP)
			ksft_test_result_skip("%s: %s\n", c->name, c->reason);
		else
			ksft_test_result_fail("%s: %s\n", c->name, c->reason);
	}
}

/* "compare", "export", "power": the compare program's, beside this one. */
static int compare_alias(char *argv[])
{
	char self[4096], path[4200];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (len < 0)
		VFIO_FAIL("cannot find this program: %s", strerror(errno));
	self[len] = '\0';
	snprintf(path, sizeof(path), "%s/vfio_bench_compare", dirname(self));
	argv[0] = path;
	execv(path, argv);
	fprintf(stderr, "cannot run %s: %s\n", path, strerror(errno));
	return 2;
}

static void results_init(struct bench *b, const struct bench_opts *o)
{
	struct vfio_results *r = &b->tab.results;

	r->reps = o->reps;
	r->warmup = o->warmup;
	r->size = o->m.size;
	r->node = b->numa.node;
	r->remote_node = b->numa.remote;
	r->device_node = b->numa.device;
	r->overhead_s = vfio_bench_overhead();
	snprintf(r->timebase, sizeof(r->timebase), "%s", o->clock);
}

static int write_results(const struct bench *b, const struct bench_opts *o)
{
	struct vfio_results_head head = { .bdf = o->bdf, .probe = &b->probe };

	return vfio_results_write(o->out, &b->tab.results,
				  vfio_results_head_write, &head);
}

int main(int argc, char *argv[])
{
	struct bench *b = calloc(1, sizeof(*b));
	struct vfio_results *r = b ? &b->tab.results : NULL;
	struct vfio_leak_snapshot before;
	struct bench_opts o;

	if (argc > 1 && (!strcmp(argv[1], "compare") || !strcmp(argv[1], "export") ||
			 !strcmp(argv[1], "power")))
		return compare_alias(argv);
	VFIO_ASSERT_NE(b, NULL);
	r->cells = calloc(VFIO_RESULTS_MAX_CELLS, sizeof(*r->cells));
	VFIO_ASSERT_NE(r->cells, NULL);
	parse_options(&o, argc, argv);
	parse_modes(r, o.modes);
	/* After the usage checks: a bad option is named before a bad device. */
	vfio_selftests_require_device(o.bdf);
	ksft_print_header();
	vfio_leak_snapshot(&before);
	place_numa(&o, &b->numa);
	results_init(b, &o);
	if (!run_modes(b, &o))	/* nothing to measure: a SKIP */
		ksft_exit_skip("%s\n", r->modes[0].skip);
	vfio_bench_print_table(&b->tab);
	report(b);
	if (o.out && write_results(b, &o))
		VFIO_FAIL("%s", analysis_error());
	if (o.out)
		ksft_print_msg("results: %s\n", o.out);
	vfio_results_free(r);
	free(b);
	if (__vfio_leak_check(&before))
		ksft_test_result_fail("nothing left mapped, open or pinned: %s\n",
				      vfio_error());
	else
		ksft_test_result_pass("nothing left mapped, open or pinned\n");
	ksft_finished();
}
