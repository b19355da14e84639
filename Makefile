# SPDX-License-Identifier: GPL-2.0
#
# vfio-bench, kselftest style.
#
#   make                  build everything into $(OUTPUT): needs only a
#                         compiler and the cached uapi headers
#   make run_tests        run it all through the kernel's kselftest runner
#                         (nested TAP; device tests SKIP without
#                         VFIO_SELFTESTS_BDF)
#   make install INSTALL_PATH=dir
#                         what run_kselftest.sh consumes, and the VM rig
#   make kselftest-tar    the install as a lab's kselftest tarball,
#                         $(OUTPUT)/vfio-bench-kselftest.tar.gz (make lab
#                         too; scripts/lab.sh, README "Running in a lab")
#   make clean | distclean  build/; and results/ and the cache
#
# Development targets (vm-run, vm-compare, check, sanitize, fuzz,
# checkpatch, cycles) are in dev.mk.
#
# Headers come from the cache that scripts/deps.sh fills (the newest
# Debian kernel's), unless KHDR_INCLUDES says otherwise, as in the
# kernel's selftests: KHDR_INCLUDES="-isystem ~/linux/usr/include" after
# 'make headers' there.  KDIR names a kernel to boot (dev.mk), not
# headers: a tree being bisected or built need not match the uapi the
# suite compiles against, and an unconfigured tree has none.
#
# Not the kernel's tools/testing/selftests/lib.mk: it finds the kernel
# tree from its own path (top_srcdir, 'make headers' there), while here
# it is a single file in the cache; and its rules build each program
# from one .c, not statically against lib/, nor write the host/device
# lists suite.sh and the VM lanes go by.

CACHE		?= $(or $(VFIO_BENCH_CACHE),$(CURDIR)/.cache)
# ARCH=arm64: the cross build and its own OUTPUT (arm64.mk).
include arm64.mk
OUTPUT		?= $(CURDIR)/build
INSTALL_PATH	?= $(OUTPUT)/install

KSFT_DIR	?= $(CACHE)/linux-source/tools/testing/selftests
CHECKPATCH	?= $(CACHE)/linux-source/scripts/checkpatch.pl
ifndef KHDR_INCLUDES
KHDR_INCLUDES	:= -isystem $(CACHE)/uapi/usr/include \
		   -isystem $(CACHE)/uapi/usr/include/x86_64-linux-gnu
HDR_STAMP	:= $(CACHE)/uapi/usr/include/linux/iommufd.h
endif
HARNESS		:= $(KSFT_DIR)/kselftest_harness.h
RUNNER		:= $(KSFT_DIR)/run_kselftest.sh

CC		?= gcc
AR		?= ar
CFLAGS		+= -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE \
		   -I$(KSFT_DIR) $(KHDR_INCLUDES) -MMD -MP \
		   -DVFIO_SRC_DIR='"$(CURDIR)"'
# Static, so the same binaries run inside the VM's busybox initramfs.
LDFLAGS		+= -static

# Three libraries for three users, each an archive, so that a program
# links the members it uses and nothing else:
#
#   lib/       the test library: devices, IOMMU contexts, mappings,
#              faults, the probe (libvfio.a)
#   analysis/  reading and judging results: JSON, statistics, compare,
#              export, tables, the results file (libanalysis.a); built
#              without lib/include on its path, so that it cannot
#              include the VFIO side (make cycles checks it too)
#   bench/     the benchmark program and its cells, runner, report and
#              provenance, on both
LIBVFIO_SRCS	:= $(addprefix lib/,libvfio.c bdf.c mmap.c vfio_caps.c iommu.c \
		     iommufd_ioas.c iova.c dma.c vfio_pci_device.c map_policy.c \
		     fault_law.c page_levels.c fault_expect.c iommu_entries.c largest_bar.c \
		     sparse_plan.c region_map.c faults.c fault_probe.c thp.c \
		     pt_evidence.c backing.c numa.c proc_maps.c leak_check.c \
		     work_counts.c counters.c known_issues.c gup_faults.c \
		     pci_config.c iommu_fault_log.c dma_driver.c drivers/edu.c)
ANALYSIS_SRCS	:= $(addprefix analysis/,error.c json.c stats.c compare.c power.c \
		     export.c table.c results.c kcidb.c kcidb_check.c)
BENCH_SRCS	:= $(addprefix bench/,bench_cells.c bench_run.c bench_report.c \
		     provenance.c)
LIBVFIO_A	:= $(OUTPUT)/libvfio.a
ANALYSIS_A	:= $(OUTPUT)/libanalysis.a
BENCH_OBJS	:= $(patsubst %.c,$(OUTPUT)/%.o,$(BENCH_SRCS))
LIB_OBJS	:= $(patsubst %.c,$(OUTPUT)/%.o,$(LIBVFIO_SRCS) $(ANALYSIS_SRCS))

