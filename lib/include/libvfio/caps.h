/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VFIO info capability chains (region info, IOMMU info, device info).
 *
 * The chain comes from the kernel, but a test suite that trusts it blindly
 * turns a kernel bug into a hang or a wild read.  Every header is checked
 * to lie inside the buffer, offsets must strictly increase (so a loop is
 * impossible) and the walk is bounded.
 */
#ifndef LIBVFIO_CAPS_H
#define LIBVFIO_CAPS_H

#include <stddef.h>
#include <stdint.h>

#include <linux/vfio.h>

#include "sparse_plan.h"

/* A chain longer than this is corrupt: the kernel defines a handful. */
#define VFIO_CAP_MAX_CHAIN 64

/*
 * Find capability @id in the info buffer @info of @len bytes whose first
 * capability is at @first (0: none).  @min_off is the size of the fixed
 * info struct: no capability may start inside it.  Returns 0 and sets
 * *cap, -ENOENT if the chain is valid but lacks @id, or -EINVAL / -ELOOP
 * for a corrupt chain, with vfio_error() saying where.
 */
int vfio_cap_find(const void *info, size_t len, size_t min_off,
		  uint32_t first, uint16_t id,
		  const struct vfio_info_cap_header **cap);

/* Validate the whole chain; returns the number of capabilities or -errno. */
int vfio_cap_validate(const void *info, size_t len, size_t min_off,
		      uint32_t first);

/*
 * Find and validate the sparse-mmap capability of a region info buffer
 * (its areas must fit inside the capability and the buffer) and copy
 * its areas into @areas, room for @max.  Returns how many, -ENOENT when
 * the region has none, -E2BIG for more than @max, or -EINVAL.
 */
int vfio_region_sparse_areas(const struct vfio_region_info *info, size_t len,
			     struct vfio_range *areas, int max);

#endif /* LIBVFIO_CAPS_H */
