// SPDX-License-Identifier: GPL-2.0
/*
 * The results file, both ways: the benchmark writes it, compare and
 * export read it back, through the same structures and key names.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/error.h"
#include "analysis/results.h"
#include "analysis/stats.h"

static const char * const series_keys[VFIO_SERIES_NR] = {
	[VFIO_SERIES_MAP] = VFIO_KEY_MAP,
	[VFIO_SERIES_UNMAP] = VFIO_KEY_UNMAP,
	[VFIO_SERIES_CALIB] = VFIO_KEY_CALIB,
	[VFIO_SERIES_MINFLT] = VFIO_KEY_MINFLT,
	[VFIO_SERIES_PMD] = VFIO_KEY_PMD,
	[VFIO_SERIES_PUD] = VFIO_KEY_PUD,
	[VFIO_SERIES_PINS] = VFIO_KEY_PINS,
	[VFIO_SERIES_IOMMU_MAPS] = VFIO_KEY_IOMMU_MAPS,
	[VFIO_SERIES_KINSNS] = VFIO_KEY_KINSNS,
};

static const char * const status_names[] = {
	[VFIO_CELL_OK] = "ok",
	[VFIO_CELL_SKIP] = "skip",
	[VFIO_CELL_FAIL] = "fail",
};

const char *vfio_series_key(enum vfio_series s)
{
	return s < VFIO_SERIES_NR ? series_keys[s] : "invalid";
}

const char *vfio_results_timebase(const struct vfio_results *r)
{
	return r->timebase[0] ? r->timebase : "wall";
}

const char *vfio_cell_status_name(enum vfio_cell_status s)
{
	return s <= VFIO_CELL_FAIL ? status_names[s] : "invalid";
}

/* Counts are integers in the file; a counter that was not there is null. */
static bool is_count(enum vfio_series s)
{
	return s >= VFIO_SERIES_MINFLT;
}

static void write_series(struct json_writer *w, const struct vfio_cell_result *c,
			 enum vfio_series s)
{
	int i;

	if (is_count(s) && c->n && c->s[s][0] == VFIO_RESULTS_ABSENT) {
		json_null(w, series_keys[s]);
		return;
	}
	json_arr_open(w, series_keys[s]);
	for (i = 0; i < c->n; i++)
		if (is_count(s))
			json_int(w, NULL, (long long)c->s[s][i]);
		else
			json_num(w, NULL, c->s[s][i]);
	json_arr_close(w);
}

static void write_summary(struct json_writer *w, const char *key,
			  const double *v, int n)
{
	struct vfio_summary s;

	vfio_summarize(v, n, &s);
	json_obj_open(w, key);
	json_num(w, "min", s.min);
	json_num(w, "median", s.median);
	json_num(w, "p90", s.p90);
	json_num(w, "mean", s.mean);
	json_num(w, "stddev", s.stddev);
	json_num(w, "max", s.max);
	json_obj_close(w);
}

static void write_cell(struct json_writer *w, const struct vfio_cell_result *c)
{
	int s;

	json_obj_open(w, NULL);
	json_str(w, VFIO_KEY_NAME, c->name);
	json_str(w, VFIO_KEY_API, c->api);
	json_str(w, VFIO_KEY_BACKING, c->backing);
	json_str(w, VFIO_KEY_POLICY, c->policy);
	json_str(w, VFIO_KEY_STATE, c->state);
	json_uint(w, VFIO_KEY_SIZE, c->size);
	json_int(w, VFIO_KEY_NODE, c->node);
	json_int(w, VFIO_KEY_MEASURED_NODE, c->measured_node);
	json_str(w, VFIO_KEY_STATUS, vfio_cell_status_name(c->status));
	json_str(w, VFIO_KEY_REASON, c->reason);
	if (c->want_faults >= 0)
		json_int(w, VFIO_KEY_EXPECTED, c->want_faults);
	else
		json_null(w, VFIO_KEY_EXPECTED);
	if (c->iommu_entries >= 0)
		json_int(w, VFIO_KEY_IOMMU_ENTRIES, c->iommu_entries);
	else
		json_null(w, VFIO_KEY_IOMMU_ENTRIES);
	for (s = 0; s < VFIO_SERIES_NR; s++)
		write_series(w, c, s);
	/* Summaries for readers other than compare, which uses the samples. */
	if (c->n) {
		write_summary(w, "map", c->s[VFIO_SERIES_MAP], c->n);
		write_summary(w, "unmap", c->s[VFIO_SERIES_UNMAP], c->n);
	}
	json_obj_close(w);
}

