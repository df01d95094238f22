/*
 * run.c: `pgpagebench run`: its options and --help, the temporary cluster sized for the largest pool and
 * filled by datagen, then the sweep (bench/bench.h: run_exec) and the charts (plots/plots.h) in that order.
 */
#include "cmd/run.h"
#include "bench/offsets.h"
#include "bench/script.h"
#include "bench/variants.h"
#include "cmd/commands.h"
#include "common/alloc.h"
#include "common/cli.h"
#include "common/ctx.h"
#include "common/input.h"
#include "common/log.h"
#include "common/options.h"
#include "common/pooler.h"
#include "common/sig.h"
#include "datagen/datagen.h"
#include "plots/gates.h"
#include "plots/plots.h"
#include "resdir/write.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CONNECTIONS_SETTING "max_connections="
#define CONTROL_CONNECTIONS 10 /* the temporary cluster's max_connections above the largest pool */
#define DEFAULT_MAX_CONNECTIONS 100 /* PostgreSQL's own default: raised only when a pool needs more */
#define RUN_THRESHOLDS_MAX 32 /* --threshold options a run takes */
#define EPHEMERAL_SCALE 0.1 /* the temporary cluster's dataset unless --scale: demo's, quick to load */
#define POOLER_SPARE_CLIENTS 16 /* the pooler's max_client_conn above the largest pool (admin console, probes) */

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
	       "  --query=seed|FILE        the seed query, or a file with one statement ($1 = OFFSET), run on\n"
	       "                           any database (the dataset check is for the built-in queries)\n"
	       "  --allow-writes           let a --query FILE change the database (default: read-only queries)\n"
	       "  --queries=LIST           sweep query variants too: seed, nocount, pagefirst, keyset, cappedcount,\n"
	       "                           django (docs/dbcost.md; keyset replays the page at each depth by its\n"
	       "                           key; django is Django's paginator, three statements a request)\n"
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
	       "  -C, --connect-per-request\n"
	       "                           each request opens a new connection and closes it after the answer\n"
	       "                           (Django's CONN_MAX_AGE=0, pgbench -C); the latency includes the connect\n"
	       "                           (its setup too: read-only, search_path and, under --protocol prepared,\n"
	       "                           the PREPARE), shown apart as connect_* beside query_* (send to answer);\n"
	       "                           with --workers the pool's connections become slots: a worker opens one\n"
	       "                           in the slot it borrows and closes it before giving the slot back\n"
	       "\nOutput:\n"
	       "  --out=DIR                results directory (default results/<timestamp>)\n"
	       "  --force                  replace the results of an earlier run in --out (only the files\n"
	       "                           pgpagebench writes there are removed)\n"
	       "  --no-validate            do not check the pages returned\n"
	       "  --validate               check a --query FILE's pages too, against the pgpagebench dataset\n"
	       "                           (by default only the built-in queries' are checked: a FILE may run\n"
	       "                           on any database)\n"
	       "  --no-plot                do not draw the charts at the end\n"
	       "  --progress               progress output even when not on a terminal (one line a second)\n"
	       "  --no-progress            no progress output\n"
	       "  --wait-sample=TIME|off   read pg_stat_activity this often in each measured window: where the\n"
	       "                           server time goes, into waits.csv (default 20ms)\n"
	       "  --wait-filter=db=NAME,user=NAME,app=NAME\n"
	       "                           sample the backends of this database, user and/or application_name\n"
	       "                           (an app's, say) instead of the run's own\n"
	       "\nCI gates:\n"
	       "  --threshold=EXPR         a limit every step must meet, FIGURE OP VALUE[UNIT], checked on the\n"
	       "                           written results; exit 3 when one is not met or cannot be checked\n"
	       "                           (repeatable). FIGURE: p50 p90 p95 p99 p999 min max mean (with us, ms\n"
	       "                           or s), qps, errors, validation_errors, error_rate (with %%); OP: < <=\n"
	       "                           > >=; e.g. 'p99<50ms' 'qps>=200' 'error_rate<1%%' (docs/run.md)\n"
	       "\nFaults:\n"
	       "  --reconnect-timeout=TIME how long a lost control connection is tried again between steps\n"
	       "                           before the run ends with the steps so far (default 30s; 0: once)\n"
	       "\nSeveral driver hosts (docs/distributed.md):\n"
	       "  --start-at=TIME          start the sweep at TIME (RFC 3339 UTC, 2026-12-02T00:10:00Z, or +30s)\n"
	       "                           on a fixed schedule: step k at TIME + k x (warm-up + duration + gap)\n"
	       "  --gap=TIME               with --start-at: time between steps for writing one and connecting\n"
	       "                           the next (default 2s)\n"
	       "  --host-tag=NAME          this host's name in meta.json (default: the host name)\n"
	       "\nWith --ephemeral the temporary cluster is filled first (datagen):\n"
	       "  --scale=S                its dataset's size, 0.001 to 1000 (default 0.1: 10,000 records)\n"
	       "  --pooler=pgbouncer[=MODE]\n"
	       "                           put PgBouncer in front of it (MODE transaction, the default, or\n"
	       "                           session); the load goes through it, its figures into the results\n"
	       "  --pooler-pool-size=N     the pooler's server connections (default 20)\n"
	       "\nBehind a pooler you run (-h/-p point at it):\n"
	       "  --pooler-admin=CONNINFO  its admin console (dbname=pgbouncer): pool mode checked, SHOW STATS and\n"
	       "                           SHOW POOLS read around each step\n"
	       "See docs/run.md and docs/results.md.\n"
	       CTX_HELP);
}

