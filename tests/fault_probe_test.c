// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the fault probe: its classifiers on counts each fault
 * model produces, the probe itself on files the host kernel maps at
 * known granularity, and expectations over a synthetic sparse region.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libvfio.h"
#include "kselftest_harness.h"
#include "libvfio/skip.h"

/* Counts a 16-page window (4 KiB-congruent only) may take, and their model. */
static const struct {
	long long first, rest;
	int pages;
	enum vfio_fault_style want;
} style_cases[] = {
	{ 1, 0, 16, VFIO_FAULT_STYLE_WHOLE_VMA },
	{ 1, 1, 16, VFIO_FAULT_STYLE_WHOLE_VMA },
	{ 1, 15, 16, VFIO_FAULT_STYLE_PER_ENTRY },
	{ 2, 16, 16, VFIO_FAULT_STYLE_PER_ENTRY },
	/* Neither model: never guessed. */
	{ 1, 7, 16, VFIO_FAULT_STYLE_UNKNOWN },
	{ 0, 0, 16, VFIO_FAULT_STYLE_UNKNOWN },
	{ 1, 17, 16, VFIO_FAULT_STYLE_UNKNOWN },
	/* Too few pages to tell one model from the other. */
	{ 1, 1, 2, VFIO_FAULT_STYLE_UNKNOWN },
};

TEST(style_classifier)
{
	struct vfio_probe_window w = { .va = 0x7f0000001000, .pa = 0x200000000 };
	size_t i;

	/* x86 numbers: its levels, whatever the host's. */
	vfio_page_levels_set(SZ_4K, SZ_2M, SZ_1G);
	for (i = 0; i < ARRAY_SIZE(style_cases); i++) {
		w.first = style_cases[i].first;
		w.rest = style_cases[i].rest;
		w.len = style_cases[i].pages * SZ_4K;
		EXPECT_EQ(style_cases[i].want, vfio_probe_style(&w))
			TH_LOG("%lld + %lld faults in %d pages", w.first, w.rest,
			       style_cases[i].pages);
	}
}

TEST(block_classifier)
{
	/* The PUD window: 1 GiB + 2 MiB at a 1 GiB-congruent address. */
	struct vfio_probe_window w = {
		.va = 0x7f0040000000, .pa = 0x200000000, .len = SZ_1G + SZ_2M,
	};

	/* x86 numbers: its levels, whatever the host's. */
	vfio_page_levels_set(SZ_4K, SZ_2M, SZ_1G);
	w.first = 1;
	w.rest = 1;
	EXPECT_EQ(SZ_1G, vfio_probe_block(&w, SZ_2M, SZ_1G));
	w.rest = 2;
	EXPECT_EQ(SZ_1G, vfio_probe_block(&w, SZ_2M, SZ_1G));
	w.rest = 512;
	EXPECT_EQ(SZ_2M, vfio_probe_block(&w, SZ_2M, SZ_1G));
	w.rest = 100;
	EXPECT_EQ(0, vfio_probe_block(&w, SZ_2M, SZ_1G));
	/* The PMD window: 4 MiB, 2 MiB- but not 1 GiB-congruent. */
	w.va = 0x7f0040200000;
	w.len = 2 * SZ_2M;
	w.rest = 1;
	EXPECT_EQ(SZ_2M, vfio_probe_block(&w, SZ_4K, SZ_2M));
	w.rest = 1023;
	EXPECT_EQ(SZ_4K, vfio_probe_block(&w, SZ_4K, SZ_2M));
	w.rest = 1025;
	EXPECT_EQ(0, vfio_probe_block(&w, SZ_4K, SZ_2M));
	/* 4 KiB-congruent only: the law allows nothing bigger. */
	w.va += SZ_4K;
	w.rest = 1;
	EXPECT_EQ(0, vfio_probe_block(&w, SZ_4K, SZ_2M));
}

