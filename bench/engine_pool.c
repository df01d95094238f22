/*
 * engine_pool.c: the shared-pool engine (--model threads --workers W): W worker threads share P
 * connections, as gunicorn threads share a Django/SQLAlchemy pool. A worker borrows a connection, runs one
 * query and returns it; the time spent waiting for a connection and the time holding it are recorded
 * apart, and latency is their sum (or, open loop, from when the query was due). Borrowing takes a mutex
 * (that is the model); recording does not.
 *
 * The pool is fair by default (--pool-order fifo), as psycopg_pool, SQLAlchemy's QueuePool and pgbouncer
 * are: a worker that finds no free connection joins a queue of waiters, each with a condition variable and
 * a slot of its own, and a returned connection is put straight into the slot of the longest waiter, so the
 * worker that returned it cannot take it back first. --pool-order lifo keeps the unfair pool: a returned
 * connection goes back on the free list and the first worker to ask for it, usually the one that just
 * returned it, takes it, while the woken waiter finds the list empty and waits again.
 *
 * With --connect-per-request the pool's connections become slots (at most P connections open at once): a
 * worker borrows a slot as it would a connection, opens a new connection in it, runs its query, closes it
 * and gives the slot back. With W = P that is Django's CONN_MAX_AGE=0 under W gunicorn threads. The time
 * holding the slot (service) then includes the connect.
 */
#include "bench/engine_pool.h"
#include "common/alloc.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

/* A worker blocked in poll or asleep before a due time looks up at least this often: for the stop flag, the
 * end of the step and the recorder's next second. */
#define POOL_SLICE_MS 100
/* A worker waiting for a connection wakes at least this often (and the hiccup meter measures how late). */
#define POOL_WAIT_SLICE_NS (50 * NS_PER_MS)
/* While waiting out a reconnect delay, a worker checks the stop flag this often. */
#define POOL_BACKOFF_NAP_NS (10 * NS_PER_MS)

/* A worker waiting for a connection: queued in arrival order, woken on its own condition variable. */
struct waiter {
	pthread_cond_t cv;
	struct bconn *got; /* fifo: the connection handed over by release() */
	struct waiter *next;
};

struct pool {
	pthread_mutex_t mu;
	pthread_condattr_t cattr; /* CLOCK_MONOTONIC, for each waiter's condition variable */
	struct bconn **free;
	int nfree;
	struct waiter *head, *tail; /* the waiters, longest first */
	int lifo; /* --pool-order lifo: no hand-off, a returned connection is up for grabs */
	pthread_mutex_t sched_mu; /* open loop: one schedule for all workers */
	struct sched sched;
};

struct pool *engine_pool_new(struct bconn *conns, int n, const struct engine_env *env)
{
	struct pool *p = pgpb_calloc(1, sizeof *p);
	p->free = pgpb_calloc((size_t)n, sizeof *p->free);
	pthread_mutex_init(&p->mu, NULL);
	pthread_mutex_init(&p->sched_mu, NULL);
	pthread_condattr_init(&p->cattr);
	pthread_condattr_setclock(&p->cattr, CLOCK_MONOTONIC);
	p->lifo = env->pool_lifo;
	for (int i = 0; i < n; i++)
		if (conns[i].state == BC_READY || env->per_request) /* per request: every slot starts free */
			p->free[p->nfree++] = &conns[i];
	if (env->rate > 0)
		sched_init(&p->sched, env->rate, env->poisson, env->t_begin, env->seed ^ SCHED_SALT_POOL);
	return p;
}

void engine_pool_free(struct pool *p)
{
	pthread_mutex_destroy(&p->mu);
	pthread_mutex_destroy(&p->sched_mu);
	pthread_condattr_destroy(&p->cattr);
	free(p->free);
	free(p);
}

void engine_pool_wake(struct pool *p)
{
	pthread_mutex_lock(&p->mu);
	for (struct waiter *w = p->head; w; w = w->next)
		pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&p->mu);
}

/* Keeps the recorder's seconds moving while the worker waits. */
static void tick(struct eng_thread *t, int64_t now)
{
	if (now >= t->env->t_measure)
		recorder_advance(t->rec, engine_second(t->env, now));
}

/* Under p->mu. */
static void enqueue(struct pool *p, struct waiter *w)
{
	w->next = NULL;
	if (p->tail)
		p->tail->next = w;
	else
		p->head = w;
	p->tail = w;
}

