/*
 * engine.c: the engines' entry points (engine.h): starting an engine's threads, the event loops of
 * engine_loop.c or the shared-pool workers of engine_pool.c, and stopping and joining them. It is the top
 * of the engine files: it calls both engines, and they call only the shared machinery of engine_thread.c.
 */
#include "bench/engine.h"
#include "bench/engine_loop.h"
#include "bench/engine_pool.h"
#include "common/alloc.h"
#include "common/log.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define SCRIPT_SALT 0x5C819700ULL /* mixed into the step's seed for the scripts' random functions */

struct engine {
	struct eng_thread *t;
	int n;
	struct script_conn *sc; /* run --script: one a connection */
	struct bconn *conns;
	int nconns;
	atomic_int finished;
	struct pool *pool;
};

struct engine *engine_start(struct engine_env *env, struct bconn *conns, int nconns, struct recorder *recs,
                            int nthreads)
{
	int pooled = env->model == RUN_MODEL_POOL;
	if (!pooled && nthreads > nconns)
		nthreads = nconns;
	struct engine *e = pgpb_calloc(1, sizeof *e);
	e->t = pgpb_aligned_calloc(_Alignof(struct eng_thread), (size_t)nthreads, sizeof *e->t);
	if (env->scripts) { /* each connection keeps its variables, as a pgbench client does */
		e->sc = pgpb_calloc((size_t)nconns, sizeof *e->sc);
		e->conns = conns;
		e->nconns = nconns;
		int maxp = script_max_params(env->scripts);
		for (int i = 0; i < nconns; i++) {
			script_state_init(&e->sc[i].st, env->scripts, i, env->page_size, env->scale,
			                  offsets_thread_seed(env->seed ^ SCRIPT_SALT, i));
			e->sc[i].vals = pgpb_calloc((size_t)maxp + 1, sizeof *e->sc[i].vals);
			conns[i].sc = &e->sc[i];
		}
	}
	if (pooled)
		e->pool = engine_pool_new(conns, nconns, env);
	size_t sqlcap = 1;
	for (int i = 0; i < env->npieces; i++)
		sqlcap += strlen(env->simple_pieces[i]) + OFFSET_TEXT_MAX;
	/* the threads take no signals: the main thread sees SIGINT and stops them */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	int ok = 1;
	for (int i = 0; i < nthreads; i++) {
		struct eng_thread *t = &e->t[i];
		int lo = (int)((long)i * nconns / nthreads), hi = (int)((long)(i + 1) * nconns / nthreads);
		t->env = env;
		t->conns = pooled ? NULL : conns + lo;
		t->n = pooled ? 0 : hi - lo;
		t->rec = &recs[i];
		t->pool = e->pool;
		t->rng = offsets_thread_seed(env->seed, i);
		t->finished = &e->finished;
		if (env->rate > 0 && !pooled)
			sched_init(&t->sched, env->rate / nthreads, env->poisson,
			           env->t_begin + (int64_t)(NS_PER_SEC / env->rate * i), t->rng ^ SCHED_SALT_THREAD);
		t->epfd = pooled ? -1 : epoll_create1(EPOLL_CLOEXEC);
		t->sqlbuf = env->npieces ? pgpb_malloc(sqlcap) : NULL;
		e->n = i + 1;
		if (!pooled && t->epfd < 0) {
			log_error("could not create an event loop: %s", strerror(errno));
			ok = 0;
			break;
		}
		if (pthread_create(&t->th, NULL, pooled ? engine_pool_main : engine_loop_main, t) != 0) {
			log_error("could not start a driver thread: %s", strerror(errno));
			ok = 0;
			break;
		}
		t->started = 1;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!ok) {
		engine_stop(env);
		if (e->pool)
			engine_pool_wake(e->pool);
		engine_join(e);
		return NULL;
	}
	return e;
}

int engine_done(const struct engine *e)
{
	int started = 0;
	for (int i = 0; i < e->n; i++)
		started += e->t[i].started;
	return atomic_load((atomic_int *)&e->finished) >= started;
}

void engine_join(struct engine *e)
{
	if (e->pool)
		engine_pool_wake(e->pool);
	for (int i = 0; i < e->n; i++) {
		if (e->t[i].started)
			pthread_join(e->t[i].th, NULL);
		if (e->t[i].epfd >= 0)
			close(e->t[i].epfd);
		free(e->t[i].sqlbuf);
	}
	if (e->pool)
		engine_pool_free(e->pool);
	for (int i = 0; e->sc && i < e->nconns; i++) {
		script_state_free(&e->sc[i].st);
		free(e->sc[i].vals);
		e->conns[i].sc = NULL;
	}
	free(e->sc);
	free(e->t);
	free(e);
}

void engine_stop(struct engine_env *env)
{
	int64_t expected = 0;
	atomic_compare_exchange_strong(&env->t_stop, &expected, mono_ns());
	atomic_store(&env->stop, 1);
	uint64_t one = 1;
	if (write(env->stop_fd, &one, sizeof one) < 0) {
		/* the threads still see the flag within a second */
	}
}
