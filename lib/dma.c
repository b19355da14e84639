// SPDX-License-Identifier: GPL-2.0
/*
 * DMA mapping through the type1 (or iommufd compat) container.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "libvfio.h"

static int read_ranges(const struct vfio_iommu_type1_info *ti, size_t len,
		       struct vfio_iommu_info *info)
{
	const size_t fixed = offsetof(struct vfio_iommu_type1_info_cap_iova_range,
				      iova_ranges);
	const size_t nr_at = offsetof(struct vfio_iommu_type1_info_cap_iova_range,
				      nr_iovas);
	const struct vfio_info_cap_header *h;
	const uint8_t *cap;
	uint32_t nr;
	size_t off;
	int ret;

	if (!(ti->flags & VFIO_IOMMU_INFO_CAPS))
		return 0;
	ret = __vfio_cap_find(ti, len, sizeof(*ti), ti->cap_offset,
			      VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, &h);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return ret;
	/* Maybe only 4-byte aligned (6.1): copy the u64s out, never read in place. */
	cap = (const uint8_t *)h;
	off = cap - (const uint8_t *)ti;
	errno = EINVAL;
	if (len - off < fixed)
		return vfio_set_error("IOVA range capability at %#zx is truncated", off);
	memcpy(&nr, cap + nr_at, sizeof(nr));
	if (nr > (len - off - fixed) / sizeof(info->ranges[0]) ||
	    nr > VFIO_MAX_IOVA_RANGES)
		return vfio_set_error("IOVA range capability claims %u ranges", nr);
	memcpy(info->ranges, cap + fixed, nr * sizeof(info->ranges[0]));
	info->nr_ranges = nr;
	return 0;
}

int __vfio_iommu_info(struct vfio_pci_device *dev, struct vfio_iommu_info *info)
{
	struct vfio_iommu_type1_info *ti;
	uint32_t argsz = sizeof(*ti);
	int ret;

	if (dev->iommufd >= 0)
		return __iommufd_iova_ranges(dev, info);
	memset(info, 0, sizeof(*info));
	for (;;) {
		ti = calloc(1, argsz);
		if (!ti)
			return vfio_set_error("out of memory");
		ti->argsz = argsz;
		if (ioctl(dev->container_fd, VFIO_IOMMU_GET_INFO, ti)) {
			ret = vfio_set_error("VFIO_IOMMU_GET_INFO: %s", strerror(errno));
			free(ti);
			return ret;
		}
		if (ti->argsz <= argsz || ti->argsz > 65536)
			break;
		argsz = ti->argsz;
		free(ti);
	}
	info->pgsizes = ti->iova_pgsizes;
	ret = read_ranges(ti, argsz, info);
	free(ti);
	return ret;
}

int vfio_iova_pick(const struct vfio_iommu_info *info, uint64_t size,
		   uint64_t align, uint64_t *iova)
{
	/* Without ranges, assume the 39-bit space every VT-d offers. */
	struct vfio_iova_range all = { 0, (1ULL << 39) - 1 };
	const struct vfio_iova_range *r = info->nr_ranges ? info->ranges : &all;
	int i, n = info->nr_ranges ? info->nr_ranges : 1;

	for (i = 0; i < n; i++) {
		/* Never IOVA 0: a stray zero address must not hit a mapping. */
		uint64_t start = align_up(r[i].start ? r[i].start : align, align);

		/* start < r.start: align_up() wrapped past 2^64. */
		if (start < r[i].start || start > r[i].end)
			continue;
		if (r[i].end - start >= size - 1) {
			*iova = start;
			return 0;
		}
	}
	errno = ENOSPC;
	return vfio_set_error("no IOVA range holds %#llx bytes aligned to %#llx",
			      (unsigned long long)size, (unsigned long long)align);
}

int __vfio_dma_map(struct vfio_pci_device *dev, void *va, uint64_t iova,
		   uint64_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)va,
		.iova = iova,
		.size = size,
	};

	if (dev->iommufd >= 0)
		return __iommufd_map(dev, va, iova, size);
	if (ioctl(dev->container_fd, VFIO_IOMMU_MAP_DMA, &map))
		return vfio_set_error("VFIO_IOMMU_MAP_DMA(iova %#llx, size %#llx): %s%s",
				      (unsigned long long)iova,
				      (unsigned long long)size, strerror(errno),
				      errno == ENOMEM ? " (RLIMIT_MEMLOCK too low?)" : "");
	return 0;
}

int __vfio_dma_unmap(struct vfio_pci_device *dev, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = size,
	};

	if (dev->iommufd >= 0)
		return __iommufd_unmap(dev, iova, size);
	if (ioctl(dev->container_fd, VFIO_IOMMU_UNMAP_DMA, &unmap))
		return vfio_set_error("VFIO_IOMMU_UNMAP_DMA(iova %#llx): %s",
				      (unsigned long long)iova, strerror(errno));
	return vfio_dma_unmapped("VFIO_IOMMU_UNMAP_DMA", unmap.size, size);
}

int vfio_dma_unmapped(const char *what, uint64_t done, uint64_t size)
{
	if (done == size)
		return 0;
	errno = EIO;
	return vfio_set_error("%s unmapped %#llx of %#llx bytes", what,
			      (unsigned long long)done, (unsigned long long)size);
}
