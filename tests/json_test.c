// SPDX-License-Identifier: GPL-2.0
/*
 * The results-file JSON writer and reader.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analysis/error.h"
#include "analysis/json.h"
#include "analysis/results.h"
#include "analysis/stats.h"
#include "kselftest_harness.h"

TEST(round_trip)
{
	struct json_writer w;
	struct json *j, *cells;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ASSERT_NE(NULL, f);
	json_begin(&w, f);
	json_obj_open(&w, NULL);
	json_str(&w, "name", "quote \" backslash \\ tab \t");
	json_int(&w, "faults", 524288);
	/* 2^64 - 1, a virtio-iommu's IOVA range end, is no -1 in the file. */
	json_uint(&w, "iova_end", UINT64_MAX);
	json_num(&w, "median_s", 1.77);
	json_arr_open(&w, "cells");
	json_num(&w, NULL, 1);
	json_num(&w, NULL, 2.5);
	json_arr_close(&w);
	json_arr_open(&w, "empty");
	json_arr_close(&w);
	json_null(&w, "none");
	json_obj_close(&w);
	fclose(f);

	j = json_parse(buf, len);
	ASSERT_NE(NULL, j) TH_LOG("%s\n%s", analysis_error(), buf);
	EXPECT_STREQ("quote \" backslash \\ tab \t", json_get_str(j, "name", ""));
	EXPECT_EQ(524288, json_get(j, "faults")->num);
	EXPECT_NE(NULL, strstr(buf, "\"iova_end\": 18446744073709551615"))
		TH_LOG("%s", buf);
	EXPECT_EQ((double)UINT64_MAX, json_get(j, "iova_end")->num);
	EXPECT_EQ(1.77, json_get(j, "median_s")->num);
	cells = json_get(j, "cells");
	ASSERT_NE(NULL, cells);
	EXPECT_EQ(2, json_count(cells));
	EXPECT_EQ(2.5, cells->child->next->num);
	EXPECT_EQ(0, json_count(json_get(j, "empty")));
	EXPECT_EQ(JSON_NULL, json_get(j, "none")->type);
	EXPECT_EQ(NULL, json_get(j, "missing"));
	json_free(j);
	free(buf);
}

/* Parse @text, expecting failure with @why in the reason. */
static bool rejected(const char *text, const char *why)
{
	struct json *j = json_parse(text, strlen(text));

	json_free(j);
	return !j && strstr(analysis_error(), why);
}

/* The string @text parses to, or NULL; the caller frees it. */
static char *parsed_string(const char *text)
{
	struct json *j = json_parse(text, strlen(text));
	char *s = j && j->type == JSON_STR ? strdup(j->str) : NULL;

	json_free(j);
	return s;
}

static bool parses_to(const char *text, const char *want)
{
	char *s = parsed_string(text);
	bool ok = s && !strcmp(s, want);

	free(s);
	return ok;
}

TEST(rejects_malformed)
{
	static const char * const bad[] = {
		"", "{", "[1,", "{\"a\" 1}", "{\"a\":}", "[1 2]", "\"abc",
		"\"\\x\"", "\"\\u12\"", "{1:2}", "[1]x", "nul", "-", "1e",
		"{\"a\":1,}", "[,1]", "\"tab\there\"", "01x", "\v1", "\f1",
	};
	char deep[JSON_MAX_DEPTH + 2];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		/* No reason left over from before passes for this one's. */
		analysis_err(-EINVAL, "stale");
		EXPECT_EQ(NULL, json_parse(bad[i], strlen(bad[i])))
			TH_LOG("accepted '%s'", bad[i]);
		EXPECT_NE(NULL, strstr(analysis_error(), "JSON:"))
			TH_LOG("'%s': %s", bad[i], analysis_error());
	}
	EXPECT_TRUE(rejected("{\"a\" 1}", "expected : at byte 5"));
	memset(deep, '[', sizeof(deep));
	EXPECT_EQ(NULL, json_parse(deep, sizeof(deep)));
	EXPECT_NE(NULL, strstr(analysis_error(), "deeply"));
	/* Truncation anywhere in a valid document is caught. */
	for (i = 1; i < strlen("{\"a\":[1,2,{\"b\":\"c\"}]}"); i++)
		EXPECT_EQ(NULL, json_parse("{\"a\":[1,2,{\"b\":\"c\"}]}", i));
	EXPECT_EQ(NULL, json_parse_file("/nonexistent/results.json"));
	EXPECT_NE(NULL, strstr(analysis_error(), "cannot open"));
}

