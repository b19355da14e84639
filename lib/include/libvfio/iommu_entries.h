/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IOMMU side of the fault law: how many IOMMU page-table entries a
 * mapping takes.  The CPU may map a 2 GiB BAR with 2 PUD entries, but an
 * IOMMU that offers only 4 KiB pages still needs 524,288 entries for it.
 */
#ifndef LIBVFIO_IOMMU_ENTRIES_H
#define LIBVFIO_IOMMU_ENTRIES_H

#include <stdint.h>

/*
 * Entries for @len bytes at @iova -> @pa, splitting as the kernel's
 * iommu_pgsize() does: at each step the largest size in @pgsizes (VFIO's
 * iova_pgsizes bitmap) that both addresses are aligned to and that fits.
 * Returns the count, or -EINVAL (with the reason) when @pgsizes is empty
 * or the addresses or @len are not aligned to its smallest page.
 */
int64_t vfio_iommu_entries(uint64_t pgsizes, uint64_t iova, uint64_t pa,
			   uint64_t len);

#endif /* LIBVFIO_IOMMU_ENTRIES_H */
