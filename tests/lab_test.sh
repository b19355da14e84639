#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What a lab consumes, on the host: the KCIDB export and its check
# (vfio_bench_compare kcidb, kcidb-check), lab-run.sh's LAVA lines,
# measurements and skipfile, and scripts/lab.sh's tarball; each exit
# status they promise.  TAP with kselftest totals; lab.sh's cases need
# the source tree (VFIO_BENCH_SRC or this script's ../) and are left out
# without it.  The LAVA job itself is 'make lava', minutes of VM.

dir=$(cd "$(dirname "$0")" && pwd)
src=${VFIO_BENCH_SRC:-$dir/..}
cmp=$dir/vfio_bench_compare
tmp=$(mktemp -d)
n=0 pass=0 fail=0 skip=0
trap 'rm -rf "$tmp"' EXIT

# expect RC REGEX WHAT -- COMMAND...: one case (tests/expect.sh).
. "$dir/expect.sh"

echo "TAP version 13"
if [ ! -x "$cmp" ] || [ ! -f "$dir/lab-run.sh" ]; then
	echo "1..0 # SKIP no vfio_bench_compare or lab-run.sh beside this script: run it from the build"
	exit 4
fi

# A results file and a suite log, as the benchmark and suite.sh write them.
cat >"$tmp/bench.json" <<'EOF'
{"schema": "vfio-bench/dma-map/1",
 "provenance": {"date": "2026-12-02T01:00:00Z", "kernel_release": "7.2.13+deb14-amd64",
  "kernel_version": "#1", "machine": "x86_64", "suite_version": "v1",
  "device": {"bdf": "0000:00:02.0", "vendor_device": "1af4:1110"}},
 "cells": [{"name": "type1v2/bar-pa/2G/fresh", "map_s": [0.002, 0.001, 0.003],
	    "unmap_s": [0.1, 0.2, 0.3], "minflt": [2, 2, 2]}]}
EOF
cat >"$tmp/suite.log" <<'EOF'
# selftests: vfio-bench: libvfio_test
ok 1 global.bdf_parse
not ok 2 global.iova_pick
# selftests: vfio-bench: vfio_iommufd_test 0000:00:02.0
1..0 # SKIP no iommufd
EOF

# The KCIDB export and its check
"$cmp" kcidb -O lab -L "$tmp/suite.log" "$tmp/bench.json" >"$tmp/kcidb.json" 2>"$tmp/err"
expect 0 '' "kcidb: exit 0 for a results file and a suite log" -- cat "$tmp/err"
expect 0 '' "kcidb-check: the export has KCIDB's shape" -- "$cmp" kcidb-check "$tmp/kcidb.json"
expect 0 '"path": "vfio_bench.libvfio_test.global.iova_pick"' \
	"kcidb: a suite result is a test" -- cat "$tmp/kcidb.json"
expect 2 "origin 'Lab'" "kcidb: exit 2 for an origin KCIDB refuses" -- \
	"$cmp" kcidb -O Lab "$tmp/bench.json"
expect 2 'cannot open /nonexistent.json' "kcidb: exit 2 for a missing file" -- \
	"$cmp" kcidb /nonexistent.json
expect 2 'usage' "kcidb: exit 2 for an unknown option" -- "$cmp" kcidb -Z
sed 's/"status": "FAIL"/"status": "BROKEN"/' "$tmp/kcidb.json" >"$tmp/broken.json"
expect 1 '"status" does not have the documented form' \
	"kcidb-check: exit 1 for a broken export, naming the field" -- \
	"$cmp" kcidb-check "$tmp/broken.json"
echo '{"version": ' >"$tmp/nojson.json"
expect 2 'JSON' "kcidb-check: exit 2 for a file that is no JSON" -- \
	"$cmp" kcidb-check "$tmp/nojson.json"
expect 2 'usage' "kcidb-check: exit 2 without a file" -- "$cmp" kcidb-check

# lab-run.sh, in a staged install: a suite.sh that prints what it ran.
stage=$tmp/install
mkdir -p "$stage/bin"
cp "$dir/lab-run.sh" "$cmp" "$stage/"
echo "prog_a prog_b" >"$stage/host_progs"
echo "prog_dev" >"$stage/device_progs"
cat >"$stage/suite.sh" <<'EOF'
#!/bin/sh
for p in "$@"; do
	echo "# selftests: vfio-bench: $p"
	echo "ok 1 first: fine"
	echo "ok 2 # SKIP second: not here"
	echo "not ok 3 third"
	echo "ok 4 fourth # XFAIL known"
