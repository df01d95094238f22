/* test_bench_recorder.c: per-thread recorders handing per-second slices to a collecting thread through
 * the ring (more seconds than slots, threads running ahead), errors by SQLSTATE, the offset mix, and the
 * engines' helpers (random draws, open-loop schedule, backoff, unit conversion) against the values the
 * engines computed before those helpers had names; --connect-per-request's connect and query parts and the
 * SQLSTATE a failed connect counts under. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/engine_thread.h"
#include "bench/offsets.h"
#include "bench/recorder.h"

#include <math.h>

#define THREADS 3
#define SECONDS 50 /* several times REC_RING */

struct worker {
	struct recorder *rec;
	int k;
};

/* thread k records s + k + 1 queries of (1000 + s) us in second s, and one error every 10th second */
static void *work(void *arg)
{
	struct worker *w = arg;
	for (long s = 0; s < SECONDS; s++) {
		recorder_advance(w->rec, s);
		for (long q = 0; q < s + w->k + 1; q++)
			recorder_ok(w->rec, s, 1000 + s);
		if (s % 10 == 0)
			recorder_error(w->rec, s, "57014");
	}
	recorder_finish(w->rec, SECONDS - 1);
	return NULL;
}

static void ring_handover(void **state)
{
	(void)state;
	struct recorder recs[THREADS];
	struct worker w[THREADS];
	pthread_t th[THREADS];
	atomic_int stop = 0;
	for (int k = 0; k < THREADS; k++) {
		assert_int_equal(recorder_init(&recs[k], &stop, 0), 0);
		w[k] = (struct worker){ &recs[k], k };
	}
	struct hist scratch;
	assert_int_equal(hist_init(&scratch, HIST_LOWEST, HIST_HIGHEST, REC_SECOND_DIGITS), 0);
	for (int k = 0; k < THREADS; k++)
		assert_int_equal(pthread_create(&th[k], NULL, work, &w[k]), 0);
	uint64_t sum = 0, errors = 0;
	long sec = 0;
	struct interval iv;
	while (sec < SECONDS) { /* the threads block when they are REC_RING seconds ahead: this must not hang */
		if (!recorder_collect(recs, THREADS, sec, &scratch, &iv)) {
			sched_yield();
			continue;
		}
		uint64_t want = 0;
		for (int k = 0; k < THREADS; k++)
			want += (uint64_t)(sec + k + 1);
		assert_int_equal(iv.second, sec + 1);
		assert_int_equal(iv.queries, want);
		assert_int_equal(iv.errors, sec % 10 == 0 ? THREADS : 0);
		assert_int_equal(iv.max_us, 1000 + sec);
		assert_true(iv.p50_us >= 1000 + sec && iv.p50_us <= (1000 + sec) * 101 / 100);
		sum += iv.queries;
		errors += iv.errors;
		sec++;
	}
	for (int k = 0; k < THREADS; k++)
		pthread_join(th[k], NULL);
	assert_int_equal(recorder_seconds(recs, THREADS), SECONDS);
	uint64_t ok = 0, err = 0;
	struct hist all;
	assert_int_equal(hist_init(&all, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS), 0);
	for (int k = 0; k < THREADS; k++) {
		ok += recs[k].ok;
		err += recs[k].errors;
		hist_merge(&all, &recs[k].lat);
		assert_int_equal(recs[k].ncodes, 1);
		assert_string_equal(recs[k].codes[0].code, "57014");
	}
	assert_int_equal(sum, ok); /* the seconds add up to the step */
	assert_int_equal(errors, err);
	assert_int_equal(all.total, ok);
	assert_int_equal(hist_min(&all), 1000);
	assert_int_equal(hist_max(&all), 1000 + SECONDS - 1);
	hist_free(&all);
	hist_free(&scratch);
	for (int k = 0; k < THREADS; k++)
		recorder_free(&recs[k]);
}

