/*
 * http_compare.c: `pgpagebench http-compare`, its options and --help, in two forms. The first reads files:
 * RESULTS_DIR --ab FILE puts Apache Bench results made by hand beside a step of a run (the work is
 * plots/http_compare.c's). The second runs both sides: --url URL runs the HTTP load with ab or wrk
 * (bench/httpload.h) just before each database step of a sweep (bench/bench.h, run_opts.before_step), so
 * both share the machine's conditions, then compares each pair and prints the table of them all. With
 * --app-user or --app-db a second wait sampler (bench/waits.h) reads the web app's own backends through
 * each HTTP load: where the app's server time goes, into http/waits.csv.
 */
#include "bench/bench.h"
#include "bench/httpload.h"
#include "bench/plan.h"
#include "bench/query.h"
#include "bench/waits.h"
#include "cmd/commands.h"
#include "cmd/run.h"
#include "common/alloc.h"
#include "common/cli.h"
#include "common/ctx.h"
#include "common/log.h"
#include "common/options.h"
#include "common/sig.h"
#include "plots/ab.h"
#include "plots/http_compare.h"
#include "plots/wrk.h"
#include "resdir/waits.h"
#include "schema/schema.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void url_help(void);

static void help(void)
{
	printf("pgpagebench http-compare puts an HTTP endpoint's latency beside the database-only latency of the\n"
	       "query at the same concurrency and page: it runs both (--url), or reads ab's files and a run.\n\n"
	       "Usage:\n  pgpagebench http-compare --url URL [OPTION]...\n"
	       "  pgpagebench http-compare RESULTS_DIR --ab FILE [OPTION]...\n\n"
	       "With RESULTS_DIR, it matches ab's concurrency to the step of the run with as many connections,\n"
	       "at the page the ab URL asks for, and writes http-compare.csv (the table),\n"
	       "http-compare-percentiles.csv (chart data: HTTP vs database latency per percentile) and, with\n"
	       "--ab-gnuplot, http-compare-timeline.csv.\n"
	       "\nOptions of the file-reading form (it takes no connection options):\n"
	       "  --ab=FILE                ab's standard output (the text summary); required\n"
	       "  --ab-csv=FILE            the file of ab -e (HTTP percentiles to the microsecond; preferred)\n"
	       "  --ab-gnuplot=FILE        the file of ab -g (one line a request: exact ranks in whole ms,\n"
	       "                           and the per-second timeline)\n"
	       "  --offset=N               the OFFSET the HTTP requests asked for (default: from the URL's\n"
	       "                           ?offset=N, or ?page=N as (N-1) * page size, else 0)\n"
	       "  --page-size=N            rows a page for ?page=N (default 10, the seed query's LIMIT)\n"
	       "  --step=ID                compare with this step of steps.csv instead of matching\n"
	       "  --query=NAME             match only steps of this query (with several variants)\n"
	       "  --out=DIR                write the CSV files there (default: RESULTS_DIR)\n"
	       "  --quiet                  no table on standard output\n"
	       "  --help                   show this help, then exit\n");
	url_help();
}


static const char no_connection[] = "http-compare reads files only and takes no connection options";

/* ---- the one-command form: --url ----------------------------------------------------------------- */

#define PROBE_TIMEOUT_S 5.0 /* to connect to the app, and for each read of its answer */

/* What the --url form reads, beyond run's options. */
struct url_cli {
	struct run_opts o;
	const char *url;
	struct http_url u;
	long *conc, *pages, *offsets; /* owned */
	size_t nconc, npages;
	long requests; /* --requests: the HTTP side by count; 0 = for --duration */
	int tool; /* enum http_tool */
	const char *json_list; /* --json-list */
	const char *app_user, *app_db; /* --app-user, --app-db: the app's backends, for a wait sampler */
	int duration_given;
};

/* One page's GET before the load. */
struct page_probe {
	struct http_probe p;
	long expected; /* records the database step returns on that page; -1 unknown */
};

