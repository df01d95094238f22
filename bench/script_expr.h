/*
 * script_expr.h: the expressions of a script's \set and \sleep (bench/script.h), private to script.c and
 * script_expr.c: parsed once at load into a small tree, evaluated per request with pgbench's rules
 * (integers stay 64-bit and overflow is an error, a double operand makes the operation a double one,
 * comparisons give booleans).
 */
#ifndef PGPB_SCRIPT_EXPR_H
#define PGPB_SCRIPT_EXPR_H

#include "bench/script.h"

/* A value while evaluating: SV_INT, SV_DOUBLE or SV_BOOL. */
struct sval {
	enum sv_type t;
	int64_t i;
	double d;
};

/* The slot of variable name (added when new). */
int script_var_intern(struct script_set *ss, const char *name, size_t len);

/* Parses s (the rest of a \set line); names are interned into ss. NULL with err on a syntax error. */
struct script_expr *sexpr_parse(const char *s, struct script_set *ss, char *err, size_t errlen);
void sexpr_free(struct script_expr *e);
/* Whether e reads any variable for which skip[var] is set. */
int sexpr_uses(const struct script_expr *e, const int *skip);
/* Every variable e reads, passed to fn. */
void sexpr_vars(const struct script_expr *e, void (*fn)(void *, int), void *arg);

/* Evaluates e. 0, or -1 (err: the failure, e.g. SQLSTATE 22012 for a division by zero). */
int sexpr_eval(const struct script_expr *e, const struct script_set *ss, const struct script_var *vars, uint64_t *rng,
               struct sval *out, struct script_err *err);

#endif
