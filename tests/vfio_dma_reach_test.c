// SPDX-License-Identifier: GPL-2.0
/*
 * What a device's DMA reaches through the IOMMU: exactly the bytes a
 * mapping maps, in both directions, and nothing once it is unmapped.
 *
 * A device with a DMA driver (lib/drivers: QEMU's edu) writes patterns
 * to a mapping and reads them back, checked from the CPU, in every
 * IOMMU mode the kernel offers, for every backing: anonymous 4K, THP,
 * hugetlb 2M and 1G, memfd by address, memfd by IOMMU_IOAS_MAP_FILE,
 * and a peer's BAR (peer to peer: by address through type1, by its
 * dma-buf through iommufd), at the first and last byte of the mapping
 * and across the middle page boundary.  After UNMAP_DMA (IOAS_UNMAP)
 * the device's write must leave the old pages alone and the IOMMU must
 * log a fault; so must a write one byte past the end of a mapping.  A
 * control makes the same write without the unmap: it must land, else
 * the refusal check proves nothing.
 *
 * Usage: vfio_dma_reach_test [harness options] [DMA_BDF [PEER_BDF...]]
 *
 * The DMA device is the first BDF (or $VFIO_SELFTESTS_BDF); one without
 * a driver SKIPs the whole binary.  The peer is the first other device
 * given (or in $VFIO_SELFTESTS_ALL_BDFS) with a BAR of 2 MiB or more.
 */
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libvfio.h"
#include "kselftest_harness.h"
#include "libvfio/dma_driver.h"
#include "libvfio/iommu_fault_log.h"
#include "libvfio/skip.h"

#define LEN		2048	/* one transfer: under edu's 4095 bytes */
#define MARGIN		64	/* bytes either side that must not change */
#define BACKGROUND	0	/* pattern seed of untouched bytes */
#define FAULT_WAIT_MS	1000
#define PEER_MIN_BAR	SZ_2M

enum target {
	T_ANON_4K = VFIO_BACKING_ANON_4K,
	T_THP = VFIO_BACKING_THP,
	T_HUGETLB_2M = VFIO_BACKING_HUGETLB_2M,
	T_HUGETLB_1G = VFIO_BACKING_HUGETLB_1G,
	T_MEMFD = VFIO_BACKING_MEMFD,
	T_MEMFD_FILE,		/* a memfd by IOMMU_IOAS_MAP_FILE */
	T_BAR,			/* the peer's BAR by address */
	T_BAR_DMA_BUF,		/* the peer's BAR by its dma-buf */
};

static char bdfs[VFIO_MAX_BDFS][VFIO_BDF_LEN];
static const char *dma_bdf;
static const char *peer_bdf;

/* Everything a case sets up, shared by both fixtures. */
struct rig {
	struct vfio_leak_snapshot before;
	struct vfio_iommu *iommu;
	struct vfio_pci_device *dev;
	struct vfio_pci_device *peer;
	struct vfio_dma_driver drv;
	struct vfio_buffer stage;	/* known-good page: loads the device */
	uint64_t stage_iova;
	struct vfio_buffer buf;		/* the target, when it is memory */
	int dma_buf_fd;
	uint8_t *va;		/* the target as the CPU sees it */
	uint8_t *alt;		/* a second CPU view of a BAR */
	uint64_t size;			/* of the mapping */
	uint64_t iova;
	uint64_t next_iova;		/* where the next mapping may go */
	bool mapped;
};

static uint8_t pattern(int seed, uint64_t i)
{
	return seed == BACKGROUND ? 0xa5 : (uint8_t)(seed * 37 + i * 7 + (i >> 8));
}

static void fill(uint8_t *va, uint64_t off, uint64_t len, int seed)
{
	uint64_t i;

	for (i = 0; i < len; i++)
		va[off + i] = pattern(seed, i);
}

/* The first byte of [off, +len) that is not @seed's, or -1. */
static long long mismatch(uint8_t *va, uint64_t off, uint64_t len,
			  int seed)
{
	uint64_t i;

	for (i = 0; i < len; i++)
		if (va[off + i] != pattern(seed, i))
			return off + i;
	return -1;
}

