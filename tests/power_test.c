// SPDX-License-Identifier: GPL-2.0
/*
 * compare's power and false alarms, measured on real samples: boots of
 * one kernel recorded in the VM (in tests/fixtures/, a README with each set).
 * Every split of them into a "before" and an "after" of ROUNDS boots each
 * is an A/A comparison; the same with every "after" sample scaled by
 * 1 + shift is a known slowdown.  Judged as compare judges MAP_DMA
 * times, with its defaults, on each cell under a second.
 */
#include <math.h>
#include <stdio.h>

#include "analysis/compare.h"
#include "analysis/error.h"
#include "analysis/results.h"
#include "analysis/stats.h"
#include "kselftest_harness.h"

#define ROUNDS 3		/* vm-compare.sh's default */
#define MAX_BOOTS 8

struct tally {
	int trials, flagged, detected;
	int powered;		/* cells that found the shift 9 times in 10 */
};

/* Every cell of every boot in fixtures/@dir; the number of boots read. */
static int read_boots(const char *dir, struct vfio_results *boots)
{
	char path[4096];
	int k;

	for (k = 0; k < MAX_BOOTS; k++) {
		snprintf(path, sizeof(path), "%s/tests/fixtures/%s/boot%d.json",
			 VFIO_SRC_DIR, dir, k + 1);
		if (access(path, R_OK))
			break;
		memset(&boots[k], 0, sizeof(boots[k]));
		if (vfio_results_read(path, &boots[k]))
			return -1;
	}
	return k;
}

/* The map samples of @name in the boots of @mask, scaled, by boot. */
static size_t pool(const struct vfio_results *boots, int nr, unsigned int mask,
		   const char *name, double scale, double *x, int *block)
{
	size_t n = 0;
	int k, i;

	for (k = 0; k < nr; k++) {
		const struct vfio_cell_result *c = vfio_results_cell(&boots[k], name);

		if (!(mask >> k & 1) || !c)
			continue;
		for (i = 0; i < c->n; i++) {
			x[n] = c->s[VFIO_SERIES_MAP][i] * scale;
			block[n++] = k;
		}
	}
	return n;
}

/* One split: A/A (when @shift is 0.1) and A against A scaled by 1 + @shift. */
static void judge(const struct vfio_results *boots, int nr, unsigned int ma,
		  unsigned int mb, const char *name, double shift,
		  struct tally *t)
{
	static double a[VFIO_RESULTS_MAX_REPS * MAX_BOOTS], b[VFIO_RESULTS_MAX_REPS * MAX_BOOTS];
	static int ba[VFIO_RESULTS_MAX_REPS * MAX_BOOTS], bb[VFIO_RESULTS_MAX_REPS * MAX_BOOTS];
	struct vfio_compare_opts o = VFIO_COMPARE_DEFAULTS;
	struct vfio_samples sa = { a, ba, 0 }, sb = { b, bb, 0 };
	struct vfio_comparison c;
	uint64_t seed = vfio_seed_of(name) + ma * 65537 + mb;

	sa.n = pool(boots, nr, ma, name, 1, a, ba);
	if (shift == 0.10) {
		sb.n = pool(boots, nr, mb, name, 1, b, bb);
		vfio_compare_samples(&sa, &sb, o.alpha, o.floor, seed, &c);
		t->flagged += c.verdict != VFIO_NO_CHANGE;
	}
	sb.n = pool(boots, nr, mb, name, 1 + shift, b, bb);
	vfio_compare_samples(&sa, &sb, o.alpha, o.floor, seed, &c);
	t->detected += c.verdict == VFIO_SLOWER;
	t->trials++;
}

/* A cell that ran in every boot, in under a second (its median). */
static bool sub_second(const struct vfio_results *boots, int nr,
		       const char *name)
{
	struct vfio_summary s;
	int k;

	for (k = 0; k < nr; k++) {
		const struct vfio_cell_result *c = vfio_results_cell(&boots[k], name);

		if (!c || c->status != VFIO_CELL_OK || !c->n)
			return false;
		vfio_summarize(c->s[VFIO_SERIES_MAP], c->n, &s);
		if (s.median >= 1.0)
			return false;
	}
	return true;
}

