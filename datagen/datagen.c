/*
 * datagen.c: `pgpagebench datagen` and datagen_exec, its API for other commands. It decides what to do
 * with what the database already holds (the dataset state in pgpagebench_dataset), then runs the phases:
 * tables, sequences, parallel COPY (copy.c) overlapped with keys/indexes/checksums/VACUUM (finish.c),
 * and records the fingerprint. The state is 'loading' from the first row until the fingerprint is stored, so a load cut
 * short by a signal or a lost server is recognised and redone by the next run.
 */
#include "datagen/datagen.h"
#include "common/cli.h"
#include "common/log.h"
#include "common/sig.h"
#include "common/sqlfiles.h"
#include "schema/schema.h"

#include <getopt.h>
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

static int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 64 ? 64 : (int)n;
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

int datagen_exec(struct pgpb_ctx *ctx, const struct datagen_opts *opts)
{
	struct datagen_opts o = *opts;
	if (o.jobs <= 0)
		o.jobs = online_cpus();
	int progress = o.progress < 0 ? (isatty(STDERR_FILENO) && !ctx->quiet) : o.progress;
	char args[512];
	datagen_args_text(&o, args, sizeof args);
	double t0 = datagen_now();
	int rc = EXIT_RUNTIME;
	PGconn **conns = calloc((size_t)o.jobs, sizeof *conns);
	struct datagen_plan plan;
	int have_plan = 0;
	PGconn *conn = ctx_connect(ctx, "pgpagebench datagen");
	if (!conn || !conns)
		goto out;
	if (!ctx->verbose)
		PQsetNoticeProcessor(conn, drop_notice, NULL);
	const char *schema = ctx->schema ? ctx->schema : "public";
	PGresult *res = exec_sql(conn, "datagen/lock", 1, &schema, "could not take the datagen lock");
	if (!res)
		goto out;
	int locked = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	if (!locked) {
		log_error("another datagen is loading into schema \"%s\"", schema);
		goto out;
	}
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
	if (datagen_plan_init(&plan, &o) < 0)
		goto out;
	have_plan = 1;
	if (prepare(conn, ctx, &o, args, present) < 0)
		goto out;
	if (exec_simple(conn, sql_get("datagen/session"), "could not set the session") < 0)
		goto out;
	for (int i = 0; i < o.jobs; i++) {
		if (sig_caught())
			goto out;
		conns[i] = ctx_connect(ctx, "pgpagebench datagen worker");
		if (conns[i] && !ctx->verbose)
			PQsetNoticeProcessor(conns[i], drop_notice, NULL);
		if (!conns[i] || exec_simple(conns[i], sql_get("datagen/session"), "could not set the session") < 0)
			goto out;
	}
	if (!ctx->quiet && progress)
		fprintf(stderr, "datagen: scale %g, seed %" PRIu64 ": %" PRId64 " users, %" PRId64 " records, %" PRId64
		                " tags over %d connection%s\n",
		        o.scale, o.seed, plan.users, plan.records, plan.rec_tags + plan.user_tags, o.jobs, plural_s(o.jobs));
	/* the sequences first: they only need the counts, and the main connection is idle later */
	char n1[32], n2[32], n3[32];
	snprintf(n1, sizeof n1, "%" PRId64, plan.users);
	snprintf(n2, sizeof n2, "%" PRId64, plan.records);
	snprintf(n3, sizeof n3, "%" PRId64, plan.rec_tags + plan.user_tags);
	const char *counts[3] = { n1, n2, n3 };
	if (!(res = exec_sql(conn, "datagen/sequences", 3, counts, "could not set the sequences")))
		goto out;
	PQclear(res);
	struct datagen_copy_result cr;
	struct datagen_finish_result fr;
	memset(&cr, 0, sizeof cr);
	memset(&fr, 0, sizeof fr);
	if (datagen_load(&plan, conns, o.jobs, o.with_indexes, progress, ctx->verbose, &cr, &fr) < 0)
		goto out;
	int64_t want[DATAGEN_NTABLES] = { plan.users, plan.records, plan.rec_tags + plan.user_tags };
	for (int t = 0; t < DATAGEN_NTABLES; t++)
		if (fr.count[t] != want[t]) {
			log_error("table %s holds %" PRId64 " rows after the load, expected %" PRId64, datagen_table_names[t],
			          fr.count[t], want[t]);
			goto out;
		}
	char checksum[128], fingerprint[256];
	snprintf(checksum, sizeof checksum, "auth_user:%016" PRIx64 " record:%016" PRIx64 " tag:%016" PRIx64,
	         (uint64_t)fr.sum[0], (uint64_t)fr.sum[1], (uint64_t)fr.sum[2]);
	uint64_t all = datagen_mix(datagen_mix(datagen_mix((uint64_t)fr.sum[0]) ^ (uint64_t)fr.sum[1]) ^ (uint64_t)fr.sum[2]);
	snprintf(fingerprint, sizeof fingerprint, "scale=%g seed=%" PRIu64 " users=%s records=%s tags=%s checksum=%016" PRIx64,
	         o.scale, o.seed, n1, n2, n3, all);
	const char *fin[5] = { n1, n2, n3, checksum, fingerprint };
	if (!(res = exec_sql(conn, "datagen/complete", 5, fin, "could not record the dataset state")))
		goto out;
	PQclear(res);

	double total = datagen_now() - t0;
	printf("datagen: scale %g seed %" PRIu64 " loaded into schema \"%s\" in %.2f s over %d connection%s\n", o.scale,
	       o.seed, schema, total, o.jobs, plural_s(o.jobs));
	printf("%-10s %12s %9s %12s\n", "table", "rows", "seconds", "rows/s");
	for (int t = 0; t < DATAGEN_NTABLES; t++)
		printf("%-10s %12" PRId64 " %9.2f %12.0f\n", datagen_table_names[t], cr.rows[t], cr.seconds[t],
		       cr.seconds[t] > 0 ? (double)cr.rows[t] / cr.seconds[t] : 0);
	printf("copy %.2f s, keys/indexes/checksums/vacuum %.2f s (overlapping), client cpu %.2f s\n", cr.total_seconds,
	       fr.total_seconds, cpu_seconds());
	printf("checksums: %s\n", checksum);
	printf("fingerprint: %s\n", fingerprint);
	fflush(stdout);
	rc = EXIT_OK;
out:
	for (int i = 0; conns && i < o.jobs; i++)
		PQfinish(conns[i]);
	free(conns);
	PQfinish(conn);
	if (have_plan)
		datagen_plan_free(&plan);
	if (sig_caught()) {
		log_error("datagen interrupted: the dataset is incomplete; run the same command again to load it");
		return sig_exit_status();
	}
	return rc;
}

