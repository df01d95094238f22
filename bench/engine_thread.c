/*
 * engine_thread.c: what every engine thread does the same way, whichever engine it belongs to: sending a
 * query in the chosen protocol, classifying its results (ok, error by SQLSTATE, validation error),
 * counting a lost connection, the step's first few messages, the run's first failure, and a thread's
 * finish. It sits below the engines (engine_loop.c, engine_pool.c) and calls neither of them nor engine.c.
 */
#include "bench/engine_thread.h"
#include "common/log.h"

#include <stdio.h>
#include <string.h>

#define MAX_MESSAGES 5 /* error and validation messages printed a step */

int engine_in_window(const struct engine_env *env, int64_t now)
{
	if (now < env->t_measure || now >= env->t_end)
		return 0;
	int64_t stop = atomic_load_explicit(&env->t_stop, memory_order_relaxed);
	return !(stop && now >= stop);
}

void engine_message(struct engine_env *env, const char *what, const char *text)
{
	if (atomic_fetch_add(&env->messages, 1) < MAX_MESSAGES) {
		char line[512];
		log_warning("step %s: %s: %s", env->step_id, what,
		            text && *text ? log_firstline(text, line, sizeof line) : "no message from the server or libpq");
	}
}

/* Keeps the run's first failure (its SQLSTATE and "what: message"), once. */
static void note_fault(struct engine_env *env, const char *sqlstate, const char *what, const char *text)
{
	struct engine_fault *f = env->fault;
	int expected = 0;
	if (!f || atomic_load_explicit(&f->taken, memory_order_relaxed) ||
	    !atomic_compare_exchange_strong(&f->taken, &expected, 1))
		return;
	char line[256];
	snprintf(f->first_sqlstate, sizeof f->first_sqlstate, "%s", sqlstate);
	snprintf(f->first_message, sizeof f->first_message, "%s: %s", what,
	         text && *text ? log_firstline(text, line, sizeof line) : "no message from the server or libpq");
}

/* What a failed result says: the server's message, else libpq's, else what the result is (never empty). */
static const char *result_message(const PGresult *r, PGconn *pg)
{
	switch (PQresultStatus(r)) {
	case PGRES_COPY_OUT:
	case PGRES_COPY_IN:
	case PGRES_COPY_BOTH:
		return "the statement started a COPY, which the driver cannot measure: the connection is closed";
	case PGRES_EMPTY_QUERY:
		return "the statement is empty";
	default:
		break;
	}
	const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY); /* without "ERROR:  " */
	if (!msg || !*msg)
		msg = PQresultErrorMessage(r);
	if (!msg || !*msg)
		msg = PQerrorMessage(pg);
	if (!msg || !*msg)
		msg = PQresultStatus(r) == PGRES_BAD_RESPONSE ? "the server's response could not be understood"
		                                             : "no message from the server or libpq";
	return msg;
}

int engine_send(struct eng_thread *t, struct bconn *c)
{
	const struct engine_env *env = t->env;
	const struct conn_params *cp = env->cp;
	char buf[OFFSET_TEXT_MAX];
	const char *num = env->og->text; /* a fixed offset is formatted once per step */
	c->offset = offsets_next(env->og, &t->rng);
	if (env->og->mix) {
		snprintf(buf, sizeof buf, "%ld", c->offset);
		num = buf;
	}
	const char *one[1] = { num };
	const char *const *vals = env->fixed ? env->fixed : one;
	c->outcome = QUERY_PENDING;
	c->sqlstate[0] = '\0';
	switch (cp->protocol) {
	case RUN_PROTO_PREPARED:
		return PQsendQueryPrepared(c->pg, cp->stmt_name, cp->nparams, vals, NULL, NULL, cp->binary);
	case RUN_PROTO_EXTENDED:
		return PQsendQueryParams(c->pg, cp->sql, cp->nparams, NULL, vals, NULL, NULL, cp->binary);
	default: {
		size_t o = 0, nl = strlen(num);
		for (int i = 0; i < env->npieces; i++) {
			size_t l = strlen(env->simple_pieces[i]);
			memcpy(t->sqlbuf + o, env->simple_pieces[i], l);
			o += l;
			if (i + 1 < env->npieces) {
				memcpy(t->sqlbuf + o, num, nl);
				o += nl;
			}
		}
		t->sqlbuf[o] = '\0';
		return PQsendQuery(c->pg, t->sqlbuf);
	}
	}
}

/* ---- run --script ---- */

/* The command of c's request in flight or next. */
static const struct script_cmd *script_cmd_at(const struct engine_env *env, const struct bconn *c)
{
	const struct script *s = env->scripts->s[c->sc->script];
	return c->sc->cmd < s->ncmds ? &s->cmds[c->sc->cmd] : NULL;
}

