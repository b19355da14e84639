// SPDX-License-Identifier: GPL-2.0
/*
 * IOMMU entries per mapping, from the page sizes the IOMMU offers.
 */
#include <errno.h>

#include "libvfio/assert.h"
#include "libvfio/backing.h"

/* The largest size in @pgsizes that @addr is aligned to and @len holds. */
static uint64_t largest_fit(uint64_t pgsizes, uint64_t addr, uint64_t len)
{
	uint64_t s;

	for (s = 1ULL << 63; s; s >>= 1)
		if ((pgsizes & s) && !(addr & (s - 1)) && s <= len)
			return s;
	return 0;
}

/* The next size above @s in @pgsizes, 0 if none. */
static uint64_t next_size(uint64_t pgsizes, uint64_t s)
{
	uint64_t above = pgsizes & ~((s << 1) - 1);

	return s >> 63 ? 0 : above & -above;
}

int64_t vfio_iommu_entries(uint64_t pgsizes, uint64_t iova, uint64_t pa,
			   uint64_t len)
{
	uint64_t s, next, n;
	int64_t entries = 0;

	if (!pgsizes)
		return vfio_err(-EINVAL, "the IOMMU offers no page size");
	while (len) {
		s = largest_fit(pgsizes, iova | pa, len);
		if (!s)
			return vfio_err(-EINVAL, "iova %#llx, pa %#llx or length %#llx not aligned to the smallest IOMMU page (pgsizes %#llx)",
					(unsigned long long)iova,
					(unsigned long long)pa,
					(unsigned long long)len,
					(unsigned long long)pgsizes);
		/* Pages of @s up to where a larger one could start, at most. */
		n = len / s;
		next = next_size(pgsizes, s);
		if (next && (iova & (next - 1)) && (n * s > next - (iova & (next - 1))))
			n = (next - (iova & (next - 1))) / s;
		entries += n;
		iova += n * s;
		pa += n * s;
		len -= n * s;
	}
	return entries;
}
