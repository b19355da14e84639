// SPDX-License-Identifier: GPL-2.0
/*
 * JSON writer and reader for results files.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "libvfio.h"

#define JSON_MAX_FILE (64 << 20)

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* Comma, newline and indent before an element; its key, if any. */
static void element(struct json_writer *w, const char *key)
{
	if (w->depth > 0) {
		fputs(w->first[w->depth] ? "\n" : ",\n", w->f);
		w->first[w->depth] = false;
	}
	fprintf(w->f, "%*s", 2 * w->depth, "");
	if (key) {
		put_string(w->f, key);
		fputs(": ", w->f);
	}
}

void json_begin(struct json_writer *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
}

static void open_nested(struct json_writer *w, const char *key, char c)
{
	element(w, key);
	fputc(c, w->f);
	if (w->depth < (int)ARRAY_SIZE(w->first) - 1)
		w->depth++;
	w->first[w->depth] = true;
}

static void close_nested(struct json_writer *w, char c)
{
	bool empty = w->first[w->depth];

	w->depth--;
	if (!empty)
		fprintf(w->f, "\n%*s", 2 * w->depth, "");
	fputc(c, w->f);
	if (!w->depth)
		fputc('\n', w->f);
}

void json_obj_open(struct json_writer *w, const char *key)
{
	open_nested(w, key, '{');
}

void json_obj_close(struct json_writer *w)
{
	close_nested(w, '}');
}

void json_arr_open(struct json_writer *w, const char *key)
{
	open_nested(w, key, '[');
}

void json_arr_close(struct json_writer *w)
{
	close_nested(w, ']');
}

void json_str(struct json_writer *w, const char *key, const char *val)
{
	element(w, key);
	put_string(w->f, val ? val : "");
}

void json_num(struct json_writer *w, const char *key, double val)
{
	element(w, key);
	if (isfinite(val))
		fprintf(w->f, "%.17g", val);
	else
		fputs("null", w->f);
}

void json_int(struct json_writer *w, const char *key, long long val)
{
	element(w, key);
	fprintf(w->f, "%lld", val);
}

void json_null(struct json_writer *w, const char *key)
{
	element(w, key);
	fputs("null", w->f);
}

/* The reader: recursive descent over a bounded buffer. */
struct parser {
	const char *s, *end, *start;
	int depth;
};

static struct json *parse_value(struct parser *p);

static int fail(struct parser *p, const char *what)
{
	errno = EINVAL;
	return vfio_set_error("JSON: %s at byte %zu", what,
			      (size_t)(p->s - p->start));
}

static void skip_ws(struct parser *p)
{
	while (p->s < p->end && isspace((unsigned char)*p->s))
		p->s++;
}

static bool eat(struct parser *p, char c)
{
	skip_ws(p);
	if (p->s < p->end && *p->s == c) {
		p->s++;
		return true;
	}
	return false;
}

static struct json *new_node(enum json_type t)
{
	struct json *j = calloc(1, sizeof(*j));

	if (j)
		j->type = t;
	return j;
}

static int hex4(const char *s)
{
	int i, v = 0;

	for (i = 0; i < 4; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -1;
		v = v * 16 + (isdigit((unsigned char)s[i]) ? s[i] - '0' :
			      tolower((unsigned char)s[i]) - 'a' + 10);
	}
	return v;
}

/* One escape after the backslash; \u is kept to one byte (ASCII only). */
static int unescape(struct parser *p, char *out)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e;
	int v;

	if (p->s >= p->end)
		return fail(p, "unterminated escape");
	e = strchr(from, *p->s);
	if (*p->s && e) {
		*out = to[e - from];
		p->s++;
		return 0;
	}
	v = *p->s == 'u' && p->end - p->s >= 5 ? hex4(p->s + 1) : -1;
	if (v < 0)
		return fail(p, "bad escape");
	*out = v < 0x80 ? v : '?';
	p->s += 5;
	return 0;
}

static char *parse_string(struct parser *p)
{
	char *out = malloc(p->end - p->s + 1), *o = out;

	if (!out || !eat(p, '"'))
		goto bad;
	while (p->s < p->end && *p->s != '"') {
		if ((unsigned char)*p->s < 0x20)
			goto bad;
		if (*p->s == '\\') {
			p->s++;
			if (unescape(p, o++)) {
				free(out);
				return NULL;	/* unescape() said why */
			}
		} else {
			*o++ = *p->s++;
		}
	}
	if (p->s >= p->end)
		goto bad;
	p->s++;
	*o = '\0';
	return out;
bad:
	free(out);
	fail(p, "bad string");
	return NULL;
}

static struct json *parse_number(struct parser *p)
{
	char buf[64], *endp;
	size_t n = 0;
	struct json *j;

