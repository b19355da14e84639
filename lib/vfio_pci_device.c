// SPDX-License-Identifier: GPL-2.0
/*
 * Opening a vfio-pci device through the legacy group/container interface,
 * reading its regions and mapping its BARs at congruent addresses.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libvfio.h"

/* No region info the kernel returns comes near this; more is corruption. */
#define VFIO_INFO_MAX_SIZE (64 * 1024)

/* Read the basename of the symlink /sys/bus/pci/devices/@bdf/@link. */
static int sysfs_link(const char *bdf, const char *link, char *out, size_t len)
{
	char path[128], target[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, link);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	snprintf(out, len, "%s", basename(target));
	return 0;
}

const char *vfio_run_sh(void)
{
	static char path[PATH_MAX + 8];
	char exe[PATH_MAX], cwd[PATH_MAX], *dir;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return "scripts/run.sh";
	exe[n] = '\0';
	dir = dirname(exe);
	snprintf(path, sizeof(path), "%s/run.sh", dir);
	if (access(path, X_OK))
		return "scripts/run.sh";
	if (getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, dir))
		return "./run.sh";
	return path;
}

/* The device exists, is bound to vfio-pci and has an IOMMU group. */
static int device_sysfs_check(const char *bdf, int *group)
{
	char path[128], name[64];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
	if (access(path, F_OK))
		return vfio_set_error("%s: no such PCI device (see lspci -D)", bdf);
	if (sysfs_link(bdf, "driver", name, sizeof(name))) {
		errno = ENODEV;
		return vfio_set_error("%s is bound to no driver: bind it to vfio-pci with %s -d %s",
				      bdf, vfio_run_sh(), bdf);
	}
	if (strcmp(name, "vfio-pci")) {
		errno = ENODEV;
		return vfio_set_error("%s is bound to %s, not vfio-pci: bind it with %s -d %s",
				      bdf, name, vfio_run_sh(), bdf);
	}
	if (sysfs_link(bdf, "iommu_group", name, sizeof(name))) {
		errno = ENODEV;
		return vfio_set_error("%s has no IOMMU group: boot with intel_iommu=on or amd_iommu=on",
				      bdf);
	}
	*group = atoi(name);
	return 0;
}

void vfio_selftests_require_device(const char *bdf)
{
	int group;

	/* Without vfio at all, each IOMMU mode SKIPs with its own reason. */
	if (!bdf || (access("/dev/vfio/vfio", F_OK) && access("/dev/iommu", F_OK)))
		return;
	if (device_sysfs_check(bdf, &group))
		ksft_exit_fail_msg("%s\n", vfio_error());
}

static int container_open(struct vfio_pci_device *dev)
{
	const struct vfio_iommu_mode *m = dev->iommu;

	dev->container_fd = open(m->container_path, O_RDWR);
	if (dev->container_fd < 0)
		return vfio_set_error("cannot open %s: %s", m->container_path,
				      strerror(errno));
	if (ioctl(dev->container_fd, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
		errno = EINVAL;
		return vfio_set_error("%s: VFIO API version is not %d",
				      m->container_path, VFIO_API_VERSION);
	}
	if (ioctl(dev->container_fd, VFIO_CHECK_EXTENSION, m->iommu_type) <= 0) {
		errno = ENODEV;
		return vfio_set_error("%s: IOMMU type %lu not supported",
				      m->container_path, m->iommu_type);
	}
	return 0;
}

static int group_open(struct vfio_pci_device *dev, int group)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[64];

	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	dev->group_fd = open(path, O_RDWR);
	if (dev->group_fd < 0)
		return vfio_set_error("cannot open %s: %s%s", path, strerror(errno),
				      errno == EBUSY ? " (the group is in use by another process)" : "");
	if (ioctl(dev->group_fd, VFIO_GROUP_GET_STATUS, &status))
		return vfio_set_error("VFIO_GROUP_GET_STATUS on %s: %s", path,
				      strerror(errno));
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		errno = EBUSY;
		return vfio_set_error("IOMMU group %d is not viable: bind every device in /sys/kernel/iommu_groups/%d/devices to vfio-pci",
				      group, group);
	}
	if (ioctl(dev->group_fd, VFIO_GROUP_SET_CONTAINER, &dev->container_fd))
		return vfio_set_error("VFIO_GROUP_SET_CONTAINER: %s", strerror(errno));
	if (ioctl(dev->container_fd, VFIO_SET_IOMMU, dev->iommu->iommu_type))
		return vfio_set_error("VFIO_SET_IOMMU(%s): %s%s", dev->iommu->name,
				      strerror(errno), errno == EPERM ?
				      " (no interrupt remapping: enable it, or vfio_iommu_type1 allow_unsafe_interrupts=1)" : "");
	return 0;
}

