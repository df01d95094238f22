/*
 * srvstats.c: server-side counters around each step. pg_stat_statements is found by the query id that
 * EXPLAIN VERBOSE reports for the exact statement the driver sends, so the figures are the query's own
 * and not the whole server's. pg_stat_database is flushed by backends about once a second, so on very
 * short steps its differences lag behind (docs/results.md says so).
 */
#include "bench/srvstats.h"
#include "common/log.h"
#include "common/sig.h"
#include "common/sqlfiles.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "42501": the role lacks a privilege. */
static int denied(const PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	return state && strcmp(state, "42501") == 0;
}

/* The first line of why a statement failed; never empty. */
static const char *first_line(const PGresult *res, PGconn *conn, char *buf, unsigned len)
{
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *line = log_firstline(msg && *msg ? msg : PQerrorMessage(conn), buf, len);
	return *line ? line : "no message from the server";
}

/* The version alone, when the settings are out of the role's reach. 0 or -1 (logged). */
static int version_only(PGconn *conn, struct srv_info *out)
{
	PGresult *res = ctx_exec(conn, "reading the server's version",
	                         "SELECT version(), current_setting('server_version_num')", 0, NULL);
	int ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
	if (ok) {
		snprintf(out->version, sizeof out->version, "%s", PQgetvalue(res, 0, 0));
		out->version_num = atoi(PQgetvalue(res, 0, 1));
	} else {
		char line[512];
		log_error("could not read the server's version: %s", first_line(res, conn, line, sizeof line));
	}
	PQclear(res);
	return ok ? 0 : -1;
}

/* Whether pg_stat_statements answers (its library loaded, the role allowed): asked when the role cannot see
 * shared_preload_libraries. 1 usable, 0 not. */
static int pgss_probe(PGconn *conn)
{
	PGresult *res = ctx_exec(conn, "looking for pg_stat_statements",
	                         "SELECT 1 FROM pg_stat_statements(false) LIMIT 1", 0, NULL);
	int ok = PQresultStatus(res) == PGRES_TUPLES_OK;
	if (!ok && denied(res)) {
		char line[512];
		log_info("pg_stat_statements figures skipped: %s", first_line(res, conn, line, sizeof line));
	}
	PQclear(res);
	return ok;
}

/* Adds pg_stat_statements' schema to conn's search_path. 0 or -1. */
static int pgss_path(PGconn *conn, const char *schema)
{
	const char *params[1] = { schema };
	PGresult *res = ctx_exec(conn, "setting search_path", sql_get("bench/pgss_path"), 1, params);
	int ok = PQresultStatus(res) == PGRES_TUPLES_OK;
	PQclear(res);
	return ok ? 0 : -1;
}

int srv_info_get(PGconn *conn, struct srv_info *out, int try_create, int verbose)
{
	memset(out, 0, sizeof *out);
	PGresult *res = ctx_exec(conn, "reading the server's settings", sql_get("bench/server_info"), 0, NULL);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		char line[512];
		first_line(res, conn, line, sizeof line);
		int skip = denied(res);
		PQclear(res);
		if (!skip) {
			log_error("could not read the server's settings: %s", line);
			return -1;
		}
		log_info("server settings not recorded: the role lacks the privileges of pg_read_all_settings (%s)", line);
		return version_only(conn, out);
	}
	snprintf(out->version, sizeof out->version, "%s", PQgetvalue(res, 0, 0));
	out->version_num = atoi(PQgetvalue(res, 0, 1));
	snprintf(out->shared_buffers, sizeof out->shared_buffers, "%s", PQgetvalue(res, 0, 2));
	snprintf(out->work_mem, sizeof out->work_mem, "%s", PQgetvalue(res, 0, 3));
	snprintf(out->jit, sizeof out->jit, "%s", PQgetvalue(res, 0, 4));
	snprintf(out->max_connections, sizeof out->max_connections, "%s", PQgetvalue(res, 0, 5));
	/* shared_preload_libraries is hidden from a role without pg_read_all_settings (NULL): then ask the view */
	int hidden = PQgetisnull(res, 0, 6);
	int loaded = !hidden && PQgetvalue(res, 0, 6)[0] == 't', installed = PQgetvalue(res, 0, 7)[0] == 't';
	PQclear(res);
	if (loaded && !installed && try_create) {
		res = ctx_exec(conn, "installing pg_stat_statements", sql_get("bench/pgss_create"), 0, NULL);
		installed = PQresultStatus(res) == PGRES_COMMAND_OK;
		if (!installed && verbose) {
			char line[512];
			log_info("pg_stat_statements not installed: %s", first_line(res, conn, line, sizeof line));
		}
		PQclear(res);
	}
	if ((loaded || hidden) && installed) {
		res = ctx_exec(conn, "reading the server's settings", sql_get("bench/server_info"), 0, NULL);
		const char *schema = PQresultStatus(res) == PGRES_TUPLES_OK && !PQgetisnull(res, 0, 8) ? PQgetvalue(res, 0, 8) : "public";
		snprintf(out->pgss_schema, sizeof out->pgss_schema, "%s", schema);
		PQclear(res);
		out->pgss = pgss_path(conn, out->pgss_schema) == 0 && (!hidden || pgss_probe(conn));
	}
	return 0;
}

