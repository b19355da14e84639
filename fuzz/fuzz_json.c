// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz the results-file reader, and compare's walk over what it returns.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libvfio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t walk(const struct json *j, int depth)
{
	size_t n = 0;

	if (depth > JSON_MAX_DEPTH + 1)
		abort();
	for (; j; j = j->next)
		n += 1 + walk(j->child, depth + 1) + (j->str ? strlen(j->str) : 0);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy: no terminating NUL to lean on. */
	char *text = malloc(size ? size : 1);
	struct json *j;

	memcpy(text, data, size);
	j = json_parse(text, size);
	if (j) {
		walk(j, 0);
		json_get_str(json_get(j, "cells"), "name", NULL);
		json_count(json_get(j, "cells"));
	}
	json_free(j);
	free(text);
	return 0;
}
