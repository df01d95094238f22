/*
 * plot.c: `pgpagebench plot RESULTS_DIR` and plots_render(), which `run` and `demo` call too: every chart
 * of the set in the requested formats into OUT/charts/, then OUT/index.html with the run context, the
 * steps table and the charts. A chart without data is skipped with a note, never an error; unreadable
 * results or unwritable output are errors (exit 1), a bad command line exit 2.
 */
#include "plots/plots.h"
#include "plots/report.h"
#include "common/cli.h"
#include "common/ctx.h"
#include "common/log.h"
#include "common/sig.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int plots_parse_formats(const char *option, const char *s, unsigned *formats)
{
	static const char *const allowed[] = { "svg", "png", NULL };
	char **w;
	size_t n;
	if (cli_parse_words(option, s, allowed, &w, &n) < 0)
		return -1;
	*formats = 0;
	for (size_t i = 0; i < n; i++)
		*formats |= strcmp(w[i], "svg") == 0 ? PLOTS_SVG : PLOTS_PNG;
	cli_free_words(w, n);
	return 0;
}

/* mkdir -p for the output directory */
int plots_make_dir(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
			log_error("could not create directory \"%s\": %s", buf, strerror(errno));
			return -1;
		}
		*p = '/';
	}
	if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
		log_error("could not create directory \"%s\": %s", buf, strerror(errno));
		return -1;
	}
	struct stat st;
	if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) {
		log_error("could not create directory \"%s\": %s", buf, "a file of that name exists");
		return -1;
	}
	return 0;
}

static void normalise(struct plots_options *o, const struct plots_options *in)
{
	*o = in ? *in : (struct plots_options){ 0 };
	if (!o->formats)
		o->formats = PLOTS_DEFAULT_FORMATS;
	if (o->width <= 0 || o->height <= 0) {
		o->width = 800;
		o->height = 480;
	}
}

/* Draws one chart in every requested format; removes stale files of formats not drawn this time. */
int plots_draw(const struct chart *c, const char *charts_dir, struct report_item *it, unsigned formats)
{
	static const struct { unsigned flag; enum chart_format fmt; const char *ext; } fm[] = {
		{ PLOTS_SVG, CHART_SVG, "svg" }, { PLOTS_PNG, CHART_PNG, "png" } };
	for (size_t f = 0; f < 2; f++) {
		char path[4200], err[512];
		snprintf(path, sizeof path, "%s/%s.%s", charts_dir, it->name, fm[f].ext);
		if (!it->drawn || !(formats & fm[f].flag)) {
			remove(path);
			continue;
		}
		if (chart_render(c, path, fm[f].fmt, err, sizeof err) < 0) {
			log_error("%s", err);
			return -1;
		}
		it->files |= fm[f].fmt;
	}
	return 0;
}

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
	fputs("<a href=\"#server-time\">Server time per step</a>", f);
	char explain[4200];
	struct stat st;
	snprintf(explain, sizeof explain, "%s/explain", pg->run->dir);
	if (stat(explain, &st) == 0 && S_ISDIR(st.st_mode))
		fputs("<a href=\"#explain\">EXPLAIN per offset</a>", f);
	fputs("</nav>\n<h2>Run context</h2>\n", f);
	report_context_table(f, pg->run, pg->rel);
	fprintf(f, "<h2>Steps (%zu)</h2>\n", pg->run->nsteps);
	report_steps_table(f, pg->run, pg->rel);
	report_split_section(f, pg->run);
	report_explain_section(f, pg->run, pg->rel);
	report_items(f, pg->items, pg->nitems);
	http_compare_section(f, pg, 1);
	fputs("<p class=\"skip\">Made by pgpagebench " PGPB_VERSION ". Latency is of successful queries; "
	      "\"-\" means not measured.</p>\n</body>\n</html>\n",
	      f);
}

