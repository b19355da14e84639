/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Planning the mapping of a region with sparse mmap areas: one aligned
 * reservation for the whole region, the areas mapped over it at their
 * offsets with MAP_FIXED, the gaps between them unmapped.  Pure: no
 * syscalls, so it is tested (and fuzzed) on the host.
 */
#ifndef LIBVFIO_SPARSE_PLAN_H
#define LIBVFIO_SPARSE_PLAN_H

#include <stdint.h>

#define VFIO_PLAN_MAX_AREAS 64

struct vfio_range {
	uint64_t offset;	/* from the start of the region */
	uint64_t size;
};

struct vfio_sparse_plan {
	uint64_t reserve_size;	/* the region rounded up to a page */
	uint64_t align;		/* alignment of the reservation */
	int nr_areas;		/* sorted by offset, to map */
	struct vfio_range areas[VFIO_PLAN_MAX_AREAS];
	int nr_gaps;		/* what lies between them, to unmap */
	struct vfio_range gaps[VFIO_PLAN_MAX_AREAS + 1];
};

/*
 * Plan a region of @region_size bytes with @nr areas in any order.  Areas
 * must be non-empty, page-aligned, inside the region and disjoint.
 * Returns 0 or -EINVAL / -E2BIG with vfio_error() naming the bad area;
 * vfio_sparse_plan() asserts.
 */
int __vfio_sparse_plan(uint64_t region_size, const struct vfio_range *areas,
		       int nr, struct vfio_sparse_plan *plan);
void vfio_sparse_plan(uint64_t region_size, const struct vfio_range *areas,
		      int nr, struct vfio_sparse_plan *plan);

#endif /* LIBVFIO_SPARSE_PLAN_H */
