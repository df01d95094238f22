/*
 * demo.c: `pgpagebench demo` (and `make demo`): the main job end to end on a private temporary
 * PostgreSQL, so a new user sees what the tool does with one command and nothing to configure.
 */
#include "bench/bench.h"
#include "cmd/commands.h"
#include "cmd/run.h"
#include "common/cli.h"
#include "common/ctx.h"
#include "common/log.h"
#include "common/options.h"
#include "common/sig.h"
#include "datagen/datagen.h"
#include "schema/schema.h"

#include <getopt.h>
#include <stdio.h>

static void help(void)
{
	printf("pgpagebench demo runs the whole job on a private temporary PostgreSQL: schema, data, a short\n"
	       "load sweep and the report, then prints where the report is.\n\n"
	       "Usage:\n  pgpagebench demo [OPTION]...\n\n"
	       "Options:\n"
	       "  --scale=S                dataset scale (default 0.1: 100 users, 10,000 records)\n"
	       "  --duration=TIME          measured time of each step (default 2s)\n"
	       "  --out=DIR                results directory (default results/<timestamp>)\n"
	       "  --pg-setting=NAME=VALUE  server setting for the temporary cluster (repeatable)\n"
	       "  --keep                   leave the temporary cluster running afterwards\n"
	       "  -v, --verbose            more detail\n"
	       "  --help                   show this help, then exit\n");
}

int demo_main(int argc, char **argv)
{
	enum { OPT_SCALE = CTX_OPT_FIRST_FREE, OPT_DURATION, OPT_OUT };
	static const struct option longopts[] = { CTX_LONGOPTS, { "scale", required_argument, NULL, OPT_SCALE },
	                                          { "duration", required_argument, NULL, OPT_DURATION },
	                                          { "out", required_argument, NULL, OPT_OUT }, { NULL, 0, NULL, 0 } };
	double scale = 0.1, duration_s = 2;
	const char *out_dir = NULL;
	struct pgpb_ctx ctx;
	ctx_init(&ctx, "demo", argc, argv);
	struct cli_getopt g;
	cli_getopt_init(&g, "demo", argc, argv, longopts, help, &ctx);
	g.no_connection = "demo always runs on a temporary cluster and takes no connection options";
	int c;
	while ((c = cli_getopt_next(&g)) > 0) {
		switch (c) {
		case OPT_SCALE:
			if (cli_parse_double("--scale", optarg, 0.001, 100, &scale) < 0)
				return EXIT_USAGE;
			break;
		case OPT_DURATION:
			if (cli_parse_duration("--duration", optarg, &duration_s) < 0)
				return EXIT_USAGE;
			if (duration_s < 0.1)
				return cli_usage_error("demo", "invalid value \"%s\" for option --duration: at least 100ms", optarg);
			break;
		case OPT_OUT:
			if (!*optarg)
				return cli_usage_error("demo", "invalid value \"\" for option --out: a directory is required");
			out_dir = optarg;
			break;
		}
	}
	if (c < 0 || cli_getopt_end(&g) < 0)
		return g.rc;
	ctx.ephemeral = 1;
	printf("demo: starting a private temporary PostgreSQL\n");
	fflush(stdout);
	int rc = ctx_open(&ctx);
	if (rc)
		return rc;

	/* 1. data: 10,000 records, enough for the query's cost to show and quick to load */
	struct datagen_opts dg;
	datagen_opts_default(&dg);
	dg.scale = scale;
	printf("demo: datagen --scale %g (schema, data, keys, indexes, ANALYZE)\n", scale);
	fflush(stdout);
	rc = datagen_exec(&ctx, &dg);

	/* 2. a short sweep over pool sizes and page depths, then the charts and the report */
	struct run_outcome outcome = { .dir = "" };
	if (rc == EXIT_OK) {
		static const long pools[] = { 1, 2, 4, 8 };
		static const long offsets[] = { 0, 100, 1000 };
		struct run_opts ro = run_opts_default();
		ro.pools = pools;
		ro.npools = sizeof pools / sizeof pools[0];
		ro.offsets = offsets;
		ro.noffsets = sizeof offsets / sizeof offsets[0];
		ro.duration_s = duration_s;
		ro.warmup_s = 0.5;
		ro.out_dir = out_dir;
		printf("demo: run --pools 1,2,4,8 --offsets 0,100,1000 --duration %gs --warmup 0.5s\n", duration_s);
		fflush(stdout);
		rc = run_finish(&ctx, &ro, run_exec(&ctx, &ro, &outcome), &outcome);
	}
	ctx_close(&ctx);
	if (sig_caught())
		return sig_exit_status();
	if (rc == EXIT_OK) {
		printf("demo: finished; the temporary cluster was removed\n");
		printf("demo: results in %s\n", outcome.dir);
		printf("demo: open %s/index.html\n", outcome.dir);
	}
	return rc;
}
