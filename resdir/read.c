/*
 * read.c: reads a results directory (the contract in docs/results.md) for plot, compare and http-compare:
 * meta.json with jansson, steps.csv and intervals.csv by column name (RFC 4180 quoting, extra columns
 * ignored, empty fields kept as NAN so "not measured" never turns into 0), and the <step>.hgrm percentile
 * tables, or summary.json's histograms where a .hgrm is missing.
 */
#include "resdir/read.h"
#include "common/alloc.h"
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

static char *read_file(const char *path, size_t *len, int *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		*err = errno;
		return NULL;
	}
	size_t cap = 65536, n = 0;
	char *buf = pgpb_malloc(cap);
	size_t got;
	while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n - 1 == 0) {
			cap *= 2;
			buf = pgpb_realloc(buf, cap);
		}
	}
	*err = ferror(f) ? EIO : 0;
	fclose(f);
	if (*err) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
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
	int err;
	char *buf = read_file(path, &len, &err);
	if (!buf) {
		log_error("could not read \"%s\": %s", path, strerror(err));
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
		run->steps = pgpb_reallocarray(run->steps, run->nsteps + 1, sizeof *run->steps);
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
	return rc;
}

static struct res_step *find_step(struct res_run *run, const char *id, size_t hint)
{
	if (hint < run->nsteps && strcmp(run->steps[hint].id, id) == 0)
		return &run->steps[hint];
	for (size_t i = 0; i < run->nsteps; i++)
		if (strcmp(run->steps[i].id, id) == 0)
			return &run->steps[i];
	return NULL;
}

/* intervals.csv is optional (older or interrupted runs): a missing or bad file only costs the timeline. */
static void load_intervals(struct res_run *run)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/intervals.csv", run->dir);
	size_t len;
	int err;
	char *buf = read_file(path, &len, &err);
	if (!buf) {
		if (err != ENOENT)
			log_warning("could not read \"%s\": %s", path, strerror(err));
		return;
	}
	struct csv c = { buf, buf, buf + len, 0 };
	char *hdr[MAXCOLS], *f[MAXCOLS];
	size_t nh = csv_record(&c, hdr, MAXCOLS), nf;
	static const char *names[] = { "second", "queries", "errors", "p50_us", "p99_us", "max_us" };
	int cstep = col_index(hdr, nh, "step"), cols[6];
	for (int i = 0; i < 6; i++)
		cols[i] = col_index(hdr, nh, names[i]);
	if (cstep < 0 || cols[0] < 0 || cols[1] < 0) {
		log_warning("ignoring \"%s\": it lacks the step, second or queries column", path);
		free(buf);
		return;
	}
	size_t hint = 0;
	while ((nf = csv_record(&c, f, MAXCOLS)) > 0) {
		if (nf == 1 && f[0][0] == '\0')
			continue;
		struct res_step *s = find_step(run, field(f, nf, cstep), hint);
		if (!s)
			continue; /* a step not in steps.csv (cut short before its row was written) */
		hint = (size_t)(s - run->steps);
		double v[6];
		int bad = 0;
		for (int i = 0; i < 6; i++)
			bad |= parse_num(field(f, nf, cols[i]), &v[i]) < 0;
		if (bad || isnan(v[0])) {
			log_warning("ignoring \"%s\" line %d: not a number where one is expected", path, c.line);
			continue;
		}
		s->sec = pgpb_reallocarray(s->sec, s->nsec + 1, sizeof *s->sec);
		s->sec[s->nsec++] = (struct res_second){ v[0], v[1], v[2], v[3], v[4], v[5] };
		run->nintervals++;
	}
	free(buf);
}

/* <id>.hgrm (resdir/hgrm.h), values in ms; a step id holding a '/' names no file of the directory. */
static void load_hgrm(struct res_run *run, struct res_step *s)
{
	if (strchr(s->id, '/'))
		return;
	char path[4096];
	hgrm_path(path, sizeof path, run->dir, s->id, "");
	struct hgrm h;
	if (hgrm_read(path, &h) < 0)
		return;
	s->pctl = h.rows;
	s->npctl = h.n;
}

