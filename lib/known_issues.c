// SPDX-License-Identifier: GPL-2.0
/*
 * Known issues, by lane.  See libvfio/known_issues.h.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libvfio/assert.h"
#include "libvfio/known_issues.h"

/* Copy [s, e) into @out without its surrounding blanks; false if empty. */
static bool field(const char *s, const char *e, char *out, size_t len)
{
	while (s < e && strchr(" \t", *s))
		s++;
	while (e > s && strchr(" \t\r\n", e[-1]))
		e--;
	snprintf(out, len, "%.*s", (int)(e - s), s);
	return e > s;
}

int vfio_known_issue_parse(const char *line, struct vfio_known_issue *ki)
{
	char *const out[] = { ki->lane, ki->test, ki->reason, ki->fix };
	const size_t len[] = { sizeof(ki->lane), sizeof(ki->test),
			       sizeof(ki->reason), sizeof(ki->fix) };
	const char *s = line + strspn(line, " \t"), *e;
	size_t i;

	memset(ki, 0, sizeof(*ki));
	if (!*s || *s == '#' || *s == '\n')
		return 0;
	for (i = 0; i < ARRAY_SIZE(out); i++) {
		e = i < ARRAY_SIZE(out) - 1 ? strchr(s, '|') : s + strlen(s);
		if (!e || !field(s, e, out[i], len[i]))
			return vfio_err(-EINVAL, "known issue \"%.*s\": want LANE | TEST | REASON | FIX",
					(int)strcspn(line, "\n"), line);
		s = e + 1;
	}
	if (strchr(ki->fix, '|'))
		return vfio_err(-EINVAL, "known issue \"%.*s\": more than four fields",
				(int)strcspn(line, "\n"), line);
	return 1;
}

int vfio_known_issue_find(const char *path, const char *lane,
			  const char *test, struct vfio_known_issue *ki)
{
	char line[1024], why[512];
	int n = 0, ret = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return vfio_err(-errno, "known issues: %s: %s", path,
				strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		n++;
		ret = vfio_known_issue_parse(line, ki);
		if (ret < 0) {
			/* vfio_err() writes where vfio_error() reads. */
			snprintf(why, sizeof(why), "%s", vfio_error());
			vfio_err(ret, "%s:%d: %s", path, n, why);
			break;
		}
		if (ret && !strcmp(ki->lane, lane) && !strcmp(ki->test, test))
			break;
		ret = 0;
	}
	fclose(f);
	return ret;
}

int vfio_known_issue_lookup(const char *test, struct vfio_known_issue *ki)
{
	const char *lane = getenv("VFIO_BENCH_LANE");
	const char *path = getenv("VFIO_BENCH_KNOWN_ISSUES");
	char self[PATH_MAX] = "", def[PATH_MAX + 16];
	ssize_t n;

	if (!lane || !*lane)
		return 0;
	if (!path || !*path) {
		/* Beside the program: where 'make install' puts it. */
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n < 0)
			return vfio_err(-errno, "known issues: /proc/self/exe: %s",
					strerror(errno));
		self[n] = '\0';
		snprintf(def, sizeof(def), "%s/%s", dirname(self),
			 VFIO_KNOWN_ISSUES_FILE);
		path = def;
	}
	return vfio_known_issue_find(path, lane, test, ki);
}
