/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The THP sysfs mode, which on some kernels decides whether huge entries
 * appear; the fault probe records it, and tests change it and put it back.
 */
#ifndef LIBVFIO_THP_H
#define LIBVFIO_THP_H

#include <stddef.h>

#define VFIO_THP_ENABLED "/sys/kernel/mm/transparent_hugepage/enabled"

/*
 * The THP sysfs mode (always, madvise, never) into @out; "absent" and
 * -errno with vfio_error() without (vfio_thp_mode() asserts).
 */
int __vfio_thp_mode(char *out, size_t len);
void vfio_thp_mode(char *out, size_t len);

#endif /* LIBVFIO_THP_H */
