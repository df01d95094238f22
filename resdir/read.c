/*
 * read.c: reads a results directory (the contract in docs/results.md) for plot, compare and http-compare:
 * meta.json with jansson, steps.csv and intervals.csv by column name (RFC 4180 quoting, extra columns
 * ignored, empty fields kept as NAN so "not measured" never turns into 0), and the <step>.hgrm percentile
 * tables, or summary.json's histograms where a .hgrm is missing.
 */
#include "resdir/read.h"
#include "common/alloc.h"
#include "common/input.h"
#include "common/log.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int res_split_reliable(const struct res_step *s)
{
	return !(s->v[RF_SPLIT_RELIABLE] == 0);
}

/* ---- files and CSV --------------------------------------------------------------------------- */

/* Past the limit or cut by a signal: the whole load fails, as for a bad steps.csv. */
static int is_fatal(int why)
{
	return why == EFBIG || why == EINTR;
}

/* Arrays grown one element at a time double when their count reaches a power of two: linear in all. */
static void *grow(void *p, size_t n, size_t size)
{
	if (n == 0 || (n & (n - 1)) == 0)
		p = pgpb_reallocarray(p, n ? 2 * n : 1, size);
	return p;
}

/* A file of the directory, whole (common/input.h: bounded, interruptible, a byte order mark skipped).
 * NULL with why in err and *why an errno value: ENOENT when absent, EFBIG past the limit, EINTR when a
 * signal ended the read. */
static char *read_file(const char *path, size_t limit, size_t *len, int *why, char *err, size_t err_len)
{
	return input_slurp(path, limit, len, why, err, err_len);
}

/* A JSON file of the directory: NULL when absent or unreadable (err and *why as read_file's; *why is 0
 * for a file that is not JSON). */
static json_t *read_json(const char *path, size_t limit, int *why, char *err, size_t err_len)
{
	size_t len;
	char *buf = read_file(path, limit, &len, why, err, err_len);
	if (!buf)
		return NULL;
	json_error_t jerr;
	json_t *j = json_loadb(buf, len, 0, &jerr);
	free(buf);
	if (!j) {
		*why = 0;
		snprintf(err, err_len, "invalid JSON in file \"%s\" line %d: %s", path, jerr.line, jerr.text);
	}
	return j;
}

struct csv {
	char *buf; /* fields are cut in place */
	char *p, *end;
	int line;
};

/* Next record: fills fields[] (pointers into the buffer), returns the field count, 0 at the end. */
static size_t csv_record(struct csv *c, char **fields, size_t max)
{
	if (c->p >= c->end)
		return 0;
	size_t n = 0;
	c->line++;
	for (;;) {
		char *out = c->p, *start = c->p;
		if (*c->p == '"') {
			c->p++;
			for (;;) {
				if (c->p >= c->end)
					break;
				if (*c->p == '"') {
					if (c->p + 1 < c->end && c->p[1] == '"') {
						*out++ = '"';
						c->p += 2;
						continue;
					}
					c->p++;
					break;
				}
				if (*c->p == '\n')
					c->line++;
				*out++ = *c->p++;
			}
			while (c->p < c->end && *c->p != ',' && *c->p != '\n')
				c->p++; /* junk after a closing quote is dropped */
		} else {
			while (c->p < c->end && *c->p != ',' && *c->p != '\n')
				c->p++;
			out = c->p;
		}
		char sep = c->p < c->end ? *c->p : '\n';
		if (out > start && out[-1] == '\r' && sep == '\n')
			out--;
		*out = '\0';
		if (n < max)
			fields[n++] = start;
		if (c->p < c->end)
			c->p++;
		if (sep == '\n')
			return n;
	}
}

static int col_index(char **hdr, size_t nh, const char *name)
{
	for (size_t i = 0; i < nh; i++)
		if (strcmp(hdr[i], name) == 0)
			return (int)i;
	return -1;
}

static const char *field(char **f, size_t nf, int col)
{
	return col >= 0 && (size_t)col < nf ? f[col] : "";
}

