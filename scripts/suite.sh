#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run vfio-bench test binaries as a kselftest suite and count the results.
#
#   suite.sh [PROG...]
#   suite.sh -c RC [NAME] <TAP
#
# PROGs are looked up next to this script (or in $OUTPUT).  Without any,
# the lists written by 'make install' are used: host_progs run once,
# device_progs once per BDF in $VFIO_SELFTESTS_BDF (scripts/run.sh sets
# it; the bench's memory cells on the first only, and $VFIO_BENCH_ARGS on
# each, e.g. "-n 2 -w 0"); pure_progs (computation only, the same on
# every kernel) are left to the host.  Each binary's run time is printed
# after its output.  The
# last line is "suite: N passed, N failed, N skipped, N xfail, N xpass";
# the exit status is 1 if anything failed.  Runs under busybox sh in the VM.
#
# -c counts the TAP that NAME (default "the command") printed, exiting
# RC, with the same counter: the suite line, and the exit status, for
# results not run here (check.sh's fuzz step).

dir=${OUTPUT:-$(dirname "$0")}
pass=0 fail=0 skip=0 xfail=0 xpass=0

# tap_count RC NAME <TAP: the one counter of vfio-bench's results, a
# line "suite: P passed, F failed, S skipped, X xfail, Y xpass" for the
# TAP that NAME printed, exiting RC.  A result is a top-level "ok" or
# "not ok" line: "# SKIP" skipped, "# XFAIL" xfail (a known issue of the
# lane, see tests/known-issues: expected, not a failure), "# XPASS"
# xpass (a known issue that passes: fixed, said loudly, not a failure),
# "not ok" (error too) failed.  No result at all (an early exit,
# KSFT_SKIP or a crash) is one skip for KSFT_SKIP (4), else one failure,
# said in a comment line first; so is a non-zero exit that no failed
# result explains (a crash after some results).
tap_count() {
	awk -v rc="$1" -v name="$2" '
		/^ok / {
			if (/ # [Ss][Kk][Ii][Pp]/)
				s++
			else if (/ # [Xx][Ff][Aa][Ii][Ll]/)
				xf++
			else if (/ # [Xx][Pp][Aa][Ss][Ss]/) {
				xp++
				printf "# suite: KNOWN ISSUE FIXED: %s: %s\n", name, $0
			} else
				p++
		}
		/^not ok / { f++ }
		END {
			if (p + f + s + xf + xp == 0 && rc == 4) {
				s = 1
			} else if (p + f + s + xf + xp == 0) {
				printf "# suite: %s exited %s without results: counted as failed\n", name, rc
				f = 1
			} else if (rc != 0 && rc != 4 && f == 0) {
				printf "# suite: %s exited %s with no failed result: counted as failed\n", name, rc
				f = 1
			}
			printf "suite: %d passed, %d failed, %d skipped, %d xfail, %d xpass\n", p, f, s, xf, xp
		}'
}

# Add a "suite: P passed, F failed, S skipped, X xfail, Y xpass" line to
# the totals.
add_suite() {
	# shellcheck disable=SC2046 # five numbers
	set -- $(echo "$1" | tr -c '0-9\n' ' ')
	pass=$((pass + $1)) fail=$((fail + $2)) skip=$((skip + $3))
	xfail=$((xfail + ${4:-0})) xpass=$((xpass + ${5:-0}))
}

if [ "${1:-}" = -c ]; then
	[ $# -ge 2 ] || { echo "usage: suite.sh -c RC [NAME] <TAP" >&2; exit 2; }
	counted=$(tap_count "$2" "${3:-the command}")
	echo "$counted"
	add_suite "$(echo "$counted" | tail -n 1)"
	exit $((fail != 0))
fi

# Seconds since boot, from /proc/uptime: busybox date has no %N.
uptime_s() {
	read -r up _ </proc/uptime
	echo "$up"
}

run_one() {
	prog=$1 bdf=$2
	shift 2
	log=$(mktemp)
	t0=$(uptime_s)
	echo "# selftests: vfio-bench: $prog${bdf:+ $bdf}${1:+ $*}"
	if [ -n "$bdf" ]; then
		VFIO_SELFTESTS_BDF=$bdf "$dir/$prog" "$@" >"$log" 2>&1
	else
		"$dir/$prog" >"$log" 2>&1
	fi
	rc=$?
	cat "$log"
	echo "# suite: $prog${bdf:+ $bdf}: $(awk -v a="$t0" -v b="$(uptime_s)" \
		'BEGIN { printf "%.2f", b - a }') s"
	counted=$(tap_count "$rc" "$prog" <"$log")
	# The comment, if any: the per-binary suite line is for the sum.
	echo "$counted" | grep '^#'
	add_suite "$(echo "$counted" | tail -n 1)"
	rm -f "$log"
}

is_device_prog() {
	[ -f "$dir/device_progs" ] && grep -qw "$1" "$dir/device_progs"
}

if [ $# = 0 ]; then
	set -- $(cat "$dir/host_progs" "$dir/device_progs" 2>/dev/null)
fi
[ $# -gt 0 ] || { echo "suite.sh: no test programs in $dir" >&2; exit 2; }

# device_args PROG FIRST: arguments for PROG on a device.  The bench's
# memory cells time the IOMMU, not the device: they run on the first
# device only, the others time their BARs (-b none).
device_args() {
	[ "$1" = vfio_dma_map_bench ] || return 0
	[ -n "$2" ] || echo "-b none"
	echo "${VFIO_BENCH_ARGS:-}"
}

for prog in "$@"; do
	if is_device_prog "$prog" && [ -n "${VFIO_SELFTESTS_BDF:-}" ]; then
		first=1
		for bdf in $VFIO_SELFTESTS_BDF; do
			# shellcheck disable=SC2046 # words
			run_one "$prog" "$bdf" $(device_args "$prog" "$first")
			first=""
		done
	else
		run_one "$prog" ""
	fi
done

echo "suite: $pass passed, $fail failed, $skip skipped, $xfail xfail, $xpass xpass"
[ "$fail" = 0 ]
