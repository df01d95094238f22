/*
 * engine_loop.c: the event-loop engine: pgbench's model (--model threads) and aiohttp's (--model async).
 * Each thread owns a share of the connections and keeps at most one query in flight on each: send, wait
 * in epoll, PQconsumeInput/PQgetResult, record, send the next. Closed loop: the next query leaves as soon
 * as the connection is free. Open loop (--rate): queries are due on a schedule; a due query waits for a
 * free connection and its latency counts from when it was due. No locks; one clock read a completion.
 * A failed query is counted by SQLSTATE and the loop goes on; a lost connection (or one a COPY left
 * unusable) is re-established with exponential backoff inside the loop while the others keep working.
 * With --connect-per-request a connection is a slot: each request opens a connection in it without
 * blocking the loop (conn.c's state machine), sends its query once the setup is done, and closes it after
 * the answer; a connect that fails counts as the request's error and the slot waits out a backoff.
 */
#include "bench/engine_loop.h"
#include "common/alloc.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/epoll.h>

#define LOOP_MAX_EVENTS 64 /* epoll events taken a turn */
#define LOOP_SPINS 16 /* results read back to back on one connection before the others get a turn */

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
static void script_request(struct loop *l, struct bconn *c, int64_t now, int64_t intended);

/* Sends a query on a ready connection: `now` is its start, `intended` when it was due. */
static void send_query(struct loop *l, struct bconn *c, int64_t now, int64_t intended)
{
	struct eng_thread *t = l->t;
	if (t->env->scripts) {
		script_request(l, c, now, intended);
		return;
	}
	int ok = engine_send(t, c);
	c->t_start = now;
	if (!t->env->per_request)
		c->t_req = now; /* a kept connection: the request starts with the send */
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

static void backoff(struct loop *l, struct bconn *c, int64_t now);

/* --connect-per-request: a request begins on the free slot c: its connection starts to open now. */
static void request_begin(struct loop *l, struct bconn *c, int64_t now, int64_t intended)
{
	c->t_req = now;
	c->t_ready = 0;
	c->t_intended = intended;
	if (bconn_start(c, l->t->env->cp) < 0) {
		engine_connect_failed(l->t, c, now);
		backoff(l, c, now);
		return;
	}
	watch(l->t, c, to_epoll(c->events));
}

/* --connect-per-request: the request's connection is set up at `now`: its query leaves. */
static void request_connected(struct loop *l, struct bconn *c, int64_t now)
{
	c->t_ready = now;
	watch(l->t, c, EPOLLIN);
	if (!engine_over(l->t->env, now))
		send_query(l, c, now, c->t_intended);
}

/* A request begins on a free connection (or, per request, a free slot). */
static void begin(struct loop *l, struct bconn *c, int64_t now, int64_t intended)
{
	if (l->t->env->per_request)
		request_begin(l, c, now, intended);
	else
		send_query(l, c, now, intended);
}

/* A connection is free: closed loop sends at once, open loop queues it for the next due query. */
static void ready(struct loop *l, struct bconn *c, int64_t now)
{
	struct engine_env *env = l->t->env;
	if (!env->per_request)
		c->state = BC_READY;
	if (engine_over(env, now))
		return;
	if (env->rate > 0)
		l->idle[l->nidle++] = c;
	else
		begin(l, c, now, now);
}

/* Open loop: every due query that has a free connection leaves now. */
static void dispatch(struct loop *l, int64_t now)
{
	struct eng_thread *t = l->t;
	while (l->nidle > 0 && t->sched.next <= now && now < t->env->t_end)
		begin(l, l->idle[--l->nidle], now, sched_take(&t->sched));
}

/* --connect-per-request: the request is over: its connection is closed and the slot is free. */
static void request_end(struct loop *l, struct bconn *c, int64_t now)
{
	unwatch(l->t, c);
	bconn_close(c);
	ready(l, c, now);
}

/* Closes c and schedules its reconnection after the next backoff delay. */
static void backoff(struct loop *l, struct bconn *c, int64_t now)
{
	unwatch(l->t, c);
	bconn_close(c);
	c->backoff_ms = engine_backoff_next(c->backoff_ms);
	c->backoff_until = now + (int64_t)c->backoff_ms * NS_PER_MS;
	c->state = BC_BACKOFF;
	l->t->nbackoff++;
}

/* The connection died: the query in flight counts as an error, then reconnect after a backoff. */
static void lost(struct loop *l, struct bconn *c, int64_t now)
{
	if (c->state == BC_BUSY) {
		engine_query_lost(l->t, c, now);
		if (engine_in_window(l->t->env, now))
			engine_connect_parts(l->t, c, now, 0);
	}
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

/* Counts the request that ended on c at now (its latency from c->t_req, or its error). */
static void record(struct loop *l, struct bconn *c, int64_t now)
{
	struct eng_thread *t = l->t;
	struct engine_env *env = t->env;
	int in = engine_in_window(env, now);
	if (c->outcome != QUERY_ERROR)
		engine_edge(t, in, c->t_start, now);
	if (in) {
		long sec = engine_second(env, now);
		if (c->outcome == QUERY_OK) {
			if (env->rate > 0) {
				int64_t lag = c->t_req - c->t_intended;
				recorder_ok_parts(t->rec, sec, ns_to_us(now - c->t_intended), -1, -1, ns_to_us(now - c->t_req),
				                  ns_to_us(lag));
				if (lag > ENGINE_LATE_NS)
					t->rec->late_starts++;
			} else {
				recorder_ok(t->rec, sec, ns_to_us(now - c->t_req));
			}
		} else if (c->outcome == QUERY_INVALID) {
			recorder_verror(t->rec, sec);
		} else {
			recorder_error(t->rec, sec, c->sqlstate);
		}
		engine_connect_parts(t, c, now, c->outcome == QUERY_OK);
	}
	if (c->outcome == QUERY_OK)
		c->backoff_ms = 0;
}

/* ---- run --script: a request is the script's commands in order; a \sleep waits on a timer ---- */

/* Goes on with c's script request from its current command; returns 1 while the request goes on (a
 * statement sent, a sleep begun, or the connection lost and counted), 0 when it ended (c->outcome). */
static int script_continue(struct loop *l, struct bconn *c, int64_t now)
{
	struct eng_thread *t = l->t;
	int64_t until = 0;
	switch (engine_script_next(t, c, now, &until)) {
	case SCRIPT_SENT: {
		c->state = BC_BUSY;
		int f = PQflush(c->pg);
		if (f < 0) {
			lost(l, c, now);
			return 1;
		}
		watch(t, c, f == 1 ? EPOLLIN | EPOLLOUT : EPOLLIN);
		return 1;
	}
	case SCRIPT_SLEEP:
		c->state = BC_SLEEP;
		c->backoff_until = until;
		t->nsleep++;
		unwatch(t, c); /* nothing to read while it sleeps; sending watches it again */
		return 1;
	case SCRIPT_LOST:
		c->state = BC_BUSY;
		lost(l, c, now);
		return 1;
	default:
		return 0;
	}
}

/* After a request ended: reconnects a broken connection, or rolls back a transaction a failed request
 * left open; 1 when one of them took the connection, 0 when it is free. */
static int script_tidy(struct loop *l, struct bconn *c, int64_t now)
{
	if (c->unusable || PQstatus(c->pg) == CONNECTION_BAD) {
		backoff(l, c, now);
		return 1;
	}
	if (c->outcome != QUERY_ERROR)
		return 0;
	int rb = engine_script_rollback(c);
	if (rb < 0) {
		backoff(l, c, now);
		return 1;
	}
	if (rb > 0) {
		c->state = BC_BUSY;
		watch(l->t, c, PQflush(c->pg) == 1 ? EPOLLIN | EPOLLOUT : EPOLLIN);
	}
	return rb;
}

/* The request on c ended at now: counts it, then frees the connection: closed (--connect-per-request),
 * re-established when broken, after a ROLLBACK when a failed script left a transaction open, or ready. */
static void request_done(struct loop *l, struct bconn *c, int64_t now)
{
	struct engine_env *env = l->t->env;
	record(l, c, now);
	if (env->per_request) {
		request_end(l, c, now);
		return;
	}
	if (env->scripts) {
		if (!script_tidy(l, c, now))
			ready(l, c, now);
		return;
	}
	if (c->unusable || PQstatus(c->pg) == CONNECTION_BAD) {
		backoff(l, c, now); /* the error was counted just above */
		return;
	}
	ready(l, c, now);
}

/* Starts a script request on a free connection, and the next ones while they end without waiting (a
 * meta-command failing before any statement is sent). */
static void script_request(struct loop *l, struct bconn *c, int64_t now, int64_t intended)
{
	struct engine_env *env = l->t->env;
	for (;;) {
		engine_script_begin(l->t, c);
		c->t_start = now;
		if (!env->per_request)
			c->t_req = now; /* a kept connection: the request starts with its first command */
		c->t_intended = intended;
		if (script_continue(l, c, now))
			return;
		if (env->per_request) {
			request_done(l, c, now); /* closes the connection; the slot's next request opens another */
			return;
		}
		record(l, c, now);
		if (script_tidy(l, c, now))
			return;
		c->state = BC_READY;
		now = mono_ns();
		if (engine_over(env, now))
			return;
		if (env->rate > 0) {
			l->idle[l->nidle++] = c;
			return;
		}
		intended = now;
	}
}

/* A statement's results are all in: the request goes on (1), or it ended (0). */
static int script_stmt_done(struct loop *l, struct bconn *c, int64_t now)
{
	if (c->sc->rollback) { /* the ROLLBACK after a failed request: not measured */
		c->sc->rollback = 0;
		if (c->unusable || PQstatus(c->pg) == CONNECTION_BAD)
			backoff(l, c, now);
		else
			ready(l, c, now);
		return 1;
	}
	engine_script_stmt_end(l->t, c, now);
	if (c->outcome == QUERY_ERROR || c->unusable || PQstatus(c->pg) == CONNECTION_BAD)
		return 0;
	return script_continue(l, c, now);
}

/* Wakes the connections whose \sleep is over and goes on with their requests. */
static void sleep_due(struct loop *l, int64_t now, int64_t *wake)
{
	struct eng_thread *t = l->t;
	for (int i = 0; i < t->n; i++) {
		struct bconn *c = &t->conns[i];
		if (c->state != BC_SLEEP)
			continue;
		if (c->backoff_until > now) {
			if (c->backoff_until < *wake)
				*wake = c->backoff_until;
			continue;
		}
		t->nsleep--;
		c->state = BC_BUSY;
		if (!script_continue(l, c, now))
			request_done(l, c, now);
	}
}

static void complete(struct loop *l, struct bconn *c)
{
	struct eng_thread *t = l->t;
	int64_t now = mono_ns();
	if (now >= t->tick_due)
		hiccup_tick(t, now);
	if (t->env->scripts && script_stmt_done(l, c, now))
		return;
	request_done(l, c, now);
}

static void handle(struct loop *l, struct bconn *c, unsigned events)
{
	struct eng_thread *t = l->t;
	struct engine_env *env = t->env;
	if (c->state == BC_CONNECTING || c->state == BC_SETUP) {
		enum bconn_state st = bconn_advance(c, env->cp);
		int64_t now = mono_ns();
		if (st == BC_READY && env->per_request) {
			request_connected(l, c, now);
		} else if (st == BC_READY) {
			if (engine_in_window(env, now))
				t->rec->reconnects++;
			watch(t, c, EPOLLIN);
			ready(l, c, now);
		} else if (st == BC_FAILED) {
			if (env->per_request)
				engine_connect_failed(t, c, now);
			else
				engine_reconnect_failed(env, c);
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
	 * send), so it keeps going, as pgbench does, instead of an epoll_wait every LOOP_SPINS queries.
	 */
	int spins = t->n == 1 ? INT_MAX : LOOP_SPINS;
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
			int go = engine_result(env, c, r);
			PQclear(r);
			if (go < 0) { /* a COPY: counted as an error, and the connection is closed and reopened */
				complete(l, c);
				return;
			}
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
		if (t->env->per_request) { /* the slot is free again: the next request opens its own connection */
			c->state = BC_NONE;
			ready(l, c, now);
			continue;
		}
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
	struct loop l = { .t = t, .idle = pgpb_calloc((size_t)t->n + 1, sizeof *l.idle), .nidle = 0 };
	struct epoll_event stop_ev = { .events = EPOLLIN, .data.ptr = NULL };
	epoll_ctl(t->epfd, EPOLL_CTL_ADD, env->stop_fd, &stop_ev);
	int64_t now = mono_ns();
	for (int i = 0; i < t->n; i++) {
		t->conns[i].registered_fd = -1;
		if (t->conns[i].state == BC_READY) {
			watch(t, &t->conns[i], EPOLLIN);
			ready(&l, &t->conns[i], now);
		} else if (env->per_request) {
			ready(&l, &t->conns[i], now); /* a free slot */
		}
	}
	struct epoll_event evs[LOOP_MAX_EVENTS];
	t->tick_due = now + ENGINE_TICK_NS;
	for (;;) {
		now = mono_ns();
		if (engine_over(env, now)) {
			if (now >= t->tick_due)
				hiccup_tick(t, now); /* the last turn may come late too */
			break;
		}
		if (now >= t->tick_due) {
			hiccup_tick(t, now);
			if (env->test_stall_ns && engine_in_window(env, now))
				engine_nap(env->test_stall_ns);
		}
		int64_t wake = env->t_end;
		if (now < env->t_measure) {
			wake = env->t_measure;
		} else {
			long sec = engine_second(env, now);
			recorder_advance(t->rec, sec);
			int64_t next = env->t_measure + (int64_t)(sec + 1) * NS_PER_SEC;
			if (next < wake)
				wake = next;
		}
		if (t->nbackoff)
			reconnect_due(&l, now, &wake);
		if (t->nsleep)
			sleep_due(&l, now, &wake);
		if (l.nidle) {
			dispatch(&l, now);
			if (l.nidle && t->sched.next < wake)
				wake = t->sched.next;
		}
		if (t->tick_due < wake)
			wake = t->tick_due;
		int timeout = wake > now ? (int)((wake - now + NS_PER_MS - 1) / NS_PER_MS) : 0;
		if (now + timeout * NS_PER_MS > t->tick_due) /* the tick is due when the timeout asks to wake */
			t->tick_due = now + timeout * NS_PER_MS;
		int n = epoll_wait(t->epfd, evs, LOOP_MAX_EVENTS, timeout);
		for (int i = 0; i < n; i++)
			if (evs[i].data.ptr)
				handle(&l, evs[i].data.ptr, evs[i].events);
	}
	int64_t fin = engine_measure_end(env, memory_order_seq_cst);
	if (env->rate > 0)
		t->rec->dropped += sched_drop_rest(&t->sched, env->t_measure, fin);
	for (int i = 0; i < t->n; i++) {
		if (t->conns[i].state == BC_BUSY && fin > env->t_measure)
			t->rec->edge_end++; /* in flight when the window ended */
		unwatch(t, &t->conns[i]);
	}
	free(l.idle);
	engine_thread_finish(t, fin);
	return NULL;
}
