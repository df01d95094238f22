/*
 * poolstats.c: PgBouncer's admin console around each step (bench/poolstats.h). The console speaks only
 * the simple query protocol and answers from memory, so each SHOW is sent with PQsendQuery and waited for
 * at most a few seconds; a console that stops answering is closed with one warning and the steps after it
 * simply have no pooler figures (the run goes on: they are context, not the measurement).
 */
#include "bench/poolstats.h"
#include "common/ctx.h"
#include "common/log.h"
#include "common/sig.h"

#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ADMIN_WAIT_MS 5000

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Gives up on the console: one warning, and no more figures. */
static void lost(struct pool_admin *pa, const char *what, const char *why)
{
	char line[256];
	if (pa->opening)
		log_error("could not read the pooler's admin console (%s): %s", what,
		          log_firstline(why && *why ? why : "no answer", line, sizeof line));
	else
		log_warning("the pooler's admin console stopped answering (%s): %s; the steps from here have no pooler "
		            "figures", what, log_firstline(why && *why ? why : "no answer", line, sizeof line));
	PQfinish(pa->conn);
	pa->conn = NULL;
}

/* Runs one SHOW on the console; the result (tuples) or NULL (the console given up on, logged). */
static PGresult *show(struct pool_admin *pa, const char *sql)
{
	if (!pa->conn)
		return NULL;
	if (!PQsendQuery(pa->conn, sql)) {
		lost(pa, sql, PQerrorMessage(pa->conn));
		return NULL;
	}
	long long until = mono_ms() + ADMIN_WAIT_MS;
	PGresult *last = NULL;
	for (;;) {
		while (!PQisBusy(pa->conn)) {
			PGresult *r = PQgetResult(pa->conn);
			if (!r)
				goto done;
			PQclear(last);
			last = r;
		}
		long long left = until - mono_ms();
		if (left <= 0 || sig_caught()) {
			PQclear(last);
			lost(pa, sql, sig_caught() ? "interrupted" : "no answer within 5 s");
			return NULL;
		}
		struct pollfd p = { PQsocket(pa->conn), POLLIN, 0 };
		poll(&p, 1, left < 100 ? (int)left : 100);
		if (!PQconsumeInput(pa->conn)) {
			PQclear(last);
			lost(pa, sql, PQerrorMessage(pa->conn));
			return NULL;
		}
	}
done:
	if (PQresultStatus(last) != PGRES_TUPLES_OK) {
		lost(pa, sql, last ? PQresultErrorMessage(last) : PQerrorMessage(pa->conn));
		PQclear(last);
		return NULL;
	}
	return last;
}

/* The row of res whose column key equals v (and key2 equals v2 when given), or -1. */
static int find_row(const PGresult *res, const char *key, const char *v, const char *key2, const char *v2)
{
	int c = PQfnumber(res, key), c2 = key2 ? PQfnumber(res, key2) : -1;
	if (c < 0 || (key2 && c2 < 0))
		return -1;
	for (int i = 0; i < PQntuples(res); i++)
		if (strcmp(PQgetvalue(res, i, c), v) == 0 && (!key2 || strcmp(PQgetvalue(res, i, c2), v2) == 0))
			return i;
	return -1;
}

/* Column name of row i as a number; -1 when the column is missing. */
static long long num(const PGresult *res, int i, const char *name)
{
	int c = PQfnumber(res, name);
	return c < 0 || i < 0 ? -1 : strtoll(PQgetvalue(res, i, c), NULL, 10);
}

