# SPDX-License-Identifier: GPL-2.0
#
# vfio-bench's development targets, included by the Makefile.
#
#   make vm-run           the suite in the VM on KERNEL: a role (newest,
#                         stable, oldstable: Debian's, see
#                         scripts/kernel-roles.sh), iommufd, a series
#                         that is cached (7.2), or a bzImage; the
#                         guest's knobs pass through as make variables
#                         (IOMMU=amd, NUMA=2, BAR=32G: scripts/vm.sh)
#   make vm-run KDIR=~/linux [MODULES=dir]
#                         your own tree, built with configs/rig.config
#                         merged in (scripts/build-kernel.sh -C); MODULES
#                         overrides the lib/modules/<release> dir
#   make vm-compare [A=stable B=newest]
#   make check            host unit tests + the VM lanes (the test command)
#   make lava [KERNEL=newest] [SKIPFILE=file]
#                         the QEMU rig's LAVA job (lava/), run here by
#                         LAVA's own lava-run (scripts/lab.sh lava;
#                         scripts/deps.sh lava installs it): results in
#                         results/lava-KERNEL
#   make sanitize | fuzz | checkpatch
#   make cycles           dependency cycles among lib/*.c (includes, calls)

KERNEL		?= newest

# With KDIR, the tree is built first and its bzImage (and modules) boot.
vm-run: install
ifdef KDIR
	@set -e; built=$$(scripts/build-kernel.sh -C '$(KDIR:~/%=$(HOME)/%)' -e); \
	eval "$$built"; \
	moddir=$(or $(MODULES),$$moddir); \
	scripts/vm.sh -k "$$kernel" $${moddir:+-M "$$moddir"} -i $(INSTALL_PATH)
else
	scripts/vm.sh -k $(KERNEL) $(if $(MODULES),-M $(MODULES)) -i $(INSTALL_PATH)
endif

# The library and the host tests again under ASan and UBSan (dynamic:
# the sanitizers do not link statically), run at once.  Each library is
# built once, as for the static programs, and each test linked to it.
SAN_OUT		:= $(OUTPUT)/sanitize
SAN_FLAGS	:= -fsanitize=address,undefined -fno-sanitize-recover=all \
		   -fno-omit-frame-pointer
SAN_PROGS	:= $(addprefix $(SAN_OUT)/,$(TEST_HOST_PROGS) $(TEST_PURE_PROGS))
SAN_LIBVFIO_A	:= $(SAN_OUT)/libvfio.a
SAN_ANALYSIS_A	:= $(SAN_OUT)/libanalysis.a
SAN_OBJS	:= $(patsubst %.c,$(SAN_OUT)/%.o,$(LIBVFIO_SRCS) $(ANALYSIS_SRCS))

$(SAN_OUT)/lib/%.o: INCLUDES = -Ilib/include
$(SAN_OUT)/analysis/%.o: INCLUDES = -Ianalysis/include
$(SAN_OUT)/%.o: %.c $(HARNESS) $(HDR_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INCLUDES) $(SAN_FLAGS) -c -o $@ $<

$(SAN_LIBVFIO_A): $(patsubst %.c,$(SAN_OUT)/%.o,$(LIBVFIO_SRCS))
$(SAN_ANALYSIS_A): $(patsubst %.c,$(SAN_OUT)/%.o,$(ANALYSIS_SRCS))
$(SAN_LIBVFIO_A) $(SAN_ANALYSIS_A):
	@rm -f $@
	$(AR) rcs $@ $^

# A test's library, its headers, and that library's own libraries (the
# test library's libnuma).
san_lib = $(if $(filter $(1),$(ANALYSIS_PROGS)),$(SAN_ANALYSIS_A),$(SAN_LIBVFIO_A))
san_incs = $(if $(filter $(1),$(ANALYSIS_PROGS)),-Ianalysis/include,-Ilib/include)
san_libs = $(if $(filter $(1),$(ANALYSIS_PROGS)),-lm,-lnuma -lm)

.SECONDEXPANSION:
$(SAN_OUT)/%: tests/%.c $$(call san_lib,$$*) $(HARNESS) $(HDR_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -MMD -MP,$(CFLAGS)) $(call san_incs,$*) \
		-Wno-sign-compare $(SAN_FLAGS) -o $@ $< $(call san_lib,$*) \
		$(call san_libs,$*)

.SECONDARY: $(SAN_OBJS)
-include $(SAN_OBJS:.o=.d)

