#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Plot benchmark results with gnuplot: median MAP_DMA time per cell (log
# scale, whiskers to the 90th percentile), one results file or two side
# by side (before, after).
#
#   plot.sh [-o OUT.png] RESULTS.json [AFTER.json]

set -euo pipefail

. "$(dirname "$0")/lib.sh"
bench=${BENCH:-$top/build/vfio_dma_map_bench}
out=""

while getopts "o:h" opt; do
	case $opt in
	o) out=$OPTARG ;;
	*) echo "usage: plot.sh [-o OUT.png] RESULTS.json [AFTER.json]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 1 ] || [ $# = 2 ] || { echo "usage: plot.sh [-o OUT.png] RESULTS.json [AFTER.json]" >&2; exit 2; }
[ -n "$out" ] || out=${1%.json}.png
command -v gnuplot >/dev/null || "$top/scripts/deps.sh" plot
[ -x "$bench" ] || make -s -C "$top" all

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bench" export "$1" >"$tmp/a.tsv"
title="MAP_DMA, median and p90: $1"
if [ $# = 2 ]; then
	"$bench" export "$2" >"$tmp/b.tsv"
	# One row per cell measured in both: name, before, after (and p90s).
	join -t $'\t' <(tail -n +2 "$tmp/a.tsv" | sort) <(tail -n +2 "$tmp/b.tsv" | sort) |
		awk -F'\t' '{ print $1 "\t" $3 "\t" $4 "\t" $9 "\t" $10 }' >"$tmp/data"
	title="MAP_DMA, median and p90: $1 (before) vs $2 (after)"
	plot="'$tmp/data' using 2:2:3:xtic(1) title 'before', '' using 4:4:5 title 'after'"
else
	tail -n +2 "$tmp/a.tsv" | awk -F'\t' '{ print $1 "\t" $3 "\t" $4 }' >"$tmp/data"
	plot="'$tmp/data' using 2:2:3:xtic(1) title 'median'"
fi
[ -s "$tmp/data" ] || { echo "plot.sh: no measured cells to plot" >&2; exit 1; }

gnuplot <<GP
set terminal pngcairo size 1400,700 noenhanced font ',10'
set output '$out'
set title "$title"
set datafile separator '\t'
set style data histograms
set style histogram errorbars gap 1 lw 1
set style fill solid 0.6 border -1
set logscale y
set ylabel 'ms (log scale)'
set yrange [0.01:*]
set xtics rotate by -35 left
set bmargin 12
set rmargin 12
set grid ytics
plot $plot
GP
echo "plot.sh: $out"
