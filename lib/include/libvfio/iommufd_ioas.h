/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The native iommufd path: /dev/iommu, an IOAS, VFIO device cdevs bound
 * and attached to it, and the IOAS map calls.  Tests map through
 * vfio_dma_map(); what only iommufd does (a file, a dma-buf) is here.
 */
#ifndef LIBVFIO_IOMMUFD_IOAS_H
#define LIBVFIO_IOMMUFD_IOAS_H

#include <stdint.h>

#include "iova.h"

/* An iommufd and the IOAS allocated in it. */
struct vfio_ioas {
	int fd;
	uint32_t id;
};

/* Open /dev/iommu into @ioas and allocate an IOAS there. */
int iommufd_ioas_open(struct vfio_ioas *ioas);

/*
 * Bind a device cdev to @ioas's iommufd and attach it to the IOAS;
 * *@pt_id gets the page table (HWPT) the kernel attached it through.
 */
int iommufd_attach(struct vfio_ioas *ioas, int device_fd, uint32_t *pt_id);

/* IOMMU_IOAS_IOVA_RANGES, in the form VFIO_IOMMU_GET_INFO gives. */
int iommufd_iova_ranges(struct vfio_ioas *ioas,
			struct vfio_iommu_info *info);

/* IOMMU_IOAS_MAP at a fixed IOVA; a PFNMAP (BAR) vaddr fails EFAULT. */
int iommufd_map(struct vfio_ioas *ioas, void *va, uint64_t iova,
		uint64_t size);
/* IOMMU_IOAS_MAP_FILE: a memfd or a VFIO dma-buf, from @start. */
int __iommufd_map_file(struct vfio_ioas *ioas, int fd, uint64_t start,
		       uint64_t iova, uint64_t size);
void iommufd_map_file(struct vfio_ioas *ioas, int fd, uint64_t start,
		      uint64_t iova, uint64_t size);
/* IOMMU_IOAS_UNMAP; *@done gets how many bytes it removed. */
int iommufd_unmap(struct vfio_ioas *ioas, uint64_t iova, uint64_t size,
		  uint64_t *done);

#endif /* LIBVFIO_IOMMUFD_IOAS_H */
