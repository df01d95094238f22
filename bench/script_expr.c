/*
 * script_expr.c: the expressions of \set and \sleep (bench/script_expr.h) and pgbench's random draws
 * (random, random_exponential, random_gaussian, random_zipfian, with pgbench 15's argument checks and
 * messages). A recursive-descent parser builds a tree once at load; evaluation walks it with no allocation.
 * Operators, loosest first: OR, AND, NOT, comparisons (= <> != < <= > >=), + -, * / %, unary minus.
 * Functions: abs, least, greatest, int, double, sqrt, pow, pi, mod and the four random ones. It sits below
 * bench/script.c and knows no script set: variables are slots, named through the caller's intern callback
 * and read from a struct sexpr_env.
 */
#include "bench/script_expr.h"
#include "bench/offsets.h"
#include "common/alloc.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_GAUSSIAN_PARAM 2.0
#define MIN_ZIPFIAN_PARAM 1.001
#define MAX_ZIPFIAN_PARAM 1000.0
#define MAX_ARGS 16

enum ex_kind { EX_CONST, EX_VAR, EX_FUNC, EX_BIN, EX_NEG, EX_NOT };
enum ex_op { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_AND, OP_OR };
enum ex_func { F_ABS, F_LEAST, F_GREATEST, F_INT, F_DOUBLE, F_SQRT, F_POW, F_PI, F_MOD, F_RANDOM, F_RANDOM_EXP,
               F_RANDOM_GAUSS, F_RANDOM_ZIPF };

struct script_expr {
	enum ex_kind kind;
	int op; /* EX_BIN: enum ex_op; EX_FUNC: enum ex_func */
	struct sval v; /* EX_CONST */
	int var; /* EX_VAR */
	int nargs;
	struct script_expr **args; /* owned */
};

static const struct {
	const char *name;
	int minargs, maxargs;
	enum ex_func f;
} funcs[] = {
	{ "abs", 1, 1, F_ABS },
	{ "least", 1, MAX_ARGS, F_LEAST },
	{ "greatest", 1, MAX_ARGS, F_GREATEST },
	{ "int", 1, 1, F_INT },
	{ "double", 1, 1, F_DOUBLE },
	{ "sqrt", 1, 1, F_SQRT },
	{ "pow", 2, 2, F_POW },
	{ "power", 2, 2, F_POW },
	{ "pi", 0, 0, F_PI },
	{ "mod", 2, 2, F_MOD },
	{ "random", 2, 2, F_RANDOM },
	{ "random_exponential", 3, 3, F_RANDOM_EXP },
	{ "random_gaussian", 3, 3, F_RANDOM_GAUSS },
	{ "random_zipfian", 3, 3, F_RANDOM_ZIPF },
};

/* ---- errors ---- */

static int fail(struct script_err *e, const char *sqlstate, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct script_err *e, const char *sqlstate, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	snprintf(e->sqlstate, sizeof e->sqlstate, "%s", sqlstate);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return -1;
}

#define SQLSTATE_DIV_ZERO "22012"
#define SQLSTATE_OUT_OF_RANGE "22003"
#define SQLSTATE_BAD_VALUE "22023" /* invalid_parameter_value: a bad argument to a function */
#define SQLSTATE_UNSET "42704" /* undefined_object: a variable used before it was set */
#define SQLSTATE_BAD_TYPE "42804" /* datatype_mismatch */

/* ---- random draws, as pgbench 15 makes them ---- */

static int range_ok(int64_t lb, int64_t ub, struct script_err *e)
{
	if (lb > ub)
		return fail(e, SQLSTATE_BAD_VALUE, "empty range given to random");
	int64_t d;
	if (__builtin_sub_overflow(ub, lb, &d) || d == INT64_MAX)
		return fail(e, SQLSTATE_BAD_VALUE, "random range is too large");
	return 0;
}

int script_random(uint64_t *rng, int64_t lb, int64_t ub, int64_t *out, struct script_err *e)
{
	if (range_ok(lb, ub, e) < 0)
		return -1;
	uint64_t n = (uint64_t)(ub - lb) + 1, r;
	/* unbiased: reject the tail that does not fill a whole multiple of n */
	uint64_t lim = UINT64_MAX - UINT64_MAX % n;
	do
		r = offsets_rand(rng);
	while (r >= lim);
	*out = lb + (int64_t)(r % n);
	return 0;
}