# Each file sees the headers of the libraries it may use, no others.
$(OUTPUT)/lib/%.o: INCLUDES = -Ilib/include
$(OUTPUT)/analysis/%.o $(OUTPUT)/tools/%.o: INCLUDES = -Ianalysis/include
$(OUTPUT)/bench/%.o $(OUTPUT)/tests/%.o: INCLUDES = -Ilib/include -Ianalysis/include

# Tests that need a device (run in the VM or on real hardware) ...
TEST_GEN_PROGS	:= vfio_pci_device_test vfio_bar_align_test vfio_dma_map_bench \
		   vfio_dma_bad_input_test vfio_iommufd_test vfio_pt_evidence_test \
		   vfio_iommu_share_test vfio_dma_reach_test
# ... and tests of the library itself, which need none.  Those that
# touch the kernel (mmap, faults, /proc) run on the host and again in
# every VM lane, on each kernel under test; pure computation (statistics,
# JSON) is the same everywhere and runs on the host only: under TCG it is
# many times slower and proves nothing new.
TEST_HOST_PROGS	:= libvfio_test map_policy_test fault_probe_test numa_test
TEST_PURE_PROGS	:= stats_test json_test compare_test power_test \
		   iommu_entries_test kcidb_test

# ... and the bad-input matrix, a script run like a test binary; the
# kernel-role resolver's test and the lab's (KCIDB export, lab-run.sh,
# lab.sh) are pure ones (they need the source tree).
TEST_HOST_SCRIPTS := bad_input.sh
TEST_PURE_SCRIPTS := kernel_roles.sh lab_test.sh

# ... and the tools/: vfio_bench_compare reads results files;
# vfio_reap runs run.sh's command and stops every process of it (libc
# only; installed beside run.sh, which runs it from there).
ANALYSIS_TOOLS	:= vfio_bench_compare
LIBC_TOOLS	:= vfio_reap
TOOL_PROGS	:= $(ANALYSIS_TOOLS) $(LIBC_TOOLS)

# Which library each program links: the analysis library alone for the
# tests of it and the tools that read results, all three for the
# benchmark, none for vfio_reap, the test library for the rest.
ANALYSIS_PROGS	:= stats_test json_test compare_test power_test kcidb_test \
		   $(ANALYSIS_TOOLS)

PROGS		:= $(addprefix $(OUTPUT)/,$(TEST_GEN_PROGS) $(TEST_HOST_PROGS) \
			$(TEST_PURE_PROGS) $(TOOL_PROGS))
SCRIPTS		:= scripts/run.sh scripts/suite.sh scripts/lab-run.sh tests/run_sh_fire.sh \
		   tests/expect.sh \
		   $(addprefix tests/,$(TEST_HOST_SCRIPTS) $(TEST_PURE_SCRIPTS))
ALL_TESTS	:= $(TEST_PURE_PROGS) $(TEST_PURE_SCRIPTS) $(TEST_HOST_PROGS) \
		   $(TEST_HOST_SCRIPTS) $(TEST_GEN_PROGS)

LISTS		:= $(addprefix $(OUTPUT)/,host_progs pure_progs device_progs)

all: $(PROGS) $(LISTS) $(OUTPUT)/kselftest-list.txt
	@cp $(SCRIPTS) $(OUTPUT)/
	@cp tests/known-issues $(OUTPUT)/

# suite.sh reads these to know which binaries want a device.
$(LISTS): Makefile
	@mkdir -p $(OUTPUT)
	@echo "$(TEST_HOST_PROGS) $(TEST_HOST_SCRIPTS)" >$(OUTPUT)/host_progs
	@echo "$(TEST_PURE_PROGS) $(TEST_PURE_SCRIPTS)" >$(OUTPUT)/pure_progs
	@echo "$(TEST_GEN_PROGS)" >$(OUTPUT)/device_progs

