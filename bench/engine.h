/*
 * engine.h: how a step's queries are issued. The orchestration (run.c) opens the connections, hands them
 * with one recorder a thread to an engine, polls the recorders for per-second rows while it runs, and
 * joins it. Engines differ only in how they issue queries; recorders and result files are shared.
 * Two engines sit behind these calls: event-loop threads, each driving its share of the connections with
 * non-blocking libpq, one query in flight per connection (pgbench's model, and the async model), and
 * worker threads borrowing connections from a shared pool (the pool model).
 */
#ifndef PGPB_ENGINE_H
#define PGPB_ENGINE_H

#include "bench/conn.h"
#include "bench/offsets.h"
#include "bench/recorder.h"
#include "bench/validate.h"

#include <stdatomic.h>
#include <stdint.h>

/* Shared by the engine's threads for one step; read-only during it except the atomics. */
struct engine_env {
	enum run_model model; /* THREADS and ASYNC: event loops; POOL: workers borrowing connections */
	int workers; /* POOL: worker threads sharing the connections */
	int pool_lifo; /* POOL: 0 hands a returned connection to the longest waiter, 1 lets anyone take it */
	double rate; /* open loop: queries a second for the whole step; 0 = closed loop */
	int poisson; /* open loop: Poisson arrivals instead of a constant interval */
	const struct conn_params *cp;
	const struct validator *val; /* NULL: --no-validate */
	const struct offset_gen *og;
	const char *const *fixed; /* when set: these nfixed parameter values for every query (keyset key) */
	int nfixed;
	const char *step_id;
	char **simple_pieces; /* simple protocol: the SQL split at each $1 (npieces = occurrences + 1) */
	int npieces;
	int64_t t_begin, t_measure, t_end; /* monotonic ns: warm-up starts, warm-up ends, measured time ends */
	_Atomic int64_t t_stop; /* set before `stop`: when measuring stopped early (0 = not) */
	/* when the server snapshot at the window's start returned (INT64_MAX until then): a query sent in the
	 * window and finished before it may be missing from the server's counts (recorder edge_start) */
	_Atomic int64_t t_snapped;
	int64_t test_stall_ns; /* tests only: an event loop sleeps this long each turn in the window */
	atomic_int stop;
	atomic_int messages; /* error and validation messages printed so far (the first few only) */
	int stop_fd; /* eventfd, readable once stop is set: wakes every loop at once */
	uint64_t seed;
};

struct engine;

/* Starts nthreads threads over conns[0..nconns): event loops each owning an even share of the
 * connections, or (POOL) nthreads = workers borrowing from all of them. NULL on failure (logged). */
struct engine *engine_start(struct engine_env *env, struct bconn *conns, int nconns, struct recorder *recs,
                            int nthreads);
/* 1 once every thread has ended. */
int engine_done(const struct engine *e);
/* Waits for the threads and frees the engine (the connections stay open: the caller closes them). */
void engine_join(struct engine *e);
/* Asks the threads to stop now (SIGINT): measurement ends at the current time. */
void engine_stop(struct engine_env *env);

/* The second (0-based) of the measured time holding monotonic time t. */
static inline long engine_second(const struct engine_env *env, int64_t t)
{
	return (long)((t - env->t_measure) / 1000000000LL);
}

#endif
