/*
 * run.c: `pgpagebench run`: its options and --help, the temporary cluster sized for the largest pool and
 * filled by datagen, then the sweep (bench/bench.h: run_exec) and the charts (plots/plots.h) in that order.
 */
#include "cmd/run.h"
#include "bench/offsets.h"
#include "bench/script.h"
#include "bench/variants.h"
#include "cmd/commands.h"
#include "common/cli.h"
#include "common/ctx.h"
#include "common/input.h"
#include "common/log.h"
#include "common/options.h"
#include "common/sig.h"
#include "datagen/datagen.h"
#include "plots/plots.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CONNECTIONS_SETTING "max_connections="
#define CONTROL_CONNECTIONS 10 /* the temporary cluster's max_connections above the largest pool */
#define DEFAULT_MAX_CONNECTIONS 100 /* PostgreSQL's own default: raised only when a pool needs more */
#define EPHEMERAL_SCALE 0.1 /* the temporary cluster's dataset unless --scale: demo's, quick to load */

static const char *const protocol_words[] = { "simple", "extended", "prepared", NULL };
static const char *const model_words[] = { "threads", "async", NULL };
static const char *const pool_order_words[] = { "fifo", "lifo", NULL };
static const char *const arrival_words[] = { "constant", "poisson", NULL };
static const char *const preset_words[] = { "seed-article", NULL };

int run_finish(const struct pgpb_ctx *ctx, const struct run_opts *o, int rc, const struct run_outcome *out)
{
	if (rc == EXIT_OK && o->plot) {
		struct plots_options po = { .formats = PLOTS_DEFAULT_FORMATS, .quiet = o->quiet };
		char index[PATH_MAX];
		if (plots_render_opts(out->dir, NULL, &po, index, sizeof index) == EXIT_OK && !o->quiet)
			printf("report: %s\n", index);
	}
	fflush(stdout);
	run_release(out);
	run_report_fds(ctx, out);
	return rc;
}

static void help(void)
{
	printf("pgpagebench run replays the query under load, sweeping pool sizes and page depths.\n\n"
	       "Usage:\n  pgpagebench run [OPTION]...\n\n"
	       "Sweep:\n"
	       "  --pools=LIST             connections per step (default 1,2,4,8); ranges: 1..64*2, 1..100+10\n"
	       "  --offsets=LIST           OFFSET per step (default 0,100,1000,10000); ranges: 0..10000:5\n"
	       "  --offset-mix=page1=P[,zipf=S]\n"
	       "                           add a step per pool size drawing OFFSETs: P%% page one, the rest\n"
	       "                           Zipf(S, default 1) over the pages that exist (alone: only mix steps)\n"
	       "  --duration=TIME          measured time per step (default 10s)\n"
	       "  --warmup=TIME            warm-up per step, not measured (default 2s)\n"
	       "  --threads=N              driver threads (default: CPU count)\n"
	       "  --protocol=P             simple, extended or prepared (default prepared)\n"
	       "  --query=seed|FILE        the seed query, or a file with one statement ($1 = OFFSET)\n"
	       "  --allow-writes           let a --query FILE change the database (default: read-only queries)\n"
	       "  --queries=LIST           sweep query variants too: seed, nocount, pagefirst, keyset, cappedcount\n"
	       "                           (docs/dbcost.md; keyset replays the page at each depth by its key)\n"
	       "  --explain                EXPLAIN (ANALYZE, BUFFERS) once per query and offset, into explain/\n"
	       "  --script=FILE[@WEIGHT]   a pgbench-style script a request runs (repeatable: a weighted mix,\n"
	       "                           weights 1..100); any database; docs/scripts.md\n"
	       "  --define=NAME=VALUE      a variable the scripts see (as pgbench -D; :scale is 1 unless set)\n"
	       "\nLoad models:\n"
	       "  --model=threads          one connection per client on --threads event loops (default; pgbench's)\n"
	       "  --model=threads --workers=W\n"
	       "                           W worker threads share a pool of --pools connections (each <= W)\n"
	       "  --pool-order=ORDER       who gets a returned connection: fifo, the longest-waiting worker\n"
	       "                           (default, as real pools), or lifo, whoever asks first\n"
	       "  --model=async --loops=L  L event-loop threads (default 1) drive all the connections\n"
	       "  --rate=Q, --rates=LIST   open loop: Q queries a second on a schedule (latency from the intended\n"
	       "                           start; a step per rate)\n"
	       "  --arrival=KIND           open-loop schedule: constant (default) or poisson\n"
	       "  --preset=seed-article    threads over a pool (W = P = 2 x CPUs) beside async (1 loop, same pool)\n"
	       "\nOutput:\n"
	       "  --out=DIR                results directory (default results/<timestamp>)\n"
	       "  --force                  replace the results of an earlier run in --out (only the files\n"
	       "                           pgpagebench writes there are removed)\n"
	       "  --no-validate            do not check the pages returned\n"
	       "  --no-plot                do not draw the charts at the end\n"
	       "  --progress               progress output even when not on a terminal (one line a second)\n"
	       "  --no-progress            no progress output\n"
	       "\nFaults:\n"
	       "  --reconnect-timeout=TIME how long a lost control connection is tried again between steps\n"
	       "                           before the run ends with the steps so far (default 30s; 0: once)\n"
	       "\nWith --ephemeral the temporary cluster is filled first (datagen):\n"
	       "  --scale=S                its dataset's size, 0.001 to 1000 (default 0.1: 10,000 records)\n"
	       "See docs/run.md and docs/results.md.\n"
	       CTX_HELP);
}

