/*
 * variants.h: the query variants (schema/query*.sql, docs/dbcost.md), looked up by name, and the
 * parameters each needs for a page at a given OFFSET. The driver replays variant->sql with variant_params().
 */
#ifndef PGPB_VARIANTS_H
#define PGPB_VARIANTS_H

#include "bench/validate.h"

#include <libpq-fe.h>
#include <stddef.h>

struct variant {
	const char *name; /* "seed", "nocount", "pagefirst", "keyset", "cappedcount", "django" */
	const char *file; /* embedded file name, e.g. "schema/query_keyset" */
	int nparams; /* 1 ($1 = OFFSET) or 2 (keyset: $1 updated, $2 id) */
	int keyset; /* 1: the parameters come from variant_keyset_params(), found once per step */
	enum validate_count has_count; /* what cnt holds: EXACT, NULL, or CAPPED (least(total, 1001)) */
	const char *summary; /* one line for help texts and reports */
	int script; /* 1: the file is a run --script file, several statements a request (bench/script.h) */
};

/* The names in order, NULL-terminated (an allowed list for cli_parse_words). */
extern const char *const variant_names[];

/* The variant called name, or NULL (nothing logged). */
const struct variant *variant_find(const char *name);
/* The query text of v (embedded, static; NULL only if the build lost the file). */
const char *variant_sql(const struct variant *v);
/* The key query of the keyset variant (schema/query_keyset_key.sql): $1 = OFFSET -> (updated, id). */
const char *variant_keyset_key_sql(void);
/* Number of variants and the i-th one (0 <= i < variant_count()), in variant_names order. */
size_t variant_count(void);
const struct variant *variant_at(size_t i);

/* Longest text of one parameter value. */
#define VARIANT_PARAM_LEN 64

/*
 * The keyset key of the page at `offset`: runs schema/query_keyset_key.sql on conn (which must have the
 * search_path to the tables) and writes the two parameter values as text: updated (ISO 8601 UTC, or
 * "infinity" for offset 0, "-infinity" past the end) and id. 0 on success, -1 on failure (logged).
 */
int variant_keyset_params(PGconn *conn, long offset, char updated[VARIANT_PARAM_LEN], char id[VARIANT_PARAM_LEN]);

/*
 * The parameter values for one page of v at `offset`, ready for PQexecParams/PQsendQueryPrepared
 * (text format, no types): p->values[0 .. v->nparams-1]. Offset variants need no connection (conn may
 * be NULL); keyset calls variant_keyset_params on conn. The values point into p->buf: do not copy a
 * struct variant_params by value, call this again (or copy buf and rebuild the pointers).
 */
struct variant_params {
	int n;
	const char *values[2];
	char buf[2][VARIANT_PARAM_LEN];
};
int variant_params(const struct variant *v, PGconn *conn, long offset, struct variant_params *p);

#endif
