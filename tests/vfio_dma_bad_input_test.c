// SPDX-License-Identifier: GPL-2.0
/*
 * DMA mapping misuse: each must fail with the kernel's errno (the reason
 * the library gives is printed, not checked), or unmap nothing, and leave
 * nothing mapped or pinned.
 *
 * Usage: vfio_dma_bad_input_test [harness options] [BDF]
 */
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "libvfio.h"
#include "kselftest_harness.h"
#include "libvfio/skip.h"

static const char *device_bdf;

FIXTURE(dma_bad) {
	struct vfio_leak_snapshot before;
	struct vfio_iommu *iommu;
	struct vfio_pci_device *dev;
	struct vfio_buffer buf;
	uint64_t iova;
};

FIXTURE_VARIANT(dma_bad) {
	const char *iommu_mode;
};

FIXTURE_VARIANT_ADD_ALL_IOMMU_MODES(dma_bad);

FIXTURE_SETUP(dma_bad)
{
	VFIO_SKIP_UNLESS_OFFERED(return, variant->iommu_mode);
	vfio_leak_snapshot(&self->before);
	self->iommu = vfio_iommu_init(variant->iommu_mode);
	self->dev = vfio_pci_device_init(device_bdf, self->iommu);
	vfio_buffer_alloc(&self->buf, VFIO_BACKING_ANON_4K, SZ_2M * 2);
	self->iova = vfio_iova_pick(&self->iommu->info, SZ_2M * 2, SZ_2M);
}

FIXTURE_TEARDOWN(dma_bad)
{
	if (!self->dev)
		return;
	vfio_buffer_free(&self->buf);
	vfio_pci_device_cleanup(self->dev);
	vfio_iommu_cleanup(self->iommu);
	vfio_leak_check(&self->before);
}

#define EXPECT_FAILS(call, err) do {					\
	EXPECT_EQ(-(err), call);					\
	ksft_print_msg("%s\n", vfio_error());				\
} while (0)

TEST_F(dma_bad, iova_outside_ranges)
{
	const struct vfio_iova_range *last;

	if (!self->iommu->info.nr_ranges)
		SKIP(return, "the kernel reports no IOVA ranges");
	last = &self->iommu->info.ranges[self->iommu->info.nr_ranges - 1];
	if (last->end >= UINT64_MAX - SZ_2M * 4)
		SKIP(return, "the IOVA space reaches 2^64");
	EXPECT_FAILS(__vfio_dma_map(self->iommu, self->buf.va,
				    align_up(last->end + 1, SZ_2M), SZ_2M), EINVAL);
}

/* Each in base pages: a 4 KiB size would be refused on 16 KiB pages anyway. */
TEST_F(dma_bad, unaligned_iova_and_size)
{
	const uint64_t page = vfio_page_size();

	EXPECT_FAILS(__vfio_dma_map(self->iommu, self->buf.va,
				    self->iova + page / 2, page), EINVAL);
	EXPECT_FAILS(__vfio_dma_map(self->iommu, self->buf.va, self->iova,
				    page + page / 2), EINVAL);
	EXPECT_FAILS(__vfio_dma_map(self->iommu, (uint8_t *)self->buf.va + 1,
				    self->iova, page), EINVAL);
}

TEST_F(dma_bad, double_map_and_unmap)
{
	uint64_t unmapped = SZ_2M;
	int ret;

	vfio_dma_map(self->iommu, self->buf.va, self->iova, SZ_2M);
	EXPECT_FAILS(__vfio_dma_map(self->iommu, self->buf.va, self->iova, SZ_2M),
		     EEXIST);
	vfio_dma_unmap(self->iommu, self->iova, SZ_2M);
	/* Nothing left: type1 unmaps 0 bytes and succeeds, iommufd ENOENT. */
	ret = __vfio_dma_unmap(self->iommu, self->iova, SZ_2M, &unmapped);
	EXPECT_EQ(self->iommu->mode->iommufd ? -ENOENT : 0, ret);
	EXPECT_EQ(0, unmapped);
}

TEST_F(dma_bad, unmapped_vaddr)
{
	void *hole = mmap_reserve(SZ_2M, SZ_2M, 0);

	ASSERT_NE(MAP_FAILED, hole);
	/* PROT_NONE: nothing GUP may pin. */
	EXPECT_FAILS(__vfio_dma_map(self->iommu, hole, self->iova, SZ_2M), EFAULT);
	munmap(hole, SZ_2M);
}

/* Without CAP_IPC_LOCK, type1 holds pinned pages to RLIMIT_MEMLOCK. */
static int drop_ipc_lock(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -errno;
	d[0].effective &= ~(1U << CAP_IPC_LOCK);
	d[0].permitted &= ~(1U << CAP_IPC_LOCK);
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

TEST_F(dma_bad, memlock_too_low)
{
	struct rlimit rl = { SZ_4K, SZ_4K };

	ASSERT_EQ(0, drop_ipc_lock());
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &rl));
	EXPECT_FAILS(__vfio_dma_map(self->iommu, self->buf.va, self->iova,
				    SZ_2M * 2), ENOMEM);
}

int main(int argc, char *argv[])
{
	device_bdf = vfio_selftests_get_bdf(&argc, argv);
	vfio_selftests_require_device(device_bdf);
	return test_harness_run(argc, argv);
}