/* RFC 8259 numbers only: what strtod() would also take is not enough. */
TEST(numbers_strictly)
{
	static const char * const bad[] = {
		"01", "00", "-01", "1.", "-.5", ".5", "+1", "1.e5", "1e", "1e+",
		"-", "--1", "0x10", "1.5.", "Infinity", "NaN",
	};
	/* The last two underflow, which the writer's %.17g can produce. */
	static const char good[] =
		"[0, -0, 1.5e-3, 1E+2, 0.25, 4.9406564584124654e-324, 1e-400]";
	char big[200];
	struct json *j;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_TRUE(rejected(bad[i], "JSON:")) TH_LOG("case %zu", i);
	EXPECT_TRUE(rejected("01", "bad number at byte 0"));
	EXPECT_TRUE(rejected("[1, 1.]", "bad number at byte 4"));
	EXPECT_TRUE(rejected("1e400", "number out of range"));
	j = json_parse(good, strlen(good));
	ASSERT_NE(NULL, j) TH_LOG("%s", analysis_error());
	EXPECT_EQ(7, json_count(j));
	EXPECT_EQ(1.5e-3, j->child->next->next->num);
	EXPECT_EQ(100, j->child->next->next->next->num);
	EXPECT_EQ(0.25, j->child->next->next->next->next->num);
	json_free(j);
	/* Longer than the reader's number buffer, still one number. */
	snprintf(big, sizeof(big), "0.%0150d1e152", 0);
	j = json_parse(big, strlen(big));
	ASSERT_NE(NULL, j) TH_LOG("%s", analysis_error());
	EXPECT_TRUE(fabs(j->num - 10) < 1e-12);
	json_free(j);
}

TEST(unicode_escapes_become_utf8)
{
	EXPECT_TRUE(parses_to("\"caf\\u00e9\"", "caf\xc3\xa9"));
	EXPECT_TRUE(parses_to("\"\\u20AC\"", "\xe2\x82\xac"));
	EXPECT_TRUE(parses_to("\"\\u007f\\u0080\\u07ff\\u0800\\uffff\"",
			      "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf"));
	/* A surrogate pair is one code point, U+1F600, in four bytes. */
	EXPECT_TRUE(parses_to("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80"));
	EXPECT_TRUE(parses_to("\"\\udbff\\udfff\"", "\xf4\x8f\xbf\xbf"));
	EXPECT_TRUE(parses_to("\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"", "/\b\f\n\r\t\"\\"));
	EXPECT_TRUE(rejected("\"\\ud83d\"", "lone surrogate at byte 1"));
	EXPECT_TRUE(rejected("\"\\ude00\\ud83d\"", "lone surrogate"));
	EXPECT_TRUE(rejected("\"\\ud83dx\"", "lone surrogate"));
	EXPECT_TRUE(rejected("\"\\ud83d\\u0041\"", "lone surrogate"));
	EXPECT_TRUE(rejected("\"\\ud83d\\ud83d\"", "lone surrogate"));
	EXPECT_TRUE(rejected("\"\\ud83d\\ude0\"", "lone surrogate"));
}

/* A C string cannot hold U+0000: rejected, never cut short. */
TEST(nul_escape_rejected)
{
	EXPECT_TRUE(rejected("\"a\\u0000b\"", "\\u0000 in string at byte 2"));
	EXPECT_TRUE(rejected("{\"name\":\"c\\u0000 forged\"}", "\\u0000"));
	EXPECT_TRUE(rejected("{\"a\\u0000\":1}", "\\u0000"));
}

TEST(raw_bytes_in_strings)
{
	static const char * const ctl[] = {
		"\"\x01\"", "\"\x1f\"", "\"a\nb\"", "\"\t\"", "\"\r\"",
	};
	static const char * const bad_utf8[] = {
		"\"\xff\"", "\"\x80\"", "\"\xc0\x80\"", "\"\xc1\xbf\"",
		"\"\xe0\x9f\xbf\"", "\"\xed\xa0\x80\"", "\"\xf0\x8f\xbf\xbf\"",
		"\"\xf4\x90\x80\x80\"", "\"\xf5\x80\x80\x80\"", "\"\xe2\x82\"",
		"\"\xe2\x82\"\"",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ctl); i++)
		EXPECT_TRUE(rejected(ctl[i], "control character in string"))
			TH_LOG("case %zu: %s", i, analysis_error());
	for (i = 0; i < ARRAY_SIZE(bad_utf8); i++)
		EXPECT_TRUE(rejected(bad_utf8[i], "invalid UTF-8 in string"))
			TH_LOG("case %zu: %s", i, analysis_error());
	EXPECT_TRUE(parses_to("\"\x7f caf\xc3\xa9 \xf0\x9f\x98\x80\"",
			      "\x7f caf\xc3\xa9 \xf0\x9f\x98\x80"));
	EXPECT_TRUE(rejected("\"abc\\\"", "unterminated string"));
	EXPECT_TRUE(rejected("\"abc\\", "unterminated string"));
}

