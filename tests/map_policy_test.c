// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the alignment policies, the sparse planner and region
 * mapping over memfd stand-ins for device regions.
 */
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libvfio.h"
#include "kselftest_harness.h"

#define BAR_PA	0x200000000ULL	/* ivshmem's 2 GiB BAR2 in the VM */
#define SZ_2G	0x80000000ULL

static uint64_t place_va(enum vfio_map_policy p, uint64_t pa, uint64_t len)
{
	struct vfio_placement pl;

	if (__vfio_map_policy_place(p, len, pa, 0, len, &pl))
		return 0;
	/* A va the reservation could return: the phase itself, shifted. */
	return pl.align * 0x100 + pl.phase;
}

TEST(policies_give_the_fault_law)
{
	/* x86 numbers: its levels, whatever the host's. */
	vfio_page_levels_set(SZ_4K, SZ_2M, SZ_1G);
	/* 2 GiB BAR: 2 PUD faults, 1,024 PMD faults, 524,288 4 KiB faults. */
	EXPECT_EQ(2, vfio_expected_faults(place_va(VFIO_MAP_PA, BAR_PA, SZ_2G),
					  BAR_PA, SZ_2G, SZ_1G, NULL));
	EXPECT_EQ(2, vfio_expected_faults(place_va(VFIO_MAP_SIZE, BAR_PA, SZ_2G),
					  BAR_PA, SZ_2G, SZ_1G, NULL));
	EXPECT_EQ(1024, vfio_expected_faults(place_va(VFIO_MAP_PMD, BAR_PA, SZ_2G),
					     BAR_PA, SZ_2G, SZ_1G, NULL));
	EXPECT_EQ(524288, vfio_expected_faults(place_va(VFIO_MAP_4K, BAR_PA, SZ_2G),
					       BAR_PA, SZ_2G, SZ_1G, NULL));
	/* Without huge faults in the kernel every policy gives 4 KiB. */
	EXPECT_EQ(524288, vfio_expected_faults(place_va(VFIO_MAP_PA, BAR_PA, SZ_2G),
					       BAR_PA, SZ_2G, SZ_4K, NULL));
	/* Congruent but not block-aligned: 4K head, 2M middle, 4K tail. */
	EXPECT_EQ(511 + 1 + 1, vfio_expected_faults(0x7f0000001000ULL, 0x1000,
						    SZ_2M * 2, SZ_1G, NULL));
}

TEST(fault_law_by_level)
{
	struct vfio_fault_law law;

	/* x86 numbers: its levels, whatever the host's. */
	vfio_page_levels_set(SZ_4K, SZ_2M, SZ_1G);
	/* 1 GiB-congruent, 4 KiB-aligned: 4K + 2M head, 2 x 1G, 2M + 4K tail. */
	EXPECT_EQ(511 + 1 + 2 + 1 + 511,
		  vfio_expected_faults(SZ_1G - 2 * SZ_2M + SZ_4K,
				       3 * SZ_1G - 2 * SZ_2M + SZ_4K,
				       2 * SZ_1G + 4 * SZ_2M - 2 * SZ_4K,
				       SZ_1G, &law));
	EXPECT_EQ(2, law.pud);
	EXPECT_EQ(2, law.pmd);
	EXPECT_EQ(511 * 2, law.pte);
	EXPECT_EQ(1 + 2, vfio_expected_faults(SZ_1G, SZ_1G, SZ_1G + SZ_4K * 2,
					      SZ_1G, &law));
	EXPECT_EQ(1, law.pud);
	EXPECT_EQ(2, law.pte);
}

