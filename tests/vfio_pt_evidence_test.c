// SPDX-License-Identifier: GPL-2.0
/*
 * Page-table evidence for what the fault counts suggest: the kernel's own
 * dumps of the CPU page tables (PTDUMP debugfs) and of the IOMMU's (Intel
 * IOMMU debugfs) show a BAR mapped under the pa and pmd policies with
 * exactly the PUD/PMD/PTE entries the fault law predicts.
 *
 * Usage: vfio_pt_evidence_test [harness options] [BDF]
 *
 * Without a device only the parser cases run; the device cases SKIP, as
 * they do (with the reason) on kernels without the debugfs dumps.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "libvfio.h"
#include "kselftest_harness.h"
#include "libvfio/skip.h"

static const char *device_bdf;

struct pt_ctx {
	struct vfio_iommu *iommu;
	struct vfio_pci_device *dev;
	struct vfio_fault_probe probe;	/* how this kernel faults BARs */
	int probe_ret;
	char probe_err[256];
};

FIXTURE(pt_evidence) {
	struct vfio_leak_snapshot before;
	struct pt_ctx c;
};

FIXTURE_VARIANT(pt_evidence) {
	const char *iommu_mode;
};

FIXTURE_VARIANT_ADD_ALL_IOMMU_MODES(pt_evidence);

FIXTURE_SETUP(pt_evidence)
{
	if (!device_bdf)
		SKIP(return, "no device: pass a BDF or set VFIO_SELFTESTS_BDF");
	VFIO_SKIP_UNLESS_OFFERED(return, variant->iommu_mode);
	/* Failure shows up below as a dump that is not there, with why. */
	if (vfio_debugfs_mount())
		ksft_print_msg("%s\n", vfio_error());
	vfio_leak_snapshot(&self->before);
	self->c.iommu = vfio_iommu_init(variant->iommu_mode);
	self->c.dev = vfio_pci_device_init(device_bdf, self->c.iommu);
	self->c.probe_ret = __vfio_fault_probe_device(self->c.dev, &self->c.probe);
	if (self->c.probe_ret)
		snprintf(self->c.probe_err, sizeof(self->c.probe_err), "%s",
			 vfio_error());
}

FIXTURE_TEARDOWN(pt_evidence)
{
	if (!self->c.dev)
		return;
	vfio_pci_device_cleanup(self->c.dev);
	vfio_iommu_cleanup(self->c.iommu);
	vfio_leak_check(&self->before);
}

/* What one policy showed, for the summary line and the verdict. */
struct evidence {
	struct vfio_fault_law cpu, iommu;
	bool have_cpu, have_iommu;
	char why_cpu[512], why_iommu[200];
};

/* "2 x 1G + 3 x 4K"; "nothing" when no entry maps the range. */
static const char *law_str(const struct vfio_fault_law *l, char *buf, size_t len)
{
	const uint64_t n[] = { l->pud, l->pmd, l->pte };
	const char * const unit[] = { "1G", "2M", "4K" };
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < 3; i++)
		if (n[i] && off < len)
			off += snprintf(buf + off, len - off, "%s%llu x %s",
					off ? " + " : "", (unsigned long long)n[i],
					unit[i]);
	return off ? buf : "nothing";
}

/*
 * The entries the CPU page tables should hold for the mapped BAR, as
 * the probe measured this kernel to insert them: per entry, the law at
 * the largest entry it saw; whole-VMA population, the entry size its
 * PTDUMP window showed.  False, with @why, when nothing says.
 */
static bool cpu_law(const struct pt_ctx *c, const struct vfio_pci_bar *b,
		    struct vfio_fault_law *want, char *why, size_t len)
{
	const struct vfio_fault_probe *p = &c->probe;
	uint64_t block = vfio_fault_probe_block(p, b->placement.madvise);

	if (c->probe_ret) {
		snprintf(why, len, "the fault probe failed: %s", c->probe_err);
		return false;
	}
	if (!block) {
		snprintf(why, len, "no entry size known: %s", p->verdict);
		return false;
	}
	vfio_expected_faults((uintptr_t)b->va, b->pa, b->plan.reserve_size,
			     block, want);
	return true;
}