int script_random_exponential(uint64_t *rng, int64_t lb, int64_t ub, double param, int64_t *out, struct script_err *e)
{
	if (range_ok(lb, ub, e) < 0)
		return -1;
	if (param <= 0.0)
		return fail(e, SQLSTATE_BAD_VALUE, "exponential parameter must be greater than zero (not %f)", param);
	double cut = exp(-param);
	double u = 1.0 - offsets_uniform(rng); /* (0, 1] */
	double r = -log(cut + (1.0 - cut) * u) / param; /* [0, 1) */
	*out = lb + (int64_t)((double)(ub - lb + 1) * r);
	if (*out > ub) /* rounding at the top of a huge range */
		*out = ub;
	return 0;
}

int script_random_gaussian(uint64_t *rng, int64_t lb, int64_t ub, double param, int64_t *out, struct script_err *e)
{
	if (range_ok(lb, ub, e) < 0)
		return -1;
	if (param < MIN_GAUSSIAN_PARAM)
		return fail(e, SQLSTATE_BAD_VALUE, "gaussian parameter must be at least %f (not %f)", MIN_GAUSSIAN_PARAM, param);
	double stdev;
	do { /* Box-Muller, kept within +-param standard deviations */
		double r1 = 1.0 - offsets_uniform(rng), r2 = offsets_uniform(rng);
		stdev = sqrt(-2.0 * log(r1)) * sin(2.0 * M_PI * r2);
	} while (stdev < -param || stdev >= param);
	double r = (stdev + param) / (param * 2.0); /* [0, 1) */
	*out = lb + (int64_t)((double)(ub - lb + 1) * r);
	if (*out > ub)
		*out = ub;
	return 0;
}

int script_random_zipfian(uint64_t *rng, int64_t lb, int64_t ub, double param, int64_t *out, struct script_err *e)
{
	if (range_ok(lb, ub, e) < 0)
		return -1;
	if (param < MIN_ZIPFIAN_PARAM || param > MAX_ZIPFIAN_PARAM)
		return fail(e, SQLSTATE_BAD_VALUE, "zipfian parameter must be in range [%.3f, %.0f] (not %f)", MIN_ZIPFIAN_PARAM,
		            MAX_ZIPFIAN_PARAM, param);
	/* rejection-inversion as pgbench's computeIterativeZipfian (Devroye, p. 550) */
	double n = (double)(ub - lb) + 1.0, s = param, b = pow(2.0, s - 1.0), x;
	for (;;) {
		double u = offsets_uniform(rng), v = offsets_uniform(rng);
		x = floor(pow(u, -1.0 / (s - 1.0)));
		double t = pow(1.0 + 1.0 / x, s - 1.0);
		if (v * x * (t - 1.0) / (b - 1.0) <= t / b && x <= n)
			break;
	}
	*out = lb - 1 + (int64_t)x;
	return 0;
}

/* ---- parsing ---- */

struct parser {
	const char *p;
	sexpr_intern_fn intern;
	void *intern_arg;
	char *err;
	size_t errlen;
	int failed;
};

static struct script_expr *node(enum ex_kind kind)
{
	struct script_expr *e = pgpb_calloc(1, sizeof *e);
	e->kind = kind;
	return e;
}

void sexpr_free(struct script_expr *e)
{
	if (!e)
		return;
	for (int i = 0; i < e->nargs; i++)
		sexpr_free(e->args[i]);
	free(e->args);
	free(e);
}

static struct script_expr *perr(struct parser *ps, const char *fmt, const char *what)
{
	if (!ps->failed)
		snprintf(ps->err, ps->errlen, fmt, what);
	ps->failed = 1;
	return NULL;
}

static void skip_ws(struct parser *ps)
{
	while (isspace((unsigned char)*ps->p))
		ps->p++;
}

static int is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80;
}

