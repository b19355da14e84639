// SPDX-License-Identifier: GPL-2.0
/*
 * Picking the largest mmappable BAR, and the largest area of a sparse one.
 */
#include "libvfio/largest_bar.h"
#include "libvfio/vfio_pci_device.h"

int vfio_pci_largest_bar(const struct vfio_pci_device *dev)
{
	int i, best = -1;

	for (i = 0; i < VFIO_PCI_NUM_BARS; i++)
		if ((dev->bars[i].flags & VFIO_REGION_INFO_FLAG_MMAP) &&
		    (best < 0 || dev->bars[i].size > dev->bars[best].size))
			best = i;
	return best;
}

struct vfio_range vfio_bar_largest_area(const struct vfio_pci_bar *b)
{
	struct vfio_range r = { 0, b->sparse ? 0 : b->size };
	int i;

	for (i = 0; b->sparse && i < b->nr_sparse_areas; i++)
		if (b->sparse_areas[i].size > r.size)
			r = b->sparse_areas[i];
	return r;
}
