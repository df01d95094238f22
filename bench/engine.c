/*
 * engine.c: starting, stopping and joining an engine's threads, and what both engines share: sending a
 * query in the chosen protocol and classifying its result (ok, error by SQLSTATE, validation error).
 * The event loops are in engine_loop.c, the shared-pool workers in engine_pool.c.
 */
#include "bench/engine_impl.h"
#include "common/log.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define MAX_MESSAGES 5 /* error and validation messages printed a step */

int engine_in_window(const struct engine_env *env, int64_t now)
{
	if (now < env->t_measure || now >= env->t_end)
		return 0;
	int64_t stop = atomic_load_explicit(&env->t_stop, memory_order_relaxed);
	return !(stop && now >= stop);
}

void engine_message(struct engine_env *env, const char *what, const char *text)
{
	if (atomic_fetch_add(&env->messages, 1) < MAX_MESSAGES) {
		char line[512];
		log_warning("step %s: %s: %s", env->step_id, what, log_firstline(text, line, sizeof line));
	}
}

int engine_send(struct eng_thread *t, struct bconn *c)
{
	const struct engine_env *env = t->env;
	const struct conn_params *cp = env->cp;
	char buf[24];
	const char *num = env->og->text; /* a fixed offset is formatted once per step */
	c->offset = offsets_next(env->og, &t->rng);
	if (env->og->mix) {
		snprintf(buf, sizeof buf, "%ld", c->offset);
		num = buf;
	}
	const char *one[1] = { num };
	const char *const *vals = env->fixed ? env->fixed : one;
	c->outcome = 0;
	c->sqlstate[0] = '\0';
	switch (cp->protocol) {
	case RUN_PROTO_PREPARED:
		return PQsendQueryPrepared(c->pg, cp->stmt_name, cp->nparams, vals, NULL, NULL, cp->binary);
	case RUN_PROTO_EXTENDED:
		return PQsendQueryParams(c->pg, cp->sql, cp->nparams, NULL, vals, NULL, NULL, cp->binary);
	default: {
		size_t o = 0, nl = strlen(num);
		for (int i = 0; i < env->npieces; i++) {
			size_t l = strlen(env->simple_pieces[i]);
			memcpy(t->sqlbuf + o, env->simple_pieces[i], l);
			o += l;
			if (i + 1 < env->npieces) {
				memcpy(t->sqlbuf + o, num, nl);
				o += nl;
			}
		}
		t->sqlbuf[o] = '\0';
		return PQsendQuery(c->pg, t->sqlbuf);
	}
	}
}

void engine_classify(struct engine_env *env, struct bconn *c, PGresult *r)
{
	ExecStatusType st = PQresultStatus(r);
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
		c->outcome = 1;
		if (env->val && st == PGRES_TUPLES_OK) {
			char why[256];
			if (validate_page(env->val, r, c->offset, why, sizeof why) < 0) {
				c->outcome = 3;
				char text[320];
				snprintf(text, sizeof text, "offset %ld: %s", c->offset, why);
				engine_message(env, "validation error", text);
			}
		}
		return;
	}
	c->outcome = 2;
	const char *code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	snprintf(c->sqlstate, sizeof c->sqlstate, "%s", code ? code : "");
	engine_message(env, "query error", PQresultErrorMessage(r));
}

struct engine *engine_start(struct engine_env *env, struct bconn *conns, int nconns, struct recorder *recs,
                            int nthreads)
{
	int pooled = env->model == RUN_MODEL_POOL;
	if (!pooled && nthreads > nconns)
		nthreads = nconns;
	struct engine *e = calloc(1, sizeof *e);
	if (e && (e->t = aligned_alloc(_Alignof(struct eng_thread), (size_t)nthreads * sizeof *e->t)))
		memset(e->t, 0, (size_t)nthreads * sizeof *e->t);
	if (!e || !e->t) {
		free(e);
		log_error("out of memory");
		return NULL;
	}
	if (pooled && !(e->pool = engine_pool_new(conns, nconns, env))) {
		free(e->t);
		free(e);
		log_error("out of memory");
		return NULL;
	}
	size_t sqlcap = 1;
	for (int i = 0; i < env->npieces; i++)
		sqlcap += strlen(env->simple_pieces[i]) + 24;
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
		t->index = i;
		t->pool = e->pool;
		t->rng = env->seed ^ (0x9E3779B97F4A7C15ULL * (uint64_t)(i + 1));
		t->finished = &e->finished;
		if (env->rate > 0 && !pooled)
			sched_init(&t->sched, env->rate / nthreads, env->poisson, env->t_begin + (int64_t)(1e9 / env->rate * i),
			           t->rng ^ 0xA5A5A5A5ULL);
		t->epfd = pooled ? -1 : epoll_create1(EPOLL_CLOEXEC);
		t->sqlbuf = env->npieces ? malloc(sqlcap) : NULL;
		e->n = i + 1;
		if ((!pooled && t->epfd < 0) || (env->npieces && !t->sqlbuf)) {
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
