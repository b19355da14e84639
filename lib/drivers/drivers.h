/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The DMA drivers the library has, for lib/dma_driver.c's table.
 */
#ifndef LIBVFIO_DRIVERS_H
#define LIBVFIO_DRIVERS_H

#include "libvfio/dma_driver.h"

extern const struct vfio_dma_driver_ops vfio_edu_ops;

#endif /* LIBVFIO_DRIVERS_H */
