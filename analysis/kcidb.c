// SPDX-License-Identifier: GPL-2.0
/*
 * kcidb: results files and the suite's log as one KCIDB document.
 *
 * What the suite knows goes where KCIDB keeps it: the kernel (release,
 * version, machine from the results file's provenance, bench/provenance.c)
 * is the checkout and its build; each benchmark cell is a test whose
 * number is its median MAP_DMA time in seconds (prefix metric, so that a
 * dashboard shows ms), with its unmap time and fault count as child tests;
 * each result of suite.sh's log is a test too, the device it ran on in
 * the environment.  Ids are "origin:" then the build's id, the program,
 * the device and the name, so that two devices' results stay apart.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analysis/error.h"
#include "analysis/kcidb.h"
#include "analysis/results.h"
#include "analysis/stats.h"

#define ID_MAX		512
#define PATH_CHARS	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"

/* One results file: its tree (for the provenance) and its cells. */
struct source {
	struct json *root;
	struct vfio_results r;
};

struct exporter {
	struct json_writer w;
	const struct vfio_kcidb_opts *o;
	char build_id[ID_MAX];
	const char *date;		/* the first file's start, or NULL */
	char **ids;			/* tests' ids so far, to keep them unique */
	int nr_ids;
};

/* Ids and paths past ID_MAX are cut short: unique_id() keeps them apart. */
__printf(3, 4) static void fmt(char *dst, size_t size, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(dst, size, f, ap);
	va_end(ap);
}

static const char *prov(const struct json *root, const char *key)
{
	return json_get_str(json_get(root, "provenance"), key, "");
}

static const char *device(const struct json *root, const char *key)
{
	return json_get_str(json_get(json_get(root, "provenance"), "device"),
			    key, "");
}

/* Append @s to @dst as one path component: '.' first, unless at the start. */
static void component(char *dst, size_t size, const char *s)
{
	size_t n = strlen(dst);

	if (n && n + 1 < size)
		dst[n++] = '.';
	if (!*s && n + 1 < size)
		dst[n++] = '_';
	for (; *s && n + 1 < size; s++)
		dst[n++] = strchr(PATH_CHARS, *s) ? *s : '_';
	dst[n] = '\0';
}

/* Append @s, split at @seps, one component each (empty ones dropped). */
static void components(char *dst, size_t size, const char *s, const char *seps)
{
	char buf[256], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, seps, &save); tok;
	     tok = strtok_r(NULL, seps, &save))
		component(dst, size, tok);
}

/* @id, or @id#N when an earlier test took it: ids name one object. */
static int unique_id(struct exporter *e, char *id, size_t size)
{
	char base[ID_MAX];
	char **ids;
	int i, n = 1;

	fmt(base, sizeof(base), "%s", id);
	for (i = 0; i < e->nr_ids; i++) {
		if (strcmp(e->ids[i], id))
			continue;
		fmt(id, size, "%s#%d", base, ++n);
		i = -1;
	}
	ids = realloc(e->ids, (e->nr_ids + 1) * sizeof(*ids));
	if (!ids)
		return analysis_err(-ENOMEM, "KCIDB export: out of memory");
	e->ids = ids;
	e->ids[e->nr_ids] = strdup(id);
	if (!e->ids[e->nr_ids])
		return analysis_err(-ENOMEM, "KCIDB export: out of memory");
	e->nr_ids++;
	return 0;
}

/* The fields every test has; leaves the test object open. */
static int test_open(struct exporter *e, const char *id_tail, const char *path,
		     const char *status)
{
	char id[ID_MAX];
	int ret;

	fmt(id, sizeof(id), "%s:%s", e->build_id, id_tail);
	ret = unique_id(e, id, sizeof(id));
	if (ret)
		return ret;
	json_obj_open(&e->w, NULL);
	json_str(&e->w, "id", id);
	json_str(&e->w, "build_id", e->build_id);
	json_str(&e->w, "origin", e->o->origin);
	json_str(&e->w, "path", path);
	json_str(&e->w, "status", status);
	return 0;
}

