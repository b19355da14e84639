/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A vfio-pci device, attached to an IOMMU context (iommu.h) through its
 * group or, for native iommufd, its cdev.
 */
#ifndef LIBVFIO_VFIO_PCI_DEVICE_H
#define LIBVFIO_VFIO_PCI_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/vfio.h>

#include "bdf.h"
#include "iommu.h"
#include "map_policy.h"
#include "sparse_plan.h"

#define VFIO_PCI_NUM_BARS 6

struct vfio_pci_bar {
	uint64_t size;		/* region size reported by VFIO */
	uint64_t offset;	/* region offset in the device fd */
	uint32_t flags;		/* VFIO_REGION_INFO_FLAG_* */
	int sparse;		/* areas come from a sparse-mmap capability */
	struct vfio_range sparse_areas[VFIO_PLAN_MAX_AREAS];
	int nr_sparse_areas;

	/* While mapped: */
	void *va;		/* where region offset 0 is (or would be) */
	uint64_t pa;		/* physical start, from sysfs */
	enum vfio_map_policy policy;
	struct vfio_placement placement;
	struct vfio_sparse_plan plan;
	void *area_va[VFIO_PLAN_MAX_AREAS];
};

struct vfio_pci_device {
	char bdf[VFIO_BDF_LEN];
	struct vfio_iommu *iommu;	/* what it is attached to */
	bool attached;
	int group;		/* its IOMMU group's number */
	int group_fd;		/* container modes */
	uint32_t pt_id;		/* native iommufd: the HWPT it is in */
	int fd;
	struct vfio_device_info info;
	struct vfio_pci_bar bars[VFIO_PCI_NUM_BARS];
};

/*
 * Before any test of a binary runs: a device that is absent, bound to
 * another driver or without an IOMMU group fails the binary once, with
 * the fix, rather than every test and variant.  No-op for a NULL @bdf
 * and where vfio is missing altogether (each mode then SKIPs).
 */
void vfio_selftests_require_device(const char *bdf);

/* The number of @bdf's IOMMU group, or -ENODEV (none: no IOMMU). */
int vfio_pci_iommu_group(const char *bdf);

/* The basename of the sysfs symlink @path into @out, or -errno. */
int vfio_sysfs_link(const char *path, char *out, size_t len);

/*
 * Open @bdf, attach it to @iommu and read its BARs' region info.  Returns
 * 0 or -errno with a one-line reason that names the way out; everything
 * opened is closed again on failure.  Clean the device up before @iommu.
 */
int __vfio_pci_device_init(struct vfio_pci_device *dev, const char *bdf,
			   struct vfio_iommu *iommu);
struct vfio_pci_device *vfio_pci_device_init(const char *bdf,
					     struct vfio_iommu *iommu);
void vfio_pci_device_close(struct vfio_pci_device *dev);
void vfio_pci_device_cleanup(struct vfio_pci_device *dev);

/*
 * Region info with its capability chain, in a malloc'ed buffer sized to
 * what the kernel asked for (bounded, and the chain validated).
 */
int vfio_region_info_get(int device_fd, uint32_t index,
			 struct vfio_region_info **info);

/* Physical start and length of a BAR, from sysfs (needs root). */
int __vfio_pci_bar_pa(const char *bdf, int bar, uint64_t *pa, uint64_t *len);
void vfio_pci_bar_pa(const char *bdf, int bar, uint64_t *pa, uint64_t *len);

/*
 * Map a BAR where @policy puts it: its sparse areas at their offsets if
 * it has any, else all of it (a BAR smaller than a page maps one page).
 * -ENOENT: the BAR is absent or not mmappable.
 */
int __vfio_pci_bar_map(struct vfio_pci_device *dev, int bar,
		       enum vfio_map_policy policy);
void *vfio_pci_bar_map(struct vfio_pci_device *dev, int bar,
		       enum vfio_map_policy policy);
void vfio_pci_bar_unmap(struct vfio_pci_device *dev, int bar);
/* Read every page of a mapped BAR's areas, never its gaps. */
void vfio_pci_bar_touch(const struct vfio_pci_bar *b);

/*
 * VFIO_DEVICE_FEATURE_DMA_BUF: a dma-buf fd for [offset, +length) of
 * region @index, the route by which iommufd maps a BAR.  Returns the fd or
 * -errno (-ENOTTY/-EINVAL: the kernel has no such feature).
 */
int vfio_pci_dma_buf(struct vfio_pci_device *dev, uint32_t index,
		     uint64_t offset, uint64_t length);

#endif /* LIBVFIO_VFIO_PCI_DEVICE_H */
