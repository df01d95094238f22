/*
 * compare.c: plots_compare(), behind `pgpagebench compare A B` (cmd/compare.c): the steps both runs ran,
 * matched by what they measured (model, query, connections, workers, offset, rate) rather than by id, with
 * B/A ratios of queries/s, p50 and p99, charts with run A solid and run B dashed, and an index.html. Runs
 * that differ in dataset, server or query are compared anyway, under a warning that says how they differ.
 */
#include "plots/compare.h"
#include "plots/charts.h"
#include "plots/output.h"
#include "plots/report.h"
#include "common/alloc.h"
#include "common/cli.h"
#include "common/log.h"
#include "common/sig.h"

#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pair {
	const struct res_step *a, *b;
};

struct cmp {
	struct res_run a, b;
	struct pair *pairs;
	size_t npairs;
	const struct res_step **only_a, **only_b;
	size_t nonly_a, nonly_b;
	int xdim; /* RF_CONNECTIONS, RF_RATE_QPS or RF_OFFSET */
	int vary[6]; /* model, query, connections, workers, offset, rate vary among the pairs */
	char differs[256];
	struct report_item items[3];
	const char *rel_a, *rel_b;
};

static void match(struct cmp *m)
{
	m->pairs = pgpb_calloc(m->a.nsteps + 1, sizeof *m->pairs);
	m->only_a = pgpb_calloc(m->a.nsteps + 1, sizeof *m->only_a);
	m->only_b = pgpb_calloc(m->b.nsteps + 1, sizeof *m->only_b);
	char *used = pgpb_calloc(m->b.nsteps + 1, 1);
	for (size_t i = 0; i < m->a.nsteps; i++) {
		char ka[700], kb[700];
		res_step_key(&m->a.steps[i], ka, sizeof ka);
		size_t j;
		for (j = 0; j < m->b.nsteps; j++) {
			if (used[j])
				continue;
			res_step_key(&m->b.steps[j], kb, sizeof kb);
			if (strcmp(ka, kb) == 0)
				break;
		}
		if (j < m->b.nsteps) {
			used[j] = 1;
			m->pairs[m->npairs++] = (struct pair){ &m->a.steps[i], &m->b.steps[j] };
		} else {
			m->only_a[m->nonly_a++] = &m->a.steps[i];
		}
	}
	for (size_t j = 0; j < m->b.nsteps; j++)
		if (!used[j])
			m->only_b[m->nonly_b++] = &m->b.steps[j];
	free(used);
}

static int same_num(double x, double y)
{
	return (isnan(x) && isnan(y)) || x == y;
}

static void analyse(struct cmp *m)
{
	for (size_t i = 1; i < m->npairs; i++) {
		const struct res_step *p = m->pairs[0].a, *s = m->pairs[i].a;
		m->vary[0] |= strcmp(p->model, s->model) != 0;
		m->vary[1] |= strcmp(p->query, s->query) != 0;
		m->vary[2] |= !same_num(p->v[RF_CONNECTIONS], s->v[RF_CONNECTIONS]);
		m->vary[3] |= !same_num(p->v[RF_WORKERS], s->v[RF_WORKERS]);
		m->vary[4] |= strcmp(p->offset_text, s->offset_text) != 0;
		m->vary[5] |= !same_num(p->v[RF_RATE_QPS], s->v[RF_RATE_QPS]);
	}
	/* workers that follow the pool size (one connection per worker) say nothing of their own */
	int own_workers = 0;
	for (size_t i = 0; i < m->npairs; i++)
		own_workers |= !same_num(m->pairs[i].a->v[RF_WORKERS], m->pairs[i].a->v[RF_CONNECTIONS]);
	m->vary[3] &= own_workers;
	m->xdim = m->vary[2] ? RF_CONNECTIONS : m->vary[5] ? RF_RATE_QPS : m->vary[4] ? RF_OFFSET : RF_CONNECTIONS;
	size_t o = 0;
	struct { const char *what, *a, *b; } d[] = {
		{ "dataset", m->a.dataset_fingerprint, m->b.dataset_fingerprint },
		{ "server version", m->a.server_version, m->b.server_version },
		{ "query", m->a.query_sha, m->b.query_sha },
		{ "server settings", m->a.settings, m->b.settings },
	};
	for (size_t i = 0; i < sizeof d / sizeof d[0]; i++)
		if (strcmp(d[i].a, d[i].b) != 0 && o < sizeof m->differs)
			o += (size_t)snprintf(m->differs + o, sizeof m->differs - o, "%s%s", o ? ", " : "", d[i].what);
}

