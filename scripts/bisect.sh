#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Judge one kernel for 'git bisect run': build it (or take one given),
# boot it in the VM once, run one benchmark cell and compare it with a
# baseline, by compare's rules, only the cells this step ran (-A).
# Exit 0 good; 1 bad: the cell is slower than the baseline beyond the
# threshold, takes more faults, or failed; 125 skip: the kernel did not
# build or boot; 255 (which stops git bisect run): no baseline file, a
# baseline that cannot be compared (another clock or run parameters, a
# cell that failed there), or fewer than 2 repetitions.
#
# The clock is QEMU's instruction-counted one (CLOCK=icount, the
# default): one boot a step then sees a few percent of work.  Under
# CLOCK=wall one boot a side is never judged for time (boots land apart
# by more than that), so a wall-clock bisection sees only fault counts
# and failures; it says so.
#
#   bisect.sh -B BASELINE.json [-t THRESHOLD] [-C TREE [-f CONFIG]] [-k KERNEL]
#             [-- BENCH_ARGS...]
#   bisect.sh -O BASELINE.json [-C TREE [-f CONFIG]] [-k KERNEL]
#             [-- BENCH_ARGS...]
#
#   -B  results of a good kernel (vfio_dma_map_bench -o), e.g. from -O
#   -O  record the baseline instead: run the cell on the kernel, write its
#       results to BASELINE.json (exit 0, or 125 if that failed)
#   -C  a kernel tree to build at its HEAD (default: the current directory,
#       as git bisect run leaves it), as scripts/build-kernel.sh -C does:
#       in place if configured there, else out of tree in the cache;
#       -f a config to start from (default the tree's .config, or
#       defconfig), with configs/rig.config merged in
#   -k  skip the build and judge this kernel (newest, stable, oldstable,
#       iommufd, a bzImage)
#   BENCH_ARGS  which cell; by default
#       -m vfio_type1v2_iommu -b none -p kernel -S fresh: VFIO_IOMMU_MAP_DMA
#       of the BAR mapped where plain mmap(NULL) puts it
#
# In the kernel tree:
#   git checkout GOOD && /path/to/vfio-bench/scripts/bisect.sh -O good.json
#   git bisect start BAD GOOD
#   git bisect run /path/to/vfio-bench/scripts/bisect.sh -B good.json

set -uo pipefail
prog=bisect.sh
. "$(dirname "$0")/lib.sh"
. "$top/scripts/kbuild.sh"

install=${INSTALL_PATH:-$top/build/install}
baseline="" record="" threshold="" tree=$PWD config="" kernel="" mods=()
work=${BISECT_WORK:-$top/results/bisect}

skip() { echo "bisect.sh: $* (skip)" >&2; exit 125; }
# Above 127: git bisect run stops, rather than judge every step by it.
stop() { echo "bisect.sh: $* (stopping the bisection)" >&2; exit 255; }

while getopts "B:O:t:C:f:k:h" opt; do
	case $opt in
	B) baseline=$OPTARG ;;
	O) record=$OPTARG ;;
	t) threshold=$OPTARG ;;
	C) tree=$OPTARG ;;
	f) config=$OPTARG ;;
	k) kernel=$OPTARG ;;
	*) sed -n '3,/^[^#]/s/^# \{0,1\}//p' "$0" >&2; exit 255 ;;
	esac
done
shift $((OPTIND - 1))
[ -n "$record" ] || [ -n "$baseline" ] || stop "no baseline results file: give -B FILE (record one with -O)"
[ -n "$record" ] || [ -r "$baseline" ] || stop "baseline $baseline: cannot read it"
export CLOCK=${CLOCK:-icount}
[ "$CLOCK" = icount ] ||
	log "CLOCK=$CLOCK: one boot a step is not judged for time, only fault counts and failures"
[ $# -gt 0 ] || set -- -m vfio_type1v2_iommu -b none -p kernel -S fresh
[ -x "$install/vfio_bench_compare" ] || make -s -C "$top" install >/dev/null ||
	skip "cannot build vfio-bench"

# One repetition a side is never judged: every step would be "good".
reps_of() {
	local n=5 prev=""

	for arg in "$@"; do
		[ "$prev" = -n ] && n=$arg
		case $arg in -n?*) n=${arg#-n} ;; esac
		prev=$arg
	done
	echo "$n"
}
[ "$(reps_of "$@")" -ge 2 ] 2>/dev/null ||
	stop "-n $(reps_of "$@"): at least 2 repetitions, or no time is judged"

# Build the tree's HEAD: bzImage, and modules when the config has any.
build_kernel() {
	local obj

	[ -f "$tree/Makefile" ] || skip "$tree is not a kernel tree"
	tree=$(cd "$tree" && pwd)
	obj=$(kbuild_objdir "$tree")
	log "building $(git -C "$tree" describe --always 2>/dev/null) in $obj"
	kbuild "$tree" "$obj" "${config:-keep}" "$top/configs/rig.config" \
		"$work/build.log" || skip "build failed, see $work/build.log"
	kernel=$obj/arch/x86/boot/bzImage
	[ -z "$kmoddir" ] || mods=(-M "$kmoddir")
}

mkdir -p "$work"
[ -n "$kernel" ] || build_kernel
rm -f "$work/vm/bench.json"
"$top/scripts/vm.sh" -k "$kernel" "${mods[@]}" -i "$install" -o "$work/vm" -- \
	"$(bench_cmd "$@")"
rc=$?
[ "$rc" = 2 ] && skip "the kernel did not boot or the rig failed"
# It booted and the benchmark ran but wrote nothing: it failed there.
if [ ! -f "$work/vm/bench.json" ]; then
	[ -n "$record" ] && skip "no results from the benchmark on the baseline"
	echo "bisect.sh: bad: the benchmark failed before writing results (see $work/vm)" >&2
	exit 1
fi
if [ -n "$record" ]; then
	cp "$work/vm/bench.json" "$record" || skip "cannot write $record"
	echo "bisect.sh: baseline written to $record" >&2
	exit 0
fi
"$install/vfio_bench_compare" -A ${threshold:+-t "$threshold"} "$baseline" \
	"$work/vm/bench.json" | tee "$work/compare.txt"
rc=${PIPESTATUS[0]}
# A cell that failed, vanished or faults more is a regression to compare.
case $rc in
0) echo "bisect.sh: good" >&2; exit 0 ;;
1) echo "bisect.sh: bad: $(grep ' regressed (times' "$work/compare.txt")" >&2; exit 1 ;;
*) stop "compare cannot judge this step against $baseline (see $work/compare.txt)" ;;
esac
