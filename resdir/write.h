/*
 * write.h: the writing half of the results directory (docs/results.md): meta.json, steps.csv,
 * intervals.csv, one .hgrm and one .hlog a step and summary.json, each written as the run goes so an
 * interrupted run keeps its finished steps. The driver (bench/run.c) fills a struct step_result a step; resdir/read.h
 * reads the same files back.
 *
 * A step's figures arrive as histograms (common/hist.h) and the plain figures of resdir/figures.h, so the
 * format includes nothing of the driver's. A step is written all or nothing, so steps.csv and summary.json
 * always list the same steps, even when the disk fills up.
 */
#ifndef PGPB_RESDIR_WRITE_H
#define PGPB_RESDIR_WRITE_H

#include "common/hist.h"
#include "resdir/figures.h"
#include "resdir/hlog.h"
#include "resdir/steps.h"
#include "resdir/waits.h"

#include <jansson.h>
#include <stdio.h>

struct step_result {
	char id[64];
	const char *model, *query;
	long connections, workers, loops; /* loops 0 = not applicable */
	int mix;
	long offset;
	int threads;
	double duration_s, connect_s, client_cpu_s;
	uint64_t ok, errors, verrors, reconnects;
	double rate; /* open loop target, 0 = closed loop */
	const struct hist *lat;
	const struct hist *wait, *service; /* shared pool, else NULL */
	const struct hist *uncorrected, *lag; /* open loop, else NULL */
	uint64_t late_starts;
	struct rec_code codes[STEP_CODES_MAX];
	int ncodes;
	struct srv_diff srv;
	int partial;
	long long qualifying; /* rows the query pages through, -1 when not known for this query */
	int empty_pages; /* 1: the offset is at or past them; 0: not; -1: unknown (an offset mix) */
	uint64_t dropped; /* open loop: queries due in the measured time and never sent */
	/* the window's edges: queries in flight at its start (or finished before the server's snapshot
	 * returned) and at its end; server_calls must lie within ok + validation errors minus the first and
	 * plus the second */
	uint64_t inflight_start, inflight_end;
	int split; /* the server/client split: SPLIT_NONE (no pg_stat_statements), SPLIT_UNRELIABLE, SPLIT_OK */
	double split_error_us; /* how far the mean server time may exceed the client mean from the edges alone */
	const struct hist *hiccup; /* the driver threads' hiccups (how late they woke), microseconds */
	int saturated; /* the driver was too late for the latencies to be PostgreSQL's */
	char saturated_why[256];
	double start_epoch_s; /* the measured window's start, seconds since the epoch (the .hlog's StartTime);
	                       * 0: not known, taken as the step's end minus its duration */
	/* a step on a schedule (run --start-at): how late its warm-up began after its slot, and whether that
	 * was more than 1% of the duration (its window then misses other hosts'); scheduled 0 = no schedule */
	int scheduled, start_slipped;
	double start_late_s;
	const struct wait_profile *waits; /* where the server time went (waits.csv), NULL when not sampled */
	struct pool_diff pool; /* a pooler's figures over the window (have = 0 without one) */
	/* --connect-per-request (else NULL and 0): the requests finished in the window that opened their
	 * connection (connects), how long opening and setting it up took (connect_time) and the query alone from send
	 * to answer (query_time, successful ones); requests whose connect failed (also in errors) */
	const struct hist *connect_time, *query_time;
	uint64_t connects, connect_errors;
	const struct stmt_figures *stmts; /* run --script: each statement's figures (statements.csv), else NULL */
	int nstmts;
};

/* The achieved share of the target rate (ok / duration / rate); -1 for a closed-loop step. */
double results_rate_ratio(const struct step_result *s);

enum { SPLIT_NONE = -1, SPLIT_UNRELIABLE = 0, SPLIT_OK = 1 };
/* The split's error may be at most this share of the client mean for the split to be reliable. */
#define SPLIT_MAX_ERROR 0.10
/* The driver is saturated when its hiccup p99 exceeds this share of the latency p50 (and HICCUP_FLOOR_US). */
#define HICCUP_MAX_SHARE 0.10
#define HICCUP_FLOOR_US 1000

