// SPDX-License-Identifier: GPL-2.0
/*
 * QEMU's edu device (1234:11e8): a DMA engine between a 4 KiB buffer on
 * the device and a bus address, started by a command register and done
 * when the device clears its run bit, 100 ms (QEMU's timer) later.
 *
 * What QEMU 7.2's edu does that a driver must know:
 *  - its range check is off by one: a transfer must end before the last
 *    byte of the buffer, or QEMU aborts (hardware error), so 4095 bytes
 *    of it are usable;
 *  - the timer reads the registers when it fires: writing them while a
 *    transfer runs changes (or aborts) that transfer;
 *  - it ANDs every bus address with its dma_mask property (28 bits by
 *    default) without a word: an IOVA above the mask reaches another
 *    one.  The mask is invisible to the guest, so init() measures it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "drivers.h"
#include "libvfio/assert.h"
#include "libvfio/dma.h"
#include "libvfio/page_levels.h"
#include "libvfio/pci_config.h"
#include "libvfio/vfio_pci_device.h"

#define EDU_ID		0x00	/* 0xMMmm00ed: version, then its magic */
#define EDU_ID_MAGIC	0xed
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_CMD_RUN	0x1
#define EDU_CMD_TO_BUS	0x2	/* from the device's buffer to the bus */
#define EDU_BUF		0x40000	/* the buffer, in the device's addresses */
#define EDU_BUF_USABLE	4095	/* of its 4096 bytes: see above */
/* QEMU's timer is 100 ms of guest time; a loaded TCG host is slower. */
#define EDU_TIMEOUT_MS	5000
/* Two base pages: the IOMMU maps no less (16 KiB on arm64 16k). */
#define EDU_SCRATCH	(2 * vfio_page_size())

