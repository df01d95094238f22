/* test_merge.c: resdir/merge.h is exact. Raw latencies (a skewed spread from microseconds to seconds) are
 * split across 3 "hosts", each host's run written through resdir/write.h as the driver writes one; the
 * merge of the three is read back, and every percentile equals both the one of a single histogram fed
 * with all the samples and the nearest-rank value of the sorted raw samples (as its bucket reports it).
 * Counts and errors by SQLSTATE add up, each host keeps its row in hosts.csv, and runs that do not share
 * the plan (another query, a host named twice, the merge written over a run) are refused. A host whose
 * summary.json lost its histograms is merged from its .hlog files to the same percentiles; a .hlog that
 * holds other buckets than summary.json (another step's line pasted in) is refused. */
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

/* The whole text of a file (malloc'd). */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char *buf = malloc(1 << 22);
	size_t n = fread(buf, 1, (1 << 22) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void spill(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* The "Tag=step," line of a .hlog (a pointer into text, up to its newline). */
static char *step_line(char *text, size_t *len)
{
	char *p = strstr(text, "\nTag=step,");
	assert_non_null(p);
	p++;
	*len = strcspn(p, "\n");
	return p;
}

static int merge_into(const char *const *list, size_t n, const char *out)
{
	struct merge_opts o = { list, n, out, 1, "pgpagebench merge (test)", 1 };
	int fd;
	int rc = merge_runs(&o, &fd);
	merge_release(fd);
	return rc;
}

static const char *host_source(const char *out, int host, const char *field)
{
	static char buf[64];
	char err[256];
	json_t *meta = res_meta_json(out, err, sizeof err);
	assert_non_null(meta);
	json_t *hs = json_object_get(json_array_get(json_object_get(json_object_get(meta, "merged"), "hosts"), (size_t)host),
	                             "histograms");
	json_t *v = json_object_get(hs, field);
	if (json_is_string(v))
		snprintf(buf, sizeof buf, "%s", json_string_value(v));
	else
		snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
	json_decref(meta);
	return buf;
}

static void merge_reads_hlog(void **state)
{
	(void)state;
	char base[] = "/tmp/pgpb-test-merge-hlog.XXXXXX";
	assert_non_null(mkdtemp(base));
	int64_t *raw[NSTEPS];
	for (int k = 0; k < NSTEPS; k++) {
		raw[k] = malloc(NSAMPLES * sizeof *raw[k]);
		for (int i = 0; i < NSAMPLES; i++)
			raw[k][i] = sample() * (k + 1);
	}
	char dirs[NHOSTS][600], out[600], out2[600], path[700], path2[700], err[256];
	const char *tags[NHOSTS] = { "h0", "h1", "h2" };
	for (int h = 0; h < NHOSTS; h++) {
		snprintf(dirs[h], sizeof dirs[h], "%s/%s", base, tags[h]);
		write_host(dirs[h], tags[h], "sha-a", raw, h);
	}
	const char *list[NHOSTS] = { dirs[0], dirs[1], dirs[2] };
	snprintf(out, sizeof out, "%s/merged", base);
	assert_int_equal(merge_into(list, NHOSTS, out), 0);
	assert_string_equal(host_source(out, 0, "from"), "summary.json");
	assert_string_equal(host_source(out, 0, "steps_checked_against_hlog"), "2");

	/* h1's summary.json without its histograms (cut down, or written by another tool): its .hlog files */
	snprintf(path, sizeof path, "%s/summary.json", dirs[1]);
	json_t *sum = res_summary_json(dirs[1], err, sizeof err);
	assert_non_null(sum);
	json_t *js;
	size_t i;
	json_array_foreach(json_object_get(sum, "steps"), i, js) json_object_del(js, "histograms");
	assert_int_equal(json_dump_file(sum, path, JSON_INDENT(1)), 0);
	json_decref(sum);
	snprintf(out2, sizeof out2, "%s/merged2", base);
	assert_int_equal(merge_into(list, NHOSTS, out2), 0);
	assert_string_equal(host_source(out2, 1, "from"), "hlog");
	assert_string_equal(host_source(out2, 1, "steps_from_hlog"), "2");
	assert_string_equal(host_source(out2, 2, "from"), "summary.json");
	struct res_run a, b;
	assert_int_equal(res_load(out, &a), 0);
	assert_int_equal(res_load(out2, &b), 0);
	static const double ps[] = { 0, 1, 10, 50, 90, 99, 99.9, 99.99, 100 };
	for (int k = 0; k < NSTEPS; k++) {
		struct hist ha, hb;
		assert_int_equal(res_summary_hist(out, a.steps[k].id, &ha, err, sizeof err), 0);
		assert_int_equal(res_summary_hist(out2, b.steps[k].id, &hb, err, sizeof err), 0);
		assert_int_equal(hb.total, NSAMPLES);
		for (size_t j = 0; j < sizeof ps / sizeof ps[0]; j++)
			assert_int_equal(hist_percentile(&hb, ps[j]), hist_percentile(&ha, ps[j]));
		assert_true(b.steps[k].v[RF_P99_US] == a.steps[k].v[RF_P99_US]);
		assert_true(b.steps[k].v[RF_MAX_US] == a.steps[k].v[RF_MAX_US]); /* Interval_Max: the exact max */
		assert_true(b.steps[k].v[RF_OK] == NSAMPLES);
		hist_free(&ha);
		hist_free(&hb);
	}
	char s1[600], s2[600];
	snprintf(s1, sizeof s1, "%s", a.steps[0].id);
	snprintf(s2, sizeof s2, "%s", a.steps[1].id);
	res_free(&a);
	res_free(&b);

	/* h0's first step's .hlog with the second step's line: summary.json and the .hlog disagree */
	snprintf(path, sizeof path, "%s/%s.hlog", dirs[0], s1);
	snprintf(path2, sizeof path2, "%s/%s.hlog", dirs[0], s2);
	char *t1 = slurp(path), *t2 = slurp(path2);
	size_t l1, l2;
	char *p1 = step_line(t1, &l1), *p2 = step_line(t2, &l2);
	char *tampered = malloc(strlen(t1) + l2 + 1);
	snprintf(tampered, strlen(t1) + l2 + 1, "%.*s%.*s%s", (int)(p1 - t1), t1, (int)l2, p2, p1 + l1);
	spill(path, tampered);
	snprintf(out2, sizeof out2, "%s/merged3", base);
	assert_int_equal(merge_into(list, NHOSTS, out2), 1);
	struct stat st;
	assert_int_equal(stat(out2, &st), -1); /* refused before anything was written */
	/* h1 (no histograms in summary.json) without the .hlog of a step: nothing to merge it from */
	spill(path, t1);
	snprintf(path, sizeof path, "%s/%s.hlog", dirs[1], s2);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(merge_into(list, NHOSTS, out2), 1);
	free(t1);
	free(t2);
	free(tampered);
	for (int k = 0; k < NSTEPS; k++)
		free(raw[k]);
	rm_rf(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(merge_is_exact),
		cmocka_unit_test(merge_reads_hlog),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
