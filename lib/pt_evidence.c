// SPDX-License-Identifier: GPL-2.0
/*
 * Counting leaf entries by level in the kernel's CPU and IOMMU page-table
 * dumps (see libvfio/pt_evidence.h for the formats).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "libvfio/assert.h"
#include "libvfio/fault_law.h"
#include "libvfio/mmap.h"
#include "libvfio/page_levels.h"
#include "libvfio/pt_evidence.h"
#include "libvfio/vfio_pci_device.h"

#define DEBUGFS_MAGIC	0x64626720
/* Dump lines are under 120 characters; anything longer is not ours. */
#define PT_LINE_MAX	512
#define PT_MAX_TOKENS	16

int vfio_debugfs_mount(void)
{
	struct statfs s;

	if (!statfs(VFIO_DEBUGFS, &s) && s.f_type == DEBUGFS_MAGIC)
		return 0;
	if (mount("debugfs", VFIO_DEBUGFS, "debugfs", 0, NULL))
		return vfio_err(-errno, "mount debugfs at %s: %s%s", VFIO_DEBUGFS,
				strerror(errno),
				errno == EPERM ? " (needs root)" :
				errno == ENODEV ? " (kernel built without CONFIG_DEBUG_FS)" : "");
	return 0;
}

/*
 * Read one line into @buf.  1: a line; 0: end of file; -1: a line too
 * long for @buf, consumed to its end so the next read is in step.
 */
static int read_line(FILE *f, char *buf, int size)
{
	int c;

	if (!fgets(buf, size, f))
		return 0;
	if (strchr(buf, '\n') || feof(f))
		return 1;
	while ((c = fgetc(f)) != EOF && c != '\n')
		;
	return -1;
}

/* Parse "0x<hex>" at *s, all of it up to @stop (or any blank when 0). */
static bool parse_hex(const char *s, char stop, uint64_t *v, const char **end)
{
	char *e;

	if (strncmp(s, "0x", 2) || !isxdigit((unsigned char)s[2]))
		return false;
	errno = 0;
	*v = strtoull(s + 2, &e, 16);
	if (errno || (stop ? *e != stop : (*e && !isspace((unsigned char)*e))))
		return false;
	*end = e;
	return true;
}

/* Entries of size @sz (runs are made of whole ones) meeting [start, end). */
static uint64_t overlap_entries(uint64_t a, uint64_t b, uint64_t start,
				uint64_t end, uint64_t sz)
{
	uint64_t lo = a > start ? a : start;
	uint64_t hi = b < end ? b : end;

	if (lo >= hi)
		return 0;
	return (hi - 1) / sz - lo / sz + 1;
}

/* One run of a ptdump: [start, end) at level @sz (0: pgd/p4d). */
struct pt_run {
	uint64_t start;
	uint64_t end;
	uint64_t sz;
	bool present;
};

static uint64_t ptdump_level(const char *name)
{
	if (!strcmp(name, "pud"))
		return vfio_pud_size();
	if (!strcmp(name, "pmd"))
		return vfio_pmd_size();
	if (!strcmp(name, "pte"))
		return vfio_page_size();
	return 0;
}

/*
 * "0x<start>-0x<end>  <size> [<prot bits>] <level>"; false for markers
 * ("---[ User Space ]---") and anything else.  Protection bits are there
 * only for present entries: they are what tells a hole from a mapping.
 */
static bool ptdump_parse(char *line, struct pt_run *r)
{
	char *tok[PT_MAX_TOKENS], *save = NULL, *t;
	const char *e;
	int n = 0;

	for (t = strtok_r(line, " \t\n", &save); t && n < PT_MAX_TOKENS;
	     t = strtok_r(NULL, " \t\n", &save))
		tok[n++] = t;
	if (n < 3 || t)
		return false;
	if (!parse_hex(tok[0], '-', &r->start, &e) ||
	    !parse_hex(e + 1, 0, &r->end, &e))
		return false;
	/* The last run of the address space ends at 2^64, printed as 0. */
	if (!r->end)
		r->end = UINT64_MAX;
	r->sz = ptdump_level(tok[n - 1]);
	r->present = n > 3;
	return r->start < r->end &&
	       (r->sz || !strcmp(tok[n - 1], "pgd") || !strcmp(tok[n - 1], "p4d"));
}

