// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the library: no device, no root needed.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libvfio.h"
#include "kselftest_harness.h"
#include "libvfio/skip.h"

/* Bytes mapped in this process, and whether [va, va + len) is one PROT_NONE VMA. */
static uint64_t maps_total(uintptr_t va, size_t len, bool *covered)
{
	unsigned long start, end;
	char perms[8], line[512];
	uint64_t total = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	*covered = false;
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %7s", &start, &end, perms) != 3)
			continue;
		total += end - start;
		if (start <= va && end >= va + len && !strcmp(perms, "---p"))
			*covered = true;
	}
	fclose(f);
	return total;
}

/*
 * A size, alignment or offset in the units mmap works in: real base pages
 * and PMDs (4 KiB and 2 MiB on x86, 16 KiB and 32 MiB on arm64 with
 * 16 KiB pages), beside bytes no level knows of.
 */
struct span {
	long pages, pmds;
	size_t bytes;
};

static const struct span sizes[] = {
	{ 1, 0, 0 }, { 2, 0, 0 }, { -1, 1, 0 }, { 0, 1, 0 }, { 1, 1, 0 },
	{ 0, 1, SZ_1G }, { 0, 0, 0xc0000000 },
	{ 0, 0, 100 },	/* rounded up to a page */
};
static const struct span aligns[] = {
	{ 1, 0, 0 }, { 0, 0, 0x10000 }, { 0, 1, 0 }, { 0, 0, SZ_1G },
};
static const struct span offsets[] = {
	{ 0, 0, 0 }, { 1, 0, 0 }, { -1, 1, 0 }, { -1, 0, SZ_1G },
	{ 0x7654321, 0, 0 },
};

static size_t span_bytes(const struct span *s)
{
	return s->pages * getpagesize() + s->pmds * vfio_pmd_size() + s->bytes;
}

TEST(mmap_reserve_congruent_and_exact)
{
	const size_t na = ARRAY_SIZE(aligns), no = ARRAY_SIZE(offsets);
	size_t n, total = ARRAY_SIZE(sizes) * na * no;

	/* Every (size, align, offset) triple, one loop. */
	for (n = 0; n < total; n++) {
		size_t size = span_bytes(&sizes[n / (na * no)]);
		size_t align = span_bytes(&aligns[n / no % na]);
		size_t off = span_bytes(&offsets[n % no]);
		size_t len = align_up(size, getpagesize());
		uint64_t before, during, after;
		bool covered;
		void *p;

		before = maps_total(0, 0, &covered);
		p = mmap_reserve(size, align, off);
		ASSERT_NE(MAP_FAILED, p) TH_LOG("%s", vfio_error());
		during = maps_total((uintptr_t)p, len, &covered);
		EXPECT_EQ(off % align, (uintptr_t)p % align)
			TH_LOG("size %#zx align %#zx offset %#zx", size, align, off);
		/* Exactly the range stays: no head or tail left behind. */
		EXPECT_EQ(before + len, during)
			TH_LOG("size %#zx align %#zx offset %#zx", size, align, off);
		EXPECT_TRUE(covered);
		ASSERT_EQ(0, munmap(p, len));
		after = maps_total(0, 0, &covered);
		EXPECT_EQ(before, after);
	}
	ksft_print_msg("%zu size/align/offset combinations\n", n);
}

