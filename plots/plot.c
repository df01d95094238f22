/*
 * plot.c: plots_render(), behind `pgpagebench plot` (cmd/plot.c) and called by `run` and `demo` too: every
 * chart of the set (charts.c) in the requested formats into OUT/charts/, then OUT/index.html with the run
 * context, the steps table and the charts. A chart without data is skipped with a note, never an error;
 * unreadable results or unwritable output are errors (exit 1).
 */
#include "plots/plots.h"
#include "plots/charts.h"
#include "plots/output.h"
#include "plots/report.h"
#include "common/cli.h"
#include "common/log.h"
#include "common/sig.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

struct plot_page {
	const struct res_run *run;
	const struct report_item *items;
	size_t nitems;
	const char *rel; /* from the output directory to the results */
	const char *out_dir;
	char context[512];
};

static int is_file(const char *dir, const char *name)
{
	char path[4200];
	struct stat st;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The chart of `http-compare` (HTTP against database latency), which that command draws beside the results
 * (charts/http-compare.svg and .png in its output directory, by default the results directory): shown
 * when it is there, beside this page's charts or in the results directory, with its tables. */
static int http_compare_section(FILE *f, const struct plot_page *pg, int write)
{
	static const char *const exts[] = { "svg", "png" };
	const char *dir = NULL, *rel = NULL;
	unsigned have = 0;
	for (int where = 0; where < 2 && !have; where++) {
		dir = where ? pg->run->dir : pg->out_dir;
		rel = where ? pg->rel : ".";
		for (int e = 0; e < 2; e++) {
			char name[64];
			snprintf(name, sizeof name, "charts/http-compare.%s", exts[e]);
			have |= is_file(dir, name) ? 1u << e : 0;
		}
	}
	if (!have || !write)
		return have != 0;
	fputs("<section id=\"http-compare\">\n<h2>HTTP versus database latency (http-compare)</h2>\n<figure>\n"
	      "<img src=\"",
	      f);
	if (strcmp(rel, ".") != 0) {
		report_href_escape(f, rel);
		fputc('/', f);
	}
	fprintf(f, "charts/http-compare.%s\" alt=\"HTTP versus database latency per percentile\">\n<figcaption>", exts[have & 1 ? 0 : 1]);
	fputs("Drawn by <code>pgpagebench http-compare</code> from Apache Bench's output and the step of this run with "
	      "the same pool size and offset: HTTP latency per percentile against the database's alone; the gap is "
	      "the web application. Files:",
	      f);
	for (int e = 0; e < 2; e++)
		if (have & (1u << e)) {
			char name[64], text[16];
			snprintf(name, sizeof name, "charts/http-compare.%s", exts[e]);
			snprintf(text, sizeof text, "%s", e ? "PNG" : "SVG");
			fputc(' ', f);
			report_link(f, dir, rel, name, text);
		}
	static const char *const tables[] = { "http-compare.csv", "http-compare-percentiles.csv", "http-compare-timeline.csv" };
	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
		if (is_file(dir, tables[t])) {
			fputc(' ', f);
			report_link(f, dir, rel, tables[t], tables[t]);
		}
	fputs("</figcaption>\n</figure>\n</section>\n", f);
	return 1;
}

/* http-compare --url's steps (http-compare-steps.csv in the results directory, each step's chart in
 * http/<step>/charts/): the table's link and every step's chart, in the order of the steps. */
static int http_steps_section(FILE *f, const struct plot_page *pg, int write)
{
	const char *dir = pg->run->dir, *rel = pg->rel;
	if (!is_file(dir, "http-compare-steps.csv"))
		return 0;
	if (!write)
		return 1;
	fputs("<section id=\"http-compare-steps\">\n<h2>HTTP versus database, step by step (http-compare --url)</h2>\n<p>"
	      "Each HTTP load (Apache Bench or wrk) ran just before the database step of the same concurrency and page, "
	      "so both sides met the same machine. The table of all steps: ",
	      f);
	report_link(f, dir, rel, "http-compare-steps.csv", "http-compare-steps.csv");
	fputs("; the load tool's own files are in <code>http/</code>.</p>\n", f);
	report_app_waits(f, pg->run);
	for (size_t r = 0; r < pg->run->nsteps; r++) {
		char name[4200];
		snprintf(name, sizeof name, "http/%s/charts/http-compare.svg", pg->run->steps[r].id);
		if (!is_file(dir, name))
			continue;
		fputs("<figure>\n<img src=\"", f);
		if (strcmp(rel, ".") != 0) {
			report_href_escape(f, rel);
			fputc('/', f);
		}
		report_href_escape(f, name);
		fputs("\" alt=\"HTTP versus database latency per percentile\">\n<figcaption>Step ", f);
		report_html_escape(f, pg->run->steps[r].id);
		fputs(": ", f);
		snprintf(name, sizeof name, "http/%s/http-compare.csv", pg->run->steps[r].id);
		report_link(f, dir, rel, name, "http-compare.csv");
		fputs("</figcaption>\n</figure>\n", f);
	}
	fputs("</section>\n", f);
	return 1;
}

static void fill_plot_page(FILE *f, void *arg)
{
	const struct plot_page *pg = arg;
	char title[300];
	snprintf(title, sizeof title, "pgpagebench run %s", pg->run->run_id[0] ? pg->run->run_id : pg->run->dir);
	report_html_head(f, title);
	fputs("<h1>", f);
	report_html_escape(f, title);
	fputs("</h1>\n<p>", f);
	report_html_escape(f, pg->context);
	fputs("</p>\n<nav>", f);
	for (size_t i = 0; i < pg->nitems; i++) {
		fprintf(f, "<a href=\"#%s\">", pg->items[i].name);
		report_html_escape(f, pg->items[i].title);
		fputs(pg->items[i].drawn ? "</a>" : " (not drawn)</a>", f);
	}
	if (http_compare_section(f, pg, 0))
		fputs("<a href=\"#http-compare\">HTTP versus database latency</a>", f);
	if (http_steps_section(f, pg, 0))
		fputs("<a href=\"#http-compare-steps\">HTTP versus database, step by step</a>", f);
	fputs("<a href=\"#server-time\">Server time per step</a>", f);
	fputs("<a href=\"#waits\">Where the server time goes</a>", f);
	char explain[4200];
	struct stat st;
	snprintf(explain, sizeof explain, "%s/explain", pg->run->dir);
	if (stat(explain, &st) == 0 && S_ISDIR(st.st_mode))
		fputs("<a href=\"#explain\">EXPLAIN per offset</a>", f);
	fputs("</nav>\n<h2>Run context</h2>\n", f);
	report_context_table(f, pg->run, pg->rel);
	fprintf(f, "<h2>Steps (%zu)</h2>\n", pg->run->nsteps);
	report_steps_table(f, pg->run, pg->rel);
	report_statements_table(f, pg->run);
	report_split_section(f, pg->run);
	report_waits_section(f, pg->run);
	report_explain_section(f, pg->run, pg->rel);
	report_items(f, pg->items, pg->nitems);
	http_compare_section(f, pg, 1);
	http_steps_section(f, pg, 1);
	fputs("<p class=\"skip\">Made by pgpagebench " PGPB_VERSION ". Latency is of successful queries; "
	      "\"-\" means not measured.</p>\n</body>\n</html>\n",
	      f);
}

int plots_render_opts(const char *results_dir, const char *out_dir, const struct plots_options *in,
                      char *index_path, size_t len)
{
	struct plots_options o;
	plots_options_resolve(&o, in);
	if (o.formats & ~(unsigned)PLOTS_DEFAULT_FORMATS) {
		log_error("invalid chart formats %#x", o.formats);
		return EXIT_USAGE;
	}
	struct res_run run;
	if (res_load(results_dir, &run) < 0)
		return sig_caught() ? sig_exit_status() : EXIT_RUNTIME;
	if (!out_dir)
		out_dir = results_dir;
	char charts_dir[4200];
	if (plots_make_out(out_dir, charts_dir, sizeof charts_dir) < 0) {
		res_free(&run);
		return EXIT_RUNTIME;
	}
	struct report_item items[16];
	struct plot_page pg = { &run, items, charts_ndefs, NULL, out_dir ? out_dir : results_dir, "" };
	charts_context(&run, pg.context, sizeof pg.context);
	int rc = EXIT_OK;
	size_t drawn = 0;
	for (size_t i = 0; i < charts_ndefs && rc == EXIT_OK; i++) {
		if (sig_caught()) {
			rc = sig_exit_status();
			break;
		}
		struct report_item *it = &items[i];
		memset(it, 0, sizeof *it);
		snprintf(it->name, sizeof it->name, "%s", charts_defs[i].name);
		snprintf(it->title, sizeof it->title, "%s", charts_defs[i].title);
		snprintf(it->caption, sizeof it->caption, "%s", charts_defs[i].caption);
		struct chart c;
		chart_init(&c, o.width, o.height, 1);
		snprintf(c.title, sizeof c.title, "%s", charts_defs[i].title);
		snprintf(c.subtitle, sizeof c.subtitle, "%s", pg.context);
		it->drawn = charts_defs[i].build(&run, &c, it->note, sizeof it->note);
		if (it->drawn && c.note[0])
			snprintf(it->note, sizeof it->note, "%s", c.note);
		if (plots_draw(&c, charts_dir, it, o.formats) < 0)
			rc = EXIT_RUNTIME;
		chart_free(&c);
		if (it->drawn)
			drawn++;
		else if (!o.quiet)
			printf("skipped %s: %s\n", it->name, it->note);
	}
	char rel[4096], index[4200];
	report_relpath(out_dir, results_dir, rel, sizeof rel);
	pg.rel = rel;
	snprintf(index, sizeof index, "%s/index.html", out_dir);
	if (rc == EXIT_OK && report_write_file(index, fill_plot_page, &pg) < 0)
		rc = EXIT_RUNTIME;
	if (sig_caught())
		rc = sig_exit_status();
	if (rc == EXIT_OK) {
		if (index_path && len)
			snprintf(index_path, len, "%s", index);
		if (!o.quiet)
			printf("wrote %zu chart%s (%zu skipped) to %s and the report %s\n", drawn, plural_s((long long)drawn),
			       charts_ndefs - drawn, charts_dir,
			       index);
	}
	res_free(&run);
	return rc;
}

int plots_render(const char *results_dir, const char *out_dir, unsigned formats, char *index_path, size_t len)
{
	struct plots_options o = { formats, 0, 0, 0 };
	return plots_render_opts(results_dir, out_dir, &o, index_path, len);
}
