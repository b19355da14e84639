#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what vfio-bench needs, from Debian's packages only, and fetch
# the kernel-side pieces into a cache outside git.  Idempotent: a second
# run with everything present touches nothing and prints the versions.
#
# Host tools install through the system's apt, named before they are.
# The kernel side (uapi headers, linux-source, the kernels of each role in
# scripts/kernel-roles.sh) is only downloaded, through a private apt
# configuration in $cache/apt that lists oldstable, stable and unstable
# from the machine's own mirror: /etc/apt stays as it was.
#
#   scripts/deps.sh [build|host|headers|kernels|roles|kbuild|plot|fuzz|lava|cross|arm64|all]
#
#   build    what plain 'make' needs: the compiler and libraries
#   host     that and the VM rig's tools (QEMU, busybox, ...)
#   headers  the uapi headers and kselftest/checkpatch files (newest role)
#   kernels  the kernels of every role; roles: only print them
#   lava     LAVA's dispatcher (lava-run), for 'make lava-run' only
#   cross    the arm64 cross toolchain and sysroot; arm64: that and the
#            arm64 rig (scripts/deps-arm64.sh)
#   all      (the default) host, headers and kernels
#
# VFIO_BENCH_CACHE overrides the cache directory (default: <repo>/.cache).

set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$top/scripts/kernel-roles.sh"
. "$top/scripts/deps-arm64.sh"

# libnuma-dev for its libnuma.a: the programs link statically.
build_pkgs="gcc make libc6-dev zlib1g-dev libnuma-dev perl"
host_pkgs="$build_pkgs qemu-system-x86 busybox-static cpio xz-utils kmod
	   ca-certificates"
# The kernel side (headers, sources, kernels) comes through an apt
# configuration of our own in the cache, so that /etc/apt is never touched:
# see apt_setup.
apt_dir=$cache/apt
apt_conf=$apt_dir/apt.conf
# The architecture of its Packages lists, and where the .debs and the
# kernels go: scripts/deps-arm64.sh points all of these elsewhere.
apt_arch=amd64
deb_dir=$cache/debs
kernels_dir=$cache/kernels
# Aliases: the roles move with Debian's releases.  The lists are of
# the codenames the mirror gives them today (see suite_codenames).
apt_suites="oldstable stable unstable"
role_suites=$apt_suites

# One deps.sh at a time per cache: make -j, vm.sh and build-kernel.sh
# may all ask at once, and apt locks its lists.
mkdir -p "$cache"
exec 8>"$cache/deps.lock"
flock 8

need_root() {
	[ "$(id -u)" = 0 ] || die "$1 needs root (apt-get); run as root or install: $2"
}

install_host() {
	local missing=() p

	command -v dpkg-query >/dev/null && command -v apt-get >/dev/null ||
		die "not a Debian host (no apt-get, dpkg-query): install by hand the equivalents of: $(echo $host_pkgs)"
	for p in $host_pkgs; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} = 0 ] && return 0
	need_root "installing host packages" "${missing[*]}"
	log "installing through the system's apt: ${missing[*]}"
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
	codenames=$(suite_codenames "$uri")
	# amd64 Packages only: no translations, AppStream or Contents files.
	src=$(cat <<-SOURCES
	Types: deb
	URIs: $uri
	Suites: $codenames
	Components: main
	Architectures: $apt_arch
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
	// Names without :ARCH are of this architecture only.
	APT::Architecture "$apt_arch";
	APT::Architectures "$apt_arch";
	// The system's update hooks are about the system's lists, not these.
	#clear APT::Update::Post-Invoke;
	#clear APT::Update::Post-Invoke-Success;
	CONF
	# Files of this name in the system's apt would mix other suites into
	# the system's upgrades; /etc/apt is not ours to change: say so.
	for f in /etc/apt/sources.list.d/vfio-bench.sources /etc/apt/preferences.d/vfio-bench; do
		[ ! -f "$f" ] ||
			log "note: $f adds suites to the system's apt and vfio-bench does not use it: remove it, then apt-get update"
	done
	if ! apt_lists_fresh; then
		log "updating the private apt lists ($codenames from $uri)"
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
	for s in $codenames; do
		compgen -G "$apt_dir/lists/*_dists_${s}_main_binary-${apt_arch}_Packages*" >/dev/null ||
			return 1
	done
}

