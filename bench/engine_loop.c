/*
 * engine_loop.c: the event-loop engine (pgbench's model). Each thread owns a share of the connections and
 * keeps exactly one query in flight on each: send (PQsendQueryPrepared and friends), wait in epoll,
 * PQconsumeInput/PQgetResult, record, send the next. No locks; the clock is read once per completion.
 * A failed query is counted by SQLSTATE and the loop goes on; a lost connection is re-established with
 * exponential backoff inside the loop while the other connections keep working.
 */
#include "bench/engine.h"
#include "common/log.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define MAX_MESSAGES 5 /* error and validation messages printed a step */

struct eng_thread {
	struct engine_env *env;
	struct bconn *conns;
	int n;
	struct recorder *rec;
	pthread_t th;
	int index, started;
	int epfd;
	int nbackoff;
	uint64_t rng;
	char *sqlbuf; /* simple protocol: the statement with the offset in place of $1 */
	size_t sqlcap;
	atomic_int *finished;
};

struct engine {
	struct eng_thread *t;
	int n;
	atomic_int finished;
};

static void watch(struct eng_thread *t, struct bconn *c, unsigned events)
{
	if (c->registered_fd == c->fd && c->registered_events == events)
		return;
	struct epoll_event ev = { .events = events, .data.ptr = c };
	if (c->registered_fd >= 0 && c->registered_fd != c->fd) {
		epoll_ctl(t->epfd, EPOLL_CTL_DEL, c->registered_fd, NULL);
		c->registered_fd = -1;
	}
	if (c->registered_fd == c->fd) {
		if (epoll_ctl(t->epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0 && errno == ENOENT)
			epoll_ctl(t->epfd, EPOLL_CTL_ADD, c->fd, &ev);
	} else if (epoll_ctl(t->epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0 && errno == EEXIST) {
		epoll_ctl(t->epfd, EPOLL_CTL_MOD, c->fd, &ev);
	}
	c->registered_fd = c->fd;
	c->registered_events = events;
}

static void unwatch(struct eng_thread *t, struct bconn *c)
{
	if (c->registered_fd >= 0)
		epoll_ctl(t->epfd, EPOLL_CTL_DEL, c->registered_fd, NULL);
	c->registered_fd = -1;
}

static unsigned to_epoll(int events)
{
	return ((events & POLLIN) ? EPOLLIN : 0) | ((events & POLLOUT) ? EPOLLOUT : 0);
}

static int in_window(const struct engine_env *env, int64_t now)
{
	if (now < env->t_measure || now >= env->t_end)
		return 0;
	int64_t stop = atomic_load_explicit(&env->t_stop, memory_order_relaxed);
	return !(stop && now >= stop);
}

static void message(struct engine_env *env, const char *what, const char *text)
{
	if (atomic_fetch_add(&env->messages, 1) < MAX_MESSAGES) {
		char line[512];
		log_warning("step %s: %s: %s", env->step_id, what, log_firstline(text, line, sizeof line));
	}
}

static void lost(struct eng_thread *t, struct bconn *c, int64_t now);

/* Sends the next query on a ready connection; `now` is its start time. */
static void send_query(struct eng_thread *t, struct bconn *c, int64_t now)
{
	const struct engine_env *env = t->env;
	const struct conn_params *cp = env->cp;
	char num[24];
	c->offset = offsets_next(env->og, &t->rng);
	snprintf(num, sizeof num, "%ld", c->offset);
	const char *vals[1] = { num };
	int ok;
	switch (cp->protocol) {
	case RUN_PROTO_PREPARED:
		ok = PQsendQueryPrepared(c->pg, cp->stmt_name, cp->nparams, vals, NULL, NULL, cp->binary);
		break;
	case RUN_PROTO_EXTENDED:
		ok = PQsendQueryParams(c->pg, cp->sql, cp->nparams, NULL, vals, NULL, NULL, cp->binary);
		break;
	default: {
		size_t o = 0;
		for (int i = 0; i < env->npieces; i++) {
			size_t l = strlen(env->simple_pieces[i]);
			memcpy(t->sqlbuf + o, env->simple_pieces[i], l);
			o += l;
			if (i + 1 < env->npieces) {
				size_t nl = strlen(num);
				memcpy(t->sqlbuf + o, num, nl);
				o += nl;
			}
		}
		t->sqlbuf[o] = '\0';
		ok = PQsendQuery(c->pg, t->sqlbuf);
	}
	}
	c->t_start = now;
	c->outcome = 0;
	c->state = BC_BUSY;
	if (!ok) {
		lost(t, c, now);
		return;
	}
	int f = PQflush(c->pg);
	if (f < 0) {
		lost(t, c, now);
		return;
	}
	watch(t, c, f == 1 ? EPOLLIN | EPOLLOUT : EPOLLIN);
}

static void backoff(struct eng_thread *t, struct bconn *c, int64_t now)
{
	unwatch(t, c);
	bconn_close(c);
	c->backoff_ms = c->backoff_ms ? (c->backoff_ms * 2 > 1000 ? 1000 : c->backoff_ms * 2) : 10;
	c->backoff_until = now + (int64_t)c->backoff_ms * 1000000;
	c->state = BC_BACKOFF;
	t->nbackoff++;
}

/* The connection died: the query in flight counts as an error, then reconnect after a backoff. */
static void lost(struct eng_thread *t, struct bconn *c, int64_t now)
{
	struct engine_env *env = t->env;
	if (c->state == BC_BUSY && in_window(env, now))
		recorder_error(t->rec, engine_second(env, now), c->outcome == 2 && c->sqlstate[0] ? c->sqlstate : "08006");
	if (c->state == BC_BUSY && c->outcome != 2)
		message(env, "connection lost", PQerrorMessage(c->pg));
	backoff(t, c, now);
}

static void classify(struct eng_thread *t, struct bconn *c, PGresult *r)
{
	struct engine_env *env = t->env;
	ExecStatusType st = PQresultStatus(r);
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
		c->outcome = 1;
		if (env->val && st == PGRES_TUPLES_OK) {
			char why[256];
			if (validate_page(env->val, r, c->offset, why, sizeof why) < 0) {
				c->outcome = 3;
				char text[320];
				snprintf(text, sizeof text, "offset %ld: %s", c->offset, why);
				message(env, "validation error", text);
			}
		}
		return;
	}
	c->outcome = 2;
	const char *code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	snprintf(c->sqlstate, sizeof c->sqlstate, "%s", code ? code : "");
	message(env, "query error", PQresultErrorMessage(r));
}

static void complete(struct eng_thread *t, struct bconn *c)
{
	struct engine_env *env = t->env;
	int64_t now = mono_ns();
	if (in_window(env, now)) {
		long sec = engine_second(env, now);
		if (c->outcome == 1)
			recorder_ok(t->rec, sec, (now - c->t_start + 500) / 1000);
		else if (c->outcome == 3)
			recorder_verror(t->rec, sec);
		else
			recorder_error(t->rec, sec, c->sqlstate);
	}
	if (c->outcome == 1)
		c->backoff_ms = 0;
	if (PQstatus(c->pg) == CONNECTION_BAD) {
		backoff(t, c, now); /* the error was counted just above */
		return;
	}
	c->state = BC_READY;
	if (now < env->t_end && !atomic_load_explicit(&env->stop, memory_order_relaxed))
		send_query(t, c, now);
}

static void handle(struct eng_thread *t, struct bconn *c, unsigned events)
{
	struct engine_env *env = t->env;
	if (c->state == BC_CONNECTING || c->state == BC_SETUP) {
		enum bconn_state st = bconn_advance(c, env->cp);
		int64_t now = mono_ns();
		if (st == BC_READY) {
			if (in_window(env, now))
				t->rec->reconnects++;
			send_query(t, c, now);
		} else if (st == BC_FAILED) {
			message(env, "could not reconnect", c->err);
			backoff(t, c, now);
		} else {
			watch(t, c, to_epoll(c->events));
		}
		return;
	}
	if (c->state != BC_BUSY)
		return;
	if (events & EPOLLOUT) {
		int f = PQflush(c->pg);
		if (f < 0) {
			lost(t, c, mono_ns());
			return;
		}
		if (f == 0)
			watch(t, c, EPOLLIN);
	}
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
		if (!PQconsumeInput(c->pg)) {
			lost(t, c, mono_ns());
			return;
		}
		while (c->state == BC_BUSY && !PQisBusy(c->pg)) {
			PGresult *r = PQgetResult(c->pg);
			if (!r) {
				complete(t, c);
				break;
			}
			if (c->outcome == 0)
				classify(t, c, r);
			PQclear(r);
		}
	}
}