/* What the HTTP steps share with the database sweep (run_opts.before_step) and leave for the table. */
struct url_run {
	struct url_cli *cl;
	const struct run_outcome *out; /* its dir is named before the first step */
	char exe[4096], lua[4200];
	struct page_probe *probes; /* one a page */
	struct http_compare_figures *figs; /* one a step, in order */
	char (*prefix)[4200]; /* each step's HTTP files, without the tool's suffix */
	int nsteps, cap;
	int quiet;
	struct waits_sampler *app_waits; /* the web app's backends; NULL when not sampled */
	struct wait_profile *profiles; /* one a step, with figs (sampled or not, as app_waits) */
};

static void url_help(void)
{
	printf("\nOne command (the HTTP load with ab or wrk, then the database step, page by page):\n"
	       "  pgpagebench http-compare --url URL [OPTION]...\n\n"
	       "  --url=URL                the app's list endpoint, http:// only; {page} (from 1) or {offset}\n"
	       "                           (= (page - 1) x --page-size) is replaced for each page\n"
	       "  --concurrency=LIST       HTTP concurrency = database connections per step (default 1,4,16)\n"
	       "  --pages=LIST             pages (from 1) per step (default 1,10,100)\n"
	       "  --requests=N             HTTP requests per step (ab -n; default: run for --duration)\n"
	       "  --duration=TIME          measured time per step on both sides (default 10s; the HTTP side in\n"
	       "                           whole seconds unless --requests)\n"
	       "  --warmup=TIME            warm-up per step on both sides, not measured (default 2s)\n"
	       "  --http-tool=ab|wrk       the HTTP load tool (default ab, from apache2-utils; wrk from wrk)\n"
	       "  --json-list=KEY          the member of the JSON body that lists the page's records (default:\n"
	       "                           the body itself when a list, else results, records, items or data)\n"
	       "  --app-user=NAME, --app-db=NAME\n"
	       "                           the app's database user and database: its backends (this tool's own\n"
	       "                           left out) are sampled through each HTTP load, into http/waits.csv\n"
	       "  --wait-sample=TIME|off   read pg_stat_activity this often, on both sides (default 20ms)\n"
	       "  --threads=N, --protocol=P, --query=seed|FILE, --no-validate, --no-plot, --progress,\n"
	       "  --no-progress, --force   as for pgpagebench run (--query here is the database side's query)\n"
	       "  --out=DIR                the results directory (default results/<timestamp>)\n"
	       "  --page-size=N            rows a page (default 10, the seed query's LIMIT)\n"
	       "See docs/dbcost.md.\n"
	       CTX_HELP);
}

/* The step's page, from its OFFSET. */
static long page_of(const struct url_cli *cl, long offset)
{
	for (size_t k = 0; k < cl->npages; k++)
		if (cl->offsets[k] == offset)
			return (long)k;
	return -1;
}

/* Reads the HTTP files of a load just run, for its line on the terminal. */
static void print_load_line(const struct url_run *ur, long page, const char *step, const char *url, const char *prefix)
{
	char txt[4300], err[1024];
	struct ab_text t;
	struct ab_csv pct;
	snprintf(txt, sizeof txt, "%s.%s.txt", prefix, http_tool_names[ur->cl->tool]);
	int rc = ur->cl->tool == HTTP_TOOL_WRK ? wrk_parse(txt, &t, &pct, err, sizeof err) : ab_parse_text(txt, &t, err, sizeof err);
	if (rc < 0) {
		log_warning("%s", err);
		return;
	}
	if (!ur->quiet)
		printf("http %s: %s %s: %ld requests, %.1f/s, mean %.3f ms%s\n", step, http_tool_names[ur->cl->tool], url,
		       t.complete, t.requests_per_s, t.mean_ms, t.non2xx || t.failed ? ", with errors (see the table)" : "");
	int st = ur->probes[page].p.status;
	if (t.non2xx > 0 && (st < 200 || st > 299))
		log_warning("%s: %ld of %ld responses were not 2xx (the GET before the load answered %d)", url, t.non2xx,
		            t.complete, st);
	else if (t.non2xx > 0)
		log_warning("%s: %ld of %ld responses were not 2xx", url, t.non2xx, t.complete);
	fflush(stdout);
}

