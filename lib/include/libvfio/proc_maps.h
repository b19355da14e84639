/* SPDX-License-Identifier: GPL-2.0 */
/*
 * This process's VMAs, from /proc/self/maps: what tests assert mappings
 * and leaks against.
 */
#ifndef LIBVFIO_PROC_MAPS_H
#define LIBVFIO_PROC_MAPS_H

#include <stdbool.h>
#include <stdint.h>

struct vfio_vma {
	uint64_t start;
	uint64_t end;
	uint64_t pgoff;		/* file offset in bytes */
	char perms[8];		/* "rw-s" */
};

/* Fill @vma with the VMA containing @va; false if @va is unmapped. */
bool vfio_vma_find(const void *va, struct vfio_vma *vma);

/*
 * Count the VMAs and the bytes they span; -errno with vfio_error() if
 * maps is unreadable (vfio_vma_totals() asserts).
 */
int __vfio_vma_totals(uint64_t *nr, uint64_t *bytes);
void vfio_vma_totals(uint64_t *nr, uint64_t *bytes);

#endif /* LIBVFIO_PROC_MAPS_H */
