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
#include <stddef.h>
#include <stdint.h>

#include <linux/perf_event.h>

enum vfio_fault_source {
	VFIO_FAULTS_PERF,	/* PERF_COUNT_SW_PAGE_FAULTS, this thread */
	VFIO_FAULTS_MINFLT,	/* getrusage(RUSAGE_THREAD).ru_minflt */
	VFIO_FAULTS_PMD,	/* kprobe hits on vmf_insert_pfn_pmd */
	VFIO_FAULTS_PUD,	/* kprobe hits on vmf_insert_pfn_pud */
	VFIO_FAULTS_NR,
};

/* A count that could not be taken is VFIO_FAULTS_ABSENT, never zero. */
#define VFIO_FAULTS_ABSENT (-1LL)

struct vfio_fault_counter {
	int fd[VFIO_FAULTS_NR];		/* perf fds; -1 when unavailable */
	char why[VFIO_FAULTS_NR][96];	/* why a counter is unavailable */
	long long start[VFIO_FAULTS_NR];
	long long delta[VFIO_FAULTS_NR];
};

/* Open every counter the kernel allows; never fails as a whole. */
void vfio_fault_counter_open(struct vfio_fault_counter *fc);
void vfio_fault_counter_close(struct vfio_fault_counter *fc);
void vfio_fault_counter_start(struct vfio_fault_counter *fc);
/* Fill fc->delta[] with what happened since start. */
void vfio_fault_counter_stop(struct vfio_fault_counter *fc);

const char *vfio_fault_source_name(enum vfio_fault_source s);

/* perf_event_open() of @attr for this thread on any CPU; fd or -1. */
int vfio_perf_open(struct perf_event_attr *attr);
/*
 * A counter of this thread's hits on kernel function @func, through the
 * kprobe PMU; fd, or -1 with the reason in @why.
 */
int vfio_perf_kprobe_open(const char *func, char *why, size_t len);

/*
 * Fault in every page of [va, va + len): read (or write) its first word,
 * in address order.  Reads are what device BARs get: safe on registers.
 */
void vfio_touch_pages(void *va, uint64_t len, bool write);

#endif /* LIBVFIO_FAULTS_H */
