/* test_resdir.c: the results directory written by resdir/write.h and read back by resdir/read.h: the
 * steps.csv column table (names, units), and one step written whole and read back by name, from
 * steps.csv, the .hgrm and summary.json alike. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resdir/read.h"
#include "resdir/write.h"

static void column_table(void **state)
{
	(void)state;
	for (int i = 0; i < RF_COUNT; i++) {
		const struct steps_column *c = &steps_columns[i];
		assert_non_null(c->name);
		assert_int_equal(steps_column_find(c->name), i); /* names are unique */
		size_t n = strlen(c->name), u = strlen(c->unit);
		if (u) /* the unit is the name's suffix: "_us", "_s", "qps" */
			assert_true(n >= u && strcmp(c->name + n - u, c->unit) == 0);
		else
			assert_false(n > 3 && strcmp(c->name + n - 3, "_us") == 0);
		assert_true(c->type != STEPS_NUM || c->decimals > 0);
	}
	assert_int_equal(steps_column_find("step"), RF_STEP);
	assert_int_equal(steps_column_find("no_such_column"), -1);
}

static void write_then_read(void **state)
{
	(void)state;
	char dir[] = "/tmp/pgpb-test-resdir.XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct hist lat;
	assert_int_equal(hist_init(&lat, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS), 0);
	for (int v = 1; v <= 2000; v++)
		hist_record(&lat, 100 + v * 7);
	struct step_result s;
	memset(&s, 0, sizeof s);
	snprintf(s.id, sizeof s.id, "s001-threads-c4-o10");
	s.model = "threads";
	s.query = "seed";
	s.connections = s.workers = 4;
	s.offset = 10;
	s.threads = 1;
	s.duration_s = 2;
	s.ok = lat.total;
	s.lat = &lat;
	s.qualifying = -1;
	s.empty_pages = -1;
	s.split = SPLIT_NONE;
	struct results r;
	assert_int_equal(results_open(&r, dir, json_object()), 0);
	assert_int_equal(results_step(&r, &s), 0);
	assert_int_equal(results_close(&r, "complete"), 0);

	struct res_run run;
	assert_int_equal(res_load(dir, &run), 0);
	assert_int_equal(run.nsteps, 1);
	const struct res_step *rs = &run.steps[0];
	assert_string_equal(rs->id, s.id);
	assert_string_equal(rs->offset_text, "10");
	for (int i = 0; i < RF_COUNT; i++)
		assert_true(run.has_column[i]);
	assert_true(rs->v[RF_OK] == 2000);
	assert_true(rs->v[RF_QPS] == 1000);
	assert_true(rs->v[RF_P99_US] == (double)hist_percentile(&lat, 99));
	assert_true(isnan(rs->v[RF_LOOPS]) && isnan(rs->v[RF_RATE_QPS]) && isnan(rs->v[RF_SERVER_CALLS]));
	assert_true(rs->npctl > 0); /* the .hgrm */
	assert_true(rs->pctl[rs->npctl - 1].count == 2000);
	assert_string_equal(run.status, "complete");
	assert_true(run.meta_json);

	struct hist back;
	char err[256];
	assert_int_equal(res_summary_hist(dir, s.id, &back, err, sizeof err), 0);
	assert_int_equal(back.total, lat.total);
	for (double p = 50; p < 100; p += 7)
		assert_int_equal(hist_percentile(&back, p), hist_percentile(&lat, p));
	assert_int_equal(hist_max(&back), hist_max(&lat));
	hist_free(&back);
	assert_int_equal(res_summary_hist(dir, "s999", &back, err, sizeof err), -1);
	assert_non_null(strstr(err, "no step \"s999\""));

	res_free(&run);
	hist_free(&lat);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* Writes text into dir/name. */
static void put(const char *dir, const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* A byte order mark before steps.csv (a spreadsheet's export) is no part of the first column's name;
 * summary.json's steps are found by id in any order; what the steps differ in is worked out at load. */
static void hand_made(void **state)
{
	(void)state;
	char dir[] = "/tmp/pgpb-test-resdir-bom.XXXXXX";
	assert_non_null(mkdtemp(dir));
	put(dir, "steps.csv", "\xEF\xBB\xBFstep,model,query,connections,offset,ok\r\n"
	                      "s1,threads,seed,1,0,10\r\ns2,threads,seed,2,0,10\r\ns3,threads,seed,4,0,10\r\n");
	put(dir, "summary.json",
	    "{\"steps\": [{\"step\": \"s3\", \"histograms\": {\"latency\": {\"buckets\": [[300, 10]]}}},"
	    " {\"step\": \"s1\", \"histograms\": {\"latency\": {\"buckets\": [[100, 10]]}}},"
	    " {\"step\": \"s9\", \"histograms\": {\"latency\": {\"buckets\": [[900, 10]]}}}]}");
	struct res_run run;
	assert_int_equal(res_load(dir, &run), 0);
	assert_int_equal(run.nsteps, 3);
	assert_string_equal(run.steps[0].id, "s1");
	assert_true(run.steps[2].v[RF_CONNECTIONS] == 4);
	assert_true(run.steps[0].npctl > 0 && run.steps[0].pctl[0].value_us == 100);
	assert_null(run.steps[1].pctl);
	assert_true(run.steps[2].npctl > 0 && run.steps[2].pctl[0].value_us == 300);
	assert_true(run.varies[RF_CONNECTIONS]);
	assert_false(run.varies[RF_OFFSET]);
	assert_false(run.varies[RF_OK]);
	assert_false(run.mixes_model);
	assert_false(run.mixes_query);
	res_free(&run);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(column_table),
		cmocka_unit_test(write_then_read),
		cmocka_unit_test(hand_made),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
