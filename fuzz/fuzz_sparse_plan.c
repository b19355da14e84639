// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz the sparse-mmap planner: whatever it accepts must be a plan whose
 * areas and gaps tile the reservation exactly, in order.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libvfio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_tiling(const struct vfio_sparse_plan *p)
{
	uint64_t at = 0;
	int a = 0, g = 0;

	/* Walk areas and gaps in offset order: no hole, no overlap. */
	while (a < p->nr_areas || g < p->nr_gaps) {
		if (a < p->nr_areas && p->areas[a].offset == at)
			at += p->areas[a++].size;
		else if (g < p->nr_gaps && p->gaps[g].offset == at)
			at += p->gaps[g++].size;
		else
			abort();
	}
	if (at != p->reserve_size)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vfio_range areas[VFIO_PLAN_MAX_AREAS + 2];
	static struct vfio_sparse_plan plan;
	uint64_t region;
	int nr;

	if (size < sizeof(region))
		return 0;
	memcpy(&region, data, sizeof(region));
	data += sizeof(region);
	size -= sizeof(region);
	nr = size / sizeof(areas[0]);
	if (nr > (int)ARRAY_SIZE(areas))
		nr = ARRAY_SIZE(areas);
	memcpy(areas, data, nr * sizeof(areas[0]));
	if (!__vfio_sparse_plan(region, areas, nr, &plan))
		check_tiling(&plan);
	return 0;
}
