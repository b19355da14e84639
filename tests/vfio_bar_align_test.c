// SPDX-License-Identifier: GPL-2.0
/*
 * Prove PA/VA congruence and PMD/PUD fault granularity of BAR mappings
 * under every alignment policy, and the same fault law on host memory.
 *
 * Usage: vfio_bar_align_test [harness options] [BDF]
 *
 * Without a device only the host cases run; the device cases SKIP.
 */
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <unistd.h>

#include "libvfio.h"
#include "kselftest_harness.h"

static const char *device_bdf;

struct bar_ctx {
	struct vfio_pci_device *dev;
	struct vfio_fault_counter fc;
	uint64_t max_block;	/* SZ_1G with huge faults, else SZ_4K */
	char no_huge[160];	/* why not, when not */
};

FIXTURE(bar_align) {
	struct vfio_leak_snapshot before;
	struct bar_ctx c;
};

FIXTURE_VARIANT(bar_align) {
	const char *iommu_mode;
};

FIXTURE_VARIANT_ADD(bar_align, vfio_type1_iommu) {
	.iommu_mode = "vfio_type1_iommu",
};

FIXTURE_VARIANT_ADD(bar_align, vfio_type1v2_iommu) {
	.iommu_mode = "vfio_type1v2_iommu",
};

FIXTURE_VARIANT_ADD(bar_align, iommufd_compat_type1) {
	.iommu_mode = "iommufd_compat_type1",
};

FIXTURE_VARIANT_ADD(bar_align, iommufd_compat_type1v2) {
	.iommu_mode = "iommufd_compat_type1v2",
};

FIXTURE_VARIANT_ADD(bar_align, iommufd) {
	.iommu_mode = "iommufd",
};

FIXTURE_SETUP(bar_align)
{
	const char *why = vfio_iommu_mode_unavailable(variant->iommu_mode);

	if (!device_bdf)
		SKIP(return, "no device: pass a BDF or set VFIO_SELFTESTS_BDF");
	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, vfio_leak_snapshot(&self->before));
	self->c.dev = vfio_pci_device_init(device_bdf, variant->iommu_mode);
	vfio_fault_counter_open(&self->c.fc);
	self->c.max_block = SZ_1G;
	if (vfio_pci_huge_fault_supported()) {
		snprintf(self->c.no_huge, sizeof(self->c.no_huge), "%s",
			 vfio_error());
		self->c.max_block = SZ_4K;
	}
}

FIXTURE_TEARDOWN(bar_align)
{
	if (!self->c.dev)
		return;
	vfio_fault_counter_close(&self->c.fc);
	vfio_pci_device_cleanup(self->c.dev);
	EXPECT_EQ(0, vfio_leak_check(&self->before)) TH_LOG("%s", vfio_error());
}

static const char *block_name(uint64_t block)
{
	return block == SZ_1G ? "1 GiB" : block == SZ_2M ? "2 MiB" : "4 KiB";
}

/* The largest block (up to 1 GiB) modulo which va and pa agree. */
static uint64_t congruence(uint64_t va, uint64_t pa)
{
	uint64_t block;

	for (block = SZ_1G; block > SZ_4K; block /= 512)
		if (!((va ^ pa) & (block - 1)))
			return block;
	return SZ_4K;
}

/* What each policy promises about congruence, at its largest level. */
static void assert_placement(struct __test_metadata *_metadata,
			     enum vfio_map_policy p, uint64_t va, uint64_t pa,
			     uint64_t len)
{
	uint64_t want = vfio_largest_block(pa, len);

	switch (p) {
	case VFIO_MAP_SIZE:
	case VFIO_MAP_PA:
	case VFIO_MAP_NOHUGE:
		EXPECT_EQ(pa & (want - 1), va & (want - 1));
		break;
	case VFIO_MAP_PMD:
		EXPECT_EQ(SZ_2M, congruence(va, pa));
		break;
	case VFIO_MAP_4K:
		EXPECT_EQ(SZ_4K, congruence(va, pa));
		break;
	default:
		break;
	}
}

