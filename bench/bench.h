/*
 * bench.h: the load driver behind `pgpagebench run` (issue 4) and its API for other commands (demo).
 * A run is a sweep of steps, one per (pool size, offset); each step opens its connections, warms up,
 * measures, and appends its results to the run's directory (docs/results.md).
 */
#ifndef PGPB_BENCH_H
#define PGPB_BENCH_H

#include "common/ctx.h"

#include <stddef.h>

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
	const char *const *queries; /* --queries: variant names (bench/variants.h), a sweep dimension outermost */
	size_t nqueries;
	int explain; /* --explain: EXPLAIN (ANALYZE, BUFFERS) once per query and offset, into explain/ */
	const char *out_dir; /* NULL = results/<YYYYmmdd-HHMMSS> */
	int validate; /* check every page (docs/run.md) */
	int plot; /* draw the charts at the end (run_plot_hook) */
	int progress; /* -1 = when stderr is a terminal, 0 = never, 1 = always (lines when not a terminal) */
	int quiet; /* only errors and the final summary */
	int summary; /* print the table of steps at the end */
	/* --offset-mix: one extra step per pool size whose OFFSETs are drawn: page one with probability
	 * mix_page1 (0..1), otherwise a page from 2..N with Zipf(mix_zipf_s) probabilities */
	int offset_mix;
	double mix_page1, mix_zipf_s;
	int page_size; /* rows a page (the query's LIMIT), for the mix and for validation; 10 */
};

/* Defaults: pools 1,2,4,8, offsets 0,100,1000,10000, 10 s + 2 s warm-up, prepared, seed query,
 * validation and plots on, progress when on a terminal. */
struct run_opts run_opts_default(void);
/*
 * Runs the sweep on an opened ctx (ctx_open done: with --ephemeral the cluster is up). Writes the results
 * directory, prints the summary table, and puts the directory's path in outdir. Returns an exit status:
 * 0, 1 (runtime failure), 2 (bad options), 128+signo when interrupted (the finished steps are kept).
 */
int run_exec(struct pgpb_ctx *ctx, const struct run_opts *o, char *outdir, size_t len);
/* The plots module's entry point after a run: does nothing yet (the integrator wires plots in here). */
int run_plot_hook(const char *outdir, const struct run_opts *o);

int run_main(int argc, char **argv);
int http_compare_main(int argc, char **argv);

#endif
