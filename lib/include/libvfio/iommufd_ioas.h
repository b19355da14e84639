/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The native iommufd path: a VFIO device cdev bound to /dev/iommu and
 * attached to an IOAS, and the IOAS map calls.
 */
#ifndef LIBVFIO_IOMMUFD_IOAS_H
#define LIBVFIO_IOMMUFD_IOAS_H

#include <stdint.h>

struct vfio_pci_device;
struct vfio_iommu_info;

/* Open @dev's cdev, bind it to a new iommufd and attach it to a new IOAS. */
int __vfio_iommufd_open(struct vfio_pci_device *dev);

/* IOMMU_IOAS_IOVA_RANGES, in the form VFIO_IOMMU_GET_INFO gives. */
int __iommufd_iova_ranges(struct vfio_pci_device *dev,
			  struct vfio_iommu_info *info);

/* IOMMU_IOAS_MAP at a fixed IOVA; a PFNMAP (BAR) vaddr fails EFAULT. */
int __iommufd_map(struct vfio_pci_device *dev, void *va, uint64_t iova,
		  uint64_t size);
/* IOMMU_IOAS_MAP_FILE: a memfd or a VFIO dma-buf, from @start. */
int __iommufd_map_file(struct vfio_pci_device *dev, int fd, uint64_t start,
		       uint64_t iova, uint64_t size);
int __iommufd_unmap(struct vfio_pci_device *dev, uint64_t iova, uint64_t size);

/*
 * VFIO_DEVICE_FEATURE_DMA_BUF: a dma-buf fd for [offset, +length) of
 * region @index, the route by which iommufd maps a BAR.  Returns the fd or
 * -errno (-ENOTTY/-EINVAL: the kernel has no such feature).
 */
int __vfio_pci_dma_buf(struct vfio_pci_device *dev, uint32_t index,
		       uint64_t offset, uint64_t length);

#endif /* LIBVFIO_IOMMUFD_IOAS_H */