static void report_counts(struct vfio_fault_counter *fc)
{
	int i;

	for (i = 0; i < VFIO_FAULTS_NR; i++) {
		if (fc->delta[i] == VFIO_FAULTS_ABSENT)
			ksft_print_msg("  %s: absent (%s)\n",
				       vfio_fault_source_name(i),
				       fc->why[i][0] ? fc->why[i] : "unreadable");
		else
			ksft_print_msg("  %s: %lld\n", vfio_fault_source_name(i),
				       fc->delta[i]);
	}
}

/* Policies whose point is huge entries. */
static bool wants_huge(enum vfio_map_policy p)
{
	return p == VFIO_MAP_SIZE || p == VFIO_MAP_PA || p == VFIO_MAP_PMD;
}

/* The BAR is mapped: check congruence, then touch it and count. */
static void check_bar(struct __test_metadata *_metadata, struct bar_ctx *c,
		      int bar, enum vfio_map_policy p)
{
	struct vfio_pci_bar *b = &c->dev->bars[bar];
	uint64_t va = (uintptr_t)b->va, len = b->plan.reserve_size;
	uint64_t max = p == VFIO_MAP_NOHUGE ? SZ_4K : c->max_block;
	struct vfio_fault_law law;
	uint64_t want = vfio_expected_faults(va, b->pa, len, max, &law);
	long long *d = c->fc.delta;

	ksft_print_msg("BAR%d %s: pa %#llx size %#llx va %#llx: congruent mod %s; expect %llu faults (%llu PUD, %llu PMD, %llu PTE)\n",
		       bar, vfio_map_policy_name(p), (unsigned long long)b->pa,
		       (unsigned long long)b->size, (unsigned long long)va,
		       block_name(congruence(va, b->pa)),
		       (unsigned long long)want, (unsigned long long)law.pud,
		       (unsigned long long)law.pmd, (unsigned long long)law.pte);
	assert_placement(_metadata, p, va, b->pa, len);
	/* Huge granularity is not there to prove: the caller SKIPs. */
	if (c->no_huge[0] && wants_huge(p))
		return;
	vfio_fault_counter_start(&c->fc);
	vfio_touch_pages(b->va, len, false);
	vfio_fault_counter_stop(&c->fc);
	report_counts(&c->fc);
	/* One extra fault is allowed: the first touch of the loop's code. */
	ASSERT_NE(VFIO_FAULTS_ABSENT, d[VFIO_FAULTS_PERF]) TH_LOG("%s", c->fc.why[0]);
	EXPECT_LE(want, d[VFIO_FAULTS_PERF]);
	EXPECT_GE(want + 1, d[VFIO_FAULTS_PERF]);
	if (d[VFIO_FAULTS_PMD] != VFIO_FAULTS_ABSENT)
		EXPECT_EQ(law.pmd, d[VFIO_FAULTS_PMD]);
	if (d[VFIO_FAULTS_PUD] != VFIO_FAULTS_ABSENT)
		EXPECT_EQ(law.pud, d[VFIO_FAULTS_PUD]);
}

static void check_policy(struct __test_metadata *_metadata, struct bar_ctx *c,
			 enum vfio_map_policy p)
{
	int bar, ret, mapped = 0;

	for (bar = 0; bar < VFIO_PCI_NUM_BARS; bar++) {
		if (!c->dev->bars[bar].size)
			continue;
		ret = __vfio_pci_bar_map(c->dev, bar, p);
		if (ret == -ENOENT)
			continue;
		ASSERT_EQ(0, ret) TH_LOG("BAR%d: %s", bar, vfio_error());
		check_bar(_metadata, c, bar, p);
		vfio_pci_bar_unmap(c->dev, bar);
		mapped++;
	}
	ASSERT_LT(0, mapped) TH_LOG("%s has no mmappable BAR", device_bdf);
	if (c->no_huge[0] && wants_huge(p))
		SKIP(return, "placement checked; fault granularity not: %s",
		     c->no_huge);
}