/* run_opts.before_step: the HTTP load of the step about to run, at its concurrency and page. */
static int http_step(void *arg, const struct step_def *sd, int i)
{
	struct url_run *ur = arg;
	struct url_cli *cl = ur->cl;
	(void)i;
	long k = page_of(cl, sd->offset);
	if (k < 0 || sd->mix) {
		log_error("step \"%s\" has no page of --pages", sd->id);
		return -1;
	}
	char dir[4200], url[4200];
	snprintf(dir, sizeof dir, "%s/http", ur->out->dir);
	if (ur->nsteps == 0) {
		if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
			log_error("could not create directory \"%s\": %s", dir, strerror(errno));
			return -1;
		}
		if (cl->tool == HTTP_TOOL_WRK) {
			snprintf(ur->lua, sizeof ur->lua, "%s/wrk-percentiles.lua", dir);
			if (http_write_wrk_script(ur->lua) < 0)
				return -1;
		}
	}
	if (http_url_expand(&cl->u, cl->pages[k], sd->offset, 0, url, sizeof url) < 0) {
		log_error("the URL of page %ld is too long", cl->pages[k]);
		return -1;
	}
	if (ur->nsteps == ur->cap) {
		ur->cap = ur->cap ? 2 * ur->cap : 16;
		ur->figs = pgpb_reallocarray(ur->figs, (size_t)ur->cap, sizeof *ur->figs);
		ur->prefix = pgpb_reallocarray(ur->prefix, (size_t)ur->cap, sizeof *ur->prefix);
		ur->profiles = pgpb_reallocarray(ur->profiles, (size_t)ur->cap, sizeof *ur->profiles);
	}
	struct http_compare_figures *f = &ur->figs[ur->nsteps];
	http_compare_figures_unknown(f);
	snprintf(f->step, sizeof f->step, "%s", sd->id);
	f->concurrency = sd->connections;
	f->page = cl->pages[k];
	f->offset = sd->offset;
	f->http_records = ur->probes[k].p.records;
	f->db_records = ur->probes[k].expected;
	f->probe_status = ur->probes[k].p.status;
	snprintf(ur->prefix[ur->nsteps], sizeof ur->prefix[0], "%s/%s", dir, sd->id);
	struct http_load l = { .tool = (enum http_tool)cl->tool, .exe = ur->exe, .url = url, .concurrency = sd->connections,
	                       .threads = (int)(sd->connections < sysconf(_SC_NPROCESSORS_ONLN) ? sd->connections
	                                                                                      : sysconf(_SC_NPROCESSORS_ONLN)),
	                       .lua = ur->lua[0] ? ur->lua : NULL };
	if (cl->o.warmup_s > 0) { /* the same warm-up as the database step, in whole seconds, nothing kept */
		l.duration_s = cl->o.warmup_s < 1 ? 1 : floor(cl->o.warmup_s + 0.5);
		if (http_load_run(&l) < 0)
			return -1;
	}
	l.requests = cl->requests;
	l.duration_s = cl->o.duration_s;
	l.out_prefix = ur->prefix[ur->nsteps];
	waits_begin(ur->app_waits); /* the app's backends through the measured load, as the run's in its step */
	int lrc = http_load_run(&l);
	memset(&ur->profiles[ur->nsteps], 0, sizeof ur->profiles[0]);
	waits_end(ur->app_waits, &ur->profiles[ur->nsteps]);
	if (lrc < 0)
		return -1;
	ur->nsteps++;
	print_load_line(ur, k, sd->id, url, l.out_prefix);
	return 0;
}

