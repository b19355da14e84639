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
#include "libvfio/page_levels.h"

void vfio_fault_expect_init(const struct vfio_fault_probe *p,
			    struct vfio_fault_expect *e)
{
	memset(e, 0, sizeof(*e));
	if (p->style == VFIO_FAULT_STYLE_PER_ENTRY ||
	    p->style == VFIO_FAULT_STYLE_MIXED)
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

/*
 * A mixed kernel: a VMA of base-page entries only is one population; one of
 * huge entries only takes a fault each; one with both depends on which
 * page is touched first, so no count is promised.
 */
static uint64_t mixed_faults(const struct vfio_fault_law *l, uint64_t n,
			     struct vfio_fault_expect *e)
{
	if (!l->pte)
		return n;
	if (!l->pmd && !l->pud)
		return 1;
	e->exact = false;
	snprintf(e->why, sizeof(e->why),
		 "a VMA of %llu %s and %llu huge entries on a kernel that populates %s VMAs at once: the count depends on the order of the touches",
		 (unsigned long long)l->pte, vfio_level_name(vfio_page_size()),
		 (unsigned long long)(l->pmd + l->pud),
		 vfio_level_name(vfio_page_size()));
	return 0;
}

void vfio_fault_expect_add(const struct vfio_fault_probe *p, int madvise,
			   uint64_t va, uint64_t pa, uint64_t len,
			   struct vfio_fault_expect *e)
{
	struct vfio_fault_law l;
	uint64_t n;

	if (e->per_vma)
		e->faults++;
	if (!e->exact)
		return;
	n = vfio_expected_faults(va, pa, len, vfio_fault_probe_block(p, madvise),
				 &l);
	if (p->style == VFIO_FAULT_STYLE_MIXED)
		n = mixed_faults(&l, n, e);
	e->faults += n;
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
