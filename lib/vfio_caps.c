// SPDX-License-Identifier: GPL-2.0
/*
 * Bounded, validated walks of VFIO info capability chains.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "libvfio/assert.h"
#include "libvfio/caps.h"

#define HDR_SIZE sizeof(struct vfio_info_cap_header)

/*
 * Check the header at @off: inside the buffer, past the fixed struct,
 * 4-byte aligned, and its successor, if any, strictly further on.
 * Returns 0 or -EINVAL/-ELOOP.  Only 4: Debian's 6.1 puts the type1
 * IOVA-range capability at 0x44 (later kernels 8-align them), so the
 * u64 fields behind a header are copied out, never read in place.
 */
static int cap_check(const uint8_t *buf, size_t len, size_t min_off,
		     uint32_t off, const struct vfio_info_cap_header **hdr)
{
	const struct vfio_info_cap_header *h;

	if (off < min_off || off % 4 || off > len || len - off < HDR_SIZE)
		return vfio_err(-EINVAL, "capability at offset %#x outside the %zu-byte info buffer (fixed part %zu bytes)",
				off, len, min_off);
	h = (const void *)(buf + off);
	if (h->next && h->next <= off) {
		return vfio_err(-ELOOP, "capability %u at %#x points back to %#x: the chain loops",
				h->id, off, h->next);
	}
	*hdr = h;
	return 0;
}

/* Walk to capability @id (0: to the end); returns how many were seen. */
static int cap_walk(const void *info, size_t len, size_t min_off,
		    uint32_t first, uint16_t id,
		    const struct vfio_info_cap_header **cap)
{
	const struct vfio_info_cap_header *h = NULL;
	uint32_t off;
	int n, ret;

	*cap = NULL;
	for (n = 0, off = first; off; n++, off = h->next) {
		if (n == VFIO_CAP_MAX_CHAIN) {
			return vfio_err(-ELOOP, "capability chain longer than %d entries",
					VFIO_CAP_MAX_CHAIN);
		}
		ret = cap_check(info, len, min_off, off, &h);
		if (ret)
			return ret;
		if (id && h->id == id) {
			*cap = h;
			return n + 1;
		}
	}
	return n;
}

int vfio_cap_find(const void *info, size_t len, size_t min_off,
		  uint32_t first, uint16_t id,
		  const struct vfio_info_cap_header **cap)
{
	int ret = cap_walk(info, len, min_off, first, id, cap);

	if (ret < 0)
		return ret;
	if (!*cap)
		return vfio_err(-ENOENT, "no capability %u in the chain", id);
	return 0;
}

int vfio_cap_validate(const void *info, size_t len, size_t min_off,
		      uint32_t first)
{
	const struct vfio_info_cap_header *h;

	return cap_walk(info, len, min_off, first, 0, &h);
}

int vfio_region_sparse_areas(const struct vfio_region_info *info, size_t len,
			     struct vfio_range *areas, int max)
{
	const size_t fixed = offsetof(struct vfio_region_info_cap_sparse_mmap, areas);
	const size_t nr_at = offsetof(struct vfio_region_info_cap_sparse_mmap, nr_areas);
	struct vfio_region_sparse_mmap_area a;
	const struct vfio_info_cap_header *h;
	const uint8_t *cap;
	size_t off, end;
	uint32_t nr, i;
	int ret;

	if (!(info->flags & VFIO_REGION_INFO_FLAG_CAPS))
		return -ENOENT;
	ret = vfio_cap_find(info, len, sizeof(*info), info->cap_offset,
			    VFIO_REGION_INFO_CAP_SPARSE_MMAP, &h);
	if (ret)
		return ret;
	cap = (const uint8_t *)h;
	off = cap - (const uint8_t *)info;
	/* The areas end at the next capability or the end of the buffer. */
	end = h->next && h->next < len ? h->next : len;
	/* nr_areas itself may lie past the end: check before reading it. */
	if (end - off < fixed)
		return vfio_err(-EINVAL, "sparse-mmap capability at %#zx is truncated",
				off);
	memcpy(&nr, cap + nr_at, sizeof(nr));
	if (nr > (end - off - fixed) / sizeof(a))
		return vfio_err(-EINVAL, "sparse-mmap capability at %#zx claims %u areas but has room for %zu",
				off, nr, (end - off - fixed) / sizeof(a));
	if (nr > (uint32_t)max) {
		return vfio_err(-E2BIG, "sparse-mmap capability at %#zx: %u areas, at most %d supported",
				off, nr, max);
	}
	for (i = 0; i < nr; i++) {
		memcpy(&a, cap + fixed + i * sizeof(a), sizeof(a));
		areas[i].offset = a.offset;
		areas[i].size = a.size;
	}
	return nr;
}
