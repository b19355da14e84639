// SPDX-License-Identifier: GPL-2.0
/*
 * Open a vfio-pci device in every IOMMU mode the kernel offers, check its
 * regions against sysfs and map every mmappable BAR at an address
 * congruent to its physical address.
 *
 * Usage: vfio_pci_device_test [harness options] [BDF]
 */
#include <stdint.h>

#include "libvfio.h"
#include "kselftest_harness.h"
#include "libvfio/skip.h"

static const char *device_bdf;

FIXTURE(vfio_pci_device) {
	struct vfio_leak_snapshot before;
	struct vfio_iommu *iommu;
	struct vfio_pci_device *dev;
};

FIXTURE_VARIANT(vfio_pci_device) {
	const char *iommu_mode;
};

FIXTURE_VARIANT_ADD_ALL_IOMMU_MODES(vfio_pci_device);

FIXTURE_SETUP(vfio_pci_device)
{
	VFIO_SKIP_UNLESS_OFFERED(return, variant->iommu_mode);
	vfio_leak_snapshot(&self->before);
	self->iommu = vfio_iommu_init(variant->iommu_mode);
	self->dev = vfio_pci_device_init(device_bdf, self->iommu);
}

FIXTURE_TEARDOWN(vfio_pci_device)
{
	if (!self->dev)
		return;
	vfio_pci_device_cleanup(self->dev);
	vfio_iommu_cleanup(self->iommu);
	vfio_leak_check(&self->before);
}

TEST_F(vfio_pci_device, device_info)
{
	struct vfio_device_info *info = &self->dev->info;

	ASSERT_TRUE(info->flags & VFIO_DEVICE_FLAGS_PCI);
	/* BAR0-5, ROM, config space and VGA always have an index. */
	ASSERT_GE(info->num_regions, VFIO_PCI_NUM_REGIONS);
	ASSERT_GE(info->num_irqs, VFIO_PCI_NUM_IRQS);
}

/* Every BAR VFIO reports has the size the PCI core gave it. */
TEST_F(vfio_pci_device, bar_sizes_match_sysfs)
{
	uint64_t pa, len;
	int i;

	for (i = 0; i < VFIO_PCI_NUM_BARS; i++) {
		struct vfio_pci_bar *b = &self->dev->bars[i];

		if (!b->size)
			continue;
		vfio_pci_bar_pa(self->dev->bdf, i, &pa, &len);
		EXPECT_EQ(len, b->size) TH_LOG("BAR%d", i);
	}
}

static void report_bar(int i, const struct vfio_pci_bar *b, bool ok)
{
	ksft_print_msg("BAR%d: pa %#llx size %#llx va %#lx align %#llx: %s\n",
		       i, (unsigned long long)b->pa,
		       (unsigned long long)b->size, (unsigned long)b->va,
		       (unsigned long long)vfio_pci_bar_align(b->size),
		       ok ? "congruent" : "NOT congruent");
}

/* va == pa (mod min(BAR size, 1 GiB)): what huge PFN mappings need. */
TEST_F(vfio_pci_device, bars_congruent)
{
	int i, ret, mapped = 0;

	for (i = 0; i < VFIO_PCI_NUM_BARS; i++) {
		struct vfio_pci_bar *b = &self->dev->bars[i];
		uint64_t mask = 0;
		bool ok;

		if (!b->size)
			continue;
		ret = __vfio_pci_bar_map(self->dev, i, VFIO_MAP_SIZE);
		if (ret == -ENOENT) {
			ksft_print_msg("BAR%d: size %#llx: %s\n", i,
				       (unsigned long long)b->size, vfio_error());
			continue;
		}
		ASSERT_EQ(0, ret) TH_LOG("%s", vfio_error());
		mask = vfio_pci_bar_align(b->size) - 1;
		ok = ((uintptr_t)b->va & mask) == (b->pa & mask);
		report_bar(i, b, ok);
		EXPECT_EQ(b->pa & mask, (uintptr_t)b->va & mask);
		/* The mapping is live: a read reaches the device. */
		(void)__atomic_load_n((uint32_t *)b->area_va[0], __ATOMIC_RELAXED);
		vfio_pci_bar_unmap(self->dev, i);
		mapped++;
	}
	ASSERT_GT(mapped, 0) TH_LOG("%s has no mmappable BAR", self->dev->bdf);
}

int main(int argc, char *argv[])
{
	device_bdf = vfio_selftests_get_bdf(&argc, argv);
	vfio_selftests_require_device(device_bdf);
	return test_harness_run(argc, argv);
}
