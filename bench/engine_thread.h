/*
 * engine_thread.h: the engines' vocabulary and the machinery every engine thread shares, at the bottom of
 * the engine files. engine.c starts the threads of one engine: the event loops (engine_loop.h) or the
 * shared-pool workers (engine_pool.h). Both build on what is here: the step's environment (struct
 * engine_env, which run.c fills through engine.h), one thread's record, the per-thread functions of
 * engine_thread.c (sending a query, classifying its result, the window's bookkeeping, a thread's finish)
 * and the inline pieces below (time units, the reconnect backoff, the open-loop schedule, the hiccup
 * meter). Nothing here calls engine.c, engine_loop.c or engine_pool.c.
 */
#ifndef PGPB_ENGINE_THREAD_H
#define PGPB_ENGINE_THREAD_H

#include "bench/conn.h"
#include "bench/offsets.h"
#include "bench/recorder.h"
#include "bench/validate.h"

#include <stdatomic.h>
#include <stdint.h>

#include <math.h>
#include <pthread.h>
#include <time.h>

/* ---- what the run's engines report beyond the counts ---- */

/* Across the run's steps: the first failure's SQLSTATE and message (the run quotes it when no query
 * succeeded) and how many queries found the driver's prepared statement missing on the server (a
 * transaction pooler). Written by the engine threads (the first failure once, by whoever takes it), read
 * by the main thread after they are joined. Zeroed before the first step. */
struct engine_fault {
	atomic_int taken; /* first_* are written by the thread that set this */
	char first_sqlstate[6];
	char first_message[256];
	atomic_ullong missing_statement; /* prepared protocol: queries that failed with SQLSTATE 26000 */
};

/* ---- the step ---- */

/* Shared by the engine's threads for one step; read-only during it except the atomics. */
struct engine_env {
	enum run_model model; /* THREADS and ASYNC: event loops; POOL: workers borrowing connections */
	int workers; /* POOL: worker threads sharing the connections */
	int pool_lifo; /* POOL: 0 hands a returned connection to the longest waiter, 1 lets anyone take it */
	double rate; /* open loop: queries a second for the whole step; 0 = closed loop */
	int poisson; /* open loop: Poisson arrivals instead of a constant interval */
	const struct conn_params *cp;
	const struct validator *val; /* NULL: --no-validate */
	const struct offset_gen *og;
	const char *const *fixed; /* when set: these nfixed parameter values for every query (keyset key) */
	int nfixed;
	const char *step_id;
	char **simple_pieces; /* simple protocol: the SQL split at each $1 (npieces = occurrences + 1) */
	int npieces;
	int64_t t_begin, t_measure, t_end; /* monotonic ns: warm-up starts, warm-up ends, measured time ends */
	_Atomic int64_t t_stop; /* set before `stop`: when measuring stopped early (0 = not) */
	/* when the server snapshot at the window's start returned (INT64_MAX until then): a query sent in the
	 * window and finished before it may be missing from the server's counts (recorder edge_start) */
	_Atomic int64_t t_snapped;
	int64_t test_stall_ns; /* tests only: an event loop sleeps this long each turn in the window */
	atomic_int stop;
	atomic_int messages; /* error and validation messages printed so far (the first few only) */
	int stop_fd; /* eventfd, readable once stop is set: wakes every loop at once */
	uint64_t seed;
	struct engine_fault *fault; /* the run's (NULL: not kept) */
	int per_request; /* --connect-per-request: a request opens its connection and closes it after the answer */
	const struct script_set *scripts; /* run --script: a request runs one of these; NULL: the query */
	long page_size; /* run --script: :page and :page_size */
	double scale; /* run --script: :scale */
};

/* The second (0-based) of the measured time holding monotonic time t. */
static inline long engine_second(const struct engine_env *env, int64_t t)
{
	return (long)((t - env->t_measure) / 1000000000LL);
}


/* ---- time units (monotonic nanoseconds, as mono_ns) ---- */
#define NS_PER_SEC 1000000000LL
#define NS_PER_MS 1000000LL

/* A query sent later than this after its scheduled time is a late start (open loop). */
#define ENGINE_LATE_NS NS_PER_MS
/* The hiccup meter's tick: an event loop wakes at least this often and records how late it woke. */
#define ENGINE_TICK_NS NS_PER_MS

/* Nanoseconds to the microseconds the recorders keep, rounded to the nearest. */
static inline int64_t ns_to_us(int64_t ns)
{
	return (ns + 500) / 1000;
}

