/*
 * gates.c: the figures a CI gate names, the --threshold grammar and the verdicts (resdir/gates.h). Pure
 * functions over a step as read from the results directory, so run's thresholds and compare's regression
 * limit judge exactly what the files hold.
 */
#include "resdir/gates.h"
#include "common/log.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct gate_figure figures[] = {
	{ "p50", RF_P50_US, GATE_LATENCY, 50, 0 },
	{ "p90", RF_P90_US, GATE_LATENCY, 90, 0 },
	{ "p95", RF_P95_US, GATE_LATENCY, 95, 0 },
	{ "p99", RF_P99_US, GATE_LATENCY, 99, 0 },
	{ "p999", RF_P999_US, GATE_LATENCY, 99.9, 0 },
	{ "min", RF_MIN_US, GATE_LATENCY, 0, 0 },
	{ "max", RF_MAX_US, GATE_LATENCY, 0, 0 },
	{ "mean", RF_MEAN_US, GATE_LATENCY, 0, 0 },
	{ "qps", RF_QPS, GATE_QPS, 0, 1 },
	{ "errors", RF_ERRORS, GATE_COUNT, 0, 0 },
	{ "validation_errors", RF_VALIDATION_ERRORS, GATE_COUNT, 0, 0 },
	{ "error_rate", -1, GATE_RATE, 0, 0 },
};
#define NFIGURES (sizeof figures / sizeof figures[0])

const struct gate_figure *gate_figure_find(const char *name)
{
	for (size_t i = 0; i < NFIGURES; i++)
		if (strcmp(figures[i].name, name) == 0)
			return &figures[i];
	return NULL;
}

const char *gate_figure_names(void)
{
	return "p50, p90, p95, p99, p999, min, max, mean, qps, errors, validation_errors, error_rate";
}

const char *gate_op_text(enum gate_op op)
{
	static const char *const t[] = { "<", "<=", ">", ">=" };
	return t[op];
}

static const char *skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

