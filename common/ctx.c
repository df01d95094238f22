/*
 * ctx.c: the options every command shares and the one place that opens connections, so that -h/-p/-U/-d,
 * the PG* variables, --schema and --ephemeral mean the same thing everywhere and no password is ever shown.
 */
#include "common/ctx.h"
#include "common/alloc.h"
#include "common/cli.h"
#include "common/cluster.h"
#include "common/fdlimit.h"
#include "common/log.h"
#include "common/pooler.h"
#include "common/sig.h"
#include "common/sqlfiles.h"

#include <ctype.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define WAIT_TICK_MS 100 /* a wait on the server looks at the signal flag this often */
#define WAIT_REPORT_S 5.0 /* a wait this long says what it waits for */
#define SIGNAL_GRACE_S 0.2 /* after a signal, a statement about to finish may (the step's last counters) */
#define CANCEL_GRACE_S 0.5 /* after a cancel request, how long the server has to answer before the cut */
#define SIDE_CONNECT_S 2.0 /* the second connection that looks at a long wait */
#define RESET_ATTEMPT_S 5.0 /* one attempt to re-establish a connection, at most */
#define BACKOFF_FIRST_MS 100 /* between attempts: doubling from this ... */
#define BACKOFF_MAX_MS 2000 /* ... to this */

void ctx_init(struct pgpb_ctx *ctx, const char *command, int argc, char **argv)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->command = command;
	ctx->argc = argc;
	ctx->argv = argv;
}

int ctx_option(struct pgpb_ctx *ctx, int opt, const char *arg)
{
	switch (opt) {
	case 'h': ctx->host = arg; return 1;
	case 'p': {
		long port;
		if (cli_parse_long("--port", arg, 1, 65535, &port) < 0)
			return -1;
		ctx->port = arg;
		return 1;
	}
	case 'U': ctx->user = arg; return 1;
	case 'd': ctx->dbname = arg; return 1;
	case 'v': ctx->verbose++; return 1;
	case CTX_OPT_EPHEMERAL: ctx->ephemeral = 1; return 1;
	case CTX_OPT_KEEP: ctx->keep = 1; return 1;
	case CTX_OPT_QUIET: ctx->quiet = 1; return 1;
	case CTX_OPT_SCHEMA:
		if (!*arg) {
			log_error("invalid value \"\" for option --schema: a schema name must not be empty");
			return -1;
		}
		if (strlen(arg) > 63) {
			log_error("invalid value \"%s\" for option --schema: longer than 63 bytes", arg);
			return -1;
		}
		ctx->schema = arg;
		return 1;
	case CTX_OPT_SETTING: {
		const char *eq = strchr(arg, '=');
		if (!eq || eq == arg) {
			log_error("invalid value \"%s\" for option --pg-setting: expected NAME=VALUE", arg);
			return -1;
		}
		for (const char *p = arg; p < eq; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			      *p == '_' || *p == '.')) {
				log_error("invalid value \"%s\" for option --pg-setting: bad setting name", arg);
				return -1;
			}
		static const char *const reserved[] = { "port", "unix_socket_directories", "listen_addresses", "data_directory",
		                                         "config_file", "hba_file", "ident_file" };
		for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
			if ((size_t)(eq - arg) == strlen(reserved[i]) &&
			    strncasecmp(arg, reserved[i], strlen(reserved[i])) == 0) {
				log_error("invalid value \"%s\" for option --pg-setting: the temporary cluster sets \"%s\" itself",
				          arg, reserved[i]);
				return -1;
			}
		if (ctx->nsettings == sizeof ctx->settings / sizeof ctx->settings[0]) {
			log_error("too many --pg-setting options (at most 64)");
			return -1;
		}
		ctx->settings[ctx->nsettings++] = arg;
		return 1;
	}
	default:
		return 0;
	}
}