/* ---- the command ---------------------------------------------------------------------------- */

static void help(void)
{
	printf("pgpagebench datagen fills the tables with realistic, reproducible data.\n\n"
	       "Usage:\n  pgpagebench datagen --scale S [OPTION]...\n\n"
	       "Sizes: 1000 x S users, 100000 x S records, about 2.6 tags a record plus about 25 tags of kind\n"
	       "'user' a user. The same --scale and --seed give the same rows for any --jobs; the fingerprint\n"
	       "(counts and per-table checksums computed by the server) is stored and printed.\n"
	       "\nOptions:\n"
	       "  --scale=S                size factor, 0.001 to 1000 (required)\n"
	       "  --seed=N                 random seed (default 1)\n"
	       "  --jobs=J                 parallel connections (default: online CPUs, here %d); up to 3, each\n"
	       "                           table goes whole to one connection (COPY FREEZE), more cut it in chunks\n"
	       "  --drop                   replace a dataset loaded with other arguments, or rows datagen did not load\n"
	       "  --no-indexes             leave out the query's indexes (keys and foreign keys are still built)\n"
	       "  --status-mix=LIST        record statuses and weights (default new=70,done=20,archived=10)\n"
	       "  --user-zipf=S            exponent of the Zipf law of records per user (default 1.07)\n"
	       "  --children=FRACTION      share of records that are parts of an earlier record (default 0.25)\n"
	       "  --progress, --no-progress  progress bars on stderr (default: when stderr is a terminal)\n"
	       "\nWhat is there already decides what happens: no tables, or tables from \"schema create\" with no\n"
	       "rows: load. A load that did not finish: load again. A complete dataset with the same arguments:\n"
	       "nothing to do (exit 0). Another dataset, or rows datagen did not load: refused unless --drop.\n"
	       "Tables without pgpagebench's ownership marker are never touched. Every user's password is\n"
	       "\"" DATAGEN_PASSWORD "\" (Django pbkdf2_sha256); user 1 is \"admin\", a superuser.\n"
	       "See docs/datagen.md for the distributions.\n" CTX_HELP,
	       online_cpus());
}

