/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault expectations: what touching a mapping should take on this
 * kernel, the fault law applied with the largest entry the fault probe
 * measured.  Every expected fault count in the suite comes from here.
 */
#ifndef LIBVFIO_FAULT_EXPECT_H
#define LIBVFIO_FAULT_EXPECT_H

#include <stdbool.h>
#include <stdint.h>

#include "fault_law.h"
#include "fault_probe.h"
#include "sparse_plan.h"

/* What touching every page of a mapping should take. */
struct vfio_fault_expect {
	bool exact;		/* faults and law hold exactly (+1 slack) */
	bool per_vma;		/* one fault per VMA; law unknown */
	uint64_t faults;
	struct vfio_fault_law law;
	char why[512];		/* when not exact: why not */
};

/*
 * Add to @e the expectation for [va, va + len) mapping @pa with advice
 * @madvise, as the probe measured this kernel to behave.  Start from a
 * zeroed @e with exact and per_vma set by vfio_fault_expect_init().
 */
void vfio_fault_expect_init(const struct vfio_fault_probe *p,
			    struct vfio_fault_expect *e);
void vfio_fault_expect_add(const struct vfio_fault_probe *p, int madvise,
			   uint64_t va, uint64_t pa, uint64_t len,
			   struct vfio_fault_expect *e);
/* The same over every area of a mapped plan (@va[i] is area i's address). */
void vfio_fault_expect_plan(const struct vfio_fault_probe *p, int madvise,
			    const struct vfio_sparse_plan *plan, void *const va[],
			    uint64_t pa, struct vfio_fault_expect *e);

#endif /* LIBVFIO_FAULT_EXPECT_H */
