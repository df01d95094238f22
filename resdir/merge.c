/*
 * merge.c: `pgpagebench merge` (resdir/merge.h). The runs are read whole (res_load for steps.csv and
 * intervals.csv, meta.json and summary.json as JSON), checked against the first one field by field so the
 * refusal names the first difference (a step's histograms come from summary.json, else from its .hlog,
 * and must be the same buckets in both when both hold them), and each step is rebuilt as the driver
 * would have written it had one host issued every query: histograms added bucket by bucket, counts and
 * SQLSTATEs summed, the per-second rows summed over the seconds every host measured. The step goes
 * through results_step like a run's, so steps.csv, summary.json, the .hgrm tables and intervals.csv of
 * the merge follow the same rules; hosts.csv and host-intervals.csv keep each host's figures beside the total.
 */
#include "resdir/merge.h"
#include "common/alloc.h"
#include "common/cli.h"
#include "common/log.h"
#include "common/sig.h"
#include "resdir/hlog.h"
#include "resdir/read.h"
#include "resdir/write.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>

/* The histograms a step may carry in summary.json, in step_result's terms. */
enum { H_LAT, H_UNC, H_LAG, H_WAIT, H_SERVICE, H_KINDS };
static const char *const hist_names[H_KINDS] = { "latency", "uncorrected", "lag", "wait", "service" };

struct host {
	const char *dir;
	char tag[128];
	struct res_run run;
	json_t *meta, *summary; /* owned */
	json_t **jsteps; /* summary.json's object of each step of run.steps, in the same order */
	size_t from_summary, from_hlog, checked; /* steps whose latency came from summary.json or the .hlog; steps
	                                          * with both, found to hold the same buckets */
};

struct merge {
	const struct merge_opts *o;
	struct host *h;
	size_t n;
	struct results res;
	struct steps_buf hosts_csv, host_iv;
	size_t slipped; /* merged steps some host started late */
};

/* ---- reading ------------------------------------------------------------------------------------ */

/* The .hlog's whole-window line of each histogram kind (the others have no line there). */
static const char *const hlog_tags[H_KINDS] = { HLOG_TAG_STEP, HLOG_TAG_UNCORRECTED, NULL, HLOG_TAG_WAIT, NULL };

/* A step's .hlog, its tagged lines kept (the untagged per-second lines are intervals.csv's). */
struct hlog_hists {
	struct hist h[H_KINDS];
	int have[H_KINDS];
	int found; /* the file exists */
};

static int keep_tagged(const struct hlog_entry *e, void *arg)
{
	struct hlog_hists *hh = arg;
	for (int k = 0; k < H_KINDS; k++)
		if (hlog_tags[k] && strcmp(e->tag, hlog_tags[k]) == 0) {
			if (hh->have[k]) /* a second line of the same tag: not a log this tool wrote */
				return 2;
			if (hist_init(&hh->h[k], e->h->lowest, e->h->highest, e->h->sig_digits) < 0 || hist_merge(&hh->h[k], e->h) < 0)
				return 3;
			hh->have[k] = 1;
		}
	return 0;
}

static void hlog_hists_free(struct hlog_hists *hh)
{
	for (int k = 0; k < H_KINDS; k++)
		if (hh->have[k])
			hist_free(&hh->h[k]);
	memset(hh, 0, sizeof *hh);
}

/* Reads step id's .hlog in dir into *hh; a missing file is no error (hh->found 0). 0 or -1 (logged). */
static int read_step_hlog(const char *dir, const char *id, struct hlog_hists *hh)
{
	char path[4096], err[600];
	int why = 0;
	memset(hh, 0, sizeof *hh);
	hlog_path(path, sizeof path, dir, id);
	int rc = hlog_read(path, keep_tagged, hh, &why, err, sizeof err);
	if (rc == -1 && why == ENOENT)
		return 0;
	hh->found = 1;
	if (rc == 0)
		return 0;
	if (rc == -1)
		log_error("could not merge \"%s\": %s", dir, err);
	else
		log_error("could not merge \"%s\": HdrHistogram log \"%s\" has %s", dir, path,
		          rc == 2 ? "a tag on two lines" : "a histogram of a scheme this tool does not record");
	hlog_hists_free(hh);
	return -1;
}