/* "" -> NAN (0); a number -> its value (0); anything else -> -1. */
static int parse_num(const char *s, double *out)
{
	while (*s == ' ')
		s++;
	if (!*s) {
		*out = NAN;
		return 0;
	}
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	while (*end == ' ')
		end++;
	if (*end || errno == ERANGE || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

static char *dup_text(const char *s)
{
	return pgpb_strdup(s ? s : "");
}

#define MAXCOLS 256

static int load_steps(struct res_run *run)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/steps.csv", run->dir);
	size_t len;
	int why;
	char err[512];
	char *buf = read_file(path, RES_STEPS_MAX, &len, &why, err, sizeof err);
	if (!buf) {
		log_error("%s", err);
		return -1;
	}
	if (memchr(buf, '\0', len)) {
		log_error("invalid \"%s\": not a text file", path);
		free(buf);
		return -1;
	}
	struct csv c = { buf, buf, buf + len, 0 };
	char *hdr[MAXCOLS], *f[MAXCOLS];
	size_t nh = csv_record(&c, hdr, MAXCOLS);
	int cstep = col_index(hdr, nh, "step"), cmodel = col_index(hdr, nh, "model"),
	    cquery = col_index(hdr, nh, "query"), coffset = col_index(hdr, nh, "offset"),
	    crate = col_index(hdr, nh, "rate_qps");
	if (cstep < 0) {
		log_error("invalid \"%s\": no \"step\" column in the header line", path);
		free(buf);
		return -1;
	}
	int cols[RF_COUNT];
	for (int i = 0; i < RF_COUNT; i++) {
		cols[i] = col_index(hdr, nh, steps_columns[i].name);
		run->has_column[i] = cols[i] >= 0;
	}
	size_t nf;
	int rc = 0;
	while ((nf = csv_record(&c, f, MAXCOLS)) > 0) {
		if (nf == 1 && f[0][0] == '\0')
			continue; /* blank line */
		const char *id = field(f, nf, cstep);
		if (!*id) {
			log_error("invalid \"%s\" line %d: empty step id", path, c.line);
			rc = -1;
			break;
		}
		run->steps = grow(run->steps, run->nsteps, sizeof *run->steps);
		struct res_step *s = &run->steps[run->nsteps++];
		memset(s, 0, sizeof *s);
		s->id = dup_text(id);
		s->model = dup_text(field(f, nf, cmodel));
		s->query = dup_text(field(f, nf, cquery));
		s->offset_text = dup_text(field(f, nf, coffset));
		s->rate_text = dup_text(field(f, nf, crate));
		for (int i = 0; i < RF_COUNT; i++) {
			const char *txt = field(f, nf, cols[i]);
			s->v[i] = NAN;
			if (steps_columns[i].type == STEPS_TEXT || (i == RF_OFFSET && strcmp(txt, "mix") == 0))
				continue;
			if (parse_num(txt, &s->v[i]) < 0) {
				if (!steps_columns[i].plotted)
					continue;
				log_error("invalid \"%s\" line %d: column \"%s\" holds \"%.40s\", not a number", path, c.line,
				          steps_columns[i].name, txt);
				rc = -1;
				break;
			}
		}
		if (rc)
			break;
	}
	free(buf);
	if (rc == 0 && run->nsteps == 0) {
		log_error("\"%s\" holds no steps", path);
		rc = -1;
	}
	if (rc == 0)
		res_steps_differ(run);
	return rc;
}

/* The steps by id, for the files that name steps (intervals.csv, summary.json): a binary search a lookup,
 * so reading them stays O(n log n) in the number of steps. */
struct step_index {
	struct res_run *run;
	struct res_step **by_id; /* sorted by id, then by position: the first of equal ids comes first */
};

static int cmp_step_id(const void *a, const void *b)
{
	const struct res_step *x = *(struct res_step *const *)a, *y = *(struct res_step *const *)b;
	int c = strcmp(x->id, y->id);
	return c ? c : (x > y) - (x < y);
}

static void index_init(struct step_index *ix, struct res_run *run)
{
	ix->run = run;
	ix->by_id = pgpb_reallocarray(NULL, run->nsteps ? run->nsteps : 1, sizeof *ix->by_id);
	for (size_t i = 0; i < run->nsteps; i++)
		ix->by_id[i] = &run->steps[i];
	qsort(ix->by_id, run->nsteps, sizeof *ix->by_id, cmp_step_id);
}

static void index_free(struct step_index *ix)
{
	free(ix->by_id);
}

/* The first step with this id (a binary search), or NULL. */
static struct res_step *find_step(const struct step_index *ix, const char *id)
{
	size_t lo = 0, hi = ix->run->nsteps;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(ix->by_id[mid]->id, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ix->run->nsteps && strcmp(ix->by_id[lo]->id, id) == 0 ? ix->by_id[lo] : NULL;
}

/* intervals.csv is optional (older or interrupted runs): a missing or bad file only costs the timeline. */
static int load_intervals(struct res_run *run)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/intervals.csv", run->dir);
	size_t len;
	int why;
	char err[512];
	char *buf = read_file(path, RES_INTERVALS_MAX, &len, &why, err, sizeof err);
	if (!buf) {
		if (is_fatal(why)) {
			log_error("%s", err);
			return -1;
		}
		if (why != ENOENT)
			log_warning("%s", err);
		return 0;
	}
	struct csv c = { buf, buf, buf + len, 0 };
	char *hdr[MAXCOLS], *f[MAXCOLS];
	size_t nh = csv_record(&c, hdr, MAXCOLS), nf;
	static const char *names[] = { "second", "queries", "errors", "p50_us", "p99_us", "max_us", "validation_errors" };
	int cstep = col_index(hdr, nh, "step"), cols[7];
	for (int i = 0; i < 7; i++)
		cols[i] = col_index(hdr, nh, names[i]);
	if (cstep < 0 || cols[0] < 0 || cols[1] < 0) {
		log_warning("ignoring \"%s\": it lacks the step, second or queries column", path);
		free(buf);
		return 0;
	}
	struct step_index ix;
	index_init(&ix, run);
	while ((nf = csv_record(&c, f, MAXCOLS)) > 0) {
		if (nf == 1 && f[0][0] == '\0')
			continue;
		struct res_step *s = find_step(&ix, field(f, nf, cstep));
		if (!s)
			continue; /* a step not in steps.csv (cut short before its row was written) */
		double v[7];
		int bad = 0;
		for (int i = 0; i < 7; i++)
			bad |= parse_num(field(f, nf, cols[i]), &v[i]) < 0;
		if (bad || isnan(v[0])) {
			log_warning("ignoring \"%s\" line %d: not a number where one is expected", path, c.line);
			continue;
		}
		s->sec = grow(s->sec, s->nsec, sizeof *s->sec);
		s->sec[s->nsec++] = (struct res_second){ v[0], v[1], v[2], v[3], v[4], v[5], isnan(v[6]) ? 0 : v[6] };
		run->nintervals++;
	}
	index_free(&ix);
	free(buf);
	return 0;
}

/* statements.csv (run --script) is optional: the runs of a query have none; a bad row is skipped with a
 * warning, as intervals.csv's. */
static int load_statements(struct res_run *run)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/statements.csv", run->dir);
	size_t len;
	int why;
	char err[512];
	char *buf = read_file(path, RES_INTERVALS_MAX, &len, &why, err, sizeof err);
	if (!buf) {
		if (is_fatal(why)) {
			log_error("%s", err);
			return -1;
		}
		if (why != ENOENT)
			log_warning("%s", err);
		return 0;
	}
	struct csv c = { buf, buf, buf + len, 0 };
	char *hdr[MAXCOLS], *f[MAXCOLS];
	size_t nh = csv_record(&c, hdr, MAXCOLS), nf;
	static const char *names[] = { "weight", "statement", "line", "ok", "errors", "mean_us", "p50_us", "p99_us", "max_us" };
	int cstep = col_index(hdr, nh, "step"), cscript = col_index(hdr, nh, "script"), csql = col_index(hdr, nh, "sql"),
	    cols[9];
	for (int i = 0; i < 9; i++)
		cols[i] = col_index(hdr, nh, names[i]);
	if (cstep < 0 || cscript < 0 || cols[3] < 0) {
		log_warning("ignoring \"%s\": it lacks the step, script or ok column", path);
		free(buf);
		return 0;
	}
	struct step_index ix;
	index_init(&ix, run);
	while ((nf = csv_record(&c, f, MAXCOLS)) > 0) {
		if (nf == 1 && f[0][0] == '\0')
			continue;
		struct res_step *s = find_step(&ix, field(f, nf, cstep));
		if (!s)
			continue;
		double v[9];
		int bad = 0;
		for (int i = 0; i < 9; i++)
			bad |= parse_num(field(f, nf, cols[i]), &v[i]) < 0;
		if (bad) {
			log_warning("ignoring \"%s\" line %d: not a number where one is expected", path, c.line);
			continue;
		}
		s->stmts = grow(s->stmts, s->nstmts, sizeof *s->stmts);
		s->stmts[s->nstmts++] = (struct res_stmt){ dup_text(field(f, nf, cscript)), dup_text(field(f, nf, csql)),
			                                       v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8] };
	}
	index_free(&ix);
	free(buf);
	return 0;
}

