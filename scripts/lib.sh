# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The helpers vfio-bench's host scripts share: sourced, never run.
#
#   . "$(dirname "$0")/lib.sh"
#
# Sets top (the source tree), cache (VFIO_BENCH_CACHE, default
# <top>/.cache) and versions (what deps.sh fetched, one NAME=VALUE a
# line).  Messages start with $prog (default: the script's name without
# .sh); die exits with $die_status (default 1: vm.sh sets 2, its "the
# rig failed").

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${VFIO_BENCH_CACHE:-$top/.cache}
versions=$cache/versions
prog=${prog:-$(basename "$0" .sh)}

die() { echo "$prog: $*" >&2; exit "${die_status:-1}"; }
log() { echo "$prog: $*" >&2; }

# CI wants one line per step, a terminal wants to see things move.
quiet() { [ "${CI:-}" = true ]; }

# record NAME VALUE, recorded NAME: the versions file.
record() {
	mkdir -p "$cache"
	touch "$versions"
	grep -v "^$1=" "$versions" >"$versions.tmp" || true
	echo "$1=$2" >>"$versions.tmp"
	mv "$versions.tmp" "$versions"
}

recorded() {
	[ -f "$versions" ] && sed -n "s/^$1=//p" "$versions"
}

# shell_quote WORD...: the words as one line busybox sh reads back as
# the same words.
shell_quote() {
	local a out=""

	for a in "$@"; do
		out+="'${a//\'/\'\\\'\'}' "
	done
	printf '%s\n' "${out% }"
}

# bench_cmd BENCH_ARG...: the guest command line that binds the ivshmem
# and runs the benchmark with those arguments into results/bench.json
# (vm-compare.sh and bisect.sh both run it).
bench_cmd() {
	printf '%s\n' "./run.sh -i 1af4:1110 -- sh -c 'mkdir -p results && ./vfio_dma_map_bench -o results/bench.json \"\$@\"' sh $(shell_quote "$@")"
}