enum { OPT_POOLS = CTX_OPT_FIRST_FREE, OPT_OFFSETS, OPT_DURATION, OPT_WARMUP, OPT_THREADS, OPT_PROTOCOL,
       OPT_QUERY, OPT_OUT, OPT_NO_VALIDATE, OPT_NO_PLOT, OPT_PROGRESS, OPT_NO_PROGRESS, OPT_MIX, OPT_MODEL,
       OPT_WORKERS, OPT_LOOPS, OPT_RATE, OPT_RATES, OPT_ARRIVAL, OPT_PRESET, OPT_QUERIES, OPT_EXPLAIN,
       OPT_POOL_ORDER, OPT_ALLOW_WRITES, OPT_RECONNECT_TIMEOUT, OPT_FORCE, OPT_SCALE,
       OPT_START_AT, OPT_GAP, OPT_HOST_TAG, OPT_VALIDATE, OPT_THRESHOLD, OPT_WAIT_SAMPLE, OPT_WAIT_FILTER,
       OPT_POOLER, OPT_POOLER_POOL_SIZE, OPT_POOLER_ADMIN, OPT_SCRIPT, OPT_DEFINE };
#define OPT_CONNECT_PER_REQUEST 'C'

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
	{ "wait-sample", required_argument, NULL, OPT_WAIT_SAMPLE },
	{ "wait-filter", required_argument, NULL, OPT_WAIT_FILTER },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "scale", required_argument, NULL, OPT_SCALE },
	{ "start-at", required_argument, NULL, OPT_START_AT },
	{ "gap", required_argument, NULL, OPT_GAP },
	{ "host-tag", required_argument, NULL, OPT_HOST_TAG },
	{ "validate", no_argument, NULL, OPT_VALIDATE },
	{ "threshold", required_argument, NULL, OPT_THRESHOLD },
	{ "pooler", required_argument, NULL, OPT_POOLER },
	{ "pooler-pool-size", required_argument, NULL, OPT_POOLER_POOL_SIZE },
	{ "pooler-admin", required_argument, NULL, OPT_POOLER_ADMIN },
	{ "connect-per-request", no_argument, NULL, OPT_CONNECT_PER_REQUEST },
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
	int scale_given, arrival_given, gap_given;
	struct gate_threshold thresholds[RUN_THRESHOLDS_MAX]; /* --threshold, checked after the run */
	int nthresholds;
	char *wait_filter; /* --wait-filter's value, cut into the names run_opts points at */
	int pooler_mode; /* --pooler: enum pooler_mode */
	long pooler_pool_size; /* --pooler-pool-size; 0 = not given */
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
	free(cl->wait_filter);
}

/* A list option's value, replacing an earlier one. 0 or -1 (logged). */
static int parse_list(const char *opt, const char *s, long min, long max, long **list, size_t *n)
{
	free(*list);
	*list = NULL;
	return cli_parse_list(opt, s, min, max, list, n);
}