/* Touch the mapped BAR, then hold the CPU dump against the law. */
static void check_cpu(struct __test_metadata *_metadata,
		      struct pt_ctx *c, int bar,
		      struct evidence *ev)
{
	struct vfio_pci_bar *b = &c->dev->bars[bar];
	uint64_t va = (uintptr_t)b->va, len = b->plan.reserve_size;
	struct vfio_fault_law want;
	int ret;

	if (!cpu_law(c, b, &want, ev->why_cpu, sizeof(ev->why_cpu)))
		return;
	vfio_touch_pages(b->va, len, false);
	ret = vfio_ptdump_count(va, va + len, &ev->cpu);
	if (ret == -ENOENT) {
		snprintf(ev->why_cpu, sizeof(ev->why_cpu), "%s", vfio_error());
		return;
	}
	ASSERT_EQ(0, ret) TH_LOG("%s", vfio_error());
	ev->have_cpu = true;
	ksft_print_msg("  CPU: expect %llu PUD, %llu PMD, %llu PTE\n",
		       (unsigned long long)want.pud, (unsigned long long)want.pmd,
		       (unsigned long long)want.pte);
	EXPECT_EQ(want.pud, ev->cpu.pud);
	EXPECT_EQ(want.pmd, ev->cpu.pmd);
	EXPECT_EQ(want.pte, ev->cpu.pte);
}

/*
 * DMA-map the BAR at a 1 GiB-aligned IOVA and hold the IOMMU dump
 * against the law for that IOVA, the BAR's PA and the IOMMU's page
 * sizes: the CPU mapping's level does not enter into it, only where the
 * pages are.
 */
static void check_iommu(struct __test_metadata *_metadata,
			struct pt_ctx *c, int bar,
			struct evidence *ev)
{
	struct vfio_pci_bar *b = &c->dev->bars[bar];
	uint64_t len = b->plan.reserve_size, iova, block;
	const struct vfio_iommu_info *info = &c->iommu->info;
	struct vfio_fault_law want;
	char why[200];
	int ret;

	iova = vfio_iova_pick(info, len, SZ_1G);
	/* The largest IOMMU page size of 1 GiB or less: the law stops there. */
	block = vfio_fault_block_max(info->pgsizes, SZ_1G);
	vfio_expected_faults(iova, b->pa, len, block, &want);
	ret = __vfio_dma_map(c->iommu, b->va, iova, len);
	if (ret == -EFAULT && vfio_iommu_mode_uses_iommufd(c->iommu->mode)) {
		snprintf(ev->why_iommu, sizeof(ev->why_iommu),
			 "iommufd pins no PFNMAP (BAR) memory by VA, by design: %s",
			 vfio_error());
		return;
	}
	ASSERT_EQ(0, ret) TH_LOG("%s", vfio_error());
	ret = vfio_iommu_pt_count(c->dev->bdf, iova, len, &ev->iommu);
	snprintf(why, sizeof(why), "%s", vfio_error());
	vfio_dma_unmap(c->iommu, iova, len);
	if (ret == -ENOENT) {
		snprintf(ev->why_iommu, sizeof(ev->why_iommu), "%s", why);
		return;
	}
	ASSERT_EQ(0, ret) TH_LOG("%s", why);
	ev->have_iommu = true;
	ksft_print_msg("  IOMMU: iova %#llx, page sizes %#llx: expect %llu x 1G, %llu x 2M, %llu x 4K\n",
		       (unsigned long long)iova, (unsigned long long)info->pgsizes,
		       (unsigned long long)want.pud, (unsigned long long)want.pmd,
		       (unsigned long long)want.pte);
	EXPECT_EQ(want.pud, ev->iommu.pud);
	EXPECT_EQ(want.pmd, ev->iommu.pmd);
	EXPECT_EQ(want.pte, ev->iommu.pte);
}

static void report(int bar, enum vfio_map_policy p, const struct evidence *ev)
{
	char cpu[64] = "absent", iommu[96] = "absent";

	if (ev->have_cpu)
		snprintf(cpu, sizeof(cpu), "%llu PUD, %llu PMD, %llu PTE",
			 (unsigned long long)ev->cpu.pud,
			 (unsigned long long)ev->cpu.pmd,
			 (unsigned long long)ev->cpu.pte);
	if (ev->have_iommu)
		law_str(&ev->iommu, iommu, sizeof(iommu));
	ksft_print_msg("BAR%d %s: ptdump %s; IOMMU %s\n", bar,
		       vfio_map_policy_name(p), cpu,
		       ev->have_iommu && !iommu[0] ? "nothing" : iommu);
}