int __vfio_region_info(int device_fd, uint32_t index,
		       struct vfio_region_info **out)
{
	struct vfio_region_info *info = NULL;
	uint32_t argsz = sizeof(*info);
	int ret;

	/* The first call tells how much room the capability chain needs. */
	for (;;) {
		info = calloc(1, argsz);
		if (!info)
			return vfio_set_error("out of memory");
		info->argsz = argsz;
		info->index = index;
		if (ioctl(device_fd, VFIO_DEVICE_GET_REGION_INFO, info)) {
			ret = vfio_set_error("VFIO_DEVICE_GET_REGION_INFO(%u): %s",
					     index, strerror(errno));
			goto err;
		}
		if (info->argsz <= argsz)
			break;
		if (info->argsz > VFIO_INFO_MAX_SIZE) {
			errno = EINVAL;
			ret = vfio_set_error("region %u: info of %u bytes is implausible",
					     index, info->argsz);
			goto err;
		}
		argsz = info->argsz;
		free(info);
	}
	if (info->flags & VFIO_REGION_INFO_FLAG_CAPS) {
		ret = __vfio_cap_validate(info, argsz, sizeof(*info),
					  info->cap_offset);
		if (ret < 0)
			goto err;
	}
	*out = info;
	return 0;
err:
	free(info);
	return ret;
}

/* Keep a BAR's sparse areas, if its region info has the capability. */
static int read_sparse(struct vfio_pci_bar *b, struct vfio_region_info *info)
{
	int n = __vfio_region_sparse_areas(info, info->argsz, b->sparse_areas,
					   VFIO_PLAN_MAX_AREAS);

	if (n == -ENOENT)
		return 0;
	if (n < 0)
		return vfio_set_error("region %u: %s", info->index, vfio_error());
	b->nr_sparse_areas = n;
	b->sparse = 1;
	return 0;
}

static int read_bars(struct vfio_pci_device *dev)
{
	struct vfio_region_info *info;
	int i, ret;

	for (i = 0; i < VFIO_PCI_NUM_BARS && i < (int)dev->info.num_regions; i++) {
		ret = __vfio_region_info(dev->fd, VFIO_PCI_BAR0_REGION_INDEX + i,
					 &info);
		if (ret)
			return ret;
		dev->bars[i].size = info->size;
		dev->bars[i].offset = info->offset;
		dev->bars[i].flags = info->flags;
		ret = read_sparse(&dev->bars[i], info);
		free(info);
		if (ret)
			return ret;
	}
	return 0;
}

/* Device info and the BARs' region info, however the fd was opened. */
static int device_info(struct vfio_pci_device *dev)
{
	dev->info.argsz = sizeof(dev->info);
	if (ioctl(dev->fd, VFIO_DEVICE_GET_INFO, &dev->info))
		return vfio_set_error("VFIO_DEVICE_GET_INFO: %s", strerror(errno));
	if (!(dev->info.flags & VFIO_DEVICE_FLAGS_PCI)) {
		errno = ENODEV;
		return vfio_set_error("%s is not a vfio-pci device", dev->bdf);
	}
	return read_bars(dev);
}

static int device_fd_open(struct vfio_pci_device *dev)
{
	dev->fd = ioctl(dev->group_fd, VFIO_GROUP_GET_DEVICE_FD, dev->bdf);
	if (dev->fd < 0)
		return vfio_set_error("VFIO_GROUP_GET_DEVICE_FD(%s): %s", dev->bdf,
				      strerror(errno));
	return device_info(dev);
}

int __vfio_pci_device_open(struct vfio_pci_device *dev, const char *bdf,
			   const char *mode)
{
	int group = -1, ret;

	memset(dev, 0, sizeof(*dev));
	dev->container_fd = dev->group_fd = dev->iommufd = dev->fd = -1;
	ret = vfio_bdf_parse(bdf, dev->bdf);
	if (ret)
		return ret;
	dev->iommu = vfio_iommu_mode_get(mode);
	if (!dev->iommu)
		return -EINVAL;
	ret = device_sysfs_check(dev->bdf, &group);
	if (!ret && !dev->iommu->container_path) {
		ret = __vfio_iommufd_open(dev);
		if (!ret)
			ret = device_info(dev);
	} else if (!ret) {
		ret = container_open(dev);
		if (!ret)
			ret = group_open(dev, group);
		if (!ret)
			ret = device_fd_open(dev);
	}
	if (ret)
		vfio_pci_device_close(dev);
	return ret;
}

