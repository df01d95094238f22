/*
 * conn.c: opening benchmark connections. Every connection is a small state machine driven by socket
 * readiness (PQconnectStartParams/PQconnectPoll, then SET default_transaction_read_only, SET search_path
 * and PREPARE sent asynchronously),
 * so the opener can start 500 connects at once and the event loop can re-establish a lost connection
 * without stopping the others.
 */
#include "bench/conn.h"
#include "common/alloc.h"
#include "common/cluster.h"
#include "common/log.h"
#include "common/sig.h"

#include <libpqtypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define READ_ONLY_SQL "SET default_transaction_read_only = on"
#define SQLSTATE_DUPLICATE_PREPARED "42P05"

int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int conn_params_init(struct conn_params *cp, const struct pgpb_ctx *ctx, const char *sql, int nparams,
                     enum run_protocol protocol)
{
	memset(cp, 0, sizeof *cp);
	/* the same keywords ctx_connect uses, so -h/-p/-U/-d and --ephemeral mean the same thing here; through
	 * the temporary cluster's pooler when it has one */
	ctx_conninfo_load(ctx, "pgpagebench run worker", &cp->ci);
	/* a name of the run's own, set explicitly (after dbname: it overrides one a conninfo gives), by
	 * which the wait sampler finds the run's backends in pg_stat_activity */
	conn_worker_appname(cp->appname, sizeof cp->appname);
	int n = 0;
	while (cp->ci.keys[n])
		n++;
	cp->ci.keys[n] = "application_name", cp->ci.vals[n++] = cp->appname;
	cp->ci.keys[n] = NULL, cp->ci.vals[n] = NULL;
	if (ctx->schema) {
		static const char fmt[] = "SET search_path = %s, pg_catalog";
		char *ident = ctx_schema_ident(ctx);
		size_t len = sizeof fmt + strlen(ident);
		cp->search_path_sql = pgpb_malloc(len);
		snprintf(cp->search_path_sql, len, fmt, ident);
		free(ident);
	}
	cp->sql = sql;
	cp->nparams = nparams;
	cp->protocol = protocol;
	cp->stmt_name = "pgpagebench";
	return 0;
}

void conn_worker_appname(char *buf, size_t len)
{
	snprintf(buf, len, "pgpagebench run worker %ld", (long)getpid());
}

void conn_params_free(struct conn_params *cp)
{
	free(cp->search_path_sql);
	cp->search_path_sql = NULL;
}

static void set_err(struct bconn *c, const char *msg)
{
	char line[256];
	snprintf(c->err, sizeof c->err, "%s", log_firstline(msg && *msg ? msg : "unknown error", line, sizeof line));
}

/* A setup statement's failure: its message and the server's SQLSTATE. */
static void set_result_err(struct bconn *c, const PGresult *r)
{
	const char *code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	snprintf(c->err_sqlstate, sizeof c->err_sqlstate, "%s", code ? code : "");
	set_err(c, PQresultErrorMessage(r));
}

int bconn_start(struct bconn *c, const struct conn_params *cp)
{
	c->pg = PQconnectStartParams(cp->ci.keys, cp->ci.vals, 1);
	c->phase = BC_PHASE_CONNECT;
	c->unusable = 0;
	c->err[0] = '\0';
	c->err_sqlstate[0] = '\0';
	if (!c->pg || PQstatus(c->pg) == CONNECTION_BAD) {
		set_err(c, c->pg ? PQerrorMessage(c->pg) : "out of memory");
		c->state = BC_FAILED;
		return -1;
	}
	c->state = BC_CONNECTING;
	c->events = POLLOUT;
	c->fd = PQsocket(c->pg);
	return 0;
}

/* Sends the next setup statement, or declares the connection ready. */
static enum bconn_state next_setup(struct bconn *c, const struct conn_params *cp)
{
	int sent = 0;
	if (c->phase == BC_PHASE_CONNECT) {
		c->phase = BC_PHASE_READ_ONLY;
		if (cp->read_only) {
			if (!PQsendQuery(c->pg, READ_ONLY_SQL))
				goto fail;
			sent = 1;
		}
	}
	if (!sent && c->phase == BC_PHASE_READ_ONLY) {
		c->phase = BC_PHASE_SEARCH_PATH;
		if (cp->search_path_sql) {
			if (!PQsendQuery(c->pg, cp->search_path_sql))
				goto fail;
			sent = 1;
		}
	}
	if (!sent && c->phase == BC_PHASE_SEARCH_PATH) {
		c->phase = BC_PHASE_PREPARE;
		c->prep_next = 0;
		if (cp->protocol == RUN_PROTO_PREPARED && !cp->scripts) {
			if (!PQsendPrepare(c->pg, cp->stmt_name, cp->sql, cp->nparams, NULL))
				goto fail;
			sent = 1;
		}
	}
	if (!sent && c->phase == BC_PHASE_PREPARE && cp->scripts && cp->protocol == RUN_PROTO_PREPARED) {
		const struct script_cmd *sc = script_stmt(cp->scripts, c->prep_next);
		if (sc) { /* each statement of the scripts, one after the other */
			c->prep_next++;
			if (!PQsendPrepare(c->pg, sc->stmt_name, sc->param_sql, 0, NULL))
				goto fail;
			sent = 1;
		}
	}
	if (!sent) {
		c->state = BC_READY;
		c->events = POLLIN;
		return c->state;
	}
	c->state = BC_SETUP;
	c->events = PQflush(c->pg) == 1 ? POLLIN | POLLOUT : POLLIN;
	return c->state;
fail:
	set_err(c, PQerrorMessage(c->pg));
	c->state = BC_FAILED;
	return c->state;
}

