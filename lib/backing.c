// SPDX-License-Identifier: GPL-2.0
/*
 * Buffers of each backing kind.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <unistd.h>

#include <linux/mman.h>

#include "libvfio/assert.h"
#include "libvfio/backing.h"
#include "libvfio/mmap.h"
#include "libvfio/numa.h"
#include "libvfio/page_levels.h"
#include "libvfio/thp.h"

static const char * const names[VFIO_BACKING_NR] = {
	[VFIO_BACKING_ANON_4K] = "anon4k",
	[VFIO_BACKING_THP] = "thp",
	[VFIO_BACKING_HUGETLB_2M] = "hugetlb2m",
	[VFIO_BACKING_HUGETLB_1G] = "hugetlb1g",
	[VFIO_BACKING_MEMFD] = "memfd",
};

const char *vfio_backing_name(enum vfio_backing b)
{
	return b < VFIO_BACKING_NR ? names[b] : "invalid";
}

int vfio_backing_parse(const char *name)
{
	int i;

	for (i = 0; i < VFIO_BACKING_NR; i++)
		if (!strcmp(names[i], name))
			return i;
	return vfio_err(-EINVAL, "unknown backing '%s' (anon4k, thp, hugetlb2m, hugetlb1g, memfd)",
			name);
}

static int alloc_hugetlb(struct vfio_buffer *buf, uint64_t page, int shift)
{
	if (buf->size % page) {
		return vfio_err(-EINVAL, "%s: size %#llx is not a multiple of the page size (-s)",
				names[buf->backing],
				(unsigned long long)buf->size);
	}
	buf->va = mmap(NULL, buf->size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
		       (shift << MAP_HUGE_SHIFT), -1, 0);
	if (buf->va == MAP_FAILED && errno == ENOMEM)
		/* Each page size has its own pool: name the right knob. */
		return vfio_err(-ENOMEM, "%s: %s (not enough hugepages reserved: write a count to /sys/kernel/mm/hugepages/hugepages-%llukB/nr_hugepages, or boot with hugepagesz=%s hugepages=N)",
				names[buf->backing], strerror(ENOMEM),
				(unsigned long long)(page >> 10),
				page == SZ_1G ? "1G" : "2M");
	if (buf->va == MAP_FAILED)
		return vfio_err(-errno, "%s: %s", names[buf->backing],
				strerror(errno));
	return 0;
}

