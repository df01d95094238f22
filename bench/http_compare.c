/*
 * http_compare.c: `pgpagebench http-compare RESULTS_DIR --ab FILE`: an HTTP endpoint measured with Apache
 * Bench beside the database-only numbers of a run at the same concurrency and page (issue 7). It answers
 * "my endpoint does 250 requests/s: how much of each request is PostgreSQL?" with a table per percentile
 * (HTTP vs database latency, the database's share), requests/s vs queries/s, and chart data. It reads only
 * the results directory (docs/results.md, columns by name) and ab's own files; it needs no server.
 */
#include "bench/ab.h"
#include "bench/bench.h"
#include "bench/hist.h"
#include "common/cli.h"
#include "common/ctx.h"
#include "common/log.h"
#include "plots/chart.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* ---- steps.csv, read by column name --------------------------------------------------------------- */

struct csv {
	char **names;
	size_t ncols;
	char ***rows; /* rows[r][c], every row has ncols fields ("" when short) */
	size_t nrows;
};

static void csv_free(struct csv *c)
{
	for (size_t r = 0; r < c->nrows; r++) {
		for (size_t i = 0; i < c->ncols; i++)
			free(c->rows[r][i]);
		free(c->rows[r]);
	}
	for (size_t i = 0; i < c->ncols; i++)
		free(c->names[i]);
	free(c->rows);
	free(c->names);
	memset(c, 0, sizeof *c);
}

/* Splits one CSV line (RFC 4180 quoting, no line breaks inside fields); returns the field count or -1. */
static int csv_split(const char *line, char ***out)
{
	size_t n = 0, cap = 8;
	char **f = malloc(cap * sizeof *f);
	const char *p = line;
	if (!f)
		return -1;
	for (;;) {
		size_t blen = strlen(p) + 1, o = 0;
		char *buf = malloc(blen);
		if (!buf)
			goto fail;
		if (*p == '"') {
			p++;
			while (*p && !(*p == '"' && p[1] != '"')) {
				if (*p == '"')
					p++;
				buf[o++] = *p++;
			}
			if (*p != '"') {
				free(buf);
				goto fail;
			}
			p++;
		} else
			while (*p && *p != ',')
				buf[o++] = *p++;
		buf[o] = '\0';
		if (n == cap) {
			char **g = realloc(f, (cap *= 2) * sizeof *f);
			if (!g) {
				free(buf);
				goto fail;
			}
			f = g;
		}
		f[n++] = buf;
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == '\0')
			break;
		goto fail; /* text after a closing quote */
	}
	*out = f;
	return (int)n;
fail:
	for (size_t i = 0; i < n; i++)
		free(f[i]);
	free(f);
	return -1;
}