/*
 * The results directory is owned: a run holds an exclusive flock on RESULTS_LOCK_FILE inside it for as
 * long as it writes there (its pid inside, for the message of the run refused). While the run goes, the
 * reserve file keeps enough disk space to write the final meta.json and summary.json: a full disk then
 * still ends with the run's status written.
 */
#define RESULTS_LOCK_FILE ".pgpagebench.lock"
#define RESULTS_RESERVE_FILE ".pgpagebench.reserve"

/*
 * Takes the existing directory dir for a run: locks it (refusing a directory another run holds, naming
 * that run's pid) and refuses one that already holds a run's files unless force, which removes the files
 * the tool writes there (and only those) and says which. Returns the lock's descriptor, to release with
 * results_unlock once the run and its charts are done, or -1 (logged once).
 */
int results_claim(const char *dir, int force);
void results_unlock(int lock_fd);

struct results {
	char dir[4096];
	int steps_fd, intervals_fd, reserve_fd; /* -1 when not open */
	int waits_fd; /* waits.csv, created with the first step that has a wait profile; -1 until then */
	long long waits_len; /* bytes of whole rows in waits.csv */
	long long steps_len, intervals_len; /* bytes of whole rows written: a failed append is cut back to it */
	long long reserve_len; /* bytes the reserve holds */
	struct steps_buf seconds; /* intervals.csv rows of the step being run, written with its steps.csv row */
	struct hlog_seconds hlog; /* the same seconds' histograms, for the step's .hlog */
	int hlog_failed; /* a second could not be encoded: the step's .hlog, and so the step, cannot be written */
	json_t *meta; /* owned */
	json_t *steps_json; /* owned: summary.json's steps, as the file on disk lists them */
	size_t meta_size, summary_size; /* of the files as last written */
	int failed; /* a write failed and was reported: later ones are not reported again */
	int statements_fd; /* run --script: statements.csv (results_statements), else -1 */
	long long statements_len;
};

/* Creates the files (meta.json with status "running") in a claimed directory; takes ownership of meta.
 * 0 or -1 (logged; results_close still to be called). */
int results_open(struct results *r, const char *dir, json_t *meta);
/* run --script: creates statements.csv (one row a step and statement, written with each step). 0 or -1. */
int results_statements(struct results *r);
/* statements.csv's header line. */
#define RESULTS_STATEMENTS_HEADER "step,script,weight,statement,line,ok,errors,mean_us,p50_us,p99_us,max_us,sql\n"
/* Keeps one second's row for intervals.csv; it is written with its step (results_step). */
int results_interval(struct results *r, const char *step, const struct interval *iv);
/*
 * Writes the step: its .hgrm tables, its .hlog, its intervals.csv rows and its steps.csv row, and summary.json with
 * it. All or nothing: on a fault (a full disk) every file is left as it was before the step, the fault is
 * logged once and -1 returned; the run should then stop (later calls fail without a message).
 */
int results_step(struct results *r, const struct step_result *s);
/* A table of the run besides steps.csv and intervals.csv (a merged run's hosts.csv and host-intervals.csv,
 * resdir/merge.h), written whole under name (temporary file + rename). 0, or -1 (logged once). */
int results_table(struct results *r, const char *name, const char *text, size_t n);
/* An error the caller already reported ended the run: results_close will not report another. */
void results_quiet(struct results *r);
/* Final meta.json and summary.json with status and finished_at; closes everything. 0, or -1 (logged
 * unless a fault was reported before). */
int results_close(struct results *r, const char *status);

/* After the run (its directory still claimed): adds key = value (taken) at the top of summary.json,
 * replaced whole through a temporary file. 0, or -1 (logged). */
int results_record(const char *dir, const char *key, json_t *value);

/* ISO 8601 UTC of now. */
void results_now_iso(char *buf, size_t len);

#endif
