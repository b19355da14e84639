// SPDX-License-Identifier: GPL-2.0
/*
 * PCI addresses (BDFs): parsing them, and finding the devices a test was
 * given on its command line or in $VFIO_SELFTESTS_BDF.
 */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libvfio/assert.h"
#include "libvfio/bdf.h"

/*
 * Parse 1..@max hex digits; *@n gets how many there were.  NULL when there
 * is none or more than @max follow.
 */
static const char *parse_hex(const char *s, int max, unsigned int *val,
			     int *n)
{
	*val = 0;
	for (*n = 0; isxdigit((unsigned char)s[*n]); (*n)++) {
		char c = tolower((unsigned char)s[*n]);

		if (*n == max)
			return NULL;
		*val = *val * 16 + (isdigit(c) ? c - '0' : c - 'a' + 10);
	}
	return *n ? s + *n : NULL;
}

/*
 * Linux names a PCI device "%04x:%02x:%02x.%d" with a domain of up to 32
 * bits: VMD puts its devices in domains from 0x10000 up.  So a domain is
 * 1 to 4 hex digits (short ones are padded), or 5 to 8 without a leading
 * zero, as only %04x prints them; the rest is exactly bb:dd.f.
 */
int vfio_bdf_parse(const char *s, char out[VFIO_BDF_LEN])
{
	unsigned int dom = 0, bus, dev, fn;
	const char *p = s;
	int n;

	if (!s || strlen(s) > VFIO_BDF_LEN - 1)
		goto bad;
	/* With a domain there are two colons. */
	if (strchr(s, ':') != strrchr(s, ':')) {
		p = parse_hex(p, 8, &dom, &n);
		if (!p || *p++ != ':' || (n > 4 && s[0] == '0'))
			goto bad;
	}
	p = parse_hex(p, 2, &bus, &n);
	if (!p || n != 2 || *p++ != ':')
		goto bad;
	p = parse_hex(p, 2, &dev, &n);
	if (!p || n != 2 || *p++ != '.' || dev > 0x1f)
		goto bad;
	p = parse_hex(p, 1, &fn, &n);
	if (!p || *p || fn > 7)
		goto bad;
	snprintf(out, VFIO_BDF_LEN, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return 0;
bad:
	return vfio_err(-EINVAL, "malformed BDF '%s': expected dddd:bb:dd.f (domain 4 to 8 hex digits as Linux prints it, device <= 1f, function <= 7)",
			s ? s : "(null)");
}

bool vfio_bdf_like(const char *s)
{
	return s && s[0] != '-' && strchr(s, ':');
}

/* How to bind a device for this binary: run.sh beside it, if there is one. */
const char *vfio_run_sh(void)
{
	static char path[PATH_MAX + 8];	/* returned: one per process */
	char exe[PATH_MAX], cwd[PATH_MAX], *dir;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return "scripts/run.sh";
	exe[n] = '\0';
	dir = dirname(exe);
	snprintf(path, sizeof(path), "%s/run.sh", dir);
	if (access(path, X_OK))
		return "scripts/run.sh";
	if (getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, dir))
		return "./run.sh";
	return path;
}

static void bdf_usage_skip(const char *prog)
{
	printf("1..0 # SKIP %s: no device given: pass BDFs as trailing arguments or in VFIO_SELFTESTS_BDF (bind them with %s -d BDF -- %s)\n",
	       prog, vfio_run_sh(), prog);
	exit(KSFT_SKIP);
}

/* A device given twice is taken once. */
static int add_bdf(const char *s, char bdfs[][VFIO_BDF_LEN], int n, int max)
{
	char bdf[VFIO_BDF_LEN];
	int i;

	if (vfio_bdf_parse(s, bdf))
		VFIO_EXIT(KSFT_FAIL, "%s", vfio_error());
	for (i = 0; i < n; i++)
		if (!strcmp(bdfs[i], bdf))
			return n;
	if (n >= max)
		VFIO_EXIT(KSFT_FAIL, "more than %d devices given", max);
	memcpy(bdfs[n], bdf, VFIO_BDF_LEN);
	return n + 1;
}

/* Add the BDFs of a space- or comma-separated list in @env, if set. */
static int add_env(const char *env, char bdfs[][VFIO_BDF_LEN], int n, int max)
{
	char *list, *tok, *save = NULL;

	if (!getenv(env))
		return n;
	list = strdup(getenv(env));
	if (!list)
		VFIO_EXIT(KSFT_FAIL, "out of memory");
	for (tok = strtok_r(list, " \t,", &save); tok;
	     tok = strtok_r(NULL, " \t,", &save))
		n = add_bdf(tok, bdfs, n, max);
	free(list);
	return n;
}

/* Trailing BDF arguments, else $VFIO_SELFTESTS_BDF; 0 when neither. */
static int find_bdfs(int *argc, char *argv[], char bdfs[][VFIO_BDF_LEN],
		     int max)
{
	int first = *argc, n = 0, i;

	/* Trailing BDF-like arguments belong to us, in order. */
	while (first > 1 && vfio_bdf_like(argv[first - 1]))
		first--;
	for (i = first; i < *argc; i++)
		n = add_bdf(argv[i], bdfs, n, max);
	*argc = first;
	argv[first] = NULL;
	if (n)
		return n;
	return add_env("VFIO_SELFTESTS_BDF", bdfs, 0, max);
}

int vfio_selftests_get_bdfs(int *argc, char *argv[],
			    char bdfs[][VFIO_BDF_LEN], int max)
{
	int n = find_bdfs(argc, argv, bdfs, max);

	if (!n)
		bdf_usage_skip(argv[0]);
	return n;
}

/* What vfio_selftests_get_bdf() returns points here: one per process. */
static char one_of_bdfs[VFIO_MAX_BDFS][VFIO_BDF_LEN];

const char *vfio_selftests_get_bdf(int *argc, char *argv[])
{
	int n = vfio_selftests_get_bdfs(argc, argv, one_of_bdfs, VFIO_MAX_BDFS);

	return one_of_bdfs[n - 1];
}

const char *vfio_selftests_find_bdf(int *argc, char *argv[])
{
	int n = find_bdfs(argc, argv, one_of_bdfs, VFIO_MAX_BDFS);

	return n ? one_of_bdfs[n - 1] : NULL;
}

int vfio_selftests_find_all_bdfs(int *argc, char *argv[],
				 char bdfs[][VFIO_BDF_LEN], int max)
{
	int n = find_bdfs(argc, argv, bdfs, max);

	return n ? add_env("VFIO_SELFTESTS_ALL_BDFS", bdfs, n, max) : 0;
}
