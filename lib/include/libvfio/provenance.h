/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a result came from: kernel, machine, device, suite version.
 */
#ifndef LIBVFIO_PROVENANCE_H
#define LIBVFIO_PROVENANCE_H

#include "json.h"

/* Set by the Makefile from git describe. */
#ifndef VFIO_BENCH_VERSION
#define VFIO_BENCH_VERSION "unknown"
#endif

/* Write a "provenance" object; @bdf may be NULL. */
void vfio_provenance_write(struct json_writer *w, const char *bdf);

#endif /* LIBVFIO_PROVENANCE_H */
