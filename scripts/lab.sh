#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vfio-bench for a kernel lab: the tarball a lab's kselftest runner takes,
# and the QEMU rig's LAVA job run here by LAVA's own dispatcher.
#
#   lab.sh tar [-i INSTALL_DIR] [-o FILE]
#       INSTALL_DIR (default build/install, what 'make install' staged) as
#       a kselftest tarball: kselftest/ holding run_kselftest.sh,
#       kselftest-list.txt (collection vfio-bench), the programs and
#       lab-run.sh; default FILE build/vfio-bench-kselftest.tar.gz
#
#   lab.sh lava [-k KERNEL] [-i INSTALL_DIR] [-o OUTDIR] [-j JOB_ID] [-S SKIPFILE]
#       the job lava/job-qemu.yaml on the device lava/qemu-vfio-rig.yaml,
#       run by lava-run (scripts/deps.sh lava installs it): the kernel
#       (vm.sh's -k, default newest), its initramfs with the suite
#       (vm.sh -P), the NVMe's backing file.  OUTDIR (default
#       results/lava-KERNEL) gets job.yaml, lava.log (the dispatcher's
#       log, one JSON object a line), results.txt (one "definition case
#       result [measurement units]" line per result), console.log (the
#       guest's console), the results files the guest sent back and
#       kcidb.json (vfio_bench_compare kcidb, of those and console.log).
#       Prints the counts per definition and result.
#
# Exit status: 0 done (lava: the job completed and no case failed), 1 the
# job ran and a case failed or the job did not complete, 2 bad usage or a
# missing tool, with one line on stderr saying which.

set -euo pipefail

prog=lab die_status=2
. "$(dirname "$0")/lib.sh"

usage() {
	echo "usage: lab.sh tar [-i INSTALL_DIR] [-o FILE]" >&2
	echo "       lab.sh lava [-k KERNEL] [-i INSTALL_DIR] [-o OUTDIR] [-j JOB_ID] [-S SKIPFILE]" >&2
	exit 2
}

# tarball INSTALL FILE: kselftest/ is what run_kselftest.sh's users unpack
# (LKFT's kselftest.sh cds into it when the top has no run_kselftest.sh).
tarball() {
	local install=$1 file=$2 stage

	if [ ! -f "$install/kselftest-list.txt" ] || [ ! -f "$install/run_kselftest.sh" ]; then
		die "no kselftest install in $install: run 'make install' or give -i DIR"
	fi
	[ -f "$install/lab-run.sh" ] ||
		die "no lab-run.sh in $install: it was installed by an older make; run 'make install' again"
	stage=$(mktemp -d)
	cp -a "$install" "$stage/kselftest"
	# A tarball carries programs, not a run's results.
	rm -rf "$stage/kselftest/results"
	mkdir -p "$(dirname "$file")"
	tar -C "$stage" --owner=0 --group=0 -czf "$file.tmp" kselftest ||
		{ rm -rf "$stage" "$file.tmp"; die "cannot write $file"; }
	rm -rf "$stage"
	mv "$file.tmp" "$file"
	log "$file: $(tar -tzf "$file" | wc -l) entries, collection vfio-bench ($(grep -c '^vfio-bench:' "$install/kselftest-list.txt") programs)"
}

# fill TEMPLATE KERNEL DIR: the job with its @...@ fields set.
fill() {
	sed -e "s|@KERNEL@|$2|g" \
	    -e "s|@KERNEL_URL@|file://$3/vmlinuz|" \
	    -e "s|@INITRD_URL@|file://$3/initrd|" \
	    -e "s|@NVME_URL@|file://$3/nvme.img|" "$1"
}

# summarize LOG: results.txt from the dispatcher's results lines,
# console.log from its lines of the guest's console, the result files
# from the console's base64 blocks (as vm.sh decodes them).
summarize() {
	python3 - "$1" "$outdir" <<-'PY'
	import base64, json, os, sys
	log, out = sys.argv[1], sys.argv[2]
	lines, files, cur, console = [], {}, None, []
	with open(log) as f:
	    for raw in f:
	        try:
	            e = json.loads(raw)
	        except ValueError:
	            continue
	        m = e.get("msg")
	        if e.get("lvl") == "results" and isinstance(m, dict):
	            r = [m.get("definition", ""), m.get("case", ""), m.get("result", "")]
	            if "measurement" in m:
	                r += [str(m["measurement"]), str(m.get("units", ""))]
	            lines.append(" ".join(r))
	        elif e.get("lvl") == "target" and isinstance(m, str):
	            console.append(m)
	            m = m.strip()
	            if m.startswith("@@vfio-bench:file ") and m.endswith("@@"):
	                cur = m[len("@@vfio-bench:file "):-2]
	                files[cur] = []
	            elif m == "@@vfio-bench:end@@":
	                cur = None
	            elif cur is not None:
	                files[cur].append(m)
	with open(os.path.join(out, "results.txt"), "w") as f:
	    f.write("\n".join(lines) + "\n")
	with open(os.path.join(out, "console.log"), "w") as f:
	    f.write("\n".join(console) + "\n")
	for name, b64 in files.items():
	    if ".." in name.split("/"):
	        continue
	    path = os.path.join(out, name)
	    os.makedirs(os.path.dirname(path), exist_ok=True)
	    try:
	        data = base64.b64decode("".join(b64), validate=True)
	    except ValueError:
	        print("lab: result file %s arrived damaged" % name, file=sys.stderr)
	        continue
	    with open(path, "wb") as f:
	        f.write(data)
	PY
}

