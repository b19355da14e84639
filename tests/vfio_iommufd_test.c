// SPDX-License-Identifier: GPL-2.0
/*
 * The native iommufd paths for a device: the cdev bound to an IOAS, a
 * BAR refused by address (EFAULT, by design) and mapped through its
 * dma-buf with IOMMU_IOAS_MAP_FILE, and a memfd mapped the same way.
 *
 * Usage: vfio_iommufd_test [harness options] [BDF]
 */
#include <sys/mman.h>
#include <unistd.h>

#include "libvfio.h"
#include "kselftest_harness.h"
#include "libvfio/skip.h"

static const char *device_bdf;

FIXTURE(iommufd) {
	struct vfio_leak_snapshot before;
	struct vfio_pci_device *dev;
	struct vfio_iommu_info iommu;
	int bar;
};

FIXTURE_SETUP(iommufd)
{
	VFIO_SKIP_UNLESS_OFFERED(return, "iommufd");
	ASSERT_EQ(0, vfio_leak_snapshot(&self->before));
	self->dev = vfio_pci_device_init(device_bdf, "iommufd");
	ASSERT_EQ(0, __vfio_iommu_info(self->dev, &self->iommu)) TH_LOG("%s", vfio_error());
	ASSERT_LT(0, self->iommu.nr_ranges);
	self->bar = vfio_pci_largest_bar(self->dev);
	ASSERT_TRUE(self->bar >= 0 && self->dev->bars[self->bar].size >= SZ_4K)
		TH_LOG("no mmappable BAR of a page or more");
}

FIXTURE_TEARDOWN(iommufd)
{
	if (!self->dev)
		return;
	vfio_pci_device_cleanup(self->dev);
	EXPECT_EQ(0, vfio_leak_check(&self->before)) TH_LOG("%s", vfio_error());
}

static uint64_t pick(struct __test_metadata *_metadata,
		     const struct vfio_iommu_info *info, uint64_t size)
{
	uint64_t iova = 0;

	EXPECT_EQ(0, vfio_iova_pick(info, size, SZ_1G, &iova)) TH_LOG("%s", vfio_error());
	return iova;
}

TEST_F(iommufd, bar_by_address_is_refused)
{
	uint64_t size = self->dev->bars[self->bar].size;
	uint64_t iova = pick(_metadata, &self->iommu, size);
	void *va = vfio_pci_bar_map(self->dev, self->bar, VFIO_MAP_PA);

	vfio_touch_pages(va, SZ_4K, false);
	EXPECT_EQ(-EFAULT, __iommufd_map(self->dev, va, iova, size));
	ksft_print_msg("%s\n", vfio_error());
	vfio_pci_bar_unmap(self->dev, self->bar);
}

TEST_F(iommufd, bar_by_dma_buf)
{
	uint64_t size = align_up(self->dev->bars[self->bar].size, SZ_4K);
	uint64_t iova = pick(_metadata, &self->iommu, size);
	int fd = __vfio_pci_dma_buf(self->dev, self->bar, 0, size);

	if (fd < 0)
		SKIP(return, "%s", vfio_error());
	ASSERT_EQ(0, __iommufd_map_file(self->dev, fd, 0, iova, size))
		TH_LOG("%s", vfio_error());
	ksft_print_msg("BAR%d: dma-buf of %#llx bytes mapped at IOVA %#llx\n",
		       self->bar, (unsigned long long)size,
		       (unsigned long long)iova);
	EXPECT_EQ(0, __iommufd_unmap(self->dev, iova, size)) TH_LOG("%s", vfio_error());
	close(fd);
}

TEST_F(iommufd, memfd_by_file)
{
	uint64_t iova = pick(_metadata, &self->iommu, SZ_2M * 4);
	struct vfio_buffer buf;

	ASSERT_EQ(0, vfio_buffer_alloc(&buf, VFIO_BACKING_MEMFD, SZ_2M * 4))
		TH_LOG("%s", vfio_error());
	ASSERT_EQ(0, __iommufd_map_file(self->dev, buf.fd, 0, iova, SZ_2M * 4))
		TH_LOG("%s", vfio_error());
	EXPECT_EQ(0, __iommufd_unmap(self->dev, iova, SZ_2M * 4)) TH_LOG("%s", vfio_error());
	vfio_buffer_free(&buf);
}

int main(int argc, char *argv[])
{
	device_bdf = vfio_selftests_get_bdf(&argc, argv);
	vfio_selftests_require_device(device_bdf);
	return test_harness_run(argc, argv);
}