/* The helpers the law, the probe and the tests share. */
TEST(law_levels)
{
	struct vfio_fault_law sum = { 1, 2, 3 }, l = { 0 };

	/* x86 numbers: its levels, whatever the host's. */
	vfio_page_levels_set(SZ_4K, SZ_2M, SZ_1G);
	EXPECT_EQ(SZ_1G, vfio_congruence(0x7f0040000000ULL, BAR_PA));
	EXPECT_EQ(SZ_2M, vfio_congruence(0x7f0040200000ULL, BAR_PA));
	EXPECT_EQ(SZ_4K, vfio_congruence(0x7f0040201000ULL, BAR_PA));
	EXPECT_EQ(SZ_4K, vfio_congruence(0x7f0040201800ULL, BAR_PA));
	/* VT-d's page sizes, and region sizes as the probe caps its levels. */
	EXPECT_EQ(SZ_1G, vfio_fault_block_max(SZ_4K | SZ_2M | SZ_1G, SZ_1G));
	EXPECT_EQ(SZ_2M, vfio_fault_block_max(SZ_4K | SZ_2M, ~0ULL));
	EXPECT_EQ(SZ_4K, vfio_fault_block_max(SZ_4K, ~0ULL));
	EXPECT_EQ(SZ_1G, vfio_fault_block_max(~0ULL, SZ_2G));
	EXPECT_EQ(SZ_2M, vfio_fault_block_max(~0ULL, SZ_1G - 1));
	EXPECT_EQ(SZ_4K, vfio_fault_block_max(~0ULL, SZ_2M - 1));
	vfio_fault_law_add(&l, SZ_1G, 2);
	vfio_fault_law_add(&l, SZ_2M, 3);
	vfio_fault_law_add(&l, SZ_4K, 4);
	vfio_fault_law_sum(&sum, &l);
	EXPECT_EQ(3, sum.pud);
	EXPECT_EQ(5, sum.pmd);
	EXPECT_EQ(7, sum.pte);
}

/*
 * arm64 with 16 KiB pages (PMD 32 MiB, PUD 64 GiB, no PUD PFN map): the
 * 2 GiB BAR at PA 0x8000000000 as the arm64 rig has it.  Policies by
 * level: pmd is 32 MiB-congruent (not 2 MiB), 4k one 16 KiB page off.
 */
TEST(policies_at_16k_pages)
{
	const uint64_t page = 0x4000, pmd = 32ULL << 20, pud = 64ULL << 30;
	const uint64_t pa = 0x8000000000ULL;
	struct vfio_placement pl;
	struct vfio_fault_law l = { 0 };

	vfio_page_levels_set(page, pmd, pud);
	EXPECT_EQ(64, vfio_expected_faults(place_va(VFIO_MAP_PA, pa, SZ_2G),
					   pa, SZ_2G, pmd, NULL));
	EXPECT_EQ(64, vfio_expected_faults(place_va(VFIO_MAP_SIZE, pa, SZ_2G),
					   pa, SZ_2G, pmd, NULL));
	EXPECT_EQ(64, vfio_expected_faults(place_va(VFIO_MAP_PMD, pa, SZ_2G),
					   pa, SZ_2G, pud, NULL));
	EXPECT_EQ(131072, vfio_expected_faults(place_va(VFIO_MAP_4K, pa, SZ_2G),
					       pa, SZ_2G, pmd, NULL));
	EXPECT_EQ(131072, vfio_expected_faults(place_va(VFIO_MAP_PA, pa, SZ_2G),
					       pa, SZ_2G, page, NULL));
	vfio_map_policy_place(VFIO_MAP_PMD, SZ_2G, pa, 0, SZ_2G, &pl);
	EXPECT_EQ(pud, pl.align);
	EXPECT_EQ(pmd, vfio_congruence(pl.align * 0x100 + pl.phase, pa));
	vfio_map_policy_place(VFIO_MAP_4K, SZ_2G, pa, 0, SZ_2G, &pl);
	EXPECT_EQ(pmd, pl.align);
	EXPECT_EQ(page, pl.phase);
	EXPECT_EQ(page, vfio_congruence(pl.align * 0x100 + pl.phase, pa));
	/* size: up to the PUD, so a 2 GiB BAR at 2 GiB; a 16 KiB minimum. */
	EXPECT_EQ(SZ_2G, vfio_pci_bar_align(SZ_2G));
	EXPECT_EQ(pud, vfio_pci_bar_align(UINT64_MAX));
	EXPECT_EQ(page, vfio_pci_bar_align(0x100));
	EXPECT_EQ(pmd, vfio_largest_block(pa, SZ_2G));
	EXPECT_EQ(page, vfio_largest_block(pa + page, pmd));
	/* SMMUv3 on 16 KiB pages reports 16K|32M (0x2004000). */
	EXPECT_EQ(pmd, vfio_fault_block_max(0x2004000, ~0ULL));
	EXPECT_EQ(page, vfio_fault_block_max(~0ULL, pmd - 1));
	EXPECT_EQ(pud, vfio_fault_block_max(~0ULL, pud));
	/* 2 MiB into a PMD: a 2 MiB head and a 30 MiB tail of 16 KiB PTEs. */
	EXPECT_EQ(128 + 63 + 1920,
		  vfio_expected_faults(0x7f0000000000 + 2 * pmd - SZ_2M,
				       pa + 2 * pmd - SZ_2M, 64 * pmd, pmd, &l));
	EXPECT_EQ(63, l.pmd);
	EXPECT_EQ(2048, l.pte);
	EXPECT_EQ(0, l.pud);
}

