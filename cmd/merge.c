/*
 * merge.c: `pgpagebench merge DIR... --out DIR`: the runs of several driver hosts, started on one schedule
 * (run --start-at), added up exactly into one results directory (resdir/merge.h), then its charts and
 * report as `plot` draws them. A bad command line exits 2; runs that do not share the plan exit 1.
 */
#include "cmd/commands.h"
#include "common/cli.h"
#include "common/ctx.h"
#include "common/log.h"
#include "common/options.h"
#include "common/sig.h"
#include "plots/plots.h"
#include "resdir/merge.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>

static void help(void)
{
	printf("pgpagebench merge adds up the runs of several driver hosts that ran one plan on one schedule\n"
	       "(run --start-at): histograms bucket by bucket, counts, errors and per-second rows summed, each\n"
	       "host's figures kept beside the total (hosts.csv, host-intervals.csv). The result is an ordinary\n"
	       "results directory that plot, compare and the report read. A step's histograms come from\n"
	       "summary.json, else from its .hlog (HdrHistogram's log); when both hold them, the same buckets.\n\n"
	       "Usage:\n  pgpagebench merge RESULTS_DIR... --out=DIR [OPTION]...\n\n"
	       "Options:\n"
	       "  --out=DIR       the merged results directory (required; created when missing)\n"
	       "  --force         replace the results of an earlier run in --out (only the tool's files)\n"
	       "  --no-plot       do not draw the charts\n"
	       "  --quiet         print only errors\n"
	       "  --help          show this help, then exit\n"
	       "See docs/distributed.md.\n");
}

enum { OPT_OUT = CTX_OPT_FIRST_FREE, OPT_FORCE, OPT_NO_PLOT };

int merge_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CTX_LONGOPTS,
		{ "out", required_argument, NULL, OPT_OUT },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "no-plot", no_argument, NULL, OPT_NO_PLOT },
		{ NULL, 0, NULL, 0 },
	};
	struct merge_opts o = { 0 };
	int plot = 1;
	struct pgpb_ctx ctx;
	ctx_init(&ctx, "merge", argc, argv);
	struct cli_getopt g;
	cli_getopt_init(&g, "merge", argc, argv, longopts, help, &ctx);
	g.no_connection = "merge reads result files and takes no connection options";
	g.no_cluster = 1;
	int c;
	while ((c = cli_getopt_next(&g)) > 0) {
		switch (c) {
		case OPT_OUT:
			if (!*optarg) {
				log_error("invalid value \"\" for option --out: a directory is required");
				return EXIT_USAGE;
			}
			o.out = optarg;
			break;
		case OPT_FORCE: o.force = 1; break;
		case OPT_NO_PLOT: plot = 0; break;
		}
	}
	if (c < 0)
		return g.rc;
	o.quiet = ctx.quiet;
	if (!o.out)
		return cli_usage_error("merge", "--out is required: the directory the merge is written to");
	if (argc - optind < 2)
		return cli_usage_error("merge", "at least two results directories are required");
	o.dirs = (const char *const *)&argv[optind];
	o.ndirs = (size_t)(argc - optind);
	char masked[8000], cmd[8200];
	conn_mask_argv(argc, argv, masked, sizeof masked);
	snprintf(cmd, sizeof cmd, "%s %s", PGPB_PROGNAME, masked);
	o.command_line = cmd;
	int lock_fd;
	int rc = merge_runs(&o, &lock_fd);
	if (rc == EXIT_OK && plot) {
		struct plots_options po = { .formats = PLOTS_DEFAULT_FORMATS, .quiet = o.quiet };
		char index[PATH_MAX];
		if (plots_render_opts(o.out, NULL, &po, index, sizeof index) == EXIT_OK && !o.quiet)
			printf("report: %s\n", index);
	}
	fflush(stdout);
	merge_release(lock_fd);
	if (sig_caught())
		rc = sig_exit_status();
	return rc;
}
