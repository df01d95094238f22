/*
 * query.c: the query's preparation and checks before the sweep (bench/query.h). Everything here runs on
 * the control connection, once per query, so the steps only replay what was checked.
 */
#include "bench/query.h"
#include "bench/srvstats.h"
#include "common/alloc.h"
#include "common/ctx.h"
#include "common/input.h"
#include "common/log.h"
#include "common/sig.h"
#include "common/sqlfiles.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUERY_FILE_MAX (1 << 20) /* a query file holds one statement: 1 MB is plenty */
#define WARNED_OFFSETS 64 /* distinct empty offsets warned about (more are rare and say nothing new) */

static void sql_error(const char *what, PGresult *res, PGconn *conn)
{
	char line[1024];
	if (sig_caught()) /* the statement was cancelled by the signal: the run says it was interrupted */
		return;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (!msg || !*msg)
		msg = res ? PQresultErrorMessage(res) : NULL;
	if (!msg || !*msg)
		msg = PQerrorMessage(conn);
	if (!msg || !*msg) /* libpq said nothing: say what came back rather than an empty message */
		msg = res ? PQresStatus(PQresultStatus(res)) : "no answer from the server";
	log_error("%s: %s", what, log_firstline(msg, line, sizeof line));
}

/* Statements that only read (whatever they call is held to read-only transactions by the driver). */
static const char *const read_keywords[] = { "SELECT", "WITH", "VALUES", "TABLE", NULL };

/*
 * What a --query FILE may be: a statement at all (not only comments), never a COPY (it switches the
 * connection to the COPY protocol, which returns no page to time), and a query unless --allow-writes.
 * 0, or -1 (logged, naming the statement).
 */
/* The other words a PostgreSQL statement starts with: a file starting with one of them is refused by name
 * without --allow-writes; a file starting with any other word is no statement the server knows, and
 * preparing it gives the server's own syntax error. */
static const char *const other_keywords[] = {
	"ABORT", "ALTER", "ANALYZE", "BEGIN", "CALL", "CHECKPOINT", "CLOSE", "CLUSTER", "COMMENT", "COMMIT", "CREATE",
	"DEALLOCATE", "DECLARE", "DELETE", "DISCARD", "DO", "DROP", "END", "EXECUTE", "EXPLAIN", "FETCH", "GRANT",
	"IMPORT", "INSERT", "LISTEN", "LOAD", "LOCK", "MERGE", "MOVE", "NOTIFY", "PREPARE", "REASSIGN", "REFRESH",
	"REINDEX", "RELEASE", "RESET", "REVOKE", "ROLLBACK", "SAVEPOINT", "SECURITY", "SET", "SHOW", "START",
	"TRUNCATE", "UNLISTEN", "UPDATE", "VACUUM", NULL
};

static int check_statement_kind(const struct run_query *q, const struct run_opts *o)
{
	char kw[32];
	if (!script_first_keyword(q->sql, kw, sizeof kw)) {
		log_error("query file \"%s\" holds no statement, only comments", q->name);
		return -1;
	}
	if (!kw[0]) /* not a statement: preparing it gives the server's syntax error */
		return 0;
	if (strcmp(kw, "COPY") == 0) {
		log_error("query \"%s\" is a COPY statement, which the driver cannot measure", q->name);
		log_hint("COPY moves data in a protocol of its own instead of returning a page; run replays a query "
		         "that returns rows (SELECT ... LIMIT ... OFFSET $1).");
		return -1;
	}
	if (o->allow_writes)
		return 0;
	for (int i = 0; read_keywords[i]; i++)
		if (strcmp(kw, read_keywords[i]) == 0)
			return 0;
	int known = 0;
	for (int i = 0; other_keywords[i]; i++)
		known |= strcmp(kw, other_keywords[i]) == 0;
	if (!known) /* a typo or no SQL at all: the server's syntax error says it best */
		return 0;
	log_error("query \"%s\" is a %s statement: run replays read-only queries", q->name, kw);
	log_hint("By default only SELECT, WITH, VALUES and TABLE statements run, in read-only transactions; "
	         "--allow-writes runs statements that change the database.");
	return -1;
}

