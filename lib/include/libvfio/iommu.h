/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An IOMMU context devices attach to: a VFIO container (legacy type1 or
 * iommufd's emulation of it) or an iommufd IOAS, in one of five modes.
 */
#ifndef LIBVFIO_IOMMU_H
#define LIBVFIO_IOMMU_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>

#include <linux/vfio.h>

#include "iommufd_ioas.h"
#include "iova.h"

struct vfio_iommu_mode {
	const char *name;	/* as tests and -m name it */
	const char *short_name;	/* as results and reports print it */
	bool iommufd;		/* native iommufd: cdevs bound to an IOAS */
	/*
	 * The container: /dev/vfio/vfio (legacy) or /dev/iommu (compat);
	 * NULL for native iommufd.
	 */
	const char *container_path;
	unsigned long iommu_type;	/* VFIO_TYPE1*_IOMMU; 0 for native */
};

#define VFIO_DEFAULT_IOMMU_MODE "vfio_type1v2_iommu"
#define VFIO_IOMMU_NR_MODES 5

struct vfio_iommu {
	const struct vfio_iommu_mode *mode;
	int container_fd;	/* legacy and compat modes, else -1 */
	struct vfio_ioas ioas;	/* native iommufd, else fd -1 */
	int nr_devices;		/* attached; the first sets the IOMMU type */
	/* Read again at each attach: devices narrow the usable IOVAs. */
	struct vfio_iommu_info info;
};

/* The mode called @name, or NULL (with vfio_error()) for an unknown name. */
const struct vfio_iommu_mode *vfio_iommu_mode_get(const char *name);

/* The short name of mode @name ("type1v2"), or @name if it is unknown. */
const char *vfio_iommu_mode_short(const char *name);

/*
 * iommufd pins the pages, natively or behind its container emulation:
 * it refuses PFNMAP (BAR) memory by address, by design.
 */
bool vfio_iommu_mode_uses_iommufd(const struct vfio_iommu_mode *mode);

/*
 * 0 when the running kernel offers mode @name: its container device
 * exists and answers VFIO_CHECK_EXTENSION for the IOMMU type, or
 * /dev/iommu and device cdevs exist.  -ENODEV (with the reason in
 * vfio_error()) when it does not; -EINVAL for an unknown name; any other
 * -errno (EACCES, EBUSY) is a problem to report, not a reason to skip.
 */
int vfio_iommu_mode_offered(const char *name);

/*
 * Open the container (and check its API and IOMMU type), or /dev/iommu
 * and a new IOAS.  The IOMMU type is set when the first device attaches.
 */
int __vfio_iommu_init(const char *mode, struct vfio_iommu **out);
struct vfio_iommu *vfio_iommu_init(const char *mode);
/* Close it; attached devices keep their part until they are cleaned up. */
void vfio_iommu_cleanup(struct vfio_iommu *iommu);

/*
 * Read @iommu's IOVA ranges and page sizes into iommu->info:
 * VFIO_IOMMU_GET_INFO with its IOVA-range capability (validated), or in
 * the native iommufd mode IOMMU_IOAS_IOVA_RANGES.
 */
int vfio_iommu_info_read(struct vfio_iommu *iommu);

/*
 * Attach a group (VFIO_GROUP_SET_CONTAINER, and VFIO_SET_IOMMU for the
 * first) or a device cdev (bind to the iommufd, attach to the IOAS; the
 * page table the kernel put it in goes to *@pt_id).  Both read the IOVA
 * ranges again.  vfio_iommu_detached() after the group or cdev is closed.
 */
int vfio_iommu_attach_group(struct vfio_iommu *iommu, int group_fd);
int vfio_iommu_attach_cdev(struct vfio_iommu *iommu, int device_fd,
			   uint32_t *pt_id);
void vfio_iommu_detached(struct vfio_iommu *iommu);

/*
 * A variant of @fixture for each IOMMU mode, named after the mode and
 * @suffix (which may be empty), with its iommu_mode and the fields given
 * (designated initializers).  The assertion fails when lib/iommu.c's
 * table gains a mode this lacks.
 */
#define VFIO_VARIANT_ADD_MODES(fixture, suffix, ...)			\
	FIXTURE_VARIANT_ADD(fixture, vfio_type1_iommu##suffix) {	\
		.iommu_mode = "vfio_type1_iommu", ##__VA_ARGS__		\
	};								\
	FIXTURE_VARIANT_ADD(fixture, vfio_type1v2_iommu##suffix) {	\
		.iommu_mode = "vfio_type1v2_iommu", ##__VA_ARGS__	\
	};								\
	FIXTURE_VARIANT_ADD(fixture, iommufd_compat_type1##suffix) {	\
		.iommu_mode = "iommufd_compat_type1", ##__VA_ARGS__	\
	};								\
	FIXTURE_VARIANT_ADD(fixture, iommufd_compat_type1v2##suffix) {	\
		.iommu_mode = "iommufd_compat_type1v2", ##__VA_ARGS__	\
	};								\
	FIXTURE_VARIANT_ADD(fixture, iommufd##suffix) {			\
		.iommu_mode = "iommufd", ##__VA_ARGS__			\
	};								\
	static_assert(VFIO_IOMMU_NR_MODES == 5, "a variant for every mode")

/*
 * Tests add one FIXTURE_VARIANT per mode, named after it, with
 * FIXTURE_VARIANT_ADD_ALL_IOMMU_MODES(fixture) (and any other fields of
 * the variant after it); the variant needs a "const char *iommu_mode".
 * A mode the kernel lacks SKIPs: see VFIO_SKIP_UNLESS_OFFERED().
 */
#define FIXTURE_VARIANT_ADD_ALL_IOMMU_MODES(fixture, ...)		\
	VFIO_VARIANT_ADD_MODES(fixture, /* no suffix */, ##__VA_ARGS__)

/*
 * The IOMMU modes times a second axis, one line per value of that axis,
 * as upstream's FIXTURE_VARIANT_ADD_IOMMU_MODE() does:
 *
 *	FIXTURE_VARIANT_ADD_IOMMU_MODES(f, thp, .backing = VFIO_BACKING_THP);
 *
 * adds f's variants vfio_type1_iommu_thp ... iommufd_thp.
 */
#define FIXTURE_VARIANT_ADD_IOMMU_MODES(fixture, name, ...)		\
	VFIO_VARIANT_ADD_MODES(fixture, _##name, ##__VA_ARGS__)

#endif /* LIBVFIO_IOMMU_H */