/* Under p->mu: takes w out of the queue, wherever it is. */
static void dequeue(struct pool *p, struct waiter *w)
{
	struct waiter *prev = NULL;
	for (struct waiter *q = p->head; q; prev = q, q = q->next) {
		if (q != w)
			continue;
		if (prev)
			prev->next = w->next;
		else
			p->head = w->next;
		if (p->tail == w)
			p->tail = prev;
		return;
	}
}

/* Under p->mu: gives c to the longest waiter (fifo), or puts it on the free list and wakes that waiter,
 * who takes it only if nobody took it first (lifo). */
static void give(struct pool *p, struct bconn *c)
{
	struct waiter *w = p->head;
	if (w && !p->lifo) {
		p->head = w->next;
		if (!p->head)
			p->tail = NULL;
		w->got = c;
	} else {
		p->free[p->nfree++] = c;
	}
	if (w)
		pthread_cond_signal(&w->cv);
}

/* Borrows a connection, waiting in line when there is none free; NULL when the step ends first. */
static struct bconn *acquire(struct eng_thread *t)
{
	struct pool *p = t->pool;
	pthread_mutex_lock(&p->mu);
	/* fifo: a free connection means nobody is waiting (release hands over to a waiter first) */
	if (p->nfree > 0 && (p->lifo || !p->head)) {
		struct bconn *c = p->free[--p->nfree];
		pthread_mutex_unlock(&p->mu);
		return c;
	}
	struct waiter w = { .got = NULL };
	pthread_cond_init(&w.cv, &p->cattr);
	enqueue(p, &w);
	struct bconn *c = NULL;
	for (;;) {
		if (w.got) { /* fifo: handed over, and already out of the queue */
			c = w.got;
			break;
		}
		if (p->lifo && p->nfree > 0) {
			dequeue(p, &w);
			c = p->free[--p->nfree];
			if (p->nfree > 0 && p->head) /* another came back meanwhile: pass the wake-up on */
				pthread_cond_signal(&p->head->cv);
			break;
		}
		int64_t now = mono_ns();
		if (engine_over(t->env, now)) {
			dequeue(p, &w);
			break;
		}
		int64_t until = now + POOL_WAIT_SLICE_NS;
		struct timespec ts = ns_timespec(until);
		int timedout = pthread_cond_timedwait(&w.cv, &p->mu, &ts) == ETIMEDOUT;
		if (!w.got && !(p->lifo && p->nfree > 0)) {
			/* still in line: keep the recorder's seconds moving, outside the lock */
			pthread_mutex_unlock(&p->mu);
			int64_t woke = mono_ns();
			if (timedout) /* hiccup meter: how late the timed wait came back */
				engine_hiccup(t, until, woke);
			tick(t, woke);
			pthread_mutex_lock(&p->mu);
		}
	}
	pthread_mutex_unlock(&p->mu);
	pthread_cond_destroy(&w.cv);
	return c;
}

static void release(struct pool *p, struct bconn *c)
{
	pthread_mutex_lock(&p->mu);
	give(p, c);
	pthread_mutex_unlock(&p->mu);
}

/* Waits for fd events (or the stop eventfd) at most POOL_SLICE_MS at a time; 1 ready, 0 stop or end. */
static int wait_fd(struct eng_thread *t, int fd, short events)
{
	for (;;) {
		struct pollfd pfd[2] = { { fd, events, 0 }, { t->env->stop_fd, POLLIN, 0 } };
		int64_t due = mono_ns() + POOL_SLICE_MS * NS_PER_MS;
		int r = poll(pfd, 2, POOL_SLICE_MS);
		int64_t now = mono_ns();
		if (r == 0) /* hiccup meter: how late the timeout came back */
			engine_hiccup(t, due, now);
		if (r > 0 && pfd[0].revents)
			return 1;
		if (engine_over(t->env, now))
			return 0;
		tick(t, now);
	}
}
/* Flushes what was sent on c and takes its results to the end; 0 done, -1 lost or unusable, 1 stopped. */
static int await_results(struct eng_thread *t, struct bconn *c)
{
	int f;
	while ((f = PQflush(c->pg)) == 1)
		if (!wait_fd(t, PQsocket(c->pg), POLLOUT))
			return 1;
	if (f < 0)
		return -1;
	for (;;) {
		while (!PQisBusy(c->pg)) {
			PGresult *r = PQgetResult(c->pg);
			if (!r)
				return PQstatus(c->pg) == CONNECTION_BAD ? -1 : 0;
			int go = engine_result(t->env, c, r);
			PQclear(r);
			if (go < 0)
				return -1;
		}
		if (!wait_fd(t, PQsocket(c->pg), POLLIN))
			return 1;
		if (!PQconsumeInput(c->pg))
			return -1;
	}
}