static void reconnect_due(struct eng_thread *t, int64_t now, int64_t *wake)
{
	for (int i = 0; i < t->n; i++) {
		struct bconn *c = &t->conns[i];
		if (c->state != BC_BACKOFF)
			continue;
		if (c->backoff_until > now) {
			if (c->backoff_until < *wake)
				*wake = c->backoff_until;
			continue;
		}
		t->nbackoff--;
		if (bconn_start(c, t->env->cp) < 0) {
			backoff(t, c, now);
			continue;
		}
		watch(t, c, to_epoll(c->events));
	}
}

static void *loop_main(void *arg)
{
	struct eng_thread *t = arg;
	struct engine_env *env = t->env;
	struct epoll_event stop_ev = { .events = EPOLLIN, .data.ptr = NULL };
	epoll_ctl(t->epfd, EPOLL_CTL_ADD, env->stop_fd, &stop_ev);
	int64_t now = mono_ns();
	for (int i = 0; i < t->n; i++) {
		t->conns[i].registered_fd = -1;
		if (t->conns[i].state == BC_READY)
			send_query(t, &t->conns[i], now);
	}
	struct epoll_event evs[64];
	for (;;) {
		now = mono_ns();
		if (now >= env->t_end || atomic_load_explicit(&env->stop, memory_order_relaxed))
			break;
		int64_t wake = env->t_end;
		if (now < env->t_measure) {
			wake = env->t_measure;
		} else {
			long sec = engine_second(env, now);
			recorder_advance(t->rec, sec);
			int64_t next = env->t_measure + (int64_t)(sec + 1) * 1000000000LL;
			if (next < wake)
				wake = next;
		}
		if (t->nbackoff)
			reconnect_due(t, now, &wake);
		int timeout = (int)((wake - now + 999999) / 1000000);
		int n = epoll_wait(t->epfd, evs, 64, timeout > 0 ? timeout : 1);
		for (int i = 0; i < n; i++)
			if (evs[i].data.ptr)
				handle(t, evs[i].data.ptr, evs[i].events);
	}
	int64_t stop = atomic_load(&env->t_stop);
	int64_t fin = stop && stop < env->t_end ? stop : env->t_end;
	recorder_finish(t->rec, fin > env->t_measure ? engine_second(env, fin - 1) : -1);
	for (int i = 0; i < t->n; i++)
		unwatch(t, &t->conns[i]);
	atomic_fetch_add(t->finished, 1);
	return NULL;
}