static void environment(struct exporter *e, const struct json *root,
			const char *bdf)
{
	json_obj_open(&e->w, "environment");
	if (root && *prov(root, "system"))
		json_str(&e->w, "comment", prov(root, "system"));
	json_obj_open(&e->w, "misc");
	if (bdf && *bdf)
		json_str(&e->w, "bdf", bdf);
	if (root && *device(root, "vendor_device"))
		json_str(&e->w, "vendor_device", device(root, "vendor_device"));
	if (root && *prov(root, "cmdline"))
		json_str(&e->w, "kernel_cmdline", prov(root, "cmdline"));
	json_obj_close(&e->w);
	json_obj_close(&e->w);
}

/* {value, unit, prefix}; KCIDB has no null, so a NaN is left out. */
static void number(struct exporter *e, double value, const char *unit)
{
	if (!isfinite(value))
		return;
	json_obj_open(&e->w, "number");
	json_num(&e->w, "value", value);
	if (unit) {
		json_str(&e->w, "unit", unit);
		json_str(&e->w, "prefix", "metric");
	}
	json_obj_close(&e->w);
}

static const char *cell_status(enum vfio_cell_status s)
{
	return s == VFIO_CELL_OK ? "PASS" : s == VFIO_CELL_SKIP ? "SKIP" : "FAIL";
}

/* A child test of a cell: one more number. */
static int cell_child(struct exporter *e, const struct source *src,
		      const char *id, const char *path, const char *what,
		      double value, const char *unit)
{
	char cid[ID_MAX], cpath[ID_MAX];
	int ret;

	fmt(cid, sizeof(cid), "%s:%s", id, what);
	fmt(cpath, sizeof(cpath), "%s", path);
	component(cpath, sizeof(cpath), what);
	ret = test_open(e, cid, cpath, "PASS");
	if (ret)
		return ret;
	number(e, value, unit);
	if (*prov(src->root, "date"))
		json_str(&e->w, "start_time", prov(src->root, "date"));
	environment(e, src->root, device(src->root, "bdf"));
	json_obj_close(&e->w);
	return 0;
}

static int export_cell(struct exporter *e, const struct source *src,
		       const struct vfio_cell_result *c)
{
	const char *bdf = device(src->root, "bdf");
	char id[ID_MAX], path[ID_MAX] = "";
	struct vfio_summary m = { 0 }, u = { 0 }, f = { 0 };
	int ret;

	fmt(id, sizeof(id), "dma_map:%s:%s", *bdf ? bdf : "-", c->name);
	components(path, sizeof(path), "vfio_bench.dma_map", ".");
	components(path, sizeof(path), c->name, "/");
	ret = test_open(e, id, path, cell_status(c->status));
	if (ret)
		return ret;
	if (c->n) {
		vfio_summarize(c->s[VFIO_SERIES_MAP], c->n, &m);
		vfio_summarize(c->s[VFIO_SERIES_UNMAP], c->n, &u);
		vfio_summarize(c->s[VFIO_SERIES_MINFLT], c->n, &f);
		number(e, m.median, "s");
	}
	if (c->reason[0])
		json_str(&e->w, "comment", c->reason);
	if (*prov(src->root, "date"))
		json_str(&e->w, "start_time", prov(src->root, "date"));
	environment(e, src->root, bdf);
	json_obj_open(&e->w, "misc");
	json_int(&e->w, "samples", c->n);
	if (c->n) {
		json_num(&e->w, "map_p90_s", m.p90);
		json_num(&e->w, "map_min_s", m.min);
		json_num(&e->w, "map_max_s", m.max);
	}
	json_str(&e->w, "timebase", vfio_results_timebase(&src->r));
	json_str(&e->w, "suite_version", prov(src->root, "suite_version"));
	json_obj_close(&e->w);
	json_obj_close(&e->w);
	if (c->status != VFIO_CELL_OK || !c->n)
		return 0;
	ret = cell_child(e, src, id, path, "unmap", u.median, "s");
	/* A count: no unit.  Not taken (-1) is no number at all. */
	if (!ret && f.min >= 0)
		ret = cell_child(e, src, id, path, "faults", f.median, NULL);
	return ret;
}

