#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run vfio-bench test binaries as a kselftest suite and count the results.
#
#   suite.sh [PROG...]
#
# PROGs are looked up next to this script (or in $OUTPUT).  Without any,
# the lists written by 'make install' are used: host_progs run once,
# device_progs once per BDF in $VFIO_SELFTESTS_BDF (scripts/run.sh sets
# it); pure_progs (computation only, the same on every kernel) are left
# to the host.  Each binary's run time is printed after its output.  The last line is "suite: N passed, N failed, N skipped"; the exit
# status is 1 if anything failed.  Runs under busybox sh in the VM.

dir=${OUTPUT:-$(dirname "$0")}
pass=0 fail=0 skip=0

# Add one binary's "# Totals: pass:P fail:F xfail:X xpass:Y skip:S error:E".
count() {
	log=$1 rc=$2
	totals=$(grep '^# Totals:' "$log" | tail -n 1)
	if [ -z "$totals" ]; then
		# No harness totals: an early exit, KSFT_SKIP (4) or a crash.
		if [ "$rc" = 4 ]; then
			skip=$((skip + 1))
		else
			echo "# suite: $3 exited $rc without results: counted as failed"
			fail=$((fail + 1))
		fi
		return
	fi
	# pass fail xfail xpass skip error
	set -- $(echo "$totals" | tr -c '0-9\n' ' ')
	pass=$((pass + $1 + $3))
	fail=$((fail + $2 + $4 + $6))
	skip=$((skip + $5))
}

# Seconds since boot, from /proc/uptime: busybox date has no %N.
uptime_s() {
	read -r up _ </proc/uptime
	echo "$up"
}

run_one() {
	prog=$1 bdf=$2
	log=$(mktemp)
	t0=$(uptime_s)
	echo "# selftests: vfio-bench: $prog${bdf:+ $bdf}"
	if [ -n "$bdf" ]; then
		VFIO_SELFTESTS_BDF=$bdf "$dir/$prog" >"$log" 2>&1
	else
		"$dir/$prog" >"$log" 2>&1
	fi
	rc=$?
	cat "$log"
	echo "# suite: $prog${bdf:+ $bdf}: $(awk -v a="$t0" -v b="$(uptime_s)" \
		'BEGIN { printf "%.2f", b - a }') s"
	count "$log" "$rc" "$prog"
	rm -f "$log"
}

is_device_prog() {
	[ -f "$dir/device_progs" ] && grep -qw "$1" "$dir/device_progs"
}

if [ $# = 0 ]; then
	set -- $(cat "$dir/host_progs" "$dir/device_progs" 2>/dev/null)
fi
[ $# -gt 0 ] || { echo "suite.sh: no test programs in $dir" >&2; exit 2; }

for prog in "$@"; do
	if is_device_prog "$prog" && [ -n "${VFIO_SELFTESTS_BDF:-}" ]; then
		for bdf in $VFIO_SELFTESTS_BDF; do
			run_one "$prog" "$bdf"
		done
	else
		run_one "$prog" ""
	fi
done

echo "suite: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