int vfio_ptdump_count_file(FILE *f, uint64_t start, uint64_t end,
			   struct vfio_fault_law *out)
{
	char line[PT_LINE_MAX];
	struct pt_run r;
	int ret;

	memset(out, 0, sizeof(*out));
	if (start >= end)
		return vfio_err(-EINVAL, "ptdump: empty range %#" PRIx64 "-%#" PRIx64,
				start, end);
	while ((ret = read_line(f, line, sizeof(line)))) {
		if (ret < 0 || !ptdump_parse(line, &r))
			continue;
		/* The walk goes up the address space: nothing more of ours. */
		if (r.start >= end)
			break;
		if (!r.present || r.end <= start)
			continue;
		if (!r.sz) {
			return vfio_err(-EPROTO, "ptdump: a present pgd/p4d-level leaf at %#" PRIx64 " is not understood",
					r.start);
		}
		vfio_fault_law_add(out, r.sz, overlap_entries(r.start, r.end, start, end, r.sz));
	}
	return 0;
}

/* Why there is no dump: debugfs missing, or the kernel has none. */
static int ptdump_absent(void)
{
	struct statfs s;

	if (statfs(VFIO_DEBUGFS, &s) || s.f_type != DEBUGFS_MAGIC)
		return vfio_err(-ENOENT, "debugfs is not mounted at %s (vfio_debugfs_mount())",
				VFIO_DEBUGFS);
	return vfio_err(-ENOENT, "no %s/current_user or current_kernel: kernel built without CONFIG_PTDUMP_DEBUGFS",
			VFIO_PTDUMP_DIR);
}

int vfio_ptdump_count(uint64_t start, uint64_t end, struct vfio_fault_law *out)
{
	/* Under PTI the user-mode copy is the one user space runs on. */
	const char *path = VFIO_PTDUMP_DIR "/current_user";
	FILE *f;
	int ret;

	memset(out, 0, sizeof(*out));
	if (access(path, F_OK))
		path = VFIO_PTDUMP_DIR "/current_kernel";
	if (access(path, F_OK))
		return ptdump_absent();
	f = fopen(path, "r");
	if (!f)
		return vfio_err(-errno, "cannot read %s: %s%s", path, strerror(errno),
				errno == EACCES ? " (needs root)" : "");
	ret = vfio_ptdump_count_file(f, start, end, out);
	fclose(f);
	return ret;
}

/*
 * A leaf line: "0x<IOVA PFN> |" then the entries walked, top level
 * first, PML5E and PML4E always (zero when the table has fewer levels).
 * Three entries: a PDPE leaf (1 GiB); four: a PDE (2 MiB); five: a PTE.
 * VT-d's own sizes, fixed by its specification (a 4 KiB granule, x86
 * only), not the CPU's levels.
 */
static int iommu_parse_leaf(const char *line, uint64_t *iova, uint64_t *sz)
{
	static const uint64_t sizes[] = { 0, 0, 0, SZ_1G, SZ_2M, SZ_4K };
	uint64_t pfn, v;
	const char *p;
	int n = 0;

	if (!parse_hex(line, 0, &pfn, &p))
		return -1;
	p += strspn(p, " \t");
	if (*p++ != '|')
		return -1;
	for (;;) {
		p += strspn(p, " \t\n");
		if (!*p)
			break;
		if (n == 5 || !parse_hex(p, 0, &v, &p))
			return -1;
		n++;
	}
	if (n < 3 || pfn > UINT64_MAX >> 12)
		return -1;
	*iova = pfn << 12;
	*sz = sizes[n];
	return 0;
}

/* Parser state across the lines of one dump. */
struct iommu_scan {
	const char *bdf;
	bool in_dev;		/* inside @bdf's section */
	bool found;		/* its header was seen */
	char why[96];		/* "DMA Remapping is not enabled on ..." */
};

/* Headers: 1 a header (state updated), 0 not one. */
static int iommu_header(struct iommu_scan *s, const char *line)
{
	size_t n = strlen(s->bdf);

	if (!strncmp(line, "DMA Remapping is not enabled", 28)) {
		snprintf(s->why, sizeof(s->why), "%.*s", (int)strcspn(line, "\n"),
			 line);
		return 1;
	}
	if (!strncmp(line, "IOVA_PFN", 8))
		return 1;
	if (strncmp(line, "Device ", 7))
		return 0;
	s->in_dev = !strncmp(line + 7, s->bdf, n) && line[7 + n] == ' ';
	s->found |= s->in_dev;
	return 1;
}

