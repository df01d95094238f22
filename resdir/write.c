/*
 * write.c: writes the result files of docs/results.md. CSV rows are appended and flushed after every
 * step; JSON files are rewritten whole through a temporary file and rename(), so a reader never sees a
 * half-written file and an interrupted run leaves valid files behind. A step becomes one struct steps_row
 * first (resdir/steps.h): the same row gives the steps.csv line and the step's summary.json object.
 */
#include "resdir/write.h"
#include "resdir/hgrm.h"
#include "common/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void results_now_iso(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int write_json(const struct results *r, const char *name, json_t *j)
{
	char path[4200], tmp[4300];
	snprintf(path, sizeof path, "%s/%s", r->dir, name);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if (json_dump_file(j, tmp, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) != 0 || rename(tmp, path) != 0) {
		log_error("could not write \"%s\": %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int write_summary(struct results *r)
{
	json_t *s = json_pack("{s:O,s:O}", "meta", r->meta, "steps", r->steps_json);
	int rc = write_json(r, "summary.json", s);
	json_decref(s);
	return rc;
}

int results_open(struct results *r, const char *dir, json_t *meta)
{
	memset(r, 0, sizeof *r);
	snprintf(r->dir, sizeof r->dir, "%s", dir);
	r->meta = meta;
	r->steps_json = json_array();
	json_object_set_new(meta, "status", json_string("running"));
	char path[4200];
	snprintf(path, sizeof path, "%s/steps.csv", dir);
	r->steps = fopen(path, "w");
	snprintf(path, sizeof path, "%s/intervals.csv", dir);
	r->intervals = r->steps ? fopen(path, "w") : NULL;
	if (!r->steps || !r->intervals) {
		log_error("could not create \"%s\": %s", path, strerror(errno));
		return -1;
	}
	steps_write_header(r->steps);
	fputs("step,second,queries,errors,p50_us,p99_us,max_us,validation_errors\n", r->intervals);
	fflush(r->steps);
	fflush(r->intervals);
	if (write_json(r, "meta.json", meta) < 0 || write_summary(r) < 0)
		return -1;
	return 0;
}

int results_interval(struct results *r, const char *step, const struct interval *iv)
{
	if (iv->queries)
		fprintf(r->intervals, "%s,%ld,%llu,%llu,%lld,%lld,%lld,%llu\n", step, iv->second,
		        (unsigned long long)iv->queries, (unsigned long long)iv->errors, (long long)iv->p50_us,
		        (long long)iv->p99_us, (long long)iv->max_us, (unsigned long long)iv->verrors);
	else
		fprintf(r->intervals, "%s,%ld,0,%llu,,,,%llu\n", step, iv->second, (unsigned long long)iv->errors,
		        (unsigned long long)iv->verrors);
	return 0;
}

static json_t *hist_json(const struct hist *h)
{
	json_t *buckets = json_array();
	int32_t it = 0;
	int64_t v;
	uint64_t c;
	while (hist_next_bucket(h, &it, &v, &c))
		json_array_append_new(buckets, json_pack("[I,I]", (json_int_t)v, (json_int_t)c));
	return json_pack("{s:s,s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:o}", "unit", "us", "significant_digits", h->sig_digits,
	                 "lowest_us", (json_int_t)h->lowest, "highest_us", (json_int_t)h->highest, "total",
	                 (json_int_t)h->total, "min_us", (json_int_t)hist_min(h), "max_us", (json_int_t)hist_max(h),
	                 "sum_us", (json_int_t)h->sum, "buckets", buckets);
}

double results_rate_ratio(const struct step_result *s)
{
	if (!(s->rate > 0) || !(s->duration_s > 0))
		return -1;
	return (double)s->ok / s->duration_s / s->rate;
}

/* summary.json's "percentiles": each latency percentile and whether its tail is deep enough to trust
 * (at least 10 queries at or beyond it, common/hist.h). */
static json_t *percentiles_json(const struct hist *h)
{
	static const double ps[] = { 50, 90, 95, 99, 99.9 };
	json_t *a = json_array();
	for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
		if (!h->total)
			break;
		json_array_append_new(a, json_pack("{s:f,s:I,s:b}", "p", ps[i], "value_us",
		                                   (json_int_t)hist_percentile(h, ps[i]), "reliable",
		                                   hist_pct_reliable(h->total, ps[i])));
	}
	return a;
}

/* The step's steps.csv row; a cell left unset is "not applicable / not measured". */
static void step_row(const struct step_result *s, struct steps_row *w)
{
	const struct hist *h = s->lat;
	int have = h->total > 0;
	memset(w, 0, sizeof *w);
	steps_text(w, RF_STEP, s->id);
	steps_text(w, RF_MODEL, s->model);
	steps_text(w, RF_QUERY, s->query);
	steps_int(w, RF_CONNECTIONS, s->connections);
	steps_int(w, RF_WORKERS, s->workers);
	if (s->loops)
		steps_int(w, RF_LOOPS, s->loops);
	if (s->mix)
		steps_text(w, RF_OFFSET, "mix");
	else
		steps_int(w, RF_OFFSET, s->offset);
	if (s->rate > 0)
		steps_num(w, RF_RATE_QPS, s->rate);
	steps_num(w, RF_DURATION_S, s->duration_s);
	steps_int(w, RF_OK, (long long)s->ok);
	steps_int(w, RF_ERRORS, (long long)s->errors);
	steps_int(w, RF_VALIDATION_ERRORS, (long long)s->verrors);
	steps_int(w, RF_RECONNECTS, (long long)s->reconnects);
	if (s->duration_s > 0)
		steps_num(w, RF_QPS, (double)s->ok / s->duration_s);
	static const struct { enum res_field f; double p; } pct[] = {
		{ RF_P50_US, 50 }, { RF_P90_US, 90 }, { RF_P95_US, 95 }, { RF_P99_US, 99 }, { RF_P999_US, 99.9 } };
	if (have) {
		steps_int(w, RF_MIN_US, hist_min(h));
		steps_num(w, RF_MEAN_US, hist_mean(h));
		steps_num(w, RF_STDDEV_US, hist_stddev(h));
		for (size_t i = 0; i < sizeof pct / sizeof pct[0]; i++)
			steps_int(w, pct[i].f, hist_percentile(h, pct[i].p));
		steps_int(w, RF_MAX_US, hist_max(h));
	}
	/* open loop: from the actual send; shared pool: waiting for and holding a connection */
	if (s->uncorrected && s->uncorrected->total) {
		steps_int(w, RF_UNC_P50_US, hist_percentile(s->uncorrected, 50));
		steps_int(w, RF_UNC_P99_US, hist_percentile(s->uncorrected, 99));
		steps_int(w, RF_UNC_P999_US, hist_percentile(s->uncorrected, 99.9));
	}
	if (s->wait && s->wait->total) {
		steps_num(w, RF_WAIT_MEAN_US, hist_mean(s->wait));
		steps_int(w, RF_WAIT_P50_US, hist_percentile(s->wait, 50));
		steps_int(w, RF_WAIT_P99_US, hist_percentile(s->wait, 99));
		steps_int(w, RF_SERVICE_P50_US, hist_percentile(s->service, 50));
		steps_int(w, RF_SERVICE_P99_US, hist_percentile(s->service, 99));
	}
	if (s->lag && s->rate > 0) {
		if (s->lag->total)
			steps_int(w, RF_LAG_P99_US, hist_percentile(s->lag, 99));
		steps_int(w, RF_LATE_STARTS, (long long)s->late_starts);
	}
	steps_num(w, RF_CONNECT_S, s->connect_s);
	steps_num(w, RF_CLIENT_CPU_S, s->client_cpu_s);
	if (s->ok)
		steps_num(w, RF_CPU_PER_QUERY_US, s->client_cpu_s * 1e6 / (double)s->ok);
	if (s->srv.have_pgss) {
		steps_int(w, RF_SERVER_CALLS, s->srv.calls);
		if (s->srv.calls) {
			steps_num(w, RF_SERVER_MEAN_EXEC_US, s->srv.mean_exec_us);
			steps_num(w, RF_SERVER_STDDEV_EXEC_US, s->srv.stddev_exec_us);
		}
		if (s->srv.have_plan)
			steps_num(w, RF_SERVER_MEAN_PLAN_US, s->srv.mean_plan_us);
		steps_int(w, RF_SERVER_BLKS_HIT, s->srv.shared_hit);
		steps_int(w, RF_SERVER_BLKS_READ, s->srv.shared_read);
	}
	if (s->srv.have_db) {
		steps_int(w, RF_DB_XACT_COMMIT, s->srv.xact_commit);
		steps_int(w, RF_DB_BLKS_HIT, s->srv.blks_hit);
		steps_int(w, RF_DB_BLKS_READ, s->srv.blks_read);
	}
	steps_int(w, RF_PARTIAL, s->partial);
	steps_int(w, RF_THREADS, s->threads);
	/* how far the figures can be trusted: thin tails, empty pages, an unmet rate */
	if (have) {
		steps_int(w, RF_P99_RELIABLE, hist_pct_reliable(h->total, 99));
		steps_int(w, RF_P999_RELIABLE, hist_pct_reliable(h->total, 99.9));
	}
	if (s->qualifying >= 0)
		steps_int(w, RF_QUALIFYING_ROWS, s->qualifying);
	if (s->empty_pages >= 0)
		steps_int(w, RF_EMPTY_PAGES, s->empty_pages);
	double ratio = results_rate_ratio(s);
	if (ratio >= 0) {
		steps_num(w, RF_ACHIEVED_RATIO, ratio);
		steps_int(w, RF_RATE_UNMET, ratio < RESULTS_RATE_MET);
		steps_int(w, RF_DROPPED, (long long)s->dropped);
	}
	/* the measured window's edges, the split's reliability, the driver's hiccups */
	steps_int(w, RF_INFLIGHT_START, (long long)s->inflight_start);
	steps_int(w, RF_INFLIGHT_END, (long long)s->inflight_end);
	if (s->split != SPLIT_NONE && s->srv.calls > 0 && have)
		steps_num(w, RF_SPLIT_ERROR_US, s->split_error_us);
	if (s->split != SPLIT_NONE)
		steps_int(w, RF_SPLIT_RELIABLE, s->split == SPLIT_OK);
	if (s->hiccup && s->hiccup->total) {
		steps_int(w, RF_HICCUP_P99_US, hist_percentile(s->hiccup, 99));
		steps_int(w, RF_HICCUP_MAX_US, hist_max(s->hiccup));
	}
	steps_int(w, RF_DRIVER_SATURATED, s->saturated);
}

int results_step(struct results *r, const struct step_result *s)
{
	json_t *j = json_object();
	const struct hist *h = s->lat;
	struct steps_row row;
	step_row(s, &row);
	steps_write_row(r->steps, j, &row);
	json_object_set_new(j, "n", json_integer((json_int_t)h->total));
	json_object_set_new(j, "percentiles", percentiles_json(h));
	if (s->split != SPLIT_NONE) /* JSON: booleans */
		json_object_set_new(j, "split_reliable", json_boolean(s->split == SPLIT_OK));
	json_object_set_new(j, "driver_saturated", json_boolean(s->saturated));
	if (s->saturated)
		json_object_set_new(j, "driver_saturated_why", json_string(s->saturated_why));
	json_t *codes = json_object();
	for (int i = 0; i < s->ncodes; i++)
		json_object_set_new(codes, s->codes[i].code, json_integer((json_int_t)s->codes[i].n));
	json_object_set_new(j, "errors_by_sqlstate", codes);
	json_t *hs = json_pack("{s:o}", "latency", hist_json(h));
	if (s->uncorrected)
		json_object_set_new(hs, "uncorrected", hist_json(s->uncorrected));
	if (s->lag)
		json_object_set_new(hs, "lag", hist_json(s->lag));
	if (s->wait) {
		json_object_set_new(hs, "wait", hist_json(s->wait));
		json_object_set_new(hs, "service", hist_json(s->service));
	}
	json_object_set_new(j, "histograms", hs);
	json_array_append_new(r->steps_json, j);
	int rc = 0;
	if (fflush(r->steps) != 0 || fflush(r->intervals) != 0) {
		log_error("could not write steps.csv in \"%s\": %s", r->dir, strerror(errno));
		rc = -1;
	}
	if (hgrm_write(r->dir, s->id, "", h) < 0)
		rc = -1;
	if (s->uncorrected && hgrm_write(r->dir, s->id, ".uncorrected", s->uncorrected) < 0)
		rc = -1;
	if (s->wait && hgrm_write(r->dir, s->id, ".wait", s->wait) < 0)
		rc = -1;
	if (write_summary(r) < 0)
		rc = -1;
	return rc;
}

int results_close(struct results *r, const char *status)
{
	int rc = 0;
	if (r->meta) {
		char now[32];
		results_now_iso(now, sizeof now);
		json_object_set_new(r->meta, "status", json_string(status));
		json_object_set_new(r->meta, "finished_at", json_string(now));
		if (write_json(r, "meta.json", r->meta) < 0 || write_summary(r) < 0)
			rc = -1;
	}
	if (r->steps && fclose(r->steps) != 0)
		rc = -1;
	if (r->intervals && fclose(r->intervals) != 0)
		rc = -1;
	r->steps = r->intervals = NULL;
	json_decref(r->meta);
	json_decref(r->steps_json);
	r->meta = r->steps_json = NULL;
	return rc;
}
