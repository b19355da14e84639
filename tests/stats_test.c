// SPDX-License-Identifier: GPL-2.0
/*
 * The statistics behind 'compare', on synthetic boots with known shifts:
 * boots that land apart as a whole, samples within a boot close together,
 * as the VM's are.
 */
#include <math.h>

#include "analysis/stats.h"
#include "kselftest_harness.h"

#define REPS 5
#define MAX_BOOTS 6
#define TRIALS 400

/*
 * @boots boots of @base scaled by @scale: each boot off by @between (SD
 * of log time), each sample within it by @within.
 */
static void boots(struct vfio_rng *r, double base, double scale, int nr,
		  double between, double within, double *x, int *block)
{
	double b;
	int k, i;

	for (k = 0; k < nr; k++) {
		b = base * scale * exp(between * vfio_rng_normal(r));
		for (i = 0; i < REPS; i++) {
			x[k * REPS + i] = b * exp(within * vfio_rng_normal(r));
			block[k * REPS + i] = k;
		}
	}
}

/* How often TRIALS comparisons of @nr boots a side call SLOWER. */
static int slower(double shift, int nr, double between, double known,
		  int *not_judged)
{
	double a[MAX_BOOTS * REPS], b[MAX_BOOTS * REPS];
	int ba[MAX_BOOTS * REPS], bb[MAX_BOOTS * REPS], t, hits = 0;
	struct vfio_samples sa = { a, ba, nr * REPS }, sb = { b, bb, nr * REPS };
	struct vfio_judge j = { .alpha = 0.05, .floor = 0.01, .between = known };
	struct vfio_rng r = { 42 };
	struct vfio_comparison c;

	*not_judged = 0;
	for (t = 0; t < TRIALS; t++) {
		boots(&r, 0.1, 1, nr, between, 0.001, a, ba);
		boots(&r, 0.1, 1 + shift, nr, between, 0.001, b, bb);
		vfio_compare_samples(&sa, &sb, &j, &c);
		hits += c.verdict == VFIO_SLOWER;
		*not_judged += c.verdict == VFIO_NOT_JUDGED;
	}
	return hits;
}

TEST(summary)
{
	const double x[] = { 5, 1, 4, 2, 3, 10, 6, 7, 9, 8 };
	struct vfio_summary s;

	vfio_summarize(x, 10, &s);
	EXPECT_EQ(10, s.n);
	EXPECT_EQ(1, s.min);
	EXPECT_EQ(10, s.max);
	EXPECT_EQ(5.5, s.median);
	EXPECT_EQ(5.5, s.mean);
	EXPECT_TRUE(fabs(s.p90 - 9.1) < 1e-9);
	EXPECT_TRUE(fabs(s.stddev - 3.0276503540974917) < 1e-9);
}

/* No samples, no quantile: NaN, never a read before the array. */
TEST(quantile_of_nothing)
{
	const double x[] = { 1, 2, 3, 4 };

	EXPECT_TRUE(isnan(vfio_quantile_sorted(NULL, 0, 0.5)));
	EXPECT_TRUE(isnan(vfio_quantile_sorted(x + 4, 0, 0)));
	EXPECT_TRUE(isnan(vfio_quantile_sorted(x, 4, NAN)));
	/* Out of 0..1 is clamped, not an index off either end. */
	EXPECT_EQ(1, vfio_quantile_sorted(x, 4, -1));
	EXPECT_EQ(4, vfio_quantile_sorted(x, 4, 2));
	EXPECT_EQ(1, vfio_quantile_sorted(x, 4, 0));
	EXPECT_EQ(4, vfio_quantile_sorted(x, 4, 1));
	EXPECT_EQ(2.5, vfio_quantile_sorted(x, 4, 0.5));
	EXPECT_EQ(7, vfio_quantile_sorted((const double[]){ 7 }, 1, 0.9));
}

TEST(seed_per_cell)
{
	EXPECT_NE(vfio_seed_of("type1v2/thp/64M/fresh"),
		  vfio_seed_of("type1v2/thp/64M/prefaulted"));
	EXPECT_EQ(vfio_seed_of("iommufd/bar-dmabuf/2G/fresh"),
		  vfio_seed_of("iommufd/bar-dmabuf/2G/fresh"));
}

/*
 * One boot a side and nothing known of how boots differ (the wall
 * clock): not judged, however far apart its samples are.
 */
