#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The bad-input matrix: every case must end with the expected exit code,
# a message that names the problem, no crash, and nothing left behind.
# TAP with kselftest totals, so suite.sh counts it.  Runs under busybox
# sh in the VM too; cases needing the source tree (VFIO_BENCH_SRC) or
# root are left out where those are missing.

dir=$(cd "$(dirname "$0")" && pwd)
src=${VFIO_BENCH_SRC:-}
tmp=$(mktemp -d)
n=0 pass=0 fail=0
trap 'rm -rf "$tmp"' EXIT

# expect RC REGEX WHAT -- COMMAND...: one case (tests/expect.sh).
. "$dir/expect.sh"

json() { printf '%s' "$2" >"$tmp/$1.json"; echo "$tmp/$1.json"; }

bench=$dir/vfio_dma_map_bench
test=$dir/vfio_pci_device_test
good=$(json good '{"schema":"vfio-bench/dma-map/1","cells":[{"name":"c","map_s":[1,1,1]}]}')

echo "TAP version 13"

# Device selection
expect 1 'malformed BDF' "malformed BDF argument" -- "$test" 0000:zz:00.0
expect 1 'malformed BDF' "BDF with device > 1f" -- "$test" 0000:00:20.0
expect 1 'malformed BDF' "BDF with function > 7" -- "$test" 00:03.8
# Domains past ffff (VMD's): 5 to 8 hex digits, as Linux's %04x prints
# them; anything else wider than 4 is malformed.
expect 1 'malformed BDF' "BDF with a zero-padded 5-digit domain" -- "$test" 00000:00:03.0
expect 1 'malformed BDF' "BDF with a domain past 32 bits" -- "$test" 100000000:00:02.0
expect 1 'malformed BDF' "BDF in a 5-digit domain with device > 1f" -- "$test" 10000:00:20.0
expect 1 'malformed BDF' "malformed BDF in VFIO_SELFTESTS_BDF" -- \
	env VFIO_SELFTESTS_BDF="0000:00:03.0 nonsense:1" "$test"
expect 4 'SKIP.*no device given' "no device at all" -- env -u VFIO_SELFTESTS_BDF "$test"
expect 4 'SKIP.*no device given' "blank VFIO_SELFTESTS_BDF" -- env VFIO_SELFTESTS_BDF=" " "$bench"
# A device that is ready where there is one, so the option is what fails.
zbdf=${VFIO_SELFTESTS_BDF:-0000:00:00.0}
expect 1 'invalid option' "unknown harness option" -- "$test" -Z "${zbdf%% *}"

# A device that is not ours: no vfio at all, or not bound to vfio-pci.
# 00:00.0 is a host bridge, which nobody binds to vfio-pci.
if [ -e /dev/vfio/vfio ]; then
	expect 1 'bound to (no driver|[a-z_-]+), not vfio-pci|bound to no driver' \
		"device not bound to vfio-pci" -- "$test" -t device_info 0000:00:00.0
	expect 1 'no such PCI device' "absent device" -- "$bench" 0000:7f:1f.7
	expect 1 '10000:00:02\.0.*no such PCI device|no such PCI device.*10000:00:02\.0' \
		"absent device in a 5-digit (VMD) domain" -- "$bench" 10000:00:02.0
	# A container that is there but may not be opened is an error, never
	# the SKIP of a mode the kernel lacks.  Mode 000, and a user
	# namespace where root's CAP_DAC_OVERRIDE no longer reaches it.
	vbdf=${VFIO_SELFTESTS_BDF%% *}
	if [ "$(id -u)" = 0 ] && [ -n "$vbdf" ] && unshare -U true 2>/dev/null; then
		mode=$(stat -c %a /dev/vfio/vfio)
		chmod 000 /dev/vfio/vfio
		expect 1 'cannot open /dev/vfio/vfio: Permission denied' \
			"container not openable: the bench FAILs, not SKIPs" -- \
			unshare -U "$bench" -m vfio_type1v2_iommu "$vbdf"
		expect 1 'cannot open /dev/vfio/vfio: Permission denied' \
			"container not openable: the device test FAILs" -- \
			unshare -U "$test" -t device_info "$vbdf"
		chmod "$mode" /dev/vfio/vfio
	fi
	# A device on another driver: one line with the fix, once per binary.
	expect 1 'Bail out!.*(bound to no driver|not vfio-pci).*run.sh -d' \
		"device not on vfio-pci: one failure per binary, with the fix" -- \
		"$dir/vfio_bar_align_test" 0000:00:00.0
	expect 1 'Bail out!.*(bound to no driver|not vfio-pci).*run.sh -d' \
		"device not on vfio-pci: the bench fails once, with the fix" -- \
		"$bench" -b none -p kernel 0000:00:00.0
