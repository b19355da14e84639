#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Bind PCI devices to vfio-pci, run a command, give the devices back.
#
#   run.sh [-d BDF]... [-i VENDOR:DEVICE]... [-g] [-k SECS] [-s STATEDIR] [-r]
#          -- COMMAND [ARGS...]
#
#   -d BDF            a device, DDDD:BB:DD.F or BB:DD.F (domain 0000 assumed);
#                     a domain past ffff (VMD) has 5 to 8 digits, as Linux
#                     names it, e.g. 10000:00:02.0
#   -i VENDOR:DEVICE  every device with these PCI ids, e.g. 1af4:1110
#   -g                bind the devices that share an IOMMU group with them
#                     too, when they are on a driver (given back after);
#                     without -g such a device is refused up front
#   -k SECS           after a signal, how long COMMAND has to exit before it
#                     is killed (default 10)
#   -s STATEDIR       where the original drivers are remembered
#                     (default /run/vfio-bench, or /tmp/vfio-bench without /run)
#   -r                only give back every device recorded in STATEDIR, then exit
#
# COMMAND runs in a session of its own, with VFIO_SELFTESTS_BDF set to
# the space-separated BDFs (not the group peers -g bound).  Every device
# this run bound goes back to its original driver when COMMAND ends,
# fails, or run.sh gets SIGHUP, SIGINT, SIGTERM or SIGPIPE.  COMMAND runs
# under vfio_reap (installed beside run.sh), a child subreaper: every
# process COMMAND starts stays its descendant, whatever process group or
# session it moves to (the kselftest harness's test children leave the
# group and hold the device open, and vfio-pci's unbind waits for them).
# A signal goes to all of them; what still runs -k seconds later (or at
# a second signal) is killed; what COMMAND leaves behind when it exits
# is stopped the same way.  A signal while devices are given back waits
# until they all are.  Exit status: COMMAND's, 128+signal when
# interrupted, 1 when run.sh itself fails (one line on stderr says why),
# 2 on a usage error.
#
# The original driver is kept in one file per device in STATEDIR, written
# before the device is touched: after a crash 'run.sh -r' still knows
# where devices belong.  Each device is locked while a run.sh uses it
# (STATEDIR/BDF.lock): another run.sh on it fails at once, saying which
# one has it, unless it runs inside that one's COMMAND (nested), where it
# leaves the device alone and does not give it back.
# POSIX sh: this runs under busybox in the VM as well as on real hardware.

sysfs=/sys/bus/pci
bdfs=""		# every device the command gets, in order
peers=""	# IOMMU group peers that -g binds too; not given to the command
# What this run bound and has not given back yet, as BDF=DRIVER: the
# driver each came from.  bind() adds, restore_owned() strikes off.
owned=""
locked=""	# the devices whose lock this run holds
nested=""	# devices a run.sh we run under holds: not ours to touch
# Signals: the first one (run.sh then exits 128+sig), and late, the
# first when it came while the devices went back.  Each stage of the
# run traps them with a handler of its own (trap_signals), so no other
# state says where the run is.
sig=""
late=""
grace=10

# To fd 9, a copy of stderr made at the start: a trap can run inside a
# command whose stderr goes to /dev/null (wr), and its messages must not.
log() { echo "run.sh: $*" >&9; }

# Exit with $1, or with 128+signal when a signal came meanwhile.
finish() {
	[ -z "$late" ] || [ "$late" = 13 ] ||
		log "signal $late came while the devices went back: they are back now"
	[ -z "$sig" ] || set -- $((128 + sig))
	exit "$1"
}

die() { log "$*"; restore_owned; finish 1; }