static int csv_read(const char *file, struct csv *c, char *err, size_t err_len)
{
	memset(c, 0, sizeof *c);
	FILE *f = fopen(file, "r");
	if (!f) {
		snprintf(err, err_len, "could not open file \"%s\": %s", file, strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t cap = 0, rcap = 0;
	long lineno = 0;
	int rc = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		char **fields;
		int n = csv_split(line, &fields);
		if (n < 0) {
			snprintf(err, err_len, "file \"%s\" line %ld: malformed CSV", file, lineno);
			rc = -1;
			break;
		}
		if (!c->names) {
			c->names = fields;
			c->ncols = (size_t)n;
			continue;
		}
		if ((size_t)n > c->ncols) {
			for (int i = 0; i < n; i++)
				free(fields[i]);
			free(fields);
			snprintf(err, err_len, "file \"%s\" line %ld: %d fields, the header has %zu", file, lineno, n, c->ncols);
			rc = -1;
			break;
		}
		char **row = realloc(fields, c->ncols * sizeof *row);
		if (!row) {
			for (int i = 0; i < n; i++)
				free(fields[i]);
			free(fields);
			rc = -1;
			break;
		}
		for (size_t i = (size_t)n; i < c->ncols; i++)
			row[i] = strdup("");
		if (c->nrows == rcap) {
			rcap = rcap ? rcap * 2 : 16;
			char ***g = realloc(c->rows, rcap * sizeof *g);
			if (!g) {
				for (size_t i = 0; i < c->ncols; i++)
					free(row[i]);
				free(row);
				rc = -1;
				break;
			}
			c->rows = g;
		}
		c->rows[c->nrows++] = row;
	}
	free(line);
	fclose(f);
	if (rc == 0 && !c->names) {
		snprintf(err, err_len, "file \"%s\" is empty", file);
		rc = -1;
	}
	if (rc < 0)
		csv_free(c);
	return rc;
}

static int csv_col(const struct csv *c, const char *name)
{
	for (size_t i = 0; i < c->ncols; i++)
		if (strcmp(c->names[i], name) == 0)
			return (int)i;
	return -1;
}

/* The field of row r in column name, or "" when the column does not exist. */
static const char *csv_get(const struct csv *c, size_t r, const char *name)
{
	int i = csv_col(c, name);
	return i < 0 ? "" : c->rows[r][i];
}

/* A numeric field: 1 and *v when present and numeric, 0 when empty or missing. */
static int csv_num(const struct csv *c, size_t r, const char *name, double *v)
{
	const char *s = csv_get(c, r, name);
	char *end;
	if (!*s)
		return 0;
	errno = 0;
	*v = strtod(s, &end);
	return *end == '\0' && errno == 0;
}

/* ---- the step's latency distribution -------------------------------------------------------------- */

struct dist {
	int have[AB_NPCT];
	double ms[AB_NPCT];
	char source[64]; /* "summary.json", "<step>.hgrm" or "steps.csv" */
	uint64_t n; /* queries measured (the histogram's total); 0 when unknown */
};

/* The step's latency histogram rebuilt from its sparse buckets [[value_us, count], ...] (value = the
 * bucket's lowest value, so each count lands back in its own bucket), and read with hist_percentile: the
 * same figures run wrote into steps.csv, by the same rule. */
static int dist_from_summary(const char *dir, const char *step, struct dist *d, char *err, size_t err_len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/summary.json", dir);
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr);
	if (!root) {
		snprintf(err, err_len, "%s", jerr.text);
		return -1;
	}
	int rc = -1;
	json_t *steps = json_object_get(root, "steps"), *s;
	size_t i;
	snprintf(err, err_len, "no step \"%s\" with a latency histogram in \"%s\"", step, path);
	json_array_foreach(steps, i, s)
	{
		const char *id = json_string_value(json_object_get(s, "step"));
		if (!id || strcmp(id, step) != 0)
			continue;
		json_t *h = json_object_get(json_object_get(s, "histograms"), "latency");
		json_t *buckets = json_object_get(h, "buckets");
		json_int_t lowest = json_integer_value(json_object_get(h, "lowest_us")),
		           highest = json_integer_value(json_object_get(h, "highest_us")),
		           digits = json_integer_value(json_object_get(h, "significant_digits"));
		struct hist hh;
		if (!json_is_array(buckets) || json_array_size(buckets) == 0 ||
		    hist_init(&hh, lowest ? lowest : HIST_LOWEST, highest ? highest : HIST_HIGHEST,
		              digits ? (int)digits : HIST_DIGITS) < 0)
			break;
		json_t *b;
		size_t j;
		json_array_foreach(buckets, j, b) {
			json_int_t v = json_integer_value(json_array_get(b, 0)), c = json_integer_value(json_array_get(b, 1));
			if (v >= 0 && c > 0)
				hist_record_n(&hh, v, (uint64_t)c);
		}
		/* the exact extremes run kept (the buckets hold only their lowest values) */
		json_t *minv = json_object_get(h, "min_us"), *maxv = json_object_get(h, "max_us");
		if (hh.total && json_is_integer(minv))
			hh.min = json_integer_value(minv);
		if (hh.total && json_is_integer(maxv))
			hh.max = json_integer_value(maxv);
		if (hh.total) {
			for (int k = 0; k < AB_NPCT; k++) {
				d->ms[k] = (double)hist_percentile(&hh, ab_percentiles[k]) / 1000.0;
				d->have[k] = 1;
			}
			d->n = hh.total;
			snprintf(d->source, sizeof d->source, "summary.json");
			rc = 0;
		}
		hist_free(&hh);
		break;
	}
	json_decref(root);
	return rc;
}

