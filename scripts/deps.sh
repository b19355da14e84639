#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what vfio-bench needs, from Debian's packages only, and fetch
# the kernel-side pieces into a cache outside git.  Idempotent: a second
# run with everything present touches nothing and prints the versions.
#
# Host tools install through the system's apt.  The kernel side (uapi
# headers, linux-source, the 6.1, 6.12 and 7.2 kernels) is only downloaded,
# through a private apt configuration in $cache/apt that lists bookworm,
# trixie and sid from the machine's own mirror: /etc/apt stays as it was.
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
# The kernel side (headers, sources, kernels) comes through an apt
# configuration of our own in the cache, so that /etc/apt is never touched:
# see apt_setup.
apt_dir=$cache/apt
apt_conf=$apt_dir/apt.conf
apt_suites="bookworm trixie sid"

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

# The machine's Debian mirror and the keyring it is signed with, as
# "URI KEYRING": from the first deb822 stanza (or else one-line entry)
# whose suites name a Debian release.  Not the first URI found: a
# third-party source may sort first, and -security has no kernels.
machine_mirror() {
	local rel='^(bullseye|bookworm|trixie|forky|sid|oldstable|stable|testing|unstable)$'
	local key=/usr/share/keyrings/debian-archive-keyring.gpg found

	found=$(awk -v rel="$rel" -v key="$key" '
		BEGIN { RS = "" }
		{
			uri = ""; sk = key; ok = 0; off = 0
			n = split($0, l, "\n")
			for (i = 1; i <= n; i++) {
				if (l[i] ~ /^#/)
					continue
				split(l[i], w, /[ \t]+/)
				if (w[1] == "URIs:")
					uri = w[2]
				# A path; an inline key block keeps the default.
				if (w[1] == "Signed-By:" && w[2] ~ /^\//)
					sk = w[2]
				if (w[1] == "Enabled:" && w[2] == "no")
					off = 1
				if (w[1] == "Suites:")
					for (j = 2; j in w; j++)
						if (w[j] ~ rel)
							ok = 1
			}
			if (ok && !off && uri != "") {
				print uri, sk
				exit
			}
		}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
	[ -n "$found" ] || found=$(awk -v rel="$rel" -v key="$key" '
		$1 == "deb" {
			line = $0; sk = key
			# Options in brackets: [arch=amd64 signed-by=/path].
			if (match(line, /\[[^\]]*\]/)) {
				o = substr(line, RSTART, RLENGTH)
				line = substr(line, 1, RSTART - 1) substr(line, RSTART + RLENGTH)
				if (match(o, /signed-by=[^\] ]+/))
					sk = substr(o, RSTART + 10, RLENGTH - 10)
			}
			split(line, w, /[ \t]+/)
			if (w[3] ~ rel) {
				print w[2], sk
				exit
			}
		}' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
	[ -n "$found" ] ||
		die "no Debian mirror in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list"
	echo "$found"
}

# Write the private configuration under $apt_dir and bring its lists up to
# date when they are missing or a day old.  It reuses the machine's mirror
# and keyring, lists the suites that hold the kernels under test, and has
# lists, caches and a dpkg status of its own: the status stays empty, as
# nothing is ever installed from it, only downloaded (apt-get download).
# The system's apt.conf.d is still read (proxies, validity settings), then
# this file on top of it (apt -c), which wins.
apt_setup() {
	local uri key src f

	[ -z "${apt_ready:-}" ] || return 0
	read -r uri key <<<"$(machine_mirror)"
	mkdir -p "$apt_dir/sources.list.d" "$apt_dir/preferences.d" \
		 "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
	[ -f "$apt_dir/status" ] || : >"$apt_dir/status"
	# amd64 Packages only: no translations, AppStream or Contents files.
	src=$(cat <<-SOURCES
	Types: deb
	URIs: $uri
	Suites: $apt_suites
	Components: main
	Architectures: amd64
	Targets: Packages
	Signed-By: $key
	SOURCES
	)
	# A changed mirror or suite list makes the lists stale at once.
	if [ "$src" != "$(cat "$apt_dir/sources.list.d/debian.sources" 2>/dev/null)" ]; then
		echo "$src" >"$apt_dir/sources.list.d/debian.sources"
		rm -f "$apt_dir/updated"
	fi
	cat >"$apt_conf" <<-CONF
	// Written by scripts/deps.sh: vfio-bench's private apt configuration,
	// for the kernel-side packages only (apt-get -c $apt_conf).
	Dir::Etc::sourcelist "/dev/null";
	Dir::Etc::sourceparts "$apt_dir/sources.list.d";
	Dir::Etc::preferences "/dev/null";
	Dir::Etc::preferencesparts "$apt_dir/preferences.d";
	Dir::State "$apt_dir";
	Dir::State::lists "$apt_dir/lists";
	Dir::State::status "$apt_dir/status";
	Dir::Cache "$apt_dir/cache";
	// The binary cache saves a second per query; the source one would
	// only double the 90 MB.
	Dir::Cache::pkgcache "pkgcache.bin";
	Dir::Cache::srcpkgcache "";
	// The system's update hooks are about the system's lists, not these.
	#clear APT::Update::Post-Invoke;
	#clear APT::Update::Post-Invoke-Success;
	CONF
	# An older deps.sh added trixie and sid to the system's apt: say so,
	# touch nothing.
	for f in /etc/apt/sources.list.d/vfio-bench.sources /etc/apt/preferences.d/vfio-bench; do
		[ ! -f "$f" ] ||
			log "note: $f is left from an older deps.sh and unused: remove it, then apt-get update"
	done
	if ! apt_lists_fresh; then
		log "updating the private apt lists ($apt_suites from $uri)"
		apt_get update -qq </dev/null >/dev/null ||
			die "apt-get update of the private configuration failed: see apt-get -c $apt_conf update"
		touch "$apt_dir/updated"
	fi
	apt_ready=1
}

# Fresh: updated within a day, and a Packages list for every suite.
apt_lists_fresh() {
	local s

	[ -n "$(find "$apt_dir/updated" -mmin -1440 2>/dev/null)" ] || return 1
	for s in $apt_suites; do
		compgen -G "$apt_dir/lists/*_dists_${s}_main_binary-amd64_Packages*" >/dev/null ||
			return 1
	done
}

# apt-get and apt-cache on the private configuration.
apt_get() { apt-get -c "$apt_conf" "$@"; }
apt_cache() { apt-cache -c "$apt_conf" "$@"; }

# Newest version of a package in any of the private suites.
newest_version() {
	apt_cache madison "$1" 2>/dev/null | awk '{ print $3 }' | sort -V | tail -n 1
}

# Newest package name matching an extended regex (apt-cache search).
newest_name() {
	apt_cache search --names-only "$1" 2>/dev/null | awk '{ print $1 }' |
		sort -V | tail -n 1
}

# fetch PKG VERSION DESTDIR: download one .deb into the cache, once.
fetch_deb() {
	local pkg=$1 ver=$2 dir=$cache/debs deb out

	mkdir -p "$dir"
	deb=$(ls "$dir/${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n 1 || true)
	if [ -z "$deb" ]; then
		log "downloading $pkg $ver"
		# Quiet unless it fails; then apt's last words say why.
		out=$(cd "$dir" && apt_get download -q "$pkg=$ver" 2>&1 </dev/null) || {
			echo "$out" | tail -n 5 >&2
			die "apt-get download $pkg=$ver failed"
		}
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
	apt_setup
	ver=$(apt_cache madison linux-libc-dev | awk '$3 ~ /^7\.2\./ { print $3 }' |
		sort -V | tail -n 1)
	[ -n "$ver" ] || die "no linux-libc-dev 7.2 in $apt_suites"
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
	apt_setup
	ver=$(newest_version linux-source-7.2)
	[ -n "$ver" ] || die "no linux-source-7.2 in $apt_suites"
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
	# 6.1 and 6.12 ship /lib/modules, 7.2 /usr/lib/modules with vmlinuz inside.
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

# fetch_image_kernel SERIES REGEX: a kernel whose one linux-image package
# (the newest matching REGEX) holds vmlinuz and modules, as in trixie and
# bookworm; cached in kernels/SERIES and recorded as kernel-SERIES.
fetch_image_kernel() {
	local dir=$cache/kernels/$1 name ver

	[ -f "$dir/release" ] && return 0
	apt_setup
	name=$(newest_name "$2")
	[ -n "$name" ] || die "no package matching $2 in $apt_suites"
	ver=$(newest_version "$name")
	unpack_kernel "$dir" "$(fetch_deb "$name" "$ver")"
	record "kernel-$1" "$name $ver"
}

fetch_kernel_612() {
	fetch_image_kernel 6.12 '^linux-image-6\.12\.[0-9]+(\+deb[0-9]+)?-amd64-unsigned$'
}

# Debian 12's kernel: vfio modular down to vfio_virqfd, and BAR faults
# from before huge_fault (FACTS.md section 5).  The ABI number in the
# name moves with bookworm's point releases: take the newest.
fetch_kernel_61() {
	fetch_image_kernel 6.1 '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$'
}

# In sid, linux-image-* is a metapackage: the kernel lives in
# linux-binary-*, the modules in linux-modules-*.
fetch_kernel_72() {
	local dir=$cache/kernels/7.2 bin mods ver

	[ -f "$dir/release" ] && return 0
	apt_setup
	bin=$(newest_name '^linux-binary-7\.2\.[0-9]+(\+deb[0-9]+)?-amd64$')
	[ -n "$bin" ] || die "no linux-binary-7.2.*-amd64 in $apt_suites"
	mods=${bin/linux-binary-/linux-modules-}
	ver=$(newest_version "$bin")
	unpack_kernel "$dir" "$(fetch_deb "$bin" "$ver")" \
		"$(fetch_deb "$mods" "$(newest_version "$mods")")"
	record kernel-7.2 "$bin $ver"
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
kernels)	install_host; fetch_kernel_72; fetch_kernel_612; fetch_kernel_61 ;;
kbuild)		install_kbuild; fetch_source ;;
all)		install_host; fetch_uapi; fetch_source
		fetch_kernel_72; fetch_kernel_612; fetch_kernel_61 ;;
*)		die "usage: $0 [host|headers|kernels|kbuild|plot|fuzz|all]" ;;
esac
show_versions
