/*
 * results.c: writes the result files of docs/results.md. CSV rows are appended and flushed after every
 * step; JSON files are rewritten whole through a temporary file and rename(), so a reader never sees a
 * half-written file and an interrupted run leaves valid files behind.
 */
#include "bench/results.h"
#include "common/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char STEPS_HEADER[] =
	"step,model,query,connections,workers,loops,offset,rate_qps,duration_s,ok,errors,validation_errors,"
	"reconnects,qps,min_us,mean_us,stddev_us,p50_us,p90_us,p95_us,p99_us,p999_us,max_us,uncorrected_p50_us,"
	"uncorrected_p99_us,uncorrected_p999_us,wait_mean_us,wait_p50_us,wait_p99_us,service_p50_us,service_p99_us,"
	"lag_p99_us,late_starts,connect_s,client_cpu_s,cpu_per_query_us,server_calls,server_mean_exec_us,"
	"server_stddev_exec_us,server_mean_plan_us,server_blks_hit,server_blks_read,db_xact_commit,db_blks_hit,"
	"db_blks_read,partial,threads,p99_reliable,p999_reliable,qualifying_rows,empty_pages,achieved_ratio,"
	"rate_unmet,dropped,inflight_start,inflight_end,split_error_us,split_reliable,hiccup_p99_us,"
	"hiccup_max_us,driver_saturated\n";

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
	fputs(STEPS_HEADER, r->steps);
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

/* One CSV field and its JSON twin: numbers, or empty/null when not applicable. */
struct row {
	FILE *f;
	json_t *j;
	int first;
};
static void col_str(struct row *w, const char *name, const char *v)
{
	fprintf(w->f, "%s%s", w->first ? "" : ",", v);
	w->first = 0;
	json_object_set_new(w->j, name, json_string(v));
}
static void col_int(struct row *w, const char *name, long long v)
{
	fprintf(w->f, "%s%lld", w->first ? "" : ",", v);
	w->first = 0;
	json_object_set_new(w->j, name, json_integer(v));
}
static void col_num(struct row *w, const char *name, double v, int decimals)
{
	fprintf(w->f, "%s%.*f", w->first ? "" : ",", decimals, v);
	w->first = 0;
	json_object_set_new(w->j, name, json_real(v));
}
static void col_empty(struct row *w, const char *name)
{
	fprintf(w->f, "%s", w->first ? "" : ",");
	w->first = 0;
	json_object_set_new(w->j, name, json_null());
}

double results_rate_ratio(const struct step_result *s)
{
	if (!(s->rate > 0) || !(s->duration_s > 0))
		return -1;
	return (double)s->ok / s->duration_s / s->rate;
}

/* summary.json's "percentiles": each latency percentile and whether its tail is deep enough to trust
 * (at least 10 queries at or beyond it, bench/hist.h). */
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

static int write_hgrm(const struct results *r, const char *id, const char *suffix, const struct hist *h)
{
	char path[4300];
	snprintf(path, sizeof path, "%s/%s%s.hgrm", r->dir, id, suffix);
	FILE *f = fopen(path, "w");
	int rc = 0;
	if (!f || hist_write_hgrm(h, f, 1000.0) < 0)
		rc = -1;
	if (f && fclose(f) != 0)
		rc = -1;
	if (rc < 0)
		log_error("could not write \"%s\": %s", path, strerror(errno));
	return rc;
}

