# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The arm64 side of scripts/deps.sh, sourced by it, never run:
#
#   scripts/deps.sh cross   Debian's cross toolchain (system apt) and an
#                           arm64 sysroot of the static libraries the
#                           programs link (libnuma.a, libz.a): what
#                           'make ARCH=arm64' needs
#   scripts/deps.sh arm64   that, qemu-system-aarch64, busybox-static for
#                           arm64 and the newest arm64 kernel, with 4 KiB
#                           and with 16 KiB pages: what
#                           'make vm-run ARCH=arm64 [PAGES=16k]' needs
#
# Everything arm64 lives under $cache/arm64: an apt configuration of its
# own (arm64 Packages lists of the same suites as the amd64 one, which
# stays as it was), debs/, sysroot/, busybox/, kernels/ and versions.
# The uapi headers are the amd64 side's: linux-libc-dev is one package
# for all architectures, with each one's asm/ under its triplet.

# The variables it sets are read, and those it reads set, by the script
# that sources it.
# shellcheck disable=SC2034,SC2154

cross_pkgs="gcc-aarch64-linux-gnu libc6-dev-arm64-cross"
arm64_host_pkgs="$cross_pkgs qemu-system-arm cpio xz-utils kmod"
arm64_dir=$cache/arm64

# Point deps.sh's private apt configuration, downloads, kernels and
# versions file at arm64 ones, and bring those lists up to date.
arm64_apt() {
	apt_dir=$arm64_dir/apt
	apt_conf=$apt_dir/apt.conf
	apt_arch=arm64
	deb_dir=$arm64_dir/debs
	kernels_dir=$arm64_dir/kernels
	versions=$arm64_dir/versions
	apt_ready=""
	apt_setup
}

# release_version PKG: PKG's version in the host's own Debian release.
# The static archives link against the cross glibc, which comes from
# the host's release: one built against a newer glibc may call symbols
# it lacks (glibc 2.38's __isoc23_strtol, for one).
release_version() {
	local rel ver

	rel=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ -n "$rel" ] || die "no VERSION_CODENAME in /etc/os-release: cannot tell which release's $1 matches the cross glibc"
	ver=$(apt-cache -c "$apt_conf" madison "$1" |
		awk -F'|' -v r="$rel" '$3 ~ " " r "/" { gsub(/ /, "", $2); print $2 }' |
		sort -V | tail -n 1)
	[ -n "$ver" ] || die "no $1 for arm64 in $rel (the host's release) in the private apt lists"
	echo "$ver"
}

# fetch_into DIR PKG...: each PKG (the host release's version) unpacked
# into DIR, once per version; a stamp lists them.
fetch_into() {
	local dir=$1 p ver want="" deb
	shift

	for p in "$@"; do
		ver=$(release_version "$p") || exit
		want+="$p=$ver "
	done
	[ "$(cat "$dir/.debs" 2>/dev/null)" != "$want" ] || return 0
	rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
	for p in $want; do
		ver=${p#*=}
		deb=$(fetch_deb "${p%%=*}" "$ver")
		dpkg-deb -x "$deb" "$dir.tmp"
	done
	echo "$want" >"$dir.tmp/.debs"
	rm -rf "$dir" && mv "$dir.tmp" "$dir"
	log "arm64: $want-> $dir"
}

# The cross compiler (system apt) and the sysroot 'make ARCH=arm64'
# links from: -isystem sysroot/usr/include, -L sysroot/usr/lib/<triplet>.
fetch_cross() {
	host_pkgs="$build_pkgs $cross_pkgs" install_host
	arm64_apt
	fetch_into "$arm64_dir/sysroot" libnuma-dev zlib1g-dev
	[ -f "$arm64_dir/sysroot/usr/lib/aarch64-linux-gnu/libnuma.a" ] ||
		die "libnuma-dev for arm64 has no libnuma.a: the programs link it statically"
}

# The rig: QEMU, busybox and the newest kernel in both page sizes.
fetch_arm64() {
	host_pkgs="$host_pkgs $arm64_host_pkgs" install_host
	fetch_cross
	fetch_into "$arm64_dir/busybox" busybox-static
	mkdir -p "$kernels_dir"
	kflavour=arm64 fetch_role newest
	kflavour=arm64-16k fetch_role newest -16k
}
