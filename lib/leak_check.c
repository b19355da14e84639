// SPDX-License-Identifier: GPL-2.0
/*
 * Mappings, file descriptors and pinned memory, before and after.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "libvfio/assert.h"
#include "libvfio/leak_check.h"
#include "libvfio/proc_maps.h"

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* A "Vm...:  N kB" line of /proc/self/status, or -1. */
static long status_kb(const char *key)
{
	char line[128];
	long v = -1;
	size_t n = strlen(key);
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			sscanf(line + n + 1, "%ld", &v);
	if (f)
		fclose(f);
	return v;
}

int __vfio_leak_snapshot(struct vfio_leak_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->fds = count_fds();
	s->locked_kb = status_kb("VmLck");
	s->pinned_kb = status_kb("VmPin");
	return __vfio_vma_totals(&s->vmas, &s->vma_bytes);
}

void vfio_leak_snapshot(struct vfio_leak_snapshot *s)
{
	VFIO_ASSERT_OK(__vfio_leak_snapshot(s));
}

int __vfio_leak_check(const struct vfio_leak_snapshot *before)
{
	struct vfio_leak_snapshot now;
	int ret = __vfio_leak_snapshot(&now);

	if (ret)
		return ret;
	if (now.fds > before->fds)
		return vfio_err(-EBUSY, "%d file descriptor(s) left open",
				now.fds - before->fds);
	if (now.locked_kb > before->locked_kb || now.pinned_kb > before->pinned_kb)
		return vfio_err(-EBUSY, "pinned memory left: VmLck %ld -> %ld kB, VmPin %ld -> %ld kB",
				before->locked_kb, now.locked_kb,
				before->pinned_kb, now.pinned_kb);
	if (now.vmas > before->vmas || now.vma_bytes > before->vma_bytes)
		return vfio_err(-EBUSY, "mappings left: %llu -> %llu VMAs, %llu -> %llu bytes",
				(unsigned long long)before->vmas,
				(unsigned long long)now.vmas,
				(unsigned long long)before->vma_bytes,
				(unsigned long long)now.vma_bytes);
	return 0;
}

void vfio_leak_check(const struct vfio_leak_snapshot *before)
{
	VFIO_ASSERT_OK(__vfio_leak_check(before));
}
