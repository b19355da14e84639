// SPDX-License-Identifier: GPL-2.0
/*
 * compare on results files written by the results writer: a cell that
 * failed, vanished or faults more after is a regression, named; files
 * that differ in their run parameters are an error; a file against
 * itself is no change.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "analysis/compare.h"
#include "analysis/error.h"
#include "analysis/results.h"
#include "analysis/stats.h"
#include "kselftest_harness.h"

#define REPS 8

static void cell(struct vfio_cell_result *c, const char *name, double t,
		 long long faults, struct vfio_rng *r)
{
	int i;

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->api, sizeof(c->api), "type1v2");
	snprintf(c->backing, sizeof(c->backing), "bar");
	snprintf(c->state, sizeof(c->state), "fresh");
	c->size = 1ULL << 31;
	c->want_faults = -1;
	c->n = REPS;
	for (i = 0; i < REPS; i++) {
		c->s[VFIO_SERIES_MAP][i] = t * exp(0.02 * vfio_rng_normal(r));
		c->s[VFIO_SERIES_UNMAP][i] = t / 10 * exp(0.02 * vfio_rng_normal(r));
		c->s[VFIO_SERIES_CALIB][i] = 2.5e-4;
		c->s[VFIO_SERIES_MINFLT][i] = faults;
		c->s[VFIO_SERIES_PMD][i] = VFIO_RESULTS_ABSENT;
		c->s[VFIO_SERIES_PUD][i] = VFIO_RESULTS_ABSENT;
		c->s[VFIO_SERIES_PINS][i] = 0;
		c->s[VFIO_SERIES_IOMMU_MAPS][i] = 1;
		c->s[VFIO_SERIES_KINSNS][i] = VFIO_RESULTS_ABSENT;	/* TCG */
	}
}

FIXTURE(files) {
	struct vfio_results r;
	struct vfio_cell_result cells[3];
	char before[64], after[64];
	char *out;
};

/* Three cells of a kernel, written as "before"; @self->r is "after". */
FIXTURE_SETUP(files)
{
	struct vfio_rng rng = { 1 };

	cell(&self->cells[0], "type1v2/bar-pmd/2G/fresh", 3.3e-3, 1024, &rng);
	cell(&self->cells[1], "type1v2/bar-pa/2G/fresh", 2e-4, 2, &rng);
	cell(&self->cells[2], "type1v2/thp/64M/prefaulted", 3.5e-4, 0, &rng);
	/* One boot a side: judged only where the clock's spread is known. */
	self->r = (struct vfio_results){
		.reps = REPS, .warmup = 1, .node = -1, .bar = 2,
		.size = 64 << 20, .nr_cells = 3, .cells = self->cells,
		.timebase = "icount",
	};
	snprintf(self->before, sizeof(self->before), "/tmp/compare_test.%d.a.json",
		 getpid());
	snprintf(self->after, sizeof(self->after), "/tmp/compare_test.%d.b.json",
		 getpid());
	ASSERT_EQ(0, vfio_results_write(self->before, &self->r, NULL, NULL))
		TH_LOG("%s", analysis_error());
	self->out = NULL;
}

FIXTURE_TEARDOWN(files)
{
	unlink(self->before);
	unlink(self->after);
	free(self->out);
}

/* Write @r as "after", compare under @o, keep the output in @out. */
static int compare_opts(const struct vfio_results *r, const char *before,
			const char *after, char **out,
			const struct vfio_compare_opts *o)
{
	size_t len;
	FILE *f;
	int ret;

	if (vfio_results_write(after, r, NULL, NULL))
		return -1;
	free(*out);
	f = open_memstream(out, &len);
	ret = vfio_compare_files(before, after, o, f);
	fclose(f);
	return ret;
}

static int compare(const struct vfio_results *r, const char *before,
		   const char *after, char **out)
{
	struct vfio_compare_opts o = VFIO_COMPARE_DEFAULTS;

	return compare_opts(r, before, after, out, &o);
}

#define run(self) compare(&(self)->r, (self)->before, (self)->after, &(self)->out)

static void scale_map(struct vfio_cell_result *c, double by)
{
	int i;

	for (i = 0; i < c->n; i++)
		c->s[VFIO_SERIES_MAP][i] *= by;
}

TEST_F(files, identical_is_no_regression)
{
	ASSERT_EQ(VFIO_COMPARE_OK, run(self)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "0 regressed"));
	EXPECT_EQ(NULL, strstr(self->out, "REGRESSION"));
}

