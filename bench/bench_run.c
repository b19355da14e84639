// SPDX-License-Identifier: GPL-2.0
/*
 * Running a benchmark cell: map its memory or BAR, time MAP_DMA and
 * UNMAP_DMA next to a fixed piece of user-space work, count the faults
 * inside MAP_DMA, and check a fresh BAR's count against the fault probe.
 */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libvfio/assert.h"
#include "bench_run.h"
#include "libvfio/dma.h"
#include "libvfio/fault_expect.h"
#include "libvfio/gup_faults.h"
#include "libvfio/iommu_entries.h"
#include "libvfio/iommufd_ioas.h"
#include "libvfio/mmap.h"
#include "analysis/stats.h"
#include "libvfio/vfio_pci_device.h"
#include "kselftest.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/*
 * A fixed piece of pure user-space work, timed next to every sample
 * (calib_s): how fast the machine ran then.  compare -c divides each
 * sample by its own.
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

double vfio_bench_overhead(void)
{
	double d[VFIO_RESULTS_MAX_REPS], t0;
	struct vfio_summary s;
	int i;

	for (i = 0; i < VFIO_RESULTS_MAX_REPS; i++) {
		t0 = now();
		d[i] = now() - t0;
	}
	vfio_summarize(d, VFIO_RESULTS_MAX_REPS, &s);
	return s.median;
}

/*
 * The device and DMA calls of a run, all here.  File cells get an fd
 * instead of an address: the memfd, or a dma-buf of the BAR exported
 * afresh.
 */
static int prepare(struct vfio_bench_target *t, struct vfio_bench_cell *c,
		   struct vfio_buffer *buf, void **va)
{
	int ret;

	buf->fd = -1;
	*va = NULL;
	if (c->bar && c->file) {
		buf->fd = vfio_pci_dma_buf(t->dev, t->bar, 0, c->size);
		return buf->fd < 0 ? -EOPNOTSUPP : 0;
	}
	if (c->bar) {
		ret = __vfio_pci_bar_map(t->dev, t->bar, c->policy);
		*va = t->dev->bars[t->bar].va;
	} else {
		ret = __vfio_buffer_alloc(buf, c->backing, c->size);
		*va = ret ? NULL : buf->va;
		/* Bound, not preferred: a fallback shows in place_check(). */
		if (!ret && c->node >= 0)
			ret = vfio_buffer_bind(buf, c->node);
		if (ret && *va)		/* bound nowhere: freed, not measured */
			vfio_buffer_free(buf);
	}
	if (!ret && c->state == VFIO_BENCH_PREFAULTED && c->bar)
		vfio_pci_bar_touch(&t->dev->bars[t->bar]);
	else if (!ret && c->state == VFIO_BENCH_PREFAULTED)
		vfio_touch_pages(*va, c->size, true);
	return ret;
}

static void release(struct vfio_bench_target *t, struct vfio_bench_cell *c,
		    struct vfio_buffer *buf)
{
	if (c->bar && c->file)
		close(buf->fd);
	else if (c->bar)
		vfio_pci_bar_unmap(t->dev, t->bar);
	else
		vfio_buffer_free(buf);
}

/* MAP_DMA a mapped BAR area by area (never its gaps), at iova + offset. */
static int bar_dma_map(struct vfio_bench_target *t, uint64_t iova)
{
	struct vfio_pci_bar *bar = &t->dev->bars[t->bar];
	int i, ret = 0;

	for (i = 0; !ret && i < bar->plan.nr_areas; i++)
		ret = __vfio_dma_map(t->iommu, bar->area_va[i],
				     iova + bar->plan.areas[i].offset,
				     bar->plan.areas[i].size);
	/* Whatever went in comes out again: nothing stays pinned. */
	if (ret && i > 1)
		__vfio_dma_unmap(t->iommu, iova, bar->plan.areas[i - 2].offset +
				 bar->plan.areas[i - 2].size, NULL);
	return ret;
}

static int map_one(struct vfio_bench_target *t, struct vfio_bench_cell *c,
		   struct vfio_buffer *buf, void *va, uint64_t iova)
{
	int ret;

	if (c->file)
		return __iommufd_map_file(&t->iommu->ioas, buf->fd, 0, iova, c->size);
	ret = c->bar ? bar_dma_map(t, iova) :
		       __vfio_dma_map(t->iommu, va, iova, c->size);
	/* iommufd refuses to pin a PFNMAP by address, by design. */
	if (ret == -EFAULT && c->bar &&
	    vfio_iommu_mode_uses_iommufd(t->iommu->mode))
		return vfio_err(-EOPNOTSUPP, "iommufd cannot pin a BAR by address (EFAULT, by design): the dma-buf cell maps it");
	return ret;
}

