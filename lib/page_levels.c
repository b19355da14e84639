// SPDX-License-Identifier: GPL-2.0
/*
 * The page-table levels, from the kernel.  See libvfio/page_levels.h.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "libvfio/page_levels.h"
#include "libvfio/thp.h"

static struct {
	uint64_t size[VFIO_LEVEL_NR];
	char name[VFIO_LEVEL_NR][24];
} levels;

const char *vfio_size_name(uint64_t bytes, char *buf, int len)
{
	static const char * const units[] = { "bytes", "KiB", "MiB", "GiB",
					      "TiB", "PiB", "EiB" };
	int i = 0;

	while (bytes >= 1024 && !(bytes % 1024) && i < 6) {
		bytes /= 1024;
		i++;
	}
	snprintf(buf, len, "%llu %s", (unsigned long long)bytes, units[i]);
	return buf;
}

static void levels_fill(uint64_t page, uint64_t pmd, uint64_t pud)
{
	char sz[16];
	int i;

	levels.size[VFIO_LEVEL_PTE] = page;
	levels.size[VFIO_LEVEL_PMD] = pmd;
	levels.size[VFIO_LEVEL_PUD] = pud;
	for (i = 0; i < VFIO_LEVEL_NR; i++) {
		vfio_size_name(levels.size[i], sz, sizeof(sz));
		if (i == VFIO_LEVEL_PTE)
			snprintf(levels.name[i], sizeof(levels.name[i]), "%s", sz);
		else
			snprintf(levels.name[i], sizeof(levels.name[i]), "%s (%s)",
				 i == VFIO_LEVEL_PMD ? "PMD" : "PUD", sz);
	}
}

/*
 * The PMD size as THP reports it (a kernel without THP has no file);
 * else from the geometry: a table is one page of 8-byte entries, so each
 * level maps page / 8 times the one below.  The PUD always comes from
 * the geometry: the kernel reports no PUD size.
 */
static void levels_measure(void)
{
	uint64_t page = sysconf(_SC_PAGESIZE), pmd = 0;
	unsigned long long v;
	FILE *f;

	f = fopen(VFIO_THP_DIR "/hpage_pmd_size", "r");
	if (f) {
		if (fscanf(f, "%llu", &v) == 1)
			pmd = v;
		fclose(f);
	}
	if (!pmd || pmd % page)
		pmd = page * (page / 8);
	levels_fill(page, pmd, pmd * (page / 8));
}

uint64_t vfio_level_size(enum vfio_page_level level)
{
	if (!levels.size[VFIO_LEVEL_PTE])
		levels_measure();
	return level < VFIO_LEVEL_NR ? levels.size[level] : 0;
}

enum vfio_page_level vfio_level_of(uint64_t size)
{
	int i;

	for (i = 0; i < VFIO_LEVEL_NR; i++)
		if (size == vfio_level_size(i))
			return i;
	return VFIO_LEVEL_NR;
}

const char *vfio_level_name(uint64_t size)
{
	enum vfio_page_level l = vfio_level_of(size);

	return l < VFIO_LEVEL_NR ? levels.name[l] : "unknown";
}

/*
 * The contiguous hint covers 16 PTEs at 4 KiB pages, 128 at 16 KiB and
 * 32 at 64 KiB: CONT_PTE_SHIFT in arch/arm64/include/asm/pgtable-hwdef.h,
 * from Kconfig values that no user can set, fixed by the page size.
 */
uint64_t vfio_arm64_cont_ptes(uint64_t page)
{
	switch (page) {
	case 0x1000:
		return 16;
	case 0x4000:
		return 128;
	case 0x10000:
		return 32;
	default:
		return 0;
	}
}

/* An instruction set without a contiguous hint has no such size. */
uint64_t vfio_cont_pte_size(void)
{
#ifdef __aarch64__
	return vfio_page_size() * vfio_arm64_cont_ptes(vfio_page_size());
#else
	return 0;
#endif
}

void vfio_page_levels_set(uint64_t page, uint64_t pmd, uint64_t pud)
{
	memset(&levels, 0, sizeof(levels));
	if (page)
		levels_fill(page, pmd, pud);
}
