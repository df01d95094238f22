/* test_merge.c: resdir/merge.h is exact. Raw latencies (a skewed spread from microseconds to seconds) are
 * split across 3 "hosts", each host's run written through resdir/write.h as the driver writes one; the
 * merge of the three is read back, and every percentile equals both the one of a single histogram fed
 * with all the samples and the nearest-rank value of the sorted raw samples (as its bucket reports it).
 * Counts and errors by SQLSTATE add up, each host keeps its row in hosts.csv, and runs that do not share
 * the plan (another query, a host named twice, the merge written over a run) are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resdir/merge.h"
#include "resdir/read.h"
#include "resdir/write.h"

#define NSAMPLES 30011
#define NHOSTS 3
#define NSTEPS 2

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint64_t next_u64(void)
{
	uint64_t z = (rng += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* A latency from 50 us to about 4 s, most near a millisecond, a long tail. */
static int64_t sample(void)
{
	double u = (double)(next_u64() >> 11) / 9007199254740992.0;
	return 50 + (int64_t)(1000.0 * (u < 0.98 ? u * 2 : 1.0 / (1.0 - u) * 0.08 * 50));
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static json_t *host_meta(const char *tag, const char *sha)
{
	return json_pack("{s:s,s:s,s:{s:s,s:s},s:{s:s},s:{s:f,s:f,s:i},s:{s:s,s:f,s:f,s:f,s:f},s:{s:i,s:s},s:s}",
	                 "host_tag", tag, "status", "running", "query", "name", "seed", "sha256", sha, "dataset",
	                 "fingerprint", "fp-1", "options", "duration_s", 2.0, "warmup_s", 0.5, "threads", 1, "schedule",
	                 "start_at", "2026-12-02T00:10:00Z", "warmup_s", 0.5, "duration_s", 2.0, "gap_s", 2.0, "slot_s",
	                 4.5, "host", "cpus", 2, "hostname", tag, "connection", "host=/tmp port=5432");
}

/* Writes one host's run: step k holds the samples of index i where i % NHOSTS == host (of step k's set). */
static void write_host(const char *dir, const char *tag, const char *sha, int64_t *const raw[NSTEPS], int host)
{
	mkdir(dir, 0777);
	int fd = results_claim(dir, 1);
	assert_true(fd >= 0);
	struct results r;
	assert_int_equal(results_open(&r, dir, host_meta(tag, sha)), 0);
	for (int k = 0; k < NSTEPS; k++) {
		struct hist lat;
		assert_int_equal(hist_init(&lat, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS), 0);
		/* uneven shares: host 0 takes the first half, the others split the rest */
		for (int i = 0; i < NSAMPLES; i++) {
			int owner = i < NSAMPLES / 2 ? 0 : 1 + i % 2;
			if (owner == host)
				hist_record(&lat, raw[k][i]);
		}
		struct step_result s;
		memset(&s, 0, sizeof s);
		snprintf(s.id, sizeof s.id, "s%03d-threads-c4-o%d", k + 1, k * 100);
		s.model = "threads";
		s.query = "seed";
		s.connections = s.workers = 4;
		s.offset = k * 100;
		s.threads = 1;
		s.duration_s = 2;
		s.ok = lat.total;
		s.errors = (uint64_t)host + 1;
		s.ncodes = 1;
		snprintf(s.codes[0].code, sizeof s.codes[0].code, "%s", host == 1 ? "57014" : "08006");
		s.codes[0].n = s.errors;
		s.lat = &lat;
		s.qualifying = -1;
		s.empty_pages = -1;
		s.split = SPLIT_NONE;
		s.scheduled = 1;
		for (long sec = 1; sec <= 2; sec++) {
			struct interval iv = { sec, lat.total / 2 + (uint64_t)(sec == 2 ? lat.total % 2 : 0), 0, 0, 1000, 2000, 3000, NULL };
			results_interval(&r, s.id, &iv);
		}
		assert_int_equal(results_step(&r, &s), 0);
		hist_free(&lat);
	}
	assert_int_equal(results_close(&r, "complete"), 0);
	results_unlock(fd);
}

static void rm_rf(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void merge_is_exact(void **state)
{
	(void)state;
	char base[] = "/tmp/pgpb-test-merge.XXXXXX";
	assert_non_null(mkdtemp(base));
	int64_t *raw[NSTEPS];
	for (int k = 0; k < NSTEPS; k++) {
		raw[k] = malloc(NSAMPLES * sizeof *raw[k]);
		for (int i = 0; i < NSAMPLES; i++)
			raw[k][i] = sample() * (k + 1);
	}
	char dirs[NHOSTS][600], out[600];
	const char *tags[NHOSTS] = { "h0", "h1", "h2" };
	for (int h = 0; h < NHOSTS; h++) {
		snprintf(dirs[h], sizeof dirs[h], "%s/%s", base, tags[h]);
		write_host(dirs[h], tags[h], "sha-a", raw, h);
	}
	snprintf(out, sizeof out, "%s/merged", base);
	const char *list[NHOSTS] = { dirs[0], dirs[1], dirs[2] };
	struct merge_opts o = { list, NHOSTS, out, 0, "pgpagebench merge (test)", 1 };
	int fd;
	assert_int_equal(merge_runs(&o, &fd), 0);
	merge_release(fd);

	struct res_run run;
	assert_int_equal(res_load(out, &run), 0);
	assert_int_equal(run.nsteps, NSTEPS);
	assert_string_equal(run.status, "complete");
	assert_int_equal(run.nhosts, NHOSTS);
	static const double ps[] = { 0, 1, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 99.999, 100 };
	for (int k = 0; k < NSTEPS; k++) {
		const struct res_step *s = &run.steps[k];
		struct hist all, merged;
		char err[256];
		assert_int_equal(hist_init(&all, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS), 0);
		for (int i = 0; i < NSAMPLES; i++)
			hist_record(&all, raw[k][i]);
		assert_int_equal(res_summary_hist(out, s->id, &merged, err, sizeof err), 0);
		assert_int_equal(merged.total, NSAMPLES);
		assert_true(s->v[RF_OK] == NSAMPLES);
		assert_true(s->v[RF_ERRORS] == 1 + 2 + 3);
		assert_true(s->v[RF_CONNECTIONS] == 4 * NHOSTS);
		assert_true(s->v[RF_QPS] == NSAMPLES / 2.0);
		qsort(raw[k], NSAMPLES, sizeof *raw[k], cmp_i64);
		for (size_t j = 0; j < sizeof ps / sizeof ps[0]; j++) {
			int64_t want_raw = raw[k][hist_rank(ps[j], NSAMPLES) - 1];
			int64_t bucket_top = hist_highest_equivalent(&all, want_raw);
			if (bucket_top > raw[k][NSAMPLES - 1])
				bucket_top = raw[k][NSAMPLES - 1]; /* never beyond the exact max */
			assert_int_equal(hist_percentile(&merged, ps[j]), hist_percentile(&all, ps[j]));
			assert_int_equal(hist_percentile(&merged, ps[j]), bucket_top);
		}
		/* the steps.csv figures of the merge are those percentiles */
		assert_true(s->v[RF_P99_US] == (double)hist_percentile(&all, 99));
		assert_true(s->v[RF_P999_US] == (double)hist_percentile(&all, 99.9));
		assert_true(s->v[RF_MAX_US] == (double)raw[k][NSAMPLES - 1]);
		assert_true(s->v[RF_MIN_US] == (double)raw[k][0]);
		/* the mean is exact too: the sums of the hosts add up */
		double sum = 0;
		for (int i = 0; i < NSAMPLES; i++)
			sum += (double)raw[k][i];
		assert_true(s->v[RF_MEAN_US] > sum / NSAMPLES - 0.06 && s->v[RF_MEAN_US] < sum / NSAMPLES + 0.06);
		/* each host's seconds kept, the merged seconds summing to the total */
		double q = 0;
		for (size_t j = 0; j < s->nsec; j++)
			q += s->sec[j].queries;
		assert_true(q == NSAMPLES);
		assert_int_equal(s->nhsec, 2 * NHOSTS);
		hist_free(&all);
		hist_free(&merged);
	}
	res_free(&run);
	/* errors by SQLSTATE summed */
	char err[256];
	json_t *sum = res_summary_json(out, err, sizeof err);
	assert_non_null(sum);
	json_t *codes = json_object_get(json_array_get(json_object_get(sum, "steps"), 0), "errors_by_sqlstate");
	assert_int_equal(json_integer_value(json_object_get(codes, "08006")), 1 + 3);
	assert_int_equal(json_integer_value(json_object_get(codes, "57014")), 2);
	json_decref(sum);
	char path[700];
	snprintf(path, sizeof path, "%s/hosts.csv", out);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[4096];
	int rows = 0;
	while (fgets(line, sizeof line, f))
		rows++;
	fclose(f);
	assert_int_equal(rows, 1 + NHOSTS * NSTEPS);

	/* refusals: the merge over one of the runs, a host named twice, another query */
	o.out = dirs[0];
	o.force = 1;
	assert_int_equal(merge_runs(&o, &fd), 1);
	merge_release(fd);
	o.out = out;
	const char *twice[2] = { dirs[0], dirs[0] };
	struct merge_opts o2 = { twice, 2, out, 1, NULL, 1 };
	assert_int_equal(merge_runs(&o2, &fd), 1);
	merge_release(fd);
	char other[600];
	snprintf(other, sizeof other, "%s/other", base);
	write_host(other, "h3", "sha-b", raw, 0);
	const char *mixed[2] = { dirs[0], other };
	struct merge_opts o3 = { mixed, 2, out, 1, NULL, 1 };
	assert_int_equal(merge_runs(&o3, &fd), 1);
	merge_release(fd);
	for (int k = 0; k < NSTEPS; k++)
		free(raw[k]);
	rm_rf(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(merge_is_exact),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
