// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz the capability-chain walker with region info as the kernel might
 * return it, corrupt in any way.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libvfio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vfio_range areas[VFIO_PLAN_MAX_AREAS];
	const struct vfio_info_cap_header *h;
	struct vfio_region_info *info;
	uint64_t sum = 0;
	int i, n;

	if (size < sizeof(*info))
		return 0;
	/* An exact-size copy, so any read past the end is caught. */
	info = malloc(size);
	memcpy(info, data, size);
	vfio_cap_validate(info, size, sizeof(*info), info->cap_offset);
	vfio_cap_find(info, size, sizeof(*info), info->cap_offset,
		      VFIO_REGION_INFO_CAP_TYPE, &h);
	n = vfio_region_sparse_areas(info, size, areas, VFIO_PLAN_MAX_AREAS);
	for (i = 0; i < n; i++)
		sum += areas[i].offset + areas[i].size;
	free(info);
	return sum == 0xdeadbeef;
}