/* HdrHistogram's percentile table: "Value Percentile TotalCount 1/(1-Percentile)", values in ms. */
static int dist_from_hgrm(const char *dir, const char *step, struct dist *d, char *err, size_t err_len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s.hgrm", dir, step);
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, err_len, "could not open file \"%s\": %s", path, strerror(errno));
		return -1;
	}
	double *val = NULL, *cnt = NULL, maxv = -1;
	size_t n = 0, cap = 0;
	char *line = NULL;
	size_t lcap = 0;
	while (getline(&line, &lcap, f) >= 0) {
		double v, p, c;
		if (sscanf(line, "#[Max = %lf", &v) == 1) {
			maxv = v;
			continue;
		}
		if (line[0] == '#' || sscanf(line, " %lf %lf %lf", &v, &p, &c) != 3)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			double *a = realloc(val, cap * sizeof *a), *b = a ? realloc(cnt, cap * sizeof *b) : NULL;
			if (a)
				val = a;
			if (!a || !b)
				break;
			cnt = b;
		}
		val[n] = v;
		cnt[n++] = c;
	}
	free(line);
	fclose(f);
	int rc = -1;
	if (n > 0 && cnt[n - 1] > 0) {
		double total = cnt[n - 1];
		d->n = (uint64_t)total;
		for (int k = 0; k < AB_NPCT; k++) {
			double rank = (double)hist_rank(ab_percentiles[k], (uint64_t)total);
			for (size_t i = 0; i < n; i++)
				if (cnt[i] >= rank) {
					d->ms[k] = val[i];
					d->have[k] = 1;
					break;
				}
		}
		if (maxv >= 0)
			d->ms[AB_NPCT - 1] = maxv, d->have[AB_NPCT - 1] = 1;
		snprintf(d->source, sizeof d->source, "%s.hgrm", step);
		rc = 0;
	} else
		snprintf(err, err_len, "file \"%s\" holds no percentile table", path);
	free(val);
	free(cnt);
	return rc;
}

/* Last resort: the few percentiles steps.csv carries (p50, p90, p95, p99, max). */
static void dist_from_steps(const struct csv *c, size_t r, struct dist *d)
{
	static const struct {
		int pct;
		const char *col;
	} cols[] = { { 50, "p50_us" }, { 90, "p90_us" }, { 95, "p95_us" }, { 99, "p99_us" }, { 100, "max_us" } };
	for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
		for (int k = 0; k < AB_NPCT; k++) {
			double v;
			if (ab_percentiles[k] == cols[i].pct && csv_num(c, r, cols[i].col, &v))
				d->ms[k] = v / 1000.0, d->have[k] = 1;
		}
	double ok;
	if (csv_num(c, r, "ok", &ok) && ok >= 0)
		d->n = (uint64_t)ok;
	snprintf(d->source, sizeof d->source, "steps.csv");
}

/* ---- the command -------------------------------------------------------------------------------- */

struct options {
	const char *dir, *ab, *ab_csv, *ab_tsv, *step, *query, *out;
	long offset, page_size;
	int have_offset;
};