/* One result line of the suite's log ("ok 3 name # SKIP why"). */
static int export_result(struct exporter *e, const struct source *first,
			 char *line, const char *prog, const char *bdf)
{
	char id[ID_MAX], path[ID_MAX] = "", *name, *hash, *directive = "";
	const char *status = "PASS";
	int ret;

	if (!strncmp(line, "not ", 4)) {
		status = "FAIL";
		line += 4;
	}
	line += 2;				/* "ok" */
	line += strspn(line, " ");
	line += strspn(line, "0123456789");
	name = line + strspn(line, " ");
	hash = strchr(name, '#');
	if (hash) {
		directive = hash + 1 + strspn(hash + 1, " ");
		for (*hash = '\0'; hash > name && hash[-1] == ' '; )
			*--hash = '\0';
	}
	if (!strncasecmp(directive, "skip", 4) && !strcmp(status, "PASS"))
		status = "SKIP";
	/* Unnamed ("ok 2 # SKIP why: more"): named by the directive's text. */
	if (!*name) {
		name = directive + strcspn(directive, " ");
		name += strspn(name, " ");
	}
	/* A cell or check named before its reason: "name: why". */
	if (strstr(name, ": "))
		*strstr(name, ": ") = '\0';
	fmt(id, sizeof(id), "suite:%s:%s:%s", prog, *bdf ? bdf : "-", name);
	components(path, sizeof(path), "vfio_bench", ".");
	component(path, sizeof(path), prog);
	components(path, sizeof(path), name, ".");
	ret = test_open(e, id, path, status);
	if (ret)
		return ret;
	if (*directive)
		json_str(&e->w, "comment", directive);
	if (e->date)
		json_str(&e->w, "start_time", e->date);
	environment(e, first ? first->root : NULL, bdf);
	json_obj_close(&e->w);
	return 0;
}

/*
 * suite.sh's log: "# selftests: vfio-bench: PROG [BDF]" starts a
 * program; its top-level ok/not ok lines are its results; "1..0 # SKIP"
 * is a program that skipped whole; suite.sh's "counted as failed" a
 * program whose exit no result explains.
 */
static int export_log(struct exporter *e, const struct source *first,
		      FILE *log)
{
	char *line = NULL, prog[128] = "", bdf[64] = "", *nl;
	size_t cap = 0;
	int ret = 0;

	while (!ret && getline(&line, &cap, log) >= 0) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (!strncmp(line, "# selftests: vfio-bench: ", 25)) {
			bdf[0] = '\0';
			if (sscanf(line + 25, "%127s %63s", prog, bdf) < 1)
				prog[0] = '\0';
		} else if (!strncmp(line, "ok ", 3) || !strncmp(line, "not ok ", 7)) {
			ret = export_result(e, first, line, prog, bdf);
		} else if (!strncmp(line, "1..0 # SKIP", 11) ||
			   !strncasecmp(line, "1..0 # skip", 11)) {
			char skip[] = "ok 0 skip # SKIP";

			ret = export_result(e, first, skip, prog, bdf);
		} else if (!strncmp(line, "# suite: ", 9) &&
			   strstr(line, "counted as failed")) {
			char fail[] = "not ok 0 exit";

			ret = export_result(e, first, fail, prog, bdf);
		}
	}
	free(line);
	return ret;
}

static void checkout_and_build(struct exporter *e, const char *checkout_id,
			       const struct source *first)
{
	const char *machine = first ? prov(first->root, "machine") : "";

	json_arr_open(&e->w, "checkouts");
	json_obj_open(&e->w, NULL);
	json_str(&e->w, "id", checkout_id);
	json_str(&e->w, "origin", e->o->origin);
	if (first) {
		json_obj_open(&e->w, "misc");
		json_str(&e->w, "kernel_release", prov(first->root, "kernel_release"));
		json_obj_close(&e->w);
	}
	json_obj_close(&e->w);
	json_arr_close(&e->w);

	json_arr_open(&e->w, "builds");
	json_obj_open(&e->w, NULL);
	json_str(&e->w, "id", e->build_id);
	json_str(&e->w, "checkout_id", checkout_id);
	json_str(&e->w, "origin", e->o->origin);
	if (*machine && strspn(machine, "abcdefghijklmnopqrstuvwxyz0123456789_") ==
			strlen(machine))
		json_str(&e->w, "architecture", machine);
	if (first) {
		json_obj_open(&e->w, "misc");
		json_str(&e->w, "kernel_release", prov(first->root, "kernel_release"));
		json_str(&e->w, "kernel_version", prov(first->root, "kernel_version"));
		json_obj_close(&e->w);
	}
	json_obj_close(&e->w);
	json_arr_close(&e->w);
}

