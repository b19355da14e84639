/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Summary statistics of timing samples, and whether two sets differ.
 */
#ifndef ANALYSIS_STATS_H
#define ANALYSIS_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vfio_summary {
	size_t n;
	double min, median, p90, mean, stddev, max;
};

/* Summarise @n samples (n >= 1); @x is not modified. */
void vfio_summarize(const double *x, size_t n, struct vfio_summary *s);

/*
 * Quantile @q (0..1, clamped) of sorted @x, linear interpolation.  NaN
 * when @n is 0 or @q is NaN: there is no such quantile.
 */
double vfio_quantile_sorted(const double *x, size_t n, double q);

/* A deterministic generator, for tests and simulations. */
struct vfio_rng {
	uint64_t s;
};

uint64_t vfio_rng_next(struct vfio_rng *r);
/* Uniform in [0, 1). */
double vfio_rng_uniform(struct vfio_rng *r);
/* Standard normal (Box-Muller). */
double vfio_rng_normal(struct vfio_rng *r);

/*
 * Samples with the block (boot) each came from, NULL: one block.  Blocks
 * are runs of one id, as results files pooled boot by boot have them.
 */
struct vfio_samples {
	const double *x;
	const int *block;
	size_t n;
};

/* A name's own number (FNV-1a), to seed what a cell simulates. */
uint64_t vfio_seed_of(const char *name);

/* How to judge one comparison. */
struct vfio_judge {
	double alpha;		/* significance, already shared among rows */
	double floor;		/* no change within [1/(1+floor), 1+floor] */
	/*
	 * How far boots of one kernel land apart, as the standard
	 * deviation of log time, known for the clock (a boot-to-boot floor,
	 * measured); < 0: unknown, and one boot a side cannot be judged.
	 */
	double between;
};

enum vfio_verdict {
	VFIO_NO_CHANGE,
	VFIO_FASTER,
	VFIO_SLOWER,
	VFIO_NOT_COMPARABLE,	/* fewer than 2 samples a side, or not times */
	VFIO_NOT_JUDGED,	/* one boot a side, the boot spread unknown */
};

struct vfio_comparison {
	double before, after;	/* the geometric means of boots' medians */
	double ratio;		/* after / before, the same estimator */
	double ci_lo, ci_hi;	/* its (1 - alpha) interval */
	double p;		/* two-sided, of "no change" */
	size_t boots_a, boots_b;
	enum vfio_verdict verdict;
};

/*
 * Compare "before" @a with "after" @b at two levels: each boot is its
 * median, a side the geometric mean of its boots' medians; the variance
 * of that mean comes from the spread of its boots (two or more), never
 * below what @j->between says boots of this clock differ by, or, for
 * one boot, from @j->between and the boot's own samples.  Welch's t on
 * the logs gives p and the interval of the ratio.  A change is called
 * when p < alpha, the ratio lies beyond the floor and the interval on
 * the same side of 1.  Samples of one boot are never taken as
 * independent draws of the kernel: a boot moves as a whole.
 */
void vfio_compare_samples(const struct vfio_samples *a,
			  const struct vfio_samples *b,
			  const struct vfio_judge *j, struct vfio_comparison *c);

#endif /* ANALYSIS_STATS_H */
