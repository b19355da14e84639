#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The test command behind 'make check': the host unit tests, then the
# whole suite in the VM on each x86 kernel lane (VT-d; the first lane's
# guest with two NUMA nodes, the devices on node 1), an arm64 lane
# (SMMUv3, 16 KiB pages: the device, align and DMA tests), run.sh under
# fire, and a short lane under AMD-Vi (device test and bench) on the
# first kernel.  Each line of its own starts with the minutes and seconds
# since it began.  Closes with one line,
# "N passed, N failed, N skipped, N xfail, N xpass", summed over
# everything (xfail: a lane's known issue, tests/known-issues; xpass: one
# that passes, fixed: its entry can go), and exits 1 if anything failed
# or a lane did not report.  Each VM lane runs with LANE set to its name.
#
#   VM_KERNELS="newest stable oldstable iommufd arm64-newest-16k"
#                           lanes to boot: vm.sh -k values (Debian's
#                           kernels by role, resolved and printed with
#                           their versions first; iommufd is built from
#                           the newest linux-source on first use), and
#                           arm64-newest[-16k]: Debian's newest arm64
#                           kernel with 4 [16] KiB pages in the arm64 rig,
#                           the suite cross-built beside the host steps
#   VFIO_BENCH_ARGS="-n 2 -w 0"   the bench's arguments in every lane:
#                           two repetitions, no warm-up (here it checks
#                           its fault counts and cleanup; numbers to
#                           compare come from make vm-run / vm-compare)
#   INSTALL_PATH            what 'make install' staged (default build/install)
#   VM_JOBS=2               guests at once (each TCG guest runs on one host
#                           CPU; run.sh under fire, mostly asleep, runs
#                           beside them); a lane's output is printed when
#                           it ends

set -uo pipefail
. "$(dirname "$0")/lib.sh"

install=${INSTALL_PATH:-$top/build/install}
lanes=${VM_KERNELS:-newest stable oldstable iommufd arm64-newest-16k}
x86_lanes=$(printf '%s\n' $lanes | grep -v '^arm64-')
arm64_lanes=$(printf '%s\n' $lanes | grep '^arm64-')
pass=0 fail=0 skip=0 xfail=0 xpass=0
log=$(mktemp)
jobs_dir=$(mktemp -d)
bg_pids=()
trap 'for p in "${bg_pids[@]}"; do kill -- -"$p" 2>/dev/null; done; rm -rf "$log" "$jobs_dir"' EXIT
SECONDS=0

# A line of check's own, after the time since it began.
say() {
	printf 'check: [%d:%02d] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"
}

# Add the "suite: P passed, F failed, S skipped, X xfail, Y xpass" line
# of a lane's log (default $log): what suite.sh's counter made of its TAP.
add_lane() {
	local name=$1 rc=$2 file=${3:-$log} line p f s xf xp

	line=$(grep -E '^suite: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' "$file" | tail -n 1)
	if [ -z "$line" ]; then
		say "$name reported no results (exit $rc): counted as one failure"
		fail=$((fail + 1))
		return
	fi
	read -r p f s xf xp <<<"$(echo "$line" | tr -c '0-9\n' ' ')"
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	xfail=$((xfail + ${xf:-0})) xpass=$((xpass + ${xp:-0}))
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		say "$name exited $rc with no failed test: counted as one failure"
		fail=$((fail + 1))
	fi
}

# background NAME COMMAND...: COMMAND niced beside the host steps (which
# leave a core idle most of the time), in a process group of its own so
# that an interrupted check stops all of it; its output goes to
# NAME.log, its exit status to NAME.rc, which wait_background reads.
background() {
	local name=$1

	shift
	say "$name: started in the background"
	setsid bash -c '"$@" >"$0.log" 2>&1; echo $? >"$0.rc"' \
		"$jobs_dir/$name" nice "$@" &
	bg_pids+=($!)
}
# wait_background NAME: NAME's exit status when it has ended; its log
# on failure.
wait_background() {
	local rc

	while [ ! -f "$jobs_dir/$1.rc" ]; do
		sleep 2
	done
	rc=$(cat "$jobs_dir/$1.rc")
	[ "$rc" = 0 ] && return 0
	say "$1 failed (exit $rc):"
	cat "$jobs_dir/$1.log"
	return 1
}

# The iommufd lane's kernel is the longest pole of a run: its build
# starts now; the lane's vm.sh asks build-kernel.sh again, which waits
# on the build's lock and finds it done, or says why it failed.
case " $lanes " in
*" iommufd "*)
	background "iommufd-kernel" "$top/scripts/build-kernel.sh" ;;
esac
# The arm64 lanes' toolchain, rig and kernels, and the suite built
# with them.
[ -z "$arm64_lanes" ] ||
	background "arm64-build" bash -c "'$top/scripts/deps.sh' arm64 &&
		make -s -C '$top' -j2 ARCH=arm64 install"

say "host unit tests"
# shellcheck disable=SC2046
VFIO_BENCH_SRC=$top OUTPUT=$install "$top/scripts/suite.sh" \
	$(cat "$install/pure_progs" "$install/host_progs") | tee "$log"
add_lane host "${PIPESTATUS[0]}"

say "host unit tests under ASan and UBSan"
make -s -C "$top" sanitize | tee "$log"
add_lane sanitizers "${PIPESTATUS[0]}"