static volatile uint64_t *reg(struct vfio_dma_driver *drv, uint32_t off)
{
	return (volatile uint64_t *)((uint8_t *)drv->regs + off);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Poll the run bit down: the only way edu says a transfer ended. */
static int edu_wait(struct vfio_dma_driver *drv)
{
	long end = now_ms() + EDU_TIMEOUT_MS;

	while (*reg(drv, EDU_DMA_CMD) & EDU_CMD_RUN) {
		if (now_ms() > end)
			return vfio_err(-ETIMEDOUT, "%s: edu transfer still running after %d ms",
					drv->dev->bdf, EDU_TIMEOUT_MS);
		usleep(2000);
	}
	return 0;
}

static int edu_transfer(struct vfio_dma_driver *drv, enum vfio_dma_dir dir,
			uint64_t iova, uint64_t off, uint64_t size)
{
	int to_bus = dir == VFIO_DMA_FROM_DEVICE;
	int ret = edu_wait(drv);

	if (ret)
		return ret;
	*reg(drv, EDU_DMA_SRC) = to_bus ? EDU_BUF + off : iova;
	*reg(drv, EDU_DMA_DST) = to_bus ? iova : EDU_BUF + off;
	*reg(drv, EDU_DMA_CNT) = size;
	*reg(drv, EDU_DMA_CMD) = EDU_CMD_RUN | (to_bus ? EDU_CMD_TO_BUS : 0);
	return edu_wait(drv);
}

/* Whether [a, a + len) lies in one usable IOVA range. */
static bool usable(const struct vfio_iommu_info *info, uint64_t a,
		   uint64_t len)
{
	int i;

	if (!info->nr_ranges)
		return a + len <= 1ULL << 39;
	for (i = 0; i < info->nr_ranges; i++)
		if (a >= info->ranges[i].start &&
		    a + len - 1 <= info->ranges[i].end && a + len > a)
			return true;
	return false;
}

/*
 * Does bit @bit of a bus address survive the mask?  The scratch's second
 * page, mapped again at @iova + 2^bit, holds 0x22, its first page 0x11:
 * the device reads the alias into its buffer and writes it back to the
 * first page, which then holds 0x22 (kept) or 0x11 (the bit dropped, the
 * read went to @iova).  @iova has no bit at or above @bit.  1 when the
 * alias cannot be mapped.
 */
static int keeps_bit(struct vfio_dma_driver *drv, uint8_t *va, uint64_t iova,
		     int bit, bool *kept)
{
	uint64_t alias = iova + (1ULL << bit);
	int ret;

	memset(va, 0x11, 64);
	memset(va + vfio_page_size(), 0x22, 64);
	memset(va + 2048, 0, 64);
	/* Ranges may promise more than the page table reaches. */
	if (__vfio_dma_map(drv->dev->iommu, va + vfio_page_size(), alias,
			   vfio_page_size()))
		return 1;
	ret = edu_transfer(drv, VFIO_DMA_TO_DEVICE, alias, 0, 64);
	if (!ret)
		ret = edu_transfer(drv, VFIO_DMA_FROM_DEVICE, iova + 2048, 0, 64);
	__vfio_dma_unmap(drv->dev->iommu, alias, vfio_page_size(), NULL);
	if (ret)
		return ret;
	*kept = va[2048] == 0x22;
	if (!*kept && va[2048] != 0x11)
		return vfio_err(-EIO, "%s: edu's DMA to its scratch page at IOVA %#llx did not arrive (%#x there)",
				drv->dev->bdf, (unsigned long long)iova,
				va[2048]);
	return 0;
}

/*
 * The mask, as (1 << n) - 1, from the bits that survive: the highest
 * bit a usable IOVA can have first (kept: the device reaches every
 * usable IOVA, one transfer pair), else a binary search for n.
 */
static int probe_mask(struct vfio_dma_driver *drv, uint8_t *va, uint64_t iova)
{
	const struct vfio_iommu_info *info = &drv->dev->iommu->info;
	int lo = 64 - __builtin_clzll(iova + EDU_SCRATCH - 1), hi = 63, mid;
	bool kept;
	int ret;

	/* The highest bit whose alias the IOMMU maps (hi ends one below). */
	for (ret = 1; ret == 1 && hi >= lo; hi--)
		if (usable(info, iova + (1ULL << hi), vfio_page_size()))
			ret = keeps_bit(drv, va, iova, hi, &kept);
	hi++;
	if (ret == 1)
		return vfio_err(-ENOSPC, "%s: no IOVA to measure edu's DMA mask with",
				drv->dev->bdf);
	if (ret || kept) {
		drv->dma_mask = hi == 63 ? ~0ULL : (2ULL << hi) - 1;
		return ret;
	}
	/* Bit hi drops; find the lowest bit that does. */
	while (lo < hi) {
		mid = (lo + hi) / 2;
		ret = keeps_bit(drv, va, iova, mid, &kept);
		if (ret)
			return ret == 1 ? vfio_err(-ENOSPC, "%s: IOVA %#llx cannot be mapped to measure edu's DMA mask",
						   drv->dev->bdf,
						   (unsigned long long)(iova + (1ULL << mid))) : ret;
		if (kept)
			lo = mid + 1;
		else
			hi = mid;
	}
	drv->dma_mask = (1ULL << hi) - 1;
	return 0;
}

/* A scratch page pair at the lowest usable IOVA, for probe_mask(). */
static int measure_mask(struct vfio_dma_driver *drv)
{
	struct vfio_iommu *iommu = drv->dev->iommu;
	uint64_t iova;
	void *va;
	int ret;

	ret = __vfio_iova_pick(&iommu->info, EDU_SCRATCH, EDU_SCRATCH, &iova);
	if (ret)
		return ret;
	va = mmap(NULL, EDU_SCRATCH, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (va == MAP_FAILED)
		return vfio_err(-errno, "scratch page: %s", strerror(errno));
	ret = __vfio_dma_map(iommu, va, iova, EDU_SCRATCH);
	if (!ret) {
		ret = probe_mask(drv, va, iova);
		__vfio_dma_unmap(iommu, iova, EDU_SCRATCH, NULL);
	}
	munmap(va, EDU_SCRATCH);
	return ret;
}

static int edu_start(struct vfio_dma_driver *drv)
{
	uint32_t id = *(volatile uint32_t *)reg(drv, EDU_ID);
	int ret;

	if ((id & 0xff) != EDU_ID_MAGIC)
		return vfio_err(-ENODEV, "%s: not an edu: its ID register reads %#x",
				drv->dev->bdf, id);
	ret = vfio_pci_bus_master(drv->dev, 1);
	if (ret)
		return ret;
	/* One left running by a previous owner must end first. */
	ret = edu_wait(drv);
	return ret ? ret : measure_mask(drv);
}

static int edu_init(struct vfio_dma_driver *drv)
{
	int ret = __vfio_pci_bar_map(drv->dev, 0, VFIO_MAP_KERNEL);

	if (ret)
		return ret;
	drv->regs = drv->dev->bars[0].va;
	drv->mem_size = EDU_BUF_USABLE;
	drv->max_size = EDU_BUF_USABLE;
	ret = edu_start(drv);
	if (ret) {
		vfio_pci_bus_master(drv->dev, 0);
		vfio_pci_bar_unmap(drv->dev, 0);
		drv->regs = NULL;
	}
	return ret;
}

static void edu_remove(struct vfio_dma_driver *drv)
{
	/* A stuck transfer may still fire: the device stays a master. */
	if (!drv->stuck && !edu_wait(drv))
		vfio_pci_bus_master(drv->dev, 0);
	vfio_pci_bar_unmap(drv->dev, 0);
	drv->regs = NULL;
}

const struct vfio_dma_driver_ops vfio_edu_ops = {
	.name = "edu",
	.vendor = 0x1234,
	.device = 0x11e8,
	.init = edu_init,
	.remove = edu_remove,
	.transfer = edu_transfer,
};