/* waits.csv is optional (a run with --wait-sample off, or from before it): a bad file only costs the chart
 * and the table of where the server time goes. A step's class rows give its counts; its event rows, in file
 * order (most first), its top events. app: http/waits.csv, the web app's backends during each HTTP step of
 * http-compare --url, in the same format, into the steps' app_waits. */
static int load_waits(struct res_run *run, int app)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", run->dir, app ? "http/waits.csv" : "waits.csv");
	size_t len;
	int why;
	char err[512];
	char *buf = read_file(path, RES_INTERVALS_MAX, &len, &why, err, sizeof err);
	if (!buf) {
		if (is_fatal(why)) {
			log_error("%s", err);
			return -1;
		}
		if (why != ENOENT)
			log_warning("%s", err);
		return 0;
	}
	struct csv c = { buf, buf, buf + len, 0 };
	char *hdr[MAXCOLS], *f[MAXCOLS];
	size_t nh = csv_record(&c, hdr, MAXCOLS), nf;
	int cstep = col_index(hdr, nh, "step"), ckind = col_index(hdr, nh, "kind"), cname = col_index(hdr, nh, "name"),
	    csamples = col_index(hdr, nh, "samples"), ctotal = col_index(hdr, nh, "step_samples");
	if (cstep < 0 || ckind < 0 || cname < 0 || csamples < 0 || ctotal < 0) {
		log_warning("ignoring \"%s\": it lacks the step, kind, name, samples or step_samples column", path);
		free(buf);
		return 0;
	}
	struct step_index ix;
	index_init(&ix, run);
	while ((nf = csv_record(&c, f, MAXCOLS)) > 0) {
		if (nf == 1 && f[0][0] == '\0')
			continue;
		struct res_step *s = find_step(&ix, field(f, nf, cstep));
		if (!s)
			continue; /* a step not in steps.csv (cut short before its row was written) */
		double n, total;
		const char *kind = field(f, nf, ckind), *name = field(f, nf, cname);
		if (parse_num(field(f, nf, csamples), &n) < 0 || parse_num(field(f, nf, ctotal), &total) < 0 || isnan(n) ||
		    isnan(total) || n < 0 || total < 0) {
			log_warning("ignoring \"%s\" line %d: not a number where one is expected", path, c.line);
			continue;
		}
		struct res_waits *w = app ? &s->app_waits : &s->waits;
		int k = strcmp(kind, "class") == 0 ? wait_class_find(name) : -1;
		if (k >= 0) {
			w->cls[k] = n;
		} else if (strcmp(kind, "event") == 0 && w->ntop < WAIT_TOP_EVENTS) {
			snprintf(w->top[w->ntop].name, sizeof w->top[w->ntop].name, "%s", name);
			w->top[w->ntop++].n = (uint64_t)n;
		} else {
			continue; /* a class or kind of a later version */
		}
		w->have = 1;
		w->samples = total;
		*(app ? &run->has_app_waits : &run->has_waits) = 1;
	}
	index_free(&ix);
	free(buf);
	return 0;
}