/* Whether the keyword kw (upper or lower case) is next, as a whole word; consumes it. */
static int keyword(struct parser *ps, const char *kw)
{
	skip_ws(ps);
	size_t n = strlen(kw);
	if (strncasecmp(ps->p, kw, n) != 0 || is_name_char(ps->p[n]))
		return 0;
	ps->p += n;
	return 1;
}

static struct script_expr *parse_or(struct parser *ps);

static struct script_expr *bin(int op, struct script_expr *l, struct script_expr *r)
{
	struct script_expr *e = node(EX_BIN);
	e->op = op;
	e->nargs = 2;
	e->args = pgpb_calloc(2, sizeof *e->args);
	e->args[0] = l;
	e->args[1] = r;
	return e;
}

static struct script_expr *parse_primary(struct parser *ps)
{
	skip_ws(ps);
	const char *p = ps->p;
	if (*p == '(') {
		ps->p++;
		struct script_expr *e = parse_or(ps);
		skip_ws(ps);
		if (!e)
			return NULL;
		if (*ps->p != ')') {
			sexpr_free(e);
			return perr(ps, "syntax error in expression: %s", "missing \")\"");
		}
		ps->p++;
		return e;
	}
	if (*p == ':') {
		const char *s = ++ps->p;
		while (is_name_char(*ps->p))
			ps->p++;
		if (ps->p == s)
			return perr(ps, "syntax error in expression: %s", "a variable name must follow \":\"");
		struct script_expr *e = node(EX_VAR);
		e->var = ps->intern(ps->intern_arg, s, (size_t)(ps->p - s));
		return e;
	}
	if (isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]))) {
		const char *s = p;
		while (isdigit((unsigned char)*p))
			p++;
		int dbl = *p == '.' || *p == 'e' || *p == 'E';
		struct script_expr *e = node(EX_CONST);
		errno = 0;
		if (dbl) {
			char *end;
			e->v.t = SV_DOUBLE;
			e->v.d = strtod(s, &end);
			p = end;
		} else {
			char *end;
			e->v.t = SV_INT;
			e->v.i = (int64_t)strtoll(s, &end, 10);
			p = end;
			if (errno == ERANGE) {
				sexpr_free(e);
				return perr(ps, "bigint constant out of range in expression%s", "");
			}
		}
		if (is_name_char(*p)) {
			sexpr_free(e);
			return perr(ps, "syntax error in expression: unexpected \"%.1s\"", p);
		}
		ps->p = p;
		return e;
	}
	if (isalpha((unsigned char)*p) || *p == '_') {
		const char *s = p;
		while (is_name_char(*p))
			p++;
		size_t n = (size_t)(p - s);
		ps->p = p;
		if ((n == 4 && strncasecmp(s, "true", 4) == 0) || (n == 5 && strncasecmp(s, "false", 5) == 0)) {
			struct script_expr *e = node(EX_CONST);
			e->v.t = SV_BOOL;
			e->v.i = n == 4;
			return e;
		}
		size_t k;
		for (k = 0; k < sizeof funcs / sizeof funcs[0]; k++)
			if (strlen(funcs[k].name) == n && strncasecmp(funcs[k].name, s, n) == 0)
				break;
		char name[64];
		snprintf(name, sizeof name, "%.*s", (int)(n < 63 ? n : 63), s);
		if (k == sizeof funcs / sizeof funcs[0])
			return perr(ps, "unknown function \"%s\"", name);
		skip_ws(ps);
		if (*ps->p != '(')
			return perr(ps, "syntax error in expression: \"(\" must follow \"%s\"", name);
		ps->p++;
		struct script_expr *e = node(EX_FUNC);
		e->op = (int)funcs[k].f;
		e->args = pgpb_calloc(MAX_ARGS, sizeof *e->args);
		skip_ws(ps);
		if (*ps->p == ')') {
			ps->p++;
		} else {
			for (;;) {
				if (e->nargs == MAX_ARGS) {
					sexpr_free(e);
					return perr(ps, "too many arguments for function \"%s\"", name);
				}
				struct script_expr *a = parse_or(ps);
				if (!a) {
					sexpr_free(e);
					return NULL;
				}
				e->args[e->nargs++] = a;
				skip_ws(ps);
				if (*ps->p == ',') {
					ps->p++;
					continue;
				}
				if (*ps->p == ')') {
					ps->p++;
					break;
				}
				sexpr_free(e);
				return perr(ps, "syntax error in expression: missing \")\" after the arguments of \"%s\"", name);
			}
		}
		if (e->nargs < funcs[k].minargs || e->nargs > funcs[k].maxargs) {
			sexpr_free(e);
			return perr(ps, "wrong number of arguments for function \"%s\"", name);
		}
		return e;
	}
	if (!*p)
		return perr(ps, "syntax error in expression: %s", "unexpected end of the expression");
	return perr(ps, "syntax error in expression: unexpected \"%.1s\"", p);
}

