/*
 * charts.c: the chart set of `pgpagebench plot`. Each builder picks the steps that carry its data, groups
 * them into series and fills a struct chart; a chart whose data the run does not hold is skipped with a
 * note saying why (pool wait only for the shared-pool model, rate charts only for open-loop runs, ...).
 * Numbers come from steps.csv, the per-second timeline from intervals.csv, the spectrum from <step>.hgrm.
 */
#include "plots/charts.h"
#include "common/alloc.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXGROUPS 64

const char charts_no_server_time[] =
	"no server time per step: pg_stat_statements was not available to the run (its server_* columns are "
	"empty). To enable it: shared_preload_libraries = 'pg_stat_statements' in postgresql.conf, restart, then "
	"CREATE EXTENSION pg_stat_statements in the database (the temporary cluster of --ephemeral and "
	"pgpagebench server preloads it)";

static const char no_latency[] = "no closed-loop step completed a successful query, so there is no latency to draw";

/* ---- labels and context ---------------------------------------------------------------------- */

/* Both read what res_load worked out once (resdir/read.h), so labelling every step stays linear. */
static int run_mixes(const struct res_run *run, int query)
{
	return query ? run->mixes_query : run->mixes_model;
}

/* What tells a step's series apart beyond the grouping: its model and query when the run mixes them (the
 * query not when each query has a panel of its own). */
static void prefix(const struct res_run *run, const struct res_step *s, int facets, char *buf, size_t len)
{
	int m = run_mixes(run, 0), q = !facets && run_mixes(run, 1);
	snprintf(buf, len, "%s%s%s%s", m ? s->model : "", m ? " " : "", q ? s->query : "", q ? " " : "");
}

static int run_varies(const struct res_run *run, int field)
{
	return run->varies[field];
}

void charts_step_label(const struct res_run *run, const struct res_step *s, char *buf, size_t len)
{
	/* only what tells the steps of this run apart; pool and offset when nothing does */
	char pre[300];
	prefix(run, s, 0, pre, sizeof pre);
	int vp = run_varies(run, RF_CONNECTIONS), vo = run_varies(run, RF_OFFSET), vr = run_varies(run, RF_RATE_QPS);
	if (!vp && !vo && !vr)
		vp = vo = 1;
	size_t o = 0;
	buf[0] = '\0';
#define ADD(...) do { if (o < len) { int n_ = snprintf(buf + o, len - o, __VA_ARGS__); if (n_ > 0) o += (size_t)n_; } } while (0)
	ADD("%s", pre);
	if (vp)
		ADD("pool %g", s->v[RF_CONNECTIONS]);
	if (vo)
		ADD("%soffset %s", vp ? " \xC2\xB7 " : "", s->offset_text);
	if (vr && res_is_open_loop(s))
		ADD("%s%g/s", vp || vo ? " \xC2\xB7 " : "", s->v[RF_RATE_QPS]);
#undef ADD
}

void charts_context(const struct res_run *run, char *buf, size_t len)
{
	char ver[64] = "", date[32] = "";
	/* meta.json holds version() ("PostgreSQL 15.18 (Debian ...) on ..."): keep the number */
	const char *v = run->server_version;
	if (strncmp(v, "PostgreSQL ", 11) == 0)
		v += 11;
	sscanf(v, "%63s", ver);
	if (strlen(run->started_at) >= 16)
		snprintf(date, sizeof date, "%.10s %.5s UTC", run->started_at, run->started_at + 11);
	size_t o = 0;
	buf[0] = '\0';
#define ADD(...) do { if (o < len) { int n_ = snprintf(buf + o, len - o, __VA_ARGS__); if (n_ > 0) o += (size_t)n_; } } while (0)
	if (ver[0])
		ADD("PostgreSQL %s", ver);
	if (run->dataset_scale[0])
		ADD("%sscale %s", o ? " \xC2\xB7 " : "", run->dataset_scale);
	if (date[0])
		ADD("%s%s", o ? " \xC2\xB7 " : "", date);
	if (run->hostname[0])
		ADD("%shost %s", o ? " \xC2\xB7 " : "", run->hostname);
	if (strcmp(run->status, "interrupted") == 0)
		ADD("%sINTERRUPTED RUN", o ? " \xC2\xB7 " : "");
#undef ADD
	if (!buf[0])
		snprintf(buf, len, "run context unknown (no meta.json)");
}

/* ---- grouping -------------------------------------------------------------------------------- */

typedef int (*step_filter)(const struct res_step *s);

struct group {
	char key[256], label[256];
	double order; /* sort key */
};

struct groups {
	struct group g[MAXGROUPS];
	size_t n;
};

/* Group index for (key, label), adding it; -1 when full. */
static int group_of(struct groups *gs, const char *key, const char *label, double order)
{
	for (size_t i = 0; i < gs->n; i++)
		if (strcmp(gs->g[i].key, key) == 0)
			return (int)i;
	if (gs->n == MAXGROUPS)
		return -1;
	struct group *g = &gs->g[gs->n];
	snprintf(g->key, sizeof g->key, "%s", key);
	snprintf(g->label, sizeof g->label, "%s", label);
	g->order = order;
	return (int)gs->n++;
}

