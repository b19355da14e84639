/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DMA mappings through a device's container: IOVA space, map, unmap.
 */
#ifndef LIBVFIO_DMA_H
#define LIBVFIO_DMA_H

#include <stdint.h>

#include "vfio_pci_device.h"

#define VFIO_MAX_IOVA_RANGES 16

struct vfio_iommu_info {
	uint64_t pgsizes;	/* bitmap of IOMMU page sizes */
	int nr_ranges;		/* 0: the kernel reported none */
	/* uapi's struct: start and end, both inclusive */
	struct vfio_iova_range ranges[VFIO_MAX_IOVA_RANGES];
};

/*
 * VFIO_IOMMU_GET_INFO with its IOVA-range capability, validated; in the
 * native iommufd mode, IOMMU_IOAS_IOVA_RANGES.  Map and unmap likewise
 * go through the container or the IOAS, whichever the device has.
 */
int __vfio_iommu_info(struct vfio_pci_device *dev, struct vfio_iommu_info *info);

/*
 * The lowest IOVA aligned to @align where @size bytes fit inside one
 * usable range.  -ENOSPC with vfio_error() when none does.
 */
int vfio_iova_pick(const struct vfio_iommu_info *info, uint64_t size,
		   uint64_t align, uint64_t *iova);

int __vfio_dma_map(struct vfio_pci_device *dev, void *va, uint64_t iova,
		   uint64_t size);
int __vfio_dma_unmap(struct vfio_pci_device *dev, uint64_t iova,
		     uint64_t size);

/* An unmap that did less than asked is an error (EIO): say how much. */
int vfio_dma_unmapped(const char *what, uint64_t done, uint64_t size);

#endif /* LIBVFIO_DMA_H */