/* The first bucket where two histograms differ, as text ("" when they hold the same buckets). */
static void first_difference(const struct hist *a, const struct hist *b, char *buf, size_t len)
{
	buf[0] = '\0';
	if (a->lowest != b->lowest || a->highest != b->highest || a->sig_digits != b->sig_digits) {
		snprintf(buf, len, "the scheme (%lld..%lld us at %d digits against %lld..%lld us at %d)", (long long)a->lowest,
		         (long long)a->highest, a->sig_digits, (long long)b->lowest, (long long)b->highest, b->sig_digits);
		return;
	}
	int32_t ia = 0, ib = 0;
	int64_t va = 0, vb = 0;
	uint64_t ca = 0, cb = 0;
	int ma = hist_next_bucket(a, &ia, &va, &ca), mb = hist_next_bucket(b, &ib, &vb, &cb);
	while (ma || mb) {
		if (ma && mb && va == vb && ca == cb) {
			ma = hist_next_bucket(a, &ia, &va, &ca);
			mb = hist_next_bucket(b, &ib, &vb, &cb);
			continue;
		}
		int64_t v = !mb || (ma && va < vb) ? va : vb;
		snprintf(buf, len, "the bucket at %lld us (%llu queries against %llu)", (long long)v,
		         (unsigned long long)(ma && va == v ? ca : 0), (unsigned long long)(mb && vb == v ? cb : 0));
		return;
	}
}

/*
 * Step i's histograms of host ho: each kind from summary.json, else from the step's .hlog (the latency
 * one at least, from either); when both hold a kind, their buckets must be the same. have[k] says which
 * kinds h[k] holds (hist_free them); *from_hlog whether the latency came from the .hlog, *checked whether
 * it was found in both. 0 or -1 (logged, nothing to free).
 */
static int host_hists(const struct host *ho, size_t i, struct hist h[H_KINDS], int have[H_KINDS], int *from_hlog,
                      int *checked)
{
	const char *id = ho->run.steps[i].id;
	struct hlog_hists hh;
	if (read_step_hlog(ho->dir, id, &hh) < 0)
		return -1;
	json_t *hs = json_object_get(ho->jsteps[i], "histograms");
	int rc = 0;
	*from_hlog = *checked = 0;
	for (int k = 0; k < H_KINDS; k++) {
		have[k] = 0;
		json_t *hj = rc == 0 ? json_object_get(hs, hist_names[k]) : NULL;
		if (!hj) {
			if (rc == 0 && hh.have[k]) {
				h[k] = hh.h[k];
				hh.have[k] = 0;
				have[k] = 1;
				*from_hlog |= k == H_LAT;
			}
			continue;
		}
		char err[160];
		if (res_json_hist(hj, &h[k], err, sizeof err) < 0) {
			log_error("could not merge \"%s\": the %s histogram of step %s: %s", ho->dir, hist_names[k], id, err);
			rc = -1;
			continue;
		}
		have[k] = 1;
		if (hh.have[k]) {
			char diff[200];
			first_difference(&h[k], &hh.h[k], diff, sizeof diff);
			if (diff[0]) {
				log_error("could not merge \"%s\": host %s, step %s: the %s histogram of summary.json and of %s.hlog "
				          "differ at %s", ho->dir, ho->tag, id, hist_names[k], id, diff);
				rc = -1;
			}
			*checked |= k == H_LAT;
		}
	}
	if (rc == 0 && !have[H_LAT]) {
		log_error("could not merge \"%s\": step %s has no latency histogram, neither in summary.json nor in a %s",
		          ho->dir, id, hh.found ? ".hlog line Tag=step" : ".hlog file");
		rc = -1;
	}
	hlog_hists_free(&hh);
	if (rc < 0)
		for (int k = 0; k < H_KINDS; k++)
			if (have[k])
				hist_free(&h[k]);
	return rc;
}

static int load_host(struct host *h, const char *dir)
{
	char err[600];
	h->dir = dir;
	if (res_load_parts(dir, &h->run, RES_META | RES_INTERVALS) < 0)
		return -1;
	h->meta = res_meta_json(dir, err, sizeof err);
	if (!h->meta) {
		log_error("could not merge \"%s\": %s", dir, err);
		return -1;
	}
	h->summary = res_summary_json(dir, err, sizeof err);
	if (!h->summary) {
		log_error("could not merge \"%s\": %s", dir, err);
		return -1;
	}
	const char *tag = json_string_value(json_object_get(h->meta, "host_tag"));
	if (!tag || !*tag)
		tag = json_string_value(json_object_get(json_object_get(h->meta, "host"), "hostname"));
	snprintf(h->tag, sizeof h->tag, "%s", tag && *tag ? tag : dir);
	h->jsteps = pgpb_calloc(h->run.nsteps ? h->run.nsteps : 1, sizeof *h->jsteps);
	json_t *steps = json_object_get(h->summary, "steps");
	for (size_t i = 0; i < h->run.nsteps; i++) {
		json_t *js;
		size_t k;
		json_array_foreach(steps, k, js) {
			const char *id = json_string_value(json_object_get(js, "step"));
			if (id && strcmp(id, h->run.steps[i].id) == 0) {
				h->jsteps[i] = js;
				break;
			}
		}
		if (!h->jsteps[i]) {
			log_error("could not merge \"%s\": step %s is missing from its summary.json", dir, h->run.steps[i].id);
			return -1;
		}
		/* the histograms, read now so that a run whose .hlog and summary.json disagree is refused before
		 * anything is written (read again, one step at a time, when the step is merged) */
		struct hist hs[H_KINDS];
		int have[H_KINDS], from_hlog, checked;
		if (host_hists(h, i, hs, have, &from_hlog, &checked) < 0)
			return -1;
		for (int k = 0; k < H_KINDS; k++)
			if (have[k])
				hist_free(&hs[k]);
		h->from_hlog += from_hlog;
		h->from_summary += !from_hlog;
		h->checked += checked;
	}
	return 0;
}

