// SPDX-License-Identifier: GPL-2.0
/*
 * The fault probe: map small windows of a region at chosen placements,
 * count the faults touching them takes, and tell which fault model the
 * kernel follows.  See libvfio/fault_probe.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "libvfio/assert.h"
#include "libvfio/fault_law.h"
#include "libvfio/fault_probe.h"
#include "libvfio/faults.h"
#include "libvfio/largest_bar.h"
#include "libvfio/map_policy.h"
#include "libvfio/mmap.h"
#include "libvfio/page_levels.h"
#include "libvfio/pt_evidence.h"
#include "libvfio/sparse_plan.h"
#include "libvfio/thp.h"
#include "libvfio/vfio_pci_device.h"

/* Base pages in the window that tells whole-VMA population from per-page. */
#define STYLE_PAGES 16
/*
 * PMDs in the window that tells, after a base-page window was populated
 * at once, whether huge entries are too: 1-2 faults for one population,
 * one per PMD otherwise; below 3 PMDs the two read the same.
 */
#define MIXED_PMDS 4

static const char * const advice_names[VFIO_ADVICE_NR] = {
	[VFIO_ADVICE_NONE] = "without advice",
	[VFIO_ADVICE_HUGE] = "with MADV_HUGEPAGE",
	[VFIO_ADVICE_NOHUGE] = "with MADV_NOHUGEPAGE",
};

static const int advice_values[VFIO_ADVICE_NR] = {
	[VFIO_ADVICE_NONE] = 0,
	[VFIO_ADVICE_HUGE] = MADV_HUGEPAGE,
	[VFIO_ADVICE_NOHUGE] = MADV_NOHUGEPAGE,
};

enum vfio_advice vfio_advice_of(int madvise)
{
	if (madvise == MADV_HUGEPAGE)
		return VFIO_ADVICE_HUGE;
	return madvise == MADV_NOHUGEPAGE ? VFIO_ADVICE_NOHUGE : VFIO_ADVICE_NONE;
}

/* Map [off, off + len) of @r where @pl puts it, advised @advice. */
static int window_map_at(const struct vfio_probe_region *r,
			 const struct vfio_placement *pl, uint64_t off,
			 uint64_t len, enum vfio_advice advice, void **va)
{
	void *base;
	int ret;

	base = mmap_reserve(len, pl->align, pl->phase);
	if (base == MAP_FAILED)
		return -errno;
	*va = mmap(base, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		   r->fd, r->fd_offset + off);
	if (*va == MAP_FAILED) {
		ret = vfio_err(-errno, "fault probe: mmap of %#llx bytes at offset %#llx: %s",
			       (unsigned long long)len,
			       (unsigned long long)(r->fd_offset + off),
			       strerror(errno));
		munmap(base, len);
		return ret;
	}
	ret = vfio_thp_advise(*va, len, advice_values[advice]);
	if (ret)
		munmap(*va, len);
	return ret;
}

/* Map [off, off + len) of @r where @policy puts it, advised @advice. */
static int window_map(const struct vfio_probe_region *r,
		      enum vfio_map_policy policy, uint64_t off, uint64_t len,
		      enum vfio_advice advice, void **va)
{
	struct vfio_placement pl;
	int ret;

	ret = __vfio_map_policy_place(policy, r->size, r->pa, off, len, &pl);
	return ret ? ret : window_map_at(r, &pl, off, len, advice, va);
}

/* Touch [va, va + len) and add what the counters saw to @w. */
static void window_touch(struct vfio_counters *fc, uint8_t *va,
			 uint64_t len, bool write, long long *faults,
			 struct vfio_probe_window *w)
{
	long long *d = fc->delta;