/*
 * arm64 with 16 KiB pages: PMD 32 MiB, PUD 64 GiB.  The style window is
 * 16 pages of 16 KiB, the PMD window two PMDs; a kernel that counted in
 * 4 KiB pages saw "1 on the first page, 3 on the rest" of one 16 KiB
 * page's worth, which must stay unknown.
 */
TEST(classifiers_at_16k_pages)
{
	struct vfio_probe_window w = {
		.va = 0x7f0000004000, .pa = 0x8000000000, .len = 16 * 0x4000,
	};
	const uint64_t page = 0x4000, pmd = 32ULL << 20;

	vfio_page_levels_set(page, pmd, 64ULL << 30);
	w.first = 1;
	w.rest = 15;
	EXPECT_EQ(VFIO_FAULT_STYLE_PER_ENTRY, vfio_probe_style(&w));
	w.rest = 0;
	EXPECT_EQ(VFIO_FAULT_STYLE_WHOLE_VMA, vfio_probe_style(&w));
	w.rest = 3;
	EXPECT_EQ(VFIO_FAULT_STYLE_UNKNOWN, vfio_probe_style(&w));
	/* The PMD window: 2 x 32 MiB at a PMD-congruent address. */
	w.va = 0x7f0002000000;
	w.len = 2 * pmd;
	w.rest = 1;
	EXPECT_EQ(pmd, vfio_probe_block(&w, page, pmd));
	w.rest = 4095;
	EXPECT_EQ(page, vfio_probe_block(&w, page, pmd));
	/*
	 * 2 MiB-congruent, as the byte-counted pmd policy placed it: no PMD
	 * can go in, so two faults fit neither law.
	 */
	w.va = 0x7f0000200000;
	w.rest = 1;
	EXPECT_EQ(0, vfio_probe_block(&w, page, pmd));
	EXPECT_STREQ("16 KiB", vfio_level_name(page));
	EXPECT_STREQ("PMD (32 MiB)", vfio_level_name(pmd));
	EXPECT_STREQ("PUD (64 GiB)", vfio_level_name(64ULL << 30));
}

/* arm64's geometries: base page, PMD, PUD, and the contiguous-PTE run. */
static const struct {
	uint64_t page, pmd, pud, cont;
} arm64_geometries[] = {
	{ SZ_4K, SZ_2M, SZ_1G, 16 * SZ_4K },
	{ 0x4000, 32ULL << 20, 64ULL << 30, SZ_2M },
	{ 0x10000, 512ULL << 20, 4ULL << 40, SZ_2M },
};

/* A VA that @pl places: an arbitrary base, 1 TiB-aligned, plus its phase. */
static uint64_t placed_va(const struct vfio_placement *pl)
{
	return 0x7f0000000000ULL + pl->phase;
}

/* The sizes are the ISA's, by page size; none off arm64. */
TEST(cont_pte_sizes)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(arm64_geometries); i++)
		EXPECT_EQ(arm64_geometries[i].cont,
			  arm64_geometries[i].page *
			  vfio_arm64_cont_ptes(arm64_geometries[i].page));
	EXPECT_EQ(0, vfio_arm64_cont_ptes(0x2000));
	vfio_page_levels_set(0, 0, 0);
#ifdef __aarch64__
	EXPECT_EQ(vfio_page_size() * vfio_arm64_cont_ptes(vfio_page_size()),
		  vfio_cont_pte_size());
#else
	EXPECT_EQ(0, vfio_cont_pte_size());
#endif
}

/*
 * The window of runs: congruent for runs, never for a PMD, so base pages
 * are all the law allows; one fault per page, one per run, and one
 * population (which it must not call a run) told apart.
 */
