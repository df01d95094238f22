/*
 * variants.c: the table of query variants. The SQL lives in schema/query*.sql, embedded at
 * build time; this file says which file is which variant, how many parameters each takes, and finds the
 * keyset key, so the driver can sweep variants without knowing their differences.
 */
#include "bench/variants.h"
#include "common/ctx.h"
#include "common/log.h"
#include "common/sqlfiles.h"

#include <stdio.h>
#include <string.h>

static const struct variant variants[] = {
	{ "seed", "schema/query", 1, 0, VALIDATE_COUNT_EXACT,
	  "the seed article's query, verbatim (GROUP BY + COUNT(*) OVER())", 0 },
	{ "nocount", "schema/query_nocount", 1, 0, VALIDATE_COUNT_NULL, "the seed without the window count (cnt NULL)", 0 },
	{ "pagefirst", "schema/query_pagefirst", 1, 0, VALIDATE_COUNT_EXACT,
	  "the ten ids from the partial index first, then tags, parts and the count for them", 0 },
	{ "keyset", "schema/query_keyset", 2, 1, VALIDATE_COUNT_NULL,
	  "seek by (updated, id) < ($1, $2) newest first, no count (cnt NULL)", 0 },
	{ "cappedcount", "schema/query_cappedcount", 1, 0, VALIDATE_COUNT_CAPPED, "pagefirst with the count capped at 1,001", 0 },
	{ "django", "schema/query_django", 0, 0, VALIDATE_COUNT_NULL,
	  "Django's ListView paginator: a COUNT(*), the page with its author, the tags prefetched by id (3 statements)",
	  1 },
};
#define NVARIANTS (sizeof variants / sizeof variants[0])

const char *const variant_names[] = { "seed", "nocount", "pagefirst", "keyset", "cappedcount", "django", NULL };

size_t variant_count(void)
{
	return NVARIANTS;
}

const struct variant *variant_at(size_t i)
{
	return i < NVARIANTS ? &variants[i] : NULL;
}

const struct variant *variant_find(const char *name)
{
	for (size_t i = 0; name && i < NVARIANTS; i++)
		if (strcmp(variants[i].name, name) == 0)
			return &variants[i];
	return NULL;
}

const char *variant_sql(const struct variant *v)
{
	return v ? sql_get(v->file) : NULL;
}

const char *variant_keyset_key_sql(void)
{
	return sql_get("schema/query_keyset_key");
}

int variant_keyset_params(PGconn *conn, long offset, char updated[VARIANT_PARAM_LEN], char id[VARIANT_PARAM_LEN])
{
	const char *sql = variant_keyset_key_sql();
	if (!sql) {
		log_error("internal error: no embedded SQL file \"schema/query_keyset_key\"");
		return -1;
	}
	if (offset < 0) {
		log_error("invalid offset %ld for the keyset key", offset);
		return -1;
	}
	char off[32];
	snprintf(off, sizeof off, "%ld", offset);
	const char *params[1] = { off };
	PGresult *res = ctx_exec(conn, "finding the keyset key", sql, 1, params);
	int ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 && PQnfields(res) == 2 &&
	         !PQgetisnull(res, 0, 0) && !PQgetisnull(res, 0, 1) &&
	         strlen(PQgetvalue(res, 0, 0)) < VARIANT_PARAM_LEN && strlen(PQgetvalue(res, 0, 1)) < VARIANT_PARAM_LEN;
	if (ok) {
		snprintf(updated, VARIANT_PARAM_LEN, "%s", PQgetvalue(res, 0, 0));
		snprintf(id, VARIANT_PARAM_LEN, "%s", PQgetvalue(res, 0, 1));
	} else {
		char line[1024];
		const char *msg = PQresultStatus(res) == PGRES_TUPLES_OK ? "unexpected result shape"
		                                                         : log_firstline(PQresultErrorMessage(res), line, sizeof line);
		log_error("could not find the keyset key at offset %ld: %s", offset, msg);
	}
	PQclear(res);
	return ok ? 0 : -1;
}

int variant_params(const struct variant *v, PGconn *conn, long offset, struct variant_params *p)
{
	memset(p, 0, sizeof *p);
	p->n = v->nparams;
	p->values[0] = p->buf[0];
	p->values[1] = p->buf[1];
	if (v->keyset)
		return variant_keyset_params(conn, offset, p->buf[0], p->buf[1]);
	if (offset < 0) {
		log_error("invalid offset %ld", offset);
		return -1;
	}
	snprintf(p->buf[0], VARIANT_PARAM_LEN, "%ld", offset);
	p->values[1] = NULL;
	return 0;
}
