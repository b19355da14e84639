/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Drivers for devices that DMA: a test makes the device read or write
 * an IOVA and checks the bytes from the CPU, so that a mapping is proven
 * by the traffic it carries, not by the ioctl's return.
 *
 * Upstream's selftests drive memcpy engines (ioat, dsa) from IOVA to
 * IOVA.  The devices here move data between their own memory and a bus
 * address, so the primitive is a transfer in one direction; a copy from
 * IOVA to IOVA is two of them.  Every transfer is waited for by polling:
 * no interrupts.
 */
#ifndef LIBVFIO_DMA_DRIVER_H
#define LIBVFIO_DMA_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

struct vfio_pci_device;
struct vfio_dma_driver;

/* Seen from the device, as the DMA API names it. */
enum vfio_dma_dir {
	VFIO_DMA_TO_DEVICE,	/* the device reads the IOVA */
	VFIO_DMA_FROM_DEVICE,	/* the device writes the IOVA */
};

struct vfio_dma_driver_ops {
	const char *name;
	uint16_t vendor;
	uint16_t device;
	/*
	 * Take the device: map its registers, check that it is what its
	 * IDs say, let it master the bus, and fill in mem_size, max_size
	 * and dma_mask.  0 or -errno with the reason.
	 */
	int (*init)(struct vfio_dma_driver *drv);
	/* Stop it and give back what init() took. */
	void (*remove)(struct vfio_dma_driver *drv);
	/*
	 * One transfer of @size bytes between @off in the device's memory
	 * and bus address @iova, started and polled to its end.  The
	 * arguments are checked already.  -ETIMEDOUT when it never ends,
	 * -EIO when the device reports an error.
	 */
	int (*transfer)(struct vfio_dma_driver *drv, enum vfio_dma_dir dir,
			uint64_t iova, uint64_t off, uint64_t size);
};

struct vfio_dma_driver {
	const struct vfio_dma_driver_ops *ops;
	struct vfio_pci_device *dev;
	uint64_t mem_size;	/* the device memory transfers start or end in */
	uint64_t max_size;	/* the most one transfer moves */
	uint64_t dma_mask;	/* the bus addresses the device can reach */
	void *regs;		/* the driver's registers, while it runs */
	bool stuck;		/* a transfer never ended: no more of them */
	unsigned long nr_transfers;
};

/*
 * The driver for @dev, by the IDs in its config space: 0, or -ENODEV
 * naming the IDs and the devices there are drivers for.
 */
int vfio_dma_driver_probe(struct vfio_pci_device *dev,
			  const struct vfio_dma_driver_ops **ops);

/* The same by the IDs sysfs shows for @bdf, without opening it. */
int vfio_dma_driver_for_bdf(const char *bdf,
			    const struct vfio_dma_driver_ops **ops);

/*
 * Probe and init a driver for @dev, which must be attached to its IOMMU
 * context with nothing mapped yet at low IOVAs (a driver may map a
 * scratch page there while it measures the device, and unmaps it
 * before it returns).
 */
int __vfio_dma_driver_init(struct vfio_dma_driver *drv,
			   struct vfio_pci_device *dev);
void vfio_dma_driver_init(struct vfio_dma_driver *drv,
			  struct vfio_pci_device *dev);
void vfio_dma_driver_remove(struct vfio_dma_driver *drv);

/*
 * One transfer.  -EINVAL with the reason for a size of 0 or past
 * max_size, a range outside the device's memory, or an IOVA range the
 * device's dma_mask does not reach (the device would silently send it
 * elsewhere); -EBUSY after a transfer got stuck.
 */
int __vfio_dma_transfer(struct vfio_dma_driver *drv, enum vfio_dma_dir dir,
			uint64_t iova, uint64_t off, uint64_t size);
void vfio_dma_transfer(struct vfio_dma_driver *drv, enum vfio_dma_dir dir,
		       uint64_t iova, uint64_t off, uint64_t size);

/* IOVA to IOVA through the device's memory: two transfers. */
int __vfio_dma_memcpy(struct vfio_dma_driver *drv, uint64_t src,
		      uint64_t dst, uint64_t size);
void vfio_dma_memcpy(struct vfio_dma_driver *drv, uint64_t src, uint64_t dst,
		     uint64_t size);

#endif /* LIBVFIO_DMA_DRIVER_H */
