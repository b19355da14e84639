#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run the suite where a lab runs it, and say its results the way LAVA
# reads them: one test case per result, and the benchmark's numbers as
# test cases with a measurement and units.
#
#   lab-run.sh [-S SKIPFILE] [COMMAND...]
#
# COMMAND defaults to suite.sh (beside this script) on every program of
# the install's lists but those SKIPFILE names.  SKIPFILE is in LKFT's
# kselftest format: one regular expression a line matching a whole
# "collection:program" entry of kselftest-list.txt (e.g.
# "vfio-bench:vfio_dma_map_bench"), lines starting with # ignored; each
# program it names is one skip case.
#
# COMMAND's output passes through unchanged (the KTAP stays in the log);
# after each result line comes its case.  Inside a LAVA test shell
# (lava-test-case on PATH) the cases are lava-test-case calls; elsewhere
# (a guest with no shell for LAVA, read by a "monitors" test action, see
# lava/) they are console lines:
#
#   <VFIO_BENCH_CASE ID=prog.bdf.name RESULT=pass|fail|skip>
#   <VFIO_BENCH_MEASUREMENT ID=bench.bdf.cell.what RESULT=pass MEASUREMENT=V UNITS=U>
#
# with "lab: cases done" and "lab: measurements" between the two sets.
#
# A result is a top-level "ok"/"not ok" line, as suite.sh counts it:
# SKIP is skip, XFAIL and XPASS (known issues, see known-issues) pass,
# "not ok" fails, and so does a program suite.sh counted as failed for
# its exit status.  The numbers come from the results files that
# vfio_dma_map_bench writes to $VFIO_BENCH_RESULTS_DIR (default
# ./results), through vfio_bench_compare export.  The last line is
# "lab: N cases: P pass, F fail, S skip (X xfail, Y xpass); M measurements".
# Exit status: COMMAND's (2 if this script cannot run it).

dir=$(cd "$(dirname "$0")" && pwd)
skipfile=""
while getopts S: opt; do
	case $opt in
	S)	skipfile=$OPTARG ;;
	*)	echo "usage: lab-run.sh [-S SKIPFILE] [COMMAND...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ -z "$skipfile" ] || [ -r "$skipfile" ] ||
	{ echo "lab-run.sh: cannot read skipfile $skipfile" >&2; exit 2; }
export VFIO_BENCH_RESULTS_DIR="${VFIO_BENCH_RESULTS_DIR:-$dir/results}"
mkdir -p "$VFIO_BENCH_RESULTS_DIR" ||
	{ echo "lab-run.sh: cannot create $VFIO_BENCH_RESULTS_DIR" >&2; exit 2; }

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

