// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-bench library core: error reporting and address-space reservations
 * (device selection is in bdf.c).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libvfio.h"

static __thread char last_error[256];

/* Record a reason for the caller; returns -errno to allow "return set()". */
int vfio_set_error(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	errno = err;
	return err ? -err : -EINVAL;
}

/*
 * The library's error convention in one call: record why, leave -@err in
 * errno for callers that look there, and hand @err (a negative errno, as
 * every __foo() returns) back: "return vfio_err(-EINVAL, "...", ...);".
 */
int vfio_err(int err, const char *fmt, ...)
{
	va_list ap;

	if (err >= 0)
		err = -EINVAL;	/* a caller's slip must not read as success */
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	errno = -err;
	return err;
}

const char *vfio_error(void)
{
	return last_error[0] ? last_error : "unknown error";
}

void *mmap_reserve(size_t size, size_t align, size_t offset)
{
	size_t page = getpagesize(), head, tail, len;
	uintptr_t base, va;
	void *p;

	if (!size || align < page || !is_pow2(align) || offset % page) {
		errno = EINVAL;
		vfio_set_error("%s(%#zx, %#zx, %#zx): size must be non-zero, align a power of two >= page, offset page-aligned",
			       __func__, size, align, offset);
		return MAP_FAILED;
	}
	size = align_up(size, page);
	if (size > SIZE_MAX - align) {
		errno = ENOMEM;
		vfio_set_error("%s: %#zx + %#zx overflows", __func__, size, align);
		return MAP_FAILED;
	}
	/* PROT_NONE and NORESERVE: regions can be larger than memory. */
	len = size + align;
	p = mmap(NULL, len, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		vfio_set_error("%s: cannot reserve %#zx bytes: %s",
			       __func__, len, strerror(errno));
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
