/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NUMA placement of memory (libnuma's calls; programs link -lnuma), and
 * the check that it happened.  A memory policy is a request: a buffer whose pages came from another node (a
 * full node, no hugepage free there) must fail a run, never pass for a
 * measurement of the node asked for.
 */
#ifndef LIBVFIO_NUMA_H
#define LIBVFIO_NUMA_H

#include <stdint.h>

#define VFIO_NUMA_MAX_NODES 64

/*
 * The nodes that have memory this process may allocate, as a mask in
 * @mask (nodes past VFIO_NUMA_MAX_NODES are left out; a kernel without
 * NUMA has node 0).  Returns how many, or -errno.
 */
int vfio_numa_nodes(uint64_t *mask);

/*
 * The PCI device's node from sysfs into @node: -1 when it has none (or
 * the kernel has no NUMA, or no such device: opening it will say so).
 * 0 or -errno.
 */
int vfio_pci_numa_node(const char *bdf, int *node);

/*
 * Run this thread on @node's CPUs (a node without CPUs, or node 0 of a
 * kernel without NUMA, leaves it where it is).  0 or -errno.
 */
int vfio_numa_run_on(int node);

/* Where a run's memory goes; -1 where there is nothing to place. */
struct vfio_numa_place {
	int device;		/* the device's node */
	int node;		/* the memory cells' and this thread's */
	int remote;		/* the /remote cells': another node with memory */
};

/*
 * Place a run for the device @bdf: memory on @node, or on the device's
 * node when @node is -1 (nothing placed when it has none), this thread
 * on the node's CPUs, and the lowest other node with memory as the
 * remote one.  -EINVAL when the node asked for has no memory.
 */
int __vfio_numa_place(const char *bdf, int node, struct vfio_numa_place *p);
void vfio_numa_place(const char *bdf, int node, struct vfio_numa_place *p);

/*
 * Bind [@va, @va + @len) to @node (MPOL_BIND, strict): its pages are
 * allocated there or not at all, and ones already elsewhere are moved.
 * -EOPNOTSUPP on a kernel without NUMA.
 */
int __vfio_numa_bind(void *va, uint64_t len, int node);
void vfio_numa_bind(void *va, uint64_t len, int node);

/*
 * Where the pages of [@va, @va + @len) are, one per @stride bytes (the
 * backing's page size): returns @node when every one is there (with
 * @node -1: the node they all share), else -EXDEV naming the first one
 * found elsewhere.  The count per node goes to @count
 * (VFIO_NUMA_MAX_NODES entries) unless it is NULL.
 */
int __vfio_numa_check(const void *va, uint64_t len, uint64_t stride,
		      int node, uint64_t *count);
void vfio_numa_check(const void *va, uint64_t len, uint64_t stride, int node);

#endif /* LIBVFIO_NUMA_H */