/* The GET of every page before any load: the app answers, with how many records. 0, or -1 (logged). */
static int probe_pages(struct url_run *ur, long long qualifying)
{
	struct url_cli *cl = ur->cl;
	ur->probes = pgpb_calloc(cl->npages, sizeof *ur->probes);
	for (size_t k = 0; k < cl->npages; k++) {
		char path[4200], err[1024];
		struct page_probe *pp = &ur->probes[k];
		http_url_expand(&cl->u, cl->pages[k], cl->offsets[k], 1, path, sizeof path);
		if (http_probe(&cl->u, path, cl->json_list, PROBE_TIMEOUT_S, &pp->p, err, sizeof err) < 0) {
			log_error("%s", err);
			if (!sig_caught())
				log_hint("Start the web app first, or check --url: no load was run.");
			return -1;
		}
		/* the seed query and its variants page through the qualifying rows; a --query FILE is unknown */
		pp->expected = qualifying < 0 ? -1
		                              : cl->offsets[k] >= qualifying ? 0
		                              : qualifying - cl->offsets[k] < cl->o.page_size ? qualifying - cl->offsets[k]
		                                                                            : cl->o.page_size;
		if (pp->p.status < 200 || pp->p.status > 299)
			log_warning("page %ld (%s) answered \"%s\": the load counts such answers as non-2xx", cl->pages[k], path,
			            pp->p.status_line);
		else if (pp->p.records < 0)
			log_warning("page %ld: could not count its records (%s)", cl->pages[k], pp->p.records_how);
		else if (pp->expected >= 0 && pp->p.records < pp->expected)
			log_warning("page %ld returned %ld records where the database step returns %ld: the app's page is not "
			            "the query's (%s)", cl->pages[k], pp->p.records, pp->expected, pp->p.records_how);
		if (!ur->quiet && pp->p.status >= 200 && pp->p.status < 300)
			printf("GET %s: %d, %zu bytes, %ld record%s\n", path, pp->p.status, pp->p.body_len, pp->p.records,
			       pp->p.records == 1 ? "" : "s");
	}
	fflush(stdout);
	return 0;
}

/* The rows the database steps page through, or -1 with a --query FILE (or on error: the run reports it). */
static long long count_rows(const struct pgpb_ctx *ctx, const struct url_cli *cl)
{
	if (cl->o.query_file)
		return -1;
	PGconn *c = ctx_connect(ctx, "pgpagebench http-compare");
	if (!c)
		return -2;
	struct schema_dataset ds;
	long long n = schema_require_complete(c, &ds) < 0 ? -2 : query_count_qualifying(c);
	PQfinish(c);
	return n < 0 ? -2 : n;
}

/* http/http-load.json: how the HTTP side was run, and the app's database user and database for whoever
 * samples its backends. */
static void write_load_json(const struct url_run *ur)
{
	const struct url_cli *cl = ur->cl;
	char path[4200];
	snprintf(path, sizeof path, "%s/http/http-load.json", ur->out->dir);
	json_t *c = json_array(), *p = json_array();
	for (size_t k = 0; k < cl->nconc; k++)
		json_array_append_new(c, json_integer(cl->conc[k]));
	for (size_t k = 0; k < cl->npages; k++)
		json_array_append_new(p, json_integer(cl->pages[k]));
	json_t *j = json_pack("{s:s,s:s,s:o,s:o,s:i,s:I,s:f,s:f,s:o,s:o,s:o}", "tool", http_tool_names[cl->tool], "url",
	                      cl->url, "concurrency", c, "pages", p, "page_size", cl->o.page_size, "requests",
	                      (json_int_t)cl->requests, "duration_s", cl->o.duration_s, "warmup_s", cl->o.warmup_s,
	                      "json_list", cl->json_list ? json_string(cl->json_list) : json_null(), "app_user",
	                      cl->app_user ? json_string(cl->app_user) : json_null(), "app_db",
	                      cl->app_db ? json_string(cl->app_db) : json_null());
	if (!j || json_dump_file(j, path, JSON_INDENT(2)) < 0)
		log_warning("could not write \"%s\"", path);
	json_decref(j);
}

/* http/waits.csv: the app's backends through each HTTP load, in waits.csv's format (resdir/waits.h), the
 * steps' names those of steps.csv. Written with the steps run so far, also when the run ends early. */
static int write_app_waits(const struct url_run *ur)
{
	if (!ur->app_waits)
		return 0;
	char path[4200];
	snprintf(path, sizeof path, "%s/http/waits.csv", ur->out->dir);
	const char **ids = pgpb_calloc((size_t)ur->nsteps, sizeof *ids);
	const struct wait_profile **ps = pgpb_calloc((size_t)ur->nsteps, sizeof *ps);
	for (int s = 0; s < ur->nsteps; s++)
		ids[s] = ur->figs[s].step, ps[s] = &ur->profiles[s];
	int rc = wait_csv_write(path, ids, ps, ur->nsteps);
	free(ids);
	free(ps);
	return rc;
}