static void free_host(struct host *h)
{
	res_free(&h->run);
	json_decref(h->meta);
	json_decref(h->summary);
	free(h->jsteps);
}

/* ---- the plan ----------------------------------------------------------------------------------- */

/* The one-line refusal: the first difference, both runs named. Always -1. */
static int differs(const struct host *a, const struct host *b, const char *what, const char *va, const char *vb)
{
	log_error("runs \"%s\" and \"%s\" do not share the plan: %s differs (%s against %s)", a->dir, b->dir, what,
	          va && *va ? va : "none", vb && *vb ? vb : "none");
	return -1;
}

/* A JSON value as compact text (malloc'd). */
static char *jtext(json_t *v)
{
	char *t = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(10)) : NULL;
	return t ? t : pgpb_strdup("null");
}

/* Compares one JSON value of two runs' meta; -1 (refused) when they differ, naming the first member that
 * differs when both are objects. */
static int same_json(const struct host *a, const struct host *b, const char *what, json_t *va, json_t *vb)
{
	if (json_equal(va, vb) || (!va && json_is_null(vb)) || (json_is_null(va) && !vb))
		return 0;
	if (json_is_object(va) && json_is_object(vb)) {
		const char *k;
		json_t *v;
		char sub[256];
		json_object_foreach(va, k, v) {
			snprintf(sub, sizeof sub, "%s %s", what, k);
			if (same_json(a, b, sub, v, json_object_get(vb, k)) < 0)
				return -1;
		}
		json_object_foreach(vb, k, v) {
			snprintf(sub, sizeof sub, "%s %s", what, k);
			if (same_json(a, b, sub, json_object_get(va, k), v) < 0)
				return -1;
		}
	}
	char *ta = jtext(va), *tb = jtext(vb);
	differs(a, b, what, ta, tb);
	free(ta);
	free(tb);
	return -1;
}

/* The query hashes of a meta: "query", and every entry of "queries" with --queries. */
static json_t *query_shas(json_t *meta)
{
	json_t *a = json_array();
	json_array_append(a, json_object_get(json_object_get(meta, "query"), "sha256"));
	json_t *q;
	size_t i;
	json_array_foreach(json_object_get(meta, "queries"), i, q) json_array_append(a, json_object_get(q, "sha256"));
	return a;
}

/* A copy of obj without the keys that may differ from host to host. */
static json_t *without(json_t *obj, const char *const *keys)
{
	json_t *c = json_is_object(obj) ? json_deep_copy(obj) : json_incref(obj);
	for (int i = 0; keys[i] && json_is_object(c); i++)
		json_object_del(c, keys[i]);
	return c;
}

/* b against a: the first difference in the plan refuses the merge. 0 or -1 (logged). */
static int same_plan(const struct host *a, const struct host *b)
{
	json_t *qa = query_shas(a->meta), *qb = query_shas(b->meta);
	int rc = same_json(a, b, "the query sha256", qa, qb);
	json_decref(qa);
	json_decref(qb);
	if (rc < 0)
		return -1;
	if (same_json(a, b, "the dataset fingerprint", json_object_get(json_object_get(a->meta, "dataset"), "fingerprint"),
	              json_object_get(json_object_get(b->meta, "dataset"), "fingerprint")) < 0)
		return -1;
	/* the schedule as planned (its count of slipped steps is each host's own) */
	static const char *const sched_own[] = { "slipped_steps", NULL };
	json_t *sa = without(json_object_get(a->meta, "schedule"), sched_own),
	       *sb = without(json_object_get(b->meta, "schedule"), sched_own);
	rc = same_json(a, b, "the schedule (--start-at)", sa, sb);
	json_decref(sa);
	json_decref(sb);
	if (rc < 0)
		return -1;
	/* every option of the sweep but the driver's own threads (a host's CPU count by default) */
	static const char *const opt_own[] = { "threads", NULL };
	json_t *oa = without(json_object_get(a->meta, "options"), opt_own),
	       *ob = without(json_object_get(b->meta, "options"), opt_own);
	rc = same_json(a, b, "option", oa, ob);
	json_decref(oa);
	json_decref(ob);
	if (rc < 0)
		return -1;
	char na[32], nb[32], what[128];
	if (a->run.nsteps != b->run.nsteps) {
		snprintf(na, sizeof na, "%zu", a->run.nsteps);
		snprintf(nb, sizeof nb, "%zu", b->run.nsteps);
		return differs(a, b, "the number of steps", na, nb);
	}
	for (size_t i = 0; i < a->run.nsteps; i++) {
		const struct res_step *sa_ = &a->run.steps[i], *sb_ = &b->run.steps[i];
		snprintf(what, sizeof what, "step %zu", i + 1);
		if (strcmp(sa_->id, sb_->id) != 0)
			return differs(a, b, what, sa_->id, sb_->id);
		snprintf(what, sizeof what, "the query of step %s", sa_->id);
		if (strcmp(sa_->query, sb_->query) != 0)
			return differs(a, b, what, sa_->query, sb_->query);
	}
	return 0;
}

