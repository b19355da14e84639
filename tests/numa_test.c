// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA placement of each backing: the pages of a buffer bound to a node
 * are on that node, measured page by page, and the check catches pages
 * that are not.  Needs two nodes with memory (the VM's NUMA=2 guest);
 * on one node there is nothing to choose, and the tests say so.
 */
#include <stdint.h>

#include "libvfio.h"
#include "kselftest_harness.h"
#include "libvfio/skip.h"

FIXTURE(numa) {
	uint64_t nodes;
	int nr_nodes;
	struct vfio_buffer buf;
};

FIXTURE_VARIANT(numa) {
	enum vfio_backing backing;
	uint64_t size;
};

FIXTURE_VARIANT_ADD(numa, anon4k) {
	.backing = VFIO_BACKING_ANON_4K, .size = 4 << 20,
};
FIXTURE_VARIANT_ADD(numa, thp) {
	.backing = VFIO_BACKING_THP, .size = 4 << 20,
};
FIXTURE_VARIANT_ADD(numa, hugetlb2m) {
	.backing = VFIO_BACKING_HUGETLB_2M, .size = 4 << 20,
};
FIXTURE_VARIANT_ADD(numa, hugetlb1g) {
	.backing = VFIO_BACKING_HUGETLB_1G, .size = 1 << 30,
};
FIXTURE_VARIANT_ADD(numa, memfd) {
	.backing = VFIO_BACKING_MEMFD, .size = 4 << 20,
};

FIXTURE_SETUP(numa)
{
	self->buf.va = NULL;
	self->buf.fd = -1;
	self->nr_nodes = vfio_numa_nodes(&self->nodes);
	ASSERT_LT(0, self->nr_nodes) TH_LOG("%s", vfio_error());
	if (self->nr_nodes < 2)
		SKIP(return, "one NUMA node with memory: nothing to place (the VM's NUMA=2 guest has two)");
}

FIXTURE_TEARDOWN(numa)
{
	vfio_buffer_free(&self->buf);
}

/*
 * A fresh buffer bound to @node; -ENOMEM: no hugepages (free) there,
 * -EOPNOTSUPP: a backing this kernel has not (THP on a kernel without).
 */
static int alloc_on(struct vfio_buffer *buf, enum vfio_backing b,
		    uint64_t size, int node)
{
	int ret;

	vfio_buffer_free(buf);
	ret = __vfio_buffer_alloc(buf, b, size);
	if (!ret)
		ret = vfio_buffer_bind(buf, node);
	return ret;
}

/*
 * Every node with memory, in turn: all pages land there.  A 1 GiB page
 * is zeroed by the kernel on first touch, once per node: tens of
 * seconds in a TCG guest on a busy host, past the harness's 30 s.
 */
TEST_F_TIMEOUT(numa, pages_on_the_node_asked_for, 120)
{
	int node, ret;

	for (node = 0; node < VFIO_NUMA_MAX_NODES; node++) {
		if (!(self->nodes & (1ULL << node)))
			continue;
		ret = alloc_on(&self->buf, variant->backing, variant->size, node);
		if (ret == -ENOMEM || ret == -EOPNOTSUPP)
			VFIO_SKIP(return, "%s", vfio_error());
		ASSERT_EQ(0, ret) TH_LOG("%s", vfio_error());
		vfio_touch_pages(self->buf.va, self->buf.size, true);
		EXPECT_EQ(node, vfio_buffer_check_node(&self->buf, node))
			TH_LOG("%s", vfio_error());
		TH_LOG("%s: %llu bytes on node %d", vfio_backing_name(variant->backing),
		       (unsigned long long)self->buf.size, node);
	}
}

/* The check is not vacuous: asked about another node, it objects. */
TEST_F(numa, check_names_a_page_elsewhere)
{
	int first = __builtin_ctzll(self->nodes);
	int other = 63 - __builtin_clzll(self->nodes);
	int ret;

	ret = alloc_on(&self->buf, variant->backing, variant->size, first);
	if (ret == -ENOMEM || ret == -EOPNOTSUPP)
		VFIO_SKIP(return, "%s", vfio_error());
	ASSERT_EQ(0, ret) TH_LOG("%s", vfio_error());
	vfio_touch_pages(self->buf.va, self->buf.size, true);
	EXPECT_EQ(first, vfio_buffer_check_node(&self->buf, -1))
		TH_LOG("%s", vfio_error());
	EXPECT_EQ(-EXDEV, vfio_buffer_check_node(&self->buf, other));
	EXPECT_NE(NULL, strstr(vfio_error(), "fell back")) TH_LOG("%s", vfio_error());
}

/* No node past the last: a clear error, never a silent fallback. */
TEST(bind_to_a_missing_node_fails)
{
	struct vfio_buffer buf;
	uint64_t nodes;
	int last, ret;

	ASSERT_LT(0, vfio_numa_nodes(&nodes)) TH_LOG("%s", vfio_error());
	last = 63 - __builtin_clzll(nodes);
	vfio_buffer_alloc(&buf, VFIO_BACKING_ANON_4K, SZ_2M);
	/* A kernel built without CONFIG_NUMA has no mbind() at all. */
	ret = __vfio_numa_bind(buf.va, buf.size, __builtin_ctzll(nodes));
	if (ret == -EOPNOTSUPP) {
		vfio_buffer_free(&buf);
		SKIP(return, "%s", vfio_error());
	}
	ASSERT_EQ(0, ret) TH_LOG("%s", vfio_error());
	EXPECT_EQ(-EINVAL, __vfio_numa_bind(buf.va, buf.size, VFIO_NUMA_MAX_NODES));
	if (last + 1 < VFIO_NUMA_MAX_NODES)
		EXPECT_EQ(-EINVAL, __vfio_numa_bind(buf.va, buf.size, last + 1))
			TH_LOG("%s", vfio_error());
	vfio_buffer_free(&buf);
}

/*
 * A run's placement: memory on the node asked for, the lowest other node
 * with memory as the remote one, and a node without memory refused.
 */
TEST(place_local_and_remote)
{
	const char *none = "0000:ff:1f.7";	/* no such device: no node */
	struct vfio_numa_place p;
	uint64_t nodes, others;
	int last;

	ASSERT_LT(0, vfio_numa_nodes(&nodes)) TH_LOG("%s", vfio_error());
	last = 63 - __builtin_clzll(nodes);
	others = nodes & ~(1ULL << last);
	ASSERT_EQ(0, __vfio_numa_place(none, -1, &p)) TH_LOG("%s", vfio_error());
	EXPECT_EQ(-1, p.device);
	EXPECT_EQ(-1, p.node);
	EXPECT_EQ(-1, p.remote);
	ASSERT_EQ(0, __vfio_numa_place(none, last, &p)) TH_LOG("%s", vfio_error());
	EXPECT_EQ(last, p.node);
	EXPECT_EQ(others ? __builtin_ctzll(others) : -1, p.remote);
	EXPECT_EQ(-EINVAL, __vfio_numa_place(none, VFIO_NUMA_MAX_NODES, &p));
	if (last + 1 < VFIO_NUMA_MAX_NODES)
		EXPECT_EQ(-EINVAL, __vfio_numa_place(none, last + 1, &p))
			TH_LOG("%s", vfio_error());
}

/* The device under test has a node, and it is one with memory. */
TEST(device_node_is_a_memory_node)
{
	const char *env = getenv("VFIO_SELFTESTS_BDF");
	char bdf[64] = "";
	uint64_t nodes;
	int node;

	/* The first of the devices given. */
	if (env)
		sscanf(env, "%63s", bdf);
	if (!*bdf)
		SKIP(return, "no device: set VFIO_SELFTESTS_BDF");
	ASSERT_EQ(0, vfio_pci_numa_node(bdf, &node)) TH_LOG("%s", vfio_error());
	ASSERT_LT(0, vfio_numa_nodes(&nodes)) TH_LOG("%s", vfio_error());
	if (node < 0)
		SKIP(return, "%s has no NUMA node (numa_node reads %d)", bdf, node);
	EXPECT_TRUE(nodes & (1ULL << node));
	TH_LOG("%s: node %d", bdf, node);
}

TEST_HARNESS_MAIN
