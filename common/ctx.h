/*
 * ctx.h: what every command shares: connection options (pgbench/psql style), the target schema,
 * verbosity, and the private temporary cluster behind --ephemeral.
 */
#ifndef PGPB_CTX_H
#define PGPB_CTX_H

#include <getopt.h>
#include <stddef.h>
#include <libpq-fe.h>

struct cluster;
struct pooler;

struct pgpb_ctx {
	const char *command; /* "schema", "run", ... */
	const char *host, *port, *user, *dbname; /* -h -p -U -d; dbname may be a conninfo or URI */
	const char *schema; /* --schema, NULL = public */
	int verbose; /* -v */
	int quiet; /* --quiet */
	int ephemeral; /* --ephemeral */
	int keep; /* --keep */
	const char *settings[64]; /* --pg-setting name=value */
	size_t nsettings;
	struct cluster *cluster; /* owned; set by ctx_open when ephemeral */
	/* --pooler (run): PgBouncer in front of the temporary cluster, started by ctx_open after it */
	int pooler_mode; /* enum pooler_mode (common/pooler.h); 0 = none */
	long pooler_pool_size, pooler_max_client_conn;
	struct pooler *pooler; /* owned; set by ctx_open when pooler_mode */
	int argc; /* the whole command line, for meta.json (masked) */
	char **argv;
};

/* Long options every command accepts; put CTX_LONGOPTS at the head of a command's table. */
enum { CTX_OPT_EPHEMERAL = 0x1000, CTX_OPT_KEEP, CTX_OPT_SETTING, CTX_OPT_SCHEMA, CTX_OPT_QUIET,
       CTX_OPT_HELP, CTX_OPT_FIRST_FREE = 0x1100 };
#define CTX_SHORTOPTS ":h:p:U:d:v"
#define CTX_LONGOPTS \
	{ "host", required_argument, NULL, 'h' }, { "port", required_argument, NULL, 'p' }, \
	{ "username", required_argument, NULL, 'U' }, { "dbname", required_argument, NULL, 'd' }, \
	{ "verbose", no_argument, NULL, 'v' }, { "ephemeral", no_argument, NULL, CTX_OPT_EPHEMERAL }, \
	{ "keep", no_argument, NULL, CTX_OPT_KEEP }, { "pg-setting", required_argument, NULL, CTX_OPT_SETTING }, \
	{ "schema", required_argument, NULL, CTX_OPT_SCHEMA }, { "quiet", no_argument, NULL, CTX_OPT_QUIET }, \
	{ "help", no_argument, NULL, CTX_OPT_HELP }
/* Help text for the options above, for each command's --help. */
#define CTX_HELP \
	"\nConnection options (libpq's PG* environment variables apply too):\n" \
	"  -h, --host=HOSTNAME      database server host or socket directory\n" \
	"  -p, --port=PORT          database server port\n" \
	"  -U, --username=USERNAME  connect as this user\n" \
	"  -d, --dbname=DBNAME      database name, conninfo string or URI\n" \
	"  --schema=NAME            schema holding the tables (default: public)\n" \
	"\nTemporary cluster:\n" \
	"  --ephemeral              run against a private temporary PostgreSQL (removed afterwards)\n" \
	"  --pg-setting=NAME=VALUE  server setting for the temporary cluster (repeatable)\n" \
	"  --keep                   leave the temporary cluster running and print how to stop it\n" \
	"\nOther:\n" \
	"  -v, --verbose            more detail (timings of each phase)\n" \
	"  --quiet                  only errors and the final summary\n" \
	"  --help                   show this help, then exit\n"

/* Fills defaults; argv is kept for the record of the command line. */
void ctx_init(struct pgpb_ctx *ctx, const char *command, int argc, char **argv);
/* Handles one of CTX_LONGOPTS: 1 = handled, 0 = not ours, -1 = bad value (already reported). */
int ctx_option(struct pgpb_ctx *ctx, int opt, const char *arg);
/* Starts the temporary cluster when --ephemeral; returns an exit status (0 = ok). */
int ctx_open(struct pgpb_ctx *ctx);
/* The libpq keywords of a connection as ctx describes it (the temporary cluster, or -d then -h/-p/-U, which
 * override a conninfo's), NULL-terminated, for PQconnectdbParams/PQconnectStartParams with expand_dbname. */