int ctx_open(struct pgpb_ctx *ctx)
{
	if (!ctx->ephemeral) {
		if (ctx->keep || ctx->nsettings) {
			log_error("--keep and --pg-setting need --ephemeral");
			return EXIT_USAGE;
		}
		return 0;
	}
	if (ctx->host || ctx->port || ctx->dbname || ctx->user) {
		log_error("--ephemeral cannot be combined with -h, -p, -U or -d");
		return EXIT_USAGE;
	}
	struct cluster_opts co = { .settings = ctx->settings, .nsettings = ctx->nsettings,
	                           .verbose = ctx->verbose, .quiet = ctx->quiet, .keep = ctx->keep };
	struct pooler_opts po = { .mode = (enum pooler_mode)ctx->pooler_mode, .pool_size = ctx->pooler_pool_size,
	                          .max_client_conn = ctx->pooler_max_client_conn, .verbose = ctx->verbose };
	if (ctx->pooler_mode) {
		char who[64];
		snprintf(who, sizeof who, "pgbouncer's %ld client connections", po.max_client_conn);
		/* PgBouncer inherits the limit: a descriptor a client and one a server connection, and its own;
		 * refused before the cluster is made */
		if (fdlimit_raise(po.max_client_conn + po.pool_size + 64, who, ctx->quiet) < 0)
			return EXIT_RUNTIME;
	}
	ctx->cluster = cluster_start(&co);
	if (!ctx->cluster)
		return sig_caught() ? sig_exit_status() : EXIT_RUNTIME;
	if (ctx->pooler_mode) {
		ctx->pooler = pooler_start(ctx->cluster, &po);
		if (!ctx->pooler) {
			cluster_stop(ctx->cluster);
			ctx->cluster = NULL;
			return sig_caught() ? sig_exit_status() : EXIT_RUNTIME;
		}
	}
	return 0;
}

void ctx_conninfo(const struct pgpb_ctx *ctx, const char *application_name, struct ctx_conninfo *ci)
{
	int n = 0;
	if (ctx->cluster) {
		snprintf(ci->port, sizeof ci->port, "%d", cluster_port(ctx->cluster));
		ci->keys[n] = "host", ci->vals[n++] = cluster_host(ctx->cluster);
		ci->keys[n] = "port", ci->vals[n++] = ci->port;
		ci->keys[n] = "user", ci->vals[n++] = cluster_user(ctx->cluster);
		ci->keys[n] = "dbname", ci->vals[n++] = "postgres";
	} else {
		/* dbname first (it may be a conninfo or URI); explicit -h/-p/-U then override it */
		ci->keys[n] = "dbname", ci->vals[n++] = ctx->dbname;
		ci->keys[n] = "host", ci->vals[n++] = ctx->host;
		ci->keys[n] = "port", ci->vals[n++] = ctx->port;
		ci->keys[n] = "user", ci->vals[n++] = ctx->user;
	}
	ci->keys[n] = "fallback_application_name", ci->vals[n++] = application_name ? application_name : PGPB_PROGNAME;
	ci->keys[n] = NULL, ci->vals[n] = NULL;
}

void ctx_conninfo_load(const struct pgpb_ctx *ctx, const char *application_name, struct ctx_conninfo *ci)
{
	if (!ctx->pooler) {
		ctx_conninfo(ctx, application_name, ci);
		return;
	}
	int n = 0;
	snprintf(ci->port, sizeof ci->port, "%d", pooler_port(ctx->pooler));
	ci->keys[n] = "host", ci->vals[n++] = pooler_host(ctx->pooler);
	ci->keys[n] = "port", ci->vals[n++] = ci->port;
	ci->keys[n] = "user", ci->vals[n++] = pooler_user(ctx->pooler);
	ci->keys[n] = "dbname", ci->vals[n++] = "postgres";
	ci->keys[n] = "fallback_application_name", ci->vals[n++] = application_name ? application_name : PGPB_PROGNAME;
	ci->keys[n] = NULL, ci->vals[n] = NULL;
}

