#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The kernel-role resolver (scripts/kernel-roles.sh) against recorded
# Packages excerpts: a fresh setup must pick the new series the day
# Debian's unstable moves to it, with the old one still listed or gone.
# TAP with kselftest totals; needs the source tree (VFIO_BENCH_SRC or
# this script's ../) and bash, so it SKIPs where it is installed alone.

src=${VFIO_BENCH_SRC:-$(dirname "$0")/..}
fixtures=$src/tests/fixtures/kernel-roles
n=0 pass=0 fail=0

if [ ! -f "$src/scripts/kernel-roles.sh" ] || [ ! -d "$fixtures" ]; then
	echo "1..0 # SKIP needs the source tree: set VFIO_BENCH_SRC"
	exit 4
fi
# The resolver is bash, as deps.sh is; this part runs under any sh.
if [ -z "${BASH_VERSION:-}" ]; then
	command -v bash >/dev/null && exec bash "$0" "$@"
	echo "1..0 # SKIP needs bash, as scripts/deps.sh does"
	exit 4
fi
. "$src/scripts/kernel-roles.sh"
role_suites="oldstable stable unstable"
packages() { cat "$fixtures/$case/$1"; }

# expect CASE WHAT WANT CMD...: CMD's output in fixture CASE is WANT.
expect() {
	local got

	case=$1
	n=$((n + 1))
	got=$("${@:4}" 2>&1)
	if [ "$got" = "$3" ]; then
		pass=$((pass + 1))
		echo "ok $n $case: $2: $got"
	else
		fail=$((fail + 1))
		echo "not ok $n $case: $2: got '$got', want '$3'"
	fi
}

k72="7.2 7.2.13-1 linux-binary-7.2.13+deb14-amd64 linux-modules-7.2.13+deb14-amd64"
k73="7.3 7.3.1-1 linux-binary-7.3.1+deb14-amd64 linux-modules-7.3.1+deb14-amd64"
k612="6.12 6.12.117-1 linux-image-6.12.117+deb13-amd64-unsigned"
k61="6.1 6.1.176-1 linux-image-6.1.0-50-amd64-unsigned"

echo "TAP version 13"
echo "1..15"
for c in 7.2-only 7.2+7.3 7.3-only; do
	want=$k73 src_want="linux-source-7.3 7.3.1-1" hdr=7.3.1-1
	if [ "$c" = 7.2-only ]; then
		want=$k72 src_want="linux-source-7.2 7.2.13-1" hdr=7.2.13-1
	fi
	expect "$c" newest "$want" role_kernel newest
	expect "$c" stable "$k612" role_kernel stable
	expect "$c" oldstable "$k61" role_kernel oldstable
	expect "$c" "uapi headers" "$hdr" newest_headers
	expect "$c" "iommufd source" "$src_want" newest_source
done
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ "$fail" = 0 ]
