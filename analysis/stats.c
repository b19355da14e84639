// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics for benchmark samples: summaries, and the ratio of two
 * kernels' times judged at two levels, boots then repetitions.
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
 * The regularized incomplete beta I_x(a, b), by Lentz's continued
 * fraction, stopped once a step no longer moves it.
 */
static double betacf(double a, double b, double x)
{
	double c = 1, d = 1 - (a + b) * x / (a + 1), h, num, del;
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
		del = d * (fabs(c) < 1e-300 ? 1e-300 : c);
		h *= del;
		if (fabs(del - 1) < 1e-14)
			break;
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

/*
 * Two-sided p of Student's t with @df degrees of freedom; the normal's
 * from 1000 on, where they agree to 0.1% and the beta's fraction is slow.
 */
static double t_two_sided_p(double t, double df)
{
	if (df >= 1000)
		return erfc(fabs(t) / M_SQRT2);
	return ibeta(df / 2, 0.5, df / (df + t * t));
}

/* The t with two-sided p @p at @df, by bisection (p falls as t grows). */
static double t_quantile(double p, double df)
{
	double lo = 0, hi = 1e3, mid;
	int i;

	for (i = 0; i < 60; i++) {
		mid = (lo + hi) / 2;
		if (t_two_sided_p(mid, df) > p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

static double median_of(const double *x, size_t n)
{
	struct vfio_summary s;

	vfio_summarize(x, n, &s);
	return s.median;
}

/* The median of block @i of @b. */
static double block_median(const struct blocks *b, size_t i, double *buf)
{
	memcpy(buf, b->x + b->start[i], b->len[i] * sizeof(*buf));
	qsort(buf, b->len[i], sizeof(*buf), cmp_double);
	return vfio_quantile_sorted(buf, b->len[i], 0.5);
}

/*
 * The variance of the log of block @i's median from its samples' spread:
 * a median's variance is about pi/2 times a mean's.
 */
static double within_var(const struct blocks *b, size_t i)
{
	double sum = 0, sq = 0, l, m;
	size_t j, n = b->len[i];

	if (n < 2)
		return 0;
	for (j = 0; j < n; j++)
		sum += log(b->x[b->start[i] + j]);
	m = sum / n;
	for (j = 0; j < n; j++) {
		l = log(b->x[b->start[i] + j]) - m;
		sq += l * l;
	}
	return M_PI / 2 * sq / (n - 1) / n;
}

/* One side: the mean of its boots' log medians, that mean's variance. */
struct side {
	double mean, var, df;	/* df: INFINITY where the variance is known */
};

/*
 * Two levels, boots then repetitions.  Two boots or more: the boots'
 * medians give the mean and, by their spread, its variance, which
 * holds the spread within each boot too; never less than @between says
 * boots of this clock differ by (three identical boots do not prove the
 * fourth).  One boot: its median, and a variance of @between^2 plus its
 * own median's; false when @between is unknown (< 0): one boot's samples
 * cannot tell how far the next boot lands.
 */
static bool estimate_side(const struct blocks *b, double between, double *buf,
			  struct side *s)
{
	double sum = 0, sq = 0, l[MAX_SAMPLES];
	size_t i, k = b->nr;

	for (i = 0; i < k; i++) {
		l[i] = log(block_median(b, i, buf));
		sum += l[i];
	}
	s->mean = sum / k;
	if (!isfinite(s->mean) || (k < 2 && between < 0))
		return false;
	if (k < 2) {
		s->var = between * between + within_var(b, 0);
		s->df = INFINITY;
		return true;
	}
	for (i = 0; i < k; i++)
		sq += (l[i] - s->mean) * (l[i] - s->mean);
	s->var = sq / (k - 1) / k;
	s->df = k - 1;
	if (between >= 0 && s->var < between * between / k) {
		s->var = between * between / k;
		s->df = INFINITY;
	}
	return true;
}

/* Welch-Satterthwaite; known variances count as infinite df. */
static double welch_df(const struct side *a, const struct side *b)
{
	double se2 = a->var + b->var, den = 0;

	if (isfinite(a->df))
		den += a->var * a->var / a->df;
	if (isfinite(b->df))
		den += b->var * b->var / b->df;
	return den > 0 ? fmin(se2 * se2 / den, 1e5) : 1e5;
}

/* The ratio after / before of @a and @b, its p and (1 - @alpha) interval. */
static void ratio_of_sides(const struct side *a, const struct side *b,
			   double alpha, struct vfio_comparison *c)
{
	double d = b->mean - a->mean, se = sqrt(a->var + b->var), q, df;

	c->before = exp(a->mean);
	c->after = exp(b->mean);
	c->ratio = exp(d);
	if (!(se > 0)) {	/* both sides exact: any difference is real */
		c->p = d ? 0 : 1;
		c->ci_lo = c->ci_hi = c->ratio;
		return;
	}
	df = welch_df(a, b);
	q = t_quantile(alpha, df);
	c->p = t_two_sided_p(d / se, df);
	c->ci_lo = exp(d - q * se);
	c->ci_hi = exp(d + q * se);
}

uint64_t vfio_seed_of(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	while (*name)
		h = (h ^ (unsigned char)*name++) * 0x100000001b3ULL;
	return h;
}

/* Both sides cut into boots, with a buffer to sort one boot in. */
struct two_sides {
	struct blocks a, b;
	double buf[MAX_SAMPLES];
};

void vfio_compare_samples(const struct vfio_samples *a,
			  const struct vfio_samples *b,
			  const struct vfio_judge *j, struct vfio_comparison *c)
{
	struct side sa, sb;
	/* 100 KiB: on the heap, not on a caller's stack nor shared static. */
	struct two_sides *t;
	bool ok;

	memset(c, 0, sizeof(*c));
	c->p = 1.0;
	c->before = c->after = c->ratio = c->ci_lo = c->ci_hi = NAN;
	c->verdict = VFIO_NOT_COMPARABLE;
	if (a->n > MAX_SAMPLES || b->n > MAX_SAMPLES)
		return;
	if (a->n < 2 || b->n < 2) {	/* shown, never judged */
		c->before = a->n ? median_of(a->x, a->n) : NAN;
		c->after = b->n ? median_of(b->x, b->n) : NAN;
		c->ratio = c->after / c->before;
		return;
	}
	t = malloc(sizeof(*t));
	if (!t)
		return;
	find_blocks(a, &t->a);
	find_blocks(b, &t->b);
	c->boots_a = t->a.nr;
	c->boots_b = t->b.nr;
	ok = estimate_side(&t->a, j->between, t->buf, &sa);
	ok &= estimate_side(&t->b, j->between, t->buf, &sb);
	free(t);
	if (!ok) {
		/* Samples fine, one boot a side and no known spread: say so. */
		c->before = exp(sa.mean);
		c->after = exp(sb.mean);
		c->ratio = c->after / c->before;
		c->verdict = isfinite(c->ratio) ? VFIO_NOT_JUDGED :
						  VFIO_NOT_COMPARABLE;
		return;
	}
	ratio_of_sides(&sa, &sb, j->alpha, c);
	/* Significant, past the floor, and the interval on that side of 1. */
	if (c->p < j->alpha && c->ratio > 1.0 + j->floor && c->ci_lo > 1.0)
		c->verdict = VFIO_SLOWER;
	else if (c->p < j->alpha && c->ratio < 1.0 / (1.0 + j->floor) &&
		 c->ci_hi < 1.0)
		c->verdict = VFIO_FASTER;
	else
		c->verdict = VFIO_NO_CHANGE;
}
