/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The results file: its schema, key names, writer and reader.  Nothing
 * else in the suite spells a key; docs/results-schema.md describes each.
 * The benchmark adds what only it knows (provenance, the fault probe)
 * through the writer's head callback; the file's records here are plain
 * data, so that the programs that read results need no VFIO code.
 */
#ifndef ANALYSIS_RESULTS_H
#define ANALYSIS_RESULTS_H

#include <stdbool.h>
#include <stdint.h>

#include "json.h"

/* Bumped whenever a field changes meaning or goes away. */
#define VFIO_RESULTS_SCHEMA "vfio-bench/dma-map/1"

#define VFIO_RESULTS_MAX_REPS	1000	/* samples per cell, all boots */
#define VFIO_RESULTS_MAX_CELLS	64
#define VFIO_RESULTS_MAX_MODES	8
#define VFIO_RESULTS_MAX_RANGES	16	/* IOVA ranges per IOMMU mode */

/* A count that was not taken (a kprobe absent) is this, never zero. */
#define VFIO_RESULTS_ABSENT	(-1LL)

/* Top level. */
#define VFIO_KEY_SCHEMA		"schema"
#define VFIO_KEY_PROBE		"fault_probe"
#define VFIO_KEY_VERDICT	"verdict"
#define VFIO_KEY_IOMMU		"iommu"
#define VFIO_KEY_SETTINGS	"settings"
#define VFIO_KEY_CELLS		"cells"
/* settings */
#define VFIO_KEY_REPS		"reps"
#define VFIO_KEY_WARMUP		"warmup"
#define VFIO_KEY_SIZE		"size"
#define VFIO_KEY_NODE		"numa_node"	/* and a cell's */
#define VFIO_KEY_REMOTE_NODE	"remote_numa_node"
#define VFIO_KEY_DEVICE_NODE	"device_numa_node"
#define VFIO_KEY_BAR		"bar"
#define VFIO_KEY_OVERHEAD	"timing_overhead_s"
#define VFIO_KEY_TIMEBASE	"timebase"
/* a cell */
#define VFIO_KEY_NAME		"name"
#define VFIO_KEY_API		"api"
#define VFIO_KEY_BACKING	"backing"
#define VFIO_KEY_POLICY		"policy"
#define VFIO_KEY_STATE		"state"
#define VFIO_KEY_STATUS		"status"
#define VFIO_KEY_REASON		"reason"
#define VFIO_KEY_EXPECTED	"expected_faults"
#define VFIO_KEY_MEASURED_NODE	"measured_numa_node"
#define VFIO_KEY_IOMMU_ENTRIES	"expected_iommu_entries"
#define VFIO_KEY_MAP		"map_s"
#define VFIO_KEY_UNMAP		"unmap_s"
#define VFIO_KEY_CALIB		"calib_s"
#define VFIO_KEY_MINFLT		"minflt"
#define VFIO_KEY_PMD		"pmd_inserts"
#define VFIO_KEY_PUD		"pud_inserts"
#define VFIO_KEY_PINS		"pins"
#define VFIO_KEY_IOMMU_MAPS	"iommu_maps"
#define VFIO_KEY_KINSNS		"kernel_instructions"

enum vfio_cell_status { VFIO_CELL_OK, VFIO_CELL_SKIP, VFIO_CELL_FAIL };

/* The sample series of a cell, in the order the file has them. */
enum vfio_series {
	VFIO_SERIES_MAP,	/* seconds in VFIO_IOMMU_MAP_DMA */
	VFIO_SERIES_UNMAP,	/* seconds in VFIO_IOMMU_UNMAP_DMA */
	VFIO_SERIES_CALIB,	/* seconds of fixed user-space work */
	VFIO_SERIES_MINFLT,	/* faults inside MAP_DMA (ru_minflt) */
	VFIO_SERIES_PMD,	/* PMD inserts (kprobe); absent: -1 */
	VFIO_SERIES_PUD,	/* PUD inserts (kprobe); absent: -1 */
	VFIO_SERIES_PINS,	/* pages pinned in MAP_DMA; absent: -1 */
	VFIO_SERIES_IOMMU_MAPS,	/* iommu_map() calls in MAP_DMA; absent: -1 */
	VFIO_SERIES_KINSNS,	/* kernel instructions in MAP_DMA; absent: -1 */
	VFIO_SERIES_NR,
};

