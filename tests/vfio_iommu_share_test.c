// SPDX-License-Identifier: GPL-2.0
/*
 * Two devices in one IOMMU context: both groups in one container, or
 * both cdevs attached to one IOAS, in every IOMMU mode the kernel
 * offers.  One DMA map serves both: a second map of the IOVA fails
 * EEXIST, one unmap removes it for both, and where the Intel IOMMU dumps
 * its page tables each device's table shows the mapping come and go.
 *
 * Usage: vfio_iommu_share_test [harness options] [BDF BDF]
 *
 * The second device comes from the trailing BDFs, $VFIO_SELFTESTS_BDF or
 * $VFIO_SELFTESTS_ALL_BDFS (run.sh sets it to every device it bound).
 */
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libvfio.h"
#include "kselftest_harness.h"
#include "libvfio/skip.h"

static char bdfs[VFIO_MAX_BDFS][VFIO_BDF_LEN];
static int nr_bdfs;

FIXTURE(iommu_share) {
	struct vfio_leak_snapshot before;
	struct vfio_iommu *iommu;
	struct vfio_pci_device *dev[2];
	struct vfio_buffer buf;
	uint64_t iova;
};

FIXTURE_VARIANT(iommu_share) {
	const char *iommu_mode;
};

FIXTURE_VARIANT_ADD_ALL_IOMMU_MODES(iommu_share);

FIXTURE_SETUP(iommu_share)
{
	int group;

	self->buf.fd = -1;
	if (!nr_bdfs)
		SKIP(return, "no device: pass two BDFs or set VFIO_SELFTESTS_BDF");
	VFIO_SKIP_UNLESS_OFFERED(return, variant->iommu_mode);
	if (nr_bdfs < 2)
		SKIP(return, "only %s given: sharing needs a second device (run.sh -i 1af4:1110 -i 1b36:0010, or two BDFs)",
		     bdfs[0]);
	vfio_leak_snapshot(&self->before);
	self->iommu = vfio_iommu_init(variant->iommu_mode);
	self->dev[0] = vfio_pci_device_init(bdfs[0], self->iommu);
	group = vfio_pci_iommu_group(bdfs[1]);
	ASSERT_LE(0, group) TH_LOG("%s", vfio_error());
	if (group == self->dev[0]->group)
		VFIO_SKIP(return, "%s and %s share IOMMU group %d: one group, nothing to share",
		     bdfs[0], bdfs[1], group);
	self->dev[1] = vfio_pci_device_init(bdfs[1], self->iommu);
	ASSERT_EQ(2, self->iommu->nr_devices);
	vfio_buffer_alloc(&self->buf, VFIO_BACKING_ANON_4K, SZ_2M);
	self->iova = vfio_iova_pick(&self->iommu->info, SZ_2M, SZ_2M);
}

FIXTURE_TEARDOWN(iommu_share)
{
	if (!self->iommu)
		return;
	vfio_buffer_free(&self->buf);
	vfio_pci_device_cleanup(self->dev[1]);
	vfio_pci_device_cleanup(self->dev[0]);
	vfio_iommu_cleanup(self->iommu);
	vfio_leak_check(&self->before);
}

/* Each group is in a container: ours, as no other container takes it. */
static void check_group(struct __test_metadata *_metadata,
			struct vfio_iommu *iommu, struct vfio_pci_device *dev)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	int other = open(iommu->mode->container_path, O_RDWR | O_CLOEXEC);
	int ret, err;

	ASSERT_LE(0, other);
	ASSERT_EQ(0, ioctl(dev->group_fd, VFIO_GROUP_GET_STATUS, &st));
	ret = ioctl(dev->group_fd, VFIO_GROUP_SET_CONTAINER, &other);
	err = errno;
	close(other);
	ksft_print_msg("%s: group %d flags %#x (%s%s) in container fd %d; SET_CONTAINER to another: %s\n",
		       dev->bdf, dev->group, st.flags,
		       st.flags & VFIO_GROUP_FLAGS_VIABLE ? "VIABLE" : "",
		       st.flags & VFIO_GROUP_FLAGS_CONTAINER_SET ? "|CONTAINER_SET" : "",
		       iommu->container_fd, ret ? strerror(err) : "accepted");
	EXPECT_TRUE(st.flags & VFIO_GROUP_FLAGS_VIABLE);
	EXPECT_TRUE(st.flags & VFIO_GROUP_FLAGS_CONTAINER_SET);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EINVAL, err);
}

TEST_F(iommu_share, both_attached)
{
	struct vfio_iommu *iommu = self->iommu;
	int i;

	if (iommu->mode->iommufd) {
		for (i = 0; i < 2; i++)
			ksft_print_msg("%s: cdev attached to IOAS %u through HWPT %u\n",
				       self->dev[i]->bdf, iommu->ioas.id,
				       self->dev[i]->pt_id);
		EXPECT_NE(iommu->ioas.id, self->dev[0]->pt_id);
		return;
	}
	for (i = 0; i < 2; i++)
		check_group(_metadata, iommu, self->dev[i]);
}