TEST(cont_classifier)
{
	const uint64_t pa = 0x8000000000ULL;
	struct vfio_probe_window w = { 0 };
	struct vfio_placement pl;
	uint64_t off, pages;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(arm64_geometries); i++) {
		const uint64_t page = arm64_geometries[i].page;
		const uint64_t pmd = arm64_geometries[i].pmd;
		const uint64_t cont = arm64_geometries[i].cont;

		vfio_page_levels_set(page, pmd, arm64_geometries[i].pud);
		ASSERT_EQ(0, vfio_probe_cont_window((2 * SZ_1G), pa, cont, &off,
						    &w.len, &pl));
		w.va = placed_va(&pl);
		w.pa = pa + off;
		pages = w.len / page;
		EXPECT_EQ(VFIO_CONT_RUNS, vfio_cont_runs(w.va, w.pa, w.len, cont));
		EXPECT_EQ(pages, vfio_expected_faults(w.va, w.pa, w.len, pmd, NULL));
		EXPECT_EQ(VFIO_CONT_RUNS, vfio_cont_faults(w.va, w.pa, w.len, cont));
		w.first = 1;
		w.rest = pages - 1;
		EXPECT_EQ(VFIO_CONT_PER_PAGE, vfio_probe_cont(&w, cont));
		w.rest = VFIO_CONT_RUNS - 1;
		EXPECT_EQ(VFIO_CONT_PER_RUN, vfio_probe_cont(&w, cont));
		w.rest = VFIO_CONT_RUNS;
		EXPECT_EQ(VFIO_CONT_PER_RUN, vfio_probe_cont(&w, cont));
		/* One population, with or without the slack: not a run. */
		w.rest = 0;
		EXPECT_EQ(VFIO_CONT_NEITHER, vfio_probe_cont(&w, cont));
		w.rest = 1;
		EXPECT_EQ(VFIO_CONT_NEITHER, vfio_probe_cont(&w, cont));
		w.rest = pages / 2;
		EXPECT_EQ(VFIO_CONT_NEITHER, vfio_probe_cont(&w, cont));
		/* A region too small for the runs gets no window. */
		EXPECT_EQ(-ENOSPC, vfio_probe_cont_window(3 * cont, pa, cont,
							  &off, &w.len, &pl));
	}
}

/*
 * A kernel that filled each run it could at once must not read as
 * whole-VMA population (or, after it, mixed): the style window sits one
 * base page off modulo the PMD, so it holds no run and such a kernel
 * faults it page by page.  Were it congruent, its 16 pages at 4 KiB
 * would be one run, populated at once.
 */
TEST(style_window_holds_no_run)
{
	const uint64_t pa = 0x8000000000ULL;
	struct vfio_probe_window w = { .pa = pa, .first = 1 };
	struct vfio_placement pl;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(arm64_geometries); i++) {
		const uint64_t cont = arm64_geometries[i].cont;

		vfio_page_levels_set(arm64_geometries[i].page,
				     arm64_geometries[i].pmd,
				     arm64_geometries[i].pud);
		w.len = 16 * arm64_geometries[i].page;
		vfio_map_policy_place(VFIO_MAP_4K, (2 * SZ_1G), pa, 0, w.len, &pl);
		w.va = placed_va(&pl);
		EXPECT_EQ(0, vfio_cont_runs(w.va, w.pa, w.len, cont));
		w.rest = vfio_cont_faults(w.va, w.pa, w.len, cont) - 1;
		EXPECT_EQ(VFIO_FAULT_STYLE_PER_ENTRY, vfio_probe_style(&w));
	}
	vfio_page_levels_set(SZ_4K, SZ_2M, SZ_1G);
	w.va = 0x7f0000000000ULL + pa % SZ_2M;
	w.len = 16 * SZ_4K;
	w.rest = vfio_cont_faults(w.va, w.pa, w.len, w.len) - 1;
	EXPECT_EQ(VFIO_FAULT_STYLE_WHOLE_VMA, vfio_probe_style(&w));
}

/*
 * The stand-in physical address of the host files: 1 GiB-aligned, so
 * PMD-aligned at every base page.  Four PMDs: 8 MiB on x86, 128 MiB on
 * arm64 with 16 KiB pages.
 */
#define HOST_PA SZ_1G
#define HOST_LEN (4 * vfio_pmd_size())

