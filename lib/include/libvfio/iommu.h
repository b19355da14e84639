/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IOMMU back ends a device can be opened with.
 */
#ifndef LIBVFIO_IOMMU_H
#define LIBVFIO_IOMMU_H

#include <stdbool.h>

/*
 * Tests add one FIXTURE_VARIANT per mode, named after it; a mode the
 * running kernel lacks is skipped with vfio_iommu_mode_check()'s reason.
 */
struct vfio_iommu_mode {
	const char *name;
	/*
	 * The container: /dev/vfio/vfio (legacy) or /dev/iommu (compat);
	 * NULL for native iommufd, where the device cdev binds to an IOAS.
	 */
	const char *container_path;
	unsigned long iommu_type;
};

#define VFIO_DEFAULT_IOMMU_MODE "vfio_type1v2_iommu"

/* The mode called @name, or NULL (with vfio_error()) for an unknown name. */
const struct vfio_iommu_mode *vfio_iommu_mode_get(const char *name);

/*
 * 0 when the running kernel offers @mode: its container device exists and
 * answers VFIO_CHECK_EXTENSION for the IOMMU type.  -ENODEV (with the
 * reason in vfio_error()) when it does not; any other -errno (EACCES,
 * EBUSY) is a problem to report, not a reason to skip.
 */
int vfio_iommu_mode_check(const struct vfio_iommu_mode *mode);

/* vfio_iommu_mode_check() by name; -EINVAL for a name it does not know. */
int vfio_iommu_mode_offered(const char *name);

#endif /* LIBVFIO_IOMMU_H */
