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
	const struct vfio_region_info_cap_sparse_mmap *s;
	const struct vfio_info_cap_header *h;
	struct vfio_region_info *info;
	uint32_t i, sum = 0;

	if (size < sizeof(*info))
		return 0;
	/* An exact-size copy, so any read past the end is caught. */
	info = malloc(size);
	memcpy(info, data, size);
	vfio_cap_validate(info, size, sizeof(*info), info->cap_offset);
	vfio_cap_find(info, size, sizeof(*info), info->cap_offset,
		      VFIO_REGION_INFO_CAP_TYPE, &h);
	if (!vfio_region_sparse_areas(info, size, &s))
		for (i = 0; i < s->nr_areas; i++)
			sum += s->areas[i].offset + s->areas[i].size;
	free(info);
	return sum == 0xdeadbeef;
}
