/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page-table levels of this kernel: how many bytes one entry maps at
 * the PTE, PMD and PUD level.  x86-64 has 4 KiB, 2 MiB and 1 GiB; arm64
 * with 16 KiB pages 16 KiB, 32 MiB and 64 GiB; with 64 KiB pages 64 KiB,
 * 512 MiB and 4 TiB.  Every size the fault law, the policies and the
 * probe speak of comes from here, never from a constant.
 */
#ifndef LIBVFIO_PAGE_LEVELS_H
#define LIBVFIO_PAGE_LEVELS_H

#include <stdint.h>

/* Largest first, as the law walks them. */
enum vfio_page_level {
	VFIO_LEVEL_PUD,
	VFIO_LEVEL_PMD,
	VFIO_LEVEL_PTE,
	VFIO_LEVEL_NR,
};

/* Bytes one entry maps at @level. */
uint64_t vfio_level_size(enum vfio_page_level level);

/* The base page (PTE), PMD and PUD entry sizes, as shorthands. */
static inline uint64_t vfio_page_size(void)
{
	return vfio_level_size(VFIO_LEVEL_PTE);
}

static inline uint64_t vfio_pmd_size(void)
{
	return vfio_level_size(VFIO_LEVEL_PMD);
}

static inline uint64_t vfio_pud_size(void)
{
	return vfio_level_size(VFIO_LEVEL_PUD);
}

/* The level whose entries map @size bytes, or VFIO_LEVEL_NR for none. */
enum vfio_page_level vfio_level_of(uint64_t size);

/*
 * A name for an entry of @size bytes, as verdicts print it: "PUD (1 GiB)",
 * "PMD (32 MiB)", and the base page by its size alone ("4 KiB",
 * "16 KiB"), as results have always spelled it; "unknown" for a size
 * that is no level.
 */
const char *vfio_level_name(uint64_t size);

/* "4 KiB", "32 MiB", "64 GiB" for @bytes, into @buf. */
const char *vfio_size_name(uint64_t bytes, char *buf, int len);

/*
 * arm64's contiguous-PTE size: bytes one run of PTEs under the
 * contiguous hint maps (64 KiB at 4 KiB pages, 2 MiB at 16 KiB and
 * 64 KiB), or 0 where the instruction set has no such hint (x86).  A
 * hint over a run of base-page entries, not a level: the fault law
 * knows nothing of it, and whether the kernel fills a run of a PFN map
 * at once is measured (fault_probe.h), never assumed.
 */
uint64_t vfio_cont_pte_size(void);
/* PTEs in one arm64 contiguous run at base page @page; 0 for no arm64 page. */
uint64_t vfio_arm64_cont_ptes(uint64_t page);

/*
 * For host tests only: take @page, @pmd and @pud as this kernel's levels,
 * so that the law and the policies can be checked at 16 KiB or 64 KiB
 * geometries on a 4 KiB host.  @page 0 goes back to the kernel's.  What
 * touches memory (vfio_touch_pages, mmap) still goes by the real page.
 */
void vfio_page_levels_set(uint64_t page, uint64_t pmd, uint64_t pud);

#endif /* LIBVFIO_PAGE_LEVELS_H */
