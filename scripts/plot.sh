#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Plot benchmark results with gnuplot.  With two results (before, after;
# comma lists pool boots, as compare takes them): what compare judges,
# per cell the MAP_DMA ratio after/before of boot medians with its
# interval (log scale; lines at 1 and at 1 + the threshold, the clock's
# unless -t), and below it the
# faults inside MAP_DMA before and after.  With one: the MAP_DMA median
# per cell, whiskers to the 90th percentile.
#
#   plot.sh [-o OUT.png] [-t THRESHOLD] RESULTS.json [AFTER.json]

set -euo pipefail

. "$(dirname "$0")/lib.sh"
compare=${COMPARE:-$top/build/vfio_bench_compare}
out="" threshold=""

usage() { echo "usage: plot.sh [-o OUT.png] [-t THRESHOLD] RESULTS.json [AFTER.json]" >&2; exit 2; }
while getopts "o:t:h" opt; do
	case $opt in
	o) out=$OPTARG ;;
	t) threshold=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 1 ] || [ $# = 2 ] || usage
[ -n "$out" ] || out=${1%%,*}
out=${out%.json}
out=${out%.png}.png
command -v gnuplot >/dev/null || "$top/scripts/deps.sh" plot
[ -x "$compare" ] || make -s -C "$top" all

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One file: cell, median, p90 of MAP_DMA (ms), measured cells only.
plot_one() {
	"$compare" export -F tsv "$1" |
		awk -F'\t' 'NR > 1 && $3 > 0 { print $1 "\t" $4 "\t" $5 }' >"$tmp/data"
	[ -s "$tmp/data" ] || { echo "plot.sh: no measured cells to plot" >&2; exit 1; }
	cat <<GP
set title "MAP_DMA, median and p90: $1"
set style data histograms
set style histogram errorbars gap 1 lw 1
set style fill solid 0.6 border -1
set logscale y
set ylabel 'ms (log scale)'
set xtics rotate by -35 left
plot '$tmp/data' using 2:2:3:xtic(1) title 'median'
GP
}

# Two: compare's rows as TSV; the map_ms ratios and the fault counts.
plot_two() {
	local rc=0

	"$compare" -F tsv ${threshold:+-t "$threshold"} "$1" "$2" >"$tmp/rows" || rc=$?
	[ "$rc" -le 1 ] || exit 2
	# The line is compare's threshold: the clock's unless -t says.
	if [ -z "$threshold" ]; then
		threshold=0.10
		grep -q '"timebase": *"icount"' "${1%%,*}" && threshold=0.015
	fi
	awk -F'\t' '$2 == "map_ms" && $8 != "" { print $1 "\t" $7 "\t" $8 "\t" $9 }' \
		"$tmp/rows" >"$tmp/data"
	awk -F'\t' '$2 == "faults" { print $1 "\t" $5 + 0.5 "\t" $6 + 0.5 }' \
		"$tmp/rows" >"$tmp/faults"
	[ -s "$tmp/data" ] || { echo "plot.sh: no cell measured on both sides" >&2; exit 1; }
	cat <<GP
set multiplot layout 2,1 title "after / before: $2 / $1"
set title 'MAP_DMA ratio of boot medians and its interval (compare regresses a slower cell whose ratio is above the dashed line)'
set logscale y
set ylabel 'after / before (log scale)'
set xtics rotate by -35 left
set bars 2
set offsets 0.5, 0.5, 0, 0
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead lc 'black'
set arrow 2 from graph 0, first 1 + $threshold to graph 1, first 1 + $threshold nohead dt 2 lc 'red'
plot '$tmp/data' using 0:2:3:4:xtic(1) with yerrorbars pt 7 title 'ratio and 95% CI'
unset arrow 1
unset arrow 2
unset offsets
set title 'faults inside MAP_DMA (median; +0.5 so that 0 shows on a log scale)'
set ylabel 'faults (log scale)'
set style data histograms
set style fill solid 0.6 border -1
plot '$tmp/faults' using 2:xtic(1) title 'before', '' using 3 title 'after'
unset multiplot
GP
}

{
	cat <<GP
set terminal pngcairo size 1400,$([ $# = 2 ] && echo 1200 || echo 700) noenhanced font ',10'
set output '$out'
set datafile separator '\t'
set grid ytics
set bmargin 12
set rmargin 12
GP
	if [ $# = 2 ]; then plot_two "$1" "$2"; else plot_one "$1"; fi
} >"$tmp/plot.gp"
gnuplot "$tmp/plot.gp"
echo "plot.sh: $out"