/* Runs one query on c to its end; 0 done (c->outcome set), -1 connection lost or unusable (a COPY), 1
 * stopped mid-query. */
static int run_query(struct eng_thread *t, struct bconn *c)
{
	if (!engine_send(t, c))
		return -1;
	return await_results(t, c);
}


/*
 * run --script: runs one request (a script's commands in order) on c, as run_query runs one query; a
 * \sleep sleeps holding the connection, as pgbench's client does. *end is when its last result came. A
 * failed request that left a transaction open is rolled back before the connection is returned.
 */
static int run_script(struct eng_thread *t, struct bconn *c, int64_t *end)
{
	engine_script_begin(t, c);
	for (;;) {
		int64_t now = mono_ns(), until = 0;
		enum script_next n = engine_script_next(t, c, now, &until);
		if (n == SCRIPT_LOST)
			return -1;
		if (n == SCRIPT_SLEEP) {
			while ((now = mono_ns()) < until) {
				if (engine_over(t->env, now))
					return 1;
				int64_t left = until - now, slice = POOL_SLICE_MS * NS_PER_MS;
				engine_nap(left < slice ? left : slice);
				tick(t, mono_ns());
			}
			continue;
		}
		if (n == SCRIPT_SENT) {
			int rc = await_results(t, c);
			if (rc)
				return rc;
			engine_script_stmt_end(t, c, mono_ns());
			if (c->outcome != QUERY_ERROR)
				continue;
		}
		*end = mono_ns();
		if (c->outcome == QUERY_ERROR && engine_script_rollback(c) != 0) {
			int rc = await_results(t, c);
			c->sc->rollback = 0;
			c->outcome = QUERY_ERROR;
			if (rc)
				return rc;
		}
		return 0;
	}
}

/* Re-establishes a lost connection with backoff; 0 ready, -1 the step ended first. */
static int reconnect(struct eng_thread *t, struct bconn *c)
{
	int backoff_ms = 0;
	for (;;) {
		bconn_close(c);
		if (bconn_start(c, t->env->cp) == 0) {
			while (c->state == BC_CONNECTING || c->state == BC_SETUP) {
				if (!wait_fd(t, c->fd, (short)c->events))
					return -1;
				bconn_advance(c, t->env->cp);
			}
			if (c->state == BC_READY)
				return 0;
		}
		engine_reconnect_failed(t->env, c);
		backoff_ms = engine_backoff_next(backoff_ms);
		int64_t until = mono_ns() + (int64_t)backoff_ms * NS_PER_MS;
		while (mono_ns() < until) {
			if (engine_over(t->env, mono_ns()))
				return -1;
			engine_nap(POOL_BACKOFF_NAP_NS);
		}
	}
}

/* --connect-per-request: opens the borrowed slot's connection for the request that began at c->t_req; 0
 * ready (c->t_ready set), -1 failed (c->err says why), 1 the step ended first. */
static int request_open(struct eng_thread *t, struct bconn *c)
{
	c->t_ready = 0;
	if (bconn_start(c, t->env->cp) < 0)
		return -1;
	while (c->state == BC_CONNECTING || c->state == BC_SETUP) {
		if (!wait_fd(t, c->fd, (short)c->events))
			return 1;
		bconn_advance(c, t->env->cp);
	}
	if (c->state != BC_READY)
		return -1;
	c->t_ready = mono_ns();
	return 0;
}

/* --connect-per-request: after a failed connect, the worker waits *backoff_ms (doubling up to the most, as a
 * reconnect does) before its next request; 0, or -1 when the step ended first. */
static int request_backoff(struct eng_thread *t, int *backoff_ms)
{
	*backoff_ms = engine_backoff_next(*backoff_ms);
	int64_t until = mono_ns() + (int64_t)*backoff_ms * NS_PER_MS;
	for (int64_t now = mono_ns(); now < until; now = mono_ns()) {
		if (engine_over(t->env, now))
			return -1;
		engine_nap(until - now < POOL_BACKOFF_NAP_NS ? until - now : POOL_BACKOFF_NAP_NS);
		tick(t, mono_ns());
	}
	return 0;
}

