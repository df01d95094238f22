/*
 * bench.h: the load driver behind `pgpagebench run` and its API for the commands (cmd/run.c, cmd/demo.c).
 * A run is a sweep of steps (bench/plan.h); each step opens its connections, warms up, measures, and
 * appends its results to the run's directory (docs/results.md). Drawing the charts is the caller's.
 */
#ifndef PGPB_BENCH_H
#define PGPB_BENCH_H

#include "common/ctx.h"

#include <stddef.h>

struct script_set;
struct step_def; /* bench/plan.h */

enum run_protocol { RUN_PROTO_SIMPLE, RUN_PROTO_EXTENDED, RUN_PROTO_PREPARED };
/* How queries are issued: THREADS = one connection per client on event-loop threads (pgbench's model);
 * POOL = W worker threads borrowing from a shared pool of P connections (gunicorn + a DB pool);
 * ASYNC = L event-loop threads driving all the connections (aiohttp + asyncpg). */
enum run_model { RUN_MODEL_THREADS, RUN_MODEL_POOL, RUN_MODEL_ASYNC };

struct run_opts {
	const long *pools; /* connections per step (the pool sizes) */
	size_t npools;
	const long *offsets; /* OFFSET per step; may be empty when offset_mix is set */
	size_t noffsets;
	double duration_s, warmup_s; /* measured time and warm-up per step */
	int threads; /* driver threads (each drives its share of the connections); 0 = CPU count */
	enum run_protocol protocol;
	enum run_model model; /* THREADS; POOL when workers > 0 with --model threads; ASYNC */
	int workers; /* POOL: worker threads (every pool size must be <= workers) */
	int pool_lifo; /* POOL: --pool-order lifo (a returned connection is up for grabs); 0 = fifo hand-off */
	int loops; /* ASYNC: event-loop threads (default 1) */
	const long *rates; /* open loop: target queries a second, one step each; NULL = closed loop */
	size_t nrates;
	int poisson; /* open loop arrivals: 0 constant interval, 1 Poisson */
	int preset_seed_article; /* the seed article's two stacks side by side (POOL W=P=2xCPUs, ASYNC 1 loop) */
	const char *query_file; /* NULL = the seed query (schema/query) */
	int allow_writes; /* --allow-writes: run any statement but COPY; else queries only, in read-only sessions */
	const char *const *queries; /* --queries: variant names (bench/variants.h), a sweep dimension outermost */
	size_t nqueries;
	int explain; /* --explain: EXPLAIN (ANALYZE, BUFFERS) once per query and offset, into explain/ */
	const char *out_dir; /* NULL = results/<YYYYmmdd-HHMMSS> */
	int force; /* --force: replace the results of an earlier run in out_dir (the tool's own files only) */
	int validate; /* check every page (docs/run.md): 0 never, 1 the built-in queries' (default), or
	               * RUN_VALIDATE_ALL (--validate: a --query FILE's too, against the tool's dataset) */
	int plot; /* the caller draws the charts after a successful run (run_exec itself never draws) */
	int progress; /* -1 = when stderr is a terminal, 0 = never, 1 = always (lines when not a terminal) */
	int quiet; /* only errors and the final summary */
	int summary; /* print the table of steps at the end */
	/* --offset-mix: one extra step per pool size whose OFFSETs are drawn: page one with probability
	 * mix_page1 (0..1), otherwise a page from 2..N with Zipf(mix_zipf_s) probabilities */
	int offset_mix;
	double mix_page1, mix_zipf_s;
	int page_size; /* rows a page (the query's LIMIT), for the mix and for validation; 10 */
	double reconnect_timeout_s; /* how long a lost control connection is tried again before the run ends; 30 */
	/* --start-at: a fixed schedule shared by hosts that never talk to each other. The sweep starts at this
	 * wall-clock instant (seconds since the epoch; 0 = no schedule, each step follows the last) and step k's
	 * warm-up starts at start_at + k x (warmup_s + duration_s + gap_s); gap_s (--gap, default
	 * RUN_DEFAULT_GAP_S) covers writing a step and opening the next one's connections. */
	double start_at, gap_s;
	const char *host_tag; /* --host-tag: names this driver host in meta.json (NULL = the host name) */
	/* --wait-sample: the run's own backends read in pg_stat_activity every wait_sample_ms during each
	 * measured window (bench/waits.h); 0 = off */
	double wait_sample_ms;
	/* --wait-filter: sample the backends of this database, user and/or application_name instead (each
	 * NULL when it does not filter; all NULL: the run's own) */
	const char *wait_db, *wait_user, *wait_app;
	int protocol_given; /* --protocol was given: behind a transaction pooler prepared is refused, not replaced */
	const char *pooler_admin; /* --pooler-admin: a pooler's admin console (conninfo) for its mode and figures */
	/* --connect-per-request (-C, as pgbench): each request opens its own connection (set up as the kept ones:
	 * read-only, search_path, PREPARE) and closes it after its answer; the connect time is measured apart */
	int connect_per_request;
	/* --script FILE[@W]: the scripts a request runs one of (bench/script.h), loaded by the caller; NULL =
	 * the query. They run on any database: the dataset's check is the built-in queries' only. */
	const struct script_set *scripts;
	/* Called before each step, once the control connection is known good: another load run in turn with
	 * the steps (http-compare's HTTP step, so both sides share the machine's conditions). Returns 0, or -1
	 * to end the run there (logged; the steps written so far are kept). NULL = none. */
	int (*before_step)(void *arg, const struct step_def *sd, int i);
	void *before_step_arg;
	/* http-compare --app-user / --app-db: the web app's own database user and database, whose backends a
	 * sampler of pg_stat_activity can tell from the run's (by application_name); NULL = not given */
	const char *app_user, *app_db;
};
#define RUN_DEFAULT_GAP_S 2.0
/* A scheduled step that began later than this share of its duration after its slot says so. */
#define RUN_SLIP_SHARE 0.01