/* --wait-filter db=NAME,user=NAME,app=NAME (any of them, at least one): the names are kept in cl. 0 or -1. */
static int parse_wait_filter(struct run_cli *cl, const char *s)
{
	struct run_opts *o = &cl->o;
	free(cl->wait_filter);
	cl->wait_filter = pgpb_strdup(s);
	o->wait_db = o->wait_user = o->wait_app = NULL;
	char *save = NULL;
	for (char *item = strtok_r(cl->wait_filter, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		const char **slot = NULL;
		if (eq) {
			*eq = '\0';
			slot = strcmp(item, "db") == 0 ? &o->wait_db : strcmp(item, "user") == 0 ? &o->wait_user
			     : strcmp(item, "app") == 0 ? &o->wait_app : NULL;
		}
		if (!slot || !eq[1]) {
			log_error("invalid value \"%s\" for option --wait-filter: each item is db=NAME, user=NAME or app=NAME", s);
			return -1;
		}
		*slot = eq + 1;
	}
	if (!o->wait_db && !o->wait_user && !o->wait_app) {
		log_error("invalid value \"%s\" for option --wait-filter: name a database, a user or an application", s);
		return -1;
	}
	return 0;
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
		o->protocol_given = 1;
		return 0;
	case OPT_POOLER:
		if (strcmp(optarg, "pgbouncer") == 0 || strcmp(optarg, "pgbouncer=transaction") == 0) {
			cl->pooler_mode = POOLER_TRANSACTION;
		} else if (strcmp(optarg, "pgbouncer=session") == 0) {
			cl->pooler_mode = POOLER_SESSION;
		} else {
			log_error("invalid value \"%s\" for option --pooler: expected pgbouncer, pgbouncer=transaction or "
			          "pgbouncer=session", optarg);
			return -1;
		}
		return 0;
	case OPT_POOLER_POOL_SIZE:
		return cli_parse_long("--pooler-pool-size", optarg, 1, 10000, &cl->pooler_pool_size);
	case OPT_POOLER_ADMIN:
		if (!*optarg) {
			log_error("invalid value \"\" for option --pooler-admin: a conninfo is required");
			return -1;
		}
		o->pooler_admin = optarg;
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
	case OPT_VALIDATE: o->validate = RUN_VALIDATE_ALL; return 0;
	case OPT_THRESHOLD:
		if (cl->nthresholds == RUN_THRESHOLDS_MAX) {
			log_error("too many --threshold options (at most %d)", RUN_THRESHOLDS_MAX);
			return -1;
		}
		return gate_parse_threshold("--threshold", optarg, &cl->thresholds[cl->nthresholds++]);
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
	case OPT_WAIT_SAMPLE: {
		double sec;
		if (strcmp(optarg, "off") == 0) {
			o->wait_sample_ms = 0;
			return 0;
		}
		if (cli_parse_duration("--wait-sample", optarg, &sec) < 0)
			return -1;
		if (sec < 0.001 || sec > 10) {
			log_error("invalid value \"%s\" for option --wait-sample: must be from 1ms to 10s, or off", optarg);
			return -1;
		}
		o->wait_sample_ms = sec * 1000.0;
		return 0;
	}
	case OPT_WAIT_FILTER:
		return parse_wait_filter(cl, optarg);
	case OPT_SCALE:
		cl->scale_given = 1;
		return cli_parse_double("--scale", optarg, 0.001, 1000, &cl->scale);
	case OPT_START_AT:
		return cli_parse_instant("--start-at", optarg, &o->start_at);
	case OPT_GAP:
		cl->gap_given = 1;
		return cli_parse_duration("--gap", optarg, &o->gap_s);
	case OPT_HOST_TAG: {
		size_t n = strlen(optarg);
		if (n == 0 || n > 64 || strspn(optarg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n) {
			log_error("invalid value \"%s\" for option --host-tag: 1 to 64 letters, digits, '.', '_' or '-'", optarg);
			return -1;
		}
		o->host_tag = optarg;
		return 0;
	}
	case OPT_CONNECT_PER_REQUEST:
		o->connect_per_request = 1;
		return 0;
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
	if (cl->pooler_mode && !ctx->ephemeral)
		return cli_usage_error("run", "--pooler applies to --ephemeral (in front of a pooler you run, point -h/-p at "
		                       "it and give --pooler-admin)");
	if (cl->pooler_mode && ctx->keep)
		return cli_usage_error("run", "--pooler cannot be combined with --keep");
	if (cl->pooler_pool_size && !cl->pooler_mode)
		return cli_usage_error("run", "--pooler-pool-size applies to --pooler");
	if (o->pooler_admin && cl->pooler_mode)
		return cli_usage_error("run", "--pooler-admin is for a pooler you run; --pooler's own is read already");
	if (cl->pooler_mode == POOLER_TRANSACTION && o->protocol == RUN_PROTO_PREPARED) {
		if (o->protocol_given) {
			log_error("--protocol prepared cannot run behind PgBouncer in transaction mode");
			log_hint("PgBouncer 1.18 in transaction mode runs each transaction on any server connection, where "
			         "the statement a connection prepared is missing: use --protocol extended or simple, or "
			         "--pooler pgbouncer=session.");
			return EXIT_USAGE;
		}
		o->protocol = RUN_PROTO_EXTENDED; /* the default protocol, where it cannot work */
		if (!ctx->quiet)
			log_info("--protocol extended: prepared statements do not survive a transaction pooler");
	}
	if (cl->scale_given && !ctx->ephemeral)
		return cli_usage_error("run", "--scale applies to --ephemeral (fill a server you connect to with datagen)");
	if (cl->loops_given && !cl->model_async)
		return cli_usage_error("run", "--loops applies to --model async");
	if (cl->arrival_given && !cl->rates)
		return cli_usage_error("run", "--arrival applies to an open loop (--rate or --rates)");
	if (cl->pool_order_given && o->model != RUN_MODEL_POOL && !o->preset_seed_article)
		return cli_usage_error("run", "--pool-order applies to a shared pool (--workers or --preset seed-article)");
	if (cl->gap_given && !(o->start_at > 0))
		return cli_usage_error("run", "--gap applies to a schedule (--start-at)");
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
	/* behind the pooler the server sees its pool, not the clients */
	long maxpool = ctx->pooler_mode ? ctx->pooler_pool_size : run_max_pool(o);
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

/* --threshold: every limit checked on the steps as written, the verdict recorded in summary.json while
 * the directory is still the run's. An exit status: EXIT_OK, EXIT_GATE or EXIT_RUNTIME. */
static int run_gates(const struct run_cli *cl, const char *dir)
{
	json_t *verdict = NULL;
	int rc = plots_check_thresholds(dir, cl->thresholds, cl->nthresholds, cl->o.quiet, &verdict);
	if (verdict && results_record(dir, "thresholds", verdict) < 0 && rc == EXIT_OK)
		rc = EXIT_RUNTIME;
	return rc;
}

int run_main(int argc, char **argv)
{
	struct pgpb_ctx ctx;
	ctx_init(&ctx, "run", argc, argv);
	struct run_cli cl = { .o = run_opts_default() };
	struct cli_getopt g;
	cli_getopt_init(&g, "run", argc, argv, longopts, help, &ctx);
	g.shortopts = CTX_SHORTOPTS "C";
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
	if (cl.pooler_mode) {
		ctx.pooler_mode = cl.pooler_mode;
		ctx.pooler_pool_size = cl.pooler_pool_size ? cl.pooler_pool_size : POOLER_DEFAULT_POOL_SIZE;
		/* in session mode a client keeps its server connection: the others would wait for good */
		if (cl.pooler_mode == POOLER_SESSION && run_max_pool(&cl.o) > ctx.pooler_pool_size) {
			rc = cli_usage_error("run", "a step of %ld connections cannot run behind PgBouncer in session mode with "
			                     "a pool of %ld server connections (each client keeps one); raise "
			                     "--pooler-pool-size or use transaction mode", run_max_pool(&cl.o), ctx.pooler_pool_size);
			goto out;
		}
		ctx.pooler_max_client_conn = run_max_pool(&cl.o) + POOLER_SPARE_CLIENTS;
	}
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
	if (rc == EXIT_OK) {
		rc = run_exec(&ctx, &cl.o, &outcome);
		int gate = rc == EXIT_OK && cl.nthresholds ? run_gates(&cl, outcome.dir) : EXIT_OK;
		rc = run_finish(&ctx, &cl.o, rc, &outcome);
		if (rc == EXIT_OK)
			rc = gate;
	}
	ctx_close(&ctx);
	if (sig_caught())
		rc = sig_exit_status();
out:
	run_cli_free(&cl);
	return rc;
}
