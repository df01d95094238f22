/*
 * figures.h: the plain figures a run's files hold that the driver measures: one second of a step (a row of
 * intervals.csv), an SQLSTATE and its count, and the server's counters over a step's window. The driver
 * (bench/recorder.c, bench/srvstats.c) produces them and resdir/write.c writes them; they are defined
 * here, in the results format, so that the format depends on nothing above it.
 */
#ifndef PGPB_RESDIR_FIGURES_H
#define PGPB_RESDIR_FIGURES_H

#include <stdint.h>

/* One second of a step: a row of intervals.csv. */
struct interval {
	long second; /* 1-based */
	uint64_t queries, errors, verrors;
	int64_t p50_us, p99_us, max_us; /* 0 when no query finished in that second */
};

/* A SQLSTATE and how many queries ended with it (errors_by_code in summary.json). */
struct rec_code {
	char code[6];
	uint64_t n;
};
#define STEP_CODES_MAX 128 /* distinct SQLSTATEs a step reports; the rest are folded into the last */

/* One step's differences of the server's counters; a field is meaningful only when its have_ flag is set. */
struct srv_diff {
	int have_db, have_pgss, have_plan;
	long long xact_commit, blks_hit, blks_read;
	long long calls, shared_hit, shared_read;
	double mean_exec_us, stddev_exec_us, mean_plan_us;
};

/* run --script: one statement of one script over a step (statements.csv, summary.json's "statements"). */
struct hist;
struct stmt_figures {
	const char *script; /* the script's file name as given */
	int weight;
	int index; /* the statement's number in the run (0-based, in script order) */
	int line; /* where it starts in its file */
	const char *sql; /* as written */
	uint64_t ok, errors;
	const struct hist *lat; /* successful executions, microseconds */
};

#endif