# suite_codenames URI: the codenames of $apt_suites, as the mirror's
# InRelease files name them today (once a day; the lists themselves are
# verified by apt).  By codename, as a mirror may serve an alias from an
# older snapshot than the codename; the aliases are kept in
# $apt_dir/codenames ("alias codename" lines) for packages().
suite_codenames() {
	local map=$apt_dir/codenames a c tmp

	if [ -z "$(find "$map" -mmin -1440 2>/dev/null)" ]; then
		tmp=$(mktemp -d)
		for a in $apt_suites; do
			/usr/lib/apt/apt-helper download-file "$1/dists/$a/InRelease" \
				"$tmp/$a" >/dev/null 2>&1 &&
				c=$(sed -n 's/^Codename: *//p' "$tmp/$a" | head -n 1) &&
				[ -n "$c" ] && echo "$a $c"
		done >"$tmp/map"
		[ "$(wc -l <"$tmp/map")" = "$(echo "$apt_suites" | wc -w)" ] &&
			mv "$tmp/map" "$map"
		rm -rf "$tmp"
	fi
	[ -f "$map" ] || die "cannot read the codenames of $apt_suites from $1"
	cut -d' ' -f2 "$map" | tr '\n' ' ' | sed 's/ $//'
}

# apt-get on the private configuration.
apt_get() { apt-get -c "$apt_conf" "$@"; }

