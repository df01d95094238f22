/*
 * run.c: `pgpagebench run`, the sweep. It checks the dataset and the query once, then for every step
 * (pool size x offset, in a stable order) opens the step's connections (excluded from the timing), lets
 * an engine issue the queries through a warm-up and the measured time, collects per-second rows while it
 * runs, and writes the step's results before the next one starts. The engine is chosen per step, so
 * new load models (issue 5) reuse everything here.
 */
#include "bench/bench.h"
#include "plots/plots.h"
#include "bench/conn.h"
#include "bench/engine.h"
#include "resdir/write.h"
#include "bench/srvstats.h"
#include "bench/validate.h"
#include "bench/variants.h"
#include "bench/explain.h"
#include "common/cli.h"
#include "common/log.h"
#include "common/sha256.h"
#include "common/sig.h"
#include "common/sqlfiles.h"
#include "schema/schema.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const long default_pools[] = { 1, 2, 4, 8 };
static const long default_offsets[] = { 0, 100, 1000, 10000 };
static const char *const protocol_names[] = { "simple", "extended", "prepared" };
static const char *const model_names[] = { "threads", "pool", "async" };

struct run_opts run_opts_default(void)
{
	struct run_opts o;
	memset(&o, 0, sizeof o);
	o.pools = default_pools;
	o.npools = 4;
	o.offsets = default_offsets;
	o.noffsets = 4;
	o.duration_s = 10;
	o.warmup_s = 2;
	o.protocol = RUN_PROTO_PREPARED;
	o.model = RUN_MODEL_THREADS;
	o.validate = 1;
	o.plot = 1;
	o.progress = -1;
	o.summary = 1;
	o.mix_page1 = 0.8;
	o.mix_zipf_s = 1.0;
	o.page_size = 10;
	return o;
}

int run_plot_hook(const char *outdir, const struct run_opts *o)
{
	struct plots_options po = { .formats = PLOTS_DEFAULT_FORMATS, .quiet = o->quiet };
	char index[PATH_MAX];
	int rc = plots_render_opts(outdir, NULL, &po, index, sizeof index);
	if (rc == EXIT_OK && !o->quiet)
		printf("report: %s\n", index);
	return rc;
}

/* ---- what the whole run shares ------------------------------------------------------------- */

struct step_def {
	int query; /* index into run.qs */
	enum run_model model;
	long connections, offset;
	int mix;
	int workers, loops; /* POOL, ASYNC */
	long rate; /* 0 = closed loop */
	int empty; /* the offset is at or past the rows the query pages through: 1, 0, or -1 unknown (mix) */
};

/* One query of the sweep (--query FILE or the seed, or each of --queries), prepared before any step. */
struct run_query {
	char *sql; /* owned */
	const char *name;
	char namebuf[256];
	const struct variant *variant; /* --queries: the variant; NULL for --query FILE */
	int nparams;
	struct validator val;
	int have_val;
	long long queryid;
	struct conn_params cp;
	char **pieces; /* simple protocol */
	int npieces;
};

struct run {
	struct pgpb_ctx *ctx;
	const struct run_opts *o;
	PGconn *ctrl;
	struct run_query *qs; /* nq of them */
	int nq;
	struct run_query *q; /* the current step's */
	pthread_mutex_t decode_lock;
	struct srv_info srv;
	struct step_def *steps;
	int nsteps;
	int threads;
	struct recorder *recs;
	int nrecs;
	struct results res;
	int progress, tty;
	double run_start;
	struct hist merged, merged_wait, merged_service, merged_unc, merged_lag;
	struct hist merged_hiccup;
	struct hist scratch;
	int rec_flags;
	long long qualifying; /* rows the queries page through, counted once before the sweep */
};

static double now_s(void)
{
	return (double)mono_ns() / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       (double)ru.ru_stime.tv_usec / 1e6;
}

static void sql_error(const char *what, PGresult *res, PGconn *conn)
{
	char line[1024];
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (!msg || !*msg)
		msg = res ? PQresultErrorMessage(res) : NULL;
	if (!msg || !*msg)
		msg = PQerrorMessage(conn);
	log_error("%s: %s", what, log_firstline(msg, line, sizeof line));
}

/* Reads the query file: one statement, $1 = OFFSET; a trailing semicolon is dropped. */
static char *read_query_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		log_error("could not open query file \"%s\": %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 1 << 20, n;
	char *buf = malloc(cap + 1);
	if (!buf) {
		fclose(f);
		log_error("out of memory");
		return NULL;
	}
	n = fread(buf, 1, cap, f);
	int big = !feof(f) && fgetc(f) != EOF;
	int err = ferror(f);
	fclose(f);
	if (err || big) {
		log_error(big ? "query file \"%s\" is larger than 1 MB" : "could not read query file \"%s\"", path);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\n' || buf[n - 1] == '\t' || buf[n - 1] == '\r' ||
	                 buf[n - 1] == ';'))
		buf[--n] = '\0';
	if (n == 0) {
		log_error("query file \"%s\" holds no statement", path);
		free(buf);
		return NULL;
	}
	return buf;
}

/* Splits the SQL at every "$1" not followed by a digit (the simple protocol sends the offset inline). */
static int split_pieces(struct run *r)
{
	int count = 1;
	for (const char *p = r->q->sql; (p = strstr(p, "$1")); p += 2)
		if (p[2] < '0' || p[2] > '9')
			count++;
	r->q->pieces = calloc((size_t)count, sizeof *r->q->pieces);
	if (!r->q->pieces)
		return -1;
	const char *start = r->q->sql, *p = r->q->sql;
	int k = 0;
	while ((p = strstr(p, "$1"))) {
		if (p[2] >= '0' && p[2] <= '9') {
			p += 2;
			continue;
		}
		r->q->pieces[k++] = strndup(start, (size_t)(p - start));
		p += 2;
		start = p;
	}
	r->q->pieces[k++] = strdup(start);
	r->q->npieces = k;
	for (int i = 0; i < k; i++)
		if (!r->q->pieces[i])
			return -1;
	return 0;
}

static char *inline_offset(const struct run *r, const char *num)
{
	size_t len = 1;
	for (int i = 0; i < r->q->npieces; i++)
		len += strlen(r->q->pieces[i]) + strlen(num);
	char *s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (int i = 0; i < r->q->npieces; i++) {
		strcat(s, r->q->pieces[i]);
		if (i + 1 < r->q->npieces)
			strcat(s, num);
	}
	return s;
}

/* Prepares the query once on the control connection: a bad query is a clear error here, not a hang
 * or a flood of failed queries later. Learns the parameter count and the columns to validate. */
static int check_query(struct run *r)
{
	PGresult *res = PQprepare(r->ctrl, "", r->q->sql, 0, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		char what[512];
		snprintf(what, sizeof what, "query \"%s\" does not run", r->q->name);
		sql_error(what, res, r->ctrl);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	res = PQdescribePrepared(r->ctrl, "");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		sql_error("could not describe the query", res, r->ctrl);
		PQclear(res);
		return -1;
	}
	r->q->nparams = PQnparams(res);
	if (r->q->nparams > (r->q->variant ? r->q->variant->nparams : 1)) {
		log_error("query \"%s\" has %d parameters: it may use only $1 (the OFFSET)", r->q->name, r->q->nparams);
		PQclear(res);
		return -1;
	}
	if (r->o->validate) {
		char why[256];
		if (validate_init(&r->q->val, res, r->o->protocol == RUN_PROTO_SIMPLE, r->o->page_size, why, sizeof why) < 0) {
			log_error("query \"%s\" cannot be validated: %s", r->q->name, why);
			log_hint("Use --no-validate to run it without checking the pages.");
			PQclear(res);
			return -1;
		}
		r->q->have_val = 1;
		r->q->val.decode_lock = &r->decode_lock;
		if (r->q->variant) { /* what cnt holds: the exact total, NULL, or the total capped */
			r->q->val.count_mode = r->q->variant->has_count;
			r->q->val.count_cap = VALIDATE_COUNT_CAP;
		}
	}
	PQclear(res);
	return 0;
}

static long long count_qualifying(struct run *r)
{
	PGresult *res = PQexec(r->ctrl, sql_get("bench/count_qualifying"));
	long long n = -1;
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		n = atoll(PQgetvalue(res, 0, 0));
	else
		sql_error("could not count the qualifying rows", res, r->ctrl);
	PQclear(res);
	return n;
}

/* Whether query q returns no row at offset (a --query FILE past the counted rows is run once to see);
 * 1 empty, 0 not, -1 when the probe failed. */
