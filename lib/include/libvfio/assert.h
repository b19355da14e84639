/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Assertions and error reporting.
 *
 * Library functions that tests want both ways come in pairs: __foo()
 * returns 0 or -errno and leaves a one-line reason in vfio_error(); foo()
 * calls __foo() and fails the test with that reason.  The prefix means
 * just that: a function with no asserting twin has a plain name and
 * returns -errno all the same, and static helpers never start with __.
 * The assertions print file:line, the expression, both operands and
 * errno, then exit with KSFT_FAIL: inside the kselftest harness that
 * fails just the current test.
 */
#ifndef LIBVFIO_ASSERT_H
#define LIBVFIO_ASSERT_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest.h"

__printf(1, 2) int vfio_set_error(const char *fmt, ...);
__printf(2, 3) int vfio_err(int err, const char *fmt, ...);
const char *vfio_error(void);

/* Print one line to stderr and exit: the common end of every assertion. */
#define VFIO_EXIT(code, fmt, ...) do {					\
	fprintf(stderr, "%s:%u: " fmt "\n", __FILE__, __LINE__,	\
		##__VA_ARGS__);						\
	exit(code);							\
} while (0)

#define VFIO_FAIL(fmt, ...) VFIO_EXIT(KSFT_FAIL, fmt, ##__VA_ARGS__)

/*
 * The optional trailing arguments are a format string literal and its
 * arguments, printed on a second line to say what was being attempted.
 */
#define __VFIO_ASSERT_OP(a, op, b, ...) do {				\
	long long __a = (long long)(a);					\
	long long __b = (long long)(b);					\
	int __err = errno;						\
									\
	if (!(__a op __b)) {						\
		fprintf(stderr, "%s:%u: assertion '%s %s %s' failed: "	\
			"%s = %lld (%#llx), %s = %lld (%#llx), "	\
			"errno = %d (%s)\n", __FILE__, __LINE__,	\
			#a, #op, #b, #a, __a, (unsigned long long)__a,	\
			#b, __b, (unsigned long long)__b,		\
			__err, strerror(__err));			\
		fprintf(stderr, "  " __VA_ARGS__);			\
		fprintf(stderr, "\n");					\
		exit(KSFT_FAIL);					\
	}								\
} while (0)

#define VFIO_ASSERT_EQ(a, b, ...) __VFIO_ASSERT_OP(a, ==, b, ##__VA_ARGS__)
#define VFIO_ASSERT_NE(a, b, ...) __VFIO_ASSERT_OP(a, !=, b, ##__VA_ARGS__)

/* Assert that a __foo() call returned 0, printing the library's reason. */
#define VFIO_ASSERT_OK(call) do {					\
	int __ret = (call);						\
									\
	if (__ret < 0)							\
		VFIO_FAIL("%s: %s", #call, vfio_error());		\
} while (0)

#endif /* LIBVFIO_ASSERT_H */
