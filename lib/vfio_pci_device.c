// SPDX-License-Identifier: GPL-2.0
/*
 * Opening a vfio-pci device and attaching it to an IOMMU context (by its
 * group, or its cdev for native iommufd), reading its regions and mapping
 * its BARs at congruent addresses.
 */
#include <dirent.h>
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

#include "libvfio/assert.h"
#include "libvfio/caps.h"
#include "libvfio/mmap.h"
#include "libvfio/region_map.h"
#include "libvfio/vfio_pci_device.h"

/* No region info the kernel returns comes near this; more is corruption. */
#define VFIO_INFO_MAX_SIZE (64 * 1024)

int vfio_sysfs_link(const char *path, char *out, size_t len)
{
	char target[256];
	ssize_t n;

	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	snprintf(out, len, "%s", basename(target));
	return 0;
}

/* The basename of the symlink /sys/bus/pci/devices/@bdf/@link. */
static int sysfs_link(const char *bdf, const char *link, char *out, size_t len)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, link);
	return vfio_sysfs_link(path, out, len);
}

int vfio_pci_iommu_group(const char *bdf)
{
	char name[64];

	if (sysfs_link(bdf, "iommu_group", name, sizeof(name)))
		return vfio_err(-ENODEV, "%s has no IOMMU group: boot with intel_iommu=on or amd_iommu=on",
				bdf);
	return atoi(name);
}

/* The device exists, is bound to vfio-pci and has an IOMMU group. */
static int device_sysfs_check(const char *bdf, int *group)
{
	char path[128], name[64];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
	if (access(path, F_OK))
		return vfio_err(-errno, "%s: no such PCI device (see lspci -D)", bdf);
	if (sysfs_link(bdf, "driver", name, sizeof(name)))
		return vfio_err(-ENODEV, "%s is bound to no driver: bind it to vfio-pci with %s -d %s",
				bdf, vfio_run_sh(), bdf);
	if (strcmp(name, "vfio-pci"))
		return vfio_err(-ENODEV, "%s is bound to %s, not vfio-pci: bind it with %s -d %s",
				bdf, name, vfio_run_sh(), bdf);
	*group = vfio_pci_iommu_group(bdf);
	return *group < 0 ? *group : 0;
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

static int group_open(struct vfio_pci_device *dev)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[64];

	snprintf(path, sizeof(path), "/dev/vfio/%d", dev->group);
	dev->group_fd = open(path, O_RDWR | O_CLOEXEC);
	if (dev->group_fd < 0)
		return vfio_err(-errno, "cannot open %s: %s%s", path,
				strerror(errno), errno == EBUSY ?
				" (the group is in use by another process)" : "");
	if (ioctl(dev->group_fd, VFIO_GROUP_GET_STATUS, &status))
		return vfio_err(-errno, "VFIO_GROUP_GET_STATUS on %s: %s", path,
				strerror(errno));
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		return vfio_err(-EBUSY, "IOMMU group %d is not viable: bind every device in /sys/kernel/iommu_groups/%d/devices to vfio-pci",
				dev->group, dev->group);
	return 0;
}

/* /dev/vfio/devices/vfioN for @bdf, from /sys/bus/pci/devices/@bdf/vfio-dev. */
static int cdev_path(const char *bdf, char *path, size_t len)
{
	char dir[128], name[256] = "";
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	d = opendir(dir);
	while (d && (e = readdir(d)))
		if (!strncmp(e->d_name, "vfio", 4))
			snprintf(name, sizeof(name), "%s", e->d_name);
	if (d)
		closedir(d);
	if (!name[0])
		return vfio_err(-ENODEV, "%s has no VFIO cdev (kernel without CONFIG_VFIO_DEVICE_CDEV?)",
				bdf);
	snprintf(path, len, "/dev/vfio/devices/%.32s", name);
	return 0;
}

static int cdev_open(struct vfio_pci_device *dev)
{
	char path[64];
	int ret;

	ret = cdev_path(dev->bdf, path, sizeof(path));
	if (ret)
		return ret;
	dev->fd = open(path, O_RDWR | O_CLOEXEC);
	if (dev->fd < 0)
		return vfio_err(-errno, "cannot open %s: %s%s", path,
				strerror(errno), errno == EBUSY ?
				" (in use by another process)" : "");
	return 0;
}

