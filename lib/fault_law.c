// SPDX-License-Identifier: GPL-2.0
/*
 * The fault law: page-table entries by level for a congruent mapping.
 * See libvfio/fault_law.h.
 */
#include <stddef.h>

#include "kselftest.h"
#include "libvfio/fault_law.h"
#include "libvfio/mmap.h"

/* The levels of the law, largest first: x86-64 PUD, PMD and PTE. */
static const uint64_t levels[] = { SZ_1G, SZ_2M, SZ_4K };

void vfio_fault_law_add(struct vfio_fault_law *law, uint64_t block, uint64_t n)
{
	if (block == SZ_1G)
		law->pud += n;
	else if (block == SZ_2M)
		law->pmd += n;
	else
		law->pte += n;
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
	size_t i;

	for (i = 0; i < ARRAY_SIZE(levels) - 1; i++)
		if ((sizes & levels[i]) && levels[i] <= limit)
			return levels[i];
	return SZ_4K;
}

uint64_t vfio_congruence(uint64_t va, uint64_t pa)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(levels) - 1; i++)
		if (!((va ^ pa) & (levels[i] - 1)))
			return levels[i];
	return SZ_4K;
}

/* Blocks that fit congruently at the largest level, the rest below. */
static void fault_law(uint64_t va, uint64_t pa, uint64_t len,
		      uint64_t max_block, struct vfio_fault_law *law)
{
	uint64_t block, start, end, top = vfio_congruence(va, pa);

	for (block = max_block < top ? max_block : top; block > SZ_4K;
	     block /= 512) {
		start = align_up(va, block);
		end = (va + len) & ~(block - 1);
		if (end <= start)
			continue;
		vfio_fault_law_add(law, block, (end - start) / block);
		fault_law(va, pa, start - va, block / 512, law);
		fault_law(end, pa + (end - va), va + len - end, block / 512, law);
		return;
	}
	vfio_fault_law_add(law, SZ_4K, align_up(len, SZ_4K) / SZ_4K);
}

uint64_t vfio_expected_faults(uint64_t va, uint64_t pa, uint64_t len,
			      uint64_t max_block, struct vfio_fault_law *law)
{
	struct vfio_fault_law l = { 0 };

	fault_law(va, pa, len, max_block, &l);
	if (law)
		*law = l;
	return l.pud + l.pmd + l.pte;
}
