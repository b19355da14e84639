// SPDX-License-Identifier: GPL-2.0
/*
 * Time VFIO_IOMMU_MAP_DMA over memory backings and over a device BAR
 * mapped under each alignment policy, counting the faults the kernel
 * takes inside the ioctl.  Prints TAP (one point per cell), a table, and
 * optionally a JSON results file for 'compare'.
 *
 * Usage: vfio_dma_map_bench [options] [BDF]
 *        vfio_dma_map_bench compare [-t THRESHOLD] [-a ALPHA] [-f FLOOR] BEFORE AFTER
 *        vfio_dma_map_bench export RESULTS (TSV, for plots)
 */
#include <ctype.h>
#include <getopt.h>
#include <numa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libvfio.h"

#define MAX_REPS 1000
#define MAX_CELLS 64
#define MAX_NODE 1023		/* the kernel's NODES_SHIFT is at most 10 */

enum state { FRESH, PREFAULTED };

struct cell {
	char name[96];
	const char *mode;		/* IOMMU mode */
	bool bar;			/* a BAR, else a memory backing */
	bool file;			/* by IOMMU_IOAS_MAP_FILE (dma-buf, memfd) */
	enum vfio_backing backing;
	enum vfio_map_policy policy;
	enum state state;
	uint64_t size;
	int node;			/* the memory's NUMA node, -1: not placed */
	/* results */
	int measured_node;		/* where all its pages were, -1: unknown */
	int status;			/* KSFT_PASS, KSFT_SKIP or KSFT_FAIL */
	char reason[200];
	int n;
	double map_s[MAX_REPS], unmap_s[MAX_REPS], calib_s[MAX_REPS];
	long long minflt[MAX_REPS], pmd[MAX_REPS], pud[MAX_REPS];
	long long want_faults;		/* -1: no exact expectation */
	long long iommu_entries;	/* the IOMMU's, for a BAR; -1: unknown */
};

/* One IOMMU mode's part of a run. */
struct mode_run {
	const char *mode;
	char skip[200];			/* why it did not run, if it did not */
	struct vfio_iommu_info iommu;
};

#define MAX_MODES 8