	vfio_counters_start(fc);
	vfio_touch_pages(va, len, write);
	vfio_counters_stop(fc);
	*faults = d[VFIO_FAULTS_PERF];
	if (w->pmd != VFIO_FAULTS_ABSENT && d[VFIO_FAULTS_PMD] != VFIO_FAULTS_ABSENT)
		w->pmd += d[VFIO_FAULTS_PMD];
	else
		w->pmd = VFIO_FAULTS_ABSENT;
	if (w->pud != VFIO_FAULTS_ABSENT && d[VFIO_FAULTS_PUD] != VFIO_FAULTS_ABSENT)
		w->pud += d[VFIO_FAULTS_PUD];
	else
		w->pud = VFIO_FAULTS_ABSENT;
}

/* Map a window where @pl puts it, touch its first page, then the rest. */
static int window_measure_at(const struct vfio_probe_region *r,
			     struct vfio_counters *fc,
			     const struct vfio_placement *pl, uint64_t off,
			     uint64_t len, enum vfio_advice advice,
			     struct vfio_probe_window *w)
{
	uint64_t page = vfio_page_size();
	void *va;
	int ret;

	memset(w, 0, sizeof(*w));
	if (r->reset && r->reset(r))
		return vfio_err(-errno, "fault probe: resetting the region: %s",
				strerror(errno));
	ret = window_map_at(r, pl, off, len, advice, &va);
	if (ret)
		return ret;
	w->va = (uintptr_t)va;
	w->pa = r->pa + off;
	w->len = len;
	window_touch(fc, va, page, r->write, &w->first, w);
	window_touch(fc, (uint8_t *)va + page, len - page, r->write, &w->rest,
		     w);
	munmap(va, len);
	if (w->first == VFIO_FAULTS_ABSENT || w->rest == VFIO_FAULTS_ABSENT)
		return vfio_err(-ENOTSUP, "fault probe: no page-fault counter: %s",
				fc->why[VFIO_FAULTS_PERF]);
	return 0;
}

/* The first @len bytes of @r, placed by @policy, measured. */
static int window_measure(const struct vfio_probe_region *r,
			  struct vfio_counters *fc,
			  enum vfio_map_policy policy, uint64_t len,
			  enum vfio_advice advice, struct vfio_probe_window *w)
{
	struct vfio_placement pl;
	int ret;

	ret = __vfio_map_policy_place(policy, r->size, r->pa, 0, len, &pl);
	return ret ? ret : window_measure_at(r, fc, &pl, 0, len, advice, w);
}

/* One fault of slack anywhere: the touch loop's own first use. */
bool vfio_probe_populated(const struct vfio_probe_window *w)
{
	return w->first >= 1 && w->first <= 2 && w->rest <= 1;
}

enum vfio_fault_style vfio_probe_style(const struct vfio_probe_window *w)
{
	long long pages = w->len / vfio_page_size();

	if (pages < 4 || w->first < 1 || w->first > 2)
		return VFIO_FAULT_STYLE_UNKNOWN;
	if (vfio_probe_populated(w))
		return VFIO_FAULT_STYLE_WHOLE_VMA;
	if (w->rest >= pages - 1 && w->rest <= pages)
		return VFIO_FAULT_STYLE_PER_ENTRY;
	return VFIO_FAULT_STYLE_UNKNOWN;
}

uint64_t vfio_probe_block(const struct vfio_probe_window *w, uint64_t lo,
			  uint64_t hi)
{
	const uint64_t blocks[] = { hi, lo };
	long long total = w->first + w->rest, want;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(blocks); i++) {
		want = vfio_expected_faults(w->va, w->pa, w->len, blocks[i], NULL);
		if (total >= want && total <= want + 1)
			return blocks[i];
	}
	return 0;
}

uint64_t vfio_cont_runs(uint64_t va, uint64_t pa, uint64_t len, uint64_t cont)
{
	uint64_t start, end;

	if (!cont || ((va ^ pa) & (cont - 1)))
		return 0;
	start = align_up(va, cont);
	end = (va + len) & ~(cont - 1);
	return end > start ? (end - start) / cont : 0;
}