static struct script_expr *parse_unary(struct parser *ps)
{
	skip_ws(ps);
	if (*ps->p == '-') {
		ps->p++;
		struct script_expr *a = parse_unary(ps);
		if (!a)
			return NULL;
		if (a->kind == EX_CONST && a->v.t == SV_INT && a->v.i != INT64_MIN) { /* a literal: fold */
			a->v.i = -a->v.i;
			return a;
		}
		if (a->kind == EX_CONST && a->v.t == SV_DOUBLE) {
			a->v.d = -a->v.d;
			return a;
		}
		struct script_expr *e = node(EX_NEG);
		e->nargs = 1;
		e->args = pgpb_calloc(1, sizeof *e->args);
		e->args[0] = a;
		return e;
	}
	if (*ps->p == '+') {
		ps->p++;
		return parse_unary(ps);
	}
	return parse_primary(ps);
}

static struct script_expr *parse_mul(struct parser *ps)
{
	struct script_expr *l = parse_unary(ps);
	while (l) {
		skip_ws(ps);
		int op = *ps->p == '*' ? OP_MUL : *ps->p == '/' ? OP_DIV : *ps->p == '%' ? OP_MOD : -1;
		if (op < 0)
			break;
		ps->p++;
		struct script_expr *r = parse_unary(ps);
		if (!r) {
			sexpr_free(l);
			return NULL;
		}
		l = bin(op, l, r);
	}
	return l;
}

static struct script_expr *parse_add(struct parser *ps)
{
	struct script_expr *l = parse_mul(ps);
	while (l) {
		skip_ws(ps);
		int op = *ps->p == '+' ? OP_ADD : *ps->p == '-' ? OP_SUB : -1;
		if (op < 0)
			break;
		ps->p++;
		struct script_expr *r = parse_mul(ps);
		if (!r) {
			sexpr_free(l);
			return NULL;
		}
		l = bin(op, l, r);
	}
	return l;
}

static struct script_expr *parse_cmp(struct parser *ps)
{
	struct script_expr *l = parse_add(ps);
	while (l) {
		skip_ws(ps);
		const char *p = ps->p;
		int op = -1, n = 1;
		if (p[0] == '<' && p[1] == '>')
			op = OP_NE, n = 2;
		else if (p[0] == '!' && p[1] == '=')
			op = OP_NE, n = 2;
		else if (p[0] == '<' && p[1] == '=')
			op = OP_LE, n = 2;
		else if (p[0] == '>' && p[1] == '=')
			op = OP_GE, n = 2;
		else if (p[0] == '<')
			op = OP_LT;
		else if (p[0] == '>')
			op = OP_GT;
		else if (p[0] == '=')
			op = OP_EQ;
		if (op < 0)
			break;
		ps->p += n;
		struct script_expr *r = parse_add(ps);
		if (!r) {
			sexpr_free(l);
			return NULL;
		}
		l = bin(op, l, r);
	}
	return l;
}

static struct script_expr *parse_not(struct parser *ps)
{
	if (keyword(ps, "not")) {
		struct script_expr *a = parse_not(ps);
		if (!a)
			return NULL;
		struct script_expr *e = node(EX_NOT);
		e->nargs = 1;
		e->args = pgpb_calloc(1, sizeof *e->args);
		e->args[0] = a;
		return e;
	}
	return parse_cmp(ps);
}

