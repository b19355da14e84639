#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel in QEMU (KVM when it can run a guest, else TCG) with a
# real VFIO-capable setup (an emulated IOMMU, an ivshmem device with a
# 2 GiB BAR or a larger one (BAR=), an NVMe with a 64 MiB CMB and QEMU's
# edu, a DMA engine, at 00:10.0), run a command there and bring its
# output and result files back.
#
#   vm.sh [-k KERNEL] [-M MODULES_DIR] [-i INSTALL_DIR] [-o OUTDIR]
#         [-t TIMEOUT_S] [-- COMMAND...]
#
#   -k KERNEL       newest, stable or oldstable (Debian kernels by role,
#                   cached by scripts/deps.sh, which prints their
#                   versions; a cached series such as 7.2 works too),
#                   iommufd (the newest source with IOMMUFD, all built
#                   in, from scripts/build-kernel.sh, which rebuilds it when
#                   configs/iommufd.config changed), nothp (the same
#                   without transparent huge pages: configs/nothp.config),
#                   or the path of a bzImage; default $KERNEL, else newest
#   -M MODULES_DIR  lib/modules/<release> tree for a bzImage; without one,
#                   vfio, vfio-pci, vfio_iommu_type1 and nvme must be built in
#   -i INSTALL_DIR  what 'make install' staged (default build/install); it
#                   becomes /vfio-bench in the guest, with scripts/run.sh
#   -o OUTDIR       default results/vm-<kernel>: console.log (the guest
#                   kernel's), output.log (COMMAND's) and the files COMMAND
#                   left in /vfio-bench/results, at the same relative paths
#                   (the previous run's ones, listed in .vm-results, go first)
#   -t TIMEOUT_S    kill QEMU after this long (default 600)
#   -P DIR          prepare only, boot nothing: DIR/initrd (with COMMAND)
#                   and DIR/nvme.img, for another launcher of the same rig
#                   (a LAVA job, scripts/lab.sh); exit 0
#
# COMMAND runs in /vfio-bench under busybox sh; one argument is taken as a
# shell command line, several as the words of one command.  Default:
#   ./run.sh -i 1af4:1110 -i 1b36:0010 -i 1234:11e8 -- ./suite.sh
# Its output is streamed here as it runs.  Exit status: COMMAND's, or 2
# when the rig failed (bad option, missing tool, QEMU did not start, guest
# panicked or timed out, kernel without initramfs support, no IOMMU in
# the guest), with one line on stderr saying which.
#
# The guest, from the environment:
#   NUMA=1|2      one memory node (default: the devices at 00:02.0 and
#                 00:03.0), or two: node 0 with half of MEM (at least 5G)
#                 and the first half of the vCPUs, node 1 with the rest,
#                 and ivshmem and NVMe behind a PCIe expander bridge
#                 (pxb-pcie) on node 1, each behind a root port of its
#                 own: their numa_node reads 1, their BDFs move to
#                 0000:81:00.0 and 0000:82:00.0 (run.sh finds them by
#                 vendor:device either way), the IOMMU still translates
#                 them.  Hugepages are reserved node by node.  Not with
#                 IOMMU=amd: its emulation loses the NVMe behind the bridge.
#   IOMMU=intel|amd|virtio   the emulated IOMMU: VT-d (default) or AMD-Vi,
#                 both with interrupt remapping, or virtio-iommu, which
#                 has none: vfio_iommu_type1 is then loaded with
#                 allow_unsafe_interrupts=1 (said on the console).
#   SMP=N         vCPUs (default 1, or 2 with NUMA=2: one per node; TCG
#                 then runs them all on one host thread)
#   MEM=SIZE      guest RAM, e.g. 8G (default 6G, 8G with NUMA=2)
#   ACCEL=kvm|tcg skip the probe: by default KVM is used when a test guest
#                 runs on /dev/kvm, else TCG with the reason on stderr
#   CLOCK=wall|icount  the guest's clock: real time (default), or QEMU's
#                 instruction-counted clock (-icount shift=0,sleep=off:
#                 guest time advances 1 ns per executed guest instruction,
#                 so a timed ioctl reads as the work the kernel did; TCG
#                 only, boots take about twice as long).  Said to the
#                 benchmark on the kernel command line
#                 (vfio_bench.clock=icount), which records it
#   GDB=1         a gdb stub on a free local port (printed), the guest
#                 stopped until the debugger continues it; adds nokaslr
#                 (-t still applies: raise it for a long session)
#   LANE=NAME     the CI lane this run is (check.sh sets it): on the
#                 kernel command line as vfio_bench.lane=NAME, which
#                 vm-init.sh exports as VFIO_BENCH_LANE, so that the
#                 lane's entries in known-issues apply (XFAIL, XPASS)
#   ARCH=arm64    the arm64 rig (scripts/vm-arm64.sh): Debian's newest
#                 arm64 kernel under qemu-system-aarch64 with SMMUv3,
#                 PAGES=4k|16k its page size; default install dir
#                 build/arm64/install
#   BAR=SIZE      ivshmem's BAR2, a power of two from 2G (default, as
#                 always: RAM behind it) up, e.g. 32G or 64G: above 2G
#                 backed by a sparse file in the run's temporary directory,
#                 which must be on a disk (TMPDIR; not tmpfs, where reading
#                 the BAR's holes would fill unevictable memory: on disk
#                 they are clean page cache), removed on every exit; the
#                 guest's 64-bit PCI window widened to hold it aligned
#   QEMU_ARGS     more QEMU arguments, split at blanks, added last
#   VM_APPEND     more kernel parameters (e.g. loglevel=7 for the boot log)
#   VFIO_BENCH_CACHE  the cache directory (default <repo>/.cache)
# console.log and output.log are kept in OUTDIR on every exit, an
# interrupted or timed-out run's too.
# VM_GROUP_PEERS=1 adds, after the usual devices (so that their addresses
# do not move), a conventional PCI bridge with two pci-testdevs (1b36:0005,
# no driver) and a virtio-rng (1af4:1005, on virtio-pci) behind it: with
# no ACS below a PCI bridge they share one IOMMU group with the bridge,
# which is what run_sh_fire.sh needs to test IOMMU group peers.

