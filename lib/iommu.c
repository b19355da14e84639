// SPDX-License-Identifier: GPL-2.0
/*
 * IOMMU contexts: the five modes, whether the running kernel offers them,
 * and the container or IOAS that devices attach to.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "libvfio/assert.h"
#include "libvfio/caps.h"
#include "libvfio/iommu.h"
#include "libvfio/iommufd_ioas.h"

/* In FIXTURE_VARIANT_ADD_ALL_IOMMU_MODES()'s order. */
static const struct vfio_iommu_mode modes[] = {
	{ .name = "vfio_type1_iommu", .short_name = "type1",
	  .container_path = "/dev/vfio/vfio", .iommu_type = VFIO_TYPE1_IOMMU },
	{ .name = "vfio_type1v2_iommu", .short_name = "type1v2",
	  .container_path = "/dev/vfio/vfio", .iommu_type = VFIO_TYPE1v2_IOMMU },
	/* iommufd's VFIO container emulation, CONFIG_IOMMUFD_VFIO_CONTAINER */
	{ .name = "iommufd_compat_type1", .short_name = "compat-type1",
	  .container_path = "/dev/iommu", .iommu_type = VFIO_TYPE1_IOMMU },
	{ .name = "iommufd_compat_type1v2", .short_name = "compat-type1v2",
	  .container_path = "/dev/iommu", .iommu_type = VFIO_TYPE1v2_IOMMU },
	/* No container: the device cdev bound to /dev/iommu, an IOAS. */
	{ .name = "iommufd", .short_name = "iommufd", .iommufd = true },
};

static_assert(ARRAY_SIZE(modes) == VFIO_IOMMU_NR_MODES,
	       "FIXTURE_VARIANT_ADD_ALL_IOMMU_MODES() lists every mode");

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
	vfio_err(-EINVAL, "unknown IOMMU mode '%s' (known: %s)", name, known);
	return NULL;
}

const char *vfio_iommu_mode_short(const char *name)
{
	const struct vfio_iommu_mode *m = vfio_iommu_mode_get(name);

	return m ? m->short_name : name;
}

bool vfio_iommu_mode_uses_iommufd(const struct vfio_iommu_mode *mode)
{
	return mode->iommufd || !strcmp(mode->container_path, "/dev/iommu");
}

/* The native mode needs /dev/iommu and device cdevs. */
static int iommufd_offered(void)
{
	if (access("/dev/iommu", F_OK))
		return vfio_err(-ENODEV, "iommufd: no /dev/iommu (kernel built without CONFIG_IOMMUFD)");
	if (access("/dev/vfio/devices", F_OK))
		return vfio_err(-ENODEV, "iommufd: no /dev/vfio/devices (kernel built without CONFIG_VFIO_DEVICE_CDEV, or vfio not loaded)");
	return 0;
}

/* A container device that cannot be opened: absent, or a real problem. */
static int container_open_error(const struct vfio_iommu_mode *mode)
{
	int err = errno;

	if (err == ENOENT || err == ENODEV || err == ENXIO)
		return vfio_err(-ENODEV, "%s: no %s (%s)", mode->name,
				mode->container_path,
				strcmp(mode->container_path, "/dev/iommu") ?
				"vfio not loaded?" :
				"kernel built without CONFIG_IOMMUFD");
	/* EACCES, EPERM, EBUSY: the mode is here but this run cannot use it. */
	return vfio_err(-err, "%s: cannot open %s: %s%s", mode->name,
			mode->container_path, strerror(err),
			err == EACCES || err == EPERM ?
			" (run as root, or give this user the device)" : "");
}

