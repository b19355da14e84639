// SPDX-License-Identifier: GPL-2.0
/*
 * Carrying out a sparse plan: reserve, overlay, unmap the gaps.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "libvfio/assert.h"
#include "libvfio/faults.h"
#include "libvfio/mmap.h"
#include "libvfio/region_map.h"
#include "libvfio/thp.h"

static int map_areas(int fd, uint64_t fd_offset,
		     const struct vfio_sparse_plan *plan, uint8_t *base,
		     int prot, void *va[])
{
	int i, flags = MAP_SHARED | (base ? MAP_FIXED : 0);

	for (i = 0; i < plan->nr_areas; i++) {
		const struct vfio_range *a = &plan->areas[i];

		va[i] = mmap(base ? base + a->offset : NULL, a->size, prot,
			     flags, fd, fd_offset + a->offset);
		if (va[i] == MAP_FAILED) {
			va[i] = NULL;
			return vfio_err(-errno, "mmap of [%#llx, +%#llx) at fd offset %#llx: %s",
					(unsigned long long)a->offset,
					(unsigned long long)a->size,
					(unsigned long long)(fd_offset + a->offset),
					strerror(errno));
		}
	}
	return 0;
}

static int advise_areas(const struct vfio_sparse_plan *plan, int advice,
			void *va[])
{
	int i, ret = 0;

	for (i = 0; !ret && i < plan->nr_areas; i++)
		ret = vfio_thp_advise(va[i], plan->areas[i].size, advice);
	return ret;
}

int __vfio_region_map(int fd, uint64_t fd_offset,
		      const struct vfio_sparse_plan *plan,
		      const struct vfio_placement *pl, int prot, void *va[])
{
	uint8_t *base = NULL;
	int i, ret;

	memset(va, 0, plan->nr_areas * sizeof(va[0]));
	if (pl->align) {
		base = mmap_reserve(plan->reserve_size, pl->align, pl->phase);
		if (base == (void *)MAP_FAILED)
			return -errno;
		/* The overlays replace the reservation; the gaps must go. */
		for (i = 0; i < plan->nr_gaps; i++)
			munmap(base + plan->gaps[i].offset, plan->gaps[i].size);
	}
	ret = map_areas(fd, fd_offset, plan, base, prot, va);
	if (ret)
		goto err;
	ret = advise_areas(plan, pl->madvise, va);
	if (ret)
		goto err;
	return 0;
err:
	vfio_region_unmap(plan, va);
	if (base)
		munmap(base, plan->reserve_size);
	return ret;
}

void vfio_region_map(int fd, uint64_t fd_offset,
		     const struct vfio_sparse_plan *plan,
		     const struct vfio_placement *pl, int prot, void *va[])
{
	VFIO_ASSERT_OK(__vfio_region_map(fd, fd_offset, plan, pl, prot, va));
}

void vfio_region_unmap(const struct vfio_sparse_plan *plan, void *va[])
{
	int i;

	for (i = 0; i < plan->nr_areas; i++) {
		if (va[i])
			munmap(va[i], plan->areas[i].size);
		va[i] = NULL;
	}
}

void vfio_region_touch(const struct vfio_sparse_plan *plan, void *const va[])
{
	int i;

	for (i = 0; i < plan->nr_areas; i++)
		vfio_touch_pages(va[i], plan->areas[i].size, false);
}