uint64_t vfio_cont_faults(uint64_t va, uint64_t pa, uint64_t len,
			  uint64_t cont)
{
	uint64_t page = vfio_page_size();
	uint64_t runs = vfio_cont_runs(va, pa, len, cont);

	return runs + (align_up(len, page) - runs * cont) / page;
}

int vfio_probe_cont_window(uint64_t region_size, uint64_t pa, uint64_t cont,
			   uint64_t *off, uint64_t *len,
			   struct vfio_placement *pl)
{
	uint64_t pmd = vfio_pmd_size();

	*off = align_up(pa, cont) - pa;
	*len = VFIO_CONT_RUNS * cont;
	if (!cont || cont >= pmd || *off > region_size ||
	    *len > region_size - *off)
		return -ENOSPC;
	/* One run off modulo the PMD: congruent for runs, not for a PMD. */
	pl->align = pmd;
	pl->phase = (pa + *off + cont) & (pmd - 1);
	pl->madvise = 0;
	return 0;
}

/* Like vfio_probe_style, with runs for pages: one fault each, slack one. */
enum vfio_cont_fill vfio_probe_cont(const struct vfio_probe_window *w,
				    uint64_t cont)
{
	long long runs = vfio_cont_runs(w->va, w->pa, w->len, cont);
	long long pages = w->len / vfio_page_size();
	long long total = w->first + w->rest;
	long long by_run = vfio_cont_faults(w->va, w->pa, w->len, cont);

	if (runs < 3 || w->first < 1 || w->first > 2)
		return VFIO_CONT_NEITHER;
	if (total >= pages && total <= pages + 1)
		return VFIO_CONT_PER_PAGE;
	/* A later run each: one population would leave the rest at 0-1. */
	if (total >= by_run && total <= by_run + 1 && w->rest >= runs - 1)
		return VFIO_CONT_PER_RUN;
	return VFIO_CONT_NEITHER;
}

void vfio_kprobe_judge(struct vfio_kprobe_level *k, long long seen,
		       unsigned long long law)
{
	enum vfio_kprobe_state st = VFIO_KPROBE_DISAGREE;

	if (seen == VFIO_FAULTS_ABSENT)
		st = VFIO_KPROBE_ABSENT;
	else if (seen == (long long)law)
		st = VFIO_KPROBE_AGREE;
	else if (!seen)
		st = VFIO_KPROBE_ZERO;
	if (st <= k->state)
		return;
	k->state = st;
	k->seen = seen;
	k->law = law;
}

/*
 * kprobes, where they count, should see the entries the law says; what
 * they saw is kept level by level (p->kprobe), never held against the
 * fault counts, which are the measurement.
 */
static void check_kprobes(const struct vfio_probe_region *r,
			  const struct vfio_counters *fc,
			  const struct vfio_probe_window *w, uint64_t block,
			  struct vfio_fault_probe *p)
{
	const int src[VFIO_KPROBE_NR] = { VFIO_FAULTS_PMD, VFIO_FAULTS_PUD };
	struct vfio_fault_law law;
	int i;

	if (!r->pfnmap)
		return;
	vfio_expected_faults(w->va, w->pa, w->len, block, &law);
	vfio_kprobe_judge(&p->kprobe[VFIO_KPROBE_PMD], w->pmd, law.pmd);
	vfio_kprobe_judge(&p->kprobe[VFIO_KPROBE_PUD], w->pud, law.pud);
	for (i = 0; i < VFIO_KPROBE_NR; i++)
		if (fc->fd[src[i]] < 0)
			snprintf(p->kprobe[i].why, sizeof(p->kprobe[i].why),
				 "%s", fc->why[src[i]]);
}

static const char * const kprobe_level_names[VFIO_KPROBE_NR] = {
	"PMD", "PUD",
};

