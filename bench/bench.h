/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The DMA-map benchmark as a library: a table of cells built from the
 * options (bench_cells.c), each run against a device in one IOMMU mode
 * (bench_run.c), then reported as a table (bench_report.c).  The results
 * file is results.c's.
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#include "libvfio/backing.h"
#include "libvfio/faults.h"
#include "libvfio/map_policy.h"
#include "libvfio/work_counts.h"
#include "analysis/results.h"

enum vfio_bench_state { VFIO_BENCH_FRESH, VFIO_BENCH_PREFAULTED };

/* What the options ask for: bit masks over backings, policies, states. */
struct vfio_bench_matrix {
	unsigned int backings;		/* 1 << enum vfio_backing */
	unsigned int policies;		/* 1 << enum vfio_map_policy */
	unsigned int states;		/* 1 << enum vfio_bench_state */
	bool bar_states;		/* states apply to BARs too (-S given) */
	uint64_t size;			/* memory buffers */
	/*
	 * Without -s: hugetlb1g at this size (what it can map), beside
	 * anon4k and thp prefaulted at the same size, so that 4 KiB, PMD
	 * and PUD entries are compared on equal work.  0 with -s: every
	 * backing at @size.
	 */
	uint64_t pud_size;
};

/* One cell: what to map and how; its results live in @res. */
struct vfio_bench_cell {
	const char *mode;		/* IOMMU mode */
	bool bar;			/* a BAR, else a memory backing */
	bool file;			/* by IOMMU_IOAS_MAP_FILE (dma-buf, memfd) */
	enum vfio_backing backing;
	enum vfio_map_policy policy;
	enum vfio_bench_state state;
	uint64_t size;
	int node;			/* memory bound to this NUMA node, or -1 */
	bool remote;			/* on the remote node: a "/remote" twin */
	struct vfio_cell_result *res;
};

struct vfio_bench_table {
	int nr_cells;
	struct vfio_bench_cell cells[VFIO_RESULTS_MAX_CELLS];
	struct vfio_results results;	/* cells[i].res == &results.cells[i] */
};

/*
 * The device in one IOMMU mode, and how to run a cell on it.  The device
 * and DMA calls of a run all go through @dev and @iommu.
 */
struct vfio_bench_target {
	const char *mode;
	struct vfio_pci_device *dev;
	struct vfio_iommu *iommu;
	struct vfio_counters fc;
	struct vfio_counters wc;
	const struct vfio_fault_probe *probe;
	int bar;			/* the largest BAR, or -1 */
	int reps, warmup;
	/*
	 * Memory cells are bound to @node, and each has a "/remote" twin on
	 * @remote (vfio_numa_place()'s); -1: not placed, no twins.
	 */
	int node, remote;
};

#endif /* BENCH_BENCH_H */