struct bench {
	const char *bdf, *mode, *out;
	int nr_modes;
	struct mode_run modes[MAX_MODES];
	uint64_t size;
	int reps, warmup, node, remote, bar;
	int dev_node;			/* the device's, -1: none */
	struct vfio_pci_device *dev;
	struct vfio_iommu_info iommu;
	struct vfio_fault_counter fc;
	struct vfio_fault_probe probe;	/* how this kernel faults BARs */
	int probe_ret;			/* -errno when the probe failed */
	char probe_err[256];
	bool probed;
	double overhead_s;
	int nr_cells;
	struct cell cells[MAX_CELLS];
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/*
 * A fixed piece of pure user-space work, timed next to every sample.
 * Under emulation (and on a busy host) the whole machine speeds up and
 * slows down between runs; compare divides by this to see through it.
 */
static double calibrate(void)
{
	uint64_t x = 1, i;
	double t0 = now();

	for (i = 0; i < (1 << 18); i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		__asm__ volatile("" : "+r" (x));	/* no folding it away */
	}
	return now() - t0;
}

/* To stdout with status 0 when asked for, else to stderr with 1. */
static void print_usage(const char *prog, int status)
{
	fprintf(status ? stderr : stdout,
		"usage: %s [-m MODES] [-b BACKINGS] [-p POLICIES] [-S STATES]\n"
		"          [-s SIZE] [-n REPS] [-w WARMUP] [-N NODE] [-o FILE.json] [BDF]\n"
		"       %s compare [-t THRESHOLD] [-a ALPHA] [-f FLOOR] BEFORE.json AFTER.json\n"
		"       %s export RESULTS.json\n"
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
		"  SIZE      memory buffer size, a multiple of 4K, with K/M/G (default\n"
		"            64M); the BAR is always mapped whole\n"
		"  REPS      timed repetitions per cell, 1..%d (default 5), after\n"
		"            WARMUP untimed ones, 0..%d (default 1)\n"
		"  NODE      NUMA node for buffers and this thread, 0..%d (default,\n"
		"            or -1: the device's)\n",
		prog, prog, prog, prog, MAX_REPS, MAX_REPS, MAX_NODE);
	exit(status);
}

/* What is wrong with @s as a size, or NULL with the size in @size. */
static const char *size_error(const char *s, uint64_t *size)
{
	static const char units[] = "KMG";
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
	return !*size ? "zero" : *size % SZ_4K ? "not a multiple of 4K" : NULL;
}

static uint64_t parse_size(const char *s)
{
	const char *why;
	uint64_t v;

	why = size_error(s, &v);
	if (why)
		VFIO_FAIL("bad size '%s': %s (a multiple of 4K, with K, M or G)",
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

static int parse_state(const char *s)
{
	if (!strcmp(s, "fresh"))
		return FRESH;
	if (!strcmp(s, "prefaulted"))
		return PREFAULTED;
	return vfio_set_error("unknown state '%s' (fresh, prefaulted)", s);
}

static const char *size_name(uint64_t size, char *buf, size_t len)
{
	if (!(size % SZ_1G))
		snprintf(buf, len, "%lluG", (unsigned long long)(size / SZ_1G));
	else if (!(size % (1 << 20)))
		snprintf(buf, len, "%lluM", (unsigned long long)(size >> 20));
	else
		snprintf(buf, len, "%lluK", (unsigned long long)(size >> 10));
	return buf;
}

/* Short names: type1, type1v2, compat-type1, compat-type1v2, iommufd. */
static const char *api_name(const char *mode)
{
	if (!strncmp(mode, "vfio_", 5))
		return strncmp(mode, "vfio_type1v2", 12) ? "type1" : "type1v2";
	if (!strcmp(mode, "iommufd"))
		return mode;
	return strcmp(mode, "iommufd_compat_type1") ? "compat-type1v2" :
						       "compat-type1";
}

static bool native_iommufd(const struct bench *b)
{
	return b->dev->iommufd >= 0;
}

static const char *cell_kind(bool bar, bool file, int kind)
{
	if (bar)
		return file ? "dmabuf" : vfio_map_policy_name(kind);
	return file ? "memfd-file" : vfio_backing_name(kind);
}

static void add_cell(struct bench *b, bool bar, bool file, int kind,
		     enum state st, uint64_t size)
{
	struct cell *c;
	char sz[24];

	if (b->nr_cells == MAX_CELLS)
		VFIO_FAIL("more than %d cells", MAX_CELLS);
	c = &b->cells[b->nr_cells++];
	c->mode = b->mode;
	c->bar = bar;
	c->file = file;
	c->backing = bar ? 0 : kind;
	c->policy = bar ? kind : 0;
	c->state = st;
	c->size = size;
	c->want_faults = -1;
	c->iommu_entries = -1;
	c->node = bar ? -1 : b->node;
	c->measured_node = -1;
	snprintf(c->name, sizeof(c->name), "%s/%s%s/%s/%s",
		 api_name(b->mode),
		 bar ? "bar-" : "", cell_kind(bar, file, kind),
		 size_name(size, sz, sizeof(sz)),
		 st == FRESH ? "fresh" : "prefaulted");
}

/*
 * Map the cell's memory (or BAR) for one repetition.  File cells get an
 * fd instead: the memfd, or a dma-buf of the BAR exported afresh.
 */
static int prepare(struct bench *b, struct cell *c, struct vfio_buffer *buf,
		   void **va)
{
	int ret;

	buf->fd = -1;
	*va = NULL;
	if (c->bar && c->file) {
		buf->fd = __vfio_pci_dma_buf(b->dev, b->bar, 0, c->size);
		return buf->fd < 0 ? -EOPNOTSUPP : 0;
	}
	if (c->bar) {
		ret = __vfio_pci_bar_map(b->dev, b->bar, c->policy);
		*va = b->dev->bars[b->bar].va;
	} else {
		ret = vfio_buffer_alloc(buf, c->backing, c->size);
		*va = buf->va;
		if (!ret && c->node >= 0)
			ret = __vfio_buffer_bind(buf, c->node);
	}
	if (!ret && c->state == PREFAULTED && c->bar)
		vfio_pci_bar_touch(&b->dev->bars[b->bar]);
	else if (!ret && c->state == PREFAULTED)
		vfio_touch_pages(*va, c->size, true);
	return ret;
}

static void release(struct bench *b, struct cell *c, struct vfio_buffer *buf)
{
	if (c->bar && c->file)
		close(buf->fd);
	else if (c->bar)
		vfio_pci_bar_unmap(b->dev, b->bar);
	else
		vfio_buffer_free(buf);
}

/* Hugetlb pages the machine has not reserved, or a size they cannot hold. */
static bool is_hugetlb(const struct cell *c)
{
	return !c->bar && (c->backing == VFIO_BACKING_HUGETLB_2M ||
			   c->backing == VFIO_BACKING_HUGETLB_1G);
}

/*
 * A fresh BAR faults inside MAP_DMA as the probe measured this kernel to
 * fault: one per entry its placement allows, or at most one per VMA
 * where the first fault maps the whole VMA.
 */
static int check_bar_faults(struct bench *b, struct cell *c, long long faults)
{
	struct vfio_pci_bar *bar = &b->dev->bars[b->bar];
	struct vfio_fault_expect e;

	if (!c->bar || c->file || c->state != FRESH)
		return 0;
	vfio_fault_expect_plan(&b->probe, bar->placement.madvise, &bar->plan,
			       bar->area_va, bar->pa, &e);
	errno = EIO;
	if (e.exact) {
		c->want_faults = e.faults;
		if (faults < c->want_faults || faults > c->want_faults + 1)
			return vfio_set_error("%lld faults inside MAP_DMA, expected %lld for va %p",
					      faults, c->want_faults,
					      bar->area_va[0]);
	} else if (e.per_vma && faults > (long long)e.faults + 1) {
		return vfio_set_error("%lld faults inside MAP_DMA, expected at most %llu (one per VMA, whole-VMA population)",
				      faults, (unsigned long long)e.faults);
	}
	return 0;
}

/* MAP_DMA a mapped BAR area by area (never its gaps), at iova + offset. */
static int bar_dma_map(struct bench *b, uint64_t iova)
{
	struct vfio_pci_bar *bar = &b->dev->bars[b->bar];
	int i, ret = 0;

	for (i = 0; !ret && i < bar->plan.nr_areas; i++)
		ret = __vfio_dma_map(b->dev, bar->area_va[i],
				     iova + bar->plan.areas[i].offset,
				     bar->plan.areas[i].size);
	/* Whatever went in comes out again: nothing stays pinned. */
	if (ret && i > 1)
		__vfio_dma_unmap(b->dev, iova, bar->plan.areas[i - 2].offset +
				 bar->plan.areas[i - 2].size);
	return ret;
}

/* The IOMMU's side of the law: its entries for the BAR, area by area. */
static void bar_iommu_entries(struct bench *b, struct cell *c, uint64_t iova)
{
	struct vfio_pci_bar *bar = &b->dev->bars[b->bar];
	int64_t n, sum = 0;
	int i;

	for (i = 0; i < bar->plan.nr_areas; i++) {
		n = __vfio_iommu_entries(b->iommu.pgsizes,
					 iova + bar->plan.areas[i].offset,
					 bar->pa + bar->plan.areas[i].offset,
					 bar->plan.areas[i].size);
		if (n < 0)
			return;
		sum += n;
	}
	c->iommu_entries = sum;
}

static int map_one(struct bench *b, struct cell *c, struct vfio_buffer *buf,
		   void *va, uint64_t iova)
{
	if (c->file)
		return __iommufd_map_file(b->dev, buf->fd, 0, iova, c->size);
	if (c->bar)
		return bar_dma_map(b, iova);
	return __vfio_dma_map(b->dev, va, iova, c->size);
}

static int run_rep(struct bench *b, struct cell *c, uint64_t iova, bool keep)
{
	struct vfio_buffer buf;
	double t0, t1, t2 = 0, t3 = 0, calib;
	void *va;
	int ret, i;

	ret = prepare(b, c, &buf, &va);
	if (ret)
		return is_hugetlb(c) ? -ENOSPC : ret;
	calib = calibrate();
	vfio_fault_counter_start(&b->fc);
	t0 = now();
	ret = map_one(b, c, &buf, va, iova);
	t1 = now();
	vfio_fault_counter_stop(&b->fc);
	/* iommufd refuses to pin a PFNMAP by address, by design. */
	if (ret == -EFAULT && c->bar && strstr(b->mode, "iommufd")) {
		errno = EOPNOTSUPP;
		ret = vfio_set_error("iommufd cannot pin a BAR by address (EFAULT, by design): the dma-buf cell maps it");
	}
	if (!ret) {
		t2 = now();
		ret = __vfio_dma_unmap(b->dev, iova, c->size);
		t3 = now();
	}
	if (!ret)
		ret = check_bar_faults(b, c, b->fc.delta[VFIO_FAULTS_MINFLT]);
	if (!ret && c->bar && !c->file)
		bar_iommu_entries(b, c, iova);
	/* Pinned, the pages exist: a placement that fell back fails. */
	if (!ret && !c->bar) {
		c->measured_node = __vfio_buffer_check_node(&buf, c->node);
		if (c->measured_node < 0 && c->node >= 0)
			ret = c->measured_node;
		c->measured_node = c->measured_node < 0 ? -1 : c->measured_node;
	}
	release(b, c, &buf);
	if (ret || !keep)
		return ret;
	i = c->n++;
	c->map_s[i] = t1 - t0;
	c->unmap_s[i] = t3 - t2;
	c->calib_s[i] = calib;
	c->minflt[i] = b->fc.delta[VFIO_FAULTS_MINFLT];
	c->pmd[i] = b->fc.delta[VFIO_FAULTS_PMD];
	c->pud[i] = b->fc.delta[VFIO_FAULTS_PUD];
	return 0;
}

static void run_cell(struct bench *b, struct cell *c)
{
	uint64_t iova;
	int i, ret;

	ret = vfio_iova_pick(&b->iommu, c->size, SZ_1G, &iova);
	for (i = -b->warmup; !ret && i < b->reps; i++)
		ret = run_rep(b, c, iova, i >= 0);
	if (c->iommu_entries >= 0)
		ksft_print_msg("%s: %lld CPU faults expected, %lld IOMMU entries (page sizes %#llx)\n",
			       c->name, c->want_faults, c->iommu_entries,
			       (unsigned long long)b->iommu.pgsizes);
	c->status = KSFT_PASS;
	if (ret) {
		/* A buffer the machine cannot provide is a skip, not a failure. */
		c->status = ret == -ENOSPC || ret == -EOPNOTSUPP ?
			    KSFT_SKIP : KSFT_FAIL;
		snprintf(c->reason, sizeof(c->reason), "%s", vfio_error());
	}
}

static void summarize_ll(const long long *v, int n, struct vfio_summary *s)
{
	double d[MAX_REPS];
	int i;

	for (i = 0; i < n; i++)
		d[i] = v[i];
	vfio_summarize(d, n, s);
}

static void print_row(const struct cell *c)
{
	struct vfio_summary m, u, f;

	if (c->status == KSFT_SKIP || !c->n) {
		ksft_print_msg("%-38s  %s: %s\n", c->name,
			       c->status == KSFT_SKIP ? "skipped" : "failed",
			       c->reason);
		return;
	}
	vfio_summarize(c->map_s, c->n, &m);
	vfio_summarize(c->unmap_s, c->n, &u);
	summarize_ll(c->minflt, c->n, &f);
	ksft_print_msg("%-38s %3d %10.3f %10.3f %10.3f %8.3f %10.3f %9.0f%s\n",
		       c->name, c->n, m.median * 1e3, m.p90 * 1e3, m.mean * 1e3,
		       m.stddev * 1e3, u.median * 1e3, f.median,
		       c->status == KSFT_FAIL ? "  FAILED" : "");
}

static void print_table(struct bench *b)
{
	double smallest = 0;
	int i;

	ksft_print_msg("%-38s %3s %10s %10s %10s %8s %10s %9s\n", "cell", "n",
		       "map med", "map p90", "map mean", "sd", "unmap med",
		       "faults");
	ksft_print_msg("%-38s %3s %10s %10s %10s %8s %10s %9s\n", "", "",
		       "ms", "ms", "ms", "ms", "ms", "in ioctl");
	for (i = 0; i < b->nr_cells; i++) {
		struct vfio_summary m;

		print_row(&b->cells[i]);
		if (!b->cells[i].n)
			continue;
		vfio_summarize(b->cells[i].map_s, b->cells[i].n, &m);
		if (m.median >= 1e-3 && (!smallest || m.median < smallest))
			smallest = m.median;
	}
	ksft_print_msg("timing overhead: %.0f ns per sample%s", b->overhead_s * 1e9,
		       smallest ? "" : "\n");
	if (smallest)
		printf(", %.4f%% of the fastest cell of 1 ms or more\n",
		       100 * b->overhead_s / smallest);
}

/* Median cost of one timed section with nothing in it. */
static double measure_overhead(void)
{
	double d[MAX_REPS], t0;
	struct vfio_summary s;
	int i;

	for (i = 0; i < MAX_REPS; i++) {
		t0 = now();
		d[i] = now() - t0;
	}
	vfio_summarize(d, MAX_REPS, &s);
	return s.median;
}

static void json_samples(struct json_writer *w, const char *key,
			 const double *v, int n)
{
	int i;

	json_arr_open(w, key);
	for (i = 0; i < n; i++)
		json_num(w, NULL, v[i]);
	json_arr_close(w);
}

static void json_counts(struct json_writer *w, const char *key,
			const long long *v, int n)
{
	int i;

	if (n && v[0] == VFIO_FAULTS_ABSENT) {
		json_null(w, key);
		return;
	}
	json_arr_open(w, key);
	for (i = 0; i < n; i++)
		json_int(w, NULL, v[i]);
	json_arr_close(w);
}

static void json_summary(struct json_writer *w, const char *key,
			 const double *v, int n)
{
	struct vfio_summary s;

	vfio_summarize(v, n, &s);
	json_obj_open(w, key);
	json_num(w, "min", s.min);
	json_num(w, "median", s.median);
	json_num(w, "p90", s.p90);
	json_num(w, "mean", s.mean);
	json_num(w, "stddev", s.stddev);
	json_num(w, "max", s.max);
	json_obj_close(w);
}

static void json_cell(struct json_writer *w, const struct cell *c)
{
	json_obj_open(w, NULL);
	json_str(w, "name", c->name);
	json_str(w, "api", api_name(c->mode));
	json_str(w, "backing", c->bar ? "bar" : vfio_backing_name(c->backing));
	json_str(w, "policy", c->bar ? vfio_map_policy_name(c->policy) : "");
	json_str(w, "state", c->state == FRESH ? "fresh" : "prefaulted");
	json_int(w, "size", c->size);
	json_int(w, "numa_node", c->node);
	json_int(w, "measured_numa_node", c->measured_node);
	json_str(w, "status", c->status == KSFT_PASS ? "ok" :
			      c->status == KSFT_SKIP ? "skip" : "fail");
	json_str(w, "reason", c->reason);
	if (c->want_faults >= 0)
		json_int(w, "expected_faults", c->want_faults);
	else
		json_null(w, "expected_faults");
	if (c->iommu_entries >= 0)
		json_int(w, "expected_iommu_entries", c->iommu_entries);
	else
		json_null(w, "expected_iommu_entries");
	json_samples(w, "map_s", c->map_s, c->n);
	json_samples(w, "unmap_s", c->unmap_s, c->n);
	json_samples(w, "calib_s", c->calib_s, c->n);
	json_counts(w, "minflt", c->minflt, c->n);
	json_counts(w, "pmd_inserts", c->pmd, c->n);
	json_counts(w, "pud_inserts", c->pud, c->n);
	if (c->n) {
		json_summary(w, "map", c->map_s, c->n);
		json_summary(w, "unmap", c->unmap_s, c->n);
	}
	json_obj_close(w);
}

static void json_mode(struct json_writer *w, const struct mode_run *m)
{
	char pgsizes[24];
	int i;

	snprintf(pgsizes, sizeof(pgsizes), "%#llx",
		 (unsigned long long)m->iommu.pgsizes);
	json_obj_open(w, NULL);
	json_str(w, "mode", m->mode);
	json_str(w, "skipped", m->skip);
	json_str(w, "pgsizes", pgsizes);
	json_arr_open(w, "iova_ranges");
	for (i = 0; i < m->iommu.nr_ranges; i++) {
		json_arr_open(w, NULL);
		json_int(w, NULL, m->iommu.ranges[i].start);
		json_int(w, NULL, m->iommu.ranges[i].end);
		json_arr_close(w);
	}
	json_arr_close(w);
	json_obj_close(w);
}

static void json_iommu(struct json_writer *w, const struct bench *b)
{
	int i;

	json_arr_open(w, "iommu");
	for (i = 0; i < b->nr_modes; i++)
		json_mode(w, &b->modes[i]);
	json_arr_close(w);
}

static void json_settings(struct json_writer *w, const struct bench *b)
{
	json_obj_open(w, "settings");
	json_int(w, "reps", b->reps);
	json_int(w, "warmup", b->warmup);
	json_int(w, "size", b->size);
	json_int(w, "numa_node", b->node);
	json_int(w, "remote_numa_node", b->remote);
	json_int(w, "device_numa_node", b->dev_node);
	json_int(w, "bar", b->bar);
	json_num(w, "timing_overhead_s", b->overhead_s);
	json_obj_close(w);
}

/* Write to a temporary file, then rename: never a half-written result. */
static void write_json(const struct bench *b)
{
	struct json_writer w;
	char tmp[4096];
	FILE *f;
	int i;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", b->out, getpid());
	f = fopen(tmp, "w");
	if (!f)
		VFIO_FAIL("cannot write %s: %s", tmp, strerror(errno));
	json_begin(&w, f);
	json_obj_open(&w, NULL);
	json_str(&w, "schema", VFIO_RESULTS_SCHEMA);
	vfio_provenance_write(&w, b->bdf);
	vfio_fault_probe_write(&w, &b->probe);
	json_iommu(&w, b);
	json_settings(&w, b);
	json_arr_open(&w, "cells");
	for (i = 0; i < b->nr_cells; i++)
		json_cell(&w, &b->cells[i]);
	json_arr_close(&w);
	json_obj_close(&w);
	if (fflush(f) || fsync(fileno(f)) || fclose(f) || rename(tmp, b->out)) {
		unlink(tmp);
		VFIO_FAIL("cannot write %s: %s", b->out, strerror(errno));
	}
	ksft_print_msg("results: %s\n", b->out);
}

/*
 * Buffers bound to the device's node (or -N's), this thread on its CPUs,
 * and a remote node for the remote cells; all recorded in the results.
 */
static void place_numa(struct bench *b)
{
	uint64_t nodes;
	int nr = __vfio_numa_nodes(&nodes);

	b->remote = -1;
	if (nr < 0 || __vfio_pci_numa_node(b->bdf, &b->dev_node))
		VFIO_FAIL("NUMA: %s", vfio_error());
	if (b->node < 0)
		b->node = b->dev_node;
	if (b->node < 0) {
		ksft_print_msg("NUMA: the device has no node, buffers not placed\n");
		return;
	}
	if (b->node >= VFIO_NUMA_MAX_NODES || !(nodes & 1ULL << b->node))
		VFIO_FAIL("NUMA node %d has no memory (nodes with memory: %#llx)",
			  b->node, (unsigned long long)nodes);
	if (numa_available() >= 0 && numa_run_on_node(b->node))
		VFIO_FAIL("cannot run on NUMA node %d: %s", b->node, strerror(errno));
	nodes &= ~(1ULL << b->node);
	if (nodes)
		b->remote = __builtin_ctzll(nodes);
	ksft_print_msg("NUMA: device on node %d, buffers on node %d, remote cells on %d\n",
		       b->dev_node, b->node, b->remote);
}

/* Once per run, in the first mode that opens: it is the kernel's. */
static void probe_once(struct bench *b)
{
	if (b->probed)
		return;
	b->probed = true;
	b->probe_ret = vfio_fault_probe_device(b->dev, &b->probe);
	if (b->probe_ret)
		snprintf(b->probe_err, sizeof(b->probe_err), "%s", vfio_error());
	ksft_print_msg("fault probe: %s\n",
		       b->probe_ret ? b->probe_err : b->probe.verdict);
}

/*
 * Open the device in @m's mode; false (with m->skip) if the kernel does
 * not offer it.  A mode that is there but cannot be opened fails the run.
 */
static bool mode_setup(struct bench *b, struct mode_run *m)
{
	int ret = vfio_iommu_mode_offered(m->mode);

	if (ret == -ENODEV) {
		snprintf(m->skip, sizeof(m->skip), "%s", vfio_error());
		return false;
	}
	if (ret)
		VFIO_FAIL("%s", vfio_error());
	b->mode = m->mode;
	b->dev = vfio_pci_device_init(b->bdf, b->mode);
	VFIO_ASSERT_OK(__vfio_iommu_info(b->dev, &m->iommu));
	b->iommu = m->iommu;
	vfio_fault_counter_open(&b->fc);
	b->bar = vfio_pci_largest_bar(b->dev);
	probe_once(b);
	return true;
}

static void mode_teardown(struct bench *b)
{
	vfio_fault_counter_close(&b->fc);
	vfio_pci_device_cleanup(b->dev);
	b->dev = NULL;
}

/* A memory cell on the local node, and one on a remote node if any. */
static void add_placed(struct bench *b, int backing, enum state st)
{
	struct cell *c;

	add_cell(b, false, false, backing, st, b->size);
	if (b->remote < 0)
		return;
	add_cell(b, false, false, backing, st, b->size);
	c = &b->cells[b->nr_cells - 1];
	c->node = b->remote;
	strncat(c->name, "/remote", sizeof(c->name) - strlen(c->name) - 1);
}

static void build_cells(struct bench *b, unsigned int backings,
			unsigned int policies, unsigned int states, bool bar_states)
{
	uint64_t bar_size = b->bar >= 0 ? b->dev->bars[b->bar].size : 0;
	unsigned int bar_st = bar_states ? states : 1U << FRESH;
	int k, s;

	for (k = 0; k < VFIO_BACKING_NR; k++)
		for (s = FRESH; s <= PREFAULTED; s++)
			if ((backings & 1U << k) && (states & 1U << s))
				add_placed(b, k, s);
	/* iommufd maps a memfd by file too, and a BAR only that way. */
	if (native_iommufd(b) && (backings & 1U << VFIO_BACKING_MEMFD))
		add_cell(b, false, true, VFIO_BACKING_MEMFD, FRESH, b->size);
	if (bar_size < SZ_4K)
		return;
	bar_size = align_up(bar_size, SZ_4K);
	if (native_iommufd(b) && policies) {
		add_cell(b, true, true, 0, FRESH, bar_size);
		return;
	}
	for (k = 0; k < VFIO_MAP_NR_POLICIES; k++)
		for (s = FRESH; s <= PREFAULTED; s++)
			if ((policies & 1U << k) && (bar_st & 1U << s))
				add_cell(b, true, false, k, s, bar_size);
}

/* The -m list: every mode must be one the library knows. */
static void parse_modes(struct bench *b, const char *list)
{
	char *copy = strdup(list), *tok, *save = NULL;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const struct vfio_iommu_mode *m = vfio_iommu_mode_get(tok);

		if (!m)
			VFIO_FAIL("%s", vfio_error());
		if (b->nr_modes == MAX_MODES)
			VFIO_FAIL("more than %d IOMMU modes", MAX_MODES);
		b->modes[b->nr_modes++].mode = m->name;
	}
	free(copy);
	if (!b->nr_modes)
		VFIO_FAIL("no IOMMU mode given to -m");
}

static void report(struct bench *b)
{
	int i, skipped = 0;

	for (i = 0; i < b->nr_modes; i++)
		skipped += !!b->modes[i].skip[0];
	/* A point per cell and absent mode, the probe and the leak check. */
	ksft_set_plan(b->nr_cells + skipped + 2);
	if (b->probe_ret || b->probe.style == VFIO_FAULT_STYLE_UNKNOWN)
		ksft_test_result_fail("fault probe: %s\n", b->probe_ret ?
				      b->probe_err : b->probe.verdict);
	else
		ksft_test_result_pass("fault probe\n");
	for (i = 0; i < b->nr_modes; i++)
		if (b->modes[i].skip[0])
			ksft_test_result_skip("%s: %s\n",
					      api_name(b->modes[i].mode),
					      b->modes[i].skip);
	for (i = 0; i < b->nr_cells; i++) {
		struct cell *c = &b->cells[i];

		if (c->status == KSFT_PASS)
			ksft_test_result_pass("%s\n", c->name);
		else if (c->status == KSFT_SKIP)
			ksft_test_result_skip("%s: %s\n", c->name, c->reason);
		else
			ksft_test_result_fail("%s: %s\n", c->name, c->reason);
	}
}

int main(int argc, char *argv[])
{
	static const struct option help[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bench *b = calloc(1, sizeof(*b));
	struct vfio_leak_snapshot before;
	unsigned int backings = (1U << VFIO_BACKING_NR) - 1, states = 3;
	unsigned int policies = 1U << VFIO_MAP_KERNEL | 1U << VFIO_MAP_PA |
				1U << VFIO_MAP_PMD | 1U << VFIO_MAP_4K;
	const char *modes;
	bool bar_states = false;
	int opt, i, ran;

	if (argc > 1 && !strcmp(argv[1], "compare"))
		return vfio_compare_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "export"))
		return vfio_export_main(argc - 1, argv + 1);
	VFIO_ASSERT_NE(b, NULL);
	modes = VFIO_DEFAULT_IOMMU_MODE ",iommufd";
	b->size = 64ULL << 20;
	b->reps = 5;
	b->warmup = 1;
	b->node = -1;
	while ((opt = getopt_long(argc, argv, "m:b:p:S:s:n:w:N:o:h", help,
				  NULL)) != -1) {
		switch (opt) {
		case 'm':
			modes = optarg;
			break;
		case 'b':
			backings = parse_list(optarg, vfio_backing_parse);
			break;
		case 'p':
			policies = parse_list(optarg, vfio_map_policy_parse);
			break;
		case 'S':
			states = parse_list(optarg, parse_state);
			bar_states = true;
			break;
		case 's':
			b->size = parse_size(optarg);
			break;
		case 'n':
			b->reps = parse_int(optarg, "repetitions", 1, MAX_REPS);
			break;
		case 'w':
			b->warmup = parse_int(optarg, "warm-up repetitions", 0,
					      MAX_REPS);
			break;
		case 'N':
			b->node = parse_int(optarg, "NUMA node", -1, MAX_NODE);
			break;
		case 'o':
			b->out = optarg;
			break;
		case 'h':
			print_usage(argv[0], 0);
			break;
		default:	/* getopt() has said what was wrong */
			print_usage(argv[0], KSFT_FAIL);
		}
	}
	parse_modes(b, modes);
	b->bdf = vfio_selftests_get_bdf(&argc, argv);
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", argv[0],
			argv[optind]);
		print_usage(argv[0], KSFT_FAIL);
	}
	/* After the usage checks: a bad option is named before a bad device. */
	vfio_selftests_require_device(b->bdf);
	ksft_print_header();
	VFIO_ASSERT_OK(vfio_leak_snapshot(&before));
	place_numa(b);
	b->overhead_s = measure_overhead();
	for (i = 0, ran = 0; i < b->nr_modes; i++) {
		int first = b->nr_cells, c;

		if (!mode_setup(b, &b->modes[i]))
			continue;
		build_cells(b, backings, policies, states, bar_states);
		for (c = first; c < b->nr_cells; c++)
			run_cell(b, &b->cells[c]);
		mode_teardown(b);
		ran++;
	}
	/* Nothing to measure here at all: the whole run is a SKIP. */
	if (!ran)
		ksft_exit_skip("%s\n", b->modes[0].skip);
	print_table(b);
	report(b);
	if (b->out)
		write_json(b);
	free(b);
	if (vfio_leak_check(&before))
		ksft_test_result_fail("nothing left mapped, open or pinned: %s\n",
				      vfio_error());
	else
		ksft_test_result_pass("nothing left mapped, open or pinned\n");
	ksft_finished();
}
