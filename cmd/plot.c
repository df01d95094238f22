/*
 * plot.c: `pgpagebench plot RESULTS_DIR`: reads the options, then plots_render_opts draws the charts of
 * the results directory and writes its offline index.html (plots/plot.c). A bad command line exits 2.
 */
#include "cmd/commands.h"
#include "cmd/plot_options.h"
#include "common/cli.h"
#include "common/ctx.h"
#include "common/options.h"
#include "plots/plots.h"

#include <getopt.h>
#include <stdio.h>

static void help(void)
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

int plot_main(int argc, char **argv)
{
	static const struct option longopts[] = { PLOT_LONGOPTS, { NULL, 0, NULL, 0 } };
	struct plots_options o = { PLOTS_DEFAULT_FORMATS, 800, 480, 0 };
	const char *out = NULL;
	struct pgpb_ctx ctx;
	ctx_init(&ctx, "plot", argc, argv);
	struct cli_getopt g;
	cli_getopt_init(&g, "plot", argc, argv, longopts, help, &ctx);
	g.no_connection = "plot reads result files and takes no connection options";
	g.no_cluster = 1;
	int c;
	while ((c = cli_getopt_next(&g)) > 0)
		if (plot_option("plot", c, optarg, &o, &out) < 0)
			return EXIT_USAGE;
	if (c < 0)
		return g.rc;
	o.quiet = ctx.quiet;
	/* the results directory is the one argument left (getopt has moved it past the options) */
	if (optind >= argc)
		return cli_usage_error("plot", "no results directory given");
	if (optind + 1 < argc)
		return cli_usage_error("plot", "too many command-line arguments (first is \"%s\")", argv[optind + 1]);
	return plots_render_opts(argv[optind], out, &o, NULL, 0);
}