enum { OPT_POOLS = CTX_OPT_FIRST_FREE, OPT_OFFSETS, OPT_DURATION, OPT_WARMUP, OPT_THREADS, OPT_PROTOCOL,
       OPT_QUERY, OPT_OUT, OPT_NO_VALIDATE, OPT_NO_PLOT, OPT_PROGRESS, OPT_NO_PROGRESS, OPT_MIX, OPT_MODEL,
       OPT_WORKERS, OPT_LOOPS, OPT_RATE, OPT_RATES, OPT_ARRIVAL, OPT_PRESET, OPT_QUERIES, OPT_EXPLAIN,
       OPT_POOL_ORDER, OPT_ALLOW_WRITES, OPT_RECONNECT_TIMEOUT, OPT_FORCE, OPT_SCALE, OPT_SCRIPT, OPT_DEFINE };

static const struct option longopts[] = {
	CTX_LONGOPTS,
	{ "pools", required_argument, NULL, OPT_POOLS },
	{ "offsets", required_argument, NULL, OPT_OFFSETS },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "warmup", required_argument, NULL, OPT_WARMUP },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "protocol", required_argument, NULL, OPT_PROTOCOL },
	{ "query", required_argument, NULL, OPT_QUERY },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "no-validate", no_argument, NULL, OPT_NO_VALIDATE },
	{ "no-plot", no_argument, NULL, OPT_NO_PLOT },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
	{ "offset-mix", required_argument, NULL, OPT_MIX },
	{ "model", required_argument, NULL, OPT_MODEL },
	{ "workers", required_argument, NULL, OPT_WORKERS },
	{ "loops", required_argument, NULL, OPT_LOOPS },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "rates", required_argument, NULL, OPT_RATES },
	{ "arrival", required_argument, NULL, OPT_ARRIVAL },
	{ "preset", required_argument, NULL, OPT_PRESET },
	{ "queries", required_argument, NULL, OPT_QUERIES },
	{ "explain", no_argument, NULL, OPT_EXPLAIN },
	{ "pool-order", required_argument, NULL, OPT_POOL_ORDER },
	{ "allow-writes", no_argument, NULL, OPT_ALLOW_WRITES },
	{ "reconnect-timeout", required_argument, NULL, OPT_RECONNECT_TIMEOUT },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "scale", required_argument, NULL, OPT_SCALE },
	{ "script", required_argument, NULL, OPT_SCRIPT },
	{ "define", required_argument, NULL, OPT_DEFINE },
	{ NULL, 0, NULL, 0 },
};

/* The command line as read, before it becomes run_opts: the lists it owns and what was given. */
struct run_cli {
	struct run_opts o;
	long *pools, *offsets, *rates; /* owned; NULL = not given */
	size_t npools, noffsets, nrates;
	char **queries; /* owned */
	size_t nqueries;
	int model_async, loops_given, pool_order_given, offsets_given;
	double scale; /* --scale: the temporary cluster's dataset */
	int scale_given, arrival_given;
	const char *script_args[SCRIPT_MAX + 1], *define_args[64]; /* --script and --define, as given */
	int nscript_args, ndefine_args;
	struct script_set scripts; /* loaded from script_args once the options are read */
	int have_scripts;
};

