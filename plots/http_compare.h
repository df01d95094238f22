/*
 * http_compare.h: an HTTP endpoint measured with Apache Bench beside the database-only numbers of a run
 * at the same concurrency and page, for `pgpagebench http-compare` (cmd/http_compare.c). Reads the results
 * directory through resdir/read.h and ab's own files through plots/ab.h; needs no server.
 */
#ifndef PGPB_HTTP_COMPARE_H
#define PGPB_HTTP_COMPARE_H

struct http_compare_opts {
	const char *dir; /* RESULTS_DIR */
	const char *ab, *ab_csv, *ab_tsv; /* ab's text output (required), its -e file, its -g file */
	const char *step, *query; /* --step, --query: which step; NULL = match by concurrency and offset */
	const char *out; /* where the CSV files and charts go; NULL = dir */
	long offset, page_size;
	int have_offset; /* --offset given, else from the URL */
	int quiet; /* no table on standard output */
};

/* Writes http-compare.csv, http-compare-percentiles.csv (and the timeline with ab_tsv) and the chart,
 * and prints the table. Returns an exit status: 0, or 1 (logged). */
int http_compare_run(const struct http_compare_opts *o);

#endif