/* Anonymous memory at a PMD boundary (THP needs one), advised as @advice. */
static int alloc_anon(struct vfio_buffer *buf, int advice)
{
	void *va = mmap_reserve(buf->size, vfio_pmd_size(), 0);

	if (va == MAP_FAILED)
		return -errno;
	/* On failure buf->va still holds the reservation, for free(). */
	buf->va = va;
	if (mmap(va, buf->size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		return vfio_err(-errno, "%s: %s", names[buf->backing],
				strerror(errno));
	return vfio_thp_advise(buf->va, buf->size, advice);
}

static int alloc_memfd(struct vfio_buffer *buf)
{
	buf->fd = memfd_create("vfio-bench", MFD_CLOEXEC);
	if (buf->fd < 0 || ftruncate(buf->fd, buf->size))
		return vfio_err(-errno, "memfd: %s", strerror(errno));
	buf->va = mmap(NULL, buf->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       buf->fd, 0);
	if (buf->va == MAP_FAILED)
		return vfio_err(-errno, "memfd: mmap: %s", strerror(errno));
	return 0;
}

int __vfio_buffer_alloc(struct vfio_buffer *buf, enum vfio_backing b,
			uint64_t size)
{
	int ret;

	memset(buf, 0, sizeof(*buf));
	buf->backing = b;
	buf->size = size;
	buf->fd = -1;
	switch (b) {
	case VFIO_BACKING_ANON_4K:
		ret = alloc_anon(buf, MADV_NOHUGEPAGE);
		break;
	case VFIO_BACKING_THP:
		/* Without the advice the buffer would be 4 KiB under THP's name. */
		ret = vfio_thp_advice_known() ? alloc_anon(buf, MADV_HUGEPAGE) :
		      vfio_err(-EOPNOTSUPP, "thp: this kernel has no transparent huge pages (MADV_HUGEPAGE: EINVAL)");
		break;
	case VFIO_BACKING_HUGETLB_2M:
		ret = alloc_hugetlb(buf, SZ_2M, 21);
		break;
	case VFIO_BACKING_HUGETLB_1G:
		ret = alloc_hugetlb(buf, SZ_1G, 30);
		break;
	case VFIO_BACKING_MEMFD:
		ret = alloc_memfd(buf);
		break;
	default:
		ret = vfio_err(-EINVAL, "invalid backing %d", b);
	}
	if (ret) {
		if (buf->va == MAP_FAILED)
			buf->va = NULL;
		vfio_buffer_free(buf);
	}
	return ret;
}

void vfio_buffer_alloc(struct vfio_buffer *buf, enum vfio_backing b,
		       uint64_t size)
{
	VFIO_ASSERT_OK(__vfio_buffer_alloc(buf, b, size));
}

void vfio_buffer_free(struct vfio_buffer *buf)
{
	if (buf->va)
		munmap(buf->va, buf->size);
	if (buf->fd >= 0)
		close(buf->fd);
	buf->va = NULL;
	buf->fd = -1;
}

uint64_t vfio_backing_page_size(enum vfio_backing b)
{
	switch (b) {
	case VFIO_BACKING_HUGETLB_2M:
		return SZ_2M;
	case VFIO_BACKING_HUGETLB_1G:
		return SZ_1G;
	default:
		/* Anon and memfd fault by the base page; THP may fall back to it. */
		return vfio_page_size();
	}
}

/* Free hugepages of @page bytes on @node, or -errno. */
static long node_free_hugepages(int node, uint64_t page)
{
	char path[128];
	long n = -1;
	FILE *f;

	snprintf(path, sizeof(path),
		 "/sys/devices/system/node/node%d/hugepages/hugepages-%llukB/free_hugepages",
		 node, (unsigned long long)(page >> 10));
	f = fopen(path, "r");
	if (!f)
		return vfio_err(-errno, "%s: %s", path, strerror(errno));
	if (fscanf(f, "%ld", &n) != 1)
		n = vfio_err(-EIO, "%s: not a number", path);
	fclose(f);
	return n;
}

int vfio_buffer_bind(const struct vfio_buffer *buf, int node)
{
	uint64_t page = vfio_backing_page_size(buf->backing);
	long free;

	if (page > vfio_page_size()) {
		free = node_free_hugepages(node, page);
		if (free < 0)
			return free;
		if ((uint64_t)free < buf->size / page)
			return vfio_err(-ENOMEM, "%s on node %d: %ld hugepages free there, %llu needed (boot with hugepagesz=%s hugepages=%d:N, or write node%d/hugepages/hugepages-%llukB/nr_hugepages under /sys/devices/system/node)",
					names[buf->backing], node, free,
					(unsigned long long)(buf->size / page),
					page == SZ_1G ? "1G" : "2M", node, node,
					(unsigned long long)(page >> 10));
	}
	return __vfio_numa_bind(buf->va, buf->size, node);
}

int vfio_buffer_check_node(const struct vfio_buffer *buf, int node)
{
	return __vfio_numa_check(buf->va, buf->size,
				 vfio_backing_page_size(buf->backing), node, NULL);
}

int vfio_shmem_huge_file(uint64_t len)
{
	char dir[] = "/tmp/vfio-bench-shmem.XXXXXX", path[64];
	int fd, err;

	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return vfio_err(-errno, "a mount namespace of our own: %s",
				strerror(errno));
	if (!mkdtemp(dir))
		return vfio_err(-errno, "mkdtemp %s: %s", dir, strerror(errno));
	if (mount("none", dir, "tmpfs", 0, "huge=always")) {
		err = errno;
		rmdir(dir);
		return vfio_err(-err, "mounting a huge=always tmpfs: %s",
				strerror(err));
	}
	snprintf(path, sizeof(path), "%s/file", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	/* Kept before the cleanup below can overwrite it. */
	err = errno;
	if (fd >= 0)
		unlink(path);
	/* The mount lives on in this namespace while the fd is open. */
	umount2(dir, MNT_DETACH);
	rmdir(dir);
	if (fd < 0)
		return vfio_err(-err, "creating %s: %s", path, strerror(err));
	if (ftruncate(fd, len)) {
		err = errno;
		close(fd);
		return vfio_err(-err, "sizing the tmpfs file: %s", strerror(err));
	}
	return fd;
}