/* After the sweep: each step's comparison (http/<step>/), then the table of them all. An exit status. */
static int compare_steps(struct url_run *ur)
{
	const struct url_cli *cl = ur->cl;
	int rc = EXIT_OK;
	for (int s = 0; s < ur->nsteps && !sig_caught(); s++) {
		char txt[4300], csv[4300], tsv[4300], out[4300];
		const char *tool = http_tool_names[cl->tool];
		snprintf(txt, sizeof txt, "%s.%s.txt", ur->prefix[s], tool);
		snprintf(csv, sizeof csv, "%s.%s.csv", ur->prefix[s], tool);
		snprintf(tsv, sizeof tsv, "%s.%s.tsv", ur->prefix[s], tool);
		snprintf(out, sizeof out, "%s", ur->prefix[s]);
		struct http_compare_opts o = { .dir = ur->out->dir, .ab = txt, .step = ur->figs[s].step, .out = out,
		                               .offset = ur->figs[s].offset, .have_offset = 1, .page_size = cl->o.page_size,
		                               .quiet = 1, .wrk = cl->tool == HTTP_TOOL_WRK, .interleaved = 1 };
		if (cl->tool == HTTP_TOOL_AB)
			o.ab_csv = csv, o.ab_tsv = tsv;
		struct http_compare_figures f;
		if (http_compare_run_fig(&o, &f) != EXIT_OK) {
			rc = EXIT_RUNTIME; /* the row stays, marked "not compared", its figures empty */
			continue;
		}
		f.page = ur->figs[s].page;
		f.http_records = ur->figs[s].http_records;
		f.db_records = ur->figs[s].db_records;
		f.probe_status = ur->figs[s].probe_status;
		ur->figs[s] = f;
	}
	if (sig_caught())
		return sig_exit_status();
	if (http_compare_steps_write(ur->out->dir, http_tool_names[cl->tool], ur->figs, (size_t)ur->nsteps, ur->quiet) < 0)
		rc = EXIT_RUNTIME;
	if (ur->app_waits && !ur->quiet) {
		const char **ids = pgpb_calloc((size_t)ur->nsteps, sizeof *ids);
		const struct wait_profile **ps = pgpb_calloc((size_t)ur->nsteps, sizeof *ps);
		for (int s = 0; s < ur->nsteps; s++)
			ids[s] = ur->figs[s].step, ps[s] = &ur->profiles[s];
		waits_print_as("where the app's server time goes (its backends in pg_stat_activity every %g ms through each "
		               "HTTP load; idle = in the app, between its queries)", ids, ps, ur->nsteps);
		free(ids);
		free(ps);
	}
	return rc;
}

