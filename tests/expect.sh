# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The one case runner of the shell tests (bad_input.sh, lab_test.sh):
# sourced, never run.  The sourcing script sets tmp (a scratch dir) and
# n, pass and fail (its counters), and prints the TAP plan itself.
#
#   expect RC REGEX WHAT -- COMMAND...
#
# One case: COMMAND exits RC and its output matches REGEX (empty: it
# printed nothing), and no crash or sanitizer report is in it, whatever
# the exit code (a handled error must not crash on its way out).  The
# matching line is echoed as a comment; on failure the first lines of the
# output are.

expect() {
	want=$1 re=$2 what=$3
	shift 4
	n=$((n + 1))
	"$@" </dev/null >"$tmp/out" 2>&1
	rc=$?
	if [ "$rc" = "$want" ] && expect_output "$re" &&
	   ! grep -Eq 'Segmentation|core dumped|AddressSanitizer|runtime error' "$tmp/out"; then
		pass=$((pass + 1))
		echo "ok $n $what"
		[ -z "$re" ] || echo "# $(grep -E -m 1 -- "$re" "$tmp/out")"
	else
		fail=$((fail + 1))
		echo "not ok $n $what: exit $rc (want $want), output:"
		sed 's/^/#   /' "$tmp/out" | head -n 8
	fi
}

expect_output() {
	if [ -z "$1" ]; then
		[ ! -s "$tmp/out" ]
	else
		grep -Eq -- "$1" "$tmp/out"
	fi
}
