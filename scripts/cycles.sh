#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Dependency cycles among the files of the three libraries (lib/, the
# test library; analysis/; bench/), in two graphs:
#
#   include  X.c -> Y.c when X.c includes, through quoted includes
#            followed from its own folder and the libraries' include
#            folders, a header that declares a symbol Y.c defines (the
#            header's comments do not count);
#   call     X.c -> Y.c when X.o needs a symbol Y.o defines.
#
# And one rule of layering: the analysis library reaches nothing of the
# VFIO side, neither a header under lib/include nor a symbol that lib/ or
# bench/ defines, so that the programs that read results link no VFIO
# code.
#
# Prints each graph's edges count, every cycle and every breach of the
# rule, one per line, and exits 1 if there is any.  Objects come from
# 'make' (build/lib, build/analysis, build/bench).
#
#   cycles.sh [OUTPUT]

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath "${1:-$top/build}")
dirs="lib analysis bench"
incdirs="lib/include analysis/include"
cd "$top"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Every object of the libraries, as "dir/X.c path/to/X.o".
objects() {
	local d o

	for d in $dirs; do
		for o in "$out/$d"/*.o; do
			[ -f "$o" ] && echo "$d/$(basename "$o" .o).c $o"
		done
	done
}

# "X.c symbol" for every global symbol each object defines.
objects | while read -r f o; do
	nm -g --defined-only "$o" | awk -v f="$f" 'NF == 3 { print f, $3 }'
done | sort -u >"$work/defs"
if [ ! -s "$work/defs" ]; then
	echo "cycles: no objects in $out: run make first" >&2
	exit 2
fi

# Call graph: "X.c Y.c" when X.o needs what Y.o defines.
objects | while read -r f o; do
	nm -u "$o" | awk -v f="$f" '{ print f, $NF }'
done | awk 'NR == FNR { def[$2] = $1; next }
	    ($2 in def) && def[$2] != $1 { print $1, def[$2] }' \
	"$work/defs" - | sort -u >"$work/call"

# The headers that file $1 includes, directly or not: its folder first,
# then the libraries' include folders (all of them: a header the
# compiler would not find for this file is still a breach to name).
declare -A seen
closure() {
	local dir inc p i

	dir=$(dirname "$1")
	while read -r inc; do
		for p in "$dir/$inc" $(for i in $incdirs; do echo "$i/$inc"; done); do
			[ -f "$p" ] || continue
			p=$(realpath --relative-to=. "$p")
			if [ -z "${seen[$p]:-}" ]; then
				seen[$p]=1
				echo "$p"
				closure "$p"
			fi
			break
		done
	# The name alone: a comment after it ("/* ... */") would be split
	# and globbed in the list above, and match files in /.
	done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$1")
}

# "header X.c" when the header (comments stripped) names what X.c defines.
for h in lib/include/*.h lib/include/libvfio/*.h analysis/include/analysis/*.h bench/*.h; do
	perl -0777 -pe 's{/\*.*?\*/}{}gs; s{//[^\n]*}{}g' "$h" |
		tr -cs 'A-Za-z0-9_' '\n' | sort -u |
		awk -v h="$h" 'NR == FNR { def[$2] = def[$2] " " $1; next }
			       ($1 in def) { n = split(def[$1], f, " ")
					     for (i = 1; i <= n; i++) print h, f[i] }' \
			"$work/defs" -
done | sort -u >"$work/owners"

# Include graph: "X.c Y.c" through any header X.c reaches that Y.c owns.
for c in lib/*.c analysis/*.c bench/*.c; do
	seen=()
	closure "$c" | awk -v c="$c" \
		'NR == FNR { own[$1] = own[$1] " " $2; next }
		 ($1 in own) { n = split(own[$1], f, " ")
			       for (i = 1; i <= n; i++) if (f[i] != c) print c, f[i] }' \
		"$work/owners" -
done | sort -u >"$work/include"

# Strongly connected components of more than one file (Tarjan): each is
# one set of files that depend on each other, printed once, sorted.
cycles() {
	awk 'function visit(v,   i, w) {
		num[v] = low[v] = ++n; stack[++sp] = v; on[v] = 1
		for (i = 1; i <= deg[v]; i++) {
			w = adj[v, i]
			if (!(w in num)) {
				visit(w)
				if (low[w] < low[v]) low[v] = low[w]
			} else if (on[w] && num[w] < low[v]) {
				low[v] = num[w]
			}
		}
		if (low[v] != num[v]) return
		scc = ""; k = 0
		do { w = stack[sp--]; on[w] = 0; scc = scc " " w; k++ } while (w != v)
		if (k > 1) print scc
	}
	{ adj[$1, ++deg[$1]] = $2; node[$1]; node[$2] }
	END { for (v in node) if (!(v in num)) visit(v) }' "$work/$1" |
		while read -r scc; do
			# shellcheck disable=SC2086
			echo "$1 cycle: $(printf '%s\n' $scc | sort | xargs)"
		done
}

umbrella=$({ grep -l '^#include "libvfio.h"' lib/*.c analysis/*.c bench/*.c || true; } |
	   xargs)
if [ -n "$umbrella" ]; then
	echo "cycles: these include libvfio.h, so every header: $umbrella"
fi
found=0
for g in include call; do
	echo "cycles: $g graph: $(wc -l <"$work/$g") edges between $(
		tr ' ' '\n' <"$work/$g" | sort -u | wc -l) files"
	out=$(cycles "$g")
	if [ -n "$out" ]; then
		echo "$out"
		found=1
	fi
done

# The layering rule: analysis/ reaches no header of lib/include and needs
# no symbol that lib/ or bench/ defines.
breach=$(
	for c in analysis/*.c analysis/include/analysis/*.h; do
		seen=()
		closure "$c" | grep -v '^analysis/' | sed "s|^|$c includes |"
	done
	awk '$1 ~ /^analysis\// && $2 !~ /^analysis\// { print $1, "calls into", $2 }' \
		"$work/call"
)
if [ -n "$breach" ]; then
	echo "$breach" | sed 's/^/cycles: analysis reaches the VFIO side: /'
	found=1
else
	echo "cycles: analysis/ reaches nothing of lib/ or bench/"
fi
if [ "$found" = 0 ]; then
	echo "cycles: none"
fi
exit "$found"