set -euo pipefail

prog=vm.sh die_status=2
. "$(dirname "$0")/lib.sh"
# The modules a VFIO run needs, and nvme, so that the NVMe starts on a
# driver that run.sh has to give it back to.  Their dependencies come
# from modules.dep (vfio_virqfd on 6.1, nvme-core and the CRCs).
want_mods="irqbypass vfio vfio_iommu_type1 vfio-pci-core vfio-pci nvme"
default_cmd="./run.sh -i 1af4:1110 -i 1b36:0010 -i 1234:11e8 -- ./suite.sh"
edu_slot=0x10
marker=@@vfio-bench
# The emulator, its machine and the guest's console: x86's here,
# scripts/vm-arm64.sh sets arm64's (ARCH=arm64).
qemu="qemu-system-x86_64"
machine=(-machine "q35,kernel-irqchip=split")
console=ttyS0
busybox=""

tmp=""
qpid=""
streamer=""

usage() {
	echo "usage: vm.sh [-k KERNEL] [-M MODULES_DIR] [-i INSTALL_DIR] [-o OUTDIR] [-t TIMEOUT_S] [-P DIR] [-- COMMAND...]" >&2
	exit 2
}

# Runs on every exit: QEMU must not outlive us, nor its temp files.
# shellcheck disable=SC2317 # reached through trap
cleanup() {
	trap - EXIT INT TERM
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill "$qpid" 2>/dev/null || true
		wait "$qpid" 2>/dev/null || true
	fi
	[ -z "$streamer" ] || kill "$streamer" 2>/dev/null || true
	save_logs
	[ -z "$tmp" ] || rm -rf "$tmp"
}

# The guest's console and the command's output, into OUTDIR: on every
# exit, an interrupted or timed-out one too, where they matter most.
save_logs() {
	[ -n "$tmp" ] && [ -f "$tmp/console.log" ] || return 0
	mkdir -p "$outdir"
	tr -d '\r' <"$tmp/console.log" >"$outdir/console.log"
	[ -f "$tmp/out.log" ] &&
		sed -e 's/\r$//' -e "/^$marker:/,\$d" "$tmp/out.log" >"$outdir/output.log"
	return 0
}

# shellcheck disable=SC2317 # reached through trap
on_signal() {
	echo "vm.sh: interrupted, QEMU stopped; console in $outdir/console.log" >&2
	cleanup
	exit $((128 + $1))
}

