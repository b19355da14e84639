/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The analysis library's errors.  Its functions return 0 or -errno and
 * leave a one-line reason, which analysis_error() gives back.  A slot of
 * its own, not libvfio's: the programs that read results files link no
 * VFIO code.
 */
#ifndef ANALYSIS_ERROR_H
#define ANALYSIS_ERROR_H

#include "kselftest.h"		/* __printf(), as the kernel spells it */

/* Record why, set errno to -@err, return @err (-EINVAL if not negative). */
__printf(2, 3) int analysis_err(int err, const char *fmt, ...);
const char *analysis_error(void);

#endif /* ANALYSIS_ERROR_H */
