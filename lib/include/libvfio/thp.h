/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The THP sysfs mode, which on some kernels decides whether huge entries
 * appear; the fault probe records it, and tests change it and put it back.
 */
#ifndef LIBVFIO_THP_H
#define LIBVFIO_THP_H

#include <stddef.h>

#include <stdbool.h>
#include <stdint.h>

#define VFIO_THP_DIR "/sys/kernel/mm/transparent_hugepage"
#define VFIO_THP_ENABLED VFIO_THP_DIR "/enabled"

/*
 * The THP sysfs mode (always, madvise, never) into @out; "absent" and
 * -errno with vfio_error() without (vfio_thp_mode() asserts).
 */
int __vfio_thp_mode(char *out, size_t len);
void vfio_thp_mode(char *out, size_t len);

/* The word in brackets of a sysfs mode line into @out; -EINVAL without. */
int vfio_thp_parse_mode(const char *line, char *out, size_t len);

/*
 * The THP mode that applies to anonymous folios of @size bytes, under
 * @dir (VFIO_THP_DIR; another for tests): mTHP's
 * hugepages-<size>kB/enabled, its "inherit" read from the top-level
 * enabled; the top-level one on a kernel without per-size files.
 * -errno with vfio_error() when neither can be read.
 */
int vfio_thp_size_mode(const char *dir, uint64_t size, char *out, size_t len);

/*
 * The mTHP sizes under @size that anonymous memory advised
 * MADV_HUGEPAGE may get (mode always or madvise, inherit resolved), as
 * "64kB 128kB" into @out: their count, 0 on a kernel without them.
 */
int vfio_thp_sizes_below(const char *dir, uint64_t size, char *out,
			 size_t len);

/*
 * THP allocations of @size bytes (anonymous, or shmem) that fell back
 * to smaller pages, so far: hugepages-<size>kB/stats/anon_fault_fallback
 * or shmem_fallback under @dir where the kernel has them, else (2 MiB
 * only) thp_fault_fallback or thp_file_fallback in @vmstat.  -errno with
 * vfio_error() when there is no such counter.
 */
long long vfio_thp_fallbacks(const char *dir, const char *vmstat,
			     uint64_t size, bool shmem);

/*
 * Room for @len bytes of huge pages: 0, or -ENOMEM with vfio_error() when
 * @len is more than half of MemAvailable in @meminfo (/proc/meminfo, or a
 * host test's file).  Host cases size their memory in PMDs, and a PMD is
 * 2 MiB on x86 but 512 MiB on arm64 with 64 KiB pages.  0 when @meminfo
 * cannot tell.
 */
int vfio_thp_room(const char *meminfo, uint64_t len);

/*
 * Whether this kernel takes MADV_HUGEPAGE and MADV_NOHUGEPAGE at all: a
 * kernel built without CONFIG_TRANSPARENT_HUGEPAGE refuses both with
 * EINVAL.  Measured once, on a fresh anonymous mapping.
 */
bool vfio_thp_advice_known(void);

/*
 * madvise(@va, @len, @advice) for a THP advice (0: nothing).  On a kernel
 * without THP advice it does nothing and returns 0: there every mapping
 * gets the small pages the advice would ask for or allow, and the fault
 * probe measures what the mapping gets, whatever it was advised.
 * -errno with vfio_error() when the kernel refused it otherwise.
 */
int vfio_thp_advise(void *va, size_t len, int advice);

#endif /* LIBVFIO_THP_H */
