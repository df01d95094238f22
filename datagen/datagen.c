/*
 * datagen.c: datagen_exec, the top of datagen. It decides what to do with what the database already
 * holds (the dataset state in pgpagebench_dataset), then runs the phases: tables, sequences, parallel
 * COPY (copy.c) overlapped with keys/indexes/checksums/VACUUM (finish.c), and records the fingerprint.
 * The state is 'loading' from the first row until the fingerprint is stored, so a load cut short by a
 * signal or a lost server is recognised and redone by the next run.
 */
#include "datagen/datagen.h"
#include "common/alloc.h"
#include "common/cli.h"
#include "common/log.h"
#include "common/sig.h"
#include "common/sqlfiles.h"
#include "datagen/clock.h"
#include "datagen/copy.h"
#include "schema/schema.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static void sql_error(const char *what, PGresult *res, PGconn *conn)
{
	char line[1024];
	const char *msg = res ? PQresultErrorMessage(res) : "";
	if (!msg || !*msg)
		msg = PQerrorMessage(conn);
	log_error("%s: %s", what, log_firstline(msg, line, sizeof line));
}

/* Runs an embedded file with text parameters; returns the result (caller clears) or NULL (logged). */
static PGresult *exec_sql(PGconn *conn, const char *file, int n, const char *const *params, const char *what)
{
	const char *sql = sql_get(file);
	if (!sql) {
		log_error("internal error: no embedded SQL file \"%s\"", file);
		return NULL;
	}
	PGresult *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType s = PQresultStatus(res);
	if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
		if (!sig_caught())
			sql_error(what, res, conn);
		PQclear(res);
		return NULL;
	}
	return res;
}

static int exec_simple(PGconn *conn, const char *sql, const char *what)
{
	PGresult *res = PQexec(conn, sql);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
	if (!ok && !sig_caught())
		sql_error(what, res, conn);
	PQclear(res);
	return ok ? 0 : -1;
}

/* The server's NOTICEs ("schema ... already exists, skipping") are noise here, except with -v. */
static void drop_notice(void *arg, const char *message)
{
	(void)arg, (void)message;
}

/* What to do with what is there: 0 = load, 1 = already loaded (done), -1 = refuse (logged). */
static int decide(PGconn *conn, const struct pgpb_ctx *ctx, const struct datagen_opts *o, const char *args,
                  int present)
{
	const char *schema = ctx->schema ? ctx->schema : "public";
	if (present == 0)
		return 0;
	if (present < 4 && !o->drop) {
		log_error("schema \"%s\" holds only %d of the 4 pgpagebench tables", schema, present);
		log_hint("Add --drop to drop them and load afresh.");
		return -1;
	}
	if (present < 4)
		return 0;
	PGresult *res = exec_sql(conn, "datagen/state", 0, NULL, "could not read the dataset state");
	if (!res)
		return -1;
	char state[16] = "empty", old_args[512] = "", fp[256] = "";
	if (PQntuples(res) == 1) {
		snprintf(state, sizeof state, "%s", PQgetvalue(res, 0, 0));
		snprintf(old_args, sizeof old_args, "%s", PQgetvalue(res, 0, 1));
		snprintf(fp, sizeof fp, "%s", PQgetvalue(res, 0, 2));
	}
	PQclear(res);
	if (strcmp(state, "complete") == 0) {
		if (o->drop)
			return 0;
		if (strcmp(old_args, args) == 0) {
			if (!ctx->quiet)
				printf("the dataset is already loaded with these arguments: nothing to do\n");
			printf("fingerprint: %s\n", fp);
			return 1;
		}
		log_error("schema \"%s\" already holds a dataset loaded with other arguments (%s)", schema, old_args);
		log_hint("Add --drop to replace it, or use another --schema.");
		return -1;
	}
	if (strcmp(state, "loading") == 0) {
		if (!ctx->quiet)
			log_info("datagen: the last load into schema \"%s\" did not finish: loading again", schema);
		return 0;
	}
	/* 'empty': tables made by `schema create`; rows in them were not loaded by datagen */
	res = exec_sql(conn, "datagen/has_rows", 0, NULL, "could not inspect the tables");
	if (!res)
		return -1;
	int rows = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	if (rows && !o->drop) {
		log_error("the tables in schema \"%s\" hold rows that datagen did not load", schema);
		log_hint("Add --drop to replace them.");
		return -1;
	}
	return 0;
}