static void check_policy(struct __test_metadata *_metadata,
			 struct pt_ctx *c, enum vfio_map_policy p)
{
	int bar = vfio_pci_largest_bar(c->dev);
	struct evidence ev = { 0 };
	struct vfio_pci_bar *b;

	if (bar < 0)
		SKIP(return, "%s has no mmappable BAR", device_bdf);
	b = &c->dev->bars[bar];
	if (b->sparse)
		SKIP(return, "BAR%d is sparse: the law is for whole BARs", bar);
	ASSERT_EQ(0, __vfio_pci_bar_map(c->dev, bar, p))
		TH_LOG("BAR%d: %s", bar, vfio_error());
	ksft_print_msg("BAR%d %s: pa %#llx size %#llx va %#llx; fault probe: %s\n",
		       bar, vfio_map_policy_name(p), (unsigned long long)b->pa,
		       (unsigned long long)b->size,
		       (unsigned long long)(uintptr_t)b->va,
		       c->probe_ret ? c->probe_err : c->probe.verdict);
	check_cpu(_metadata, c, bar, &ev);
	check_iommu(_metadata, c, bar, &ev);
	vfio_pci_bar_unmap(c->dev, bar);
	report(bar, p, &ev);
	if (!ev.have_cpu)
		VFIO_SKIP(return, "CPU page tables not shown: %s%s%s", ev.why_cpu,
			  ev.have_iommu ? "" : "; IOMMU's not either: ",
			  ev.have_iommu ? "" : ev.why_iommu);
	if (!ev.have_iommu)
		VFIO_SKIP(return, "CPU page tables checked; IOMMU's not shown: %s",
			  ev.why_iommu);
}

/*
 * Each maps, touches and dumps a BAR's page tables (the CPU's and the
 * IOMMU's): a minute for the rig's 2 GiB under TCG beside other guests,
 * where the harness's default gives 30 s, and the first, cold pass over
 * a 32 GiB BAR (vm.sh BAR=32G) about 100 s.
 */
TEST_F_TIMEOUT(pt_evidence, pa, 300)
{
	check_policy(_metadata, &self->c, VFIO_MAP_PA);
}

TEST_F_TIMEOUT(pt_evidence, pmd, 300)
{
	check_policy(_metadata, &self->c, VFIO_MAP_PMD);
}

/*
 * The parsers on the formats seen in 7.2 (see libvfio/pt_evidence.h),
 * with what must not confuse them: holes, markers, other devices, lines
 * too long or malformed.
 */
static const char ptdump_sample[] =
	"---[ User Space ]---\n"
	"0x0000000000000000-0x0000000000400000           4M                               pmd\n"
	"0x00007f0000000000-0x00007f0040000000           1G                               pud\n"
	"0x00007f0040000000-0x00007f00c0000000           2G USR RW     PCD PSE         NX pud\n"
	"0x00007f00c0000000-0x00007f00c0200000           2M USR RW     PCD PSE         NX pmd\n"
	"not a line 0x00007f00c0200000-0x00007f00c0204000 pte\n"
	"0x00007f00c0200000-0x00007f00c0204000          16K USR RW     PCD             NX pte\n"
	"0x00007f00c0204000-0x00007f00c0400000        2032K                               pte\n"
	"---[ Kernel Space ]---\n"
	"0xffff800000000000-0x0000000000000000    128T     RW                 GLB NX pgd\n";

static int ptdump_sample_count(uint64_t start, uint64_t end,
			       struct vfio_fault_law *l)
{
	FILE *f = fmemopen((void *)ptdump_sample, sizeof(ptdump_sample) - 1, "r");
	int ret;

	if (!f)
		return -errno;
	ret = vfio_ptdump_count_file(f, start, end, l);
	fclose(f);
	return ret;
}

