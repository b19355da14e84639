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
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "libvfio.h"
#include "kselftest_harness.h"
#include "libvfio/skip.h"

static const char *device_bdf;

struct bar_ctx {
	struct vfio_iommu *iommu;
	struct vfio_pci_device *dev;
	struct vfio_counters fc;
	struct vfio_fault_probe probe;
	int probe_ret;			/* 0, or -errno: probe_err says why */
	char probe_err[256];
	char no_granularity[512];	/* why a policy's faults prove nothing */
	char limited[512];		/* the first touch left short, and why */
	int nr_limited;			/* how many were */
	double start;			/* when the test started, in seconds */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Open the device and measure how this kernel faults its BARs. */
static void bar_ctx_open(struct bar_ctx *c, const char *mode)
{
	c->start = now_s();
	c->iommu = vfio_iommu_init(mode);
	c->dev = vfio_pci_device_init(device_bdf, c->iommu);
	vfio_fault_counter_open(&c->fc);
	c->probe_ret = __vfio_fault_probe_device(c->dev, &c->probe);
	if (c->probe_ret)
		snprintf(c->probe_err, sizeof(c->probe_err), "%s", vfio_error());
}

static void bar_ctx_close(struct bar_ctx *c)
{
	vfio_counters_close(&c->fc);
	vfio_pci_device_cleanup(c->dev);
	vfio_iommu_cleanup(c->iommu);
}

FIXTURE(bar_align) {
	struct vfio_leak_snapshot before;
	struct bar_ctx c;
};

FIXTURE_VARIANT(bar_align) {
	const char *iommu_mode;
};

FIXTURE_VARIANT_ADD_ALL_IOMMU_MODES(bar_align);

FIXTURE_SETUP(bar_align)
{
	if (!device_bdf)
		SKIP(return, "no device: pass a BDF or set VFIO_SELFTESTS_BDF");
	VFIO_SKIP_UNLESS_OFFERED(return, variant->iommu_mode);
	vfio_leak_snapshot(&self->before);
	bar_ctx_open(&self->c, variant->iommu_mode);
}

FIXTURE_TEARDOWN(bar_align)
{
	if (!self->c.dev)
		return;
	bar_ctx_close(&self->c);
	vfio_leak_check(&self->before);
}

static const char *block_name(uint64_t block)
{
	static char buf[16];

	return vfio_size_name(block, buf, sizeof(buf));
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
		EXPECT_EQ(vfio_pmd_size(), vfio_congruence(va, pa));
		break;
	case VFIO_MAP_4K:
		EXPECT_EQ(vfio_page_size(), vfio_congruence(va, pa));
		break;
	default:
		break;
	}
}

static void report_counts(struct vfio_counters *fc)
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

static void print_expect(int bar, enum vfio_map_policy p,
			 const struct vfio_pci_bar *b,
			 const struct vfio_fault_expect *e)
{
	uint64_t va = (uintptr_t)b->area_va[0], pa = b->pa + b->plan.areas[0].offset;

	ksft_print_msg("BAR%d %s: pa %#llx size %#llx va %#llx (%d area%s): congruent mod %s; ",
		       bar, vfio_map_policy_name(p), (unsigned long long)b->pa,
		       (unsigned long long)b->size, (unsigned long long)va,
		       b->plan.nr_areas, b->plan.nr_areas > 1 ? "s" : "",
		       block_name(vfio_congruence(va, pa)));
	if (e->exact)
		printf("expect %llu faults (%llu PUD, %llu PMD, %llu PTE)\n",
		       (unsigned long long)e->faults,
		       (unsigned long long)e->law.pud,
		       (unsigned long long)e->law.pmd,
		       (unsigned long long)e->law.pte);
	else if (e->per_vma)
		printf("expect %llu faults, one per VMA\n",
		       (unsigned long long)e->faults);
	else
		printf("no expectation\n");
}