PGconn *ctx_connect(const struct pgpb_ctx *ctx, const char *application_name)
{
	struct ctx_conninfo ci;
	ctx_conninfo(ctx, application_name, &ci);
	PGconn *conn = PQconnectdbParams(ci.keys, ci.vals, 1);
	if (!conn) { /* libpq could not allocate its connection object */
		log_error("out of memory");
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		/* libpq's message spans lines ("connection to server ... failed: why" then a tab-indented
		 * question); make it one. A malformed conninfo or URI may be echoed whole: scrub its password. */
		char buf[2048], line[2048];
		conn_scrub(ctx->dbname, PQerrorMessage(conn), buf, sizeof buf);
		size_t o = 0;
		for (const char *p = buf; *p; p++) {
			if (*p == '\n' || *p == '\t') {
				if (o > 0 && line[o - 1] != ' ')
					line[o++] = ' ';
			} else {
				line[o++] = *p;
			}
		}
		line[o] = '\0';
		log_error("%s", line);
		PQfinish(conn);
		return NULL;
	}
	if (ctx_set_search_path(ctx, conn) < 0) {
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

/* ---- waiting on the server ------------------------------------------------------------------ */

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits at most ms for conn's socket to be ready for events (a signal ends it early). -1 without a socket. */
static int wait_socket(PGconn *conn, short events, int ms)
{
	int fd = PQsocket(conn);
	if (fd < 0)
		return -1;
	struct pollfd p = { fd, events, 0 };
	poll(&p, 1, ms);
	return 0;
}

static void send_cancel(PGconn *conn)
{
	PGcancel *c = PQgetCancel(conn);
	if (c) {
		char err[256];
		PQcancel(c, err, sizeof err);
		PQfreeCancel(c);
	}
}

static int describe_wait(PGconn *conn, char *buf, size_t len);

/* A lost connection: what libpq still holds, and an error result carrying its message when it holds none. */
static PGresult *drain_lost(PGconn *conn, PGresult *keep)
{
	for (int k = 0; k < 8; k++) { /* a dead connection never blocks PQgetResult; bounded all the same */
		PGresult *r = PQgetResult(conn);
		if (!r)
			break;
		if (!keep || PQresultStatus(keep) != PGRES_FATAL_ERROR) {
			PQclear(keep);
			keep = r;
		} else {
			PQclear(r);
		}
	}
	if (keep && PQresultStatus(keep) == PGRES_FATAL_ERROR)
		return keep;
	PQclear(keep);
	return PQmakeEmptyPGresult(conn, PGRES_FATAL_ERROR); /* carries PQerrorMessage */
}

/*
 * Collects the results of the statement sent on conn: the last one, or the first error. Looks at the
 * signal flag every WAIT_TICK_MS (a signal interrupts the poll at once): a statement still running
 * SIGNAL_GRACE_S after a signal gets a cancel request, and a server that has not answered it CANCEL_GRACE_S
 * later has the socket cut (libpq then sees the connection closed): well within a second either way. When
 * what is set, a wait of WAIT_REPORT_S says what it waits for.
 */
static PGresult *await_result(PGconn *conn, const char *what)
{
	PGresult *keep = NULL;
	double start = mono_s(), signalled = 0, cancelled = 0;
	int reported = what == NULL, cut = 0;
	for (;;) {
		if (!PQconsumeInput(conn) || PQstatus(conn) == CONNECTION_BAD)
			return drain_lost(conn, keep);
		while (!PQisBusy(conn)) {
			PGresult *r = PQgetResult(conn);
			if (!r)
				return keep;
			ExecStatusType st = PQresultStatus(r);
			if (keep && PQresultStatus(keep) == PGRES_FATAL_ERROR) {
				PQclear(r);
			} else {
				PQclear(keep);
				keep = r;
			}
			if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH)
				return keep; /* as PQexec: the caller owns a COPY */
		}
		double now = mono_s();
		if (sig_caught() && !signalled)
			signalled = now;
		if (signalled && !cancelled && now - signalled >= SIGNAL_GRACE_S) {
			send_cancel(conn);
			cancelled = mono_s();
		} else if (cancelled && !cut && now - cancelled >= CANCEL_GRACE_S) {
			shutdown(PQsocket(conn), SHUT_RDWR); /* the server did not answer: give the connection up */
			cut = 1;
		} else if (!reported && !signalled && now - start >= WAIT_REPORT_S) {
			reported = 1;
			char detail[512];
			int lock = describe_wait(conn, detail, sizeof detail);
			log_warning("still %s after %.0f s: %s", what, now - start, detail);
			if (lock)
				log_hint("Interrupt with Ctrl-C, or end the session that holds the lock.");
		}
		int tick = signalled && !cancelled ? (int)(SIGNAL_GRACE_S * 1000) / 4 : WAIT_TICK_MS;
		if (wait_socket(conn, POLLIN, tick) < 0)
			return drain_lost(conn, keep);
	}
}

/* An error result carrying conn's message (never NULL but out of memory). */
static PGresult *send_failed(PGconn *conn)
{
	return PQmakeEmptyPGresult(conn, PGRES_FATAL_ERROR);
}

PGresult *ctx_exec(PGconn *conn, const char *what, const char *sql, int nparams, const char *const *values)
{
	int sent = nparams == 0 && !values ? PQsendQuery(conn, sql)
	                                   : PQsendQueryParams(conn, sql, nparams, NULL, values, NULL, NULL, 0);
	return sent ? await_result(conn, what) : send_failed(conn);
}

PGresult *ctx_prepare(PGconn *conn, const char *what, const char *name, const char *sql)
{
	return PQsendPrepare(conn, name, sql, 0, NULL) ? await_result(conn, what) : send_failed(conn);
}

PGresult *ctx_prepare_described(PGconn *conn, const char *what, const char *sql, PGresult **desc)
{
	*desc = NULL;
	if (!PQenterPipelineMode(conn))
		return send_failed(conn);
	PGresult *prep;
	if (PQsendPrepare(conn, "", sql, 0, NULL) && PQsendDescribePrepared(conn, "") && PQpipelineSync(conn)) {
		prep = await_result(conn, what);
		*desc = await_result(conn, NULL);
		PQclear(await_result(conn, NULL)); /* the Sync's own result */
	} else {
		prep = send_failed(conn);
	}
	if (!PQexitPipelineMode(conn)) { /* the connection is in no state to go on */
		PQclear(prep);
		PQclear(*desc);
		*desc = NULL;
		return send_failed(conn);
	}
	return prep;
}

int ctx_ping(PGconn *conn, char *why, size_t len)
{
	PGresult *res = ctx_exec(conn, "checking the connection", "SELECT 1", 0, NULL);
	int ok = PQresultStatus(res) == PGRES_TUPLES_OK;
	if (!ok) {
		const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		log_firstline(msg && *msg ? msg : PQerrorMessage(conn), why, (unsigned)len);
		if (!*why)
			snprintf(why, len, "no answer");
	}
	PQclear(res);
	return ok ? 0 : -1;
}

/* Drives a connection being established (PQconnectStart or PQresetStart) until it is up, fails, a signal
 * comes, or `limit` seconds pass. 0 up, -1 not. */
static int finish_connect(PGconn *conn, int reset, double limit)
{
	double end = mono_s() + limit;
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	for (;;) {
		if (st == PGRES_POLLING_OK)
			return 0;
		if (st == PGRES_POLLING_FAILED || sig_caught() || mono_s() >= end)
			return -1;
		if (wait_socket(conn, st == PGRES_POLLING_READING ? POLLIN : POLLOUT, WAIT_TICK_MS) < 0)
			return -1;
		st = reset ? PQresetPoll(conn) : PQconnectPoll(conn);
	}
}

/* What the backend of conn waits for ("waiting for a lock on relation record held by process 4242 (psql)"),
 * found on a second connection with the same parameters; a plainer sentence when that cannot be learned.
 * 1 when it waits for a lock. */
static int describe_wait(PGconn *conn, char *buf, size_t len)
{
	int lock = 0;
	snprintf(buf, len, "the server has not answered yet");
	PQconninfoOption *opts = PQconninfo(conn);
	if (!opts)
		return 0;
	const char *keys[64], *vals[64];
	int n = 0;
	for (PQconninfoOption *o = opts; o->keyword && n < 60; o++)
		if (o->val && *o->val && strcmp(o->keyword, "application_name") != 0 &&
		    strcmp(o->keyword, "fallback_application_name") != 0)
			keys[n] = o->keyword, vals[n++] = o->val;
	keys[n] = "application_name", vals[n++] = PGPB_PROGNAME " wait check";
	keys[n] = NULL, vals[n] = NULL;
	PGconn *side = PQconnectStartParams(keys, vals, 0);
	PQconninfoFree(opts);
	if (!side)
		return 0;
	if (PQstatus(side) == CONNECTION_BAD || finish_connect(side, 0, SIDE_CONNECT_S) < 0) {
		PQfinish(side);
		return 0;
	}
	char pid[16];
	snprintf(pid, sizeof pid, "%d", PQbackendPID(conn));
	const char *params[1] = { pid };
	PGresult *res = PQsendQueryParams(side, sql_get("common/wait_check"), 1, NULL, params, NULL, NULL, 0)
	                    ? await_result(side, NULL) : NULL;
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		const char *type = PQgetvalue(res, 0, 0), *event = PQgetvalue(res, 0, 1);
		const char *what = PQgetvalue(res, 0, 2), *holders = PQgetvalue(res, 0, 3);
		lock = strcmp(type, "Lock") == 0;
		if (lock)
			snprintf(buf, len, "waiting for a lock on %s held by process%s %s", *what ? what : event,
			         strchr(holders, ',') ? "es" : "", *holders ? holders : "unknown");
		else if (*type)
			snprintf(buf, len, "the server is working on it (wait event %s: %s)", type, event);
		else
			snprintf(buf, len, "the server is working on it");
	}
	PQclear(res);
	PQfinish(side);
	return lock;
}

