/*
 * compare.c: `pgpagebench compare A B`: reads the options, then plots_compare sets the two runs side by
 * side (plots/compare.c). A bad command line exits 2.
 */
#include "cmd/commands.h"
#include "cmd/plot_options.h"
#include "common/cli.h"
#include "common/log.h"
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
	       "  --max-regression=PCT\n"
	       "                  CI gate: exit 3 when B is worse than A by more than PCT (e.g. 10%%) on a\n"
	       "                  figure of a shared step (a latency higher, qps lower), listing those steps;\n"
	       "                  a figure too thin to trust in either run fails too\n"
	       "  --regression-figures=LIST\n"
	       "                  the figures checked (default p99,qps): p50 p90 p95 p99 p999 min max mean\n"
	       "                  qps errors validation_errors error_rate\n"
	       "  --csv=FILE      the side-by-side table as CSV there too (- for standard output); it is\n"
	       "                  always written as compare.csv beside index.html\n"
	       "  --help          show this help, then exit\n");
}

int compare_main(int argc, char **argv)
{
	enum { OPT_MAX_REGRESSION = PLOT_OPT_SIZE + 1, OPT_REGRESSION_FIGURES, OPT_CSV };
	static const struct option longopts[] = { PLOT_LONGOPTS,
		                                  { "max-regression", required_argument, NULL, OPT_MAX_REGRESSION },
		                                  { "regression-figures", required_argument, NULL, OPT_REGRESSION_FIGURES },
		                                  { "csv", required_argument, NULL, OPT_CSV },
		                                  { NULL, 0, NULL, 0 } };
	struct compare_gate gate = { 0 };
	int figs_given = 0;
	struct plots_options o = { PLOTS_DEFAULT_FORMATS, 800, 480, 0 };
	const char *out = NULL;
	struct pgpb_ctx ctx;
	ctx_init(&ctx, "compare", argc, argv);
	struct cli_getopt g;
	cli_getopt_init(&g, "compare", argc, argv, longopts, help, &ctx);
	g.no_connection = "compare reads result files and takes no connection options";
	g.no_cluster = 1;
	int c;
	while ((c = cli_getopt_next(&g)) > 0) {
		int bad = 0;
		switch (c) {
		case OPT_MAX_REGRESSION:
			gate.on = 1;
			bad = gate_parse_regression("--max-regression", optarg, &gate.max_regression) < 0;
			break;
		case OPT_REGRESSION_FIGURES:
			figs_given = 1;
			gate.nfigs = gate_parse_figures("--regression-figures", optarg, gate.figs,
			                                (int)(sizeof gate.figs / sizeof gate.figs[0]));
			bad = gate.nfigs < 0;
			break;
		case OPT_CSV:
			if (!*optarg) {
				log_error("invalid value \"\" for option --csv: a file is required");
				return EXIT_USAGE;
			}
			gate.csv = optarg;
			break;
		default:
			bad = plot_option("compare", c, optarg, &o, &out) < 0;
		}
		if (bad)
			return EXIT_USAGE;
	}
	if (c < 0)
		return g.rc;
	o.quiet = ctx.quiet;
	if (figs_given && !gate.on)
		return cli_usage_error("compare", "--regression-figures applies to --max-regression");
	if (!figs_given) {
		gate.figs[0] = gate_figure_find("p99");
		gate.figs[1] = gate_figure_find("qps");
		gate.nfigs = 2;
	}
	/* the two results directories are the arguments left (getopt has moved them past the options) */
	if (optind + 2 > argc)
		return cli_usage_error("compare", "two results directories are required");
	if (optind + 2 < argc)
		return cli_usage_error("compare", "too many command-line arguments (first is \"%s\")", argv[optind + 2]);
	return plots_compare(argv[optind], argv[optind + 1], out, &o, &gate, NULL, 0);
}