static void help(void)
{
	printf("pgpagebench http-compare puts Apache Bench results beside the database-only results of a run.\n\n"
	       "Usage:\n  pgpagebench http-compare RESULTS_DIR --ab FILE [OPTION]...\n\n"
	       "It matches ab's concurrency to the step of the run with as many connections, at the page the\n"
	       "ab URL asks for, and writes http-compare.csv (the table), http-compare-percentiles.csv (chart\n"
	       "data: HTTP vs database latency per percentile) and, with --ab-gnuplot, http-compare-timeline.csv.\n"
	       "\nOptions:\n"
	       "  --ab=FILE                ab's standard output (the text summary); required\n"
	       "  --ab-csv=FILE            the file of ab -e (HTTP percentiles to the microsecond; preferred)\n"
	       "  --ab-gnuplot=FILE        the file of ab -g (one line a request: exact ranks in whole ms,\n"
	       "                           and the per-second timeline)\n"
	       "  --offset=N               the OFFSET the HTTP requests asked for (default: from the URL's\n"
	       "                           ?offset=N, or ?page=N as (N-1) * page size, else 0)\n"
	       "  --page-size=N            rows a page for ?page=N (default 10, the seed query's LIMIT)\n"
	       "  --step=ID                compare with this step of steps.csv instead of matching\n"
	       "  --query=NAME             match only steps of this query (with several variants)\n"
	       "  --out=DIR                write the CSV files there (default: RESULTS_DIR)\n"
	       "  --quiet                  no table on standard output\n"
	       "  --help                   show this help, then exit\n");
}

