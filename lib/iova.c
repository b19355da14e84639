// SPDX-License-Identifier: GPL-2.0
/*
 * Where in an IOMMU's IOVA space a mapping fits.
 */
#include <errno.h>

#include "libvfio/assert.h"
#include "libvfio/iova.h"
#include "libvfio/mmap.h"

int __vfio_iova_pick(const struct vfio_iommu_info *info, uint64_t size,
		     uint64_t align, uint64_t *iova)
{
	/* Without ranges, assume the 39-bit space every VT-d offers. */
	struct vfio_iova_range all = { 0, (1ULL << 39) - 1 };
	const struct vfio_iova_range *r = info->nr_ranges ? info->ranges : &all;
	int i, n = info->nr_ranges ? info->nr_ranges : 1;

	for (i = 0; i < n; i++) {
		/* Never IOVA 0: a stray zero address must not hit a mapping. */
		uint64_t start = align_up(r[i].start ? r[i].start : align, align);

		/* start < r.start: align_up() wrapped past 2^64. */
		if (start < r[i].start || start > r[i].end)
			continue;
		if (r[i].end - start >= size - 1) {
			*iova = start;
			return 0;
		}
	}
	return vfio_err(-ENOSPC, "no IOVA range holds %#llx bytes aligned to %#llx",
			(unsigned long long)size, (unsigned long long)align);
}

uint64_t vfio_iova_pick(const struct vfio_iommu_info *info, uint64_t size,
			uint64_t align)
{
	uint64_t iova = 0;

	VFIO_ASSERT_OK(__vfio_iova_pick(info, size, align, &iova));
	return iova;
}
