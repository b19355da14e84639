/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The largest mmappable BAR of a device, and the largest area of it:
 * what the fault probe measures and what peer-to-peer DMA cares about.
 */
#ifndef LIBVFIO_LARGEST_BAR_H
#define LIBVFIO_LARGEST_BAR_H

#include "sparse_plan.h"

struct vfio_pci_device;
struct vfio_pci_bar;

/* The largest mmappable BAR, or -1 when there is none. */
int vfio_pci_largest_bar(const struct vfio_pci_device *dev);

/* The largest sparse area of @b, or all of it when it is not sparse. */
struct vfio_range vfio_bar_largest_area(const struct vfio_pci_bar *b);

#endif /* LIBVFIO_LARGEST_BAR_H */