TEST_F(bar_align, size)
{
	check_policy(_metadata, &self->c, VFIO_MAP_SIZE);
}

TEST_F(bar_align, pa)
{
	check_policy(_metadata, &self->c, VFIO_MAP_PA);
}

TEST_F(bar_align, pmd)
{
	check_policy(_metadata, &self->c, VFIO_MAP_PMD);
}

TEST_F(bar_align, pte_4k)
{
	check_policy(_metadata, &self->c, VFIO_MAP_4K);
}

TEST_F(bar_align, nohuge)
{
	check_policy(_metadata, &self->c, VFIO_MAP_NOHUGE);
}

/* The kernel's own choice: counted like the others, never judged. */
TEST_F(bar_align, kernel)
{
	check_policy(_metadata, &self->c, VFIO_MAP_KERNEL);
}

/* Informational: how the kernel aligns mmap(NULL) of the largest BAR. */
TEST_F(bar_align, kernel_mmap_alignment)
{
	struct vfio_pci_bar *big = NULL;
	int bar;

	for (bar = 0; bar < VFIO_PCI_NUM_BARS; bar++) {
		struct vfio_pci_bar *b = &self->c.dev->bars[bar];

		if ((b->flags & VFIO_REGION_INFO_FLAG_MMAP) &&
		    (!big || b->size > big->size))
			big = b;
	}
	if (!big || big->size < SZ_2M)
		SKIP(return, "no mmappable BAR of 2 MiB or more");
	bar = big - self->c.dev->bars;
	ASSERT_EQ(0, __vfio_pci_bar_map(self->c.dev, bar, VFIO_MAP_KERNEL))
		TH_LOG("%s", vfio_error());
	ksft_print_msg("kernel mmap(NULL) of BAR%d (%#llx bytes): va %#llx pa %#llx: %s\n",
		       bar, (unsigned long long)big->size,
		       (unsigned long long)(uintptr_t)big->va,
		       (unsigned long long)big->pa,
		       congruence((uintptr_t)big->va, big->pa) == SZ_4K ? "4K only" :
		       congruence((uintptr_t)big->va, big->pa) == SZ_2M ?
		       "2 MiB aligned" : "1 GiB aligned");
}

/*
 * Host cases: the same policies over memory the host kernel backs with
 * 2 MiB pages, proving the fault law without a device.  The file offset
 * of a shmem file plays the part of the physical address (a 1 GiB-aligned
 * stand-in); anonymous THP only needs whole 2 MiB blocks in the VMA.
 */
#define HOST_LEN (4 * SZ_2M)
#define HOST_PA SZ_1G

/*
 * THP off: "never" for anonymous memory; tmpfs mounts honour huge=
 * unless shmem_enabled says "deny".
 */
static bool thp_off(bool shmem)
{
	const char *path = shmem ?
		"/sys/kernel/mm/transparent_hugepage/shmem_enabled" :
		"/sys/kernel/mm/transparent_hugepage/enabled";
	char buf[128] = "";
	FILE *f = fopen(path, "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	return !f || strstr(buf, shmem ? "[deny]" : "[never]");
}

/* THP allocations that fell back to small pages, from /proc/vmstat. */
static long long thp_fallbacks(void)
{
	char name[64];
	long long v, sum = 0;
	FILE *f = fopen("/proc/vmstat", "r");

	while (f && fscanf(f, "%63s %lld", name, &v) == 2)
		if (!strcmp(name, "thp_fault_fallback") ||
		    !strcmp(name, "thp_file_fallback"))
			sum += v;
	if (f)
		fclose(f);
	return sum;
}

/* A tmpfs with huge=always in a mount namespace of this test's own. */
static int shmem_huge_file(struct __test_metadata *_metadata)
{
	char dir[] = "/tmp/vfio-bench-shmem.XXXXXX";
	int fd;

	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, mount("none", dir, "tmpfs", 0, "huge=always,size=64M"));
	fd = open(strcat(dir, "/bar"), O_RDWR | O_CREAT, 0600);
	ASSERT_LE(0, fd);
	unlink(dir);
	ASSERT_EQ(0, ftruncate(fd, HOST_LEN));
	return fd;
}

