/*
 * recorder.h: what one driver thread measures during a step: the step's latency histogram, counts,
 * errors by SQLSTATE, and per-second slices handed to the main thread through a small ring, so memory
 * stays fixed however long the step runs. Recording takes no lock and allocates nothing.
 * Every engine (event loop, shared pool, async) records through this, so result files never change.
 */
#ifndef PGPB_RECORDER_H
#define PGPB_RECORDER_H

#include "common/hist.h"
#include "resdir/figures.h" /* struct interval, struct rec_code */

#include <stdatomic.h>
#include <stdint.h>

#define REC_RING 8 /* seconds a thread may run ahead of the main thread's collection */
#define REC_CODES 32 /* distinct SQLSTATEs kept per thread; the rest count as "other" */
#define REC_SECOND_DIGITS 2 /* per-second percentiles: 2 significant digits (fixed small memory) */

struct rec_second {
	struct hist h;
	uint64_t ok, errors, verrors;
};

/* Which extra distributions a run keeps (the shared pool and open-loop models). */
enum { REC_WAIT = 1, /* shared pool: time waiting for a connection, and time holding it */
       REC_OPEN = 2, /* open loop: latency from the actual send, and schedule lag */
       REC_CONNECT = 4 /* --connect-per-request: connect time, and query time from send to answer */ };

/* run --script: one statement's figures in one thread (bench/script.h numbers the statements). */
struct stmt_stat {
	struct hist lat; /* successful executions, microseconds */
	uint64_t ok, errors;
};

/* One a thread, written on every query: 64-byte aligned (see run.c) so two threads never share a line. */
struct recorder {
	_Alignas(64) struct hist lat; /* latency of successful queries, the step's histogram (open loop: from the intended start) */
	int flags;
	struct hist wait, service; /* REC_WAIT */
	struct hist uncorrected, lag; /* REC_OPEN */
	uint64_t late_starts; /* REC_OPEN: queries sent later than their schedule allowed */
	uint64_t dropped; /* REC_OPEN: queries due in the measured time but never sent (k6's dropped_iterations) */
	struct rec_second ring[REC_RING];
	long cur; /* current second (0-based from the measured start), -1 before the first */
	_Atomic long closed; /* seconds < closed are complete: written by the owner thread */
	_Atomic long consumed; /* seconds < consumed were collected: written by the main thread */
	const atomic_int *stop; /* ends a wait for the ring when the run stops */
	uint64_t ok, errors, verrors, reconnects;
	/* the measured window's edges, for matching the server's counts: successful queries (ok or validation
	 * error) counted in the window that were sent before it began or finished before its start snapshot
	 * returned; and queries in flight when it ended (finished after it, or abandoned) */
	uint64_t edge_start, edge_end;
	struct hist hiccup; /* hiccup meter: how late the thread woke against its tick, in the window */
	/* REC_CONNECT, for the requests finished in the window that got a connection: how many (connects), the
	 * time from starting to open it to its setup done (connect), and from sending the query to its answer
	 * (query, successful queries only); connect_errors: requests whose connection could not be opened (also
	 * in errors, by SQLSTATE) */
	struct hist connect, query;
	uint64_t connects, connect_errors;
	struct rec_code codes[REC_CODES];
	int ncodes;
	struct stmt_stat *stmts; /* run --script: one a statement (recorder_stmts), else NULL */
	int nstmts;
};

int recorder_init(struct recorder *r, const atomic_int *stop, int flags);
void recorder_free(struct recorder *r);
/* run --script: keeps n statements' figures too. */
void recorder_stmts(struct recorder *r, int n);
/* A statement's execution that finished in the window: its latency (ok) or an error. */
static inline void recorder_stmt(struct recorder *r, int stmt, int ok, int64_t us)
{
	struct stmt_stat *s = &r->stmts[stmt];
	if (ok) {
		s->ok++;
		hist_record(&s->lat, us);
	} else {
		s->errors++;
	}
}
/* Before each step. */
void recorder_reset(struct recorder *r);
/* Owner thread: make `sec` current, closing the seconds before it (waits if the ring is full). */
void recorder_advance(struct recorder *r, long sec);
static inline void recorder_ok(struct recorder *r, long sec, int64_t us);
/* A successful query with its parts; a negative part is not recorded. */
void recorder_ok_parts(struct recorder *r, long sec, int64_t us, int64_t wait_us, int64_t service_us,
                       int64_t uncorrected_us, int64_t lag_us);
void recorder_error(struct recorder *r, long sec, const char *sqlstate);
void recorder_verror(struct recorder *r, long sec);
/* REC_CONNECT: a request that opened its connection, with its connect time and (query_us >= 0, successful
 * queries) its query time. Recorded beside recorder_ok/_error/_verror of the same request. */
void recorder_connect(struct recorder *r, int64_t connect_us, int64_t query_us);
/* Owner thread, at the end: closes every second up to and including last (-1: none measured). */
void recorder_finish(struct recorder *r, long last);

/* One row of intervals.csv. */
/* Main thread: when every recorder has closed `sec`, merges that second into *out (scratch is a hist of
 * REC_SECOND_DIGITS), marks it consumed and returns 1; otherwise returns 0. */
int recorder_collect(struct recorder *rs, int n, long sec, struct hist *scratch, struct interval *out);
/* Main thread, after the threads ended: the number of seconds closed by all (extends the laggards). */
long recorder_seconds(struct recorder *rs, int n);

/* ---- inline ---- */
static inline void recorder_ok(struct recorder *r, long sec, int64_t us)
{
	if (sec != r->cur)
		recorder_advance(r, sec);
	struct rec_second *s = &r->ring[sec % REC_RING];
	hist_record(&r->lat, us);
	hist_record(&s->h, us);
	s->ok++;
	r->ok++;
}

#endif