/* All splits of the boots into two disjoint sets of ROUNDS, all cells. */
static void measure(const struct vfio_results *boots, int nr, double shift,
		    struct tally *all, bool verbose)
{
	unsigned int ma, mb;
	int i;

	memset(all, 0, sizeof(*all));
	for (i = 0; i < boots[0].nr_cells; i++) {
		const char *name = boots[0].cells[i].name;
		struct tally t = { 0 };

		if (!sub_second(boots, nr, name))
			continue;
		for (ma = 0; ma < 1U << nr; ma++)
			for (mb = 0; mb < 1U << nr; mb++)
				if (__builtin_popcount(ma) == ROUNDS &&
				    __builtin_popcount(mb) == ROUNDS && !(ma & mb))
					judge(boots, nr, ma, mb, name, shift, &t);
		if (verbose)
			ksft_print_msg("%-34s +%.0f%% detected %2d/%d, A/A flagged %2d/%d\n",
				       name, shift * 100, t.detected, t.trials,
				       t.flagged, t.trials);
		all->trials += t.trials;
		all->flagged += t.flagged;
		all->detected += t.detected;
		all->powered += t.trials && t.detected * 10 >= t.trials * 9;
	}
}

FIXTURE(recorded) {
	struct vfio_results boots[MAX_BOOTS];
	int nr;
};

/* Each a set of boots of one kernel, with a README saying how. */
FIXTURE_VARIANT(recorded) {
	const char *dir;
	int powered;	/* cells at least that see +10% with 90% power */
};

FIXTURE_VARIANT_ADD(recorded, iommufd_busy_host) {
	.dir = "aa",
};

FIXTURE_VARIANT_ADD(recorded, debian72_vm_compare) {
	.dir = "aa-7.2",
};

/* On a quiet host the steady cells' boots agree to a few percent. */
FIXTURE_VARIANT_ADD(recorded, iommufd_quiet_host) {
	.dir = "aa-quiet",
	.powered = 2,
};

FIXTURE_SETUP(recorded)
{
	self->nr = read_boots(variant->dir, self->boots);
	ASSERT_LE(2 * ROUNDS, self->nr) TH_LOG("%d boots in the fixture: %s",
					       self->nr, analysis_error());
}

FIXTURE_TEARDOWN(recorded)
{
	int i;

	for (i = 0; i < self->nr; i++)
		vfio_results_free(&self->boots[i]);
}

/* Thousands of bootstraps: seconds, more under the sanitizers. */
TEST_F_TIMEOUT(recorded, power_and_false_alarms, 600)
{
	static const double shifts[] = { 0.10, 1.00 };
	struct tally t[2];
	int i;

	for (i = 0; i < 2; i++) {
		measure(self->boots, self->nr, shifts[i], &t[i], i == 0);
		ksft_print_msg("%d boots, %d a side, %d cell comparisons under 1 s: +%.0f%% detected %d (%.0f%%)\n",
			       self->nr, ROUNDS, t[i].trials, shifts[i] * 100,
			       t[i].detected, 100.0 * t[i].detected / t[i].trials);
	}
	ksft_print_msg("A/A: %d of %d flagged (%.1f%%); %d cells found +10%% in 90%% of splits or more\n",
		       t[0].flagged, t[0].trials,
		       100.0 * t[0].flagged / t[0].trials, t[0].powered);
	/* What compare promises whatever the noise: few false alarms. */
	EXPECT_GE(t[0].trials * 5, t[0].flagged * 100);
	/* And a larger slowdown is never found less often. */
	EXPECT_LE(t[0].detected, t[1].detected);
	/* Where boots are steady, a 10% change is seen: the power promised. */
	EXPECT_LE(variant->powered, t[0].powered);
}

TEST_HARNESS_MAIN