static void run_cli_free(struct run_cli *cl)
{
	if (cl->have_scripts)
		script_set_free(&cl->scripts);
	free(cl->pools);
	free(cl->offsets);
	free(cl->rates);
	cli_free_words(cl->queries, cl->nqueries);
}

/* A list option's value, replacing an earlier one. 0 or -1 (logged). */
static int parse_list(const char *opt, const char *s, long min, long max, long **list, size_t *n)
{
	free(*list);
	*list = NULL;
	return cli_parse_list(opt, s, min, max, list, n);
}

/* One option of run's own (c from cli_getopt_next, value in optarg). 0 or -1 (reported). */
static int parse_option(struct run_cli *cl, int c)
{
	struct run_opts *o = &cl->o;
	long v;
	int k;
	switch (c) {
	case OPT_POOLS:
		return parse_list("--pools", optarg, 1, 10000, &cl->pools, &cl->npools);
	case OPT_OFFSETS:
		cl->offsets_given = 1;
		return parse_list("--offsets", optarg, 0, 1000000000, &cl->offsets, &cl->noffsets);
	case OPT_DURATION:
		if (cli_parse_duration("--duration", optarg, &o->duration_s) < 0)
			return -1;
		if (o->duration_s < 0.01) {
			log_error("invalid value \"%s\" for option --duration: must be at least 10ms", optarg);
			return -1;
		}
		return 0;
	case OPT_WARMUP:
		return cli_parse_duration("--warmup", optarg, &o->warmup_s);
	case OPT_THREADS:
		if (cli_parse_long("--threads", optarg, 1, 1024, &v) < 0)
			return -1;
		o->threads = (int)v;
		return 0;
	case OPT_PROTOCOL:
		if (cli_parse_choice("--protocol", optarg, protocol_words, &k) < 0)
			return -1;
		o->protocol = (enum run_protocol)k;
		return 0;
	case OPT_QUERY:
		o->query_file = strcmp(optarg, "seed") == 0 ? NULL : optarg;
		return 0;
	case OPT_OUT:
		if (!*optarg) {
			log_error("invalid value \"\" for option --out: a directory is required");
			return -1;
		}
		o->out_dir = optarg;
		return 0;
	case OPT_FORCE: o->force = 1; return 0;
	case OPT_NO_VALIDATE: o->validate = 0; return 0;
	case OPT_NO_PLOT: o->plot = 0; return 0;
	case OPT_PROGRESS: o->progress = 1; return 0;
	case OPT_NO_PROGRESS: o->progress = 0; return 0;
	case OPT_MIX:
		if (offsets_parse_mix(optarg, &o->mix_page1, &o->mix_zipf_s) < 0)
			return -1;
		o->offset_mix = 1;
		return 0;
	case OPT_MODEL:
		return cli_parse_choice("--model", optarg, model_words, &cl->model_async);
	case OPT_WORKERS:
		if (cli_parse_long("--workers", optarg, 1, 4096, &v) < 0)
			return -1;
		o->workers = (int)v;
		return 0;
	case OPT_POOL_ORDER:
		cl->pool_order_given = 1;
		return cli_parse_choice("--pool-order", optarg, pool_order_words, &o->pool_lifo);
	case OPT_LOOPS:
		if (cli_parse_long("--loops", optarg, 1, 256, &v) < 0)
			return -1;
		o->loops = (int)v;
		cl->loops_given = 1;
		return 0;
	case OPT_RATE:
	case OPT_RATES:
		if (parse_list(c == OPT_RATE ? "--rate" : "--rates", optarg, 1, 10000000, &cl->rates, &cl->nrates) < 0)
			return -1;
		if (c == OPT_RATE && cl->nrates != 1) {
			log_error("invalid value \"%s\" for option --rate: one rate (use --rates for a list)", optarg);
			return -1;
		}
		return 0;
	case OPT_ARRIVAL:
		cl->arrival_given = 1;
		return cli_parse_choice("--arrival", optarg, arrival_words, &o->poisson);
	case OPT_QUERIES:
		cli_free_words(cl->queries, cl->nqueries);
		cl->queries = NULL;
		cl->nqueries = 0;
		return cli_parse_words("--queries", optarg, variant_names, &cl->queries, &cl->nqueries);
	case OPT_EXPLAIN:
		o->explain = 1;
		return 0;
	case OPT_ALLOW_WRITES:
		o->allow_writes = 1;
		return 0;
	case OPT_RECONNECT_TIMEOUT:
		return cli_parse_duration("--reconnect-timeout", optarg, &o->reconnect_timeout_s);
	case OPT_SCALE:
		cl->scale_given = 1;
		return cli_parse_double("--scale", optarg, 0.001, 1000, &cl->scale);
	case OPT_SCRIPT:
		if (cl->nscript_args == SCRIPT_MAX) {
			log_error("too many --script options (at most %d)", SCRIPT_MAX);
			return -1;
		}
		cl->script_args[cl->nscript_args++] = optarg;
		return 0;
	case OPT_DEFINE:
		if (cl->ndefine_args == (int)(sizeof cl->define_args / sizeof cl->define_args[0])) {
			log_error("too many --define options (at most 64)");
			return -1;
		}
		cl->define_args[cl->ndefine_args++] = optarg;
		return 0;
	case OPT_PRESET:
		if (cli_parse_choice("--preset", optarg, preset_words, &k) < 0)
			return -1;
		o->preset_seed_article = 1;
		return 0;
	}
	return 0;
}