int pool_admin_open(struct pool_admin *pa, const char *conninfo, const char *db, const char *user)
{
	memset(pa, 0, sizeof *pa);
	pa->pool_size = pa->max_client_conn = -1;
	snprintf(pa->db, sizeof pa->db, "%s", db);
	snprintf(pa->user, sizeof pa->user, "%s", user);
	pa->conn = PQconnectdb(conninfo);
	if (!pa->conn || PQstatus(pa->conn) != CONNECTION_OK) {
		char buf[2048], line[512];
		conn_scrub(conninfo, pa->conn ? PQerrorMessage(pa->conn) : "out of memory", buf, sizeof buf);
		log_error("could not connect to the pooler's admin console: %s", log_firstline(buf, line, sizeof line));
		log_hint("--pooler-admin names PgBouncer's admin database (dbname=pgbouncer), as a user in its "
		         "admin_users or stats_users.");
		PQfinish(pa->conn);
		pa->conn = NULL;
		return -1;
	}
	pa->opening = 1;
	PGresult *res = show(pa, "SHOW VERSION");
	if (!res)
		return -1;
	snprintf(pa->version, sizeof pa->version, "%s", PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "");
	PQclear(res);
	if (strncmp(pa->version, "PgBouncer ", 10) != 0) {
		log_error("the pooler's admin console is not PgBouncer's (SHOW VERSION gave \"%s\")", pa->version);
		pool_admin_close(pa);
		return -1;
	}
	if ((res = show(pa, "SHOW DATABASES"))) {
		pa->pool_size = num(res, find_row(res, "name", db, NULL, NULL), "pool_size");
		PQclear(res);
	}
	if ((res = show(pa, "SHOW POOLS"))) {
		int i = find_row(res, "database", db, "user", user), c = PQfnumber(res, "pool_mode");
		if (i >= 0 && c >= 0)
			snprintf(pa->mode, sizeof pa->mode, "%s", PQgetvalue(res, i, c));
		PQclear(res);
	}
	if ((res = show(pa, "SHOW CONFIG"))) {
		int i = find_row(res, "key", "max_client_conn", NULL, NULL), c = PQfnumber(res, "value");
		if (i >= 0 && c >= 0)
			pa->max_client_conn = strtol(PQgetvalue(res, i, c), NULL, 10);
		if (!pa->mode[0] && (i = find_row(res, "key", "pool_mode", NULL, NULL)) >= 0 && c >= 0)
			snprintf(pa->mode, sizeof pa->mode, "%s", PQgetvalue(res, i, c));
		PQclear(res);
	}
	pa->opening = 0;
	return pa->conn ? 0 : -1;
}

void pool_admin_close(struct pool_admin *pa)
{
	PQfinish(pa->conn);
	pa->conn = NULL;
}

void pool_snapshot(struct pool_admin *pa, struct pool_snap *out)
{
	memset(out, 0, sizeof *out);
	PGresult *res = show(pa, "SHOW STATS");
	if (!res)
		return;
	int i = find_row(res, "database", pa->db, NULL, NULL);
	if (i >= 0) {
		out->xacts = num(res, i, "total_xact_count");
		out->queries = num(res, i, "total_query_count");
		out->query_us = num(res, i, "total_query_time");
		out->wait_us = num(res, i, "total_wait_time");
		out->have = out->xacts >= 0 && out->queries >= 0 && out->query_us >= 0 && out->wait_us >= 0;
	}
	PQclear(res);
}

long long pool_clients(struct pool_admin *pa)
{
	PGresult *res = show(pa, "SHOW POOLS");
	if (!res)
		return -1;
	int i = find_row(res, "database", pa->db, "user", pa->user);
	long long n = i < 0 ? 0 : num(res, i, "cl_active") + num(res, i, "cl_waiting");
	PQclear(res);
	return n;
}

void pool_wait_clients(struct pool_admin *pa, long long n, long wait_ms)
{
	long long until = mono_ms() + wait_ms;
	while (pa->conn && !sig_caught() && mono_ms() < until) {
		long long now = pool_clients(pa);
		if (now < 0 || now <= n)
			return;
		struct timespec ts = { 0, 10 * 1000000L };
		nanosleep(&ts, NULL);
	}
}

void pool_sample(struct pool_admin *pa, struct pool_diff *d)
{
	PGresult *res = show(pa, "SHOW POOLS");
	if (!res)
		return;
	int i = find_row(res, "database", pa->db, "user", pa->user);
	if (i >= 0) {
		long long waiting = num(res, i, "cl_waiting"), wait_s = num(res, i, "maxwait"), wait_us = num(res, i, "maxwait_us");
		long long servers = 0;
		static const char *const sv[] = { "sv_active", "sv_idle", "sv_used", "sv_tested", "sv_login" };
		for (size_t k = 0; k < sizeof sv / sizeof sv[0]; k++)
			servers += num(res, i, sv[k]) > 0 ? num(res, i, sv[k]) : 0;
		long long maxwait = wait_s * 1000000 + (wait_us > 0 ? wait_us : 0);
		if (waiting > d->cl_waiting_max)
			d->cl_waiting_max = waiting;
		if (maxwait > d->maxwait_max_us)
			d->maxwait_max_us = maxwait;
		if (servers > d->servers_max)
			d->servers_max = servers;
		long long clients = (num(res, i, "cl_active") > 0 ? num(res, i, "cl_active") : 0) + (waiting > 0 ? waiting : 0);
		if (clients > d->clients_max)
			d->clients_max = clients;
		d->samples++;
	}
	PQclear(res);
}

