// SPDX-License-Identifier: GPL-2.0
/*
 * JSON writer and reader for results files.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/error.h"
#include "analysis/json.h"

#define JSON_MAX_FILE (64 << 20)

/*
 * Length of the well-formed UTF-8 sequence at @s (Unicode table 3-7: no
 * overlong forms, no surrogates, nothing past U+10FFFF), or 0.
 */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	n = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (avail < n)
		return 0;
	for (i = 1; i < n; i++, lo = 0x80, hi = 0xbf)
		if (s[i] < lo || s[i] > hi)
			return 0;
	return n;
}

static void put_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t left = strlen(str), n;

	fputc('"', f);
	for (; left; s += n, left -= n) {
		n = utf8_len(s, left);
		if (!n) {
			/* Not UTF-8: the reader would reject the file. */
			fputs("\\ufffd", f);
			n = 1;
		} else if (*s == '"' || *s == '\\') {
			fprintf(f, "\\%c", *s);
		} else if (*s < 0x20) {
			fprintf(f, "\\u%04x", *s);
		} else {
			fwrite(s, 1, n, f);
		}
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

/*
 * Past the last slot of first[], levels are only counted: the output
 * stays well-formed, just no longer indented deeper.
 */
static void open_nested(struct json_writer *w, const char *key, char c)
{
	element(w, key);
	fputc(c, w->f);
	if (w->depth < (int)ARRAY_SIZE(w->first) - 1)
		w->depth++;
	else
		w->excess++;
	w->first[w->depth] = true;
}

static void close_nested(struct json_writer *w, char c)
{
	bool empty = w->first[w->depth];

	if (w->excess)
		w->excess--;
	else if (w->depth)
		w->depth--;
	else
		return;		/* nothing open: the caller's bug */
	if (!empty)
		fprintf(w->f, "\n%*s", 2 * w->depth, "");
	fputc(c, w->f);
	/* The closed level shared this slot; its parent is not empty. */
	w->first[w->depth] = false;
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

/* Sizes and IOVAs: 2^64 - 1 is a range end, never -1. */
void json_uint(struct json_writer *w, const char *key, unsigned long long val)
{
	element(w, key);
	fprintf(w->f, "%llu", val);
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
	return analysis_err(-EINVAL, "JSON: %s at byte %zu", what,
			(size_t)(p->s - p->start));
}

/* RFC 8259's whitespace; not isspace(), which takes \v and \f too. */
static void skip_ws(struct parser *p)
{
	while (p->s < p->end && strchr(" \t\n\r", *p->s) && *p->s)
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

static struct json *new_node(struct parser *p, enum json_type t)
{
	struct json *j = calloc(1, sizeof(*j));

	if (j)
		j->type = t;
	else
		fail(p, "out of memory");
	return j;
}

/* The closing quote of a string whose body starts at @s, or NULL. */
static const char *string_end(const char *s, const char *end)
{
	for (; s < end && *s != '"'; s++)
		if (*s == '\\' && s + 1 < end)
			s++;	/* an escaped quote does not end it */
	return s < end ? s : NULL;
}

static long hex4(const char *s)
{
	long v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -1;
		v = v * 16 + (isdigit((unsigned char)s[i]) ? s[i] - '0' :
			      tolower((unsigned char)s[i]) - 'a' + 10);
	}
	return v;
}

/* The value of a "\uXXXX" at @s, before @lim; -1 if there is none. */
static long u_escape(const char *s, const char *lim)
{
	return lim - s >= 6 && s[0] == '\\' && s[1] == 'u' ? hex4(s + 2) : -1;
}

static bool in(long v, long lo, long hi)
{
	return v >= lo && v <= hi;
}

/*
 * The code point of the \u escape at p->s, with the low half of a
 * surrogate pair that must follow a high one; -1 when failing.
 */
static long unescape_u(struct parser *p, const char *lim)
{
	long cp = u_escape(p->s, lim), lo;

	if (cp < 0)
		return fail(p, "bad escape");
	if (in(cp, 0xd800, 0xdbff)) {
		lo = u_escape(p->s + 6, lim);
		if (!in(lo, 0xdc00, 0xdfff))
			return fail(p, "lone surrogate");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		p->s += 6;
	} else if (in(cp, 0xdc00, 0xdfff)) {
		return fail(p, "lone surrogate");
	} else if (!cp) {
		/* A C string would end there, and a name mean another. */
		return fail(p, "\\u0000 in string");
	}
	p->s += 6;
	return cp;
}

/* @cp as UTF-8 at @o; its length, never more than its escape's. */
static int utf8_put(char *o, unsigned long cp)
{
	static const unsigned char lead[] = { 0, 0, 0xc0, 0xe0, 0xf0 };
	int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4, i;

	for (i = n - 1; i > 0; i--, cp >>= 6)
		o[i] = 0x80 | (cp & 0x3f);
	o[0] = lead[n] | cp;
	return n;
}

/* The escape at p->s (its backslash) decoded to @o: its length, or < 0. */
static int unescape(struct parser *p, const char *lim, char *o)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e = lim - p->s >= 2 && p->s[1] ? strchr(from, p->s[1]) : NULL;
	long cp;

	if (e) {
		*o = to[e - from];
		p->s += 2;
		return 1;
	}
	cp = unescape_u(p, lim);
	return cp < 0 ? -1 : utf8_put(o, cp);
}

/* One character or escape of a string body, before @lim, copied to *o. */
static int string_char(struct parser *p, const char *lim, char **o)
{
	unsigned char c = *p->s;
	int n;

	if (c == '\\') {
		n = unescape(p, lim, *o);
		if (n < 0)
			return n;
		*o += n;
		return 0;
	}
	if (c < 0x20)
		return fail(p, "control character in string");
	n = utf8_len((const unsigned char *)p->s, lim - p->s);
	if (!n)
		return fail(p, "invalid UTF-8 in string");
	memcpy(*o, p->s, n);
	*o += n;
	p->s += n;
	return 0;
}

static char *parse_string(struct parser *p)
{
	const char *close;
	char *out, *o;

	skip_ws(p);
	if (p->s >= p->end || *p->s != '"') {
		fail(p, "expected a string");
		return NULL;
	}
	close = string_end(p->s + 1, p->end);
	if (!close) {
		fail(p, "unterminated string");
		return NULL;
	}
	/* Decoding never lengthens: the source's length is enough. */
	out = malloc(close - p->s);
	if (!out) {
		fail(p, "out of memory");
		return NULL;
	}
	for (p->s++, o = out; p->s < close;) {
		if (string_char(p, close, &o)) {
			free(out);
			return NULL;
		}
	}
	*o = '\0';
	p->s++;
	return out;
}

static size_t digits(const char *s, const char *end)
{
	const char *d = s;

	while (d < end && isdigit((unsigned char)*d))
		d++;
	return d - s;
}

/* The length of the RFC 8259 number at @s, or 0: no 01, 1., -.5 or +1. */
static size_t number_len(const char *s, const char *end)
{
	const char *t = s + (s < end && *s == '-');
	size_t n = digits(t, end);

	if (!n || (n > 1 && *t == '0'))
		return 0;
	t += n;
	if (t < end && *t == '.') {
		n = digits(++t, end);
		if (!n)
			return 0;
		t += n;
	}
	if (t < end && (*t == 'e' || *t == 'E')) {
		t++;
		t += t < end && (*t == '+' || *t == '-');
		n = digits(t, end);
		if (!n)
			return 0;
		t += n;
	}
	return t - s;
}

static struct json *parse_number(struct parser *p)
{
	size_t n = number_len(p->s, p->end);
	char small[64], *buf = n < sizeof(small) ? small : malloc(n + 1);
	struct json *j;
	double v;

	if (!n || !buf) {
		fail(p, n ? "out of memory" : "bad number");
		return NULL;
	}
	memcpy(buf, p->s, n);
	buf[n] = '\0';
	v = strtod(buf, NULL);
	if (buf != small)
		free(buf);
	/* Underflow to 0 or a subnormal is fine: the writer may write one. */
	if (isinf(v)) {
		fail(p, "number out of range");
		return NULL;
	}
	j = new_node(p, JSON_NUM);
	if (j) {
		j->num = v;
		p->s += n;
	}
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
			j = new_node(p, words[i].t);
			if (j)
				j->num = words[i].v;
			return j;
		}
	}
	fail(p, "unexpected character");
	return NULL;
}