static void write_mode(struct json_writer *w, const struct vfio_results_mode *m)
{
	char pgsizes[24];
	int i;

	snprintf(pgsizes, sizeof(pgsizes), "%#llx",
		 (unsigned long long)m->pgsizes);
	json_obj_open(w, NULL);
	json_str(w, "mode", m->mode);
	json_str(w, "skipped", m->skip);
	json_str(w, "pgsizes", pgsizes);
	json_arr_open(w, "iova_ranges");
	for (i = 0; i < m->nr_ranges; i++) {
		json_arr_open(w, NULL);
		json_uint(w, NULL, m->ranges[i][0]);
		json_uint(w, NULL, m->ranges[i][1]);
		json_arr_close(w);
	}
	json_arr_close(w);
	json_obj_close(w);
}

static void write_settings(struct json_writer *w, const struct vfio_results *r)
{
	json_obj_open(w, VFIO_KEY_SETTINGS);
	json_int(w, VFIO_KEY_REPS, r->reps);
	json_int(w, VFIO_KEY_WARMUP, r->warmup);
	json_uint(w, VFIO_KEY_SIZE, r->size);
	json_int(w, VFIO_KEY_NODE, r->node);
	json_int(w, VFIO_KEY_REMOTE_NODE, r->remote_node);
	json_int(w, VFIO_KEY_DEVICE_NODE, r->device_node);
	json_int(w, VFIO_KEY_BAR, r->bar);
	json_num(w, VFIO_KEY_OVERHEAD, r->overhead_s);
	json_str(w, VFIO_KEY_TIMEBASE, vfio_results_timebase(r));
	json_obj_close(w);
}

static void write_results(FILE *f, const struct vfio_results *r,
			  vfio_results_head_fn *head, const void *arg)
{
	struct json_writer w;
	int i;

	json_begin(&w, f);
	json_obj_open(&w, NULL);
	json_str(&w, VFIO_KEY_SCHEMA, VFIO_RESULTS_SCHEMA);
	if (head)
		head(&w, arg);
	json_arr_open(&w, VFIO_KEY_IOMMU);
	for (i = 0; i < r->nr_modes; i++)
		write_mode(&w, &r->modes[i]);
	json_arr_close(&w);
	write_settings(&w, r);
	json_arr_open(&w, VFIO_KEY_CELLS);
	for (i = 0; i < r->nr_cells; i++)
		write_cell(&w, &r->cells[i]);
	json_arr_close(&w);
	json_obj_close(&w);
}

int vfio_results_write(const char *path, const struct vfio_results *r,
		       vfio_results_head_fn *head, const void *arg)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, getpid());
	f = fopen(tmp, "w");
	if (!f)
		return analysis_err(-errno, "cannot write %s: %s", tmp, strerror(errno));
	write_results(f, r, head, arg);
	if (fflush(f) || fsync(fileno(f))) {
		int err = errno;

		fclose(f);
		unlink(tmp);
		return analysis_err(-err, "cannot write %s: %s", path, strerror(err));
	}
	if (fclose(f) || rename(tmp, path)) {
		int err = errno;

		unlink(tmp);
		return analysis_err(-err, "cannot write %s: %s", path, strerror(err));
	}
	return 0;
}

/* The reader. */

static int read_series(const struct json *cell, enum vfio_series s,
		       struct vfio_cell_result *c, int first, int boot)
{
	const struct json *arr = json_get(cell, series_keys[s]), *v;
	int n = first;

