#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the iommufd lane's kernel into the cache: Debian's linux-source-7.2
# with configs/iommufd.config merged onto allnoconfig, everything built in.
# Debian's own kernels leave CONFIG_IOMMUFD unset, so they have neither
# /dev/iommu nor /dev/vfio/devices.
#
#   scripts/build-kernel.sh [-f]      (-f: rebuild even if up to date)
#
# Result: $cache/kernels/iommufd/{vmlinuz,release,config} and no modules
# dir.  It rebuilds only when the fragment or the source version changed
# (the stamp file holds their sha256).  The build log is
# $cache/build/iommufd.log; on failure one line names the step and the log.
#
# VFIO_BENCH_CACHE overrides the cache directory (default: <repo>/.cache).

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${VFIO_BENCH_CACHE:-$top/.cache}
fragment=$top/configs/iommufd.config
src=$cache/src/linux-7.2
obj=$cache/build/iommufd
dest=$cache/kernels/iommufd
buildlog=$cache/build/iommufd.log

die() { echo "build-kernel: $*" >&2; exit 1; }
log() { echo "build-kernel: $*" >&2; }

recorded() {
	[ -f "$cache/versions" ] && sed -n "s/^$1=//p" "$cache/versions"
}

# run STEP CMD...: CMD's output goes to the log; a failure names STEP.
run() {
	local step=$1
	shift
	echo "### $step: $*" >>"$buildlog"
	"$@" >>"$buildlog" 2>&1 || die "$step failed: see $buildlog"
}

# The build tools and the source tarball, through scripts/deps.sh.
ensure_deps() {
	run "scripts/deps.sh kbuild" "$top/scripts/deps.sh" kbuild
	tarball=$(recorded linux-source-tarball)
	srcver=$(recorded linux-source-7.2)
	if [ -z "$tarball" ] || [ ! -f "$tarball" ] || [ -z "$srcver" ]; then
		die "no linux-source-7.2 tarball recorded in $cache/versions: run scripts/deps.sh headers"
	fi
}

# Extract the tarball once per source version; a half-done extraction
# never passes for a tree, as the stamp is written last.
extract_source() {
	[ "$(cat "$src/.vfio-bench-source" 2>/dev/null)" = "$srcver" ] && return 0
	log "extracting $(basename "$tarball") ($srcver) into $src"
	rm -rf "$src" "$src.tmp" && mkdir -p "$src.tmp"
	run "extracting $tarball" tar -xf "$tarball" -C "$src.tmp" --strip-components=1
	echo "$srcver" >"$src.tmp/.vfio-bench-source"
	mv "$src.tmp" "$src"
}

# What the built kernel depends on: the fragment and the source version.
make_stamp() {
	{ sha256sum <"$fragment"; echo "$srcver"; } | sha256sum | cut -d' ' -f1
}

kmake() {
	make -C "$src" O="$obj" ARCH=x86_64 "$@"
}

# allnoconfig rather than tinyconfig: tinyconfig builds with -Os and
# EXPERT, which would skew the timings and hide defaults (BLOCK, VT, the
# CPU vendors) that the fragment would then have to spell out.
# The build dir is kept across fragment changes: kbuild then recompiles
# only what the changed options touch.  A new source version starts it
# afresh, as the tarball's old mtimes would not look newer than objects.
configure() {
	[ "$(cat "$obj/.vfio-bench-source" 2>/dev/null)" = "$srcver" ] ||
		rm -rf "$obj"
	mkdir -p "$obj" && echo "$srcver" >"$obj/.vfio-bench-source"
	run "make allnoconfig" kmake allnoconfig
	run "merge_config.sh" "$src/scripts/kconfig/merge_config.sh" -m \
		-O "$obj" "$obj/.config" "$fragment"
	run "make olddefconfig" kmake olddefconfig
	verify_config
}

# Kconfig drops an option whose dependencies are unmet, silently: every
# line of the fragment must be in the final .config as written.
verify_config() {
	local line sym want have lost=()

	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			sym=${line%%=*} want=${line#*=} ;;
		"# CONFIG_"*" is not set")
			sym=${line#\# } sym=${sym%% *} want=n ;;
		*)	continue ;;
		esac
		have=$(sed -n "s/^$sym=//p" "$obj/.config")
		[ "${have:-n}" = "$want" ] || lost+=("$sym=$want (got ${have:-n})")
	done <"$fragment"
	[ ${#lost[@]} = 0 ] && return 0
	echo "build-kernel: ${#lost[@]} option(s) of $fragment did not survive olddefconfig (unmet dependencies?):" >&2
	printf '  %s\n' "${lost[@]}" >&2
	die "fix $fragment; the merged config is $obj/.config"
}

install_kernel() {
	local rel

	rel=$(kmake -s kernelrelease)
	rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
	cp "$obj/arch/x86/boot/bzImage" "$dest.tmp/vmlinuz"
	cp "$obj/.config" "$dest.tmp/config"
	echo "$rel" >"$dest.tmp/release"
	echo "$stamp" >"$dest.tmp/stamp"
	rm -rf "$dest" && mv "$dest.tmp" "$dest"
}

force=""
while getopts fh opt; do
	case $opt in
	f)	force=1 ;;
	*)	echo "usage: build-kernel.sh [-f]" >&2; exit 2 ;;
	esac
done

mkdir -p "$cache/build"
# vm.sh may call this while someone runs it by hand: one build at a time.
exec 9>"$cache/build/iommufd.lock"
flock 9
# Checked before deps.sh, so that vm.sh can ask on every run for free.
srcver=$(recorded linux-source-7.2 || true)
if [ -z "$force" ] && [ -n "$srcver" ] && [ -f "$dest/vmlinuz" ] &&
   [ "$(cat "$dest/stamp" 2>/dev/null)" = "$(make_stamp)" ]; then
	log "up to date: $dest/vmlinuz ($(cat "$dest/release"))"
	exit 0
fi
: >"$buildlog"
ensure_deps
stamp=$(make_stamp)
start=$(date +%s)
extract_source
log "configuring and building $srcver in $obj (log: $buildlog)"
configure
run "make bzImage" kmake -j"$(nproc)" bzImage
install_kernel
log "built $(cat "$dest/release") in $(($(date +%s) - start))s: $dest/vmlinuz"
