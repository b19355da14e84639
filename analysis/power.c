// SPDX-License-Identifier: GPL-2.0
/*
 * compare's power and its false alarms on recorded boots (power.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/error.h"
#include "analysis/power.h"

/* A split's two sides, pooled from the boots, and a sink for the rows. */
struct split {
	struct vfio_results a, b;
	FILE *null;
};

static bool ran_everywhere(const struct vfio_results *boots, int nr,
			   const char *name)
{
	const struct vfio_cell_result *c;
	int k;

	for (k = 0; k < nr; k++) {
		c = vfio_results_cell(&boots[k], name);
		if (!c || c->status != VFIO_CELL_OK || !c->n)
			return false;
	}
	return true;
}

/* Pool the boots of @mask into @r, reusing its cells array. */
static int pool(struct vfio_results *r, const struct vfio_results *boots,
		int nr, unsigned int mask)
{
	struct vfio_cell_result *cells = r->cells;
	int k, ret = 0;

	memset(r, 0, sizeof(*r));
	r->cells = cells;
	for (k = 0; k < nr && !ret; k++)
		if (mask >> k & 1)
			ret = vfio_results_pool(r, &boots[k]);
	return ret;
}

/* @name's MAP_DMA times in @r scaled by @by. */
static void scale(struct vfio_results *r, const char *name, double by)
{
	struct vfio_cell_result *c =
		(struct vfio_cell_result *)vfio_results_cell(r, name);
	int i;

	for (i = 0; c && i < c->n; i++)
		c->s[VFIO_SERIES_MAP][i] *= by;
}

/* Whether the run of @t exits 1 and names before's cell @name. */
static bool found(struct split *t, const struct vfio_compare_opts *o,
		  const char *name)
{
	bool regressed[VFIO_RESULTS_MAX_CELLS] = { false };
	struct vfio_compare_opts judged = *o;
	const struct vfio_cell_result *c = vfio_results_cell(&t->a, name);

	judged.regressed = regressed;
	return vfio_compare_results(&t->a, &t->b, &judged, t->null) ==
	       VFIO_COMPARE_REGRESSED && c && regressed[c - t->a.cells];
}

/* One ordered split: A/A, then each cell and shift planted in after. */
static int judge_split(struct split *t, const struct vfio_results *boots,
		       int nr, unsigned int ma, unsigned int mb,
		       const struct vfio_power_opts *o, struct vfio_power *p)
{
	int c, s, ret;

	ret = pool(&t->a, boots, nr, ma);
	ret = ret ? ret : pool(&t->b, boots, nr, mb);
	if (ret)
		return ret;
	ret = vfio_compare_results(&t->a, &t->b, &o->cmp, t->null);
	p->aa_regressed += ret == VFIO_COMPARE_REGRESSED;
	p->aa_error += ret == VFIO_COMPARE_ERROR;
	p->splits++;
	for (c = 0; c < p->nr_cells; c++)
		for (s = 0; s < o->nr_shifts; s++) {
			scale(&t->b, p->cells[c].name, 1 + o->shifts[s]);
			p->cells[c].found[s] += found(t, &o->cmp, p->cells[c].name);
			scale(&t->b, p->cells[c].name, 1 / (1 + o->shifts[s]));
		}
	return 0;
}

static int splits(struct split *t, const struct vfio_results *boots, int nr,
		  const struct vfio_power_opts *o, struct vfio_power *p)
{
	unsigned int ma, mb;
	int ret = 0;

	for (ma = 0; ma < 1U << nr && !ret; ma++)
		for (mb = 0; mb < 1U << nr && !ret; mb++)
			if (__builtin_popcount(ma) == o->per_side &&
			    __builtin_popcount(mb) == o->per_side && !(ma & mb))
				ret = judge_split(t, boots, nr, ma, mb, o, p);
	return ret;
}

int vfio_power_measure(const struct vfio_results *boots, int nr,
		       const struct vfio_power_opts *o, struct vfio_power *p)
{
	struct split t = { 0 };
	int i, ret = -ENOMEM;

	memset(p, 0, sizeof(*p));
	if (nr > VFIO_POWER_MAX_BOOTS || o->per_side < 1 || nr < 2 * o->per_side ||
	    o->nr_shifts > VFIO_POWER_MAX_SHIFTS)
		return analysis_err(-EINVAL, "%d boots, %d a side: give 2 to %d boots, at least twice as many as a side",
				    nr, o->per_side, VFIO_POWER_MAX_BOOTS);
	for (i = 0; i < boots[0].nr_cells; i++)
		if (ran_everywhere(boots, nr, boots[0].cells[i].name))
			p->cells[p->nr_cells++].name = boots[0].cells[i].name;
	t.a.cells = calloc(VFIO_RESULTS_MAX_CELLS, sizeof(*t.a.cells));
	t.b.cells = calloc(VFIO_RESULTS_MAX_CELLS, sizeof(*t.b.cells));
	t.null = fopen("/dev/null", "w");
	if (t.a.cells && t.b.cells && t.null)
		ret = splits(&t, boots, nr, o, p);
	else
		analysis_err(-ENOMEM, "power: out of memory");
	if (t.null)
		fclose(t.null);
	free(t.a.cells);
	free(t.b.cells);
	return ret;
}

/* The smallest shift found in 9 runs of 10 or more, as text. */
static void smallest(const struct vfio_power *p, const struct vfio_power_cell *c,
		     const struct vfio_power_opts *o, char *buf, size_t len)
{
	int s;

	snprintf(buf, len, "none");
	for (s = 0; s < o->nr_shifts; s++)
		if (c->found[s] * 10 >= p->splits * 9) {
			snprintf(buf, len, "+%g%%", o->shifts[s] * 100);
			return;
		}
}

void vfio_power_print(const struct vfio_power *p,
		      const struct vfio_power_opts *o, FILE *out)
{
	char buf[32];
	int c, s;

	fprintf(out, "power: %d splits of %d boot(s) a side\n", p->splits,
		o->per_side);
	fprintf(out, "A/A: whole run exit 1 in %d of %d splits (%.1f%%), exit 2 in %d\n",
		p->aa_regressed, p->splits,
		p->splits ? 100.0 * p->aa_regressed / p->splits : 0,
		p->aa_error);
	fprintf(out, "%-36s", "cell: MAP_DMA slower by, found in");
	for (s = 0; s < o->nr_shifts; s++)
		fprintf(out, " %8s", (snprintf(buf, sizeof(buf), "+%g%%",
					       o->shifts[s] * 100), buf));
	fprintf(out, "  smallest in >= 90%%\n");
	for (c = 0; c < p->nr_cells; c++) {
		fprintf(out, "%-36s", p->cells[c].name);
		for (s = 0; s < o->nr_shifts; s++)
			fprintf(out, " %4d/%-3d", p->cells[c].found[s], p->splits);
		smallest(p, &p->cells[c], o, buf, sizeof(buf));
		fprintf(out, "  %s\n", buf);
	}
}