int vfio_iommu_pt_count_file(FILE *f, const char *bdf, uint64_t iova,
			     uint64_t size, struct vfio_fault_law *out)
{
	struct iommu_scan s = { .bdf = bdf };
	uint64_t end = iova + size, e, sz;
	char line[PT_LINE_MAX];
	int ret, lineno = 0;

	memset(out, 0, sizeof(*out));
	if (!size || end < iova)
		return vfio_err(-EINVAL, "IOMMU dump: bad range %#" PRIx64 "+%#" PRIx64,
				iova, size);
	while ((ret = read_line(f, line, sizeof(line)))) {
		lineno++;
		if (ret > 0 && iommu_header(&s, line))
			continue;
		if (s.found && !s.in_dev)
			break;		/* past the device's section */
		if (!s.in_dev)
			continue;
		if (ret < 0 || iommu_parse_leaf(line, &e, &sz)) {
			return vfio_err(-EPROTO, "IOMMU dump line %d: not \"0x<pfn> | <3 to 5 entries>\": %.*s",
					lineno, ret < 0 ? 10 : (int)strcspn(line, "\n"),
					ret < 0 ? "(too long)" : line);
		}
		if (e >= end)
			break;		/* the walk goes up the IOVA space */
		vfio_fault_law_add(out, sz, overlap_entries(e, e + sz, iova, end, sz));
	}
	if (!s.found)
		return vfio_err(-ENOENT, "IOMMU dump has no page table for %s: %s",
				bdf, s.why[0] ? s.why :
				"no translating domain (identity or blocked?)");
	return 0;
}

/* The per-device file, else (older kernels) the one for all devices. */
static const char *iommu_dump_path(const char *bdf, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s/domain_translation_struct",
		 VFIO_INTEL_IOMMU_DIR, bdf);
	if (!access(buf, F_OK))
		return buf;
	snprintf(buf, len, "%s/domain_translation_struct", VFIO_INTEL_IOMMU_DIR);
	return access(buf, F_OK) ? NULL : buf;
}

/*
 * Why there is no dump to read, naming the IOMMU @bdf is behind: only
 * VT-d's debugfs shows a domain's page tables; SMMUv3, AMD-Vi and
 * virtio-iommu have none.
 */
static int no_iommu_dump(const char *bdf)
{
	char path[128], unit[64], driver[64] = "no driver";

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu", bdf);
	if (vfio_sysfs_link(path, unit, sizeof(unit)))
		return vfio_err(-ENOENT, "%s is behind no IOMMU (no %s): no page tables to dump",
				bdf, path);
	if (!strncmp(unit, "dmar", 4))
		return vfio_err(-ENOENT, "no %s: %s is behind VT-d (%s), but the kernel was built without CONFIG_INTEL_IOMMU_DEBUGFS or debugfs is not mounted",
				VFIO_INTEL_IOMMU_DIR, bdf, unit);
	snprintf(path, sizeof(path), "/sys/class/iommu/%s/device/driver", unit);
	vfio_sysfs_link(path, driver, sizeof(driver));
	return vfio_err(-ENOENT, "%s is behind %s (%s), whose page tables no debugfs file shows: only VT-d's do (%s)",
			bdf, unit, driver, VFIO_INTEL_IOMMU_DIR);
}

int vfio_iommu_pt_count(const char *bdf, uint64_t iova, uint64_t size,
			struct vfio_fault_law *out)
{
	char buf[256];
	const char *path;
	FILE *f;
	int ret;

	memset(out, 0, sizeof(*out));
	if (access(VFIO_INTEL_IOMMU_DIR, F_OK))
		return no_iommu_dump(bdf);
	path = iommu_dump_path(bdf, buf, sizeof(buf));
	if (!path)
		return vfio_err(-ENOENT, "no domain_translation_struct for %s under %s",
				bdf, VFIO_INTEL_IOMMU_DIR);
	f = fopen(path, "r");
	if (!f)
		return vfio_err(-errno, "cannot read %s: %s", path, strerror(errno));
	ret = vfio_iommu_pt_count_file(f, bdf, iova, size, out);
	fclose(f);
	return ret;
}