/*
 * The shmem THP mode ("deny", "force", ...) into @mode; "absent" on a
 * kernel without THP, where every shmem page is 4 KiB.
 */
static void shmem_thp_mode(char *mode, size_t len)
{
	char buf[128] = "";
	FILE *f = fopen(VFIO_THP_DIR "/shmem_enabled", "r");

	snprintf(mode, len, "absent");
	if (!f)
		return;
	if (fgets(buf, sizeof(buf), f))
		vfio_thp_parse_mode(buf, mode, len);
	fclose(f);
}

/* A fresh file for every window: no page cache to fault around. */
static int file_reset(const struct vfio_probe_region *r)
{
	if (ftruncate(r->fd, 0))
		return -1;
	return ftruncate(r->fd, r->size);
}

/* Map the whole file under @policy and count what touching it takes. */
static long long touch_count(int fd, enum vfio_map_policy policy,
			     const struct vfio_fault_probe *probe,
			     struct vfio_fault_expect *e)
{
	struct vfio_range whole = { 0, HOST_LEN };
	struct vfio_counters fc;
	struct vfio_sparse_plan plan;
	struct vfio_placement pl;
	void *va[1];

	vfio_sparse_plan(HOST_LEN, &whole, 1, &plan);
	vfio_map_policy_place(policy, HOST_LEN, HOST_PA, 0, HOST_LEN, &pl);
	vfio_region_map(fd, 0, &plan, &pl, PROT_READ | PROT_WRITE, va);
	vfio_fault_expect_plan(probe, pl.madvise, &plan, va, HOST_PA, e);
	vfio_fault_counter_open(&fc);
	/* Written, as the probe writes files: no fault-around. */
	vfio_counters_start(&fc);
	vfio_touch_pages(va[0], HOST_LEN, true);
	vfio_counters_stop(&fc);
	vfio_counters_close(&fc);
	vfio_region_unmap(&plan, va);
	return fc.delta[VFIO_FAULTS_PERF];
}

/*
 * Huge pages the host could not give a shmem file so far (shmem
 * fallbacks): a rise means the memory was short or fragmented, and the
 * counts show that, not the kernel's fault model.  -errno if unknown.
 */
static long long shmem_fallbacks(void)
{
	return vfio_thp_fallbacks(VFIO_THP_DIR, "/proc/vmstat",
				  vfio_pmd_size(), true);
}

/*
 * A huge=always tmpfs maps 2 MiB pages one fault per entry, and not
 * under MADV_NOHUGEPAGE: the probe must say so, and what it says must
 * predict every policy's count, unless the host ran out of huge pages.
 */