int plots_render_opts(const char *results_dir, const char *out_dir, const struct plots_options *in,
                      char *index_path, size_t len)
{
	struct plots_options o;
	normalise(&o, in);
	if (o.formats & ~(unsigned)PLOTS_DEFAULT_FORMATS) {
		log_error("invalid chart formats %#x", o.formats);
		return EXIT_USAGE;
	}
	struct res_run run;
	if (res_load(results_dir, &run) < 0)
		return EXIT_RUNTIME;
	if (!out_dir)
		out_dir = results_dir;
	char charts_dir[4200];
	snprintf(charts_dir, sizeof charts_dir, "%s/charts", out_dir);
	if (plots_make_dir(out_dir) < 0 || plots_make_dir(charts_dir) < 0) {
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

/* ---- the commands ---------------------------------------------------------------------------- */

enum { OPT_FORMAT = CTX_OPT_FIRST_FREE, OPT_OUT, OPT_SIZE };

static void help_plot(void)
{
	printf("pgpagebench plot draws the charts of a results directory and an offline index.html.\n\n"
	       "Usage:\n  pgpagebench plot RESULTS_DIR [OPTION]...\n\n"
	       "Options:\n"
	       "  --format=LIST   chart formats, a comma-separated list of svg and png (default: svg,png)\n"
	       "  --out=DIR       write charts/ and index.html here (default: RESULTS_DIR)\n"
	       "  --size=WxH      chart size in pixels (default: 800x480)\n"
	       "  --quiet         print only errors\n"
	       "  --help          show this help, then exit\n"
	       "\nCharts are skipped, with a note, when the run holds no data for them (e.g. pool wait for a\n"
	       "run without the shared-pool model). See docs/plots.md.\n");
}

static void help_compare(void)
{
	printf("pgpagebench compare puts two runs side by side: per-step ratios of queries/s, p50 and p99 for\n"
	       "the steps both ran (matched by model, query, pool, workers, offset and rate), charts with run A\n"
	       "solid and run B dashed, and an offline index.html.\n\n"
	       "Usage:\n  pgpagebench compare RESULTS_DIR_A RESULTS_DIR_B [OPTION]...\n\n"
	       "Options:\n"
	       "  --format=LIST   chart formats, a comma-separated list of svg and png (default: svg,png)\n"
	       "  --out=DIR       output directory (default: compare-A-vs-B in the current directory)\n"
	       "  --size=WxH      chart size in pixels (default: 800x480)\n"
	       "  --quiet         print only errors\n"
	       "  --help          show this help, then exit\n");
}

static int parse_size(const char *s, struct plots_options *o)
{
	int w, h, n = 0;
	if (sscanf(s, "%dx%d%n", &w, &h, &n) != 2 || s[n] || w < 200 || h < 150 || w > 8000 || h > 8000) {
		log_error("invalid value \"%s\" for option --size: expected WIDTHxHEIGHT in pixels, 200x150 to 8000x8000", s);
		return -1;
	}
	o->width = w;
	o->height = h;
	return 0;
}

/* Shared option parsing of plot and compare: fills o and out; returns -1 (done, *rc set) or the index
 * of the first positional argument. */
static int parse_args(const char *cmd, int argc, char **argv, struct plots_options *o, const char **out, int *rc,
                      void (*help)(void))
{
	static const struct option longopts[] = { CTX_LONGOPTS, { "format", required_argument, NULL, OPT_FORMAT },
		                                   { "out", required_argument, NULL, OPT_OUT },
		                                   { "size", required_argument, NULL, OPT_SIZE }, { NULL, 0, NULL, 0 } };
	struct pgpb_ctx ctx;
	ctx_init(&ctx, cmd, argc, argv);
	*o = (struct plots_options){ PLOTS_DEFAULT_FORMATS, 800, 480, 0 };
	*out = NULL;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, CTX_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case CTX_OPT_HELP:
			help();
			*rc = EXIT_OK;
			return -1;
		case '?':
		case ':':
			*rc = cli_getopt_fail(cmd, c, argv, optind, optopt);
			return -1;
		case OPT_FORMAT:
			if (plots_parse_formats("--format", optarg, &o->formats) < 0) {
				*rc = EXIT_USAGE;
				return -1;
			}
			break;
		case OPT_OUT:
			if (!*optarg) {
				*rc = cli_usage_error(cmd, "invalid value \"\" for option --out: a directory is required");
				return -1;
			}
			*out = optarg;
			break;
		case OPT_SIZE:
			if (parse_size(optarg, o) < 0) {
				*rc = EXIT_USAGE;
				return -1;
			}
			break;
		case 'h': case 'p': case 'U': case 'd': case CTX_OPT_EPHEMERAL: case CTX_OPT_KEEP: case CTX_OPT_SETTING:
		case CTX_OPT_SCHEMA:
			*rc = cli_usage_error(cmd, "%s reads result files and takes no connection options", cmd);
			return -1;
		default:
			if (ctx_option(&ctx, c, optarg) < 0) {
				*rc = EXIT_USAGE;
				return -1;
			}
		}
	}
	o->quiet = ctx.quiet;
	return optind;
}

int plot_main(int argc, char **argv)
{
	struct plots_options o;
	const char *out;
	int rc, first = parse_args("plot", argc, argv, &o, &out, &rc, help_plot);
	if (first < 0)
		return rc;
	if (first >= argc)
		return cli_usage_error("plot", "no results directory given");
	if (first + 1 < argc)
		return cli_usage_error("plot", "too many command-line arguments (first is \"%s\")", argv[first + 1]);
	return plots_render_opts(argv[first], out, &o, NULL, 0);
}

int compare_main(int argc, char **argv)
{
	struct plots_options o;
	const char *out;
	int rc, first = parse_args("compare", argc, argv, &o, &out, &rc, help_compare);
	if (first < 0)
		return rc;
	if (first + 2 > argc)
		return cli_usage_error("compare", "two results directories are required");
	if (first + 2 < argc)
		return cli_usage_error("compare", "too many command-line arguments (first is \"%s\")", argv[first + 2]);
	return plots_compare(argv[first], argv[first + 1], out, &o, NULL, 0);
}