struct vfio_pci_device *vfio_pci_device_init(const char *bdf, const char *mode)
{
	struct vfio_pci_device *dev = calloc(1, sizeof(*dev));

	VFIO_ASSERT_NE(dev, NULL);
	VFIO_ASSERT_OK(__vfio_pci_device_open(dev, bdf, mode));
	return dev;
}

/* Undo everything: mappings, then device, group and container fds. */
void vfio_pci_device_close(struct vfio_pci_device *dev)
{
	int i;

	for (i = 0; i < VFIO_PCI_NUM_BARS; i++)
		vfio_pci_bar_unmap(dev, i);
	if (dev->fd >= 0)
		close(dev->fd);
	if (dev->group_fd >= 0)
		close(dev->group_fd);
	if (dev->container_fd >= 0)
		close(dev->container_fd);
	if (dev->iommufd >= 0)
		close(dev->iommufd);
	dev->fd = dev->group_fd = dev->container_fd = dev->iommufd = -1;
}

void vfio_pci_device_cleanup(struct vfio_pci_device *dev)
{
	if (!dev)
		return;
	vfio_pci_device_close(dev);
	free(dev);
}

int vfio_pci_bar_pa(const char *bdf, int bar, uint64_t *pa, uint64_t *len)
{
	unsigned long long start, end, flags;
	char path[128], line[128];
	int i, ret = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", bdf);
	f = fopen(path, "r");
	if (!f)
		return vfio_set_error("cannot read %s: %s", path, strerror(errno));
	for (i = 0; i <= bar && fgets(line, sizeof(line), f); i++)
		ret = sscanf(line, "%llx %llx %llx", &start, &end, &flags);
	fclose(f);
	errno = EINVAL;
	if (i <= bar || ret != 3)
		return vfio_set_error("%s: no line for BAR %d", path, bar);
	/* Without CAP_SYS_ADMIN the kernel shows zeros here. */
	if (!start || end < start)
		return vfio_set_error("%s: BAR %d has no physical address (not root?)",
				      path, bar);
	*pa = start;
	*len = end - start + 1;
	return 0;
}

/* The plan for a BAR: its sparse areas, or one area over all of it. */
static int bar_plan(struct vfio_pci_bar *b)
{
	struct vfio_range whole = { 0, align_up(b->size, getpagesize()) };

	if (b->sparse)
		return __vfio_sparse_plan(b->size, b->sparse_areas,
					  b->nr_sparse_areas, &b->plan);
	return __vfio_sparse_plan(whole.size, &whole, 1, &b->plan);
}

int __vfio_pci_bar_map(struct vfio_pci_device *dev, int bar,
		       enum vfio_map_policy policy)
{
	struct vfio_pci_bar *b = &dev->bars[bar];
	uint64_t len;
	int ret;

	errno = ENOENT;
	if (bar < 0 || bar >= VFIO_PCI_NUM_BARS || !b->size)
		return vfio_set_error("BAR %d is not implemented", bar);
	if (!(b->flags & VFIO_REGION_INFO_FLAG_MMAP))
		return vfio_set_error("BAR %d is not mmappable", bar);
	/* A second map replaces the first rather than leaking it. */
	vfio_pci_bar_unmap(dev, bar);
	ret = vfio_pci_bar_pa(dev->bdf, bar, &b->pa, &len);
	if (!ret)
		ret = bar_plan(b);
	if (!ret)
		ret = __vfio_map_policy_place(policy, b->plan.reserve_size, b->pa,
					      0, b->plan.reserve_size,
					      &b->placement);
	if (!ret)
		ret = __vfio_region_map(dev->fd, b->offset, &b->plan,
					&b->placement, PROT_READ | PROT_WRITE,
					b->area_va);
	if (ret)
		return ret;
	b->policy = policy;
	b->va = (uint8_t *)b->area_va[0] - b->plan.areas[0].offset;
	return 0;
}

void *vfio_pci_bar_map(struct vfio_pci_device *dev, int bar,
		       enum vfio_map_policy policy)
{
	VFIO_ASSERT_OK(__vfio_pci_bar_map(dev, bar, policy));
	return dev->bars[bar].va;
}

void vfio_pci_bar_unmap(struct vfio_pci_device *dev, int bar)
{
	struct vfio_pci_bar *b = &dev->bars[bar];

	if (!b->va)
		return;
	vfio_region_unmap(&b->plan, b->area_va);
	b->va = NULL;
}

void vfio_pci_bar_touch(const struct vfio_pci_bar *b)
{
	vfio_region_touch(&b->plan, b->area_va);
}
