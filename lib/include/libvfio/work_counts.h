/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exact counts of the work an ioctl did, beside its time: pages pinned,
 * calls into the IOMMU's map, and kernel-mode instructions where a PMU
 * counts them.  Where a kernel change moves a count, it moved for every
 * sample: no statistics needed to see it.
 */
#ifndef LIBVFIO_WORK_COUNTS_H
#define LIBVFIO_WORK_COUNTS_H

#include "counters.h"

enum vfio_work_source {
	/*
	 * Pages pinned (FOLL_PIN): /proc/vmstat's nr_foll_pin_acquired.
	 * System-wide: exact in a quiet guest, not beside other pinners.
	 */
	VFIO_WORK_PINS,
	/* Calls of iommu_map() by this thread (kprobe PMU). */
	VFIO_WORK_IOMMU_MAPS,
	/* Instructions this thread retired in kernel mode (hardware PMU). */
	VFIO_WORK_KINSNS,
	VFIO_WORK_NR,
};

/*
 * Open what the kernel and the machine allow into @wc (counters.h:
 * start, stop, close); never fails as a whole.
 */
void vfio_work_counter_open(struct vfio_counters *wc);

#endif /* LIBVFIO_WORK_COUNTS_H */
