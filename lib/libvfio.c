// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-bench library core: error reporting, device selection and
 * address-space reservations.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libvfio.h"

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

const char *vfio_error(void)
{
	return last_error[0] ? last_error : "unknown error";
}

/* Parse exactly @digits hex digits (or 1..@digits when !exact). */
static const char *parse_hex(const char *s, int digits, bool exact,
			     unsigned int *val)
{
	int n = 0;

	*val = 0;
	while (n < digits && isxdigit((unsigned char)s[n])) {
		char c = tolower((unsigned char)s[n]);

		*val = *val * 16 + (isdigit(c) ? c - '0' : c - 'a' + 10);
		n++;
	}
	if (!n || (exact && n != digits))
		return NULL;
	return s + n;
}

int vfio_bdf_parse(const char *s, char out[VFIO_BDF_LEN])
{
	unsigned int dom = 0, bus, dev, fn;
	const char *p = s;

	errno = EINVAL;
	if (!s || strlen(s) > VFIO_BDF_LEN - 1)
		goto bad;
	/* With a domain there are two colons. */
	if (strchr(s, ':') != strrchr(s, ':')) {
		p = parse_hex(p, 4, false, &dom);
		if (!p || *p++ != ':')
			goto bad;
	}
	p = parse_hex(p, 2, true, &bus);
	if (!p || *p++ != ':')
		goto bad;
	p = parse_hex(p, 2, true, &dev);
	if (!p || *p++ != '.' || dev > 0x1f)
		goto bad;
	p = parse_hex(p, 1, true, &fn);
	if (!p || *p || fn > 7)
		goto bad;
	snprintf(out, VFIO_BDF_LEN, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return 0;
bad:
	return vfio_set_error("malformed BDF '%s': expected dddd:bb:dd.f (device <= 1f, function <= 7)",
			      s ? s : "(null)");
}

bool vfio_bdf_like(const char *s)
{
	return s && s[0] != '-' && strchr(s, ':');
}

static void bdf_usage_skip(const char *prog)
{
	printf("1..0 # SKIP %s: no device given: pass BDFs as trailing arguments or in VFIO_SELFTESTS_BDF (bind them with scripts/run.sh -d BDF -- %s)\n",
	       prog, prog);
	exit(KSFT_SKIP);
}

static int add_bdf(const char *s, char bdfs[][VFIO_BDF_LEN], int n, int max)
{
	if (n >= max)
		VFIO_EXIT(KSFT_FAIL, "more than %d devices given", max);
	if (vfio_bdf_parse(s, bdfs[n]))
		VFIO_EXIT(KSFT_FAIL, "%s", vfio_error());
	return n + 1;
}

/* Trailing BDF arguments, else $VFIO_SELFTESTS_BDF; 0 when neither. */
static int find_bdfs(int *argc, char *argv[], char bdfs[][VFIO_BDF_LEN],
		     int max)
{
	char *env, *list, *tok, *save = NULL;
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

	env = getenv("VFIO_SELFTESTS_BDF");
	if (!env)
		return 0;
	list = strdup(env);
	if (!list)
		VFIO_EXIT(KSFT_FAIL, "out of memory");
	for (tok = strtok_r(list, " \t,", &save); tok;
	     tok = strtok_r(NULL, " \t,", &save))
		n = add_bdf(tok, bdfs, n, max);
	free(list);
	return n;
}

int vfio_selftests_get_bdfs(int *argc, char *argv[],
			    char bdfs[][VFIO_BDF_LEN], int max)
{
	int n = find_bdfs(argc, argv, bdfs, max);

	if (!n)
		bdf_usage_skip(argv[0]);
	return n;
}

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

void *mmap_reserve(size_t size, size_t align, size_t offset)
{
	size_t page = getpagesize(), head, tail, len;
	uintptr_t base, va;
	void *p;

	if (!size || align < page || !is_pow2(align) || offset % page) {
		errno = EINVAL;
		vfio_set_error("%s(%#zx, %#zx, %#zx): size must be non-zero, align a power of two >= page, offset page-aligned",
			       __func__, size, align, offset);
		return MAP_FAILED;
	}
	size = align_up(size, page);
	if (size > SIZE_MAX - align) {
		errno = ENOMEM;
		vfio_set_error("%s: %#zx + %#zx overflows", __func__, size, align);
		return MAP_FAILED;
	}
	/* PROT_NONE and NORESERVE: regions can be larger than memory. */
	len = size + align;
	p = mmap(NULL, len, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		vfio_set_error("%s: cannot reserve %#zx bytes: %s",
			       __func__, len, strerror(errno));
		return MAP_FAILED;
	}
	base = (uintptr_t)p;
	va = base + ((offset - base) & (align - 1));
	head = va - base;
	tail = len - head - size;
	if (head)
		munmap(p, head);
	if (tail)
		munmap((void *)(va + size), tail);
	return (void *)va;
}
