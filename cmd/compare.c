/*
 * compare.c: `pgpagebench compare A B`: reads the options, then plots_compare sets the two runs side by
 * side (plots/compare.c). A bad command line exits 2.
 */
#include "cmd/commands.h"
#include "cmd/plot_options.h"
#include "common/cli.h"
#include "common/ctx.h"
#include "common/options.h"
#include "plots/compare.h"

#include <getopt.h>
#include <stdio.h>

static void help(void)
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

int compare_main(int argc, char **argv)
{
	static const struct option longopts[] = { PLOT_LONGOPTS, { NULL, 0, NULL, 0 } };
	struct plots_options o = { PLOTS_DEFAULT_FORMATS, 800, 480, 0 };
	const char *out = NULL;
	struct pgpb_ctx ctx;
	ctx_init(&ctx, "compare", argc, argv);
	struct cli_getopt g;
	cli_getopt_init(&g, "compare", argc, argv, longopts, help, &ctx);
	g.no_connection = "compare reads result files and takes no connection options";
	g.no_cluster = 1;
	int c;
	while ((c = cli_getopt_next(&g)) > 0)
		if (plot_option("compare", c, optarg, &o, &out) < 0)
			return EXIT_USAGE;
	if (c < 0)
		return g.rc;
	o.quiet = ctx.quiet;
	/* the two results directories are the arguments left (getopt has moved them past the options) */
	if (optind + 2 > argc)
		return cli_usage_error("compare", "two results directories are required");
	if (optind + 2 < argc)
		return cli_usage_error("compare", "too many command-line arguments (first is \"%s\")", argv[optind + 2]);
	return plots_compare(argv[optind], argv[optind + 1], out, &o, NULL, 0);
}
