/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfio-bench test library: one header per concept, this one pulls them all.
 */
#ifndef LIBVFIO_H
#define LIBVFIO_H

#include "libvfio/assert.h"
#include "libvfio/bdf.h"
#include "libvfio/backing.h"
#include "libvfio/caps.h"
#include "libvfio/dma.h"
#include "libvfio/dma_driver.h"
#include "libvfio/fault_expect.h"
#include "libvfio/fault_law.h"
#include "libvfio/fault_probe.h"
#include "libvfio/faults.h"
#include "libvfio/gup_faults.h"
#include "libvfio/iommu.h"
#include "libvfio/iommu_entries.h"
#include "libvfio/iommu_fault_log.h"
#include "libvfio/iommufd_ioas.h"
#include "libvfio/known_issues.h"
#include "libvfio/largest_bar.h"
#include "libvfio/leak_check.h"
#include "libvfio/map_policy.h"
#include "libvfio/mmap.h"
#include "libvfio/numa.h"
#include "libvfio/page_levels.h"
#include "libvfio/pci_config.h"
#include "libvfio/proc_maps.h"
#include "libvfio/pt_evidence.h"
#include "libvfio/region_map.h"
#include "libvfio/sparse_plan.h"
#include "libvfio/thp.h"
#include "libvfio/vfio_pci_device.h"

#endif /* LIBVFIO_H */
