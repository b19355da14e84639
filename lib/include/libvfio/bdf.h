/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCI addresses (BDFs) and how tests are told which devices to use.
 */
#ifndef LIBVFIO_BDF_H
#define LIBVFIO_BDF_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The longest name Linux gives a PCI device, "ffffffff:bb:dd.f", plus NUL:
 * domains are 32 bits, printed with %04x (VMD's start at 0x10000).
 */
#define VFIO_BDF_LEN 17
#define VFIO_MAX_BDFS 16

/*
 * Parse "dddd:bb:dd.f" or "bb:dd.f" (hex, any case) into the canonical
 * lowercase form with a domain, the device's name in sysfs.  The domain
 * has 1 to 4 digits, or 5 to 8 with no leading zero (as %04x prints
 * them).  Returns 0 or -EINVAL with vfio_error().
 */
int vfio_bdf_parse(const char *s, char out[VFIO_BDF_LEN]);

/* True when @s is meant as a BDF: it contains a ':' and no option dash. */
bool vfio_bdf_like(const char *s);

/*
 * The devices a test runs on: the trailing BDF arguments (removed from
 * argv so the kselftest harness never sees them), else the space-separated
 * list in $VFIO_SELFTESTS_BDF.  Returns how many were found; with none,
 * or a malformed one, prints a one-line how-to and exits (KSFT_SKIP for
 * none, KSFT_FAIL for a malformed BDF).
 */
int vfio_selftests_get_bdfs(int *argc, char *argv[],
			    char bdfs[][VFIO_BDF_LEN], int max);

/* The same for tests that take exactly one device: the last one given. */
const char *vfio_selftests_get_bdf(int *argc, char *argv[]);

/* As vfio_selftests_get_bdf(), for tests with host cases: NULL if none. */
const char *vfio_selftests_find_bdf(int *argc, char *argv[]);

/*
 * For tests of several devices at once: the devices given, as above,
 * then the others in $VFIO_SELFTESTS_ALL_BDFS, which run.sh sets to every
 * device it bound (suite.sh runs a binary once per device, each with one
 * in $VFIO_SELFTESTS_BDF).  How many; 0 when none was given.
 */
int vfio_selftests_find_all_bdfs(int *argc, char *argv[],
				 char bdfs[][VFIO_BDF_LEN], int max);

/* The run.sh to bind devices with: ./run.sh beside an installed binary. */
const char *vfio_run_sh(void);

#endif /* LIBVFIO_BDF_H */
