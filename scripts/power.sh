#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What compare can see on this host, measured on fresh boots: boot one
# kernel BOOTS times under each clock, then split the boots every way
# into K against K and judge each split as compare would, A/A and with
# one cell's MAP_DMA planted +2%, +5%, +10% and +100%
# (vfio_bench_compare power).  Prints, per clock and K, the whole-run
# exit-1 rate of A/A and per cell the smallest change found in 90% of
# splits; keeps the boots and a report with the date and the host's load.
#
#   [BOOTS=6] [CLOCKS="icount wall"] [KERNEL=newest] power.sh [BENCH_ARGS...]
#
# BENCH_ARGS default to a matrix that covers BARs and memory at each
# entry size in a minute or two a boot: vfio_type1v2_iommu; anon4k,
# thp, hugetlb2m, memfd; the BAR under pa, pmd, 4k and kernel; fresh
# memory; 5 repetitions.  Results in results/power/<clock>/boot<N>.json
# and results/power/report.txt.  Not part of make check: about
# BOOTS x 2 x 1-3 minutes of VM.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

install=${INSTALL_PATH:-$top/build/install}
out=${POWER_OUT:-$top/results/power}
boots=${BOOTS:-6}
clocks=${CLOCKS:-icount wall}
kernel=${KERNEL:-newest}
case $boots in
''|*[!0-9]*|0|1) die "BOOTS must be a whole number >= 2, not '$boots'" ;;
esac
[ $# -gt 0 ] || set -- -m vfio_type1v2_iommu -b anon4k,thp,hugetlb2m,memfd \
	-p pa,pmd,4k,kernel -S fresh -n 5

# One boot of the benchmark under CLOCK=$1 into $2/bench.json.
boot_once() {
	local clock=$1 dir=$2
	shift 2

	rm -rf "$dir"
	CLOCK=$clock "$top/scripts/vm.sh" -t 1800 -k "$kernel" -i "$install" \
		-o "$dir" -- "$(bench_cmd "$@")" >"$dir.log" 2>&1 || true
	[ -f "$dir/bench.json" ] || die "no results from boot $dir, see $dir.log"
}

mkdir -p "$out"
report=$out/report.txt
{
	echo "power.sh: $(date -u '+%Y-%m-%d %H:%M UTC'), kernel $kernel, $boots boots per clock"
	echo "bench: $*"
	echo "host load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$report"
for clock in $clocks; do
	mkdir -p "$out/$clock"
	files=()
	t0=$(date +%s)
	for i in $(seq 1 "$boots"); do
		log "$clock: boot $i of $boots"
		boot_once "$clock" "$out/$clock/boot$i" "$@"
		cp "$out/$clock/boot$i/bench.json" "$out/$clock/boot$i.json"
		files+=("$out/$clock/boot$i.json")
	done
	echo "== $clock: $(( $(date +%s) - t0 )) s for $boots boots, load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$report"
	# One boot a side (bisect's steps), and half of them (vm-compare's).
	for k in $(printf '%s\n' 1 $((boots / 2)) | sort -un); do
		"$install/vfio_bench_compare" power -k "$k" "${files[@]}" | tee -a "$report"
	done
done
echo "host load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$report"
