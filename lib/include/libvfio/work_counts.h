/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exact counts of the work an ioctl did, beside its time: pages pinned,
 * calls into the IOMMU's map, and kernel-mode instructions where a PMU
 * counts them.  Where a kernel change moves a count, it moved for every
 * sample: no statistics needed to see it.
 */
#ifndef LIBVFIO_WORK_COUNTS_H
#define LIBVFIO_WORK_COUNTS_H

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

/* A count that could not be taken; never zero. */
#define VFIO_WORK_ABSENT (-1LL)

struct vfio_work_counter {
	int fd[VFIO_WORK_NR];		/* perf fds; -1 when unavailable */
	char why[VFIO_WORK_NR][96];	/* why a count is unavailable */
	long long start[VFIO_WORK_NR];
	long long delta[VFIO_WORK_NR];
};

/* Open what the kernel and the machine allow; never fails as a whole. */
void vfio_work_counter_open(struct vfio_work_counter *wc);
void vfio_work_counter_close(struct vfio_work_counter *wc);
void vfio_work_counter_start(struct vfio_work_counter *wc);
/* Fill wc->delta[] with what happened since start. */
void vfio_work_counter_stop(struct vfio_work_counter *wc);

#endif /* LIBVFIO_WORK_COUNTS_H */
