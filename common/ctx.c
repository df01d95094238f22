/*
 * ctx.c: the options every command shares and the one place that opens connections, so that -h/-p/-U/-d,
 * the PG* variables, --schema and --ephemeral mean the same thing everywhere and no password is ever shown.
 */
#include "common/ctx.h"
#include "common/cli.h"
#include "common/cluster.h"
#include "common/log.h"
#include "common/sig.h"

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
	                           .verbose = ctx->verbose, .quiet = ctx->quiet };
	ctx->cluster = cluster_start(&co);
	if (!ctx->cluster)
		return sig_caught() ? sig_exit_status() : EXIT_RUNTIME;
	return 0;
}

PGconn *ctx_connect(const struct pgpb_ctx *ctx, const char *application_name)
{
	const char *keys[8], *vals[8];
	int n = 0;
	char portbuf[16];
	if (ctx->cluster) {
		snprintf(portbuf, sizeof portbuf, "%d", cluster_port(ctx->cluster));
		keys[n] = "host", vals[n++] = cluster_host(ctx->cluster);
		keys[n] = "port", vals[n++] = portbuf;
		keys[n] = "user", vals[n++] = cluster_user(ctx->cluster);
		keys[n] = "dbname", vals[n++] = "postgres";
	} else {
		/* dbname first (it may be a conninfo or URI); explicit -h/-p/-U then override it */
		keys[n] = "dbname", vals[n++] = ctx->dbname;
		keys[n] = "host", vals[n++] = ctx->host;
		keys[n] = "port", vals[n++] = ctx->port;
		keys[n] = "user", vals[n++] = ctx->user;
	}
	keys[n] = "fallback_application_name", vals[n++] = application_name ? application_name : PGPB_PROGNAME;
	keys[n] = NULL, vals[n] = NULL;
	PGconn *conn = PQconnectdbParams(keys, vals, 1);
	if (!conn) {
		log_error("out of memory");
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		char line[1024];
		const char *msg = PQerrorMessage(conn);
		/* libpq's message starts with the whole "connection to server ... failed:" line; keep both parts */
		char buf[2048];
		snprintf(buf, sizeof buf, "%s", msg);
		for (char *p = buf; *p; p++)
			if (*p == '\n')
				*p = ' ';
		log_error("%s", log_firstline(buf, line, sizeof line));
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
	char *out = malloc(2 * n + 3);
	if (!out)
		return NULL;
	char *o = out;
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

int ctx_set_search_path(const struct pgpb_ctx *ctx, PGconn *conn)
{
	if (!ctx->schema)
		return 0;
	char *ident = ctx_schema_ident(ctx);
	if (!ident)
		return -1;
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

static void mask_uri(const char *s, char *buf, size_t len)
{
	size_t o = 0;
	const char *p = strstr(s, "://") + 3;
	put(buf, len, &o, s, (size_t)(p - s));
	size_t authlen = strcspn(p, "/?");
	const char *at = NULL;
	for (const char *q = p; q < p + authlen; q++)
		if (*q == '@')
			at = q;
	if (at) {
		const char *colon = memchr(p, ':', (size_t)(at - p));
		if (colon) {
			put(buf, len, &o, p, (size_t)(colon - p) + 1);
			put(buf, len, &o, MASK, strlen(MASK));
			p = at;
		}
	}
	/* rest: mask password=... in the query string */
	while (*p) {
		if ((p[-1] == '?' || p[-1] == '&') && strncmp(p, "password=", 9) == 0) {
			put(buf, len, &o, p, 9);
			put(buf, len, &o, MASK, strlen(MASK));
			p += 9 + strcspn(p + 9, "&");
			continue;
		}
		put(buf, len, &o, p, 1);
		p++;
	}
}

void conn_mask(const char *s, char *buf, size_t len)
{
	size_t o = 0;
	if (len == 0)
		return;
	buf[0] = '\0';
	if (!s)
		return;
	if (strncmp(s, "postgresql://", 13) == 0 || strncmp(s, "postgres://", 11) == 0) {
		mask_uri(s, buf, len);
		return;
	}
	/* key = value pairs; values may be single-quoted with backslash escapes */
	const char *p = s;
	while (*p) {
		const char *start = p;
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		const char *key = p;
		while (*p && *p != '=' && *p != ' ' && *p != '\t')
			p++;
		size_t keylen = (size_t)(p - key);
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '=') { /* not a conninfo pair: copy the word as is */
			put(buf, len, &o, start, (size_t)(p - start));
			continue;
		}
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		const char *val = p;
		if (*p == '\'') {
			for (p++; *p && *p != '\''; p++)
				if (*p == '\\' && p[1])
					p++;
			if (*p)
				p++;
		} else {
			while (*p && *p != ' ' && *p != '\t' && *p != '\n')
				p++;
		}
		put(buf, len, &o, start, (size_t)(val - start));
		if (keylen == 8 && strncmp(key, "password", 8) == 0)
			put(buf, len, &o, MASK, strlen(MASK));
		else
			put(buf, len, &o, val, (size_t)(p - val));
	}
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