static void seconds_without_events(void **state)
{
	(void)state;
	struct recorder r;
	struct hist scratch;
	assert_int_equal(recorder_init(&r, NULL, REC_WAIT | REC_OPEN), 0);
	assert_int_equal(hist_init(&scratch, HIST_LOWEST, HIST_HIGHEST, REC_SECOND_DIGITS), 0);
	recorder_ok(&r, 0, 10);
	recorder_ok_parts(&r, 2, 30, 5, 25, 20, 10); /* second 1 passes without a query */
	recorder_finish(&r, 2);
	struct interval iv;
	assert_int_equal(recorder_collect(&r, 1, 0, &scratch, &iv), 1);
	assert_int_equal(iv.queries, 1);
	assert_int_equal(recorder_collect(&r, 1, 1, &scratch, &iv), 1);
	assert_int_equal(iv.queries, 0);
	assert_int_equal(iv.max_us, 0);
	assert_int_equal(recorder_collect(&r, 1, 2, &scratch, &iv), 1);
	assert_int_equal(iv.queries, 1);
	assert_int_equal(recorder_collect(&r, 1, 3, &scratch, &iv), 0); /* not closed */
	assert_int_equal(r.wait.total, 1);
	assert_int_equal(r.uncorrected.total, 1);
	assert_int_equal(hist_max(&r.lag), 10);
	recorder_reset(&r);
	assert_int_equal(r.ok, 0);
	assert_int_equal(r.wait.total, 0);
	hist_free(&scratch);
	recorder_free(&r);
}

static void many_sqlstates(void **state)
{
	(void)state;
	struct recorder r;
	assert_int_equal(recorder_init(&r, NULL, 0), 0);
	char code[6];
	for (int i = 0; i < 40; i++) {
		snprintf(code, sizeof code, "XX%03d", i);
		recorder_error(&r, 0, code);
		recorder_error(&r, 0, code);
	}
	recorder_error(&r, 0, NULL);
	assert_int_equal(r.errors, 81);
	uint64_t total = 0;
	int other = -1;
	for (int i = 0; i < r.ncodes; i++) {
		total += r.codes[i].n;
		if (strcmp(r.codes[i].code, "other") == 0)
			other = i;
	}
	assert_int_equal(r.ncodes, REC_CODES);
	assert_int_equal(total, 81); /* nothing lost: the codes beyond the table count as "other" */
	assert_true(other >= 0);
	assert_string_equal(r.codes[0].code, "XX000");
	assert_int_equal(r.codes[0].n, 2);
	recorder_free(&r);
}

static void offset_mix(void **state)
{
	(void)state;
	struct offset_gen g;
	assert_int_equal(offsets_mix(&g, 0.8, 1.0, 10, 995), 0); /* 100 pages, the last one partial */
	assert_int_equal(g.npages, 100);
	uint64_t rng = 42;
	long counts[100] = { 0 };
	const int n = 200000;
	for (int i = 0; i < n; i++) {
		long off = offsets_next(&g, &rng);
		assert_true(off >= 0 && off < 1000 && off % 10 == 0);
		counts[off / 10]++;
	}
	double page1 = (double)counts[0] / n;
	assert_true(page1 > 0.79 && page1 < 0.81);
	assert_true(counts[1] > counts[2] && counts[2] > counts[4] && counts[4] > counts[20]);
	/* Zipf(1): page 2 is about twice as likely as page 3 */
	double r = (double)counts[1] / (double)counts[2];
	assert_true(r > 1.8 && r < 2.2);
	assert_true(counts[99] > 0);
	offsets_free(&g);

	assert_int_equal(offsets_mix(&g, 0.5, 1.0, 10, 5), 0); /* one page only: always page one */
	for (int i = 0; i < 100; i++)
		assert_int_equal(offsets_next(&g, &rng), 0);
	offsets_free(&g);
	offsets_fixed(&g, 1234);
	assert_int_equal(offsets_next(&g, &rng), 1234);

	double p1, s;
	assert_int_equal(offsets_parse_mix("page1=80", &p1, &s), 0);
	assert_true(p1 == 0.8 && s == 1.0);
	assert_int_equal(offsets_parse_mix("page1=50,zipf=1.5", &p1, &s), 0);
	assert_true(p1 == 0.5 && s == 1.5);
	assert_int_equal(offsets_parse_mix("page1=120", &p1, &s), -1);
	assert_int_equal(offsets_parse_mix("zipf=1", &p1, &s), -1);
	assert_int_equal(offsets_parse_mix("page1=x", &p1, &s), -1);
	assert_int_equal(offsets_parse_mix("depth=3", &p1, &s), -1);
}

