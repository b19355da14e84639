// SPDX-License-Identifier: GPL-2.0
/*
 * The IOMMU faults the kernel logs, read from /dev/kmsg.
 *
 * Every IOMMU family words its report its own way, and all of them name
 * the address in hex with "fault" somewhere in the line; Intel's DMAR
 * reports the page, the others the address.  The reports are rate
 * limited: DMAR's handler spends three of its ten lines per five seconds
 * on one fault, so the third fault in a row may go unreported, while its
 * interrupt is still counted.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "libvfio/assert.h"
#include "libvfio/iommu_fault_log.h"

int vfio_fault_log_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return vfio_err(-errno, "/dev/kmsg: %s%s", strerror(errno),
				errno == EPERM || errno == EACCES ?
				" (the kernel log needs CAP_SYSLOG: run as root)" : "");
	if (lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		return vfio_err(-errno, "/dev/kmsg: seek to the end: %s",
				strerror(errno));
	}
	return fd;
}

/* @hex ("0x1000") stands in @msg as a whole word, not a prefix of one. */
static int has_word(const char *msg, const char *hex)
{
	size_t n = strlen(hex);
	const char *p;

	for (p = strcasestr(msg, hex); p; p = strcasestr(p + 1, hex))
		if (!isxdigit((unsigned char)p[n]))
			return 1;
	return 0;
}

int vfio_fault_log_matches(const char *msg, uint64_t iova)
{
	char hex[2][24];

	/* SMMUv3 words a fault as an event: "event: F_TRANSLATION ... iova:". */
	if (!strcasestr(msg, "fault") && !strstr(msg, "event: F_"))
		return 0;
	snprintf(hex[0], sizeof(hex[0]), "0x%llx", (unsigned long long)iova);
	snprintf(hex[1], sizeof(hex[1]), "0x%llx",
		 (unsigned long long)(iova & ~0xfffULL));
	return has_word(msg, hex[0]) || has_word(msg, hex[1]);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The next record's message (after "prio,seq,ts,flags;"), 0; -EAGAIN at
 * the end of the log.  Records the ring overwrote (EPIPE) are skipped.
 */
static int next_record(int fd, char *buf, size_t len, const char **msg)
{
	ssize_t n;

	do
		n = read(fd, buf, len - 1);
	while (n < 0 && errno == EPIPE);
	if (n < 0 && errno == EAGAIN)
		return -EAGAIN;
	if (n < 0)
		return vfio_err(-errno, "/dev/kmsg: %s", strerror(errno));
	buf[n] = '\0';
	*msg = strchr(buf, ';');
	*msg = *msg ? *msg + 1 : buf;
	return 0;
}

int vfio_fault_log_find(int fd, uint64_t iova, int timeout_ms, char *line,
			size_t len)
{
	long end = now_ms() + timeout_ms;
	const char *msg = "";
	char buf[1024];
	int ret;

	for (;;) {
		ret = next_record(fd, buf, sizeof(buf), &msg);
		if (!ret && vfio_fault_log_matches(msg, iova)) {
			snprintf(line, len, "%.*s", (int)strcspn(msg, "\n"), msg);
			return 0;
		}
		if (ret && ret != -EAGAIN)
			return ret;
		if (ret == -EAGAIN && now_ms() >= end)
			return vfio_err(-ENOENT, "no IOMMU fault at IOVA %#llx in the kernel log within %d ms",
					(unsigned long long)iova, timeout_ms);
		/* The fault interrupt may still be on its way. */
		if (ret == -EAGAIN)
			usleep(10000);
	}
}

/* The sum of the per-CPU counts on one /proc/interrupts line. */
static long irq_count(const char *line)
{
	const char *p = strchr(line, ':');
	long sum = 0;
	char *end;

	for (p = p ? p + 1 : line; ; p = end) {
		long n = strtol(p, &end, 10);

		if (end == p)
			return sum;
		sum += n;
	}
}

/*
 * virtio-iommu reports faults on its event virtqueue; its request queue
 * has no callback, so every interrupt its device takes outside a config
 * change is an event.  /proc/interrupts names the vector after the
 * device: "virtioN" (INTx, as the rig's QEMU gives it), "virtioN-event"
 * (a vector per queue) or "virtioN-virtqueues" (one shared vector), N
 * from the devices bound to the virtio_iommu driver.
 */
static int virtio_iommu_devs(char names[][16], int max)
{
	int nr = 0;
	glob_t g;
	size_t i;

	if (glob("/sys/bus/virtio/drivers/virtio_iommu/virtio*", 0, NULL, &g))
		return 0;
	for (i = 0; i < g.gl_pathc && nr < max; i++)
		snprintf(names[nr++], sizeof(names[0]), "%s",
			 strrchr(g.gl_pathv[i], '/') + 1);
	globfree(&g);
	return nr;
}

/* @line's last word is @dev's event vector. */
static bool virtio_event_line(const char *line, const char *dev)
{
	const char *last = line + strlen(line);
	size_t n = strlen(dev);

	while (last > line && isspace((unsigned char)last[-1]))
		last--;
	while (last > line && !isspace((unsigned char)last[-1]))
		last--;
	if (strncmp(last, dev, n))
		return false;
	last += n;
	return !*last || isspace((unsigned char)*last) ||
	       !strncmp(last, "-event", 6) || !strncmp(last, "-virtqueues", 11);
}

static bool fault_irq_line(const char *line, char devs[][16], int nr)
{
	int i;

	/* Intel's DMAR, AMD-Vi's event log, the SMMUv3's event queue. */
	if (strcasestr(line, "dmar") || strcasestr(line, "amd-vi") ||
	    strstr(line, "arm-smmu-v3-evtq"))
		return true;
	for (i = 0; i < nr; i++)
		if (virtio_event_line(line, devs[i]))
			return true;
	return false;
}

long vfio_fault_irqs(void)
{
	FILE *f = fopen("/proc/interrupts", "r");
	char line[1024], virtio[4][16];
	long sum = 0;
	int lines = 0, nr;

	if (!f)
		return vfio_err(-errno, "/proc/interrupts: %s", strerror(errno));
	nr = virtio_iommu_devs(virtio, 4);
	while (fgets(line, sizeof(line), f)) {
		if (!fault_irq_line(line, virtio, nr))
			continue;
		sum += irq_count(line);
		lines++;
	}
	fclose(f);
	if (!lines)
		return vfio_err(-ENOENT, "no DMAR, AMD-Vi, SMMUv3 or virtio-iommu event interrupt in /proc/interrupts");
	return sum;
}