/* The series a pair belongs to: the fields that vary, except the x axis. */
static void group_label(const struct cmp *m, const struct res_step *s, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
#define ADD(...) do { if (o < len) { int n_ = snprintf(buf + o, len - o, __VA_ARGS__); if (n_ > 0) o += (size_t)n_; } } while (0)
	if (m->vary[0])
		ADD("%s%s", o ? " " : "", s->model);
	if (m->vary[1])
		ADD("%s%s", o ? " " : "", s->query);
	if (m->vary[2] && m->xdim != RF_CONNECTIONS)
		ADD("%spool %g", o ? " " : "", s->v[RF_CONNECTIONS]);
	if (m->vary[3])
		ADD("%sworkers %g", o ? " " : "", s->v[RF_WORKERS]);
	if (m->vary[4] && m->xdim != RF_OFFSET)
		ADD("%soffset %s", o ? " " : "", s->offset_text);
	if (m->vary[5] && m->xdim != RF_RATE_QPS)
		ADD("%s%g/s", o ? " " : "", s->v[RF_RATE_QPS]);
#undef ADD
}

static int build(const struct cmp *m, struct chart *c, int field, const char *what)
{
	struct chart_panel *p = &c->panel[0];
	static const char *const xt[] = { [RF_CONNECTIONS] = "pool size (connections)", [RF_RATE_QPS] = "target rate (queries/s)",
		                          [RF_OFFSET] = "offset (rows skipped)" };
	snprintf(p->x.title, sizeof p->x.title, "%s", xt[m->xdim]);
	p->x.unit = m->xdim == RF_RATE_QPS ? CHART_UNIT_QPS : CHART_UNIT_NONE;
	p->x.integer = m->xdim != RF_RATE_QPS;
	/* log x when the values span decades, as in the plot charts */
	double lo = INFINITY, hi = 0;
	int zero = 0;
	for (size_t i = 0; i < m->npairs; i++) {
		double v = m->pairs[i].a->v[m->xdim];
		if (v <= 0)
			zero = 1;
		else if (isfinite(v)) {
			lo = v < lo ? v : lo;
			hi = v > hi ? v : hi;
		}
	}
	if (hi > 0 && hi / lo >= (m->xdim == RF_OFFSET ? 100 : 16)) {
		p->x.log = 1;
		p->x.zero_at = zero ? lo / 10 : 0;
	} else {
		p->x.from_zero = zero;
	}
	snprintf(p->y.title, sizeof p->y.title, "%s", what);
	p->y.unit = field == RF_QPS ? CHART_UNIT_QPS : CHART_UNIT_US;
	p->y.log = field != RF_QPS;
	p->y.from_zero = field == RF_QPS;
	char labels[32][256];
	size_t ng = 0;
	struct chart_series *sa[32], *sb[32];
	for (size_t i = 0; i < m->npairs; i++) {
		char l[256];
		group_label(m, m->pairs[i].a, l, sizeof l);
		size_t g;
		for (g = 0; g < ng && strcmp(labels[g], l) != 0; g++)
			;
		if (g == ng) {
			if (ng == 32)
				continue;
			snprintf(labels[ng], sizeof labels[ng], "%s", l);
			sa[ng] = chart_series_add(p, (int)ng, 0, "A%s%s", l[0] ? " " : "", l);
			sb[ng] = chart_series_add(p, (int)ng, 1, "B%s%s", l[0] ? " " : "", l);
			ng++;
		}
		double x = m->pairs[i].a->v[m->xdim];
		if (m->xdim == RF_OFFSET && isnan(x))
			continue;
		/* a percentile from too few queries is a hollow marker */
		double pct = field == RF_P50_US ? 50 : field == RF_P99_US ? 99 : 0;
		const struct res_step *a = m->pairs[i].a, *b = m->pairs[i].b;
		chart_point_hollow(sa[g], x, a->v[field], pct > 0 && isfinite(a->v[field]) && !res_pct_reliable(a, pct));
		chart_point_hollow(sb[g], x, b->v[field], pct > 0 && isfinite(b->v[field]) && !res_pct_reliable(b, pct));
	}
	for (size_t j = 0; j < p->nseries; j++)
		chart_series_sort(p->series[j]);
	return chart_nseries(c) > 0;
}