/*
 * The lowest IOVA aligned to @align at or above r->next_iova that holds
 * @size; a page after it stays unmapped, for the write past the end.
 */
static int pick_iova(struct rig *r, uint64_t size, uint64_t align,
		     uint64_t *iova)
{
	struct vfio_iommu_info info = r->iommu->info;
	int i, ret;

	for (i = 0; i < info.nr_ranges; i++) {
		if (info.ranges[i].end < r->next_iova)
			info.ranges[i].start = info.ranges[i].end = 0;
		else if (info.ranges[i].start < r->next_iova)
			info.ranges[i].start = r->next_iova;
	}
	ret = __vfio_iova_pick(&info, size, align, iova);
	if (!ret)
		r->next_iova = *iova + size + vfio_page_size();
	return ret;
}

/*
 * The page size whose boundary the middle transfer crosses: THP's is the
 * PMD (32 MiB on arm64 with 16 KiB pages), the rest the base page, which
 * is also the least an IOMMU maps there.
 */
static uint64_t boundary(enum target t, uint64_t bar_size)
{
	switch (t) {
	case T_THP:
		return vfio_pmd_size();
	case T_HUGETLB_2M:
		return SZ_2M;
	case T_HUGETLB_1G:
		return SZ_1G;
	case T_BAR:
	case T_BAR_DMA_BUF:
		/* Half the BAR: its two 1 GiB halves for a 2 GiB BAR. */
		return bar_size / 2;
	default:
		return vfio_page_size();
	}
}

/* The first other device with a BAR of PEER_MIN_BAR or more, or NULL. */
static const char *find_peer(int n)
{
	uint64_t pa, len;
	int i, bar;

	for (i = 1; i < n; i++)
		for (bar = 0; bar < VFIO_PCI_NUM_BARS; bar++)
			if (!__vfio_pci_bar_pa(bdfs[i], bar, &pa, &len) &&
			    len >= PEER_MIN_BAR)
				return bdfs[i];
	return NULL;
}

/* Why @t cannot be mapped in @mode, or NULL when it can. */
static const char *unmappable(enum target t, const struct vfio_iommu_mode *mode)
{
	if ((t == T_MEMFD_FILE || t == T_BAR_DMA_BUF) && !mode->iommufd)
		return "IOMMU_IOAS_MAP_FILE is native iommufd's; the container modes map by address (the memfd and bar variants)";
	if (t == T_BAR && vfio_iommu_mode_uses_iommufd(mode))
		return "iommufd refuses a BAR by address, by design (PFNMAP pages cannot be pinned); the iommufd mode maps it by its dma-buf (bar_dma_buf)";
	if ((t == T_BAR || t == T_BAR_DMA_BUF) && !peer_bdf)
		return "no peer with a BAR of 2 MiB or more given (run.sh -i 1234:11e8 -i 1af4:1110)";
	return NULL;
}

/* The device and its driver in a fresh IOMMU context, the stage page. */
static void rig_open(struct __test_metadata *_metadata, struct rig *r,
		     const char *mode)
{
	r->dma_buf_fd = -1;
	r->buf.fd = r->stage.fd = -1;
	vfio_leak_snapshot(&r->before);
	r->iommu = vfio_iommu_init(mode);
	r->dev = vfio_pci_device_init(dma_bdf, r->iommu);
	/* Before any mapping: the driver measures at low IOVAs. */
	vfio_dma_driver_init(&r->drv, r->dev);
	r->next_iova = SZ_2M;
	vfio_buffer_alloc(&r->stage, VFIO_BACKING_ANON_4K, vfio_page_size());
	ASSERT_EQ(0, pick_iova(r, vfio_page_size(), vfio_page_size(),
			       &r->stage_iova))
		TH_LOG("%s", vfio_error());
	vfio_dma_map(r->iommu, r->stage.va, r->stage_iova, vfio_page_size());
}

