// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics for benchmark samples: summaries, Mann-Whitney U, bootstrap.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "libvfio.h"

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
};

static int cmp_ranked(const void *a, const void *b)
{
	return cmp_double(&((const struct ranked *)a)->v,
			  &((const struct ranked *)b)->v);
}

double vfio_mann_whitney_p(const double *a, size_t na, const double *b,
			   size_t nb)
{
	static struct ranked r[2 * MAX_SAMPLES];
	double ra = 0, ties = 0, n = na + nb, u, mu, var, z;
	size_t i, j, k;

	if (!na || !nb || na > MAX_SAMPLES || nb > MAX_SAMPLES)
		return 1.0;
	for (i = 0; i < na; i++)
		r[i] = (struct ranked){ a[i], 0 };
	for (i = 0; i < nb; i++)
		r[na + i] = (struct ranked){ b[i], 1 };
	qsort(r, na + nb, sizeof(r[0]), cmp_ranked);
	/* Average ranks over ties; sum the ranks of group a. */
	for (i = 0; i < na + nb; i = j) {
		for (j = i + 1; j < na + nb && r[j].v == r[i].v; j++)
			;
		for (k = i; k < j; k++)
			if (!r[k].group)
				ra += (i + j + 1) / 2.0;
		ties += pow(j - i, 3) - (j - i);
	}
	u = ra - na * (na + 1) / 2.0;
	mu = na * nb / 2.0;
	var = na * nb / 12.0 * ((n + 1) - ties / (n * (n - 1)));
	if (var <= 0)
		return 1.0;
	z = (fabs(u - mu) - 0.5) / sqrt(var);
	return z <= 0 ? 1.0 : erfc(z / M_SQRT2);
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

static double resampled_median(const double *x, size_t n, struct vfio_rng *r,
			       double *buf)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = x[vfio_rng_next(r) % n];
	qsort(buf, n, sizeof(*buf), cmp_double);
	return vfio_quantile_sorted(buf, n, 0.5);
}

void vfio_bootstrap_ratio_ci(const double *a, size_t na, const double *b,
			     size_t nb, double level, int iters, uint64_t seed,
			     double *lo, double *hi)
{
	static double ratios[10000], buf[MAX_SAMPLES];
	struct vfio_rng r = { seed };
	double ma;
	int i;

	/* Nothing to resample from: say so, rather than divide by zero. */
	if (!na || !nb || iters < 1) {
		*lo = *hi = NAN;
		return;
	}
	iters = iters < 10000 ? iters : 10000;
	na = na < MAX_SAMPLES ? na : MAX_SAMPLES;
	nb = nb < MAX_SAMPLES ? nb : MAX_SAMPLES;
	for (i = 0; i < iters; i++) {
		ma = resampled_median(a, na, &r, buf);
		ratios[i] = resampled_median(b, nb, &r, buf) / (ma > 0 ? ma : 1e-300);
	}
	qsort(ratios, iters, sizeof(ratios[0]), cmp_double);
	*lo = vfio_quantile_sorted(ratios, iters, (1 - level) / 2);
	*hi = vfio_quantile_sorted(ratios, iters, 1 - (1 - level) / 2);
}

void vfio_compare(const double *a, size_t na, const double *b, size_t nb,
		  double alpha, double floor, struct vfio_comparison *c)
{
	struct vfio_summary sa, sb;

	memset(c, 0, sizeof(*c));
	c->p = 1.0;
	c->verdict = VFIO_NOT_COMPARABLE;
	if (na < 3 || nb < 3)
		return;
	vfio_summarize(a, na, &sa);
	vfio_summarize(b, nb, &sb);
	if (sa.median <= 0)
		return;
	c->ratio = sb.median / sa.median;
	c->p = vfio_mann_whitney_p(a, na, b, nb);
	vfio_bootstrap_ratio_ci(a, na, b, nb, 0.95, 2000, 0x5eed, &c->ci_lo,
				&c->ci_hi);
	if (c->p < alpha && c->ci_lo > 1.0 + floor)
		c->verdict = VFIO_SLOWER;
	else if (c->p < alpha && c->ci_hi < 1.0 / (1.0 + floor))
		c->verdict = VFIO_FASTER;
	else
		c->verdict = VFIO_NO_CHANGE;
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
