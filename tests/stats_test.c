// SPDX-License-Identifier: GPL-2.0
/*
 * The statistics behind 'compare', on synthetic samples with known shifts.
 */
#include <math.h>

#include "analysis/stats.h"
#include "kselftest_harness.h"

#define N 30
#define TRIALS 200

/* Timing-like samples: a base time with 5% log-normal noise. */
static void samples(struct vfio_rng *r, double base, double *x, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		x[i] = base * exp(0.05 * vfio_rng_normal(r));
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
	double lo = 0, hi = 0;

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
	vfio_bootstrap_ratio_ci(x, 4, x, 0, 0.95, 100, 1, &lo, &hi);
	EXPECT_TRUE(isnan(lo) && isnan(hi));
	vfio_bootstrap_ratio_ci(x, 4, x, 4, 0.95, 0, 1, &lo, &hi);
	EXPECT_TRUE(isnan(lo) && isnan(hi));
}

TEST(mann_whitney_known_values)
{
	const double a[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	const double b[] = { 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };
	const double same[] = { 1, 1, 1, 1, 1 };

	/* Complete separation of 10 vs 10: exactly 2 / C(20, 10) = 1.1e-5. */
	EXPECT_TRUE(vfio_mann_whitney_p(a, 10, b, 10) < 0.0002);
	EXPECT_TRUE(vfio_mann_whitney_p(a, 10, a, 10) > 0.99);
	/* All tied: no evidence at all. */
	EXPECT_EQ(1.0, vfio_mann_whitney_p(same, 5, same, 5));
}

/*
 * Small samples get the exact p: complete separation of n against n is
 * 2 / C(2n, n), the smallest p there is.  The normal approximation gave
 * 0.081 at 3 and 3, which read as "almost significant"; exactly it is
 * 0.1, and no data at 3 and 3 can reach 0.05.
 */
TEST(mann_whitney_exact_small)
{
	const double a[] = { 1, 2, 3, 4, 5 }, b[] = { 6, 7, 8, 9, 10 };
	const double ta[] = { 1, 2, 2, 3 }, tb[] = { 2, 4, 5, 6 };

	EXPECT_TRUE(fabs(vfio_mann_whitney_p(a, 3, b, 3) - 0.1) < 1e-12);
	EXPECT_TRUE(fabs(vfio_mann_whitney_p(a, 4, b, 4) - 2.0 / 70) < 1e-12);
	EXPECT_TRUE(fabs(vfio_mann_whitney_p(a, 5, b, 5) - 2.0 / 252) < 1e-12);
	EXPECT_TRUE(fabs(vfio_mann_whitney_min_p(3, 3) - 0.1) < 1e-12);
	EXPECT_TRUE(fabs(vfio_mann_whitney_min_p(4, 4) - 2.0 / 70) < 1e-12);
	EXPECT_TRUE(fabs(vfio_mann_whitney_min_p(5, 3) - 2.0 / 56) < 1e-12);
	EXPECT_EQ(1.0, vfio_mann_whitney_min_p(0, 3));
	/* One shared value in 5 v 5: the p of the permutation distribution. */
	EXPECT_TRUE(vfio_mann_whitney_p(a, 5, a + 4, 1) > 0.3);
	/* Ties: midranks, and p is still a probability. */
	EXPECT_TRUE(vfio_mann_whitney_p(ta, 4, tb, 4) > 2.0 / 70);
	EXPECT_TRUE(vfio_mann_whitney_p(ta, 4, tb, 4) <= 1.0);
	EXPECT_TRUE(fabs(vfio_mann_whitney_p(a, 5, a, 5) - 1.0) < 1e-12);
}

/* Exact and approximate agree where the code switches between them. */
TEST(mann_whitney_exact_meets_normal)
{
	struct vfio_rng r = { 11 };
	double a[25], b[25], exact, approx;
	int i;

	for (i = 0; i < 20; i++) {
		samples(&r, 1.0, a, 20);
		samples(&r, 1.03, b, 20);
		exact = vfio_mann_whitney_p(a, 20, b, 20);	/* 40: exact */
		a[20] = b[20] = 1.0;
		approx = vfio_mann_whitney_p(a, 21, b, 21);	/* 42: normal */
		EXPECT_TRUE(fabs(exact - approx) < 0.1)
			TH_LOG("exact %.4f approx %.4f", exact, approx);
	}
}

/* Each cell resamples from a seed of its own, the same every time. */
TEST(seed_per_cell)
{
	EXPECT_NE(vfio_seed_of("type1v2/thp/64M/fresh"),
		  vfio_seed_of("type1v2/thp/64M/prefaulted"));
	EXPECT_EQ(vfio_seed_of("iommufd/bar-dmabuf/2G/fresh"),
		  vfio_seed_of("iommufd/bar-dmabuf/2G/fresh"));
}

/*
 * Two boots of "before" that differ by 20% as a whole: resampled by
 * boot, the interval holds that spread; resampled by sample, it is far
 * narrower than the truth about a third boot.
 */
TEST(block_bootstrap_carries_boot_spread)
{
	struct vfio_rng r = { 5 };
	double a[2 * N], b[N], lo, hi, blo, bhi;
	int boot[2 * N], i;
	struct vfio_samples sa = { a, NULL, 2 * N }, sb = { b, NULL, N };

	samples(&r, 1.0, a, N);
	samples(&r, 1.2, a + N, N);
	samples(&r, 1.1, b, N);
	for (i = 0; i < 2 * N; i++)
		boot[i] = i >= N;
	vfio_bootstrap_ratio_ci_blocks(&sa, &sb, 0.95, 2000, 1, &lo, &hi);
	sa.block = boot;
	vfio_bootstrap_ratio_ci_blocks(&sa, &sb, 0.95, 2000, 1, &blo, &bhi);
	ksft_print_msg("CI by sample [%.3f, %.3f], by boot [%.3f, %.3f]\n",
		       lo, hi, blo, bhi);
	EXPECT_TRUE(bhi - blo > 1.5 * (hi - lo));
	EXPECT_TRUE(blo < 1.0 && bhi > 1.05);
}

/* How often @shift is called slower (and, swapped, faster) at n=30. */
static void detection(double shift, double floor, int *slower, int *faster)
{
	struct vfio_rng r = { 42 };
	double a[N], b[N];
	int i;

	*slower = *faster = 0;
	for (i = 0; i < TRIALS; i++) {
		struct vfio_comparison c;

		samples(&r, 1.0, a, N);
		samples(&r, 1.0 + shift, b, N);
		vfio_compare(a, N, b, N, 0.05, floor, &c);
		*slower += c.verdict == VFIO_SLOWER;
		vfio_compare(b, N, a, N, 0.05, floor, &c);
		*faster += c.verdict == VFIO_FASTER;
	}
	ksft_print_msg("%.0f%% shift at n=%d, floor %.0f%%: slower %d/%d, faster %d/%d\n",
		       shift * 100, N, floor * 100, *slower, TRIALS, *faster,
		       TRIALS);
}

/* The statistics alone: a 10% shift in 5% noise is found. */
TEST(ten_percent_shift_detected_at_n30)
{
	int slower, faster;

	detection(0.10, 0, &slower, &faster);
	EXPECT_LE(TRIALS * 95 / 100, slower);
	EXPECT_LE(TRIALS * 95 / 100, faster);
}

/* With compare's default 5% noise floor, a 15% shift still is. */
TEST(shift_beyond_the_floor_detected)
{
	int slower, faster;

	detection(0.15, 0.05, &slower, &faster);
	EXPECT_LE(TRIALS * 95 / 100, slower);
	EXPECT_LE(TRIALS * 95 / 100, faster);
}

TEST(a_a_no_false_alarm)
{
	struct vfio_rng r = { 7 };
	double a[N], b[N];
	int i, alarms = 0;

	for (i = 0; i < TRIALS; i++) {
		struct vfio_comparison c;

		samples(&r, 1.0, a, N);
		samples(&r, 1.0, b, N);
		vfio_compare(a, N, b, N, 0.05, 0, &c);
		alarms += c.verdict != VFIO_NO_CHANGE;
	}
	ksft_print_msg("A/A at n=%d: %d/%d false alarms\n", N, alarms, TRIALS);
	EXPECT_GE(TRIALS * 5 / 100, alarms);
}

TEST(ratio_ci_brackets_the_shift)
{
	struct vfio_rng r = { 1 };
	struct vfio_comparison c;
	double a[N], b[N];

	samples(&r, 2.0, a, N);
	samples(&r, 3.0, b, N);
	vfio_compare(a, N, b, N, 0.05, 0.05, &c);
	EXPECT_TRUE(c.ci_lo < 1.5 && 1.5 < c.ci_hi);
	EXPECT_TRUE(fabs(c.ratio - 1.5) < 0.05);
	EXPECT_EQ(VFIO_SLOWER, c.verdict);
	vfio_compare(a, 1, b, N, 0.05, 0.05, &c);
	EXPECT_EQ(VFIO_NOT_COMPARABLE, c.verdict);
}

/*
 * A regression beyond 10% needs the whole CI past 1.10: a clear 30% shift
 * is one, an 8% shift and an A/A pair never are.
 */
TEST(regressed_beyond_threshold)
{
	struct vfio_rng r = { 3 };
	struct vfio_comparison c;
	double a[N], b[N];
	int i, hits[3] = { 0 };

	for (i = 0; i < TRIALS; i++) {
		samples(&r, 1.0, a, N);
		samples(&r, 1.30, b, N);
		vfio_compare(a, N, b, N, 0.05, 0.05, &c);
		hits[0] += vfio_regressed(&c, 0.10);
		samples(&r, 1.08, b, N);
		vfio_compare(a, N, b, N, 0.05, 0.05, &c);
		hits[1] += vfio_regressed(&c, 0.10);
		samples(&r, 1.0, b, N);
		vfio_compare(a, N, b, N, 0.05, 0.05, &c);
		hits[2] += vfio_regressed(&c, 0.10);
	}
	ksft_print_msg("regressed beyond 10%%: 30%% shift %d/%d, 8%% %d/%d, A/A %d/%d\n",
		       hits[0], TRIALS, hits[1], TRIALS, hits[2], TRIALS);
	EXPECT_EQ(TRIALS, hits[0]);
	EXPECT_EQ(0, hits[1]);
	EXPECT_EQ(0, hits[2]);
}

/*
 * Three boots a side whose samples alternate between two modes (as a
 * fresh anon4k cell's do under TCG) but whose medians agree to 1%: the
 * boots' medians are the unit, so 10% is seen and A/A is not flagged,
 * where pooling the samples would drown both in the modes.
 */
static void boots(double *x, int *block, double scale)
{
	static const double jitter[3] = { 1.0, 1.01, 0.99 };
	int k, i;

	for (k = 0; k < 3; k++)
		for (i = 0; i < 5; i++) {
			x[k * 5 + i] = (i % 2 ? 100e-3 : 126e-3) * jitter[k] * scale;
			block[k * 5 + i] = k;
		}
}

TEST(pooled_boots_judged_by_their_medians)
{
	double a[15], b[15], a2[15];
	int ba[15], bb[15], ba2[15];
	struct vfio_samples sa = { a, ba, 15 }, sb = { b, bb, 15 };
	struct vfio_samples sa2 = { a2, ba2, 15 };
	struct vfio_comparison c;

	boots(a, ba, 1.0);
	boots(b, bb, 1.10);
	vfio_compare_samples(&sa, &sb, 0.05, 0.05, 1, &c);
	EXPECT_TRUE(c.by_boot);
	EXPECT_EQ(VFIO_SLOWER, c.verdict);
	EXPECT_LT(fabs(c.ratio - 1.10), 1e-9);
	EXPECT_TRUE(c.ci_lo > 1.0 && c.ci_hi > c.ratio);
	boots(a2, ba2, 1.0);
	a2[0] *= 1.02;
	vfio_compare_samples(&sa, &sa2, 0.05, 0.05, 1, &c);
	EXPECT_EQ(VFIO_NO_CHANGE, c.verdict);
}

TEST_HARNESS_MAIN
