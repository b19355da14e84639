#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel in QEMU (TCG) with a real VFIO-capable setup (emulated
# VT-d with interrupt remapping, an ivshmem device with a 2 GiB BAR and an
# NVMe with a 64 MiB CMB), run a command there and bring its output and
# result files back.
#
#   vm.sh [-k KERNEL] [-M MODULES_DIR] [-i INSTALL_DIR] [-o OUTDIR]
#         [-t TIMEOUT_S] [-- COMMAND...]
#
#   -k KERNEL       newest, stable or oldstable (Debian kernels by role,
#                   cached by scripts/deps.sh, which prints their
#                   versions; a cached series such as 7.2 works too),
#                   iommufd (the newest source with IOMMUFD, all built
#                   in, from scripts/build-kernel.sh, which rebuilds it when
#                   configs/iommufd.config changed), or the path of a
#                   bzImage; default $KERNEL, else newest
#   -M MODULES_DIR  lib/modules/<release> tree for a bzImage; without one,
#                   vfio, vfio-pci, vfio_iommu_type1 and nvme must be built in
#   -i INSTALL_DIR  what 'make install' staged (default build/install); it
#                   becomes /vfio-bench in the guest, with scripts/run.sh
#   -o OUTDIR       default results/vm-<kernel>: console.log (the guest
#                   kernel's), output.log (COMMAND's) and the files COMMAND
#                   left in /vfio-bench/results, at the same relative paths
#                   (the previous run's ones, listed in .vm-results, go first)
#   -t TIMEOUT_S    kill QEMU after this long (default 600)
#
# COMMAND runs in /vfio-bench under busybox sh; one argument is taken as a
# shell command line, several as the words of one command.  Default:
#   ./run.sh -i 1af4:1110 -i 1b36:0010 -- ./suite.sh
# Its output is streamed here as it runs.  Exit status: COMMAND's, or 2
# when the rig failed (bad option, missing tool, QEMU did not start, guest
# panicked or timed out), with one line on stderr saying which.
#
# VFIO_BENCH_CACHE overrides the cache directory (default <repo>/.cache);
# VM_APPEND adds kernel parameters (e.g. loglevel=7 to see the boot log).
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
default_cmd="./run.sh -i 1af4:1110 -i 1b36:0010 -- ./suite.sh"
marker=@@vfio-bench

tmp=""
qpid=""
streamer=""

usage() {
	echo "usage: vm.sh [-k KERNEL] [-M MODULES_DIR] [-i INSTALL_DIR] [-o OUTDIR] [-t TIMEOUT_S] [-- COMMAND...]" >&2
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
	[ -z "$tmp" ] || rm -rf "$tmp"
}

# shellcheck disable=SC2317 # reached through trap
on_signal() {
	echo "vm.sh: interrupted, QEMU stopped" >&2
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
	iommufd)
		# Asked every time: a no-op unless the fragment or source changed.
		"$top/scripts/build-kernel.sh" ||
			die "kernel iommufd: scripts/build-kernel.sh failed"
		vmlinuz=$cache/kernels/iommufd/vmlinuz
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
	printf '%s\n' "${order[@]}" | awk '!seen[$0]++'
}

# unpack SRC DST: copy a module, decompressed (busybox insmod can't).
unpack() {
	case $1 in
	*.xz)	xz -dc "$1" >"$2" ;;
	*.zst)	zstd -qdc "$1" >"$2" ;;
	*.gz)	gzip -dc "$1" >"$2" ;;
	*)	cp "$1" "$2" ;;
	esac
}

# The modules, with a modules.dep of their own so modprobe works too.
stage_modules() {
	local root=$1 rel m ko mods=()

	[ -n "$moddir" ] || { : >"$root/etc/vfio-bench/modules"; return 0; }
	rel=$(basename "$moddir")
	mapfile -t mods < <(mod_order)
	for m in "${mods[@]}"; do
		ko=${m%.ko*}.ko
		mkdir -p "$root/lib/modules/$rel/$(dirname "$ko")"
		unpack "$moddir/$m" "$root/lib/modules/$rel/$ko"
		echo "/lib/modules/$rel/$ko" >>"$root/etc/vfio-bench/modules"
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

	bb=$(command -v busybox) || die "busybox not found: run scripts/deps.sh host"
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

# 6G, not FACTS.md's 4G: with 4G, q35 splits RAM around the PCI hole and
# only one of the two 1 GiB hugepages the command line asks for is found.
run_qemu() {
	local peers=()

	if [ "${VM_GROUP_PEERS:-0}" = 1 ]; then
		# The rng starts on virtio-pci (built in, or a module loaded
		# below): a peer that makes the group not viable.
		peers=(-device "pci-bridge,id=br1,chassis_nr=1,bus=pcie.0"
		       -device "pci-testdev,bus=br1,addr=1"
		       -device "pci-testdev,bus=br1,addr=2"
		       -device "virtio-rng-pci,bus=br1,addr=3")
	fi
	truncate -s 64M "$tmp/nvme.img"
	: >"$tmp/out.log"
	timeout -k 5 "$timeout_s" qemu-system-x86_64 \
		-accel tcg -machine q35,kernel-irqchip=split -cpu max -smp 1 -m 6G \
		-device intel-iommu,intremap=on,caching-mode=on \
		-object memory-backend-ram,id=hm,size=2G,share=on \
		-device ivshmem-plain,memdev=hm \
		-drive file="$tmp/nvme.img",if=none,id=nv,format=raw \
		-device nvme,serial=x,drive=nv,cmb_size_mb=64 \
		"${peers[@]}" \
		-kernel "$vmlinuz" -initrd "$tmp/initrd" \
		-nic none -no-reboot -display none -monitor none \
		-serial file:"$tmp/console.log" -serial file:"$tmp/out.log" \
		-append "intel_iommu=on iommu=nopt console=ttyS0 panic=-1 hugepages=512 hugepagesz=1G hugepages=2 quiet ${VM_APPEND:-}" \
		</dev/null 2>"$tmp/qemu.err" &
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
	local qrc=$1 con=$outdir/console.log at

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
moddir=""
install=$top/build/install
outdir=""
timeout_s=600
while getopts k:M:i:o:t:h opt; do
	case $opt in
	k)	kernel=$OPTARG ;;
	M)	moddir=$OPTARG ;;
	i)	install=$OPTARG ;;
	o)	outdir=$OPTARG ;;
	t)	timeout_s=$OPTARG ;;
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
[ -d "$install" ] || die "no install dir $install: run 'make install' or give -i DIR"
command -v qemu-system-x86_64 >/dev/null ||
	die "qemu-system-x86_64 not found: run scripts/deps.sh host (as root)"
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
build_initramfs
run_qemu
qrc=0
wait "$qpid" || qrc=$?
qpid=""
wait "$streamer" || true
streamer=""
end=$(date +%s.%N)

mkdir -p "$outdir"
tr -d '\r' <"$tmp/console.log" >"$outdir/console.log"
sed -e 's/\r$//' -e "/^$marker:/,\$d" "$tmp/out.log" >"$outdir/output.log"
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