# Sets vmlinuz, moddir (may be empty) and name from -k and -M.
pick_kernel() {
	local k=$1

	case $k in
	newest|stable|oldstable|[0-9]*.[0-9]*)
		# Roles are fetched on first use; a series must be cached.
		[ -f "$cache/kernels/$k/release" ] || [[ $k == [0-9]* ]] ||
			"$top/scripts/deps.sh" kernels ||
			die "kernel $k is not cached and scripts/deps.sh kernels failed"
		[ -f "$cache/kernels/$k/release" ] ||
			die "no kernel $k: give newest, stable, oldstable, a cached series ($(cd "$cache/kernels" && echo [0-9]*)), iommufd or the path of a bzImage"
		vmlinuz=$cache/kernels/$k/vmlinuz
		moddir=${moddir:-$cache/kernels/$k/lib/modules/$(cat "$cache/kernels/$k/release")}
		name=$k ;;
	iommufd|nothp)
		# Asked every time: a no-op unless the fragment or source changed.
		"$top/scripts/build-kernel.sh" "$k" ||
			die "kernel $k: scripts/build-kernel.sh $k failed"
		vmlinuz=$cache/kernels/$k/vmlinuz
		name=$k ;;
	*)
		[ -f "$k" ] || die "no kernel '$k': give newest, stable, oldstable, iommufd or the path of a bzImage"
		vmlinuz=$k
		name=$(basename "$k") ;;
	esac
	[ -z "$moddir" ] || [ -f "$moddir/modules.dep" ] ||
		die "no modules.dep in $moddir: give a lib/modules/<release> tree (run depmod)"
}

# mod_entry NAME: NAME's modules.dep line ("path: dep dep..."), - and _ alike.
mod_entry() {
	awk -F: -v m="${1//-/_}" '{
		n = $1; sub(/.*\//, "", n); sub(/\.ko(\..*)?$/, "", n); gsub(/-/, "_", n)
		if (n == m) { print; exit }
	}' "$moddir/modules.dep"
}

# The module files to load, dependencies first, each once.
mod_order() {
	local m entry path deps i order=()

	for m in $want_mods; do
		entry=$(mod_entry "$m")
		if [ -z "$entry" ]; then
			grep -qE "/${m//[-_]/[-_]}\.ko" "$moddir/modules.builtin" 2>/dev/null ||
				echo "vm.sh: module $m neither in modules.dep nor built in: the guest may lack it" >&2
			continue
		fi
		path=${entry%%:*}
		read -ra deps <<<"${entry#*:}"
		# modules.dep lists the deepest dependency last.
		for ((i = ${#deps[@]} - 1; i >= 0; i--)); do
			order+=("${deps[i]}")
		done
		order+=("$path")
	done
	# None to load (all built in): no line at all, not an empty one.
	[ ${#order[@]} = 0 ] || printf '%s\n' "${order[@]}" | awk '!seen[$0]++'
}

# unpack SRC DST: copy a module, decompressed (busybox insmod can't).
unpack() {
	local tool="" pkg

	case $1 in
	*.xz)	tool=xz pkg=xz-utils ;;
	*.zst)	tool=zstd pkg=zstd ;;
	*.gz)	tool=gzip pkg=gzip ;;
	esac
	[ -z "$tool" ] || command -v "$tool" >/dev/null ||
		die "module $(basename "$1") is $tool-compressed and $tool is not installed: install $pkg (scripts/deps.sh host)"
	case $1 in
	*.xz)	xz -dc "$1" >"$2" ;;
	*.zst)	zstd -qdc "$1" >"$2" ;;
	*.gz)	gzip -dc "$1" >"$2" ;;
	*)	cp "$1" "$2" ;;
	esac
}

# mod_args KO: the parameters vm-init.sh gives KO's insmod, after a space.
# Module parameters on the kernel command line reach built-in code only.
mod_args() {
	case $iommu_family/$(basename "$1") in
	virtio/vfio_iommu_type1.ko)	echo " allow_unsafe_interrupts=1" ;;
	esac
}

# The modules, with a modules.dep of their own so modprobe works too.
stage_modules() {
	local root=$1 rel m ko mods=()

	[ -n "$moddir" ] || { : >"$root/etc/vfio-bench/modules"; return 0; }
	rel=$(basename "$moddir")
	mkdir -p "$root/lib/modules/$rel"
	mapfile -t mods < <(mod_order)
	for m in "${mods[@]}"; do
		ko=${m%.ko*}.ko
		mkdir -p "$root/lib/modules/$rel/$(dirname "$ko")"
		unpack "$moddir/$m" "$root/lib/modules/$rel/$ko"
		echo "/lib/modules/$rel/$ko$(mod_args "$ko")" >>"$root/etc/vfio-bench/modules"
	done
	awk -v list="${mods[*]}" 'BEGIN { n = split(list, l, " "); for (i = 1; i <= n; i++) keep[l[i]] = 1 }
		{ p = $1; sub(/:$/, "", p) } keep[p] { gsub(/\.ko\.(xz|zst|gz)/, ".ko"); print }' \
		"$moddir/modules.dep" >"$root/lib/modules/$rel/modules.dep"
}

