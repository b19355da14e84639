/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IOMMU faults the kernel logs: what a device's refused DMA leaves
 * behind, read from /dev/kmsg rather than assumed.
 */
#ifndef LIBVFIO_IOMMU_FAULT_LOG_H
#define LIBVFIO_IOMMU_FAULT_LOG_H

#include <stddef.h>
#include <stdint.h>

/*
 * The kernel's log from now on: /dev/kmsg, opened at its end.  Returns
 * the fd, or -errno with the reason (-EPERM/-EACCES: reading the log
 * needs CAP_SYSLOG where dmesg_restrict is set).
 */
int vfio_fault_log_open(void);

/*
 * Wait up to @timeout_ms for a record, logged since @fd was opened or
 * last searched, that reports an IOMMU fault at IOVA @iova or at its
 * 4 KiB page (Intel's DMAR "fault addr 0x...", AMD-Vi's IO_PAGE_FAULT
 * "address=0x...", virtio-iommu's "fault ... at 0x...").  0 with the
 * record's text in @line; -ENOENT when none came.  Records about other
 * addresses are passed over.
 */
int vfio_fault_log_find(int fd, uint64_t iova, int timeout_ms, char *line,
			size_t len);

/*
 * True when @msg, one log record, reports an IOMMU fault at @iova or at
 * its 4 KiB page: "fault" in it and the address as a whole hex word.
 */
int vfio_fault_log_matches(const char *msg, uint64_t iova);

/*
 * The interrupts the IOMMUs' fault handlers took so far (Intel's DMAR,
 * AMD-Vi's event log, the SMMUv3's and virtio-iommu's event queues, from
 * /proc/interrupts), counted even when the kernel rate-limits the
 * reports: -ENOENT where there are no such lines.
 */
long vfio_fault_irqs(void);

#endif /* LIBVFIO_IOMMU_FAULT_LOG_H */
