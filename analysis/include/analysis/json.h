/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough JSON for results files: a streaming writer and a small,
 * bounded DOM reader for 'compare'.
 */
#ifndef ANALYSIS_JSON_H
#define ANALYSIS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Nesting deeper than this is rejected: inputs are results files. */
#define JSON_MAX_DEPTH 32

/*
 * Writer: the caller nests objects and arrays; commas are handled here.
 * Strings are written as valid UTF-8: each byte that does not begin a
 * well-formed UTF-8 sequence becomes \ufffd (U+FFFD), so that whatever
 * the input (a device name, a reason from the kernel), the reader below
 * takes the file back.  Nesting beyond JSON_MAX_DEPTH stays valid JSON,
 * only no longer indented deeper.
 */
struct json_writer {
	FILE *f;
	int depth;
	int excess;		/* levels open beyond JSON_MAX_DEPTH */
	bool first[JSON_MAX_DEPTH + 1];	/* nothing written yet at this depth */
};

void json_begin(struct json_writer *w, FILE *f);
void json_obj_open(struct json_writer *w, const char *key);
void json_obj_close(struct json_writer *w);
void json_arr_open(struct json_writer *w, const char *key);
void json_arr_close(struct json_writer *w);
void json_str(struct json_writer *w, const char *key, const char *val);
void json_num(struct json_writer *w, const char *key, double val);
void json_int(struct json_writer *w, const char *key, long long val);
void json_uint(struct json_writer *w, const char *key, unsigned long long val);
void json_null(struct json_writer *w, const char *key);

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ };

struct json {
	enum json_type type;
	char *key;		/* member name inside an object */
	char *str;
	double num;		/* numbers and booleans */
	struct json *child;	/* first element or member */
	struct json *next;
};

/*
 * Parse @len bytes of @text, strictly as RFC 8259 has it.  Returns the
 * tree or NULL with a one-line reason (with the byte offset) in
 * analysis_error().  Strings come back as NUL-terminated UTF-8; \u escapes
 * are decoded (surrogate pairs joined, lone surrogates rejected), and a
 * string holding \u0000 is rejected, not cut short, since a C string
 * cannot carry it.  Raw control characters and invalid UTF-8 are
 * rejected too.  Memory is proportional to @len: each string is a copy
 * no longer than its source.
 */
struct json *json_parse(const char *text, size_t len);
/* Read and parse a whole file (at most 64 MiB). */
struct json *json_parse_file(const char *path);
void json_free(struct json *j);

/* Member @key of object @j, or NULL. */
struct json *json_get(const struct json *j, const char *key);
/* The string of member @key, or @def when absent or not a string. */
const char *json_get_str(const struct json *j, const char *key,
			 const char *def);
size_t json_count(const struct json *arr);

#endif /* ANALYSIS_JSON_H */
