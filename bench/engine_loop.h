/*
 * engine_loop.h: the event-loop engine (pgbench's model, and the async model): one thread over its share
 * of the connections, non-blocking libpq on epoll, one query in flight per connection. engine.c starts it.
 */
#ifndef PGPB_ENGINE_LOOP_H
#define PGPB_ENGINE_LOOP_H

#include "bench/engine_thread.h"

/* One event-loop thread over t->conns (arg is its struct eng_thread). */
void *engine_loop_main(void *arg);

#endif
