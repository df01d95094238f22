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
#include "bench/query.h"
#include "resdir/write.h"
#include "bench/srvstats.h"
#include "bench/step.h"
#include "bench/summary.h"
#include "common/alloc.h"
#include "common/cli.h"
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
	return o;
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
	const struct run_query *q = &r->qs[0]; /* the first (or only) query names the run */
	sha256_hex(q->sql, strlen(q->sql), sha);
	const char *slash = strrchr(outdir, '/');
	json_t *settings = json_pack("{s:s,s:s,s:s,s:s}", "shared_buffers", r->srv.shared_buffers, "work_mem",
	                             r->srv.work_mem, "jit", r->srv.jit, "max_connections", r->srv.max_connections);
	json_t *opts = json_pack("{s:o,s:o,s:f,s:f,s:i,s:s,s:s,s:b}", "pools", list_json(o->pools, o->npools),
	                         "offsets", list_json(o->offsets, o->noffsets), "duration_s", o->duration_s,
	                         "warmup_s", o->warmup_s, "threads", r->threads, "protocol", protocol_names[o->protocol],
	                         "model", o->preset_seed_article ? "seed-article" : plan_model_name(o->model), "validate",
	                         o->validate);
	json_object_set_new(opts, "workers", o->model == RUN_MODEL_POOL ? json_integer(o->workers) : json_null());
	json_object_set_new(opts, "pool_order", o->model == RUN_MODEL_POOL || o->preset_seed_article
	                                            ? json_string(o->pool_lifo ? "lifo" : "fifo") : json_null());
	json_object_set_new(opts, "loops", o->model == RUN_MODEL_ASYNC ? json_integer(o->loops > 0 ? o->loops : 1) : json_null());
	json_object_set_new(opts, "rates", o->nrates ? list_json(o->rates, o->nrates) : json_null());
	json_object_set_new(opts, "allow_writes", json_boolean(o->allow_writes));
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
	                 "tags", (json_int_t)ds->tags, "checksum", ds->checksum, "query", "name", q->name,
	                 "sha256", sha, "text", q->sql, "options", opts);
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
	for (int k = 0; k < r->nrecs; k++)
		recorder_free(&r->recs[k]);
	free(r->recs);
	for (int i = 0; r->qs && i < r->nq; i++)
		query_free(&r->qs[i]);
	free(r->qs);
	plan_free(&r->plan);
	hist_free(&r->scratch);
	PQfinish(r->ctrl);
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

static void raise_fd_limit(long need)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && (rlim_t)need > rl.rlim_cur) {
		rl.rlim_cur = (rlim_t)need < rl.rlim_max ? (rlim_t)need : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
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

/* Reads, checks and prepares every query of the sweep, and counts the rows they page through. 0 or -1. */
static int prepare_queries(struct run *r)
{
	const struct run_opts *o = r->o;
	r->nq = o->nqueries ? (int)o->nqueries : 1;
	r->qs = pgpb_calloc((size_t)r->nq, sizeof *r->qs);
	for (int k = 0; k < r->nq; k++)
		if (query_prepare(&r->qs[k], r->ctrl, r->ctx, o, o->nqueries ? o->queries[k] : NULL, &r->decode_lock) < 0)
			return -1;
	r->qualifying = query_count_qualifying(r->ctrl);
	if (r->qualifying < 0)
		return -1;
	for (int k = 0; k < r->nq; k++) /* what cnt must equal */
		r->qs[k].val.expected_count = r->qualifying;
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
	/* 64-byte aligned (struct recorder): two threads never share a cache line */
	r->recs = pgpb_aligned_calloc(_Alignof(struct recorder), (size_t)maxthreads, sizeof *r->recs);
	r->nrecs = maxthreads;
	for (int k = 0; k < r->nrecs; k++)
		if (recorder_init(&r->recs[k], NULL, flags) < 0) {
			r->nrecs = k + 1;
			log_error("could not set up the latency histograms"); /* bad bounds: memory cannot fail here */
			return -1;
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
	if (schema_require_complete(r->ctrl, &ds) < 0 || srv_info_get(r->ctrl, &r->srv, 1, r->ctx->verbose) < 0 ||
	    prepare_queries(r) < 0)
		return -1;
	plan_steps(o, ncpu(), &r->plan);
	if (make_recorders(r) < 0 || make_outdir(r, dir, len) < 0)
		return -1;
	if (results_open(&r->res, dir, build_meta(r, dir, &ds)) < 0) {
		results_close(&r->res, "interrupted");
		return -1;
	}
	r->progress.tty = isatty(STDERR_FILENO);
	r->progress.on = r->quiet ? 0 : o->progress < 0 ? r->progress.tty : o->progress;
	r->progress.nsteps = r->plan.nsteps;
	r->progress.step_span = o->warmup_s + o->duration_s;
	if (!r->quiet)
		print_banner(r, dir);
	query_mark_empty_pages(r->ctrl, r->qs, &r->plan, r->qualifying, o->query_file, o->page_size);
	if (o->explain && explain_all(r, dir) < 0) {
		results_quiet(&r->res); /* reported: a full disk is not reported a second time */
		results_close(&r->res, "interrupted");
		return -1;
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
	free(rows);
}

/* Runs the plan's steps in order until one fails or a signal comes, closes the results, prints the
 * summary and the run's last line, and returns the exit status. */
static int run_sweep(struct run *r, const char *dir)
{
	const struct run_opts *o = r->o;
	struct step_shared sh = { .o = o, .quiet = r->quiet, .ctrl = r->ctrl, .srv = &r->srv, .recs = r->recs,
	                          .scratch = &r->scratch, .res = &r->res, .progress = &r->progress,
	                          .threads = r->threads, .qualifying = r->qualifying, .fault = &r->fault };
	struct step *done = pgpb_calloc((size_t)r->plan.nsteps, sizeof *done);
	int ndone = 0, failed = 0;
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
			verrors += st->sr.verrors;
			ok += st->sr.ok;
			ndone++;
		}
	}
	int interrupted = sig_caught() != 0;
	if (results_close(&r->res, interrupted || failed ? "interrupted" : "complete") < 0)
		failed = 1;
	progress_clear(&r->progress);
	if (o->summary && ndone)
		print_summary(done, ndone);
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
	r->o = o;
	r->quiet = o->quiet || ctx->quiet;
	long threads = o->threads > 0 ? o->threads : ncpu();
	r->threads = threads > 0 ? (int)threads : 1;
	raise_fd_limit(run_max_pool(o) + FD_SPARE);
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
	if (ctx->verbose && out->started)
		log_info("open file descriptors: %d before the sweep, %d after", out->fds_before, count_fds());
}