/* Sleeps ms in WAIT_TICK_MS slices; -1 when a signal came. */
static int nap(long ms)
{
	for (long left = ms; left > 0; left -= WAIT_TICK_MS) {
		if (sig_caught())
			return -1;
		long slice = left < WAIT_TICK_MS ? left : WAIT_TICK_MS;
		struct timespec ts = { 0, slice * 1000000L };
		nanosleep(&ts, NULL);
	}
	return sig_caught() ? -1 : 0;
}

int ctx_reconnect(const struct pgpb_ctx *ctx, PGconn *conn, const char *name, const char *lost, double timeout_s)
{
	char why[512];
	log_warning("lost %s (%s): reconnecting for up to %g s", name, lost, timeout_s);
	double start = mono_s();
	long backoff = BACKOFF_FIRST_MS;
	for (;;) {
		if (sig_caught())
			return -1;
		double left = timeout_s - (mono_s() - start), limit = RESET_ATTEMPT_S;
		if (left < limit) /* the last attempt ends with the timeout, but gets a fair chance */
			limit = left > 0.5 ? left : 0.5;
		if (PQresetStart(conn) && finish_connect(conn, 1, limit) == 0 && ctx_set_search_path(ctx, conn) == 0) {
			log_info("re-established %s after %.1f s", name, mono_s() - start);
			return 0;
		}
		if (sig_caught())
			return -1;
		log_firstline(PQerrorMessage(conn), why, sizeof why);
		double spent = mono_s() - start;
		if (spent >= timeout_s) {
			log_error("could not re-establish %s within %g s: %s", name, timeout_s, *why ? why : "no answer");
			return -1;
		}
		double rest_ms = (timeout_s - spent) * 1000.0 + 1; /* the last attempt at the timeout */
		if (nap(rest_ms < (double)backoff ? (long)rest_ms : backoff) < 0)
			return -1;
		backoff = backoff * 2 < BACKOFF_MAX_MS ? backoff * 2 : BACKOFF_MAX_MS;
	}
}

