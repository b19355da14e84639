#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run.sh under fire, in the VM: interrupt it every way there is and check
# that the devices end up on their original drivers.  Run as root with
# the ivshmem (no driver) and NVMe (nvme) devices unbound from vfio-pci:
# vm.sh -- ./run_sh_fire.sh.  With VM_GROUP_PEERS=1 (as check.sh boots
# it) there is also an IOMMU group of a PCI bridge, two pci-testdevs (no
# driver) and a virtio-rng (virtio-pci) for the group peer cases; without
# it they SKIP.  TAP with kselftest totals; check.sh runs it through
# suite.sh (vm.sh -- ./suite.sh run_sh_fire.sh), which counts it.
#
# Every case ends with every device on the driver it started on and
# nothing left in run.sh's state dir (check); then reset() puts back by
# hand whatever a failed case stranded, so that one failure does not
# fail every case after it.

dir=$(cd "$(dirname "$0")" && pwd)
run=$dir/run.sh
self=$dir/run_sh_fire.sh
statedir=/run/vfio-bench
n=0 pass=0 fail=0 skip=0

find_dev() {
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor"):$(cat "$d/device")" = "0x$1:0x$2" ] &&
			basename "$d"
	done
}

driver_of() {
	if [ -e "/sys/bus/pci/devices/$1/driver" ]; then
		basename "$(readlink "/sys/bus/pci/devices/$1/driver")"
	else
		echo none
	fi
}

on() { [ "$(driver_of "$1")" = "$2" ]; }

ivshmem=$(find_dev 1af4 1110 | head -n 1)
nvme=$(find_dev 1b36 0010 | head -n 1)
# The group peers, when vm.sh made them: two pci-testdevs and a
# virtio-rng behind one PCI bridge.
testdev=$(find_dev 1b36 0005 | head -n 1)
testdev2=$(find_dev 1b36 0005 | sed -n 2p)
rng=$(find_dev 1af4 1005 | head -n 1)
bridge=""
[ -z "$testdev" ] ||
	bridge=$(basename "$(dirname "$(readlink -f "/sys/bus/pci/devices/$testdev")")")
devs="$ivshmem $nvme $testdev $testdev2 $rng"
origs=""
for d in $devs; do
	origs="$origs $d=$(driver_of "$d")"
done

orig_of() {
	for o in $origs; do
		[ "${o%%=*}" = "$1" ] && echo "${o#*=}"
	done
}

result() {
	n=$((n + 1))
	case $1 in
	ok)	pass=$((pass + 1))
		echo "ok $n $2" ;;
	skip)	skip=$((skip + 1))
		echo "ok $n $2 # SKIP $3" ;;
	*)	fail=$((fail + 1))
		echo "not ok $n $2: $3" ;;
	esac
}

# Every device back where it started, and nothing left in the state dir
# (no record, no lock).  Says what is wrong, if anything.
misplaced() {
	for d in $devs; do
		on "$d" "$(orig_of "$d")" ||
			printf '%s on %s (was %s); ' "$d" "$(driver_of "$d")" "$(orig_of "$d")"
	done
	# shellcheck disable=SC2012 # BDFs and BDF.lock: plain names
	left=$(ls "$statedir" 2>/dev/null | tr '\n' ' ')
	[ -z "$left" ] || printf 'left in %s: %s' "$statedir" "$left"
}

# What run.sh said on stderr (in $tmp/err), and on a failure the errors
# of the command (in $tmp/out), as TAP comments.
said() {
	grep -a 'run.sh:' "$tmp/err" 2>/dev/null | sed 's/^/#   /'
	[ "$1" = ok ] ||
		cat "$tmp/out" "$tmp/err" 2>/dev/null | grep -a -v 'run.sh:' |
		grep -a -m 5 -E 'not ok|[Ee]rror|viable|FAIL|: ' | sed 's/^/#   > /'
}

# check NAME WANT_RC RC [WHY]: the exit code, an extra failure reason
# (WHY, when not empty), and the drivers after a case.
check() {
	bad=$(misplaced)
	verdict=fail
	if [ "$3" != "$2" ]; then
		result fail "$1" "exit $3, want $2${4:+; $4}${bad:+; $bad}"
	elif [ -n "${4:-}" ]; then
		result fail "$1" "$4${bad:+; $bad}"
	elif [ -n "$bad" ]; then
		result fail "$1" "$bad"
	else
		result ok "$1"
		verdict=ok
	fi
	echo "#   exit $3${took:+, ${took}s}"
	said "$verdict"
	took=""
	reset
}