enum bconn_state bconn_advance(struct bconn *c, const struct conn_params *cp)
{
	if (c->state == BC_CONNECTING) {
		switch (PQconnectPoll(c->pg)) {
		case PGRES_POLLING_READING:
			c->events = POLLIN;
			break;
		case PGRES_POLLING_WRITING:
			c->events = POLLOUT;
			break;
		case PGRES_POLLING_OK:
			if (PQsetnonblocking(c->pg, 1) != 0 || (cp->init_types && !PQinitTypes(c->pg))) {
				set_err(c, "could not set up the connection (non-blocking mode, libpqtypes)");
				c->state = BC_FAILED;
				return c->state;
			}
			c->fd = PQsocket(c->pg);
			return next_setup(c, cp);
		default:
			set_err(c, PQerrorMessage(c->pg));
			c->state = BC_FAILED;
			return c->state;
		}
		c->fd = PQsocket(c->pg);
		return c->state;
	}
	if (c->state != BC_SETUP)
		return c->state;
	if (c->events & POLLOUT) {
		int r = PQflush(c->pg);
		if (r < 0) {
			set_err(c, PQerrorMessage(c->pg));
			c->state = BC_FAILED;
			return c->state;
		}
		c->events = r == 1 ? POLLIN | POLLOUT : POLLIN;
	}
	if (!PQconsumeInput(c->pg)) {
		set_err(c, PQerrorMessage(c->pg));
		c->state = BC_FAILED;
		return c->state;
	}
	while (!PQisBusy(c->pg)) {
		PGresult *r = PQgetResult(c->pg);
		if (!r)
			return next_setup(c, cp);
		ExecStatusType st = PQresultStatus(r);
		if (st != PGRES_COMMAND_OK) {
			set_result_err(c, r);
			c->state = BC_FAILED;
			PQclear(r); /* the rest stays unread: a failed connection is only closed */
			return c->state;
		}
		PQclear(r);
	}
	return c->state;
}

void bconn_close(struct bconn *c)
{
	if (c->pg)
		PQfinish(c->pg);
	c->pg = NULL;
	c->state = BC_NONE;
	c->fd = -1;
	c->unusable = 0;
}

/* Whether a connect failure says the server (or a pooler) has no connection slot left: only then is
 * max_connections worth a look. libpq gives no SQLSTATE for a failed connect, so the server's words are
 * matched (PostgreSQL's 53300 messages, PgBouncer's max_client_conn). */
static int out_of_slots(const struct bconn *c)
{
	static const char *const words[] = { "too many clients", "too many connections", "connection slots",
		                                 "max_client_conn", "no more connections allowed", NULL };
	for (int i = 0; words[i]; i++)
		if (strstr(c->err, words[i]))
			return 1;
	return 0;
}

const char *bconn_failure_sqlstate(const struct bconn *c)
{
	if (c->err_sqlstate[0])
		return c->err_sqlstate;
	return out_of_slots(c) ? "53300" : "08001";
}

/* The first failure of conn_open_all, with a hint when its cause is known. */
static void report_failure(const struct bconn *c, const struct conn_params *cp, int n)
{
	switch (c->phase) {
	case BC_PHASE_PREPARE:
		log_error("could not prepare the query: %s", c->err);
		if (strcmp(c->err_sqlstate, SQLSTATE_DUPLICATE_PREPARED) == 0)
			log_hint("A new connection found the statement \"%s\" already prepared: a transaction pooler "
			         "(PgBouncer in transaction mode) shares server connections between clients. Use --protocol "
			         "simple or extended behind a transaction pooler.", cp->stmt_name);
		return;
	case BC_PHASE_SEARCH_PATH:
		log_error("could not set search_path: %s", c->err);
		return;
	case BC_PHASE_READ_ONLY:
		log_error("could not make the session read-only: %s", c->err);
		return;
	case BC_PHASE_CONNECT:
		log_error("could not connect: %s", c->err);
		if (out_of_slots(c))
			log_hint("Check max_connections on the server, or max_client_conn on a pooler in front of it (the step "
			         "needs %d connection%s).", n, plural_s(n));
		return;
	}
}

int conn_open_all(struct bconn *conns, int n, const struct conn_params *cp)
{
	struct pollfd *pfd = pgpb_calloc((size_t)n, sizeof *pfd);
	int *idx = pgpb_calloc((size_t)n, sizeof *idx);
	int rc = -1, ready = 0;
	for (int i = 0; i < n; i++) {
		conns[i].registered_fd = -1;
		if (bconn_start(&conns[i], cp) < 0) {
			report_failure(&conns[i], cp, n);
			goto out;
		}
	}
	for (;;) {
		int m = 0;
		for (int i = 0; i < n; i++) {
			struct bconn *c = &conns[i];
			if (c->state == BC_FAILED) {
				report_failure(c, cp, n);
				goto out;
			}
			if (c->state == BC_CONNECTING || c->state == BC_SETUP) {
				pfd[m].fd = c->fd;
				pfd[m].events = (short)c->events;
				pfd[m].revents = 0;
				idx[m++] = i;
			}
		}
		ready = n - m;
		if (m == 0)
			break;
		if (sig_caught())
			goto out;
		int r = poll(pfd, (nfds_t)m, 1000);
		if (r < 0)
			continue; /* EINTR: the signal check above ends it */
		for (int k = 0; k < m; k++)
			if (pfd[k].revents)
				bconn_advance(&conns[idx[k]], cp);
	}
	rc = ready;
out:
	if (rc < 0)
		for (int i = 0; i < n; i++)
			bconn_close(&conns[i]);
	free(pfd);
	free(idx);
	return rc;
}
