// SPDX-License-Identifier: GPL-2.0
/*
 * The fault law: page-table entries by level for a congruent mapping.
 * See libvfio/fault_law.h.
 */
#include "libvfio/fault_law.h"
#include "libvfio/mmap.h"
#include "libvfio/page_levels.h"

void vfio_fault_law_add(struct vfio_fault_law *law, uint64_t block, uint64_t n)
{
	switch (vfio_level_of(block)) {
	case VFIO_LEVEL_PUD:
		law->pud += n;
		break;
	case VFIO_LEVEL_PMD:
		law->pmd += n;
		break;
	default:
		law->pte += n;
	}
}

void vfio_fault_law_sum(struct vfio_fault_law *sum,
			const struct vfio_fault_law *l)
{
	sum->pud += l->pud;
	sum->pmd += l->pmd;
	sum->pte += l->pte;
}

uint64_t vfio_fault_block_max(uint64_t sizes, uint64_t limit)
{
	uint64_t size;
	int i;

	for (i = 0; i < VFIO_LEVEL_PTE; i++) {
		size = vfio_level_size(i);
		if ((sizes & size) && size <= limit)
			return size;
	}
	return vfio_page_size();
}

uint64_t vfio_congruence(uint64_t va, uint64_t pa)
{
	uint64_t size;
	int i;

	for (i = 0; i < VFIO_LEVEL_PTE; i++) {
		size = vfio_level_size(i);
		if (!((va ^ pa) & (size - 1)))
			return size;
	}
	return vfio_page_size();
}

/*
 * Blocks that fit congruently at the largest level, the rest at the
 * levels below (@level on): each level's entries, by the kernel's sizes.
 */
static void fault_law(uint64_t va, uint64_t pa, uint64_t len, int level,
		      uint64_t max_block, struct vfio_fault_law *law)
{
	uint64_t block, start, end, top = vfio_congruence(va, pa);
	uint64_t page = vfio_page_size();

	for (; level < VFIO_LEVEL_PTE; level++) {
		block = vfio_level_size(level);
		if (block > max_block || block > top)
			continue;
		start = align_up(va, block);
		end = (va + len) & ~(block - 1);
		if (end <= start)
			continue;
		vfio_fault_law_add(law, block, (end - start) / block);
		fault_law(va, pa, start - va, level + 1, max_block, law);
		fault_law(end, pa + (end - va), va + len - end, level + 1,
			  max_block, law);
		return;
	}
	vfio_fault_law_add(law, page, align_up(len, page) / page);
}

uint64_t vfio_expected_faults(uint64_t va, uint64_t pa, uint64_t len,
			      uint64_t max_block, struct vfio_fault_law *law)
{
	struct vfio_fault_law l = { 0 };

	fault_law(va, pa, len, VFIO_LEVEL_PUD, max_block, &l);
	if (law)
		*law = l;
	return l.pud + l.pmd + l.pte;
}