static void engine_helpers(void **state)
{
	(void)state;
	/* the uniform draw and the Poisson schedule give the very values of the formulas written out before */
	uint64_t a = 7, b = 7;
	for (int i = 0; i < 100000; i++) {
		double u = offsets_uniform(&a);
		assert_true(u >= 0 && u < 1);
		assert_true(u == (double)(offsets_rand(&b) >> 11) / 9007199254740992.0);
	}
	struct sched sc;
	sched_init(&sc, 1234.5, 1, 1000, 99);
	uint64_t rng = 99;
	int64_t next = 1000;
	for (int i = 0; i < 100000; i++) {
		assert_true(sched_take(&sc) == next);
		double u = ((double)(offsets_rand(&rng) >> 11) + 0.5) / 9007199254740992.0;
		next += (int64_t)(-log(u) * (1e9 / 1234.5));
	}
	assert_true(offsets_thread_seed(5, 2) == (5 ^ (0x9E3779B97F4A7C15ULL * 3)));

	/* reconnect delays: 10 ms, doubling, at most a second */
	int ms = 0;
	const int want[] = { 10, 20, 40, 80, 160, 320, 640, 1000, 1000 };
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		assert_int_equal(ms = engine_backoff_next(ms), want[i]);

	assert_int_equal(ns_to_us(499), 0);
	assert_int_equal(ns_to_us(500), 1);
	assert_int_equal(ns_to_us(1499), 1);
	assert_int_equal(ns_to_us(1500), 2);
	assert_int_equal(ns_to_us(-400), 0);
}

/* --connect-per-request: a request's connect (start to ready) and query (send to answer) go apart into
 * their histograms, a failed query keeps its connect only, a kept connection adds nothing, and a recorder
 * that does not keep them ignores them. */
static void connect_parts(void **state)
{
	(void)state;
	struct recorder rec, plain;
	assert_int_equal(recorder_init(&rec, NULL, REC_CONNECT), 0);
	assert_int_equal(recorder_init(&plain, NULL, 0), 0);
	struct eng_thread t = { .rec = &rec };
	struct bconn c = { .t_req = 1000000, .t_ready = 3500000, .t_start = 3500000 };
	engine_connect_parts(&t, &c, 4200000, 1); /* 2500 us connect, 700 us query */
	engine_connect_parts(&t, &c, 9000000, 0); /* a query that failed: its connect only */
	assert_int_equal(rec.connects, 2);
	assert_int_equal(rec.connect.total, 2);
	assert_int_equal(hist_max(&rec.connect), 2500);
	assert_int_equal(rec.query.total, 1);
	assert_int_equal(hist_max(&rec.query), 700);
	struct bconn kept = { .t_req = 1000000, .t_start = 1000000 };
	engine_connect_parts(&t, &kept, 2000000, 1);
	assert_int_equal(rec.connects, 2);
	t.rec = &plain;
	engine_connect_parts(&t, &c, 4200000, 1);
	assert_int_equal(plain.connects, 0);
	recorder_reset(&rec);
	assert_int_equal(rec.connects + rec.connect.total + rec.query.total, 0);
	recorder_free(&rec);
	recorder_free(&plain);

	struct bconn f = { 0 };
	snprintf(f.err, sizeof f.err, "connection to server failed: FATAL:  sorry, too many clients already");
	assert_string_equal(bconn_failure_sqlstate(&f), "53300");
	snprintf(f.err, sizeof f.err, "FATAL:  too many connections for role \"app\"");
	assert_string_equal(bconn_failure_sqlstate(&f), "53300");
	snprintf(f.err, sizeof f.err, "connection to server on socket failed: No such file or directory");
	assert_string_equal(bconn_failure_sqlstate(&f), "08001");
	snprintf(f.err_sqlstate, sizeof f.err_sqlstate, "42P05"); /* a setup statement's: the server's own */
	assert_string_equal(bconn_failure_sqlstate(&f), "42P05");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ring_handover),
		cmocka_unit_test(seconds_without_events),
		cmocka_unit_test(many_sqlstates),
		cmocka_unit_test(offset_mix),
		cmocka_unit_test(engine_helpers),
		cmocka_unit_test(connect_parts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