int gate_parse_threshold(const char *opt, const char *s, struct gate_threshold *t)
{
	memset(t, 0, sizeof t[0]);
	snprintf(t->text, sizeof t->text, "%s", s);
	const char *p = skip_blanks(s);
	char name[32];
	size_t n = 0;
	while ((isalnum((unsigned char)*p) || *p == '_') && n + 1 < sizeof name)
		name[n++] = (char)*p++;
	name[n] = '\0';
	if (!n) {
		log_error("invalid value \"%s\" for option %s: no figure before the comparison (FIGURE OP VALUE[UNIT], "
		          "e.g. p99<50ms)", s, opt);
		return -1;
	}
	t->fig = gate_figure_find(name);
	if (!t->fig) {
		log_error("invalid value \"%s\" for option %s: unknown figure \"%s\" (one of %s)", s, opt, name,
		          gate_figure_names());
		return -1;
	}
	p = skip_blanks(p);
	if (p[0] == '<' && p[1] == '=')
		t->op = GATE_LE, p += 2;
	else if (p[0] == '>' && p[1] == '=')
		t->op = GATE_GE, p += 2;
	else if (p[0] == '<' && p[1] != '<' && p[1] != '>')
		t->op = GATE_LT, p += 1;
	else if (p[0] == '>' && p[1] != '>' && p[1] != '<')
		t->op = GATE_GT, p += 1;
	else {
		char op[8];
		size_t k = 0;
		while (p[k] && strchr("<>=!~", p[k]) && k + 1 < sizeof op)
			k++;
		snprintf(op, sizeof op, "%.*s", (int)k, p);
		if (k)
			log_error("invalid value \"%s\" for option %s: bad operator \"%s\" after \"%s\" (one of <, <=, >, >=)",
			          s, opt, op, name);
		else
			log_error("invalid value \"%s\" for option %s: no operator after \"%s\" (one of <, <=, >, >=)", s, opt,
			          name);
		return -1;
	}
	p = skip_blanks(p);
	if (*p == '-' || *p == '+') {
		log_error("invalid value \"%s\" for option %s: the limit must be a number of at least 0", s, opt);
		return -1;
	}
	char *end;
	double v = strtod(p, &end);
	if (end == p || !isfinite(v) || !(isdigit((unsigned char)*p) || *p == '.')) {
		log_error("invalid value \"%s\" for option %s: no number after \"%s%s\"", s, opt, name, gate_op_text(t->op));
		return -1;
	}
	const char *unit = skip_blanks(end);
	size_t ulen = strlen(unit);
	while (ulen && (unit[ulen - 1] == ' ' || unit[ulen - 1] == '\t'))
		ulen--;
	char u[32];
	snprintf(u, sizeof u, "%.*s", (int)(ulen < sizeof u ? ulen : sizeof u - 1), unit);
	switch (t->fig->kind) {
	case GATE_LATENCY:
		if (strcmp(u, "us") == 0)
			t->limit = v;
		else if (strcmp(u, "ms") == 0)
			t->limit = v * 1e3;
		else if (strcmp(u, "s") == 0)
			t->limit = v * 1e6;
		else {
			if (u[0])
				log_error("invalid value \"%s\" for option %s: bad unit \"%s\" for %s (us, ms or s)", s, opt, u, name);
			else
				log_error("invalid value \"%s\" for option %s: %s needs a unit (us, ms or s)", s, opt, name);
			return -1;
		}
		return 0;
	case GATE_QPS:
		if (u[0] && strcmp(u, "qps") != 0) {
			log_error("invalid value \"%s\" for option %s: bad unit \"%s\" for qps (none, or qps)", s, opt, u);
			return -1;
		}
		t->limit = v;
		return 0;
	case GATE_COUNT:
		if (u[0]) {
			log_error("invalid value \"%s\" for option %s: bad unit \"%s\" for %s (a count takes none)", s, opt, u,
			          name);
			return -1;
		}
		t->limit = v;
		return 0;
	case GATE_RATE:
		if (strcmp(u, "%") != 0) {
			if (u[0])
				log_error("invalid value \"%s\" for option %s: bad unit \"%s\" for %s (%%)", s, opt, u, name);
			else
				log_error("invalid value \"%s\" for option %s: %s needs %% (e.g. %s<1%%)", s, opt, name, name);
			return -1;
		}
		if (v > 100) {
			log_error("invalid value \"%s\" for option %s: a rate is at most 100%%", s, opt);
			return -1;
		}
		t->limit = v / 100;
		return 0;
	}
	return -1;
}

int gate_parse_regression(const char *opt, const char *s, double *out)
{
	const char *p = skip_blanks(s);
	char *end;
	double v = strtod(p, &end);
	if (end == p || !isfinite(v)) {
		log_error("invalid value \"%s\" for option %s: not a percentage (e.g. 10%%)", s, opt);
		return -1;
	}
	if (v < 0 || *p == '-') {
		log_error("invalid value \"%s\" for option %s: a regression limit is at least 0%%", s, opt);
		return -1;
	}
	end = (char *)skip_blanks(end);
	if (strcmp(end, "%") != 0) {
		log_error("invalid value \"%s\" for option %s: the limit is a percentage and needs %% (e.g. 10%%)", s, opt);
		return -1;
	}
	*out = v / 100;
	return 0;
}

int gate_parse_figures(const char *opt, const char *s, const struct gate_figure **figs, int max)
{
	int n = 0;
	const char *p = s;
	for (;;) {
		size_t len = strcspn(p, ",");
		char name[64];
		snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name ? len : sizeof name - 1), p);
		const struct gate_figure *f = gate_figure_find(name);
		if (!f) {
			log_error("invalid value \"%s\" for option %s: unknown figure \"%s\" (one of %s)", s, opt, name,
			          gate_figure_names());
			return -1;
		}
		int dup = 0;
		for (int k = 0; k < n; k++)
			dup |= figs[k] == f;
		if (!dup) {
			if (n == max) {
				log_error("invalid value \"%s\" for option %s: too many figures", s, opt);
				return -1;
			}
			figs[n++] = f;
		}
		if (!p[len])
			break;
		p += len + 1;
	}
	return n;
}

