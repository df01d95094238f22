/*
 * step.h: one step of the sweep, run from start to end: open its connections (not timed), let an engine
 * issue the queries through the warm-up and the measured window while the per-second rows are collected,
 * then merge what the driver threads recorded, judge it, and write it to the results directory.
 */
#ifndef PGPB_STEP_H
#define PGPB_STEP_H

#include "bench/plan.h"
#include "bench/query.h"
#include "bench/recorder.h"
#include "resdir/write.h"
#include "bench/srvstats.h"
#include "bench/waits.h"
#include "bench/poolstats.h"

#include <libpq-fe.h>

/* A measured step: the view results.h writes, and the histograms it points at, owned here (step_free). */
struct step {
	struct step_result sr;
	struct hist lat, wait, service, uncorrected, lag, hiccup;
	struct wait_profile waits; /* where the server time went, when sampled (sr.waits points here) */
	struct hist connect, query; /* --connect-per-request */
	struct stmt_figures *stmts; /* run --script: one a statement (sr.stmts), their histograms in stmt_lat */
	struct hist *stmt_lat;
	int nstmts;
};

/* Progress lines on stderr while the steps run. */
struct progress {
	int on; /* print them */
	int tty; /* stderr is a terminal: one line rewritten in place, else a line a second */
	int nsteps;
	double step_span; /* warm-up plus measured time of a step, for the ETA */
};
/* Clears the progress line on a terminal before other output. */
void progress_clear(const struct progress *pr);

struct engine_fault; /* bench/engine_thread.h */

/* What every step of a run shares; owned by the run (bench/run.c). */
struct step_shared {
	const struct run_opts *o;
	int quiet; /* --quiet: no warnings about a saturated driver */
	PGconn *ctrl; /* the control connection: server snapshots, keyset keys */
	const struct srv_info *srv;
	struct recorder *recs; /* one a driver thread, as many as the busiest step needs */
	struct hist *scratch; /* merges one second of the recorders (REC_SECOND_DIGITS) */
	struct results *res; /* the results directory being written */
	const struct progress *progress;
	int threads; /* driver threads of the threads model (--threads) */
	long long qualifying; /* rows the queries page through, counted before the sweep */
	struct engine_fault *fault; /* the run's first query error and missing prepared statements */
	/* --start-at: step i's warm-up starts at sched_start + i x sched_slot (monotonic ns); 0 = no schedule */
	int64_t sched_start, sched_slot;
	struct waits_sampler *waits; /* the wait sampler, NULL when off */
	struct pool_admin *pool; /* a pooler's admin console (--pooler, --pooler-admin), else NULL */
};

/*
 * Runs step i (sd, replaying q) into st. *written = 1 when it was measured and written; st then keeps
 * the histograms the summary table reads (lat, and wait for a shared pool). Returns 0, or -1 on a
 * failure that ends the run (logged). step_free(st) in every case.
 */
int step_run(const struct step_shared *sh, const struct step_def *sd, int i, const struct run_query *q,
             struct step *st, int *written);
void step_free(struct step *st);

#endif
