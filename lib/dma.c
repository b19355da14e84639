// SPDX-License-Identifier: GPL-2.0
/*
 * DMA mappings through an IOMMU context: its IOVA space, map and unmap,
 * by the type1 container ioctls or, in the native iommufd mode, the IOAS.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "libvfio/assert.h"
#include "libvfio/caps.h"
#include "libvfio/iommu.h"
#include "libvfio/iommufd_ioas.h"
#include "libvfio/mmap.h"

int __vfio_dma_map(struct vfio_iommu *iommu, void *va, uint64_t iova,
		   uint64_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)va,
		.iova = iova,
		.size = size,
	};

	if (iommu->mode->iommufd)
		return iommufd_map(&iommu->ioas, va, iova, size);
	if (ioctl(iommu->container_fd, VFIO_IOMMU_MAP_DMA, &map))
		return vfio_err(-errno, "VFIO_IOMMU_MAP_DMA(iova %#llx, size %#llx): %s%s",
				(unsigned long long)iova,
				(unsigned long long)size, strerror(errno),
				errno == ENOMEM ? " (RLIMIT_MEMLOCK too low?)" : "");
	return 0;
}

void vfio_dma_map(struct vfio_iommu *iommu, void *va, uint64_t iova,
		  uint64_t size)
{
	VFIO_ASSERT_OK(__vfio_dma_map(iommu, va, iova, size));
}

static int type1_unmap(int container_fd, uint64_t iova, uint64_t size,
		       uint64_t *done)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = size,
	};

	if (ioctl(container_fd, VFIO_IOMMU_UNMAP_DMA, &unmap))
		return vfio_err(-errno, "VFIO_IOMMU_UNMAP_DMA(iova %#llx): %s",
				(unsigned long long)iova, strerror(errno));
	*done = unmap.size;
	return 0;
}

/*
 * The kernel's answer, as it gave it: its errno, and the bytes it says it
 * unmapped, which may be fewer than asked (type1 unmaps nothing where
 * nothing is mapped, and says so with 0 bytes, not an error).
 */
int __vfio_dma_unmap(struct vfio_iommu *iommu, uint64_t iova, uint64_t size,
		     uint64_t *unmapped)
{
	uint64_t done = 0;
	int ret;

	if (iommu->mode->iommufd)
		ret = iommufd_unmap(&iommu->ioas, iova, size, &done);
	else
		ret = type1_unmap(iommu->container_fd, iova, size, &done);
	if (unmapped)
		*unmapped = done;
	return ret;
}

/* A test that unmaps what it mapped wants all of it gone. */
void vfio_dma_unmap(struct vfio_iommu *iommu, uint64_t iova, uint64_t size)
{
	uint64_t unmapped;

	VFIO_ASSERT_OK(__vfio_dma_unmap(iommu, iova, size, &unmapped));
	VFIO_ASSERT_EQ(unmapped, size, "unmap of IOVA %#llx",
		       (unsigned long long)iova);
}
