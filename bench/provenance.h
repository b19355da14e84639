/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a result came from: kernel, machine, device, suite version, and
 * how the kernel was measured to fault the device's BARs.
 */
#ifndef BENCH_PROVENANCE_H
#define BENCH_PROVENANCE_H

#include "analysis/json.h"

/* Set by the Makefile from git describe. */
#ifndef VFIO_BENCH_VERSION
#define VFIO_BENCH_VERSION "unknown"
#endif

struct vfio_fault_probe;

/*
 * The clock the guest runs on, as the VM rig says on the kernel command
 * line (vfio_bench.clock=icount under QEMU -icount); "wall" without one.
 * The guest cannot tell by itself: an instruction-counted clock looks
 * like any other from inside.
 */
const char *vfio_bench_clock_of_cmdline(void);

/* Write a "provenance" object; @bdf may be NULL. */
void vfio_provenance_write(struct json_writer *w, const char *bdf);

/* The head of a results file (vfio_results_head_fn): both of these. */
struct vfio_results_head {
	const char *bdf;
	const struct vfio_fault_probe *probe;	/* NULL: not probed */
};
void vfio_results_head_write(struct json_writer *w, const void *head);

#endif /* BENCH_PROVENANCE_H */