void ctx_close(struct pgpb_ctx *ctx)
{
	pooler_stop(ctx->pooler);
	ctx->pooler = NULL;
	if (!ctx->cluster)
		return;
	if (ctx->keep)
		cluster_detach(ctx->cluster);
	else
		cluster_stop(ctx->cluster);
	ctx->cluster = NULL;
}

char *ctx_schema_ident(const struct pgpb_ctx *ctx)
{
	const char *s = ctx->schema ? ctx->schema : "public";
	size_t n = strlen(s);
	char *out = pgpb_malloc(2 * n + 3), *o = out;
	*o++ = '"';
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			*o++ = '"';
		*o++ = *p;
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

/* Always set, "public" included: with the default "$user", public, a user who owns a schema of their
 * own name would get the tables there while every check looks in public. */
int ctx_set_search_path(const struct pgpb_ctx *ctx, PGconn *conn)
{
	char *ident = ctx_schema_ident(ctx);
	char sql[256];
	snprintf(sql, sizeof sql, "SET search_path = %s, pg_catalog", ident);
	free(ident);
	PGresult *res = PQexec(conn, sql);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok) {
		char line[512];
		log_error("could not set search_path: %s", log_firstline(PQresultErrorMessage(res), line, sizeof line));
	}
	PQclear(res);
	return ok ? 0 : -1;
}

void conn_describe(PGconn *conn, char *buf, size_t len)
{
	const char *host = PQhost(conn);
	snprintf(buf, len, "host=%s port=%s user=%s dbname=%s", host && *host ? host : "localhost", PQport(conn),
	         PQuser(conn), PQdb(conn));
}

