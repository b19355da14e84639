/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory to DMA-map: the backings a benchmark compares.
 */
#ifndef LIBVFIO_BACKING_H
#define LIBVFIO_BACKING_H

#include <stdint.h>

enum vfio_backing {
	VFIO_BACKING_ANON_4K,	/* anonymous, MADV_NOHUGEPAGE */
	VFIO_BACKING_THP,	/* anonymous, 2 MiB aligned, MADV_HUGEPAGE */
	VFIO_BACKING_HUGETLB_2M,
	VFIO_BACKING_HUGETLB_1G,
	VFIO_BACKING_MEMFD,	/* shmem through memfd_create() */
	VFIO_BACKING_NR,
};

const char *vfio_backing_name(enum vfio_backing b);
int vfio_backing_parse(const char *name);

struct vfio_buffer {
	enum vfio_backing backing;
	void *va;
	uint64_t size;
	int fd;			/* memfd, else -1 */
};

/*
 * Allocate @size bytes of @b, untouched.  -ENOMEM from hugetlb means no
 * pages are reserved: the reason says so, for the caller to skip.
 */
int vfio_buffer_alloc(struct vfio_buffer *buf, enum vfio_backing b,
		      uint64_t size);
void vfio_buffer_free(struct vfio_buffer *buf);

/*
 * A @len-byte file on a tmpfs mounted huge=always in a mount namespace of
 * the caller's own (so it goes when the process does): 2 MiB pages
 * without a device, for host tests of the fault law.  Needs root.
 * Returns the fd, or -errno with the reason.
 */
int vfio_shmem_huge_file(uint64_t len);

#endif /* LIBVFIO_BACKING_H */