static void ratio_cell(FILE *f, double a, double b, int higher_better)
{
	if (!(a > 0) || !isfinite(b) || !isfinite(a)) {
		fputs("<td>-</td>", f);
		return;
	}
	double r = b / a;
	const char *cls = fabs(r - 1) < 0.05 ? "" : ((r > 1) == higher_better ? " class=\"better\"" : " class=\"worse\"");
	fprintf(f, "<td%s>%.2f\xC3\x97</td>", cls, r);
}

static void vcell(FILE *f, enum chart_unit u, double v)
{
	char buf[64];
	if (u == CHART_UNIT_QPS && isfinite(v))
		snprintf(buf, sizeof buf, "%.1f", v);
	else
		chart_format_value(u, v, buf, sizeof buf);
	fputs("<td>", f);
	report_html_escape(f, buf);
	fputs("</td>", f);
}

static void step_list(FILE *f, const char *what, const struct res_run *run, const struct res_step **s, size_t n)
{
	if (!n)
		return;
	fprintf(f, "<p>%zu step%s only in run %s: ", n, n == 1 ? "" : "s", what);
	for (size_t i = 0; i < n; i++) {
		char l[300];
		charts_step_label(run, s[i], l, sizeof l);
		if (i)
			fputs("; ", f);
		report_html_escape(f, l);
	}
	fputs("</p>\n", f);
}

