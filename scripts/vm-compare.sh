#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the DMA-map benchmark in the VM on two kernels and compare them.
#
#   vm-compare.sh A B [BENCH_ARGS...]
#
# A and B are vm.sh kernels (newest, stable, oldstable, iommufd, a
# bzImage path) or kernel trees, built as scripts/build-kernel.sh -C does.  Results
# land in results/compare/<A|B>/bench.json; the exit status is compare's:
# 0 no regression from A to B, 1 regression, 2 error.

set -euo pipefail

. "$(dirname "$0")/lib.sh"
install=${INSTALL_PATH:-$top/build/install}
out=$top/results/compare

[ $# -ge 2 ] || { echo "usage: vm-compare.sh A B [BENCH_ARGS...]" >&2; exit 2; }
a=$1 b=$2
shift 2

bench_on() {
	local k=$1 dir=$2 kargs kernel moddir built
	shift 2

	kargs=(-k "$k")
	if [ -d "$k" ]; then
		built=$("$top/scripts/build-kernel.sh" -C "$k" -e) || exit 2
		eval "$built"
		kargs=(-k "$kernel" ${moddir:+-M "$moddir"})
	fi
	echo "vm-compare: benchmark on kernel $k" >&2
	"$top/scripts/vm.sh" "${kargs[@]}" -i "$install" -o "$dir" -- \
		"./run.sh -i 1af4:1110 -- sh -c 'mkdir -p results && ./vfio_dma_map_bench -o results/bench.json \"\$@\"' sh $(shell_quote "$@")" ||
		echo "vm-compare: the benchmark on $k reported failures; comparing what it measured" >&2
	[ -f "$dir/bench.json" ] || { echo "vm-compare: no results from kernel $k" >&2; exit 2; }
}

bench_on "$a" "$out/A" "$@"
bench_on "$b" "$out/B" "$@"
echo "vm-compare: $a (before) -> $b (after)"
exec "$install/vfio_dma_map_bench" compare "$out/A/bench.json" "$out/B/bench.json"