/* arm64 with 64 KiB pages: PMD 512 MiB, PUD 4 TiB. */
TEST(policies_at_64k_pages)
{
	const uint64_t page = 0x10000, pmd = 512ULL << 20, pud = 4ULL << 40;
	const uint64_t pa = 0x8000000000ULL;

	vfio_page_levels_set(page, pmd, pud);
	EXPECT_EQ(4, vfio_expected_faults(place_va(VFIO_MAP_PA, pa, SZ_2G),
					  pa, SZ_2G, pud, NULL));
	EXPECT_EQ(4, vfio_expected_faults(place_va(VFIO_MAP_PMD, pa, SZ_2G),
					  pa, SZ_2G, pud, NULL));
	EXPECT_EQ(32768, vfio_expected_faults(place_va(VFIO_MAP_4K, pa, SZ_2G),
					      pa, SZ_2G, pud, NULL));
	EXPECT_STREQ("64 KiB", vfio_level_name(page));
	EXPECT_STREQ("PMD (512 MiB)", vfio_level_name(pmd));
	EXPECT_STREQ("PUD (4 TiB)", vfio_level_name(pud));
}

TEST(pa_policy_at_an_offset)
{
	struct vfio_placement pl;

	/* x86 numbers: its levels, whatever the host's. */
	vfio_page_levels_set(SZ_4K, SZ_2M, SZ_1G);
	/* 1 GiB + 4 KiB into the BAR: only a PMD block fits in 2 MiB. */
	vfio_map_policy_place(VFIO_MAP_PA, SZ_2G, BAR_PA, SZ_1G + SZ_2M,
			      SZ_2M * 3, &pl);
	EXPECT_EQ(SZ_2M, pl.align);
	EXPECT_EQ(0, pl.phase);
	vfio_map_policy_place(VFIO_MAP_PA, SZ_2G, BAR_PA + 0x5000, 0, SZ_1G,
			      &pl);
	EXPECT_EQ(SZ_2M, pl.align);
	EXPECT_EQ(0x5000, pl.phase);
	EXPECT_EQ(MADV_HUGEPAGE, pl.madvise);
	vfio_map_policy_place(VFIO_MAP_NOHUGE, SZ_2G, BAR_PA, 0, SZ_2G, &pl);
	EXPECT_EQ(MADV_NOHUGEPAGE, pl.madvise);
	vfio_map_policy_place(VFIO_MAP_KERNEL, SZ_2G, 0, 0, SZ_2G, &pl);
	EXPECT_EQ(0, pl.align);
	EXPECT_EQ(-EINVAL, __vfio_map_policy_place(VFIO_MAP_PA, SZ_2G, 0, 0,
						   SZ_2G, &pl));
	EXPECT_NE(NULL, strstr(vfio_error(), "needs the physical address"));
	EXPECT_EQ(-EINVAL, __vfio_map_policy_place(VFIO_MAP_PA, SZ_2G, BAR_PA,
						   SZ_1G, SZ_2G, &pl));
	EXPECT_NE(NULL, strstr(vfio_error(), "outside"));
}

