/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The native iommufd path: /dev/iommu, an IOAS, VFIO device cdevs bound
 * and attached to it, and the IOAS map calls.  Tests map through
 * vfio_dma_map(); what only iommufd does (a file, a dma-buf) is here.
 */
#ifndef LIBVFIO_IOMMUFD_IOAS_H
#define LIBVFIO_IOMMUFD_IOAS_H

#include <stdint.h>

struct vfio_pci_device;
struct vfio_iommu;
struct vfio_iommu_info;

/* Open /dev/iommu into @iommu and allocate its IOAS. */
int __iommufd_ioas_open(struct vfio_iommu *iommu);

/*
 * Bind a device cdev to @iommu's iommufd and attach it to the IOAS;
 * *@pt_id gets the page table (HWPT) the kernel attached it through.
 */
int __iommufd_attach(struct vfio_iommu *iommu, int device_fd, uint32_t *pt_id);

/* IOMMU_IOAS_IOVA_RANGES, in the form VFIO_IOMMU_GET_INFO gives. */
int __iommufd_iova_ranges(struct vfio_iommu *iommu,
			  struct vfio_iommu_info *info);

/* IOMMU_IOAS_MAP at a fixed IOVA; a PFNMAP (BAR) vaddr fails EFAULT. */
int __iommufd_map(struct vfio_iommu *iommu, void *va, uint64_t iova,
		  uint64_t size);
/* IOMMU_IOAS_MAP_FILE: a memfd or a VFIO dma-buf, from @start. */
int __iommufd_map_file(struct vfio_iommu *iommu, int fd, uint64_t start,
		       uint64_t iova, uint64_t size);
void iommufd_map_file(struct vfio_iommu *iommu, int fd, uint64_t start,
		      uint64_t iova, uint64_t size);
/* IOMMU_IOAS_UNMAP; *@done gets how many bytes it removed. */
int __iommufd_unmap(struct vfio_iommu *iommu, uint64_t iova, uint64_t size,
		    uint64_t *done);

/*
 * VFIO_DEVICE_FEATURE_DMA_BUF: a dma-buf fd for [offset, +length) of
 * region @index, the route by which iommufd maps a BAR.  Returns the fd or
 * -errno (-ENOTTY/-EINVAL: the kernel has no such feature).
 */
int __vfio_pci_dma_buf(struct vfio_pci_device *dev, uint32_t index,
		       uint64_t offset, uint64_t length);

#endif /* LIBVFIO_IOMMUFD_IOAS_H */
