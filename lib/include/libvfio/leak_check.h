/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Leak checks: what a test case must give back before it ends.
 */
#ifndef LIBVFIO_LEAK_CHECK_H
#define LIBVFIO_LEAK_CHECK_H

#include <stdint.h>

struct vfio_leak_snapshot {
	uint64_t vmas;		/* mappings in /proc/self/maps */
	uint64_t vma_bytes;
	int fds;		/* open file descriptors */
	long locked_kb;		/* VmLck: type1 accounts pinned pages here */
	long pinned_kb;		/* VmPin: iommufd's pinned pages */
};

int __vfio_leak_snapshot(struct vfio_leak_snapshot *s);
void vfio_leak_snapshot(struct vfio_leak_snapshot *s);

/*
 * Compare with a snapshot taken before the case: 0 when nothing grew,
 * else -EBUSY with one line in vfio_error() naming what stayed behind.
 */
int __vfio_leak_check(const struct vfio_leak_snapshot *before);
void vfio_leak_check(const struct vfio_leak_snapshot *before);

#endif /* LIBVFIO_LEAK_CHECK_H */