# The VFIO test binaries running (comm vfio_*: harness parent and test
# children), one pid a line.  Not vfio_reap, run.sh's keeper of the
# command: stopped or killed, it could stop nothing.
vfio_procs() {
	grep -l '^vfio_' /proc/[0-9]*/comm 2>/dev/null | while read -r c; do
		p=${c#/proc/}
		p=${p%/comm}
		[ "$(cat "$c" 2>/dev/null)" != vfio_reap ] || continue
		# Kernel threads (vfio-irqfd-cleanup...) have no executable.
		[ -e "/proc/$p/exe" ] && echo "$p"
	done
}

kill_vfio_procs() {
	# shellcheck disable=SC2046
	kill -KILL $(vfio_procs) 2>/dev/null
}

# Put every device back by hand after a case that failed to, and say so.
reset() {
	kill_vfio_procs
	sleep 0.5
	for d in $devs; do
		o=$(orig_of "$d")
		on "$d" "$o" && continue
		echo "#   reset: $d was on $(driver_of "$d"), back to $o by hand"
		echo >"/sys/bus/pci/devices/$d/driver_override"
		[ ! -e "/sys/bus/pci/devices/$d/driver" ] ||
			echo "$d" >"/sys/bus/pci/devices/$d/driver/unbind"
		[ "$o" = none ] || echo "$d" >"/sys/bus/pci/drivers/$o/bind"
	done 2>/dev/null
	rm -rf "${statedir:?}"/* 2>/dev/null
	rm -f "$tmp"/*
}

# The pids with a VFIO device open, one a line: a group (/dev/vfio/N)
# and a device fd from it (with the group fd alone, vfio-pci's unbind
# does not wait).
vfio_holders() {
	# shellcheck disable=SC2012 # /proc names are plain
	ls -l /proc/[0-9]*/fd 2>/dev/null | awk '
		/^\/proc\/[0-9]+\/fd:$/ { split($0, a, "/"); pid = a[3]; next }
		$NF ~ /^\/dev\/vfio\/[0-9]+$/ { group[pid] = 1 }
		$NF == "anon_inode:[vfio-device]" { dev[pid] = 1 }
		END { for (p in group) if (p in dev) print p }'
}

# until SECS CMD...: run CMD every 0.2 s until it succeeds, for at most SECS.
until_ok() {
	t=$(($1 * 5))
	shift
	until "$@"; do
		t=$((t - 1))
		[ "$t" -gt 0 ] || return 1
		sleep 0.2
	done
}

# Is one of the VFIO holders stopped?
held_stopped() {
	for h in $(vfio_holders); do
		{ read -r st <"/proc/$h/stat"; } 2>/dev/null || continue
		# shellcheck disable=SC2086
		set -- ${st##*) }
		[ "$1" = T ] && return 0
	done
	return 1
}

# Are processes $pids all stopped (or gone)?  One in the kernel (a
# device reset, say) stops on its way out.
all_stopped() {
	for q in $pids; do
		{ read -r st <"/proc/$q/stat"; } 2>/dev/null || continue
		# shellcheck disable=SC2086
		set -- ${st##*) }
		[ "$1" = T ] || [ "$1" = Z ] || return 1
	done
}

# A VFIO test "paused mid-run": stop the whole binary, harness parent
# too (left running, its 30 s test timeout would kill the child and free
# the device), and look: if no test child has a device open at that
# moment (between tests, or before the first), let it run a little and
# stop it again.  Its test children spend most of their time with the
# device open.
pause_vfio() {
	try=0
	while [ "$try" -lt 300 ]; do
		try=$((try + 1))
		pids=$(vfio_procs)
		if [ -n "$pids" ]; then
			# shellcheck disable=SC2086
			kill -STOP $pids 2>/dev/null
			until_ok 10 all_stopped
			held_stopped && return 0
			# shellcheck disable=SC2086
			kill -CONT $pids 2>/dev/null
		fi
		sleep 0.1
	done
	echo "# pause_vfio: no VFIO test could be paused with a device open after $try tries"
	return 1
}

# How often vfio-pci has said an unbind waits for the device's user.
blocked_unbinds() { dmesg | grep -c 'blocked until released by user'; }

# Has one more unbind started to wait since $n0?
more_blocked() { [ "$(blocked_unbinds)" -gt "$n0" ]; }

# bounded SECS PID: wait for PID; if it is not done in SECS, SIGKILL it
# and the VFIO test binaries (which a blocked unbind waits for: only
# then can it die).  Sets rc, and took (seconds).
bounded() {
	t0=$(date +%s)
	(
		sleep "$1"
		kill -KILL "$2" 2>/dev/null
		kill_vfio_procs
	) &
	wd=$!
	wait "$2"
	rc=$?
	kill "$wd" 2>/dev/null
	took=$(($(date +%s) - t0))
}

# fg PIDFILE CMD...: CMD in the foreground, its pid in PIDFILE.  Not
# started with &: a background command gets SIGINT ignored, and a shell
# cannot trap a signal it was started with ignored.
fg() {
	t0=$(date +%s)
	sh -c 'echo $$ >"$0"; exec "$@"' "$@"
	rc=$?
	took=$(($(date +%s) - t0))
}

# Helpers that cases start in the background or inside their command.
case ${1:-} in
--pause)
	# Inside a case's command: pause the VFIO test it started.
	pause_vfio
	exit ;;
--signal-when-paused)
	# --signal-when-paused SIG PIDFILE: pause the VFIO test, then signal
	# the run.sh in PIDFILE; after 45 s free the device whatever happened.
	pause_vfio || { kill_vfio_procs; exit 1; }
	sleep 0.5
	kill -"$2" "$(cat "$3")" 2>/dev/null
	sleep 45
	kill_vfio_procs
	exit 0 ;;
--signal-in-restore)
	# --signal-in-restore SIG PIDFILE: once an unbind waits for the
	# device's user, signal the run.sh in PIDFILE, then free the device.
	n0=$(blocked_unbinds)
	until_ok 90 more_blocked || { kill_vfio_procs; exit 1; }
	sleep 0.5
	kill -"$2" "$(cat "$3")" 2>/dev/null
	sleep 2
	kill_vfio_procs
	exit 0 ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "TAP version 13"
