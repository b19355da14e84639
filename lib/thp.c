// SPDX-License-Identifier: GPL-2.0
/*
 * The THP sysfs mode.  See libvfio/thp.h.
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libvfio/assert.h"
#include "libvfio/thp.h"

int vfio_thp_parse_mode(const char *line, char *out, size_t len)
{
	const char *open = strchr(line, '['), *close = NULL;

	if (open)
		close = strchr(open, ']');
	if (!close)
		return vfio_err(-EINVAL, "no [mode] in \"%.*s\"",
				(int)strcspn(line, "\n"), line);
	snprintf(out, len, "%.*s", (int)(close - open - 1), open + 1);
	return 0;
}

/* The first line of @path into @buf; -errno with the reason. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f)
		return vfio_err(-errno, "cannot read %s: %s", path, strerror(errno));
	if (!fgets(buf, len, f))
		buf[0] = '\0';
	fclose(f);
	return 0;
}

/* @path's mode word into @out, or -errno naming the file. */
static int read_mode(const char *path, char *out, size_t len)
{
	char buf[128];
	int ret = read_line(path, buf, sizeof(buf));

	if (!ret && vfio_thp_parse_mode(buf, out, len))
		return vfio_err(-EINVAL, "%s: no [mode] in \"%.*s\"", path,
				(int)strcspn(buf, "\n"), buf);
	return ret;
}

/* The word in brackets: "always [madvise] never" is madvise. */
int __vfio_thp_mode(char *out, size_t len)
{
	int ret = read_mode(VFIO_THP_ENABLED, out, len);

	if (ret)
		snprintf(out, len, "absent");
	return ret;
}

int vfio_thp_size_mode(const char *dir, uint64_t size, char *out, size_t len)
{
	char path[256];
	int ret;

	snprintf(path, sizeof(path), "%s/hugepages-%llukB/enabled", dir,
		 (unsigned long long)(size >> 10));
	ret = access(path, F_OK) ? -ENOENT : read_mode(path, out, len);
	if (ret == -ENOENT || (!ret && !strcmp(out, "inherit"))) {
		snprintf(path, sizeof(path), "%s/enabled", dir);
		ret = read_mode(path, out, len);
	}
	return ret;
}

int vfio_thp_sizes_below(const char *dir, uint64_t size, char *out,
			 size_t len)
{
	char pattern[256], mode[16];
	unsigned long long kb;
	size_t i, used = 0;
	glob_t g;
	int n = 0;

	out[0] = '\0';
	snprintf(pattern, sizeof(pattern), "%s/hugepages-*kB", dir);
	if (glob(pattern, 0, NULL, &g))
		return 0;
	for (i = 0; i < g.gl_pathc; i++) {
		/* A size without "enabled" is not one anonymous memory gets. */
		snprintf(pattern, sizeof(pattern), "%s/enabled", g.gl_pathv[i]);
		if (sscanf(strrchr(g.gl_pathv[i], '/'), "/hugepages-%llukB", &kb) != 1 ||
		    kb << 10 >= size || access(pattern, F_OK) ||
		    vfio_thp_size_mode(dir, kb << 10, mode, sizeof(mode)) ||
		    !strcmp(mode, "never"))
			continue;
		n++;
		used += snprintf(out + used, used < len ? len - used : 0,
				 "%s%llukB", used ? " " : "", kb);
	}
	globfree(&g);
	return n;
}

/* The value of @name in @vmstat ("name value" lines), or -errno. */
static long long vmstat_value(const char *vmstat, const char *name)
{
	char key[64];
	long long v;
	FILE *f = fopen(vmstat, "r");

	if (!f)
		return vfio_err(-errno, "cannot read %s: %s", vmstat, strerror(errno));
	while (fscanf(f, "%63s %lld", key, &v) == 2) {
		if (!strcmp(key, name)) {
			fclose(f);
			return v;
		}
	}
	fclose(f);
	return vfio_err(-ENOENT, "%s has no %s", vmstat, name);
}

long long vfio_thp_fallbacks(const char *dir, const char *vmstat,
			     uint64_t size, bool shmem)
{
	char path[256], buf[32], *end;
	long long v;

	snprintf(path, sizeof(path), "%s/hugepages-%llukB/stats/%s", dir,
		 (unsigned long long)(size >> 10),
		 shmem ? "shmem_fallback" : "anon_fault_fallback");
	if (!access(path, F_OK)) {
		if (read_line(path, buf, sizeof(buf)))
			return -errno;
		errno = 0;
		v = strtoll(buf, &end, 10);
		if (errno || end == buf || v < 0)
			return vfio_err(-EINVAL, "%s: not a count: \"%.*s\"", path,
					(int)strcspn(buf, "\n"), buf);
		return v;
	}
	/* Before per-size counters: /proc/vmstat's, of PMD size only. */
	if (size != 2ULL << 20)
		return vfio_err(-ENOENT, "no %s, and /proc/vmstat counts only 2 MiB fallbacks",
				path);
	return vmstat_value(vmstat, shmem ? "thp_file_fallback" :
					    "thp_fault_fallback");
}

int vfio_thp_room(const char *meminfo, uint64_t len)
{
	unsigned long long kb;
	char line[128];
	FILE *f = fopen(meminfo, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "MemAvailable: %llu kB", &kb) != 1)
			continue;
		fclose(f);
		/* Half: the rest is the harness's, the page cache's, a guest's. */
		if (len <= (kb << 10) / 2)
			return 0;
		return vfio_err(-ENOMEM, "%llu MiB of huge pages is more than half of the %llu MiB available (MemAvailable in %s)",
				(unsigned long long)(len >> 20), kb >> 10,
				meminfo);
	}
	fclose(f);
	return 0;
}

void vfio_thp_mode(char *out, size_t len)
{
	VFIO_ASSERT_OK(__vfio_thp_mode(out, len));
}

/*
 * A kernel built without CONFIG_TRANSPARENT_HUGEPAGE refuses both
 * advices with EINVAL; any other kernel takes MADV_HUGEPAGE on a fresh
 * private anonymous mapping, so EINVAL there can mean nothing else.
 */
static int thp_advice_probe(void)
{
	size_t len = 2 * (size_t)getpagesize();
	void *va = mmap(NULL, len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int ret = 0;

	if (va == MAP_FAILED)
		return -errno;
	if (madvise(va, len, MADV_HUGEPAGE))
		ret = -errno;
	munmap(va, len);
	return ret;
}

bool vfio_thp_advice_known(void)
{
	static int known = -1;

	if (known < 0)
		known = thp_advice_probe() != -EINVAL;
	return known;
}

int vfio_thp_advise(void *va, size_t len, int advice)
{
	if (!advice || !vfio_thp_advice_known())
		return 0;
	if (madvise(va, len, advice))
		return vfio_err(-errno, "madvise(%s) of %#zx bytes at %p: %s",
				advice == MADV_HUGEPAGE ? "MADV_HUGEPAGE" :
				advice == MADV_NOHUGEPAGE ? "MADV_NOHUGEPAGE" :
				"?", len, va, strerror(errno));
	return 0;
}