static void map_memory(struct __test_metadata *_metadata, struct rig *r,
		       enum target t)
{
	enum vfio_backing b = t == T_MEMFD_FILE ? VFIO_BACKING_MEMFD : t;
	int ret;

	r->size = 2 * boundary(t, 0);
	ret = __vfio_buffer_alloc(&r->buf, b, r->size);
	if (ret == -ENOMEM && (t == T_HUGETLB_2M || t == T_HUGETLB_1G))
		SKIP(return, "%s", vfio_error());
	ASSERT_EQ(0, ret) TH_LOG("%s", vfio_error());
	r->va = r->buf.va;
	ASSERT_EQ(0, pick_iova(r, r->size, boundary(t, 0), &r->iova))
		TH_LOG("%s", vfio_error());
	if (t == T_MEMFD_FILE)
		iommufd_map_file(&r->iommu->ioas, r->buf.fd, 0, r->iova, r->size);
	else
		vfio_dma_map(r->iommu, r->buf.va, r->iova, r->size);
	r->mapped = true;
}

/* The peer's largest BAR, mapped for the CPU twice and for the device. */
static void map_bar(struct __test_metadata *_metadata, struct rig *r,
		    enum target t)
{
	struct vfio_pci_bar *b;
	void *alt;
	int bar;

	r->peer = vfio_pci_device_init(peer_bdf, r->iommu);
	bar = vfio_pci_largest_bar(r->peer);
	ASSERT_LE(0, bar) TH_LOG("%s has no mmappable BAR", peer_bdf);
	b = &r->peer->bars[bar];
	r->size = b->size;
	r->va = vfio_pci_bar_map(r->peer, bar, VFIO_MAP_PA);
	alt = mmap(NULL, r->size, PROT_READ, MAP_SHARED, r->peer->fd, b->offset);
	ASSERT_NE(MAP_FAILED, alt);
	r->alt = alt;
	ASSERT_EQ(0, pick_iova(r, r->size, vfio_pci_bar_align(r->size), &r->iova))
		TH_LOG("%s", vfio_error());
	if (t == T_BAR) {
		vfio_dma_map(r->iommu, r->va, r->iova, r->size);
	} else {
		r->dma_buf_fd = vfio_pci_dma_buf(r->peer, bar, 0, r->size);
		if (r->dma_buf_fd == -ENOTTY || r->dma_buf_fd == -EINVAL)
			SKIP(return, "%s", vfio_error());
		ASSERT_LE(0, r->dma_buf_fd) TH_LOG("%s", vfio_error());
		iommufd_map_file(&r->iommu->ioas, r->dma_buf_fd, 0, r->iova,
				 r->size);
	}
	r->mapped = true;
}

static void rig_close(struct rig *r)
{
	if (!r->iommu)
		return;
	if (r->mapped)
		vfio_dma_unmap(r->iommu, r->iova, r->size);
	if (r->alt)
		munmap(r->alt, r->size);
	if (r->dma_buf_fd >= 0)
		close(r->dma_buf_fd);
	vfio_dma_driver_remove(&r->drv);
	vfio_buffer_free(&r->buf);
	vfio_buffer_free(&r->stage);
	vfio_pci_device_cleanup(r->peer);
	vfio_pci_device_cleanup(r->dev);
	vfio_iommu_cleanup(r->iommu);
	vfio_leak_check(&r->before);
}

/* Put @seed's pattern into the device's memory, from the stage page. */
static void load_device(struct rig *r, int seed)
{
	fill(r->stage.va, 0, LEN, seed);
	vfio_dma_transfer(&r->drv, VFIO_DMA_TO_DEVICE, r->stage_iova, 0, LEN);
}

/*
 * Evidence of an IOMMU fault: the kernel's report naming the IOVA, or,
 * where the kernel rate-limited the report away, the IOMMU's fault
 * interrupt counted meanwhile.
 */
struct fault_watch {
	int fd;
	long irqs;
	bool seen;
	char line[512];
};

static int fault_watch_start(struct fault_watch *w)
{
	w->irqs = vfio_fault_irqs();
	w->fd = vfio_fault_log_open();
	return w->fd < 0 ? w->fd : 0;
}

