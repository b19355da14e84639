// SPDX-License-Identifier: GPL-2.0
/*
 * kcidb_check: a document against KCIDB v5's documented shape.  The rules
 * are the schema's, written out as tables: which fields each object may
 * have, which it must, and what each holds.  Formats the schema only
 * names (uri, email) are taken as strings, as a JSON Schema validator
 * without format checking takes them; date-times are checked, since
 * KCIDB's database parses them.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "analysis/error.h"
#include "analysis/kcidb_check.h"

enum kind {
	K_STR,		/* any string (no NUL: the reader already refuses it) */
	K_ID,		/* ^[a-z0-9_]+:.*$ */
	K_ORIGIN,	/* ^[a-z0-9_]+$ */
	K_TIME,		/* RFC 3339 date-time */
	K_HASH,		/* 40 hex digits */
	K_PATCH_HASH,	/* empty or 64 hex digits */
	K_HTTPS,	/* ^https:// */
	K_ARCH,		/* ^[a-z0-9_]*$ */
	K_PATH,		/* dot-separated [a-zA-Z0-9_-]+ components, or empty */
	K_STATUS,	/* FAIL ERROR MISS PASS DONE SKIP */
	K_NUM,
	K_BOOL,
	K_OBJ,		/* free-form ("misc") */
	K_STR_ARR,
	K_RESOURCES,	/* [{name, url}] */
	K_NUMBER,	/* a test's {value, unit, prefix} */
	K_ENV,		/* a test's {compatible, comment, misc} */
	K_LOG,		/* a string of at most 16384 characters */
};

struct field {
	const char *key;
	enum kind kind;
	bool required;
};

static const struct field checkout_fields[] = {
	{ "_timestamp", K_TIME, false }, { "id", K_ID, true },
	{ "origin", K_ORIGIN, true }, { "tree_name", K_STR, false },
	{ "git_repository_url", K_HTTPS, false }, { "git_commit_hash", K_HASH, false },
	{ "git_commit_name", K_STR, false }, { "git_commit_tags", K_STR_ARR, false },
	{ "git_commit_message", K_STR, false }, { "git_repository_branch", K_STR, false },
	{ "git_repository_branch_tip", K_BOOL, false },
	{ "patchset_files", K_RESOURCES, false }, { "patchset_hash", K_PATCH_HASH, false },
	{ "message_id", K_STR, false }, { "comment", K_STR, false },
	{ "start_time", K_TIME, false }, { "origin_builds_finish_time", K_TIME, false },
	{ "origin_tests_finish_time", K_TIME, false }, { "log_url", K_STR, false },
	{ "log_excerpt", K_LOG, false }, { "valid", K_BOOL, false }, { "misc", K_OBJ, false },
	{ NULL, K_STR, false },
};

static const struct field build_fields[] = {
	{ "_timestamp", K_TIME, false }, { "checkout_id", K_ID, true },
	{ "id", K_ID, true }, { "origin", K_ORIGIN, true },
	{ "comment", K_STR, false }, { "start_time", K_TIME, false }, { "duration", K_NUM, false },
	{ "architecture", K_ARCH, false }, { "command", K_STR, false },
	{ "compiler", K_STR, false }, { "input_files", K_RESOURCES, false },
	{ "output_files", K_RESOURCES, false }, { "config_name", K_STR, false },
	{ "config_url", K_STR, false }, { "log_url", K_STR, false },
	{ "log_excerpt", K_LOG, false }, { "status", K_STATUS, false }, { "misc", K_OBJ, false },
	{ NULL, K_STR, false },
};

static const struct field test_fields[] = {
	{ "_timestamp", K_TIME, false }, { "build_id", K_ID, true },
	{ "id", K_ID, true }, { "origin", K_ORIGIN, true },
	{ "environment", K_ENV, false }, { "path", K_PATH, false }, { "comment", K_STR, false },
	{ "log_url", K_STR, false }, { "log_excerpt", K_LOG, false },
	{ "status", K_STATUS, false }, { "number", K_NUMBER, false },
	{ "start_time", K_TIME, false }, { "duration", K_NUM, false },
	{ "input_files", K_RESOURCES, false }, { "output_files", K_RESOURCES, false },
	{ "misc", K_OBJ, false },
	{ NULL, K_STR, false },
};

static bool all(const char *s, const char *set)
{
	return strspn(s, set) == strlen(s);
}

#define LOWER_DIGITS	"abcdefghijklmnopqrstuvwxyz0123456789_"
#define HEX		"0123456789abcdef"
#define PATH_CHARS	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"

static bool digits(const char *s, int n)
{
	while (n--)
		if (!isdigit((unsigned char)*s++))
			return false;
	return true;
}

/* YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM) */
static bool is_time(const char *s)
{
	if (strlen(s) < 20 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) ||
	    s[7] != '-' || !digits(s + 8, 2) || (s[10] != 'T' && s[10] != 't') ||
	    !digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2) ||
	    s[16] != ':' || !digits(s + 17, 2))
		return false;
	s += 19;
	if (*s == '.') {
		if (!isdigit((unsigned char)*++s))
			return false;
		while (isdigit((unsigned char)*s))
			s++;
	}
	if (*s == 'Z' || *s == 'z')
		return !s[1];
	return (*s == '+' || *s == '-') && digits(s + 1, 2) && s[3] == ':' &&
	       digits(s + 4, 2) && !s[6];
}

static bool is_id(const char *s)
{
	const char *colon = strchr(s, ':');

	return colon && colon > s && strspn(s, LOWER_DIGITS) == (size_t)(colon - s);
}

static bool is_path(const char *s)
{
	const char *p = s;

	if (!*s)
		return true;
	for (;;) {
		size_t n = strspn(p, PATH_CHARS);

		if (!n)
			return false;
		p += n;
		if (!*p)
			return true;
		if (*p++ != '.')
			return false;
	}
}

static bool is_status(const char *s)
{
	static const char * const ok[] = {
		"FAIL", "ERROR", "MISS", "PASS", "DONE", "SKIP",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ok); i++)
		if (!strcmp(s, ok[i]))
			return true;
	return false;
}

static int bad(const char *where, const char *key, const char *why)
{
	return analysis_err(-EINVAL, "KCIDB: %s: \"%s\" %s", where, key, why);
}

/* No property of a KCIDB document may be null, at any depth. */
static int no_nulls(const struct json *j, const char *where)
{
	const struct json *c;
	int ret;

	if (j->type == JSON_NULL)
		return bad(where, j->key ? j->key : "(element)", "is null");
	for (c = j->child; c; c = c->next) {
		ret = no_nulls(c, where);
		if (ret)
			return ret;
	}
	return 0;
}

static int check_string(const struct json *v, enum kind k,
			const char *where)
{
	const char *s = v->str;
	bool ok;

	if (v->type != JSON_STR)
		return bad(where, v->key, "is not a string");
	switch (k) {
	case K_ID:
		ok = is_id(s);
		break;
	case K_ORIGIN:
		ok = *s && all(s, LOWER_DIGITS);
		break;
	case K_TIME:
		ok = is_time(s);
		break;
	case K_HASH:
		ok = strlen(s) == 40 && all(s, HEX);
		break;
	case K_PATCH_HASH:
		ok = !*s || (strlen(s) == 64 && all(s, HEX));
		break;
	case K_HTTPS:
		ok = !strncmp(s, "https://", 8);
		break;
	case K_ARCH:
		ok = all(s, LOWER_DIGITS);
		break;
	case K_PATH:
		ok = is_path(s);
		break;
	case K_STATUS:
		ok = is_status(s);
		break;
	case K_LOG:
		ok = strlen(s) <= 16384;	/* bytes: at least the characters */
		break;
	default:
		ok = true;
	}
	return ok ? 0 : bad(where, v->key, "does not have the documented form");
}

static int check_number(const struct json *v, const char *where)
{
	const struct json *m;

	if (v->type != JSON_OBJ)
		return bad(where, "number", "is not an object");
	if (!json_get(v, "value"))
		return bad(where, "number", "has no \"value\"");
	for (m = v->child; m; m = m->next) {
		if (!strcmp(m->key, "value")) {
			if (m->type != JSON_NUM)
				return bad(where, "number.value", "is not a number");
		} else if (!strcmp(m->key, "unit")) {
			if (m->type != JSON_STR)
				return bad(where, "number.unit", "is not a string");
		} else if (!strcmp(m->key, "prefix")) {
			if (m->type != JSON_STR || (strcmp(m->str, "metric") &&
						    strcmp(m->str, "binary")))
				return bad(where, "number.prefix", "is neither \"metric\" nor \"binary\"");
		} else {
			return bad(where, m->key, "is no field of a test's number");
		}
	}
	return 0;
}

static int check_env(const struct json *v, const char *where)
{
	const struct json *m, *e;

	if (v->type != JSON_OBJ)
		return bad(where, "environment", "is not an object");
	for (m = v->child; m; m = m->next) {
		if (!strcmp(m->key, "comment") && m->type == JSON_STR)
			continue;
		if (!strcmp(m->key, "misc") && m->type == JSON_OBJ)
			continue;
		if (strcmp(m->key, "compatible") || m->type != JSON_ARR)
			return bad(where, m->key, "is no field of an environment, or not of its type");
		for (e = m->child; e; e = e->next)
			if (e->type != JSON_STR || !*e->str || strchr(e->str, ' '))
				return bad(where, "environment.compatible", "holds other than names");
	}
	return 0;
}

static int check_resources(const struct json *v, const char *where)
{
	const struct json *r, *m;

	if (v->type != JSON_ARR)
		return bad(where, v->key, "is not an array");
	for (r = v->child; r; r = r->next) {
		const char *name = json_get_str(r, "name", NULL);

		if (r->type != JSON_OBJ || !name || !*name || strchr(name, '/') ||
		    !json_get_str(r, "url", NULL))
			return bad(where, v->key, "holds a resource without a name and url");
		for (m = r->child; m; m = m->next)
			if (strcmp(m->key, "name") && strcmp(m->key, "url"))
				return bad(where, m->key, "is no field of a resource");
	}
	return 0;
}

