# SPDX-License-Identifier: GPL-2.0
#
# make ARCH=arm64: the suite for arm64, static as on x86, with kbuild's
# spelling.  Included by the Makefile before its defaults.
#
#   make ARCH=arm64 [all|install]   into build/arm64 (install:
#                                   build/arm64/install)
#   make vm-run ARCH=arm64 [PAGES=16k]
#                                   that install in the arm64 rig
#                                   (scripts/vm-arm64.sh)
#
# On a host that is not arm64 the compiler is Debian's cross toolchain
# (CROSS_COMPILE=aarch64-linux-gnu-), and libnuma.a and libz.a come from
# an arm64 sysroot in the cache: scripts/deps.sh cross fetches both on
# first use.  The uapi headers are the cache's, asm/ from the arm64
# triplet's directory (linux-libc-dev holds every architecture's).

ifeq ($(ARCH),arm64)

ifneq ($(shell uname -m),aarch64)
CROSS_COMPILE	?= aarch64-linux-gnu-
endif
# make's own defaults (cc, ar) give way; a CC given by the user stays.
ifeq ($(origin CC),default)
CC		:= $(CROSS_COMPILE)gcc
endif
ifeq ($(origin AR),default)
AR		:= $(CROSS_COMPILE)ar
endif

OUTPUT		?= $(CURDIR)/build/arm64

ifndef KHDR_INCLUDES
KHDR_INCLUDES	:= -isystem $(CACHE)/uapi/usr/include \
		   -isystem $(CACHE)/uapi/usr/include/aarch64-linux-gnu
HDR_STAMP	:= $(CACHE)/uapi/usr/include/linux/iommufd.h
endif

ifneq ($(CROSS_COMPILE),)
ARM64_SYSROOT	:= $(CACHE)/arm64/sysroot
# Every object waits for it: lib/ includes numa.h, bench/ zlib.h.
ARCH_STAMP	:= $(ARM64_SYSROOT)/.debs
CFLAGS		+= -isystem $(ARM64_SYSROOT)/usr/include
LDFLAGS		+= -L$(ARM64_SYSROOT)/usr/lib/aarch64-linux-gnu

$(ARCH_STAMP):
	scripts/deps.sh cross
endif

endif
