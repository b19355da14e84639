// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics for benchmark samples: summaries, Mann-Whitney U, bootstrap.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/stats.h"

#define MAX_SAMPLES 4096

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double vfio_quantile_sorted(const double *x, size_t n, double q)
{
	double pos;
	size_t i;

	/* No samples, or no such quantile: nothing that could pass as one. */
	if (!n || isnan(q))
		return NAN;
	pos = fmin(fmax(q, 0), 1) * (n - 1);
	i = (size_t)pos;
	if (i + 1 >= n)
		return x[n - 1];
	return x[i] + (pos - i) * (x[i + 1] - x[i]);
}

void vfio_summarize(const double *x, size_t n, struct vfio_summary *s)
{
	double sorted[MAX_SAMPLES], sum = 0, sq = 0;
	size_t i;

	memset(s, 0, sizeof(*s));
	if (!n)
		return;
	n = n < MAX_SAMPLES ? n : MAX_SAMPLES;
	memcpy(sorted, x, n * sizeof(*x));
	qsort(sorted, n, sizeof(*x), cmp_double);
	for (i = 0; i < n; i++)
		sum += x[i];
	s->mean = sum / n;
	for (i = 0; i < n; i++)
		sq += (x[i] - s->mean) * (x[i] - s->mean);
	s->n = n;
	s->stddev = n > 1 ? sqrt(sq / (n - 1)) : 0;
	s->min = sorted[0];
	s->max = sorted[n - 1];
	s->median = vfio_quantile_sorted(sorted, n, 0.5);
	s->p90 = vfio_quantile_sorted(sorted, n, 0.9);
}

struct ranked {
	double v;
	int group;
	size_t rank2;		/* twice the (mid)rank */
};

static int cmp_ranked(const void *a, const void *b)
{
	return cmp_double(&((const struct ranked *)a)->v,
			  &((const struct ranked *)b)->v);
}

/*
 * Exact two-sided p of rank sum @ra2 (ranks doubled, so midranks of ties
 * are integers) over all C(n, na) ways to pick group a's ranks: the
 * permutation distribution given these ties, counted by dynamic
 * programming over (how many picked, their sum).
 */
static double exact_p(const struct ranked *r, size_t na, size_t n, double ra2)
{
	size_t max = n * (n + 1), k, i, s, d;
	double *ways = calloc((na + 1) * (max + 1), sizeof(*ways));
	double total = 0, hit = 0, mean2 = na * (n + 1.0);

	if (!ways)
		return 1.0;
	ways[0] = 1;
	for (i = 0; i < n; i++) {
		d = r[i].rank2;
		for (k = i + 1 < na ? i + 1 : na; k >= 1; k--)
			for (s = max; s >= d; s--)
				ways[k * (max + 1) + s] +=
					ways[(k - 1) * (max + 1) + s - d];
	}
	for (s = 0; s <= max; s++) {
		total += ways[na * (max + 1) + s];
		/* As extreme as observed, either way (half a rank of slack). */
		if (fabs(s - mean2) >= fabs(ra2 - mean2) - 0.25)
			hit += ways[na * (max + 1) + s];
	}
	free(ways);
	return total > 0 ? fmin(1.0, hit / total) : 1.0;
}

/* Normal approximation with tie and continuity corrections. */
static double normal_p(double ra2, size_t na, size_t nb, double ties)
{
	double n = na + nb, u = ra2 / 2 - na * (na + 1) / 2.0;
	double mu = na * nb / 2.0, z;
	double var = na * nb / 12.0 * ((n + 1) - ties / (n * (n - 1)));

	if (var <= 0)
		return 1.0;
	z = (fabs(u - mu) - 0.5) / sqrt(var);
	return z <= 0 ? 1.0 : erfc(z / M_SQRT2);
}

