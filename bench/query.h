/*
 * query.h: the query a run replays, made ready once before any step: read (--query FILE, a variant of
 * --queries, or the seed), prepared on the control connection so a bad query is a clear error rather
 * than a flood of failed ones, its page checks set up (bench/validate.h), and its pieces for the simple
 * protocol. Also the dataset-side facts the steps need: the qualifying rows and which offsets are empty.
 */
#ifndef PGPB_QUERY_H
#define PGPB_QUERY_H

#include "bench/bench.h"
#include "bench/conn.h"
#include "bench/plan.h"
#include "bench/validate.h"
#include "bench/variants.h"

#include <libpq-fe.h>
#include <pthread.h>

/* One query of the sweep (--query FILE or the seed, or each of --queries). */
struct run_query {
	char *sql; /* owned: the statement, $1 = OFFSET, without a trailing semicolon */
	const char *name; /* "seed", the variant's name, or the file's base name (in namebuf) */
	char namebuf[256];
	const struct variant *variant; /* --queries: the variant; NULL for --query FILE and the seed */
	int nparams;
	struct validator val;
	int have_val; /* val is set up: pages are checked */
	long long queryid; /* pg_stat_statements' id of the statement, 0 unknown */
	struct conn_params cp; /* owned: what every connection of its steps needs */
	char **pieces; /* owned: the SQL split at each $1, for the simple protocol */
	int npieces;
	const struct script_set *scripts; /* run --script: a request runs one of these (sql lists them) */
	struct script_set *own_scripts; /* a script variant's set, loaded and owned here (else NULL) */
};

/*
 * Reads, checks and prepares q on ctrl: the variant called `variant`, else o->query_file, else the seed.
 * Page checks (when o->validate) decode under decode_lock. 0, or -1 (logged); query_free frees q either way.
 */
int query_prepare(struct run_query *q, PGconn *ctrl, const struct pgpb_ctx *ctx, const struct run_opts *o,
                  const char *variant, pthread_mutex_t *decode_lock);
void query_free(struct run_query *q);
/*
 * run --script: q stands for the scripts (o->scripts): its name the scripts' file names, its text their
 * statements. Each statement is prepared once on ctrl, so one that does not run is a clear error naming
 * its file and line. 0, or -1 (logged).
 */
int query_prepare_scripts(struct run_query *q, PGconn *ctrl, const struct pgpb_ctx *ctx, const struct run_opts *o,
                          const struct script_set *ss);
/* A built-in variant that is a script (variant->script: --queries django): its embedded file loaded as a
 * script set q owns, then prepared as query_prepare_scripts does. 0, or -1 (logged). */
int query_prepare_variant_script(struct run_query *q, PGconn *ctrl, const struct pgpb_ctx *ctx,
                                 const struct run_opts *o, const struct variant *v);

/* The rows the queries page through (bench/count_qualifying.sql), or -1 (logged). */
long long query_count_qualifying(PGconn *ctrl);

/*
 * Sets each step's empty flag, and warns once per offset before any is measured: a step at or past the
 * qualifying rows times empty pages, which pass validation and look fast. The seed and its variants page
 * through the counted rows; a --query FILE (query_file set) is run once at an offset past them to see.
 * qualifying < 0 (the dataset is not checked: a --query FILE without --validate): every flag -1, unknown.
 */
void query_mark_empty_pages(PGconn *ctrl, const struct run_query *qs, struct plan *p, long long qualifying,
                            const char *query_file, long page_size);

#endif
