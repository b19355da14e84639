// SPDX-License-Identifier: GPL-2.0
/*
 * DMA drivers: which one a device gets, and the checks every transfer
 * passes before it reaches the device.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/pci_regs.h>

#include "drivers/drivers.h"
#include "libvfio/assert.h"
#include "libvfio/dma_driver.h"
#include "libvfio/pci_config.h"
#include "libvfio/vfio_pci_device.h"

static const struct vfio_dma_driver_ops * const drivers[] = {
	&vfio_edu_ops,
};

#define NR_DRIVERS ARRAY_SIZE(drivers)

/* "edu 1234:11e8, ...": what the message for an unknown device lists. */
static void list_drivers(char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < NR_DRIVERS && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%s %04x:%04x", i ? ", " : "",
			      drivers[i]->name, drivers[i]->vendor,
			      drivers[i]->device);
}

static int lookup(const char *bdf, unsigned int vendor, unsigned int device,
		  const struct vfio_dma_driver_ops **ops)
{
	char known[128];
	size_t i;

	for (i = 0; i < NR_DRIVERS; i++) {
		if (drivers[i]->vendor == vendor && drivers[i]->device == device) {
			*ops = drivers[i];
			return 0;
		}
	}
	list_drivers(known, sizeof(known));
	return vfio_err(-ENODEV, "%s (%04x:%04x) has no DMA driver here; there are drivers for %s",
			bdf, vendor, device, known);
}

int vfio_dma_driver_probe(struct vfio_pci_device *dev,
			  const struct vfio_dma_driver_ops **ops)
{
	uint16_t id[2];
	int ret;

	ret = vfio_pci_config_read(dev, PCI_VENDOR_ID, id, sizeof(id));
	return ret ? ret : lookup(dev->bdf, id[0], id[1], ops);
}

/* A sysfs attribute of @bdf holding one number ("0x1234"). */
static int sysfs_id(const char *bdf, const char *attr, unsigned int *val)
{
	char path[96];
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, attr);
	f = fopen(path, "r");
	if (!f)
		return vfio_err(-errno, "%s: %s", path, strerror(errno));
	n = fscanf(f, "%x", val);
	fclose(f);
	return n == 1 ? 0 : vfio_err(-EINVAL, "%s: no number in it", path);
}

int vfio_dma_driver_for_bdf(const char *bdf,
			    const struct vfio_dma_driver_ops **ops)
{
	unsigned int vendor, device;
	int ret = sysfs_id(bdf, "vendor", &vendor);

	if (!ret)
		ret = sysfs_id(bdf, "device", &device);
	return ret ? ret : lookup(bdf, vendor, device, ops);
}

int __vfio_dma_driver_init(struct vfio_dma_driver *drv,
			   struct vfio_pci_device *dev)
{
	int ret;

	memset(drv, 0, sizeof(*drv));
	drv->dev = dev;
	ret = vfio_dma_driver_probe(dev, &drv->ops);
	if (ret)
		return ret;
	ret = drv->ops->init(drv);
	if (ret)
		drv->ops = NULL;
	return ret;
}

void vfio_dma_driver_init(struct vfio_dma_driver *drv,
			  struct vfio_pci_device *dev)
{
	VFIO_ASSERT_OK(__vfio_dma_driver_init(drv, dev));
}

void vfio_dma_driver_remove(struct vfio_dma_driver *drv)
{
	if (!drv->ops)
		return;
	drv->ops->remove(drv);
	drv->ops = NULL;
}

static int check_transfer(const struct vfio_dma_driver *drv, uint64_t iova,
			  uint64_t off, uint64_t size)
{
	if (!drv->ops)
		return vfio_err(-EINVAL, "DMA driver not initialized");
	if (drv->stuck)
		return vfio_err(-EBUSY, "%s: an earlier transfer never ended: no more",
				drv->dev->bdf);
	if (!size || size > drv->max_size)
		return vfio_err(-EINVAL, "%s: count %#llx: one transfer moves 1 to %#llx bytes",
				drv->ops->name, (unsigned long long)size,
				(unsigned long long)drv->max_size);
	if (off > drv->mem_size || size > drv->mem_size - off)
		return vfio_err(-EINVAL, "%s: [%#llx, +%#llx) is beyond the device's %#llx-byte buffer",
				drv->ops->name, (unsigned long long)off,
				(unsigned long long)size,
				(unsigned long long)drv->mem_size);
	if (iova + size - 1 < iova || (iova + size - 1) & ~drv->dma_mask)
		return vfio_err(-EINVAL, "%s: IOVA [%#llx, +%#llx) is outside the device's DMA mask %#llx",
				drv->ops->name, (unsigned long long)iova,
				(unsigned long long)size,
				(unsigned long long)drv->dma_mask);
	return 0;
}

int __vfio_dma_transfer(struct vfio_dma_driver *drv, enum vfio_dma_dir dir,
			uint64_t iova, uint64_t off, uint64_t size)
{
	int ret = check_transfer(drv, iova, off, size);

	if (ret)
		return ret;
	ret = drv->ops->transfer(drv, dir, iova, off, size);
	drv->stuck = ret == -ETIMEDOUT;
	drv->nr_transfers++;
	return ret;
}

void vfio_dma_transfer(struct vfio_dma_driver *drv, enum vfio_dma_dir dir,
		       uint64_t iova, uint64_t off, uint64_t size)
{
	VFIO_ASSERT_OK(__vfio_dma_transfer(drv, dir, iova, off, size));
}

int __vfio_dma_memcpy(struct vfio_dma_driver *drv, uint64_t src,
		      uint64_t dst, uint64_t size)
{
	int ret = __vfio_dma_transfer(drv, VFIO_DMA_TO_DEVICE, src, 0, size);

	return ret ? ret : __vfio_dma_transfer(drv, VFIO_DMA_FROM_DEVICE, dst, 0, size);
}

void vfio_dma_memcpy(struct vfio_dma_driver *drv, uint64_t src, uint64_t dst,
		     uint64_t size)
{
	VFIO_ASSERT_OK(__vfio_dma_memcpy(drv, src, dst, size));
}