/* host-intervals.csv, a merged run's seconds host by host (resdir/merge.h): optional, like intervals.csv. */
static int load_host_intervals(struct res_run *run)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/host-intervals.csv", run->dir);
	size_t len;
	int why;
	char err[512];
	char *buf = read_file(path, RES_INTERVALS_MAX, &len, &why, err, sizeof err);
	if (!buf) {
		if (is_fatal(why)) {
			log_error("%s", err);
			return -1;
		}
		if (why != ENOENT)
			log_warning("%s", err);
		return 0;
	}
	struct csv c = { buf, buf, buf + len, 0 };
	char *hdr[MAXCOLS], *f[MAXCOLS];
	size_t nh = csv_record(&c, hdr, MAXCOLS), nf;
	static const char *names[] = { "second", "queries", "errors", "p99_us" };
	int chost = col_index(hdr, nh, "host"), cstep = col_index(hdr, nh, "step"), cols[4];
	for (int i = 0; i < 4; i++)
		cols[i] = col_index(hdr, nh, names[i]);
	if (chost < 0 || cstep < 0 || cols[0] < 0 || cols[1] < 0) {
		log_warning("ignoring \"%s\": it lacks the host, step, second or queries column", path);
		free(buf);
		return 0;
	}
	struct step_index ix;
	index_init(&ix, run);
	while ((nf = csv_record(&c, f, MAXCOLS)) > 0) {
		if (nf == 1 && f[0][0] == '\0')
			continue;
		struct res_step *s = find_step(&ix, field(f, nf, cstep));
		if (!s)
			continue;
		double v[4];
		int bad = 0;
		for (int i = 0; i < 4; i++)
			bad |= parse_num(field(f, nf, cols[i]), &v[i]) < 0;
		if (bad || isnan(v[0])) {
			log_warning("ignoring \"%s\" line %d: not a number where one is expected", path, c.line);
			continue;
		}
		const char *tag = field(f, nf, chost);
		size_t h = 0; /* hosts are few: a linear search */
		while (h < run->nhosts && strcmp(run->hosts[h], tag) != 0)
			h++;
		if (h == run->nhosts) {
			run->hosts = grow(run->hosts, run->nhosts, sizeof *run->hosts);
			run->hosts[run->nhosts++] = dup_text(tag);
		}
		s->hsec = grow(s->hsec, s->nhsec, sizeof *s->hsec);
		s->hsec[s->nhsec++] = (struct res_host_second){ h, v[0], v[1], v[2], v[3] };
	}
	index_free(&ix);
	free(buf);
	return 0;
}