double vfio_mann_whitney_p(const double *a, size_t na, const double *b,
			   size_t nb)
{
	static struct ranked r[2 * MAX_SAMPLES];
	double ra2 = 0, ties = 0;
	size_t i, j, k, n = na + nb;

	if (!na || !nb || na > MAX_SAMPLES || nb > MAX_SAMPLES)
		return 1.0;
	for (i = 0; i < na; i++)
		r[i] = (struct ranked){ a[i], 0, 0 };
	for (i = 0; i < nb; i++)
		r[na + i] = (struct ranked){ b[i], 1, 0 };
	qsort(r, n, sizeof(r[0]), cmp_ranked);
	/* Midranks over ties, doubled: ranks i+1..j average to (i+j+1)/2. */
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && r[j].v == r[i].v; j++)
			;
		for (k = i; k < j; k++) {
			r[k].rank2 = i + j + 1;
			if (!r[k].group)
				ra2 += i + j + 1;
		}
		ties += pow(j - i, 3) - (j - i);
	}
	if (ties == pow(n, 3) - n)	/* all tied: no evidence at all */
		return 1.0;
	return n <= VFIO_MW_EXACT_MAX ? exact_p(r, na, n, ra2) :
					normal_p(ra2, na, nb, ties);
}

double vfio_mann_whitney_min_p(size_t na, size_t nb)
{
	double c = 1;
	size_t i;

	/* C(na + nb, na), as a double: only whether 2 / C < alpha matters. */
	for (i = 1; i <= na; i++)
		c = c * (nb + i) / i;
	return na && nb ? fmin(1.0, 2 / c) : 1.0;
}

uint64_t vfio_rng_next(struct vfio_rng *r)
{
	/* splitmix64: tiny, and good enough for resampling. */
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

double vfio_rng_uniform(struct vfio_rng *r)
{
	return (vfio_rng_next(r) >> 11) * 0x1.0p-53;
}

double vfio_rng_normal(struct vfio_rng *r)
{
	double u = vfio_rng_uniform(r), v = vfio_rng_uniform(r);

	return sqrt(-2 * log(1 - u)) * cos(2 * M_PI * v);
}

/* A sample set cut into its blocks (boots): runs of one block id. */
struct blocks {
	const double *x;
	size_t nr, start[MAX_SAMPLES], len[MAX_SAMPLES];
};

static void find_blocks(const struct vfio_samples *s, struct blocks *b)
{
	size_t i;

	b->x = s->x;
	b->nr = 0;
	for (i = 0; i < s->n; i++) {
		if (!i || !s->block || s->block[i] != s->block[i - 1]) {
			/* Without block ids, the whole set is one block. */
			if (i && !s->block) {
				b->len[0]++;
				continue;
			}
			b->start[b->nr] = i;
			b->len[b->nr++] = 0;
		}
		b->len[b->nr - 1]++;
	}
}

/*
 * The median of one resample: blocks drawn with replacement, then as
 * many samples as each drawn block holds, with replacement from it.  So
 * the spread between boots is in the interval, not only within one.
 */
static double resampled_median(const struct blocks *b, struct vfio_rng *r,
			       double *buf)
{
	size_t i, j, q, n = 0;

	for (i = 0; i < b->nr; i++) {
		q = b->nr > 1 ? vfio_rng_next(r) % b->nr : 0;
		for (j = 0; j < b->len[q] && n < MAX_SAMPLES; j++)
			buf[n++] = b->x[b->start[q] + vfio_rng_next(r) % b->len[q]];
	}
	qsort(buf, n, sizeof(*buf), cmp_double);
	return vfio_quantile_sorted(buf, n, 0.5);
}

void vfio_bootstrap_ratio_ci_blocks(const struct vfio_samples *a,
				    const struct vfio_samples *b, double level,
				    int iters, uint64_t seed, double *lo,
				    double *hi)
{
	static double ratios[10000], buf[MAX_SAMPLES];
	static struct blocks ba, bb;
	struct vfio_rng r = { seed };
	double ma;
	int i;

	/* Nothing to resample from: say so, rather than divide by zero. */
	if (!a->n || !b->n || a->n > MAX_SAMPLES || b->n > MAX_SAMPLES ||
	    iters < 1) {
		*lo = *hi = NAN;
		return;
	}
	iters = iters < 10000 ? iters : 10000;
	find_blocks(a, &ba);
	find_blocks(b, &bb);
	for (i = 0; i < iters; i++) {
		ma = resampled_median(&ba, &r, buf);
		ratios[i] = resampled_median(&bb, &r, buf) / (ma > 0 ? ma : 1e-300);
	}
	qsort(ratios, iters, sizeof(ratios[0]), cmp_double);
	*lo = vfio_quantile_sorted(ratios, iters, (1 - level) / 2);
	*hi = vfio_quantile_sorted(ratios, iters, 1 - (1 - level) / 2);
}

void vfio_bootstrap_ratio_ci(const double *a, size_t na, const double *b,
			     size_t nb, double level, int iters, uint64_t seed,
			     double *lo, double *hi)
{
	struct vfio_samples sa = { a, NULL, na }, sb = { b, NULL, nb };

	vfio_bootstrap_ratio_ci_blocks(&sa, &sb, level, iters, seed, lo, hi);
}

/* The regularized incomplete beta I_x(a, b), by Lentz's continued fraction. */
static double betacf(double a, double b, double x)
{
	double c = 1, d = 1 - (a + b) * x / (a + 1), h, num;
	int m;

	d = 1 / (fabs(d) < 1e-300 ? 1e-300 : d);
	h = d;
	for (m = 1; m <= 300; m++) {
		num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
		d = 1 + num * d;
		c = 1 + num / c;
		d = 1 / (fabs(d) < 1e-300 ? 1e-300 : d);
		h *= d * (fabs(c) < 1e-300 ? 1e-300 : c);
		num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
		d = 1 + num * d;
		c = 1 + num / c;
		d = 1 / (fabs(d) < 1e-300 ? 1e-300 : d);
		h *= d * (fabs(c) < 1e-300 ? 1e-300 : c);
	}
	return h;
}

static double ibeta(double a, double b, double x)
{
	double front;

	if (x <= 0 || x >= 1)
		return x <= 0 ? 0 : 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) +
		    a * log(x) + b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return front * betacf(a, b, x) / a;
	return 1 - front * betacf(b, a, 1 - x) / b;
}

