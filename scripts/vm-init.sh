#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the initramfs that scripts/vm.sh builds.  Mounts the usual
# file systems, loads the modules listed in /etc/vfio-bench/modules (in
# that order), runs /etc/vfio-bench/cmd in /vfio-bench and powers off.
#
# The command's output goes to the second serial port, which the host
# saves to a file: kernel messages stay on the first one and cannot
# interleave.  After the command, the files it left in
# /vfio-bench/results are sent as base64 between marker lines, then
# "@@vfio-bench:exit RC@@", which is how the host knows the run finished.

/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
# run_kselftest.sh's runner gives /usr/bin/timeout GNU's --foreground,
# which busybox's lacks: keep busybox's on PATH, in /bin only.
mv /usr/bin/timeout /bin/timeout
export PATH=/sbin:/bin:/usr/sbin:/usr/bin:/vfio-bench HOME=/root

mkdir -p /proc /sys /dev /tmp /run /root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# What udev would add: run_kselftest.sh's runner logs to /dev/stdout.
ln -s /proc/self/fd /dev/fd && ln -s fd/1 /dev/stdout && ln -s fd/2 /dev/stderr
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mkdir -p /dev/hugepages
mount -t hugetlbfs hugetlbfs /dev/hugepages

# Built-in modules fail to insmod with EEXIST; anything else is worth a
# line on the console, and run.sh will name what is missing.
# A line is a module's path, then its parameters, if any (said on the
# console: allow_unsafe_interrupts changes what a lane proves).
while read -r ko args; do
	[ -n "$ko" ] || continue
	[ -z "$args" ] || echo "vm-init: ${ko##*/} $args" >/dev/console
	# shellcheck disable=SC2086 # parameters, one word each
	out=$(insmod "$ko" $args 2>&1) || case $out in
		*exists*) ;;
		*) echo "vm-init: insmod $ko: $out" >/dev/console ;;
	esac
done </etc/vfio-bench/modules

out=/dev/ttyS1
# arm64's virt machine has one UART: vm.sh names a virtio console.
for w in $(cat /proc/cmdline); do
	case $w in
	vfio_bench.out=*) out=${w#vfio_bench.out=} ;;
	esac
done
[ -c $out ] || out=/dev/console
# Raw: no "\n" -> "\r\n" on the way out, no echo of what comes in.
# fd 3 keeps the port open, so the settings hold until the last close,
# which waits for the transmitter to drain.
exec 3<>$out
stty raw -echo <&3

# No IOMMU, no VFIO: the rig is broken, not the suite; say so to vm.sh.
if [ -z "$(ls /sys/class/iommu 2>/dev/null)" ]; then
	echo "@@vfio-bench:rig no IOMMU in the guest (nothing in /sys/class/iommu): the kernel lacks the driver of the emulated one, or it was turned off@@" >&3
	exec 3>&-
	poweroff -f
fi

# The CI lane, from vm.sh's LANE: known-issues entries apply to it.
for w in $(cat /proc/cmdline); do
	case $w in
	vfio_bench.lane=*)
		export VFIO_BENCH_LANE=${w#vfio_bench.lane=}
		echo "vm-init: lane $VFIO_BENCH_LANE: its known issues apply" >/dev/console ;;
	esac
done

mkdir -p /vfio-bench/results
read -r up _ </proc/uptime
echo "vm-init: command starts at uptime $up" >/dev/console
cd /vfio-bench && sh /etc/vfio-bench/cmd </dev/null >&3 2>&3
rc=$?

sync
cd /vfio-bench/results && find . -type f | sort | while read -r f; do
	echo "@@vfio-bench:file ${f#./}@@"
	base64 "$f"
	echo "@@vfio-bench:end@@"
done >&3
echo "@@vfio-bench:exit $rc@@" >&3
exec 3>&-
poweroff -f
