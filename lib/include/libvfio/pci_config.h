/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A device's PCI configuration space, through its VFIO config region.
 */
#ifndef LIBVFIO_PCI_CONFIG_H
#define LIBVFIO_PCI_CONFIG_H

#include <stddef.h>
#include <stdint.h>

struct vfio_pci_device;

/*
 * Read or write @len bytes at @off of @dev's config space.  0, or -errno
 * with the reason (-EIO for a short access).
 */
int vfio_pci_config_read(struct vfio_pci_device *dev, uint32_t off,
			 void *buf, size_t len);
int vfio_pci_config_write(struct vfio_pci_device *dev, uint32_t off,
			  const void *buf, size_t len);

/*
 * Let the device master the bus (PCI_COMMAND_MASTER) or stop it: a DMA
 * engine sends nothing without it.
 */
int vfio_pci_bus_master(struct vfio_pci_device *dev, int on);

#endif /* LIBVFIO_PCI_CONFIG_H */