cmd_tar() {
	local install=$top/build/install file=$top/build/vfio-bench-kselftest.tar.gz opt

	while getopts i:o:h opt; do
		case $opt in
		i)	install=$OPTARG ;;
		o)	file=$OPTARG ;;
		*)	usage ;;
		esac
	done
	shift $((OPTIND - 1))
	[ $# = 0 ] || usage
	tarball "$install" "$(realpath -m "$file")"
}

cmd_lava() {
	local kernel=${KERNEL:-newest} install=$top/build/install job_id=1 skipfile=""
	local opt images rc=0 guest f json=() origin

	outdir=""
	while getopts k:i:o:j:S:h opt; do
		case $opt in
		k)	kernel=$OPTARG ;;
		i)	install=$OPTARG ;;
		o)	outdir=$OPTARG ;;
		j)	job_id=$OPTARG ;;
		S)	skipfile=$OPTARG ;;
		*)	usage ;;
		esac
	done
	shift $((OPTIND - 1))
	[ $# = 0 ] || usage
	[[ $job_id =~ ^[0-9]+$ ]] || die "-j wants a number, not '$job_id'"
	command -v lava-run >/dev/null ||
		die "lava-run not found: run scripts/deps.sh lava (Debian's lava-dispatcher)"
	command -v python3 >/dev/null || die "python3 not found: lava-dispatcher brings it"
	[ -z "$skipfile" ] || [ -f "$skipfile" ] || die "no skipfile $skipfile"
	outdir=$(realpath -m "${outdir:-$top/results/lava-$(basename "$kernel")}")
	images=$outdir/images
	rm -rf "$outdir" && mkdir -p "$images"

	# The guest's command: bind the rig's devices, run the suite through
	# lab-run.sh, which prints a line per result for the monitors.
	guest="./run.sh -i 1af4:1110 -i 1b36:0010 -i 1234:11e8 -- ./lab-run.sh"
	if [ -n "$skipfile" ]; then
		cp "$skipfile" "$install/lab-skipfile" ||
			die "cannot put the skipfile into $install"
		guest="./run.sh -i 1af4:1110 -i 1b36:0010 -i 1234:11e8 -- ./lab-run.sh -S ./lab-skipfile"
	fi
	"$top/scripts/vm.sh" -k "$kernel" -i "$install" -P "$images" -- "$guest" ||
		die "scripts/vm.sh -P could not prepare kernel $kernel"
	[ -z "$skipfile" ] || rm -f "$install/lab-skipfile"
	# vm.sh resolved the kernel; the job boots the same bzImage.
	case $kernel in
	newest|stable|oldstable|[0-9]*.[0-9]*)
		cp "$cache/kernels/$kernel/vmlinuz" "$images/vmlinuz" ;;
	iommufd)
		cp "$cache/kernels/iommufd/vmlinuz" "$images/vmlinuz" ;;
	*)	cp "$kernel" "$images/vmlinuz" ;;
	esac
	fill "$top/lava/job-qemu.yaml" "$kernel" "$images" >"$outdir/job.yaml"

	log "lava-run job $job_id: kernel $kernel, log in $outdir/lava.log"
	lava-run --job-id "$job_id" --output-dir "$outdir/lava" \
		--device "$top/lava/qemu-vfio-rig.yaml" "$outdir/job.yaml" \
		>"$outdir/lava.log" 2>&1 || rc=$?
	summarize "$outdir/lava.log"

	# KCIDB's shape, from what the guest sent back and the suite's log.
	origin=${KCIDB_ORIGIN:-vfio_bench}
	for f in "$outdir"/vfio_dma_map_bench-*.json; do
		[ -f "$f" ] && json+=("$f")
	done
	if [ ${#json[@]} -gt 0 ]; then
		"$install/vfio_bench_compare" kcidb -O "$origin" \
			-L "$outdir/console.log" "${json[@]}" \
			>"$outdir/kcidb.json" ||
			log "vfio_bench_compare kcidb failed: no kcidb.json"
	fi

	awk '{ n[$1 " " $3]++ } END { for (k in n) print k, n[k] }' \
		"$outdir/results.txt" | sort | sed 's/^/lab: /' >&2
	grep -q '^lava job pass$' "$outdir/results.txt" ||
		{ log "the job did not complete: see $outdir/lava.log (lava-run exit $rc)"; return 1; }
	if grep -q '^vfio-bench[^ ]* [^ ]* fail' "$outdir/results.txt"; then
		log "failed: $(grep -c '^vfio-bench[^ ]* [^ ]* fail' "$outdir/results.txt") case(s), see $outdir/results.txt"
		return 1
	fi
	return 0
}

case ${1:-} in
tar)	shift; cmd_tar "$@" ;;
lava)	shift; cmd_lava "$@" ;;
*)	usage ;;
esac