/* Drops our tables (already checked for the marker) and creates them bare, with state 'loading'. */
static int prepare(PGconn *conn, const struct pgpb_ctx *ctx, const struct datagen_opts *o, const char *args,
                   int present)
{
	if (exec_simple(conn, "BEGIN", "could not begin") < 0)
		return -1;
	if (present > 0 && schema_exec_file(conn, "schema/drop") < 0)
		goto fail;
	if (schema_create_tables(conn, ctx) < 0)
		goto fail;
	char scale[64], seed[32];
	snprintf(scale, sizeof scale, "%.17g", o->scale);
	snprintf(seed, sizeof seed, "%" PRId64, (int64_t)o->seed);
	const char *params[3] = { scale, seed, args };
	PGresult *res = exec_sql(conn, "datagen/loading", 3, params, "could not record the dataset state");
	if (!res)
		goto fail;
	PQclear(res);
	return exec_simple(conn, "COMMIT", "could not commit the new tables");
fail:
	PQclear(PQexec(conn, "ROLLBACK"));
	return -1;
}

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec +
	       (double)ru.ru_stime.tv_usec * 1e-6;
}

/* One more connection a job, each with the loading session settings; -1 (logged) or on a signal. */
static int connect_workers(const struct pgpb_ctx *ctx, PGconn **conns, int n)
{
	for (int i = 0; i < n; i++) {
		if (sig_caught())
			return -1;
		conns[i] = ctx_connect(ctx, "pgpagebench datagen worker");
		if (conns[i] && !ctx->verbose)
			PQsetNoticeProcessor(conns[i], drop_notice, NULL);
		if (!conns[i] || exec_simple(conns[i], sql_get("datagen/session"), "could not set the session") < 0)
			return -1;
	}
	return 0;
}

/* The planned row counts as text: the sequences' values and the fingerprint's counts. */
struct counts_text {
	char users[32], records[32], tags[32];
};

/* Checks the loaded counts against the plan, then stores the checksums and the fingerprint with the state
 * 'complete'; -1 (logged) on a mismatch or failure. */
static int record_fingerprint(PGconn *conn, const struct datagen_opts *o, const struct datagen_plan *plan,
                              const struct counts_text *n, const struct datagen_finish_result *fr, char *checksum,
                              size_t checksum_len, char *fingerprint, size_t fingerprint_len)
{
	int64_t want[DATAGEN_NTABLES] = { plan->users, plan->records, plan->rec_tags + plan->user_tags };
	for (int t = 0; t < DATAGEN_NTABLES; t++)
		if (fr->count[t] != want[t]) {
			log_error("table %s holds %" PRId64 " rows after the load, expected %" PRId64, datagen_table_names[t],
			          fr->count[t], want[t]);
			return -1;
		}
	snprintf(checksum, checksum_len, "auth_user:%016" PRIx64 " record:%016" PRIx64 " tag:%016" PRIx64,
	         (uint64_t)fr->sum[0], (uint64_t)fr->sum[1], (uint64_t)fr->sum[2]);
	uint64_t all =
	        datagen_mix(datagen_mix(datagen_mix((uint64_t)fr->sum[0]) ^ (uint64_t)fr->sum[1]) ^ (uint64_t)fr->sum[2]);
	snprintf(fingerprint, fingerprint_len,
	         "scale=%g seed=%" PRIu64 " users=%s records=%s tags=%s checksum=%016" PRIx64, o->scale, o->seed,
	         n->users, n->records, n->tags, all);
	const char *fin[5] = { n->users, n->records, n->tags, checksum, fingerprint };
	PGresult *res = exec_sql(conn, "datagen/complete", 5, fin, "could not record the dataset state");
	if (!res)
		return -1;
	PQclear(res);
	return 0;
}

static void print_summary(const struct datagen_opts *o, const char *schema, double seconds,
                          const struct datagen_copy_result *cr, const struct datagen_finish_result *fr,
                          const char *checksum, const char *fingerprint)
{
	printf("datagen: scale %g seed %" PRIu64 " loaded into schema \"%s\" in %.2f s over %d connection%s\n", o->scale,
	       o->seed, schema, seconds, o->jobs, plural_s(o->jobs));
	printf("%-10s %12s %9s %12s\n", "table", "rows", "seconds", "rows/s");
	for (int t = 0; t < DATAGEN_NTABLES; t++)
		printf("%-10s %12" PRId64 " %9.2f %12.0f\n", datagen_table_names[t], cr->rows[t], cr->seconds[t],
		       cr->seconds[t] > 0 ? (double)cr->rows[t] / cr->seconds[t] : 0);
	printf("copy %.2f s, keys/indexes/checksums/vacuum %.2f s (overlapping), client cpu %.2f s\n", cr->total_seconds,
	       fr->total_seconds, cpu_seconds());
	printf("checksums: %s\n", checksum);
	printf("fingerprint: %s\n", fingerprint);
	fflush(stdout);
}

