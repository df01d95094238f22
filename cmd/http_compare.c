/*
 * http_compare.c: `pgpagebench http-compare RESULTS_DIR --ab FILE`: its options and --help. The work (ab's
 * files beside a step of the run, the table, the CSV files and the chart) is plots/http_compare.c's.
 */
#include "cmd/commands.h"
#include "common/cli.h"
#include "common/ctx.h"
#include "common/options.h"
#include "plots/http_compare.h"

#include <getopt.h>
#include <stdio.h>

static void help(void)
{
	printf("pgpagebench http-compare puts Apache Bench results beside the database-only results of a run.\n\n"
	       "Usage:\n  pgpagebench http-compare RESULTS_DIR --ab FILE [OPTION]...\n\n"
	       "It matches ab's concurrency to the step of the run with as many connections, at the page the\n"
	       "ab URL asks for, and writes http-compare.csv (the table), http-compare-percentiles.csv (chart\n"
	       "data: HTTP vs database latency per percentile) and, with --ab-gnuplot, http-compare-timeline.csv.\n"
	       "\nOptions:\n"
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
}

static const char no_connection[] = "http-compare reads files only and takes no connection options";

int http_compare_main(int argc, char **argv)
{
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