static int url_main(int argc, char **argv)
{
	enum { OPT_URL = CTX_OPT_FIRST_FREE, OPT_CONC, OPT_PAGES, OPT_REQUESTS, OPT_DURATION, OPT_WARMUP, OPT_TOOL,
	       OPT_JSON_LIST, OPT_APP_USER, OPT_APP_DB, OPT_THREADS, OPT_PROTOCOL, OPT_QUERY, OPT_OUT, OPT_FORCE,
	       OPT_NO_VALIDATE, OPT_NO_PLOT, OPT_PROGRESS, OPT_NO_PROGRESS, OPT_PAGE_SIZE, OPT_WAIT_SAMPLE };
	static const struct option longopts[] = {
		CTX_LONGOPTS,
		{ "url", required_argument, NULL, OPT_URL },
		{ "concurrency", required_argument, NULL, OPT_CONC },
		{ "pages", required_argument, NULL, OPT_PAGES },
		{ "requests", required_argument, NULL, OPT_REQUESTS },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "warmup", required_argument, NULL, OPT_WARMUP },
		{ "http-tool", required_argument, NULL, OPT_TOOL },
		{ "json-list", required_argument, NULL, OPT_JSON_LIST },
		{ "app-user", required_argument, NULL, OPT_APP_USER },
		{ "app-db", required_argument, NULL, OPT_APP_DB },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "protocol", required_argument, NULL, OPT_PROTOCOL },
		{ "query", required_argument, NULL, OPT_QUERY },
		{ "out", required_argument, NULL, OPT_OUT },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "no-validate", no_argument, NULL, OPT_NO_VALIDATE },
		{ "no-plot", no_argument, NULL, OPT_NO_PLOT },
		{ "progress", no_argument, NULL, OPT_PROGRESS },
		{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
		{ "page-size", required_argument, NULL, OPT_PAGE_SIZE },
		{ "wait-sample", required_argument, NULL, OPT_WAIT_SAMPLE },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const protocol_words[] = { "simple", "extended", "prepared", NULL };
	static const long default_conc[] = { 1, 4, 16 }, default_pages[] = { 1, 10, 100 };
	struct pgpb_ctx ctx;
	ctx_init(&ctx, "http-compare", argc, argv);
	struct url_cli cl = { .o = run_opts_default() };
	struct cli_getopt g;
	cli_getopt_init(&g, "http-compare", argc, argv, longopts, help, &ctx);
	int c, k, rc = EXIT_USAGE;
	long v;
	while ((c = cli_getopt_next(&g)) > 0) {
		int bad = 0;
		switch (c) {
		case OPT_URL: cl.url = optarg; break;
		case OPT_CONC:
			free(cl.conc);
			cl.conc = NULL;
			bad = cli_parse_list("--concurrency", optarg, 1, 10000, &cl.conc, &cl.nconc) < 0;
			break;
		case OPT_PAGES:
			free(cl.pages);
			cl.pages = NULL;
			bad = cli_parse_list("--pages", optarg, 1, 100000000, &cl.pages, &cl.npages) < 0;
			break;
		case OPT_REQUESTS: bad = cli_parse_long("--requests", optarg, 1, 100000000, &cl.requests) < 0; break;
		case OPT_DURATION:
			bad = cli_parse_duration("--duration", optarg, &cl.o.duration_s) < 0;
			cl.duration_given = 1;
			if (!bad && cl.o.duration_s < 0.01) {
				log_error("invalid value \"%s\" for option --duration: must be at least 10ms", optarg);
				bad = 1;
			}
			break;
		case OPT_WARMUP: bad = cli_parse_duration("--warmup", optarg, &cl.o.warmup_s) < 0; break;
		case OPT_TOOL: bad = cli_parse_choice("--http-tool", optarg, http_tool_names, &cl.tool) < 0; break;
		case OPT_JSON_LIST: cl.json_list = optarg; break;
		case OPT_APP_USER: cl.app_user = optarg; break;
		case OPT_APP_DB: cl.app_db = optarg; break;
		case OPT_THREADS:
			bad = cli_parse_long("--threads", optarg, 1, 1024, &v) < 0;
			cl.o.threads = (int)v;
			break;
		case OPT_PROTOCOL:
			bad = cli_parse_choice("--protocol", optarg, protocol_words, &k) < 0;
			cl.o.protocol = (enum run_protocol)k;
			break;
		case OPT_QUERY: cl.o.query_file = strcmp(optarg, "seed") == 0 ? NULL : optarg; break;
		case OPT_OUT: cl.o.out_dir = optarg; break;
		case OPT_FORCE: cl.o.force = 1; break;
		case OPT_NO_VALIDATE: cl.o.validate = 0; break;
		case OPT_NO_PLOT: cl.o.plot = 0; break;
		case OPT_PROGRESS: cl.o.progress = 1; break;
		case OPT_NO_PROGRESS: cl.o.progress = 0; break;
		case OPT_PAGE_SIZE:
			bad = cli_parse_long("--page-size", optarg, 1, 1000000L, &v) < 0;
			cl.o.page_size = (int)v;
			break;
		case OPT_WAIT_SAMPLE: {
			double sec;
			if (strcmp(optarg, "off") == 0) {
				cl.o.wait_sample_ms = 0;
				break;
			}
			bad = cli_parse_duration("--wait-sample", optarg, &sec) < 0;
			if (!bad && (sec < 0.001 || sec > 10)) {
				log_error("invalid value \"%s\" for option --wait-sample: must be from 1ms to 10s, or off", optarg);
				bad = 1;
			}
			if (!bad)
				cl.o.wait_sample_ms = sec * 1000.0;
			break;
		}
		}
		if (bad)
			goto out;
	}
	if (c < 0 || cli_getopt_end(&g) < 0) {
		rc = g.rc;
		goto out;
	}
	char err[1024];
	if (http_url_parse(cl.url, &cl.u, err, sizeof err) < 0) {
		rc = cli_usage_error("http-compare", "%s", err);
		goto out;
	}
	if (!cl.conc) {
		cl.conc = pgpb_reallocarray(NULL, 3, sizeof *cl.conc);
		memcpy(cl.conc, default_conc, sizeof default_conc);
		cl.nconc = 3;
	}
	if (!cl.pages) {
		cl.pages = pgpb_reallocarray(NULL, 3, sizeof *cl.pages);
		memcpy(cl.pages, default_pages, sizeof default_pages);
		cl.npages = 3;
	}
	if (ctx.ephemeral) {
		rc = cli_usage_error("http-compare", "--url needs the database the web app uses, not --ephemeral");
		goto out;
	}
	if (!http_url_has_placeholder(&cl.u) && cl.npages > 1) {
		rc = cli_usage_error("http-compare", "the URL has no {page} or {offset}: every one of --pages would load the same page");
		goto out;
	}
	if (cl.tool == HTTP_TOOL_WRK && cl.requests) {
		rc = cli_usage_error("http-compare", "wrk runs for a time, not a number of requests: use --duration, not --requests");
		goto out;
	}
	for (size_t i = 0; i < cl.nconc && cl.requests; i++)
		if (cl.conc[i] > cl.requests) {
			rc = cli_usage_error("http-compare", "--requests %ld is fewer than the concurrency %ld: ab needs a request "
			                     "a connection at least", cl.requests, cl.conc[i]);
			goto out;
		}
	if (!cl.requests && (cl.o.duration_s < 1 || cl.o.duration_s != floor(cl.o.duration_s))) {
		rc = cli_usage_error("http-compare", "the HTTP side runs whole seconds (ab -t, wrk -d): invalid --duration %gs "
		                     "(or give --requests)", cl.o.duration_s);
		goto out;
	}
	cl.offsets = pgpb_reallocarray(NULL, cl.npages, sizeof *cl.offsets);
	for (size_t i = 0; i < cl.npages; i++) {
		if (cl.pages[i] - 1 > 1000000000L / cl.o.page_size) {
			rc = cli_usage_error("http-compare", "page %ld is too deep (its OFFSET would pass 1,000,000,000)", cl.pages[i]);
			goto out;
		}
		cl.offsets[i] = (cl.pages[i] - 1) * cl.o.page_size;
		for (size_t j = 0; j < i; j++)
			if (cl.pages[j] == cl.pages[i]) {
				rc = cli_usage_error("http-compare", "page %ld is given twice in --pages", cl.pages[i]);
				goto out;
			}
	}
	cl.o.app_user = cl.app_user; /* passed through for a sampler of the app's backends */
	cl.o.app_db = cl.app_db;
	cl.o.pools = cl.conc;
	cl.o.npools = cl.nconc;
	cl.o.offsets = cl.offsets;
	cl.o.noffsets = cl.npages;
	cl.o.quiet = ctx.quiet;

	struct url_run ur = { .cl = &cl, .quiet = ctx.quiet };
	struct run_outcome outcome;
	memset(&outcome, 0, sizeof outcome);
	outcome.lock_fd = -1;
	ur.out = &outcome;
	rc = EXIT_RUNTIME;
	if (http_tool_find((enum http_tool)cl.tool, ur.exe, sizeof ur.exe) < 0)
		goto out_run;
	rc = ctx_open(&ctx);
	if (rc)
		goto out_run;
	rc = EXIT_RUNTIME;
	long long rows = count_rows(&ctx, &cl);
	if (rows == -2 || probe_pages(&ur, rows) < 0) {
		rc = sig_caught() ? sig_exit_status() : EXIT_RUNTIME;
		goto out_ctx;
	}
	if (cl.o.wait_sample_ms > 0 && (cl.app_user || cl.app_db))
		ur.app_waits = waits_start(&ctx, &(struct wait_filter){ .datname = cl.app_db, .usename = cl.app_user,
		                                                         .skip_own = 1 },
		                           cl.o.wait_sample_ms);
	else if (cl.o.wait_sample_ms > 0 && !ctx.quiet)
		log_info("the web app's backends are not sampled: --app-user or --app-db names them (the run's own "
		         "backends are, in waits.csv)");
	cl.o.before_step = http_step;
	cl.o.before_step_arg = &ur;
	int plot = cl.o.plot;
	cl.o.plot = 0; /* drawn below, once the HTTP side's files are there too */
	rc = run_exec(&ctx, &cl.o, &outcome);
	waits_stop(ur.app_waits);
	if (outcome.dir[0] && ur.nsteps) {
		write_load_json(&ur);
		if (write_app_waits(&ur) < 0 && rc == EXIT_OK)
			rc = EXIT_RUNTIME;
	}
	if (rc == EXIT_OK)
		rc = compare_steps(&ur);
	else if (ur.nsteps && outcome.dir[0])
		printf("the HTTP side's files are in %s/http\n", outcome.dir);
	cl.o.plot = plot;
	rc = run_finish(&ctx, &cl.o, rc, &outcome);
out_ctx:
	ctx_close(&ctx);
out_run:
	free(ur.probes);
	free(ur.figs);
	free(ur.prefix);
	free(ur.profiles);
	if (rc != EXIT_OK && rc != EXIT_USAGE && sig_caught())
		rc = sig_exit_status();
out:
	free(cl.conc);
	free(cl.pages);
	free(cl.offsets);
	return rc;
}