/* A cell times the unmap of all it mapped: less is a failed cell. */
static int unmap_one(struct vfio_bench_target *t, struct vfio_bench_cell *c,
		     uint64_t iova)
{
	uint64_t unmapped;
	int ret;

	ret = __vfio_dma_unmap(t->iommu, iova, c->size, &unmapped);
	if (ret)
		return ret;
	if (unmapped != c->size)
		return vfio_err(-EIO, "UNMAP_DMA at IOVA %#llx: the kernel unmapped %#llx of %#llx bytes",
				(unsigned long long)iova,
				(unsigned long long)unmapped,
				(unsigned long long)c->size);
	return 0;
}

/* Hugetlb pages the machine has not reserved, or a size they cannot hold. */
static bool is_hugetlb(const struct vfio_bench_cell *c)
{
	return !c->bar && (c->backing == VFIO_BACKING_HUGETLB_2M ||
			   c->backing == VFIO_BACKING_HUGETLB_1G);
}

/*
 * A fresh BAR faults inside MAP_DMA as the probe measured this kernel to
 * fault: one per entry its placement allows, or at most one per VMA
 * where the first fault maps the whole VMA.
 */
static int check_bar_faults(struct vfio_bench_target *t,
			    struct vfio_bench_cell *c, long long faults)
{
	struct vfio_pci_bar *bar = &t->dev->bars[t->bar];
	struct vfio_fault_expect e;

	if (!c->bar || c->file || c->state != VFIO_BENCH_FRESH)
		return 0;
	vfio_fault_expect_plan(t->probe, bar->placement.madvise, &bar->plan,
			       bar->area_va, bar->pa, &e);
	if (e.exact) {
		c->res->want_faults = e.faults;
		if (faults < (long long)e.faults || faults > (long long)e.faults + 1)
			return vfio_err(-EIO, "%lld faults inside MAP_DMA, expected %llu for va %p",
					faults, (unsigned long long)e.faults,
					bar->area_va[0]);
	} else if (e.per_vma && faults > (long long)e.faults + 1) {
		return vfio_err(-EIO, "%lld faults inside MAP_DMA, expected at most %llu (one per VMA, whole-VMA population)",
				faults, (unsigned long long)e.faults);
	}
	return 0;
}

/*
 * Fresh memory faults inside MAP_DMA once per page of its backing (a
 * fresh 1 GiB: 262,144 for anon4k, 512 for hugetlb2m, 1 for hugetlb1g),
 * where the kernel counts GUP's faults on that backing at all, as
 * measured (gup_faults.h); "expected %lld" says 0 where it does not.
 * thp is not judged (an allocation may fall back to 4 KiB pages), nor
 * memfd (shmem's page size is the mount's).
 */
static int check_mem_faults(struct vfio_bench_cell *c, long long faults)
{
	long long want;
	int counted;

	if (c->bar || c->file || c->state != VFIO_BENCH_FRESH ||
	    c->backing == VFIO_BACKING_THP || c->backing == VFIO_BACKING_MEMFD)
		return 0;
	/* A kernel whose GUP does not count this backing's faults: none. */
	counted = vfio_gup_faults_counted(c->backing);
	if (counted < 0) {	/* not measured: not judged, and said */
		ksft_print_msg("%s: faults not checked: %s\n", c->res->name,
			       vfio_error());
		return 0;
	}
	want = counted ? c->size / vfio_backing_page_size(c->backing) : 0;
	c->res->want_faults = want;
	if (faults < want || faults > want + 1)
		return vfio_err(-EIO, "%lld faults inside MAP_DMA of fresh %s, expected %lld (one per %llu KiB page)",
				faults, vfio_backing_name(c->backing), want,
				(unsigned long long)(vfio_backing_page_size(c->backing) >> 10));
	return 0;
}

/* The IOMMU's side of the law: its entries for the BAR, area by area. */
static void bar_iommu_entries(struct vfio_bench_target *t,
			      struct vfio_bench_cell *c, uint64_t iova)
{
	struct vfio_pci_bar *bar = &t->dev->bars[t->bar];
	int64_t n, sum = 0;
	int i;

	if (!c->bar || c->file)
		return;
	for (i = 0; i < bar->plan.nr_areas; i++) {
		n = vfio_iommu_entries(t->iommu->info.pgsizes,
				       iova + bar->plan.areas[i].offset,
				       bar->pa + bar->plan.areas[i].offset,
				       bar->plan.areas[i].size);
		if (n < 0)
			return;
		sum += n;
	}
	c->res->iommu_entries = sum;
}

/* Pinned, the pages exist: a placement that fell back fails the cell. */
static int place_check(struct vfio_bench_cell *c,
		       const struct vfio_buffer *buf)
{
	int node;

	if (c->bar)
		return 0;
	node = vfio_buffer_check_node(buf, c->node);
	c->res->measured_node = node < 0 ? -1 : node;
	return c->node >= 0 && node < 0 ? node : 0;
}