/* Read-only by default: the control connection runs the query too (probes, --explain), so it refuses
 * writes as the driver's connections do (conn.c). 0, or -1 (logged). */
static int ctrl_read_only(PGconn *ctrl)
{
	PGresult *res = PQexec(ctrl, "SET default_transaction_read_only = on");
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		sql_error("could not make the control connection read-only", res, ctrl);
	PQclear(res);
	return ok ? 0 : -1;
}

/* Reads the query file: one statement, $1 = OFFSET; a trailing semicolon is dropped. */
static char *read_query_file(const char *path)
{
	size_t n;
	int why;
	char err[16384]; /* a path of any length the shell passes in practice, and the reason after it */
	char *buf = input_slurp(path, QUERY_FILE_MAX, &n, &why, err, sizeof err); /* bounded, a signal ends it */
	if (!buf) {
		log_error("%s", err);
		return NULL;
	}
	while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\n' || buf[n - 1] == '\t' || buf[n - 1] == '\r' ||
	                 buf[n - 1] == ';'))
		buf[--n] = '\0';
	if (n == 0) {
		log_error("query file \"%s\" holds no statement", path);
		free(buf);
		return NULL;
	}
	return buf;
}

static char *copy_span(const char *start, size_t len)
{
	char *s = pgpb_malloc(len + 1);
	memcpy(s, start, len);
	s[len] = '\0';
	return s;
}

/* Splits the SQL at every "$1" not followed by a digit (the simple protocol sends the offset inline). */
static void split_pieces(struct run_query *q)
{
	int count = 1;
	for (const char *p = q->sql; (p = strstr(p, "$1")); p += 2)
		if (p[2] < '0' || p[2] > '9')
			count++;
	q->pieces = pgpb_calloc((size_t)count, sizeof *q->pieces);
	const char *start = q->sql, *p = q->sql;
	int k = 0;
	while ((p = strstr(p, "$1"))) {
		if (p[2] >= '0' && p[2] <= '9') {
			p += 2;
			continue;
		}
		q->pieces[k++] = copy_span(start, (size_t)(p - start));
		p += 2;
		start = p;
	}
	q->pieces[k++] = pgpb_strdup(start);
	q->npieces = k;
}

/* The statement with num in place of every $1 (the text the simple protocol sends). */
static char *inline_offset(const struct run_query *q, const char *num)
{
	size_t len = 1;
	for (int i = 0; i < q->npieces; i++)
		len += strlen(q->pieces[i]) + strlen(num);
	char *s = pgpb_malloc(len);
	s[0] = '\0';
	for (int i = 0; i < q->npieces; i++) {
		strcat(s, q->pieces[i]);
		if (i + 1 < q->npieces)
			strcat(s, num);
	}
	return s;
}

/* Prepares the query once on the control connection: a bad query is a clear error here, not a hang
 * or a flood of failed queries later. Learns the parameter count and the columns to validate. */
