/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Known issues: failures that a kernel under test is known to have, lane
 * by lane, listed in tests/known-issues (installed as known-issues beside
 * the programs).  A CI lane names itself in VFIO_BENCH_LANE; a test that
 * fails there and has an entry for that lane reports XFAIL, one that
 * passes reports XPASS (the kernel was fixed: the entry can go).  Without
 * VFIO_BENCH_LANE nothing is known and a failure is a failure, which is
 * what run_kselftest.sh and 'make run_tests' users on other kernels get.
 *
 * One entry a line, four fields separated by '|' (blanks around them
 * are dropped); '#' starts a comment line:
 *
 *   LANE | TEST | REASON | FIX
 *
 * TEST is the harness's fixture.test (no variant: every IOMMU mode);
 * FIX points to the fix (a commit, a patch, a README section).
 */
#ifndef LIBVFIO_KNOWN_ISSUES_H
#define LIBVFIO_KNOWN_ISSUES_H

#include <stddef.h>

#define VFIO_KNOWN_ISSUES_FILE "known-issues"

struct vfio_known_issue {
	char lane[32];
	char test[96];
	char reason[256];
	char fix[256];
};

/*
 * One line of the file: 1 with @ki filled for an entry, 0 for a blank or
 * comment line, -EINVAL (vfio_error() says why) for anything else.
 */
int vfio_known_issue_parse(const char *line, struct vfio_known_issue *ki);

/*
 * The entry of @path for @lane and @test: 1 with @ki filled, 0 when there
 * is none, -errno when @path cannot be read or has a malformed line.
 */
int vfio_known_issue_find(const char *path, const char *lane,
			  const char *test, struct vfio_known_issue *ki);

/*
 * vfio_known_issue_find() for the lane in VFIO_BENCH_LANE, in the file
 * VFIO_BENCH_KNOWN_ISSUES names (default: known-issues beside the
 * running program).  0 without VFIO_BENCH_LANE.
 */
int vfio_known_issue_lookup(const char *test, struct vfio_known_issue *ki);

#endif /* LIBVFIO_KNOWN_ISSUES_H */