static struct script_expr *parse_and(struct parser *ps)
{
	struct script_expr *l = parse_not(ps);
	while (l && keyword(ps, "and")) {
		struct script_expr *r = parse_not(ps);
		if (!r) {
			sexpr_free(l);
			return NULL;
		}
		l = bin(OP_AND, l, r);
	}
	return l;
}

static struct script_expr *parse_or(struct parser *ps)
{
	struct script_expr *l = parse_and(ps);
	while (l && keyword(ps, "or")) {
		struct script_expr *r = parse_and(ps);
		if (!r) {
			sexpr_free(l);
			return NULL;
		}
		l = bin(OP_OR, l, r);
	}
	return l;
}

struct script_expr *sexpr_parse(const char *s, sexpr_intern_fn intern, void *arg, char *err, size_t errlen)
{
	struct parser ps = { .p = s, .intern = intern, .intern_arg = arg, .err = err, .errlen = errlen };
	struct script_expr *e = parse_or(&ps);
	if (!e)
		return NULL;
	skip_ws(&ps);
	if (*ps.p) {
		sexpr_free(e);
		return perr(&ps, "syntax error in expression: unexpected \"%.1s\"", ps.p);
	}
	return e;
}

int sexpr_uses(const struct script_expr *e, const int *skip)
{
	if (e->kind == EX_VAR)
		return skip[e->var];
	for (int i = 0; i < e->nargs; i++)
		if (sexpr_uses(e->args[i], skip))
			return 1;
	return 0;
}

void sexpr_vars(const struct script_expr *e, void (*fn)(void *, int), void *arg)
{
	if (e->kind == EX_VAR)
		fn(arg, e->var);
	for (int i = 0; i < e->nargs; i++)
		sexpr_vars(e->args[i], fn, arg);
}

/* ---- evaluating ---- */

static const char *type_name(enum sv_type t)
{
	return t == SV_BOOL ? "boolean" : t == SV_DOUBLE ? "double" : "int";
}

static int to_int(const struct sval *v, int64_t *out, struct script_err *e)
{
	if (v->t == SV_INT) {
		*out = v->i;
		return 0;
	}
	if (v->t == SV_DOUBLE) {
		if (isnan(v->d) || v->d < -9223372036854775808.0 || v->d >= 9223372036854775808.0)
			return fail(e, SQLSTATE_OUT_OF_RANGE, "double to int overflow for %f", v->d);
		*out = (int64_t)v->d;
		return 0;
	}
	return fail(e, SQLSTATE_BAD_TYPE, "cannot coerce %s to int", type_name(v->t));
}

static int to_double(const struct sval *v, double *out, struct script_err *e)
{
	if (v->t == SV_INT) {
		*out = (double)v->i;
		return 0;
	}
	if (v->t == SV_DOUBLE) {
		*out = v->d;
		return 0;
	}
	return fail(e, SQLSTATE_BAD_TYPE, "cannot coerce %s to double", type_name(v->t));
}

static int to_bool(const struct sval *v)
{
	return v->t == SV_DOUBLE ? v->d != 0.0 : v->i != 0;
}

/* A variable's value as a number: a text from a result is read as an integer, else as a double. */
static int load_var(const struct sexpr_env *env, int var, struct sval *out, struct script_err *e)
{
	const struct script_var *x = &env->vars[var];
	switch (x->t) {
	case SV_INT:
	case SV_BOOL:
		out->t = x->t;
		out->i = x->i;
		return 0;
	case SV_DOUBLE:
		out->t = SV_DOUBLE;
		out->d = x->d;
		return 0;
	case SV_UNSET:
		return fail(e, SQLSTATE_UNSET, "undefined variable \"%s\"", env->names[var]);
	default: {
		const char *s = x->text;
		char *end;
		while (isspace((unsigned char)*s))
			s++;
		errno = 0;
		long long i = strtoll(s, &end, 10);
		if (end != s && !*end && errno == 0) {
			out->t = SV_INT;
			out->i = i;
			return 0;
		}
		double d = strtod(s, &end);
		if (end != s && !*end) {
			out->t = SV_DOUBLE;
			out->d = d;
			return 0;
		}
		if (strcasecmp(s, "true") == 0 || strcasecmp(s, "false") == 0) {
			out->t = SV_BOOL;
			out->i = (s[0] | 0x20) == 't';
			return 0;
		}
		return fail(e, SQLSTATE_BAD_TYPE, "malformed variable \"%s\" value: \"%.100s\"", env->names[var], x->text);
	}
	}
}