/* <id>.hgrm (resdir/hgrm.h), values in ms; a step id holding a '/' names no file of the directory. */
static int load_hgrm(struct res_run *run, struct res_step *s)
{
	if (strchr(s->id, '/'))
		return 0;
	char path[4096], err[512];
	hgrm_path(path, sizeof path, run->dir, s->id, "");
	struct hgrm h;
	int why;
	if (hgrm_read(path, &h, &why, err, sizeof err) < 0) {
		if (!is_fatal(why))
			return 0;
		log_error("%s", err);
		return -1;
	}
	s->pctl = h.rows;
	s->npctl = h.n;
	return 0;
}

/* summary.json's histogram of one step: {"unit", "lowest_us", ..., "buckets": [[value_us, count], ...]}. */
static json_t *summary_latency(json_t *step)
{
	return json_object_get(json_object_get(step, "histograms"), "latency");
}

/* summary.json's sparse buckets ([value_us, count], value = lowest of the bucket) stand in for a missing
 * .hgrm: one spectrum point per bucket, at the share of queries at or below it. */
static int load_summary_hists(struct res_run *run)
{
	size_t missing = 0;
	for (size_t i = 0; i < run->nsteps; i++)
		missing += run->steps[i].pctl == NULL;
	if (!missing)
		return 0;
	char path[4096];
	snprintf(path, sizeof path, "%s/summary.json", run->dir);
	int why;
	char err[512];
	json_t *sum = read_json(path, RES_SUMMARY_MAX, &why, err, sizeof err);
	if (!sum && is_fatal(why)) {
		log_error("%s", err);
		return -1;
	}
	json_t *steps = json_object_get(sum, "steps");
	size_t k;
	json_t *js;
	struct step_index ix;
	index_init(&ix, run);
	json_array_foreach(steps, k, js) {
		const char *id = json_string_value(json_object_get(js, "step"));
		struct res_step *s = find_step(&ix, id ? id : "");
		if (!s || s->pctl)
			continue;
		json_t *b = json_object_get(summary_latency(js), "buckets");
		double total = 0;
		size_t j;
		json_t *pair;
		json_array_foreach(b, j, pair) total += json_number_value(json_array_get(pair, 1));
		if (!(total > 0))
			continue;
		s->pctl = pgpb_reallocarray(NULL, json_array_size(b) + 1, sizeof *s->pctl);
		double cum = 0;
		json_array_foreach(b, j, pair) {
			double v = json_number_value(json_array_get(pair, 0)), c = json_number_value(json_array_get(pair, 1));
			if (s->npctl == 0)
				s->pctl[s->npctl++] = (struct res_pctl){ v, 0, c };
			cum += c;
			s->pctl[s->npctl++] = (struct res_pctl){ v, cum / total, cum };
		}
	}
	index_free(&ix);
	json_decref(sum);
	return 0;
}