done
exit 1
EOF
chmod +x "$stage/suite.sh"
mkdir -p "$stage/results"
cp "$tmp/bench.json" "$stage/results/vfio_dma_map_bench-0000:00:02.0.json"
expect 1 'lab: 12 cases: 6 pass, 3 fail, 3 skip \(3 xfail, 0 xpass\); 3 measurements' \
	"lab-run.sh: cases and measurements counted, the command's exit passed on" -- \
	"$stage/lab-run.sh"
expect 1 '^<VFIO_BENCH_CASE ID=prog_a.third RESULT=fail>$' \
	"lab-run.sh: a failed result is a fail case" -- "$stage/lab-run.sh"
expect 1 '^<VFIO_BENCH_CASE ID=prog_b.second RESULT=skip>$' \
	"lab-run.sh: an unnamed SKIP is named by its reason" -- "$stage/lab-run.sh"
expect 1 '^<VFIO_BENCH_MEASUREMENT ID=vfio_dma_map_bench.0000_00_02.0.type1v2_bar-pa_2G_fresh.map_median RESULT=pass MEASUREMENT=2.000000 UNITS=ms>$' \
	"lab-run.sh: a cell's median is a measurement in ms" -- "$stage/lab-run.sh"
printf '# LKFT style\nvfio-bench:prog_(b|dev)\n' >"$tmp/skipfile"
expect 1 '^<VFIO_BENCH_CASE ID=prog_dev.skip RESULT=skip>$' \
	"lab-run.sh -S: a program in the skipfile is a skip case" -- \
	"$stage/lab-run.sh" -S "$tmp/skipfile"
expect 1 'lab: 6 cases: 2 pass, 1 fail, 3 skip' \
	"lab-run.sh -S: and does not run" -- "$stage/lab-run.sh" -S "$tmp/skipfile"
expect 0 'lab: 0 cases' "lab-run.sh: exit 0 when the command passes" -- \
	"$stage/lab-run.sh" true
expect 2 'cannot read skipfile' "lab-run.sh: exit 2 for a missing skipfile" -- \
	"$stage/lab-run.sh" -S /nonexistent
expect 2 'usage' "lab-run.sh: exit 2 for an unknown option" -- "$stage/lab-run.sh" -Z
# In a LAVA test shell: lava-test-case calls instead of console lines.
printf '#!/bin/sh\necho "called: $*" >>%s\n' "$tmp/calls" >"$stage/bin/lava-test-case"
chmod +x "$stage/bin/lava-test-case"
PATH=$stage/bin:$PATH "$stage/lab-run.sh" >/dev/null 2>&1
expect 0 '^called: vfio_dma_map_bench.0000_00_02.0.type1v2_bar-pa_2G_fresh.faults --result pass --measurement 2 --units faults$' \
	"lab-run.sh in a test shell: measurements through lava-test-case" -- cat "$tmp/calls"
expect 0 '^called: prog_a.first --result pass$' \
	"lab-run.sh in a test shell: results through lava-test-case" -- cat "$tmp/calls"

# scripts/lab.sh, from the source tree
if [ -x "$src/scripts/lab.sh" ] && command -v bash >/dev/null; then
	lab=$src/scripts/lab.sh
	expect 2 'usage: lab.sh tar' "lab.sh: exit 2 without a command" -- "$lab"
	expect 2 'usage' "lab.sh tar: exit 2 for a stray argument" -- "$lab" tar x
	expect 2 'no kselftest install' "lab.sh tar: exit 2 for a dir that is no install" -- \
		"$lab" tar -i "$tmp" -o "$tmp/x.tar.gz"
	echo "vfio-bench:prog_a" >"$stage/kselftest-list.txt"
	: >"$stage/run_kselftest.sh"
	ln -s . "$stage/vfio-bench"
	expect 0 'collection vfio-bench \(1 programs\)' "lab.sh tar: exit 0 for an install" -- \
		"$lab" tar -i "$stage" -o "$tmp/k.tar.gz"
	tar -tzf "$tmp/k.tar.gz" >"$tmp/list" 2>&1
	expect 0 '^kselftest/run_kselftest.sh$' "lab.sh tar: kselftest/ holds the runner" -- \
		cat "$tmp/list"
	expect 1 '' "lab.sh tar: no results in the tarball" -- \
		grep '^kselftest/results' "$tmp/list"
	expect 2 '-j wants a number' "lab.sh lava: exit 2 for a bad job id" -- \
		"$lab" lava -j x
else
	n=$((n + 1)) skip=$((skip + 1))
	echo "ok $n # SKIP lab.sh: needs the source tree (VFIO_BENCH_SRC) and bash"
fi

echo "1..$n"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
[ "$fail" = 0 ]