int http_compare_main(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--url") == 0 || strncmp(argv[i], "--url=", 6) == 0)
			return url_main(argc, argv);
	enum { OPT_AB = CTX_OPT_FIRST_FREE, OPT_AB_CSV, OPT_AB_TSV, OPT_OFFSET, OPT_PAGE_SIZE, OPT_STEP, OPT_QUERY, OPT_OUT };
	static const struct option longopts[] = {
		CTX_LONGOPTS,
		{ "ab", required_argument, NULL, OPT_AB },
		{ "ab-csv", required_argument, NULL, OPT_AB_CSV },
		{ "ab-gnuplot", required_argument, NULL, OPT_AB_TSV },
		{ "offset", required_argument, NULL, OPT_OFFSET },
		{ "page-size", required_argument, NULL, OPT_PAGE_SIZE },
		{ "step", required_argument, NULL, OPT_STEP },
		{ "query", required_argument, NULL, OPT_QUERY },
		{ "out", required_argument, NULL, OPT_OUT },
		{ NULL, 0, NULL, 0 },
	};
	struct pgpb_ctx ctx;
	ctx_init(&ctx, "http-compare", argc, argv);
	struct http_compare_opts o = { .page_size = 10 };
	struct cli_getopt g;
	cli_getopt_init(&g, "http-compare", argc, argv, longopts, help, &ctx);
	g.no_connection = no_connection;
	g.no_cluster = 1;
	int c;
	while ((c = cli_getopt_next(&g)) > 0) {
		switch (c) {
		case OPT_AB: o.ab = optarg; break;
		case OPT_AB_CSV: o.ab_csv = optarg; break;
		case OPT_AB_TSV: o.ab_tsv = optarg; break;
		case OPT_OFFSET:
			if (cli_parse_long("--offset", optarg, 0, 1000000000L, &o.offset) < 0)
				return EXIT_USAGE;
			o.have_offset = 1;
			break;
		case OPT_PAGE_SIZE:
			if (cli_parse_long("--page-size", optarg, 1, 1000000L, &o.page_size) < 0)
				return EXIT_USAGE;
			break;
		case OPT_STEP: o.step = optarg; break;
		case OPT_QUERY: o.query = optarg; break;
		case OPT_OUT: o.out = optarg; break;
		}
	}
	if (c < 0)
		return g.rc;
	/* one argument, the results directory: cli_getopt_end would take it for one too many */
	if (optind >= argc)
		return cli_usage_error("http-compare", "missing results directory");
	if (optind + 1 < argc)
		return cli_usage_error("http-compare", "too many command-line arguments (first is \"%s\")", argv[optind + 1]);
	o.dir = argv[optind];
	if (!o.ab)
		return cli_usage_error("http-compare", "missing --ab FILE (the text ab prints)");
	o.quiet = ctx.quiet;
	return http_compare_run(&o);
}