echo "# ivshmem $ivshmem ($(orig_of "$ivshmem")), nvme $nvme ($(orig_of "$nvme"))"
if [ -n "$testdev" ]; then
	echo "# group peers: testdev $testdev, $testdev2, rng $rng ($(orig_of "$rng")), bridge $bridge; group $(basename "$(readlink "/sys/bus/pci/devices/$testdev/iommu_group")")"
fi
if [ -z "$ivshmem" ] || [ -z "$nvme" ] || [ "$(orig_of "$nvme")" = vfio-pci ]; then
	echo "1..0 # SKIP needs the VM's ivshmem and NVMe, not bound to vfio-pci"
	exit 4
fi
ids="-i 1af4:1110 -i 1b36:0010"

# shellcheck disable=SC2086
{
timeout -s INT 4 "$run" $ids -- sleep 60 2>"$tmp/err"
check "SIGINT to run.sh mid-command" 130 $?

timeout -s TERM 4 "$run" $ids -- sleep 60 2>"$tmp/err"
check "SIGTERM to run.sh mid-command" 143 $?

# A dropped ssh session.
timeout -s HUP 4 "$run" $ids -- sleep 60 2>"$tmp/err"
check "SIGHUP to run.sh mid-command" 129 $?

"$run" $ids -- sh -c 'kill -KILL $$' 2>"$tmp/err"
check "SIGKILL of the test child" 137 $?

"$run" $ids -- sh -c 'exit 3' 2>"$tmp/err"
check "failing command: its exit code, devices back" 3 $?

timeout -s KILL 4 "$run" $ids -- sleep 60 2>/dev/null
rc=$?
[ "$(driver_of "$nvme")" = vfio-pci ] ||
	result fail "SIGKILL of run.sh leaves the record" "nvme on $(driver_of "$nvme")"
"$run" -r 2>"$tmp/err"
check "SIGKILL of run.sh, then run.sh -r" 137 "$rc"

inner=$("$run" $ids -- sh -c "\"$run\" $ids -- true 2>/dev/null; readlink /sys/bus/pci/devices/$nvme/driver" 2>"$tmp/err")
rc=$?
case $inner in
*vfio-pci) check "a second run.sh on bound devices is a no-op" 0 $rc ;;
*) check "a second run.sh on bound devices is a no-op" 0 $rc "inner run left nvme on '$inner'" ;;
esac