TEST(policy_names)
{
	int p;

	for (p = 0; p < VFIO_MAP_NR_POLICIES; p++)
		EXPECT_EQ(p, vfio_map_policy_parse(vfio_map_policy_name(p)));
	EXPECT_EQ(-EINVAL, vfio_map_policy_parse("1g"));
}

TEST(sparse_plan_unsorted)
{
	const struct vfio_range areas[] = {
		{ 0x6000, 0x2000 }, { 0x0, 0x1000 }, { 0x3000, 0x1000 },
	};
	struct vfio_sparse_plan plan;

	/* x86 numbers: its levels, whatever the host's. */
	vfio_page_levels_set(SZ_4K, SZ_2M, SZ_1G);
	vfio_sparse_plan(0x10000, areas, 3, &plan);
	ASSERT_EQ(3, plan.nr_areas);
	EXPECT_EQ(0x0, plan.areas[0].offset);
	EXPECT_EQ(0x3000, plan.areas[1].offset);
	EXPECT_EQ(0x6000, plan.areas[2].offset);
	ASSERT_EQ(3, plan.nr_gaps);
	EXPECT_EQ(0x1000, plan.gaps[0].offset);
	EXPECT_EQ(0x2000, plan.gaps[0].size);
	EXPECT_EQ(0x4000, plan.gaps[1].offset);
	EXPECT_EQ(0x8000, plan.gaps[2].offset);
	EXPECT_EQ(0x8000, plan.gaps[2].size);
	EXPECT_EQ(0x10000, plan.align);
}

TEST(sparse_plan_rejects)
{
	const struct vfio_range overlap[] = { { 0x4000, 0x2000 }, { 0x0, 0x5000 } };
	const struct vfio_range outside[] = { { 0xf000, 0x2000 } };
	const struct vfio_range wrap[] = { { 0x1000, UINT64_MAX - 0xfff } };
	const struct vfio_range empty[] = { { 0x1000, 0 } };
	const struct vfio_range unaligned[] = { { 0x800, 0x1000 } };
	struct vfio_sparse_plan plan;

	/* x86 numbers: its levels, whatever the host's. */
	vfio_page_levels_set(SZ_4K, SZ_2M, SZ_1G);
	EXPECT_EQ(-EINVAL, __vfio_sparse_plan(0x10000, overlap, 2, &plan));
	EXPECT_NE(NULL, strstr(vfio_error(), "overlap"));
	EXPECT_EQ(-EINVAL, __vfio_sparse_plan(0x10000, outside, 1, &plan));
	EXPECT_NE(NULL, strstr(vfio_error(), "outside"));
	EXPECT_EQ(-EINVAL, __vfio_sparse_plan(0x10000, wrap, 1, &plan));
	EXPECT_EQ(-EINVAL, __vfio_sparse_plan(0x10000, empty, 1, &plan));
	EXPECT_NE(NULL, strstr(vfio_error(), "empty"));
	EXPECT_EQ(-EINVAL, __vfio_sparse_plan(0x10000, unaligned, 1, &plan));
	EXPECT_EQ(-E2BIG, __vfio_sparse_plan(0x10000, empty, VFIO_PLAN_MAX_AREAS + 1,
					     &plan));
	EXPECT_EQ(-EINVAL, __vfio_sparse_plan(0, empty, 0, &plan));
}

