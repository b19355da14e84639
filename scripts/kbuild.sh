# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Building a kernel for the VM rig, shared by build-kernel.sh (the
# iommufd lane, a tree given as KDIR) and bisect.sh: sourced after
# lib.sh, never run.
#
#   kbuild SRC OBJ BASE FRAGMENT LOG
#
# SRC is the kernel tree, OBJ its build dir (SRC itself for an in-tree
# build).  BASE is where the config starts: a make target (allnoconfig,
# defconfig), a config file, or "keep" (OBJ's .config if there is one,
# else defconfig).  FRAGMENT is merged on top and every line of it must
# survive olddefconfig.  Then bzImage, and the modules when the config
# has CONFIG_MODULES (installed into OBJ/vfio-bench-modules; kmoddir
# names the lib/modules/<release> dir, or is empty).  Each step's output
# goes to LOG; a failure names the step and the log, and returns 1.

# kbuild_run STEP CMD...: CMD's output to the log, its progress here.
kbuild_run() {
	local step=$1
	shift

	echo "### $step: $*" >>"$kbuild_log"
	# pipefail: the pipeline fails when the command does.
	if "$@" 2>&1 | tee -a "$kbuild_log" | kbuild_progress "$step"; then
		return 0
	fi
	log "$step failed: see $kbuild_log"
	return 1
}

# One line every few seconds while kbuild compiles: the objects in the
# build dir (of the total a finished build left there, once known) and
# the latest of kbuild's own lines.  In CI, nothing: the caller's one
# line per step is enough.
kbuild_progress() {
	local step=$1 last=$SECONDS line total

	total=$(cat "$kbuild_obj/.vfio-bench-objects" 2>/dev/null || true)
	while IFS= read -r line; do
		case $line in
		"  CC "*|"  AS "*) ;;
		*)	continue ;;
		esac
		quiet || [ $((SECONDS - last)) -lt 5 ] && continue
		last=$SECONDS
		log "$step: $(kbuild_objects)${total:+ of $total} objects, ${line#  }"
	done
}

kbuild_objects() {
	find "$kbuild_obj" -name '*.o' | wc -l
}

kbuild_make() {
	make -C "$kbuild_src" ${kbuild_o:+O="$kbuild_obj"} ARCH=x86_64 "$@"
}

# Kconfig drops an option whose dependencies are unmet, silently: every
# line of the fragment must be in the final .config as written.
kbuild_verify() {
	local frag=$1 line sym want have lost=()

	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			sym=${line%%=*} want=${line#*=} ;;
		"# CONFIG_"*" is not set")
			sym=${line#\# } sym=${sym%% *} want=n ;;
		*)	continue ;;
		esac
		have=$(sed -n "s/^$sym=//p" "$kbuild_obj/.config")
		[ "${have:-n}" = "$want" ] || lost+=("$sym=$want (got ${have:-n})")
	done <"$frag"
	[ ${#lost[@]} = 0 ] && return 0
	log "$kbuild_obj/.config lacks ${lost[*]} of $frag (unmet dependencies?)"
	return 1
}

kbuild_config() {
	local base=$1 frag=$2

	if [ -f "$base" ]; then
		cp "$base" "$kbuild_obj/.config" || return 1
	elif [ "$base" != keep ]; then
		kbuild_run "$base" kbuild_make "$base" || return 1
	elif [ ! -f "$kbuild_obj/.config" ]; then
		kbuild_run defconfig kbuild_make defconfig || return 1
	fi
	kbuild_run merge_config.sh "$kbuild_src/scripts/kconfig/merge_config.sh" \
		-m -O "$kbuild_obj" "$kbuild_obj/.config" "$frag" &&
		kbuild_run olddefconfig kbuild_make olddefconfig &&
		kbuild_verify "$frag"
}

kbuild_modules() {
	local rel dest=$kbuild_obj/vfio-bench-modules

	kmoddir=""
	grep -q '^CONFIG_MODULES=y' "$kbuild_obj/.config" || return 0
	kbuild_run modules kbuild_make -j"$(nproc)" modules || return 1
	rm -rf "$dest"
	kbuild_run modules_install kbuild_make INSTALL_MOD_PATH="$dest" \
		modules_install || return 1
	rel=$(kbuild_make -s kernelrelease) || return 1
	kmoddir=$dest/lib/modules/$rel
}

# kbuild_key TREE: a name for the tree's build dir and log, the same
# for the same path.
kbuild_key() {
	echo "kdir-$(basename "$1")-$(printf '%s' "$1" | sha256sum | cut -c1-12)"
}

# kbuild_objdir TREE: where TREE builds: in place when it is configured
# there (kbuild then refuses O=), else in the cache.
kbuild_objdir() {
	if [ -f "$1/.config" ]; then
		echo "$1"
	else
		echo "$cache/build/$(kbuild_key "$1")"
	fi
}

kbuild() {
	kbuild_src=$1 kbuild_obj=$2 kbuild_log=$5 kbuild_o=""
	[ "$kbuild_src" -ef "$kbuild_obj" ] || kbuild_o=1
	mkdir -p "$kbuild_obj" "$(dirname "$kbuild_log")"
	kbuild_config "$3" "$4" &&
		kbuild_run bzImage kbuild_make -j"$(nproc)" bzImage &&
		kbuild_modules &&
		kbuild_objects >"$kbuild_obj/.vfio-bench-objects"
}
