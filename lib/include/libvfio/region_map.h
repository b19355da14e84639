/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mapping a region, whole or sparse, at the place a policy chose.
 */
#ifndef LIBVFIO_REGION_MAP_H
#define LIBVFIO_REGION_MAP_H

#include <stdint.h>

#include "map_policy.h"
#include "sparse_plan.h"

/*
 * Map the areas of @plan from @fd, whose region starts at @fd_offset,
 * with protection @prot.  With a placement alignment, one reservation
 * holds the whole region and each area sits at its offset in it, the
 * gaps unmapped; without (VFIO_MAP_KERNEL), each area is a plain
 * mmap(NULL).  The placement's madvise is applied and must succeed.
 * On success va[i] is area i's address; on failure (-errno with
 * vfio_error(); vfio_region_map() asserts) nothing stays mapped.
 */
int __vfio_region_map(int fd, uint64_t fd_offset,
		      const struct vfio_sparse_plan *plan,
		      const struct vfio_placement *pl, int prot, void *va[]);
void vfio_region_map(int fd, uint64_t fd_offset,
		     const struct vfio_sparse_plan *plan,
		     const struct vfio_placement *pl, int prot, void *va[]);
void vfio_region_unmap(const struct vfio_sparse_plan *plan, void *va[]);
/* Read every page of the mapped areas, never the gaps between them. */
void vfio_region_touch(const struct vfio_sparse_plan *plan, void *const va[]);

#endif /* LIBVFIO_REGION_MAP_H */