static int check_query(struct run_query *q, PGconn *ctrl, const struct run_opts *o, pthread_mutex_t *decode_lock)
{
	PGresult *res;
	PGresult *prep = ctx_prepare_described(ctrl, "preparing the query", q->sql, &res);
	if (PQresultStatus(prep) != PGRES_COMMAND_OK) {
		char what[512];
		snprintf(what, sizeof what, "query \"%s\" does not run", q->name);
		sql_error(what, prep, ctrl);
		PQclear(prep);
		PQclear(res);
		return -1;
	}
	PQclear(prep);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		sql_error("could not describe the query", res, ctrl);
		PQclear(res);
		return -1;
	}
	q->nparams = PQnparams(res);
	if (q->nparams > (q->variant ? q->variant->nparams : 1)) {
		log_error("query \"%s\" has %d parameters: it may use only $1 (the OFFSET)", q->name, q->nparams);
		PQclear(res);
		return -1;
	}
	if (o->validate && (o->validate == RUN_VALIDATE_ALL || q->variant || !o->query_file)) {
		char why[256];
		if (validate_init(&q->val, res, o->protocol == RUN_PROTO_SIMPLE, o->page_size, why, sizeof why) < 0) {
			log_error("query \"%s\" cannot be validated: %s", q->name, why);
			log_hint("Use --no-validate to run it without checking the pages.");
			PQclear(res);
			return -1;
		}
		q->have_val = 1;
		q->val.decode_lock = decode_lock;
		if (q->variant) { /* what cnt holds: the exact total, NULL, or the total capped */
			q->val.count_mode = q->variant->has_count;
			q->val.count_cap = VALIDATE_COUNT_CAP;
		}
	}
	PQclear(res);
	return 0;
}

/* Reads the statement: the variant's, the file's, or the seed's, into q->sql and q->name; 0 or -1 (logged). */
static int read_statement(struct run_query *q, const struct run_opts *o, const char *variant)
{
	if (variant) {
		q->variant = variant_find(variant);
		const char *text = q->variant ? variant_sql(q->variant) : NULL;
		if (!text) {
			log_error("unknown query variant \"%s\"", variant);
			return -1;
		}
		q->sql = pgpb_strdup(text);
		q->name = q->variant->name;
		if (q->variant->keyset && o->protocol == RUN_PROTO_SIMPLE) {
			log_error("the keyset variant needs --protocol extended or prepared (its key is two parameters)");
			return -1;
		}
		if (q->variant->keyset && o->offset_mix) {
			log_error("the keyset variant cannot run an --offset-mix step (its key is found once per step)");
			return -1;
		}
	} else if (o->query_file) {
		q->sql = read_query_file(o->query_file);
		const char *base = strrchr(o->query_file, '/');
		snprintf(q->namebuf, sizeof q->namebuf, "%s", base ? base + 1 : o->query_file);
		q->name = q->namebuf;
	} else {
		const char *seed = sql_get("schema/query");
		q->sql = seed ? pgpb_strdup(seed) : NULL;
		q->name = "seed";
	}
	if (!q->sql)
		return -1;
	if (!o->query_file || variant) { /* an embedded file ends in a newline; keep the statement only */
		size_t n = strlen(q->sql);
		while (n && (q->sql[n - 1] == '\n' || q->sql[n - 1] == ' ' || q->sql[n - 1] == ';'))
			q->sql[--n] = '\0';
	}
	return 0;
}

/* pg_stat_statements' id of the statement as the driver sends it (offset 0 stands for any). */
static long long find_queryid(const struct run_query *q, PGconn *ctrl, enum run_protocol protocol)
{
	if (protocol == RUN_PROTO_SIMPLE) {
		char *text = inline_offset(q, "0");
		long long id = srv_query_id(ctrl, text, 0, NULL);
		free(text);
		return id;
	}
	struct variant_params vp;
	const char *zero[1] = { "0" };
	const char *const *vals = zero;
	if (q->variant && variant_params(q->variant, ctrl, 0, &vp) == 0)
		vals = vp.values;
	return srv_query_id(ctrl, q->sql, q->nparams, vals);
}

/* A query file without $1 runs the same statement at every offset: said once, before the steps. */
static void warn_no_offset(const struct run_query *q, const struct run_opts *o)
{
	int deep = o->offset_mix;
	for (size_t k = 0; k < o->noffsets; k++)
		deep |= o->offsets[k] != 0;
	if (q->variant || q->nparams > 0 || !deep)
		return;
	log_warning("query \"%s\" has no $1: every offset step runs the same statement", q->name);
	log_hint("Write OFFSET $1 where the page starts, so that each step reads the page at its own depth.");
}