/*
 * The interrupt is counted before its handler runs and logs: a count
 * that rose with no report naming @iova means the report was
 * rate-limited away, and waiting longer would not bring it.
 */
static bool fault_watch_end(struct fault_watch *w, uint64_t iova,
			    int timeout_ms)
{
	long irqs = w->irqs;
	int waited;

	/* The count first: a handler it saw has logged before the read. */
	for (waited = 0; waited <= timeout_ms; waited += 10) {
		if (w->irqs >= 0)
			irqs = vfio_fault_irqs();
		w->seen = !vfio_fault_log_find(w->fd, iova, 0, w->line,
					       sizeof(w->line));
		if (w->seen || irqs > w->irqs)
			break;
		usleep(10000);
	}
	close(w->fd);
	if (!w->seen && w->irqs >= 0 && irqs > w->irqs)
		snprintf(w->line, sizeof(w->line),
			 "no kernel log line names it (rate-limited, or worded otherwise), but the IOMMU fault interrupt count rose %ld -> %ld",
			 w->irqs, irqs);
	else if (!w->seen)
		snprintf(w->line, sizeof(w->line), "%s; fault interrupts %ld -> %ld",
			 vfio_error(), w->irqs, irqs);
	w->seen = w->seen || irqs > w->irqs;
	return w->seen;
}

/*
 * The device writes a pattern at the mapping's first byte, with the
 * mapping gone when @unmap: did it land, and what did the IOMMU say.
 */
static void write_after(struct __test_metadata *_metadata, struct rig *r,
			bool unmap, bool *landed, struct fault_watch *w)
{
	load_device(r, 7);
	fill(r->va, 0, LEN, BACKGROUND);
	if (unmap) {
		vfio_dma_unmap(r->iommu, r->iova, r->size);
		r->mapped = false;
	}
	ASSERT_EQ(0, fault_watch_start(w)) TH_LOG("%s", vfio_error());
	vfio_dma_transfer(&r->drv, VFIO_DMA_FROM_DEVICE, r->iova, 0, LEN);
	*landed = mismatch(r->va, 0, LEN, 7) < 0;
	fault_watch_end(w, r->iova, unmap ? FAULT_WAIT_MS : 300);
}

FIXTURE(dma_reach) {
	struct rig r;
};

FIXTURE_VARIANT(dma_reach) {
	const char *iommu_mode;
	enum target target;
};

FIXTURE_VARIANT_ADD_IOMMU_MODES(dma_reach, anon4k, .target = T_ANON_4K);
FIXTURE_VARIANT_ADD_IOMMU_MODES(dma_reach, thp, .target = T_THP);
FIXTURE_VARIANT_ADD_IOMMU_MODES(dma_reach, hugetlb2m, .target = T_HUGETLB_2M);
FIXTURE_VARIANT_ADD_IOMMU_MODES(dma_reach, hugetlb1g, .target = T_HUGETLB_1G);
FIXTURE_VARIANT_ADD_IOMMU_MODES(dma_reach, memfd, .target = T_MEMFD);
FIXTURE_VARIANT_ADD_IOMMU_MODES(dma_reach, memfd_file, .target = T_MEMFD_FILE);
FIXTURE_VARIANT_ADD_IOMMU_MODES(dma_reach, bar, .target = T_BAR);
FIXTURE_VARIANT_ADD_IOMMU_MODES(dma_reach, bar_dma_buf, .target = T_BAR_DMA_BUF);

FIXTURE_SETUP(dma_reach)
{
	const char *why;

	if (!dma_bdf)
		SKIP(return, "no device: pass a BDF or set VFIO_SELFTESTS_BDF");
	VFIO_SKIP_UNLESS_OFFERED(return, variant->iommu_mode);
	why = unmappable(variant->target, vfio_iommu_mode_get(variant->iommu_mode));
	if (why)
		SKIP(return, "%s", why);
	rig_open(_metadata, &self->r, variant->iommu_mode);
	if (variant->target == T_BAR || variant->target == T_BAR_DMA_BUF)
		map_bar(_metadata, &self->r, variant->target);
	else
		map_memory(_metadata, &self->r, variant->target);
}