/* Every run against the first, and each host named once. 0 or -1 (logged). */
static int check_runs(const struct merge *m)
{
	for (size_t k = 1; k < m->n; k++)
		if (same_plan(&m->h[0], &m->h[k]) < 0)
			return -1;
	for (size_t k = 0; k < m->n; k++)
		for (size_t j = 0; j < k; j++)
			if (strcmp(m->h[j].tag, m->h[k].tag) == 0) {
				log_error("runs \"%s\" and \"%s\" have the same host tag \"%s\": each host is merged once", m->h[j].dir,
				          m->h[k].dir, m->h[k].tag);
				log_hint("Give each host its own run --host-tag.");
				return -1;
			}
	if (!json_is_object(json_object_get(m->h[0].meta, "schedule")))
		log_warning("the runs were not started on one schedule (run --start-at): their measured windows need not "
		            "coincide, and the sums assume they did");
	return 0;
}

/* ---- one step ----------------------------------------------------------------------------------- */

static double num0(double v)
{
	return isnan(v) ? 0 : v;
}

static uint64_t count_of(double v)
{
	return isnan(v) || v < 0 ? 0 : (uint64_t)v;
}

static void add_code(struct step_result *sr, const char *code, uint64_t n)
{
	int k;
	for (k = 0; k < sr->ncodes; k++)
		if (strcmp(sr->codes[k].code, code) == 0)
			break;
	if (k == sr->ncodes) {
		if (k == STEP_CODES_MAX)
			k--; /* folded into the last, as the driver does */
		else
			snprintf(sr->codes[sr->ncodes++].code, sizeof sr->codes[0].code, "%.5s", code);
	}
	sr->codes[k].n += n;
}

/* The server's counters of the step: the hosts' runs read the same server's (one connection string) over
 * the same window, so the first host's stand for all; runs against different servers (replicas) add up,
 * their means weighted by calls. */
static void merge_server(const struct merge *m, size_t i, struct step_result *sr)
{
	const char *conn0 = m->h[0].run.connection;
	int same = 1;
	for (size_t k = 1; k < m->n; k++)
		same &= strcmp(m->h[k].run.connection, conn0) == 0;
	double calls = 0, exec = 0, sq = 0, plan = 0;
	int have_pgss = 1, have_plan = 1, have_db = 1;
	for (size_t k = 0; k < (same ? 1 : m->n); k++) {
		const double *v = m->h[k].run.steps[i].v;
		have_pgss &= !isnan(v[RF_SERVER_CALLS]);
		have_plan &= !isnan(v[RF_SERVER_MEAN_PLAN_US]);
		have_db &= !isnan(v[RF_DB_XACT_COMMIT]);
		double c = num0(v[RF_SERVER_CALLS]), me = num0(v[RF_SERVER_MEAN_EXEC_US]), sd = num0(v[RF_SERVER_STDDEV_EXEC_US]);
		calls += c;
		exec += c * me;
		sq += c * (sd * sd + me * me);
		plan += c * num0(v[RF_SERVER_MEAN_PLAN_US]);
		sr->srv.shared_hit += (long long)num0(v[RF_SERVER_BLKS_HIT]);
		sr->srv.shared_read += (long long)num0(v[RF_SERVER_BLKS_READ]);
		sr->srv.xact_commit += (long long)num0(v[RF_DB_XACT_COMMIT]);
		sr->srv.blks_hit += (long long)num0(v[RF_DB_BLKS_HIT]);
		sr->srv.blks_read += (long long)num0(v[RF_DB_BLKS_READ]);
	}
	sr->srv.have_pgss = have_pgss;
	sr->srv.have_plan = have_pgss && have_plan;
	sr->srv.have_db = have_db;
	sr->srv.calls = (long long)calls;
	if (calls > 0) {
		sr->srv.mean_exec_us = exec / calls;
		double var = sq / calls - sr->srv.mean_exec_us * sr->srv.mean_exec_us;
		sr->srv.stddev_exec_us = var > 0 ? sqrt(var) : 0;
		sr->srv.mean_plan_us = plan / calls;
	}
}

