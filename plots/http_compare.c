/*
 * http_compare.c: `pgpagebench http-compare RESULTS_DIR --ab FILE`: an HTTP endpoint measured with Apache
 * Bench beside the database-only numbers of a run at the same concurrency and page. It answers "my
 * endpoint does 250 requests/s: how much of each request is PostgreSQL?" with a table per percentile
 * (HTTP vs database latency, the database's share), requests/s vs queries/s, and chart data. It reads the
 * results directory through resdir/read.h and ab's own files through plots/ab.h; it needs no server.
 */
#include "plots/http_compare.h"
#include "common/alloc.h"
#include "common/cli.h"
#include "common/hist.h"
#include "common/log.h"
#include "common/sig.h"
#include "plots/ab.h"
#include "plots/chart.h"
#include "plots/wrk.h"
#include "resdir/read.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* ---- the step's latency distribution -------------------------------------------------------------- */

struct dist {
	int have[AB_NPCT];
	double ms[AB_NPCT];
	char source[64]; /* "summary.json", "<step>.hgrm" or "steps.csv" */
	uint64_t n; /* queries measured (the histogram's total); 0 when unknown */
};

/* The step's latency histogram rebuilt from summary.json (resdir/read.h), read with hist_percentile: the
 * same figures run wrote into steps.csv, by the same rule. */
static int dist_from_summary(const char *dir, const char *step, struct dist *d, char *err, size_t err_len)
{
	struct hist hh;
	if (res_summary_hist(dir, step, &hh, err, err_len) < 0)
		return -1;
	for (int k = 0; k < AB_NPCT; k++) {
		d->ms[k] = (double)hist_percentile(&hh, ab_percentiles[k]) / 1000.0;
		d->have[k] = 1;
	}
	d->n = hh.total;
	snprintf(d->source, sizeof d->source, "summary.json");
	hist_free(&hh);
	return 0;
}

/* The step's .hgrm table (resdir/hgrm.h): the nearest rank over its TotalCount column; p100 is its Max. */
static int dist_from_hgrm(const char *dir, const char *step, struct dist *d, char *err, size_t err_len)
{
	char path[4096];
	hgrm_path(path, sizeof path, dir, step, "");
	struct hgrm h;
	int why;
	if (hgrm_read(path, &h, &why, err, err_len) < 0)
		return -1;
	int rc = -1;
	if (h.n > 0 && h.rows[h.n - 1].count > 0) {
		double total = h.rows[h.n - 1].count;
		d->n = (uint64_t)total;
		for (int k = 0; k < AB_NPCT; k++) {
			double rank = (double)hist_rank(ab_percentiles[k], (uint64_t)total);
			for (size_t i = 0; i < h.n; i++)
				if (h.rows[i].count >= rank) {
					d->ms[k] = h.rows[i].value_us / 1000.0;
					d->have[k] = 1;
					break;
				}
		}
		if (h.max_us >= 0)
			d->ms[AB_NPCT - 1] = h.max_us / 1000.0, d->have[AB_NPCT - 1] = 1;
		snprintf(d->source, sizeof d->source, "%s.hgrm", step);
		rc = 0;
	} else
		snprintf(err, err_len, "file \"%s\" holds no percentile table", path);
	free(h.rows);
	return rc;
}

/* Last resort: the few percentiles steps.csv carries (p50, p90, p95, p99, max). */
static void dist_from_steps(const struct res_step *s, struct dist *d)
{
	static const struct {
		int pct;
		enum res_field col;
	} cols[] = { { 50, RF_P50_US }, { 90, RF_P90_US }, { 95, RF_P95_US }, { 99, RF_P99_US }, { 100, RF_MAX_US } };
	for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
		for (int k = 0; k < AB_NPCT; k++) {
			double v = s->v[cols[i].col];
			if (ab_percentiles[k] == cols[i].pct && isfinite(v))
				d->ms[k] = v / 1000.0, d->have[k] = 1;
		}
	double ok = s->v[RF_OK];
	if (isfinite(ok) && ok >= 0)
		d->n = (uint64_t)ok;
	snprintf(d->source, sizeof d->source, "steps.csv");
}

/* ---- the command -------------------------------------------------------------------------------- */

/* A numeric column as steps.csv wrote it ("" when empty): counts and sizes are whole numbers. */
static const char *num_text(double v, char *buf, size_t len)
{
	if (isnan(v))
		buf[0] = '\0';
	else
		snprintf(buf, len, "%.15g", v);
	return buf;
}

/* The step to compare with: --step, else the one with ab's concurrency as connections and the offset
 * (and --query); complete steps before partial ones. -1 when none or several (logged). */