TEST_F(files, failed_cell_is_a_regression)
{
	self->cells[1].status = VFIO_CELL_FAIL;
	self->cells[1].n = 0;
	snprintf(self->cells[1].reason, sizeof(self->cells[1].reason),
		 "MAP_DMA: Bad address");
	ASSERT_EQ(VFIO_COMPARE_REGRESSED, run(self)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out,
			       "type1v2/bar-pa/2G/fresh            cell"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out,
			       "FAILED in after: MAP_DMA: Bad address REGRESSION"));
	EXPECT_NE(NULL, strstr(self->out, "1 regressed"));
}

TEST_F(files, missing_cell_is_a_regression)
{
	self->r.nr_cells = 2;		/* the prefaulted THP cell is gone */
	ASSERT_EQ(VFIO_COMPARE_REGRESSED, run(self)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "type1v2/thp/64M/prefaulted"));
	EXPECT_NE(NULL, strstr(self->out, "MISSING in after REGRESSION"));
}

TEST_F(files, more_faults_is_a_regression)
{
	int i;

	for (i = 0; i < REPS; i++)
		self->cells[0].s[VFIO_SERIES_MINFLT][i] = 524288;
	ASSERT_EQ(VFIO_COMPARE_REGRESSED, run(self)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out,
			       "faults 1024..1024 -> 524288..524288 CHANGED REGRESSION"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "1 regressed (times: slower at p < "));
	EXPECT_NE(NULL, strstr(self->out, "beyond +1.5%): type1v2/bar-pmd/2G/fresh"));
}

/* Fewer faults is CHANGED, said, but no regression. */
TEST_F(files, fewer_faults_is_changed)
{
	int i;

	for (i = 0; i < REPS; i++)
		self->cells[0].s[VFIO_SERIES_MINFLT][i] = 2;
	ASSERT_EQ(VFIO_COMPARE_OK, run(self)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "faults 1024..1024 -> 2..2 CHANGED"));
}

TEST_F(files, new_cell_is_listed)
{
	struct vfio_rng rng = { 2 };
	struct vfio_cell_result more[4];

	memcpy(more, self->cells, sizeof(self->cells));
	cell(&more[3], "iommufd/bar-dmabuf/2G/fresh", 1e-5, 0, &rng);
	self->r.cells = more;
	self->r.nr_cells = 4;
	ASSERT_EQ(VFIO_COMPARE_OK, run(self)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "new in after"));
	self->r.cells = self->cells;
}

/* Twice as slow, clearly: a regression of its time. */
TEST_F(files, slower_is_a_regression)
{
	int i;

	for (i = 0; i < REPS; i++)
		self->cells[2].s[VFIO_SERIES_MAP][i] *= 2;
	ASSERT_EQ(VFIO_COMPARE_REGRESSED, run(self)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "slower REGRESSION"));
}

/* Another buffer size or warm-up: not comparable at all, exit 2. */
TEST_F(files, other_parameters_are_an_error)
{
	self->r.size = 128 << 20;
	EXPECT_EQ(VFIO_COMPARE_ERROR, run(self));
	EXPECT_NE(NULL, strstr(analysis_error(), "run parameters differ"));
	self->r.size = 64 << 20;
	self->r.warmup = 0;
	EXPECT_EQ(VFIO_COMPARE_ERROR, run(self));
}

/*
 * Every sample counts: one MAP_DMA of eight that took the 4 KiB path
 * is a change, though the median did not move.
 */
TEST_F(files, faults_judged_on_every_sample)
{
	self->cells[0].s[VFIO_SERIES_MINFLT][3] = 524288;
	ASSERT_EQ(VFIO_COMPARE_REGRESSED, run(self)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out,
			       "faults 1024..1024 -> 1024..524288 CHANGED REGRESSION"))
		TH_LOG("%s", self->out);
}

/* More calls into the IOMMU for the same BAR map: the work rose. */
TEST_F(files, more_iommu_maps_is_a_regression)
{
	int i;

	for (i = 0; i < REPS; i++)
		self->cells[1].s[VFIO_SERIES_IOMMU_MAPS][i] = 2;
	ASSERT_EQ(VFIO_COMPARE_REGRESSED, run(self)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "iommu_maps 1..1 -> 2..2 CHANGED REGRESSION"))
		TH_LOG("%s", self->out);
}

