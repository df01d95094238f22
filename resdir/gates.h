/*
 * gates.h: the figures a CI gate can name and how they are judged, for `run --threshold` and `compare
 * --max-regression` (docs/run.md, docs/plots.md). A gate reads a step as the results directory holds it
 * (resdir/read.h: steps.csv's columns), so a verdict always rests on the very figure the files, the
 * terminal table and the report show. A figure the files mark as untrustworthy (a percentile from too few
 * queries, the rule of common/hist.h) or that a step lacks is "not checkable", never a silent pass.
 *
 * Threshold grammar: FIGURE OP VALUE [UNIT], blanks allowed between the parts, e.g. "p99<50ms",
 * "qps >= 200", "error_rate<1%". FIGURE: p50 p90 p95 p99 p999 min max mean (latencies: the unit is
 * required, us, ms or s), qps (no unit, or "qps"), errors validation_errors (counts, no unit), error_rate
 * (the share of queries that failed, with "%"). OP: < <= > >=.
 */
#ifndef PGPB_RESDIR_GATES_H
#define PGPB_RESDIR_GATES_H

#include "resdir/read.h"

#include <stddef.h>

enum gate_kind { GATE_LATENCY, GATE_QPS, GATE_COUNT, GATE_RATE };
enum gate_op { GATE_LT, GATE_LE, GATE_GT, GATE_GE };

struct gate_figure {
	const char *name;
	int field; /* the steps.csv column (RF_), -1 for error_rate (errors over all queries) */
	enum gate_kind kind;
	double pct; /* a percentile's p, else 0 */
	int higher_better; /* qps: a drop is the regression; the rest: a rise */
};

/* One --threshold, its limit in the files' unit (us for latencies, queries/s, a count, a share 0..1). */
struct gate_threshold {
	const struct gate_figure *fig;
	enum gate_op op;
	double limit;
	char text[128]; /* as written on the command line */
};

enum gate_verdict { GATE_PASS, GATE_FAIL, GATE_UNCHECKABLE };

/* The figure called name, or NULL. */
const struct gate_figure *gate_figure_find(const char *name);
/* The figure names, comma separated, for messages and --help. */
const char *gate_figure_names(void);

/* Parses one --threshold value into t. 0, or -1 after logging one line naming the bad part (opt names
 * the option in the message). */
int gate_parse_threshold(const char *opt, const char *s, struct gate_threshold *t);
/* Parses a regression limit "10%" into 0.10 (at least 0, a "%" required). 0 or -1 (logged). */
int gate_parse_regression(const char *opt, const char *s, double *out);
/* Parses a comma-separated list of figure names into figs (at most max). Returns the count, or -1 (logged). */
int gate_parse_figures(const char *opt, const char *s, const struct gate_figure **figs, int max);

/* The figure's value for step s, in the files' unit: NAN when the step lacks it. */
double gate_value(const struct gate_figure *f, const struct res_step *s);
/* Whether s's value of f can be trusted: 1, or 0 with the reason in why. */
int gate_trusted(const struct gate_figure *f, const struct res_step *s, char *why, size_t len);
/* Checks t on s: *measured gets the value (NAN when none), why the reason when not checkable. */
enum gate_verdict gate_check(const struct gate_threshold *t, const struct res_step *s, double *measured, char *why,
                             size_t len);
/* B against A on f: *change is the relative change in the bad direction (0.12 = 12% worse; negative when
 * better); GATE_FAIL beyond max, GATE_UNCHECKABLE (why) when either figure cannot be trusted or A is 0 for
 * a figure whose drop is the regression. */
enum gate_verdict gate_regression(const struct gate_figure *f, const struct res_step *a, const struct res_step *b,
                                  double max, double *change, char *why, size_t len);

/* A value of f as people read it: "12.345 ms", "210.5 qps", "3", "1.20%". */
void gate_format(const struct gate_figure *f, double v, char *buf, size_t len);
/* The operator as written: "<", "<=", ">", ">=". */
const char *gate_op_text(enum gate_op op);

#endif
