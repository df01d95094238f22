/*
 * srvstats.h: the server's side of the run, read on the control connection: version and settings for
 * meta.json, and per step the pg_stat_database and pg_stat_statements counters diffed around the step,
 * so database cost can be told apart from client and network cost.
 */
#ifndef PGPB_SRVSTATS_H
#define PGPB_SRVSTATS_H

#include "common/ctx.h"
#include "resdir/figures.h" /* struct srv_diff */

#include <libpq-fe.h>

struct srv_info {
	char version[256];
	int version_num;
	char shared_buffers[32], work_mem[32], jit[16], max_connections[16];
	int pgss; /* pg_stat_statements usable */
	char pgss_schema[128]; /* where it is installed (added to the control connection's search_path) */
};

struct srv_snap {
	int have_db, have_pgss;
	long long xact_commit, blks_hit, blks_read;
	int have_sessions; /* PostgreSQL 14 and later */
	long long sessions;
	long long calls, plans, shared_hit, shared_read;
	double total_exec_ms, sumsq_exec_ms, total_plan_ms;
};

/* Reads version and settings; installs pg_stat_statements when preloaded and allowed (try_create). A role
 * without the privileges of pg_read_all_settings or pg_read_all_stats gets what it may see: what it may
 * not is skipped with one line naming the privilege. 0, or -1 (logged). */
int srv_info_get(PGconn *conn, struct srv_info *out, int try_create, int verbose);
/* Between steps: 0 when the control connection answers, or once it is re-established (ctx_reconnect, with
 * its pg_stat_statements path restored) within timeout_s; -1 when it is not (logged) or a signal came. */
int srv_reconnect(const struct pgpb_ctx *ctx, PGconn *conn, const struct srv_info *info, double timeout_s);
/* The pg_stat_statements query id of `sql` (EXPLAIN VERBOSE), 0 when unknown. For the simple protocol
 * pass the text the driver sends (nparams 0); otherwise nparams values (NULL: the single value "0"). */
long long srv_query_id(PGconn *conn, const char *sql, int nparams, const char *const *values);
void srv_snapshot(PGconn *conn, const struct srv_info *info, long long queryid, struct srv_snap *out);
void srv_diff(const struct srv_snap *a, const struct srv_snap *b, struct srv_diff *out);

#endif