int res_json_hist(json_t *h, struct hist *out, char *err, size_t err_len)
{
	json_t *buckets = json_object_get(h, "buckets");
	json_int_t lowest = json_integer_value(json_object_get(h, "lowest_us")),
	           highest = json_integer_value(json_object_get(h, "highest_us")),
	           digits = json_integer_value(json_object_get(h, "significant_digits"));
	if (!json_is_object(h) || !json_is_array(buckets) ||
	    hist_init(out, lowest ? lowest : HIST_LOWEST, highest ? highest : HIST_HIGHEST,
	              digits ? (int)digits : HIST_DIGITS) < 0) {
		snprintf(err, err_len, "not a histogram (a unit, a range and buckets)");
		return -1;
	}
	json_t *b;
	size_t j;
	json_array_foreach(buckets, j, b) {
		json_int_t v = json_integer_value(json_array_get(b, 0)), c = json_integer_value(json_array_get(b, 1));
		if (v >= 0 && c > 0)
			hist_record_n(out, v, (uint64_t)c);
	}
	/* the exact extremes and sum run kept (the buckets hold only their lowest values) */
	json_t *minv = json_object_get(h, "min_us"), *maxv = json_object_get(h, "max_us"), *sumv = json_object_get(h, "sum_us");
	if (out->total && json_is_integer(minv))
		out->min = json_integer_value(minv);
	if (out->total && json_is_integer(maxv))
		out->max = json_integer_value(maxv);
	if (out->total && json_is_integer(sumv) && json_integer_value(sumv) >= 0)
		out->sum = (uint64_t)json_integer_value(sumv);
	return 0;
}

int res_summary_hist(const char *dir, const char *step, struct hist *out, char *err, size_t err_len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/summary.json", dir);
	int why;
	json_t *root = read_json(path, RES_SUMMARY_MAX, &why, err, err_len);
	if (!root)
		return -1;
	int rc = -1;
	json_t *steps = json_object_get(root, "steps"), *s;
	size_t i;
	snprintf(err, err_len, "no step \"%s\" with a latency histogram in \"%s\"", step, path);
	json_array_foreach(steps, i, s) {
		const char *id = json_string_value(json_object_get(s, "step"));
		if (!id || strcmp(id, step) != 0)
			continue;
		char why_h[128];
		if (res_json_hist(summary_latency(s), out, why_h, sizeof why_h) < 0)
			break;
		if (out->total)
			rc = 0;
		else
			hist_free(out);
		break;
	}
	json_decref(root);
	return rc;
}

json_t *res_summary_json(const char *dir, char *err, size_t err_len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/summary.json", dir);
	int why;
	json_t *j = read_json(path, RES_SUMMARY_MAX, &why, err, err_len);
	if (j && !json_is_object(j)) {
		snprintf(err, err_len, "\"%s\" is not a JSON object", path);
		json_decref(j);
		return NULL;
	}
	return j;
}

json_t *res_meta_json(const char *dir, char *err, size_t err_len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/meta.json", dir);
	int why;
	json_t *m = read_json(path, RES_META_MAX, &why, err, err_len);
	if (!m && !is_fatal(why)) { /* summary.json holds the same meta */
		json_t *sum = res_summary_json(dir, err, err_len);
		if (sum)
			m = json_incref(json_object_get(sum, "meta"));
		json_decref(sum);
	}
	if (m && !json_is_object(m)) {
		snprintf(err, err_len, "no meta object in \"%s\"", path);
		json_decref(m);
		return NULL;
	}
	return m;
}

/* ---- meta.json ------------------------------------------------------------------------------- */