# packages SUITE: the linux-* stanzas of the suite's Packages list, for
# scripts/kernel-roles.sh; kept beside the list until it changes, as
# reading all of it takes a second or more each time.
packages() {
	local c list out

	apt_setup
	c=$(awk -v a="$1" '$1 == a { print $2 }' "$apt_dir/codenames")
	list=$(ls "$apt_dir"/lists/*_dists_"${c:-$1}"_main_binary-"$apt_arch"_Packages* | head -n 1)
	out=$apt_dir/linux-${c:-$1}
	if [ ! "$out" -nt "$list" ]; then
		/usr/lib/apt/apt-helper cat-file "$list" |
			awk '/^Package: linux-/, /^$/' >"$out.$$" && mv "$out.$$" "$out"
	fi
	cat "$out"
}

# fetch_deb PKG VERSION: download one .deb into the cache, once; print its path.
fetch_deb() {
	local pkg=$1 ver=$2 dir=$deb_dir deb

	mkdir -p "$dir"
	deb=$(ls "$dir/${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n 1 || true)
	if [ -z "$deb" ]; then
		log "downloading $pkg $ver"
		download "$dir" "$pkg=$ver"
		deb=$(ls "$dir/${pkg}_"*.deb | grep -F "_${ver//:/%3a}_" | head -n 1)
	fi
	echo "$deb"
}

# download DIR PKG=VER: apt's own progress (size, rate) on a terminal;
# elsewhere its size and rate lines, and in CI nothing unless it fails,
# when apt's last words say why.
download() {
	local out

	if ! quiet && [ -t 2 ]; then
		(cd "$1" && apt_get download "$2" </dev/null >&2) ||
			die "apt-get download $2 failed"
		return 0
	fi
	out=$(cd "$1" && apt_get download -q "$2" 2>&1 </dev/null) || {
		echo "$out" | tail -n 5 >&2
		die "apt-get download $2 failed"
	}
	quiet || echo "$out" | grep -E '^(Get|Fetched)' | sed 's/^/deps:   /' >&2
}

# uapi headers (linux/vfio.h, linux/iommufd.h, ...) from the newest
# kernel's linux-libc-dev.
fetch_uapi() {
	local ver deb

	[ -f "$cache/uapi/usr/include/linux/iommufd.h" ] && return 0
	ver=$(newest_headers)
	[ -n "$ver" ] || die "no linux-libc-dev in the newest kernel's suite"
	deb=$(fetch_deb linux-libc-dev "$ver")
	rm -rf "$cache/uapi" && dpkg-deb -x "$deb" "$cache/uapi"
	record linux-libc-dev "$ver"
}

# The kselftest harness and runner and checkpatch.pl (with its data
# files) from the newest kernel's linux-source-X.Y.  The whole tarball
# stays in the cache for kernel builds.
fetch_source() {
	local pkg ver deb tarball src=$cache/linux-source

	[ -f "$src/scripts/checkpatch.pl" ] &&
		[ -f "$src/tools/testing/selftests/run_kselftest.sh" ] &&
		migrate_source_record && return 0
	tarball=$(recorded linux-source-tarball || true)
	if [ -z "$tarball" ] || [ ! -f "$tarball" ]; then
		read -r pkg ver <<<"$(newest_source)"
		[ -n "$ver" ] || die "no linux-source in the newest kernel's suite"
		deb=$(fetch_deb "$pkg" "$ver")
		rm -rf "$cache/linux-source-deb"
		dpkg-deb -x "$deb" "$cache/linux-source-deb"
		tarball=$(ls "$cache"/linux-source-deb/usr/src/linux-source-*.tar.* | head -n 1)
		mv "$tarball" "$cache/" && rm -rf "$cache/linux-source-deb"
		tarball=$cache/$(basename "$tarball")
		record linux-source "$ver"
		record linux-source-tarball "$tarball"
	fi
	migrate_source_record
	# Beside, then in place: parallel builds read the old files meanwhile.
	rm -rf "$src.tmp" && mkdir -p "$src.tmp"
	log "extracting the kselftest files and checkpatch from $(basename "$tarball")"
	tar -xf "$tarball" -C "$src.tmp" --strip-components=1 --wildcards \
		'*/tools/testing/selftests/kselftest.h' \
		'*/tools/testing/selftests/kselftest_harness.h' \
		'*/tools/testing/selftests/run_kselftest.sh' \
		'*/tools/testing/selftests/kselftest/*' \
		'*/tools/testing/selftests/lib.mk' \
		'*/scripts/checkpatch.pl' \
		'*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
	rm -rf "$src" && mv "$src.tmp" "$src"
}

# A cache filled before the roles recorded linux-source-X.Y=VER only.
migrate_source_record() {
	local tarball series

	[ -z "$(recorded linux-source)" ] || return 0
	tarball=$(recorded linux-source-tarball)
	series=$(basename "$tarball" | grep -oE '[0-9]+\.[0-9]+' | head -n 1)
	[ -z "$series" ] || record linux-source "$(recorded "linux-source-$series")"
	return 0
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
	# 6.x ships /lib/modules, 7.x /usr/lib/modules with vmlinuz inside.
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

# fetch_role ROLE: the role's kernel into kernels/SERIES (once per
# series), kernels/ROLE a link to it; says which it is.
# A SUFFIX (fetch_role ROLE SUFFIX) names another flavour of the same
# series beside it: kernels/7.2-16k, kernels/newest-16k.
fetch_role() {
	local role=$1 sfx=${2:-} series ver pkgs=() debs=() p

	read -r series ver pkgs <<<"$(role_kernel "$role")"
	[ -n "$pkgs" ] || die "no kernel for role $role in $apt_suites"
	read -ra pkgs <<<"$pkgs"
	series+=$sfx role+=$sfx
	if [ "$(recorded "kernel-$series")" != "${pkgs[0]} $ver" ] ||
	   [ ! -f "$kernels_dir/$series/release" ]; then
		for p in "${pkgs[@]}"; do
			debs+=("$(fetch_deb "$p" "$ver")")
		done
		unpack_kernel "$kernels_dir/$series" "${debs[@]}"
		record "kernel-$series" "${pkgs[0]} $ver"
	fi
	ln -sfn "$series" "$kernels_dir/$role"
	record "role-$role" "$series"
	log "kernel $role = $series ($(recorded "kernel-$series"))"
}

fetch_kernels() {
	mkdir -p "$kernels_dir"
	fetch_role newest
	fetch_role stable
	fetch_role oldstable
}

show_roles() {
	local r

	for r in newest stable oldstable; do
		log "kernel $r = $(role_kernel "$r")"
	done
}

show_versions() {
	quiet || [ ! -f "$versions" ] || sed 's/^/deps: /' "$versions" >&2
	return 0
}

# clang and its runtimes only for 'make fuzz'.
install_fuzz() {
	host_pkgs="clang libclang-rt-dev" install_host
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

# LAVA's own dispatcher only for 'make lava-run': a lab's engine, run
# here standalone to prove the job definitions; nothing else needs it.
install_lava() {
	host_pkgs="lava-dispatcher" install_host
}

case ${1:-all} in
build)		host_pkgs=$build_pkgs install_host ;;
host)		install_host ;;
plot)		install_plot ;;
fuzz)		install_fuzz ;;
lava)		install_lava ;;
headers)	host_pkgs=$build_pkgs install_host; fetch_uapi; fetch_source ;;
kernels)	install_host; fetch_kernels ;;
roles)		show_roles ;;
kbuild)		install_kbuild; fetch_source ;;
cross)		fetch_cross ;;
arm64)		fetch_arm64 ;;
all)		install_host; fetch_uapi; fetch_source; fetch_kernels ;;
*)		die "usage: $0 [build|host|headers|kernels|roles|kbuild|plot|fuzz|lava|cross|arm64|all]" ;;
esac
show_versions