/* The counts of the touch just made against @e. */
static void expect_counts(struct __test_metadata *_metadata, struct bar_ctx *c,
			  const struct vfio_fault_expect *e)
{
	long long *d = c->fc.delta;

	report_counts(&c->fc);
	/* One extra fault is allowed: the first touch of the loop's code. */
	ASSERT_NE(VFIO_FAULTS_ABSENT, d[VFIO_FAULTS_PERF]) TH_LOG("%s", c->fc.why[0]);
	EXPECT_LE(e->faults, d[VFIO_FAULTS_PERF]);
	EXPECT_GE(e->faults + 1, d[VFIO_FAULTS_PERF]);
	/*
	 * Insert counts are evidence only at a level where the probe saw
	 * them agree; elsewhere kprobe_evidence says what they did.
	 */
	if (!e->exact)
		return;
	if (c->probe.kprobe[VFIO_KPROBE_PMD].state == VFIO_KPROBE_AGREE)
		EXPECT_EQ(e->law.pmd, d[VFIO_FAULTS_PMD]);
	if (c->probe.kprobe[VFIO_KPROBE_PUD].state == VFIO_KPROBE_AGREE)
		EXPECT_EQ(e->law.pud, d[VFIO_FAULTS_PUD]);
}

static uint64_t plan_bytes(const struct vfio_sparse_plan *plan)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < plan->nr_areas; i++)
		n += plan->areas[i].size;
	return n;
}

/*
 * Touching every base page costs time in proportion to the BAR, whatever
 * its entries (under TCG each page is a TLB fill, and behind a
 * file-backed BAR a host page-cache fault, slower where the host cache is
 * cold), and a fault a page on top at base-page entries: 8,388,608 on a
 * 32 GiB BAR at 4 KiB.  Past the 2 GiB BAR every lane has, the BAR is
 * touched in pieces of whole entries (of the largest size the probe saw,
 * so that no entry is split) while the next piece still ends within 3/4
 * of this test's timeout (the unmap and the teardown come after); what
 * was touched is checked against its law, and what was left is said in
 * c->limited, for the caller's SKIP, with what it would have cost.
 * Not on a kernel that maps a whole VMA, or mixes that with entries, at
 * the first fault: there a piece's count depends on the pieces before.
 */
#define PIECED_ABOVE	(2ULL << 30)
#define PIECE_LEN	(256ULL << 20)

/* Touch pieces of @b while time allows; -1 when a part was left. */
static int touch_in_time(struct __test_metadata *_metadata, struct bar_ctx *c,
			 int bar, enum vfio_map_policy p,
			 struct vfio_fault_expect *e)
{
	struct vfio_pci_bar *b = &c->dev->bars[bar];
	int madv = b->placement.madvise, i, n = b->plan.nr_areas;
	uint64_t block = vfio_fault_probe_block(&c->probe, madv);
	uint64_t total = plan_bytes(&b->plan), done = 0, va, size, end;
	uint64_t upto[VFIO_PLAN_MAX_AREAS] = { 0 }, pages;
	double deadline = c->start + _metadata->timeout * 3 / 4.0;
	double t0 = now_s(), t = t0, piece = 0, rest;
	char why[sizeof(c->limited)];

