#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run.sh under fire, in the VM: interrupt it every way there is and check
# that the devices end up on their original drivers.  Run as root with
# the ivshmem (no driver) and NVMe (nvme) devices unbound from vfio-pci:
# vm.sh -- ./run_sh_fire.sh.  TAP with kselftest totals, and the
# "suite:" line check.sh reads.

dir=$(cd "$(dirname "$0")" && pwd)
run=$dir/run.sh
n=0 pass=0 fail=0

find_dev() {
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor"):$(cat "$d/device")" = "0x$1:0x$2" ] &&
			basename "$d" && return
	done
}

driver_of() {
	if [ -e "/sys/bus/pci/devices/$1/driver" ]; then
		basename "$(readlink "/sys/bus/pci/devices/$1/driver")"
	else
		echo none
	fi
}

ivshmem=$(find_dev 1af4 1110)
nvme=$(find_dev 1b36 0010)
orig_ivshmem=$(driver_of "$ivshmem")
orig_nvme=$(driver_of "$nvme")

result() {
	n=$((n + 1))
	if [ "$1" = ok ]; then
		pass=$((pass + 1))
		echo "ok $n $2"
	else
		fail=$((fail + 1))
		echo "not ok $n $2: $3"
	fi
}

# Both devices back where they started, and nothing left in the state dir.
restored() {
	[ "$(driver_of "$ivshmem")" = "$orig_ivshmem" ] &&
		[ "$(driver_of "$nvme")" = "$orig_nvme" ] &&
		[ -z "$(ls /run/vfio-bench 2>/dev/null)" ]
}

# check NAME WANT_RC RC: the exit code and the drivers after a case.
check() {
	if [ "$3" != "$2" ]; then
		result fail "$1" "exit $3, want $2"
	elif ! restored; then
		result fail "$1" "ivshmem on $(driver_of "$ivshmem"), nvme on $(driver_of "$nvme")"
	else
		result ok "$1"
	fi
}

echo "TAP version 13"
echo "# ivshmem $ivshmem ($orig_ivshmem), nvme $nvme ($orig_nvme)"
if [ -z "$ivshmem" ] || [ -z "$nvme" ] || [ "$orig_nvme" = vfio-pci ]; then
	echo "1..0 # SKIP needs the VM's ivshmem and NVMe, not bound to vfio-pci"
	exit 4
fi
ids="-i 1af4:1110 -i 1b36:0010"

# shellcheck disable=SC2086
{
timeout -s INT 4 "$run" $ids -- sleep 60 2>/dev/null
check "SIGINT to run.sh mid-command" 130 $?

timeout -s TERM 4 "$run" $ids -- sleep 60 2>/dev/null
check "SIGTERM to run.sh mid-command" 143 $?

"$run" $ids -- sh -c 'kill -KILL $$' 2>/dev/null
check "SIGKILL of the test child" 137 $?

"$run" $ids -- sh -c 'exit 3' 2>/dev/null
check "failing command: its exit code, devices back" 3 $?

timeout -s KILL 4 "$run" $ids -- sleep 60 2>/dev/null
rc=$?
[ "$(driver_of "$nvme")" = vfio-pci ] ||
	result fail "SIGKILL of run.sh leaves the record" "nvme on $(driver_of "$nvme")"
"$run" -r 2>/dev/null
check "SIGKILL of run.sh, then run.sh -r" 137 "$rc"

inner=$("$run" $ids -- sh -c "\"$run\" $ids -- true 2>/dev/null; readlink /sys/bus/pci/devices/$nvme/driver" 2>/dev/null)
rc=$?
case $inner in
*vfio-pci) check "a second run.sh on bound devices is a no-op" 0 $rc ;;
*) result fail "a second run.sh on bound devices is a no-op" "inner run left nvme on '$inner'" ;;
esac

"$run" -d 0000:zz:00.0 $ids -- true 2>/dev/null
check "a malformed BDF binds nothing" 2 $?
}

echo "1..$n"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
echo "suite: $pass passed, $fail failed, 0 skipped"
[ "$fail" = 0 ]
