/*
 * ab.h: Apache Bench's own output files, read for `pgpagebench http-compare` (plots/http_compare.c): the
 * text summary ab prints, its -e percentile CSV and its -g per-request TSV.
 */
#ifndef PGPB_AB_H
#define PGPB_AB_H

#include <stddef.h>

/* The percentiles ab's summary prints, in its order. */
#define AB_NPCT 9
extern const int ab_percentiles[AB_NPCT]; /* 50, 66, 75, 80, 90, 95, 98, 99, 100 */

struct ab_text {
	char host[256];
	long port;
	char path[2048]; /* "Document Path": the path and query of the URL */
	long concurrency, complete, failed, non2xx; /* non2xx: "Non-2xx responses", 0 when absent */
	double time_taken_s, requests_per_s, mean_ms; /* mean_ms: "Time per request" (mean) */
	int has_table; /* the percentile table was found (with every row of ab_percentiles) */
	double table_ms[AB_NPCT]; /* as ab prints it: whole milliseconds */
};

/* The largest files read (common/input.h): ab's text is a few kB, its -e file 101 lines, its -g file a line
 * of about 60 bytes a request (256 MB: over 4 million requests). */
#define AB_TEXT_MAX ((size_t)16 << 20)
#define AB_CSV_MAX ((size_t)1 << 20)
#define AB_TSV_MAX ((size_t)256 << 20)

/* Each parser returns 0, or -1 with a reason in err (one line, lower case, no period). */
/* Every number it reads is checked: digits only ("nan", "inf" and negative values are not ab's), in range;
 * a bad one is named with its line. A read cut by a signal fails too (sig_caught() says so). */
int ab_parse_text(const char *file, struct ab_text *out, char *err, size_t err_len);

/* The -e file: "Percentage served,Time in ms", then percent (0..100) and milliseconds. */
struct ab_csv {
	double ms[101];
	unsigned char have[101];
};
int ab_parse_csv(const char *file, struct ab_csv *out, char *err, size_t err_len);
/* Whether ab's -e row for percent p (1..99) of n requests is a request's time: ab reads the request at
 * index round(n x p / 100), one past the last when n is small (n = 50, p = 99): that row is garbage. */
int ab_csv_row_valid(int p, long n);

/* The -g file: "starttime seconds ctime dtime ttime wait" per request. ab writes it sorted by ttime;
 * ab_parse_tsv sorts the requests by start time (stable) and keeps the ttimes sorted apart. */
struct ab_request {
	double start_s; /* epoch seconds ("seconds" column; microseconds from older ab are converted) */
	double ctime_ms, dtime_ms, ttime_ms, wait_ms;
};
struct ab_tsv {
	struct ab_request *req; /* by start time */
	double *ttime_sorted; /* ascending, for exact percentiles */
	size_t n;
};
int ab_parse_tsv(const char *file, struct ab_tsv *out, char *err, size_t err_len);
void ab_tsv_free(struct ab_tsv *t);

/* Nearest-rank percentile of sorted values (p in 0..100): the value at rank hist_rank(p, n), the rule of
 * every percentile the tool prints (the first value for p = 0). n must be > 0. */
double ab_percentile_sorted(const double *sorted, size_t n, double p);

/*
 * The OFFSET a URL path asks for: "?offset=N" (or "&offset=N") gives N; "?page=N" gives (N - 1) *
 * page_size (pages count from 1, as Django's paginator does). Returns 1 with *offset and *how set
 * ("offset" or "page"), 0 when the URL has neither (the first page), -1 on a bad value (err says why).
 */
int ab_url_offset(const char *path, long page_size, long *offset, const char **how, char *err, size_t err_len);

#endif