int vfio_fault_probe_kprobes(const struct vfio_fault_probe *p, char *out,
			     size_t len)
{
	const struct vfio_kprobe_level *k = &p->kprobe[VFIO_KPROBE_PMD];
	const char *name = kprobe_level_names[VFIO_KPROBE_PMD];

	if (p->kprobe[VFIO_KPROBE_PUD].state > k->state) {
		k = &p->kprobe[VFIO_KPROBE_PUD];
		name = kprobe_level_names[VFIO_KPROBE_PUD];
	}
	switch (k->state) {
	case VFIO_KPROBE_AGREE:
		snprintf(out, len, "kprobes on PMD/PUD inserts agree with the fault counts");
		return 0;
	case VFIO_KPROBE_DISAGREE:
		snprintf(out, len, "kprobes: %s counted %lld inserts, the fault counts say %llu",
			 name, k->seen, k->law);
		return -EPROTO;
	case VFIO_KPROBE_ZERO:
		snprintf(out, len, "kprobes: %s attached, counted 0 inserts, the fault counts say %llu: inserted another way",
			 name, k->law);
		return -ENODATA;
	case VFIO_KPROBE_ABSENT:
		snprintf(out, len, "kprobes: %s could not attach: %s", name,
			 k->why[0] ? k->why : "no reason given");
		return -ENOENT;
	default:
		snprintf(out, len, "kprobes: no window of a PFN map asked them");
		return -ENOENT;
	}
}

/*
 * A count that fits no level may be one fault per contiguous-PTE run, a
 * hint the law has no level for: the failed verdict says so.
 */
static const char *cont_hint(const struct vfio_probe_window *w)
{
	uint64_t cont = vfio_cont_pte_size();
	long long want = vfio_cont_faults(w->va, w->pa, w->len, cont);
	long long total = w->first + w->rest;

	if (!vfio_cont_runs(w->va, w->pa, w->len, cont) || total < want ||
	    total > want + 1)
		return "";
	return "; that is one per contiguous-PTE run, which the law does not model";
}

/*
 * One level: a window the law splits differently at @lo and @hi.
 * Leaves *block at the level seen, or 0 with the verdict saying why.
 */
static int probe_level(const struct vfio_probe_region *r,
		       struct vfio_counters *fc, enum vfio_map_policy policy,
		       uint64_t len, enum vfio_advice adv, uint64_t lo,
		       uint64_t hi, uint64_t *block, struct vfio_fault_probe *p)
{
	struct vfio_probe_window w;
	int ret;

	ret = window_measure(r, fc, policy, len, adv, &w);
	if (ret)
		return ret;
	*block = vfio_probe_block(&w, lo, hi);
	/* Mixed: where only base-page entries went in, one population. */
	if (!*block && p->style == VFIO_FAULT_STYLE_MIXED &&
	    lo == vfio_page_size() && vfio_probe_populated(&w))
		*block = lo;
	if (*block) {
		check_kprobes(r, fc, &w, *block, p);
		return 0;
	}
	snprintf(p->verdict, sizeof(p->verdict),
		 "a %#llx-byte window %s took %lld faults: the law says %llu for %s entries, %llu for %s%s",
		 (unsigned long long)len, advice_names[adv], w.first + w.rest,
		 (unsigned long long)vfio_expected_faults(w.va, w.pa, len, hi, NULL),
		 vfio_level_name(hi),
		 (unsigned long long)vfio_expected_faults(w.va, w.pa, len, lo, NULL),
		 vfio_level_name(lo), cont_hint(&w));
	return 0;
}

/*
 * The PMD level's window: two PMDs, or as many as tell one population
 * from an entry per PMD on a mixed kernel (MIXED_PMDS).
 */
static uint64_t pmd_window(const struct vfio_probe_region *r,
			   const struct vfio_fault_probe *p)
{
	uint64_t pmd = vfio_pmd_size(), len = r->size & ~(pmd - 1);
	uint64_t want = p->style == VFIO_FAULT_STYLE_MIXED ? MIXED_PMDS : 2;

	return len < want * pmd ? len : want * pmd;
}

