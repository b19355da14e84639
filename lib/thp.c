// SPDX-License-Identifier: GPL-2.0
/*
 * The THP sysfs mode.  See libvfio/thp.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "libvfio/assert.h"
#include "libvfio/thp.h"

/* The word in brackets: "always [madvise] never" is madvise. */
int __vfio_thp_mode(char *out, size_t len)
{
	char buf[128] = "", *open = NULL, *close = NULL;
	FILE *f = fopen(VFIO_THP_ENABLED, "r");

	snprintf(out, len, "absent");
	if (!f)
		return vfio_err(-errno, "cannot read %s: %s", VFIO_THP_ENABLED,
				strerror(errno));
	if (fgets(buf, sizeof(buf), f))
		open = strchr(buf, '[');
	if (open)
		close = strchr(open, ']');
	fclose(f);
	if (!close)
		return vfio_err(-EINVAL, "%s: no [mode] in \"%.*s\"",
				VFIO_THP_ENABLED, (int)strcspn(buf, "\n"), buf);
	snprintf(out, len, "%.*s", (int)(close - open - 1), open + 1);
	return 0;
}

void vfio_thp_mode(char *out, size_t len)
{
	VFIO_ASSERT_OK(__vfio_thp_mode(out, len));
}
