#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the DMA-map benchmark in the VM on two kernels, boot after boot
# interleaved (A B A B ...), and compare them with every boot of a
# kernel pooled, each boot a block.
#
#   [ROUNDS=N] [CLOCK=icount|wall] vm-compare.sh A B [BENCH_ARGS...]
#
# CLOCK (default icount) is vm.sh's: under QEMU's instruction-counted
# clock a timed ioctl reads as the work the kernel did, and boots of one
# kernel agree to a fraction of a percent, where wall-clock boots land
# several percent apart (README, "Numbers that hold up").
#
# A and B are vm.sh kernels (newest, stable, oldstable, iommufd, a
# bzImage path) or kernel trees, built once as scripts/build-kernel.sh -C
# does.  ROUNDS boots of each (default 3): a kernel runs faster or slower
# as a whole from one boot to the next, and only several boots show by
# how much; tests/power_test.c measures what 3 boots of 5 repetitions
# (the benchmark's default) find.  Interleaving spreads slow drifts of
# the host over both.  Results land in
# results/compare/<A|B><round>/bench.json; prints the comparison, the
# spread between boots and the run time per kernel.  Exit status is
# compare's: 0 no regression from A to B, 1 regression, 2 error.

set -euo pipefail

. "$(dirname "$0")/lib.sh"
install=${INSTALL_PATH:-$top/build/install}
out=${VM_COMPARE_OUT:-$top/results/compare}
rounds=${ROUNDS:-3}
export CLOCK=${CLOCK:-icount}

[ $# -ge 2 ] || { echo "usage: [ROUNDS=N] vm-compare.sh A B [BENCH_ARGS...]" >&2; exit 2; }
case $rounds in
''|*[!0-9]*|0) echo "vm-compare: ROUNDS must be a whole number >= 1, not '$rounds'" >&2; exit 2 ;;
esac
a=$1 b=$2
shift 2
declare -A secs=([A]=0 [B]=0) name=([A]=$a [B]=$b) kern mods

# vm.sh's kernel for a side; a tree is built here, once, not per boot.
resolve_kernel() {
	local side=$1 k=$2 kernel moddir built

	kern[$side]=$k mods[$side]=""
	[ -d "$k" ] || return 0
	built=$("$top/scripts/build-kernel.sh" -C "$k" -e) || exit 2
	eval "$built"
	kern[$side]=$kernel mods[$side]=${moddir:-}
}

# One boot; a rig failure without results (rc 2) is retried once.
bench_on() {
	local side=$1 dir=$2 t0 try
	shift 2

	for try in 1 2; do
		rm -rf "$dir"
		echo "vm-compare: $side=${name[$side]}, $(basename "$dir"), try $try" >&2
		t0=$(date +%s)
		# Each try's log kept: a retried failure is still there to read.
		"$top/scripts/vm.sh" -t 1800 -k "${kern[$side]}" \
			${mods[$side]:+-M "${mods[$side]}"} -i "$install" -o "$dir" -- \
			"$(bench_cmd "$@")" \
			>"$dir.try$try.log" 2>&1 ||
			echo "vm-compare: ${name[$side]} reported failures (see $dir.try$try.log); comparing what it measured" >&2
		ln -sf "$(basename "$dir").try$try.log" "$dir.log"
		secs[$side]=$((secs[$side] + $(date +%s) - t0))
		[ -f "$dir/bench.json" ] && return 0
	done
	echo "vm-compare: no results from kernel ${name[$side]}, see $dir.log" >&2
	exit 2
}

resolve_kernel A "$a"
resolve_kernel B "$b"
mkdir -p "$out"
list_a="" list_b=""
for r in $(seq 1 "$rounds"); do
	bench_on A "$out/A$r" "$@"
	bench_on B "$out/B$r" "$@"
	list_a+=${list_a:+,}$out/A$r/bench.json
	list_b+=${list_b:+,}$out/B$r/bench.json
done
echo "vm-compare: $a (before) -> $b (after), $rounds boots each, CLOCK=$CLOCK"
rc=0
"$install/vfio_bench_compare" "$list_a" "$list_b" || rc=$?
echo "vm-compare: run time per kernel: $a ${secs[A]} s, $b ${secs[B]} s ($rounds boots each)"
exit "$rc"
