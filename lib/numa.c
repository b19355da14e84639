// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA placement by the memory-policy system calls themselves, so that
 * every program of the suite links statically without libnuma.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/mempolicy.h>

#include "libvfio/assert.h"
#include "libvfio/numa.h"

#define CHECK_BATCH 512

/*
 * A sysfs list ("0-1,3") of nodes or CPUs: @add(n, @arg) for each one;
 * the count, or -errno.
 */
static int parse_list(const char *s, void (*add)(int n, void *arg), void *arg)
{
	int lo, hi, n, nr = 0;

	while (*s && *s != '\n') {
		if (sscanf(s, "%d%n", &lo, &n) != 1 || lo < 0)
			return vfio_err(-EINVAL, "bad node list '%s'", s);
		s += n;
		hi = lo;
		if (*s == '-' && (sscanf(s + 1, "%d%n", &hi, &n) != 1 || hi < lo))
			return vfio_err(-EINVAL, "bad node range in '%s'", s);
		if (*s == '-')
			s += n + 1;
		/* sysfs numbers nodes and CPUs far below this. */
		if (hi >= 1 << 16)
			return vfio_err(-EINVAL, "node or CPU %d out of range", hi);
		for (; lo <= hi; lo++, nr++)
			add(lo, arg);
		if (*s == ',')
			s++;
	}
	return nr;
}

/* Nodes past VFIO_NUMA_MAX_NODES are left out of the mask. */
static void add_node(int node, void *mask)
{
	if (node < VFIO_NUMA_MAX_NODES)
		*(uint64_t *)mask |= 1ULL << node;
}

static void add_cpu(int cpu, void *set)
{
	if (cpu < CPU_SETSIZE)
		CPU_SET(cpu, (cpu_set_t *)set);
}

/* The first line of a sysfs file into @line. */
static int read_line(const char *path, char *line, int len)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return vfio_err(-errno, "%s: %s", path, strerror(errno));
	if (!fgets(line, len, f)) {
		fclose(f);
		return vfio_err(-EIO, "%s: empty", path);
	}
	fclose(f);
	return 0;
}

int __vfio_numa_nodes(uint64_t *mask)
{
	char line[256] = "";
	int ret;

	*mask = 0;
	ret = read_line("/sys/devices/system/node/has_memory", line,
			sizeof(line));
	/* A kernel without CONFIG_NUMA: one node, 0. */
	if (ret == -ENOENT) {
		*mask = 1;
		return 1;
	}
	return ret ? ret : parse_list(line, add_node, mask);
}

int __vfio_numa_run_on(int node)
{
	char path[96], line[4096] = "";
	cpu_set_t set;
	int ret;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist",
		 node);
	ret = read_line(path, line, sizeof(line));
	/* Without CONFIG_NUMA node 0 is every CPU, where it runs already. */
	if (ret == -ENOENT && !node)
		return 0;
	CPU_ZERO(&set);
	if (!ret)
		ret = parse_list(line, add_cpu, &set);
	if (ret < 0)
		return ret;
	/* A memory-only node: the thread stays where it may run. */
	if (!CPU_COUNT(&set))
		return 0;
	if (sched_setaffinity(0, sizeof(set), &set))
		return vfio_err(-errno, "cannot run on NUMA node %d: %s", node,
				strerror(errno));
	return 0;
}

int __vfio_numa_place(const char *bdf, int node, struct vfio_numa_place *p)
{
	uint64_t nodes;
	int ret = __vfio_numa_nodes(&nodes);

	p->node = node;
	p->remote = -1;
	if (ret >= 0)
		ret = __vfio_pci_numa_node(bdf, &p->device);
	if (ret < 0)
		return ret;
	if (p->node < 0)
		p->node = p->device;
	if (p->node < 0)
		return 0;
	if (p->node >= VFIO_NUMA_MAX_NODES || !(nodes & 1ULL << p->node))
		return vfio_err(-EINVAL, "NUMA node %d has no memory (nodes with memory: %#llx)",
				p->node, (unsigned long long)nodes);
	ret = __vfio_numa_run_on(p->node);
	nodes &= ~(1ULL << p->node);
	if (nodes)
		p->remote = __builtin_ctzll(nodes);
	return ret;
}

void vfio_numa_place(const char *bdf, int node, struct vfio_numa_place *p)
{
	VFIO_ASSERT_OK(__vfio_numa_place(bdf, node, p));
}

int __vfio_pci_numa_node(const char *bdf, int *node)
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

int __vfio_numa_bind(void *va, uint64_t len, int node)
{
	uint64_t mask;

	if (node < 0 || node >= VFIO_NUMA_MAX_NODES)
		return vfio_err(-EINVAL, "NUMA node %d: out of range 0..%d",
				node, VFIO_NUMA_MAX_NODES - 1);
	mask = 1ULL << node;
	/* Without CONFIG_NUMA there are no node dirs, and no mbind() either. */
	if (access("/sys/devices/system/node", F_OK))
		return vfio_err(-EOPNOTSUPP, "mbind: no /sys/devices/system/node: a kernel without CONFIG_NUMA");
	if (syscall(SYS_mbind, va, len, MPOL_BIND, &mask,
		    VFIO_NUMA_MAX_NODES + 1, MPOL_MF_STRICT | MPOL_MF_MOVE))
		return vfio_err(-errno, "mbind %p+%#llx to node %d: %s", va,
				(unsigned long long)len, node, strerror(errno));
	return 0;
}

void vfio_numa_bind(void *va, uint64_t len, int node)
{
	VFIO_ASSERT_OK(__vfio_numa_bind(va, len, node));
}

int __vfio_numa_page_node(const void *va)
{
	int node = -1;

	if (syscall(SYS_get_mempolicy, &node, NULL, 0, va,
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

	if (syscall(SYS_move_pages, 0, n, pages, NULL, status, 0))
		return vfio_err(-errno, "move_pages: %s", strerror(errno));
	for (i = 0; i < n; i++) {
		if (status[i] >= 0)
			continue;
		status[i] = __vfio_numa_page_node(pages[i]);
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
