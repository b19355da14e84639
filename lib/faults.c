// SPDX-License-Identifier: GPL-2.0
/*
 * Fault counters: perf software events, rusage and kprobes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/perf_event.h>

#include "libvfio/faults.h"
#include "libvfio/mmap.h"

static const char * const source_names[VFIO_FAULTS_NR] = {
	[VFIO_FAULTS_PERF] = "perf",
	[VFIO_FAULTS_MINFLT] = "minflt",
	[VFIO_FAULTS_PMD] = "pmd_inserts",
	[VFIO_FAULTS_PUD] = "pud_inserts",
};

static const char * const kprobe_funcs[VFIO_FAULTS_NR] = {
	[VFIO_FAULTS_PMD] = "vmf_insert_pfn_pmd",
	[VFIO_FAULTS_PUD] = "vmf_insert_pfn_pud",
};

const char *vfio_fault_source_name(enum vfio_fault_source s)
{
	return s < VFIO_FAULTS_NR ? source_names[s] : "invalid";
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

void vfio_fault_counter_open(struct vfio_fault_counter *fc)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_PAGE_FAULTS,
		/* User-mode faults are counted even so, and paranoid=2 allows it. */
		.exclude_kernel = 1,
	};
	int i;

	memset(fc, 0, sizeof(*fc));
	for (i = 0; i < VFIO_FAULTS_NR; i++)
		fc->fd[i] = -1;
	fc->fd[VFIO_FAULTS_PERF] = vfio_perf_open(&attr);
	if (fc->fd[VFIO_FAULTS_PERF] < 0)
		snprintf(fc->why[VFIO_FAULTS_PERF], sizeof(fc->why[0]),
			 "perf_event_open(page-faults): %s", strerror(errno));
	for (i = VFIO_FAULTS_PMD; i <= VFIO_FAULTS_PUD; i++)
		fc->fd[i] = vfio_perf_kprobe_open(kprobe_funcs[i], fc->why[i],
						  sizeof(fc->why[i]));
}

void vfio_fault_counter_close(struct vfio_fault_counter *fc)
{
	int i;

	for (i = 0; i < VFIO_FAULTS_NR; i++) {
		if (fc->fd[i] >= 0)
			close(fc->fd[i]);
		fc->fd[i] = -1;
	}
}

static long long read_source(struct vfio_fault_counter *fc, int i)
{
	struct rusage ru;
	long long v;

	if (i == VFIO_FAULTS_MINFLT) {
		if (getrusage(RUSAGE_THREAD, &ru))
			return VFIO_FAULTS_ABSENT;
		return ru.ru_minflt;
	}
	if (fc->fd[i] < 0 || read(fc->fd[i], &v, sizeof(v)) != sizeof(v))
		return VFIO_FAULTS_ABSENT;
	return v;
}

void vfio_fault_counter_start(struct vfio_fault_counter *fc)
{
	int i;

	for (i = 0; i < VFIO_FAULTS_NR; i++)
		fc->start[i] = read_source(fc, i);
}

void vfio_fault_counter_stop(struct vfio_fault_counter *fc)
{
	long long now[VFIO_FAULTS_NR];
	int i;

	/* Read everything first, so the counters do not count each other. */
	for (i = 0; i < VFIO_FAULTS_NR; i++)
		now[i] = read_source(fc, i);
	for (i = 0; i < VFIO_FAULTS_NR; i++)
		fc->delta[i] = now[i] == VFIO_FAULTS_ABSENT ||
			       fc->start[i] == VFIO_FAULTS_ABSENT ?
			       VFIO_FAULTS_ABSENT : now[i] - fc->start[i];
}

/*
 * Not instrumented: under ASan each access would also touch shadow
 * memory, and those faults would count as the mapping's.
 */
__attribute__((no_sanitize_address))
void vfio_touch_pages(void *va, uint64_t len, bool write)
{
	uint8_t *p = va, *end = p + len;

	/* Atomic accesses: one real load or store per page, never merged. */
	for (; p < end; p += SZ_4K) {
		if (write)
			__atomic_store_n((uint32_t *)p, 0, __ATOMIC_RELAXED);
		else
			(void)__atomic_load_n((uint32_t *)p, __ATOMIC_RELAXED);
	}
}