/* One cell of a run: what was measured, and every sample. */
struct vfio_cell_result {
	char name[96];
	char api[24], backing[24], policy[24], state[16];
	uint64_t size;
	enum vfio_cell_status status;
	char reason[200];
	long long want_faults;		/* -1: no exact expectation */
	long long iommu_entries;	/* the IOMMU's, for a BAR; -1: unknown */
	int node;			/* the memory's NUMA node, -1: not placed */
	int measured_node;		/* where all its pages were, -1: unknown */
	int n;
	double s[VFIO_SERIES_NR][VFIO_RESULTS_MAX_REPS];
	int boot[VFIO_RESULTS_MAX_REPS];	/* which file (boot) of a pool */
};

/* An IOMMU mode of the run and the IOVA space it offered. */
struct vfio_results_mode {
	const char *mode;
	char skip[200];			/* why it did not run, if it did not */
	uint64_t pgsizes;		/* bitmap of IOMMU page sizes */
	int nr_ranges;
	uint64_t ranges[VFIO_RESULTS_MAX_RANGES][2];	/* first, last */
};

struct vfio_results {
	char probe_verdict[512];		/* reader only */
	int nr_modes;
	struct vfio_results_mode modes[VFIO_RESULTS_MAX_MODES];
	int reps, warmup, node, bar;
	/*
	 * What the clock counted: "wall" (time), or "icount" (QEMU's
	 * instruction-counted clock: guest instructions executed, 1 ns
	 * each).  Files of different timebases are never compared.
	 */
	char timebase[16];
	int remote_node;		/* the /remote cells', -1: none */
	int device_node;		/* the device's, -1: none */
	uint64_t size;
	double overhead_s;
	int nr_boots;			/* files pooled into this one */
	int nr_cells;
	struct vfio_cell_result *cells;
};

const char *vfio_series_key(enum vfio_series s);
const char *vfio_cell_status_name(enum vfio_cell_status s);
/* @r's timebase; a file or struct that names none is "wall". */
const char *vfio_results_timebase(const struct vfio_results *r);

/* Writes the writer's caller's objects at the top of the file. */
typedef void vfio_results_head_fn(struct json_writer *w, const void *arg);

/*
 * Write @r to @path, @head(@arg) first when given: to a temporary file,
 * then renamed, never a half-written result.
 */
int vfio_results_write(const char *path, const struct vfio_results *r,
		       vfio_results_head_fn *head, const void *arg);

/*
 * Read @path into @r (zeroed first), or pool it into @r when it already
 * holds a file of the same run parameters: a cell's samples are
 * appended, marked with the boot they came from.  -EINVAL with the file
 * and the reason in analysis_error() on a bad file, another schema or other
 * parameters.
 */
int vfio_results_read(const char *path, struct vfio_results *r);
/* The same from a parsed file; @path only names it in errors. */
int vfio_results_from_json(const struct json *root, struct vfio_results *r,
			   const char *path);
void vfio_results_free(struct vfio_results *r);

/*
 * 0 when @a and @b were run with the parameters that make their cells
 * comparable (warm-up, NUMA nodes, BAR, buffer size), else -EINVAL saying
 * which differ.
 */
int vfio_results_match(const struct vfio_results *a,
		       const struct vfio_results *b);

/*
 * Pool @boot (one boot's results) into @r, whose cells array the caller
 * allocated (VFIO_RESULTS_MAX_CELLS; @r zeroed but for it before the
 * first): as vfio_results_read() pools files, from memory.
 */
int vfio_results_pool(struct vfio_results *r, const struct vfio_results *boot);

/* The cell named @name, or NULL. */
const struct vfio_cell_result *vfio_results_cell(const struct vfio_results *r,
						 const char *name);

#endif /* ANALYSIS_RESULTS_H */
