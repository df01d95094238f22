/*
 * ab.c: reads Apache Bench's outputs (text summary, -e CSV, -g TSV) so http-compare can put an HTTP
 * endpoint's numbers beside the database-only numbers of a run. Parsing only: no judgement here. ab's
 * formats are those of ab 2.3 (apache2-utils); unknown lines are skipped, so stderr mixed in is harmless.
 */
#include "plots/ab.h"
#include "common/hist.h"
#include "common/alloc.h"
#include "common/input.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const int ab_percentiles[AB_NPCT] = { 50, 66, 75, 80, 90, 95, 98, 99, 100 };

/* A number as ab prints it: digits, no sign ("nan", "inf", "-1" and hex are not ab's), then the end or a
 * blank and the unit. */
static const char *number_end(const char *v, int allow_point)
{
	const char *p = v;
	while (*p >= '0' && *p <= '9')
		p++;
	if (allow_point && *p == '.' && p > v)
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (p == v || (*p != '\0' && *p != ' ' && *p != '\t'))
		return NULL;
	return p;
}

/* "Key: value" lines: 0, or -1 with err naming the file, the line and the value. */
static int bad_value(const char *file, long lineno, const char *key, const char *v, char *err, size_t err_len)
{
	size_t klen = strlen(key);
	snprintf(err, err_len, "file \"%s\" line %ld: invalid value \"%.40s\" for \"%.*s\"", file, lineno, v,
	         (int)(klen && key[klen - 1] == ':' ? klen - 1 : klen), key);
	return -1;
}

static int long_value(const char *file, long lineno, const char *key, const char *v, long *out, char *err,
                      size_t err_len)
{
	if (!number_end(v, 0))
		return bad_value(file, lineno, key, v, err, err_len);
	errno = 0;
	long n = strtol(v, NULL, 10);
	if (errno == ERANGE)
		return bad_value(file, lineno, key, v, err, err_len);
	*out = n;
	return 0;
}