static int check_value(const struct json *v, enum kind k, const char *where)
{
	const struct json *e;

	switch (k) {
	case K_NUM:
		return v->type == JSON_NUM ? 0 : bad(where, v->key, "is not a number");
	case K_BOOL:
		return v->type == JSON_BOOL ? 0 : bad(where, v->key, "is not a boolean");
	case K_OBJ:
		return v->type == JSON_OBJ ? 0 : bad(where, v->key, "is not an object");
	case K_STR_ARR:
		if (v->type != JSON_ARR)
			return bad(where, v->key, "is not an array");
		for (e = v->child; e; e = e->next)
			if (e->type != JSON_STR)
				return bad(where, v->key, "holds other than strings");
		return 0;
	case K_RESOURCES:
		return check_resources(v, where);
	case K_NUMBER:
		return check_number(v, where);
	case K_ENV:
		return check_env(v, where);
	default:
		return check_string(v, k, where);
	}
}

static const struct field *field_of(const struct field *fields,
				    const char *key)
{
	for (; fields->key; fields++)
		if (!strcmp(fields->key, key))
			return fields;
	return NULL;
}

static int check_object(const struct json *o, const struct field *fields,
			const char *where)
{
	const struct field *f;
	const struct json *m;
	int ret;

	if (o->type != JSON_OBJ)
		return analysis_err(-EINVAL, "KCIDB: %s: not an object", where);
	for (f = fields; f->key; f++)
		if (f->required && !json_get(o, f->key))
			return bad(where, f->key, "is required and missing");
	for (m = o->child; m; m = m->next) {
		f = field_of(fields, m->key);
		if (!f)
			return bad(where, m->key, "is no documented field");
		ret = check_value(m, f->kind, where);
		if (ret)
			return ret;
	}
	return 0;
}

static int check_list(const struct json *root, const char *name,
		      const struct field *fields)
{
	const struct json *list = json_get(root, name), *o, *p;
	char where[160];
	int i = 0, ret;

	if (!list)
		return 0;
	if (list->type != JSON_ARR)
		return analysis_err(-EINVAL, "KCIDB: \"%s\" is not an array", name);
	for (o = list->child; o; o = o->next, i++) {
		snprintf(where, sizeof(where), "%s[%d]", name, i);
		ret = check_object(o, fields, where);
		if (ret)
			return ret;
		/* Objects are identified by id: two alike are one twice. */
		for (p = list->child; p != o; p = p->next)
			if (!strcmp(json_get_str(p, "id", ""),
				    json_get_str(o, "id", "")))
				return bad(where, "id", "is not unique");
	}
	return 0;
}

static int check_version(const struct json *root)
{
	const struct json *v = json_get(root, "version"), *major, *minor, *m;

	if (!v || v->type != JSON_OBJ)
		return analysis_err(-EINVAL, "KCIDB: no \"version\" object");
	major = json_get(v, "major");
	minor = json_get(v, "minor");
	if (!major || major->type != JSON_NUM || major->num != VFIO_KCIDB_MAJOR)
		return analysis_err(-EINVAL, "KCIDB: version.major is not %d",
				    VFIO_KCIDB_MAJOR);
	if (minor && (minor->type != JSON_NUM || minor->num != (int)minor->num ||
		      minor->num < 0 || minor->num > VFIO_KCIDB_MINOR))
		return analysis_err(-EINVAL, "KCIDB: version.minor is not a whole number 0..%d",
				    VFIO_KCIDB_MINOR);
	for (m = v->child; m; m = m->next)
		if (strcmp(m->key, "major") && strcmp(m->key, "minor"))
			return bad("version", m->key, "is no documented field");
	return 0;
}

int vfio_kcidb_check(const struct json *root)
{
	static const char * const top[] = {
		"version", "checkouts", "builds", "tests", "issues", "incidents",
	};
	const struct json *m;
	size_t i;
	int ret;

	if (!root || root->type != JSON_OBJ)
		return analysis_err(-EINVAL, "KCIDB: the document is not an object");
	for (m = root->child; m; m = m->next) {
		for (i = 0; i < ARRAY_SIZE(top); i++)
			if (!strcmp(m->key, top[i]))
				break;
		if (i == ARRAY_SIZE(top))
			return bad("the document", m->key, "is no documented field");
		if (i >= 4 && m->type != JSON_ARR)
			return bad("the document", m->key, "is not an array");
	}
	ret = no_nulls(root, "the document");
	if (!ret)
		ret = check_version(root);
	if (!ret)
		ret = check_list(root, "checkouts", checkout_fields);
	if (!ret)
		ret = check_list(root, "builds", build_fields);
	if (!ret)
		ret = check_list(root, "tests", test_fields);
	return ret;
}
