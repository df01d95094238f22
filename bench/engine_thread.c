/*
 * engine_thread.c: what every engine thread does the same way, whichever engine it belongs to: sending a
 * query in the chosen protocol, classifying its result (ok, error by SQLSTATE, validation error), counting
 * a lost connection, the step's first few messages, and a thread's finish. It sits below the engines
 * (engine_loop.c, engine_pool.c) and calls neither of them nor engine.c.
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
		log_warning("step %s: %s: %s", env->step_id, what, log_firstline(text, line, sizeof line));
	}
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

void engine_classify(struct engine_env *env, struct bconn *c, PGresult *r)
{
	ExecStatusType st = PQresultStatus(r);
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
		c->outcome = QUERY_OK;
		if (env->val && st == PGRES_TUPLES_OK) {
			char why[256];
			if (validate_page(env->val, r, c->offset, why, sizeof why) < 0) {
				c->outcome = QUERY_INVALID;
				char text[320];
				snprintf(text, sizeof text, "offset %ld: %s", c->offset, why);
				engine_message(env, "validation error", text);
			}
		}
		return;
	}
	c->outcome = QUERY_ERROR;
	const char *code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	snprintf(c->sqlstate, sizeof c->sqlstate, "%s", code ? code : "");
	engine_message(env, "query error", PQresultErrorMessage(r));
}

void engine_query_lost(struct eng_thread *t, const struct bconn *c, int64_t now)
{
	struct engine_env *env = t->env;
	int by_server = c->outcome == QUERY_ERROR;
	if (engine_in_window(env, now))
		recorder_error(t->rec, engine_second(env, now),
		               by_server && c->sqlstate[0] ? c->sqlstate : SQLSTATE_CONNECTION_FAILURE);
	if (!by_server)
		engine_message(env, "connection lost", PQerrorMessage(c->pg));
}

void engine_thread_finish(struct eng_thread *t, int64_t fin)
{
	const struct engine_env *env = t->env;
	recorder_finish(t->rec, fin > env->t_measure ? engine_second(env, fin - 1) : -1);
	atomic_fetch_add(t->finished, 1);
}
