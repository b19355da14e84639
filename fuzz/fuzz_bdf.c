// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz the BDF parser: anything it accepts must print back to itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libvfio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[32], out[VFIO_BDF_LEN], again[VFIO_BDF_LEN];

	if (size >= sizeof(in))
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	if (vfio_bdf_parse(in, out))
		return 0;
	if (vfio_bdf_parse(out, again) || strcmp(out, again))
		abort();
	return 0;
}
