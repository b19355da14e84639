// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-bench library core: error reporting (see libvfio/assert.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "libvfio/assert.h"

static __thread char last_error[256];

/* Record a reason for the caller; returns -errno to allow "return set()". */
int vfio_set_error(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	errno = err;
	return err ? -err : -EINVAL;
}

/*
 * The library's error convention in one call: record why, leave -@err in
 * errno for callers that look there, and hand @err (a negative errno, as
 * every fallible library function returns) back:
 * "return vfio_err(-EINVAL, "...", ...);".
 */
int vfio_err(int err, const char *fmt, ...)
{
	va_list ap;

	if (err >= 0)
		err = -EINVAL;	/* a caller's slip must not read as success */
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	errno = -err;
	return err;
}

const char *vfio_error(void)
{
	return last_error[0] ? last_error : "unknown error";
}
