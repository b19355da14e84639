/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DMA mappings through an IOMMU context: IOVA space, map, unmap.
 */
#ifndef LIBVFIO_DMA_H
#define LIBVFIO_DMA_H

#include <stdint.h>

#include "iommu.h"

/*
 * Map and unmap through the container or the IOAS, whichever @iommu has.
 * __vfio_dma_unmap() returns the kernel's errno and, through @unmapped
 * (may be NULL), the bytes the kernel unmapped; vfio_dma_unmap() asserts
 * that they are all @size.
 */
int __vfio_dma_map(struct vfio_iommu *iommu, void *va, uint64_t iova,
		   uint64_t size);
void vfio_dma_map(struct vfio_iommu *iommu, void *va, uint64_t iova,
		  uint64_t size);
int __vfio_dma_unmap(struct vfio_iommu *iommu, uint64_t iova, uint64_t size,
		     uint64_t *unmapped);
void vfio_dma_unmap(struct vfio_iommu *iommu, uint64_t iova, uint64_t size);

#endif /* LIBVFIO_DMA_H */