# The command as a script for busybox sh: one word is a command line,
# several are quoted one by one.
write_cmd() {
	local a

	if [ $# = 1 ]; then
		printf '%s\n' "$1"
	else
		for a in "$@"; do
			printf "'%s' " "${a//\'/\'\\\'\'}"
		done
		echo
	fi
}

build_initramfs() {
	local root=$tmp/root bb

	bb=${busybox:-$(command -v busybox)} || die "busybox not found: run scripts/deps.sh host"
	if ldd "$bb" >/dev/null 2>&1; then
		die "$bb is not static: run scripts/deps.sh host (busybox-static)"
	fi
	mkdir -p "$root"/{bin,etc/vfio-bench,vfio-bench}
	cp "$bb" "$root/bin/busybox"
	cp "$top/scripts/vm-init.sh" "$root/init"
	chmod 755 "$root/init"
	cp -a "$install/." "$root/vfio-bench/"
	[ -e "$root/vfio-bench/run.sh" ] || cp "$top/scripts/run.sh" "$root/vfio-bench/"
	write_cmd "${cmd[@]}" >"$root/etc/vfio-bench/cmd"
	stage_modules "$root"
	(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$tmp/initrd"
}

# kvm_usable: 0 when /dev/kvm runs a guest, else 1 with the reason in
# kvm_why.  Its presence is not enough (a nested host may refuse the
# CPU's MSRs): a guest that is still running after 3s is proof.
kvm_usable() {
	local rc

	[ -e /dev/kvm ] || { kvm_why="no /dev/kvm"; return 1; }
	if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		kvm_why="/dev/kvm is not read-write for $(id -un)"
		return 1
	fi
	# In a subshell that reports the status: bash's own "Aborted" line
	# for a crashed QEMU stays out of our stderr.
	rc=$( (timeout 3 qemu-system-x86_64 -accel kvm -machine q35 -cpu host \
		-m 64 -nodefaults -display none -no-reboot </dev/null \
		>/dev/null 2>"$tmp/kvm.err"; echo $?) 2>/dev/null)
	[ "$rc" = 124 ] && return 0
	kvm_why=$(grep -m 1 -i 'error' "$tmp/kvm.err" || tail -n 1 "$tmp/kvm.err")
	kvm_why="a test guest failed (exit $rc): ${kvm_why:-no message}"
	return 1
}

# Sets accel (QEMU arguments) and accel_append (kernel arguments) from
# ACCEL (kvm, tcg or empty: probe).  Under TCG on a busy host the boot's
# timer check can miss its window, and with interrupt remapping the
# kernel panics on it ("timer doesn't work through Interrupt-remapped
# IO-APIC"): no_timer_check skips it.
pick_accel() {
	local want=${ACCEL:-}

	accel=(-accel tcg -cpu max)
	accel_append="no_timer_check"
	# A clock that counts instructions: only TCG executes them.
	if [ "${CLOCK:-wall}" = icount ]; then
		accel+=(-icount shift=0,sleep=off)
		accel_append+=" vfio_bench.clock=icount"
		return
	fi
	case $want in
	tcg)	return ;;
	kvm|"")	;;
	*)	die "ACCEL=$want: give kvm or tcg (or nothing, to probe)" ;;
	esac
	if kvm_usable; then
		accel=(-accel kvm -cpu host)
		accel_append=""
		return
	fi
	[ "$want" = kvm ] && die "ACCEL=kvm, but KVM is not usable: $kvm_why"
	echo "vm.sh: KVM not usable, running under TCG: $kvm_why" >&2
}

# mib SIZE: MEM's value (N, NM or NG) in MiB.
mib() {
	[[ $1 =~ ^([0-9]+)([MmGg]?)$ ]] || die "MEM=$1: give a size like 6G or 6144M"
	case ${BASH_REMATCH[2]} in
	[Gg])	echo $((BASH_REMATCH[1] * 1024)) ;;
	*)	echo $((BASH_REMATCH[1])) ;;
	esac
}