TEST(ptdump_parser)
{
	struct vfio_fault_law l;

	/* x86 dumps: its levels, whatever the host's. */
	vfio_page_levels_set(SZ_4K, SZ_2M, SZ_1G);
	ASSERT_EQ(0, ptdump_sample_count(0x7f0040000000, 0x7f00c0204000, &l));
	EXPECT_EQ(2, l.pud);
	EXPECT_EQ(1, l.pmd);
	EXPECT_EQ(4, l.pte);
	/* One byte of a 1 GiB entry is one entry; holes are none. */
	ASSERT_EQ(0, ptdump_sample_count(0x7f0040001000, 0x7f0040001001, &l));
	EXPECT_EQ(1, l.pud);
	ASSERT_EQ(0, ptdump_sample_count(0x7f0000000000, 0x7f0040000000, &l));
	EXPECT_EQ(0, l.pud + l.pmd + l.pte);
	ASSERT_EQ(-EINVAL, ptdump_sample_count(2, 1, &l));
	/* A 512 GiB leaf is not an x86 entry: refused, not miscounted. */
	ASSERT_EQ(-EPROTO, ptdump_sample_count(0xffff800000000000, UINT64_MAX, &l));
}

static const char iommu_sample[] =
	"Device 0000:00:01.0 @0x7991000\n"
	"IOVA_PFN         \tPML5E             \tPML4E             \tPDPE              \tPDE               \tPTE\n"
	"0x0000000040000 |\t0x0000000000000000\t0x0000000000000000\t0x0000000007b1d403\t0x0000000007b1e403\t0x0000000007b9e003\n"
	"Device 0000:00:02.0 @0x7994000\n"
	"IOVA_PFN         \tPML5E             \tPML4E             \tPDPE              \tPDE               \tPTE\n"
	"0x0000000040000 |\t0x0000000000000000\t0x0000000000000000\t0x0000000200000083\n"
	"0x0000000080000 |\t0x0000000000000000\t0x0000000000000000\t0x0000000240000083\n"
	"0x00000000c0000 |\t0x0000000000000000\t0x0000000000000000\t0x0000000007b1d403\t0x0000000280000083\n"
	"0x00000000c0200 |\t0x0000000000000000\t0x0000000000000000\t0x0000000007b1d403\t0x0000000007b1e403\t0x0000000280200003\n"
	"Device 0000:00:03.0 @0x7997000\n"
	"IOVA_PFN         \tPML5E             \tPML4E             \tPDPE              \tPDE               \tPTE\n"
	"0x0000000040000 | garbage\n";

static int iommu_sample_count(const char *bdf, uint64_t iova, uint64_t size,
			      struct vfio_fault_law *l)
{
	FILE *f = fmemopen((void *)iommu_sample, sizeof(iommu_sample) - 1, "r");
	int ret;

	if (!f)
		return -errno;
	ret = vfio_iommu_pt_count_file(f, bdf, iova, size, l);
	fclose(f);
	return ret;
}

TEST(iommu_dump_parser)
{
	struct vfio_fault_law l;

	/* x86 dumps: its levels, whatever the host's. */
	vfio_page_levels_set(SZ_4K, SZ_2M, SZ_1G);
	ASSERT_EQ(0, iommu_sample_count("0000:00:02.0", SZ_1G,
					2 * SZ_1G + SZ_2M + SZ_4K, &l));
	EXPECT_EQ(2, l.pud);
	EXPECT_EQ(1, l.pmd);
	EXPECT_EQ(1, l.pte);
	ASSERT_EQ(0, iommu_sample_count("0000:00:02.0", 2 * SZ_1G, SZ_4K, &l));
	EXPECT_EQ(1, l.pud);
	EXPECT_EQ(0, l.pmd + l.pte);
	/* Another device's entries are not this one's. */
	ASSERT_EQ(0, iommu_sample_count("0000:00:01.0", SZ_1G, SZ_1G, &l));
	EXPECT_EQ(1, l.pte);
	EXPECT_EQ(0, l.pud + l.pmd);
	ASSERT_EQ(-ENOENT, iommu_sample_count("0000:00:04.0", SZ_1G, SZ_1G, &l));
	ASSERT_EQ(-EPROTO, iommu_sample_count("0000:00:03.0", SZ_1G, SZ_1G, &l));
	TH_LOG("%s", vfio_error());
}

int main(int argc, char *argv[])
{
	device_bdf = vfio_selftests_find_bdf(&argc, argv);
	vfio_selftests_require_device(device_bdf);
	return test_harness_run(argc, argv);
}
