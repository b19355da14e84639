// SPDX-License-Identifier: GPL-2.0
/*
 * Alignment policies for device mappings: where a mapping goes (the fault
 * counts that follow are the law's, in fault_law.c).
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "libvfio/assert.h"
#include "libvfio/map_policy.h"
#include "libvfio/mmap.h"
#include "libvfio/page_levels.h"

static const char * const names[VFIO_MAP_NR_POLICIES] = {
	[VFIO_MAP_KERNEL] = "kernel",
	[VFIO_MAP_SIZE] = "size",
	[VFIO_MAP_PA] = "pa",
	[VFIO_MAP_PMD] = "pmd",
	[VFIO_MAP_4K] = "4k",
	[VFIO_MAP_NOHUGE] = "nohuge",
};

const char *vfio_map_policy_name(enum vfio_map_policy p)
{
	return p < VFIO_MAP_NR_POLICIES ? names[p] : "invalid";
}

int vfio_map_policy_parse(const char *name)
{
	int i;

	for (i = 0; i < VFIO_MAP_NR_POLICIES; i++)
		if (!strcmp(names[i], name))
			return i;
	return vfio_err(-EINVAL, "unknown alignment policy '%s' (kernel, size, pa, pmd, 4k, nohuge)",
			name);
}

/*
 * QEMU caps at 1 GiB, x86's PUD, the largest entry a PFN map gets there:
 * a coarser alignment buys no larger entry.  Capped at the PUD here, so
 * that on other geometries (arm64 16 KiB pages: 64 GiB) it means the same.
 */
uint64_t vfio_pci_bar_align(uint64_t size)
{
	uint64_t pud = vfio_pud_size();
	uint64_t a = pow2_ceil(align_up(size, vfio_page_size()));

	return a >= size && a < pud ? a : pud;
}

uint64_t vfio_largest_block(uint64_t pa, uint64_t len)
{
	uint64_t block;
	int i;

	for (i = 0; i < VFIO_LEVEL_PTE; i++) {
		block = vfio_level_size(i);
		if (align_up(pa, block) + block <= pa + len)
			return block;
	}
	/* The base page: mmap() places nothing at a finer alignment. */
	return vfio_page_size();
}

int __vfio_map_policy_place(enum vfio_map_policy p, uint64_t region_size,
			    uint64_t pa, uint64_t off, uint64_t len,
			    struct vfio_placement *out)
{
	uint64_t at = pa + off, block, pmd = vfio_pmd_size();
	uint64_t pud = vfio_pud_size();

	memset(out, 0, sizeof(*out));
	if (!len || off > region_size || len > region_size - off)
		return vfio_err(-EINVAL, "mapping [%#llx, +%#llx) outside a %#llx-byte region",
				(unsigned long long)off, (unsigned long long)len,
				(unsigned long long)region_size);
	if (!pa && p != VFIO_MAP_KERNEL && p != VFIO_MAP_SIZE)
		return vfio_err(-EINVAL, "policy %s needs the physical address",
				vfio_map_policy_name(p));
	block = vfio_largest_block(at, len);
	switch (p) {
	case VFIO_MAP_KERNEL:
		return 0;
	case VFIO_MAP_SIZE:
		out->align = vfio_pci_bar_align(region_size);
		out->phase = off & (out->align - 1);
		break;
	case VFIO_MAP_PA:
	case VFIO_MAP_NOHUGE:
		out->align = block;
		out->phase = at & (block - 1);
		break;
	case VFIO_MAP_PMD:
		/* PMD congruent, one PMD off modulo the PUD: no PUD fits. */
		out->align = pud;
		out->phase = (at + pmd) & (pud - 1);
		break;
	case VFIO_MAP_4K:
		/*
		 * One base page off modulo the PMD: the least mmap() accepts
		 * (16 KiB on an arm64 16k kernel, where 4 KiB would be EINVAL).
		 */
		out->align = pmd;
		out->phase = (at + vfio_page_size()) & (pmd - 1);
		break;
	default:
		return vfio_err(-EINVAL, "invalid policy %d", p);
	}
	out->madvise = p == VFIO_MAP_NOHUGE ? MADV_NOHUGEPAGE : MADV_HUGEPAGE;
	return 0;
}

void vfio_map_policy_place(enum vfio_map_policy p, uint64_t region_size,
			   uint64_t pa, uint64_t off, uint64_t len,
			   struct vfio_placement *out)
{
	VFIO_ASSERT_OK(__vfio_map_policy_place(p, region_size, pa, off, len, out));
}