TEST(probe_shmem_huge)
{
	static const enum vfio_map_policy policies[] = {
		VFIO_MAP_PA, VFIO_MAP_PMD, VFIO_MAP_4K, VFIO_MAP_NOHUGE,
	};
	struct vfio_probe_region r = {
		.size = HOST_LEN, .pa = HOST_PA, .reset = file_reset,
		.write = true,
	};
	struct vfio_fault_probe p;
	struct vfio_fault_expect e;
	long long got, fallbacks;
	char mode[16];
	size_t i;

	if (geteuid())
		SKIP(return, "mounting a huge=always tmpfs needs root");
	shmem_thp_mode(mode, sizeof(mode));
	if (!strcmp(mode, "absent"))
		SKIP(return, "a kernel without THP: no %s/shmem_enabled", VFIO_THP_DIR);
	if (!strcmp(mode, "deny") || !strcmp(mode, "force"))
		SKIP(return, "shmem THP is %s on this host: huge= mounts are overridden", mode);
	if (vfio_thp_room("/proc/meminfo", HOST_LEN))
		SKIP(return, "four PMDs of huge pages: %s", vfio_error());
	r.fd = vfio_shmem_huge_file(HOST_LEN);
	ASSERT_LE(0, r.fd) TH_LOG("%s", vfio_error());
	fallbacks = shmem_fallbacks();
	vfio_fault_probe_region(&r, &p);
	TH_LOG("probe: %s", p.verdict);
	if (fallbacks >= 0 && shmem_fallbacks() > fallbacks)
		VFIO_SKIP(close(r.fd); return,
			  "the host fell back to small pages for the file %lld time(s) (memory short or fragmented): the counts show that, not the fault model",
			  shmem_fallbacks() - fallbacks);
	ASSERT_EQ(VFIO_FAULT_STYLE_PER_ENTRY, p.style);
	EXPECT_EQ(vfio_pmd_size(), p.max_block[VFIO_ADVICE_HUGE]);
	EXPECT_EQ(vfio_pmd_size(), p.max_block[VFIO_ADVICE_NONE]);
	EXPECT_EQ(vfio_page_size(), p.max_block[VFIO_ADVICE_NOHUGE]);
	EXPECT_EQ(vfio_pmd_size(), p.testable);
	for (i = 0; i < ARRAY_SIZE(policies); i++) {
		ASSERT_EQ(0, file_reset(&r));
		got = touch_count(r.fd, policies[i], &p, &e);
		TH_LOG("%s: %lld faults, expected %llu",
		       vfio_map_policy_name(policies[i]), got,
		       (unsigned long long)e.faults);
		if (fallbacks >= 0 && shmem_fallbacks() > fallbacks)
			VFIO_SKIP(close(r.fd); return,
				  "%s: the host fell back to small pages for the file %lld time(s) (memory short or fragmented): the counts show that, not the fault model",
				  vfio_map_policy_name(policies[i]),
				  shmem_fallbacks() - fallbacks);
		ASSERT_TRUE(e.exact);
		EXPECT_LE(e.faults, got);
		EXPECT_GE(e.faults + 1, got);
	}
	close(r.fd);
}

/* A memfd without huge pages: one fault per 4 KiB page, whatever the advice. */
TEST(probe_memfd_4k)
{
	struct vfio_probe_region r = {
		.size = HOST_LEN, .pa = HOST_PA, .reset = file_reset,
		.write = true,
	};
	struct vfio_fault_probe p;
	char mode[16];
	int adv;

	shmem_thp_mode(mode, sizeof(mode));
	if (!strcmp(mode, "force"))
		SKIP(return, "shmem THP is forced on this host: memfds get huge pages");
	r.fd = memfd_create("vfio-bench-probe", MFD_CLOEXEC);
	ASSERT_LE(0, r.fd);
	ASSERT_EQ(0, ftruncate(r.fd, HOST_LEN));
	vfio_fault_probe_region(&r, &p);
	TH_LOG("probe: %s", p.verdict);
	ASSERT_EQ(VFIO_FAULT_STYLE_PER_ENTRY, p.style);
	for (adv = 0; adv < VFIO_ADVICE_NR; adv++)
		EXPECT_EQ(vfio_page_size(), p.max_block[adv]);
	/* Reported where the ISA has runs, whatever it says; else absent. */
	EXPECT_EQ(vfio_cont_pte_size() != 0,
		  strstr(p.verdict, "; contiguous PTEs (") != NULL);
	close(r.fd);
}

/*
 * Two areas of a region of SPARSE_PAGES base pages (2 MiB on x86) with a
 * gap between them and after them: 16 and 32 pages whatever their size.
 */
#define SPARSE_PAGES 512

static void map_sparse(int fd, struct vfio_sparse_plan *plan, void *va[])
{
	const uint64_t page = vfio_page_size(), len = SPARSE_PAGES * page;
	const struct vfio_range areas[] = {
		{ 256 * page, 32 * page },	/* given out of order, on purpose */
		{ 0, 16 * page },
	};
	struct vfio_placement pl;

	vfio_sparse_plan(len, areas, 2, plan);
	vfio_map_policy_place(VFIO_MAP_PA, len, HOST_PA, 0, len, &pl);
	vfio_region_map(fd, 0, plan, &pl, PROT_READ | PROT_WRITE, va);
}