static int probe_empty(struct run *r, const struct run_query *q, long offset)
{
	char num[24];
	snprintf(num, sizeof num, "%ld", offset);
	const char *vals[1] = { num };
	PGresult *res = PQexecParams(r->ctrl, q->sql, q->nparams > 0 ? 1 : 0, NULL, vals, NULL, NULL, 0);
	int empty = PQresultStatus(res) == PGRES_TUPLES_OK ? PQntuples(res) == 0 : -1;
	PQclear(res);
	return empty;
}

/* Marks the steps whose offset is at or past the rows the query pages through, and warns once per offset
 * before any is measured: such a step times empty pages, which pass validation and look fast. The seed
 * and its variants page through the counted rows; a --query FILE is run once at an offset past them. */
static void mark_empty_pages(struct run *r)
{
	long warned[64];
	int nwarned = 0, any = 0;
	for (int k = 0; k < r->nsteps; k++) {
		struct step_def *sd = &r->steps[k];
		const struct run_query *q = &r->qs[sd->query];
		int file = !q->variant && r->o->query_file;
		sd->empty = sd->mix ? -1 : 0;
		if (sd->mix || r->qualifying < 0 || sd->offset < r->qualifying)
			continue;
		/* the same query and offset was decided at an earlier step */
		int j;
		for (j = 0; j < k; j++)
			if (r->steps[j].query == sd->query && !r->steps[j].mix && r->steps[j].offset == sd->offset)
				break;
		if (j < k) {
			sd->empty = r->steps[j].empty;
			continue;
		}
		sd->empty = file ? probe_empty(r, q, sd->offset) : 1;
		if (sd->empty != 1)
			continue;
		any = 1;
		int seen = 0;
		for (int w = 0; w < nwarned; w++)
			seen |= warned[w] == sd->offset;
		if (seen)
			continue;
		if (nwarned < 64)
			warned[nwarned++] = sd->offset;
		if (file)
			log_warning("query \"%s\" returns no row at offset %ld (the dataset has %lld qualifying rows): its steps "
			            "measure empty pages", q->name, sd->offset, r->qualifying);
		else
			log_warning("offset %ld is at or beyond the %lld rows the query pages through: its steps measure empty "
			            "pages", sd->offset, r->qualifying);
	}
	if (any) {
		long long last = r->qualifying > 0 ? (r->qualifying - 1) / r->o->page_size * r->o->page_size : 0;
		log_hint("The last page starts at offset %lld; steps past it are marked empty_pages in steps.csv.", last);
	}
}

static int make_outdir(const struct run_opts *o, char *out, size_t len)
{
	if (o->out_dir) {
		snprintf(out, len, "%s", o->out_dir);
	} else {
		char stamp[32];
		time_t t = time(NULL);
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
		if (mkdir("results", 0777) < 0 && errno != EEXIST) {
			log_error("could not create directory \"results\": %s", strerror(errno));
			return -1;
		}
		snprintf(out, len, "results/%s", stamp);
		for (int i = 2; access(out, F_OK) == 0 && i < 100; i++)
			snprintf(out, len, "results/%s-%d", stamp, i);
	}
	if (mkdir(out, 0777) < 0) {
		if (errno != EEXIST) {
			log_error("could not create directory \"%s\": %s", out, strerror(errno));
			return -1;
		}
		char meta[4200];
		snprintf(meta, sizeof meta, "%s/meta.json", out);
		if (access(meta, F_OK) == 0) {
			log_error("directory \"%s\" already holds a run", out);
			log_hint("Choose another directory with --out, or remove that one.");
			return -1;
		}
	}
	return 0;
}