/* Two-sided p of Student's t with @df degrees of freedom. */
static double t_two_sided_p(double t, double df)
{
	return ibeta(df / 2, 0.5, df / (df + t * t));
}

/* The t with two-sided p @p at @df, by bisection (p falls as t grows). */
static double t_quantile(double p, double df)
{
	double lo = 0, hi = 1e3, mid;
	int i;

	for (i = 0; i < 100; i++) {
		mid = (lo + hi) / 2;
		if (t_two_sided_p(mid, df) > p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/* Mean and variance of the logs of each block's median. */
static void block_log_medians(const struct blocks *b, double *mean,
			      double *var)
{
	static double buf[MAX_SAMPLES];
	double l[MAX_SAMPLES], sum = 0, sq = 0;
	size_t i;

	for (i = 0; i < b->nr; i++) {
		memcpy(buf, b->x + b->start[i], b->len[i] * sizeof(*buf));
		qsort(buf, b->len[i], sizeof(*buf), cmp_double);
		l[i] = log(vfio_quantile_sorted(buf, b->len[i], 0.5));
		sum += l[i];
	}
	*mean = sum / b->nr;
	for (i = 0; i < b->nr; i++)
		sq += (l[i] - *mean) * (l[i] - *mean);
	*var = sq / (b->nr - 1);
}

/*
 * Pooled boots, two or more a side: the unit is a boot's median.  Under
 * TCG a boot moves as a whole, so its samples are not independent draws,
 * and within one boot they can be bimodal; a boot's median is steady.
 * Welch's t test on the logs gives p, the ratio (of geometric means) and
 * its 95% CI; with too little spread to estimate (identical boots) it
 * says nothing.
 */
static bool compare_boots(const struct blocks *a, const struct blocks *b,
			  struct vfio_comparison *c)
{
	double ma, va, mb, vb, se2, df, t, q;

	block_log_medians(a, &ma, &va);
	block_log_medians(b, &mb, &vb);
	se2 = va / a->nr + vb / b->nr;
	if (!(se2 > 0) || !isfinite(ma) || !isfinite(mb))
		return false;
	df = se2 * se2 / (va * va / (a->nr * a->nr * (a->nr - 1.0)) +
			  vb * vb / (b->nr * b->nr * (b->nr - 1.0)));
	t = (mb - ma) / sqrt(se2);
	q = t_quantile(0.05, df);
	c->ratio = exp(mb - ma);
	c->p = t_two_sided_p(t, df);
	c->ci_lo = exp(mb - ma - q * sqrt(se2));
	c->ci_hi = exp(mb - ma + q * sqrt(se2));
	c->min_p = 0;
	c->by_boot = true;
	return true;
}

uint64_t vfio_seed_of(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	while (*name)
		h = (h ^ (unsigned char)*name++) * 0x100000001b3ULL;
	return h;
}

void vfio_compare_samples(const struct vfio_samples *a,
			  const struct vfio_samples *b, double alpha,
			  double floor, uint64_t seed, struct vfio_comparison *c)
{
	static struct blocks ba, bb;
	struct vfio_summary sa, sb;

	memset(c, 0, sizeof(*c));
	c->p = 1.0;
	c->verdict = VFIO_NOT_COMPARABLE;
	if (a->n < 2 || b->n < 2 || a->n > MAX_SAMPLES || b->n > MAX_SAMPLES)
		return;
	vfio_summarize(a->x, a->n, &sa);
	vfio_summarize(b->x, b->n, &sb);
	if (sa.median <= 0 || sb.median <= 0)
		return;
	find_blocks(a, &ba);
	find_blocks(b, &bb);
	if (ba.nr < 2 || bb.nr < 2 || !compare_boots(&ba, &bb, c)) {
		c->min_p = vfio_mann_whitney_min_p(a->n, b->n);
		c->ratio = sb.median / sa.median;
		c->p = vfio_mann_whitney_p(a->x, a->n, b->x, b->n);
		vfio_bootstrap_ratio_ci_blocks(a, b, 0.95, 2000, seed,
					       &c->ci_lo, &c->ci_hi);
	}
	/* Significant, past the floor, and the CI on the same side of 1. */
	if (c->p < alpha && c->ratio > 1.0 + floor && c->ci_lo > 1.0)
		c->verdict = VFIO_SLOWER;
	else if (c->p < alpha && c->ratio < 1.0 / (1.0 + floor) &&
		 c->ci_hi < 1.0)
		c->verdict = VFIO_FASTER;
	else
		c->verdict = VFIO_NO_CHANGE;
}

void vfio_compare(const double *a, size_t na, const double *b, size_t nb,
		  double alpha, double floor, struct vfio_comparison *c)
{
	struct vfio_samples sa = { a, NULL, na }, sb = { b, NULL, nb };

	vfio_compare_samples(&sa, &sb, alpha, floor, 0x5eed, c);
}

bool vfio_regressed(const struct vfio_comparison *c, double threshold)
{
	return c->verdict == VFIO_SLOWER && c->ci_lo > 1.0 + threshold;
}

const char *vfio_verdict_name(enum vfio_verdict v)
{
	static const char * const names[] = {
		[VFIO_NO_CHANGE] = "no change",
		[VFIO_FASTER] = "faster",
		[VFIO_SLOWER] = "slower",
		[VFIO_NOT_COMPARABLE] = "not comparable",
	};

	return v <= VFIO_NOT_COMPARABLE ? names[v] : "invalid";
}