/* The split between server and client, judged on the totals as the driver judges a step (bench/step.c). */
static void judge_split(struct step_result *sr)
{
	const struct hist *h = sr->lat;
	long long client = (long long)(sr->ok + sr->verrors), calls = sr->srv.calls;
	sr->split = SPLIT_NONE;
	if (!sr->srv.have_pgss)
		return;
	int within = calls >= client - (long long)sr->inflight_start && calls <= client + (long long)sr->inflight_end;
	sr->split = SPLIT_UNRELIABLE;
	if (calls > 0 && h->total) {
		sr->split_error_us =
			((double)sr->inflight_start * hist_mean(h) + (double)sr->inflight_end * (double)hist_max(h)) / (double)calls;
		if (within && sr->split_error_us <= SPLIT_MAX_ERROR * hist_mean(h))
			sr->split = SPLIT_OK;
	}
}

/* A host's row of steps.csv again, with its tag in front (hosts.csv). */
static void host_row(struct steps_buf *b, const char *tag, const struct res_step *s)
{
	struct steps_row row;
	memset(&row, 0, sizeof row);
	for (int f = 0; f < RF_COUNT; f++) {
		double v = s->v[f];
		if (f == RF_STEP)
			steps_text(&row, f, s->id);
		else if (f == RF_MODEL)
			steps_text(&row, f, s->model);
		else if (f == RF_QUERY)
			steps_text(&row, f, s->query);
		else if (f == RF_OFFSET && isnan(v) && s->offset_text[0])
			steps_text(&row, f, s->offset_text);
		else if (isnan(v))
			continue;
		else if (steps_columns[f].type == STEPS_NUM)
			steps_num(&row, f, v);
		else
			steps_int(&row, f, (long long)v);
	}
	json_t *scratch = json_object();
	steps_buf_printf(b, "%s,", tag);
	steps_write_row(b, scratch, &row);
	json_decref(scratch);
}

/* The seconds every host measured, summed: the per-second percentiles cannot be added (only p50, p99
 * and max are kept a second), so the merge keeps the highest host's, an upper bound of the merged one. */
static void merge_seconds(struct merge *m, size_t i, const char *id)
{
	size_t common = SIZE_MAX;
	for (size_t k = 0; k < m->n; k++) {
		const struct res_step *s = &m->h[k].run.steps[i];
		if (s->nsec < common)
			common = s->nsec;
		for (size_t j = 0; j < s->nsec; j++) {
			const struct res_second *sc = &s->sec[j];
			steps_buf_printf(&m->host_iv, "%s,%s,%.0f,%.0f,%.0f,", m->h[k].tag, id, sc->second, sc->queries, sc->errors);
			if (sc->queries > 0)
				steps_buf_printf(&m->host_iv, "%.0f,%.0f,%.0f,%.0f\n", sc->p50_us, sc->p99_us, sc->max_us, sc->verrors);
			else
				steps_buf_printf(&m->host_iv, ",,,%.0f\n", sc->verrors);
		}
	}
	for (size_t j = 0; j < common; j++) {
		struct interval iv;
		memset(&iv, 0, sizeof iv);
		iv.second = (long)m->h[0].run.steps[i].sec[j].second;
		for (size_t k = 0; k < m->n; k++) {
			const struct res_second *sc = &m->h[k].run.steps[i].sec[j];
			iv.queries += count_of(sc->queries);
			iv.errors += count_of(sc->errors);
			iv.verrors += count_of(sc->verrors);
			if (sc->queries > 0) {
				if (sc->p50_us > iv.p50_us)
					iv.p50_us = (int64_t)sc->p50_us;
				if (sc->p99_us > iv.p99_us)
					iv.p99_us = (int64_t)sc->p99_us;
				if (sc->max_us > iv.max_us)
					iv.max_us = (int64_t)sc->max_us;
			}
		}
		results_interval(&m->res, id, &iv);
	}
}