TEST(mmap_reserve_rejects_bad_arguments)
{
	const size_t page = getpagesize();

	EXPECT_EQ(MAP_FAILED, mmap_reserve(0, page, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap_reserve(page, 3 * page, 0));
	EXPECT_EQ(MAP_FAILED, mmap_reserve(page, page / 2, 0));
	EXPECT_EQ(MAP_FAILED, mmap_reserve(page, page, page / 2));
	EXPECT_EQ(MAP_FAILED, mmap_reserve(SIZE_MAX - page, SZ_1G, 0));
	EXPECT_EQ(ENOMEM, errno);
	/* Rounded up to a page, the size itself would wrap to nothing. */
	EXPECT_EQ(MAP_FAILED, mmap_reserve(SIZE_MAX, page, 0));
	EXPECT_EQ(ENOMEM, errno);
	/* Address space, not memory: 64 TiB is fine to ask for, once. */
	EXPECT_EQ(MAP_FAILED, mmap_reserve(1ULL << 62, page, 0));
}

/* A synthetic VFIO_DEVICE_GET_REGION_INFO answer with room for caps. */
struct fake_info {
	union {
		struct vfio_region_info info;
		uint8_t buf[1024];
	};
};

static struct vfio_info_cap_header *put_cap(struct fake_info *f, uint32_t off,
					    uint16_t id, uint32_t next)
{
	struct vfio_info_cap_header *h = (void *)(f->buf + off);

	h->id = id;
	h->version = 1;
	h->next = next;
	return h;
}

/* info | sparse-mmap cap with 2 areas at 0x20 | type cap at 0x58 */
static void fake_region(struct fake_info *f)
{
	struct vfio_region_info_cap_sparse_mmap *s;

	memset(f, 0, sizeof(*f));
	f->info.argsz = 0x58 + sizeof(struct vfio_region_info_cap_type);
	f->info.flags = VFIO_REGION_INFO_FLAG_CAPS | VFIO_REGION_INFO_FLAG_MMAP;
	f->info.cap_offset = 0x20;
	s = (void *)put_cap(f, 0x20, VFIO_REGION_INFO_CAP_SPARSE_MMAP, 0x58);
	s->nr_areas = 2;
	s->areas[0].offset = 0;
	s->areas[0].size = 0x1000;
	s->areas[1].offset = 0x3000;
	s->areas[1].size = 0x1000;
	put_cap(f, 0x58, VFIO_REGION_INFO_CAP_TYPE, 0);
}

#define FIND(f, len, id, cap) \
	vfio_cap_find(&(f), len, sizeof((f).info), (f).info.cap_offset, id, cap)

TEST(cap_chain_valid)
{
	struct vfio_range areas[VFIO_PLAN_MAX_AREAS];
	const struct vfio_info_cap_header *h;
	struct fake_info f;

	fake_region(&f);
	ASSERT_EQ(2, vfio_cap_validate(&f, f.info.argsz, sizeof(f.info), 0x20));
	ASSERT_EQ(0, FIND(f, f.info.argsz, VFIO_REGION_INFO_CAP_TYPE, &h));
	EXPECT_EQ((void *)(f.buf + 0x58), (void *)h);
	EXPECT_EQ(-ENOENT, FIND(f, f.info.argsz, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, &h));
	ASSERT_EQ(2, vfio_region_sparse_areas(&f.info, f.info.argsz, areas, 64));
	EXPECT_EQ(0x3000, areas[1].offset);
	EXPECT_EQ(0x1000, areas[1].size);
	EXPECT_EQ(-E2BIG, vfio_region_sparse_areas(&f.info, f.info.argsz, areas, 1));
	/* No capabilities at all is a valid, empty chain. */
	EXPECT_EQ(0, vfio_cap_validate(&f, f.info.argsz, sizeof(f.info), 0));
	f.info.flags &= ~VFIO_REGION_INFO_FLAG_CAPS;
	EXPECT_EQ(-ENOENT, vfio_region_sparse_areas(&f.info, f.info.argsz, areas, 64));
}

TEST(cap_chain_loops)
{
	const struct vfio_info_cap_header *h;
	struct fake_info f;

	fake_region(&f);
	put_cap(&f, 0x58, VFIO_REGION_INFO_CAP_TYPE, 0x58);	/* to itself */
	EXPECT_EQ(-ELOOP, FIND(f, f.info.argsz, 99, &h));
	put_cap(&f, 0x58, VFIO_REGION_INFO_CAP_TYPE, 0x20);	/* backwards */
	EXPECT_EQ(-ELOOP, FIND(f, f.info.argsz, 99, &h));
	EXPECT_NE(NULL, strstr(vfio_error(), "loops"));
}

TEST(cap_chain_out_of_bounds)
{
	const struct vfio_info_cap_header *h;
	struct fake_info f;

	fake_region(&f);
	f.info.cap_offset = 0x1000;				/* past the end */
	EXPECT_EQ(-EINVAL, FIND(f, f.info.argsz, 99, &h));
	f.info.cap_offset = f.info.argsz - 4;			/* straddles it */
	EXPECT_EQ(-EINVAL, FIND(f, f.info.argsz, 99, &h));
	f.info.cap_offset = 0x8;				/* inside info */
	EXPECT_EQ(-EINVAL, FIND(f, f.info.argsz, 99, &h));
	f.info.cap_offset = 0x22;				/* misaligned */
	EXPECT_EQ(-EINVAL, FIND(f, f.info.argsz, 99, &h));
	fake_region(&f);
	put_cap(&f, 0x20, VFIO_REGION_INFO_CAP_SPARSE_MMAP, 0xfffffff0);
	EXPECT_EQ(-EINVAL, FIND(f, f.info.argsz, 99, &h));
}

/*
 * Debian's 6.1 puts a capability at 0x44: 4-byte aligned, where its u64
 * fields cannot be read in place (UBSan says so).  The areas are copied.
 */
TEST(cap_four_byte_aligned)
{
	struct vfio_range areas[VFIO_PLAN_MAX_AREAS];
	struct vfio_region_sparse_mmap_area a = { 0x5000, 0x2000 };
	uint32_t nr = 1;
	struct fake_info f;

	memset(&f, 0, sizeof(f));
	f.info.argsz = 0x24 + 16 + sizeof(a);
	f.info.flags = VFIO_REGION_INFO_FLAG_CAPS;
	f.info.cap_offset = 0x24;
	put_cap(&f, 0x24, VFIO_REGION_INFO_CAP_SPARSE_MMAP, 0);
	memcpy(f.buf + 0x24 + 8, &nr, sizeof(nr));
	memcpy(f.buf + 0x24 + 16, &a, sizeof(a));
	ASSERT_EQ(1, vfio_region_sparse_areas(&f.info, f.info.argsz, areas, 64))
		TH_LOG("%s", vfio_error());
	EXPECT_EQ(0x5000, areas[0].offset);
	EXPECT_EQ(0x2000, areas[0].size);
}

TEST(cap_chain_truncated)
{
	struct vfio_range areas[VFIO_PLAN_MAX_AREAS];
	struct vfio_region_info_cap_sparse_mmap *w;
	const struct vfio_info_cap_header *h;
	struct fake_info f;

	fake_region(&f);
	/* The buffer ends before the type capability's header does. */
	EXPECT_EQ(-EINVAL, FIND(f, 0x5c, VFIO_REGION_INFO_CAP_TYPE, &h));
	/* More areas than fit before the next capability. */
	w = (void *)(f.buf + 0x20);
	w->nr_areas = 3;
	EXPECT_EQ(-EINVAL, vfio_region_sparse_areas(&f.info, f.info.argsz, areas, 64));
	w->nr_areas = 0x80000000;
	EXPECT_EQ(-EINVAL, vfio_region_sparse_areas(&f.info, f.info.argsz, areas, 64));
	/*
	 * Found by fuzz_caps: a sparse-mmap header at the very end, its
	 * nr_areas beyond the buffer, was read before being bounds-checked.
	 */
	put_cap(&f, 0x20, VFIO_REGION_INFO_CAP_SPARSE_MMAP, 0x0a000000);
	EXPECT_EQ(-EINVAL, vfio_region_sparse_areas(&f.info, 0x28, areas, 64));
	EXPECT_NE(NULL, strstr(vfio_error(), "truncated"));
}

TEST(cap_chain_too_long)
{
	const struct vfio_info_cap_header *h;
	struct fake_info f;
	uint32_t off;

	memset(&f, 0, sizeof(f));
	for (off = 0x20; off + 8 <= sizeof(f.buf); off += 8)
		put_cap(&f, off, 1000, off + 8 < sizeof(f.buf) ? off + 8 : 0);
	f.info.cap_offset = 0x20;
	EXPECT_EQ(-ELOOP, FIND(f, sizeof(f.buf), 99, &h));
}

TEST(bdf_parse)
{
	static const char * const good[][2] = {
		{ "0000:00:03.0", "0000:00:03.0" },
		{ "00:03.0", "0000:00:03.0" },
		{ "0001:AF:1F.7", "0001:af:1f.7" },
		{ "1:00:00.0", "0001:00:00.0" },
		/* Domains past 0xffff (VMD): Linux prints them with %04x. */
		{ "10000:00:02.0", "10000:00:02.0" },
		{ "1234ABCD:E1:1f.7", "1234abcd:e1:1f.7" },
		{ "ffffffff:ff:1f.7", "ffffffff:ff:1f.7" },
	};
	static const char * const bad[] = {
		"", "0000:00:03", "0000:00:20.0", "0000:00:03.8", "zz:00.0",
		"0000:000:03.0", "0000:00:03.0x", "0000:00:3.0",
		"0000-00-03.0", ":00:03.0", "0000::03.0", "0000:00:03.",
		"0000:00:03.0 ", "a:b:c:d.0",
		/* Past 4 digits only as %04x prints: no leading zero ... */
		"00000:00:03.0", "01000:00:02.0", "000010000:00:02.0",
		/* ... and at most 32 bits. */
		"100000000:00:02.0", "fffffffff:00:00.0",
		"10000:00:20.0", "10000:00:02.8", "1000g:00:02.0",
	};
	char out[VFIO_BDF_LEN];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		ASSERT_EQ(0, vfio_bdf_parse(good[i][0], out)) TH_LOG("%s", good[i][0]);
		EXPECT_STREQ(good[i][1], out);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, vfio_bdf_parse(bad[i], out)) TH_LOG("'%s'", bad[i]);
		EXPECT_NE(NULL, strstr(vfio_error(), "malformed BDF"));
	}
	EXPECT_EQ(-EINVAL, vfio_bdf_parse(NULL, out));
}