int query_prepare(struct run_query *q, PGconn *ctrl, const struct pgpb_ctx *ctx, const struct run_opts *o,
                  const char *variant, pthread_mutex_t *decode_lock)
{
	if (read_statement(q, o, variant) < 0 || check_statement_kind(q, o) < 0 ||
	    (!o->allow_writes && ctrl_read_only(ctrl) < 0) || check_query(q, ctrl, o, decode_lock) < 0)
		return -1;
	warn_no_offset(q, o);
	split_pieces(q);
	q->queryid = find_queryid(q, ctrl, o->protocol);
	if (conn_params_init(&q->cp, ctx, q->sql, q->nparams, o->protocol) < 0)
		return -1;
	/* text results, as pgbench gets, unless the page checks decode columns */
	q->cp.init_types = q->have_val && validate_decodes(&q->val);
	q->cp.binary = q->cp.init_types && o->protocol != RUN_PROTO_SIMPLE;
	q->cp.read_only = !o->allow_writes;
	return 0;
}

int query_prepare_scripts(struct run_query *q, PGconn *ctrl, const struct pgpb_ctx *ctx, const struct run_opts *o,
                          const struct script_set *ss)
{
	q->scripts = ss;
	size_t len = 1, nl = 0;
	for (int k = 0; k < ss->n; k++)
		nl += snprintf(q->namebuf + nl, nl < sizeof q->namebuf ? sizeof q->namebuf - nl : 0, "%s%s", k ? "+" : "",
		               ss->s[k]->name);
	q->name = q->namebuf;
	for (int i = 0; i < ss->nstmts; i++)
		len += strlen(script_stmt(ss, i)->sql) + 3;
	q->sql = pgpb_malloc(len);
	q->sql[0] = '\0';
	if (!o->allow_writes && ctrl_read_only(ctrl) < 0)
		return -1;
	for (int i = 0; i < ss->nstmts; i++) {
		const struct script_cmd *c = script_stmt(ss, i);
		strcat(q->sql, c->sql);
		strcat(q->sql, ";\n");
		PGresult *res;
		PGresult *prep = ctx_prepare_described(ctrl, "preparing a script's statement", c->param_sql, &res);
		int ok = PQresultStatus(prep) == PGRES_COMMAND_OK;
		if (!ok) {
			char what[600];
			const struct script *s = NULL;
			for (int k = 0; k < ss->n; k++)
				if (i >= ss->s[k]->first_stmt && i < ss->s[k]->first_stmt + ss->s[k]->nstmts)
					s = ss->s[k];
			snprintf(what, sizeof what, "script %s line %d: the statement does not run", s ? s->file : "?", c->line);
			sql_error(what, prep, ctrl);
		}
		PQclear(prep);
		PQclear(res);
		if (!ok)
			return -1;
	}
	int deep = 0; /* several offsets, and no script reads them: every offset step runs the same requests */
	for (size_t k = 1; k < o->noffsets; k++)
		deep |= o->offsets[k] != o->offsets[0];
	if (deep && !script_set_uses(ss, SV_OFFSET) && !script_set_uses(ss, SV_PAGE)) {
		log_warning("no script reads :offset or :page: every offset step runs the same requests");
		log_hint("Use :offset (or :page) where the page starts, or give one offset (--offsets 0).");
	}
	if (conn_params_init(&q->cp, ctx, q->sql, 0, o->protocol) < 0)
		return -1;
	q->cp.scripts = ss;
	q->cp.read_only = !o->allow_writes;
	return 0;
}

