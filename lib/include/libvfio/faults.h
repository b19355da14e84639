/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counting page faults, and the huge entries the kernel inserts.
 *
 * Faults user space takes by touching memory reach the per-thread
 * PERF_COUNT_SW_PAGE_FAULTS event and ru_minflt alike.  Faults the kernel
 * takes on our behalf inside an ioctl (GUP in VFIO_IOMMU_MAP_DMA) reach
 * only ru_minflt: the perf event is skipped when there are no user regs.
 * kprobes on vmf_insert_pfn_pmd/pud count the huge entries themselves.
 */
#ifndef LIBVFIO_FAULTS_H
#define LIBVFIO_FAULTS_H

#include <stdbool.h>
#include <stdint.h>

#include "counters.h"

enum vfio_fault_source {
	VFIO_FAULTS_PERF,	/* PERF_COUNT_SW_PAGE_FAULTS, this thread */
	VFIO_FAULTS_MINFLT,	/* getrusage(RUSAGE_THREAD).ru_minflt */
	VFIO_FAULTS_PMD,	/* kprobe hits on vmf_insert_pfn_pmd */
	VFIO_FAULTS_PUD,	/* kprobe hits on vmf_insert_pfn_pud */
	VFIO_FAULTS_NR,
};

/* A count that could not be taken is VFIO_FAULTS_ABSENT, never zero. */
#define VFIO_FAULTS_ABSENT VFIO_COUNT_ABSENT

/*
 * Open every fault source the kernel allows into @fc (counters.h:
 * start, stop, close); never fails as a whole.
 */
void vfio_fault_counter_open(struct vfio_counters *fc);

const char *vfio_fault_source_name(enum vfio_fault_source s);

/*
 * Fault in every page of [va, va + len): read (or write) its first word,
 * in address order.  Reads are what device BARs get: safe on registers.
 */
void vfio_touch_pages(void *va, uint64_t len, bool write);

#endif /* LIBVFIO_FAULTS_H */