# The programs to run and, in $tmp/skipped, those the skipfile names.
: >"$tmp/skipped"
if [ $# = 0 ]; then
	progs=$(cat "$dir/host_progs" "$dir/device_progs" 2>/dev/null)
	[ -n "$progs" ] ||
		{ echo "lab-run.sh: no program lists in $dir: run it from an install" >&2; exit 2; }
	if [ -n "$skipfile" ]; then
		grep -Ev '^[[:space:]]*(#|$)' "$skipfile" >"$tmp/skips" || :
		kept=""
		for p in $progs; do
			if [ -s "$tmp/skips" ] &&
			   echo "vfio-bench:$p" | grep -Eqx -f "$tmp/skips"; then
				echo "$p" >>"$tmp/skipped"
			else
				kept="$kept $p"
			fi
		done
		progs=$kept
	fi
	# shellcheck disable=SC2086 # program names, one word each
	set -- "$dir/suite.sh" $progs
	# suite.sh without programs would run them all.
	[ $# -gt 1 ] || set -- true
fi

# Inside a LAVA test shell the helper reports to the dispatcher itself.
if command -v lava-test-case >/dev/null 2>&1; then
	mode=shell
else
	mode=console
fi

# to_cases MODE <OUTPUT: OUTPUT again, each result followed by its case;
# in shell mode the calls go to $tmp/calls, run once the command is done
# (lava-test-case must not read the pipe), the counts to $tmp/counts.
to_cases() {
	awk -v mode="$1" -v calls="$tmp/calls" -v counts="$tmp/counts" '
	function id(s) {
		gsub(/[^A-Za-z0-9_.-]+/, "_", s)
		sub(/^_+/, "", s)
		sub(/_+$/, "", s)
		return s
	}
	function emit(name, result,    n) {
		name = id(prefix "." name)
		n = ++seen[name]
		if (n > 1)
			name = name "_" n
		cases++
		res[result]++
		if (mode == "shell")
			printf "lava-test-case %s --result %s\n", name, result >calls
		else
			printf "<VFIO_BENCH_CASE ID=%s RESULT=%s>\n", name, result
	}
	{ print; fflush() }
	/^# selftests: vfio-bench: / {
		prefix = $4 (NF > 4 ? "." $5 : "")
		next
	}
	/^(not )?ok / {
		line = $0
		result = line ~ /^not / ? "fail" : "pass"
		sub(/^(not )?ok [0-9]* ?/, "", line)
		name = line
		directive = ""
		if (match(line, / *# */)) {
			name = substr(line, 1, RSTART - 1)
			directive = substr(line, RSTART + RLENGTH)
		}
		if (result == "pass" && directive ~ /^[Ss][Kk][Ii][Pp]/)
			result = "skip"
		else if (directive ~ /^[Xx][Ff][Aa][Ii][Ll]/)
			xfail++
		else if (directive ~ /^[Xx][Pp][Aa][Ss][Ss]/)
			xpass++
		# Unnamed ("ok 2 # SKIP why: more"): named by the directive text.
		if (name == "")
			name = substr(directive, index(directive " ", " ") + 1)
		# A cell or check named before its reason: "name: why".
		sub(/: .*/, "", name)
		emit(name, result)
		next
	}
	/^1\.\.0 # [Ss][Kk][Ii][Pp]/ { emit("skip", "skip"); next }
	/^# suite: .* exited [0-9]+ .*counted as failed/ { emit("exit", "fail") }
	END {
		printf "%d %d %d %d %d %d\n", cases, res["pass"], res["fail"],
			res["skip"], xfail, xpass >counts
	}'
}

# to_measurements MODE BDF <TSV: a case per number of each cell that ran.
to_measurements() {
	awk -F '\t' -v mode="$1" -v bdf="$2" '
	function id(s) {
		gsub(/[^A-Za-z0-9_.-]+/, "_", s)
		return s
	}
	function emit(what, v, unit,    name) {
		if (v == "")
			return
		name = id("vfio_dma_map_bench." bdf "." $1 "." what)
		n++
		if (mode == "shell")
			printf "lava-test-case %s --result pass --measurement %s --units %s\n", name, v, unit
		else
			printf "<VFIO_BENCH_MEASUREMENT ID=%s RESULT=pass MEASUREMENT=%s UNITS=%s>\n", name, v, unit
	}
	NR == 1 { next }	# the header row
	$2 == "ok" && $3 > 0 {
		emit("map_median", $4, "ms")
		emit("unmap_median", $8, "ms")
		emit("faults", $9, "faults")
	}
	END { print n + 0 >"/dev/stderr" }'
}

# A skipped program reads as one that skipped itself (1..0 # SKIP).
{
	while read -r p; do
		echo "# selftests: vfio-bench: $p"
		echo "1..0 # SKIP in the skipfile"
	done <"$tmp/skipped"
	("$@"; echo $? >"$tmp/rc") 2>&1
} | to_cases "$mode"
rc=$(cat "$tmp/rc" 2>/dev/null || echo 2)
[ ! -f "$tmp/calls" ] || sh "$tmp/calls"
# Where a console reader's two sets end and begin (lava/'s monitors).
echo "lab: cases done"
echo "lab: measurements"

nm=0
for f in "$VFIO_BENCH_RESULTS_DIR"/vfio_dma_map_bench-*.json; do
	[ -f "$f" ] || continue
	bdf=${f##*/vfio_dma_map_bench-}
	bdf=${bdf%.json}
	if [ "$mode" = shell ]; then
		"$dir/vfio_bench_compare" export -F tsv "$f" |
			to_measurements shell "$bdf" >"$tmp/mcalls" 2>"$tmp/m"
		sh "$tmp/mcalls"
	else
		"$dir/vfio_bench_compare" export -F tsv "$f" |
			to_measurements console "$bdf" 2>"$tmp/m"
	fi
	nm=$((nm + $(cat "$tmp/m")))
done

read -r cases p f s xf xp <"$tmp/counts"
echo "lab: $cases cases: $p pass, $f fail, $s skip ($xf xfail, $xp xpass); $nm measurements"
exit "$rc"