TEST(bdfs_from_argv_and_env)
{
	char a0[] = "test", a1[] = "-v", a2[] = "00:03.0", a3[] = "0000:00:04.1";
	char bdfs[VFIO_MAX_BDFS][VFIO_BDF_LEN];
	char *argv[5] = { a0, a1, a2, a3 };
	int argc = 4;

	ASSERT_EQ(2, vfio_selftests_get_bdfs(&argc, argv, bdfs, VFIO_MAX_BDFS));
	EXPECT_EQ(2, argc);
	EXPECT_EQ(NULL, argv[2]);
	EXPECT_STREQ("0000:00:03.0", bdfs[0]);
	EXPECT_STREQ("0000:00:04.1", bdfs[1]);

	setenv("VFIO_SELFTESTS_BDF", "0000:00:05.0 00:06.0", 1);
	ASSERT_EQ(2, vfio_selftests_get_bdfs(&argc, argv, bdfs, VFIO_MAX_BDFS));
	EXPECT_STREQ("0000:00:06.0", bdfs[1]);

	/* The longest name Linux gives a PCI device fits, NUL and all. */
	setenv("VFIO_SELFTESTS_BDF", "10000:00:02.0 FFFFFFFF:ff:1f.7", 1);
	ASSERT_EQ(2, vfio_selftests_get_bdfs(&argc, argv, bdfs, VFIO_MAX_BDFS));
	EXPECT_STREQ("10000:00:02.0", bdfs[0]);
	EXPECT_STREQ("ffffffff:ff:1f.7", bdfs[1]);
	unsetenv("VFIO_SELFTESTS_BDF");
}