/* Appends at most len-1 bytes in total; stops quietly when full. */
static void put(char *buf, size_t len, size_t *o, const char *s, size_t n)
{
	while (n-- && *o + 1 < len)
		buf[(*o)++] = *s++;
	buf[*o < len ? *o : len - 1] = '\0';
}

static const char MASK[] = "********";

/* A secret inside a conninfo string: where it is, and whether it is a quoted keyword value. */
struct span {
	size_t off, len;
	int quoted;
};
#define MAX_SECRETS 16

/* "password", "sslpassword" and anything else whose name ends in "password" (case-insensitive, to be safe). */
static int secret_key(const char *key, size_t n)
{
	return n >= 8 && strncasecmp(key + n - 8, "password", 8) == 0;
}

static void add_span(struct span *sp, size_t *ns, size_t off, size_t len, int quoted)
{
	if (*ns < MAX_SECRETS && len > 0)
		sp[(*ns)++] = (struct span){ off, len, quoted };
}

/* Where a URI starts in s (libpq accepts postgresql:// and postgres://), or NULL. */
static const char *find_uri(const char *s, size_t *prefix)
{
	const char *a = strstr(s, "postgresql://"), *b = strstr(s, "postgres://");
	if (a && (!b || a <= b)) {
		*prefix = 13;
		return a;
	}
	*prefix = 11;
	return b;
}

/* Secrets of a URI in s[from, to): user:PASSWORD@ (up to the last '@' before the query) and
 * password=/sslpassword= in the query string. Over-masks rather than under-masks a malformed URI. */
static void uri_secrets(const char *s, size_t from, size_t to, struct span *sp, size_t *ns)
{
	size_t q = from;
	while (q < to && s[q] != '?')
		q++;
	size_t at = 0, colon = 0;
	for (size_t i = from; i < q; i++)
		if (s[i] == '@')
			at = i;
	for (size_t i = from; at && i < at; i++)
		if (s[i] == ':') {
			colon = i;
			break;
		}
	if (at && colon)
		add_span(sp, ns, colon + 1, at - colon - 1, 0);
	for (size_t i = q + 1; i < to;) {
		size_t amp = i;
		while (amp < to && s[amp] != '&')
			amp++;
		size_t eq = i;
		while (eq < amp && s[eq] != '=')
			eq++;
		if (eq < amp && secret_key(s + i, eq - i))
			add_span(sp, ns, eq + 1, amp - eq - 1, 0);
		i = amp + 1;
	}
}

/* Secrets of keyword=value pairs in s[from, to) (values may be single-quoted with backslash escapes). */
static void kv_secrets(const char *s, size_t from, size_t to, struct span *sp, size_t *ns)
{
	size_t p = from;
	while (p < to) {
		while (p < to && isspace((unsigned char)s[p]))
			p++;
		size_t key = p;
		while (p < to && s[p] != '=' && !isspace((unsigned char)s[p]))
			p++;
		size_t keylen = p - key;
		while (p < to && (s[p] == ' ' || s[p] == '\t'))
			p++;
		if (p >= to || s[p] != '=')
			continue; /* a word that is not a pair */
		p++;
		while (p < to && (s[p] == ' ' || s[p] == '\t'))
			p++;
		size_t val = p;
		int quoted = p < to && s[p] == '\'';
		if (quoted) {
			for (p++; p < to && s[p] != '\''; p++)
				if (s[p] == '\\' && p + 1 < to)
					p++;
			if (p < to)
				p++;
		} else {
			while (p < to && !isspace((unsigned char)s[p]))
				p++;
		}
		if (secret_key(s + key, keylen))
			add_span(sp, ns, val, p - val, quoted);
	}
}

/* Every secret in s, in order: a URI (which may start anywhere, as in "-dpostgres://...") ends at the
 * first blank; what is around it is read as keyword=value pairs. */
static size_t find_secrets(const char *s, struct span *sp)
{
	size_t ns = 0, n = strlen(s), pos = 0, prefix;
	const char *u;
	while (pos < n && (u = find_uri(s + pos, &prefix))) {
		size_t ustart = (size_t)(u - s), uend = ustart + prefix;
		while (uend < n && !isspace((unsigned char)s[uend]))
			uend++;
		kv_secrets(s, pos, ustart, sp, &ns);
		uri_secrets(s, ustart + prefix, uend, sp, &ns);
		pos = uend;
	}
	kv_secrets(s, pos, n, sp, &ns);
	return ns;
}