static void *host_map(int fd, const struct vfio_placement *pl)
{
	void *va = mmap_reserve(HOST_LEN, pl->align, pl->phase);
	int flags = MAP_FIXED | (fd < 0 ? MAP_PRIVATE | MAP_ANONYMOUS : MAP_SHARED);

	if (va == MAP_FAILED)
		return va;
	va = mmap(va, HOST_LEN, PROT_READ | PROT_WRITE, flags, fd, 0);
	if (va != MAP_FAILED && madvise(va, HOST_LEN, pl->madvise))
		return MAP_FAILED;
	return va;
}

static void host_case(struct __test_metadata *_metadata, bool shmem,
		      enum vfio_map_policy p)
{
	struct vfio_fault_counter fc;
	struct vfio_placement pl;
	long long fallbacks;
	uint64_t want;
	int fd = -1;
	void *va;

	if (shmem && geteuid())
		SKIP(return, "mounting a huge=always tmpfs needs root");
	if (thp_off(shmem))
		SKIP(return, "transparent hugepages are off for %s",
		     shmem ? "shmem" : "anonymous memory");
	if (shmem)
		fd = shmem_huge_file(_metadata);
	ASSERT_EQ(0, vfio_map_policy_place(p, HOST_LEN, HOST_PA, 0, HOST_LEN, &pl));
	va = host_map(fd, &pl);
	ASSERT_NE(MAP_FAILED, va) TH_LOG("%s", strerror(errno));
	want = vfio_expected_faults((uintptr_t)va, shmem ? HOST_PA : (uintptr_t)va,
				    HOST_LEN, SZ_2M, NULL);
	vfio_fault_counter_open(&fc);
	fallbacks = thp_fallbacks();
	vfio_fault_counter_start(&fc);
	vfio_touch_pages(va, HOST_LEN, true);
	vfio_fault_counter_stop(&fc);
	ksft_print_msg("%s %s: va %p: %lld faults, expected %llu\n",
		       shmem ? "shmem" : "anon", vfio_map_policy_name(p), va,
		       fc.delta[VFIO_FAULTS_PERF], (unsigned long long)want);
	if (thp_fallbacks() != fallbacks)
		SKIP(return, "a THP allocation fell back to 4 KiB pages (memory fragmented)");
	ASSERT_NE(VFIO_FAULTS_ABSENT, fc.delta[VFIO_FAULTS_PERF]) TH_LOG("%s", fc.why[0]);
	EXPECT_LE(want, fc.delta[VFIO_FAULTS_PERF]);
	EXPECT_GE(want + 1, fc.delta[VFIO_FAULTS_PERF]);
	vfio_fault_counter_close(&fc);
	munmap(va, HOST_LEN);
	if (fd >= 0)
		close(fd);
}

TEST(host_shmem_aligned)
{
	host_case(_metadata, true, VFIO_MAP_PA);
}

TEST(host_shmem_misaligned)
{
	host_case(_metadata, true, VFIO_MAP_4K);
}

TEST(host_anon_thp_aligned)
{
	host_case(_metadata, false, VFIO_MAP_PA);
}

TEST(host_anon_thp_misaligned)
{
	host_case(_metadata, false, VFIO_MAP_4K);
}

int main(int argc, char *argv[])
{
	device_bdf = vfio_selftests_find_bdf(&argc, argv);
	return test_harness_run(argc, argv);
}