	vfio_counters_start(&c->fc);
	for (i = 0; i < n; i++) {
		va = (uintptr_t)b->area_va[i];
		size = b->plan.areas[i].size;
		while (upto[i] < size && t + piece <= deadline) {
			end = align_up(va + upto[i] + PIECE_LEN, block) - va;
			end = end < size ? end : size;
			vfio_touch_pages((uint8_t *)b->area_va[i] + upto[i],
					 end - upto[i], false);
			piece = now_s() - t;
			t += piece;
			upto[i] = end;
		}
	}
	vfio_counters_stop(&c->fc);
	/* The law of what was touched: whole entries, area by area. */
	vfio_fault_expect_init(&c->probe, e);
	for (i = 0; i < n; i++) {
		if (upto[i])
			vfio_fault_expect_add(&c->probe, madv,
					      (uintptr_t)b->area_va[i],
					      b->pa + b->plan.areas[i].offset,
					      upto[i], e);
		done += upto[i];
	}
	t -= t0;
	pages = done / vfio_page_size();
	ksft_print_msg("BAR%d %s: %llu of its %llu MiB touched in %.1f s (%.2f us a page); expect %llu faults there\n",
		       bar, vfio_map_policy_name(p),
		       (unsigned long long)(done >> 20),
		       (unsigned long long)(total >> 20), t,
		       pages ? t * 1e6 / pages : 0, (unsigned long long)e->faults);
	if (done == total)
		return 0;
	rest = done ? t * (total - done) / done : 0;
	if (done)
		snprintf(why, sizeof(why),
			 "BAR%d %s: %llu of its %llu MiB touched in %.0f s and counted against the law there (%llu faults); the other %llu MiB would take ~%.0f s more at that rate, past 3/4 of this test's %d s: not touched",
			 bar, vfio_map_policy_name(p),
			 (unsigned long long)(done >> 20),
			 (unsigned long long)(total >> 20), t,
			 (unsigned long long)e->faults,
			 (unsigned long long)((total - done) >> 20), rest,
			 _metadata->timeout);
	else
		snprintf(why, sizeof(why),
			 "BAR%d %s: none of its %llu MiB touched: 3/4 of this test's %d s had gone before",
			 bar, vfio_map_policy_name(p),
			 (unsigned long long)(total >> 20), _metadata->timeout);
	ksft_print_msg("%s\n", why);
	if (!c->nr_limited++)
		snprintf(c->limited, sizeof(c->limited), "%s", why);
	return -1;
}

/*
 * The BAR is mapped: check congruence, then touch its areas and count.
 * What the faults must be follows from the probe; when they cannot show
 * the page size, ctx->no_granularity says why, for the caller's SKIP;
 * when a large BAR could not be touched whole in time, ctx->limited.
 */
static void check_bar(struct __test_metadata *_metadata, struct bar_ctx *c,
		      int bar, enum vfio_map_policy p)
{
	struct vfio_pci_bar *b = &c->dev->bars[bar];
	struct vfio_fault_expect e;

	vfio_fault_expect_plan(&c->probe, b->placement.madvise, &b->plan,
			       b->area_va, b->pa, &e);
	print_expect(bar, p, b, &e);
	if (p != VFIO_MAP_KERNEL)
		assert_placement(_metadata, p, (uintptr_t)b->va, b->pa,
				 b->plan.reserve_size);
	if (!e.exact)
		snprintf(c->no_granularity, sizeof(c->no_granularity), "%s", e.why);
	if (!e.exact && !e.per_vma)
		return;
	if (plan_bytes(&b->plan) > PIECED_ABOVE &&
	    c->probe.style == VFIO_FAULT_STYLE_PER_ENTRY) {
		touch_in_time(_metadata, c, bar, p, &e);
	} else {
		vfio_counters_start(&c->fc);
		vfio_pci_bar_touch(b);
		vfio_counters_stop(&c->fc);
	}
	expect_counts(_metadata, c, &e);
}

/* Map one BAR under @p and check it; false when it is not mmappable. */
static bool check_one(struct __test_metadata *_metadata, struct bar_ctx *c,
		      int bar, enum vfio_map_policy p)
{
	int ret = __vfio_pci_bar_map(c->dev, bar, p);

	if (ret == -ENOENT)
		return false;
	EXPECT_EQ(0, ret) TH_LOG("BAR%d: %s", bar, vfio_error());
	if (ret)
		return true;
	check_bar(_metadata, c, bar, p);
	vfio_pci_bar_unmap(c->dev, bar);
	return true;
}

static void check_policy(struct __test_metadata *_metadata, struct bar_ctx *c,
			 enum vfio_map_policy p)
{
	int bar, mapped = 0;

