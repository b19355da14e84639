/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whether the faults the kernel takes on the thread's behalf (GUP: the
 * pinning inside VFIO_IOMMU_MAP_DMA) count in ru_minflt, for a memory
 * backing, measured on the running kernel.  They do where GUP faults go
 * through handle_mm_fault(), which accounts them; a hugetlb GUP path
 * that faults pages in by itself (Debian's 6.1) counts none, and an
 * expected fault count there would be a false failure.
 */
#ifndef LIBVFIO_GUP_FAULTS_H
#define LIBVFIO_GUP_FAULTS_H

#include "backing.h"

/*
 * 1 if a GUP fault on an untouched page of @b counts in ru_minflt, 0 if
 * not, -errno when it cannot be measured (no page free), with
 * vfio_error().  Measured once per backing: a read of one untouched page
 * through /proc/self/mem, which the kernel faults in by GUP.
 */
int vfio_gup_faults_counted(enum vfio_backing b);

#endif /* LIBVFIO_GUP_FAULTS_H */