"$run" -d 0000:zz:00.0 $ids -- true 2>"$tmp/err"
check "a malformed BDF binds nothing" 2 $?

# A real VFIO test paused mid-run with the ivshmem open (its 2 GiB BAR
# keeps a test child on it for seconds), the child setpgrp()'d out of
# the command's process group: the signal must reach every process of
# it, or vfio-pci's unbind waits for it for ever.
# paused_case SIG RC: signal SIG while the test is paused; want RC, fast.
paused_case() {
	"$self" --signal-when-paused "$1" "$tmp/pid" &
	helper=$!
	fg "$tmp/pid" "$run" $ids -- ./vfio_bar_align_test "$ivshmem" >/dev/null 2>"$tmp/err"
	kill "$helper" 2>/dev/null
	why=""
	[ "$took" -le 30 ] || why="took ${took}s"
	check "SIG$1 with a VFIO test paused mid-run" "$2" "$rc" "$why"
}

paused_case INT 130
paused_case HUP 129

# The command ends and leaves a VFIO test behind, paused with the
# ivshmem open: run.sh stops it too, rather than wait for it for ever.
"$run" $ids -- sh -c "./vfio_bar_align_test $ivshmem >/dev/null 2>&1 &
	$self --pause" 2>"$tmp/err" &
pid=$!
bounded 40 "$pid"
why=""
[ "$took" -le 30 ] || why="took ${took}s"
check "a VFIO test left running by the command" 0 "$rc" "$why"

# SIGTERM ignored: SIGKILL after the grace time (10 s), not a wait for
# the command to end.  Waiting would take 43 s (3 + the sleep); killing
# takes 13 s plus giving the devices back, which a busy host stretches:
# 30 s tells the two apart on any host.
t0=$(date +%s)
timeout -s TERM 3 "$run" $ids -- sh -c 'trap "" INT TERM HUP; sleep 40' 2>"$tmp/err"
rc=$?
took=$(($(date +%s) - t0))
why=""
[ "$took" -le 30 ] || why="took ${took}s"
check "a command that ignores SIGTERM is killed after the grace time" 143 "$rc" "$why"

# What the command leaves behind is stopped even when no process group
# or session ties it to the command: a grandchild in a session of its
# own, orphaned when the command exits, that ignores SIGTERM.  Killed
# after the grace time (-k 2) and reaped: no zombie left either.
"$run" -k 2 $ids -- sh -c "setsid sh -c 'trap \"\" INT TERM HUP; echo \$\$ >$tmp/gc; exec sleep 60' &
	sleep 1" 2>"$tmp/err"
rc=$?
gc=$(cat "$tmp/gc" 2>/dev/null)
why=""
if [ -z "$gc" ]; then
	why="the grandchild never ran"
elif [ -e "/proc/$gc" ]; then
	why="the grandchild $gc is still there: $(cat "/proc/$gc/stat" 2>/dev/null)"
	kill -KILL "$gc" 2>/dev/null
fi
grep -q 'killing what still runs' "$tmp/err" || why="${why:+$why; }no 'killing' message"
check "a grandchild that ignores SIGTERM, setsid and orphaned, is killed and reaped" 0 "$rc" "$why"

# A signal while the devices are given back.  The NVMe goes back first;
# the ivshmem's unbind then waits for a VFIO test that run.sh did not
# start (nothing of COMMAND's escapes run.sh, so this one is started
# here, once the ivshmem is on vfio-pci), which the command pauses with
# the device open, and SIGINT comes meanwhile: the NVMe, back on nvme
# already, must stay there.
"$self" --signal-in-restore INT "$tmp/pid" &
helper=$!
(until_ok 60 on "$ivshmem" vfio-pci &&
	exec ./vfio_bar_align_test "$ivshmem" >/dev/null 2>&1) &
outsider=$!
fg "$tmp/pid" "$run" -i 1b36:0010 -i 1af4:1110 -- "$self" --pause 2>"$tmp/err"
wait "$helper"
hrc=$?
kill -KILL "$outsider" 2>/dev/null
wait "$outsider"
why=""
[ "$hrc" = 0 ] || why="no unbind waited for the device: no signal sent"
check "SIGINT while run.sh gives the devices back" 130 "$rc" "$why"

