/*
 * engine_loop.c: the event-loop engine: pgbench's model (--model threads) and aiohttp's (--model async).
 * Each thread owns a share of the connections and keeps at most one query in flight on each: send, wait
 * in epoll, PQconsumeInput/PQgetResult, record, send the next. Closed loop: the next query leaves as soon
 * as the connection is free. Open loop (--rate): queries are due on a schedule; a due query waits for a
 * free connection and its latency counts from when it was due. No locks; one clock read a completion.
 * A failed query is counted by SQLSTATE and the loop goes on; a lost connection is re-established with
 * exponential backoff inside the loop while the other connections keep working.
 */
#include "bench/engine_impl.h"
#include "common/log.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

struct loop {
	struct eng_thread *t;
	struct bconn **idle; /* open loop: connections waiting for a due query */
	int nidle;
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

static void lost(struct loop *l, struct bconn *c, int64_t now);

/* Sends a query on a ready connection: `now` is its start, `intended` when it was due. */
static void send_query(struct loop *l, struct bconn *c, int64_t now, int64_t intended)
{
	struct eng_thread *t = l->t;
	int ok = engine_send(t, c);
	c->t_start = now;
	c->t_intended = intended;
	c->state = BC_BUSY;
	if (!ok) {
		lost(l, c, now);
		return;
	}
	int f = PQflush(c->pg);
	if (f < 0) {
		lost(l, c, now);
		return;
	}
	watch(t, c, f == 1 ? EPOLLIN | EPOLLOUT : EPOLLIN);
}

/* A connection is free: closed loop sends at once, open loop queues it for the next due query. */
static void ready(struct loop *l, struct bconn *c, int64_t now)
{
	struct engine_env *env = l->t->env;
	c->state = BC_READY;
	if (now >= env->t_end || atomic_load_explicit(&env->stop, memory_order_relaxed))
		return;
	if (env->rate > 0)
		l->idle[l->nidle++] = c;
	else
		send_query(l, c, now, now);
}

/* Open loop: every due query that has a free connection leaves now. */
static void dispatch(struct loop *l, int64_t now)
{
	struct eng_thread *t = l->t;
	while (l->nidle > 0 && t->sched.next <= now && now < t->env->t_end)
		send_query(l, l->idle[--l->nidle], now, sched_take(&t->sched));
}

static void backoff(struct loop *l, struct bconn *c, int64_t now)
{
	unwatch(l->t, c);
	bconn_close(c);
	c->backoff_ms = c->backoff_ms ? (c->backoff_ms * 2 > 1000 ? 1000 : c->backoff_ms * 2) : 10;
	c->backoff_until = now + (int64_t)c->backoff_ms * 1000000;
	c->state = BC_BACKOFF;
	l->t->nbackoff++;
}

/* The connection died: the query in flight counts as an error, then reconnect after a backoff. */
static void lost(struct loop *l, struct bconn *c, int64_t now)
{
	struct engine_env *env = l->t->env;
	if (c->state == BC_BUSY && engine_in_window(env, now))
		recorder_error(l->t->rec, engine_second(env, now), c->outcome == 2 && c->sqlstate[0] ? c->sqlstate : "08006");
	if (c->state == BC_BUSY && c->outcome != 2)
		engine_message(env, "connection lost", PQerrorMessage(c->pg));
	backoff(l, c, now);
}

/* The hiccup meter (as jHiccup): the thread means to take a turn every ENGINE_TICK_NS (epoll_wait's
 * timeout never sleeps past the tick); each turn that comes at or after the tick records how late it is.
 * Turns are the top of the loop and every completion, so a long run of completions is not a hiccup. */
static void hiccup_tick(struct eng_thread *t, int64_t now)
{
	engine_hiccup(t, t->tick_due, now);
	t->tick_due = now + ENGINE_TICK_NS;
}

static void complete(struct loop *l, struct bconn *c)
{
	struct eng_thread *t = l->t;
	struct engine_env *env = t->env;
	int64_t now = mono_ns();
	if (now >= t->tick_due)
		hiccup_tick(t, now);
	int in = engine_in_window(env, now);
	if (c->outcome != 2)
		engine_edge(t, in, c->t_start, now);
	if (in) {
		long sec = engine_second(env, now);
		if (c->outcome == 1) {
			if (env->rate > 0) {
				int64_t lag = c->t_start - c->t_intended;
				recorder_ok_parts(t->rec, sec, (now - c->t_intended + 500) / 1000, -1, -1,
				                  (now - c->t_start + 500) / 1000, (lag + 500) / 1000);
				if (lag > ENGINE_LATE_NS)
					t->rec->late_starts++;
			} else {
				recorder_ok(t->rec, sec, (now - c->t_start + 500) / 1000);
			}
		} else if (c->outcome == 3) {
			recorder_verror(t->rec, sec);
		} else {
			recorder_error(t->rec, sec, c->sqlstate);
		}
	}
	if (c->outcome == 1)
		c->backoff_ms = 0;
	if (PQstatus(c->pg) == CONNECTION_BAD) {
		backoff(l, c, now); /* the error was counted just above */
		return;
	}
	ready(l, c, now);
}

static void handle(struct loop *l, struct bconn *c, unsigned events)
{
	struct eng_thread *t = l->t;
	struct engine_env *env = t->env;
	if (c->state == BC_CONNECTING || c->state == BC_SETUP) {
		enum bconn_state st = bconn_advance(c, env->cp);
		int64_t now = mono_ns();
		if (st == BC_READY) {
			if (engine_in_window(env, now))
				t->rec->reconnects++;
			watch(t, c, EPOLLIN);
			ready(l, c, now);
		} else if (st == BC_FAILED) {
			engine_message(env, "could not reconnect", c->err);
			backoff(l, c, now);
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
			lost(l, c, mono_ns());
			return;
		}
		if (f == 0)
			watch(t, c, EPOLLIN);
	}
	if (!(events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
		return;
	/*
	 * Read the result; when it completes and the next query leaves at once (closed loop), try to read
	 * that one too before going back to epoll, as pgbench does: on a busy machine the backend often runs
	 * right after our send and has answered by the time we look, which saves a sleep and a wake-up.
	 * Bounded, so one fast connection cannot starve the others of this thread; a thread with a single
	 * connection has no other to serve (the stop flag and the end of the step are checked before each
	 * send), so it keeps going, as pgbench does, instead of an epoll_wait every 16 queries.
	 */
	int spins = t->n == 1 ? INT_MAX : 16;
	for (int spin = 0; spin < spins && c->state == BC_BUSY; spin++) {
		if (!PQconsumeInput(c->pg)) {
			lost(l, c, mono_ns());
			return;
		}
		int completed = 0;
		while (c->state == BC_BUSY && !PQisBusy(c->pg)) {
			PGresult *r = PQgetResult(c->pg);
			if (!r) {
				complete(l, c);
				completed = 1;
				break;
			}
			if (c->outcome == 0)
				engine_classify(env, c, r);
			PQclear(r);
		}
		if (!completed)
			break;
	}
}

static void reconnect_due(struct loop *l, int64_t now, int64_t *wake)
{
	struct eng_thread *t = l->t;
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
			backoff(l, c, now);
			continue;
		}
		watch(t, c, to_epoll(c->events));
	}
}

void *engine_loop_main(void *arg)
{
	struct eng_thread *t = arg;
	struct engine_env *env = t->env;
	struct loop l = { .t = t, .idle = calloc((size_t)t->n + 1, sizeof *l.idle), .nidle = 0 };
	struct epoll_event stop_ev = { .events = EPOLLIN, .data.ptr = NULL };
	epoll_ctl(t->epfd, EPOLL_CTL_ADD, env->stop_fd, &stop_ev);
	int64_t now = mono_ns();
	for (int i = 0; i < t->n; i++) {
		t->conns[i].registered_fd = -1;
		if (t->conns[i].state == BC_READY) {
			watch(t, &t->conns[i], EPOLLIN);
			if (l.idle || env->rate <= 0)
				ready(&l, &t->conns[i], now);
		}
	}
	struct epoll_event evs[64];
	t->tick_due = now + ENGINE_TICK_NS;
	for (;;) {
		now = mono_ns();
		if (now >= env->t_end || atomic_load_explicit(&env->stop, memory_order_relaxed)) {
			if (now >= t->tick_due)
				hiccup_tick(t, now); /* the last turn may come late too */
			break;
		}
		if (now >= t->tick_due) {
			hiccup_tick(t, now);
			if (env->test_stall_ns && engine_in_window(env, now)) {
				struct timespec ts = { env->test_stall_ns / 1000000000LL, env->test_stall_ns % 1000000000LL };
				nanosleep(&ts, NULL);
			}
		}
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
			reconnect_due(&l, now, &wake);
		if (l.nidle) {
			dispatch(&l, now);
			if (l.nidle && t->sched.next < wake)
				wake = t->sched.next;
		}
		if (t->tick_due < wake)
			wake = t->tick_due;
		int timeout = wake > now ? (int)((wake - now + 999999) / 1000000) : 0;
		if (now + (int64_t)timeout * 1000000 > t->tick_due) /* the tick is due when the timeout asks to wake */
			t->tick_due = now + (int64_t)timeout * 1000000;
		int n = epoll_wait(t->epfd, evs, 64, timeout);
		for (int i = 0; i < n; i++)
			if (evs[i].data.ptr)
				handle(&l, evs[i].data.ptr, evs[i].events);
	}
	int64_t stop = atomic_load(&env->t_stop);
	int64_t fin = stop && stop < env->t_end ? stop : env->t_end;
	if (env->rate > 0)
		t->rec->dropped += sched_drop_rest(&t->sched, env->t_measure, fin);
	recorder_finish(t->rec, fin > env->t_measure ? engine_second(env, fin - 1) : -1);
	for (int i = 0; i < t->n; i++) {
		if (t->conns[i].state == BC_BUSY && fin > env->t_measure)
			t->rec->edge_end++; /* in flight when the window ended */
		unwatch(t, &t->conns[i]);
	}
	free(l.idle);
	atomic_fetch_add(t->finished, 1);
	return NULL;
}
