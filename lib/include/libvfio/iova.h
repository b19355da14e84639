/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An IOMMU's IOVA space as the kernel reports it (usable ranges, page
 * sizes), and where in it a mapping fits.
 */
#ifndef LIBVFIO_IOVA_H
#define LIBVFIO_IOVA_H

#include <stdint.h>

#include <linux/vfio.h>

#define VFIO_MAX_IOVA_RANGES 16

struct vfio_iommu_info {
	uint64_t pgsizes;	/* bitmap of IOMMU page sizes */
	int nr_ranges;		/* 0: the kernel reported none */
	/* uapi's struct: start and end, both inclusive */
	struct vfio_iova_range ranges[VFIO_MAX_IOVA_RANGES];
};

/*
 * The lowest IOVA aligned to @align where @size bytes fit inside one
 * usable range.  -ENOSPC with vfio_error() when none does.
 */
int __vfio_iova_pick(const struct vfio_iommu_info *info, uint64_t size,
		     uint64_t align, uint64_t *iova);
uint64_t vfio_iova_pick(const struct vfio_iommu_info *info, uint64_t size,
			uint64_t align);

#endif /* LIBVFIO_IOVA_H */