struct engine *engine_start(struct engine_env *env, struct bconn *conns, int nconns, struct recorder *recs,
                            int nthreads)
{
	if (nthreads > nconns)
		nthreads = nconns;
	struct engine *e = calloc(1, sizeof *e);
	if (!e || !(e->t = calloc((size_t)nthreads, sizeof *e->t))) {
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
		t->conns = conns + lo;
		t->n = hi - lo;
		t->rec = &recs[i];
		t->index = i;
		t->rng = env->seed ^ (0x9E3779B97F4A7C15ULL * (uint64_t)(i + 1));
		t->finished = &e->finished;
		t->epfd = epoll_create1(EPOLL_CLOEXEC);
		t->sqlbuf = env->npieces ? malloc(sqlcap) : NULL;
		e->n = i + 1;
		if (t->epfd < 0 || (env->npieces && !t->sqlbuf)) {
			log_error("could not create an event loop: %s", strerror(errno));
			ok = 0;
			break;
		}
		if (pthread_create(&t->th, NULL, loop_main, t) != 0) {
			log_error("could not start a driver thread: %s", strerror(errno));
			ok = 0;
			break;
		}
		t->started = 1;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!ok) {
		engine_stop(env);
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
	for (int i = 0; i < e->n; i++) {
		if (e->t[i].started)
			pthread_join(e->t[i].th, NULL);
		if (e->t[i].epfd >= 0)
			close(e->t[i].epfd);
		free(e->t[i].sqlbuf);
	}
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
