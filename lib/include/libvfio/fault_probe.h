/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fault probe: how the running kernel serves faults on a VFIO BAR
 * mapping, measured rather than inferred from a version or a symbol.
 *
 * vfio-pci's fault path changed more than once: kernels up to 6.9 or so
 * remap the whole VMA on its first fault (base-page PTEs, so one fault says
 * nothing about page size); later ones insert one entry per fault, a PTE
 * at first, then PMD and PUD through a huge_fault handler.  Whether huge
 * entries appear can further depend on MADV_HUGEPAGE / MADV_NOHUGEPAGE,
 * and on the THP sysfs mode on some kernels.  The probe maps small
 * windows of a BAR at chosen placements, touches one page, then the
 * rest, and classifies what it counted against the fault law.  Every
 * expected fault count in the suite derives from its result
 * (fault_expect.h); the THP mode it records comes from thp.h.
 */
#ifndef LIBVFIO_FAULT_PROBE_H
#define LIBVFIO_FAULT_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vfio_pci_device;
struct vfio_placement;

enum vfio_fault_style {
	VFIO_FAULT_STYLE_UNKNOWN,	/* not measured, or none of these */
	VFIO_FAULT_STYLE_WHOLE_VMA,	/* the first fault maps the whole VMA */
	VFIO_FAULT_STYLE_PER_ENTRY,	/* one fault per page-table entry */
	/*
	 * A fault where only base-page entries fit populates the whole VMA;
	 * huge entries come one fault each.  A base-page window alone would
	 * call this whole-VMA and mispredict every huge placement.
	 */
	VFIO_FAULT_STYLE_MIXED,
};

/* The advice a mapping was given: none, MADV_HUGEPAGE, MADV_NOHUGEPAGE. */
enum vfio_advice {
	VFIO_ADVICE_NONE,
	VFIO_ADVICE_HUGE,
	VFIO_ADVICE_NOHUGE,
	VFIO_ADVICE_NR,
};

/*
 * What the kprobes on vmf_insert_pfn_pmd/pud said at one level, over the
 * probe's windows; the worst state seen wins, with its counts.  They are
 * corroboration only: the fault counts are the measurement, and no
 * state here changes a fault-count verdict.
 */
enum vfio_kprobe_state {
	VFIO_KPROBE_UNUSED,	/* no window asked them (no PFN map, whole VMA) */
	VFIO_KPROBE_AGREE,	/* counted what the law says, every window */
	VFIO_KPROBE_ABSENT,	/* could not attach (why: the counter's reason) */
	VFIO_KPROBE_ZERO,	/* attached, counted 0 where the law says some */
	VFIO_KPROBE_DISAGREE,	/* counted a number the law does not give */
};

enum { VFIO_KPROBE_PMD, VFIO_KPROBE_PUD, VFIO_KPROBE_NR };

struct vfio_kprobe_level {
	enum vfio_kprobe_state state;
	long long seen;		/* in the window that set the state */
	unsigned long long law;
	char why[96];		/* ABSENT: why the kprobe is not there */
};

struct vfio_fault_probe {
	enum vfio_fault_style style;
	/* Per entry, mixed: the largest entry the windows showed, by advice. */
	uint64_t max_block[VFIO_ADVICE_NR];
	/* The largest level this region could show (its size caps it). */
	uint64_t testable;
	/* Whole VMA: the entry size PTDUMP showed, 0 when it could not. */
	uint64_t pt_block;
	struct vfio_kprobe_level kprobe[VFIO_KPROBE_NR];
	char thp[16];		/* THP sysfs mode: always, madvise, never */
	char evidence[128];	/* kprobe or PTDUMP corroboration */
	/*
	 * arm64: how faults filled runs of its contiguous-PTE size (see
	 * vfio_probe_cont), reported in the verdict and never asserted:
	 * the kernel promises nothing of them.  "" where the instruction
	 * set has no contiguous hint.
	 */
	char cont[224];
	char verdict[400];	/* one line, for logs and provenance */
};

/* What a probe is run on: @size bytes at @fd_offset of @fd, at @pa. */
struct vfio_probe_region {
	int fd;
	uint64_t fd_offset;
	uint64_t size;
	uint64_t pa;		/* physical address (or a stand-in) */
	bool pfnmap;		/* faults insert PFNs: kprobes can count them */
	/*
	 * Touch by writing.  Device memory is read (safe on registers);
	 * files (host tests) are written, because a read fault on a file
	 * maps its cached neighbours too (fault-around), a write fault on a
	 * shared mapping never does.
	 */
	bool write;
	/*
	 * Files (host tests) keep what a window faulted in their page cache,
	 * and fault-around would map it for the next window in bulk; this
	 * drops it before each window.  NULL for device memory.
	 */
	int (*reset)(const struct vfio_probe_region *r);
};

