#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a kernel for the VM rig into the cache.
#
#   scripts/build-kernel.sh [-f] [LANE]    a kernel built here: iommufd
#                                          (default) or nothp
#   scripts/build-kernel.sh -C TREE [-e]   your own kernel tree
#
# Without -C: Debian's linux-source of the newest kernel role (see
# scripts/deps.sh) with configs/iommufd.config merged onto allnoconfig,
# everything built in (Debian's own kernels leave CONFIG_IOMMUFD unset,
# so they have neither /dev/iommu nor /dev/vfio/devices).  LANE nothp
# is the same kernel with configs/nothp.config on top (no
# CONFIG_TRANSPARENT_HUGEPAGE, as some real-time and embedded
# configurations have).  Result: $cache/kernels/LANE/{vmlinuz,release,
# config}; rebuilt only when the fragment or the source version changed
# (-f: anyway).
#
# -C TREE: a clean tree is configured out of tree, in
# $cache/build/kdir-<name>-<hash of its path>, starting from that dir's
# .config (a later run's) or defconfig; a tree configured in place (a
# .config of its own: kbuild then refuses O=) is built in place, from its
# .config.  configs/rig.config is merged on top and must survive whole.
# -e prints the result as shell assignments (kernel=, moddir=) for make.
#
# The build log is $cache/build/<lane>.log; on failure one line names
# the step and the log.  VFIO_BENCH_CACHE overrides the cache directory.

set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$top/scripts/kbuild.sh"

# The source tarball, through scripts/deps.sh; it records the version.
ensure_source() {
	"$top/scripts/deps.sh" kbuild >>"$buildlog" 2>&1 ||
		die "scripts/deps.sh kbuild failed: see $buildlog"
	tarball=$(recorded linux-source-tarball)
	srcver=$(recorded linux-source)
	[ -n "$tarball" ] && [ -f "$tarball" ] && [ -n "$srcver" ] ||
		die "no linux-source tarball recorded in $versions: run scripts/deps.sh headers"
	src=$cache/src/$(basename "${tarball%.tar.*}")
	src=${src/linux-source-/linux-}
}

# Extract the tarball once per source version; a half-done extraction
# never passes for a tree, as the stamp is written last.
extract_source() {
	[ "$(cat "$src/.vfio-bench-source" 2>/dev/null)" = "$srcver" ] && return 0
	log "extracting $(basename "$tarball") ($srcver) into $src"
	rm -rf "$src" "$src.tmp" && mkdir -p "$src.tmp"
	tar -xf "$tarball" -C "$src.tmp" --strip-components=1 ||
		die "extracting $tarball failed"
	echo "$srcver" >"$src.tmp/.vfio-bench-source"
	mv "$src.tmp" "$src"
}

# What the built kernel depends on: the fragment and the source version.
make_stamp() {
	{ sha256sum <"$fragment"; echo "$srcver"; } | sha256sum | cut -d' ' -f1
}

install_kernel() {
	local rel

	rel=$(kbuild_make -s kernelrelease)
	rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
	cp "$obj/arch/x86/boot/bzImage" "$dest.tmp/vmlinuz"
	cp "$obj/.config" "$dest.tmp/config"
	echo "$rel" >"$dest.tmp/release"
	make_stamp >"$dest.tmp/stamp"
	rm -rf "$dest" && mv "$dest.tmp" "$dest"
}

# allnoconfig rather than tinyconfig: tinyconfig builds with -Os and
# EXPERT, which would skew the timings and hide defaults (BLOCK, VT, the
# CPU vendors) that the fragment would then have to spell out.  The
# build dir is kept across fragment changes (kbuild recompiles what the
# changed options touch); a new source version starts it afresh, as the
# tarball's old mtimes would not look newer than the objects.
build_lane() {
	local lane=$1

	obj=$cache/build/$lane
	dest=$cache/kernels/$lane
	buildlog=$cache/build/$lane.log
	lane_fragment "$lane"
	lock "$lane"
	# Checked before deps.sh, so that vm.sh can ask on every run for free.
	srcver=$(recorded linux-source || true)
	if [ -z "$force" ] && [ -n "$srcver" ] && [ -f "$dest/vmlinuz" ] &&
	   [ "$(cat "$dest/stamp" 2>/dev/null)" = "$(make_stamp)" ]; then
		log "up to date: $dest/vmlinuz ($(cat "$dest/release"))"
		exit 0
	fi
	: >"$buildlog"
	ensure_source
	extract_source
	[ "$(cat "$obj/.vfio-bench-source" 2>/dev/null)" = "$srcver" ] ||
		rm -rf "$obj"
	mkdir -p "$obj" && echo "$srcver" >"$obj/.vfio-bench-source"
	log "configuring and building $srcver in $obj (log: $buildlog)"
	kbuild "$src" "$obj" allnoconfig "$fragment" "$buildlog" ||
		die "building the $lane kernel failed: see $buildlog"
	install_kernel
	log "built $(cat "$dest/release") in ${SECONDS}s: $dest/vmlinuz"
}

# lane_fragment LANE: sets fragment.  A lane other than iommufd is
# iommufd.config with configs/LANE.config on top: the base's lines for
# the symbols the overlay names are dropped, so that kbuild_verify holds
# the merged file to the overlay's word.
lane_fragment() {
	local overlay=$top/configs/$1.config syms

	fragment=$top/configs/iommufd.config
	[ "$1" = iommufd ] && return 0
	[[ $1 =~ ^[a-z0-9]+$ ]] && [ -f "$overlay" ] || die "no kernel lane $1: no $overlay"
	syms=$(grep -o 'CONFIG_[A-Z0-9_]*' "$overlay" | sort -u)
	fragment=$cache/build/$1.config
	{ grep -v -w -F "$syms" "$top/configs/iommufd.config"; cat "$overlay"; } \
		>"$fragment"
}

# A developer's tree: in place if it is configured there, else out of
# tree in a dir of the cache that is the same for the same path.
build_tree() {
	local tree

	tree=$(cd "$1" 2>/dev/null && pwd) || die "no kernel tree at $1"
	[ -f "$tree/Makefile" ] && [ -d "$tree/arch/x86" ] ||
		die "$tree is not a kernel tree (no Makefile, arch/x86)"
	lock "$(kbuild_key "$tree")"
	obj=$(kbuild_objdir "$tree")
	buildlog=$cache/build/$(kbuild_key "$tree").log
	: >"$buildlog"
	log "building $tree in $obj (log: $buildlog)"
	kbuild "$tree" "$obj" keep "$top/configs/rig.config" "$buildlog" ||
		die "building $tree failed: see $buildlog"
	log "built $(kbuild_make -s kernelrelease) in ${SECONDS}s: $obj/arch/x86/boot/bzImage${kmoddir:+, modules in $kmoddir}"
	[ -z "$emit" ] ||
		printf 'kernel=%q moddir=%q\n' "$obj/arch/x86/boot/bzImage" "$kmoddir"
}

# lock NAME: one build per build dir at a time (vm.sh may ask for the
# iommufd kernel while someone builds it by hand); other builds go on.
lock() {
	exec 9>"$cache/build/$1.lock"
	flock 9
}

force="" tree="" emit=""
while getopts fC:eh opt; do
	case $opt in
	f)	force=1 ;;
	C)	tree=$OPTARG ;;
	e)	emit=1 ;;
	*)	echo "usage: build-kernel.sh [-f] [LANE] | -C TREE [-e]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

mkdir -p "$cache/build"
if [ -n "$tree" ]; then
	build_tree "$tree"
else
	build_lane "${1:-iommufd}"
fi
