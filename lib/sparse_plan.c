// SPDX-License-Identifier: GPL-2.0
/*
 * The sparse-mmap planner: validate areas, sort them, find the gaps.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libvfio/assert.h"
#include "libvfio/map_policy.h"
#include "libvfio/mmap.h"
#include "libvfio/page_levels.h"
#include "libvfio/sparse_plan.h"

static int range_cmp(const void *a, const void *b)
{
	const struct vfio_range *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int check_area(uint64_t region_size, const struct vfio_range *r, int i)
{
	if (!r->size)
		return vfio_err(-EINVAL, "sparse area %d at %#llx is empty", i,
				(unsigned long long)r->offset);
	if ((r->offset | r->size) & (vfio_page_size() - 1))
		return vfio_err(-EINVAL, "sparse area %d [%#llx, +%#llx) is not page-aligned",
				i, (unsigned long long)r->offset,
				(unsigned long long)r->size);
	if (r->offset >= region_size || r->size > region_size - r->offset)
		return vfio_err(-EINVAL, "sparse area %d [%#llx, +%#llx) lies outside the %#llx-byte region",
				i, (unsigned long long)r->offset,
				(unsigned long long)r->size,
				(unsigned long long)region_size);
	return 0;
}

static void add_gap(struct vfio_sparse_plan *plan, uint64_t from, uint64_t to)
{
	if (to > from)
		plan->gaps[plan->nr_gaps++] = (struct vfio_range){ from, to - from };
}

int __vfio_sparse_plan(uint64_t region_size, const struct vfio_range *areas,
		       int nr, struct vfio_sparse_plan *plan)
{
	struct vfio_range *a = plan->areas;
	uint64_t end = 0;
	int i, ret;

	memset(plan, 0, sizeof(*plan));
	if (nr < 0 || nr > VFIO_PLAN_MAX_AREAS)
		return vfio_err(-E2BIG, "%d sparse areas: at most %d supported",
				nr, VFIO_PLAN_MAX_AREAS);
	if (!region_size || region_size > UINT64_MAX - vfio_pud_size())
		return vfio_err(-EINVAL, "region size %#llx is not mappable",
				(unsigned long long)region_size);
	for (i = 0; i < nr; i++) {
		ret = check_area(region_size, &areas[i], i);
		if (ret)
			return ret;
	}
	memcpy(a, areas, nr * sizeof(*a));
	qsort(a, nr, sizeof(*a), range_cmp);
	for (i = 0; i < nr; i++) {
		if (a[i].offset < end) {
			return vfio_err(-EINVAL, "sparse areas [%#llx, +%#llx) and [%#llx, +%#llx) overlap",
					(unsigned long long)a[i - 1].offset,
					(unsigned long long)a[i - 1].size,
					(unsigned long long)a[i].offset,
					(unsigned long long)a[i].size);
		}
		add_gap(plan, end, a[i].offset);
		end = a[i].offset + a[i].size;
	}
	plan->nr_areas = nr;
	plan->reserve_size = align_up(region_size, vfio_page_size());
	add_gap(plan, end, plan->reserve_size);
	plan->align = vfio_pci_bar_align(region_size);
	return 0;
}

void vfio_sparse_plan(uint64_t region_size, const struct vfio_range *areas,
		      int nr, struct vfio_sparse_plan *plan)
{
	VFIO_ASSERT_OK(__vfio_sparse_plan(region_size, areas, nr, plan));
}
