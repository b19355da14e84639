// SPDX-License-Identifier: GPL-2.0
/*
 * iommufd: an IOAS, device cdevs attached to it, and the map calls that
 * pin through it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/iommufd.h>

#include "libvfio/assert.h"
#include "libvfio/vfio_pci_device.h"

int __iommufd_ioas_open(struct vfio_iommu *iommu)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };

	iommu->iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (iommu->iommufd < 0)
		return vfio_err(-errno, "cannot open /dev/iommu: %s",
				strerror(errno));
	if (ioctl(iommu->iommufd, IOMMU_IOAS_ALLOC, &alloc))
		return vfio_err(-errno, "IOMMU_IOAS_ALLOC: %s", strerror(errno));
	iommu->ioas_id = alloc.out_ioas_id;
	return 0;
}

int __iommufd_attach(struct vfio_iommu *iommu, int device_fd, uint32_t *pt_id)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind), .iommufd = iommu->iommufd,
	};
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach), .pt_id = iommu->ioas_id,
	};

	if (ioctl(device_fd, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		return vfio_err(-errno, "VFIO_DEVICE_BIND_IOMMUFD: %s",
				strerror(errno));
	if (ioctl(device_fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach))
		return vfio_err(-errno, "VFIO_DEVICE_ATTACH_IOMMUFD_PT(ioas %u): %s",
				iommu->ioas_id, strerror(errno));
	/* The kernel says which page table (HWPT) it put the device in. */
	*pt_id = attach.pt_id;
	return 0;
}

int __iommufd_iova_ranges(struct vfio_iommu *iommu,
			  struct vfio_iommu_info *info)
{
	struct iommu_iova_range r[VFIO_MAX_IOVA_RANGES];
	struct iommu_ioas_iova_ranges q = {
		.size = sizeof(q), .ioas_id = iommu->ioas_id,
		.num_iovas = VFIO_MAX_IOVA_RANGES, .allowed_iovas = (uintptr_t)r,
	};
	uint32_t i;

	memset(info, 0, sizeof(*info));
	if (ioctl(iommu->iommufd, IOMMU_IOAS_IOVA_RANGES, &q))
		return vfio_err(-errno, "IOMMU_IOAS_IOVA_RANGES: %s%s",
				strerror(errno), errno == EMSGSIZE ?
				" (more ranges than expected)" : "");
	for (i = 0; i < q.num_iovas; i++) {
		info->ranges[i].start = r[i].start;
		info->ranges[i].end = r[i].last;
	}
	info->nr_ranges = q.num_iovas;
	/* The smallest page the IOAS maps: what it can tell of page sizes. */
	info->pgsizes = q.out_iova_alignment;
	return 0;
}

#define MAP_FLAGS (IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE | \
		   IOMMU_IOAS_MAP_READABLE)

int __iommufd_map(struct vfio_iommu *iommu, void *va, uint64_t iova,
		  uint64_t size)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map), .flags = MAP_FLAGS, .ioas_id = iommu->ioas_id,
		.user_va = (uintptr_t)va, .length = size, .iova = iova,
	};

	if (ioctl(iommu->iommufd, IOMMU_IOAS_MAP, &map))
		return vfio_err(-errno, "IOMMU_IOAS_MAP(iova %#llx, size %#llx): %s%s",
				(unsigned long long)iova,
				(unsigned long long)size, strerror(errno),
				errno == EFAULT ?
				" (a BAR cannot be pinned by address: map its dma-buf)" :
				errno == ENOMEM ? " (RLIMIT_MEMLOCK too low?)" : "");
	return 0;
}

int __iommufd_map_file(struct vfio_iommu *iommu, int fd, uint64_t start,
		       uint64_t iova, uint64_t size)
{
	struct iommu_ioas_map_file map = {
		.size = sizeof(map), .flags = MAP_FLAGS, .ioas_id = iommu->ioas_id,
		.fd = fd, .start = start, .length = size, .iova = iova,
	};

	if (ioctl(iommu->iommufd, IOMMU_IOAS_MAP_FILE, &map))
		return vfio_err(-errno, "IOMMU_IOAS_MAP_FILE(iova %#llx, size %#llx): %s",
				(unsigned long long)iova,
				(unsigned long long)size, strerror(errno));
	return 0;
}

void iommufd_map_file(struct vfio_iommu *iommu, int fd, uint64_t start,
		      uint64_t iova, uint64_t size)
{
	VFIO_ASSERT_OK(__iommufd_map_file(iommu, fd, start, iova, size));
}

int __iommufd_unmap(struct vfio_iommu *iommu, uint64_t iova, uint64_t size,
		    uint64_t *done)
{
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap), .ioas_id = iommu->ioas_id,
		.iova = iova, .length = size,
	};

	if (ioctl(iommu->iommufd, IOMMU_IOAS_UNMAP, &unmap))
		return vfio_err(-errno, "IOMMU_IOAS_UNMAP(iova %#llx): %s",
				(unsigned long long)iova, strerror(errno));
	*done = unmap.length;
	return 0;
}

int __vfio_pci_dma_buf(struct vfio_pci_device *dev, uint32_t index,
		       uint64_t offset, uint64_t length)
{
	size_t len = sizeof(struct vfio_device_feature) +
		     sizeof(struct vfio_device_feature_dma_buf) +
		     sizeof(struct vfio_region_dma_range);
	struct vfio_device_feature *f = calloc(1, len);
	struct vfio_device_feature_dma_buf *db;
	int fd;

	if (!f)
		return vfio_err(-ENOMEM, "out of memory");
	f->argsz = len;
	f->flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_BUF;
	db = (void *)f->data;
	db->region_index = index;
	db->open_flags = O_RDWR | O_CLOEXEC;
	db->nr_ranges = 1;
	db->dma_ranges[0].offset = offset;
	db->dma_ranges[0].length = length;
	fd = ioctl(dev->fd, VFIO_DEVICE_FEATURE, f);
	free(f);
	if (fd < 0)
		return vfio_err(-errno, "VFIO_DEVICE_FEATURE_DMA_BUF(region %u): %s%s",
				index, strerror(errno),
				errno == ENOTTY || errno == EINVAL ?
				" (kernel without VFIO dma-buf export?)" : "");
	return fd;
}
