/*
 * engine.h: how a step's queries are issued. A step (bench/step.c) opens the connections, hands them
 * with one recorder a thread to an engine, polls the recorders for per-second rows while it runs, and
 * joins it. Engines differ only in how they issue queries; recorders and result files are shared.
 * Two engines sit behind these calls: event-loop threads, each driving its share of the connections with
 * non-blocking libpq, one query in flight per connection (pgbench's model, and the async model), and
 * worker threads borrowing connections from a shared pool (the pool model). engine.c starts either and
 * calls nothing that calls it back: engine_loop.c and engine_pool.c build on engine_thread.c alone.
 */
#ifndef PGPB_ENGINE_H
#define PGPB_ENGINE_H

#include "bench/engine_thread.h" /* struct engine_env: what run.c tells the threads, and they tell back */

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

#endif