/* The largest entry the kernel inserts under @adv, up to p->testable. */
static int probe_advice(const struct vfio_probe_region *r,
			struct vfio_counters *fc, enum vfio_advice adv,
			struct vfio_fault_probe *p)
{
	uint64_t page = vfio_page_size(), pmd = vfio_pmd_size();
	uint64_t pud = vfio_pud_size(), block = page, len;
	int ret;

	if (p->testable >= pmd) {
		ret = probe_level(r, fc, VFIO_MAP_PMD, pmd_window(r, p), adv,
				  page, pmd, &block, p);
		if (ret)
			return ret;
	}
	if (block == pmd && p->testable >= pud) {
		len = r->size < pud + pmd ? pud : pud + pmd;
		ret = probe_level(r, fc, VFIO_MAP_PA, len, adv, pmd, pud,
				  &block, p);
		if (ret)
			return ret;
	}
	p->max_block[adv] = block;
	if (!block)
		p->style = VFIO_FAULT_STYLE_UNKNOWN;
	return 0;
}

/* Whole-VMA population: only the page tables can show the entry size. */
static void probe_ptdump(const struct vfio_probe_region *r,
			 struct vfio_fault_probe *p)
{
	uint64_t pmd = vfio_pmd_size();
	uint64_t len = r->size < 2 * pmd ? r->size : 2 * pmd;
	const uint64_t blocks[] = { pmd, vfio_page_size() };
	struct vfio_fault_law seen, want;
	size_t i;
	void *va;

	snprintf(p->evidence, sizeof(p->evidence), "no PTDUMP");
	if (len < pmd || (r->reset && r->reset(r)) || window_map(r, VFIO_MAP_PMD, 0, len, VFIO_ADVICE_HUGE, &va))
		return;
	vfio_touch_pages(va, blocks[1], r->write);
	if (!vfio_ptdump_count((uintptr_t)va, (uintptr_t)va + len, &seen)) {
		snprintf(p->evidence, sizeof(p->evidence),
			 "PTDUMP: %llu PMD + %llu PTE entries, no known size",
			 (unsigned long long)seen.pmd, (unsigned long long)seen.pte);
		for (i = 0; i < ARRAY_SIZE(blocks); i++) {
			vfio_expected_faults((uintptr_t)va, r->pa, len, blocks[i], &want);
			if (!memcmp(&want, &seen, sizeof(want)))
				p->pt_block = blocks[i];
		}
		if (p->pt_block)
			snprintf(p->evidence, sizeof(p->evidence),
				 "PTDUMP shows %s entries", vfio_level_name(p->pt_block));
	}
	munmap(va, len);
}

/* A region smaller than a level cannot show it: say which. */
static const char *too_small(const struct vfio_fault_probe *p)
{
	if (p->testable < vfio_pmd_size())
		return " (region too small to show PMD)";
	return p->testable < vfio_pud_size() ?
	       " (region too small to show PUD)" : "";
}