static int parse_args(int argc, char **argv, struct options *o, struct pgpb_ctx *ctx, int *done)
{
	enum { OPT_AB = CTX_OPT_FIRST_FREE, OPT_AB_CSV, OPT_AB_TSV, OPT_OFFSET, OPT_PAGE_SIZE, OPT_STEP, OPT_QUERY, OPT_OUT };
	static const struct option longopts[] = {
		CTX_LONGOPTS,
		{ "ab", required_argument, NULL, OPT_AB },
		{ "ab-csv", required_argument, NULL, OPT_AB_CSV },
		{ "ab-gnuplot", required_argument, NULL, OPT_AB_TSV },
		{ "offset", required_argument, NULL, OPT_OFFSET },
		{ "page-size", required_argument, NULL, OPT_PAGE_SIZE },
		{ "step", required_argument, NULL, OPT_STEP },
		{ "query", required_argument, NULL, OPT_QUERY },
		{ "out", required_argument, NULL, OPT_OUT },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	*done = 0;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, CTX_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case CTX_OPT_HELP:
			help();
			*done = 1;
			return EXIT_OK;
		case '?':
		case ':':
			return cli_getopt_fail("http-compare", c, argv, optind, optopt);
		case OPT_AB: o->ab = optarg; break;
		case OPT_AB_CSV: o->ab_csv = optarg; break;
		case OPT_AB_TSV: o->ab_tsv = optarg; break;
		case OPT_OFFSET:
			if (cli_parse_long("--offset", optarg, 0, 1000000000L, &o->offset) < 0)
				return EXIT_USAGE;
			o->have_offset = 1;
			break;
		case OPT_PAGE_SIZE:
			if (cli_parse_long("--page-size", optarg, 1, 1000000L, &o->page_size) < 0)
				return EXIT_USAGE;
			break;
		case OPT_STEP: o->step = optarg; break;
		case OPT_QUERY: o->query = optarg; break;
		case OPT_OUT: o->out = optarg; break;
		case 'h':
		case 'p':
		case 'U':
		case 'd':
		case CTX_OPT_SCHEMA:
		case CTX_OPT_EPHEMERAL:
		case CTX_OPT_KEEP:
		case CTX_OPT_SETTING:
			return cli_usage_error("http-compare", "http-compare reads files only and takes no connection options");
		default:
			if (ctx_option(ctx, c, optarg) < 0)
				return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return cli_usage_error("http-compare", "missing results directory");
	if (optind + 1 < argc)
		return cli_usage_error("http-compare", "too many command-line arguments (first is \"%s\")", argv[optind + 1]);
	o->dir = argv[optind];
	if (!o->ab)
		return cli_usage_error("http-compare", "missing --ab FILE (the text ab prints)");
	return EXIT_OK;
}

/* The step to compare with: --step, else the one with ab's concurrency as connections and the offset
 * (and --query); complete steps before partial ones. -1 when none or several (logged). */
static long find_step(const struct csv *steps, const struct options *o, long conc, long offset)
{
	if (csv_col(steps, "step") < 0 || csv_col(steps, "connections") < 0 || csv_col(steps, "offset") < 0) {
		log_error("file \"%s/steps.csv\" lacks the column \"%s\"", o->dir,
		          csv_col(steps, "step") < 0 ? "step" : csv_col(steps, "connections") < 0 ? "connections" : "offset");
		return -1;
	}
	if (o->step) {
		for (size_t r = 0; r < steps->nrows; r++)
			if (strcmp(csv_get(steps, r, "step"), o->step) == 0)
				return (long)r;
		log_error("no step \"%s\" in \"%s/steps.csv\"", o->step, o->dir);
		return -1;
	}
	char want_conn[32], want_off[32];
	snprintf(want_conn, sizeof want_conn, "%ld", conc);
	snprintf(want_off, sizeof want_off, "%ld", offset);
	long found = -1, nfound = 0, partial_found = -1;
	char names[512] = "";
	for (size_t r = 0; r < steps->nrows; r++) {
		if (strcmp(csv_get(steps, r, "connections"), want_conn) != 0 || strcmp(csv_get(steps, r, "offset"), want_off) != 0)
			continue;
		if (o->query && strcmp(csv_get(steps, r, "query"), o->query) != 0)
			continue;
		if (strcmp(csv_get(steps, r, "partial"), "1") == 0) {
			if (partial_found < 0)
				partial_found = (long)r;
			continue;
		}
		nfound++;
		found = (long)r;
		size_t l = strlen(names);
		snprintf(names + l, sizeof names - l, "%s%s", l ? ", " : "", csv_get(steps, r, "step"));
	}
	if (nfound == 1)
		return found;
	if (nfound > 1) {
		log_error("%ld steps have %ld connections and offset %ld: %s", nfound, conc, offset, names);
		log_hint("Choose one with --step ID%s.", o->query ? "" : " or --query NAME");
		return -1;
	}
	if (partial_found >= 0) {
		log_warning("the only matching step, \"%s\", was cut short (partial)", csv_get(steps, (size_t)partial_found, "step"));
		return partial_found;
	}
	char have[1024] = "";
	for (size_t r = 0; r < steps->nrows && strlen(have) < sizeof have - 64; r++) {
		size_t l = strlen(have);
		snprintf(have + l, sizeof have - l, "%s%s/%s", l ? ", " : "", csv_get(steps, r, "connections"),
		         csv_get(steps, r, "offset"));
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
		fmt_num(b, sizeof b, ac != NULL && ac->have[ab_percentiles[k]], ac ? ac->ms[ab_percentiles[k]] : 0, 3);
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
		double *buf = malloc(tsv->n * sizeof *buf);
		double first = floor(tsv->req[0].start_s);
		for (size_t i = 0; buf && i < tsv->n;) {
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

/* "2024-05-01T10:00:00Z" (meta.json) as a time_t; -1 when absent or malformed. */
static time_t iso_time(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	const char *end = s ? strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm) : NULL;
	return end && !*end ? timegm(&tm) : (time_t)-1;
}

/* Whether the ab file was written while the run ran (within 5 minutes of it): 1 together, 0 apart (why in
 * buf), -1 unknown (a run without meta.json times). */
static int taken_together(const char *dir, const char *ab, char *buf, size_t len)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/meta.json", dir);
	json_t *m = json_load_file(path, 0, NULL);
	char started[64];
	const char *st0 = json_string_value(json_object_get(m, "started_at"));
	snprintf(started, sizeof started, "%s", st0 ? st0 : "");
	time_t t0 = iso_time(st0);
	time_t t1 = iso_time(json_string_value(json_object_get(m, "finished_at")));
	json_decref(m);
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
static int draw_chart(const char *outdir, const struct ab_text *t, const double *http_ms, const struct dist *d,
                      const char *step, const char *query, long offset, char paths[2][4200])
{
	char dir[4200], err[512];
	snprintf(dir, sizeof dir, "%s/charts", outdir);
	if (make_out_dir(dir) < 0)
		return -1;
	struct chart c;
	chart_init(&c, 800, 480, 1);
	snprintf(c.title, sizeof c.title, "HTTP versus database latency per percentile");
	snprintf(c.subtitle, sizeof c.subtitle, "ab: %ld requests, concurrency %ld, %.80s \xC2\xB7 database: step %s, offset %ld",
	         t->complete, t->concurrency, t->path, step, offset);
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
	struct chart_series *h = chart_series_add(p, 0, 0, "HTTP (ab, concurrency %ld)", t->concurrency);
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

static int compare(const struct options *o, int quiet)
{
	char err[1024];
	struct ab_text t;
	struct ab_csv acsv;
	struct ab_tsv tsv = { 0 };
	struct csv steps = { 0 };
	int rc = EXIT_RUNTIME;
	if (ab_parse_text(o->ab, &t, err, sizeof err) < 0) {
		log_error("%s", err);
		return EXIT_RUNTIME;
	}
	if (o->ab_csv && ab_parse_csv(o->ab_csv, &acsv, err, sizeof err) < 0) {
		log_error("%s", err);
		return EXIT_RUNTIME;
	}
	if (o->ab_tsv && ab_parse_tsv(o->ab_tsv, &tsv, err, sizeof err) < 0) {
		log_error("%s", err);
		return EXIT_RUNTIME;
	}
	if (o->ab_tsv && (long)tsv.n != t.complete)
		log_warning("\"%s\" holds %zu requests but \"%s\" reports %ld complete: are they from the same ab run?",
		            o->ab_tsv, tsv.n, o->ab, t.complete);
	if (!t.has_table && !o->ab_csv && !o->ab_tsv) {
		log_error("file \"%s\" has no percentile table (ab -d?) and no --ab-csv or --ab-gnuplot was given", o->ab);
		goto out;
	}
	if (t.failed + t.non2xx > 0)
		log_warning("ab counted %ld failed and %ld non-2xx responses: the HTTP numbers include them",
		            t.failed, t.non2xx);

	/* the page the HTTP requests asked for */
	long offset = 0;
	const char *how = "no offset or page in the URL: the first page";
	char howbuf[128];
	if (o->have_offset) {
		offset = o->offset;
		how = "--offset";
	} else {
		const char *key;
		int found = ab_url_offset(t.path, o->page_size, &offset, &key, err, sizeof err);
		if (found < 0) {
			log_error("%s \"%s\"", err, t.path);
			log_hint("Give the page's OFFSET with --offset N.");
			goto out;
		}
		if (found) {
			snprintf(howbuf, sizeof howbuf, "from ?%s= in the URL%s", key,
			         key[0] == 'p' ? " (pages of --page-size rows, from 1)" : "");
			how = howbuf;
		}
	}

	char path[4096];
	snprintf(path, sizeof path, "%s/steps.csv", o->dir);
	if (csv_read(path, &steps, err, sizeof err) < 0) {
		log_error("%s", err);
		log_hint("RESULTS_DIR must be a directory written by \"pgpagebench run\".");
		goto out;
	}
	long r = find_step(&steps, o, t.concurrency, offset);
	if (r < 0)
		goto out;
	const char *step = csv_get(&steps, (size_t)r, "step");
	struct dist d;
	memset(&d, 0, sizeof d);
	char err2[1024];
	if (dist_from_summary(o->dir, step, &d, err, sizeof err) < 0 && dist_from_hgrm(o->dir, step, &d, err2, sizeof err2) < 0) {
		log_warning("no latency histogram for step \"%s\" (%s; %s): using the percentiles of steps.csv", step, err, err2);
		dist_from_steps(&steps, (size_t)r, &d);
	}

	/* HTTP latency per percentile: ab's -e (microsecond precision), else the nearest rank over the -g
	 * ttimes (exact ranks, but ab rounds each ttime to whole milliseconds), else its summary table */
	double http_ms[AB_NPCT];
	const char *http_src[AB_NPCT];
	for (int k = 0; k < AB_NPCT; k++) {
		int p = ab_percentiles[k];
		if (o->ab_csv && acsv.have[p])
			http_ms[k] = acsv.ms[p], http_src[k] = "ab-csv";
		else if (o->ab_tsv)
			http_ms[k] = ab_percentile_sorted(tsv.ttime_sorted, tsv.n, p), http_src[k] = "ab-gnuplot";
		else
			http_ms[k] = t.table_ms[k], http_src[k] = "ab";
	}

	double conn = 0, qps = 0, errors = 0, mean_us = 0, exec_us = 0, plan_us = 0;
	int have_conn = csv_num(&steps, (size_t)r, "connections", &conn);
	int have_qps = csv_num(&steps, (size_t)r, "qps", &qps);
	int have_errors = csv_num(&steps, (size_t)r, "errors", &errors);
	int have_mean = csv_num(&steps, (size_t)r, "mean_us", &mean_us);
	int have_exec = csv_num(&steps, (size_t)r, "server_mean_exec_us", &exec_us);
	int have_plan = csv_num(&steps, (size_t)r, "server_mean_plan_us", &plan_us);
	struct row rows[32];
	size_t n = 0;
	rows[n++] = (struct row){ "concurrency", "concurrency (connections)", 0, 1, have_conn, 0, (double)t.concurrency, conn, 0, 0, 0 };
	rows[n++] = (struct row){ "throughput_per_s", "requests/s vs queries/s", 0, 1, have_qps, 0, t.requests_per_s, qps, 1, 0, 0 };
	rows[n++] = (struct row){ "failed", "failed (non-2xx / errors)", 0, 1, have_errors, 0, (double)(t.failed + t.non2xx),
		                  errors, 0, 0, 0 };
	rows[n++] = (struct row){ "mean_ms", "mean (ms)", 0, 1, have_mean, 1, t.mean_ms, mean_us / 1000.0, 3, 0, 0 };
	static const char *const labels[AB_NPCT] = { "p50 (ms)", "p66 (ms)", "p75 (ms)", "p80 (ms)", "p90 (ms)",
		                                     "p95 (ms)", "p98 (ms)", "p99 (ms)", "p100 = max (ms)" };
	rows[n++] = (struct row){ "n", "n (requests vs queries)", 0, 1, d.n > 0, 0, (double)t.complete, (double)d.n, 0, 0, 0 };
	for (int k = 0; k < AB_NPCT; k++) {
		int p = ab_percentiles[k];
		rows[n++] = (struct row){ "latency_ms", labels[k], p, 1, d.have[k], 1, http_ms[k], d.ms[k], 3,
			                  p < 100 && t.complete > 0 && !hist_pct_reliable((uint64_t)t.complete, p),
			                  p < 100 && d.n > 0 && !hist_pct_reliable(d.n, p) };
	}
	/* pg_stat_statements: the server's own execution and planning time, each against the HTTP mean */
	rows[n++] = (struct row){ "server_exec_mean_ms", "server execution mean (ms)", 0, 1, have_exec, 1, t.mean_ms,
		                  exec_us / 1000.0, 3, 0, 0 };
	rows[n++] = (struct row){ "server_plan_mean_ms", "server planning mean (ms)", 0, 1, have_plan, 1, t.mean_ms,
		                  plan_us / 1000.0, 3, 0, 0 };

	const char *outdir = o->out ? o->out : o->dir;
	if (make_out_dir(outdir) < 0)
		goto out;
	if (write_outputs(outdir, rows, n, &t, o->ab_csv ? &acsv : NULL, o->ab_tsv ? &tsv : NULL, &d, http_ms, http_src) < 0)
		goto out;

	/* the chart: HTTP vs database latency per percentile (the data of http-compare-percentiles.csv) */
	char charts[2][4200];
	if (draw_chart(outdir, &t, http_ms, &d, step, csv_get(&steps, (size_t)r, "query"), offset, charts) < 0)
		goto out;

	if (!quiet) {
		printf("http: %ld requests at concurrency %ld to http://%s:%ld%s (offset %ld, %s)\n", t.complete,
		       t.concurrency, t.host, t.port, t.path, offset, how);
		printf("database: step %s of %s (query %s, model %s, %s connections), percentiles from %s\n\n", step,
		       o->dir, csv_get(&steps, (size_t)r, "query"), csv_get(&steps, (size_t)r, "model"),
		       csv_get(&steps, (size_t)r, "connections"), d.source);
		int over = print_table(rows, n);
		char apart[512];
		int together = taken_together(o->dir, o->ab, apart, sizeof apart);
		double reliable = 1;
		int have_rel = csv_num(&steps, (size_t)r, "split_reliable", &reliable);
		printf("\nA share is the database figure over the HTTP one on the same row: of the mean on the mean rows, of "
		       "that percentile on the others (percentiles do not add up, so those are a comparison, not a part).\n");
		if (over)
			printf("!: the database figure exceeds the HTTP one, which cannot happen when both measure the same "
			       "requests under the same load: the two were taken under different conditions (%s), so no share "
			       "is given.\n",
			       together == 0 ? "see below" : "other load on the machine, a cold cache, or too few queries");
		if (together == 0)
			printf("Note: %s; the database step measured the server under its own load, not the web app's.\n", apart);
		if (have_exec && t.mean_ms > 0 && have_rel && reliable == 0)
			printf("\nThe step's server time is not reliable (steps.csv split_reliable = 0: its server calls do not "
			       "match its queries, or too few queries), so no share of it is given.\n");
		else if (have_exec && t.mean_ms > 0 && exec_us / 1000.0 > t.mean_ms)
			printf("\nPostgreSQL's mean execution time (pg_stat_statements) exceeds the mean HTTP request: the two "
			       "were not measured under the same conditions, so no share of it is given.\n");
		else if (have_exec && t.mean_ms > 0)
			printf("\nPostgreSQL executes the query in %.1f%% of the mean HTTP request (pg_stat_statements, a share "
			       "of the mean)%s\n",
			       100.0 * exec_us / 1000.0 / t.mean_ms,
			       have_mean && mean_us / 1000.0 <= t.mean_ms ? "; " : ".");
		if (have_exec && t.mean_ms > 0 && !(have_rel && reliable == 0) && exec_us / 1000.0 <= t.mean_ms && have_mean &&
		    mean_us / 1000.0 <= t.mean_ms)
			printf("the database step's mean client latency is %.1f%% of it.\n", 100.0 * mean_us / 1000.0 / t.mean_ms);
		else if (!have_exec)
			printf("\nNo server execution time in this run (pg_stat_statements was not available).\n");
		printf("wrote %s/http-compare.csv and http-compare-percentiles.csv%s\n", outdir,
		       o->ab_tsv ? " and http-compare-timeline.csv" : "");
		printf("chart: %s\nchart: %s\n", charts[0], charts[1]);
	}
	rc = EXIT_OK;
out:
	csv_free(&steps);
	ab_tsv_free(&tsv);
	return rc;
}

int http_compare_main(int argc, char **argv)
{
	struct pgpb_ctx ctx;
	ctx_init(&ctx, "http-compare", argc, argv);
	struct options o = { .page_size = 10 };
	int done, rc = parse_args(argc, argv, &o, &ctx, &done);
	if (rc != EXIT_OK || done)
		return rc;
	return compare(&o, ctx.quiet);
}