/* Step i of every host as one step, written. 0 or -1 (logged). */
static int merge_step(struct merge *m, size_t i)
{
	struct step_result sr;
	struct hist h[H_KINDS];
	int have[H_KINDS] = { 0 };
	memset(&sr, 0, sizeof sr);
	memset(h, 0, sizeof h);
	const struct res_step *s0 = &m->h[0].run.steps[i];
	snprintf(sr.id, sizeof sr.id, "%s", s0->id);
	sr.model = s0->model;
	sr.query = s0->query;
	sr.mix = strcmp(s0->offset_text, "mix") == 0;
	sr.offset = sr.mix ? 0 : (long)num0(s0->v[RF_OFFSET]);
	sr.qualifying = isnan(s0->v[RF_QUALIFYING_ROWS]) ? -1 : (long long)s0->v[RF_QUALIFYING_ROWS];
	sr.empty_pages = isnan(s0->v[RF_EMPTY_PAGES]) ? -1 : (int)s0->v[RF_EMPTY_PAGES];
	double qps = 0, dur_min = INFINITY;
	int rc = 0;
	for (size_t k = 0; k < m->n && rc == 0; k++) {
		const struct host *ho = &m->h[k];
		const struct res_step *s = &ho->run.steps[i];
		const double *v = s->v;
		json_t *js = ho->jsteps[i];
		/* the load the server saw: every host's connections, workers, loops, threads and rate */
		sr.connections += (long)num0(v[RF_CONNECTIONS]);
		sr.workers += (long)num0(v[RF_WORKERS]);
		sr.loops += (long)num0(v[RF_LOOPS]);
		sr.threads += (int)num0(v[RF_THREADS]);
		sr.rate += num0(v[RF_RATE_QPS]);
		sr.ok += count_of(v[RF_OK]);
		sr.errors += count_of(v[RF_ERRORS]);
		sr.verrors += count_of(v[RF_VALIDATION_ERRORS]);
		sr.reconnects += count_of(v[RF_RECONNECTS]);
		sr.late_starts += count_of(v[RF_LATE_STARTS]);
		sr.dropped += count_of(v[RF_DROPPED]);
		sr.inflight_start += count_of(v[RF_INFLIGHT_START]);
		sr.inflight_end += count_of(v[RF_INFLIGHT_END]);
		sr.client_cpu_s += num0(v[RF_CLIENT_CPU_S]);
		if (num0(v[RF_CONNECT_S]) > sr.connect_s)
			sr.connect_s = v[RF_CONNECT_S];
		sr.partial |= v[RF_PARTIAL] == 1;
		if (v[RF_DURATION_S] > 0) /* qps as the host measured it, before steps.csv rounds it */
			qps += num0(v[RF_OK]) / v[RF_DURATION_S];
		if (v[RF_DURATION_S] < dur_min)
			dur_min = v[RF_DURATION_S];
		if (!isnan(v[RF_START_LATE_S])) {
			sr.scheduled = 1;
			if (v[RF_START_LATE_S] > sr.start_late_s)
				sr.start_late_s = v[RF_START_LATE_S];
			sr.start_slipped |= v[RF_START_SLIPPED] == 1;
		}
		const char *why = json_string_value(json_object_get(js, "driver_saturated_why"));
		/* a host's late driver makes the total's latencies the client's too; its server count alone does
		 * not (the server counted every host's queries): that is judged on the total below */
		if (v[RF_DRIVER_SATURATED] == 1 && !sr.saturated && !(why && strstr(why, "the server finished") == why)) {
			sr.saturated = 1;
			snprintf(sr.saturated_why, sizeof sr.saturated_why, "host %s: %s", ho->tag, why ? why : "driver saturated");
		}
		const char *code;
		json_t *n;
		json_object_foreach(json_object_get(js, "errors_by_sqlstate"), code, n) add_code(&sr, code,
		                                                                                 (uint64_t)json_integer_value(n));
		/* each histogram from summary.json, or from the step's .hlog when summary.json lacks it */
		struct hist one[H_KINDS];
		int got[H_KINDS], from_hlog, checked;
		if (host_hists(ho, i, one, got, &from_hlog, &checked) < 0) {
			rc = -1;
			break;
		}
		for (int kind = 0; kind < H_KINDS; kind++) {
			if (!got[kind])
				continue;
			if (!have[kind]) {
				h[kind] = one[kind];
				have[kind] = 1;
				continue;
			}
			have[kind]++;
			if (rc == 0 && hist_merge(&h[kind], &one[kind]) < 0) {
				log_error("could not merge \"%s\": the %s histogram of step %s has another scheme (range or digits) "
				          "than the first run's", ho->dir, hist_names[kind], s->id);
				rc = -1;
			}
			hist_free(&one[kind]);
		}
		host_row(&m->hosts_csv, ho->tag, s);
	}
	/* a histogram some host did not give would be a part of the total posing as all of it: left out */
	for (int kind = 1; kind < H_KINDS; kind++)
		if (have[kind] && (size_t)have[kind] != m->n) {
			hist_free(&h[kind]);
			have[kind] = 0;
		}
	if (rc == 0 && !have[H_LAT] && hist_init(&h[H_LAT], HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS) < 0)
		rc = -1;
	if (rc == 0) {
		sr.lat = &h[H_LAT];
		sr.uncorrected = have[H_UNC] ? &h[H_UNC] : NULL;
		sr.lag = have[H_LAG] ? &h[H_LAG] : NULL;
		sr.wait = have[H_WAIT] && have[H_SERVICE] ? &h[H_WAIT] : NULL;
		sr.service = sr.wait ? &h[H_SERVICE] : NULL;
		/* the hosts' common duration; when they differ (a partial step), the one whose qps is the sum of
		 * the hosts' */
		sr.duration_s = qps > 0 && sr.ok ? (double)sr.ok / qps : isfinite(dur_min) ? dur_min : 0;
		merge_server(m, i, &sr);
		judge_split(&sr);
		long long client = (long long)(sr.ok + sr.verrors), calls = sr.srv.calls;
		if (!sr.saturated && sr.srv.have_pgss && calls > 2 * client && calls - client >= 10) {
			sr.saturated = 1;
			snprintf(sr.saturated_why, sizeof sr.saturated_why,
			         "the server finished %lld queries in the window, the hosts received %lld", calls, client);
		}
		merge_seconds(m, i, sr.id);
		rc = results_step(&m->res, &sr);
		m->slipped += rc == 0 && sr.start_slipped;
		if (rc == 0 && !m->o->quiet) {
			printf("%-28s %10.1f qps", sr.id, sr.duration_s > 0 ? (double)sr.ok / sr.duration_s : 0);
			for (size_t k = 0; k < m->n; k++)
				printf("%s%s %.1f", k ? ", " : " (", m->h[k].tag, num0(m->h[k].run.steps[i].v[RF_QPS]));
			if (sr.lat->total)
				printf("), p99 %.3f ms%s", (double)hist_percentile(sr.lat, 99) / 1000.0,
				       hist_pct_reliable(sr.lat->total, 99) ? "" : "*");
			else
				printf("), no query succeeded");
			printf(", %llu error%s%s\n", (unsigned long long)sr.errors, plural_s((long long)sr.errors),
			       sr.start_slipped ? " (a host started late)" : "");
		}
	}
	for (int kind = 0; kind < H_KINDS; kind++)
		hist_free(&h[kind]);
	return rc;
}