else
	expect 4 'no /dev/vfio/vfio' "no /dev/vfio: SKIP" -- "$bench" 0000:00:00.0
	expect 4 'no /dev/vfio/vfio' "a 5-digit (VMD) domain is a BDF: SKIP for no /dev/vfio" -- \
		"$bench" 10000:00:02.0
fi

# Benchmark options
expect 1 "bad size '12345': not a multiple of the base page \\([0-9]+ KiB\\)" \
	"size not a multiple of the base page" -- "$bench" -s 12345 0000:00:00.0
expect 1 'bad size' "size with a bad suffix" -- "$bench" -s 4X 0000:00:00.0
expect 1 'bad size' "zero size" -- "$bench" -s 0 0000:00:00.0
expect 1 'unknown backing' "unknown backing" -- "$bench" -b anon,ramdisk 0000:00:00.0
expect 1 'unknown alignment policy' "unknown policy" -- "$bench" -p 1g 0000:00:00.0
expect 1 'unknown state' "unknown state" -- "$bench" -S warm 0000:00:00.0
expect 1 'repetitions must be' "zero repetitions" -- "$bench" -n 0 0000:00:00.0
expect 1 'repetitions must be' "too many repetitions" -- "$bench" -n 1000000 0000:00:00.0
expect 1 "unknown IOMMU mode 'type3' \(known: vfio_type1_iommu, " "unknown IOMMU mode" -- "$bench" -m type3 0000:00:00.0
expect 1 'invalid option' "unknown benchmark option" -- "$bench" -q 0000:00:00.0
expect 1 'usage:' "stray argument" -- "$bench" extra 0000:00:00.0
expect 1 "bad size '-4K': negative" "negative size" -- "$bench" -s -4K 0000:00:00.0
expect 1 "bad size '0x400000001G': too large" "size whose suffix overflows 64 bits" -- \
	"$bench" -s 0x400000001G 0000:00:00.0
expect 1 "bad size '18446744073709551616': too large" "size beyond 64 bits" -- \
	"$bench" -s 18446744073709551616 0000:00:00.0
expect 1 "bad size '16KB': junk after the number" "size with junk after its suffix" -- \
	"$bench" -s 16KB 0000:00:00.0
expect 1 "repetitions must be a whole number 1\.\.1000, not 'abc'" "repetitions not a number" -- \
	"$bench" -n abc 0000:00:00.0
expect 1 "repetitions must be a whole number 1\.\.1000, not '5x'" "repetitions with junk" -- \
	"$bench" -n 5x 0000:00:00.0
expect 1 "repetitions must be a whole number 1\.\.1000, not '99999999999999999999'" \
	"repetitions beyond a long" -- "$bench" -n 99999999999999999999 0000:00:00.0
expect 1 "warm-up repetitions must be a whole number 0\.\.1000, not 'abc'" "warm-up not a number" -- \
	"$bench" -w abc 0000:00:00.0
expect 1 "warm-up repetitions must be a whole number 0\.\.1000, not '-1'" "negative warm-up" -- \
	"$bench" -w -1 0000:00:00.0
expect 1 "NUMA node must be a whole number -1\.\.1023, not 'abc'" "NUMA node not a number" -- \
	"$bench" -N abc 0000:00:00.0
expect 1 "NUMA node must be a whole number -1\.\.1023, not '-2'" "NUMA node below -1" -- \
	"$bench" -N -2 0000:00:00.0
expect 1 "unexpected argument 'extra'" "stray argument, named" -- "$bench" extra 0000:00:00.0
expect 1 "clock 'sundial': wall or icount" "unknown clock" -- "$bench" -C sundial 0000:00:00.0
expect 0 '^usage: .*vfio_dma_map_bench' "-h: usage on stdout, exit 0" -- \
	sh -c 'exec "$0" -h 2>/dev/null' "$bench"
expect 0 '^usage: .*vfio_dma_map_bench' "--help: usage on stdout, exit 0" -- \
	sh -c 'exec "$0" --help 2>/dev/null' "$bench"
expect 0 '^usage: ' "the largest valid values pass, then -h" -- \
	"$bench" -s 0x3ffffffffG -n 1000 -w 1000 -N -1 -h