	for (bar = 0; bar < VFIO_PCI_NUM_BARS; bar++)
		if (c->dev->bars[bar].size)
			mapped += check_one(_metadata, c, bar, p);
	ASSERT_LT(0, mapped) TH_LOG("%s has no mmappable BAR", device_bdf);
	if (c->no_granularity[0])
		VFIO_SKIP(return, "placement checked; fault granularity not: %s",
			  c->no_granularity);
	if (c->nr_limited)
		VFIO_SKIP(return, "%s%s", c->limited,
			  c->nr_limited > 1 ? "; more touches left short above" : "");
}

/* How this kernel faults BARs, measured: every other verdict rests on it. */
TEST_F(bar_align, fault_probe)
{
	ASSERT_EQ(0, self->c.probe_ret) TH_LOG("%s", self->c.probe_err);
	ksft_print_msg("fault probe: %s\n", self->c.probe.verdict);
	EXPECT_NE(VFIO_FAULT_STYLE_UNKNOWN, self->c.probe.style)
		TH_LOG("%s", self->c.probe.verdict);
}

/*
 * The kprobes on PMD/PUD inserts against the probe's fault counts, a
 * verdict of their own: counts that contradict the law FAIL here, and
 * only here; a kprobe that could not attach, or attached and saw no
 * inserts (the kernel makes them another way), SKIPs saying which.
 */
TEST_F(bar_align, kprobe_evidence)
{
	char why[256];
	int ret;

	if (self->c.probe_ret)
		SKIP(return, "the fault probe failed: %s", self->c.probe_err);
	ret = vfio_fault_probe_kprobes(&self->c.probe, why, sizeof(why));
	ksft_print_msg("kprobes: %s\n", why);
	EXPECT_NE(-EPROTO, ret) TH_LOG("%s", why);
	if (ret && ret != -EPROTO)
		SKIP(return, "%s", why);
}

/*
 * A few faults, but every base page touched: a 32 GiB BAR (vm.sh BAR=32G)
 * took 77 s of touching on x86 under TCG at 32 PUD entries, and 3/4 of
 * 120 s held 8.5 GiB of it on arm64, where the host's page cache for the
 * BAR's file was still cold.
 */
TEST_F_TIMEOUT(bar_align, size, 300)
{
	check_policy(_metadata, &self->c, VFIO_MAP_SIZE);
}

TEST_F_TIMEOUT(bar_align, pa, 300)
{
	check_policy(_metadata, &self->c, VFIO_MAP_PA);
}

TEST_F_TIMEOUT(bar_align, pmd, 300)
{
	check_policy(_metadata, &self->c, VFIO_MAP_PMD);
}

/*
 * 524,288 faults each on a 2 GiB BAR: tens of seconds under TCG beside
 * other guests, where the harness's default gives 30 s.  8,388,608 on a
 * 32 GiB BAR: 98 s of touching on x86 under TCG, 125 s on arm64; past
 * 3/4 of this the rest is left, saying so (touch_in_time()).
 */
TEST_F_TIMEOUT(bar_align, pte_4k, 300)
{
	check_policy(_metadata, &self->c, VFIO_MAP_4K);
}

TEST_F_TIMEOUT(bar_align, nohuge, 300)
{
	check_policy(_metadata, &self->c, VFIO_MAP_NOHUGE);
}

/* The kernel's own placement: counted like the others, never judged. */
TEST_F_TIMEOUT(bar_align, kernel, 300)
{
	check_policy(_metadata, &self->c, VFIO_MAP_KERNEL);
}

static const char *congruence_name(uint64_t va, uint64_t pa)
{
	static char buf[32];
	uint64_t c = vfio_congruence(va, pa);
	char sz[16];

	snprintf(buf, sizeof(buf), "%s %s", vfio_size_name(c, sz, sizeof(sz)),
		 c == vfio_page_size() ? "only" : "aligned");
	return buf;
}