# Two runs on one device: the second says who has it, and leaves it.
"$run" $ids -- sleep 6 2>"$tmp/err1" &
pid=$!
until_ok 30 on "$nvme" vfio-pci
"$run" -i 1b36:0010 -- sh -c "sleep 8; readlink /sys/bus/pci/devices/$nvme/driver >$tmp/inner" 2>"$tmp/err"
rc=$?
wait "$pid"
rc1=$?
why=""
[ "$rc1" = 0 ] || why="the first run exited $rc1"
[ ! -s "$tmp/inner" ] || why="${why:+$why; }the second ran its command, the NVMe on $(basename "$(cat "$tmp/inner")") by its end"
grep -q 'in use by another run.sh' "$tmp/err" || why="${why:+$why; }no 'in use' message"
check "a second run.sh on a device in use fails, saying who has it" 1 "$rc" "$why"

# Started at once: one gets the devices, the other none.
"$run" $ids -- sleep 3 2>"$tmp/err1" &
p1=$!
"$run" $ids -- sleep 3 2>"$tmp/err2" &
p2=$!
wait "$p1"
r1=$?
wait "$p2"
r2=$?
cat "$tmp/err1" "$tmp/err2" >"$tmp/err"
case "$r1 $r2" in
"0 1" | "1 0") check "two run.sh started at once: one runs, one fails" 0 0 ;;
*) check "two run.sh started at once: one runs, one fails" "0 1" "$r1 $r2" ;;
esac

# run.sh -r leaves devices a live run.sh holds.
"$run" $ids -- sleep 5 2>"$tmp/err1" &
pid=$!
until_ok 30 on "$nvme" vfio-pci
"$run" -r 2>"$tmp/err"
rc=$?
why=""
on "$nvme" vfio-pci || why="-r took the NVMe from the live run (now on $(driver_of "$nvme"))"
wait "$pid"
rc1=$?
[ "$rc1" = 0 ] || why="${why:+$why; }the live run exited $rc1"
check "run.sh -r leaves the devices of a live run.sh" 1 "$rc" "$why"

# Its stderr's reader gone (ssh without a tty dropped): SIGPIPE at the
# next message, in the middle of giving the devices back.
{ "$run" $ids -- sleep 3 2>&1 >/dev/null; echo $? >"$tmp/rc"; } | { read -r _; }
check "SIGPIPE: stderr's reader gone" 141 "$(cat "$tmp/rc")"
}

# IOMMU group peers.
if [ -z "$testdev" ] || [ -z "$rng" ] || [ "$(orig_of "$rng")" = none ]; then
	why="no group peers (boot with VM_GROUP_PEERS=1)"
	[ -z "$rng" ] || why="the virtio-rng peer has no driver (virtio-pci not loaded)"
	result skip "a group peer on a driver is refused up front" "$why"
	result skip "-g binds the group's peers and gives them back" "$why"
else
	"$run" -d "$testdev" -- sh -c "touch $tmp/ran; exec ./vfio_pci_device_test -t device_info" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	why=""
	[ ! -e "$tmp/ran" ] || why="the command ran: $(cat "$tmp/out" "$tmp/err" | grep -m 1 -o 'IOMMU group.*')"
	grep -q "$rng (virtio-pci)" "$tmp/err" || why="${why:+$why; }the message does not name $rng (virtio-pci)"
	! grep -q "$bridge" "$tmp/err" || why="${why:+$why; }the message names the bridge $bridge"
	check "a group peer on a driver is refused up front" 1 "$rc" "$why"

	"$run" -g -d "$testdev" -- sh -c "basename \$(readlink /sys/bus/pci/devices/$rng/driver) >$tmp/peer
		echo \$VFIO_SELFTESTS_BDF >$tmp/bdfs
		exec ./vfio_pci_device_test -t device_info" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	why=""
	grep -q vfio-pci "$tmp/peer" 2>/dev/null || why="the peer was on $(cat "$tmp/peer" 2>/dev/null)"
	[ "$(cat "$tmp/bdfs" 2>/dev/null)" = "$testdev" ] ||
		why="${why:+$why; }VFIO_SELFTESTS_BDF was '$(cat "$tmp/bdfs" 2>/dev/null)'"
	[ "$rc" = 0 ] || why="${why:+$why; }$(grep -m 1 -E 'not viable|not ok' "$tmp/out")"
	check "-g binds the group's peers and gives them back" 0 "$rc" "$why"
fi

echo "1..$n"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
[ "$fail" = 0 ]