static void fill_page(FILE *f, void *arg)
{
	const struct cmp *m = arg;
	char title[400];
	snprintf(title, sizeof title, "pgpagebench compare: A = %s, B = %s", m->a.run_id[0] ? m->a.run_id : m->a.dir,
	         m->b.run_id[0] ? m->b.run_id : m->b.dir);
	report_html_head(f, title);
	fputs("<h1>", f);
	report_html_escape(f, title);
	fputs("</h1>\n", f);
	if (m->differs[0]) {
		fputs("<p class=\"bad\">The runs differ in: ", f);
		report_html_escape(f, m->differs);
		fputs(". Ratios compare unlike things.</p>\n", f);
	}
	fprintf(f, "<h2>Shared steps (%zu): B / A</h2>\n", m->npairs);
	if (m->npairs == 0)
		fputs("<p class=\"skip\">The runs share no step (same model, query, pool, workers, offset and rate).</p>\n", f);
	else {
		fputs("<table>\n<tr><th class=\"l\">model</th><th class=\"l\">query</th><th>pool</th><th>workers</th>"
		      "<th>offset</th><th>rate/s</th><th title=\"queries measured (ok)\">n A</th><th>B</th>"
		      "<th>queries/s A</th><th>B</th><th>B/A</th><th>p50 A</th><th>B</th>"
		      "<th>B/A</th><th>p99 A</th><th>B</th><th>B/A</th></tr>\n",
		      f);
		int thin = 0;
		for (size_t i = 0; i < m->npairs; i++) {
			const struct res_step *a = m->pairs[i].a, *b = m->pairs[i].b;
			fputs("<tr><td class=\"l\">", f);
			report_html_escape(f, a->model);
			fputs("</td><td class=\"l\">", f);
			report_html_escape(f, a->query);
			fprintf(f, "</td><td>%g</td><td>%g</td><td>", a->v[RF_CONNECTIONS], a->v[RF_WORKERS]);
			report_html_escape(f, a->offset_text);
			fputs("</td><td>", f);
			report_html_escape(f, a->rate_text[0] ? a->rate_text : "-");
			fputs("</td>", f);
			for (int k = 0; k < 2; k++) { /* a count, exact */
				double n = (k ? b : a)->v[RF_OK];
				if (isfinite(n))
					fprintf(f, "<td>%.15g</td>", n);
				else
					fputs("<td>-</td>", f);
			}
			vcell(f, CHART_UNIT_QPS, a->v[RF_QPS]);
			vcell(f, CHART_UNIT_QPS, b->v[RF_QPS]);
			ratio_cell(f, a->v[RF_QPS], b->v[RF_QPS], 1);
			thin |= report_pct_cell(f, a, RF_P50_US, 50);
			thin |= report_pct_cell(f, b, RF_P50_US, 50);
			ratio_cell(f, a->v[RF_P50_US], b->v[RF_P50_US], 0);
			thin |= report_pct_cell(f, a, RF_P99_US, 99);
			thin |= report_pct_cell(f, b, RF_P99_US, 99);
			ratio_cell(f, a->v[RF_P99_US], b->v[RF_P99_US], 0);
			fputs("</tr>\n", f);
		}
		fputs("</table>\n<p class=\"skip\">Green: B better by more than 5%; red: B worse. "
		      "\"-\": not measured in one run, or nothing to divide by.",
		      f);
		if (thin)
			fputs(" *: fewer than 10 queries at or beyond that percentile in its run (a p99 needs n &ge; 1,000): "
			      "a ratio of such figures compares a few slow queries.",
			      f);
		fputs(" The table as CSV: <a href=\"compare.csv\">compare.csv</a>.</p>\n", f);
	}
	step_list(f, "A", &m->a, m->only_a, m->nonly_a);
	step_list(f, "B", &m->b, m->only_b, m->nonly_b);
	report_items(f, m->items, 3);
	fputs("<h2>Run A</h2>\n", f);
	report_context_table(f, &m->a, m->rel_a);
	fputs("<h2>Run B</h2>\n", f);
	report_context_table(f, &m->b, m->rel_b);
	fputs("</body>\n</html>\n", f);
}

/* ---- the side-by-side table as CSV, and the regression gate ---------------------------------------- */