/* ---- the merged directory ----------------------------------------------------------------------- */

/* The first run's meta, naming the merge and its hosts. */
static json_t *merged_meta(const struct merge *m)
{
	json_t *meta = json_deep_copy(m->h[0].meta);
	const char *out = m->o->out, *slash = strrchr(out, '/');
	json_object_set_new(meta, "run_id", json_string(slash && slash[1] ? slash + 1 : out));
	json_object_set_new(meta, "command_line", json_string(m->o->command_line ? m->o->command_line : "pgpagebench merge"));
	json_object_set_new(meta, "finished_at", json_null());
	json_t *hosts = json_array();
	char names[256] = "";
	long long cpus = 0;
	const char *started = NULL;
	for (size_t k = 0; k < m->n; k++) {
		const struct host *h = &m->h[k];
		json_t *sched = json_object_get(h->meta, "schedule");
		json_t *one = json_pack("{s:s,s:s,s:O?,s:O?,s:O?,s:O?,s:O?}", "host_tag", h->tag, "dir", h->dir, "run_id",
		                        json_object_get(h->meta, "run_id"), "hostname",
		                        json_object_get(json_object_get(h->meta, "host"), "hostname"), "started_at",
		                        json_object_get(h->meta, "started_at"), "status", json_object_get(h->meta, "status"),
		                        "cpus", json_object_get(json_object_get(h->meta, "host"), "cpus"));
		if (one && json_is_object(sched))
			json_object_set(one, "slipped_steps", json_object_get(sched, "slipped_steps"));
		/* where this host's latency histograms came from: summary.json's buckets (checked against the
		 * .hlog's when both exist), or the .hlog's (then min and mean are the buckets', not exact) */
		if (one)
			json_object_set_new(one, "histograms",
			                    json_pack("{s:s,s:I,s:I,s:I}", "from",
			                              !h->from_hlog ? "summary.json" : !h->from_summary ? "hlog" : "summary.json+hlog",
			                              "steps_from_summary", (json_int_t)h->from_summary, "steps_from_hlog",
			                              (json_int_t)h->from_hlog, "steps_checked_against_hlog", (json_int_t)h->checked));
		json_array_append_new(hosts, one ? one : json_null());
		cpus += json_integer_value(json_object_get(json_object_get(h->meta, "host"), "cpus"));
		size_t l = strlen(names);
		snprintf(names + l, sizeof names - l, "%s%s", k ? "+" : "", h->tag);
		const char *st = json_string_value(json_object_get(h->meta, "started_at"));
		if (st && (!started || strcmp(st, started) < 0))
			started = st;
	}
	if (started)
		json_object_set_new(meta, "started_at", json_string(started));
	json_object_set_new(meta, "host", json_pack("{s:I,s:s}", "cpus", (json_int_t)cpus, "hostname", names));
	json_object_set_new(meta, "host_tag", json_string(names));
	json_object_set_new(meta, "merged",
	                    json_pack("{s:o,s:s,s:s}", "hosts", hosts, "steps",
	                              "histograms added bucket by bucket (exact percentiles), each host's from its summary.json, "
	                              "else from its .hlog (hosts[].histograms); counts, errors, connections and rates summed "
	                              "over the hosts",
	                              "intervals",
	                              "queries and errors summed over the seconds every host measured; p50, p99 and max: the "
	                              "highest host's (an upper bound)"));
	return meta;
}