usage() {
	echo "usage: run.sh [-d BDF]... [-i VENDOR:DEVICE]... [-g] [-k SECS] [-s STATEDIR] [-r] -- COMMAND [ARGS...]" >&2
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
# Linux prints the domain with %04x: 4 digits, or 5 to 8 with no leading
# zero (up to 32 bits); shorter ones are padded, as the library does.
norm_bdf() {
	b=$(echo "$1" | tr 'A-F' 'a-f')
	case $b in
	*:*:*)	dom=${b%%:*} rest=${b#*:} ;;
	*)	dom=0000 rest=$b ;;
	esac
	case $rest in
	[0-9a-f][0-9a-f]:[01][0-9a-f].[0-7]) ;;
	*)	return ;;
	esac
	case $dom in
	'' | *[!0-9a-f]* | 0????* | ?????????*) return ;;
	esac
	while [ ${#dom} -lt 4 ]; do
		dom=0$dom
	done
	echo "$dom:$rest"
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

# "PID:STARTTIME" of a live process, empty if there is none: the start
# time tells a reused pid apart.
proc_id() {
	{ read -r st <"/proc/$1/stat"; } 2>/dev/null || return 0
	# The fields after "(comm) ", which may hold spaces: starttime is 20th.
	# shellcheck disable=SC2086
	set -- "$1" ${st##*) }
	shift 20
	echo "${st%% *}:$1"
}

ppid_of() {
	{ read -r st <"/proc/$1/stat"; } 2>/dev/null || return 0
	# shellcheck disable=SC2086
	set -- ${st##*) }
	echo "$2"
}

# Is the process PID:STARTTIME alive?
live() { [ -n "$1" ] && [ "$(proc_id "${1%%:*}")" = "$1" ]; }

# Is PID:STARTTIME this shell or one of its ancestors?
ancestor() {
	a=$$
	while [ -n "$a" ] && [ "$a" -gt 1 ]; do
		[ "$(proc_id "$a")" = "$1" ] && return 0
		a=$(ppid_of "$a")
	done
	return 1
}

# Locks are symlinks, STATEDIR/BDF.lock -> PID:STARTTIME of the run.sh
# holding it: ln -s makes one atomically or fails (busybox has no
# flock).  One whose owner died (SIGKILL) is stale and is taken over.
lock_owner() { readlink "$statedir/$1.lock" 2>/dev/null; }

# Take $1's lock.  1 (with one line on stderr) when another run.sh holds
# it, 2 when one of our ancestors does: we are inside its COMMAND.
lock() {
	lk=$statedir/$1.lock
	for try in 1 2 3 4 5; do
		if ln -s "$me" "$lk" 2>/dev/null; then
			locked="$locked $1"
			return 0
		fi
		o=$(lock_owner "$1")
		if live "$o"; then
			ancestor "$o" && return 2
			o=${o%%:*}
			log "$1 is in use by another run.sh (pid $o: $(tr '\0' ' ' <"/proc/$o/cmdline" 2>/dev/null)): wait for it to end, or use another device"
			return 1
		fi
		# Gone between ln and readlink, or stale: try again.
		[ -z "$o" ] || rm -f "$lk"
		[ "$try" = 1 ] || sleep 0.1
	done
	log "cannot take $lk (try $try): check $statedir is writable, or pick another with -s"
	return 1
}

unlock_all() {
	for u in $locked; do
		[ "$(lock_owner "$u")" != "$me" ] || rm -f "$statedir/$u.lock"
	done
	locked=""
}

# Lock every device, in one order so that two runs cannot each hold
# half; a device an ancestor holds goes on the nested list.
lock_all() {
	# shellcheck disable=SC2086 # the lists are BDFs, split on spaces
	for b in $(printf '%s\n' $bdfs $peers | sort -u); do
		lock "$b"
		case $? in
		0) ;;
		2) nested="$nested $b" ;;
		*) unlock_all; exit 1 ;;
		esac
	done
}

# The devices sharing $1's IOMMU group, bridges left out (class 0x0604:
# they are no DMA peer VFIO minds), as "DEVICE DRIVER" lines.
group_peers() {
	for p in "$sysfs/devices/$1/iommu_group/devices"/*; do
		pb=$(basename "$p")
		[ "$pb" = "$1" ] && continue
		case $(cat "$p/class" 2>/dev/null) in
		0x0604*) continue ;;
		esac
		if [ -e "$p/driver" ]; then
			echo "$pb $(basename "$(readlink "$p/driver")")"
		else
			echo "$pb none"
		fi
	done
}

# VFIO opens a group only when no device of it is on a driver that uses
# the kernel's DMA API: none, vfio-pci and pci-stub are fine.  Refuse a
# device with other peers, naming them, or with -g bind them too.
check_groups() {
	for b in $bdfs; do
		g=$(basename "$(readlink "$sysfs/devices/$b/iommu_group")")
		list="" block=""
		# shellcheck disable=SC2046 # "DEVICE DRIVER" pairs
		set -- $(group_peers "$b")
		while [ $# -ge 2 ]; do
			case " $bdfs " in
			*" $1 "*) shift 2; continue ;;
			esac
			list="$list, $1 ($2)"
			case $2 in
			none | vfio-pci | pci-stub) ;;
			*)	[ -e "$sysfs/devices/$1" ] ||
					die "$b shares IOMMU group $g with $1 (not PCI, on $2), which vfio-pci cannot take: unbind it first"
				block="$block $1" ;;
			esac
			shift 2
		done
		[ -n "$list" ] || continue
		if [ -z "$block" ]; then
			log "$b shares IOMMU group $g with ${list#, }: fine as they are"
		elif [ -n "$group_bind" ]; then
			for p in $block; do
				case " $peers " in
				*" $p "*) ;;
				*) peers="$peers $p" ;;
				esac
			done
		else
			die "$b shares IOMMU group $g with ${list#, }: VFIO needs all of them on vfio-pci or on no driver; give -g to bind them too (and give them back after), or -d each"
		fi
	done
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
	case " $nested " in
	*" $bdf "*)
		log "$bdf is held by the run.sh this one runs under: leaving it to that one"
		return 0 ;;
	esac
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
	owned="$owned $bdf=$(cat "$state")"
	wr "$sysfs/devices/$bdf/driver_override" vfio-pci
	[ "$cur" = none ] || wr "$sysfs/devices/$bdf/driver/unbind" "$bdf"
	wr "$sysfs/drivers_probe" "$bdf"
	[ "$(driver_of "$bdf")" = vfio-pci ] ||
		die "binding $bdf to vfio-pci failed (now on $(driver_of "$bdf")): see dmesg for vfio-pci errors"
	log "$bdf $cur -> vfio-pci"
}

# The processes that have $1's VFIO group open, as "PID (COMM)".
holders() {
	g=$(basename "$(readlink "$sysfs/devices/$1/iommu_group")")
	# One ls for every fd of every process; busybox and coreutils print
	# "/proc/PID/fd:" before each directory's "N -> TARGET" lines.
	# shellcheck disable=SC2012 # /proc names are plain
	ls -l /proc/[0-9]*/fd 2>/dev/null | awk -v t="/dev/vfio/$g" '
		/^\/proc\/[0-9]+\/fd:$/ { split($0, a, "/"); pid = a[3]; next }
		$NF == t && $(NF - 1) == "->" && !seen[pid]++ {
			c = ""; getline c <("/proc/" pid "/comm")
			printf "%s%s (%s)", n++ ? ", " : "", pid, c
		}'
}

# Give device $1 back to its original driver: $2, the one bind() saw
# (kept in memory too, so a record removed early cannot turn into
# "none"), else its record.  Never unbind a device without knowing.
restore() {
	bdf=$1 state=$statedir/$1 orig=${2:-}
	[ -n "$orig" ] || orig=$(cat "$state" 2>/dev/null)
	cur=$(driver_of "$bdf")
	if [ -z "$orig" ]; then
		log "$bdf: no record of its original driver ($state is gone): leaving it on $cur"
		return
	fi
	wr "$sysfs/devices/$bdf/driver_override" ""
	if [ "$cur" != none ] && [ "$cur" != "$orig" ]; then
		if [ "$cur" = vfio-pci ]; then
			h=$(holders "$bdf")
			[ -z "$h" ] ||
				log "$bdf is still open in $h: vfio-pci lets go of it once they close it"
		fi
		wr "$sysfs/devices/$bdf/driver/unbind" "$bdf"
	fi
	# With no original driver, leave the device unbound as it was.
	[ "$orig" = none ] || [ "$(driver_of "$bdf")" = "$orig" ] ||
		wr "$sysfs/drivers_probe" "$bdf"
	rm -f "$state"
	now=$(driver_of "$bdf")
	if [ "$now" = "$orig" ]; then
		log "$bdf $cur -> $orig"
	else
		log "$bdf $cur -> $now, but it was on $orig: rebind it by hand (echo $bdf > $sysfs/drivers/$orig/bind)"
	fi
}

# Each device once, struck off as soon as it is back; a signal only
# counts meanwhile, so none can give a device back twice.
restore_owned() {
	trap_signals held
	for r in $owned; do
		restore "${r%%=*}" "${r#*=}"
		left=""
		for x in $owned; do
			[ "$x" = "$r" ] || left="$left $x"
		done
		owned=$left
	done
	unlock_all
}

restore_all() {
	trap_signals held
	n=0 rc=0
	for f in "$statedir"/*; do
		# Locks are symlinks to PID:STARTTIME, which is no file here.
		[ -f "$f" ] || continue
		b=$(basename "$f")
		lock "$b"
		case $? in
		0) ;;
		2) log "$b is held by the run.sh this one runs under: not giving it back"
		   rc=1; continue ;;
		*) rc=1; continue ;;
		esac
		restore "$b"
		unlock_all
		n=$((n + 1))
	done
	# Locks whose run.sh was killed, with no record left to restore.
	for f in "$statedir"/*.lock; do
		[ -L "$f" ] && ! live "$(readlink "$f")" && rm -f "$f"
	done
	[ "$n" -gt 0 ] || [ "$rc" != 0 ] || log "nothing to restore in $statedir"
	finish "$rc"
}

# trap_signals HANDLER: HANDLER N on SIGHUP (a dropped ssh session),
# SIGINT, SIGPIPE (stderr's reader is gone) and SIGTERM (N = 1, 2, 13, 15).
# shellcheck disable=SC2064 # the handler's name, expanded now
trap_signals() {
	trap "$1 1" HUP
	trap "$1 2" INT
	trap "$1 13" PIPE
	trap "$1 15" TERM
}

# The first signal decides the exit status, and is news for the user.
first_signal() {
	[ -z "$sig" ] || return 0
	sig=$1
	[ "$1" = 13 ] || log "signal $1: stopping the command, then giving the devices back"
}

# Before COMMAND: give back what is bound so far.
# shellcheck disable=SC2317 # reached through trap
on_signal() {
	first_signal "$1"
	restore_owned
	finish 1
}

# While COMMAND runs: vfio_reap ($!, the only background job) passes
# every signal on to COMMAND's processes and stops them; run.sh gives
# the devices back once it is gone.  A signal before vfio_reap started
# only counts here: run_command passes it on.
# shellcheck disable=SC2317 # reached through trap
forward() {
	first_signal "$1"
	# SIGPIPE is run.sh's own news; to COMMAND it means stop.
	s=$1
	[ "$s" = 13 ] && s=15
	[ -z "$!" ] || kill -"$s" "$!" 2>/dev/null
}

# While the devices go back: a signal only counts, as stopping halfway
# would strand some.
# shellcheck disable=SC2317 # reached through trap
held() {
	[ -n "$sig" ] || sig=$1 late=$1
}

# COMMAND under vfio_reap, which stops every process of it, then the
# devices back; exits.  Started in the background so that signals reach
# the trap at once; stdin is passed on explicitly, as background
# commands get /dev/null.
run_command() {
	trap_signals forward
	exec 3<&0
	"$reap" -n run.sh -k "$grace" -- "$@" <&3 3<&- 9>&- &
	[ -z "$sig" ] || forward "$sig"
	# A trapped signal ends a wait early: wait again until vfio_reap
	# is gone (the status then is that of a signal, which rc yields to).
	while :; do
		wait "$!"
		rc=$?
		kill -0 "$!" 2>/dev/null || break
	done
	restore_owned
	finish "$rc"
}

exec 9>&2
restore_only=""
statedir=""
group_bind=""
while getopts d:i:gk:s:rh opt; do
	case $opt in
	d)	b=$(norm_bdf "$OPTARG")
		[ -n "$b" ] || {
			log "malformed BDF '$OPTARG': use DDDD:BB:DD.F or BB:DD.F, e.g. 0000:00:03.0 (a domain has 4 to 8 hex digits, as in lspci -D)"
			exit 2
		}
		add_bdf "$b" ;;
	i)	ids="${ids:-} $OPTARG" ;;
	g)	group_bind=1 ;;
	k)	case $OPTARG in
		'' | *[!0-9]*) log "-k wants whole seconds, not '$OPTARG'"; exit 2 ;;
		esac
		grace=$OPTARG ;;
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
me=$(proc_id $$)

trap_signals on_signal

[ -z "$restore_only" ] || restore_all

[ $# -gt 0 ] || usage
for id in ${ids:-}; do
	add_ids "$id"
done
[ -n "$bdfs" ] || { log "no device given: use -d BDF or -i VENDOR:DEVICE"; exit 2; }
# The command's keeper: beside run.sh where make and make install put
# it, else on PATH.
reap=$(cd "$(dirname "$0")" && pwd)/vfio_reap
[ -x "$reap" ] || reap=$(command -v vfio_reap) ||
	die "no vfio_reap beside $0 or on PATH, which runs the command: use the run.sh that make (build/) or make install put beside it"

for b in $bdfs; do
	[ -d "$sysfs/devices/$b" ] ||
		die "no such PCI device $b ($sysfs/devices/$b missing): check 'lspci -D'"
	[ -e "$sysfs/devices/$b/iommu_group" ] ||
		die "$b has no IOMMU group (IOMMU off): boot with intel_iommu=on or amd_iommu=on and enable VT-d/AMD-Vi in firmware"
done
check_groups
lock_all
load_vfio_pci
for b in $bdfs $peers; do
	bind "$b"
done

# VFIO_SELFTESTS_ALL_BDFS is the whole list again, for tests of several
# devices at once: suite.sh narrows VFIO_SELFTESTS_BDF to one a run.
export VFIO_SELFTESTS_ALL_BDFS="$bdfs"

export VFIO_SELFTESTS_BDF="$bdfs"
run_command "$@"
