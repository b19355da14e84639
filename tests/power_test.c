// SPDX-License-Identifier: GPL-2.0
/*
 * compare's power and false alarms, measured on real samples: boots of
 * one kernel recorded in the VM (in tests/fixtures/, a README with each
 * set), through analysis/power.c, judged run by run as compare judges
 * them (its exit code, the cell named).  The fixtures are wall-clock
 * boots: what compare promises there must hold on them; the figures in
 * the README come from `make power` on fresh boots, not from these.
 */
#include <stdio.h>

#include "analysis/compare.h"
#include "analysis/error.h"
#include "analysis/power.h"
#include "analysis/results.h"
#include "kselftest_harness.h"

#define MAX_BOOTS 8

/* Every boot in fixtures/@dir; the number read. */
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

FIXTURE(recorded) {
	struct vfio_results boots[MAX_BOOTS];
	struct vfio_power p;
	int nr;
};

/*
 * @aa_pct: the most A/A runs, in percent, that may exit 1.  Boots on a
 * quiet host are alike draws, and a run's rows share alpha: 5%.  On a
 * busy host the load drifts between boots, which no test of boots as
 * alike draws can hold to alpha; the bound is what a run can still
 * promise there.
 */
FIXTURE_VARIANT(recorded) {
	const char *dir;
	int aa_pct;
};

FIXTURE_VARIANT_ADD(recorded, iommufd_busy_host) {
	.dir = "aa",
	.aa_pct = 15,
};

FIXTURE_VARIANT_ADD(recorded, debian72_vm_compare) {
	.dir = "aa-7.2",
	.aa_pct = 5,
};

FIXTURE_VARIANT_ADD(recorded, iommufd_quiet_host) {
	.dir = "aa-quiet",
	.aa_pct = 5,
};

FIXTURE_SETUP(recorded)
{
	self->nr = read_boots(variant->dir, self->boots);
	ASSERT_LE(6, self->nr) TH_LOG("%d boots in the fixture: %s",
				      self->nr, analysis_error());
}

FIXTURE_TEARDOWN(recorded)
{
	int i;

	for (i = 0; i < self->nr; i++)
		vfio_results_free(&self->boots[i]);
}

/* The per-cell rates at @shift, summed: runs that found it. */
static int found(const struct vfio_power *p, int shift)
{
	int c, n = 0;

	for (c = 0; c < p->nr_cells; c++)
		n += p->cells[c].found[shift];
	return n;
}

/*
 * Wall-clock boots, one a side: nothing is judged, so nothing is found
 * and nothing falsely: the refusal, not a silent pass.
 */
TEST_F(recorded, one_boot_a_side_not_judged)
{
	struct vfio_power_opts o = { .per_side = 1, .nr_shifts = 1,
				     .shifts = { 1.00 },
				     .cmp = VFIO_COMPARE_DEFAULTS };

	ASSERT_EQ(0, vfio_power_measure(self->boots, self->nr, &o, &self->p))
		TH_LOG("%s", analysis_error());
	EXPECT_EQ(0, self->p.aa_regressed);
	EXPECT_EQ(0, found(&self->p, 0));
}

/*
 * Three boots a side, pooled: whole runs of one kernel exit 1 at most
 * the variant's bound, and a doubling of one cell is found, more often
 * than +10%.
 */
TEST_F_TIMEOUT(recorded, three_boots_a_side, 600)
{
	struct vfio_power_opts o = { .per_side = 3, .nr_shifts = 2,
				     .shifts = { 0.10, 1.00 },
				     .cmp = VFIO_COMPARE_DEFAULTS };
	int splits;

	ASSERT_EQ(0, vfio_power_measure(self->boots, self->nr, &o, &self->p))
		TH_LOG("%s", analysis_error());
	vfio_power_print(&self->p, &o, stdout);
	splits = self->p.splits;
	EXPECT_LE(self->p.aa_regressed * 100, splits * variant->aa_pct)
		TH_LOG("A/A: %d of %d runs exit 1", self->p.aa_regressed, splits);
	EXPECT_EQ(0, self->p.aa_error);
	EXPECT_LE(found(&self->p, 0), found(&self->p, 1));
	EXPECT_LT(0, found(&self->p, 1));
}

TEST_HARNESS_MAIN
