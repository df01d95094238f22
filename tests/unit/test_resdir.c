/* test_resdir.c: the results directory written by resdir/write.h and read back by resdir/read.h: the
 * steps.csv column table (names, units), and one step written whole and read back by name, from
 * steps.csv, the .hgrm and summary.json alike; the directory's lock, its refusal of a run's files and
 * --force removing only the tool's; a step that cannot be written leaving every file as it was; waits.csv
 * (where the server time goes) written and read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* A step as the driver hands it over: id s<NNN>-threads-c4-o10, lat holding 2000 latencies. */
static void make_step(struct step_result *s, struct hist *lat, int n)
{
	assert_int_equal(hist_init(lat, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS), 0);
	for (int v = 1; v <= 2000; v++)
		hist_record(lat, 100 + v * 7);
	memset(s, 0, sizeof *s);
	snprintf(s->id, sizeof s->id, "s%03d-threads-c4-o10", n);
	s->model = "threads";
	s->query = "seed";
	s->connections = s->workers = 4;
	s->offset = 10;
	s->threads = 1;
	s->duration_s = 2;
	s->ok = lat->total;
	s->lat = lat;
	s->qualifying = -1;
	s->empty_pages = -1;
	s->split = SPLIT_NONE;
}

static int exists(const char *dir, const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static void touch(const char *dir, const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("x\n", f);
	fclose(f);
}

static void rm_rf(const char *dir)
{
	char cmd[256];
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

/* Lines of dir/name. */
static int lines(const char *dir, const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	int n = 0, c;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* summary.json's steps. */
static int summary_steps(const char *dir)
{
	char path[512];
	snprintf(path, sizeof path, "%s/summary.json", dir);
	json_error_t e;
	json_t *j = json_load_file(path, 0, &e);
	assert_non_null(j);
	int n = (int)json_array_size(json_object_get(j, "steps"));
	json_decref(j);
	return n;
}

static void claim_locks(void **state)
{
	(void)state;
	char dir[] = "/tmp/pgpb-test-resdir.XXXXXX";
	assert_non_null(mkdtemp(dir));
	int fd = results_claim(dir, 0);
	assert_true(fd >= 0);
	/* a second claim (its own open file, as another process would have) is refused while the first holds */
	assert_int_equal(results_claim(dir, 0), -1);
	assert_int_equal(results_claim(dir, 1), -1); /* --force does not take a directory in use */
	char path[512], text[32] = "", want[32];
	snprintf(path, sizeof path, "%s/%s", dir, RESULTS_LOCK_FILE);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(text, sizeof text, f));
	fclose(f);
	snprintf(want, sizeof want, "%ld\n", (long)getpid());
	assert_string_equal(text, want);
	results_unlock(fd);
	fd = results_claim(dir, 0);
	assert_true(fd >= 0);
	results_unlock(fd);
	rm_rf(dir);
}

static void claim_refuses_and_force_replaces(void **state)
{
	(void)state;
	char dir[] = "/tmp/pgpb-test-resdir.XXXXXX";
	assert_non_null(mkdtemp(dir));
	touch(dir, "notes.txt"); /* someone else's file: a directory may hold them */
	int fd = results_claim(dir, 0);
	assert_true(fd >= 0);
	struct hist lat;
	struct step_result s;
	make_step(&s, &lat, 1);
	struct results r;
	assert_int_equal(results_open(&r, dir, json_object()), 0);
	assert_true(exists(dir, RESULTS_RESERVE_FILE));
	assert_int_equal(results_step(&r, &s), 0);
	assert_int_equal(results_close(&r, "complete"), 0);
	assert_false(exists(dir, RESULTS_RESERVE_FILE));
	results_unlock(fd);
	/* what plot and run --explain add */
	char sub[512];
	snprintf(sub, sizeof sub, "%s/charts", dir);
	assert_int_equal(mkdir(sub, 0777), 0);
	touch(sub, "latency.svg");
	touch(sub, "mine.txt");
	snprintf(sub, sizeof sub, "%s/explain", dir);
	assert_int_equal(mkdir(sub, 0777), 0);
	touch(sub, "offset-10.json");
	touch(dir, "index.html");

	assert_int_equal(results_claim(dir, 0), -1); /* holds a run */
	assert_true(exists(dir, "meta.json"));
	fd = results_claim(dir, 1);
	assert_true(fd >= 0);
	static const char *const gone[] = { "meta.json", "summary.json", "steps.csv", "intervals.csv",
	                                    "s001-threads-c4-o10.hgrm", "index.html", "charts/latency.svg", "explain", NULL };
	for (int i = 0; gone[i]; i++)
		assert_false(exists(dir, gone[i]));
	assert_true(exists(dir, "notes.txt"));
	assert_true(exists(dir, "charts/mine.txt"));
	assert_true(exists(dir, RESULTS_LOCK_FILE));
	results_unlock(fd);
	hist_free(&lat);
	rm_rf(dir);
}

/* A step whose file cannot be written (here a directory stands where a file goes) leaves every file as it
 * was before it; the run's later steps are refused, and the close still writes the status. */
static void step_all_or_nothing(void **state)
{
	(void)state;
	char dir[] = "/tmp/pgpb-test-resdir.XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct hist lat;
	struct step_result s;
	make_step(&s, &lat, 1);
	struct results r;
	assert_int_equal(results_open(&r, dir, json_object()), 0);
	struct interval iv = { .second = 1, .queries = 2000, .p50_us = 7100, .p99_us = 14000, .max_us = 14100 };
	results_interval(&r, s.id, &iv);
	assert_int_equal(results_step(&r, &s), 0);
	/* step 2: its summary.json cannot be replaced; its .hgrm is written first, and removed again */
	char path[512];
	snprintf(path, sizeof path, "%s/summary.json.tmp", dir);
	assert_int_equal(mkdir(path, 0777), 0);
	snprintf(s.id, sizeof s.id, "s002-threads-c4-o10");
	results_interval(&r, s.id, &iv);
	assert_int_equal(results_step(&r, &s), -1);
	assert_int_equal(lines(dir, "steps.csv"), 2);
	assert_int_equal(lines(dir, "intervals.csv"), 2);
	assert_int_equal(summary_steps(dir), 1);
	assert_false(exists(dir, "s002-threads-c4-o10.hgrm"));
	assert_int_equal(rmdir(path), 0);
	/* step 3 is refused: the run stops at its first fault */
	snprintf(s.id, sizeof s.id, "s003-threads-c4-o10");
	assert_int_equal(results_step(&r, &s), -1);
	assert_false(exists(dir, "s003-threads-c4-o10.hgrm"));
	assert_int_equal(results_close(&r, "interrupted"), 0);
	struct res_run run;
	assert_int_equal(res_load(dir, &run), 0);
	assert_int_equal(run.nsteps, 1);
	assert_string_equal(run.status, "interrupted");
	assert_int_equal(summary_steps(dir), 1);
	assert_false(exists(dir, RESULTS_RESERVE_FILE));
	res_free(&run);

	/* a .hgrm that cannot be written: nothing of the step remains */
	char dir2[] = "/tmp/pgpb-test-resdir.XXXXXX";
	assert_non_null(mkdtemp(dir2));
	snprintf(s.id, sizeof s.id, "s001-threads-c4-o10");
	assert_int_equal(results_open(&r, dir2, json_object()), 0);
	snprintf(path, sizeof path, "%s/s001-threads-c4-o10.hgrm", dir2);
	assert_int_equal(mkdir(path, 0777), 0);
	assert_int_equal(results_step(&r, &s), -1);
	assert_int_equal(lines(dir2, "steps.csv"), 1);
	assert_int_equal(summary_steps(dir2), 0);
	assert_int_equal(results_close(&r, "interrupted"), 0);
	hist_free(&lat);
	rm_rf(dir);
	rm_rf(dir2);
}

/* Where the server time goes: a backend's class, the top events, waits.csv written with its step (not
 * with a step that fails) and read back into the same counts. */
static void waits_round_trip(void **state)
{
	(void)state;
	assert_int_equal(wait_classify(NULL, NULL), WAIT_HIDDEN);
	assert_int_equal(wait_classify("idle", "Client"), WAIT_IDLE);
	assert_int_equal(wait_classify("idle in transaction (aborted)", "Client"), WAIT_IDLE_XACT);
	assert_int_equal(wait_classify("active", NULL), WAIT_CPU);
	assert_int_equal(wait_classify("active", "LWLock"), WAIT_LWLOCK);
	assert_int_equal(wait_classify("active", "NewKind"), WAIT_OTHER);
	assert_int_equal(wait_classify("disabled", NULL), WAIT_OTHER);
	struct wait_profile p;
	memset(&p, 0, sizeof p);
	p.interval_ms = 20;
	p.reads = 100;
	wait_profile_add(&p, "active", NULL, NULL, 40);
	wait_profile_add(&p, "active", "IO", "DataFileRead", 20);
	wait_profile_add(&p, "active", "LWLock", "BufferMapping", 5);
	wait_profile_add(&p, "active", "IO", "DataFileRead", 5);
	wait_profile_add(&p, "active", "Lock", "transactionid", 25);
	wait_profile_add(&p, "idle", "Client", "ClientRead", 30); /* the client's time: no event */
	assert_int_equal(p.samples, 125);
	assert_int_equal(p.nev, 3);
	int top[WAIT_TOP_EVENTS];
	assert_int_equal(wait_profile_top(&p, top, WAIT_TOP_EVENTS), 3);
	assert_string_equal(p.ev[top[0]].name, "IO:DataFileRead"); /* 25, first by name of the equals */
	assert_string_equal(p.ev[top[1]].name, "Lock:transactionid");
	assert_string_equal(p.ev[top[2]].name, "LWLock:BufferMapping");
	assert_int_equal(wait_profile_top(&p, top, 1), 1);
	assert_string_equal(p.ev[top[0]].name, "IO:DataFileRead");

	char dir[] = "/tmp/pgpb-test-resdir.XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct hist lat;
	struct step_result s;
	make_step(&s, &lat, 1);
	s.waits = &p;
	struct results r;
	assert_int_equal(results_open(&r, dir, json_object()), 0);
	assert_false(exists(dir, "waits.csv")); /* created with the first step sampled */
	assert_int_equal(results_step(&r, &s), 0);
	assert_int_equal(lines(dir, "waits.csv"), 1 + WAIT_NCLASSES + 3);
	/* a step that fails leaves waits.csv as it was */
	char path[512];
	snprintf(path, sizeof path, "%s/summary.json.tmp", dir);
	assert_int_equal(mkdir(path, 0777), 0);
	snprintf(s.id, sizeof s.id, "s002-threads-c4-o10");
	assert_int_equal(results_step(&r, &s), -1);
	assert_int_equal(lines(dir, "waits.csv"), 1 + WAIT_NCLASSES + 3);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(results_close(&r, "interrupted"), 0);

	struct res_run run;
	assert_int_equal(res_load(dir, &run), 0);
	assert_true(run.has_waits);
	const struct res_waits *w = &run.steps[0].waits;
	assert_true(w->have);
	assert_true(w->samples == 125 && w->cls[WAIT_CPU] == 40 && w->cls[WAIT_IO] == 25 && w->cls[WAIT_IDLE] == 30);
	assert_true(res_waits_share(w, WAIT_LOCK) == 0.2);
	double sum = 0;
	for (int c = 0; c < WAIT_NCLASSES; c++)
		sum += w->cls[c];
	assert_true(sum == w->samples);
	assert_int_equal(w->ntop, 3);
	assert_string_equal(w->top[0].name, "IO:DataFileRead");
	assert_int_equal(w->top[0].n, 25);
	res_free(&run);
	hist_free(&lat);
	rm_rf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(column_table),
		cmocka_unit_test(write_then_read),
		cmocka_unit_test(claim_locks),
		cmocka_unit_test(claim_refuses_and_force_replaces),
		cmocka_unit_test(step_all_or_nothing),
		cmocka_unit_test(hand_made),
		cmocka_unit_test(waits_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
