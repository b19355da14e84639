// SPDX-License-Identifier: GPL-2.0
/*
 * IOMMU modes: which container device and IOMMU type a device is opened
 * with, and whether the running kernel offers them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "libvfio.h"

static const struct vfio_iommu_mode modes[] = {
	{ "vfio_type1_iommu", "/dev/vfio/vfio", VFIO_TYPE1_IOMMU },
	{ "vfio_type1v2_iommu", "/dev/vfio/vfio", VFIO_TYPE1v2_IOMMU },
	/* iommufd's VFIO container emulation, CONFIG_IOMMUFD_VFIO_CONTAINER */
	{ "iommufd_compat_type1", "/dev/iommu", VFIO_TYPE1_IOMMU },
	{ "iommufd_compat_type1v2", "/dev/iommu", VFIO_TYPE1v2_IOMMU },
	/* No container: the device cdev bound to /dev/iommu, an IOAS. */
	{ "iommufd", NULL, 0 },
};

const struct vfio_iommu_mode *vfio_iommu_mode_get(const char *name)
{
	char known[128] = "";
	size_t i;

	for (i = 0; i < ARRAY_SIZE(modes); i++)
		if (!strcmp(modes[i].name, name))
			return &modes[i];
	/* Name them all: a mistyped mode is fixed in one go. */
	for (i = 0; i < ARRAY_SIZE(modes); i++)
		snprintf(known + strlen(known), sizeof(known) - strlen(known),
			 "%s%s", i ? ", " : "", modes[i].name);
	errno = EINVAL;
	vfio_set_error("unknown IOMMU mode '%s' (known: %s)", name, known);
	return NULL;
}

/* The native mode needs /dev/iommu and device cdevs. */
static int iommufd_check(void)
{
	const char *missing = NULL;

	if (access("/dev/iommu", F_OK))
		missing = "no /dev/iommu (kernel built without CONFIG_IOMMUFD)";
	else if (access("/dev/vfio/devices", F_OK))
		missing = "no /dev/vfio/devices (kernel built without CONFIG_VFIO_DEVICE_CDEV, or vfio not loaded)";
	if (!missing)
		return 0;
	errno = ENODEV;
	return vfio_set_error("iommufd: %s", missing);
}

/* A container device that cannot be opened: absent, or a real problem. */
static int container_open_error(const struct vfio_iommu_mode *mode)
{
	int err = errno;

	if (err == ENOENT || err == ENODEV || err == ENXIO) {
		errno = ENODEV;
		return vfio_set_error("%s: no %s (%s)", mode->name,
				      mode->container_path,
				      strcmp(mode->container_path, "/dev/iommu") ?
				      "vfio not loaded?" :
				      "kernel built without CONFIG_IOMMUFD");
	}
	/* EACCES, EPERM, EBUSY: the mode is here but this run cannot use it. */
	errno = err;
	return vfio_set_error("%s: cannot open %s: %s%s", mode->name,
			      mode->container_path, strerror(err),
			      err == EACCES || err == EPERM ?
			      " (run as root, or give this user the device)" : "");
}

int vfio_iommu_mode_check(const struct vfio_iommu_mode *mode)
{
	int fd, ret;

	if (!mode->container_path)
		return iommufd_check();
	fd = open(mode->container_path, O_RDWR);
	if (fd < 0)
		return container_open_error(mode);
	ret = ioctl(fd, VFIO_CHECK_EXTENSION, mode->iommu_type);
	close(fd);
	if (ret <= 0) {
		errno = ENODEV;
		return vfio_set_error("%s: %s does not offer IOMMU type %lu",
				      mode->name, mode->container_path,
				      mode->iommu_type);
	}
	return 0;
}

int vfio_iommu_mode_offered(const char *name)
{
	const struct vfio_iommu_mode *mode = vfio_iommu_mode_get(name);

	return mode ? vfio_iommu_mode_check(mode) : -EINVAL;
}