/* summary.json's histogram of one step: {"unit", "lowest_us", ..., "buckets": [[value_us, count], ...]}. */
static json_t *summary_latency(json_t *step)
{
	return json_object_get(json_object_get(step, "histograms"), "latency");
}

/* summary.json's sparse buckets ([value_us, count], value = lowest of the bucket) stand in for a missing
 * .hgrm: one spectrum point per bucket, at the share of queries at or below it. */
static void load_summary_hists(struct res_run *run)
{
	size_t missing = 0;
	for (size_t i = 0; i < run->nsteps; i++)
		missing += run->steps[i].pctl == NULL;
	if (!missing)
		return;
	char path[4096];
	snprintf(path, sizeof path, "%s/summary.json", run->dir);
	json_error_t jerr;
	json_t *sum = json_load_file(path, 0, &jerr);
	json_t *steps = json_object_get(sum, "steps");
	size_t k;
	json_t *js;
	json_array_foreach(steps, k, js) {
		const char *id = json_string_value(json_object_get(js, "step"));
		struct res_step *s = find_step(run, id ? id : "", k);
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
	json_decref(sum);
}

int res_summary_hist(const char *dir, const char *step, struct hist *out, char *err, size_t err_len)
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
	json_array_foreach(steps, i, s) {
		const char *id = json_string_value(json_object_get(s, "step"));
		if (!id || strcmp(id, step) != 0)
			continue;
		json_t *h = summary_latency(s);
		json_t *buckets = json_object_get(h, "buckets");
		json_int_t lowest = json_integer_value(json_object_get(h, "lowest_us")),
		           highest = json_integer_value(json_object_get(h, "highest_us")),
		           digits = json_integer_value(json_object_get(h, "significant_digits"));
		if (!json_is_array(buckets) || json_array_size(buckets) == 0 ||
		    hist_init(out, lowest ? lowest : HIST_LOWEST, highest ? highest : HIST_HIGHEST,
		              digits ? (int)digits : HIST_DIGITS) < 0)
			break;
		json_t *b;
		size_t j;
		json_array_foreach(buckets, j, b) {
			json_int_t v = json_integer_value(json_array_get(b, 0)), c = json_integer_value(json_array_get(b, 1));
			if (v >= 0 && c > 0)
				hist_record_n(out, v, (uint64_t)c);
		}
		/* the exact extremes run kept (the buckets hold only their lowest values) */
		json_t *minv = json_object_get(h, "min_us"), *maxv = json_object_get(h, "max_us");
		if (out->total && json_is_integer(minv))
			out->min = json_integer_value(minv);
		if (out->total && json_is_integer(maxv))
			out->max = json_integer_value(maxv);
		if (out->total)
			rc = 0;
		else
			hist_free(out);
		break;
	}
	json_decref(root);
	return rc;
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

static void load_meta(struct res_run *run, int warn)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/meta.json", run->dir);
	json_error_t jerr;
	json_t *m = json_load_file(path, 0, &jerr);
	int from_meta_json = m != NULL;
	if (!m) {
		/* the same meta is in summary.json */
		char spath[4096];
		snprintf(spath, sizeof spath, "%s/summary.json", run->dir);
		json_t *s = json_load_file(spath, 0, &jerr);
		if (s && json_is_object(json_object_get(s, "meta")))
			m = json_incref(json_object_get(s, "meta"));
		json_decref(s);
	}
	if (!m || !json_is_object(m)) {
		if (warn)
			log_warning("no readable meta.json in \"%s\": the report will lack the run context", run->dir);
		json_decref(m);
		return;
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
	json_decref(m);
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
	if (parts & RES_META)
		load_meta(run, parts & RES_META_WARN);
	if (parts & RES_INTERVALS)
		load_intervals(run);
	if (parts & RES_HGRM) {
		for (size_t i = 0; i < run->nsteps; i++)
			load_hgrm(run, &run->steps[i]);
		load_summary_hists(run);
	}
	return 0;
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
	}
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