static int double_value(const char *file, long lineno, const char *key, const char *v, double *out, char *err,
                        size_t err_len)
{
	if (!number_end(v, 1))
		return bad_value(file, lineno, key, v, err, err_len);
	errno = 0;
	double d = strtod(v, NULL);
	if (errno == ERANGE || !isfinite(d))
		return bad_value(file, lineno, key, v, err, err_len);
	*out = d;
	return 0;
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

/* ab's -e and -g files: a fixed header line, then one row a line (blank lines skipped). */
struct rows {
	struct input in;
	char *line;
};

/* Opens file and checks its first line against header; kind ("-e") and shown (the header as the error
 * message prints it) name it on failure. 0 or -1 with err set. */
static int rows_open(struct rows *r, const char *file, size_t limit, const char *header, const char *kind,
                     const char *shown, char *err, size_t err_len)
{
	int why, got;
	memset(r, 0, sizeof *r);
	if (input_open(&r->in, file, limit, &why, err, err_len) < 0)
		return -1;
	if ((got = input_line(&r->in, &r->line, &why, err, err_len)) < 0) {
		input_close(&r->in);
		return -1;
	}
	if (got && strcmp(r->line, header) == 0)
		return 0;
	snprintf(err, err_len, "file \"%s\" is not an ab %s file: first line is not %s", file, kind, shown);
	input_close(&r->in);
	return -1;
}

/* The next non-blank row: 1, 0 at the end of the file, -1 (err set). */
static int rows_next(struct rows *r, char *err, size_t err_len)
{
	int why, got;
	while ((got = input_line(&r->in, &r->line, &why, err, err_len)) > 0)
		if (r->line[0] != '\0')
			return 1;
	return got;
}

static void rows_close(struct rows *r)
{
	input_close(&r->in);
}

int ab_parse_text(const char *file, struct ab_text *out, char *err, size_t err_len)
{
	memset(out, 0, sizeof *out);
	struct input in;
	int why;
	if (input_open(&in, file, AB_TEXT_MAX, &why, err, err_len) < 0)
		return -1;
	char *line;
	int seen_conc = 0, seen_complete = 0, seen_rps = 0, seen_mean = 0, in_table = 0, got, rc = 0;
	unsigned rows = 0;
	while (rc == 0 && (got = input_line(&in, &line, &why, err, err_len)) > 0) {
		const char *v;
		long n = in.lineno;
		if ((v = field(line, "Server Hostname:")))
			snprintf(out->host, sizeof out->host, "%s", v);
		else if ((v = field(line, "Server Port:")))
			rc = long_value(file, n, "Server Port:", v, &out->port, err, err_len);
		else if ((v = field(line, "Document Path:")))
			snprintf(out->path, sizeof out->path, "%s", v);
		else if ((v = field(line, "Concurrency Level:")))
			rc = long_value(file, n, "Concurrency Level:", v, &out->concurrency, err, err_len), seen_conc = 1;
		else if ((v = field(line, "Time taken for tests:")))
			rc = double_value(file, n, "Time taken for tests:", v, &out->time_taken_s, err, err_len);
		else if ((v = field(line, "Complete requests:")))
			rc = long_value(file, n, "Complete requests:", v, &out->complete, err, err_len), seen_complete = 1;
		else if ((v = field(line, "Failed requests:")))
			rc = long_value(file, n, "Failed requests:", v, &out->failed, err, err_len);
		else if ((v = field(line, "Non-2xx responses:")))
			rc = long_value(file, n, "Non-2xx responses:", v, &out->non2xx, err, err_len);
		else if ((v = field(line, "Requests per second:")))
			rc = double_value(file, n, "Requests per second:", v, &out->requests_per_s, err, err_len), seen_rps = 1;
		else if ((v = field(line, "Time per request:")) && !seen_mean && !strstr(v, "across"))
			rc = double_value(file, n, "Time per request:", v, &out->mean_ms, err, err_len), seen_mean = 1;
		else if (strncmp(line, "Percentage of the requests served within", 40) == 0)
			in_table = 1;
		else if (in_table) {
			int pct, used = 0;
			if (sscanf(line, " %3d%%%n", &pct, &used) == 1 && used > 0) {
				const char *ms = line + used;
				while (*ms == ' ' || *ms == '\t')
					ms++;
				double value;
				char key[32];
				snprintf(key, sizeof key, "%d%%", pct);
				if ((rc = double_value(file, n, key, ms, &value, err, err_len)) < 0)
					break;
				for (int i = 0; i < AB_NPCT; i++)
					if (ab_percentiles[i] == pct) {
						out->table_ms[i] = value;
						rows |= 1u << i;
					}
			} else if (line[0] != '\0')
				in_table = 0;
		}
	}
	input_close(&in);
	if (rc < 0 || got < 0)
		return -1;
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

int ab_csv_row_valid(int p, long n)
{
	if (p <= 0 || p >= 100)
		return 1; /* ab's first and last rows: the fastest and the slowest request */
	return n > 0 && (long)(0.5 + (double)n * p / 100.0) < n;
}

int ab_parse_csv(const char *file, struct ab_csv *out, char *err, size_t err_len)
{
	memset(out, 0, sizeof *out);
	struct rows r;
	if (rows_open(&r, file, AB_CSV_MAX, "Percentage served,Time in ms", "-e", "\"Percentage served,Time in ms\"", err,
	              err_len) < 0)
		return -1;
	int rc = 0, nrows = 0, got;
	while ((got = rows_next(&r, err, err_len)) > 0) {
		char *line = r.line;
		int pct, used = 0;
		double ms;
		if (sscanf(line, "%3d,%lf%n", &pct, &ms, &used) != 2 || line[used] != '\0' || pct < 0 || pct > 100 ||
		    !(ms >= 0) || !isfinite(ms)) {
			snprintf(err, err_len, "file \"%s\" line %ld: expected \"percent,milliseconds\", got \"%.40s\"", file,
			         r.in.lineno, line);
			rc = -1;
			break;
		}
		out->ms[pct] = ms;
		out->have[pct] = 1;
		nrows++;
	}
	rows_close(&r);
	if (got < 0)
		rc = -1;
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

/* Every time of a -g line is a number, finite and not negative (ab writes no other). */
static int times_valid(const struct ab_request *r)
{
	const double v[] = { r->start_s, r->ctime_ms, r->dtime_ms, r->ttime_ms, r->wait_ms };
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		if (!(v[i] >= 0) || !isfinite(v[i]))
			return 0;
	return 1;
}

int ab_parse_tsv(const char *file, struct ab_tsv *out, char *err, size_t err_len)
{
	memset(out, 0, sizeof *out);
	struct rows rd;
	if (rows_open(&rd, file, AB_TSV_MAX, "starttime\tseconds\tctime\tdtime\tttime\twait", "-g",
	              "the header \"starttime seconds ctime dtime ttime wait\"", err, err_len) < 0)
		return -1;
	size_t alloc = 0;
	int rc = 0, got;
	while ((got = rows_next(&rd, err, err_len)) > 0) {
		char *line = rd.line;
		/* starttime holds blanks ("Wed Nov 25 21:29:02 2026"): the numbers follow the first tab */
		char *tab = strchr(line, '\t');
		struct ab_request r;
		int used = 0;
		if (!tab || sscanf(tab + 1, "%lf\t%lf\t%lf\t%lf\t%lf%n", &r.start_s, &r.ctime_ms, &r.dtime_ms, &r.ttime_ms,
		                   &r.wait_ms, &used) != 5 || tab[1 + used] != '\0' || !times_valid(&r)) {
			snprintf(err, err_len, "file \"%s\" line %ld: expected six tab-separated fields, got \"%.60s\"", file,
			         rd.in.lineno, line);
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
	if (got < 0)
		rc = -1;
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