# compare: usage and input errors exit 2
expect 0 '^usage: compare' "compare -h: usage, exit 0" -- "$bench" compare -h
expect 2 'usage: compare' "compare without files" -- "$bench" compare
expect 2 'usage: compare' "compare with one file" -- "$bench" compare "$good"
expect 2 'usage: compare' "compare threshold not a number" -- "$bench" compare -t abc "$good" "$good"
expect 2 'usage: compare' "compare alpha out of range" -- "$bench" compare -a 1.5 "$good" "$good"
expect 2 'cannot open' "compare a missing file" -- "$bench" compare "$tmp/none.json" "$good"
expect 2 'JSON: .* at byte' "compare a truncated file" -- \
	"$bench" compare "$(json trunc '{"schema":"vfio-bench/dma-map/1","cells":[{"na')" "$good"
expect 2 'JSON: trailing data' "compare two documents in one file" -- \
	"$bench" compare "$(json two '{} {}')" "$good"
expect 2 "schema '\\(none\\)'" "compare an empty object" -- "$bench" compare "$(json empty '{}')" "$good"
expect 2 "schema 'vfio-bench/dma-map/9'" "compare a future schema" -- \
	"$bench" compare "$(json future '{"schema":"vfio-bench/dma-map/9","cells":[]}')" "$good"
expect 2 'no "cells" array' "compare without cells" -- \
	"$bench" compare "$(json nocells '{"schema":"vfio-bench/dma-map/1","cells":{}}')" "$good"
expect 2 'not an array of non-negative numbers' "compare samples that are strings" -- \
	"$bench" compare "$good" "$(json strs '{"schema":"vfio-bench/dma-map/1","cells":[{"name":"c","map_s":["1"]}]}')"
expect 2 'not an array of non-negative numbers' "compare negative samples" -- \
	"$bench" compare "$good" "$(json neg '{"schema":"vfio-bench/dma-map/1","cells":[{"name":"c","map_s":[-1,1,1]}]}')"
expect 2 'nested too deeply' "compare a deeply nested file" -- \
	"$bench" compare "$(json deep "$(printf '%0100d' 0 | tr 0 '[')")" "$good"
expect 2 'JSON: bad escape' "compare a bad escape" -- \
	"$bench" compare "$(json esc '{"schema":"\x"}')" "$good"
expect 2 'JSON' "compare a directory" -- "$bench" compare "$tmp" "$good"
expect 0 'no change|not judged' "compare a file with itself" -- "$bench" compare "$good" "$good"
icount=$(json icount '{"schema":"vfio-bench/dma-map/1","settings":{"timebase":"icount"},"cells":[{"name":"c","map_s":[1,1,1]}]}')
expect 2 'timebase icount where the first has wall' "compare a wall-clock file with an icount one" -- \
	"$bench" compare "$good" "$icount"
expect 2 'timebase wall where the first has icount' "pool an icount boot with a wall-clock one" -- \
	"$bench" compare "$icount,$good" "$icount"
slow=$(json slow '{"schema":"vfio-bench/dma-map/1","cells":[{"name":"c","map_s":[3,3,3]}]}')
expect 0 'not judged: one boot a side' "compare one wall boot a side, 3x apart: not judged" -- \
	"$bench" compare "$good" "$slow"
expect 1 'slower REGRESSION' "compare one wall boot a side with a spread given (-s)" -- \
	"$bench" compare -s 0.01 "$good" "$slow"
expect 2 '2 boots, 1 a side|give 2 to' "power with one boot" -- "$bench" power "$good"
expect 0 'A/A: whole run exit 1 in 0 of 2 splits' "power on two icount boots" -- \
	"$bench" power "$icount" "$icount"
expect 2 'usage: export' "export without a file" -- "$bench" export
expect 2 'cannot open' "export a missing file" -- "$bench" export "$tmp/none.json"
expect 2 'JSON: bad number at byte 63' "compare a number with a leading zero" -- "$bench" compare \
	"$(json lead0 '{"schema":"vfio-bench/dma-map/1","cells":[{"name":"c","map_s":[01,1,1]}]}')" "$good"
expect 2 'JSON: \\u0000 in string' "compare a name holding \\u0000" -- "$bench" compare \
	"$good" "$(json nul '{"schema":"vfio-bench/dma-map/1","cells":[{"name":"c\u0000x","map_s":[1,1,1]}]}')"
