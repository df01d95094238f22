/*
 * ctx.c: the options every command shares and the one place that opens connections, so that -h/-p/-U/-d,
 * the PG* variables, --schema and --ephemeral mean the same thing everywhere and no password is ever shown.
 */
#include "common/ctx.h"
#include "common/alloc.h"
#include "common/cli.h"
#include "common/cluster.h"
#include "common/log.h"
#include "common/sig.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		static const char *const reserved[] = { "port", "unix_socket_directories", "listen_addresses" };
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
	ctx->cluster = cluster_start(&co);
	if (!ctx->cluster)
		return sig_caught() ? sig_exit_status() : EXIT_RUNTIME;
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

void ctx_close(struct pgpb_ctx *ctx)
{
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
