// SPDX-License-Identifier: GPL-2.0
/*
 * The KCIDB export against the fields, types and patterns KCIDB's schema
 * (v5.3) documents: an export of a results file and a suite log passes
 * the check and says what the files said; each way of breaking a
 * document that the schema forbids fails it, naming the field.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/error.h"
#include "analysis/json.h"
#include "analysis/kcidb.h"
#include "analysis/kcidb_check.h"
#include "kselftest_harness.h"

/* A results file as the benchmark writes one, cut to what is read. */
static const char results_json[] =
	"{\"schema\": \"vfio-bench/dma-map/1\",\n"
	" \"provenance\": {\"date\": \"2026-12-02T01:00:00Z\",\n"
	"  \"kernel_release\": \"7.2.13+deb14-amd64\",\n"
	"  \"kernel_version\": \"#1 SMP Debian 7.2.13-1\", \"machine\": \"x86_64\",\n"
	"  \"cmdline\": \"intel_iommu=on\", \"system\": \"QEMU Standard PC\",\n"
	"  \"suite_version\": \"v1\",\n"
	"  \"device\": {\"bdf\": \"0000:00:02.0\", \"vendor_device\": \"1af4:1110\"}},\n"
	" \"settings\": {\"reps\": 3, \"warmup\": 1, \"size\": 67108864},\n"
	" \"cells\": [\n"
	"  {\"name\": \"type1v2/bar-pa/2G/fresh\", \"status\": \"ok\",\n"
	"   \"map_s\": [0.002, 0.001, 0.003], \"unmap_s\": [0.1, 0.2, 0.3],\n"
	"   \"minflt\": [2, 2, 2]},\n"
	"  {\"name\": \"iommufd/anon4k/64M/fresh\", \"status\": \"skip\",\n"
	"   \"reason\": \"no /dev/iommu\", \"map_s\": []}]}\n";

/* suite.sh's output: each kind of result line it counts. */
static const char suite_log[] =
	"# selftests: vfio-bench: libvfio_test\n"
	"ok 1 global.bdf_parse\n"
	"ok 2 global.bdf_parse\n"
	"# selftests: vfio-bench: vfio_bar_align_test 0000:00:02.0\n"
	"not ok 1 bar_align.vfio_type1_iommu.kernel_mmap_alignment\n"
	"ok 2 # SKIP iommufd: no /dev/iommu\n"
	"ok 3 bar_align.pa # XFAIL known; fix: somewhere\n"
	"# selftests: vfio-bench: vfio_iommufd_test 0000:00:02.0\n"
	"1..0 # SKIP no iommufd\n"
	"# selftests: vfio-bench: numa_test\n"
	"# suite: numa_test exited 139 without results: counted as failed\n";

struct paths {
	char dir[64], results[96], log[96];
};

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void make_files(struct paths *p)
{
	snprintf(p->dir, sizeof(p->dir), "/tmp/kcidb_test.XXXXXX");
	if (!mkdtemp(p->dir))
		p->dir[0] = '\0';
	snprintf(p->results, sizeof(p->results), "%s/bench.json", p->dir);
	snprintf(p->log, sizeof(p->log), "%s/suite.log", p->dir);
	write_file(p->results, results_json);
	write_file(p->log, suite_log);
}

static void remove_files(const struct paths *p)
{
	unlink(p->results);
	unlink(p->log);
	rmdir(p->dir);
}