/* A CSV field: quoted when it holds a comma, a quote or a line break. */
static void csv_text(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* A number as steps.csv has it (the column's decimals), empty when absent. */
static void csv_num(FILE *f, int field, double v)
{
	fputc(',', f);
	if (isfinite(v))
		fprintf(f, "%.*f", steps_columns[field].type == STEPS_NUM ? steps_columns[field].decimals : 0, v);
}

static void csv_ratio(FILE *f, double a, double b)
{
	fputc(',', f);
	if (a > 0 && isfinite(a) && isfinite(b))
		fprintf(f, "%.4f", b / a);
}

static void fill_csv(FILE *f, void *arg)
{
	const struct cmp *m = arg;
	fputs("model,query,connections,workers,offset,rate_qps,ok_a,ok_b,qps_a,qps_b,qps_ratio,p50_us_a,p50_us_b,"
	      "p50_ratio,p99_us_a,p99_us_b,p99_ratio,p50_reliable_a,p50_reliable_b,p99_reliable_a,p99_reliable_b,step_a,"
	      "step_b\n",
	      f);
	for (size_t i = 0; i < m->npairs; i++) {
		const struct res_step *a = m->pairs[i].a, *b = m->pairs[i].b;
		csv_text(f, a->model);
		fputc(',', f);
		csv_text(f, a->query);
		csv_num(f, RF_CONNECTIONS, a->v[RF_CONNECTIONS]);
		csv_num(f, RF_WORKERS, a->v[RF_WORKERS]);
		fputc(',', f);
		csv_text(f, a->offset_text);
		fputc(',', f);
		csv_text(f, a->rate_text);
		csv_num(f, RF_OK, a->v[RF_OK]);
		csv_num(f, RF_OK, b->v[RF_OK]);
		static const int fields[] = { RF_QPS, RF_P50_US, RF_P99_US };
		for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
			csv_num(f, fields[k], a->v[fields[k]]);
			csv_num(f, fields[k], b->v[fields[k]]);
			csv_ratio(f, a->v[fields[k]], b->v[fields[k]]);
		}
		fprintf(f, ",%d,%d,%d,%d,", res_pct_reliable(a, 50), res_pct_reliable(b, 50), res_pct_reliable(a, 99),
		        res_pct_reliable(b, 99));
		csv_text(f, a->id);
		fputc(',', f);
		csv_text(f, b->id);
		fputc('\n', f);
	}
}

/* --max-regression: every shared step's figures, B against A. Prints the offending steps in one block
 * and returns EXIT_OK or EXIT_GATE. */
static int check_regression(const struct cmp *m, const struct compare_gate *g)
{
	if (m->npairs == 0) {
		log_error("no regression check: the runs share no step");
		return EXIT_GATE;
	}
	int nbad = 0, nun = 0;
	for (int pass = 0; pass < 2; pass++) {
		int header = 0;
		for (size_t i = 0; i < m->npairs; i++) {
			const struct res_step *a = m->pairs[i].a, *b = m->pairs[i].b;
			for (int k = 0; k < g->nfigs; k++) {
				const struct gate_figure *f = g->figs[k];
				double change;
				char why[300], va[64], vb[64], step[300];
				enum gate_verdict v = gate_regression(f, a, b, g->max_regression, &change, why, sizeof why);
				if (v != (pass ? GATE_UNCHECKABLE : GATE_FAIL))
					continue;
				if (!header) {
					if (pass)
						printf("regression not checkable (it fails the gate too):\n  %-40s %-18s %s\n", "step",
						       "figure", "why");
					else
						printf("regressions beyond %g%% (B against A):\n  %-40s %-18s %-14s %-14s %s\n",
						       g->max_regression * 100, "step", "figure", "A", "B", "worse by");
					header = 1;
				}
				if (strcmp(a->id, b->id) == 0)
					snprintf(step, sizeof step, "%s", a->id);
				else
					snprintf(step, sizeof step, "%s / %s", a->id, b->id);
				if (pass) {
					printf("  %-40s %-18s %s\n", step, f->name, why);
					nun++;
				} else {
					gate_format(f, gate_value(f, a), va, sizeof va);
					gate_format(f, gate_value(f, b), vb, sizeof vb);
					if (isinf(change))
						printf("  %-40s %-18s %-14s %-14s (A was 0)\n", step, f->name, va, vb);
					else
						printf("  %-40s %-18s %-14s %-14s %.1f%%\n", step, f->name, va, vb, change * 100);
					nbad++;
				}
			}
		}
	}
	fflush(stdout);
	if (nbad)
		log_error("%d figure%s of B regressed beyond %g%% of A (listed above)%s", nbad, nbad == 1 ? "" : "s",
		          g->max_regression * 100, nun ? ", and some could not be compared" : "");
	else if (nun)
		log_error("%d figure%s could not be compared (listed above): a gate that cannot tell fails", nun,
		          nun == 1 ? "" : "s");
	return nbad || nun ? EXIT_GATE : EXIT_OK;
}

int plots_compare(const char *dir_a, const char *dir_b, const char *out_dir, const struct plots_options *in,
                  const struct compare_gate *gate, char *index_path, size_t len)
{
	struct plots_options o;
	plots_options_resolve(&o, in);
	struct cmp m;
	memset(&m, 0, sizeof m);
	if (res_load(dir_a, &m.a) < 0)
		return sig_caught() ? sig_exit_status() : EXIT_RUNTIME;
	if (res_load(dir_b, &m.b) < 0) {
		res_free(&m.a);
		return sig_caught() ? sig_exit_status() : EXIT_RUNTIME;
	}
	char defout[1024];
	if (!out_dir) {
		char a[512], b[512];
		snprintf(a, sizeof a, "%s", dir_a);
		snprintf(b, sizeof b, "%s", dir_b);
		snprintf(defout, sizeof defout, "compare-%s-vs-%s", basename(a), basename(b));
		out_dir = defout;
	}
	match(&m);
	analyse(&m);
	int rc = EXIT_OK;
	char charts_dir[4200];
	if (plots_make_out(out_dir, charts_dir, sizeof charts_dir) < 0)
		rc = EXIT_RUNTIME;
	static const struct { const char *name, *title, *ytitle; int field; } defs[3] = {
		{ "compare-qps", "Queries per second, A solid and B dashed", "queries/s", RF_QPS },
		{ "compare-p50", "Latency p50, A solid and B dashed", "p50 latency (log scale)", RF_P50_US },
		{ "compare-p99", "Latency p99, A solid and B dashed", "p99 latency (log scale)", RF_P99_US },
	};
	for (size_t i = 0; i < 3 && rc == EXIT_OK; i++) {
		if (sig_caught()) {
			rc = sig_exit_status();
			break;
		}
		struct report_item *it = &m.items[i];
		snprintf(it->name, sizeof it->name, "%s", defs[i].name);
		snprintf(it->title, sizeof it->title, "%s", defs[i].title);
		snprintf(it->caption, sizeof it->caption, "Each shared step of run A (solid) and run B (dashed); one colour per series.");
		struct chart c;
		chart_init(&c, o.width, o.height, 1);
		snprintf(c.title, sizeof c.title, "%s", defs[i].title);
		snprintf(c.subtitle, sizeof c.subtitle, "A = %s, B = %s%s%s", m.a.run_id[0] ? m.a.run_id : dir_a,
		         m.b.run_id[0] ? m.b.run_id : dir_b, m.differs[0] ? "; the runs differ in " : "", m.differs);
		it->drawn = m.npairs > 0 && build(&m, &c, defs[i].field, defs[i].ytitle);
		if (!it->drawn)
			snprintf(it->note, sizeof it->note, "%s", m.npairs ? "no shared step has this value in both runs"
			                                                   : "the runs share no step");
		if (plots_draw(&c, charts_dir, it, o.formats) < 0)
			rc = EXIT_RUNTIME;
		chart_free(&c);
	}
	char rel_a[4096], rel_b[4096], index[4200];
	if (rc == EXIT_OK) {
		report_relpath(out_dir, dir_a, rel_a, sizeof rel_a);
		report_relpath(out_dir, dir_b, rel_b, sizeof rel_b);
		m.rel_a = rel_a;
		m.rel_b = rel_b;
		snprintf(index, sizeof index, "%s/index.html", out_dir);
		char csv[4200]; /* first: the page links it */
		snprintf(csv, sizeof csv, "%s/compare.csv", out_dir);
		if (report_write_file(csv, fill_csv, &m) < 0 || report_write_file(index, fill_page, &m) < 0)
			rc = EXIT_RUNTIME;
		if (rc == EXIT_OK && gate && gate->csv) {
			if (strcmp(gate->csv, "-") == 0) {
				fill_csv(stdout, &m);
				fflush(stdout);
			} else if (report_write_file(gate->csv, fill_csv, &m) < 0) {
				rc = EXIT_RUNTIME;
			}
		}
	}
	if (rc == EXIT_OK) {
		if (m.npairs == 0)
			log_warning("the runs share no step (same model, query, pool, workers, offset and rate)");
		if (m.differs[0])
			log_warning("the runs differ in: %s", m.differs);
		if (index_path && len)
			snprintf(index_path, len, "%s", index);
		if (!o.quiet)
			printf("compared %zu shared step%s (%zu only in A, %zu only in B); wrote %s\n", m.npairs, plural_s((long long)m.npairs), m.nonly_a,
			       m.nonly_b, index);
		if (gate && gate->on) {
			rc = check_regression(&m, gate);
			if (rc == EXIT_OK && !o.quiet)
				printf("no regression beyond %g%% in %zu shared step%s\n", gate->max_regression * 100, m.npairs,
				       plural_s((long long)m.npairs));
		}
	}
	free(m.pairs);
	free(m.only_a);
	free(m.only_b);
	res_free(&m.a);
	res_free(&m.b);
	return rc;
}
