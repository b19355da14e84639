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

/*
 * At the end of a test whose failure may be a known issue of this lane
 * (libvfio/known_issues.h): with an entry, a failed test becomes XFAIL
 * and a passing one XPASS, each with the reason and the fix, through
 * the harness's own exit codes.  Without one, nothing changes; a file
 * that cannot be read fails the test.
 */
#define VFIO_KNOWN_ISSUE() do {						\
	struct vfio_known_issue __ki;					\
	char __name[160];						\
	int __ret;							\
									\
	snprintf(__name, sizeof(__name), "%s.%s",			\
		 _metadata->fixture->name, _metadata->name);		\
	__ret = vfio_known_issue_lookup(__name, &__ki);			\
	EXPECT_LE(0, __ret) TH_LOG("%s", vfio_error());			\
	if (__ret <= 0)							\
		break;							\
	if (_metadata->exit_code == KSFT_FAIL) {			\
		_metadata->exit_code = KSFT_XFAIL;			\
		snprintf(_metadata->results->reason,			\
			 sizeof(_metadata->results->reason),		\
			 "known issue of lane %s: %s; fix: %s",	\
			 __ki.lane, __ki.reason, __ki.fix);		\
	} else if (_metadata->exit_code == KSFT_PASS) {			\
		_metadata->exit_code = KSFT_XPASS;			\
		snprintf(_metadata->results->reason,			\
			 sizeof(_metadata->results->reason),		\
			 "KNOWN ISSUE FIXED in lane %s: %s passes; remove its entry from tests/known-issues",\
			 __ki.lane, __name);				\
		ksft_print_msg("%s\n", _metadata->results->reason);	\
	}								\
} while (0)

#endif /* LIBVFIO_SKIP_H */