/* Kernel instructions, where a PMU counts them, are judged as times. */
TEST_F(files, more_kernel_instructions_is_a_regression)
{
	int i;

	for (i = 0; i < REPS; i++)
		self->cells[2].s[VFIO_SERIES_KINSNS][i] = 4e6 + i;
	/* @self->r as it is now becomes "before". */
	ASSERT_EQ(0, vfio_results_write(self->before, &self->r, NULL, NULL));
	for (i = 0; i < REPS; i++)
		self->cells[2].s[VFIO_SERIES_KINSNS][i] = 4.4e6 + i;
	ASSERT_EQ(VFIO_COMPARE_REGRESSED, run(self)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "map_Minsns")) TH_LOG("%s", self->out);
}

/*
 * The THP-alignment fix as compare sees it: 524,288 faults become 1,024
 * PMD inserts.  Fewer faults is a change; more PMD inserts is how they
 * went away, a change, never a regression.
 */
TEST_F(files, huge_inserts_replacing_faults_is_no_regression)
{
	int i;

	for (i = 0; i < REPS; i++) {
		self->cells[0].s[VFIO_SERIES_MINFLT][i] = 524288;
		self->cells[0].s[VFIO_SERIES_PMD][i] = 0;
	}
	/* @self->r as it is now becomes "before". */
	ASSERT_EQ(0, vfio_results_write(self->before, &self->r, NULL, NULL));
	for (i = 0; i < REPS; i++) {
		self->cells[0].s[VFIO_SERIES_MINFLT][i] = 1024;
		self->cells[0].s[VFIO_SERIES_PMD][i] = 1024;
	}
	ASSERT_EQ(VFIO_COMPARE_OK, run(self)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "pmd_inserts 0..0 -> 1024..1024 CHANGED\n"))
		TH_LOG("%s", self->out);
}

/*
 * A count that already varies before (IOMMU map calls of fresh memory
 * follow where the allocator put the pages) is no exact count there.
 */
TEST_F(files, varying_count_not_judged)
{
	int i;

	for (i = 0; i < REPS; i++)
		self->cells[2].s[VFIO_SERIES_IOMMU_MAPS][i] = 10 + i;
	/* @self->r as it is now becomes "before". */
	ASSERT_EQ(0, vfio_results_write(self->before, &self->r, NULL, NULL));
	for (i = 0; i < REPS; i++)
		self->cells[2].s[VFIO_SERIES_IOMMU_MAPS][i] = 30 + i;
	ASSERT_EQ(VFIO_COMPARE_OK, run(self)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "varies before (10..17): not an exact count here"))
		TH_LOG("%s", self->out);
}

/*
 * A cell that failed (or was skipped) before cannot say whether after
 * is slower: the run cannot be judged, exit 2, the cell named; never a
 * quiet "ran only in after" and exit 0.
 */
TEST_F(files, failed_before_cannot_be_judged)
{
	self->cells[2].status = VFIO_CELL_FAIL;
	/* @self->r as it is now becomes "before". */
	ASSERT_EQ(0, vfio_results_write(self->before, &self->r, NULL, NULL));
	self->cells[2].status = VFIO_CELL_OK;
	scale_map(&self->cells[2], 3);
	ASSERT_EQ(VFIO_COMPARE_ERROR, run(self)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "cannot judge: FAILED in before"));
	EXPECT_NE(NULL, strstr(self->out, "cannot judge 1 cells: type1v2/thp/64M/prefaulted"));
}

TEST_F(files, skipped_before_cannot_be_judged)
{
	self->cells[1].status = VFIO_CELL_SKIP;
	/* @self->r as it is now becomes "before". */
	ASSERT_EQ(0, vfio_results_write(self->before, &self->r, NULL, NULL));
	self->cells[1].status = VFIO_CELL_OK;
	ASSERT_EQ(VFIO_COMPARE_ERROR, run(self)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "cannot judge: SKIPPED in before"));
}

/* One sample a side: said, and not judged, however far apart. */
TEST_F(files, one_sample_a_side_warned)
{
	int i;

	for (i = 0; i < 3; i++)
		self->cells[i].n = 1;
	/* @self->r as it is now becomes "before". */
	ASSERT_EQ(0, vfio_results_write(self->before, &self->r, NULL, NULL));
	scale_map(&self->cells[2], 3);
	ASSERT_EQ(VFIO_COMPARE_OK, run(self)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "not judged: fewer than 2 samples a side"));
	EXPECT_NE(NULL, strstr(self->out, "warning: 6 time rows not judged: fewer than 2 samples"));
}

/*
 * Under the wall clock one boot a side is never judged: boots land
 * apart by more than a boot's samples show.  Pooled boots are.
 */