/*
 * Touching a sparse region touches its areas only (a gap would fault
 * SIGSEGV), and the expectation adds up area by area.
 */
TEST(sparse_region_touch_and_expect)
{
	struct vfio_fault_probe per_entry = {
		.style = VFIO_FAULT_STYLE_PER_ENTRY,
		.max_block = {
			vfio_page_size(), vfio_page_size(), vfio_page_size(),
		},
	};
	struct vfio_fault_probe whole = {
		.style = VFIO_FAULT_STYLE_WHOLE_VMA,
		.verdict = "whole-VMA population: faults cannot show the page size",
	};
	struct vfio_fault_expect e;
	struct vfio_counters fc;
	struct vfio_sparse_plan plan;
	void *va[VFIO_PLAN_MAX_AREAS];
	int fd = memfd_create("vfio-bench-sparse", MFD_CLOEXEC);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, SPARSE_PAGES * vfio_page_size()));
	map_sparse(fd, &plan, va);
	ASSERT_EQ(2, plan.nr_areas);
	vfio_fault_expect_plan(&per_entry, MADV_HUGEPAGE, &plan, va, HOST_PA, &e);
	EXPECT_TRUE(e.exact);
	EXPECT_EQ(16 + 32, e.faults);
	EXPECT_EQ(48, e.law.pte);
	vfio_fault_counter_open(&fc);
	vfio_counters_start(&fc);
	vfio_region_touch(&plan, va);
	vfio_counters_stop(&fc);
	vfio_counters_close(&fc);
	EXPECT_LE(48, fc.delta[VFIO_FAULTS_PERF]);
	EXPECT_GE(49, fc.delta[VFIO_FAULTS_PERF]);
	/* Whole-VMA population: one fault per area, no law. */
	vfio_fault_expect_plan(&whole, MADV_HUGEPAGE, &plan, va, HOST_PA, &e);
	EXPECT_FALSE(e.exact);
	EXPECT_TRUE(e.per_vma);
	EXPECT_EQ(2, e.faults);
	EXPECT_NE(NULL, strstr(e.why, "cannot show the page size"));
	vfio_region_unmap(&plan, va);
	close(fd);
}

/*
 * A mixed kernel (a 4 KiB fault populates the VMA, huge entries come one
 * fault each): a VMA of huge entries is counted by the law, one of 4 KiB
 * entries is one fault, one with both has no count, and says why.
 */
TEST(mixed_expectations)
{
	struct vfio_fault_probe p = {
		.style = VFIO_FAULT_STYLE_MIXED,
		.max_block = { SZ_2M, SZ_2M, SZ_4K },
	};
	struct vfio_fault_expect e;

	/* x86 numbers: its levels, whatever the host's. */
	vfio_page_levels_set(SZ_4K, SZ_2M, SZ_1G);
	vfio_fault_expect_init(&p, &e);
	vfio_fault_expect_add(&p, MADV_HUGEPAGE, 0x7f0000000000, SZ_1G,
			      4 * SZ_2M, &e);
	EXPECT_TRUE(e.exact);
	EXPECT_EQ(4, e.faults);
	vfio_fault_expect_add(&p, MADV_NOHUGEPAGE, 0x7f0000000000, SZ_1G,
			      4 * SZ_2M, &e);
	EXPECT_TRUE(e.exact);
	EXPECT_EQ(5, e.faults);
	EXPECT_EQ(4, e.law.pmd);
	EXPECT_EQ(2048, e.law.pte);
	/* 2 MiB-congruent, with a 4 KiB head: PTEs and PMDs in one VMA. */
	vfio_fault_expect_add(&p, MADV_HUGEPAGE, 0x7f00001ff000, SZ_1G + SZ_2M - SZ_4K,
			      4 * SZ_2M, &e);
	EXPECT_FALSE(e.exact);
	EXPECT_NE(NULL, strstr(e.why, "order of the touches")) TH_LOG("%s", e.why);
}

