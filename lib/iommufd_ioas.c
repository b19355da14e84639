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
#include "libvfio/iommufd_ioas.h"

int iommufd_ioas_open(struct vfio_ioas *ioas)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };

	ioas->fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (ioas->fd < 0)
		return vfio_err(-errno, "cannot open /dev/iommu: %s",
				strerror(errno));
	if (ioctl(ioas->fd, IOMMU_IOAS_ALLOC, &alloc))
		return vfio_err(-errno, "IOMMU_IOAS_ALLOC: %s", strerror(errno));
	ioas->id = alloc.out_ioas_id;
	return 0;
}

int iommufd_attach(struct vfio_ioas *ioas, int device_fd, uint32_t *pt_id)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind), .iommufd = ioas->fd,
	};
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach), .pt_id = ioas->id,
	};

	if (ioctl(device_fd, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		return vfio_err(-errno, "VFIO_DEVICE_BIND_IOMMUFD: %s",
				strerror(errno));
	if (ioctl(device_fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach))
		return vfio_err(-errno, "VFIO_DEVICE_ATTACH_IOMMUFD_PT(ioas %u): %s",
				ioas->id, strerror(errno));
	/* The kernel says which page table (HWPT) it put the device in. */
	*pt_id = attach.pt_id;
	return 0;
}

int iommufd_iova_ranges(struct vfio_ioas *ioas,
			struct vfio_iommu_info *info)
{
	struct iommu_iova_range r[VFIO_MAX_IOVA_RANGES];
	struct iommu_ioas_iova_ranges q = {
		.size = sizeof(q), .ioas_id = ioas->id,
		.num_iovas = VFIO_MAX_IOVA_RANGES, .allowed_iovas = (uintptr_t)r,
	};
	uint32_t i;

	memset(info, 0, sizeof(*info));
	if (ioctl(ioas->fd, IOMMU_IOAS_IOVA_RANGES, &q))
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

int iommufd_map(struct vfio_ioas *ioas, void *va, uint64_t iova,
		uint64_t size)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map), .flags = MAP_FLAGS, .ioas_id = ioas->id,
		.user_va = (uintptr_t)va, .length = size, .iova = iova,
	};

	if (ioctl(ioas->fd, IOMMU_IOAS_MAP, &map))
		return vfio_err(-errno, "IOMMU_IOAS_MAP(iova %#llx, size %#llx): %s%s",
				(unsigned long long)iova,
				(unsigned long long)size, strerror(errno),
				errno == EFAULT ?
				" (a BAR cannot be pinned by address: map its dma-buf)" :
				errno == ENOMEM ? " (RLIMIT_MEMLOCK too low?)" : "");
	return 0;
}

int __iommufd_map_file(struct vfio_ioas *ioas, int fd, uint64_t start,
		       uint64_t iova, uint64_t size)
{
	struct iommu_ioas_map_file map = {
		.size = sizeof(map), .flags = MAP_FLAGS, .ioas_id = ioas->id,
		.fd = fd, .start = start, .length = size, .iova = iova,
	};

	if (ioctl(ioas->fd, IOMMU_IOAS_MAP_FILE, &map))
		return vfio_err(-errno, "IOMMU_IOAS_MAP_FILE(iova %#llx, size %#llx): %s",
				(unsigned long long)iova,
				(unsigned long long)size, strerror(errno));
	return 0;
}

void iommufd_map_file(struct vfio_ioas *ioas, int fd, uint64_t start,
		      uint64_t iova, uint64_t size)
{
	VFIO_ASSERT_OK(__iommufd_map_file(ioas, fd, start, iova, size));
}

int iommufd_unmap(struct vfio_ioas *ioas, uint64_t iova, uint64_t size,
		  uint64_t *done)
{
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap), .ioas_id = ioas->id,
		.iova = iova, .length = size,
	};

	if (ioctl(ioas->fd, IOMMU_IOAS_UNMAP, &unmap))
		return vfio_err(-errno, "IOMMU_IOAS_UNMAP(iova %#llx): %s",
				(unsigned long long)iova, strerror(errno));
	*done = unmap.length;
	return 0;
}
