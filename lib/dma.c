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

static int __read_ranges(const struct vfio_iommu_type1_info *ti, size_t len,
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
	if (len - off < fixed)
		return vfio_err(-EINVAL, "IOVA range capability at %#zx is truncated",
				off);
	memcpy(&nr, cap + nr_at, sizeof(nr));
	if (nr > (len - off - fixed) / sizeof(info->ranges[0]) ||
	    nr > VFIO_MAX_IOVA_RANGES)
		return vfio_err(-EINVAL, "IOVA range capability claims %u ranges",
				nr);
	memcpy(info->ranges, cap + fixed, nr * sizeof(info->ranges[0]));
	info->nr_ranges = nr;
	return 0;
}

/* VFIO_IOMMU_GET_INFO with its IOVA-range capability, validated. */
static int __type1_info(int container_fd, struct vfio_iommu_info *info)
{
	struct vfio_iommu_type1_info *ti;
	uint32_t argsz = sizeof(*ti);
	int ret;

	memset(info, 0, sizeof(*info));
	for (;;) {
		ti = calloc(1, argsz);
		if (!ti)
			return vfio_err(-ENOMEM, "out of memory");
		ti->argsz = argsz;
		if (ioctl(container_fd, VFIO_IOMMU_GET_INFO, ti)) {
			ret = vfio_err(-errno, "VFIO_IOMMU_GET_INFO: %s",
				       strerror(errno));
			free(ti);
			return ret;
		}
		if (ti->argsz <= argsz || ti->argsz > 65536)
			break;
		argsz = ti->argsz;
		free(ti);
	}
	info->pgsizes = ti->iova_pgsizes;
	ret = __read_ranges(ti, argsz, info);
	free(ti);
	return ret;
}

int __vfio_iommu_info_read(struct vfio_iommu *iommu)
{
	if (iommu->mode->iommufd)
		return __iommufd_iova_ranges(iommu, &iommu->info);
	return __type1_info(iommu->container_fd, &iommu->info);
}

int __vfio_iova_pick(const struct vfio_iommu_info *info, uint64_t size,
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
	return vfio_err(-ENOSPC, "no IOVA range holds %#llx bytes aligned to %#llx",
			(unsigned long long)size, (unsigned long long)align);
}

uint64_t vfio_iova_pick(const struct vfio_iommu_info *info, uint64_t size,
			uint64_t align)
{
	uint64_t iova = 0;

	VFIO_ASSERT_OK(__vfio_iova_pick(info, size, align, &iova));
	return iova;
}

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
		return __iommufd_map(iommu, va, iova, size);
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

static int __type1_unmap(int container_fd, uint64_t iova, uint64_t size,
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

int __vfio_dma_unmap(struct vfio_iommu *iommu, uint64_t iova, uint64_t size)
{
	bool ioas = iommu->mode->iommufd;
	uint64_t done = 0;
	int ret;

	ret = ioas ? __iommufd_unmap(iommu, iova, size, &done) :
		     __type1_unmap(iommu->container_fd, iova, size, &done);
	if (ret)
		return ret;
	/* An unmap that did less than asked (type1: nothing there) is EIO. */
	if (done != size)
		return vfio_err(-EIO, "%s unmapped %#llx of %#llx bytes",
				ioas ? "IOMMU_IOAS_UNMAP" : "VFIO_IOMMU_UNMAP_DMA",
				(unsigned long long)done,
				(unsigned long long)size);
	return 0;
}

void vfio_dma_unmap(struct vfio_iommu *iommu, uint64_t iova, uint64_t size)
{
	VFIO_ASSERT_OK(__vfio_dma_unmap(iommu, iova, size));
}