static int cmp_group(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* Offsets: numeric ones in order, "mix" (NAN) last. */
static double offset_order(const struct res_step *s)
{
	return isnan(s->v[RF_OFFSET]) ? 1e300 : s->v[RF_OFFSET];
}

/* What a series is: an offset, a pool size, or both; BY_OPEN, for open-loop steps, is BY_OFFSET when they
 * share one pool size and BY_OFFSET_POOL when not. */
enum group_by { BY_OFFSET, BY_POOL, BY_OFFSET_POOL, BY_OPEN };

static void group_key(const struct res_run *run, const struct res_step *s, enum group_by by, int facets, char *key,
                      size_t klen, char *label, size_t llen, double *order)
{
	char pre[300];
	prefix(run, s, facets, pre, sizeof pre);
	switch (by) {
	case BY_OPEN: /* grouping_init has made it BY_OFFSET or BY_OFFSET_POOL */
	case BY_OFFSET:
		snprintf(key, klen, "%s|%s", pre, s->offset_text);
		snprintf(label, llen, "%soffset %s", pre, s->offset_text);
		*order = offset_order(s);
		break;
	case BY_POOL:
		snprintf(key, klen, "%s|%g", pre, s->v[RF_CONNECTIONS]);
		snprintf(label, llen, "%spool %g", pre, s->v[RF_CONNECTIONS]);
		*order = s->v[RF_CONNECTIONS];
		break;
	case BY_OFFSET_POOL:
		snprintf(key, klen, "%s|%s|%g", pre, s->offset_text, s->v[RF_CONNECTIONS]);
		snprintf(label, llen, "%spool %g \xC2\xB7 offset %s", pre, s->v[RF_CONNECTIONS], s->offset_text);
		*order = offset_order(s) * 1e6 + s->v[RF_CONNECTIONS];
		break;
	}
}

/* ---- small multiples ------------------------------------------------------------------------- */

/* A run of several query variants draws a panel per variant, each with the same series (offsets or pool
 * sizes) in the same colours on the same axes, rather than one panel of variants x groups lines. */
struct facets {
	const char *name[CHART_MAXPANELS];
	size_t n; /* 0: one panel, the query (when mixed) in the series labels */
};

static void make_facets(const struct res_run *run, step_filter keep, struct facets *f)
{
	f->n = 0;
	for (size_t i = 0; i < run->nsteps; i++) {
		if (!keep(&run->steps[i]))
			continue;
		size_t k = 0;
		while (k < f->n && strcmp(f->name[k], run->steps[i].query) != 0)
			k++;
		if (k < f->n)
			continue;
		if (f->n == CHART_MAXPANELS) {
			f->n = 0; /* too many for a grid: one panel after all */
			return;
		}
		f->name[f->n++] = run->steps[i].query;
	}
	if (f->n < 2)
		f->n = 0;
}

/* The panel of a step. */
static size_t facet_of(const struct facets *f, const struct res_step *s)
{
	for (size_t k = 0; k < f->n; k++)
		if (strcmp(f->name[k], s->query) == 0)
			return k;
	return 0;
}

/* Turns the chart into a grid of a panel per facet, every panel with the axes set on panel 0. */
static size_t facet_panels(struct chart *c, const struct facets *f)
{
	if (f->n == 0)
		return 1;
	c->npanels = f->n;
	c->cols = f->n <= 3 ? (int)f->n : f->n == 4 ? 2 : 3;
	for (size_t k = 0; k < f->n; k++) {
		snprintf(c->panel[k].title, sizeof c->panel[k].title, "%s", f->name[k][0] ? f->name[k] : "(unnamed)");
		c->panel[k].x = c->panel[0].x;
		c->panel[k].y = c->panel[0].y;
	}
	return f->n;
}

/* The groups of the steps passing filter, sorted. facets: the query is not part of a group (each query
 * has its own panel). */
static void make_groups(const struct res_run *run, step_filter keep, enum group_by by, int facets, struct groups *gs)
{
	gs->n = 0;
	for (size_t i = 0; i < run->nsteps; i++) {
		const struct res_step *s = &run->steps[i];
		if (!keep(s))
			continue;
		char key[256], label[256];
		double order;
		group_key(run, s, by, facets, key, sizeof key, label, sizeof label, &order);
		group_of(gs, key, label, order);
	}
	qsort(gs->g, gs->n, sizeof gs->g[0], cmp_group);
}

/* Open-loop series: by offset, and by pool too when the pools differ. */
static enum group_by open_grouping(const struct res_run *run, step_filter keep)
{
	double first = NAN;
	for (size_t i = 0; i < run->nsteps; i++) {
		const struct res_step *s = &run->steps[i];
		if (!keep(s))
			continue;
		if (isnan(first))
			first = s->v[RF_CONNECTIONS];
		else if (s->v[RF_CONNECTIONS] != first)
			return BY_OFFSET_POOL;
	}
	return BY_OFFSET;
}

/*
 * The grouping every builder of series shares: the steps its filter keeps, in groups (a colour each) by
 * offset, pool or both, and with facets a panel per query variant when the run holds 2 to 9 of them.
 * A builder makes one, skips the chart when it holds no group, adds its lines with grouping_lines and
 * finds each step's group and panel with grouping_of.
 */
struct grouping {
	const struct res_run *run;
	step_filter keep;
	enum group_by by; /* BY_OPEN: by offset, and by pool too when the pools differ */
	struct facets fc;
	struct groups gs;
};

/* Returns the number of groups: 0 when no step passes the filter. */
static size_t grouping_init(struct grouping *gr, const struct res_run *run, step_filter keep, enum group_by by,
                            int facets)
{
	gr->run = run;
	gr->keep = keep;
	gr->by = by == BY_OPEN ? open_grouping(run, keep) : by;
	gr->fc.n = 0;
	if (facets)
		make_facets(run, keep, &gr->fc);
	make_groups(run, keep, gr->by, gr->fc.n > 0, &gr->gs);
	return gr->gs.n;
}

/* The group of a step, -1 when the filter drops it; *panel (unless NULL) receives its panel. */
static int grouping_of(const struct grouping *gr, const struct res_step *st, size_t *panel)
{
	if (!gr->keep(st))
		return -1;
	char key[256], label[256];
	double order;
	group_key(gr->run, st, gr->by, gr->fc.n > 0, key, sizeof key, label, sizeof label, &order);
	if (panel)
		*panel = facet_of(&gr->fc, st);
	for (size_t i = 0; i < gr->gs.n; i++)
		if (strcmp(gr->gs.g[i].key, key) == 0)
			return (int)i;
	return -1;
}

/* A line each group draws: its label (fmt, whose "%s" is the group's label), style and dash; GROUP as a
 * style or dash means the group's index. */
enum { GROUP = -1, MAXLINES = 4 };
struct line_spec {
	const char *fmt;
	int style, dash;
};
typedef struct chart_series *group_lines[CHART_MAXPANELS][MAXGROUPS][MAXLINES];

/* Makes the chart a grid of a panel per facet (with the axes set on panel 0), then adds, in every panel
 * and for every group, one series per spec in spec order: s[panel][group][spec] (NULL past nspec). */
static void grouping_lines(struct chart *c, const struct grouping *gr, const struct line_spec *spec, size_t nspec,
                           group_lines s)
{
	size_t np = facet_panels(c, &gr->fc);
	for (size_t k = 0; k < np; k++)
		for (size_t g = 0; g < gr->gs.n; g++)
			for (size_t l = 0; l < MAXLINES; l++) {
				const struct line_spec *ls = &spec[l];
				s[k][g][l] = l >= nspec ? NULL
				                        : chart_series_add(&c->panel[k], ls->style == GROUP ? (int)g : ls->style,
				                                           ls->dash == GROUP ? (int)g : ls->dash, ls->fmt,
				                                           gr->gs.g[g].label);
			}
}

/* Adds the points of every step the grouping keeps to the lines of its group in its panel, at x = the
 * step's column xfield. */
static void grouping_fill(const struct grouping *gr, group_lines s, int xfield,
                          void (*add)(struct chart_series *const *lines, const struct res_step *st, double x))
{
	for (size_t i = 0; i < gr->run->nsteps; i++) {
		const struct res_step *st = &gr->run->steps[i];
		size_t k;
		int g = grouping_of(gr, st, &k);
		if (g >= 0)
			add(s[k][g], st, st->v[xfield]);
	}
}

/* Log x when positive values span two decades or more; a 0 among them is drawn at the left edge. */
static void auto_log_axis(struct chart_axis *a, const double *v, size_t n, double span)
{
	double lo = INFINITY, hi = 0;
	int zero = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(v[i]))
			continue;
		if (v[i] <= 0)
			zero = 1;
		else {
			if (v[i] < lo)
				lo = v[i];
			if (v[i] > hi)
				hi = v[i];
		}
	}
	if (hi > 0 && hi / lo >= span) {
		a->log = 1;
		if (zero)
			a->zero_at = lo / 10;
	} else {
		a->from_zero = zero;
	}
}

