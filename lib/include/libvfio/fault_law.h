/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fault law: how many page-table entries, of which level, a fully
 * touched mapping of physical memory ends up with, given where it is
 * mapped and the largest entry the kernel inserts.  With one fault per
 * entry it is also the fault count.  Pure but for the levels, which come
 * from the kernel (page_levels.h).
 */
#ifndef LIBVFIO_FAULT_LAW_H
#define LIBVFIO_FAULT_LAW_H

#include <stdint.h>

/* Page-table entries of a mapping, by level. */
struct vfio_fault_law {
	uint64_t pud;
	uint64_t pmd;
	uint64_t pte;
};

/* Count @n entries of @block bytes (a PUD, a PMD, else a PTE) in @law. */
void vfio_fault_law_add(struct vfio_fault_law *law, uint64_t block, uint64_t n);
/* Add every level of @l to @sum. */
void vfio_fault_law_sum(struct vfio_fault_law *sum,
			const struct vfio_fault_law *l);

/*
 * How many faults touching every page of [va, va + len) takes when the
 * kernel inserts the largest entries congruence allows, up to @max_block
 * (the base page for a kernel without huge PFN faults), mapping @pa at
 * @va: one per entry.  Fills @law (may be NULL) with the split by level.
 */
uint64_t vfio_expected_faults(uint64_t va, uint64_t pa, uint64_t len,
			      uint64_t max_block, struct vfio_fault_law *law);

/* The largest level (PUD, PMD, else the base page) modulo which va and pa agree. */
uint64_t vfio_congruence(uint64_t va, uint64_t pa);

/*
 * The largest level of the law (PUD, PMD, else the base page) that is a
 * size in @sizes (a page-size bitmap, ~0 for any) and at most @limit.
 */
uint64_t vfio_fault_block_max(uint64_t sizes, uint64_t limit);

#endif /* LIBVFIO_FAULT_LAW_H */
