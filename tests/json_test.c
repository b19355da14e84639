// SPDX-License-Identifier: GPL-2.0
/*
 * The results-file JSON writer and reader.
 */
#include <stdio.h>
#include <stdlib.h>

#include "libvfio.h"
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
	ASSERT_NE(NULL, j) TH_LOG("%s\n%s", vfio_error(), buf);
	EXPECT_STREQ("quote \" backslash \\ tab \t", json_get_str(j, "name", ""));
	EXPECT_EQ(524288, json_get(j, "faults")->num);
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

TEST(rejects_malformed)
{
	static const char * const bad[] = {
		"", "{", "[1,", "{\"a\" 1}", "{\"a\":}", "[1 2]", "\"abc",
		"\"\\x\"", "\"\\u12\"", "{1:2}", "[1]x", "nul", "-", "1e",
		"{\"a\":1,}", "[,1]", "\"tab\there\"", "01x",
	};
	char deep[JSON_MAX_DEPTH + 2];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(NULL, json_parse(bad[i], strlen(bad[i])))
			TH_LOG("accepted '%s'", bad[i]);
		EXPECT_NE(NULL, strstr(vfio_error(), "JSON:"));
	}
	memset(deep, '[', sizeof(deep));
	EXPECT_EQ(NULL, json_parse(deep, sizeof(deep)));
	EXPECT_NE(NULL, strstr(vfio_error(), "deeply"));
	/* Truncation anywhere in a valid document is caught. */
	for (i = 1; i < strlen("{\"a\":[1,2,{\"b\":\"c\"}]}"); i++)
		EXPECT_EQ(NULL, json_parse("{\"a\":[1,2,{\"b\":\"c\"}]}", i));
	EXPECT_EQ(NULL, json_parse_file("/nonexistent/results.json"));
	EXPECT_NE(NULL, strstr(vfio_error(), "cannot open"));
}

TEST_HARNESS_MAIN
