/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Results in KCIDB's shape, the JSON that kernel CI systems submit to the
 * common reporting database (schema v5.3): a checkout, a build and tests,
 * one per benchmark cell carrying its number and one per result of the
 * suite's log.  kcidb_check.h checks such a document.
 */
#ifndef ANALYSIS_KCIDB_H
#define ANALYSIS_KCIDB_H

#include <stdio.h>

#include "kcidb_check.h"

struct vfio_kcidb_opts {
	const char *origin;	/* the CI system submitting: [a-z0-9_]+ */
	/* the checkout's id after "origin:"; NULL: the kernel release */
	const char *checkout;
	const char *build;	/* the build's; NULL: checkout.machine */
	const char *suite_log;	/* suite.sh's output; NULL: cells only */
};

/*
 * One KCIDB document for the results files @paths (of one kernel) and
 * the suite's log, on @out.  -EINVAL with the reason in analysis_error()
 * for a bad origin, an unreadable file or files of different kernels;
 * nothing is written then.
 */
int vfio_kcidb_export(const char * const *paths, int nr,
		      const struct vfio_kcidb_opts *o, FILE *out);

#endif /* ANALYSIS_KCIDB_H */
