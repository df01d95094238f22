/*
 * figures.h: the plain figures a run's files hold that the driver measures: one second of a step (a row of
 * intervals.csv), an SQLSTATE and its count, and the server's counters over a step's window. The driver
 * (bench/recorder.c, bench/srvstats.c) produces them and resdir/write.c writes them; they are defined
 * here, in the results format, so that the format depends on nothing above it.
 */
#ifndef PGPB_RESDIR_FIGURES_H
#define PGPB_RESDIR_FIGURES_H

#include <stdint.h>

struct hist;

/* One second of a step: a row of intervals.csv. */
struct interval {
	long second; /* 1-based */
	uint64_t queries, errors, verrors;
	int64_t p50_us, p99_us, max_us; /* 0 when no query finished in that second */
	const struct hist *hist; /* the second's latencies (the step's .hlog line), valid until the next
	                          * second is collected; NULL when not kept */
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
	int have_sessions; /* PostgreSQL 14 and later: pg_stat_database.sessions */
	long long sessions; /* sessions the server counted in the window (a backend reports its own soon after it starts) */
};

/* One step's figures from a pooler's admin console (PgBouncer's SHOW STATS diffed around the window, SHOW
 * POOLS sampled through it); meaningful only when have is set. */
struct pool_diff {
	int have;
	long long xacts, queries; /* transactions and queries the pooler passed on in the window */
	long long wait_us; /* time its clients waited for a server connection in the window, summed */
	double wait_mean_us; /* wait_us per transaction */
	double query_mean_us; /* the server's time per query as the pooler saw it */
	long long cl_waiting_max; /* most clients waiting for a server at one sample */
	long long maxwait_max_us; /* the longest wait of a waiting client at one sample */
	long long servers_max; /* most server connections open at one sample */
	long long clients_max; /* most client connections it held (active and waiting) at one sample */
	long samples; /* SHOW POOLS samples taken in the window */
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
