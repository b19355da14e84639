/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A set of counters read around a piece of work (a touch loop, an
 * ioctl): each one's start and what changed by the stop.  faults.h and
 * work_counts.h fill one with their sources.
 */
#ifndef LIBVFIO_COUNTERS_H
#define LIBVFIO_COUNTERS_H

#include <stddef.h>

#include <linux/perf_event.h>

#define VFIO_COUNTERS_MAX	4

/* A count that could not be taken; never zero. */
#define VFIO_COUNT_ABSENT	(-1LL)

struct vfio_counters {
	int nr;
	int fd[VFIO_COUNTERS_MAX];	/* perf fds; -1: none, or read by @read */
	char why[VFIO_COUNTERS_MAX][96];	/* why a count is unavailable */
	long long start[VFIO_COUNTERS_MAX];
	long long delta[VFIO_COUNTERS_MAX];
	/* A source without an fd (rusage, vmstat): its value, or ABSENT. */
	long long (*read)(int i);
};

/* @nr sources, none open yet. */
void vfio_counters_init(struct vfio_counters *c, int nr,
			long long (*read)(int i));
void vfio_counters_close(struct vfio_counters *c);
/*
 * Start reads the sources first to last, stop last to first: a count
 * of the thread's own work (kernel instructions) is put last by its
 * set, and then does not count the other sources' reads.
 */
void vfio_counters_start(struct vfio_counters *c);
/* Fill c->delta[] with what happened since start. */
void vfio_counters_stop(struct vfio_counters *c);

/* perf_event_open() of @attr for this thread on any CPU; fd or -1. */
int vfio_perf_open(struct perf_event_attr *attr);
/*
 * A counter of this thread's hits on kernel function @func, through the
 * kprobe PMU; fd, or -1 with the reason in @why.
 */
int vfio_perf_kprobe_open(const char *func, char *why, size_t len);

#endif /* LIBVFIO_COUNTERS_H */
