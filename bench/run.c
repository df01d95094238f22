/*
 * run.c: `pgpagebench run`'s sweep (bench/bench.h). It checks the dataset and the queries once
 * (bench/query.h), works out the steps (bench/plan.h), creates the results directory, then runs the steps
 * in order (bench/step.h), each written before the next starts, and ends with the summary table
 * (bench/summary.h) and the line naming the directory. The command line is cmd/run.c's.
 */
#include "bench/bench.h"
#include "bench/engine_thread.h"
#include "bench/explain.h"
#include "bench/plan.h"
#include "bench/poolstats.h"
#include "bench/query.h"
#include "bench/script.h"
#include "resdir/write.h"
#include "bench/srvstats.h"
#include "bench/step.h"
#include "bench/summary.h"
#include "bench/waits.h"
#include "common/alloc.h"
#include "common/cli.h"
#include "common/fdlimit.h"
#include "common/pooler.h"
#include "common/log.h"
#include "common/sha256.h"
#include "common/sig.h"
#include "schema/schema.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define POOL_DRAIN_MS 5000 /* between steps: how long the pooler may take to drop the last step's clients */
#define FD_SPARE 64 /* descriptors beyond the connections: files, the control connection, eventfds */

static const long default_pools[] = { 1, 2, 4, 8 };
static const long default_offsets[] = { 0, 100, 1000, 10000 };
static const char *const protocol_names[] = { "simple", "extended", "prepared" };

struct run_opts run_opts_default(void)
{
	struct run_opts o;
	memset(&o, 0, sizeof o);
	o.pools = default_pools;
	o.npools = sizeof default_pools / sizeof default_pools[0];
	o.offsets = default_offsets;
	o.noffsets = sizeof default_offsets / sizeof default_offsets[0];
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
	o.reconnect_timeout_s = 30;
	o.gap_s = RUN_DEFAULT_GAP_S;
	o.wait_sample_ms = WAITS_DEFAULT_INTERVAL_MS;
	return o;
}

int run_checks_dataset(const struct run_opts *o)
{
	return !o->scripts && (o->nqueries || !o->query_file || o->validate == RUN_VALIDATE_ALL);
}

static long ncpu(void)
{
	return sysconf(_SC_NPROCESSORS_ONLN);
}

long run_max_pool(const struct run_opts *o)
{
	return plan_max_pool(o, ncpu());
}

/* What the whole run shares; every member is owned here and freed by run_free. */
struct run {
	struct pgpb_ctx *ctx;
	const struct run_opts *o;
	int quiet; /* --quiet: only errors and the final summary */
	PGconn *ctrl; /* the control connection */
	PGconn *lock; /* holds the schema's lock, shared, until the run ends (schema/schema.h) */
	struct run_query *qs; /* nq of them: each of --queries, else the one query */
	int nq;
	pthread_mutex_t decode_lock; /* the page checks' libpqtypes calls (bench/validate.h) */
	struct srv_info srv;
	long long qualifying; /* rows the queries page through, counted once before the sweep */
	struct plan plan;
	int threads; /* driver threads of the threads model */
	struct recorder *recs; /* one a driver thread of the busiest step */
	int nrecs;
	struct hist scratch; /* merges one second of the recorders */
	struct results res;
	int lock_fd; /* the results directory's lock (resdir/write.h), held until the charts are drawn */
	struct progress progress;
	struct engine_fault fault; /* the engines' first failure and missing prepared statements */
	struct waits_sampler *waits; /* --wait-sample: where the server time goes; NULL when off */
	struct run_opts opts; /* the caller's options, with the protocol a transaction pooler needs */
	struct pool_admin pool; /* the pooler's admin console (--pooler, --pooler-admin); pool.conn NULL without */
	long long pool_clients0; /* the clients it held before the first step (the run's own, and others') */
	int refused; /* the options cannot work against this target (exit 2) */
};

/* Names and creates the results directory (the default one is new: mkdir picks it atomically) and
 * claims it for the run (resdir/write.h: locked, and refused when it holds a run unless --force). 0 or -1. */
static int make_outdir(struct run *r, char *out, size_t len)
{
	const struct run_opts *o = r->o;
	if (o->out_dir) {
		snprintf(out, len, "%s", o->out_dir);
		struct stat st;
		if (mkdir(out, 0777) < 0 && errno != EEXIST) {
			log_error("could not create directory \"%s\": %s", out, strerror(errno));
			return -1;
		}
		if (stat(out, &st) != 0) {
			log_error("could not use \"%s\" as the results directory: %s", out, strerror(errno));
			return -1;
		}
		if (!S_ISDIR(st.st_mode)) {
			log_error("could not use \"%s\" as the results directory: it is not a directory", out);
			log_hint("--out names a directory, created when missing.");
			return -1;
		}
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
		for (int i = 2; mkdir(out, 0777) < 0; i++) {
			if (errno != EEXIST || i == 100) {
				log_error("could not create directory \"%s\": %s", out, strerror(errno));
				return -1;
			}
			snprintf(out, len, "results/%s-%d", stamp, i);
		}
	}
	r->lock_fd = results_claim(out, o->force);
	return r->lock_fd < 0 ? -1 : 0;
}