/*
 * --script: reads and parses every file (with the --define variables), checks them together, and refuses
 * a script that writes unless --allow-writes (then warns that the run is not read-only). Everything here
 * happens before a connection or a file is made: a bad script is exit 2 with nothing written. 0, or an
 * exit status (reported).
 */
static int load_scripts(struct run_cli *cl)
{
	struct run_opts *o = &cl->o;
	char err[1024];
	script_set_init(&cl->scripts);
	cl->have_scripts = 1;
	for (int i = 0; i < cl->ndefine_args; i++)
		if (script_set_define(&cl->scripts, cl->define_args[i], err, sizeof err) < 0) {
			log_error("%s", err);
			return EXIT_USAGE;
		}
	for (int i = 0; i < cl->nscript_args; i++) {
		char *path = NULL;
		int weight, why;
		if (script_parse_spec(cl->script_args[i], &path, &weight, err, sizeof err) < 0) {
			log_error("%s", err);
			return EXIT_USAGE;
		}
		size_t len;
		char *text = input_slurp(path, SCRIPT_FILE_MAX, &len, &why, err, sizeof err);
		if (!text) {
			log_error("%s", err);
			free(path);
			return EXIT_USAGE;
		}
		int rc = script_set_add(&cl->scripts, path, text, len, weight, err, sizeof err);
		free(text);
		free(path);
		if (rc < 0) {
			log_error("%s", err);
			return EXIT_USAGE;
		}
	}
	if (script_set_finish(&cl->scripts, o->page_size, 1, err, sizeof err) < 0) {
		log_error("%s", err);
		return EXIT_USAGE;
	}
	for (int k = 0; k < cl->scripts.n; k++) {
		const struct script *s = cl->scripts.s[k];
		if (!s->writes)
			continue;
		if (!o->allow_writes) {
			log_error("script %s line %d: %s changes the database: run replays read-only requests", s->file,
			          s->line_writes, s->write_keyword);
			log_hint("--allow-writes runs scripts that change the database (the run is then not read-only).");
			return EXIT_USAGE;
		}
		log_warning("script %s writes (%s at line %d): this run is not read-only", s->file, s->write_keyword,
		            s->line_writes);
	}
	o->scripts = &cl->scripts;
	return 0;
}

/* After the loop: the options that depend on each other, and the lists moved into run_opts. 0, or an
 * exit status (reported). */
