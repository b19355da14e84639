#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Bind PCI devices to vfio-pci, run a command, give the devices back.
#
#   run.sh [-d BDF]... [-i VENDOR:DEVICE]... [-s STATEDIR] [-r] -- COMMAND [ARGS...]
#
#   -d BDF            a device, DDDD:BB:DD.F or BB:DD.F (domain 0000 assumed)
#   -i VENDOR:DEVICE  every device with these PCI ids, e.g. 1af4:1110
#   -s STATEDIR       where the original drivers are remembered
#                     (default /run/vfio-bench, or /tmp/vfio-bench without /run)
#   -r                only give back every device recorded in STATEDIR, then exit
#
# COMMAND runs with VFIO_SELFTESTS_BDF set to the space-separated BDFs.
# Every device this run bound goes back to its original driver when
# COMMAND ends, fails, or run.sh gets SIGINT/SIGTERM (forwarded to
# COMMAND).  Exit status: COMMAND's, 128+signal when interrupted, 1 when
# run.sh itself fails (one line on stderr says why), 2 on a usage error.
#
# The original driver is kept in one file per device in STATEDIR, written
# before the device is touched: a nested run.sh on a device that is
# already bound finds the file, leaves the device alone and does not give
# it back, and after a crash 'run.sh -r' still knows where devices belong.
# POSIX sh: this runs under busybox in the VM as well as on real hardware.

sysfs=/sys/bus/pci
bdfs=""		# every device the command gets, in order
owned=""	# the devices this run bound and must give back
child=""

log() { echo "run.sh: $*" >&2; }
die() { log "$*"; restore_owned; exit 1; }

usage() {
	echo "usage: run.sh [-d BDF]... [-i VENDOR:DEVICE]... [-s STATEDIR] [-r] -- COMMAND [ARGS...]" >&2
	exit 2
}

# Sysfs writes report errors as shell noise; callers check the outcome.
wr() { { printf '%s\n' "$2" >"$1"; } 2>/dev/null; }

# The driver a device is bound to, or "none".
driver_of() {
	if [ -e "$sysfs/devices/$1/driver" ]; then
		basename "$(readlink "$sysfs/devices/$1/driver")"
	else
		echo none
	fi
}

# DDDD:BB:DD.F or BB:DD.F, any case -> dddd:bb:dd.f; empty if malformed.
norm_bdf() {
	b=$(echo "$1" | tr 'A-F' 'a-f')
	case $b in
	[0-9a-f][0-9a-f]:[01][0-9a-f].[0-7]) b=0000:$b ;;
	esac
	case $b in
	[0-9a-f][0-9a-f][0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[01][0-9a-f].[0-7]) echo "$b" ;;
	esac
}

add_bdf() {
	case " $bdfs " in
	*" $1 "*) ;;
	*) bdfs=${bdfs:+$bdfs }$1 ;;
	esac
}

# Every device whose vendor and device ids match VENDOR:DEVICE.
add_ids() {
	id=$(echo "$1" | tr 'A-F' 'a-f')
	case $id in
	[0-9a-f][0-9a-f][0-9a-f][0-9a-f]:[0-9a-f][0-9a-f][0-9a-f][0-9a-f]) ;;
	*) log "malformed vendor:device '$1': give 4+4 hex digits, e.g. -i 1af4:1110"
	   exit 2 ;;
	esac
	found=""
	for dev in "$sysfs"/devices/*; do
		[ -f "$dev/vendor" ] || continue
		[ "$(cat "$dev/vendor"):$(cat "$dev/device")" = "0x${id%:*}:0x${id#*:}" ] || continue
		add_bdf "$(basename "$dev")"
		found=1
	done
	[ -n "$found" ] ||
		die "no PCI device matches $id: check 'lspci -nn' (or $sysfs/devices/*/vendor) and -i"
}

# Load vfio-pci once, if it is neither loaded nor built in.
load_vfio_pci() {
	[ -d "$sysfs/drivers/vfio-pci" ] && return 0
	modprobe vfio-pci >/dev/null 2>&1
	[ -d "$sysfs/drivers/vfio-pci" ] ||
		die "cannot load vfio-pci (modprobe vfio-pci failed): enable CONFIG_VFIO_PCI or install the module"
}