# A short fuzz run: each harness passes if it survives its inputs, a
# TAP result each, counted by suite.sh's counter as any other.
say "fuzz, ${CHECK_FUZZ_RUNS:=20000} inputs per harness"
make -s -C "$top" fuzz FUZZ_RUNS="$CHECK_FUZZ_RUNS" | tee "$log"
rc=${PIPESTATUS[0]}
counted=$("$top/scripts/suite.sh" -c "$rc" "make fuzz" <"$log")
echo "$counted" | tee -a "$log"
add_lane fuzz "$rc"

# Which kernel each role is today, fetched if new.
case " $lanes " in
*" newest "*|*" stable "*|*" oldstable "*)
	"$top/scripts/deps.sh" kernels 2>&1 | grep 'kernel .* = ' ||
		say "scripts/deps.sh kernels failed: the role lanes will say why" ;;
esac

# The VM jobs, VM_JOBS at once: each writes its own log, printed and
# counted when it ends: vm_job NAME COMMAND [ARG...].
declare -A job_name job_light
started=0
vm_job() {
	local n=$started name=$1

	shift
	started=$((started + 1))
	job_name[$n]=$name
	say "$name: started"
	( "$@" >"$jobs_dir/$n.log" 2>&1; echo $? >"$jobs_dir/$n.rc" ) &
}
# A VM job that sleeps more than it computes, outside VM_JOBS.
light_vm_job() {
	job_light[$started]=1
	vm_job "$@"
}
# after NAME COMMAND [ARG...]: COMMAND once the background step NAME
# has succeeded.
after() {
	wait_background "$1" || return 1
	shift
	"$@"
}
# Print and count every job that has ended and not been counted.
count_ended() {
	local n

	for n in "${!job_name[@]}"; do
		[ -f "$jobs_dir/$n.rc" ] || continue
		say "${job_name[$n]}: ended"
		cat "$jobs_dir/$n.log"
		add_lane "${job_name[$n]}" "$(cat "$jobs_dir/$n.rc")" "$jobs_dir/$n.log"
		unset "job_name[$n]"
		mv "$jobs_dir/$n.rc" "$jobs_dir/$n.counted"
	done
}
# The VM jobs still running (the background steps are not guests).
vm_jobs_running() {
	local n c=0

	for n in "${!job_name[@]}"; do
		[ -f "$jobs_dir/$n.rc" ] || [ -n "${job_light[$n]:-}" ] ||
			c=$((c + 1))
	done
	echo $c
}
throttle() {
	while [ "$(vm_jobs_running)" -ge "${VM_JOBS:-2}" ]; do
		wait -n
	done
	count_ended
}

# The guest's command: vm.sh's default, but for the bench's arguments.
devices="./run.sh -i 1af4:1110 -i 1b36:0010 -i 1234:11e8 --"
suite="env VFIO_BENCH_ARGS='${VFIO_BENCH_ARGS--n 2 -w 0}' ./suite.sh"

# The first x86 lane's kernel also runs the fire and AMD-Vi lanes.
k=$(echo "$x86_lanes" | head -n 1)
k=${k:-newest}
# run.sh interrupted every way, on devices that start unbound; with an
# IOMMU group of several devices (VM_GROUP_PEERS) for the group cases.
# Its cases wait on timeouts and sleeping commands, most of its 100 s:
# it runs beside the lanes, not in a slot of theirs.
light_vm_job "run.sh under fire, kernel $k" env VM_GROUP_PEERS=1 \
	"$top/scripts/vm.sh" -k "$k" -i "$install" -o "$top/results/fire-$k" -- \
	./suite.sh run_sh_fire.sh
# The first lane's guest has two NUMA nodes.  The iommufd lane starts
# first: its kernel is built on first use, the longest pole of a run.
for lane in $(echo "$x86_lanes" | grep -x iommufd) $(echo "$x86_lanes" | grep -vx iommufd); do
	numa=1
	[ "$lane" != "$k" ] || numa=2
	throttle
	vm_job "VM lane, kernel $lane, NUMA=$numa" env LANE="$lane" NUMA=$numa \
		"$top/scripts/vm.sh" -k "$lane" -i "$install" \
		-o "$top/results/vm-$lane" -- "$devices $suite"
done
# arm64, the shortest honest subset: the device test, the law at the
# rig's page size (align) and DMA through the SMMUv3 (reach); the bench
# is 'make vm-run ARCH=arm64'.
for lane in $arm64_lanes; do
	pages=4k
	[ "${lane%-16k}" = "$lane" ] || pages=16k
	throttle
	vm_job "VM lane, $lane (SMMUv3, $pages pages): device, align and DMA tests" \
		after arm64-build env LANE="$lane" ARCH=arm64 PAGES=$pages \
		"$top/scripts/vm.sh" -i "$top/build/arm64/install" \
		-o "$top/results/vm-$lane" -- \
		"$devices ./suite.sh vfio_pci_device_test vfio_bar_align_test vfio_dma_reach_test"
done
# A second IOMMU family, short: AMD-Vi (NUMA=1, see vm.sh) under the
# device test and the bench.
throttle
vm_job "VM lane, kernel $k, IOMMU=amd: device test and bench" env IOMMU=amd \
	"$top/scripts/vm.sh" -k "$k" -i "$install" -o "$top/results/amd-$k" -- \
	"./run.sh -i 1af4:1110 -i 1b36:0010 -- $suite vfio_pci_device_test vfio_dma_map_bench"
wait
count_ended

[ "$xpass" = 0 ] ||
	echo "check: KNOWN ISSUE FIXED: $xpass known issue(s) passed (the '# suite: KNOWN ISSUE FIXED' lines above): remove their entries from tests/known-issues"
echo "$pass passed, $fail failed, $skip skipped, $xfail xfail, $xpass xpass"
[ "$fail" = 0 ]