/* ---- filters --------------------------------------------------------------------------------- */

static int f_closed(const struct res_step *s) { return !res_is_open_loop(s); }
static int f_closed_offset(const struct res_step *s) { return !res_is_open_loop(s) && !isnan(s->v[RF_OFFSET]); }
static int f_open(const struct res_step *s) { return res_is_open_loop(s); }
static int f_open_unc(const struct res_step *s)
{
	return res_is_open_loop(s) && (isfinite(s->v[RF_UNC_P99_US]) || isfinite(s->v[RF_UNC_P50_US]));
}
static int f_pool(const struct res_step *s)
{
	return (strcmp(s->model, "pool") == 0 || s->v[RF_WORKERS] > s->v[RF_CONNECTIONS]) &&
	       (isfinite(s->v[RF_WAIT_P50_US]) || isfinite(s->v[RF_WAIT_P99_US]));
}
static int f_hgrm(const struct res_step *s) { return s->npctl > 0 && s->pctl[s->npctl - 1].count > 0; }

static int any_finite(const struct res_run *run, step_filter keep, int f1, int f2)
{
	for (size_t i = 0; i < run->nsteps; i++)
		if (keep(&run->steps[i]) && (isfinite(run->steps[i].v[f1]) || isfinite(run->steps[i].v[f2])))
			return 1;
	return 0;
}

/* A latency percentile point, hollow when fewer than 10 queries of its step lie at or beyond it. */
static void pct_point(struct chart_series *s, double x, const struct res_step *st, int field, double p)
{
	chart_point_hollow(s, x, st->v[field], isfinite(st->v[field]) && !res_pct_reliable(st, p));
}

/* Appends to a latency chart's note how many queries its steps measured, and what a hollow marker means
 * when one is drawn. */
static void note_n(const struct res_run *run, step_filter keep, double p, struct chart *c)
{
	double lo = INFINITY, hi = -INFINITY;
	int thin = 0;
	for (size_t i = 0; i < run->nsteps; i++) {
		const struct res_step *st = &run->steps[i];
		if (!keep(st) || !isfinite(st->v[RF_OK]))
			continue;
		lo = st->v[RF_OK] < lo ? st->v[RF_OK] : lo;
		hi = st->v[RF_OK] > hi ? st->v[RF_OK] : hi;
		thin |= isfinite(st->v[RF_P50_US]) && !res_pct_reliable(st, p);
	}
	if (!isfinite(lo))
		return;
	size_t o = strlen(c->note);
	char n[64];
	if (lo == hi)
		snprintf(n, sizeof n, "n = %.0f queries a step", lo);
	else
		snprintf(n, sizeof n, "n = %.0f to %.0f queries a step", lo, hi);
	snprintf(c->note + o, sizeof c->note - o, "%s%s%s", o ? "; " : "", n,
	         thin ? "; hollow: under 10 queries beyond the percentile" : "");
}

static void sort_all(struct chart *c)
{
	for (size_t i = 0; i < c->npanels; i++)
		for (size_t j = 0; j < c->panel[i].nseries; j++)
			chart_series_sort(c->panel[i].series[j]);
}