/* The verdict; contiguous PTEs before the evidence, which may be cut. */
static void compose_verdict(struct vfio_fault_probe *p)
{
	char *v = p->verdict, cont[sizeof(p->cont) + 2] = "";
	size_t n = sizeof(p->verdict);

	if (p->cont[0])
		snprintf(cont, sizeof(cont), "; %s", p->cont);
	if (p->style == VFIO_FAULT_STYLE_MIXED)
		snprintf(v, n, "mixed: a %s fault populates the whole VMA, huge entries one fault each; largest: %s %s, %s %s, %s %s%s; THP %s; %s",
			 vfio_level_name(vfio_page_size()),
			 vfio_level_name(p->max_block[VFIO_ADVICE_HUGE]),
			 advice_names[VFIO_ADVICE_HUGE],
			 vfio_level_name(p->max_block[VFIO_ADVICE_NONE]),
			 advice_names[VFIO_ADVICE_NONE],
			 vfio_level_name(p->max_block[VFIO_ADVICE_NOHUGE]),
			 advice_names[VFIO_ADVICE_NOHUGE], cont, p->thp,
			 p->evidence);
	else if (p->style == VFIO_FAULT_STYLE_WHOLE_VMA)
		snprintf(v, n, "whole-VMA population: the first fault maps the whole VMA, so faults cannot show the page size (%s)%s; THP %s",
			 p->evidence, cont, p->thp);
	else if (p->style == VFIO_FAULT_STYLE_PER_ENTRY)
		snprintf(v, n, "one fault per entry; largest: %s %s, %s %s, %s %s%s%s; THP %s; %s",
			 vfio_level_name(p->max_block[VFIO_ADVICE_HUGE]),
			 advice_names[VFIO_ADVICE_HUGE],
			 vfio_level_name(p->max_block[VFIO_ADVICE_NONE]),
			 advice_names[VFIO_ADVICE_NONE],
			 vfio_level_name(p->max_block[VFIO_ADVICE_NOHUGE]),
			 advice_names[VFIO_ADVICE_NOHUGE],
			 too_small(p), cont, p->thp, p->evidence);
}

static void kprobe_evidence(const struct vfio_probe_region *r,
			    struct vfio_fault_probe *p)
{
	if (!r->pfnmap) {
		snprintf(p->evidence, sizeof(p->evidence), "no PFN map: no kprobe evidence");
		return;
	}
	/* The line may be cut here: kprobe_evidence's test prints it whole. */
	vfio_fault_probe_kprobes(p, p->evidence, sizeof(p->evidence));
}

static int probe_style(const struct vfio_probe_region *r,
		       struct vfio_counters *fc, struct vfio_fault_probe *p)
{
	uint64_t page = vfio_page_size(), size = align_up(r->size, page);
	struct vfio_probe_window w;
	int ret;

	ret = window_measure(r, fc, VFIO_MAP_4K,
			     size < STYLE_PAGES * page ? size : STYLE_PAGES * page,
			     VFIO_ADVICE_NONE, &w);
	if (ret)
		return ret;
	p->style = vfio_probe_style(&w);
	if (p->style == VFIO_FAULT_STYLE_UNKNOWN)
		snprintf(p->verdict, sizeof(p->verdict),
			 "a %llu-page window took %lld faults on its first page, %lld on the rest: neither whole-VMA population nor one fault per page",
			 (unsigned long long)(w.len / page), w.first, w.rest);
	return 0;
}

/*
 * A base-page window populated at once says how base-page faults go,
 * not huge ones: a window of MIXED_PMDS PMDs at a PMD-congruent placement, advised
 * huge, is one population too (whole VMA), or an entry per fault (mixed).
 */
static int probe_huge_style(const struct vfio_probe_region *r,
			    struct vfio_counters *fc,
			    struct vfio_fault_probe *p)
{
	uint64_t pmd = vfio_pmd_size(), len = r->size & ~(pmd - 1);
	struct vfio_probe_window w;
	int ret;

	if (len > MIXED_PMDS * pmd)
		len = MIXED_PMDS * pmd;
	if (len < 3 * pmd)
		return 0;
	ret = window_measure(r, fc, VFIO_MAP_PMD, len, VFIO_ADVICE_HUGE, &w);
	if (ret || vfio_probe_populated(&w))
		return ret;
	if (vfio_probe_block(&w, vfio_page_size(), pmd) == pmd) {
		p->style = VFIO_FAULT_STYLE_MIXED;
		return 0;
	}
	p->style = VFIO_FAULT_STYLE_UNKNOWN;
	snprintf(p->verdict, sizeof(p->verdict),
		 "a %s window was populated at once, a %llu-PMD window at a PMD-congruent address took %lld faults: neither one population nor one per PMD",
		 vfio_level_name(vfio_page_size()),
		 (unsigned long long)(len / pmd), w.first + w.rest);
	return 0;
}