/* Whether every run finished (a run interrupted or still running makes the merge interrupted too). */
static int all_complete(const struct merge *m)
{
	for (size_t k = 0; k < m->n; k++) {
		const char *st = json_string_value(json_object_get(m->h[k].meta, "status"));
		if (!st || strcmp(st, "complete") != 0)
			return 0;
	}
	return 1;
}

static int write_merge(struct merge *m, int *lock_fd)
{
	*lock_fd = results_claim(m->o->out, m->o->force);
	if (*lock_fd < 0)
		return EXIT_RUNTIME;
	if (results_open(&m->res, m->o->out, merged_meta(m)) < 0) {
		results_close(&m->res, "interrupted");
		return EXIT_RUNTIME;
	}
	struct steps_buf hdr = { 0 };
	steps_write_header(&hdr);
	steps_buf_printf(&m->hosts_csv, "host,%s", hdr.p);
	steps_buf_free(&hdr);
	steps_buf_printf(&m->host_iv, "host,step,second,queries,errors,p50_us,p99_us,max_us,validation_errors\n");
	int failed = 0;
	size_t nsteps = m->h[0].run.nsteps;
	for (size_t i = 0; i < nsteps && !failed && !sig_caught(); i++)
		failed = merge_step(m, i) < 0;
	json_t *sched = json_object_get(m->res.meta, "schedule");
	if (json_is_object(sched)) /* the merged steps a host started late (each host's own count: merged.hosts) */
		json_object_set_new(sched, "slipped_steps", json_integer((json_int_t)m->slipped));
	if (!failed && !sig_caught())
		failed = results_table(&m->res, "hosts.csv", m->hosts_csv.p, m->hosts_csv.len) < 0 ||
		         results_table(&m->res, "host-intervals.csv", m->host_iv.p, m->host_iv.len) < 0;
	int interrupted = sig_caught() != 0;
	if (results_close(&m->res, failed || interrupted || !all_complete(m) ? "interrupted" : "complete") < 0)
		failed = 1;
	if (interrupted)
		return sig_exit_status();
	if (failed)
		return EXIT_RUNTIME;
	if (!m->o->quiet)
		printf("merged %zu runs of %zu step%s into %s\n", m->n, nsteps, plural_s((long long)nsteps), m->o->out);
	return EXIT_OK;
}

void merge_release(int lock_fd)
{
	results_unlock(lock_fd);
}

/* The merged directory is none of the runs (a run is never overwritten, --force or not), and exists. */
static int check_out(const struct merge_opts *o)
{
	if (mkdir(o->out, 0777) < 0 && errno != EEXIST) {
		log_error("could not create directory \"%s\": %s", o->out, strerror(errno));
		return -1;
	}
	struct stat so;
	if (stat(o->out, &so) != 0 || !S_ISDIR(so.st_mode)) {
		log_error("could not use \"%s\" as the results directory: %s", o->out,
		          errno && !S_ISDIR(so.st_mode) ? "it is not a directory" : strerror(errno));
		return -1;
	}
	for (size_t k = 0; k < o->ndirs; k++) {
		struct stat sd;
		if (stat(o->dirs[k], &sd) == 0 && sd.st_dev == so.st_dev && sd.st_ino == so.st_ino) {
			log_error("the merged directory \"%s\" is one of the runs merged (\"%s\")", o->out, o->dirs[k]);
			log_hint("--out names a new directory for the merge.");
			return -1;
		}
	}
	return 0;
}

int merge_runs(const struct merge_opts *o, int *lock_fd)
{
	*lock_fd = -1;
	struct merge m;
	memset(&m, 0, sizeof m);
	m.o = o;
	m.h = pgpb_calloc(o->ndirs, sizeof *m.h);
	int rc = EXIT_RUNTIME;
	for (m.n = 0; m.n < o->ndirs; m.n++)
		if (load_host(&m.h[m.n], o->dirs[m.n]) < 0) {
			m.n++;
			goto out;
		}
	if (check_runs(&m) < 0 || check_out(o) < 0)
		goto out;
	rc = write_merge(&m, lock_fd);
out:
	if (rc == EXIT_RUNTIME && sig_caught())
		rc = sig_exit_status();
	for (size_t k = 0; k < m.n; k++)
		free_host(&m.h[k]);
	free(m.h);
	steps_buf_free(&m.hosts_csv);
	steps_buf_free(&m.host_iv);
	return rc;
}
