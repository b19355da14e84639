/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Address-space reservations for congruent mappings.
 */
#ifndef LIBVFIO_MMAP_H
#define LIBVFIO_MMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SZ_4K	0x1000ULL
#define SZ_2M	0x200000ULL
#define SZ_1G	0x40000000ULL

static inline bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

/*
 * Smallest power of two >= @x, 1 for 0; 0 above 2^63, where there is no
 * such power in 64 bits (shifting 1 by 64 is undefined, and on x86 gave
 * 1, which a caller would take as the loosest alignment of all).
 */
static inline uint64_t pow2_ceil(uint64_t x)
{
	if (x > 1ULL << 63)
		return 0;
	return x <= 1 ? 1 : 1ULL << (64 - __builtin_clzll(x - 1));
}

static inline uint64_t align_up(uint64_t x, uint64_t align)
{
	return (x + align - 1) & ~(align - 1);
}

/*
 * Reserve @size bytes of address space (PROT_NONE, no memory committed)
 * at an address va with va % align == offset % align.  @align must be a
 * power of two no smaller than a page, @offset page-aligned.  Nothing
 * outside [va, va + size) stays mapped.  Map over the result with
 * MAP_FIXED.  Returns va, or MAP_FAILED with errno and vfio_error() set.
 */
void *mmap_reserve(size_t size, size_t align, size_t offset);

#endif /* LIBVFIO_MMAP_H */