TEST_F(files, wall_clock_one_boot_not_judged)
{
	snprintf(self->r.timebase, sizeof(self->r.timebase), "wall");
	/* @self->r as it is now becomes "before". */
	ASSERT_EQ(0, vfio_results_write(self->before, &self->r, NULL, NULL));
	scale_map(&self->cells[2], 3);
	ASSERT_EQ(VFIO_COMPARE_OK, run(self)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "not judged: one boot a side"));
	EXPECT_NE(NULL, strstr(self->out, "warning: 6 time rows not judged: one boot a side under the wall clock"));
}

/*
 * With the boot-to-boot spread given (-s), one wall-clock boot a side is
 * judged; the cell found is the one named in the regressed array, not a
 * cell whose name it begins (power.c reads that array).
 */
TEST_F(files, given_spread_judges_one_boot_and_names_the_cell)
{
	struct vfio_compare_opts o = VFIO_COMPARE_DEFAULTS;
	bool regressed[3] = { false };

	snprintf(self->r.timebase, sizeof(self->r.timebase), "wall");
	/* @self->r as it is now becomes "before". */
	ASSERT_EQ(0, vfio_results_write(self->before, &self->r, NULL, NULL));
	scale_map(&self->cells[2], 3);
	o.between = 0.05;
	o.regressed = regressed;
	ASSERT_EQ(VFIO_COMPARE_REGRESSED, compare_opts(&self->r, self->before,
						       self->after, &self->out, &o))
		TH_LOG("%s", self->out);
	EXPECT_FALSE(regressed[0]);
	EXPECT_FALSE(regressed[1]);
	EXPECT_TRUE(regressed[2]);
}

/* A timebase compare has no rules for: exit 2, named. */
TEST_F(files, unknown_timebase_is_an_error)
{
	snprintf(self->r.timebase, sizeof(self->r.timebase), "sundial");
	ASSERT_EQ(0, vfio_results_write(self->before, &self->r, NULL, NULL));
	EXPECT_EQ(VFIO_COMPARE_ERROR, run(self));
	EXPECT_NE(NULL, strstr(analysis_error(), "timebase 'sundial': wall or icount"))
		TH_LOG("%s", analysis_error());
}

/* Files of two clocks are two quantities: exit 2, said. */
TEST_F(files, other_timebase_is_an_error)
{
	snprintf(self->r.timebase, sizeof(self->r.timebase), "wall");
	EXPECT_EQ(VFIO_COMPARE_ERROR, run(self));
	EXPECT_NE(NULL, strstr(analysis_error(), "timebase wall where the first has icount"))
		TH_LOG("%s", analysis_error());
}

/* -c on files without calib_s: the time cannot be judged, exit 2. */
TEST_F(files, calibrated_without_calib_is_an_error)
{
	struct vfio_compare_opts o = VFIO_COMPARE_DEFAULTS;
	int i;

	o.calibrated = true;
	for (i = 0; i < REPS; i++)
		self->cells[1].s[VFIO_SERIES_CALIB][i] = 0;	/* not measured */
	ASSERT_EQ(VFIO_COMPARE_ERROR, compare_opts(&self->r, self->before,
						   self->after, &self->out, &o))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "-c, but a side has no calib_s"));
}

/*
 * A full baseline against a run of one cell (bisect): with -A the cells
 * not run after are not judged; without, they are MISSING.
 */
TEST_F(files, after_only_judges_after_cells)
{
	struct vfio_compare_opts o = VFIO_COMPARE_DEFAULTS;

	o.after_only = true;
	self->r.nr_cells = 1;
	EXPECT_EQ(VFIO_COMPARE_REGRESSED, run(self)) TH_LOG("%s", self->out);
	ASSERT_EQ(VFIO_COMPARE_OK, compare_opts(&self->r, self->before,
						self->after, &self->out, &o))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "2 cells of before not run after"));
}

/* Two boots pooled on each side: the samples add up, by boot. */
TEST_F(files, boots_pool)
{
	struct vfio_results a = { 0 };

	ASSERT_EQ(0, vfio_results_read(self->before, &a));
	ASSERT_EQ(0, vfio_results_read(self->before, &a));
	EXPECT_EQ(2, a.nr_boots);
	EXPECT_EQ(2 * REPS, a.cells[0].n);
	EXPECT_EQ(0, a.cells[0].boot[REPS - 1]);
	EXPECT_EQ(1, a.cells[0].boot[REPS]);
	EXPECT_EQ(1024, a.cells[0].s[VFIO_SERIES_MINFLT][2 * REPS - 1]);
	EXPECT_EQ(VFIO_RESULTS_ABSENT, a.cells[0].s[VFIO_SERIES_PMD][REPS]);
	vfio_results_free(&a);
}

TEST_HARNESS_MAIN
