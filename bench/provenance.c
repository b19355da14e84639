// SPDX-License-Identifier: GPL-2.0
/*
 * Provenance of results: enough to tell two runs' conditions apart.
 */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <zlib.h>

#include "libvfio/assert.h"
#include "libvfio/numa.h"
#include "analysis/results.h"
#include "libvfio/fault_probe.h"
#include "provenance.h"

/* The config options that decide what this suite measures. */
static const char * const config_keys[] = {
	"CONFIG_VFIO", "CONFIG_VFIO_PCI", "CONFIG_VFIO_PCI_CORE",
	"CONFIG_VFIO_IOMMU_TYPE1", "CONFIG_VFIO_CONTAINER",
	"CONFIG_VFIO_DEVICE_CDEV", "CONFIG_IOMMUFD",
	"CONFIG_IOMMUFD_VFIO_CONTAINER", "CONFIG_INTEL_IOMMU",
	"CONFIG_TRANSPARENT_HUGEPAGE", "CONFIG_HUGETLBFS",
	"CONFIG_ARCH_SUPPORTS_PMD_PFNMAP", "CONFIG_ARCH_SUPPORTS_PUD_PFNMAP",
	"CONFIG_KPROBES", "CONFIG_PREEMPT", "CONFIG_PREEMPT_DYNAMIC",
};

/* First line of @path without its newline, or "" */
static const char *first_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (f) {
		if (fgets(buf, len, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
	return buf;
}

static void write_config(struct json_writer *w)
{
	char line[256];
	size_t i, n;
	gzFile f = gzopen("/proc/config.gz", "r");

	if (!f) {
		json_null(w, "config");
		return;
	}
	json_obj_open(w, "config");
	while (gzgets(f, line, sizeof(line))) {
		line[strcspn(line, "\n")] = '\0';
		for (i = 0; i < ARRAY_SIZE(config_keys); i++) {
			n = strlen(config_keys[i]);
			if (!strncmp(line, config_keys[i], n) && line[n] == '=')
				json_str(w, config_keys[i], line + n + 1);
		}
	}
	gzclose(f);
	json_obj_close(w);
}

static void write_device(struct json_writer *w, const char *bdf)
{
	char path[128], vendor[16], device[16], id[40];
	int node = -1;

	if (!bdf) {
		json_null(w, "device");
		return;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor", bdf);
	first_line(path, vendor, sizeof(vendor));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device", bdf);
	first_line(path, device, sizeof(device));
	snprintf(id, sizeof(id), "%s:%s", vendor[0] ? vendor + 2 : "?",
		 device[0] ? device + 2 : "?");
	json_obj_open(w, "device");
	json_str(w, "bdf", bdf);
	json_str(w, "vendor_device", id);
	vfio_pci_numa_node(bdf, &node);
	json_int(w, "numa_node", node);
	json_obj_close(w);
}

void vfio_provenance_write(struct json_writer *w, const char *bdf)
{
	char buf[1024], vendor[128], product[128], date[32];
	struct utsname u;
	time_t now = time(NULL);

	uname(&u);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	json_obj_open(w, "provenance");
	json_str(w, "date", date);
	json_str(w, "kernel_release", u.release);
	json_str(w, "kernel_version", u.version);
	json_str(w, "machine", u.machine);
	json_str(w, "cmdline", first_line("/proc/cmdline", buf, sizeof(buf)));
	snprintf(buf, sizeof(buf), "%s %s",
		 first_line("/sys/class/dmi/id/sys_vendor", vendor, sizeof(vendor)),
		 first_line("/sys/class/dmi/id/product_name", product,
			    sizeof(product)));
	json_str(w, "system", buf);
	json_str(w, "suite_version", VFIO_BENCH_VERSION);
	/* "Y" where the IOMMU cannot remap interrupts (virtio-iommu). */
	json_str(w, "vfio_iommu_type1_allow_unsafe_interrupts",
		 first_line("/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts",
			    buf, sizeof(buf)));
	write_config(w);
	write_device(w, bdf);
	json_obj_close(w);
}

const char *vfio_bench_clock_of_cmdline(void)
{
	char buf[4096], *tok, *save = NULL;

	first_line("/proc/cmdline", buf, sizeof(buf));
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		if (!strcmp(tok, "vfio_bench.clock=icount"))
			return "icount";
	return "wall";
}

/* The fault probe's verdict and what it rests on (fault_probe.h). */
static void write_probe(struct json_writer *w, const struct vfio_fault_probe *p)
{
	json_obj_open(w, VFIO_KEY_PROBE);
	json_str(w, "style", vfio_fault_style_name(p->style));
	json_int(w, "max_block_hugepage", p->max_block[VFIO_ADVICE_HUGE]);
	json_int(w, "max_block_none", p->max_block[VFIO_ADVICE_NONE]);
	json_int(w, "max_block_nohugepage", p->max_block[VFIO_ADVICE_NOHUGE]);
	json_int(w, "testable", p->testable);
	json_int(w, "pt_block", p->pt_block);
	json_str(w, "thp", p->thp);
	json_str(w, "evidence", p->evidence);
	json_str(w, VFIO_KEY_VERDICT, p->verdict);
	json_obj_close(w);
}

void vfio_results_head_write(struct json_writer *w, const void *head)
{
	const struct vfio_results_head *h = head;

	vfio_provenance_write(w, h->bdf);
	if (h->probe)
		write_probe(w, h->probe);
}
