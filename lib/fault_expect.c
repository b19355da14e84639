// SPDX-License-Identifier: GPL-2.0
/*
 * Fault expectations from a probe and the fault law.  See
 * libvfio/fault_expect.h.
 */
#include <stdio.h>
#include <string.h>

#include "libvfio/fault_expect.h"
#include "libvfio/fault_law.h"
#include "libvfio/fault_probe.h"

void vfio_fault_expect_init(const struct vfio_fault_probe *p,
			    struct vfio_fault_expect *e)
{
	memset(e, 0, sizeof(*e));
	if (p->style == VFIO_FAULT_STYLE_PER_ENTRY)
		e->exact = true;
	else if (p->style == VFIO_FAULT_STYLE_WHOLE_VMA)
		e->per_vma = true;
	if (e->per_vma)
		snprintf(e->why, sizeof(e->why), "%s", p->verdict);
	else if (!e->exact)
		snprintf(e->why, sizeof(e->why),
			 "the fault probe could not tell how this kernel faults BARs: %s",
			 p->verdict[0] ? p->verdict : "not run");
}

void vfio_fault_expect_add(const struct vfio_fault_probe *p, int madvise,
			   uint64_t va, uint64_t pa, uint64_t len,
			   struct vfio_fault_expect *e)
{
	struct vfio_fault_law l;

	if (e->per_vma)
		e->faults++;
	if (!e->exact)
		return;
	e->faults += vfio_expected_faults(va, pa, len,
					  vfio_fault_probe_block(p, madvise), &l);
	vfio_fault_law_sum(&e->law, &l);
}

void vfio_fault_expect_plan(const struct vfio_fault_probe *p, int madvise,
			    const struct vfio_sparse_plan *plan, void *const va[],
			    uint64_t pa, struct vfio_fault_expect *e)
{
	int i;

	vfio_fault_expect_init(p, e);
	for (i = 0; i < plan->nr_areas; i++)
		vfio_fault_expect_add(p, madvise, (uintptr_t)va[i],
				      pa + plan->areas[i].offset,
				      plan->areas[i].size, e);
}