FIXTURE_TEARDOWN(dma_reach)
{
	rig_close(&self->r);
}

/* The bytes either side of [off, +LEN) inside the mapping: background. */
static long long margins_changed(struct rig *r, uint8_t *va,
				 uint64_t off)
{
	long long bad = -1;

	if (off >= MARGIN)
		bad = mismatch(va, off - MARGIN, MARGIN, BACKGROUND);
	if (bad < 0 && off + LEN + MARGIN <= r->size)
		bad = mismatch(va, off + LEN, MARGIN, BACKGROUND);
	return bad;
}

static void fill_margins(struct rig *r, uint64_t off)
{
	if (off >= MARGIN)
		fill(r->va, off - MARGIN, MARGIN, BACKGROUND);
	if (off + LEN + MARGIN <= r->size)
		fill(r->va, off + LEN, MARGIN, BACKGROUND);
}

/*
 * The CPU writes a pattern at one place, the device reads it there and
 * writes it at the next, the CPU checks it (and that the bytes around
 * are untouched): a chain through the first, middle and last places, so
 * that each is read and written once by the device.
 */
static void both_ways(struct __test_metadata *_metadata, struct rig *r)
{
	uint64_t pos[3] = { 0, r->size / 2 - LEN / 2, r->size - LEN };
	int i, j, v;

	for (i = 0; i < 3; i++)
		fill_margins(r, pos[i]);
	for (i = 0; i < 3; i++) {
		j = (i + 1) % 3;
		fill(r->va, pos[i], LEN, i + 1);
		vfio_dma_memcpy(&r->drv, r->iova + pos[i], r->iova + pos[j], LEN);
		for (v = 0; v < 2; v++) {
			uint8_t *va = v ? r->alt : r->va;

			if (!va)
				continue;
			EXPECT_EQ(-1, mismatch(va, pos[j], LEN, i + 1))
				TH_LOG("IOVA %#llx -> %#llx: the copy did not arrive (%s view)",
				       (unsigned long long)(r->iova + pos[i]),
				       (unsigned long long)(r->iova + pos[j]),
				       v ? "second" : "first");
			EXPECT_EQ(-1, margins_changed(r, va, pos[j]))
				TH_LOG("bytes around offset %#llx changed",
				       (unsigned long long)pos[j]);
		}
	}
	ksft_print_msg("both ways: [%#llx, +%#llx): offsets 0, %#llx, %#llx read and written by %s%s\n",
		       (unsigned long long)r->iova, (unsigned long long)r->size,
		       (unsigned long long)pos[1], (unsigned long long)pos[2],
		       r->drv.ops->name, r->alt ? ", seen through two CPU mappings" : "");
}

/* Two bytes at the last byte: it lands, the one past it faults. */
static void stops_at_the_end(struct __test_metadata *_metadata, struct rig *r)
{
	uint64_t end = r->iova + r->size;
	struct fault_watch w;

	load_device(r, 9);
	fill(r->va, r->size - MARGIN, MARGIN, BACKGROUND);
	ASSERT_EQ(0, fault_watch_start(&w)) TH_LOG("%s", vfio_error());
	vfio_dma_transfer(&r->drv, VFIO_DMA_FROM_DEVICE, end - 1, 0, 2);
	EXPECT_EQ(pattern(9, 0), r->va[r->size - 1]);
	EXPECT_EQ(-1, mismatch(r->va, r->size - MARGIN, MARGIN - 1, BACKGROUND));
	EXPECT_TRUE(fault_watch_end(&w, end, FAULT_WAIT_MS))
		TH_LOG("the write past the end left no fault: %s", w.line);
	ksft_print_msg("past the end (IOVA %#llx): %s\n",
		       (unsigned long long)end, w.line);
}

static void refused_after_unmap(struct __test_metadata *_metadata,
				struct rig *r)
{
	struct fault_watch w;
	bool landed;