	/*
	 * An absent counter is null: one -1 per sample, as written; files
	 * from before a counter existed lack its key, the same.
	 */
	if (is_count(s) && (!arr || arr->type == JSON_NULL)) {
		for (; n < c->n; n++)
			c->s[s][n] = VFIO_RESULTS_ABSENT;
		return 0;
	}
	if (!arr || arr->type != JSON_ARR)
		return analysis_err(-EINVAL, "cell %s: %s is not an array",
				c->name, series_keys[s]);
	for (v = arr->child; v; v = v->next) {
		if (v->type != JSON_NUM || !(v->num >= 0))
			return analysis_err(-EINVAL, "cell %s: %s is not an array of non-negative numbers",
					c->name, series_keys[s]);
		if (n == VFIO_RESULTS_MAX_REPS)
			return analysis_err(-EINVAL, "cell %s: more than %d samples in %s",
					c->name, VFIO_RESULTS_MAX_REPS,
					series_keys[s]);
		c->boot[n] = boot;
		c->s[s][n++] = v->num;
	}
	if (s != VFIO_SERIES_MAP && n != c->n)
		return analysis_err(-EINVAL, "cell %s: %d samples in %s, %d in %s",
				c->name, n - first, series_keys[s], c->n - first,
				series_keys[VFIO_SERIES_MAP]);
	c->n = n;
	return 0;
}

static int parse_status(const char *s, struct vfio_cell_result *c)
{
	int i;

	for (i = 0; i <= VFIO_CELL_FAIL; i++)
		if (!strcmp(s, status_names[i])) {
			c->status = i;
			return 0;
		}
	return analysis_err(-EINVAL, "cell %s: status '%s' (ok, skip, fail)",
			c->name, s);
}

static void copy_str(char *dst, size_t len, const struct json *j,
		     const char *key)
{
	snprintf(dst, len, "%s", json_get_str(j, key, ""));
}

static long long get_int(const struct json *j, const char *key, long long def)
{
	const struct json *v = json_get(j, key);

	return v && v->type == JSON_NUM ? (long long)v->num : def;
}

/* A cell's description; its samples come after. */
static int read_cell_head(const struct json *j, struct vfio_cell_result *c)
{
	const struct json *size = json_get(j, VFIO_KEY_SIZE);
	const struct json *want = json_get(j, VFIO_KEY_EXPECTED);
	const struct json *entries = json_get(j, VFIO_KEY_IOMMU_ENTRIES);

	if (j->type != JSON_OBJ || !json_get_str(j, VFIO_KEY_NAME, NULL))
		return analysis_err(-EINVAL, "a cell without a name");
	copy_str(c->name, sizeof(c->name), j, VFIO_KEY_NAME);
	copy_str(c->api, sizeof(c->api), j, VFIO_KEY_API);
	copy_str(c->backing, sizeof(c->backing), j, VFIO_KEY_BACKING);
	copy_str(c->policy, sizeof(c->policy), j, VFIO_KEY_POLICY);
	copy_str(c->state, sizeof(c->state), j, VFIO_KEY_STATE);
	copy_str(c->reason, sizeof(c->reason), j, VFIO_KEY_REASON);
	c->size = size && size->type == JSON_NUM ? size->num : 0;
	c->want_faults = want && want->type == JSON_NUM ? want->num : -1;
	c->iommu_entries = entries && entries->type == JSON_NUM ?
			   entries->num : -1;
	/* Files from before NUMA placement: not placed, not measured. */
	c->node = get_int(j, VFIO_KEY_NODE, -1);
	c->measured_node = get_int(j, VFIO_KEY_MEASURED_NODE, -1);
	/* Files before the status field was there: ok when measured. */
	return parse_status(json_get_str(j, VFIO_KEY_STATUS, "ok"), c);
}

/*
 * Samples of one boot into @c.  Series other than map_s may be missing
 * altogether (older or hand-written files): their samples are then -1,
 * "not recorded", which compare does not judge.
 */
static int read_cell(const struct json *j, struct vfio_cell_result *c, int boot)
{
	int first = c->n, s, ret;

	ret = read_series(j, VFIO_SERIES_MAP, c, first, boot);
	for (s = VFIO_SERIES_UNMAP; !ret && s < VFIO_SERIES_NR; s++) {
		if (!json_get(j, series_keys[s])) {
			int i;

			for (i = first; i < c->n; i++)
				c->s[s][i] = -1;
			continue;
		}
		ret = read_series(j, s, c, first, boot);
	}
	return ret;
}