/* Every file read, parsed and of one kernel, before anything is written. */
static int load(struct source *src, const char * const *paths, int nr)
{
	int i, ret;

	for (i = 0; i < nr; i++) {
		src[i].root = json_parse_file(paths[i]);
		if (!src[i].root)	/* the reason names the file */
			return -EINVAL;
		ret = vfio_results_from_json(src[i].root, &src[i].r, paths[i]);
		if (ret)
			return ret;
		if (strcmp(prov(src[i].root, "kernel_release"),
			   prov(src[0].root, "kernel_release")))
			return analysis_err(-EINVAL, "%s: kernel %s, the first file's %s: one kernel per export",
					    paths[i], prov(src[i].root, "kernel_release"),
					    prov(src[0].root, "kernel_release"));
	}
	return 0;
}

static int write_doc(struct exporter *e, const struct source *src, int nr,
		     FILE *log, FILE *out)
{
	const struct source *first = nr ? &src[0] : NULL;
	char checkout_id[ID_MAX];
	const char *checkout = e->o->checkout;
	int i, c, ret = 0;

	if (!checkout)
		checkout = prov(first->root, "kernel_release");
	fmt(checkout_id, sizeof(checkout_id), "%s:%s", e->o->origin, checkout);
	if (e->o->build)
		fmt(e->build_id, sizeof(e->build_id), "%s:%s", e->o->origin,
			 e->o->build);
	else
		fmt(e->build_id, sizeof(e->build_id), "%s.%s", checkout_id,
			 first && *prov(first->root, "machine") ?
			 prov(first->root, "machine") : "unknown");
	e->date = first && *prov(first->root, "date") ? prov(first->root, "date") : NULL;

	json_begin(&e->w, out);
	json_obj_open(&e->w, NULL);
	json_obj_open(&e->w, "version");
	json_int(&e->w, "major", VFIO_KCIDB_MAJOR);
	json_int(&e->w, "minor", VFIO_KCIDB_MINOR);
	json_obj_close(&e->w);
	checkout_and_build(e, checkout_id, first);
	json_arr_open(&e->w, "tests");
	for (i = 0; !ret && i < nr; i++)
		for (c = 0; !ret && c < src[i].r.nr_cells; c++)
			ret = export_cell(e, &src[i], &src[i].r.cells[c]);
	if (!ret && log)
		ret = export_log(e, first, log);
	json_arr_close(&e->w);
	json_obj_close(&e->w);
	return ret;
}

int vfio_kcidb_export(const char * const *paths, int nr,
		      const struct vfio_kcidb_opts *o, FILE *out)
{
	struct exporter e = { .o = o };
	struct source *src = calloc(nr ? nr : 1, sizeof(*src));
	FILE *log = NULL, *mem = NULL;
	char *buf = NULL;
	size_t len = 0;
	int i, ret;

	if (!src)
		return analysis_err(-ENOMEM, "KCIDB export: out of memory");
	if (!o->origin || !*o->origin ||
	    strspn(o->origin, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(o->origin))
		ret = analysis_err(-EINVAL, "KCIDB export: origin '%s': give lower-case letters, digits and _",
				   o->origin ? o->origin : "");
	else if (!nr && !o->checkout)
		ret = analysis_err(-EINVAL, "KCIDB export: no results file to name the kernel: give the checkout's id");
	else
		ret = load(src, paths, nr);
	if (!ret && o->suite_log) {
		log = fopen(o->suite_log, "r");
		if (!log)
			ret = analysis_err(-errno, "%s: %s", o->suite_log, strerror(errno));
	}
	/* Into memory first: a document half written is no document. */
	if (!ret) {
		mem = open_memstream(&buf, &len);
		ret = mem ? write_doc(&e, src, nr, log, mem) :
			    analysis_err(-ENOMEM, "KCIDB export: out of memory");
	}
	if (mem)
		fclose(mem);
	if (!ret)
		fwrite(buf, 1, len, out);
	free(buf);
	if (log)
		fclose(log);
	for (i = 0; i < nr; i++) {
		json_free(src[i].root);
		vfio_results_free(&src[i].r);
	}
	for (i = 0; i < e.nr_ids; i++)
		free(e.ids[i]);
	free(e.ids);
	free(src);
	return ret;
}