# Bind one device to vfio-pci, remembering its driver first.
bind() {
	bdf=$1 state=$statedir/$1
	cur=$(driver_of "$bdf")
	if [ "$cur" = vfio-pci ]; then
		if [ -f "$state" ]; then
			log "$bdf already on vfio-pci (recorded in $statedir): leaving it"
		else
			log "$bdf already on vfio-pci (not bound by run.sh): leaving it"
		fi
		return 0
	fi
	# A stale record holds the true original: keep it.
	[ -f "$state" ] || wr "$state" "$cur" ||
		die "cannot write $state: pick a writable state dir with -s"
	owned="$owned $bdf"
	wr "$sysfs/devices/$bdf/driver_override" vfio-pci
	[ "$cur" = none ] || wr "$sysfs/devices/$bdf/driver/unbind" "$bdf"
	wr "$sysfs/drivers_probe" "$bdf"
	[ "$(driver_of "$bdf")" = vfio-pci ] ||
		die "binding $bdf to vfio-pci failed (now on $(driver_of "$bdf")): see dmesg for vfio-pci errors"
	log "$bdf $cur -> vfio-pci"
}

# Give one device back to the driver recorded for it, and forget it.
restore() {
	bdf=$1 state=$statedir/$1
	orig=$(cat "$state" 2>/dev/null) || orig=none
	cur=$(driver_of "$bdf")
	wr "$sysfs/devices/$bdf/driver_override" ""
	if [ "$cur" != none ] && [ "$cur" != "$orig" ]; then
		wr "$sysfs/devices/$bdf/driver/unbind" "$bdf"
	fi
	# With no original driver, leave the device unbound as it was.
	[ "$orig" = none ] || wr "$sysfs/drivers_probe" "$bdf"
	rm -f "$state"
	now=$(driver_of "$bdf")
	if [ "$now" = "$orig" ]; then
		log "$bdf $cur -> $orig"
	else
		log "$bdf $cur -> $now, but it was on $orig: rebind it by hand (echo $bdf > $sysfs/drivers/$orig/bind)"
	fi
}

restore_owned() {
	for b in $owned; do
		restore "$b"
	done
	owned=""
}

restore_all() {
	n=0
	for f in "$statedir"/*; do
		[ -f "$f" ] || continue
		restore "$(basename "$f")"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || log "nothing to restore in $statedir"
}

# Does process $1 ignore signal number $2?  Shells start background
# commands with SIGINT ignored, so a forwarded SIGINT would be lost.
# shellcheck disable=SC2317 # reached through trap
ignores() {
	ign=$(sed -n 's/^SigIgn:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
	[ -n "$ign" ] && [ $(((0x$ign >> ($2 - 1)) & 1)) = 1 ]
}

# SIGINT/SIGTERM: pass it on, wait for the command, give devices back.
# shellcheck disable=SC2317 # reached through trap
on_signal() {
	trap '' INT TERM
	if [ -n "$child" ]; then
		sig=$1
		[ "$1" = 2 ] && ignores "$child" 2 && sig=15
		kill -"$sig" "$child" 2>/dev/null
		wait "$child"
	fi
	restore_owned
	exit $((128 + $1))
}

restore_only=""
statedir=""
while getopts d:i:s:rh opt; do
	case $opt in
	d)	b=$(norm_bdf "$OPTARG")
		[ -n "$b" ] || {
			log "malformed BDF '$OPTARG': use DDDD:BB:DD.F or BB:DD.F, e.g. 0000:00:03.0"
			exit 2
		}
		add_bdf "$b" ;;
	i)	ids="${ids:-} $OPTARG" ;;
	s)	statedir=$OPTARG ;;
	r)	restore_only=1 ;;
	*)	usage ;;
	esac
done
shift $((OPTIND - 1))

if [ -z "$statedir" ]; then
	statedir=/tmp/vfio-bench
	[ -d /run ] && statedir=/run/vfio-bench
fi

[ "$(id -u)" = 0 ] || { log "must run as root (sysfs binds need it): use sudo"; exit 1; }
mkdir -p "$statedir" 2>/dev/null ||
	{ log "cannot create state dir $statedir: pick another with -s"; exit 1; }

if [ -n "$restore_only" ]; then
	restore_all
	exit 0
fi

[ $# -gt 0 ] || usage
for id in ${ids:-}; do
	add_ids "$id"
done
[ -n "$bdfs" ] || { log "no device given: use -d BDF or -i VENDOR:DEVICE"; exit 2; }

for b in $bdfs; do
	[ -d "$sysfs/devices/$b" ] ||
		die "no such PCI device $b ($sysfs/devices/$b missing): check 'lspci -D'"
	[ -e "$sysfs/devices/$b/iommu_group" ] ||
		die "$b has no IOMMU group (IOMMU off): boot with intel_iommu=on or amd_iommu=on and enable VT-d/AMD-Vi in firmware"
done

trap 'on_signal 2' INT
trap 'on_signal 15' TERM
load_vfio_pci
for b in $bdfs; do
	bind "$b"
done

# Started in the background so that signals reach the trap at once;
# stdin is passed on explicitly, as background commands get /dev/null.
export VFIO_SELFTESTS_BDF="$bdfs"
exec 3<&0
"$@" <&3 3<&- &
child=$!
wait "$child"
rc=$?
child=""
restore_owned
exit "$rc"
