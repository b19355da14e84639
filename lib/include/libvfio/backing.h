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
int __vfio_buffer_alloc(struct vfio_buffer *buf, enum vfio_backing b,
			uint64_t size);
void vfio_buffer_alloc(struct vfio_buffer *buf, enum vfio_backing b,
		       uint64_t size);
void vfio_buffer_free(struct vfio_buffer *buf);

/* The smallest page @b may be made of: the step at which nodes can change. */
uint64_t vfio_backing_page_size(enum vfio_backing b);

/*
 * Bind @buf, still untouched, to NUMA node @node.  A hugetlb buffer needs
 * its pages free on that node (-ENOMEM says how to reserve them): bound
 * without them it would take SIGBUS at its first touch.
 */
int vfio_buffer_bind(const struct vfio_buffer *buf, int node);

/*
 * @node when every page of @buf is on it (with @node -1: the node they all
 * share), else -EXDEV naming one that is not.
 */
int vfio_buffer_check_node(const struct vfio_buffer *buf, int node);

/*
 * A @len-byte file on a tmpfs mounted huge=always in a mount namespace of
 * the caller's own (so it goes when the process does): 2 MiB pages
 * without a device, for host tests of the fault law.  Needs root.
 * Returns the fd, or -errno with the reason.
 */
int vfio_shmem_huge_file(uint64_t len);

#endif /* LIBVFIO_BACKING_H */