double gate_value(const struct gate_figure *f, const struct res_step *s)
{
	if (f->field >= 0)
		return s->v[f->field];
	double ok = s->v[RF_OK], err = s->v[RF_ERRORS], verr = s->v[RF_VALIDATION_ERRORS];
	if (isnan(verr))
		verr = 0;
	if (!(ok >= 0) || !(err >= 0) || ok + err + verr <= 0)
		return NAN;
	return (err + verr) / (ok + err + verr);
}

int gate_trusted(const struct gate_figure *f, const struct res_step *s, char *why, size_t len)
{
	double v = gate_value(f, s);
	if (isnan(v)) {
		snprintf(why, len, "%s", f->kind == GATE_LATENCY || f->kind == GATE_RATE ? "no query measured" : "not in the results");
		return 0;
	}
	if (f->pct > 0 && !res_pct_reliable(s, f->pct)) {
		double need = ceil(HIST_RELIABLE_TAIL * 100.0 / (100.0 - f->pct) - 1e-6);
		snprintf(why, len, "%.0f queries, too few for a reliable %s (it needs %.0f)", s->v[RF_OK], f->name, need);
		return 0;
	}
	return 1;
}

enum gate_verdict gate_check(const struct gate_threshold *t, const struct res_step *s, double *measured, char *why,
                             size_t len)
{
	*measured = gate_value(t->fig, s);
	why[0] = '\0';
	if (!gate_trusted(t->fig, s, why, len))
		return GATE_UNCHECKABLE;
	double v = *measured, l = t->limit;
	int ok = t->op == GATE_LT ? v < l : t->op == GATE_LE ? v <= l : t->op == GATE_GT ? v > l : v >= l;
	return ok ? GATE_PASS : GATE_FAIL;
}

enum gate_verdict gate_regression(const struct gate_figure *f, const struct res_step *a, const struct res_step *b,
                                  double max, double *change, char *why, size_t len)
{
	char w[200];
	*change = NAN;
	why[0] = '\0';
	if (!gate_trusted(f, a, w, sizeof w)) {
		snprintf(why, len, "run A: %s", w);
		return GATE_UNCHECKABLE;
	}
	if (!gate_trusted(f, b, w, sizeof w)) {
		snprintf(why, len, "run B: %s", w);
		return GATE_UNCHECKABLE;
	}
	double va = gate_value(f, a), vb = gate_value(f, b);
	if (f->higher_better) {
		if (!(va > 0)) {
			snprintf(why, len, "run A has %s 0: nothing to compare against", f->name);
			return GATE_UNCHECKABLE;
		}
		*change = (va - vb) / va;
	} else if (va > 0) {
		*change = (vb - va) / va;
	} else {
		*change = vb > 0 ? INFINITY : 0;
	}
	return *change > max + 1e-12 ? GATE_FAIL : GATE_PASS;
}

void gate_format(const struct gate_figure *f, double v, char *buf, size_t len)
{
	if (isnan(v)) {
		snprintf(buf, len, "-");
		return;
	}
	switch (f->kind) {
	case GATE_LATENCY:
		snprintf(buf, len, "%.3f ms", v / 1e3);
		break;
	case GATE_QPS:
		snprintf(buf, len, "%.1f qps", v);
		break;
	case GATE_COUNT:
		snprintf(buf, len, "%.0f", v);
		break;
	case GATE_RATE:
		snprintf(buf, len, "%.2f%%", v * 100);
		break;
	}
}