static json_t *list_json(const long *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

/* meta.json's "schedule": the start and the slot of every step, or null without --start-at. */
static json_t *schedule_json(const struct run_opts *o)
{
	if (!(o->start_at > 0))
		return json_null();
	char at[40];
	cli_format_instant(o->start_at, at, sizeof at);
	return json_pack("{s:s,s:f,s:f,s:f,s:f}", "start_at", at, "warmup_s", o->warmup_s, "duration_s", o->duration_s,
	                 "gap_s", o->gap_s, "slot_s", o->warmup_s + o->duration_s + o->gap_s);
}

/* meta.json's "database": the database measured, as given (no password is ever part of it). */
static json_t *database_json(const struct run *r)
{
	const char *host = PQhost(r->ctrl), *port = PQport(r->ctrl), *db = PQdb(r->ctrl), *user = PQuser(r->ctrl);
	return json_pack("{s:s,s:s,s:s,s:s,s:s}", "name", db ? db : "", "host", host && *host ? host : "localhost",
	                 "port", port ? port : "", "user", user ? user : "", "server_version", r->srv.version);
}

/* meta.json's "measured": the name and sha256 of every text the run measured, so two runs can be told
 * apart by what they ran (kind "query": the seed, a variant or a --query FILE). */
static json_t *measured_json(const struct run *r)
{
	json_t *list = json_array();
	char sha[65];
	if (r->o->scripts) { /* kind "script": each file's text, as meta.json's "scripts" */
		for (int k = 0; k < r->o->scripts->n; k++) {
			const struct script *s = r->o->scripts->s[k];
			json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:b}", "kind", "script", "name", s->name, "sha256",
			                                       s->sha256, "builtin", 0));
		}
		return list;
	}
	for (int k = 0; k < r->nq; k++) {
		const struct run_query *q = &r->qs[k];
		sha256_hex(q->sql, strlen(q->sql), sha);
		json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:b}", "kind", "query", "name", q->name, "sha256", sha,
		                                       "builtin", q->variant || !r->o->query_file));
	}
	return list;
}

static json_t *build_meta(struct run *r, const char *outdir, const struct schema_dataset *ds, int checked)