/* @val through the writer; what the file holds, and what is read back. */
static char *written(const char *val, char **back)
{
	struct json_writer w;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	json_begin(&w, f);
	json_str(&w, NULL, val);
	fclose(f);
	*back = parsed_string(buf);
	return buf;
}

#define FFFD "\xef\xbf\xbd"	/* U+FFFD in UTF-8 */

/* The writer writes nothing the reader would refuse. */
TEST(writer_replaces_invalid_utf8)
{
	char *back, *text;

	text = written("ok caf\xc3\xa9 \xf0\x9f\x98\x80", &back);
	EXPECT_STREQ("\"ok caf\xc3\xa9 \xf0\x9f\x98\x80\"", text);
	EXPECT_STREQ("ok caf\xc3\xa9 \xf0\x9f\x98\x80", back);
	free(text);
	free(back);
	/* Each byte that begins no UTF-8 sequence becomes one U+FFFD. */
	text = written("a\xffg\xc3h\xed\xa0\x80i\xe2\x82", &back);
	EXPECT_STREQ("\"a\\ufffdg\\ufffdh\\ufffd\\ufffd\\ufffdi\\ufffd\\ufffd\"",
		     text);
	EXPECT_STREQ("a" FFFD "g" FFFD "h" FFFD FFFD FFFD "i" FFFD FFFD, back);
	free(text);
	free(back);
	text = written("\x01\x1f\"\\\x7f", &back);
	EXPECT_STREQ("\"\\u0001\\u001f\\\"\\\\\x7f\"", text);
	EXPECT_STREQ("\x01\x1f\"\\\x7f", back);
	free(text);
	free(back);
}

/* @text without its whitespace, in place. */
static char *squeeze(char *text)
{
	char *i, *o;

	for (i = o = text; *i; i++)
		if (*i != ' ' && *i != '\n')
			*o++ = *i;
	*o = '\0';
	return text;
}

/*
 * Past the writer's depth bound, output stays well-formed and closing
 * comes back down to the top; closing more than was opened writes nothing.
 */
TEST(writer_nesting_beyond_its_bound)
{
	char want[512] = "", *buf = NULL;
	int i, levels = JSON_MAX_DEPTH + 8;
	struct json_writer w;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	json_begin(&w, f);
	for (i = 0; i < levels; i++) {
		json_arr_open(&w, NULL);
		strcat(want, "[");
	}
	json_arr_open(&w, NULL);
	json_arr_close(&w);
	strcat(want, "[]");
	for (i = 0; i < levels; i++) {
		json_int(&w, NULL, i);
		json_arr_close(&w);
		sprintf(want + strlen(want), ",%d]", i);
	}
	EXPECT_EQ(0, w.depth);
	json_arr_close(&w);
	json_obj_close(&w);
	EXPECT_EQ(0, w.depth);
	fclose(f);
	EXPECT_STREQ(want, squeeze(buf));
	free(buf);
}

/*
 * The largest file the bench writes (MAX_CELLS x MAX_REPS), laid out as
 * its write_json() does: every sample array at full length.
 */
#define BIG_CELLS 64
#define BIG_REPS 1000

static void big_samples(struct json_writer *w, const char *key, double base,
			struct vfio_rng *r)
{
	int i;

	json_arr_open(w, key);
	for (i = 0; i < BIG_REPS; i++)
		json_num(w, NULL, base * (1 + 0.05 * vfio_rng_uniform(r)));
	json_arr_close(w);
}

static void big_counts(struct json_writer *w, const char *key, long long v)
{
	int i;

	json_arr_open(w, key);
	for (i = 0; i < BIG_REPS; i++)
		json_int(w, NULL, v);
	json_arr_close(w);
}

static void big_cell(struct json_writer *w, int i, struct vfio_rng *r)
{
	char name[96];

	snprintf(name, sizeof(name), "type1v2 anon4k fresh %d", i);
	json_obj_open(w, NULL);
	json_str(w, "name", name);
	json_str(w, "api", "type1v2");
	json_str(w, "backing", "anon4k");
	json_str(w, "policy", "");
	json_str(w, "state", "fresh");
	json_int(w, "size", 64 << 20);
	json_str(w, "status", "ok");
	json_str(w, "reason", "");
	json_int(w, "expected_faults", 16384);
	big_samples(w, "map_s", 1e-3, r);
	big_samples(w, "unmap_s", 5e-4, r);
	big_samples(w, "calib_s", 2e-4, r);
	big_counts(w, "minflt", 16384);
	big_counts(w, "pmd_inserts", 0);
	big_counts(w, "pud_inserts", 0);
	json_obj_close(w);
}