/* One population: a fault (two with the touch loop's), nothing after. */
TEST(populated_classifier)
{
	struct vfio_probe_window w = { .len = 4 * SZ_2M };

	/* x86 numbers: its levels, whatever the host's. */
	vfio_page_levels_set(SZ_4K, SZ_2M, SZ_1G);
	w.first = 1;
	w.rest = 0;
	EXPECT_TRUE(vfio_probe_populated(&w));
	w.rest = 1;
	EXPECT_TRUE(vfio_probe_populated(&w));
	w.first = 2;
	EXPECT_TRUE(vfio_probe_populated(&w));
	w.rest = 3;
	EXPECT_FALSE(vfio_probe_populated(&w));
	w.first = 0;
	w.rest = 0;
	EXPECT_FALSE(vfio_probe_populated(&w));
}

/* A probe that saw neither model yields no expectation, and says why. */
TEST(unknown_probe_expects_nothing)
{
	struct vfio_fault_probe p = { .style = VFIO_FAULT_STYLE_UNKNOWN };
	struct vfio_fault_expect e;

	snprintf(p.verdict, sizeof(p.verdict), "a 16-page window took 7 faults");
	vfio_fault_expect_init(&p, &e);
	vfio_fault_expect_add(&p, 0, 0x7f0000000000, SZ_1G, SZ_2M, &e);
	EXPECT_FALSE(e.exact);
	EXPECT_FALSE(e.per_vma);
	EXPECT_EQ(0, e.faults);
	EXPECT_NE(NULL, strstr(e.why, "took 7 faults"));
}

/*
 * kprobe counts against the law, window by window: a kprobe that
 * attached and counted nothing is told apart from one that is not
 * there, and from one that counted a wrong number; the worst stays.
 */
TEST(kprobe_judge)
{
	struct vfio_fault_probe p = { 0 };
	struct vfio_kprobe_level *pmd = &p.kprobe[VFIO_KPROBE_PMD];
	char why[256];

	EXPECT_EQ(-ENOENT, vfio_fault_probe_kprobes(&p, why, sizeof(why)));
	vfio_kprobe_judge(pmd, 2, 2);
	vfio_kprobe_judge(&p.kprobe[VFIO_KPROBE_PUD], 0, 0);
	EXPECT_EQ(VFIO_KPROBE_AGREE, pmd->state);
	EXPECT_EQ(0, vfio_fault_probe_kprobes(&p, why, sizeof(why)));
	vfio_kprobe_judge(pmd, 0, 2);
	EXPECT_EQ(VFIO_KPROBE_ZERO, pmd->state);
	EXPECT_EQ(-ENODATA, vfio_fault_probe_kprobes(&p, why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "PMD attached, counted 0")) TH_LOG("%s", why);
	/* An agreeing window later does not clear it. */
	vfio_kprobe_judge(pmd, 2, 2);
	EXPECT_EQ(VFIO_KPROBE_ZERO, pmd->state);
	vfio_kprobe_judge(pmd, 3, 2);
	EXPECT_EQ(VFIO_KPROBE_DISAGREE, pmd->state);
	EXPECT_EQ(-EPROTO, vfio_fault_probe_kprobes(&p, why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "PMD counted 3 inserts, the fault counts say 2"))
		TH_LOG("%s", why);

	memset(&p, 0, sizeof(p));
	vfio_kprobe_judge(&p.kprobe[VFIO_KPROBE_PUD], VFIO_FAULTS_ABSENT, 1);
	snprintf(p.kprobe[VFIO_KPROBE_PUD].why, sizeof(p.kprobe[0].why),
		 "no kprobe support");
	EXPECT_EQ(-ENOENT, vfio_fault_probe_kprobes(&p, why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "PUD could not attach: no kprobe support"))
		TH_LOG("%s", why);
}

TEST_HARNESS_MAIN
