/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Alignment policies: where in the address space a mapping of a device
 * region is placed, and so which page-table levels the kernel can use.
 */
#ifndef LIBVFIO_MAP_POLICY_H
#define LIBVFIO_MAP_POLICY_H

#include <stdbool.h>
#include <stdint.h>

enum vfio_map_policy {
	VFIO_MAP_KERNEL,	/* mmap(NULL): whatever the kernel picks */
	VFIO_MAP_SIZE,		/* region at min(pow2ceil(size), PUD), as QEMU */
	VFIO_MAP_PA,		/* va == pa mod the largest block that fits */
	VFIO_MAP_PMD,		/* va == pa mod the PMD size, never mod the PUD */
	/*
	 * va == pa mod one base page, never mod the PMD size: "4k" by
	 * name, from x86, whatever the page (16 KiB on arm64 16k).
	 */
	VFIO_MAP_4K,
	VFIO_MAP_NOHUGE,	/* as VFIO_MAP_PA, then MADV_NOHUGEPAGE */
	VFIO_MAP_NR_POLICIES,
};

/* Where a reservation goes: va % align == phase, then MAP_FIXED over it. */
struct vfio_placement {
	uint64_t align;		/* 0: no reservation, plain mmap(NULL) */
	uint64_t phase;
	int madvise;		/* MADV_HUGEPAGE, MADV_NOHUGEPAGE or 0 */
};

const char *vfio_map_policy_name(enum vfio_map_policy p);
/* The policy called @name, or -EINVAL with vfio_error(). */
int vfio_map_policy_parse(const char *name);

/*
 * Place a mapping of @len bytes starting @off bytes into a region of
 * @region_size bytes whose first byte is at physical address @pa (0 when
 * unknown: only VFIO_MAP_KERNEL and VFIO_MAP_SIZE work without it).
 * 0 or -EINVAL with vfio_error(); vfio_map_policy_place() asserts.
 */
int __vfio_map_policy_place(enum vfio_map_policy p, uint64_t region_size,
			    uint64_t pa, uint64_t off, uint64_t len,
			    struct vfio_placement *out);
void vfio_map_policy_place(enum vfio_map_policy p, uint64_t region_size,
			   uint64_t pa, uint64_t off, uint64_t len,
			   struct vfio_placement *out);

/*
 * Alignment a whole-BAR (or whole-region) mapping asks for: its size
 * rounded up to a power of two, at most the PUD size (1 GiB on x86, as
 * QEMU does).
 */
uint64_t vfio_pci_bar_align(uint64_t size);

/*
 * The largest page-table block (PUD, PMD, else the base page) of
 * which a whole, naturally aligned copy lies inside [pa, pa + len).
 */
uint64_t vfio_largest_block(uint64_t pa, uint64_t len);

#endif /* LIBVFIO_MAP_POLICY_H */
