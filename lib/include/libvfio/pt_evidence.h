/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page-table evidence: how the kernel really mapped a range, read from
 * its own dumps rather than inferred from fault counts.
 *
 * CPU: the PTDUMP debugfs file of the current process
 * (/sys/kernel/debug/page_tables/current_user under PTI, else
 * current_kernel; CONFIG_PTDUMP_DEBUGFS), one line per run of leaf
 * entries with the same protection and level:
 *
 *   0x00007f0000000000-0x00007f0040000000           1G USR RW PCD PSE         NX pud
 *
 * Not-present runs have blanks where the protection bits go.
 *
 * IOMMU: the Intel IOMMU debugfs (CONFIG_INTEL_IOMMU_DEBUGFS),
 * /sys/kernel/debug/iommu/intel/<bdf>/domain_translation_struct: after a
 * "Device <bdf> @0x..." header, one line per leaf entry, its IOVA PFN and
 * the entries on the walk to it, top level first:
 *
 *   0x00000000ffff8 |	PML5E	PML4E	PDPE	PDE	PTE
 *
 * A leaf at the PDPE (1 GiB) stops after three entries, one at the PDE
 * (2 MiB) after four, a PTE (4 KiB) has five.
 *
 * Both count entries by level into a struct vfio_fault_law: the numbers
 * vfio_expected_faults() predicts for a fully touched mapping.
 */
#ifndef LIBVFIO_PT_EVIDENCE_H
#define LIBVFIO_PT_EVIDENCE_H

#include <stdint.h>
#include <stdio.h>

#include "fault_law.h"

#define VFIO_DEBUGFS		"/sys/kernel/debug"
#define VFIO_PTDUMP_DIR		VFIO_DEBUGFS "/page_tables"
#define VFIO_INTEL_IOMMU_DIR	VFIO_DEBUGFS "/iommu/intel"

/*
 * Mount debugfs at /sys/kernel/debug unless it is there already.  0 or
 * -errno with the reason (not root, or a kernel without CONFIG_DEBUG_FS).
 */
int vfio_debugfs_mount(void);

/*
 * Leaf entries of this process's page tables that map any byte of
 * [start, end), by level.  -ENOENT with the reason when the kernel offers
 * no dump (debugfs not mounted, CONFIG_PTDUMP_DEBUGFS off).
 */
int vfio_ptdump_count(uint64_t start, uint64_t end, struct vfio_fault_law *out);

/*
 * Leaf entries of @bdf's IOMMU domain that map any byte of
 * [iova, iova + size), by level.  -ENOENT with the reason when there is no
 * Intel IOMMU dump for the device; -EPROTO when its format is not the one
 * described above.
 */
int vfio_iommu_pt_count(const char *bdf, uint64_t iova, uint64_t size,
			struct vfio_fault_law *out);

/* The parsers behind both, on any stream: for host tests and fuzzing. */
int vfio_ptdump_count_file(FILE *f, uint64_t start, uint64_t end,
			   struct vfio_fault_law *out);
int vfio_iommu_pt_count_file(FILE *f, const char *bdf, uint64_t iova,
			     uint64_t size, struct vfio_fault_law *out);

#endif /* LIBVFIO_PT_EVIDENCE_H */
