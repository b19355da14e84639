/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DMA mappings through an IOMMU context: IOVA space, map, unmap.
 */
#ifndef LIBVFIO_DMA_H
#define LIBVFIO_DMA_H

#include <stdint.h>

#include "iommu.h"

/*
 * Read @iommu's IOVA ranges and page sizes into iommu->info:
 * VFIO_IOMMU_GET_INFO with its IOVA-range capability (validated), or in
 * the native iommufd mode IOMMU_IOAS_IOVA_RANGES.
 */
int __vfio_iommu_info_read(struct vfio_iommu *iommu);

/*
 * The lowest IOVA aligned to @align where @size bytes fit inside one
 * usable range.  -ENOSPC with vfio_error() when none does.
 */
int __vfio_iova_pick(const struct vfio_iommu_info *info, uint64_t size,
		     uint64_t align, uint64_t *iova);
uint64_t vfio_iova_pick(const struct vfio_iommu_info *info, uint64_t size,
			uint64_t align);

/*
 * Map and unmap through the container or the IOAS, whichever @iommu has.
 * An unmap that removed less than @size bytes fails with EIO.
 */
int __vfio_dma_map(struct vfio_iommu *iommu, void *va, uint64_t iova,
		   uint64_t size);
void vfio_dma_map(struct vfio_iommu *iommu, void *va, uint64_t iova,
		  uint64_t size);
int __vfio_dma_unmap(struct vfio_iommu *iommu, uint64_t iova, uint64_t size);
void vfio_dma_unmap(struct vfio_iommu *iommu, uint64_t iova, uint64_t size);

#endif /* LIBVFIO_DMA_H */
