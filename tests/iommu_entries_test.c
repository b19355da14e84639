// SPDX-License-Identifier: GPL-2.0
/*
 * The IOMMU side of the fault law: entries per mapping from the page
 * sizes an IOMMU offers and the alignment of iova and pa.
 */
#include <stdint.h>

#include "libvfio.h"
#include "kselftest_harness.h"

#define SZ_2G		0x80000000ULL
#define BAR_PA		0x200000000ULL	/* ivshmem's 2 GiB BAR2 in the VM */
#define PG_4K		SZ_4K
#define PG_2M		(SZ_4K | SZ_2M)
#define PG_1G		(SZ_4K | SZ_2M | SZ_1G)
#define PG_ANY		0xfffffffffffff000ULL	/* virtio-iommu's page mask */

/* 2 GiB BAR: 2 entries of 1 GiB, 1,024 of 2 MiB, or 524,288 of 4 KiB. */
TEST(bar_2g_by_page_sizes)
{
	EXPECT_EQ(524288, vfio_iommu_entries(PG_4K, SZ_1G, BAR_PA, SZ_2G));
	EXPECT_EQ(1024, vfio_iommu_entries(PG_2M, SZ_1G, BAR_PA, SZ_2G));
	EXPECT_EQ(2, vfio_iommu_entries(PG_1G, SZ_1G, BAR_PA, SZ_2G));
	EXPECT_EQ(1, vfio_iommu_entries(PG_ANY, SZ_2G, BAR_PA, SZ_2G));
}

/* Both addresses must be aligned: the worse of the two decides. */
TEST(alignment_of_iova_and_pa)
{
	EXPECT_EQ(1024, vfio_iommu_entries(PG_1G, SZ_1G + SZ_2M, BAR_PA, SZ_2G));
	EXPECT_EQ(524288, vfio_iommu_entries(PG_1G, SZ_1G, BAR_PA + SZ_4K, SZ_2G));
	/* Congruent but not aligned: small pages up to the boundary. */
	EXPECT_EQ(1 + 1, vfio_iommu_entries(PG_2M, 0x1ff000, 0x1ff000,
					    SZ_2M + SZ_4K));
	EXPECT_EQ(511 + 1 + 1, vfio_iommu_entries(PG_1G, SZ_1G - SZ_2M - SZ_4K * 511,
						  SZ_1G - SZ_2M - SZ_4K * 511,
						  SZ_4K * 511 + SZ_2M + SZ_1G));
}

TEST(bad_input)
{
	EXPECT_EQ(-EINVAL, vfio_iommu_entries(0, 0, 0, SZ_4K));
	EXPECT_EQ(-EINVAL, vfio_iommu_entries(PG_4K, 0x800, 0, SZ_4K));
	EXPECT_EQ(-EINVAL, vfio_iommu_entries(SZ_2M, 0, 0, SZ_4K));
	EXPECT_NE(NULL, strstr(vfio_error(), "smallest IOMMU page"));
}

TEST_HARNESS_MAIN