int datagen_main(int argc, char **argv)
{
	enum { OPT_SCALE = CTX_OPT_FIRST_FREE, OPT_SEED, OPT_JOBS, OPT_DROP, OPT_NO_INDEXES, OPT_STATUS_MIX,
	       OPT_USER_ZIPF, OPT_CHILDREN, OPT_PROGRESS, OPT_NO_PROGRESS };
	static const struct option longopts[] = {
		CTX_LONGOPTS,
		{ "scale", required_argument, NULL, OPT_SCALE },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "jobs", required_argument, NULL, OPT_JOBS },
		{ "drop", no_argument, NULL, OPT_DROP },
		{ "no-indexes", no_argument, NULL, OPT_NO_INDEXES },
		{ "status-mix", required_argument, NULL, OPT_STATUS_MIX },
		{ "user-zipf", required_argument, NULL, OPT_USER_ZIPF },
		{ "children", required_argument, NULL, OPT_CHILDREN },
		{ "progress", no_argument, NULL, OPT_PROGRESS },
		{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
		{ NULL, 0, NULL, 0 },
	};
	struct pgpb_ctx ctx;
	ctx_init(&ctx, "datagen", argc, argv);
	struct datagen_opts o;
	datagen_opts_default(&o);
	int have_scale = 0, c;
	long v;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, CTX_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case CTX_OPT_HELP: help(); return EXIT_OK;
		case '?':
		case ':': return cli_getopt_fail("datagen", c, argv, optind, optopt);
		case OPT_SCALE:
			if (cli_parse_double("--scale", optarg, 0.001, 1000, &o.scale) < 0)
				return EXIT_USAGE;
			have_scale = 1;
			break;
		case OPT_SEED:
			if (cli_parse_long("--seed", optarg, 0, 9223372036854775807L, &v) < 0)
				return EXIT_USAGE;
			o.seed = (uint64_t)v;
			break;
		case OPT_JOBS:
			if (cli_parse_long("--jobs", optarg, 1, 64, &v) < 0)
				return EXIT_USAGE;
			o.jobs = (int)v;
			break;
		case OPT_DROP: o.drop = 1; break;
		case OPT_NO_INDEXES: o.with_indexes = 0; break;
		case OPT_STATUS_MIX:
			if (datagen_parse_status_mix(&o, optarg) < 0)
				return EXIT_USAGE;
			break;
		case OPT_USER_ZIPF:
			if (cli_parse_double("--user-zipf", optarg, 0, 5, &o.user_zipf) < 0)
				return EXIT_USAGE;
			break;
		case OPT_CHILDREN:
			if (cli_parse_double("--children", optarg, 0, 0.9, &o.children) < 0)
				return EXIT_USAGE;
			break;
		case OPT_PROGRESS: o.progress = 1; break;
		case OPT_NO_PROGRESS: o.progress = 0; break;
		default:
			if (ctx_option(&ctx, c, optarg) < 0)
				return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage_error("datagen", "too many command-line arguments (first is \"%s\")", argv[optind]);
	if (!have_scale)
		return cli_usage_error("datagen", "missing option --scale");
	int rc = ctx_open(&ctx);
	if (rc)
		return rc;
	rc = datagen_exec(&ctx, &o);
	ctx_close(&ctx);
	if (sig_caught())
		return sig_exit_status();
	return rc;
}