static int finish_options(struct run_cli *cl, struct cli_getopt *g, const struct pgpb_ctx *ctx)
{
	struct run_opts *o = &cl->o;
	if (cl->model_async) {
		o->model = RUN_MODEL_ASYNC;
		if (o->workers)
			return cli_usage_error("run", "--workers applies to --model threads, not async");
	} else if (o->workers) {
		o->model = RUN_MODEL_POOL;
	}
	if (cl->scale_given && !ctx->ephemeral)
		return cli_usage_error("run", "--scale applies to --ephemeral (fill a server you connect to with datagen)");
	if (cl->loops_given && !cl->model_async)
		return cli_usage_error("run", "--loops applies to --model async");
	if (cl->arrival_given && !cl->rates)
		return cli_usage_error("run", "--arrival applies to an open loop (--rate or --rates)");
	if (cl->pool_order_given && o->model != RUN_MODEL_POOL && !o->preset_seed_article)
		return cli_usage_error("run", "--pool-order applies to a shared pool (--workers or --preset seed-article)");
	if (cl->rates) {
		o->rates = cl->rates;
		o->nrates = cl->nrates;
	}
	if (cli_getopt_end(g) < 0)
		return g->rc;
	o->queries = (const char *const *)cl->queries;
	o->nqueries = cl->nqueries;
	if (o->nqueries && o->query_file)
		return cli_usage_error("run", "--query FILE and --queries cannot be combined");
	if (cl->ndefine_args && !cl->nscript_args)
		return cli_usage_error("run", "--define applies to --script");
	if (cl->nscript_args) {
		if (o->query_file || o->nqueries)
			return cli_usage_error("run", "--script cannot be combined with --query or --queries");
		if (o->offset_mix)
			return cli_usage_error("run", "--offset-mix applies to the built-in queries (a script's pages are not "
			                              "counted); use random() in the script");
		if (o->explain)
			return cli_usage_error("run", "--explain applies to a query, not to --script");
		int rc = load_scripts(cl);
		if (rc)
			return rc;
	}
	if (cl->pools) {
		o->pools = cl->pools;
		o->npools = cl->npools;
	}
	if (cl->offsets) {
		o->offsets = cl->offsets;
		o->noffsets = cl->noffsets;
	} else if (o->offset_mix && !cl->offsets_given) {
		o->noffsets = 0; /* --offset-mix alone: only the mix steps */
	}
	o->quiet = ctx->quiet;
	return 0;
}

/* --ephemeral: the temporary cluster must accept the largest pool (plus the control connection), unless
 * the user set max_connections. maxconn holds the added setting. 0, or -1 (logged). */
static int size_cluster(struct pgpb_ctx *ctx, const struct run_opts *o, char *maxconn, size_t len)
{
	long maxpool = run_max_pool(o);
	int user_set = 0;
	for (size_t k = 0; k < ctx->nsettings; k++)
		user_set |= strncmp(ctx->settings[k], MAX_CONNECTIONS_SETTING, strlen(MAX_CONNECTIONS_SETTING)) == 0;
	if (user_set || maxpool + CONTROL_CONNECTIONS <= DEFAULT_MAX_CONNECTIONS)
		return 0;
	if (ctx->nsettings == sizeof ctx->settings / sizeof ctx->settings[0]) {
		log_error("too many --pg-setting options (at most 63 with run)");
		return -1;
	}
	snprintf(maxconn, len, "%s%ld", MAX_CONNECTIONS_SETTING, maxpool + CONTROL_CONNECTIONS);
	ctx->settings[ctx->nsettings++] = maxconn;
	return 0;
}

/* --ephemeral: the temporary cluster starts empty, so datagen fills it first, as demo does. An exit status. */
static int fill_cluster(struct pgpb_ctx *ctx, const struct run_cli *cl)
{
	struct datagen_opts dg;
	datagen_opts_default(&dg);
	dg.scale = cl->scale_given ? cl->scale : EPHEMERAL_SCALE;
	dg.progress = cl->o.progress == 0 ? 0 : -1;
	if (!ctx->quiet) {
		printf("run: datagen --scale %g into the temporary cluster\n", dg.scale);
		fflush(stdout);
	}
	return datagen_exec(ctx, &dg);
}

int run_main(int argc, char **argv)
{
	struct pgpb_ctx ctx;
	ctx_init(&ctx, "run", argc, argv);
	struct run_cli cl = { .o = run_opts_default() };
	struct cli_getopt g;
	cli_getopt_init(&g, "run", argc, argv, longopts, help, &ctx);
	int c, rc = EXIT_USAGE;
	while ((c = cli_getopt_next(&g)) > 0)
		if (parse_option(&cl, c) < 0)
			goto out;
	if (c < 0) {
		rc = g.rc;
		goto out;
	}
	rc = finish_options(&cl, &g, &ctx);
	if (rc)
		goto out;
	char maxconn[64];
	rc = EXIT_USAGE;
	if (ctx.ephemeral && size_cluster(&ctx, &cl.o, maxconn, sizeof maxconn) < 0)
		goto out;
	rc = ctx_open(&ctx);
	if (rc)
		goto out;
	if (ctx.ephemeral)
		rc = fill_cluster(&ctx, &cl);
	struct run_outcome outcome;
	if (rc == EXIT_OK)
		rc = run_finish(&ctx, &cl.o, run_exec(&ctx, &cl.o, &outcome), &outcome);
	ctx_close(&ctx);
	if (sig_caught())
		rc = sig_exit_status();
out:
	run_cli_free(&cl);
	return rc;
}