TEST(one_boot_unknown_spread_not_judged)
{
	int nj;

	EXPECT_EQ(0, slower(1.0, 1, 0.05, -1, &nj));
	EXPECT_EQ(TRIALS, nj);
}

/*
 * One boot a side with the clock's spread known (icount: 0.3%): +2%
 * found nearly always, A/A flagged at most at alpha.
 */
TEST(one_boot_known_spread)
{
	int nj, aa = slower(0, 1, 0.001, 0.003, &nj);

	EXPECT_EQ(0, nj);
	EXPECT_LE(aa * 100, TRIALS * 5) TH_LOG("A/A flagged %d of %d", aa, TRIALS);
	EXPECT_GE(slower(0.02, 1, 0.001, 0.003, &nj) * 10, TRIALS * 9);
}

/*
 * Boots that differ by 3% as a whole: one boot's tight samples say
 * nothing of that, and a spread assumed too small is a false alarm
 * machine; three pooled boots a side measure it and hold alpha.
 */
TEST(pooled_boots_measure_their_spread)
{
	int nj, lied = slower(0, 1, 0.03, 0.003, &nj);
	int aa = slower(0, 3, 0.03, -1, &nj);

	EXPECT_GT(lied * 100, TRIALS * 20) TH_LOG("%d of %d", lied, TRIALS);
	EXPECT_LE(aa * 100, TRIALS * 6) TH_LOG("A/A flagged %d of %d", aa, TRIALS);
	EXPECT_GE(slower(0.30, 3, 0.03, -1, &nj) * 10, TRIALS * 9);
}

/*
 * Boots that agree exactly (icount's bar-pa: 0.0144 ms in every sample)
 * do not make the interval vanish: the clock's known spread is a floor.
 */
TEST(identical_boots_floored_by_known_spread)
{
	double a[3 * REPS], b[3 * REPS];
	int ba[3 * REPS], bb[3 * REPS], i;
	struct vfio_samples sa = { a, ba, 3 * REPS }, sb = { b, bb, 3 * REPS };
	struct vfio_judge j = { .alpha = 0.05, .floor = 0.01, .between = 0.003 };
	struct vfio_comparison c;

	for (i = 0; i < 3 * REPS; i++) {
		a[i] = 14.4e-6;
		b[i] = 14.4e-6 * 1.005;
		ba[i] = bb[i] = i / REPS;
	}
	vfio_compare_samples(&sa, &sb, &j, &c);
	EXPECT_EQ(VFIO_NO_CHANGE, c.verdict);	/* within the 1% floor */
	EXPECT_GT(c.ci_hi, c.ci_lo);
	for (i = 0; i < 3 * REPS; i++)
		b[i] = 14.4e-6 * 1.02;
	vfio_compare_samples(&sa, &sb, &j, &c);
	EXPECT_EQ(VFIO_SLOWER, c.verdict);
}

/* The columns and the ratio come from one estimator: they agree. */
TEST(before_after_and_ratio_agree)
{
	double a[2 * REPS], b[2 * REPS];
	int ba[2 * REPS], bb[2 * REPS];
	struct vfio_samples sa = { a, ba, 2 * REPS }, sb = { b, bb, 2 * REPS };
	struct vfio_judge j = { .alpha = 0.05, .floor = 0.05, .between = -1 };
	struct vfio_rng r = { 7 };
	struct vfio_comparison c;

	boots(&r, 0.2, 1, 2, 0.05, 0.2, a, ba);
	boots(&r, 0.2, 0.9, 2, 0.05, 0.2, b, bb);
	vfio_compare_samples(&sa, &sb, &j, &c);
	EXPECT_LT(fabs(c.after / c.before - c.ratio), 1e-12);
	EXPECT_EQ(2, c.boots_a);
	EXPECT_EQ(2, c.boots_b);
}

/* Fewer than two samples a side: nothing to judge. */
TEST(one_sample_not_comparable)
{
	const double x[2] = { 1, 2 };
	struct vfio_samples one = { x, NULL, 1 }, two = { x, NULL, 2 };
	struct vfio_judge j = { .alpha = 0.05, .floor = 0.05, .between = 0.01 };
	struct vfio_comparison c;

	vfio_compare_samples(&one, &two, &j, &c);
	EXPECT_EQ(VFIO_NOT_COMPARABLE, c.verdict);
	vfio_compare_samples(&two, &one, &j, &c);
	EXPECT_EQ(VFIO_NOT_COMPARABLE, c.verdict);
}

TEST_HARNESS_MAIN