/* What one window of runs showed, in words, into @out. */
static void cont_describe(const struct vfio_probe_window *w, uint64_t cont,
			  char *out, size_t len)
{
	unsigned long long per_run = cont / vfio_page_size();

	switch (vfio_probe_cont(w, cont)) {
	case VFIO_CONT_PER_PAGE:
		snprintf(out, len, "one fault per base page (%llu per run)",
			 per_run);
		break;
	case VFIO_CONT_PER_RUN:
		snprintf(out, len, "one fault per run: populated as a run");
		break;
	default:
		snprintf(out, len, "%lld faults in %d runs", w->first + w->rest,
			 VFIO_CONT_RUNS);
	}
}

/*
 * Touch a window of runs under MADV_HUGEPAGE, then without advice, into
 * @what; 0, or -errno with vfio_error() when a window could not be mapped.
 */
static int cont_measure(const struct vfio_probe_region *r,
			struct vfio_counters *fc, uint64_t cont,
			char what[][64])
{
	static const enum vfio_advice advs[] = {
		VFIO_ADVICE_HUGE, VFIO_ADVICE_NONE,
	};
	struct vfio_probe_window w;
	struct vfio_placement pl;
	uint64_t off, len;
	size_t i;
	int ret;

	ret = vfio_probe_cont_window(r->size, r->pa, cont, &off, &len, &pl);
	if (ret)
		return vfio_err(ret, "region too small for %d runs",
				VFIO_CONT_RUNS);
	for (i = 0; i < ARRAY_SIZE(advs); i++) {
		ret = window_measure_at(r, fc, &pl, off, len, advs[i], &w);
		if (ret)
			return ret;
		cont_describe(&w, cont, what[i], sizeof(what[i]));
	}
	return 0;
}

/*
 * arm64's contiguous PTEs, reported only: whether a base-page fault fills
 * a whole run where one fits.  Nothing promises it for a PFN map
 * (vfio-pci's huge_fault takes PMD and PUD orders; the kernel folds runs
 * of folios, and contpte_try_fold skips special PTEs): it is measured.
 * Where one fault populates the whole VMA, faults cannot show runs.
 */
static void probe_cont(const struct vfio_probe_region *r,
		       struct vfio_counters *fc, struct vfio_fault_probe *p)
{
	uint64_t cont = vfio_cont_pte_size();
	char what[2][64], sz[16], *c = p->cont;
	size_t n = sizeof(p->cont);

	if (!cont)
		return;
	vfio_size_name(cont, sz, sizeof(sz));
	if (p->style != VFIO_FAULT_STYLE_PER_ENTRY)
		snprintf(c, n, "contiguous PTEs (%s): not measured: a base-page fault populates the whole VMA",
			 sz);
	else if (cont_measure(r, fc, cont, what))
		snprintf(c, n, "contiguous PTEs (%s): not measured: %s", sz,
			 vfio_error());
	else if (!strcmp(what[0], what[1]))
		snprintf(c, n, "contiguous PTEs (%s): %s, with MADV_HUGEPAGE and without advice",
			 sz, what[0]);
	else
		snprintf(c, n, "contiguous PTEs (%s): %s %s, %s %s", sz, what[0],
			 advice_names[VFIO_ADVICE_HUGE], what[1],
			 advice_names[VFIO_ADVICE_NONE]);
}

static bool per_fault(const struct vfio_fault_probe *p)
{
	return p->style == VFIO_FAULT_STYLE_PER_ENTRY ||
	       p->style == VFIO_FAULT_STYLE_MIXED;
}

/* The probe's steps in order; the first that fails ends it. */
static int probe_steps(const struct vfio_probe_region *r,
		       struct vfio_counters *fc, struct vfio_fault_probe *p)
{
	int adv, ret;