/* @c is the worse of its boots: one failed boot fails the pooled cell. */
static void pool_status(struct vfio_cell_result *c,
			const struct vfio_cell_result *in)
{
	if (in->status > c->status) {
		c->status = in->status;
		memcpy(c->reason, in->reason, sizeof(c->reason));
	}
}

static int read_cells(const struct json *cells, struct vfio_results *r,
		      const char *path)
{
	struct vfio_cell_result *in = calloc(1, sizeof(*in)), *c;
	const struct json *j;
	int ret = 0;

	if (!in)
		return analysis_err(-ENOMEM, "%s: out of memory", path);
	for (j = cells->child; !ret && j; j = j->next) {
		memset(in, 0, sizeof(*in));
		ret = read_cell_head(j, in);
		if (ret)
			break;
		c = (struct vfio_cell_result *)vfio_results_cell(r, in->name);
		if (!c && r->nr_cells == VFIO_RESULTS_MAX_CELLS) {
			ret = analysis_err(-EINVAL, "more than %d cells",
				       VFIO_RESULTS_MAX_CELLS);
			break;
		}
		if (!c) {
			c = &r->cells[r->nr_cells++];
			*c = *in;
		}
		pool_status(c, in);
		ret = read_cell(j, c, r->nr_boots);
	}
	free(in);
	if (ret) {
		char why[256];

		/* analysis_error() is the buffer analysis_err() writes to. */
		snprintf(why, sizeof(why), "%s", analysis_error());
		return analysis_err(ret, "%s: %s", path, why);
	}
	return 0;
}

/*
 * Settings that change what a cell measures must match across the files
 * pooled or compared; the number of repetitions may differ.
 */
static int match(const struct vfio_results *first, const struct vfio_results *r,
		 const char *what)
{
	if (strcmp(vfio_results_timebase(r), vfio_results_timebase(first)))
		return analysis_err(-EINVAL, "%s: timebase %s where the first has %s: times and instruction counts are not one quantity",
				    what, vfio_results_timebase(r),
				    vfio_results_timebase(first));
	if (r->warmup == first->warmup && r->node == first->node &&
	    r->remote_node == first->remote_node && r->bar == first->bar &&
	    r->size == first->size)
		return 0;
	return analysis_err(-EINVAL, "%s: run parameters differ: warmup %d, NUMA node %d, remote node %d, BAR %d, size %llu where the first has %d, %d, %d, %d, %llu",
			what, r->warmup, r->node, r->remote_node, r->bar,
			(unsigned long long)r->size, first->warmup, first->node,
			first->remote_node, first->bar,
			(unsigned long long)first->size);
}

int vfio_results_match(const struct vfio_results *a,
		       const struct vfio_results *b)
{
	return match(a, b, "after");
}

static int read_settings(const struct json *root, struct vfio_results *r,
			 const char *path)
{
	const struct json *s = json_get(root, VFIO_KEY_SETTINGS);
	struct vfio_results now = {
		.warmup = get_int(s, VFIO_KEY_WARMUP, -1),
		.node = get_int(s, VFIO_KEY_NODE, -1),
		.remote_node = get_int(s, VFIO_KEY_REMOTE_NODE, -1),
		.bar = get_int(s, VFIO_KEY_BAR, -1),
		.size = get_int(s, VFIO_KEY_SIZE, 0),
	};

	/* Files from before the key was written were all wall-clock. */
	snprintf(now.timebase, sizeof(now.timebase), "%s",
		 json_get_str(s, VFIO_KEY_TIMEBASE, "wall"));
	if (r->nr_boots && match(r, &now, path))
		return -EINVAL;
	memcpy(r->timebase, now.timebase, sizeof(r->timebase));
	r->warmup = now.warmup;
	r->node = now.node;
	r->remote_node = now.remote_node;
	r->device_node = get_int(s, VFIO_KEY_DEVICE_NODE, -1);
	r->bar = now.bar;
	r->size = now.size;
	r->reps += get_int(s, VFIO_KEY_REPS, 0);
	r->overhead_s = s && json_get(s, VFIO_KEY_OVERHEAD) ?
			json_get(s, VFIO_KEY_OVERHEAD)->num : 0;
	return 0;
}