/*
 * Plain mmap(NULL) of the largest BAR, where the kernel puts it: on a
 * kernel that inserts PMD entries it must be congruent with the BAR mod
 * the PMD size (thp_get_unmapped_area), or every fault maps a base page.
 * PUD congruence is reported only: no get_unmapped_area aligns to it.
 */
TEST_F(bar_align, kernel_mmap_alignment)
{
	int bar = vfio_pci_largest_bar(self->c.dev);
	struct vfio_pci_bar *b;
	uint64_t va, pa, block, pmd = vfio_pmd_size();
	char pmd_name[16];

	vfio_size_name(pmd, pmd_name, sizeof(pmd_name));
	if (bar < 0 || self->c.dev->bars[bar].size < pmd)
		SKIP(return, "no mmappable BAR of %s or more", pmd_name);
	b = &self->c.dev->bars[bar];
	ASSERT_EQ(0, __vfio_pci_bar_map(self->c.dev, bar, VFIO_MAP_KERNEL))
		TH_LOG("%s", vfio_error());
	/* Each area is its own mmap(NULL): judge the first where it is. */
	va = (uintptr_t)b->area_va[0];
	pa = b->pa + b->plan.areas[0].offset;
	ksft_print_msg("kernel mmap(NULL) of BAR%d (%#llx bytes): va %#llx pa %#llx: %s\n",
		       bar, (unsigned long long)b->plan.areas[0].size,
		       (unsigned long long)va, (unsigned long long)pa,
		       congruence_name(va, pa));
	block = vfio_fault_probe_block(&self->c.probe, b->placement.madvise);
	if (self->c.probe_ret)
		SKIP(return, "the fault probe failed: %s", self->c.probe_err);
	if (block < pmd)
		SKIP(return, "the probe measured no PMD entries, so alignment cannot matter: %s",
		     self->c.probe.verdict);
	if (b->plan.areas[0].size < pmd)
		SKIP(return, "the BAR's first area is smaller than %s", pmd_name);
	EXPECT_EQ(pa & (pmd - 1), va & (pmd - 1))
		TH_LOG("mmap(NULL) put BAR%d (pa %#llx) at va %#llx, not congruent mod %s: every fault maps %s; the fix: .get_unmapped_area = thp_get_unmapped_area in vfio_device_fops",
		       bar, (unsigned long long)pa, (unsigned long long)va,
		       pmd_name, vfio_level_name(vfio_page_size()));
	VFIO_KNOWN_ISSUE();
}

/*
 * The probe under each THP sysfs mode: on kernels measured so far the
 * mode makes no difference to vfio BAR faults, but a kernel where it
 * does must still get true verdicts, so each mode is probed afresh and
 * the policies checked against what that probe saw.
 */
FIXTURE(thp_modes) {
	struct vfio_leak_snapshot before;
	struct bar_ctx c;
	char saved[16];
};

