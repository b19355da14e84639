// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA placement on libnuma (statically linked: Debian's libnuma-dev
 * ships libnuma.a).  What is the suite's own stays here: which node a
 * run uses, and the check that its pages went there.
 */
#include <errno.h>
#include <numa.h>
#include <numaif.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "libvfio/assert.h"
#include "libvfio/numa.h"

#define CHECK_BATCH 512

/*
 * libnuma reports through these two, weak in libnuma, to stderr by
 * default: here they become the suite's error line instead, so that a
 * test's output says why once, where the test prints it.  numa_error()
 * follows a failed call with errno set, and errno is kept for the caller.
 */
void numa_error(char *where)
{
	int err = errno;

	vfio_err(-err, "libnuma: %s: %s", where, strerror(err));
	errno = err;
}

void numa_warn(int num, char *fmt, ...)
{
	char msg[256];
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vfio_set_error("libnuma: warning %d: %s", num, msg);
	errno = err;
}

/* libnuma's calls are undefined unless numa_available() says yes. */
static int need_numa(const char *what)
{
	if (numa_available() < 0)
		return vfio_err(-EOPNOTSUPP, "%s: a kernel without CONFIG_NUMA",
				what);
	return 0;
}

int vfio_numa_nodes(uint64_t *mask)
{
	int node, max, nr = 0;

	/* A kernel without CONFIG_NUMA: one node, 0. */
	if (numa_available() < 0) {
		*mask = 1;
		return 1;
	}
	*mask = 0;
	max = numa_max_node();
	/*
	 * Nodes this process may allocate on (cpuset-aware) that have
	 * memory: Mems_allowed alone lists memoryless nodes on a kernel
	 * without cpusets.
	 */
	for (node = 0; node <= max && node < VFIO_NUMA_MAX_NODES; node++) {
		if (!numa_bitmask_isbitset(numa_all_nodes_ptr, node) ||
		    numa_node_size64(node, NULL) <= 0)
			continue;
		*mask |= 1ULL << node;
		nr++;
	}
	return nr ? nr : vfio_err(-ENODEV, "no NUMA node with memory to allocate on");
}

int vfio_numa_run_on(int node)
{
	struct bitmask *cpus;
	int ret;

	/* Without CONFIG_NUMA node 0 is every CPU, where it runs already. */
	if (!node && numa_available() < 0)
		return 0;
	ret = need_numa("running on a NUMA node");
	if (ret)
		return ret;
	cpus = numa_allocate_cpumask();
	if (numa_node_to_cpus(node, cpus))
		ret = vfio_err(-errno, "CPUs of NUMA node %d: %s", node,
			       strerror(errno));
	/* A memory-only node: the thread stays where it may run. */
	else if (numa_bitmask_weight(cpus) && numa_sched_setaffinity(0, cpus))
		ret = vfio_err(-errno, "cannot run on NUMA node %d: %s", node,
			       strerror(errno));
	numa_bitmask_free(cpus);
	return ret;
}

int __vfio_numa_place(const char *bdf, int node, struct vfio_numa_place *p)
{
	uint64_t nodes;
	int ret = vfio_numa_nodes(&nodes);

	p->node = node;
	p->remote = -1;
	if (ret >= 0)
		ret = vfio_pci_numa_node(bdf, &p->device);
	if (ret < 0)
		return ret;
	if (p->node < 0)
		p->node = p->device;
	if (p->node < 0)
		return 0;
	if (p->node >= VFIO_NUMA_MAX_NODES || !(nodes & 1ULL << p->node))
		return vfio_err(-EINVAL, "NUMA node %d has no memory (nodes with memory: %#llx)",
				p->node, (unsigned long long)nodes);
	ret = vfio_numa_run_on(p->node);
	nodes &= ~(1ULL << p->node);
	if (nodes)
		p->remote = __builtin_ctzll(nodes);
	return ret;
}

void vfio_numa_place(const char *bdf, int node, struct vfio_numa_place *p)
{
	VFIO_ASSERT_OK(__vfio_numa_place(bdf, node, p));
}