# Sets topo (CPUs, memory, NUMA nodes) and hugepages (kernel arguments
# for memory).
# 6G by default: with 4G, q35 splits RAM around the PCI hole and only
# one of the two 1 GiB hugepages the command line asks for is found.
# Two nodes: a socket each, so no cache is shared across nodes; hugepages
# asked for node by node, as a buffer placed on node 1 must find its
# hugepage there.  Node 0 gets half, but at least 5G: its part above the
# PCI hole must still hold a free 1 GiB page after the kernel's early
# allocations and its image (KASLR may put that anywhere; with 4G, node
# 0's 1 GiB page was missing in two boots of three).  8G by default:
# node 1, after its hugepages, must keep enough free memory for THP
# (which does not leave its node) to succeed.
pick_topology() {
	local mem smp n0

	mem=$(mib "${MEM:-$([ "$numa" = 2 ] && echo 8G || echo 6G)}")
	[[ ${SMP:-1} =~ ^[1-9][0-9]*$ ]] || die "SMP=$SMP: give a number of vCPUs"
	case $numa in
	1)
		smp=${SMP:-1}
		topo=(-smp "$smp" -m "${mem}M")
		hugepages="hugepagesz=2M hugepages=512 hugepagesz=1G hugepages=2" ;;
	2)
		smp=${SMP:-2}
		[ $((smp % 2)) = 0 ] || die "SMP=$smp: NUMA=2 wants an even number of vCPUs"
		n0=$((mem / 2 > 5120 ? mem / 2 : 5120))
		[ "$mem" -gt "$n0" ] || die "MEM=${MEM:-}: NUMA=2 wants more than 5G"
		topo=(-smp "$smp,sockets=2,cores=$((smp / 2)),threads=1" -m "${mem}M"
		      -object "memory-backend-ram,id=m0,size=${n0}M"
		      -object "memory-backend-ram,id=m1,size=$((mem - n0))M"
		      -numa "node,nodeid=0,cpus=0-$((smp / 2 - 1)),memdev=m0"
		      -numa "node,nodeid=1,cpus=$((smp / 2))-$((smp - 1)),memdev=m1")
		# Automatic NUMA balancing would add its hinting faults to
		# the exact counts the tests assert; placement is explicit.
		hugepages="hugepagesz=2M hugepages=0:256,1:256 hugepagesz=1G hugepages=0:1,1:1 numa_balancing=disable" ;;
	*)	die "NUMA=$numa: give 1 or 2" ;;
	esac
	# One host thread for all vCPUs under TCG: the host has few CPUs to
	# share, the suite runs one thing at a time, and a vCPU waiting on
	# another's TLB flush then costs a switch, not a host CPU.
	if [ "$smp" -gt 1 ] && [ "${accel[1]}" = tcg ]; then
		accel[1]=tcg,thread=single
	fi
}

# Sets iommu (QEMU arguments) and iommu_append (kernel arguments).
# Interrupt remapping wants the split irqchip on every family that has
# it.  virtio-iommu has none, so vfio_iommu_type1 must be told to accept
# that (in this family only; vm-init.sh says so on the console).
pick_iommu() {
	case $iommu_family in
	intel)
		iommu=(-device "intel-iommu,intremap=on,caching-mode=on")
		iommu_append="intel_iommu=on" ;;
	amd)
		# QEMU 7.2's AMD-Vi loses the NVMe behind a pxb-pcie: its
		# Identify never completes (Linux gives up after 60s).
		[ "$numa" = 1 ] ||
			die "IOMMU=amd wants NUMA=1: behind QEMU's pxb-pcie the NVMe gets no answer through its AMD-Vi"
		iommu=(-device "amd-iommu,intremap=on")
		iommu_append="" ;;
	virtio)
		iommu=(-device virtio-iommu-pci)
		iommu_append="vfio_iommu_type1.allow_unsafe_interrupts=1"
		want_mods="virtio_iommu $want_mods" ;;
	*)	die "IOMMU=$iommu_family: give intel, amd or virtio" ;;
	esac
}

# Sets bar_mib, ivshmem's BAR2 in MiB, from BAR (a power of two from 2G
# to 256G; 2G without it).  256G at most: the largest BAR that fits
# naturally aligned in arm64 virt's 512 GiB high PCIe window beside the
# NVMe's 64-bit BARs, and below VT-d's 39-bit (512 GiB) guest addresses.
pick_bar() {
	local n

	bar_mib=2048
	[ -n "${BAR:-}" ] || return 0
	[[ $BAR =~ ^([1-9][0-9]{0,6})([MmGgTt])$ ]] ||
		die "BAR=$BAR: give a power of two from 2G to 256G, e.g. 32G"
	n=${BASH_REMATCH[1]}
	case ${BASH_REMATCH[2]} in
	[Gg])	n=$((n * 1024)) ;;
	[Tt])	n=$((n * 1024 * 1024)) ;;
	esac
	if [ $((n & (n - 1))) != 0 ] || [ "$n" -lt 2048 ] || [ "$n" -gt 262144 ]; then
		die "BAR=$BAR: give a power of two from 2G to 256G (a BAR is naturally aligned and sized), e.g. 32G"
	fi
	bar_mib=$n
}

