/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A KCIDB document against the fields, types and patterns KCIDB's schema
 * (v5.3) documents, so that an export that the database would refuse is
 * caught before it is sent.
 */
#ifndef ANALYSIS_KCIDB_CHECK_H
#define ANALYSIS_KCIDB_CHECK_H

#include "json.h"

/* The schema version the export writes and the check accepts (minor up to). */
#define VFIO_KCIDB_MAJOR	5
#define VFIO_KCIDB_MINOR	3

/*
 * 0 when @root has KCIDB v5's shape: the version, and each checkout,
 * build and test with its required fields, only documented ones, each of
 * its type and pattern, no nulls, ids unique per list.  Else -EINVAL
 * naming the first field that is not.
 */
int vfio_kcidb_check(const struct json *root);

#endif /* ANALYSIS_KCIDB_CHECK_H */