struct ctx_conninfo {
	const char *keys[8], *vals[8];
	char port[16];
};
void ctx_conninfo(const struct pgpb_ctx *ctx, const char *application_name, struct ctx_conninfo *ci);
/* The connection the load goes through: the temporary cluster's pooler when one runs (--pooler), else
 * what ctx_conninfo gives. The tool's own connections (control, lock, datagen) reach the server directly. */
void ctx_conninfo_load(const struct pgpb_ctx *ctx, const char *application_name, struct ctx_conninfo *ci);
/* Connects; on failure logs one line and returns NULL. application_name names the purpose. */
PGconn *ctx_connect(const struct pgpb_ctx *ctx, const char *application_name);
/*
 * Runs sql (nparams text values) on conn and waits for its result the way every wait on the server must:
 * SIGINT/SIGTERM cancel it (the server answers "canceling statement due to user request"; a server that
 * does not answer within a second has the connection cut, so the call returns either way), and a wait of
 * more than a few seconds says what it waits for (a lock and its holder, from a second connection).
 * what names the purpose for that message ("counting the qualifying rows"). Returns what PQexecParams
 * would: the last result, or an error result (NULL only when nothing could be sent: PQerrorMessage).
 */
PGresult *ctx_exec(PGconn *conn, const char *what, const char *sql, int nparams, const char *const *values);
/* The same for PQprepare (statement name, no declared parameter types). */
PGresult *ctx_prepare(PGconn *conn, const char *what, const char *name, const char *sql);
/*
 * Prepares sql unnamed and describes it in one pipeline ending in one Sync, so that behind a transaction
 * pooler (which may run each Sync's transaction on another server connection) the description comes from
 * the connection that prepared it; waits as ctx_exec does. *desc: the description (NULL when the pipeline
 * failed); returns the prepare's result.
 */
PGresult *ctx_prepare_described(PGconn *conn, const char *what, const char *sql, PGresult **desc);
/* 0 when conn answers a trivial query (ctx_exec), else -1 with why the first line of the reason (not logged). */
int ctx_ping(PGconn *conn, char *why, size_t len);
/*
 * Re-establishes a lost connection in place (PQreset: the PGconn pointer stays valid, with the same
 * parameters and application_name) and sets its search_path again. Retries with a backoff from 0.1 s
 * doubling to 2 s until timeout_s have passed since the call. name says which connection ("the control
 * connection"); lost says how it was lost (ctx_ping's why). 0 re-established (logged), -1 gave up (logged)
 * or interrupted by a signal (not logged).
 */
int ctx_reconnect(const struct pgpb_ctx *ctx, PGconn *conn, const char *name, const char *lost, double timeout_s);
/* Stops the pooler, then stops and removes the temporary cluster (or, with --keep, prints how to stop it).
 * Safe to call twice. */
void ctx_close(struct pgpb_ctx *ctx);
/* Schema name quoted as an identifier ("public" when none); malloc'd (never NULL), caller frees. */
char *ctx_schema_ident(const struct pgpb_ctx *ctx);
/* Sets search_path on conn to the ctx schema ("public" without --schema), then pg_catalog; 0 on success (logs on failure). */
int ctx_set_search_path(const struct pgpb_ctx *ctx, PGconn *conn);

/* Describes a live connection without its password: "host=... port=... user=... dbname=...". */
void conn_describe(PGconn *conn, char *buf, size_t len);
/* Masks any password in a conninfo string or URI; the result never holds the password. */
void conn_mask(const char *conninfo, char *buf, size_t len);
/* Copies msg (say, a libpq error about conninfo) with every password that conninfo holds replaced
 * by ********, as written or as libpq decodes it. */
void conn_scrub(const char *conninfo, const char *msg, char *buf, size_t len);
/* The command line with passwords masked (in -d values and password= anywhere), space separated. */
void conn_mask_argv(int argc, char **argv, char *buf, size_t len);

#endif