sanitize: $(SAN_PROGS)
	@OUTPUT=$(SAN_OUT) ASAN_OPTIONS=detect_leaks=1 \
		UBSAN_OPTIONS=print_stacktrace=1 \
		scripts/suite.sh $(TEST_HOST_PROGS) $(TEST_PURE_PROGS)

# libFuzzer harnesses (clang) for the parsers that take outside input.
# 'make fuzz' runs each for FUZZ_RUNS inputs; crashes land in
# $(FUZZ_OUT)/crash-* and become regression tests.  Undefined behaviour
# is fatal, as in 'make sanitize': recovered, it is only a line in a log.
FUZZ_OUT	:= $(OUTPUT)/fuzz
FUZZ_TARGETS	:= fuzz_caps fuzz_sparse_plan fuzz_bdf fuzz_json
FUZZ_RUNS	?= 1000000
FUZZ_CC		?= clang

# fuzz_json reads results files: the analysis library; the rest parse
# what the kernel and the command line give the test library.
fuzz_lib = $(if $(filter fuzz_json,$(1)),analysis,lib)
fuzz_srcs = $(if $(filter fuzz_json,$(1)),$(ANALYSIS_SRCS),$(LIBVFIO_SRCS))
fuzz_libs = $(if $(filter fuzz_json,$(1)),-lm,-lnuma -lm)

$(FUZZ_OUT)/%: fuzz/%.c $$(call fuzz_srcs,$$*) $(HARNESS) $(HDR_STAMP)
	@command -v $(FUZZ_CC) >/dev/null || scripts/deps.sh fuzz
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -O1 -g -D_GNU_SOURCE -I$(call fuzz_lib,$*)/include -I$(KSFT_DIR) \
		$(KHDR_INCLUDES) -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o $@ $< $(call fuzz_srcs,$*) \
		$(call fuzz_libs,$*)

# Each harness's run is one TAP result, so that suite.sh -c counts them.
fuzz: $(addprefix $(FUZZ_OUT)/,$(FUZZ_TARGETS))
	@echo "TAP version 13"; n=0; rc=0; \
	for t in $(FUZZ_TARGETS); do \
		n=$$((n + 1)); \
		mkdir -p $(FUZZ_OUT)/corpus-$$t; \
		if (cd $(FUZZ_OUT) && ./$$t -runs=$(FUZZ_RUNS) -max_len=4096 \
			-print_final_stats=1 corpus-$$t 2>$$t.log); then \
			echo "ok $$n $$t: $$(grep -o 'stat::number_of_executed_units: *[0-9]*' \
				$(FUZZ_OUT)/$$t.log | grep -o '[0-9]*$$') executions, no crash"; \
		else \
			tail -n 30 $(FUZZ_OUT)/$$t.log | sed 's/^/# /'; \
			echo "not ok $$n $$t: crashed, see $(FUZZ_OUT)/$$t.log"; rc=1; \
		fi; \
	done; \
	echo "1..$$n"; exit $$rc

# The benchmark on two kernels and their comparison: A before, B after.
A		?= stable
B		?= newest
vm-compare: install
	scripts/vm-compare.sh $(A) $(B) $(BENCH_ARGS)

# What compare can see here, on fresh boots of KERNEL under each clock
# (scripts/power.sh; BOOTS, CLOCKS): minutes of VM, not part of check.
power: install
	KERNEL=$(KERNEL) scripts/power.sh $(BENCH_ARGS)

check: install
	scripts/check.sh

lava: install
	@command -v lava-run >/dev/null || scripts/deps.sh lava
	scripts/lab.sh lava -k $(KERNEL) -i $(INSTALL_PATH) $(if $(SKIPFILE),-S $(SKIPFILE))

checkpatch: $(HARNESS)
	@for f in lib/*.c lib/include/*.h lib/include/libvfio/*.h analysis/*.c \
		  analysis/include/analysis/*.h bench/*.c bench/*.h tests/*.c \
		  tools/*.c fuzz/*.c; do \
		$(CHECKPATCH) --no-tree --quiet --show-types -f $$f || rc=1; \
	done; exit $${rc:-0}

# Dependency cycles among the libraries' files, by includes and by calls
# (objects); and the analysis library reaching into the VFIO side.
cycles: $(LIB_OBJS) $(BENCH_OBJS)
	@scripts/cycles.sh $(OUTPUT)

.PHONY: vm-run vm-compare power check lava checkpatch sanitize fuzz cycles