/* The export of fresh fixture files (@p) as text, or NULL. */
static char *export(struct paths *p, struct vfio_kcidb_opts *o)
{
	const char *files[1];
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int ret;

	make_files(p);
	o->suite_log = p->log;
	if (!f)
		return NULL;
	files[0] = p->results;
	ret = vfio_kcidb_export(files, 1, o, f);
	fclose(f);
	if (ret) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* @text parsed, if it passes the check; else NULL, the reason said. */
static struct json *parse_checked(const char *text)
{
	struct json *doc = text ? json_parse(text, strlen(text)) : NULL;

	if (doc && !vfio_kcidb_check(doc))
		return doc;
	fprintf(stderr, "# %s\n", text ? analysis_error() : "no export");
	json_free(doc);
	return NULL;
}

static const struct json *test_at(const struct json *doc, const char *path)
{
	const struct json *t;

	for (t = json_get(doc, "tests")->child; t; t = t->next)
		if (!strcmp(json_get_str(t, "path", ""), path))
			return t;
	return NULL;
}

TEST(export_has_kcidbs_shape_and_the_files_facts)
{
	struct vfio_kcidb_opts o = { .origin = "vfio_bench" };
	const struct json *t, *u, *builds;
	struct json *doc;
	struct paths p;
	char *text;

	text = export(&p, &o);
	doc = parse_checked(text);
	ASSERT_NE(NULL, doc);

	EXPECT_EQ(5, json_get(json_get(doc, "version"), "major")->num);
	EXPECT_EQ(3, json_get(json_get(doc, "version"), "minor")->num);
	EXPECT_STREQ("vfio_bench:7.2.13+deb14-amd64",
		     json_get_str(json_get(doc, "checkouts")->child, "id", ""));
	builds = json_get(doc, "builds");
	ASSERT_EQ(1, json_count(builds));
	EXPECT_STREQ("vfio_bench:7.2.13+deb14-amd64.x86_64",
		     json_get_str(builds->child, "id", ""));
	EXPECT_STREQ("x86_64", json_get_str(builds->child, "architecture", ""));
	/* 2 cells + 2 children of the one that ran + 7 results of the log. */
	EXPECT_EQ(11, json_count(json_get(doc, "tests")));
	for (t = json_get(doc, "tests")->child; t; t = t->next) {
		EXPECT_STREQ(json_get_str(builds->child, "id", ""),
			     json_get_str(t, "build_id", "?"));
	}

	t = test_at(doc, "vfio_bench.dma_map.type1v2.bar-pa.2G.fresh");
	ASSERT_NE(NULL, t) TH_LOG("%s", text);
	EXPECT_STREQ("PASS", json_get_str(t, "status", ""));
	EXPECT_EQ(0.002, json_get(json_get(t, "number"), "value")->num);
	EXPECT_STREQ("s", json_get_str(json_get(t, "number"), "unit", ""));
	EXPECT_STREQ("metric", json_get_str(json_get(t, "number"), "prefix", ""));
	EXPECT_STREQ("2026-12-02T01:00:00Z", json_get_str(t, "start_time", ""));
	EXPECT_STREQ("0000:00:02.0", json_get_str(json_get(json_get(t, "environment"),
							  "misc"), "bdf", ""));
	u = test_at(doc, "vfio_bench.dma_map.type1v2.bar-pa.2G.fresh.unmap");
	ASSERT_NE(NULL, u);
	EXPECT_EQ(0.2, json_get(json_get(u, "number"), "value")->num);
	u = test_at(doc, "vfio_bench.dma_map.type1v2.bar-pa.2G.fresh.faults");
	ASSERT_NE(NULL, u);
	EXPECT_EQ(2, json_get(json_get(u, "number"), "value")->num);
	EXPECT_EQ(NULL, json_get(json_get(u, "number"), "unit"));

	t = test_at(doc, "vfio_bench.dma_map.iommufd.anon4k.64M.fresh");
	ASSERT_NE(NULL, t);
	EXPECT_STREQ("SKIP", json_get_str(t, "status", ""));
	EXPECT_STREQ("no /dev/iommu", json_get_str(t, "comment", ""));
	EXPECT_EQ(NULL, json_get(t, "number"));

	t = test_at(doc, "vfio_bench.vfio_bar_align_test.bar_align.vfio_type1_iommu.kernel_mmap_alignment");
	ASSERT_NE(NULL, t);
	EXPECT_STREQ("FAIL", json_get_str(t, "status", ""));
	EXPECT_STREQ("SKIP", json_get_str(test_at(doc, "vfio_bench.vfio_bar_align_test.iommufd"),
					  "status", ""));
	/* A known issue is not a failure, as suite.sh counts it. */
	EXPECT_STREQ("PASS", json_get_str(test_at(doc, "vfio_bench.vfio_bar_align_test.bar_align.pa"),
					  "status", ""));
	EXPECT_STREQ("SKIP", json_get_str(test_at(doc, "vfio_bench.vfio_iommufd_test.skip"),
					  "status", ""));
	EXPECT_STREQ("FAIL", json_get_str(test_at(doc, "vfio_bench.numa_test.exit"),
					  "status", ""));
	json_free(doc);
	free(text);
	remove_files(&p);
}

/* The export with @from replaced by @to (first place) fails the check. */
static bool broken_fails(const char *text, const char *from, const char *to,
			 const char *why)
{
	const char *at = strstr(text, from);
	char *bad;
	struct json *doc;
	bool failed;

	if (!at)
		return false;
	bad = malloc(strlen(text) + strlen(to) + 1);
	if (!bad)
		return false;
	memcpy(bad, text, at - text);
	memcpy(bad + (at - text), to, strlen(to));
	memcpy(bad + (at - text) + strlen(to), at + strlen(from),
	       strlen(at + strlen(from)) + 1);
	doc = json_parse(bad, strlen(bad));
	failed = doc && vfio_kcidb_check(doc) && strstr(analysis_error(), why);
	if (!failed)
		fprintf(stderr, "# not refused for %s: %s\n", why,
			doc ? analysis_error() : "not JSON");
	json_free(doc);
	free(bad);
	return failed;
}

TEST(broken_exports_fail_the_check)
{
	struct vfio_kcidb_opts o = { .origin = "vfio_bench" };
	struct paths p;
	char *text;

	text = export(&p, &o);
	ASSERT_NE(NULL, text) TH_LOG("%s", analysis_error());
	EXPECT_TRUE(broken_fails(text, "\"value\": 0.002", "\"value\": \"0.002\"",
				 "number.value"));
	EXPECT_TRUE(broken_fails(text, "\"status\": \"PASS\"", "\"status\": \"ok\"",
				 "\"status\""));
	EXPECT_TRUE(broken_fails(text, "\"prefix\": \"metric\"", "\"prefix\": \"si\"",
				 "number.prefix"));
	EXPECT_TRUE(broken_fails(text, "\"unit\": \"s\"", "\"unit\": \"s\", \"scale\": 1",
				 "\"scale\""));
	EXPECT_TRUE(broken_fails(text, "\"build_id\"", "\"built_id\"", "\"build_id\" is required"));
	EXPECT_TRUE(broken_fails(text, "\"start_time\": \"2026-12-02T01:00:00Z\"",
				 "\"start_time\": \"2026-12-02 01:00\"", "\"start_time\""));
	EXPECT_TRUE(broken_fails(text, "\"origin\": \"vfio_bench\"",
				 "\"origin\": \"VFIO bench\"", "\"origin\""));
	EXPECT_TRUE(broken_fails(text, "\"id\": \"vfio_bench:7.2",
				 "\"id\": \"7.2", "\"id\""));
	EXPECT_TRUE(broken_fails(text, "\"path\": \"vfio_bench.dma_map",
				 "\"path\": \"vfio bench.dma_map", "\"path\""));
	EXPECT_TRUE(broken_fails(text, "\"comment\": \"no /dev/iommu\"",
				 "\"comment\": null", "null"));
	EXPECT_TRUE(broken_fails(text, "\"major\": 5", "\"major\": 4", "version.major"));
	EXPECT_TRUE(broken_fails(text, "\"minor\": 3", "\"minor\": 9", "version.minor"));
	EXPECT_TRUE(broken_fails(text, "\"tests\": [", "\"results\": [", "\"results\""));
	EXPECT_TRUE(broken_fails(text, "\"architecture\": \"x86_64\"",
				 "\"architecture\": \"x86-64\"", "\"architecture\""));
	/* The second test given the first one's id. */
	EXPECT_TRUE(broken_fails(text, ":dma_map:0000:00:02.0:type1v2/bar-pa/2G/fresh:unmap\"",
				 ":dma_map:0000:00:02.0:type1v2/bar-pa/2G/fresh\"",
				 "not unique"));
	free(text);
	remove_files(&p);
}

TEST(ids_stay_unique_and_given_ids_are_used)
{
	struct vfio_kcidb_opts o = { .origin = "lab_01", .checkout = "abc",
				     .build = "abc-x86" };
	struct json *doc;
	struct paths p;
	char *text;

	text = export(&p, &o);
	doc = parse_checked(text);
	ASSERT_NE(NULL, doc);
	EXPECT_STREQ("lab_01:abc", json_get_str(json_get(doc, "checkouts")->child, "id", ""));
	EXPECT_STREQ("lab_01:abc-x86", json_get_str(json_get(doc, "builds")->child, "id", ""));
	/* libvfio_test's result twice: the second id gets #2. */
	EXPECT_NE(NULL, strstr(text, "\"lab_01:abc-x86:suite:libvfio_test:-:global.bdf_parse#2\""))
		TH_LOG("%s", text);
	json_free(doc);
	free(text);
	remove_files(&p);
}

/* The fixture as another kernel's: two kernels are no one export. */
static void write_other_kernel(const char *path)
{
	char *t = strdup(results_json);
	char *at = t ? strstr(t, "7.2.13") : NULL;

	if (at) {
		memcpy(at, "6.1.99", 6);
		write_file(path, t);
	}
	free(t);
}

TEST(bad_input_writes_nothing)
{
	struct vfio_kcidb_opts o = { .origin = "Vfio" };
	static const char * const missing[] = { "/nonexistent/bench.json" };
	struct paths p;
	char other[128];
	const char *two[2];
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ASSERT_NE(NULL, f);
	make_files(&p);
	snprintf(other, sizeof(other), "%s/other.json", p.dir);
	two[0] = p.results;
	two[1] = other;
	EXPECT_NE(0, vfio_kcidb_export(two, 1, &o, f));
	EXPECT_NE(NULL, strstr(analysis_error(), "origin"));
	o.origin = "vfio_bench";
	EXPECT_NE(0, vfio_kcidb_export(missing, 1, &o, f));
	EXPECT_NE(NULL, strstr(analysis_error(), "/nonexistent/bench.json"));
	EXPECT_NE(0, vfio_kcidb_export(NULL, 0, &o, f));
	EXPECT_NE(NULL, strstr(analysis_error(), "checkout"));
	write_other_kernel(other);
	EXPECT_NE(0, vfio_kcidb_export(two, 2, &o, f));
	EXPECT_NE(NULL, strstr(analysis_error(), "one kernel"));
	o.suite_log = "/nonexistent/suite.log";
	EXPECT_NE(0, vfio_kcidb_export(two, 1, &o, f));
	fclose(f);
	EXPECT_EQ(0, len) TH_LOG("written: %s", buf);
	free(buf);
	unlink(other);
	remove_files(&p);
}

TEST_HARNESS_MAIN