/* A builder's "drew nothing": why (formatted) into the report's note; returns 0. */
static int skip(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int skip(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return 0;
}

static void set_axis(struct chart_axis *a, const char *title, enum chart_unit unit, int log)
{
	snprintf(a->title, sizeof a->title, "%s", title);
	a->unit = unit;
	a->log = log;
}

/* The offset axis of the steps passing keep: log when the offsets span two decades, 0 at its left edge. */
static void offset_axis(const struct res_run *run, step_filter keep, struct chart_axis *a)
{
	double v[1024];
	size_t n = 0;
	for (size_t i = 0; i < run->nsteps && n < 1024; i++)
		if (keep(&run->steps[i]))
			v[n++] = run->steps[i].v[RF_OFFSET];
	auto_log_axis(a, v, n, 100);
	a->integer = 1;
	snprintf(a->title, sizeof a->title, "offset (rows skipped)%s", a->log ? ", log scale" : "");
}

/* ---- 1. queries/s vs pool size --------------------------------------------------------------- */

static int power_of_two(double v)
{
	int e;
	return v >= 1 && v <= 1e15 && frexp(v, &e) == 0.5;
}

/* Pool sizes that are all powers of two (1, 2, 4 ... 64) on a log2 axis, evenly spaced; others linear. */
static void pool_axis(const struct res_run *run, step_filter keep, struct chart_axis *a)
{
	double first = NAN;
	int pow2 = 1, several = 0;
	for (size_t i = 0; i < run->nsteps; i++) {
		if (!keep(&run->steps[i]))
			continue;
		double v = run->steps[i].v[RF_CONNECTIONS];
		if (!isfinite(v))
			continue;
		pow2 &= power_of_two(v);
		if (isnan(first))
			first = v;
		else if (v != first)
			several = 1;
	}
	snprintf(a->title, sizeof a->title, "pool size (connections)");
	a->integer = 1;
	if (pow2 && several)
		a->log = a->pow2 = 1;
}

static void qps_points(struct chart_series *const *l, const struct res_step *st, double x)
{
	chart_point(l[0], x, st->v[RF_QPS]);
}

static int build_qps_pool(const struct res_run *run, struct chart *c, char *why, size_t len)
{
	struct grouping gr;
	if (grouping_init(&gr, run, f_closed, BY_OFFSET, 1) == 0)
		return skip(why, len, "no closed-loop steps: every step ran at a target rate (see throughput vs latency)");
	struct chart_panel *p = &c->panel[0];
	pool_axis(run, f_closed, &p->x);
	set_axis(&p->y, "queries/s", CHART_UNIT_QPS, 0);
	p->y.from_zero = 1;
	static const struct line_spec lines[] = { { "%s", GROUP, GROUP } };
	group_lines s;
	grouping_lines(c, &gr, lines, 1, s);
	grouping_fill(&gr, s, RF_CONNECTIONS, qps_points);
	sort_all(c);
	return 1;
}

/* p99 and p50 of a step; with a percentile from too few queries hollow. */
static void latency_points(struct chart_series *const *l, const struct res_step *st, double x)
{
	pct_point(l[0], x, st, RF_P99_US, 99);
	pct_point(l[1], x, st, RF_P50_US, 50);
}

/* The latency charts against pool size (x = connections) and offset: a p99 (solid) and a p50 (dashed)
 * series per group, a panel per query variant. 1, or 0 with why set (none: no step passes keep). */
static int latency_chart(const struct res_run *run, struct chart *c, step_filter keep, enum group_by by, int xfield,
                         const char *none, char *why, size_t len)
{
	struct grouping gr;
	if (grouping_init(&gr, run, keep, by, 1) == 0)
		return skip(why, len, "%s", none);
	if (!any_finite(run, keep, RF_P50_US, RF_P99_US))
		return skip(why, len, "%s", no_latency);
	struct chart_panel *p = &c->panel[0];
	if (xfield == RF_OFFSET)
		offset_axis(run, keep, &p->x);
	else
		pool_axis(run, keep, &p->x);
	set_axis(&p->y, "latency (log scale)", CHART_UNIT_US, 1);
	static const struct line_spec lines[] = { { "p99 %s", GROUP, 0 }, { "p50 %s", GROUP, 1 } };
	group_lines s;
	grouping_lines(c, &gr, lines, 2, s);
	grouping_fill(&gr, s, xfield, latency_points);
	sort_all(c);
	return 1;
}

/* ---- 2. latency vs pool size ----------------------------------------------------------------- */

static int build_latency_pool(const struct res_run *run, struct chart *c, char *why, size_t len)
{
	if (!latency_chart(run, c, f_closed, BY_OFFSET, RF_CONNECTIONS,
	                   "no closed-loop steps: every step ran at a target rate", why, len))
		return 0;
	snprintf(c->note, sizeof c->note, "solid: p99, dashed: p50; steps without successful queries have no point");
	note_n(run, f_closed, 99, c);
	return 1;
}

/* ---- 3. latency vs offset -------------------------------------------------------------------- */

static int build_latency_offset(const struct res_run *run, struct chart *c, char *why, size_t len)
{
	if (!latency_chart(run, c, f_closed_offset, BY_POOL, RF_OFFSET, "no closed-loop step with a numeric offset", why,
	                   len))
		return 0;
	snprintf(c->note, sizeof c->note, "solid: p99, dashed: p50%s",
	         c->panel[0].x.zero_at > 0 ? "; offset 0 sits at the left edge of the log axis" : "");
	note_n(run, f_closed_offset, 99, c);
	return 1;
}

/* ---- 4. percentile spectrum ------------------------------------------------------------------ */

static int build_spectrum(const struct res_run *run, struct chart *c, char *why, size_t len)
{
	size_t idx[1024], n = 0;
	for (size_t i = 0; i < run->nsteps && n < 1024; i++)
		if (f_hgrm(&run->steps[i]))
			idx[n++] = i;
	if (n == 0)
		return skip(why, len, "no step has a latency histogram (.hgrm) with any query in it");
	size_t pick[8], np = 0;
	int pstyle[8], pdash[8];
	const size_t maxs = 8;
	if (n <= maxs) {
		for (size_t i = 0; i < n; i++) {
			pstyle[np] = pdash[np] = (int)np;
			pick[np++] = idx[i];
		}
	} else {
		/* the smallest and the largest pool at each offset, when that fits; else evenly spaced steps */
		struct grouping gr;
		grouping_init(&gr, run, f_hgrm, BY_OFFSET, 0);
		int dim = !run_varies(run, RF_CONNECTIONS) && run_varies(run, RF_RATE_QPS) ? RF_RATE_QPS : RF_CONNECTIONS;
		const char *dname = dim == RF_RATE_QPS ? "rate" : "pool";
		if (gr.gs.n * 2 <= maxs) {
			for (size_t g = 0; g < gr.gs.n; g++) {
				size_t lo = SIZE_MAX, hi = SIZE_MAX;
				for (size_t i = 0; i < n; i++) {
					const struct res_step *st = &run->steps[idx[i]];
					if (grouping_of(&gr, st, NULL) != (int)g)
						continue;
					if (lo == SIZE_MAX || st->v[dim] < run->steps[lo].v[dim])
						lo = idx[i];
					if (hi == SIZE_MAX || st->v[dim] > run->steps[hi].v[dim])
						hi = idx[i];
				}
				/* one colour per offset; solid: the largest pool, dashed: the smallest */
				pstyle[np] = (int)g;
				pdash[np] = 1;
				pick[np++] = lo;
				if (hi != lo) {
					pstyle[np] = (int)g;
					pdash[np] = 0;
					pick[np++] = hi;
				}
			}
			snprintf(c->note, sizeof c->note, "%zu of %zu steps: the smallest (dashed) and largest (solid) %s at each offset",
			         np, n, dname);
		} else {
			for (size_t i = 0; i < maxs; i++) {
				pstyle[np] = pdash[np] = (int)np;
				pick[np++] = idx[i * (n - 1) / (maxs - 1)];
			}
			snprintf(c->note, sizeof c->note, "%zu of %zu steps, evenly spaced in run order", np, n);
		}
	}
	struct chart_panel *p = &c->panel[0];
	set_axis(&p->x, "percentile", CHART_UNIT_PCTL, 1);
	set_axis(&p->y, "latency (log scale)", CHART_UNIT_US, 1);
	for (size_t k = 0; k < np; k++) {
		const struct res_step *st = &run->steps[pick[k]];
		char label[256];
		charts_step_label(run, st, label, sizeof label);
		struct chart_series *s = chart_series_add(p, pstyle[k], pdash[k], "%s", label);
		s->markers = 0;
		for (size_t i = 0; i < st->npctl; i++)
			if (st->pctl[i].percentile < 1)
				chart_point(s, 1.0 / (1.0 - st->pctl[i].percentile), st->pctl[i].value_us);
	}
	return 1;
}

/* ---- 5. queries/s and p99 over time ---------------------------------------------------------- */

/* A merged run's hosts, each its own line of queries a second over the step starting at t0. */
static void timeline_hosts(const struct res_step *st, double t0, struct chart_series *const *hq, size_t nh)
{
	double dur = st->v[RF_DURATION_S];
	for (size_t j = 0; j < st->nhsec; j++) {
		const struct res_host_second *hs = &st->hsec[j];
		if (hs->host >= nh)
			continue;
		double secs = 1;
		if (isfinite(dur) && hs->second > dur && hs->second - 1 < dur)
			secs = dur - (hs->second - 1);
		chart_point(hq[hs->host], t0 + hs->second - secs / 2, hs->queries / secs);
	}
	for (size_t h = 0; h < nh; h++)
		chart_point(hq[h], NAN, NAN); /* break the lines between steps */
}

static int build_timeline(const struct res_run *run, struct chart *c, char *why, size_t len)
{
	if (run->nintervals == 0)
		return skip(why, len, "intervals.csv is missing or holds no rows");
	/* a merged run (pgpagebench merge) adds a panel between the two: each host's queries a second */
	size_t nh = run->nhosts < 64 ? run->nhosts : 64;
	c->npanels = nh ? 3 : 2;
	struct chart_panel *top = &c->panel[0], *mid = nh ? &c->panel[1] : NULL, *bot = &c->panel[nh ? 2 : 1];
	top->x.hide_labels = 1;
	struct chart_series *hq[64];
	if (mid) {
		mid->x.hide_labels = 1;
		mid->x.unit = CHART_UNIT_SECONDS;
		set_axis(&mid->y, "per host", CHART_UNIT_QPS, 0);
		mid->y.from_zero = 1;
		for (size_t h = 0; h < nh; h++)
			hq[h] = chart_series_add(mid, (int)(4 + h), (int)(h % CHART_NDASHES), "host %s", run->hosts[h]);
	}
	top->x.unit = bot->x.unit = CHART_UNIT_SECONDS;
	snprintf(bot->x.title, sizeof bot->x.title, "measured time, steps one after another (numbers: steps in the table)");
	set_axis(&top->y, "per second", CHART_UNIT_QPS, 0);
	top->y.from_zero = 1;
	set_axis(&bot->y, "latency (log)", CHART_UNIT_US, 1);
	int any_err = 0, any_ok = 0;
	for (size_t i = 0; i < run->nsteps; i++)
		for (size_t j = 0; j < run->steps[i].nsec; j++)
			any_err |= run->steps[i].sec[j].errors > 0;
	struct chart_series *q = chart_series_add(top, 0, 0, "queries/s");
	struct chart_series *e = any_err ? chart_series_add(top, 1, 1, "errors/s") : NULL;
	struct chart_series *p99 = chart_series_add(bot, 2, 0, "p99");
	struct chart_series *p50 = chart_series_add(bot, 3, 1, "p50");
	double t0 = 0;
	for (size_t i = 0; i < run->nsteps; i++) {
		const struct res_step *st = &run->steps[i];
		if (st->nsec == 0)
			continue;
		char num[16];
		snprintf(num, sizeof num, "%zu", i + 1);
		chart_mark_add(top, t0, num);
		chart_mark_add(bot, t0, "");
		if (mid) {
			chart_mark_add(mid, t0, "");
			timeline_hosts(st, t0, hq, nh);
		}
		double dur = st->v[RF_DURATION_S], last = 0;
		for (size_t j = 0; j < st->nsec; j++) {
			const struct res_second *sc = &st->sec[j];
			/* the last second may be partial: divide by its real length when duration_s tells it */
			double secs = 1;
			if (isfinite(dur) && sc->second > dur && sc->second - 1 < dur)
				secs = dur - (sc->second - 1);
			double x = t0 + sc->second - secs / 2;
			chart_point(q, x, sc->queries / secs);
			if (e)
				chart_point(e, x, sc->errors / secs);
			chart_point(p99, x, sc->p99_us);
			chart_point(p50, x, sc->p50_us);
			any_ok |= sc->queries > 0;
			if (sc->second > last)
				last = sc->second;
		}
		double end = isfinite(dur) && dur > last - 1 ? (dur > last ? dur : last) : last;
		t0 += end;
		/* break the lines between steps */
		chart_point(q, NAN, NAN);
		if (e)
			chart_point(e, NAN, NAN);
		chart_point(p99, NAN, NAN);
		chart_point(p50, NAN, NAN);
	}
	chart_mark_add(top, t0, "");
	chart_mark_add(bot, t0, "");
	if (mid)
		chart_mark_add(mid, t0, "");
	if (mid)
		snprintf(c->note, sizeof c->note, "%zu hosts merged: per-second p50/p99 are the highest host's (an upper bound); the "
		         "steps' percentiles are exact", run->nhosts);
	if (p99->n > 0 && !any_ok)
		snprintf(c->note, sizeof c->note, "no query succeeded, so there is no latency to draw (errors by SQLSTATE: summary.json and the report)");
	return 1;
}

/* ---- 6. pool wait vs service time ------------------------------------------------------------ */

/* Service and wait p99, and p50 when the chart has lines for them. */
static void pool_wait_points(struct chart_series *const *l, const struct res_step *st, double x)
{
	chart_point(l[0], x, st->v[RF_SERVICE_P99_US]);
	chart_point(l[1], x, st->v[RF_WAIT_P99_US]);
	if (l[2]) {
		chart_point(l[2], x, st->v[RF_SERVICE_P50_US]);
		chart_point(l[3], x, st->v[RF_WAIT_P50_US]);
	}
}

static int build_pool_wait(const struct res_run *run, struct chart *c, char *why, size_t len)
{
	struct grouping gr;
	if (grouping_init(&gr, run, f_pool, BY_OFFSET, 1) == 0)
		return skip(why, len, "the run did not use the shared-pool model (workers = connections), so there is no pool wait");
	struct chart_panel *p = &c->panel[0];
	pool_axis(run, f_pool, &p->x);
	set_axis(&p->y, "time per query (log scale)", CHART_UNIT_US, 1);
	/* a zero has no place on the log axis: it breaks the line, and the note says so */
	int wait_zero = 0, wait_pos = 0, one = gr.gs.n == 1;
	for (size_t i = 0; i < run->nsteps; i++) {
		const struct res_step *st = &run->steps[i];
		if (!f_pool(st))
			continue;
		const int fs[2] = { RF_WAIT_P99_US, RF_WAIT_P50_US }; /* p50 is drawn only with one series group */
		for (int f = 0; f < (one ? 2 : 1); f++) {
			wait_zero |= st->v[fs[f]] <= 0;
			wait_pos |= st->v[fs[f]] > 0;
		}
	}
	/* one group: service and wait in a colour each, p99 solid and p50 dotted; else a colour per group */
	static const struct line_spec lines_one[] = { { "service p99", 0, 0 }, { "wait p99", 1, 0 },
		                                      { "service p50", 0, 2 }, { "wait p50", 1, 2 } };
	static const struct line_spec lines[] = { { "service p99 %s", GROUP, 0 }, { "wait p99 %s", GROUP, 1 } };
	group_lines sv;
	grouping_lines(c, &gr, one ? lines_one : lines, one ? 4 : 2, sv);
	grouping_fill(&gr, sv, RF_CONNECTIONS, pool_wait_points);
	sort_all(c);
	if (!wait_zero)
		snprintf(c->note, sizeof c->note, "wait: time a worker waited for a free connection; service: time it held one%s",
		         one ? "" : " (solid: service, dashed: wait)");
	else
		snprintf(c->note, sizeof c->note, "wait: for a free connection, service: holding one%s; %s",
		         one ? "" : " (solid: service, dashed: wait)",
		         wait_pos ? "a wait of 0 has no point on the log axis"
		                  : "every wait was 0 (a connection was always free): no wait line");
	return 1;
}

/* ---- connect vs query time (--connect-per-request) -------------------------------------------- */

/* Closed-loop steps run with --connect-per-request that answered a query: they carry both times. */
static int f_connect(const struct res_step *s)
{
	return !res_is_open_loop(s) && isfinite(s->v[RF_CONNECT_P50_US]) && isfinite(s->v[RF_QUERY_P50_US]);
}

static void connect_points(struct chart_series *const *l, const struct res_step *st, double x)
{
	chart_point(l[0], x, st->v[RF_CONNECT_P50_US]);
	chart_point(l[1], x, st->v[RF_QUERY_P50_US]);
	if (l[2]) {
		chart_point(l[2], x, st->v[RF_CONNECT_P99_US]);
		chart_point(l[3], x, st->v[RF_QUERY_P99_US]);
	}
}

static int build_connect_query(const struct res_run *run, struct chart *c, char *why, size_t len)
{
	struct grouping gr;
	if (grouping_init(&gr, run, f_connect, BY_OFFSET, 1) == 0)
		return skip(why, len, "the run did not open a connection per request (run --connect-per-request), so "
		                      "there is no connect time");
	struct chart_panel *p = &c->panel[0];
	pool_axis(run, f_connect, &p->x);
	set_axis(&p->y, "time per request (log scale)", CHART_UNIT_US, 1);
	/* one group: connect and query in a colour each, p50 solid and p99 dotted; else a colour per group */
	int one = gr.gs.n == 1;
	static const struct line_spec lines_one[] = { { "connect p50", 0, 0 }, { "query p50", 1, 0 },
		                                      { "connect p99", 0, 2 }, { "query p99", 1, 2 } };
	static const struct line_spec lines[] = { { "connect p50 %s", GROUP, 0 }, { "query p50 %s", GROUP, 1 } };
	group_lines sv;
	grouping_lines(c, &gr, one ? lines_one : lines, one ? 4 : 2, sv);
	grouping_fill(&gr, sv, RF_CONNECTIONS, connect_points);
	sort_all(c);
	snprintf(c->note, sizeof c->note, "connect: opening the request's connection, its setup included; query: "
	         "from the send to the answer; the step's latency is their sum%s",
	         one ? "" : " (solid: connect, dashed: query)");
	return 1;
}

/* ---- 7. throughput vs p99 for rate sweeps ---------------------------------------------------- */

static int build_throughput_latency(const struct res_run *run, struct chart *c, char *why, size_t len)
{
	struct grouping gr;
	if (grouping_init(&gr, run, f_open, BY_OPEN, 0) == 0)
		return skip(why, len, "the run has no open-loop (--rate) steps");
	if (!any_finite(run, f_open, RF_P99_US, RF_P50_US))
		return skip(why, len, "no open-loop step completed a successful query");
	struct chart_panel *p = &c->panel[0];
	set_axis(&p->x, "achieved queries/s", CHART_UNIT_QPS, 0);
	p->x.from_zero = 1;
	set_axis(&p->y, "latency (log scale)", CHART_UNIT_US, 1);
	static const struct line_spec lines[] = { { "p99 %s", GROUP, 0 }, { "p50 %s", GROUP, 1 } };
	group_lines s;
	grouping_lines(c, &gr, lines, 2, s);
	for (size_t g = 0; g < gr.gs.n; g++) {
		/* points in the order of the target rate, so a saturated server shows as the curve bending back */
		double done = -INFINITY;
		for (;;) {
			double next = INFINITY;
			for (size_t i = 0; i < run->nsteps; i++) {
				const struct res_step *st = &run->steps[i];
				if (grouping_of(&gr, st, NULL) == (int)g && st->v[RF_RATE_QPS] > done && st->v[RF_RATE_QPS] < next)
					next = st->v[RF_RATE_QPS];
			}
			if (!isfinite(next))
				break;
			for (size_t i = 0; i < run->nsteps; i++) {
				const struct res_step *st = &run->steps[i];
				if (grouping_of(&gr, st, NULL) == (int)g && st->v[RF_RATE_QPS] == next) {
					pct_point(s[0][g][0], st->v[RF_QPS], st, RF_P99_US, 99);
					pct_point(s[0][g][1], st->v[RF_QPS], st, RF_P50_US, 50);
				}
			}
			done = next;
		}
	}
	snprintf(c->note, sizeof c->note, "solid: p99, dashed: p50; points in order of the target rate");
	note_n(run, f_open, 99, c);
	return 1;
}

/* ---- 8. corrected vs uncorrected percentiles ------------------------------------------------- */

/* Corrected and uncorrected p99, and p50 when the chart has lines for them. */
static void corrected_points(struct chart_series *const *l, const struct res_step *st, double x)
{
	pct_point(l[0], x, st, RF_P99_US, 99);
	pct_point(l[1], x, st, RF_UNC_P99_US, 99);
	if (l[2]) {
		pct_point(l[2], x, st, RF_P50_US, 50);
		pct_point(l[3], x, st, RF_UNC_P50_US, 50);
	}
}

static int build_corrected(const struct res_run *run, struct chart *c, char *why, size_t len)
{
	struct grouping gr;
	if (grouping_init(&gr, run, f_open_unc, BY_OPEN, 0) == 0)
		return skip(why, len, "the run has no open-loop steps with uncorrected percentiles");
	struct chart_panel *p = &c->panel[0];
	set_axis(&p->x, "target rate (queries/s)", CHART_UNIT_QPS, 0);
	p->x.from_zero = 1;
	set_axis(&p->y, "latency (log scale)", CHART_UNIT_US, 1);
	/* one group: p50 too, in a colour of its own; else p99 only, a colour per group */
	int one = gr.gs.n == 1;
	static const struct line_spec lines_one[] = { { "p99", 0, 0 }, { "p99 uncorrected", 0, 1 }, { "p50", 1, 0 },
		                                      { "p50 uncorrected", 1, 1 } };
	static const struct line_spec lines[] = { { "p99 %s", GROUP, 0 }, { "p99 uncorrected %s", GROUP, 1 } };
	group_lines s;
	grouping_lines(c, &gr, one ? lines_one : lines, one ? 4 : 2, s);
	grouping_fill(&gr, s, RF_RATE_QPS, corrected_points);
	sort_all(c);
	snprintf(c->note, sizeof c->note,
	         "solid: from the intended start (corrected), dashed: from the actual send; the gap is queueing the schedule hid");
	return 1;
}

/* ---- 9. latency vs offset, a series per query variant ---------------------------------------- */

static int cmp_text(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The number of queries among the steps the filter keeps: sorted, then counted (O(n log n)). */
static size_t distinct_queries(const struct res_run *run, step_filter keep)
{
	const char **q = pgpb_reallocarray(NULL, run->nsteps ? run->nsteps : 1, sizeof *q);
	size_t m = 0, n = 0;
	for (size_t i = 0; i < run->nsteps; i++)
		if (keep(&run->steps[i]))
			q[m++] = run->steps[i].query;
	qsort(q, m, sizeof *q, cmp_text);
	for (size_t i = 0; i < m; i++)
		n += i == 0 || strcmp(q[i - 1], q[i]) != 0;
	free(q);
	return n;
}

static int build_latency_variant(const struct res_run *run, struct chart *c, char *why, size_t len)
{
	size_t nq = distinct_queries(run, f_closed_offset);
	if (nq < 2)
		return skip(why, len, "the run measured %s query (%s), so there are no variants to set side by side; "
		            "latency vs offset shows it", nq ? "one" : "no closed-loop step with a numeric offset and no",
		            nq ? run->steps[0].query : "none");
	if (!any_finite(run, f_closed_offset, RF_P50_US, RF_P99_US))
		return skip(why, len, "%s", no_latency);
	/* one pool size, so each line is the variant alone: the smallest pool of the run (least queueing) */
	double pool = INFINITY;
	for (size_t i = 0; i < run->nsteps; i++)
		if (f_closed_offset(&run->steps[i]) && run->steps[i].v[RF_CONNECTIONS] < pool)
			pool = run->steps[i].v[RF_CONNECTIONS];
	struct chart_panel *p = &c->panel[0];
	offset_axis(run, f_closed_offset, &p->x);
	set_axis(&p->y, "latency (log scale)", CHART_UNIT_US, 1);
	/* variants in order of first appearance, p99 solid and p50 dashed in the variant's colour */
	const char *names[MAXGROUPS];
	struct chart_series *s99[MAXGROUPS], *s50[MAXGROUPS];
	size_t ng = 0;
	for (size_t i = 0; i < run->nsteps; i++) {
		const struct res_step *st = &run->steps[i];
		if (!f_closed_offset(st) || st->v[RF_CONNECTIONS] != pool)
			continue;
		size_t g = 0;
		while (g < ng && strcmp(names[g], st->query) != 0)
			g++;
		if (g == ng) {
			if (ng == MAXGROUPS)
				continue;
			names[ng] = st->query;
			s99[ng] = chart_series_add(p, (int)ng, 0, "p99 %s", st->query[0] ? st->query : "(unnamed)");
			s50[ng] = chart_series_add(p, (int)ng, 1, "p50 %s", st->query[0] ? st->query : "(unnamed)");
			ng++;
		}
		pct_point(s99[g], st->v[RF_OFFSET], st, RF_P99_US, 99);
		pct_point(s50[g], st->v[RF_OFFSET], st, RF_P50_US, 50);
	}
	sort_all(c);
	snprintf(c->note, sizeof c->note, "pool size %g (the smallest of the run); solid: p99, dashed: p50%s", pool,
	         p->x.zero_at > 0 ? "; offset 0 at the left edge" : "");
	note_n(run, f_closed_offset, 99, c);
	return 1;
}

/* ---- 10. client latency split: server execution vs the rest ----------------------------------- */

static int f_split(const struct res_step *s)
{
	return isfinite(s->v[RF_SERVER_MEAN_EXEC_US]) && isfinite(s->v[RF_MEAN_US]) && s->v[RF_MEAN_US] > 0;
}

static int build_latency_split(const struct res_run *run, struct chart *c, char *why, size_t len)
{
	int any = 0;
	for (size_t i = 0; i < run->nsteps; i++)
		any |= f_split(&run->steps[i]);
	if (!any)
		return skip(why, len, "%s", charts_no_server_time);
	struct chart_panel *p = &c->panel[0];
	snprintf(p->x.title, sizeof p->x.title, "step (numbers as in the steps table)");
	p->x.integer = 1;
	set_axis(&p->y, "mean time per query (log scale)", CHART_UNIT_US, 1);
	struct chart_series *client = chart_series_add(p, 0, 0, "client latency (mean)");
	struct chart_series *server = chart_series_add(p, 1, 1, "server: execution + planning");
	struct chart_series *rest = chart_series_add(p, 2, 2, "rest: network, driver, queueing");
	/* segments of the sweep, marked at the top and not joined by lines: a query each when the run mixes
	 * them, else a pool size each (the steps inside run in sweep order, usually offsets rising) */
	int mixq = run_mixes(run, 1), vpool = run_varies(run, RF_CONNECTIONS), negative = 0;
	char unreliable[64] = "";
	size_t nu = 0;
	const struct res_step *prev = NULL;
	for (size_t i = 0; i < run->nsteps; i++) {
		const struct res_step *st = &run->steps[i];
		double x = (double)(i + 1);
		int seg = mixq ? !prev || strcmp(prev->query, st->query) != 0
		               : vpool && (!prev || prev->v[RF_CONNECTIONS] != st->v[RF_CONNECTIONS]);
		if (prev && (seg || !f_split(st) || !f_split(prev))) {
			chart_point(client, NAN, NAN);
			chart_point(server, NAN, NAN);
			chart_point(rest, NAN, NAN);
		}
		if (seg) {
			char label[16];
			if (mixq)
				snprintf(label, sizeof label, "%s", st->query);
			else
				snprintf(label, sizeof label, "pool %g", st->v[RF_CONNECTIONS]);
			chart_mark_add(p, x - 0.5, label);
		}
		prev = st;
		if (!f_split(st))
			continue;
		double plan = isfinite(st->v[RF_SERVER_MEAN_PLAN_US]) ? st->v[RF_SERVER_MEAN_PLAN_US] : 0;
		double srv = st->v[RF_SERVER_MEAN_EXEC_US] + plan, r = st->v[RF_MEAN_US] - srv;
		chart_point(client, x, st->v[RF_MEAN_US]);
		if (!res_split_reliable(st)) { /* no server or rest point: the note names the step */
			chart_point(server, NAN, NAN);
			chart_point(rest, NAN, NAN);
			if (nu < sizeof unreliable - 8)
				nu += (size_t)snprintf(unreliable + nu, sizeof unreliable - nu, "%s%zu", nu ? ", " : "", i + 1);
			continue;
		}
		chart_point(server, x, srv);
		chart_point(rest, x, r > 0 ? r : NAN);
		negative |= !(r > 0);
	}
	char why_u[120] = "";
	if (nu)
		snprintf(why_u, sizeof why_u, "; step%s %s: split not reliable, no server point", strchr(unreliable, ',') ? "s" : "",
		         unreliable);
	snprintf(c->note, sizeof c->note, "server: pg_stat_statements mean over the measured window; rest = client mean - server%s%s",
	         negative ? "; a step whose server time exceeds the client mean has no rest point" : "", why_u);
	return 1;
}

/* ---- 11. where the server time goes: the wait profile of each step ---------------------------- */

static int build_waits(const struct res_run *run, struct chart *c, char *why, size_t len)
{
	if (!run->has_waits)
		return skip(why, len, "the run has no waits.csv: it ran with --wait-sample off (or before the option)");
	struct chart_panel *p = &c->panel[0];
	p->bars = 1;
	snprintf(p->x.title, sizeof p->x.title, "step (numbers as in the steps table)");
	p->x.integer = 1;
	set_axis(&p->y, "share of the backends' samples (%)", CHART_UNIT_NONE, 0);
	p->y.from_zero = 1;
	/* a series a class seen in some step, stacked from CPU up to the client side's idle time */
	int mixq = run_mixes(run, 1), vpool = run_varies(run, RF_CONNECTIONS);
	char thin[64] = "";
	size_t nt = 0;
	for (int k = 0; k < WAIT_NCLASSES; k++) {
		int seen = 0;
		for (size_t i = 0; i < run->nsteps && !seen; i++)
			seen = run->steps[i].waits.cls[k] > 0;
		if (!seen)
			continue;
		struct chart_series *cs = chart_series_add(p, k, 0, "%s", wait_class_labels[k]);
		for (size_t i = 0; i < run->nsteps; i++) {
			const struct res_waits *w = &run->steps[i].waits;
			int few = w->samples < WAIT_MIN_SAMPLES;
			chart_point_hollow(cs, (double)(i + 1), w->have && w->samples > 0 ? 100.0 * res_waits_share(w, k) : NAN,
			                   few);
		}
	}
	const struct res_step *prev = NULL;
	for (size_t i = 0; i < run->nsteps; i++) {
		const struct res_step *st = &run->steps[i];
		int seg = mixq ? !prev || strcmp(prev->query, st->query) != 0
		               : vpool && (!prev || prev->v[RF_CONNECTIONS] != st->v[RF_CONNECTIONS]);
		if (seg) {
			char label[16];
			if (mixq)
				snprintf(label, sizeof label, "%s", st->query);
			else
				snprintf(label, sizeof label, "pool %g", st->v[RF_CONNECTIONS]);
			chart_mark_add(p, (double)(i + 1) - 0.5, label);
		}
		prev = st;
		if (st->waits.have && st->waits.samples < WAIT_MIN_SAMPLES && nt < sizeof thin - 8)
			nt += (size_t)snprintf(thin + nt, sizeof thin - nt, "%s%zu", nt ? ", " : "", i + 1);
	}
	if (!p->nseries)
		return skip(why, len, "waits.csv holds no sample of the run's backends");
	char few[96] = "";
	if (nt)
		snprintf(few, sizeof few, "; outlined: fewer than %d samples (step%s %s)", WAIT_MIN_SAMPLES,
		         strchr(thin, ',') ? "s" : "", thin);
	snprintf(c->note, sizeof c->note, "pg_stat_activity sampled in each measured window; idle = the backend waits for "
	         "the client's next query%s", few);
	return 1;
}

const struct charts_def charts_defs[] = {
	{ "qps-vs-pool", "Queries per second by pool size",
	  "Throughput of each closed-loop step, one line per offset: where the line flattens, more connections stop helping.",
	  build_qps_pool },
	{ "latency-vs-pool", "Latency p50 and p99 by pool size",
	  "Median and 99th percentile latency of each closed-loop step, one colour per offset (log scale).",
	  build_latency_pool },
	{ "latency-vs-offset", "Latency by page depth (offset)",
	  "How latency grows with the OFFSET of the page, one colour per pool size: the cost of deep pagination.",
	  build_latency_offset },
	{ "latency-vs-variant", "Latency by page depth, per query variant",
	  "The query variants side by side at one pool size: p99 and p50 against the OFFSET, one colour per variant. "
	  "A flat line costs the same on every page; a rising one walks the skipped rows.",
	  build_latency_variant },
	{ "latency-split", "Client latency split: server execution and the rest",
	  "Each step's mean client latency beside PostgreSQL's own mean execution (+ planning) time from "
	  "pg_stat_statements, and the difference: network, driver and queueing. Where the rest is small, the "
	  "database is the cost; where it is large, the query is cheap and the round trip dominates.",
	  build_latency_split },
	{ "percentile-spectrum", "Latency percentile spectrum",
	  "The whole latency distribution of each step from its histogram: the right end is the tail users feel.",
	  build_spectrum },
	{ "timeline", "Queries per second and latency over time",
	  "Every measured second of every step, one step after another: dips and spikes show stalls a summary hides.",
	  build_timeline },
	{ "pool-wait-vs-service", "Pool wait versus service time",
	  "Shared-pool model: time waiting for a free connection against the time spent using it.", build_pool_wait },
	{ "throughput-vs-latency", "Throughput versus latency (rate sweep)",
	  "Open-loop steps: achieved throughput against latency; the knee is the sustainable rate.",
	  build_throughput_latency },
	{ "corrected-vs-uncorrected", "Corrected versus uncorrected latency",
	  "Open-loop steps: latency counted from the intended start against the actual send (coordinated omission).",
	  build_corrected },
	{ "server-waits", "Where the server time goes",
	  "What pg_stat_activity showed the run's backends doing in each step's measured window: on CPU, waiting "
	  "(by wait event class: IO, LWLock, Lock ...), or idle while the driver handles a result and sends the next "
	  "query (client side). A tall idle share means the database is not the bottleneck.",
	  build_waits },
	{ "connect-vs-query", "Connect versus query time per request",
	  "--connect-per-request: the time to open each request's connection (with its setup: read-only, "
	  "search_path, and the PREPARE under the prepared protocol) against the query's own time, by pool size. "
	  "Where the connect line lies above the query line, a pooler or kept connections save more than any "
	  "index would.",
	  build_connect_query },
};
const size_t charts_ndefs = sizeof charts_defs / sizeof charts_defs[0];