# The kselftest layout: the runner's list and files, a settings file,
# and the collection "vfio-bench" as a link to the dir itself, so that
# the VM rig's flat layout (run.sh, suite.sh beside the binaries) stays.
# 600 s per program: the benchmark's fresh-memory cells take minutes
# under TCG.
$(OUTPUT)/kselftest-list.txt: Makefile $(RUNNER)
	@mkdir -p $(OUTPUT)/kselftest
	@printf 'vfio-bench:%s\n' $(ALL_TESTS) >$@
	@echo timeout=600 >$(OUTPUT)/settings
	@cp $(RUNNER) $(OUTPUT)/
	@cp $(KSFT_DIR)/kselftest/* $(OUTPUT)/kselftest/
	@ln -sfn . $(OUTPUT)/vfio-bench

run_tests: all
	@cd $(OUTPUT) && VFIO_BENCH_SRC=$(CURDIR) ./run_kselftest.sh

install: all
	install -d $(INSTALL_PATH)/kselftest
	install -m 0755 $(PROGS) $(SCRIPTS) $(RUNNER) $(INSTALL_PATH)/
	install -m 0644 $(LISTS) $(OUTPUT)/kselftest-list.txt \
		$(OUTPUT)/settings tests/known-issues $(INSTALL_PATH)/
	install -m 0755 $(OUTPUT)/kselftest/* $(INSTALL_PATH)/kselftest/
	ln -sfn . $(INSTALL_PATH)/vfio-bench

# What a lab's kselftest runner unpacks (TESTPROG_URL): kselftest/.
KSELFTEST_TAR	?= $(OUTPUT)/vfio-bench-kselftest.tar.gz
kselftest-tar lab: install
	scripts/lab.sh tar -i $(INSTALL_PATH) -o $(KSELFTEST_TAR)

clean:
	rm -rf $(OUTPUT)

# What the project added: the build, the results and the cache (the
# downloaded kernels and sources, the private apt configuration).
distclean: clean
	rm -rf $(CURDIR)/results $(CACHE)

# Results carry the suite's version; rebuilt every time, it is cheap.
VERSION		:= $(shell git describe --always --dirty 2>/dev/null || echo unknown)
$(OUTPUT)/bench/provenance.o: CFLAGS += -DVFIO_BENCH_VERSION='"$(VERSION)"'
$(OUTPUT)/bench/provenance.o: FORCE
FORCE:

# The harness's EXPECT_*() compare int literals with unsigned fields.
$(OUTPUT)/tests/%.o: CFLAGS += -Wno-sign-compare

$(OUTPUT)/%.o: %.c $(HARNESS) $(HDR_STAMP) $(ARCH_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INCLUDES) -c -o $@ $<

$(LIBVFIO_A): $(patsubst %.c,$(OUTPUT)/%.o,$(LIBVFIO_SRCS))
$(ANALYSIS_A): $(patsubst %.c,$(OUTPUT)/%.o,$(ANALYSIS_SRCS))
$(LIBVFIO_A) $(ANALYSIS_A):
	@rm -f $@
	$(AR) rcs $@ $^

# The test library places memory with libnuma (its libnuma.a: static).
# ld warns that libnuma's affinity.o uses getaddrinfo(), which a static
# program would need glibc's NSS libraries for at run time: libnuma.o
# pulls it in for numa_parse_nodestring()'s "netdev:" names, which the
# suite never parses.
$(OUTPUT)/%: $(OUTPUT)/tests/%.o $(LIBVFIO_A) | $(OUTPUT)/.libnuma
	$(CC) $(LDFLAGS) -o $@ $^ -lnuma

# A cache filled before libnuma-dev joined the build packages has its
# headers but not the library: deps.sh installs it then, once.
$(OUTPUT)/.libnuma:
	@case "$$($(CC) -print-file-name=libnuma.a)" in /*) ;; \
	*) scripts/deps.sh build ;; esac
	@mkdir -p $(OUTPUT) && touch $@

$(patsubst %,$(OUTPUT)/tests/%.o,$(ANALYSIS_PROGS)): INCLUDES = -Ianalysis/include
$(addprefix $(OUTPUT)/,$(filter-out $(ANALYSIS_TOOLS),$(ANALYSIS_PROGS))): \
		$(OUTPUT)/%: $(OUTPUT)/tests/%.o $(ANALYSIS_A)
	$(CC) $(LDFLAGS) -o $@ $^ -lm

$(addprefix $(OUTPUT)/,$(ANALYSIS_TOOLS)): $(OUTPUT)/%: $(OUTPUT)/tools/%.o $(ANALYSIS_A)
	$(CC) $(LDFLAGS) -o $@ $^ -lm

$(addprefix $(OUTPUT)/,$(LIBC_TOOLS)): $(OUTPUT)/%: $(OUTPUT)/tools/%.o
	$(CC) $(LDFLAGS) -o $@ $^

$(OUTPUT)/vfio_dma_map_bench: $(OUTPUT)/bench/vfio_dma_map_bench.o $(BENCH_OBJS) \
		$(LIBVFIO_A) $(ANALYSIS_A) | $(OUTPUT)/.libnuma
	$(CC) $(LDFLAGS) -o $@ $^ -lnuma -lz -lm

# Fetched once into the cache (idempotent); see scripts/deps.sh.  One
# run makes all three (&:), also under -j.
$(HARNESS) $(HDR_STAMP) $(RUNNER) &:
	scripts/deps.sh headers

deps:
	scripts/deps.sh all

.PHONY: all deps run_tests install kselftest-tar lab clean distclean
# Keep the objects the pattern rules chain through; not everything: the
# cache's headers must be fetched again when they are gone.
.SECONDARY: $(LIB_OBJS) $(BENCH_OBJS) $(OUTPUT)/bench/vfio_dma_map_bench.o \
	    $(patsubst $(OUTPUT)/%,$(OUTPUT)/tests/%.o,$(PROGS))

include dev.mk

# Each object's header dependencies (-MMD), where the compiler writes them.
-include $(LIB_OBJS:.o=.d) $(BENCH_OBJS:.o=.d) $(OUTPUT)/bench/vfio_dma_map_bench.d \
	 $(patsubst $(OUTPUT)/%,$(OUTPUT)/tests/%.d,$(PROGS)) \
	 $(patsubst %,$(OUTPUT)/tools/%.d,$(TOOL_PROGS))