int query_prepare_variant_script(struct run_query *q, PGconn *ctrl, const struct pgpb_ctx *ctx,
                                 const struct run_opts *o, const struct variant *v)
{
	const char *text = variant_sql(v);
	if (!text) {
		log_error("internal error: no embedded SQL file \"%s\"", v->file);
		return -1;
	}
	q->own_scripts = pgpb_calloc(1, sizeof *q->own_scripts);
	script_set_init(q->own_scripts);
	const char *base = strrchr(v->file, '/');
	char file[128], err[1024];
	snprintf(file, sizeof file, "%s.sql", base ? base + 1 : v->file);
	if (script_set_add(q->own_scripts, file, text, strlen(text), 1, err, sizeof err) < 0 ||
	    script_set_finish(q->own_scripts, o->page_size, 1, err, sizeof err) < 0) {
		log_error("internal error: the %s variant's script: %s", v->name, err);
		return -1;
	}
	q->variant = v;
	if (query_prepare_scripts(q, ctrl, ctx, o, q->own_scripts) < 0)
		return -1;
	snprintf(q->namebuf, sizeof q->namebuf, "%s", v->name);
	q->name = q->namebuf;
	return 0;
}

void query_free(struct run_query *q)
{
	if (q->own_scripts) {
		script_set_free(q->own_scripts);
		free(q->own_scripts);
	}
	for (int k = 0; k < q->npieces; k++)
		free(q->pieces[k]);
	free(q->pieces);
	free(q->sql);
	conn_params_free(&q->cp);
}

long long query_count_qualifying(PGconn *ctrl)
{
	PGresult *res = ctx_exec(ctrl, "counting the qualifying rows", sql_get("bench/count_qualifying"), 0, NULL);
	long long n = -1;
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		n = atoll(PQgetvalue(res, 0, 0));
	else
		sql_error("could not count the qualifying rows", res, ctrl);
	PQclear(res);
	return n;
}

/* Whether query q returns no row at offset (a --query FILE past the counted rows is run once to see);
 * 1 empty, 0 not, -1 when the probe failed. */
static int probe_empty(PGconn *ctrl, const struct run_query *q, long offset)
{
	char num[24];
	snprintf(num, sizeof num, "%ld", offset);
	const char *vals[1] = { num };
	PGresult *res = ctx_exec(ctrl, "probing an offset past the counted rows", q->sql, q->nparams > 0 ? 1 : 0, vals);
	int empty = PQresultStatus(res) == PGRES_TUPLES_OK ? PQntuples(res) == 0 : -1;
	PQclear(res);
	return empty;
}

void query_mark_empty_pages(PGconn *ctrl, const struct run_query *qs, struct plan *p, long long qualifying,
                            const char *query_file, long page_size)
{
	long warned[WARNED_OFFSETS];
	int nwarned = 0, any = 0;
	for (int k = 0; k < p->nsteps; k++) {
		struct step_def *sd = &p->steps[k];
		const struct run_query *q = &qs[sd->query];
		int file = !q->variant && query_file;
		sd->empty = sd->mix || qualifying < 0 ? -1 : 0; /* -1: not known */
		if (sd->mix || qualifying < 0 || sd->offset < qualifying)
			continue;
		/* the same query and offset was decided at an earlier step */
		int j;
		for (j = 0; j < k; j++)
			if (p->steps[j].query == sd->query && !p->steps[j].mix && p->steps[j].offset == sd->offset)
				break;
		if (j < k) {
			sd->empty = p->steps[j].empty;
			continue;
		}
		sd->empty = file ? probe_empty(ctrl, q, sd->offset) : 1;
		if (sd->empty != 1)
			continue;
		any = 1;
		int seen = 0;
		for (int w = 0; w < nwarned; w++)
			seen |= warned[w] == sd->offset;
		if (seen)
			continue;
		if (nwarned < WARNED_OFFSETS)
			warned[nwarned++] = sd->offset;
		if (file)
			log_warning("query \"%s\" returns no row at offset %ld (the dataset has %lld qualifying rows): its steps "
			            "measure empty pages", q->name, sd->offset, qualifying);
		else
			log_warning("offset %ld is at or beyond the %lld rows the query pages through: its steps measure empty "
			            "pages", sd->offset, qualifying);
	}
	if (any) {
		long long last = qualifying > 0 ? (qualifying - 1) / page_size * page_size : 0;
		log_hint("The last page starts at offset %lld; steps past it are marked empty_pages in steps.csv.", last);
	}
}