/*
 * Bytes of [iova, +size) each device's IOMMU page table maps, or -1 when
 * the kernel dumps no table for it (said once: @mapped is -1 already).
 */
static void iommu_mapped(struct vfio_pci_device *dev[2], uint64_t iova,
			 uint64_t size, long long mapped[2])
{
	struct vfio_fault_law law;
	int i;

	for (i = 0; i < 2; i++) {
		if (mapped[i] < 0)
			continue;
		if (vfio_iommu_pt_count(dev[i]->bdf, iova, size, &law)) {
			ksft_print_msg("%s: no IOMMU page table to read: %s\n",
				       dev[i]->bdf, vfio_error());
			mapped[i] = -1;
			continue;
		}
		mapped[i] = law.pud * vfio_pud_size() +
			    law.pmd * vfio_pmd_size() +
			    law.pte * vfio_page_size();
	}
}

TEST_F(iommu_share, one_map_serves_both)
{
	struct vfio_iommu *iommu = self->iommu;
	long long before[2] = { 0 }, mapped[2], after[2];
	uint64_t unmapped = SZ_2M;
	int i, ret;

	if (vfio_debugfs_mount())
		ksft_print_msg("%s\n", vfio_error());
	iommu_mapped(self->dev, self->iova, SZ_2M, before);
	memcpy(mapped, before, sizeof(mapped));
	vfio_dma_map(iommu, self->buf.va, self->iova, SZ_2M);
	iommu_mapped(self->dev, self->iova, SZ_2M, mapped);
	EXPECT_EQ(-EEXIST, __vfio_dma_map(iommu, self->buf.va, self->iova, SZ_2M));
	ksft_print_msg("second map of IOVA %#llx: %s\n",
		       (unsigned long long)self->iova, vfio_error());
	vfio_dma_unmap(iommu, self->iova, SZ_2M);
	memcpy(after, mapped, sizeof(after));
	iommu_mapped(self->dev, self->iova, SZ_2M, after);
	/* Nothing left for either: type1 unmaps 0 bytes, iommufd ENOENT. */
	ret = __vfio_dma_unmap(iommu, self->iova, SZ_2M, &unmapped);
	EXPECT_EQ(iommu->mode->iommufd ? -ENOENT : 0, ret);
	EXPECT_EQ(0, unmapped);
	ksft_print_msg("second unmap: %llu bytes, %s\n",
		       (unsigned long long)unmapped, ret ? vfio_error() : "no error");
	for (i = 0; i < 2; i++) {
		ksft_print_msg("%s: IOMMU maps %lld -> %lld -> %lld bytes at IOVA %#llx (-1: no dump)\n",
			       self->dev[i]->bdf, before[i], mapped[i], after[i],
			       (unsigned long long)self->iova);
		if (mapped[i] < 0)
			continue;
		EXPECT_EQ(0, before[i]);
		EXPECT_LE(SZ_2M, mapped[i]);
		EXPECT_EQ(0, after[i]);
	}
}

/* The second device is found in run.sh's list when suite.sh gives one. */
TEST(all_bdfs_from_run_sh)
{
	char a0[] = "test", *argv[2] = { a0 };
	char got[VFIO_MAX_BDFS][VFIO_BDF_LEN];
	int argc = 1;

	setenv("VFIO_SELFTESTS_BDF", "0000:00:03.0", 1);
	unsetenv("VFIO_SELFTESTS_ALL_BDFS");
	ASSERT_EQ(1, vfio_selftests_find_all_bdfs(&argc, argv, got, VFIO_MAX_BDFS));
	setenv("VFIO_SELFTESTS_ALL_BDFS", "0000:00:02.0 00:03.0,0000:00:04.0", 1);
	ASSERT_EQ(3, vfio_selftests_find_all_bdfs(&argc, argv, got, VFIO_MAX_BDFS));
	EXPECT_STREQ("0000:00:03.0", got[0]);
	EXPECT_STREQ("0000:00:02.0", got[1]);
	EXPECT_STREQ("0000:00:04.0", got[2]);
	unsetenv("VFIO_SELFTESTS_BDF");
	EXPECT_EQ(0, vfio_selftests_find_all_bdfs(&argc, argv, got, VFIO_MAX_BDFS));
}

int main(int argc, char *argv[])
{
	int i;

	nr_bdfs = vfio_selftests_find_all_bdfs(&argc, argv, bdfs, VFIO_MAX_BDFS);
	for (i = 0; i < nr_bdfs && i < 2; i++)
		vfio_selftests_require_device(bdfs[i]);
	if (nr_bdfs > 2)
		nr_bdfs = 2;
	return test_harness_run(argc, argv);
}
