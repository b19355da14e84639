// SPDX-License-Identifier: GPL-2.0
/*
 * A device's PCI configuration space, through its VFIO config region.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/pci_regs.h>

#include "libvfio/assert.h"
#include "libvfio/pci_config.h"
#include "libvfio/vfio_pci_device.h"

/* Where the config region starts in the device fd. */
static int config_offset(struct vfio_pci_device *dev, uint64_t *off)
{
	struct vfio_region_info *info;
	int ret;

	ret = vfio_region_info_get(dev->fd, VFIO_PCI_CONFIG_REGION_INDEX, &info);
	if (ret)
		return ret;
	*off = info->offset;
	free(info);
	return 0;
}

static int config_access(struct vfio_pci_device *dev, uint32_t off,
			 void *buf, size_t len, int write)
{
	uint64_t base;
	ssize_t n;
	int ret;

	ret = config_offset(dev, &base);
	if (ret)
		return ret;
	if (write)
		n = pwrite(dev->fd, buf, len, base + off);
	else
		n = pread(dev->fd, buf, len, base + off);
	if (n < 0)
		return vfio_err(-errno, "%s: config %s at %#x: %s", dev->bdf,
				write ? "write" : "read", off, strerror(errno));
	if ((size_t)n != len)
		return vfio_err(-EIO, "%s: config %s at %#x: %zd of %zu bytes",
				dev->bdf, write ? "write" : "read", off, n, len);
	return 0;
}

int vfio_pci_config_read(struct vfio_pci_device *dev, uint32_t off,
			 void *buf, size_t len)
{
	return config_access(dev, off, buf, len, 0);
}

int vfio_pci_config_write(struct vfio_pci_device *dev, uint32_t off,
			  const void *buf, size_t len)
{
	return config_access(dev, off, (void *)buf, len, 1);
}

int vfio_pci_bus_master(struct vfio_pci_device *dev, int on)
{
	uint16_t cmd;
	int ret;

	ret = vfio_pci_config_read(dev, PCI_COMMAND, &cmd, sizeof(cmd));
	if (ret)
		return ret;
	/* MMIO decoding too: the driver reaches its registers through it. */
	if (on)
		cmd |= PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY;
	else
		cmd &= ~PCI_COMMAND_MASTER;
	return vfio_pci_config_write(dev, PCI_COMMAND, &cmd, sizeof(cmd));
}