/* The request fails with e (a script's own error, not the server's): counted by e's SQLSTATE. */
static enum script_next script_failed(struct engine_env *env, struct bconn *c, const struct script_cmd *cmd,
                                     const struct script_err *e)
{
	char text[400];
	snprintf(text, sizeof text, "script %s line %d: %s", env->scripts->s[c->sc->script]->file, cmd->line, e->msg);
	c->outcome = QUERY_ERROR;
	snprintf(c->sqlstate, sizeof c->sqlstate, "%s", e->sqlstate);
	engine_message(env, "script error", text);
	note_fault(env, e->sqlstate, "script error", text);
	return SCRIPT_FAILED;
}

void engine_script_begin(struct eng_thread *t, struct bconn *c)
{
	const struct engine_env *env = t->env;
	struct script_conn *sc = c->sc;
	sc->script = script_choose(env->scripts, &t->rng);
	sc->cmd = 0;
	sc->rollback = 0;
	c->offset = offsets_next(env->og, &t->rng);
	script_begin(&sc->st, c->offset, env->page_size);
	c->outcome = QUERY_PENDING;
	c->sqlstate[0] = '\0';
}

enum script_next engine_script_next(struct eng_thread *t, struct bconn *c, int64_t now, int64_t *until)
{
	struct engine_env *env = t->env;
	const struct script_set *ss = env->scripts;
	struct script_conn *sc = c->sc;
	const struct script_cmd *cmd;
	struct script_err e;
	while ((cmd = script_cmd_at(env, c))) {
		if (cmd->kind == SC_SET) {
			if (script_exec_set(ss, &sc->st, cmd, &e) < 0)
				return script_failed(env, c, cmd, &e);
			sc->cmd++;
			continue;
		}
		if (cmd->kind == SC_SLEEP) {
			int64_t us;
			if (script_sleep_us(ss, &sc->st, cmd, &us, &e) < 0)
				return script_failed(env, c, cmd, &e);
			sc->cmd++;
			if (us > 0) {
				*until = now + us * 1000;
				return SCRIPT_SLEEP;
			}
			continue;
		}
		c->outcome = QUERY_PENDING;
		c->sqlstate[0] = '\0';
		sc->t_stmt = now;
		int ok;
		if (env->cp->protocol == RUN_PROTO_SIMPLE) {
			const char *sql = script_inline(ss, &sc->st, cmd, &e);
			if (!sql)
				return script_failed(env, c, cmd, &e);
			ok = PQsendQuery(c->pg, sql);
		} else {
			if (script_params(ss, &sc->st, cmd, sc->vals, &e) < 0)
				return script_failed(env, c, cmd, &e);
			ok = env->cp->protocol == RUN_PROTO_PREPARED
			         ? PQsendQueryPrepared(c->pg, cmd->stmt_name, cmd->nparams, sc->vals, NULL, NULL, 0)
			         : PQsendQueryParams(c->pg, cmd->param_sql, cmd->nparams, NULL, sc->vals, NULL, NULL, 0);
		}
		return ok ? SCRIPT_SENT : SCRIPT_LOST;
	}
	c->outcome = QUERY_OK;
	return SCRIPT_DONE;
}

void engine_script_stmt_end(struct eng_thread *t, struct bconn *c, int64_t now)
{
	struct engine_env *env = t->env;
	const struct script_cmd *cmd = script_cmd_at(env, c);
	if (!cmd)
		return;
	if (engine_in_window(env, now)) {
		if (env->cp->protocol == RUN_PROTO_SIMPLE && c->outcome == QUERY_PENDING)
			c->outcome = QUERY_OK; /* an empty result set of the simple protocol */
		recorder_advance(t->rec, engine_second(env, now));
		recorder_stmt(t->rec, cmd->stmt, c->outcome != QUERY_ERROR, ns_to_us(now - c->sc->t_stmt));
	}
	if (c->outcome != QUERY_ERROR)
		c->sc->cmd++;
}

int engine_script_rollback(struct bconn *c)
{
	PGTransactionStatusType ts = PQtransactionStatus(c->pg);
	if (ts != PQTRANS_INERROR && ts != PQTRANS_INTRANS)
		return 0;
	c->sc->rollback = 1;
	return PQsendQuery(c->pg, "ROLLBACK") ? 1 : -1;
}