int datagen_exec(struct pgpb_ctx *ctx, const struct datagen_opts *opts)
{
	struct datagen_opts o = *opts;
	if (o.jobs <= 0)
		o.jobs = datagen_default_jobs();
	int progress = o.progress < 0 ? (isatty(STDERR_FILENO) && !ctx->quiet) : o.progress;
	char args[512];
	datagen_args_text(&o, args, sizeof args);
	double t0 = datagen_now();
	int rc = EXIT_RUNTIME;
	PGconn **conns = pgpb_calloc((size_t)o.jobs, sizeof *conns);
	struct datagen_plan plan;
	int have_plan = 0;
	PGconn *lock = NULL;
	PGconn *conn = ctx_connect(ctx, "pgpagebench datagen");
	if (!conn)
		goto out;
	if (!ctx->verbose)
		PQsetNoticeProcessor(conn, drop_notice, NULL);
	const char *schema = ctx->schema ? ctx->schema : "public";
	PGresult *res;
	/* shared while deciding, so a dataset already loaded is confirmed beside running runs; exclusive (no
	 * run, load or drop on the schema) before anything is written; released when lock closes, last */
	lock = schema_lock_connect(ctx, "pgpagebench datagen lock", SCHEMA_LOCK_SHARED);
	if (!lock)
		goto out;
	int present = 0;
	if (schema_check_owned(conn, ctx, &present) < 0) {
		log_hint("Nothing was loaded.");
		goto out;
	}
	int d = decide(conn, ctx, &o, args, present);
	if (d != 0) {
		rc = d > 0 ? EXIT_OK : EXIT_RUNTIME;
		goto out;
	}
	if (schema_lock(lock, ctx, SCHEMA_LOCK_EXCLUSIVE) < 0)
		goto out;
	datagen_plan_init(&plan, &o);
	have_plan = 1;
	if (prepare(conn, ctx, &o, args, present) < 0)
		goto out;
	if (exec_simple(conn, sql_get("datagen/session"), "could not set the session") < 0)
		goto out;
	if (connect_workers(ctx, conns, o.jobs) < 0)
		goto out;
	if (!ctx->quiet && progress)
		fprintf(stderr, "datagen: scale %g, seed %" PRIu64 ": %" PRId64 " users, %" PRId64 " records, %" PRId64
		                " tags over %d connection%s\n",
		        o.scale, o.seed, plan.users, plan.records, plan.rec_tags + plan.user_tags, o.jobs, plural_s(o.jobs));
	/* the sequences first: they only need the counts, and the main connection is idle later */
	struct counts_text n;
	snprintf(n.users, sizeof n.users, "%" PRId64, plan.users);
	snprintf(n.records, sizeof n.records, "%" PRId64, plan.records);
	snprintf(n.tags, sizeof n.tags, "%" PRId64, plan.rec_tags + plan.user_tags);
	const char *counts[3] = { n.users, n.records, n.tags };
	if (!(res = exec_sql(conn, "datagen/sequences", 3, counts, "could not set the sequences")))
		goto out;
	PQclear(res);
	struct datagen_copy_result cr;
	struct datagen_finish_result fr;
	memset(&cr, 0, sizeof cr);
	memset(&fr, 0, sizeof fr);
	if (datagen_load(&plan, conns, o.jobs, o.with_indexes, progress, ctx->verbose, &cr, &fr) < 0)
		goto out;
	char checksum[128], fingerprint[256];
	if (record_fingerprint(conn, &o, &plan, &n, &fr, checksum, sizeof checksum, fingerprint, sizeof fingerprint) < 0)
		goto out;
	print_summary(&o, schema, datagen_now() - t0, &cr, &fr, checksum, fingerprint);
	rc = EXIT_OK;
out:
	for (int i = 0; i < o.jobs; i++)
		PQfinish(conns[i]);
	free(conns);
	PQfinish(conn);
	schema_lock_close(lock);
	if (have_plan)
		datagen_plan_free(&plan);
	if (sig_caught()) {
		log_error("datagen interrupted: the dataset is incomplete; run the same command again to load it");
		return sig_exit_status();
	}
	return rc;
}
