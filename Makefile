# SPDX-License-Identifier: GPL-2.0
#
# vfio-bench, kselftest style.
#
#   make                  build everything into $(OUTPUT)
#   make run_tests        run the binaries here (TAP; device tests SKIP
#                         without VFIO_SELFTESTS_BDF)
#   make install INSTALL_PATH=dir
#   make check            host unit tests + the VM lanes (the test command)
#   make vm-run           the suite in the VM on KERNEL (default 7.2)
#   make checkpatch       kernel coding style of lib/ and tests/
#   make cycles           dependency cycles among lib/*.c (includes, calls)
#
# Headers come from the cache that scripts/deps.sh fills, unless given:
# KHDR_INCLUDES (as in the kernel's selftests) for the uapi headers, or
# KDIR=<kernel tree> after 'make headers_install' there.

CACHE		?= $(or $(VFIO_BENCH_CACHE),$(CURDIR)/.cache)
OUTPUT		?= $(CURDIR)/build
INSTALL_PATH	?= $(OUTPUT)/install
KERNEL		?= 7.2

ifdef KDIR
KHDR_INCLUDES	?= -isystem $(KDIR)/usr/include
KSFT_DIR	?= $(KDIR)/tools/testing/selftests
CHECKPATCH	?= $(KDIR)/scripts/checkpatch.pl
endif
KSFT_DIR	?= $(CACHE)/linux-source/tools/testing/selftests
CHECKPATCH	?= $(CACHE)/linux-source/scripts/checkpatch.pl
ifndef KHDR_INCLUDES
KHDR_INCLUDES	:= -isystem $(CACHE)/uapi/usr/include \
		   -isystem $(CACHE)/uapi/usr/include/x86_64-linux-gnu
HDR_STAMP	:= $(CACHE)/uapi/usr/include/linux/iommufd.h
endif
HARNESS		:= $(KSFT_DIR)/kselftest_harness.h

CC		?= gcc
CFLAGS		+= -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE \
		   -Ilib/include -I$(KSFT_DIR) $(KHDR_INCLUDES) -MMD -MP \
		   -DVFIO_SRC_DIR='"$(CURDIR)"' 
# Static, so the same binaries run inside the VM's busybox initramfs.
LDFLAGS		+= -static
LDLIBS		+= -lz -lm

