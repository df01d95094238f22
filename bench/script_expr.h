/*
 * script_expr.h: the expressions of a script's \set and \sleep and pgbench's random draws, below
 * bench/script.h (which includes this file): parsed once at load into a small tree, evaluated per request
 * with pgbench's rules (integers stay 64-bit and overflow is an error, a double operand makes the operation
 * a double one, comparisons give booleans). The value types a script's variables hold live here, so the
 * evaluator knows nothing of scripts: a parse interns variable names through a callback, an evaluation
 * reads the values (and the names, for its messages) from a struct sexpr_env.
 */
#ifndef PGPB_SCRIPT_EXPR_H
#define PGPB_SCRIPT_EXPR_H

#include <stddef.h>
#include <stdint.h>

/* The value of a variable while a script runs: typed, with its text (what SQL receives) kept up to date. */
enum sv_type { SV_UNSET, SV_INT, SV_DOUBLE, SV_BOOL, SV_STR, SV_LIST, SV_NULL /* a NULL from \gset */ };
struct script_var {
	enum sv_type t;
	int64_t i;
	double d;
	char *text; /* owned, NUL-terminated */
	size_t len, cap;
};

/* A run-time failure: the SQLSTATE it is counted under and the message (pgbench's words). */
struct script_err {
	char sqlstate[6];
	char msg[256];
};

/* A value while evaluating: SV_INT, SV_DOUBLE or SV_BOOL. */
struct sval {
	enum sv_type t;
	int64_t i;
	double d;
};

struct script_expr; /* script_expr.c */

/* The variable slot of a name (the caller adds it when new); arg is the caller's. */
typedef int (*sexpr_intern_fn)(void *arg, const char *name, size_t len);

/* What an evaluation reads: the values by slot and their names (for "undefined variable" messages). */
struct sexpr_env {
	const struct script_var *vars;
	char *const *names;
};

/* Parses s (the rest of a \set line); each :name becomes intern(arg, ...)'s slot. NULL with err on a syntax
 * error. */
struct script_expr *sexpr_parse(const char *s, sexpr_intern_fn intern, void *arg, char *err, size_t errlen);
void sexpr_free(struct script_expr *e);
/* Whether e reads any variable for which skip[var] is set. */
int sexpr_uses(const struct script_expr *e, const int *skip);
/* Every variable e reads, passed to fn. */
void sexpr_vars(const struct script_expr *e, void (*fn)(void *, int), void *arg);

/* Evaluates e. 0, or -1 (err: the failure, e.g. SQLSTATE 22012 for a division by zero). */
int sexpr_eval(const struct script_expr *e, const struct sexpr_env *env, uint64_t *rng, struct sval *out,
               struct script_err *err);

/* Random draws as pgbench makes them (also used to pick a script by weight, and by the unit tests): 0, or -1
 * (e) on bad arguments. */
int script_random(uint64_t *rng, int64_t lb, int64_t ub, int64_t *out, struct script_err *e);
int script_random_exponential(uint64_t *rng, int64_t lb, int64_t ub, double param, int64_t *out,
                              struct script_err *e);
int script_random_gaussian(uint64_t *rng, int64_t lb, int64_t ub, double param, int64_t *out, struct script_err *e);
int script_random_zipfian(uint64_t *rng, int64_t lb, int64_t ub, double param, int64_t *out, struct script_err *e);

#endif