/* ---- the probe for a transaction pooler -------------------------------------------------------- */

#define PROBE_WAIT_MS 2000

/* Waits at most ms for conn's socket (a signal ends it early). */
static void wait_sock(PGconn *conn, short ev, long long ms)
{
	struct pollfd p = { PQsocket(conn), ev, 0 };
	poll(&p, 1, ms < 100 ? (int)ms : 100);
}

/* Connects the second client within PROBE_WAIT_MS; NULL when it could not. */
static PGconn *probe_connect(const struct ctx_conninfo *ci)
{
	PGconn *c = PQconnectStartParams(ci->keys, ci->vals, 1);
	long long until = mono_ms() + PROBE_WAIT_MS;
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	while (c && PQstatus(c) != CONNECTION_BAD && st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
		long long left = until - mono_ms();
		if (left <= 0 || sig_caught())
			break;
		wait_sock(c, st == PGRES_POLLING_READING ? POLLIN : POLLOUT, left);
		st = PQconnectPoll(c);
	}
	if (c && st == PGRES_POLLING_OK && PQstatus(c) == CONNECTION_OK)
		return c;
	PQfinish(c);
	return NULL;
}

/* One statement on the second client within PROBE_WAIT_MS: its one-value answer in out, 0; -1 when it
 * failed or did not answer in time (a pool with no server session free). */
static int probe_exec(PGconn *c, const char *sql, char *out, size_t len)
{
	if (!PQsendQuery(c, sql))
		return -1;
	long long until = mono_ms() + PROBE_WAIT_MS;
	int ok = 1;
	for (;;) {
		while (!PQisBusy(c)) {
			PGresult *r = PQgetResult(c);
			if (!r)
				return ok ? 0 : -1;
			ExecStatusType s = PQresultStatus(r);
			if (s == PGRES_TUPLES_OK && PQntuples(r) == 1 && out)
				snprintf(out, len, "%s", PQgetvalue(r, 0, 0));
			else if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
				ok = 0;
			PQclear(r);
		}
		long long left = until - mono_ms();
		if (left <= 0 || sig_caught())
			return -1;
		wait_sock(c, POLLIN, left);
		if (!PQconsumeInput(c))
			return -1;
	}
}

/* ctrl's server process id now (its own transaction), or -1. */
static long ctrl_pid(PGconn *ctrl)
{
	PGresult *r = ctx_exec(ctrl, "asking for the server's process id", "SELECT pg_backend_pid()", 0, NULL);
	long pid = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 ? atol(PQgetvalue(r, 0, 0)) : -1;
	PQclear(r);
	return pid;
}

int pool_probe(PGconn *ctrl, const struct ctx_conninfo *ci, char *what, size_t len)
{
	long x1 = ctrl_pid(ctrl);
	snprintf(what, len, "the server talks to this connection directly");
	if (x1 < 0 || x1 == (long)PQbackendPID(ctrl))
		return -1;
	long x2 = ctrl_pid(ctrl);
	if (x2 < 0)
		return -1;
	if (x2 != x1) {
		snprintf(what, len, "two transactions of one connection ran in server processes %ld and %ld", x1, x2);
		return 1;
	}
	snprintf(what, len, "a pooler is in front of the server (process id %d given, %ld serving)", PQbackendPID(ctrl), x1);
	PGconn *b = probe_connect(ci);
	char pid[32] = "";
	int proven = 0;
	if (b && probe_exec(b, "BEGIN", NULL, 0) == 0 && probe_exec(b, "SELECT pg_backend_pid()", pid, sizeof pid) == 0 &&
	    atol(pid) == x2) {
		snprintf(what, len, "another connection's transaction was handed server process %ld, which had just "
		         "served this one", x2);
		proven = 1;
	}
	PQfinish(b); /* its transaction ends with it */
	return proven;
}

void pool_diff(const struct pool_snap *a, const struct pool_snap *b, struct pool_diff *d)
{
	d->have = a->have && b->have;
	if (!d->have)
		return;
	d->xacts = b->xacts - a->xacts;
	d->queries = b->queries - a->queries;
	d->wait_us = b->wait_us - a->wait_us;
	d->wait_mean_us = d->xacts > 0 ? (double)d->wait_us / (double)d->xacts : 0;
	d->query_mean_us = d->queries > 0 ? (double)(b->query_us - a->query_us) / (double)d->queries : 0;
}