/* One probe window: where it was mapped and what touching it took. */
struct vfio_probe_window {
	uint64_t va, pa, len;
	long long first;	/* faults touching its first page */
	long long rest;		/* faults touching every other page */
	long long pmd, pud;	/* kprobe counts, or VFIO_FAULTS_ABSENT */
};

/*
 * Probe @r.  0 with @p filled (its style may be UNKNOWN when what was
 * counted fits no model: the verdict says what was seen; kprobes that
 * disagree are in p->kprobe, never a failure of the probe), or -errno
 * when a window could not be mapped (the verdict then says "probe
 * failed: " and why).  The twins assert.
 */
int __vfio_fault_probe_region(const struct vfio_probe_region *r,
			      struct vfio_fault_probe *p);
void vfio_fault_probe_region(const struct vfio_probe_region *r,
			     struct vfio_fault_probe *p);
/* Probe @dev's largest mmappable BAR (its largest area if sparse). */
int __vfio_fault_probe_device(struct vfio_pci_device *dev,
			      struct vfio_fault_probe *p);
void vfio_fault_probe_device(struct vfio_pci_device *dev,
			     struct vfio_fault_probe *p);

/*
 * The largest entry the probe saw the kernel insert for a mapping advised
 * @madvise: the fault law's max_block.  0 when the probe could not tell.
 */
uint64_t vfio_fault_probe_block(const struct vfio_fault_probe *p, int madvise);

/* The classifiers behind the probe: pure, for host tests. */
enum vfio_fault_style vfio_probe_style(const struct vfio_probe_window *w);
/* @lo or @hi, whichever law the window's count fits; 0 for neither. */
uint64_t vfio_probe_block(const struct vfio_probe_window *w, uint64_t lo,
			  uint64_t hi);

/*
 * Judge one window's kprobe count @seen (or VFIO_FAULTS_ABSENT) at a
 * level against the law's @law, into @k: the worse state stays.
 */
void vfio_kprobe_judge(struct vfio_kprobe_level *k, long long seen,
		       unsigned long long law);
/*
 * The kprobes' verdict in one line with the counts, into @out: 0 when
 * they agree with the fault counts, -EPROTO when one counted a number the
 * law does not give, -ENODATA when one attached but counted none where
 * the law says some (the kernel inserts another way), -ENOENT when one
 * could not attach or none was asked.
 */
int vfio_fault_probe_kprobes(const struct vfio_fault_probe *p, char *out,
			     size_t len);
/* How faults filled a window of whole contiguous-PTE runs. */
enum vfio_cont_fill {
	VFIO_CONT_NEITHER,	/* neither below: reported as counted */
	VFIO_CONT_PER_PAGE,	/* one fault per base page, as elsewhere */
	VFIO_CONT_PER_RUN,	/* one fault per run: populated as a run */
};

/* Whole @cont-byte runs in [va, va + len) mapping @pa: 0 unless congruent. */
uint64_t vfio_cont_runs(uint64_t va, uint64_t pa, uint64_t len, uint64_t cont);
/*
 * Faults touching [va, va + len) takes on a kernel that fills each run
 * of @cont bytes it can at once and faults base pages elsewhere.
 */
uint64_t vfio_cont_faults(uint64_t va, uint64_t pa, uint64_t len,
			  uint64_t cont);
/*
 * The window the probe fills runs in: VFIO_CONT_RUNS runs from the
 * region's first @cont-aligned byte, placed congruent modulo @cont but
 * never modulo the PMD, so that base pages are the only entries the law
 * allows.  0, or -ENOSPC when the region holds fewer runs.
 */
#define VFIO_CONT_RUNS 4
int vfio_probe_cont_window(uint64_t region_size, uint64_t pa, uint64_t cont,
			   uint64_t *off, uint64_t *len,
			   struct vfio_placement *pl);
/*
 * Classify @w, a window of at least three whole @cont-byte runs (fewer
 * could not tell a fault per run from one population): NEITHER also
 * when it is not such a window.
 */
enum vfio_cont_fill vfio_probe_cont(const struct vfio_probe_window *w,
				    uint64_t cont);

/* VFIO_ADVICE_* for a placement's madvise value. */
enum vfio_advice vfio_advice_of(int madvise);

/* Whether @w's counts are one population: a fault, and at most one more. */
bool vfio_probe_populated(const struct vfio_probe_window *w);

/* "per-entry", "whole-vma", "mixed" or "unknown", as results spell them. */
const char *vfio_fault_style_name(enum vfio_fault_style s);

#endif /* LIBVFIO_FAULT_PROBE_H */