static void jcopy(char *dst, size_t len, json_t *obj, const char *path)
{
	/* path: "a.b.c" */
	char key[64];
	const char *p = path;
	json_t *v = obj;
	while (v && *p) {
		size_t n = strcspn(p, ".");
		snprintf(key, sizeof key, "%.*s", (int)n, p);
		v = json_is_object(v) ? json_object_get(v, key) : NULL;
		p += n + (p[n] == '.');
	}
	if (json_is_string(v))
		snprintf(dst, len, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(dst, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(dst, len, "%g", json_real_value(v));
	else if (json_is_true(v) || json_is_false(v))
		snprintf(dst, len, "%s", json_is_true(v) ? "true" : "false");
	else
		dst[0] = '\0';
}

/* "k=v, k=v" of a flat object, values as JSON text. */
static void jflat(char *dst, size_t len, json_t *obj)
{
	dst[0] = '\0';
	if (!json_is_object(obj))
		return;
	size_t o = 0;
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v) {
		char *txt = json_is_string(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(10));
		int n = snprintf(dst + o, len - o, "%s%s=%s", o ? ", " : "", k, txt ? txt : json_string_value(v));
		free(txt);
		if (n < 0 || (size_t)n >= len - o) {
			dst[o] = '\0';
			break;
		}
		o += (size_t)n;
	}
}

static int load_meta(struct res_run *run, int warn)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/meta.json", run->dir);
	int why;
	char err[512];
	json_t *m = read_json(path, RES_META_MAX, &why, err, sizeof err);
	if (!m && is_fatal(why)) {
		log_error("%s", err);
		return -1;
	}
	int from_meta_json = m != NULL;
	if (!m) {
		/* the same meta is in summary.json */
		char spath[4096];
		snprintf(spath, sizeof spath, "%s/summary.json", run->dir);
		json_t *s = read_json(spath, RES_SUMMARY_MAX, &why, err, sizeof err);
		if (!s && is_fatal(why)) {
			log_error("%s", err);
			return -1;
		}
		if (s && json_is_object(json_object_get(s, "meta")))
			m = json_incref(json_object_get(s, "meta"));
		json_decref(s);
	}
	if (!m || !json_is_object(m)) {
		if (warn)
			log_warning("no readable meta.json in \"%s\": the report will lack the run context", run->dir);
		json_decref(m);
		return 0;
	}
	run->has_meta = 1;
	run->meta_json = from_meta_json;
	jcopy(run->run_id, sizeof run->run_id, m, "run_id");
	jcopy(run->started_at, sizeof run->started_at, m, "started_at");
	jcopy(run->finished_at, sizeof run->finished_at, m, "finished_at");
	jcopy(run->status, sizeof run->status, m, "status");
	jcopy(run->tool_version, sizeof run->tool_version, m, "tool.version");
	jcopy(run->server_version, sizeof run->server_version, m, "server.version");
	jcopy(run->hostname, sizeof run->hostname, m, "host.hostname");
	jcopy(run->connection, sizeof run->connection, m, "connection");
	jcopy(run->command_line, sizeof run->command_line, m, "command_line");
	jcopy(run->dataset_scale, sizeof run->dataset_scale, m, "dataset.scale");
	jcopy(run->dataset_fingerprint, sizeof run->dataset_fingerprint, m, "dataset.fingerprint");
	char dbname[256] = "", dbhost[256] = "", dbport[32] = "";
	jcopy(dbname, sizeof dbname, m, "database.name");
	jcopy(dbhost, sizeof dbhost, m, "database.host");
	jcopy(dbport, sizeof dbport, m, "database.port");
	if (dbname[0])
		snprintf(run->database, sizeof run->database, "%s on %s%s%s", dbname, dbhost, dbport[0] ? ":" : "", dbport);
	char cpus[16];
	jcopy(cpus, sizeof cpus, m, "host.cpus");
	run->cpus = atoi(cpus);
	json_t *q = json_object_get(m, "query");
	if (!json_is_object(q)) {
		json_t *qs = json_object_get(m, "queries");
		q = json_is_array(qs) ? json_array_get(qs, 0) : NULL;
	}
	if (json_is_object(q)) {
		jcopy(run->query_name, sizeof run->query_name, q, "name");
		jcopy(run->query_sha, sizeof run->query_sha, q, "sha256");
		json_t *t = json_object_get(q, "text");
		if (json_is_string(t))
			run->query_text = dup_text(json_string_value(t));
	}
	jflat(run->settings, sizeof run->settings, json_object_get(json_object_get(m, "server"), "settings"));
	jflat(run->options, sizeof run->options, json_object_get(m, "options"));
	json_t *pl = json_object_get(m, "pooler");
	if (json_is_object(pl)) { /* a pooler in front of the server: what it was and how it pooled */
		char version[64], mode[32], size[24], maxc[24], by[32];
		jcopy(version, sizeof version, pl, "version");
		jcopy(mode, sizeof mode, pl, "mode");
		jcopy(size, sizeof size, pl, "pool_size");
		jcopy(maxc, sizeof maxc, pl, "max_client_conn");
		jcopy(by, sizeof by, pl, "started_by");
		snprintf(run->pooler, sizeof run->pooler, "%s, %s mode, pool of %s server connections, max_client_conn %s%s",
		         version[0] ? version : "a pooler", mode[0] ? mode : "unknown", size[0] ? size : "?",
		         maxc[0] ? maxc : "?", strcmp(by, "pgpagebench") == 0 ? " (started by the run)" : "");
	}
	json_decref(m);
	return 0;
}