int vfio_region_info_get(int device_fd, uint32_t index,
			 struct vfio_region_info **out)
{
	struct vfio_region_info *info = NULL;
	uint32_t argsz = sizeof(*info);
	int ret;

	/* The first call tells how much room the capability chain needs. */
	for (;;) {
		info = calloc(1, argsz);
		if (!info)
			return vfio_err(-ENOMEM, "out of memory");
		info->argsz = argsz;
		info->index = index;
		if (ioctl(device_fd, VFIO_DEVICE_GET_REGION_INFO, info)) {
			ret = vfio_err(-errno, "VFIO_DEVICE_GET_REGION_INFO(%u): %s",
				       index, strerror(errno));
			goto err;
		}
		if (info->argsz <= argsz)
			break;
		if (info->argsz > VFIO_INFO_MAX_SIZE) {
			ret = vfio_err(-EINVAL, "region %u: info of %u bytes is implausible",
				       index, info->argsz);
			goto err;
		}
		argsz = info->argsz;
		free(info);
	}
	if (info->flags & VFIO_REGION_INFO_FLAG_CAPS) {
		ret = vfio_cap_validate(info, argsz, sizeof(*info),
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
	int n = vfio_region_sparse_areas(info, info->argsz, b->sparse_areas,
					 VFIO_PLAN_MAX_AREAS);

	if (n == -ENOENT)
		return 0;
	if (n < 0)
		return vfio_err(n, "region %u: %s", info->index, vfio_error());
	b->nr_sparse_areas = n;
	b->sparse = 1;
	return 0;
}

static int read_bars(struct vfio_pci_device *dev)
{
	struct vfio_region_info *info;
	int i, ret;

	for (i = 0; i < VFIO_PCI_NUM_BARS && i < (int)dev->info.num_regions; i++) {
		ret = vfio_region_info_get(dev->fd, VFIO_PCI_BAR0_REGION_INDEX + i,
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
		return vfio_err(-errno, "VFIO_DEVICE_GET_INFO: %s", strerror(errno));
	if (!(dev->info.flags & VFIO_DEVICE_FLAGS_PCI))
		return vfio_err(-ENODEV, "%s is not a vfio-pci device", dev->bdf);
	return read_bars(dev);
}

/* The group way: open it, put it in the container, get the device. */
static int attach_group(struct vfio_pci_device *dev)
{
	int ret = group_open(dev);

	if (ret)
		return ret;
	ret = vfio_iommu_attach_group(dev->iommu, dev->group_fd);
	if (ret)
		return ret;
	dev->attached = true;
	dev->fd = ioctl(dev->group_fd, VFIO_GROUP_GET_DEVICE_FD, dev->bdf);
	if (dev->fd < 0)
		return vfio_err(-errno, "VFIO_GROUP_GET_DEVICE_FD(%s): %s",
				dev->bdf, strerror(errno));
	return 0;
}

/* The iommufd way: the device's own cdev, bound and attached to the IOAS. */
static int attach_cdev(struct vfio_pci_device *dev)
{
	int ret = cdev_open(dev);

	if (ret)
		return ret;
	ret = vfio_iommu_attach_cdev(dev->iommu, dev->fd, &dev->pt_id);
	if (ret)
		return ret;
	dev->attached = true;
	return 0;
}

int __vfio_pci_device_init(struct vfio_pci_device *dev, const char *bdf,
			   struct vfio_iommu *iommu)
{
	int ret;

	memset(dev, 0, sizeof(*dev));
	dev->group_fd = dev->fd = dev->group = -1;
	dev->iommu = iommu;
	ret = vfio_bdf_parse(bdf, dev->bdf);
	if (ret)
		goto err;
	ret = device_sysfs_check(dev->bdf, &dev->group);
	if (ret)
		goto err;
	ret = iommu->mode->iommufd ? attach_cdev(dev) : attach_group(dev);
	if (ret)
		goto err;
	ret = device_info(dev);
	if (ret)
		goto err;
	return 0;
err:
	vfio_pci_device_close(dev);
	return ret;
}

struct vfio_pci_device *vfio_pci_device_init(const char *bdf,
					     struct vfio_iommu *iommu)
{
	struct vfio_pci_device *dev = calloc(1, sizeof(*dev));

	if (!dev)
		VFIO_FAIL("out of memory");
	VFIO_ASSERT_OK(__vfio_pci_device_init(dev, bdf, iommu));
	return dev;
}

/*
 * Undo everything: mappings, then the device and group fds, which takes
 * the device out of its IOMMU context (the context stays).
 */
void vfio_pci_device_close(struct vfio_pci_device *dev)
{
	int i;

	for (i = 0; i < VFIO_PCI_NUM_BARS; i++)
		vfio_pci_bar_unmap(dev, i);
	if (dev->fd >= 0)
		close(dev->fd);
	if (dev->group_fd >= 0)
		close(dev->group_fd);
	if (dev->attached)
		vfio_iommu_detached(dev->iommu);
	dev->fd = dev->group_fd = -1;
	dev->attached = false;
}

void vfio_pci_device_cleanup(struct vfio_pci_device *dev)
{
	if (!dev)
		return;
	vfio_pci_device_close(dev);
	free(dev);
}

int __vfio_pci_bar_pa(const char *bdf, int bar, uint64_t *pa, uint64_t *len)
{
	unsigned long long start, end, flags;
	char path[128], line[128];
	int i, ret = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", bdf);
	f = fopen(path, "r");
	if (!f)
		return vfio_err(-errno, "cannot read %s: %s", path, strerror(errno));
	for (i = 0; i <= bar && fgets(line, sizeof(line), f); i++)
		ret = sscanf(line, "%llx %llx %llx", &start, &end, &flags);
	fclose(f);
	if (i <= bar || ret != 3)
		return vfio_err(-EINVAL, "%s: no line for BAR %d", path, bar);
	/* Without CAP_SYS_ADMIN the kernel shows zeros here. */
	if (!start || end < start)
		return vfio_err(-EINVAL, "%s: BAR %d has no physical address (not root?)",
				path, bar);
	*pa = start;
	*len = end - start + 1;
	return 0;
}

void vfio_pci_bar_pa(const char *bdf, int bar, uint64_t *pa, uint64_t *len)
{
	VFIO_ASSERT_OK(__vfio_pci_bar_pa(bdf, bar, pa, len));
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

	if (bar < 0 || bar >= VFIO_PCI_NUM_BARS || !b->size)
		return vfio_err(-ENOENT, "BAR %d is not implemented", bar);
	if (!(b->flags & VFIO_REGION_INFO_FLAG_MMAP))
		return vfio_err(-ENOENT, "BAR %d is not mmappable", bar);
	/* A second map replaces the first rather than leaking it. */
	vfio_pci_bar_unmap(dev, bar);
	ret = __vfio_pci_bar_pa(dev->bdf, bar, &b->pa, &len);
	if (ret)
		return ret;
	ret = bar_plan(b);
	if (ret)
		return ret;
	ret = __vfio_map_policy_place(policy, b->plan.reserve_size, b->pa, 0,
				      b->plan.reserve_size, &b->placement);
	if (ret)
		return ret;
	ret = __vfio_region_map(dev->fd, b->offset, &b->plan, &b->placement,
				PROT_READ | PROT_WRITE, b->area_va);
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

int vfio_pci_dma_buf(struct vfio_pci_device *dev, uint32_t index,
		     uint64_t offset, uint64_t length)
{
	size_t len = sizeof(struct vfio_device_feature) +
		     sizeof(struct vfio_device_feature_dma_buf) +
		     sizeof(struct vfio_region_dma_range);
	struct vfio_device_feature *f = calloc(1, len);
	struct vfio_device_feature_dma_buf *db;
	int fd;

	if (!f)
		return vfio_err(-ENOMEM, "out of memory");
	f->argsz = len;
	f->flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_BUF;
	db = (void *)f->data;
	db->region_index = index;
	db->open_flags = O_RDWR | O_CLOEXEC;
	db->nr_ranges = 1;
	db->dma_ranges[0].offset = offset;
	db->dma_ranges[0].length = length;
	fd = ioctl(dev->fd, VFIO_DEVICE_FEATURE, f);
	free(f);
	if (fd < 0)
		return vfio_err(-errno, "VFIO_DEVICE_FEATURE_DMA_BUF(region %u): %s%s",
				index, strerror(errno),
				errno == ENOTTY || errno == EINVAL ?
				" (kernel without VFIO dma-buf export?)" : "");
	return fd;
}