static int write_big(FILE *f)
{
	struct vfio_rng r = { 1 };
	struct json_writer w;
	int i;

	json_begin(&w, f);
	json_obj_open(&w, NULL);
	json_str(&w, "schema", VFIO_RESULTS_SCHEMA);
	json_arr_open(&w, "cells");
	for (i = 0; i < BIG_CELLS; i++)
		big_cell(&w, i, &r);
	json_arr_close(&w);
	json_obj_close(&w);
	return fclose(f);
}

/* Both files at once, as compare holds them; 0 when all is there. */
static int read_big_twice(const char *path)
{
	struct json *a = json_parse_file(path), *b = json_parse_file(path);
	const struct json *cells = json_get(b, "cells");
	int ret = a && cells && json_count(cells) == BIG_CELLS &&
		  json_count(json_get(cells->child, "map_s")) == BIG_REPS ? 0 : 1;

	if (ret)
		fprintf(stderr, "%s\n", analysis_error());
	json_free(a);
	json_free(b);
	return ret;
}

#if defined(__SANITIZE_ADDRESS__)
#define ASAN 1
#elif defined(__has_feature)
#define ASAN __has_feature(address_sanitizer)
#else
#define ASAN 0
#endif

/*
 * Memory follows the input: a ~8 MB file read twice fits in 256 MiB of
 * address space (it takes about 60 MiB), where a copy per string sized
 * to the rest of the document took gigabytes.  ASan reserves terabytes
 * of shadow, so under it the limit is left out.
 */
TEST(big_results_file_in_bounded_memory)
{
	struct rlimit lim = { 256 << 20, 256 << 20 };
	char path[] = "/tmp/json_test.XXXXXX";
	int fd = mkstemp(path), status;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, write_big(fdopen(fd, "w")));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (!ASAN && setrlimit(RLIMIT_AS, &lim))
			_exit(2);
		_exit(read_big_twice(path));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	unlink(path);
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
		TH_LOG("status %#x", status);
}

/* The two cells a NUMA run on a virtio-iommu writes, as the reader sees them. */
static void numa_results(struct vfio_results *r, struct vfio_cell_result *c)
{
	static struct vfio_results_mode m = {
		.mode = "vfio_type1v2_iommu", .pgsizes = 0x40201000,
		.nr_ranges = 1, .ranges = { { 0, UINT64_MAX } },
	};

	memset(c, 0, 2 * sizeof(*c));
	*r = (struct vfio_results){ .reps = 1, .node = 0, .remote_node = 1,
				    .device_node = 0, .bar = 2, .size = 4096,
				    .nr_modes = 1, .nr_cells = 2, .cells = c };
	r->modes[0] = m;
	snprintf(c[0].name, sizeof(c[0].name), "type1v2/anon4k/4K/fresh/remote");
	c[0].node = 1;
	c[0].measured_node = 1;
	c[0].iommu_entries = -1;
	snprintf(c[1].name, sizeof(c[1].name), "type1v2/bar-pa/2G/fresh");
	c[1].node = -1;
	c[1].measured_node = -1;
	c[1].want_faults = 2;
	c[1].iommu_entries = 2;
	c[0].n = c[1].n = 1;
}

TEST(results_numa_and_iommu_round_trip)
{
	char path[] = "/tmp/json_test.XXXXXX";
	struct vfio_cell_result *c = calloc(2, sizeof(*c));
	struct vfio_results r, back = { 0 };
	const struct json *range;
	struct json *j;
	int fd = mkstemp(path);

	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_NE(NULL, c);
	numa_results(&r, c);
	ASSERT_EQ(0, vfio_results_write(path, &r, NULL, NULL)) TH_LOG("%s", analysis_error());
	ASSERT_EQ(0, vfio_results_read(path, &back)) TH_LOG("%s", analysis_error());
	EXPECT_EQ(1, back.remote_node);
	EXPECT_EQ(0, back.device_node);
	EXPECT_EQ(0, vfio_results_match(&r, &back));
	ASSERT_EQ(2, back.nr_cells);
	EXPECT_EQ(1, back.cells[0].node);
	EXPECT_EQ(1, back.cells[0].measured_node);
	EXPECT_EQ(-1, back.cells[0].iommu_entries);
	EXPECT_EQ(-1, back.cells[1].node);
	EXPECT_EQ(2, back.cells[1].iommu_entries);
	j = json_parse_file(path);
	ASSERT_NE(NULL, j);
	range = json_get(json_get(j, VFIO_KEY_IOMMU)->child, "iova_ranges")->child;
	EXPECT_EQ((double)UINT64_MAX, range->child->next->num);
	back.remote_node = 2;
	EXPECT_EQ(-EINVAL, vfio_results_match(&r, &back));
	json_free(j);
	vfio_results_free(&back);
	free(c);
	unlink(path);
}

TEST_HARNESS_MAIN