void conn_mask(const char *s, char *buf, size_t len)
{
	size_t o = 0;
	if (len == 0)
		return;
	buf[0] = '\0';
	if (!s)
		return;
	struct span sp[MAX_SECRETS];
	size_t ns = find_secrets(s, sp), pos = 0;
	for (size_t i = 0; i < ns; i++) {
		put(buf, len, &o, s + pos, sp[i].off - pos);
		put(buf, len, &o, MASK, strlen(MASK));
		pos = sp[i].off + sp[i].len;
	}
	put(buf, len, &o, s + pos, strlen(s + pos));
	if (ns == MAX_SECRETS) /* more secrets than we track: show nothing of the rest */
		snprintf(buf, len, "%s", MASK);
}

/* A secret as libpq may echo it: unquoted (keyword form) or percent-decoded (URI). malloc'd. */
static char *secret_plain(const char *s, const struct span *sp)
{
	char *out = pgpb_malloc(sp->len + 1), *o = out;
	const char *p = s + sp->off, *end = s + sp->off + sp->len;
	if (sp->quoted)
		p++;
	for (; p < end; p++) {
		if (sp->quoted && *p == '\'')
			break;
		if (sp->quoted && *p == '\\' && p + 1 < end) {
			*o++ = *++p;
		} else if (!sp->quoted && *p == '%' && end - p > 2 && isxdigit((unsigned char)p[1]) &&
		           isxdigit((unsigned char)p[2])) {
			char hex[3] = { p[1], p[2], '\0' };
			*o++ = (char)strtol(hex, NULL, 16);
			p += 2;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

void conn_scrub(const char *conninfo, const char *msg, char *buf, size_t len)
{
	size_t o = 0;
	if (len == 0)
		return;
	buf[0] = '\0';
	if (!msg)
		return;
	struct span sp[MAX_SECRETS];
	size_t ns = conninfo ? find_secrets(conninfo, sp) : 0, nf = 0;
	char *forms[2 * MAX_SECRETS];
	for (size_t i = 0; i < ns; i++) {
		forms[nf] = pgpb_malloc(sp[i].len + 1);
		memcpy(forms[nf], conninfo + sp[i].off, sp[i].len);
		forms[nf][sp[i].len] = '\0';
		forms[nf + 1] = secret_plain(conninfo, &sp[i]);
		nf += 2;
	}
	for (const char *p = msg; *p;) {
		size_t best = 0;
		for (size_t i = 0; i < nf; i++) {
			size_t fl = strlen(forms[i]);
			if (fl > best && strncmp(p, forms[i], fl) == 0)
				best = fl;
		}
		if (best) {
			put(buf, len, &o, MASK, strlen(MASK));
			p += best;
		} else {
			put(buf, len, &o, p, 1);
			p++;
		}
	}
	for (size_t i = 0; i < nf; i++)
		free(forms[i]);
}

void conn_mask_argv(int argc, char **argv, char *buf, size_t len)
{
	size_t o = 0;
	char tmp[4096];
	if (len)
		buf[0] = '\0';
	for (int i = 0; i < argc; i++) {
		if (i)
			put(buf, len, &o, " ", 1);
		const char *a = argv[i];
		const char *eq = strncmp(a, "--", 2) == 0 ? strchr(a, '=') : NULL;
		if (eq) { /* --opt=value: mask the value */
			put(buf, len, &o, a, (size_t)(eq - a) + 1);
			a = eq + 1;
		} else if (strncmp(a, "-d", 2) == 0 && a[2]) {
			put(buf, len, &o, a, 2);
			a += 2;
		}
		conn_mask(a, tmp, sizeof tmp);
		int quote = strpbrk(tmp, " '\"\\$") != NULL || !*tmp;
		if (quote)
			put(buf, len, &o, "'", 1);
		for (const char *q = tmp; *q; q++) {
			if (*q == '\'')
				put(buf, len, &o, "'\\''", 4);
			else
				put(buf, len, &o, q, 1);
		}
		if (quote)
			put(buf, len, &o, "'", 1);
	}
}
