// SPDX-License-Identifier: GPL-2.0
/*
 * Work counters: pins, IOMMU map calls, kernel instructions (work_counts.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "libvfio/faults.h"
#include "libvfio/work_counts.h"

/* /proc/vmstat's @key, or VFIO_COUNT_ABSENT. */
static long long vmstat_read(const char *key)
{
	FILE *f = fopen("/proc/vmstat", "r");
	long long v = VFIO_COUNT_ABSENT, n;
	char name[64];

	if (!f)
		return v;
	while (fscanf(f, "%63s %lld", name, &n) == 2)
		if (!strcmp(name, key)) {
			v = n;
			break;
		}
	fclose(f);
	return v;
}

/* Pins have no fd: /proc/vmstat's; the rest, a perf fd or absent. */
static long long read_vmstat(int i)
{
	return i == VFIO_WORK_PINS ? vmstat_read("nr_foll_pin_acquired") :
				     VFIO_COUNT_ABSENT;
}

void vfio_work_counter_open(struct vfio_counters *wc)
{
	struct perf_event_attr insns = {
		.type = PERF_TYPE_HARDWARE,
		.config = PERF_COUNT_HW_INSTRUCTIONS,
		.exclude_user = 1,
	};

	vfio_counters_init(wc, VFIO_WORK_NR, read_vmstat);
	if (vmstat_read("nr_foll_pin_acquired") == VFIO_COUNT_ABSENT)
		snprintf(wc->why[VFIO_WORK_PINS], sizeof(wc->why[0]),
			 "no nr_foll_pin_acquired in /proc/vmstat");
	wc->fd[VFIO_WORK_IOMMU_MAPS] =
		vfio_perf_kprobe_open("iommu_map", wc->why[VFIO_WORK_IOMMU_MAPS],
				      sizeof(wc->why[0]));
	/* Under TCG, or without a (virtual) PMU, there is none to count. */
	wc->fd[VFIO_WORK_KINSNS] = vfio_perf_open(&insns);
	if (wc->fd[VFIO_WORK_KINSNS] < 0)
		snprintf(wc->why[VFIO_WORK_KINSNS], sizeof(wc->why[0]),
			 "perf_event_open(instructions, kernel): %s",
			 strerror(errno));
}