/* Run get_bdfs in a child: it exits rather than return on bad input. */
static int get_bdfs_exit(const char *env, char *arg)
{
	char a0[] = "test";
	char *argv[3] = { a0, arg };
	char bdfs[VFIO_MAX_BDFS][VFIO_BDF_LEN];
	int argc = arg ? 2 : 1, status;
	pid_t pid = fork();

	if (!pid) {
		if (env)
			setenv("VFIO_SELFTESTS_BDF", env, 1);
		else
			unsetenv("VFIO_SELFTESTS_BDF");
		/* Keep the child's one-line message out of the TAP stream. */
		freopen("/dev/null", "w", stdout);
		freopen("/dev/null", "w", stderr);
		vfio_selftests_get_bdfs(&argc, argv, bdfs, VFIO_MAX_BDFS);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(bdfs_missing_or_malformed)
{
	char bad[] = "0000:zz:00.0";

	EXPECT_EQ(KSFT_SKIP, get_bdfs_exit(NULL, NULL));
	EXPECT_EQ(KSFT_SKIP, get_bdfs_exit("  ", NULL));
	EXPECT_EQ(KSFT_FAIL, get_bdfs_exit(NULL, bad));
	EXPECT_EQ(KSFT_FAIL, get_bdfs_exit("0000:00:03.0 nonsense:1", NULL));
}

TEST(iova_pick)
{
	/* What emulated VT-d reports: a hole for the interrupt window. */
	struct vfio_iommu_info info = {
		.nr_ranges = 2,
		.ranges = { { 0, 0xfedfffff }, { 0xfef00000, (1ULL << 39) - 1 } },
	};
	uint64_t iova;

	ASSERT_EQ(0, __vfio_iova_pick(&info, SZ_2M, SZ_2M, &iova));
	EXPECT_EQ(SZ_2M, iova);		/* never IOVA 0 */
	ASSERT_EQ(0, __vfio_iova_pick(&info, 4 * SZ_1G, SZ_1G, &iova));
	EXPECT_EQ(SZ_1G * 4, iova);	/* past the hole at 4 GiB - 18 MiB */
	EXPECT_EQ(-ENOSPC, __vfio_iova_pick(&info, 1ULL << 39, SZ_1G, &iova));
	info.ranges[1].end = UINT64_MAX;
	EXPECT_EQ(0, __vfio_iova_pick(&info, 1ULL << 62, 1ULL << 62, &iova));
	EXPECT_EQ(1ULL << 62, iova);
	info.nr_ranges = 0;
	ASSERT_EQ(0, __vfio_iova_pick(&info, SZ_2M, SZ_2M, &iova));
	EXPECT_EQ(SZ_2M, iova);
}

TEST(leak_check)
{
	struct vfio_leak_snapshot before;
	void *p;
	int fd;

	ASSERT_EQ(0, __vfio_leak_snapshot(&before));
	EXPECT_EQ(0, __vfio_leak_check(&before));
	p = mmap(NULL, SZ_4K, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-EBUSY, __vfio_leak_check(&before));
	EXPECT_NE(NULL, strstr(vfio_error(), "mappings left"));
	munmap(p, SZ_4K);
	fd = dup(1);
	EXPECT_EQ(-EBUSY, __vfio_leak_check(&before));
	EXPECT_NE(NULL, strstr(vfio_error(), "file descriptor"));
	close(fd);
	EXPECT_EQ(0, __vfio_leak_check(&before)) TH_LOG("%s", vfio_error());
}

/*
 * The levels of the running kernel: the page from sysconf, the PMD as
 * THP reports it where it does, the PUD one table above; a test's own
 * levels, and back.
 */
TEST(page_levels)
{
	uint64_t page = sysconf(_SC_PAGESIZE), pmd = vfio_pmd_size();
	unsigned long long thp;
	FILE *f;

	EXPECT_EQ(page, vfio_page_size());
	f = fopen(VFIO_THP_DIR "/hpage_pmd_size", "r");
	if (f) {
		ASSERT_EQ(1, fscanf(f, "%llu", &thp));
		EXPECT_EQ(thp, pmd);
		fclose(f);
	} else {
		EXPECT_EQ(page * (page / 8), pmd);
	}
	EXPECT_EQ(pmd * (page / 8), vfio_pud_size());
	EXPECT_EQ(VFIO_LEVEL_PMD, vfio_level_of(pmd));
	EXPECT_EQ(VFIO_LEVEL_NR, vfio_level_of(3 * page));
	EXPECT_STREQ("unknown", vfio_level_name(3 * page));
	vfio_page_levels_set(0x4000, 32ULL << 20, 64ULL << 30);
	EXPECT_EQ(0x4000, vfio_page_size());
	EXPECT_STREQ("PMD (32 MiB)", vfio_level_name(32ULL << 20));
	vfio_page_levels_set(0, 0, 0);
	EXPECT_EQ(page, vfio_page_size());
	EXPECT_EQ(pmd, vfio_pmd_size());
	vfio_page_levels_set(SZ_4K, SZ_2M, SZ_1G);
	EXPECT_STREQ("4 KiB", vfio_level_name(SZ_4K));
	EXPECT_STREQ("PMD (2 MiB)", vfio_level_name(SZ_2M));
	EXPECT_STREQ("PUD (1 GiB)", vfio_level_name(SZ_1G));
}

TEST(pow2_helpers)
{
	/* x86 numbers: its levels, whatever the host's. */
	vfio_page_levels_set(SZ_4K, SZ_2M, SZ_1G);
	EXPECT_EQ(1, pow2_ceil(1));
	EXPECT_EQ(0x1000, pow2_ceil(0x1000));
	EXPECT_EQ(0x2000, pow2_ceil(0x1001));
	EXPECT_EQ(0x80000000ULL, pow2_ceil(0x7f000001ULL));
	EXPECT_EQ(1ULL << 63, pow2_ceil((1ULL << 62) + 1));
	EXPECT_EQ(1ULL << 63, pow2_ceil(1ULL << 63));
	/*
	 * None in 64 bits: 0, never the 1 that shifting by 64 gave on x86.
	 * From strtoull(), since folded at compile time the shift gave 0.
	 */
	EXPECT_EQ(0, pow2_ceil(strtoull("8000000000000001", NULL, 16)));
	EXPECT_EQ(0, pow2_ceil(strtoull("ffffffffffffffff", NULL, 16)));
	EXPECT_TRUE(is_pow2(SZ_1G));
	EXPECT_FALSE(is_pow2(0x2F00F00000ULL));
	EXPECT_EQ(SZ_1G, vfio_pci_bar_align(0x80000000ULL));
	EXPECT_EQ(0x1000, vfio_pci_bar_align(0x100));
	EXPECT_EQ(0x4000, vfio_pci_bar_align(0x4000));
	/* Sizes with no power of two above them clamp, as large ones do. */
	EXPECT_EQ(SZ_1G, vfio_pci_bar_align((1ULL << 63) + 1));
	EXPECT_EQ(SZ_1G, vfio_pci_bar_align(UINT64_MAX));
}

/*
 * One line per value of a second axis gives a variant for every IOMMU
 * mode the library knows, each with its own mode and the value's fields.
 */
FIXTURE(mode_axis) {};
FIXTURE_VARIANT(mode_axis) {
	const char *iommu_mode;
	uint64_t size;
};
FIXTURE_VARIANT_ADD_IOMMU_MODES(mode_axis, small, .size = SZ_4K);
FIXTURE_VARIANT_ADD_IOMMU_MODES(mode_axis, large, .size = SZ_2M);
FIXTURE_SETUP(mode_axis) {}
FIXTURE_TEARDOWN(mode_axis) {}

/* Named mode_value: vfio_type1_iommu_small ... iommufd_large. */
TEST_F(mode_axis, variant_has_mode_and_value)
{
	ASSERT_NE(NULL, vfio_iommu_mode_get(variant->iommu_mode))
		TH_LOG("%s", vfio_error());
	EXPECT_TRUE(variant->size == SZ_4K || variant->size == SZ_2M);
}

/* A check fails, then a path that cannot go on wants to skip. */
static void fail_then_skip(struct __test_metadata *_metadata, bool fail,
			   bool plain)
{
	if (fail)
		EXPECT_EQ(1, 2);
	if (plain)
		SKIP(return, "the harness's own SKIP");
	VFIO_SKIP(return, "VFIO_SKIP");
}

/*
 * The exit code @m ends with when @fn runs on it in a child, silenced
 * (the deliberate failures' logs are not this test's).
 */
static int run_case(struct __test_metadata *m,
		    void (*fn)(struct __test_metadata *, const void *),
		    const void *arg)
{
	int status, devnull;
	pid_t pid = fork();

	if (!pid) {
		devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, STDERR_FILENO);
		dup2(devnull, STDOUT_FILENO);
		fn(m, arg);
		_exit(m->exit_code);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

struct skip_case {
	bool fail, plain;
};

static void skip_case(struct __test_metadata *m, const void *arg)
{
	const struct skip_case *c = arg;

	fail_then_skip(m, c->fail, c->plain);
}

/* The exit code a test ends with, run on its own metadata in a child. */
static int run_skip_case(bool fail, bool plain)
{
	struct __test_results results = { 0 };
	struct __test_metadata m = { .name = "fail_then_skip", .results = &results };
	struct skip_case c = { fail, plain };

	return run_case(&m, skip_case, &c);
}

/*
 * A failed EXPECT followed by a SKIP path reports FAIL: the harness's
 * SKIP() would turn it into a skip (shown first, as the reason the macro
 * exists), VFIO_SKIP() does not, and still skips a test that is clean.
 */
TEST(skip_never_hides_a_failure)
{
	EXPECT_EQ(KSFT_SKIP, run_skip_case(true, true));
	EXPECT_EQ(KSFT_FAIL, run_skip_case(true, false));
	EXPECT_EQ(KSFT_SKIP, run_skip_case(false, false));
}

TEST(known_issue_parse)
{
	struct vfio_known_issue ki;

	ASSERT_EQ(1, vfio_known_issue_parse(" newest | f.t | why, and more | the fix\n", &ki))
		TH_LOG("%s", vfio_error());
	EXPECT_STREQ("newest", ki.lane);
	EXPECT_STREQ("f.t", ki.test);
	EXPECT_STREQ("why, and more", ki.reason);
	EXPECT_STREQ("the fix", ki.fix);
	EXPECT_EQ(0, vfio_known_issue_parse("# newest | f.t | why | fix\n", &ki));
	EXPECT_EQ(0, vfio_known_issue_parse("\t", &ki));
	EXPECT_EQ(0, vfio_known_issue_parse("", &ki));
	EXPECT_EQ(-EINVAL, vfio_known_issue_parse("newest | f.t | why\n", &ki));
	EXPECT_EQ(-EINVAL, vfio_known_issue_parse("newest | f.t | why | fix | more\n", &ki));
	EXPECT_EQ(-EINVAL, vfio_known_issue_parse("newest |  | why | fix\n", &ki));
	EXPECT_EQ(-EINVAL, vfio_known_issue_parse("newest f.t why fix\n", &ki));
}

/* A known-issues file of @text in a temporary file; its path in @path. */
static void write_issues(struct __test_metadata *_metadata, char *path,
			 const char *text)
{
	int fd = mkstemp(path);
	FILE *f;

	ASSERT_LE(0, fd);
	f = fdopen(fd, "w");
	ASSERT_NE(NULL, f);
	fputs(text, f);
	fclose(f);
}

TEST(known_issue_find)
{
	char path[] = "/tmp/known-issues.XXXXXX";
	struct vfio_known_issue ki;

	write_issues(_metadata, path,
		     "# comment\n\nnewest | a.b | r1 | f1\niommufd | a.b | r2 | f2\n");
	EXPECT_EQ(1, vfio_known_issue_find(path, "iommufd", "a.b", &ki));
	EXPECT_STREQ("r2", ki.reason);
	EXPECT_EQ(0, vfio_known_issue_find(path, "stable", "a.b", &ki));
	EXPECT_EQ(0, vfio_known_issue_find(path, "newest", "a.c", &ki));
	unlink(path);
	snprintf(path, sizeof(path), "/tmp/known-issues.XXXXXX");
	write_issues(_metadata, path, "newest | a.b | r1 | f1\nbroken line\n");
	EXPECT_EQ(-EINVAL, vfio_known_issue_find(path, "stable", "a.b", &ki));
	EXPECT_NE(NULL, strstr(vfio_error(), ":2: ")) TH_LOG("%s", vfio_error());
	unlink(path);
	EXPECT_EQ(-ENOENT, vfio_known_issue_find(path, "newest", "a.b", &ki));
}

struct known_case {
	const char *issues, *lane;
	bool fail;
};

/* A test of fixture "bar_align" that ends in VFIO_KNOWN_ISSUE(). */
static void known_case(struct __test_metadata *_metadata, const void *arg)
{
	const struct known_case *c = arg;

	setenv("VFIO_BENCH_KNOWN_ISSUES", c->issues, 1);
	if (c->lane)
		setenv("VFIO_BENCH_LANE", c->lane, 1);
	else
		unsetenv("VFIO_BENCH_LANE");
	if (c->fail)
		EXPECT_EQ(1, 2);
	VFIO_KNOWN_ISSUE();
}

/* The exit code known_case() ends with, in lane @lane, in a child. */
static int run_known_case(const char *issues, const char *lane, bool fail)
{
	struct __fixture_metadata fx = { .name = "bar_align" };
	struct __test_results results = { 0 };
	struct __test_metadata m = { .name = "kernel_mmap_alignment",
				     .fixture = &fx, .results = &results };
	struct known_case c = { issues, lane, fail };

	return run_case(&m, known_case, &c);
}

/*
 * Only the lane's own entry marks a test: a failure there is XFAIL, a
 * pass XPASS; without a lane, or in another one, nothing changes.
 */
TEST(known_issue_marks_only_its_lane)
{
	char path[] = "/tmp/known-issues.XXXXXX";

	write_issues(_metadata, path,
		     "newest | bar_align.kernel_mmap_alignment | r | f\n");
	EXPECT_EQ(KSFT_XFAIL, run_known_case(path, "newest", true));
	EXPECT_EQ(KSFT_XPASS, run_known_case(path, "newest", false));
	EXPECT_EQ(KSFT_FAIL, run_known_case(path, "stable", true));
	EXPECT_EQ(KSFT_PASS, run_known_case(path, "stable", false));
	EXPECT_EQ(KSFT_FAIL, run_known_case(path, NULL, true));
	unlink(path);
	/* A lane whose file is gone: a failure, not a silent pass. */
	EXPECT_EQ(KSFT_FAIL, run_known_case(path, "newest", false));
}

/* Write @text to @dir/@name, making the directories on the way. */
static int put_file(const char *dir, const char *name, const char *text)
{
	char path[512], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	for (slash = strchr(path + strlen(dir) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f);
}

/*
 * A THP sysfs tree of an mTHP kernel: per-size modes (inherit resolved),
 * a size dir without "enabled" (not anonymous), per-size counters.
 */
TEST(thp_sizes_and_fallbacks)
{
	char dir[] = "/tmp/thp-sysfs.XXXXXX", vmstat[600], mode[16], sizes[64];
	char cmd[64];

	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, put_file(dir, "enabled", "always [madvise] never\n"));
	ASSERT_EQ(0, put_file(dir, "hugepages-2048kB/enabled", "always [inherit] madvise never\n"));
	ASSERT_EQ(0, put_file(dir, "hugepages-2048kB/stats/anon_fault_fallback", "7\n"));
	ASSERT_EQ(0, put_file(dir, "hugepages-2048kB/stats/shmem_fallback", "3\n"));
	ASSERT_EQ(0, put_file(dir, "hugepages-64kB/enabled", "[always] inherit madvise never\n"));
	ASSERT_EQ(0, put_file(dir, "hugepages-16kB/enabled", "always inherit madvise [never]\n"));
	ASSERT_EQ(0, put_file(dir, "hugepages-8kB/shmem_enabled", "always inherit [never]\n"));
	ASSERT_EQ(0, put_file(dir, "vmstat", "thp_fault_fallback 11\nthp_file_fallback 5\n"));
	snprintf(vmstat, sizeof(vmstat), "%s/vmstat", dir);

	ASSERT_EQ(0, vfio_thp_size_mode(dir, SZ_2M, mode, sizeof(mode))) TH_LOG("%s", vfio_error());
	EXPECT_STREQ("madvise", mode);
	ASSERT_EQ(0, vfio_thp_size_mode(dir, 64 << 10, mode, sizeof(mode)));
	EXPECT_STREQ("always", mode);
	EXPECT_EQ(1, vfio_thp_sizes_below(dir, SZ_2M, sizes, sizeof(sizes)));
	EXPECT_STREQ("64kB", sizes);
	EXPECT_EQ(7, vfio_thp_fallbacks(dir, vmstat, SZ_2M, false));
	EXPECT_EQ(3, vfio_thp_fallbacks(dir, vmstat, SZ_2M, true));
	EXPECT_EQ(-ENOENT, vfio_thp_fallbacks(dir, vmstat, 64 << 10, false));

	/* A kernel before mTHP: the top-level mode, /proc/vmstat's counters. */
	snprintf(cmd, sizeof(cmd), "rm -r %s/hugepages-*", dir);
	ASSERT_EQ(0, system(cmd));
	ASSERT_EQ(0, vfio_thp_size_mode(dir, SZ_2M, mode, sizeof(mode)));
	EXPECT_STREQ("madvise", mode);
	EXPECT_EQ(0, vfio_thp_sizes_below(dir, SZ_2M, sizes, sizeof(sizes)));
	EXPECT_EQ(11, vfio_thp_fallbacks(dir, vmstat, SZ_2M, false));
	EXPECT_EQ(5, vfio_thp_fallbacks(dir, vmstat, SZ_2M, true));

	/* Room: half of MemAvailable; a file without it cannot tell. */
	ASSERT_EQ(0, put_file(dir, "meminfo", "MemTotal:        4194304 kB\nMemAvailable:    1048576 kB\n"));
	snprintf(vmstat, sizeof(vmstat), "%s/meminfo", dir);
	EXPECT_EQ(0, vfio_thp_room(vmstat, 4 * SZ_2M));
	EXPECT_EQ(0, vfio_thp_room(vmstat, 512ULL << 20));
	EXPECT_EQ(-ENOMEM, vfio_thp_room(vmstat, 4 * (512ULL << 20)));
	EXPECT_NE(NULL, strstr(vfio_error(), "2048 MiB of huge pages is more than half of the 1024 MiB available"))
		TH_LOG("%s", vfio_error());
	snprintf(vmstat, sizeof(vmstat), "%s/vmstat", dir);
	EXPECT_EQ(0, vfio_thp_room(vmstat, 1ULL << 50));
	snprintf(cmd, sizeof(cmd), "rm -r %s", dir);
	EXPECT_EQ(0, system(cmd));
}

/*
 * GUP's faults on an untouched anonymous page count in ru_minflt on
 * every kernel the suite knows; whatever the answer for hugetlb, it is
 * measured (0 or 1) or said why not (no page free), never made up.
 */
TEST(gup_faults_measured)
{
	int ret = vfio_gup_faults_counted(VFIO_BACKING_ANON_4K);

	ASSERT_LE(0, ret) TH_LOG("%s", vfio_error());
	EXPECT_GE(1, ret);
	EXPECT_EQ(ret, vfio_gup_faults_counted(VFIO_BACKING_ANON_4K));
	ret = vfio_gup_faults_counted(VFIO_BACKING_HUGETLB_2M);
	if (ret < 0) {
		EXPECT_NE(NULL, strstr(vfio_error(), "hugetlb2m"))
			TH_LOG("%s", vfio_error());
	} else {
		EXPECT_GE(1, ret);
	}
	EXPECT_EQ(-EINVAL, vfio_gup_faults_counted(VFIO_BACKING_NR));
}

/* The IOMMU fault reports each family logs, matched by the IOVA. */
TEST(fault_log_lines)
{
	static const struct {
		const char *msg;
		uint64_t iova;
		int want;
	} cases[] = {
		{ "DMAR: [DMA Write NO_PASID] Request device [0000:00:10.0] fault addr 0x40000000 [fault reason 0x05] PTE Write access is not set",
		  0x40000123, 1 },
		{ "virtio_iommu virtio0: page fault from EP 128 at 0x202000 []", 0x202000, 1 },
		{ "arm-smmu-v3 9050000.smmuv3: event: F_TRANSLATION client: 0000:00:10.0 sid: 0x80 ssid: 0x0 iova: 0x204000 ipa: 0x0",
		  0x204000, 1 },
		{ "AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x0001 address=0x7000 flags=0x0020]",
		  0x7000, 1 },
		/* Another address that begins with this one's digits. */
		{ "virtio_iommu virtio0: page fault from EP 128 at 0x2020000 []", 0x202000, 0 },
		/* The address, but no fault. */
		{ "vfio-pci 0000:00:10.0: mapped 0x202000", 0x202000, 0 },
		{ "arm-smmu-v3 9050000.smmuv3:\t0x0000000000204000", 0x204000, 0 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		EXPECT_EQ(cases[i].want, vfio_fault_log_matches(cases[i].msg, cases[i].iova))
			TH_LOG("case %zu, IOVA %#llx", i,
			       (unsigned long long)cases[i].iova);
}

TEST_HARNESS_MAIN