	write_after(_metadata, r, true, &landed, &w);
	EXPECT_FALSE(landed)
		TH_LOG("the device wrote through IOVA %#llx after its unmap returned: a stale IOTLB entry?",
		       (unsigned long long)r->iova);
	EXPECT_TRUE(w.seen) TH_LOG("the write after unmap left no fault: %s", w.line);
	ksft_print_msg("after unmap (IOVA %#llx): %s\n",
		       (unsigned long long)r->iova, w.line);
}

/*
 * One case per variant, for time: the mapping carries the device's
 * reads and writes up to its last byte, no further, and nothing once
 * it is unmapped.
 */
TEST_F(dma_reach, exactly_the_mapping)
{
	both_ways(_metadata, &self->r);
	stops_at_the_end(_metadata, &self->r);
	refused_after_unmap(_metadata, &self->r);
}

/* The control: anonymous memory, the driver's argument checks. */
FIXTURE(dma_control) {
	struct rig r;
};

FIXTURE_VARIANT(dma_control) {
	const char *iommu_mode;
};

FIXTURE_VARIANT_ADD_ALL_IOMMU_MODES(dma_control);

FIXTURE_SETUP(dma_control)
{
	if (!dma_bdf)
		SKIP(return, "no device: pass a BDF or set VFIO_SELFTESTS_BDF");
	VFIO_SKIP_UNLESS_OFFERED(return, variant->iommu_mode);
	rig_open(_metadata, &self->r, variant->iommu_mode);
	map_memory(_metadata, &self->r, T_ANON_4K);
}

FIXTURE_TEARDOWN(dma_control)
{
	rig_close(&self->r);
}

/*
 * refused_after_unmap without its unmap: the write must land and no
 * fault come, or that test's verdict would hold whatever the IOMMU did.
 */
TEST_F(dma_control, lands_without_unmap)
{
	struct rig *r = &self->r;
	struct fault_watch w;
	bool landed;

	write_after(_metadata, r, false, &landed, &w);
	EXPECT_TRUE(landed);
	EXPECT_FALSE(w.seen) TH_LOG("a fault for a mapped IOVA: %s", w.line);
	ksft_print_msg("control (no unmap): the write %s, %s: refused_after_unmap %s fail\n",
		       landed ? "landed" : "did NOT land",
		       w.seen ? "a fault seen" : "no fault seen",
		       landed && !w.seen ? "would" : "would NOT");
}

/* Refused before the device sees them, each with its reason. */
TEST_F(dma_control, bad_input)
{
	struct vfio_dma_driver *drv = &self->r.drv;
	uint64_t iova = self->r.iova;
	uint64_t past_mask = drv->dma_mask == ~0ULL ? ~0ULL - 15 : drv->dma_mask + 1;
	struct {
		const char *what;
		uint64_t iova, off, size;
	} bad[] = {
		{ "count 0", iova, 0, 0 },
		{ "count past the buffer", iova, 0, drv->max_size + 1 },
		{ "range past the buffer", iova, drv->mem_size - 8, 16 },
		{ "IOVA outside the DMA mask", past_mask, 0, 32 },
	};
	unsigned long before = drv->nr_transfers;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, __vfio_dma_transfer(drv, VFIO_DMA_FROM_DEVICE,
						       bad[i].iova, bad[i].off,
						       bad[i].size))
			TH_LOG("%s", bad[i].what);
		ksft_print_msg("%s: %s\n", bad[i].what, vfio_error());
	}
	EXPECT_EQ(before, drv->nr_transfers) TH_LOG("one reached the device");
}

int main(int argc, char *argv[])
{
	const struct vfio_dma_driver_ops *ops;
	int n = vfio_selftests_find_all_bdfs(&argc, argv, bdfs, VFIO_MAX_BDFS);

	if (n) {
		dma_bdf = bdfs[0];
		vfio_selftests_require_device(dma_bdf);
		if (vfio_dma_driver_for_bdf(dma_bdf, &ops) == -ENODEV)
			ksft_exit_skip("%s\n", vfio_error());
		peer_bdf = find_peer(n);
	}
	return test_harness_run(argc, argv);
}
