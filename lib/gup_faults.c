// SPDX-License-Identifier: GPL-2.0
/*
 * Whether GUP faults count in ru_minflt, per backing (gup_faults.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "libvfio/assert.h"
#include "libvfio/gup_faults.h"

static long long minflt(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_THREAD, &ru) ? -1 : ru.ru_minflt;
}

/* Read a byte of @va through /proc/self/mem: GUP faults its page in. */
static int gup_read(const void *va)
{
	int fd = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
	char c;
	int ret = 0;

	if (fd < 0)
		return vfio_err(-errno, "/proc/self/mem: %s", strerror(errno));
	if (pread(fd, &c, 1, (off_t)(uintptr_t)va) != 1)
		ret = vfio_err(-errno, "reading /proc/self/mem: %s",
			       strerror(errno));
	close(fd);
	return ret;
}

static int measure(enum vfio_backing b)
{
	struct vfio_buffer buf;
	long long before, after;
	int ret;

	ret = __vfio_buffer_alloc(&buf, b, vfio_backing_page_size(b));
	if (ret)
		return ret;
	before = minflt();
	ret = gup_read(buf.va);
	after = minflt();
	vfio_buffer_free(&buf);
	if (ret)
		return ret;
	if (before < 0 || after < 0)
		return vfio_err(-errno, "getrusage: %s", strerror(errno));
	return after > before;
}

int vfio_gup_faults_counted(enum vfio_backing b)
{
	static int known[VFIO_BACKING_NR];	/* 0: not yet; else 1 + answer */
	int ret;

	if (b >= VFIO_BACKING_NR)
		return vfio_err(-EINVAL, "invalid backing %d", b);
	if (known[b])
		return known[b] - 1;
	ret = measure(b);
	if (ret >= 0)
		known[b] = ret + 1;
	return ret;
}
