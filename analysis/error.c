// SPDX-License-Identifier: GPL-2.0
/*
 * The analysis library's error slot (analysis/error.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "analysis/error.h"

static char why[512];

int analysis_err(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	errno = err < 0 ? -err : EINVAL;
	return -errno;
}

const char *analysis_error(void)
{
	return why[0] ? why : "unknown error";
}