static inline struct timespec ns_timespec(int64_t ns)
{
	return (struct timespec){ ns / NS_PER_SEC, ns % NS_PER_SEC };
}

/* Sleeps ns nanoseconds (outside the query path: stalls, backoff, waiting for a due time). */
static inline void engine_nap(int64_t ns)
{
	struct timespec ts = ns_timespec(ns);
	nanosleep(&ts, NULL);
}

/* The SQLSTATE counted for a query whose connection was lost without the server saying why. */
#define SQLSTATE_CONNECTION_FAILURE "08006"
/* The SQLSTATE counted for a result the driver cannot measure, with no SQLSTATE of its own (a COPY, an
 * empty statement, a response libpq could not read): never an empty code. */
#define SQLSTATE_PROTOCOL_VIOLATION "08P01"
/* The server's SQLSTATE for an unknown prepared statement (invalid_sql_statement_name). */
#define SQLSTATE_NO_STATEMENT "26000"

/* ---- reconnecting: the delay before each attempt doubles from the first up to the most ---- */
#define RECONNECT_FIRST_MS 10
#define RECONNECT_MAX_MS 1000

/* The delay after a failure when the last one was ms (0: no failure yet). */
static inline int engine_backoff_next(int ms)
{
	if (!ms)
		return RECONNECT_FIRST_MS;
	return ms * 2 > RECONNECT_MAX_MS ? RECONNECT_MAX_MS : ms * 2;
}

/* ---- the open-loop schedule ---- */

/* Mixed into the seed of a schedule's generator, so its stream differs from the offsets' one: an event
 * loop thread's own schedule, or the pool's single schedule. */
#define SCHED_SALT_THREAD 0xA5A5A5A5ULL
#define SCHED_SALT_POOL 0xC0FFEEULL

/* Open-loop arrivals: intended start times, constant or Poisson, taken in order. */
struct sched {
	double interval_ns;
	int poisson;
	int64_t next;
	uint64_t rng;
};

static inline void sched_init(struct sched *s, double rate, int poisson, int64_t start, uint64_t seed)
{
	s->interval_ns = NS_PER_SEC / rate;
	s->poisson = poisson;
	s->next = start;
	s->rng = seed;
}