static long find_step(const struct res_run *run, const struct http_compare_opts *o, long conc, long offset)
{
	if (!run->has_column[RF_CONNECTIONS] || !run->has_column[RF_OFFSET]) {
		log_error("file \"%s/steps.csv\" lacks the column \"%s\"", o->dir,
		          !run->has_column[RF_CONNECTIONS] ? "connections" : "offset");
		return -1;
	}
	if (o->step) {
		for (size_t r = 0; r < run->nsteps; r++)
			if (strcmp(run->steps[r].id, o->step) == 0)
				return (long)r;
		log_error("no step \"%s\" in \"%s/steps.csv\"", o->step, o->dir);
		return -1;
	}
	char want_conn[32], want_off[32], conn[32];
	snprintf(want_conn, sizeof want_conn, "%ld", conc);
	snprintf(want_off, sizeof want_off, "%ld", offset);
	long found = -1, nfound = 0, partial_found = -1;
	char names[512] = "";
	for (size_t r = 0; r < run->nsteps; r++) {
		const struct res_step *s = &run->steps[r];
		if (strcmp(num_text(s->v[RF_CONNECTIONS], conn, sizeof conn), want_conn) != 0 ||
		    strcmp(s->offset_text, want_off) != 0)
			continue;
		if (o->query && strcmp(s->query, o->query) != 0)
			continue;
		if (s->v[RF_PARTIAL] == 1) {
			if (partial_found < 0)
				partial_found = (long)r;
			continue;
		}
		nfound++;
		found = (long)r;
		size_t l = strlen(names);
		snprintf(names + l, sizeof names - l, "%s%s", l ? ", " : "", s->id);
	}
	if (nfound == 1)
		return found;
	if (nfound > 1) {
		log_error("%ld steps have %ld connections and offset %ld: %s", nfound, conc, offset, names);
		log_hint("Choose one with --step ID%s.", o->query ? "" : " or --query NAME");
		return -1;
	}
	if (partial_found >= 0) {
		log_warning("the only matching step, \"%s\", was cut short (partial)", run->steps[partial_found].id);
		return partial_found;
	}
	char have[1024] = "";
	for (size_t r = 0; r < run->nsteps && strlen(have) < sizeof have - 64; r++) {
		size_t l = strlen(have);
		snprintf(have + l, sizeof have - l, "%s%s/%s", l ? ", " : "",
		         num_text(run->steps[r].v[RF_CONNECTIONS], conn, sizeof conn), run->steps[r].offset_text);
	}
	log_error("no step of the run in \"%s\" has %ld connections and offset %ld%s%s", o->dir, conc, offset,
	          o->query ? " for query " : "", o->query ? o->query : "");
	log_hint("The run has (connections/offset): %s. Run \"pgpagebench run --pools %ld --offsets %ld\", or pick a "
	         "step with --step.", have[0] ? have : "no steps", conc, offset);
	return -1;
}

static void fmt_num(char *buf, size_t len, int have, double v, int decimals)
{
	if (have)
		snprintf(buf, len, "%.*f", decimals, v);
	else
		buf[0] = '\0';
}