/* Open @mode's container and check that it offers the IOMMU type. */
static int container_open(const struct vfio_iommu_mode *mode)
{
	int fd = open(mode->container_path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return container_open_error(mode);
	if (ioctl(fd, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
		close(fd);
		return vfio_err(-EINVAL, "%s: VFIO API version is not %d",
				mode->container_path, VFIO_API_VERSION);
	}
	if (ioctl(fd, VFIO_CHECK_EXTENSION, mode->iommu_type) <= 0) {
		close(fd);
		return vfio_err(-ENODEV, "%s: %s does not offer IOMMU type %lu",
				mode->name, mode->container_path,
				mode->iommu_type);
	}
	return fd;
}

int vfio_iommu_mode_offered(const char *name)
{
	const struct vfio_iommu_mode *mode = vfio_iommu_mode_get(name);
	int fd;

	if (!mode)
		return -EINVAL;
	if (mode->iommufd)
		return iommufd_offered();
	fd = container_open(mode);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

int __vfio_iommu_init(const char *name, struct vfio_iommu **out)
{
	struct vfio_iommu *iommu = calloc(1, sizeof(*iommu));
	int ret = 0;

	if (!iommu)
		return vfio_err(-ENOMEM, "out of memory");
	iommu->container_fd = iommu->ioas.fd = -1;
	iommu->mode = vfio_iommu_mode_get(name);
	if (!iommu->mode)
		ret = -EINVAL;
	else if (iommu->mode->iommufd)
		ret = iommufd_ioas_open(&iommu->ioas);
	else
		ret = iommu->container_fd = container_open(iommu->mode);
	if (ret < 0) {
		vfio_iommu_cleanup(iommu);
		return ret;
	}
	*out = iommu;
	return 0;
}

struct vfio_iommu *vfio_iommu_init(const char *mode)
{
	struct vfio_iommu *iommu;

	VFIO_ASSERT_OK(__vfio_iommu_init(mode, &iommu));
	return iommu;
}

void vfio_iommu_cleanup(struct vfio_iommu *iommu)
{
	if (!iommu)
		return;
	if (iommu->container_fd >= 0)
		close(iommu->container_fd);
	if (iommu->ioas.fd >= 0)
		close(iommu->ioas.fd);
	free(iommu);
}

/* Count a device in once the ranges it leaves are known. */
static int iommu_attached(struct vfio_iommu *iommu)
{
	int ret = vfio_iommu_info_read(iommu);

	if (ret)
		return ret;
	iommu->nr_devices++;
	return 0;
}

int vfio_iommu_attach_group(struct vfio_iommu *iommu, int group_fd)
{
	const struct vfio_iommu_mode *m = iommu->mode;

	if (m->iommufd)
		return vfio_err(-EINVAL, "%s: devices attach by their cdev, not a group",
				m->name);
	if (ioctl(group_fd, VFIO_GROUP_SET_CONTAINER, &iommu->container_fd))
		return vfio_err(-errno, "VFIO_GROUP_SET_CONTAINER: %s",
				strerror(errno));
	/* The container takes its type from its first group, and keeps it. */
	if (!iommu->nr_devices &&
	    ioctl(iommu->container_fd, VFIO_SET_IOMMU, m->iommu_type))
		return vfio_err(-errno, "VFIO_SET_IOMMU(%s): %s%s", m->name,
				strerror(errno), errno == EPERM ?
				" (no interrupt remapping: enable it, or vfio_iommu_type1 allow_unsafe_interrupts=1)" : "");
	return iommu_attached(iommu);
}

int vfio_iommu_attach_cdev(struct vfio_iommu *iommu, int device_fd,
			   uint32_t *pt_id)
{
	int ret;

	if (!iommu->mode->iommufd)
		return vfio_err(-EINVAL, "%s: devices attach by their group, not a cdev",
				iommu->mode->name);
	ret = iommufd_attach(&iommu->ioas, device_fd, pt_id);
	return ret ? ret : iommu_attached(iommu);
}

void vfio_iommu_detached(struct vfio_iommu *iommu)
{
	iommu->nr_devices--;
}

static int read_ranges(const struct vfio_iommu_type1_info *ti, size_t len,
		       struct vfio_iommu_info *info)
{
	const size_t fixed = offsetof(struct vfio_iommu_type1_info_cap_iova_range,
				      iova_ranges);
	const size_t nr_at = offsetof(struct vfio_iommu_type1_info_cap_iova_range,
				      nr_iovas);
	const struct vfio_info_cap_header *h;
	const uint8_t *cap;
	uint32_t nr;
	size_t off;
	int ret;

	if (!(ti->flags & VFIO_IOMMU_INFO_CAPS))
		return 0;
	ret = vfio_cap_find(ti, len, sizeof(*ti), ti->cap_offset,
			    VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, &h);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return ret;
	/* Maybe only 4-byte aligned (6.1): copy the u64s out, never read in place. */
	cap = (const uint8_t *)h;
	off = cap - (const uint8_t *)ti;
	if (len - off < fixed)
		return vfio_err(-EINVAL, "IOVA range capability at %#zx is truncated",
				off);
	memcpy(&nr, cap + nr_at, sizeof(nr));
	if (nr > (len - off - fixed) / sizeof(info->ranges[0]) ||
	    nr > VFIO_MAX_IOVA_RANGES)
		return vfio_err(-EINVAL, "IOVA range capability claims %u ranges",
				nr);
	memcpy(info->ranges, cap + fixed, nr * sizeof(info->ranges[0]));
	info->nr_ranges = nr;
	return 0;
}

/* VFIO_IOMMU_GET_INFO with its IOVA-range capability, validated. */
static int type1_info(int container_fd, struct vfio_iommu_info *info)
{
	struct vfio_iommu_type1_info *ti;
	uint32_t argsz = sizeof(*ti);
	int ret;

	memset(info, 0, sizeof(*info));
	for (;;) {
		ti = calloc(1, argsz);
		if (!ti)
			return vfio_err(-ENOMEM, "out of memory");
		ti->argsz = argsz;
		if (ioctl(container_fd, VFIO_IOMMU_GET_INFO, ti)) {
			ret = vfio_err(-errno, "VFIO_IOMMU_GET_INFO: %s",
				       strerror(errno));
			free(ti);
			return ret;
		}
		if (ti->argsz <= argsz || ti->argsz > 65536)
			break;
		argsz = ti->argsz;
		free(ti);
	}
	info->pgsizes = ti->iova_pgsizes;
	ret = read_ranges(ti, argsz, info);
	free(ti);
	return ret;
}

int vfio_iommu_info_read(struct vfio_iommu *iommu)
{
	if (iommu->mode->iommufd)
		return iommufd_iova_ranges(&iommu->ioas, &iommu->info);
	return type1_info(iommu->container_fd, &iommu->info);
}
