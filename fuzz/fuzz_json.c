// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz the results-file reader, and compare over what it returns.
 * Whatever it accepts, the writer must write back as a file that reads
 * as the same tree: the two agree on escapes, UTF-8 and numbers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/compare.h"
#include "analysis/error.h"
#include "analysis/json.h"
#include "analysis/results.h"

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

static void write_tree(struct json_writer *w, const struct json *j);

static void write_nested(struct json_writer *w, const struct json *j)
{
	if (j->type == JSON_OBJ)
		json_obj_open(w, j->key);
	else
		json_arr_open(w, j->key);
	write_tree(w, j->child);
	if (j->type == JSON_OBJ)
		json_obj_close(w);
	else
		json_arr_close(w);
}

static void write_tree(struct json_writer *w, const struct json *j)
{
	for (; j; j = j->next) {
		if (j->type == JSON_OBJ || j->type == JSON_ARR)
			write_nested(w, j);
		else if (j->type == JSON_STR)
			json_str(w, j->key, j->str);
		else if (j->type == JSON_NULL)
			json_null(w, j->key);
		else
			json_num(w, j->key, j->num);	/* the writer has no bool */
	}
}

static bool same_key(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool same(const struct json *a, const struct json *b)
{
	for (; a && b; a = a->next, b = b->next) {
		enum json_type t = a->type == JSON_BOOL ? JSON_NUM : a->type;

		if (t != b->type || !same_key(a->key, b->key) ||
		    (t == JSON_STR && strcmp(a->str, b->str)) ||
		    (t == JSON_NUM && a->num != b->num) ||
		    !same(a->child, b->child))
			return false;
	}
	return !a && !b;
}

static void round_trip(const struct json *j)
{
	struct json_writer w;
	struct json *again;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	json_begin(&w, f);
	write_tree(&w, j);
	if (fclose(f))
		abort();
	again = json_parse(buf, len);
	if (!again || !same(j, again))
		abort();
	json_free(again);
	free(buf);
}

/* What reads as results is compared with itself: no crash, no regression. */
static void compare_self(const struct json *j)
{
	struct vfio_compare_opts o = VFIO_COMPARE_DEFAULTS;
	struct vfio_results r = { 0 };
	FILE *null = fopen("/dev/null", "w");

	if (!null)
		abort();
	if (!vfio_results_from_json(j, &r, "fuzz") &&
	    vfio_compare_results(&r, &r, &o, null) == VFIO_COMPARE_REGRESSED)
		abort();
	vfio_results_free(&r);
	fclose(null);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy: no terminating NUL to lean on. */
	char *text = malloc(size ? size : 1);
	struct json *j;

	memcpy(text, data, size);
	analysis_err(-EINVAL, "stale");	/* not to be taken for a reason */
	j = json_parse(text, size);
	if (j) {
		walk(j, 0);
		json_get_str(json_get(j, "cells"), "name", NULL);
		json_count(json_get(j, "cells"));
		round_trip(j);
		compare_self(j);
	} else if (strncmp(analysis_error(), "JSON: ", 6)) {
		abort();	/* a rejection always says why */
	}
	json_free(j);
	free(text);
	return 0;
}