TEST(sparse_plan_non_pow2_region)
{
	/* A 188 GiB + 15 MiB region, areas at its start and end. */
	const uint64_t size = 0x2F00F00000ULL;
	const struct vfio_range areas[] = {
		{ size - SZ_2M, SZ_2M }, { 0, SZ_1G },
	};
	struct vfio_sparse_plan plan;

	/* x86 numbers: its levels, whatever the host's. */
	vfio_page_levels_set(SZ_4K, SZ_2M, SZ_1G);
	vfio_sparse_plan(size, areas, 2, &plan);
	EXPECT_EQ(SZ_1G, plan.align);
	EXPECT_EQ(size, plan.reserve_size);
	ASSERT_EQ(1, plan.nr_gaps);
	EXPECT_EQ(SZ_1G, plan.gaps[0].offset);
	EXPECT_EQ(size - SZ_2M - SZ_1G, plan.gaps[0].size);
}

TEST(region_map_sparse_over_memfd)
{
	/* In the pages and PMDs mmap works in: 0x2F00F000 bytes on x86. */
	const uint64_t page = getpagesize(), pmd = vfio_pmd_size();
	const uint64_t size = 0x2F00F * page;	/* not a power of two */
	const uint64_t fd_off = SZ_1G;		/* as a region index would */
	const struct vfio_range areas[] = {
		{ 0x10000 * page, 3 * pmd }, { 0, 5 * page },
		{ size - page, page },
	};
	struct vfio_placement pl = { .align = SZ_1G, .phase = 3 * page };
	struct vfio_sparse_plan plan;
	void *va[VFIO_PLAN_MAX_AREAS];
	struct vfio_vma vma;
	uint8_t *base;
	int fd, i;

	fd = memfd_create("region", 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, fd_off + size));
	vfio_sparse_plan(size, areas, 3, &plan);
	vfio_region_map(fd, fd_off, &plan, &pl, PROT_READ, va);
	base = (uint8_t *)va[0];
	EXPECT_EQ(3 * page, (uintptr_t)base % SZ_1G);
	for (i = 0; i < plan.nr_areas; i++) {
		/* Each area at its offset, backed by its part of the file. */
		EXPECT_EQ(base + plan.areas[i].offset, (uint8_t *)va[i]);
		ASSERT_TRUE(vfio_vma_find(va[i], &vma));
		EXPECT_EQ(fd_off + plan.areas[i].offset, vma.pgoff);
		EXPECT_EQ((uintptr_t)va[i] + plan.areas[i].size, vma.end);
	}
	/* Nothing is left in the gaps. */
	for (i = 0; i < plan.nr_gaps; i++)
		EXPECT_FALSE(vfio_vma_find(base + plan.gaps[i].offset, &vma));
	vfio_region_unmap(&plan, va);
	EXPECT_FALSE(vfio_vma_find(base, &vma));
	close(fd);
}

TEST(region_map_failure_leaves_nothing)
{
	const struct vfio_range areas[] = { { 0, SZ_2M } };
	struct vfio_placement pl = { .align = SZ_2M };
	struct vfio_sparse_plan plan;
	void *va[VFIO_PLAN_MAX_AREAS];
	uint64_t nr[2], bytes[2];
	int fd;

	/* PROT_WRITE of a read-only fd fails after the reservation. */
	fd = open("/proc/self/exe", O_RDONLY);
	ASSERT_LE(0, fd);
	vfio_sparse_plan(SZ_2M, areas, 1, &plan);
	vfio_vma_totals(&nr[0], &bytes[0]);
	EXPECT_GT(0, __vfio_region_map(fd, 0, &plan, &pl, PROT_READ | PROT_WRITE, va));
	EXPECT_NE(NULL, strstr(vfio_error(), "mmap of"));
	vfio_vma_totals(&nr[1], &bytes[1]);
	EXPECT_EQ(nr[0], nr[1]);
	EXPECT_EQ(bytes[0], bytes[1]);
	close(fd);
}

TEST_HARNESS_MAIN
