#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what vfio-bench needs, from Debian's packages only, and fetch
# the kernel-side pieces into a cache outside git.  Idempotent: a second
# run with everything present touches nothing and prints the versions.
#
#   scripts/deps.sh [host|headers|kernels|kbuild|plot|fuzz|all]    (default: all)
#
# VFIO_BENCH_CACHE overrides the cache directory (default: <repo>/.cache).

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${VFIO_BENCH_CACHE:-$top/.cache}
versions=$cache/versions

host_pkgs="gcc make libc6-dev libnuma-dev zlib1g-dev qemu-system-x86
	   busybox-static cpio xz-utils kmod perl ca-certificates"
apt_list=/etc/apt/sources.list.d/vfio-bench.sources
apt_pref=/etc/apt/preferences.d/vfio-bench

die() { echo "deps: $*" >&2; exit 1; }
log() { echo "deps: $*" >&2; }

need_root() {
	[ "$(id -u)" = 0 ] || die "$1 needs root (apt-get); run as root or install: $2"
}

install_host() {
	local missing=() p
	for p in $host_pkgs; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} = 0 ] && return 0
	need_root "installing host packages" "${missing[*]}"
	log "installing ${missing[*]}"
	apt_updated || apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
}

apt_updated() {
	[ -n "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -n 1)" ]
}

