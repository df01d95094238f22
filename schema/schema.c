/*
 * schema.c: the benchmark's tables and what `pgpagebench schema create|drop|check` does with them. The
 * DDL lives in the .sql files beside this one; this file applies them and guards them: every table the
 * tool creates carries a marker comment, and nothing is dropped or loaded into unless every table
 * involved carries it, so a Django database's own auth_user survives a mistaken command.
 */
#include "schema/schema.h"
#include "common/cli.h"
#include "common/log.h"
#include "common/sig.h"
#include "common/sqlfiles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *schema_name(const struct pgpb_ctx *ctx)
{
	return ctx->schema ? ctx->schema : "public";
}

/* The server's DETAIL, one line a line of it: a refused DROP lists there the objects that depend on ours. */
static void report_detail(const PGresult *res)
{
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	for (const char *p = detail; p && *p;) {
		size_t n = strcspn(p, "\n");
		if (n > 0)
			log_detail("%.*s", (int)n, p);
		p += n + (p[n] == '\n');
	}
}

static void report_sql_error(const char *what, PGresult *res, PGconn *conn)
{
	char line[1024];
	/* the server's own message without libpq's "ERROR:  " before it; else libpq's */
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (!msg || !*msg)
		msg = res ? PQresultErrorMessage(res) : PQerrorMessage(conn);
	if (!msg || !*msg)
		msg = PQerrorMessage(conn);
	log_error("%s: %s", what, log_firstline(msg, line, sizeof line));
	report_detail(res);
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (state && strcmp(state, "2BP01") == 0) /* dependent_objects_still_exist: not the server's hint, CASCADE would drop them */
		log_hint("Those objects are not pgpagebench's: drop or change them first (nothing was dropped).");
}

int schema_exec_file(PGconn *conn, const char *name)
{
	const char *sql = sql_get(name);
	if (!sql) {
		log_error("internal error: no embedded SQL file \"%s\"", name);
		return -1;
	}
	PGcancel *cancel = PQgetCancel(conn);
	sig_set_cancel(cancel);
	PGresult *res = PQexec(conn, sql);
	sig_set_cancel(NULL);
	PQfreeCancel(cancel);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
	if (!ok) {
		char what[128];
		snprintf(what, sizeof what, "could not run %s.sql", name);
		if (sig_caught())
			log_error("%s: interrupted", what);
		else
			report_sql_error(what, res, conn);
	}
	PQclear(res);
	return ok ? 0 : -1;
}

/* ---- the schema's lock ------------------------------------------------------------------------ */

/* Names the sessions whose hold on the lock conflicts with mode ("shared" or "exclusive"): 1 when one was
 * found (logged), 0 when none is left. */
static int report_holders(PGconn *conn, const char *schema, const char *mode)
{
	const char *params[2] = { schema, mode };
	PGresult *res = PQexecParams(conn, sql_get("schema/lock_holders"), 2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		report_sql_error("could not read who holds the lock of the schema", res, conn);
		PQclear(res);
		return 1;
	}
	int n = PQntuples(res);
	if (n > 0) {
		char others[64] = "";
		if (n > 1)
			snprintf(others, sizeof others, ", and %d other session%s", n - 1, plural_s(n - 1));
		const char *app = PQgetvalue(res, 0, 1);
		if (*app)
			log_error("schema \"%s\" is in use by another pgpagebench command: application_name \"%s\", pid %s%s",
			          schema, app, PQgetvalue(res, 0, 0), others);
		else
			log_error("schema \"%s\" is in use by another pgpagebench command: pid %s%s", schema,
			          PQgetvalue(res, 0, 0), others);
		log_hint("Wait until it has finished, or use another --schema.");
	}
	PQclear(res);
	return n > 0;
}

