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

/* Up to this many samples in all, the U test's p is exact. */
#define VFIO_MW_EXACT_MAX 40

/*
 * Two-sided Mann-Whitney U test of "a and b come from one distribution".
 * Exact (the permutation distribution of the rank sum, ties given) up to
 * VFIO_MW_EXACT_MAX samples in all; beyond, where it is accurate, the
 * normal approximation with tie and continuity corrections.  Returns p.
 */
double vfio_mann_whitney_p(const double *a, size_t na, const double *b,
			   size_t nb);

/*
 * The smallest two-sided p the U test can give at all with these sample
 * sizes, 2 / C(na + nb, na): 0.1 at 3 and 3, so at alpha 0.05 three
 * samples a side can never show a change; 0.029 at 4 and 4.
 */
double vfio_mann_whitney_min_p(size_t na, size_t nb);

/* A deterministic generator, so resampling is reproducible. */
struct vfio_rng {
	uint64_t s;
};

uint64_t vfio_rng_next(struct vfio_rng *r);
/* Uniform in [0, 1). */
double vfio_rng_uniform(struct vfio_rng *r);
/* Standard normal (Box-Muller). */
double vfio_rng_normal(struct vfio_rng *r);

/*
 * Percentile-bootstrap confidence interval (level e.g. 0.95) of
 * median(b) / median(a), from @iters resamples seeded by @seed.  NaN at
 * both ends when either side has no samples or @iters < 1.
 */
void vfio_bootstrap_ratio_ci(const double *a, size_t na, const double *b,
			     size_t nb, double level, int iters, uint64_t seed,
			     double *lo, double *hi);

/*
 * Samples with the block (boot) each came from, NULL: one block.  Blocks
 * are runs of one id, as results files pooled boot by boot have them.
 */
struct vfio_samples {
	const double *x;
	const int *block;
	size_t n;
};

/*
 * The same interval resampling blocks first, then samples within each
 * drawn block: the spread between boots goes into the interval.
 */
void vfio_bootstrap_ratio_ci_blocks(const struct vfio_samples *a,
				    const struct vfio_samples *b, double level,
				    int iters, uint64_t seed, double *lo,
				    double *hi);

/* A resampling seed of its own for each cell, from its name (FNV-1a). */
uint64_t vfio_seed_of(const char *name);

enum vfio_verdict {
	VFIO_NO_CHANGE,
	VFIO_FASTER,
	VFIO_SLOWER,
	VFIO_NOT_COMPARABLE,
};

struct vfio_comparison {
	double ratio;		/* median(after) / median(before) */
	double ci_lo, ci_hi;	/* 95% bootstrap CI of the ratio */
	double p;		/* Mann-Whitney two-sided p */
	double min_p;		/* the smallest p these sizes allow */
	bool by_boot;		/* p, ratio and CI over boots' medians */
	enum vfio_verdict verdict;
};

/*
 * Compare "before" @a with "after" @b: a change is called only when the
 * test gives p < @alpha, the ratio lies beyond the noise floor @floor
 * (0.05: outside [1/1.05, 1.05]) and its 95% CI on the same side of 1.
 * The floor is there because two runs, even of one kernel, differ by a
 * few percent that no sample size removes.
 *
 * With two boots (blocks) or more a side, the unit is a boot's median:
 * Welch's t test on their logs, the ratio of their geometric means and
 * its t interval (c->by_boot).  Otherwise the samples: an exact (small
 * n) or normal Mann-Whitney U test, the ratio of medians and a bootstrap
 * CI resampled from @seed; fewer than 2 samples a side is not
 * comparable, and where c->min_p >= @alpha no change can be called.
 */
void vfio_compare_samples(const struct vfio_samples *a,
			  const struct vfio_samples *b, double alpha,
			  double floor, uint64_t seed, struct vfio_comparison *c);

/* The same for plain arrays, one block each, a fixed seed. */
void vfio_compare(const double *a, size_t na, const double *b, size_t nb,
		  double alpha, double floor, struct vfio_comparison *c);

/*
 * Whether @c shows a regression beyond @threshold (0.10: 10% slower): the
 * whole CI of the ratio past 1 + @threshold, not just its point estimate,
 * so that a noisy but unchanged cell cannot fail a bisection step.
 */
bool vfio_regressed(const struct vfio_comparison *c, double threshold);

const char *vfio_verdict_name(enum vfio_verdict v);

#endif /* ANALYSIS_STATS_H */