/* An object member's name and its colon; NULL after failing. */
static char *member_key(struct parser *p)
{
	char *key = parse_string(p);

	if (key && !eat(p, ':')) {
		fail(p, "expected :");
		free(key);
		return NULL;
	}
	return key;
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
			key = member_key(p);
			if (!key)
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
		j = new_node(p, c == '{' ? JSON_OBJ : JSON_ARR);
		j = j ? parse_items(p, j, c == '{' ? '}' : ']') : NULL;
		p->depth--;
		return j;
	}
	if (c == '"') {
		j = new_node(p, JSON_STR);
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
	int err = errno;

	snprintf(why, sizeof(why), "%s", analysis_error());
	analysis_err(-err, "%s: %s", path, why);
}

/*
 * All of @f into *@buf, stopping at JSON_MAX_FILE bytes; the buffer grows
 * with the file, so that memory follows the input's size.
 */
static size_t read_all(FILE *f, char **buf)
{
	size_t cap = 1 << 16, n = 0;
	char *b;

	for (*buf = NULL;; cap *= 2) {
		b = realloc(*buf, cap);
		if (!b) {
			free(*buf);
			*buf = NULL;
			return 0;
		}
		*buf = b;
		n += fread(b + n, 1, cap - n, f);
		if (n < cap || cap >= JSON_MAX_FILE)
			return n;
	}
}

struct json *json_parse_file(const char *path)
{
	struct json *j = NULL;
	char *buf;
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f) {
		analysis_err(-errno, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	n = read_all(f, &buf);
	fclose(f);
	if (!buf)
		analysis_err(-ENOMEM, "%s: out of memory", path);
	else if (n >= JSON_MAX_FILE)
		analysis_err(-EFBIG, "%s: larger than %d MiB", path, JSON_MAX_FILE >> 20);
	else
		j = json_parse(buf, n);
	if (buf && n < JSON_MAX_FILE && !j)
		prefix_error(path);
	free(buf);
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
