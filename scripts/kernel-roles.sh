# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Which Debian kernel a lane boots, by role, never by version: a version
# written here would stop resolving the day Debian moves on.  Sourced
# (by deps.sh and tests/kernel_roles.sh), never run.
#
#   newest     the kernel of whichever suite of the private apt
#              configuration has the highest one (unstable today)
#   stable     Debian stable's kernel
#   oldstable  Debian oldstable's kernel
#
# A suite's kernel is the one its linux-image-amd64 metapackage depends
# on: kernels of older ABIs linger in the lists, the metapackage moves.
# The caller defines packages SUITE (that suite's Packages text) and
# role_suites (the suites "newest" looks at), and may set kflavour: the
# metapackage's suffix, amd64 unless scripts/deps-arm64.sh says arm64
# or arm64-16k.

# suite_kernel SUITE: "SERIES VERSION PKG..." with the packages that
# hold vmlinuz and the modules: linux-binary-* and linux-modules-* where
# linux-image-* is itself a metapackage (7.x), else linux-image-*-unsigned.
suite_kernel() {
	packages "$1" | awk -v fl="${kflavour:-amd64}" '
		/^Package:/ { pkg = $2 }
		/^Version:/ { ver = $2 }
		/^Depends:/ { dep = $0 }
		/^$/ { flush() }
		END { flush() }
		function flush() {
			have[pkg] = 1
			if (pkg == "linux-image-" fl &&
			    match(dep, "linux-image-[^ ,]+-" fl " \\(")) {
				abi = substr(dep, RSTART + 12, RLENGTH - 15 - length(fl))
				print "meta", ver, abi
			}
			pkg = ver = dep = ""
		}
		END {
			for (p in have)
				if (p ~ "^linux-(binary|modules)-.*-" fl "$" ||
				    p ~ "^linux-image-.*-" fl "-unsigned$")
					print "have", p
		}' | kernel_of_meta "$1"
}

# The highest metapackage's kernel, from suite_kernel's awk lines.
kernel_of_meta() {
	local lines meta ver abi series fl=${kflavour:-amd64}

	lines=$(cat)
	meta=$(echo "$lines" | awk '$1 == "meta" { print $2, $3 }' | sort -V | tail -n 1)
	[ -n "$meta" ] || { echo "no linux-image-$fl in $1" >&2; return 1; }
	read -r ver abi <<<"$meta"
	series=$(echo "$ver" | grep -oE '^[0-9]+\.[0-9]+')
	if echo "$lines" | grep -qx "have linux-binary-$abi-$fl"; then
		echo "$series $ver linux-binary-$abi-$fl linux-modules-$abi-$fl"
	elif echo "$lines" | grep -qx "have linux-image-$abi-$fl-unsigned"; then
		echo "$series $ver linux-image-$abi-$fl-unsigned"
	else
		echo "no package with kernel $abi's vmlinuz in $1" >&2
		return 1
	fi
}

# newest_suite: the suite (of role_suites) whose kernel is the highest.
newest_suite() {
	local s k

	for s in $role_suites; do
		k=$(suite_kernel "$s" 2>/dev/null) || continue
		echo "$(echo "$k" | cut -d' ' -f2) $s"
	done | sort -V | tail -n 1 | cut -d' ' -f2
}

# role_suite ROLE: the suite a role's kernel comes from.
role_suite() {
	case $1 in
	newest)			newest_suite ;;
	stable|oldstable)	echo "$1" ;;
	*)	echo "no kernel role '$1': newest, stable or oldstable" >&2
		return 1 ;;
	esac
}

# role_kernel ROLE: "SERIES VERSION PKG..." (see suite_kernel).
role_kernel() {
	local s

	s=$(role_suite "$1") && [ -n "$s" ] || {
		echo "no suite with a kernel for role $1" >&2
		return 1
	}
	suite_kernel "$s"
}

# suite_newest SUITE PKG: PKG's highest version in SUITE (or nothing).
suite_newest() {
	packages "$1" | awk -v p="$2" '/^Package:/ { hit = ($2 == p) }
		hit && /^Version:/ { print $2 }' | sort -V | tail -n 1
}

# newest_headers: "VERSION" of linux-libc-dev, newest_source: "PKG
# VERSION" of linux-source-SERIES, both from the newest kernel's suite
# and series, so the uapi headers and the iommufd lane follow it.
newest_headers() {
	suite_newest "$(newest_suite)" linux-libc-dev
}

newest_source() {
	local s series ver

	s=$(newest_suite)
	series=$(suite_kernel "$s" | cut -d' ' -f1) || return 1
	ver=$(suite_newest "$s" "linux-source-$series")
	[ -n "$ver" ] || { echo "no linux-source-$series in $s" >&2; return 1; }
	echo "linux-source-$series $ver"
}
