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

/* The sources without an fd: rusage's; a kprobe that did not open. */
static long long read_rusage(int i)
{
	struct rusage ru;

	if (i != VFIO_FAULTS_MINFLT || getrusage(RUSAGE_THREAD, &ru))
		return VFIO_FAULTS_ABSENT;
	return ru.ru_minflt;
}

void vfio_fault_counter_open(struct vfio_counters *fc)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_PAGE_FAULTS,
		/* User-mode faults are counted even so, and paranoid=2 allows it. */
		.exclude_kernel = 1,
	};
	int i;

	vfio_counters_init(fc, VFIO_FAULTS_NR, read_rusage);
	fc->fd[VFIO_FAULTS_PERF] = vfio_perf_open(&attr);
	if (fc->fd[VFIO_FAULTS_PERF] < 0)
		snprintf(fc->why[VFIO_FAULTS_PERF], sizeof(fc->why[0]),
			 "perf_event_open(page-faults): %s", strerror(errno));
	for (i = VFIO_FAULTS_PMD; i <= VFIO_FAULTS_PUD; i++)
		fc->fd[i] = vfio_perf_kprobe_open(kprobe_funcs[i], fc->why[i],
						  sizeof(fc->why[i]));
}

/*
 * Not instrumented: under ASan each access would also touch shadow
 * memory, and those faults would count as the mapping's.
 */
__attribute__((no_sanitize_address))
void vfio_touch_pages(void *va, uint64_t len, bool write)
{
	uint8_t *p = va, *end = p + len;
	/* The real page, not the levels a host test may have set. */
	size_t page = getpagesize();

	/* Atomic accesses: one real load or store per page, never merged. */
	for (; p < end; p += page) {
		if (write)
			__atomic_store_n((uint32_t *)p, 0, __ATOMIC_RELAXED);
		else
			(void)__atomic_load_n((uint32_t *)p, __ATOMIC_RELAXED);
	}
}