expect 2 'JSON: lone surrogate' "compare a lone surrogate" -- \
	"$bench" compare "$(json surr '{"schema":"\ud800"}')" "$good"
expect 2 'JSON: invalid UTF-8 in string' "compare a string that is not UTF-8" -- \
	"$bench" compare "$(json latin1 "$(printf '{"schema":"caf\351"}')")" "$good"

# The largest file the bench writes, 64 cells of 1,000 reps (~8 MB), laid
# out as its write_json() does.
bigjson() {
	awk 'function arr(key, fmt, base, spread,   i) {
		printf ",\n      \"%s\": [", key
		for (i = 0; i < 1000; i++)
			printf "%s\n        " fmt, i ? "," : "", base + spread * rand()
		printf "\n      ]"
	}
	BEGIN {
		srand(1)
		printf "{\n  \"schema\": \"vfio-bench/dma-map/1\",\n  \"cells\": ["
		for (c = 0; c < 64; c++) {
			printf "%s\n    {\n      \"name\": \"type1v2 anon4k fresh %d\"", c ? "," : "", c
			printf ",\n      \"api\": \"type1v2\",\n      \"backing\": \"anon4k\""
			printf ",\n      \"policy\": \"\",\n      \"state\": \"fresh\""
			printf ",\n      \"size\": 67108864,\n      \"status\": \"ok\""
			printf ",\n      \"reason\": \"\",\n      \"expected_faults\": 16384"
			arr("map_s", "%.17g", 0.001, 0.0001)
			arr("unmap_s", "%.17g", 0.0005, 0.0001)
			arr("calib_s", "%.17g", 0.0002, 0.00001)
			arr("minflt", "%d", 16384, 0)
			arr("pmd_inserts", "%d", 0, 0)
			arr("pud_inserts", "%d", 0, 0)
			printf "\n    }"
		}
		printf "\n  ]\n}\n"
	}'
}

# Compared with itself in 1 GiB of address space (it needs under 80 MiB):
# the reader once took a copy per string as long as the rest of the file
# and failed with "bad string".  With the source tree only, i.e. on the
# host: the comparison takes seconds there, minutes under the VM's TCG.
if [ -n "$src" ]; then
	bigjson >"$tmp/big.json"
	expect 0 '^64 cells compared' "compare 64 cells x 1,000 reps within ulimit -v 1 GiB" -- \
		sh -c 'ulimit -v 1048576 && exec "$0" compare "$1" "$1"' "$bench" "$tmp/big.json"
fi

# run.sh: argument errors need no device
expect 2 'malformed' "run.sh with a malformed BDF" -- "$dir/run.sh" -d 0000:zz:00.0 -- true
expect 2 '[Uu]sage' "run.sh without a command" -- "$dir/run.sh" -d 0000:00:00.0
expect 2 '[Mm]alformed|[Uu]sage|invalid' "run.sh with malformed ids" -- "$dir/run.sh" -i 1af4 -- true
expect 2 'malformed BDF' "run.sh with a zero-padded 5-digit domain" -- \
	"$dir/run.sh" -d 00000:00:02.0 -- true
expect 2 'malformed BDF' "run.sh with a domain past 32 bits" -- \
	"$dir/run.sh" -d 100000000:00:02.0 -- true
expect 2 '-k wants whole seconds' "run.sh with a grace time that is no number" -- \
	"$dir/run.sh" -k 1x -d 0000:00:00.0 -- true

if [ "$(id -u)" = 0 ]; then
	expect 1 'no such|not found|does not exist' "run.sh with an absent device" -- \
		"$dir/run.sh" -d 0000:7f:1f.7 -- true
	expect 1 'no PCI device matches' "run.sh with ids nothing matches" -- \
		"$dir/run.sh" -i ffff:fffe -- true
	expect 1 'no such PCI device 10000:00:02\.0' "run.sh takes a 5-digit (VMD) domain" -- \
		"$dir/run.sh" -d 10000:00:02.0 -- true
fi

# No IOMMU: only where there is none, so that nothing can get bound.
if [ "$(id -u)" = 0 ] && [ -z "$(ls /sys/kernel/iommu_groups 2>/dev/null)" ] &&
   [ -e /sys/bus/pci/devices/0000:00:00.0 ]; then
	expect 1 'no IOMMU group.*intel_iommu=on' "run.sh without an IOMMU" -- \
		"$dir/run.sh" -d 0000:00:00.0 -- true
fi

