/*
 * ab.c: reads Apache Bench's outputs (text summary, -e CSV, -g TSV) so http-compare can put an HTTP
 * endpoint's numbers beside the database-only numbers of a run. Parsing only: no judgement here. ab's
 * formats are those of ab 2.3 (apache2-utils); unknown lines are skipped, so stderr mixed in is harmless.
 */
#include "plots/ab.h"
#include "common/hist.h"
#include "common/alloc.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const int ab_percentiles[AB_NPCT] = { 50, 66, 75, 80, 90, 95, 98, 99, 100 };

static FILE *open_input(const char *file, char *err, size_t err_len)
{
	FILE *f = fopen(file, "r");
	if (!f)
		snprintf(err, err_len, "could not open file \"%s\": %s", file, strerror(errno));
	return f;
}

/* "Key:   value" -> value (leading blanks skipped), or NULL when line does not start with key. */
static const char *field(const char *line, const char *key)
{
	size_t n = strlen(key);
	if (strncmp(line, key, n) != 0)
		return NULL;
	line += n;
	while (*line == ' ' || *line == '\t')
		line++;
	return line;
}

static void chomp(char *s)
{
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

/* ab's -e and -g files: a fixed header line, then one row a line (blank lines skipped). */
struct rows {
	FILE *f;
	char *line;
	size_t cap;
	long lineno;
};

/* Opens file and checks its first line against header; kind ("-e") and shown (the header as the error
 * message prints it) name it on failure. 0 or -1 with err set. */
static int rows_open(struct rows *r, const char *file, const char *header, const char *kind, const char *shown,
                     char *err, size_t err_len)
{
	memset(r, 0, sizeof *r);
	if (!(r->f = open_input(file, err, err_len)))
		return -1;
	if (getline(&r->line, &r->cap, r->f) >= 0) {
		chomp(r->line);
		r->lineno = 1;
		if (strcmp(r->line, header) == 0)
			return 0;
	}
	snprintf(err, err_len, "file \"%s\" is not an ab %s file: first line is not %s", file, kind, shown);
	free(r->line);
	fclose(r->f);
	return -1;
}

/* The next non-blank row, or NULL at the end of the file. */
static char *rows_next(struct rows *r)
{
	while (getline(&r->line, &r->cap, r->f) >= 0) {
		chomp(r->line);
		r->lineno++;
		if (r->line[0] != '\0')
			return r->line;
	}
	return NULL;
}

static void rows_close(struct rows *r)
{
	free(r->line);
	fclose(r->f);
}

int ab_parse_text(const char *file, struct ab_text *out, char *err, size_t err_len)
{
	memset(out, 0, sizeof *out);
	FILE *f = open_input(file, err, err_len);
	if (!f)
		return -1;
	char *line = NULL;
	size_t cap = 0;
	int seen_conc = 0, seen_complete = 0, seen_rps = 0, seen_mean = 0, in_table = 0;
	unsigned rows = 0;
	while (getline(&line, &cap, f) >= 0) {
		chomp(line);
		const char *v;
		if ((v = field(line, "Server Hostname:")))
			snprintf(out->host, sizeof out->host, "%s", v);
		else if ((v = field(line, "Server Port:")))
			out->port = atol(v);
		else if ((v = field(line, "Document Path:")))
			snprintf(out->path, sizeof out->path, "%s", v);
		else if ((v = field(line, "Concurrency Level:")))
			seen_conc = sscanf(v, "%ld", &out->concurrency) == 1;
		else if ((v = field(line, "Time taken for tests:")))
			sscanf(v, "%lf", &out->time_taken_s);
		else if ((v = field(line, "Complete requests:")))
			seen_complete = sscanf(v, "%ld", &out->complete) == 1;
		else if ((v = field(line, "Failed requests:")))
			sscanf(v, "%ld", &out->failed);
		else if ((v = field(line, "Non-2xx responses:")))
			sscanf(v, "%ld", &out->non2xx);
		else if ((v = field(line, "Requests per second:")))
			seen_rps = sscanf(v, "%lf", &out->requests_per_s) == 1;
		else if ((v = field(line, "Time per request:")) && !seen_mean && !strstr(v, "across"))
			seen_mean = sscanf(v, "%lf", &out->mean_ms) == 1;
		else if (strncmp(line, "Percentage of the requests served within", 40) == 0)
			in_table = 1;
		else if (in_table) {
			int pct;
			double ms;
			if (sscanf(line, " %d%% %lf", &pct, &ms) == 2) {
				for (int i = 0; i < AB_NPCT; i++)
					if (ab_percentiles[i] == pct) {
						out->table_ms[i] = ms;
						rows |= 1u << i;
					}
			} else if (line[0] != '\0')
				in_table = 0;
		}
	}
	free(line);
	int read_error = ferror(f);
	fclose(f);
	if (read_error) {
		snprintf(err, err_len, "could not read file \"%s\"", file);
		return -1;
	}
	if (!seen_conc || !seen_complete || !seen_rps) {
		snprintf(err, err_len, "file \"%s\" is not Apache Bench output: no \"%s\" line", file,
		         !seen_conc ? "Concurrency Level:" : !seen_complete ? "Complete requests:" : "Requests per second:");
		return -1;
	}
	if (out->concurrency < 1) {
		snprintf(err, err_len, "file \"%s\": invalid concurrency level %ld", file, out->concurrency);
		return -1;
	}
	out->has_table = rows == (1u << AB_NPCT) - 1;
	return 0;
}

int ab_parse_csv(const char *file, struct ab_csv *out, char *err, size_t err_len)
{
	memset(out, 0, sizeof *out);
	struct rows r;
	if (rows_open(&r, file, "Percentage served,Time in ms", "-e", "\"Percentage served,Time in ms\"", err, err_len) < 0)
		return -1;
	int rc = 0, nrows = 0;
	for (char *line; (line = rows_next(&r));) {
		int pct, used = 0;
		double ms;
		if (sscanf(line, "%d,%lf%n", &pct, &ms, &used) != 2 || line[used] != '\0' || pct < 0 || pct > 100 || !(ms >= 0)) {
			snprintf(err, err_len, "file \"%s\" line %ld: expected \"percent,milliseconds\", got \"%.40s\"", file, r.lineno, line);
			rc = -1;
			break;
		}
		out->ms[pct] = ms;
		out->have[pct] = 1;
		nrows++;
	}
	rows_close(&r);
	if (rc == 0 && nrows == 0) {
		snprintf(err, err_len, "file \"%s\" holds no percentiles", file);
		rc = -1;
	}
	return rc;
}

/* A request and its line in the file, so sorting by start time keeps the file's order within a second
 * (qsort alone is not stable). */
struct keyed {
	struct ab_request r;
	size_t pos;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	if (x->r.start_s != y->r.start_s)
		return (x->r.start_s > y->r.start_s) - (x->r.start_s < y->r.start_s);
	return (x->pos > y->pos) - (x->pos < y->pos);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int ab_parse_tsv(const char *file, struct ab_tsv *out, char *err, size_t err_len)
{
	memset(out, 0, sizeof *out);
	struct rows rd;
	if (rows_open(&rd, file, "starttime\tseconds\tctime\tdtime\tttime\twait", "-g",
	              "the header \"starttime seconds ctime dtime ttime wait\"", err, err_len) < 0)
		return -1;
	size_t alloc = 0;
	int rc = 0;
	for (char *line; (line = rows_next(&rd));) {
		/* starttime holds blanks ("Wed Nov 25 21:29:02 2026"): the numbers follow the first tab */
		char *tab = strchr(line, '\t');
		struct ab_request r;
		int used = 0;
		if (!tab || sscanf(tab + 1, "%lf\t%lf\t%lf\t%lf\t%lf%n", &r.start_s, &r.ctime_ms, &r.dtime_ms, &r.ttime_ms,
		                   &r.wait_ms, &used) != 5 || tab[1 + used] != '\0' || !(r.ttime_ms >= 0)) {
			snprintf(err, err_len, "file \"%s\" line %ld: expected six tab-separated fields, got \"%.60s\"", file, rd.lineno, line);
			rc = -1;
			break;
		}
		if (r.start_s > 1e11) /* microseconds since the epoch, as some ab builds write */
			r.start_s /= 1e6;
		if (out->n == alloc) {
			alloc = alloc ? alloc * 2 : 1024;
			out->req = pgpb_reallocarray(out->req, alloc, sizeof *out->req);
		}
		out->req[out->n++] = r;
	}
	rows_close(&rd);
	if (rc == 0 && out->n == 0) {
		snprintf(err, err_len, "file \"%s\" holds no requests", file);
		rc = -1;
	}
	if (rc == 0) {
		/* ab writes the file sorted by total time: order it by start time for any timeline */
		struct keyed *k = pgpb_reallocarray(NULL, out->n, sizeof *k);
		out->ttime_sorted = pgpb_reallocarray(NULL, out->n, sizeof *out->ttime_sorted);
		for (size_t i = 0; i < out->n; i++) {
			k[i].r = out->req[i];
			k[i].pos = i;
			out->ttime_sorted[i] = out->req[i].ttime_ms;
		}
		qsort(out->ttime_sorted, out->n, sizeof *out->ttime_sorted, cmp_double);
		qsort(k, out->n, sizeof *k, cmp_keyed);
		for (size_t i = 0; i < out->n; i++)
			out->req[i] = k[i].r;
		free(k);
	}
	if (rc != 0)
		ab_tsv_free(out);
	return rc;
}

void ab_tsv_free(struct ab_tsv *t)
{
	free(t->req);
	free(t->ttime_sorted);
	memset(t, 0, sizeof *t);
}

double ab_percentile_sorted(const double *sorted, size_t n, double p)
{
	return sorted[hist_rank(p, n) - 1]; /* the one rule of common/hist.h */
}

int ab_url_offset(const char *path, long page_size, long *offset, const char **how, char *err, size_t err_len)
{
	const char *q = strchr(path, '?');
	if (!q)
		return 0;
	for (const char *p = q + 1; *p;) {
		size_t len = strcspn(p, "&#");
		const char *key = NULL;
		if (strncmp(p, "offset=", 7) == 0)
			key = "offset";
		else if (strncmp(p, "page=", 5) == 0)
			key = "page";
		if (key) {
			const char *v = p + strlen(key) + 1;
			size_t vlen = len - strlen(key) - 1;
			char buf[32];
			char *end;
			if (vlen == 0 || vlen >= sizeof buf) {
				snprintf(err, err_len, "invalid %s \"%.*s\" in the URL", key, (int)(vlen < 40 ? vlen : 40), v);
				return -1;
			}
			memcpy(buf, v, vlen);
			buf[vlen] = '\0';
			errno = 0;
			long n = strtol(buf, &end, 10);
			if (*end || errno || n < 0 || (key[0] == 'p' && n < 1) || (key[0] == 'p' && n - 1 > 1000000000L / page_size)) {
				snprintf(err, err_len, "invalid %s \"%s\" in the URL%s", key, buf,
				         key[0] == 'p' && *end == '\0' && !errno && n < 1 ? " (pages count from 1)" : "");
				return -1;
			}
			*offset = key[0] == 'o' ? n : (n - 1) * page_size;
			*how = key;
			return 1;
		}
		p += len;
		if (*p == '#')
			break;
		if (*p == '&')
			p++;
	}
	return 0;
}