	ret = probe_style(r, fc, p);
	if (!ret && p->style == VFIO_FAULT_STYLE_WHOLE_VMA)
		ret = probe_huge_style(r, fc, p);
	if (ret)
		return ret;
	if (p->style == VFIO_FAULT_STYLE_WHOLE_VMA)
		probe_ptdump(r, p);
	/* A level that fits no law ends the probe's use: style UNKNOWN. */
	for (adv = 0; adv < VFIO_ADVICE_NR && per_fault(p); adv++) {
		ret = probe_advice(r, fc, adv, p);
		if (ret)
			return ret;
	}
	if (per_fault(p))
		kprobe_evidence(r, p);
	if (p->style != VFIO_FAULT_STYLE_UNKNOWN)
		probe_cont(r, fc, p);
	return 0;
}

/* Half a probe predicts nothing: no expectation may rest on it. */
static int probe_failed(struct vfio_fault_probe *p, int ret)
{
	p->style = VFIO_FAULT_STYLE_UNKNOWN;
	snprintf(p->verdict, sizeof(p->verdict), "probe failed: %s", vfio_error());
	return ret;
}

int __vfio_fault_probe_region(const struct vfio_probe_region *r,
			      struct vfio_fault_probe *p)
{
	struct vfio_counters fc;
	int ret;

	memset(p, 0, sizeof(*p));
	__vfio_thp_mode(p->thp, sizeof(p->thp));
	p->testable = vfio_fault_block_max(~0ULL, r->size);
	vfio_fault_counter_open(&fc);
	/* The touch loop's first use costs a fault: take it here. */
	vfio_touch_pages(&fc, sizeof(fc), false);
	ret = probe_steps(r, &fc, p);
	vfio_counters_close(&fc);
	if (ret)
		return probe_failed(p, ret);
	compose_verdict(p);
	return 0;
}

void vfio_fault_probe_region(const struct vfio_probe_region *r,
			     struct vfio_fault_probe *p)
{
	VFIO_ASSERT_OK(__vfio_fault_probe_region(r, p));
}

/* @dev's largest mmappable BAR, its largest area if sparse, as a region. */
static int device_region(struct vfio_pci_device *dev,
			 struct vfio_probe_region *r)
{
	int bar = vfio_pci_largest_bar(dev);
	struct vfio_range area;
	uint64_t len;
	int ret;

	if (bar < 0)
		return vfio_err(-ENOENT, "fault probe: %s has no mmappable BAR",
				dev->bdf);
	ret = __vfio_pci_bar_pa(dev->bdf, bar, &r->pa, &len);
	if (ret)
		return ret;
	area = vfio_bar_largest_area(&dev->bars[bar]);
	r->fd_offset = dev->bars[bar].offset + area.offset;
	r->pa += area.offset;
	r->size = area.size;
	return 0;
}

int __vfio_fault_probe_device(struct vfio_pci_device *dev,
			      struct vfio_fault_probe *p)
{
	struct vfio_probe_region r = { .fd = dev->fd, .pfnmap = true };
	int ret = device_region(dev, &r);

	if (ret) {
		memset(p, 0, sizeof(*p));
		return probe_failed(p, ret);
	}
	return __vfio_fault_probe_region(&r, p);
}

void vfio_fault_probe_device(struct vfio_pci_device *dev,
			     struct vfio_fault_probe *p)
{
	VFIO_ASSERT_OK(__vfio_fault_probe_device(dev, p));
}

uint64_t vfio_fault_probe_block(const struct vfio_fault_probe *p, int madvise)
{
	if (per_fault(p))
		return p->max_block[vfio_advice_of(madvise)];
	return p->style == VFIO_FAULT_STYLE_WHOLE_VMA ? p->pt_block : 0;
}

const char *vfio_fault_style_name(enum vfio_fault_style s)
{
	return s == VFIO_FAULT_STYLE_PER_ENTRY ? "per-entry" :
	       s == VFIO_FAULT_STYLE_WHOLE_VMA ? "whole-vma" :
	       s == VFIO_FAULT_STYLE_MIXED ? "mixed" : "unknown";
}