void *engine_pool_main(void *arg)
{
	struct eng_thread *t = arg;
	struct engine_env *env = t->env;
	struct pool *p = t->pool;
	int64_t unsent = -1; /* open loop: the due time this worker took and has not sent yet */
	int connect_backoff_ms = 0; /* --connect-per-request: the delay after this worker's last failed connect */
	for (;;) {
		int64_t now = mono_ns();
		if (engine_over(env, now))
			break;
		tick(t, now);
		int64_t intended = -1;
		if (env->rate > 0) {
			pthread_mutex_lock(&p->sched_mu);
			intended = unsent = sched_take(&p->sched);
			pthread_mutex_unlock(&p->sched_mu);
			if (intended >= env->t_end)
				break;
			while ((now = mono_ns()) < intended && !engine_over(env, now)) {
				int64_t left = intended - now, slice = POOL_SLICE_MS * NS_PER_MS;
				engine_nap(left < slice ? left : slice);
				tick(t, mono_ns());
			}
			if (engine_over(env, now))
				break;
		}
		int64_t t0 = mono_ns();
		struct bconn *c = acquire(t);
		if (!c)
			break;
		unsent = -1;
		int64_t t1 = mono_ns();
		if (engine_over(env, t1)) { /* handed a connection as the step ended (it may hold a stopped query) */
			release(p, c);
			break;
		}
		c->t_req = t1;
		if (env->per_request) {
			int oc = request_open(t, c);
			if (oc != 0) {
				if (oc < 0)
					engine_connect_failed(t, c, mono_ns());
				bconn_close(c);
				release(p, c);
				if (oc > 0 || request_backoff(t, &connect_backoff_ms) < 0)
					break;
				continue;
			}
			connect_backoff_ms = 0;
		}
		c->t_start = c->t_ready ? c->t_ready : t1;
		int64_t t2 = 0;
		int rc = env->scripts ? run_script(t, c, &t2) : run_query(t, c);
		if (!env->scripts || rc)
			t2 = mono_ns();
		if (rc == 1) { /* stopped mid-query: not measured */
			if (t1 < t2 && t2 >= env->t_measure)
				t->rec->edge_end++; /* in flight when the window ended */
			release(p, c);
			break;
		}
		if (rc < 0 && env->per_request) { /* its connection is closed anyway: no reconnect */
			engine_query_lost(t, c, t2);
			if (engine_in_window(env, t2))
				engine_connect_parts(t, c, t2, 0);
			bconn_close(c);
			release(p, c);
			continue;
		}
		if (rc < 0) {
			engine_query_lost(t, c, t2);
			int ok = reconnect(t, c) == 0;
			if (ok && engine_in_window(env, mono_ns()))
				t->rec->reconnects++;
			release(p, c); /* a dead one too: the next borrower reconnects it */
			continue;
		}
		int in = engine_in_window(env, t2);
		/* the outcome is ours: read it before another worker borrows the connection */
		enum query_outcome outcome = c->outcome;
		char sqlstate[sizeof c->sqlstate];
		memcpy(sqlstate, c->sqlstate, sizeof sqlstate);
		if (in)
			engine_connect_parts(t, c, t2, outcome == QUERY_OK);
		if (env->per_request)
			bconn_close(c);
		release(p, c);
		if (outcome != QUERY_ERROR)
			engine_edge(t, in, t1, t2);
		if (!in)
			continue;
		long sec = engine_second(env, t2);
		if (outcome == QUERY_OK) {
			int64_t start = intended >= 0 ? intended : t0;
			recorder_ok_parts(t->rec, sec, ns_to_us(t2 - start), ns_to_us(t1 - t0), ns_to_us(t2 - t1),
			                  intended >= 0 ? ns_to_us(t2 - t0) : -1, intended >= 0 ? ns_to_us(t0 - intended) : -1);
			if (intended >= 0 && t0 - intended > ENGINE_LATE_NS)
				t->rec->late_starts++;
		} else if (outcome == QUERY_INVALID) {
			recorder_verror(t->rec, sec);
		} else {
			recorder_error(t->rec, sec, sqlstate);
		}
	}
	int64_t fin = engine_measure_end(env, memory_order_seq_cst);
	if (env->rate > 0) { /* what was due and never sent: the worker's own, and what no worker took */
		t->rec->dropped += unsent >= env->t_measure && unsent < fin;
		pthread_mutex_lock(&p->sched_mu);
		t->rec->dropped += sched_drop_rest(&p->sched, env->t_measure, fin);
		pthread_mutex_unlock(&p->sched_mu);
	}
	engine_thread_finish(t, fin);
	return NULL;
}