#define RUN_VALIDATE_ALL 2

/* Whether the run checks the tool's dataset (the marker, the qualifying count, empty pages) and the
 * pages: for the built-in queries (the seed, --queries), and for a --query FILE only with --validate. */
int run_checks_dataset(const struct run_opts *o);

/* Defaults: pools 1,2,4,8, offsets 0,100,1000,10000, 10 s + 2 s warm-up, prepared, seed query,
 * validation and plots on, progress when on a terminal. */
struct run_opts run_opts_default(void);

/* What run_exec leaves for its caller. */
struct run_outcome {
	char dir[4096]; /* the results directory, once run_exec got as far as naming it; else "" */
	int started; /* the run got past its option checks: run_report_fds has something to say */
	int fds_before; /* open file descriptors before the sweep (-1 when /proc cannot tell) */
	int lock_fd; /* the results directory's lock, held for the charts; -1 when none (run_release) */
};
/*
 * Runs the sweep on an opened ctx (ctx_open done: with --ephemeral the cluster is up). Writes the results
 * directory, prints the summary table and its last line ("results: DIR" on success), and fills out.
 * Returns an exit status: 0, 1 (runtime failure), 2 (bad options), 128+signo when interrupted (the
 * finished steps are kept). The caller then draws the charts (when o->plot and 0), calls run_release (the
 * results directory stays locked against other runs until then) and run_report_fds.
 */
int run_exec(struct pgpb_ctx *ctx, const struct run_opts *o, struct run_outcome *out);
/* Unlocks the results directory. */
void run_release(const struct run_outcome *out);
/* -v: logs the open file descriptors before the sweep and now, so a leak shows, and the process's peak
 * resident memory (docs/run.md). */
void run_report_fds(const struct pgpb_ctx *ctx, const struct run_outcome *out);
/* The largest number of connections a step of o opens (the temporary cluster's max_connections). */
long run_max_pool(const struct run_opts *o);

#endif