int results_step(struct results *r, const struct step_result *s)
{
	json_t *j = json_object();
	struct row w = { r->steps, j, 1 };
	const struct hist *h = s->lat;
	int have = h->total > 0;
	col_str(&w, "step", s->id);
	col_str(&w, "model", s->model);
	col_str(&w, "query", s->query);
	col_int(&w, "connections", s->connections);
	col_int(&w, "workers", s->workers);
	if (s->loops)
		col_int(&w, "loops", s->loops);
	else
		col_empty(&w, "loops");
	if (s->mix)
		col_str(&w, "offset", "mix");
	else
		col_int(&w, "offset", s->offset);
	if (s->rate > 0)
		col_num(&w, "rate_qps", s->rate, 1);
	else
		col_empty(&w, "rate_qps");
	col_num(&w, "duration_s", s->duration_s, 3);
	col_int(&w, "ok", (long long)s->ok);
	col_int(&w, "errors", (long long)s->errors);
	col_int(&w, "validation_errors", (long long)s->verrors);
	col_int(&w, "reconnects", (long long)s->reconnects);
	if (s->duration_s > 0)
		col_num(&w, "qps", (double)s->ok / s->duration_s, 1);
	else
		col_empty(&w, "qps");
	static const struct { const char *name; double p; } pct[] = {
		{ "p50_us", 50 }, { "p90_us", 90 }, { "p95_us", 95 }, { "p99_us", 99 }, { "p999_us", 99.9 } };
	if (have) {
		col_int(&w, "min_us", hist_min(h));
		col_num(&w, "mean_us", hist_mean(h), 1);
		col_num(&w, "stddev_us", hist_stddev(h), 1);
		for (size_t i = 0; i < sizeof pct / sizeof pct[0]; i++)
			col_int(&w, pct[i].name, hist_percentile(h, pct[i].p));
		col_int(&w, "max_us", hist_max(h));
	} else {
		static const char *const names[] = { "min_us", "mean_us", "stddev_us", "p50_us", "p90_us",
		                                     "p95_us", "p99_us", "p999_us", "max_us" };
		for (size_t i = 0; i < 9; i++)
			col_empty(&w, names[i]);
	}
	/* open loop: from the actual send; shared pool: waiting for and holding a connection */
	int unc = s->uncorrected && s->uncorrected->total, wt = s->wait && s->wait->total;
	static const char *const unames[] = { "uncorrected_p50_us", "uncorrected_p99_us", "uncorrected_p999_us" };
	static const double ups[] = { 50, 99, 99.9 };
	for (int k = 0; k < 3; k++)
		if (unc)
			col_int(&w, unames[k], hist_percentile(s->uncorrected, ups[k]));
		else
			col_empty(&w, unames[k]);
	if (wt) {
		col_num(&w, "wait_mean_us", hist_mean(s->wait), 1);
		col_int(&w, "wait_p50_us", hist_percentile(s->wait, 50));
		col_int(&w, "wait_p99_us", hist_percentile(s->wait, 99));
		col_int(&w, "service_p50_us", hist_percentile(s->service, 50));
		col_int(&w, "service_p99_us", hist_percentile(s->service, 99));
	} else {
		static const char *const names[] = { "wait_mean_us", "wait_p50_us", "wait_p99_us", "service_p50_us",
		                                     "service_p99_us" };
		for (size_t k = 0; k < 5; k++)
			col_empty(&w, names[k]);
	}
	if (s->lag && s->rate > 0) {
		if (s->lag->total)
			col_int(&w, "lag_p99_us", hist_percentile(s->lag, 99));
		else
			col_empty(&w, "lag_p99_us");
		col_int(&w, "late_starts", (long long)s->late_starts);
	} else {
		col_empty(&w, "lag_p99_us");
		col_empty(&w, "late_starts");
	}
	col_num(&w, "connect_s", s->connect_s, 3);
	col_num(&w, "client_cpu_s", s->client_cpu_s, 3);
	if (s->ok)
		col_num(&w, "cpu_per_query_us", s->client_cpu_s * 1e6 / (double)s->ok, 2);
	else
		col_empty(&w, "cpu_per_query_us");
	if (s->srv.have_pgss) {
		col_int(&w, "server_calls", s->srv.calls);
		if (s->srv.calls) {
			col_num(&w, "server_mean_exec_us", s->srv.mean_exec_us, 1);
			col_num(&w, "server_stddev_exec_us", s->srv.stddev_exec_us, 1);
		} else {
			col_empty(&w, "server_mean_exec_us");
			col_empty(&w, "server_stddev_exec_us");
		}
		if (s->srv.have_plan)
			col_num(&w, "server_mean_plan_us", s->srv.mean_plan_us, 1);
		else
			col_empty(&w, "server_mean_plan_us");
		col_int(&w, "server_blks_hit", s->srv.shared_hit);
		col_int(&w, "server_blks_read", s->srv.shared_read);
	} else {
		static const char *const names[] = { "server_calls", "server_mean_exec_us", "server_stddev_exec_us",
		                                     "server_mean_plan_us", "server_blks_hit", "server_blks_read" };
		for (size_t i = 0; i < 6; i++)
			col_empty(&w, names[i]);
	}
	if (s->srv.have_db) {
		col_int(&w, "db_xact_commit", s->srv.xact_commit);
		col_int(&w, "db_blks_hit", s->srv.blks_hit);
		col_int(&w, "db_blks_read", s->srv.blks_read);
	} else {
		col_empty(&w, "db_xact_commit");
		col_empty(&w, "db_blks_hit");
		col_empty(&w, "db_blks_read");
	}
	col_int(&w, "partial", s->partial);
	col_int(&w, "threads", s->threads);
	/* how far the figures can be trusted: thin tails, empty pages, an unmet rate */
	if (have) {
		col_int(&w, "p99_reliable", hist_pct_reliable(h->total, 99));
		col_int(&w, "p999_reliable", hist_pct_reliable(h->total, 99.9));
	} else {
		col_empty(&w, "p99_reliable");
		col_empty(&w, "p999_reliable");
	}
	if (s->qualifying >= 0)
		col_int(&w, "qualifying_rows", s->qualifying);
	else
		col_empty(&w, "qualifying_rows");
	if (s->empty_pages >= 0)
		col_int(&w, "empty_pages", s->empty_pages);
	else
		col_empty(&w, "empty_pages");
	double ratio = results_rate_ratio(s);
	if (ratio >= 0) {
		col_num(&w, "achieved_ratio", ratio, 3);
		col_int(&w, "rate_unmet", ratio < RESULTS_RATE_MET);
		col_int(&w, "dropped", (long long)s->dropped);
	} else {
		col_empty(&w, "achieved_ratio");
		col_empty(&w, "rate_unmet");
		col_empty(&w, "dropped");
	}
	/* the measured window's edges, the split's reliability, the driver's hiccups */
	col_int(&w, "inflight_start", (long long)s->inflight_start);
	col_int(&w, "inflight_end", (long long)s->inflight_end);
	if (s->split != SPLIT_NONE && s->srv.calls > 0 && have)
		col_num(&w, "split_error_us", s->split_error_us, 1);
	else
		col_empty(&w, "split_error_us");
	if (s->split != SPLIT_NONE)
		col_int(&w, "split_reliable", s->split == SPLIT_OK);
	else
		col_empty(&w, "split_reliable");
	if (s->hiccup && s->hiccup->total) {
		col_int(&w, "hiccup_p99_us", hist_percentile(s->hiccup, 99));
		col_int(&w, "hiccup_max_us", hist_max(s->hiccup));
	} else {
		col_empty(&w, "hiccup_p99_us");
		col_empty(&w, "hiccup_max_us");
	}
	col_int(&w, "driver_saturated", s->saturated);
	fputc('\n', r->steps);
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
	if (write_hgrm(r, s->id, "", h) < 0)
		rc = -1;
	if (s->uncorrected && write_hgrm(r, s->id, ".uncorrected", s->uncorrected) < 0)
		rc = -1;
	if (s->wait && write_hgrm(r, s->id, ".wait", s->wait) < 0)
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
