// SPDX-License-Identifier: GPL-2.0
/*
 * A set of counters around a piece of work (counters.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "libvfio/counters.h"

void vfio_counters_init(struct vfio_counters *c, int nr,
			long long (*read)(int i))
{
	int i;

	memset(c, 0, sizeof(*c));
	c->nr = nr < VFIO_COUNTERS_MAX ? nr : VFIO_COUNTERS_MAX;
	c->read = read;
	for (i = 0; i < VFIO_COUNTERS_MAX; i++)
		c->fd[i] = -1;
}

void vfio_counters_close(struct vfio_counters *c)
{
	int i;

	for (i = 0; i < c->nr; i++) {
		if (c->fd[i] >= 0)
			close(c->fd[i]);
		c->fd[i] = -1;
	}
}

static long long read_one(const struct vfio_counters *c, int i)
{
	long long v;

	if (c->fd[i] < 0)
		return c->read ? c->read(i) : VFIO_COUNT_ABSENT;
	if (read(c->fd[i], &v, sizeof(v)) != sizeof(v))
		return VFIO_COUNT_ABSENT;
	return v;
}

void vfio_counters_start(struct vfio_counters *c)
{
	int i;

	for (i = 0; i < c->nr; i++)
		c->start[i] = read_one(c, i);
}

void vfio_counters_stop(struct vfio_counters *c)
{
	long long now[VFIO_COUNTERS_MAX];
	int i;

	/* Read everything first, so the counters do not count each other. */
	for (i = c->nr - 1; i >= 0; i--)
		now[i] = read_one(c, i);
	for (i = 0; i < c->nr; i++)
		c->delta[i] = now[i] == VFIO_COUNT_ABSENT ||
			      c->start[i] == VFIO_COUNT_ABSENT ?
			      VFIO_COUNT_ABSENT : now[i] - c->start[i];
}

int vfio_perf_open(struct perf_event_attr *attr)
{
	attr->size = sizeof(*attr);
	attr->disabled = 0;
	attr->exclude_hv = 1;
	/* This thread, any CPU. */
	return syscall(SYS_perf_event_open, attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

static int kprobe_pmu_type(void)
{
	FILE *f = fopen("/sys/bus/event_source/devices/kprobe/type", "r");
	int type = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &type) != 1)
		type = -1;
	fclose(f);
	return type;
}

int vfio_perf_kprobe_open(const char *func, char *why, size_t len)
{
	struct perf_event_attr attr = { 0 };
	int type = kprobe_pmu_type(), fd;

	if (type < 0) {
		snprintf(why, len, "no kprobe PMU (CONFIG_KPROBE_EVENTS off?)");
		return -1;
	}
	attr.type = type;
	attr.config1 = (uintptr_t)func;		/* kprobe_func */
	attr.config2 = 0;			/* probe_offset */
	fd = vfio_perf_open(&attr);
	if (fd < 0)
		snprintf(why, len, "kprobe on %s: %s", func, strerror(errno));
	return fd;
}