# Sets bar_backend, the memory behind ivshmem's BAR2: 2 GiB of RAM as
# always, or past 2G a sparse file in the temporary directory, shared with
# QEMU: reading the BAR's holes then fills clean page cache, which the
# host can evict, where tmpfs (or RAM) would pin the BAR's whole size.
# Nothing the suite does writes the BAR page by page; what is written
# takes disk.  The file goes with $tmp on every exit.
pick_bar_backend() {
	local fs

	if [ "$bar_mib" = 2048 ]; then
		bar_backend=(-object "memory-backend-ram,id=hm,size=2G,share=on")
		return 0
	fi
	fs=$(stat -f -c %T "$tmp")
	case $fs in
	tmpfs|ramfs)
		die "BAR=$BAR: the BAR's sparse file would be in $tmp, on $fs, where reading it fills unevictable memory: set TMPDIR to a directory on a disk" ;;
	esac
	truncate -s "${bar_mib}M" "$tmp/ivshmem-bar" ||
		die "BAR=$BAR: cannot create a sparse ${bar_mib} MiB file in $tmp"
	bar_backend=(-object "memory-backend-file,id=hm,size=${bar_mib}M,mem-path=$tmp/ivshmem-bar,share=on")
}

# Sets bar_window: QEMU arguments that make the guest's 64-bit PCI window
# hold the BAR.  q35's is 32 GiB from the top of RAM (8 GiB with 6G) by
# default; a BAR must sit at a multiple of its size, so twice the BAR
# holds an aligned slot wherever the window starts.
pick_bar_window() {
	bar_window=()
	[ "$bar_mib" = 2048 ] ||
		bar_window=(-global "q35-pcihost.pci-hole64-size=$((2 * bar_mib))M")
}

# Sets devices: ivshmem and NVMe on pcie.0 (NUMA=1, at the addresses
# they always had), or behind a PCIe expander bridge on node 1 (NUMA=2),
# so that their numa_node reads 1; still behind the IOMMU either way.
# Then edu, the DMA engine of vfio_dma_reach_test, at a slot of its own
# on pcie.0, so that no other device moves; its dma_mask as wide as any
# IOVA (QEMU's default of 28 bits would fold higher ones onto low ones).
pick_devices() {
	local bus="" bus2=""

	if [ "$numa" = 2 ]; then
		devices=(-device "pxb-pcie,id=pxb1,bus_nr=128,numa_node=1,bus=pcie.0"
			 -device "pcie-root-port,id=rp1,bus=pxb1,chassis=2,slot=1"
			 -device "pcie-root-port,id=rp2,bus=pxb1,chassis=2,slot=2")
		bus=",bus=rp1" bus2=",bus=rp2"
	else
		devices=()
	fi
	pick_bar_backend
	pick_bar_window
	devices+=("${bar_backend[@]}" "${bar_window[@]}"
		  -device "ivshmem-plain,memdev=hm$bus"
		  -drive "file=$tmp/nvme.img,if=none,id=nv,format=raw"
		  -device "nvme,serial=x,drive=nv,cmb_size_mb=64$bus2"
		  -device "edu,bus=pcie.0,addr=$edu_slot,dma_mask=0xffffffffffffffff")
}

# Sets gdb (QEMU arguments): with GDB=1, a stub on a free local port and
# the guest stopped until a debugger continues it.
pick_gdb() {
	local port

	gdb=()
	[ "${GDB:-0}" = 1 ] || return 0
	for ((port = 1234; port < 1334; port++)); do
		# A refused connection means nobody listens there.
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			gdb=(-S -gdb "tcp:127.0.0.1:$port")
			echo "vm.sh: guest waits for gdb: gdb -ex 'target remote :$port' vmlinux (nokaslr is set)" >&2
			return 0
		fi
	done
	die "GDB=1: no free port in 1234..1333"
}

# Sets serials: the console's port, then the command's (vm-init.sh
# writes to the guest's second serial port).
pick_serials() {
	serials=(-serial file:"$tmp/console.log" -serial file:"$tmp/out.log")
}

