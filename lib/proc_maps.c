// SPDX-License-Identifier: GPL-2.0
/*
 * Reading /proc/self/maps.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "libvfio/assert.h"
#include "libvfio/proc_maps.h"

/* Call @fn on each VMA until it returns true; -errno if unreadable. */
static int walk_vmas(bool (*fn)(const struct vfio_vma *, void *), void *arg)
{
	struct vfio_vma v;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return vfio_err(-errno, "cannot read /proc/self/maps: %s",
				strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %7s %lx", &v.start, &v.end, v.perms,
			   &v.pgoff) == 4 && fn(&v, arg))
			break;
	}
	fclose(f);
	return 0;
}

struct find_arg {
	uint64_t va;
	struct vfio_vma *out;
	bool found;
};

static bool find_one(const struct vfio_vma *v, void *arg)
{
	struct find_arg *a = arg;

	if (v->start <= a->va && a->va < v->end) {
		*a->out = *v;
		a->found = true;
	}
	return a->found;
}

bool vfio_vma_find(const void *va, struct vfio_vma *vma)
{
	struct find_arg a = { (uintptr_t)va, vma, false };

	return !walk_vmas(find_one, &a) && a.found;
}

static bool add_one(const struct vfio_vma *v, void *arg)
{
	uint64_t *t = arg;

	t[0]++;
	t[1] += v->end - v->start;
	return false;
}

int __vfio_vma_totals(uint64_t *nr, uint64_t *bytes)
{
	uint64_t t[2] = { 0, 0 };
	int ret = walk_vmas(add_one, t);

	*nr = t[0];
	*bytes = t[1];
	return ret;
}

void vfio_vma_totals(uint64_t *nr, uint64_t *bytes)
{
	VFIO_ASSERT_OK(__vfio_vma_totals(nr, bytes));
}