static void keep_sample(struct vfio_bench_target *t, struct vfio_cell_result *r,
			const double *times)
{
	int i = r->n++;

	r->s[VFIO_SERIES_MAP][i] = times[1] - times[0];
	r->s[VFIO_SERIES_UNMAP][i] = times[3] - times[2];
	r->s[VFIO_SERIES_CALIB][i] = times[4];
	r->s[VFIO_SERIES_MINFLT][i] = t->fc.delta[VFIO_FAULTS_MINFLT];
	r->s[VFIO_SERIES_PMD][i] = t->fc.delta[VFIO_FAULTS_PMD];
	r->s[VFIO_SERIES_PUD][i] = t->fc.delta[VFIO_FAULTS_PUD];
	r->s[VFIO_SERIES_PINS][i] = t->wc.delta[VFIO_WORK_PINS];
	r->s[VFIO_SERIES_IOMMU_MAPS][i] = t->wc.delta[VFIO_WORK_IOMMU_MAPS];
	r->s[VFIO_SERIES_KINSNS][i] = t->wc.delta[VFIO_WORK_KINSNS];
}

/* Time the map and unmap of a prepared @buf, then judge what they did. */
static int measure(struct vfio_bench_target *t, struct vfio_bench_cell *c,
		   struct vfio_buffer *buf, void *va, uint64_t iova,
		   double times[5])
{
	int ret;

	times[4] = calibrate();
	vfio_counters_start(&t->fc);
	vfio_counters_start(&t->wc);
	times[0] = now();
	ret = map_one(t, c, buf, va, iova);
	times[1] = now();
	vfio_counters_stop(&t->wc);
	vfio_counters_stop(&t->fc);
	if (ret)
		return ret;
	times[2] = now();
	ret = unmap_one(t, c, iova);
	times[3] = now();
	if (ret)
		return ret;
	ret = check_bar_faults(t, c, t->fc.delta[VFIO_FAULTS_MINFLT]) ?:
	      check_mem_faults(c, t->fc.delta[VFIO_FAULTS_MINFLT]);
	if (ret)
		return ret;
	bar_iommu_entries(t, c, iova);
	return place_check(c, buf);
}

/*
 * Prefaulted memory stays prefaulted after an unmap: one buffer, touched
 * once, serves every repetition (zeroing 1 GiB costs seconds under TCG).
 */
static bool keeps_buffer(const struct vfio_bench_cell *c)
{
	return !c->bar && c->state == VFIO_BENCH_PREFAULTED;
}

/* One repetition; @held is a kept buffer (keeps_buffer()), else NULL. */
static int run_rep(struct vfio_bench_target *t, struct vfio_bench_cell *c,
		   uint64_t iova, bool keep, struct vfio_buffer *held)
{
	double times[5] = { 0 };	/* map t0, t1, unmap t0, t1, calib */
	struct vfio_buffer buf;
	void *va;
	int ret;

	if (held) {
		ret = measure(t, c, held, held->va, iova, times);
	} else {
		ret = prepare(t, c, &buf, &va);
		if (ret)
			return is_hugetlb(c) ? -ENOSPC : ret;
		ret = measure(t, c, &buf, va, iova, times);
		release(t, c, &buf);
	}
	if (!ret && keep)
		keep_sample(t, c->res, times);
	return ret;
}

static int run_reps(struct vfio_bench_target *t, struct vfio_bench_cell *c,
		    uint64_t iova)
{
	struct vfio_buffer buf, *held = NULL;
	void *va;
	int i, ret = 0;

	if (keeps_buffer(c)) {
		ret = prepare(t, c, &buf, &va);
		if (ret)
			return is_hugetlb(c) ? -ENOSPC : ret;
		held = &buf;
	}
	for (i = -t->warmup; !ret && i < t->reps; i++)
		ret = run_rep(t, c, iova, i >= 0, held);
	if (held)
		release(t, c, held);
	return ret;
}

void vfio_bench_run_cell(struct vfio_bench_target *t, struct vfio_bench_cell *c)
{
	struct vfio_cell_result *r = c->res;
	uint64_t iova;
	int ret;

	ret = __vfio_iova_pick(&t->iommu->info, c->size, SZ_1G, &iova) ?:
	      run_reps(t, c, iova);
	if (r->iommu_entries >= 0)
		ksft_print_msg("%s: %lld CPU faults expected, %lld IOMMU entries (page sizes %#llx)\n",
			       r->name, r->want_faults, r->iommu_entries,
			       (unsigned long long)t->iommu->info.pgsizes);
	r->status = VFIO_CELL_OK;
	if (ret) {
		/* A buffer the machine cannot provide is a skip, not a failure. */
		r->status = ret == -ENOSPC || ret == -EOPNOTSUPP ?
			    VFIO_CELL_SKIP : VFIO_CELL_FAIL;
		snprintf(r->reason, sizeof(r->reason), "%s", vfio_error());
	}
}