int srv_reconnect(const struct pgpb_ctx *ctx, PGconn *conn, const struct srv_info *info, double timeout_s)
{
	char why[512];
	if (PQstatus(conn) == CONNECTION_BAD) /* found closed by a statement of the last step */
		snprintf(why, sizeof why, "the server closed it");
	else if (ctx_ping(conn, why, sizeof why) == 0)
		return 0;
	if (sig_caught() || ctx_reconnect(ctx, conn, "the control connection", why, timeout_s) < 0)
		return -1;
	if (info->pgss && pgss_path(conn, info->pgss_schema) < 0)
		log_warning("pg_stat_statements is out of reach after reconnecting: its figures may be missing");
	return 0;
}

long long srv_query_id(PGconn *conn, const char *sql, int nparams, const char *const *values)
{
	char *text = NULL;
	if (asprintf(&text, "EXPLAIN (VERBOSE, FORMAT JSON) %s", sql) < 0)
		return 0;
	const char *zero[1] = { "0" };
	PGresult *res = ctx_exec(conn, "finding the query's pg_stat_statements id", text, nparams, values ? values : zero);
	free(text);
	long long id = 0;
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		json_error_t err;
		json_t *j = json_loads(PQgetvalue(res, 0, 0), 0, &err);
		json_t *first = json_is_array(j) ? json_array_get(j, 0) : NULL;
		json_t *qid = first ? json_object_get(first, "Query Identifier") : NULL;
		if (json_is_integer(qid))
			id = (long long)json_integer_value(qid);
		json_decref(j);
	}
	PQclear(res);
	return id;
}

static void snapshot_pgss(PGconn *conn, long long queryid, struct srv_snap *out);

void srv_snapshot(PGconn *conn, const struct srv_info *info, long long queryid, struct srv_snap *out)
{
	memset(out, 0, sizeof *out);
	/* pg_stat_statements first: its counts are matched against the client's at the window's edge */
	if (info->pgss && queryid)
		snapshot_pgss(conn, queryid, out);
	int sessions = info->version_num >= 140000; /* pg_stat_database.sessions is new in 14 */
	PGresult *res = ctx_exec(conn, "reading the server's counters",
	                         sql_get(sessions ? "bench/stat_database_sessions" : "bench/stat_database"), 0, NULL);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		out->have_db = 1;
		out->xact_commit = atoll(PQgetvalue(res, 0, 1));
		out->blks_hit = atoll(PQgetvalue(res, 0, 2));
		out->blks_read = atoll(PQgetvalue(res, 0, 3));
		if (sessions && PQnfields(res) > 4 && !PQgetisnull(res, 0, 4)) {
			out->have_sessions = 1;
			out->sessions = atoll(PQgetvalue(res, 0, 4));
		}
	}
	PQclear(res);
}

static void snapshot_pgss(PGconn *conn, long long queryid, struct srv_snap *out)
{
	char idbuf[32];
	snprintf(idbuf, sizeof idbuf, "%lld", queryid);
	const char *params[1] = { idbuf };
	PGresult *res = ctx_exec(conn, "reading pg_stat_statements", sql_get("bench/stat_statements"), 1, params);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		out->have_pgss = 1;
		out->calls = atoll(PQgetvalue(res, 0, 0));
		out->total_exec_ms = atof(PQgetvalue(res, 0, 1));
		out->sumsq_exec_ms = atof(PQgetvalue(res, 0, 2));
		out->plans = atoll(PQgetvalue(res, 0, 3));
		out->total_plan_ms = atof(PQgetvalue(res, 0, 4));
		out->shared_hit = atoll(PQgetvalue(res, 0, 5));
		out->shared_read = atoll(PQgetvalue(res, 0, 6));
	}
	PQclear(res);
}

void srv_diff(const struct srv_snap *a, const struct srv_snap *b, struct srv_diff *out)
{
	memset(out, 0, sizeof *out);
	if (a->have_db && b->have_db) {
		out->have_db = 1;
		out->xact_commit = b->xact_commit - a->xact_commit;
		out->blks_hit = b->blks_hit - a->blks_hit;
		out->blks_read = b->blks_read - a->blks_read;
	}
	if (a->have_sessions && b->have_sessions) {
		out->have_sessions = 1;
		out->sessions = b->sessions - a->sessions;
	}
	if (a->have_pgss && b->have_pgss) {
		out->have_pgss = 1;
		out->calls = b->calls - a->calls;
		out->shared_hit = b->shared_hit - a->shared_hit;
		out->shared_read = b->shared_read - a->shared_read;
		if (out->calls > 0) {
			double n = (double)out->calls, s = b->total_exec_ms - a->total_exec_ms;
			double q = b->sumsq_exec_ms - a->sumsq_exec_ms, mean = s / n, var = q / n - mean * mean;
			out->mean_exec_us = mean * 1000.0;
			out->stddev_exec_us = var > 0 ? sqrt(var) * 1000.0 : 0;
		}
		long long plans = b->plans - a->plans;
		if (plans > 0) {
			out->have_plan = 1;
			out->mean_plan_us = (b->total_plan_ms - a->total_plan_ms) / (double)plans * 1000.0;
		}
	}
}
