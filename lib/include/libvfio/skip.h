/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A SKIP that never hides a failure.
 *
 * The harness's SKIP() overwrites the test's exit code, so a SKIP after a
 * failed EXPECT_*() reports the test as skipped and the failure is lost.
 * VFIO_SKIP() skips only a test that has not failed; a failed test stays
 * failed, and the reason it would have skipped is logged beside it.
 *
 * Include after kselftest_harness.h, in tests only.
 */
#ifndef LIBVFIO_SKIP_H
#define LIBVFIO_SKIP_H

#define VFIO_SKIP(statement, fmt, ...) do {				\
	if (_metadata->exit_code == KSFT_FAIL) {			\
		TH_LOG("not skipped, a check above failed: " fmt,	\
		       ##__VA_ARGS__);					\
		statement;						\
	} else {							\
		SKIP(statement, fmt, ##__VA_ARGS__);			\
	}								\
} while (0)

/*
 * In a fixture's setup: SKIP (then @statement, as SKIP() takes it) when
 * the kernel does not offer IOMMU mode @mode.  A mode that is there but cannot be opened (EACCES, EBUSY) is a
 * problem, not an absence: it fails the test, with the reason.
 */
#define VFIO_SKIP_UNLESS_OFFERED(statement, mode) do {			\
	int __ret = vfio_iommu_mode_offered(mode);			\
									\
	if (__ret == -ENODEV)						\
		SKIP(statement, "%s", vfio_error());			\
	ASSERT_EQ(0, __ret) TH_LOG("%s", vfio_error());		\
} while (0)

#endif /* LIBVFIO_SKIP_H */