struct row {
	const char *metric; /* CSV name, units included */
	const char *label; /* for the table */
	int pct; /* or 0 */
	int have_http, have_db, share;
	double http, db;
	int decimals;
	int thin_http, thin_db; /* a percentile from under 10 values at or beyond it: printed with '*' */
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int write_outputs(const char *outdir, const struct row *rows, size_t nrows,
                         const struct ab_text *t, const struct ab_csv *ac, const struct ab_tsv *tsv, const struct dist *d,
                         const double *http_ms, const char *const *http_src)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/http-compare.csv", outdir);
	FILE *f = fopen(path, "w");
	if (!f) {
		log_error("could not write \"%s\": %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "metric,percentile,http,database,database_share\n");
	for (size_t i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		char pct[16] = "", h[32], db[32], sh[32];
		if (r->pct)
			snprintf(pct, sizeof pct, "%d", r->pct);
		fmt_num(h, sizeof h, r->have_http, r->http, r->decimals);
		fmt_num(db, sizeof db, r->have_db, r->db, r->decimals);
		/* a share over 1 is left empty: the two sides were not measured alike (the table says why) */
		fmt_num(sh, sizeof sh, r->share && r->have_http && r->have_db && r->http > 0 && r->db <= r->http,
		        r->db / r->http, 4);
		fprintf(f, "%s,%s,%s,%s,%s\n", r->metric, pct, h, db, sh);
	}
	int ok = fclose(f) == 0;

	snprintf(path, sizeof path, "%s/http-compare-percentiles.csv", outdir);
	f = ok ? fopen(path, "w") : NULL;
	if (!f) {
		log_error("could not write \"%s\": %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "percentile,http_ms,http_source,ab_table_ms,ab_csv_ms,ab_gnuplot_ms,db_ms,db_source,db_share\n");
	for (int k = 0; k < AB_NPCT; k++) {
		char a[32], b[32], c[32], db[32], sh[32], h[32];
		fmt_num(h, sizeof h, 1, http_ms[k], 3);
		fmt_num(a, sizeof a, t->has_table, t->table_ms[k], 0);
		fmt_num(b, sizeof b, ac != NULL && ac->have[ab_percentiles[k]] && ab_csv_row_valid(ab_percentiles[k], t->complete),
		        ac ? ac->ms[ab_percentiles[k]] : 0, 3);
		fmt_num(c, sizeof c, tsv != NULL, tsv ? ab_percentile_sorted(tsv->ttime_sorted, tsv->n, ab_percentiles[k]) : 0, 3);
		fmt_num(db, sizeof db, d->have[k], d->ms[k], 3);
		fmt_num(sh, sizeof sh, d->have[k] && http_ms[k] > 0 && d->ms[k] <= http_ms[k], d->ms[k] / http_ms[k], 4);
		fprintf(f, "%d,%s,%s,%s,%s,%s,%s,%s,%s\n", ab_percentiles[k], h, http_src[k], a, b, c, db,
		        d->have[k] ? d->source : "", sh);
	}
	ok = fclose(f) == 0 && ok;

	if (tsv && ok) {
		/* per second of the ab run, by start time (ab -g is sorted by total time, not start) */
		snprintf(path, sizeof path, "%s/http-compare-timeline.csv", outdir);
		f = fopen(path, "w");
		if (!f) {
			log_error("could not write \"%s\": %s", path, strerror(errno));
			return -1;
		}
		fprintf(f, "second,requests,p50_ms,max_ms\n");
		double *buf = pgpb_reallocarray(NULL, tsv->n, sizeof *buf);
		double first = floor(tsv->req[0].start_s);
		for (size_t i = 0; i < tsv->n;) {
			double sec = floor(tsv->req[i].start_s);
			size_t n = 0;
			while (i < tsv->n && floor(tsv->req[i].start_s) == sec)
				buf[n++] = tsv->req[i++].ttime_ms;
			qsort(buf, n, sizeof *buf, cmp_double);
			fprintf(f, "%.0f,%zu,%.3f,%.3f\n", sec - first + 1, n, ab_percentile_sorted(buf, n, 50), buf[n - 1]);
		}
		ok = buf != NULL && ok;
		free(buf);
		ok = fclose(f) == 0 && ok;
	}
	if (!ok)
		log_error("could not write the files in \"%s\"", outdir);
	return ok ? 0 : -1;
}

/* Prints the table; returns the number of shares over 100% (printed "> 100% !", never as a figure). */
static int print_table(const struct row *rows, size_t nrows)
{
	int over = 0;
	printf("%-28s %12s %12s %9s\n", "", "http", "database", "db share");
	int thin = 0;
	for (size_t i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		char h[32] = "-", db[32] = "-", sh[32] = "";
		if (r->have_http)
			snprintf(h, sizeof h, "%.*f%s", r->decimals, r->http, r->thin_http ? "*" : "");
		if (r->have_db)
			snprintf(db, sizeof db, "%.*f%s", r->decimals, r->db, r->thin_db ? "*" : "");
		thin |= (r->have_http && r->thin_http) || (r->have_db && r->thin_db);
		if (r->share && r->have_http && r->have_db && r->http > 0) {
			if (r->db > r->http) {
				snprintf(sh, sizeof sh, "> 100%% !");
				over++;
			} else {
				snprintf(sh, sizeof sh, "%.1f%%", 100.0 * r->db / r->http);
			}
		}
		printf("%-28s %12s %12s %9s\n", r->label, h, db, sh);
	}
	if (thin)
		printf("*: fewer than 10 requests or queries at or beyond that percentile (p99 needs 1000): little more than "
		       "the slowest few\n");
	return over;
}

/* "2024-05-01T10:00:00Z" (meta.json) as a time_t; -1 when empty or malformed. */
static time_t iso_time(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return end && !*end ? timegm(&tm) : (time_t)-1;
}

/* Whether the ab file was written while the run ran (within 5 minutes of it): 1 together, 0 apart (why in
 * buf), -1 unknown (a run without meta.json times). */
static int taken_together(const struct res_run *run, const char *ab, char *buf, size_t len)
{
	const char *started = run->meta_json ? run->started_at : "";
	time_t t0 = iso_time(started);
	time_t t1 = iso_time(run->meta_json ? run->finished_at : "");
	struct stat st;
	if (t0 < 0 || stat(ab, &st) < 0)
		return -1;
	if (t1 < t0)
		t1 = t0;
	time_t at = st.st_mtime;
	if (at >= t0 - 300 && at <= t1 + 300)
		return 1;
	double apart = (double)(at < t0 ? t0 - at : at - t1) / 60.0;
	char when[32];
	struct tm tm;
	gmtime_r(&at, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(buf, len, "the ab results (file written %s) and the run (started %s) were not taken together: %.0f minutes "
	         "apart, %s the run", when, started, apart, at < t0 ? "before" : "after");
	return 0;
}

static int make_out_dir(const char *dir)
{
	struct stat st;
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (mkdir(dir, 0777) == 0)
		return 0;
	log_error("could not create directory \"%s\": %s", dir, strerror(errno));
	return -1;
}

/* HTTP vs database latency per percentile (x: ab's percentiles, 100 = the slowest request; log y) into
 * <outdir>/charts/http-compare.svg and .png; paths receives both. 0, or -1 (logged). */
static int draw_chart(const char *outdir, const char *tool, const struct ab_text *t, const double *http_ms,
                      const struct dist *d, const char *step, const char *query, long offset, char paths[2][4200])
{
	char dir[4200], err[512];
	snprintf(dir, sizeof dir, "%s/charts", outdir);
	if (make_out_dir(dir) < 0)
		return -1;
	struct chart c;
	chart_init(&c, 800, 480, 1);
	snprintf(c.title, sizeof c.title, "HTTP versus database latency per percentile");
	snprintf(c.subtitle, sizeof c.subtitle, "%s: %ld requests, concurrency %ld, %.80s \xC2\xB7 database: step %s, offset %ld",
	         tool, t->complete, t->concurrency, t->path, step, offset);
	struct chart_panel *p = &c.panel[0];
	/* x = 1/(1-p) on a log axis, as HdrHistogram plots: the tail gets the room; the maximum (p100) is the
	 * last point, at 1/n of the HTTP run (at least past 99.9%) */
	snprintf(p->x.title, sizeof p->x.title, "percentile (last point: the maximum)");
	p->x.unit = CHART_UNIT_PCTL;
	p->x.log = 1;
	double xmax = t->complete > 1000 ? (double)t->complete : 1000.0;
	snprintf(p->y.title, sizeof p->y.title, "latency (log scale)");
	p->y.unit = CHART_UNIT_US;
	p->y.log = 1;
	struct chart_series *h = chart_series_add(p, 0, 0, "HTTP (%s, concurrency %ld)", tool, t->concurrency);
	struct chart_series *db = chart_series_add(p, 1, 1, "database (%.40s)", query[0] ? query : "query");
	char shares[160] = "";
	size_t o = 0;
	for (int k = 0; k < AB_NPCT; k++) {
		double x = ab_percentiles[k] < 100 ? 1.0 / (1.0 - ab_percentiles[k] / 100.0) : xmax;
		/* a percentile one side lacks (steps.csv has only p50, p90, p95, p99, max) is left out, not a gap */
		if (http_ms[k] > 0)
			chart_point(h, x, http_ms[k] * 1000.0);
		if (d->have[k] && d->ms[k] > 0)
			chart_point(db, x, d->ms[k] * 1000.0);
		int p_ = ab_percentiles[k];
		if ((p_ == 50 || p_ == 90 || p_ == 99) && d->have[k] && http_ms[k] > 0 && o < sizeof shares) {
			int n = d->ms[k] > http_ms[k]
			                ? snprintf(shares + o, sizeof shares - o, "%sp%d over 100%%: not measured alike", o ? ", " : "", p_)
			                : snprintf(shares + o, sizeof shares - o, "%sp%d %.0f%%", o ? ", " : "", p_,
			                           100.0 * d->ms[k] / http_ms[k]);
			if (n > 0)
				o += (size_t)n;
		}
	}
	snprintf(c.note, sizeof c.note, "database share of the HTTP latency: %s (database = driver + network + PostgreSQL, no web app)",
	         shares[0] ? shares : "not available");
	static const struct { enum chart_format fmt; const char *ext; } fm[2] = { { CHART_SVG, "svg" }, { CHART_PNG, "png" } };
	int rc = 0;
	for (int i = 0; i < 2 && rc == 0; i++) {
		snprintf(paths[i], sizeof paths[i], "%s/http-compare.%s", dir, fm[i].ext);
		if (chart_render(&c, paths[i], fm[i].fmt, err, sizeof err) < 0) {
			log_error("%s", err);
			rc = -1;
		}
	}
	chart_free(&c);
	return rc;
}

/* ab's files: the text summary, and its -e CSV and -g timeline when given. 0, or -1 (logged). */
static int read_ab(const struct http_compare_opts *o, struct ab_text *t, struct ab_csv *acsv, struct ab_tsv *tsv)
{
	char err[1024];
	if (o->wrk) {
		if (wrk_parse(o->ab, t, acsv, err, sizeof err) < 0) {
			log_error("%s", err);
			return -1;
		}
		if (!o->interleaved && t->failed + t->non2xx > 0) /* --url warned as the load ended */
			log_warning("wrk counted %ld socket errors and %ld non-2xx or 3xx responses: the HTTP numbers include them",
			            t->failed, t->non2xx);
		return 0;
	}
	if (ab_parse_text(o->ab, t, err, sizeof err) < 0 || (o->ab_csv && ab_parse_csv(o->ab_csv, acsv, err, sizeof err) < 0) ||
	    (o->ab_tsv && ab_parse_tsv(o->ab_tsv, tsv, err, sizeof err) < 0)) {
		log_error("%s", err);
		return -1;
	}
	if (o->ab_tsv && (long)tsv->n != t->complete)
		log_warning("\"%s\" holds %zu requests but \"%s\" reports %ld complete: are they from the same ab run?",
		            o->ab_tsv, tsv->n, o->ab, t->complete);
	if (!t->has_table && !o->ab_csv && !o->ab_tsv) {
		log_error("file \"%s\" has no percentile table (ab -d?) and no --ab-csv or --ab-gnuplot was given", o->ab);
		return -1;
	}
	if (!o->interleaved && t->failed + t->non2xx > 0) /* --url warned as the load ended */
		log_warning("ab counted %ld failed and %ld non-2xx responses: the HTTP numbers include them",
		            t->failed, t->non2xx);
	return 0;
}

/* The page the HTTP requests asked for: --offset, else ?offset= or ?page= in ab's URL, else the first page.
 * *how says which, in howbuf when it needs words of its own. 0, or -1 (logged). */
static int page_offset(const struct http_compare_opts *o, const struct ab_text *t, long *offset, const char **how,
                       char *howbuf, size_t len)
{
	char err[1024];
	const char *key;
	*offset = 0;
	*how = "no offset or page in the URL: the first page";
	if (o->have_offset) {
		*offset = o->offset;
		*how = "--offset";
		return 0;
	}
	int found = ab_url_offset(t->path, o->page_size, offset, &key, err, sizeof err);
	if (found < 0) {
		log_error("%s \"%s\"", err, t->path);
		log_hint("Give the page's OFFSET with --offset N.");
		return -1;
	}
	if (found) {
		snprintf(howbuf, len, "from ?%s= in the URL%s", key, key[0] == 'p' ? " (pages of --page-size rows, from 1)" : "");
		*how = howbuf;
	}
	return 0;
}

/* steps.csv and meta.json through the shared reader; 0, or -1 (logged, with a hint unless a signal
 * ended the read). */
static int load_run(const char *dir, struct res_run *run)
{
	if (res_load_parts(dir, run, RES_META) < 0) {
		if (!sig_caught())
			log_hint("RESULTS_DIR must be a directory written by \"pgpagebench run\".");
		return -1;
	}
	return 0;
}

/* The step's latency distribution: summary.json's histogram, else its .hgrm, else steps.csv's percentiles.
 * 0, or -1 when a signal ended a read (logged). */
static int step_dist(const char *dir, const struct res_step *s, struct dist *d)
{
	char err[1024], err2[1024];
	memset(d, 0, sizeof *d);
	if (dist_from_summary(dir, s->id, d, err, sizeof err) == 0)
		return 0;
	if (!sig_caught() && dist_from_hgrm(dir, s->id, d, err2, sizeof err2) == 0)
		return 0;
	if (sig_caught()) {
		log_error("could not read the latency of step \"%s\": interrupted", s->id);
		return -1;
	}
	log_warning("no latency histogram for step \"%s\" (%s; %s): using the percentiles of steps.csv", s->id, err, err2);
	dist_from_steps(s, d);
	return 0;
}

/* HTTP latency per percentile: ab's -e (microsecond precision), else the nearest rank over the -g ttimes
 * (exact ranks, but ab rounds each ttime to whole milliseconds), else its summary table. */
static void http_percentiles(const struct http_compare_opts *o, const struct ab_text *t, const struct ab_csv *acsv,
                             const struct ab_tsv *tsv, double http_ms[AB_NPCT], const char *http_src[AB_NPCT])
{
	for (int k = 0; k < AB_NPCT; k++) {
		int p = ab_percentiles[k];
		if (o->wrk && acsv->have[p])
			http_ms[k] = acsv->ms[p], http_src[k] = "wrk";
		else if (o->ab_csv && acsv->have[p] && ab_csv_row_valid(p, t->complete))
			http_ms[k] = acsv->ms[p], http_src[k] = "ab-csv";
		else if (o->ab_tsv)
			http_ms[k] = ab_percentile_sorted(tsv->ttime_sorted, tsv->n, p), http_src[k] = "ab-gnuplot";
		else
			http_ms[k] = t->table_ms[k], http_src[k] = "ab";
	}
}

/* The table's rows, HTTP beside the database step; returns how many (at most 32). */
static size_t build_rows(const struct ab_text *t, const struct res_step *s, const struct dist *d,
                         const double http_ms[AB_NPCT], struct row rows[32])
{
	double conn = s->v[RF_CONNECTIONS], qps = s->v[RF_QPS], errors = s->v[RF_ERRORS], mean_us = s->v[RF_MEAN_US],
	       exec_us = s->v[RF_SERVER_MEAN_EXEC_US], plan_us = s->v[RF_SERVER_MEAN_PLAN_US];
	size_t n = 0;
	rows[n++] = (struct row){ "concurrency", "concurrency (connections)", 0, 1, isfinite(conn), 0, (double)t->concurrency,
		                  conn, 0, 0, 0 };
	rows[n++] = (struct row){ "throughput_per_s", "requests/s vs queries/s", 0, 1, isfinite(qps), 0, t->requests_per_s,
		                  qps, 1, 0, 0 };
	rows[n++] = (struct row){ "failed", "failed (non-2xx / errors)", 0, 1, isfinite(errors), 0,
		                  (double)(t->failed + t->non2xx), errors, 0, 0, 0 };
	rows[n++] = (struct row){ "mean_ms", "mean (ms)", 0, 1, isfinite(mean_us), 1, t->mean_ms, mean_us / 1000.0, 3, 0, 0 };
	static const char *const labels[AB_NPCT] = { "p50 (ms)", "p66 (ms)", "p75 (ms)", "p80 (ms)", "p90 (ms)",
		                                     "p95 (ms)", "p98 (ms)", "p99 (ms)", "p100 = max (ms)" };
	rows[n++] = (struct row){ "n", "n (requests vs queries)", 0, 1, d->n > 0, 0, (double)t->complete, (double)d->n, 0, 0, 0 };
	for (int k = 0; k < AB_NPCT; k++) {
		int p = ab_percentiles[k];
		rows[n++] = (struct row){ "latency_ms", labels[k], p, 1, d->have[k], 1, http_ms[k], d->ms[k], 3,
			                  p < 100 && t->complete > 0 && !hist_pct_reliable((uint64_t)t->complete, p),
			                  p < 100 && d->n > 0 && !hist_pct_reliable(d->n, p) };
	}
	/* pg_stat_statements: the server's own execution and planning time, each against the HTTP mean */
	rows[n++] = (struct row){ "server_exec_mean_ms", "server execution mean (ms)", 0, 1, isfinite(exec_us), 1, t->mean_ms,
		                  exec_us / 1000.0, 3, 0, 0 };
	rows[n++] = (struct row){ "server_plan_mean_ms", "server planning mean (ms)", 0, 1, isfinite(plan_us), 1, t->mean_ms,
		                  plan_us / 1000.0, 3, 0, 0 };
	return n;
}

/* What the database's figures are a share of, in words under the table. */
static void print_shares(const struct res_run *run, const struct http_compare_opts *o, const struct ab_text *t,
                         const struct res_step *s, int over)
{
	double mean_us = s->v[RF_MEAN_US], exec_us = s->v[RF_SERVER_MEAN_EXEC_US], reliable = s->v[RF_SPLIT_RELIABLE];
	int have_mean = isfinite(mean_us), have_exec = isfinite(exec_us), have_rel = isfinite(reliable);
	char apart[512];
	int together = o->interleaved ? 1 : taken_together(run, o->ab, apart, sizeof apart);
	printf("\nA share is the database figure over the HTTP one on the same row: of the mean on the mean rows, of "
	       "that percentile on the others (percentiles do not add up, so those are a comparison, not a part).\n");
	if (over)
		printf("!: the database figure exceeds the HTTP one, which cannot happen when both measure the same "
		       "requests under the same load: the two were taken under different conditions (%s), so no share "
		       "is given.\n",
		       together == 0 ? "see below" : "other load on the machine, a cold cache, or too few queries");
	if (together == 0)
		printf("Note: %s; the database step measured the server under its own load, not the web app's.\n", apart);
	if (have_exec && t->mean_ms > 0 && have_rel && reliable == 0)
		printf("\nThe step's server time is not reliable (steps.csv split_reliable = 0: its server calls do not "
		       "match its queries, or too few queries), so no share of it is given.\n");
	else if (have_exec && t->mean_ms > 0 && exec_us / 1000.0 > t->mean_ms)
		printf("\nPostgreSQL's mean execution time (pg_stat_statements) exceeds the mean HTTP request: the two "
		       "were not measured under the same conditions, so no share of it is given.\n");
	else if (have_exec && t->mean_ms > 0)
		printf("\nPostgreSQL executes the query in %.1f%% of the mean HTTP request (pg_stat_statements, a share "
		       "of the mean)%s\n",
		       100.0 * exec_us / 1000.0 / t->mean_ms, have_mean && mean_us / 1000.0 <= t->mean_ms ? "; " : ".");
	if (have_exec && t->mean_ms > 0 && !(have_rel && reliable == 0) && exec_us / 1000.0 <= t->mean_ms && have_mean &&
	    mean_us / 1000.0 <= t->mean_ms)
		printf("the database step's mean client latency is %.1f%% of it.\n", 100.0 * mean_us / 1000.0 / t->mean_ms);
	else if (!have_exec)
		printf("\nNo server execution time in this run (pg_stat_statements was not available).\n");
}

int http_compare_run(const struct http_compare_opts *o)
{
	return http_compare_run_fig(o, NULL);
}

void http_compare_figures_unknown(struct http_compare_figures *f)
{
	memset(f, 0, sizeof *f);
	f->requests = f->failed = f->non2xx = -1;
	f->http_rps = f->http_mean_ms = f->http_p50_ms = f->http_p99_ms = NAN;
	f->db_qps = f->db_mean_ms = f->db_p50_ms = f->db_p99_ms = f->db_errors = f->db_n = f->exec_mean_ms = NAN;
	f->http_records = f->db_records = -1;
	f->not_compared = 1;
}

/* The figures of the comparison for the table of http-compare --url. */
static void fill_figures(struct http_compare_figures *f, const struct ab_text *t, const struct res_step *s,
                         const struct dist *d, const double http_ms[AB_NPCT], long offset)
{
	memset(f, 0, sizeof *f);
	snprintf(f->step, sizeof f->step, "%s", s->id);
	f->concurrency = t->concurrency;
	f->offset = offset;
	f->requests = t->complete;
	f->failed = t->failed;
	f->non2xx = t->non2xx;
	f->http_rps = t->requests_per_s;
	f->http_mean_ms = t->mean_ms;
	f->http_p50_ms = http_ms[0];
	f->http_p99_ms = http_ms[AB_NPCT - 2];
	f->db_qps = s->v[RF_QPS];
	f->db_mean_ms = s->v[RF_MEAN_US] / 1000.0;
	f->db_p50_ms = d->have[0] ? d->ms[0] : NAN;
	f->db_p99_ms = d->have[AB_NPCT - 2] ? d->ms[AB_NPCT - 2] : NAN;
	f->db_errors = s->v[RF_ERRORS];
	f->db_n = d->n > 0 ? (double)d->n : NAN;
	double rel = s->v[RF_SPLIT_RELIABLE];
	f->exec_mean_ms = isfinite(rel) && rel == 0 ? NAN : s->v[RF_SERVER_MEAN_EXEC_US] / 1000.0;
	int thin = t->complete <= 0 || d->n == 0 || !hist_pct_reliable((uint64_t)t->complete, 99) ||
	           !hist_pct_reliable(d->n, 99);
	f->over = (isfinite(f->db_mean_ms) && f->db_mean_ms > f->http_mean_ms) +
	          (isfinite(f->db_p50_ms) && f->db_p50_ms > f->http_p50_ms) +
	          (!thin && isfinite(f->db_p99_ms) && f->db_p99_ms > f->http_p99_ms);
}

int http_compare_run_fig(const struct http_compare_opts *o, struct http_compare_figures *fig)
{
	struct ab_text t;
	struct ab_csv acsv;
	struct ab_tsv tsv = { 0 };
	struct res_run run = { 0 };
	int rc = EXIT_RUNTIME;
	long offset;
	const char *how;
	char howbuf[128];
	if (read_ab(o, &t, &acsv, &tsv) < 0 || page_offset(o, &t, &offset, &how, howbuf, sizeof howbuf) < 0 ||
	    load_run(o->dir, &run) < 0)
		goto out;
	long r = find_step(&run, o, t.concurrency, offset);
	if (r < 0)
		goto out;
	const struct res_step *s = &run.steps[r];
	struct dist d;
	if (step_dist(o->dir, s, &d) < 0)
		goto out;
	double http_ms[AB_NPCT];
	const char *http_src[AB_NPCT];
	http_percentiles(o, &t, &acsv, &tsv, http_ms, http_src);
	struct row rows[32];
	size_t n = build_rows(&t, s, &d, http_ms, rows);
	if (fig)
		fill_figures(fig, &t, s, &d, http_ms, offset);

	const char *outdir = o->out ? o->out : o->dir;
	if (make_out_dir(outdir) < 0)
		goto out;
	/* wrk's percentiles go in http_ms alone: the ab_* columns stay empty */
	struct ab_text t_cols = t;
	t_cols.has_table &= !o->wrk;
	if (write_outputs(outdir, rows, n, &t_cols, o->ab_csv && !o->wrk ? &acsv : NULL, o->ab_tsv && !o->wrk ? &tsv : NULL,
	                  &d, http_ms, http_src) < 0)
		goto out;
	/* the chart: HTTP vs database latency per percentile (the data of http-compare-percentiles.csv) */
	char charts[2][4200];
	if (draw_chart(outdir, o->wrk ? "wrk" : "ab", &t, http_ms, &d, s->id, s->query, offset, charts) < 0)
		goto out;

	if (!o->quiet) {
		char conn_text[32];
		printf("http: %ld requests at concurrency %ld to http://%s:%ld%s (offset %ld, %s)\n", t.complete,
		       t.concurrency, t.host, t.port, t.path, offset, how);
		printf("database: step %s of %s (query %s, model %s, %s connections), percentiles from %s\n\n", s->id,
		       o->dir, s->query, s->model, num_text(s->v[RF_CONNECTIONS], conn_text, sizeof conn_text), d.source);
		print_shares(&run, o, &t, s, print_table(rows, n));
		printf("wrote %s/http-compare.csv and http-compare-percentiles.csv%s\n", outdir,
		       o->ab_tsv ? " and http-compare-timeline.csv" : "");
		printf("chart: %s\nchart: %s\n", charts[0], charts[1]);
	}
	rc = EXIT_OK;
out:
	if (rc != EXIT_OK && sig_caught())
		rc = sig_exit_status();
	res_free(&run);
	ab_tsv_free(&tsv);
	return rc;
}

/* ---- http-compare --url: every step in one table ------------------------------------------------- */

/* b / a as a share when both are there and b <= a; NAN otherwise (over: b > a). */
static double share_of(double b, double a, int *over)
{
	if (!isfinite(a) || !isfinite(b) || a <= 0)
		return NAN;
	if (b > a) {
		*over = 1;
		return NAN;
	}
	return b / a;
}

/* One step's notes, for the terminal and the CSV (no commas). */
static void step_notes(const struct http_compare_figures *f, int over, double mean_share, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
#define NOTE(...) do { if (o < len) { int n_ = snprintf(buf + o, len - o, "%s", o ? "; " : ""); o += n_ > 0 ? (size_t)n_ : 0; } \
		if (o < len) { int n_ = snprintf(buf + o, len - o, __VA_ARGS__); o += n_ > 0 ? (size_t)n_ : 0; } } while (0)
	if (f->not_compared)
		NOTE("not compared (see the error)");
	if (over)
		NOTE("! database above HTTP");
	if (f->non2xx > 0)
		NOTE("%ld non-2xx", f->non2xx);
	if (f->failed > 0)
		NOTE("%ld failed", f->failed);
	if (f->probe_status && (f->probe_status < 200 || f->probe_status > 299))
		NOTE("GET answered %d", f->probe_status);
	if (f->http_records >= 0 && f->db_records >= 0 && f->http_records < f->db_records)
		NOTE("page has %ld of %ld records", f->http_records, f->db_records);
	if (isfinite(mean_share) && mean_share < HTTP_COMPARE_NOT_BOTTLENECK)
		NOTE("db not the bottleneck");
#undef NOTE
}

static void cell(char *buf, size_t len, double v, int decimals, int percent)
{
	if (!isfinite(v))
		snprintf(buf, len, percent ? "" : "-");
	else if (percent)
		snprintf(buf, len, "%.1f%%", 100.0 * v);
	else
		snprintf(buf, len, "%.*f", decimals, v);
}

static void csv_cell(FILE *f, double v, int decimals, int last)
{
	if (isfinite(v))
		fprintf(f, "%.*f", decimals, v);
	fputc(last ? '\n' : ',', f);
}

int http_compare_steps_write(const char *dir, const char *tool, const struct http_compare_figures *figs, size_t n,
                             int quiet)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/http-compare-steps.csv", dir);
	FILE *f = fopen(path, "w");
	if (!f) {
		log_error("could not write \"%s\": %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "step,concurrency,page,offset,http_requests,http_failed,http_non2xx,http_per_s,db_per_s,http_mean_ms,"
	           "db_mean_ms,mean_share,http_p50_ms,db_p50_ms,p50_share,http_p99_ms,db_p99_ms,p99_share,"
	           "server_exec_mean_ms,exec_share,http_records,db_records,http_p99_reliable,db_p99_reliable,notes\n");
	if (!quiet) {
		printf("\nHTTP (%s) and database, step by step (each HTTP load ran just before its database step):\n", tool);
		printf("%-24s %4s %5s %9s %9s %9s %9s %6s %9s %9s %6s %9s %9s  %s\n", "step", "c", "page", "http/s", "db q/s",
		       "http mean", "db mean", "share", "http p50", "db p50", "share", "http p99", "db p99", "notes");
	}
	int any_over = 0, not_bottleneck = 0, any_thin = 0;
	double worst_share = NAN;
	for (size_t i = 0; i < n; i++) {
		const struct http_compare_figures *x = &figs[i];
		/* a p99 from under 1,000 requests or queries is little more than the slowest few: '*' on the terminal,
		 * and one above the other is no sign the two were measured unalike */
		int thin_http = x->requests > 0 && !hist_pct_reliable((uint64_t)x->requests, 99);
		int thin_db = isfinite(x->db_n) && !hist_pct_reliable((uint64_t)x->db_n, 99);
		int over = 0, over_thin = 0;
		double ms = share_of(x->db_mean_ms, x->http_mean_ms, &over);
		double p50 = share_of(x->db_p50_ms, x->http_p50_ms, &over);
		double p99 = share_of(x->db_p99_ms, x->http_p99_ms, thin_http || thin_db ? &over_thin : &over);
		int over_exec = 0;
		double es = share_of(x->exec_mean_ms, x->http_mean_ms, &over_exec);
		any_over |= over;
		if (isfinite(ms) && ms < HTTP_COMPARE_NOT_BOTTLENECK) {
			not_bottleneck++;
			if (!isfinite(worst_share) || ms < worst_share)
				worst_share = ms;
		}
		char notes[256];
		step_notes(x, over, ms, notes, sizeof notes);
		fprintf(f, "%s,%ld,%ld,%ld,", x->step, x->concurrency, x->page, x->offset);
		csv_cell(f, x->requests >= 0 ? (double)x->requests : NAN, 0, 0);
		csv_cell(f, x->failed >= 0 ? (double)x->failed : NAN, 0, 0);
		csv_cell(f, x->non2xx >= 0 ? (double)x->non2xx : NAN, 0, 0);
		csv_cell(f, x->http_rps, 1, 0);
		csv_cell(f, x->db_qps, 1, 0);
		csv_cell(f, x->http_mean_ms, 3, 0);
		csv_cell(f, x->db_mean_ms, 3, 0);
		csv_cell(f, ms, 4, 0);
		csv_cell(f, x->http_p50_ms, 3, 0);
		csv_cell(f, x->db_p50_ms, 3, 0);
		csv_cell(f, p50, 4, 0);
		csv_cell(f, x->http_p99_ms, 3, 0);
		csv_cell(f, x->db_p99_ms, 3, 0);
		csv_cell(f, p99, 4, 0);
		csv_cell(f, x->exec_mean_ms, 3, 0);
		csv_cell(f, es, 4, 0);
		if (x->http_records >= 0)
			fprintf(f, "%ld", x->http_records);
		fputc(',', f);
		if (x->db_records >= 0)
			fprintf(f, "%ld", x->db_records);
		any_thin |= thin_http || thin_db;
		if (x->not_compared)
			fprintf(f, ",,,%s\n", notes);
		else
			fprintf(f, ",%d,%d,%s\n", !thin_http, !thin_db, notes);
		if (!quiet) {
			char c[12][32];
			cell(c[0], 32, x->http_rps, 1, 0);
			cell(c[1], 32, x->db_qps, 1, 0);
			cell(c[2], 32, x->http_mean_ms, 3, 0);
			cell(c[3], 32, x->db_mean_ms, 3, 0);
			cell(c[4], 32, ms, 0, 1);
			cell(c[5], 32, x->http_p50_ms, 3, 0);
			cell(c[6], 32, x->db_p50_ms, 3, 0);
			cell(c[7], 32, p50, 0, 1);
			cell(c[8], 32, x->http_p99_ms, 3, 0);
			cell(c[9], 32, x->db_p99_ms, 3, 0);
			if (thin_http && isfinite(x->http_p99_ms))
				strcat(c[8], "*");
			if (thin_db && isfinite(x->db_p99_ms))
				strcat(c[9], "*");
			printf("%-24s %4ld %5ld %9s %9s %9s %9s %6s %9s %9s %6s %9s %9s%s%s\n", x->step, x->concurrency, x->page,
			       c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], notes[0] ? "  " : "", notes);
		}
	}
	int ok = fclose(f) == 0;
	if (!ok)
		log_error("could not write \"%s\"", path);
	if (!quiet) {
		printf("share: database / HTTP on the same row (of the mean; of p50); a step's own table, CSV files and chart "
		       "are in %s/http/<step>/\n", dir);
		if (any_thin)
			printf("*: a p99 of fewer than 1000 requests or queries: little more than the slowest few\n");
		if (any_over)
			printf("!: a database figure exceeds the HTTP one although the two ran back to back under the same "
			       "load: no share is given (too few requests, or the machine was busy)\n");
		if (not_bottleneck)
			printf("the database is not the bottleneck: in %d step%s it is under %.0f%% of the mean request "
			       "(as little as %.1f%%): the time goes to the web app\n",
			       not_bottleneck, not_bottleneck == 1 ? "" : "s", 100.0 * HTTP_COMPARE_NOT_BOTTLENECK,
			       100.0 * worst_share);
		printf("wrote %s\n", path);
	}
	return ok ? 0 : -1;
}
