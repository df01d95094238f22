/*
 * engine_pool.h: the shared-pool engine (gunicorn workers over a database pool): worker threads borrow a
 * connection from one pool for each query, FIFO or LIFO. engine.c makes the pool and starts the workers.
 */
#ifndef PGPB_ENGINE_POOL_H
#define PGPB_ENGINE_POOL_H

#include "bench/engine_thread.h"

/* The pool over the ready ones of conns[0..n). */
struct pool *engine_pool_new(struct bconn *conns, int n, const struct engine_env *env);
/* One worker thread borrowing from t->pool (arg is its struct eng_thread). */
void *engine_pool_main(void *arg);
/* Wakes every worker waiting for a connection (they see the stop flag or the end of the step). */
void engine_pool_wake(struct pool *p);
void engine_pool_free(struct pool *p);

#endif
