// SPDX-License-Identifier: GPL-2.0
/*
 * Work counters: pins, IOMMU map calls, kernel instructions (work_counts.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "libvfio/faults.h"
#include "libvfio/work_counts.h"

/* /proc/vmstat's @key, or VFIO_WORK_ABSENT. */
static long long vmstat_read(const char *key)
{
	FILE *f = fopen("/proc/vmstat", "r");
	long long v = VFIO_WORK_ABSENT, n;
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

void vfio_work_counter_open(struct vfio_work_counter *wc)
{
	struct perf_event_attr insns = {
		.type = PERF_TYPE_HARDWARE,
		.config = PERF_COUNT_HW_INSTRUCTIONS,
		.exclude_user = 1,
	};
	int i;

	memset(wc, 0, sizeof(*wc));
	for (i = 0; i < VFIO_WORK_NR; i++)
		wc->fd[i] = -1;
	if (vmstat_read("nr_foll_pin_acquired") == VFIO_WORK_ABSENT)
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

void vfio_work_counter_close(struct vfio_work_counter *wc)
{
	int i;

	for (i = 0; i < VFIO_WORK_NR; i++) {
		if (wc->fd[i] >= 0)
			close(wc->fd[i]);
		wc->fd[i] = -1;
	}
}

static long long read_source(const struct vfio_work_counter *wc, int i)
{
	long long v;

	if (i == VFIO_WORK_PINS)
		return vmstat_read("nr_foll_pin_acquired");
	if (wc->fd[i] < 0 || read(wc->fd[i], &v, sizeof(v)) != sizeof(v))
		return VFIO_WORK_ABSENT;
	return v;
}

/*
 * The instruction count is read last at the start and first at the
 * stop, so that the other counters' reads are not counted as the work.
 */
void vfio_work_counter_start(struct vfio_work_counter *wc)
{
	int i;

	for (i = 0; i < VFIO_WORK_NR; i++)
		wc->start[i] = read_source(wc, i);
}

void vfio_work_counter_stop(struct vfio_work_counter *wc)
{
	long long now[VFIO_WORK_NR];
	int i;

	for (i = VFIO_WORK_NR - 1; i >= 0; i--)
		now[i] = read_source(wc, i);
	for (i = 0; i < VFIO_WORK_NR; i++)
		wc->delta[i] = now[i] == VFIO_WORK_ABSENT ||
			       wc->start[i] == VFIO_WORK_ABSENT ?
			       VFIO_WORK_ABSENT : now[i] - wc->start[i];
}