static int eval_bin(int op, const struct sval *l, const struct sval *r, struct sval *out, struct script_err *e)
{
	if (op == OP_MOD) {
		int64_t a = 0, b = 0;
		if (to_int(l, &a, e) < 0 || to_int(r, &b, e) < 0)
			return -1;
		if (b == 0)
			return fail(e, SQLSTATE_DIV_ZERO, "division by zero");
		out->t = SV_INT;
		out->i = b == -1 ? 0 : a % b;
		return 0;
	}
	if (op >= OP_ADD && op <= OP_DIV) {
		if (l->t == SV_INT && r->t == SV_INT) {
			int64_t a = l->i, b = r->i, v = 0;
			int over = 0;
			switch (op) {
			case OP_ADD: over = __builtin_add_overflow(a, b, &v); break;
			case OP_SUB: over = __builtin_sub_overflow(a, b, &v); break;
			case OP_MUL: over = __builtin_mul_overflow(a, b, &v); break;
			default:
				if (b == 0)
					return fail(e, SQLSTATE_DIV_ZERO, "division by zero");
				if (b == -1) {
					over = a == INT64_MIN;
					v = -a * !over;
				} else {
					v = a / b;
				}
			}
			if (over)
				return fail(e, SQLSTATE_OUT_OF_RANGE, "bigint out of range");
			out->t = SV_INT;
			out->i = v;
			return 0;
		}
		double a = 0, b = 0;
		if (to_double(l, &a, e) < 0 || to_double(r, &b, e) < 0)
			return -1;
		out->t = SV_DOUBLE;
		switch (op) {
		case OP_ADD: out->d = a + b; break;
		case OP_SUB: out->d = a - b; break;
		case OP_MUL: out->d = a * b; break;
		default:
			if (b == 0.0)
				return fail(e, SQLSTATE_DIV_ZERO, "division by zero");
			out->d = a / b;
		}
		return 0;
	}
	if (op == OP_AND || op == OP_OR) {
		out->t = SV_BOOL;
		out->i = op == OP_AND ? to_bool(l) && to_bool(r) : to_bool(l) || to_bool(r);
		return 0;
	}
	/* comparisons */
	int c;
	if (l->t != SV_DOUBLE && r->t != SV_DOUBLE) {
		c = (l->i > r->i) - (l->i < r->i);
	} else {
		double a = 0, b = 0;
		if (to_double(l, &a, e) < 0 || to_double(r, &b, e) < 0)
			return -1;
		c = (a > b) - (a < b);
	}
	out->t = SV_BOOL;
	switch (op) {
	case OP_EQ: out->i = c == 0; break;
	case OP_NE: out->i = c != 0; break;
	case OP_LT: out->i = c < 0; break;
	case OP_LE: out->i = c <= 0; break;
	case OP_GT: out->i = c > 0; break;
	default: out->i = c >= 0; break;
	}
	return 0;
}

