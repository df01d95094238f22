/*
 * engine_impl.h: what the engines (engine_loop.c, engine_pool.c) share inside bench/: the thread record,
 * query sending and result classification, and the open-loop schedule. Not an interface for other modules.
 */
#ifndef PGPB_ENGINE_IMPL_H
#define PGPB_ENGINE_IMPL_H

#include "bench/engine.h"

#include <math.h>
#include <pthread.h>

/* Open-loop arrivals: intended start times, constant or Poisson, taken in order. */
struct sched {
	double interval_ns;
	int poisson;
	int64_t next;
	uint64_t rng;
};

static inline void sched_init(struct sched *s, double rate, int poisson, int64_t start, uint64_t seed)
{
	s->interval_ns = 1e9 / rate;
	s->poisson = poisson;
	s->next = start;
	s->rng = seed;
}

static inline int64_t sched_take(struct sched *s)
{
	int64_t t = s->next;
	double gap = s->interval_ns;
	if (s->poisson) {
		double u = ((double)(offsets_rand(&s->rng) >> 11) + 0.5) / 9007199254740992.0;
		gap = -log(u) * s->interval_ns;
	}
	s->next += (int64_t)gap;
	return t;
}

/* At the end of a step: takes the arrivals still due before fin and returns how many of them fell in the
 * measured time [from, fin): queries the driver owed and never sent. */
static inline uint64_t sched_drop_rest(struct sched *s, int64_t from, int64_t fin)
{
	uint64_t n = 0;
	while (s->next < fin) {
		n += sched_take(s) >= from;
	}
	return n;
}

struct pool; /* engine_pool.c */

/* Each thread's record sits on cache lines of its own (allocated with 64-byte alignment): the threads
 * write their records on every query, and sharing a line between two threads costs throughput. */
struct eng_thread {
	_Alignas(64) struct engine_env *env;
	struct bconn *conns; /* loop: its own share; pool: unused */
	int n;
	struct recorder *rec;
	pthread_t th;
	int index, started;
	int epfd; /* loop: epoll set */
	int nbackoff;
	uint64_t rng;
	char *sqlbuf; /* simple protocol: the statement with the offset in place of $1 */
	struct sched sched; /* loop, open loop: this thread's share of the rate */
	int64_t tick_due; /* loop: when the hiccup meter's next tick is due */
	struct pool *pool; /* pool engine */
	atomic_int *finished;
};

struct engine {
	struct eng_thread *t;
	int n;
	atomic_int finished;
	struct pool *pool;
};

void *engine_loop_main(void *arg);
void *engine_pool_main(void *arg);
struct pool *engine_pool_new(struct bconn *conns, int n, const struct engine_env *env);
void engine_pool_free(struct pool *p);
void engine_pool_wake(struct pool *p);

/* Sends the next query on c (offset drawn, text built for the simple protocol); 1 sent, 0 failed. */
int engine_send(struct eng_thread *t, struct bconn *c);
/* Classifies a query's first result into c->outcome (1 ok, 2 error, 3 validation error). */
void engine_classify(struct engine_env *env, struct bconn *c, PGresult *r);
/* Prints one of the first few messages of a step. */
void engine_message(struct engine_env *env, const char *what, const char *text);
/* Whether a completion at `now` falls in the measured window. */
int engine_in_window(const struct engine_env *env, int64_t now);

/* Hiccup meter: the thread meant to wake at `due` and woke at `now`; records the lateness when it
 * overlaps the measured window (a thread that never woke inside the window is the latest of all). */
static inline void engine_hiccup(struct eng_thread *t, int64_t due, int64_t now)
{
	const struct engine_env *env = t->env;
	int64_t stop = atomic_load_explicit((_Atomic int64_t *)&env->t_stop, memory_order_relaxed);
	int64_t end = stop && stop < env->t_end ? stop : env->t_end;
	if (now >= env->t_measure && due < end)
		hist_record(&t->rec->hiccup, now > due ? (now - due + 500) / 1000 : 0);
}

/* Counts a successful query (outcome 1 or 3) against the window's edges, for matching the server's
 * counts: started before the window or finished before its start snapshot returned; or finished after
 * the window (`in` = 0, at or after its start). */
static inline void engine_edge(struct eng_thread *t, int in, int64_t started, int64_t now)
{
	const struct engine_env *env = t->env;
	if (in) {
		if (started < env->t_measure ||
		    now < atomic_load_explicit((_Atomic int64_t *)&env->t_snapped, memory_order_relaxed))
			t->rec->edge_start++;
	} else if (now >= env->t_measure) {
		t->rec->edge_end++;
	}
}

#endif
