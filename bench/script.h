/*
 * script.h: pgbench-style scripts (run --script FILE[@WEIGHT], docs/scripts.md): the language and its
 * evaluation, with no libpq. A script is SQL statements (each ending with a semicolon, any number of lines)
 * and the meta-commands \set NAME EXPR, \sleep N [us|ms|s], \gset [PREFIX] and \glist [PREFIX]; :name in
 * SQL and expressions reads a variable. A set of scripts shares one table of variables (as pgbench's
 * clients keep theirs across scripts) and numbers its SQL statements once, so the engines record each
 * statement's latency by its index. Loading reports every error with the file and the line; running
 * (script_exec_set, script_params, ...) reports a failure as an SQLSTATE and a message, counted as a
 * failed request by the engines.
 */
#ifndef PGPB_SCRIPT_H
#define PGPB_SCRIPT_H

#include "bench/script_expr.h"

#include <stddef.h>
#include <stdint.h>

#define SCRIPT_WEIGHT_MAX 100 /* a weight is 1..100 */
#define SCRIPT_MAX 32 /* scripts a run */
#define SCRIPT_FILE_MAX (1 << 20)

/* The built-in variables: their slots come first in every set's table. */
enum { SV_OFFSET, SV_PAGE, SV_PAGE_SIZE, SV_CLIENT_ID, SV_SCALE, SV_NBUILTIN };

enum script_cmd_kind { SC_SQL, SC_SET, SC_SLEEP };
enum script_store { STORE_NONE, STORE_GSET, STORE_GLIST };

struct script_cmd {
	enum script_cmd_kind kind;
	int line; /* where it starts in its file */
	/* SC_SQL */
	char *sql; /* the statement as written (no trailing semicolon) */
	char *param_sql; /* with $1..$n in place of each :name (extended and prepared protocols) */
	int nparams;
	int *param_vars; /* the variable of each $k */
	char **pieces; /* simple protocol: pieces[0] var[0] pieces[1] ... pieces[nparams] */
	int stmt; /* index of the statement in the set (per-statement latencies) */
	char stmt_name[32]; /* prepared protocol: "pgpagebench_sN" */
	enum script_store store;
	char *prefix; /* \gset / \glist prefix ("" for none) */
	int writes; /* starts with a keyword that changes the database */
	char keyword[16];
	/* SC_SET: var = expr; SC_SLEEP: expr microseconds times unit_us */
	int var;
	struct script_expr *expr;
	int64_t unit_us;
};

struct script {
	char *file; /* as given */
	const char *name; /* its base name */
	int weight;
	char sha256[65]; /* of its text */
	struct script_cmd *cmds;
	int ncmds;
	int first_stmt, nstmts; /* its statements in the set's numbering */
	int writes; /* some statement changes the database */
	int line_writes; /* the first such statement's line */
	char write_keyword[16];
};

struct script_set {
	struct script *s[SCRIPT_MAX];
	int n;
	int total_weight;
	char **vars; /* variable names, SV_NBUILTIN built-ins first */
	int nvars, capvars;
	int *assigned; /* per variable: set by \set or --define, or a built-in */
	char **defines; /* --define values by variable (NULL: none) */
	int nstmts;
	int any_store_all; /* a \gset or \glist with no prefix: any name may come from a result */
};

/* One client's (connection's) variables and random state. */
struct script_state {
	struct script_var *v;
	int n;
	uint64_t rng;
	char *sqlbuf; /* simple protocol: the statement with its values in place */
	size_t sqlcap;
};

/* Splits "FILE[@WEIGHT]" (weight 1..100, default 1). 0, or -1 with err ("invalid value ... for --script"). */
int script_parse_spec(const char *arg, char **path, int *weight, char *err, size_t errlen);

void script_set_init(struct script_set *ss);
void script_set_free(struct script_set *ss);
/* --define NAME=VALUE (pgbench's -D): a variable every script sees. 0 or -1 (err). */
int script_set_define(struct script_set *ss, const char *spec, char *err, size_t errlen);
/* Parses one script's text into the set. 0, or -1 with err = "script FILE line N: ...". */
int script_set_add(struct script_set *ss, const char *file, const char *text, size_t len, int weight, char *err,
                   size_t errlen);
/*
 * After the last script: every :name used must be a built-in, --define'd, \set somewhere or the column of a
 * \gset/\glist (by its prefix), and every \set whose value does not depend on :offset, :page or a result
 * is evaluated once so a bad argument (empty random range, division by zero, a bad distribution
 * parameter) is a load error. page_size and scale fill the built-ins. 0, or -1 with err.
 */
int script_set_finish(struct script_set *ss, long page_size, double scale, char *err, size_t errlen);
/* Statement i of the set (0 <= i < nstmts), or NULL. */
const struct script_cmd *script_stmt(const struct script_set *ss, int i);
/* The most parameters one statement has. */
int script_max_params(const struct script_set *ss);
/* Whether any script reads variable var (in SQL, \set or \sleep). */
int script_set_uses(const struct script_set *ss, int var);
/* The variable called name (an index), or -1. */
int script_var_find(const struct script_set *ss, const char *name, size_t len);
/* The slot of variable name (added when new). */
int script_var_intern(struct script_set *ss, const char *name, size_t len);

/* Whether an SQL statement's first keyword changes the database (kw receives it, upper case). */
/* The statement's first keyword, upper-cased into kw, after white space, comments and opening parentheses;
 * 0 when only those remain, else 1 (kw "" when no keyword follows). Shared with --query FILE's check. */
int script_first_keyword(const char *sql, char *kw, size_t len);
int script_sql_writes(const char *sql, char *kw, size_t kwlen);

/* ---- running ---- */
void script_state_init(struct script_state *st, const struct script_set *ss, long client_id, long page_size,
                       double scale, uint64_t seed);
void script_state_free(struct script_state *st);
/* Picks a script by weight. */
int script_choose(const struct script_set *ss, uint64_t *rng);
/* Sets :offset and :page for the next request. */
void script_begin(struct script_state *st, long offset, long page_size);
/* Runs a \set. 0, or -1 (e). */
int script_exec_set(const struct script_set *ss, struct script_state *st, const struct script_cmd *c,
                    struct script_err *e);
/* A \sleep's length in microseconds. 0, or -1 (e). */
int script_sleep_us(const struct script_set *ss, struct script_state *st, const struct script_cmd *c, int64_t *us,
                    struct script_err *e);
/* The parameter values of an SQL command (vals[0..nparams)), pointing into st. 0, or -1 (an unset variable). */
int script_params(const struct script_set *ss, struct script_state *st, const struct script_cmd *c,
                  const char **vals, struct script_err *e);
/* The statement with the values in place (simple protocol; a list variable is a quoted literal). */
const char *script_inline(const struct script_set *ss, struct script_state *st, const struct script_cmd *c,
                          struct script_err *e);
/* \gset / \glist: the variable a result column goes to (prefix + column), or -1 when no script reads it. */
int script_store_var(const struct script_set *ss, const struct script_cmd *c, const char *column);
/* Sets a variable to a text value (\gset; NULL = SQL NULL, kept as an empty string). */
void script_var_set_text(struct script_state *st, int var, const char *text);
/* \glist: starts an empty list, adds a value (NULL = SQL NULL), closes it ('{...}'). */
void script_list_begin(struct script_state *st, int var);
void script_list_add(struct script_state *st, int var, const char *value);
void script_list_end(struct script_state *st, int var);
/* The longest SQL command text (for buffers). */

#endif