/* libnuma has nodes of CPUs, not of PCI devices: sysfs says. */
int vfio_pci_numa_node(const char *bdf, int *node)
{
	char path[128];
	int ret = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/numa_node", bdf);
	f = fopen(path, "r");
	/* No attribute without CONFIG_NUMA; a missing device is for its open. */
	*node = -1;
	if (!f && errno == ENOENT)
		return 0;
	if (!f)
		return vfio_err(-errno, "%s: %s", path, strerror(errno));
	if (fscanf(f, "%d", node) != 1)
		ret = vfio_err(-EIO, "%s: not a number", path);
	fclose(f);
	return ret;
}

/*
 * libnuma's mbind(), not numa_tonode_memory(): that one cannot ask for
 * MPOL_MF_MOVE and returns nothing, its failure only a numa_error().
 */
int __vfio_numa_bind(void *va, uint64_t len, int node)
{
	struct bitmask *mask;
	int ret;

	if (node < 0 || node >= VFIO_NUMA_MAX_NODES)
		return vfio_err(-EINVAL, "NUMA node %d: out of range 0..%d",
				node, VFIO_NUMA_MAX_NODES - 1);
	ret = need_numa("mbind");
	if (ret)
		return ret;
	mask = numa_allocate_nodemask();
	numa_bitmask_setbit(mask, node);
	if (mbind(va, len, MPOL_BIND, mask->maskp, mask->size + 1,
		  MPOL_MF_STRICT | MPOL_MF_MOVE))
		ret = vfio_err(-errno, "mbind %p+%#llx to node %d: %s", va,
			       (unsigned long long)len, node, strerror(errno));
	numa_bitmask_free(mask);
	return ret;
}

void vfio_numa_bind(void *va, uint64_t len, int node)
{
	VFIO_ASSERT_OK(__vfio_numa_bind(va, len, node));
}

/* The node of the page at @va, faulted in if it is not there yet. */
static int page_node(const void *va)
{
	int node = -1;

	if (get_mempolicy(&node, NULL, 0, (void *)va,
			  MPOL_F_NODE | MPOL_F_ADDR))
		return vfio_err(-errno, "get_mempolicy at %p: %s", va,
				strerror(errno));
	return node;
}

/*
 * The nodes of up to CHECK_BATCH pages into @status.  move_pages() tells
 * without moving; a page it cannot tell (not in the page tables, as a
 * file's page pinned through its fd) is asked for by address instead.
 */
static int batch_nodes(void **pages, int *status, unsigned long n)
{
	unsigned long i;

	if (numa_move_pages(0, n, pages, NULL, status, 0))
		return vfio_err(-errno, "move_pages: %s", strerror(errno));
	for (i = 0; i < n; i++) {
		if (status[i] >= 0)
			continue;
		status[i] = page_node(pages[i]);
		if (status[i] < 0)
			return status[i];
	}
	return 0;
}

int __vfio_numa_check(const void *va, uint64_t len, uint64_t stride,
		      int node, uint64_t *count)
{
	void *pages[CHECK_BATCH];
	int status[CHECK_BATCH], ret;
	uint64_t off = 0, n, i;

	if (count)
		memset(count, 0, VFIO_NUMA_MAX_NODES * sizeof(*count));
	ret = need_numa("where pages are");
	if (ret)
		return ret;
	for (; off < len; off += n * stride) {
		for (n = 0; n < CHECK_BATCH && off + n * stride < len; n++)
			pages[n] = (char *)va + off + n * stride;
		ret = batch_nodes(pages, status, n);
		if (ret)
			return ret;
		for (i = 0; i < n; i++) {
			if (count && status[i] < VFIO_NUMA_MAX_NODES)
				count[status[i]]++;
			/* Unasked, the first page's node is the one to share. */
			if (node < 0)
				node = status[i];
			if (status[i] != node)
				return vfio_err(-EXDEV, "page at +%#llx of %p+%#llx is on node %d, not %d: the placement fell back",
						(unsigned long long)(off + i * stride),
						va, (unsigned long long)len,
						status[i], node);
		}
	}
	return node;
}

void vfio_numa_check(const void *va, uint64_t len, uint64_t stride, int node)
{
	VFIO_ASSERT_OK(__vfio_numa_check(va, len, stride, node, NULL));
}