static json_t *list_json(const long *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

static json_t *build_meta(struct run *r, const char *outdir, const struct schema_dataset *ds)
{
	const struct run_opts *o = r->o;
	char cmd[8192], started[32], conn[1024], host[256] = "", sha[65];
	char masked[8000];
	conn_mask_argv(r->ctx->argc, r->ctx->argv, masked, sizeof masked);
	snprintf(cmd, sizeof cmd, "%s %s", PGPB_PROGNAME, masked);
	results_now_iso(started, sizeof started);
	conn_describe(r->ctrl, conn, sizeof conn);
	gethostname(host, sizeof host - 1);
	sha256_hex(r->q->sql, strlen(r->q->sql), sha);
	const char *slash = strrchr(outdir, '/');
	json_t *settings = json_pack("{s:s,s:s,s:s,s:s}", "shared_buffers", r->srv.shared_buffers, "work_mem",
	                             r->srv.work_mem, "jit", r->srv.jit, "max_connections", r->srv.max_connections);
	json_t *opts = json_pack("{s:o,s:o,s:f,s:f,s:i,s:s,s:s,s:b}", "pools", list_json(o->pools, o->npools),
	                         "offsets", list_json(o->offsets, o->noffsets), "duration_s", o->duration_s,
	                         "warmup_s", o->warmup_s, "threads", r->threads, "protocol", protocol_names[o->protocol],
	                         "model", o->preset_seed_article ? "seed-article" : model_names[o->model], "validate",
	                         o->validate);
	json_object_set_new(opts, "workers", o->model == RUN_MODEL_POOL ? json_integer(o->workers) : json_null());
	json_object_set_new(opts, "pool_order", o->model == RUN_MODEL_POOL || o->preset_seed_article
	                                            ? json_string(o->pool_lifo ? "lifo" : "fifo") : json_null());
	json_object_set_new(opts, "loops", o->model == RUN_MODEL_ASYNC ? json_integer(o->loops > 0 ? o->loops : 1) : json_null());
	json_object_set_new(opts, "rates", o->nrates ? list_json(o->rates, o->nrates) : json_null());
	json_object_set_new(opts, "arrival", o->nrates ? json_string(o->poisson ? "poisson" : "constant") : json_null());
	if (o->preset_seed_article)
		json_object_set_new(opts, "preset", json_string("seed-article"));
	if (o->offset_mix)
		json_object_set_new(opts, "offset_mix",
		                    json_pack("{s:f,s:f,s:i}", "page1", o->mix_page1, "zipf", o->mix_zipf_s, "page_size",
		                              o->page_size));
	else
		json_object_set_new(opts, "offset_mix", json_null());
	json_t *meta = json_pack("{s:{s:s,s:s},s:s,s:s,s:n,s:s,s:s,s:{s:i,s:s},s:s,s:{s:s,s:i,s:o,s:b},"
	                 "s:{s:s,s:f,s:I,s:I,s:I,s:I,s:s},s:{s:s,s:s,s:s},s:o}",
	                 "tool", "name", PGPB_PROGNAME, "version", PGPB_VERSION, "run_id", slash ? slash + 1 : outdir,
	                 "started_at", started, "finished_at", "status", "running", "command_line", cmd, "host", "cpus",
	                 (int)sysconf(_SC_NPROCESSORS_ONLN), "hostname", host, "connection", conn, "server", "version",
	                 r->srv.version, "version_num", r->srv.version_num, "settings", settings, "pg_stat_statements",
	                 r->srv.pgss, "dataset", "fingerprint", ds->fingerprint, "scale", ds->scale, "seed",
	                 (json_int_t)ds->seed, "users", (json_int_t)ds->users, "records", (json_int_t)ds->records,
	                 "tags", (json_int_t)ds->tags, "checksum", ds->checksum, "query", "name", r->q->name,
	                 "sha256", sha, "text", r->q->sql, "options", opts);
	if (meta && r->nq > 1) { /* --queries: every variant's text and hash */
		json_t *list = json_array();
		for (int k = 0; k < r->nq; k++) {
			sha256_hex(r->qs[k].sql, strlen(r->qs[k].sql), sha);
			json_array_append_new(list, json_pack("{s:s,s:s,s:s}", "name", r->qs[k].name, "sha256", sha, "text",
			                                       r->qs[k].sql));
		}
		json_object_set_new(meta, "queries", list);
	}
	return meta;
}

/* --explain: EXPLAIN (ANALYZE, BUFFERS) of every query at every offset, before the steps, into explain/. */
static int explain_all(struct run *r, const char *dir)
{
	const struct run_opts *o = r->o;
	for (int k = 0; k < r->nq && !sig_caught(); k++) {
		struct run_query *q = &r->qs[k];
		char label[300] = "";
		if (r->nq > 1)
			snprintf(label, sizeof label, "%s-", q->name);
		for (size_t i = 0; i < o->noffsets && !sig_caught(); i++) {
			struct variant_params vp;
			char num[24];
			const char *one[1] = { num };
			const char *const *vals = one;
			snprintf(num, sizeof num, "%ld", o->offsets[i]);
			if (q->variant) {
				if (variant_params(q->variant, r->ctrl, o->offsets[i], &vp) < 0)
					return -1;
				vals = vp.values;
			}
			struct explain_summary es;
			char path[4096], line[512];
			if (explain_run(r->ctrl, q->sql, q->nparams, vals, dir, label[0] ? label : NULL, o->offsets[i], &es, path,
			                sizeof path) < 0)
				return -1;
			explain_describe(&es, line, sizeof line);
			if (!o->quiet && !r->ctx->quiet)
				printf("explain %s offset %ld: %s\n", q->name, o->offsets[i], line);
		}
	}
	fflush(stdout);
	return 0;
}

/* ---- steps ---------------------------------------------------------------------------------- */

/* "s001-threads-c4-o100", "s002-pool-w8-c4-omix", "s003-async-l1-c500-o0-r1000"; i < 0: without "sNNN-" */
static void step_name(const struct step_def *sd, int i, char *buf, size_t len)
{
	char pre[16] = "", extra[32] = "", off[24], rate[32] = "";
	if (i >= 0)
		snprintf(pre, sizeof pre, "s%03d-", i + 1);
	if (sd->model == RUN_MODEL_POOL)
		snprintf(extra, sizeof extra, "w%d-", sd->workers);
	else if (sd->model == RUN_MODEL_ASYNC)
		snprintf(extra, sizeof extra, "l%d-", sd->loops);
	if (sd->mix)
		snprintf(off, sizeof off, "omix");
	else
		snprintf(off, sizeof off, "o%ld", sd->offset);
	if (sd->rate > 0)
		snprintf(rate, sizeof rate, "-r%ld", sd->rate);
	snprintf(buf, len, "%s%s-%sc%ld-%s%s", pre, model_names[sd->model], extra, sd->connections, off, rate);
}

/* Threads issuing a step's queries: event loops (never more than connections), or the pool's workers. */
static int step_threads(const struct run *r, const struct step_def *sd)
{
	int n = (int)sd->connections;
	int want = sd->model == RUN_MODEL_POOL ? sd->workers : sd->model == RUN_MODEL_ASYNC ? sd->loops : r->threads;
	return sd->model != RUN_MODEL_POOL && want > n ? n : want;
}

/* ---- progress and summary ------------------------------------------------------------------- */

static void fmt_clock(double s, char *buf, size_t len)
{
	long t = (long)(s + 0.5);
	snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

static double step_span(const struct run_opts *o)
{
	return o->warmup_s + o->duration_s;
}

static void progress_line(struct run *r, int i, const struct step_def *sd, const char *phase,
                          const struct interval *last, uint64_t errors, double step_left)
{
	if (!r->progress)
		return;
	char eta[16], what[64];
	fmt_clock(step_left + (double)(r->nsteps - i - 1) * step_span(r->o), eta, sizeof eta);
	step_name(sd, -1, what, sizeof what);
	char figures[128] = "";
	if (last)
		snprintf(figures, sizeof figures, "  %llu qps  p99 %.2f ms  %llu error%s", (unsigned long long)last->queries,
		         (double)last->p99_us / 1000.0, (unsigned long long)errors, plural_s((long long)errors));
	if (r->tty)
		fprintf(stderr, "\r\033[Kstep %d/%d %s  %s%s  ETA %s", i + 1, r->nsteps, what, phase, figures, eta);
	else
		fprintf(stderr, "progress: step %d/%d %s  %s%s  ETA %s\n", i + 1, r->nsteps, what, phase, figures, eta);
	fflush(stderr);
}

/* A latency percentile in ms for a table: "-" when no query finished, a trailing "*" when fewer than 10
 * queries lie at or beyond it (hist_pct_reliable), so a thin step's p99 is never read as solid. */
static void fmt_pct(const struct hist *h, double p, char *buf, size_t len)
{
	if (!h->total)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.3f%s", (double)hist_percentile(h, p) / 1000.0, hist_pct_reliable(h->total, p) ? "" : "*");
}

static void summary_header(int open)
{
	printf("%-28s %-11s %6s %7s %8s %10s %10s %10s %10s %9s %7s %6s", "step", "query", "conns", "offset", "n", "qps",
	       "p50_ms", "p99_ms", "max_ms", "wait_p99", "errors", "valerr");
	if (open)
		printf(" %8s", "dropped");
	printf(" %9s %9s %9s\n", "cpu/q_us", "server_ms", "rest_ms");
}

/* One row a step. server_ms: pg_stat_statements' mean execution (+ planning) time of the query during the
 * step; rest_ms: the client's mean latency minus that (network, driver, queueing): "-" when unknown. */
static void summary_row(const struct step_result *s, int open)
{
	char off[24];
	if (s->mix)
		snprintf(off, sizeof off, "mix");
	else
		snprintf(off, sizeof off, "%ld", s->offset);
	const struct hist *h = s->lat;
	char wait[24] = "-", srv[24] = "-", rest[24] = "-", p50[32], p99[32], max[32] = "-", cpu[24] = "-";
	if (s->wait && s->wait->total)
		fmt_pct(s->wait, 99, wait, sizeof wait);
	fmt_pct(h, 50, p50, sizeof p50);
	fmt_pct(h, 99, p99, sizeof p99);
	if (h->total)
		snprintf(max, sizeof max, "%.3f", (double)hist_max(h) / 1000.0);
	if (s->ok)
		snprintf(cpu, sizeof cpu, "%.1f", s->client_cpu_s * 1e6 / (double)s->ok);
	if (s->srv.have_pgss && s->srv.calls > 0 && h->total) {
		double server_us = s->srv.mean_exec_us + (s->srv.have_plan ? s->srv.mean_plan_us : 0);
		const char *mark = s->split == SPLIT_OK ? "" : "?"; /* not reliable: see the note under the table */
		snprintf(srv, sizeof srv, "%.3f%s", server_us / 1000.0, mark);
		snprintf(rest, sizeof rest, "%.3f%s", (hist_mean(h) - server_us) / 1000.0, mark);
	}
	printf("%-28s %-11.11s %6ld %7s %8llu %10.1f %10s %10s %10s %9s %7llu %6llu", s->id, s->query, s->connections, off,
	       (unsigned long long)s->ok, s->duration_s > 0 ? (double)s->ok / s->duration_s : 0, p50, p99, max, wait,
	       (unsigned long long)s->errors, (unsigned long long)s->verrors);
	if (open) {
		char dropped[24] = "-";
		if (s->rate > 0)
			snprintf(dropped, sizeof dropped, "%llu", (unsigned long long)s->dropped);
		printf(" %8s", dropped);
	}
	double ratio = results_rate_ratio(s);
	printf(" %9s %9s %9s%s%s%s%s\n", cpu, srv, rest, s->partial ? "  (partial)" : "",
	       s->empty_pages == 1 ? "  (empty pages)" : "", ratio >= 0 && ratio < RESULTS_RATE_MET ? "  (rate unmet)" : "",
	       s->saturated ? "  (driver saturated)" : "");
}

/* After the table: which steps are too thin for their p99 and how long a step would need to be. */
static void thin_hint(const struct step_result *done, int ndone)
{
	int nthin = 0, nnone = 0;
	double need = 0;
	char names[512] = "";
	for (int k = 0; k < ndone; k++) {
		uint64_t n = done[k].lat->total;
		if (hist_pct_reliable(n, 99))
			continue;
		nthin++;
		size_t l = strlen(names);
		if (l < sizeof names - 80)
			snprintf(names + l, sizeof names - l, "%s%s", l ? ", " : "", done[k].id);
		else if (!strstr(names, "..."))
			snprintf(names + l, sizeof names - l, ", ...");
		if (n == 0)
			nnone++;
		else if (done[k].duration_s * 1000.0 / (double)n > need)
			need = done[k].duration_s * 1000.0 / (double)n; /* at the step's own rate, 1,000 queries */
	}
	if (!nthin)
		return;
	log_warning("%d step%s measured fewer than 1000 queries, too few for a reliable p99 (marked * above): %s", nthin,
	            nthin == 1 ? "" : "s", names);
	if (need > 0)
		log_hint("Lengthen --duration: about %.0fs gives each of them 1000 queries at the rate it ran%s.",
		         ceil(need), nnone ? " (the steps with no finished query need a look first)" : "");
	else
		log_hint("No query finished in %s: see the errors above before lengthening --duration.",
		         nthin == 1 ? "it" : "them");
}

/* Under the table: what a "?" beside server_ms and rest_ms means, when a step has one. */
static void summary_notes(const struct step_result *done, int n)
{
	for (int k = 0; k < n; k++)
		if (done[k].srv.have_pgss && done[k].srv.calls > 0 && done[k].lat->total && done[k].split != SPLIT_OK) {
			printf("?: the server/client split of this step is not reliable: the server's calls are outside the "
			       "client's queries +- those in flight at the window's edges, or too few queries to outweigh "
			       "the edges (steps.csv split_reliable, docs/results.md)\n");
			return;
		}
}

/*
 * Whether the step's server/client split holds, and whether its driver kept up. Only queries in flight at
 * an edge of the window can be counted by one side and not the other (the server counts a query before
 * its client receives the answer), so server_calls lies within ok + validation errors - inflight_start and
 * + inflight_end. The mean server time can then exceed the client mean by at most
 * (inflight_start x client mean + inflight_end x client max) / server_calls: the split's stated error.
 * A split outside the bounds, or whose error is above SPLIT_MAX_ERROR of the client mean, is not reliable.
 */
static void step_judge(struct step_result *sr)
{
	const struct hist *h = sr->lat;
	long long client = (long long)(sr->ok + sr->verrors), calls = sr->srv.calls;
	sr->split = SPLIT_NONE;
	if (sr->srv.have_pgss) {
		int within = calls >= client - (long long)sr->inflight_start && calls <= client + (long long)sr->inflight_end;
		sr->split = SPLIT_UNRELIABLE;
		if (calls > 0 && h->total) {
			sr->split_error_us =
				((double)sr->inflight_start * hist_mean(h) + (double)sr->inflight_end * (double)hist_max(h)) / (double)calls;
			if (within && sr->split_error_us <= SPLIT_MAX_ERROR * hist_mean(h))
				sr->split = SPLIT_OK;
		}
	}
	sr->saturated = 0;
	int64_t p50 = h->total ? hist_percentile(h, 50) : 0, late = hist_percentile(sr->hiccup, 99);
	if (sr->hiccup->total && late >= HICCUP_FLOOR_US && (!h->total || (double)late > HICCUP_MAX_SHARE * (double)p50)) {
		sr->saturated = 1;
		if (h->total)
			snprintf(sr->saturated_why, sizeof sr->saturated_why,
			         "the driver woke up to %.3f ms late (hiccup p99) against a latency p50 of %.3f ms", late / 1000.0,
			         p50 / 1000.0);
		else
			snprintf(sr->saturated_why, sizeof sr->saturated_why,
			         "the driver woke up to %.3f ms late (hiccup p99) and received no answer in the window",
			         late / 1000.0);
	}
	if (!sr->saturated && sr->srv.have_pgss && calls > 2 * client && calls - client >= 10) {
		sr->saturated = 1;
		snprintf(sr->saturated_why, sizeof sr->saturated_why,
		         "the server finished %lld queries in the window, the client received %lld", calls, client);
	}
	if (sr->saturated && sr->srv.have_pgss && calls > client + 10) { /* both signs: say the second too */
		size_t l = strlen(sr->saturated_why);
		if (!strstr(sr->saturated_why, "the server finished"))
			snprintf(sr->saturated_why + l, sizeof sr->saturated_why - l, "; the server finished %lld queries, the client received %lld",
			         calls, client);
	}
}

static void merge_codes(struct step_result *sr, const struct recorder *rec)
{
	for (int i = 0; i < rec->ncodes; i++) {
		int k;
		for (k = 0; k < sr->ncodes; k++)
			if (strcmp(sr->codes[k].code, rec->codes[i].code) == 0)
				break;
		if (k == sr->ncodes) {
			if (sr->ncodes == (int)(sizeof sr->codes / sizeof sr->codes[0]))
				continue;
			sr->ncodes++;
			memcpy(&sr->codes[k], &rec->codes[i], sizeof sr->codes[k]);
		} else {
			sr->codes[k].n += rec->codes[i].n;
		}
	}
}

/* Runs step i; *written = 1 when a row was written. Returns 0, or -1 on a failure that ends the run. */
static int run_step(struct run *r, int i, struct step_result *sr, int *written)
{
	const struct run_opts *o = r->o;
	const struct step_def *sd = &r->steps[i];
	r->q = &r->qs[sd->query];
	*written = 0;
	memset(sr, 0, sizeof *sr);
	step_name(sd, i, sr->id, sizeof sr->id);
	sr->model = model_names[sd->model];
	sr->query = r->q->name;
	sr->connections = sd->connections;
	sr->workers = sd->model == RUN_MODEL_POOL ? sd->workers : sd->connections;
	sr->loops = sd->model == RUN_MODEL_ASYNC ? sd->loops : 0;
	sr->rate = (double)sd->rate;
	sr->mix = sd->mix;
	sr->offset = sd->offset;

	/* counted once before the sweep: what cnt must equal, and the pages an offset mix draws from */
	long long qualifying = r->qualifying;
	r->q->val.expected_count = qualifying;
	sr->qualifying = r->q->variant || !o->query_file ? qualifying : -1;
	sr->empty_pages = sd->empty;
	struct offset_gen og;
	if (sd->mix) {
		if (offsets_mix(&og, o->mix_page1, o->mix_zipf_s, o->page_size, qualifying) < 0)
			return -1;
	} else {
		offsets_fixed(&og, sd->offset);
	}

	int n = (int)sd->connections, nthreads = step_threads(r, sd);
	struct bconn *conns = calloc((size_t)n, sizeof *conns);
	if (!conns) {
		offsets_free(&og);
		log_error("out of memory");
		return -1;
	}
	if (r->progress)
		progress_line(r, i, sd, "connecting", NULL, 0, step_span(o));
	double t0 = now_s();
	int opened = conn_open_all(conns, n, &r->q->cp);
	sr->connect_s = now_s() - t0;
	if (opened < n) {
		free(conns);
		offsets_free(&og);
		if (opened >= 0 || !sig_caught()) {
			if (opened >= 0)
				log_error("could not open %d connection%s for step %s", n, plural_s(n), sr->id);
			log_hint("Check max_connections on the server (the step needs %d connections).", n);
		}
		return -1;
	}
	for (int k = 0; k < nthreads; k++)
		recorder_reset(&r->recs[k]);

	struct engine_env env;
	memset(&env, 0, sizeof env);
	env.model = sd->model;
	env.workers = sd->workers;
	env.pool_lifo = o->pool_lifo;
	env.rate = (double)sd->rate;
	env.poisson = o->poisson;
	env.cp = &r->q->cp;
	env.val = r->q->have_val ? &r->q->val : NULL;
	env.og = &og;
	struct variant_params vp; /* keyset: the key of the page at this depth, found once per step */
	if (r->q->variant && r->q->variant->keyset) {
		if (variant_params(r->q->variant, r->ctrl, sd->offset, &vp) < 0) {
			for (int k = 0; k < n; k++)
				bconn_close(&conns[k]);
			free(conns);
			offsets_free(&og);
			return -1;
		}
		env.fixed = vp.values;
		env.nfixed = vp.n;
	}
	env.step_id = sr->id;
	env.simple_pieces = o->protocol == RUN_PROTO_SIMPLE ? r->q->pieces : NULL;
	env.npieces = o->protocol == RUN_PROTO_SIMPLE ? r->q->npieces : 0;
	env.seed = 0x5EED0000ULL + (uint64_t)i;
	env.stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int64_t start = mono_ns();
	env.t_begin = start;
	env.t_measure = start + (int64_t)(o->warmup_s * 1e9);
	env.t_end = env.t_measure + (int64_t)(o->duration_s * 1e9);
	atomic_store(&env.t_snapped, INT64_MAX);
	const char *stall = getenv("PGPB_TEST_STALL_US"); /* tests: make the driver late, deterministically */
	env.test_stall_ns = stall ? atoll(stall) * 1000LL : 0;
	for (int k = 0; k < nthreads; k++)
		r->recs[k].stop = &env.stop;
	struct engine *e = env.stop_fd >= 0 ? engine_start(&env, conns, n, r->recs, nthreads) : NULL;
	if (!e) {
		if (env.stop_fd < 0)
			log_error("could not create an eventfd: %s", strerror(errno));
		for (int k = 0; k < n; k++)
			bconn_close(&conns[k]);
		free(conns);
		offsets_free(&og);
		if (env.stop_fd >= 0)
			close(env.stop_fd);
		return -1;
	}

	/* The server's counters are read at the measured window's two edges: the main thread wakes at the
	 * window's start and at its end (or when it stopped early); the engines count the queries in flight
	 * at each edge, which are the only ones the two sides can disagree on. */
	struct srv_snap before, after;
	int measuring = 0, stopped = 0, snapped = 0;
	double cpu0 = 0, cpu1 = 0;
	long next_sec = 0;
	uint64_t errs = 0;
	struct interval iv, last;
	int have_last = 0;
	double last_print = 0;
	for (;;) {
		int done = engine_done(e);
		int64_t now = mono_ns();
		if (!stopped && sig_caught()) {
			engine_stop(&env);
			stopped = 1;
		}
		if (!measuring && now >= env.t_measure && !stopped) {
			srv_snapshot(r->ctrl, &r->srv, r->q->queryid, &before);
			atomic_store(&env.t_snapped, mono_ns());
			cpu0 = cpu_s();
			measuring = 1;
		}
		if (measuring && !snapped && (now >= env.t_end || atomic_load(&env.t_stop))) {
			cpu1 = cpu_s();
			srv_snapshot(r->ctrl, &r->srv, r->q->queryid, &after);
			snapped = 1;
		}
		while (recorder_collect(r->recs, nthreads, next_sec, &r->scratch, &iv)) {
			results_interval(&r->res, sr->id, &iv);
			errs += iv.errors + iv.verrors;
			last = iv;
			have_last = 1;
			next_sec++;
		}
		if (done)
			break;
		double t = now_s();
		if (r->progress && t - last_print >= (r->tty ? 0.5 : 1.0)) {
			last_print = t;
			char phase[64];
			if (now < env.t_measure)
				snprintf(phase, sizeof phase, "warm-up");
			else
				snprintf(phase, sizeof phase, "measuring %ld/%.0f s", (long)((now - env.t_measure) / 1000000000LL) + 1,
				         o->duration_s);
			progress_line(r, i, sd, phase, have_last ? &last : NULL, errs, (double)(env.t_end - now) / 1e9);
		}
		/* a tenth of a second, or to the next edge of the window; SIGINT interrupts it at once */
		int64_t until = mono_ns() + 100 * 1000000LL;
		if (!measuring && env.t_measure < until)
			until = env.t_measure;
		else if (measuring && !snapped && env.t_end < until)
			until = env.t_end;
		struct timespec ts = { until / 1000000000LL, until % 1000000000LL };
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
	if (measuring && !snapped) {
		cpu1 = cpu_s();
		srv_snapshot(r->ctrl, &r->srv, r->q->queryid, &after);
	}
	engine_join(e);
	close(env.stop_fd);
	long secs = recorder_seconds(r->recs, nthreads);
	while (next_sec < secs && recorder_collect(r->recs, nthreads, next_sec, &r->scratch, &iv)) {
		results_interval(&r->res, sr->id, &iv);
		next_sec++;
	}
	for (int k = 0; k < n; k++)
		bconn_close(&conns[k]);
	free(conns);
	offsets_free(&og);

	int64_t stop_at = atomic_load(&env.t_stop);
	int64_t fin = stop_at && stop_at < env.t_end ? stop_at : env.t_end;
	if (!measuring || fin <= env.t_measure)
		return 0; /* interrupted before measuring: nothing to write */
	hist_reset(&r->merged);
	hist_reset(&r->merged_hiccup);
	if (r->rec_flags & REC_WAIT) {
		hist_reset(&r->merged_wait);
		hist_reset(&r->merged_service);
	}
	if (r->rec_flags & REC_OPEN) {
		hist_reset(&r->merged_unc);
		hist_reset(&r->merged_lag);
	}
	for (int k = 0; k < nthreads; k++) {
		struct recorder *rec = &r->recs[k];
		hist_merge(&r->merged, &rec->lat);
		if (sd->model == RUN_MODEL_POOL) {
			hist_merge(&r->merged_wait, &rec->wait);
			hist_merge(&r->merged_service, &rec->service);
		}
		if (sd->rate > 0) {
			hist_merge(&r->merged_unc, &rec->uncorrected);
			hist_merge(&r->merged_lag, &rec->lag);
			sr->late_starts += rec->late_starts;
			sr->dropped += rec->dropped;
		}
		hist_merge(&r->merged_hiccup, &rec->hiccup);
		sr->inflight_start += rec->edge_start;
		sr->inflight_end += rec->edge_end;
		sr->ok += rec->ok;
		sr->errors += rec->errors;
		sr->verrors += rec->verrors;
		sr->reconnects += rec->reconnects;
		merge_codes(sr, rec);
	}
	sr->lat = &r->merged;
	if (sd->model == RUN_MODEL_POOL) {
		sr->wait = &r->merged_wait;
		sr->service = &r->merged_service;
	}
	if (sd->rate > 0) {
		sr->uncorrected = &r->merged_unc;
		sr->lag = &r->merged_lag;
	}
	sr->threads = nthreads;
	sr->duration_s = (double)(fin - env.t_measure) / 1e9;
	sr->client_cpu_s = cpu1 - cpu0;
	sr->partial = fin < env.t_end;
	srv_diff(&before, &after, &sr->srv);
	sr->hiccup = &r->merged_hiccup;
	step_judge(sr);
	if (sr->saturated && !o->quiet && !r->ctx->quiet) {
		if (r->progress && r->tty)
			fprintf(stderr, "\r\033[K");
		log_warning("step %s: driver saturated: these latencies measure the client, not PostgreSQL (%s)", sr->id,
		            sr->saturated_why);
		log_hint("Give the step more driver threads (--threads, --loops) or fewer connections per thread.");
	}
	if (results_step(&r->res, sr) < 0)
		return -1;
	*written = 1;
	if (r->progress) {
		if (r->tty)
			fprintf(stderr, "\r\033[K");
		char p99[32];
		fmt_pct(sr->lat, 99, p99, sizeof p99);
		fprintf(stderr, "step %d/%d done: %s n %llu, %.1f qps, p99 %s%s, %llu error%s, %llu validation error%s%s\n",
		        i + 1, r->nsteps, sr->id, (unsigned long long)sr->ok,
		        sr->duration_s > 0 ? (double)sr->ok / sr->duration_s : 0, p99, sr->lat->total ? " ms" : "",
		        (unsigned long long)sr->errors, plural_s((long long)sr->errors), (unsigned long long)sr->verrors,
		        plural_s((long long)sr->verrors), sr->partial ? " (partial)" : "");
		fflush(stderr);
	}
	double ratio = results_rate_ratio(sr);
	if (ratio >= 0 && ratio < RESULTS_RATE_MET && !sr->partial)
		log_warning("step %s achieved %.1f queries/s, %.0f%% of its target rate %ld: %llu due queries were never "
		            "sent (dropped)", sr->id, (double)sr->ok / sr->duration_s, 100.0 * ratio, sd->rate,
		            (unsigned long long)sr->dropped);
	return 0;
}

/* ---- the sweep ----------------------------------------------------------------------------- */

/* Reads, checks and prepares one query of the sweep: variant (by name), --query FILE, or the seed. */
static int prepare_query(struct run *r, struct run_query *q, const char *variant)
{
	const struct run_opts *o = r->o;
	r->q = q;
	if (variant) {
		q->variant = variant_find(variant);
		const char *text = q->variant ? variant_sql(q->variant) : NULL;
		if (!text) {
			log_error("unknown query variant \"%s\"", variant);
			return -1;
		}
		q->sql = strdup(text);
		q->name = q->variant->name;
		if (q->variant->keyset && o->protocol == RUN_PROTO_SIMPLE) {
			log_error("the keyset variant needs --protocol extended or prepared (its key is two parameters)");
			return -1;
		}
		if (q->variant->keyset && o->offset_mix) {
			log_error("the keyset variant cannot run an --offset-mix step (its key is found once per step)");
			return -1;
		}
	} else if (o->query_file) {
		q->sql = read_query_file(o->query_file);
		const char *base = strrchr(o->query_file, '/');
		snprintf(q->namebuf, sizeof q->namebuf, "%s", base ? base + 1 : o->query_file);
		q->name = q->namebuf;
	} else {
		const char *seed = sql_get("schema/query");
		q->sql = seed ? strdup(seed) : NULL;
		q->name = "seed";
	}
	if (!q->sql)
		return -1;
	if (!o->query_file || variant) { /* an embedded file ends in a newline; keep the statement only */
		size_t n = strlen(q->sql);
		while (n && (q->sql[n - 1] == '\n' || q->sql[n - 1] == ' ' || q->sql[n - 1] == ';'))
			q->sql[--n] = '\0';
	}
	if (check_query(r) < 0)
		return -1;
	if (split_pieces(r) < 0) {
		log_error("out of memory");
		return -1;
	}
	if (o->protocol == RUN_PROTO_SIMPLE) {
		char *text = inline_offset(r, "0");
		q->queryid = text ? srv_query_id(r->ctrl, text, 0, NULL) : 0;
		free(text);
	} else {
		struct variant_params vp;
		const char *zero[1] = { "0" };
		const char *const *vals = zero;
		if (q->variant && variant_params(q->variant, r->ctrl, 0, &vp) == 0)
			vals = vp.values;
		q->queryid = srv_query_id(r->ctrl, q->sql, q->nparams, vals);
	}
	if (conn_params_init(&q->cp, r->ctx, q->sql, q->nparams, o->protocol) < 0)
		return -1;
	/* text results, as pgbench gets, unless the page checks decode columns */
	q->cp.init_types = q->have_val && validate_decodes(&q->val);
	q->cp.binary = q->cp.init_types && o->protocol != RUN_PROTO_SIMPLE;
	return 0;
}

static void run_free(struct run *r)
{
	for (int k = 0; k < r->nrecs; k++)
		recorder_free(&r->recs[k]);
	free(r->recs);
	for (int i = 0; r->qs && i < r->nq; i++) {
		struct run_query *q = &r->qs[i];
		for (int k = 0; k < q->npieces; k++)
			free(q->pieces[k]);
		free(q->pieces);
		free(q->sql);
		conn_params_free(&q->cp);
	}
	free(r->qs);
	free(r->steps);
	hist_free(&r->merged);
	hist_free(&r->merged_wait);
	hist_free(&r->merged_service);
	hist_free(&r->merged_unc);
	hist_free(&r->merged_lag);
	hist_free(&r->merged_hiccup);
	hist_free(&r->scratch);
	PQfinish(r->ctrl);
	pthread_mutex_destroy(&r->decode_lock);
}

/* The largest number of connections a step of this sweep opens. */
static long run_max_pool(const struct run_opts *o)
{
	long maxpool = 0;
	for (size_t k = 0; k < o->npools; k++)
		if (o->pools[k] > maxpool)
			maxpool = o->pools[k];
	if (o->preset_seed_article) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		maxpool = 2 * (n > 0 ? n : 1);
	}
	return maxpool;
}

/* Open file descriptors of this process (-v reports them around the sweep: none may leak). */
static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own descriptor */
}

static void raise_fd_limit(long need)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && (rlim_t)need > rl.rlim_cur) {
		rl.rlim_cur = (rlim_t)need < rl.rlim_max ? (rlim_t)need : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int run_exec(struct pgpb_ctx *ctx, const struct run_opts *o, char *outdir, size_t len)
{
	struct run run, *r = &run;
	memset(r, 0, sizeof *r);
	pthread_mutex_init(&r->decode_lock, NULL);
	int fds_before = count_fds();
	r->ctx = ctx;
	r->o = o;
	if (outdir && len)
		outdir[0] = '\0';
	if (o->npools == 0 || (o->noffsets == 0 && !o->offset_mix)) {
		log_error("nothing to run: no pool sizes or no offsets");
		return EXIT_USAGE;
	}
	if (o->model == RUN_MODEL_POOL) {
		for (size_t k = 0; k < o->npools; k++)
			if (o->pools[k] > o->workers) {
				log_error("pool size %ld is larger than --workers %d: a pool never has more connections than workers",
				          o->pools[k], o->workers);
				return EXIT_USAGE;
			}
	}
	long threads = o->threads > 0 ? o->threads : sysconf(_SC_NPROCESSORS_ONLN);
	r->threads = threads > 0 ? (int)threads : 1;
	long maxpool = run_max_pool(o);
	raise_fd_limit(maxpool + 64);
	if (hist_init(&r->merged, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS) < 0 ||
	    hist_init(&r->scratch, HIST_LOWEST, HIST_HIGHEST, REC_SECOND_DIGITS) < 0 ||
	    hist_init(&r->merged_hiccup, HIST_LOWEST, HIST_HIGHEST, REC_SECOND_DIGITS) < 0) {
		log_error("out of memory");
		run_free(r);
		return EXIT_RUNTIME;
	}

	int rc = EXIT_RUNTIME;
	r->ctrl = ctx_connect(ctx, "pgpagebench run");
	if (!r->ctrl)
		goto out;
	struct schema_dataset ds;
	if (schema_require_complete(r->ctrl, &ds) < 0)
		goto out;
	if (srv_info_get(r->ctrl, &r->srv, 1, ctx->verbose) < 0)
		goto out;
	r->nq = o->nqueries ? (int)o->nqueries : 1;
	r->qs = calloc((size_t)r->nq, sizeof *r->qs);
	if (!r->qs) {
		log_error("out of memory");
		goto out;
	}
	for (int k = 0; k < r->nq; k++)
		if (prepare_query(r, &r->qs[k], o->nqueries ? o->queries[k] : NULL) < 0)
			goto out;
	r->q = &r->qs[0];
	r->qualifying = count_qualifying(r);
	if (r->qualifying < 0)
		goto out;

	/* the steps: pool size outer, offsets (then the mix) inner, rates innermost, in the order given */
	size_t per_pool = (o->noffsets + (o->offset_mix ? 1 : 0)) * (o->nrates ? o->nrates : 1);
	int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	long preset_pool = 2L * (ncpu > 0 ? ncpu : 1);
	r->steps = calloc((size_t)r->nq * o->npools * per_pool * 2, sizeof *r->steps);
	if (!r->steps)
		goto out;
	size_t npools = o->preset_seed_article ? 1 : o->npools;
	for (int qi = 0; qi < r->nq; qi++)
	for (size_t p = 0; p < npools; p++) {
		for (size_t k = 0; k < o->noffsets + (o->offset_mix ? 1 : 0); k++) {
			int mix = k == o->noffsets;
			for (size_t q = 0; q < (o->nrates ? o->nrates : 1); q++) {
				struct step_def d = { qi, o->model, o->pools[p], mix ? 0 : o->offsets[k], mix, o->workers,
				                      o->loops > 0 ? o->loops : 1, o->nrates ? o->rates[q] : 0, 0 };
				if (o->preset_seed_article) {
					/* gunicorn threads over a pool, then aiohttp's one loop, side by side */
					d.model = RUN_MODEL_POOL;
					d.connections = preset_pool;
					d.workers = (int)preset_pool;
					r->steps[r->nsteps++] = d;
					d.model = RUN_MODEL_ASYNC;
					d.loops = 1;
				}
				r->steps[r->nsteps++] = d;
			}
		}
	}
	int maxthreads = 1;
	for (int k = 0; k < r->nsteps; k++) {
		int nt = step_threads(r, &r->steps[k]);
		if (nt > maxthreads)
			maxthreads = nt;
		if (r->steps[k].model == RUN_MODEL_POOL)
			r->rec_flags |= REC_WAIT;
		if (r->steps[k].rate > 0)
			r->rec_flags |= REC_OPEN;
	}
	if (((r->rec_flags & REC_WAIT) && (hist_init(&r->merged_wait, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS) < 0 ||
	                                    hist_init(&r->merged_service, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS) < 0)) ||
	    ((r->rec_flags & REC_OPEN) && (hist_init(&r->merged_unc, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS) < 0 ||
	                                    hist_init(&r->merged_lag, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS) < 0))) {
		log_error("out of memory");
		goto out;
	}
	r->nrecs = maxthreads;
	r->recs = aligned_alloc(_Alignof(struct recorder), (size_t)r->nrecs * sizeof *r->recs);
	if (r->recs)
		memset(r->recs, 0, (size_t)r->nrecs * sizeof *r->recs);
	if (!r->recs)
		goto out;
	for (int k = 0; k < r->nrecs; k++)
		if (recorder_init(&r->recs[k], NULL, r->rec_flags) < 0) {
			r->nrecs = k + 1;
			log_error("out of memory");
			goto out;
		}

	char dir[4096];
	if (make_outdir(o, dir, sizeof dir) < 0)
		goto out;
	if (outdir && len)
		snprintf(outdir, len, "%s", dir);
	if (results_open(&r->res, dir, build_meta(r, dir, &ds)) < 0) {
		results_close(&r->res, "interrupted");
		goto out;
	}
	r->tty = isatty(STDERR_FILENO);
	r->progress = o->quiet || ctx->quiet ? 0 : o->progress < 0 ? r->tty : o->progress;
	if (!o->quiet && !ctx->quiet) {
		char how[64];
		if (o->preset_seed_article)
			snprintf(how, sizeof how, "seed-article preset");
		else if (o->model == RUN_MODEL_POOL)
			snprintf(how, sizeof how, "%d worker%s over a shared pool", o->workers, plural_s(o->workers));
		else if (o->model == RUN_MODEL_ASYNC)
			snprintf(how, sizeof how, "%d event loop%s", o->loops > 1 ? o->loops : 1, o->loops > 1 ? "s" : "");
		else
			snprintf(how, sizeof how, "%d thread%s", r->threads, plural_s(r->threads));
		log_info("%d step%s of %g s (+%g s warm-up), %s protocol, %s; results in %s", r->nsteps, plural_s(r->nsteps), o->duration_s,
		         o->warmup_s, protocol_names[o->protocol], how, dir);
	}
	mark_empty_pages(r);

	if (o->explain && explain_all(r, dir) < 0) {
		results_close(&r->res, "interrupted");
		goto out;
	}

	struct step_result *done = calloc((size_t)r->nsteps, sizeof *done);
	struct hist *kept = calloc(2 * (size_t)r->nsteps, sizeof *kept);
	int ndone = 0, failed = 0;
	uint64_t verrors = 0;
	for (int i = 0; done && kept && i < r->nsteps && !sig_caught(); i++) {
		int written;
		if (run_step(r, i, &done[ndone], &written) < 0) {
			failed = 1;
			break;
		}
		if (written) {
			/* keep copies of the histograms for the summary table */
			if (hist_init(&kept[2 * ndone], HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS) == 0)
				hist_merge(&kept[2 * ndone], &r->merged);
			done[ndone].lat = &kept[2 * ndone];
			done[ndone].uncorrected = done[ndone].lag = done[ndone].service = NULL;
			if (done[ndone].wait && hist_init(&kept[2 * ndone + 1], HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS) == 0)
				hist_merge(&kept[2 * ndone + 1], &r->merged_wait);
			done[ndone].wait = done[ndone].wait ? &kept[2 * ndone + 1] : NULL;
			verrors += done[ndone].verrors;
			ndone++;
		}
	}
	int interrupted = sig_caught() != 0;
	if (results_close(&r->res, interrupted || failed ? "interrupted" : "complete") < 0)
		failed = 1;
	if (r->progress && r->tty)
		fprintf(stderr, "\r\033[K");
	if (o->summary && ndone) {
		int open = 0;
		for (int k = 0; k < ndone; k++)
			open |= done[k].rate > 0;
		summary_header(open);
		for (int k = 0; k < ndone; k++)
			summary_row(&done[k], open);
		summary_notes(done, ndone);
		fflush(stdout); /* the table before the warnings that point at it */
		thin_hint(done, ndone);
	}
	for (int k = 0; kept && k < 2 * ndone; k++)
		hist_free(&kept[k]);
	free(kept);
	int last_partial = ndone && done[ndone - 1].partial;
	free(done);
	if (interrupted) {
		printf("interrupted: %d step%s written to %s%s\n", ndone, ndone == 1 ? "" : "s", dir,
		       last_partial ? " (the last one partial)" : "");
		rc = sig_exit_status();
	} else if (failed) {
		printf("stopped after %d step%s; results so far in %s\n", ndone, ndone == 1 ? "" : "s", dir);
		rc = EXIT_RUNTIME;
	} else if (verrors) {
		printf("results: %s\n", dir);
		log_error("%llu pages failed validation: the figures measure wrong answers",
		          (unsigned long long)verrors);
		log_hint("The first failures are printed above; --no-validate runs without the checks.");
		rc = EXIT_RUNTIME;
	} else {
		printf("results: %s\n", dir);
		rc = EXIT_OK;
		if (o->plot)
			run_plot_hook(dir, o);
	}
	fflush(stdout);
out:
	if (rc == EXIT_RUNTIME && sig_caught())
		rc = sig_exit_status();
	run_free(r);
	if (ctx->verbose)
		log_info("open file descriptors: %d before the sweep, %d after", fds_before, count_fds());
	return rc;
}

/* ---- the command --------------------------------------------------------------------------- */

static void help(void)
{
	printf("pgpagebench run replays the query under load, sweeping pool sizes and page depths.\n\n"
	       "Usage:\n  pgpagebench run [OPTION]...\n\n"
	       "Sweep:\n"
	       "  --pools=LIST             connections per step (default 1,2,4,8); ranges: 1..64*2, 1..100+10\n"
	       "  --offsets=LIST           OFFSET per step (default 0,100,1000,10000); ranges: 0..10000:5\n"
	       "  --offset-mix=page1=P[,zipf=S]\n"
	       "                           add a step per pool size drawing OFFSETs: P%% page one, the rest\n"
	       "                           Zipf(S, default 1) over the pages that exist (alone: only mix steps)\n"
	       "  --duration=TIME          measured time per step (default 10s)\n"
	       "  --warmup=TIME            warm-up per step, not measured (default 2s)\n"
	       "  --threads=N              driver threads (default: CPU count)\n"
	       "  --protocol=P             simple, extended or prepared (default prepared)\n"
	       "  --query=seed|FILE        the seed query, or a file with one statement ($1 = OFFSET)\n"
	       "  --queries=LIST           sweep query variants too: seed, nocount, pagefirst, keyset, cappedcount\n"
	       "                           (docs/dbcost.md; keyset replays the page at each depth by its key)\n"
	       "  --explain                EXPLAIN (ANALYZE, BUFFERS) once per query and offset, into explain/\n"
	       "\nLoad models:\n"
	       "  --model=threads          one connection per client on --threads event loops (default; pgbench's)\n"
	       "  --model=threads --workers=W\n"
	       "                           W worker threads share a pool of --pools connections (each <= W)\n"
	       "  --pool-order=ORDER       who gets a returned connection: fifo, the longest-waiting worker\n"
	       "                           (default, as real pools), or lifo, whoever asks first\n"
	       "  --model=async --loops=L  L event-loop threads (default 1) drive all the connections\n"
	       "  --rate=Q, --rates=LIST   open loop: Q queries a second on a schedule (latency from the intended\n"
	       "                           start; a step per rate)\n"
	       "  --arrival=KIND           open-loop schedule: constant (default) or poisson\n"
	       "  --preset=seed-article    threads over a pool (W = P = 2 x CPUs) beside async (1 loop, same pool)\n"
	       "\nOutput:\n"
	       "  --out=DIR                results directory (default results/<timestamp>)\n"
	       "  --no-validate            do not check the pages returned\n"
	       "  --no-plot                do not draw the charts at the end\n"
	       "  --progress               progress output even when not on a terminal (one line a second)\n"
	       "  --no-progress            no progress output\n"
	       "See docs/run.md and docs/results.md.\n"
	       CTX_HELP);
}

int run_main(int argc, char **argv)
{
	enum { OPT_POOLS = CTX_OPT_FIRST_FREE, OPT_OFFSETS, OPT_DURATION, OPT_WARMUP, OPT_THREADS, OPT_PROTOCOL,
	       OPT_QUERY, OPT_OUT, OPT_NO_VALIDATE, OPT_NO_PLOT, OPT_PROGRESS, OPT_NO_PROGRESS, OPT_MIX, OPT_MODEL,
	       OPT_WORKERS, OPT_LOOPS, OPT_RATE, OPT_RATES, OPT_ARRIVAL, OPT_PRESET, OPT_QUERIES, OPT_EXPLAIN,
	       OPT_POOL_ORDER };
	static const struct option longopts[] = {
		CTX_LONGOPTS,
		{ "pools", required_argument, NULL, OPT_POOLS },
		{ "offsets", required_argument, NULL, OPT_OFFSETS },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "warmup", required_argument, NULL, OPT_WARMUP },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "protocol", required_argument, NULL, OPT_PROTOCOL },
		{ "query", required_argument, NULL, OPT_QUERY },
		{ "out", required_argument, NULL, OPT_OUT },
		{ "no-validate", no_argument, NULL, OPT_NO_VALIDATE },
		{ "no-plot", no_argument, NULL, OPT_NO_PLOT },
		{ "progress", no_argument, NULL, OPT_PROGRESS },
		{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
		{ "offset-mix", required_argument, NULL, OPT_MIX },
		{ "model", required_argument, NULL, OPT_MODEL },
		{ "workers", required_argument, NULL, OPT_WORKERS },
		{ "loops", required_argument, NULL, OPT_LOOPS },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "rates", required_argument, NULL, OPT_RATES },
		{ "arrival", required_argument, NULL, OPT_ARRIVAL },
		{ "preset", required_argument, NULL, OPT_PRESET },
		{ "queries", required_argument, NULL, OPT_QUERIES },
		{ "explain", no_argument, NULL, OPT_EXPLAIN },
		{ "pool-order", required_argument, NULL, OPT_POOL_ORDER },
		{ NULL, 0, NULL, 0 },
	};
	struct pgpb_ctx ctx;
	ctx_init(&ctx, "run", argc, argv);
	struct run_opts o = run_opts_default();
	long *pools = NULL, *offsets = NULL, *rates = NULL;
	char **queries = NULL;
	size_t nqueries = 0;
	size_t npools = 0, noffsets = 0, nrates = 0;
	int model_async = 0, loops_given = 0, pool_order_given = 0;
	int offsets_given = 0, c, rc = EXIT_USAGE;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, CTX_SHORTOPTS, longopts, NULL)) != -1) {
		long v;
		switch (c) {
		case CTX_OPT_HELP:
			help();
			rc = EXIT_OK;
			goto out;
		case '?':
		case ':':
			rc = cli_getopt_fail("run", c, argv, optind, optopt);
			goto out;
		case OPT_POOLS:
			free(pools);
			pools = NULL;
			if (cli_parse_list("--pools", optarg, 1, 10000, &pools, &npools) < 0)
				goto out;
			break;
		case OPT_OFFSETS:
			free(offsets);
			offsets = NULL;
			if (cli_parse_list("--offsets", optarg, 0, 1000000000, &offsets, &noffsets) < 0)
				goto out;
			offsets_given = 1;
			break;
		case OPT_DURATION:
			if (cli_parse_duration("--duration", optarg, &o.duration_s) < 0)
				goto out;
			if (o.duration_s < 0.01) {
				log_error("invalid value \"%s\" for option --duration: must be at least 10ms", optarg);
				goto out;
			}
			break;
		case OPT_WARMUP:
			if (cli_parse_duration("--warmup", optarg, &o.warmup_s) < 0)
				goto out;
			break;
		case OPT_THREADS:
			if (cli_parse_long("--threads", optarg, 1, 1024, &v) < 0)
				goto out;
			o.threads = (int)v;
			break;
		case OPT_PROTOCOL:
			if (strcmp(optarg, "simple") == 0)
				o.protocol = RUN_PROTO_SIMPLE;
			else if (strcmp(optarg, "extended") == 0)
				o.protocol = RUN_PROTO_EXTENDED;
			else if (strcmp(optarg, "prepared") == 0)
				o.protocol = RUN_PROTO_PREPARED;
			else {
				log_error("invalid value \"%s\" for option --protocol: expected simple, extended or prepared", optarg);
				goto out;
			}
			break;
		case OPT_QUERY:
			o.query_file = strcmp(optarg, "seed") == 0 ? NULL : optarg;
			break;
		case OPT_OUT:
			if (!*optarg) {
				log_error("invalid value \"\" for option --out: a directory is required");
				goto out;
			}
			o.out_dir = optarg;
			break;
		case OPT_NO_VALIDATE: o.validate = 0; break;
		case OPT_NO_PLOT: o.plot = 0; break;
		case OPT_PROGRESS: o.progress = 1; break;
		case OPT_NO_PROGRESS: o.progress = 0; break;
		case OPT_MIX:
			if (offsets_parse_mix(optarg, &o.mix_page1, &o.mix_zipf_s) < 0)
				goto out;
			o.offset_mix = 1;
			break;
		case OPT_MODEL:
			if (strcmp(optarg, "threads") == 0)
				model_async = 0;
			else if (strcmp(optarg, "async") == 0)
				model_async = 1;
			else {
				log_error("invalid value \"%s\" for option --model: expected threads or async", optarg);
				goto out;
			}
			break;
		case OPT_WORKERS:
			if (cli_parse_long("--workers", optarg, 1, 4096, &v) < 0)
				goto out;
			o.workers = (int)v;
			break;
		case OPT_POOL_ORDER:
			if (strcmp(optarg, "fifo") == 0)
				o.pool_lifo = 0;
			else if (strcmp(optarg, "lifo") == 0)
				o.pool_lifo = 1;
			else {
				log_error("invalid value \"%s\" for option --pool-order: expected fifo or lifo", optarg);
				goto out;
			}
			pool_order_given = 1;
			break;
		case OPT_LOOPS:
			if (cli_parse_long("--loops", optarg, 1, 256, &v) < 0)
				goto out;
			o.loops = (int)v;
			loops_given = 1;
			break;
		case OPT_RATE:
		case OPT_RATES:
			free(rates);
			rates = NULL;
			if (cli_parse_list(c == OPT_RATE ? "--rate" : "--rates", optarg, 1, 10000000, &rates, &nrates) < 0)
				goto out;
			if (c == OPT_RATE && nrates != 1) {
				log_error("invalid value \"%s\" for option --rate: one rate (use --rates for a list)", optarg);
				goto out;
			}
			break;
		case OPT_ARRIVAL:
			if (strcmp(optarg, "constant") == 0)
				o.poisson = 0;
			else if (strcmp(optarg, "poisson") == 0)
				o.poisson = 1;
			else {
				log_error("invalid value \"%s\" for option --arrival: expected constant or poisson", optarg);
				goto out;
			}
			break;
		case OPT_QUERIES:
			cli_free_words(queries, nqueries);
			queries = NULL;
			if (cli_parse_words("--queries", optarg, variant_names, &queries, &nqueries) < 0)
				goto out;
			o.queries = (const char *const *)queries;
			o.nqueries = nqueries;
			break;
		case OPT_EXPLAIN:
			o.explain = 1;
			break;
		case OPT_PRESET:
			if (strcmp(optarg, "seed-article") != 0) {
				log_error("invalid value \"%s\" for option --preset: expected seed-article", optarg);
				goto out;
			}
			o.preset_seed_article = 1;
			break;
		default:
			if (ctx_option(&ctx, c, optarg) < 0)
				goto out;
		}
	}
	if (model_async) {
		o.model = RUN_MODEL_ASYNC;
		if (o.workers) {
			rc = cli_usage_error("run", "--workers applies to --model threads, not async");
			goto out;
		}
	} else if (o.workers) {
		o.model = RUN_MODEL_POOL;
	}
	if (loops_given && !model_async) {
		rc = cli_usage_error("run", "--loops applies to --model async");
		goto out;
	}
	if (pool_order_given && o.model != RUN_MODEL_POOL && !o.preset_seed_article) {
		rc = cli_usage_error("run", "--pool-order applies to a shared pool (--workers or --preset seed-article)");
		goto out;
	}
	if (rates) {
		o.rates = rates;
		o.nrates = nrates;
	}
	if (optind < argc) {
		rc = cli_usage_error("run", "too many command-line arguments (first is \"%s\")", argv[optind]);
		goto out;
	}
	if (o.nqueries && o.query_file) {
		rc = cli_usage_error("run", "--query FILE and --queries cannot be combined");
		goto out;
	}
	if (pools) {
		o.pools = pools;
		o.npools = npools;
	}
	if (offsets) {
		o.offsets = offsets;
		o.noffsets = noffsets;
	} else if (o.offset_mix && !offsets_given) {
		o.noffsets = 0; /* --offset-mix alone: only the mix steps */
	}
	o.quiet = ctx.quiet;
	/* the temporary cluster must accept the largest pool (plus the control connection) */
	char maxconn[64];
	if (ctx.ephemeral) {
		long maxpool = run_max_pool(&o);
		int user_set = 0;
		for (size_t k = 0; k < ctx.nsettings; k++)
			user_set |= strncmp(ctx.settings[k], "max_connections=", 16) == 0;
		if (!user_set && maxpool + 10 > 100) {
			if (ctx.nsettings == sizeof ctx.settings / sizeof ctx.settings[0]) {
				log_error("too many --pg-setting options (at most 63 with run)");
				goto out;
			}
			snprintf(maxconn, sizeof maxconn, "max_connections=%ld", maxpool + 10);
			ctx.settings[ctx.nsettings++] = maxconn;
		}
	}
	rc = ctx_open(&ctx);
	if (rc)
		goto out;
	char dir[4096];
	rc = run_exec(&ctx, &o, dir, sizeof dir);
	ctx_close(&ctx);
	if (sig_caught())
		rc = sig_exit_status();
out:
	free(pools);
	free(offsets);
	free(rates);
	cli_free_words(queries, nqueries);
	return rc;
}
