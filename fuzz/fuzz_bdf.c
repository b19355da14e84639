// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz the BDF parser: anything it accepts must print back to itself, as
 * Linux prints a PCI device's name ("%04x:%02x:%02x.%d", 32-bit domain).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libvfio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[32], out[VFIO_BDF_LEN], again[VFIO_BDF_LEN], name[32];
	unsigned int dom, bus, dev, fn;

	if (size >= sizeof(in))
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	if (vfio_bdf_parse(in, out))
		return 0;
	if (vfio_bdf_parse(out, again) || strcmp(out, again))
		abort();
	if (sscanf(out, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4)
		abort();
	snprintf(name, sizeof(name), "%04x:%02x:%02x.%d", dom, bus, dev, fn);
	if (strcmp(out, name))
		abort();
	return 0;
}