{
	const struct run_opts *o = r->o;
	char cmd[8192], started[32], conn[1024], host[256] = "", sha[65];
	char masked[8000];
	conn_mask_argv(r->ctx->argc, r->ctx->argv, masked, sizeof masked);
	snprintf(cmd, sizeof cmd, "%s %s", PGPB_PROGNAME, masked);
	results_now_iso(started, sizeof started);
	conn_describe(r->ctrl, conn, sizeof conn);
	gethostname(host, sizeof host - 1);
	const struct run_query *q = &r->qs[0]; /* the first (or only) query names the run */
	sha256_hex(q->sql, strlen(q->sql), sha);
	const char *slash = strrchr(outdir, '/');
	json_t *settings = json_pack("{s:s,s:s,s:s,s:s}", "shared_buffers", r->srv.shared_buffers, "work_mem",
	                             r->srv.work_mem, "jit", r->srv.jit, "max_connections", r->srv.max_connections);
	json_t *opts = json_pack("{s:o,s:o,s:f,s:f,s:i,s:s,s:s,s:b}", "pools", list_json(o->pools, o->npools),
	                         "offsets", list_json(o->offsets, o->noffsets), "duration_s", o->duration_s,
	                         "warmup_s", o->warmup_s, "threads", r->threads, "protocol", protocol_names[o->protocol],
	                         "model", o->preset_seed_article ? "seed-article" : plan_model_name(o->model), "validate",
	                         o->validate && run_checks_dataset(o));
	json_object_set_new(opts, "workers", o->model == RUN_MODEL_POOL ? json_integer(o->workers) : json_null());
	json_object_set_new(opts, "pool_order", o->model == RUN_MODEL_POOL || o->preset_seed_article
	                                            ? json_string(o->pool_lifo ? "lifo" : "fifo") : json_null());
	json_object_set_new(opts, "loops", o->model == RUN_MODEL_ASYNC ? json_integer(o->loops > 0 ? o->loops : 1) : json_null());
	json_object_set_new(opts, "rates", o->nrates ? list_json(o->rates, o->nrates) : json_null());
	json_object_set_new(opts, "allow_writes", json_boolean(o->allow_writes));
	json_object_set_new(opts, "connect_per_request", json_boolean(o->connect_per_request));
	json_object_set_new(opts, "arrival", o->nrates ? json_string(o->poisson ? "poisson" : "constant") : json_null());
	if (o->preset_seed_article)
		json_object_set_new(opts, "preset", json_string("seed-article"));
	if (o->offset_mix)
		json_object_set_new(opts, "offset_mix",
		                    json_pack("{s:f,s:f,s:i}", "page1", o->mix_page1, "zipf", o->mix_zipf_s, "page_size",
		                              o->page_size));
	else
		json_object_set_new(opts, "offset_mix", json_null());
	json_t *pooler = json_null();
	if (r->pool.version[0])
		pooler = json_pack("{s:s,s:s,s:s,s:I,s:I,s:s}", "kind", "pgbouncer", "version", r->pool.version, "mode",
		                   r->pool.mode, "pool_size", (json_int_t)r->pool.pool_size, "max_client_conn",
		                   (json_int_t)r->pool.max_client_conn, "started_by",
		                   r->ctx->pooler ? "pgpagebench" : "external");
	json_t *meta = json_pack("{s:{s:s,s:s},s:s,s:s,s:n,s:s,s:s,s:{s:i,s:s},s:s,s:{s:s,s:i,s:o,s:b},"
	                 "s:{s:s,s:f,s:I,s:I,s:I,s:I,s:s},s:{s:s,s:s,s:s},s:o}",
	                 "tool", "name", PGPB_PROGNAME, "version", PGPB_VERSION, "run_id", slash ? slash + 1 : outdir,
	                 "started_at", started, "finished_at", "status", "running", "command_line", cmd, "host", "cpus",
	                 (int)sysconf(_SC_NPROCESSORS_ONLN), "hostname", host, "connection", conn, "server", "version",
	                 r->srv.version, "version_num", r->srv.version_num, "settings", settings, "pg_stat_statements",
	                 r->srv.pgss, "dataset", "fingerprint", ds->fingerprint, "scale", ds->scale, "seed",
	                 (json_int_t)ds->seed, "users", (json_int_t)ds->users, "records", (json_int_t)ds->records,
	                 "tags", (json_int_t)ds->tags, "checksum", ds->checksum, "query", "name", q->name,
	                 "sha256", sha, "text", q->sql, "options", opts);
	if (meta) {
		json_object_set_new(meta, "database", database_json(r));
		json_object_set_new(meta, "dataset_checked", json_boolean(checked));
		json_object_set_new(meta, "measured", measured_json(r));
		if (!checked && !ds->state[0]) /* a user's query on a database without the tool's dataset */
			json_object_set_new(meta, "dataset", json_null());
	}
	if (meta && o->scripts) { /* --script: each file, its weight and the hash of its text */
		json_t *list = json_array();
		for (int k = 0; k < o->scripts->n; k++) {
			const struct script *s = o->scripts->s[k];
			json_array_append_new(list, json_pack("{s:s,s:s,s:i,s:s,s:i}", "file", s->file, "name", s->name, "weight",
			                                       s->weight, "sha256", s->sha256, "statements", s->nstmts));
		}
		json_object_set_new(meta, "scripts", list);
	}
	if (meta && r->nq > 1) { /* --queries: every variant's text and hash */
		json_t *list = json_array();
		for (int k = 0; k < r->nq; k++) {
			sha256_hex(r->qs[k].sql, strlen(r->qs[k].sql), sha);
			json_array_append_new(list, json_pack("{s:s,s:s,s:s}", "name", r->qs[k].name, "sha256", sha, "text",
			                                       r->qs[k].sql));
		}
		json_object_set_new(meta, "queries", list);
	}
	if (meta) { /* which driver host this is, and the schedule hosts share (resdir/merge.h lines them up) */
		json_object_set_new(meta, "host_tag", json_string(o->host_tag ? o->host_tag : host));
		json_object_set_new(meta, "schedule", schedule_json(o));
	}
	if (meta)
		json_object_set_new(meta, "pooler", pooler);
	else
		json_decref(pooler);
	return meta;
}

/* --explain: EXPLAIN (ANALYZE, BUFFERS) of every query at every offset, before the steps, into explain/. */
static int explain_all(struct run *r, const char *dir)
{
	const struct run_opts *o = r->o;
	for (int k = 0; k < r->nq && !sig_caught(); k++) {
		struct run_query *q = &r->qs[k];
		if (q->scripts) { /* several statements a request, with variables between them: no one plan */
			log_info("--explain: %s runs a script of %d statements: no plan is taken (statements.csv times each)",
			         q->name, q->scripts->nstmts);
			continue;
		}
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
			if (!r->quiet)
				printf("explain %s offset %ld: %s\n", q->name, o->offsets[i], line);
		}
	}
	fflush(stdout);
	return 0;
}