/* ---- public ---------------------------------------------------------------------------------- */

int res_load(const char *dir, struct res_run *run)
{
	return res_load_parts(dir, run, RES_ALL);
}

int res_load_parts(const char *dir, struct res_run *run, unsigned parts)
{
	memset(run, 0, sizeof *run);
	struct stat st;
	if (stat(dir, &st) != 0) {
		log_error("could not open results directory \"%s\": %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_error("\"%s\" is not a results directory", dir);
		return -1;
	}
	run->dir = dup_text(dir);
	if (load_steps(run) < 0) {
		res_free(run);
		return -1;
	}
	int rc = 0;
	if (parts & RES_META)
		rc = load_meta(run, parts & RES_META_WARN);
	if (rc == 0 && (parts & RES_INTERVALS))
		rc = load_intervals(run);
	if (rc == 0 && (parts & RES_INTERVALS))
		rc = load_host_intervals(run);
	if (rc == 0 && (parts & RES_INTERVALS))
		rc = load_statements(run);
	if (rc == 0 && (parts & RES_WAITS))
		rc = load_waits(run, 0);
	if (rc == 0 && (parts & RES_WAITS))
		rc = load_waits(run, 1);
	if (parts & RES_HGRM) {
		for (size_t i = 0; i < run->nsteps && rc == 0; i++)
			rc = load_hgrm(run, &run->steps[i]);
		if (rc == 0)
			rc = load_summary_hists(run);
	}
	if (rc < 0)
		res_free(run);
	return rc;
}

void res_steps_differ(struct res_run *run)
{
	run->mixes_model = run->mixes_query = 0;
	memset(run->varies, 0, sizeof run->varies);
	if (run->nsteps == 0)
		return;
	const struct res_step *first = &run->steps[0];
	for (size_t i = 1; i < run->nsteps; i++) {
		const struct res_step *s = &run->steps[i];
		run->mixes_model |= strcmp(s->model, first->model) != 0;
		run->mixes_query |= strcmp(s->query, first->query) != 0;
		for (int f = 0; f < RF_COUNT; f++) {
			double a = first->v[f], b = s->v[f];
			run->varies[f] |= f == RF_OFFSET ? strcmp(first->offset_text, s->offset_text) != 0
			                                 : !(a == b || (isnan(a) && isnan(b)));
		}
	}
}

void res_free(struct res_run *run)
{
	for (size_t i = 0; i < run->nsteps; i++) {
		struct res_step *s = &run->steps[i];
		free(s->id);
		free(s->model);
		free(s->query);
		free(s->offset_text);
		free(s->rate_text);
		free(s->pctl);
		free(s->sec);
		free(s->hsec);
		for (size_t k = 0; k < s->nstmts; k++) {
			free(s->stmts[k].script);
			free(s->stmts[k].sql);
		}
		free(s->stmts);
	}
	for (size_t h = 0; h < run->nhosts; h++)
		free(run->hosts[h]);
	free(run->hosts);
	free(run->steps);
	free(run->query_text);
	free(run->dir);
	memset(run, 0, sizeof *run);
}

int res_is_open_loop(const struct res_step *s)
{
	return !isnan(s->v[RF_RATE_QPS]);
}

int res_pct_reliable(const struct res_step *s, double p)
{
	double n = s->v[RF_OK];
	return !(n >= 0) || hist_pct_reliable((uint64_t)fmin(n, 1e18), p); /* a count past 64 bits: no UB cast */
}

int res_rate_unmet(const struct res_step *s)
{
	return res_is_open_loop(s) && s->v[RF_RATE_QPS] > 0 && isfinite(s->v[RF_QPS]) &&
	       s->v[RF_QPS] < RESULTS_RATE_MET * s->v[RF_RATE_QPS];
}

void res_step_key(const struct res_step *s, char *buf, size_t len)
{
	char off[64];
	if (isnan(s->v[RF_OFFSET]))
		snprintf(off, sizeof off, "%s", s->offset_text);
	else
		snprintf(off, sizeof off, "%.17g", s->v[RF_OFFSET]);
	snprintf(buf, len, "%s|%s|%.17g|%.17g|%s|%.17g", s->model, s->query, s->v[RF_CONNECTIONS], s->v[RF_WORKERS], off,
	         s->v[RF_RATE_QPS]);
}