# The newer suites hold the kernels under test.  Reuse the mirror the
# machine already uses and pin the suites low, so that nothing installed
# on the host is ever upgraded from them.
add_suites() {
	local uri

	if [ -f "$apt_list" ] && [ -f "$apt_pref" ] &&
	   apt-cache show linux-source-7.2 >/dev/null 2>&1; then
		return 0
	fi
	need_root "adding the trixie and sid apt suites" "nothing"
	uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
	[ -n "$uri" ] || uri=$(awk '/^deb / { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
	[ -n "$uri" ] || die "no Debian mirror found in the apt sources"
	cat >"$apt_list" <<-LIST
	Types: deb
	URIs: $uri
	Suites: trixie sid
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	LIST
	cat >"$apt_pref" <<-PREF
	Package: *
	Pin: release n=trixie
	Pin-Priority: 50

	Package: *
	Pin: release n=sid
	Pin-Priority: 50
	PREF
	log "added trixie and sid (pin 50) from $uri"
	apt-get update -qq
}

# Newest version of a package in any configured suite.
newest_version() {
	apt-cache madison "$1" 2>/dev/null | awk '{ print $3 }' | sort -V | tail -n 1
}

# Newest package name matching an extended regex (apt-cache search).
newest_name() {
	apt-cache search --names-only "$1" 2>/dev/null | awk '{ print $1 }' |
		sort -V | tail -n 1
}

# fetch PKG VERSION DESTDIR: download one .deb into the cache, once.
fetch_deb() {
	local pkg=$1 ver=$2 dir=$cache/debs deb

	mkdir -p "$dir"
	deb=$(ls "$dir/${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n 1 || true)
	if [ -z "$deb" ]; then
		log "downloading $pkg $ver"
		(cd "$dir" && apt-get download -q "$pkg=$ver" >/dev/null 2>&1) ||
			die "apt-get download $pkg=$ver failed"
		deb=$(ls "$dir/${pkg}_"*.deb | grep -F "_${ver//:/%3a}_" | head -n 1)
	fi
	echo "$deb"
}

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

# uapi headers (linux/vfio.h, linux/iommufd.h, ...) from linux-libc-dev 7.2.
fetch_uapi() {
	local ver deb

	[ -f "$cache/uapi/usr/include/linux/iommufd.h" ] && return 0
	add_suites
	ver=$(apt-cache madison linux-libc-dev | awk '$3 ~ /^7\.2\./ { print $3 }' |
		sort -V | tail -n 1)
	[ -n "$ver" ] || die "no linux-libc-dev 7.2 in the apt suites"
	deb=$(fetch_deb linux-libc-dev "$ver")
	rm -rf "$cache/uapi" && dpkg-deb -x "$deb" "$cache/uapi"
	record linux-libc-dev "$ver"
}

# The kselftest harness and checkpatch.pl (with its data files) from
# linux-source-7.2.  The whole tarball stays in the cache for kernel builds.
fetch_source() {
	local ver deb tarball src=$cache/linux-source

	[ -f "$src/scripts/checkpatch.pl" ] &&
		[ -f "$src/tools/testing/selftests/kselftest_harness.h" ] && return 0
	add_suites
	ver=$(newest_version linux-source-7.2)
	[ -n "$ver" ] || die "no linux-source-7.2 in the apt suites"
	deb=$(fetch_deb linux-source-7.2 "$ver")
	rm -rf "$cache/linux-source-deb"
	dpkg-deb -x "$deb" "$cache/linux-source-deb"
	tarball=$(ls "$cache"/linux-source-deb/usr/src/linux-source-*.tar.* | head -n 1)
	mv "$tarball" "$cache/" && rm -rf "$cache/linux-source-deb"
	tarball=$cache/$(basename "$tarball")
	rm -rf "$src" && mkdir -p "$src"
	log "extracting harness and checkpatch from $(basename "$tarball")"
	tar -xf "$tarball" -C "$src" --strip-components=1 --wildcards \
		'*/tools/testing/selftests/kselftest.h' \
		'*/tools/testing/selftests/kselftest_harness.h' \
		'*/scripts/checkpatch.pl' \
		'*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
	record linux-source-7.2 "$ver"
	record linux-source-tarball "$tarball"
}

# unpack_kernel DIR DEB...: keep DIR/vmlinuz, DIR/release and
# DIR/lib/modules/<release> with a modules.dep made by depmod (the
# packages leave that to their postinst).
unpack_kernel() {
	local dir=$1 deb rel tmp=$1.tmp
	shift

	rm -rf "$tmp" && mkdir -p "$tmp/lib"
	for deb in "$@"; do
		dpkg-deb -x "$deb" "$tmp/root"
	done
	# 6.12 ships /lib/modules, 7.2 /usr/lib/modules with vmlinuz inside.
	mv "$tmp"/root/lib/modules "$tmp/lib/" 2>/dev/null ||
		mv "$tmp"/root/usr/lib/modules "$tmp/lib/"
	rel=$(ls "$tmp/lib/modules" | head -n 1)
	if [ -f "$tmp/lib/modules/$rel/vmlinuz" ]; then
		mv "$tmp/lib/modules/$rel/vmlinuz" "$tmp/vmlinuz"
	else
		mv "$tmp"/root/boot/vmlinuz-* "$tmp/vmlinuz"
	fi
	depmod -b "$tmp" "$rel"
	echo "$rel" >"$tmp/release"
	rm -rf "$tmp/root" "$dir"
	mv "$tmp" "$dir"
}

fetch_kernel_612() {
	local dir=$cache/kernels/6.12 name ver

	[ -f "$dir/release" ] && return 0
	add_suites
	name=$(newest_name '^linux-image-6\.12\.[0-9]+(\+deb[0-9]+)?-amd64-unsigned$')
	[ -n "$name" ] || die "no linux-image-6.12.*-amd64-unsigned in the apt suites"
	ver=$(newest_version "$name")
	unpack_kernel "$dir" "$(fetch_deb "$name" "$ver")"
	record kernel-6.12 "$name $ver"
}

# In sid, linux-image-* is a metapackage: the kernel lives in
# linux-binary-*, the modules in linux-modules-*.
fetch_kernel_72() {
	local dir=$cache/kernels/7.2 bin mods

	[ -f "$dir/release" ] && return 0
	add_suites
	bin=$(newest_name '^linux-binary-7\.2\.[0-9]+(\+deb[0-9]+)?-amd64$')
	[ -n "$bin" ] || die "no linux-binary-7.2.*-amd64 in the apt suites"
	mods=${bin/linux-binary-/linux-modules-}
	unpack_kernel "$dir" "$(fetch_deb "$bin" "$(newest_version "$bin")")" \
		"$(fetch_deb "$mods" "$(newest_version "$mods")")"
	record kernel-7.2 "$bin $(newest_version "$bin")"
}

show_versions() {
	[ -f "$versions" ] && sed 's/^/deps: /' "$versions" >&2
	return 0
}

# clang and its runtimes only for 'make fuzz'.
install_fuzz() {
	host_pkgs="clang libclang-rt-14-dev" install_host
}

# The kernel build's own tools: flex/bison for kconfig, libelf-dev for
# objtool, libssl-dev for the certificate tools, bc for the timeconst.
install_kbuild() {
	host_pkgs="gcc make libc6-dev flex bison bc libelf-dev libssl-dev
		   cpio perl python3 xz-utils" install_host
}

# gnuplot only for scripts/plot.sh: not everyone plots.
install_plot() {
	host_pkgs="gnuplot-nox" install_host
}

case ${1:-all} in
host)		install_host ;;
plot)		install_plot ;;
fuzz)		install_fuzz ;;
headers)	install_host; fetch_uapi; fetch_source ;;
kernels)	install_host; fetch_kernel_72; fetch_kernel_612 ;;
kbuild)		install_kbuild; fetch_source ;;
all)		install_host; fetch_uapi; fetch_source
		fetch_kernel_72; fetch_kernel_612 ;;
*)		die "usage: $0 [host|headers|kernels|kbuild|plot|fuzz|all]" ;;
esac
show_versions