LIB_SRCS	:= $(wildcard lib/*.c)
LIB_OBJS	:= $(patsubst %.c,$(OUTPUT)/%.o,$(LIB_SRCS))

# Tests that need a device (run in the VM or on real hardware) ...
TEST_GEN_PROGS	:= vfio_pci_device_test vfio_bar_align_test vfio_dma_map_bench \
		   vfio_dma_bad_input_test vfio_iommufd_test vfio_pt_evidence_test \
		   vfio_iommu_share_test
# ... and tests of the library itself, which need none.  Those that
# touch the kernel (mmap, faults, /proc) run on the host and again in
# every VM lane, on each kernel under test; pure computation (statistics,
# JSON) is the same everywhere and runs on the host only: under TCG it is
# many times slower and proves nothing new.
TEST_HOST_PROGS	:= libvfio_test map_policy_test fault_probe_test numa_test
TEST_PURE_PROGS	:= stats_test json_test compare_test power_test \
		   iommu_entries_test

# ... and the bad-input matrix, a script run like a test binary.
TEST_HOST_SCRIPTS := bad_input.sh

# ... and the programs that read results files (tools/).
TOOL_PROGS	:= vfio_bench_compare

PROGS		:= $(addprefix $(OUTPUT)/,$(TEST_GEN_PROGS) $(TEST_HOST_PROGS) \
			$(TEST_PURE_PROGS) $(TOOL_PROGS))
SCRIPTS		:= scripts/run.sh scripts/suite.sh tests/run_sh_fire.sh \
		   $(addprefix tests/,$(TEST_HOST_SCRIPTS))

LISTS		:= $(addprefix $(OUTPUT)/,host_progs pure_progs device_progs)

all: $(PROGS) $(LISTS)
	@cp $(SCRIPTS) $(OUTPUT)/

# suite.sh reads these to know which binaries want a device.
$(LISTS): Makefile
	@mkdir -p $(OUTPUT)
	@echo "$(TEST_HOST_PROGS) $(TEST_HOST_SCRIPTS)" >$(OUTPUT)/host_progs
	@echo "$(TEST_PURE_PROGS)" >$(OUTPUT)/pure_progs
	@echo "$(TEST_GEN_PROGS)" >$(OUTPUT)/device_progs

# Results carry the suite's version; rebuilt every time, it is cheap.
VERSION		:= $(shell git describe --always --dirty 2>/dev/null || echo unknown)
$(OUTPUT)/lib/provenance.o: CFLAGS += -DVFIO_BENCH_VERSION='"$(VERSION)"'
$(OUTPUT)/lib/provenance.o: FORCE
FORCE:

# The harness's EXPECT_*() compare int literals with unsigned fields.
$(OUTPUT)/tests/%.o: CFLAGS += -Wno-sign-compare

$(OUTPUT)/%.o: %.c $(HARNESS) $(HDR_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(OUTPUT)/%: $(OUTPUT)/tests/%.o $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(addprefix $(OUTPUT)/,$(TOOL_PROGS)): $(OUTPUT)/%: $(OUTPUT)/tools/%.o $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Fetched once into the cache (idempotent); see scripts/deps.sh.
$(HARNESS) $(HDR_STAMP):
	scripts/deps.sh headers

deps:
	scripts/deps.sh all

run_tests: all
	@OUTPUT=$(OUTPUT) scripts/suite.sh $(TEST_PURE_PROGS) $(TEST_HOST_PROGS) \
		$(TEST_HOST_SCRIPTS) \
		$(TEST_GEN_PROGS)

install: all
	install -d $(INSTALL_PATH)
	install -m 0755 $(PROGS) $(SCRIPTS) $(INSTALL_PATH)/
	install -m 0644 $(LISTS) $(INSTALL_PATH)/

vm-run: install
	scripts/vm.sh -k $(KERNEL) -i $(INSTALL_PATH)

# The library and the host tests again under ASan and UBSan (dynamic:
# the sanitizers do not link statically), run at once.
SAN_OUT		:= $(OUTPUT)/sanitize
SAN_FLAGS	:= -fsanitize=address,undefined -fno-sanitize-recover=all \
		   -fno-omit-frame-pointer
SAN_PROGS	:= $(addprefix $(SAN_OUT)/,$(TEST_HOST_PROGS) $(TEST_PURE_PROGS))

$(SAN_OUT)/%: tests/%.c $(LIB_SRCS) $(HARNESS) $(HDR_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -MMD -MP,$(CFLAGS)) -Wno-sign-compare $(SAN_FLAGS) \
		-o $@ $< $(LIB_SRCS) $(LDLIBS)

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

$(FUZZ_OUT)/%: fuzz/%.c $(LIB_SRCS) $(HARNESS) $(HDR_STAMP)
	@command -v $(FUZZ_CC) >/dev/null || scripts/deps.sh fuzz
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -O1 -g -D_GNU_SOURCE -Ilib/include -I$(KSFT_DIR) \
		$(KHDR_INCLUDES) -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o $@ $< $(LIB_SRCS) $(LDLIBS)

fuzz: $(addprefix $(FUZZ_OUT)/,$(FUZZ_TARGETS))
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_OUT)/corpus-$$t; \
		(cd $(FUZZ_OUT) && ./$$t -runs=$(FUZZ_RUNS) -max_len=4096 \
			-print_final_stats=1 corpus-$$t 2>$$t.log) || \
			{ tail -n 30 $(FUZZ_OUT)/$$t.log; echo "fuzz: $$t FAILED"; exit 1; }; \
		echo "fuzz: $$t: $$(grep -o 'stat::number_of_executed_units: *[0-9]*' \
			$(FUZZ_OUT)/$$t.log | grep -o '[0-9]*$$') executions, no crash"; \
	done

# The benchmark on two kernels and their comparison: A before, B after.
A		?= 6.12
B		?= 7.2
vm-compare: install
	scripts/vm-compare.sh $(A) $(B) $(BENCH_ARGS)

check: install
	scripts/check.sh

checkpatch: $(HARNESS)
	@for f in lib/*.c lib/include/*.h lib/include/libvfio/*.h tests/*.c tools/*.c fuzz/*.c; do \
		$(CHECKPATCH) --no-tree --quiet --show-types -f $$f || rc=1; \
	done; exit $${rc:-0}

# Dependency cycles among lib/*.c, by includes and by calls (objects).
cycles: $(LIB_OBJS)
	@scripts/cycles.sh $(OUTPUT)/lib

clean:
	rm -rf $(OUTPUT)

.PHONY: all deps run_tests install vm-run vm-compare check checkpatch clean \
	sanitize fuzz cycles
.SECONDARY:

# Each object's header dependencies (-MMD), where the compiler writes them.
-include $(LIB_OBJS:.o=.d) $(patsubst $(OUTPUT)/%,$(OUTPUT)/tests/%.d,$(PROGS)) \
	 $(patsubst %,$(OUTPUT)/tools/%.d,$(TOOL_PROGS))
