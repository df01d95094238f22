/*
 * http_compare.h: an HTTP endpoint measured with Apache Bench beside the database-only numbers of a run
 * at the same concurrency and page, for `pgpagebench http-compare` (cmd/http_compare.c). Reads the results
 * directory through resdir/read.h and ab's own files through plots/ab.h; needs no server.
 */
#ifndef PGPB_HTTP_COMPARE_H
#define PGPB_HTTP_COMPARE_H

#include <stddef.h>

struct http_compare_opts {
	const char *dir; /* RESULTS_DIR */
	const char *ab, *ab_csv, *ab_tsv; /* ab's text output (required), its -e file, its -g file */
	const char *step, *query; /* --step, --query: which step; NULL = match by concurrency and offset */
	const char *out; /* where the CSV files and charts go; NULL = dir */
	long offset, page_size;
	int have_offset; /* --offset given, else from the URL */
	int quiet; /* no table on standard output */
	int wrk; /* ab names wrk's output (plots/wrk.h) instead of ab's: its percentiles are exact, no -e or -g */
	int interleaved; /* the HTTP load ran just before the step (http-compare --url): not checked by file times */
};

/* The figures of one comparison, for http-compare --url's table of all its steps (NAN when absent). */
struct http_compare_figures {
	char step[64];
	long concurrency, offset;
	long requests, failed, non2xx; /* HTTP: requests complete, failed (socket errors), non-2xx statuses */
	double http_rps, http_mean_ms, http_p50_ms, http_p99_ms;
	double db_qps, db_mean_ms, db_p50_ms, db_p99_ms, db_errors, db_n;
	double exec_mean_ms; /* pg_stat_statements' mean execution; NAN when absent or not reliable */
	int over; /* of mean, p50 and (when both rest on 1,000 values or more) p99: how many have the database
	           * figure above the HTTP one (no share given) */
	/* filled by the caller (http-compare --url), for the notes */
	long page;
	long http_records, db_records; /* records on the page: the GET before the load, the query's; -1 unknown */
	int probe_status; /* the GET's HTTP status */
	int not_compared; /* the comparison failed (reported): the row says so and shows no figures */
};

/* Every figure unknown (NAN, counts -1) and not_compared set: what a step's row holds until its
 * comparison fills it. */
void http_compare_figures_unknown(struct http_compare_figures *f);

/* The database share of the mean request under which http-compare --url says the database is not the
 * bottleneck of the app. */
#define HTTP_COMPARE_NOT_BOTTLENECK 0.2

/* http-compare --url's table of all its steps: printed (unless quiet) and written as
 * DIR/http-compare-steps.csv; tool names the HTTP side. 0, or -1 (logged). */
int http_compare_steps_write(const char *dir, const char *tool, const struct http_compare_figures *f, size_t n,
                             int quiet);

/* Writes http-compare.csv, http-compare-percentiles.csv (and the timeline with ab_tsv) and the chart,
 * and prints the table. Returns an exit status: 0, or 1 (logged). */
int http_compare_run(const struct http_compare_opts *o);
/* The same, its figures also into fig (when not NULL). */
int http_compare_run_fig(const struct http_compare_opts *o, struct http_compare_figures *fig);

#endif