static int thp_write(const char *mode)
{
	FILE *f = fopen(VFIO_THP_ENABLED, "w");
	int ret = 0;

	if (!f)
		return -errno;
	if (fputs(mode, f) < 0)
		ret = -errno;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

FIXTURE_SETUP(thp_modes)
{
	if (!device_bdf)
		SKIP(return, "no device: pass a BDF or set VFIO_SELFTESTS_BDF");
	VFIO_SKIP_UNLESS_OFFERED(return, VFIO_DEFAULT_IOMMU_MODE);
	if (access(VFIO_THP_ENABLED, F_OK))
		SKIP(return, "no %s: a kernel without THP", VFIO_THP_ENABLED);
	vfio_thp_mode(self->saved, sizeof(self->saved));
	vfio_leak_snapshot(&self->before);
	bar_ctx_open(&self->c, VFIO_DEFAULT_IOMMU_MODE);
}

FIXTURE_TEARDOWN(thp_modes)
{
	if (self->saved[0])
		EXPECT_EQ(0, thp_write(self->saved)) TH_LOG("restoring THP mode %s",
							       self->saved);
	if (!self->c.dev)
		return;
	bar_ctx_close(&self->c);
	vfio_leak_check(&self->before);
}

/*
 * Three probes and three touches of a 2 GiB BAR at 4 KiB (the kernel
 * policy, 524,288 faults each on a kernel without the alignment fix):
 * past the harness's 30 s under TCG on a loaded host.
 */
TEST_F_TIMEOUT(thp_modes, verdicts_follow_the_probe, 300)
{
	static const char * const modes[] = { "always", "madvise", "never" };
	static const enum vfio_map_policy policies[] = {
		VFIO_MAP_PA, VFIO_MAP_PMD, VFIO_MAP_KERNEL,
	};
	int bar = vfio_pci_largest_bar(self->c.dev);
	size_t m, i;

	ASSERT_LE(0, bar) TH_LOG("%s has no mmappable BAR", device_bdf);
	for (m = 0; m < ARRAY_SIZE(modes); m++) {
		ASSERT_EQ(0, thp_write(modes[m])) TH_LOG("writing %s to %s: %s",
							 modes[m], VFIO_THP_ENABLED,
							 strerror(errno));
		/* Not the asserting twin: the teardown restores the mode. */
		ASSERT_EQ(0, __vfio_fault_probe_device(self->c.dev, &self->c.probe))
			TH_LOG("%s", vfio_error());
		ksft_print_msg("THP %s: %s\n", modes[m], self->c.probe.verdict);
		EXPECT_STREQ(modes[m], self->c.probe.thp);
		EXPECT_NE(VFIO_FAULT_STYLE_UNKNOWN, self->c.probe.style);
		for (i = 0; i < ARRAY_SIZE(policies); i++)
			check_one(_metadata, &self->c, bar, policies[i]);
	}
	if (self->c.no_granularity[0])
		VFIO_SKIP(return, "placement checked; fault granularity not: %s",
			  self->c.no_granularity);
	if (self->c.nr_limited)
		VFIO_SKIP(return, "%s%s", self->c.limited,
			  self->c.nr_limited > 1 ? "; more touches left short above" : "");
}

/*
 * Host cases: the same policies over memory the host kernel backs with
 * PMD-sized folios, proving the fault law without a device.  The file
 * offset of a shmem file plays the part of the physical address (a
 * PUD-aligned stand-in); anonymous THP only needs whole PMD blocks in the
 * VMA.  Four PMDs: 8 MiB on x86, 128 MiB on arm64 with 16 KiB pages.
 */
#define HOST_LEN (4 * vfio_pmd_size())
#define HOST_PA vfio_pud_size()

/*
 * THP off for the PMD-sized folios the host cases want: the mode of that
 * size (mTHP's hugepages-2048kB/enabled on x86, "inherit" meaning the top-level
 * one) is "never" for anonymous memory; tmpfs mounts honour huge=
 * unless shmem_enabled says "deny".  Without the files: off.
 */
static bool thp_off(bool shmem)
{
	char buf[128] = "", mode[16];
	FILE *f;

	if (!shmem)
		return vfio_thp_size_mode(VFIO_THP_DIR, vfio_pmd_size(), mode, sizeof(mode)) ||
		       !strcmp(mode, "never");
	f = fopen(VFIO_THP_DIR "/shmem_enabled", "r");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	return !f || strstr(buf, "[deny]");
}

/* This test's own kind and size of THP fallbacks: -errno without one. */
static long long thp_fallbacks(bool shmem)
{
	return vfio_thp_fallbacks(VFIO_THP_DIR, "/proc/vmstat", vfio_pmd_size(),
				  shmem);
}

static void *host_map(int fd, const struct vfio_placement *pl)
{
	void *va = mmap_reserve(HOST_LEN, pl->align, pl->phase);
	int flags = MAP_FIXED | (fd < 0 ? MAP_PRIVATE | MAP_ANONYMOUS : MAP_SHARED);

	if (va == MAP_FAILED)
		return va;
	va = mmap(va, HOST_LEN, PROT_READ | PROT_WRITE, flags, fd, 0);
	if (va != MAP_FAILED && vfio_thp_advise(va, HOST_LEN, pl->madvise))
		return MAP_FAILED;
	return va;
}

static void host_case(struct __test_metadata *_metadata, bool shmem,
		      enum vfio_map_policy p)
{
	struct vfio_counters fc;
	struct vfio_placement pl;
	long long fallbacks;
	char sizes[128];
	char pmd[16], page[16];
	uint64_t want;
	int fd = -1;
	void *va;

	vfio_size_name(vfio_pmd_size(), pmd, sizeof(pmd));
	vfio_size_name(vfio_page_size(), page, sizeof(page));

	if (shmem && geteuid())
		SKIP(return, "mounting a huge=always tmpfs needs root");
	if (access(VFIO_THP_DIR, F_OK))
		SKIP(return, "a kernel without THP: no %s", VFIO_THP_DIR);
	if (thp_off(shmem))
		SKIP(return, "transparent hugepages are off for %s",
		     shmem ? "shmem" : "anonymous memory");
	/* Smaller folios would serve the base-page edges: another law. */
	if (!shmem && vfio_thp_sizes_below(VFIO_THP_DIR, vfio_pmd_size(), sizes, sizeof(sizes)))
		SKIP(return, "mTHP sizes below %s are on (%s): the fault law here knows %s and %s only",
		     pmd, sizes, page, pmd);
	if (vfio_thp_room("/proc/meminfo", HOST_LEN))
		SKIP(return, "four PMDs of %s: %s", pmd, vfio_error());
	if (shmem) {
		fd = vfio_shmem_huge_file(HOST_LEN);
		ASSERT_LE(0, fd) TH_LOG("%s", vfio_error());
	}
	vfio_map_policy_place(p, HOST_LEN, HOST_PA, 0, HOST_LEN, &pl);
	va = host_map(fd, &pl);
	ASSERT_NE(MAP_FAILED, va) TH_LOG("%s", strerror(errno));
	want = vfio_expected_faults((uintptr_t)va, shmem ? HOST_PA : (uintptr_t)va,
				    HOST_LEN, vfio_pmd_size(), NULL);
	vfio_fault_counter_open(&fc);
	fallbacks = thp_fallbacks(shmem);
	vfio_counters_start(&fc);
	vfio_touch_pages(va, HOST_LEN, true);
	vfio_counters_stop(&fc);
	/* Said, not judged: the counters are system-wide, the faults ours. */
	fallbacks = fallbacks < 0 ? fallbacks : thp_fallbacks(shmem) - fallbacks;
	ksft_print_msg("%s %s: va %p: %lld faults, expected %llu; %s %s fallbacks meanwhile: %lld\n",
		       shmem ? "shmem" : "anon", vfio_map_policy_name(p), va,
		       fc.delta[VFIO_FAULTS_PERF], (unsigned long long)want,
		       pmd, shmem ? "shmem" : "anon", fallbacks);
	ASSERT_NE(VFIO_FAULTS_ABSENT, fc.delta[VFIO_FAULTS_PERF]) TH_LOG("%s", fc.why[0]);
	EXPECT_LE(want, fc.delta[VFIO_FAULTS_PERF])
		TH_LOG("THP not used: %lld %s fallbacks system-wide meanwhile",
		       fallbacks, pmd);
	EXPECT_GE(want + 1, fc.delta[VFIO_FAULTS_PERF])
		TH_LOG("THP not used: %lld %s fallbacks system-wide meanwhile",
		       fallbacks, pmd);
	vfio_counters_close(&fc);
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
	vfio_selftests_require_device(device_bdf);
	return test_harness_run(argc, argv);
}