/* \gset: the one row's columns into variables; \glist: each column's values as an array literal. */
static void script_store(struct engine_env *env, struct bconn *c, const struct script_cmd *cmd, const PGresult *r)
{
	struct script_state *st = &c->sc->st;
	int rows = PQntuples(r), cols = PQnfields(r);
	if (cmd->store == STORE_GSET && rows != 1) {
		struct script_err e;
		snprintf(e.sqlstate, sizeof e.sqlstate, "%s", rows ? "P0003" : "P0002");
		snprintf(e.msg, sizeof e.msg, "\\gset expects one row, got %d", rows);
		script_failed(env, c, cmd, &e);
		return;
	}
	for (int j = 0; j < cols; j++) {
		int var = script_store_var(env->scripts, cmd, PQfname(r, j));
		if (var < 0)
			continue;
		if (cmd->store == STORE_GSET) {
			script_var_set_text(st, var, PQgetisnull(r, 0, j) ? NULL : PQgetvalue(r, 0, j));
			continue;
		}
		script_list_begin(st, var);
		for (int i = 0; i < rows; i++)
			script_list_add(st, var, PQgetisnull(r, i, j) ? NULL : PQgetvalue(r, i, j));
		script_list_end(st, var);
	}
}

int engine_result(struct engine_env *env, struct bconn *c, PGresult *r)
{
	ExecStatusType st = PQresultStatus(r);
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
		if (c->outcome != QUERY_PENDING) /* a later result of the same query: the first one decided */
			return 0;
		c->outcome = QUERY_OK;
		if (env->scripts && c->sc && !c->sc->rollback) {
			const struct script_cmd *cmd = script_cmd_at(env, c);
			if (cmd && cmd->store && st == PGRES_TUPLES_OK)
				script_store(env, c, cmd, r);
			return 0;
		}
		if (env->val && st == PGRES_TUPLES_OK) {
			char why[256];
			if (validate_page(env->val, r, c->offset, why, sizeof why) < 0) {
				c->outcome = QUERY_INVALID;
				char text[320];
				snprintf(text, sizeof text, "offset %ld: %s", c->offset, why);
				engine_message(env, "validation error", text);
			}
		}
		return 0;
	}
	int copy = st == PGRES_COPY_OUT || st == PGRES_COPY_IN || st == PGRES_COPY_BOTH;
	if (copy)
		c->unusable = 1;
	if (c->outcome == QUERY_ERROR) /* the first error is the one counted */
		return copy ? -1 : 0;
	c->outcome = QUERY_ERROR;
	const char *code = copy || st == PGRES_EMPTY_QUERY ? NULL : PQresultErrorField(r, PG_DIAG_SQLSTATE);
	if (!code || !*code)
		code = PQstatus(c->pg) == CONNECTION_BAD ? SQLSTATE_CONNECTION_FAILURE : SQLSTATE_PROTOCOL_VIOLATION;
	snprintf(c->sqlstate, sizeof c->sqlstate, "%s", code);
	const char *msg = result_message(r, c->pg);
	engine_message(env, "query error", msg);
	note_fault(env, c->sqlstate, "query error", msg);
	if (env->fault && env->cp->protocol == RUN_PROTO_PREPARED && strcmp(c->sqlstate, SQLSTATE_NO_STATEMENT) == 0)
		atomic_fetch_add_explicit(&env->fault->missing_statement, 1, memory_order_relaxed);
	return copy ? -1 : 0;
}

void engine_query_lost(struct eng_thread *t, const struct bconn *c, int64_t now)
{
	struct engine_env *env = t->env;
	int by_server = c->outcome == QUERY_ERROR;
	if (engine_in_window(env, now))
		recorder_error(t->rec, engine_second(env, now),
		               by_server && c->sqlstate[0] ? c->sqlstate : SQLSTATE_CONNECTION_FAILURE);
	if (!by_server) {
		engine_message(env, "connection lost", PQerrorMessage(c->pg));
		note_fault(env, SQLSTATE_CONNECTION_FAILURE, "connection lost", PQerrorMessage(c->pg));
	}
}

void engine_reconnect_failed(struct engine_env *env, const struct bconn *c)
{
	engine_message(env, "could not reconnect", c->err);
	note_fault(env, c->err_sqlstate[0] ? c->err_sqlstate : SQLSTATE_CONNECTION_FAILURE, "could not reconnect",
	           c->err);
}

void engine_connect_failed(struct eng_thread *t, const struct bconn *c, int64_t now)
{
	struct engine_env *env = t->env;
	const char *code = bconn_failure_sqlstate(c);
	if (engine_in_window(env, now)) {
		recorder_error(t->rec, engine_second(env, now), code);
		t->rec->connect_errors++;
	}
	engine_message(env, "could not connect", c->err);
	note_fault(env, code, "could not connect", c->err);
}

void engine_thread_finish(struct eng_thread *t, int64_t fin)
{
	const struct engine_env *env = t->env;
	recorder_finish(t->rec, fin > env->t_measure ? engine_second(env, fin - 1) : -1);
	atomic_fetch_add(t->finished, 1);
}