	while (p->s + n < p->end && n < sizeof(buf) - 1 &&
	       strchr("+-0123456789.eE", p->s[n]) && p->s[n])
		n++;
	memcpy(buf, p->s, n);
	buf[n] = '\0';
	j = new_node(JSON_NUM);
	if (!j)
		return NULL;
	errno = 0;
	j->num = strtod(buf, &endp);
	if (!n || endp != buf + n || errno) {
		free(j);
		fail(p, "bad number");
		return NULL;
	}
	p->s += n;
	return j;
}

static struct json *parse_word(struct parser *p)
{
	static const struct { const char *w; enum json_type t; double v; } words[] = {
		{ "null", JSON_NULL, 0 }, { "true", JSON_BOOL, 1 },
		{ "false", JSON_BOOL, 0 },
	};
	size_t i, n;
	struct json *j;

	for (i = 0; i < ARRAY_SIZE(words); i++) {
		n = strlen(words[i].w);
		if ((size_t)(p->end - p->s) >= n && !memcmp(p->s, words[i].w, n)) {
			p->s += n;
			j = new_node(words[i].t);
			if (j)
				j->num = words[i].v;
			return j;
		}
	}
	fail(p, "unexpected character");
	return NULL;
}

/* Elements of an array or members of an object, after the bracket. */
static struct json *parse_items(struct parser *p, struct json *j, char close)
{
	struct json **tail = &j->child, *v;
	char *key = NULL;

	if (eat(p, close))
		return j;
	do {
		if (close == '}') {
			skip_ws(p);
			key = parse_string(p);
			if (!key || !eat(p, ':'))
				goto bad;
		}
		v = parse_value(p);
		if (!v)
			goto bad;
		v->key = key;
		key = NULL;
		*tail = v;
		tail = &v->next;
	} while (eat(p, ','));
	if (eat(p, close))
		return j;
	fail(p, close == '}' ? "expected , or }" : "expected , or ]");
bad:
	free(key);
	json_free(j);
	return NULL;
}

static struct json *parse_value(struct parser *p)
{
	struct json *j;
	char c;

	skip_ws(p);
	if (p->s >= p->end) {
		fail(p, "unexpected end");
		return NULL;
	}
	c = *p->s;
	if (c == '{' || c == '[') {
		if (++p->depth > JSON_MAX_DEPTH) {
			fail(p, "nested too deeply");
			return NULL;
		}
		p->s++;
		j = new_node(c == '{' ? JSON_OBJ : JSON_ARR);
		j = j ? parse_items(p, j, c == '{' ? '}' : ']') : NULL;
		p->depth--;
		return j;
	}
	if (c == '"') {
		j = new_node(JSON_STR);
		if (j)
			j->str = parse_string(p);
		if (j && !j->str) {
			free(j);
			return NULL;
		}
		return j;
	}
	if (c == '-' || isdigit((unsigned char)c))
		return parse_number(p);
	return parse_word(p);
}

struct json *json_parse(const char *text, size_t len)
{
	struct parser p = { text, text + len, text, 0 };
	struct json *j = parse_value(&p);

	skip_ws(&p);
	if (j && p.s != p.end) {
		fail(&p, "trailing data");
		json_free(j);
		return NULL;
	}
	return j;
}

static void prefix_error(const char *path)
{
	char why[200];

	snprintf(why, sizeof(why), "%s", vfio_error());
	vfio_set_error("%s: %s", path, why);
}

struct json *json_parse_file(const char *path)
{
	struct json *j = NULL;
	char *buf;
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f) {
		vfio_set_error("cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(JSON_MAX_FILE);
	n = buf ? fread(buf, 1, JSON_MAX_FILE, f) : 0;
	if (!buf)
		vfio_set_error("out of memory");
	else if (n == JSON_MAX_FILE)
		vfio_set_error("%s: larger than %d MiB", path, JSON_MAX_FILE >> 20);
	else
		j = json_parse(buf, n);
	if (buf && n < JSON_MAX_FILE && !j)
		prefix_error(path);
	free(buf);
	fclose(f);
	return j;
}

void json_free(struct json *j)
{
	struct json *next;

	for (; j; j = next) {
		next = j->next;
		json_free(j->child);
		free(j->key);
		free(j->str);
		free(j);
	}
}

struct json *json_get(const struct json *j, const char *key)
{
	struct json *c;

	if (!j || j->type != JSON_OBJ)
		return NULL;
	for (c = j->child; c; c = c->next)
		if (c->key && !strcmp(c->key, key))
			return c;
	return NULL;
}

const char *json_get_str(const struct json *j, const char *key,
			 const char *def)
{
	struct json *v = json_get(j, key);

	return v && v->type == JSON_STR ? v->str : def;
}

size_t json_count(const struct json *arr)
{
	struct json *c;
	size_t n = 0;

	for (c = arr ? arr->child : NULL; c; c = c->next)
		n++;
	return n;
}