/* ---- setting up and tearing down ------------------------------------------------------------ */

static void run_free(struct run *r)
{
	waits_stop(r->waits);
	for (int k = 0; k < r->nrecs; k++)
		recorder_free(&r->recs[k]);
	free(r->recs);
	for (int i = 0; r->qs && i < r->nq; i++)
		query_free(&r->qs[i]);
	free(r->qs);
	plan_free(&r->plan);
	hist_free(&r->scratch);
	PQfinish(r->ctrl);
	pool_admin_close(&r->pool);
	schema_lock_close(r->lock);
	pthread_mutex_destroy(&r->decode_lock);
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

/* A descriptor a connection and FD_SPARE: the soft limit raised to it (said so), or -1 when the hard limit
 * is too low (logged with both numbers). */
static int raise_fd_limit(const struct run_opts *o, int quiet)
{
	long maxpool = run_max_pool(o);
	char who[64];
	snprintf(who, sizeof who, "%ld connection%s", maxpool, plural_s(maxpool));
	return fdlimit_raise(maxpool + FD_SPARE, who, quiet);
}

/*
 * Without a word about a pooler, --protocol prepared (given or the default) is checked against what the
 * target does: a transaction pooler, proven by behaviour (bench/poolstats.h: pool_probe), refuses it as
 * check_pooler does. Anything short of proof lets the run go on: the errors are then caught per query. 0
 * or -1 (logged, r->refused).
 */
static int probe_pooler(struct run *r)
{
	if (r->opts.protocol != RUN_PROTO_PREPARED)
		return 0;
	struct ctx_conninfo ci;
	char what[256];
	ctx_conninfo_load(r->ctx, "pgpagebench run probe", &ci);
	int found = pool_probe(r->ctrl, &ci, what, sizeof what);
	if (found >= 0 && r->ctx->verbose)
		log_info("%s", what);
	if (found <= 0)
		return 0;
	if (r->opts.protocol_given) {
		log_error("--protocol prepared cannot run behind a transaction pooler");
		log_detail("%s.", what);
		log_hint("A transaction pooler (PgBouncer in transaction mode) runs each transaction on any server "
		         "connection, where the statement a connection prepared is missing: use --protocol extended or "
		         "simple.");
		r->refused = 1;
		return -1;
	}
	r->opts.protocol = RUN_PROTO_EXTENDED;
	if (!r->quiet)
		log_info("--protocol extended: prepared statements do not survive a transaction pooler (%s)", what);
	return 0;
}

/*
 * The pooler in front, when the run knows it (--pooler: its own; --pooler-admin: one the user runs): its
 * admin console opened for the per-step figures, and the protocol checked against its pool mode, before
 * anything is prepared. In transaction (or statement) mode a named prepared statement lives on one server
 * connection and the next transaction may run on another: --protocol prepared is refused (exit 2), and the
 * default protocol becomes extended. 0, or -1 (logged; r->refused for the protocol).
 */
static int check_pooler(struct run *r)
{
	char conninfo[4200];
	const char *db, *user;
	if (r->ctx->pooler) {
		pooler_admin_conninfo(r->ctx->pooler, conninfo, sizeof conninfo);
		db = "postgres";
		user = pooler_user(r->ctx->pooler);
	} else if (r->o->pooler_admin) {
		snprintf(conninfo, sizeof conninfo, "%s", r->o->pooler_admin);
		db = PQdb(r->ctrl);
		user = PQuser(r->ctrl);
	} else {
		return probe_pooler(r);
	}
	if (pool_admin_open(&r->pool, conninfo, db, user) < 0)
		return -1;
	r->pool_clients0 = pool_clients(&r->pool);
	if (r->ctx->pooler) /* the pool appears with its first client: the mode is the one configured */
		snprintf(r->pool.mode, sizeof r->pool.mode, "%s", pooler_mode_name(pooler_mode(r->ctx->pooler)));
	int pooled = strcmp(r->pool.mode, "transaction") == 0 || strcmp(r->pool.mode, "statement") == 0;
	if (r->ctx->verbose)
		log_info("%s in %s mode in front of the server (pool of %ld server connections, max_client_conn %ld)",
		         r->pool.version, r->pool.mode[0] ? r->pool.mode : "an unknown", r->pool.pool_size,
		         r->pool.max_client_conn);
	if (!pooled || r->opts.protocol != RUN_PROTO_PREPARED)
		return 0;
	if (r->opts.protocol_given) {
		log_error("--protocol prepared cannot run behind %s in %s mode", r->pool.version, r->pool.mode);
		log_hint("A transaction pooler runs each transaction on any server connection, where the statement a "
		         "connection prepared is missing: use --protocol extended or simple.");
		r->refused = 1;
		return -1;
	}
	r->opts.protocol = RUN_PROTO_EXTENDED;
	if (!r->quiet)
		log_info("--protocol extended: prepared statements do not survive %s in %s mode", r->pool.version, r->pool.mode);
	return 0;
}

/* The options run_exec refuses before touching anything (its callers may build them by hand). 0 or -1. */
static int check_opts(const struct run_opts *o)
{
	if (o->npools == 0 || (o->noffsets == 0 && !o->offset_mix)) {
		log_error("nothing to run: no pool sizes or no offsets");
		return -1;
	}
	if (o->model == RUN_MODEL_POOL) {
		for (size_t k = 0; k < o->npools; k++)
			if (o->pools[k] > o->workers) {
				log_error("pool size %ld is larger than --workers %d: a pool never has more connections than workers",
				          o->pools[k], o->workers);
				return -1;
			}
	}
	return 0;
}

/* Reads, checks and prepares every query of the sweep, and counts the rows they page through (only when
 * the dataset is checked: see dataset_check). 0 or -1. */
static int prepare_queries(struct run *r, int checked)
{
	const struct run_opts *o = r->o;
	r->nq = o->nqueries ? (int)o->nqueries : 1;
	r->qs = pgpb_calloc((size_t)r->nq, sizeof *r->qs);
	if (o->scripts) { /* any database: no rows counted, no pages checked */
		r->qualifying = -1;
		return query_prepare_scripts(&r->qs[0], r->ctrl, r->ctx, o, o->scripts);
	}
	for (int k = 0; k < r->nq; k++) {
		const struct variant *v = o->nqueries ? variant_find(o->queries[k]) : NULL;
		if (v && v->script ? query_prepare_variant_script(&r->qs[k], r->ctrl, r->ctx, o, v) < 0
		                   : query_prepare(&r->qs[k], r->ctrl, r->ctx, o, o->nqueries ? o->queries[k] : NULL,
		                                   &r->decode_lock) < 0)
			return -1;
	}
	r->qualifying = checked ? query_count_qualifying(r->ctrl) : -1;
	if (checked && r->qualifying < 0)
		return -1;
	for (int k = 0; k < r->nq; k++) /* what cnt must equal */
		r->qs[k].val.expected_count = r->qualifying;
	return 0;
}

/*
 * The dataset check (the marker table, its fingerprint, the qualifying count, the empty-page warnings and
 * the page checks) belongs to the built-in queries, which page through the tool's tables. A --query FILE
 * is the user's own query on any database: the check is skipped (said in one line) unless --validate asks
 * for its pages to be checked against the tool's dataset. Returns 1 when the check applies, 0 when skipped
 * (ds then holds the tool's dataset only if it happens to be there, for the record), -1 (logged).
 */
static int dataset_check(struct run *r, struct schema_dataset *ds)
{
	const struct run_opts *o = r->o;
	if (run_checks_dataset(o))
		return schema_require_complete(r->ctrl, ds) < 0 ? -1 : 1;
	if (schema_dataset_get(r->ctrl, ds) < 0)
		return -1;
	if (strcmp(ds->state, "complete") != 0)
		memset(ds, 0, sizeof *ds);
	if (r->quiet)
		return 0;
	if (o->scripts) {
		log_info("--script runs your own statements: the dataset check and page validation are skipped "
		         "(they apply to the seed query and its variants)");
		return 0;
	}
	const char *base = strrchr(o->query_file, '/');
	log_info("query \"%s\" is not a built-in query: the dataset check and page validation are skipped "
	         "(they apply to the seed query and its variants)", base ? base + 1 : o->query_file);
	return 0;
}

/* One recorder a thread of the busiest step, keeping the distributions the plan's models need. 0 or -1. */
static int make_recorders(struct run *r)
{
	int maxthreads = 1, flags = 0;
	for (int k = 0; k < r->plan.nsteps; k++) {
		const struct step_def *sd = &r->plan.steps[k];
		int nt = plan_step_threads(sd, r->threads);
		if (nt > maxthreads)
			maxthreads = nt;
		if (sd->model == RUN_MODEL_POOL)
			flags |= REC_WAIT;
		if (sd->rate > 0)
			flags |= REC_OPEN;
	}
	if (r->o->connect_per_request)
		flags |= REC_CONNECT;
	/* 64-byte aligned (struct recorder): two threads never share a cache line */
	r->recs = pgpb_aligned_calloc(_Alignof(struct recorder), (size_t)maxthreads, sizeof *r->recs);
	r->nrecs = maxthreads;
	for (int k = 0; k < r->nrecs; k++) {
		if (recorder_init(&r->recs[k], NULL, flags) < 0) {
			r->nrecs = k + 1;
			log_error("could not set up the latency histograms"); /* bad bounds: memory cannot fail here */
			return -1;
		}
		int nstmts = 0; /* the statements of the scripts a step may run */
		for (int q = 0; q < r->nq; q++)
			if (r->qs[q].scripts && r->qs[q].scripts->nstmts > nstmts)
				nstmts = r->qs[q].scripts->nstmts;
		if (nstmts)
			recorder_stmts(&r->recs[k], nstmts);
	}
	return 0;
}

/* "4 steps of 10 s (+2 s warm-up), prepared protocol, 2 threads; results in DIR" */
static void print_banner(const struct run *r, const char *dir)
{
	const struct run_opts *o = r->o;
	char how[64];
	if (o->preset_seed_article)
		snprintf(how, sizeof how, "seed-article preset");
	else if (o->model == RUN_MODEL_POOL)
		snprintf(how, sizeof how, "%d worker%s over a shared pool", o->workers, plural_s(o->workers));
	else if (o->model == RUN_MODEL_ASYNC)
		snprintf(how, sizeof how, "%d event loop%s", o->loops > 1 ? o->loops : 1, o->loops > 1 ? "s" : "");
	else
		snprintf(how, sizeof how, "%d thread%s", r->threads, plural_s(r->threads));
	log_info("%d step%s of %g s (+%g s warm-up), %s protocol, %s; results in %s", r->plan.nsteps,
	         plural_s(r->plan.nsteps), o->duration_s, o->warmup_s, protocol_names[o->protocol], how, dir);
	if (o->start_at > 0) {
		char at[40];
		cli_format_instant(o->start_at, at, sizeof at);
		log_info("schedule: the first step starts at %s, a step every %g s (warm-up, duration and a %g s gap)", at,
		         o->warmup_s + o->duration_s + o->gap_s, o->gap_s);
	}
}

/*
 * Everything before the first step: the control connection, the dataset, the server, the queries, the
 * plan, the recorders, the results directory (named in dir) and --explain. 0, or -1 (logged; the results
 * directory, when opened, is closed as interrupted).
 */
static int run_prepare(struct run *r, char *dir, size_t len)
{
	const struct run_opts *o = r->o;
	r->ctrl = ctx_connect(r->ctx, "pgpagebench run");
	if (!r->ctrl)
		return -1;
	/* no load or drop of the schema while the run reads it */
	r->lock = schema_lock_connect(r->ctx, "pgpagebench run lock", SCHEMA_LOCK_SHARED);
	if (!r->lock)
		return -1;
	struct schema_dataset ds;
	int checked = check_pooler(r) < 0 ? -1 : dataset_check(r, &ds);
	if (checked < 0 || srv_info_get(r->ctrl, &r->srv, 1, r->ctx->verbose) < 0 || prepare_queries(r, checked) < 0)
		return -1;
	if (!checked && o->offset_mix) { /* the mix draws its pages over the tool's qualifying rows */
		if (!ds.state[0]) {
			log_error("--offset-mix with --query FILE needs the pgpagebench dataset: the mix draws its pages over "
			          "the seed query's qualifying rows");
			log_hint("Use --offsets for your own query on this database.");
			return -1;
		}
		r->qualifying = query_count_qualifying(r->ctrl);
		if (r->qualifying < 0)
			return -1;
	}
	plan_steps(o, ncpu(), &r->plan);
	if (make_recorders(r) < 0 || make_outdir(r, dir, len) < 0)
		return -1;
	int scripts = 0; /* a query of the sweep runs scripts: its statements get statements.csv */
	for (int k = 0; k < r->nq; k++)
		scripts |= r->qs[k].scripts != NULL;
	if (results_open(&r->res, dir, build_meta(r, dir, &ds, checked)) < 0 ||
	    (scripts && results_statements(&r->res) < 0)) {
		results_close(&r->res, "interrupted");
		return -1;
	}
	r->progress.tty = isatty(STDERR_FILENO);
	r->progress.on = r->quiet ? 0 : o->progress < 0 ? r->progress.tty : o->progress;
	r->progress.nsteps = r->plan.nsteps;
	r->progress.step_span = o->warmup_s + o->duration_s;
	if (!r->quiet)
		print_banner(r, dir);
	query_mark_empty_pages(r->ctrl, r->qs, &r->plan, checked ? r->qualifying : -1, o->query_file, o->page_size);
	if (o->explain && explain_all(r, dir) < 0) {
		results_quiet(&r->res); /* reported: a full disk is not reported a second time */
		results_close(&r->res, "interrupted");
		return -1;
	}
	if (o->wait_sample_ms > 0) { /* the run's own backends, by their application_name, unless told others */
		char app[64];
		conn_worker_appname(app, sizeof app);
		struct wait_filter f = { .appname = app, .new_backends = 1 };
		if (o->wait_db || o->wait_user || o->wait_app)
			f = (struct wait_filter){ .appname = o->wait_app, .datname = o->wait_db, .usename = o->wait_user };
		r->waits = waits_start(r->ctx, &f, o->wait_sample_ms);
	}
	return 0;
}

/* ---- the sweep ------------------------------------------------------------------------------ */

/* The summary table of the steps written. */
static void print_summary(const struct step *done, int ndone)
{
	const struct step_result **rows = pgpb_calloc((size_t)ndone, sizeof *rows);
	for (int k = 0; k < ndone; k++)
		rows[k] = &done[k].sr;
	summary_print(rows, ndone);
	summary_print_statements(rows, ndone);
	free(rows);
}

/* The terminal's lines of where the server time goes, under the summary table. */
static void print_waits(const struct step *done, int ndone)
{
	const char **ids = pgpb_calloc((size_t)ndone, sizeof *ids);
	const struct wait_profile **ps = pgpb_calloc((size_t)ndone, sizeof *ps);
	for (int k = 0; k < ndone; k++) {
		ids[k] = done[k].sr.id;
		ps[k] = done[k].sr.waits;
	}
	waits_print(ids, ps, ndone);
	free(ids);
	free(ps);
}

/* Behind a pooler the run reads: each step's wait for a server connection beside its latency (part of
 * it), with the pooler's queue; the same figures as steps.csv's pooler_* and mean_us columns. */
static void print_pooler(const struct run *r, const struct step *done, int ndone)
{
	int any = 0;
	for (int k = 0; k < ndone; k++)
		any |= done[k].sr.pool.have;
	if (!any)
		return;
	printf("pooler: %s, %s mode, pool of %ld server connections; its clients' wait for one is part of the latency\n",
	       r->pool.version, r->pool.mode[0] ? r->pool.mode : "unknown", r->pool.pool_size);
	for (int k = 0; k < ndone; k++) {
		const struct step_result *sr = &done[k].sr;
		const struct pool_diff *p = &sr->pool;
		if (!p->have)
			continue;
		printf("  %-28s", sr->id);
		if (p->xacts && sr->lat && sr->lat->total)
			printf(" wait %.3f ms a transaction of a %.3f ms mean latency,", p->wait_mean_us / 1000.0,
			       hist_mean(sr->lat) / 1000.0);
		if (p->samples)
			printf(" up to %lld clients waiting (longest %.3f ms), %lld clients, %lld server connections",
			       p->cl_waiting_max, (double)p->maxwait_max_us / 1000.0, p->clients_max, p->servers_max);
		printf("\n");
	}
}

/* Runs the plan's steps in order until one fails or a signal comes, closes the results, prints the
 * summary and the run's last line, and returns the exit status. */
static int run_sweep(struct run *r, const char *dir)
{
	const struct run_opts *o = r->o;
	struct step_shared sh = { .o = o, .quiet = r->quiet, .ctrl = r->ctrl, .srv = &r->srv, .recs = r->recs,
	                          .scratch = &r->scratch, .res = &r->res, .progress = &r->progress,
	                          .threads = r->threads, .qualifying = r->qualifying, .fault = &r->fault,
	                          .waits = r->waits, .pool = r->pool.conn ? &r->pool : NULL };
	if (o->start_at > 0) { /* the wall-clock start on the monotonic clock the steps keep time with */
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		int64_t mono = mono_ns();
		double ahead = o->start_at - ((double)now.tv_sec + (double)now.tv_nsec / 1e9);
		sh.sched_start = mono + (int64_t)(ahead * 1e9);
		sh.sched_slot = (int64_t)((o->warmup_s + o->duration_s + o->gap_s) * 1e9);
	}
	struct step *done = pgpb_calloc((size_t)r->plan.nsteps, sizeof *done);
	int ndone = 0, failed = 0, slipped = 0;
	uint64_t verrors = 0, ok = 0;
	for (int i = 0; i < r->plan.nsteps && !sig_caught(); i++) {
		const struct step_def *sd = &r->plan.steps[i];
		struct step *st = &done[ndone];
		int written;
		/* a server restarted or a session ended since the last step: the control connection comes back
		 * before the step opens, or the run ends here with what it has */
		if (srv_reconnect(r->ctx, r->ctrl, &r->srv, o->reconnect_timeout_s) < 0) {
			failed = !sig_caught();
			break;
		}
		if (r->pool.conn && i > 0) /* the last step's clients gone from the pooler, so they do not count
		                             * against its max_client_conn (a bounded wait) */
			pool_wait_clients(&r->pool, r->pool_clients0, POOL_DRAIN_MS);
		if (o->before_step && o->before_step(o->before_step_arg, sd, i) < 0) {
			failed = !sig_caught();
			break;
		}
		int rc = step_run(&sh, sd, i, &r->qs[sd->query], st, &written);
		if (!written)
			step_free(st);
		if (rc < 0) {
			failed = 1;
			break;
		}
		if (written) {
			slipped += st->sr.start_slipped;
			verrors += st->sr.verrors;
			ok += st->sr.ok;
			ndone++;
		}
	}
	int interrupted = sig_caught() != 0;
	json_t *sched = json_object_get(r->res.meta, "schedule");
	if (json_is_object(sched)) /* how many steps missed their slot (each says so in steps.csv) */
		json_object_set_new(sched, "slipped_steps", json_integer(slipped));
	if (results_close(&r->res, interrupted || failed ? "interrupted" : "complete") < 0)
		failed = 1;
	progress_clear(&r->progress);
	if (o->summary && ndone) {
		print_summary(done, ndone);
		print_waits(done, ndone);
		print_pooler(r, done, ndone);
	}
	int last_partial = ndone && done[ndone - 1].sr.partial;
	for (int k = 0; k < ndone; k++)
		step_free(&done[k]);
	free(done);
	int rc = EXIT_OK;
	if (interrupted) {
		printf("interrupted: %d step%s written to %s%s\n", ndone, ndone == 1 ? "" : "s", dir,
		       last_partial ? " (the last one partial)" : "");
		rc = sig_exit_status();
	} else if (failed) {
		printf("stopped after %d step%s; results so far in %s\n", ndone, ndone == 1 ? "" : "s", dir);
		rc = EXIT_RUNTIME;
	} else if (verrors) {
		printf("results: %s\n", dir);
		log_error("%llu pages failed validation: the figures measure wrong answers", (unsigned long long)verrors);
		log_hint("The first failures are printed above; --no-validate runs without the checks.");
		rc = EXIT_RUNTIME;
	} else if (!ok || atomic_load(&r->fault.missing_statement)) {
		printf("results: %s\n", dir);
		fflush(stdout);
		if (summary_verdict(&r->fault, ok) < 0) /* no query succeeded, or a pooler lost the statement */
			rc = EXIT_RUNTIME;
	} else {
		printf("results: %s\n", dir);
	}
	fflush(stdout);
	return rc;
}

int run_exec(struct pgpb_ctx *ctx, const struct run_opts *o, struct run_outcome *out)
{
	memset(out, 0, sizeof *out);
	out->fds_before = count_fds();
	out->lock_fd = -1;
	if (check_opts(o) < 0)
		return EXIT_USAGE;
	struct run run, *r = &run;
	memset(r, 0, sizeof *r);
	atomic_init(&r->fault.taken, 0);
	atomic_init(&r->fault.missing_statement, 0);
	r->lock_fd = -1;
	pthread_mutex_init(&r->decode_lock, NULL);
	r->ctx = ctx;
	r->opts = *o;
	r->o = &r->opts;
	o = r->o;
	r->quiet = o->quiet || ctx->quiet;
	long threads = o->threads > 0 ? o->threads : ncpu();
	r->threads = threads > 0 ? (int)threads : 1;
	if (raise_fd_limit(o, r->quiet) < 0) {
		run_free(r);
		return EXIT_RUNTIME;
	}
	if (hist_init(&r->scratch, HIST_LOWEST, HIST_HIGHEST, REC_SECOND_DIGITS) < 0) {
		log_error("could not set up the latency histograms");
		run_free(r);
		return EXIT_RUNTIME;
	}
	out->started = 1;
	int rc = EXIT_RUNTIME;
	if (run_prepare(r, out->dir, sizeof out->dir) == 0)
		rc = run_sweep(r, out->dir);
	if (rc == EXIT_RUNTIME && sig_caught())
		rc = sig_exit_status();
	else if (rc == EXIT_RUNTIME && r->refused)
		rc = EXIT_USAGE;
	out->lock_fd = r->lock_fd; /* the caller draws the charts into the directory, then run_release */
	run_free(r);
	return rc;
}

void run_release(const struct run_outcome *out)
{
	results_unlock(out->lock_fd);
}

void run_report_fds(const struct pgpb_ctx *ctx, const struct run_outcome *out)
{
	if (ctx->verbose && out->started) {
		log_info("open file descriptors: %d before the sweep, %d after", out->fds_before, count_fds());
		struct rusage ru; /* this process alone: not the temporary cluster's or the pooler's */
		if (getrusage(RUSAGE_SELF, &ru) == 0)
			log_info("peak resident memory of the driver: %.1f MB", (double)ru.ru_maxrss / 1024.0);
	}
}