run_qemu() {
	local peers=() extra serials

	if [ "${VM_GROUP_PEERS:-0}" = 1 ]; then
		# The rng starts on virtio-pci (built in, or a module loaded
		# below): a peer that makes the group not viable.
		peers=(-device "pci-bridge,id=br1,chassis_nr=1,bus=pcie.0"
		       -device "pci-testdev,bus=br1,addr=1"
		       -device "pci-testdev,bus=br1,addr=2"
		       -device "virtio-rng-pci,bus=br1,addr=3")
	fi
	read -ra extra <<<"${QEMU_ARGS:-}"
	pick_serials
	truncate -s 64M "$tmp/nvme.img"
	: >"$tmp/out.log"
	echo "vm.sh: ${accel[1]}, CLOCK=${CLOCK:-wall}, NUMA=$numa, IOMMU=$iommu_family, ${topo[*]:0:4}${BAR:+, BAR=$BAR}" >&2
	timeout -k 5 "$timeout_s" "$qemu" \
		"${accel[@]}" "${machine[@]}" "${topo[@]}" \
		"${iommu[@]}" "${devices[@]}" "${peers[@]}" "${gdb[@]}" \
		-kernel "$vmlinuz" -initrd "$tmp/initrd" \
		-nic none -no-reboot -display none -monitor none \
		"${serials[@]}" \
		-append "$iommu_append $accel_append${LANE:+ vfio_bench.lane=$LANE} iommu=nopt console=$console panic=-1 $hugepages quiet${gdb:+ nokaslr}${arch_append:+ $arch_append} ${VM_APPEND:-}" \
		"${extra[@]}" </dev/null 2>"$tmp/qemu.err" &
	qpid=$!
	# Stream the command's output, without \r and without the result blocks.
	tail -s 0.2 -n +1 -f --pid="$qpid" "$tmp/out.log" |
		sed -u -e 's/\r$//' -e "/^$marker:/,\$d" &
	streamer=$!
}