# No hugetlb pages reserved: the cells SKIP, saying so (VM suite only).
pool=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
bdf=${VFIO_SELFTESTS_BDF%% *}
if [ "$(id -u)" = 0 ] && [ -n "$bdf" ] && [ -w "$pool" ]; then
	saved=$(cat "$pool")
	echo 0 >"$pool"
	expect 0 'not enough hugepages reserved.*hugepages-2048kB/nr_hugepages' \
		"no 2 MiB hugepages reserved" -- \
		"$bench" -b hugetlb2m -p none -S fresh -n 1 -w 0 "$bdf"
	echo "$saved" >"$pool"
	# More 1 GiB pages than the pool holds: the 1 GiB pool is named.
	expect 0 'not enough hugepages reserved.*hugepages-1048576kB/nr_hugepages' \
		"too few 1 GiB hugepages" -- \
		"$bench" -b hugetlb1g -s 64G -p none -S fresh -n 1 -w 0 "$bdf"
fi

if [ -n "$src" ]; then
	expect 2 'vm.sh' "vm.sh with an unknown kernel" -- "$src/scripts/vm.sh" -k 3.0 -- true
	expect 2 'vm.sh' "vm.sh with a bad timeout" -- "$src/scripts/vm.sh" -t soon -- true
	expect 2 'usage' "vm.sh with an unknown option" -- "$src/scripts/vm.sh" -Q
	expect 255 'no baseline' "bisect.sh without a baseline: stops, not skips" -- \
		"$src/scripts/bisect.sh" -k 7.2
	expect 255 'cannot read it' "bisect.sh with a missing baseline file: stops" -- \
		"$src/scripts/bisect.sh" -B "$tmp/none.json" -k 7.2
	expect 255 'at least 2 repetitions' "bisect.sh -n 1: nothing would be judged" -- \
		env INSTALL_PATH="$dir" "$src/scripts/bisect.sh" -O "$tmp/never.json" -k 7.2 -- -n 1
	expect 2 'CLOCK=sundial' "vm.sh with an unknown clock" -- \
		env CLOCK=sundial "$src/scripts/vm.sh" -k 7.2 -- true
	expect 2 'needs TCG' "vm.sh CLOCK=icount under KVM" -- \
		env CLOCK=icount ACCEL=kvm "$src/scripts/vm.sh" -k 7.2 -- true
	# Refused before anything boots: no PCI BAR has these sizes, or the
	# rig cannot place one.
	expect 2 'BAR=3G: give a power of two' "vm.sh BAR not a power of two" -- \
		env BAR=3G "$src/scripts/vm.sh" -k 7.2 -- true
	expect 2 'BAR=1G: give a power of two from 2G' "vm.sh BAR below 2G" -- \
		env BAR=1G "$src/scripts/vm.sh" -k 7.2 -- true
	expect 2 'BAR=512G: give a power of two .* to 256G' "vm.sh BAR past 256G" -- \
		env BAR=512G "$src/scripts/vm.sh" -k 7.2 -- true
	expect 2 'BAR=32: give' "vm.sh BAR without a unit" -- \
		env BAR=32 "$src/scripts/vm.sh" -k 7.2 -- true
	expect 2 'BAR=32G: -P prepares' "vm.sh BAR with -P, whose launcher has 2 GiB" -- \
		env BAR=32G "$src/scripts/vm.sh" -k 7.2 -P "$tmp/prep" -- true
	expect 2 'usage' "plot.sh without files" -- "$src/scripts/plot.sh"
	expect 1 'no kernel lane bogus' "build-kernel.sh with an unknown lane" -- \
		"$src/scripts/build-kernel.sh" bogus
	expect 1 'no kernel lane \.\./x' "build-kernel.sh with a lane that is a path" -- \
		"$src/scripts/build-kernel.sh" ../x
	expect 2 'usage' "vm-compare.sh with one kernel" -- "$src/scripts/vm-compare.sh" 7.2
	expect 1 'usage' "deps.sh with an unknown step" -- "$src/scripts/deps.sh" everything
	expect 1 'no kernel tree at' "build-kernel.sh -C without a tree" -- \
		"$src/scripts/build-kernel.sh" -C "$tmp/none"
	expect 1 'is not a kernel tree' "build-kernel.sh -C on a plain dir" -- \
		"$src/scripts/build-kernel.sh" -C "$tmp"
	expect 2 'usage' "build-kernel.sh with an unknown option" -- \
		"$src/scripts/build-kernel.sh" -Q
fi

echo "1..$n"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ "$fail" = 0 ]