int schema_lock(PGconn *conn, const struct pgpb_ctx *ctx, enum schema_lock_mode mode)
{
	if (PQtransactionStatus(conn) != PQTRANS_INTRANS) {
		log_error("internal error: the schema's lock needs an open transaction");
		return -1;
	}
	const char *params[2] = { schema_name(ctx), mode == SCHEMA_LOCK_SHARED ? "shared" : "exclusive" };
	/* the holder may finish between the try and the look at pg_locks: then try again, a few times */
	for (int attempt = 0; attempt < 3; attempt++) {
		PGresult *res = PQexecParams(conn, sql_get("schema/lock"), 2, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
			char what[300];
			snprintf(what, sizeof what, "could not lock schema \"%s\"", schema_name(ctx));
			report_sql_error(what, res, conn);
			PQclear(res);
			return -1;
		}
		int locked = PQgetvalue(res, 0, 0)[0] == 't';
		PQclear(res);
		if (locked)
			return schema_exec_file(conn, "schema/lock_idle");
		if (report_holders(conn, schema_name(ctx), params[1]))
			return -1;
	}
	log_error("schema \"%s\" is in use by another pgpagebench command", schema_name(ctx));
	log_hint("Wait until it has finished, or use another --schema.");
	return -1;
}

PGconn *schema_lock_connect(const struct pgpb_ctx *ctx, const char *application_name, enum schema_lock_mode mode)
{
	PGconn *conn = ctx_connect(ctx, application_name);
	if (!conn)
		return NULL;
	PGresult *res = PQexec(conn, sql_get("schema/lock_begin"));
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		report_sql_error("could not begin the transaction holding the schema's lock", res, conn);
	PQclear(res);
	if (!ok || schema_lock(conn, ctx, mode) < 0) {
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

void schema_lock_close(PGconn *lock)
{
	if (lock && PQtransactionStatus(lock) == PQTRANS_INTRANS)
		PQclear(PQexec(lock, "ROLLBACK"));
	PQfinish(lock);
}

int schema_check_owned(PGconn *conn, const struct pgpb_ctx *ctx, int *present)
{
	const char *params[1] = { schema_name(ctx) };
	PGresult *res = PQexecParams(conn, sql_get("schema/inspect"), 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		report_sql_error("could not inspect the tables", res, conn);
		PQclear(res);
		return -1;
	}
	int rc = 0, n = 0;
	for (int i = 0; i < PQntuples(res); i++) {
		int is_present = PQgetvalue(res, i, 1)[0] == 't', marked = PQgetvalue(res, i, 2)[0] == 't';
		if (is_present && !marked) {
			log_error("table \"%s.%s\" was not created by pgpagebench (no ownership marker): refusing to touch it",
			          schema_name(ctx), PQgetvalue(res, i, 0));
			log_hint("Use another schema with --schema, or another database.");
			rc = -1;
			break;
		}
		n += is_present;
	}
	PQclear(res);
	if (present)
		*present = n;
	return rc;
}

int schema_create_tables(PGconn *conn, const struct pgpb_ctx *ctx)
{
	if (ctx->schema) {
		/* CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema exists: a role
		 * that owns its schema and nothing else must not need it, so look first */
		const char *params[1] = { ctx->schema };
		PGresult *res = PQexecParams(conn, "SELECT 1 FROM pg_namespace WHERE nspname = $1", 1, NULL, params, NULL,
		                             NULL, 0);
		int ok = PQresultStatus(res) == PGRES_TUPLES_OK, exists = ok && PQntuples(res) == 1;
		if (!ok)
			report_sql_error("could not look for schema", res, conn);
		PQclear(res);
		if (!ok)
			return -1;
		if (!exists) {
			char *ident = ctx_schema_ident(ctx);
			char sql[256];
			snprintf(sql, sizeof sql, "CREATE SCHEMA IF NOT EXISTS %s", ident);
			free(ident);
			res = PQexec(conn, sql);
			ok = PQresultStatus(res) == PGRES_COMMAND_OK;
			if (!ok)
				report_sql_error("could not create schema", res, conn);
			PQclear(res);
			if (!ok)
				return -1;
		}
	}
	if (schema_check_owned(conn, ctx, NULL) < 0)
		return -1;
	return schema_exec_file(conn, "schema/tables");
}

int schema_create_keys(PGconn *conn)
{
	return schema_exec_file(conn, "schema/keys");
}

int schema_create_indexes(PGconn *conn)
{
	return schema_exec_file(conn, "schema/indexes");
}

int schema_dataset_get(PGconn *conn, struct schema_dataset *out)
{
	memset(out, 0, sizeof *out);
	PGresult *res = ctx_exec(conn, "reading the dataset marker", sql_get("schema/dataset"), 0, NULL);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		/* a role with SELECT on the data tables only may not read the marker: not the same as no tables */
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		snprintf(out->state, sizeof out->state, state && strcmp(state, "42501") == 0 ? "unreadable" : "missing");
		PQclear(res);
		return 0;
	}
	snprintf(out->state, sizeof out->state, "%s", PQgetvalue(res, 0, 0));
	out->scale = atof(PQgetvalue(res, 0, 1));
	out->seed = atoll(PQgetvalue(res, 0, 2));
	out->users = atoll(PQgetvalue(res, 0, 3));
	out->records = atoll(PQgetvalue(res, 0, 4));
	out->tags = atoll(PQgetvalue(res, 0, 5));
	snprintf(out->checksum, sizeof out->checksum, "%s", PQgetvalue(res, 0, 6));
	snprintf(out->fingerprint, sizeof out->fingerprint, "%s", PQgetvalue(res, 0, 7));
	PQclear(res);
	return 0;
}

int schema_require_complete(PGconn *conn, struct schema_dataset *out)
{
	if (schema_dataset_get(conn, out) < 0)
		return -1;
	if (strcmp(out->state, "complete") == 0)
		return 0;
	if (strcmp(out->state, "unreadable") == 0) { /* the run goes on; meta.json's dataset stays empty */
		log_warning("the dataset's completeness is not checked: permission denied for table pgpagebench_dataset");
		log_hint("Grant SELECT on pgpagebench_dataset to the role to have the run check it and record its fingerprint.");
		out->state[0] = '\0';
		return 0;
	}
	if (strcmp(out->state, "loading") == 0) {
		log_error("the dataset is incomplete: a datagen load was interrupted");
		log_hint("Run the same \"pgpagebench datagen\" command again to finish it.");
	} else if (strcmp(out->state, "empty") == 0) {
		log_error("the tables hold no dataset");
		log_hint("Fill them with \"pgpagebench datagen --scale 1\".");
	} else {
		log_error("the pgpagebench tables do not exist in this database");
		log_hint("Create and fill them with \"pgpagebench datagen --scale 1\".");
	}
	return -1;
}

/* ---- the actions of `pgpagebench schema` ------------------------------------------------------ */

int schema_create(PGconn *conn, const struct pgpb_ctx *ctx, int with_indexes)
{
	PGconn *lock = schema_lock_connect(ctx, "pgpagebench schema lock", SCHEMA_LOCK_EXCLUSIVE);
	int ok = lock && schema_create_tables(conn, ctx) == 0 && schema_create_keys(conn) == 0 &&
	         (!with_indexes || schema_create_indexes(conn) == 0);
	schema_lock_close(lock);
	if (!ok)
		return EXIT_RUNTIME;
	if (!ctx->quiet)
		printf("created tables auth_user, record, tag%s in schema \"%s\"\n",
		       with_indexes ? " with their indexes" : " (without the query's indexes)", schema_name(ctx));
	return EXIT_OK;
}

/* The drop under the lock: EXIT_OK (present = 0 when there was nothing to drop) or EXIT_RUNTIME (logged). */
static int schema_drop_locked(PGconn *conn, const struct pgpb_ctx *ctx, int *present)
{
	if (schema_check_owned(conn, ctx, present) < 0) {
		log_hint("Nothing was dropped.");
		return EXIT_RUNTIME;
	}
	if (*present == 0) {
		if (!ctx->quiet)
			printf("no pgpagebench tables in schema \"%s\": nothing to drop\n", schema_name(ctx));
		return EXIT_OK;
	}
	return schema_exec_file(conn, "schema/drop") < 0 ? EXIT_RUNTIME : EXIT_OK;
}

int schema_drop(PGconn *conn, const struct pgpb_ctx *ctx)
{
	int present = 0;
	PGconn *lock = schema_lock_connect(ctx, "pgpagebench schema lock", SCHEMA_LOCK_EXCLUSIVE);
	if (!lock)
		return EXIT_RUNTIME;
	int rc = schema_drop_locked(conn, ctx, &present);
	schema_lock_close(lock);
	if (rc != EXIT_OK || present == 0)
		return rc;
	if (!ctx->quiet)
		printf("dropped %d pgpagebench tables from schema \"%s\"\n", present, schema_name(ctx));
	return EXIT_OK;
}

int schema_check(PGconn *conn, const struct pgpb_ctx *ctx)
{
	const char *params[1] = { schema_name(ctx) };
	PGresult *res = PQexecParams(conn, sql_get("schema/inspect"), 1, NULL, params, NULL, NULL, 0);
	PGresult *ires = PQexecParams(conn, sql_get("schema/inspect_indexes"), 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQresultStatus(ires) != PGRES_TUPLES_OK) {
		report_sql_error("could not inspect the tables",
		                 PQresultStatus(res) != PGRES_TUPLES_OK ? res : ires, conn);
		PQclear(res);
		PQclear(ires);
		return EXIT_RUNTIME;
	}
	int complete = 1, all_marked = 1;
	printf("schema \"%s\" (the dataset the built-in queries need; run --query FILE runs without it)\n",
	       schema_name(ctx));
	printf("%-20s %-8s %-7s %12s  %-25s %s\n", "table", "present", "marker", "rows", "last analyze", "indexes");
	for (int i = 0; i < PQntuples(res); i++) {
		const char *name = PQgetvalue(res, i, 0);
		int present = PQgetvalue(res, i, 1)[0] == 't', marked = PQgetvalue(res, i, 2)[0] == 't';
		char rows[32] = "-";
		if (present && marked) {
			char sql[256];
			snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", name); /* name is one of ours, not user text */
			PGresult *cres = PQexec(conn, sql);
			if (PQresultStatus(cres) == PGRES_TUPLES_OK)
				snprintf(rows, sizeof rows, "%s", PQgetvalue(cres, 0, 0));
			PQclear(cres);
		}
		char idx[512] = "";
		size_t o = 0;
		for (int j = 0; j < PQntuples(ires) && present; j++) {
			if (strcmp(PQgetvalue(ires, j, 1), name) != 0)
				continue;
			int ok = PQgetvalue(ires, j, 2)[0] == 't';
			if (!ok)
				complete = 0;
			o += (size_t)snprintf(idx + o, o < sizeof idx ? sizeof idx - o : 0, "%s%s%s", o ? ", " : "",
			                      PQgetvalue(ires, j, 0), ok ? "" : " (missing)");
			if (o >= sizeof idx)
				o = sizeof idx - 1;
		}
		if (!present)
			complete = 0;
		if (present && !marked)
			all_marked = 0;
		const char *la = PQgetisnull(res, i, 4) ? "never" : PQgetvalue(res, i, 4);
		printf("%-20s %-8s %-7s %12s  %-25.25s %s\n", name, present ? "yes" : "no",
		       present ? (marked ? "yes" : "MISSING") : "-", rows, present ? la : "-", idx[0] ? idx : "-");
	}
	PQclear(res);
	PQclear(ires);
	struct schema_dataset ds;
	schema_dataset_get(conn, &ds);
	if (strcmp(ds.state, "complete") == 0)
		printf("dataset: complete (%s)\n", ds.fingerprint);
	else if (strcmp(ds.state, "loading") == 0)
		printf("dataset: INCOMPLETE: a datagen load was interrupted; run the same datagen command again\n");
	else if (strcmp(ds.state, "empty") == 0)
		printf("dataset: none loaded yet (pgpagebench datagen)\n");
	if (!all_marked) {
		log_error("schema \"%s\" holds tables that pgpagebench did not create", schema_name(ctx));
		return EXIT_RUNTIME;
	}
	if (!complete || strcmp(ds.state, "loading") == 0) {
		log_error("schema \"%s\" is incomplete", schema_name(ctx));
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}