# Decode the base64 blocks of out.log into OUTDIR.
save_results() {
	local blocks=$tmp/blocks n name

	mkdir -p "$blocks"
	awk -v dir="$blocks" -v mk="$marker" '
		index($0, mk ":file ") == 1 {
			n++; name = substr($0, length(mk) + 7); sub(/@@\r?$/, "", name)
			print name > (dir "/names"); f = dir "/" n; next
		}
		index($0, mk ":end@@") == 1 { close(f); f = ""; next }
		f != "" { sub(/\r$/, ""); print > f }' "$tmp/out.log"
	# Files an earlier run brought back must not pass for this run's.
	if [ -f "$outdir/.vm-results" ]; then
		while IFS= read -r name; do
			rm -f "$outdir/$name"
		done <"$outdir/.vm-results"
		rm -f "$outdir/.vm-results"
	fi
	[ -f "$blocks/names" ] || return 0
	n=0
	while IFS= read -r name; do
		n=$((n + 1))
		case /$name/ in
		*/../*) echo "vm.sh: skipped result file with '..' in its name: $name" >&2; continue ;;
		esac
		mkdir -p "$(dirname "$outdir/$name")"
		base64 -d "$blocks/$n" >"$outdir/$name" 2>/dev/null ||
			echo "vm.sh: result file $name arrived damaged" >&2
		echo "$name" >>"$outdir/.vm-results"
	done <"$blocks/names"
	echo "vm.sh: $n result file(s) in $outdir" >&2
}

# No exit marker: say why in one line (then the panic, if any), exit 2.
explain_failure() {
	local qrc=$1 con=$outdir/console.log at why

	# vm-init.sh's own verdict, when the rig (not the command) is broken.
	why=$(sed -n "s/^$marker:rig \(.*\)@@\r*$/\1/p" "$tmp/out.log" | head -n 1)
	[ -z "$why" ] || die "kernel $name: $why"
	if grep -qE 'VFS: Unable to mount root fs|No working init found|Initramfs unpacking failed' "$con"; then
		die "kernel $name did not run the initramfs's /init: it lacks initramfs support (CONFIG_BLK_DEV_INITRD, CONFIG_RD_GZIP), see $con"
	fi
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		die "timed out after ${timeout_s}s, QEMU killed (kernel $name): see $con, or raise -t"
	fi
	# ~20 lines around the first "Kernel panic": its reason and trace.
	at=$(grep -n -m 1 'Kernel panic' "$con" | cut -d: -f1 || true)
	if [ -n "$at" ]; then
		echo "vm.sh: guest kernel panicked (kernel $name), from $con:" >&2
		sed -n "$((at > 10 ? at - 10 : 1)),$((at + 10))p" "$con" | sed 's/^/  /' >&2
		exit 2
	fi
	if [ ! -s "$con" ]; then
		echo "vm.sh: QEMU failed to start (exit $qrc): $(tail -n 1 "$tmp/qemu.err")" >&2
		exit 2
	fi
	echo "vm.sh: guest stopped without reporting an exit code (QEMU exit $qrc, kernel $name); last console lines:" >&2
	tail -n 20 "$con" | sed 's/^/  /' >&2
	exit 2
}

kernel=${KERNEL:-newest}
iommu_family=${IOMMU:-intel}
numa=${NUMA:-1}
moddir=""
install=$top/build/install
outdir=""
timeout_s=600
prepare=""
# ARCH as kbuild spells it; arm64 redefines what differs.
case ${ARCH:-} in
arm64)		. "$top/scripts/vm-arm64.sh" ;;
""|x86|x86_64)	;;
*)		die "ARCH=$ARCH: give x86 or arm64" ;;
esac
while getopts k:M:i:o:t:P:h opt; do
	case $opt in
	k)	kernel=$OPTARG ;;
	M)	moddir=$OPTARG ;;
	i)	install=$OPTARG ;;
	o)	outdir=$OPTARG ;;
	t)	timeout_s=$OPTARG ;;
	P)	prepare=$OPTARG ;;
	*)	usage ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -gt 0 ]; then
	cmd=("$@")
else
	cmd=("$default_cmd")
fi
[[ $timeout_s =~ ^[0-9]+$ ]] || die "-t wants whole seconds, not '$timeout_s'"
[[ ${LANE:-x} =~ ^[A-Za-z0-9._-]+$ ]] || die "LANE=$LANE: give a word (letters, digits, . _ -)"
case ${CLOCK:-wall} in
wall|icount) ;;
*)	die "CLOCK=$CLOCK: give wall or icount" ;;
esac
[ "${CLOCK:-wall}/${ACCEL:-}" != icount/kvm ] || die "CLOCK=icount needs TCG, not ACCEL=kvm"
pick_bar
[ -z "$prepare" ] || [ "$bar_mib" = 2048 ] ||
	die "BAR=$BAR: -P prepares for another launcher, whose QEMU has a 2 GiB BAR; BAR applies to the QEMU vm.sh starts"
[ -d "$install" ] || die "no install dir $install: run 'make install' or give -i DIR"
command -v "$qemu" >/dev/null ||
	die "$qemu not found: run scripts/deps.sh ${deps_target:-host} (as root)"
pick_kernel "$kernel"
outdir=${outdir:-$top/results/vm-$name}
# The group peers' virtio-rng wants virtio-pci: a module on 6.1, built
# into 6.12 and 7.2.
if [ "${VM_GROUP_PEERS:-0}" = 1 ] && [ -n "$moddir" ] && [ -n "$(mod_entry virtio_pci)" ]; then
	want_mods="$want_mods virtio_pci"
fi

trap cleanup EXIT
trap 'on_signal 2' INT
trap 'on_signal 15' TERM
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vfio-bench-vm.XXXXXX")

start=$(date +%s.%N)
pick_accel
pick_topology
pick_iommu
pick_devices
pick_gdb
build_initramfs
if [ -n "$prepare" ]; then
	mkdir -p "$prepare" && cp "$tmp/initrd" "$prepare/initrd" &&
		truncate -s 64M "$prepare/nvme.img" ||
		die "cannot write the initramfs and nvme.img to $prepare"
	echo "vm.sh: kernel $name: $prepare/initrd and $prepare/nvme.img ready" >&2
	exit 0
fi
run_qemu
qrc=0
wait "$qpid" || qrc=$?
qpid=""
wait "$streamer" || true
streamer=""
end=$(date +%s.%N)

save_logs
save_results
if grep -qE '(^|\] )(BUG:|Oops|WARNING: CPU)' "$outdir/console.log"; then
	echo "vm.sh: the guest kernel logged a BUG/Oops/WARNING: see $outdir/console.log" >&2
fi

rc=$(sed -n "s/^$marker:exit \([0-9]*\)@@\r*$/\1/p" "$tmp/out.log" | tail -n 1)
[ -n "$rc" ] || explain_failure "$qrc"
boot=$(sed -n 's/.*vm-init: command starts at uptime \([0-9.]*\).*/\1/p' "$outdir/console.log")
printf 'vm.sh: kernel %s: exit %s, command started at guest uptime %ss, %.1fs in all\n' \
	"$name" "$rc" "${boot:-?}" "$(awk "BEGIN { print $end - $start }")" >&2
exit "$rc"