static int eval_func(const struct script_expr *x, const struct sval *a, uint64_t *rng, struct sval *out,
                     struct script_err *e)
{
	int n = x->nargs;
	switch ((enum ex_func)x->op) {
	case F_ABS:
		if (a[0].t == SV_INT) {
			if (a[0].i == INT64_MIN)
				return fail(e, SQLSTATE_OUT_OF_RANGE, "bigint out of range");
			out->t = SV_INT;
			out->i = a[0].i < 0 ? -a[0].i : a[0].i;
			return 0;
		}
		out->t = SV_DOUBLE;
		return to_double(&a[0], &out->d, e) < 0 ? -1 : (out->d = fabs(out->d), 0);
	case F_LEAST:
	case F_GREATEST: {
		int dbl = 0;
		for (int i = 0; i < n; i++)
			dbl |= a[i].t == SV_DOUBLE;
		int most = x->op == F_GREATEST;
		if (dbl) {
			double best = 0, v = 0;
			for (int i = 0; i < n; i++) {
				if (to_double(&a[i], &v, e) < 0)
					return -1;
				if (i == 0 || (most ? v > best : v < best))
					best = v;
			}
			out->t = SV_DOUBLE;
			out->d = best;
		} else {
			int64_t best = 0, v = 0;
			for (int i = 0; i < n; i++) {
				if (to_int(&a[i], &v, e) < 0)
					return -1;
				if (i == 0 || (most ? v > best : v < best))
					best = v;
			}
			out->t = SV_INT;
			out->i = best;
		}
		return 0;
	}
	case F_INT:
		out->t = SV_INT;
		return to_int(&a[0], &out->i, e);
	case F_DOUBLE:
		out->t = SV_DOUBLE;
		return to_double(&a[0], &out->d, e);
	case F_SQRT:
		out->t = SV_DOUBLE;
		return to_double(&a[0], &out->d, e) < 0 ? -1 : (out->d = sqrt(out->d), 0);
	case F_POW: {
		double b = 0, p = 0;
		if (to_double(&a[0], &b, e) < 0 || to_double(&a[1], &p, e) < 0)
			return -1;
		out->t = SV_DOUBLE;
		out->d = pow(b, p);
		return 0;
	}
	case F_PI:
		out->t = SV_DOUBLE;
		out->d = M_PI;
		return 0;
	case F_MOD:
		return eval_bin(OP_MOD, &a[0], &a[1], out, e);
	default: {
		int64_t lb = 0, ub = 0;
		double param = 0;
		if (to_int(&a[0], &lb, e) < 0 || to_int(&a[1], &ub, e) < 0 || (n == 3 && to_double(&a[2], &param, e) < 0))
			return -1;
		out->t = SV_INT;
		switch ((enum ex_func)x->op) {
		case F_RANDOM: return script_random(rng, lb, ub, &out->i, e);
		case F_RANDOM_EXP: return script_random_exponential(rng, lb, ub, param, &out->i, e);
		case F_RANDOM_GAUSS: return script_random_gaussian(rng, lb, ub, param, &out->i, e);
		default: return script_random_zipfian(rng, lb, ub, param, &out->i, e);
		}
	}
	}
}

int sexpr_eval(const struct script_expr *x, const struct sexpr_env *env, uint64_t *rng, struct sval *out,
               struct script_err *e)
{
	switch (x->kind) {
	case EX_CONST:
		*out = x->v;
		return 0;
	case EX_VAR:
		return load_var(env, x->var, out, e);
	case EX_NEG: {
		struct sval a;
		if (sexpr_eval(x->args[0], env, rng, &a, e) < 0)
			return -1;
		if (a.t == SV_DOUBLE) {
			*out = (struct sval){ .t = SV_DOUBLE, .d = -a.d };
			return 0;
		}
		struct sval zero = { .t = SV_INT, .i = 0 };
		return eval_bin(OP_SUB, &zero, &a, out, e);
	}
	case EX_NOT: {
		struct sval a;
		if (sexpr_eval(x->args[0], env, rng, &a, e) < 0)
			return -1;
		*out = (struct sval){ .t = SV_BOOL, .i = !to_bool(&a) };
		return 0;
	}
	case EX_BIN: {
		struct sval l, r;
		if (sexpr_eval(x->args[0], env, rng, &l, e) < 0)
			return -1;
		if ((x->op == OP_AND && !to_bool(&l)) || (x->op == OP_OR && to_bool(&l))) { /* short circuit */
			*out = (struct sval){ .t = SV_BOOL, .i = x->op == OP_OR };
			return 0;
		}
		if (sexpr_eval(x->args[1], env, rng, &r, e) < 0)
			return -1;
		return eval_bin(x->op, &l, &r, out, e);
	}
	case EX_FUNC: {
		struct sval a[MAX_ARGS];
		for (int i = 0; i < x->nargs; i++)
			if (sexpr_eval(x->args[i], env, rng, &a[i], e) < 0)
				return -1;
		return eval_func(x, a, rng, out, e);
	}
	}
	return fail(e, SQLSTATE_BAD_VALUE, "bad expression");
}