static inline int64_t sched_take(struct sched *s)
{
	int64_t t = s->next;
	double gap = s->interval_ns;
	if (s->poisson) {
		double u = offsets_uniform(&s->rng) + 0x1p-54; /* half a step up: never 0, so log(u) is finite */
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

/* ---- one engine thread ---- */

struct pool; /* engine_pool.h */

/* Each thread's record sits on cache lines of its own (allocated with 64-byte alignment): the threads
 * write their records on every query, and sharing a line between two threads costs throughput. */
struct eng_thread {
	_Alignas(64) struct engine_env *env;
	struct bconn *conns; /* loop: its own share; pool: unused */
	int n;
	struct recorder *rec;
	pthread_t th;
	int started;
	int epfd; /* loop: epoll set */
	int nbackoff; /* loop: connections waiting out a reconnect delay */
	int nsleep; /* loop, run --script: connections in a \sleep */
	uint64_t rng;
	char *sqlbuf; /* simple protocol: the statement with the offset in place of $1 */
	struct sched sched; /* loop, open loop: this thread's share of the rate */
	int64_t tick_due; /* loop: when the hiccup meter's next tick is due */
	struct pool *pool; /* pool engine */
	atomic_int *finished; /* the engine's count of threads that ended (engine_done) */
};

/* Whether the thread should stop issuing queries: the step's time is up or it was stopped. */
static inline int engine_over(const struct engine_env *env, int64_t now)
{
	return now >= env->t_end || atomic_load_explicit(&env->stop, memory_order_relaxed);
}

/* When the measured time ends: when measuring stopped early, else the step's end. */
static inline int64_t engine_measure_end(const struct engine_env *env, memory_order order)
{
	int64_t stop = atomic_load_explicit((_Atomic int64_t *)&env->t_stop, order);
	return stop && stop < env->t_end ? stop : env->t_end;
}

/* Hiccup meter: the thread meant to wake at `due` and woke at `now`; records the lateness when it
 * overlaps the measured window (a thread that never woke inside the window is the latest of all). */
static inline void engine_hiccup(struct eng_thread *t, int64_t due, int64_t now)
{
	const struct engine_env *env = t->env;
	if (now >= env->t_measure && due < engine_measure_end(env, memory_order_relaxed))
		hist_record(&t->rec->hiccup, now > due ? ns_to_us(now - due) : 0);
}

/* Counts a successful query (QUERY_OK or QUERY_INVALID) against the window's edges, for matching the
 * server's counts: started before the window or finished before its start snapshot returned; or finished
 * after the window (`in` = 0, at or after its start). */
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

/* --connect-per-request: what a request that got a connection adds, when it finished in the window: its
 * connect time (from starting to open it to its setup done) and, when it succeeded (ok), its query time
 * (from the send to the answer). Nothing for a kept connection. */
static inline void engine_connect_parts(struct eng_thread *t, const struct bconn *c, int64_t now, int ok)
{
	if (c->t_ready)
		recorder_connect(t->rec, ns_to_us(c->t_ready - c->t_req), ok ? ns_to_us(now - c->t_start) : -1);
}
/* ---- run --script: a request is a script's commands in order on one connection ---- */

/* A connection's script request in progress, and its variables (bench/script.h). */
struct script_conn {
	struct script_state st;
	int script; /* the request's script */
	int cmd; /* its command in flight (an SQL statement), or next to run */
	int64_t t_stmt; /* when the statement in flight was sent */
	int rollback; /* a ROLLBACK is in flight after a failed request left a transaction open */
	const char **vals; /* room for a statement's parameters */
};

/* What engine_script_next did. */
enum script_next { SCRIPT_SENT, SCRIPT_SLEEP, SCRIPT_DONE, SCRIPT_FAILED, SCRIPT_LOST };

/* A new request on c: picks a script by weight and sets :offset and :page. */
void engine_script_begin(struct eng_thread *t, struct bconn *c);
/* Runs the request's commands from the current one: \set and \sleep of zero in the thread, until an SQL
 * statement is sent (SENT; send failed: LOST), a \sleep begins (SLEEP, *until = its end), the script ends
 * (DONE, c->outcome QUERY_OK) or a meta-command fails (FAILED: c->outcome QUERY_ERROR with its SQLSTATE). */
enum script_next engine_script_next(struct eng_thread *t, struct bconn *c, int64_t now, int64_t *until);
/* The statement in flight finished at now: records it (in the window) and moves past it unless it failed. */
void engine_script_stmt_end(struct eng_thread *t, struct bconn *c, int64_t now);
/* After a failed request: sends a ROLLBACK when it left a transaction open. 1 sent, 0 none needed, -1 lost. */
int engine_script_rollback(struct bconn *c);

/* engine_thread.c */

/* --connect-per-request: the request's connection could not be opened at `now`: the request counts as an
 * error in the window (bconn_failure_sqlstate) and as a connect error, and the failure is reported among
 * the step's first messages. */
void engine_connect_failed(struct eng_thread *t, const struct bconn *c, int64_t now);

/* Sends the next query on c (offset drawn, text built for the simple protocol); 1 sent, 0 failed. */
int engine_send(struct eng_thread *t, struct bconn *c);
/*
 * Takes one result of the query in flight into c->outcome; call it for every result until PQgetResult
 * returns NULL. The first result decides, and a later error overrides it (an error raised at commit
 * follows the statement's own result under the extended protocol). Returns 0, or -1 when the connection
 * cannot go on (a COPY: PQgetResult would return it forever): the query is an error (08P01) and the
 * caller closes the connection.
 */
int engine_result(struct engine_env *env, struct bconn *c, PGresult *r);
/* The connection of the query in flight died at `now`: the query counts as an error in the window (by the
 * server's SQLSTATE if it sent one, else SQLSTATE_CONNECTION_FAILURE) and the loss is reported unless the
 * server's error already was. */
void engine_query_lost(struct eng_thread *t, const struct bconn *c, int64_t now);
/* A lost connection could not be re-established: says so (among the step's first messages) and keeps it
 * as the run's first failure when there was none before. */
void engine_reconnect_failed(struct engine_env *env, const struct bconn *c);
/* Prints one of the first few messages of a step. */
void engine_message(struct engine_env *env, const char *what, const char *text);
/* Whether a completion at `now` falls in the measured window. */
int engine_in_window(const struct engine_env *env, int64_t now);
/* A thread's last act: closes its recorder's seconds up to the measured end fin and counts the thread
 * as finished (engine_done). */
void engine_thread_finish(struct eng_thread *t, int64_t fin);

#endif