int vfio_results_from_json(const struct json *root, struct vfio_results *r,
			   const char *path)
{
	const char *schema = json_get_str(root, VFIO_KEY_SCHEMA, NULL);
	const struct json *cells = json_get(root, VFIO_KEY_CELLS);
	const char *verdict;
	int ret;

	if (!r->cells) {
		memset(r, 0, sizeof(*r));
		r->cells = calloc(VFIO_RESULTS_MAX_CELLS, sizeof(*r->cells));
		if (!r->cells)
			return analysis_err(-ENOMEM, "%s: out of memory", path);
	}
	if (!schema || strcmp(schema, VFIO_RESULTS_SCHEMA))
		return analysis_err(-EINVAL, "%s: schema '%s', expected '%s'", path,
				schema ? schema : "(none)", VFIO_RESULTS_SCHEMA);
	if (!cells || cells->type != JSON_ARR)
		return analysis_err(-EINVAL, "%s: no \"%s\" array", path,
				VFIO_KEY_CELLS);
	ret = read_settings(root, r, path);
	if (ret)
		return ret;
	verdict = json_get_str(json_get(root, VFIO_KEY_PROBE), VFIO_KEY_VERDICT,
			       "not recorded");
	if (r->nr_boots && strcmp(verdict, r->probe_verdict))
		return analysis_err(-EINVAL, "%s: fault probe '%s', the first file's '%s': not one kernel",
				path, verdict, r->probe_verdict);
	snprintf(r->probe_verdict, sizeof(r->probe_verdict), "%s", verdict);
	ret = read_cells(cells, r, path);
	r->nr_boots += !ret;
	return ret;
}

int vfio_results_read(const char *path, struct vfio_results *r)
{
	struct json *root = json_parse_file(path);
	int ret;

	if (!root)		/* json_parse_file() said why */
		return -EINVAL;
	ret = vfio_results_from_json(root, r, path);
	json_free(root);
	return ret;
}

void vfio_results_free(struct vfio_results *r)
{
	free(r->cells);
	r->cells = NULL;
	r->nr_cells = 0;
}

/* @in's samples after @c's, marked as boot @boot. */
static int append_samples(struct vfio_cell_result *c,
			  const struct vfio_cell_result *in, int boot)
{
	int s, i;

	if (c->n + in->n > VFIO_RESULTS_MAX_REPS)
		return analysis_err(-EINVAL, "cell %s: more than %d samples",
				    c->name, VFIO_RESULTS_MAX_REPS);
	for (i = 0; i < in->n; i++) {
		for (s = 0; s < VFIO_SERIES_NR; s++)
			c->s[s][c->n + i] = in->s[s][i];
		c->boot[c->n + i] = boot;
	}
	c->n += in->n;
	return 0;
}

int vfio_results_pool(struct vfio_results *r, const struct vfio_results *boot)
{
	struct vfio_cell_result *c;
	int i, ret;

	if (r->nr_boots && match(r, boot, "a boot"))
		return -EINVAL;
	if (!r->nr_boots) {
		struct vfio_cell_result *cells = r->cells;

		*r = *boot;
		r->cells = cells;
		r->nr_cells = r->reps = 0;
	}
	for (i = 0; i < boot->nr_cells; i++) {
		c = (struct vfio_cell_result *)vfio_results_cell(r, boot->cells[i].name);
		if (!c && r->nr_cells == VFIO_RESULTS_MAX_CELLS)
			return analysis_err(-EINVAL, "more than %d cells",
					    VFIO_RESULTS_MAX_CELLS);
		if (!c) {
			c = &r->cells[r->nr_cells++];
			memcpy(c, &boot->cells[i], offsetof(typeof(*c), n));
			c->n = 0;
		}
		pool_status(c, &boot->cells[i]);
		ret = append_samples(c, &boot->cells[i], r->nr_boots);
		if (ret)
			return ret;
	}
	r->reps += boot->reps;
	r->nr_boots++;
	return 0;
}

const struct vfio_cell_result *vfio_results_cell(const struct vfio_results *r,
						 const char *name)
{
	int i;

	for (i = 0; i < r->nr_cells; i++)
		if (!strcmp(r->cells[i].name, name))
			return &r->cells[i];
	return NULL;
}
