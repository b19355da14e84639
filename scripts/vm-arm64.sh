# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The arm64 rig: what scripts/vm.sh does differently under ARCH=arm64,
# sourced by it after its defaults, never run.
#
#   qemu-system-aarch64 -machine virt,iommu=smmuv3,highmem=on, TCG only
#   (an x86 host runs no arm64 KVM), -cpu max; the same ivshmem (2 GiB
#   BAR2, or BAR=, above 4 GiB: PA 0x8000000000) and NVMe on pcie.0,
#   each in an SMMUv3 group of its own; Debian's newest arm64 kernel,
#   with 4 KiB pages or, with PAGES=16k, its 16 KiB-page flavour
#   (arm64-16k); busybox-static for arm64.  scripts/deps.sh arm64 fetches them all.
#
#   PAGES=4k|16k  the kernel's base page size (default 4k): -k newest
#                 boots kernels/newest or kernels/newest-16k of
#                 $cache/arm64
#   -k KERNEL     newest, a cached series (7.2 or 7.2-16k) or the path
#                 of an arm64 Image; results in results/vm-arm64-<name>
#
# Not here: NUMA=2 (virt's device tree describes no expander bridge),
# IOMMU=intel|amd|virtio (SMMUv3 only), ACCEL=kvm.

# The variables it sets are read, and those it reads set, by the script
# that sources it.
# shellcheck disable=SC2034,SC2154

deps_target=arm64
qemu="qemu-system-aarch64"
# GICv3 for its ITS: without MSI isolation (GICv2 has none) type1's
# VFIO_SET_IOMMU fails EPERM, as it does on x86 without interrupt
# remapping.
machine=(-machine "virt,iommu=smmuv3,highmem=on,gic-version=3")
# virt has one UART (ttyAMA0), the console's; the command's output goes
# to a virtio console (built into Debian's arm64 kernels), see
# pick_serials.
console=ttyAMA0
arch_append="vfio_bench.out=/dev/hvc0"
busybox=$cache/arm64/busybox/bin/busybox
install=$top/build/arm64/install
iommu_family=${IOMMU:-smmuv3}
arm64_kernels=$cache/arm64/kernels
# irqbypass is built in there (KVM is, and selects it): not a module.
want_mods=${want_mods/irqbypass /}

[ "$numa" = 1 ] ||
	die "NUMA=$numa: arm64 has one node here (virt's device tree describes no PCIe expander bridge)"

# Sets vmlinuz, moddir and name: Debian's newest arm64 kernel in the
# page size PAGES asks for, a cached series, or an Image.
pick_kernel() {
	local k=$1 sfx=""

	case ${PAGES:-4k} in
	4k|4K)		;;
	16k|16K)	sfx=-16k ;;
	*)		die "PAGES=$PAGES: give 4k or 16k (Debian's arm64 and arm64-16k kernels)" ;;
	esac
	case $k in
	newest|[0-9]*.[0-9]*)
		[[ $k == *-16k ]] || k+=$sfx
		[ -f "$arm64_kernels/$k/release" ] || [[ $k == [0-9]* ]] ||
			"$top/scripts/deps.sh" arm64 ||
			die "arm64 kernel $k is not cached and scripts/deps.sh arm64 failed"
		[ -f "$arm64_kernels/$k/release" ] ||
			die "no arm64 kernel $k: give newest (PAGES=4k or 16k), a cached series ($(cd "$arm64_kernels" && echo [0-9]*)) or the path of an Image"
		vmlinuz=$arm64_kernels/$k/vmlinuz
		moddir=${moddir:-$arm64_kernels/$k/lib/modules/$(cat "$arm64_kernels/$k/release")}
		name=arm64-$k ;;
	stable|oldstable|iommufd|nothp)
		die "kernel $k: the arm64 rig boots Debian's newest only (PAGES=4k or 16k), or an Image" ;;
	*)
		[ -f "$k" ] || die "no kernel '$k': give newest, a cached series or the path of an arm64 Image"
		vmlinuz=$k
		name=arm64-$(basename "$k") ;;
	esac
	[ -z "$moddir" ] || [ -f "$moddir/modules.dep" ] ||
		die "no modules.dep in $moddir: give a lib/modules/<release> tree (run depmod)"
	[ -x "$busybox" ] || "$top/scripts/deps.sh" arm64 ||
		die "no arm64 busybox in $busybox and scripts/deps.sh arm64 failed"
}

# TCG only.  -cpu max with pointer authentication by QEMU's own
# (implementation defined) algorithm: the architected QARMA one costs
# TCG dearly on every function return of the guest kernel, and the
# suite does not measure it.
pick_accel() {
	case ${ACCEL:-tcg} in
	tcg)	;;
	*)	die "ACCEL=$ACCEL: the arm64 guest runs under TCG only here" ;;
	esac
	accel=(-accel tcg -cpu "max,pauth-impdef=on")
	accel_append=""
	if [ "${CLOCK:-wall}" = icount ]; then
		accel+=(-icount "shift=0,sleep=off")
		accel_append="vfio_bench.clock=icount"
	fi
}

# SMMUv3 is the machine's (virt,iommu=smmuv3); iommu.passthrough=0 as
# x86's iommu=nopt: the host drivers' devices translated too.
pick_iommu() {
	[ "$iommu_family" = smmuv3 ] ||
		die "IOMMU=$iommu_family: the arm64 rig has SMMUv3 only"
	iommu=()
	iommu_append="iommu.passthrough=0"
}

# Nothing to widen: with highmem=on QEMU 7.2's virt has a 512 GiB 64-bit
# PCIe window at 512 GiB (its device tree's ranges), which holds any BAR
# that pick_bar allows, naturally aligned.
pick_bar_window() {
	bar_window=()
}

# The command's output on a virtio console, added after every other
# device so that their addresses stay.
pick_serials() {
	serials=(-serial file:"$tmp/console.log"
		 -device virtio-serial-pci -chardev "file,id=out,path=$tmp/out.log"
		 -device "virtconsole,chardev=out")
}
