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
	struct vfio_iommu *iommu;
	struct vfio_pci_device *dev;
	int bar;
};

FIXTURE_SETUP(iommufd)
{
	VFIO_SKIP_UNLESS_OFFERED(return, "iommufd");
	vfio_leak_snapshot(&self->before);
	self->iommu = vfio_iommu_init("iommufd");
	self->dev = vfio_pci_device_init(device_bdf, self->iommu);
	ASSERT_LT(0, self->iommu->info.nr_ranges);
	self->bar = vfio_pci_largest_bar(self->dev);
	ASSERT_TRUE(self->bar >= 0 && self->dev->bars[self->bar].size >= vfio_page_size())
		TH_LOG("no mmappable BAR of a page or more");
}

FIXTURE_TEARDOWN(iommufd)
{
	if (!self->dev)
		return;
	vfio_pci_device_cleanup(self->dev);
	vfio_iommu_cleanup(self->iommu);
	vfio_leak_check(&self->before);
}

TEST_F(iommufd, bar_by_address_is_refused)
{
	uint64_t size = self->dev->bars[self->bar].size;
	uint64_t iova = vfio_iova_pick(&self->iommu->info, size, SZ_1G);
	void *va = vfio_pci_bar_map(self->dev, self->bar, VFIO_MAP_PA);

	vfio_touch_pages(va, vfio_page_size(), false);
	EXPECT_EQ(-EFAULT, __vfio_dma_map(self->iommu, va, iova, size));
	ksft_print_msg("%s\n", vfio_error());
	vfio_pci_bar_unmap(self->dev, self->bar);
}

TEST_F(iommufd, bar_by_dma_buf)
{
	uint64_t size = align_up(self->dev->bars[self->bar].size, vfio_page_size());
	uint64_t iova = vfio_iova_pick(&self->iommu->info, size, SZ_1G);
	int fd = vfio_pci_dma_buf(self->dev, self->bar, 0, size);

	if (fd < 0)
		SKIP(return, "%s", vfio_error());
	iommufd_map_file(&self->iommu->ioas, fd, 0, iova, size);
	ksft_print_msg("BAR%d: dma-buf of %#llx bytes mapped at IOVA %#llx\n",
		       self->bar, (unsigned long long)size,
		       (unsigned long long)iova);
	vfio_dma_unmap(self->iommu, iova, size);
	close(fd);
}

TEST_F(iommufd, memfd_by_file)
{
	uint64_t iova = vfio_iova_pick(&self->iommu->info, SZ_2M * 4, SZ_1G);
	struct vfio_buffer buf;

	vfio_buffer_alloc(&buf, VFIO_BACKING_MEMFD, SZ_2M * 4);
	iommufd_map_file(&self->iommu->ioas, buf.fd, 0, iova, SZ_2M * 4);
	vfio_dma_unmap(self->iommu, iova, SZ_2M * 4);
	vfio_buffer_free(&buf);
}

int main(int argc, char *argv[])
{
	device_bdf = vfio_selftests_get_bdf(&argc, argv);
	vfio_selftests_require_device(device_bdf);
	return test_harness_run(argc, argv);
}
