// SPDX-License-Identifier: GPL-2.0
/*
 * Address-space reservations: an oversized PROT_NONE range, trimmed to
 * the congruent part that is asked for.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libvfio/assert.h"
#include "libvfio/mmap.h"

void *mmap_reserve(size_t size, size_t align, size_t offset)
{
	size_t page = getpagesize(), head, tail, len;
	uintptr_t base, va;
	void *p;

	if (!size || align < page || !is_pow2(align) || offset % page) {
		vfio_err(-EINVAL, "%s(%#zx, %#zx, %#zx): size must be non-zero, align a power of two >= page, offset page-aligned",
			 __func__, size, align, offset);
		return MAP_FAILED;
	}
	/* Rounded up to a page and padded by @align, the size must not wrap. */
	if (size > SIZE_MAX - align - (page - 1)) {
		vfio_err(-ENOMEM, "%s: %#zx + %#zx overflows", __func__, size,
			 align);
		return MAP_FAILED;
	}
	size = align_up(size, page);
	/* PROT_NONE and NORESERVE: regions can be larger than memory. */
	len = size + align;
	p = mmap(NULL, len, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		vfio_err(-errno, "%s: cannot reserve %#zx bytes: %s", __func__,
			 len, strerror(errno));
		return MAP_FAILED;
	}
	base = (uintptr_t)p;
	va = base + ((offset - base) & (align - 1));
	head = va - base;
	tail = len - head - size;
	if (head)
		munmap(p, head);
	if (tail)
		munmap((void *)(va + size), tail);
	return (void *)va;
}
